/* meetstream: SRTP crypto suites and master keys (see srtpkeys.h). */
#include "srtpkeys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>

namespace meet {

namespace {

const std::vector<SrtpSuiteInfo> kSuites = {
  {SrtpSuite::AES_128_CM_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", "aes-128-icm", "aes-128-icm",
   "hmac-sha1-80", 16, 14, false},
  {SrtpSuite::AES_256_CM_HMAC_SHA1_80, "AES_256_CM_HMAC_SHA1_80", "aes-256-icm", "aes-256-icm",
   "hmac-sha1-80", 32, 14, false},
  {SrtpSuite::AEAD_AES_128_GCM, "AEAD_AES_128_GCM", "aes-128-gcm", "aes-128-gcm", "null", 16, 12,
   true},
  {SrtpSuite::AEAD_AES_256_GCM, "AEAD_AES_256_GCM", "aes-256-gcm", "aes-256-gcm", "null", 32, 12,
   true},
};

bool
read_urandom (uint8_t * data, size_t size)
{
  int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  size_t done = 0;
  while (done < size) {
    ssize_t n = read (fd, data + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<size_t> (n);
  }
  close (fd);
  return done == size;
}

}  // namespace

const SrtpSuiteInfo &
srtp_suite_info (SrtpSuite suite)
{
  for (const SrtpSuiteInfo & info : kSuites)
    if (info.suite == suite)
      return info;
  return kSuites[0];
}

const std::vector<SrtpSuiteInfo> &
srtp_suites ()
{
  return kSuites;
}

bool
srtp_suite_from_name (const std::string & name, SrtpSuite * suite)
{
  for (const SrtpSuiteInfo & info : kSuites) {
    if (g_ascii_strcasecmp (name.c_str (), info.name) == 0
        || g_ascii_strcasecmp (name.c_str (), info.short_name) == 0
        || g_ascii_strcasecmp (name.c_str (), info.cipher) == 0) {
      *suite = info.suite;
      return true;
    }
  }
  return false;
}

bool
srtp_suite_from_nicks (const std::string & cipher, const std::string & auth, SrtpSuite * suite)
{
  for (const SrtpSuiteInfo & info : kSuites) {
    if (cipher == info.cipher && auth == info.auth) {
      *suite = info.suite;
      return true;
    }
  }
  return false;
}

std::string
srtp_suite_names ()
{
  std::string names;
  for (const SrtpSuiteInfo & info : kSuites)
    names += (names.empty () ? "" : ", ") + std::string (info.short_name);
  return names;
}

bool
secure_random_bytes (size_t size, std::vector<uint8_t> * out)
{
  out->assign (size, 0);
  size_t done = 0;
  while (done < size) {
    ssize_t n = getrandom (out->data () + done, size - done, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<size_t> (n);
  }
  if (done == size || read_urandom (out->data (), size))
    return true;
  out->clear ();
  return false;
}

bool
srtp_key_generate (SrtpSuite suite, uint32_t ssrc, SrtpKey * key)
{
  const SrtpSuiteInfo & info = srtp_suite_info (suite);
  key->suite = suite;
  key->ssrc = ssrc;
  key->roc = 0;
  return secure_random_bytes (info.key_len + info.salt_len, &key->key_salt);
}

bool
srtp_key_valid (const SrtpKey & key)
{
  const SrtpSuiteInfo & info = srtp_suite_info (key.suite);
  return key.key_salt.size () == info.key_len + info.salt_len;
}

GstBuffer *
srtp_key_buffer (const SrtpKey & key)
{
  return gst_buffer_new_memdup (key.key_salt.data (), key.key_salt.size ());
}

void
srtp_key_to_structure (const SrtpKey & key, GstStructure * s, bool with_roc)
{
  const SrtpSuiteInfo & info = srtp_suite_info (key.suite);
  GstBuffer *buffer = srtp_key_buffer (key);
  gst_structure_set (s, "srtp-key", GST_TYPE_BUFFER, buffer,
      "srtp-cipher", G_TYPE_STRING, info.cipher, "srtp-auth", G_TYPE_STRING, info.auth,
      "srtcp-cipher", G_TYPE_STRING, info.cipher, "srtcp-auth", G_TYPE_STRING, info.auth,
      nullptr);
  if (with_roc)
    gst_structure_set (s, "roc", G_TYPE_UINT, key.roc, nullptr);
  gst_buffer_unref (buffer);
}

bool
srtp_key_from_structure (const GstStructure * s, SrtpKey * key, std::string * error)
{
  const gchar *cipher = gst_structure_get_string (s, "srtp-cipher");
  const gchar *auth = gst_structure_get_string (s, "srtp-auth");
  if (!cipher || !auth) {
    *error = "no srtp-cipher/srtp-auth";
    return false;
  }
  SrtpSuite suite;
  if (!srtp_suite_from_nicks (cipher, auth, &suite)) {
    *error = std::string ("unsupported SRTP suite ") + cipher + " + " + auth + " (supported: "
        + srtp_suite_names () + ")";
    return false;
  }
  /* RTCP under another suite than RTP is legal SRTP but nothing meetstream offers. */
  const gchar *rtcp_cipher = gst_structure_get_string (s, "srtcp-cipher");
  const gchar *rtcp_auth = gst_structure_get_string (s, "srtcp-auth");
  if ((rtcp_cipher && g_strcmp0 (rtcp_cipher, cipher) != 0)
      || (rtcp_auth && g_strcmp0 (rtcp_auth, auth) != 0)) {
    *error = "SRTCP suite differs from SRTP's";
    return false;
  }
  const GValue *value = gst_structure_get_value (s, "srtp-key");
  if (!value || !GST_VALUE_HOLDS_BUFFER (value) || !gst_value_get_buffer (value)) {
    *error = "no srtp-key buffer";
    return false;
  }
  GstBuffer *buffer = gst_value_get_buffer (value);
  const SrtpSuiteInfo & info = srtp_suite_info (suite);
  gsize size = gst_buffer_get_size (buffer);
  if (size != info.key_len + info.salt_len) {
    *error = "srtp-key of " + std::to_string (size) + " bytes, " + info.short_name + " needs "
        + std::to_string (info.key_len + info.salt_len);
    return false;
  }
  SrtpKey out;
  out.suite = suite;
  out.key_salt.resize (size);
  gst_buffer_extract (buffer, 0, out.key_salt.data (), size);
  guint v;
  if (gst_structure_get_uint (s, "ssrc", &v))
    out.ssrc = v;
  if (gst_structure_get_uint (s, "roc", &v))
    out.roc = v;
  *key = std::move (out);
  return true;
}

void
srtp_key_configure_encoder (const SrtpKey & key, GstElement * srtpenc)
{
  const SrtpSuiteInfo & info = srtp_suite_info (key.suite);
  GObject *obj = G_OBJECT (srtpenc);
  gst_util_set_object_arg (obj, "rtp-cipher", info.cipher);
  gst_util_set_object_arg (obj, "rtp-auth", info.auth);
  gst_util_set_object_arg (obj, "rtcp-cipher", info.cipher);
  gst_util_set_object_arg (obj, "rtcp-auth", info.auth);
  GstBuffer *buffer = srtp_key_buffer (key);
  g_object_set (obj, "key", buffer, nullptr);
  gst_buffer_unref (buffer);
}

}  // namespace meet
