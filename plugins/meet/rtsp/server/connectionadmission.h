/* meetstream: which RTSP connections meetrtspsink keeps when a new one arrives.
 *
 * Idle or half-open connections must never keep real clients out: at the cap, the oldest
 * connection without a session makes room, and one address may hold only so many
 * connections, so a flood from one host (slowloris) cannot lock a meeting. Connections
 * with a session (playing or publishing) are never chosen. Plain C++, no sockets.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace meet {

struct ConnectionSummary {
  uint64_t id = 0;
  std::string host;
  int64_t opened_us = 0;
  bool has_session = false;
};

struct AdmissionDecision {
  bool accept = false;
  std::vector<uint64_t> close;     // close these first
};

/* Decides for a new connection from @host given the @open ones. */
AdmissionDecision admit_connection (const std::string & host,
    const std::vector<ConnectionSummary> & open, size_t max_total, size_t max_per_host);

}  // namespace meet
