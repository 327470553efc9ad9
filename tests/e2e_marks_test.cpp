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

}  // namespace
