/* meetstream: render_still and repeat_still (tools/stillframe.h) — a picture drawn once, repeated by a live
 * source with the source's own timestamps, and never changed by an element writing into a frame. */
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "gst_test_environment.h"
#include "stillframe.h"

namespace {

constexpr const char *kCaps = "video/x-raw,format=I420,width=320,height=240,framerate=30/1,pixel-aspect-ratio=1/1";

std::vector<guint8>
bytes_of (GstBuffer * buffer)
{
  GstMapInfo map;
  EXPECT_TRUE (gst_buffer_map (buffer, &map, GST_MAP_READ));
  std::vector<guint8> bytes (map.data, map.data + map.size);
  gst_buffer_unmap (buffer, &map);
  return bytes;
}

TEST (RenderStill, DrawsTheFirstFrame)
{
  std::string error;
  GstBuffer *frame = meet::render_still (std::string ("videotestsrc pattern=smpte ! capsfilter caps=") + kCaps, &error);
  ASSERT_NE (frame, nullptr) << error;
  EXPECT_EQ (gst_buffer_get_size (frame), 320u * 240 * 3 / 2);
  /* The bars: not one flat colour. */
  std::vector<guint8> bytes = bytes_of (frame);
  EXPECT_NE (bytes[10], bytes[300]);
  gst_buffer_unref (frame);
}

TEST (RenderStill, ABadDescriptionSaysWhy)
{
  std::string error;
  EXPECT_EQ (meet::render_still ("nosuchelement ! fakesink", &error), nullptr);
  EXPECT_NE (error.find ("nosuchelement"), std::string::npos) << error;
  error.clear ();
  /* Parses, but gives no frame (a caps filter the source cannot meet). */
  EXPECT_EQ (meet::render_still ("videotestsrc ! capsfilter caps=audio/x-raw", &error), nullptr);
  EXPECT_FALSE (error.empty ());
}

struct Seen {
  std::mutex lock;
  std::vector<GstClockTime> pts;
  std::vector<std::vector<guint8>> pictures;
};

/* Reads every frame, then scribbles into it as the picture marks do. */
GstPadProbeReturn
on_buffer (GstPad *, GstPadProbeInfo * info, gpointer data)
{
  auto *seen = static_cast<Seen *> (data);
  GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  {
    std::lock_guard<std::mutex> guard (seen->lock);
    seen->pts.push_back (GST_BUFFER_PTS (buffer));
    seen->pictures.push_back (bytes_of (buffer));
  }
  GstMapInfo map;
  if (gst_buffer_map (buffer, &map, GST_MAP_WRITE)) {
    memset (map.data, 0x55, 64);
    gst_buffer_unmap (buffer, &map);
  }
  return GST_PAD_PROBE_OK;
}

TEST (RepeatStill, EveryFrameIsTheStillWithItsOwnTime)
{
  std::string error;
  GstBuffer *frame = meet::render_still (std::string ("videotestsrc pattern=smpte ! capsfilter caps=") + kCaps, &error);
  ASSERT_NE (frame, nullptr) << error;
  std::vector<guint8> still = bytes_of (frame);

  GError *err = nullptr;
  std::string d = std::string ("videotestsrc name=src is-live=true pattern=black num-buffers=10 ! ") + kCaps +
      " ! identity name=writer ! fakesink sync=true";
  GstElement *pipeline = gst_parse_launch (d.c_str (), &err);
  ASSERT_NE (pipeline, nullptr) << (err ? err->message : "");
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstPad *pad = gst_element_get_static_pad (src, "src");
  meet::repeat_still (pad, frame);
  gst_object_unref (pad);
  gst_object_unref (src);
  Seen seen;
  GstElement *writer = gst_bin_get_by_name (GST_BIN (pipeline), "writer");
  pad = gst_element_get_static_pad (writer, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, &seen, nullptr);
  gst_object_unref (pad);
  gst_object_unref (writer);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      static_cast<GstMessageType> (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  ASSERT_NE (msg, nullptr);
  EXPECT_EQ (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  ASSERT_EQ (seen.pictures.size (), 10u);
  for (size_t i = 0; i < seen.pictures.size (); i++) {
    /* The still each time, though the frame before was written into. */
    EXPECT_TRUE (seen.pictures[i] == still) << "frame " << i;
    if (i > 0) {
      EXPECT_GT (seen.pts[i], seen.pts[i - 1]);
    }
  }
  EXPECT_TRUE (bytes_of (frame) == still);
  gst_buffer_unref (frame);
}

}  // namespace
