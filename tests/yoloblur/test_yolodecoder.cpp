/* meetstream tests: YoloDecoder, ONNX input shape, COCO class lists and the model locator, on
 * hand-made data (no model run). */
#include "cococlasses.h"
#include "modellocator.h"
#include "onnx_builder.h"
#include "onnxshape.h"
#include "yolodecoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>

using meet::Box;
using meet::Detection;
using meet::InputGeometry;
using meet::YoloDecoder;

namespace {

const size_t row_length = 85;

/* One output row: box in network pixels, objectness, and one non-zero class score. */
std::vector<float>
row (float cx, float cy, float w, float h, float objectness, int class_id, float score)
{
  std::vector<float> values (row_length, 0.0f);
  values[0] = cx;
  values[1] = cy;
  values[2] = w;
  values[3] = h;
  values[4] = objectness;
  values[5 + class_id] = score;
  return values;
}

std::vector<Detection>
decode (const YoloDecoder &decoder, const std::vector<std::vector<float>> &rows,
    const InputGeometry &geometry)
{
  std::vector<float> tensor;
  for (const auto &r : rows)
    tensor.insert (tensor.end (), r.begin (), r.end ());
  return decoder.decode (tensor.data (), rows.size (), row_length, geometry);
}

YoloDecoder
all_classes ()
{
  YoloDecoder decoder;
  decoder.classes.clear ();
  return decoder;
}

}  // namespace

TEST (InputGeometry, PadKeepsAspectRatioAtTopLeft)
{
  const InputGeometry g = InputGeometry::fit (1280, 720, 640, 640, false);
  EXPECT_FLOAT_EQ (g.scale, 0.5f);
  EXPECT_FLOAT_EQ (g.pad_x, 0.0f);
  EXPECT_FLOAT_EQ (g.pad_y, 0.0f);

  const InputGeometry portrait = InputGeometry::fit (810, 1080, 640, 640, false);
  EXPECT_FLOAT_EQ (portrait.scale, 640.0f / 1080.0f);
}

TEST (InputGeometry, LetterboxCentres)
{
  const InputGeometry g = InputGeometry::fit (1280, 720, 640, 640, true);
  EXPECT_FLOAT_EQ (g.scale, 0.5f);
  EXPECT_FLOAT_EQ (g.pad_x, 0.0f);
  EXPECT_FLOAT_EQ (g.pad_y, 140.0f);
}

TEST (YoloDecoder, MapsPaddedBoxToFramePixels)
{
  /* A 200x100 box centred at (300, 200) in the network input is (400, 300, 400, 200) in a
   * 1280x720 frame scaled by 1/2. */
  const auto detections = decode (all_classes (), { row (300, 200, 200, 100, 0.9f, 0, 0.9f) },
      InputGeometry::fit (1280, 720, 640, 640, false));
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_FLOAT_EQ (detections[0].box.x, 400);
  EXPECT_FLOAT_EQ (detections[0].box.y, 300);
  EXPECT_FLOAT_EQ (detections[0].box.width, 400);
  EXPECT_FLOAT_EQ (detections[0].box.height, 200);
  EXPECT_FLOAT_EQ (detections[0].confidence, 0.81f);
  EXPECT_EQ (detections[0].class_id, 0);
}

TEST (YoloDecoder, MapsLetterboxedBoxToFramePixels)
{
  const auto detections = decode (all_classes (), { row (300, 340, 200, 100, 0.9f, 0, 0.9f) },
      InputGeometry::fit (1280, 720, 640, 640, true));
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_FLOAT_EQ (detections[0].box.x, 400);
  EXPECT_FLOAT_EQ (detections[0].box.y, 300);
}

TEST (YoloDecoder, ClipsBoxesToTheFrame)
{
  /* Reaches 20 input pixels past the left edge and into the padding below the frame. */
  const auto detections = decode (all_classes (), { row (30, 340, 100, 80, 0.9f, 0, 0.9f) },
      InputGeometry::fit (1280, 720, 640, 640, false));
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_FLOAT_EQ (detections[0].box.x, 0);
  EXPECT_FLOAT_EQ (detections[0].box.width, 160);
  EXPECT_FLOAT_EQ (detections[0].box.y, 600);
  EXPECT_FLOAT_EQ (detections[0].box.height, 120);
}

TEST (YoloDecoder, DropsBoxesEntirelyInThePadding)
{
  const auto detections = decode (all_classes (), { row (300, 500, 100, 80, 0.9f, 0, 0.9f) },
      InputGeometry::fit (1280, 720, 640, 640, false));
  EXPECT_TRUE (detections.empty ());
}

TEST (YoloDecoder, ConfidenceIsObjectnessTimesClassScore)
{
  YoloDecoder decoder = all_classes ();
  const InputGeometry g = InputGeometry::fit (640, 640, 640, 640, false);
  /* 0.5 x 0.6 = 0.30 passes 0.25; 0.9 x 0.25 = 0.225 does not, although both parts alone would. */
  const auto detections = decode (decoder, {
        row (100, 100, 50, 50, 0.5f, 0, 0.6f),
        row (400, 400, 50, 50, 0.9f, 0, 0.25f),
      }, g);
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_NEAR (detections[0].confidence, 0.30f, 1e-6);

  decoder.confidence_threshold = 0.35f;
  EXPECT_TRUE (decode (decoder, { row (100, 100, 50, 50, 0.5f, 0, 0.6f) }, g).empty ());
}

TEST (YoloDecoder, PicksTheBestClass)
{
  std::vector<float> r = row (100, 100, 50, 50, 0.9f, 16, 0.8f);
  r[5 + 0] = 0.3f;
  const auto detections = decode (all_classes (), { r }, InputGeometry::fit (640, 640, 640, 640,
          false));
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_EQ (detections[0].class_id, 16);
}

TEST (YoloDecoder, NmsSuppressesOverlapsWithinAClass)
{
  const InputGeometry g = InputGeometry::fit (640, 640, 640, 640, false);
  const auto detections = decode (all_classes (), {
        row (100, 100, 100, 100, 0.8f, 0, 0.9f),      /* suppressed by the next */
        row (105, 105, 100, 100, 0.9f, 0, 0.9f),      /* kept: best */
        row (100, 100, 100, 100, 0.9f, 16, 0.8f),     /* same place, other class: kept */
        row (400, 400, 100, 100, 0.7f, 0, 0.9f),      /* same class, far away: kept */
      }, g);
  ASSERT_EQ (detections.size (), 3u);
  EXPECT_FLOAT_EQ (detections[0].box.x, 55);  /* sorted by confidence */
  EXPECT_EQ (detections[1].class_id, 16);
  EXPECT_FLOAT_EQ (detections[2].box.x, 350);
}

TEST (YoloDecoder, NmsThresholdIsIou)
{
  /* Two 100x100 boxes 50 apart overlap with IoU 1/3. */
  const InputGeometry g = InputGeometry::fit (640, 640, 640, 640, false);
  YoloDecoder decoder = all_classes ();
  const std::vector<std::vector<float>> rows = {
    row (100, 100, 100, 100, 0.9f, 0, 0.9f),
    row (150, 100, 100, 100, 0.8f, 0, 0.9f),
  };
  decoder.nms_threshold = 0.45f;
  EXPECT_EQ (decode (decoder, rows, g).size (), 2u);
  decoder.nms_threshold = 0.3f;
  EXPECT_EQ (decode (decoder, rows, g).size (), 1u);
}

TEST (YoloDecoder, ClassFilter)
{
  YoloDecoder decoder;
  decoder.classes = { 0 };
  const InputGeometry g = InputGeometry::fit (640, 640, 640, 640, false);
  const auto detections = decode (decoder, {
        row (100, 100, 50, 50, 0.9f, 16, 0.9f),
        row (300, 300, 50, 50, 0.9f, 0, 0.9f),
      }, g);
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_EQ (detections[0].class_id, 0);
}

TEST (YoloDecoder, SkipsNonFiniteAndDegenerateRows)
{
  const float nan = std::numeric_limits<float>::quiet_NaN ();
  const float inf = std::numeric_limits<float>::infinity ();
  const InputGeometry g = InputGeometry::fit (640, 640, 640, 640, false);
  EXPECT_TRUE (decode (all_classes (), {
          row (nan, 100, 50, 50, 0.9f, 0, 0.9f),
          row (100, 100, inf, 50, 0.9f, 0, 0.9f),
          row (100, 100, 50, 50, nan, 0, 0.9f),
          row (100, 100, 50, 50, 0.9f, 0, inf),
          row (100, 100, 0, 50, 0.9f, 0, 0.9f),
          row (100, 100, -5, 50, 0.9f, 0, 0.9f),
        }, g).empty ());
}

TEST (YoloDecoder, DecodeBytesToleratesAnyInput)
{
  YoloDecoder decoder;
  EXPECT_TRUE (decoder.decode_bytes (nullptr, 0).empty ());
  const uint8_t short_input[7] = { 1, 2, 3, 4, 5, 6, 7 };
  EXPECT_TRUE (decoder.decode_bytes (short_input, sizeof (short_input)).empty ());

  std::vector<float> r = row (320, 200, 100, 100, 0.9f, 0, 0.9f);
  std::vector<uint8_t> bytes (reinterpret_cast<uint8_t *> (r.data ()),
      reinterpret_cast<uint8_t *> (r.data () + r.size ()));
  bytes.push_back (0xff);  /* trailing partial row */
  const auto detections = decoder.decode_bytes (bytes.data (), bytes.size ());
  ASSERT_EQ (detections.size (), 1u);
  EXPECT_FLOAT_EQ (detections[0].box.x, 540);  /* 1280x720 frame, scale 1/2 */
}

TEST (BoxIou, Basics)
{
  EXPECT_FLOAT_EQ (meet::box_iou (Box { 0, 0, 10, 10 }, Box { 0, 0, 10, 10 }), 1.0f);
  EXPECT_FLOAT_EQ (meet::box_iou (Box { 0, 0, 10, 10 }, Box { 5, 0, 10, 10 }), 50.0f / 150.0f);
  EXPECT_FLOAT_EQ (meet::box_iou (Box { 0, 0, 10, 10 }, Box { 20, 20, 10, 10 }), 0.0f);
  EXPECT_FLOAT_EQ (meet::box_iou (Box { 0, 0, 0, 0 }, Box { 0, 0, 0, 0 }), 0.0f);
}

TEST (CocoClasses, ParsesNamesAndIds)
{
  std::set<int> classes;
  std::string error;
  ASSERT_TRUE (meet::parse_class_list ("person", classes, error));
  EXPECT_EQ (classes, (std::set<int> { 0 }));
  ASSERT_TRUE (meet::parse_class_list (" dog , 0,dining table", classes, error));
  EXPECT_EQ (classes, (std::set<int> { 0, 16, 60 }));
  ASSERT_TRUE (meet::parse_class_list ("", classes, error));
  EXPECT_TRUE (classes.empty ());
  EXPECT_STREQ (meet::coco_class_name (0), "person");
  EXPECT_STREQ (meet::coco_class_name (79), "toothbrush");
  EXPECT_STREQ (meet::coco_class_name (80), "object");
}

TEST (CocoClasses, RejectsUnknownNamesAndIds)
{
  std::set<int> classes = { 3 };
  std::string error;
  EXPECT_FALSE (meet::parse_class_list ("person,unicorn", classes, error));
  EXPECT_NE (error.find ("unicorn"), std::string::npos);
  EXPECT_FALSE (meet::parse_class_list ("80", classes, error));
  EXPECT_FALSE (meet::parse_class_list ("-1", classes, error));
  EXPECT_EQ (classes, (std::set<int> { 3 }));
}

TEST (OnnxShape, ReadsTheSharedModelInput)
{
  const char *shared = std::getenv ("MEET_SHARED_DIR");
  ASSERT_NE (shared, nullptr);
  std::ifstream file (std::string (shared) + "/models/yolov5n.onnx", std::ios::binary);
  ASSERT_TRUE (file.good ());
  std::vector<uint8_t> bytes ((std::istreambuf_iterator<char> (file)),
      std::istreambuf_iterator<char> ());
  meet::OnnxInputShape shape;
  ASSERT_TRUE (meet::parse_onnx_input_shape (bytes.data (), bytes.size (), shape));
  EXPECT_EQ (shape.name, "images");
  EXPECT_EQ (shape.dims, (std::vector<int64_t> { 1, 3, 640, 640 }));
}

TEST (OnnxShape, ReadsHandMadeModelsAndRejectsGarbage)
{
  const std::string model = meet_test::identity_model ({ 1, 3, 320, 256 });
  meet::OnnxInputShape shape;
  ASSERT_TRUE (meet::parse_onnx_input_shape (reinterpret_cast<const uint8_t *> (model.data ()),
          model.size (), shape));
  EXPECT_EQ (shape.name, "x");
  EXPECT_EQ (shape.dims, (std::vector<int64_t> { 1, 3, 320, 256 }));

  /* Every truncation of a valid model must be handled without reading past the end. */
  for (size_t length = 0; length < model.size (); length++)
    meet::parse_onnx_input_shape (reinterpret_cast<const uint8_t *> (model.data ()), length,
        shape);
  const uint8_t garbage[] = { 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 };
  EXPECT_FALSE (meet::parse_onnx_input_shape (garbage, sizeof (garbage), shape));
  EXPECT_FALSE (meet::parse_onnx_input_shape (nullptr, 0, shape));
}

TEST (ModelLocator, SearchOrder)
{
  setenv ("MEET_MODEL_DIR", "/nonexistent-models", 1);
  const std::vector<std::string> paths = meet::model_search_paths ();
  ASSERT_EQ (paths.size (), 4u);
  EXPECT_EQ (paths[0], "/nonexistent-models/yolov5s.onnx");
  EXPECT_EQ (paths[1], "/nonexistent-models/yolov5n.onnx");
  EXPECT_NE (paths[2].find ("meetstream/models/yolov5s.onnx"), std::string::npos);
  EXPECT_NE (meet::model_not_found_message ().find ("models/README.md"), std::string::npos);

  const char *shared = std::getenv ("MEET_SHARED_DIR");
  ASSERT_NE (shared, nullptr);
  setenv ("MEET_MODEL_DIR", (std::string (shared) + "/models").c_str (), 1);
  EXPECT_EQ (meet::find_model (), std::string (shared) + "/models/yolov5n.onnx");
  unsetenv ("MEET_MODEL_DIR");
  EXPECT_EQ (meet::model_search_paths ().size (), 2u);
}

TEST (CarryMissed, HoldsALostBoxForALimitedNumberOfRuns)
{
  Detection person;
  person.box = Box { 100, 100, 50, 150 };
  person.class_id = 0;
  person.confidence = 0.8f;

  /* Found again (moved a little): no duplicate. */
  Detection moved = person;
  moved.box.x += 5;
  auto held = meet::carry_missed ({ person }, { moved }, 2);
  ASSERT_EQ (held.size (), 1u);
  EXPECT_EQ (held[0].missed, 0);

  /* Lost: held twice, then dropped. */
  held = meet::carry_missed ({ person }, {}, 2);
  ASSERT_EQ (held.size (), 1u);
  EXPECT_EQ (held[0].missed, 1);
  held = meet::carry_missed (held, {}, 2);
  ASSERT_EQ (held.size (), 1u);
  EXPECT_EQ (held[0].missed, 2);
  EXPECT_TRUE (meet::carry_missed (held, {}, 2).empty ());

  /* A box of another class at the same place does not count as finding it. */
  Detection dog = person;
  dog.class_id = 16;
  EXPECT_EQ (meet::carry_missed ({ person }, { dog }, 2).size (), 2u);
  EXPECT_TRUE (meet::carry_missed ({ person }, {}, 0).empty ());
}
