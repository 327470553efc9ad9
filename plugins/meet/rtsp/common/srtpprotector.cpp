/* meetstream: SRTP and SRTCP on nettle (see srtpprotector.h for why it is hand-written). */
#include "srtpprotector.h"

#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/gcm.h>
#include <nettle/hmac.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace meet {

namespace {

constexpr size_t kHmacTag = 10;       // HMAC-SHA1-80
constexpr size_t kGcmTag = 16;        // RFC 7714: AEAD_AES_*_GCM's 16-byte tag
constexpr size_t kSrtcpTrailer = 4;   // E bit + 31-bit SRTCP index
constexpr int kWindow = 128;          // srtpenc's replay-window-size (its default)
constexpr uint32_t kMaxSrtcpIndex = 0x7fffffff;

/* RFC 3711 4.3.2's labels. */
enum : uint8_t {
  kLabelRtpCipher = 0, kLabelRtpAuth = 1, kLabelRtpSalt = 2,
  kLabelRtcpCipher = 3, kLabelRtcpAuth = 4, kLabelRtcpSalt = 5,
};

/* Byte by byte, not GStreamer's GST_READ_UINT32_BE / GST_WRITE_UINT32_BE: on x86 those load and
 * store a whole word at the (often unaligned) offsets of an RTP header, which UBSan reports. */
uint16_t
be16 (const uint8_t * p)
{
  return static_cast<uint16_t> ((p[0] << 8) | p[1]);
}

uint32_t
be32 (const uint8_t * p)
{
  return (uint32_t (p[0]) << 24) | (uint32_t (p[1]) << 16) | (uint32_t (p[2]) << 8) | p[3];
}

void
put_be32 (uint8_t * p, uint32_t v)
{
  p[0] = static_cast<uint8_t> (v >> 24);
  p[1] = static_cast<uint8_t> (v >> 16);
  p[2] = static_cast<uint8_t> (v >> 8);
  p[3] = static_cast<uint8_t> (v);
}

/* The authentication tag's length: HMAC-SHA1-80's or AES-GCM's. */
constexpr size_t
tag_length (bool aead)
{
  return aead ? kGcmTag : kHmacTag;
}

/* @ssrc's entry of @map, made when new; null when @map holds SrtpProtector::kMaxSources already. */
template <typename Map>
typename Map::mapped_type *
source_entry (Map & map, uint32_t ssrc)
{
  auto it = map.find (ssrc);
  if (it != map.end ())
    return &it->second;
  if (map.size () >= SrtpProtector::kMaxSources)
    return nullptr;
  return &map.emplace (ssrc, typename Map::mapped_type ()).first->second;
}

/* AES-128 or AES-256 under one key, encryption only (CTR and GCM need no other direction). */
struct Aes {
  union {
    aes128_ctx a128;
    aes256_ctx a256;
  } ctx;
  nettle_cipher_func *encrypt = nullptr;

  bool set_key (const std::vector<uint8_t> & key)
  {
    if (key.size () == AES128_KEY_SIZE) {
      aes128_set_encrypt_key (&ctx.a128, key.data ());
      encrypt = reinterpret_cast<nettle_cipher_func *> (aes128_encrypt);
    } else if (key.size () == AES256_KEY_SIZE) {
      aes256_set_encrypt_key (&ctx.a256, key.data ());
      encrypt = reinterpret_cast<nettle_cipher_func *> (aes256_encrypt);
    } else {
      return false;
    }
    return true;
  }
  /* AES in counter mode from the 16-byte counter block @iv (changed), over @n bytes. SRTP's
   * counter is the block's last 16 bits; nettle carries into the bytes before them, which no
   * packet under 1 MB reaches. */
  void ctr (uint8_t * iv, size_t n, uint8_t * dst, const uint8_t * src) const
  {
    ctr_crypt (&ctx, encrypt, AES_BLOCK_SIZE, iv, n, dst, src);
  }
};

/* RFC 3711 4.3.1/4.3.3 with key derivation rate 0: AES-CM under the master key, from the
 * master salt with the label XORed into byte 7 (key_id = label || r, r = 0, right-aligned in the
 * 112-bit salt). A 12-byte (GCM) master salt is taken as its 12 bytes and two zero bytes, as
 * libsrtp does. */
void
derive (const Aes & master, const uint8_t * salt, size_t salt_len, uint8_t label,
    std::vector<uint8_t> * out, size_t n)
{
  uint8_t iv[AES_BLOCK_SIZE] = {};
  memcpy (iv, salt, salt_len);
  iv[7] ^= label;
  out->assign (n, 0);
  master.ctr (iv, n, out->data (), out->data ());
}

/* A per-SSRC sender's index (libsrtp's rdbx): the highest index sent and which of the 128
 * before it were. */
struct RtpSource {
  uint64_t index = 0;               // ROC << 16 | SEQ of the highest index sent
  uint64_t seen[2] = { 0, 0 };      // bit a: index - a was sent (a < 128)

  bool seen_at (int age) const { return (seen[age / 64] >> (age % 64)) & 1; }
  void mark (int age) { seen[age / 64] |= uint64_t (1) << (age % 64); }
  void advance (int delta)
  {
    if (delta >= kWindow) {
      seen[0] = seen[1] = 0;
    } else if (delta >= 64) {
      seen[1] = seen[0] << (delta - 64);
      seen[0] = 0;
    } else if (delta > 0) {
      seen[1] = (seen[1] << delta) | (seen[0] >> (64 - delta));
      seen[0] <<= delta;
    }
    index += static_cast<uint64_t> (delta);
  }
};

/* RFC 3711 3.3.1 / appendix A as libsrtp's srtp_rdbx_estimate_index does it: the index of @seq
 * nearest to the highest sent, and how far ahead of it (negative: behind). */
int
estimate_index (const RtpSource & src, uint16_t seq, uint64_t * guess)
{
  const int median = 0x8000, range = 0x10000;
  if (src.index <= static_cast<uint64_t> (median)) {
    *guess = seq;
    return seq - static_cast<int> (static_cast<uint16_t> (src.index));
  }
  uint32_t roc = static_cast<uint32_t> (src.index >> 16);
  int local = static_cast<uint16_t> (src.index);
  int s = seq, difference;
  if (local < median) {
    if (s - local > median) {
      roc--;
      difference = s - local - range;
    } else {
      difference = s - local;
    }
  } else {
    if (local - median > s) {
      roc++;
      difference = s - local + range;
    } else {
      difference = s - local;
    }
  }
  *guess = (static_cast<uint64_t> (roc) << 16) | seq;
  return difference;
}

/* One direction's keys, set up once. */
struct Session {
  bool aead = false;
  Aes aes;
  uint8_t salt[14] = {};
  size_t salt_len = 0;
  hmac_sha1_ctx hmac;     // keyed; a digest leaves it ready for the next packet
  gcm_key ghash;

  bool set (bool is_aead, const SrtpSessionKeys & keys)
  {
    aead = is_aead;
    size_t want_salt = aead ? 12 : 14;
    if (keys.salt.size () != want_salt || !aes.set_key (keys.cipher_key))
      return false;
    memcpy (salt, keys.salt.data (), want_salt);
    salt_len = want_salt;
    if (aead) {
      gcm_set_key (&ghash, &aes.ctx, aes.encrypt);
    } else {
      if (keys.auth_key.size () != SHA1_DIGEST_SIZE)
        return false;
      hmac_sha1_set_key (&hmac, keys.auth_key.size (), keys.auth_key.data ());
    }
    return true;
  }

  /* AES-CM's counter block for SSRC @ssrc at index @index (RFC 3711 4.1.1):
   * salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16. */
  void cm_iv (uint32_t ssrc, uint64_t index, uint8_t iv[AES_BLOCK_SIZE]) const
  {
    memset (iv, 0, AES_BLOCK_SIZE);
    memcpy (iv, salt, 14);
    for (int i = 0; i < 4; i++)
      iv[4 + i] ^= static_cast<uint8_t> (ssrc >> (24 - 8 * i));
    for (int i = 0; i < 6; i++)
      iv[8 + i] ^= static_cast<uint8_t> (index >> (40 - 8 * i));
  }

  /* RFC 7714 8.1 / 9.1: 00 00 || SSRC || @mid (4 bytes) || @low (2 bytes of RTP's SEQ, or the
   * last 2 of SRTCP's 4-byte index with @mid's last 2), XOR the salt. */
  void gcm_nonce (const uint8_t twelve[12], uint8_t iv[12]) const
  {
    for (int i = 0; i < 12; i++)
      iv[i] = twelve[i] ^ salt[i];
  }

  void hmac_tag (const uint8_t * data, size_t n, const uint8_t * extra, size_t extra_n,
      uint8_t * tag)
  {
    hmac_sha1_update (&hmac, n, data);
    if (extra_n)
      hmac_sha1_update (&hmac, extra_n, extra);
    hmac_sha1_digest (&hmac, kHmacTag, tag);
  }

  void gcm_seal (const uint8_t iv[12], const uint8_t * aad, size_t aad_n, const uint8_t * src,
      size_t n, uint8_t * dst, uint8_t * tag) const
  {
    gcm_ctx ctx;
    gcm_set_iv (&ctx, &ghash, 12, iv);
    gcm_update (&ctx, &ghash, aad_n, aad);
    gcm_encrypt (&ctx, &ghash, &aes.ctx, aes.encrypt, n, dst, src);
    gcm_digest (&ctx, &ghash, &aes.ctx, aes.encrypt, kGcmTag, tag);
  }
};

}  // namespace

struct SrtpProtector::Impl {
  bool ready = false;
  std::atomic<bool> aead { false };
  mutable std::mutex rtp_lock;    // rtp and sources
  Session rtp;
  std::unordered_map<uint32_t, RtpSource> sources;
  std::mutex rtcp_lock;           // rtcp and rtcp_index
  Session rtcp;
  std::unordered_map<uint32_t, uint32_t> rtcp_index;   // the last SRTCP index sent per SSRC
};

const char *
srtp_status_text (SrtpStatus status)
{
  switch (status) {
    case SrtpStatus::OK: return "protected";
    case SrtpStatus::NO_KEY: return "no SRTP key";
    case SrtpStatus::MALFORMED: return "not a well-formed packet (too short, or CSRCs or header "
          "extension beyond its end)";
    case SrtpStatus::NO_ROOM: return "no room for the authentication tag";
    case SrtpStatus::REPLAYED: return "index already used (a duplicated packet)";
    case SrtpStatus::TOO_OLD: return "index before the replay window (a packet far out of order)";
    case SrtpStatus::INDEX_EXHAUSTED: return "SRTCP index exhausted: the key needs replacing";
    case SrtpStatus::TOO_MANY_SOURCES: return "too many SSRCs under one key";
  }
  return "unknown SRTP status";
}

bool
srtp_derive_session_keys (const SrtpKey & key, bool rtcp, SrtpSessionKeys * out)
{
  if (!srtp_key_valid (key))
    return false;
  const SrtpSuiteInfo & info = srtp_suite_info (key.suite);
  Aes master;
  if (!master.set_key (std::vector<uint8_t> (key.key_salt.begin (),
              key.key_salt.begin () + info.key_len)))
    return false;
  const uint8_t *salt = key.key_salt.data () + info.key_len;
  derive (master, salt, info.salt_len, rtcp ? kLabelRtcpCipher : kLabelRtpCipher,
      &out->cipher_key, info.key_len);
  derive (master, salt, info.salt_len, rtcp ? kLabelRtcpSalt : kLabelRtpSalt, &out->salt,
      info.salt_len);
  if (info.aead)
    out->auth_key.clear ();
  else
    derive (master, salt, info.salt_len, rtcp ? kLabelRtcpAuth : kLabelRtpAuth,
        &out->auth_key, SHA1_DIGEST_SIZE);
  return true;
}

SrtpProtector::SrtpProtector ()
:  impl_ (new Impl)
{
}

SrtpProtector::~SrtpProtector () = default;

bool
SrtpProtector::init (const SrtpKey & key)
{
  SrtpSessionKeys rtp, rtcp;
  if (!srtp_derive_session_keys (key, false, &rtp) || !srtp_derive_session_keys (key, true, &rtcp)) {
    std::lock_guard<std::mutex> a (impl_->rtp_lock);
    std::lock_guard<std::mutex> b (impl_->rtcp_lock);
    impl_->ready = false;
    return false;
  }
  return init_session_keys (key.suite, rtp, rtcp);
}

bool
SrtpProtector::init_session_keys (SrtpSuite suite, const SrtpSessionKeys & rtp,
    const SrtpSessionKeys & rtcp)
{
  std::lock_guard<std::mutex> a (impl_->rtp_lock);
  std::lock_guard<std::mutex> b (impl_->rtcp_lock);
  const bool aead = srtp_suite_info (suite).aead;
  impl_->sources.clear ();
  impl_->rtcp_index.clear ();
  impl_->aead = aead;
  impl_->ready = impl_->rtp.set (aead, rtp) && impl_->rtcp.set (aead, rtcp);
  return impl_->ready;
}

bool
SrtpProtector::ready () const
{
  std::lock_guard<std::mutex> a (impl_->rtp_lock);
  return impl_->ready;
}

size_t
SrtpProtector::rtp_overhead () const
{
  return tag_length (impl_->aead);
}

size_t
SrtpProtector::rtcp_overhead () const
{
  return tag_length (impl_->aead) + kSrtcpTrailer;
}

SrtpStatus
SrtpProtector::protect_rtp (const uint8_t * in, size_t len, uint8_t * out, size_t out_size,
    size_t * out_len)
{
  /* The header (RFC 3550 5.1, 5.3.1): 12 bytes, the CSRCs, the extension; all inside. */
  if (!in || len < 12 || (in[0] >> 6) != 2)
    return SrtpStatus::MALFORMED;
  size_t header = 12 + 4 * static_cast<size_t> (in[0] & 0x0f);
  if (in[0] & 0x10) {
    if (header + 4 > len)
      return SrtpStatus::MALFORMED;
    header += 4 + 4 * static_cast<size_t> (be16 (in + header + 2));
  }
  if (header > len)
    return SrtpStatus::MALFORMED;

  std::lock_guard<std::mutex> guard (impl_->rtp_lock);
  if (!impl_->ready)
    return SrtpStatus::NO_KEY;
  Session & s = impl_->rtp;
  const size_t tag = tag_length (s.aead);
  if (!out || out_size < len + tag)
    return SrtpStatus::NO_ROOM;
  const uint32_t ssrc = be32 (in + 8);
  const uint16_t seq = be16 (in + 2);
  RtpSource *source = source_entry (impl_->sources, ssrc);
  if (!source)
    return SrtpStatus::TOO_MANY_SOURCES;
  RtpSource & src = *source;
  uint64_t index;
  int delta = estimate_index (src, seq, &index);
  if (delta <= 0) {
    if (-delta >= kWindow)
      return SrtpStatus::TOO_OLD;
    if (src.seen_at (-delta))
      return SrtpStatus::REPLAYED;
  }
  const uint32_t roc = static_cast<uint32_t> (index >> 16);

  if (out != in)
    memcpy (out, in, header);
  if (s.aead) {
    uint8_t twelve[12] = {};
    put_be32 (twelve + 2, ssrc);
    put_be32 (twelve + 6, roc);
    twelve[10] = static_cast<uint8_t> (seq >> 8);
    twelve[11] = static_cast<uint8_t> (seq);
    uint8_t iv[12];
    s.gcm_nonce (twelve, iv);
    s.gcm_seal (iv, out, header, in + header, len - header, out + header, out + len);
  } else {
    uint8_t iv[AES_BLOCK_SIZE];
    s.cm_iv (ssrc, index, iv);
    s.aes.ctr (iv, len - header, out + header, in + header);
    uint8_t roc_bytes[4];
    put_be32 (roc_bytes, roc);
    s.hmac_tag (out, len, roc_bytes, sizeof (roc_bytes), out + len);
  }
  if (delta > 0)
    src.advance (delta);
  src.mark (delta > 0 ? 0 : -delta);
  *out_len = len + tag;
  return SrtpStatus::OK;
}

SrtpStatus
SrtpProtector::protect_rtcp (const uint8_t * in, size_t len, uint8_t * out, size_t out_size,
    size_t * out_len)
{
  /* The first packet's header and sender SSRC stay in clear (RFC 3711 3.4). */
  if (!in || len < 8 || (in[0] >> 6) != 2)
    return SrtpStatus::MALFORMED;

  std::lock_guard<std::mutex> guard (impl_->rtcp_lock);
  if (!impl_->ready)
    return SrtpStatus::NO_KEY;
  Session & s = impl_->rtcp;
  const size_t tag = tag_length (s.aead);
  if (!out || out_size < len + tag + kSrtcpTrailer)
    return SrtpStatus::NO_ROOM;
  const uint32_t ssrc = be32 (in + 4);
  uint32_t *last_index = source_entry (impl_->rtcp_index, ssrc);
  if (!last_index)
    return SrtpStatus::TOO_MANY_SOURCES;
  if (*last_index >= kMaxSrtcpIndex)
    return SrtpStatus::INDEX_EXHAUSTED;
  const uint32_t index = *last_index + 1;
  uint8_t trailer[kSrtcpTrailer];
  put_be32 (trailer, 0x80000000u | index);   // E: encrypted
  if (out != in)
    memcpy (out, in, 8);

  if (s.aead) {
    /* RFC 7714 9: AAD = the clear 8 bytes || E + index; the tag, then E + index. */
    uint8_t aad[8 + kSrtcpTrailer];
    memcpy (aad, in, 8);
    memcpy (aad + 8, trailer, kSrtcpTrailer);
    uint8_t twelve[12] = {};
    put_be32 (twelve + 2, ssrc);
    put_be32 (twelve + 8, index);
    uint8_t iv[12];
    s.gcm_nonce (twelve, iv);
    s.gcm_seal (iv, aad, sizeof (aad), in + 8, len - 8, out + 8, out + len);
    memcpy (out + len + tag, trailer, kSrtcpTrailer);
  } else {
    /* RFC 3711 3.4: E + index after the encrypted part, the tag over everything before it. */
    uint8_t iv[AES_BLOCK_SIZE];
    s.cm_iv (ssrc, index, iv);
    s.aes.ctr (iv, len - 8, out + 8, in + 8);
    memcpy (out + len, trailer, kSrtcpTrailer);
    s.hmac_tag (out, len + kSrtcpTrailer, nullptr, 0, out + len + kSrtcpTrailer);
  }
  *last_index = index;
  *out_len = len + tag + kSrtcpTrailer;
  return SrtpStatus::OK;
}

uint32_t
SrtpProtector::roc (uint32_t ssrc) const
{
  std::lock_guard<std::mutex> guard (impl_->rtp_lock);
  auto it = impl_->sources.find (ssrc);
  return it == impl_->sources.end () ? 0 : static_cast<uint32_t> (it->second.index >> 16);
}

}  // namespace meet
