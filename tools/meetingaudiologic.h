/* meetstream: the plain logic behind the meeting's sound (no GStreamer): who may be in the mix, sound power
 * and levels in dBFS, a timeline of signal power for measuring a stretch of sound after the fact, tone
 * detection and the echo return loss enhancement (ERLE) an echo canceller achieves.
 *
 * Who is speaking (with hysteresis) is meetinglayout.h's SpeakerPicker; feed it the levels of
 * meetingaudio.h's level messages. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace meet {

/* The names in a meeting's sound mix. Everyone else is mixed, never oneself: the self name is refused, as
 * are an empty name and a name already present. */
class MixRoster {
public:
  enum class AddResult { kAdded, kSelf, kEmpty, kDuplicate };

  explicit MixRoster (std::string self_name) : self_ (std::move (self_name)) {}

  AddResult add (const std::string & name);
  /* False when @name was not in the mix. */
  bool remove (const std::string & name);
  bool contains (const std::string & name) const { return names_.count (name) != 0; }
  std::vector<std::string> names () const { return {names_.begin (), names_.end ()}; }
  const std::string & self_name () const { return self_; }

private:
  std::string self_;
  std::set<std::string> names_;
};

/* The quietest level reported, in dBFS (digital silence). */
constexpr double kSilenceDb = -100.0;

/* Mean square of @n samples of 16-bit PCM, relative to full scale (a full-scale square wave is 1.0). */
double mean_square_s16 (const int16_t * samples, size_t n);

/* 10 log10 of a mean square relative to full scale, floored at kSilenceDb. */
double power_db (double mean_square);

/* The loudest channel of a "level" element message's rms (or peak) list, in dB, floored at kSilenceDb;
 * kSilenceDb for an empty list. */
double loudest_channel_db (const std::vector<double> & channel_db);

/* Power of the tone at @frequency (Hz) in @n samples at @rate (Goertzel over a Hann window, so other tones do
 * not leak in), as a mean square relative to full scale: a full-scale sine of that frequency gives 0.5
 * (up to 1.4 dB less between DFT bins). */
double tone_mean_square (const int16_t * samples, size_t n, int rate, double frequency);

/* Signal power over time: blocks of samples, each with its start time (nanoseconds, e.g. running time) and
 * length, recorded as they stream past and queried afterwards for any stretch of time. */
class PowerTimeline {
public:
  /* @mean_square over @samples samples starting at @start_ns, lasting @duration_ns. */
  void add (int64_t start_ns, int64_t duration_ns, double mean_square, size_t samples);
  /* Mean power (mean square) of the blocks that start inside [@from_ns, @to_ns); -1 when there are none. */
  double mean_square (int64_t from_ns, int64_t to_ns) const;
  /* The same in dBFS; kSilenceDb when there are no blocks. */
  double mean_db (int64_t from_ns, int64_t to_ns) const;
  /* Samples in the blocks that start inside [@from_ns, @to_ns). */
  size_t samples (int64_t from_ns, int64_t to_ns) const;
  size_t blocks () const { return blocks_.size (); }
  /* The end of the last block, 0 when there is none. */
  int64_t end_ns () const;

private:
  struct Block {
    int64_t start_ns;
    int64_t duration_ns;
    double energy;              /* mean square x samples */
    size_t samples;
  };
  std::vector<Block> blocks_;
};

/* Echo return loss enhancement in dB: how much weaker the canceller's output is than the echo that entered
 * it, 10 log10 (echo power in / residual power out). Both are mean squares over the same far-end-only stretch.
 * A residual of digital silence counts as kSilenceDb, so the figure stays finite. */
double erle_db (double echo_mean_square, double residual_mean_square);

/* ERLE window by window over [@from_ns, @to_ns): how often the canceller held the echo down, so one moment
 * of lost alignment (a busy machine) shows as such instead of swamping a single figure. Windows whose echo
 * is below @min_echo_db (pauses in the talk) are left out. */
struct ErleWindows {
  size_t windows = 0;           /* windows with echo to cancel */
  size_t passing = 0;           /* of which with an ERLE of at least the threshold */
  double median_db = 0.0;       /* median ERLE of those windows; 0 when there are none */
  double worst_db = 0.0;
};
ErleWindows erle_windows (const PowerTimeline & echo_in, const PowerTimeline & out, int64_t from_ns,
    int64_t to_ns, int64_t window_ns, double threshold_db, double min_echo_db = -50.0);

}  // namespace meet
