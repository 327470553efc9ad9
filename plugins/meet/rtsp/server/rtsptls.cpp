/* meetstream: rtsps:// in meetrtspsink (see rtsptls.h). */
#include "rtsptls.h"

#include "tlscerts.h"

#include <gst/rtsp/rtsp.h>

#include <errno.h>
#include <sys/socket.h>

namespace meet {

const char *
rtsp_encryption_name (RtspEncryption e)
{
  switch (e) {
    case RtspEncryption::kNone: return "none";
    case RtspEncryption::kOptional: return "optional";
    case RtspEncryption::kRequired: return "required";
  }
  return "none";
}

FirstByte
classify_first_byte (uint8_t byte)
{
  return byte == 0x16 ? FirstByte::kTls : FirstByte::kPlain;
}

FirstByte
classify_opening (const uint8_t * data, size_t size)
{
  if (size == 0)
    return FirstByte::kPending;
  if (classify_first_byte (data[0]) == FirstByte::kPlain)
    return FirstByte::kPlain;
  if (size < 5)
    return FirstByte::kTlsIncomplete;
  size_t record = 5 + ((static_cast<size_t> (data[3]) << 8) | data[4]);
  return record <= kTlsMaxRecord && size < record ? FirstByte::kTlsIncomplete : FirstByte::kTls;
}

FirstByte
peek_opening (GSocket * socket)
{
  uint8_t bytes[kTlsMaxRecord];
  ssize_t n;
  do {
    n = recv (g_socket_get_fd (socket), bytes, sizeof (bytes), MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0)
    return classify_opening (bytes, static_cast<size_t> (n));
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return FirstByte::kPending;
  return FirstByte::kClosed;
}

std::string
encryption_required_response (const RtspRequest & request)
{
  std::string out = "RTSP/1.0 403 Forbidden: this server requires rtsps:// (TLS)\r\n";
  if (const std::string *cseq = request.header ("CSeq"))
    out += "CSeq: " + *cseq + "\r\n";
  out += "Server: meetstream\r\nConnection: close\r\n\r\n";
  return out;
}

bool
restrict_to_interleaved (RtspRequest & request, std::string * refusal)
{
  if (request.method != "SETUP")
    return true;
  std::string *value = nullptr;
  for (auto & h : request.headers)
    if (g_ascii_strcasecmp (h.first.c_str (), "Transport") == 0) {
      value = &h.second;
      break;
    }
  std::string kept;
  if (value) {
    gchar **specs = g_strsplit (value->c_str (), ",", 16);
    for (gchar **s = specs; *s; s++) {
      gchar *spec = g_strstrip (*s);
      GstRTSPTransport *t = nullptr;
      gst_rtsp_transport_new (&t);
      /* SRTP over UDP: unicast, or the server's SRTP multicast group. */
      if (gst_rtsp_transport_parse (spec, t) == GST_RTSP_OK
          && (t->lower_transport == GST_RTSP_LOWER_TRANS_TCP
              || ((t->lower_transport == GST_RTSP_LOWER_TRANS_UDP
                      || t->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST)
                  && t->profile == GST_RTSP_PROFILE_SAVP)))
        kept += (kept.empty () ? "" : ",") + std::string (spec);
      gst_rtsp_transport_free (t);
    }
    g_strfreev (specs);
  }
  if (!kept.empty ()) {
    *value = kept;
    return true;
  }
  /* Plain RTP/AVP over UDP (unicast or multicast) would carry the media in clear: the reason
   * phrase and a body say what a TLS client can have instead. */
  const std::string why = "media over rtsps:// goes as RTP/SAVP (SRTP) over UDP or multicast, "
      "or interleaved inside TLS (RTP/AVP/TCP); plain RTP/AVP over UDP is refused\r\n";
  *refusal = "RTSP/1.0 461 Unsupported Transport: use RTP/SAVP or TCP over rtsps://\r\n";
  if (const std::string *cseq = request.header ("CSeq"))
    *refusal += "CSeq: " + *cseq + "\r\n";
  *refusal += "Server: meetstream\r\nContent-Type: text/plain\r\nContent-Length: "
      + std::to_string (why.size ()) + "\r\n\r\n" + why;
  return false;
}

GTlsConnection *
tls_server_connection_new (GSocket * socket, GTlsCertificate * cert, std::string * error)
{
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ())) {
    *error = "GIO has no TLS backend (install glib-networking)";
    return nullptr;
  }
  GSocketConnection *base = g_socket_connection_factory_create_connection (socket);
  GError *err = nullptr;
  /* No certificate database: g_tls_server_connection_new() leaves "database" unset, and GnuTLS
   * then parses the whole system trust store (about 140 CA certificates, some 20 ms of CPU)
   * for every connection, on the server thread, before the handshake even starts. A server
   * that asks no client certificate never looks anything up in it. */
  GInitable *tls = static_cast<GInitable *> (g_initable_new (
          g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()), nullptr, &err,
          "base-io-stream", base, "certificate", cert, "database", static_cast<GTlsDatabase *> (nullptr),
          "authentication-mode", G_TLS_AUTHENTICATION_NONE, nullptr));
  g_object_unref (base);
  if (!tls) {
    *error = std::string ("cannot start TLS: ") + (err ? err->message : "?");
    g_clear_error (&err);
    return nullptr;
  }
  return G_TLS_CONNECTION (tls);
}

bool
rtsp_tls_certificate_for (const RtspTlsSettings & settings, GTlsCertificate ** cert,
    std::string * error)
{
  *cert = nullptr;
  bool files = !settings.cert_file.empty () || !settings.key_file.empty ();
  bool given = files || settings.certificate;
  if (settings.encryption == RtspEncryption::kNone) {
    if (given) {
      *error = "a TLS certificate is set but encryption=none: set encryption=optional (rtsp:// "
          "and rtsps://) or required (rtsps:// only), or unset the certificate";
      return false;
    }
    return true;
  }
  if (!given) {
    *error = std::string ("encryption=") + rtsp_encryption_name (settings.encryption)
        + " needs a certificate: set tls-cert-file and tls-key-file (PEM), or tls-certificate";
    return false;
  }
  if (files && settings.certificate) {
    *error = "both tls-certificate and tls-cert-file/tls-key-file are set: keep one";
    return false;
  }
  if (settings.certificate) {
    if (!tls_certificate_has_key (settings.certificate)) {
      *error = "tls-certificate has no private key: a server needs it";
      return false;
    }
    *cert = G_TLS_CERTIFICATE (g_object_ref (settings.certificate));
    return true;
  }
  if (settings.cert_file.empty ()) {
    *error = "tls-key-file is set without tls-cert-file";
    return false;
  }
  *cert = tls_certificate_load (settings.cert_file, settings.key_file, error);
  return *cert != nullptr;
}

}  // namespace meet
