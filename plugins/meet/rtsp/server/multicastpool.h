/* meetstream: the server's own pool of multicast groups (RFC 2326 multicast transport).
 *
 * A client never chooses where multicast goes (a Transport `destination=` stays refused): the
 * server hands out groups from a pool its operator configured, one group and port pair per stream,
 * shared by every multicast reader of that stream, so a packet is sent once whatever the number of
 * readers. The pool is plain C++ so its parsing and allocation are unit-tested without sockets.
 */
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meet {

struct MulticastGroup {
  std::string address;   // e.g. "239.255.42.0"
  int rtp_port = 0;      // even; RTCP goes to rtp_port + 1
  int rtcp_port = 0;
  unsigned ttl = 1;

  /* The Transport parameters a SETUP reply gives a multicast reader:
   * "destination=239.255.42.0;port=5000-5001;ttl=1". */
  std::string transport_params () const;
};

class MulticastPool {
public:
  /* @pool: "ADDRESS/PREFIX" of IPv4 administratively scoped or any multicast range (224.0.0.0/4),
   * e.g. "239.255.42.0/24"; @ports: "FIRST-LAST", an even first port, pairs allocated upward.
   * Returns nullopt with @error set when either does not parse or is not multicast. */
  static std::optional<MulticastPool> parse (const std::string & pool, const std::string & ports,
      unsigned ttl, std::string & error);

  /* The group of media stream @key (for example "meet/stream=0" or "meet/bob/stream=1"): the same
   * group for every call with the same key until it is released; nullopt when the pool is used up. */
  std::optional<MulticastGroup> acquire (const std::string & key);
  /* One reader of @key fewer; the group returns to the pool when the last one leaves. */
  void release (const std::string & key);
  /* Readers of @key now (0 when it has no group). */
  unsigned readers (const std::string & key) const;

  size_t capacity () const;

private:
  struct Allocation {
    uint32_t address;
    int port;
    unsigned readers;
  };

  uint32_t first_ = 0;
  uint32_t count_ = 0;       // addresses in the range
  int first_port_ = 0;
  int last_port_ = 0;
  unsigned ttl_ = 1;
  uint64_t next_ = 0;        // where the search for a free slot starts
  std::map<std::string, Allocation> allocations_;
};

}  // namespace meet
