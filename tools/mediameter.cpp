/* meetstream: the receiver's measurements (see mediameter.h). */
#include "mediameter.h"

#include "launcher.h"

#include <gst/audio/audio.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cmath>

namespace meet {

void
StreamCounter::count (GstBuffer * buffer)
{
  bytes += gst_buffer_get_size (buffer);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  uint16_t seq = gst_rtp_buffer_get_seq (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  if (restart.exchange (false) && started) {
    uint64_t e = expected, r = received;
    lost_before += e > r ? e - r : 0;
    received = 0;
    started = false;
  }
  if (!started) {
    started = true;
    first_seq = max_seq = seq;
  } else {
    int16_t delta = static_cast<int16_t> (seq - static_cast<uint16_t> (max_seq));
    if (delta > 0)
      max_seq += delta;
  }
  received++;
  expected = static_cast<uint64_t> (max_seq - first_seq + 1);
}

uint64_t
StreamCounter::lost () const
{
  uint64_t e = expected, r = received;
  return lost_before + (e > r ? e - r : 0);
}

GstClockTime
running_time_of (GstPad * pad, GstClockTime pts)
{
  GstEvent *event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  if (event == nullptr || !GST_CLOCK_TIME_IS_VALID (pts)) {
    if (event)
      gst_event_unref (event);
    return GST_CLOCK_TIME_NONE;
  }
  const GstSegment *segment;
  gst_event_parse_segment (event, &segment);
  GstClockTime rt = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);
  gst_event_unref (event);
  return rt;
}

MediaMeter::MediaMeter (GstElement * pipeline, const std::atomic<GstClockTime> *latency)
  : pipeline_ (pipeline), latency_ (latency)
{
}

void
MediaMeter::watch_rtp (GstPad * pad)
{
  auto counter = std::make_unique<StreamCounter> ();
  struct Ctx { MediaMeter *meter; StreamCounter *counter; };
  auto *ctx = new Ctx { this, counter.get () };
  gst_pad_add_probe (pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST), [](GstPad *, GstPadProbeInfo * info, gpointer data) {
        auto *c = static_cast<Ctx *> (data);
        if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
          c->counter->count (GST_PAD_PROBE_INFO_BUFFER (info));
        } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
          GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
          for (guint i = 0; i < gst_buffer_list_length (list); i++)
            c->counter->count (gst_buffer_list_get (list, i));
        }
        c->meter->last_packet_time_ = g_get_monotonic_time ();
        return GST_PAD_PROBE_OK;
      }, ctx, [](gpointer data) { delete static_cast<Ctx *> (data); });
  std::lock_guard<std::mutex> guard (lock_);
  counters_.push_back (std::move (counter));
}

void
MediaMeter::watch_video (GstPad * pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_video, this, nullptr);
}

void
MediaMeter::watch_audio (GstPad * pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_audio, this, nullptr);
}

void
MediaMeter::restart ()
{
  std::lock_guard<std::mutex> guard (lock_);
  for (auto &counter : counters_)
    counter->restart = true;
}

/* Frames reaching the video sink: counted, and their marks read when the sender draws them. */
GstPadProbeReturn
MediaMeter::on_video (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  auto *m = static_cast<MediaMeter *> (user_data);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  m->frames_++;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstVideoInfo vinfo;
  bool have_info = caps && gst_video_info_from_caps (&vinfo, caps);
  if (caps)
    gst_caps_unref (caps);
  GstClockTime rt = running_time_of (pad, GST_BUFFER_PTS (buffer));
  GstVideoFrame frame;
  if (!have_info || !gst_video_frame_map (&frame, &vinfo, buffer, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  ConstLumaView view;
  if (luma_view_of (&frame, &view)) {
    /* The middle of the picture (away from the marks in the corner): tells a camera-off tile (black) apart. */
    uint64_t sum = 0, n = 0;
    for (int y = view.height / 4; y < view.height * 3 / 4; y += 8)
      for (int x = view.width / 4; x < view.width * 3 / 4; x += 8, n++)
        sum += view.data[y * view.stride + x * view.pixel_stride];
    if (n)
      m->luma_ = double (sum) / n;
    auto marks = GST_CLOCK_TIME_IS_VALID (rt) ? FrameMarks::read (view) : std::nullopt;
    if (marks) {
      /* The sink shows the frame at its running time plus the pipeline latency, or at once when it arrives
       * after that (a late frame is still shown: the sinks keep the default max-lateness of 20 ms or more). */
      GstClockTime latency = m->latency_ ? m->latency_->load () : GST_CLOCK_TIME_NONE;
      GstClockTime due_rt = rt + (GST_CLOCK_TIME_IS_VALID (latency) ? latency : 0);
      int64_t due_us = wall_time_of_running_time (m->pipeline_, due_rt);
      int64_t now_us = g_get_real_time ();
      std::lock_guard<std::mutex> guard (m->lock_);
      if (m->marked_++ == 0)
        m->first_capture_us_ = marks->capture_time_us;
      m->last_capture_us_ = marks->capture_time_us;
      if (due_us > 0) {
        m->late_.push_back (now_us > due_us);
        m->glass_to_glass_ms_.push_back (FrameMarks::diff_us (static_cast<uint64_t> (std::max (due_us,
                        now_us)), marks->capture_time_us) / 1e3);
      }
      /* Where the tick falls in this stream: the flash frame was captured flash_phase after it. */
      if (marks->flash && !m->last_flash_ && rt >= marks->flash_phase_us * 1000)
        m->flashes_.push_back (rt - marks->flash_phase_us * 1000);
      m->last_flash_ = marks->flash;
    }
  }
  gst_video_frame_unmap (&frame);
  return GST_PAD_PROBE_OK;
}

/* Sound leaving the depayloader: counted, and the onsets of test ticks found for the A/V offset. The sender
 * writes the ticks from every whole second of its running time (TickWriter), the moment its flash mark stands
 * for, so flash and tick pair up exactly; their running times here are the jitter buffers' output PTS. */
GstPadProbeReturn
MediaMeter::on_audio (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  auto *m = static_cast<MediaMeter *> (user_data);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstAudioInfo ainfo;
  bool have_info = caps && gst_audio_info_from_caps (&ainfo, caps);
  if (caps)
    gst_caps_unref (caps);
  if (!have_info || GST_AUDIO_INFO_WIDTH (&ainfo) != 16 || !GST_AUDIO_INFO_IS_INTEGER (&ainfo))
    return GST_PAD_PROBE_OK;
  int rate = GST_AUDIO_INFO_RATE (&ainfo), channels = GST_AUDIO_INFO_CHANNELS (&ainfo);
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  size_t n_frames = map.size / (2 * channels);
  m->audio_frames_ += n_frames;
  m->audio_rate_ = rate;
  std::vector<int16_t> samples (n_frames * channels);
  bool big_endian = GST_AUDIO_INFO_ENDIANNESS (&ainfo) == G_BIG_ENDIAN;
  for (size_t i = 0; i < samples.size (); i++) {
    uint16_t raw = big_endian ? (map.data[2 * i] << 8 | map.data[2 * i + 1])
        : (map.data[2 * i + 1] << 8 | map.data[2 * i]);
    samples[i] = static_cast<int16_t> (raw);
  }
  gst_buffer_unmap (buffer, &map);
  GstClockTime rt = running_time_of (pad, GST_BUFFER_PTS (buffer));
  std::lock_guard<std::mutex> guard (m->lock_);
  if (!m->tick_detector_)
    m->tick_detector_ = std::make_unique<TickDetector> (rate, channels);
  m->tick_detector_->feed (samples.data (), n_frames, [&](size_t frame) {
        if (GST_CLOCK_TIME_IS_VALID (rt))
          m->ticks_.push_back (rt + gst_util_uint64_scale (frame, GST_SECOND, rate));
      });
  return GST_PAD_PROBE_OK;
}

void
MediaMeter::set_level (double db)
{
  level_db_ = db;
  std::lock_guard<std::mutex> guard (lock_);
  peak_db_ = std::max (peak_db_, db);
}

double
MediaMeter::take_peak_level ()
{
  std::lock_guard<std::mutex> guard (lock_);
  double peak = peak_db_;
  peak_db_ = -100;
  return peak;
}

double
MediaMeter::audio_seconds () const
{
  int rate = audio_rate_;
  return rate ? audio_frames_ / double (rate) : 0.0;
}

uint64_t
MediaMeter::bytes () const
{
  std::lock_guard<std::mutex> guard (lock_);
  uint64_t total = 0;
  for (auto &c : counters_)
    total += c->bytes;
  return total;
}

uint64_t
MediaMeter::lost () const
{
  std::lock_guard<std::mutex> guard (lock_);
  uint64_t total = 0;
  for (auto &c : counters_)
    total += c->lost ();
  return total;
}

uint64_t
MediaMeter::expected () const
{
  std::lock_guard<std::mutex> guard (lock_);
  uint64_t total = 0;
  for (auto &c : counters_)
    total += c->expected;
  return total;
}

uint64_t
MediaMeter::marked_frames () const
{
  std::lock_guard<std::mutex> guard (lock_);
  return marked_;
}

double
MediaMeter::marked_span () const
{
  std::lock_guard<std::mutex> guard (lock_);
  return marked_ ? FrameMarks::diff_us (last_capture_us_, first_capture_us_) / 1e6 : 0;
}

double
MediaMeter::take_glass_to_glass_mean ()
{
  std::lock_guard<std::mutex> guard (lock_);
  if (glass_to_glass_ms_.size () <= g2g_taken_)
    return -1;
  double sum = 0;
  for (size_t i = g2g_taken_; i < glass_to_glass_ms_.size (); i++)
    sum += glass_to_glass_ms_[i];
  double mean = sum / (glass_to_glass_ms_.size () - g2g_taken_);
  g2g_taken_ = glass_to_glass_ms_.size ();
  return mean;
}

std::string
MediaMeter::summary (const char *no_marks_reason) const
{
  gchar *text = g_strdup_printf ("%" G_GUINT64_FORMAT " video frames, %.2f s of audio, %" G_GUINT64_FORMAT
      " packets lost, ", frames_.load (), audio_seconds (), lost ());
  std::string line = text;
  g_free (text);

  std::lock_guard<std::mutex> guard (lock_);
  /* Pair every flash with the nearest tick: the offset is how much later the picture plays than the sound. */
  std::vector<double> offsets;
  for (GstClockTime flash : flashes_) {
    double best = 1e9;
    for (GstClockTime tick : ticks_) {
      double d = (static_cast<double> (flash) - static_cast<double> (tick)) / 1e6;
      if (std::fabs (d) < std::fabs (best))
        best = d;
    }
    if (std::fabs (best) < 500)
      offsets.push_back (best);
    if (g_getenv ("MEET_DEBUG"))
      g_print ("meetcli: debug: flash at %.3f s: %+.1f ms\n", flash / 1e9, best);
  }
  /* Streams are only in step once the sender's first RTCP sender reports have arrived: keep the later half. */
  offsets.erase (offsets.begin (), offsets.begin () + offsets.size () / 2);
  if (offsets.empty ()) {
    line += std::string ("A/V offset unknown (") + no_marks_reason + ")";
  } else {
    std::sort (offsets.begin (), offsets.end ());
    gchar *part = g_strdup_printf ("A/V offset %+.1f ms (median of the last %zu sync marks)",
        offsets[offsets.size () / 2], offsets.size ());
    line += part;
    g_free (part);
  }
  if (!glass_to_glass_ms_.empty ()) {
    /* Like the A/V offset, over the later half: the jitter buffers take a few seconds to learn the
     * network's delay from the packets' arrival times, and RTCP to line the streams up. */
    size_t first = glass_to_glass_ms_.size () / 2;
    std::vector<double> sorted (glass_to_glass_ms_.begin () + first, glass_to_glass_ms_.end ());
    std::sort (sorted.begin (), sorted.end ());
    size_t late = std::count (late_.begin () + first, late_.end (), true);
    gchar *part = g_strdup_printf (", glass-to-glass latency %.1f ms (median of the last %zu frames, p90 %.1f "
        "ms, %zu late)", sorted[sorted.size () / 2], sorted.size (), sorted[sorted.size () * 9 / 10], late);
    line += part;
    g_free (part);
  } else {
    line += ", glass-to-glass unknown (no latency marks)";
  }
  return line;
}

}  // namespace meet
