/* meetstream: who is in the meeting. Keeps an RTSP connection to the meeting's URL, asks for the roster
 * (GET_PARAMETER "participants", README "Roster") and takes the server's SET_PARAMETER pushes; asks again
 * every second as well, so a missed push or a server without pushes costs at most a second. Reconnects
 * when the connection closes. rtsps:// over TLS (rtsptlsclient.h: the same trust as meetrtspsrc's). Hand-written over GstRTSPConnection because meetrtspsrc (on main) does not
 * expose the roster yet and a roster is also wanted without playing anything (meetsrv's status lines). */
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace meet {

class RosterWatch {
public:
  /* @on_change runs on the default main context with the whole roster, in join order, whenever it differs
   * from the last one (and once at the first answer). */
  RosterWatch (const std::string & url, const std::string & user, const std::string & password,
      std::function<void (const std::vector<std::string> &)> on_change);
  /* An rtsps:// @url is watched over TLS, trusting exactly the certificate of @tls_fingerprint
   * (sha256:...; empty: the system store). @on_refused runs once on the default main context
   * with a sentence when retrying cannot help - the certificate was refused (the sentence names
   * the fingerprint seen and the one expected), or the server refused the credentials (401
   * after answering its challenge) - and the watch stops. */
  RosterWatch (const std::string & url, const std::string & user, const std::string & password,
      std::function<void (const std::vector<std::string> &)> on_change, const std::string & tls_fingerprint,
      std::function<void (const std::string &)> on_refused);
  ~RosterWatch ();
  RosterWatch (const RosterWatch &) = delete;
  RosterWatch & operator= (const RosterWatch &) = delete;

  /* When the server last answered (g_get_monotonic_time), 0 before the first answer. Any thread. */
  int64_t last_answer_time () const;

  /* Parses a text/parameters body "participants: a,b" (empty list when nobody); false when it has no
   * participants line. */
  static bool parse (const std::string & body, std::vector<std::string> * names);

  struct State;                 /* shared with the thread (rosterwatch.cpp) */

private:
  std::shared_ptr<State> state_;
};

}  // namespace meet
