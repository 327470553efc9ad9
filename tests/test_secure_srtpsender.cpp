/* Unit tests of meet::SrtpSender (plugins/meet/rtsp/server/srtpsender.h): one key per stream, its
 * encoder and the rollover counter it reports, and the SDP a secure client gets, read back by a
 * client into the key that decrypts what the encoder sent. */
#include "srtpmikey.h"
#include "srtppacketencoder.h"
#include "srtpsender.h"

#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gtest/gtest.h>

#include "srtp_test_helpers.h"

#include <cstring>

using namespace meet;
using meet_test::rtp_packet;

namespace {

const char *kSdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=meetstream\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
    "a=control:*\r\n"
    "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n"
    "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 L16/48000/1\r\na=control:stream=1\r\n";

}  // namespace

TEST (SrtpSender, KeyPerStream)
{
  SrtpSender a, b;
  ASSERT_TRUE (a.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  ASSERT_TRUE (b.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  EXPECT_TRUE (srtp_key_valid (a.key ()));
  EXPECT_NE (a.key ().key_salt, b.key ().key_salt);
  MikeyKeys keys;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_keymgmt (a.keymgmt (1234, 5), &keys, &error)) << error;
  EXPECT_EQ (keys.key_salt, a.key ().key_salt);
  EXPECT_EQ (keys.sessions.at (0).ssrc, 1234u);
  EXPECT_EQ (keys.sessions.at (0).roc, 5u);
}

TEST (SrtpSender, SavpSdp)
{
  SrtpSender video, audio;
  ASSERT_TRUE (video.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  ASSERT_TRUE (audio.init (SrtpSuite::AEAD_AES_256_GCM));
  std::string sdp = sdp_to_savp (kSdp, {video.keymgmt (1, 0), audio.keymgmt (2, 0)});
  ASSERT_FALSE (sdp.empty ());
  EXPECT_NE (sdp.find ("m=video 0 RTP/SAVP 26"), std::string::npos) << sdp;
  EXPECT_NE (sdp.find ("m=audio 0 RTP/SAVP 97"), std::string::npos) << sdp;
  EXPECT_EQ (sdp.find ("RTP/AVP "), std::string::npos) << sdp;
  EXPECT_NE (sdp.find ("a=control:stream=1"), std::string::npos) << sdp;
  GstSDPMessage *msg;
  gst_sdp_message_new (&msg);
  ASSERT_EQ (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
      static_cast<guint> (sdp.size ()), msg), GST_SDP_OK);
  MikeyKeys keys;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_sdp_media (msg, gst_sdp_message_get_media (msg, 1), &keys, &error))
      << error;
  EXPECT_EQ (keys.suite, SrtpSuite::AEAD_AES_256_GCM);
  EXPECT_EQ (keys.key_salt, audio.key ().key_salt);
  gst_sdp_message_free (msg);

  /* Missing keys leave the media as it was; garbage gives nothing. */
  std::string partial = sdp_to_savp (kSdp, {video.keymgmt (1, 0)});
  EXPECT_NE (partial.find ("m=audio 0 RTP/AVP 97"), std::string::npos) << partial;
  EXPECT_EQ (sdp_to_savp ("garbage", {}), "");
  EXPECT_EQ (sdp_to_savp ("", {}), "");
}

/* The stream's encoder (SrtpPacketEncoder), the ROC it reports, and a client decrypting with
 * the key from the SDP. */
TEST (SrtpSender, EncoderToClient)
{
  GstElementFactory *f = gst_element_factory_find ("srtpdec");
  if (!f)
    GTEST_SKIP () << "no srtpdec";
  gst_object_unref (f);
  SrtpPacketEncoder enc;
  ASSERT_TRUE (enc.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  MikeyKeys keys;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_keymgmt (enc.keymgmt (99), &keys, &error)) << error;
  EXPECT_EQ (keys.key_for (99).roc, 0u);
  std::vector<GstBuffer *> out;
  for (uint16_t seq = 65530; seq != 5; seq++) {  // wraps: the ROC goes to 1
    GstBuffer *clear = rtp_packet (99, seq);
    out.push_back (enc.protect_one (clear, false));
    gst_buffer_unref (clear);
    ASSERT_NE (out.back (), nullptr);
  }

  /* A client joining now reads the key and ROC from the SDP. */
  std::string sdp = sdp_to_savp (kSdp, {enc.keymgmt (99)});
  GstSDPMessage *msg;
  gst_sdp_message_new (&msg);
  gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
      static_cast<guint> (sdp.size ()), msg);
  ASSERT_TRUE (mikey_keys_from_sdp_media (msg, gst_sdp_message_get_media (msg, 0), &keys, &error))
      << error;
  gst_sdp_message_free (msg);
  SrtpKey key = keys.key_for (99);
  EXPECT_EQ (key.roc, 1u);
  GstHarness *dec = gst_harness_new_with_padnames ("srtpdec", "rtp_sink", "rtp_src");
  GstCaps *caps = gst_caps_from_string ("application/x-srtp,media=video,payload=26,"
      "clock-rate=90000,encoding-name=JPEG,ssrc=(uint)99");
  srtp_key_to_structure (key, gst_caps_get_structure (caps, 0), true);
  gst_harness_set_src_caps (dec, caps);
  /* The packets after the wrap (ROC 1) decrypt. */
  for (size_t i = 6; i < out.size (); i++) {
    GstBuffer *clear = gst_harness_push_and_pull (dec, gst_buffer_copy_deep (out[i]));
    ASSERT_NE (clear, nullptr) << i;
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    ASSERT_TRUE (gst_rtp_buffer_map (clear, GST_MAP_READ, &rtp));
    EXPECT_EQ (memcmp (gst_rtp_buffer_get_payload (&rtp), "frame!!!", 8), 0);
    gst_rtp_buffer_unmap (&rtp);
    gst_buffer_unref (clear);
  }
  for (GstBuffer *b : out)
    gst_buffer_unref (b);
  gst_harness_teardown (dec);
}
