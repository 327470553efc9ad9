/* Unit tests of publishing in meetrtspsink's server core, without sockets: participant names and
 * announced SDPs (meet::ParticipantRegistry), the ANNOUNCE/SETUP/RECORD state machine and roster
 * (meet::RtspServerLogic), and which connection makes room at the cap (meet::admit_connection). */
#include "connectionadmission.h"
#include "participants.h"
#include "rtspserverlogic.h"

#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include "rtsp_test_helpers.h"

#include <string>
#include <vector>

using namespace meet;
using meet_test::make;

namespace {

const char *kSdp = "v=0\r\no=- 0 0 IN IP4 10.0.0.2\r\ns=x\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=video 5000 RTP/AVP 26\r\na=control:streamid=0\r\n"
    "m=audio 5002 RTP/AVP 97\r\na=rtpmap:97 L16/16000/1\r\na=control:streamid=1\r\n";
const char *kBob = "rtsp://127.0.0.1:8554/meet/bob";

class FakeMedia : public meet_test::ParticipantMedia {
public:
  std::vector<std::string> events;
  void session_play (const RtspSession & s) override { events.push_back ("play " + s.name); }
  void session_teardown (const RtspSession & s) override {
    events.push_back ("teardown " + s.name);
  }
  void participant_record (const RtspSession & s) override { events.push_back ("record " + s.name); }
  void participant_close (const std::string & name) override {
    open.erase (name);
    events.push_back ("close " + name);
  }
};

class PublishTest : public ::testing::Test {
protected:
  PublishTest () : logic (config (), media) {
    for (uint64_t i = 0; i < 3; i++) {
      conn[i].id = i + 1;
      conn[i].peer_host = i == 2 ? "127.0.0.3" : "127.0.0.1";
      conn[i].local_host = "127.0.0.1";
    }
  }
  static RtspServerLogic::Config config () {
    RtspServerLogic::Config c;
    c.allow_publish = true;
    c.max_publishers = 2;
    return c;
  }
  RtspResponse announce (int c, const std::string & url = kBob, const std::string & sdp = kSdp,
      const std::string & type = "application/sdp") {
    return logic.handle (make ("ANNOUNCE", url, { { "Content-Type", type } }, sdp), conn[c], 0);
  }
  RtspResponse setup (int c, const std::string & url, const std::string & transport,
      const std::string & session = "") {
    std::vector<std::pair<std::string, std::string>> h = { { "Transport", transport } };
    if (!session.empty ())
      h.emplace_back ("Session", session);
    return logic.handle (make ("SETUP", url, h), conn[c], 0);
  }
  static std::string session_of (const RtspResponse & r) {
    const std::string *s = r.header ("Session");
    return s ? s->substr (0, s->find (';')) : std::string ();
  }
  /* A full publisher of bob on connection @c over TCP; returns its session. */
  std::string publish (int c) {
    EXPECT_EQ (announce (c).code, 200);
    RtspResponse r = setup (c, std::string (kBob) + "/streamid=0",
        "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
    EXPECT_EQ (r.code, 200);
    std::string id = session_of (r);
    EXPECT_EQ (setup (c, std::string (kBob) + "/streamid=1",
            "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record", id).code, 200);
    EXPECT_EQ (logic.handle (make ("RECORD", kBob, { { "Session", id } }), conn[c], 0).code, 200);
    return id;
  }
  FakeMedia media;
  RtspServerLogic logic;
  RtspConnectionContext conn[3];
};

TEST (ParticipantNames, Rules)
{
  EXPECT_TRUE (participant_name_valid ("bob"));
  EXPECT_TRUE (participant_name_valid ("a.b_c-9"));
  EXPECT_TRUE (participant_name_valid (std::string (64, 'x')));
  EXPECT_FALSE (participant_name_valid (std::string (65, 'x')));
  EXPECT_FALSE (participant_name_valid (""));
  EXPECT_FALSE (participant_name_valid ("."));
  EXPECT_FALSE (participant_name_valid (".."));
  EXPECT_FALSE (participant_name_valid ("stream=0"));
  EXPECT_FALSE (participant_name_valid ("a b"));
  EXPECT_FALSE (participant_name_valid ("a/b"));
}

TEST (AnnouncedSdp, RewritesControlsForReaders)
{
  AnnouncedSdp sdp = parse_announced_sdp (kSdp, 4, "127.0.0.1", "bob");
  ASSERT_EQ (sdp.error, 0);
  EXPECT_EQ (sdp.controls, (std::vector<std::string> { "streamid=0", "streamid=1" }));
  EXPECT_NE (sdp.reader_sdp.find ("a=control:stream=0"), std::string::npos);
  EXPECT_NE (sdp.reader_sdp.find ("a=control:stream=1"), std::string::npos);
  EXPECT_EQ (sdp.reader_sdp.find ("streamid"), std::string::npos);
  EXPECT_NE (sdp.reader_sdp.find ("a=rtpmap:97 L16/16000/1"), std::string::npos);
  /* The publisher's addresses and ports are not the readers' business. */
  EXPECT_EQ (sdp.reader_sdp.find ("10.0.0.2"), std::string::npos);
  EXPECT_NE (sdp.reader_sdp.find ("m=video 0 RTP/AVP 26"), std::string::npos);
}

TEST (AnnouncedSdp, RefusesUnusable)
{
  EXPECT_EQ (parse_announced_sdp ("", 4, "", "bob").error, 400);
  EXPECT_EQ (parse_announced_sdp ("v=0\r\ns=x\r\n", 4, "", "bob").error, 400);
  EXPECT_EQ (parse_announced_sdp ("v=0\r\nm=video 0 RTP/AVP 96\r\n", 4, "", "bob").error, 400);
  EXPECT_EQ (parse_announced_sdp ("v=0\r\nm=video 0 udp 26\r\n", 4, "", "bob").error, 400);
  EXPECT_EQ (parse_announced_sdp ("v=0\r\nm=video 0 RTP/AVP x\r\n", 4, "", "bob").error, 400);
  EXPECT_EQ (parse_announced_sdp ("v=0\r\nm=video 0 RTP/AVP 26\r\n", 4, "", "bob").error, 0);
  EXPECT_EQ (parse_announced_sdp (kSdp, 1, "", "bob").error, 453);
}

TEST (Roster, JoinOrder)
{
  ParticipantRegistry registry;
  Participant a, b;
  a.name = "alice";
  b.name = "bob";
  registry.add (a);
  registry.add (b);
  EXPECT_EQ (registry.roster_parameters (), "participants: \r\n");
  uint64_t version = registry.roster_version ();
  registry.start_recording (*registry.find ("bob"));
  registry.start_recording (*registry.find ("alice"));
  EXPECT_GT (registry.roster_version (), version);
  EXPECT_EQ (registry.roster_parameters (), "participants: bob,alice\r\n");
  registry.remove ("bob");
  EXPECT_EQ (registry.roster (), (std::vector<std::string> { "alice" }));
}

TEST_F (PublishTest, AnnounceSetupRecordThenReadAndEnd)
{
  std::string publisher = publish (0);
  EXPECT_EQ (media.events.back (), "record bob");
  /* A reader on another connection. */
  RtspResponse d = logic.handle (make ("DESCRIBE", kBob), conn[1], 0);
  ASSERT_EQ (d.code, 200);
  EXPECT_NE (d.body.find ("a=control:stream=1"), std::string::npos);
  RtspResponse r = setup (1, std::string (kBob) + "/stream=0",
      "RTP/AVP;unicast;client_port=7000-7001");
  ASSERT_EQ (r.code, 200);
  EXPECT_NE (r.header ("Transport")->find ("server_port=6000-6001"), std::string::npos);
  std::string reader = session_of (r);
  EXPECT_EQ (logic.handle (make ("PLAY", kBob, { { "Session", reader } }), conn[1], 0).code, 200);
  EXPECT_EQ (media.events.back (), "play bob");
  /* The publisher's connection closes: the reader's session ends with it. */
  logic.connection_closed (conn[0]);
  EXPECT_EQ (logic.find_session (reader), nullptr);
  EXPECT_EQ (logic.find_session (publisher), nullptr);
  EXPECT_EQ (logic.handle (make ("DESCRIBE", kBob), conn[1], 0).code, 404);
  EXPECT_EQ (media.open.count ("bob"), 0u);
}

TEST_F (PublishTest, Refusals)
{
  EXPECT_EQ (announce (0, kBob, kSdp, "text/plain").code, 415);
  EXPECT_EQ (announce (0, kBob, "garbage").code, 400);
  EXPECT_EQ (announce (0, "rtsp://127.0.0.1:8554/meet").code, 404);
  EXPECT_EQ (logic.handle (make ("RECORD", kBob), conn[0], 0).code, 455);
  ASSERT_EQ (announce (0).code, 200);
  /* Not announced by this connection's owner: someone else. */
  RtspResponse taken = announce (2);
  EXPECT_EQ (taken.code, 409);
  EXPECT_NE (taken.body.find ("bob is taken"), std::string::npos);
  RtspResponse first = setup (0, std::string (kBob) + "/streamid=0",
      "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
  ASSERT_EQ (first.code, 200);
  /* Channels 0-1 are the video's. */
  EXPECT_EQ (setup (0, std::string (kBob) + "/streamid=1",
          "RTP/AVP/TCP;unicast;interleaved=1-2;mode=record", session_of (first)).code, 461);
  /* A play transport on a stream being published. */
  EXPECT_EQ (setup (0, std::string (kBob) + "/streamid=1", "RTP/AVP/TCP;unicast;interleaved=4-5",
          session_of (first)).code, 461);
  EXPECT_EQ (logic.handle (make ("PLAY", kBob, { { "Session", session_of (first) } }), conn[0],
          0).code, 455);
  /* max_publishers = 2. */
  EXPECT_EQ (announce (1, "rtsp://127.0.0.1:8554/meet/carol").code, 200);
  EXPECT_EQ (announce (1, "rtsp://127.0.0.1:8554/meet/dave").code, 453);
}

TEST_F (PublishTest, SameOwnerTakesOver)
{
  std::string old_session = publish (0);
  /* Connection 1 is from the same address (no authentication): the same participant. */
  EXPECT_EQ (announce (1).code, 200);
  EXPECT_EQ (logic.find_session (old_session), nullptr);
  EXPECT_EQ (media.events.back (), "teardown bob");
}

TEST_F (PublishTest, PublishingOffIs405)
{
  FakeMedia other;
  RtspServerLogic readonly (RtspServerLogic::Config (), other);
  RtspResponse r = readonly.handle (make ("ANNOUNCE", kBob, { { "Content-Type",
                  "application/sdp" } }, kSdp), conn[0], 0);
  EXPECT_EQ (r.code, 405);
  ASSERT_NE (r.header ("Allow"), nullptr);
  EXPECT_EQ (r.header ("Allow")->find ("RECORD"), std::string::npos);
}

TEST_F (PublishTest, RosterOnGetParameter)
{
  RtspResponse r = logic.handle (make ("GET_PARAMETER", "rtsp://127.0.0.1:8554/meet",
          { { "Content-Type", "text/parameters" } }, "participants\r\n"), conn[1], 0);
  EXPECT_EQ (r.code, 200);
  EXPECT_EQ (r.body, "participants: \r\n");
  EXPECT_TRUE (conn[1].roster_subscriber);
  uint64_t version = logic.participants ().roster_version ();
  publish (0);
  EXPECT_NE (logic.participants ().roster_version (), version);
  EXPECT_EQ (logic.participants ().roster_parameters (), "participants: bob\r\n");
  EXPECT_EQ (logic.handle (make ("GET_PARAMETER", "rtsp://127.0.0.1:8554/meet", {}, "volume\r\n"),
          conn[1], 0).code, 451);
}

TEST_F (PublishTest, PublisherTimesOut)
{
  std::string id = publish (0);
  logic.touch_session (id, 30 * G_USEC_PER_SEC);
  EXPECT_EQ (logic.expire (60 * G_USEC_PER_SEC), 0u);
  EXPECT_GE (logic.expire (200 * G_USEC_PER_SEC), 1u);
  EXPECT_EQ (logic.participants ().size (), 0u);
}

TEST (Parser, SkipsClientResponsesAndExposesInterleaved)
{
  RtspRequestParser parser;
  static const char raw[] = "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Length: 2\r\n\r\nok"
      "$\x01\x00\x03" "abc" "OPTIONS * RTSP/1.0\r\nCSeq: 4\r\n\r\n";
  std::string bytes (raw, sizeof (raw) - 1);    // holds a NUL
  parser.feed (reinterpret_cast<const uint8_t *> (bytes.data ()), bytes.size ());
  RtspRequest request;
  int error = 0;
  uint8_t channel = 0;
  EXPECT_EQ (parser.next (request, error, channel), RtspRequestParser::Result::kResponse);
  EXPECT_EQ (parser.next (request, error, channel), RtspRequestParser::Result::kInterleaved);
  EXPECT_EQ (channel, 1);
  EXPECT_EQ (std::string (reinterpret_cast<const char *> (parser.interleaved_data ()),
          parser.interleaved_size ()), "abc");
  EXPECT_EQ (parser.next (request, error, channel), RtspRequestParser::Result::kRequest);
  EXPECT_EQ (request.method, "OPTIONS");
}

std::vector<ConnectionSummary>
crowd (const std::string & host, int n, int64_t start, uint64_t first_id)
{
  std::vector<ConnectionSummary> out;
  for (int i = 0; i < n; i++)
    out.push_back ({ first_id + i, host, start + i, false });
  return out;
}

TEST (Admission, RoomWhileBelowTheCap)
{
  AdmissionDecision d = admit_connection ("127.0.0.1", crowd ("127.0.0.2", 5, 0, 1), 10, 4);
  EXPECT_TRUE (d.accept);
  EXPECT_TRUE (d.close.empty ());
}

TEST (Admission, FlooderPaysForItsFlood)
{
  std::vector<ConnectionSummary> open = crowd ("127.0.0.2", 8, 100, 10);
  open.push_back ({ 1, "127.0.0.1", 0, false });     // older, idle, but from a modest host
  open.push_back ({ 2, "127.0.0.1", 1, true });      // playing
  AdmissionDecision d = admit_connection ("127.0.0.9", open, 10, 4);
  EXPECT_TRUE (d.accept);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 10 }));
}

TEST (Admission, OldestIdleWithoutFlooder)
{
  std::vector<ConnectionSummary> open = {
    { 1, "a", 5, true }, { 2, "b", 3, false }, { 3, "c", 1, false }, { 4, "d", 0, true } };
  AdmissionDecision d = admit_connection ("e", open, 4, 4);
  EXPECT_TRUE (d.accept);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 3 }));
}

TEST (Admission, SessionsAreNeverClosed)
{
  std::vector<ConnectionSummary> open = { { 1, "a", 0, true }, { 2, "a", 1, true } };
  AdmissionDecision d = admit_connection ("a", open, 2, 1);
  EXPECT_FALSE (d.accept);
  EXPECT_TRUE (d.close.empty ());
}

TEST (Admission, PerAddressCapActsBelowTheTotal)
{
  /* A slowloris from one address: its 5th idle connection pushes out its own oldest, long
   * before the total cap is near. */
  std::vector<ConnectionSummary> open = crowd ("127.0.0.2", 4, 100, 10);
  AdmissionDecision d = admit_connection ("127.0.0.2", open, 100, 4);
  EXPECT_TRUE (d.accept);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 10 }));
  /* A burst beyond its share is cut back to it at once, oldest first. */
  d = admit_connection ("127.0.0.2", crowd ("127.0.0.2", 7, 100, 10), 100, 4);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 10, 11, 12, 13 }));
  /* Another address is not affected by it. */
  d = admit_connection ("127.0.0.1", open, 100, 4);
  EXPECT_TRUE (d.accept);
  EXPECT_TRUE (d.close.empty ());
}

TEST (Admission, FreshConnectionsOfOneAddressGetTheirSecond)
{
  /* Clients behind one NAT connecting at once are not cut off before they can set up. */
  std::vector<ConnectionSummary> open = crowd ("127.0.0.2", 4, 100, 10);
  AdmissionDecision d = admit_connection ("127.0.0.2", open, 100, 4, 100 + kAdmissionGraceUs / 2);
  EXPECT_TRUE (d.accept);
  EXPECT_TRUE (d.close.empty ());
  d = admit_connection ("127.0.0.2", open, 100, 4, 100 + 2 * kAdmissionGraceUs);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 10 }));
  /* At the total cap the fresh ones still make room, the flood's first. */
  d = admit_connection ("127.0.0.3", open, 4, 4, 100 + kAdmissionGraceUs / 2);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 10 }));
}

TEST (Admission, PlayersOfAnAddressAreNeitherCountedNorClosed)
{
  std::vector<ConnectionSummary> open;
  for (uint64_t i = 0; i < 6; i++)
    open.push_back ({ i + 1, "127.0.0.1", static_cast<int64_t> (i), true });   // playing
  for (ConnectionSummary c : crowd ("127.0.0.1", 3, 50, 20))
    open.push_back (c);
  AdmissionDecision d = admit_connection ("127.0.0.1", open, 100, 4);
  EXPECT_TRUE (d.accept);
  EXPECT_TRUE (d.close.empty ());     // 3 idle: below its share of 4
  for (ConnectionSummary c : crowd ("127.0.0.1", 2, 60, 30))
    open.push_back (c);
  d = admit_connection ("127.0.0.1", open, 100, 4);
  EXPECT_EQ (d.close, (std::vector<uint64_t> { 20, 21 }));    // 5 idle: back to 3, room for 1
}

TEST (Admission, HalfOpenGoesBeforeIdle)
{
  ConnectionSummary half_open { 1, "a", 50, false };            // never finished a request
  ConnectionSummary idle { 2, "b", 0, false, true, false, 10 };  // answered, silent since 10
  ConnectionSummary busy { 3, "c", 1, false, true, false, 90 };  // answered, active at 90
  ConnectionSummary trickling { 5, "e", 0, false, true, true, 99 };     // half-way through one
  ConnectionSummary set_up { 4, "d", 0, true };                  // has a session
  ConnectionSummary playing { 6, "f", 0, true };
  std::vector<ConnectionSummary> open { half_open, idle, busy, set_up, trickling, playing };
  std::vector<uint64_t> order;
  while (true) {
    AdmissionDecision d = admit_connection ("z", open, open.size (), 100);
    if (!d.accept)
      break;
    ASSERT_EQ (d.close.size (), 1u);
    order.push_back (d.close[0]);
    open.erase (std::find_if (open.begin (), open.end (),
            [&](const ConnectionSummary & c) { return c.id == d.close[0]; }));
  }
  /* Half-sent or never answered first (oldest first), then idle ones (least recently active
   * first); those with a session stay and the next newcomer is refused. */
  EXPECT_EQ (order, (std::vector<uint64_t> { 5, 1, 2, 3 }));
  EXPECT_EQ (open.size (), 2u);
}

}  // namespace
