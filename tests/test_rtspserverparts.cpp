/* Unit tests of the plain parts of meetrtspsink's server core, without sockets: the session pool
 * (meet::RtspSessionPool), authentication (meet::RtspAuth), the choice of transport
 * (meet::choose_transport, meet::transport_reply) and, through RtspServerLogic, multicast SETUP. */
#include "rtspauth.h"
#include "rtspserverlogic.h"
#include "rtspsessionpool.h"
#include "rtsptransport.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include "rtsp_test_helpers.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace meet;
using meet_test::request;

namespace {

/* ---------------------------------------------------------------- session pool */

TEST (SessionPool, CreateFindAndBindToConnection)
{
  RtspSessionPool pool (60);
  RtspSession & a = pool.create (1, "10.0.0.1", "", "", false, 100);
  std::string id = a.id;
  EXPECT_EQ (id.size (), 32u);
  EXPECT_EQ (pool.size (), 1u);
  EXPECT_NE (pool.find (id), nullptr);
  EXPECT_NE (pool.find_for (id, 1), nullptr);
  EXPECT_EQ (pool.find_for (id, 2), nullptr);   // another connection's ID is as good as none
  EXPECT_EQ (pool.find ("nope"), nullptr);
  EXPECT_TRUE (pool.connection_has_session (1));
  EXPECT_FALSE (pool.connection_has_session (2));
  pool.remove (id);
  EXPECT_EQ (pool.size (), 0u);
}

TEST (SessionPool, IdsAreUnique)
{
  RtspSessionPool pool;
  std::set<std::string> ids;
  for (int i = 0; i < 200; i++)
    ids.insert (pool.create (1, "h", "", "", false, 0).id);
  EXPECT_EQ (ids.size (), 200u);
}

TEST (SessionPool, TimeoutsAndKeepAlives)
{
  RtspSessionPool pool (2);
  RtspSession & s = pool.create (7, "10.0.0.1", "", "", false, 0);
  std::string id = s.id;
  s.streams.resize (2);
  s.streams[0].configured = true;
  s.streams[0].client_rtp_port = 5000;
  s.streams[0].client_rtcp_port = 5001;
  s.streams[1].configured = true;
  s.streams[1].multicast = true;
  const int64_t sec = G_USEC_PER_SEC;
  EXPECT_FALSE (pool.timed_out (*pool.find (id), 2 * sec));
  EXPECT_TRUE (pool.timed_out (*pool.find (id), 3 * sec));

  pool.touch_rtcp (0, "10.0.0.1", 5001, 3 * sec);      // its RTCP port
  EXPECT_EQ (pool.find (id)->last_activity_us, 3 * sec);
  pool.touch_rtcp (0, "10.0.0.2", 5001, 4 * sec);      // someone else
  pool.touch_rtcp (0, "10.0.0.1", 6000, 4 * sec);      // a port it never named
  pool.touch_rtcp (0, "10.0.0.1", 0, 4 * sec);         // "any port" is for multicast only
  EXPECT_EQ (pool.find (id)->last_activity_us, 3 * sec);
  pool.touch_rtcp (1, "10.0.0.1", 0, 5 * sec);         // a multicast reader's report
  EXPECT_EQ (pool.find (id)->last_activity_us, 5 * sec);
  pool.touch_connection (7, 6 * sec);
  EXPECT_EQ (pool.find (id)->last_activity_us, 6 * sec);
  pool.touch (id, 1 * sec);                            // never backwards
  EXPECT_EQ (pool.find (id)->last_activity_us, 6 * sec);
}

TEST (SessionPool, RemoveIfHandsEachOver)
{
  RtspSessionPool pool;
  pool.create (1, "a", "", "", false, 0);
  pool.create (1, "a", "", "bob", false, 0);
  pool.create (2, "b", "", "", false, 0).state = RtspSessionState::kPlaying;
  EXPECT_EQ (pool.playing (), 1u);
  std::vector<std::string> removed;
  pool.remove_if ([](const RtspSession & s) { return s.connection_id == 1; },
      [&](const RtspSession & s) { removed.push_back (s.name); });
  EXPECT_EQ (removed.size (), 2u);
  EXPECT_EQ (pool.size (), 1u);
}

TEST (SessionPool, InterleavedChannelClashes)
{
  RtspSessionPool pool;
  RtspSession & s = pool.create (1, "a", "", "", false, 0);
  s.streams.resize (2);
  s.streams[0].configured = s.streams[0].tcp = true;
  s.streams[0].rtp_channel = 0;
  s.streams[0].rtcp_channel = 1;
  EXPECT_TRUE (pool.channels_taken (1, nullptr, 0, 1, 2));
  EXPECT_FALSE (pool.channels_taken (1, nullptr, 0, 2, 3));
  EXPECT_FALSE (pool.channels_taken (2, nullptr, 0, 0, 1));   // another connection
  EXPECT_FALSE (pool.channels_taken (1, &s, 0, 0, 1));        // its own stream set up again
}

/* ---------------------------------------------------------------- auth */

RtspRequest
request_with (const std::string & method, const std::string & authorization)
{
  RtspRequest r;
  r.method = method;
  r.uri = "rtsp://127.0.0.1/meet";
  if (!authorization.empty ())
    r.headers.emplace_back ("Authorization", authorization);
  return r;
}

std::string
digest (const std::string & method, const std::string & password, const std::string & nonce)
{
  gchar *response = gst_rtsp_generate_digest_auth_response (nullptr, method.c_str (),
      "meetstream", "alice", password.c_str (), "rtsp://127.0.0.1/meet", nonce.c_str ());
  std::string header = "Digest username=\"alice\", realm=\"meetstream\", nonce=\"" + nonce
      + "\", uri=\"rtsp://127.0.0.1/meet\", response=\"" + response + "\"";
  g_free (response);
  return header;
}

TEST (Auth, DisabledLetsEveryoneIn)
{
  RtspAuth auth ({});
  EXPECT_FALSE (auth.enabled ());
  EXPECT_TRUE (auth.check (request_with ("DESCRIBE", ""), ""));
}

TEST (Auth, DigestNeedsTheIssuedNonceAndPassword)
{
  RtspAuth auth ({ "alice", "s3cret", "meetstream", false });
  EXPECT_FALSE (auth.check (request_with ("DESCRIBE", ""), "n1"));
  EXPECT_TRUE (auth.check (request_with ("DESCRIBE", digest ("DESCRIBE", "s3cret", "n1")), "n1"));
  EXPECT_FALSE (auth.check (request_with ("DESCRIBE", digest ("DESCRIBE", "wrong", "n1")), "n1"));
  EXPECT_FALSE (auth.check (request_with ("DESCRIBE", digest ("DESCRIBE", "s3cret", "n0")), "n1"));
  EXPECT_FALSE (auth.check (request_with ("DESCRIBE", digest ("DESCRIBE", "s3cret", "")), ""));
  /* The response covers the method. */
  EXPECT_FALSE (auth.check (request_with ("PLAY", digest ("DESCRIBE", "s3cret", "n1")), "n1"));
  std::vector<std::string> challenges = auth.challenges ("n1");
  ASSERT_EQ (challenges.size (), 1u);
  EXPECT_EQ (challenges[0], "Digest realm=\"meetstream\", nonce=\"n1\"");
}

TEST (Auth, BasicOnlyWhenAllowed)
{
  gchar *b64 = g_base64_encode (reinterpret_cast<const guchar *> ("alice:s3cret"), 12);
  std::string basic = std::string ("Basic ") + b64;
  g_free (b64);
  RtspAuth off ({ "alice", "s3cret", "meetstream", false });
  RtspAuth on ({ "alice", "s3cret", "meetstream", true });
  EXPECT_FALSE (off.check (request_with ("DESCRIBE", basic), "n"));
  EXPECT_TRUE (on.check (request_with ("DESCRIBE", basic), "n"));
  EXPECT_EQ (on.challenges ("n").size (), 2u);
  EXPECT_TRUE (constant_time_equal ("abc", "abc"));
  EXPECT_FALSE (constant_time_equal ("abc", "abd"));
  EXPECT_FALSE (constant_time_equal ("abc", "ab"));
}

/* ---------------------------------------------------------------- transport */

TransportRequest
reader (bool multicast = false)
{
  TransportRequest r;
  r.peer_host = "10.0.0.5";
  r.multicast_offered = multicast;
  return r;
}

TEST (Transport, UnicastUdpAndTcp)
{
  TransportChoice c = choose_transport ("RTP/AVP;unicast;client_port=5000-5001", reader ());
  ASSERT_TRUE (c.transport.configured);
  EXPECT_FALSE (c.transport.tcp);
  EXPECT_EQ (c.transport.client_rtp_port, 5000);
  EXPECT_EQ (c.transport.client_rtcp_port, 5001);
  EXPECT_EQ (transport_reply (c.transport, 40000, 40001, false),
      "RTP/AVP;unicast;client_port=5000-5001;server_port=40000-40001;mode=\"PLAY\"");

  TransportRequest second = reader ();
  second.stream = 1;
  c = choose_transport ("RTP/AVP/TCP;unicast", second);
  ASSERT_TRUE (c.transport.tcp);
  EXPECT_EQ (c.transport.rtp_channel, 2);
  EXPECT_EQ (c.transport.rtcp_channel, 3);
  EXPECT_EQ (transport_reply (c.transport, 0, 0, false),
      "RTP/AVP/TCP;unicast;interleaved=2-3;mode=\"PLAY\"");
}

TEST (Transport, FirstServableAlternativeWins)
{
  TransportChoice c = choose_transport ("RTP/SAVP;unicast;client_port=1-2, "
      "RTP/AVP;multicast, RTP/AVP/TCP;unicast;interleaved=4-5", reader ());
  ASSERT_TRUE (c.transport.configured);
  EXPECT_TRUE (c.transport.tcp);
  EXPECT_EQ (c.transport.rtp_channel, 4);
}

TEST (Transport, Refusals)
{
  /* Elsewhere than the client's own address: 403. */
  TransportChoice c = choose_transport ("RTP/AVP;unicast;destination=10.9.9.9;client_port=5000-5001",
      reader ());
  EXPECT_FALSE (c.transport.configured);
  EXPECT_EQ (c.refusal, 403);
  c = choose_transport ("RTP/AVP;unicast;destination=10.0.0.5;client_port=5000-5001", reader ());
  EXPECT_TRUE (c.transport.configured);
  /* Nothing we serve: 461. */
  c = choose_transport ("RAW/RAW/UDP;unicast;client_port=5000-5001", reader ());
  EXPECT_EQ (c.refusal, 461);
  c = choose_transport ("RTP/AVP;unicast;client_port=0-1", reader ());
  EXPECT_FALSE (c.transport.configured);
  c = choose_transport ("RTP/AVP/TCP;unicast;interleaved=7-7", reader ());
  EXPECT_FALSE (c.transport.configured);
  TransportRequest busy = reader ();
  busy.channels_taken = [](int a, int) { return a == 0; };
  c = choose_transport ("RTP/AVP/TCP;unicast;interleaved=0-1", busy);
  EXPECT_FALSE (c.transport.configured);
  /* mode=record only for publishers, and mode=receive is its older name. */
  c = choose_transport ("RTP/AVP;unicast;client_port=5000-5001;mode=record", reader ());
  EXPECT_FALSE (c.transport.configured);
  TransportRequest publisher = reader ();
  publisher.publishing = true;
  c = choose_transport ("RTP/AVP;unicast;client_port=5000-5001;mode=receive", publisher);
  EXPECT_TRUE (c.transport.configured);
  EXPECT_EQ (transport_reply (c.transport, 1, 2, true),
      "RTP/AVP;unicast;client_port=5000-5001;server_port=1-2;mode=record");
}

TEST (Transport, MulticastOnlyTheServersGroup)
{
  /* Without a pool multicast is not offered. */
  TransportChoice c = choose_transport ("RTP/AVP;multicast", reader (false));
  EXPECT_FALSE (c.transport.configured);
  EXPECT_EQ (c.refusal, 461);
  c = choose_transport ("RTP/AVP;multicast", reader (true));
  ASSERT_TRUE (c.transport.configured);
  EXPECT_TRUE (c.transport.multicast);
  /* The client's port wish is ignored: the group and its ports are the server's. */
  c = choose_transport ("RTP/AVP;multicast;port=6000-6001;ttl=16", reader (true));
  ASSERT_TRUE (c.transport.multicast);
  c.transport.group = { "239.255.42.3", 5002, 5003, 1 };
  EXPECT_EQ (transport_reply (c.transport, 40000, 40001, false),
      "RTP/AVP;multicast;destination=239.255.42.3;port=5002-5003;ttl=1;mode=\"PLAY\"");
  /* A group of the client's choosing is refused, also when it names its own address. */
  c = choose_transport ("RTP/AVP;multicast;destination=239.1.1.1;port=6000-6001", reader (true));
  EXPECT_FALSE (c.transport.configured);
  EXPECT_EQ (c.refusal, 403);
  c = choose_transport ("RTP/AVP;multicast;destination=10.0.0.5", reader (true));
  EXPECT_EQ (c.refusal, 403);
  /* Publishers never get multicast. */
  TransportRequest publisher = reader (true);
  publisher.publishing = true;
  c = choose_transport ("RTP/AVP;multicast;mode=record", publisher);
  EXPECT_FALSE (c.transport.configured);
}

/* ---------------------------------------------------------------- multicast through the logic */

class MulticastMedia : public RtspServerLogic::Media {
public:
  std::vector<RtspServerLogic::StreamInfo> infos;
  std::vector<std::string> events;
  int acquired = 0;
  bool pool_empty = false;
  MulticastMedia () {
    RtspServerLogic::StreamInfo video;
    video.caps = "application/x-rtp, media=(string)video, clock-rate=(int)90000, "
        "encoding-name=(string)JPEG, payload=(int)26";
    video.server_rtp_port = 50000;
    video.server_rtcp_port = 50001;
    video.multicast = true;
    infos = { video };
  }
  std::vector<RtspServerLogic::StreamInfo> streams () override { return infos; }
  void session_play (const RtspSession & s) override { events.push_back ("play " + s.id); }
  void session_pause (const RtspSession &) override {}
  void session_teardown (const RtspSession & s) override { events.push_back ("end " + s.id); }
  bool multicast_acquire (const std::string & name, unsigned stream, bool srtp,
      MulticastDestination & group) override {
    if (pool_empty)
      return false;
    acquired++;
    group = { srtp ? "239.255.42.1" : "239.255.42.0", 5000, 5001, 1 };
    events.push_back ("acquire " + name + "/" + std::to_string (stream) + (srtp ? " srtp" : ""));
    return true;
  }
  void multicast_release (const std::string & name, unsigned stream, bool srtp) override {
    acquired--;
    events.push_back ("release " + name + "/" + std::to_string (stream) + (srtp ? " srtp" : ""));
  }
};

TEST (Multicast, SetupGivesTheGroupAndReleasesIt)
{
  MulticastMedia media;
  RtspServerLogic logic ({}, media);
  RtspConnectionContext a, b;
  a.id = 1;
  a.peer_host = a.local_host = "10.0.0.5";
  b.id = 2;
  b.peer_host = "10.0.0.6";
  const char *url = "rtsp://10.0.0.1:8554/meet/stream=0";
  RtspResponse r = logic.handle (request ("SETUP", url, { { "Transport", "RTP/AVP;multicast" } },
          1), a, 0);
  ASSERT_EQ (r.code, 200);
  ASSERT_NE (r.header ("Transport"), nullptr);
  EXPECT_EQ (*r.header ("Transport"),
      "RTP/AVP;multicast;destination=239.255.42.0;port=5000-5001;ttl=1;mode=\"PLAY\"");
  std::string sa = r.header ("Session")->substr (0, 32);
  r = logic.handle (request ("SETUP", url, { { "Transport", "RTP/AVP;multicast" } }, 1), b, 0);
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (media.acquired, 2);
  /* The same session setting the stream up again keeps its one reference. */
  r = logic.handle (request ("SETUP", url, { { "Transport", "RTP/AVP;multicast" },
              { "Session", sa } }, 2), a, 0);
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (media.acquired, 2);
  /* ... and switching to unicast gives it back. */
  r = logic.handle (request ("SETUP", url,
          { { "Transport", "RTP/AVP;unicast;client_port=7000-7001" }, { "Session", sa } }, 3),
      a, 0);
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (media.acquired, 1);
  r = logic.handle (request ("SETUP", url, { { "Transport", "RTP/AVP;multicast" },
              { "Session", sa } }, 4), a, 0);
  EXPECT_EQ (media.acquired, 2);
  r = logic.handle (request ("PLAY", "rtsp://10.0.0.1:8554/meet", { { "Session", sa } }, 5), a, 0);
  EXPECT_EQ (r.code, 200);
  /* A multicast reader's reports (from whatever port) keep it alive. */
  logic.touch_rtcp (0, "10.0.0.5", 0, 50 * G_USEC_PER_SEC);
  EXPECT_EQ (logic.expire (70 * G_USEC_PER_SEC), 1u);       // b timed out, a did not
  EXPECT_EQ (media.acquired, 1);
  logic.connection_closed (a);
  EXPECT_EQ (media.acquired, 0);
  /* The groups asked for are of the pads' stream 0 (no participant name). */
  EXPECT_EQ (std::count (media.events.begin (), media.events.end (), "acquire /0"), 3);
  EXPECT_EQ (std::count (media.events.begin (), media.events.end (), "release /0"), 3);
  EXPECT_EQ (logic.session_count (), 0u);
}

TEST (Multicast, UsedUpPoolAndClientGroupsRefused)
{
  MulticastMedia media;
  media.pool_empty = true;
  RtspServerLogic logic ({}, media);
  RtspConnectionContext a;
  a.id = 1;
  a.peer_host = "10.0.0.5";
  const char *url = "rtsp://10.0.0.1:8554/meet";
  RtspResponse r = logic.handle (request ("SETUP", url, { { "Transport", "RTP/AVP;multicast" } },
          1), a, 0);
  EXPECT_EQ (r.code, 461);
  EXPECT_EQ (logic.session_count (), 0u);
  /* A fallback alternative still works. */
  r = logic.handle (request ("SETUP", url, { { "Transport",
              "RTP/AVP;multicast;destination=239.1.2.3, RTP/AVP/TCP;unicast" } }, 2), a, 0);
  EXPECT_EQ (r.code, 200);
  r = logic.handle (request ("SETUP", url, { { "Transport",
              "RTP/AVP;multicast;destination=239.1.2.3;port=4000-4001" } }, 3), a, 0);
  EXPECT_EQ (r.code, 403);
}

}  // namespace
