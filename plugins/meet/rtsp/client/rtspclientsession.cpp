/* meetstream: the request loop of meetrtspsrc. See rtspclientsession.h. */
#include "rtspclientsession.h"

#include <algorithm>

#include "rtspmessages.h"

GST_DEBUG_CATEGORY_STATIC (meet_rtsp_session_debug);
#define GST_CAT_DEFAULT meet_rtsp_session_debug

namespace meet {

namespace {

/* How long TEARDOWN waits for its answer before closing anyway. */
constexpr unsigned kTeardownWaitMs = 1000;
/* How often the data flow is judged while playing. */
constexpr unsigned kMonitorIntervalMs = 100;

void
destroy_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = nullptr;
  }
}

/* For a callback returning G_SOURCE_REMOVE: forget the source it was called from. */
void
forget_source (GSource ** source)
{
  if (*source) {
    g_source_unref (*source);
    *source = nullptr;
  }
}

}  // namespace

RtspClientSession::RtspClientSession (GMainContext *context, Delegate &delegate)
    : context_ (context), delegate_ (delegate),
      connection_ (context, RtspControlConnection::Callbacks {
        [this](const RtspClientResponse & response) {
          handle_event (logic_.handle_response (response));
        },
        [this](GstRTSPMessage * data) { delegate_.interleaved (data); },
        [this](const std::vector<std::string> &names) { delegate_.participants (&names); },
        [this](const std::string & reason) { server_lost (reason); },
      })
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (meet_rtsp_session_debug, "meetrtspsrc-session", 0,
        "meetstream RTSP client request loop");
    g_once_init_leave (&once, 1);
  }
}

RtspClientSession::~RtspClientSession ()
{
  shutdown ();
}

GSource *
RtspClientSession::add_timeout (unsigned ms, GSourceFunc func)
{
  GSource *source = g_timeout_source_new (ms);
  g_source_set_callback (source, func, this, nullptr);
  g_source_attach (source, context_);
  return source;
}

void
RtspClientSession::report_state ()
{
  delegate_.rtsp_state (logic_.state ());
}

void
RtspClientSession::shutdown ()
{
  destroy_source (&keepalive_source_);
  destroy_source (&monitor_source_);
  destroy_source (&retry_source_);
  destroy_source (&teardown_timeout_source_);
  connection_.close ();
  logic_.reset_session ();
  reconnect_.reset ();
  report_state ();
}

void
RtspClientSession::fatal_error (const std::string &message)
{
  delegate_.error (message, Delegate::ErrorKind::Read);
  destroy_source (&keepalive_source_);
  destroy_source (&monitor_source_);
  connection_.close ();
  delegate_.clear_transports ();
  logic_.reset_session ();
  logic_.set_target (State::Init);
  report_state ();
  delegate_.participants (nullptr);
}

void
RtspClientSession::send (const RtspClientRequest &request)
{
  std::string error;
  if (!connection_.send (request, error))
    server_lost (error);
}

gboolean
RtspClientSession::on_keepalive (gpointer user_data)
{
  auto *self = static_cast<RtspClientSession *> (user_data);
  /* Any request refreshes the session: only send one when the line is quiet. */
  if (!self->logic_.waiting_for_response ()) {
    if (auto request = self->logic_.keepalive_request ())
      self->send (*request);
  }
  return G_SOURCE_CONTINUE;
}

gboolean
RtspClientSession::on_monitor (gpointer user_data)
{
  auto *self = static_cast<RtspClientSession *> (user_data);
  if (self->logic_.state () != State::Playing)
    return G_SOURCE_CONTINUE;
  RtspLowerTransport current = self->logic_.transport ();
  auto verdict = self->fallback_.check (g_get_monotonic_time (), self->delegate_.last_data_us (),
      self->config_.timeout_ms, current);
  if (verdict == TransportFallback::Verdict::Fine)
    return G_SOURCE_CONTINUE;
  forget_source (&self->monitor_source_);
  if (verdict == TransportFallback::Verdict::Switch) {
    /* The transport is blocked somewhere between us and the server: try the next one. */
    RtspLowerTransport next = self->fallback_.switch_to ();
    self->delegate_.warning (TransportFallback::switch_message (self->logic_.shown_uri (),
            self->config_.timeout_ms, current, next));
    self->reconnect_.succeeded ();
    destroy_source (&self->keepalive_source_);
    self->connection_.close ();
    self->delegate_.clear_transports ();
    self->logic_.reset_session ();
    self->logic_.force_transport (next);
    self->pump ();
    return G_SOURCE_REMOVE;
  }
  self->server_lost ("no data for " + std::to_string (self->config_.timeout_ms) + " ms");
  return G_SOURCE_REMOVE;
}

void
RtspClientSession::handle_event (RtspClientLogic::Event event)
{
  using Event = RtspClientLogic::Event;
  switch (event) {
    case Event::None:
    case Event::Paused:
    case Event::TornDown:
      break;
    case Event::Described:{
      std::string error;
      if (!delegate_.described (logic_, connection_.family (), error)) {
        fatal_error (error);
        return;
      }
      /* As quiet as a 461 fallback: TCP inside TLS is as secure, only not UDP. */
      if (!logic_.secure_notice ().empty ())
        GST_INFO ("%s", logic_.secure_notice ().c_str ());
      break;
    }
    case Event::SetupDone:{
      std::string ip = connection_.server_ip ();
      if (!delegate_.setup_done (logic_, ip.empty () ? logic_.host () : ip, connection_.local_ip ()))
        return;
      break;
    }
    case Event::Playing:
      fallback_.playing (g_get_monotonic_time ());
      reconnect_.succeeded ();
      /* A publisher receives nothing to judge: the keep-alive answers tell it the server lives. */
      if (monitor_source_ == nullptr && !logic_.publishing ())
        monitor_source_ = add_timeout (kMonitorIntervalMs, on_monitor);
      break;
    case Event::AuthRequired:
      GST_INFO ("answering %s challenge",
          logic_.auth_challenge ().method == GST_RTSP_AUTH_DIGEST ? "Digest" : "Basic");
      rtsp_apply_auth_challenge (connection_.connection (), logic_);
      break;
    case Event::RosterAnswered:
      delegate_.participants (&logic_.roster ());
      break;
    case Event::TransportFallback:{
      GST_INFO ("server refused the transport; setting up %s",
          lower_transport_name (logic_.transport ()));
      std::string error;
      if (!delegate_.transport_fallback (logic_, connection_.family (), error)) {
        fatal_error (error);
        return;
      }
      break;
    }
    case Event::Failed:
      if (logic_.state () == State::Playing || logic_.state () == State::Paused ||
          logic_.failure_is_transient ()) {
        /* An established session went bad (e.g. the server forgot it), or the server is not
         * ready yet: start over. */
        server_lost (logic_.error ());
        return;
      }
      fatal_error (logic_.error ());
      return;
  }
  if ((event == Event::SetupDone || event == Event::Playing) && keepalive_source_ == nullptr) {
    /* Keep the session alive at half the server's timeout. */
    unsigned interval = std::max (1u, logic_.session_timeout () / 2);
    keepalive_source_ = add_timeout (interval * 1000, on_keepalive);
  }
  report_state ();
  if (event == Event::TornDown) {
    finish_teardown ();
    return;
  }
  pump ();
}

/* Sends the next request toward the target state, connecting first if needed. */
void
RtspClientSession::pump ()
{
  if (retry_source_)
    return;                     /* a reconnect is scheduled: it will pump */
  if (logic_.target () != State::Init && !connection_.is_open ()) {
    std::string reason;
    connection_.set_tls (config_.tls);
    if (!connection_.open (logic_.request_uri (), config_.timeout_ms, reason)) {
      if (connection_.refused ())
        fatal_error (reason);     /* a refused certificate, no TLS: retrying cannot mend it */
      else
        server_lost (reason);
      return;
    }
    reconnect_.connected ();
  }
  if (!connection_.is_open ())
    return;
  if (auto request = logic_.next_request ())
    send (*request);
}

gboolean
RtspClientSession::on_retry (gpointer user_data)
{
  auto *self = static_cast<RtspClientSession *> (user_data);
  forget_source (&self->retry_source_);
  self->pump ();
  return G_SOURCE_REMOVE;
}

/* The server went away (or never answered): reconnect with backoff, or give up. */
void
RtspClientSession::server_lost (const std::string &reason)
{
  if (retry_source_)
    return;                     /* already lost, a reconnect is scheduled */
  bool tearing_down = logic_.target () == State::Init;
  destroy_source (&keepalive_source_);
  destroy_source (&monitor_source_);
  connection_.close ();
  delegate_.clear_transports ();
  State target = logic_.target ();
  RtspLowerTransport transport = logic_.transport ();
  logic_.reset_session ();
  logic_.force_transport (transport);
  logic_.set_target (target);
  report_state ();
  if (tearing_down) {
    finish_teardown ();
    return;
  }
  ReconnectPolicy::Decision d = reconnect_.lost ();
  if (d.give_up) {
    fatal_error (reconnect_.give_up_message (logic_.request_uri (), reason));
    return;
  }
  delegate_.warning (reconnect_.warning (logic_.request_uri (), reason, d));
  retry_source_ = add_timeout (d.delay_ms, on_retry);
}

void
RtspClientSession::finish_teardown ()
{
  destroy_source (&teardown_timeout_source_);
  destroy_source (&keepalive_source_);
  destroy_source (&monitor_source_);
  connection_.close ();
  /* The element's rtpbin and stream pads stay: the application's links survive a new session. */
  delegate_.clear_transports ();
  logic_.reset_session ();
  report_state ();
  delegate_.participants (nullptr);
  delegate_.torn_down ();
}

gboolean
RtspClientSession::on_teardown_timeout (gpointer user_data)
{
  auto *self = static_cast<RtspClientSession *> (user_data);
  GST_WARNING ("no answer to TEARDOWN, closing anyway");
  forget_source (&self->teardown_timeout_source_);
  self->finish_teardown ();
  return G_SOURCE_REMOVE;
}

void
RtspClientSession::go (State target, const Config &config)
{
  GST_DEBUG ("go to %s", RtspClientLogic::state_name (target));
  if (target == State::Init) {
    destroy_source (&retry_source_);
    logic_.set_target (State::Init);
    if (connection_.is_open () && logic_.state () != State::Init) {
      /* TEARDOWN must not wait behind an unanswered request. */
      if (logic_.waiting_for_response ()) {
        finish_teardown ();
        return;
      }
      pump ();
      if (connection_.is_open () && teardown_timeout_source_ == nullptr)
        teardown_timeout_source_ = add_timeout (kTeardownWaitMs, on_teardown_timeout);
      return;
    }
    finish_teardown ();
    return;
  }

  if (target == State::Ready && logic_.target () != State::Init)
    return;                     /* already set up or on the way */
  if (logic_.target () == State::Init) {
    config_ = config;
    logic_ = RtspClientLogic ();
    logic_.set_credentials (config.user, config.password);
    logic_.set_ask_roster (true);
    /* rtsps:// media over UDP only as SRTP; a publisher's media goes inside TLS. */
    logic_.set_secure (config.tls.enabled && config.publish_sdp.empty ());
    logic_.set_allowed_transports (config.udp, config.tcp, config.multicast);
    fallback_.set_allowed (config.udp, config.tcp, config.multicast);
    reconnect_.set_retries (config.retries);
    if (!logic_.set_location (config.location)) {
      delegate_.error (logic_.error (), Delegate::ErrorKind::NotFound);
      return;
    }
    if (!config.publish_sdp.empty ())
      logic_.set_publish (config.publish_sdp, config.publish_controls);
    reconnect_.reset ();
  }
  logic_.set_target (target);
  pump ();
}

}  // namespace meet
