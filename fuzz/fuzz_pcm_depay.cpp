/* Fuzz target: meetpcmdepay's L16 packet handling (meet::l16::feed_receiver: a channel count, then
 * records of sequence number, length and payload). */
#include "l16.h"

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  meet::l16::feed_receiver (data, size);
  return 0;
}
