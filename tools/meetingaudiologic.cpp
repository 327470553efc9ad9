/* meetstream: the plain logic behind the meeting's sound. */
#include "meetingaudiologic.h"

#include <algorithm>
#include <cmath>

namespace meet {

MixRoster::AddResult
MixRoster::add (const std::string & name)
{
  if (name.empty ())
    return AddResult::kEmpty;
  if (name == self_)
    return AddResult::kSelf;
  if (!names_.insert (name).second)
    return AddResult::kDuplicate;
  return AddResult::kAdded;
}

bool
MixRoster::remove (const std::string & name)
{
  return names_.erase (name) != 0;
}

double
mean_square_s16 (const int16_t * samples, size_t n)
{
  if (!samples || n == 0)
    return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = samples[i] / 32768.0;
    sum += v * v;
  }
  return sum / n;
}

double
power_db (double mean_square)
{
  if (!(mean_square > 0.0))
    return kSilenceDb;
  return std::max (kSilenceDb, 10.0 * std::log10 (mean_square));
}

double
loudest_channel_db (const std::vector<double> & channel_db)
{
  double loudest = kSilenceDb;
  for (double db : channel_db)
    if (std::isfinite (db))
      loudest = std::max (loudest, db);
  return loudest;
}

double
tone_mean_square (const int16_t * samples, size_t n, int rate, double frequency)
{
  if (!samples || n == 0 || rate <= 0)
    return 0.0;
  /* Goertzel at the exact frequency (not the nearest bin) over a Hann window, so a strong tone elsewhere does
   * not leak into a short block: the squared magnitude of the windowed DFT term. */
  const double w = 2.0 * M_PI * frequency / rate;
  const double coeff = 2.0 * std::cos (w);
  double s1 = 0.0, s2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double hann = n > 1 ? 0.5 - 0.5 * std::cos (2.0 * M_PI * i / (n - 1)) : 1.0;
    double s0 = hann * samples[i] / 32768.0 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  double re = s1 - s2 * std::cos (w);
  double im = s2 * std::sin (w);
  double magnitude = std::sqrt (re * re + im * im);
  /* A sine of amplitude A gives a magnitude of A n / 4 through the window (coherent gain 1/2); its mean
   * square is A^2 / 2. */
  double amplitude = (n > 1 ? 4.0 : 2.0) * magnitude / n;
  return amplitude * amplitude / 2.0;
}

void
PowerTimeline::add (int64_t start_ns, int64_t duration_ns, double mean_square, size_t samples)
{
  if (samples == 0 || !(mean_square >= 0.0))
    return;
  blocks_.push_back ({start_ns, duration_ns, mean_square * samples, samples});
}

double
PowerTimeline::mean_square (int64_t from_ns, int64_t to_ns) const
{
  double energy = 0.0;
  size_t n = 0;
  for (const Block & b : blocks_)
    if (b.start_ns >= from_ns && b.start_ns < to_ns) {
      energy += b.energy;
      n += b.samples;
    }
  return n ? energy / n : -1.0;
}

double
PowerTimeline::mean_db (int64_t from_ns, int64_t to_ns) const
{
  double ms = mean_square (from_ns, to_ns);
  return ms < 0 ? kSilenceDb : power_db (ms);
}

size_t
PowerTimeline::samples (int64_t from_ns, int64_t to_ns) const
{
  size_t n = 0;
  for (const Block & b : blocks_)
    if (b.start_ns >= from_ns && b.start_ns < to_ns)
      n += b.samples;
  return n;
}

int64_t
PowerTimeline::end_ns () const
{
  int64_t end = 0;
  for (const Block & b : blocks_)
    end = std::max (end, b.start_ns + b.duration_ns);
  return end;
}

double
erle_db (double echo_mean_square, double residual_mean_square)
{
  return power_db (echo_mean_square) - power_db (residual_mean_square);
}

ErleWindows
erle_windows (const PowerTimeline & echo_in, const PowerTimeline & out, int64_t from_ns, int64_t to_ns,
    int64_t window_ns, double threshold_db, double min_echo_db)
{
  ErleWindows result;
  if (window_ns <= 0)
    return result;
  std::vector<double> erles;
  for (int64_t t = from_ns; t + window_ns <= to_ns; t += window_ns) {
    double in = echo_in.mean_square (t, t + window_ns);
    double residual = out.mean_square (t, t + window_ns);
    if (in < 0 || residual < 0 || power_db (in) < min_echo_db)
      continue;
    double e = erle_db (in, residual);
    erles.push_back (e);
    result.passing += e >= threshold_db;
  }
  result.windows = erles.size ();
  if (!erles.empty ()) {
    std::sort (erles.begin (), erles.end ());
    result.median_db = erles[erles.size () / 2];
    result.worst_db = erles.front ();
  }
  return result;
}

}  // namespace meet
