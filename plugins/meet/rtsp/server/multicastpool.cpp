/* meetstream: the server's own pool of multicast groups. See multicastpool.h. */
#include "multicastpool.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <set>
#include <utility>

namespace meet {

namespace {

bool
parse_ipv4 (const std::string & text, uint32_t & out)
{
  in_addr addr;
  if (inet_pton (AF_INET, text.c_str (), &addr) != 1)
    return false;
  out = ntohl (addr.s_addr);
  return true;
}

std::string
format_ipv4 (uint32_t address)
{
  in_addr addr;
  addr.s_addr = htonl (address);
  char text[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &addr, text, sizeof text);
  return text;
}

bool
parse_number (const std::string & text, long min, long max, long & out)
{
  if (text.empty () || text.size () > 6)
    return false;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
  }
  out = std::strtol (text.c_str (), nullptr, 10);
  return out >= min && out <= max;
}

}  // namespace

std::string
MulticastGroup::transport_params () const
{
  return "destination=" + address + ";port=" + std::to_string (rtp_port) + "-" +
      std::to_string (rtcp_port) + ";ttl=" + std::to_string (ttl);
}

std::optional<MulticastPool>
MulticastPool::parse (const std::string & pool, const std::string & ports, unsigned ttl,
    std::string & error)
{
  MulticastPool result;
  size_t slash = pool.find ('/');
  std::string address = pool.substr (0, slash);
  long prefix = 32;
  uint32_t base;
  if (!parse_ipv4 (address, base) ||
      (slash != std::string::npos && !parse_number (pool.substr (slash + 1), 4, 32, prefix))) {
    error = "multicast-address-pool \"" + pool + "\" is not ADDRESS/PREFIX, e.g. 239.255.42.0/24";
    return std::nullopt;
  }
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t (0) << (32 - prefix);
  base &= mask;
  /* 224.0.0.0/4 is multicast; 224.0.0.0/24 is link-local control traffic (IGMP, routing protocols)
   * that must never carry media. */
  if ((base >> 28) != 0xE || (0xE0000000u & mask) == base) {
    error = "multicast-address-pool \"" + pool + "\" is not a multicast range outside 224.0.0.0/24 "
        "(use e.g. 239.255.42.0/24, administratively scoped)";
    return std::nullopt;
  }
  result.first_ = base;
  result.count_ = static_cast<uint32_t> ((uint64_t (1) << (32 - prefix)));

  size_t dash = ports.find ('-');
  long first, last;
  if (dash == std::string::npos || !parse_number (ports.substr (0, dash), 1024, 65534, first) ||
      !parse_number (ports.substr (dash + 1), 1025, 65535, last) || first % 2 != 0 || last <= first) {
    error = "multicast-port-range \"" + ports + "\" is not FIRST-LAST with an even FIRST above 1023, "
        "e.g. 5000-5999";
    return std::nullopt;
  }
  if (ttl < 1 || ttl > 255) {
    error = "multicast-ttl must be 1-255";
    return std::nullopt;
  }
  result.first_port_ = static_cast<int> (first);
  result.last_port_ = static_cast<int> (last);
  result.ttl_ = ttl;
  return result;
}

size_t
MulticastPool::capacity () const
{
  size_t pairs = static_cast<size_t> ((last_port_ - first_port_ + 1) / 2);
  return static_cast<size_t> (count_) * pairs;
}

std::optional<MulticastGroup>
MulticastPool::acquire (const std::string & key)
{
  auto found = allocations_.find (key);
  if (found == allocations_.end ()) {
    std::set<std::pair<uint32_t, int>> used;
    for (const auto & entry : allocations_)
      used.insert ({ entry.second.address, entry.second.port });
    size_t slots = capacity ();
    if (used.size () >= slots)
      return std::nullopt;
    size_t pairs = static_cast<size_t> ((last_port_ - first_port_ + 1) / 2);
    std::set<uint32_t> used_addresses;
    std::set<int> used_ports;
    for (const auto & entry : used) {
      used_addresses.insert (entry.first);
      used_ports.insert (entry.second);
    }
    /* A group per stream on an address AND a port of its own while they last. An address of its own lets
     * a host receive only the streams it joined; a port of its own matters as much: a reader's socket bound
     * to port P takes every joined group's packets to P (Linux's IP_MULTICAST_ALL), so two streams on one
     * port would reach each other's sockets. Only when either runs out do streams share one of them. */
    for (size_t i = 0; i < count_ && found == allocations_.end (); i++) {
      uint32_t address = first_ + static_cast<uint32_t> ((next_ + i) % count_);
      if (used_addresses.count (address))
        continue;
      for (size_t j = 0; j < pairs; j++) {
        int port = first_port_ + 2 * static_cast<int> ((next_ + j) % pairs);
        if (!used_ports.count (port)) {
          next_ = (next_ + 1) % slots;
          found = allocations_.emplace (key, Allocation { address, port, 0 }).first;
          break;
        }
      }
    }
    for (size_t i = 0; i < slots && found == allocations_.end (); i++) {
      uint64_t slot = (next_ + i) % slots;
      uint32_t address = first_ + static_cast<uint32_t> (slot % count_);
      int port = first_port_ + 2 * static_cast<int> ((slot / count_) % pairs);
      if (!used.count ({ address, port })) {
        next_ = slot + 1;
        found = allocations_.emplace (key, Allocation { address, port, 0 }).first;
      }
    }
    if (found == allocations_.end ())
      return std::nullopt;
  }
  found->second.readers++;
  MulticastGroup group;
  group.address = format_ipv4 (found->second.address);
  group.rtp_port = found->second.port;
  group.rtcp_port = found->second.port + 1;
  group.ttl = ttl_;
  return group;
}

void
MulticastPool::release (const std::string & key)
{
  auto found = allocations_.find (key);
  if (found == allocations_.end ())
    return;
  if (--found->second.readers == 0)
    allocations_.erase (found);
}

unsigned
MulticastPool::readers (const std::string & key) const
{
  auto found = allocations_.find (key);
  return found == allocations_.end () ? 0 : found->second.readers;
}

}  // namespace meet
