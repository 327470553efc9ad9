/* meetstream: the meeting's microphone (echo cancelled, mutable, measured) and speaker (everyone else mixed)
 * bins. See meetingaudio.h. */
/* The level element's messages carry GValueArrays (deprecated in GLib, still what level posts in 1.22). */
#define GLIB_DISABLE_DEPRECATION_WARNINGS
#include "meetingaudio.h"

#include <gst/audio/audio.h>

#include <cstdio>

namespace meet {

namespace {

/* Object data on our level elements: whose sound they measure. */
constexpr const char *kLevelNameKey = "meet-audio-level-name";
constexpr const char *kLevelMicKey = "meet-audio-level-microphone";

GstCaps *
processing_caps ()
{
  return gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout", G_TYPE_STRING,
      "interleaved", "rate", G_TYPE_INT, kMeetingAudioRate, "channels", G_TYPE_INT, kMeetingAudioChannels,
      nullptr);
}

/* A new element, named @prefix-@role; null (and @error set) when the factory is missing. */
GstElement *
make (const char *factory, const std::string & prefix, const char *role, std::string * error)
{
  std::string name = prefix + "-" + role;
  GstElement *e = gst_element_factory_make (factory, name.c_str ());
  if (!e && error && error->empty ())
    *error = std::string ("GStreamer element \"") + factory + "\" is missing: install " +
        (std::string (factory).rfind ("webrtc", 0) == 0 ? "gstreamer1.0-plugins-bad" :
         "gstreamer1.0-plugins-base and gstreamer1.0-plugins-good") + ".";
  return e;
}

GstElement *
make_capsfilter (const std::string & prefix, const char *role, std::string * error)
{
  GstElement *e = make ("capsfilter", prefix, role, error);
  if (e) {
    GstCaps *caps = processing_caps ();
    g_object_set (e, "caps", caps, nullptr);
    gst_caps_unref (caps);
  }
  return e;
}

GstElement *
make_level (const std::string & prefix, const std::string & name, bool microphone, unsigned interval_ms,
    std::string * error)
{
  GstElement *e = make ("level", prefix, "level", error);
  if (!e)
    return nullptr;
  g_object_set (e, "post-messages", TRUE, "interval", (guint64) (interval_ms ? interval_ms : 50) * GST_MSECOND,
      nullptr);
  g_object_set_data_full (G_OBJECT (e), kLevelNameKey, g_strdup (name.c_str ()), g_free);
  g_object_set_data (G_OBJECT (e), kLevelMicKey, GINT_TO_POINTER (microphone ? 1 : 0));
  return e;
}

/* A gst-launch fragment as one element: the element itself when it is one, else a bin with its unlinked pad
 * ghosted. Null and @error set when it does not parse. */
GstElement *
parse_fragment (const std::string & description, const char *what, std::string * error)
{
  GError *gerror = nullptr;
  GstElement *e = gst_parse_bin_from_description_full (description.c_str (), TRUE, nullptr,
      GST_PARSE_FLAG_NONE, &gerror);
  if (!e) {
    *error = std::string ("the ") + what + " \"" + description + "\" is not a usable GStreamer element (" +
        (gerror ? gerror->message : "parse error") + "); check the device name or use the test " + what + ".";
    g_clear_error (&gerror);
    return nullptr;
  }
  if (gerror) {
    /* Recoverable parse warnings (e.g. an unknown property): refuse, so a typo is not silently ignored. */
    *error = std::string ("the ") + what + " \"" + description + "\": " + gerror->message + ".";
    g_clear_error (&gerror);
    gst_object_unref (gst_object_ref_sink (e));
    return nullptr;
  }
  /* An owned (not floating) reference, like the caller's element after gst_object_ref_sink. */
  if (g_object_is_floating (e))
    gst_object_ref_sink (e);
  return e;
}

bool
link_all (const std::vector<GstElement *> & chain)
{
  for (size_t i = 1; i < chain.size (); i++)
    if (!gst_element_link (chain[i - 1], chain[i]))
      return false;
  return true;
}

bool
ghost (GstElement * bin, GstElement * element, const char *pad_name, const char *ghost_name)
{
  GstPad *target = gst_element_get_static_pad (element, pad_name);
  if (!target)
    return false;
  GstPad *g = gst_ghost_pad_new (ghost_name, target);
  gst_object_unref (target);
  return g && gst_element_add_pad (bin, g);
}

}  // namespace

/* ---- microphone ---- */

MeetingMicrophone::MeetingMicrophone (const MeetingMicrophoneOptions & o)
{
  const std::string & p = o.bin_name;
  bool use_dsp = o.echo_cancel || o.noise_suppression;
  if (o.echo_cancel && o.probe_name.empty ()) {
    error_ = "echo cancellation needs the speaker's echo probe name (MeetingSpeaker::probe_name()).";
    if (o.source_element)
      gst_object_unref (gst_object_ref_sink (o.source_element));
    return;
  }

  GstElement *source = nullptr;
  if (!o.external_input) {
    if (o.source_element)
      source = GST_ELEMENT (gst_object_ref_sink (o.source_element));
    else if (!(source = parse_fragment (o.source, "microphone", &error_)))
      return;
  }

  std::vector<GstElement *> chain;
  if (source)
    chain.push_back (source);
  GstElement *convert = make ("audioconvert", p, "convert", &error_);
  GstElement *resample = make ("audioresample", p, "resample", &error_);
  GstElement *caps = make_capsfilter (p, "caps", &error_);
  GstElement *dsp = use_dsp ? make ("webrtcdsp", p, "dsp", &error_) : nullptr;
  GstElement *volume = make ("volume", p, "volume", &error_);
  GstElement *level = make_level (p, o.level_name, true, o.level_interval_ms, &error_);
  for (GstElement *e : {convert, resample, caps, dsp, volume, level})
    if (e)
      chain.push_back (e);
  if (!error_.empty ()) {
    for (GstElement *e : chain)
      if (e != source)
        gst_object_unref (gst_object_ref_sink (e));
    if (source)
      gst_object_unref (source);
    return;
  }
  if (dsp) {
    g_object_set (dsp, "echo-cancel", o.echo_cancel ? TRUE : FALSE, "noise-suppression",
        o.noise_suppression ? TRUE : FALSE, "gain-control", o.gain_control ? TRUE : FALSE, nullptr);
    /* The extended filter covers longer echo tails and delay errors (webrtcdsp's default, set to be sure). */
    g_object_set (dsp, "delay-agnostic", o.delay_agnostic ? TRUE : FALSE, "extended-filter", TRUE, nullptr);
    if (o.echo_cancel)
      g_object_set (dsp, "probe", o.probe_name.c_str (), nullptr);
  }

  bin_ = GST_ELEMENT (gst_object_ref_sink (gst_bin_new (p.c_str ())));
  for (GstElement *e : chain) {
    gst_bin_add (GST_BIN (bin_), e);
    if (e == source)
      gst_object_unref (source);          /* the bin holds it now */
  }
  if (!link_all (chain) || !ghost (bin_, level, "src", "src") ||
      (o.external_input && !ghost (bin_, convert, "sink", "sink"))) {
    error_ = "the microphone does not give raw audio that can be converted to 48 kHz S16LE.";
    gst_object_unref (bin_);
    bin_ = nullptr;
    return;
  }
  dsp_ = dsp;
  volume_ = volume;
}

MeetingMicrophone::~MeetingMicrophone ()
{
  if (bin_)
    gst_object_unref (bin_);
}

void
MeetingMicrophone::set_muted (bool muted)
{
  if (volume_)
    g_object_set (volume_, "mute", muted ? TRUE : FALSE, nullptr);   /* GObject locks the property */
}

bool
MeetingMicrophone::muted () const
{
  gboolean m = FALSE;
  if (volume_)
    g_object_get (volume_, "mute", &m, nullptr);
  return m;
}

/* ---- speaker ---- */

MeetingSpeaker::MeetingSpeaker (const MeetingSpeakerOptions & o)
    : probe_name_ (o.probe_name.empty () ? o.bin_name + "-echoprobe" : o.probe_name), bin_name_ (o.bin_name),
      level_interval_ms_ (o.level_interval_ms), roster_ (o.self_name)
{
  const std::string & p = o.bin_name;
  GstElement *sink = nullptr;
  if (o.sink_element)
    sink = GST_ELEMENT (gst_object_ref_sink (o.sink_element));
  else if (!(sink = parse_fragment (o.sink, "speaker", &error_)))
    return;

  GstElement *silence = make ("audiotestsrc", p, "silence", &error_);
  GstElement *silence_caps = make_capsfilter (p, "silencecaps", &error_);
  GstElement *mixer = make ("audiomixer", p, "mixer", &error_);
  GstElement *mix_caps = make_capsfilter (p, "mixcaps", &error_);
  GstElement *probe = gst_element_factory_make ("webrtcechoprobe", probe_name_.c_str ());
  if (!probe && error_.empty ())
    error_ = "GStreamer element \"webrtcechoprobe\" is missing: install gstreamer1.0-plugins-bad.";
  GstElement *convert = make ("audioconvert", p, "outconvert", &error_);
  GstElement *resample = make ("audioresample", p, "outresample", &error_);
  std::vector<GstElement *> all;
  for (GstElement *e : {silence, silence_caps, mixer, mix_caps, probe, convert, resample, sink})
    if (e)
      all.push_back (e);
  if (!error_.empty ()) {
    for (GstElement *e : all)
      if (e != sink)
        gst_object_unref (gst_object_ref_sink (e));
    gst_object_unref (sink);
    return;
  }

  /* 10 ms buffers all the way: webrtcdsp and the probe work in 10 ms frames, and a small period keeps the
   * mix's latency small. */
  g_object_set (silence, "is-live", TRUE, "wave", 4 /* silence */, "samplesperbuffer",
      kMeetingAudioRate / 100, nullptr);
  g_object_set (mixer, "latency", (guint64) o.mix_latency, "output-buffer-duration", (guint64) (10 * GST_MSECOND),
      nullptr);
  /* Output timestamps follow the inputs' running time (the live sources'), not zero. */
  gst_util_set_object_arg (G_OBJECT (mixer), "start-time-selection", "first");

  bin_ = GST_ELEMENT (gst_object_ref_sink (gst_bin_new (p.c_str ())));
  for (GstElement *e : all)
    gst_bin_add (GST_BIN (bin_), e);
  gst_object_unref (sink);
  if (!link_all ({silence, silence_caps, mixer, mix_caps, probe, convert, resample, sink})) {
    error_ = "the speaker \"" + (o.sink_element ? std::string ("element") : o.sink) +
        "\" does not take raw audio; choose an audio sink.";
    gst_object_unref (bin_);
    bin_ = nullptr;
    return;
  }
  mixer_ = mixer;
}

MeetingSpeaker::~MeetingSpeaker ()
{
  for (auto & entry : chains_)
    if (entry.second.mixer_pad)
      gst_object_unref (entry.second.mixer_pad);
  if (bin_)
    gst_object_unref (bin_);
}

GstPad *
MeetingSpeaker::add_participant (const std::string & name)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (!bin_ || roster_.add (name) != MixRoster::AddResult::kAdded)
    return nullptr;

  std::string p = bin_name_ + "-p" + std::to_string (next_id_++);
  std::string error;
  /* A queue of its own: the participant's receiving thread never waits for the mix, and the mixer sees an
   * upstream that can buffer (its live latency needs some). */
  GstElement *queue = make ("queue", p, "queue", &error);
  GstElement *convert = make ("audioconvert", p, "convert", &error);
  GstElement *resample = make ("audioresample", p, "resample", &error);
  GstElement *caps = make_capsfilter (p, "caps", &error);
  GstElement *level = make_level (p, name, false, level_interval_ms_, &error);
  std::vector<GstElement *> chain;
  for (GstElement *e : {queue, convert, resample, caps, level})
    if (e)
      chain.push_back (e);
  if (queue)
    g_object_set (queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
        (guint64) (200 * GST_MSECOND), nullptr);
  GstPad *mixer_pad = nullptr;
  GstPad *level_src = nullptr;
  GstPad *ghost_pad = nullptr;
  if (!error.empty ())
    goto fail_unowned;

  for (GstElement *e : chain)
    gst_bin_add (GST_BIN (bin_), e);
  mixer_pad = gst_element_request_pad_simple (mixer_, "sink_%u");
  level_src = gst_element_get_static_pad (level, "src");
  if (!mixer_pad || !link_all (chain) || gst_pad_link (level_src, mixer_pad) != GST_PAD_LINK_OK)
    goto fail_owned;
  gst_object_unref (level_src);
  level_src = nullptr;

  /* Downstream first, so data never meets an element that is not yet running. */
  for (auto it = chain.rbegin (); it != chain.rend (); ++it)
    gst_element_sync_state_with_parent (*it);
  {
    GstPad *target = gst_element_get_static_pad (queue, "sink");
    ghost_pad = gst_ghost_pad_new (("sink_" + p).c_str (), target);
    gst_object_unref (target);
  }
  if (GST_STATE (bin_) >= GST_STATE_PAUSED || GST_STATE_PENDING (bin_) >= GST_STATE_PAUSED)
    gst_pad_set_active (ghost_pad, TRUE);
  gst_element_add_pad (bin_, ghost_pad);
  chains_[name] = Chain{chain, ghost_pad, mixer_pad};
  return GST_PAD (gst_object_ref (ghost_pad));

fail_owned:
  if (level_src)
    gst_object_unref (level_src);
  if (mixer_pad) {
    gst_element_release_request_pad (mixer_, mixer_pad);
    gst_object_unref (mixer_pad);
  }
  for (GstElement *e : chain) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (bin_), e);
  }
  roster_.remove (name);
  return nullptr;

fail_unowned:
  for (GstElement *e : chain)
    gst_object_unref (gst_object_ref_sink (e));
  roster_.remove (name);
  return nullptr;
}

bool
MeetingSpeaker::remove_participant (const std::string & name)
{
  std::lock_guard<std::mutex> guard (lock_);
  auto it = chains_.find (name);
  if (it == chains_.end ())
    return false;
  Chain chain = it->second;
  chains_.erase (it);
  roster_.remove (name);

  /* 1. Nothing new comes in. */
  GstPad *peer = gst_pad_get_peer (chain.ghost);
  if (peer) {
    gst_pad_unlink (peer, chain.ghost);
    gst_object_unref (peer);
  }
  /* 2. Out of the mix: releasing the pad flushes it (then unlinks it), so a buffer on its way in, or waiting
   * there in a paused mix, returns "flushing" (which the chain's queue takes quietly, unlike not-linked)
   * instead of holding the chain's streaming lock, and the mixer goes on with the others. */
  gst_element_release_request_pad (mixer_, chain.mixer_pad);
  gst_object_unref (chain.mixer_pad);
  /* 3. Stop and drop the elements, then the pad. */
  for (GstElement *e : chain.elements) {
    gst_element_set_locked_state (e, TRUE);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (bin_), e);
  }
  gst_pad_set_active (chain.ghost, FALSE);
  gst_element_remove_pad (bin_, chain.ghost);
  return true;
}

std::vector<std::string>
MeetingSpeaker::participants () const
{
  std::lock_guard<std::mutex> guard (lock_);
  return roster_.names ();
}

/* ---- levels ---- */

namespace {

double
loudest_of (const GstStructure * s, const char *field)
{
  const GValue *v = gst_structure_get_value (s, field);
  std::vector<double> dbs;
  if (v && G_VALUE_HOLDS (v, G_TYPE_VALUE_ARRAY)) {
    GValueArray *array = static_cast<GValueArray *> (g_value_get_boxed (v));
    for (guint i = 0; array && i < array->n_values; i++) {
      const GValue *item = g_value_array_get_nth (array, i);
      if (G_VALUE_HOLDS_DOUBLE (item))
        dbs.push_back (g_value_get_double (item));
    }
  } else if (v && GST_VALUE_HOLDS_LIST (v)) {
    for (guint i = 0; i < gst_value_list_get_size (v); i++) {
      const GValue *item = gst_value_list_get_value (v, i);
      if (G_VALUE_HOLDS_DOUBLE (item))
        dbs.push_back (g_value_get_double (item));
    }
  }
  return loudest_channel_db (dbs);
}

}  // namespace

bool
parse_level_message (GstMessage * message, MeetingAudioLevel * level)
{
  if (!message || GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT || !GST_IS_ELEMENT (GST_MESSAGE_SRC (message)))
    return false;
  const GstStructure *s = gst_message_get_structure (message);
  if (!s || !gst_structure_has_name (s, "level"))
    return false;
  GObject *src = G_OBJECT (GST_MESSAGE_SRC (message));
  const char *name = static_cast<const char *> (g_object_get_data (src, kLevelNameKey));
  if (!name)
    return false;
  if (level) {
    level->name = name;
    level->microphone = GPOINTER_TO_INT (g_object_get_data (src, kLevelMicKey)) != 0;
    level->rms_db = loudest_of (s, "rms");
    level->peak_db = loudest_of (s, "peak");
    guint64 rt = GST_CLOCK_TIME_NONE;
    level->running_time = gst_structure_get_uint64 (s, "running-time", &rt) ? rt : GST_CLOCK_TIME_NONE;
  }
  return true;
}

}  // namespace meet
