/* meetstream: tools/meetingaudio.* in running live pipelines — the speaker mixes everyone else (two tones in,
 * both out), a participant leaves and rejoins while playing without the mix stalling, oneself is never
 * mixed, levels carry the participant's name; the microphone's mute silences what is published without
 * stopping it; bad options give an error instead of a bin. */
#include <gst/audio/audio.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gst_test_environment.h"
#include "meetingaudio.h"

namespace {

constexpr int kRate = meet::kMeetingAudioRate;

/* Buffers reaching a sink: their running time and the power of two tones and of everything. */
struct Tap {
  struct Block {
    GstClockTime pts;
    GstClockTime duration;
    double tone_a, tone_b, all;
    size_t samples;
  };
  std::mutex lock;
  std::vector<Block> blocks;
  GstCaps *caps = nullptr;
  double freq_a = 440, freq_b = 1000;

  ~Tap () { gst_clear_caps (&caps); }

  static GstPadProbeReturn on_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
  {
    auto *tap = static_cast<Tap *> (data);
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstMapInfo map;
    if (!gst_buffer_map (buf, &map, GST_MAP_READ))
      return GST_PAD_PROBE_OK;
    const int16_t *s = reinterpret_cast<const int16_t *> (map.data);
    size_t n = map.size / 2;
    Block b{GST_BUFFER_PTS (buf), GST_BUFFER_DURATION (buf), meet::tone_mean_square (s, n, kRate, tap->freq_a),
        meet::tone_mean_square (s, n, kRate, tap->freq_b), meet::mean_square_s16 (s, n), n};
    gst_buffer_unmap (buf, &map);
    std::lock_guard<std::mutex> guard (tap->lock);
    if (!tap->caps)
      tap->caps = gst_pad_get_current_caps (pad);
    tap->blocks.push_back (b);
    return GST_PAD_PROBE_OK;
  }

  size_t count ()
  {
    std::lock_guard<std::mutex> guard (lock);
    return blocks.size ();
  }

  /* Mean powers (dB) of the last @n blocks. */
  void last (size_t n, double *a, double *b, double *all)
  {
    std::lock_guard<std::mutex> guard (lock);
    double sa = 0, sb = 0, s = 0;
    size_t k = 0;
    for (size_t i = blocks.size () > n ? blocks.size () - n : 0; i < blocks.size (); i++, k++) {
      sa += blocks[i].tone_a;
      sb += blocks[i].tone_b;
      s += blocks[i].all;
    }
    *a = meet::power_db (k ? sa / k : 0);
    *b = meet::power_db (k ? sb / k : 0);
    *all = meet::power_db (k ? s / k : 0);
  }

  /* The largest gap between consecutive buffers' running times (a stall shows here). */
  GstClockTime largest_gap ()
  {
    std::lock_guard<std::mutex> guard (lock);
    GstClockTime gap = 0;
    for (size_t i = 1; i < blocks.size (); i++)
      if (GST_CLOCK_TIME_IS_VALID (blocks[i].pts) && GST_CLOCK_TIME_IS_VALID (blocks[i - 1].pts) &&
          blocks[i].pts > blocks[i - 1].pts)
        gap = std::max (gap, blocks[i].pts - blocks[i - 1].pts);
    return gap;
  }
};

/* The test's pipeline, stopped and dropped however the test ends (before the Tap its sink feeds: declare
 * it after). */
struct Pipeline {
  GstElement *element = gst_pipeline_new (nullptr);
  ~Pipeline ()
  {
    gst_element_set_state (element, GST_STATE_NULL);
    gst_object_unref (element);
  }
};

/* The mean power (dB) of @freq in the last @n blocks of @tap. */
double
recent_tone_db (Tap & tap, bool tone_a, size_t n = 40)
{
  double a, b, all;
  tap.last (n, &a, &b, &all);
  return tone_a ? a : b;
}

GstElement *
tap_sink (Tap * tap)
{
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  g_object_set (sink, "sync", TRUE, nullptr);
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, Tap::on_buffer, tap, nullptr);
  gst_object_unref (pad);
  return sink;
}

/* A participant's sound after the depayloader: a live tone in some raw format. */
GstElement *
tone_source (const char *name, double freq, const char *caps)
{
  std::string d = "audiotestsrc is-live=true wave=sine volume=0.3 samplesperbuffer=480 freq=" +
      std::to_string (int (freq)) + " ! capsfilter caps=\"" + caps + "\"";
  GError *error = nullptr;
  GstElement *bin = gst_parse_bin_from_description (d.c_str (), TRUE, &error);
  g_assert_no_error (error);
  gst_element_set_name (bin, name);
  return bin;
}

/* Pumps the bus for @seconds, or until @until says so (then @seconds is only a generous limit: the tests wait
 * for what they expect, never for a fixed time, so a slow machine only makes them slower): collects level
 * messages by name ("mic:" before a microphone's) and fails on errors. */
void
run_for (GstElement * pipeline, double seconds, std::map<std::string, int> *levels,
    std::map<std::string, double> *last_db = nullptr, const std::function<bool ()> & until = {})
{
  GstBus *bus = gst_element_get_bus (pipeline);
  auto end = std::chrono::steady_clock::now () + std::chrono::milliseconds (int (seconds * 1000));
  while (std::chrono::steady_clock::now () < end) {
    if (until && until ())
      break;
    GstMessage *m = gst_bus_timed_pop (bus, 20 * GST_MSECOND);
    if (!m)
      continue;
    meet::MeetingAudioLevel level;
    if (meet::parse_level_message (m, &level)) {
      if (levels)
        (*levels)[(level.microphone ? "mic:" : "") + level.name]++;
      if (last_db)
        (*last_db)[(level.microphone ? "mic:" : "") + level.name] = level.rms_db;
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *e = nullptr;
      gst_message_parse_error (m, &e, nullptr);
      ADD_FAILURE () << "error from " << GST_MESSAGE_SRC_NAME (m) << ": " << e->message;
      g_clear_error (&e);
    }
    gst_message_unref (m);
  }
  gst_object_unref (bus);
}

bool
link_to (GstElement * src, GstPad * sinkpad)
{
  GstPad *srcpad = gst_element_get_static_pad (src, "src");
  bool ok = gst_pad_link (srcpad, sinkpad) == GST_PAD_LINK_OK;
  gst_object_unref (srcpad);
  return ok;
}

}  // namespace

TEST (MeetingAudioMix, EveryoneElseMixedLeaveAndRejoinWhilePlaying)
{
  Tap tap;
  Pipeline owned;
  GstElement *pipeline = owned.element;
  meet::MeetingSpeakerOptions so;
  so.self_name = "me";
  so.sink_element = tap_sink (&tap);
  so.bin_name = "mixtest";
  meet::MeetingSpeaker speaker (so);
  ASSERT_NE (speaker.bin (), nullptr) << speaker.error ();
  gst_bin_add (GST_BIN (pipeline), speaker.bin ());

  /* Oneself is never in the mix; nor an empty name. */
  EXPECT_EQ (speaker.add_participant ("me"), nullptr);
  EXPECT_EQ (speaker.add_participant (""), nullptr);

  /* Alice's sound arrives as big-endian 44.1 kHz stereo (converted), Bob's as the mix's own format. */
  GstElement *alice = tone_source ("alice-src", 440, "audio/x-raw,format=S16BE,rate=44100,channels=2");
  GstElement *bob = tone_source ("bob-src", 1000, "audio/x-raw,format=S16LE,rate=48000,channels=1");
  gst_bin_add_many (GST_BIN (pipeline), alice, bob, nullptr);
  GstPad *pa = speaker.add_participant ("alice");
  GstPad *pb = speaker.add_participant ("bob");
  ASSERT_NE (pa, nullptr);
  ASSERT_NE (pb, nullptr);
  EXPECT_EQ (speaker.add_participant ("alice"), nullptr) << "a name already mixed";
  ASSERT_TRUE (link_to (alice, pa));
  ASSERT_TRUE (link_to (bob, pb));
  gst_object_unref (pa);
  gst_object_unref (pb);
  EXPECT_EQ (speaker.participants (), (std::vector<std::string>{"alice", "bob"}));

  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::map<std::string, int> levels;
  std::map<std::string, double> last_db;
  run_for (pipeline, 30, &levels, &last_db, [&] {
    return recent_tone_db (tap, true) > -20 && recent_tone_db (tap, false) > -20 && levels["alice"] > 5 &&
        levels["bob"] > 5 && last_db["alice"] > -20;
  });
  double a, b, all;
  tap.last (40, &a, &b, &all);
  /* volume 0.3: a mean square of 0.045, -13.5 dBFS each. */
  EXPECT_GT (a, -20.0) << "alice is not in the mix";
  EXPECT_GT (b, -20.0) << "bob is not in the mix";
  EXPECT_GT (levels["alice"], 5);
  EXPECT_GT (levels["bob"], 5);
  EXPECT_GT (last_db["alice"], -20.0);
  {
    std::lock_guard<std::mutex> guard (tap.lock);
    ASSERT_NE (tap.caps, nullptr);
    GstAudioInfo info;
    ASSERT_TRUE (gst_audio_info_from_caps (&info, tap.caps));
    EXPECT_EQ (GST_AUDIO_INFO_RATE (&info), kRate);
    /* 10 ms buffers, as webrtcdsp's probe wants. */
    EXPECT_EQ (tap.blocks.back ().samples, size_t (kRate / 100));
  }

  /* Bob leaves while playing: his elements go first (as meetcli removes his stream), then his mix pad. */
  size_t before = tap.count ();
  gst_element_set_state (bob, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), bob);
  EXPECT_TRUE (speaker.remove_participant ("bob"));
  EXPECT_FALSE (speaker.remove_participant ("bob"));
  EXPECT_EQ (speaker.participants (), (std::vector<std::string>{"alice"}));
  /* Bob's level element is gone: what he posted before leaving is all on the bus by now. */
  run_for (pipeline, 0.0, nullptr);
  GstBus *drain = gst_element_get_bus (pipeline);
  while (GstMessage *m = gst_bus_pop (drain))
    gst_message_unref (m);
  gst_object_unref (drain);
  levels.clear ();
  run_for (pipeline, 30, &levels, nullptr, [&] { return tap.count () > before + 80; });
  EXPECT_GT (tap.count (), before + 70) << "the mix stalled when bob left";
  tap.last (40, &a, &b, &all);
  EXPECT_GT (a, -20.0) << "alice went with bob";
  EXPECT_LT (b, -50.0) << "bob is still heard after leaving";
  EXPECT_EQ (levels.count ("bob"), 0u);

  /* Alice leaves while her source is still running (unlinked under it: her source's not-linked is the
   * caller's to avoid; here it is stopped right after). The mix goes on as silence. */
  before = tap.count ();
  EXPECT_TRUE (speaker.remove_participant ("alice"));
  gst_element_set_state (alice, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), alice);
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_bus_set_flushing (bus, TRUE);       /* alice's source may have posted its not-linked error */
  gst_bus_set_flushing (bus, FALSE);
  gst_object_unref (bus);
  run_for (pipeline, 30, &levels, nullptr, [&] { return tap.count () > before + 80; });
  EXPECT_GT (tap.count (), before + 70) << "the mix stalled with nobody in it";
  tap.last (40, &a, &b, &all);
  EXPECT_LT (all, -60.0) << "nobody left, yet something is heard";

  /* Bob rejoins under the same name. */
  GstElement *bob2 = tone_source ("bob-src2", 1000, "audio/x-raw,format=S16LE,rate=16000,channels=1");
  gst_bin_add (GST_BIN (pipeline), bob2);
  pb = speaker.add_participant ("bob");
  ASSERT_NE (pb, nullptr);
  ASSERT_TRUE (link_to (bob2, pb));
  gst_object_unref (pb);
  ASSERT_TRUE (gst_element_sync_state_with_parent (bob2));
  run_for (pipeline, 30, &levels, nullptr, [&] { return recent_tone_db (tap, false) > -20; });
  tap.last (40, &a, &b, &all);
  EXPECT_GT (b, -20.0) << "bob is not heard after rejoining";
  EXPECT_LT (tap.largest_gap (), 25 * GST_MSECOND) << "the mix had a gap";

  /* Leaving while the meeting is paused (nothing is mixed, bob's queue is full), then playing on. */
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  run_for (pipeline, 0.3, nullptr);
  gst_element_set_state (bob2, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), bob2);
  EXPECT_TRUE (speaker.remove_participant ("bob"));
  /* Any name will do: it is only carried, never parsed. */
  const std::string odd = "Zo\xc3\xab O'Neil / 2 \"x\"";
  pb = speaker.add_participant (odd);
  ASSERT_NE (pb, nullptr);
  gst_object_unref (pb);
  EXPECT_EQ (speaker.participants (), (std::vector<std::string>{odd}));
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  before = tap.count ();
  run_for (pipeline, 30, nullptr, nullptr, [&] { return tap.count () > before + 80; });
  EXPECT_GT (tap.count (), before + 70) << "the mix did not come back after the pause";
  EXPECT_TRUE (speaker.remove_participant (odd));
  EXPECT_TRUE (speaker.participants ().empty ());

}

TEST (MeetingAudioMix, MuteSilencesWithoutStopping)
{
  Tap tap;
  Pipeline owned;
  GstElement *pipeline = owned.element;
  meet::MeetingSpeakerOptions so;
  so.self_name = "me";
  so.sink = "fakesink sync=true";
  so.bin_name = "mutetest-speaker";
  meet::MeetingSpeaker speaker (so);
  ASSERT_NE (speaker.bin (), nullptr) << speaker.error ();

  meet::MeetingMicrophoneOptions mo;
  mo.source = "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=480";
  mo.probe_name = speaker.probe_name ();
  mo.noise_suppression = false;       /* a steady tone is what noise suppression removes */
  mo.level_name = "me";
  mo.bin_name = "mutetest-mic";
  meet::MeetingMicrophone mic (mo);
  ASSERT_NE (mic.bin (), nullptr) << mic.error ();
  ASSERT_NE (mic.dsp (), nullptr);
  GstElement *out = tap_sink (&tap);
  gst_bin_add_many (GST_BIN (pipeline), speaker.bin (), mic.bin (), out, nullptr);
  ASSERT_TRUE (gst_element_link (mic.bin (), out));
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);

  std::map<std::string, int> levels;
  std::map<std::string, double> last_db;
  run_for (pipeline, 30, &levels, &last_db, [&] {
    return recent_tone_db (tap, true, 30) > -20 && levels["mic:me"] > 5 && last_db["mic:me"] > -20;
  });
  double a, b, all;
  tap.last (30, &a, &b, &all);
  EXPECT_GT (a, -20.0) << "the microphone's tone is not published";
  EXPECT_GT (levels["mic:me"], 5) << "no level messages from the microphone";
  EXPECT_GT (last_db["mic:me"], -20.0);
  {
    std::lock_guard<std::mutex> guard (tap.lock);
    ASSERT_NE (tap.caps, nullptr);
    GstAudioInfo info;
    ASSERT_TRUE (gst_audio_info_from_caps (&info, tap.caps));
    EXPECT_EQ (GST_AUDIO_INFO_RATE (&info), kRate);
    EXPECT_EQ (GST_AUDIO_INFO_CHANNELS (&info), 1);
    EXPECT_EQ (GST_AUDIO_INFO_FORMAT (&info), GST_AUDIO_FORMAT_S16LE);
    EXPECT_EQ (tap.blocks.back ().samples, size_t (kRate / 100));
  }

  /* Muted from another thread: the stream goes on, silent. */
  std::thread ([&mic] { mic.set_muted (true); }).join ();
  EXPECT_TRUE (mic.muted ());
  size_t muted_at = tap.count ();
  run_for (pipeline, 30, nullptr, nullptr, [&] { return tap.count () > muted_at + 30; });
  size_t before = tap.count ();
  run_for (pipeline, 30, &levels, &last_db, [&] { return tap.count () > before + 80; });
  EXPECT_GT (tap.count (), before + 70) << "muting stopped the stream";
  tap.last (50, &a, &b, &all);
  EXPECT_EQ (all, meet::kSilenceDb) << "muted, yet something is published";
  EXPECT_LT (last_db["mic:me"], -90.0);

  mic.set_muted (false);
  EXPECT_FALSE (mic.muted ());
  run_for (pipeline, 30, nullptr, nullptr, [&] { return recent_tone_db (tap, true, 30) > -20; });
  tap.last (30, &a, &b, &all);
  EXPECT_GT (a, -20.0) << "unmuted, the tone does not come back";

}

TEST (MeetingAudioMix, BadOptionsGiveAnErrorNotABin)
{
  meet::MeetingMicrophoneOptions mo;
  mo.source = "audiotestsrc";
  mo.echo_cancel = true;       /* and no probe name */
  meet::MeetingMicrophone no_probe (mo);
  EXPECT_EQ (no_probe.bin (), nullptr);
  EXPECT_NE (no_probe.error ().find ("probe"), std::string::npos);
  mo.echo_cancel = false;
  mo.source = "nosuchelement-xyz device=1";
  meet::MeetingMicrophone bad_source (mo);
  EXPECT_EQ (bad_source.bin (), nullptr);
  EXPECT_FALSE (bad_source.error ().empty ());
  bad_source.set_muted (true);            /* harmless */
  EXPECT_FALSE (bad_source.muted ());

  meet::MeetingSpeakerOptions so;
  so.sink = "nosuchsink-xyz";
  meet::MeetingSpeaker bad_sink (so);
  EXPECT_EQ (bad_sink.bin (), nullptr);
  EXPECT_FALSE (bad_sink.error ().empty ());
  EXPECT_EQ (bad_sink.add_participant ("x"), nullptr);
  EXPECT_FALSE (bad_sink.remove_participant ("x"));

  /* Not raw audio: refused at construction. */
  so.sink = "fakesink";
  so.sink_element = gst_element_factory_make ("jpegdec", nullptr);
  if (so.sink_element) {
    meet::MeetingSpeaker video_sink (so);
    EXPECT_EQ (video_sink.bin (), nullptr);
  }

  /* Messages that are not ours. */
  GstMessage *eos = gst_message_new_eos (nullptr);
  EXPECT_FALSE (meet::parse_level_message (eos, nullptr));
  gst_message_unref (eos);
  EXPECT_FALSE (meet::parse_level_message (nullptr, nullptr));
  GstElement *level = gst_element_factory_make ("level", nullptr);
  GstMessage *foreign = gst_message_new_element (GST_OBJECT (level), gst_structure_new_empty ("level"));
  EXPECT_FALSE (meet::parse_level_message (foreign, nullptr));
  gst_message_unref (foreign);
  gst_object_unref (gst_object_ref_sink (level));
}

/* Participants on test sources tick (50 ms, on every second of running time) while the others' ticks are
 * played: with no sound path between them the echo canceller must leave one's own ticks alone (the meeting's
 * A/V checks measure them). The other ticks at another pitch: ticks identical to one's own in pitch, played
 * 60-100 ms before one's own, are to an echo canceller indistinguishable from an echo of them, and are
 * cancelled; see MeetingMicrophoneOptions::echo_cancel. */
TEST (MeetingAudioMix, OwnTestTicksPassWhileOthersTick)
{
  Tap tap;
  tap.freq_a = 1000;
  GstElement *pipeline = gst_pipeline_new (nullptr);
  meet::MeetingSpeakerOptions so;
  so.self_name = "me";
  so.sink = "fakesink sync=true";
  so.bin_name = "tickstest-speaker";
  meet::MeetingSpeaker speaker (so);
  ASSERT_NE (speaker.bin (), nullptr) << speaker.error ();
  meet::MeetingMicrophoneOptions mo;
  const char *ticks = "audiotestsrc is-live=true wave=ticks freq=1000 sine-periods-per-tick=50 volume=0.5 "
      "samplesperbuffer=480";
  mo.source = ticks;
  mo.probe_name = speaker.probe_name ();
  mo.bin_name = "tickstest-mic";
  meet::MeetingMicrophone mic (mo);
  ASSERT_NE (mic.bin (), nullptr) << mic.error ();
  GstElement *out = tap_sink (&tap);
  GError *error = nullptr;
  GstElement *other = gst_parse_bin_from_description ("audiotestsrc is-live=true wave=ticks freq=660 "
      "sine-periods-per-tick=33 volume=0.5 samplesperbuffer=480", TRUE, &error);
  /* The other's ticks 60 ms before one's own, the worst case: with the same pitch, one's own ticks were
   * cancelled to -45..-95 dBFS there (also with 900 ms; 0 and 980 ms were left alone). */
  GstPad *other_src = gst_element_get_static_pad (other, "src");
  gst_pad_set_offset (other_src, 940 * GST_MSECOND);
  gst_object_unref (other_src);
  ASSERT_NE (other, nullptr) << (error ? error->message : "");
  gst_bin_add_many (GST_BIN (pipeline), speaker.bin (), mic.bin (), out, other, nullptr);
  ASSERT_TRUE (gst_element_link (mic.bin (), out));
  GstPad *pad = speaker.add_participant ("other");
  ASSERT_TRUE (link_to (other, pad));
  gst_object_unref (pad);
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  const int kSeconds = 6;
  run_for (pipeline, 60, nullptr, nullptr, [&] {
    std::lock_guard<std::mutex> guard (tap.lock);
    return !tap.blocks.empty () && GST_CLOCK_TIME_IS_VALID (tap.blocks.back ().pts) &&
        tap.blocks.back ().pts >= GstClockTime (kSeconds) * GST_SECOND;
  });
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* The loudest 10 ms of 1 kHz in each second: a tick of amplitude 0.5 is -9 dBFS. */
  std::lock_guard<std::mutex> guard (tap.lock);
  std::map<int, double> loudest;
  for (const Tap::Block & b : tap.blocks)
    if (GST_CLOCK_TIME_IS_VALID (b.pts)) {
      int second = int (b.pts / GST_SECOND);
      loudest[second] = std::max (loudest.count (second) ? loudest[second] : meet::kSilenceDb,
          meet::power_db (b.tone_a));
    }
  int seconds = 0;
  for (const auto & entry : loudest) {
    if (entry.first < 1 || entry.first > kSeconds - 2)
      continue;
    seconds++;
    std::printf ("  second %d: loudest 1 kHz block %.1f dBFS\n", entry.first, entry.second);
    /* The suppressor takes 2-5 dB while the far end ticks too; a tick taken for echo would be far below. */
    EXPECT_GT (entry.second, -20.0) << "one's own tick was suppressed in second " << entry.first;
  }
  EXPECT_EQ (seconds, kSeconds - 2);
}

namespace {

/* The published power of a microphone hearing only a steady hiss, after 4 s (webrtcdsp's high-pass filter
 * takes pink noise's lowest part either way). */
double
hiss_published_db (bool noise_suppression, const char *name)
{
  Tap tap;
  Pipeline owned;
  GstElement *pipeline = owned.element;
  meet::MeetingSpeakerOptions so;
  so.sink = "fakesink sync=true";
  so.bin_name = std::string (name) + "-speaker";
  meet::MeetingSpeaker speaker (so);
  meet::MeetingMicrophoneOptions mo;
  mo.source = "audiotestsrc is-live=true wave=pink-noise volume=0.05 samplesperbuffer=480";
  mo.probe_name = speaker.probe_name ();
  mo.noise_suppression = noise_suppression;
  mo.bin_name = std::string (name) + "-mic";
  meet::MeetingMicrophone mic (mo);
  EXPECT_NE (mic.bin (), nullptr) << mic.error ();
  if (!speaker.bin () || !mic.bin ())
    return 0;
  GstElement *out = tap_sink (&tap);
  gst_bin_add_many (GST_BIN (pipeline), speaker.bin (), mic.bin (), out, nullptr);
  EXPECT_TRUE (gst_element_link (mic.bin (), out));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  run_for (pipeline, 60, nullptr, nullptr, [&] { return tap.count () >= 400; });
  double a, b, all;
  tap.last (100, &a, &b, &all);
  return all;
}

}  // namespace

/* Noise suppression: a steady hiss (a fan, a noisy preamp) is turned down in what is published. */
TEST (MeetingAudioMix, NoiseSuppressionTurnsDownAHiss)
{
  double off = hiss_published_db (false, "hiss-off");
  double on = hiss_published_db (true, "hiss-on");
  std::printf ("hiss published: %.1f dBFS without noise suppression, %.1f dBFS with\n", off, on);
  EXPECT_GT (off, -55.0) << "the hiss should come through without noise suppression";
  EXPECT_LT (on, off - 6.0) << "noise suppression does not turn the hiss down";
}

/* A source in another format and period (44.1 kHz stereo S32, 1024 samples a buffer): published as 48 kHz
 * mono S16 in 10 ms buffers (webrtcdsp's frames, here for noise suppression alone), timestamps without gaps. */
TEST (MeetingAudioMix, AnySourceGivesTenMillisecondBuffers)
{
  Tap tap;
  Pipeline owned;
  GstElement *pipeline = owned.element;
  meet::MeetingMicrophoneOptions mo;
  GError *error = nullptr;
  mo.source_element = gst_parse_bin_from_description ("audiotestsrc is-live=true freq=440 volume=0.3 ! "
      "capsfilter caps=\"audio/x-raw,rate=44100,channels=2,format=S32LE\"", TRUE, &error);
  ASSERT_NE (mo.source_element, nullptr) << (error ? error->message : "");
  mo.echo_cancel = false;
  mo.bin_name = "anysource-mic";
  meet::MeetingMicrophone mic (mo);
  ASSERT_NE (mic.bin (), nullptr) << mic.error ();
  GstElement *out = tap_sink (&tap);
  gst_bin_add_many (GST_BIN (pipeline), mic.bin (), out, nullptr);
  ASSERT_TRUE (gst_element_link (mic.bin (), out));
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  run_for (pipeline, 30, nullptr, nullptr, [&] { return tap.count () >= 150; });
  gst_element_set_state (pipeline, GST_STATE_NULL);
  std::lock_guard<std::mutex> guard (tap.lock);
  ASSERT_GT (tap.blocks.size (), 100u);
  for (size_t i = 1; i < tap.blocks.size (); i++) {
    EXPECT_EQ (tap.blocks[i].samples, size_t (kRate / 100)) << "buffer " << i;
    /* (to the nanosecond's rounding) */
    EXPECT_NEAR (double (tap.blocks[i].pts) - double (tap.blocks[i - 1].pts), 10e6, 10.0) << "buffer " << i;
  }
  double a = 0;
  for (size_t i = tap.blocks.size () - 20; i < tap.blocks.size (); i++)
    a += tap.blocks[i].tone_a;
  /* -13.5 dBFS in; noise suppression turns a steady tone down by some 10 dB. */
  EXPECT_GT (meet::power_db (a / 20), -35.0);
}

/* The path of a meeting: a participant's sound as meetcli receives it (L16 RTP through a jitter buffer, then
 * meetpcmdepay's S16BE) into the mix, and the microphone's output into meetpcmpay. */
TEST (MeetingAudioMix, ThroughTheMeetingsRtpElements)
{
  if (!gst_element_factory_find ("meetpcmpay") || !gst_element_factory_find ("meetpcmdepay"))
    GTEST_SKIP () << "the meet plugin is not on GST_PLUGIN_PATH";
  Tap tap;
  Pipeline owned;
  GstElement *pipeline = owned.element;
  meet::MeetingSpeakerOptions so;
  so.self_name = "me";
  so.sink_element = tap_sink (&tap);
  so.bin_name = "rtp-speaker";
  meet::MeetingSpeaker speaker (so);
  ASSERT_NE (speaker.bin (), nullptr) << speaker.error ();
  meet::MeetingMicrophoneOptions mo;
  mo.source = "audiotestsrc is-live=true wave=ticks freq=1000 sine-periods-per-tick=50 volume=0.5 "
      "samplesperbuffer=480";
  mo.probe_name = speaker.probe_name ();
  mo.bin_name = "rtp-mic";
  meet::MeetingMicrophone mic (mo);
  ASSERT_NE (mic.bin (), nullptr) << mic.error ();
  GError *error = nullptr;
  GstElement *publish = gst_parse_bin_from_description ("audioconvert ! "
      "capsfilter caps=\"audio/x-raw,format=S16BE,rate=48000,channels=1\" ! meetpcmpay ! "
      "fakesink name=rtp-out sync=false", TRUE, &error);
  ASSERT_NE (publish, nullptr) << (error ? error->message : "");
  const char *remote = "audiotestsrc is-live=true wave=sine freq=%d volume=0.3 samplesperbuffer=480 ! "
      "audioconvert ! capsfilter caps=\"audio/x-raw,format=S16BE,rate=48000,channels=1\" ! meetpcmpay ! "
      "rtpjitterbuffer latency=40 ! meetpcmdepay";
  gchar *d = g_strdup_printf (remote, 440);
  GstElement *alice = gst_parse_bin_from_description (d, TRUE, &error);
  g_free (d);
  d = g_strdup_printf (remote, 1000);
  GstElement *bob = gst_parse_bin_from_description (d, TRUE, &error);
  g_free (d);
  ASSERT_TRUE (alice && bob) << (error ? error->message : "");
  gst_bin_add_many (GST_BIN (pipeline), speaker.bin (), mic.bin (), publish, alice, bob, nullptr);
  ASSERT_TRUE (gst_element_link (mic.bin (), publish));
  GstPad *pa = speaker.add_participant ("alice"), *pb = speaker.add_participant ("bob");
  ASSERT_TRUE (link_to (alice, pa) && link_to (bob, pb));
  gst_object_unref (pa);
  gst_object_unref (pb);
  std::atomic<int> packets{0};
  GstElement *rtp_out = gst_bin_get_by_name (GST_BIN (publish), "rtp-out");
  GstPad *pad = gst_element_get_static_pad (rtp_out, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, [] (GstPad *, GstPadProbeInfo *, gpointer p) {
        ++*static_cast<std::atomic<int> *> (p);
        return GST_PAD_PROBE_OK;
      }, &packets, nullptr);
  gst_object_unref (pad);
  gst_object_unref (rtp_out);

  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::map<std::string, int> levels;
  run_for (pipeline, 30, &levels, nullptr, [&] {
    return recent_tone_db (tap, true) > -20 && recent_tone_db (tap, false) > -20 && packets > 50 &&
        levels["alice"] > 5 && levels["mic:self"] > 5;
  });
  double a, b, all;
  tap.last (40, &a, &b, &all);
  EXPECT_GT (a, -20.0) << "alice's RTP sound is not in the mix";
  EXPECT_GT (b, -20.0) << "bob's RTP sound is not in the mix";
  EXPECT_GT (packets.load (), 50) << "the microphone does not reach the payloader";
  EXPECT_GT (levels["alice"], 5);
  EXPECT_GT (levels["mic:self"], 5);

  /* Bob's stream goes away (his receiving elements first), the rest plays on. */
  size_t before = tap.count ();
  gst_element_set_state (bob, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), bob);
  EXPECT_TRUE (speaker.remove_participant ("bob"));
  int packets_before = packets.load ();
  run_for (pipeline, 30, nullptr, nullptr, [&] { return tap.count () > before + 80 && packets > packets_before + 50; });
  EXPECT_GT (tap.count (), before + 70);
  EXPECT_GT (packets.load (), packets_before + 50);
  tap.last (40, &a, &b, &all);
  EXPECT_GT (a, -20.0);
  EXPECT_LT (b, -50.0);
}
