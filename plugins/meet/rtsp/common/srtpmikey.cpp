/* meetstream: MIKEY messages for SRTP keys (see srtpmikey.h). */
#include "srtpmikey.h"

#include <cstring>
#include <type_traits>

namespace meet {

namespace {

/* RFC 3830 6.10.1: SRTP policy values; RFC 7714 14.2 adds AES-GCM and its tag length. */
constexpr guint8 kEncNull = 0;
constexpr guint8 kEncAesCm = 1;
constexpr guint8 kEncAesGcm = 6;
constexpr guint8 kAuthNull = 0;
constexpr guint8 kAuthHmacSha1 = 1;
constexpr guint8 kHmacSha1KeyLen = 20;   // RFC 3830's "session auth. key length" of HMAC-SHA-1
constexpr guint8 kHmacSha1_80Tag = 10;   // 80 bits
constexpr guint8 kHmacSha1_32Tag = 4;
constexpr guint8 kGcmTagLen = 16;
constexpr guint8 kPolicy = 0;
/* A key-mgmt attribute larger than this is not one of ours nor any sane peer's. */
constexpr size_t kMaxKeymgmt = 8192;

void
add_param (GstMIKEYPayload * sp, guint8 type, guint8 value)
{
  gst_mikey_payload_sp_add_param (sp, type, 1, &value);
}

std::string
b64_value (GstMIKEYMessage * msg)
{
  if (!msg)
    return "";
  gchar *b64 = gst_mikey_message_base64_encode (msg);
  gst_mikey_message_unref (msg);
  if (!b64)
    return "";
  std::string value = std::string ("mikey ") + b64;
  g_free (b64);
  return value;
}

/* Strict RFC 4648 base64 (g_base64_decode skips characters outside the alphabet, so garbage
 * would decode to some bytes rather than fail). */
bool
base64_valid (const std::string & s)
{
  if (s.empty () || s.size () % 4 != 0)
    return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size (); i++) {
    char c = s[i];
    if (c == '=') {
      pad++;
      continue;
    }
    if (pad)
      return false;   // data after padding
    if (!g_ascii_isalnum (c) && c != '+' && c != '/')
      return false;
  }
  return pad <= 2;
}

struct Policy {
  guint8 enc_alg = kEncAesCm;
  int enc_key_len = -1;
  guint8 auth_alg = kAuthHmacSha1;
  int auth_key_len = -1;
  int salt_len = -1;
  int auth_tag_len = -1;
  int aead_tag_len = -1;
  int srtp_enc = 1, srtcp_enc = 1, srtp_auth = 1;
};

bool
read_policy (const GstMIKEYPayload * payload, Policy * policy, std::string * error)
{
  guint n = gst_mikey_payload_sp_get_n_params (payload);
  for (guint i = 0; i < n; i++) {
    const GstMIKEYPayloadSPParam *param = gst_mikey_payload_sp_get_param (payload, i);
    if (!param)
      continue;
    switch (param->type) {
      case GST_MIKEY_SP_SRTP_KEY_DERIV_RATE:   // 4 bytes; libsrtp derives the keys once
      case GST_MIKEY_SP_SRTP_FEC_ORDER:
      case GST_MIKEY_SP_SRTP_SRTP_PREFIX_LEN:
        continue;
      default:
        break;
    }
    if (param->type > GST_MIKEY_SP_SRTP_SRTP_PREFIX_LEN
        && param->type != GST_MIKEY_SP_SRTP_AEAD_AUTH_TAG_LEN)
      continue;   // not ours to judge
    /* Every parameter meetstream reads is one byte. */
    if (param->len != 1 || !param->val) {
      *error = "security policy parameter " + std::to_string (param->type) + " has "
          + std::to_string (param->len) + " bytes, not 1";
      return false;
    }
    guint8 v = param->val[0];
    switch (param->type) {
      case GST_MIKEY_SP_SRTP_ENC_ALG: policy->enc_alg = v; break;
      case GST_MIKEY_SP_SRTP_ENC_KEY_LEN: policy->enc_key_len = v; break;
      case GST_MIKEY_SP_SRTP_AUTH_ALG: policy->auth_alg = v; break;
      case GST_MIKEY_SP_SRTP_AUTH_KEY_LEN: policy->auth_key_len = v; break;
      case GST_MIKEY_SP_SRTP_SALT_KEY_LEN: policy->salt_len = v; break;
      case GST_MIKEY_SP_SRTP_SRTP_ENC: policy->srtp_enc = v; break;
      case GST_MIKEY_SP_SRTP_SRTCP_ENC: policy->srtcp_enc = v; break;
      case GST_MIKEY_SP_SRTP_SRTP_AUTH: policy->srtp_auth = v; break;
      case GST_MIKEY_SP_SRTP_AUTH_TAG_LEN: policy->auth_tag_len = v; break;
      case GST_MIKEY_SP_SRTP_AEAD_AUTH_TAG_LEN: policy->aead_tag_len = v; break;
      case GST_MIKEY_SP_SRTP_PRF:
        if (v != 0) {   // 0 = AES-CM, the only PRF of RFC 3711
          *error = "unknown SRTP key derivation function " + std::to_string (v);
          return false;
        }
        break;
      default:
        break;
    }
  }
  return true;
}

bool
suite_from_policy (const Policy & p, SrtpSuite * suite, std::string * error)
{
  if (p.srtp_enc == 0 || p.srtcp_enc == 0) {
    *error = "the policy switches encryption off";
    return false;
  }
  if (p.enc_alg == kEncNull) {
    *error = "the policy has the null cipher";
    return false;
  }
  int key_len = p.enc_key_len < 0 ? 16 : p.enc_key_len;
  if (key_len != 16 && key_len != 32) {
    *error = "encryption key length " + std::to_string (key_len) + " (16 or 32 bytes)";
    return false;
  }
  if (p.enc_alg == kEncAesCm) {
    if (p.auth_alg != kAuthHmacSha1 || p.srtp_auth == 0) {
      *error = "AES-CM without HMAC-SHA1 authentication";
      return false;
    }
    /* The tag length: RFC 3830 puts it in AUTH_TAG_LEN; GStreamer (gst-rtsp-server) writes it as
     * AUTH_KEY_LEN (4 or 10), the RFC's AUTH_KEY_LEN of HMAC-SHA-1 being 20. */
    int tag = p.auth_tag_len;
    if (tag < 0 && (p.auth_key_len == kHmacSha1_80Tag || p.auth_key_len == kHmacSha1_32Tag))
      tag = p.auth_key_len;
    if (tag < 0)
      tag = kHmacSha1_80Tag;
    if (tag == kHmacSha1_32Tag) {
      *error = "HMAC-SHA1-32 is not supported (HMAC-SHA1-80 only)";
      return false;
    }
    if (tag != kHmacSha1_80Tag) {
      *error = "authentication tag of " + std::to_string (tag) + " bytes";
      return false;
    }
    if (p.salt_len >= 0 && p.salt_len != 14) {
      *error = "salt of " + std::to_string (p.salt_len) + " bytes (AES-CM: 14)";
      return false;
    }
    *suite = key_len == 16 ? SrtpSuite::AES_128_CM_HMAC_SHA1_80 : SrtpSuite::AES_256_CM_HMAC_SHA1_80;
    return true;
  }
  if (p.enc_alg == kEncAesGcm) {
    if (p.aead_tag_len >= 0 && p.aead_tag_len != kGcmTagLen) {
      *error = "AES-GCM tag of " + std::to_string (p.aead_tag_len) + " bytes (16 only)";
      return false;
    }
    if (p.salt_len >= 0 && p.salt_len != 12) {
      *error = "salt of " + std::to_string (p.salt_len) + " bytes (AES-GCM: 12)";
      return false;
    }
    *suite = key_len == 16 ? SrtpSuite::AEAD_AES_128_GCM : SrtpSuite::AEAD_AES_256_GCM;
    return true;
  }
  *error = "unsupported encryption algorithm " + std::to_string (p.enc_alg)
      + " (AES-CM or AES-GCM)";
  return false;
}

/* The number in an enum field the library filled from the wire, read without loading it as the
 * enum: a value outside the enum's range (a proto of 2, an encryption algorithm of 200) is
 * undefined behaviour as an enum load (UBSan says so), fine as its underlying integer. */
template <typename E>
long
wire_value (const E & field)
{
  typename std::underlying_type<E>::type v;
  static_assert (sizeof (v) == sizeof (field), "enum size");
  memcpy (&v, &field, sizeof v);
  return static_cast<long> (v);
}

/* Big-endian 16 bits, byte by byte (GST_READ_UINT16_BE loads unaligned on x86, which UBSan
 * rightly reports). */
size_t
read_be16 (const guint8 * p)
{
  return (static_cast<size_t> (p[0]) << 8) | p[1];
}

/* Walks the payload chain of a MIKEY message (RFC 3830 6) before gst_mikey_message_new_from_data
 * sees it. Hand-written because libgstsdp 1.22's parser never returns on a next-payload type it
 * does not read (DH, SIGN, ID, CERT, CHASH, V, ERR, GEN_EXT or an unassigned number: its loop
 * does not advance), nor on a public-key init's KEMAC (it then expects an ID inside): one
 * crafted a=key-mgmt would hang the thread that reads the SDP. Only what meetstream accepts
 * passes: a pre-shared-key init of SRTP crypto sessions with T, RAND, SP, KEMAC (holding key
 * data), PKE and key-data payloads, each whole within the message. */
bool
payload_chain_ok (const guint8 * d, size_t size, guint8 next, bool inside_kemac, int depth,
    std::string * error)
{
  if (inside_kemac && size == 0)
    return true;   // an empty KEMAC: refused later for holding no key
  int count = 0;
  while (next != GST_MIKEY_PT_LAST) {
    if (++count > 64) {
      *error = "more than 64 MIKEY payloads";
      return false;
    }
    size_t len = 0;
    if (inside_kemac && next != GST_MIKEY_PT_KEY_DATA) {
      *error = "KEMAC holding payload " + std::to_string (next) + ", not key data";
      return false;
    }
    switch (next) {
      case GST_MIKEY_PT_KEMAC: {
        if (depth > 0 || size < 5) {
          *error = depth > 0 ? "KEMAC inside KEMAC" : "truncated KEMAC";
          return false;
        }
        size_t enc_len = read_be16 (d + 2);
        if (size < 5 + enc_len) {
          *error = "truncated KEMAC";
          return false;
        }
        guint8 mac_alg = d[4 + enc_len];
        size_t mac_len = mac_alg == GST_MIKEY_MAC_NULL ? 0
            : mac_alg == GST_MIKEY_MAC_HMAC_SHA_1_160 ? 20 : SIZE_MAX;
        if (mac_len == SIZE_MAX || size < 5 + enc_len + mac_len) {
          *error = mac_len == SIZE_MAX ? "KEMAC with an unknown MAC" : "truncated KEMAC";
          return false;
        }
        /* (The library reads the encrypted data as sub-payloads too.) */
        if (!payload_chain_ok (d + 4, enc_len, GST_MIKEY_PT_KEY_DATA, true, depth + 1, error))
          return false;
        len = 5 + enc_len + mac_len;
        break;
      }
      case GST_MIKEY_PT_T: {
        if (size < 2) {
          *error = "truncated timestamp";
          return false;
        }
        size_t ts = d[1] == GST_MIKEY_TS_TYPE_COUNTER ? 4
            : (d[1] == GST_MIKEY_TS_TYPE_NTP || d[1] == GST_MIKEY_TS_TYPE_NTP_UTC) ? 8 : 0;
        if (!ts) {
          *error = "unknown timestamp type " + std::to_string (d[1]);
          return false;
        }
        len = 2 + ts;
        break;
      }
      case GST_MIKEY_PT_PKE:
        if (size < 3) {
          *error = "truncated PKE";
          return false;
        }
        len = 3 + (read_be16 (d + 1) & 0x3fff);
        break;
      case GST_MIKEY_PT_SP: {
        if (size < 5) {
          *error = "truncated security policy";
          return false;
        }
        size_t plen = read_be16 (d + 3);
        if (size < 5 + plen) {
          *error = "truncated security policy";
          return false;
        }
        /* The parameters must fill the policy exactly (the library would read past it). */
        size_t at = 0;
        while (at < plen) {
          if (plen - at < 2 || plen - at < 2u + d[5 + at + 1]) {
            *error = "security policy parameters overrun the policy";
            return false;
          }
          at += 2u + d[5 + at + 1];
        }
        len = 5 + plen;
        break;
      }
      case GST_MIKEY_PT_RAND:
        if (size < 2) {
          *error = "truncated RAND";
          return false;
        }
        len = 2 + d[1];
        break;
      case GST_MIKEY_PT_KEY_DATA: {
        if (size < 4) {
          *error = "truncated key data";
          return false;
        }
        guint8 key_type = d[1] >> 4, kv = d[1] & 0xf;
        len = 4 + read_be16 (d + 2);
        if ((key_type & 1) && size >= len + 2)
          len += 2 + read_be16 (d + len);
        else if (key_type & 1)
          len += 2;
        if (kv == GST_MIKEY_KV_SPI) {
          len += 1 + (size > len ? d[len] : 0);
        } else if (kv == GST_MIKEY_KV_INTERVAL) {
          len += 1 + (size > len ? d[len] : 0);
          len += 1 + (size > len ? d[len] : 0);
        } else if (kv != GST_MIKEY_KV_NULL) {
          *error = "unknown key validity type " + std::to_string (kv);
          return false;
        }
        break;
      }
      default:
        *error = "MIKEY payload type " + std::to_string (next) + " is not supported";
        return false;
    }
    if (len > size) {
      *error = "truncated MIKEY payload " + std::to_string (next);
      return false;
    }
    next = d[0];
    d += len;
    size -= len;
  }
  return true;
}

/* The header (RFC 3830 6.1) and then the chain. */
bool
message_acceptable (const guint8 * d, size_t size, std::string * error)
{
  if (size < 10) {
    *error = "malformed MIKEY message: " + std::to_string (size) + " bytes";
    return false;
  }
  if (d[0] != GST_MIKEY_VERSION) {
    *error = "MIKEY version " + std::to_string (d[0]) + ", not 1";
    return false;
  }
  if (d[1] != GST_MIKEY_TYPE_PSK_INIT) {
    *error = "MIKEY message of type " + std::to_string (d[1]) + ", not a pre-shared-key init (0)";
    return false;
  }
  if (d[9] != GST_MIKEY_MAP_TYPE_SRTP) {
    *error = "MIKEY crypto sessions are not SRTP";
    return false;
  }
  size_t header = 10 + 9 * static_cast<size_t> (d[8]);
  if (size < header) {
    *error = "malformed MIKEY message: truncated crypto sessions";
    return false;
  }
  return payload_chain_ok (d + header, size - header, d[2], false, 0, error);
}

}  // namespace

SrtpKey
MikeyKeys::key_for (uint32_t ssrc) const
{
  SrtpKey key;
  key.suite = suite;
  key.key_salt = key_salt;
  key.ssrc = ssrc;
  for (const Session & s : sessions)
    if (s.ssrc == ssrc)
      key.roc = s.roc;
  return key;
}

GstMIKEYMessage *
mikey_message_new_for_keys (const MikeyKeys & keys)
{
  const SrtpSuiteInfo & info = srtp_suite_info (keys.suite);
  if (keys.key_salt.size () != info.key_len + info.salt_len)
    return nullptr;

  GstMIKEYMessage *msg = gst_mikey_message_new ();
  /* Unencrypted pre-shared-key init: allowed since the SDP goes inside TLS (RFC 4567 7.). */
  gst_mikey_message_set_info (msg, GST_MIKEY_VERSION, GST_MIKEY_TYPE_PSK_INIT, FALSE,
      GST_MIKEY_PRF_MIKEY_1, g_random_int (), GST_MIKEY_MAP_TYPE_SRTP);
  for (const MikeyKeys::Session & s : keys.sessions)
    gst_mikey_message_add_cs_srtp (msg, kPolicy, s.ssrc, s.roc);
  gst_mikey_message_add_t_now_ntp_utc (msg);
  gst_mikey_message_add_rand_len (msg, 16);

  GstMIKEYPayload *sp = gst_mikey_payload_new (GST_MIKEY_PT_SP);
  gst_mikey_payload_sp_set (sp, kPolicy, GST_MIKEY_SEC_PROTO_SRTP);
  add_param (sp, GST_MIKEY_SP_SRTP_ENC_ALG, info.aead ? kEncAesGcm : kEncAesCm);
  add_param (sp, GST_MIKEY_SP_SRTP_ENC_KEY_LEN, static_cast<guint8> (info.key_len));
  add_param (sp, GST_MIKEY_SP_SRTP_SALT_KEY_LEN, static_cast<guint8> (info.salt_len));
  if (info.aead) {
    add_param (sp, GST_MIKEY_SP_SRTP_AUTH_ALG, kAuthNull);
    add_param (sp, GST_MIKEY_SP_SRTP_AEAD_AUTH_TAG_LEN, kGcmTagLen);
  } else {
    add_param (sp, GST_MIKEY_SP_SRTP_AUTH_ALG, kAuthHmacSha1);
    add_param (sp, GST_MIKEY_SP_SRTP_AUTH_KEY_LEN, kHmacSha1KeyLen);
    add_param (sp, GST_MIKEY_SP_SRTP_AUTH_TAG_LEN, kHmacSha1_80Tag);
  }
  add_param (sp, GST_MIKEY_SP_SRTP_SRTP_ENC, 1);
  add_param (sp, GST_MIKEY_SP_SRTP_SRTCP_ENC, 1);
  add_param (sp, GST_MIKEY_SP_SRTP_SRTP_AUTH, 1);
  gst_mikey_message_add_payload (msg, sp);

  GstMIKEYPayload *kemac = gst_mikey_payload_new (GST_MIKEY_PT_KEMAC);
  gst_mikey_payload_kemac_set (kemac, GST_MIKEY_ENC_NULL, GST_MIKEY_MAC_NULL);
  GstMIKEYPayload *kd = gst_mikey_payload_new (GST_MIKEY_PT_KEY_DATA);
  gst_mikey_payload_key_data_set_key (kd, GST_MIKEY_KD_TEK,
      static_cast<guint16> (keys.key_salt.size ()), keys.key_salt.data ());
  gst_mikey_payload_kemac_add_sub (kemac, kd);
  gst_mikey_message_add_payload (msg, kemac);
  return msg;
}

GstMIKEYMessage *
mikey_message_new_for_key (const SrtpKey & key)
{
  MikeyKeys keys;
  keys.suite = key.suite;
  keys.key_salt = key.key_salt;
  keys.sessions.push_back ({key.ssrc, key.roc});
  return mikey_message_new_for_keys (keys);
}

std::string
mikey_keymgmt_value (const SrtpKey & key)
{
  return b64_value (mikey_message_new_for_key (key));
}

std::string
mikey_keymgmt_value (const MikeyKeys & keys)
{
  return b64_value (mikey_message_new_for_keys (keys));
}

bool
mikey_keys_from_message (const GstMIKEYMessage * msg, MikeyKeys * keys, std::string * error)
{
  if (!msg) {
    *error = "no MIKEY message";
    return false;
  }
  if (wire_value (msg->type) != GST_MIKEY_TYPE_PSK_INIT) {
    *error = "MIKEY message of type " + std::to_string (wire_value (msg->type))
        + ", not a pre-shared-key init (0)";
    return false;
  }
  if (wire_value (msg->map_type) != GST_MIKEY_MAP_TYPE_SRTP) {
    *error = "MIKEY crypto sessions are not SRTP";
    return false;
  }
  MikeyKeys out;
  guint n_cs = gst_mikey_message_get_n_cs (msg);
  int policy_no = -1;
  for (guint i = 0; i < n_cs; i++) {
    const GstMIKEYMapSRTP *map = gst_mikey_message_get_cs_srtp (msg, i);
    if (!map)
      continue;
    if (policy_no >= 0 && map->policy != policy_no) {
      *error = "crypto sessions under different policies";
      return false;
    }
    policy_no = map->policy;
    out.sessions.push_back ({map->ssrc, map->roc});
  }

  /* The security policy of the crypto sessions (RFC 3830 6.10); the defaults of RFC 3830 when
   * the sender gave none. */
  Policy policy;
  const GstMIKEYPayload *found = nullptr;
  for (guint nth = 0;; nth++) {
    const GstMIKEYPayload *p = gst_mikey_message_find_payload (msg, GST_MIKEY_PT_SP, nth);
    if (!p)
      break;
    const GstMIKEYPayloadSP *sp = reinterpret_cast<const GstMIKEYPayloadSP *> (p);
    if (policy_no < 0 || static_cast<int> (sp->policy) == policy_no) {
      found = p;
      break;
    }
  }
  if (found) {
    const GstMIKEYPayloadSP *sp = reinterpret_cast<const GstMIKEYPayloadSP *> (found);
    if (wire_value (sp->proto) != GST_MIKEY_SEC_PROTO_SRTP) {
      *error = "security policy is not for SRTP";
      return false;
    }
    if (!read_policy (found, &policy, error))
      return false;
  } else if (policy_no >= 0 && gst_mikey_message_find_payload (msg, GST_MIKEY_PT_SP, 0)) {
    *error = "no security policy " + std::to_string (policy_no) + " for the crypto sessions";
    return false;
  }
  if (!suite_from_policy (policy, &out.suite, error))
    return false;
  const SrtpSuiteInfo & info = srtp_suite_info (out.suite);

  const GstMIKEYPayload *payload = gst_mikey_message_find_payload (msg, GST_MIKEY_PT_KEMAC, 0);
  if (!payload) {
    *error = "no KEMAC payload (no key)";
    return false;
  }
  const GstMIKEYPayloadKEMAC *kemac = reinterpret_cast<const GstMIKEYPayloadKEMAC *> (payload);
  if (wire_value (kemac->enc_alg) != GST_MIKEY_ENC_NULL
      || wire_value (kemac->mac_alg) != GST_MIKEY_MAC_NULL) {
    *error = "the key is encrypted under a pre-shared secret meetstream does not have";
    return false;
  }
  const GstMIKEYPayload *sub = gst_mikey_payload_kemac_get_n_sub (payload) > 0
      ? gst_mikey_payload_kemac_get_sub (payload, 0) : nullptr;
  if (!sub || wire_value (sub->type) != GST_MIKEY_PT_KEY_DATA) {
    *error = "KEMAC without key data";
    return false;
  }
  const GstMIKEYPayloadKeyData *kd = reinterpret_cast<const GstMIKEYPayloadKeyData *> (sub);
  if (wire_value (kd->key_type) != GST_MIKEY_KD_TEK) {
    *error = "key data is not a traffic-encrypting key";
    return false;
  }
  if (wire_value (kd->kv_type) == GST_MIKEY_KV_SPI) {
    *error = "keys with an MKI are not supported";
    return false;
  }
  const size_t want = info.key_len + info.salt_len;
  if (kd->salt_len > 0) {
    /* Key and salt in their own fields (RFC 3830 6.13). */
    if (kd->key_len != info.key_len || kd->salt_len != info.salt_len || !kd->key_data
        || !kd->salt_data) {
      *error = "key of " + std::to_string (kd->key_len) + "+" + std::to_string (kd->salt_len)
          + " bytes, " + info.short_name + " needs " + std::to_string (info.key_len) + "+"
          + std::to_string (info.salt_len);
      return false;
    }
    out.key_salt.assign (kd->key_data, kd->key_data + kd->key_len);
    out.key_salt.insert (out.key_salt.end (), kd->salt_data, kd->salt_data + kd->salt_len);
  } else {
    if (kd->key_len != want || !kd->key_data) {
      *error = "key of " + std::to_string (kd->key_len) + " bytes, " + info.short_name
          + " needs " + std::to_string (want) + " (key and salt)";
      return false;
    }
    out.key_salt.assign (kd->key_data, kd->key_data + kd->key_len);
  }
  *keys = std::move (out);
  return true;
}

bool
mikey_keys_from_data (const uint8_t * data, size_t size, MikeyKeys * keys, std::string * error)
{
  if (!data || size == 0) {
    *error = "empty MIKEY message";
    return false;
  }
  if (!message_acceptable (data, size, error))
    return false;
  GError *err = nullptr;
  GstMIKEYMessage *msg = gst_mikey_message_new_from_data (data, size, nullptr, &err);
  if (!msg) {
    *error = std::string ("malformed MIKEY message") + (err ? std::string (": ") + err->message : "");
    g_clear_error (&err);
    return false;
  }
  g_clear_error (&err);
  bool ok = mikey_keys_from_message (msg, keys, error);
  gst_mikey_message_unref (msg);
  return ok;
}

bool
mikey_keys_from_keymgmt (const std::string & value, MikeyKeys * keys, std::string * error)
{
  if (value.size () > kMaxKeymgmt) {
    *error = "a=key-mgmt of " + std::to_string (value.size ()) + " bytes";
    return false;
  }
  size_t start = value.find_first_not_of (" \t");
  if (start == std::string::npos) {
    *error = "empty a=key-mgmt";
    return false;
  }
  size_t end = value.find_first_of (" \t", start);
  std::string proto = value.substr (start, end == std::string::npos ? end : end - start);
  if (proto != "mikey") {
    *error = "key management protocol '" + proto + "', not mikey";
    return false;
  }
  size_t data_start = end == std::string::npos ? end : value.find_first_not_of (" \t", end);
  size_t data_end = value.find_last_not_of (" \t\r\n");
  if (data_start == std::string::npos || data_end < data_start) {
    *error = "a=key-mgmt:mikey without data";
    return false;
  }
  std::string b64 = value.substr (data_start, data_end + 1 - data_start);
  if (!base64_valid (b64)) {
    *error = "a=key-mgmt:mikey data is not base64";
    return false;
  }
  gsize size = 0;
  guchar *data = g_base64_decode (b64.c_str (), &size);
  bool ok = mikey_keys_from_data (data, size, keys, error);
  g_free (data);
  return ok;
}

bool
mikey_keys_from_sdp_media (const GstSDPMessage * sdp, const GstSDPMedia * media,
    MikeyKeys * keys, std::string * error)
{
  const gchar *value = media ? gst_sdp_media_get_attribute_val (media, "key-mgmt") : nullptr;
  if (!value && sdp)
    value = gst_sdp_message_get_attribute_val (sdp, "key-mgmt");
  if (!value) {
    *error = "no a=key-mgmt";
    return false;
  }
  return mikey_keys_from_keymgmt (value, keys, error);
}

}  // namespace meet
