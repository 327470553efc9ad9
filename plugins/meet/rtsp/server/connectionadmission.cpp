/* meetstream: which RTSP connections meetrtspsink keeps. See connectionadmission.h. */
#include "connectionadmission.h"

#include <map>

namespace meet {

AdmissionDecision
admit_connection (const std::string & host, const std::vector<ConnectionSummary> & open,
    size_t max_total, size_t max_per_host)
{
  AdmissionDecision decision;
  decision.accept = true;
  if (open.size () < max_total)
    return decision;

  /* Full: an idle connection makes room. The address holding more idle connections than
   * its share (max_per_host) pays first, and the newcomer's own address before others, so
   * a flood from one host only ever pushes out its own connections. */
  std::map<std::string, size_t> idle_by_host;
  for (const ConnectionSummary & c : open) {
    if (!c.has_session)
      idle_by_host[c.host]++;
  }
  std::string flooder;
  size_t most = 0;
  for (const auto & entry : idle_by_host) {
    bool over = entry.second >= max_per_host;
    if (over && (entry.second > most || (entry.second == most && entry.first == host))) {
      flooder = entry.first;
      most = entry.second;
    }
  }
  if (idle_by_host.count (host) && idle_by_host[host] >= max_per_host)
    flooder = host;

  const ConnectionSummary *victim = nullptr;
  for (const ConnectionSummary & c : open) {
    if (c.has_session || (!flooder.empty () && c.host != flooder))
      continue;
    if (!victim || c.opened_us < victim->opened_us
        || (c.opened_us == victim->opened_us && c.id < victim->id))
      victim = &c;
  }
  if (!victim) {
    /* Every connection plays or publishes: those are never closed. */
    decision.accept = false;
    return decision;
  }
  decision.close.push_back (victim->id);
  return decision;
}

}  // namespace meet
