/* libFuzzer target: raw bytes as L16 packets into meet::l16::Receiver (see feed_receiver). */
#include <cstddef>
#include <cstdint>

#include "l16.h"

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t * data, std::size_t size)
{
  meet::l16::feed_receiver (data, size);
  return 0;
}
