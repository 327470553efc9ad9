/* meetstream: meetrtspsink's RTSP server as one part (gst-rtsp-server's server): the listening
 * socket, the request handling (RtspServerLogic), the connections and their thread (RtspServerIO),
 * the relay of participants (ParticipantRelay) and what it serves (RtspMedia), started and stopped
 * as one. The element maps its properties onto Settings and its state changes onto start/stop.
 */
#pragma once

#include "participantrelay.h"
#include "rtspmedia.h"
#include "rtspserverio.h"
#include "rtspserverlogic.h"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace meet {

class RtspServer {
public:
  struct Settings {
    std::string address = "0.0.0.0";
    unsigned port = 8554;
    RtspServerLogic::Config logic;
    /* Multicast (RFC 2326 multicast transport): empty pool, none. */
    std::string multicast_pool;
    std::string multicast_ports = "5000-5999";
    unsigned multicast_ttl = 1;
    /* rtsps:// (rtsptls.h); the certificate is the caller's, kept alive for start (). */
    RtspTlsSettings tls;
    /* What the streams' SRTP (RTP/SAVP) is encrypted with. */
    SrtpSuite srtp_suite = SrtpSuite::AES_128_CM_HMAC_SHA1_80;
  };
  /* Why start failed: a GstResourceError and a sentence saying what to change. */
  struct Error {
    GstResourceError code = GST_RESOURCE_ERROR_FAILED;
    std::string message;
  };

  explicit RtspServer (RtspMedia & media) : media_ (media) {}
  ~RtspServer () { stop (); }
  RtspServer (const RtspServer &) = delete;
  RtspServer & operator= (const RtspServer &) = delete;

  /* Listens, binds every stream's ports and starts the server thread. */
  bool start (const Settings & settings, Error & error);
  void stop ();
  bool running () const { return io_ != nullptr; }
  unsigned bound_port () const { return bound_port_; }
  /* Sessions playing now. */
  unsigned clients () const { return clients_; }
  /* Runs @func on the server thread and waits (here when it does not run). */
  void run_on_thread (const std::function<void ()> & func);
  /* Every reader of the element's streams starts over (its streams changed). */
  void teardown_all ();

private:
  void update_clients ();

  RtspMedia & media_;
  std::unique_ptr<RtspServerIO> io_;
  std::unique_ptr<ParticipantRelay> relay_;
  std::unique_ptr<RtspServerLogic> logic_;
  std::atomic<unsigned> bound_port_ { 0 };
  std::atomic<unsigned> clients_ { 0 };
};

}  // namespace meet
