/* meetstream: who may use meetrtspsink's server (gst-rtsp-server's auth): HTTP Digest (RFC 2617), and
 * Basic only when the operator allows it. The credentials are parsed by gst-plugins-base's RTSP
 * helpers (gst_rtsp_message_parse_auth_credentials, gst_rtsp_generate_digest_auth_response); what is
 * left here is checking them against the configured user in constant time. Plain C++, no sockets.
 */
#pragma once

#include "rtsprequestparser.h"

#include <string>
#include <vector>

namespace meet {

class RtspAuth {
public:
  struct Config {
    std::string user;       // empty: no authentication
    std::string password;
    std::string realm = "meetstream";
    bool basic = false;
  };

  explicit RtspAuth (Config config) : config_ (std::move (config)) {}

  bool enabled () const { return !config_.user.empty (); }
  /* Whether @request carries valid credentials; Digest ones must answer @nonce, the nonce of the
   * connection's last challenge (none yet: Digest fails). */
  bool check (const RtspRequest & request, const std::string & nonce) const;
  /* The WWW-Authenticate values of a 401 issuing @nonce. */
  std::vector<std::string> challenges (const std::string & nonce) const;
  const std::string & user () const { return config_.user; }

private:
  Config config_;
};

/* Compares secrets in time independent of where they differ. */
bool constant_time_equal (const std::string & a, const std::string & b);

}  // namespace meet
