/* Fuzz target: yoloblur's decoding of the detector's output tensor (float32 rows of 85 values), with
 * non-maximum suppression and the mapping back to frame pixels. */
#include "yolodecoder.h"

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  meet::YoloDecoder decoder;
  decoder.decode_bytes (data, size);
  return 0;
}
