/* meetstream: meetrtspclientsink's control thread. See clientsinkpublisher.h. */
#include "clientsinkpublisher.h"

#include "rtsppublishconnection.h"
#include "sdpbuilder.h"
#include "srtpkeys.h"
#include "srtpmikey.h"
#include "srtpsender.h"   /* sdp_to_savp */

#include <gst/rtsp/rtsp.h>

#include <algorithm>
#include <chrono>
#include <memory>

/* The element's category: the thread's messages are the element's. */
GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_client_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_client_sink_debug

namespace meet {

namespace {

/* What the session of one attempt asks of the element's streams. */
class SinkHooks : public RtspPublishHooks {
public:
  SinkHooks (GstElement * element, ClientSinkPublisher * publisher,
      std::shared_ptr<RtspPublishConnection> connection)
      : element_ (element), publisher_ (publisher), connection_ (std::move (connection)) {
    server_ = connection_->server_address ();
  }
  ~SinkHooks () override {
    set_recording (false);
    std::lock_guard<std::mutex> lock (publisher_->mutex);
    for (ClientSinkStream *s : publisher_->streams) {
      s->srtp = false;
      s->transport.close ();
    }
    g_clear_object (&server_);
  }

  bool bind_client_ports (RtspClientLogic & logic, std::string & error) override {
    GSocketFamily family = server_ ? g_inet_address_get_family (server_) : G_SOCKET_FAMILY_IPV4;
    std::lock_guard<std::mutex> lock (publisher_->mutex);
    for (size_t i = 0; i < publisher_->streams.size (); i++) {
      int rtp_port = 0, rtcp_port = 0;
      if (!publisher_->streams[i]->transport.bind_udp (family, rtp_port, rtcp_port, error))
        return false;
      logic.set_client_ports (i, rtp_port, rtcp_port);
    }
    return true;
  }

  bool set_destinations (const RtspClientLogic & logic, std::string & error) override {
    std::lock_guard<std::mutex> lock (publisher_->mutex);
    const auto & streams = logic.streams ();
    if (streams.size () != publisher_->streams.size ()) {
      error = "the pads changed while publishing";
      return false;
    }
    for (size_t i = 0; i < streams.size (); i++) {
      RtpSendTransport & transport = publisher_->streams[i]->transport;
      /* RTP/SAVP (logic.srtp_keymgmt only when every stream's protector is keyed). */
      publisher_->streams[i]->srtp = streams[i].srtp
          && publisher_->streams[i]->srtp_protector.ready ();
      if (streams[i].transport == RtspLowerTransport::Tcp) {
        std::shared_ptr<RtspPublishConnection> connection = connection_;
        transport.set_interleaved (static_cast<uint8_t> (streams[i].rtp_channel),
            static_cast<uint8_t> (streams[i].rtcp_channel),
            [connection](const uint8_t * head, const uint8_t * data, size_t size) {
              return connection->write_frame (head, data, size);
            });
      } else if (!transport.set_udp_destination (server_, streams[i].server_rtp_port,
              streams[i].server_rtcp_port, error)) {
        return false;
      }
    }
    return true;
  }

  void set_recording (bool recording) override {
    if (publisher_->recording.exchange (recording) != recording) {
      GST_INFO_OBJECT (element_, "%s", recording ? "recording: packets go to the server" :
          "not recording: packets are dropped");
      g_object_notify (G_OBJECT (element_), "recording");
    }
  }

  /* Also when the pads changed: the session ends (TEARDOWN) and the next ANNOUNCEs them all. */
  bool stopping () override {
    std::lock_guard<std::mutex> lock (publisher_->mutex);
    return publisher_->stopping || publisher_->pads_changed;
  }

  bool ending () override {
    std::lock_guard<std::mutex> lock (publisher_->mutex);
    return publisher_->teardown_requested;
  }

  int64_t now_us () override { return g_get_monotonic_time (); }

private:
  GstElement *element_;
  ClientSinkPublisher *publisher_;
  std::shared_ptr<RtspPublishConnection> connection_;
  GInetAddress *server_ = nullptr;
};

}  // namespace

/* The SDP of the streams linked now, and their controls. Empty when a stream has no caps. */
std::string
ClientSinkPublisher::announce_sdp (const std::string &location, std::vector<std::string> &controls)
{
  std::vector<SdpStreamDescription> descriptions;
  std::lock_guard<std::mutex> lock (mutex);
  for (size_t i = 0; i < streams.size (); i++) {
    if (streams[i]->caps.empty ())
      return std::string ();
    std::string control = "stream=" + std::to_string (i);
    descriptions.push_back ({ streams[i]->caps, control });
    controls.push_back (control);
  }
  SdpSessionDescription session;
  session.local_host = location.find ('[') != std::string::npos ? "::1" : "127.0.0.1";
  session.information = "published by meetrtspclientsink";
  session.type = "";
  return build_sdp (session, descriptions);
}

/* rtsps:// over UDP: a fresh key per stream for this ANNOUNCE, set on its protector, and the SDP
 * made RTP/SAVP with the keys as a=key-mgmt:mikey (inside TLS, as gst-rtsp-server does). The
 * keys' MIKEY names each stream's SSRC (gst-rtsp-server keys srtpdec by it) and rollover counter
 * 0: under a new key the protector starts every SSRC's index again from its sequence numbers.
 * False when no key could be made: the caller publishes interleaved. */
bool
ClientSinkPublisher::key_streams (std::string &sdp, std::vector<std::string> &keymgmt)
{
  /* Held throughout: a pad released meanwhile would free its stream. The data path takes no
   * lock for packets (the protector has its own). */
  std::lock_guard<std::mutex> lock (mutex);
  std::vector<std::string> values;
  for (size_t i = 0; i < streams.size (); i++) {
    ClientSinkStream *s = streams[i];
    SrtpKey key;
    if (!srtp_key_generate (SrtpSuite::AES_128_CM_HMAC_SHA1_80, s->ssrc, &key)
        || !s->srtp_protector.init (key))
      return false;
    GST_DEBUG_OBJECT (element_, "stream %zu: SRTP key for SSRC %08x at ROC 0", i,
        static_cast<guint> (s->ssrc));
    MikeyKeys mikey;
    mikey.suite = key.suite;
    mikey.key_salt = key.key_salt;
    if (s->has_ssrc)
      mikey.sessions.push_back ({ s->ssrc, 0 });
    std::string value = mikey_keymgmt_value (mikey);
    if (value.empty ())
      return false;
    values.push_back (value);
  }
  std::string savp = sdp_to_savp (sdp, values);
  if (savp.empty ())
    return false;
  GST_DEBUG_OBJECT (element_, "announcing %zu SRTP stream(s)", values.size ());
  sdp = std::move (savp);
  keymgmt = std::move (values);
  return true;
}

/* One connection: ANNOUNCE, SETUP, RECORD, then recording until it ends. @srtp: over rtsps://
 * with UDP allowed, announce RTP/SAVP and send SRTP over UDP. */
PublishAttempt
ClientSinkPublisher::publish_once (const PublishSettings &settings, const RtspTlsConfig &tls,
    bool srtp)
{
  PublishAttempt attempt;
  attempt.outcome = PublishOutcome::kRefused;
  std::vector<std::string> controls;
  std::string sdp = announce_sdp (settings.location, controls);
  if (sdp.empty ()) {
    attempt.reason = "a stream's caps cannot be described in SDP: link an RTP payloader "
        "(application/x-rtp with media, encoding-name, clock-rate and payload)";
    return attempt;
  }
  std::vector<std::string> keymgmt;
  PublishSettings publish = settings;
  if (tls.enabled && settings.udp && (!srtp || !key_streams (sdp, keymgmt))) {
    if (srtp)
      GST_INFO_OBJECT (element_, "no SRTP keys (no randomness): media interleaved inside TLS");
    publish.udp = false;
    publish.tcp = true;
  }
  bool refused = false;
  auto connection = RtspPublishConnection::connect (settings.location, settings.timeout_us,
      attempt.reason, tls, &refused);
  if (!connection) {
    /* A refused certificate (or no TLS behind rtsps://) is not worth a retry. */
    attempt.outcome = refused ? PublishOutcome::kRefused : PublishOutcome::kLost;
    return attempt;
  }
  SinkHooks hooks (element_, this, connection);
  RtspPublishSession session (publish, *connection, hooks);
  if (!session.prepare (sdp, controls, attempt.reason))
    return attempt;
  session.logic ().set_srtp_keymgmt (keymgmt);
  attempt = session.run ();
  if (attempt.recorded || attempt.outcome == PublishOutcome::kStopped)
    GST_INFO_OBJECT (element_, "session at %s ended: %s", settings.location.c_str (),
        attempt.reason.empty () ? "stopped" : attempt.reason.c_str ());
  if (!keymgmt.empty () && attempt.outcome == PublishOutcome::kRefused
      && attempt.status == GST_RTSP_STS_UNSUPPORTED_MEDIA_TYPE && !attempt.recorded) {
    /* A server that takes no RTP/SAVP (gst-rtsp-server without the SAVP profile answers the
     * ANNOUNCE 415): the same streams as RTP/AVP interleaved inside TLS, never over UDP. */
    GST_INFO_OBJECT (element_, "%s takes no RTP/SAVP (%s): publishing interleaved inside TLS",
        settings.location.c_str (), attempt.reason.c_str ());
    return publish_once (settings, tls, false);
  }
  return attempt;
}

/* ANNOUNCE needs every stream's caps, which come with the first packets. False when stopping or
 * when every stream ended meanwhile. */
bool
ClientSinkPublisher::wait_for_caps (unsigned timeout_ms)
{
  std::unique_lock<std::mutex> lock (mutex);
  pads_changed = false;
  auto ready = [this] {
    return stopping || teardown_requested || (!streams.empty () &&
        std::all_of (streams.begin (), streams.end (),
            [](ClientSinkStream * s) { return !s->caps.empty (); }));
  };
  if (!wake.wait_for (lock, std::chrono::milliseconds (timeout_ms), ready)) {
    lock.unlock ();
    GST_ELEMENT_WARNING (element_, STREAM, WRONG_TYPE, ("Waiting for the streams to publish."),
        ("no caps on every sink pad after %u ms: is a payloader linked to each requested pad?",
            timeout_ms));
    lock.lock ();
    wake.wait (lock, ready);
  }
  pads_changed = false;
  if (teardown_requested) {
    torn_down = true;
    wake.notify_all ();
    return false;
  }
  return !stopping;
}

void
ClientSinkPublisher::start (const Config &config)
{
  control_ = std::thread (&ClientSinkPublisher::run, this, config);
}

void
ClientSinkPublisher::run (const Config &config)
{
  /* Over TLS the media never leaves it in clear: RTP/SAVP (SRTP) over UDP under keys of our own
   * (publish_once, key_streams), or interleaved inside TLS; never RTP/AVP beside rtsps://. */
  const PublishSettings &settings = config.settings;
  const RtspTlsConfig &tls = config.tls;
  const unsigned timeout_ms = config.timeout_ms;
  const int retry = config.retry;
  const char *location = settings.location.c_str ();

  int failures = 0;
  bool ever_connected = false;
  for (;;) {
    if (!wait_for_caps (timeout_ms))
      return;
    PublishAttempt attempt = publish_once (settings, tls);
    ever_connected = ever_connected || attempt.connected;
    if (attempt.recorded)
      failures = 0;
    {
      std::lock_guard<std::mutex> lock (mutex);
      if (teardown_requested) {
        torn_down = true;
        wake.notify_all ();
        return;
      }
      if (stopping)
        return;
      if (pads_changed) {
        GST_INFO_OBJECT (element_, "the pads changed: announcing them again");
        continue;
      }
    }
    if (attempt.outcome == PublishOutcome::kRefused) {
      GST_ELEMENT_ERROR (element_, RESOURCE, OPEN_WRITE, ("Cannot publish to %s.", location),
          ("%s", attempt.reason.c_str ()));
      return;
    }
    if (failures >= retry) {
      if (ever_connected)
        GST_ELEMENT_ERROR (element_, RESOURCE, WRITE, ("Lost the RTSP server at %s.", location),
            ("%s%s", attempt.reason.c_str (), retry > 0 ? "; gave up after the retries" : ""));
      else
        GST_ELEMENT_ERROR (element_, RESOURCE, OPEN_WRITE, ("Cannot reach the RTSP server at %s.",
                location), ("%s%s", attempt.reason.c_str (),
                retry > 0 ? "; gave up after the retries" : ""));
      return;
    }
    int backoff_ms = publish_backoff_ms (failures);
    failures++;
    GST_ELEMENT_WARNING (element_, RESOURCE, WRITE, ("Reconnecting to %s.", location),
        ("%s; attempt %d of %d in %d ms", attempt.reason.c_str (), failures, retry, backoff_ms));
    std::unique_lock<std::mutex> lock (mutex);
    if (wake.wait_for (lock, std::chrono::milliseconds (backoff_ms),
            [this] { return stopping || teardown_requested; })) {
      torn_down = teardown_requested;
      wake.notify_all ();
      return;
    }
  }
}

void
ClientSinkPublisher::stop ()
{
  {
    std::lock_guard<std::mutex> lock (mutex);
    stopping = true;
    wake.notify_all ();
  }
  if (control_.joinable ())
    control_.join ();
  std::lock_guard<std::mutex> lock (mutex);
  stopping = false;
  teardown_requested = false;
  torn_down = false;
  for (ClientSinkStream *s : streams) {
    s->eos = false;
    s->transport.close ();
  }
}

void
ClientSinkPublisher::stream_eos (ClientSinkStream *stream)
{
  std::unique_lock<std::mutex> lock (mutex);
  stream->eos = true;
  bool all = std::all_of (streams.begin (), streams.end (),
      [](ClientSinkStream * s) { return s->eos; });
  if (all && control_.joinable ()) {
    teardown_requested = true;
    wake.notify_all ();
    wake.wait_for (lock, std::chrono::seconds (2), [this] { return torn_down || stopping; });
  }
}

}  // namespace meet
