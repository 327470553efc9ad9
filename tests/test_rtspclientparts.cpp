/* Unit tests of meetrtspsrc's plain parts in plugins/meet/rtsp/client (no sockets): the roster
 * and the answers to a server's own requests, and RtspClientLogic's roster walk. */
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include <gst/gst.h>

#include <string>
#include <vector>

#include "roster.h"
#include "rtspclientlogic.h"

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
play (RtspClientLogic &logic, const std::string &location, bool ask_roster = true)
{
  ASSERT_TRUE (logic.set_location (location));
  logic.set_allowed_transports (false, true);
  logic.set_ask_roster (ask_roster);
  logic.set_target (State::Playing);
  ASSERT_EQ (logic.next_request ()->method, GST_RTSP_OPTIONS);
  feed (logic, ok ("Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER\r\n"));
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
}
