/* meetstream: when an RTSP client reconnects after losing its server, and what it tells the user.
 *
 * Exponential backoff (base, doubled per attempt, capped), a number of attempts before giving up,
 * starting over once a session plays again; the warning and error sentences name the URL, the
 * reason, the delay and the attempt. Plain C++ (no GObject, no sockets), unit-tested in
 * tests/test_rtspclientparts.cpp. meetrtspsrc uses it with a 250 ms base; meetrtspclientsink's own
 * loop (500 ms base, 8 s cap) has the same shape and can take it over. */
#pragma once

#include <string>

namespace meet {

class ReconnectPolicy {
public:
  explicit ReconnectPolicy (unsigned base_delay_ms = 250, unsigned max_delay_ms = 8000)
      : base_ms_ (base_delay_ms), max_ms_ (max_delay_ms) {}

  /* Reconnect attempts before giving up (0: give up at the first loss). */
  void set_retries (unsigned retries) { retries_ = retries; }
  unsigned retries () const { return retries_; }
  /* A session reached its goal (playing, recording): the next loss starts at attempt 1. */
  void succeeded () { attempts_ = 0; }
  /* A new pipeline run: attempts and "ever connected" start over. */
  void reset () { attempts_ = 0; ever_connected_ = false; }
  /* The connection was made at least once (changes "cannot reach" into "lost"). */
  void connected () { ever_connected_ = true; }
  bool ever_connected () const { return ever_connected_; }
  unsigned attempts () const { return attempts_; }

  struct Decision {
    bool give_up = false;
    unsigned delay_ms = 0;      /* wait this long, then reconnect */
    unsigned attempt = 0;       /* 1-based number of this reconnect */
  };
  /* The server is gone (@reason): reconnect after a delay, or give up. */
  Decision lost ();

  /* "Lost the RTSP server at URI: REASON; reconnecting in N ms (attempt a of r)." */
  std::string warning (const std::string &uri, const std::string &reason, const Decision &d) const;
  /* "... at URI: REASON. Gave up after r reconnect attempts. Check that the server runs ..." */
  std::string give_up_message (const std::string &uri, const std::string &reason) const;

private:
  const char *what () const;

  unsigned base_ms_, max_ms_;
  unsigned retries_ = 3;
  unsigned attempts_ = 0;
  bool ever_connected_ = false;
};

}  // namespace meet
