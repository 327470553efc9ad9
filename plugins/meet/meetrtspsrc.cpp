/* meetstream: meetrtspsrc, an RTSP client source.
 *
 * SECTION:element-meetrtspsrc
 * @title: meetrtspsrc
 *
 * Connects to an RTSP server, DESCRIBEs the stream, SETs UP every RTP stream of
 * its SDP and PLAYs it. Each stream leaves on a sometimes pad `stream_%u` with
 * `application/x-rtp` caps from the SDP, after a jitter buffer (rtpbin) that
 * keeps audio and video in sync from the server's RTCP sender reports.
 *
 * RTP arrives over UDP (ports bound by the element) or interleaved on the RTSP
 * TCP connection; by default UDP is tried and TCP is used when the server
 * refuses UDP (461) or no UDP packet arrives. When the server goes away the
 * element reconnects `retry` times with exponential backoff, posting a warning
 * each time, then an error.
 *
 * The RTSP state follows the element state (READY->PAUSED: DESCRIBE+SETUP,
 * PAUSED->PLAYING: PLAY, PLAYING->PAUSED: PAUSE, PAUSED->READY: TEARDOWN); the
 * action signals `setup`, `play`, `pause` and `teardown` drive it directly.
 *
 * The roster: after PLAY the element asks the server which participants publish under its path
 * (GET_PARAMETER `participants`, see the README's "Roster") and keeps the connection open for
 * the server's pushes on every join and leave; the `participants` property holds the names and
 * `participants-changed` signals each change. Servers that keep no roster answer no: the list
 * stays empty, which is no error.
 *
 * The element is a GstURIHandler for `rtsp://` (rank none: GStreamer's rtspsrc stays the
 * default for playbin; applications pick meetrtspsrc by name and set its `uri`).
 *
 * ## Example pipelines
 * |[
 * gst-launch-1.0 meetrtspsrc location=rtsp://127.0.0.1:8554/meeting name=src \
 *     src. ! rtpjpegdepay ! jpegdec ! autovideosink \
 *     src. ! rtpL16depay ! audioconvert ! autoaudiosink
 * ]| Plays the video and audio of a meeting.
 * |[
 * gst-launch-1.0 meetrtspsrc location=rtsp://alice:secret@127.0.0.1:8554/meeting protocols=tcp \
 *     ! rtpjpegdepay ! jpegdec ! autovideosink
 * ]| Plays the first stream over the RTSP TCP connection, with credentials.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetrtspsrc.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gio/gio.h>
#include <gst/rtsp/gstrtspconnection.h>
#include <gst/rtsp/gstrtspmessage.h>

#include "roster.h"
#include "rtspclientlogic.h"
#include "rtspmessages.h"

GST_DEBUG_CATEGORY_STATIC (meet_rtsp_src_debug);
#define GST_CAT_DEFAULT meet_rtsp_src_debug

using meet::RtspClientLogic;
using meet::RtspLowerTransport;

#define DEFAULT_PROTOCOLS (MEET_RTSP_SRC_PROTOCOL_UDP | MEET_RTSP_SRC_PROTOCOL_TCP)
#define DEFAULT_LATENCY_MS 10
#define MAX_LATENCY_MS 200
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_RETRY 3
#define DEFAULT_BUFFER_MODE MEET_RTSP_SRC_BUFFER_MODE_SLAVE
/* First reconnect delay; doubled per attempt, capped. */
#define RETRY_BASE_DELAY_MS 250
#define RETRY_MAX_DELAY_MS 8000
/* How long PAUSED->READY waits for the TEARDOWN answer. */
#define TEARDOWN_WAIT_MS 1000
#define MONITOR_INTERVAL_MS 100

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_USER,
  PROP_PASSWORD,
  PROP_PROTOCOLS,
  PROP_LATENCY,
  PROP_TIMEOUT,
  PROP_RETRY,
  PROP_BUFFER_MODE,
  PROP_RTSP_STATE,
  PROP_STATS,
  PROP_PARTICIPANTS,
  N_PROPERTIES,
};
static GParamSpec *properties[N_PROPERTIES];

enum {
  SIGNAL_SETUP,
  SIGNAL_PLAY,
  SIGNAL_PAUSE,
  SIGNAL_TEARDOWN,
  SIGNAL_PARTICIPANTS_CHANGED,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("stream_%u",
    GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS ("application/x-rtp"));

/* One SDP stream and the elements carrying it into rtpbin. */
struct SrcStream {
  unsigned id = 0;
  GstCaps *caps = nullptr;
  RtspLowerTransport transport = RtspLowerTransport::Udp;
  GSocket *rtp_socket = nullptr, *rtcp_socket = nullptr;
  GstElement *rtp_src = nullptr, *rtcp_src = nullptr, *rtcp_sink = nullptr;
  GstPad *rtp_sink_pad = nullptr, *rtcp_sink_pad = nullptr, *rtcp_src_pad = nullptr;
  GstPad *ghost = nullptr;
  int rtp_channel = -1, rtcp_channel = -1;
  std::atomic<guint64> packets {0}, bytes {0};
};

struct MeetRtspSrcPrivate {
  /* Properties, under the object lock. */
  std::string location, user, password;
  guint protocols = DEFAULT_PROTOCOLS;
  guint latency_ms = DEFAULT_LATENCY_MS;
  guint timeout_ms = DEFAULT_TIMEOUT_MS;
  guint retry = DEFAULT_RETRY;
  MeetRtspSrcBufferMode buffer_mode = DEFAULT_BUFFER_MODE;

  /* The RTSP thread: every RTSP exchange and data-path change runs there. */
  GThread *thread = nullptr;
  GMainContext *context = nullptr;
  GMainLoop *loop = nullptr;

  /* Worker-thread only. */
  RtspClientLogic logic;
  GstRTSPConnection *conn = nullptr;
  GSource *keepalive_source = nullptr, *monitor_source = nullptr;
  GSource *retry_source = nullptr, *response_source = nullptr;
  GSource *lost_source = nullptr;
  guint attempts = 0;
  bool ever_connected = false;
  std::string lost_reason;
  bool got_data_since_play = false;
  gint64 play_started_us = 0;
  GSource *teardown_timeout_source = nullptr;

  /* Shared with streaming threads, under `lock`. */
  GMutex lock;
  /* Serializes exposing pads: streams appear on different threads, and
   * applications (and gst-launch's delayed linking) expect one pad-added at a time. */
  GMutex pad_lock;
  GstRTSPWatch *watch = nullptr;
  GstElement *rtpbin = nullptr;
  std::vector<std::unique_ptr<SrcStream>> streams;
  bool no_more_pads_sent = false;
  meet::Roster roster;

  std::atomic<gint64> last_data_us {0};
  std::atomic<int> rtsp_state {0};

  /* PAUSED->READY waits for the RTSP thread to finish its TEARDOWN. */
  GCond done_cond;
  bool teardown_done = false;
};

struct _MeetRtspSrc {
  GstBin parent;
  MeetRtspSrcPrivate *priv;
};

static void meet_rtsp_src_uri_handler_init (gpointer g_iface, gpointer iface_data);

#define meet_rtsp_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (MeetRtspSrc, meet_rtsp_src, GST_TYPE_BIN,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER, meet_rtsp_src_uri_handler_init));
GST_ELEMENT_REGISTER_DEFINE (meetrtspsrc, "meetrtspsrc", GST_RANK_NONE, GST_TYPE_MEET_RTSP_SRC);

GType
meet_rtsp_src_protocols_get_type (void)
{
  static GType type = 0;
  static const GFlagsValue values[] = {
    {MEET_RTSP_SRC_PROTOCOL_UDP, "RTP over UDP unicast", "udp"},
    {MEET_RTSP_SRC_PROTOCOL_TCP, "RTP interleaved on the RTSP TCP connection", "tcp"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type)) {
    GType t = g_flags_register_static ("MeetRtspSrcProtocols", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
meet_rtsp_src_buffer_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {MEET_RTSP_SRC_BUFFER_MODE_NONE, "Timestamps from RTP only: exact lip sync, but no "
          "compensation of the sender's clock drift (same host or NTP-synced hosts)", "none"},
    {MEET_RTSP_SRC_BUFFER_MODE_SLAVE, "Follow the sender's clock from arrival times: "
          "compensates drift; lip sync can wobble by a frame or two on a starved CPU", "slave"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("MeetRtspSrcBufferMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------------ */
/* Data path: rtpbin plus one UDP or TCP source per stream.                  */

static GstPadProbeReturn
count_packets_probe (GstPad *, GstPadProbeInfo *info, gpointer user_data)
{
  auto *pair = static_cast<std::pair<MeetRtspSrc *, SrcStream *> *> (user_data);
  SrcStream *stream = pair->second;
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER) {
    stream->packets++;
    stream->bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  } else if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    stream->packets += gst_buffer_list_length (list);
    stream->bytes += gst_buffer_list_calculate_size (list);
  }
  pair->first->priv->last_data_us = g_get_monotonic_time ();
  return GST_PAD_PROBE_OK;
}

static void
remove_child (MeetRtspSrc * src, GstElement ** element)
{
  if (*element == nullptr)
    return;
  gst_element_set_locked_state (*element, TRUE);
  gst_element_set_state (*element, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (src), *element);
  *element = nullptr;
}

/* Removes the elements feeding @stream into rtpbin; keeps rtpbin and the pad. */
static void
stream_clear_transport (MeetRtspSrc * src, SrcStream * stream)
{
  remove_child (src, &stream->rtp_src);
  remove_child (src, &stream->rtcp_src);
  remove_child (src, &stream->rtcp_sink);
  g_clear_object (&stream->rtp_socket);
  g_clear_object (&stream->rtcp_socket);
}

static void
stream_free (MeetRtspSrc * src, SrcStream * stream)
{
  stream_clear_transport (src, stream);
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->rtpbin) {
    for (GstPad ** pad : {&stream->rtp_sink_pad, &stream->rtcp_sink_pad, &stream->rtcp_src_pad}) {
      if (*pad) {
        gst_element_release_request_pad (priv->rtpbin, *pad);
        gst_object_unref (*pad);
        *pad = nullptr;
      }
    }
  }
  if (stream->ghost) {
    gst_pad_set_active (stream->ghost, FALSE);
    gst_element_remove_pad (GST_ELEMENT (src), stream->ghost);
    stream->ghost = nullptr;
  }
  gst_clear_caps (&stream->caps);
}

/* Binds an even RTP port and the odd RTCP port above it. */
static bool
allocate_udp_pair (GSocketFamily family, GSocket ** rtp, GSocket ** rtcp, std::string & error)
{
  for (int attempt = 0; attempt < 32; attempt++) {
    GError *err = nullptr;
    GSocket *a = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
    if (a == nullptr) {
      error = err->message;
      g_error_free (err);
      return false;
    }
    GInetAddress *any = g_inet_address_new_any (family);
    GSocketAddress *addr = g_inet_socket_address_new (any, 0);
    gboolean bound = g_socket_bind (a, addr, FALSE, &err);
    g_object_unref (addr);
    if (!bound) {
      error = err->message;
      g_error_free (err);
      g_object_unref (any);
      g_object_unref (a);
      return false;
    }
    GSocketAddress *local = g_socket_get_local_address (a, nullptr);
    guint16 port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
    g_clear_object (&local);
    if (port == 0 || (port & 1) || port == 65535) {
      g_object_unref (any);
      g_object_unref (a);
      continue;
    }
    GSocket *b = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
    addr = g_inet_socket_address_new (any, port + 1);
    bound = b && g_socket_bind (b, addr, FALSE, nullptr);
    g_object_unref (addr);
    g_object_unref (any);
    if (!bound) {
      g_clear_object (&b);
      g_object_unref (a);
      continue;
    }
    *rtp = a;
    *rtcp = b;
    return true;
  }
  error = "no free pair of UDP ports";
  return false;
}

static GstCaps *
on_request_pt_map (GstElement *, guint session, guint pt, MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  GstCaps *caps = nullptr;
  g_mutex_lock (&priv->lock);
  if (session < priv->streams.size () && priv->streams[session]->caps)
    caps = gst_caps_ref (priv->streams[session]->caps);
  g_mutex_unlock (&priv->lock);
  GST_DEBUG_OBJECT (src, "pt map for session %u pt %u: %" GST_PTR_FORMAT, session, pt, caps);
  return caps;
}

/* A stream the application left unlinked must not stop the others (their
 * packets share nothing but would get not-linked back into rtpbin and udpsrc). */
static GstFlowReturn
ghost_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstFlowReturn ret = gst_proxy_pad_chain_default (pad, parent, buffer);
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

static GstFlowReturn
ghost_chain_list (GstPad * pad, GstObject * parent, GstBufferList * list)
{
  GstFlowReturn ret = gst_proxy_pad_chain_list_default (pad, parent, list);
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

static void
on_rtpbin_pad_added (GstElement *, GstPad * pad, MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  guint session, ssrc, pt;
  gchar *name = gst_pad_get_name (pad);
  int matched = sscanf (name, "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt);
  g_free (name);
  if (matched != 3)
    return;

  bool all_have_pads = true;
  bool emit_no_more_pads = false;
  GstPad *new_ghost = nullptr;
  g_mutex_lock (&priv->pad_lock);
  g_mutex_lock (&priv->lock);
  if (session >= priv->streams.size ()) {
    g_mutex_unlock (&priv->lock);
    g_mutex_unlock (&priv->pad_lock);
    return;
  }
  SrcStream *stream = priv->streams[session].get ();
  if (stream->ghost == nullptr) {
    gchar *ghost_name = g_strdup_printf ("stream_%u", stream->id);
    GstPadTemplate *templ = gst_static_pad_template_get (&src_template);
    stream->ghost = gst_ghost_pad_new_from_template (ghost_name, pad, templ);
    gst_object_unref (templ);
    g_free (ghost_name);
    new_ghost = stream->ghost;
  } else {
    /* A new SSRC after a reconnect: keep the pad the application linked. */
    GST_INFO_OBJECT (src, "stream %u continues from SSRC %08x", stream->id, ssrc);
    gst_ghost_pad_set_target (GST_GHOST_PAD (stream->ghost), pad);
  }
  for (const auto &s : priv->streams)
    if (s->ghost == nullptr)
      all_have_pads = false;
  if (all_have_pads && !priv->no_more_pads_sent) {
    priv->no_more_pads_sent = true;
    emit_no_more_pads = true;
  }
  g_mutex_unlock (&priv->lock);

  if (new_ghost) {
    GST_INFO_OBJECT (src, "exposing %s:%s", GST_DEBUG_PAD_NAME (new_ghost));
    GstPad *internal = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (new_ghost)));
    gst_pad_set_chain_function (internal, ghost_chain);
    gst_pad_set_chain_list_function (internal, ghost_chain_list);
    gst_object_unref (internal);
    gst_pad_set_active (new_ghost, TRUE);
    gst_element_add_pad (GST_ELEMENT (src), new_ghost);
  }
  if (emit_no_more_pads)
    gst_element_no_more_pads (GST_ELEMENT (src));
  g_mutex_unlock (&priv->pad_lock);
}

static void
on_rtpbin_pad_removed (GstElement *, GstPad * pad, MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  g_mutex_lock (&priv->lock);
  for (const auto &s : priv->streams) {
    if (s->ghost == nullptr)
      continue;
    GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (s->ghost));
    if (target == pad)
      gst_ghost_pad_set_target (GST_GHOST_PAD (s->ghost), nullptr);
    if (target)
      gst_object_unref (target);
  }
  g_mutex_unlock (&priv->lock);
}

/* RTCP receiver reports over TCP: rtpbin -> appsink -> interleaved channel. */
static GstFlowReturn
on_rtcp_sample (GstElement * appsink, MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  GstSample *sample = nullptr;
  g_signal_emit_by_name (appsink, "pull-sample", &sample);
  if (sample == nullptr)
    return GST_FLOW_EOS;
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  int channel = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (appsink), "meet-channel"));
  GstMapInfo map;
  if (buffer && gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    GstRTSPMessage msg = { };
    gst_rtsp_message_init_data (&msg, channel);
    gst_rtsp_message_set_body (&msg, map.data, map.size);
    g_mutex_lock (&priv->lock);
    if (priv->watch)
      gst_rtsp_watch_send_message (priv->watch, &msg, nullptr);
    g_mutex_unlock (&priv->lock);
    gst_rtsp_message_unset (&msg);
    gst_buffer_unmap (buffer, &map);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static GstElement *
add_child (MeetRtspSrc * src, const char *factory, const char *name)
{
  GstElement *element = gst_element_factory_make (factory, name);
  if (element == nullptr) {
    GST_ELEMENT_ERROR (src, CORE, MISSING_PLUGIN,
        ("Element '%s' is missing: install GStreamer's base and good plugins.", factory),
        (nullptr));
    return nullptr;
  }
  gst_bin_add (GST_BIN (src), element);
  return element;
}

static bool
ensure_rtpbin (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->rtpbin)
    return true;
  GstElement *rtpbin = add_child (src, "rtpbin", "rtpbin");
  if (rtpbin == nullptr)
    return false;
  GST_OBJECT_LOCK (src);
  guint latency = priv->latency_ms;
  int buffer_mode = priv->buffer_mode;
  GST_OBJECT_UNLOCK (src);
  /* rtpbin lines the streams up from the RTCP sender reports (rtcp-sync=always). */
  g_object_set (rtpbin, "latency", latency, nullptr);
  gst_util_set_object_arg (G_OBJECT (rtpbin), "buffer-mode",
      buffer_mode == MEET_RTSP_SRC_BUFFER_MODE_NONE ? "none" : "slave");
  g_signal_connect (rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), src);
  g_signal_connect (rtpbin, "pad-added", G_CALLBACK (on_rtpbin_pad_added), src);
  g_signal_connect (rtpbin, "pad-removed", G_CALLBACK (on_rtpbin_pad_removed), src);
  g_mutex_lock (&priv->lock);
  priv->rtpbin = rtpbin;
  g_mutex_unlock (&priv->lock);
  gst_element_sync_state_with_parent (rtpbin);
  return true;
}

static bool
link_or_fail (MeetRtspSrc * src, GstPad * from, GstPad * to)
{
  if (gst_pad_link (from, to) == GST_PAD_LINK_OK)
    return true;
  GST_ELEMENT_ERROR (src, CORE, NEGOTIATION,
      ("Could not link %s:%s to %s:%s inside meetrtspsrc.", GST_DEBUG_PAD_NAME (from),
          GST_DEBUG_PAD_NAME (to)), (nullptr));
  return false;
}

static bool
link_element (MeetRtspSrc * src, GstElement * element, const char *pad_name, GstPad * peer,
    bool element_is_source)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);
  bool ok = element_is_source ? link_or_fail (src, pad, peer) : link_or_fail (src, peer, pad);
  gst_object_unref (pad);
  return ok;
}

/* Builds the sources (and RTCP sink) of @stream for its transport, linked to rtpbin. */
static bool
stream_build_transport (MeetRtspSrc * src, SrcStream * stream, const std::string & server_ip,
    const meet::RtspStream & info)
{
  MeetRtspSrcPrivate *priv = src->priv;
  GstElement *rtpbin = priv->rtpbin;
  if (stream->rtp_sink_pad == nullptr) {
    gchar *name = g_strdup_printf ("recv_rtp_sink_%u", stream->id);
    stream->rtp_sink_pad = gst_element_request_pad_simple (rtpbin, name);
    g_free (name);
    name = g_strdup_printf ("recv_rtcp_sink_%u", stream->id);
    stream->rtcp_sink_pad = gst_element_request_pad_simple (rtpbin, name);
    g_free (name);
    name = g_strdup_printf ("send_rtcp_src_%u", stream->id);
    stream->rtcp_src_pad = gst_element_request_pad_simple (rtpbin, name);
    g_free (name);
  }
  stream->transport = info.transport;
  GstCaps *rtcp_caps = gst_caps_new_empty_simple ("application/x-rtcp");

  if (info.transport == RtspLowerTransport::Udp) {
    stream->rtp_src = add_child (src, "udpsrc", nullptr);
    stream->rtcp_src = add_child (src, "udpsrc", nullptr);
    if (stream->rtp_src == nullptr || stream->rtcp_src == nullptr) {
      gst_caps_unref (rtcp_caps);
      return false;
    }
    /* Our sockets: udpsrc must not close them, they outlive its state changes. */
    g_object_set (stream->rtp_src, "socket", stream->rtp_socket, "close-socket", FALSE,
        "caps", stream->caps, "buffer-size", 1 << 19, nullptr);
    g_object_set (stream->rtcp_src, "socket", stream->rtcp_socket, "close-socket", FALSE,
        "caps", rtcp_caps, nullptr);
    if (info.server_rtcp_port > 0) {
      stream->rtcp_sink = add_child (src, "udpsink", nullptr);
      if (stream->rtcp_sink == nullptr) {
        gst_caps_unref (rtcp_caps);
        return false;
      }
      /* Send from the RTCP port we announced, so the server sees our RRs from it. */
      g_object_set (stream->rtcp_sink, "socket", stream->rtcp_socket, "close-socket", FALSE,
          "host", server_ip.c_str (), "port", info.server_rtcp_port, "sync", FALSE,
          "async", FALSE, nullptr);
    }
  } else {
    stream->rtp_channel = info.rtp_channel;
    stream->rtcp_channel = info.rtcp_channel;
    stream->rtp_src = add_child (src, "appsrc", nullptr);
    stream->rtcp_src = add_child (src, "appsrc", nullptr);
    stream->rtcp_sink = add_child (src, "appsink", nullptr);
    if (stream->rtp_src == nullptr || stream->rtcp_src == nullptr || stream->rtcp_sink == nullptr) {
      gst_caps_unref (rtcp_caps);
      return false;
    }
    for (GstElement *appsrc : {stream->rtp_src, stream->rtcp_src}) {
      g_object_set (appsrc, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", TRUE,
          "max-bytes", (guint64) (4 << 20), nullptr);
      /* The RTSP thread must never block on a stalled pipeline: drop the oldest packets. */
      gst_util_set_object_arg (G_OBJECT (appsrc), "leaky-type", "downstream");
    }
    g_object_set (stream->rtp_src, "caps", stream->caps, nullptr);
    g_object_set (stream->rtcp_src, "caps", rtcp_caps, nullptr);
    g_object_set (stream->rtcp_sink, "emit-signals", TRUE, "sync", FALSE, "async", FALSE, nullptr);
    g_object_set_data (G_OBJECT (stream->rtcp_sink), "meet-channel",
        GINT_TO_POINTER (info.rtcp_channel));
    g_signal_connect (stream->rtcp_sink, "new-sample", G_CALLBACK (on_rtcp_sample), src);
  }
  gst_caps_unref (rtcp_caps);

  if (!link_element (src, stream->rtp_src, "src", stream->rtp_sink_pad, true) ||
      !link_element (src, stream->rtcp_src, "src", stream->rtcp_sink_pad, true))
    return false;
  if (stream->rtcp_sink && !link_element (src, stream->rtcp_sink, "sink", stream->rtcp_src_pad,
          false))
    return false;

  GstPad *pad = gst_element_get_static_pad (stream->rtp_src, "src");
  auto *probe_data = new std::pair<MeetRtspSrc *, SrcStream *> (src, stream);
  gst_pad_add_probe (pad, (GstPadProbeType) (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST), count_packets_probe, probe_data,
      [](gpointer data) {
        delete static_cast<std::pair<MeetRtspSrc *, SrcStream *> *> (data);
      });
  gst_object_unref (pad);

  for (GstElement *e : {stream->rtp_src, stream->rtcp_src, stream->rtcp_sink})
    if (e)
      gst_element_sync_state_with_parent (e);
  return true;
}

/* ------------------------------------------------------------------------ */
/* RTSP thread.                                                              */

static void pump (MeetRtspSrc * src);
static void server_lost (MeetRtspSrc * src, const std::string & reason);
static void finish_teardown (MeetRtspSrc * src);

static void
destroy_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = nullptr;
  }
}

/* For a callback returning G_SOURCE_REMOVE: forget the source it was called from. */
static void
forget_source (GSource ** source)
{
  if (*source) {
    g_source_unref (*source);
    *source = nullptr;
  }
}

static GSource *
add_timeout (MeetRtspSrc * src, guint ms, GSourceFunc func)
{
  GSource *source = g_timeout_source_new (ms);
  g_source_set_callback (source, func, src, nullptr);
  g_source_attach (source, src->priv->context);
  return source;
}

static void
update_rtsp_state (MeetRtspSrc * src)
{
  int state = static_cast<int> (src->priv->logic.state ());
  if (src->priv->rtsp_state.exchange (state) != state)
    g_object_notify (G_OBJECT (src), "rtsp-state");
}

/* A new roster (or none, @names nullptr): property and signal, from the RTSP thread. */
static void
set_participants (MeetRtspSrc * src, const std::vector<std::string> *names)
{
  MeetRtspSrcPrivate *priv = src->priv;
  g_mutex_lock (&priv->lock);
  bool changed = names ? priv->roster.update (*names) : priv->roster.clear ();
  std::vector<std::string> now = priv->roster.names ();
  g_mutex_unlock (&priv->lock);
  if (!changed)
    return;
  std::string joined;
  GStrvBuilder *builder = g_strv_builder_new ();
  for (const auto &n : now) {
    g_strv_builder_add (builder, n.c_str ());
    joined += (joined.empty () ? "" : ",") + n;
  }
  GStrv strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  GST_INFO_OBJECT (src, "participants: %s", joined.c_str ());
  g_object_notify_by_pspec (G_OBJECT (src), properties[PROP_PARTICIPANTS]);
  g_signal_emit (src, signals[SIGNAL_PARTICIPANTS_CHANGED], 0, strv);
  g_strfreev (strv);
}

static void
close_connection (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  destroy_source (&priv->keepalive_source);
  destroy_source (&priv->monitor_source);
  destroy_source (&priv->response_source);
  destroy_source (&priv->lost_source);  /* a loss reported by the old connection */
  g_mutex_lock (&priv->lock);
  GstRTSPWatch *watch = priv->watch;
  priv->watch = nullptr;
  g_mutex_unlock (&priv->lock);
  if (watch) {
    g_source_destroy (reinterpret_cast<GSource *> (watch));
    gst_rtsp_watch_unref (watch);
  }
  if (priv->conn) {
    gst_rtsp_connection_close (priv->conn);
    gst_rtsp_connection_free (priv->conn);
    priv->conn = nullptr;
  }
}

/* Stops every stream's sources (rtpbin and pads stay for the next session). */
static void
clear_transports (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  for (auto &s : priv->streams)
    stream_clear_transport (src, s.get ());
}

/* Everything back to nothing: connection, streams, rtpbin, pads. */
static void
clear_all (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  close_connection (src);
  destroy_source (&priv->retry_source);
  destroy_source (&priv->lost_source);
  destroy_source (&priv->teardown_timeout_source);
  std::vector<std::unique_ptr<SrcStream>> streams;
  g_mutex_lock (&priv->lock);
  streams.swap (priv->streams);
  g_mutex_unlock (&priv->lock);
  for (auto &s : streams)
    stream_free (src, s.get ());
  g_mutex_lock (&priv->lock);
  GstElement *rtpbin = priv->rtpbin;
  priv->rtpbin = nullptr;
  priv->no_more_pads_sent = false;
  g_mutex_unlock (&priv->lock);
  if (rtpbin)
    remove_child (src, &rtpbin);
  priv->logic.reset_session ();
  priv->attempts = 0;
  update_rtsp_state (src);
}

static void
fatal_error (MeetRtspSrc * src, const std::string & message)
{
  GST_ELEMENT_ERROR (src, RESOURCE, READ, ("%s", message.c_str ()), (nullptr));
  close_connection (src);
  clear_transports (src);
  src->priv->logic.reset_session ();
  src->priv->logic.set_target (RtspClientLogic::State::Init);
  update_rtsp_state (src);
  set_participants (src, nullptr);
}

static void
send_request (MeetRtspSrc * src, const meet::RtspClientRequest & request);

static gboolean
on_response_timeout (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  forget_source (&src->priv->response_source);
  server_lost (src, "the server did not answer within " +
      std::to_string (src->priv->timeout_ms) + " ms");
  return G_SOURCE_REMOVE;
}

static void
send_request (MeetRtspSrc * src, const meet::RtspClientRequest & request)
{
  MeetRtspSrcPrivate *priv = src->priv;
  GstRTSPMessage *msg = meet::rtsp_request_message (request);
  GST_DEBUG_OBJECT (src, "sending %s %s", gst_rtsp_method_as_text (request.method),
      request.uri.c_str ());
  g_mutex_lock (&priv->lock);
  GstRTSPResult res = priv->watch ?
      gst_rtsp_watch_send_message (priv->watch, msg, nullptr) : GST_RTSP_ERROR;
  g_mutex_unlock (&priv->lock);
  gst_rtsp_message_free (msg);
  if (res != GST_RTSP_OK) {
    gchar *text = gst_rtsp_strresult (res);
    std::string reason = std::string ("sending ") + gst_rtsp_method_as_text (request.method) +
        " failed: " + text;
    g_free (text);
    server_lost (src, reason);
    return;
  }
  destroy_source (&priv->response_source);
  priv->response_source = add_timeout (src, priv->timeout_ms, on_response_timeout);
}

static gboolean
on_keepalive (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  MeetRtspSrcPrivate *priv = src->priv;
  /* Any request refreshes the session: only send one when the line is quiet. */
  if (!priv->logic.waiting_for_response ()) {
    if (auto request = priv->logic.keepalive_request ())
      send_request (src, *request);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_monitor (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->logic.state () != RtspClientLogic::State::Playing)
    return G_SOURCE_CONTINUE;
  gint64 now = g_get_monotonic_time ();
  gint64 last = priv->last_data_us;
  if (last >= priv->play_started_us)
    priv->got_data_since_play = true;
  else
    last = priv->play_started_us;
  if (now - last < (gint64) priv->timeout_ms * 1000)
    return G_SOURCE_CONTINUE;

  GST_OBJECT_LOCK (src);
  bool tcp_allowed = priv->protocols & MEET_RTSP_SRC_PROTOCOL_TCP;
  GST_OBJECT_UNLOCK (src);
  if (!priv->got_data_since_play && priv->logic.transport () == RtspLowerTransport::Udp &&
      tcp_allowed) {
    /* UDP is blocked somewhere between us and the server: try interleaved TCP. */
    GST_ELEMENT_WARNING (src, RESOURCE, READ,
        ("No UDP data from %s within %u ms; switching to RTP over TCP.",
            priv->logic.request_uri ().c_str (), priv->timeout_ms), (nullptr));
    forget_source (&priv->monitor_source);
    priv->attempts = 0;
    close_connection (src);
    clear_transports (src);
    priv->logic.reset_session ();
    priv->logic.force_transport (RtspLowerTransport::Tcp);
    pump (src);
    return G_SOURCE_REMOVE;
  }
  forget_source (&priv->monitor_source);
  server_lost (src, "no data for " + std::to_string (priv->timeout_ms) + " ms");
  return G_SOURCE_REMOVE;
}

static void
on_described (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  const auto &infos = priv->logic.streams ();
  g_mutex_lock (&priv->lock);
  bool reconnecting = !priv->streams.empty ();
  bool layout_changed = reconnecting && priv->streams.size () != infos.size ();
  if (!reconnecting) {
    for (const auto &info : infos) {
      auto stream = std::make_unique<SrcStream> ();
      stream->id = info.id;
      stream->caps = gst_caps_from_string (info.caps.c_str ());
      priv->streams.push_back (std::move (stream));
    }
  }
  g_mutex_unlock (&priv->lock);
  if (layout_changed) {
    fatal_error (src, "The stream at " + priv->logic.request_uri () +
        " now has a different number of media; restart the pipeline to follow it.");
    return;
  }
  for (const auto &s : priv->streams)
    GST_INFO_OBJECT (src, "stream %u: %" GST_PTR_FORMAT, s->id, s->caps);

  if (priv->logic.transport () != RtspLowerTransport::Udp)
    return;
  GSocket *rtsp_socket = gst_rtsp_connection_get_read_socket (priv->conn);
  GSocketFamily family = rtsp_socket ? g_socket_get_family (rtsp_socket) : G_SOCKET_FAMILY_IPV4;
  for (size_t i = 0; i < priv->streams.size (); i++) {
    SrcStream *stream = priv->streams[i].get ();
    g_clear_object (&stream->rtp_socket);
    g_clear_object (&stream->rtcp_socket);
    std::string error;
    if (!allocate_udp_pair (family, &stream->rtp_socket, &stream->rtcp_socket, error)) {
      fatal_error (src, "Could not bind UDP ports to receive " + priv->logic.request_uri () +
          " (" + error + "); use protocols=tcp.");
      return;
    }
    auto port = [](GSocket * s) {
      GSocketAddress *a = g_socket_get_local_address (s, nullptr);
      int p = a ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (a)) : 0;
      g_clear_object (&a);
      return p;
    };
    priv->logic.set_client_ports (i, port (stream->rtp_socket), port (stream->rtcp_socket));
  }
}

static void
on_setup_done (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  if (!ensure_rtpbin (src))
    return;
  gchar *ip = gst_rtsp_connection_get_ip (priv->conn) ?
      g_strdup (gst_rtsp_connection_get_ip (priv->conn)) : g_strdup (priv->logic.host ().c_str ());
  std::string server_ip = ip;
  g_free (ip);
  for (size_t i = 0; i < priv->streams.size (); i++) {
    SrcStream *stream = priv->streams[i].get ();
    GSocket *rtp = stream->rtp_socket, *rtcp = stream->rtcp_socket;
    /* Clearing drops the sockets: keep the ones just announced in SETUP. */
    stream->rtp_socket = stream->rtcp_socket = nullptr;
    remove_child (src, &stream->rtp_src);
    remove_child (src, &stream->rtcp_src);
    remove_child (src, &stream->rtcp_sink);
    stream->rtp_socket = rtp;
    stream->rtcp_socket = rtcp;
    if (!stream_build_transport (src, stream, server_ip, priv->logic.streams ()[i]))
      return;
  }
  GST_INFO_OBJECT (src, "%zu streams set up over %s", priv->streams.size (),
      priv->logic.transport () == RtspLowerTransport::Udp ? "UDP" : "TCP");
}

static void
handle_event (MeetRtspSrc * src, RtspClientLogic::Event event)
{
  MeetRtspSrcPrivate *priv = src->priv;
  using Event = RtspClientLogic::Event;
  switch (event) {
    case Event::None:
      break;
    case Event::Described:
      on_described (src);
      break;
    case Event::SetupDone:
      on_setup_done (src);
      break;
    case Event::Playing:
      priv->play_started_us = g_get_monotonic_time ();
      priv->got_data_since_play = false;
      priv->attempts = 0;
      if (priv->monitor_source == nullptr)
        priv->monitor_source = add_timeout (src, MONITOR_INTERVAL_MS, on_monitor);
      break;
    case Event::Paused:
      break;
    case Event::TornDown:
      break;
    case Event::AuthRequired:{
      GST_INFO_OBJECT (src, "answering %s challenge",
          priv->logic.auth_challenge ().method == GST_RTSP_AUTH_DIGEST ? "Digest" : "Basic");
      meet::rtsp_apply_auth_challenge (priv->conn, priv->logic);
      break;
    }
    case Event::RosterAnswered:
      set_participants (src, &priv->logic.roster ());
      break;
    case Event::TransportFallback:
      GST_INFO_OBJECT (src, "server refused UDP; setting up RTP over TCP");
      for (auto &s : priv->streams) {
        g_clear_object (&s->rtp_socket);
        g_clear_object (&s->rtcp_socket);
      }
      break;
    case Event::Failed:
      if (priv->logic.state () == RtspClientLogic::State::Playing ||
          priv->logic.state () == RtspClientLogic::State::Paused ||
          priv->logic.failure_is_transient ()) {
        /* An established session went bad (e.g. the server forgot it), or the server is not
         * ready yet: start over. */
        server_lost (src, priv->logic.error ());
        return;
      }
      fatal_error (src, priv->logic.error ());
      return;
  }
  if (event == Event::SetupDone || event == Event::Playing) {
    /* Keep the session alive at half the server's timeout. */
    if (priv->keepalive_source == nullptr) {
      guint interval = MAX (1u, priv->logic.session_timeout () / 2);
      priv->keepalive_source = add_timeout (src, interval * 1000, on_keepalive);
    }
  }
  update_rtsp_state (src);
  if (event == Event::TornDown) {
    finish_teardown (src);
    return;
  }
  pump (src);
}

/* Processing a response may close the connection, which must not happen inside
 * the watch's own dispatch: responses are handled from an idle callback. */
struct PendingResponse {
  MeetRtspSrc *src;
  meet::RtspClientResponse response;
};

static gboolean
process_response (gpointer user_data)
{
  auto *pending = static_cast<PendingResponse *> (user_data);
  MeetRtspSrc *src = pending->src;
  if (src->priv->conn == nullptr)
    return G_SOURCE_REMOVE;     /* connection gone meanwhile */
  destroy_source (&src->priv->response_source);
  GST_DEBUG_OBJECT (src, "response %d %s", pending->response.code,
      pending->response.reason.c_str ());
  handle_event (src, src->priv->logic.handle_response (pending->response));
  return G_SOURCE_REMOVE;
}

static void
push_interleaved (MeetRtspSrc * src, GstRTSPMessage * message)
{
  MeetRtspSrcPrivate *priv = src->priv;
  guint8 channel = 0;
  gst_rtsp_message_parse_data (message, &channel);
  GstElement *target = nullptr;
  g_mutex_lock (&priv->lock);
  for (const auto &s : priv->streams) {
    if (s->transport != RtspLowerTransport::Tcp)
      continue;
    if (s->rtp_channel == channel && s->rtp_src)
      target = GST_ELEMENT (gst_object_ref (s->rtp_src));
    else if (s->rtcp_channel == channel && s->rtcp_src)
      target = GST_ELEMENT (gst_object_ref (s->rtcp_src));
  }
  g_mutex_unlock (&priv->lock);
  if (target == nullptr)
    return;
  guint8 *data = nullptr;
  guint size = 0;
  gst_rtsp_message_steal_body (message, &data, &size);
  /* The connection NUL-terminates every body; that byte is not part of the packet. */
  if (data && size > 1) {
    GstBuffer *buffer = gst_buffer_new_wrapped (data, size);
    gst_buffer_resize (buffer, 0, size - 1);
    GstFlowReturn flow;
    g_signal_emit_by_name (target, "push-buffer", buffer, &flow);
    gst_buffer_unref (buffer);
  } else {
    g_free (data);
  }
  gst_object_unref (target);
}

static GstRTSPResult
on_message_received (GstRTSPWatch * watch, GstRTSPMessage * message, gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  (void) watch;
  switch (gst_rtsp_message_get_type (message)) {
    case GST_RTSP_MESSAGE_DATA:
      push_interleaved (src, message);
      break;
    case GST_RTSP_MESSAGE_RESPONSE:{
      auto *pending = new PendingResponse {src, meet::rtsp_response_from_message (message)};
      GSource *idle = g_idle_source_new ();
      g_source_set_priority (idle, G_PRIORITY_HIGH);
      g_source_set_callback (idle, process_response, pending, [](gpointer p) {
            delete static_cast<PendingResponse *> (p);
          });
      g_source_attach (idle, src->priv->context);
      g_source_unref (idle);
      break;
    }
    case GST_RTSP_MESSAGE_REQUEST:{
      /* Server-to-client requests (RFC 2326 section 10: pings, roster pushes): answered with
       * their CSeq, never ending the session. */
      GstRTSPMethod method;
      const gchar *uri;
      gst_rtsp_message_parse_request (message, &method, &uri, nullptr);
      gchar *type = nullptr;
      gst_rtsp_message_get_header (message, GST_RTSP_HDR_CONTENT_TYPE, &type, 0);
      guint8 *body = nullptr;
      guint size = 0;
      gst_rtsp_message_get_body (message, &body, &size);
      std::string text = body && size ? std::string (reinterpret_cast<const char *> (body), size) :
          std::string ();
      /* The connection NUL-terminates bodies. */
      while (!text.empty () && text.back () == '\0')
        text.pop_back ();
      const gchar *method_name = gst_rtsp_method_as_text (method);
      meet::ServerRequestAnswer decision = meet::answer_server_request (
          method_name ? method_name : "", type ? type : "", text);
      GST_DEBUG_OBJECT (src, "server sent %s %s: answering %d", method_name, uri, decision.code);
      GstRTSPMessage *answer = nullptr;
      gst_rtsp_message_new_response (&answer, static_cast<GstRTSPStatusCode> (decision.code),
          nullptr, message);
      if (decision.add_public)
        gst_rtsp_message_add_header (answer, GST_RTSP_HDR_PUBLIC, meet::client_public_methods ());
      g_mutex_lock (&src->priv->lock);
      if (src->priv->watch)
        gst_rtsp_watch_send_message (src->priv->watch, answer, nullptr);
      g_mutex_unlock (&src->priv->lock);
      gst_rtsp_message_free (answer);
      if (decision.participants)
        set_participants (src, &*decision.participants);
      break;
    }
    default:
      break;
  }
  return GST_RTSP_OK;
}

static gboolean
on_lost_idle (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  forget_source (&src->priv->lost_source);
  server_lost (src, src->priv->lost_reason);
  return G_SOURCE_REMOVE;
}

static void
schedule_lost (MeetRtspSrc * src, const std::string & reason)
{
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->lost_source)
    return;
  priv->lost_reason = reason;
  priv->lost_source = g_idle_source_new ();
  g_source_set_callback (priv->lost_source, on_lost_idle, src, nullptr);
  g_source_attach (priv->lost_source, priv->context);
}

static GstRTSPResult
on_closed (GstRTSPWatch *, gpointer user_data)
{
  schedule_lost (static_cast<MeetRtspSrc *> (user_data), "the server closed the connection");
  return GST_RTSP_OK;
}

static GstRTSPResult
on_error (GstRTSPWatch *, GstRTSPResult result, gpointer user_data)
{
  if (result == GST_RTSP_EPARSE) {
    schedule_lost (static_cast<MeetRtspSrc *> (user_data),
        "the server sent something that is not an RTSP message");
    return GST_RTSP_OK;
  }
  gchar *text = gst_rtsp_strresult (result);
  schedule_lost (static_cast<MeetRtspSrc *> (user_data), std::string ("connection error: ") + text);
  g_free (text);
  return GST_RTSP_OK;
}

static GstRTSPWatchFuncs watch_funcs = {
  on_message_received,          /* message_received */
  nullptr,                      /* message_sent */
  on_closed,                    /* closed */
  on_error,                     /* error */
  nullptr, nullptr, nullptr,    /* tunnel_start, tunnel_complete, error_full */
  nullptr, nullptr,             /* tunnel_lost, tunnel_http_response */
  {nullptr},
};

/* Opens the RTSP connection (blocking, bounded by `timeout`). */
static bool
connect_server (MeetRtspSrc * src, std::string & reason)
{
  MeetRtspSrcPrivate *priv = src->priv;
  GstRTSPUrl *url = nullptr;
  if (gst_rtsp_url_parse (priv->logic.request_uri ().c_str (), &url) != GST_RTSP_OK) {
    reason = "bad URL";
    return false;
  }
  GstRTSPResult res = gst_rtsp_connection_create (url, &priv->conn);
  gst_rtsp_url_free (url);
  if (res == GST_RTSP_OK)
    res = gst_rtsp_connection_connect_usec (priv->conn, (gint64) priv->timeout_ms * 1000);
  if (res != GST_RTSP_OK) {
    gchar *text = gst_rtsp_strresult (res);
    reason = "could not connect to " + priv->logic.host () + ":" +
        std::to_string (priv->logic.port ()) + " (" + text + ")";
    g_free (text);
    if (priv->conn) {
      gst_rtsp_connection_free (priv->conn);
      priv->conn = nullptr;
    }
    return false;
  }
  /* The connect timeout stays on the socket and would make the idle watch fail:
   * silence between requests is normal, our own timers judge liveness. */
  for (GSocket *socket : {gst_rtsp_connection_get_read_socket (priv->conn),
          gst_rtsp_connection_get_write_socket (priv->conn)})
    if (socket)
      g_socket_set_timeout (socket, 0);
  GstRTSPWatch *watch = gst_rtsp_watch_new (priv->conn, &watch_funcs, src, nullptr);
  gst_rtsp_watch_attach (watch, priv->context);
  g_mutex_lock (&priv->lock);
  priv->watch = watch;
  g_mutex_unlock (&priv->lock);
  priv->ever_connected = true;
  GST_INFO_OBJECT (src, "connected to %s", priv->logic.request_uri ().c_str ());
  return true;
}

/* Sends the next request toward the target state, connecting first if needed. */
static void
pump (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->retry_source)
    return;                     /* a reconnect is scheduled: it will pump */
  if (priv->logic.target () != RtspClientLogic::State::Init && priv->conn == nullptr) {
    std::string reason;
    if (!connect_server (src, reason)) {
      server_lost (src, reason);
      return;
    }
  }
  if (priv->conn == nullptr)
    return;
  if (auto request = priv->logic.next_request ())
    send_request (src, *request);
}

static gboolean
on_retry (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  forget_source (&src->priv->retry_source);
  pump (src);
  return G_SOURCE_REMOVE;
}

/* The server went away (or never answered): reconnect with backoff, or give up. */
static void
server_lost (MeetRtspSrc * src, const std::string & reason)
{
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->retry_source)
    return;                     /* already lost, a reconnect is scheduled */
  bool tearing_down = priv->logic.target () == RtspClientLogic::State::Init;
  close_connection (src);
  clear_transports (src);
  RtspClientLogic::State target = priv->logic.target ();
  RtspLowerTransport transport = priv->logic.transport ();
  priv->logic.reset_session ();
  priv->logic.force_transport (transport);
  priv->logic.set_target (target);
  update_rtsp_state (src);
  if (tearing_down) {
    finish_teardown (src);
    return;
  }
  GST_OBJECT_LOCK (src);
  guint retry = priv->retry;
  GST_OBJECT_UNLOCK (src);
  const std::string &uri = priv->logic.request_uri ();
  const char *what = priv->ever_connected ? "Lost the RTSP server" : "Cannot reach the RTSP server";
  if (priv->attempts >= retry) {
    std::string message = std::string (what) + " at " + uri + ": " + reason + ".";
    if (retry > 0)
      message += " Gave up after " + std::to_string (retry) + " reconnect attempts.";
    message += " Check that the server runs and the host and port are right.";
    fatal_error (src, message);
    return;
  }
  priv->attempts++;
  guint delay = RETRY_BASE_DELAY_MS << MIN (priv->attempts - 1, 5u);
  delay = MIN (delay, (guint) RETRY_MAX_DELAY_MS);
  GST_ELEMENT_WARNING (src, RESOURCE, READ,
      ("%s at %s: %s; reconnecting in %u ms (attempt %u of %u).",
          what, uri.c_str (), reason.c_str (), delay, priv->attempts, retry), (nullptr));
  priv->retry_source = add_timeout (src, delay, on_retry);
}

static void
finish_teardown (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  destroy_source (&priv->teardown_timeout_source);
  close_connection (src);
  /* rtpbin and the stream pads stay: the application's links survive a new session. */
  clear_transports (src);
  priv->logic.reset_session ();
  update_rtsp_state (src);
  set_participants (src, nullptr);
  g_mutex_lock (&priv->lock);
  priv->teardown_done = true;
  g_cond_broadcast (&priv->done_cond);
  g_mutex_unlock (&priv->lock);
}

static gboolean
on_teardown_timeout (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  GST_WARNING_OBJECT (src, "no answer to TEARDOWN, closing anyway");
  forget_source (&src->priv->teardown_timeout_source);
  finish_teardown (src);
  return G_SOURCE_REMOVE;
}

struct Command {
  MeetRtspSrc *src;
  RtspClientLogic::State target;
};

static gboolean
run_command (gpointer user_data)
{
  auto *command = static_cast<Command *> (user_data);
  MeetRtspSrc *src = command->src;
  MeetRtspSrcPrivate *priv = src->priv;
  using State = RtspClientLogic::State;
  GST_DEBUG_OBJECT (src, "command: go to %s", RtspClientLogic::state_name (command->target));

  if (command->target == State::Init) {
    destroy_source (&priv->retry_source);
    priv->logic.set_target (State::Init);
    if (priv->conn && priv->logic.state () != State::Init) {
      /* TEARDOWN must not wait behind an unanswered request. */
      if (priv->logic.waiting_for_response ()) {
        finish_teardown (src);
        return G_SOURCE_REMOVE;
      }
      pump (src);
      if (priv->conn && priv->teardown_timeout_source == nullptr)
        priv->teardown_timeout_source = add_timeout (src, TEARDOWN_WAIT_MS, on_teardown_timeout);
      return G_SOURCE_REMOVE;
    }
    finish_teardown (src);
    return G_SOURCE_REMOVE;
  }

  if (command->target == State::Ready && priv->logic.target () != State::Init)
    return G_SOURCE_REMOVE;     /* already set up or on the way */
  if (priv->logic.target () == State::Init) {
    GST_OBJECT_LOCK (src);
    std::string location = priv->location, user = priv->user, password = priv->password;
    guint protocols = priv->protocols;
    GST_OBJECT_UNLOCK (src);
    priv->logic = RtspClientLogic ();
    priv->logic.set_credentials (user, password);
    priv->logic.set_ask_roster (true);
    priv->logic.set_allowed_transports (protocols & MEET_RTSP_SRC_PROTOCOL_UDP,
        protocols & MEET_RTSP_SRC_PROTOCOL_TCP);
    if (!priv->logic.set_location (location)) {
      GST_ELEMENT_ERROR (src, RESOURCE, NOT_FOUND, ("%s", priv->logic.error ().c_str ()),
          (nullptr));
      return G_SOURCE_REMOVE;
    }
    priv->attempts = 0;
    priv->ever_connected = false;
  }
  priv->logic.set_target (command->target);
  pump (src);
  return G_SOURCE_REMOVE;
}

static void
post_command (MeetRtspSrc * src, RtspClientLogic::State target)
{
  auto *command = new Command {src, target};
  GSource *source = g_idle_source_new ();
  g_source_set_callback (source, run_command, command, [](gpointer c) {
        delete static_cast<Command *> (c);
      });
  g_source_attach (source, src->priv->context);
  g_source_unref (source);
}

static gpointer
rtsp_thread (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  g_main_context_push_thread_default (src->priv->context);
  g_main_loop_run (src->priv->loop);
  g_main_context_pop_thread_default (src->priv->context);
  return nullptr;
}

static gboolean
quit_thread (gpointer user_data)
{
  auto *src = static_cast<MeetRtspSrc *> (user_data);
  clear_all (src);
  g_main_loop_quit (src->priv->loop);
  return G_SOURCE_REMOVE;
}

static void
start_thread (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  priv->context = g_main_context_new ();
  priv->loop = g_main_loop_new (priv->context, FALSE);
  priv->thread = g_thread_new ("meetrtspsrc", rtsp_thread, src);
}

static void
stop_thread (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  if (priv->thread == nullptr)
    return;
  g_main_context_invoke (priv->context, quit_thread, src);
  g_thread_join (priv->thread);
  priv->thread = nullptr;
  g_main_loop_unref (priv->loop);
  priv->loop = nullptr;
  g_main_context_unref (priv->context);
  priv->context = nullptr;
}

/* TEARDOWN and wait (bounded) until the RTSP thread has cleaned up. */
static void
teardown_and_wait (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  g_mutex_lock (&priv->lock);
  priv->teardown_done = false;
  g_mutex_unlock (&priv->lock);
  post_command (src, RtspClientLogic::State::Init);
  gint64 deadline = g_get_monotonic_time () +
      ((gint64) priv->timeout_ms + 2 * TEARDOWN_WAIT_MS) * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&priv->lock);
  while (!priv->teardown_done) {
    if (!g_cond_wait_until (&priv->done_cond, &priv->lock, deadline)) {
      GST_WARNING_OBJECT (src, "RTSP thread did not finish the teardown in time");
      break;
    }
  }
  g_mutex_unlock (&priv->lock);
}

/* ------------------------------------------------------------------------ */
/* GObject / GstElement glue.                                                */

static GstStructure *
make_stats (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  GstStructure *stats = gst_structure_new_empty ("meetrtspsrc-stats");
  guint64 total_packets = 0, total_bytes = 0;
  gint64 total_lost = 0;
  g_mutex_lock (&priv->lock);
  GstElement *rtpbin = priv->rtpbin ? GST_ELEMENT (gst_object_ref (priv->rtpbin)) : nullptr;
  std::vector<std::pair<unsigned, std::pair<guint64, guint64>>> counts;
  for (const auto &s : priv->streams)
    counts.push_back ({s->id, {s->packets.load (), s->bytes.load ()}});
  g_mutex_unlock (&priv->lock);

  for (const auto &c : counts) {
    gint lost = 0;
    guint jitter = 0;
    if (rtpbin) {
      GObject *session = nullptr;
      g_signal_emit_by_name (rtpbin, "get-internal-session", c.first, &session);
      if (session) {
        GValueArray *sources = nullptr;
        GstStructure *session_stats = nullptr;
        g_object_get (session, "stats", &session_stats, nullptr);
        const GValue *array = session_stats ?
            gst_structure_get_value (session_stats, "source-stats") : nullptr;
        /* rtpsession still hands out a (deprecated) GValueArray of per-source stats. */
        if (array && G_VALUE_HOLDS_BOXED (array) &&
            g_str_equal (G_VALUE_TYPE_NAME (array), "GValueArray")) {
          G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
          sources = static_cast<GValueArray *> (g_value_get_boxed (array));
          for (guint i = 0; sources && i < sources->n_values; i++) {
            const GstStructure *s = gst_value_get_structure (g_value_array_get_nth (sources, i));
            gboolean internal = TRUE;
            gst_structure_get_boolean (s, "internal", &internal);
            if (internal)
              continue;
            gint l = 0;
            guint j = 0;
            if (gst_structure_get_int (s, "packets-lost", &l))
              lost += MAX (l, 0);
            if (gst_structure_get_uint (s, "jitter", &j))
              jitter = MAX (jitter, j);
          }
          G_GNUC_END_IGNORE_DEPRECATIONS;
        }
        if (session_stats)
          gst_structure_free (session_stats);
        g_object_unref (session);
      }
    }
    gchar *name = g_strdup_printf ("stream-%u", c.first);
    GstStructure *s = gst_structure_new ("stream",
        "packets-received", G_TYPE_UINT64, c.second.first,
        "bytes-received", G_TYPE_UINT64, c.second.second,
        "packets-lost", G_TYPE_INT, lost,
        "jitter", G_TYPE_UINT, jitter, nullptr);
    gst_structure_set (stats, name, GST_TYPE_STRUCTURE, s, nullptr);
    gst_structure_free (s);
    g_free (name);
    total_packets += c.second.first;
    total_bytes += c.second.second;
    total_lost += lost;
  }
  if (rtpbin)
    gst_object_unref (rtpbin);
  gst_structure_set (stats, "streams", G_TYPE_UINT, (guint) counts.size (),
      "packets-received", G_TYPE_UINT64, total_packets,
      "bytes-received", G_TYPE_UINT64, total_bytes,
      "packets-lost", G_TYPE_INT64, total_lost, nullptr);
  return stats;
}

static void
meet_rtsp_src_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (object);
  MeetRtspSrcPrivate *priv = src->priv;
  GST_OBJECT_LOCK (src);
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
    case PROP_LATENCY:
      priv->latency_ms = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT:
      priv->timeout_ms = g_value_get_uint (value);
      break;
    case PROP_RETRY:
      priv->retry = g_value_get_uint (value);
      break;
    case PROP_BUFFER_MODE:
      priv->buffer_mode = static_cast<MeetRtspSrcBufferMode> (g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (src);
}

static void
meet_rtsp_src_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (object);
  MeetRtspSrcPrivate *priv = src->priv;
  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, make_stats (src));
    return;
  }
  if (prop_id == PROP_PARTICIPANTS) {
    g_mutex_lock (&priv->lock);
    GStrvBuilder *builder = g_strv_builder_new ();
    for (const auto &n : priv->roster.names ())
      g_strv_builder_add (builder, n.c_str ());
    g_mutex_unlock (&priv->lock);
    g_value_take_boxed (value, g_strv_builder_end (builder));
    g_strv_builder_unref (builder);
    return;
  }
  GST_OBJECT_LOCK (src);
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
    case PROP_LATENCY:
      g_value_set_uint (value, priv->latency_ms);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, priv->timeout_ms);
      break;
    case PROP_RETRY:
      g_value_set_uint (value, priv->retry);
      break;
    case PROP_BUFFER_MODE:
      g_value_set_enum (value, priv->buffer_mode);
      break;
    case PROP_RTSP_STATE:
      g_value_set_string (value, RtspClientLogic::state_name (
              static_cast<RtspClientLogic::State> (priv->rtsp_state.load ())));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (src);
}

static gboolean
action_go (MeetRtspSrc * src, RtspClientLogic::State target)
{
  if (src->priv->context == nullptr) {
    GST_WARNING_OBJECT (src, "action ignored: set the element to READY or above first");
    return FALSE;
  }
  post_command (src, target);
  return TRUE;
}

static gboolean
meet_rtsp_src_setup (MeetRtspSrc * src)
{
  return action_go (src, RtspClientLogic::State::Ready);
}

static gboolean
meet_rtsp_src_play (MeetRtspSrc * src)
{
  return action_go (src, RtspClientLogic::State::Playing);
}

static gboolean
meet_rtsp_src_pause (MeetRtspSrc * src)
{
  return action_go (src, RtspClientLogic::State::Paused);
}

static gboolean
meet_rtsp_src_teardown (MeetRtspSrc * src)
{
  return action_go (src, RtspClientLogic::State::Init);
}

static GstStateChangeReturn
meet_rtsp_src_change_state (GstElement * element, GstStateChange transition)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (element);
  using State = RtspClientLogic::State;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      start_thread (src);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      GST_OBJECT_LOCK (src);
      std::string location = src->priv->location;
      GST_OBJECT_UNLOCK (src);
      RtspClientLogic check;
      if (location.empty ()) {
        GST_ELEMENT_ERROR (src, RESOURCE, NOT_FOUND,
            ("No location set: set location=rtsp://host[:port]/path."), (nullptr));
        return GST_STATE_CHANGE_FAILURE;
      }
      if (!check.set_location (location)) {
        GST_ELEMENT_ERROR (src, RESOURCE, NOT_FOUND, ("%s", check.error ().c_str ()), (nullptr));
        return GST_STATE_CHANGE_FAILURE;
      }
      post_command (src, State::Ready);
      break;
    }
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      post_command (src, State::Playing);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      post_command (src, State::Paused);
      break;
    default:
      break;
  }

  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      /* Live source: nothing to preroll. */
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      teardown_and_wait (src);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop_thread (src);
      break;
    default:
      break;
  }
  return ret;
}

static void
meet_rtsp_src_finalize (GObject * object)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (object);
  stop_thread (src);
  g_mutex_clear (&src->priv->lock);
  g_mutex_clear (&src->priv->pad_lock);
  g_cond_clear (&src->priv->done_cond);
  delete src->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
meet_rtsp_src_init (MeetRtspSrc * src)
{
  src->priv = new MeetRtspSrcPrivate ();
  g_mutex_init (&src->priv->lock);
  g_mutex_init (&src->priv->pad_lock);
  g_cond_init (&src->priv->done_cond);
  GST_OBJECT_FLAG_SET (src, GST_ELEMENT_FLAG_SOURCE);
  gst_bin_set_suppressed_flags (GST_BIN (src),
      (GstElementFlags) (GST_ELEMENT_FLAG_SOURCE | GST_ELEMENT_FLAG_SINK));
}

static void
meet_rtsp_src_class_init (MeetRtspSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = meet_rtsp_src_set_property;
  gobject_class->get_property = meet_rtsp_src_get_property;
  gobject_class->finalize = meet_rtsp_src_finalize;

  auto rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  auto ro = (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "RTSP URL to play: rtsp://[user:password@]host[:port]/path", "", rw));
  g_object_class_install_property (gobject_class, PROP_USER,
      g_param_spec_string ("user", "User",
          "User name answering the server's Basic or Digest challenge (overrides the URL's)",
          "", rw));
  g_object_class_install_property (gobject_class, PROP_PASSWORD,
      g_param_spec_string ("password", "Password",
          "Password answering the server's Basic or Digest challenge (overrides the URL's)",
          "", rw));
  g_object_class_install_property (gobject_class, PROP_PROTOCOLS,
      g_param_spec_flags ("protocols", "Protocols",
          "How RTP may travel: udp, tcp or udp+tcp (UDP first, TCP when the server refuses "
          "UDP or no UDP packet arrives within timeout)", MEET_TYPE_RTSP_SRC_PROTOCOLS,
          DEFAULT_PROTOCOLS, rw));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Jitter buffer size in milliseconds: more absorbs network jitter, less is more live "
          "(raise it on a jittery network)",
          0, MAX_LATENCY_MS, DEFAULT_LATENCY_MS, rw));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Milliseconds without data (or without an answer) after which the server counts as "
          "gone and a reconnect starts", 100, 600000, DEFAULT_TIMEOUT_MS, rw));
  g_object_class_install_property (gobject_class, PROP_RETRY,
      g_param_spec_uint ("retry", "Retry",
          "Reconnect attempts (with exponential backoff) when the server goes away or cannot "
          "be reached, before posting an error; 0 fails at once", 0, 1000, DEFAULT_RETRY, rw));
  g_object_class_install_property (gobject_class, PROP_BUFFER_MODE,
      g_param_spec_enum ("buffer-mode", "Buffer mode",
          "How the jitter buffer times packets: slave follows the sender's clock (long "
          "meetings between machines), none keeps exact RTP timing (same host, NTP-synced hosts)",
          MEET_TYPE_RTSP_SRC_BUFFER_MODE, DEFAULT_BUFFER_MODE, rw));
  g_object_class_install_property (gobject_class, PROP_RTSP_STATE,
      g_param_spec_string ("rtsp-state", "RTSP state",
          "State of the RTSP session: init, ready (set up), playing or paused", "init", ro));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Reception statistics: totals plus one stream-N structure per stream with "
          "packets-received, bytes-received, packets-lost and jitter (clock-rate units)",
          GST_TYPE_STRUCTURE, ro));
  /**
   * MeetRtspSrc:participants:
   * The participants publishing under the server's path, in join order, as the server's roster
   * says (a meetrtspsink with allow-publish; see the README's "Roster"). Empty before PLAY, after
   * TEARDOWN, and with servers that keep no roster. Changes are notified (and signalled with
   * #MeetRtspSrc::participants-changed) from the element's RTSP thread.
   */
  properties[PROP_PARTICIPANTS] = g_param_spec_boxed ("participants", "Participants",
      "Names publishing under the server's path, in join order (the server's roster: asked "
      "with GET_PARAMETER after PLAY, then pushed by the server on every join and leave); "
      "empty with servers that keep none", G_TYPE_STRV, ro);
  g_object_class_install_property (gobject_class, PROP_PARTICIPANTS,
      properties[PROP_PARTICIPANTS]);

  /**
   * MeetRtspSrc::setup:
   * DESCRIBE and SETUP now (as READY->PAUSED does). Returns FALSE below READY.
   */
  signals[SIGNAL_SETUP] = g_signal_new_class_handler ("setup", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (meet_rtsp_src_setup),
      nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 0);
  /**
   * MeetRtspSrc::play:
   * PLAY the session, setting it up first if needed.
   */
  signals[SIGNAL_PLAY] = g_signal_new_class_handler ("play", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (meet_rtsp_src_play),
      nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 0);
  /**
   * MeetRtspSrc::pause:
   * PAUSE the session: the server stops sending, the session stays.
   */
  signals[SIGNAL_PAUSE] = g_signal_new_class_handler ("pause", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (meet_rtsp_src_pause),
      nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 0);
  /**
   * MeetRtspSrc::teardown:
   * TEARDOWN the session; the stream pads stay and resume after setup/play.
   */
  signals[SIGNAL_TEARDOWN] = g_signal_new_class_handler ("teardown", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (meet_rtsp_src_teardown),
      nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 0);

  /**
   * MeetRtspSrc::participants-changed:
   * @src: the element
   * @participants: (array zero-terminated=1): the names now publishing, in join order
   *
   * The server's roster changed: someone joined or left (the server pushes it within a second),
   * the first answer after PLAY arrived, or the session ended (an empty list). Emitted from the
   * element's RTSP thread: do not change the element's state from the handler, hand the list to
   * the application's main loop instead.
   */
  signals[SIGNAL_PARTICIPANTS_CHANGED] = g_signal_new ("participants-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, nullptr, nullptr, nullptr,
      G_TYPE_NONE, 1, G_TYPE_STRV);

  element_class->change_state = meet_rtsp_src_change_state;
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Meet RTSP client source",
      "Source/Network/RTP",
      "Plays an RTSP stream: DESCRIBE/SETUP/PLAY with Basic or Digest authentication, RTP over "
      "UDP or TCP, jitter buffer with audio/video sync, keep-alive and reconnection",
      "meetstream developers");

  GST_DEBUG_CATEGORY_INIT (meet_rtsp_src_debug, "meetrtspsrc", 0, "meetstream RTSP client source");
  gst_type_mark_as_plugin_api (MEET_TYPE_RTSP_SRC_PROTOCOLS, (GstPluginAPIFlags) 0);
  gst_type_mark_as_plugin_api (MEET_TYPE_RTSP_SRC_BUFFER_MODE, (GstPluginAPIFlags) 0);
}

/* ------------------------------------------------------------------------ */
/* GstURIHandler: rtsp:// as a source (rank none: GStreamer's rtspsrc stays the default). */

static GstURIType
meet_rtsp_src_uri_get_type (GType)
{
  return GST_URI_SRC;
}

static const gchar *const *
meet_rtsp_src_uri_get_protocols (GType)
{
  /* rtsps:// joins once the element speaks TLS. */
  static const gchar *protocols[] = {"rtsp", nullptr};
  return protocols;
}

static gchar *
meet_rtsp_src_uri_get_uri (GstURIHandler * handler)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (handler);
  GST_OBJECT_LOCK (src);
  gchar *uri = src->priv->location.empty () ? nullptr : g_strdup (src->priv->location.c_str ());
  GST_OBJECT_UNLOCK (src);
  return uri;
}

static gboolean
meet_rtsp_src_uri_set_uri (GstURIHandler * handler, const gchar * uri, GError ** error)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (handler);
  if (GST_STATE (src) > GST_STATE_READY) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
        "meetrtspsrc takes a new URI only in the NULL or READY state");
    return FALSE;
  }
  RtspClientLogic check;
  if (uri == nullptr || !check.set_location (uri)) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI, "%s", uri ? check.error ().c_str () :
        "no URI given");
    return FALSE;
  }
  g_object_set (src, "location", uri, nullptr);
  return TRUE;
}

static void
meet_rtsp_src_uri_handler_init (gpointer g_iface, gpointer)
{
  auto *iface = static_cast<GstURIHandlerInterface *> (g_iface);
  iface->get_type = meet_rtsp_src_uri_get_type;
  iface->get_protocols = meet_rtsp_src_uri_get_protocols;
  iface->get_uri = meet_rtsp_src_uri_get_uri;
  iface->set_uri = meet_rtsp_src_uri_set_uri;
}
