/* meetstream: the RTSP side of meetrtspclientsink: its control thread.
 *
 * The thread waits for every request pad's caps, then publishes them: one RtspPublishSession per
 * attempt (ANNOUNCE, SETUP mode=record, RECORD, keep-alive) over an RtspPublishConnection, with
 * fresh SRTP keys on each stream's protector over rtsps:// (RTP/SAVP), and reconnects with backoff
 * (publish_backoff_ms) when the server goes away. The element (meetrtspclientsink.cpp) keeps the
 * GObject glue and the data path; both share the streams and the flags below under `mutex`, so the
 * pipeline never waits on the network. Not a GObject: @element is only for its messages, log and
 * the "recording" notification.
 */
#pragma once

#include "rtpsendtransport.h"
#include "rtsppublishsession.h"
#include "rtsptlsclient.h"
#include "srtpprotector.h"

#include <gst/gst.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace meet {

/* One request pad of meetrtspclientsink: its outputs after rtpbin and where its packets go. */
struct ClientSinkStream {
  guint index = 0;
  GstPad *ghost = nullptr;
  GstElement *rtp_out = nullptr;     /* fakesinks after rtpbin: their probes send the packets */
  GstElement *rtcp_out = nullptr;
  /* rtsps:// over UDP: what the fakesinks' probes send is encrypted by this, under a key of our
   * own made for each ANNOUNCE (RTP/SAVP); locks itself. */
  SrtpProtector srtp_protector;
  std::atomic<bool> srtp { false };  /* packets go out as SRTP now (SRTP set up over UDP) */
  std::atomic<uint32_t> ssrc { 0 };  /* the sender's SSRC (caps, else first packet): for MIKEY */
  std::atomic<bool> has_ssrc { false };
  std::string caps;                  /* under ClientSinkPublisher::mutex */
  bool eos = false;                  /* under ClientSinkPublisher::mutex */
  RtpSendTransport transport;        /* locks itself */
};

class ClientSinkPublisher {
public:
  /* What the properties said when the element left READY (they are mutable in READY only). */
  struct Config {
    PublishSettings settings;
    RtspTlsConfig tls;
    unsigned timeout_ms = 5000;
    int retry = 5;
  };

  explicit ClientSinkPublisher (GstElement *element) : element_ (element) {}
  ClientSinkPublisher (const ClientSinkPublisher &) = delete;
  ClientSinkPublisher &operator= (const ClientSinkPublisher &) = delete;

  /* READY->PAUSED: the control thread starts publishing. */
  void start (const Config &config);
  /* PAUSED->READY: the thread ends (TEARDOWN if publishing), the streams are ready for the next. */
  void stop ();
  /* Data path, at a stream's EOS: once every stream is there, TEARDOWN before the EOS goes on, so
   * the server has ended the session when the application sees EOS. */
  void stream_eos (ClientSinkStream *stream);

  /* Shared with the element's pads and data path. */
  std::mutex mutex;                  /* streams, their caps/eos, the flags below */
  std::condition_variable wake;
  std::vector<ClientSinkStream *> streams;
  std::atomic<bool> recording { false };
  bool stopping = false;
  bool teardown_requested = false;   /* every stream reached EOS */
  bool torn_down = false;
  bool pads_changed = false;         /* a pad came or went while publishing: ANNOUNCE again */

private:
  void run (const Config &config);   /* the control thread */
  bool wait_for_caps (unsigned timeout_ms);
  std::string announce_sdp (const std::string &location, std::vector<std::string> &controls);
  bool key_streams (std::string &sdp, std::vector<std::string> &keymgmt);
  PublishAttempt publish_once (const PublishSettings &settings, const RtspTlsConfig &tls,
      bool srtp = true);

  GstElement *element_;
  std::thread control_;
};

}  // namespace meet
