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
 * RTP arrives over UDP (ports bound by the element), over UDP multicast (protocols
 * udp-mcast: the group, ports and TTL the server chooses, joined on the interface of the
 * RTSP connection) or interleaved on the RTSP TCP connection; by default UDP is tried and TCP
 * is used when the server refuses UDP (461) or no UDP packet arrives. With
 * protocols=udp-mcast+udp+tcp a multicast that never arrives (a switch or firewall dropping it)
 * falls back to unicast UDP, then TCP, with a warning saying why. When the server goes away the
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
 * The element is a GstURIHandler for `rtsp://` and `rtsps://` (rank none: GStreamer's rtspsrc
 * stays the default for playbin; applications pick meetrtspsrc by name and set its `uri`).
 * Over `rtsps://` the server's certificate is checked against the system store, `tls-ca-file`
 * or a pinned `tls-fingerprint`, a refused one is an error naming what failed, and RTP goes
 * interleaved inside TLS (never UDP in clear, never a retry over plain RTSP). With `protocols`
 * set to include udp, an `rtsps://` stream comes as SRTP over UDP (SETUP RTP/SAVP, keys from the
 * server's MIKEY in the SDP, an srtpdec per stream): streams offered without a usable key are
 * received inside TLS when tcp is allowed too, refused otherwise, never taken as RTP/AVP over
 * UDP. What srtpdec drops (a packet altered on the way, replayed, or under another key) is
 * counted in `srtp-dropped` and `stats`; playback goes on.
 *
 * Inside (plugins/meet/rtsp/client): RtspClientLogic (the RTSP exchange), RtspClientSession (the
 * request loop: keep-alive, reconnect, transport fallback, teardown) on the element's RTSP thread
 * (RtspClientThread) over an RtspControlConnection, ReceiveStreams (rtpbin, the sources per
 * stream, the pads), ReconnectPolicy, TransportFallback, receptionstats and roster; this file is
 * the GObject glue and the session's Delegate.
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

#include "receivestreams.h"
#include "roster.h"
#include "rtspclientlogic.h"
#include "rtspclientsession.h"
#include "rtspclientthread.h"
#include "rtsptlsclient.h"

GST_DEBUG_CATEGORY_STATIC (meet_rtsp_src_debug);
#define GST_CAT_DEFAULT meet_rtsp_src_debug

using meet::RtspClientLogic;

#define DEFAULT_PROTOCOLS (MEET_RTSP_SRC_PROTOCOL_UDP | MEET_RTSP_SRC_PROTOCOL_TCP)
#define DEFAULT_LATENCY_MS 10
#define MAX_LATENCY_MS 200
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_RETRY 3
#define DEFAULT_BUFFER_MODE MEET_RTSP_SRC_BUFFER_MODE_SLAVE
/* How long PAUSED->READY waits for the TEARDOWN answer (the RTSP thread's own wait, twice). */
#define TEARDOWN_WAIT_MS 1000

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
  PROP_TLS_CA_FILE,
  PROP_TLS_FINGERPRINT,
  PROP_SRTP_DROPPED,
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


/* The RTSP thread (rtspclientthread.h): every RTSP exchange and data-path change runs there,
 * through the session's Delegate below. */
struct SrcDelegate;

struct MeetRtspSrcPrivate {
  /* Properties, under the object lock. */
  std::string location, user, password;
  std::string tls_ca_file, tls_fingerprint;
  guint protocols = DEFAULT_PROTOCOLS;
  /* protocols was set: over rtsps:// udp then means SRTP (the default there is tcp, in TLS). */
  bool protocols_set = false;
  guint latency_ms = DEFAULT_LATENCY_MS;
  guint timeout_ms = DEFAULT_TIMEOUT_MS;
  guint retry = DEFAULT_RETRY;
  MeetRtspSrcBufferMode buffer_mode = DEFAULT_BUFFER_MODE;

  std::unique_ptr<meet::ReceiveStreams> streams;
  std::unique_ptr<SrcDelegate> delegate;
  /* After streams and delegate, which it uses: goes first. */
  std::unique_ptr<meet::RtspClientThread> rtsp;

  /* Shared with the application's threads, under `lock`. */
  GMutex lock;
  meet::Roster roster;
  std::atomic<int> rtsp_state {0};
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
    {MEET_RTSP_SRC_PROTOCOL_UDP_MCAST, "RTP over UDP multicast, to a group the server chooses",
        "udp-mcast"},
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
          "compensates drift; on a starved CPU late packets retime a stream and lip sync wobbles "
          "until the sender's next report (a second from meetstream's senders)", "slave"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("MeetRtspSrcBufferMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------------ */
/* The session's view of the element (RTSP thread).                          */

struct SrcDelegate : meet::RtspClientSession::Delegate {
  explicit SrcDelegate (MeetRtspSrc *src) : src (src) {}
  MeetRtspSrc *src;

  bool described (RtspClientLogic &logic, GSocketFamily family, std::string &error) override
  {
    return src->priv->streams->described (logic, family, error);
  }
  bool setup_done (const RtspClientLogic &logic, const std::string &server_ip,
      const std::string &local_ip) override
  {
    GST_OBJECT_LOCK (src);
    unsigned latency = src->priv->latency_ms;
    bool slave = src->priv->buffer_mode != MEET_RTSP_SRC_BUFFER_MODE_NONE;
    GST_OBJECT_UNLOCK (src);
    src->priv->streams->set_jitter_buffer (latency, slave);
    return src->priv->streams->build (logic, server_ip, local_ip);
  }
  bool transport_fallback (RtspClientLogic &logic, GSocketFamily family, std::string &error) override
  {
    return src->priv->streams->prepare_ports (logic, family, error);
  }
  void clear_transports () override { src->priv->streams->clear_transports (); }
  void interleaved (GstRTSPMessage *data) override { src->priv->streams->push_interleaved (data); }
  void participants (const std::vector<std::string> *names) override;
  void rtsp_state (RtspClientLogic::State state) override
  {
    if (src->priv->rtsp_state.exchange (static_cast<int> (state)) != static_cast<int> (state))
      g_object_notify (G_OBJECT (src), "rtsp-state");
  }
  void warning (const std::string &message) override
  {
    GST_ELEMENT_WARNING (src, RESOURCE, READ, ("%s", message.c_str ()), (nullptr));
  }
  void error (const std::string &message, ErrorKind kind) override
  {
    if (kind == ErrorKind::NotFound)
      GST_ELEMENT_ERROR (src, RESOURCE, NOT_FOUND, ("%s", message.c_str ()), (nullptr));
    else
      GST_ELEMENT_ERROR (src, RESOURCE, READ, ("%s", message.c_str ()), (nullptr));
  }
  void torn_down () override { src->priv->rtsp->teardown_done (); }
  int64_t last_data_us () override { return src->priv->streams->last_data_us (); }
};

/* A new roster (or none, @names nullptr): property and signal, from the RTSP thread. */
void
SrcDelegate::participants (const std::vector<std::string> *names)
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

/* ------------------------------------------------------------------------ */
/* The commands the application's threads post to the RTSP thread.          */

/* The session's settings from the properties, as they are now. */
static meet::RtspClientSession::Config
session_config (MeetRtspSrc * src)
{
  MeetRtspSrcPrivate *priv = src->priv;
  meet::RtspClientSession::Config config;
  GST_OBJECT_LOCK (src);
  config.location = priv->location;
  config.user = priv->user;
  config.password = priv->password;
  config.udp = priv->protocols & MEET_RTSP_SRC_PROTOCOL_UDP;
  config.tcp = priv->protocols & MEET_RTSP_SRC_PROTOCOL_TCP;
  config.multicast = priv->protocols & MEET_RTSP_SRC_PROTOCOL_UDP_MCAST;
  config.timeout_ms = priv->timeout_ms;
  config.retries = priv->retry;
  config.tls = meet::rtsp_tls_config (priv->location, priv->tls_ca_file, priv->tls_fingerprint);
  if (config.tls.enabled) {
    /* Over TLS the media stays inside it (interleaved) unless protocols asks for udp or
     * udp-mcast: then SRTP, unicast or the stream's SRTP group (RtspClientLogic::set_secure),
     * never RTP/AVP in clear beside rtsps://. */
    if (!priv->protocols_set) {
      config.udp = false;
      config.multicast = false;
    }
    if (!config.udp && !config.multicast)
      config.tcp = true;
  }
  GST_OBJECT_UNLOCK (src);
  return config;
}

static void
post_command (MeetRtspSrc * src, RtspClientLogic::State target)
{
  src->priv->rtsp->post (target, session_config (src));
}

/* TEARDOWN and wait (bounded) until the RTSP thread has cleaned up. */
static void
teardown_and_wait (MeetRtspSrc * src)
{
  meet::RtspClientSession::Config config = session_config (src);
  gint64 wait_ms = (gint64) config.timeout_ms + 2 * TEARDOWN_WAIT_MS;
  if (!src->priv->rtsp->teardown_and_wait (config, wait_ms))
    GST_WARNING_OBJECT (src, "RTSP thread did not finish the teardown in time");
}

/* ------------------------------------------------------------------------ */
/* GObject / GstElement glue.                                                */

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
      priv->protocols_set = true;
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
  GST_OBJECT_UNLOCK (src);
}

static void
meet_rtsp_src_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  MeetRtspSrc *src = MEET_RTSP_SRC (object);
  MeetRtspSrcPrivate *priv = src->priv;
  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, priv->streams->stats ());
    return;
  }
  if (prop_id == PROP_SRTP_DROPPED) {
    g_value_set_uint64 (value, priv->streams->srtp_dropped ());
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
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, priv->tls_ca_file.c_str ());
      break;
    case PROP_TLS_FINGERPRINT:
      g_value_set_string (value, priv->tls_fingerprint.c_str ());
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
  if (!src->priv->rtsp->running ()) {
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
      src->priv->rtsp->start ();
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      GST_OBJECT_LOCK (src);
      std::string location = src->priv->location;
      meet::RtspTlsConfig tls = meet::rtsp_tls_config (location, src->priv->tls_ca_file,
          src->priv->tls_fingerprint);
      GST_OBJECT_UNLOCK (src);
      std::string tls_error;
      if (!meet::rtsp_tls_config_check (tls, tls_error)) {
        GST_ELEMENT_ERROR (src, RESOURCE, SETTINGS, ("Cannot check the server's certificate: %s.",
                tls_error.c_str ()), (nullptr));
        return GST_STATE_CHANGE_FAILURE;
      }
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
      src->priv->rtsp->stop ();
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
  src->priv->rtsp->stop ();
  g_mutex_clear (&src->priv->lock);
  delete src->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
meet_rtsp_src_init (MeetRtspSrc * src)
{
  src->priv = new MeetRtspSrcPrivate ();
  g_mutex_init (&src->priv->lock);
  src->priv->streams = std::make_unique<meet::ReceiveStreams> (GST_ELEMENT (src), &src_template);
  src->priv->delegate = std::make_unique<SrcDelegate> (src);
  src->priv->rtsp = std::make_unique<meet::RtspClientThread> (*src->priv->delegate,
      *src->priv->streams);
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
          "How RTP may travel, tried in the order udp-mcast, udp, tcp (e.g. udp-mcast+udp+tcp): "
          "the next one is used when the server refuses one or no packet arrives over it within "
          "timeout (a warning says why). rtsps:// takes tcp (inside TLS) unless this is set: "
          "udp there means SRTP (RTP/SAVP, keys from the server's MIKEY), never RTP in clear; "
          "no udp-mcast", MEET_TYPE_RTSP_SRC_PROTOCOLS,
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
  g_object_class_install_property (gobject_class, PROP_TLS_CA_FILE,
      g_param_spec_string ("tls-ca-file", "TLS CA file",
          "rtsps://: PEM file of the certificate authorities to trust for the server's "
          "certificate instead of the system store (host name checked too)", "", rw));
  g_object_class_install_property (gobject_class, PROP_TLS_FINGERPRINT,
      g_param_spec_string ("tls-fingerprint", "TLS fingerprint",
          "rtsps://: trust exactly the server certificate of this SHA-256 fingerprint "
          "(sha256:AB:CD:..., e.g. a self-signed meetsrv's), whatever its CA and name", "", rw));
  g_object_class_install_property (gobject_class, PROP_RTSP_STATE,
      g_param_spec_string ("rtsp-state", "RTSP state",
          "State of the RTSP session: init, ready (set up), playing or paused", "init", ro));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Reception statistics: totals plus one stream-N structure per stream with "
          "packets-received, bytes-received, packets-lost, jitter (clock-rate units), "
          "transport (udp, udp-mcast or tcp) and, for SRTP, srtp=true and srtp-dropped",
          GST_TYPE_STRUCTURE, ro));
  g_object_class_install_property (gobject_class, PROP_SRTP_DROPPED,
      g_param_spec_uint64 ("srtp-dropped", "SRTP packets dropped",
          "rtsps:// with SRTP over UDP: packets srtpdec refused (failed authentication: altered "
          "on the way or under another key; or replayed), all streams, since the element started; "
          "playback goes on without them", 0, G_MAXUINT64, 0, ro));
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
  static const gchar *protocols[] = {"rtsp", "rtsps", nullptr};
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
