/* meetstream: SRTP keys carried in SDP by MIKEY (RFC 3830, RFC 4567 `a=key-mgmt:mikey BASE64`),
 * as gst-rtsp-server sends them and rtspsrc reads them.
 *
 * GstMIKEYMessage (gst-plugins-base's sdp library) does the wire format; this builds the message
 * meetstream sends for one stream (a pre-shared-key init message with one crypto session per SSRC,
 * a security policy naming the suite, and the TEK in a KEMAC that is not encrypted: the SDP
 * travels inside TLS, as with gst-rtsp-server), and reads such a message back into a suite, key
 * and SSRCs, refusing anything meetstream cannot honour with a sentence that says why: the
 * library parser accepts messages that do not carry a usable key (no KEMAC, a null cipher,
 * authentication switched off, a key of the wrong length), and gst_mikey_message_to_caps() quietly
 * falls back to defaults for parameters it does not know.
 */
#pragma once

#include "srtpkeys.h"

#include <gst/sdp/sdp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace meet {

/* What one MIKEY message hands out: a master key and salt under a suite, and the SSRCs (with
 * their rollover counters) it applies to. */
struct MikeyKeys {
  struct Session {
    uint32_t ssrc = 0;
    uint32_t roc = 0;
  };
  SrtpSuite suite = SrtpSuite::AES_128_CM_HMAC_SHA1_80;
  std::vector<uint8_t> key_salt;
  std::vector<Session> sessions;   // empty when the sender named no SSRC

  /* The key for @ssrc (its ROC when listed, 0 otherwise). */
  SrtpKey key_for (uint32_t ssrc) const;
};

/* The MIKEY message for @key (its SSRC and ROC as the one crypto session), transfer full; NULL
 * when the key's length does not fit its suite. */
GstMIKEYMessage * mikey_message_new_for_key (const SrtpKey & key);
/* The same for several SSRCs sharing one key (a relayed publisher's streams, say). */
GstMIKEYMessage * mikey_message_new_for_keys (const MikeyKeys & keys);

/* The a=key-mgmt attribute value "mikey BASE64" for @key; empty when the key is invalid. */
std::string mikey_keymgmt_value (const SrtpKey & key);
std::string mikey_keymgmt_value (const MikeyKeys & keys);

/* Reads the keys out of a parsed message. False with @error naming what is missing or refused. */
bool mikey_keys_from_message (const GstMIKEYMessage * msg, MikeyKeys * keys, std::string * error);
/* From the raw bytes of a MIKEY message. */
bool mikey_keys_from_data (const uint8_t * data, size_t size, MikeyKeys * keys,
    std::string * error);
/* From an a=key-mgmt value, "mikey BASE64" (RFC 4567: the protocol id, spaces, the data). */
bool mikey_keys_from_keymgmt (const std::string & value, MikeyKeys * keys, std::string * error);
/* From an SDP media section's a=key-mgmt, else the session-level one of @sdp (may be NULL).
 * False when neither has one (@error "no a=key-mgmt") or it cannot be used. */
bool mikey_keys_from_sdp_media (const GstSDPMessage * sdp, const GstSDPMedia * media,
    MikeyKeys * keys, std::string * error);

}  // namespace meet
