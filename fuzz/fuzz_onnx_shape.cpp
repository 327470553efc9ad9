/* Fuzz target: yoloblur's reading of a model file's input shape (a walk through the ONNX protobuf),
 * which sees whatever file the user points the model property at. */
#include "onnxshape.h"

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  meet::OnnxInputShape shape;
  meet::parse_onnx_input_shape (data, size, shape);
  return 0;
}
