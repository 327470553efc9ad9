/* meetstream: the request loop of an RTSP client (meetrtspsrc plays with it): walks
 * RtspClientLogic toward the state the application asks for over an RtspControlConnection,
 * answers authentication challenges, keeps the session alive at half the server's timeout,
 * watches that data arrives (switching transport when none ever does, TransportFallback),
 * reconnects with backoff when the server goes away (ReconnectPolicy) and tears down.
 *
 * Runs on one GMainContext (the element's RTSP thread); everything the element owns (streams,
 * pads, messages on the bus, properties) goes through the Delegate. Not a GObject.
 *
 * Publishing (Config::publish_sdp, RtspClientLogic's ANNOUNCE/SETUP mode=record/RECORD walk) runs
 * the same loop without the data monitor and the roster: State::Playing then means recording, and
 * Delegate::described binds the UDP ports to send from, setup_done points the sending at the
 * server's ports. */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gio/gio.h>

#include "reconnectpolicy.h"
#include "rtspclientlogic.h"
#include "rtspcontrolconnection.h"
#include "transportfallback.h"

namespace meet {

class RtspClientSession {
public:
  using State = RtspClientLogic::State;

  struct Config {
    std::string location, user, password;
    bool udp = true, tcp = true, multicast = false;
    unsigned timeout_ms = 5000;
    unsigned retries = 3;
    /* rtsps:// and the trust in the server's certificate (rtsptlsclient.h). */
    RtspTlsConfig tls;
    /* Non-empty: publish this SDP (its streams' a=control values in @publish_controls). */
    std::string publish_sdp;
    std::vector<std::string> publish_controls;
  };

  class Delegate {
  public:
    virtual ~Delegate () = default;
    /* DESCRIBE answered: make the streams of logic.streams() (or check they are the same after
     * a reconnect); over UDP bind client ports (logic.set_client_ports). False with @error:
     * fatal. */
    virtual bool described (RtspClientLogic &logic, GSocketFamily family, std::string &error) = 0;
    /* Every stream is set up: build the data path (@local_ip: our end of the RTSP connection,
     * whose interface joins multicast groups). False: it failed and posted its error. */
    virtual bool setup_done (const RtspClientLogic &logic, const std::string &server_ip,
        const std::string &local_ip) = 0;
    /* The server refused the transport (461): drop the ports bound for it, bind new ones when
     * logic.transport() is unicast UDP. False with @error: fatal. */
    virtual bool transport_fallback (RtspClientLogic &logic, GSocketFamily family,
        std::string &error) = 0;
    /* Stop every stream's sources (the session ended or is being replaced). */
    virtual void clear_transports () = 0;
    /* Interleaved data from the server (inside the watch's dispatch). */
    virtual void interleaved (GstRTSPMessage *data) = 0;
    /* A new roster, or none (nullptr: the session ended). */
    virtual void participants (const std::vector<std::string> *names) = 0;
    virtual void rtsp_state (State state) = 0;
    virtual void warning (const std::string &message) = 0;
    enum class ErrorKind { Read, NotFound };
    virtual void error (const std::string &message, ErrorKind kind) = 0;
    /* TEARDOWN done (or given up on): the application may go on. */
    virtual void torn_down () = 0;
    /* When the last RTP packet arrived (monotonic µs, 0: none yet). */
    virtual int64_t last_data_us () = 0;
  };

  RtspClientSession (GMainContext *context, Delegate &delegate);
  ~RtspClientSession ();

  /* Go to @target (Init: TEARDOWN). Leaving Init takes @config (a fresh session). */
  void go (State target, const Config &config);
  /* Everything closed at once (the RTSP thread is about to stop). */
  void shutdown ();

  /* Interleaved data to the server (RTCP over TCP); from any thread. */
  void send_data (uint8_t channel, const uint8_t *data, size_t size)
  {
    connection_.send_data (channel, data, size);
  }
  const RtspClientLogic &logic () const { return logic_; }

private:
  void pump ();
  void send (const RtspClientRequest &request);
  void handle_event (RtspClientLogic::Event event);
  void server_lost (const std::string &reason);
  void fatal_error (const std::string &message);
  void finish_teardown ();
  void report_state ();
  GSource *add_timeout (unsigned ms, GSourceFunc func);
  static gboolean on_keepalive (gpointer self);
  static gboolean on_monitor (gpointer self);
  static gboolean on_retry (gpointer self);
  static gboolean on_teardown_timeout (gpointer self);

  GMainContext *context_;
  Delegate &delegate_;
  Config config_;
  RtspClientLogic logic_;
  RtspControlConnection connection_;
  ReconnectPolicy reconnect_;
  TransportFallback fallback_;
  GSource *keepalive_source_ = nullptr, *monitor_source_ = nullptr;
  GSource *retry_source_ = nullptr, *teardown_timeout_source_ = nullptr;
};

}  // namespace meet
