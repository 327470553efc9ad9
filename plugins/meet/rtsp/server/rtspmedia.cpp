/* meetstream: what meetrtspsink's server serves. See rtspmedia.h. */
#include "rtspmedia.h"
#include "rtspserverio.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

namespace meet {

/* The multicast group of one of the element's streams while it has readers. */
struct RtspMedia::Group {
  unsigned stream = 0;
  bool own = true;               // a stream of the pads (players counted here), not a participant's
  MulticastDestination destination;
  unsigned players = 0;          // readers playing: the group is a destination while > 0
  GSocket *socket = nullptr;     // joined, on the RTCP port: the readers' receiver reports
  GSource *source = nullptr;
  std::vector<std::string> seen;

  ~Group () {
    if (source) {
      g_source_destroy (source);
      g_source_unref (source);
    }
    if (socket) {
      g_socket_close (socket, nullptr);
      g_object_unref (socket);
    }
  }
};

RtspMedia::RtspMedia () = default;

RtspMedia::~RtspMedia ()
{
  groups_.clear ();
}

/* ---------------------------------------------------------------- the element's streams */

void
RtspMedia::add_stream (std::unique_ptr<RtspStream> stream)
{
  std::lock_guard<std::mutex> guard (lock_);
  streams_.push_back (std::move (stream));
}

std::unique_ptr<RtspStream>
RtspMedia::remove_stream (RtspStream * stream)
{
  std::lock_guard<std::mutex> guard (lock_);
  auto it = std::find_if (streams_.begin (), streams_.end (),
      [&](const std::unique_ptr<RtspStream> & s) { return s.get () == stream; });
  if (it == streams_.end ())
    return nullptr;
  std::unique_ptr<RtspStream> out = std::move (*it);
  streams_.erase (it);
  return out;
}

std::vector<RtspStream *>
RtspMedia::streams_snapshot ()
{
  std::lock_guard<std::mutex> guard (lock_);
  std::vector<RtspStream *> out;
  for (auto & s : streams_)
    out.push_back (s.get ());
  return out;
}

RtspStream *
RtspMedia::find_stream (GstPad * ghost)
{
  std::lock_guard<std::mutex> guard (lock_);
  for (auto & s : streams_) {
    if (s->ghost () == ghost)
      return s.get ();
  }
  return nullptr;
}

int
RtspMedia::claim_index (int wanted)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (wanted < 0) {
    unsigned next = 0;
    for (auto & s : streams_)
      next = std::max (next, s->pad_index () + 1);
    return static_cast<int> (next);
  }
  for (auto & s : streams_) {
    if (s->pad_index () == static_cast<unsigned> (wanted))
      return -1;
  }
  return wanted;
}

/* ---------------------------------------------------------------- server lifetime */

void
RtspMedia::attach (RtspServerIO * io, ParticipantRelay * relay,
    std::optional<MulticastPool> pool, GMainContext * context, const std::string & address)
{
  address_ = address;
  io_ = io;
  relay_ = relay;
  relay_bytes_counted_ = 0;
  relay_bytes_received_counted_ = 0;
  pool_ = std::move (pool);
  context_ = context;
}

void
RtspMedia::detach ()
{
  count_relay_bytes ();
  groups_.clear ();
  pool_.reset ();
  io_ = nullptr;
  relay_ = nullptr;
  context_ = nullptr;
  publishers = 0;
  for (RtspStream *s : streams_snapshot ())
    s->clear ();
}

void
RtspMedia::count_relay_bytes ()
{
  if (!relay_)
    return;
  uint64_t sent = relay_->bytes_sent ();
  bytes_sent += sent - relay_bytes_counted_;
  relay_bytes_counted_ = sent;
  uint64_t received = relay_->bytes_received ();
  bytes_received += received - relay_bytes_received_counted_;
  relay_bytes_received_counted_ = received;
  dropped_packets = relay_->dropped_packets ();
}

void
RtspMedia::collect_rtcp (RtspServerLogic & logic, int64_t now_us)
{
  std::vector<RtspStream *> streams = streams_snapshot ();
  for (size_t i = 0; i < streams.size (); i++) {
    for (const auto & seen : streams[i]->take_rtcp_seen ())
      logic.touch_rtcp (static_cast<unsigned> (i), seen.first, seen.second, now_us);
  }
  for (auto & entry : groups_) {
    for (const std::string & host : entry.second->seen)
      logic.touch_rtcp (entry.second->stream, host, 0, now_us);
    entry.second->seen.clear ();
  }
  count_relay_bytes ();
}

/* ---------------------------------------------------------------- RtspServerLogic::Media */

std::vector<RtspServerLogic::StreamInfo>
RtspMedia::streams ()
{
  std::vector<RtspServerLogic::StreamInfo> infos;
  for (RtspStream *s : streams_snapshot ()) {
    infos.push_back (s->info ());
    infos.back ().multicast = pool_.has_value () && s->ipv4 ();
  }
  return infos;
}

std::vector<RtspServerLogic::StreamInfo>
RtspMedia::participant_streams (const std::string & name)
{
  std::vector<RtspServerLogic::StreamInfo> infos = relay_ ? relay_->streams (name)
      : std::vector<RtspServerLogic::StreamInfo> ();
  /* The relay's sockets are on the server's address: IPv4 ones can send to IPv4 groups. */
  bool ipv4 = address_.find (':') == std::string::npos;
  for (RtspServerLogic::StreamInfo & info : infos)
    info.multicast = pool_.has_value () && ipv4;
  return infos;
}

bool
RtspMedia::participant_open (const std::string & name, size_t streams)
{
  bool ok = relay_ && relay_->open (name, streams);
  publishers = relay_ ? relay_->size () : 0;
  return ok;
}

bool
RtspMedia::participant_srtp (const std::string & name, size_t stream, const MikeyKeys & keys)
{
  return relay_ && relay_->set_srtp (name, stream, keys);
}

void
RtspMedia::participant_record (const RtspSession & publisher)
{
  if (relay_)
    relay_->record (publisher);
}

void
RtspMedia::participant_close (const std::string & name)
{
  if (relay_)
    relay_->close (name);
  publishers = relay_ ? relay_->size () : 0;
}

void
RtspMedia::session_play (const RtspSession & session)
{
  if (!session.name.empty ()) {
    if (relay_)
      relay_->add_reader (session);
    GST_INFO ("session %s of %s reads participant %s", session.id.c_str (),
        session.client_host.c_str (), session.name.c_str ());
    return;
  }
  ConnectionPtr connection;
  if (io_)
    connection = io_->find_connection (session.connection_id);

  std::vector<RtspStream *> streams = streams_snapshot ();
  for (size_t i = 0; i < session.streams.size () && i < streams.size (); i++) {
    const RtspStreamTransport & t = session.streams[i];
    RtspStream *s = streams[i];
    if (!t.configured)
      continue;
    if (t.tcp) {
      if (connection)
        s->add_tcp (connection, session.id, static_cast<uint8_t> (t.rtp_channel),
            static_cast<uint8_t> (t.rtcp_channel), t.srtp);
    } else if (t.multicast) {
      /* One destination for every multicast reader: the group. */
      auto it = groups_.find (group_key ("", static_cast<unsigned> (i), t.srtp));
      if (it != groups_.end () && it->second->players++ == 0)
        s->add_udp (t.group.address, t.group.rtp_port, t.group.rtcp_port, t.srtp);
    } else {
      s->add_udp (session.client_host, t.client_rtp_port, t.client_rtcp_port, t.srtp);
    }
  }
  GST_INFO ("session %s of %s plays", session.id.c_str (), session.client_host.c_str ());
}

void
RtspMedia::remove_destinations (const RtspSession & session)
{
  if (!session.name.empty ()) {
    if (relay_ && !session.publisher)
      relay_->remove_reader (session);
    return;
  }
  std::vector<RtspStream *> streams = streams_snapshot ();
  for (size_t i = 0; i < session.streams.size () && i < streams.size (); i++) {
    const RtspStreamTransport & t = session.streams[i];
    RtspStream *s = streams[i];
    if (!t.configured)
      continue;
    if (t.tcp) {
      s->remove_tcp (session.id);
    } else if (t.multicast) {
      auto it = groups_.find (group_key ("", static_cast<unsigned> (i), t.srtp));
      if (it != groups_.end () && it->second->players > 0 && --it->second->players == 0)
        s->remove_udp (t.group.address, t.group.rtp_port, t.group.rtcp_port, t.srtp);
    } else {
      s->remove_udp (session.client_host, t.client_rtp_port, t.client_rtcp_port, t.srtp);
    }
  }
}

void
RtspMedia::session_pause (const RtspSession & session)
{
  remove_destinations (session);
  GST_INFO ("session %s of %s paused", session.id.c_str (), session.client_host.c_str ());
}

void
RtspMedia::session_teardown (const RtspSession & session)
{
  if (session.state == RtspSessionState::kPlaying)
    remove_destinations (session);
  GST_INFO ("session %s of %s ends", session.id.c_str (), session.client_host.c_str ());
}

/* ---------------------------------------------------------------- multicast */

gboolean
RtspMedia::on_group_rtcp (GSocket * socket, GIOCondition, gpointer data)
{
  auto *group = static_cast<Group *> (data);
  for (int i = 0; i < 64; i++) {
    gchar buf[1500];
    GSocketAddress *from = nullptr;
    gssize n = g_socket_receive_from (socket, &from, buf, sizeof (buf), nullptr, nullptr);
    if (n < 0)
      break;
    if (from && G_IS_INET_SOCKET_ADDRESS (from) && group->seen.size () < 4096) {
      gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (
              G_INET_SOCKET_ADDRESS (from)));
      if (std::find (group->seen.begin (), group->seen.end (), host) == group->seen.end ())
        group->seen.push_back (host);
      g_free (host);
    }
    g_clear_object (&from);
  }
  return G_SOURCE_CONTINUE;
}

std::string
RtspMedia::group_key (const std::string & name, unsigned stream, bool srtp)
{
  /* A group carries plain RTP or SRTP, never both: SRTP readers have a group of their own. */
  return (name.empty () ? "" : name + "/") + "stream=" + std::to_string (stream)
      + (srtp ? ";srtp" : "");
}

bool
RtspMedia::multicast_acquire (const std::string & name, unsigned stream, bool srtp,
    MulticastDestination & destination)
{
  if (!pool_)
    return false;
  std::string key = group_key (name, stream, srtp);
  std::optional<MulticastGroup> group = pool_->acquire (key);
  if (!group) {
    GST_WARNING ("the multicast pool is used up: no group for %s", key.c_str ());
    return false;
  }
  destination.address = group->address;
  destination.rtp_port = group->rtp_port;
  destination.rtcp_port = group->rtcp_port;
  destination.ttl = group->ttl;
  if (groups_.count (key))
    return true;

  /* The first reader: the stream's packets get the TTL (the relay sees to its own), and the
   * server listens to the group's RTCP port for the readers' receiver reports (RFC 3550 6: they
   * go to the group). */
  auto g = std::make_unique<Group> ();
  g->stream = stream;
  g->own = name.empty ();
  g->destination = destination;
  std::vector<RtspStream *> streams = streams_snapshot ();
  if (g->own && stream < streams.size ())
    streams[stream]->prepare_multicast (destination.ttl, address_);
  GInetAddress *ia = g_inet_address_new_from_string (destination.address.c_str ());
  GError *error = nullptr;
  g->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, &error);
  if (g->socket && ia) {
    GSocketAddress *sa = g_inet_socket_address_new (ia, destination.rtcp_port);
    /* GSocket joins by interface name only: the server's address picks the interface here. */
    ip_mreq join {};
    inet_pton (AF_INET, destination.address.c_str (), &join.imr_multiaddr);
    if (inet_pton (AF_INET, address_.c_str (), &join.imr_interface) != 1)
      join.imr_interface.s_addr = htonl (INADDR_ANY);
    if (g_socket_bind (g->socket, sa, TRUE, &error)
        && setsockopt (g_socket_get_fd (g->socket), IPPROTO_IP, IP_ADD_MEMBERSHIP, &join,
            sizeof (join)) != 0)
      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
    if (!error) {
      g_socket_set_blocking (g->socket, FALSE);
      g->source = g_socket_create_source (g->socket, G_IO_IN, nullptr);
      g_source_set_callback (g->source, G_SOURCE_FUNC (on_group_rtcp), g.get (), nullptr);
      g_source_attach (g->source, context_);
    }
    g_object_unref (sa);
  }
  if (error) {
    /* Readers still get the stream; only their receiver reports go unheard. */
    GST_WARNING ("cannot listen to %s port %d for receiver reports: %s",
        destination.address.c_str (), destination.rtcp_port, error->message);
    g_clear_error (&error);
  }
  g_clear_object (&ia);
  GST_INFO ("%s: multicast group %s ports %d-%d ttl %u", key.c_str (),
      destination.address.c_str (), destination.rtp_port, destination.rtcp_port,
      destination.ttl);
  groups_[key] = std::move (g);
  return true;
}

void
RtspMedia::multicast_release (const std::string & name, unsigned stream, bool srtp)
{
  if (!pool_)
    return;
  std::string key = group_key (name, stream, srtp);
  pool_->release (key);
  if (pool_->readers (key) == 0)
    groups_.erase (key);
}

}  // namespace meet
