/* meetstream: how a sequence of RTP packets is cut into UDP segmentation offload (GSO) messages. */
#include "udpfanout.h"

namespace meet {

std::vector<GsoBatch>
plan_gso_batches (const std::vector<size_t> & sizes, size_t max_segments, size_t max_bytes)
{
  std::vector<GsoBatch> batches;
  size_t i = 0;
  while (i < sizes.size ()) {
    const size_t segment = sizes[i];
    size_t end = i + 1;
    if (segment > 0 && segment <= max_bytes) {
      size_t bytes = segment;
      while (end < sizes.size () && end - i < max_segments && sizes[end] == segment &&
          bytes + segment <= max_bytes) {
        bytes += segment;
        end++;
      }
      if (end < sizes.size () && end - i < max_segments && sizes[end] > 0 &&
          sizes[end] < segment && bytes + sizes[end] <= max_bytes)
        end++;
    }
    batches.push_back ({ i, end - i, segment });
    i = end;
  }
  return batches;
}

}  // namespace meet
