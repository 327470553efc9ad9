/* Unit tests of the plain L16 arithmetic (plugins/meet/l16.h). */
#include <gtest/gtest.h>

#include <random>

#include "l16.h"

using namespace meet::l16;

TEST (L16PayloadType, StaticOnlyFor44100MonoAndStereo)
{
  EXPECT_EQ (payload_type_for ({44100, 2}, 96), 10);
  EXPECT_EQ (payload_type_for ({44100, 1}, 96), 11);
  EXPECT_EQ (payload_type_for ({44100, 3}, 96), 96);
  EXPECT_EQ (payload_type_for ({48000, 2}, 101), 101);
  EXPECT_EQ (payload_type_for ({8000, 1}, 96), 96);
}

TEST (L16Format, StaticPayloadTypesImplyRateAndChannels)
{
  auto stereo = format_for (10, 0, 0);
  ASSERT_TRUE (stereo);
  EXPECT_EQ (stereo->rate, 44100);
  EXPECT_EQ (stereo->channels, 2);
  auto mono = format_for (11, 0, 0);
  ASSERT_TRUE (mono);
  EXPECT_EQ (mono->channels, 1);
  /* Explicit fields win over the implied ones. */
  EXPECT_EQ (format_for (11, 44100, 1)->channels, 1);
}

TEST (L16Format, DynamicNeedsClockRateAndDefaultsToMono)
{
  EXPECT_FALSE (format_for (96, 0, 2));
  auto mono = format_for (96, 16000, 0);
  ASSERT_TRUE (mono);
  EXPECT_EQ (mono->channels, 1);
  EXPECT_FALSE (format_for (96, 7999, 1));
  EXPECT_FALSE (format_for (96, 192001, 1));
  EXPECT_FALSE (format_for (96, 48000, 9));
  EXPECT_FALSE (format_for (96, 48000, -1));
  EXPECT_TRUE (format_for (96, 192000, 8));
}

TEST (L16FramesPerPacket, LimitedByMtu)
{
  /* 1400 - 12 header bytes = 1388 = 347 stereo frames. */
  EXPECT_EQ (frames_per_packet ({48000, 2}, 1400, -1, 0), 347u);
  EXPECT_EQ (frames_per_packet ({48000, 8}, 1400, -1, 0), 86u);
  EXPECT_EQ (frames_per_packet ({48000, 1}, 1400, -1, 0, 2), 690u);
}

TEST (L16FramesPerPacket, LimitedByPtimes)
{
  const std::int64_t ms = 1000000;
  EXPECT_EQ (frames_per_packet ({8000, 1}, 1400, -1, 20 * ms), 160u);
  EXPECT_EQ (frames_per_packet ({8000, 1}, 1400, 10 * ms, 20 * ms), 80u);
  EXPECT_EQ (frames_per_packet ({48000, 2}, 1400, -1, 20 * ms), 347u);
  /* Never below one frame, even with an absurd MTU. */
  EXPECT_EQ (frames_per_packet ({192000, 8}, 20, -1, 0), 1u);
}

TEST (L16ChannelOrder, DefaultsAndNamedOrders)
{
  using S = Speaker;
  auto stereo = order_for_speakers ({S::FrontRight, S::FrontLeft});
  ASSERT_TRUE (stereo);
  EXPECT_TRUE (stereo->name.empty ());
  EXPECT_EQ (stereo->speakers[0], S::FrontLeft);

  auto surround = order_for_speakers ({S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe,
      S::RearLeft, S::RearRight, S::SideLeft, S::SideRight});
  ASSERT_TRUE (surround);
  EXPECT_EQ (surround->name, "DV.LRCWoLsRsLmixRmix");

  /* 2.1 has no order: sent as it comes. */
  EXPECT_FALSE (order_for_speakers ({S::FrontLeft, S::FrontRight, S::Lfe}));

  /* Rear speakers stand in for side ones when there are none (GStreamer's 4.0 and 5.1). */
  auto quadro = order_for_speakers ({S::FrontLeft, S::FrontRight, S::RearLeft, S::RearRight});
  ASSERT_TRUE (quadro);
  EXPECT_EQ (quadro->name, "DV.LRLsRs");
  EXPECT_EQ (quadro->speakers[2], S::RearLeft);
  auto five_one = order_for_speakers ({S::FrontLeft, S::FrontRight, S::FrontCenter, S::Lfe,
      S::RearLeft, S::RearRight});
  ASSERT_TRUE (five_one);
  EXPECT_EQ (five_one->name, "DV.LRLsRsCS");
  EXPECT_FALSE (order_for_speakers ({S::FrontLeft, S::FrontRight, S::SideLeft, S::RearRight}));

  EXPECT_EQ (order_for_name (8, "dv.lrcwols1rs1ls2rs2")->name, "DV.LRCWoLs1Rs1Ls2Rs2");
  EXPECT_EQ (order_for_name (3, "")->speakers.size (), 3u);
  EXPECT_FALSE (order_for_name (4, ""));
  EXPECT_FALSE (order_for_name (7, ""));
  EXPECT_FALSE (order_for_name (8, "no-such-order"));
  EXPECT_FALSE (order_for_name (6, "DV.LRLsRs"));
}

TEST (L16Receiver, AcceptsWholeFramesOnly)
{
  Receiver receiver;
  receiver.set_channels (2);
  auto first = receiver.on_packet (100, 400);
  EXPECT_TRUE (first.accept);
  EXPECT_EQ (first.frames, 100u);
  EXPECT_TRUE (first.discont);

  auto odd = receiver.on_packet (101, 401);
  EXPECT_FALSE (odd.accept);
  auto half_frame = receiver.on_packet (102, 2);
  EXPECT_FALSE (half_frame.accept);
  auto empty = receiver.on_packet (103, 0);
  EXPECT_FALSE (empty.accept);
  EXPECT_EQ (receiver.packets_bad_length (), 3u);

  /* The next good packet follows dropped audio. */
  auto next = receiver.on_packet (104, 4);
  EXPECT_TRUE (next.accept);
  EXPECT_TRUE (next.discont);
  EXPECT_EQ (receiver.packets_lost (), 0u);
  EXPECT_EQ (receiver.packets_accepted (), 2u);
}

TEST (L16Receiver, GapMarksDiscontAndCountsLoss)
{
  Receiver receiver;
  receiver.set_channels (1);
  EXPECT_TRUE (receiver.on_packet (65534, 2).discont);
  EXPECT_FALSE (receiver.on_packet (65535, 2).discont);
  EXPECT_FALSE (receiver.on_packet (0, 2).discont);
  auto after_gap = receiver.on_packet (4, 2);
  EXPECT_TRUE (after_gap.discont);
  EXPECT_EQ (after_gap.lost, 3u);
  EXPECT_FALSE (receiver.on_packet (5, 2).discont);
  EXPECT_EQ (receiver.packets_lost (), 3u);

  /* A backwards jump is a sender restart: discont, but no loss. */
  EXPECT_TRUE (receiver.on_packet (65000, 2).discont);
  EXPECT_EQ (receiver.packets_lost (), 3u);

  receiver.reset ();
  EXPECT_TRUE (receiver.on_packet (7, 2).discont);
  EXPECT_EQ (receiver.packets_lost (), 3u);
}

TEST (L16Receiver, RandomRecordsNeverCrash)
{
  std::mt19937 rng (1234);
  for (int round = 0; round < 2000; round++) {
    std::vector<std::uint8_t> bytes (rng () % 300);
    for (auto & b : bytes)
      b = static_cast<std::uint8_t>(rng ());
    feed_receiver (bytes.data (), bytes.size ());
  }
  feed_receiver (nullptr, 0);
}
