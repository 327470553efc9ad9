/* GstHarness tests of meetjpegpay and meetjpegdepay: RFC 2435 header fields byte by byte, fragment
 * sizes against the mtu, marker bits, timestamps, in-band tables on every frame, caps fields,
 * zero-copy scan data, errors on unsupported JPEGs, and the depayloader's drop counters. */
#include "rfc2435.h"

#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/gstsdpmessage.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */

#include <string>
#include <vector>

namespace rfc = meet::rfc2435;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes
bytes_of (GstBuffer * buffer)
{
  Bytes out (gst_buffer_get_size (buffer));
  gst_buffer_extract (buffer, 0, out.data (), out.size ());
  return out;
}

/* One JPEG image from videotestsrc ! <format> ! jpegenc quality=<q>. */
GstBuffer *
encode_jpeg (const char *format, int width, int height, int quality = 85)
{
  GstHarness *h = gst_harness_new ("jpegenc");
  g_object_set (h->element, "quality", quality, NULL);
  gchar *src = g_strdup_printf ("videotestsrc pattern=smpte ! capsfilter caps=\"video/x-raw,format=%s,"
      "width=%d,height=%d,framerate=30/1\"", format, width, height);
  gst_harness_add_src_parse (h, src, FALSE);
  g_free (src);
  gst_harness_push_from_src (h);
  GstBuffer *jpeg = gst_harness_pull (h);
  gst_harness_teardown (h);
  return jpeg;
}

rfc::JpegInfo
info_of (const Bytes & jpeg)
{
  rfc::JpegInfo info;
  EXPECT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), info));
  return info;
}

struct Packet {
  Bytes payload;
  bool marker;
  uint32_t timestamp;
  uint16_t seq;
  uint8_t pt;
  size_t size;
  GstClockTime pts;
};

std::vector<Packet>
pull_packets (GstHarness * h)
{
  std::vector<Packet> packets;
  while (GstBuffer * b = gst_harness_try_pull (h)) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    EXPECT_TRUE (gst_rtp_buffer_map (b, GST_MAP_READ, &rtp));
    const auto *p = static_cast<const uint8_t *> (gst_rtp_buffer_get_payload (&rtp));
    packets.push_back ({Bytes (p, p + gst_rtp_buffer_get_payload_len (&rtp)), (bool) gst_rtp_buffer_get_marker (&rtp),
        gst_rtp_buffer_get_timestamp (&rtp), gst_rtp_buffer_get_seq (&rtp),
        gst_rtp_buffer_get_payload_type (&rtp), gst_buffer_get_size (b), GST_BUFFER_PTS (b)});
    gst_rtp_buffer_unmap (&rtp);
    gst_buffer_unref (b);
  }
  return packets;
}

GstHarness *
new_payloader (guint mtu, const char *caps = "image/jpeg,width=320,height=240,framerate=30/1")
{
  GstHarness *h = gst_harness_new ("meetjpegpay");
  g_object_set (h->element, "mtu", mtu, NULL);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

GstFlowReturn
push_jpeg (GstHarness * h, GstBuffer * jpeg, GstClockTime pts)
{
  GstBuffer *b = gst_buffer_copy (jpeg);
  GST_BUFFER_PTS (b) = pts;
  return gst_harness_push (h, b);
}

/* The error message the element posted, or "" */
std::string
error_of (GstBus * bus)
{
  std::string text;
  if (GstMessage * msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR)) {
    GError *err = nullptr;
    gst_message_parse_error (msg, &err, nullptr);
    text = err->message;
    g_error_free (err);
    gst_message_unref (msg);
  }
  return text;
}

}  // namespace

/* --- meetjpegpay --------------------------------------------------------------------------- */

TEST (MeetJpegPay, HeaderFieldsFragmentsMarkerAndTimestamps)
{
  GstBuffer *jpeg = encode_jpeg ("I420", 320, 240, 70);
  const Bytes jb = bytes_of (jpeg);
  const rfc::JpegInfo info = info_of (jb);
  const Bytes scan (jb.begin () + info.scan_offset, jb.begin () + info.scan_offset + info.scan_size);

  GstHarness *h = new_payloader (576);
  for (int frame = 0; frame < 2; frame++)
    ASSERT_EQ (GST_FLOW_OK, push_jpeg (h, jpeg, frame * 40 * GST_MSECOND));
  const auto packets = pull_packets (h);

  size_t offset = 0;
  int frame = 0;
  Bytes reassembled;
  for (size_t i = 0; i < packets.size (); i++) {
    const Packet & p = packets[i];
    EXPECT_LE (p.size, 576u);
    EXPECT_EQ (26, p.pt);
    EXPECT_EQ ((uint16_t) (packets[0].seq + i), p.seq);
    EXPECT_EQ ((uint32_t) (frame * 3600), p.timestamp - packets[0].timestamp);   /* 90 kHz, 40 ms apart */
    EXPECT_EQ (frame * 40 * GST_MSECOND, p.pts);
    const uint8_t *d = p.payload.data ();
    EXPECT_EQ (0, d[0]);                                   /* type-specific */
    EXPECT_EQ (offset, (size_t) ((d[1] << 16) | (d[2] << 8) | d[3]));
    EXPECT_EQ (1, d[4]);                                   /* type 1: 4:2:0 */
    EXPECT_EQ (255, d[5]);                                 /* Q = 255: tables in-band */
    EXPECT_EQ (40, d[6]);
    EXPECT_EQ (30, d[7]);
    size_t header = 8;
    if (offset == 0) {                                     /* tables on every frame's first packet */
      const uint8_t quant[4] = {0, 0, 0, 128};
      EXPECT_EQ (0, memcmp (quant, d + 8, 4));
      EXPECT_EQ (info.luma_table.data, Bytes (d + 12, d + 76));
      EXPECT_EQ (info.chroma_table.data, Bytes (d + 76, d + 140));
      header += 4 + 128;
    }
    reassembled.insert (reassembled.end (), d + header, d + p.payload.size ());
    offset += p.payload.size () - header;
    if (offset < info.scan_size) {
      EXPECT_FALSE (p.marker) << i;
      EXPECT_EQ (576u, p.size) << "every packet but the last fills the mtu";
    } else {
      EXPECT_TRUE (p.marker) << i;
      EXPECT_EQ (scan, reassembled);
      reassembled.clear ();
      offset = 0;
      frame++;
    }
  }
  EXPECT_EQ (2, frame);

  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  EXPECT_STREQ ("JPEG", gst_structure_get_string (s, "encoding-name"));
  EXPECT_STREQ ("30.000000", gst_structure_get_string (s, "a-framerate"));
  EXPECT_FALSE (gst_structure_has_field (s, "x-dimensions"));
  gst_caps_unref (caps);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

TEST (MeetJpegPay, FragmentSizesFollowTheMtu)
{
  GstBuffer *jpeg = encode_jpeg ("Y42B", 640, 480, 95);
  const rfc::JpegInfo info = info_of (bytes_of (jpeg));
  for (guint mtu : {576u, 1400u, 1500u, 9000u}) {
    GstHarness *h = new_payloader (mtu, "image/jpeg");
    ASSERT_EQ (GST_FLOW_OK, push_jpeg (h, jpeg, 0));
    const auto packets = pull_packets (h);
    size_t total = 0;
    for (size_t i = 0; i < packets.size (); i++) {
      EXPECT_EQ (0, packets[i].payload[4]);                /* type 0: 4:2:2 */
      if (i + 1 < packets.size ())
        EXPECT_EQ (mtu, packets[i].size);
      else
        EXPECT_LE (packets[i].size, mtu);
      EXPECT_EQ (i + 1 == packets.size (), packets[i].marker);
      total += packets[i].payload.size () - (i == 0 ? 140 : 8);
    }
    EXPECT_EQ (info.scan_size, total) << "mtu " << mtu;
    gst_harness_teardown (h);
  }
  gst_buffer_unref (jpeg);
}

TEST (MeetJpegPay, ScanDataIsNotCopied)
{
  GstBuffer *jpeg = encode_jpeg ("I420", 320, 240);
  GstMapInfo in;
  ASSERT_TRUE (gst_buffer_map (jpeg, &in, GST_MAP_READ));
  const rfc::JpegInfo info = info_of (Bytes (in.data, in.data + in.size));

  GstHarness *h = new_payloader (1400);
  ASSERT_EQ (GST_FLOW_OK, gst_harness_push (h, gst_buffer_ref (jpeg)));
  size_t offset = 0;
  while (GstBuffer * out = gst_harness_try_pull (h)) {
    /* RTP header and RFC 2435 headers first, then the scan bytes as the last memory. */
    ASSERT_GE (gst_buffer_n_memory (out), 2u);
    GstMapInfo m;
    GstMemory *mem = gst_buffer_peek_memory (out, gst_buffer_n_memory (out) - 1);
    ASSERT_TRUE (gst_memory_map (mem, &m, GST_MAP_READ));
    EXPECT_EQ (in.data + info.scan_offset + offset, m.data) << "packet memory points into the input buffer";
    offset += m.size;
    gst_memory_unmap (mem, &m);
    gst_buffer_unref (out);
  }
  EXPECT_EQ (info.scan_size, offset);
  gst_buffer_unmap (jpeg, &in);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

TEST (MeetJpegPay, LargeFramesUseXDimensions)
{
  GstBuffer *jpeg = encode_jpeg ("I420", 2048, 1080, 50);
  GstHarness *h = new_payloader (1400, "image/jpeg,width=2048,height=1080,framerate=25/1");
  ASSERT_EQ (GST_FLOW_OK, push_jpeg (h, jpeg, 0));
  const auto packets = pull_packets (h);
  ASSERT_FALSE (packets.empty ());
  for (const Packet & p : packets) {
    EXPECT_EQ (0, p.payload[6]);
    EXPECT_EQ (0, p.payload[7]);
  }
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  EXPECT_STREQ ("2048,1080", gst_structure_get_string (s, "x-dimensions"));
  EXPECT_STREQ ("25.000000", gst_structure_get_string (s, "a-framerate"));

  /* What an RTSP server's SDP makes of these caps, and what a client makes of that SDP. */
  GstSDPMedia *media;
  gst_sdp_media_new (&media);
  ASSERT_EQ (GST_SDP_OK, gst_sdp_media_set_media_from_caps (caps, media));
  EXPECT_STREQ ("25.000000", gst_sdp_media_get_attribute_val (media, "framerate"));
  EXPECT_STREQ ("2048,1080", gst_sdp_media_get_attribute_val (media, "x-dimensions"));
  GstCaps *client_caps = gst_sdp_media_get_caps_from_media (media, 26);
  ASSERT_NE (nullptr, client_caps);
  gst_sdp_media_attributes_to_caps (media, client_caps);
  GstStructure *cs = gst_caps_get_structure (client_caps, 0);
  EXPECT_STREQ ("2048,1080", gst_structure_get_string (cs, "x-dimensions"));
  EXPECT_STREQ ("25.000000", gst_structure_get_string (cs, "a-framerate"));
  gst_caps_unref (client_caps);
  gst_sdp_media_free (media);
  gst_caps_unref (caps);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

TEST (MeetJpegPay, UnsupportedJpegIsAnErrorNamingTheReason)
{
  struct Case {
    const char *format;
    int patch_offset;          /* from the SOF0 marker; -1: none */
    uint8_t value;
    const char *expected;
  };
  const Case cases[] = {
    {"Y444", -1, 0, "4:4:4"},
    {"GRAY8", -1, 0, "3 components"},
    {"I420", 1, 0xc2, "progressive"},
    {"I420", 4, 12, "12-bit"},
    {"I420", 9, 4, "3 components"},
  };
  for (const Case & c : cases) {
    GstBuffer *jpeg = encode_jpeg (c.format, 64, 64);
    if (c.patch_offset >= 0) {
      Bytes b = bytes_of (jpeg);
      size_t pos = 2;
      while (b[pos + 1] != 0xc0)
        pos += 2 + ((b[pos + 2] << 8) | b[pos + 3]);
      b[pos + c.patch_offset] = c.value;
      gst_buffer_fill (jpeg, 0, b.data (), b.size ());
    }
    GstHarness *h = new_payloader (1400, "image/jpeg");
    GstBus *bus = gst_bus_new ();
    gst_element_set_bus (h->element, bus);
    EXPECT_EQ (GST_FLOW_ERROR, push_jpeg (h, jpeg, 0)) << c.expected;
    EXPECT_NE (std::string::npos, error_of (bus).find (c.expected)) << c.expected;
    EXPECT_EQ (0u, gst_harness_buffers_received (h));
    gst_element_set_bus (h->element, nullptr);
    gst_object_unref (bus);
    gst_harness_teardown (h);
    gst_buffer_unref (jpeg);
  }

  /* Not a JPEG at all, and an mtu too small for the tables. */
  GstHarness *h = new_payloader (1400, "image/jpeg");
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  EXPECT_EQ (GST_FLOW_ERROR, gst_harness_push (h, gst_buffer_new_wrapped (g_strdup ("hello, world"), 12)));
  EXPECT_NE (std::string::npos, error_of (bus).find ("not a JPEG"));
  GstBuffer *jpeg = encode_jpeg ("I420", 64, 64);
  g_object_set (h->element, "mtu", 100u, NULL);
  EXPECT_EQ (GST_FLOW_ERROR, push_jpeg (h, jpeg, 0));
  EXPECT_NE (std::string::npos, error_of (bus).find ("mtu"));
  gst_element_set_bus (h->element, nullptr);
  gst_object_unref (bus);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

/* --- meetjpegdepay ------------------------------------------------------------------------- */

namespace {

GstBuffer *
rtp_packet (const Bytes & payload, uint16_t seq, uint32_t ts, bool marker)
{
  GstBuffer *b = gst_rtp_buffer_new_allocate (payload.size (), 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gst_rtp_buffer_map (b, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_payload_type (&rtp, 26);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_timestamp (&rtp, ts);
  gst_rtp_buffer_set_marker (&rtp, marker);
  gst_rtp_buffer_set_ssrc (&rtp, 0x12345678);
  memcpy (gst_rtp_buffer_get_payload (&rtp), payload.data (), payload.size ());
  gst_rtp_buffer_unmap (&rtp);
  return b;
}

std::vector<Bytes>
packetize (const Bytes & jpeg, size_t max_payload)
{
  const rfc::JpegInfo info = info_of (jpeg);
  std::vector<Bytes> packets;
  for (size_t off = 0; off < info.scan_size;) {
    Bytes p (max_payload);
    const size_t hdr = rfc::write_packet_headers (info, off, p.data ());
    const size_t n = std::min (max_payload - hdr, info.scan_size - off);
    std::copy_n (jpeg.begin () + info.scan_offset + off, n, p.begin () + hdr);
    p.resize (hdr + n);
    packets.push_back (p);
    off += n;
  }
  return packets;
}

guint64
uint64_property (GstElement * e, const char *name)
{
  guint64 v = 0;
  g_object_get (e, name, &v, NULL);
  return v;
}

}  // namespace

TEST (MeetJpegDepay, CompleteFramesCapsAndTimestamps)
{
  GstBuffer *jpeg = encode_jpeg ("I420", 320, 240, 60);
  const Bytes jb = bytes_of (jpeg);
  const auto packets = packetize (jb, 500);
  GstHarness *h = gst_harness_new ("meetjpegdepay");
  gst_harness_set_src_caps_str (h, "application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,"
      "payload=26,a-framerate=(string)25.000000");
  uint16_t seq = 1;
  for (int frame = 0; frame < 3; frame++) {
    for (size_t i = 0; i < packets.size (); i++) {
      GstBuffer *b = rtp_packet (packets[i], seq++, 1000 + frame * 3600, i + 1 == packets.size ());
      GST_BUFFER_PTS (b) = frame * 40 * GST_MSECOND;     /* as udpsrc/rtpjitterbuffer would stamp them */
      ASSERT_EQ (GST_FLOW_OK, gst_harness_push (h, b));
    }
  }
  ASSERT_EQ (3u, gst_harness_buffers_received (h));
  for (int frame = 0; frame < 3; frame++) {
    GstBuffer *out = gst_harness_pull (h);
    const Bytes ob = bytes_of (out);
    const rfc::JpegInfo in = info_of (jb), got = info_of (ob);
    EXPECT_EQ (Bytes (jb.begin () + in.scan_offset, jb.begin () + in.scan_offset + in.scan_size),
        Bytes (ob.begin () + got.scan_offset, ob.begin () + got.scan_offset + got.scan_size));
    EXPECT_EQ (frame * 40 * GST_MSECOND, GST_BUFFER_PTS (out));
    gst_buffer_unref (out);
  }
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint w = 0, ht = 0, n = 0, d = 0;
  EXPECT_TRUE (gst_structure_get_int (s, "width", &w) && gst_structure_get_int (s, "height", &ht));
  EXPECT_EQ (320, w);
  EXPECT_EQ (240, ht);
  EXPECT_TRUE (gst_structure_get_fraction (s, "framerate", &n, &d));
  EXPECT_EQ (25, n);
  EXPECT_EQ (1, d);
  gst_caps_unref (caps);
  EXPECT_EQ (3u, uint64_property (h->element, "frames-completed"));
  EXPECT_EQ (0u, uint64_property (h->element, "frames-dropped"));
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

TEST (MeetJpegDepay, LostPacketDropsTheFrameAndCountsIt)
{
  GstBuffer *jpeg = encode_jpeg ("I420", 320, 240, 60);
  const auto packets = packetize (bytes_of (jpeg), 400);
  ASSERT_GE (packets.size (), 4u);
  GstHarness *h = gst_harness_new ("meetjpegdepay");
  gst_harness_set_src_caps_str (h, "application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26");
  uint16_t seq = 1;
  for (size_t i = 0; i < packets.size (); i++, seq++)
    if (i != 2)
      gst_harness_push (h, rtp_packet (packets[i], seq, 0, i + 1 == packets.size ()));
  for (size_t i = 0; i < packets.size (); i++, seq++)
    gst_harness_push (h, rtp_packet (packets[i], seq, 3000, i + 1 == packets.size ()));
  EXPECT_EQ (1u, gst_harness_buffers_received (h));
  EXPECT_EQ (1u, uint64_property (h->element, "frames-dropped"));
  EXPECT_EQ (packets.size () - 1, uint64_property (h->element, "packets-dropped"));
  EXPECT_EQ (1u, uint64_property (h->element, "frames-completed"));
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

TEST (MeetJpegDepay, XDimensionsGiveTheSizeOfLargeFrames)
{
  GstBuffer *jpeg = encode_jpeg ("I420", 2048, 1080, 30);
  const auto packets = packetize (bytes_of (jpeg), 1400);
  GstHarness *h = gst_harness_new ("meetjpegdepay");
  gst_harness_set_src_caps_str (h, "application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,"
      "payload=26,x-dimensions=(string)\"2048,1080\"");
  for (size_t i = 0; i < packets.size (); i++)
    gst_harness_push (h, rtp_packet (packets[i], i, 0, i + 1 == packets.size ()));
  ASSERT_EQ (1u, gst_harness_buffers_received (h));
  GstBuffer *out = gst_harness_pull (h);
  const rfc::JpegInfo info = info_of (bytes_of (out));
  EXPECT_EQ (2048u, info.width);
  EXPECT_EQ (1080u, info.height);
  gst_buffer_unref (out);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);

  /* Without x-dimensions such a frame cannot be rebuilt: dropped, not output with a bogus size. */
  h = gst_harness_new ("meetjpegdepay");
  gst_harness_set_src_caps_str (h, "application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26");
  for (size_t i = 0; i < packets.size (); i++)
    gst_harness_push (h, rtp_packet (packets[i], i, 0, i + 1 == packets.size ()));
  EXPECT_EQ (0u, gst_harness_buffers_received (h));
  EXPECT_EQ (1u, uint64_property (h->element, "frames-dropped"));
  gst_harness_teardown (h);
}

TEST (MeetJpegPair, OurPayloaderIntoOurDepayloader)
{
  GstHarness *h = gst_harness_new_parse ("meetjpegpay mtu=700 ! meetjpegdepay");
  gst_harness_set_src_caps_str (h, "image/jpeg,width=320,height=240,framerate=30/1");
  GstBuffer *jpeg = encode_jpeg ("Y42B", 320, 240, 100);
  ASSERT_EQ (GST_FLOW_OK, push_jpeg (h, jpeg, 0));
  GstBuffer *out = gst_harness_pull (h);
  const Bytes in = bytes_of (jpeg), ob = bytes_of (out);
  const rfc::JpegInfo a = info_of (in), b = info_of (ob);
  EXPECT_EQ (a.type, b.type);
  EXPECT_EQ (a.luma_table.data, b.luma_table.data);
  EXPECT_EQ (Bytes (in.begin () + a.scan_offset, in.end () - 2), Bytes (ob.begin () + b.scan_offset, ob.end () - 2));
  gst_buffer_unref (out);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}

TEST (MeetJpegPair, SizesNotMultipleOf8SurviveThroughXDimensions)
{
  GstHarness *h = gst_harness_new_parse ("meetjpegpay ! meetjpegdepay");
  gst_harness_set_src_caps_str (h, "image/jpeg,width=100,height=98,framerate=30/1");
  GstBuffer *jpeg = encode_jpeg ("I420", 100, 98);
  ASSERT_EQ (GST_FLOW_OK, push_jpeg (h, jpeg, 0));
  GstBuffer *out = gst_harness_pull (h);
  const rfc::JpegInfo info = info_of (bytes_of (out));
  EXPECT_EQ (100u, info.width);
  EXPECT_EQ (98u, info.height);
  gst_buffer_unref (out);
  gst_buffer_unref (jpeg);
  gst_harness_teardown (h);
}
