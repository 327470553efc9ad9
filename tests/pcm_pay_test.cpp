/* GstHarness tests of meetpcmpay: payload type choice, packet sizes for ptime/MTU, timestamps in
 * samples, every supported rate and channel count. */
#include <gtest/gtest.h>

#include <gst/audio/audio.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <string>
#include <vector>

#include "l16.h"

namespace {

struct Packet {
  guint pt;
  guint32 timestamp;
  guint16 seq;
  std::vector<guint8> payload;
  gsize size;
};

std::string
raw_caps (int rate, int channels)
{
  /* GStreamer's default layout for the count, as audiotestsrc or audioconvert would give. */
  char mask[32];
  g_snprintf (mask, sizeof (mask), "0x%" G_GINT64_MODIFIER "x",
      gst_audio_channel_get_fallback_mask (channels));
  return "audio/x-raw, format=S16BE, layout=interleaved, rate=" + std::to_string (rate) +
      ", channels=" + std::to_string (channels) + ", channel-mask=(bitmask)" + mask;
}

/* Pushes @frames frames of a counting pattern in buffers of @frames_per_buffer, then EOS. */
void
push_audio (GstHarness * h, int rate, int channels, int frames, int frames_per_buffer)
{
  const int frame_bytes = 2 * channels;
  guint16 counter = 0;
  for (int done = 0; done < frames; done += frames_per_buffer) {
    const int n = std::min (frames_per_buffer, frames - done);
    GstBuffer *buf = gst_buffer_new_allocate (NULL, n * frame_bytes, NULL);
    GstMapInfo map;
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    for (int i = 0; i < n * channels; i++, counter++) {
      map.data[2 * i] = counter >> 8;
      map.data[2 * i + 1] = counter & 0xff;
    }
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale_int (done, GST_SECOND, rate);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale_int (n, GST_SECOND, rate);
    ASSERT_EQ (gst_harness_push (h, buf), GST_FLOW_OK);
  }
  ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_eos ()));
}

std::vector<Packet>
pull_packets (GstHarness * h)
{
  std::vector<Packet> packets;
  GstBuffer *buf;
  while ((buf = gst_harness_try_pull (h))) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    EXPECT_TRUE (gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp));
    Packet p;
    p.pt = gst_rtp_buffer_get_payload_type (&rtp);
    p.timestamp = gst_rtp_buffer_get_timestamp (&rtp);
    p.seq = gst_rtp_buffer_get_seq (&rtp);
    const guint8 *data = static_cast<const guint8 *>(gst_rtp_buffer_get_payload (&rtp));
    p.payload.assign (data, data + gst_rtp_buffer_get_payload_len (&rtp));
    p.size = gst_buffer_get_size (buf);
    gst_rtp_buffer_unmap (&rtp);
    gst_buffer_unref (buf);
    packets.push_back (std::move (p));
  }
  return packets;
}

GstHarness *
new_pay (int rate, int channels, const char *props = "")
{
  std::string desc = std::string ("meetpcmpay ") + props;
  GstHarness *h = gst_harness_new_parse (desc.c_str ());
  gst_harness_set_src_caps_str (h, raw_caps (rate, channels).c_str ());
  return h;
}

/* Every sample arrives once, in order, whole frames per packet, timestamps advancing by samples. */
void
check_stream (const std::vector<Packet> & packets, int channels, int frames)
{
  ASSERT_FALSE (packets.empty ());
  guint16 counter = 0;
  guint32 expected_ts = packets[0].timestamp;
  guint16 expected_seq = packets[0].seq;
  for (const auto & p : packets) {
    EXPECT_EQ (p.timestamp, expected_ts);
    EXPECT_EQ (p.seq, expected_seq);
    ASSERT_EQ (p.payload.size () % (2 * channels), 0u);
    for (gsize i = 0; i < p.payload.size (); i += 2, counter++)
      ASSERT_EQ ((p.payload[i] << 8 | p.payload[i + 1]), counter);
    expected_ts += p.payload.size () / (2 * channels);
    expected_seq++;
  }
  EXPECT_EQ (counter, (guint16) (frames * channels));
}

GstCaps *
src_caps (GstHarness * h)
{
  return gst_pad_get_current_caps (h->sinkpad);
}

int
caps_int (GstCaps * caps, const char *field)
{
  int value = -1;
  gst_structure_get_int (gst_caps_get_structure (caps, 0), field, &value);
  return value;
}

}  // namespace

TEST (MeetPcmPay, StaticPayloadTypes)
{
  const struct { int rate, channels; guint pt; } cases[] = {
    {44100, 2, 10}, {44100, 1, 11}, {48000, 2, 96}, {44100, 4, 96}, {8000, 1, 96},
  };
  for (const auto & c : cases) {
    GstHarness *h = new_pay (c.rate, c.channels);
    push_audio (h, c.rate, c.channels, 100, 100);
    auto packets = pull_packets (h);
    ASSERT_EQ (packets.size (), 1u);
    EXPECT_EQ (packets[0].pt, c.pt) << c.rate << " Hz, " << c.channels << " channels";
    GstCaps *caps = src_caps (h);
    EXPECT_EQ (caps_int (caps, "payload"), (int) c.pt);
    EXPECT_EQ (caps_int (caps, "clock-rate"), c.rate);
    EXPECT_STREQ (gst_structure_get_string (gst_caps_get_structure (caps, 0), "encoding-name"), "L16");
    EXPECT_EQ (std::string (gst_structure_get_string (gst_caps_get_structure (caps, 0),
                "encoding-params")), std::to_string (c.channels));
    gst_caps_unref (caps);
    gst_harness_teardown (h);
  }
}

TEST (MeetPcmPay, DynamicPayloadTypeFromProperty)
{
  GstHarness *h = new_pay (48000, 2, "pt=111");
  push_audio (h, 48000, 2, 10, 10);
  auto packets = pull_packets (h);
  ASSERT_EQ (packets.size (), 1u);
  EXPECT_EQ (packets[0].pt, 111u);
  gst_harness_teardown (h);

  /* The property does not override the static payload type of 44100 Hz stereo. */
  h = new_pay (44100, 2, "pt=111");
  push_audio (h, 44100, 2, 10, 10);
  packets = pull_packets (h);
  ASSERT_EQ (packets.size (), 1u);
  EXPECT_EQ (packets[0].pt, 10u);
  gst_harness_teardown (h);
}

TEST (MeetPcmPay, DownstreamPayloadTypeWins)
{
  GstHarness *h = new_pay (44100, 2);
  gst_harness_set_sink_caps_str (h, "application/x-rtp, payload=(int)98");
  push_audio (h, 44100, 2, 10, 10);
  auto packets = pull_packets (h);
  ASSERT_EQ (packets.size (), 1u);
  EXPECT_EQ (packets[0].pt, 98u);
  gst_harness_teardown (h);
}

TEST (MeetPcmPay, PtimeSetsExactPacketDuration)
{
  /* 20 ms at 8000 Hz mono: 160 samples; 1000 frames pushed in odd-sized buffers. */
  GstHarness *h = new_pay (8000, 1, "ptime=20000000");
  push_audio (h, 8000, 1, 1000, 333);
  auto packets = pull_packets (h);
  check_stream (packets, 1, 1000);
  const guint frames = meet::l16::frames_per_packet ({8000, 1}, 1400, -1, 20 * GST_MSECOND);
  ASSERT_EQ (frames, 160u);
  for (size_t i = 0; i + 1 < packets.size (); i++)
    EXPECT_EQ (packets[i].payload.size (), 2u * frames);
  EXPECT_EQ (packets.back ().payload.size (), 2u * (1000 % frames));
  gst_harness_teardown (h);
}

TEST (MeetPcmPay, PtimeFromDownstreamCaps)
{
  GstHarness *h = new_pay (16000, 2);
  gst_harness_set_sink_caps_str (h, "application/x-rtp, ptime=(uint)10");
  push_audio (h, 16000, 2, 1600, 1600);
  auto packets = pull_packets (h);
  check_stream (packets, 2, 1600);
  EXPECT_EQ (packets.size (), 10u);
  for (const auto & p : packets)
    EXPECT_EQ (p.payload.size (), 160u * 4);
  gst_harness_teardown (h);
}

TEST (MeetPcmPay, MaxPtimePropertyAndCaps)
{
  GstHarness *h = new_pay (48000, 1, "max-ptime=5000000");
  push_audio (h, 48000, 1, 4800, 4800);
  auto packets = pull_packets (h);
  check_stream (packets, 1, 4800);
  for (const auto & p : packets)
    EXPECT_LE (p.payload.size (), 240u * 2);
  EXPECT_EQ (packets.size (), 20u);
  gst_harness_teardown (h);

  h = new_pay (48000, 1);
  gst_harness_set_sink_caps_str (h, "application/x-rtp, maxptime=(uint)2");
  push_audio (h, 48000, 1, 960, 960);
  packets = pull_packets (h);
  check_stream (packets, 1, 960);
  for (const auto & p : packets)
    EXPECT_LE (p.payload.size (), 96u * 2);
  gst_harness_teardown (h);
}

TEST (MeetPcmPay, MtuNeverExceeded)
{
  const struct { int rate, channels; guint mtu; } cases[] = {
    {48000, 2, 1400}, {192000, 7, 1400}, {44100, 3, 500}, {8000, 1, 100}, {96000, 7, 57},
  };
  for (const auto & c : cases) {
    std::string props = "mtu=" + std::to_string (c.mtu);
    GstHarness *h = new_pay (c.rate, c.channels, props.c_str ());
    push_audio (h, c.rate, c.channels, 5000, 2500);
    auto packets = pull_packets (h);
    check_stream (packets, c.channels, 5000);
    for (const auto & p : packets)
      EXPECT_LE (p.size, c.mtu) << c.rate << " Hz, " << c.channels << " channels";
    /* Each input buffer fills packets to the MTU with whole frames; its remainder goes out
     * in a shorter one. */
    const gsize full = meet::l16::frames_per_packet ({c.rate, c.channels}, c.mtu, -1, 0) *
        meet::l16::bytes_per_frame (c.channels);
    EXPECT_EQ (packets[0].payload.size (), full);
    gst_harness_teardown (h);
  }
}

TEST (MeetPcmPay, EveryRateAndChannelCount)
{
  for (int rate : {8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000}) {
    for (int channels = 1; channels <= 8; channels++) {
      GstHarness *h = new_pay (rate, channels);
      push_audio (h, rate, channels, 700, 350);
      auto packets = pull_packets (h);
      SCOPED_TRACE (std::to_string (rate) + " Hz, " + std::to_string (channels) + " channels");
      /* Counting samples come back in order unless a named layout reorders them on the wire. */
      GstCaps *caps = src_caps (h);
      if (!gst_structure_has_field (gst_caps_get_structure (caps, 0), "channel-order"))
        check_stream (packets, channels, 700);
      EXPECT_EQ (caps_int (caps, "clock-rate"), rate);
      gst_caps_unref (caps);
      guint32 samples = 0;
      for (const auto & p : packets) {
        EXPECT_EQ (p.timestamp - packets[0].timestamp, samples);
        samples += p.payload.size () / (2 * channels);
      }
      EXPECT_EQ (samples, 700u);
      gst_harness_teardown (h);
    }
  }
}

TEST (MeetPcmPay, SurroundLayoutIsNamedAndReordered)
{
  /* GStreamer's 7.1 order (FL FR FC LFE RL RR SL SR) goes out as DV.LRCWoLsRsLmixRmix
   * (FL FR FC LFE SL SR RL RR). */
  GstHarness *h = gst_harness_new ("meetpcmpay");
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=S16BE, layout=interleaved, rate=48000, "
      "channels=8, channel-mask=(bitmask)0xc3f");
  push_audio (h, 48000, 8, 1, 1);
  auto packets = pull_packets (h);
  ASSERT_EQ (packets.size (), 1u);
  GstCaps *caps = src_caps (h);
  EXPECT_STREQ (gst_structure_get_string (gst_caps_get_structure (caps, 0), "channel-order"),
      "DV.LRCWoLsRsLmixRmix");
  gst_caps_unref (caps);
  const int expected[] = {0, 1, 2, 3, 6, 7, 4, 5};
  for (int i = 0; i < 8; i++)
    EXPECT_EQ (packets[0].payload[2 * i + 1], expected[i]) << "wire channel " << i;
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  const int result = RUN_ALL_TESTS ();
  /* Lets GST_TRACERS=leaks report what the tests left alive. */
  gst_deinit ();
  return result;
}
