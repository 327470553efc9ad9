/* meetstream: meetrtspclientsink, publishes RTP streams into an RTSP server.
 *
 * SECTION:element-meetrtspclientsink
 * @title: meetrtspclientsink
 *
 * meetrtspclientsink sends the RTP streams linked to its request pads to an RTSP server that
 * records them (RFC 2326 10.3 ANNOUNCE, 10.11 RECORD): meetrtspsink with allow-publish=true,
 * gst-rtsp-server in RECORD mode, ffmpeg -rtsp_flags listen, MediaMTX and other relays. Each pad
 * is one stream of the announced SDP (rtpmap and fmtp from the pad's caps, a=control:stream=N);
 * any payloader will do. It works over one outbound connection, so it publishes from behind NAT:
 * RTP goes over UDP to the ports the server names, or interleaved in the RTSP TCP connection when
 * the server refuses UDP (461) or protocols=tcp. Over rtsps:// the media never leaves TLS in
 * clear: with UDP allowed it goes as SRTP (RTP/SAVP) under a key per stream of its own, made
 * for each ANNOUNCE and handed to the server inside TLS (a=key-mgmt:mikey in the SDP, and a
 * KeyMgmt header in each SETUP, where gst-rtsp-server reads it), encrypted on its way out by the
 * stream's meet::SrtpProtector (srtpprotector.h); otherwise interleaved inside the TLS connection.
 *
 * Inside: an rtpbin send session per stream, so the server gets RTCP sender reports and whoever
 * reads the stream can line audio up with video. The RTSP exchange runs on a thread of its own
 * (meet::ClientSinkPublisher in rtsp/client/clientsinkpublisher.cpp), driven by
 * meet::RtspClientLogic (shared with meetrtspsrc); the pipeline never waits on the network: until
 * the server RECORDs, packets are dropped. This file is the GObject glue and the data path. When the server goes away the element
 * reconnects with backoff (retry) and ANNOUNCEs again; pads and links stay. EOS and PAUSED->READY
 * send TEARDOWN.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 meetrtspclientsink name=s location=rtsp://127.0.0.1:8554/meet/alice \
 *   videotestsrc is-live=true ! video/x-raw,format=I420 ! jpegenc ! meetjpegpay ! s.sink_0 \
 *   audiotestsrc is-live=true ! audioconvert ! audio/x-raw,format=S16BE ! meetpcmpay ! s.sink_1
 * ]| publishes a test picture and sound as participant alice of a meetstream meeting.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay ! \
 *   meetrtspclientsink location=rtsp://bob:secret@relay.example:8554/live protocols=tcp
 * ]| publishes into another RTSP server over TCP, with Digest credentials from the URL.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetrtspclientsink.h"
#include "meetrtspsrc.h"   /* MeetRtspSrcProtocols, shared by both elements */
#include "clientsinkpublisher.h"
#include "rtspclientlogic.h"
#include "rtsptlsclient.h"
#include "srtpkeys.h"
#include "srtpprotector.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

/* Also the control thread's (clientsinkpublisher.cpp). */
GST_DEBUG_CATEGORY (meet_rtsp_client_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_client_sink_debug

#define DEFAULT_PROTOCOLS (MEET_RTSP_SRC_PROTOCOL_UDP | MEET_RTSP_SRC_PROTOCOL_TCP)
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_RETRY 5
/* A sender report per stream at least this often (see the request pad): readers keep lip sync by them. */
constexpr GstClockTime kRtcpMinInterval = GST_SECOND / 2;

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_USER,
  PROP_PASSWORD,
  PROP_PROTOCOLS,
  PROP_TIMEOUT,
  PROP_RETRY,
  PROP_RECORDING,
  PROP_TLS_CA_FILE,
  PROP_TLS_FINGERPRINT,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK,
    GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp"));

using meet::ClientSinkStream;

namespace {

struct Private {
  explicit Private (GstElement * element) : publisher (element) {}

  /* Properties, under the object lock. */
  std::string location;
  std::string user;
  std::string password;
  std::string tls_ca_file, tls_fingerprint;
  guint protocols = DEFAULT_PROTOCOLS;
  guint timeout_ms = DEFAULT_TIMEOUT_MS;
  gint retry = DEFAULT_RETRY;

  GstElement *rtpbin = nullptr;
  /* The streams (under publisher.mutex) and the control thread that publishes them. */
  meet::ClientSinkPublisher publisher;
};

}  // namespace

struct _MeetRtspClientSink
{
  GstBin parent;
  Private *priv;
};

static void meet_rtsp_client_sink_uri_handler_init (gpointer g_iface, gpointer iface_data);

#define meet_rtsp_client_sink_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (MeetRtspClientSink, meet_rtsp_client_sink, GST_TYPE_BIN,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER, meet_rtsp_client_sink_uri_handler_init));
GST_ELEMENT_REGISTER_DEFINE (meetrtspclientsink, "meetrtspclientsink", GST_RANK_NONE,
    GST_TYPE_MEET_RTSP_CLIENT_SINK);

/* ------------------------------------------------------------------------ */
/* Data path: packets out of rtpbin go to the server once it RECORDs.        */

struct OutputProbe {
  MeetRtspClientSink *self;
  ClientSinkStream *stream;
  bool rtcp;
};

/* Sends one packet: as it is, or as SRTP (SRTCP) when the stream is RTP/SAVP. */
static void
send_buffer (ClientSinkStream * s, GstBuffer * buffer, bool rtcp)
{
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  if (s->srtp) {
    /* Per streaming thread: no allocation per packet. */
    static thread_local std::vector<uint8_t> secure;
    secure.resize (map.size + s->srtp_protector.rtcp_overhead ());
    size_t len = 0;
    meet::SrtpStatus status = rtcp
        ? s->srtp_protector.protect_rtcp (map.data, map.size, secure.data (), secure.size (), &len)
        : s->srtp_protector.protect_rtp (map.data, map.size, secure.data (), secure.size (), &len);
    if (status == meet::SrtpStatus::OK)
      s->transport.send (secure.data (), len, rtcp);
    else
      GST_DEBUG ("stream %u: %s packet not sent: %s", s->index, rtcp ? "RTCP" : "RTP",
          meet::srtp_status_text (status));
  } else {
    s->transport.send (map.data, map.size, rtcp);
  }
  gst_buffer_unmap (buffer, &map);
}

/* The SSRC of an RTP packet, for the MIKEY of streams whose caps name none. */
static void
note_ssrc (ClientSinkStream * s, GstBuffer * buffer)
{
  guint8 head[12];
  if (buffer && gst_buffer_extract (buffer, 0, head, sizeof (head)) == sizeof (head)) {
    s->ssrc = (guint32 (head[8]) << 24) | (guint32 (head[9]) << 16) | (guint32 (head[10]) << 8)
        | head[11];
    s->has_ssrc = true;
  }
}

static GstPadProbeReturn
output_probe (GstPad *, GstPadProbeInfo * info, gpointer user_data)
{
  auto *probe = static_cast<OutputProbe *> (user_data);
  Private *priv = probe->self->priv;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS && !probe->rtcp) {
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      gchar *text = gst_caps_to_string (caps);
      guint ssrc;
      if (gst_structure_get_uint (gst_caps_get_structure (caps, 0), "ssrc", &ssrc)) {
        probe->stream->ssrc = ssrc;
        probe->stream->has_ssrc = true;
      }
      std::lock_guard<std::mutex> lock (priv->publisher.mutex);
      probe->stream->caps = text;
      g_free (text);
      priv->publisher.wake.notify_all ();
    } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && !probe->rtcp) {
      priv->publisher.stream_eos (probe->stream);
    }
    return GST_PAD_PROBE_OK;
  }
  if (!probe->rtcp && !probe->stream->has_ssrc && (info->type & GST_PAD_PROBE_TYPE_BUFFER))
    note_ssrc (probe->stream, GST_PAD_PROBE_INFO_BUFFER (info));
  if (!priv->publisher.recording)
    return GST_PAD_PROBE_DROP;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    send_buffer (probe->stream, GST_PAD_PROBE_INFO_BUFFER (info), probe->rtcp);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    for (guint i = 0; i < gst_buffer_list_length (list); i++)
      send_buffer (probe->stream, gst_buffer_list_get (list, i), probe->rtcp);
  }
  return GST_PAD_PROBE_DROP;
}

static void
add_probe (MeetRtspClientSink * self, ClientSinkStream * s, GstPad * pad, bool rtcp)
{
  gst_pad_add_probe (pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM), output_probe,
      new OutputProbe { self, s, rtcp },
      [](gpointer p) { delete static_cast<OutputProbe *> (p); });
}

/* A fakesink fed from @from; its probe sends what reaches it. */
static GstElement *
add_output (MeetRtspClientSink * self, ClientSinkStream * s, GstPad * from, bool rtcp)
{
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  if (rtcp) {
    /* rtpsession ends its RTCP pad only after a BYE it may never get to send (nothing goes out
     * once TEARDOWN is on its way): the bin's EOS waits for the RTP outputs alone. */
    GST_OBJECT_FLAG_UNSET (sink, GST_ELEMENT_FLAG_SINK);
  }
  gst_bin_add (GST_BIN (self), sink);
  gst_object_ref (sink);   /* the stream keeps it: the bin may drop its children first at dispose */
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (from, pad);
  add_probe (self, s, pad, rtcp);
  gst_object_unref (pad);
  gst_element_sync_state_with_parent (sink);
  return sink;
}

static GstPad *
meet_rtsp_client_sink_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps *)
{
  auto *self = MEET_RTSP_CLIENT_SINK (element);
  Private *priv = self->priv;
  guint index = 0;
  if (name && sscanf (name, "sink_%u", &index) != 1) {
    GST_WARNING_OBJECT (self, "pad name %s is not sink_%%u", name);
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock (priv->publisher.mutex);
    if (!name) {
      for (ClientSinkStream *s : priv->publisher.streams)
        index = std::max (index, s->index + 1);
    }
    for (ClientSinkStream *s : priv->publisher.streams) {
      if (s->index == index) {
        GST_WARNING_OBJECT (self, "pad sink_%u exists already", index);
        return nullptr;
      }
    }
  }
  gchar *rtp_name = g_strdup_printf ("send_rtp_sink_%u", index);
  GstPad *rtp_sink = gst_element_request_pad_simple (priv->rtpbin, rtp_name);
  g_free (rtp_name);
  /* Readers line this publisher's audio up with its video from a sender report of each stream, anew
   * after every report: RTCP's default 5 s minimum interval leaves them out of step for seconds whenever
   * their jitter buffers retime a stream (buffer-mode slave follows arrival times, and on a busy machine
   * packets come late in runs). Every 0.25-0.75 s (RTCP randomizes the half second) keeps such a wobble
   * under a second for a few hundred bytes a second; RFC 3550 6.2 allows down to 360 s / session
   * kbit/s: 0.47 s for 48 kHz L16, 0.1 s for a camera's 3 Mbit/s. */
  if (rtp_sink) {
    GObject *rtp_session = nullptr;
    g_signal_emit_by_name (priv->rtpbin, "get-internal-session", index, &rtp_session);
    if (rtp_session) {
      g_object_set (rtp_session, "rtcp-min-interval", static_cast<guint64> (kRtcpMinInterval), NULL);
      g_object_unref (rtp_session);
    }
  }
  gchar *src_name = g_strdup_printf ("send_rtp_src_%u", index);
  GstPad *rtp_src = gst_element_get_static_pad (priv->rtpbin, src_name);
  g_free (src_name);
  gchar *rtcp_name = g_strdup_printf ("send_rtcp_src_%u", index);
  GstPad *rtcp_src = gst_element_request_pad_simple (priv->rtpbin, rtcp_name);
  g_free (rtcp_name);
  if (!rtp_sink || !rtp_src || !rtcp_src) {
    g_clear_object (&rtp_sink);
    g_clear_object (&rtp_src);
    g_clear_object (&rtcp_src);
    GST_ELEMENT_ERROR (self, CORE, PAD, ("Could not make stream %u inside rtpbin.", index),
        (nullptr));
    return nullptr;
  }

  auto *s = new ClientSinkStream ();
  s->index = index;
  s->rtp_out = add_output (self, s, rtp_src, false);
  s->rtcp_out = add_output (self, s, rtcp_src, true);
  gchar *pad_name = g_strdup_printf ("sink_%u", index);
  s->ghost = gst_ghost_pad_new_from_template (pad_name, rtp_sink, templ);
  g_free (pad_name);
  gst_object_unref (rtp_sink);
  gst_object_unref (rtp_src);
  gst_object_unref (rtcp_src);
  {
    std::lock_guard<std::mutex> lock (priv->publisher.mutex);
    priv->publisher.streams.push_back (s);
    std::sort (priv->publisher.streams.begin (), priv->publisher.streams.end (),
        [](ClientSinkStream * a, ClientSinkStream * b) { return a->index < b->index; });
    priv->publisher.pads_changed = true;
    priv->publisher.wake.notify_all ();
  }
  gst_pad_set_active (s->ghost, TRUE);
  gst_element_add_pad (element, s->ghost);
  return s->ghost;
}

static void
meet_rtsp_client_sink_release_pad (GstElement * element, GstPad * pad)
{
  auto *self = MEET_RTSP_CLIENT_SINK (element);
  Private *priv = self->priv;
  ClientSinkStream *found = nullptr;
  {
    std::lock_guard<std::mutex> lock (priv->publisher.mutex);
    auto it = std::find_if (priv->publisher.streams.begin (), priv->publisher.streams.end (),
        [pad](ClientSinkStream * s) { return s->ghost == pad; });
    if (it == priv->publisher.streams.end ())
      return;
    found = *it;
    priv->publisher.streams.erase (it);
    priv->publisher.pads_changed = true;
    priv->publisher.wake.notify_all ();
  }
  GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
  gst_element_remove_pad (element, pad);
  if (target) {
    gst_element_release_request_pad (priv->rtpbin, target);
    gst_object_unref (target);
  }
  for (GstElement *e : { found->rtp_out, found->rtcp_out }) {
    if (!e)
      continue;
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (self)) {
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), e);
    }
    gst_object_unref (e);
  }
  delete found;
}

static GstStateChangeReturn
meet_rtsp_client_sink_change_state (GstElement * element, GstStateChange transition)
{
  auto *self = MEET_RTSP_CLIENT_SINK (element);
  Private *priv = self->priv;
  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:{
      GST_OBJECT_LOCK (self);
      std::string location = priv->location;
      meet::RtspTlsConfig tls = meet::rtsp_tls_config (location, priv->tls_ca_file,
          priv->tls_fingerprint);
      GST_OBJECT_UNLOCK (self);
      std::string tls_error;
      if (!meet::rtsp_tls_config_check (tls, tls_error)) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot check the server's certificate."),
            ("%s", tls_error.c_str ()));
        return GST_STATE_CHANGE_FAILURE;
      }
      meet::RtspClientLogic check;
      if (location.empty () || !check.set_location (location)) {
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("No RTSP URL to publish to."),
            ("set location to rtsp://[user:password@]host[:port]/path%s%s",
                location.empty () ? "" : "; ", location.empty () ? "" : check.error ().c_str ()));
        return GST_STATE_CHANGE_FAILURE;
      }
      break;
    }
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      meet::ClientSinkPublisher::Config config;
      GST_OBJECT_LOCK (self);
      config.settings.location = priv->location;
      config.settings.user = priv->user;
      config.settings.password = priv->password;
      config.settings.udp = priv->protocols & MEET_RTSP_SRC_PROTOCOL_UDP;
      config.settings.tcp = priv->protocols & MEET_RTSP_SRC_PROTOCOL_TCP;
      config.settings.timeout_us = static_cast<int64_t> (priv->timeout_ms) * 1000;
      config.timeout_ms = priv->timeout_ms;
      config.retry = priv->retry;
      config.tls = meet::rtsp_tls_config (priv->location, priv->tls_ca_file,
          priv->tls_fingerprint);
      GST_OBJECT_UNLOCK (self);
      priv->publisher.start (config);
      break;
    }
    default:
      break;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    priv->publisher.stop ();
  return ret;
}

/* ------------------------------------------------------------------------ */
/* GstURIHandler: rtsp:// as a sink.                                         */

static GstURIType
uri_get_type (GType)
{
  return GST_URI_SINK;
}

static const gchar *const *
uri_get_protocols (GType)
{
  static const gchar *protocols[] = { "rtsp", "rtsps", nullptr };
  return protocols;
}

static gchar *
uri_get_uri (GstURIHandler * handler)
{
  auto *self = MEET_RTSP_CLIENT_SINK (handler);
  GST_OBJECT_LOCK (self);
  gchar *uri = self->priv->location.empty () ? nullptr : g_strdup (self->priv->location.c_str ());
  GST_OBJECT_UNLOCK (self);
  return uri;
}

static gboolean
uri_set_uri (GstURIHandler * handler, const gchar * uri, GError ** error)
{
  meet::RtspClientLogic check;
  if (!uri || !check.set_location (uri)) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI, "%s", check.error ().c_str ());
    return FALSE;
  }
  g_object_set (handler, "location", uri, nullptr);
  return TRUE;
}

static void
meet_rtsp_client_sink_uri_handler_init (gpointer g_iface, gpointer)
{
  auto *iface = static_cast<GstURIHandlerInterface *> (g_iface);
  iface->get_type = uri_get_type;
  iface->get_protocols = uri_get_protocols;
  iface->get_uri = uri_get_uri;
  iface->set_uri = uri_set_uri;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */

static void
meet_rtsp_client_sink_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  auto *self = MEET_RTSP_CLIENT_SINK (object);
  Private *priv = self->priv;
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      priv->location = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_USER:
      priv->user = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_PASSWORD:
      priv->password = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_PROTOCOLS:
      priv->protocols = g_value_get_flags (value);
      if (priv->protocols == 0)
        priv->protocols = DEFAULT_PROTOCOLS;
      break;
    case PROP_TIMEOUT:
      priv->timeout_ms = g_value_get_uint (value);
      break;
    case PROP_RETRY:
      priv->retry = g_value_get_int (value);
      break;
    case PROP_TLS_CA_FILE:
      priv->tls_ca_file = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_TLS_FINGERPRINT:
      priv->tls_fingerprint = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
meet_rtsp_client_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  auto *self = MEET_RTSP_CLIENT_SINK (object);
  Private *priv = self->priv;
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, priv->location.c_str ());
      break;
    case PROP_USER:
      g_value_set_string (value, priv->user.c_str ());
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, priv->password.c_str ());
      break;
    case PROP_PROTOCOLS:
      g_value_set_flags (value, priv->protocols);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, priv->timeout_ms);
      break;
    case PROP_RETRY:
      g_value_set_int (value, priv->retry);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, priv->publisher.recording);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, priv->tls_ca_file.c_str ());
      break;
    case PROP_TLS_FINGERPRINT:
      g_value_set_string (value, priv->tls_fingerprint.c_str ());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
meet_rtsp_client_sink_finalize (GObject * object)
{
  auto *self = MEET_RTSP_CLIENT_SINK (object);
  for (ClientSinkStream *s : self->priv->publisher.streams) {
    gst_object_unref (s->rtp_out);
    gst_object_unref (s->rtcp_out);
    delete s;
  }
  gst_object_unref (self->priv->rtpbin);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
meet_rtsp_client_sink_init (MeetRtspClientSink * self)
{
  self->priv = new Private (GST_ELEMENT (self));
  /* Our own reference: request pads are released after the bin has let go of its children. */
  self->priv->rtpbin = GST_ELEMENT (gst_object_ref_sink (gst_element_factory_make ("rtpbin", "rtpbin")));
  /* Sender reports map NTP to the packets' capture time, which is all readers need to line the streams
   * up. The default, send time, adds the pipeline latency from a LATENCY event, and an element added to
   * a playing pipeline (meetsrv --forward) gets none until the latency changes: its reports then said
   * RTP times seconds ahead of its packets (readers' rtpbin ignore them, ffmpeg jumps back by them). */
  g_object_set (self->priv->rtpbin, "rtcp-sync-send-time", FALSE, nullptr);
  gst_bin_add (GST_BIN (self), self->priv->rtpbin);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static void
meet_rtsp_client_sink_class_init (MeetRtspClientSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = meet_rtsp_client_sink_set_property;
  gobject_class->get_property = meet_rtsp_client_sink_get_property;
  gobject_class->finalize = meet_rtsp_client_sink_finalize;

  auto flags = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "RTSP URL to publish to, rtsp://[user:password@]host[:port]/path (for a meetstream "
          "meeting: rtsp://host:8554/meet/NAME)", "", flags));
  g_object_class_install_property (gobject_class, PROP_USER,
      g_param_spec_string ("user", "User",
          "User name for Basic or Digest authentication (overrides the URL's)", "", flags));
  g_object_class_install_property (gobject_class, PROP_PASSWORD,
      g_param_spec_string ("password", "Password",
          "Password for Basic or Digest authentication (overrides the URL's)", "", flags));
  g_object_class_install_property (gobject_class, PROP_PROTOCOLS,
      g_param_spec_flags ("protocols", "Protocols",
          "Lower transports to offer: RTP over UDP to the server's ports, or interleaved in the "
          "RTSP TCP connection; with both, UDP first and TCP when the server refuses it (461). "
          "Over rtsps:// UDP means SRTP (RTP/SAVP, keys of our own in the ANNOUNCE and SETUP), "
          "TCP interleaved inside TLS",
          MEET_TYPE_RTSP_SRC_PROTOCOLS, DEFAULT_PROTOCOLS, flags));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Milliseconds to wait for the server to connect or answer a request (as meetrtspsrc's "
          "timeout); a keep-alive unanswered for twice this counts as the server gone", 100, 600000,
          DEFAULT_TIMEOUT_MS, flags));
  g_object_class_install_property (gobject_class, PROP_RETRY,
      g_param_spec_int ("retry", "Retry",
          "Reconnections (with backoff, 0.5 s doubling up to 8 s) when the server goes away or "
          "cannot be reached, before giving up with an error; the streams are ANNOUNCEd again and "
          "pads and links stay", 0, G_MAXINT, DEFAULT_RETRY, flags));
  g_object_class_install_property (gobject_class, PROP_TLS_CA_FILE,
      g_param_spec_string ("tls-ca-file", "TLS CA file",
          "rtsps://: PEM file of the certificate authorities to trust for the server's "
          "certificate instead of the system store (host name checked too)", "", flags));
  g_object_class_install_property (gobject_class, PROP_TLS_FINGERPRINT,
      g_param_spec_string ("tls-fingerprint", "TLS fingerprint",
          "rtsps://: trust exactly the server certificate of this SHA-256 fingerprint "
          "(sha256:AB:CD:..., e.g. a self-signed meetsrv's), whatever its CA and name", "", flags));
  g_object_class_install_property (gobject_class, PROP_RECORDING,
      g_param_spec_boolean ("recording", "Recording",
          "The server has answered RECORD and packets are flowing to it", FALSE,
          static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class, "RTSP publisher (RECORD)",
      "Sink/Network", "Publishes RTP streams into an RTSP server with ANNOUNCE, SETUP mode=record "
      "and RECORD (RFC 2326), over UDP or interleaved TCP, with RTCP sender reports; reconnects "
      "when the server goes away", "meetstream developers");

  element_class->change_state = meet_rtsp_client_sink_change_state;
  element_class->request_new_pad = meet_rtsp_client_sink_request_new_pad;
  element_class->release_pad = meet_rtsp_client_sink_release_pad;

  GST_DEBUG_CATEGORY_INIT (meet_rtsp_client_sink_debug, "meetrtspclientsink", 0,
      "meetstream RTSP publisher");
}
