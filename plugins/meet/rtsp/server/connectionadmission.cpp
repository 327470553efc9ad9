/* meetstream: which RTSP connections meetrtspsink keeps. See connectionadmission.h. */
#include "connectionadmission.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace meet {

namespace {

/* When the connection last did something useful: opened, or answered a request. */
int64_t
since (const ConnectionSummary & c)
{
  return !c.answered || c.partial ? c.opened_us : c.last_activity_us;
}

bool
stale (const ConnectionSummary & c, int64_t now_us)
{
  return now_us - since (c) >= kAdmissionGraceUs;
}

/* Lower is closed first. */
std::tuple<int, int, int64_t, uint64_t>
usefulness (const ConnectionSummary & c, int64_t now_us)
{
  return { stale (c, now_us) ? 0 : 1, !c.answered || c.partial ? 0 : 1, since (c), c.id };
}

bool
closable (const ConnectionSummary & c)
{
  return !c.has_session;
}

}  // namespace

AdmissionDecision
admit_connection (const std::string & host, const std::vector<ConnectionSummary> & open,
    size_t max_total, size_t max_per_host, int64_t now_us)
{
  AdmissionDecision decision;
  decision.accept = true;
  auto closed = [&](const ConnectionSummary & c) {
    return std::find (decision.close.begin (), decision.close.end (), c.id)
        != decision.close.end ();
  };
  auto least_useful = [&](const std::string *only_host, bool stale_only)
      -> const ConnectionSummary * {
    const ConnectionSummary *victim = nullptr;
    for (const ConnectionSummary & c : open) {
      if (!closable (c) || closed (c) || (only_host && c.host != *only_host)
          || (stale_only && !stale (c, now_us)))
        continue;
      if (!victim || usefulness (c, now_us) < usefulness (*victim, now_us))
        victim = &c;
    }
    return victim;
  };

  /* Per address, always: the newcomer's address at its share pays with its own stale
   * connections, down to one less than its share (room for the newcomer). */
  size_t own = std::count_if (open.begin (), open.end (), [&](const ConnectionSummary & c) {
        return c.host == host && closable (c);
      });
  while (max_per_host > 0 && own >= max_per_host) {
    const ConnectionSummary *victim = least_useful (&host, true);
    if (!victim)
      break;
    decision.close.push_back (victim->id);
    own--;
  }
  if (open.size () - decision.close.size () < max_total)
    return decision;

  /* Full: the address holding the most closable connections pays first (the newcomer's own
   * among equals), so a flood from one host only ever pushes out its own connections. */
  std::map<std::string, size_t> idle_by_host;
  for (const ConnectionSummary & c : open) {
    if (closable (c) && !closed (c))
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
  const ConnectionSummary *victim = flooder.empty () ? nullptr : least_useful (&flooder, false);
  if (!victim)
    victim = least_useful (nullptr, false);
  if (!victim) {
    /* Every connection plays or publishes: those are never closed. */
    decision.accept = false;
    return decision;
  }
  decision.close.push_back (victim->id);
  return decision;
}

}  // namespace meet
