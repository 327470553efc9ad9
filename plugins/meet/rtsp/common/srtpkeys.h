/* meetstream: SRTP keying (RFC 3711, RFC 7714): the crypto suites meetstream offers, their master
 * keys and salts, and how they are handed to gst-plugins-bad's srtpenc/srtpdec.
 *
 * srtpenc takes the suite as properties (rtp-cipher, rtp-auth, rtcp-cipher, rtcp-auth) and the
 * master key and salt concatenated in one buffer (`key`); srtpdec asks for the same in caps
 * (srtp-cipher, srtp-auth, srtcp-cipher, srtcp-auth, srtp-key) through its request-key signal. A
 * stream's key is shared by RTP and RTCP (one crypto context per SSRC, as MIKEY hands it out).
 * Used by both sides: the server makes the keys, the client reads them back from MIKEY (mikey.h).
 */
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <string>
#include <vector>

namespace meet {

enum class SrtpSuite {
  AES_128_CM_HMAC_SHA1_80,   // RFC 3711's default; what every SRTP peer speaks
  AES_256_CM_HMAC_SHA1_80,   // RFC 6188
  AEAD_AES_128_GCM,          // RFC 7714: authenticated encryption, 16-byte tag
  AEAD_AES_256_GCM,
};

struct SrtpSuiteInfo {
  SrtpSuite suite;
  const char *name;          // RFC 4568 / RFC 7714 name, e.g. "AES_CM_128_HMAC_SHA1_80"
  const char *short_name;    // the property value meetstream documents, e.g. "aes-128-icm"
  const char *cipher;        // srtpenc/srtpdec cipher nick: "aes-128-icm", "aes-256-gcm"
  const char *auth;          // srtpenc/srtpdec auth nick: "hmac-sha1-80", "null" for AEAD
  size_t key_len;            // master key bytes
  size_t salt_len;           // master salt bytes (14 for AES-CM, 12 for GCM)
  bool aead;
};

/* The table entry of @suite. */
const SrtpSuiteInfo & srtp_suite_info (SrtpSuite suite);
/* Every suite, default first. */
const std::vector<SrtpSuiteInfo> & srtp_suites ();
/* Parses a suite from its short name ("aes-128-icm", "aes-256-icm", "aes-128-gcm", "aes-256-gcm"),
 * its RFC name ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_256_GCM", ...) or the srtpenc cipher nick,
 * case-insensitively. False for anything else. */
bool srtp_suite_from_name (const std::string & name, SrtpSuite * suite);
/* The suite of srtpdec/srtpenc cipher and auth nicks (as in caps); false for combinations that
 * are not one of meetstream's suites (null cipher, hmac-sha1-32, GCM with an HMAC). */
bool srtp_suite_from_nicks (const std::string & cipher, const std::string & auth, SrtpSuite * suite);
/* "aes-128-icm, aes-256-icm, aes-128-gcm, aes-256-gcm": for error messages and property blurbs. */
std::string srtp_suite_names ();

/* One stream's SRTP master key: what MIKEY carries for an SSRC. */
struct SrtpKey {
  SrtpSuite suite = SrtpSuite::AES_128_CM_HMAC_SHA1_80;
  std::vector<uint8_t> key_salt;   // master key || master salt, key_len + salt_len bytes
  uint32_t ssrc = 0;
  uint32_t roc = 0;                // rollover counter the sender is at (RFC 3711 3.3.1)
};

/* Fills @out with @size bytes from the kernel's CSPRNG (getrandom(2), /dev/urandom as fallback).
 * Not g_random_*: GLib's generator is a Mersenne Twister, predictable from its output. False
 * (and @out cleared) only if the system has no randomness to give. */
bool secure_random_bytes (size_t size, std::vector<uint8_t> * out);

/* A fresh random key for one stream. False only when secure_random_bytes fails. */
bool srtp_key_generate (SrtpSuite suite, uint32_t ssrc, SrtpKey * key);

/* True when the key's length fits its suite. */
bool srtp_key_valid (const SrtpKey & key);

/* The master key and salt as the GstBuffer srtpenc's `key` property and the srtp-key caps field
 * take (transfer full). */
GstBuffer * srtp_key_buffer (const SrtpKey & key);

/* Sets srtp-key, srtp-cipher, srtp-auth, srtcp-cipher, srtcp-auth (and roc when @with_roc) on
 * @s: the caps srtpdec's request-key signal answers with. */
void srtp_key_to_structure (const SrtpKey & key, GstStructure * s, bool with_roc = false);

/* Reads a key back from such a structure (srtp-key a GstBuffer of the suite's length, cipher and
 * auth nicks of one of our suites; ssrc and roc fields when present). On failure @error says
 * which field is missing or wrong. */
bool srtp_key_from_structure (const GstStructure * s, SrtpKey * key, std::string * error);

/* Sets srtpenc's rtp-cipher, rtp-auth, rtcp-cipher, rtcp-auth and key properties for @key. */
void srtp_key_configure_encoder (const SrtpKey & key, GstElement * srtpenc);

}  // namespace meet
