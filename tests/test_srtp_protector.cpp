/* Unit tests of meet::SrtpProtector (plugins/meet/rtsp/common/srtpprotector.h), meetrtspsink's SRTP
 * sender on nettle: the RFC's vectors (RFC 3711 B.2 keystream and B.3 key derivation, RFC 6188 7.2,
 * RFC 7714 16 and 17.1), byte-for-byte equality with gst-plugins-bad's srtpenc (libsrtp) under the
 * same key for every suite over a run with a sequence-number wrap, reordering, refusals and RTCP,
 * srtpdec decrypting what it makes, and malformed packets refused. */
#include "srtpprotector.h"

#include <gst/check/gstharness.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"
#include "srtp_test_helpers.h"

#include <cstring>
#include <string>
#include <vector>

using namespace meet;
using meet_test::have_srtp;

namespace {

using Bytes = std::vector<uint8_t>;

const SrtpSuite kAll[] = {SrtpSuite::AES_128_CM_HMAC_SHA1_80, SrtpSuite::AES_256_CM_HMAC_SHA1_80,
                          SrtpSuite::AEAD_AES_128_GCM, SrtpSuite::AEAD_AES_256_GCM};

Bytes
hex (const std::string & text)
{
  Bytes out;
  std::string digits;
  for (char c : text)
    if (g_ascii_isxdigit (c))
      digits += c;
  for (size_t i = 0; i + 1 < digits.size (); i += 2)
    out.push_back (static_cast<uint8_t> (std::stoi (digits.substr (i, 2), nullptr, 16)));
  return out;
}

std::string
to_hex (const uint8_t * data, size_t n)
{
  std::string s;
  char b[3];
  for (size_t i = 0; i < n; i++) {
    g_snprintf (b, sizeof (b), "%02x", data[i]);
    s += b;
  }
  return s;
}

std::string
to_hex (const Bytes & b)
{
  return to_hex (b.data (), b.size ());
}

/* An RTP packet: @csrcs CSRCs, an extension of @ext_words words when @ext, @payload bytes. */
Bytes
rtp (uint32_t ssrc, uint16_t seq, size_t payload, unsigned csrcs = 0, bool ext = false,
    unsigned ext_words = 0)
{
  Bytes p = { static_cast<uint8_t> (0x80 | (ext ? 0x10 : 0) | csrcs), 26,
    static_cast<uint8_t> (seq >> 8), static_cast<uint8_t> (seq), 0, 0, 0x12, 0x34,
    static_cast<uint8_t> (ssrc >> 24), static_cast<uint8_t> (ssrc >> 16),
    static_cast<uint8_t> (ssrc >> 8), static_cast<uint8_t> (ssrc) };
  for (unsigned i = 0; i < csrcs; i++)
    p.insert (p.end (), { 0, 0, 0, static_cast<uint8_t> (i + 1) });
  if (ext) {
    p.insert (p.end (), { 0xbe, 0xde, 0, static_cast<uint8_t> (ext_words) });
    for (unsigned i = 0; i < ext_words; i++)
      p.insert (p.end (), { 0x10, 0xaa, 0, 0 });
  }
  for (size_t i = 0; i < payload; i++)
    p.push_back (static_cast<uint8_t> (seq + i * 7));
  return p;
}

/* A compound RTCP packet: a sender report of @ssrc (no report blocks) and a BYE. */
Bytes
rtcp_sr (uint32_t ssrc, uint32_t rtptime)
{
  Bytes p = { 0x80, 200, 0, 6 };
  for (int shift = 24; shift >= 0; shift -= 8)
    p.push_back (static_cast<uint8_t> (ssrc >> shift));
  for (int i = 0; i < 8; i++)
    p.push_back (static_cast<uint8_t> (0xe0 + i));         // NTP time
  for (int shift = 24; shift >= 0; shift -= 8)
    p.push_back (static_cast<uint8_t> (rtptime >> shift));
  p.insert (p.end (), { 0, 0, 0, 9, 0, 0, 0x20, 0 });       // packets, octets
  p.insert (p.end (), { 0x81, 203, 0, 1 });
  for (int shift = 24; shift >= 0; shift -= 8)
    p.push_back (static_cast<uint8_t> (ssrc >> shift));
  return p;
}

struct Out {
  SrtpStatus status;
  Bytes data;
};

Out
protect (SrtpProtector & p, const Bytes & in, bool rtcp)
{
  Out out;
  out.data.resize (in.size () + 64);
  size_t len = 0;
  out.status = rtcp ? p.protect_rtcp (in.data (), in.size (), out.data.data (), out.data.size (),
      &len) : p.protect_rtp (in.data (), in.size (), out.data.data (), out.data.size (), &len);
  out.data.resize (out.status == SrtpStatus::OK ? len : 0);
  return out;
}

SrtpKey
master (SrtpSuite suite, const std::string & key_salt)
{
  SrtpKey key;
  key.suite = suite;
  key.key_salt = hex (key_salt);
  return key;
}

/* The rollover counter srtpenc's stats give for @ssrc (0 when it has none). */
guint
srtpenc_roc (GstElement * enc, guint ssrc)
{
  GstStructure *stats = nullptr;
  g_object_get (enc, "stats", &stats, nullptr);
  guint roc = 0;
  const GValue *streams = stats ? gst_structure_get_value (stats, "streams") : nullptr;
  for (guint i = 0; streams && GST_VALUE_HOLDS_ARRAY (streams)
      && i < gst_value_array_get_size (streams); i++) {
    const GstStructure *s = gst_value_get_structure (gst_value_array_get_value (streams, i));
    guint v;
    if (gst_structure_get_uint (s, "ssrc", &v) && v == ssrc)
      gst_structure_get_uint (s, "roc", &roc);
  }
  if (stats)
    gst_structure_free (stats);
  return roc;
}

GstBuffer *
buffer_of (const Bytes & b)
{
  return gst_buffer_new_memdup (b.data (), b.size ());
}

Bytes
bytes_of (GstBuffer * buf)
{
  Bytes b (gst_buffer_get_size (buf));
  gst_buffer_extract (buf, 0, b.data (), b.size ());
  return b;
}

/* One packet of a run: RTP or RTCP bytes. */
struct Packet {
  bool rtcp;
  Bytes data;
};

/* Two SSRCs; the first wraps (ROC 0 -> 1) with a packet of ROC 0 arriving after the wrap, a
 * duplicate and one from before the window (both refused); CSRCs, an extension, an empty
 * payload, 1400 bytes; sender reports of both SSRCs between them. */
std::vector<Packet>
a_run ()
{
  std::vector<Packet> run;
  const uint32_t a = 0x11223344, b = 0xcafebabe;
  uint16_t seq = 65500;
  for (int i = 0; i < 60; i++, seq++) {
    if (seq == 65533)
      continue;    // comes late, after the wrap
    size_t size = (i % 5 == 0) ? 1400 : static_cast<size_t> (i * 13 % 300);
    run.push_back ({ false, rtp (a, seq, size, i % 7 == 3 ? 2 : 0, i % 11 == 4, 1 + i % 3) });
    if (i % 9 == 0)
      run.push_back ({ false, rtp (b, static_cast<uint16_t> (1000 + i), 100) });
    if (i % 10 == 0) {
      run.push_back ({ true, rtcp_sr (a, 9000u * i) });
      run.push_back ({ true, rtcp_sr (b, 7u * i) });
    }
  }
  run.push_back ({ false, rtp (a, 65533, 200) });                       // ROC 0, late
  run.push_back ({ false, rtp (a, static_cast<uint16_t> (seq - 1), 50) });   // duplicate
  run.push_back ({ false, rtp (a, static_cast<uint16_t> (seq - 300), 50) }); // before the window
  run.push_back ({ false, rtp (a, seq, 0) });                           // empty payload
  run.push_back ({ false, rtp (a, static_cast<uint16_t> (seq + 1), 1400, 15) });
  run.push_back ({ true, rtcp_sr (a, 1) });
  return run;
}

}  // namespace

/* ---------------------------------------------------------------- the RFCs' vectors */

TEST (SrtpProtector, Rfc3711KeyDerivation)
{
  /* RFC 3711 B.3. */
  SrtpKey key = master (SrtpSuite::AES_128_CM_HMAC_SHA1_80,
      "E1F97A0D3E018BE0D64FA32C06DE4139 0EC675AD498AFEEBB6960B3AABE6");
  SrtpSessionKeys s;
  ASSERT_TRUE (srtp_derive_session_keys (key, false, &s));
  EXPECT_EQ (to_hex (s.cipher_key), "c61e7a93744f39ee10734afe3ff7a087");
  EXPECT_EQ (to_hex (s.salt), "30cbbc08863d8c85d49db34a9ae1");
  EXPECT_EQ (to_hex (s.auth_key), "cebe321f6ff7716b6fd4ab49af256a156d38baa4");

  /* RFC 6188 7.2: AES-256's PRF. */
  key = master (SrtpSuite::AES_256_CM_HMAC_SHA1_80,
      "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6 3b04803de51ee7c96423ab5b78d2");
  ASSERT_TRUE (srtp_derive_session_keys (key, false, &s));
  EXPECT_EQ (to_hex (s.cipher_key),
      "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4");
  EXPECT_EQ (to_hex (s.salt), "fa31791685ca444a9e07c6c64e93");
  EXPECT_EQ (to_hex (s.auth_key), "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05");

  SrtpKey bad = key;
  bad.key_salt.pop_back ();
  EXPECT_FALSE (srtp_derive_session_keys (bad, false, &s));
  SrtpProtector p;
  EXPECT_FALSE (p.init (bad));
  EXPECT_FALSE (p.ready ());
}

TEST (SrtpProtector, Rfc3711AesCmKeystream)
{
  /* RFC 3711 B.2: SSRC 0, index 0, so a zero payload comes out as the keystream. */
  SrtpSessionKeys keys;
  keys.cipher_key = hex ("2B7E151628AED2A6ABF7158809CF4F3C");
  keys.salt = hex ("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
  keys.auth_key.assign (20, 1);
  SrtpProtector p;
  ASSERT_TRUE (p.init_session_keys (SrtpSuite::AES_128_CM_HMAC_SHA1_80, keys, keys));
  Bytes packet (12 + 1044512, 0);
  packet[0] = 0x80;
  Out out = protect (p, packet, false);
  ASSERT_EQ (out.status, SrtpStatus::OK);
  ASSERT_EQ (out.data.size (), packet.size () + 10);
  EXPECT_EQ (to_hex (out.data.data () + 12, 48), "e03ead0935c95e80e166b16dd92b4eb4"
      "d23513162b02d0f72a43a2fe4a5f97ab" "41e95b3bb0a2e8dd477901e4fca894c0");
  EXPECT_EQ (to_hex (out.data.data () + packet.size () - 48, 48),
      "ec8cdf7398607cb0f2d21675ea9ea1e4" "362b7c3c6773516318a077d7fc5073ae"
      "6a2cc3787889374fbeb4c81b17ba6c44");
}

TEST (SrtpProtector, LibsrtpReferencePacket)
{
  /* libsrtp's own test driver's AES_CM_128_HMAC_SHA1_80 packet (RFC 3711 B.3's master key). */
  SrtpProtector p;
  ASSERT_TRUE (p.init (master (SrtpSuite::AES_128_CM_HMAC_SHA1_80,
              "e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6")));
  Out out = protect (p, hex ("800f1234decafbadcafebabe abababababababababababababababab"), false);
  ASSERT_EQ (out.status, SrtpStatus::OK);
  EXPECT_EQ (to_hex (out.data), "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402"
      "b78d6acc99ea179b8dbb");
}

TEST (SrtpProtector, Rfc7714Vectors)
{
  /* RFC 7714 16.1 / 16.2 (SRTP) and 17.1 (SRTCP, index 0x5d4) with the session key and salt
   * given as they are. */
  const Bytes rtp_in = hex ("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973"
      "20646976 69736120 696e2070 61727465 73207472 6573");
  const Bytes rtcp_in = hex ("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930"
      "4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef");
  struct {
    SrtpSuite suite;
    const char *key;
    const char *srtp;
    const char *srtcp;
  } cases[] = {
    { SrtpSuite::AEAD_AES_128_GCM, "000102030405060708090a0b0c0d0e0f",
      "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de"
      "3adf8833899d7f27beb16a9152cf765ee4390cce",
      "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b468630"
      "3ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4" },
    { SrtpSuite::AEAD_AES_256_GCM, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba6"
      "3799b87b7aa3db36dfffd6b0f9bb7878d7a76c13",
      "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61d"
      "e0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4" },
  };
  for (const auto & c : cases) {
    SCOPED_TRACE (srtp_suite_info (c.suite).short_name);
    SrtpSessionKeys keys;
    keys.cipher_key = hex (c.key);
    keys.salt = hex ("517569642070726f2071756f");
    SrtpProtector p;
    ASSERT_TRUE (p.init_session_keys (c.suite, keys, keys));
    EXPECT_EQ (p.rtp_overhead (), 16u);
    EXPECT_EQ (p.rtcp_overhead (), 20u);
    Out out = protect (p, rtp_in, false);
    ASSERT_EQ (out.status, SrtpStatus::OK);
    EXPECT_EQ (to_hex (out.data), c.srtp);
    /* SRTCP indices count from 1: the vector's is the 1492nd packet. */
    for (uint32_t i = 1; i < 0x5d4; i++)
      ASSERT_EQ (protect (p, rtcp_in, true).status, SrtpStatus::OK);
    out = protect (p, rtcp_in, true);
    ASSERT_EQ (out.status, SrtpStatus::OK);
    EXPECT_EQ (to_hex (out.data), c.srtcp);
  }
}

/* ---------------------------------------------------------------- against libsrtp */

/* The proof that counts: srtpenc (libsrtp, what every peer of ours decrypts with) and the
 * protector, under one key, give the same bytes for every packet of a run, refuse the same
 * packets, and agree on the rollover counter. */
TEST (SrtpProtector, SameBytesAsSrtpenc)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc (gstreamer1.0-plugins-bad)";
  const std::vector<Packet> run = a_run ();
  for (SrtpSuite suite : kAll) {
    SCOPED_TRACE (srtp_suite_info (suite).short_name);
    SrtpKey key;
    ASSERT_TRUE (srtp_key_generate (suite, 0, &key));
    SrtpProtector p;
    ASSERT_TRUE (p.init (key));
    GstElement *enc = gst_element_factory_make ("srtpenc", nullptr);
    srtp_key_configure_encoder (key, enc);
    GstHarness *h_rtp = gst_harness_new_with_element (enc, "rtp_sink_0", "rtp_src_0");
    GstHarness *h_rtcp = gst_harness_new_with_element (enc, "rtcp_sink_0", "rtcp_src_0");
    gst_harness_set_src_caps_str (h_rtp, "application/x-rtp");
    gst_harness_set_src_caps_str (h_rtcp, "application/x-rtcp");
    size_t refused = 0, rtcp_packets = 0;
    for (size_t i = 0; i < run.size (); i++) {
      SCOPED_TRACE ("packet " + std::to_string (i));
      const Packet & packet = run[i];
      GstHarness *h = packet.rtcp ? h_rtcp : h_rtp;
      GstFlowReturn flow = gst_harness_push (h, buffer_of (packet.data));
      Out ours = protect (p, packet.data, packet.rtcp);
      if (flow != GST_FLOW_OK) {
        EXPECT_NE (ours.status, SrtpStatus::OK) << "srtpenc refused, we did not";
        refused++;
        continue;
      }
      ASSERT_EQ (ours.status, SrtpStatus::OK) << srtp_status_text (ours.status);
      GstBuffer *theirs = gst_harness_pull (h);
      ASSERT_NE (theirs, nullptr);
      EXPECT_EQ (to_hex (ours.data), to_hex (bytes_of (theirs)));
      gst_buffer_unref (theirs);
      rtcp_packets += packet.rtcp;
    }
    EXPECT_EQ (refused, 2u);           // the duplicate and the one before the window
    EXPECT_GE (rtcp_packets, 12u);
    EXPECT_EQ (p.roc (0x11223344), 1u);
    EXPECT_EQ (p.roc (0xcafebabe), 0u);
    EXPECT_EQ (p.roc (0x1), 0u);
    EXPECT_EQ (srtpenc_roc (enc, 0x11223344), 1u);
    gst_harness_teardown (h_rtcp);
    gst_harness_teardown (h_rtp);
    gst_object_unref (enc);
  }
}

/* What a reader does with it: srtpdec keyed as a DESCRIBE keys it decrypts every packet. */
TEST (SrtpProtector, SrtpdecDecrypts)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpdec (gstreamer1.0-plugins-bad)";
  for (SrtpSuite suite : kAll) {
    SCOPED_TRACE (srtp_suite_info (suite).short_name);
    SrtpKey key;
    ASSERT_TRUE (srtp_key_generate (suite, 0, &key));
    SrtpProtector p;
    ASSERT_TRUE (p.init (key));
    const uint32_t ssrc = 0x5eed;
    GstHarness *dec = gst_harness_new_with_padnames ("srtpdec", "rtp_sink", "rtp_src");
    GstHarness *dec_rtcp = gst_harness_new_with_element (dec->element, "rtcp_sink", "rtcp_src");
    for (bool rtcp : { false, true }) {
      GstCaps *caps = gst_caps_new_simple (rtcp ? "application/x-srtcp" : "application/x-srtp",
          "ssrc", G_TYPE_UINT, ssrc, "media", G_TYPE_STRING, "video", "clock-rate", G_TYPE_INT,
          90000, "encoding-name", G_TYPE_STRING, "JPEG", "payload", G_TYPE_INT, 26, nullptr);
      srtp_key_to_structure (key, gst_caps_get_structure (caps, 0), true);
      gst_harness_set_src_caps (rtcp ? dec_rtcp : dec, caps);
    }
    uint16_t seq = 65530;
    for (int i = 0; i < 12; i++, seq++) {     // through the wrap
      SCOPED_TRACE ("packet " + std::to_string (i));
      Bytes clear = rtp (ssrc, seq, 1 + i * 100, i == 3 ? 1 : 0, i == 5, 2);
      Out secure = protect (p, clear, false);
      ASSERT_EQ (secure.status, SrtpStatus::OK);
      GstBuffer *back = gst_harness_push_and_pull (dec, buffer_of (secure.data));
      ASSERT_NE (back, nullptr);
      EXPECT_EQ (bytes_of (back), clear);
      gst_buffer_unref (back);
      if (i % 4 == 0) {
        Bytes report = rtcp_sr (ssrc, 3000u * i);
        secure = protect (p, report, true);
        ASSERT_EQ (secure.status, SrtpStatus::OK);
        back = gst_harness_push_and_pull (dec_rtcp, buffer_of (secure.data));
        ASSERT_NE (back, nullptr);
        EXPECT_EQ (bytes_of (back), report);
        gst_buffer_unref (back);
      }
    }
    EXPECT_EQ (p.roc (ssrc), 1u);
    gst_harness_teardown (dec_rtcp);
    gst_harness_teardown (dec);
  }
}

/* ---------------------------------------------------------------- refusals */

TEST (SrtpProtector, MalformedRefusedWithoutHarm)
{
  SrtpKey key;
  ASSERT_TRUE (srtp_key_generate (SrtpSuite::AES_128_CM_HMAC_SHA1_80, 0, &key));
  SrtpProtector p;
  Out none = protect (p, rtp (1, 1, 10), false);
  EXPECT_EQ (none.status, SrtpStatus::NO_KEY);
  EXPECT_EQ (protect (p, rtcp_sr (1, 1), true).status, SrtpStatus::NO_KEY);
  ASSERT_TRUE (p.init (key));

  Bytes good = rtp (1, 1, 10);
  for (size_t n = 0; n < 12; n++)      // truncated headers
    EXPECT_EQ (protect (p, Bytes (good.begin (), good.begin () + n), false).status,
        SrtpStatus::MALFORMED) << n;
  Bytes csrcs = rtp (1, 2, 0, 15);     // 15 CSRCs announced, 2 there
  csrcs.resize (12 + 8);
  EXPECT_EQ (protect (p, csrcs, false).status, SrtpStatus::MALFORMED);
  Bytes ext = rtp (1, 3, 0, 0, true, 4);   // extension of 4 words, 2 there
  ext.resize (12 + 4 + 8);
  EXPECT_EQ (protect (p, ext, false).status, SrtpStatus::MALFORMED);
  Bytes ext_head = rtp (1, 4, 0, 1, true, 0);   // the extension's own header cut
  ext_head.resize (12 + 4 + 2);
  EXPECT_EQ (protect (p, ext_head, false).status, SrtpStatus::MALFORMED);
  Bytes v1 = good;
  v1[0] = 0x40;
  EXPECT_EQ (protect (p, v1, false).status, SrtpStatus::MALFORMED);
  EXPECT_EQ (p.protect_rtp (nullptr, 40, nullptr, 0, nullptr), SrtpStatus::MALFORMED);

  Bytes report = rtcp_sr (1, 1);
  for (size_t n = 0; n < 8; n++)
    EXPECT_EQ (protect (p, Bytes (report.begin (), report.begin () + n), true).status,
        SrtpStatus::MALFORMED) << n;
  Bytes rtcp_v0 = report;
  rtcp_v0[0] = 0x01;
  EXPECT_EQ (protect (p, rtcp_v0, true).status, SrtpStatus::MALFORMED);

  /* No room for the tag: refused, nothing written past the output. */
  uint8_t small[64];
  size_t len = 0;
  EXPECT_EQ (p.protect_rtp (good.data (), good.size (), small, good.size () + 9, &len),
      SrtpStatus::NO_ROOM);
  EXPECT_EQ (p.protect_rtcp (report.data (), report.size (), small, report.size () + 13, &len),
      SrtpStatus::NO_ROOM);

  /* The refusals left no trace: the first good packet is index 1 of SSRC 1, its RTCP index 1. */
  Out first = protect (p, good, false);
  ASSERT_EQ (first.status, SrtpStatus::OK);
  EXPECT_EQ (first.data.size (), good.size () + 10);
  Out first_rtcp = protect (p, report, true);
  ASSERT_EQ (first_rtcp.status, SrtpStatus::OK);
  EXPECT_EQ (to_hex (first_rtcp.data.data () + report.size (), 4), "80000001");
  EXPECT_EQ (protect (p, good, false).status, SrtpStatus::REPLAYED);
  /* In place works too. */
  Bytes in_place = rtp (1, 5, 30);
  in_place.resize (in_place.size () + 10);
  ASSERT_EQ (p.protect_rtp (in_place.data (), in_place.size () - 10, in_place.data (),
          in_place.size (), &len), SrtpStatus::OK);
  EXPECT_EQ (len, in_place.size ());
  EXPECT_STRNE (srtp_status_text (SrtpStatus::REPLAYED), "");
}

TEST (SrtpProtector, IndexPerSsrcAndWindow)
{
  SrtpKey key;
  ASSERT_TRUE (srtp_key_generate (SrtpSuite::AEAD_AES_128_GCM, 0, &key));
  SrtpProtector p;
  ASSERT_TRUE (p.init (key));
  /* The same sequence number under two SSRCs: two indices, both fine. */
  EXPECT_EQ (protect (p, rtp (1, 100, 8), false).status, SrtpStatus::OK);
  EXPECT_EQ (protect (p, rtp (2, 100, 8), false).status, SrtpStatus::OK);
  EXPECT_EQ (protect (p, rtp (1, 100, 8), false).status, SrtpStatus::REPLAYED);
  /* Out of order inside the window: once each. */
  EXPECT_EQ (protect (p, rtp (1, 200, 8), false).status, SrtpStatus::OK);
  EXPECT_EQ (protect (p, rtp (1, 150, 8), false).status, SrtpStatus::OK);
  EXPECT_EQ (protect (p, rtp (1, 150, 8), false).status, SrtpStatus::REPLAYED);
  EXPECT_EQ (protect (p, rtp (1, 72, 8), false).status, SrtpStatus::TOO_OLD);
  /* Wraps: ROC 1, then 2. */
  uint16_t seq = 1200;
  for (int i = 0; i < 3 * 65536 / 1000; i++, seq = static_cast<uint16_t> (seq + 1000))
    ASSERT_EQ (protect (p, rtp (1, seq, 8), false).status, SrtpStatus::OK) << i;
  EXPECT_EQ (p.roc (1), 2u);
  EXPECT_EQ (p.roc (2), 0u);
  /* A fresh key forgets every index. */
  ASSERT_TRUE (p.init (key));
  EXPECT_EQ (p.roc (1), 0u);
  EXPECT_EQ (protect (p, rtp (1, 100, 8), false).status, SrtpStatus::OK);

  /* A table of SSRCs without end is refused past kMaxSources. */
  for (uint32_t ssrc = 10; ssrc < 10 + SrtpProtector::kMaxSources; ssrc++)
    protect (p, rtp (ssrc, 1, 0), false);
  EXPECT_EQ (protect (p, rtp (0xffffff, 1, 0), false).status, SrtpStatus::TOO_MANY_SOURCES);
  EXPECT_EQ (protect (p, rtp (1, 101, 8), false).status, SrtpStatus::OK);
}
