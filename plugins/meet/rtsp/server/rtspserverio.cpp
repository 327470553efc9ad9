/* meetstream: the sockets and the thread of meetrtspsink's RTSP server. See rtspserverio.h. */
#include "rtspserverio.h"
#include "connectionadmission.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

namespace meet {

namespace {
/* Half-sent requests are given at most this long (or the session timeout if shorter). */
constexpr gint64 kRequestTimeoutUs = 10 * G_USEC_PER_SEC;
/* A TLS handshake (and the first byte that asks for one) gets as long. */
constexpr gint64 kHandshakeTimeoutUs = 10 * G_USEC_PER_SEC;
/* Reads per wakeup of a TLS connection (8 KiB each) before the rest waits for an idle turn. */
constexpr int kTlsReadRounds = 32;
/* How often a ClientHello still arriving is looked at again (the socket says readable all
 * along, so it cannot be watched). */
constexpr guint kHelloRetryMs = 20;
/* At shutdown, how long cancelled handshakes get to hand their threads back. */
constexpr gint64 kHandshakeDrainUs = 2 * G_USEC_PER_SEC;
}  // namespace

RtspServerIO::RtspServerIO ()
{
  context_ = g_main_context_new ();
  loop_ = g_main_loop_new (context_, FALSE);
}

RtspServerIO::~RtspServerIO ()
{
  stop ();
  g_clear_object (&security_.certificate);
  g_main_loop_unref (loop_);
  g_main_context_unref (context_);
}

void
RtspServerIO::start (GSocket * listen_socket, unsigned port, RtspServerLogic & logic,
    ParticipantRelay * relay, Limits limits, Hooks hooks)
{
  listen_socket_ = G_SOCKET (g_object_ref (listen_socket));
  port_ = port;
  logic_ = &logic;
  relay_ = relay;
  limits_ = limits;
  hooks_ = std::move (hooks);
  listen_source_ = g_socket_create_source (listen_socket_, G_IO_IN, nullptr);
  g_source_set_callback (listen_source_, G_SOURCE_FUNC (on_listen_ready), this, nullptr);
  g_source_attach (listen_source_, context_);
  timer_source_ = g_timeout_source_new (500);
  g_source_set_callback (timer_source_, on_housekeeping, this, nullptr);
  g_source_attach (timer_source_, context_);
  thread_ = g_thread_new ("meetrtspsink", thread_main, this);
}

void
RtspServerIO::set_security (const Security & security)
{
  GTlsCertificate *old = security_.certificate;
  security_ = security;
  if (security_.certificate)
    g_object_ref (security_.certificate);
  if (old)
    g_object_unref (old);
}

void
RtspServerIO::stop ()
{
  if (!thread_)
    return;
  /* Quit from inside the loop: a g_main_loop_quit() issued before the new thread reached
   * g_main_loop_run() is lost, and the join below would then wait forever. */
  dispatch ([](gpointer loop) -> gboolean {
        g_main_loop_quit (static_cast<GMainLoop *> (loop));
        return G_SOURCE_REMOVE;
      }, loop_);
  g_thread_join (thread_);
  thread_ = nullptr;
  for (GSource **source : { &listen_source_, &timer_source_ }) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = nullptr;
  }
  g_socket_close (listen_socket_, nullptr);
  g_clear_object (&listen_socket_);
}

gpointer
RtspServerIO::thread_main (gpointer data)
{
  auto *self = static_cast<RtspServerIO *> (data);
  g_main_context_push_thread_default (self->context_);
  g_main_loop_run (self->loop_);
  /* Shutdown: drop every client while still on this thread. */
  std::vector<ConnectionPtr> all;
  for (auto & entry : self->connections_)
    all.push_back (entry.second);
  for (const ConnectionPtr & c : all)
    self->close_connection (c);
  /* Handshakes cancelled above end in GLib's pool and report to this context: their callbacks
   * free what they hold. No new connection is taken meanwhile. */
  if (self->handshakes_running_ > 0) {
    g_source_destroy (self->listen_source_);
    g_source_destroy (self->timer_source_);
  }
  gint64 deadline = g_get_monotonic_time () + kHandshakeDrainUs;
  while (self->handshakes_running_ > 0 && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (self->context_, FALSE))
      g_usleep (1000);
  }
  self->logic_->teardown_all ();
  if (self->hooks_.stopping)
    self->hooks_.stopping ();
  self->changed ();
  g_main_context_pop_thread_default (self->context_);
  return nullptr;
}

/* Queues @func for the server thread's loop. Unlike g_main_context_invoke() it never runs
 * @func on the calling thread, even while the new server thread has not acquired the context. */
void
RtspServerIO::dispatch (GSourceFunc func, gpointer data)
{
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, nullptr);
  g_source_attach (source, context_);
  g_source_unref (source);
}

void
RtspServerIO::run_on_thread (const std::function<void ()> & func)
{
  if (!thread_) {
    func ();
    return;
  }
  struct Call {
    const std::function<void ()> *func;
    std::mutex lock;
    std::condition_variable cond;
    bool done = false;
  } call;
  call.func = &func;
  dispatch ([](gpointer p) -> gboolean {
        auto *c = static_cast<Call *> (p);
        (*c->func) ();
        std::lock_guard<std::mutex> guard (c->lock);
        c->done = true;
        c->cond.notify_one ();
        return G_SOURCE_REMOVE;
      }, &call);
  std::unique_lock<std::mutex> guard (call.lock);
  call.cond.wait (guard, [&] { return call.done; });
}

ConnectionPtr
RtspServerIO::find_connection (uint64_t id) const
{
  auto it = connections_.find (id);
  return it == connections_.end () ? ConnectionPtr () : it->second;
}

void
RtspServerIO::changed ()
{
  if (hooks_.changed)
    hooks_.changed ();
}

/* Within a second of a join or leave, every connection that asked for the participants
 * hears the new list (publish-protocol: SET_PARAMETER, server to client). */
void
RtspServerIO::broadcast_roster ()
{
  const ParticipantRegistry & participants = logic_->participants ();
  if (participants.roster_version () == roster_version_sent_)
    return;
  roster_version_sent_ = participants.roster_version ();
  std::string body = participants.roster_parameters ();
  std::string path = logic_->config_path ();
  for (auto & entry : connections_) {
    const ConnectionPtr & c = entry.second;
    if (!c->context.roster_subscriber || c->closing_since_us)
      continue;
    const std::string & host = c->context.local_host;
    std::string authority = host.find (':') != std::string::npos ? "[" + host + "]" : host;
    std::string request = "SET_PARAMETER rtsp://" + authority + ":" + std::to_string (port_)
        + path + " RTSP/1.0\r\n"
        "CSeq: " + std::to_string (++c->server_cseq) + "\r\n"
        "Server: meetstream\r\n"
        "Content-Type: text/parameters\r\n"
        "Content-Length: " + std::to_string (body.size ()) + "\r\n\r\n" + body;
    connection_send_response (c, request);
  }
}

void
RtspServerIO::close_connection (const ConnectionPtr & c)
{
  GST_DEBUG ("closing connection %" G_GUINT64_FORMAT " from %s", c->context.id,
      c->context.peer_host.c_str ());
  logic_->connection_closed (c->context);
  if (c->handshaking) {
    /* Its handshake blocks in a pool thread: wake it (the cancellable) and let the client see
     * the end now (shutdown; the thread's poll still holds the socket a close would free). */
    g_cancellable_cancel (c->handshake_cancel);
    g_socket_shutdown (c->socket, TRUE, TRUE, nullptr);
  }
  if (c->read_source) {
    g_source_destroy (c->read_source);
    g_source_unref (c->read_source);
    c->read_source = nullptr;
  }
  {
    std::lock_guard<std::mutex> guard (c->lock);
    c->closed = true;
    if (c->write_source) {
      g_source_destroy (c->write_source);
      g_source_unref (c->write_source);
      c->write_source = nullptr;
    }
    c->out.clear ();
    g_socket_close (c->socket, nullptr);
  }
  connections_.erase (c->context.id);
  changed ();
  broadcast_roster ();
}

gboolean
RtspServerIO::on_readable (GSocket *, GIOCondition condition, gpointer data)
{
  auto *args = static_cast<std::pair<RtspServerIO *, uint64_t> *> (data);
  RtspServerIO *self = args->first;
  ConnectionPtr c = self->find_connection (args->second);
  if (!c)
    return G_SOURCE_REMOVE;
  return self->read_connection (c, condition) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

gboolean
RtspServerIO::on_tls_readable (GObject *, gpointer data)
{
  return on_readable (nullptr, G_IO_IN, data);
}

bool
RtspServerIO::start_tls (const ConnectionPtr & c)
{
  std::string error;
  GTlsConnection *tls = security_.certificate
      ? tls_server_connection_new (c->socket, security_.certificate, &error) : nullptr;
  if (!tls) {
    GST_WARNING ("connection %" G_GUINT64_FORMAT " from %s asks for TLS: %s", c->context.id,
        c->context.peer_host.c_str (), error.empty () ? "no certificate" : error.c_str ());
    return false;
  }
  /* The raw socket's source is done: from here the TLS input stream says when to read. */
  if (c->read_source) {
    g_source_destroy (c->read_source);
    g_source_unref (c->read_source);
    c->read_source = nullptr;
  }
  {
    std::lock_guard<std::mutex> guard (c->lock);
    c->tls = tls;
    c->tls_in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (tls)));
    c->tls_out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (tls)));
    c->handshaking = true;
    c->wire = Connection::Wire::kTls;
  }
  c->handshake_cancel = g_cancellable_new ();
  GST_DEBUG ("connection %" G_GUINT64_FORMAT ": TLS handshake", c->context.id);
  /* GIO runs it in GLib's thread pool, so handshakes overlap and this thread goes on serving;
   * the answer comes back to this thread's context. */
  handshakes_running_++;
  g_tls_connection_handshake_async (tls, G_PRIORITY_DEFAULT, c->handshake_cancel,
      on_handshake_done, new std::pair<RtspServerIO *, uint64_t> (this, c->context.id));
  return true;
}

void
RtspServerIO::on_handshake_done (GObject * tls, GAsyncResult * result, gpointer data)
{
  auto *args = static_cast<std::pair<RtspServerIO *, uint64_t> *> (data);
  GError *error = nullptr;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (tls), result, &error);
  args->first->handshakes_running_--;
  ConnectionPtr c = args->first->find_connection (args->second);
  if (c && c->tls == G_TLS_CONNECTION (tls))
    args->first->handshake_done (c, ok, error ? error->message : "?");
  g_clear_error (&error);
  delete args;
}

void
RtspServerIO::handshake_done (const ConnectionPtr & c, bool ok, const char * error)
{
  if (!ok) {
    /* A client that does not trust our certificate ends up here too (it aborts). */
    GST_INFO ("connection %" G_GUINT64_FORMAT " from %s: TLS handshake failed: %s",
        c->context.id, c->context.peer_host.c_str (), error);
    close_connection (c);
    return;
  }
  GST_DEBUG ("connection %" G_GUINT64_FORMAT ": TLS established", c->context.id);
  /* The client's Finished is not acknowledged yet (the kernel delays the ACK up to 40 ms, and
   * we have nothing to send): a client without TCP_NODELAY (GstRTSPConnection, so rtspsrc and
   * ours) holds its first request back until it comes (Nagle). Acknowledge it now. */
  g_socket_set_option (c->socket, IPPROTO_TCP, TCP_QUICKACK, 1, nullptr);
  {
    std::lock_guard<std::mutex> guard (c->lock);
    c->handshaking = false;
  }
  c->context.secure = true;
  c->last_activity_us = g_get_monotonic_time ();
  c->read_source = g_pollable_input_stream_create_source (c->tls_in, nullptr);
  g_source_set_callback (c->read_source, G_SOURCE_FUNC (on_tls_readable),
      new std::pair<RtspServerIO *, uint64_t> (this, c->context.id),
      [](gpointer p) { delete static_cast<std::pair<RtspServerIO *, uint64_t> *> (p); });
  g_source_attach (c->read_source, context_);
  connection_flush (c);
  /* Bytes that came with the handshake's last flight are read now. */
  read_connection (c, G_IO_IN);
}

/* A ClientHello still arriving: the socket stays readable, so look again in a moment instead
 * of watching it (the handshake timeout of housekeeping still applies). */
void
RtspServerIO::wait_for_hello (const ConnectionPtr & c)
{
  if (c->read_source) {
    g_source_destroy (c->read_source);
    g_source_unref (c->read_source);
  }
  c->read_source = g_timeout_source_new (kHelloRetryMs);
  g_source_set_callback (c->read_source, [](gpointer data) -> gboolean {
        auto *args = static_cast<std::pair<RtspServerIO *, uint64_t> *> (data);
        ConnectionPtr again = args->first->find_connection (args->second);
        if (!again)
          return G_SOURCE_REMOVE;
        /* This timer is done; what comes next (TLS, or another timer) replaces it. */
        g_source_unref (again->read_source);
        again->read_source = nullptr;
        args->first->read_connection (again, G_IO_IN);
        return G_SOURCE_REMOVE;
      }, new std::pair<RtspServerIO *, uint64_t> (this, c->context.id),
      [](gpointer p) { delete static_cast<std::pair<RtspServerIO *, uint64_t> *> (p); });
  g_source_attach (c->read_source, context_);
}

/* False once the connection is closed. */
bool
RtspServerIO::read_connection (const ConnectionPtr & c, GIOCondition condition)
{
  gint64 now = g_get_monotonic_time ();

  if (c->wire == Connection::Wire::kUndecided) {
    /* rtsps:// and rtsp:// on one port: the first byte says which (rtsptls.h). */
    switch (peek_opening (c->socket)) {
      case FirstByte::kPending:
        return true;
      case FirstByte::kTlsIncomplete:
        wait_for_hello (c);
        return true;
      case FirstByte::kClosed:
        close_connection (c);
        return false;
      case FirstByte::kTls:
        if (!start_tls (c)) {
          close_connection (c);
          return false;
        }
        return true;
      case FirstByte::kPlain: {
        std::lock_guard<std::mutex> guard (c->lock);
        c->wire = Connection::Wire::kPlain;
        c->refuse_plain = security_.encryption == RtspEncryption::kRequired;
        break;
      }
    }
  }

  /* Read a bounded amount per wakeup so one chatty client cannot starve the others. A
   * hang-up still gets its last bytes read (a TEARDOWN right before close, say). TLS is read
   * until it would block: GnuTLS may hold decrypted bytes the socket no longer signals. */
  bool eof = (condition & G_IO_ERR) != 0;
  bool more = false;
  guint8 buf[8192];
  const int rounds = c->tls_in ? kTlsReadRounds : 8;
  for (int round = 0; round < rounds && !eof; round++) {
    GError *error = nullptr;
    gssize n = c->tls_in
        ? g_pollable_input_stream_read_nonblocking (c->tls_in, buf, sizeof (buf), nullptr, &error)
        : g_socket_receive_with_blocking (c->socket, reinterpret_cast<gchar *> (buf),
            sizeof (buf), FALSE, nullptr, &error);
    if (n < 0) {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        if (c->tls_in)
          GST_DEBUG ("connection %" G_GUINT64_FORMAT ": TLS read failed: %s", c->context.id,
              error->message);
        eof = true;
      }
      g_clear_error (&error);
      break;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    c->parser.feed (buf, n);
    c->last_activity_us = now;
    if (c->tls_in) {
      more = round == rounds - 1;
      continue;
    }
    if ((size_t) n < sizeof (buf))
      break;
  }
  if (more) {
    /* Still more in TLS: go on after the others had their turn. */
    auto *args = new std::pair<RtspServerIO *, uint64_t> (this, c->context.id);
    GSource *idle = g_idle_source_new ();
    g_source_set_callback (idle, [](gpointer p) -> gboolean {
          auto *a = static_cast<std::pair<RtspServerIO *, uint64_t> *> (p);
          ConnectionPtr again = a->first->find_connection (a->second);
          if (again)
            a->first->read_connection (again, G_IO_IN);
          return G_SOURCE_REMOVE;
        }, args, [](gpointer p) { delete static_cast<std::pair<RtspServerIO *, uint64_t> *> (p); });
    g_source_attach (idle, context_);
    g_source_unref (idle);
  }

  for (;;) {
    RtspRequest request;
    int error_code = 0;
    guint8 channel = 0;
    auto result = c->parser.next (request, error_code, channel);
    if (result == RtspRequestParser::Result::kNeedMore)
      break;
    if (result == RtspRequestParser::Result::kInterleaved) {
      /* A TCP publisher's RTP/RTCP goes to its readers; the rest (receiver reports) is a
       * proof of life. */
      if (!relay_ || !relay_->interleaved (c->context.id, channel, c->parser.interleaved_data (),
              c->parser.interleaved_size ()))
        logic_->touch_connection (c->context.id, now);
      continue;
    }
    if (result == RtspRequestParser::Result::kResponse)
      continue;     // a client answering our SET_PARAMETER
    if (c->refuse_plain && result == RtspRequestParser::Result::kRequest) {
      GST_INFO ("connection %" G_GUINT64_FORMAT " from %s: plain RTSP refused (encryption=required)",
          c->context.id, c->context.peer_host.c_str ());
      connection_send_response (c, encryption_required_response (request));
      close_after_answer (c, now);
      break;
    }
    std::string refusal;
    if (c->tls && result == RtspRequestParser::Result::kRequest
        && !restrict_to_interleaved (request, &refusal)) {
      /* Media of a TLS client stays inside TLS (interleaved) or goes as SRTP. */
      connection_send_response (c, refusal);
      continue;
    }
    RtspResponse response;
    c->requests++;
    if (result == RtspRequestParser::Result::kError) {
      GST_INFO ("connection %" G_GUINT64_FORMAT " from %s sent a bad request (%d)",
          c->context.id, c->context.peer_host.c_str (), error_code);
      response = RtspServerLogic::error_response (error_code);
    } else {
      GST_LOG ("connection %" G_GUINT64_FORMAT ": %s %s", c->context.id,
          request.method.c_str (), request.uri.c_str ());
      response = logic_->handle (request, c->context, now);
      GST_LOG ("connection %" G_GUINT64_FORMAT ": answered %d", c->context.id, response.code);
    }
    connection_send_response (c, response.serialize ());
    if (response.close_connection && !c->closing_since_us) {
      close_after_answer (c, now);
      break;
    }
  }
  changed ();
  broadcast_roster ();
  c->partial_since_us = c->parser.pending () > 0 && !c->closing_since_us
      ? (c->partial_since_us ? c->partial_since_us : now) : 0;

  if (eof) {
    close_connection (c);
    return false;
  }
  return true;
}

/* Closing with unread input would reset the connection and could destroy the answer on its
 * way: end our side once it is out, swallow what the client still sends (the failed parser
 * ignores it) and close on its EOF or a second later. */
void
RtspServerIO::close_after_answer (const ConnectionPtr & c, gint64 now)
{
  if (c->closing_since_us)
    return;
  c->closing_since_us = now;
  std::lock_guard<std::mutex> guard (c->lock);
  if (c->out.empty ())
    g_socket_shutdown (c->socket, FALSE, TRUE, nullptr);
}

void
RtspServerIO::accept_connection (GSocket * socket)
{
  auto c = std::make_shared<Connection> ();
  c->socket = socket;
  c->context_ptr = context_;
  c->context.id = next_connection_id_++;
  c->last_activity_us = c->opened_us = g_get_monotonic_time ();
  if (security_.encryption != RtspEncryption::kNone)
    c->wire = Connection::Wire::kUndecided;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, nullptr);

  GSocketAddress *remote = g_socket_get_remote_address (socket, nullptr);
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  if (remote && G_IS_INET_SOCKET_ADDRESS (remote)) {
    gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (
            G_INET_SOCKET_ADDRESS (remote)));
    c->context.peer_host = host;
    g_free (host);
  }
  if (local && G_IS_INET_SOCKET_ADDRESS (local)) {
    gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (
            G_INET_SOCKET_ADDRESS (local)));
    c->context.local_host = host;
    g_free (host);
  }
  g_clear_object (&remote);
  g_clear_object (&local);

  std::vector<ConnectionSummary> open;
  for (const auto & entry : connections_) {
    const ConnectionPtr & other = entry.second;
    ConnectionSummary summary;
    summary.id = other->context.id;
    summary.host = other->context.peer_host;
    summary.opened_us = other->opened_us;
    summary.has_session = logic_->connection_has_session (other->context.id);
    summary.answered = other->requests > 0;
    summary.partial = other->partial_since_us != 0 || other->closing_since_us != 0;
    summary.last_activity_us = other->last_activity_us;
    open.push_back (summary);
  }
  AdmissionDecision admission = admit_connection (c->context.peer_host, open,
      limits_.max_connections, limits_.max_connections_per_host, c->opened_us);
  for (uint64_t id : admission.close) {
    ConnectionPtr doomed = find_connection (id);
    if (!doomed)
      continue;
    GST_INFO ("closing idle connection %" G_GUINT64_FORMAT " from %s to make room",
        id, doomed->context.peer_host.c_str ());
    close_connection (doomed);
  }
  if (!admission.accept) {
    GST_WARNING ("refusing connection from %s: every connection has a session (%u at most, "
        "%u per address)", c->context.peer_host.c_str (), limits_.max_connections,
        limits_.max_connections_per_host);
    std::string busy = RtspServerLogic::error_response (
        GST_RTSP_STS_SERVICE_UNAVAILABLE).serialize ();
    g_socket_send_with_blocking (socket, busy.data (), busy.size (), FALSE, nullptr, nullptr);
    g_socket_close (socket, nullptr);
    return;
  }

  GST_DEBUG ("connection %" G_GUINT64_FORMAT " from %s", c->context.id,
      c->context.peer_host.c_str ());
  connections_[c->context.id] = c;
  c->read_source = g_socket_create_source (socket,
      static_cast<GIOCondition> (G_IO_IN | G_IO_HUP | G_IO_ERR), nullptr);
  g_source_set_callback (c->read_source, G_SOURCE_FUNC (on_readable),
      new std::pair<RtspServerIO *, uint64_t> (this, c->context.id),
      [](gpointer p) { delete static_cast<std::pair<RtspServerIO *, uint64_t> *> (p); });
  g_source_attach (c->read_source, context_);
}

gboolean
RtspServerIO::on_listen_ready (GSocket * listen_socket, GIOCondition, gpointer data)
{
  auto *self = static_cast<RtspServerIO *> (data);
  for (int i = 0; i < 16; i++) {
    GError *error = nullptr;
    GSocket *socket = g_socket_accept (listen_socket, nullptr, &error);
    if (!socket) {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        GST_WARNING ("accept failed: %s", error->message);
      g_clear_error (&error);
      break;
    }
    self->accept_connection (socket);
  }
  return G_SOURCE_CONTINUE;
}

gboolean
RtspServerIO::on_housekeeping (gpointer data)
{
  static_cast<RtspServerIO *> (data)->housekeeping ();
  return G_SOURCE_CONTINUE;
}

/* Twice a second: session timeouts, keep-alives, idle and broken connections. */
void
RtspServerIO::housekeeping ()
{
  gint64 now = g_get_monotonic_time ();
  if (hooks_.tick)
    hooks_.tick (now);
  if (relay_) {
    for (const std::string & id : relay_->take_active_sessions ())
      logic_->touch_session (id, now);
  }

  unsigned expired = logic_->expire (now);
  if (expired)
    GST_INFO ("%u session(s) timed out", expired);

  gint64 request_timeout = MIN (kRequestTimeoutUs, limits_.session_timeout_us);
  std::vector<ConnectionPtr> doomed;
  for (auto & entry : connections_) {
    const ConnectionPtr & c = entry.second;
    bool broken;
    {
      std::lock_guard<std::mutex> guard (c->lock);
      broken = c->broken;
    }
    bool half_sent = c->partial_since_us && now - c->partial_since_us > request_timeout;
    bool closing = c->closing_since_us && now - c->closing_since_us > G_USEC_PER_SEC;
    bool idle = !logic_->connection_has_session (c->context.id)
        && now - c->last_activity_us > limits_.session_timeout_us;
    /* Silent before its first byte, or stuck in the TLS handshake. */
    bool no_start = (c->wire == Connection::Wire::kUndecided || c->handshaking)
        && now - c->opened_us > MIN (kHandshakeTimeoutUs, limits_.session_timeout_us);
    if (broken || half_sent || idle || closing || no_start)
      doomed.push_back (c);
  }
  for (const ConnectionPtr & c : doomed)
    close_connection (c);
  changed ();
  broadcast_roster ();
}

}  // namespace meet
