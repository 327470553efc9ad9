/* meetstream: YOLOv5 output decoding (threshold, per-class NMS, mapping back to frame pixels). */
#include "yolodecoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace meet {

InputGeometry
InputGeometry::fit (int frame_width, int frame_height, int input_width, int input_height,
    bool centred)
{
  InputGeometry geometry;
  geometry.frame_width = frame_width;
  geometry.frame_height = frame_height;
  geometry.input_width = input_width;
  geometry.input_height = input_height;
  if (frame_width <= 0 || frame_height <= 0)
    return geometry;
  geometry.scale = std::min (static_cast<float> (input_width) / frame_width,
      static_cast<float> (input_height) / frame_height);
  if (centred) {
    geometry.pad_x = (input_width - frame_width * geometry.scale) / 2;
    geometry.pad_y = (input_height - frame_height * geometry.scale) / 2;
  }
  return geometry;
}

float
box_iou (const Box &a, const Box &b)
{
  const float left = std::max (a.x, b.x);
  const float top = std::max (a.y, b.y);
  const float right = std::min (a.x + a.width, b.x + b.width);
  const float bottom = std::min (a.y + a.height, b.y + b.height);
  if (right <= left || bottom <= top)
    return 0;
  const float intersection = (right - left) * (bottom - top);
  const float union_area = a.width * a.height + b.width * b.height - intersection;
  return union_area > 0 ? intersection / union_area : 0;
}

std::vector<Detection>
YoloDecoder::decode (const float *tensor, size_t rows, size_t row_length,
    const InputGeometry &geometry) const
{
  std::vector<Detection> candidates;
  if (tensor == nullptr || row_length < 6 || geometry.scale <= 0)
    return candidates;

  const size_t class_count = row_length - 5;
  for (size_t r = 0; r < rows; r++) {
    const float *row = tensor + r * row_length;
    const float objectness = row[4];
    /* Cheap reject first: no class score can lift a weak objectness over the threshold. */
    if (!(objectness > confidence_threshold))
      continue;
    size_t best = 0;
    for (size_t c = 1; c < class_count; c++)
      if (row[5 + c] > row[5 + best])
        best = c;
    const float confidence = objectness * row[5 + best];
    if (!(confidence > confidence_threshold) || !std::isfinite (confidence))
      continue;
    if (!classes.empty () && classes.count (static_cast<int> (best)) == 0)
      continue;
    if (!std::isfinite (row[0]) || !std::isfinite (row[1]) || !std::isfinite (row[2])
        || !std::isfinite (row[3]) || !(row[2] > 0) || !(row[3] > 0))
      continue;

    Detection detection;
    detection.confidence = confidence;
    detection.class_id = static_cast<int> (best);
    detection.box.x = (row[0] - row[2] / 2 - geometry.pad_x) / geometry.scale;
    detection.box.y = (row[1] - row[3] / 2 - geometry.pad_y) / geometry.scale;
    detection.box.width = row[2] / geometry.scale;
    detection.box.height = row[3] / geometry.scale;
    candidates.push_back (detection);
  }

  std::stable_sort (candidates.begin (), candidates.end (),
      [] (const Detection &a, const Detection &b) { return a.confidence > b.confidence; });

  /* Greedy per-class NMS, as cv::dnn::NMSBoxes does for each class separately, on the unclipped
   * boxes so the result does not depend on the frame edges. */
  std::vector<Detection> kept;
  for (const Detection &candidate : candidates) {
    bool suppressed = false;
    for (const Detection &winner : kept) {
      if (winner.class_id == candidate.class_id
          && box_iou (winner.box, candidate.box) > nms_threshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed)
      kept.push_back (candidate);
  }

  const float frame_width = static_cast<float> (geometry.frame_width);
  const float frame_height = static_cast<float> (geometry.frame_height);
  std::vector<Detection> result;
  for (Detection detection : kept) {
    Box &box = detection.box;
    const float left = std::clamp (box.x, 0.0f, frame_width);
    const float top = std::clamp (box.y, 0.0f, frame_height);
    const float right = std::clamp (box.x + box.width, 0.0f, frame_width);
    const float bottom = std::clamp (box.y + box.height, 0.0f, frame_height);
    if (right <= left || bottom <= top)
      continue;
    box = Box { left, top, right - left, bottom - top };
    result.push_back (detection);
  }
  return result;
}

std::vector<Detection>
carry_missed (const std::vector<Detection> &previous, std::vector<Detection> current,
    int max_missed, float min_iou)
{
  const size_t found = current.size ();
  for (const Detection &old : previous) {
    if (old.missed >= max_missed)
      continue;
    bool seen = false;
    for (size_t i = 0; i < found && !seen; i++)
      seen = current[i].class_id == old.class_id && box_iou (current[i].box, old.box) >= min_iou;
    if (!seen) {
      Detection held = old;
      held.missed++;
      current.push_back (held);
    }
  }
  return current;
}

std::vector<Detection>
YoloDecoder::decode_bytes (const uint8_t *data, size_t size) const
{
  constexpr size_t row_length = 85;
  const size_t rows = size / (row_length * sizeof (float));
  std::vector<float> tensor (rows * row_length);
  if (rows > 0)
    std::memcpy (tensor.data (), data, tensor.size () * sizeof (float));
  return decode (tensor.data (), rows, row_length, InputGeometry::fit (1280, 720, 640, 640, false));
}

}  // namespace meet
