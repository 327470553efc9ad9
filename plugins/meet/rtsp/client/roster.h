/* meetstream: the participants roster a meetrtspsink-style server offers its readers, and what a
 * client answers to the requests a server sends it on the RTSP connection (RFC 2326 section 10
 * lets a server send OPTIONS, ANNOUNCE, GET_PARAMETER, SET_PARAMETER, REDIRECT).
 *
 * The exchange (README, "Roster"): the client asks
 *     GET_PARAMETER rtsp://host/PATH  (Content-Type: text/parameters, body "participants")
 * and gets `participants: alice,bob` as text/parameters; from then on the server pushes
 *     SET_PARAMETER rtsp://host/PATH  (text/parameters, body "participants: alice")
 * on every join and leave. Servers without a roster answer 451 (or anything else): the roster
 * then stays unknown and empty, which is no error.
 *
 * Plain C++ (no GObject, no sockets), unit-tested in tests/test_rtspclientparts.cpp. */
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace meet {

/* Bounds on what a hostile server can make a client hold. */
constexpr size_t kMaxRosterNames = 1024;
constexpr size_t kMaxRosterNameLength = 256;

/* The names of the `participants:` line of a text/parameters body ("a,b" -> {a, b}; ": " with
 * nothing after it -> {}), in the server's order; nullopt when the body has no such line. Names
 * are trimmed, empty ones dropped, overlong ones and those past kMaxRosterNames ignored. */
std::optional<std::vector<std::string>> parse_participants (const std::string &body);

/* The body of the roster request. */
inline const char *roster_request_body () { return "participants\r\n"; }

/* The URIs a client asks for the roster, in order: the aggregate URI it plays (PATH), then the
 * parent of @request_uri when that has a path of its own (a reader of PATH/NAME asks PATH). */
std::vector<std::string> roster_uris (const std::string &aggregate_uri,
    const std::string &request_uri);

/* How a client answers a request its server sent (@method as in the request line, e.g.
 * "SET_PARAMETER"; @content_type may be empty). The answer never ends the session. */
struct ServerRequestAnswer {
  int code = 200;                       /* RTSP status to answer with (CSeq copied) */
  bool add_public = false;              /* OPTIONS: say which requests we answer */
  std::optional<std::vector<std::string>> participants;  /* a roster push */
};
ServerRequestAnswer answer_server_request (const std::string &method,
    const std::string &content_type, const std::string &body);

/* What a client answers server OPTIONS with in Public:. */
inline const char *client_public_methods () { return "OPTIONS, GET_PARAMETER, SET_PARAMETER, ANNOUNCE"; }

/* The names last known, and whether an update changes them. */
class Roster {
public:
  /* True when @names differ from the list held (which then becomes @names). */
  bool update (const std::vector<std::string> &names);
  /* Forgets the list (a session ended); true when it was not empty. */
  bool clear ();
  const std::vector<std::string> &names () const { return names_; }

private:
  std::vector<std::string> names_;
};

}  // namespace meet
