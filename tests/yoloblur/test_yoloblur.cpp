/* meetstream tests: the yoloblur element with the real yolov5n model on the real photos of
 * shared/media (see shared/media/README.md for the expected person boxes). */
#include "onnx_builder.h"

#include <glib/gstdio.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <string>
#include <vector>

namespace {

std::string
shared_path (const std::string &relative)
{
  const char *shared = std::getenv ("MEET_SHARED_DIR");
  return std::string (shared ? shared : "../shared") + "/" + relative;
}

std::string
model_path ()
{
  return shared_path ("models/yolov5n.onnx");
}

/* A photo as a BGRx frame (4 bytes per pixel, so rows need no padding). */
cv::Mat
load_photo (const std::string &name)
{
  cv::Mat bgr = cv::imread (shared_path ("media/" + name), cv::IMREAD_COLOR);
  EXPECT_FALSE (bgr.empty ()) << name;
  cv::Mat bgrx;
  cv::cvtColor (bgr, bgrx, cv::COLOR_BGR2BGRA);
  return bgrx;
}

GstBuffer *
buffer_from (const cv::Mat &bgrx, GstClockTime pts)
{
  const gsize size = bgrx.total () * bgrx.elemSize ();
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, size, NULL);
  gst_buffer_fill (buffer, 0, bgrx.data, size);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = GST_SECOND / 30;
  return buffer;
}

cv::Mat
mat_from (GstBuffer * buffer, int width, int height)
{
  cv::Mat out (height, width, CV_8UC4);
  EXPECT_EQ (gst_buffer_get_size (buffer), out.total () * out.elemSize ());
  gst_buffer_extract (buffer, 0, out.data, out.total () * out.elemSize ());
  return out;
}

/* Variance of the Laplacian over `mask` (non-zero pixels): a measure of detail. */
double
sharpness (const cv::Mat &bgrx, const cv::Mat &mask)
{
  cv::Mat gray, laplacian;
  cv::cvtColor (bgrx, gray, cv::COLOR_BGRA2GRAY);
  cv::Laplacian (gray, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev (laplacian, mean, stddev, mask);
  return stddev[0] * stddev[0];
}

struct Roi
{
  std::string type;
  cv::Rect box;
  double confidence;
};

std::vector<Roi>
rois_of (GstBuffer * buffer)
{
  std::vector<Roi> rois;
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    auto *roi = reinterpret_cast<GstVideoRegionOfInterestMeta *> (meta);
    Roi r;
    r.type = g_quark_to_string (roi->roi_type);
    r.box = cv::Rect (roi->x, roi->y, roi->w, roi->h);
    GstStructure *param = gst_video_region_of_interest_meta_get_param (roi, "detection");
    r.confidence = -1;
    if (param)
      gst_structure_get_double (param, "confidence", &r.confidence);
    rois.push_back (r);
  }
  return rois;
}

double
iou (const cv::Rect &a, const cv::Rect &b)
{
  const double intersection = (a & b).area ();
  const double united = a.area () + b.area () - intersection;
  return united > 0 ? intersection / united : 0;
}

/* yoloblur in a harness, fed BGRx frames of one size, with its element messages on `bus`. */
class Blur
{
public:
  Blur (int width, int height, const char *properties = "")
      : width_ (width), height_ (height)
  {
    gchar *description = g_strdup_printf ("yoloblur model=\"%s\" %s", model_path ().c_str (),
        properties);
    GError *error = NULL;
    element_ = gst_parse_launch (description, &error);
    g_free (description);
    EXPECT_EQ (error, nullptr);
    bus_ = gst_bus_new ();
    gst_element_set_bus (element_, bus_);
    harness = gst_harness_new_with_element (element_, "sink", "src");
    gchar *caps = g_strdup_printf ("video/x-raw,format=BGRx,width=%d,height=%d,framerate=30/1",
        width, height);
    gst_harness_set_src_caps_str (harness, caps);
    g_free (caps);
  }

  ~Blur ()
  {
    gst_harness_teardown (harness);
    gst_element_set_bus (element_, NULL);
    gst_object_unref (element_);
    gst_object_unref (bus_);
  }

  /* Pushes a frame and returns the output buffer (owned by the caller). */
  GstBuffer *process (const cv::Mat &frame)
  {
    EXPECT_EQ (gst_harness_push (harness, buffer_from (frame, pts_)), GST_FLOW_OK);
    pts_ += GST_SECOND / 30;
    return gst_harness_pull (harness);
  }

  cv::Mat process_to_mat (const cv::Mat &frame, std::vector<Roi> *rois = nullptr)
  {
    GstBuffer *out = process (frame);
    cv::Mat result = mat_from (out, width_, height_);
    if (rois)
      *rois = rois_of (out);
    gst_buffer_unref (out);
    return result;
  }

  /* The next "yoloblur" element message, waiting up to `timeout`; NULL when none came. */
  GstMessage *next_message (GstClockTime timeout = 0)
  {
    return gst_bus_timed_pop_filtered (bus_, timeout, GST_MESSAGE_ELEMENT);
  }

  GstElement *element () { return element_; }

  GstHarness *harness;

private:
  int width_, height_;
  GstElement *element_;
  GstBus *bus_;
  GstClockTime pts_ = 0;
};

struct ExpectedPhoto
{
  const char *name;
  std::vector<cv::Rect> people;  /* pad-mode boxes from shared/media/README.md */
  int optional_people;           /* how many of the last boxes are borderline */
};

const ExpectedPhoto photos[] = {
  { "bus.jpg", { { 55, 398, 156, 492 }, { 216, 409, 129, 456 }, { 681, 364, 130, 521 },
        { 0, 573, 72, 320 } }, 1 },
  { "zidane.jpg", { { 738, 45, 402, 679 }, { 116, 200, 679, 522 } }, 0 },
  { "person.jpg", { { 191, 98, 82, 277 } }, 0 },
  { "kids-running.jpg", { { 516, 105, 218, 612 }, { 34, 111, 297, 596 }, { 928, 32, 297, 694 },
        { 768, 170, 183, 549 }, { 346, 226, 198, 485 } }, 0 },
};

class YoloBlurPhoto : public ::testing::TestWithParam<ExpectedPhoto> {};

}  // namespace

TEST_P (YoloBlurPhoto, FindsThePeopleKeepsThemSharpAndBlursTheRest)
{
  const ExpectedPhoto &expected = GetParam ();
  const cv::Mat input = load_photo (expected.name);
  Blur blur (input.cols, input.rows, "async=false");
  std::vector<Roi> rois;
  const cv::Mat output = blur.process_to_mat (input, &rois);

  /* Every expected person is found (IoU >= 0.5), and nothing else. */
  const size_t required = expected.people.size () - expected.optional_people;
  EXPECT_GE (rois.size (), required);
  EXPECT_LE (rois.size (), expected.people.size ());
  for (size_t i = 0; i < required; i++) {
    double best = 0;
    for (const Roi &roi : rois)
      best = std::max (best, iou (roi.box, expected.people[i]));
    EXPECT_GE (best, 0.5) << expected.name << " person " << i;
  }

  cv::Mat background (input.rows, input.cols, CV_8U, cv::Scalar (255));
  for (const Roi &roi : rois) {
    EXPECT_EQ (roi.type, "person");
    EXPECT_GT (roi.confidence, 0.25);
    EXPECT_LE (roi.confidence, 1.0);
    /* Pixels inside a detected person are exactly the input's. */
    EXPECT_EQ (cv::norm (output (roi.box), input (roi.box), cv::NORM_INF), 0.0) << expected.name;
    /* Exclude the box, its margin and the feather band from the background. */
    const int grow = std::max (roi.box.width, roi.box.height) / 4 + 40;
    background (cv::Rect (roi.box.x - grow, roi.box.y - grow, roi.box.width + 2 * grow,
            roi.box.height + 2 * grow) & cv::Rect (0, 0, input.cols, input.rows)).setTo (0);
  }
  if (cv::countNonZero (background) > 1000) {
    EXPECT_LT (sharpness (output, background), sharpness (input, background) / 4)
        << expected.name;
  }

  GstMessage *message = blur.next_message ();
  ASSERT_NE (message, nullptr);
  const GstStructure *s = gst_message_get_structure (message);
  EXPECT_TRUE (gst_structure_has_name (s, "yoloblur"));
  gint count = -1;
  guint64 inference_time = 0;
  EXPECT_TRUE (gst_structure_get_int (s, "count", &count));
  EXPECT_EQ (count, static_cast<gint> (rois.size ()));
  EXPECT_TRUE (gst_structure_get_uint64 (s, "inference-time", &inference_time));
  EXPECT_GT (inference_time, 0u);
  const GValue *detections = gst_structure_get_value (s, "detections");
  ASSERT_NE (detections, nullptr);
  ASSERT_EQ (gst_value_array_get_size (detections), rois.size ());
  if (!rois.empty ()) {
    const GstStructure *first = gst_value_get_structure (gst_value_array_get_value (detections,
            0));
    gint x, width;
    gdouble confidence;
    EXPECT_TRUE (gst_structure_get_int (first, "x", &x));
    EXPECT_TRUE (gst_structure_get_int (first, "width", &width));
    EXPECT_TRUE (gst_structure_get_double (first, "confidence", &confidence));
    EXPECT_STREQ (gst_structure_get_string (first, "class"), "person");
  }
  gst_message_unref (message);
}

INSTANTIATE_TEST_SUITE_P (Photos, YoloBlurPhoto, ::testing::ValuesIn (photos),
    [] (const ::testing::TestParamInfo<ExpectedPhoto> &info) {
      std::string name = info.param.name;
      name = name.substr (0, name.find ('.'));
      name.erase (std::remove (name.begin (), name.end (), '-'), name.end ());
      return name;
    });

TEST (YoloBlurNoPerson, BlursTheWholeFrameByDefault)
{
  const cv::Mat input = load_photo ("dog.jpg");
  Blur blur (input.cols, input.rows, "async=false");
  std::vector<Roi> rois;
  const cv::Mat output = blur.process_to_mat (input, &rois);
  EXPECT_TRUE (rois.empty ());
  const cv::Mat all (input.rows, input.cols, CV_8U, cv::Scalar (255));
  EXPECT_LT (sharpness (output, all), sharpness (input, all) / 4);
}

TEST (YoloBlurNoPerson, PassesThroughWithNoPersonPass)
{
  const cv::Mat input = load_photo ("dog.jpg");
  Blur blur (input.cols, input.rows, "async=false no-person=pass");
  const cv::Mat output = blur.process_to_mat (input);
  EXPECT_EQ (cv::norm (output, input, cv::NORM_INF), 0.0);
}

TEST (YoloBlurNoPerson, OtherClassesCanBeKept)
{
  /* Asking for dogs keeps the dog of dog.jpg sharp and marks it as a "dog" region. */
  const cv::Mat input = load_photo ("dog.jpg");
  Blur blur (input.cols, input.rows, "async=false classes=dog,16");
  std::vector<Roi> rois;
  const cv::Mat output = blur.process_to_mat (input, &rois);
  ASSERT_EQ (rois.size (), 1u);
  EXPECT_EQ (rois[0].type, "dog");
  EXPECT_EQ (cv::norm (output (rois[0].box), input (rois[0].box), cv::NORM_INF), 0.0);
}

TEST (YoloBlurAsync, FramesDoNotWaitAndPickUpDetections)
{
  const cv::Mat input = load_photo ("person.jpg");
  Blur blur (input.cols, input.rows);  /* async=true is the default */

  /* The first frame cannot have detections yet: it is hidden whole, not shown unprotected. */
  std::vector<Roi> rois;
  cv::Mat output = blur.process_to_mat (input, &rois);
  EXPECT_TRUE (rois.empty ());
  const cv::Mat all (input.rows, input.cols, CV_8U, cv::Scalar (255));
  EXPECT_LT (sharpness (output, all), sharpness (input, all) / 4);

  GstMessage *message = blur.next_message (30 * GST_SECOND);
  ASSERT_NE (message, nullptr) << "the worker never reported detections";
  gst_message_unref (message);

  /* Detections are held for the following frames. */
  for (int i = 0; i < 3; i++) {
    output = blur.process_to_mat (input, &rois);
    ASSERT_EQ (rois.size (), 1u);
    EXPECT_GE (iou (rois[0].box, cv::Rect (191, 98, 82, 277)), 0.5);
    EXPECT_EQ (cv::norm (output (rois[0].box), input (rois[0].box), cv::NORM_INF), 0.0);
  }
}

TEST (YoloBlurProperties, ChangeWhilePlaying)
{
  const cv::Mat input = load_photo ("person.jpg");
  Blur blur (input.cols, input.rows, "async=false interval=3");
  const cv::Rect person (191, 98, 82, 277);

  /* interval=3: frames 0 and 3 run the detector, 1, 2 and 4 reuse its boxes. */
  std::vector<Roi> rois;
  for (int i = 0; i < 5; i++) {
    blur.process_to_mat (input, &rois);
    EXPECT_EQ (rois.size (), 1u) << "frame " << i;
  }
  int messages = 0;
  while (GstMessage *message = blur.next_message ()) {
    messages++;
    gst_message_unref (message);
  }
  EXPECT_EQ (messages, 2);

  g_object_set (blur.element (), "interval", 0, "mode", 2 /* black */, NULL);
  cv::Mat output = blur.process_to_mat (input, &rois);
  ASSERT_EQ (rois.size (), 1u);
  EXPECT_EQ (output.at<cv::Vec4b> (10, 10), cv::Vec4b (0, 0, 0, 0));
  EXPECT_EQ (cv::norm (output (rois[0].box), input (rois[0].box), cv::NORM_INF), 0.0);

  gst_util_set_object_arg (G_OBJECT (blur.element ()), "mode", "boxes-only");
  output = blur.process_to_mat (input, &rois);
  EXPECT_EQ (cv::norm (output (cv::Rect (0, 0, 100, 50)), input (cv::Rect (0, 0, 100, 50)),
          cv::NORM_INF), 0.0);

  g_object_set (blur.element (), "confidence", 0.99, NULL);
  blur.process_to_mat (input, &rois);
  EXPECT_TRUE (rois.empty ());

  g_object_set (blur.element (), "confidence", 0.25, "classes", "horse", NULL);
  blur.process_to_mat (input, &rois);
  ASSERT_EQ (rois.size (), 1u);
  EXPECT_EQ (rois[0].type, "horse");

  /* An invalid class list is ignored. */
  g_object_set (blur.element (), "classes", "unicorn", NULL);
  gchar *classes = NULL;
  g_object_get (blur.element (), "classes", &classes, NULL);
  EXPECT_STREQ (classes, "horse");
  g_free (classes);

  /* Switching to a missing model warns and keeps the working one. */
  g_object_set (blur.element (), "model", "/nonexistent/yolov5x.onnx", "classes", "person", NULL);
  blur.process_to_mat (input, &rois);
  EXPECT_EQ (rois.size (), 1u);

  /* OpenCL where available, the CPU otherwise: detections either way. */
  gst_util_set_object_arg (G_OBJECT (blur.element ()), "target", "opencl");
  blur.process_to_mat (input, &rois);
  EXPECT_EQ (rois.size (), 1u);

  g_object_set (blur.element (), "async", TRUE, NULL);
  blur.process_to_mat (input, &rois);
  EXPECT_EQ (rois.size (), 1u);  /* the held boxes, while the worker runs */
}

namespace {

/* Tries to start yoloblur with `model` in a pipeline; returns the error message posted. */
std::string
start_error (const std::string &model)
{
  /* The model is loaded when the element starts (READY to PAUSED); it needs no peers for that. */
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *blur = gst_element_factory_make ("yoloblur", NULL);
  EXPECT_NE (blur, nullptr);
  g_object_set (blur, "model", model.c_str (), NULL);
  gst_bin_add (GST_BIN (pipeline), blur);

  EXPECT_EQ (gst_element_set_state (pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  std::string text;
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (message) {
    GError *error = NULL;
    gst_message_parse_error (message, &error, NULL);
    text = error->message;
    g_error_free (error);
    gst_message_unref (message);
  }
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return text;
}

std::string
write_temp_file (const std::string &name, const std::string &contents)
{
  const char *dir = std::getenv ("MEET_BUILD_DIR");
  const std::string path = std::string (dir ? dir : "/tmp") + "/" + name;
  std::ofstream (path, std::ios::binary) << contents;
  return path;
}

}  // namespace

TEST (YoloBlurModel, MissingFileFailsTheStateChange)
{
  const std::string error = start_error ("/nonexistent/yolov5s.onnx");
  EXPECT_NE (error.find ("/nonexistent/yolov5s.onnx"), std::string::npos) << error;
  EXPECT_NE (error.find ("No such file"), std::string::npos) << error;
}

TEST (YoloBlurModel, NoModelFoundNamesTheReadme)
{
  setenv ("MEET_MODEL_DIR", "/nonexistent", 1);
  const std::string error = start_error ("");
  unsetenv ("MEET_MODEL_DIR");
  EXPECT_NE (error.find ("models/README.md"), std::string::npos) << error;
}

TEST (YoloBlurModel, CorruptFileFailsTheStateChange)
{
  const std::string garbage = write_temp_file ("yoloblur-garbage.onnx",
      "this is not a neural network\n");
  std::string error = start_error (garbage);
  EXPECT_NE (error.find (garbage), std::string::npos) << error;
  EXPECT_NE (error.find ("not a valid ONNX model"), std::string::npos) << error;

  /* The first 100 kB of the real model: a valid header, then nothing. */
  std::ifstream real (model_path (), std::ios::binary);
  std::string head (100000, '\0');
  real.read (&head[0], head.size ());
  const std::string truncated = write_temp_file ("yoloblur-truncated.onnx", head);
  error = start_error (truncated);
  EXPECT_NE (error.find (truncated), std::string::npos) << error;

  EXPECT_NE (start_error (write_temp_file ("yoloblur-empty.onnx", "")).find ("empty"),
      std::string::npos);
}

TEST (YoloBlurModel, WrongShapedModelFailsTheStateChange)
{
  /* Valid ONNX, but neither input nor output is YOLOv5's. */
  const std::string flat = write_temp_file ("yoloblur-flat.onnx",
      meet_test::identity_model ({ 1, 10 }));
  std::string error = start_error (flat);
  EXPECT_NE (error.find (flat), std::string::npos) << error;
  EXPECT_NE (error.find ("1x10"), std::string::npos) << error;

  const std::string image = write_temp_file ("yoloblur-image.onnx",
      meet_test::identity_model ({ 1, 3, 64, 64 }));
  error = start_error (image);
  EXPECT_NE (error.find (image), std::string::npos) << error;
  EXPECT_NE (error.find ("1x3x64x64"), std::string::npos) << error;
}

int
main (int argc, char **argv)
{
  /* Load the plugin in this process rather than in gst-plugin-scanner: in sanitizer builds only
   * this binary carries the sanitizer runtime the plugin needs. A registry of its own keeps a
   * verdict of another process's scanner from applying here, and without the system plugins
   * (these tests need none) nothing else gets loaded in-process. */
  g_setenv ("GST_REGISTRY_FORK", "no", TRUE);
  g_setenv ("GST_PLUGIN_SYSTEM_PATH_1_0", "", TRUE);
  const char *build_dir = g_getenv ("MEET_BUILD_DIR");
  if (build_dir != NULL) {
    gchar *registry = g_strdup_printf ("%s/tests/registry-yoloblur-%u.bin", build_dir,
        static_cast<unsigned> (getpid ()));
    g_setenv ("GST_REGISTRY", registry, TRUE);
    g_free (registry);
  }
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  const int result = RUN_ALL_TESTS ();
  g_unlink (g_getenv ("GST_REGISTRY"));
  return result;
}
