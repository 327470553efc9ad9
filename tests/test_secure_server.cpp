/* Unit tests of meetrtspsink's rtsps:// decisions (plugins/meet/rtsp/server/rtsptls.h): the
 * first byte telling TLS from RTSP, the answer a plain client of a TLS-only server reads, SETUP
 * kept to interleaved TCP, and a real TLS handshake over a socket pair between
 * tls_server_connection_new and a GIO client deciding with meet::TlsPeerVerifier. */
#include "meetcert.h"
#include "rtsptls.h"
#include "rtspserverlogic.h"
#include "rtsptransport.h"
#include "srtpmikey.h"
#include "tlscerts.h"

#include <gtest/gtest.h>

#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace meet;

namespace {

RtspRequest
setup (const std::string & transport)
{
  RtspRequest r;
  r.method = "SETUP";
  r.uri = "rtsp://127.0.0.1:8554/meet/stream=0";
  r.version = "RTSP/1.0";
  r.headers = {{"CSeq", "3"}, {"Transport", transport}};
  return r;
}

struct SocketPair {
  GSocket *a = nullptr, *b = nullptr;
  SocketPair () {
    int fds[2];
    EXPECT_EQ (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), 0);
    a = g_socket_new_from_fd (fds[0], nullptr);
    b = g_socket_new_from_fd (fds[1], nullptr);
  }
  ~SocketPair () {
    g_object_unref (a);
    g_object_unref (b);
  }
};

}  // namespace

TEST (SecureServer, FirstByte)
{
  EXPECT_EQ (classify_first_byte (0x16), FirstByte::kTls);
  for (int b : std::initializer_list<int> {'O', 'D', 'S', 'P', 'T', 'G', '$', 0x80, 0x15, 0x17, 0})
    EXPECT_EQ (classify_first_byte (static_cast<uint8_t> (b)), FirstByte::kPlain) << b;
  EXPECT_STREQ (rtsp_encryption_name (RtspEncryption::kRequired), "required");

  SocketPair pair;
  g_socket_set_blocking (pair.a, FALSE);
  EXPECT_EQ (peek_opening (pair.a), FirstByte::kPending);
  ASSERT_EQ (g_socket_send (pair.b, "OPTIONS", 7, nullptr, nullptr), 7);
  EXPECT_EQ (peek_opening (pair.a), FirstByte::kPlain);
  /* Peeking consumed nothing. */
  char buf[8] = {0};
  EXPECT_EQ (g_socket_receive (pair.a, buf, 7, nullptr, nullptr), 7);
  EXPECT_STREQ (buf, "OPTIONS");
  g_socket_close (pair.b, nullptr);
  EXPECT_EQ (peek_opening (pair.a), FirstByte::kClosed);
}

/* A TLS client is handed to the handshake (a blocking thread of GLib's pool) only once its
 * whole first record is in: one that stops after a few bytes holds no thread. */
TEST (SecureServer, ClientHelloComplete)
{
  const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 1, 2, 3, 4 };
  EXPECT_EQ (classify_opening (hello, 0), FirstByte::kPending);
  for (size_t n = 1; n < sizeof (hello); n++)
    EXPECT_EQ (classify_opening (hello, n), FirstByte::kTlsIncomplete) << n;
  EXPECT_EQ (classify_opening (hello, sizeof (hello)), FirstByte::kTls);
  const uint8_t plain[] = { 'O', 'P' };
  EXPECT_EQ (classify_opening (plain, 1), FirstByte::kPlain);
  /* A length no TLS record may have: TLS gets it at once and refuses it. */
  const uint8_t huge[] = { 0x16, 0x03, 0x01, 0xff, 0xff };
  EXPECT_EQ (classify_opening (huge, sizeof (huge)), FirstByte::kTls);

  SocketPair pair;
  g_socket_set_blocking (pair.a, FALSE);
  ASSERT_EQ (g_socket_send (pair.b, reinterpret_cast<const gchar *> (hello), 3, nullptr, nullptr), 3);
  EXPECT_EQ (peek_opening (pair.a), FirstByte::kTlsIncomplete);
  ASSERT_EQ (g_socket_send (pair.b, reinterpret_cast<const gchar *> (hello) + 3,
          sizeof (hello) - 3, nullptr, nullptr), static_cast<gssize> (sizeof (hello) - 3));
  EXPECT_EQ (peek_opening (pair.a), FirstByte::kTls);
  /* Still all there for TLS to read. */
  uint8_t buf[sizeof (hello)];
  EXPECT_EQ (g_socket_receive (pair.a, reinterpret_cast<gchar *> (buf), sizeof (buf), nullptr,
          nullptr), static_cast<gssize> (sizeof (hello)));
  EXPECT_EQ (memcmp (buf, hello, sizeof (hello)), 0);
}

TEST (SecureServer, PlainClientRefusedReadably)
{
  RtspRequest r;
  r.method = "DESCRIBE";
  r.headers = {{"CSeq", "7"}};
  std::string out = encryption_required_response (r);
  EXPECT_EQ (out.rfind ("RTSP/1.0 403 Forbidden: this server requires rtsps:// (TLS)\r\n", 0), 0u)
      << out;
  EXPECT_NE (out.find ("CSeq: 7\r\n"), std::string::npos);
  EXPECT_EQ (out.substr (out.size () - 4), "\r\n\r\n");
}

TEST (SecureServer, SetupKeptToInterleaved)
{
  std::string refusal;
  RtspRequest udp = setup ("RTP/AVP;unicast;client_port=5000-5001");
  EXPECT_FALSE (restrict_to_interleaved (udp, &refusal));
  EXPECT_EQ (refusal.compare (0, 34, "RTSP/1.0 461 Unsupported Transport"), 0) << refusal;
  EXPECT_NE (refusal.find ("CSeq: 3\r\n"), std::string::npos);

  RtspRequest both = setup ("RTP/AVP;unicast;client_port=5000-5001, RTP/AVP/TCP;unicast;interleaved=0-1");
  ASSERT_TRUE (restrict_to_interleaved (both, &refusal));
  EXPECT_EQ (*both.header ("Transport"), "RTP/AVP/TCP;unicast;interleaved=0-1");

  RtspRequest tcp = setup ("RTP/AVP/TCP;unicast;interleaved=2-3;mode=record");
  ASSERT_TRUE (restrict_to_interleaved (tcp, &refusal));
  EXPECT_EQ (*tcp.header ("Transport"), "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record");

  RtspRequest savp = setup ("RTP/AVP;unicast;client_port=5000-5001,RTP/SAVP;unicast;client_port=5002-5003");
  ASSERT_TRUE (restrict_to_interleaved (savp, &refusal));
  EXPECT_EQ (*savp.header ("Transport"), "RTP/SAVP;unicast;client_port=5002-5003");

  RtspRequest none = setup ("garbage");
  EXPECT_FALSE (restrict_to_interleaved (none, &refusal));
  RtspRequest missing;
  missing.method = "SETUP";
  EXPECT_FALSE (restrict_to_interleaved (missing, &refusal));
  RtspRequest play;
  play.method = "PLAY";
  EXPECT_TRUE (restrict_to_interleaved (play, &refusal));
}

/* A whole handshake: our server connection, a GIO client pinning the fingerprint (accepted)
 * or trusting the system store (refused, the message naming the unknown CA). */
TEST (SecureServer, HandshakeWithPinnedClient)
{
  CertificatePem pem;
  std::string error;
  CertificateSpec spec;
  spec.dns_names = {"localhost"};
  ASSERT_TRUE (make_certificate (spec, &pem, &error)) << error;
  GTlsCertificate *cert = tls_certificate_from_pem (pem.cert + pem.key, &error);
  ASSERT_NE (cert, nullptr) << error;
  const std::string fp = tls_certificate_fingerprint (cert);

  for (bool pinned : {true, false}) {
    SCOPED_TRACE (pinned ? "pinned" : "system store");
    SocketPair pair;
    GTlsConnection *server = tls_server_connection_new (pair.a, cert, &error);
    ASSERT_NE (server, nullptr) << error;
    /* No trust store parsed for each connection (20 ms of CPU): a server asking no client
     * certificate has no database. */
    EXPECT_EQ (g_tls_connection_get_database (server), nullptr);

    TlsTrust trust;
    if (pinned) {
      trust.mode = TlsTrust::Mode::FINGERPRINT;
      trust.fingerprint = fp;
    }
    TlsPeerVerifier verifier;
    ASSERT_TRUE (verifier.init (trust, &error)) << error;
    GSocketConnection *base = g_socket_connection_factory_create_connection (pair.b);
    GSocketConnectable *identity = g_network_address_new ("localhost", 0);
    GIOStream *client = g_tls_client_connection_new (G_IO_STREAM (base), identity, nullptr);
    ASSERT_NE (client, nullptr);
    g_tls_connection_set_database (G_TLS_CONNECTION (client), verifier.database ());
    struct Ctx {
      TlsPeerVerifier *verifier;
      std::string message;
    } ctx {&verifier, ""};
    g_signal_connect (client, "accept-certificate", G_CALLBACK (+[](GTlsConnection *,
        GTlsCertificate * peer, GTlsCertificateFlags errors, gpointer data) -> gboolean {
          auto *c = static_cast<Ctx *> (data);
          return c->verifier->accept (peer, errors, "localhost", &c->message);
        }), &ctx);

    bool server_ok = false;
    std::thread server_thread ([&] {
      server_ok = g_tls_connection_handshake (server, nullptr, nullptr);
      if (server_ok) {
        gsize n = 0;
        g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (server)),
            "RTSP/1.0 200 OK\r\n", 17, &n, nullptr, nullptr);
      } else {
        g_socket_close (pair.a, nullptr);
      }
    });
    GError *err = nullptr;
    gboolean client_ok = g_tls_connection_handshake (G_TLS_CONNECTION (client), nullptr, &err);
    if (pinned) {
      EXPECT_TRUE (client_ok) << (err ? err->message : "");
      char buf[32] = {0};
      gsize n = 0;
      EXPECT_TRUE (g_input_stream_read_all (g_io_stream_get_input_stream (client), buf, 17, &n,
          nullptr, nullptr));
      EXPECT_STREQ (buf, "RTSP/1.0 200 OK\r\n");
    } else {
      EXPECT_FALSE (client_ok);
      EXPECT_NE (ctx.message.find ("unknown certificate authority"), std::string::npos)
          << ctx.message;
      EXPECT_NE (ctx.message.find (fp), std::string::npos) << ctx.message;
      g_socket_close (pair.b, nullptr);
    }
    g_clear_error (&err);
    server_thread.join ();
    EXPECT_EQ (server_ok, pinned);
    g_object_unref (client);
    g_object_unref (base);
    g_object_unref (identity);
    g_object_unref (server);
  }
  g_object_unref (cert);
}

/* RTP/SAVP in the server core: chosen only when offered (a keyed stream over TLS), said so in the
 * reply; never for publishers or multicast. */
TEST (SecureServer, SavpTransport)
{
  TransportRequest offer;
  offer.peer_host = "127.0.0.1";
  TransportChoice plain = choose_transport ("RTP/SAVP;unicast;client_port=5000-5001", offer);
  EXPECT_FALSE (plain.transport.configured);
  offer.srtp_offered = true;
  TransportChoice savp = choose_transport ("RTP/SAVP;unicast;client_port=5000-5001", offer);
  ASSERT_TRUE (savp.transport.configured);
  EXPECT_TRUE (savp.transport.srtp);
  EXPECT_EQ (transport_reply (savp.transport, 6000, 6001, false),
      "RTP/SAVP;unicast;client_port=5000-5001;server_port=6000-6001;mode=\"PLAY\"");
  TransportChoice tcp = choose_transport ("RTP/SAVP/TCP;unicast;interleaved=0-1", offer);
  ASSERT_TRUE (tcp.transport.configured);
  EXPECT_TRUE (tcp.transport.srtp);
  EXPECT_EQ (transport_reply (tcp.transport, 0, 0, false).rfind ("RTP/SAVP/TCP;unicast;", 0), 0u);
  TransportChoice avp = choose_transport ("RTP/AVP;unicast;client_port=5000-5001", offer);
  ASSERT_TRUE (avp.transport.configured);
  EXPECT_FALSE (avp.transport.srtp);
  offer.multicast_offered = true;
  /* Issue 12: RTP/SAVP;multicast is the stream's SRTP group (tests/test_secure_relay.cpp). */
  TransportChoice group = choose_transport ("RTP/SAVP;multicast", offer);
  EXPECT_TRUE (group.transport.configured && group.transport.multicast && group.transport.srtp);
  /* A publisher's RTP/SAVP: SRTP under its own key (srtpreceiver.h), when it gave one over TLS. */
  offer.publishing = true;
  TransportChoice record = choose_transport ("RTP/SAVP;unicast;client_port=5000-5001;mode=record",
      offer);
  ASSERT_TRUE (record.transport.configured);
  EXPECT_TRUE (record.transport.srtp);
  offer.srtp_offered = false;
  EXPECT_FALSE (choose_transport ("RTP/SAVP;unicast;client_port=5000-5001;mode=record", offer)
      .transport.configured);
}

namespace {

class KeyedMedia : public RtspServerLogic::Media {
public:
  std::vector<RtspServerLogic::StreamInfo> streams () override {
    RtspServerLogic::StreamInfo info;
    info.caps = "application/x-rtp,media=video,encoding-name=JPEG,clock-rate=90000,payload=26";
    info.server_rtp_port = 6000;
    info.server_rtcp_port = 6001;
    info.keymgmt = keymgmt;
    return {info};
  }
  void session_play (const RtspSession &) override {}
  void session_pause (const RtspSession &) override {}
  void session_teardown (const RtspSession &) override {}
  std::string keymgmt;
};

}  // namespace

/* DESCRIBE gives the keys only over TLS; SETUP RTP/SAVP only there. */
TEST (SecureServer, KeysOnlyOverTls)
{
  KeyedMedia media;
  SrtpKey key;
  ASSERT_TRUE (srtp_key_generate (SrtpSuite::AES_128_CM_HMAC_SHA1_80, 42, &key));
  media.keymgmt = mikey_keymgmt_value (key);
  RtspServerLogic logic (RtspServerLogic::Config (), media);
  for (bool secure : {false, true}) {
    SCOPED_TRACE (secure ? "TLS" : "plain");
    RtspConnectionContext connection;
    connection.id = secure ? 2 : 1;
    connection.peer_host = connection.local_host = "127.0.0.1";
    connection.secure = secure;
    RtspRequest describe;
    describe.method = "DESCRIBE";
    describe.uri = std::string (secure ? "rtsps" : "rtsp") + "://127.0.0.1:8554/meet";
    describe.version = "RTSP/1.0";
    describe.headers = {{"CSeq", "1"}};
    RtspResponse r = logic.handle (describe, connection, 0);
    ASSERT_EQ (r.code, 200);
    EXPECT_EQ (r.body.find ("RTP/SAVP") != std::string::npos, secure) << r.body;
    EXPECT_EQ (r.body.find ("a=key-mgmt:" + media.keymgmt) != std::string::npos, secure) << r.body;
    RtspRequest s = setup ("RTP/SAVP;unicast;client_port=5000-5001");
    s.uri = describe.uri + "/stream=0";
    RtspResponse sr = logic.handle (s, connection, 0);
    EXPECT_EQ (sr.code, secure ? 200 : 461);
  }
}
