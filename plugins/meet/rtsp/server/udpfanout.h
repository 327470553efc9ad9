/* meetstream: how a sequence of RTP packets is cut into UDP segmentation offload (GSO) messages. */
#pragma once

#include <cstddef>
#include <vector>

namespace meet {

/* The most datagrams one UDP_SEGMENT send may carry (the kernel's UDP_MAX_SEGMENTS). */
constexpr size_t kGsoMaxSegments = 64;
/* The most UDP payload one send may carry: the IP packet length field (65535) less the IPv4 +
 * UDP headers (20 + 8) and IPv6 + UDP headers (40 + 8). */
constexpr size_t kGsoMaxBytesIpv4 = 65507;
constexpr size_t kGsoMaxBytesIpv6 = 65487;

/* Packets first .. first + count - 1, sent in one message. With count > 1 they are
 * segment_size bytes each except the last, which may be shorter: the kernel cuts the message
 * into those datagrams (UDP_SEGMENT = segment_size). */
struct GsoBatch {
  size_t first;
  size_t count;
  size_t segment_size;
};

/* Groups packets of the given sizes, in order, into batches: runs of equal-sized packets plus
 * at most one trailing shorter (non-empty) one, at most max_segments packets and max_bytes
 * bytes a batch. Every other packet (empty, oversized, or after a shorter one) is a batch of
 * its own. */
std::vector<GsoBatch> plan_gso_batches (const std::vector<size_t> & sizes,
    size_t max_segments = kGsoMaxSegments, size_t max_bytes = kGsoMaxBytesIpv4);

}  // namespace meet
