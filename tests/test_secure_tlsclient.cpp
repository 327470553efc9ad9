/* Unit tests of the clients' rtsps:// settings (plugins/meet/rtsp/client/rtsptlsclient.h): which
 * locations are TLS, which trust the properties make, settings refused before any connection,
 * and connects that cannot reach anyone (no sockets beyond an unused loopback port). */
#include "rtsptlsclient.h"

#include <gtest/gtest.h>

using namespace meet;

TEST (RtspTlsClient, LocationScheme)
{
  EXPECT_TRUE (rtsp_location_is_tls ("rtsps://127.0.0.1:8554/meet"));
  EXPECT_TRUE (rtsp_location_is_tls ("RTSPS://host/x"));
  EXPECT_FALSE (rtsp_location_is_tls ("rtsp://127.0.0.1:8554/meet"));
  EXPECT_FALSE (rtsp_location_is_tls (""));
  EXPECT_FALSE (rtsp_location_is_tls ("rtsps:"));
}

TEST (RtspTlsClient, TrustFromProperties)
{
  RtspTlsConfig c = rtsp_tls_config ("rtsps://h/x", "", "");
  EXPECT_TRUE (c.enabled);
  EXPECT_EQ (c.trust.mode, TlsTrust::Mode::SYSTEM);
  c = rtsp_tls_config ("rtsps://h/x", "/etc/ca.pem", "");
  EXPECT_EQ (c.trust.mode, TlsTrust::Mode::CA_FILE);
  /* A pin wins over a CA file. */
  c = rtsp_tls_config ("rtsps://h/x", "/etc/ca.pem", "sha256:00");
  EXPECT_EQ (c.trust.mode, TlsTrust::Mode::FINGERPRINT);
  EXPECT_FALSE (rtsp_tls_config ("rtsp://h/x", "/etc/ca.pem", "").enabled);
}

TEST (RtspTlsClient, BadSettingsRefusedBeforeConnecting)
{
  std::string error;
  EXPECT_TRUE (rtsp_tls_config_check (rtsp_tls_config ("rtsp://h/x", "", "nonsense"), error));
  EXPECT_FALSE (rtsp_tls_config_check (rtsp_tls_config ("rtsps://h/x", "", "sha1:00"), error));
  EXPECT_NE (error.find ("tls-fingerprint"), std::string::npos) << error;
  EXPECT_FALSE (rtsp_tls_config_check (rtsp_tls_config ("rtsps://h/x", "/nonexistent/ca.pem", ""),
          error));
  EXPECT_NE (error.find ("/nonexistent/ca.pem"), std::string::npos) << error;
  bool refused = false;
  EXPECT_EQ (rtsp_client_connect ("rtsps://127.0.0.1:1/x", rtsp_tls_config ("rtsps://h/x", "",
              "sha1:00"), 1000000, error, &refused), nullptr);
  EXPECT_TRUE (refused);
}

TEST (RtspTlsClient, NobodyListeningIsWorthARetry)
{
  /* Port 1 on loopback: connection refused, not a TLS problem. */
  std::string reason;
  bool refused = true;
  EXPECT_EQ (rtsp_client_connect ("rtsps://127.0.0.1:1/x", rtsp_tls_config ("rtsps://h/x", "", ""),
          2000000, reason, &refused), nullptr);
  EXPECT_FALSE (refused) << reason;
  EXPECT_NE (reason.find ("127.0.0.1:1"), std::string::npos) << reason;
}
