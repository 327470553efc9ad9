/* meetstream: rtsps:// in meetrtspsink: TLS on the RTSP port beside plain RTSP.
 *
 * One port serves both (encryption=optional) or TLS only (encryption=required): the first byte a
 * client sends tells them apart - a TLS connection opens with a handshake record (content type
 * 22, 0x16), an RTSP request with a method name in ASCII letters - so the server peeks at it
 * before choosing. A plain client of a server that requires TLS gets a readable RTSP answer,
 * not a failed handshake. GIO (GTlsServerConnection over the accepted socket) does TLS itself;
 * this holds the decisions around it, unit-tested without sockets where they need none.
 */
#pragma once

#include "rtsprequestparser.h"

#include <gio/gio.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace meet {

enum class RtspEncryption {
  kNone,       // plain RTSP only (no certificate needed)
  kOptional,   // plain RTSP and rtsps:// on the same port
  kRequired,   // rtsps:// only; plain RTSP is answered 403 and closed
};

/* "none", "optional", "required". */
const char * rtsp_encryption_name (RtspEncryption e);

/* What the first bytes of a new connection say. */
enum class FirstByte {
  kPending,        // nothing arrived yet
  kClosed,         // the client hung up (or the socket failed) before sending anything
  kTls,            // a TLS handshake record, all of it here (the ClientHello)
  kTlsIncomplete,  // a TLS handshake record still arriving
  kPlain,          // anything else: RTSP (or garbage, which the RTSP parser answers)
};

/* Classifies the byte: 0x16 (TLS handshake content type) is TLS; everything else plain. SSL 2.0
 * compatible hellos (first byte with the high bit set) are not TLS any client still sends. */
FirstByte classify_first_byte (uint8_t byte);

/* The longest record TLS allows (2^14 + 2048 bytes of fragment, RFC 5246 6.2.3) with its
 * 5-byte header: a record announcing more is handed to TLS at once, which refuses it. */
constexpr size_t kTlsMaxRecord = 5 + 16384 + 2048;

/* Classifies what arrived so far (@size bytes at @data): a TLS client is kTlsIncomplete until
 * its first record (5-byte header, then as many bytes as the header announces) is all here.
 * GIO runs each TLS handshake in a thread of GLib's shared pool (10 threads), blocking on the
 * client: a client that stops after its first bytes must not hold one of them, so the
 * handshake only starts once the ClientHello is in. */
FirstByte classify_opening (const uint8_t * data, size_t size);

/* Peeks at what @socket received (MSG_PEEK: nothing consumed) and classifies it. Never blocks. */
FirstByte peek_opening (GSocket * socket);

/* The answer to a plain-RTSP request on a server that requires TLS: 403 with a reason phrase a
 * user reads in their player ("Forbidden: this server requires rtsps:// (TLS)"), the request's
 * CSeq, and the connection closed. */
std::string encryption_required_response (const RtspRequest & request);

/* For a SETUP on a TLS connection: media never leaves in clear, so it keeps the interleaved-TCP
 * alternatives of the Transport header (inside TLS) and the RTP/SAVP UDP ones, unicast and
 * multicast (SRTP, srtpsender.h). False, with @refusal (461 Unsupported Transport with a reason
 * a user can read, CSeq copied) when it offers none: the client then retries over TCP, as
 * rtspsrc and ffmpeg do. Requests other than SETUP pass unchanged. */
bool restrict_to_interleaved (RtspRequest & request, std::string * refusal);

/* A server TLS connection over @socket (a GSocketConnection around it), presenting @cert;
 * no client certificates asked, hence no certificate database (none is loaded). NULL with @error when GIO has no TLS backend
 * (glib-networking) or the certificate has no key. */
GTlsConnection * tls_server_connection_new (GSocket * socket, GTlsCertificate * cert,
    std::string * error);

/* What the element was given (its tls-* and encryption properties). */
struct RtspTlsSettings {
  RtspEncryption encryption = RtspEncryption::kNone;
  std::string cert_file;                  // PEM; may hold the key too
  std::string key_file;                   // PEM; empty: in cert_file
  GTlsCertificate *certificate = nullptr;  // instead of the files (not owned)
};

/* The certificate the server presents (transfer full), or NULL when it serves plain RTSP only.
 * False with @error, a sentence saying what to set, when the settings do not fit together:
 * encryption without a certificate, a certificate with encryption=none, both files and a
 * GTlsCertificate, a file that does not load, a certificate without its private key. */
bool rtsp_tls_certificate_for (const RtspTlsSettings & settings, GTlsCertificate ** cert,
    std::string * error);

}  // namespace meet
