/* meetstream: reads the declared shape of an ONNX model's first input.
 *
 * OpenCV 4.6 does not expose the input shape of a network read from ONNX, so this walks just
 * enough of the protobuf encoding (ModelProto.graph.input[0].type.tensor_type.shape) to find it.
 * Plain C++; parse_onnx_input_shape() takes raw bytes so a fuzzer can feed it anything.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace meet {

struct OnnxInputShape
{
  std::string name;
  /* One entry per dimension; -1 for a symbolic or missing size (e.g. "batch"). */
  std::vector<int64_t> dims;
};

/* Parses a serialized ONNX ModelProto. Returns false when the bytes are not a model with at
 * least one graph input carrying a tensor shape. */
bool parse_onnx_input_shape (const uint8_t *data, size_t size, OnnxInputShape &shape);

}  // namespace meet
