/* meetstream: an RTSP client's control connection on a GMainContext: the GstRTSPConnection, its
 * watch (responses, interleaved data, the server's own requests), the timer that declares the
 * server gone when a request goes unanswered, and the detection of a closed or broken line.
 *
 * Responses and losses reach the owner from idle callbacks, never inside the watch's dispatch,
 * so the owner may close (and reopen) the connection from them; a response of a connection that
 * was closed meanwhile is dropped. Requests of the server (RFC 2326 section 10) are answered here
 * with their CSeq (roster.h's answer_server_request); roster pushes are handed on.
 *
 * Not a GObject; no logic of its own beyond the plumbing: the RTSP exchange is RtspClientLogic,
 * the request loop RtspClientSession (meetrtspsrc). meetrtspclientsink, which runs its exchange
 * blocking on a thread of its own, can use rtsp_open_connection() and
 * rtsp_answer_server_request() as they are, or move to this class with a GMainContext. */
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gio/gio.h>
#include <gst/rtsp/rtsp.h>

#include "rtspclientlogic.h"
#include "rtsptlsclient.h"

namespace meet {

/* Opens a connection to @uri (rtsp://host:port/...) within @timeout_us, blocking, over TLS when
 * @tls.enabled (rtsptlsclient.h); nullptr with a sentence in @reason ("could not connect to
 * host:port (...)", or what failed with the server's certificate) and @refused set when retrying
 * cannot help. The connect timeout is taken off the sockets afterwards: silence between requests
 * is normal, the caller's timers judge it. */
GstRTSPConnection *rtsp_open_connection (const std::string &uri, int64_t timeout_us,
    std::string &reason, const RtspTlsConfig &tls = RtspTlsConfig (), bool *refused = nullptr);

/* The answer to a request the server sent (free with gst_rtsp_message_free), its CSeq and
 * Session copied; @participants gets the names of a roster push. */
GstRTSPMessage *rtsp_answer_server_request (GstRTSPMessage *request,
    std::optional<std::vector<std::string>> &participants);

class RtspControlConnection {
public:
  struct Callbacks {
    /* A response to the oldest request (from an idle callback). */
    std::function<void (const RtspClientResponse &)> response;
    /* Interleaved data ($ channel); called inside the watch's dispatch, must not close. */
    std::function<void (GstRTSPMessage *data)> data;
    /* The server pushed a roster; inside the dispatch, must not close. */
    std::function<void (const std::vector<std::string> &names)> participants;
    /* The server closed the line, broke it or did not answer in time (from an idle callback,
     * at most once per opened connection). */
    std::function<void (const std::string &reason)> lost;
  };

  RtspControlConnection (GMainContext *context, Callbacks callbacks);
  ~RtspControlConnection ();
  RtspControlConnection (const RtspControlConnection &) = delete;
  RtspControlConnection &operator= (const RtspControlConnection &) = delete;

  /* Connects (blocking, bounded by @timeout_ms) and attaches the watch. @timeout_ms also bounds
   * the wait for each response. */
  bool open (const std::string &uri, unsigned timeout_ms, std::string &reason);
  /* rtsps:// for the next open()s (the URI given to open() does not decide: see rtsptlsclient.h). */
  void set_tls (const RtspTlsConfig &tls) { tls_ = tls; }
  /* The last open() failed in a way a retry cannot mend (a refused certificate, no TLS). */
  bool refused () const { return refused_; }
  void close ();
  bool is_open () const { return conn_ != nullptr; }
  GstRTSPConnection *connection () const { return conn_; }
  /* The server's address as connected, or "". */
  std::string server_ip () const;
  /* Our end of the connection ("10.77.0.2"), or "". */
  std::string local_ip () const;
  GSocketFamily family () const;

  /* Queues @request and arms the response timer; false with @error when the line is gone. */
  bool send (const RtspClientRequest &request, std::string &error);
  /* Interleaved data to the server (e.g. RTCP receiver reports over TCP); from any thread. */
  void send_data (uint8_t channel, const uint8_t *data, size_t size);

private:
  static GstRTSPResult on_message (GstRTSPWatch *, GstRTSPMessage *message, gpointer self);
  static GstRTSPResult on_closed (GstRTSPWatch *, gpointer self);
  static GstRTSPResult on_error (GstRTSPWatch *, GstRTSPResult result, gpointer self);
  static gboolean on_response_timeout (gpointer self);
  static gboolean on_lost_idle (gpointer self);
  void schedule_lost (const std::string &reason);
  void post_response (GstRTSPMessage *message);
  void answer (GstRTSPMessage *request);

  GMainContext *context_;
  Callbacks callbacks_;
  GstRTSPConnection *conn_ = nullptr;
  std::mutex watch_lock_;               /* guards watch_ (send_data comes from other threads) */
  GstRTSPWatch *watch_ = nullptr;
  GSource *response_timer_ = nullptr, *lost_source_ = nullptr;
  std::string lost_reason_;
  unsigned timeout_ms_ = 5000;
  RtspTlsConfig tls_;
  bool refused_ = false;
  unsigned generation_ = 0;             /* bumped on close: stale idle responses are dropped */
};

}  // namespace meet
