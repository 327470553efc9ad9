/* Unit tests of publishing as SRTP (issue 11, the publishing side): the RTSP KeyMgmt header
 * (srtpkeymgmt.h), a publisher's keys in its ANNOUNCE and SETUP and meetrtspsink's answers
 * (participants.h, rtspserverlogic.h, srtpreceiver.h), the SSRCs a key is used for, srtpdec
 * driven by hand (SrtpReceiver: clear packets out, forged / replayed / wrong-key ones dropped), and
 * the client's RTP/SAVP SETUP (rtspclientlogic.h). */
#include "participants.h"
#include "rtspclientlogic.h"
#include "rtspserverlogic.h"
#include "srtpkeymgmt.h"
#include "srtpkeys.h"
#include "srtpmikey.h"
#include "srtpreceiver.h"

#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"
#include "rtsp_test_helpers.h"
#include "srtp_test_helpers.h"

#include <cstring>
#include <map>

using namespace meet;
using meet_test::request;

namespace {

std::string
keymgmt_for (uint32_t ssrc, MikeyKeys * out = nullptr)
{
  SrtpKey key;
  EXPECT_TRUE (srtp_key_generate (SrtpSuite::AES_128_CM_HMAC_SHA1_80, ssrc, &key));
  if (out) {
    out->suite = key.suite;
    out->key_salt = key.key_salt;
    out->sessions = { { ssrc, 0 } };
  }
  return mikey_keymgmt_value (key);
}

std::string
savp_sdp (const std::string & keymgmt)
{
  return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"
      "m=video 0 RTP/SAVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n"
      + (keymgmt.empty () ? std::string () : "a=key-mgmt:" + keymgmt + "\r\n");
}

}  // namespace

/* ---------------------------------------------------------------- KeyMgmt header */

TEST (SecurePublishKeyMgmt, HeaderRoundTrip)
{
  std::string header = keymgmt_header_from_attribute ("rtsps://h:1/x/stream=0", "mikey QUJD");
  EXPECT_EQ (header, "prot=mikey; uri=\"rtsps://h:1/x/stream=0\"; data=\"QUJD\"");
  std::string attribute, error;
  ASSERT_TRUE (keymgmt_header_to_attribute (header, &attribute, &error)) << error;
  EXPECT_EQ (attribute, "mikey QUJD");
  /* Unquoted, other protocols first, a URI with ';' and ',' inside its quotes. */
  ASSERT_TRUE (keymgmt_header_to_attribute (
          "prot=other; data=\"eA==\", prot=mikey;uri=\"rtsp://h/a;b,c\";data=ZGF0YQ==",
          &attribute, &error)) << error;
  EXPECT_EQ (attribute, "mikey ZGF0YQ==");
  EXPECT_FALSE (keymgmt_header_to_attribute ("prot=mikey; uri=\"x\"", &attribute, &error));
  EXPECT_NE (error.find ("without data"), std::string::npos) << error;
  EXPECT_FALSE (keymgmt_header_to_attribute ("prot=sdes; data=\"eA==\"", &attribute, &error));
  EXPECT_FALSE (keymgmt_header_to_attribute ("", &attribute, &error));
  EXPECT_FALSE (keymgmt_header_to_attribute (std::string (20000, 'a'), &attribute, &error));
  /* Only MIKEY with data makes a header; a URI cannot break out of its quotes. */
  EXPECT_EQ (keymgmt_header_from_attribute ("rtsp://h/x", "mikey"), "");
  EXPECT_EQ (keymgmt_header_from_attribute ("rtsp://h/x", "sdes abc"), "");
  EXPECT_EQ (keymgmt_header_from_attribute ("rtsp://h/\"x", "mikey QUJD"), "");
}

TEST (SecurePublishKeyMgmt, SetupHeaderReplacesTheAnnouncedKey)
{
  MikeyKeys announced, sent;
  keymgmt_for (1, &announced);
  std::string value = keymgmt_for (2, &sent);
  std::optional<MikeyKeys> key = announced;
  std::string error;
  EXPECT_TRUE (publisher_key_from_setup (nullptr, key, &error));
  EXPECT_EQ (key->key_salt, announced.key_salt);
  std::string header = keymgmt_header_from_attribute ("rtsps://h/x", value);
  ASSERT_TRUE (publisher_key_from_setup (&header, key, &error)) << error;
  EXPECT_EQ (key->key_salt, sent.key_salt);
  ASSERT_EQ (key->sessions.size (), 1u);
  EXPECT_EQ (key->sessions[0].ssrc, 2u);
  std::string bad = "prot=mikey; data=\"AAAA\"";
  EXPECT_FALSE (publisher_key_from_setup (&bad, key, &error));
  EXPECT_EQ (key->key_salt, sent.key_salt);   // unchanged by a bad header
}

/* ---------------------------------------------------------------- ANNOUNCE */

TEST (SecurePublishAnnounce, SavpKeysAreReadAndNeverShownToReaders)
{
  MikeyKeys keys;
  std::string value = keymgmt_for (0x1234, &keys);
  AnnouncedSdp sdp = parse_announced_sdp (savp_sdp (value), 4, "127.0.0.1", "bob");
  ASSERT_EQ (sdp.error, 0) << sdp.error_text;
  ASSERT_EQ (sdp.keys.size (), 1u);
  ASSERT_TRUE (sdp.keys[0].has_value ());
  EXPECT_EQ (sdp.keys[0]->key_salt, keys.key_salt);
  EXPECT_EQ (sdp.keys[0]->sessions.at (0).ssrc, 0x1234u);
  EXPECT_EQ (sdp.reader_sdp.find ("key-mgmt"), std::string::npos) << sdp.reader_sdp;
  EXPECT_EQ (sdp.reader_sdp.find (value.substr (6, 20)), std::string::npos);
  EXPECT_NE (sdp.reader_sdp.find ("m=video 0 RTP/AVP 26"), std::string::npos) << sdp.reader_sdp;

  /* SAVP with its key to come in the SETUP (as rtspclientsink does it), and plain AVP. */
  AnnouncedSdp later = parse_announced_sdp (savp_sdp (""), 4, "127.0.0.1", "bob");
  ASSERT_EQ (later.error, 0);
  ASSERT_EQ (later.keys.size (), 1u);
  EXPECT_FALSE (later.keys[0].has_value ());

  AnnouncedSdp bad = parse_announced_sdp (savp_sdp ("mikey AAAA"), 4, "127.0.0.1", "bob");
  EXPECT_EQ (bad.error, 400);
  EXPECT_NE (bad.error_text.find ("key-mgmt"), std::string::npos) << bad.error_text;
}

/* ---------------------------------------------------------------- SSRCs */

TEST (SecurePublishSsrcs, NamedOnlyElseAFew)
{
  MikeyKeys named;
  named.sessions = { { 7, 0 }, { 9, 0 } };
  SrtpSsrcPolicy policy (named);
  EXPECT_TRUE (policy.admit (7));
  EXPECT_TRUE (policy.admit (9));
  EXPECT_FALSE (policy.admit (8));

  SrtpSsrcPolicy unnamed ((MikeyKeys ()));
  for (uint32_t ssrc = 100; ssrc < 100 + SrtpSsrcPolicy::kMaxUnnamedSsrcs; ssrc++)
    EXPECT_TRUE (unnamed.admit (ssrc));
  EXPECT_FALSE (unnamed.admit (1));
  EXPECT_TRUE (unnamed.admit (100));   // one seen before stays
}

/* ---------------------------------------------------------------- SrtpReceiver */

namespace {

GstBuffer *
rtp_packet (uint32_t ssrc, uint16_t seq, const char *payload = "frame!!!")
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (strlen (payload), 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_ssrc (&rtp, ssrc);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_timestamp (&rtp, seq * 3000u);
  gst_rtp_buffer_set_payload_type (&rtp, 26);
  memcpy (gst_rtp_buffer_get_payload (&rtp), payload, strlen (payload));
  gst_rtp_buffer_unmap (&rtp);
  return buf;
}

GstBuffer *
rtcp_packet (uint32_t ssrc)
{
  GstBuffer *buf = gst_rtcp_buffer_new (1400);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  gst_rtcp_buffer_map (buf, GST_MAP_READWRITE, &rtcp);
  gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_SR, &packet);
  gst_rtcp_packet_sr_set_sender_info (&packet, ssrc, 1, 2, 3, 4);
  gst_rtcp_buffer_unmap (&rtcp);
  return buf;
}

std::vector<uint8_t>
bytes (GstBuffer * buf)
{
  std::vector<uint8_t> out (gst_buffer_get_size (buf));
  gst_buffer_extract (buf, 0, out.data (), out.size ());
  return out;
}

/* What a publisher's srtpenc makes of packets under @keys. */
class Encoder {
public:
  explicit Encoder (const MikeyKeys & keys, bool rtcp = false) {
    GstElement *enc = gst_element_factory_make ("srtpenc", nullptr);
    srtp_key_configure_encoder (keys.key_for (0), enc);
    h_ = gst_harness_new_with_element (enc, rtcp ? "rtcp_sink_0" : "rtp_sink_0",
        rtcp ? "rtcp_src_0" : "rtp_src_0");
    gst_object_unref (enc);
    gst_harness_set_src_caps_str (h_, rtcp ? "application/x-rtcp" :
        "application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26");
  }
  ~Encoder () { gst_harness_teardown (h_); }
  std::vector<uint8_t> protect (GstBuffer * clear) {
    EXPECT_EQ (gst_harness_push (h_, clear), GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull (h_);
    std::vector<uint8_t> b = bytes (out);
    gst_buffer_unref (out);
    return b;
  }
private:
  GstHarness *h_;
};

bool
has_srtp ()
{
  return meet_test::have_srtp () && SrtpReceiver::available ();
}

}  // namespace

TEST (SecurePublishReceiver, DecryptsAndDropsForgedReplayedAndWrongKey)
{
  if (!has_srtp ())
    GTEST_SKIP () << "no srtpenc/srtpdec (gst-plugins-bad)";
  MikeyKeys keys, other;
  keymgmt_for (0xabc, &keys);
  keymgmt_for (0xabc, &other);
  SrtpReceiver receiver;
  std::string error;
  ASSERT_TRUE (receiver.init (keys, &error)) << error;
  Encoder enc (keys), wrong (other);

  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t seq = 1; seq <= 5; seq++) {
    GstBuffer *clear = rtp_packet (0xabc, seq);
    std::vector<uint8_t> expected = bytes (clear);
    std::vector<uint8_t> srtp = enc.protect (clear);
    EXPECT_EQ (srtp.size (), expected.size () + 10);   // the HMAC-SHA1-80 tag
    GstBuffer *out = receiver.unprotect (srtp.data (), srtp.size (), false);
    ASSERT_NE (out, nullptr) << "packet " << seq;
    EXPECT_EQ (bytes (out), expected);
    gst_buffer_unref (out);
    sent.push_back (srtp);
  }
  /* Replayed: the same bytes again. */
  EXPECT_EQ (receiver.unprotect (sent[2].data (), sent[2].size (), false), nullptr);
  /* Tampered: one payload bit flipped. */
  std::vector<uint8_t> tampered = enc.protect (rtp_packet (0xabc, 6));
  tampered[14] ^= 0x01;
  EXPECT_EQ (receiver.unprotect (tampered.data (), tampered.size (), false), nullptr);
  /* Under another key. */
  std::vector<uint8_t> forged = wrong.protect (rtp_packet (0xabc, 7));
  EXPECT_EQ (receiver.unprotect (forged.data (), forged.size (), false), nullptr);
  /* Plain RTP where SRTP is expected, an SSRC the key was not given for, a runt. */
  GstBuffer *clear8 = rtp_packet (0xabc, 8);
  std::vector<uint8_t> plain = bytes (clear8);
  gst_buffer_unref (clear8);
  EXPECT_EQ (receiver.unprotect (plain.data (), plain.size (), false), nullptr);
  std::vector<uint8_t> stranger = enc.protect (rtp_packet (0xdef, 1));
  EXPECT_EQ (receiver.unprotect (stranger.data (), stranger.size (), false), nullptr);
  EXPECT_EQ (receiver.unprotect (plain.data (), 5, false), nullptr);
  EXPECT_EQ (receiver.rejected (), 6u);
  EXPECT_EQ (receiver.accepted (), 5u);
  /* ... and the stream goes on. */
  std::vector<uint8_t> next = enc.protect (rtp_packet (0xabc, 9));
  GstBuffer *out = receiver.unprotect (next.data (), next.size (), false);
  ASSERT_NE (out, nullptr);
  gst_buffer_unref (out);
}

TEST (SecurePublishReceiver, Srtcp)
{
  if (!has_srtp ())
    GTEST_SKIP () << "no srtpenc/srtpdec (gst-plugins-bad)";
  MikeyKeys keys;
  keymgmt_for (0x55, &keys);
  SrtpReceiver receiver;
  std::string error;
  ASSERT_TRUE (receiver.init (keys, &error)) << error;
  Encoder enc (keys, true);
  GstBuffer *clear = rtcp_packet (0x55);
  std::vector<uint8_t> expected = bytes (clear);
  std::vector<uint8_t> srtcp = enc.protect (clear);
  GstBuffer *out = receiver.unprotect (srtcp.data (), srtcp.size (), true);
  ASSERT_NE (out, nullptr);
  EXPECT_EQ (bytes (out), expected);
  gst_buffer_unref (out);
  EXPECT_EQ (receiver.unprotect (srtcp.data (), srtcp.size (), true), nullptr);   // replayed
}

TEST (SecurePublishReceiver, RefusesABadKey)
{
  MikeyKeys keys;
  keys.key_salt = { 1, 2, 3 };
  SrtpReceiver receiver;
  std::string error;
  EXPECT_FALSE (receiver.init (keys, &error));
  EXPECT_FALSE (error.empty ());
  uint8_t packet[20] = { 0x80 };
  EXPECT_EQ (receiver.unprotect (packet, sizeof (packet), false), nullptr);
}

/* ---------------------------------------------------------------- meetrtspsink's answers */

namespace {

class PublishMedia : public meet_test::ParticipantMedia {
public:
  bool participant_srtp (const std::string & name, size_t stream, const MikeyKeys & keys) override {
    keyed[name + "/" + std::to_string (stream)] = keys;
    return can_decrypt;
  }
  void participant_record (const RtspSession & s) override {
    recorded_srtp = !s.streams.empty () && s.streams[0].srtp;
  }
  std::map<std::string, MikeyKeys> keyed;
  bool can_decrypt = true;
  bool recorded_srtp = false;
};

struct Server {
  PublishMedia media;
  RtspServerLogic logic;
  RtspConnectionContext conn;
  explicit Server (bool secure) : logic (config (), media) {
    conn.id = 1;
    conn.peer_host = conn.local_host = "127.0.0.1";
    conn.secure = secure;
  }
  static RtspServerLogic::Config config () {
    RtspServerLogic::Config c;
    c.allow_publish = true;
    return c;
  }
  RtspResponse announce (const std::string & sdp) {
    return logic.handle (request ("ANNOUNCE", "rtsps://127.0.0.1:8554/meet/bob",
            { { "Content-Type", "application/sdp" } }, 1, sdp), conn, 0);
  }
  RtspResponse setup (const std::string & transport,
      std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.insert (extra.begin (), { "Transport", transport });
    return logic.handle (request ("SETUP", "rtsps://127.0.0.1:8554/meet/bob/stream=0", extra),
        conn, 0);
  }
};

const char *kSavpUdp = "RTP/SAVP;unicast;client_port=5000-5001;mode=record";

}  // namespace

TEST (SecurePublishServer, SavpPublisherOverTls)
{
  Server server (true);
  MikeyKeys keys;
  ASSERT_EQ (server.announce (savp_sdp (keymgmt_for (0x99, &keys))).code, 200);
  RtspResponse r = server.setup (kSavpUdp);
  ASSERT_EQ (r.code, 200) << r.body;
  const std::string & transport = *r.header ("Transport");
  EXPECT_EQ (transport.rfind ("RTP/SAVP;unicast;client_port=5000-5001;server_port=", 0), 0u)
      << transport;
  ASSERT_EQ (server.media.keyed.count ("bob/0"), 1u);
  EXPECT_EQ (server.media.keyed["bob/0"].key_salt, keys.key_salt);
  std::string session = r.header ("Session")->substr (0, r.header ("Session")->find (';'));
  EXPECT_EQ (server.logic.handle (request ("RECORD", "rtsps://127.0.0.1:8554/meet/bob",
              { { "Session", session } }), server.conn, 0).code, 200);
  EXPECT_TRUE (server.media.recorded_srtp);
}

TEST (SecurePublishServer, KeyInTheSetupAsRtspclientsinkSendsIt)
{
  Server server (true);
  ASSERT_EQ (server.announce (savp_sdp ("")).code, 200);
  /* No key yet: RTP/SAVP cannot be taken. */
  RtspResponse keyless = server.setup (kSavpUdp);
  EXPECT_EQ (keyless.code, 461);
  EXPECT_NE (keyless.body.find ("no SRTP key"), std::string::npos) << keyless.body;
  MikeyKeys keys;
  std::string header = keymgmt_header_from_attribute ("rtsps://127.0.0.1:8554/meet/bob/stream=0",
      keymgmt_for (0x77, &keys));
  RtspResponse r = server.setup (kSavpUdp, { { "KeyMgmt", header } });
  ASSERT_EQ (r.code, 200) << r.body;
  EXPECT_EQ (server.media.keyed["bob/0"].key_salt, keys.key_salt);
  RtspResponse bad = server.setup (kSavpUdp, { { "KeyMgmt", "prot=mikey; data=\"AAAA\"" } });
  EXPECT_EQ (bad.code, 400);
  EXPECT_NE (bad.body.find ("KeyMgmt"), std::string::npos) << bad.body;
}

TEST (SecurePublishServer, NoSavpWithoutTlsOrWithoutSrtpdec)
{
  {
    /* A key sent in clear protects nothing: no RTP/SAVP on a plain connection. */
    Server plain (false);
    ASSERT_EQ (plain.announce (savp_sdp (keymgmt_for (1))).code, 200);
    RtspResponse r = plain.setup (kSavpUdp);
    EXPECT_EQ (r.code, 461);
    EXPECT_NE (r.body.find ("rtsps://"), std::string::npos) << r.body;
    EXPECT_TRUE (plain.media.keyed.empty ());
  }
  {
    Server server (true);
    server.media.can_decrypt = false;
    ASSERT_EQ (server.announce (savp_sdp (keymgmt_for (1))).code, 200);
    RtspResponse r = server.setup (kSavpUdp);
    EXPECT_EQ (r.code, 461);
    EXPECT_NE (r.body.find ("srtpdec"), std::string::npos) << r.body;
  }
  {
    /* Interleaved inside TLS stays fine for a keyed stream. */
    Server server (true);
    ASSERT_EQ (server.announce (savp_sdp (keymgmt_for (1))).code, 200);
    RtspResponse r = server.setup ("RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
    ASSERT_EQ (r.code, 200);
    EXPECT_EQ (r.header ("Transport")->rfind ("RTP/AVP/TCP", 0), 0u);
  }
}

/* ---------------------------------------------------------------- the client's SETUP */

namespace {

RtspClientLogic::Event
feed (RtspClientLogic & logic, const std::string & text)
{
  return logic.handle_raw_response (reinterpret_cast<const uint8_t *> (text.data ()), text.size ());
}

const std::string *
header_of (const RtspClientRequest & r, const std::string & name)
{
  for (const auto & h : r.headers)
    if (h.first == name)
      return &h.second;
  return nullptr;
}

/* A publishing client over rtsps:// up to its first SETUP. */
RtspClientRequest
first_setup (RtspClientLogic & logic, const std::string & keymgmt)
{
  EXPECT_TRUE (logic.set_location ("rtsps://127.0.0.1:8554/meet/alice"));
  logic.set_allowed_transports (true, true);
  logic.set_publish ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"
      "m=video 0 RTP/SAVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n", { "stream=0" });
  logic.set_srtp_keymgmt ({ keymgmt });
  logic.set_target (RtspClientLogic::State::Playing);
  EXPECT_EQ (logic.next_request ()->method, GST_RTSP_OPTIONS);
  feed (logic, "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, ANNOUNCE, SETUP, RECORD\r\n\r\n");
  EXPECT_EQ (logic.next_request ()->method, GST_RTSP_ANNOUNCE);
  EXPECT_EQ (feed (logic, "RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n"), RtspClientLogic::Event::Described);
  logic.set_client_ports (0, 5000, 5001);
  auto setup = logic.next_request ();
  EXPECT_TRUE (setup && setup->method == GST_RTSP_SETUP);
  return setup ? *setup : RtspClientRequest ();
}

}  // namespace

TEST (SecurePublishClient, SavpSetupCarriesTheKey)
{
  RtspClientLogic logic;
  std::string keymgmt = keymgmt_for (5);
  RtspClientRequest setup = first_setup (logic, keymgmt);
  ASSERT_NE (header_of (setup, "Transport"), nullptr);
  EXPECT_EQ (*header_of (setup, "Transport"), "RTP/SAVP;unicast;client_port=5000-5001;mode=record");
  ASSERT_NE (header_of (setup, "KeyMgmt"), nullptr);
  std::string attribute, error;
  ASSERT_TRUE (keymgmt_header_to_attribute (*header_of (setup, "KeyMgmt"), &attribute, &error));
  EXPECT_EQ (attribute, keymgmt);
  EXPECT_NE (header_of (setup, "KeyMgmt")->find ("127.0.0.1:8554/meet/alice/stream=0\""),
      std::string::npos) << *header_of (setup, "KeyMgmt");
  EXPECT_EQ (feed (logic, "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 9\r\nTransport: "
          "RTP/SAVP;unicast;client_port=5000-5001;server_port=6000-6001;mode=record\r\n\r\n"),
      RtspClientLogic::Event::SetupDone);
  EXPECT_TRUE (logic.streams ()[0].srtp);
}

TEST (SecurePublishClient, PlainAnswerToSavpIsRefused)
{
  RtspClientLogic logic;
  first_setup (logic, keymgmt_for (5));
  EXPECT_EQ (feed (logic, "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 9\r\nTransport: "
          "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001;mode=record\r\n\r\n"),
      RtspClientLogic::Event::Failed);
  EXPECT_NE (logic.error ().find ("in clear"), std::string::npos) << logic.error ();
}

TEST (SecurePublishClient, RefusedSavpFallsBackInsideTls)
{
  RtspClientLogic logic;
  first_setup (logic, keymgmt_for (5));
  EXPECT_EQ (feed (logic, "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 3\r\n\r\n"),
      RtspClientLogic::Event::TransportFallback);
  auto again = logic.next_request ();
  ASSERT_TRUE (again);
  EXPECT_EQ (header_of (*again, "Transport")->rfind ("RTP/AVP/TCP;unicast;interleaved=0-1", 0), 0u);
  EXPECT_EQ (header_of (*again, "KeyMgmt"), nullptr);
  EXPECT_EQ (feed (logic, "RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 9\r\nTransport: "
          "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n"),
      RtspClientLogic::Event::SetupDone);
  EXPECT_FALSE (logic.streams ()[0].srtp);
}
