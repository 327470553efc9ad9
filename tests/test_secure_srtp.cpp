/* Unit tests of meet::SrtpSuite / SrtpKey (plugins/meet/rtsp/common/srtpkeys.h): the suite table,
 * random keys, the caps srtpdec takes, and a packet through a real srtpenc and srtpdec with them. */
#include "srtpkeys.h"

#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"
#include "srtp_test_helpers.h"

#include <cstring>
#include <set>

using namespace meet;
using meet_test::have_srtp;

namespace {

const SrtpSuite kAll[] = {SrtpSuite::AES_128_CM_HMAC_SHA1_80, SrtpSuite::AES_256_CM_HMAC_SHA1_80,
                          SrtpSuite::AEAD_AES_128_GCM, SrtpSuite::AEAD_AES_256_GCM};

GstBuffer *
rtp_packet (uint32_t ssrc, uint16_t seq, const char * payload)
{
  size_t len = strlen (payload);
  GstBuffer *buf = gst_rtp_buffer_new_allocate (static_cast<guint> (len), 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_ssrc (&rtp, ssrc);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_payload_type (&rtp, 96);
  gst_rtp_buffer_set_timestamp (&rtp, 1000u * seq);
  memcpy (gst_rtp_buffer_get_payload (&rtp), payload, len);
  gst_rtp_buffer_unmap (&rtp);
  return buf;
}

std::string
payload_of (GstBuffer * buf)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return "";
  std::string s (static_cast<const char *> (gst_rtp_buffer_get_payload (&rtp)),
      gst_rtp_buffer_get_payload_len (&rtp));
  gst_rtp_buffer_unmap (&rtp);
  return s;
}

/* srtpenc refuses to leave NULL without a key: configured before the harness starts it. */
GstHarness *
encoder_harness (const SrtpKey & key)
{
  GstElement *enc = gst_element_factory_make ("srtpenc", nullptr);
  srtp_key_configure_encoder (key, enc);
  GstHarness *h = gst_harness_new_with_element (enc, "rtp_sink_0", "rtp_src_0");
  gst_object_unref (enc);
  return h;
}

}  // namespace

TEST (SrtpSuites, LengthsAndNicks)
{
  const SrtpSuiteInfo & cm128 = srtp_suite_info (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  EXPECT_EQ (cm128.key_len + cm128.salt_len, 30u);
  EXPECT_STREQ (cm128.cipher, "aes-128-icm");
  EXPECT_STREQ (cm128.auth, "hmac-sha1-80");
  EXPECT_EQ (srtp_suite_info (SrtpSuite::AES_256_CM_HMAC_SHA1_80).key_len
      + srtp_suite_info (SrtpSuite::AES_256_CM_HMAC_SHA1_80).salt_len, 46u);
  EXPECT_EQ (srtp_suite_info (SrtpSuite::AEAD_AES_128_GCM).key_len
      + srtp_suite_info (SrtpSuite::AEAD_AES_128_GCM).salt_len, 28u);
  const SrtpSuiteInfo & gcm256 = srtp_suite_info (SrtpSuite::AEAD_AES_256_GCM);
  EXPECT_EQ (gcm256.key_len + gcm256.salt_len, 44u);
  EXPECT_STREQ (gcm256.auth, "null");
  EXPECT_TRUE (gcm256.aead);
  EXPECT_EQ (srtp_suites ().front ().suite, SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  EXPECT_EQ (srtp_suite_names (), "aes-128-icm, aes-256-icm, aes-128-gcm, aes-256-gcm");
}

TEST (SrtpSuites, NamesParse)
{
  SrtpSuite s;
  ASSERT_TRUE (srtp_suite_from_name ("aes-128-icm", &s));
  EXPECT_EQ (s, SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  ASSERT_TRUE (srtp_suite_from_name ("AES_CM_128_HMAC_SHA1_80", &s));
  EXPECT_EQ (s, SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  ASSERT_TRUE (srtp_suite_from_name ("AES-256-ICM", &s));
  EXPECT_EQ (s, SrtpSuite::AES_256_CM_HMAC_SHA1_80);
  ASSERT_TRUE (srtp_suite_from_name ("aead_aes_128_gcm", &s));
  EXPECT_EQ (s, SrtpSuite::AEAD_AES_128_GCM);
  ASSERT_TRUE (srtp_suite_from_name ("aes-256-gcm", &s));
  EXPECT_EQ (s, SrtpSuite::AEAD_AES_256_GCM);
  EXPECT_FALSE (srtp_suite_from_name ("", &s));
  EXPECT_FALSE (srtp_suite_from_name ("null", &s));
  EXPECT_FALSE (srtp_suite_from_name ("AES_CM_128_HMAC_SHA1_32", &s));

  ASSERT_TRUE (srtp_suite_from_nicks ("aes-128-gcm", "null", &s));
  EXPECT_EQ (s, SrtpSuite::AEAD_AES_128_GCM);
  EXPECT_FALSE (srtp_suite_from_nicks ("aes-128-icm", "null", &s));      // no authentication
  EXPECT_FALSE (srtp_suite_from_nicks ("aes-128-icm", "hmac-sha1-32", &s));
  EXPECT_FALSE (srtp_suite_from_nicks ("null", "hmac-sha1-80", &s));
  EXPECT_FALSE (srtp_suite_from_nicks ("aes-128-gcm", "hmac-sha1-80", &s));
}

TEST (SrtpKeys, RandomPerStream)
{
  std::set<std::vector<uint8_t>> seen;
  for (SrtpSuite suite : kAll) {
    for (uint32_t ssrc = 1; ssrc <= 8; ssrc++) {
      SrtpKey key;
      ASSERT_TRUE (srtp_key_generate (suite, ssrc, &key));
      EXPECT_TRUE (srtp_key_valid (key));
      EXPECT_EQ (key.ssrc, ssrc);
      EXPECT_EQ (key.roc, 0u);
      EXPECT_TRUE (seen.insert (key.key_salt).second) << "a key came out twice";
    }
  }
  SrtpKey bad;
  bad.key_salt.assign (29, 1);
  EXPECT_FALSE (srtp_key_valid (bad));
  std::vector<uint8_t> none;
  EXPECT_TRUE (secure_random_bytes (0, &none));
  EXPECT_TRUE (none.empty ());
}

TEST (SrtpKeys, StructureRoundTrip)
{
  for (SrtpSuite suite : kAll) {
    SrtpKey key;
    ASSERT_TRUE (srtp_key_generate (suite, 0x11223344, &key));
    key.roc = 7;
    GstStructure *s = gst_structure_new ("application/x-srtp", "ssrc", G_TYPE_UINT, key.ssrc,
        nullptr);
    srtp_key_to_structure (key, s, true);
    EXPECT_STREQ (gst_structure_get_string (s, "srtp-cipher"), srtp_suite_info (suite).cipher);
    EXPECT_STREQ (gst_structure_get_string (s, "srtcp-auth"), srtp_suite_info (suite).auth);
    SrtpKey back;
    std::string error;
    ASSERT_TRUE (srtp_key_from_structure (s, &back, &error)) << error;
    EXPECT_EQ (back.suite, suite);
    EXPECT_EQ (back.key_salt, key.key_salt);
    EXPECT_EQ (back.ssrc, key.ssrc);
    EXPECT_EQ (back.roc, 7u);
    gst_structure_free (s);
  }
}

TEST (SrtpKeys, StructureErrors)
{
  std::string error;
  SrtpKey key;
  GstStructure *s = gst_structure_new_empty ("application/x-srtp");
  EXPECT_FALSE (srtp_key_from_structure (s, &key, &error));
  EXPECT_NE (error.find ("srtp-cipher"), std::string::npos) << error;

  gst_structure_set (s, "srtp-cipher", G_TYPE_STRING, "aes-128-icm", "srtp-auth", G_TYPE_STRING,
      "hmac-sha1-32", nullptr);
  EXPECT_FALSE (srtp_key_from_structure (s, &key, &error));
  EXPECT_NE (error.find ("unsupported SRTP suite"), std::string::npos) << error;

  gst_structure_set (s, "srtp-auth", G_TYPE_STRING, "hmac-sha1-80", nullptr);
  EXPECT_FALSE (srtp_key_from_structure (s, &key, &error));
  EXPECT_NE (error.find ("no srtp-key"), std::string::npos) << error;

  GstBuffer *short_key = gst_buffer_new_allocate (nullptr, 16, nullptr);
  gst_structure_set (s, "srtp-key", GST_TYPE_BUFFER, short_key, nullptr);
  gst_buffer_unref (short_key);
  EXPECT_FALSE (srtp_key_from_structure (s, &key, &error));
  EXPECT_NE (error.find ("16 bytes"), std::string::npos) << error;

  GstBuffer *good = gst_buffer_new_allocate (nullptr, 30, nullptr);
  gst_buffer_memset (good, 0, 7, 30);
  gst_structure_set (s, "srtp-key", GST_TYPE_BUFFER, good, "srtcp-cipher", G_TYPE_STRING,
      "aes-256-icm", nullptr);
  gst_buffer_unref (good);
  EXPECT_FALSE (srtp_key_from_structure (s, &key, &error));
  EXPECT_NE (error.find ("SRTCP"), std::string::npos) << error;

  gst_structure_set (s, "srtcp-cipher", G_TYPE_STRING, "aes-128-icm", nullptr);
  EXPECT_TRUE (srtp_key_from_structure (s, &key, &error)) << error;
  gst_structure_free (s);
}

/* The key and suite as set on srtpenc and as handed to srtpdec in caps decrypt what was
 * encrypted; a flipped bit, a replayed packet and another key's packet are dropped. */
TEST (SrtpKeys, ThroughSrtpencAndSrtpdec)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc (gstreamer1.0-plugins-bad)";
  for (SrtpSuite suite : kAll) {
    SCOPED_TRACE (srtp_suite_info (suite).short_name);
    SrtpKey key;
    ASSERT_TRUE (srtp_key_generate (suite, 0xCAFE0001, &key));

    GstHarness *enc = encoder_harness (key);
    gst_harness_set_src_caps_str (enc, "application/x-rtp,media=video,payload=96,"
        "clock-rate=90000,encoding-name=JPEG,ssrc=(uint)3405643777");

    GstHarness *dec = gst_harness_new_with_padnames ("srtpdec", "rtp_sink", "rtp_src");
    GstCaps *caps = gst_caps_from_string ("application/x-srtp,media=video,payload=96,"
        "clock-rate=90000,encoding-name=JPEG,ssrc=(uint)3405643777");
    srtp_key_to_structure (key, gst_caps_get_structure (caps, 0));
    gst_harness_set_src_caps (dec, caps);

    std::vector<GstBuffer *> sent;
    for (uint16_t seq = 1; seq <= 3; seq++) {
      GstBuffer *out = gst_harness_push_and_pull (enc, rtp_packet (key.ssrc, seq, "hello, meeting"));
      ASSERT_NE (out, nullptr);
      /* Encrypted: the payload is not there in clear, and a tag was added. */
      EXPECT_GT (gst_buffer_get_size (out), 12u + 14u);
      GstMapInfo map;
      gst_buffer_map (out, &map, GST_MAP_READ);
      EXPECT_EQ (std::string (reinterpret_cast<const char *> (map.data), map.size).find ("hello"),
          std::string::npos);
      gst_buffer_unmap (out, &map);
      sent.push_back (out);
    }
    /* In order: all decrypt. */
    for (GstBuffer *b : sent) {
      GstBuffer *clear = gst_harness_push_and_pull (dec, gst_buffer_copy (b));
      ASSERT_NE (clear, nullptr);
      EXPECT_EQ (payload_of (clear), "hello, meeting");
      gst_buffer_unref (clear);
    }
    /* Replay of packet 2: dropped. */
    EXPECT_EQ (gst_harness_push (dec, gst_buffer_copy (sent[1])), GST_FLOW_OK);
    EXPECT_EQ (gst_harness_try_pull (dec), nullptr);
    /* A flipped bit in a new packet: dropped. */
    GstBuffer *fresh = gst_harness_push_and_pull (enc, rtp_packet (key.ssrc, 4, "hello, meeting"));
    GstBuffer *tampered = gst_buffer_copy_deep (fresh);
    GstMapInfo map;
    gst_buffer_map (tampered, &map, GST_MAP_WRITE);
    map.data[20] ^= 0x01;
    gst_buffer_unmap (tampered, &map);
    EXPECT_EQ (gst_harness_push (dec, tampered), GST_FLOW_OK);
    EXPECT_EQ (gst_harness_try_pull (dec), nullptr);
    /* The genuine one still gets through after the forgery. */
    GstBuffer *clear = gst_harness_push_and_pull (dec, fresh);
    ASSERT_NE (clear, nullptr);
    EXPECT_EQ (payload_of (clear), "hello, meeting");
    gst_buffer_unref (clear);

    for (GstBuffer *b : sent)
      gst_buffer_unref (b);
    gst_harness_teardown (enc);
    gst_harness_teardown (dec);
  }
}

TEST (SrtpKeys, WrongKeyDropped)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc (gstreamer1.0-plugins-bad)";
  SrtpKey key, other;
  ASSERT_TRUE (srtp_key_generate (SrtpSuite::AES_128_CM_HMAC_SHA1_80, 42, &key));
  ASSERT_TRUE (srtp_key_generate (SrtpSuite::AES_128_CM_HMAC_SHA1_80, 42, &other));
  GstHarness *enc = encoder_harness (key);
  gst_harness_set_src_caps_str (enc, "application/x-rtp,payload=96,clock-rate=90000,ssrc=(uint)42");
  GstHarness *dec = gst_harness_new_with_padnames ("srtpdec", "rtp_sink", "rtp_src");
  GstCaps *caps = gst_caps_from_string ("application/x-srtp,payload=96,clock-rate=90000,ssrc=(uint)42");
  srtp_key_to_structure (other, gst_caps_get_structure (caps, 0));
  gst_harness_set_src_caps (dec, caps);
  for (uint16_t seq = 1; seq <= 3; seq++) {
    GstBuffer *out = gst_harness_push_and_pull (enc, rtp_packet (42, seq, "secret"));
    ASSERT_NE (out, nullptr);
    gst_harness_push (dec, out);
    EXPECT_EQ (gst_harness_try_pull (dec), nullptr);
  }
  gst_harness_teardown (enc);
  gst_harness_teardown (dec);
}
