/* GstHarness tests of meetpcmdepay: caps to audio format, static payload types, DISCONT after loss,
 * bad payload lengths dropped and counted, truncated and random packets never crash. */
#include <gtest/gtest.h>

#include <gst/audio/audio.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <random>
#include <string>
#include <vector>

namespace {

GstBuffer *
rtp_packet (guint16 seq, guint32 timestamp, gsize payload_len, guint8 pt = 96, guint8 fill = 0)
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (payload_len, 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_timestamp (&rtp, timestamp);
  gst_rtp_buffer_set_payload_type (&rtp, pt);
  gst_rtp_buffer_set_ssrc (&rtp, 0x12345678);
  memset (gst_rtp_buffer_get_payload (&rtp), fill, payload_len);
  gst_rtp_buffer_unmap (&rtp);
  return buf;
}

GstHarness *
new_depay (const char *caps)
{
  GstHarness *h = gst_harness_new ("meetpcmdepay");
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

guint64
counter (GstHarness * h, const char *name)
{
  guint64 value = 0;
  g_object_get (h->element, name, &value, NULL);
  return value;
}

GstAudioInfo
output_info (GstHarness * h)
{
  GstAudioInfo info;
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  EXPECT_NE (caps, nullptr);
  EXPECT_TRUE (caps && gst_audio_info_from_caps (&info, caps));
  if (caps)
    gst_caps_unref (caps);
  return info;
}

}  // namespace

TEST (MeetPcmDepay, FormatFromCaps)
{
  for (int rate : {8000, 44100, 48000, 96000, 192000}) {
    for (int channels = 1; channels <= 8; channels++) {
      std::string caps = "application/x-rtp, media=audio, encoding-name=L16, payload=96, clock-rate="
          + std::to_string (rate) + ", encoding-params=(string)" + std::to_string (channels);
      GstHarness *h = new_depay (caps.c_str ());
      gst_buffer_unref (gst_harness_push_and_pull (h, rtp_packet (1, 0, 2 * channels * 10)));
      GstAudioInfo info = output_info (h);
      EXPECT_EQ (GST_AUDIO_INFO_FORMAT (&info), GST_AUDIO_FORMAT_S16BE);
      EXPECT_EQ (GST_AUDIO_INFO_RATE (&info), rate);
      EXPECT_EQ (GST_AUDIO_INFO_CHANNELS (&info), channels);
      gst_harness_teardown (h);
    }
  }
}

TEST (MeetPcmDepay, StaticPayloadTypesImplyFormat)
{
  const struct { int pt, channels; } cases[] = {{10, 2}, {11, 1}};
  for (const auto & c : cases) {
    std::string caps = "application/x-rtp, media=audio, payload=" + std::to_string (c.pt);
    GstHarness *h = new_depay (caps.c_str ());
    gst_buffer_unref (gst_harness_push_and_pull (h, rtp_packet (1, 0, 40, c.pt)));
    GstAudioInfo info = output_info (h);
    EXPECT_EQ (GST_AUDIO_INFO_RATE (&info), 44100);
    EXPECT_EQ (GST_AUDIO_INFO_CHANNELS (&info), c.channels);
    gst_harness_teardown (h);
  }
}

TEST (MeetPcmDepay, EncodingParamsAsInt)
{
  /* What gst-launch-1.0 makes of caps="...,encoding-params=2". */
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=48000, encoding-params=(int)2");
  gst_buffer_unref (gst_harness_push_and_pull (h, rtp_packet (1, 0, 40)));
  GstAudioInfo info = output_info (h);
  EXPECT_EQ (GST_AUDIO_INFO_CHANNELS (&info), 2);
  gst_harness_teardown (h);
}

TEST (MeetPcmDepay, ChannelsFieldWhenNoEncodingParams)
{
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=16000, channels=(int)3");
  gst_buffer_unref (gst_harness_push_and_pull (h, rtp_packet (1, 0, 60)));
  GstAudioInfo info = output_info (h);
  EXPECT_EQ (GST_AUDIO_INFO_CHANNELS (&info), 3);
  gst_harness_teardown (h);
}

TEST (MeetPcmDepay, OutputIsPayloadWithDurationInSamples)
{
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=8000, encoding-params=(string)1");
  /* Arrival times as a jitterbuffer would stamp them; the output keeps them. */
  GstBuffer *in = rtp_packet (10, 1000, 320, 96, 0xab);
  GST_BUFFER_PTS (in) = GST_SECOND;
  GstBuffer *first = gst_harness_push_and_pull (h, in);
  in = rtp_packet (11, 1160, 320, 96, 0xcd);
  GST_BUFFER_PTS (in) = GST_SECOND + 20 * GST_MSECOND;
  GstBuffer *second = gst_harness_push_and_pull (h, in);
  ASSERT_NE (first, nullptr);
  ASSERT_NE (second, nullptr);
  EXPECT_EQ (gst_buffer_get_size (first), 320u);
  guint8 byte = 0;
  gst_buffer_extract (second, 0, &byte, 1);
  EXPECT_EQ (byte, 0xcd);
  EXPECT_EQ (GST_BUFFER_DURATION (first), 20 * GST_MSECOND);
  EXPECT_EQ (GST_BUFFER_PTS (first), GST_SECOND);
  EXPECT_EQ (GST_BUFFER_PTS (second) - GST_BUFFER_PTS (first), 20 * GST_MSECOND);
  EXPECT_TRUE (GST_BUFFER_IS_DISCONT (first));
  EXPECT_FALSE (GST_BUFFER_IS_DISCONT (second));
  gst_buffer_unref (first);
  gst_buffer_unref (second);
  gst_harness_teardown (h);
}

TEST (MeetPcmDepay, DiscontAfterSequenceGap)
{
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=48000, encoding-params=(string)2");
  guint32 ts = 0;
  for (guint16 seq : {65533, 65534, 65535, 0, 3, 4}) {
    /* Timestamps follow the sequence numbers, as a sender's would. */
    ts = static_cast<guint16>(seq - 65533) * 240u;
    GstBuffer *out = gst_harness_push_and_pull (h, rtp_packet (seq, ts, 960));
    ASSERT_NE (out, nullptr);
    const bool expect_discont = seq == 65533 || seq == 3;
    EXPECT_EQ (GST_BUFFER_IS_DISCONT (out), expect_discont) << "seq " << seq;
    gst_buffer_unref (out);
  }
  EXPECT_EQ (counter (h, "packets-lost"), 2u);
  EXPECT_EQ (counter (h, "packets-accepted"), 6u);
  gst_harness_teardown (h);
}

TEST (MeetPcmDepay, BadPayloadLengthDroppedAndCounted)
{
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=48000, encoding-params=(string)2");
  gst_buffer_unref (gst_harness_push_and_pull (h, rtp_packet (1, 0, 400)));
  /* Odd length, half a stereo frame, one byte, empty. */
  guint16 seq = 2;
  for (gsize len : {401, 402, 1, 0}) {
    EXPECT_EQ (gst_harness_push (h, rtp_packet (seq, seq * 100, len)), GST_FLOW_OK);
    seq++;
  }
  EXPECT_EQ (gst_harness_buffers_in_queue (h), 0u);
  EXPECT_EQ (counter (h, "packets-bad-length"), 4u);
  GstBuffer *out = gst_harness_push_and_pull (h, rtp_packet (seq, seq * 100, 400));
  ASSERT_NE (out, nullptr);
  EXPECT_TRUE (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  EXPECT_EQ (counter (h, "packets-lost"), 0u);
  gst_harness_teardown (h);
}

TEST (MeetPcmDepay, ReorderedPacketsDroppedWithoutOutputGoingBackwards)
{
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=8000, encoding-params=(string)1");
  GstClockTime last_pts = 0;
  for (guint16 seq : {1, 2, 4, 3, 5, 6}) {
    gst_harness_push (h, rtp_packet (seq, seq * 80u, 160));
    GstBuffer *out;
    while ((out = gst_harness_try_pull (h))) {
      EXPECT_GE (GST_BUFFER_PTS (out), last_pts);
      last_pts = GST_BUFFER_PTS (out);
      gst_buffer_unref (out);
    }
  }
  EXPECT_EQ (counter (h, "packets-accepted"), 5u);
  gst_harness_teardown (h);
}

TEST (MeetPcmDepay, UnusableCapsRejected)
{
  for (const char *caps : {"application/x-rtp, media=audio, encoding-name=L16, payload=96, "
          "clock-rate=48000, encoding-params=(string)9",
          "application/x-rtp, media=audio, encoding-name=L16, payload=96, clock-rate=48000, "
          "encoding-params=(string)zero"}) {
    GstHarness *h = new_depay (caps);
    EXPECT_NE (gst_harness_push (h, rtp_packet (1, 0, 40)), GST_FLOW_OK) << caps;
    gst_harness_teardown (h);
  }
}

TEST (MeetPcmDepay, TruncatedAndRandomPacketsNeverCrash)
{
  GstHarness *h = new_depay ("application/x-rtp, media=audio, encoding-name=L16, payload=96, "
      "clock-rate=48000, encoding-params=(string)6");
  std::mt19937 rng (42);
  for (int i = 0; i < 3000; i++) {
    GstBuffer *buf;
    if (i % 3 == 0) {
      /* A valid packet cut short anywhere, header included. */
      GstBuffer *whole = rtp_packet (i, i * 10u, 120);
      buf = gst_buffer_copy_region (whole, GST_BUFFER_COPY_ALL, 0, rng () % 132);
      gst_buffer_unref (whole);
    } else {
      const gsize size = rng () % 200;
      std::vector<guint8> bytes (size);
      for (auto & b : bytes)
        b = rng ();
      if (i % 3 == 1 && size > 0)
        bytes[0] = 0x80;  /* RTP version 2, so more of them get past the header check */
      buf = size ? gst_buffer_new_memdup (bytes.data (), size) : gst_buffer_new ();
    }
    EXPECT_EQ (gst_harness_push (h, buf), GST_FLOW_OK);
    GstBuffer *out;
    while ((out = gst_harness_try_pull (h))) {
      EXPECT_EQ (gst_buffer_get_size (out) % 12, 0u);
      gst_buffer_unref (out);
    }
  }
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
