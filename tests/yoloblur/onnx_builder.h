/* meetstream tests: writes tiny hand-made ONNX models (protobuf encoded by hand), to check how
 * yoloblur reacts to models that are valid ONNX but not YOLOv5. */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meet_test {

inline void
put_varint (std::string &out, uint64_t value)
{
  while (value >= 0x80) {
    out += static_cast<char> ((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char> (value);
}

inline void
put_bytes (std::string &out, uint32_t field, const std::string &payload)
{
  put_varint (out, (field << 3) | 2);
  put_varint (out, payload.size ());
  out += payload;
}

inline void
put_int (std::string &out, uint32_t field, uint64_t value)
{
  put_varint (out, field << 3);
  put_varint (out, value);
}

/* ValueInfoProto for a float tensor. */
inline std::string
value_info (const std::string &name, const std::vector<int64_t> &dims)
{
  std::string shape;
  for (int64_t dim : dims) {
    std::string dimension;
    put_int (dimension, 1, static_cast<uint64_t> (dim));
    put_bytes (shape, 1, dimension);
  }
  std::string tensor;
  put_int (tensor, 1, 1);  /* elem_type FLOAT */
  put_bytes (tensor, 2, shape);
  std::string type;
  put_bytes (type, 1, tensor);
  std::string info;
  put_bytes (info, 1, name);
  put_bytes (info, 2, type);
  return info;
}

/* A model whose single node copies input x (of shape dims) to output y. */
inline std::string
identity_model (const std::vector<int64_t> &dims)
{
  std::string node;
  put_bytes (node, 1, "x");
  put_bytes (node, 2, "y");
  put_bytes (node, 4, "Identity");
  std::string graph;
  put_bytes (graph, 1, node);
  put_bytes (graph, 2, "identity");
  put_bytes (graph, 11, value_info ("x", dims));
  put_bytes (graph, 12, value_info ("y", dims));
  std::string opset;
  put_int (opset, 2, 12);
  std::string model;
  put_int (model, 1, 7);
  put_bytes (model, 7, graph);
  put_bytes (model, 8, opset);
  return model;
}

}  // namespace meet_test
