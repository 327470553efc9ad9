/* meetstream: SRTP on the receiving side of an rtsps:// session (issue 11, meetrtspsrc).
 *
 * Over rtsps:// the RTSP exchange is inside TLS; media over UDP is not, so it may only go as SRTP
 * (RTP/SAVP, RFC 3711) with the keys the server put in its SDP (a=key-mgmt:mikey, RFC 4567, read
 * by srtpmikey.h): never as RTP/AVP in clear beside an encrypted control connection. This file
 * decides, from what the SDP offers:
 *   - per stream: is it RTP/SAVP, and does its MIKEY give a key meetstream can use (SrtpOffer);
 *   - per session: SRTP over UDP, RTP interleaved inside TLS (TCP), or a refusal that says why
 *     (choose_secure_transport);
 *   - per SSRC: the key srtpdec's request-key signal is answered with (SrtpKeyRing);
 *   - what srtpdec dropped (SrtpDropCounter): srtpdec drops a packet that fails authentication
 *     (a flipped bit, another key) or the replay check without a word to the application, so
 *     the element counts packets that go in and never come out.
 * Plain C++ (no GObject, no elements); unit-tested in tests/test_srtp_client.cpp. The srtpdec
 * glue is srtpdecoder.h. */
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>
#include <gst/rtsp/gstrtsptransport.h>
#include <gst/sdp/sdp.h>

#include "srtpmikey.h"

namespace meet {

/* What one SDP media section offers for SRTP. */
struct SrtpOffer {
  bool savp = false;            /* its profile is RTP/SAVP or RTP/SAVPF */
  std::string profile;          /* "RTP/SAVP", "RTP/SAVPF" (savp) or the plain one */
  bool keyed = false;           /* savp, and its MIKEY gives a key we can use */
  MikeyKeys keys;
  std::string error;            /* savp but not keyed: why ("no a=key-mgmt", a refused suite) */
};

/* True for "RTP/SAVP" and "RTP/SAVPF". */
bool srtp_profile_is_savp (const char *proto);

/* Reads the profile and, for RTP/SAVP(F), the key of @media (its own a=key-mgmt, else the
 * session-level one of @sdp). */
SrtpOffer srtp_offer_from_sdp_media (const GstSDPMessage *sdp, const GstSDPMedia *media);

/* A copy of @sdp without any a=key-mgmt (session or media level; transfer full), for making caps:
 * gst_sdp_*_attributes_to_caps() hand a=key-mgmt to GStreamer 1.22's MIKEY parser, which hangs
 * on some payloads (SECURITY.md, fuzz/regressions/mikey); the keys are read by
 * srtp_offer_from_sdp_media(), which checks a message before the library sees it. */
GstSDPMessage *sdp_copy_without_keymgmt (const GstSDPMessage *sdp);

/* How an rtsps:// session takes its media. */
struct SecureTransportChoice {
  enum class Kind {
    SrtpUdp,      /* every stream is RTP/SAVP with a usable key: SETUP RTP/SAVP/UDP */
    TlsTcp,       /* interleaved inside TLS (message: why not SRTP over UDP, when UDP was allowed) */
    Refused,      /* UDP is all that is allowed and some stream cannot go as SRTP: message says why */
  };
  Kind kind = Kind::TlsTcp;
  std::string message;
};

/* @media: each stream's media name ("video"), @offers: what its SDP section offers, in order.
 * UDP is used only when every stream can go as SRTP; otherwise TCP inside TLS when allowed, else
 * a refusal naming the stream and why. */
SecureTransportChoice choose_secure_transport (const std::vector<std::string> &media,
    const std::vector<SrtpOffer> &offers, bool allow_udp, bool allow_tcp,
    const std::string &uri);

/* Why the streams of @offers cannot all go as SRTP (the first that cannot, named from @media),
 * empty when every one is RTP/SAVP(F) with a usable key. rtsps:// takes multicast only then: as
 * the stream's SRTP group (RTP/SAVP;multicast), never a plain group beside TLS. */
std::string srtp_offers_problem (const std::vector<std::string> &media,
    const std::vector<SrtpOffer> &offers);

/* The Transport of a multicast SETUP for a stream offered as @offer: "RTP/SAVP;multicast" (or
 * RTP/SAVPF) when @secure and keyed, else "RTP/AVP;multicast". */
std::string multicast_transport_request (const SrtpOffer &offer, bool secure);

/* Whether a SETUP answer for multicast fits what was asked: over rtsps:// (@secure) only
 * RTP/SAVP(F) to a keyed offer; @why says what is wrong otherwise. */
bool multicast_answer_acceptable (const SrtpOffer &offer, bool secure, GstRTSPProfile answered,
    std::string *why);

/* Our own key for the receiver reports (SRTCP) of a stream keyed under @suite: a fresh random
 * key and SSRC (rtpbin's session takes it as its internal SSRC). False only without randomness. */
bool srtp_rtcp_key_generate (SrtpSuite suite, SrtpKey *key);
/* The KeyMgmt header of a SETUP handing the server @key for our SRTCP (RFC 4567 section 3.1:
 * prot=mikey;uri="@uri";data="BASE64", as rtspsrc sends and gst-rtsp-server reads). Empty
 * when the key is invalid. */
std::string srtp_keymgmt_header (const SrtpKey &key, const std::string &uri);

/* The keys of one stream, handed to srtpdec per SSRC. Thread-safe (srtpdec asks from its RTP
 * and RTCP streaming threads). */
class SrtpKeyRing {
public:
  /* Distinct SSRCs answered at most: each one makes srtpdec keep a libsrtp stream, and a forger
   * can put any SSRC in a packet's clear header. */
  static constexpr size_t kMaxSsrcs = 16;

  SrtpKeyRing () = default;
  explicit SrtpKeyRing (const MikeyKeys &keys) : keys_ (keys) {}

  /* The key for @ssrc: an SSRC the MIKEY message lists with its rollover counter, any other
   * (servers that list none, or a sender that changed SSRC) the same key at ROC 0: a packet not
   * made under that key fails authentication either way. False without a key, or past
   * kMaxSsrcs distinct SSRCs. */
  bool lookup (uint32_t ssrc, SrtpKey *key);
  /* lookup() as srtpdec's request-key answer (application/x-srtp with srtp-key, the ciphers and
   * roc; transfer full), nullptr when there is none (srtpdec then drops the packet). */
  GstCaps *caps_for (uint32_t ssrc);

private:
  std::mutex lock_;
  MikeyKeys keys_;
  std::vector<uint32_t> answered_;
};

/* Counts the packets srtpdec drops on one stream. srtpdec works inside its sink pad's chain
 * function: a packet entering (a probe on the sink pad) either leaves by the matching source pad
 * before the next one enters on the same pad, or was dropped. RTP and RTCP run on threads of
 * their own: one slot each. */
class SrtpDropCounter {
public:
  enum Channel { Rtp = 0, Rtcp = 1 };
  /* A packet enters on @channel. True when the one before it was dropped (now counted). */
  bool entered (Channel channel);
  /* The packet on @channel came out decrypted. */
  void left (Channel channel) { pending_[channel] = false; }
  /* The session ended: a packet still pending was dropped too (srtpdec kept it back). */
  void flush ();
  uint64_t dropped () const { return dropped_; }

private:
  std::atomic<bool> pending_[2] {{false}, {false}};
  std::atomic<uint64_t> dropped_ {0};
};

}  // namespace meet
