/* meetstream: meetrtspsrc's RTP/SAVP;multicast over rtsps:// (issue 12, client side), the plain
 * parts: the Transport a multicast SETUP asks for, which answers are taken, and which sessions skip
 * multicast (no key in the SDP) for unicast SRTP or TCP inside TLS. The real thing on a network
 * namespace LAN is tests/secure_multicast.py (SecureMulticastClientTest). */
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include <gst/gst.h>

#include <string>

#include "rtspclientlogic.h"
#include "srtpmikey.h"
#include "srtpreceive.h"

using meet::RtspClientLogic;
using meet::RtspLowerTransport;
using meet::SrtpOffer;
using Event = RtspClientLogic::Event;
using State = RtspClientLogic::State;

namespace {

std::string
key_value (uint32_t ssrc)
{
  meet::SrtpKey key;
  EXPECT_TRUE (meet::srtp_key_generate (meet::SrtpSuite::AES_128_CM_HMAC_SHA1_80, ssrc, &key));
  return meet::mikey_keymgmt_value (key);
}

/* One video stream in @proto, its a=key-mgmt @key (left out when empty). */
std::string
sdp (const std::string &proto, const std::string &key)
{
  std::string s = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Meeting\r\nt=0 0\r\na=control:*\r\n"
      "m=video 0 " + proto + " 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n";
  if (!key.empty ())
    s += "a=key-mgmt:" + key + "\r\n";
  return s;
}

Event
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
header_of (const meet::RtspClientRequest &request, const std::string &name)
{
  for (const auto &h : request.headers)
    if (h.first == name)
      return h.second;
  return "";
}

/* OPTIONS and DESCRIBE of @sdp_text over @location with the given transports. */
Event
describe (RtspClientLogic &logic, const std::string &sdp_text, bool udp, bool tcp,
    bool multicast, const std::string &location = "rtsps://10.77.0.1:8554/meet")
{
  EXPECT_TRUE (logic.set_location (location));
  logic.set_secure (location.rfind ("rtsps://", 0) == 0);
  logic.set_allowed_transports (udp, tcp, multicast);
  logic.set_target (State::Playing);
  EXPECT_TRUE (logic.next_request ());
  EXPECT_EQ (feed (logic, ok ("Public: OPTIONS, DESCRIBE, SETUP, PLAY\r\n")), Event::None);
  auto r = logic.next_request ();
  EXPECT_TRUE (r && r->method == GST_RTSP_DESCRIBE);
  return feed (logic, ok ("Content-Type: application/sdp\r\nContent-Base: " + location + "/\r\n",
          sdp_text));
}

const char *kSavpGroup =
    "Session: abc;timeout=30\r\nTransport: RTP/SAVP;multicast;destination=239.255.43.7;"
    "port=5000-5001;ttl=1\r\n";

}  // namespace

TEST (SrtpMulticastTransport, AsksForTheSrtpGroupOnlyWhenKeyed)
{
  SrtpOffer keyed;
  keyed.savp = keyed.keyed = true;
  keyed.profile = "RTP/SAVP";
  EXPECT_EQ (meet::multicast_transport_request (keyed, true), "RTP/SAVP;multicast");
  EXPECT_EQ (meet::multicast_transport_request (keyed, false), "RTP/AVP;multicast");
  keyed.profile = "RTP/SAVPF";
  EXPECT_EQ (meet::multicast_transport_request (keyed, true), "RTP/SAVPF;multicast");
  SrtpOffer keyless;
  keyless.savp = true;
  keyless.profile = "RTP/SAVP";
  EXPECT_EQ (meet::multicast_transport_request (keyless, true), "RTP/AVP;multicast");
}

TEST (SrtpMulticastTransport, TakesOnlySavpAnswersOverTls)
{
  SrtpOffer keyed;
  keyed.savp = keyed.keyed = true;
  keyed.profile = "RTP/SAVP";
  std::string why;
  EXPECT_TRUE (meet::multicast_answer_acceptable (keyed, true, GST_RTSP_PROFILE_SAVP, &why));
  EXPECT_TRUE (meet::multicast_answer_acceptable (keyed, true, GST_RTSP_PROFILE_SAVPF, &why));
  EXPECT_FALSE (meet::multicast_answer_acceptable (keyed, true, GST_RTSP_PROFILE_AVP, &why));
  EXPECT_NE (why.find ("plain RTP multicast group"), std::string::npos) << why;
  SrtpOffer keyless;
  why.clear ();
  EXPECT_FALSE (meet::multicast_answer_acceptable (keyless, true, GST_RTSP_PROFILE_SAVP, &why));
  EXPECT_NE (why.find ("no SRTP key"), std::string::npos) << why;
  /* Plain rtsp:// is not this check's business. */
  EXPECT_TRUE (meet::multicast_answer_acceptable (keyless, false, GST_RTSP_PROFILE_AVP, &why));
}

TEST (SrtpMulticastLogic, SetsUpTheSrtpGroup)
{
  RtspClientLogic logic;
  ASSERT_EQ (describe (logic, sdp ("RTP/SAVP", key_value (0x1234)), false, false, true),
      Event::Described) << logic.error ();
  EXPECT_EQ (logic.transport (), RtspLowerTransport::UdpMulticast);
  EXPECT_TRUE (logic.secure_notice ().empty ()) << logic.secure_notice ();
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_SETUP);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/SAVP;multicast");
  /* No receiver reports to the group, so no key of ours for them. */
  EXPECT_EQ (header_of (*r, "KeyMgmt"), "");
  ASSERT_EQ (feed (logic, ok (kSavpGroup)), Event::SetupDone) << logic.error ();
  const meet::RtspClientStream &stream = logic.streams ()[0];
  EXPECT_EQ (stream.transport, RtspLowerTransport::UdpMulticast);
  EXPECT_TRUE (stream.srtp);
  EXPECT_EQ (stream.destination, "239.255.43.7");
  EXPECT_EQ (stream.server_rtp_port, 5000);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_PLAY);
}

TEST (SrtpMulticastLogic, RefusesAPlainGroupOverTls)
{
  for (bool fallback_allowed : {false, true}) {
    RtspClientLogic logic;
    ASSERT_EQ (describe (logic, sdp ("RTP/SAVP", key_value (1)), fallback_allowed,
            fallback_allowed, true), Event::Described) << logic.error ();
    ASSERT_TRUE (logic.next_request ());
    EXPECT_EQ (feed (logic, ok ("Session: abc\r\nTransport: RTP/AVP;multicast;"
                "destination=239.255.43.7;port=5000-5001;ttl=1\r\n")), Event::Failed);
    EXPECT_NE (logic.error ().find ("plain RTP multicast group"), std::string::npos)
        << logic.error ();
    EXPECT_NE (logic.error ().find ("in clear beside rtsps://"), std::string::npos)
        << logic.error ();
  }
}

TEST (SrtpMulticastLogic, KeylessSdpSkipsMulticast)
{
  /* RTP/SAVP without a key, every transport allowed: no group, no unicast SRTP, TLS. */
  RtspClientLogic all;
  ASSERT_EQ (describe (all, sdp ("RTP/SAVP", ""), true, true, true), Event::Described)
      << all.error ();
  EXPECT_EQ (all.transport (), RtspLowerTransport::Tcp);
  EXPECT_NE (all.secure_notice ().find ("No SRTP multicast from rtsps://10.77.0.1:8554/meet"),
      std::string::npos) << all.secure_notice ();
  EXPECT_NE (all.secure_notice ().find ("inside TLS"), std::string::npos) << all.secure_notice ();
  auto r = all.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/AVP/TCP;unicast;interleaved=0-1");

  /* Plain RTP/AVP, multicast and TCP: TCP inside TLS, never the plain group. */
  RtspClientLogic plain;
  ASSERT_EQ (describe (plain, sdp ("RTP/AVP", ""), false, true, true), Event::Described)
      << plain.error ();
  EXPECT_EQ (plain.transport (), RtspLowerTransport::Tcp);
  EXPECT_NE (plain.secure_notice ().find ("not RTP/SAVP"), std::string::npos)
      << plain.secure_notice ();

  /* Multicast only: refused, saying why and what to allow. */
  RtspClientLogic only;
  EXPECT_EQ (describe (only, sdp ("RTP/SAVP", ""), false, false, true), Event::Failed);
  EXPECT_NE (only.error ().find ("by multicast securely"), std::string::npos) << only.error ();
  EXPECT_NE (only.error ().find ("protocols=udp-mcast+udp+tcp"), std::string::npos)
      << only.error ();
}

TEST (SrtpMulticastLogic, NoGroupFallsBackToUnicastSrtp)
{
  RtspClientLogic logic;
  ASSERT_EQ (describe (logic, sdp ("RTP/SAVP", key_value (1)), true, true, true),
      Event::Described) << logic.error ();
  EXPECT_EQ (logic.transport (), RtspLowerTransport::UdpMulticast);
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/SAVP;multicast");
  EXPECT_EQ (feed (logic, "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 1\r\n\r\n"),
      Event::TransportFallback);
  EXPECT_EQ (logic.transport (), RtspLowerTransport::Udp);
  logic.set_client_ports (0, 5000, 5001);
  r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/SAVP/UDP;unicast;client_port=5000-5001");
  EXPECT_NE (header_of (*r, "KeyMgmt"), "");
  EXPECT_EQ (feed (logic, ok ("Session: abc\r\nTransport: RTP/SAVP;unicast;client_port=5000-5001;"
              "server_port=6000-6001\r\n")), Event::SetupDone) << logic.error ();
  EXPECT_TRUE (logic.streams ()[0].srtp);

  /* After silence on the group (the session's fallback forces the next transport). */
  RtspClientLogic silent;
  ASSERT_EQ (describe (silent, sdp ("RTP/SAVP", key_value (1)), true, true, true),
      Event::Described);
  silent.reset_session ();
  silent.force_transport (RtspLowerTransport::Udp);
  ASSERT_TRUE (silent.next_request ());
  EXPECT_EQ (feed (silent, ok ("Public: OPTIONS, DESCRIBE, SETUP, PLAY\r\n")), Event::None);
  ASSERT_TRUE (silent.next_request ());
  EXPECT_EQ (feed (silent, ok ("Content-Type: application/sdp\r\nContent-Base: "
              "rtsps://10.77.0.1:8554/meet/\r\n", sdp ("RTP/SAVP", key_value (1)))),
      Event::Described);
  EXPECT_EQ (silent.transport (), RtspLowerTransport::Udp);
  silent.set_client_ports (0, 5000, 5001);
  r = silent.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/SAVP/UDP;unicast;client_port=5000-5001");
}

TEST (SrtpMulticastLogic, PlainRtspMulticastIsUnchanged)
{
  RtspClientLogic logic;
  ASSERT_EQ (describe (logic, sdp ("RTP/AVP", ""), false, false, true,
          "rtsp://10.77.0.1:8554/meet"), Event::Described) << logic.error ();
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (header_of (*r, "Transport"), "RTP/AVP;multicast");
  ASSERT_EQ (feed (logic, ok ("Session: abc\r\nTransport: RTP/AVP;multicast;"
              "destination=239.255.43.7;port=5000-5001;ttl=1\r\n")), Event::SetupDone)
      << logic.error ();
  EXPECT_FALSE (logic.streams ()[0].srtp);
}
