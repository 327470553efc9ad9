/* Unit tests of meetrtspclientsink's plain parts: one publishing attempt (meet::RtspPublishSession)
 * against a scripted server and a fake clock, the reconnection backoff, the interleaved framing and
 * the per-stream send transport (on loopback). */
#include "rtpsendtransport.h"
#include "rtsppublishsession.h"
#include "rtspmessages.h"

#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace meet;

namespace {

const char *kUrl = "rtsp://127.0.0.1:8554/meet/alice";
const char *kSdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"
    "m=video 0 RTP/AVP 26\r\na=control:stream=0\r\nm=audio 0 RTP/AVP 97\r\n"
    "a=rtpmap:97 L16/16000/1\r\na=control:stream=1\r\n";

RtspClientResponse
answer (int code, std::vector<std::pair<std::string, std::string>> headers = {},
    const std::string &body = "")
{
  RtspClientResponse r;
  r.code = code;
  r.reason = code == 200 ? "OK" : "Refused";
  r.headers = std::move (headers);
  r.body = body;
  return r;
}

class FakeHooks : public RtspPublishHooks {
public:
  int64_t clock = 1000000;
  int binds = 0, destinations = 0;
  std::vector<bool> recording;
  std::function<bool ()> end_when = [] { return false; };
  std::function<bool ()> stop_when = [] { return false; };
  std::vector<RtspLowerTransport> transports;

  bool bind_client_ports (RtspClientLogic &logic, std::string &) override {
    binds++;
    for (size_t i = 0; i < logic.streams ().size (); i++)
      logic.set_client_ports (i, 5000 + 2 * i, 5001 + 2 * i);
    return true;
  }
  bool set_destinations (const RtspClientLogic &logic, std::string &) override {
    destinations++;
    transports.clear ();
    for (const auto &s : logic.streams ())
      transports.push_back (s.transport);
    return true;
  }
  void set_recording (bool on) override {
    if (recording.empty () || recording.back () != on)
      recording.push_back (on);
  }
  bool stopping () override { return stop_when (); }
  bool ending () override { return end_when (); }
  int64_t now_us () override { return clock; }
};

/* A server as a function of each request; nullopt: no answer. Time passes only while waiting. */
class FakeChannel : public RtspPublishChannel {
public:
  explicit FakeChannel (FakeHooks &hooks) : hooks_ (hooks) {}
  std::function<std::optional<RtspClientResponse> (const RtspClientRequest &)> server;
  std::vector<RtspClientRequest> sent;
  std::vector<int64_t> sent_at;
  int auth_applied = 0;
  bool closed = false;

  bool send (const RtspClientRequest &request, std::string &) override {
    sent.push_back (request);
    sent_at.push_back (hooks_.clock);
    if (auto r = server (request))
      pending_.push_back (*r);
    return true;
  }
  Received receive (int64_t timeout_us, RtspClientResponse &response, std::string &error) override {
    if (!pending_.empty ()) {
      response = pending_.front ();
      pending_.pop_front ();
      return Received::kResponse;
    }
    if (closed) {
      error = "the server closed the connection";
      return Received::kClosed;
    }
    hooks_.clock += timeout_us;
    return Received::kTimeout;
  }
  void apply_auth (const RtspClientLogic &) override { auth_applied++; }

  std::vector<std::string> methods () const {
    std::vector<std::string> out;
    for (const auto &r : sent)
      out.push_back (gst_rtsp_method_as_text (r.method));
    return out;
  }
  int count (GstRTSPMethod method) const {
    int n = 0;
    for (const auto &r : sent)
      n += r.method == method;
    return n;
  }

private:
  FakeHooks &hooks_;
  std::deque<RtspClientResponse> pending_;
};

const std::string *
header_of (const RtspClientRequest &request, const std::string &name)
{
  for (const auto &h : request.headers) {
    if (g_ascii_strcasecmp (h.first.c_str (), name.c_str ()) == 0)
      return &h.second;
  }
  return nullptr;
}

/* A server that takes everything: UDP (unless refused), a session with @timeout. */
std::optional<RtspClientResponse>
record_server (const RtspClientRequest &request, int timeout = 60, bool refuse_udp = false)
{
  std::string session = "Session";
  std::string value = "12345678;timeout=" + std::to_string (timeout);
  switch (request.method) {
    case GST_RTSP_OPTIONS:
      return answer (200, {{"Public", "OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN, GET_PARAMETER"}});
    case GST_RTSP_SETUP:{
      std::string transport = *header_of (request, "Transport");
      if (transport.find ("interleaved") != std::string::npos)
        return answer (200, {{session, value}, {"Transport", transport}});
      if (refuse_udp)
        return answer (461);
      return answer (200, {{session, value}, {"Transport",
                  "RTP/AVP/UDP;unicast;mode=receive;source=127.0.0.1;client_port=5000-5001;"
                  "server_port=6000-6001"}});
    }
    default:
      return answer (200, {{session, value}});
  }
}

struct Attempt {
  FakeHooks hooks;
  FakeChannel channel {hooks};
  PublishSettings settings;
  Attempt (bool udp = true, bool tcp = true) {
    settings.location = kUrl;
    settings.udp = udp;
    settings.tcp = tcp;
    settings.timeout_us = 5000000;
  }
  PublishAttempt go () {
    RtspPublishSession session (settings, channel, hooks);
    std::string error;
    EXPECT_TRUE (session.prepare (kSdp, {"stream=0", "stream=1"}, error)) << error;
    return session.run ();
  }
};

}  // namespace

TEST (RtspPublishSession, PublishesOverUdpAndTearsDownAtTheEnd)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) { return record_server (r); };
  run.hooks.end_when = [&run] { return run.hooks.clock > 3000000; };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kStopped) << attempt.reason;
  EXPECT_TRUE (attempt.recorded);
  EXPECT_EQ (run.channel.methods (), (std::vector<std::string> {"OPTIONS", "ANNOUNCE", "SETUP",
          "SETUP", "RECORD", "TEARDOWN"}));
  const RtspClientRequest &announce = run.channel.sent[1];
  EXPECT_EQ (announce.body, kSdp);
  EXPECT_EQ (*header_of (announce, "Content-Type"), "application/sdp");
  EXPECT_EQ (run.channel.sent[2].uri, std::string (kUrl) + "/stream=0");
  EXPECT_EQ (*header_of (run.channel.sent[2], "Transport"),
      "RTP/AVP;unicast;client_port=5000-5001;mode=record");
  EXPECT_EQ (*header_of (run.channel.sent[4], "Session"), "12345678");
  EXPECT_EQ (run.hooks.binds, 1);
  EXPECT_EQ (run.hooks.destinations, 1);
  EXPECT_EQ (run.hooks.transports, (std::vector<RtspLowerTransport> {RtspLowerTransport::Udp,
          RtspLowerTransport::Udp}));
  /* The UDP answers were ffmpeg's (mode=receive, source=): understood. */
  EXPECT_EQ (run.hooks.recording, (std::vector<bool> {true, false}));
}

TEST (RtspPublishSession, KeepAliveAtHalfTheSessionTimeout)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) { return record_server (r, 4); };
  run.hooks.end_when = [&run] { return run.channel.count (GST_RTSP_GET_PARAMETER) >= 3; };
  int64_t start = run.hooks.clock;
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kStopped) << attempt.reason;
  std::vector<int64_t> at;
  for (size_t i = 0; i < run.channel.sent.size (); i++) {
    if (run.channel.sent[i].method == GST_RTSP_GET_PARAMETER)
      at.push_back (run.channel.sent_at[i] - start);
  }
  ASSERT_EQ (at.size (), 3u);
  /* Every 2 s of the fake clock (give or take one poll). */
  for (size_t i = 0; i < at.size (); i++) {
    EXPECT_GE (at[i], static_cast<int64_t> (i + 1) * 2000000);
    EXPECT_LE (at[i], static_cast<int64_t> (i + 1) * 2000000 + 2 * run.settings.poll_us);
  }
  EXPECT_EQ (*header_of (run.channel.sent[5], "Session"), "12345678");
}

TEST (RtspPublishSession, OptionsKeepAliveWithoutGetParameter)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_OPTIONS)
      return answer (200, {{"Public", "OPTIONS, ANNOUNCE, SETUP, RECORD"}});
    return record_server (r, 4);
  };
  run.hooks.end_when = [&run] { return run.channel.count (GST_RTSP_OPTIONS) >= 3; };
  EXPECT_EQ (run.go ().outcome, PublishOutcome::kStopped);
  EXPECT_EQ (run.channel.count (GST_RTSP_GET_PARAMETER), 0);
}

TEST (RtspPublishSession, FallsBackToInterleavedOn461)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) { return record_server (r, 60, true); };
  run.hooks.end_when = [&run] { return run.hooks.recording.size () == 1; };
  PublishAttempt attempt = run.go ();
  EXPECT_TRUE (attempt.recorded) << attempt.reason;
  EXPECT_EQ (run.channel.methods (), (std::vector<std::string> {"OPTIONS", "ANNOUNCE", "SETUP",
          "SETUP", "SETUP", "RECORD", "TEARDOWN"}));
  EXPECT_EQ (*header_of (run.channel.sent[3], "Transport"),
      "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
  EXPECT_EQ (*header_of (run.channel.sent[4], "Transport"),
      "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record");
  EXPECT_EQ (run.hooks.transports, (std::vector<RtspLowerTransport> {RtspLowerTransport::Tcp,
          RtspLowerTransport::Tcp}));
}

TEST (RtspPublishSession, UdpOnlyRefusedSaysWhatToAllow)
{
  Attempt run (true, false);
  run.channel.server = [](const RtspClientRequest &r) { return record_server (r, 60, true); };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kRefused);
  EXPECT_NE (attempt.reason.find ("461"), std::string::npos) << attempt.reason;
  EXPECT_NE (attempt.reason.find ("protocols=tcp"), std::string::npos) << attempt.reason;
}

TEST (RtspPublishSession, AnswersDigestChallengeAndResends)
{
  Attempt run;
  run.settings.user = "alice";
  run.settings.password = "secret";
  int announces = 0;
  run.channel.server = [&announces](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_ANNOUNCE && announces++ == 0)
      return answer (401, {{"WWW-Authenticate", "Digest realm=\"meet\", nonce=\"abc\""}});
    return record_server (r);
  };
  run.hooks.end_when = [&run] { return run.hooks.recording.size () == 1; };
  PublishAttempt attempt = run.go ();
  EXPECT_TRUE (attempt.recorded) << attempt.reason;
  EXPECT_EQ (run.channel.auth_applied, 1);
  EXPECT_EQ (run.channel.count (GST_RTSP_ANNOUNCE), 2);
  EXPECT_EQ (run.channel.sent[1].body, run.channel.sent[2].body);
}

TEST (RtspPublishSession, NoCredentialsForA401)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_ANNOUNCE)
      return answer (401, {{"WWW-Authenticate", "Basic realm=\"meet\""}});
    return record_server (r);
  };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kRefused);
  EXPECT_NE (attempt.reason.find ("requires authentication"), std::string::npos) << attempt.reason;
}

TEST (RtspPublishSession, RefusalsAreNotRetried)
{
  struct Case { int code; std::string body; std::string words; };
  for (const Case &c : std::vector<Case> {
          {403, "", "does not allow us to publish"},
          {404, "", "takes no publishers at this path"},
          {405, "", "takes no publishers at this path"},
          {409, "bob is live\r\n\x1b[31mfrom another laptop", "bob is live   [31mfrom another laptop"}}) {
    Attempt run;
    run.channel.server = [&c](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
      if (r.method == GST_RTSP_ANNOUNCE)
        return answer (c.code, {{"Content-Type", "text/plain"}}, c.body);
      return record_server (r);
    };
    PublishAttempt attempt = run.go ();
    EXPECT_EQ (attempt.outcome, PublishOutcome::kRefused) << c.code;
    EXPECT_NE (attempt.reason.find (c.words), std::string::npos) << attempt.reason;
    EXPECT_NE (attempt.reason.find (std::to_string (c.code)), std::string::npos) << attempt.reason;
    for (char ch : attempt.reason)
      EXPECT_GE (static_cast<unsigned char> (ch), 0x20) << attempt.reason;
  }
}

TEST (RtspPublishSession, ServiceUnavailableIsWorthARetry)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_ANNOUNCE)
      return answer (503);
    return record_server (r);
  };
  EXPECT_EQ (run.go ().outcome, PublishOutcome::kLost);
}

TEST (RtspPublishSession, SilentServerIsLostAfterTheTimeout)
{
  Attempt run;
  run.settings.timeout_us = 2000000;
  run.channel.server = [](const RtspClientRequest &) { return std::nullopt; };
  int64_t start = run.hooks.clock;
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kLost);
  EXPECT_NE (attempt.reason.find ("did not answer within 2000 ms"), std::string::npos) << attempt.reason;
  EXPECT_GE (run.hooks.clock - start, 2000000);
  EXPECT_LE (run.hooks.clock - start, 2000000 + run.settings.poll_us);
}

TEST (RtspPublishSession, ServerGoneWhileRecording)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) { return record_server (r); };
  run.hooks.end_when = [&run] {
    if (run.hooks.recording.size () == 1 && run.hooks.clock > 3000000)
      run.channel.closed = true;
    return false;
  };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kLost);
  EXPECT_TRUE (attempt.recorded);
  EXPECT_NE (attempt.reason.find ("closed"), std::string::npos) << attempt.reason;
  EXPECT_EQ (run.hooks.recording, (std::vector<bool> {true, false}));
}

TEST (RtspPublishSession, UnansweredKeepAliveIsLost)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_GET_PARAMETER)
      return std::nullopt;
    return record_server (r, 4);
  };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kLost);
  EXPECT_NE (attempt.reason.find ("keep-alive"), std::string::npos) << attempt.reason;
}

TEST (RtspPublishSession, ForgottenSessionIsLost)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_GET_PARAMETER)
      return answer (454);
    return record_server (r, 4);
  };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kLost);
  EXPECT_NE (attempt.reason.find ("454"), std::string::npos) << attempt.reason;
}

TEST (RtspPublishSession, StoppingSendsTeardownAndDoesNotWaitForever)
{
  Attempt run;
  bool stop = false;
  run.channel.server = [&stop](const RtspClientRequest &r) -> std::optional<RtspClientResponse> {
    if (r.method == GST_RTSP_TEARDOWN)
      return std::nullopt;      /* a server that never answers it */
    return record_server (r);
  };
  run.hooks.stop_when = [&] {
    if (run.hooks.recording.size () == 1 && run.hooks.clock > 2000000)
      stop = true;
    return stop;
  };
  int64_t before = 0;
  run.hooks.end_when = [&] {
    if (!stop)
      before = run.hooks.clock;
    return false;
  };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kStopped);
  EXPECT_EQ (run.channel.methods ().back (), "TEARDOWN");
  EXPECT_LE (run.hooks.clock - before, 1000000 + 2 * run.settings.poll_us);
}

TEST (RtspPublishSession, StoppingBeforeRecordTearsDownTheSetUpSession)
{
  Attempt run;
  run.channel.server = [](const RtspClientRequest &r) { return record_server (r); };
  run.hooks.stop_when = [&run] { return run.channel.count (GST_RTSP_SETUP) == 2; };
  PublishAttempt attempt = run.go ();
  EXPECT_EQ (attempt.outcome, PublishOutcome::kStopped);
  EXPECT_FALSE (attempt.recorded);
  EXPECT_EQ (run.channel.methods ().back (), "TEARDOWN");
  EXPECT_EQ (run.channel.count (GST_RTSP_RECORD), 0);
}

TEST (RtspPublishSession, BadLocation)
{
  FakeHooks hooks;
  FakeChannel channel (hooks);
  PublishSettings settings;
  settings.location = "http://x/";
  RtspPublishSession session (settings, channel, hooks);
  std::string error;
  EXPECT_FALSE (session.prepare (kSdp, {"stream=0"}, error));
  EXPECT_NE (error.find ("not an RTSP URL"), std::string::npos) << error;
}

TEST (PublishBackoff, DoublesUpToEightSeconds)
{
  std::vector<int> got;
  for (int i = -1; i < 8; i++)
    got.push_back (publish_backoff_ms (i));
  EXPECT_EQ (got, (std::vector<int> {500, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000}));
}

TEST (RtspMessages, ReceivedBodyLosesTheConnectionsNul)
{
  GstRTSPMessage *msg = nullptr;
  gst_rtsp_message_new_response (&msg, static_cast<GstRTSPStatusCode> (409), "Conflict", nullptr);
  const guint8 body[] = { 't', 'a', 'k', 'e', 'n', '\0' };
  gst_rtsp_message_set_body (msg, body, sizeof (body));
  RtspClientResponse r = rtsp_response_from_message (msg);
  gst_rtsp_message_free (msg);
  EXPECT_EQ (r.code, 409);
  EXPECT_EQ (r.body, "taken");
}

TEST (InterleavedHeader, Framing)
{
  uint8_t head[4];
  ASSERT_TRUE (interleaved_header (3, 0x1234, head));
  EXPECT_EQ (head[0], '$');
  EXPECT_EQ (head[1], 3);
  EXPECT_EQ (head[2], 0x12);
  EXPECT_EQ (head[3], 0x34);
  EXPECT_TRUE (interleaved_header (0, 0xffff, head));
  EXPECT_FALSE (interleaved_header (0, 0x10000, head));
}

TEST (RtpSendTransport, DropsUntilSetUp)
{
  RtpSendTransport transport;
  const uint8_t packet[12] = { 0x80, 26 };
  EXPECT_EQ (transport.send (packet, sizeof (packet), false), 0u);
}

TEST (RtpSendTransport, InterleavedFramesGoToTheWriter)
{
  RtpSendTransport transport;
  std::vector<std::vector<uint8_t>> frames;
  transport.set_interleaved (4, 5, [&frames](const uint8_t *head, const uint8_t *data, size_t size) {
    std::vector<uint8_t> f (head, head + 4);
    f.insert (f.end (), data, data + size);
    frames.push_back (f);
    return true;
  });
  const uint8_t rtp[3] = { 1, 2, 3 };
  EXPECT_EQ (transport.send (rtp, 3, false), 7u);
  EXPECT_EQ (transport.send (rtp, 2, true), 6u);
  ASSERT_EQ (frames.size (), 2u);
  EXPECT_EQ (frames[0], (std::vector<uint8_t> {'$', 4, 0, 3, 1, 2, 3}));
  EXPECT_EQ (frames[1], (std::vector<uint8_t> {'$', 5, 0, 2, 1, 2}));
  transport.close ();
  EXPECT_EQ (transport.send (rtp, 3, false), 0u);
  EXPECT_EQ (frames.size (), 2u);
}

/* Loopback only: the socket pair and a datagram to ourselves. */
TEST (RtpSendTransport, UdpPairIsEvenAndConsecutive)
{
  RtpSendTransport transport;
  int rtp_port = 0, rtcp_port = 0;
  std::string error;
  ASSERT_TRUE (transport.bind_udp (G_SOCKET_FAMILY_IPV4, rtp_port, rtcp_port, error)) << error;
  EXPECT_EQ (rtp_port % 2, 0);
  EXPECT_EQ (rtcp_port, rtp_port + 1);

  GSocket *receiver = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, nullptr);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  ASSERT_TRUE (g_socket_bind (receiver, address, FALSE, nullptr));
  g_object_unref (address);
  GSocketAddress *local = g_socket_get_local_address (receiver, nullptr);
  int port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);

  ASSERT_TRUE (transport.set_udp_destination (loopback, port, 0, error)) << error;
  const uint8_t packet[4] = { 0x80, 26, 0, 1 };
  EXPECT_EQ (transport.send (packet, sizeof (packet), false), 4u);
  EXPECT_EQ (transport.send (packet, sizeof (packet), true), 0u);   /* no RTCP port given */
  g_socket_set_timeout (receiver, 5);
  gchar got[16];
  GSocketAddress *from = nullptr;
  EXPECT_EQ (g_socket_receive_from (receiver, &from, got, sizeof (got), nullptr, nullptr), 4);
  ASSERT_NE (from, nullptr);
  EXPECT_EQ (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)), rtp_port);
  g_object_unref (from);
  g_object_unref (loopback);
  g_object_unref (receiver);
}
