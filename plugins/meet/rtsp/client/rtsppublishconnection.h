/* meetstream: the RTSP connection of one publishing attempt (meetrtspclientsink): a
 * GstRTSPConnection as the RtspPublishChannel the session talks over, and the writer of the
 * interleaved RTP/RTCP frames that share it. Requests and frames are written under one lock, so the
 * streaming threads and the control thread never interleave bytes; reads happen on the control
 * thread only.
 */
#pragma once

#include "rtsppublishsession.h"
#include "rtsptlsclient.h"

#include <gst/rtsp/rtsp.h>

#include <memory>
#include <mutex>
#include <string>

namespace meet {

class RtspPublishConnection : public RtspPublishChannel {
public:
  /* Connects to @location within @timeout_us, over TLS when @tls.enabled (rtsptlsclient.h);
   * nullptr with @error when the server cannot be reached, and @refused set when a retry cannot
   * help (its certificate was refused, it does not speak TLS). */
  static std::shared_ptr<RtspPublishConnection> connect (const std::string &location,
      int64_t timeout_us, std::string &error, const RtspTlsConfig &tls = RtspTlsConfig (),
      bool *refused = nullptr);
  ~RtspPublishConnection () override;

  bool send (const RtspClientRequest &request, std::string &error) override;
  Received receive (int64_t timeout_us, RtspClientResponse &response, std::string &error) override;
  void apply_auth (const RtspClientLogic &logic) override;

  /* One interleaved frame (@head from interleaved_header(), then @data). */
  bool write_frame (const uint8_t *head, const uint8_t *data, size_t size);
  /* The server's address (GInetAddress, owned by the caller), nullptr when unknown. */
  GInetAddress *server_address () const;

private:
  explicit RtspPublishConnection (GstRTSPConnection *connection) : connection_ (connection) {}

  GstRTSPConnection *connection_;
  std::mutex write_lock_;
  bool broken_ = false;     /* a write failed halfway: under write_lock_ */
};

}  // namespace meet
