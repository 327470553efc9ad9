/* meetstream: TLS certificates for rtsps:// (GIO's TLS, glib-networking's GnuTLS backend).
 *
 * Both sides: the server loads its PEM certificate and key; both show a certificate's SHA-256
 * fingerprint (what meetsrv's join line carries and a client pins); a client decides whether to
 * trust the server's certificate, against the system's trust store, a CA file, or a pinned
 * fingerprint, and when it does not, says exactly what failed (expired, unknown CA, another name,
 * another fingerprint - naming the one seen). GIO does the chain and name checks
 * (g_tls_database_verify_chain); this adds the pinning, which GIO does not have, and the wording.
 */
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <string>
#include <vector>

namespace meet {

/* The certificate (and private key) of PEM files, transfer full; @key_file empty when
 * @cert_file holds both. NULL with @error naming the file and what is wrong with it. */
GTlsCertificate * tls_certificate_load (const std::string & cert_file,
    const std::string & key_file, std::string * error);
/* The same from PEM text (certificate and key concatenated). */
GTlsCertificate * tls_certificate_from_pem (const std::string & pem, std::string * error);
/* True when the certificate carries its private key (a server needs it). */
bool tls_certificate_has_key (GTlsCertificate * cert);

/* The SHA-256 fingerprint of @cert's DER: "sha256:AB:CD:..." (32 upper-case hex pairs joined
 * by colons, the form `openssl x509 -fingerprint -sha256` prints, with a "sha256:" prefix).
 * Empty when the certificate has no DER. */
std::string tls_certificate_fingerprint (GTlsCertificate * cert);
std::string tls_fingerprint_of_der (const uint8_t * der, size_t size);

/* Parses a SHA-256 fingerprint as a user may paste it: "sha256:AB:CD:...", "SHA256=abcd...",
 * openssl's "sha256 Fingerprint=AB:CD:...", or 64 bare hex digits; upper or lower case, with
 * colons, spaces or dashes between the bytes or none. False for anything else (another digest,
 * a wrong length, a stray character). */
bool tls_fingerprint_parse (const std::string & text, std::vector<uint8_t> * digest);
/* The canonical "sha256:AB:CD:..." form of @text, empty when it does not parse. */
std::string tls_fingerprint_normalize (const std::string & text);
/* True when both parse and name the same digest. */
bool tls_fingerprint_equal (const std::string & a, const std::string & b);

/* "expired, unknown certificate authority": GIO's verification flags in words. */
std::string tls_flags_describe (GTlsCertificateFlags flags);

/* How a client decides to trust the server's certificate. */
struct TlsTrust {
  enum class Mode {
    SYSTEM,        // the system's CA store (Debian: ca-certificates), and the host name
    CA_FILE,       // only the CAs of @ca_file (PEM), and the host name
    FINGERPRINT,   // exactly the certificate of @fingerprint; CA and name do not matter
  };
  Mode mode = Mode::SYSTEM;
  std::string ca_file;
  std::string fingerprint;
};

class TlsPeerVerifier {
public:
  TlsPeerVerifier () = default;
  ~TlsPeerVerifier ();
  TlsPeerVerifier (const TlsPeerVerifier &) = delete;
  TlsPeerVerifier & operator= (const TlsPeerVerifier &) = delete;

  /* Loads the CA file or parses the fingerprint. False with @error when it cannot (a CA file
   * that does not open or holds no certificate, a fingerprint that does not parse). */
  bool init (const TlsTrust & trust, std::string * error);

  /* The database to set on a GTlsClientConnection (CA file or system store), not owned; NULL
   * before init. */
  GTlsDatabase * database () const { return database_; }
  const TlsTrust & trust () const { return trust_; }

  /* The decision on @peer given the problems GIO found with it (@errors, as accept-certificate
   * reports them; 0 after a handshake that found none): pinned, the fingerprint must match and
   * the certificate be within its validity; otherwise there must be no problem at all. False
   * with @message naming what failed, e.g. "the server's certificate has expired (valid until
   * 2001-01-01 00:00 UTC)" or "the server's certificate fingerprint sha256:12:... is not the
   * expected sha256:AB:...". */
  bool accept (GTlsCertificate * peer, GTlsCertificateFlags errors, const std::string & host,
      std::string * message) const;

  /* The problems the database finds with @peer for @host (chain, validity, name): what a
   * handshake would report. */
  GTlsCertificateFlags check (GTlsCertificate * peer, const std::string & host) const;

  /* check() then accept(): the whole decision without a connection. */
  bool verify (GTlsCertificate * peer, const std::string & host, std::string * message) const;

private:
  TlsTrust trust_;
  std::string fingerprint_;   // normalized
  GTlsDatabase *database_ = nullptr;
};

}  // namespace meet
