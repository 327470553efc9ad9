/* meetstream: SRTP for what meetrtspsink sends over UDP (RFC 3711, profile RTP/SAVP).
 *
 * A stream is encrypted once, before its fan-out, so every SRTP reader gets the same bytes and
 * encryption costs the same for 1 reader as for 100: one SrtpPacketEncoder per stream
 * (srtppacketencoder.h), under the stream's own key, handed to every secure client in the SDP of
 * its DESCRIBE (a=key-mgmt:mikey, as gst-rtsp-server does; the SDP travels inside TLS). A reader
 * joining late needs the rollover counter the sender is at: the encoder's protector has it per
 * SSRC.
 *
 * Also the SDP a secure client is given: the plain SDP with every m= line's profile RTP/SAVP and
 * the stream's key-mgmt attribute.
 */
#pragma once

#include "srtpkeys.h"

#include <gst/gst.h>

#include <cstdint>
#include <string>
#include <vector>

namespace meet {

class SrtpSender {
public:
  SrtpSender () = default;
  SrtpSender (const SrtpSender &) = delete;
  SrtpSender & operator= (const SrtpSender &) = delete;

  /* A fresh key under @suite. False only when the system has no randomness. */
  bool init (SrtpSuite suite);
  const SrtpKey & key () const { return key_; }

  /* The a=key-mgmt value for the stream's SSRC @ssrc at rollover counter @roc. */
  std::string keymgmt (uint32_t ssrc, uint32_t roc) const;

private:
  SrtpKey key_;
};

/* @sdp (a whole SDP) for an SRTP client: each m= line's RTP/AVP becomes RTP/SAVP and gets
 * a=key-mgmt:@keymgmt[i] (media in order; missing entries leave a media section as it was).
 * Empty when @sdp does not parse. */
std::string sdp_to_savp (const std::string & sdp, const std::vector<std::string> & keymgmt);

}  // namespace meet
