/* libFuzzer target for the RFC 2435 code that sees untrusted bytes (build with -Dfuzzing=true,
 * CXX=clang++). The first byte picks the target:
 *  even: parse_jpeg() on the rest (what meetjpegpay does with every input image);
 *  odd:  the rest is a sequence of RTP payloads for JpegDepacketizer (what meetjpegdepay does),
 *        each as [length 2 bytes][timestamp 1 byte][marker 1 byte][payload], and every frame it
 *        completes must parse as a JPEG RFC 2435 can carry. */
#include "rfc2435.h"

#include <cstdlib>

namespace rfc = meet::rfc2435;

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  if (size == 0)
    return 0;
  const bool depacketize = data[0] & 1;
  data++;
  size--;

  if (!depacketize) {
    rfc::JpegInfo info;
    if (rfc::parse_jpeg (data, size, info) == rfc::ParseStatus::kOk &&
        info.scan_offset + info.scan_size > size)
      abort ();
    return 0;
  }

  rfc::JpegDepacketizer depacketizer;
  depacketizer.set_dimensions_hint (64, 48);
  while (size >= 4) {
    const size_t len = std::min<size_t> ((data[0] << 8) | data[1], size - 4);
    const uint32_t ts = data[2];
    const bool marker = data[3] & 1;
    if (depacketizer.push (data + 4, len, ts, marker) == rfc::JpegDepacketizer::Result::kFrameReady) {
      const std::vector<uint8_t> frame = depacketizer.take_frame ();
      rfc::JpegInfo info;
      if (rfc::parse_jpeg (frame.data (), frame.size (), info) != rfc::ParseStatus::kOk)
        abort ();
    }
    data += 4 + len;
    size -= 4 + len;
  }
  return 0;
}
