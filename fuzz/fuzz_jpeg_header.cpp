/* Fuzz target: meetjpegpay's JPEG header parser on arbitrary bytes; when it accepts a JPEG, the RFC 2435
 * headers it would send for the first packet and a later one are written too. */
#include "rfc2435.h"

#include <vector>

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  using namespace meet::rfc2435;
  JpegInfo info;
  if (parse_jpeg (data, size, info) != ParseStatus::kOk)
    return 0;
  std::vector<uint8_t> headers (first_packet_header_size (info));
  write_packet_headers (info, 0, headers.data ());
  headers.assign (packet_header_size (info), 0);
  write_packet_headers (info, static_cast<uint32_t> (info.scan_size / 2), headers.data ());
  return 0;
}
