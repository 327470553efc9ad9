/* Unit tests of the sending side of SRTP for relayed participants and multicast (issues 11, 12):
 * meet::SrtpPacketEncoder (the stream's key and SrtpProtector, as the relay uses it), and the server
 * core's answers to a secure reader of a participant (RTP/SAVP and MIKEY in its DESCRIBE, RTP/SAVP
 * in its SETUP, unicast and multicast), to RTP/SAVP;multicast of the element's own streams, and to
 * plain RTP/AVP over UDP inside TLS (refused with a reason a user can read). */
#include "rtspserverlogic.h"
#include "rtsptls.h"
#include "rtsptransport.h"
#include "srtpmikey.h"
#include "srtppacketencoder.h"

#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include "rtsp_test_helpers.h"
#include "srtp_test_helpers.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace meet;
using meet_test::have_srtp;
using meet_test::make;
using meet_test::rtp_packet;

namespace {

/* A reader's srtpdec keyed from @keymgmt (what a DESCRIBE gives it). */
GstHarness *
decoder_for (const std::string & keymgmt, uint32_t ssrc, bool rtcp = false)
{
  MikeyKeys keys;
  std::string error;
  EXPECT_TRUE (mikey_keys_from_keymgmt (keymgmt, &keys, &error)) << error;
  SrtpKey key = keys.key_for (ssrc);
  GstHarness *dec = rtcp ? gst_harness_new_with_padnames ("srtpdec", "rtcp_sink", "rtcp_src")
      : gst_harness_new_with_padnames ("srtpdec", "rtp_sink", "rtp_src");
  gchar *text = g_strdup_printf ("%s,media=video,payload=26,clock-rate=90000,"
      "encoding-name=JPEG,ssrc=(uint)%u", rtcp ? "application/x-srtcp" : "application/x-srtp", ssrc);
  GstCaps *caps = gst_caps_from_string (text);
  g_free (text);
  srtp_key_to_structure (key, gst_caps_get_structure (caps, 0), true);
  gst_harness_set_src_caps (dec, caps);
  return dec;
}

bool
payload_is_frame (GstBuffer * clear)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!clear || !gst_rtp_buffer_map (clear, GST_MAP_READ, &rtp))
    return false;
  bool same = gst_rtp_buffer_get_payload_len (&rtp) == 8
      && memcmp (gst_rtp_buffer_get_payload (&rtp), "frame!!!", 8) == 0;
  gst_rtp_buffer_unmap (&rtp);
  return same;
}

void
unref_all (std::vector<GstBuffer *> & buffers)
{
  for (GstBuffer *b : buffers)
    gst_buffer_unref (b);
  buffers.clear ();
}

}  // namespace

/* ---------------------------------------------------------------- SrtpPacketEncoder */

TEST (SrtpPacketEncoder, EncryptsForEveryReaderAlike)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc";
  SrtpPacketEncoder enc;
  ASSERT_TRUE (enc.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  ASSERT_TRUE (enc.ready ());
  std::vector<GstBuffer *> in, out;
  for (uint16_t seq = 100; seq < 110; seq++)
    in.push_back (rtp_packet (42, seq));
  EXPECT_EQ (enc.protect (in.data (), in.size (), false, out), in.size ());
  ASSERT_EQ (out.size (), in.size ());
  /* The input is left as it was (the relay's receive buffers are read-only). */
  EXPECT_TRUE (payload_is_frame (in[0]));
  /* SRTP: header in clear, payload encrypted, a 10-byte tag. */
  GstMapInfo map;
  ASSERT_TRUE (gst_buffer_map (out[0], &map, GST_MAP_READ));
  EXPECT_EQ (map.size, gst_buffer_get_size (in[0]) + 10);
  EXPECT_NE (memcmp (map.data + 12, "frame!!!", 8), 0);
  gst_buffer_unmap (out[0], &map);

  /* Two readers keyed from the same DESCRIBE decrypt the same bytes. */
  std::string keymgmt = enc.keymgmt (42);
  for (int reader = 0; reader < 2; reader++) {
    GstHarness *dec = decoder_for (keymgmt, 42);
    for (GstBuffer *b : out) {
      GstBuffer *clear = gst_harness_push_and_pull (dec, gst_buffer_copy_deep (b));
      EXPECT_TRUE (payload_is_frame (clear));
      if (clear)
        gst_buffer_unref (clear);
    }
    gst_harness_teardown (dec);
  }
  unref_all (in);
  unref_all (out);
}

TEST (SrtpPacketEncoder, DuplicateRefusedTheRestEncrypted)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc";
  SrtpPacketEncoder enc;
  ASSERT_TRUE (enc.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  /* A datagram the network duplicated: its index is used once, the packets after it go on. */
  std::vector<GstBuffer *> in = { rtp_packet (7, 1), rtp_packet (7, 2), rtp_packet (7, 2),
    rtp_packet (7, 3) };
  std::vector<GstBuffer *> out;
  EXPECT_EQ (enc.protect (in.data (), in.size (), false, out), 3u);
  EXPECT_EQ (enc.refused (), 1u);
  unref_all (in);
  unref_all (out);
}

TEST (SrtpPacketEncoder, LateReaderGetsTheRolloverCounter)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc";
  SrtpPacketEncoder enc;
  ASSERT_TRUE (enc.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  MikeyKeys keys;
  std::string error;
  /* Before the first packet: counter 0. */
  ASSERT_TRUE (mikey_keys_from_keymgmt (enc.keymgmt (0), &keys, &error)) << error;
  EXPECT_EQ (keys.key_for (0).roc, 0u);

  std::vector<GstBuffer *> in, out;
  for (uint16_t seq = 65530; seq != 4; seq++)   // the sequence number wraps: ROC 1
    in.push_back (rtp_packet (99, seq));
  ASSERT_EQ (enc.protect (in.data (), in.size (), false, out), in.size ());
  std::string keymgmt = enc.keymgmt (99);
  ASSERT_TRUE (mikey_keys_from_keymgmt (keymgmt, &keys, &error)) << error;
  EXPECT_EQ (keys.key_for (99).roc, 1u);
  EXPECT_EQ (keys.key_for (99).ssrc, 99u);

  /* A reader joining now decrypts what comes next. */
  GstHarness *dec = decoder_for (keymgmt, 99);
  std::vector<GstBuffer *> next = { rtp_packet (99, 4), rtp_packet (99, 5) };
  std::vector<GstBuffer *> secure;
  ASSERT_EQ (enc.protect (next.data (), next.size (), false, secure), 2u);
  for (GstBuffer *b : secure) {
    GstBuffer *clear = gst_harness_push_and_pull (dec, gst_buffer_copy_deep (b));
    EXPECT_TRUE (payload_is_frame (clear));
    if (clear)
      gst_buffer_unref (clear);
  }
  gst_harness_teardown (dec);
  unref_all (in);
  unref_all (out);
  unref_all (next);
  unref_all (secure);
}

TEST (SrtpPacketEncoder, Rtcp)
{
  if (!have_srtp ())
    GTEST_SKIP () << "no srtpenc";
  SrtpPacketEncoder enc;
  ASSERT_TRUE (enc.init (SrtpSuite::AES_128_CM_HMAC_SHA1_80));
  GstBuffer *bye = gst_rtcp_buffer_new (1500);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  gst_rtcp_buffer_map (bye, GST_MAP_READWRITE, &rtcp);
  gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_RR, &packet);
  gst_rtcp_packet_rr_set_ssrc (&packet, 5);
  gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_BYE, &packet);
  gst_rtcp_packet_bye_add_ssrc (&packet, 5);
  gst_rtcp_buffer_unmap (&rtcp);
  std::vector<GstBuffer *> out;
  ASSERT_EQ (enc.protect (&bye, 1, true, out), 1u);
  /* SRTCP: E flag and index (4 bytes) and a 10-byte tag. */
  EXPECT_EQ (gst_buffer_get_size (out[0]), gst_buffer_get_size (bye) + 14);
  GstHarness *dec = decoder_for (enc.keymgmt (5), 5, true);
  GstBuffer *clear = gst_harness_push_and_pull (dec, gst_buffer_copy_deep (out[0]));
  ASSERT_NE (clear, nullptr);
  GstMapInfo a, b;
  gst_buffer_map (clear, &a, GST_MAP_READ);
  gst_buffer_map (bye, &b, GST_MAP_READ);
  EXPECT_EQ (a.size, b.size);
  EXPECT_EQ (memcmp (a.data, b.data, std::min (a.size, b.size)), 0);
  gst_buffer_unmap (clear, &a);
  gst_buffer_unmap (bye, &b);
  gst_buffer_unref (clear);
  gst_harness_teardown (dec);
  gst_buffer_unref (bye);
  unref_all (out);
}

TEST (SrtpPacketEncoder, NothingBeforeInit)
{
  SrtpPacketEncoder enc;
  EXPECT_FALSE (enc.ready ());
  EXPECT_EQ (enc.keymgmt (1), "");
  GstBuffer *p = rtp_packet (1, 1);
  std::vector<GstBuffer *> out;
  EXPECT_EQ (enc.protect (&p, 1, false, out), 0u);
  gst_buffer_unref (p);
}

/* ---------------------------------------------------------------- the server core */

namespace {

const char *kSdp = "v=0\r\no=- 0 0 IN IP4 10.0.0.2\r\ns=x\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=video 5000 RTP/AVP 26\r\na=control:streamid=0\r\n"
    "m=audio 5002 RTP/AVP 97\r\na=rtpmap:97 L16/16000/1\r\na=control:streamid=1\r\n";
const char *kBob = "rtsps://127.0.0.1:8554/meet/bob";
const char *kMeet = "rtsps://127.0.0.1:8554/meet";

/* Participant bob's two streams keyed (as the relay with SRTP enabled), multicast from a pool;
 * and one keyed stream of the element's own. */
class KeyedMedia : public RtspServerLogic::Media {
public:
  std::vector<std::string> events;
  std::map<std::string, size_t> open;
  bool keyed = true;

  std::vector<RtspServerLogic::StreamInfo> streams () override {
    RtspServerLogic::StreamInfo video;
    video.caps = "application/x-rtp, media=(string)video, clock-rate=(int)90000, "
        "encoding-name=(string)JPEG, payload=(int)26";
    video.server_rtp_port = 50000;
    video.server_rtcp_port = 50001;
    video.multicast = true;
    video.keymgmt = "own-key";
    return { video };
  }
  void session_play (const RtspSession & s) override { events.push_back ("play " + s.name); }
  void session_pause (const RtspSession &) override {}
  void session_teardown (const RtspSession &) override {}
  std::vector<RtspServerLogic::StreamInfo> participant_streams (const std::string & name) override {
    std::vector<RtspServerLogic::StreamInfo> infos;
    if (!open.count (name))
      return infos;
    for (size_t i = 0; i < open[name]; i++) {
      RtspServerLogic::StreamInfo info;
      info.server_rtp_port = 6000 + 2 * static_cast<int> (i);
      info.server_rtcp_port = 6001 + 2 * static_cast<int> (i);
      info.multicast = true;
      if (keyed)
        info.keymgmt = "prot=mikey;uri=\"\";data=\"key" + std::to_string (i) + "\"";
      infos.push_back (info);
    }
    return infos;
  }
  bool participant_open (const std::string & name, size_t streams) override {
    open[name] = streams;
    return true;
  }
  void participant_close (const std::string & name) override { open.erase (name); }
  bool multicast_acquire (const std::string & name, unsigned stream, bool srtp,
      MulticastDestination & group) override {
    group = { srtp ? "239.255.42.9" : "239.255.42.1", 5000, 5001, 1 };
    events.push_back ("acquire " + name + "/" + std::to_string (stream) + (srtp ? " srtp" : ""));
    return true;
  }
  void multicast_release (const std::string & name, unsigned stream, bool srtp) override {
    events.push_back ("release " + name + "/" + std::to_string (stream) + (srtp ? " srtp" : ""));
  }
};

class SecureRelayTest : public ::testing::Test {
protected:
  SecureRelayTest () : logic (config (), media) {
    for (uint64_t i = 0; i < 3; i++) {
      conn[i].id = i + 1;
      conn[i].peer_host = "127.0.0.1";
      conn[i].local_host = "127.0.0.1";
      conn[i].secure = i != 2;      // 0 publishes, 1 reads over TLS, 2 reads in plain RTSP
    }
  }
  static RtspServerLogic::Config config () {
    RtspServerLogic::Config c;
    c.allow_publish = true;
    return c;
  }
  RtspResponse request (int c, const std::string & method, const std::string & url,
      std::vector<std::pair<std::string, std::string>> headers = {}, const std::string & body = "") {
    return logic.handle (make (method, url, headers, body), conn[c], 0);
  }
  static std::string session_of (const RtspResponse & r) {
    const std::string *s = r.header ("Session");
    return s ? s->substr (0, s->find (';')) : std::string ();
  }
  void publish () {
    ASSERT_EQ (request (0, "ANNOUNCE", kBob, { { "Content-Type", "application/sdp" } }, kSdp).code,
        200);
    RtspResponse r = request (0, "SETUP", std::string (kBob) + "/streamid=0",
        { { "Transport", "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record" } });
    ASSERT_EQ (r.code, 200);
    std::string id = session_of (r);
    ASSERT_EQ (request (0, "SETUP", std::string (kBob) + "/streamid=1",
            { { "Transport", "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record" },
              { "Session", id } }).code, 200);
    ASSERT_EQ (request (0, "RECORD", kBob, { { "Session", id } }).code, 200);
  }
  KeyedMedia media;
  RtspServerLogic logic;
  RtspConnectionContext conn[3];
};

}  // namespace

TEST_F (SecureRelayTest, DescribeOverTlsIsSavpWithKeys)
{
  publish ();
  RtspResponse secure = request (1, "DESCRIBE", kBob);
  ASSERT_EQ (secure.code, 200);
  EXPECT_NE (secure.body.find ("m=video 0 RTP/SAVP 26"), std::string::npos) << secure.body;
  EXPECT_NE (secure.body.find ("m=audio 0 RTP/SAVP 97"), std::string::npos) << secure.body;
  EXPECT_NE (secure.body.find ("a=key-mgmt:prot=mikey;uri=\"\";data=\"key0\""), std::string::npos)
      << secure.body;
  EXPECT_NE (secure.body.find ("data=\"key1\""), std::string::npos) << secure.body;
  EXPECT_EQ (secure.body.find ("RTP/AVP "), std::string::npos) << secure.body;
  /* A plain reader (encryption=optional) gets the SDP as before: no keys in clear. */
  RtspResponse plain = request (2, "DESCRIBE", "rtsp://127.0.0.1:8554/meet/bob");
  ASSERT_EQ (plain.code, 200);
  EXPECT_EQ (plain.body.find ("key-mgmt"), std::string::npos) << plain.body;
  EXPECT_EQ (plain.body.find ("SAVP"), std::string::npos) << plain.body;
}

TEST_F (SecureRelayTest, UnkeyedParticipantStaysAvpOverTls)
{
  media.keyed = false;    // no srtpenc: interleaved inside TLS is what is left
  publish ();
  RtspResponse r = request (1, "DESCRIBE", kBob);
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (r.body.find ("SAVP"), std::string::npos) << r.body;
  EXPECT_EQ (request (1, "SETUP", std::string (kBob) + "/stream=0",
          { { "Transport", "RTP/SAVP;unicast;client_port=7000-7001" } }).code, 461);
}

TEST_F (SecureRelayTest, SetupSavpUnicastAndPlay)
{
  publish ();
  RtspResponse r = request (1, "SETUP", std::string (kBob) + "/stream=0",
      { { "Transport", "RTP/SAVP;unicast;client_port=7000-7001" } });
  ASSERT_EQ (r.code, 200);
  ASSERT_NE (r.header ("Transport"), nullptr);
  EXPECT_EQ (r.header ("Transport")->rfind ("RTP/SAVP;unicast;client_port=7000-7001;"
          "server_port=6000-6001", 0), 0u) << *r.header ("Transport");
  std::string id = session_of (r);
  const RtspSession *session = logic.find_session (id);
  ASSERT_NE (session, nullptr);
  EXPECT_TRUE (session->streams[0].srtp);
  RtspResponse tcp = request (1, "SETUP", std::string (kBob) + "/stream=1",
      { { "Transport", "RTP/SAVP/TCP;unicast;interleaved=2-3" }, { "Session", id } });
  ASSERT_EQ (tcp.code, 200);
  EXPECT_EQ (tcp.header ("Transport")->rfind ("RTP/SAVP/TCP;unicast;interleaved=2-3", 0), 0u);
  EXPECT_EQ (request (1, "PLAY", kBob, { { "Session", id } }).code, 200);
  EXPECT_EQ (media.events.back (), "play bob");
}

TEST_F (SecureRelayTest, SavpMulticastGroupOfItsOwn)
{
  publish ();
  RtspResponse r = request (1, "SETUP", std::string (kBob) + "/stream=0",
      { { "Transport", "RTP/SAVP;multicast" } });
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (*r.header ("Transport"),
      "RTP/SAVP;multicast;destination=239.255.42.9;port=5000-5001;ttl=1;mode=\"PLAY\"");
  EXPECT_EQ (media.events.back (), "acquire bob/0 srtp");
  std::string id = session_of (r);
  EXPECT_TRUE (logic.find_session (id)->streams[0].srtp);
  EXPECT_TRUE (logic.find_session (id)->streams[0].multicast);
  /* A plain reader's group is another one (a group carries RTP or SRTP, never both). */
  RtspResponse plain = request (2, "SETUP", "rtsp://127.0.0.1:8554/meet/bob/stream=0",
      { { "Transport", "RTP/AVP;multicast" } });
  ASSERT_EQ (plain.code, 200);
  EXPECT_EQ (plain.header ("Transport")->rfind ("RTP/AVP;multicast;destination=239.255.42.1;", 0),
      0u);
  EXPECT_EQ (media.events.back (), "acquire bob/0");
  EXPECT_EQ (request (1, "TEARDOWN", kBob, { { "Session", id } }).code, 200);
  EXPECT_EQ (media.events.back (), "release bob/0 srtp");
}

TEST_F (SecureRelayTest, OwnStreamSavpMulticast)
{
  RtspResponse r = request (1, "SETUP", std::string (kMeet) + "/stream=0",
      { { "Transport", "RTP/SAVP;multicast" } });
  ASSERT_EQ (r.code, 200);
  EXPECT_EQ (r.header ("Transport")->rfind ("RTP/SAVP;multicast;destination=239.255.42.9;", 0),
      0u);
  EXPECT_EQ (media.events.back (), "acquire /0 srtp");
  /* Over plain RTSP no key was given: RTP/SAVP is not offered. */
  EXPECT_EQ (request (2, "SETUP", "rtsp://127.0.0.1:8554/meet/stream=0",
          { { "Transport", "RTP/SAVP;multicast" } }).code, 461);
}

TEST (SecureTransport, SavpMulticastChosenOnlyWhenKeyed)
{
  TransportRequest offer;
  offer.peer_host = "127.0.0.1";
  offer.multicast_offered = true;
  offer.srtp_offered = true;
  TransportChoice c = choose_transport ("RTP/SAVP;multicast", offer);
  ASSERT_TRUE (c.transport.configured);
  EXPECT_TRUE (c.transport.multicast);
  EXPECT_TRUE (c.transport.srtp);
  EXPECT_EQ (transport_reply (c.transport, 0, 0, false).rfind ("RTP/SAVP;multicast;", 0), 0u);
  /* A client's own group stays refused, SRTP or not. */
  EXPECT_EQ (choose_transport ("RTP/SAVP;multicast;destination=239.1.2.3", offer).refusal, 403);
  offer.srtp_offered = false;
  EXPECT_FALSE (choose_transport ("RTP/SAVP;multicast", offer).transport.configured);
  offer.srtp_offered = true;
  offer.multicast_offered = false;
  EXPECT_FALSE (choose_transport ("RTP/SAVP;multicast", offer).transport.configured);
}

TEST (SecureTransport, InsideTlsPlainUdpRefusedReadably)
{
  RtspRequest r = make ("SETUP", "rtsps://127.0.0.1/meet/stream=0",
      { { "Transport", "RTP/AVP;multicast,RTP/SAVP;multicast,RTP/AVP;unicast;client_port=5000-5001" } });
  std::string refusal;
  ASSERT_TRUE (restrict_to_interleaved (r, &refusal));
  EXPECT_EQ (*r.header ("Transport"), "RTP/SAVP;multicast");

  RtspRequest plain = make ("SETUP", "rtsps://127.0.0.1/meet/stream=0",
      { { "Transport", "RTP/AVP;multicast" } });
  ASSERT_FALSE (restrict_to_interleaved (plain, &refusal));
  EXPECT_EQ (refusal.rfind ("RTSP/1.0 461 Unsupported Transport: use RTP/SAVP or TCP over "
          "rtsps://\r\n", 0), 0u) << refusal;
  EXPECT_NE (refusal.find ("CSeq: "), std::string::npos);
  EXPECT_NE (refusal.find ("plain RTP/AVP over UDP is refused"), std::string::npos) << refusal;
  /* The body's length is right: the client's parser stays in step. */
  size_t head = refusal.find ("\r\n\r\n");
  ASSERT_NE (head, std::string::npos);
  size_t length_at = refusal.find ("Content-Length: ");
  ASSERT_NE (length_at, std::string::npos);
  EXPECT_EQ (std::stoul (refusal.substr (length_at + 16)), refusal.size () - head - 4);
}
