/* Unit tests of meetrtspsrc's SRTP parts (issue 11, plugins/meet/rtsp/client/srtpreceive.h) and
 * of RtspClientLogic over rtsps:// (set_secure): what an SDP offers, SRTP over UDP or TCP inside
 * TLS or a refusal, the key per SSRC, counting srtpdec's drops, the SETUP it sends and the
 * answers it refuses. No sockets, no elements. */
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include <string>

#include "rtspclientlogic.h"
#include "srtpmikey.h"
#include "srtpreceive.h"

using meet::RtspClientLogic;
using meet::RtspLowerTransport;
using meet::SecureTransportChoice;
using meet::SrtpOffer;
using Event = RtspClientLogic::Event;
using State = RtspClientLogic::State;

namespace {

meet::SrtpKey
test_key (uint32_t ssrc, uint32_t roc = 0, meet::SrtpSuite suite =
    meet::SrtpSuite::AES_128_CM_HMAC_SHA1_80)
{
  meet::SrtpKey key;
  EXPECT_TRUE (meet::srtp_key_generate (suite, ssrc, &key));
  key.roc = roc;
  return key;
}

/* An SDP with one video stream in @proto, a=key-mgmt @media_key in its section and @session_key
 * at session level (each left out when empty). */
std::string
sdp (const std::string &proto, const std::string &media_key, const std::string &session_key = "",
    bool with_audio = false)
{
  std::string s = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Meeting\r\nt=0 0\r\na=control:*\r\n";
  if (!session_key.empty ())
    s += "a=key-mgmt:" + session_key + "\r\n";
  s += "m=video 0 " + proto + " 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n";
  if (!media_key.empty ())
    s += "a=key-mgmt:" + media_key + "\r\n";
  if (with_audio)
    s += "m=audio 0 RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\na=control:stream=1\r\n";
  return s;
}

SrtpOffer
offer_of (const std::string &text, unsigned media = 0)
{
  GstSDPMessage *msg = nullptr;
  gst_sdp_message_new (&msg);
  EXPECT_EQ (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (text.data ()),
          text.size (), msg), GST_SDP_OK);
  SrtpOffer offer = meet::srtp_offer_from_sdp_media (msg, gst_sdp_message_get_media (msg, media));
  gst_sdp_message_free (msg);
  return offer;
}

}  // namespace

TEST (SrtpClientOffer, SavpWithMikeyIsKeyed)
{
  meet::SrtpKey key = test_key (0x11223344, 7, meet::SrtpSuite::AEAD_AES_128_GCM);
  SrtpOffer offer = offer_of (sdp ("RTP/SAVP", meet::mikey_keymgmt_value (key)));
  EXPECT_TRUE (offer.savp);
  EXPECT_EQ (offer.profile, "RTP/SAVP");
  ASSERT_TRUE (offer.keyed) << offer.error;
  EXPECT_EQ (offer.keys.suite, meet::SrtpSuite::AEAD_AES_128_GCM);
  EXPECT_EQ (offer.keys.key_salt, key.key_salt);
  ASSERT_EQ (offer.keys.sessions.size (), 1u);
  EXPECT_EQ (offer.keys.sessions[0].ssrc, 0x11223344u);
  EXPECT_EQ (offer.keys.sessions[0].roc, 7u);
}

TEST (SrtpClientOffer, SessionLevelKeyCounts)
{
  meet::SrtpKey key = test_key (5);
  SrtpOffer offer = offer_of (sdp ("RTP/SAVPF", "", meet::mikey_keymgmt_value (key)));
  EXPECT_EQ (offer.profile, "RTP/SAVPF");
  EXPECT_TRUE (offer.keyed) << offer.error;
}

TEST (SrtpClientOffer, PlainAndKeylessOffers)
{
  SrtpOffer plain = offer_of (sdp ("RTP/AVP", ""));
  EXPECT_FALSE (plain.savp);
  EXPECT_FALSE (plain.keyed);
  SrtpOffer keyless = offer_of (sdp ("RTP/SAVP", ""));
  EXPECT_TRUE (keyless.savp);
  EXPECT_FALSE (keyless.keyed);
  EXPECT_NE (keyless.error.find ("key-mgmt"), std::string::npos) << keyless.error;
  SrtpOffer garbage = offer_of (sdp ("RTP/SAVP", "mikey AAAA"));
  EXPECT_FALSE (garbage.keyed);
  EXPECT_FALSE (garbage.error.empty ());
}

TEST (SrtpClientTransport, ChoosesSrtpOnlyWhenEveryStreamIsKeyed)
{
  SrtpOffer keyed;
  keyed.savp = keyed.keyed = true;
  keyed.profile = "RTP/SAVP";
  SrtpOffer plain;
  plain.profile = "RTP/AVP";
  SrtpOffer keyless;
  keyless.savp = true;
  keyless.profile = "RTP/SAVP";
  keyless.error = "no a=key-mgmt";
  const std::string uri = "rtsps://127.0.0.1:8554/meet";
  using Kind = SecureTransportChoice::Kind;

  EXPECT_EQ (meet::choose_secure_transport ({"video", "audio"}, {keyed, keyed}, true, true, uri)
      .kind, Kind::SrtpUdp);
  EXPECT_EQ (meet::choose_secure_transport ({"video"}, {keyed}, true, false, uri).kind,
      Kind::SrtpUdp);
  /* One plain stream: TCP inside TLS, with a warning that says which and why. */
  SecureTransportChoice c = meet::choose_secure_transport ({"video", "audio"}, {keyed, plain},
      true, true, uri);
  EXPECT_EQ (c.kind, Kind::TlsTcp);
  EXPECT_NE (c.message.find ("audio (stream 1)"), std::string::npos) << c.message;
  EXPECT_NE (c.message.find ("in clear"), std::string::npos) << c.message;
  EXPECT_NE (c.message.find ("inside TLS"), std::string::npos) << c.message;
  /* UDP only: refused, naming the stream, the reason and what to do. */
  c = meet::choose_secure_transport ({"video"}, {plain}, true, false, uri);
  EXPECT_EQ (c.kind, Kind::Refused);
  EXPECT_NE (c.message.find ("RTP/AVP"), std::string::npos) << c.message;
  EXPECT_NE (c.message.find ("protocols=tcp"), std::string::npos) << c.message;
  c = meet::choose_secure_transport ({"video"}, {keyless}, true, false, uri);
  EXPECT_EQ (c.kind, Kind::Refused);
  EXPECT_NE (c.message.find ("no a=key-mgmt"), std::string::npos) << c.message;
  /* TCP only: inside TLS without a word. */
  c = meet::choose_secure_transport ({"video"}, {plain}, false, true, uri);
  EXPECT_EQ (c.kind, Kind::TlsTcp);
  EXPECT_TRUE (c.message.empty ());
}

TEST (SrtpClientKeys, ListedSsrcGetsItsRocOthersTheKeyUpToALimit)
{
  meet::MikeyKeys keys;
  keys.suite = meet::SrtpSuite::AES_256_CM_HMAC_SHA1_80;
  keys.key_salt = test_key (1, 0, keys.suite).key_salt;
  keys.sessions.push_back ({0xabcd, 3});
  meet::SrtpKeyRing ring (keys);
  meet::SrtpKey key;
  ASSERT_TRUE (ring.lookup (0xabcd, &key));
  EXPECT_EQ (key.roc, 3u);
  EXPECT_EQ (key.key_salt, keys.key_salt);
  ASSERT_TRUE (ring.lookup (0x1234, &key));
  EXPECT_EQ (key.roc, 0u);
  EXPECT_EQ (key.ssrc, 0x1234u);
  for (uint32_t ssrc = 100; ssrc < 100 + meet::SrtpKeyRing::kMaxSsrcs - 2; ssrc++)
    EXPECT_TRUE (ring.lookup (ssrc, &key));
  EXPECT_FALSE (ring.lookup (0xdead, &key)) << "a 17th SSRC";
  EXPECT_TRUE (ring.lookup (0xabcd, &key)) << "known SSRCs still answered";

  GstCaps *caps = ring.caps_for (0xabcd);
  ASSERT_NE (caps, nullptr);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  EXPECT_TRUE (gst_structure_has_name (s, "application/x-srtp"));
  EXPECT_STREQ (gst_structure_get_string (s, "srtp-cipher"), "aes-256-icm");
  EXPECT_STREQ (gst_structure_get_string (s, "srtcp-auth"), "hmac-sha1-80");
  guint roc = 0, ssrc = 0;
  EXPECT_TRUE (gst_structure_get_uint (s, "roc", &roc));
  EXPECT_EQ (roc, 3u);
  EXPECT_TRUE (gst_structure_get_uint (s, "ssrc", &ssrc));
  meet::SrtpKey back;
  std::string error;
  EXPECT_TRUE (meet::srtp_key_from_structure (s, &back, &error)) << error;
  EXPECT_EQ (back.key_salt, keys.key_salt);
  gst_caps_unref (caps);
  EXPECT_EQ (ring.caps_for (0xdead), nullptr);

  meet::SrtpKeyRing empty;
  EXPECT_EQ (empty.caps_for (1), nullptr);
}

TEST (SrtpClientDrops, CountsPacketsThatNeverCameOut)
{
  meet::SrtpDropCounter c;
  using Ch = meet::SrtpDropCounter::Channel;
  EXPECT_FALSE (c.entered (Ch::Rtp));
  c.left (Ch::Rtp);
  EXPECT_FALSE (c.entered (Ch::Rtp));      /* dropped: found out when the next one enters */
  EXPECT_FALSE (c.entered (Ch::Rtcp));     /* RTCP has its own slot */
  EXPECT_TRUE (c.entered (Ch::Rtp));
  EXPECT_EQ (c.dropped (), 1u);
  c.left (Ch::Rtp);
  c.left (Ch::Rtcp);
  EXPECT_FALSE (c.entered (Ch::Rtp));      /* dropped, then the session ends */
  c.flush ();
  EXPECT_EQ (c.dropped (), 2u);
  c.flush ();
  EXPECT_EQ (c.dropped (), 2u);
}

/* ------------------------------------------------------------------ RtspClientLogic, rtsps:// */

namespace {

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
transport_of (const meet::RtspClientRequest &request)
{
  for (const auto &h : request.headers)
    if (h.first == "Transport")
      return h.second;
  return "";
}

/* OPTIONS and DESCRIBE of @sdp_text over rtsps:// with the given transports. */
Event
describe (RtspClientLogic &logic, const std::string &sdp_text, bool udp, bool tcp)
{
  EXPECT_TRUE (logic.set_location ("rtsps://127.0.0.1:8554/meet"));
  logic.set_secure (true);
  logic.set_allowed_transports (udp, tcp);
  logic.set_target (State::Playing);
  EXPECT_TRUE (logic.next_request ());
  EXPECT_EQ (feed (logic, ok ("Public: OPTIONS, DESCRIBE, SETUP, PLAY\r\n")), Event::None);
  auto r = logic.next_request ();
  EXPECT_TRUE (r && r->method == GST_RTSP_DESCRIBE);
  return feed (logic, ok ("Content-Type: application/sdp\r\nContent-Base: "
          "rtsps://127.0.0.1:8554/meet/\r\n", sdp_text));
}

}  // namespace

TEST (SrtpClientLogic, SetsUpSavpOverUdpAndKeepsTheKeys)
{
  RtspClientLogic logic;
  meet::SrtpKey key = test_key (0x5555);
  ASSERT_EQ (describe (logic, sdp ("RTP/SAVP", meet::mikey_keymgmt_value (key)), true, true),
      Event::Described) << logic.error ();
  EXPECT_EQ (logic.transport (), RtspLowerTransport::Udp);
  EXPECT_TRUE (logic.secure_notice ().empty ());
  ASSERT_EQ (logic.streams ().size (), 1u);
  EXPECT_TRUE (logic.streams ()[0].srtp_offer.keyed);
  logic.set_client_ports (0, 5000, 5001);
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->method, GST_RTSP_SETUP);
  EXPECT_EQ (transport_of (*r), "RTP/SAVP/UDP;unicast;client_port=5000-5001");
  /* Our SRTCP key, for the SSRC our receiver reports go from. */
  const meet::RtspClientStream &stream = logic.streams ()[0];
  ASSERT_TRUE (meet::srtp_key_valid (stream.rtcp_key));
  EXPECT_NE (stream.rtcp_key.key_salt, key.key_salt);
  std::string keymgmt;
  for (const auto &h : r->headers)
    if (h.first == "KeyMgmt")
      keymgmt = h.second;
  const std::string prefix = "prot=mikey;uri=\"rtsps://127.0.0.1:8554/meet/stream=0\";data=\"";
  ASSERT_EQ (keymgmt.rfind (prefix, 0), 0u) << keymgmt;
  std::string data = keymgmt.substr (prefix.size (), keymgmt.size () - prefix.size () - 1);
  meet::MikeyKeys mine;
  std::string error;
  ASSERT_TRUE (meet::mikey_keys_from_keymgmt ("mikey " + data, &mine, &error)) << error;
  EXPECT_EQ (mine.key_salt, stream.rtcp_key.key_salt);
  ASSERT_EQ (mine.sessions.size (), 1u);
  EXPECT_EQ (mine.sessions[0].ssrc, stream.rtcp_key.ssrc);
  EXPECT_EQ (feed (logic, ok ("Session: abc;timeout=30\r\nTransport: RTP/SAVP;unicast;"
              "client_port=5000-5001;server_port=6000-6001;ssrc=00005555\r\n")),
      Event::SetupDone) << logic.error ();
  EXPECT_TRUE (logic.streams ()[0].srtp);
  EXPECT_EQ (logic.streams ()[0].srtp_offer.keys.key_salt, key.key_salt);
}

TEST (SrtpClientLogic, RefusesAPlainAnswerToASavpSetup)
{
  RtspClientLogic logic;
  ASSERT_EQ (describe (logic, sdp ("RTP/SAVP", meet::mikey_keymgmt_value (test_key (1))), true,
          false), Event::Described);
  logic.set_client_ports (0, 5000, 5001);
  ASSERT_TRUE (logic.next_request ());
  EXPECT_EQ (feed (logic, ok ("Session: abc\r\nTransport: RTP/AVP;unicast;client_port=5000-5001;"
              "server_port=6000-6001\r\n")), Event::Failed);
  EXPECT_NE (logic.error ().find ("plain RTP over UDP"), std::string::npos) << logic.error ();
}

TEST (SrtpClientLogic, PlainSdpGoesInsideTlsOrIsRefused)
{
  RtspClientLogic both;
  ASSERT_EQ (describe (both, sdp ("RTP/AVP", "", "", true), true, true), Event::Described);
  EXPECT_EQ (both.transport (), RtspLowerTransport::Tcp);
  EXPECT_NE (both.secure_notice ().find ("inside TLS"), std::string::npos);
  auto r = both.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (transport_of (*r).rfind ("RTP/AVP/TCP;unicast;interleaved=", 0), 0u) << transport_of (*r);

  RtspClientLogic udp_only;
  EXPECT_EQ (describe (udp_only, sdp ("RTP/SAVP", ""), true, false), Event::Failed);
  EXPECT_NE (udp_only.error ().find ("without a usable key"), std::string::npos)
      << udp_only.error ();
  EXPECT_NE (udp_only.error ().find ("protocols=tcp"), std::string::npos) << udp_only.error ();

  /* A SAVP video beside a plain audio, UDP only: the audio would go in clear. */
  RtspClientLogic mixed;
  EXPECT_EQ (describe (mixed, sdp ("RTP/SAVP", meet::mikey_keymgmt_value (test_key (1)), "", true),
          true, false), Event::Failed);
  EXPECT_NE (mixed.error ().find ("audio (stream 1)"), std::string::npos) << mixed.error ();
}

TEST (SrtpClientLogic, UdpRefusedFallsBackToTlsTcp)
{
  RtspClientLogic logic;
  ASSERT_EQ (describe (logic, sdp ("RTP/SAVP", meet::mikey_keymgmt_value (test_key (1))), true,
          true), Event::Described);
  logic.set_client_ports (0, 5000, 5001);
  ASSERT_TRUE (logic.next_request ());
  EXPECT_EQ (feed (logic, "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 1\r\n\r\n"),
      Event::TransportFallback);
  EXPECT_EQ (logic.transport (), RtspLowerTransport::Tcp);
  auto r = logic.next_request ();
  ASSERT_TRUE (r);
  EXPECT_EQ (transport_of (*r), "RTP/AVP/TCP;unicast;interleaved=0-1");
  EXPECT_EQ (feed (logic, ok ("Session: abc\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")),
      Event::SetupDone) << logic.error ();
  EXPECT_FALSE (logic.streams ()[0].srtp);
}

TEST (SrtpClientLogic, PlainRtspIsUnchanged)
{
  /* Without set_secure a SAVP stream is still skipped over UDP (no keys handled there). */
  RtspClientLogic logic;
  ASSERT_TRUE (logic.set_location ("rtsp://127.0.0.1:8554/meet"));
  EXPECT_FALSE (logic.parse_sdp (sdp ("RTP/SAVP", meet::mikey_keymgmt_value (test_key (1))),
          "rtsp://127.0.0.1:8554/meet/"));
}

TEST (SrtpClientLogic, HostileMikeyNeverReachesTheLibraryParser)
{
  /* GStreamer 1.22's MIKEY parser hangs on these (SECURITY.md): a hostile server's SDP carrying
   * one must fail the stream's key (meetstream's own checks), never hang the client. */
  const char *source = g_getenv ("MEET_SOURCE_DIR");
  if (source == nullptr)
    GTEST_SKIP () << "MEET_SOURCE_DIR not set";
  for (const char *name : {"libgstsdp-hang-dh-payload", "libgstsdp-hang-pk-init"}) {
    gchar *path = g_build_filename (source, "fuzz", "regressions", "mikey", name, nullptr);
    gchar *data = nullptr;
    gsize size = 0;
    ASSERT_TRUE (g_file_get_contents (path, &data, &size, nullptr)) << path;
    g_free (path);
    gchar *b64 = g_base64_encode (reinterpret_cast<const guchar *> (data), size);
    g_free (data);
    std::string keymgmt = std::string ("mikey ") + b64;
    g_free (b64);
    for (bool session_level : {false, true}) {
      RtspClientLogic logic;
      ASSERT_EQ (describe (logic, session_level ? sdp ("RTP/SAVP", "", keymgmt) :
              sdp ("RTP/SAVP", keymgmt), true, true), Event::Described) << name;
      EXPECT_EQ (logic.transport (), RtspLowerTransport::Tcp) << name;
      EXPECT_FALSE (logic.streams ()[0].srtp_offer.keyed) << name;
      EXPECT_EQ (logic.streams ()[0].caps.find ("srtp"), std::string::npos);
    }
  }
}
