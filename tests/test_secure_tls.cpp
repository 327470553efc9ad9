/* Unit tests of the TLS helpers (plugins/meet/rtsp/common/tlscerts.h): loading PEM certificates,
 * SHA-256 fingerprints as users paste them, and the client's trust decision against a CA file, the
 * system store and a pinned fingerprint, with the message naming what failed. The certificates
 * (a CA, servers it signed, an expired one, a self-signed one) are made on the fly with
 * tools/meetcert.h. */
#include "meetcert.h"
#include "tlscerts.h"

#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <ctime>
#include <cctype>

using namespace meet;

namespace {

/* "sha256:" and 32 upper-case hex pairs joined by colons (no std::regex: GCC 12 warns inside it
 * under the sanitizers, and warnings are errors). */
inline bool
canonical_fingerprint (const std::string & s)
{
  if (s.size () != 7 + 32 * 3 - 1 || s.compare (0, 7, "sha256:") != 0)
    return false;
  for (size_t i = 7; i < s.size (); i++) {
    bool colon = (i - 7) % 3 == 2;
    if (colon ? s[i] != ':' : !(isdigit ((unsigned char) s[i]) || (s[i] >= 'A' && s[i] <= 'F')))
      return false;
  }
  return true;
}

/* A temporary directory with a CA and certificates in it, made once for the whole executable. */
struct Pki {
  std::string dir;
  CertificatePem ca, good, expired, self_signed, other_name, future;
  std::string ca_file, good_cert, good_key, combined;

  static const Pki & get () {
    static Pki pki;
    return pki;
  }

private:
  Pki () {
    gchar *d = g_dir_make_tmp ("meet-secure-XXXXXX", nullptr);
    dir = d;
    g_free (d);
    std::string error;
    CertificateSpec ca_spec;
    ca_spec.common_name = "meetstream test CA";
    ca_spec.is_ca = true;
    EXPECT_TRUE (make_certificate (ca_spec, &ca, &error)) << error;

    CertificateSpec spec;
    spec.common_name = "meet test server";
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1"};
    spec.issuer_cert_pem = ca.cert;
    spec.issuer_key_pem = ca.key;
    EXPECT_TRUE (make_certificate (spec, &good, &error)) << error;

    CertificateSpec old = spec;
    old.not_before = 946684800;    // 2000-01-01
    old.not_after = 978307200;     // 2001-01-01
    EXPECT_TRUE (make_certificate (old, &expired, &error)) << error;

    CertificateSpec later = spec;
    later.not_before = static_cast<int64_t> (time (nullptr)) + 30 * 24 * 3600;
    later.not_after = later.not_before + 24 * 3600;
    EXPECT_TRUE (make_certificate (later, &future, &error)) << error;

    CertificateSpec other = spec;
    other.dns_names = {"other.example"};
    other.ip_addresses = {"10.1.2.3"};
    EXPECT_TRUE (make_certificate (other, &other_name, &error)) << error;

    CertificateSpec self = spec;
    self.issuer_cert_pem.clear ();
    self.issuer_key_pem.clear ();
    EXPECT_TRUE (make_certificate (self, &self_signed, &error)) << error;

    ca_file = write ("ca.pem", ca.cert);
    good_cert = write ("good.crt", good.cert);
    good_key = write ("good.key", good.key);
    combined = write ("combined.pem", good.cert + good.key);
  }
  ~Pki () {
    for (const char *name : {"ca.pem", "good.crt", "good.key", "combined.pem", "empty.pem"})
      g_unlink ((dir + "/" + name).c_str ());
    g_rmdir (dir.c_str ());
  }
  std::string write (const char * name, const std::string & text) {
    std::string path = dir + "/" + name;
    EXPECT_TRUE (g_file_set_contents (path.c_str (), text.c_str (),
        static_cast<gssize> (text.size ()), nullptr));
    return path;
  }
};

GTlsCertificate *
load (const CertificatePem & pem)
{
  std::string error;
  GTlsCertificate *cert = tls_certificate_from_pem (pem.cert + pem.key, &error);
  EXPECT_NE (cert, nullptr) << error;
  return cert;
}


}  // namespace

TEST (TlsCertificates, LoadPem)
{
  const Pki & pki = Pki::get ();
  std::string error;
  GTlsCertificate *cert = tls_certificate_load (pki.good_cert, pki.good_key, &error);
  ASSERT_NE (cert, nullptr) << error;
  EXPECT_TRUE (tls_certificate_has_key (cert));
  g_object_unref (cert);

  cert = tls_certificate_load (pki.combined, "", &error);
  ASSERT_NE (cert, nullptr) << error;
  g_object_unref (cert);

  /* A certificate without its key: a server cannot use it. */
  EXPECT_EQ (tls_certificate_load (pki.good_cert, "", &error), nullptr);
  EXPECT_NE (error.find (pki.good_cert), std::string::npos) << error;

  EXPECT_EQ (tls_certificate_load (pki.dir + "/missing.crt", pki.good_key, &error), nullptr);
  EXPECT_NE (error.find ("missing.crt"), std::string::npos) << error;
  EXPECT_EQ (tls_certificate_load ("", "", &error), nullptr);

  /* The key of another certificate. */
  EXPECT_EQ (tls_certificate_load (pki.good_cert, pki.ca_file, &error), nullptr);
  EXPECT_EQ (tls_certificate_from_pem ("not pem", &error), nullptr);
  EXPECT_FALSE (error.empty ());
}

TEST (TlsCertificates, Fingerprint)
{
  const Pki & pki = Pki::get ();
  GTlsCertificate *cert = load (pki.good);
  std::string fp = tls_certificate_fingerprint (cert);
  EXPECT_TRUE (canonical_fingerprint (fp)) << fp;
  /* GIO's DER and GnuTLS's agree. */
  EXPECT_EQ (fp, pem_certificate_fingerprint (pki.good.cert));
  GTlsCertificate *other = load (pki.self_signed);
  EXPECT_NE (tls_certificate_fingerprint (other), fp);
  EXPECT_EQ (tls_certificate_fingerprint (nullptr), "");
  g_object_unref (cert);
  g_object_unref (other);
  EXPECT_EQ (tls_fingerprint_of_der (nullptr, 0), "");
  /* SHA-256 of "abc". */
  EXPECT_EQ (tls_fingerprint_of_der (reinterpret_cast<const uint8_t *> ("abc"), 3),
      "sha256:BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:"
      "F2:00:15:AD");
}

TEST (TlsCertificates, FingerprintForms)
{
  const std::string canonical = "sha256:BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:"
      "61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";
  const std::string bare = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  for (const std::string & form : std::vector<std::string> {canonical, bare, "SHA256:" + bare,
           "sha256=" + bare, "SHA256 Fingerprint=BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
           "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
           "  sha256:ba:78:16:bf:8f:01:cf:ea:41:41:40:de:5d:ae:22:23:b0:03:61:a3:96:17:7a:9c:b4:10:"
           "ff:61:f2:00:15:ad\n",
           "BA 78 16 BF 8F 01 CF EA 41 41 40 DE 5D AE 22 23 B0 03 61 A3 96 17 7A 9C B4 10 FF 61 F2 00 "
           "15 AD"}) {
    EXPECT_EQ (tls_fingerprint_normalize (form), canonical) << form;
    EXPECT_TRUE (tls_fingerprint_equal (form, canonical)) << form;
  }
  for (const std::string & bad : std::vector<std::string> {"", std::string ("sha256:"), bare.substr (1),
           bare + "00", "sha1:" + bare.substr (0, 40), bare.substr (0, 40),
           "sha256:" + bare.substr (0, 63) + "g", "sha256::" + bare, ":" + bare, bare + ":",
           "sha256:B:A7" + bare.substr (3), "md5:" + bare}) {
    EXPECT_EQ (tls_fingerprint_normalize (bad), "") << bad;
    EXPECT_FALSE (tls_fingerprint_equal (bad, canonical)) << bad;
  }
  EXPECT_FALSE (tls_fingerprint_equal (canonical, "sha256:" + std::string (64, '0')));
}

TEST (TlsCertificates, FlagsInWords)
{
  EXPECT_EQ (tls_flags_describe (static_cast<GTlsCertificateFlags> (0)), "");
  EXPECT_EQ (tls_flags_describe (static_cast<GTlsCertificateFlags> (
      G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_UNKNOWN_CA)),
      "signed by an unknown certificate authority, expired");
}

TEST (TlsVerifier, CaFile)
{
  const Pki & pki = Pki::get ();
  TlsTrust trust;
  trust.mode = TlsTrust::Mode::CA_FILE;
  trust.ca_file = pki.ca_file;
  TlsPeerVerifier verifier;
  std::string error;
  ASSERT_TRUE (verifier.init (trust, &error)) << error;
  ASSERT_NE (verifier.database (), nullptr);

  std::string message;
  GTlsCertificate *good = load (pki.good);
  EXPECT_TRUE (verifier.verify (good, "127.0.0.1", &message)) << message;
  EXPECT_TRUE (verifier.verify (good, "localhost", &message)) << message;

  /* Another name than the certificate's. */
  EXPECT_FALSE (verifier.verify (good, "meet.example.org", &message));
  EXPECT_NE (message.find ("not issued for meet.example.org"), std::string::npos) << message;
  EXPECT_NE (message.find (tls_certificate_fingerprint (good)), std::string::npos) << message;
  GTlsCertificate *other = load (pki.other_name);
  EXPECT_FALSE (verifier.verify (other, "127.0.0.1", &message));
  EXPECT_NE (message.find ("not issued for 127.0.0.1"), std::string::npos) << message;

  GTlsCertificate *expired = load (pki.expired);
  EXPECT_FALSE (verifier.verify (expired, "127.0.0.1", &message));
  EXPECT_NE (message.find ("has expired (valid until 2001-01-01"), std::string::npos) << message;

  GTlsCertificate *future = load (pki.future);
  EXPECT_FALSE (verifier.verify (future, "127.0.0.1", &message));
  EXPECT_NE (message.find ("not valid yet"), std::string::npos) << message;

  GTlsCertificate *self = load (pki.self_signed);
  EXPECT_FALSE (verifier.verify (self, "127.0.0.1", &message));
  EXPECT_NE (message.find ("not signed by a CA of " + pki.ca_file), std::string::npos) << message;
  EXPECT_NE (message.find ("fingerprint " + tls_certificate_fingerprint (self)), std::string::npos)
      << message;

  /* What GIO hands accept-certificate decides as well. */
  EXPECT_FALSE (verifier.accept (good, G_TLS_CERTIFICATE_REVOKED, "127.0.0.1", &message));
  EXPECT_NE (message.find ("revoked"), std::string::npos) << message;
  EXPECT_FALSE (verifier.accept (nullptr, static_cast<GTlsCertificateFlags> (0), "", &message));
  EXPECT_EQ (message, "the server presented no certificate");

  for (GTlsCertificate *c : {good, other, expired, future, self})
    g_object_unref (c);
}

TEST (TlsVerifier, SystemStore)
{
  const Pki & pki = Pki::get ();
  TlsPeerVerifier verifier;
  std::string error, message;
  ASSERT_TRUE (verifier.init (TlsTrust (), &error)) << error;
  GTlsCertificate *self = load (pki.self_signed);
  EXPECT_FALSE (verifier.verify (self, "127.0.0.1", &message));
  EXPECT_NE (message.find ("unknown certificate authority (not in the system store)"),
      std::string::npos) << message;
  EXPECT_NE (message.find ("tls-fingerprint=" + tls_certificate_fingerprint (self)),
      std::string::npos) << message;
  GTlsCertificate *good = load (pki.good);   // our test CA is nobody's system CA
  EXPECT_FALSE (verifier.verify (good, "127.0.0.1", &message));
  g_object_unref (self);
  g_object_unref (good);
}

TEST (TlsVerifier, PinnedFingerprint)
{
  const Pki & pki = Pki::get ();
  GTlsCertificate *self = load (pki.self_signed);
  GTlsCertificate *good = load (pki.good);
  GTlsCertificate *expired = load (pki.expired);
  TlsTrust trust;
  trust.mode = TlsTrust::Mode::FINGERPRINT;
  /* Pasted in lower case without colons: the same pin. */
  std::string fp = tls_certificate_fingerprint (self);
  std::string lower;
  for (char c : fp.substr (7))
    if (c != ':')
      lower += g_ascii_tolower (c);
  trust.fingerprint = lower;
  TlsPeerVerifier verifier;
  std::string error, message;
  ASSERT_TRUE (verifier.init (trust, &error)) << error;

  /* Self-signed and any name: the pin is what counts. */
  EXPECT_TRUE (verifier.verify (self, "meet.example.org", &message)) << message;
  EXPECT_TRUE (verifier.accept (self, static_cast<GTlsCertificateFlags> (
      G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY), "x", &message)) << message;

  /* Another certificate, even one a CA vouches for: refused, both fingerprints named. */
  EXPECT_FALSE (verifier.verify (good, "127.0.0.1", &message));
  EXPECT_NE (message.find (tls_certificate_fingerprint (good)), std::string::npos) << message;
  EXPECT_NE (message.find ("expected " + fp), std::string::npos) << message;
  EXPECT_FALSE (verifier.accept (good, static_cast<GTlsCertificateFlags> (0), "127.0.0.1", &message));

  /* The pinned certificate itself, expired: refused. */
  TlsTrust old_pin;
  old_pin.mode = TlsTrust::Mode::FINGERPRINT;
  old_pin.fingerprint = tls_certificate_fingerprint (expired);
  TlsPeerVerifier old_verifier;
  ASSERT_TRUE (old_verifier.init (old_pin, &error)) << error;
  EXPECT_FALSE (old_verifier.verify (expired, "127.0.0.1", &message));
  EXPECT_NE (message.find ("expired"), std::string::npos) << message;

  g_object_unref (self);
  g_object_unref (good);
  g_object_unref (expired);
}

TEST (TlsVerifier, InitErrors)
{
  const Pki & pki = Pki::get ();
  TlsPeerVerifier verifier;
  std::string error;
  TlsTrust trust;
  trust.mode = TlsTrust::Mode::FINGERPRINT;
  trust.fingerprint = "sha1:00:11";
  EXPECT_FALSE (verifier.init (trust, &error));
  EXPECT_NE (error.find ("not a SHA-256 fingerprint"), std::string::npos) << error;

  trust.mode = TlsTrust::Mode::CA_FILE;
  trust.ca_file = pki.dir + "/nothing-here.pem";
  EXPECT_FALSE (verifier.init (trust, &error));
  EXPECT_NE (error.find ("nothing-here.pem"), std::string::npos) << error;

  std::string empty = pki.dir + "/empty.pem";
  ASSERT_TRUE (g_file_set_contents (empty.c_str (), "", 0, nullptr));
  trust.ca_file = empty;
  EXPECT_FALSE (verifier.init (trust, &error));
  EXPECT_NE (error.find ("empty.pem"), std::string::npos) << error;

  trust.ca_file.clear ();
  EXPECT_FALSE (verifier.init (trust, &error));
}
