/* meetstream: the RTSP sessions of meetrtspsink's server. See rtspsessionpool.h. */
#include "rtspsessionpool.h"

#include <glib.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

namespace meet {

std::string
rtsp_random_hex (size_t bytes)
{
  std::vector<uint8_t> buf (bytes);
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom (buf.data () + got, bytes - got, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += n;
  }
  if (got < bytes) {
    /* Kernels without getrandom(2): the same CSPRNG through its device. */
    int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && got < bytes) {
      ssize_t n = read (fd, buf.data () + got, bytes - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += n;
    }
    if (fd >= 0)
      close (fd);
  }
  if (got < bytes)
    g_error ("meetstream: the kernel random number generator is unavailable");

  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : buf) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

RtspSession &
RtspSessionPool::create (uint64_t connection_id, const std::string & client_host,
    const std::string & user, const std::string & name, bool publisher, int64_t now_us)
{
  RtspSession fresh;
  do
    fresh.id = rtsp_random_hex (16);
  while (sessions_.count (fresh.id));
  fresh.connection_id = connection_id;
  fresh.user = user;
  fresh.client_host = client_host;
  fresh.name = name;
  fresh.publisher = publisher;
  fresh.last_activity_us = now_us;
  std::string id = fresh.id;
  return sessions_.emplace (id, std::move (fresh)).first->second;
}

RtspSession *
RtspSessionPool::find (const std::string & id)
{
  auto it = sessions_.find (id);
  return it == sessions_.end () ? nullptr : &it->second;
}

const RtspSession *
RtspSessionPool::find (const std::string & id) const
{
  auto it = sessions_.find (id);
  return it == sessions_.end () ? nullptr : &it->second;
}

RtspSession *
RtspSessionPool::find_for (const std::string & id, uint64_t connection_id)
{
  RtspSession *s = find (id);
  return s && s->connection_id == connection_id ? s : nullptr;
}

void
RtspSessionPool::remove (std::string id)
{
  sessions_.erase (id);
}

void
RtspSessionPool::remove_if (const std::function<bool (const RtspSession &)> & pred,
    const std::function<void (const RtspSession &)> & removed)
{
  for (auto it = sessions_.begin (); it != sessions_.end ();) {
    if (pred (it->second)) {
      if (removed)
        removed (it->second);
      it = sessions_.erase (it);
    } else {
      ++it;
    }
  }
}

void
RtspSessionPool::touch (const std::string & id, int64_t now_us)
{
  if (RtspSession *s = find (id))
    s->last_activity_us = std::max (s->last_activity_us, now_us);
}

void
RtspSessionPool::touch_connection (uint64_t connection_id, int64_t now_us)
{
  for (auto & entry : sessions_) {
    if (entry.second.connection_id == connection_id)
      entry.second.last_activity_us = now_us;
  }
}

void
RtspSessionPool::touch_rtcp (unsigned stream, const std::string & host, int port, int64_t now_us)
{
  for (auto & entry : sessions_) {
    RtspSession & s = entry.second;
    if (s.client_host != host || stream >= s.streams.size ())
      continue;
    const RtspStreamTransport & t = s.streams[stream];
    if (!t.configured || t.tcp)
      continue;
    if (t.multicast ? port == 0 : (t.client_rtcp_port == port || t.client_rtp_port == port))
      s.last_activity_us = now_us;
  }
}

bool
RtspSessionPool::timed_out (const RtspSession & session, int64_t now_us) const
{
  return now_us - session.last_activity_us
      > static_cast<int64_t> (timeout_s_) * G_USEC_PER_SEC;
}

bool
RtspSessionPool::connection_has_session (uint64_t connection_id) const
{
  return std::any_of (sessions_.begin (), sessions_.end (),
      [&](const std::pair<const std::string, RtspSession> & e) {
        return e.second.connection_id == connection_id;
      });
}

bool
RtspSessionPool::channels_taken (uint64_t connection_id, const RtspSession * self, size_t stream,
    int a, int b) const
{
  for (const auto & entry : sessions_) {
    const RtspSession & other = entry.second;
    if (other.connection_id != connection_id)
      continue;
    for (size_t i = 0; i < other.streams.size (); i++) {
      const RtspStreamTransport & o = other.streams[i];
      if ((&other == self && i == stream) || !o.configured || !o.tcp)
        continue;
      if (o.rtp_channel == a || o.rtcp_channel == a || o.rtp_channel == b || o.rtcp_channel == b)
        return true;
    }
  }
  return false;
}

unsigned
RtspSessionPool::playing () const
{
  return std::count_if (sessions_.begin (), sessions_.end (),
      [](const std::pair<const std::string, RtspSession> & e) {
        return e.second.state == RtspSessionState::kPlaying;
      });
}

}  // namespace meet
