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
 * clients' receiver reports, which keep their sessions alive. RTSP runs on a thread of its
 * own; the request handling and session state machine live in meet::RtspServerLogic.
 *
 * Safety: RTP only goes to the address of the client's own RTSP connection (a Transport
 * `destination=` naming another host is refused with 403 Forbidden); session IDs are 128
 * random bits from getrandom(2) and only work on the connection that created them; request
 * heads are capped at 16 KiB and bodies at 4 KiB (413/414, then the connection closes);
 * connections are capped at 2 x max-clients + 4; connections with a half-sent request or no
 * session are closed after the session timeout; a TCP client that reads too slowly loses
 * packets instead of stalling the others.
 *
 * Publishing (allow-publish=true): clients ANNOUNCE + SETUP (mode=record) + RECORD their own
 * streams as participant NAME at rtsp://HOST:PORT/meet/NAME; readers of that URL get its packets
 * forwarded as they arrive (meet::ParticipantRelay), and GET_PARAMETER "participants" on the path
 * answers the roster, followed by a SET_PARAMETER on every join and leave. At the connection cap the
 * oldest connection without a session makes room (meet::admit_connection).
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
#include "participantrelay.h"
#include "rtspconnection.h"
#include "rtspserverio.h"
#include "rtspserverlogic.h"
#include "udpfanoutsink.h"

#include <gio/gio.h>
#include <gst/net/gstnetaddressmeta.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/rtsp/rtsp.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

#define DEFAULT_ADDRESS "0.0.0.0"
#define DEFAULT_PORT 8554
#define DEFAULT_PATH "/meet"
#define DEFAULT_MAX_CLIENTS 32
#define DEFAULT_SESSION_TIMEOUT 60
#define DEFAULT_MAX_PUBLISHERS 8
#define DEFAULT_MAX_PUBLISHER_STREAMS 4


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
  PROP_ALLOW_PUBLISH,
  PROP_MAX_PUBLISHERS,
  PROP_MAX_PUBLISHER_STREAMS,
  PROP_PUBLISHERS,
  PROP_DROPPED_PACKETS,
  PROP_TLS_CERT_FILE,
  PROP_TLS_KEY_FILE,
  PROP_TLS_CERTIFICATE,
  PROP_ENCRYPTION,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK,
    GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp"));

namespace {

using meet::Connection;
using meet::ConnectionPtr;
using meet::connection_send_frame;
using meet::connection_send_response;


struct TcpTarget {
  ConnectionPtr connection;
  std::string session_id;
  guint8 rtp_channel;
  guint8 rtcp_channel;
};

struct Stream {
  ~Stream () {
    for (GstElement *e : { rtp_sink, rtcp_sink, rtcp_src }) {
      if (e)
        gst_object_unref (e);
    }
  }
  guint pad_index = 0;
  GstPad *ghost = nullptr;
  GstElement *rtp_sink = nullptr;     // GstMeetUdpFanoutSink
  GstElement *rtcp_sink = nullptr;    // multiudpsink
  GstElement *rtcp_src = nullptr;     // udpsrc
  GSocket *rtp_socket = nullptr;
  GSocket *rtcp_socket = nullptr;
  int rtp_port = 0;
  int rtcp_port = 0;
  /* Guarded by Private::data_lock. */
  std::string caps;
  bool have_position = false;
  guint16 last_seq = 0;
  guint32 last_rtptime = 0;
  unsigned udp_clients = 0;
  std::vector<TcpTarget> tcp_targets;
};

struct RtcpSeen {
  unsigned stream;
  std::string host;
  int port;
};

struct Private;

/* The media side of meet::RtspServerLogic: adds and removes destinations. */
class SinkMedia : public meet::RtspServerLogic::Media {
public:
  explicit SinkMedia (Private & priv) : priv_ (priv) {}
  std::vector<meet::RtspServerLogic::StreamInfo> streams () override;
  void session_play (const meet::RtspSession & session) override;
  void session_pause (const meet::RtspSession & session) override;
  void session_teardown (const meet::RtspSession & session) override;
  std::vector<meet::RtspServerLogic::StreamInfo> participant_streams (const std::string & name)
      override;
  bool participant_open (const std::string & name, size_t streams) override;
  void participant_record (const meet::RtspSession & publisher) override;
  void participant_close (const std::string & name) override;
private:
  void remove_destinations (const meet::RtspSession & session);
  Private & priv_;
};

struct Private {
  Private () : media (*this) {}

  /* Properties, under the object lock. */
  std::string address = DEFAULT_ADDRESS;
  guint port = DEFAULT_PORT;
  std::string path = DEFAULT_PATH;
  guint max_clients = DEFAULT_MAX_CLIENTS;
  guint session_timeout = DEFAULT_SESSION_TIMEOUT;
  std::string user;
  std::string password;
  bool auth_basic = false;
  bool allow_publish = false;
  guint max_publishers = DEFAULT_MAX_PUBLISHERS;
  guint max_publisher_streams = DEFAULT_MAX_PUBLISHER_STREAMS;
  /* rtsps:// (rtsp/server/rtsptls.h). */
  meet::RtspTlsSettings tls;
  std::atomic<guint> publishers { 0 };
  std::atomic<guint64> dropped_packets { 0 };
  std::atomic<guint> bound_port { 0 };
  std::atomic<guint> clients { 0 };
  std::atomic<guint64> bytes_sent { 0 };

  GstElement *rtpbin = nullptr;
  /* Streams in pad request order (= stream index in the SDP); the vector under data_lock. */
  std::mutex data_lock;
  std::vector<Stream *> streams;
  std::vector<RtcpSeen> rtcp_seen;

  /* Server thread state: only touched on the server thread once it runs. */
  SinkMedia media;
  std::unique_ptr<meet::RtspServerLogic> logic;
  std::unique_ptr<meet::ParticipantRelay> relay;
  guint64 relay_bytes_counted = 0;
  /* Sockets and the server thread, while READY or above. */
  std::unique_ptr<meet::RtspServerIO> io;
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

/* ---------------------------------------------------------------- media side */

std::vector<meet::RtspServerLogic::StreamInfo>
SinkMedia::streams ()
{
  std::lock_guard<std::mutex> guard (priv_.data_lock);
  std::vector<meet::RtspServerLogic::StreamInfo> infos;
  for (Stream *s : priv_.streams) {
    meet::RtspServerLogic::StreamInfo info;
    info.caps = s->caps;
    info.server_rtp_port = s->rtp_port;
    info.server_rtcp_port = s->rtcp_port;
    info.have_position = s->have_position;
    info.next_seq = s->last_seq + 1;
    info.rtptime = s->last_rtptime;
    infos.push_back (info);
  }
  return infos;
}

std::vector<meet::RtspServerLogic::StreamInfo>
SinkMedia::participant_streams (const std::string & name)
{
  return priv_.relay ? priv_.relay->streams (name)
      : std::vector<meet::RtspServerLogic::StreamInfo> ();
}

bool
SinkMedia::participant_open (const std::string & name, size_t streams)
{
  bool ok = priv_.relay && priv_.relay->open (name, streams);
  priv_.publishers = priv_.relay ? priv_.relay->size () : 0;
  return ok;
}

void
SinkMedia::participant_record (const meet::RtspSession & publisher)
{
  if (priv_.relay)
    priv_.relay->record (publisher);
}

void
SinkMedia::participant_close (const std::string & name)
{
  if (priv_.relay)
    priv_.relay->close (name);
  priv_.publishers = priv_.relay ? priv_.relay->size () : 0;
}

void
SinkMedia::session_play (const meet::RtspSession & session)
{
  if (!session.name.empty ()) {
    if (priv_.relay)
      priv_.relay->add_reader (session);
    GST_INFO ("session %s of %s reads participant %s", session.id.c_str (),
        session.client_host.c_str (), session.name.c_str ());
    return;
  }
  ConnectionPtr connection;
  if (priv_.io)
    connection = priv_.io->find_connection (session.connection_id);

  std::lock_guard<std::mutex> guard (priv_.data_lock);
  for (size_t i = 0; i < session.streams.size () && i < priv_.streams.size (); i++) {
    const meet::RtspStreamTransport & t = session.streams[i];
    Stream *s = priv_.streams[i];
    if (!t.configured)
      continue;
    if (t.tcp) {
      if (connection)
        s->tcp_targets.push_back ({ connection, session.id,
            static_cast<guint8> (t.rtp_channel), static_cast<guint8> (t.rtcp_channel) });
    } else {
      gst_meet_udp_fanout_sink_add (GST_MEET_UDP_FANOUT_SINK (s->rtp_sink),
          session.client_host.c_str (), t.client_rtp_port);
      g_signal_emit_by_name (s->rtcp_sink, "add", session.client_host.c_str (),
          t.client_rtcp_port);
      s->udp_clients++;
    }
  }
  GST_INFO ("session %s of %s plays", session.id.c_str (), session.client_host.c_str ());
}

void
SinkMedia::remove_destinations (const meet::RtspSession & session)
{
  if (!session.name.empty ()) {
    if (priv_.relay && !session.publisher)
      priv_.relay->remove_reader (session);
    return;
  }
  std::lock_guard<std::mutex> guard (priv_.data_lock);
  for (size_t i = 0; i < session.streams.size () && i < priv_.streams.size (); i++) {
    const meet::RtspStreamTransport & t = session.streams[i];
    Stream *s = priv_.streams[i];
    if (!t.configured)
      continue;
    if (t.tcp) {
      auto & targets = s->tcp_targets;
      targets.erase (std::remove_if (targets.begin (), targets.end (),
              [&](const TcpTarget & target) { return target.session_id == session.id; }),
          targets.end ());
    } else {
      gst_meet_udp_fanout_sink_remove (GST_MEET_UDP_FANOUT_SINK (s->rtp_sink),
          session.client_host.c_str (), t.client_rtp_port);
      g_signal_emit_by_name (s->rtcp_sink, "remove", session.client_host.c_str (),
          t.client_rtcp_port);
      if (s->udp_clients > 0)
        s->udp_clients--;
    }
  }
}

void
SinkMedia::session_pause (const meet::RtspSession & session)
{
  remove_destinations (session);
  GST_INFO ("session %s of %s paused", session.id.c_str (), session.client_host.c_str ());
}

void
SinkMedia::session_teardown (const meet::RtspSession & session)
{
  if (session.state == meet::RtspSessionState::kPlaying)
    remove_destinations (session);
  GST_INFO ("session %s of %s ends", session.id.c_str (), session.client_host.c_str ());
}

/* ---------------------------------------------------------------- server thread */

static void
update_clients (Private * priv)
{
  priv->clients = priv->logic ? priv->logic->playing_sessions () : 0;
}

static void
count_relay_bytes (Private * priv)
{
  if (!priv->relay)
    return;
  guint64 sent = priv->relay->bytes_sent ();
  priv->bytes_sent += sent - priv->relay_bytes_counted;
  priv->relay_bytes_counted = sent;
  priv->dropped_packets = priv->relay->dropped_packets ();
}

/* Twice a second on the server thread: the UDP clients' receiver reports keep them alive. */
static void
server_tick (Private * priv, gint64 now)
{
  std::vector<RtcpSeen> seen;
  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    seen.swap (priv->rtcp_seen);
  }
  for (const RtcpSeen & s : seen)
    priv->logic->touch_rtcp (s.stream, s.host, s.port, now);
  count_relay_bytes (priv);
}

/* Runs @func on the server thread and waits for it (or runs it here when no server runs). */
static void
run_on_server_thread (Private * priv, const std::function<void ()> & func)
{
  if (priv->io)
    priv->io->run_on_thread (func);
  else
    func ();
}

/* ---------------------------------------------------------------- probes */

static GstPadProbeReturn
caps_probe (GstPad *, GstPadProbeInfo * info, gpointer user_data)
{
  auto *stream = static_cast<Stream *> (user_data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps (event, &caps);
  gchar *str = gst_caps_to_string (caps);
  GstElement *self = GST_ELEMENT (gst_pad_get_parent (stream->ghost));
  if (self) {
    auto *priv = GST_MEET_RTSP_SINK (self)->priv;
    std::lock_guard<std::mutex> guard (priv->data_lock);
    stream->caps = str;
    gst_object_unref (self);
  }
  GST_DEBUG_OBJECT (stream->ghost, "caps %s", str);
  g_free (str);
  return GST_PAD_PROBE_OK;
}

struct ProbeContext {
  Private *priv;
  Stream *stream;
};

/* Every packet leaving rtpbin: where RTP-Info comes from, the byte count, and the copy that
 * goes to each interleaved TCP client. */
static void
fan_out_buffer (ProbeContext * ctx, GstBuffer * buffer, bool rtcp)
{
  Private *priv = ctx->priv;
  Stream *s = ctx->stream;
  std::vector<std::pair<ConnectionPtr, guint8>> targets;
  unsigned receivers;
  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    if (!rtcp) {
      GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
      if (gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp)) {
        s->last_seq = gst_rtp_buffer_get_seq (&rtp);
        s->last_rtptime = gst_rtp_buffer_get_timestamp (&rtp);
        s->have_position = true;
        gst_rtp_buffer_unmap (&rtp);
      }
    }
    for (const TcpTarget & t : s->tcp_targets)
      targets.emplace_back (t.connection, rtcp ? t.rtcp_channel : t.rtp_channel);
    receivers = s->udp_clients + s->tcp_targets.size ();
  }
  gsize size = gst_buffer_get_size (buffer);
  priv->bytes_sent += static_cast<guint64> (size) * receivers;
  if (targets.empty () || size > G_MAXUINT16)
    return;

  std::string frame (4 + size, '\0');
  frame[0] = '$';
  frame[2] = static_cast<char> (size >> 8);
  frame[3] = static_cast<char> (size & 0xff);
  gst_buffer_extract (buffer, 0, &frame[4], size);
  for (const auto & target : targets) {
    frame[1] = static_cast<char> (target.second);
    connection_send_frame (target.first, frame);
  }
}

static GstPadProbeReturn
send_probe (GstPad *, GstPadProbeInfo * info, gpointer user_data, bool rtcp)
{
  auto *ctx = static_cast<ProbeContext *> (user_data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    fan_out_buffer (ctx, GST_PAD_PROBE_INFO_BUFFER (info), rtcp);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint n = gst_buffer_list_length (list);
    for (guint i = 0; i < n; i++)
      fan_out_buffer (ctx, gst_buffer_list_get (list, i), rtcp);
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
rtp_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  return send_probe (pad, info, user_data, false);
}

static GstPadProbeReturn
rtcp_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  return send_probe (pad, info, user_data, true);
}

/* Receiver reports from UDP clients: remember who sent them, as keep-alives. */
static GstPadProbeReturn
rtcp_received_probe (GstPad *, GstPadProbeInfo * info, gpointer user_data)
{
  auto *ctx = static_cast<ProbeContext *> (user_data);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstNetAddressMeta *meta = gst_buffer_get_net_address_meta (buffer);
  if (!meta || !G_IS_INET_SOCKET_ADDRESS (meta->addr))
    return GST_PAD_PROBE_OK;
  GInetSocketAddress *addr = G_INET_SOCKET_ADDRESS (meta->addr);
  gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (addr));
  int port = g_inet_socket_address_get_port (addr);
  {
    std::lock_guard<std::mutex> guard (ctx->priv->data_lock);
    auto & seen = ctx->priv->rtcp_seen;
    auto it = std::find (ctx->priv->streams.begin (), ctx->priv->streams.end (), ctx->stream);
    unsigned index = it - ctx->priv->streams.begin ();
    bool known = std::any_of (seen.begin (), seen.end (), [&](const RtcpSeen & r) {
          return r.stream == index && r.port == port && r.host == host;
        });
    if (!known && seen.size () < 4096 && it != ctx->priv->streams.end ())
      seen.push_back ({ index, host, port });
  }
  g_free (host);
  return GST_PAD_PROBE_OK;
}

/* ---------------------------------------------------------------- streams */

static GSocket *
bind_udp (const std::string & address, int &port, GError ** error)
{
  GInetAddress *ia = g_inet_address_new_from_string (address.c_str ());
  if (!ia) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IP address",
        address.c_str ());
    return nullptr;
  }
  GSocket *socket = g_socket_new (g_inet_address_get_family (ia), G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, error);
  GSocketAddress *sa = g_inet_socket_address_new (ia, 0);
  g_object_unref (ia);
  if (socket && !g_socket_bind (socket, sa, FALSE, error))
    g_clear_object (&socket);
  g_object_unref (sa);
  if (!socket)
    return nullptr;
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);
  return socket;
}

static bool
stream_bind_sockets (GstMeetRtspSink * self, Stream * s)
{
  std::string address;
  GST_OBJECT_LOCK (self);
  address = self->priv->address;
  GST_OBJECT_UNLOCK (self);

  GError *error = nullptr;
  s->rtp_socket = bind_udp (address, s->rtp_port, &error);
  if (s->rtp_socket)
    s->rtcp_socket = bind_udp (address, s->rtcp_port, &error);
  if (!s->rtcp_socket) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Cannot open the RTP/RTCP ports of stream %u on %s: %s. Set the address property "
            "to an address of this machine (or 0.0.0.0).", s->pad_index, address.c_str (),
            error->message), (nullptr));
    g_clear_error (&error);
    g_clear_object (&s->rtp_socket);
    return false;
  }
  GST_DEBUG_OBJECT (self, "stream %u: RTP port %d, RTCP port %d", s->pad_index, s->rtp_port,
      s->rtcp_port);
  return true;
}

/* Hands the bound sockets to the elements, before those start. */
static void
stream_apply_sockets (Stream * s)
{
  bool v6 = g_socket_get_family (s->rtp_socket) == G_SOCKET_FAMILY_IPV6;
  const char *prop = v6 ? "socket-v6" : "socket";
  g_object_set (s->rtp_sink, "socket", s->rtp_socket, NULL);
  g_object_set (s->rtcp_sink, prop, s->rtcp_socket, NULL);
  g_object_set (s->rtcp_src, "socket", s->rtcp_socket, NULL);
}

static void
stream_close_sockets (Stream * s)
{
  if (s->rtp_socket)
    g_socket_close (s->rtp_socket, nullptr);
  if (s->rtcp_socket)
    g_socket_close (s->rtcp_socket, nullptr);
  g_clear_object (&s->rtp_socket);
  g_clear_object (&s->rtcp_socket);
  s->rtp_port = s->rtcp_port = 0;
}

static GstPad *
gst_meet_rtsp_sink_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps *)
{
  auto *self = GST_MEET_RTSP_SINK (element);
  Private *priv = self->priv;

  guint index = 0;
  if (name && sscanf (name, "sink_%u", &index) != 1) {
    GST_WARNING_OBJECT (self, "pad name %s does not match sink_%%u", name);
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    if (!name) {
      for (Stream *s : priv->streams)
        index = MAX (index, s->pad_index + 1);
    }
    for (Stream *s : priv->streams) {
      if (s->pad_index == index) {
        GST_WARNING_OBJECT (self, "pad sink_%u already exists", index);
        return nullptr;
      }
    }
  }

  auto *s = new Stream ();
  s->pad_index = index;
  /* A stream added while serving needs its ports now; fail before building anything. */
  if (GST_STATE (self) >= GST_STATE_READY && !stream_bind_sockets (self, s)) {
    delete s;
    return nullptr;
  }

  s->rtp_sink = GST_ELEMENT (g_object_new (GST_TYPE_MEET_UDP_FANOUT_SINK, nullptr));
  s->rtcp_sink = gst_element_factory_make ("multiudpsink", nullptr);
  s->rtcp_src = gst_element_factory_make ("udpsrc", nullptr);
  g_object_set (s->rtp_sink, "sync", FALSE, "async", FALSE, NULL);
  g_object_set (s->rtcp_sink, "close-socket", FALSE, "sync", FALSE, "async", FALSE,
      "send-duplicates", FALSE, "auto-multicast", FALSE, NULL);
  /* RTCP never ends on its own: only the RTP sinks decide when this bin is at EOS. */
  GST_OBJECT_FLAG_UNSET (s->rtcp_sink, GST_ELEMENT_FLAG_SINK);
  GstCaps *rtcp_caps = gst_caps_new_empty_simple ("application/x-rtcp");
  g_object_set (s->rtcp_src, "close-socket", FALSE, "caps", rtcp_caps, NULL);
  gst_caps_unref (rtcp_caps);
  /* The RTCP receiver is a live source: it must not make the sink bin live, so it runs on
   * its own between PAUSED and READY. */
  gst_element_set_locked_state (s->rtcp_src, TRUE);
  if (s->rtp_socket)
    stream_apply_sockets (s);
  for (GstElement *e : { s->rtp_sink, s->rtcp_sink, s->rtcp_src })
    gst_object_ref_sink (e);
  gst_bin_add_many (GST_BIN (self), s->rtp_sink, s->rtcp_sink, s->rtcp_src, NULL);

  gchar *pad_name = g_strdup_printf ("send_rtp_sink_%u", index);
  GstPad *rtpbin_sink = gst_element_request_pad_simple (priv->rtpbin, pad_name);
  g_free (pad_name);
  /* Clients can only line audio up with video once they have a sender report of each stream:
   * RTCP's default 5 s minimum interval leaves a new client out of sync for seconds. */
  GObject *rtp_session = nullptr;
  g_signal_emit_by_name (priv->rtpbin, "get-internal-session", index, &rtp_session);
  if (rtp_session) {
    g_object_set (rtp_session, "rtcp-min-interval", static_cast<guint64> (GST_SECOND), NULL);
    g_object_unref (rtp_session);
  }
  pad_name = g_strdup_printf ("send_rtp_src_%u", index);
  GstPad *rtp_src = gst_element_get_static_pad (priv->rtpbin, pad_name);
  g_free (pad_name);
  pad_name = g_strdup_printf ("send_rtcp_src_%u", index);
  GstPad *rtcp_src = gst_element_request_pad_simple (priv->rtpbin, pad_name);
  g_free (pad_name);
  pad_name = g_strdup_printf ("recv_rtcp_sink_%u", index);
  GstPad *rtcp_sink = gst_element_request_pad_simple (priv->rtpbin, pad_name);
  g_free (pad_name);

  GstPad *rtp_sink_pad = gst_element_get_static_pad (s->rtp_sink, "sink");
  GstPad *rtcp_sink_pad = gst_element_get_static_pad (s->rtcp_sink, "sink");
  GstPad *rtcp_src_pad = gst_element_get_static_pad (s->rtcp_src, "src");
  gst_pad_link (rtp_src, rtp_sink_pad);
  gst_pad_link (rtcp_src, rtcp_sink_pad);
  gst_pad_link (rtcp_src_pad, rtcp_sink);

  auto *ctx = new ProbeContext { priv, s };
  gst_pad_add_probe (rtp_sink_pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST), rtp_probe, ctx,
      [](gpointer p) { delete static_cast<ProbeContext *> (p); });
  ctx = new ProbeContext { priv, s };
  gst_pad_add_probe (rtcp_sink_pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST), rtcp_probe, ctx,
      [](gpointer p) { delete static_cast<ProbeContext *> (p); });
  ctx = new ProbeContext { priv, s };
  gst_pad_add_probe (rtcp_src_pad, GST_PAD_PROBE_TYPE_BUFFER, rtcp_received_probe, ctx,
      [](gpointer p) { delete static_cast<ProbeContext *> (p); });

  gst_object_unref (rtp_src);
  gst_object_unref (rtcp_src);
  gst_object_unref (rtcp_sink);
  gst_object_unref (rtp_sink_pad);
  gst_object_unref (rtcp_sink_pad);
  gst_object_unref (rtcp_src_pad);

  gchar *ghost_name = g_strdup_printf ("sink_%u", index);
  s->ghost = gst_ghost_pad_new_from_template (ghost_name, rtpbin_sink, templ);
  g_free (ghost_name);
  gst_object_unref (rtpbin_sink);
  gst_pad_add_probe (s->ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, caps_probe, s, nullptr);

  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    priv->streams.push_back (s);
  }

  gst_pad_set_active (s->ghost, TRUE);
  gst_element_add_pad (element, s->ghost);
  gst_element_sync_state_with_parent (s->rtp_sink);
  gst_element_sync_state_with_parent (s->rtcp_sink);
  if (GST_STATE (self) >= GST_STATE_PAUSED)
    gst_element_set_state (s->rtcp_src, GST_STATE_PLAYING);
  return s->ghost;
}

static void
gst_meet_rtsp_sink_release_pad (GstElement * element, GstPad * pad)
{
  auto *self = GST_MEET_RTSP_SINK (element);
  Private *priv = self->priv;

  Stream *s = nullptr;
  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    for (Stream *candidate : priv->streams) {
      if (candidate->ghost == pad)
        s = candidate;
    }
  }
  if (!s)
    return;
  /* Stream numbers in the SDP change: every client has to start over. */
  run_on_server_thread (priv, [priv] {
        if (priv->logic)
          priv->logic->teardown_all ();
        update_clients (priv);
      });
  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    priv->streams.erase (std::find (priv->streams.begin (), priv->streams.end (), s));
  }

  GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
  gst_element_remove_pad (element, pad);
  /* On dispose GstBin has already removed the children; we hold references of our own. */
  for (GstElement *e : { s->rtp_sink, s->rtcp_sink, s->rtcp_src }) {
    gst_element_set_locked_state (e, TRUE);
    gst_element_set_state (e, GST_STATE_NULL);
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (self))
      gst_bin_remove (GST_BIN (self), e);
  }
  if (target) {
    if (GST_OBJECT_PARENT (target) == GST_OBJECT (priv->rtpbin))
      gst_element_release_request_pad (priv->rtpbin, target);
    gst_object_unref (target);
  }
  stream_close_sockets (s);
  delete s;
}

/* ---------------------------------------------------------------- start/stop */

static bool
gst_meet_rtsp_sink_start (GstMeetRtspSink * self)
{
  Private *priv = self->priv;
  meet::RtspServerLogic::Config config;
  std::string address;
  guint port;
  GST_OBJECT_LOCK (self);
  address = priv->address;
  port = priv->port;
  config.path = priv->path;
  config.max_sessions = priv->max_clients;
  config.session_timeout_s = priv->session_timeout;
  config.user = priv->user;
  config.password = priv->password;
  config.auth_basic = priv->auth_basic;
  config.allow_publish = priv->allow_publish;
  config.max_publishers = priv->max_publishers;
  config.max_streams_per_publisher = priv->max_publisher_streams;
  meet::RtspTlsSettings tls = priv->tls;
  if (tls.certificate)
    g_object_ref (tls.certificate);
  GST_OBJECT_UNLOCK (self);

  meet::RtspServerIO::Security security;
  security.encryption = tls.encryption;
  std::string tls_error;
  bool tls_ok = meet::rtsp_tls_certificate_for (tls, &security.certificate, &tls_error);
  g_clear_object (&tls.certificate);
  if (!tls_ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s.", tls_error.c_str ()), (nullptr));
    return false;
  }

  GInetAddress *ia = g_inet_address_new_from_string (address.c_str ());
  if (!ia) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("'%s' is not an IP address. Set the address property to an address of this machine, "
            "or 0.0.0.0 for all of them.", address.c_str ()), (nullptr));
    return false;
  }
  GError *error = nullptr;
  GSocket *socket = g_socket_new (g_inet_address_get_family (ia), G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  GSocketAddress *sa = g_inet_socket_address_new (ia, port);
  g_object_unref (ia);
  bool bound = socket && g_socket_bind (socket, sa, TRUE, &error);
  g_object_unref (sa);
  if (!bound) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
          ("Port %u is in use: %s. Choose another port, or 0 to let the system pick a free "
              "one.", port, error->message), (nullptr));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
          ("Cannot listen on %s port %u: %s. Check the address and port properties.",
              address.c_str (), port, error ? error->message : "unknown error"), (nullptr));
    g_clear_error (&error);
    g_clear_object (&socket);
    return false;
  }
  g_socket_set_listen_backlog (socket, 128);
  if (!g_socket_listen (socket, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Cannot listen on %s port %u: %s. Choose another port, or 0.", address.c_str (), port,
            error->message), (nullptr));
    g_clear_error (&error);
    g_object_unref (socket);
    return false;
  }
  g_socket_set_blocking (socket, FALSE);
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  priv->bound_port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);

  std::vector<Stream *> streams;
  {
    std::lock_guard<std::mutex> guard (priv->data_lock);
    streams = priv->streams;
  }
  for (Stream *s : streams) {
    if (!stream_bind_sockets (self, s)) {
      for (Stream *opened : streams)
        stream_close_sockets (opened);
      g_object_unref (socket);
      priv->bound_port = 0;
      return false;
    }
    stream_apply_sockets (s);
  }

  priv->io.reset (new meet::RtspServerIO ());
  meet::RtspServerIO *io = priv->io.get ();
  priv->relay.reset (new meet::ParticipantRelay (io->context (), address,
          [io](guint64 connection_id, guint8 channel, const guint8 * data, size_t size) {
            ConnectionPtr connection = io->find_connection (connection_id);
            if (!connection || size > G_MAXUINT16)
              return;
            std::string frame (4 + size, '\0');
            frame[0] = '$';
            frame[1] = static_cast<char> (channel);
            frame[2] = static_cast<char> (size >> 8);
            frame[3] = static_cast<char> (size & 0xff);
            memcpy (&frame[4], data, size);
            connection_send_frame (connection, frame);
          }));
  priv->logic.reset (new meet::RtspServerLogic (config, priv->media));
  meet::RtspServerIO::Limits limits;
  limits.max_connections = 2 * config.max_sessions + 4;
  limits.max_connections_per_host = config.max_sessions / 4 + 2;
  limits.session_timeout_us = static_cast<gint64> (config.session_timeout_s) * G_USEC_PER_SEC;
  meet::RtspServerIO::Hooks hooks;
  hooks.tick = [priv](gint64 now) { server_tick (priv, now); };
  hooks.changed = [priv] { update_clients (priv); };
  hooks.stopping = [priv] {
    count_relay_bytes (priv);
    priv->relay->close_all ();
    priv->publishers = 0;
  };
  io->set_security (security);
  io->start (socket, priv->bound_port, *priv->logic, priv->relay.get (), limits, hooks);
  g_object_unref (socket);
  GST_INFO_OBJECT (self, "serving rtsp%s://%s:%u%s (encryption %s)",
      security.encryption == meet::RtspEncryption::kNone ? "" : "s", address.c_str (),
      priv->bound_port.load (), config.path.c_str (), meet::rtsp_encryption_name (security.encryption));
  g_clear_object (&security.certificate);
  return true;
}

static void
gst_meet_rtsp_sink_stop (GstMeetRtspSink * self)
{
  Private *priv = self->priv;
  if (!priv->io)
    return;
  priv->io->stop ();
  /* The thread is gone: what used its context goes before the context. */
  priv->relay.reset ();
  priv->relay_bytes_counted = 0;
  priv->logic.reset ();
  priv->io.reset ();
  priv->bound_port = 0;
  priv->clients = 0;

  std::lock_guard<std::mutex> guard (priv->data_lock);
  priv->rtcp_seen.clear ();
  for (Stream *s : priv->streams) {
    s->tcp_targets.clear ();
    s->udp_clients = 0;
    /* The next start serves new sessions only. */
    gst_meet_udp_fanout_sink_clear (GST_MEET_UDP_FANOUT_SINK (s->rtp_sink));
    g_signal_emit_by_name (s->rtcp_sink, "clear");
    stream_close_sockets (s);
  }
}

static void
set_receivers_state (GstMeetRtspSink * self, GstState state)
{
  std::vector<GstElement *> receivers;
  {
    std::lock_guard<std::mutex> guard (self->priv->data_lock);
    for (Stream *s : self->priv->streams)
      receivers.push_back (s->rtcp_src);
  }
  for (GstElement *e : receivers)
    gst_element_set_state (e, state);
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
      gst_meet_rtsp_sink_stop (self);
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      set_receivers_state (self, GST_STATE_PLAYING);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      gst_meet_rtsp_sink_stop (self);
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
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ADDRESS:
      priv->address = g_value_get_string (value) ? g_value_get_string (value) : DEFAULT_ADDRESS;
      break;
    case PROP_PORT:
      priv->port = g_value_get_uint (value);
      break;
    case PROP_PATH:
      priv->path = g_value_get_string (value) ? g_value_get_string (value) : DEFAULT_PATH;
      break;
    case PROP_MAX_CLIENTS:
      priv->max_clients = g_value_get_uint (value);
      break;
    case PROP_SESSION_TIMEOUT:
      priv->session_timeout = g_value_get_uint (value);
      break;
    case PROP_USER:
      priv->user = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_PASSWORD:
      priv->password = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_AUTH_BASIC:
      priv->auth_basic = g_value_get_boolean (value);
      break;
    case PROP_ALLOW_PUBLISH:
      priv->allow_publish = g_value_get_boolean (value);
      break;
    case PROP_MAX_PUBLISHERS:
      priv->max_publishers = g_value_get_uint (value);
      break;
    case PROP_MAX_PUBLISHER_STREAMS:
      priv->max_publisher_streams = g_value_get_uint (value);
      break;
    case PROP_TLS_CERT_FILE:
      priv->tls.cert_file = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_TLS_KEY_FILE:
      priv->tls.key_file = g_value_get_string (value) ? g_value_get_string (value) : "";
      break;
    case PROP_TLS_CERTIFICATE: {
      GTlsCertificate *old = priv->tls.certificate;
      priv->tls.certificate = static_cast<GTlsCertificate *> (g_value_dup_object (value));
      if (old)
        g_object_unref (old);
      break;
    }
    case PROP_ENCRYPTION:
      priv->tls.encryption = static_cast<meet::RtspEncryption> (g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
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
      g_value_set_string (value, priv->address.c_str ());
      break;
    case PROP_PORT:
      g_value_set_uint (value, priv->port);
      break;
    case PROP_BOUND_PORT:
      g_value_set_uint (value, priv->bound_port);
      break;
    case PROP_PATH:
      g_value_set_string (value, priv->path.c_str ());
      break;
    case PROP_MAX_CLIENTS:
      g_value_set_uint (value, priv->max_clients);
      break;
    case PROP_SESSION_TIMEOUT:
      g_value_set_uint (value, priv->session_timeout);
      break;
    case PROP_USER:
      g_value_set_string (value, priv->user.c_str ());
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, priv->password.c_str ());
      break;
    case PROP_AUTH_BASIC:
      g_value_set_boolean (value, priv->auth_basic);
      break;
    case PROP_CLIENTS:
      g_value_set_uint (value, priv->clients);
      break;
    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, priv->bytes_sent);
      break;
    case PROP_ALLOW_PUBLISH:
      g_value_set_boolean (value, priv->allow_publish);
      break;
    case PROP_MAX_PUBLISHERS:
      g_value_set_uint (value, priv->max_publishers);
      break;
    case PROP_MAX_PUBLISHER_STREAMS:
      g_value_set_uint (value, priv->max_publisher_streams);
      break;
    case PROP_PUBLISHERS:
      g_value_set_uint (value, priv->publishers);
      break;
    case PROP_DROPPED_PACKETS:
      g_value_set_uint64 (value, priv->dropped_packets);
      break;
    case PROP_TLS_CERT_FILE:
      g_value_set_string (value, priv->tls.cert_file.c_str ());
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, priv->tls.key_file.c_str ());
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, priv->tls.certificate);
      break;
    case PROP_ENCRYPTION:
      g_value_set_enum (value, static_cast<gint> (priv->tls.encryption));
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
  gst_meet_rtsp_sink_stop (self);
  for (Stream *s : self->priv->streams)
    delete s;
  gst_object_unref (self->priv->rtpbin);
  g_clear_object (&self->priv->tls.certificate);
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

  g_object_class_install_property (gobject_class, PROP_ALLOW_PUBLISH,
      g_param_spec_boolean ("allow-publish", "Allow publishing",
          "Let clients publish their own streams as participants: ANNOUNCE + SETUP "
          "(mode=record) + RECORD at rtsp://host:port<path>/NAME (NAME of letters, digits, "
          "'-', '_', '.'); whoever PLAYs <path>/NAME then gets them, forwarded as they are. "
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
          "RTSP connection's address and the ports its SETUP named), or were not RTP/RTCP: "
          "dropped, never forwarded", 0, G_MAXUINT64, 0, ro));

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
          "403. Media of rtsps:// clients stays inside TLS (interleaved TCP)",
          GST_TYPE_MEET_RTSP_ENCRYPTION, static_cast<gint> (meet::RtspEncryption::kNone), rw));

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
