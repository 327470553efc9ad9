/* meetstream: meetrtspsink, an RTSP server inside one sink element.
 *
 * SECTION:element-meetrtspsink
 * @title: meetrtspsink
 *
 * meetrtspsink serves the RTP streams linked to its request pads to any number of RTSP 1.0
 * (RFC 2326) clients, over UDP unicast or interleaved in the RTSP TCP connection. Each sink
 * pad is one stream of the presentation (`a=control:stream=N` in the SDP, N counting the pads
 * in request order), so a payloader per stream is all it needs.
 *
 * Inside: one rtpbin send session per stream (it sends RTCP sender reports so clients can
 * sync audio with video), a fan-out sink for RTP (UDP segmentation offload: a frame's packets
 * reach each client in one message per 64 packets) and a multiudpsink for RTCP sharing a
 * socket pair per stream (the server_port of SETUP replies), and a udpsrc receiving the
 * clients' receiver reports, which keep their sessions alive. This file is only the GObject
 * shell; the server core is in rtsp/server: meet::RtspServer (start/stop) over RtspServerIO
 * (sockets, connections, server thread), RtspServerLogic (requests, state machine) with its
 * RtspSessionPool, RtspAuth and transport choice (rtsptransport), RtspMedia (what is served)
 * with one RtspStream per pad, ParticipantRelay (publishers) and MulticastPool.
 *
 * Multicast (multicast-address-pool set): a client asking for `RTP/AVP;multicast` is given the
 * stream's group from the pool (`destination=GROUP;port=P-P+1;ttl=N`), one group per stream
 * shared by every multicast reader, so each packet is sent once whatever their number; RTCP
 * sender reports go to the group, and the readers' receiver reports there keep them alive.
 * Over rtsps://, `RTP/SAVP;multicast` gets the stream's SRTP group, another group of the pool.
 *
 * Safety: RTP only goes to the address of the client's own RTSP connection (a Transport
 * `destination=` naming another host is refused with 403 Forbidden); session IDs are 128
 * random bits from getrandom(2) and only work on the connection that created them; request
 * heads are capped at 16 KiB and bodies at 4 KiB (413/414, then the connection closes);
 * connections are capped at 2 x max-clients + 4 and, always, those without a session at
 * max-clients / 4 + 2 per address (a slowloris from one host only displaces itself); at the cap
 * the oldest connection without a session makes room (meet::admit_connection), and connections
 * with a session (playing, publishing) are never closed for it; connections with a half-sent
 * request or no session are closed after the session timeout; a TCP client that reads too
 * slowly loses packets instead of stalling the others.
 *
 * Publishing (allow-publish=true): clients ANNOUNCE + SETUP (mode=record) + RECORD their own
 * streams as participant NAME at rtsp://HOST:PORT/meet/NAME; readers of that URL get its packets
 * forwarded as they arrive (meet::ParticipantRelay), and GET_PARAMETER "participants" on the path
 * answers the roster, followed by a SET_PARAMETER on every join and leave.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 meetrtspsink name=s port=8554 \
 *   videotestsrc is-live=true ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay ! s.sink_0 \
 *   audiotestsrc is-live=true ! audioconvert ! audio/x-raw,format=S16BE ! rtpL16pay ! s.sink_1
 * ]| serves rtsp://HOST:8554/meet with a JPEG video and an L16 audio stream.
 * |[
 * gst-launch-1.0 meetrtspsink name=s port=0 user=alice password=secret \
 *   videotestsrc is-live=true ! video/x-raw,format=I420 ! jpegenc ! meetjpegpay ! s.sink_0 \
 *   audiotestsrc is-live=true ! audioconvert ! audio/x-raw,format=S16BE ! meetpcmpay ! s.sink_1
 * ]| the same with meetstream's own payloaders, on a free port, Digest authentication required.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetrtspsink.h"
#include "rtspmedia.h"
#include "rtspserver.h"
#include "rtspstream.h"

#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <string>

GST_DEBUG_CATEGORY (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

#define DEFAULT_ADDRESS "0.0.0.0"
#define DEFAULT_PORT 8554
#define DEFAULT_PATH "/meet"
#define DEFAULT_MAX_CLIENTS 32
#define DEFAULT_SESSION_TIMEOUT 60
#define DEFAULT_MAX_PUBLISHERS 8
#define DEFAULT_MAX_PUBLISHER_STREAMS 4
#define DEFAULT_MULTICAST_POOL ""
#define DEFAULT_MULTICAST_PORTS "5000-5999"
#define DEFAULT_MULTICAST_TTL 1

#define GST_TYPE_MEET_RTSP_ENCRYPTION (gst_meet_rtsp_encryption_get_type ())
static GType
gst_meet_rtsp_encryption_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {static_cast<gint> (meet::RtspEncryption::kNone), "Plain RTSP only", "none"},
    {static_cast<gint> (meet::RtspEncryption::kOptional),
     "rtsp:// and rtsps:// (TLS) on the same port", "optional"},
    {static_cast<gint> (meet::RtspEncryption::kRequired),
     "rtsps:// only: plain RTSP clients are refused with 403", "required"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstMeetRtspEncryption", values));
  return type;
}

/* The suites of srtpkeys.h, by their short names. */
#define GST_TYPE_MEET_SRTP_SUITE (gst_meet_srtp_suite_get_type ())
static GType
gst_meet_srtp_suite_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {static_cast<gint> (meet::SrtpSuite::AES_128_CM_HMAC_SHA1_80),
     "AES_CM_128_HMAC_SHA1_80 (RFC 3711's default: every SRTP peer)", "aes-128-icm"},
    {static_cast<gint> (meet::SrtpSuite::AES_256_CM_HMAC_SHA1_80),
     "AES_256_CM_HMAC_SHA1_80 (RFC 6188)", "aes-256-icm"},
    {static_cast<gint> (meet::SrtpSuite::AEAD_AES_128_GCM),
     "AEAD_AES_128_GCM (RFC 7714)", "aes-128-gcm"},
    {static_cast<gint> (meet::SrtpSuite::AEAD_AES_256_GCM),
     "AEAD_AES_256_GCM (RFC 7714)", "aes-256-gcm"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstMeetSrtpSuite", values));
  return type;
}

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_BOUND_PORT,
  PROP_PATH,
  PROP_MAX_CLIENTS,
  PROP_SESSION_TIMEOUT,
  PROP_USER,
  PROP_PASSWORD,
  PROP_AUTH_BASIC,
  PROP_CLIENTS,
  PROP_BYTES_SENT,
  PROP_BYTES_RECEIVED,
  PROP_ALLOW_PUBLISH,
  PROP_MAX_PUBLISHERS,
  PROP_MAX_PUBLISHER_STREAMS,
  PROP_PUBLISHERS,
  PROP_DROPPED_PACKETS,
  PROP_MULTICAST_POOL,
  PROP_MULTICAST_PORTS,
  PROP_MULTICAST_TTL,
  PROP_TLS_CERT_FILE,
  PROP_TLS_KEY_FILE,
  PROP_TLS_CERTIFICATE,
  PROP_ENCRYPTION,
  PROP_SRTP_SUITE,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK,
    GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp"));

namespace {

struct Private {
  Private () : server (media) {}

  /* Properties, under the object lock. */
  meet::RtspServer::Settings settings;

  GstElement *rtpbin = nullptr;
  /* The streams of the pads, and the server that serves them (READY and above). */
  meet::RtspMedia media;
  meet::RtspServer server;
};

}  // namespace

struct _GstMeetRtspSink
{
  GstBin parent;
  Private *priv;
};

#define gst_meet_rtsp_sink_parent_class parent_class
G_DEFINE_TYPE (GstMeetRtspSink, gst_meet_rtsp_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (meetrtspsink, "meetrtspsink", GST_RANK_NONE,
    GST_TYPE_MEET_RTSP_SINK);

static void
post_resource_error (GstMeetRtspSink * self, GstResourceError code, const std::string & text)
{
  gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code,
      g_strdup (text.c_str ()), nullptr, __FILE__, GST_FUNCTION, __LINE__);
}

/* ---------------------------------------------------------------- pads */

static GstPad *
gst_meet_rtsp_sink_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps *)
{
  auto *self = GST_MEET_RTSP_SINK (element);
  Private *priv = self->priv;

  guint wanted = 0;
  if (name && sscanf (name, "sink_%u", &wanted) != 1) {
    GST_WARNING_OBJECT (self, "pad name %s does not match sink_%%u", name);
    return nullptr;
  }
  int index = priv->media.claim_index (name ? static_cast<int> (wanted) : -1);
  if (index < 0) {
    GST_WARNING_OBJECT (self, "pad sink_%u already exists", wanted);
    return nullptr;
  }

  auto stream = std::make_unique<meet::RtspStream> (index, priv->media.bytes_sent);
  GST_OBJECT_LOCK (self);
  meet::SrtpSuite suite = priv->settings.srtp_suite;
  GST_OBJECT_UNLOCK (self);
  stream->set_srtp_suite (suite);
  /* A stream added while serving needs its ports now; fail before building anything. */
  if (GST_STATE (self) >= GST_STATE_READY) {
    std::string address, why;
    GST_OBJECT_LOCK (self);
    address = priv->settings.address;
    GST_OBJECT_UNLOCK (self);
    if (!stream->bind (address, why)) {
      post_resource_error (self, GST_RESOURCE_ERROR_OPEN_READ_WRITE,
          "Cannot open the RTP/RTCP ports of stream " + std::to_string (index) + " on "
          + address + ": " + why + ". Set the address property to an address of this machine "
          "(or 0.0.0.0).");
      return nullptr;
    }
  }
  GstPad *ghost = stream->build (GST_BIN (self), priv->rtpbin, templ);
  meet::RtspStream *s = stream.get ();
  priv->media.add_stream (std::move (stream));

  gst_element_add_pad (element, ghost);
  s->sync_with_parent ();
  if (GST_STATE (self) >= GST_STATE_PAUSED)
    s->set_receiver_state (GST_STATE_PLAYING);
  return ghost;
}

static void
gst_meet_rtsp_sink_release_pad (GstElement * element, GstPad * pad)
{
  auto *self = GST_MEET_RTSP_SINK (element);
  Private *priv = self->priv;

  meet::RtspStream *s = priv->media.find_stream (pad);
  if (!s)
    return;
  /* Stream numbers in the SDP change: every client has to start over. */
  priv->server.teardown_all ();
  std::unique_ptr<meet::RtspStream> stream = priv->media.remove_stream (s);

  GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
  gst_element_remove_pad (element, pad);
  stream->unbuild (GST_BIN (self), priv->rtpbin, target);
  if (target)
    gst_object_unref (target);
}

/* ---------------------------------------------------------------- states */

static bool
gst_meet_rtsp_sink_start (GstMeetRtspSink * self)
{
  Private *priv = self->priv;
  GST_OBJECT_LOCK (self);
  meet::RtspServer::Settings settings = priv->settings;
  if (settings.tls.certificate)
    g_object_ref (settings.tls.certificate);
  GST_OBJECT_UNLOCK (self);
  meet::RtspServer::Error error;
  bool started = priv->server.start (settings, error);
  g_clear_object (&settings.tls.certificate);
  if (!started) {
    post_resource_error (self, error.code, error.message);
    return false;
  }
  GST_INFO_OBJECT (self, "serving rtsp://%s:%u%s", settings.address.c_str (),
      priv->server.bound_port (), settings.logic.path.c_str ());
  return true;
}

static void
set_receivers_state (GstMeetRtspSink * self, GstState state)
{
  for (meet::RtspStream *s : self->priv->media.streams_snapshot ())
    s->set_receiver_state (state);
}

static GstStateChangeReturn
gst_meet_rtsp_sink_change_state (GstElement * element, GstStateChange transition)
{
  auto *self = GST_MEET_RTSP_SINK (element);

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!gst_meet_rtsp_sink_start (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      set_receivers_state (self, GST_STATE_NULL);
      break;
    default:
      break;
  }

  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element,
      transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_NULL_TO_READY)
      self->priv->server.stop ();
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      set_receivers_state (self, GST_STATE_PLAYING);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      self->priv->server.stop ();
      break;
    default:
      break;
  }
  return ret;
}

/* ---------------------------------------------------------------- GObject */

static void
gst_meet_rtsp_sink_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  auto *self = GST_MEET_RTSP_SINK (object);
  Private *priv = self->priv;
  bool rekey = false;
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ADDRESS:
      priv->settings.address = g_value_get_string (value) ? g_value_get_string (value) : DEFAULT_ADDRESS;
      break;
    case PROP_PORT:
      priv->settings.port = g_value_get_uint (value);
      break;
    case PROP_PATH:
      priv->settings.logic.path = g_value_get_string (value) ? g_value_get_string (value) : DEFAULT_PATH;
      break;
    case PROP_MAX_CLIENTS:
      priv->settings.logic.max_sessions = g_value_get_uint (value);
      break;
    case PROP_SESSION_TIMEOUT:
      priv->settings.logic.session_timeout_s = g_value_get_uint (value);
      break;
    case PROP_USER:
      priv->settings.logic.user = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_PASSWORD:
      priv->settings.logic.password = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_AUTH_BASIC:
      priv->settings.logic.auth_basic = g_value_get_boolean (value);
      break;
    case PROP_ALLOW_PUBLISH:
      priv->settings.logic.allow_publish = g_value_get_boolean (value);
      break;
    case PROP_MAX_PUBLISHERS:
      priv->settings.logic.max_publishers = g_value_get_uint (value);
      break;
    case PROP_MAX_PUBLISHER_STREAMS:
      priv->settings.logic.max_streams_per_publisher = g_value_get_uint (value);
      break;
    case PROP_MULTICAST_POOL:
      priv->settings.multicast_pool = g_value_get_string (value) ? g_value_get_string (value)
          : "";
      break;
    case PROP_MULTICAST_PORTS:
      priv->settings.multicast_ports = g_value_get_string (value) ? g_value_get_string (value)
          : DEFAULT_MULTICAST_PORTS;
      break;
    case PROP_MULTICAST_TTL:
      priv->settings.multicast_ttl = g_value_get_uint (value);
      break;
    case PROP_TLS_CERT_FILE:
      priv->settings.tls.cert_file = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_TLS_KEY_FILE:
      priv->settings.tls.key_file = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_TLS_CERTIFICATE: {
      GTlsCertificate *old = priv->settings.tls.certificate;
      priv->settings.tls.certificate = static_cast<GTlsCertificate *> (g_value_dup_object (value));
      if (old)
        g_object_unref (old);
      break;
    }
    case PROP_ENCRYPTION:
      priv->settings.tls.encryption = static_cast<meet::RtspEncryption> (g_value_get_enum (value));
      break;
    case PROP_SRTP_SUITE:
      if (GST_STATE (self) > GST_STATE_READY) {
        GST_WARNING_OBJECT (self, "srtp-suite is kept while playing: the clients have its keys");
        break;
      }
      priv->settings.srtp_suite = static_cast<meet::SrtpSuite> (g_value_get_enum (value));
      rekey = true;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  meet::SrtpSuite suite = priv->settings.srtp_suite;
  GST_OBJECT_UNLOCK (self);
  /* Streams requested before get a key of the suite too (mutable in READY: nothing plays). */
  if (rekey) {
    for (meet::RtspStream *stream : priv->media.streams_snapshot ())
      stream->set_srtp_suite (suite);
  }
}

static void
gst_meet_rtsp_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  auto *self = GST_MEET_RTSP_SINK (object);
  Private *priv = self->priv;
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ADDRESS:
      g_value_set_string (value, priv->settings.address.c_str ());
      break;
    case PROP_PORT:
      g_value_set_uint (value, priv->settings.port);
      break;
    case PROP_BOUND_PORT:
      g_value_set_uint (value, priv->server.bound_port ());
      break;
    case PROP_PATH:
      g_value_set_string (value, priv->settings.logic.path.c_str ());
      break;
    case PROP_MAX_CLIENTS:
      g_value_set_uint (value, priv->settings.logic.max_sessions);
      break;
    case PROP_SESSION_TIMEOUT:
      g_value_set_uint (value, priv->settings.logic.session_timeout_s);
      break;
    case PROP_USER:
      g_value_set_string (value, priv->settings.logic.user.c_str ());
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, priv->settings.logic.password.c_str ());
      break;
    case PROP_AUTH_BASIC:
      g_value_set_boolean (value, priv->settings.logic.auth_basic);
      break;
    case PROP_CLIENTS:
      g_value_set_uint (value, priv->server.clients ());
      break;
    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, priv->media.bytes_sent);
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, priv->media.bytes_received);
      break;
    case PROP_ALLOW_PUBLISH:
      g_value_set_boolean (value, priv->settings.logic.allow_publish);
      break;
    case PROP_MAX_PUBLISHERS:
      g_value_set_uint (value, priv->settings.logic.max_publishers);
      break;
    case PROP_MAX_PUBLISHER_STREAMS:
      g_value_set_uint (value, priv->settings.logic.max_streams_per_publisher);
      break;
    case PROP_PUBLISHERS:
      g_value_set_uint (value, priv->media.publishers);
      break;
    case PROP_DROPPED_PACKETS:
      g_value_set_uint64 (value, priv->media.dropped_packets);
      break;
    case PROP_MULTICAST_POOL:
      g_value_set_string (value, priv->settings.multicast_pool.c_str ());
      break;
    case PROP_MULTICAST_PORTS:
      g_value_set_string (value, priv->settings.multicast_ports.c_str ());
      break;
    case PROP_MULTICAST_TTL:
      g_value_set_uint (value, priv->settings.multicast_ttl);
      break;
    case PROP_TLS_CERT_FILE:
      g_value_set_string (value, priv->settings.tls.cert_file.c_str ());
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, priv->settings.tls.key_file.c_str ());
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, priv->settings.tls.certificate);
      break;
    case PROP_SRTP_SUITE:
      g_value_set_enum (value, static_cast<gint> (priv->settings.srtp_suite));
      break;
    case PROP_ENCRYPTION:
      g_value_set_enum (value, static_cast<gint> (priv->settings.tls.encryption));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_meet_rtsp_sink_finalize (GObject * object)
{
  auto *self = GST_MEET_RTSP_SINK (object);
  self->priv->server.stop ();
  gst_object_unref (self->priv->rtpbin);
  g_clear_object (&self->priv->settings.tls.certificate);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_meet_rtsp_sink_init (GstMeetRtspSink * self)
{
  self->priv = new Private ();
  self->priv->rtpbin = GST_ELEMENT (gst_object_ref_sink (gst_element_factory_make ("rtpbin",
              "rtpbin")));
  gst_bin_add (GST_BIN (self), self->priv->rtpbin);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_meet_rtsp_sink_class_init (GstMeetRtspSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_meet_rtsp_sink_set_property;
  gobject_class->get_property = gst_meet_rtsp_sink_get_property;
  gobject_class->finalize = gst_meet_rtsp_sink_finalize;

  const auto rw = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  const auto ro = static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_property (gobject_class, PROP_ADDRESS,
      g_param_spec_string ("address", "Address",
          "IP address to listen on for RTSP and to send RTP from; 0.0.0.0 means every IPv4 "
          "interface", DEFAULT_ADDRESS, rw));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port",
          "TCP port for RTSP connections; 0 lets the system pick a free one (see bound-port)",
          0, 65535, DEFAULT_PORT, rw));
  g_object_class_install_property (gobject_class, PROP_BOUND_PORT,
      g_param_spec_uint ("bound-port", "Bound port",
          "TCP port actually listened on, valid from the READY state on (0 before)",
          0, 65535, 0, ro));
  g_object_class_install_property (gobject_class, PROP_PATH,
      g_param_spec_string ("path", "Path",
          "Path of the presentation in the RTSP URL: rtsp://host:port<path>", DEFAULT_PATH, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_CLIENTS,
      g_param_spec_uint ("max-clients", "Maximum clients",
          "Most RTSP sessions served at once; SETUP beyond it is answered 503 Service "
          "Unavailable", 1, 10000, DEFAULT_MAX_CLIENTS, rw));
  g_object_class_install_property (gobject_class, PROP_SESSION_TIMEOUT,
      g_param_spec_uint ("session-timeout", "Session timeout",
          "Seconds without any request or RTCP receiver report after which a client's "
          "session is dropped (also how long idle connections are kept)",
          1, 3600, DEFAULT_SESSION_TIMEOUT, rw));
  g_object_class_install_property (gobject_class, PROP_USER,
      g_param_spec_string ("user", "User",
          "User name clients must authenticate as (HTTP Digest, RFC 2617); empty for no "
          "authentication", "", rw));
  g_object_class_install_property (gobject_class, PROP_PASSWORD,
      g_param_spec_string ("password", "Password", "Password of the user", "", rw));
  g_object_class_install_property (gobject_class, PROP_AUTH_BASIC,
      g_param_spec_boolean ("auth-basic", "Allow Basic authentication",
          "Also accept HTTP Basic authentication, which sends the password in clear text; "
          "only for trusted networks", FALSE, rw));
  g_object_class_install_property (gobject_class, PROP_CLIENTS,
      g_param_spec_uint ("clients", "Clients", "Number of sessions currently playing",
          0, G_MAXUINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_BYTES_SENT,
      g_param_spec_uint64 ("bytes-sent", "Bytes sent",
          "RTP and RTCP bytes sent to all clients since the element was created",
          0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (gobject_class, PROP_BYTES_RECEIVED,
      g_param_spec_uint64 ("bytes-received", "Bytes received",
          "RTP and RTCP bytes taken from publishers (allow-publish) since the element was created; "
          "packets dropped as not from their publisher do not count",
          0, G_MAXUINT64, 0, ro));

  g_object_class_install_property (gobject_class, PROP_ALLOW_PUBLISH,
      g_param_spec_boolean ("allow-publish", "Allow publishing",
          "Let clients publish their own streams as participants: ANNOUNCE + SETUP "
          "(mode=record) + RECORD at rtsp://host:port<path>/NAME (NAME of letters, digits, "
          "'-', '_', '.'); whoever PLAYs <path>/NAME then gets them, forwarded as they are "
          "(SRTP from a publisher over rtsps://, RTP/SAVP under its own MIKEY key, decrypted "
          "first). "
          "user/password apply to publishing as to reading. Off: a read-only server "
          "(ANNOUNCE and RECORD get 405)", FALSE, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_PUBLISHERS,
      g_param_spec_uint ("max-publishers", "Maximum publishers",
          "Most participants publishing at once (with allow-publish); ANNOUNCE beyond it "
          "is answered 453 Not Enough Bandwidth", 1, 1000, DEFAULT_MAX_PUBLISHERS, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_PUBLISHER_STREAMS,
      g_param_spec_uint ("max-publisher-streams", "Maximum streams per publisher",
          "Most streams (m= lines) one participant may announce; more get 453",
          1, 16, DEFAULT_MAX_PUBLISHER_STREAMS, rw));
  g_object_class_install_property (gobject_class, PROP_PUBLISHERS,
      g_param_spec_uint ("publishers", "Publishers",
          "Participants announced or publishing now", 0, G_MAXUINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_DROPPED_PACKETS,
      g_param_spec_uint64 ("dropped-packets", "Dropped packets",
          "Packets that reached a participant's ports from anyone but its publisher (its "
          "RTSP connection's address and the ports its SETUP named), or were not RTP/RTCP, or "
          "(a publisher's RTP/SAVP) failed SRTP authentication or were replays: dropped, never "
          "forwarded", 0, G_MAXUINT64, 0, ro));

  g_object_class_install_property (gobject_class, PROP_MULTICAST_POOL,
      g_param_spec_string ("multicast-address-pool", "Multicast address pool",
          "IPv4 multicast groups the server hands out to clients asking for RTP/AVP;multicast "
          "(RTP/SAVP;multicast over rtsps://: a group of its own, SRTP only), "
          "as ADDRESS/PREFIX (e.g. 239.255.42.0/24, administratively scoped): one group per "
          "stream, shared by every multicast reader, so each packet is sent once whatever their "
          "number. Clients never choose a group (destination= is refused). Empty: no multicast",
          DEFAULT_MULTICAST_POOL, rw));
  g_object_class_install_property (gobject_class, PROP_MULTICAST_PORTS,
      g_param_spec_string ("multicast-port-range", "Multicast port range",
          "UDP ports of the multicast groups, FIRST-LAST with an even FIRST: RTP on an even "
          "port, RTCP on the next", DEFAULT_MULTICAST_PORTS, rw));
  g_object_class_install_property (gobject_class, PROP_MULTICAST_TTL,
      g_param_spec_uint ("multicast-ttl", "Multicast TTL",
          "Hops multicast packets may travel; 1 keeps them on the local network",
          1, 255, DEFAULT_MULTICAST_TTL, rw));
  g_object_class_install_property (gobject_class, PROP_TLS_CERT_FILE,
      g_param_spec_string ("tls-cert-file", "TLS certificate file",
          "PEM file of the certificate rtsps:// clients are shown (with encryption optional "
          "or required); it may hold the private key too", "", rw));
  g_object_class_install_property (gobject_class, PROP_TLS_KEY_FILE,
      g_param_spec_string ("tls-key-file", "TLS key file",
          "PEM file of the certificate's private key (empty: in tls-cert-file)", "", rw));
  g_object_class_install_property (gobject_class, PROP_TLS_CERTIFICATE,
      g_param_spec_object ("tls-certificate", "TLS certificate",
          "The certificate (with its private key) instead of tls-cert-file/tls-key-file",
          G_TYPE_TLS_CERTIFICATE, rw));
  g_object_class_install_property (gobject_class, PROP_ENCRYPTION,
      g_param_spec_enum ("encryption", "Encryption",
          "none: plain RTSP; optional: rtsp:// and rtsps:// on the same port (the first byte "
          "a client sends tells them apart); required: rtsps:// only, plain clients answered "
          "403. Media of rtsps:// clients stays inside TLS (interleaved TCP) or goes as SRTP "
          "(RTP/SAVP over UDP or multicast, keys in the SDP), participants' as the element's own",
          GST_TYPE_MEET_RTSP_ENCRYPTION, static_cast<gint> (meet::RtspEncryption::kNone), rw));
  g_object_class_install_property (gobject_class, PROP_SRTP_SUITE,
      g_param_spec_enum ("srtp-suite", "SRTP suite",
          "What the element's own streams go out as RTP/SAVP (SRTP over UDP, for rtsps:// "
          "clients) with, one key per stream handed out by MIKEY in the SDP (relayed "
          "participants stay aes-128-icm). aes-128-icm is what every SRTP peer speaks; "
          "aes-128-gcm needs a peer with RFC 7714 (GStreamer's rtspsrc has it). Both are "
          "encrypted by meetstream's own sender on nettle, once per stream",
          GST_TYPE_MEET_SRTP_SUITE, static_cast<gint> (meet::SrtpSuite::AES_128_CM_HMAC_SHA1_80),
          static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
              GST_PARAM_MUTABLE_READY)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class, "RTSP server sink",
      "Sink/Network/RTP",
      "Serves the RTP streams linked to it to RTSP clients over UDP or TCP",
      "meetstream developers");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_meet_rtsp_sink_change_state);
  element_class->request_new_pad = GST_DEBUG_FUNCPTR (gst_meet_rtsp_sink_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_meet_rtsp_sink_release_pad);

  GST_DEBUG_CATEGORY_INIT (meet_rtsp_sink_debug, "meetrtspsink", 0,
      "meetstream RTSP server sink");
}
