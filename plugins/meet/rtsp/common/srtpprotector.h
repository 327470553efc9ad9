/* meetstream: the sending side of SRTP and SRTCP (RFC 3711; AES-256-CM of RFC 6188; AEAD_AES_128_GCM
 * and AEAD_AES_256_GCM of RFC 7714), hand-written on nettle.
 *
 * Why not gst-plugins-bad's srtpenc, as before: srtpenc is libsrtp2, which Debian 12 builds on NSS,
 * and NSS creates a PKCS#11 context for every packet, once for AES-CM and again for HMAC-SHA1: NSS
 * was 31% of the CPU of a server sending one SRTP stream, and issue 11's srtp-fanout measured the
 * SRTP server at 2.0 times the plain one with aes-128-icm (1.25 with aes-128-gcm; 1.2 allowed).
 * nettle (GnuTLS's crypto, AES-NI / SHA-NI / PCLMUL) keeps the keys set up once and costs, for a
 * 1400-byte packet on this machine, 0.37 us of AES-128-CTR + 1.53 us of HMAC-SHA1, or 1.1 us of
 * AES-128-GCM. No library on Debian does SRTP's packet transform on such a backend (libsrtp2 there
 * is NSS only), so the transform is here: key derivation, the index and the packet layout; the
 * ciphers and the MAC are nettle's. The receiving side (srtpdec) stays libsrtp: one stream each.
 *
 * It does what libsrtp's sender does, byte for byte (tests/test_srtp_protector.cpp compares it with
 * srtpenc): session keys from the master key and salt (RFC 3711 4.3, key derivation rate 0; the
 * 12-byte GCM master salt padded with two zero bytes, as libsrtp does); per SSRC the packet index
 * ROC || SEQ estimated from the sequence numbers (RFC 3711 3.3.1, appendix A) with a 128-packet
 * window, and a packet whose index was already used (a duplicated datagram) or lies before the
 * window refused; per SSRC an SRTCP index counting from 1, sent with the E bit.
 *
 * Thread-safe: RTP and RTCP each under a lock of their own (rtpbin sends them from two threads).
 */
#pragma once

#include "srtpkeys.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace meet {

enum class SrtpStatus {
  OK,
  NO_KEY,             // init () did not succeed
  MALFORMED,          // not an RTP (RTCP) packet: too short, CSRCs or extension beyond its end
  NO_ROOM,            // the output is smaller than the input + overhead
  REPLAYED,           // an index already used: a duplicated packet
  TOO_OLD,            // an index before the 128-packet window
  INDEX_EXHAUSTED,    // SRTCP index at 2^31 - 1: the key needs replacing
  TOO_MANY_SOURCES,   // more SSRCs than kMaxSources under one key
};

/* A sentence for logs, e.g. "index already used (a duplicated packet)". */
const char *srtp_status_text (SrtpStatus status);

/* One direction's session keys (RFC 3711 4.3): for RTP or for RTCP. */
struct SrtpSessionKeys {
  std::vector<uint8_t> cipher_key;   // 16 or 32 bytes
  std::vector<uint8_t> salt;         // 14 bytes for AES-CM, 12 for GCM
  std::vector<uint8_t> auth_key;     // 20 bytes for HMAC-SHA1; empty for AEAD
};

/* The session keys of @key (its suite, master key || salt) for RTP, or RTCP when @rtcp. False
 * when the key's length does not fit its suite. */
bool srtp_derive_session_keys (const SrtpKey & key, bool rtcp, SrtpSessionKeys * out);

class SrtpProtector {
public:
  /* SSRCs one key serves at most: a publisher sending random SSRCs grows no table without end. */
  static constexpr size_t kMaxSources = 1024;

  SrtpProtector ();
  ~SrtpProtector ();
  SrtpProtector (const SrtpProtector &) = delete;
  SrtpProtector & operator= (const SrtpProtector &) = delete;

  /* Keys from @key (ssrc and roc in it are ignored: every SSRC starts at ROC 0); forgets every
   * SSRC's index. False when the key does not fit its suite (and nothing is protected then). */
  bool init (const SrtpKey & key);
  /* The same from session keys given as they are (test vectors). */
  bool init_session_keys (SrtpSuite suite, const SrtpSessionKeys & rtp,
      const SrtpSessionKeys & rtcp);
  bool ready () const;

  /* Bytes protect_rtp (protect_rtcp) adds: the tag (and the E bit + SRTCP index). */
  size_t rtp_overhead () const;
  size_t rtcp_overhead () const;

  /* SRTP of the RTP packet @in (@len bytes) into @out (@out_size bytes, at least @len +
   * rtp_overhead (); @out may be @in); *@out_len its length. Anything but OK leaves the SSRC's
   * state as it was and @out undefined. */
  SrtpStatus protect_rtp (const uint8_t * in, size_t len, uint8_t * out, size_t out_size,
      size_t * out_len);
  /* SRTCP of the (compound) RTCP packet @in, the same way; the first packet's SSRC keys it. */
  SrtpStatus protect_rtcp (const uint8_t * in, size_t len, uint8_t * out, size_t out_size,
      size_t * out_len);

  /* The rollover counter @ssrc's RTP is at: what a reader joining now needs (0 before its first
   * packet). */
  uint32_t roc (uint32_t ssrc) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meet
