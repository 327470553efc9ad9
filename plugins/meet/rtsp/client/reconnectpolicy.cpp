/* meetstream: reconnect backoff of the RTSP client. See reconnectpolicy.h. */
#include "reconnectpolicy.h"

#include <algorithm>

namespace meet {

ReconnectPolicy::Decision
ReconnectPolicy::lost ()
{
  Decision d;
  if (attempts_ >= retries_) {
    d.give_up = true;
    return d;
  }
  attempts_++;
  unsigned shift = std::min (attempts_ - 1, 5u);
  d.delay_ms = std::min (base_ms_ << shift, max_ms_);
  d.attempt = attempts_;
  return d;
}

const char *
ReconnectPolicy::what () const
{
  return ever_connected_ ? "Lost the RTSP server" : "Cannot reach the RTSP server";
}

std::string
ReconnectPolicy::warning (const std::string &uri, const std::string &reason,
    const Decision &d) const
{
  return std::string (what ()) + " at " + uri + ": " + reason + "; reconnecting in " +
      std::to_string (d.delay_ms) + " ms (attempt " + std::to_string (d.attempt) + " of " +
      std::to_string (retries_) + ").";
}

std::string
ReconnectPolicy::give_up_message (const std::string &uri, const std::string &reason) const
{
  std::string message = std::string (what ()) + " at " + uri + ": " + reason + ".";
  if (retries_ > 0)
    message += " Gave up after " + std::to_string (retries_) + " reconnect attempts.";
  return message + " Check that the server runs and the host and port are right.";
}

}  // namespace meet
