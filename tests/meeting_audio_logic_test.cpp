/* meetstream: the meeting sound's plain logic (tools/meetingaudiologic.*): the mix roster that never takes
 * oneself, power and levels in dBFS, tone detection, the power timeline and ERLE. */
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "meetingaudiologic.h"

using meet::MixRoster;

namespace {

std::vector<int16_t>
sine (double frequency, double amplitude, int rate, size_t n, double phase = 0.0)
{
  std::vector<int16_t> v (n);
  for (size_t i = 0; i < n; i++)
    v[i] = static_cast<int16_t> (std::lround (amplitude * 32767.0 * std::sin (phase + 2 * M_PI * frequency * i / rate)));
  return v;
}

}  // namespace

TEST (MixRoster, NeverTakesSelf)
{
  MixRoster roster ("alice");
  EXPECT_EQ (roster.add ("alice"), MixRoster::AddResult::kSelf);
  EXPECT_FALSE (roster.contains ("alice"));
  EXPECT_EQ (roster.add ("bob"), MixRoster::AddResult::kAdded);
  EXPECT_EQ (roster.add ("bob"), MixRoster::AddResult::kDuplicate);
  EXPECT_EQ (roster.add (""), MixRoster::AddResult::kEmpty);
  EXPECT_EQ (roster.add ("carol"), MixRoster::AddResult::kAdded);
  EXPECT_EQ (roster.names (), (std::vector<std::string>{"bob", "carol"}));
  EXPECT_TRUE (roster.remove ("bob"));
  EXPECT_FALSE (roster.remove ("bob"));
  EXPECT_FALSE (roster.remove ("alice"));
  /* Back after leaving. */
  EXPECT_EQ (roster.add ("bob"), MixRoster::AddResult::kAdded);
}

TEST (MixRoster, EmptySelfNameStillRefusesEmpty)
{
  MixRoster roster ("");
  EXPECT_EQ (roster.add (""), MixRoster::AddResult::kEmpty);
  EXPECT_EQ (roster.add ("x"), MixRoster::AddResult::kAdded);
}

TEST (Power, FullScaleAndSilence)
{
  std::vector<int16_t> square (480);
  for (size_t i = 0; i < square.size (); i++)
    square[i] = (i / 24) % 2 ? 32767 : -32768;
  EXPECT_NEAR (meet::power_db (meet::mean_square_s16 (square.data (), square.size ())), 0.0, 0.01);
  std::vector<int16_t> zero (480, 0);
  EXPECT_EQ (meet::power_db (meet::mean_square_s16 (zero.data (), zero.size ())), meet::kSilenceDb);
  EXPECT_EQ (meet::mean_square_s16 (nullptr, 10), 0.0);
  EXPECT_EQ (meet::power_db (-1.0), meet::kSilenceDb);
  EXPECT_EQ (meet::power_db (NAN), meet::kSilenceDb);
  auto s = sine (1000, 0.5, 48000, 4800);
  /* A sine of amplitude 0.5: mean square 0.125, -9.03 dBFS. */
  EXPECT_NEAR (meet::power_db (meet::mean_square_s16 (s.data (), s.size ())), -9.03, 0.05);
}

TEST (Power, LoudestChannel)
{
  EXPECT_EQ (meet::loudest_channel_db ({}), meet::kSilenceDb);
  EXPECT_DOUBLE_EQ (meet::loudest_channel_db ({-30.0, -12.5}), -12.5);
  /* The level element reports -inf for digital silence. */
  EXPECT_EQ (meet::loudest_channel_db ({-INFINITY}), meet::kSilenceDb);
  EXPECT_DOUBLE_EQ (meet::loudest_channel_db ({-INFINITY, -40.0, NAN}), -40.0);
  EXPECT_EQ (meet::loudest_channel_db ({-300.0}), meet::kSilenceDb);
}

TEST (Tone, FindsItsFrequencyOnly)
{
  const int rate = 48000;
  auto a = sine (440, 0.5, rate, 4800, 0.3);
  auto b = sine (1000, 0.25, rate, 4800, 1.0);
  std::vector<int16_t> mix (a.size ());
  for (size_t i = 0; i < mix.size (); i++)
    mix[i] = static_cast<int16_t> (a[i] + b[i]);
  EXPECT_NEAR (meet::power_db (meet::tone_mean_square (mix.data (), mix.size (), rate, 440)), -9.03, 0.3);
  EXPECT_NEAR (meet::power_db (meet::tone_mean_square (mix.data (), mix.size (), rate, 1000)), -15.05, 0.3);
  EXPECT_LT (meet::power_db (meet::tone_mean_square (a.data (), a.size (), rate, 1000)), -50.0);
  /* A 10 ms block (what the mix gives): 440 Hz is not a whole number of periods, yet it does not leak into
   * 1000 Hz, and is found within the window's scalloping. */
  auto short_a = sine (440, 0.3, rate, 480);
  EXPECT_NEAR (meet::power_db (meet::tone_mean_square (short_a.data (), 480, rate, 440)), -13.5, 1.6);
  EXPECT_LT (meet::power_db (meet::tone_mean_square (short_a.data (), 480, rate, 1000)), -60.0);
  EXPECT_EQ (meet::tone_mean_square (nullptr, 0, rate, 440), 0.0);
  EXPECT_EQ (meet::tone_mean_square (a.data (), a.size (), 0, 440), 0.0);
}

TEST (PowerTimeline, WindowsAndEmpty)
{
  meet::PowerTimeline t;
  EXPECT_EQ (t.mean_square (0, 100), -1.0);
  EXPECT_EQ (t.mean_db (0, 100), meet::kSilenceDb);
  EXPECT_EQ (t.end_ns (), 0);
  /* Ten 10 ms blocks: the first five at 0.01, the last five at 0.0001. */
  const int64_t ms = 1000000;
  for (int i = 0; i < 10; i++)
    t.add (i * 10 * ms, 10 * ms, i < 5 ? 0.01 : 0.0001, 480);
  EXPECT_EQ (t.blocks (), 10u);
  EXPECT_EQ (t.end_ns (), 100 * ms);
  EXPECT_NEAR (t.mean_db (0, 50 * ms), -20.0, 1e-9);
  EXPECT_NEAR (t.mean_db (50 * ms, 100 * ms), -40.0, 1e-9);
  EXPECT_EQ (t.samples (0, 100 * ms), 4800u);
  EXPECT_EQ (t.samples (45 * ms, 60 * ms), 480u);
  /* Weighted by samples. */
  EXPECT_NEAR (t.mean_square (0, 100 * ms), (0.01 + 0.0001) / 2, 1e-12);
  /* Empty and invalid blocks are ignored. */
  t.add (200 * ms, 10 * ms, 1.0, 0);
  t.add (200 * ms, 10 * ms, NAN, 480);
  EXPECT_EQ (t.blocks (), 10u);
}

TEST (Erle, Ratios)
{
  EXPECT_NEAR (meet::erle_db (0.01, 0.0001), 20.0, 1e-9);
  EXPECT_NEAR (meet::erle_db (0.01, 0.01), 0.0, 1e-9);
  /* Louder out than in: negative. */
  EXPECT_LT (meet::erle_db (0.0001, 0.01), 0.0);
  /* A silent residual stays finite. */
  double all = meet::erle_db (0.01, 0.0);
  EXPECT_TRUE (std::isfinite (all));
  EXPECT_GT (all, 70.0);
  EXPECT_EQ (meet::erle_db (0.0, 0.0), 0.0);
}

TEST (Erle, Windows)
{
  const int64_t ms = 1000000;
  meet::PowerTimeline in, out;
  /* 2 s of echo at -20 dBFS in 10 ms blocks; the output at -60 except one bad 500 ms stretch at -25, and a
   * pause (no echo) in the last 500 ms. */
  for (int i = 0; i < 200; i++) {
    int64_t t = i * 10 * ms;
    bool pause = t >= 1500 * ms;
    in.add (t, 10 * ms, pause ? 0.0 : 0.01, 480);
    out.add (t, 10 * ms, pause ? 0.0 : (t >= 500 * ms && t < 1000 * ms ? 0.00316 : 0.000001), 480);
  }
  meet::ErleWindows w = meet::erle_windows (in, out, 0, 2000 * ms, 500 * ms, 20.0);
  EXPECT_EQ (w.windows, 3u);
  EXPECT_EQ (w.passing, 2u);
  EXPECT_NEAR (w.median_db, 40.0, 0.01);
  EXPECT_NEAR (w.worst_db, 5.0, 0.01);
  /* Nothing to measure. */
  meet::ErleWindows none = meet::erle_windows (in, out, 1500 * ms, 2000 * ms, 500 * ms, 20.0);
  EXPECT_EQ (none.windows, 0u);
  EXPECT_EQ (none.median_db, 0.0);
  EXPECT_EQ (meet::erle_windows (in, out, 0, 2000 * ms, 0, 20.0).windows, 0u);
  /* A window longer than the stretch. */
  EXPECT_EQ (meet::erle_windows (in, out, 0, 400 * ms, 500 * ms, 20.0).windows, 0u);
}
