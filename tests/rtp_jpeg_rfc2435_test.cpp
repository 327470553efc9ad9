/* Unit tests of the plain RFC 2435 classes (plugins/meet/rfc2435.h): JPEG header parsing and
 * rejection, RTP JPEG header fields byte by byte, Appendix A tables, JFIF rebuild, reassembly.
 * JPEG inputs are made at test time with jpegenc (gst-launch-1.0) and cjpeg. */
#include "rfc2435.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace rfc = meet::rfc2435;
using Bytes = std::vector<uint8_t>;

namespace {

std::string g_tmpdir;

Bytes
read_file (const std::string & path)
{
  std::ifstream f (path, std::ios::binary);
  return Bytes (std::istreambuf_iterator<char> (f), std::istreambuf_iterator<char> ());
}

/* Runs a shell command that writes `out`, and returns that file's bytes. */
Bytes
make_file (const std::string & name, const std::string & command_writing_out)
{
  const std::string out = g_tmpdir + "/" + name;
  std::string cmd = command_writing_out;
  for (size_t pos; (pos = cmd.find ("OUT")) != std::string::npos;)
    cmd.replace (pos, 3, out);
  EXPECT_EQ (0, std::system ((cmd + " >/dev/null 2>&1").c_str ())) << cmd;
  return read_file (out);
}

Bytes
jpegenc (const std::string & format, int width, int height, int quality = 85)
{
  const std::string name = "enc-" + format + "-" + std::to_string (width) + "x" + std::to_string (height) +
      "-q" + std::to_string (quality) + ".jpg";
  return make_file (name, "gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,format=" +
      format + ",width=" + std::to_string (width) + ",height=" + std::to_string (height) +
      " ! jpegenc quality=" + std::to_string (quality) + " ! filesink location=OUT");
}

Bytes
cjpeg (const std::string & options)
{
  static int n = 0;
  const std::string ppm = g_tmpdir + "/src.ppm";
  if (read_file (ppm).empty ())
    make_file ("src.ppm", "gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! "
        "video/x-raw,format=RGB,width=96,height=64 ! pnmenc ! filesink location=OUT");
  return make_file ("cjpeg" + std::to_string (n++) + ".jpg", "cjpeg " + options + " -outfile OUT " + ppm);
}

/* Offset of the first marker segment `marker` in a JPEG (its 0xFF byte). */
size_t
find_marker (const Bytes & jpeg, uint8_t marker)
{
  size_t pos = 2;
  while (pos + 4 <= jpeg.size ()) {
    if (jpeg[pos + 1] == marker)
      return pos;
    pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
  }
  ADD_FAILURE () << "marker " << int (marker) << " not found";
  return 0;
}

/* The tables of the DQT segments of a JPEG, by destination. */
std::vector<Bytes>
dqt_tables (const Bytes & jpeg)
{
  std::vector<Bytes> tables (4);
  size_t pos = 2;
  while (pos + 4 <= jpeg.size () && jpeg[pos + 1] != 0xda) {
    const size_t len = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
    if (jpeg[pos + 1] == 0xdb) {
      for (size_t i = pos + 4; i < pos + 2 + len; i += 65)
        tables[jpeg[i] & 3].assign (jpeg.begin () + i + 1, jpeg.begin () + i + 65);
    }
    pos += 2 + len;
  }
  return tables;
}

class TmpDirEnvironment : public ::testing::Environment {
public:
  void SetUp () override
  {
    char tmpl[] = "/tmp/rtp-jpeg-test-XXXXXX";
    ASSERT_NE (nullptr, mkdtemp (tmpl));
    g_tmpdir = tmpl;
  }
  void TearDown () override { EXPECT_EQ (0, std::system (("rm -rf " + g_tmpdir).c_str ())); }
};

const auto *const g_tmpdir_env = ::testing::AddGlobalTestEnvironment (new TmpDirEnvironment ());

/* Packetizes a JPEG the way meetjpegpay does, into RTP payloads of at most max_payload bytes. */
std::vector<Bytes>
packetize (const Bytes & jpeg, size_t max_payload)
{
  rfc::JpegInfo info;
  EXPECT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), info));
  std::vector<Bytes> packets;
  if (max_payload <= rfc::first_packet_header_size (info)) {
    ADD_FAILURE () << "max_payload too small for the headers";
    return packets;
  }
  for (size_t off = 0; off < info.scan_size;) {
    Bytes p (max_payload);
    const size_t h = rfc::write_packet_headers (info, off, p.data ());
    const size_t n = std::min (max_payload - h, info.scan_size - off);
    std::copy_n (jpeg.begin () + info.scan_offset + off, n, p.begin () + h);
    p.resize (h + n);
    packets.push_back (p);
    off += n;
  }
  return packets;
}

Bytes
scan_of (const Bytes & jpeg)
{
  rfc::JpegInfo info;
  EXPECT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), info));
  return Bytes (jpeg.begin () + info.scan_offset, jpeg.begin () + info.scan_offset + info.scan_size);
}

}  // namespace

/* --- Appendix A ---------------------------------------------------------------------------- */

TEST (Rfc2435Tables, Q50IsAnnexKInZigzagOrder)
{
  std::array<uint8_t, 64> luma, chroma;
  rfc::make_tables (50, luma, chroma);
  /* K.1 / K.2 read in zig-zag order. */
  const uint8_t luma_start[] = {16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40};
  const uint8_t chroma_start[] = {17, 18, 18, 24, 21, 24, 47, 26, 26, 47, 99, 66, 56, 66, 99, 99};
  for (int i = 0; i < 16; i++) {
    EXPECT_EQ (luma_start[i], luma[i]) << i;
    EXPECT_EQ (chroma_start[i], chroma[i]) << i;
  }
  EXPECT_EQ (99, luma[63]);
  EXPECT_EQ (99, chroma[63]);
}

TEST (Rfc2435Tables, ScalingAndClamping)
{
  std::array<uint8_t, 64> luma, chroma, l2, c2;
  rfc::make_tables (1, luma, chroma);          /* scale 5000 %: everything clamps to 255 except... */
  EXPECT_EQ (255, luma[0]);                    /* 16 * 50 = 800 -> 255 */
  EXPECT_EQ (255, chroma[63]);
  rfc::make_tables (0, l2, c2);                /* below 1 behaves as 1 */
  EXPECT_EQ (luma, l2);
  rfc::make_tables (99, luma, chroma);         /* scale 2 %: (16 * 2 + 50) / 100 = 0 -> 1 */
  EXPECT_EQ (1, luma[0]);
  EXPECT_EQ (2, luma[63]);                     /* (99 * 2 + 50) / 100 = 2 */
  rfc::make_tables (25, luma, chroma);         /* scale 200 % */
  EXPECT_EQ (32, luma[0]);
  EXPECT_EQ (22, luma[1]);
  rfc::make_tables (75, luma, chroma);         /* scale 50 %: (16 * 50 + 50) / 100 = 8 */
  EXPECT_EQ (8, luma[0]);
  EXPECT_EQ (6, luma[1]);                      /* (11 * 50 + 50) / 100 = 6 */
}

/* libjpeg (behind jpegenc) scales the same Annex K tables the same way: Q n tables equal jpegenc quality n. */
TEST (Rfc2435Tables, MatchLibjpegQuality)
{
  for (int q : {1, 5, 25, 50, 75, 99}) {
    const Bytes jpeg = jpegenc ("I420", 16, 16, q);
    const auto tables = dqt_tables (jpeg);
    std::array<uint8_t, 64> luma, chroma;
    rfc::make_tables (q, luma, chroma);
    EXPECT_EQ (Bytes (luma.begin (), luma.end ()), tables[0]) << "quality " << q;
    EXPECT_EQ (Bytes (chroma.begin (), chroma.end ()), tables[1]) << "quality " << q;
  }
}

/* --- RFC 2435 headers byte by byte --------------------------------------------------------- */

TEST (Rfc2435Headers, MainHeaderFields)
{
  rfc::MainHeader h;
  h.type_specific = 0xa5;
  h.fragment_offset = 0x123456;
  h.type = 65;
  h.q = 255;
  h.width_blocks = 80;
  h.height_blocks = 60;
  uint8_t out[8];
  rfc::write_main_header (h, out);
  const uint8_t expected[8] = {0xa5, 0x12, 0x34, 0x56, 65, 255, 80, 60};
  EXPECT_EQ (0, memcmp (expected, out, 8));

  rfc::MainHeader back;
  EXPECT_EQ (8u, rfc::read_main_header (out, 8, back));
  EXPECT_EQ (0x123456u, back.fragment_offset);
  EXPECT_EQ (65, back.type);
  EXPECT_EQ (0u, rfc::read_main_header (out, 7, back));
}

TEST (Rfc2435Headers, RestartAndQuantHeaderFields)
{
  rfc::RestartHeader r;
  r.interval = 0x0102;
  uint8_t out[4];
  rfc::write_restart_header (r, out);
  /* F=1, L=1, restart count 0x3fff: the whole frame must be reassembled (RFC 2435 3.1.7). */
  const uint8_t expected[4] = {0x01, 0x02, 0xff, 0xff};
  EXPECT_EQ (0, memcmp (expected, out, 4));
  r.first = false;
  r.count = 5;
  rfc::write_restart_header (r, out);
  EXPECT_EQ (0x40, out[2]);
  EXPECT_EQ (5, out[3]);

  rfc::QuantHeader q;
  q.precision = 2;
  q.length = 192;
  rfc::write_quant_header (q, out);
  const uint8_t qexpected[4] = {0, 2, 0, 192};
  EXPECT_EQ (0, memcmp (qexpected, out, 4));
  rfc::QuantHeader qback;
  EXPECT_EQ (4u, rfc::read_quant_header (out, 4, qback));
  EXPECT_EQ (192, qback.length);
}

TEST (Rfc2435Headers, PacketHeadersOfA420Frame)
{
  const Bytes jpeg = jpegenc ("I420", 320, 240, 60);
  rfc::JpegInfo info;
  ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), info));
  EXPECT_EQ (8u + 4u + 128u, rfc::first_packet_header_size (info));

  Bytes out (rfc::first_packet_header_size (info));
  ASSERT_EQ (out.size (), rfc::write_packet_headers (info, 0, out.data ()));
  const uint8_t main[8] = {0, 0, 0, 0, 1, 255, 40, 30};
  EXPECT_EQ (0, memcmp (main, out.data (), 8));
  const uint8_t quant[4] = {0, 0, 0, 128};
  EXPECT_EQ (0, memcmp (quant, out.data () + 8, 4));
  const auto tables = dqt_tables (jpeg);
  EXPECT_EQ (tables[0], Bytes (out.begin () + 12, out.begin () + 76));
  EXPECT_EQ (tables[1], Bytes (out.begin () + 76, out.begin () + 140));

  /* Later packets: main header only, with the fragment offset. */
  ASSERT_EQ (8u, rfc::write_packet_headers (info, 0x010203, out.data ()));
  const uint8_t later[8] = {0, 1, 2, 3, 1, 255, 40, 30};
  EXPECT_EQ (0, memcmp (later, out.data (), 8));
}

TEST (Rfc2435Headers, RestartTypeAndLargeFrames)
{
  const Bytes restart = cjpeg ("-sample 2x1 -restart 2B -quality 70");
  rfc::JpegInfo info;
  ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (restart.data (), restart.size (), info));
  EXPECT_EQ (rfc::kType422, info.type);
  EXPECT_EQ (2, info.restart_interval);
  Bytes out (rfc::first_packet_header_size (info));
  EXPECT_EQ (8u + 4u + 4u + 128u, rfc::write_packet_headers (info, 0, out.data ()));
  const uint8_t main_restart[12] = {0, 0, 0, 0, 64, 255, 12, 8, 0, 2, 0xff, 0xff};
  EXPECT_EQ (0, memcmp (main_restart, out.data (), 12));

  /* Above 2040 pixels both size fields are 0, as rtpjpegpay does (x-dimensions carries the size). */
  info.width = 4096;
  info.height = 2160;
  info.restart_interval = 0;
  rfc::write_packet_headers (info, 8, out.data ());
  EXPECT_EQ (0, out[6]);
  EXPECT_EQ (0, out[7]);
  info.width = 2040;
  info.height = 2048;
  rfc::write_packet_headers (info, 8, out.data ());
  EXPECT_EQ (0, out[6]);
  info.height = 2040;
  rfc::write_packet_headers (info, 8, out.data ());
  EXPECT_EQ (255, out[6]);
  EXPECT_EQ (255, out[7]);
  EXPECT_EQ (1, rfc::dimension_to_blocks (1));
  EXPECT_EQ (0, rfc::dimension_to_blocks (2041));
}

/* --- JPEG parsing and rejection ------------------------------------------------------------ */

TEST (Rfc2435Parse, AcceptsJpegencI420AndY42B)
{
  rfc::JpegInfo info;
  Bytes jpeg = jpegenc ("I420", 64, 48);
  ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), info));
  EXPECT_EQ (rfc::kType420, info.type);
  EXPECT_EQ (64u, info.width);
  EXPECT_EQ (48u, info.height);
  EXPECT_EQ (0, info.restart_interval);
  EXPECT_EQ (jpeg.size () - 2, info.scan_offset + info.scan_size);   /* EOI excluded */
  EXPECT_EQ (find_marker (jpeg, 0xda) + 14, info.scan_offset);

  jpeg = jpegenc ("Y42B", 64, 48);
  ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), info));
  EXPECT_EQ (rfc::kType422, info.type);
}

TEST (Rfc2435Parse, RejectsWhatRfc2435CannotCarry)
{
  rfc::JpegInfo info;
  auto status = [&] (const Bytes & b) { return rfc::parse_jpeg (b.data (), b.size (), info); };

  EXPECT_EQ (rfc::ParseStatus::kProgressive, status (cjpeg ("-progressive")));
  EXPECT_EQ (rfc::ParseStatus::kArithmetic, status (cjpeg ("-arithmetic")));
  EXPECT_EQ (rfc::ParseStatus::kSampling, status (cjpeg ("-sample 1x1")));
  EXPECT_EQ (rfc::ParseStatus::kSampling, status (jpegenc ("Y444", 32, 32)));
  EXPECT_EQ (rfc::ParseStatus::kComponentCount, status (jpegenc ("GRAY8", 32, 32)));
  EXPECT_EQ (rfc::ParseStatus::kHuffmanTables, status (cjpeg ("-optimize")));

  const Bytes good = jpegenc ("I420", 32, 32);
  const size_t sof = find_marker (good, 0xc0);
  Bytes twelve_bit = good;
  twelve_bit[sof + 4] = 12;
  EXPECT_EQ (rfc::ParseStatus::kPrecision, status (twelve_bit));
  Bytes four_components = good;
  four_components[sof + 9] = 4;
  EXPECT_EQ (rfc::ParseStatus::kComponentCount, status (four_components));
  Bytes lossless = good;
  lossless[sof + 1] = 0xc3;
  EXPECT_EQ (rfc::ParseStatus::kLossless, status (lossless));
  Bytes extended = good;
  extended[sof + 1] = 0xc1;
  EXPECT_EQ (rfc::ParseStatus::kNotBaseline, status (extended));
  Bytes zero_height = good;
  zero_height[sof + 5] = zero_height[sof + 6] = 0;
  EXPECT_EQ (rfc::ParseStatus::kBadDimensions, status (zero_height));

  const Bytes png = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  EXPECT_EQ (rfc::ParseStatus::kNotJpeg, status (png));
  EXPECT_EQ (rfc::ParseStatus::kNotJpeg, status (Bytes ()));

  for (auto s : {rfc::ParseStatus::kProgressive, rfc::ParseStatus::kSampling, rfc::ParseStatus::kPrecision})
    EXPECT_GT (strlen (rfc::describe (s)), 20u);
}

TEST (Rfc2435Parse, EveryTruncationIsRefusedWithoutReadingPastTheEnd)
{
  const Bytes good = jpegenc ("I420", 32, 32);
  rfc::JpegInfo info;
  ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (good.data (), good.size (), info));
  const size_t scan_offset = info.scan_offset;
  for (size_t n = 0; n <= scan_offset; n++) {
    /* An exact-size heap copy so AddressSanitizer catches any over-read. */
    std::unique_ptr<uint8_t[]> copy (new uint8_t[n ? n : 1]);
    std::copy_n (good.begin (), n, copy.get ());
    EXPECT_NE (rfc::ParseStatus::kOk, rfc::parse_jpeg (copy.get (), n, info)) << n;
  }
}

TEST (Rfc2435Parse, RandomBytesNeverCrash)
{
  std::mt19937 rng (2435);
  const Bytes good = jpegenc ("I420", 32, 32);
  rfc::JpegInfo info;
  for (int i = 0; i < 3000; i++) {
    Bytes b = good;
    const int flips = 1 + rng () % 8;
    for (int f = 0; f < flips; f++)
      b[rng () % std::min<size_t> (b.size (), 700)] = rng ();
    b.resize (rng () % (b.size () + 1));
    rfc::parse_jpeg (b.data (), b.size (), info);
  }
}

/* --- JFIF rebuild and reassembly ----------------------------------------------------------- */

TEST (Rfc2435Depacketizer, RebuildsTheSameScanTablesAndSize)
{
  for (const char *format : {"I420", "Y42B"}) {
    const Bytes jpeg = jpegenc (format, 200, 120, 37);
    rfc::JpegDepacketizer d;
    const auto packets = packetize (jpeg, 300);
    ASSERT_GT (packets.size (), 2u);
    for (size_t i = 0; i < packets.size (); i++) {
      const auto r = d.push (packets[i].data (), packets[i].size (), 1000, i + 1 == packets.size ());
      EXPECT_EQ (i + 1 == packets.size () ? rfc::JpegDepacketizer::Result::kFrameReady :
          rfc::JpegDepacketizer::Result::kNeedMore, r);
    }
    const Bytes frame = d.take_frame ();
    rfc::JpegInfo in, out;
    ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (jpeg.data (), jpeg.size (), in));
    ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (frame.data (), frame.size (), out));
    EXPECT_EQ (in.type, out.type);
    EXPECT_EQ (200u, out.width);
    EXPECT_EQ (120u, out.height);
    EXPECT_EQ (in.luma_table.data, out.luma_table.data);
    EXPECT_EQ (in.chroma_table.data, out.chroma_table.data);
    EXPECT_EQ (scan_of (jpeg), scan_of (frame));
    EXPECT_EQ (0xff, frame[frame.size () - 2]);
    EXPECT_EQ (0xd9, frame.back ());
    EXPECT_EQ (1u, d.frames_completed ());
    EXPECT_EQ (0u, d.frames_dropped ());
  }
}

TEST (Rfc2435Depacketizer, RestartIntervalSurvives)
{
  const Bytes jpeg = cjpeg ("-sample 2x2 -restart 1 -quality 90");
  rfc::JpegDepacketizer d;
  const auto packets = packetize (jpeg, 200);
  for (size_t i = 0; i < packets.size (); i++)
    d.push (packets[i].data (), packets[i].size (), 5, i + 1 == packets.size ());
  const Bytes frame = d.take_frame ();
  rfc::JpegInfo info;
  ASSERT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (frame.data (), frame.size (), info));
  EXPECT_EQ (6, info.restart_interval);        /* 1 MCU row of a 96-wide 4:2:0 image = 6 MCUs */
  EXPECT_EQ (scan_of (jpeg), scan_of (frame));
}

TEST (Rfc2435Depacketizer, StandardQTablesAndCachedInBandTables)
{
  const Bytes jpeg = jpegenc ("I420", 64, 64, 50);
  Bytes packet = packetize (jpeg, 100000)[0];
  /* Q=50: no quantization header; the receiver computes Appendix A tables equal to jpegenc's. */
  Bytes q50 (packet.begin (), packet.begin () + 8);
  q50[5] = 50;
  q50.insert (q50.end (), packet.begin () + 8 + 4 + 128, packet.end ());
  rfc::JpegDepacketizer d;
  ASSERT_EQ (rfc::JpegDepacketizer::Result::kFrameReady, d.push (q50.data (), q50.size (), 1, true));
  Bytes frame = d.take_frame ();
  EXPECT_EQ (dqt_tables (jpeg)[0], dqt_tables (frame)[0]);
  EXPECT_EQ (dqt_tables (jpeg)[1], dqt_tables (frame)[1]);

  /* Q=200 with tables, then Q=200 with length 0 reuses them. */
  Bytes q200 = packet;
  q200[5] = 200;
  ASSERT_EQ (rfc::JpegDepacketizer::Result::kFrameReady, d.push (q200.data (), q200.size (), 2, true));
  d.take_frame ();
  Bytes q200_cached (q200.begin (), q200.begin () + 12);
  q200_cached[10] = q200_cached[11] = 0;
  q200_cached.insert (q200_cached.end (), q200.begin () + 12 + 128, q200.end ());
  ASSERT_EQ (rfc::JpegDepacketizer::Result::kFrameReady,
      d.push (q200_cached.data (), q200_cached.size (), 3, true));
  frame = d.take_frame ();
  EXPECT_EQ (dqt_tables (jpeg)[0], dqt_tables (frame)[0]);

  /* Q=255 must carry its tables; Q=201 has none cached. */
  Bytes q255_empty = q200_cached;
  q255_empty[5] = 255;
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (q255_empty.data (), q255_empty.size (), 4, true));
  Bytes q201_empty = q200_cached;
  q201_empty[5] = 201;
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (q201_empty.data (), q201_empty.size (), 5, true));
  Bytes reserved = q50;
  reserved[5] = 110;
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (reserved.data (), reserved.size (), 6, true));
  EXPECT_EQ (3u, d.frames_dropped ());
  EXPECT_EQ (3u, d.frames_completed ());
}

/* ffmpeg sends a single table (length 64) when its JPEG uses one table for all components. */
TEST (Rfc2435Depacketizer, OneInBandTableServesAllComponents)
{
  const Bytes jpeg = jpegenc ("I420", 32, 32, 60);
  const Bytes packet = packetize (jpeg, 100000)[0];
  Bytes one (packet.begin (), packet.begin () + 8 + 4 + 64);
  one[11] = 64;
  one.insert (one.end (), packet.begin () + 8 + 4 + 128, packet.end ());
  rfc::JpegDepacketizer d;
  ASSERT_EQ (rfc::JpegDepacketizer::Result::kFrameReady, d.push (one.data (), one.size (), 1, true));
  const auto tables = dqt_tables (d.take_frame ());
  EXPECT_EQ (dqt_tables (jpeg)[0], tables[0]);
  EXPECT_EQ (dqt_tables (jpeg)[0], tables[1]);
  Bytes odd = one;
  odd[11] = 100;
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (odd.data (), odd.size (), 2, true));
}

class DepacketizerLoss : public ::testing::Test {
protected:
  void SetUp () override
  {
    jpeg_ = jpegenc ("I420", 160, 96, 80);
    packets_ = packetize (jpeg_, 200);
    ASSERT_GE (packets_.size (), 4u);
  }
  /* Pushes packets (indexes into packets_) of one frame with timestamp ts; returns frames completed. */
  int push_frame (rfc::JpegDepacketizer & d, const std::vector<size_t> & order, uint32_t ts)
  {
    int ready = 0;
    for (size_t i : order) {
      if (d.push (packets_[i].data (), packets_[i].size (), ts, i + 1 == packets_.size ()) ==
          rfc::JpegDepacketizer::Result::kFrameReady) {
        EXPECT_EQ (scan_of (jpeg_), scan_of (d.take_frame ()));
        ready++;
      }
    }
    return ready;
  }
  std::vector<size_t> all () const
  {
    std::vector<size_t> v (packets_.size ());
    for (size_t i = 0; i < v.size (); i++)
      v[i] = i;
    return v;
  }
  Bytes jpeg_;
  std::vector<Bytes> packets_;
};

TEST_F (DepacketizerLoss, MissingMiddleFragmentDropsTheFrameWhole)
{
  rfc::JpegDepacketizer d;
  auto order = all ();
  order.erase (order.begin () + 2);
  EXPECT_EQ (0, push_frame (d, order, 100));
  EXPECT_EQ (1u, d.frames_dropped ());
  EXPECT_EQ (order.size (), d.packets_dropped ());
  EXPECT_EQ (1, push_frame (d, all (), 200));   /* the next frame is fine */
  EXPECT_NE (std::string::npos, d.last_drop_reason ().find ("missing"));
}

TEST_F (DepacketizerLoss, MissingFirstOrLastFragment)
{
  rfc::JpegDepacketizer d;
  auto order = all ();
  order.erase (order.begin ());
  EXPECT_EQ (0, push_frame (d, order, 100));
  EXPECT_EQ (1u, d.frames_dropped ());

  order = all ();
  order.pop_back ();                            /* marker packet lost: noticed at the next frame */
  EXPECT_EQ (0, push_frame (d, order, 200));
  EXPECT_EQ (1, push_frame (d, all (), 300));
  EXPECT_EQ (2u, d.frames_dropped ());
  EXPECT_EQ (1u, d.frames_completed ());
}

TEST_F (DepacketizerLoss, DuplicateAndReorderedFragments)
{
  rfc::JpegDepacketizer d;
  auto order = all ();
  order.insert (order.begin () + 2, 1);         /* packet 1 twice */
  EXPECT_EQ (0, push_frame (d, order, 100));
  EXPECT_EQ (1u, d.frames_dropped ());

  order = all ();
  std::swap (order[1], order[2]);
  EXPECT_EQ (0, push_frame (d, order, 200));
  EXPECT_EQ (2u, d.frames_dropped ());

  /* A duplicate of a completed frame's packet is dropped alone. */
  EXPECT_EQ (1, push_frame (d, all (), 300));
  EXPECT_EQ (0, push_frame (d, {packets_.size () - 1}, 300));
  EXPECT_EQ (2u, d.frames_dropped ());
  EXPECT_EQ (1u, d.frames_completed ());
}

TEST_F (DepacketizerLoss, TypeOrSizeChangeMidFrame)
{
  rfc::JpegDepacketizer d;
  Bytes changed = packets_[1];
  changed[6] = 10;                              /* width */
  d.push (packets_[0].data (), packets_[0].size (), 1, false);
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (changed.data (), changed.size (), 1, false));
  changed = packets_[1];
  changed[4] = 0;                               /* type 1 -> 0 */
  d.push (packets_[0].data (), packets_[0].size (), 2, false);
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (changed.data (), changed.size (), 2, false));
  EXPECT_EQ (2u, d.frames_dropped ());
}

TEST_F (DepacketizerLoss, TruncatedAndImpossiblePackets)
{
  rfc::JpegDepacketizer d;
  const Bytes &first = packets_[0];
  for (size_t n = 0; n < 8 + 4 + 128; n++)
    EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (first.data (), n, 10 + n, true)) << n;
  Bytes zero_size = first;
  zero_size[6] = 0;
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (zero_size.data (), zero_size.size (), 1, true));
  Bytes bad_type = first;
  bad_type[4] = 7;
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, d.push (bad_type.data (), bad_type.size (), 2, true));
  EXPECT_EQ (1, push_frame (d, all (), 3));
}

TEST_F (DepacketizerLoss, DimensionsHintForZeroSizeFields)
{
  rfc::JpegDepacketizer d;
  d.set_dimensions_hint (160, 96);
  std::vector<Bytes> zeroed = packets_;
  for (auto & p : zeroed)
    p[6] = p[7] = 0;
  packets_ = zeroed;
  EXPECT_EQ (1, push_frame (d, all (), 1));
  EXPECT_EQ (160u, d.frame_width ());
  EXPECT_EQ (96u, d.frame_height ());
}

TEST (Rfc2435Depacketizer, FramesAreCappedAt16MiB)
{
  rfc::JpegDepacketizer d;
  const Bytes jpeg = jpegenc ("I420", 16, 16);
  Bytes p = packetize (jpeg, 100000)[0];
  d.push (p.data (), p.size (), 1, false);
  Bytes cont (8 + 60000, 0x11);
  std::copy_n (p.begin (), 8, cont.begin ());
  uint32_t offset = p.size () - 8 - 4 - 128;
  rfc::JpegDepacketizer::Result r = rfc::JpegDepacketizer::Result::kNeedMore;
  for (int i = 0; i < 400 && r == rfc::JpegDepacketizer::Result::kNeedMore; i++) {
    cont[1] = offset >> 16;
    cont[2] = offset >> 8;
    cont[3] = offset;
    r = d.push (cont.data (), cont.size (), 1, false);
    offset += 60000;
  }
  EXPECT_EQ (rfc::JpegDepacketizer::Result::kDropped, r);
  EXPECT_LE (offset, rfc::kMaxFrameSize + 60000);
  EXPECT_EQ (1u, d.frames_dropped ());
}

TEST (Rfc2435Depacketizer, RandomPacketsNeverCrash)
{
  std::mt19937 rng (1);
  const Bytes jpeg = jpegenc ("I420", 64, 64);
  const auto packets = packetize (jpeg, 180);
  rfc::JpegDepacketizer d;
  for (int i = 0; i < 20000; i++) {
    Bytes p = packets[rng () % packets.size ()];
    switch (rng () % 3) {
      case 0:
        for (auto & b : p)
          b = rng ();
        break;
      case 1:
        p[rng () % p.size ()] = rng ();
        break;
      default:
        p.resize (rng () % (p.size () + 1));
    }
    if (d.push (p.data (), p.size (), rng () % 4, rng () % 2) == rfc::JpegDepacketizer::Result::kFrameReady) {
      const Bytes frame = d.take_frame ();
      rfc::JpegInfo info;
      EXPECT_EQ (rfc::ParseStatus::kOk, rfc::parse_jpeg (frame.data (), frame.size (), info));
    }
  }
}
