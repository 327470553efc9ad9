/* meetstream: the launchers' TLS certificate (see meetcert.h). */
#include "meetcert.h"

#include "tlscerts.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace meet {

namespace {

constexpr int64_t kValidity = 5LL * 365 * 24 * 3600;
constexpr int64_t kRenewBefore = 24 * 3600;

/* RAII for the GnuTLS handles. */
struct Crt {
  gnutls_x509_crt_t h = nullptr;
  Crt () { gnutls_x509_crt_init (&h); }
  ~Crt () { if (h) gnutls_x509_crt_deinit (h); }
};
struct Key {
  gnutls_x509_privkey_t h = nullptr;
  Key () { gnutls_x509_privkey_init (&h); }
  ~Key () { if (h) gnutls_x509_privkey_deinit (h); }
};

bool
failed (int rc, const char * what, std::string * error)
{
  if (rc >= 0)
    return false;
  *error = std::string (what) + ": " + gnutls_strerror (rc);
  return true;
}

gnutls_datum_t
datum (const std::string & s)
{
  gnutls_datum_t d;
  d.data = reinterpret_cast<unsigned char *> (const_cast<char *> (s.data ()));
  d.size = static_cast<unsigned int> (s.size ());
  return d;
}

std::string
take (gnutls_datum_t & d)
{
  std::string s (reinterpret_cast<const char *> (d.data), d.size);
  gnutls_free (d.data);
  d.data = nullptr;
  return s;
}

bool
read_file (const std::string & path, std::string * contents)
{
  gchar *data = nullptr;
  gsize size = 0;
  if (!g_file_get_contents (path.c_str (), &data, &size, nullptr))
    return false;
  contents->assign (data, size);
  g_free (data);
  return true;
}

/* Writes @contents to @path with @mode, through a temporary file renamed over it. */
bool
write_private (const std::string & path, const std::string & contents, mode_t mode,
    std::string * error)
{
  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> name (tmp.begin (), tmp.end ());
  name.push_back ('\0');
  int fd = mkstemp (name.data ());   // 0600 already
  if (fd < 0) {
    *error = "cannot create " + path + ": " + g_strerror (errno);
    return false;
  }
  bool ok = fchmod (fd, mode) == 0;
  size_t done = 0;
  while (ok && done < contents.size ()) {
    ssize_t n = write (fd, contents.data () + done, contents.size () - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<size_t> (n);
  }
  ok = ok && fsync (fd) == 0;
  int saved = errno;
  close (fd);
  if (ok && rename (name.data (), path.c_str ()) == 0)
    return true;
  saved = errno ? errno : saved;
  unlink (name.data ());
  *error = "cannot write " + path + ": " + g_strerror (saved);
  return false;
}

/* Tightens @path to @mode when it is open to group or others. */
bool
tighten (const std::string & path, mode_t mode, std::string * note, std::string * error)
{
  struct stat st;
  if (stat (path.c_str (), &st) != 0) {
    *error = "cannot stat " + path + ": " + g_strerror (errno);
    return false;
  }
  if (st.st_uid != getuid ()) {
    *error = path + " belongs to another user";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    if (chmod (path.c_str (), mode) != 0) {
      *error = "cannot restrict " + path + ": " + g_strerror (errno);
      return false;
    }
    char buf[64];
    snprintf (buf, sizeof buf, "%o", static_cast<unsigned> (mode));
    *note += (note->empty () ? "" : "; ") + path + " was open to others, now " + buf;
  }
  return true;
}

std::string
host_name ()
{
  char name[256] = {0};
  if (gethostname (name, sizeof name - 1) != 0)
    return "";
  return name;
}

/* The existing pair in @cert_file/@key_file is usable: both parse, belong together and the
 * certificate is valid for at least another day. */
bool
existing_usable (const std::string & cert_file, const std::string & key_file, std::string * pem)
{
  std::string cert_pem, key_pem;
  if (!read_file (cert_file, &cert_pem) || !read_file (key_file, &key_pem))
    return false;
  Crt crt;
  Key key;
  gnutls_datum_t c = datum (cert_pem), k = datum (key_pem);
  if (gnutls_x509_crt_import (crt.h, &c, GNUTLS_X509_FMT_PEM) < 0
      || gnutls_x509_privkey_import (key.h, &k, GNUTLS_X509_FMT_PEM) < 0)
    return false;
  unsigned char id1[64], id2[64];
  size_t n1 = sizeof id1, n2 = sizeof id2;
  if (gnutls_x509_crt_get_key_id (crt.h, 0, id1, &n1) < 0
      || gnutls_x509_privkey_get_key_id (key.h, 0, id2, &n2) < 0 || n1 != n2
      || memcmp (id1, id2, n1) != 0)
    return false;
  time_t now = time (nullptr);
  if (gnutls_x509_crt_get_expiration_time (crt.h) < now + kRenewBefore
      || gnutls_x509_crt_get_activation_time (crt.h) > now)
    return false;
  *pem = cert_pem;
  return true;
}

}  // namespace

bool
make_certificate (const CertificateSpec & spec, CertificatePem * out, std::string * error)
{
  Key key;
  Crt crt;
  if (failed (gnutls_x509_privkey_generate (key.h, GNUTLS_PK_ECDSA,
          GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), "key generation", error))
    return false;
  int64_t now = static_cast<int64_t> (time (nullptr));
  int64_t not_before = spec.not_before ? spec.not_before : now - 3600;
  int64_t not_after = spec.not_after ? spec.not_after : not_before + kValidity;
  unsigned char serial[16];
  if (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial) < 0) {
    *error = "no randomness for the serial number";
    return false;
  }
  serial[0] &= 0x7f;   // a positive INTEGER
  if (serial[0] == 0)
    serial[0] = 1;
  if (failed (gnutls_x509_crt_set_version (crt.h, 3), "version", error)
      || failed (gnutls_x509_crt_set_serial (crt.h, serial, sizeof serial), "serial", error)
      || failed (gnutls_x509_crt_set_activation_time (crt.h, static_cast<time_t> (not_before)),
          "activation time", error)
      || failed (gnutls_x509_crt_set_expiration_time (crt.h, static_cast<time_t> (not_after)),
          "expiration time", error)
      || failed (gnutls_x509_crt_set_dn_by_oid (crt.h, GNUTLS_OID_X520_COMMON_NAME, 0,
          spec.common_name.data (), static_cast<unsigned> (spec.common_name.size ())),
          "common name", error)
      || failed (gnutls_x509_crt_set_key (crt.h, key.h), "public key", error)
      || failed (gnutls_x509_crt_set_basic_constraints (crt.h, spec.is_ca ? 1 : 0, -1),
          "basic constraints", error))
    return false;
  unsigned usage = spec.is_ca ? (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
      | GNUTLS_KEY_DIGITAL_SIGNATURE) : GNUTLS_KEY_DIGITAL_SIGNATURE;
  if (failed (gnutls_x509_crt_set_key_usage (crt.h, usage), "key usage", error))
    return false;
  if (!spec.is_ca && failed (gnutls_x509_crt_set_key_purpose_oid (crt.h, GNUTLS_KP_TLS_WWW_SERVER,
          0), "key purpose", error))
    return false;
  for (const std::string & name : spec.dns_names) {
    if (failed (gnutls_x509_crt_set_subject_alt_name (crt.h, GNUTLS_SAN_DNSNAME, name.data (),
            static_cast<unsigned> (name.size ()), GNUTLS_FSAN_APPEND), "DNS name", error))
      return false;
  }
  for (const std::string & ip : spec.ip_addresses) {
    unsigned char addr[16];
    unsigned len = 0;
    if (inet_pton (AF_INET, ip.c_str (), addr) == 1)
      len = 4;
    else if (inet_pton (AF_INET6, ip.c_str (), addr) == 1)
      len = 16;
    if (!len) {
      *error = "'" + ip + "' is not an IP address";
      return false;
    }
    if (failed (gnutls_x509_crt_set_subject_alt_name (crt.h, GNUTLS_SAN_IPADDRESS, addr, len,
            GNUTLS_FSAN_APPEND), "IP address", error))
      return false;
  }
  unsigned char key_id[64];
  size_t key_id_len = sizeof key_id;
  if (failed (gnutls_x509_crt_get_key_id (crt.h, 0, key_id, &key_id_len), "key id", error)
      || failed (gnutls_x509_crt_set_subject_key_id (crt.h, key_id, key_id_len), "key id", error))
    return false;

  if (spec.issuer_cert_pem.empty ()) {
    if (failed (gnutls_x509_crt_sign2 (crt.h, crt.h, key.h, GNUTLS_DIG_SHA256, 0), "signing",
            error))
      return false;
  } else {
    Crt issuer;
    Key issuer_key;
    gnutls_datum_t c = datum (spec.issuer_cert_pem), k = datum (spec.issuer_key_pem);
    if (failed (gnutls_x509_crt_import (issuer.h, &c, GNUTLS_X509_FMT_PEM), "issuer certificate",
            error)
        || failed (gnutls_x509_privkey_import (issuer_key.h, &k, GNUTLS_X509_FMT_PEM),
            "issuer key", error))
      return false;
    unsigned char issuer_id[64];
    size_t issuer_id_len = sizeof issuer_id;
    if (gnutls_x509_crt_get_subject_key_id (issuer.h, issuer_id, &issuer_id_len, nullptr) >= 0)
      gnutls_x509_crt_set_authority_key_id (crt.h, issuer_id, issuer_id_len);
    if (failed (gnutls_x509_crt_sign2 (crt.h, issuer.h, issuer_key.h, GNUTLS_DIG_SHA256, 0),
            "signing", error))
      return false;
  }

  gnutls_datum_t d = {nullptr, 0};
  if (failed (gnutls_x509_crt_export2 (crt.h, GNUTLS_X509_FMT_PEM, &d), "certificate export",
          error))
    return false;
  out->cert = take (d);
  if (failed (gnutls_x509_privkey_export2_pkcs8 (key.h, GNUTLS_X509_FMT_PEM, nullptr,
          GNUTLS_PKCS_PLAIN, &d), "key export", error))
    return false;
  out->key = take (d);
  return true;
}

std::string
pem_certificate_fingerprint (const std::string & pem)
{
  Crt crt;
  gnutls_datum_t c = datum (pem);
  if (gnutls_x509_crt_import (crt.h, &c, GNUTLS_X509_FMT_PEM) < 0)
    return "";
  gnutls_datum_t der = {nullptr, 0};
  if (gnutls_x509_crt_export2 (crt.h, GNUTLS_X509_FMT_DER, &der) < 0)
    return "";
  std::string bytes = take (der);
  return tls_fingerprint_of_der (reinterpret_cast<const uint8_t *> (bytes.data ()), bytes.size ());
}

std::string
meet_config_dir ()
{
  const char *xdg = g_getenv ("XDG_CONFIG_HOME");
  std::string base;
  if (xdg && g_path_is_absolute (xdg))
    base = xdg;
  else
    base = std::string (g_get_home_dir ()) + "/.config";
  return base + "/meetstream";
}

bool
ensure_launcher_certificate (const std::string & dir, LauncherCertificate * out,
    std::string * error, const std::vector<std::string> & extra_names)
{
  LauncherCertificate result;
  if (g_mkdir_with_parents (dir.c_str (), 0700) != 0) {
    *error = "cannot create " + dir + ": " + g_strerror (errno);
    return false;
  }
  if (!tighten (dir, 0700, &result.note, error))
    return false;
  result.cert_file = dir + "/server.crt";
  result.key_file = dir + "/server.key";

  std::string pem;
  if (existing_usable (result.cert_file, result.key_file, &pem)) {
    if (!tighten (result.key_file, 0600, &result.note, error))
      return false;
  } else {
    CertificateSpec spec;
    std::string host = host_name ();
    spec.common_name = host.empty () ? "meetstream" : "meetstream on " + host;
    if (!host.empty () && host != "localhost")
      spec.dns_names.push_back (host);
    spec.dns_names.push_back ("localhost");
    spec.ip_addresses = {"127.0.0.1", "::1"};
    for (const std::string & name : extra_names) {
      unsigned char addr[16];
      if (inet_pton (AF_INET, name.c_str (), addr) == 1
          || inet_pton (AF_INET6, name.c_str (), addr) == 1)
        spec.ip_addresses.push_back (name);
      else if (!name.empty ())
        spec.dns_names.push_back (name);
    }
    CertificatePem made;
    if (!make_certificate (spec, &made, error))
      return false;
    /* Key first: a certificate is never left beside a key it does not belong to for long, and
     * existing_usable() refuses such a pair anyway. */
    if (!write_private (result.key_file, made.key, 0600, error)
        || !write_private (result.cert_file, made.cert, 0644, error))
      return false;
    pem = made.cert;
    result.created = true;
  }
  result.fingerprint = pem_certificate_fingerprint (pem);
  if (result.fingerprint.empty ()) {
    *error = result.cert_file + " does not hold a certificate";
    return false;
  }
  *out = std::move (result);
  return true;
}

}  // namespace meet
