/* Unit tests of meetrtspsrc's plain parts in plugins/meet/rtsp/client (no sockets): the roster
 * and the answers to a server's own requests, RtspClientLogic's roster walk, the reconnect
 * backoff, the transport fallback on silence and the reception statistics. */
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include <gst/gst.h>

#include <string>
#include <vector>

#include "receptionstats.h"
#include "reconnectpolicy.h"
#include "roster.h"
#include "rtspclientlogic.h"
#include "transportfallback.h"

using meet::RtspClientLogic;
using Event = RtspClientLogic::Event;
using State = RtspClientLogic::State;
using Names = std::vector<std::string>;

namespace {

Event
feed (RtspClientLogic &logic, const std::string &text)
{
  return logic.handle_raw_response (reinterpret_cast<const uint8_t *> (text.data ()), text.size ());
}

std::string
ok (const std::string &extra = "", const std::string &body = "")
{
  std::string r = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n" + extra;
  if (!body.empty ())
    r += "Content-Length: " + std::to_string (body.size ()) + "\r\n";
  return r + "\r\n" + body;
}

const char *kSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Meeting\r\nt=0 0\r\na=control:*\r\n"
    "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n";

/* OPTIONS, DESCRIBE, SETUP (TCP), PLAY of @location; returns the logic playing. */
void
play (RtspClientLogic &logic, const std::string &location, bool ask_roster = true,
    const std::string &methods = "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER")
{
  ASSERT_TRUE (logic.set_location (location));
  logic.set_allowed_transports (false, true);
  logic.set_ask_roster (ask_roster);
  logic.set_target (State::Playing);
  ASSERT_EQ (logic.next_request ()->method, GST_RTSP_OPTIONS);
  feed (logic, ok ("Public: " + methods + "\r\n"));
  ASSERT_EQ (logic.next_request ()->method, GST_RTSP_DESCRIBE);
  ASSERT_EQ (feed (logic, ok ("Content-Type: application/sdp\r\nContent-Base: " + location + "/\r\n",
              kSdp)), Event::Described);
  ASSERT_EQ (logic.next_request ()->method, GST_RTSP_SETUP);
  ASSERT_EQ (feed (logic, ok ("Session: abc;timeout=30\r\n"
              "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")), Event::SetupDone);
  ASSERT_EQ (logic.next_request ()->method, GST_RTSP_PLAY);
  ASSERT_EQ (feed (logic, ok ("Session: abc\r\n")), Event::Playing);
}

std::string
header_of (const meet::RtspClientRequest &request, const std::string &name)
{
  for (const auto &h : request.headers)
    if (h.first == name)
      return h.second;
  return "";
}

}  // namespace

TEST (Roster, ParsesParticipantsLine)
{
  EXPECT_EQ (meet::parse_participants ("participants: alice,bob\r\n"), Names ({"alice", "bob"}));
  EXPECT_EQ (meet::parse_participants ("participants: \r\n"), Names ());
  EXPECT_EQ (meet::parse_participants ("participants:"), Names ());
  EXPECT_EQ (meet::parse_participants ("other: 1\nParticipants:  a , ,b ,\n"), Names ({"a", "b"}));
  EXPECT_FALSE (meet::parse_participants (""));
  EXPECT_FALSE (meet::parse_participants ("participants\r\n"));
  EXPECT_FALSE (meet::parse_participants ("speakers: a,b\r\n"));
}

TEST (Roster, BoundsHostileInput)
{
  std::string many = "participants: ";
  for (int i = 0; i < 5000; i++)
    many += "n" + std::to_string (i) + ",";
  EXPECT_EQ (meet::parse_participants (many)->size (), meet::kMaxRosterNames);
  std::string longname = "participants: " + std::string (10000, 'x') + ",ok";
  EXPECT_EQ (meet::parse_participants (longname), Names ({"ok"}));
  std::string nul = std::string ("participants: a\0b,c", 19);
  EXPECT_EQ (meet::parse_participants (nul), Names ({"c"}));
}

TEST (Roster, UrisArePathThenParent)
{
  EXPECT_EQ (meet::roster_uris ("rtsp://h:1/meet/", "rtsp://h:1/meet"), Names ({"rtsp://h:1/meet"}));
  EXPECT_EQ (meet::roster_uris ("rtsp://h:1/meet/bob/", "rtsp://h:1/meet/bob"),
      Names ({"rtsp://h:1/meet/bob", "rtsp://h:1/meet"}));
  EXPECT_EQ (meet::roster_uris ("", "rtsp://h:1/a/b/c"), Names ({"rtsp://h:1/a/b/c", "rtsp://h:1/a/b"}));
  EXPECT_EQ (meet::roster_uris ("rtsp://h:1/", "rtsp://h:1/"), Names ({"rtsp://h:1"}));
}

TEST (Roster, UpdateSaysWhetherItChanged)
{
  meet::Roster roster;
  EXPECT_FALSE (roster.update ({}));
  EXPECT_TRUE (roster.update ({"a"}));
  EXPECT_FALSE (roster.update ({"a"}));
  EXPECT_TRUE (roster.update ({"a", "b"}));
  EXPECT_TRUE (roster.update ({"b", "a"}));   /* join order is part of the roster */
  EXPECT_EQ (roster.names (), Names ({"b", "a"}));
  EXPECT_TRUE (roster.clear ());
  EXPECT_FALSE (roster.clear ());
}

TEST (ServerRequests, AnswersNeverEndTheSession)
{
  auto push = meet::answer_server_request ("SET_PARAMETER", "text/parameters",
      "participants: alice\r\n");
  EXPECT_EQ (push.code, 200);
  ASSERT_TRUE (push.participants);
  EXPECT_EQ (*push.participants, Names ({"alice"}));

  auto empty = meet::answer_server_request ("SET_PARAMETER", "text/parameters; charset=utf-8",
      "participants: \r\n");
  ASSERT_TRUE (empty.participants);
  EXPECT_TRUE (empty.participants->empty ());

  auto options = meet::answer_server_request ("OPTIONS", "", "");
  EXPECT_EQ (options.code, 200);
  EXPECT_TRUE (options.add_public);
  EXPECT_EQ (meet::answer_server_request ("GET_PARAMETER", "", "").code, 200);
  EXPECT_EQ (meet::answer_server_request ("GET_PARAMETER", "text/parameters", "volume\r\n").code, 451);
  EXPECT_EQ (meet::answer_server_request ("SET_PARAMETER", "", "").code, 200);
  EXPECT_EQ (meet::answer_server_request ("SET_PARAMETER", "text/parameters", "x: 1\r\n").code, 451);
  /* A roster in another type is not taken. */
  EXPECT_FALSE (meet::answer_server_request ("SET_PARAMETER", "text/plain",
          "participants: a\r\n").participants);
  auto announce = meet::answer_server_request ("ANNOUNCE", "text/parameters", "participants: a,b");
  EXPECT_EQ (announce.code, 200);
  EXPECT_EQ (*announce.participants, Names ({"a", "b"}));
  EXPECT_EQ (meet::answer_server_request ("ANNOUNCE", "application/sdp", "v=0\r\n").code, 501);
  EXPECT_EQ (meet::answer_server_request ("REDIRECT", "", "").code, 501);
  EXPECT_EQ (meet::answer_server_request ("", "", "").code, 501);
}

TEST (LogicRoster, AskedOnceAfterPlay)
{
  RtspClientLogic logic;
  play (logic, "rtsp://127.0.0.1:8554/meet");
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_GET_PARAMETER);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/meet");
  EXPECT_EQ (r->body, "participants\r\n");
  EXPECT_EQ (header_of (*r, "Content-Type"), "text/parameters");
  EXPECT_EQ (header_of (*r, "Session"), "abc");
  EXPECT_EQ (feed (logic, ok ("Content-Type: text/parameters\r\n", "participants: alice,bob\r\n")),
      Event::RosterAnswered);
  EXPECT_EQ (logic.roster (), Names ({"alice", "bob"}));
  EXPECT_FALSE (logic.next_request ());
  EXPECT_EQ (logic.state (), State::Playing);
}

TEST (LogicRoster, ServerWithoutRosterIsNoError)
{
  RtspClientLogic logic;
  play (logic, "rtsp://127.0.0.1:8554/test");
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_GET_PARAMETER);
  EXPECT_EQ (feed (logic, "RTSP/1.0 451 Parameter Not Understood\r\nCSeq: 5\r\n\r\n"), Event::None);
  EXPECT_FALSE (logic.next_request ());
  EXPECT_EQ (logic.state (), State::Playing);
  EXPECT_TRUE (logic.roster ().empty ());
  /* 454, or 200 with something else, are no error either. */
  RtspClientLogic other;
  play (other, "rtsp://127.0.0.1:8554/test");
  ASSERT_TRUE (other.next_request ());
  EXPECT_EQ (feed (other, ok ("Content-Type: text/plain\r\n", "hello")), Event::None);
  EXPECT_FALSE (other.next_request ());
  EXPECT_EQ (other.state (), State::Playing);
}

TEST (LogicRoster, ReaderOfANameAsksTheParentPath)
{
  RtspClientLogic logic;
  play (logic, "rtsp://127.0.0.1:8554/meet/bob");
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/meet/bob");
  EXPECT_EQ (feed (logic, "RTSP/1.0 451 Parameter Not Understood\r\nCSeq: 5\r\n\r\n"), Event::None);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->uri, "rtsp://127.0.0.1:8554/meet");
  EXPECT_EQ (feed (logic, ok ("Content-Type: text/parameters\r\n", "participants: bob\r\n")),
      Event::RosterAnswered);
  EXPECT_EQ (logic.roster (), Names ({"bob"}));
}

TEST (LogicRoster, AskedAgainAfterReconnectNotWhenOff)
{
  RtspClientLogic logic;
  play (logic, "rtsp://127.0.0.1:8554/meet");
  ASSERT_TRUE (logic.next_request ());
  feed (logic, ok ("Content-Type: text/parameters\r\n", "participants: a\r\n"));
  logic.reset_session ();
  logic.set_target (State::Playing);
  /* The walk starts over with OPTIONS; after the new PLAY the roster is asked again. */
  play (logic, "rtsp://127.0.0.1:8554/meet");
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_GET_PARAMETER);

  /* Not asked for (meetrtspclientsink's walk is unchanged): nothing after PLAY. */
  RtspClientLogic quiet;
  play (quiet, "rtsp://127.0.0.1:8554/meet", false);
  EXPECT_FALSE (quiet.next_request ());
  /* A server that does not list GET_PARAMETER is not asked. */
  RtspClientLogic plain;
  play (plain, "rtsp://127.0.0.1:8554/meet", true, "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN");
  EXPECT_FALSE (plain.next_request ());
}

TEST (ReconnectPolicy, BacksOffThenGivesUp)
{
  meet::ReconnectPolicy policy (250, 8000);
  policy.set_retries (8);
  std::vector<unsigned> delays;
  for (int i = 0; i < 8; i++) {
    auto d = policy.lost ();
    ASSERT_FALSE (d.give_up);
    EXPECT_EQ (d.attempt, unsigned (i + 1));
    delays.push_back (d.delay_ms);
  }
  EXPECT_EQ (delays, (std::vector<unsigned> {250, 500, 1000, 2000, 4000, 8000, 8000, 8000}));
  EXPECT_TRUE (policy.lost ().give_up);
  /* A session that plays again starts over. */
  policy.succeeded ();
  EXPECT_EQ (policy.lost ().delay_ms, 250u);

  meet::ReconnectPolicy none;
  none.set_retries (0);
  EXPECT_TRUE (none.lost ().give_up);
}

TEST (ReconnectPolicy, SentencesNameWhatHappened)
{
  meet::ReconnectPolicy policy;
  policy.set_retries (2);
  auto d = policy.lost ();
  EXPECT_EQ (policy.warning ("rtsp://h:1/x", "the server closed the connection", d),
      "Cannot reach the RTSP server at rtsp://h:1/x: the server closed the connection; "
      "reconnecting in 250 ms (attempt 1 of 2).");
  policy.connected ();
  std::string message = policy.give_up_message ("rtsp://h:1/x", "no data for 5000 ms");
  EXPECT_EQ (message, "Lost the RTSP server at rtsp://h:1/x: no data for 5000 ms. Gave up after 2 "
      "reconnect attempts. Check that the server runs and the host and port are right.");
  policy.reset ();
  EXPECT_FALSE (policy.ever_connected ());
  EXPECT_EQ (policy.attempts (), 0u);
}

using meet::RtspLowerTransport;
using Verdict = meet::TransportFallback::Verdict;

TEST (TransportFallback, OrderAndNext)
{
  meet::TransportFallback f;
  f.set_allowed (true, true);
  EXPECT_EQ (f.first (), RtspLowerTransport::Udp);
  EXPECT_EQ (f.next_after (RtspLowerTransport::Udp), RtspLowerTransport::Tcp);
  EXPECT_FALSE (f.next_after (RtspLowerTransport::Tcp));
  f.set_allowed (false, true);
  EXPECT_EQ (f.first (), RtspLowerTransport::Tcp);
  EXPECT_FALSE (f.allows (RtspLowerTransport::Udp));
  f.set_allowed (false, false);         /* nothing set: UDP */
  EXPECT_EQ (f.allowed (), (std::vector<RtspLowerTransport> {RtspLowerTransport::Udp}));
}

TEST (TransportFallback, SilenceSwitchesOnlyWhenNothingEverCame)
{
  meet::TransportFallback f;
  f.set_allowed (true, true);
  const int64_t s = 1000000;
  f.playing (10 * s);
  EXPECT_EQ (f.check (11 * s, 0, 2000, RtspLowerTransport::Udp), Verdict::Fine);
  EXPECT_EQ (f.check (12 * s + 1, 0, 2000, RtspLowerTransport::Udp), Verdict::Switch);
  EXPECT_EQ (f.switch_to (), RtspLowerTransport::Tcp);
  /* Data that stops means the server is gone. */
  f.playing (20 * s);
  EXPECT_EQ (f.check (21 * s, 20 * s + 500000, 2000, RtspLowerTransport::Udp), Verdict::Fine);
  EXPECT_TRUE (f.got_data ());
  EXPECT_EQ (f.check (23 * s, 20 * s + 500000, 2000, RtspLowerTransport::Udp), Verdict::Lost);
  /* Packets of an earlier session do not count. */
  f.playing (30 * s);
  EXPECT_EQ (f.check (33 * s, 29 * s, 2000, RtspLowerTransport::Udp), Verdict::Switch);
  /* Silence over TCP, or with nothing left to try: lost. */
  f.playing (40 * s);
  EXPECT_EQ (f.check (43 * s, 0, 2000, RtspLowerTransport::Tcp), Verdict::Lost);
  f.set_allowed (true, false);
  f.playing (50 * s);
  EXPECT_EQ (f.check (53 * s, 0, 2000, RtspLowerTransport::Udp), Verdict::Lost);
  EXPECT_EQ (meet::TransportFallback::switch_message ("rtsp://h/x", 1500, RtspLowerTransport::Udp,
          RtspLowerTransport::Tcp), "No UDP data from rtsp://h/x within 1500 ms; switching to RTP over TCP.");
}

namespace {

GstStructure *
source (bool internal, int lost, unsigned jitter)
{
  return gst_structure_new ("application/x-rtp-source-stats", "internal", G_TYPE_BOOLEAN, internal,
      "packets-lost", G_TYPE_INT, lost, "jitter", G_TYPE_UINT, jitter, nullptr);
}

}  // namespace

TEST (ReceptionStats, SummarizesRemoteSources)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
  GValueArray *array = g_value_array_new (3);
  for (GstStructure *s : {source (true, 50, 900), source (false, 3, 10), source (false, -2, 40)}) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, s);
    g_value_array_append (array, &v);
    g_value_unset (&v);
  }
  GstStructure *session = gst_structure_new_empty ("application/x-rtp-session-stats");
  GValue arr = G_VALUE_INIT;
  g_value_init (&arr, g_value_array_get_type ());
  g_value_take_boxed (&arr, array);
  gst_structure_take_value (session, "source-stats", &arr);
  G_GNUC_END_IGNORE_DEPRECATIONS;

  meet::StreamReception stream;
  stream.id = 1;
  meet::summarize_session_stats (session, stream);
  EXPECT_EQ (stream.lost, 3);           /* the internal source and a negative count left out */
  EXPECT_EQ (stream.jitter, 40u);
  gst_structure_free (session);
  /* Nothing to read: nothing added. */
  meet::summarize_session_stats (nullptr, stream);
  GstStructure *empty = gst_structure_new_empty ("x");
  meet::summarize_session_stats (empty, stream);
  gst_structure_free (empty);
  EXPECT_EQ (stream.lost, 3);
}

TEST (ReceptionStats, BuildsTotalsAndStreams)
{
  meet::StreamReception a, b;
  a.id = 0;
  a.packets = 10;
  a.bytes = 1000;
  a.lost = 1;
  a.jitter = 7;
  b.id = 1;
  b.packets = 5;
  b.bytes = 50;
  GstStructure *stats = meet::build_reception_stats ({a, b});
  guint streams = 0;
  guint64 packets = 0, bytes = 0;
  gint64 lost = 0;
  ASSERT_TRUE (gst_structure_get_uint (stats, "streams", &streams));
  ASSERT_TRUE (gst_structure_get_uint64 (stats, "packets-received", &packets));
  ASSERT_TRUE (gst_structure_get_uint64 (stats, "bytes-received", &bytes));
  ASSERT_TRUE (gst_structure_get_int64 (stats, "packets-lost", &lost));
  EXPECT_EQ (streams, 2u);
  EXPECT_EQ (packets, 15u);
  EXPECT_EQ (bytes, 1050u);
  EXPECT_EQ (lost, 1);
  const GValue *v = gst_structure_get_value (stats, "stream-0");
  ASSERT_TRUE (v && GST_VALUE_HOLDS_STRUCTURE (v));
  guint jitter = 0;
  EXPECT_TRUE (gst_structure_get_uint (gst_value_get_structure (v), "jitter", &jitter));
  EXPECT_EQ (jitter, 7u);
  EXPECT_TRUE (gst_structure_has_field (stats, "stream-1"));
  gst_structure_free (stats);
}

namespace {

/* OPTIONS and DESCRIBE of a one-stream session with multicast first; returns the SETUP. */
meet::RtspClientRequest
describe_multicast (RtspClientLogic &logic, bool udp, bool tcp)
{
  EXPECT_TRUE (logic.set_location ("rtsp://10.77.0.1:8554/test"));
  logic.set_allowed_transports (udp, tcp, true);
  EXPECT_EQ (logic.transport (), RtspLowerTransport::UdpMulticast);
  logic.set_target (State::Playing);
  logic.next_request ();
  feed (logic, ok ());
  logic.next_request ();
  EXPECT_EQ (feed (logic, ok ("Content-Type: application/sdp\r\nContent-Base: rtsp://10.77.0.1:8554/test/\r\n",
              kSdp)), Event::Described);
  auto r = logic.next_request ();
  EXPECT_TRUE (r);
  return r ? *r : meet::RtspClientRequest ();
}

}  // namespace

TEST (LogicMulticast, SetupTakesTheServersGroup)
{
  RtspClientLogic logic;
  auto setup = describe_multicast (logic, true, true);
  EXPECT_EQ (setup.method, GST_RTSP_SETUP);
  EXPECT_EQ (header_of (setup, "Transport"), "RTP/AVP;multicast");
  EXPECT_EQ (feed (logic, ok ("Session: s1\r\nTransport: RTP/AVP;multicast;destination=239.255.42.7;"
              "port=5002-5003;ttl=4\r\n")), Event::SetupDone) << logic.error ();
  const meet::RtspClientStream &stream = logic.streams ()[0];
  EXPECT_EQ (stream.transport, RtspLowerTransport::UdpMulticast);
  EXPECT_EQ (stream.destination, "239.255.42.7");
  EXPECT_EQ (stream.server_rtp_port, 5002);
  EXPECT_EQ (stream.server_rtcp_port, 5003);
  EXPECT_EQ (stream.ttl, 4u);
  EXPECT_EQ (logic.next_request ()->method, GST_RTSP_PLAY);
}

TEST (LogicMulticast, RefusedOrNotOfferedFallsBackToUnicast)
{
  RtspClientLogic refused;
  describe_multicast (refused, true, true);
  EXPECT_EQ (feed (refused, "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 3\r\n\r\n"),
      Event::TransportFallback);
  EXPECT_EQ (refused.transport (), RtspLowerTransport::Udp);
  refused.set_client_ports (0, 6000, 6001);
  EXPECT_EQ (header_of (*refused.next_request (), "Transport"),
      "RTP/AVP;unicast;client_port=6000-6001");

  /* udp-mcast+tcp: straight to TCP. */
  RtspClientLogic tcp;
  describe_multicast (tcp, false, true);
  EXPECT_EQ (feed (tcp, "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 3\r\n\r\n"),
      Event::TransportFallback);
  EXPECT_EQ (tcp.transport (), RtspLowerTransport::Tcp);

  /* A server that answers a multicast request with unicast. */
  RtspClientLogic unicast;
  describe_multicast (unicast, true, false);
  EXPECT_EQ (feed (unicast, ok ("Session: s1\r\nTransport: RTP/AVP;unicast;server_port=7000-7001\r\n")),
      Event::TransportFallback);
  EXPECT_EQ (unicast.transport (), RtspLowerTransport::Udp);

  /* Multicast only: refused is an error that says so. */
  RtspClientLogic only;
  describe_multicast (only, false, false);
  EXPECT_EQ (feed (only, "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 3\r\n\r\n"), Event::Failed);
  EXPECT_NE (only.error ().find ("protocols=udp-mcast+udp+tcp"), std::string::npos) << only.error ();
}

TEST (LogicMulticast, DestinationMustBeAGroup)
{
  for (const char *bad : {"destination=10.0.0.5;port=5000-5001", "port=5000-5001",
          "destination=239.1.1.1;port=0-1", "destination=nonsense;port=5000-5001"}) {
    RtspClientLogic logic;
    describe_multicast (logic, true, true);
    EXPECT_EQ (feed (logic, ok (std::string ("Session: s1\r\nTransport: RTP/AVP;multicast;") + bad +
                "\r\n")), Event::Failed) << bad;
  }
}

TEST (TransportFallback, MulticastThenUnicast)
{
  meet::TransportFallback f;
  f.set_allowed (true, true, true);
  EXPECT_EQ (f.allowed (), (std::vector<RtspLowerTransport> {RtspLowerTransport::UdpMulticast,
              RtspLowerTransport::Udp, RtspLowerTransport::Tcp}));
  const int64_t s = 1000000;
  f.playing (10 * s);
  EXPECT_EQ (f.check (14 * s, 0, 3000, RtspLowerTransport::UdpMulticast), Verdict::Switch);
  EXPECT_EQ (f.switch_to (), RtspLowerTransport::Udp);
  f.set_allowed (false, true, true);
  f.playing (20 * s);
  EXPECT_EQ (f.check (24 * s, 0, 3000, RtspLowerTransport::UdpMulticast), Verdict::Switch);
  EXPECT_EQ (f.switch_to (), RtspLowerTransport::Tcp);
  f.set_allowed (false, false, true);
  EXPECT_EQ (f.allowed (), (std::vector<RtspLowerTransport> {RtspLowerTransport::UdpMulticast}));
  f.playing (30 * s);
  EXPECT_EQ (f.check (34 * s, 0, 3000, RtspLowerTransport::UdpMulticast), Verdict::Lost);
  std::string message = meet::TransportFallback::switch_message ("rtsp://h/x", 3000,
      RtspLowerTransport::UdpMulticast, RtspLowerTransport::Udp);
  EXPECT_NE (message.find ("No multicast data from rtsp://h/x within 3000 ms; switching to unicast UDP."),
      std::string::npos) << message;
  EXPECT_NE (message.find ("firewall"), std::string::npos) << message;
}

TEST (LogicRoster, ServerHangingUpOnTheQuestionIsNotAskedAgain)
{
  RtspClientLogic logic;
  play (logic, "rtsp://127.0.0.1:8554/cam");
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  ASSERT_EQ (r->method, GST_RTSP_GET_PARAMETER);
  /* The connection closes before the answer: the element reconnects. */
  logic.reset_session ();
  logic.set_target (State::Playing);
  play (logic, "rtsp://127.0.0.1:8554/cam");
  EXPECT_FALSE (logic.next_request ());
  EXPECT_EQ (logic.state (), State::Playing);
}
