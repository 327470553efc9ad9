/* meetstream: one publishing attempt of meetrtspclientsink, and when to try again.
 *
 * Plain C++ (no GObject, no sockets): RtspPublishSession walks OPTIONS, ANNOUNCE, SETUP mode=record,
 * RECORD with meet::RtspClientLogic over an RtspPublishChannel (a GstRTSPConnection in the element,
 * a script in the unit tests), then keeps the session alive at half the server's timeout until the
 * element stops, the streams end (TEARDOWN) or the server goes away. What the data path needs (UDP
 * ports before SETUP, destinations after it, recording on/off) goes through RtspPublishHooks.
 */
#pragma once

#include "rtspclientlogic.h"

#include <cstdint>
#include <string>

namespace meet {

/* How an attempt ended. */
enum class PublishOutcome {
  kStopped,     /* the element stops or the streams ended: no retry */
  kLost,        /* the server went away, never answered, or could not be reached: worth a retry */
  kRefused,     /* the server said no: retrying would not help */
};

struct PublishAttempt {
  PublishOutcome outcome = PublishOutcome::kStopped;
  std::string reason;
  bool connected = false;   /* the server was reached */
  bool recorded = false;    /* the server answered RECORD */
  int status = 0;           /* kRefused by an answer: its status code */
};

/* The RTSP connection of one attempt. */
class RtspPublishChannel {
public:
  enum class Received { kResponse, kTimeout, kClosed, kFailed };

  virtual ~RtspPublishChannel () = default;
  /* False with @error when the request could not be written. */
  virtual bool send (const RtspClientRequest &request, std::string &error) = 0;
  /* Waits up to @timeout_us for the next response; requests of the server are answered (200) and
   * interleaved data skipped meanwhile. kClosed/kFailed fill @error. */
  virtual Received receive (int64_t timeout_us, RtspClientResponse &response, std::string &error) = 0;
  /* The connection answers the challenge of @logic's last 401 with its credentials from now on. */
  virtual void apply_auth (const RtspClientLogic &logic) = 0;
};

/* What the element does for the session. Called on the control thread. */
class RtspPublishHooks {
public:
  virtual ~RtspPublishHooks () = default;
  /* UDP: bind a port pair per stream and give them to @logic (set_client_ports). */
  virtual bool bind_client_ports (RtspClientLogic &logic, std::string &error) = 0;
  /* Every stream is set up: send its packets where @logic's streams say. */
  virtual bool set_destinations (const RtspClientLogic &logic, std::string &error) = 0;
  /* The server RECORDs (true) / packets must stop (false). */
  virtual void set_recording (bool recording) = 0;
  /* The element is stopping: give up at once. */
  virtual bool stopping () = 0;
  /* Every stream reached EOS: TEARDOWN and end. */
  virtual bool ending () = 0;
  /* Monotonic microseconds (a fake clock in the tests). */
  virtual int64_t now_us () = 0;
};

struct PublishSettings {
  std::string location, user, password;
  bool udp = true, tcp = true;
  int64_t timeout_us = 5000000;      /* per answer */
  int64_t poll_us = 200000;          /* how often a wait looks at stopping()/ending() */
};

class RtspPublishSession {
public:
  RtspPublishSession (const PublishSettings &settings, RtspPublishChannel &channel,
      RtspPublishHooks &hooks);

  /* @sdp and @controls as RtspClientLogic::set_publish() takes them. False with a reason when the
   * location does not parse. */
  bool prepare (const std::string &sdp, const std::vector<std::string> &controls, std::string &error);
  /* The whole attempt on a connected channel: publish, record until it ends, TEARDOWN. */
  PublishAttempt run ();

  RtspClientLogic &logic () { return logic_; }

private:
  /* The answer to the request in flight; @interruptible: give up when the element stops. */
  bool receive_answer (int64_t timeout_us, RtspClientResponse &response, std::string &error,
      bool interruptible = true);
  PublishAttempt keep_recording ();
  void teardown ();

  PublishSettings settings_;
  RtspPublishChannel &channel_;
  RtspPublishHooks &hooks_;
  RtspClientLogic logic_;
};

/* Milliseconds to wait before reconnection @failures (0 for the first): 0.5 s doubling, at most 8 s. */
int publish_backoff_ms (int failures);

}  // namespace meet
