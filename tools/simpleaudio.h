/* meetstream: the meeting's sound, simply — a microphone chain with a mute, and a speaker mix of every remote
 * participant (audiomixer). Stands in until tools/meetingaudio (echo cancellation with webrtcdsp and
 * webrtcechoprobe) lands; meetingsession only uses these two small interfaces. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace meet {

/* A bin with one "src" pad: @source_fragment (a gst-launch fragment) as 48 kHz mono S16BE, ready for
 * meetpcmpay. set_mute() silences it (samples keep flowing, so the stream and its timing stay). */
class Microphone {
public:
  static Microphone *create (const std::string & source_fragment, std::string * error);
  GstElement *bin () const { return bin_; }
  void set_muted (bool muted);
  bool muted () const;

private:
  GstElement *bin_ = nullptr;   /* floating until added to a pipeline */
  GstElement *volume_ = nullptr;
};

/* The speakers: a silent live source keeps the mixer running while nobody talks; each remote's sound gets
 * a request input. @sound false: no sound device, the mix goes to a synchronised fakesink. */
class SpeakerMix {
public:
  static SpeakerMix *create (GstBin * pipeline, bool sound, std::string * error);
  /* A new input (a request pad of the mixer) for one remote; release it when they leave. */
  GstPad *request_input ();
  void release_input (GstPad * pad);

private:
  GstElement *mixer_ = nullptr;
};

}  // namespace meet
