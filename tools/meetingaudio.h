/* meetstream: the meeting's sound as GStreamer bins built by plain C++ helpers (no GObject types).
 *
 *   MeetingMicrophone — what a participant publishes:
 *     source ! audioconvert ! audioresample ! S16LE 48 kHz mono (10 ms buffers)
 *            ! webrtcdsp (echo cancel against the speaker's webrtcechoprobe, noise suppression)
 *            ! volume (mute) ! level ! [ghost pad "src": raw audio for the payloader]
 *
 *   MeetingSpeaker — what a participant hears: everyone else, mixed, never oneself:
 *     [ghost pad per participant] ! queue ! audioconvert ! audioresample ! S16LE 48 kHz ! level ─┐
 *     audiotestsrc wave=silence (keeps the mix going with nobody in it) ─────────────────────────┤
 *                                                   audiomixer (live) ! webrtcechoprobe ! audioconvert ! sink
 *
 * Echo cancelling: the microphone's webrtcdsp finds the speaker's probe by name (probe_name()), process-wide.
 * Create the speaker first and give its probe_name() to the microphone. Both bins must be in the same
 * top-level pipeline: the probe stamps what is played with running time + the pipeline latency and the DSP
 * matches it to the microphone's running time (two pipelines would need one clock and one base time). A
 * microphone with no speaker (a host that hears nobody) sets echo_cancel = false.
 *
 * Levels: each "level" element posts element messages on the pipeline's bus (every level_interval_ms);
 * parse_level_message() says whose sound it measured (a participant of the speaker, or the microphone) and
 * how loud. Feed MeetingWindow::set_level / SpeakerPicker with them.
 *
 * Threads: construct, add_participant and remove_participant from one thread (the main loop, or the thread
 * handling a roster change), never from a streaming thread of the pipeline; set_muted from any thread.
 * Lifetime: destroy the objects after their pipeline is set to NULL.
 *
 * Use (meetcli):
 *
 *   meet::MeetingSpeakerOptions so;
 *   so.self_name = name;                        // one's own sound can never be added
 *   so.sink = have_sound ? "autoaudiosink" : "fakesink sync=true";
 *   auto speaker = std::make_unique<meet::MeetingSpeaker> (so);
 *   if (!speaker->bin ()) fail (speaker->error ());
 *   gst_bin_add (GST_BIN (pipeline), speaker->bin ());
 *
 *   meet::MeetingMicrophoneOptions mo;
 *   mo.source = "audiotestsrc is-live=true wave=ticks ... samplesperbuffer=480";   // or a device's element
 *   mo.echo_cancel = !no_echo_cancel;
 *   mo.probe_name = speaker->probe_name ();
 *   mo.level_name = name;
 *   auto mic = std::make_unique<meet::MeetingMicrophone> (mo);
 *   gst_bin_add (GST_BIN (pipeline), mic->bin ());
 *   gst_element_link (mic->bin (), convert_to_s16be);          // ! meetpcmpay ! meetrtspclientsink
 *
 *   // a participant joins (their stream's pad appears, on the main loop):
 *   GstPad *sink = speaker->add_participant ("bob");          // null for oneself / a name already in
 *   gst_pad_link (bob_depay_src, sink); gst_object_unref (sink);
 *   // they leave: stop and remove bob's receiving elements, then
 *   speaker->remove_participant ("bob");
 *   // mute button / "mute" command:
 *   mic->set_muted (true);
 *   // bus watch:
 *   meet::MeetingAudioLevel l;
 *   if (meet::parse_level_message (msg, &l) && !l.microphone) window.set_level (l.name, l.rms_db);
 *   // (l.microphone: one's own level, after mute, for the self view)
 *
 * A source gives its best with 10 ms buffers (audiotestsrc samplesperbuffer=480, alsasrc latency-time=10000):
 * webrtcdsp works in 10 ms frames and holds back the rest of a longer buffer until the next one. */
#pragma once

#include <gst/gst.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "meetingaudiologic.h"

namespace meet {

/* The format of every processed stream: what webrtcdsp and webrtcechoprobe accept (8/16/32/48 kHz S16LE
 * interleaved, processed in 10 ms frames), and both must run at the same rate. */
constexpr int kMeetingAudioRate = 48000;
constexpr int kMeetingAudioChannels = 1;

struct MeetingMicrophoneOptions {
  /* The capture source as a gst-launch fragment: "autoaudiosrc", "alsasrc device=hw:1",
   * "audiotestsrc is-live=true wave=ticks". Ignored when source_element is set or external_input is true. */
  std::string source = "autoaudiosrc";
  /* Or an element (or bin with one src pad) made by the caller; the microphone bin takes the floating
   * reference (or a reference of its own). */
  GstElement *source_element = nullptr;
  /* No source at all: the bin gets a ghost sink pad "sink" taking raw audio (tests, an echo simulator). */
  bool external_input = false;

  /* false: --no-echo-cancel (webrtcdsp still suppresses noise). Also false, or a pitch of one's own, for a
   * test source whose ticks are the same as the other participants' (same pitch, same second marks): an echo
   * canceller cannot tell such ticks from an echo of the far end's, and may cancel them. */
  bool echo_cancel = true;
  bool noise_suppression = true;
  /* webrtcdsp's automatic gain control: off by default so the level others hear is what the user set. */
  bool gain_control = false;
  /* webrtcdsp lines the speaker's sound up with the microphone's by running time (the probe's buffers are
   * played at their running time + the pipeline latency), and its filter absorbs up to about 50 ms of delay
   * nobody reports (air, a sound server's own buffering): 10-40 ms cancel by some 60 dB, 60 ms by 19 dB,
   * 80 ms by 12 (meeting_audio_echo_test.cpp). Delay-agnostic mode estimates the delay from the signals
   * instead, for devices whose latency is badly reported; in those tests it did worse at every delay
   * (7-20 dB), so it is off. */
  bool delay_agnostic = false;
  /* The MeetingSpeaker's probe_name(); required when echo_cancel is true. */
  std::string probe_name;
  /* Name carried by this microphone's level messages (e.g. the participant's own name). */
  std::string level_name = "self";
  unsigned level_interval_ms = 50;
  /* Element names inside the bin are prefixed with this (unique per pipeline). */
  std::string bin_name = "meetmic";
};

class MeetingMicrophone {
public:
  /* Builds the bin; on failure (a missing element, a source fragment that does not parse) bin() is null and
   * error() says why in one actionable sentence. */
  explicit MeetingMicrophone (const MeetingMicrophoneOptions & options);
  ~MeetingMicrophone ();
  MeetingMicrophone (const MeetingMicrophone &) = delete;
  MeetingMicrophone & operator= (const MeetingMicrophone &) = delete;

  /* The bin (owned by this object; gst_bin_add it to the pipeline, which then holds its own reference).
   * Its ghost pad "src" gives S16LE, 48 kHz, mono, in 10 ms buffers whenever webrtcdsp is in (echo_cancel
   * or noise_suppression): link audioconvert ! <payloader caps>. */
  GstElement *bin () const { return bin_; }
  const std::string & error () const { return error_; }

  /* Any thread. Muted, the stream goes on as digital silence (others hear nothing; it does not stop). */
  void set_muted (bool muted);
  bool muted () const;

  /* The webrtcdsp element (borrowed), e.g. for its properties; null when the bin failed. */
  GstElement *dsp () const { return dsp_; }

private:
  GstElement *bin_ = nullptr;
  GstElement *dsp_ = nullptr;
  GstElement *volume_ = nullptr;
  std::string error_;
};

struct MeetingSpeakerOptions {
  /* The participant's own name: add_participant refuses it, so one's own sound can never be in the mix. */
  std::string self_name;
  /* The sink as a gst-launch fragment ("autoaudiosink", "fakesink sync=true", "pulsesink"). Ignored when
   * sink_element is set. */
  std::string sink = "autoaudiosink";
  /* Or an element made by the caller (an appsink in tests); the bin takes the floating reference. */
  GstElement *sink_element = nullptr;
  /* audiomixer's latency: how long the live mix waits for a participant's late packet before mixing
   * without it. Small, it is in the mouth-to-ear delay; the jitter buffers upstream already absorb jitter. */
  GstClockTime mix_latency = 20 * GST_MSECOND;
  unsigned level_interval_ms = 50;
  /* The echo probe's name (process-wide, see webrtcdsp); empty: "<bin_name>-echoprobe". */
  std::string probe_name;
  std::string bin_name = "meetspeaker";
};

class MeetingSpeaker {
public:
  explicit MeetingSpeaker (const MeetingSpeakerOptions & options);
  ~MeetingSpeaker ();
  MeetingSpeaker (const MeetingSpeaker &) = delete;
  MeetingSpeaker & operator= (const MeetingSpeaker &) = delete;

  /* The bin (owned by this object; gst_bin_add it to the pipeline). Null on failure, see error(). */
  GstElement *bin () const { return bin_; }
  const std::string & error () const { return error_; }
  /* Give this to MeetingMicrophoneOptions::probe_name. */
  const std::string & probe_name () const { return probe_name_; }

  /* Adds @name to the mix and returns a new reference to the bin's ghost sink pad for it: link the
   * participant's raw audio (after the depayloader, any rate/format/channels) to it, then unref the pad.
   * Works before and while PLAYING. Null for the self name, an empty name or a name already mixed. */
  GstPad *add_participant (const std::string & name);
  /* Takes @name out of the mix while the pipeline runs: unlinks whatever feeds its pad, releases its mixer
   * pad and removes its elements and the pad, the others' sound going on without a gap. Stop (set to NULL)
   * or remove the participant's upstream elements first: an upstream still pushing gets not-linked, which
   * e.g. rtpjitterbuffer reports as an error. False when @name was not mixed. */
  bool remove_participant (const std::string & name);
  std::vector<std::string> participants () const;

private:
  struct Chain {
    std::vector<GstElement *> elements;  /* borrowed: owned by bin_ */
    GstPad *ghost = nullptr;             /* borrowed: owned by bin_ */
    GstPad *mixer_pad = nullptr;         /* our reference of the request pad */
  };

  GstElement *bin_ = nullptr;
  GstElement *mixer_ = nullptr;
  std::string error_;
  std::string probe_name_;
  std::string bin_name_;
  unsigned level_interval_ms_;
  mutable std::mutex lock_;
  MixRoster roster_;
  std::map<std::string, Chain> chains_;
  unsigned next_id_ = 0;
};

/* A level measurement posted by a meeting bin's "level" element. */
struct MeetingAudioLevel {
  std::string name;             /* the participant, or the microphone's level_name */
  bool microphone = false;      /* true for a MeetingMicrophone's level */
  double rms_db = kSilenceDb;   /* loudest channel, dBFS */
  double peak_db = kSilenceDb;
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
};

/* True (filling @level) when @message is a level message of a MeetingMicrophone or MeetingSpeaker bin;
 * false for any other message. Any thread (a bus sync handler or the main loop's bus watch). */
bool parse_level_message (GstMessage * message, MeetingAudioLevel * level);

}  // namespace meet
