/* Fuzz target: meetjpegdepay's RFC 2435 fragment reassembly. The input is a sequence of packets, each
 * [flags][length hi][length lo][payload...]: flags bit 0 is the RTP marker, bit 1 moves on to the next
 * RTP timestamp (a new frame), bit 2 resets the depacketizer (a flush). The first two bytes are the
 * out-of-band dimensions hint in units of 8 pixels. */
#include "rfc2435.h"

#include <algorithm>

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  meet::rfc2435::JpegDepacketizer depacketizer;
  if (size < 2)
    return 0;
  depacketizer.set_dimensions_hint (data[0] * 8u, data[1] * 8u);
  size_t pos = 2;
  uint32_t timestamp = 90000;
  while (pos + 3 <= size) {
    const uint8_t flags = data[pos];
    const size_t length = std::min<size_t> ((data[pos + 1] << 8) | data[pos + 2], size - pos - 3);
    pos += 3;
    if (flags & 2)
      timestamp += 3000;
    if (flags & 4)
      depacketizer.reset ();
    if (depacketizer.push (data + pos, length, timestamp, flags & 1) ==
        meet::rfc2435::JpegDepacketizer::Result::kFrameReady)
      depacketizer.take_frame ();
    pos += length;
  }
  return 0;
}
