/* meetstream: the SRTP of one stream meetrtspsink sends: its key and its SrtpProtector
 * (srtpprotector.h, on nettle), for GstBuffers.
 *
 * One per stream, both for the element's own streams (RtspStream, from a pad probe before the
 * SRTP fan-out) and for the participants it relays (participantrelay.h, from the server thread):
 * the stream is encrypted once, before its fan-out, so every RTP/SAVP reader (unicast, interleaved
 * or the stream's multicast group) gets the same bytes and a reader more costs no encryption. Its
 * key goes to secure readers as a=key-mgmt:mikey with the rollover counter the protector is at, so
 * readers joining late decrypt too.
 */
#pragma once

#include "srtpprotector.h"
#include "srtpsender.h"

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace meet {

class SrtpPacketEncoder {
public:
  SrtpPacketEncoder () = default;
  SrtpPacketEncoder (const SrtpPacketEncoder &) = delete;
  SrtpPacketEncoder & operator= (const SrtpPacketEncoder &) = delete;

  /* A fresh key under @suite (again: a new key, every SSRC's index forgotten; before the stream
   * plays, or readers holding the old key lose it). False (and nothing to encrypt with) only when
   * the system has no randomness. */
  bool init (SrtpSuite suite);
  bool ready () const { return protector_.ready (); }
  const SrtpKey & key () const { return sender_.key (); }

  /* Encrypts @n RTP (@rtcp: RTCP) packets; the SRTP (SRTCP) ones are appended to @out, new
   * references the caller unrefs. A packet refused (an index already used, say a duplicated
   * datagram, or not RTP at all) is left out. Returns how many were appended. */
  size_t protect (GstBuffer * const * packets, size_t n, bool rtcp, std::vector<GstBuffer *> & out);
  /* One packet: its SRTP (SRTCP) as a new buffer with its timestamps, or NULL when refused. */
  GstBuffer *protect_one (GstBuffer * packet, bool rtcp);

  /* The a=key-mgmt value for a reader joining now: the key, @ssrc and the rollover counter its
   * RTP is at (0 before its first packet). Empty before init. */
  std::string keymgmt (uint32_t ssrc) const;

  /* Packets refused so far. */
  uint64_t refused () const { return refused_; }

private:
  SrtpSender sender_;
  SrtpProtector protector_;
  std::atomic<uint64_t> refused_ { 0 };
};

}  // namespace meet
