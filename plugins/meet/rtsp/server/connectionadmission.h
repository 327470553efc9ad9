/* meetstream: which RTSP connections meetrtspsink keeps when a new one arrives.
 *
 * Idle or half-open connections must never keep real clients out. Two rules, both always on:
 * - one address may hold only max_per_host connections without a session (a new one beyond that
 *   pushes out that address's own least useful one that is stale: opened or last active more than
 *   kAdmissionGraceUs ago), so a flood from one host (slowloris) only ever displaces itself,
 *   however far the total is from its cap, while clients of one address (a NAT) that connect at
 *   once still get the second they need to set up a session;
 * - at the total cap, the least useful connection without a session makes room: of the address
 *   with the most of them first; stale before fresh; the one that never finished a request (or is
 *   half-way through one), oldest first, before idle ones that did, least recently active first.
 * Connections with a session (set up, playing or publishing) are never chosen: when only those are
 * left, the newcomer is refused (503); sessions themselves are capped by max-clients. Plain C++,
 * no sockets.
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
  bool has_session = false;     // set up, plays or publishes: never closed
  bool answered = false;        // finished at least one request
  bool partial = false;         // is half-way through sending one
  int64_t last_activity_us = 0;
};

struct AdmissionDecision {
  bool accept = false;
  std::vector<uint64_t> close;     // close these first
};

/* How long a new or just active connection is safe from the per-address rule. */
constexpr int64_t kAdmissionGraceUs = 1000000;

/* Decides for a new connection from @host given the @open ones, at @now_us (the clock of
 * opened_us and last_activity_us; by default every connection counts as stale). */
AdmissionDecision admit_connection (const std::string & host,
    const std::vector<ConnectionSummary> & open, size_t max_total, size_t max_per_host,
    int64_t now_us = INT64_MAX);

}  // namespace meet
