/* meetstream: the join line (see joinline.h). */
#include "joinline.h"

#include "srtpkeys.h"
#include "tlscerts.h"

#include <glib.h>

#include <cstring>
#include <vector>

namespace meet {

const char kJoinDefaultUser[] = "meet";

namespace {

const char kPasscodeAlphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";   // 31: no 0 o 1 l i

std::vector<std::string>
words_of (const std::string & line)
{
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!word.empty ())
        words.push_back (word);
      word.clear ();
    } else {
      word += c;
    }
  }
  if (!word.empty ())
    words.push_back (word);
  for (std::string & w : words) {
    /* Quotes a shell or a chat window left around a word. */
    while (w.size () >= 1 && (w.front () == '"' || w.front () == '\'' || w.front () == '<'))
      w.erase (0, 1);
    while (w.size () >= 1 && (w.back () == '"' || w.back () == '\'' || w.back () == '>'))
      w.pop_back ();
  }
  return words;
}

bool
starts_with (const std::string & s, const char * prefix)
{
  return g_ascii_strncasecmp (s.c_str (), prefix, strlen (prefix)) == 0;
}

bool
set_once (std::string * field, const std::string & value, const char * what, std::string * error)
{
  if (!field->empty () && *field != value) {
    *error = std::string ("two different ") + what + "s in the join line";
    return false;
  }
  *field = value;
  return true;
}

}  // namespace

std::string
join_url (bool secure, const std::string & host, unsigned port, const std::string & path)
{
  std::string h = host.find (':') != std::string::npos && host.front () != '[' ? "[" + host + "]"
      : host;
  std::string p = path.empty () || path.front () != '/' ? "/" + path : path;
  return std::string (secure ? "rtsps://" : "rtsp://") + h + ":" + std::to_string (port) + p;
}

std::string
format_join_line (const JoinInfo & info)
{
  std::string url = info.url;
  if (!info.user.empty ()) {
    size_t at = url.find ("://");
    if (at != std::string::npos) {
      gchar *user = g_uri_escape_string (info.user.c_str (), nullptr, FALSE);
      url.insert (at + 3, std::string (user) + "@");
      g_free (user);
    }
  }
  std::string line = url;
  if (!info.passcode.empty ())
    line += " passcode=" + info.passcode;
  if (!info.fingerprint.empty ())
    line += " fingerprint=" + info.fingerprint;
  return line;
}

std::string
join_player_url (const JoinInfo & info)
{
  if (info.user.empty () && info.passcode.empty ())
    return info.url;
  size_t at = info.url.find ("://");
  if (at == std::string::npos)
    return info.url;
  gchar *user = g_uri_escape_string (info.user.c_str (), nullptr, FALSE);
  gchar *pass = g_uri_escape_string (info.passcode.c_str (), nullptr, FALSE);
  std::string userinfo = std::string (user) + (info.passcode.empty () ? "" : ":" + std::string (pass));
  g_free (user);
  g_free (pass);
  std::string url = info.url;
  url.insert (at + 3, userinfo + "@");
  return url;
}

bool
parse_join_line (const std::string & line, JoinInfo * info, std::string * error,
    bool require_fingerprint)
{
  if (line.size () > 4096) {
    *error = "the join line is too long";
    return false;
  }
  std::vector<std::string> words = words_of (line);
  if (!words.empty () && (words.front () == "meetcli" || words.front () == "join:"))
    words.erase (words.begin ());
  JoinInfo out;
  bool have_url = false;
  for (const std::string & w : words) {
    if (starts_with (w, "rtsps://") || starts_with (w, "rtsp://")) {
      if (have_url) {
        *error = "two URLs in the join line";
        return false;
      }
      have_url = true;
      GError *err = nullptr;
      GUri *uri = g_uri_parse (w.c_str (), G_URI_FLAGS_HAS_PASSWORD, &err);
      if (!uri) {
        *error = "'" + w + "' is not a URL: " + (err ? err->message : "?");
        g_clear_error (&err);
        return false;
      }
      const char *host = g_uri_get_host (uri);
      if (!host || !*host) {
        g_uri_unref (uri);
        *error = "the URL '" + w + "' has no host";
        return false;
      }
      bool secure = g_ascii_strcasecmp (g_uri_get_scheme (uri), "rtsps") == 0;
      int port = g_uri_get_port (uri);
      const char *path = g_uri_get_path (uri);
      std::string rest = path ? path : "";
      if (const char *q = g_uri_get_query (uri))
        rest += std::string ("?") + q;
      out.url = join_url (secure, host, port > 0 ? static_cast<unsigned> (port) : (secure ? 322u : 554u),
          rest.empty () ? "/" : rest);
      if (const char *user = g_uri_get_user (uri))
        out.user = user;
      const char *pass = g_uri_get_password (uri);
      bool ok = !pass || set_once (&out.passcode, pass, "passcode", error);
      g_uri_unref (uri);
      if (!ok)
        return false;
    } else if (starts_with (w, "passcode=") || starts_with (w, "password=")) {
      std::string value = w.substr (9);
      if (value.empty ()) {
        *error = "an empty passcode";
        return false;
      }
      if (!set_once (&out.passcode, value, "passcode", error))
        return false;
    } else if (starts_with (w, "fingerprint=") || starts_with (w, "tls-fingerprint=")
        || starts_with (w, "sha256:")) {
      std::string value = starts_with (w, "sha256:") ? w : w.substr (w.find ('=') + 1);
      std::string fp = tls_fingerprint_normalize (value);
      if (fp.empty ()) {
        *error = "'" + value + "' is not a SHA-256 certificate fingerprint (sha256:AB:CD:...)";
        return false;
      }
      if (!set_once (&out.fingerprint, fp, "fingerprint", error))
        return false;
    } else if (starts_with (w, "user=")) {
      if (!set_once (&out.user, w.substr (5), "user", error))
        return false;
    } else {
      *error = "'" + w + "' is not part of a join line (rtsps://... passcode=... fingerprint=...)";
      return false;
    }
  }
  if (!have_url) {
    *error = "the join line has no rtsps:// URL";
    return false;
  }
  if (out.secure () && out.fingerprint.empty () && require_fingerprint) {
    *error = "the join line has no certificate fingerprint (fingerprint=sha256:...)";
    return false;
  }
  if (!out.secure () && !out.fingerprint.empty ()) {
    *error = "a certificate fingerprint with a plain rtsp:// URL (rtsps:// expected)";
    return false;
  }
  *info = std::move (out);
  return true;
}

bool
join_from_arguments (const std::vector<std::string> & words, const char * user, const char * password,
    JoinInfo * info, std::string * error)
{
  std::string line;
  for (const std::string & w : words)
    line += (line.empty () ? "" : " ") + w;
  JoinInfo out;
  if (!parse_join_line (line, &out, error, false))
    return false;
  if (user)
    out.user = user;
  if (password)
    out.passcode = password;
  if (out.user.empty () && !out.passcode.empty ())
    out.user = kJoinDefaultUser;
  if (!out.user.empty () && out.passcode.empty ()) {
    *error = "a user name (" + out.user + ") without a passcode: give --password or passcode=";
    return false;
  }
  *info = std::move (out);
  return true;
}

std::string
make_passcode (unsigned groups)
{
  const unsigned n = sizeof (kPasscodeAlphabet) - 1;   // 31
  std::string code;
  std::vector<uint8_t> bytes;
  unsigned have = 0;
  size_t used = 0;
  while (have < groups * 4) {
    if (used >= bytes.size ()) {
      if (!secure_random_bytes (64, &bytes))
        return "";
      used = 0;
    }
    uint8_t b = bytes[used++];
    if (b >= 248)   // 248 = 8 * 31: reject the rest so every character is equally likely
      continue;
    if (have && have % 4 == 0)
      code += '-';
    code += kPasscodeAlphabet[b % n];
    have++;
  }
  return code;
}

}  // namespace meet
