/* Unit tests of the launchers' security parts: the certificate made on first run and reused after
 * (tools/meetcert.h), the join line and the passcode (tools/joinline.h). */
#include "joinline.h"
#include "meetcert.h"
#include "tlscerts.h"

#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cctype>
#include <set>

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

mode_t
mode_of (const std::string & path)
{
  struct stat st;
  if (stat (path.c_str (), &st) != 0)
    return 0;
  return st.st_mode & 0777;
}

class TempDir {
public:
  TempDir () {
    gchar *d = g_dir_make_tmp ("meet-cert-XXXXXX", nullptr);
    path = d;
    g_free (d);
  }
  ~TempDir () {
    gchar *argv[] = {const_cast<gchar *> ("rm"), const_cast<gchar *> ("-rf"),
                     const_cast<gchar *> (path.c_str ()), nullptr};
    g_spawn_sync (nullptr, argv, nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, nullptr, nullptr,
        nullptr, nullptr);
  }
  std::string path;
};

const std::string kFp = "sha256:BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:"
    "7A:9C:B4:10:FF:61:F2:00:15:AD";

}  // namespace

TEST (LauncherCertificate, ConfigDir)
{
  const char *saved = g_getenv ("XDG_CONFIG_HOME");
  std::string keep = saved ? saved : "";
  g_setenv ("XDG_CONFIG_HOME", "/tmp/xdg-test", TRUE);
  EXPECT_EQ (meet_config_dir (), "/tmp/xdg-test/meetstream");
  g_setenv ("XDG_CONFIG_HOME", "relative/dir", TRUE);   // not absolute: ignored (XDG spec)
  EXPECT_EQ (meet_config_dir (), std::string (g_get_home_dir ()) + "/.config/meetstream");
  g_unsetenv ("XDG_CONFIG_HOME");
  EXPECT_EQ (meet_config_dir (), std::string (g_get_home_dir ()) + "/.config/meetstream");
  if (saved)
    g_setenv ("XDG_CONFIG_HOME", keep.c_str (), TRUE);
}

TEST (LauncherCertificate, FirstRunThenReused)
{
  TempDir tmp;
  std::string dir = tmp.path + "/config/meetstream";
  LauncherCertificate first;
  std::string error;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &first, &error, {"meet.example", "192.0.2.7"}))
      << error;
  EXPECT_TRUE (first.created);
  EXPECT_EQ (mode_of (dir), 0700u);
  EXPECT_EQ (mode_of (first.key_file), 0600u);
  EXPECT_EQ (first.cert_file, dir + "/server.crt");
  EXPECT_TRUE (canonical_fingerprint (first.fingerprint)) << first.fingerprint;

  /* GIO serves with it, and its fingerprint is the one reported. */
  GTlsCertificate *cert = tls_certificate_load (first.cert_file, first.key_file, &error);
  ASSERT_NE (cert, nullptr) << error;
  EXPECT_EQ (tls_certificate_fingerprint (cert), first.fingerprint);
  /* The extra names are in it: a client pinning nothing but checking names could use them. */
  GPtrArray *names = g_tls_certificate_get_dns_names (cert);
  bool found = false;
  for (guint i = 0; names && i < names->len; i++) {
    GBytes *b = static_cast<GBytes *> (g_ptr_array_index (names, i));
    gsize n;
    const char *d = static_cast<const char *> (g_bytes_get_data (b, &n));
    found = found || std::string (d, n) == "meet.example";
  }
  EXPECT_TRUE (found);
  if (names)
    g_ptr_array_unref (names);
  g_object_unref (cert);

  LauncherCertificate second;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &second, &error)) << error;
  EXPECT_FALSE (second.created);
  EXPECT_EQ (second.fingerprint, first.fingerprint);
  EXPECT_TRUE (second.note.empty ()) << second.note;
}

TEST (LauncherCertificate, LoosePermissionsTightened)
{
  TempDir tmp;
  std::string dir = tmp.path + "/meetstream";
  LauncherCertificate c;
  std::string error;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &c, &error)) << error;
  ASSERT_EQ (chmod (dir.c_str (), 0755), 0);
  ASSERT_EQ (chmod (c.key_file.c_str (), 0644), 0);
  LauncherCertificate again;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &again, &error)) << error;
  EXPECT_FALSE (again.created);
  EXPECT_EQ (mode_of (dir), 0700u);
  EXPECT_EQ (mode_of (c.key_file), 0600u);
  EXPECT_NE (again.note.find ("server.key was open to others, now 600"), std::string::npos)
      << again.note;
}

TEST (LauncherCertificate, BrokenOrExpiredRemade)
{
  TempDir tmp;
  std::string dir = tmp.path + "/meetstream";
  LauncherCertificate c;
  std::string error;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &c, &error)) << error;

  /* A truncated certificate: made anew. */
  ASSERT_TRUE (g_file_set_contents (c.cert_file.c_str (), "-----BEGIN CERTIFICATE-----\nAAAA", -1,
      nullptr));
  LauncherCertificate remade;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &remade, &error)) << error;
  EXPECT_TRUE (remade.created);
  EXPECT_NE (remade.fingerprint, c.fingerprint);

  /* An expired one in its place (with its own key): made anew. */
  CertificateSpec old;
  old.not_before = 946684800;
  old.not_after = 978307200;
  CertificatePem pem;
  ASSERT_TRUE (make_certificate (old, &pem, &error)) << error;
  ASSERT_TRUE (g_file_set_contents (c.cert_file.c_str (), pem.cert.c_str (), -1, nullptr));
  ASSERT_TRUE (g_file_set_contents (c.key_file.c_str (), pem.key.c_str (), -1, nullptr));
  LauncherCertificate renewed;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &renewed, &error)) << error;
  EXPECT_TRUE (renewed.created);
  EXPECT_NE (renewed.fingerprint, pem_certificate_fingerprint (pem.cert));

  /* A key that is not the certificate's: made anew. */
  CertificatePem stranger;
  ASSERT_TRUE (make_certificate (CertificateSpec (), &stranger, &error)) << error;
  ASSERT_TRUE (g_file_set_contents (c.key_file.c_str (), stranger.key.c_str (), -1, nullptr));
  LauncherCertificate rekeyed;
  ASSERT_TRUE (ensure_launcher_certificate (dir, &rekeyed, &error)) << error;
  EXPECT_TRUE (rekeyed.created);
  EXPECT_EQ (mode_of (rekeyed.key_file), 0600u);
}

TEST (LauncherCertificate, UnwritableDirectory)
{
  if (getuid () == 0)
    GTEST_SKIP () << "root writes anywhere";
  LauncherCertificate c;
  std::string error;
  EXPECT_FALSE (ensure_launcher_certificate ("/proc/meetstream-test", &c, &error));
  EXPECT_NE (error.find ("/proc/meetstream-test"), std::string::npos) << error;
}

TEST (LauncherCertificate, MakeCertificateErrors)
{
  CertificateSpec spec;
  spec.ip_addresses = {"not-an-ip"};
  CertificatePem pem;
  std::string error;
  EXPECT_FALSE (make_certificate (spec, &pem, &error));
  EXPECT_NE (error.find ("not-an-ip"), std::string::npos) << error;
  spec.ip_addresses.clear ();
  spec.issuer_cert_pem = "garbage";
  spec.issuer_key_pem = "garbage";
  EXPECT_FALSE (make_certificate (spec, &pem, &error));
  EXPECT_NE (error.find ("issuer"), std::string::npos) << error;
  EXPECT_EQ (pem_certificate_fingerprint ("garbage"), "");
}

TEST (JoinLine, FormatAndParse)
{
  JoinInfo info;
  info.url = join_url (true, "192.168.1.20", 8554, "/meet");
  info.passcode = "k7qh-2mxp-9tzd";
  info.fingerprint = kFp;
  std::string line = format_join_line (info);
  EXPECT_EQ (line, "rtsps://192.168.1.20:8554/meet passcode=k7qh-2mxp-9tzd fingerprint=" + kFp);
  JoinInfo back;
  std::string error;
  ASSERT_TRUE (parse_join_line (line, &back, &error)) << error;
  EXPECT_EQ (back.url, info.url);
  EXPECT_EQ (back.passcode, info.passcode);
  EXPECT_EQ (back.fingerprint, kFp);
  EXPECT_TRUE (back.secure ());
  EXPECT_EQ (join_player_url (back), "rtsps://:k7qh-2mxp-9tzd@192.168.1.20:8554/meet");

  /* A user name rides in the URL. */
  info.user = "alice";
  line = format_join_line (info);
  EXPECT_EQ (line.compare (0, 14, "rtsps://alice@"), 0) << line;
  ASSERT_TRUE (parse_join_line (line, &back, &error)) << error;
  EXPECT_EQ (back.user, "alice");
  EXPECT_EQ (back.url, info.url);
  EXPECT_EQ (join_player_url (back), "rtsps://alice:k7qh-2mxp-9tzd@192.168.1.20:8554/meet");
}

TEST (JoinLine, Ipv6AndDefaults)
{
  EXPECT_EQ (join_url (true, "::1", 8554, "meet"), "rtsps://[::1]:8554/meet");
  EXPECT_EQ (join_url (false, "[fe80::1]", 554, "/a/b"), "rtsp://[fe80::1]:554/a/b");
  JoinInfo info;
  std::string error;
  ASSERT_TRUE (parse_join_line ("rtsps://[::1]:9000/meet fingerprint=" + kFp, &info, &error))
      << error;
  EXPECT_EQ (info.url, "rtsps://[::1]:9000/meet");
  ASSERT_TRUE (parse_join_line ("rtsps://example.org sha256:" + kFp.substr (7), &info, &error))
      << error;
  EXPECT_EQ (info.url, "rtsps://example.org:322/");   // RFC 2326's rtsps port
  ASSERT_TRUE (parse_join_line ("rtsp://127.0.0.1/meet", &info, &error)) << error;
  EXPECT_EQ (info.url, "rtsp://127.0.0.1:554/meet");
  EXPECT_FALSE (info.secure ());
}

TEST (JoinLine, WhatPeoplePaste)
{
  JoinInfo info;
  std::string error;
  /* Quotes, "meetcli" in front, other spellings, words in another order, lower-case pin. */
  std::string lower;
  for (char c : kFp)
    lower += g_ascii_tolower (c);
  ASSERT_TRUE (parse_join_line ("meetcli \"rtsps://127.0.0.1:8554/meet\" tls-fingerprint=" + lower
      + "  password=secret\n", &info, &error)) << error;
  EXPECT_EQ (info.passcode, "secret");
  EXPECT_EQ (info.fingerprint, kFp);
  /* user:passcode@ in the URL. */
  ASSERT_TRUE (parse_join_line ("rtsps://bob:s%20cret@127.0.0.1:8554/meet fingerprint=" + kFp,
      &info, &error)) << error;
  EXPECT_EQ (info.user, "bob");
  EXPECT_EQ (info.passcode, "s cret");
  EXPECT_EQ (info.url, "rtsps://127.0.0.1:8554/meet");
  /* The same passcode twice is fine. */
  EXPECT_TRUE (parse_join_line ("rtsps://bob:x@h:1/m passcode=x fingerprint=" + kFp, &info, &error))
      << error;
}

TEST (JoinLine, Refused)
{
  JoinInfo info;
  std::string error;
  EXPECT_FALSE (parse_join_line ("", &info, &error));
  EXPECT_NE (error.find ("no rtsps:// URL"), std::string::npos) << error;
  EXPECT_FALSE (parse_join_line ("passcode=x fingerprint=" + kFp, &info, &error));
  EXPECT_FALSE (parse_join_line ("rtsps://127.0.0.1:8554/meet passcode=x", &info, &error));
  EXPECT_NE (error.find ("no certificate fingerprint"), std::string::npos) << error;
  EXPECT_TRUE (parse_join_line ("rtsps://127.0.0.1:8554/meet passcode=x", &info, &error, false));
  EXPECT_FALSE (parse_join_line ("rtsps://127.0.0.1/m fingerprint=sha1:00:11", &info, &error));
  EXPECT_NE (error.find ("not a SHA-256"), std::string::npos) << error;
  EXPECT_FALSE (parse_join_line ("rtsps://127.0.0.1/m fingerprint=" + kFp + " bogus", &info, &error));
  EXPECT_NE (error.find ("'bogus'"), std::string::npos) << error;
  EXPECT_FALSE (parse_join_line ("rtsps://a/m rtsps://b/m fingerprint=" + kFp, &info, &error));
  EXPECT_FALSE (parse_join_line ("rtsps://a:x@h/m passcode=y fingerprint=" + kFp, &info, &error));
  EXPECT_NE (error.find ("two different passcodes"), std::string::npos) << error;
  EXPECT_FALSE (parse_join_line ("rtsps:///meet fingerprint=" + kFp, &info, &error));
  EXPECT_FALSE (parse_join_line ("rtsp://h/m fingerprint=" + kFp, &info, &error));
  EXPECT_NE (error.find ("rtsps:// expected"), std::string::npos) << error;
  EXPECT_FALSE (parse_join_line ("rtsps://h/m passcode= fingerprint=" + kFp, &info, &error));
  EXPECT_FALSE (parse_join_line ("http://h/m fingerprint=" + kFp, &info, &error));
  EXPECT_FALSE (parse_join_line (std::string (5000, 'a'), &info, &error));
  EXPECT_FALSE (parse_join_line ("rtsps://h:99999999/m fingerprint=" + kFp, &info, &error));
}

TEST (Passcode, RandomAndReadable)
{
  std::set<std::string> seen;
  auto form = [] (const std::string & code) {
    static const std::string alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
    if (code.size () != 14)
      return false;
    for (size_t i = 0; i < code.size (); i++) {
      bool dash = i == 4 || i == 9;
      if (dash ? code[i] != '-' : alphabet.find (code[i]) == std::string::npos)
        return false;
    }
    return true;
  };

  std::set<char> chars;
  for (int i = 0; i < 500; i++) {
    std::string code = make_passcode ();
    EXPECT_TRUE (form (code)) << code;
    EXPECT_TRUE (seen.insert (code).second) << code;
    for (char c : code)
      chars.insert (c);
  }
  /* Every one of the 31 characters (and '-') turns up in 6000 draws. */
  EXPECT_EQ (chars.size (), 32u);
  EXPECT_EQ (make_passcode (1).size (), 4u);
  EXPECT_EQ (make_passcode (5).size (), 24u);
}
