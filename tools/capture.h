/* meetstream: choosing the camera and the microphone (or test sources) for meetsrv and meetcli, and the
 * launch fragment that turns them into what the meeting sends: raw I420 at the chosen size and rate. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace meet {

struct CaptureOptions {
  const char *video = nullptr;          /* device, "test", or null for the default camera */
  const char *video_source = nullptr;   /* a gst-launch fragment instead of a camera */
  const char *audio = nullptr;          /* ALSA device, "test", or null for the default microphone */
  int width = 640;
  int height = 480;
  int fps = 30;
  bool mirror = true;
  bool blur = false;
};

struct CaptureChoice {
  std::string video;            /* source fragment; its first element is named vsrc */
  std::string audio;            /* source fragment; its first element is named asrc */
  std::string video_desc;       /* "camera /dev/video0", "test picture", ... for messages */
  bool test_video = false;      /* the picture marks (marks.h) can be drawn; start_test_picture() */
  bool mirrored = false;        /* the source's picture is mirrored already (the test picture) */
  bool test_audio = false;      /* silence: draw_ticks_into_output (launcher.h) on asrc puts the ticks in */
  int tick_hz = 1000;           /* the test sound's tone */
};

/* Chooses the sources. @program names the tool in messages ("meetsrv"); a device asked for that cannot be
 * opened ends the program with a sentence saying what to do; no device at all falls back to test sources
 * with a one-line note. @tick_hz is the test sound's tone (so participants can be told apart by ear). */
CaptureChoice choose_capture (const char *program, const CaptureOptions & options, int tick_hz = 1000);

/* For a test_video choice, once @bin holds its parsed source (vsrc) and before it plays: draws the test
 * picture (and mirrors it) once for vsrc to repeat. False with @error set when it cannot be drawn. */
bool start_test_picture (GstBin * bin, const CaptureOptions & options, std::string * error);

/* "convert ! scale ! rate ! caps ! [flip] ! [yoloblur name=blur] ! videoconvert": raw video of the options'
 * size at most their rate, ready for an I420 caps filter (no flip when @choice's source mirrors itself). */
std::string video_processing (const CaptureOptions & options, const CaptureChoice & choice);

/* The fixed caps the meeting sends: I420 at the options' size and rate. */
GstCaps *meeting_video_caps (const CaptureOptions & options);

}  // namespace meet
