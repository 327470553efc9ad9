/* meetstream: minimal protobuf walk to the first input shape of an ONNX model. */
#include "onnxshape.h"

namespace meet {

namespace {

/* A bounds-checked view on one protobuf message. */
class ProtoReader
{
public:
  ProtoReader (const uint8_t *data, size_t size) : pos_ (data), end_ (data + size) {}

  /* Advances to the next field; false at the end or on malformed input. */
  bool next (uint32_t &field, uint32_t &wire_type)
  {
    uint64_t key;
    if (pos_ >= end_ || !varint (key))
      return false;
    field = static_cast<uint32_t> (key >> 3);
    wire_type = static_cast<uint32_t> (key & 7);
    return field != 0;
  }

  bool varint (uint64_t &value)
  {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= end_)
        return false;
      const uint8_t byte = *pos_++;
      value |= static_cast<uint64_t> (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return true;
    }
    return false;
  }

  bool bytes (const uint8_t *&data, size_t &size)
  {
    uint64_t length;
    if (!varint (length) || length > static_cast<uint64_t> (end_ - pos_))
      return false;
    data = pos_;
    size = static_cast<size_t> (length);
    pos_ += size;
    return true;
  }

  /* Skips a field whose payload was not read. */
  bool skip (uint32_t wire_type)
  {
    uint64_t ignored;
    const uint8_t *data;
    size_t size;
    switch (wire_type) {
      case 0:
        return varint (ignored);
      case 1:
        return advance (8);
      case 2:
        return bytes (data, size);
      case 5:
        return advance (4);
      default:
        return false;  /* groups (3, 4) are not used by ONNX */
    }
  }

private:
  bool advance (size_t count)
  {
    if (count > static_cast<size_t> (end_ - pos_))
      return false;
    pos_ += count;
    return true;
  }

  const uint8_t *pos_;
  const uint8_t *end_;
};

/* Finds the first length-delimited field `wanted` of a message. */
bool
find_submessage (const uint8_t *data, size_t size, uint32_t wanted, const uint8_t *&sub,
    size_t &sub_size)
{
  ProtoReader reader (data, size);
  uint32_t field, wire_type;
  while (reader.next (field, wire_type)) {
    if (field == wanted && wire_type == 2)
      return reader.bytes (sub, sub_size);
    if (!reader.skip (wire_type))
      return false;
  }
  return false;
}

/* TensorShapeProto.Dimension: dim_value = 1 (int64), dim_param = 2 (string). */
int64_t
parse_dimension (const uint8_t *data, size_t size)
{
  ProtoReader reader (data, size);
  uint32_t field, wire_type;
  uint64_t value;
  while (reader.next (field, wire_type)) {
    if (field == 1 && wire_type == 0) {
      if (!reader.varint (value))
        return -1;
      return static_cast<int64_t> (value) > 0 ? static_cast<int64_t> (value) : -1;
    }
    if (!reader.skip (wire_type))
      return -1;
  }
  return -1;
}

/* ValueInfoProto: name = 1, type = 2 -> TypeProto.tensor_type = 1 -> shape = 2 -> dim = 1. */
bool
parse_value_info (const uint8_t *data, size_t size, OnnxInputShape &shape)
{
  ProtoReader reader (data, size);
  uint32_t field, wire_type;
  const uint8_t *type = nullptr;
  size_t type_size = 0;
  while (reader.next (field, wire_type)) {
    const uint8_t *payload;
    size_t payload_size;
    if ((field == 1 || field == 2) && wire_type == 2) {
      if (!reader.bytes (payload, payload_size))
        return false;
      if (field == 1)
        shape.name.assign (reinterpret_cast<const char *> (payload), payload_size);
      else {
        type = payload;
        type_size = payload_size;
      }
    } else if (!reader.skip (wire_type)) {
      return false;
    }
  }

  const uint8_t *tensor, *dims;
  size_t tensor_size, dims_size;
  if (type == nullptr || !find_submessage (type, type_size, 1, tensor, tensor_size)
      || !find_submessage (tensor, tensor_size, 2, dims, dims_size))
    return false;

  ProtoReader dims_reader (dims, dims_size);
  shape.dims.clear ();
  while (dims_reader.next (field, wire_type)) {
    const uint8_t *dim;
    size_t dim_size;
    if (field == 1 && wire_type == 2) {
      if (!dims_reader.bytes (dim, dim_size))
        return false;
      shape.dims.push_back (parse_dimension (dim, dim_size));
    } else if (!dims_reader.skip (wire_type)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool
parse_onnx_input_shape (const uint8_t *data, size_t size, OnnxInputShape &shape)
{
  /* ModelProto.graph = 7; GraphProto.input = 11. */
  const uint8_t *graph, *input;
  size_t graph_size, input_size;
  if (data == nullptr || !find_submessage (data, size, 7, graph, graph_size)
      || !find_submessage (graph, graph_size, 11, input, input_size))
    return false;
  shape = OnnxInputShape ();
  return parse_value_info (input, input_size, shape);
}

}  // namespace meet
