/* meetstream: which lower transport an RTSP client tries next, and when silence means "try the
 * next one" rather than "the server is gone".
 *
 * The allowed transports are tried in a fixed order (multicast, unicast UDP, then RTP
 * interleaved on the RTSP TCP connection). A transport that is set up but over which no packet ever arrives within the
 * timeout (a firewall, NAT) makes the client switch to the next one; data that stops after it
 * flowed means the server is gone (reconnect). The 461 answer to SETUP is handled by
 * RtspClientLogic itself. Plain C++ (no GObject, no sockets), unit-tested in
 * tests/test_rtspclientparts.cpp. */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtspclientlogic.h"

namespace meet {

const char *lower_transport_name (RtspLowerTransport transport);

class TransportFallback {
public:
  /* In the order tried; none at all means UDP. */
  void set_allowed (bool udp, bool tcp, bool multicast = false);
  const std::vector<RtspLowerTransport> &allowed () const { return allowed_; }
  bool allows (RtspLowerTransport transport) const;
  RtspLowerTransport first () const { return allowed_.front (); }
  /* The transport after @current, if any is left. */
  std::optional<RtspLowerTransport> next_after (RtspLowerTransport current) const;

  /* PLAY was answered at @now_us: judging silence starts over. */
  void playing (int64_t now_us);
  bool got_data () const { return got_data_; }

  enum class Verdict {
    Fine,               /* data flows, or the timeout has not passed yet */
    Switch,             /* nothing ever came over this transport: set up switch_to() */
    Lost,               /* data stopped (or nothing came and nothing is left to try) */
  };
  /* Called periodically while playing: @last_data_us is when the last packet arrived (0: none). */
  Verdict check (int64_t now_us, int64_t last_data_us, unsigned timeout_ms,
      RtspLowerTransport current);
  RtspLowerTransport switch_to () const { return switch_to_; }

  /* "No UDP data from URI within N ms; switching to RTP over TCP." (and for multicast, why it
   * may not arrive) */
  static std::string switch_message (const std::string &uri, unsigned timeout_ms,
      RtspLowerTransport from, RtspLowerTransport to);

private:
  std::vector<RtspLowerTransport> allowed_ {RtspLowerTransport::Udp, RtspLowerTransport::Tcp};
  int64_t play_started_us_ = 0;
  bool got_data_ = false;
  RtspLowerTransport switch_to_ = RtspLowerTransport::Tcp;
};

}  // namespace meet
