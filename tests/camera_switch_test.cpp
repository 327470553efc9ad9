/* meetstream: CameraSwitch in a running live pipeline — frames keep coming at the camera's rate across
 * switches, and while the camera is off they are the still "camera off" picture. */
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "cameraswitch.h"
#include "gst_test_environment.h"

namespace {

constexpr int kFps = 30;
constexpr GstClockTime kFrame = GST_SECOND / kFps;
constexpr GstClockTime kStall = GST_SECOND;

enum class Kind { kCamera, kStill, kOther, kSwitchedOff, kSwitchedOn };

struct Seen {
  Kind kind;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  uint32_t checksum = 0;
};

/* The camera is plain white; the still picture black with white text. */
Kind
classify (GstVideoFrame * frame, uint32_t * checksum)
{
  const guint8 *y = static_cast<const guint8 *> (GST_VIDEO_FRAME_PLANE_DATA (frame, 0));
  int stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  int width = GST_VIDEO_FRAME_WIDTH (frame), height = GST_VIDEO_FRAME_HEIGHT (frame);
  uint64_t sum = 0, bright = 0;
  uint32_t hash = 2166136261u;
  for (int row = 0; row < height; row++)
    for (int col = 0; col < width; col++) {
      guint8 v = y[row * stride + col];
      sum += v;
      bright += v > 180;
      hash = (hash ^ v) * 16777619u;
    }
  *checksum = hash;
  double mean = static_cast<double> (sum) / (width * height);
  if (mean > 200)
    return Kind::kCamera;
  /* Mostly black, and the text is there. */
  if (mean < 80 && bright > static_cast<uint64_t> (width * height / 200))
    return Kind::kStill;
  return Kind::kOther;
}

class CameraSwitchTest : public ::testing::Test {
protected:
  void SetUp () override
  {
    pipeline_ = gst_pipeline_new (nullptr);
    GError *error = nullptr;
    caps_ = gst_caps_from_string ("video/x-raw,format=I420,width=320,height=240,framerate=30/1,"
        "pixel-aspect-ratio=1/1");
    GstElement *camera = gst_parse_bin_from_description ("videotestsrc is-live=true pattern=white ! "
        "capsfilter caps=\"video/x-raw,format=I420,width=320,height=240,framerate=30/1,pixel-aspect-ratio=1/1\"",
        TRUE, &error);
    ASSERT_NE (camera, nullptr) << (error ? error->message : "");
    gst_bin_add (GST_BIN (pipeline_), camera);
    std::string why;
    switch_ = meet::CameraSwitch::create (GST_BIN (pipeline_), camera, "alice", caps_, &why);
    ASSERT_NE (switch_, nullptr) << why;
    GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
    g_object_set (sink, "sync", TRUE, nullptr);
    gst_bin_add (GST_BIN (pipeline_), sink);
    ASSERT_TRUE (gst_element_link (switch_->output (), sink));
    GstPad *pad = gst_element_get_static_pad (sink, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, this, nullptr);
    gst_object_unref (pad);
  }

  void TearDown () override
  {
    if (pipeline_)
      gst_element_set_state (pipeline_, GST_STATE_NULL);
    switch_.reset ();
    if (pipeline_)
      gst_object_unref (pipeline_);
    if (caps_)
      gst_caps_unref (caps_);
  }

  static GstPadProbeReturn on_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
  {
    auto *self = static_cast<CameraSwitchTest *> (data);
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
    GstCaps *caps = gst_pad_get_current_caps (pad);
    GstVideoInfo vinfo;
    GstVideoFrame frame;
    Seen seen {Kind::kOther, GST_BUFFER_PTS (buffer)};
    if (caps && gst_video_info_from_caps (&vinfo, caps) && gst_video_frame_map (&frame, &vinfo, buffer,
            GST_MAP_READ)) {
      seen.kind = classify (&frame, &seen.checksum);
      gst_video_frame_unmap (&frame);
    }
    if (caps)
      gst_caps_unref (caps);
    std::lock_guard<std::mutex> guard (self->lock_);
    self->seen_.push_back (seen);
    self->changed_.notify_all ();
    return GST_PAD_PROBE_OK;
  }

  /* Waits (generously: a loaded machine) until @count frames of @kind came after the last switch. */
  void wait_for_frames (Kind kind, size_t count)
  {
    std::unique_lock<std::mutex> guard (lock_);
    bool ok = changed_.wait_for (guard, std::chrono::seconds (30), [&] {
          size_t n = 0;
          for (auto it = seen_.rbegin (); it != seen_.rend (); ++it) {
            if (it->kind == Kind::kSwitchedOff || it->kind == Kind::kSwitchedOn)
              break;
            n += it->kind == kind;
          }
          return n >= count;
        });
    ASSERT_TRUE (ok) << "no " << count << " frames of the expected picture within 30 s";
  }

  /* The mark goes in first: no frame of the new picture can come before it. */
  void switch_camera (bool on)
  {
    {
      std::lock_guard<std::mutex> guard (lock_);
      seen_.push_back ({on ? Kind::kSwitchedOn : Kind::kSwitchedOff});
    }
    switch_->set_camera_on (on);
  }

  GstElement *pipeline_ = nullptr;
  GstCaps *caps_ = nullptr;
  std::unique_ptr<meet::CameraSwitch> switch_;
  std::mutex lock_;
  std::condition_variable changed_;
  std::vector<Seen> seen_;
};

TEST_F (CameraSwitchTest, FramesKeepComingAndAreTheStillWhileOff)
{
  ASSERT_NE (gst_element_set_state (pipeline_, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (switch_->camera_on ());
  wait_for_frames (Kind::kCamera, 10);
  for (int round = 0; round < 3; round++) {
    switch_camera (false);
    EXPECT_FALSE (switch_->camera_on ());
    wait_for_frames (Kind::kStill, 10);
    switch_camera (true);
    wait_for_frames (Kind::kCamera, 10);
  }
  gst_element_set_state (pipeline_, GST_STATE_NULL);

  std::lock_guard<std::mutex> guard (lock_);
  /* Every frame is one picture or the other; after a switch at most two frames already on their way show
   * the previous picture, then only the new one. */
  Kind expected = Kind::kCamera;
  int since_switch = 0, frames = 0;
  GstClockTime last = GST_CLOCK_TIME_NONE;
  /* The camera and the still picture are two live sources, each with its own timestamps: on a starved
   * CPU (the sanitizer runs) the still one falls behind by a growing few hundred ms, so timestamps jump at
   * each switch. The frame times are summed per run of frames from one source. */
  Kind run_kind = Kind::kOther;
  GstClockTime run_first = GST_CLOCK_TIME_NONE, run_last = GST_CLOCK_TIME_NONE;
  double span_frames = 0;
  auto end_run = [&] {
        if (GST_CLOCK_TIME_IS_VALID (run_first))
          span_frames += static_cast<double> (run_last - run_first) / kFrame + 1;
      };
  uint32_t still_checksum = 0;
  for (const Seen &s : seen_) {
    if (s.kind == Kind::kSwitchedOff || s.kind == Kind::kSwitchedOn) {
      expected = s.kind == Kind::kSwitchedOn ? Kind::kCamera : Kind::kStill;
      since_switch = 0;
      continue;
    }
    ASSERT_NE (s.kind, Kind::kOther) << "frame " << frames << " is neither the camera nor the still picture";
    if (s.kind != expected) {
      EXPECT_LT (since_switch, 2) << "frame " << frames << " still shows the previous picture";
    }
    if (s.kind == Kind::kStill) {
      /* A still picture: every such frame the same. */
      if (still_checksum == 0)
        still_checksum = s.checksum;
      EXPECT_EQ (s.checksum, still_checksum) << "the camera-off picture changed";
    }
    /* Frames keep coming across the switches: no stall and no jump back in time. The two sources drift
     * apart (above), so the bound is a stall, not a frame; the frame count below says none is missing. */
    ASSERT_TRUE (GST_CLOCK_TIME_IS_VALID (s.pts));
    if (GST_CLOCK_TIME_IS_VALID (last)) {
      GstClockTimeDiff step = GST_CLOCK_DIFF (last, s.pts);
      EXPECT_LT (step, static_cast<GstClockTimeDiff> (kStall)) << "a gap in the frames at frame " << frames;
      EXPECT_GT (step, -static_cast<GstClockTimeDiff> (kStall)) << "time went back at frame " << frames;
    }
    if (s.kind != run_kind) {
      end_run ();
      run_kind = s.kind;
      run_first = s.pts;
    }
    run_last = s.pts;
    last = s.pts;
    since_switch++;
    frames++;
  }
  end_run ();
  EXPECT_GE (frames, 0.9 * span_frames) << frames << " frames over " << span_frames << " frame times";
  EXPECT_LE (frames, 1.1 * span_frames + 6) << "more frames than the camera's rate";
}

TEST_F (CameraSwitchTest, StartsWithTheStillWhenSwitchedOffBeforePlaying)
{
  switch_camera (false);
  ASSERT_NE (gst_element_set_state (pipeline_, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  wait_for_frames (Kind::kStill, 10);
  std::lock_guard<std::mutex> guard (lock_);
  for (const Seen &s : seen_)
    EXPECT_NE (s.kind, Kind::kCamera);
}

TEST (CameraSwitchCreate, RefusesCapsThatAreNotFixedRawVideo)
{
  GstElement *bin = gst_bin_new (nullptr);
  GstElement *camera = gst_element_factory_make ("videotestsrc", nullptr);
  gst_bin_add (GST_BIN (bin), camera);
  GstCaps *caps = gst_caps_from_string ("video/x-raw,width=[1,100]");
  std::string why;
  EXPECT_EQ (meet::CameraSwitch::create (GST_BIN (bin), camera, "bob", caps, &why), nullptr);
  EXPECT_NE (why.find ("fixed raw video caps"), std::string::npos) << why;
  gst_caps_unref (caps);
  gst_object_unref (bin);
}

TEST (CameraOffSource, IsALiveSourceOfTheGivenCaps)
{
  GstCaps *caps = gst_caps_from_string ("video/x-raw,format=NV12,width=640,height=360,framerate=25/1");
  GstElement *source = meet::make_camera_off_source ("carol", caps);
  ASSERT_NE (source, nullptr);
  GstElement *pipeline = gst_pipeline_new (nullptr);
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  gst_bin_add_many (GST_BIN (pipeline), source, sink, nullptr);
  ASSERT_TRUE (gst_element_link (source, sink));
  /* Live: going to PAUSED does not preroll. */
  EXPECT_EQ (gst_element_set_state (pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_NO_PREROLL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_element_get_state (pipeline, nullptr, nullptr, 10 * GST_SECOND);
  GstPad *pad = gst_element_get_static_pad (source, "src");
  GstCaps *current = nullptr;
  for (int i = 0; i < 200 && !(current = gst_pad_get_current_caps (pad)); i++)
    g_usleep (50000);
  ASSERT_NE (current, nullptr);
  EXPECT_TRUE (gst_caps_is_subset (current, caps)) << gst_caps_to_string (current);
  gst_caps_unref (current);
  gst_object_unref (pad);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  gst_caps_unref (caps);
}

}  // namespace
