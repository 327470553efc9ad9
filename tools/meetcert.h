/* meetstream: the launchers' TLS certificate. meetsrv serves rtsps:// with a certificate of its
 * own unless given one: made on first run (ECDSA P-256, self-signed) under
 * $XDG_CONFIG_HOME/meetstream/ (default ~/.config/meetstream/), the directory 0700 and the key
 * 0600, and reused afterwards, so its fingerprint - what participants pin - stays the same from one
 * meeting to the next. GnuTLS (the library glib-networking's TLS already uses) makes the
 * certificates; the tests use the same code to make CAs, expired certificates and the like.
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meet {

struct CertificateSpec {
  std::string common_name = "meetstream";
  std::vector<std::string> dns_names;      // subjectAltName dNSName entries
  std::vector<std::string> ip_addresses;   // subjectAltName iPAddress entries ("127.0.0.1", "::1")
  int64_t not_before = 0;                  // Unix seconds; 0: an hour ago
  int64_t not_after = 0;                   // Unix seconds; 0: not_before + 5 years
  bool is_ca = false;                      // a CA certificate (basicConstraints CA:TRUE)
  /* The issuer, PEM; both empty for a self-signed certificate. */
  std::string issuer_cert_pem;
  std::string issuer_key_pem;
};

struct CertificatePem {
  std::string cert;   // "-----BEGIN CERTIFICATE-----..."
  std::string key;    // "-----BEGIN PRIVATE KEY-----..." (PKCS#8, unencrypted)
};

/* Makes a key and a certificate for it. False with @error on a GnuTLS failure or a bad spec
 * (an IP address that does not parse, an issuer that does not load). */
bool make_certificate (const CertificateSpec & spec, CertificatePem * out, std::string * error);

/* The "sha256:AB:CD:..." fingerprint of a PEM certificate (the first of @pem); empty when it
 * does not parse. */
std::string pem_certificate_fingerprint (const std::string & pem);

/* $XDG_CONFIG_HOME/meetstream, or ~/.config/meetstream when XDG_CONFIG_HOME is unset or not
 * absolute (the XDG base directory rule). */
std::string meet_config_dir ();

struct LauncherCertificate {
  std::string cert_file;     // DIR/server.crt
  std::string key_file;      // DIR/server.key
  std::string fingerprint;   // sha256:...
  bool created = false;      // made just now (first run, or the old one had expired)
  std::string note;          // what was done besides, e.g. permissions tightened; may be empty
};

/* The launcher's certificate in @dir: reused when DIR/server.crt and DIR/server.key are there,
 * match and are valid for at least another day; otherwise made anew (names: this host's name,
 * localhost, 127.0.0.1, ::1 and @extra_names). Creates @dir 0700 and the key 0600 (written to a
 * temporary file and renamed, so a crash never leaves half a key); a directory or key open to
 * others is tightened (and said in @note). False with @error naming the path that failed. */
bool ensure_launcher_certificate (const std::string & dir, LauncherCertificate * out,
    std::string * error, const std::vector<std::string> & extra_names = {});

}  // namespace meet
