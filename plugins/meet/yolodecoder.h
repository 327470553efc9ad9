/* meetstream: decodes the raw output tensor of a YOLOv5 detector into boxes in frame pixels.
 *
 * Plain C++ with no OpenCV and no GObject, so it can be unit-tested on hand-made tensors and fuzzed
 * through decode_bytes().
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace meet {

/* Axis-aligned box in pixels: top-left corner plus size. */
struct Box
{
  float x = 0, y = 0, width = 0, height = 0;
};

struct Detection
{
  Box box;               /* in frame pixels, clipped to the frame */
  float confidence = 0;  /* objectness x class score */
  int class_id = -1;
  int missed = 0;        /* consecutive detection runs that no longer found it (see carry_missed) */
};

/* How a frame was fitted into the square network input while keeping its aspect ratio:
 * input = frame * scale + (pad_x, pad_y). Top-left padding has pad_x = pad_y = 0; a centred
 * letterbox has the padding split between both sides. */
struct InputGeometry
{
  int frame_width = 0, frame_height = 0;
  int input_width = 0, input_height = 0;
  float scale = 1;
  float pad_x = 0, pad_y = 0;

  /* Fits frame_width x frame_height into input_width x input_height, scaled by the longer side.
   * centred = false pads right and bottom only (the frame sits at the top-left). */
  static InputGeometry fit (int frame_width, int frame_height, int input_width, int input_height,
      bool centred);
};

class YoloDecoder
{
public:
  float confidence_threshold = 0.25f;
  float nms_threshold = 0.45f;
  /* Class ids to keep; empty keeps every class. */
  std::set<int> classes;

  /* Decodes `rows` rows of `row_length` floats each: cx, cy, w, h (network input pixels),
   * objectness, then row_length - 5 class scores (all already through a sigmoid). Rows with a
   * non-finite value are skipped. Returns detections sorted by descending confidence, after
   * per-class non-maximum suppression, mapped to frame pixels through `geometry`. */
  std::vector<Detection> decode (const float *tensor, size_t rows, size_t row_length,
      const InputGeometry &geometry) const;

  /* Fuzzing entry point: `data` is read as native-endian float32 rows of 85 values (YOLOv5 on
   * COCO) fitted from a 1280x720 frame into 640x640; a trailing partial row is ignored. */
  std::vector<Detection> decode_bytes (const uint8_t *data, size_t size) const;
};

/* Intersection over union of two boxes, 0 when either is empty. */
float box_iou (const Box &a, const Box &b);

/* Adds to `current` the detections of `previous` it has lost (no box of the same class
 * overlapping with IoU >= min_iou), each for up to `max_missed` consecutive runs, so that a single
 * missed detection does not make a person flicker in and out of view. */
std::vector<Detection> carry_missed (const std::vector<Detection> &previous,
    std::vector<Detection> current, int max_missed, float min_iou = 0.3f);

}  // namespace meet
