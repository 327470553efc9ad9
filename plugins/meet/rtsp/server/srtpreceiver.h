/* meetstream: SRTP from publishers (RFC 3711, profile RTP/SAVP): what meetrtspsink decrypts before
 * it relays a participant.
 *
 * A publisher over rtsps:// keys each stream it announces itself (its own master key, MIKEY in
 * the ANNOUNCE's a=key-mgmt or in the SETUP's KeyMgmt header, srtpkeymgmt.h); the SDP and the
 * header travel inside TLS. The relay then runs every packet of such a stream through srtpdec
 * (gst-plugins-bad) before forwarding it: a packet that fails authentication (forged, altered,
 * under another key) or that srtpdec's replay window has seen already is dropped, counted, and
 * the rest keeps flowing. srtpdec is driven by hand here, no pipeline: the relay reads its sockets with
 * recvmmsg on the server thread and pushes each packet through the element's pads, synchronously.
 */
#pragma once

#include "srtpmikey.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meet {

/* What an announced SDP media says about its key. */
enum class AnnouncedKey {
  kNone,     // no a=key-mgmt (plain RTP/AVP, or keys to come in the SETUP)
  kKeyed,    // a usable MIKEY key
  kBad,      // an a=key-mgmt that cannot be used: @error says why
};

/* The key of one announced media: its own a=key-mgmt, else the session's. */
AnnouncedKey announced_stream_key (const GstSDPMessage * sdp, const GstSDPMedia * media,
    MikeyKeys * keys, std::string * error);

/* A publisher's SETUP: a KeyMgmt header (@header, may be NULL) replaces the stream's key
 * (@key). False with @error when the header is there but carries no usable MIKEY key. */
bool publisher_key_from_setup (const std::string * header, std::optional<MikeyKeys> & key,
    std::string * error);

/* SSRCs a key is used for: the ones its MIKEY message names, or, when it names none, the first
 * kMaxUnnamedSsrcs seen (srtpdec keeps a crypto context per SSRC: a sender spraying SSRCs must
 * not grow it without bound). */
class SrtpSsrcPolicy {
public:
  static constexpr size_t kMaxUnnamedSsrcs = 4;
  explicit SrtpSsrcPolicy (const MikeyKeys & keys);
  /* Whether @ssrc may be keyed (and remembers it when the message named none). */
  bool admit (uint32_t ssrc);

private:
  std::vector<uint32_t> named_;
  std::vector<uint32_t> seen_;
};

class SrtpReceiver {
public:
  SrtpReceiver () = default;
  ~SrtpReceiver ();
  SrtpReceiver (const SrtpReceiver &) = delete;
  SrtpReceiver & operator= (const SrtpReceiver &) = delete;

  /* True when gst-plugins-bad's srtpdec is installed. */
  static bool available ();

  /* Decrypts under @keys from now on. False with @error without srtpdec or when the key does
   * not fit its suite. */
  bool init (const MikeyKeys & keys, std::string * error);

  /* The clear packet of one SRTP packet (SRTCP with @rtcp), transfer full; NULL when srtpdec
   * drops it: failed authentication, a replay, too short, an SSRC without a key. */
  GstBuffer * unprotect (const uint8_t * data, size_t size, bool rtcp);

  uint64_t accepted () const { return accepted_; }
  uint64_t rejected () const { return rejected_; }

private:
  static GstCaps * on_request_key (GstElement * dec, guint ssrc, gpointer self);
  static GstFlowReturn on_output (GstPad * pad, GstObject * parent, GstBuffer * buffer);
  static gboolean on_event (GstPad * pad, GstObject * parent, GstEvent * event);
  void teardown ();

  MikeyKeys keys_;
  std::optional<SrtpSsrcPolicy> ssrcs_;
  GstElement *dec_ = nullptr;
  GstPad *rtp_in_ = nullptr, *rtcp_in_ = nullptr;     // ours, linked to srtpdec's sinks
  GstPad *rtp_out_ = nullptr, *rtcp_out_ = nullptr;   // ours, linked from srtpdec's sources
  GstBuffer *result_ = nullptr;                      // what srtpdec pushed for the packet in
  uint64_t accepted_ = 0, rejected_ = 0;
};

}  // namespace meet
