/* meetstream: the RTSP client's transport fallback. See transportfallback.h. */
#include "transportfallback.h"

#include <algorithm>

namespace meet {

const char *
lower_transport_name (RtspLowerTransport transport)
{
  switch (transport) {
    case RtspLowerTransport::Udp:
      return "UDP";
    case RtspLowerTransport::Tcp:
      return "TCP";
    case RtspLowerTransport::UdpMulticast:
      return "multicast";
  }
  return "?";
}

void
TransportFallback::set_allowed (bool udp, bool tcp, bool multicast)
{
  allowed_.clear ();
  if (multicast)
    allowed_.push_back (RtspLowerTransport::UdpMulticast);
  if (udp || (!tcp && !multicast))
    allowed_.push_back (RtspLowerTransport::Udp);
  if (tcp)
    allowed_.push_back (RtspLowerTransport::Tcp);
}

bool
TransportFallback::allows (RtspLowerTransport transport) const
{
  return std::find (allowed_.begin (), allowed_.end (), transport) != allowed_.end ();
}

std::optional<RtspLowerTransport>
TransportFallback::next_after (RtspLowerTransport current) const
{
  auto it = std::find (allowed_.begin (), allowed_.end (), current);
  if (it == allowed_.end () || ++it == allowed_.end ())
    return std::nullopt;
  return *it;
}

void
TransportFallback::playing (int64_t now_us)
{
  play_started_us_ = now_us;
  got_data_ = false;
}

TransportFallback::Verdict
TransportFallback::check (int64_t now_us, int64_t last_data_us, unsigned timeout_ms,
    RtspLowerTransport current)
{
  int64_t last = last_data_us;
  if (last >= play_started_us_ && last > 0)
    got_data_ = true;
  else
    last = play_started_us_;
  if (now_us - last < static_cast<int64_t> (timeout_ms) * 1000)
    return Verdict::Fine;
  if (!got_data_) {
    /* TCP carries the data in the connection that answers us: silence there is the server. */
    std::optional<RtspLowerTransport> next = next_after (current);
    if (next && current != RtspLowerTransport::Tcp) {
      switch_to_ = *next;
      return Verdict::Switch;
    }
  }
  return Verdict::Lost;
}

std::string
TransportFallback::switch_message (const std::string &uri, unsigned timeout_ms,
    RtspLowerTransport from, RtspLowerTransport to)
{
  std::string message = std::string ("No ") + lower_transport_name (from) + " data from " + uri +
      " within " + std::to_string (timeout_ms) + " ms; switching to " +
      (to == RtspLowerTransport::Tcp ? "RTP over TCP" : to == RtspLowerTransport::Udp ?
          "unicast UDP" : "multicast") + ".";
  if (from == RtspLowerTransport::UdpMulticast)
    message += " (The network does not bring the group to this host: a switch or router that "
        "does not forward it, or a firewall dropping multicast.)";
  return message;
}

}  // namespace meet
