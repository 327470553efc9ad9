/* meetstream: the sockets and the thread of meetrtspsink's RTSP server.
 *
 * RtspServerIO accepts connections on a listening socket (admission: connectionadmission),
 * reads requests and interleaved data from them, runs them through RtspServerLogic and sends
 * the answers, tells roster subscribers of changes, and twice a second closes what timed out,
 * all on a GLib main loop in a thread of its own. The element only configures it and plugs in
 * its media; what the logic decides is unit-tested apart from this.
 */
#pragma once

#include "participantrelay.h"
#include "rtspconnection.h"
#include "rtspserverlogic.h"
#include "rtsptls.h"

#include <gio/gio.h>

#include <cstdint>
#include <functional>
#include <map>

namespace meet {

class RtspServerIO {
public:
  struct Limits {
    unsigned max_connections = 68;
    unsigned max_connections_per_host = 10;
    int64_t session_timeout_us = 60 * G_USEC_PER_SEC;
  };
  struct Hooks {
    /* Twice a second on the server thread, before sessions expire (keep-alives seen elsewhere). */
    std::function<void (int64_t now_us)> tick;
    /* After anything that may have changed the sessions (requests, closes, timeouts). */
    std::function<void ()> changed;
    /* On the server thread when it stops, every connection closed. */
    std::function<void ()> stopping;
  };

  /* rtsps:// (rtsptls.h): with encryption optional or required, @certificate (with its key)
   * is what TLS clients are shown. */
  struct Security {
    RtspEncryption encryption = RtspEncryption::kNone;
    GTlsCertificate *certificate = nullptr;
  };

  RtspServerIO ();
  ~RtspServerIO ();
  RtspServerIO (const RtspServerIO &) = delete;
  RtspServerIO & operator= (const RtspServerIO &) = delete;

  /* The server thread's context, for sources of others (the relay's sockets). */
  GMainContext *context () const { return context_; }
  /* Serves @listen_socket (a reference is taken) on the server thread; @relay may be null. */
  void start (GSocket * listen_socket, unsigned port, RtspServerLogic & logic,
      ParticipantRelay * relay, Limits limits, Hooks hooks);
  /* Before start: TLS (a reference to the certificate is taken). */
  void set_security (const Security & security);
  /* Closes every connection and joins the thread. */
  void stop ();
  /* Runs @func on the server thread and waits for it (here when it does not run). */
  void run_on_thread (const std::function<void ()> & func);
  /* Server thread only. */
  ConnectionPtr find_connection (uint64_t id) const;

private:
  static gboolean on_listen_ready (GSocket * socket, GIOCondition condition, gpointer self);
  static gboolean on_readable (GSocket * socket, GIOCondition condition, gpointer data);
  static gboolean on_tls_readable (GObject * stream, gpointer data);
  static void on_handshake_done (GObject * tls, GAsyncResult * result, gpointer data);
  /* The first byte said TLS: the handshake starts; false when TLS cannot start. */
  bool start_tls (const ConnectionPtr & c);
  void handshake_done (const ConnectionPtr & c, bool ok, const char * error);
  void wait_for_hello (const ConnectionPtr & c);
  static gboolean on_housekeeping (gpointer self);
  static gpointer thread_main (gpointer self);
  void dispatch (GSourceFunc func, gpointer data);
  void accept_connection (GSocket * socket);
  bool read_connection (const ConnectionPtr & c, GIOCondition condition);
  void close_connection (const ConnectionPtr & c);
  void close_after_answer (const ConnectionPtr & c, gint64 now);
  void broadcast_roster ();
  void housekeeping ();
  void changed ();

  GMainContext *context_ = nullptr;
  GMainLoop *loop_ = nullptr;
  GThread *thread_ = nullptr;
  GSocket *listen_socket_ = nullptr;
  GSource *listen_source_ = nullptr;
  GSource *timer_source_ = nullptr;
  RtspServerLogic *logic_ = nullptr;
  ParticipantRelay *relay_ = nullptr;
  Limits limits_;
  Hooks hooks_;
  Security security_;
  unsigned port_ = 0;
  std::map<uint64_t, ConnectionPtr> connections_;
  uint64_t next_connection_id_ = 1;
  uint64_t roster_version_sent_ = 0;
  /* Handshakes started and not yet reported back (server thread only). */
  unsigned handshakes_running_ = 0;
};

}  // namespace meet
