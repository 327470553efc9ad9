/* meetstream: tools/meetingaudio.* in running live pipelines — the speaker mixes everyone else (two tones in,
 * both out), a participant leaves and rejoins while playing without the mix stalling, oneself is never
 * mixed, levels carry the participant's name; the microphone's mute silences what is published without
 * stopping it; bad options give an error instead of a bin. */
#include <gst/audio/audio.h>
#include <gtest/gtest.h>

#include <chrono>
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

/* Pumps the bus for @seconds: collects level messages by name and fails on errors. */
void
run_for (GstElement * pipeline, double seconds, std::map<std::string, int> *levels,
    std::map<std::string, double> *last_db = nullptr, std::string *error = nullptr)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  auto end = std::chrono::steady_clock::now () + std::chrono::milliseconds (int (seconds * 1000));
  while (std::chrono::steady_clock::now () < end) {
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
      if (error)
        *error = e->message;
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
  GstElement *pipeline = gst_pipeline_new (nullptr);
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
  run_for (pipeline, 1.5, &levels, &last_db);
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
  run_for (pipeline, 1.0, &levels);
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
  run_for (pipeline, 1.0, &levels);
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
  run_for (pipeline, 1.0, &levels);
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
  run_for (pipeline, 1.0, nullptr);
  EXPECT_GT (tap.count (), before + 70) << "the mix did not come back after the pause";
  EXPECT_TRUE (speaker.remove_participant (odd));
  EXPECT_TRUE (speaker.participants ().empty ());

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

TEST (MeetingAudioMix, MuteSilencesWithoutStopping)
{
  Tap tap;
  GstElement *pipeline = gst_pipeline_new (nullptr);
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
  run_for (pipeline, 1.5, &levels, &last_db);
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
  run_for (pipeline, 0.3, nullptr);
  size_t before = tap.count ();
  run_for (pipeline, 1.0, &levels, &last_db);
  EXPECT_GT (tap.count (), before + 70) << "muting stopped the stream";
  tap.last (50, &a, &b, &all);
  EXPECT_EQ (all, meet::kSilenceDb) << "muted, yet something is published";
  EXPECT_LT (last_db["mic:me"], -90.0);

  mic.set_muted (false);
  EXPECT_FALSE (mic.muted ());
  run_for (pipeline, 1.0, nullptr);
  tap.last (30, &a, &b, &all);
  EXPECT_GT (a, -20.0) << "unmuted, the tone does not come back";

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
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

/* Every participant on test sources plays the same ticks (1 kHz, 50 ms, on every second of running time), so
 * the far end's ticks reach the speaker while one's own are published: with no sound path between them the
 * echo canceller must leave one's own ticks alone (the meeting's A/V checks measure them). */
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
  GstElement *other = gst_parse_bin_from_description (ticks, TRUE, &error);
  ASSERT_NE (other, nullptr) << (error ? error->message : "");
  gst_bin_add_many (GST_BIN (pipeline), speaker.bin (), mic.bin (), out, other, nullptr);
  ASSERT_TRUE (gst_element_link (mic.bin (), out));
  GstPad *pad = speaker.add_participant ("other");
  ASSERT_TRUE (link_to (other, pad));
  gst_object_unref (pad);
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  const int kSeconds = 6;
  run_for (pipeline, kSeconds, nullptr);
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
  gst_object_unref (pipeline);
}

namespace {

/* The published power of a microphone hearing only a steady hiss, after 4 s (webrtcdsp's high-pass filter
 * takes pink noise's lowest part either way). */
double
hiss_published_db (bool noise_suppression, const char *name)
{
  Tap tap;
  GstElement *pipeline = gst_pipeline_new (nullptr);
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
  if (!speaker.bin () || !mic.bin ()) {
    gst_object_unref (pipeline);
    return 0;
  }
  GstElement *out = tap_sink (&tap);
  gst_bin_add_many (GST_BIN (pipeline), speaker.bin (), mic.bin (), out, nullptr);
  EXPECT_TRUE (gst_element_link (mic.bin (), out));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  run_for (pipeline, 4.0, nullptr);
  double a, b, all;
  tap.last (100, &a, &b, &all);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
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
