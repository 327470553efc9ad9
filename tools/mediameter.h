/* meetstream: what a receiver measures of one sender's media — RTP packets and loss, frames shown, sound
 * received and its level, and from the picture marks (marks.h) the A/V offset and glass-to-glass latency.
 * Probes call it from streaming threads; the main thread reads it. */
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "marks.h"

namespace meet {

/* Counts the RTP packets of one stream and the ones missing from its sequence numbers. */
struct StreamCounter {
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> expected{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> lost_before{0};   /* in earlier runs of sequence numbers */
  std::atomic<bool> restart{false};       /* a new session starts its own sequence numbers */
  bool started = false;
  int64_t first_seq = 0;
  int64_t max_seq = 0;

  void count (GstBuffer * buffer);
  uint64_t lost () const;
};

/* The running time of @pts on @pad (from its segment), or NONE. */
GstClockTime running_time_of (GstPad * pad, GstClockTime pts);

class MediaMeter {
public:
  /* @pipeline: whose clock shows the frames; @latency: the pipeline's latency as last queried (ns). */
  MediaMeter (GstElement * pipeline, const std::atomic<GstClockTime> *latency);

  /* Counts the RTP leaving @pad (a source's stream pad) into a new StreamCounter. */
  void watch_rtp (GstPad * pad);
  /* Frames reaching the video sink (@pad its sink pad); sound leaving the depayloader (@pad its src pad). */
  void watch_video (GstPad * pad);
  void watch_audio (GstPad * pad);
  /* Sequence numbers start afresh (PAUSE, TEARDOWN, reconnection): the jump is not loss. */
  void restart ();
  /* The sound level (dBFS RMS) just measured, and the mean luma of the picture's middle. */
  void set_level (double db);
  double level () const { return level_db_; }
  /* The loudest level since the last call (dBFS; -100 when nothing was measured). */
  double take_peak_level ();
  double luma () const { return luma_; }

  uint64_t frames () const { return frames_; }
  double audio_seconds () const;
  uint64_t bytes () const;
  uint64_t lost () const;
  uint64_t expected () const;
  gint64 last_packet_time () const { return last_packet_time_; }
  /* Mean glass-to-glass latency of the frames since the last call, or < 0 when none. */
  double take_glass_to_glass_mean ();

  /* Frames that carried marks, and the capture-time span (seconds) from the first to the last of them:
   * at R frames per second the sender sent span * R + 1 frames in between. */
  uint64_t marked_frames () const;
  double marked_span () const;

  /* "N video frames, S s of audio, L packets lost, A/V offset ..., glass-to-glass latency ..." */
  std::string summary (const char *no_marks_reason) const;

private:
  static GstPadProbeReturn on_rtp (GstPad *, GstPadProbeInfo *, gpointer);
  static GstPadProbeReturn on_video (GstPad *, GstPadProbeInfo *, gpointer);
  static GstPadProbeReturn on_audio (GstPad *, GstPadProbeInfo *, gpointer);

  GstElement *pipeline_;
  const std::atomic<GstClockTime> *latency_;
  mutable std::mutex lock_;
  std::vector<std::unique_ptr<StreamCounter>> counters_;
  std::atomic<gint64> last_packet_time_{0};
  std::atomic<uint64_t> frames_{0};
  std::atomic<uint64_t> audio_frames_{0};
  std::atomic<int> audio_rate_{0};
  std::atomic<double> level_db_{-100};
  double peak_db_ = -100;        /* under lock_ */
  std::atomic<double> luma_{0};
  std::vector<GstClockTime> flashes_;   /* running times of the ticks as placed by the flash marks */
  std::vector<GstClockTime> ticks_;     /* running times of sound tick onsets */
  std::vector<double> glass_to_glass_ms_;
  std::vector<bool> late_;
  size_t g2g_taken_ = 0;
  uint64_t marked_ = 0;
  uint64_t first_capture_us_ = 0, last_capture_us_ = 0;
  bool last_flash_ = false;
  std::unique_ptr<TickDetector> tick_detector_;
};

}  // namespace meet
