/* Unit tests of the picture marks (tools/marks.h) and the tick detector used for latency and A/V offset. */
#include "marks.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace {

struct Picture {
  int width, height;
  std::vector<uint8_t> luma;
  Picture (int w, int h, uint8_t fill = 128) : width (w), height (h), luma (size_t (w) * h, fill) {}
  meet::LumaView view () { return {luma.data (), size_t (width), 1, width, height}; }
  meet::ConstLumaView const_view () const { return {luma.data (), size_t (width), 1, width, height}; }
};

TEST (FrameMarks, RoundTripsAtCommonSizes)
{
  for (auto [w, h] : {std::pair{320, 240}, {640, 480}, {1280, 720}, {1920, 1080}}) {
    Picture p (w, h);
    meet::FrameMarks::Marks m{0xABCDE12345ull, true, 12345};
    ASSERT_TRUE (meet::FrameMarks::draw (p.view (), m)) << w << "x" << h;
    auto back = meet::FrameMarks::read (p.const_view ());
    ASSERT_TRUE (back.has_value ());
    EXPECT_EQ (back->capture_time_us, m.capture_time_us);
    EXPECT_TRUE (back->flash);
    EXPECT_EQ (back->flash_phase_us, 12345u);
  }
}

TEST (FrameMarks, TimeWrapsAt40Bits)
{
  Picture p (640, 480);
  meet::FrameMarks::draw (p.view (), {(uint64_t (1) << 40) + 7, false, 0});
  auto back = meet::FrameMarks::read (p.const_view ());
  ASSERT_TRUE (back.has_value ());
  EXPECT_EQ (back->capture_time_us, 7u);
  EXPECT_FALSE (back->flash);
  EXPECT_EQ (meet::FrameMarks::diff_us (5, meet::FrameMarks::kMask - 4), 10);
  EXPECT_EQ (meet::FrameMarks::diff_us (100, 130), -30);
}

TEST (FrameMarks, SurvivesNoiseButNotDamage)
{
  Picture p (640, 480);
  meet::FrameMarks::draw (p.view (), {123456789, false, 0});
  for (size_t i = 0; i < p.luma.size (); i += 7)
    p.luma[i] = uint8_t (p.luma[i] + (i % 3 == 0 ? 40 : -40));   /* like JPEG ringing */
  EXPECT_TRUE (meet::FrameMarks::read (p.const_view ()).has_value ());
  /* A block whose code and complement agree is damage: no marks rather than a wrong time. */
  for (int y = 0; y < 32; y++)
    std::memset (&p.luma[size_t (y) * 640], 235, 16);
  EXPECT_FALSE (meet::FrameMarks::read (p.const_view ()).has_value ());
}

TEST (FrameMarks, UnmarkedAndTinyPicturesHaveNoMarks)
{
  Picture grey (640, 480);
  EXPECT_FALSE (meet::FrameMarks::read (grey.const_view ()).has_value ());
  Picture tiny (64, 48);
  EXPECT_FALSE (meet::FrameMarks::draw (tiny.view (), {1, true, 0}));
  EXPECT_FALSE (meet::FrameMarks::read (tiny.const_view ()).has_value ());
}

TEST (FrameMarks, PackedRgbUsesGreen)
{
  int w = 640, h = 480;
  std::vector<uint8_t> bgrx (size_t (w) * h * 4, 100);
  meet::LumaView v{bgrx.data () + 1, size_t (w) * 4, 4, w, h};
  meet::FrameMarks::draw (v, {42, true, 999});
  meet::ConstLumaView cv{bgrx.data () + 1, size_t (w) * 4, 4, w, h};
  auto back = meet::FrameMarks::read (cv);
  ASSERT_TRUE (back.has_value ());
  EXPECT_EQ (back->capture_time_us, 42u);
  EXPECT_EQ (bgrx[0], 100);     /* blue untouched */
}

TEST (TickDetector, FindsOnsetsAfterQuiet)
{
  const int rate = 48000;
  std::vector<int16_t> samples (rate * 3, 0);
  for (int tick : {rate / 2 + 10, rate + rate / 2 + 20})
    for (int i = 0; i < 2400; i++)
      samples[tick + i] = (i % 48 < 24) ? 10000 : -10000;
  meet::TickDetector detector (rate, 1);
  std::vector<size_t> onsets;
  /* Fed in odd-sized blocks, as buffers come. */
  size_t offset = 0;
  while (offset < samples.size ()) {
    size_t n = std::min<size_t> (1023, samples.size () - offset);
    detector.feed (samples.data () + offset, n, [&](size_t i) { onsets.push_back (offset + i); });
    offset += n;
  }
  ASSERT_EQ (onsets.size (), 2u);
  EXPECT_EQ (onsets[0], size_t (rate / 2 + 10));
  EXPECT_EQ (onsets[1], size_t (rate + rate / 2 + 20));
}

/* The ticks start on whole seconds of running time wherever the buffers start, and the detector finds them
 * there (within two samples: the tone starts at zero), in any buffer size. */
TEST (TickWriter, TicksOnWholeSecondsOfRunningTime)
{
  const int rate = 48000;
  meet::TickWriter writer (1000, 0.5);
  meet::TickDetector detector (rate, 2);
  /* A source whose first buffer came 37.3 ms into the second (a live source's start-up delay), in 441-frame
   * buffers: nothing lines up with the second but the running times. */
  const uint64_t start_ns = 2037300000;
  const size_t block = 441;
  std::vector<int16_t> samples (block * 2);
  std::vector<uint64_t> onsets_ns;
  for (size_t frames = 0; frames < size_t (rate) * 4; frames += block) {
    uint64_t t = start_ns + frames * 1000000000ull / rate;
    writer.write (samples.data (), block, 2, rate, t);
    EXPECT_EQ (samples[0], samples[1]);   /* every channel */
    detector.feed (samples.data (), block, [&](size_t i) { onsets_ns.push_back (t + i * 1000000000ull / rate); });
  }
  /* 2.04 s to 6.04 s: the ticks at 3, 4, 5 and 6 s. */
  ASSERT_EQ (onsets_ns.size (), 4u);
  for (size_t k = 0; k < onsets_ns.size (); k++) {
    int64_t after = static_cast<int64_t> (onsets_ns[k]) - static_cast<int64_t> ((3 + k) * 1000000000ull);
    EXPECT_GE (after, 0);
    EXPECT_LT (after, 2 * 1000000000 / rate);
  }
}

TEST (TickWriter, ToneLastsFiftyMillisecondsAtTheAmplitude)
{
  meet::TickWriter writer (1000, 0.5);
  EXPECT_EQ (writer.value_at (0), 0.0);
  EXPECT_NEAR (writer.value_at (250000), 0.5, 1e-9);            /* a quarter period of 1 kHz */
  EXPECT_NEAR (writer.value_at (750000), -0.5, 1e-9);
  EXPECT_NE (writer.value_at (meet::TickWriter::kTickNs - 100000), 0.0);
  EXPECT_EQ (writer.value_at (meet::TickWriter::kTickNs), 0.0);
  EXPECT_EQ (writer.value_at (500000000), 0.0);
  std::vector<float> f (48);
  writer.write (f.data (), f.size (), 1, 48000, 1000000000);
  EXPECT_NEAR (f[12], 0.5f, 1e-6);                               /* 250 us into the second */
}

}  // namespace
