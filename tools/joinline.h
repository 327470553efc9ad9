/* meetstream: the join line meetsrv prints and meetcli takes: everything a participant needs to
 * join a private meeting, verified and encrypted, in one line:
 *
 *     rtsps://192.168.1.20:8554/meet passcode=k7qh-2mxp-9tzd fingerprint=sha256:AB:CD:...:EF
 *
 * - the rtsps:// URL (a user name, when the meeting has one, as its userinfo: rtsps://alice@...),
 * - passcode=: the meeting's password (RTSP digest authentication),
 * - fingerprint=: the SHA-256 fingerprint of the server's certificate, pinned by the client (a
 *   self-signed certificate has no CA to vouch for it).
 * Words are separated by spaces; the URL comes first, the others in any order. An --insecure
 * meeting's line is an rtsp:// URL and no fingerprint. Parsing also takes what people paste
 * instead: a URL with user:passcode@ in it, "password=", "tls-fingerprint=", a bare "sha256:..."
 * word, a "meetcli " in front, surrounding quotes.
 */
#pragma once

#include <string>
#include <vector>

namespace meet {

/* The user name of a meeting that has only a passcode (meetsrv without --user): RTSP Digest needs
 * one. The join line leaves it out; meetcli uses it when the line has none, and the players' URL
 * (join_player_url) carries it. */
extern const char kJoinDefaultUser[];   // "meet"

struct JoinInfo {
  std::string url;           // rtsps://host:port/path, no userinfo
  std::string user;          // may be empty
  std::string passcode;      // may be empty (a meeting without one)
  std::string fingerprint;   // sha256:AB:..., empty for rtsp://
  bool secure () const { return url.compare (0, 8, "rtsps://") == 0; }
};

/* "rtsps://host:port/path" (IPv6 hosts in brackets; @path with or without its leading '/'). */
std::string join_url (bool secure, const std::string & host, unsigned port, const std::string & path);

/* The one line. */
std::string format_join_line (const JoinInfo & info);

/* The URL a player takes on its own (ffplay, rtspsrc): the user and passcode as its userinfo,
 * percent-encoded. */
std::string join_player_url (const JoinInfo & info);

/* Reads a join line. False with @error saying what is wrong: no rtsp:// or rtsps:// URL, a URL
 * without a host, an rtsps:// line without a fingerprint (@require_fingerprint), a fingerprint
 * that is not SHA-256, an unknown word, a passcode given twice with different values. */
bool parse_join_line (const std::string & line, JoinInfo * info, std::string * error,
    bool require_fingerprint = true);

/* What meetcli was given as the meeting: a join line as one word or as several (@words: the URL,
 * passcode=..., fingerprint=...), or a plain URL. An rtsps:// URL without a fingerprint trusts the
 * system's CA store (a server with a real certificate). @user / @password (meetcli's --user /
 * --password, may be null) override the line's; with a passcode and no user the user is
 * kJoinDefaultUser. False with @error saying what is wrong. */
bool join_from_arguments (const std::vector<std::string> & words, const char * user,
    const char * password, JoinInfo * info, std::string * error);

/* A random passcode: @groups groups of 4 characters joined by '-' ("k7qh-2mxp-9tzd"), from 31
 * lower-case letters and digits that cannot be misread (no 0/o, 1/l/i): 3 groups are about 59
 * bits, far beyond what guessing over RTSP digest can reach. Empty if the system has no
 * randomness. */
std::string make_passcode (unsigned groups = 3);

}  // namespace meet
