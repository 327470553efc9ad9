/* meetstream: the stand-in microphone and speaker mix (see simpleaudio.h). */
#include "simpleaudio.h"

#include <gst/audio/audio.h>

namespace meet {

Microphone *
Microphone::create (const std::string & source_fragment, std::string * error)
{
  std::string d = source_fragment + " ! audioconvert ! audioresample ! "
      "audio/x-raw,format=S16LE,rate=48000,channels=1 ! volume name=micvolume ! audioconvert ! "
      "capsfilter caps=\"audio/x-raw,format=S16BE,rate=48000,channels=1\"";
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description (d.c_str (), TRUE, &err);
  if (bin == nullptr) {
    *error = err ? err->message : "cannot build the microphone chain";
    g_clear_error (&err);
    return nullptr;
  }
  auto *mic = new Microphone;
  mic->bin_ = bin;
  mic->volume_ = gst_bin_get_by_name (GST_BIN (bin), "micvolume");
  gst_object_unref (mic->volume_);      /* borrowed: the bin keeps it */
  return mic;
}

void
Microphone::set_muted (bool muted)
{
  g_object_set (volume_, "mute", muted ? TRUE : FALSE, nullptr);
}

bool
Microphone::muted () const
{
  gboolean m = FALSE;
  g_object_get (volume_, "mute", &m, nullptr);
  return m;
}

/* Sound cards play what they are given one buffer later, and the sinks tell the pipeline so: with GStreamer's
 * default 200 ms buffer the picture would wait 200 ms to stay in step. 40 ms in 10 ms periods keeps the whole
 * meeting live. */
static void
on_deep_element_added (GstBin *, GstBin *, GstElement * element, gpointer)
{
  if (GST_IS_AUDIO_BASE_SINK (element))
    g_object_set (element, "buffer-time", gint64 (40000), "latency-time", gint64 (10000), nullptr);
}

SpeakerMix *
SpeakerMix::create (GstBin * pipeline, bool sound, std::string * error)
{
  std::string d = std::string ("audiotestsrc is-live=true wave=silence samplesperbuffer=240 ! "
      "audio/x-raw,format=S16LE,rate=48000,channels=1 ! audiomixer name=speakermix "
      "start-time-selection=first output-buffer-duration=5000000 ! audioconvert ! audioresample ! ") +
      (sound ? "autoaudiosink name=speakers sync=true" : "fakesink name=speakers sync=true async=false");
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description (d.c_str (), FALSE, &err);
  if (bin == nullptr) {
    *error = err ? err->message : "cannot build the speaker mix";
    g_clear_error (&err);
    return nullptr;
  }
  g_signal_connect (bin, "deep-element-added", G_CALLBACK (on_deep_element_added), nullptr);
  gst_bin_add (pipeline, bin);
  auto *mix = new SpeakerMix;
  mix->mixer_ = gst_bin_get_by_name (GST_BIN (bin), "speakermix");
  gst_object_unref (mix->mixer_);
  return mix;
}

GstPad *
SpeakerMix::request_input ()
{
  /* A ghost pad on the bin, so that a remote's bin beside it can link to it. */
  GstPad *pad = gst_element_request_pad_simple (mixer_, "sink_%u");
  GstElement *bin = GST_ELEMENT (gst_object_get_parent (GST_OBJECT (mixer_)));
  GstPad *ghost = gst_ghost_pad_new (nullptr, pad);
  gst_pad_set_active (ghost, TRUE);
  gst_element_add_pad (bin, ghost);
  g_object_set_data_full (G_OBJECT (ghost), "meet-mixer-pad", pad, gst_object_unref);
  gst_object_unref (bin);
  return ghost;
}

void
SpeakerMix::release_input (GstPad * ghost)
{
  GstPad *pad = GST_PAD (g_object_get_data (G_OBJECT (ghost), "meet-mixer-pad"));
  GstElement *bin = GST_ELEMENT (gst_object_get_parent (GST_OBJECT (ghost)));
  gst_object_ref (pad);
  gst_element_remove_pad (bin, ghost);
  gst_element_release_request_pad (mixer_, pad);
  gst_object_unref (pad);
  gst_object_unref (bin);
}

}  // namespace meet
