/* meetstream: forwards published participants to their readers. See participantrelay.h. */
#include "participantrelay.h"
#include "srtpreceiver.h"
#include "udpfanoutsink.h"

#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

namespace meet {

namespace {

/* Datagrams read per wakeup: a frame's packets then leave in one fan-out send (GSO). */
constexpr int kReceiveBatch = 64;
/* Largest datagram relayed: RTP over UDP stays within the path MTU (payloaders default to
 * 1400 bytes); bigger ones are dropped and counted. */
constexpr size_t kMaxDatagram = 4096;
/* Room for a burst (a big frame from several publishers) while the thread is busy. */
constexpr int kReceiveBuffer = 2 * 1024 * 1024;

GSocket *
bind_udp (const std::string & address, int &port)
{
  GInetAddress *ia = g_inet_address_new_from_string (address.c_str ());
  if (!ia)
    return nullptr;
  GSocket *socket = g_socket_new (g_inet_address_get_family (ia), G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, nullptr);
  GSocketAddress *sa = g_inet_socket_address_new (ia, 0);
  g_object_unref (ia);
  if (socket && !g_socket_bind (socket, sa, FALSE, nullptr))
    g_clear_object (&socket);
  g_object_unref (sa);
  if (!socket)
    return nullptr;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, kReceiveBuffer, nullptr);
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);
  return socket;
}

/* Numeric host and port of a datagram's sender (IPv4-mapped IPv6 as plain IPv4). */
bool
sender_of (const sockaddr_storage & from, std::string & host, int &port)
{
  char text[INET6_ADDRSTRLEN] = "";
  if (from.ss_family == AF_INET) {
    const auto *in = reinterpret_cast<const sockaddr_in *> (&from);
    inet_ntop (AF_INET, &in->sin_addr, text, sizeof (text));
    port = ntohs (in->sin_port);
  } else if (from.ss_family == AF_INET6) {
    const auto *in6 = reinterpret_cast<const sockaddr_in6 *> (&from);
    if (IN6_IS_ADDR_V4MAPPED (&in6->sin6_addr))
      inet_ntop (AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof (text));
    else
      inet_ntop (AF_INET6, &in6->sin6_addr, text, sizeof (text));
    port = ntohs (in6->sin6_port);
  } else {
    return false;
  }
  host = text;
  return true;
}

}  // namespace

struct ParticipantRelay::Reader {
  std::string session_id;
  std::string host;
  bool tcp = false;
  bool multicast = false;   // host and ports are the stream's group, shared with other readers
  bool srtp = false;        // RTP/SAVP: gets the stream's SRTP
  int rtp_port = 0;
  int rtcp_port = 0;
  uint64_t connection_id = 0;
  uint8_t rtp_channel = 0;
  uint8_t rtcp_channel = 1;
};

struct ParticipantRelay::Stream {
  ParticipantRelay *relay = nullptr;
  Participant *participant = nullptr;
  GSocket *rtp_socket = nullptr;
  GSocket *rtcp_socket = nullptr;
  int rtp_port = 0;
  int rtcp_port = 0;
  GSource *rtp_source = nullptr;
  GSource *rtcp_source = nullptr;
  GstMeetUdpFanoutSink *rtp_out = nullptr;
  GstMeetUdpFanoutSink *rtcp_out = nullptr;
  /* SRTP: the encoder and a fan-out of its own for RTP/SAVP readers, on the same sockets. */
  std::unique_ptr<SrtpPacketEncoder> srtp;
  GstMeetUdpFanoutSink *srtp_out = nullptr;
  GstMeetUdpFanoutSink *srtcp_out = nullptr;
  /* Where the publisher sends from (its SETUP). */
  bool configured = false;
  bool from_tcp = false;
  int publisher_rtp_port = 0;
  int publisher_rtcp_port = 0;
  uint8_t publisher_rtp_channel = 0;
  uint8_t publisher_rtcp_channel = 1;
  std::vector<uint32_t> ssrcs;      // for the BYE at the end
  bool have_position = false;
  uint16_t last_seq = 0;
  uint32_t last_rtptime = 0;
  /* The publisher's SRTP (srtpreceiver.h): set at its SETUP, used once it RECORDs RTP/SAVP. */
  std::unique_ptr<SrtpReceiver> srtp_receiver;
  bool srtp_in = false;
  std::vector<Reader> readers;
  unsigned udp_readers = 0;          // plain UDP destinations (a multicast group counts)
  unsigned srtp_udp_readers = 0;     // SRTP ones
  unsigned multicast_readers = 0;    // readers of either group
  unsigned srtp_multicast_readers = 0;
};

struct ParticipantRelay::Participant {
  std::string name;
  bool recording = false;
  std::string publisher_host;
  uint64_t connection_id = 0;
  std::string session_id;
  bool active = false;
  std::vector<std::unique_ptr<Stream>> streams;
};

namespace {
struct SourceData {
  void *stream;
  bool rtcp;
};
}  // namespace

ParticipantRelay::ParticipantRelay (GMainContext * context, std::string address,
    SendInterleaved send)
:  context_ (context), address_ (std::move (address)), send_ (std::move (send))
{
}

ParticipantRelay::~ParticipantRelay ()
{
  close_all ();
}

bool
ParticipantRelay::open (const std::string & name, size_t streams)
{
  close (name);
  auto p = std::make_unique<Participant> ();
  p->name = name;
  for (size_t i = 0; i < streams; i++) {
    auto s = std::make_unique<Stream> ();
    s->relay = this;
    s->participant = p.get ();
    s->rtp_socket = bind_udp (address_, s->rtp_port);
    s->rtcp_socket = s->rtp_socket ? bind_udp (address_, s->rtcp_port) : nullptr;
    p->streams.push_back (std::move (s));
    Stream & stream = *p->streams.back ();
    if (!stream.rtcp_socket) {
      GST_WARNING ("participant %s: cannot open UDP ports on %s", name.c_str (),
          address_.c_str ());
      free_participant (*p);
      return false;
    }
    stream.rtp_out = gst_meet_udp_fanout_sink_new_for_socket (stream.rtp_socket);
    stream.rtcp_out = gst_meet_udp_fanout_sink_new_for_socket (stream.rtcp_socket);
    if (srtp_enabled_) {
      auto encoder = std::make_unique<SrtpPacketEncoder> ();
      if (encoder->init (SrtpSuite::AES_128_CM_HMAC_SHA1_80)) {
        stream.srtp = std::move (encoder);
        stream.srtp_out = gst_meet_udp_fanout_sink_new_for_socket (stream.rtp_socket);
        stream.srtcp_out = gst_meet_udp_fanout_sink_new_for_socket (stream.rtcp_socket);
      } else if (i == 0) {
        GST_WARNING ("participant %s: no randomness for an SRTP key: its readers get no "
            "RTP/SAVP", name.c_str ());
      }
    }
    for (bool rtcp : { false, true }) {
      GSource *source = g_socket_create_source (rtcp ? stream.rtcp_socket : stream.rtp_socket,
          G_IO_IN, nullptr);
      g_source_set_callback (source, G_SOURCE_FUNC (on_readable),
          new SourceData { &stream, rtcp }, [](gpointer d) {
            delete static_cast<SourceData *> (d);
          });
      g_source_attach (source, context_);
      (rtcp ? stream.rtcp_source : stream.rtp_source) = source;
    }
  }
  GST_INFO ("participant %s announced %zu stream(s)", name.c_str (), streams);
  participants_[name] = std::move (p);
  return true;
}

std::vector<RtspServerLogic::StreamInfo>
ParticipantRelay::streams (const std::string & name) const
{
  std::vector<RtspServerLogic::StreamInfo> infos;
  auto it = participants_.find (name);
  if (it == participants_.end ())
    return infos;
  for (const auto & s : it->second->streams) {
    RtspServerLogic::StreamInfo info;
    info.server_rtp_port = s->rtp_port;
    info.server_rtcp_port = s->rtcp_port;
    info.have_position = s->have_position;
    info.next_seq = s->last_seq + 1;
    info.rtptime = s->last_rtptime;
    /* The key for a reader joining now, at the rollover counter of the publisher's first
     * source (the SSRC is not known before its first packet: counter 0 then). */
    if (s->srtp)
      info.keymgmt = s->srtp->keymgmt (s->ssrcs.empty () ? 0 : s->ssrcs.front ());
    infos.push_back (info);
  }
  return infos;
}

bool
ParticipantRelay::set_srtp (const std::string & name, size_t stream, const MikeyKeys & keys)
{
  auto it = participants_.find (name);
  if (it == participants_.end () || stream >= it->second->streams.size ())
    return false;
  auto receiver = std::make_unique<SrtpReceiver> ();
  std::string error;
  if (!receiver->init (keys, &error)) {
    GST_WARNING ("participant %s stream %zu: no SRTP: %s", name.c_str (), stream, error.c_str ());
    return false;
  }
  it->second->streams[stream]->srtp_receiver = std::move (receiver);
  return true;
}

GstBuffer *
ParticipantRelay::decrypt (Participant & p, Stream & s, const uint8_t * data, size_t size,
    bool rtcp)
{
  GstBuffer *clear = s.srtp_receiver->unprotect (data, size, rtcp);
  if (clear)
    return clear;
  dropped_++;
  uint64_t rejected = ++srtp_rejected_;
  /* Loud once, then now and then: a flood of forgeries must not flood the log too. */
  if (s.srtp_receiver->rejected () == 1 || rejected % 1000 == 0)
    GST_WARNING ("participant %s: dropped an %s packet that failed SRTP authentication or was "
        "a replay (%" G_GUINT64_FORMAT " so far)", p.name.c_str (), rtcp ? "SRTCP" : "SRTP",
        rejected);
  else
    GST_DEBUG ("participant %s: dropped a forged or replayed %s packet", p.name.c_str (),
        rtcp ? "SRTCP" : "SRTP");
  return nullptr;
}

void
ParticipantRelay::record (const RtspSession & publisher)
{
  auto it = participants_.find (publisher.name);
  if (it == participants_.end ())
    return;
  Participant & p = *it->second;
  p.recording = true;
  p.publisher_host = publisher.client_host;
  p.connection_id = publisher.connection_id;
  p.session_id = publisher.id;
  for (size_t i = 0; i < p.streams.size () && i < publisher.streams.size (); i++) {
    const RtspStreamTransport & t = publisher.streams[i];
    Stream & s = *p.streams[i];
    s.configured = t.configured;
    s.from_tcp = t.tcp;
    s.publisher_rtp_port = t.client_rtp_port;
    s.publisher_rtcp_port = t.client_rtcp_port;
    s.publisher_rtp_channel = static_cast<uint8_t> (t.rtp_channel);
    s.publisher_rtcp_channel = static_cast<uint8_t> (t.rtcp_channel);
    s.srtp_in = t.configured && t.srtp;
    if (s.srtp_in && !s.srtp_receiver) {
      /* SETUP said RTP/SAVP but no receiver took the key: nothing of it can be trusted. */
      GST_WARNING ("participant %s stream %zu: RTP/SAVP without a key, every packet dropped",
          p.name.c_str (), i);
      s.configured = false;
    }
  }
  GST_INFO ("participant %s publishes from %s", p.name.c_str (), p.publisher_host.c_str ());
}

void
ParticipantRelay::add_reader (const RtspSession & reader)
{
  auto it = participants_.find (reader.name);
  if (it == participants_.end ())
    return;
  Participant & p = *it->second;
  for (size_t i = 0; i < p.streams.size () && i < reader.streams.size (); i++) {
    const RtspStreamTransport & t = reader.streams[i];
    if (!t.configured)
      continue;
    Stream & s = *p.streams[i];
    Reader r;
    r.session_id = reader.id;
    r.host = reader.client_host;
    r.tcp = t.tcp;
    r.rtp_port = t.client_rtp_port;
    r.rtcp_port = t.client_rtcp_port;
    r.connection_id = reader.connection_id;
    r.rtp_channel = static_cast<uint8_t> (t.rtp_channel);
    r.rtcp_channel = static_cast<uint8_t> (t.rtcp_channel);
    r.srtp = t.srtp && s.srtp;
    if (t.srtp && !s.srtp)
      continue;     // never in clear to a reader who asked for SRTP
    if (t.multicast) {
      /* The group is one destination of the fan-out however many read it (destinations are
       * counted there): each packet is sent to it once. */
      r.multicast = true;
      r.host = t.group.address;
      r.rtp_port = t.group.rtp_port;
      r.rtcp_port = t.group.rtcp_port;
      if (s.multicast_readers++ == 0)
        prepare_multicast (s, t.group.ttl);
      if (r.srtp)
        s.srtp_multicast_readers++;
    }
    if (!r.tcp) {
      gst_meet_udp_fanout_sink_add (r.srtp ? s.srtp_out : s.rtp_out, r.host.c_str (), r.rtp_port);
      gst_meet_udp_fanout_sink_add (r.srtp ? s.srtcp_out : s.rtcp_out, r.host.c_str (),
          r.rtcp_port);
      (r.srtp ? s.srtp_udp_readers : s.udp_readers)++;
    }
    s.readers.push_back (r);
  }
}

void
ParticipantRelay::prepare_multicast (Stream & s, unsigned ttl)
{
  in_addr iface {};
  bool pick = inet_pton (AF_INET, address_.c_str (), &iface) == 1
      && iface.s_addr != htonl (INADDR_ANY);
  for (GSocket *socket : { s.rtp_socket, s.rtcp_socket }) {
    if (g_socket_get_family (socket) != G_SOCKET_FAMILY_IPV4)
      continue;
    g_socket_set_multicast_ttl (socket, ttl);
    /* GSocket has no call for the outgoing interface of multicast (IP_MULTICAST_IF). */
    if (pick)
      setsockopt (g_socket_get_fd (socket), IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof (iface));
  }
}

void
ParticipantRelay::remove_reader (const RtspSession & reader)
{
  auto it = participants_.find (reader.name);
  if (it == participants_.end ())
    return;
  for (auto & s : it->second->streams) {
    for (auto r = s->readers.begin (); r != s->readers.end ();) {
      if (r->session_id != reader.id) {
        ++r;
        continue;
      }
      if (!r->tcp) {
        gst_meet_udp_fanout_sink_remove (r->srtp ? s->srtp_out : s->rtp_out, r->host.c_str (),
            r->rtp_port);
        gst_meet_udp_fanout_sink_remove (r->srtp ? s->srtcp_out : s->rtcp_out, r->host.c_str (),
            r->rtcp_port);
        (r->srtp ? s->srtp_udp_readers : s->udp_readers)--;
      }
      if (r->multicast) {
        s->multicast_readers--;
        if (r->srtp)
          s->srtp_multicast_readers--;
      }
      r = s->readers.erase (r);
    }
  }
}

gboolean
ParticipantRelay::on_readable (GSocket *, GIOCondition, gpointer user_data)
{
  auto *data = static_cast<SourceData *> (user_data);
  auto *s = static_cast<Stream *> (data->stream);
  s->relay->receive (*s->participant, *s, data->rtcp);
  return G_SOURCE_CONTINUE;
}

void
ParticipantRelay::receive (Participant & p, Stream & s, bool rtcp)
{
  /* One recvmmsg for what is waiting (a frame's packets, often), forwarded without a copy:
   * the fan-out sends from these buffers before this returns. */
  static thread_local std::vector<uint8_t> pool (kReceiveBatch * kMaxDatagram);
  mmsghdr messages[kReceiveBatch];
  iovec iov[kReceiveBatch];
  sockaddr_storage from[kReceiveBatch];
  for (int i = 0; i < kReceiveBatch; i++) {
    iov[i] = { pool.data () + i * kMaxDatagram, kMaxDatagram };
    messages[i] = {};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &from[i];
    messages[i].msg_hdr.msg_namelen = sizeof (from[i]);
  }
  int fd = g_socket_get_fd (rtcp ? s.rtcp_socket : s.rtp_socket);
  int received = recvmmsg (fd, messages, kReceiveBatch, MSG_DONTWAIT, nullptr);
  if (received <= 0)
    return;

  GstBuffer *packets[kReceiveBatch];
  size_t n = 0;
  for (int i = 0; i < received; i++) {
    const uint8_t *data = pool.data () + i * kMaxDatagram;
    size_t size = messages[i].msg_len;
    std::string host;
    int port = 0;
    if ((messages[i].msg_hdr.msg_flags & MSG_TRUNC) || !sender_of (from[i], host, port)) {
      dropped_++;
      continue;
    }
    bool from_publisher = p.recording && s.configured && !s.from_tcp
        && host == p.publisher_host
        && port == (rtcp ? s.publisher_rtcp_port : s.publisher_rtp_port);
    if (!from_publisher) {
      /* Readers' receiver reports keep their sessions alive; anything else is an intruder. */
      auto reader = std::find_if (s.readers.begin (), s.readers.end (), [&](const Reader & r) {
            return rtcp && !r.tcp && !r.multicast && r.host == host
                && (r.rtcp_port == port || r.rtp_port == port);
          });
      if (reader != s.readers.end ()) {
        if (std::find (active_.begin (), active_.end (), reader->session_id) == active_.end ())
          active_.push_back (reader->session_id);
      } else {
        dropped_++;
        GST_DEBUG ("participant %s: dropped a packet from %s:%d (not its publisher)",
            p.name.c_str (), host.c_str (), port);
      }
      continue;
    }
    p.active = true;
    /* Forwarded untouched, but only what looks like RTP/RTCP version 2. */
    if (size < (rtcp ? 8u : 12u) || (data[0] >> 6) != 2) {
      dropped_++;
      continue;
    }
    if (s.srtp_in) {
      GstBuffer *clear = decrypt (p, s, data, size, rtcp);
      if (!clear)
        continue;
      GstMapInfo map;
      if (!rtcp && gst_buffer_map (clear, &map, GST_MAP_READ)) {
        if (map.size >= 12)
          note_rtp (s, map.data);
        gst_buffer_unmap (clear, &map);
      }
      packets[n++] = clear;
      continue;
    }
    if (!rtcp)
      note_rtp (s, data);
    packets[n++] = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY,
        const_cast<uint8_t *> (data), kMaxDatagram, 0, size, nullptr, nullptr);
  }
  if (n)
    forward (p, s, rtcp, packets, n);
  for (size_t i = 0; i < n; i++)
    gst_buffer_unref (packets[i]);
}

void
ParticipantRelay::note_rtp (Stream & s, const uint8_t * data)
{
  uint32_t ssrc = (uint32_t (data[8]) << 24) | (uint32_t (data[9]) << 16)
      | (uint32_t (data[10]) << 8) | data[11];
  if (std::find (s.ssrcs.begin (), s.ssrcs.end (), ssrc) == s.ssrcs.end ()
      && s.ssrcs.size () < 8)
    s.ssrcs.push_back (ssrc);
  s.last_seq = (uint16_t (data[2]) << 8) | data[3];
  s.last_rtptime = (uint32_t (data[4]) << 24) | (uint32_t (data[5]) << 16)
      | (uint32_t (data[6]) << 8) | data[7];
  s.have_position = true;
}

void
ParticipantRelay::forward (Participant &, Stream & s, bool rtcp, GstBuffer * const * packets,
    size_t n)
{
  forwarded_ += n;
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++)
    bytes += gst_buffer_get_size (packets[i]);
  bytes_received_ += bytes;
  /* Encrypted once for every SRTP reader, and even without one (see the header). */
  static thread_local std::vector<GstBuffer *> secure;
  secure.clear ();
  if (s.srtp)
    s.srtp->protect (packets, n, rtcp, secure);
  if (!s.readers.empty ()) {
    bytes_sent_ += send_to (s, rtcp, false, packets, n);
    if (!secure.empty ())
      bytes_sent_ += send_to (s, rtcp, true, secure.data (), secure.size ());
  }
  for (GstBuffer *b : secure)
    gst_buffer_unref (b);
  secure.clear ();
}

size_t
ParticipantRelay::send_to (Stream & s, bool rtcp, bool srtp, GstBuffer * const * packets,
    size_t n)
{
  unsigned udp = srtp ? s.srtp_udp_readers : s.udp_readers;
  if (udp)
    gst_meet_udp_fanout_sink_send (srtp ? (rtcp ? s.srtcp_out : s.srtp_out)
        : (rtcp ? s.rtcp_out : s.rtp_out), packets, n);
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++)
    bytes += gst_buffer_get_size (packets[i]);
  /* Multicast readers share one send (to their group). */
  unsigned multicast = srtp ? s.srtp_multicast_readers
      : s.multicast_readers - s.srtp_multicast_readers;
  size_t receivers = (multicast ? 1 : 0);
  for (const Reader & r : s.readers)
    if (r.srtp == srtp && !r.multicast)
      receivers++;
  for (const Reader & r : s.readers) {
    if (!r.tcp || r.srtp != srtp)
      continue;
    for (size_t i = 0; i < n; i++) {
      GstMapInfo map;
      if (gst_buffer_map (packets[i], &map, GST_MAP_READ)) {
        send_ (r.connection_id, rtcp ? r.rtcp_channel : r.rtp_channel, map.data, map.size);
        gst_buffer_unmap (packets[i], &map);
      }
    }
  }
  return bytes * receivers;
}

bool
ParticipantRelay::interleaved (uint64_t connection_id, uint8_t channel, const uint8_t * data,
    size_t size)
{
  for (auto & entry : participants_) {
    Participant & p = *entry.second;
    if (!p.recording || p.connection_id != connection_id)
      continue;
    for (auto & s : p.streams) {
      if (!s->configured || !s->from_tcp)
        continue;
      bool rtp = channel == s->publisher_rtp_channel;
      bool rtcp = channel == s->publisher_rtcp_channel;
      if (!rtp && !rtcp)
        continue;
      p.active = true;
      if (size < (rtcp ? 8u : 12u) || (data[0] >> 6) != 2) {
        dropped_++;
        return true;
      }
      if (s->srtp_in) {
        /* RTP/SAVP/TCP: SRTP inside the interleaved frames. */
        GstBuffer *clear = decrypt (p, *s, data, size, rtcp);
        if (clear) {
          GstMapInfo map;
          if (rtp && gst_buffer_map (clear, &map, GST_MAP_READ)) {
            if (map.size >= 12)
              note_rtp (*s, map.data);
            gst_buffer_unmap (clear, &map);
          }
          forward (p, *s, rtcp, &clear, 1);
          gst_buffer_unref (clear);
        }
        return true;
      }
      if (rtp)
        note_rtp (*s, data);
      GstBuffer *packet = gst_buffer_new_memdup (data, size);
      forward (p, *s, rtcp, &packet, 1);
      gst_buffer_unref (packet);
      return true;
    }
  }
  return false;
}

std::vector<std::string>
ParticipantRelay::take_active_sessions ()
{
  std::vector<std::string> active;
  active.swap (active_);
  for (auto & entry : participants_) {
    if (entry.second->active && !entry.second->session_id.empty ())
      active.push_back (entry.second->session_id);
    entry.second->active = false;
  }
  return active;
}

void
ParticipantRelay::close (const std::string & name)
{
  auto it = participants_.find (name);
  if (it == participants_.end ())
    return;
  Participant & p = *it->second;
  /* Readers learn the stream ended from an RTCP BYE of each source (an empty RR first: a
   * compound RTCP packet starts with a report, RFC 3550 6.1). */
  for (auto & s : p.streams) {
    for (uint32_t ssrc : s->ssrcs) {
      GstBuffer *bye = gst_rtcp_buffer_new (1500);
      GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
      GstRTCPPacket packet;
      gst_rtcp_buffer_map (bye, GST_MAP_READWRITE, &rtcp);
      if (gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_RR, &packet))
        gst_rtcp_packet_rr_set_ssrc (&packet, ssrc);
      if (gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_BYE, &packet))
        gst_rtcp_packet_bye_add_ssrc (&packet, ssrc);
      gst_rtcp_buffer_unmap (&rtcp);
      forward (p, *s, true, &bye, 1);
      gst_buffer_unref (bye);
    }
  }
  GST_INFO ("participant %s ends", name.c_str ());
  free_participant (p);
  participants_.erase (it);
}

void
ParticipantRelay::close_all ()
{
  std::vector<std::string> names;
  for (auto & entry : participants_)
    names.push_back (entry.first);
  for (const std::string & name : names)
    close (name);
}

void
ParticipantRelay::free_participant (Participant & p)
{
  for (auto & s : p.streams) {
    for (GSource *source : { s->rtp_source, s->rtcp_source }) {
      if (source) {
        g_source_destroy (source);
        g_source_unref (source);
      }
    }
    s->rtp_source = s->rtcp_source = nullptr;
    for (GstMeetUdpFanoutSink *out : { s->rtp_out, s->rtcp_out, s->srtp_out, s->srtcp_out }) {
      if (out)
        gst_object_unref (out);
    }
    s->rtp_out = s->rtcp_out = s->srtp_out = s->srtcp_out = nullptr;
    s->srtp.reset ();
    s->srtp_receiver.reset ();
    for (GSocket *socket : { s->rtp_socket, s->rtcp_socket }) {
      if (socket) {
        g_socket_close (socket, nullptr);
        g_object_unref (socket);
      }
    }
    s->rtp_socket = s->rtcp_socket = nullptr;
  }
}

}  // namespace meet
