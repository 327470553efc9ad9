/* meetstream: yoloblur, privacy background blur driven by a YOLOv5 person detector.
 *
 * SECTION:element-yoloblur
 * @title: yoloblur
 *
 * Finds people (or any COCO classes) with a YOLOv5 ONNX model run by OpenCV DNN and hides
 * everything else: blurred, pixelated or blacked out. Inference runs on a worker thread by
 * default, so frames never wait for it: each frame uses the most recent boxes, which are held
 * between detections. Every frame carries a GstVideoRegionOfInterestMeta per detection, and the
 * element posts a "yoloblur" element message whenever new detections arrive.
 *
 * With async=true a person the network misses once or twice is kept (for up to two more
 * detection runs) rather than disappearing into the blur for a moment.
 *
 * When no one is in view the whole frame is hidden (no-person=blur), so a camera never shows an
 * empty room by mistake; no-person=pass lets such frames through untouched.
 *
 * ## Example pipelines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! yoloblur ! videoconvert ! autovideosink
 * ]| Blurs the background of a webcam, live, with the model found in $MEET_MODEL_DIR.
 * |[
 * gst-launch-1.0 filesrc location=zidane.jpg ! jpegdec ! videoconvert ! \
 *     imagefreeze num-buffers=1 ! yoloblur model=yolov5n.onnx async=false mode=pixelate ! \
 *     videoconvert ! jpegenc ! filesink location=out.jpg
 * ]| Offline and deterministic: the frame waits for its own detections.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "yoloblur.h"

#include "cococlasses.h"
#include "modellocator.h"
#include "privacyfilter.h"
#include "yolodetector.h"

#include <gst/video/video.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_yolo_blur_debug);
#define GST_CAT_DEFAULT gst_yolo_blur_debug

typedef enum
{
  GST_YOLO_BLUR_NO_PERSON_BLUR,
  GST_YOLO_BLUR_NO_PERSON_PASS,
} GstYoloBlurNoPerson;

#define DEFAULT_CONFIDENCE 0.25
#define DEFAULT_NMS 0.45
#define DEFAULT_CLASSES "person"
#define DEFAULT_INTERVAL 0
#define DEFAULT_ASYNC TRUE
#define DEFAULT_MARGIN 0.1
#define DEFAULT_MODE meet::PrivacyMode::blur
#define DEFAULT_BLUR_STRENGTH 24
#define DEFAULT_NO_PERSON GST_YOLO_BLUR_NO_PERSON_BLUR
#define DEFAULT_BACKEND cv::dnn::DNN_BACKEND_OPENCV
#define DEFAULT_TARGET cv::dnn::DNN_TARGET_CPU

/* With async=true, a detection the network stops finding is kept for this many more runs. */
#define HELD_DETECTION_RUNS 2

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_CONFIDENCE,
  PROP_NMS,
  PROP_CLASSES,
  PROP_INTERVAL,
  PROP_ASYNC,
  PROP_MARGIN,
  PROP_MODE,
  PROP_BLUR_STRENGTH,
  PROP_NO_PERSON,
  PROP_BACKEND,
  PROP_TARGET,
};

namespace {

/* Everything the properties control; copied as a whole under the lock. */
struct Settings
{
  std::string model;            /* "" = search with meet::find_model() */
  double confidence = DEFAULT_CONFIDENCE;
  double nms = DEFAULT_NMS;
  std::string classes_text = DEFAULT_CLASSES;
  std::set<int> classes = { 0 };
  guint interval = DEFAULT_INTERVAL;
  bool async = DEFAULT_ASYNC;
  double margin = DEFAULT_MARGIN;
  meet::PrivacyMode mode = DEFAULT_MODE;
  guint blur_strength = DEFAULT_BLUR_STRENGTH;
  GstYoloBlurNoPerson no_person = DEFAULT_NO_PERSON;
  cv::dnn::Backend backend = DEFAULT_BACKEND;
  cv::dnn::Target target = DEFAULT_TARGET;
};

/* The most recent detections, in the pixels of the frame they were found in. */
struct DetectionSet
{
  std::vector<meet::Detection> detections;
  int frame_width = 0, frame_height = 0;
};

/* A frame to run the detector on. */
struct Job
{
  cv::Mat frame;
  bool rgb = false;
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
};

}  // namespace

/* C++ state of the element; new'd in init, deleted in finalize. */
struct YoloBlurState
{
  std::mutex settings_lock;
  Settings settings;
  bool model_changed = false;   /* model property set while running: reload before next use */
  bool compute_changed = false; /* backend/target set while running */

  /* Held while the network runs: shared by the worker and, with async=false, the streaming
   * thread. */
  std::mutex detector_lock;
  meet::YoloDetector detector;
  std::string model_path;
  cv::Mat input;                /* the frame scaled to the network input */

  std::mutex job_lock;
  std::condition_variable job_cond;
  bool job_pending = false;
  bool worker_busy = false;
  bool stopping = false;
  /* Its frame buffer is reused: the streaming thread only fills it while the worker is idle. */
  Job job;
  std::thread worker;

  std::mutex result_lock;
  DetectionSet latest;

  /* Streaming thread only. */
  GstVideoFormat format = GST_VIDEO_FORMAT_UNKNOWN;
  guint64 frames_since_detection = G_MAXUINT64;
  meet::PrivacyFilter filter;
};

struct _GstYoloBlur
{
  GstVideoFilter parent;
  YoloBlurState *state;
};

#define gst_yolo_blur_parent_class parent_class
G_DEFINE_TYPE (GstYoloBlur, gst_yolo_blur, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (yoloblur, "yoloblur", GST_RANK_NONE, GST_TYPE_YOLO_BLUR);

#define VIDEO_CAPS GST_VIDEO_CAPS_MAKE ("{ BGRx, BGR, RGBx, RGB }")

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));

GType
gst_yolo_blur_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {static_cast<gint> (meet::PrivacyMode::blur), "Blur the background", "blur"},
    {static_cast<gint> (meet::PrivacyMode::pixelate), "Pixelate the background", "pixelate"},
    {static_cast<gint> (meet::PrivacyMode::black), "Black out the background", "black"},
    {static_cast<gint> (meet::PrivacyMode::boxes_only),
        "Draw the detected boxes and hide nothing (for tuning)", "boxes-only"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstYoloBlurMode", values));
  return type;
}

GType
gst_yolo_blur_no_person_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_YOLO_BLUR_NO_PERSON_BLUR, "Hide the whole frame (privacy first)", "blur"},
    {GST_YOLO_BLUR_NO_PERSON_PASS, "Pass the frame through untouched", "pass"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstYoloBlurNoPerson", values));
  return type;
}

GType
gst_yolo_blur_backend_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {cv::dnn::DNN_BACKEND_OPENCV, "OpenCV's own DNN implementation", "opencv"},
    {cv::dnn::DNN_BACKEND_INFERENCE_ENGINE, "Intel OpenVINO Inference Engine",
        "inference-engine"},
    {cv::dnn::DNN_BACKEND_VKCOM, "Vulkan compute", "vulkan"},
    {cv::dnn::DNN_BACKEND_CUDA, "NVIDIA CUDA", "cuda"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstYoloBlurBackend", values));
  return type;
}

GType
gst_yolo_blur_target_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {cv::dnn::DNN_TARGET_CPU, "CPU", "cpu"},
    {cv::dnn::DNN_TARGET_OPENCL, "OpenCL device (GPU), float32", "opencl"},
    {cv::dnn::DNN_TARGET_OPENCL_FP16, "OpenCL device (GPU), float16", "opencl-fp16"},
    {cv::dnn::DNN_TARGET_VULKAN, "Vulkan device", "vulkan"},
    {cv::dnn::DNN_TARGET_CUDA, "CUDA device, float32", "cuda"},
    {cv::dnn::DNN_TARGET_CUDA_FP16, "CUDA device, float16", "cuda-fp16"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstYoloBlurTarget", values));
  return type;
}

static Settings
get_settings (GstYoloBlur * self)
{
  std::lock_guard<std::mutex> lock (self->state->settings_lock);
  return self->state->settings;
}

/* Applies a pending model or backend change; called with detector_lock held. Returns false when
 * there is no usable network. */
static bool
gst_yolo_blur_refresh_detector (GstYoloBlur * self)
{
  YoloBlurState *state = self->state;
  bool reload, recompute;
  Settings settings;
  {
    std::lock_guard<std::mutex> lock (state->settings_lock);
    reload = state->model_changed;
    recompute = state->compute_changed || reload;
    state->model_changed = state->compute_changed = false;
    settings = state->settings;
  }

  if (reload) {
    const std::string path = settings.model.empty ()? meet::find_model () : settings.model;
    meet::YoloDetector replacement;
    std::string error;
    if (path.empty ())
      error = meet::model_not_found_message ();
    if (!path.empty () && replacement.load (path, error)) {
      state->detector = replacement;
      state->model_path = path;

      GST_INFO_OBJECT (self, "switched to model %s", path.c_str ());
    } else {
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
          ("Could not switch to the new model, keeping \"%s\": %s",
              state->model_path.c_str (), error.c_str ()), (NULL));
    }
  }
  if (recompute && state->detector.loaded ()
      && !state->detector.set_compute (settings.backend, settings.target))
    GST_WARNING_OBJECT (self, "the chosen DNN backend/target is not available in this OpenCV "
        "build; running on the CPU");
  return state->detector.loaded ();
}

static GstStructure *
detection_structure (const meet::Detection & detection)
{
  return gst_structure_new ("detection",
      "class", G_TYPE_STRING, meet::coco_class_name (detection.class_id),
      "class-id", G_TYPE_INT, detection.class_id,
      "confidence", G_TYPE_DOUBLE, static_cast<double> (detection.confidence),
      "x", G_TYPE_INT, static_cast<int> (detection.box.x),
      "y", G_TYPE_INT, static_cast<int> (detection.box.y),
      "width", G_TYPE_INT, static_cast<int> (detection.box.width),
      "height", G_TYPE_INT, static_cast<int> (detection.box.height), NULL);
}

/* Runs the network on one prepared frame, stores the result as the latest detections and tells
 * the application about them. */
static void
gst_yolo_blur_detect (GstYoloBlur * self, const Job & job, const Settings & settings)
{
  YoloBlurState *state = self->state;
  meet::YoloDecoder decoder;
  decoder.confidence_threshold = static_cast<float> (settings.confidence);
  decoder.nms_threshold = static_cast<float> (settings.nms);
  decoder.classes = settings.classes;

  DetectionSet result;
  result.frame_width = job.frame.cols;
  result.frame_height = job.frame.rows;
  const auto begin = std::chrono::steady_clock::now ();
  {
    std::lock_guard<std::mutex> lock (state->detector_lock);
    if (!gst_yolo_blur_refresh_detector (self))
      return;
    const cv::Size input_size (state->detector.input_width (), state->detector.input_height ());
    try {
      const meet::InputGeometry geometry = meet::YoloDetector::prepare (job.frame, job.rgb,
          input_size, state->input);
      result.detections = state->detector.detect (state->input, geometry, decoder);
    } catch (const cv::Exception &e) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED,
          ("OpenCV DNN failed to run the model \"%s\"; try backend=opencv target=cpu",
              state->model_path.c_str ()), ("%s", e.what ()));
      return;
    }
  }
  const guint64 inference_ns = std::chrono::duration_cast<std::chrono::nanoseconds> (
      std::chrono::steady_clock::now () - begin).count ();

  GValue boxes = G_VALUE_INIT;
  gst_value_array_init (&boxes, result.detections.size ());
  for (const meet::Detection &detection : result.detections) {
    GValue item = G_VALUE_INIT;
    g_value_init (&item, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&item, detection_structure (detection));
    gst_value_array_append_and_take_value (&boxes, &item);
  }
  GstStructure *s = gst_structure_new ("yoloblur",
      "running-time", G_TYPE_UINT64, job.running_time,
      "inference-time", G_TYPE_UINT64, inference_ns,
      "frame-width", G_TYPE_INT, result.frame_width,
      "frame-height", G_TYPE_INT, result.frame_height,
      "count", G_TYPE_INT, static_cast<int> (result.detections.size ()), NULL);
  gst_structure_take_value (s, "detections", &boxes);
  GST_LOG_OBJECT (self, "%zu detections in %.1f ms", result.detections.size (),
      inference_ns / 1e6);

  {
    std::lock_guard<std::mutex> lock (state->result_lock);
    /* Live (async) output holds a person the network just missed for a few more runs instead of
     * flashing the whole frame blurred; async=false keeps each frame's own result exactly. */
    if (settings.async && state->latest.frame_width == result.frame_width
        && state->latest.frame_height == result.frame_height)
      result.detections = meet::carry_missed (state->latest.detections,
          std::move (result.detections), HELD_DETECTION_RUNS);
    state->latest = std::move (result);
  }
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Loads the model (the first OpenCV DNN work of the element), reporting the outcome through
 * `loaded` ("" on success), then runs detections until stopped. */
static void
gst_yolo_blur_worker (GstYoloBlur * self, std::string path, std::promise<std::string> *loaded)
{
  YoloBlurState *state = self->state;

#ifdef __linux__
  /* Inference runs below the streaming thread's priority so that frames never wait for it on a
   * busy CPU. Threads OpenCV starts from here to parallelise the network inherit this. */
  if (setpriority (PRIO_PROCESS, static_cast<id_t> (syscall (SYS_gettid)), 10) != 0)
    GST_DEBUG_OBJECT (self, "could not lower the inference thread's priority");
#endif

  {
    std::string error;
    std::lock_guard<std::mutex> lock (state->detector_lock);
    if (!state->detector.load (path, error)) {
      loaded->set_value (error);
      return;
    }
    state->model_path = path;
    const Settings settings = get_settings (self);
    if (!state->detector.set_compute (settings.backend, settings.target))
      GST_WARNING_OBJECT (self, "the chosen DNN backend/target is not available in this "
          "OpenCV build; running on the CPU");
    GST_INFO_OBJECT (self, "model %s, input %dx%d", path.c_str (),
        state->detector.input_width (), state->detector.input_height ());
  }
  loaded->set_value ("");

  std::unique_lock<std::mutex> lock (state->job_lock);
  while (true) {
    state->job_cond.wait (lock, [state] { return state->stopping || state->job_pending; });
    if (state->stopping)
      break;
    const Job job = state->job;
    state->job_pending = false;
    state->worker_busy = true;
    lock.unlock ();
    gst_yolo_blur_detect (self, job, get_settings (self));
    lock.lock ();
    state->worker_busy = false;
  }
}

static void
gst_yolo_blur_stop_worker (YoloBlurState * state)
{
  {
    std::lock_guard<std::mutex> lock (state->job_lock);
    state->stopping = true;
  }
  state->job_cond.notify_all ();
  if (state->worker.joinable ())
    state->worker.join ();
  state->stopping = false;
  state->job_pending = false;
  state->job = Job ();
}

static gboolean
gst_yolo_blur_start (GstBaseTransform * trans)
{
  GstYoloBlur *self = GST_YOLO_BLUR (trans);
  YoloBlurState *state = self->state;
  Settings settings;
  {
    std::lock_guard<std::mutex> lock (state->settings_lock);
    settings = state->settings;
    state->model_changed = state->compute_changed = false;
  }

  const std::string path = settings.model.empty ()? meet::find_model () : settings.model;
  if (path.empty ()) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No YOLOv5 model found: set the model property or put yolov5n.onnx in $MEET_MODEL_DIR "
            "(see models/README.md)."), ("%s", meet::model_not_found_message ().c_str ()));
    return FALSE;
  }

  {
    std::lock_guard<std::mutex> lock (state->result_lock);
    state->latest = DetectionSet ();
  }
  state->frames_since_detection = G_MAXUINT64;

  /* The worker loads the model so that OpenCV's threads are created at its lower priority; the
   * state change waits for the outcome, so a bad model fails it. */
  std::promise<std::string> loaded;
  std::future<std::string> outcome = loaded.get_future ();
  state->worker = std::thread (gst_yolo_blur_worker, self, path, &loaded);
  const std::string error = outcome.get ();
  if (!error.empty ()) {
    state->worker.join ();
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Cannot use the YOLOv5 model: %s. See models/README.md for how to export one.",
            error.c_str ()), (NULL));
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_yolo_blur_stop (GstBaseTransform * trans)
{
  GstYoloBlur *self = GST_YOLO_BLUR (trans);
  YoloBlurState *state = self->state;
  gst_yolo_blur_stop_worker (state);
  std::lock_guard<std::mutex> lock (state->detector_lock);
  state->detector = meet::YoloDetector ();
  return TRUE;
}

static gboolean
gst_yolo_blur_set_info (GstVideoFilter * filter, GstCaps *, GstVideoInfo * in_info, GstCaps *,
    GstVideoInfo *)
{
  GstYoloBlur *self = GST_YOLO_BLUR (filter);
  self->state->format = GST_VIDEO_INFO_FORMAT (in_info);
  self->state->frames_since_detection = G_MAXUINT64;
  return TRUE;
}

static cv::Mat
wrap_frame (GstVideoFrame * frame)
{
  const int channels = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  return cv::Mat (GST_VIDEO_FRAME_HEIGHT (frame), GST_VIDEO_FRAME_WIDTH (frame),
      CV_8UC (channels), GST_VIDEO_FRAME_PLANE_DATA (frame, 0),
      GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0));
}

static GstFlowReturn
gst_yolo_blur_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  GstYoloBlur *self = GST_YOLO_BLUR (filter);
  YoloBlurState *state = self->state;
  const Settings settings = get_settings (self);
  cv::Mat image = wrap_frame (frame);
  const bool rgb = state->format == GST_VIDEO_FORMAT_RGB || state->format == GST_VIDEO_FORMAT_RGBx;

  GstBaseTransform *trans = GST_BASE_TRANSFORM (filter);
  const GstClockTime running_time = gst_segment_to_running_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (frame->buffer));

  /* interval 0 means as often as possible: every frame when synchronous, whenever the worker is
   * free when asynchronous. */
  if (state->frames_since_detection != G_MAXUINT64)
    state->frames_since_detection++;
  const bool due = state->frames_since_detection >= std::max<guint> (settings.interval, 1);
  if (due && settings.async) {
    /* A plain copy is all the streaming thread pays; the worker scales it for the network. */
    std::unique_lock<std::mutex> lock (state->job_lock);
    if (!state->job_pending && !state->worker_busy) {
      image.copyTo (state->job.frame);
      state->job.rgb = rgb;
      state->job.running_time = running_time;
      state->job_pending = true;
      state->frames_since_detection = 0;
      lock.unlock ();
      state->job_cond.notify_one ();
    }
  } else if (due) {
    Job job;
    job.frame = image;
    job.rgb = rgb;
    job.running_time = running_time;
    gst_yolo_blur_detect (self, job, settings);
    state->frames_since_detection = 0;
  }

  std::vector<meet::Detection> detections;
  {
    std::lock_guard<std::mutex> lock (state->result_lock);
    if (state->latest.frame_width == image.cols && state->latest.frame_height == image.rows)
      detections = state->latest.detections;
  }

  std::vector<cv::Rect> keep;
  for (guint i = 0; i < detections.size (); i++) {
    const meet::Box &box = detections[i].box;
    GstVideoRegionOfInterestMeta *meta = gst_buffer_add_video_region_of_interest_meta (
        frame->buffer, meet::coco_class_name (detections[i].class_id),
        static_cast<guint> (box.x), static_cast<guint> (box.y),
        static_cast<guint> (box.width), static_cast<guint> (box.height));
    meta->id = static_cast<gint> (i);
    gst_video_region_of_interest_meta_add_param (meta, gst_structure_new ("detection",
            "confidence", G_TYPE_DOUBLE, static_cast<double> (detections[i].confidence), NULL));

    /* Grow the box: detections cut hair, raised hands and shoulders short. */
    const float grow_x = box.width * static_cast<float> (settings.margin);
    const float grow_y = box.height * static_cast<float> (settings.margin);
    keep.emplace_back (cv::Point (cvFloor (box.x - grow_x), cvFloor (box.y - grow_y)),
        cv::Point (cvCeil (box.x + box.width + grow_x), cvCeil (box.y + box.height + grow_y)));
  }

  if (keep.empty () && settings.no_person == GST_YOLO_BLUR_NO_PERSON_PASS
      && settings.mode != meet::PrivacyMode::boxes_only)
    return GST_FLOW_OK;
  state->filter.mode = settings.mode;
  state->filter.strength = static_cast<int> (settings.blur_strength);
  state->filter.apply (image, keep);
  return GST_FLOW_OK;
}

static void
gst_yolo_blur_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstYoloBlur *self = GST_YOLO_BLUR (object);
  YoloBlurState *state = self->state;
  std::lock_guard<std::mutex> lock (state->settings_lock);
  Settings &settings = state->settings;

  switch (prop_id) {
    case PROP_MODEL:{
      const gchar *path = g_value_get_string (value);
      settings.model = path ? path : "";
      state->model_changed = true;
      break;
    }
    case PROP_CONFIDENCE:
      settings.confidence = g_value_get_double (value);
      break;
    case PROP_NMS:
      settings.nms = g_value_get_double (value);
      break;
    case PROP_CLASSES:{
      const gchar *text = g_value_get_string (value);
      std::string error;
      if (meet::parse_class_list (text ? text : "", settings.classes, error))
        settings.classes_text = text ? text : "";
      else
        GST_WARNING_OBJECT (self, "ignoring classes=\"%s\": %s; keeping \"%s\"",
            text, error.c_str (), settings.classes_text.c_str ());
      break;
    }
    case PROP_INTERVAL:
      settings.interval = g_value_get_uint (value);
      break;
    case PROP_ASYNC:
      settings.async = g_value_get_boolean (value);
      break;
    case PROP_MARGIN:
      settings.margin = g_value_get_double (value);
      break;
    case PROP_MODE:
      settings.mode = static_cast<meet::PrivacyMode> (g_value_get_enum (value));
      break;
    case PROP_BLUR_STRENGTH:
      settings.blur_strength = g_value_get_uint (value);
      break;
    case PROP_NO_PERSON:
      settings.no_person = static_cast<GstYoloBlurNoPerson> (g_value_get_enum (value));
      break;
    case PROP_BACKEND:
      settings.backend = static_cast<cv::dnn::Backend> (g_value_get_enum (value));
      state->compute_changed = true;
      break;
    case PROP_TARGET:
      settings.target = static_cast<cv::dnn::Target> (g_value_get_enum (value));
      state->compute_changed = true;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_yolo_blur_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstYoloBlur *self = GST_YOLO_BLUR (object);
  const Settings settings = get_settings (self);

  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, settings.model.c_str ());
      break;
    case PROP_CONFIDENCE:
      g_value_set_double (value, settings.confidence);
      break;
    case PROP_NMS:
      g_value_set_double (value, settings.nms);
      break;
    case PROP_CLASSES:
      g_value_set_string (value, settings.classes_text.c_str ());
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, settings.interval);
      break;
    case PROP_ASYNC:
      g_value_set_boolean (value, settings.async);
      break;
    case PROP_MARGIN:
      g_value_set_double (value, settings.margin);
      break;
    case PROP_MODE:
      g_value_set_enum (value, static_cast<gint> (settings.mode));
      break;
    case PROP_BLUR_STRENGTH:
      g_value_set_uint (value, settings.blur_strength);
      break;
    case PROP_NO_PERSON:
      g_value_set_enum (value, settings.no_person);
      break;
    case PROP_BACKEND:
      g_value_set_enum (value, settings.backend);
      break;
    case PROP_TARGET:
      g_value_set_enum (value, settings.target);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_yolo_blur_finalize (GObject * object)
{
  GstYoloBlur *self = GST_YOLO_BLUR (object);
  gst_yolo_blur_stop_worker (self->state);
  delete self->state;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_yolo_blur_class_init (GstYoloBlurClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags flags = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_PLAYING);

  gobject_class->set_property = gst_yolo_blur_set_property;
  gobject_class->get_property = gst_yolo_blur_get_property;
  gobject_class->finalize = gst_yolo_blur_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path to a YOLOv5 ONNX export (float32, 1x3xHxW in, 1xNx(5+classes) out). Empty: the "
          "first of $MEET_MODEL_DIR/yolov5s.onnx, $MEET_MODEL_DIR/yolov5n.onnx and the installed "
          "models folder (see models/README.md). Set while playing, the new model is loaded "
          "before the next detection", "", flags));
  g_object_class_install_property (gobject_class, PROP_CONFIDENCE,
      g_param_spec_double ("confidence", "Confidence threshold",
          "Minimum objectness x class score for a detection to count", 0.0, 1.0,
          DEFAULT_CONFIDENCE, flags));
  g_object_class_install_property (gobject_class, PROP_NMS,
      g_param_spec_double ("nms", "NMS threshold",
          "Overlap (intersection over union) above which the weaker of two boxes of the same "
          "class is dropped", 0.0, 1.0, DEFAULT_NMS, flags));
  g_object_class_install_property (gobject_class, PROP_CLASSES,
      g_param_spec_string ("classes", "Classes",
          "Comma-separated COCO class names or ids to keep sharp (e.g. \"person,dog\" or "
          "\"0,16\"); empty keeps every class. An invalid list is ignored with a warning",
          DEFAULT_CLASSES, flags));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Run the detector on every Nth frame; frames in between reuse the latest boxes. 0: as "
          "often as possible (every frame when async=false, whenever the worker is free "
          "otherwise)", 0, G_MAXUINT, DEFAULT_INTERVAL, flags));
  g_object_class_install_property (gobject_class, PROP_ASYNC,
      g_param_spec_boolean ("async", "Asynchronous",
          "Run inference on a worker thread so frames never wait and use the latest boxes. "
          "false: the chosen frames wait for their own detections (offline, deterministic)",
          DEFAULT_ASYNC, flags));
  g_object_class_install_property (gobject_class, PROP_MARGIN,
      g_param_spec_double ("margin", "Margin",
          "Grow each detected box by this fraction of its width and height on every side, so "
          "hair, hands and shoulders stay sharp", 0.0, 2.0, DEFAULT_MARGIN, flags));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "How the background is hidden",
          GST_TYPE_YOLO_BLUR_MODE, static_cast<gint> (DEFAULT_MODE), flags));
  g_object_class_install_property (gobject_class, PROP_BLUR_STRENGTH,
      g_param_spec_uint ("blur-strength", "Blur strength",
          "Blur radius in frame pixels (mode=blur) or pixel block size (mode=pixelate)",
          1, 256, DEFAULT_BLUR_STRENGTH, flags));
  g_object_class_install_property (gobject_class, PROP_NO_PERSON,
      g_param_spec_enum ("no-person", "No person",
          "What to do with frames in which nothing is detected",
          GST_TYPE_YOLO_BLUR_NO_PERSON, DEFAULT_NO_PERSON, flags));
  g_object_class_install_property (gobject_class, PROP_BACKEND,
      g_param_spec_enum ("backend", "DNN backend",
          "OpenCV DNN backend running the model; one missing from this OpenCV build falls back "
          "to opencv", GST_TYPE_YOLO_BLUR_BACKEND, DEFAULT_BACKEND, flags));
  g_object_class_install_property (gobject_class, PROP_TARGET,
      g_param_spec_enum ("target", "DNN target",
          "Device the backend runs on; opencl uses a GPU through OpenCL when one is available, "
          "otherwise the CPU", GST_TYPE_YOLO_BLUR_TARGET, DEFAULT_TARGET, flags));

  gst_element_class_set_static_metadata (element_class, "YOLO privacy blur",
      "Filter/Effect/Video",
      "Hides the background around people found by a YOLOv5 ONNX detector (OpenCV DNN)",
      "meetstream developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_yolo_blur_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_yolo_blur_stop);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_yolo_blur_set_info);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR (gst_yolo_blur_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_YOLO_BLUR_MODE, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_YOLO_BLUR_NO_PERSON, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_YOLO_BLUR_BACKEND, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_YOLO_BLUR_TARGET, static_cast<GstPluginAPIFlags> (0));

  GST_DEBUG_CATEGORY_INIT (gst_yolo_blur_debug, "yoloblur", 0, "YOLO privacy blur");
}

static void
gst_yolo_blur_init (GstYoloBlur * self)
{
  self->state = new YoloBlurState ();
}
