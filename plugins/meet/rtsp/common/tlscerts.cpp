/* meetstream: TLS certificates, fingerprints and the client's trust decision (see tlscerts.h). */
#include "tlscerts.h"
#include "rtsptext.h"

#include <cstring>

namespace meet {

namespace {

std::string
take_error (GError * err, const char * fallback)
{
  std::string message = err && err->message ? err->message : fallback;
  g_clear_error (&err);
  return message;
}

/* "2001-01-01 00:00 UTC" */
std::string
format_time (GDateTime * when)
{
  if (!when)
    return "?";
  gchar *text = g_date_time_format (when, "%Y-%m-%d %H:%M UTC");
  std::string s = text ? text : "?";
  g_free (text);
  return s;
}

std::string
subject_of (GTlsCertificate * cert)
{
  gchar *subject = g_tls_certificate_get_subject_name (cert);
  std::string s = subject ? subject : "";
  g_free (subject);
  return s;
}

}  // namespace

GTlsCertificate *
tls_certificate_load (const std::string & cert_file, const std::string & key_file,
    std::string * error)
{
  if (cert_file.empty ()) {
    *error = "no certificate file given";
    return nullptr;
  }
  GError *err = nullptr;
  GTlsCertificate *cert = key_file.empty ()
      ? g_tls_certificate_new_from_file (cert_file.c_str (), &err)
      : g_tls_certificate_new_from_files (cert_file.c_str (), key_file.c_str (), &err);
  if (!cert) {
    *error = "cannot load the TLS certificate " + cert_file
        + (key_file.empty () ? "" : " with the key " + key_file) + ": "
        + take_error (err, "unreadable");
    return nullptr;
  }
  if (!tls_certificate_has_key (cert)) {
    *error = "the TLS certificate " + cert_file + " has no private key (give the key file)";
    g_object_unref (cert);
    return nullptr;
  }
  return cert;
}

GTlsCertificate *
tls_certificate_from_pem (const std::string & pem, std::string * error)
{
  GError *err = nullptr;
  GTlsCertificate *cert = g_tls_certificate_new_from_pem (pem.c_str (),
      static_cast<gssize> (pem.size ()), &err);
  if (!cert)
    *error = "not a PEM certificate and key: " + take_error (err, "unreadable");
  return cert;
}

bool
tls_certificate_has_key (GTlsCertificate * cert)
{
  if (!cert)
    return false;
  /* "private-key" is readable since GLib 2.70 (Debian 12 has 2.74). */
  GByteArray *key = nullptr;
  g_object_get (cert, "private-key", &key, nullptr);
  bool has = key && key->len > 0;
  if (key)
    g_byte_array_unref (key);
  if (has)
    return true;
  gchar *uri = nullptr;
  g_object_get (cert, "private-key-pkcs11-uri", &uri, nullptr);
  has = uri && *uri;
  g_free (uri);
  return has;
}

std::string
tls_fingerprint_of_der (const uint8_t * der, size_t size)
{
  if (!der || size == 0)
    return "";
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, der, static_cast<gssize> (size));
  guint8 digest[32];
  gsize len = sizeof (digest);
  g_checksum_get_digest (sum, digest, &len);
  g_checksum_free (sum);
  static const char hex[] = "0123456789ABCDEF";
  std::string out = "sha256:";
  for (gsize i = 0; i < len; i++) {
    if (i)
      out += ':';
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string
tls_certificate_fingerprint (GTlsCertificate * cert)
{
  if (!cert)
    return "";
  GByteArray *der = nullptr;
  g_object_get (cert, "certificate", &der, nullptr);
  if (!der)
    return "";
  std::string fp = tls_fingerprint_of_der (der->data, der->len);
  g_byte_array_unref (der);
  return fp;
}

bool
tls_fingerprint_parse (const std::string & text, std::vector<uint8_t> * digest)
{
  std::string s;
  for (char c : rtsp_trim (text))
    s += g_ascii_tolower (c);
  if (s.empty ())
    return false;
  /* Prefixes: "sha256:", "sha256=", "sha-256:", "sha256 fingerprint=". */
  for (const char *prefix : {"sha256 fingerprint=", "sha256:", "sha256=", "sha-256:",
           "sha-256=", "sha256 "}) {
    if (s.compare (0, strlen (prefix), prefix) == 0) {
      s = s.substr (strlen (prefix));
      break;
    }
  }
  std::string hexdigits;
  for (size_t i = 0; i < s.size (); i++) {
    char c = s[i];
    if (g_ascii_isxdigit (c)) {
      hexdigits += c;
    } else if (c == ':' || c == ' ' || c == '-') {
      /* A separator only between two byte pairs. */
      if (hexdigits.empty () || hexdigits.size () % 2 != 0 || i + 1 >= s.size ()
          || !g_ascii_isxdigit (s[i + 1]))
        return false;
    } else {
      return false;
    }
  }
  if (hexdigits.size () != 64)
    return false;
  digest->resize (32);
  for (size_t i = 0; i < 32; i++)
    (*digest)[i] = static_cast<uint8_t> ((g_ascii_xdigit_value (hexdigits[2 * i]) << 4)
        | g_ascii_xdigit_value (hexdigits[2 * i + 1]));
  return true;
}

std::string
tls_fingerprint_normalize (const std::string & text)
{
  std::vector<uint8_t> digest;
  if (!tls_fingerprint_parse (text, &digest))
    return "";
  static const char hex[] = "0123456789ABCDEF";
  std::string out = "sha256:";
  for (size_t i = 0; i < digest.size (); i++) {
    if (i)
      out += ':';
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

bool
tls_fingerprint_equal (const std::string & a, const std::string & b)
{
  std::vector<uint8_t> da, db;
  return tls_fingerprint_parse (a, &da) && tls_fingerprint_parse (b, &db) && da == db;
}

std::string
tls_flags_describe (GTlsCertificateFlags flags)
{
  static const struct {
    GTlsCertificateFlags flag;
    const char *words;
  } names[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA, "signed by an unknown certificate authority"},
    {G_TLS_CERTIFICATE_BAD_IDENTITY, "issued for another name"},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet"},
    {G_TLS_CERTIFICATE_EXPIRED, "expired"},
    {G_TLS_CERTIFICATE_REVOKED, "revoked"},
    {G_TLS_CERTIFICATE_INSECURE, "insecure (weak algorithm)"},
    {G_TLS_CERTIFICATE_GENERIC_ERROR, "invalid"},
  };
  std::string out;
  for (const auto & n : names) {
    if (flags & n.flag)
      out += (out.empty () ? "" : ", ") + std::string (n.words);
  }
  return out;
}

TlsPeerVerifier::~TlsPeerVerifier ()
{
  if (database_)
    g_object_unref (database_);
}

bool
TlsPeerVerifier::init (const TlsTrust & trust, std::string * error)
{
  trust_ = trust;
  fingerprint_.clear ();
  g_clear_object (&database_);
  switch (trust.mode) {
    case TlsTrust::Mode::FINGERPRINT:
      fingerprint_ = tls_fingerprint_normalize (trust.fingerprint);
      if (fingerprint_.empty ()) {
        *error = "'" + trust.fingerprint + "' is not a SHA-256 fingerprint "
            "(sha256: and 32 hex pairs, e.g. sha256:AB:CD:...)";
        return false;
      }
      /* Pinned: the system store is still what a handshake checks against (its errors are
       * then overruled by the fingerprint). */
      database_ = g_tls_backend_get_default_database (g_tls_backend_get_default ());
      break;
    case TlsTrust::Mode::CA_FILE: {
      if (trust.ca_file.empty ()) {
        *error = "no CA file given";
        return false;
      }
      GError *err = nullptr;
      GList *list = g_tls_certificate_list_new_from_file (trust.ca_file.c_str (), &err);
      if (err || !list) {
        *error = "cannot read the CA file " + trust.ca_file + ": "
            + take_error (err, "it holds no PEM certificate");
        g_list_free_full (list, g_object_unref);
        return false;
      }
      g_list_free_full (list, g_object_unref);
      database_ = g_tls_file_database_new (trust.ca_file.c_str (), &err);
      if (!database_) {
        *error = "cannot use the CA file " + trust.ca_file + ": " + take_error (err, "unusable");
        return false;
      }
      break;
    }
    case TlsTrust::Mode::SYSTEM:
      database_ = g_tls_backend_get_default_database (g_tls_backend_get_default ());
      if (!database_) {
        *error = "this system has no TLS trust store (install glib-networking and "
            "ca-certificates, or give a CA file or a fingerprint)";
        return false;
      }
      break;
  }
  return true;
}

GTlsCertificateFlags
TlsPeerVerifier::check (GTlsCertificate * peer, const std::string & host) const
{
  if (!peer || !database_)
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  GSocketConnectable *identity = host.empty () ? nullptr : g_network_address_new (host.c_str (), 0);
  GError *err = nullptr;
  GTlsCertificateFlags flags = g_tls_database_verify_chain (database_, peer,
      G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity, nullptr,
      G_TLS_DATABASE_VERIFY_NONE, nullptr, &err);
  if (err) {
    flags = static_cast<GTlsCertificateFlags> (flags | G_TLS_CERTIFICATE_GENERIC_ERROR);
    g_clear_error (&err);
  }
  if (identity)
    g_object_unref (identity);
  return flags;
}

bool
TlsPeerVerifier::accept (GTlsCertificate * peer, GTlsCertificateFlags errors,
    const std::string & host, std::string * message) const
{
  if (!peer) {
    *message = "the server presented no certificate";
    return false;
  }
  const std::string seen = tls_certificate_fingerprint (peer);
  const std::string subject = subject_of (peer);
  const std::string who = "the server's certificate" + (subject.empty () ? "" : " (" + subject + ")");

  /* GIO reports at least one problem but not necessarily all (GLib >= 2.72): validity is
   * checked here too, so an expired certificate is called expired whatever else is wrong. */
  GDateTime *now = g_date_time_new_now_utc ();
  GDateTime *before = g_tls_certificate_get_not_valid_before (peer);
  GDateTime *after = g_tls_certificate_get_not_valid_after (peer);
  std::string validity;
  if (after && g_date_time_compare (now, after) > 0)
    validity = who + " has expired (valid until " + format_time (after) + ")";
  else if (before && g_date_time_compare (now, before) < 0)
    validity = who + " is not valid yet (valid from " + format_time (before) + ")";
  if (before)
    g_date_time_unref (before);
  if (after)
    g_date_time_unref (after);
  g_date_time_unref (now);

  if (trust_.mode == TlsTrust::Mode::FINGERPRINT) {
    if (!tls_fingerprint_equal (seen, fingerprint_)) {
      *message = "the server's certificate fingerprint " + (seen.empty () ? "(none)" : seen)
          + " is not the expected " + fingerprint_ + ": another server, or someone in between";
      return false;
    }
    if (!validity.empty ()) {
      *message = validity;
      return false;
    }
    if (errors & (G_TLS_CERTIFICATE_REVOKED | G_TLS_CERTIFICATE_INSECURE)) {
      *message = who + " is " + tls_flags_describe (static_cast<GTlsCertificateFlags> (
          errors & (G_TLS_CERTIFICATE_REVOKED | G_TLS_CERTIFICATE_INSECURE)));
      return false;
    }
    return true;
  }

  if (!validity.empty ()) {
    *message = validity + "; fingerprint " + seen;
    return false;
  }
  errors = static_cast<GTlsCertificateFlags> (errors
      & ~(G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED));
  if (errors == 0)
    return true;
  std::string what;
  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    what = trust_.mode == TlsTrust::Mode::CA_FILE
        ? "is not signed by a CA of " + trust_.ca_file
        : "is signed by an unknown certificate authority (not in the system store)";
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    what += (what.empty () ? "" : " and ") + std::string ("is not issued for ")
        + (host.empty () ? "this server's name" : host);
  GTlsCertificateFlags rest = static_cast<GTlsCertificateFlags> (errors
      & ~(G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY));
  if (rest)
    what += (what.empty () ? "is " : " and is ") + tls_flags_describe (rest);
  *message = who + " " + what + "; fingerprint " + seen
      + (errors & G_TLS_CERTIFICATE_UNKNOWN_CA
          ? " (to trust this server anyway, pin it: tls-fingerprint=" + seen + ")" : "");
  return false;
}

bool
TlsPeerVerifier::verify (GTlsCertificate * peer, const std::string & host,
    std::string * message) const
{
  GTlsCertificateFlags flags = trust_.mode == TlsTrust::Mode::FINGERPRINT
      ? static_cast<GTlsCertificateFlags> (0) : check (peer, host);
  return accept (peer, flags, host, message);
}

}  // namespace meet
