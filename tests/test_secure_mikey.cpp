/* Unit tests of MIKEY for SRTP (plugins/meet/rtsp/common/srtpmikey.h): our a=key-mgmt round trips
 * for every suite, reads as GStreamer's rtspsrc reads it (gst_mikey_message_to_caps), what
 * gst-rtsp-server sends (gst_mikey_message_new_from_caps) reads back, and bad input is refused
 * with a reason, never a crash. */
#include "srtpmikey.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace meet;

namespace {

const SrtpSuite kAll[] = {SrtpSuite::AES_128_CM_HMAC_SHA1_80, SrtpSuite::AES_256_CM_HMAC_SHA1_80,
                          SrtpSuite::AEAD_AES_128_GCM, SrtpSuite::AEAD_AES_256_GCM};

SrtpKey
make_key (SrtpSuite suite, uint32_t ssrc = 0x01020304, uint32_t roc = 0)
{
  SrtpKey key;
  EXPECT_TRUE (srtp_key_generate (suite, ssrc, &key));
  key.roc = roc;
  return key;
}

std::string
encode (GstMIKEYMessage * msg)
{
  gchar *b64 = gst_mikey_message_base64_encode (msg);
  std::string s = std::string ("mikey ") + b64;
  g_free (b64);
  gst_mikey_message_unref (msg);
  return s;
}

/* Our message for @key with its SP parameters replaced by @params (type, value). */
std::string
with_policy (const SrtpKey & key, std::vector<std::pair<guint8, guint8>> params)
{
  GstMIKEYMessage *msg = gst_mikey_message_new ();
  gst_mikey_message_set_info (msg, GST_MIKEY_VERSION, GST_MIKEY_TYPE_PSK_INIT, FALSE,
      GST_MIKEY_PRF_MIKEY_1, 1, GST_MIKEY_MAP_TYPE_SRTP);
  gst_mikey_message_add_cs_srtp (msg, 0, key.ssrc, key.roc);
  gst_mikey_message_add_t_now_ntp_utc (msg);
  GstMIKEYPayload *sp = gst_mikey_payload_new (GST_MIKEY_PT_SP);
  gst_mikey_payload_sp_set (sp, 0, GST_MIKEY_SEC_PROTO_SRTP);
  for (auto & p : params)
    gst_mikey_payload_sp_add_param (sp, p.first, 1, &p.second);
  gst_mikey_message_add_payload (msg, sp);
  GstMIKEYPayload *kemac = gst_mikey_payload_new (GST_MIKEY_PT_KEMAC);
  gst_mikey_payload_kemac_set (kemac, GST_MIKEY_ENC_NULL, GST_MIKEY_MAC_NULL);
  GstMIKEYPayload *kd = gst_mikey_payload_new (GST_MIKEY_PT_KEY_DATA);
  gst_mikey_payload_key_data_set_key (kd, GST_MIKEY_KD_TEK,
      static_cast<guint16> (key.key_salt.size ()), key.key_salt.data ());
  gst_mikey_payload_kemac_add_sub (kemac, kd);
  gst_mikey_message_add_payload (msg, kemac);
  return encode (msg);
}

std::string
refused (const std::string & value)
{
  MikeyKeys keys;
  std::string error;
  EXPECT_FALSE (mikey_keys_from_keymgmt (value, &keys, &error)) << value;
  EXPECT_FALSE (error.empty ());
  return error;
}

}  // namespace

TEST (Mikey, RoundTripEverySuite)
{
  for (SrtpSuite suite : kAll) {
    SCOPED_TRACE (srtp_suite_info (suite).short_name);
    SrtpKey key = make_key (suite, 0xDEADBEEF, 3);
    std::string value = mikey_keymgmt_value (key);
    ASSERT_EQ (value.compare (0, 6, "mikey "), 0) << value;
    MikeyKeys keys;
    std::string error;
    ASSERT_TRUE (mikey_keys_from_keymgmt (value, &keys, &error)) << error;
    EXPECT_EQ (keys.suite, suite);
    EXPECT_EQ (keys.key_salt, key.key_salt);
    ASSERT_EQ (keys.sessions.size (), 1u);
    EXPECT_EQ (keys.sessions[0].ssrc, 0xDEADBEEFu);
    EXPECT_EQ (keys.sessions[0].roc, 3u);
    SrtpKey back = keys.key_for (0xDEADBEEF);
    EXPECT_EQ (back.roc, 3u);
    EXPECT_EQ (back.key_salt, key.key_salt);
    EXPECT_EQ (keys.key_for (5).roc, 0u);
  }
}

TEST (Mikey, SeveralSsrcsOneKey)
{
  MikeyKeys keys;
  keys.suite = SrtpSuite::AES_256_CM_HMAC_SHA1_80;
  ASSERT_TRUE (secure_random_bytes (46, &keys.key_salt));
  keys.sessions = {{1, 0}, {2, 9}, {3, 1}};
  MikeyKeys back;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_keymgmt (mikey_keymgmt_value (keys), &back, &error)) << error;
  ASSERT_EQ (back.sessions.size (), 3u);
  EXPECT_EQ (back.sessions[1].ssrc, 2u);
  EXPECT_EQ (back.sessions[1].roc, 9u);
  EXPECT_EQ (back.key_salt, keys.key_salt);
}

TEST (Mikey, InvalidKeyBuildsNothing)
{
  SrtpKey key;
  key.key_salt.assign (10, 0);
  EXPECT_EQ (mikey_keymgmt_value (key), "");
  EXPECT_EQ (mikey_message_new_for_key (key), nullptr);
}

/* GStreamer's rtspsrc turns a=key-mgmt into srtpdec caps with gst_mikey_message_to_caps. */
TEST (Mikey, ReadByGstreamer)
{
  for (SrtpSuite suite : {SrtpSuite::AES_128_CM_HMAC_SHA1_80, SrtpSuite::AES_256_CM_HMAC_SHA1_80}) {
    SCOPED_TRACE (srtp_suite_info (suite).short_name);
    SrtpKey key = make_key (suite);
    GstMIKEYMessage *msg = mikey_message_new_for_key (key);
    ASSERT_NE (msg, nullptr);
    GstCaps *caps = gst_caps_new_empty_simple ("application/x-srtp");
    ASSERT_TRUE (gst_mikey_message_to_caps (msg, caps));
    SrtpKey read;
    std::string error;
    ASSERT_TRUE (srtp_key_from_structure (gst_caps_get_structure (caps, 0), &read, &error)) << error;
    EXPECT_EQ (read.suite, suite);
    EXPECT_EQ (read.key_salt, key.key_salt);
    gst_caps_unref (caps);
    gst_mikey_message_unref (msg);
  }
  /* The same through an SDP, as rtspsrc gets it. */
  SrtpKey key = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  std::string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"
      "m=video 0 RTP/SAVP 26\r\na=control:stream=0\r\na=key-mgmt:" + mikey_keymgmt_value (key)
      + "\r\n";
  GstSDPMessage *msg;
  gst_sdp_message_new (&msg);
  ASSERT_EQ (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
      static_cast<guint> (sdp.size ()), msg), GST_SDP_OK);
  GstMIKEYMessage *mikey = nullptr;
  /* (1.22 returns 1, not GST_SDP_OK, on success; rtspsrc looks at the message only.) */
  gst_sdp_media_parse_keymgmt (gst_sdp_message_get_media (msg, 0), &mikey);
  ASSERT_NE (mikey, nullptr);
  EXPECT_EQ (gst_mikey_message_get_n_cs (mikey), 1u);
  EXPECT_EQ (gst_mikey_message_get_cs_srtp (mikey, 0)->ssrc, key.ssrc);
  gst_mikey_message_unref (mikey);
  gst_sdp_message_free (msg);
}

/* What gst-rtsp-server (and rtspclientsink) send: gst_mikey_message_new_from_caps. */
TEST (Mikey, ReadsGstreamersMessages)
{
  SrtpKey key = make_key (SrtpSuite::AES_256_CM_HMAC_SHA1_80);
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-srtp");
  srtp_key_to_structure (key, gst_caps_get_structure (caps, 0));
  GstMIKEYMessage *msg = gst_mikey_message_new_from_caps (caps);
  ASSERT_NE (msg, nullptr);
  gst_mikey_message_add_cs_srtp (msg, 0, 777, 2);
  MikeyKeys keys;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_keymgmt (encode (msg), &keys, &error)) << error;
  EXPECT_EQ (keys.suite, SrtpSuite::AES_256_CM_HMAC_SHA1_80);
  EXPECT_EQ (keys.key_salt, key.key_salt);
  ASSERT_EQ (keys.sessions.size (), 1u);
  EXPECT_EQ (keys.sessions[0].ssrc, 777u);
  EXPECT_EQ (keys.sessions[0].roc, 2u);
  gst_caps_unref (caps);
}

TEST (Mikey, FromSdpMediaAndSession)
{
  SrtpKey a = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80, 10);
  SrtpKey b = make_key (SrtpSuite::AEAD_AES_128_GCM, 20);
  std::string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\na=key-mgmt:"
      + mikey_keymgmt_value (b) + "\r\n"
      "m=video 0 RTP/SAVP 26\r\na=key-mgmt:" + mikey_keymgmt_value (a) + "\r\n"
      "m=audio 0 RTP/SAVP 97\r\na=rtpmap:97 L16/48000/1\r\n";
  GstSDPMessage *msg;
  gst_sdp_message_new (&msg);
  ASSERT_EQ (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
      static_cast<guint> (sdp.size ()), msg), GST_SDP_OK);
  MikeyKeys keys;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_sdp_media (msg, gst_sdp_message_get_media (msg, 0), &keys, &error))
      << error;
  EXPECT_EQ (keys.key_salt, a.key_salt);
  ASSERT_TRUE (mikey_keys_from_sdp_media (msg, gst_sdp_message_get_media (msg, 1), &keys, &error))
      << error;
  EXPECT_EQ (keys.key_salt, b.key_salt);   // the session-level one
  EXPECT_EQ (keys.suite, SrtpSuite::AEAD_AES_128_GCM);
  EXPECT_FALSE (mikey_keys_from_sdp_media (nullptr, gst_sdp_message_get_media (msg, 1), &keys,
      &error));
  EXPECT_EQ (error, "no a=key-mgmt");
  gst_sdp_message_free (msg);
}

TEST (Mikey, ValueSyntaxRefused)
{
  EXPECT_EQ (refused (""), "empty a=key-mgmt");
  EXPECT_EQ (refused ("   "), "empty a=key-mgmt");
  EXPECT_NE (refused ("sdes AAAA").find ("not mikey"), std::string::npos);
  EXPECT_NE (refused ("mikey").find ("without data"), std::string::npos);
  EXPECT_NE (refused ("mikey    ").find ("without data"), std::string::npos);
  EXPECT_NE (refused ("mikey !!!!").find ("not base64"), std::string::npos);
  EXPECT_NE (refused ("mikey AAA").find ("not base64"), std::string::npos);       // length
  EXPECT_NE (refused ("mikey AA=A").find ("not base64"), std::string::npos);      // inner '='
  EXPECT_NE (refused ("mikey A===").find ("not base64"), std::string::npos);
  EXPECT_NE (refused ("mikey AAAA").find ("malformed"), std::string::npos);       // 3 bytes
  EXPECT_NE (refused ("mikey " + std::string (9000, 'A')).find ("bytes"), std::string::npos);
  /* Truncated messages: every prefix of a good one. */
  SrtpKey key = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  GstMIKEYMessage *msg = mikey_message_new_for_key (key);
  GBytes *bytes = gst_mikey_message_to_bytes (msg, nullptr, nullptr);
  gsize size;
  const guint8 *data = static_cast<const guint8 *> (g_bytes_get_data (bytes, &size));
  for (gsize n = 0; n < size; n++) {
    MikeyKeys keys;
    std::string error;
    EXPECT_FALSE (mikey_keys_from_data (data, n, &keys, &error)) << n;
  }
  MikeyKeys keys;
  std::string error;
  EXPECT_TRUE (mikey_keys_from_data (data, size, &keys, &error)) << error;
  EXPECT_FALSE (mikey_keys_from_data (nullptr, 0, &keys, &error));
  g_bytes_unref (bytes);
  gst_mikey_message_unref (msg);
}

TEST (Mikey, PolicyRefused)
{
  SrtpKey key = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  using P = std::vector<std::pair<guint8, guint8>>;
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_ENC_ALG, 0}})).find ("null cipher"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_ENC_ALG, 2}})).find ("unsupported"),
      std::string::npos);   // AES-F8
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_SRTP_ENC, 0}})).find ("encryption off"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_SRTCP_ENC, 0}})).find ("encryption off"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_AUTH_ALG, 0}})).find ("without HMAC"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_SRTP_AUTH, 0}})).find ("without HMAC"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_AUTH_KEY_LEN, 4}})).find ("SHA1-32"),
      std::string::npos);   // GStreamer's way of saying HMAC-SHA1-32
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_AUTH_TAG_LEN, 4}})).find ("SHA1-32"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_ENC_KEY_LEN, 24}})).find ("24"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_SALT_KEY_LEN, 12}})).find ("salt"),
      std::string::npos);
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_PRF, 3}})).find ("derivation"),
      std::string::npos);
  /* A 256-bit policy with a 128-bit key: the key is the wrong length. */
  EXPECT_NE (refused (with_policy (key, P {{GST_MIKEY_SP_SRTP_ENC_KEY_LEN, 32}})).find ("needs 46"),
      std::string::npos);
  /* GCM with the tag of another length. */
  SrtpKey gcm = make_key (SrtpSuite::AEAD_AES_128_GCM);
  EXPECT_NE (refused (with_policy (gcm, P {{GST_MIKEY_SP_SRTP_ENC_ALG, 6},
      {GST_MIKEY_SP_SRTP_AEAD_AUTH_TAG_LEN, 8}})).find ("tag"), std::string::npos);
  /* The defaults of RFC 3830 (AES-CM-128, HMAC-SHA1, 80-bit tag) when the policy says nothing. */
  MikeyKeys keys;
  std::string error;
  ASSERT_TRUE (mikey_keys_from_keymgmt (with_policy (key, P {}), &keys, &error)) << error;
  EXPECT_EQ (keys.suite, SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  /* RFC 3830's AUTH_KEY_LEN of 20 for HMAC-SHA-1, beside GStreamer's 10. */
  ASSERT_TRUE (mikey_keys_from_keymgmt (with_policy (key, P {{GST_MIKEY_SP_SRTP_AUTH_KEY_LEN, 20}}),
      &keys, &error)) << error;
  ASSERT_TRUE (mikey_keys_from_keymgmt (with_policy (key, P {{GST_MIKEY_SP_SRTP_AUTH_KEY_LEN, 10}}),
      &keys, &error)) << error;
}

TEST (Mikey, PayloadsRefused)
{
  SrtpKey key = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  /* No KEMAC. */
  {
    GstMIKEYMessage *msg = mikey_message_new_for_key (key);
    guint n = gst_mikey_message_get_n_payloads (msg);
    for (guint i = 0; i < n; i++)
      if (gst_mikey_message_get_payload (msg, i)->type == GST_MIKEY_PT_KEMAC) {
        gst_mikey_message_remove_payload (msg, i);
        break;
      }
    EXPECT_NE (refused (encode (msg)).find ("no KEMAC"), std::string::npos);
  }
  /* KEMAC without key data. */
  {
    GstMIKEYMessage *msg = gst_mikey_message_new ();
    gst_mikey_message_set_info (msg, GST_MIKEY_VERSION, GST_MIKEY_TYPE_PSK_INIT, FALSE,
        GST_MIKEY_PRF_MIKEY_1, 1, GST_MIKEY_MAP_TYPE_SRTP);
    gst_mikey_message_add_cs_srtp (msg, 0, 1, 0);
    GstMIKEYPayload *kemac = gst_mikey_payload_new (GST_MIKEY_PT_KEMAC);
    gst_mikey_payload_kemac_set (kemac, GST_MIKEY_ENC_NULL, GST_MIKEY_MAC_NULL);
    gst_mikey_message_add_payload (msg, kemac);
    EXPECT_NE (refused (encode (msg)).find ("without key data"), std::string::npos);
  }
  /* A key of the wrong length. */
  {
    SrtpKey short_key = key;
    short_key.key_salt.resize (20);
    MikeyKeys keys;
    keys.suite = SrtpSuite::AES_128_CM_HMAC_SHA1_80;
    keys.key_salt = short_key.key_salt;
    GstMIKEYMessage *msg = gst_mikey_message_new ();
    gst_mikey_message_set_info (msg, GST_MIKEY_VERSION, GST_MIKEY_TYPE_PSK_INIT, FALSE,
        GST_MIKEY_PRF_MIKEY_1, 1, GST_MIKEY_MAP_TYPE_SRTP);
    GstMIKEYPayload *kemac = gst_mikey_payload_new (GST_MIKEY_PT_KEMAC);
    gst_mikey_payload_kemac_set (kemac, GST_MIKEY_ENC_NULL, GST_MIKEY_MAC_NULL);
    GstMIKEYPayload *kd = gst_mikey_payload_new (GST_MIKEY_PT_KEY_DATA);
    gst_mikey_payload_key_data_set_key (kd, GST_MIKEY_KD_TEK, 20, short_key.key_salt.data ());
    gst_mikey_payload_kemac_add_sub (kemac, kd);
    gst_mikey_message_add_payload (msg, kemac);
    EXPECT_NE (refused (encode (msg)).find ("key of 20 bytes"), std::string::npos);
  }
  /* Key and salt in separate fields (RFC 3830 allows it): accepted. */
  {
    GstMIKEYMessage *msg = gst_mikey_message_new ();
    gst_mikey_message_set_info (msg, GST_MIKEY_VERSION, GST_MIKEY_TYPE_PSK_INIT, FALSE,
        GST_MIKEY_PRF_MIKEY_1, 1, GST_MIKEY_MAP_TYPE_SRTP);
    GstMIKEYPayload *kemac = gst_mikey_payload_new (GST_MIKEY_PT_KEMAC);
    gst_mikey_payload_kemac_set (kemac, GST_MIKEY_ENC_NULL, GST_MIKEY_MAC_NULL);
    GstMIKEYPayload *kd = gst_mikey_payload_new (GST_MIKEY_PT_KEY_DATA);
    gst_mikey_payload_key_data_set_key (kd, GST_MIKEY_KD_TEK, 16, key.key_salt.data ());
    gst_mikey_payload_key_data_set_salt (kd, 14, key.key_salt.data () + 16);
    gst_mikey_payload_kemac_add_sub (kemac, kd);
    gst_mikey_message_add_payload (msg, kemac);
    MikeyKeys keys;
    std::string error;
    ASSERT_TRUE (mikey_keys_from_keymgmt (encode (msg), &keys, &error)) << error;
    EXPECT_EQ (keys.key_salt, key.key_salt);
    EXPECT_TRUE (keys.sessions.empty ());
  }
  /* Not a pre-shared-key init. */
  {
    GstMIKEYMessage *msg = mikey_message_new_for_key (key);
    msg->type = GST_MIKEY_TYPE_PSK_VERIFY;
    EXPECT_NE (refused (encode (msg)).find ("pre-shared-key init"), std::string::npos);
  }
  /* Crypto sessions under two policies. */
  {
    GstMIKEYMessage *msg = mikey_message_new_for_key (key);
    gst_mikey_message_add_cs_srtp (msg, 1, 99, 0);
    EXPECT_NE (refused (encode (msg)).find ("different policies"), std::string::npos);
  }
}

/* Payload types libgstsdp 1.22's parser loops forever on (it skips them without advancing):
 * refused before it sees them. Each input here hung gst_mikey_message_new_from_data. */
TEST (Mikey, LibraryHangsAvoided)
{
  SrtpKey key = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  GstMIKEYMessage *msg = mikey_message_new_for_key (key);
  GBytes *bytes = gst_mikey_message_to_bytes (msg, nullptr, nullptr);
  gsize size;
  const guint8 *data = static_cast<const guint8 *> (g_bytes_get_data (bytes, &size));
  std::vector<guint8> good (data, data + size);
  g_bytes_unref (bytes);
  gst_mikey_message_unref (msg);
  /* The header's next payload (byte 2) set to DH, SIGN, ID, CERT, CHASH, V, ERR, GEN_EXT and
   * numbers nobody assigned. */
  for (guint8 type : {3, 4, 6, 7, 8, 9, 12, 21, 13, 99, 200, 255}) {
    std::vector<guint8> m = good;
    m[2] = type;
    MikeyKeys keys;
    std::string error;
    EXPECT_FALSE (mikey_keys_from_data (m.data (), m.size (), &keys, &error)) << int (type);
    EXPECT_NE (error.find ("not supported"), std::string::npos) << error;
  }
  /* A public-key init: the library looks for an ID payload inside the KEMAC, forever. */
  std::vector<guint8> pk = good;
  pk[1] = GST_MIKEY_TYPE_PK_INIT;
  MikeyKeys keys;
  std::string error;
  EXPECT_FALSE (mikey_keys_from_data (pk.data (), pk.size (), &keys, &error));
  EXPECT_NE (error.find ("pre-shared-key init"), std::string::npos) << error;
}

/* Random bytes and bit flips of a good message: refused or read, never a crash (the fuzz target
 * fuzz/fuzz_mikey.cpp goes further). */
TEST (Mikey, MutationsNeverCrash)
{
  SrtpKey key = make_key (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
  GstMIKEYMessage *msg = mikey_message_new_for_key (key);
  GBytes *bytes = gst_mikey_message_to_bytes (msg, nullptr, nullptr);
  gsize size;
  const guint8 *data = static_cast<const guint8 *> (g_bytes_get_data (bytes, &size));
  std::vector<guint8> copy (data, data + size);
  GRand *rand = g_rand_new_with_seed (1234);
  for (int round = 0; round < 3000; round++) {
    std::vector<guint8> m = copy;
    int flips = g_rand_int_range (rand, 1, 4);
    for (int f = 0; f < flips; f++)
      m[g_rand_int_range (rand, 0, static_cast<gint32> (m.size ()))] ^=
          static_cast<guint8> (1u << g_rand_int_range (rand, 0, 8));
    MikeyKeys keys;
    std::string error;
    if (mikey_keys_from_data (m.data (), m.size (), &keys, &error)) {
      EXPECT_TRUE (srtp_key_valid (keys.key_for (0)));
    } else {
      EXPECT_FALSE (error.empty ());
    }
  }
  g_rand_free (rand);
  g_bytes_unref (bytes);
  gst_mikey_message_unref (msg);
}
