/* meetstream: SRTP for packets that do not flow through a pipeline: the participants meetrtspsink
 * relays (participantrelay.h) come in on a socket and leave by the fan-out from the server thread.
 *
 * One SrtpPacketEncoder per relayed stream, like one srtpenc per RtspStream (srtpsender.h): the
 * stream is encrypted once, before its fan-out, so every RTP/SAVP reader (unicast, interleaved or
 * the stream's multicast group) gets the same bytes and a reader more costs no encryption. The
 * encryption is gst-plugins-bad's srtpenc, driven by hand: its pads are linked to pads of ours and
 * a packet pushed into it comes back encrypted before protect() returns (srtpenc is synchronous),
 * on the calling thread. Its key goes to secure readers as a=key-mgmt:mikey with the rollover
 * counter srtpenc is at, so readers joining late decrypt too.
 */
#pragma once

#include "srtpsender.h"

#include <gst/gst.h>

#include <cstdint>
#include <string>
#include <vector>

namespace meet {

class SrtpPacketEncoder {
public:
  SrtpPacketEncoder () = default;
  ~SrtpPacketEncoder ();
  SrtpPacketEncoder (const SrtpPacketEncoder &) = delete;
  SrtpPacketEncoder & operator= (const SrtpPacketEncoder &) = delete;

  /* A fresh key under @suite and its running srtpenc. False (and nothing to encrypt with) when
   * the system has no randomness or gst-plugins-bad's srtp plugin is missing. */
  bool init (SrtpSuite suite);
  bool ready () const { return enc_ != nullptr; }
  const SrtpKey & key () const { return sender_.key (); }

  /* Encrypts @n RTP (@rtcp: RTCP) packets; the SRTP (SRTCP) ones are appended to @out, new
   * references the caller unrefs. A packet srtpenc refuses (an index it already used, say a
   * duplicated datagram) is left out. Returns how many were appended. */
  size_t protect (GstBuffer * const * packets, size_t n, bool rtcp, std::vector<GstBuffer *> & out);

  /* The a=key-mgmt value for a reader joining now: the key, @ssrc and the rollover counter
   * srtpenc is at for it (0 before its first packet). */
  std::string keymgmt (uint32_t ssrc) const;

  /* Packets refused so far. */
  uint64_t refused () const { return refused_; }

private:
  static GstFlowReturn on_chain (GstPad * pad, GstObject *, GstBuffer * buffer);
  static gboolean on_event (GstPad *, GstObject *, GstEvent * event);
  void start_pads (GstPad * sink, const char * media_type);

  SrtpSender sender_;
  GstElement *enc_ = nullptr;
  GstPad *rtp_in_ = nullptr;      // srtpenc's rtp_sink_0 and rtcp_sink_0 ...
  GstPad *rtcp_in_ = nullptr;
  GstPad *rtp_out_ = nullptr;     // ... and ours, linked to its rtp_src_0 and rtcp_src_0
  GstPad *rtcp_out_ = nullptr;
  std::vector<GstBuffer *> *collect_ = nullptr;   // where on_chain puts what comes out
  uint64_t refused_ = 0;
};

}  // namespace meet
