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
 * the server refuses UDP (461) or protocols=tcp.
 *
 * Inside: an rtpbin send session per stream, so the server gets RTCP sender reports and whoever
 * reads the stream can line audio up with video. The RTSP exchange runs on a thread of its own,
 * driven by meet::RtspClientLogic (shared with meetrtspsrc); the pipeline never waits on the
 * network: until the server RECORDs, packets are dropped. When the server goes away the element
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
#include "rtspclientlogic.h"
#include "rtspmessages.h"
#include "sdpbuilder.h"

#include <gio/gio.h>
#include <gst/rtsp/rtsp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (meet_rtsp_client_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_client_sink_debug

#define DEFAULT_PROTOCOLS (MEET_RTSP_SRC_PROTOCOL_UDP | MEET_RTSP_SRC_PROTOCOL_TCP)
#define DEFAULT_TIMEOUT 5
#define DEFAULT_RETRY 5

/* Longest wait between two reconnection attempts. */
static const int kMaxBackoffMs = 8000;

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
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK,
    GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp"));

namespace {

/* Where a stream's packets go once the server RECORDs. Guarded by Private::lock. */
struct Destination {
  bool tcp = false;
  guint8 rtp_channel = 0, rtcp_channel = 1;
  GSocketAddress *rtp = nullptr;
  GSocketAddress *rtcp = nullptr;
};

struct SinkStream {
  guint index = 0;
  GstPad *ghost = nullptr;
  GstElement *rtp_out = nullptr;     /* fakesinks after rtpbin: their probes send the packets */
  GstElement *rtcp_out = nullptr;
  std::string caps;
  bool eos = false;
  GSocket *rtp_socket = nullptr;     /* UDP: bound before SETUP (its port is client_port) */
  GSocket *rtcp_socket = nullptr;
  Destination destination;
};

struct Private {
  /* Properties, under the object lock. */
  std::string location;
  std::string user;
  std::string password;
  guint protocols = DEFAULT_PROTOCOLS;
  guint timeout = DEFAULT_TIMEOUT;
  gint retry = DEFAULT_RETRY;

  GstElement *rtpbin = nullptr;
  std::mutex lock;                   /* streams' caps/eos/destination, the flags below */
  std::condition_variable wake;
  std::vector<SinkStream *> streams;
  std::atomic<bool> recording { false };
  bool stopping = false;
  bool teardown_requested = false;   /* every stream reached EOS */
  bool torn_down = false;

  std::thread control;
  /* The connection of the current attempt; writes (requests, interleaved packets) take
   * write_lock, reads happen on the control thread only. */
  std::mutex write_lock;
  GstRTSPConnection *conn = nullptr;
  std::atomic<guint64> bytes_sent { 0 };
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
/* Data path: packets out of rtpbin go to the server as RECORD set up.       */

static void
send_packet (MeetRtspClientSink * self, SinkStream * s, GstBuffer * buffer, bool rtcp)
{
  Private *priv = self->priv;
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  std::unique_lock<std::mutex> lock (priv->lock);
  const Destination & d = s->destination;
  if (d.tcp) {
    guint8 channel = rtcp ? d.rtcp_channel : d.rtp_channel;
    lock.unlock ();
    if (map.size <= 0xffff) {
      /* RFC 2326 10.12: '$', channel, 16-bit length, then the packet. */
      guint8 head[4] = { '$', channel, static_cast<guint8> (map.size >> 8),
          static_cast<guint8> (map.size & 0xff) };
      std::lock_guard<std::mutex> write (priv->write_lock);
      if (priv->conn &&
          gst_rtsp_connection_write_usec (priv->conn, head, 4, G_USEC_PER_SEC) == GST_RTSP_OK &&
          gst_rtsp_connection_write_usec (priv->conn, map.data, static_cast<guint> (map.size),
              G_USEC_PER_SEC) == GST_RTSP_OK)
        priv->bytes_sent += map.size + 4;
    }
  } else {
    GSocket *socket = rtcp ? s->rtcp_socket : s->rtp_socket;
    GSocketAddress *to = rtcp ? d.rtcp : d.rtp;
    if (socket && to) {
      g_object_ref (socket);
      g_object_ref (to);
      lock.unlock ();
      /* A full socket buffer or an ICMP error from a server gone away is not the pipeline's
       * problem: the control thread notices a lost server on the RTSP connection. */
      if (g_socket_send_to (socket, to, reinterpret_cast<const gchar *> (map.data), map.size,
              nullptr, nullptr) > 0)
        priv->bytes_sent += map.size;
      g_object_unref (to);
      g_object_unref (socket);
    }
  }
  gst_buffer_unmap (buffer, &map);
}

struct OutputProbe {
  MeetRtspClientSink *self;
  SinkStream *stream;
  bool rtcp;
};

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
      std::lock_guard<std::mutex> lock (priv->lock);
      probe->stream->caps = text;
      g_free (text);
      priv->wake.notify_all ();
    } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && !probe->rtcp) {
      /* TEARDOWN before the EOS message, so the server has ended the session when the
       * application sees EOS. */
      std::unique_lock<std::mutex> lock (priv->lock);
      probe->stream->eos = true;
      bool all = std::all_of (priv->streams.begin (), priv->streams.end (),
          [](SinkStream * s) { return s->eos; });
      if (all && priv->control.joinable ()) {
        priv->teardown_requested = true;
        priv->wake.notify_all ();
        priv->wake.wait_for (lock, std::chrono::seconds (2),
            [priv] { return priv->torn_down || priv->stopping; });
      }
    }
    return GST_PAD_PROBE_OK;
  }
  if (!priv->recording)
    return GST_PAD_PROBE_DROP;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    send_packet (probe->self, probe->stream, GST_PAD_PROBE_INFO_BUFFER (info), probe->rtcp);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    for (guint i = 0; i < gst_buffer_list_length (list); i++)
      send_packet (probe->self, probe->stream, gst_buffer_list_get (list, i), probe->rtcp);
  }
  return GST_PAD_PROBE_DROP;
}

static GstElement *
add_output (MeetRtspClientSink * self, SinkStream * s, GstPad * from, bool rtcp)
{
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  gst_bin_add (GST_BIN (self), sink);
  gst_object_ref (sink);   /* the stream keeps it: the bin may drop its children first at dispose */
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (from, pad);
  gst_pad_add_probe (pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM), output_probe,
      new OutputProbe { self, s, rtcp }, [](gpointer p) { delete static_cast<OutputProbe *> (p); });
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
    std::lock_guard<std::mutex> lock (priv->lock);
    if (!name) {
      for (SinkStream *s : priv->streams)
        index = std::max (index, s->index + 1);
    }
    for (SinkStream *s : priv->streams) {
      if (s->index == index) {
        GST_WARNING_OBJECT (self, "pad sink_%u exists already", index);
        return nullptr;
      }
    }
  }
  gchar *rtp_name = g_strdup_printf ("send_rtp_sink_%u", index);
  GstPad *rtp_sink = gst_element_request_pad_simple (priv->rtpbin, rtp_name);
  g_free (rtp_name);
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

  auto *s = new SinkStream ();
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
    std::lock_guard<std::mutex> lock (priv->lock);
    priv->streams.push_back (s);
    std::sort (priv->streams.begin (), priv->streams.end (),
        [](SinkStream * a, SinkStream * b) { return a->index < b->index; });
  }
  gst_pad_set_active (s->ghost, TRUE);
  gst_element_add_pad (element, s->ghost);
  return s->ghost;
}

static void
stream_close_sockets (SinkStream * s)
{
  g_clear_object (&s->rtp_socket);
  g_clear_object (&s->rtcp_socket);
  g_clear_object (&s->destination.rtp);
  g_clear_object (&s->destination.rtcp);
  s->destination = Destination ();
}

static void
meet_rtsp_client_sink_release_pad (GstElement * element, GstPad * pad)
{
  auto *self = MEET_RTSP_CLIENT_SINK (element);
  Private *priv = self->priv;
  SinkStream *found = nullptr;
  {
    std::lock_guard<std::mutex> lock (priv->lock);
    auto it = std::find_if (priv->streams.begin (), priv->streams.end (),
        [pad](SinkStream * s) { return s->ghost == pad; });
    if (it == priv->streams.end ())
      return;
    found = *it;
    priv->streams.erase (it);
  }
  GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
  gst_element_remove_pad (element, pad);
  if (target) {
    gst_element_release_request_pad (priv->rtpbin, target);
    gst_object_unref (target);
  }
  for (GstElement *e : { found->rtp_out, found->rtcp_out }) {
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (self)) {
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), e);
    }
    gst_object_unref (e);
  }
  std::lock_guard<std::mutex> lock (priv->lock);
  stream_close_sockets (found);
  delete found;
}

/* ------------------------------------------------------------------------ */
/* Control: one RTSP session per attempt, on the control thread.             */

namespace {

enum class Outcome {
  kStopped,     /* the element stops or reached EOS: no retry */
  kLost,        /* the server went away or never answered: worth a retry */
  kRefused,     /* the server said no: retrying would not help */
};

struct Attempt {
  Outcome outcome = Outcome::kStopped;
  std::string reason;
  bool recorded = false;
};

}  // namespace

static bool
stopping (Private * priv)
{
  std::lock_guard<std::mutex> lock (priv->lock);
  return priv->stopping;
}

/* Binds a UDP socket on any port of the family of @server; nullptr with @error on failure. */
static GSocket *
bind_udp (GSocketFamily family, int &port, std::string & error)
{
  GError *err = nullptr;
  GSocket *socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
  if (socket) {
    GInetAddress *any = g_inet_address_new_any (family);
    GSocketAddress *address = g_inet_socket_address_new (any, 0);
    g_object_unref (any);
    if (!g_socket_bind (socket, address, FALSE, &err))
      g_clear_object (&socket);
    g_object_unref (address);
  }
  if (!socket) {
    error = std::string ("cannot open a UDP port: ") + err->message;
    g_error_free (err);
    return nullptr;
  }
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);
  return socket;
}

/* Waits up to @timeout_us for the answer to the request in flight, answering requests of the
 * server (200) and skipping interleaved data meanwhile. False with @error when nothing came. */
static bool
receive_response (Private * priv, GstRTSPConnection * conn, gint64 timeout_us,
    meet::RtspClientResponse & response, std::string & error)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  for (;;) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0) {
      error = "the server did not answer within " + std::to_string (timeout_us / 1000) + " ms";
      return false;
    }
    GstRTSPMessage *msg = nullptr;
    gst_rtsp_message_new (&msg);
    GstRTSPResult res = gst_rtsp_connection_receive_usec (conn, msg,
        std::min<gint64> (left, 200 * 1000));
    if (res == GST_RTSP_ETIMEOUT) {
      gst_rtsp_message_free (msg);
      if (stopping (priv)) {
        error = "stopping";
        return false;
      }
      continue;
    }
    if (res != GST_RTSP_OK) {
      gst_rtsp_message_free (msg);
      gchar *text = gst_rtsp_strresult (res);
      error = res == GST_RTSP_EEOF ? std::string ("the server closed the connection")
          : std::string ("the connection to the server failed: ") + text;
      g_free (text);
      return false;
    }
    GstRTSPMsgType type = gst_rtsp_message_get_type (msg);
    if (type == GST_RTSP_MESSAGE_RESPONSE) {
      response = meet::rtsp_response_from_message (msg);
      gst_rtsp_message_free (msg);
      return true;
    }
    if (type == GST_RTSP_MESSAGE_REQUEST) {
      GstRTSPMessage *answer = meet::rtsp_ok_for_request (msg);
      std::lock_guard<std::mutex> write (priv->write_lock);
      gst_rtsp_connection_send_usec (conn, answer, G_USEC_PER_SEC);
      gst_rtsp_message_free (answer);
    }
    /* Interleaved data (the server's RTCP receiver reports over TCP): nothing to do. */
    gst_rtsp_message_free (msg);
  }
}

static bool
send_request (Private * priv, GstRTSPConnection * conn, const meet::RtspClientRequest & request,
    std::string & error)
{
  GstRTSPMessage *msg = meet::rtsp_request_message (request);
  GstRTSPResult res;
  {
    std::lock_guard<std::mutex> write (priv->write_lock);
    res = gst_rtsp_connection_send_usec (conn, msg, 2 * G_USEC_PER_SEC);
  }
  gst_rtsp_message_free (msg);
  if (res != GST_RTSP_OK) {
    gchar *text = gst_rtsp_strresult (res);
    error = std::string ("sending ") + gst_rtsp_method_as_text (request.method) + " failed: " + text;
    g_free (text);
    return false;
  }
  return true;
}

/* The SDP of the streams linked now, and their controls. Empty when a stream has no caps. */
static std::string
announce_sdp (Private * priv, const std::string & host, std::vector<std::string> & controls)
{
  std::vector<meet::SdpStreamDescription> descriptions;
  std::lock_guard<std::mutex> lock (priv->lock);
  for (size_t i = 0; i < priv->streams.size (); i++) {
    if (priv->streams[i]->caps.empty ())
      return std::string ();
    std::string control = "stream=" + std::to_string (i);
    descriptions.push_back ({ priv->streams[i]->caps, control });
    controls.push_back (control);
  }
  meet::SdpSessionDescription session;
  session.local_host = host.find (':') != std::string::npos ? "::1" : "127.0.0.1";
  session.information = "published by meetrtspclientsink";
  session.type = "";
  return meet::build_sdp (session, descriptions);
}

/* After SETUP: where each stream's packets go. */
static bool
configure_destinations (Private * priv, const meet::RtspClientLogic & logic,
    GInetAddress * server, std::string & error)
{
  std::lock_guard<std::mutex> lock (priv->lock);
  const auto & streams = logic.streams ();
  if (streams.size () != priv->streams.size ()) {
    error = "the pads changed while publishing";
    return false;
  }
  for (size_t i = 0; i < streams.size (); i++) {
    SinkStream *s = priv->streams[i];
    Destination & d = s->destination;
    g_clear_object (&d.rtp);
    g_clear_object (&d.rtcp);
    d.tcp = streams[i].transport == meet::RtspLowerTransport::Tcp;
    if (d.tcp) {
      d.rtp_channel = static_cast<guint8> (streams[i].rtp_channel);
      d.rtcp_channel = static_cast<guint8> (streams[i].rtcp_channel);
    } else {
      d.rtp = g_inet_socket_address_new (server, static_cast<guint16> (streams[i].server_rtp_port));
      if (streams[i].server_rtcp_port > 0)
        d.rtcp = g_inet_socket_address_new (server,
            static_cast<guint16> (streams[i].server_rtcp_port));
    }
  }
  return true;
}

/* Keeps the recording session alive until the element stops, EOS, or the server goes away. */
static Attempt
keep_recording (MeetRtspClientSink * self, GstRTSPConnection * conn, meet::RtspClientLogic & logic)
{
  Private *priv = self->priv;
  Attempt attempt;
  attempt.recorded = true;
  gint64 interval_us = std::max<gint64> (1, logic.session_timeout () / 2) * G_USEC_PER_SEC;
  gint64 next_keepalive = g_get_monotonic_time () + interval_us;
  gint64 keepalive_sent = 0;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock (priv->lock);
      if (priv->stopping || priv->teardown_requested)
        break;
    }
    gint64 now = g_get_monotonic_time ();
    if (now >= next_keepalive && !logic.waiting_for_response ()) {
      auto request = logic.keepalive_request ();
      std::string error;
      if (request && !send_request (priv, conn, *request, error)) {
        attempt.outcome = Outcome::kLost;
        attempt.reason = error;
        return attempt;
      }
      keepalive_sent = now;
      next_keepalive = now + interval_us;
    }
    if (logic.waiting_for_response () && now - keepalive_sent > 2 * priv->timeout * G_USEC_PER_SEC) {
      attempt.outcome = Outcome::kLost;
      attempt.reason = "the server did not answer a keep-alive";
      return attempt;
    }
    GstRTSPMessage *msg = nullptr;
    gst_rtsp_message_new (&msg);
    GstRTSPResult res = gst_rtsp_connection_receive_usec (conn, msg, 200 * 1000);
    if (res == GST_RTSP_OK) {
      GstRTSPMsgType type = gst_rtsp_message_get_type (msg);
      if (type == GST_RTSP_MESSAGE_RESPONSE) {
        auto event = logic.handle_response (meet::rtsp_response_from_message (msg));
        if (event == meet::RtspClientLogic::Event::Failed) {
          gst_rtsp_message_free (msg);
          attempt.outcome = Outcome::kLost;
          attempt.reason = logic.error ();
          return attempt;
        }
      } else if (type == GST_RTSP_MESSAGE_REQUEST) {
        GstRTSPMessage *answer = meet::rtsp_ok_for_request (msg);
        std::lock_guard<std::mutex> write (priv->write_lock);
        gst_rtsp_connection_send_usec (conn, answer, G_USEC_PER_SEC);
        gst_rtsp_message_free (answer);
      }
    } else if (res != GST_RTSP_ETIMEOUT) {
      gst_rtsp_message_free (msg);
      attempt.outcome = Outcome::kLost;
      attempt.reason = res == GST_RTSP_EEOF ? "the server closed the connection"
          : "the connection to the server failed";
      return attempt;
    }
    gst_rtsp_message_free (msg);
  }
  /* TEARDOWN: the server ends the session at once instead of timing it out. */
  priv->recording = false;
  logic.set_target (meet::RtspClientLogic::State::Init);
  meet::RtspClientResponse response;
  std::string error;
  while (logic.waiting_for_response () &&
      receive_response (priv, conn, G_USEC_PER_SEC / 2, response, error))
    logic.handle_response (response);
  if (auto request = logic.next_request ()) {
    if (send_request (priv, conn, *request, error) &&
        receive_response (priv, conn, G_USEC_PER_SEC, response, error))
      logic.handle_response (response);
  }
  attempt.outcome = Outcome::kStopped;
  return attempt;
}

/* One connection: ANNOUNCE, SETUP, RECORD, then recording until it ends. */
static Attempt
publish_once (MeetRtspClientSink * self, const std::string & location, const std::string & user,
    const std::string & password, guint protocols, guint timeout_s)
{
  Private *priv = self->priv;
  Attempt attempt;
  attempt.outcome = Outcome::kRefused;
  meet::RtspClientLogic logic;
  logic.set_credentials (user, password);
  if (!logic.set_location (location)) {
    attempt.reason = logic.error ();
    return attempt;
  }
  logic.set_allowed_transports (protocols & MEET_RTSP_SRC_PROTOCOL_UDP,
      protocols & MEET_RTSP_SRC_PROTOCOL_TCP);
  std::vector<std::string> controls;
  std::string sdp = announce_sdp (priv, logic.host (), controls);
  if (sdp.empty ()) {
    attempt.reason = "a stream's caps cannot be described in SDP: link an RTP payloader "
        "(application/x-rtp with media, encoding-name, clock-rate and payload)";
    return attempt;
  }
  logic.set_publish (sdp, controls);

  GstRTSPUrl *url = nullptr;
  gst_rtsp_url_parse (location.c_str (), &url);
  GstRTSPConnection *conn = nullptr;
  std::string where = logic.host () + ":" + std::to_string (logic.port ());
  if (gst_rtsp_connection_create (url, &conn) != GST_RTSP_OK) {
    gst_rtsp_url_free (url);
    attempt.reason = "cannot make a connection to " + where;
    return attempt;
  }
  gst_rtsp_url_free (url);
  gint64 timeout_us = static_cast<gint64> (timeout_s) * G_USEC_PER_SEC;
  if (gst_rtsp_connection_connect_usec (conn, timeout_us) != GST_RTSP_OK) {
    gst_rtsp_connection_free (conn);
    attempt.outcome = Outcome::kLost;
    attempt.reason = "cannot reach the RTSP server at " + where + " (is it running, and the port "
        "right?)";
    return attempt;
  }
  {
    std::lock_guard<std::mutex> write (priv->write_lock);
    priv->conn = conn;
  }
  GInetAddress *server = g_inet_address_new_from_string (gst_rtsp_connection_get_ip (conn));
  GSocketFamily family = server ? g_inet_address_get_family (server) : G_SOCKET_FAMILY_IPV4;

  logic.set_target (meet::RtspClientLogic::State::Playing);
  std::string error;
  bool done = false;
  while (!done) {
    if (stopping (priv)) {
      attempt.outcome = Outcome::kStopped;
      break;
    }
    auto request = logic.next_request ();
    if (!request) {
      if (logic.state () == meet::RtspClientLogic::State::Playing) {
        done = true;
        break;
      }
      attempt.reason = "internal: the RTSP exchange stalled";
      break;
    }
    meet::RtspClientResponse response;
    if (!send_request (priv, conn, *request, error) ||
        !receive_response (priv, conn, timeout_us, response, error)) {
      attempt.outcome = stopping (priv) ? Outcome::kStopped : Outcome::kLost;
      attempt.reason = error;
      break;
    }
    using Event = meet::RtspClientLogic::Event;
    Event event = logic.handle_response (response);
    if (event == Event::Described && logic.transport () == meet::RtspLowerTransport::Udp) {
      std::lock_guard<std::mutex> lock (priv->lock);
      for (size_t i = 0; i < priv->streams.size () && attempt.reason.empty (); i++) {
        SinkStream *s = priv->streams[i];
        stream_close_sockets (s);
        int rtp_port = 0, rtcp_port = 0;
        s->rtp_socket = bind_udp (family, rtp_port, attempt.reason);
        if (s->rtp_socket)
          s->rtcp_socket = bind_udp (family, rtcp_port, attempt.reason);
        logic.set_client_ports (i, rtp_port, rtcp_port);
      }
      if (!attempt.reason.empty ())
        break;
    } else if (event == Event::AuthRequired) {
      meet::rtsp_apply_auth_challenge (conn, logic);
    } else if (event == Event::TransportFallback) {
      GST_INFO_OBJECT (self, "the server refused UDP; publishing interleaved in the RTSP connection");
    } else if (event == Event::SetupDone) {
      if (!configure_destinations (priv, logic, server, attempt.reason))
        break;
    } else if (event == Event::Playing) {
      priv->recording = true;
      GST_INFO_OBJECT (self, "recording at %s over %s", location.c_str (),
          logic.transport () == meet::RtspLowerTransport::Tcp ? "TCP" : "UDP");
      g_object_notify (G_OBJECT (self), "recording");
    } else if (event == Event::Failed) {
      attempt.reason = logic.error ();
      /* A server still starting its side (503) is worth another try; a refusal is not. */
      attempt.outcome = logic.failure_is_transient () ? Outcome::kLost : Outcome::kRefused;
      break;
    }
  }
  if (done)
    attempt = keep_recording (self, conn, logic);

  bool was_recording = priv->recording.exchange (false);
  if (was_recording)
    g_object_notify (G_OBJECT (self), "recording");
  {
    std::lock_guard<std::mutex> write (priv->write_lock);
    priv->conn = nullptr;
  }
  {
    std::lock_guard<std::mutex> lock (priv->lock);
    for (SinkStream *s : priv->streams)
      stream_close_sockets (s);
  }
  g_clear_object (&server);
  gst_rtsp_connection_close (conn);
  gst_rtsp_connection_free (conn);
  return attempt;
}

static void
control_thread (MeetRtspClientSink * self)
{
  Private *priv = self->priv;
  GST_OBJECT_LOCK (self);
  std::string location = priv->location, user = priv->user, password = priv->password;
  guint protocols = priv->protocols, timeout_s = priv->timeout;
  gint retry = priv->retry;
  GST_OBJECT_UNLOCK (self);

  /* ANNOUNCE needs every stream's caps, which come with the first packets. */
  {
    std::unique_lock<std::mutex> lock (priv->lock);
    auto ready = [priv] {
      return priv->stopping || (!priv->streams.empty () && std::all_of (priv->streams.begin (),
              priv->streams.end (), [](SinkStream * s) { return !s->caps.empty (); }));
    };
    if (!priv->wake.wait_for (lock, std::chrono::seconds (std::max (1u, timeout_s)), ready)) {
      lock.unlock ();
      GST_ELEMENT_WARNING (self, STREAM, WRONG_TYPE, ("Waiting for the streams to publish."),
          ("no caps on every sink pad after %u s: is a payloader linked to each requested pad?",
              timeout_s));
      lock.lock ();
      priv->wake.wait (lock, ready);
    }
    if (priv->stopping)
      return;
  }

  int failures = 0;
  for (;;) {
    Attempt attempt = publish_once (self, location, user, password, protocols, timeout_s);
    if (attempt.recorded)
      failures = 0;
    {
      std::lock_guard<std::mutex> lock (priv->lock);
      if (priv->teardown_requested) {
        priv->torn_down = true;
        priv->wake.notify_all ();
        return;
      }
      if (priv->stopping)
        return;
    }
    if (attempt.outcome == Outcome::kRefused) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("Cannot publish to %s.", location.c_str ()),
          ("%s", attempt.reason.c_str ()));
      return;
    }
    if (failures >= retry) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Lost the RTSP server at %s.", location.c_str ()),
          ("%s%s", attempt.reason.c_str (), retry > 0 ? "; gave up after the retries" : ""));
      return;
    }
    int backoff_ms = std::min (kMaxBackoffMs, 500 << std::min (failures, 5));
    failures++;
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE, ("Reconnecting to %s.", location.c_str ()),
        ("%s; attempt %d of %d in %d ms", attempt.reason.c_str (), failures, retry, backoff_ms));
    std::unique_lock<std::mutex> lock (priv->lock);
    if (priv->wake.wait_for (lock, std::chrono::milliseconds (backoff_ms),
            [priv] { return priv->stopping || priv->teardown_requested; }))
      return;
  }
}

static void
stop_control (MeetRtspClientSink * self)
{
  Private *priv = self->priv;
  {
    std::lock_guard<std::mutex> lock (priv->lock);
    priv->stopping = true;
    priv->wake.notify_all ();
  }
  if (priv->control.joinable ())
    priv->control.join ();
  std::lock_guard<std::mutex> lock (priv->lock);
  priv->stopping = false;
  priv->teardown_requested = false;
  priv->torn_down = false;
  for (SinkStream *s : priv->streams) {
    s->eos = false;
    stream_close_sockets (s);
  }
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
      GST_OBJECT_UNLOCK (self);
      meet::RtspClientLogic check;
      if (location.empty () || !check.set_location (location)) {
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("No RTSP URL to publish to."),
            ("set location to rtsp://[user:password@]host[:port]/path%s%s",
                location.empty () ? "" : "; ", location.empty () ? "" : check.error ().c_str ()));
        return GST_STATE_CHANGE_FAILURE;
      }
      break;
    }
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      priv->control = std::thread (control_thread, self);
      break;
    default:
      break;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    stop_control (self);
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
  static const gchar *protocols[] = { "rtsp", nullptr };
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
      priv->timeout = g_value_get_uint (value);
      break;
    case PROP_RETRY:
      priv->retry = g_value_get_int (value);
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
      g_value_set_uint (value, priv->timeout);
      break;
    case PROP_RETRY:
      g_value_set_int (value, priv->retry);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, priv->recording);
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
  for (SinkStream *s : self->priv->streams) {
    stream_close_sockets (s);
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
  self->priv = new Private ();
  /* Our own reference: request pads are released after the bin has let go of its children. */
  self->priv->rtpbin = GST_ELEMENT (gst_object_ref_sink (gst_element_factory_make ("rtpbin", "rtpbin")));
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
          "RTSP TCP connection; with both, UDP first and TCP when the server refuses it (461)",
          MEET_TYPE_RTSP_SRC_PROTOCOLS, DEFAULT_PROTOCOLS, flags));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Seconds to wait for the server to connect or answer a request", 1, 600,
          DEFAULT_TIMEOUT, flags));
  g_object_class_install_property (gobject_class, PROP_RETRY,
      g_param_spec_int ("retry", "Retry",
          "Reconnections (with backoff, 0.5 s doubling up to 8 s) when the server goes away or "
          "cannot be reached, before giving up with an error; the streams are ANNOUNCEd again and "
          "pads and links stay", 0, G_MAXINT, DEFAULT_RETRY, flags));
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
