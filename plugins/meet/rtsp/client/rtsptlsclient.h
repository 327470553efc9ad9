/* meetstream: rtsps:// for the RTSP clients (meetrtspsrc, meetrtspclientsink).
 *
 * GstRTSPConnection does TLS itself when its URL says rtsps:// (GSocketClient with TLS, the
 * handshake inside the connect); this sets the trust on it - the CA file's or the system's
 * database, an accept-certificate function that asks TlsPeerVerifier (common/tlscerts.h) - and,
 * after the handshake, checks the certificate once more, since a pin must hold even when the
 * system store trusts the certificate (GIO then never asks). A refusal carries the verifier's
 * sentence (what failed, the fingerprint seen). An rtsps:// location is never tried in clear:
 * the request URI (which GStreamer always writes as rtsp://) does not decide, this config does.
 *
 * Plain C++ over GIO, not a GObject.
 */
#pragma once

#include "tlscerts.h"

#include <gst/rtsp/rtsp.h>

#include <cstdint>
#include <string>

namespace meet {

struct RtspTlsConfig {
  bool enabled = false;   /* the location is rtsps:// */
  TlsTrust trust;
};

/* True for an rtsps:// location (any case). */
bool rtsp_location_is_tls (const std::string &location);

/* The config of a client's properties: TLS when @location is rtsps://; pinned when
 * @fingerprint is set, else the CA file when set, else the system store. */
RtspTlsConfig rtsp_tls_config (const std::string &location, const std::string &ca_file,
    const std::string &fingerprint);

/* Checks the config before any connection (a fingerprint that does not parse, a CA file that
 * cannot be read): false with @error, a sentence for the user. True when TLS is off. */
bool rtsp_tls_config_check (const RtspTlsConfig &tls, std::string &error);

/* Creates and connects a GstRTSPConnection to @uri within @timeout_us, over TLS when
 * @tls.enabled whatever @uri's scheme. nullptr with a sentence in @reason; @refused (may be
 * NULL) is then true when retrying cannot help: the certificate was refused, or the server
 * answered TCP but not the TLS handshake (a plain RTSP server behind an rtsps:// URL). */
GstRTSPConnection *rtsp_client_connect (const std::string &uri, const RtspTlsConfig &tls,
    int64_t timeout_us, std::string &reason, bool *refused);

}  // namespace meet
