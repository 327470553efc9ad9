/* meetstream: one publishing attempt of meetrtspclientsink. See rtsppublishsession.h. */
#include "rtsppublishsession.h"

#include <algorithm>

namespace meet {

RtspPublishSession::RtspPublishSession (const PublishSettings &settings,
    RtspPublishChannel &channel, RtspPublishHooks &hooks)
    : settings_ (settings), channel_ (channel), hooks_ (hooks)
{
}

bool
RtspPublishSession::prepare (const std::string &sdp, const std::vector<std::string> &controls,
    std::string &error)
{
  logic_.set_credentials (settings_.user, settings_.password);
  if (!logic_.set_location (settings_.location)) {
    error = logic_.error ();
    return false;
  }
  logic_.set_allowed_transports (settings_.udp, settings_.tcp);
  logic_.set_publish (sdp, controls);
  return true;
}

bool
RtspPublishSession::receive_answer (int64_t timeout_us, RtspClientResponse &response,
    std::string &error, bool interruptible)
{
  int64_t deadline = hooks_.now_us () + timeout_us;
  for (;;) {
    int64_t left = deadline - hooks_.now_us ();
    if (left <= 0) {
      error = "the server did not answer within " + std::to_string (timeout_us / 1000) + " ms";
      return false;
    }
    switch (channel_.receive (std::min (left, settings_.poll_us), response, error)) {
      case RtspPublishChannel::Received::kResponse:
        return true;
      case RtspPublishChannel::Received::kTimeout:
        if (interruptible && hooks_.stopping ()) {
          error = "stopping";
          return false;
        }
        break;
      case RtspPublishChannel::Received::kClosed:
      case RtspPublishChannel::Received::kFailed:
        return false;
    }
  }
}

PublishAttempt
RtspPublishSession::run ()
{
  PublishAttempt attempt;
  attempt.connected = true;
  attempt.outcome = PublishOutcome::kRefused;
  using State = RtspClientLogic::State;
  using Event = RtspClientLogic::Event;
  logic_.set_target (State::Playing);
  for (;;) {
    if (hooks_.stopping () || hooks_.ending ()) {
      attempt.outcome = PublishOutcome::kStopped;
      attempt.recorded = logic_.state () == State::Playing;
      teardown ();
      return attempt;
    }
    auto request = logic_.next_request ();
    if (!request) {
      if (logic_.state () == State::Playing)
        break;
      attempt.reason = "internal: the RTSP exchange stalled in state " +
          std::string (RtspClientLogic::state_name (logic_.state ()));
      return attempt;
    }
    RtspClientResponse response;
    std::string error;
    if (!channel_.send (*request, error) ||
        !receive_answer (settings_.timeout_us, response, error)) {
      attempt.outcome = hooks_.stopping () ? PublishOutcome::kStopped : PublishOutcome::kLost;
      attempt.reason = error;
      return attempt;
    }
    Event event = logic_.handle_response (response);
    if (event == Event::Described && logic_.transport () == RtspLowerTransport::Udp) {
      if (!hooks_.bind_client_ports (logic_, attempt.reason))
        return attempt;
    } else if (event == Event::TransportFallback) {
      /* SETUP again interleaved: the UDP ports are not needed any more. */
    } else if (event == Event::AuthRequired) {
      channel_.apply_auth (logic_);
    } else if (event == Event::SetupDone) {
      if (!hooks_.set_destinations (logic_, attempt.reason))
        return attempt;
    } else if (event == Event::Playing) {
      hooks_.set_recording (true);
    } else if (event == Event::Failed) {
      attempt.reason = logic_.error ();
      attempt.status = logic_.last_status ();
      /* A server still starting its side (503) is worth another try; a refusal is not. */
      attempt.outcome = logic_.failure_is_transient () ? PublishOutcome::kLost : PublishOutcome::kRefused;
      return attempt;
    }
  }
  return keep_recording ();
}

PublishAttempt
RtspPublishSession::keep_recording ()
{
  PublishAttempt attempt;
  attempt.connected = true;
  attempt.recorded = true;
  /* Keep-alive at half the server's session timeout (RFC 2326 12.37), at least every second. */
  int64_t interval_us = std::max<int64_t> (1000000, logic_.session_timeout () * 1000000LL / 2);
  int64_t next_keepalive = hooks_.now_us () + interval_us;
  int64_t keepalive_sent = 0;
  while (!hooks_.stopping () && !hooks_.ending ()) {
    int64_t now = hooks_.now_us ();
    if (now >= next_keepalive && !logic_.waiting_for_response ()) {
      std::string error;
      auto request = logic_.keepalive_request ();
      if (request && !channel_.send (*request, error)) {
        hooks_.set_recording (false);
        attempt.outcome = PublishOutcome::kLost;
        attempt.reason = error;
        return attempt;
      }
      keepalive_sent = now;
      next_keepalive = now + interval_us;
    }
    if (logic_.waiting_for_response () && now - keepalive_sent > 2 * settings_.timeout_us) {
      hooks_.set_recording (false);
      attempt.outcome = PublishOutcome::kLost;
      attempt.reason = "the server did not answer a keep-alive";
      return attempt;
    }
    RtspClientResponse response;
    std::string error;
    switch (channel_.receive (settings_.poll_us, response, error)) {
      case RtspPublishChannel::Received::kResponse:
        if (logic_.handle_response (response) == RtspClientLogic::Event::Failed) {
          hooks_.set_recording (false);
          attempt.outcome = PublishOutcome::kLost;
          attempt.reason = logic_.error ();
          return attempt;
        }
        break;
      case RtspPublishChannel::Received::kTimeout:
        break;
      case RtspPublishChannel::Received::kClosed:
      case RtspPublishChannel::Received::kFailed:
        hooks_.set_recording (false);
        attempt.outcome = PublishOutcome::kLost;
        attempt.reason = error;
        return attempt;
    }
  }
  teardown ();
  attempt.outcome = PublishOutcome::kStopped;
  return attempt;
}

void
RtspPublishSession::teardown ()
{
  /* TEARDOWN: the server ends the session at once instead of timing it out. Bounded waits: the
   * element is stopping and must not hang on a silent server. */
  hooks_.set_recording (false);
  logic_.set_target (RtspClientLogic::State::Init);
  RtspClientResponse response;
  std::string error;
  while (logic_.waiting_for_response () &&
      receive_answer (settings_.timeout_us / 4 + 1, response, error, false))
    logic_.handle_response (response);
  if (logic_.waiting_for_response ())
    return;
  if (auto request = logic_.next_request ()) {
    if (channel_.send (*request, error) &&
        receive_answer (std::min<int64_t> (settings_.timeout_us, 1000000), response, error, false))
      logic_.handle_response (response);
  }
}

int
publish_backoff_ms (int failures)
{
  return std::min (8000, 500 << std::clamp (failures, 0, 5));
}

}  // namespace meet
