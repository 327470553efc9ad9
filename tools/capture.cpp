/* meetstream: the camera and microphone choice shared by meetsrv and meetcli. */
#include "capture.h"

#include "launcher.h"
#include "stillframe.h"

#include <cstdio>
#include <cstdlib>

namespace meet {

namespace {

/* Opens the element's device (NULL -> READY) to learn whether it can be used; fills @reason when not. */
bool
device_opens (const char *factory, const char *device, std::string * reason)
{
  GstElement *element = gst_element_factory_make (factory, nullptr);
  if (element == nullptr) {
    *reason = std::string ("GStreamer element ") + factory + " is not installed";
    return false;
  }
  if (device != nullptr)
    g_object_set (element, "device", device, nullptr);
  bool ok = gst_element_set_state (element, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  if (!ok)
    *reason = device ? std::string (device) + " cannot be opened" : std::string (factory) + " cannot start";
  gst_element_set_state (element, GST_STATE_NULL);
  gst_object_unref (element);
  return ok;
}

/* The test picture: SMPTE bars at the meeting's caps, mirrored like a camera unless --no-mirror. It never
 * changes (the marks go in at the encoder), so it is drawn once (start_test_picture) and live black frames
 * carry it: drawing and mirroring the bars cost about 2 ms a 720p frame. */
std::string
test_picture_caps (const CaptureOptions & o)
{
  gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
      "pixel-aspect-ratio=1/1", o.width, o.height, o.fps);
  std::string result = caps;
  g_free (caps);
  return result;
}

void
choose_test_video (const CaptureOptions & o, CaptureChoice * c)
{
  c->test_video = true;
  c->video_desc = "test picture";
  c->video = "videotestsrc name=vsrc is-live=true pattern=black ! capsfilter caps=\"" + test_picture_caps (o) +
      "\"";
  c->mirrored = o.mirror;
}

void
choose_video (const char *program, const CaptureOptions & o, CaptureChoice * c)
{
  if (o.video_source) {
    c->video_desc = "video source";
    /* A bin of its own, so that its errors are told apart from the rest of the pipeline's. */
    c->video = std::string ("bin.( name=vsrc ") + o.video_source + " )";
    return;
  }
  std::string device = o.video ? o.video : "";
  if (device == "test") {
    choose_test_video (o, c);
    return;
  }
  bool automatic = device.empty ();
  if (automatic)
    device = "/dev/video0";
  std::string reason;
  if (g_file_test (device.c_str (), G_FILE_TEST_EXISTS) && device_opens ("v4l2src", device.c_str (), &reason)) {
    c->video_desc = "camera " + device;
    /* decodebin takes both raw and MJPEG-only cameras. */
    c->video = "v4l2src name=vsrc device=\"" + device + "\" ! decodebin";
    return;
  }
  if (reason.empty ())
    reason = "there is no " + device;
  if (!automatic) {
    g_printerr ("%s: camera %s: %s; use --video test to send a test picture instead.\n", program,
        device.c_str (), reason.c_str ());
    exit (1);
  }
  g_print ("%s: no camera (%s): sending a test picture instead.\n", program, reason.c_str ());
  choose_test_video (o, c);
}

void
choose_audio (const char *program, const CaptureOptions & o, CaptureChoice * c, int tick_hz)
{
  /* The test sound ticks once a second, in step with the flash mark of the test picture: silence here, the
   * ticks written by draw_ticks_into_output (launcher.h) at whole seconds of running time. audiotestsrc's
   * wave=ticks does not tick there (it counts samples from its first buffer, timestamped late by the
   * start-up delay, and is a buffer early), which showed as A/V offsets of up to 100 ms. */
  std::string test = "audiotestsrc name=asrc is-live=true wave=silence";
  c->tick_hz = tick_hz;
  std::string device = o.audio ? o.audio : "";
  if (device == "test") {
    c->test_audio = true;
    c->audio = test;
    return;
  }
  std::string reason;
  if (device.empty ()) {
    /* A desktop sound server first, then the ALSA default device. */
    if (have_sound_server () && device_opens ("pulsesrc", nullptr, &reason)) {
      c->audio = "pulsesrc name=asrc";
      return;
    }
    if (have_alsa_device ('c') && device_opens ("alsasrc", "default", &reason)) {
      c->audio = "alsasrc name=asrc";
      return;
    }
    g_print ("%s: no microphone (no sound server and no ALSA capture device): sending a test sound "
        "instead.\n", program);
    c->test_audio = true;
    c->audio = test;
    return;
  }
  if (!device_opens ("alsasrc", device.c_str (), &reason)) {
    g_printerr ("%s: microphone %s: %s; use --audio test to send a test sound instead.\n", program,
        device.c_str (), reason.c_str ());
    exit (1);
  }
  c->audio = "alsasrc name=asrc device=\"" + device + "\"";
}

}  // namespace

CaptureChoice
choose_capture (const char *program, const CaptureOptions & options, int tick_hz)
{
  CaptureChoice choice;
  choose_video (program, options, &choice);
  choose_audio (program, options, &choice, tick_hz);
  return choice;
}

bool
start_test_picture (GstBin * bin, const CaptureOptions & o, std::string * error)
{
  std::string still = "videotestsrc pattern=smpte ! capsfilter caps=\"" + test_picture_caps (o) + "\"";
  if (o.mirror)
    still += " ! videoflip video-direction=horiz";
  GstElement *vsrc = gst_bin_get_by_name (bin, "vsrc");
  if (!vsrc) {
    *error = "the test picture's source (vsrc) is missing";
    return false;
  }
  GstBuffer *frame = render_still (still, error);
  if (!frame) {
    gst_object_unref (vsrc);
    *error = "cannot draw the test picture (" + *error + "): videotestsrc and videoflip come with "
        "gstreamer1.0-plugins-base and -good";
    return false;
  }
  GstPad *pad = gst_element_get_static_pad (vsrc, "src");
  repeat_still (pad, frame);
  gst_object_unref (pad);
  gst_object_unref (vsrc);
  gst_buffer_unref (frame);
  return true;
}

std::string
video_processing (const CaptureOptions & o, const CaptureChoice & choice)
{
  /* videorate only drops frames: filling in missing ones means holding every frame until the next one
   * arrives, a whole frame (33 ms at 30 fps) of latency. A camera slower than --fps sends at its own rate. */
  gchar *caps = g_strdup_printf ("video/x-raw,width=%d,height=%d,framerate=[1/1,%d/1],pixel-aspect-ratio=1/1",
      o.width, o.height, o.fps);
  std::string d = std::string ("videoconvert ! videoscale ! videorate drop-only=true ! ") + caps + " ! ";
  g_free (caps);
  if (o.mirror && !choice.mirrored)
    /* video-direction: setting the deprecated method property has no effect in GStreamer 1.22. */
    d += "videoflip video-direction=horiz ! ";
  if (o.blur)
    d += "videoconvert ! yoloblur name=blur ! ";
  d += "videoconvert";
  return d;
}

GstCaps *
meeting_video_caps (const CaptureOptions & o)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, o.width,
      "height", G_TYPE_INT, o.height, "framerate", GST_TYPE_FRACTION, o.fps, 1, "pixel-aspect-ratio",
      GST_TYPE_FRACTION, 1, 1, nullptr);
}

}  // namespace meet
