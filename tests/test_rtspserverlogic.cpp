/* Unit tests of meet::RtspRequestParser and meet::RtspServerLogic, without sockets. */
#include "rtspserverlogic.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include "rtsp_test_helpers.h"

#include <string>
#include <vector>

using meet::RtspConnectionContext;
using meet::RtspRequest;
using meet::RtspRequestParser;
using meet::RtspResponse;
using meet::RtspServerLogic;
using meet::RtspSession;
using meet_test::request;

namespace {

const char *kUrl = "rtsp://127.0.0.1:8554/meet";

class FakeMedia : public RtspServerLogic::Media {
public:
  std::vector<RtspServerLogic::StreamInfo> infos;
  std::vector<std::string> events;

  FakeMedia () {
    RtspServerLogic::StreamInfo video, audio;
    video.caps = "application/x-rtp, media=(string)video, clock-rate=(int)90000, "
        "encoding-name=(string)JPEG, payload=(int)26, a-framerate=(string)30.000000, "
        "x-dimensions=(string)\"320\\,240\"";
    video.server_rtp_port = 50000;
    video.server_rtcp_port = 50001;
    video.have_position = true;
    video.next_seq = 1234;
    video.rtptime = 987654;
    audio.caps = "application/x-rtp, media=(string)audio, clock-rate=(int)44100, "
        "encoding-name=(string)L16, encoding-params=(string)1, channels=(int)1, payload=(int)11";
    audio.server_rtp_port = 50002;
    audio.server_rtcp_port = 50003;
    infos = { video, audio };
  }
  std::vector<RtspServerLogic::StreamInfo> streams () override { return infos; }
  void session_play (const RtspSession & s) override { events.push_back ("play " + s.id); }
  void session_pause (const RtspSession & s) override { events.push_back ("pause " + s.id); }
  void session_teardown (const RtspSession & s) override {
    events.push_back ("teardown " + s.id);
  }
};

std::string
session_of (const RtspResponse & r)
{
  const std::string *s = r.header ("Session");
  return s ? s->substr (0, s->find (';')) : std::string ();
}

class LogicTest : public ::testing::Test {
protected:
  LogicTest () : logic (config (), media) {
    conn.id = 1;
    conn.peer_host = "127.0.0.1";
    conn.local_host = "127.0.0.1";
    other.id = 2;
    other.peer_host = "127.0.0.1";
  }
  static RtspServerLogic::Config config () {
    RtspServerLogic::Config c;
    c.max_sessions = 2;
    c.session_timeout_s = 10;
    return c;
  }
  RtspResponse handle (const RtspRequest & r, int64_t now = 0) {
    return logic.handle (r, conn, now);
  }
  /* SETUP of both streams over UDP; returns the session ID. */
  std::string setup_both () {
    RtspResponse r = handle (request ("SETUP", std::string (kUrl) + "/stream=0",
            { { "Transport", "RTP/AVP;unicast;client_port=6000-6001" } }));
    EXPECT_EQ (r.code, 200);
    std::string id = session_of (r);
    r = handle (request ("SETUP", std::string (kUrl) + "/stream=1",
            { { "Transport", "RTP/AVP;unicast;client_port=6002-6003" }, { "Session", id } }));
    EXPECT_EQ (r.code, 200);
    return id;
  }

  FakeMedia media;
  RtspServerLogic logic;
  RtspConnectionContext conn, other;
};

}  // namespace

/* ---------------------------------------------------------------- framing */

TEST (Parser, CompleteRequestInOneGo)
{
  RtspRequestParser p;
  std::string raw = "OPTIONS * RTSP/1.0\r\nCSeq: 7\r\nUser-Agent: test\r\n\r\n";
  p.feed (reinterpret_cast<const uint8_t *> (raw.data ()), raw.size ());
  RtspRequest r;
  int code = 0;
  uint8_t channel = 0;
  ASSERT_EQ (p.next (r, code, channel), RtspRequestParser::Result::kRequest);
  EXPECT_EQ (r.method, "OPTIONS");
  EXPECT_EQ (r.uri, "*");
  EXPECT_EQ (*r.header ("cseq"), "7");
  EXPECT_EQ (*r.header ("USER-AGENT"), "test");
  EXPECT_EQ (p.next (r, code, channel), RtspRequestParser::Result::kNeedMore);
  EXPECT_EQ (p.pending (), 0u);
}

TEST (Parser, ByteByByteWithBodyAndInterleavedFrame)
{
  RtspRequestParser p;
  std::string raw = std::string ("$\x01\x00\x03xyz", 7)
      + "SET_PARAMETER rtsp://h/meet RTSP/1.0\nCSeq: 2\nContent-Length: 5\n\nhello";
  RtspRequest r;
  int code = 0;
  uint8_t channel = 0;
  std::vector<RtspRequestParser::Result> results;
  for (char c : raw) {
    p.feed (reinterpret_cast<const uint8_t *> (&c), 1);
    for (;;) {
      auto res = p.next (r, code, channel);
      if (res == RtspRequestParser::Result::kNeedMore)
        break;
      results.push_back (res);
    }
  }
  ASSERT_EQ (results.size (), 2u);
  EXPECT_EQ (results[0], RtspRequestParser::Result::kInterleaved);
  EXPECT_EQ (channel, 1);
  EXPECT_EQ (results[1], RtspRequestParser::Result::kRequest);
  EXPECT_EQ (r.body, "hello");
}

static int
parse_error (const std::string & raw)
{
  RtspRequestParser p;
  p.feed (reinterpret_cast<const uint8_t *> (raw.data ()), raw.size ());
  RtspRequest r;
  int code = 0;
  uint8_t channel = 0;
  auto res = p.next (r, code, channel);
  return res == RtspRequestParser::Result::kError ? code : 0;
}

TEST (Parser, RejectsOversizeAndMalformedInput)
{
  EXPECT_EQ (parse_error (std::string (5000, 'A')), 414);
  EXPECT_EQ (parse_error ("OPTIONS * RTSP/1.0\r\nX: " + std::string (200000, 'a')), 413);
  std::string many = "OPTIONS * RTSP/1.0\r\n";
  for (int i = 0; i < 100; i++)
    many += "X" + std::to_string (i) + ": y\r\n";
  EXPECT_EQ (parse_error (many + "\r\n"), 413);
  EXPECT_EQ (parse_error ("OPTIONS * RTSP/1.0\r\nContent-Length: 99999\r\n\r\n"), 413);
  EXPECT_EQ (parse_error ("OPTIONS * RTSP/1.0\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ (parse_error ("garbage\r\n\r\n"), 400);
  EXPECT_EQ (parse_error (std::string ("OPTIONS\0 * RTSP/1.0\r\n\r\n", 23)), 400);
  EXPECT_EQ (parse_error ("OPTIONS * HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ (parse_error ("OPTIONS * RTSP/2.0\r\n\r\n"), 505);
  EXPECT_EQ (parse_error ("OPTIONS * RTSP/1.0\r\nno colon\r\n\r\n"), 400);
  EXPECT_EQ (parse_error ("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"), 0);  // just incomplete
}

/* ---------------------------------------------------------------- logic */

TEST_F (LogicTest, OptionsListsMethodsAndEchoesCSeq)
{
  RtspResponse r = handle (request ("OPTIONS", "*", {}, 42));
  EXPECT_EQ (r.code, 200);
  EXPECT_EQ (*r.header ("CSeq"), "42");
  EXPECT_NE (r.header ("Public")->find ("GET_PARAMETER"), std::string::npos);
  EXPECT_EQ (r.serialize ().rfind ("RTSP/1.0 200 OK\r\nCSeq: 42\r\n", 0), 0u);
}

TEST_F (LogicTest, MissingOrBadCSeqIs400)
{
  EXPECT_EQ (handle (request ("OPTIONS", "*", {}, -1)).code, 400);
  EXPECT_EQ (handle (request ("OPTIONS", "*", { { "CSeq", "abc" } }, -1)).code, 400);
  EXPECT_EQ (handle (request ("OPTIONS", "*", {}, -1)).header ("CSeq"), nullptr);
}

TEST_F (LogicTest, UnknownMethodIs501)
{
  EXPECT_EQ (handle (request ("FROB", kUrl)).code, 501);
  /* Publishing is off unless Config::allow_publish. */
  EXPECT_EQ (handle (request ("RECORD", kUrl)).code, 405);
}

TEST_F (LogicTest, RequireIs551)
{
  RtspResponse r = handle (request ("DESCRIBE", kUrl, { { "Require", "funky" } }));
  EXPECT_EQ (r.code, 551);
  EXPECT_EQ (*r.header ("Unsupported"), "funky");
}

TEST_F (LogicTest, DescribeBuildsSdp)
{
  RtspResponse r = handle (request ("DESCRIBE", std::string (kUrl) + "/"));
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (*r.header ("Content-Type"), "application/sdp");
  EXPECT_EQ (*r.header ("Content-Base"), std::string (kUrl) + "/");
  EXPECT_NE (r.body.find ("m=video 0 RTP/AVP 26"), std::string::npos) << r.body;
  EXPECT_NE (r.body.find ("a=rtpmap:26 JPEG/90000"), std::string::npos);
  EXPECT_NE (r.body.find ("a=framerate:30"), std::string::npos);
  EXPECT_NE (r.body.find ("a=x-dimensions:320,240"), std::string::npos);
  EXPECT_NE (r.body.find ("a=control:stream=0"), std::string::npos);
  EXPECT_NE (r.body.find ("m=audio 0 RTP/AVP 11"), std::string::npos);
  EXPECT_NE (r.body.find ("a=control:stream=1"), std::string::npos);
  EXPECT_NE (r.serialize ().find ("Content-Length: " + std::to_string (r.body.size ())),
      std::string::npos);
}

TEST_F (LogicTest, DescribeBeforeCapsIs503)
{
  media.infos[1].caps.clear ();
  RtspResponse r = handle (request ("DESCRIBE", kUrl));
  EXPECT_EQ (r.code, 503);
  EXPECT_NE (r.header ("Retry-After"), nullptr);
}

TEST_F (LogicTest, WrongPathIs404)
{
  EXPECT_EQ (handle (request ("DESCRIBE", "rtsp://127.0.0.1:8554/other")).code, 404);
  EXPECT_EQ (handle (request ("DESCRIBE", "http://127.0.0.1:8554/meet")).code, 404);
  EXPECT_EQ (handle (request ("DESCRIBE", "*")).code, 404);
  EXPECT_EQ (handle (request ("SETUP", std::string (kUrl) + "/stream=9",
              { { "Transport", "RTP/AVP;unicast;client_port=6000-6001" } })).code, 404);
}

TEST_F (LogicTest, SetupUdpAnswersPortsAndSession)
{
  RtspResponse r = handle (request ("SETUP", std::string (kUrl) + "/stream=0",
          { { "Transport", "RTP/AVP;unicast;client_port=6000-6001" } }));
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (*r.header ("Transport"),
      "RTP/AVP;unicast;client_port=6000-6001;server_port=50000-50001;mode=\"PLAY\"");
  std::string id = session_of (r);
  EXPECT_EQ (id.size (), 32u);
  EXPECT_NE (r.header ("Session")->find (";timeout=10"), std::string::npos);
  const RtspSession *s = logic.find_session (id);
  ASSERT_NE (s, nullptr);
  EXPECT_EQ (s->client_host, "127.0.0.1");
  EXPECT_EQ (s->streams[0].client_rtcp_port, 6001);
}

TEST_F (LogicTest, SessionIdsDiffer)
{
  std::string a = setup_both ();
  std::string b = setup_both ();
  EXPECT_NE (a, b);
}

TEST_F (LogicTest, SetupTcpInterleaved)
{
  RtspResponse r = handle (request ("SETUP", std::string (kUrl) + "/stream=1",
          { { "Transport", "RTP/AVP/TCP;unicast;interleaved=4-5" } }));
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (*r.header ("Transport"), "RTP/AVP/TCP;unicast;interleaved=4-5;mode=\"PLAY\"");
  std::string id = session_of (r);
  /* Without interleaved= the server picks channels; a clash with stream 1 is refused. */
  r = handle (request ("SETUP", std::string (kUrl) + "/stream=0",
          { { "Transport", "RTP/AVP/TCP;unicast;interleaved=5-6" }, { "Session", id } }));
  EXPECT_EQ (r.code, 461);
  r = handle (request ("SETUP", std::string (kUrl) + "/stream=0",
          { { "Transport", "RTP/AVP/TCP;unicast" }, { "Session", id } }));
  EXPECT_EQ (r.code, 200);
  EXPECT_NE (r.header ("Transport")->find ("interleaved=0-1"), std::string::npos);
}

TEST_F (LogicTest, TransportChoiceAndRefusals)
{
  std::string stream0 = std::string (kUrl) + "/stream=0";
  EXPECT_EQ (handle (request ("SETUP", stream0)).code, 461);
  EXPECT_EQ (handle (request ("SETUP", stream0, { { "Transport", "RTP/AVP;multicast" } })).code,
      461);
  EXPECT_EQ (handle (request ("SETUP", stream0, { { "Transport", "RAW/RAW/UDP;unicast" } })).code,
      461);
  EXPECT_EQ (handle (request ("SETUP", stream0, { { "Transport", "RTP/AVP;unicast" } })).code, 461);
  EXPECT_EQ (handle (request ("SETUP", stream0, { { "Transport",
                      "RTP/AVP;unicast;client_port=6000-6001;mode=record" } })).code, 461);
  /* RTP never goes to a third party. */
  EXPECT_EQ (handle (request ("SETUP", stream0, { { "Transport",
                      "RTP/AVP;unicast;destination=10.1.2.3;client_port=6000-6001" } })).code,
      403);
  /* The first alternative we can serve wins. */
  RtspResponse r = handle (request ("SETUP", stream0, { { "Transport",
              "RTP/AVP;multicast,RTP/AVP/TCP;unicast;interleaved=0-1" } }));
  EXPECT_EQ (r.code, 200);
  EXPECT_NE (r.header ("Transport")->find ("TCP"), std::string::npos);
  /* Aggregate control URL with two streams. */
  EXPECT_EQ (handle (request ("SETUP", kUrl, { { "Transport",
                      "RTP/AVP;unicast;client_port=6000-6001" } })).code, 459);
}

TEST_F (LogicTest, PlayPauseTeardownDriveTheMedia)
{
  std::string id = setup_both ();
  RtspResponse r = handle (request ("PLAY", kUrl, { { "Session", id } }));
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (*r.header ("Range"), "npt=now-");
  EXPECT_EQ (*r.header ("RTP-Info"), std::string ("url=") + kUrl
      + "/stream=0;seq=1234;rtptime=987654,url=" + kUrl + "/stream=1");
  EXPECT_EQ (logic.playing_sessions (), 1u);
  /* PLAY again is fine and does not add the client twice. */
  EXPECT_EQ (handle (request ("PLAY", kUrl, { { "Session", id } })).code, 200);
  EXPECT_EQ (handle (request ("SETUP", std::string (kUrl) + "/stream=0",
              { { "Transport", "RTP/AVP;unicast;client_port=7000-7001" },
                { "Session", id } })).code, 455);
  EXPECT_EQ (handle (request ("PLAY", std::string (kUrl) + "/stream=0",
              { { "Session", id } })).code, 460);
  EXPECT_EQ (handle (request ("PAUSE", kUrl, { { "Session", id } })).code, 200);
  EXPECT_EQ (handle (request ("PAUSE", kUrl, { { "Session", id } })).code, 200);
  EXPECT_EQ (logic.playing_sessions (), 0u);
  EXPECT_EQ (handle (request ("TEARDOWN", kUrl, { { "Session", id } })).code, 200);
  EXPECT_EQ (handle (request ("PLAY", kUrl, { { "Session", id } })).code, 454);
  std::vector<std::string> expected = { "play " + id, "pause " + id, "teardown " + id };
  EXPECT_EQ (media.events, expected);
}

TEST_F (LogicTest, OutOfOrderAndForeignSessions)
{
  EXPECT_EQ (handle (request ("PLAY", kUrl)).code, 455);
  EXPECT_EQ (handle (request ("PAUSE", kUrl)).code, 455);
  EXPECT_EQ (handle (request ("TEARDOWN", kUrl)).code, 455);
  EXPECT_EQ (handle (request ("PLAY", kUrl, { { "Session", "0123456789abcdef" } })).code, 454);
  std::string id = setup_both ();
  /* Another connection cannot use, nor tear down, this session. */
  EXPECT_EQ (logic.handle (request ("PLAY", kUrl, { { "Session", id } }), other, 0).code, 454);
  EXPECT_EQ (logic.handle (request ("TEARDOWN", kUrl, { { "Session", id } }), other, 0).code, 454);
  EXPECT_EQ (logic.handle (request ("GET_PARAMETER", kUrl, { { "Session", id } }), other, 0).code,
      454);
  EXPECT_NE (logic.find_session (id), nullptr);
}

TEST_F (LogicTest, MaxSessionsIs503)
{
  setup_both ();
  setup_both ();
  EXPECT_EQ (handle (request ("SETUP", std::string (kUrl) + "/stream=0",
              { { "Transport", "RTP/AVP;unicast;client_port=6000-6001" } })).code, 503);
}

TEST_F (LogicTest, SessionTimeoutAndKeepAlives)
{
  std::string id = setup_both ();
  handle (request ("PLAY", kUrl, { { "Session", id } }), 0);
  const int64_t s = G_USEC_PER_SEC;
  EXPECT_EQ (logic.expire (9 * s), 0u);
  /* RTCP from the client's RTCP port, then GET_PARAMETER, then OPTIONS keep it alive. */
  logic.touch_rtcp (0, "127.0.0.1", 6001, 9 * s);
  EXPECT_EQ (logic.expire (18 * s), 0u);
  EXPECT_EQ (handle (request ("GET_PARAMETER", kUrl, { { "Session", id } }), 18 * s).code, 200);
  EXPECT_EQ (logic.expire (27 * s), 0u);
  handle (request ("OPTIONS", "*", { { "Session", id } }), 27 * s);
  logic.touch_rtcp (0, "127.0.0.2", 6001, 36 * s);    // someone else's report
  EXPECT_EQ (logic.expire (36 * s), 0u);
  EXPECT_EQ (logic.expire (38 * s), 1u);
  EXPECT_EQ (logic.find_session (id), nullptr);
  EXPECT_EQ (media.events.back (), "teardown " + id);
}

TEST_F (LogicTest, ClosingTheConnectionEndsItsSessions)
{
  std::string id = setup_both ();
  logic.handle (request ("SETUP", std::string (kUrl) + "/stream=0",
          { { "Transport", "RTP/AVP;unicast;client_port=6000-6001" } }), other, 0);
  EXPECT_EQ (logic.session_count (), 2u);
  EXPECT_TRUE (logic.connection_has_session (conn.id));
  logic.connection_closed (conn);
  EXPECT_EQ (logic.session_count (), 1u);
  EXPECT_EQ (logic.find_session (id), nullptr);
  EXPECT_FALSE (logic.connection_has_session (conn.id));
}

TEST_F (LogicTest, ParametersAreOnlyKeepAlives)
{
  EXPECT_EQ (handle (request ("GET_PARAMETER", kUrl)).code, 200);
  RtspRequest set = request ("SET_PARAMETER", kUrl);
  set.body = "volume: 5\r\n";
  EXPECT_EQ (handle (set).code, 451);
}

class AuthTest : public ::testing::Test {
protected:
  AuthTest () : logic (config (), media) {
    conn.id = 1;
    conn.peer_host = "127.0.0.1";
  }
  static RtspServerLogic::Config config (bool basic = false) {
    RtspServerLogic::Config c;
    c.user = "alice";
    c.password = "s3cret";
    c.auth_basic = basic;
    return c;
  }
  std::string digest (const std::string & method, const std::string & password,
      const std::string & nonce) {
    gchar *response = gst_rtsp_generate_digest_auth_response (nullptr, method.c_str (),
        "meetstream", "alice", password.c_str (), kUrl, nonce.c_str ());
    std::string header = std::string ("Digest username=\"alice\", realm=\"meetstream\", "
        "nonce=\"") + nonce + "\", uri=\"" + kUrl + "\", response=\"" + response + "\"";
    g_free (response);
    return header;
  }
  FakeMedia media;
  RtspServerLogic logic;
  RtspConnectionContext conn;
};

TEST_F (AuthTest, DigestChallengeAndResponse)
{
  EXPECT_EQ (logic.handle (request ("OPTIONS", "*"), conn, 0).code, 200);
  RtspResponse r = logic.handle (request ("DESCRIBE", kUrl), conn, 0);
  ASSERT_EQ (r.code, 401);
  const std::string *challenge = r.header ("WWW-Authenticate");
  ASSERT_NE (challenge, nullptr);
  EXPECT_EQ (challenge->rfind ("Digest realm=\"meetstream\", nonce=\"", 0), 0u);
  std::string nonce = conn.digest_nonce;
  EXPECT_EQ (nonce.size (), 32u);

  EXPECT_EQ (logic.handle (request ("DESCRIBE", kUrl, { { "Authorization",
                      digest ("DESCRIBE", "s3cret", nonce) } }), conn, 0).code, 200);
  EXPECT_EQ (logic.handle (request ("DESCRIBE", kUrl, { { "Authorization",
                      digest ("DESCRIBE", "wrong", nonce) } }), conn, 0).code, 401);
  /* The nonce of an old challenge no longer counts. */
  EXPECT_EQ (logic.handle (request ("DESCRIBE", kUrl, { { "Authorization",
                      digest ("DESCRIBE", "s3cret", nonce) } }), conn, 0).code, 401);
  /* Basic is refused unless enabled. */
  EXPECT_EQ (logic.handle (request ("DESCRIBE", kUrl, { { "Authorization",
                      "Basic YWxpY2U6czNjcmV0" } }), conn, 0).code, 401);
}

TEST (Auth, BasicWhenEnabled)
{
  FakeMedia media;
  RtspServerLogic::Config c;
  c.user = "alice";
  c.password = "s3cret";
  c.auth_basic = true;
  RtspServerLogic logic (c, media);
  RtspConnectionContext conn;
  RtspResponse r = logic.handle (request ("DESCRIBE", kUrl), conn, 0);
  EXPECT_EQ (r.code, 401);
  int challenges = 0;
  for (auto & h : r.headers)
    challenges += h.first == "WWW-Authenticate";
  EXPECT_EQ (challenges, 2);
  EXPECT_EQ (logic.handle (request ("DESCRIBE", kUrl, { { "Authorization",
                      "Basic YWxpY2U6czNjcmV0" } }), conn, 0).code, 200);
  EXPECT_EQ (logic.handle (request ("DESCRIBE", kUrl, { { "Authorization",
                      "Basic YWxpY2U6d3Jvbmc=" } }), conn, 0).code, 401);
}

TEST (Random, HexOfRequestedLength)
{
  std::string a = meet::rtsp_random_hex (16), b = meet::rtsp_random_hex (16);
  EXPECT_EQ (a.size (), 32u);
  EXPECT_NE (a, b);
  EXPECT_EQ (a.find_first_not_of ("0123456789abcdef"), std::string::npos);
}

TEST (FuzzEntry, HandlesSessionsAndGarbage)
{
  std::string script = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"
      "SETUP rtsp://h/meet/stream=0 RTSP/1.0\r\nCSeq: 2\r\n"
      "Transport: RTP/AVP;unicast;client_port=1-2\r\n\r\n"
      "PLAY rtsp://h/meet RTSP/1.0\r\nCSeq: 3\r\n\r\n"
      "\x01\x02garbage\r\n\r\n";
  std::string out = meet::rtsp_server_handle_bytes (
      reinterpret_cast<const uint8_t *> (script.data ()), script.size ());
  EXPECT_EQ (out.rfind ("RTSP/1.0 200 OK\r\nCSeq: 1", 0), 0u) << out;
  EXPECT_NE (out.find ("RTSP/1.0 455"), std::string::npos) << out;
  EXPECT_NE (out.find ("RTSP/1.0 400"), std::string::npos) << out;
  EXPECT_EQ (meet::rtsp_server_handle_bytes (nullptr, 0), "");
}
