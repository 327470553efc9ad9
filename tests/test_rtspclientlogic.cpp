/* Unit tests of meet::RtspClientLogic: response/SDP parsing and the client
 * state machine, driven with canned server answers (no sockets). */
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include <gst/gst.h>

#include <string>

#include "rtspclientlogic.h"

using meet::RtspClientLogic;
using Event = RtspClientLogic::Event;
using State = RtspClientLogic::State;

namespace {

const char *kSdp =
    "v=0\r\n"
    "o=- 1 1 IN IP4 127.0.0.1\r\n"
    "s=Meeting\r\n"
    "t=0 0\r\n"
    "a=control:*\r\n"
    "m=video 0 RTP/AVP 26\r\n"
    "a=rtpmap:26 JPEG/90000\r\n"
    "a=framerate:30\r\n"
    "a=x-dimensions:320,240\r\n"
    "a=control:stream=0\r\n"
    "m=audio 0 RTP/AVP 96\r\n"
    "a=rtpmap:96 L16/48000/2\r\n"
    "a=control:stream=1\r\n";

meet::RtspClientLogic::Event
feed (RtspClientLogic &logic, const std::string &text)
{
  return logic.handle_raw_response (reinterpret_cast<const uint8_t *> (text.data ()),
      text.size ());
}

std::string
ok (const std::string &extra = "", const std::string &body = "")
{
  std::string r = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n" + extra;
  if (!body.empty ())
    r += "Content-Length: " + std::to_string (body.size ()) + "\r\n";
  return r + "\r\n" + body;
}

std::string
describe_ok ()
{
  return ok ("Content-Type: application/sdp\r\nContent-Base: rtsp://127.0.0.1:8554/test/\r\n",
      kSdp);
}

std::string
header_of (const meet::RtspClientRequest &request, const std::string &name)
{
  for (const auto &h : request.headers)
    if (h.first == name)
      return h.second;
  return "";
}

/* Runs OPTIONS + DESCRIBE + both SETUPs over UDP. */
void
setup_udp (RtspClientLogic &logic)
{
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  logic.set_target (State::Ready);
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_OPTIONS);
  EXPECT_EQ (feed (logic, ok ("Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER\r\n")),
      Event::None);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_DESCRIBE);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/test");
  ASSERT_EQ (feed (logic, describe_ok ()), Event::Described) << logic.error ();
  logic.set_client_ports (0, 5000, 5001);
  logic.set_client_ports (1, 5002, 5003);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_SETUP);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/test/stream=0");
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/AVP;unicast;client_port=5000-5001");
  EXPECT_EQ (feed (logic, ok ("Session: abc123;timeout=30\r\n"
              "Transport: RTP/AVP;unicast;client_port=5000-5001;server_port=7000-7001;ssrc=DEADBEEF\r\n")),
      Event::None);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/test/stream=1");
  EXPECT_EQ (header_of (*r, "Session"), "abc123");
  ASSERT_EQ (feed (logic, ok ("Session: abc123;timeout=30\r\n"
              "Transport: RTP/AVP;unicast;client_port=5002-5003;server_port=7002-7003\r\n")),
      Event::SetupDone) << logic.error ();
}

}  // namespace

TEST (RtspClientResponse, ParsesStatusHeadersAndBody)
{
  std::string text = "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n"
      "X-Folded: a\r\n b\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
  meet::RtspClientResponse r;
  std::string error;
  ASSERT_TRUE (meet::parse_rtsp_response (reinterpret_cast<const uint8_t *> (text.data ()),
          text.size (), r, error)) << error;
  EXPECT_EQ (r.code, 200);
  EXPECT_EQ (r.reason, "OK");
  ASSERT_NE (r.header ("content-type"), nullptr);
  EXPECT_EQ (*r.header ("CONTENT-TYPE"), "application/sdp");
  EXPECT_EQ (*r.header ("X-Folded"), "a b");
  EXPECT_EQ (r.body, "hello");
  EXPECT_EQ (r.header ("Missing"), nullptr);
}

TEST (RtspClientResponse, RejectsMalformedInput)
{
  const char *bad[] = {
    "", "RTSP/1.0 200 OK\r\n", "HTTP/1.0 200 OK\r\n\r\n", "RTSP/1.0 2x0 OK\r\n\r\n",
    "RTSP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    "RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n",
    "RTSP/1.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
    "RTSP/1.0 200 OK\r\n: novalue\r\n\r\n", "RTSP/1.0 042 Low\r\n\r\n",
  };
  for (const char *text : bad) {
    meet::RtspClientResponse r;
    std::string error;
    EXPECT_FALSE (meet::parse_rtsp_response (reinterpret_cast<const uint8_t *> (text),
            strlen (text), r, error)) << text;
    EXPECT_FALSE (error.empty ());
  }
}

TEST (RtspClientLogic, RejectsBadLocation)
{
  RtspClientLogic logic;
  EXPECT_FALSE (logic.set_location ("http://example/"));
  EXPECT_FALSE (logic.set_location (""));
  EXPECT_NE (logic.error ().find ("not an RTSP URL"), std::string::npos);
}

TEST (RtspClientLogic, TakesCredentialsFromUrlUnlessOverridden)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://alice:secret@127.0.0.1:9000/cam"));
  EXPECT_EQ (logic.user (), "alice");
  EXPECT_EQ (logic.password (), "secret");
  EXPECT_EQ (logic.port (), 9000u);
  EXPECT_EQ (logic.request_uri ().find ("alice"), std::string::npos);
  RtspClientLogic other;
  other.set_credentials ("bob", "pw");
  ASSERT_TRUE (other.set_location ("rtsp://alice:secret@127.0.0.1/cam"));
  EXPECT_EQ (other.user (), "bob");
  EXPECT_EQ (other.port (), 554u);
}

TEST (RtspClientLogic, SdpGivesCapsAndControlUris)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  ASSERT_TRUE (logic.parse_sdp (kSdp, "rtsp://127.0.0.1:8554/test/"));
  ASSERT_EQ (logic.streams ().size (), 2u);
  const auto &video = logic.streams ()[0];
  EXPECT_EQ (video.media, "video");
  EXPECT_EQ (video.payload, 26);
  EXPECT_EQ (video.clock_rate, 90000u);
  GstCaps *caps = gst_caps_from_string (video.caps.c_str ());
  ASSERT_NE (caps, nullptr);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  EXPECT_TRUE (gst_structure_has_name (s, "application/x-rtp"));
  EXPECT_STREQ (gst_structure_get_string (s, "encoding-name"), "JPEG");
  EXPECT_STREQ (gst_structure_get_string (s, "media"), "video");
  EXPECT_STREQ (gst_structure_get_string (s, "x-dimensions"), "320,240");
  gst_caps_unref (caps);
  const auto &audio = logic.streams ()[1];
  EXPECT_EQ (audio.clock_rate, 48000u);
  EXPECT_NE (audio.caps.find ("encoding-params=(string)2"), std::string::npos) << audio.caps;
  EXPECT_EQ (audio.control_uri, "rtsp://127.0.0.1:8554/test/stream=1");
}

TEST (RtspClientLogic, ResolvesControl)
{
  EXPECT_EQ (RtspClientLogic::resolve_control ("rtsp://h/a/", "*"), "rtsp://h/a/");
  EXPECT_EQ (RtspClientLogic::resolve_control ("rtsp://h/a", "s=1"), "rtsp://h/a/s=1");
  EXPECT_EQ (RtspClientLogic::resolve_control ("rtsp://h/a/", "rtsp://o/x"), "rtsp://o/x");
}

TEST (RtspClientLogic, SdpWithoutUsableStreamFails)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1/x"));
  EXPECT_FALSE (logic.parse_sdp ("v=0\r\nm=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n",
          "rtsp://127.0.0.1/x"));
  EXPECT_NE (logic.error ().find ("no RTP stream"), std::string::npos);
  /* dynamic payload without rtpmap */
  EXPECT_FALSE (logic.parse_sdp ("v=0\r\nm=video 0 RTP/AVP 96\r\n", "rtsp://127.0.0.1/x"));
}

TEST (RtspClientLogic, WalksSetupPlayPauseTeardown)
{
  RtspClientLogic logic;
  setup_udp (logic);
  EXPECT_EQ (logic.state (), State::Ready);
  EXPECT_EQ (logic.session_id (), "abc123");
  EXPECT_EQ (logic.session_timeout (), 30u);
  const auto &video = logic.streams ()[0];
  EXPECT_EQ (video.server_rtp_port, 7000);
  EXPECT_EQ (video.server_rtcp_port, 7001);
  EXPECT_TRUE (video.has_ssrc);
  EXPECT_EQ (video.ssrc, 0xDEADBEEFu);
  EXPECT_FALSE (logic.next_request ());         /* target Ready reached */

  logic.set_target (State::Playing);
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_PLAY);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/test/");
  EXPECT_FALSE (logic.next_request ());         /* waiting for the answer */
  EXPECT_EQ (feed (logic, ok ("Session: abc123\r\nRTP-Info: url=rtsp://x;seq=1;rtptime=2\r\n")),
      Event::Playing);
  EXPECT_EQ (logic.state (), State::Playing);

  auto keepalive = logic.keepalive_request ();
  ASSERT_TRUE (keepalive);
  EXPECT_EQ (keepalive->method, GST_RTSP_GET_PARAMETER);
  EXPECT_EQ (feed (logic, ok ()), Event::None);

  logic.set_target (State::Paused);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_PAUSE);
  EXPECT_EQ (feed (logic, ok ()), Event::Paused);
  EXPECT_STREQ (RtspClientLogic::state_name (logic.state ()), "paused");

  logic.set_target (State::Playing);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_PLAY);
  EXPECT_EQ (feed (logic, ok ()), Event::Playing);

  logic.set_target (State::Init);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_TEARDOWN);
  EXPECT_EQ (feed (logic, ok ()), Event::TornDown);
  EXPECT_EQ (logic.state (), State::Init);
  EXPECT_TRUE (logic.session_id ().empty ());
  EXPECT_FALSE (logic.next_request ());
}

TEST (RtspClientLogic, FallsBackToTcpOn461)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  logic.set_target (State::Ready);
  ASSERT_TRUE (logic.next_request ());
  feed (logic, ok ());
  ASSERT_TRUE (logic.next_request ());
  ASSERT_EQ (feed (logic, describe_ok ()), Event::Described);
  logic.set_client_ports (0, 5000, 5001);
  logic.set_client_ports (1, 5002, 5003);
  ASSERT_TRUE (logic.next_request ());
  EXPECT_EQ (feed (logic, "RTSP/1.0 461 Unsupported transport\r\nCSeq: 3\r\n\r\n"),
      Event::TransportFallback);
  EXPECT_EQ (logic.transport (), meet::RtspLowerTransport::Tcp);
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/AVP/TCP;unicast;interleaved=0-1");
  feed (logic, ok ("Session: s1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"));
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/AVP/TCP;unicast;interleaved=2-3");
  EXPECT_EQ (feed (logic, ok ("Session: s1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n")),
      Event::SetupDone);
  EXPECT_EQ (logic.streams ()[1].rtp_channel, 2);
  EXPECT_EQ (logic.streams ()[1].rtcp_channel, 3);
}

TEST (RtspClientLogic, UdpOnly461IsAnError)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  logic.set_allowed_transports (true, false);
  logic.set_target (State::Ready);
  logic.next_request ();
  feed (logic, ok ());
  logic.next_request ();
  feed (logic, describe_ok ());
  logic.next_request ();
  EXPECT_EQ (feed (logic, "RTSP/1.0 461 Unsupported transport\r\nCSeq: 3\r\n\r\n"),
      Event::Failed);
  EXPECT_NE (logic.error ().find ("protocols=tcp"), std::string::npos) << logic.error ();
}

TEST (RtspClientLogic, AnswersDigestChallengeOnceThenFails)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://user:pw@127.0.0.1:8554/test"));
  logic.set_target (State::Ready);
  auto first = logic.next_request ();
  ASSERT_TRUE (first);
  std::string challenge = "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n"
      "WWW-Authenticate: Basic realm=\"r\"\r\n"
      "WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\"\r\n\r\n";
  ASSERT_EQ (feed (logic, challenge), Event::AuthRequired);
  EXPECT_EQ (logic.auth_challenge ().method, GST_RTSP_AUTH_DIGEST);
  EXPECT_EQ (logic.auth_challenge ().params.at ("nonce"), "abc");
  EXPECT_EQ (logic.auth_challenge ().params.at ("realm"), "r");
  auto again = logic.next_request ();
  ASSERT_TRUE (again);
  EXPECT_EQ (again->method, first->method);
  ASSERT_EQ (feed (logic, challenge), Event::AuthRequired);
  logic.next_request ();
  EXPECT_EQ (feed (logic, challenge), Event::Failed);
  EXPECT_NE (logic.error ().find ("check user and password"), std::string::npos);
}

TEST (RtspClientLogic, ChallengeWithoutCredentialsFails)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  logic.set_target (State::Ready);
  logic.next_request ();
  EXPECT_EQ (feed (logic, "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n"
              "WWW-Authenticate: Basic realm=\"r\"\r\n\r\n"), Event::Failed);
  EXPECT_NE (logic.error ().find ("requires authentication"), std::string::npos);
}

TEST (RtspClientLogic, DescribeErrorsAreExplained)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/nope"));
  logic.set_target (State::Ready);
  logic.next_request ();
  feed (logic, ok ());
  logic.next_request ();
  EXPECT_EQ (feed (logic, "RTSP/1.0 404 Not Found\r\nCSeq: 2\r\n\r\n"), Event::Failed);
  EXPECT_NE (logic.error ().find ("404"), std::string::npos);
  EXPECT_NE (logic.error ().find ("rtsp://127.0.0.1:8554/nope"), std::string::npos);
  EXPECT_FALSE (logic.failure_is_transient ());
}

TEST (RtspClientLogic, ServerNotReadyIsTransient)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/meet"));
  logic.set_target (State::Ready);
  logic.next_request ();
  feed (logic, ok ());
  logic.next_request ();
  EXPECT_EQ (feed (logic, "RTSP/1.0 503 Service Unavailable\r\nCSeq: 2\r\nRetry-After: 1\r\n\r\n"),
      Event::Failed);
  EXPECT_TRUE (logic.failure_is_transient ());
}

TEST (RtspClientLogic, MalformedTransportAndSessionFail)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  logic.set_target (State::Ready);
  logic.next_request ();
  feed (logic, ok ());
  logic.next_request ();
  feed (logic, describe_ok ());
  logic.next_request ();
  EXPECT_EQ (feed (logic, ok ("Transport: RTP/AVP;unicast;server_port=1-2\r\n")), Event::Failed);
  EXPECT_NE (logic.error ().find ("Session"), std::string::npos);
}

TEST (RtspClientLogic, FuzzEntryPointSurvivesGarbage)
{
  static const char kNulBody[] = "RTSP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n\0\0\0";
  std::string inputs[] = {
    "", "RTSP/1.0 200 OK\r\n\r\n", describe_ok (),
    ok ("Content-Type: application/sdp\r\n", "v=0\r\nm=video 0 RTP/AVP 26\r\n"),
    ok ("Session: ;timeout=abc\r\nTransport: garbage\r\n", "m=audio 0 RTP/AVP 96\r\n"),
    std::string (kNulBody, sizeof (kNulBody) - 1),
  };
  for (const auto &input : inputs)
    EXPECT_EQ (meet_rtsp_client_logic_fuzz (reinterpret_cast<const uint8_t *> (input.data ()),
            input.size ()), 0);
}

TEST (RtspClientLogic, KeepaliveUsesOptionsWithoutGetParameterAndReports454)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  EXPECT_FALSE (logic.keepalive_request ());     /* no session yet */
  logic.set_target (State::Playing);
  logic.next_request ();
  feed (logic, ok ("Public: OPTIONS, DESCRIBE, SETUP, PLAY\r\n"));
  logic.next_request ();
  feed (logic, describe_ok ());
  logic.next_request ();
  feed (logic, ok ("Session: s\r\nTransport: RTP/AVP;unicast;server_port=1-2\r\n"));
  logic.next_request ();
  ASSERT_EQ (feed (logic, ok ("Session: s\r\nTransport: RTP/AVP;unicast;server_port=3-4\r\n")),
      Event::SetupDone);
  logic.next_request ();
  ASSERT_EQ (feed (logic, ok ()), Event::Playing);
  auto keepalive = logic.keepalive_request ();
  ASSERT_TRUE (keepalive);
  EXPECT_EQ (keepalive->method, GST_RTSP_OPTIONS);
  EXPECT_EQ (header_of (*keepalive, "Session"), "s");
  EXPECT_EQ (feed (logic, "RTSP/1.0 454 Session Not Found\r\nCSeq: 9\r\n\r\n"), Event::Failed);
  EXPECT_NE (logic.error ().find ("454"), std::string::npos);
}

TEST (RtspClientLogic, UnaskedResponseIsIgnored)
{
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/test"));
  EXPECT_EQ (feed (logic, ok ()), Event::None);
  EXPECT_EQ (logic.state (), State::Init);
}
