/* meetstream: rtsps:// for the RTSP clients. See rtsptlsclient.h. */
#include "rtsptlsclient.h"

#include <memory>

GST_DEBUG_CATEGORY_STATIC (meet_rtsp_tls_client_debug);
#define GST_CAT_DEFAULT meet_rtsp_tls_client_debug

namespace meet {

namespace {

void
init_debug ()
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (meet_rtsp_tls_client_debug, "meetrtsp-tls", 0,
        "meetstream RTSP client TLS (rtsps://)");
    g_once_init_leave (&once, 1);
  }
}

/* What the accept-certificate function shares with the connect: owned by the connection (its
 * destroy notify), read after the connect. */
struct AcceptState {
  TlsPeerVerifier verifier;
  std::string host;
  bool asked = false;
  std::string refusal;
};

gboolean
accept_certificate (GTlsConnection *, GTlsCertificate *peer, GTlsCertificateFlags errors,
    gpointer user_data)
{
  auto *state = static_cast<AcceptState *> (user_data);
  state->asked = true;
  std::string message;
  if (state->verifier.accept (peer, errors, state->host, &message)) {
    GST_INFO ("accepted the certificate of %s (%s)", state->host.c_str (),
        tls_certificate_fingerprint (peer).c_str ());
    return TRUE;
  }
  state->refusal = message;
  GST_WARNING ("refusing the certificate of %s: %s", state->host.c_str (), message.c_str ());
  return FALSE;
}

/* A database that trusts nothing: with a pinned fingerprint GIO must always ask
 * accept-certificate (it asks only about certificates it finds fault with, and the system store
 * may trust the pinned server's CA), and GstRTSPConnection does not hand out the TLS connection
 * of a GSocketClient connect for a check afterwards. GIO has no such database of its own. */
struct MeetDistrustDatabase {
  GTlsDatabase parent;
};
struct MeetDistrustDatabaseClass {
  GTlsDatabaseClass parent_class;
};
GType distrust_database_get_type ();

GTlsCertificateFlags
distrust_verify_chain (GTlsDatabase *, GTlsCertificate *, const gchar *, GSocketConnectable *,
    GTlsInteraction *, GTlsDatabaseVerifyFlags, GCancellable *, GError **)
{
  return G_TLS_CERTIFICATE_UNKNOWN_CA;
}

GTlsCertificate *
distrust_lookup_issuer (GTlsDatabase *, GTlsCertificate *, GTlsInteraction *,
    GTlsDatabaseLookupFlags, GCancellable *, GError **)
{
  return nullptr;
}

GList *
distrust_lookup_issued_by (GTlsDatabase *, GByteArray *, GTlsInteraction *,
    GTlsDatabaseLookupFlags, GCancellable *, GError **)
{
  return nullptr;
}

void
distrust_database_class_init (MeetDistrustDatabaseClass *klass)
{
  GTlsDatabaseClass *db = G_TLS_DATABASE_CLASS (klass);
  db->verify_chain = distrust_verify_chain;
  db->lookup_certificate_issuer = distrust_lookup_issuer;
  db->lookup_certificates_issued_by = distrust_lookup_issued_by;
}

void
distrust_database_init (MeetDistrustDatabase *)
{
}

/* Registered once per process by whichever copy of this file comes first: meetsrv and meetcli link
 * it (their roster watch) and load the plugin, which holds a copy of its own (the same code). */
GType
distrust_database_get_type ()
{
  static gsize type = 0;
  if (g_once_init_enter (&type)) {
    GType t = g_type_from_name ("MeetDistrustDatabase");
    if (t == 0)
      t = g_type_register_static_simple (G_TYPE_TLS_DATABASE, g_intern_static_string ("MeetDistrustDatabase"),
          sizeof (MeetDistrustDatabaseClass), (GClassInitFunc) (void (*) (void)) distrust_database_class_init,
          sizeof (MeetDistrustDatabase), (GInstanceInitFunc) (void (*) (void)) distrust_database_init,
          static_cast<GTypeFlags> (0));
    g_once_init_leave (&type, t);
  }
  return type;
}

/* Whether anything listens on host:port over plain TCP (a TLS connect that failed without a
 * refused certificate: a server that is down, or one that does not speak TLS). */
bool
tcp_reachable (const std::string &host, guint16 port, int64_t timeout_us)
{
  GSocketClient *client = g_socket_client_new ();
  g_socket_client_set_timeout (client, static_cast<guint> (MAX (1, timeout_us / G_USEC_PER_SEC)));
  GSocketConnection *c = g_socket_client_connect_to_host (client, host.c_str (), port, nullptr,
      nullptr);
  bool ok = c != nullptr;
  if (c) {
    g_io_stream_close (G_IO_STREAM (c), nullptr, nullptr);
    g_object_unref (c);
  }
  g_object_unref (client);
  return ok;
}

}  // namespace

bool
rtsp_location_is_tls (const std::string &location)
{
  return g_ascii_strncasecmp (location.c_str (), "rtsps://", 8) == 0;
}

RtspTlsConfig
rtsp_tls_config (const std::string &location, const std::string &ca_file,
    const std::string &fingerprint)
{
  RtspTlsConfig c;
  c.enabled = rtsp_location_is_tls (location);
  c.trust.ca_file = ca_file;
  c.trust.fingerprint = fingerprint;
  if (!fingerprint.empty ())
    c.trust.mode = TlsTrust::Mode::FINGERPRINT;
  else if (!ca_file.empty ())
    c.trust.mode = TlsTrust::Mode::CA_FILE;
  else
    c.trust.mode = TlsTrust::Mode::SYSTEM;
  return c;
}

bool
rtsp_tls_config_check (const RtspTlsConfig &tls, std::string &error)
{
  if (!tls.enabled)
    return true;
  TlsPeerVerifier verifier;
  std::string why;
  if (!verifier.init (tls.trust, &why)) {
    error = tls.trust.mode == TlsTrust::Mode::FINGERPRINT
        ? "tls-fingerprint: " + why : "tls-ca-file: " + why;
    return false;
  }
  return true;
}

GstRTSPConnection *
rtsp_client_connect (const std::string &uri, const RtspTlsConfig &tls, int64_t timeout_us,
    std::string &reason, bool *refused)
{
  init_debug ();
  if (refused)
    *refused = false;
  GstRTSPUrl *url = nullptr;
  if (gst_rtsp_url_parse (uri.c_str (), &url) != GST_RTSP_OK || url == nullptr
      || url->host == nullptr) {
    if (url)
      gst_rtsp_url_free (url);
    reason = "bad URL '" + uri + "'";
    if (refused)
      *refused = true;
    return nullptr;
  }
  const std::string host = url->host;
  guint16 port = 554;
  gst_rtsp_url_get_port (url, &port);
  const std::string where = host + ":" + std::to_string (port);

  std::unique_ptr<AcceptState> state;
  if (tls.enabled) {
    state = std::make_unique<AcceptState> ();
    state->host = host;
    if (!state->verifier.init (tls.trust, &reason)) {
      if (refused)
        *refused = true;
      gst_rtsp_url_free (url);
      return nullptr;
    }
    /* The URL decides TLS for gst_rtsp_connection_create: whatever scheme the caller's URI
     * has, an rtsps:// location connects over TLS and never in clear. */
    url->transports = static_cast<GstRTSPLowerTrans> (GST_RTSP_LOWER_TRANS_TCP |
        GST_RTSP_LOWER_TRANS_TLS);
  } else {
    url->transports = static_cast<GstRTSPLowerTrans> (url->transports & ~GST_RTSP_LOWER_TRANS_TLS);
  }

  GstRTSPConnection *conn = nullptr;
  GstRTSPResult res = gst_rtsp_connection_create (url, &conn);
  gst_rtsp_url_free (url);
  AcceptState *shared = nullptr;
  if (res == GST_RTSP_OK && state) {
    gst_rtsp_connection_set_tls_validation_flags (conn, G_TLS_CERTIFICATE_VALIDATE_ALL);
    if (tls.trust.mode == TlsTrust::Mode::FINGERPRINT) {
      GTlsDatabase *none = G_TLS_DATABASE (g_object_new (distrust_database_get_type (), nullptr));
      gst_rtsp_connection_set_tls_database (conn, none);
      g_object_unref (none);
    } else {
      gst_rtsp_connection_set_tls_database (conn, state->verifier.database ());
    }
    shared = state.release ();
    gst_rtsp_connection_set_accept_certificate_func (conn, accept_certificate, shared,
        [](gpointer p) { delete static_cast<AcceptState *> (p); });
  }
  if (res == GST_RTSP_OK)
    res = gst_rtsp_connection_connect_usec (conn, timeout_us);
  if (res == GST_RTSP_OK && shared) {
    /* GIO asks accept-certificate only about a certificate it found fault with: the pin (and the
     * verifier's wording) must also hold for one the database trusts. */
    GError *err = nullptr;
    GTlsConnection *tlsconn = gst_rtsp_connection_get_tls (conn, &err);
    g_clear_error (&err);
    std::string message;
    if (tlsconn && !shared->asked) {
      GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tlsconn);
      if (!shared->verifier.accept (peer, g_tls_connection_get_peer_certificate_errors (tlsconn),
              host, &message)) {
        shared->refusal = message;
        res = GST_RTSP_ERROR;
      }
    } else if (!shared->asked && tls.trust.mode == TlsTrust::Mode::FINGERPRINT) {
      /* Cannot happen with the database above: GIO asks about every certificate. */
      shared->refusal = "the server's certificate was not checked against the pinned fingerprint";
      res = GST_RTSP_ERROR;
    }
    if (res == GST_RTSP_OK)
      GST_INFO ("TLS to %s established", where.c_str ());
  }
  if (res != GST_RTSP_OK) {
    gchar *text = gst_rtsp_strresult (res);
    if (shared && !shared->refusal.empty ()) {
      reason = "refused the server at " + where + ": " + shared->refusal;
      if (refused)
        *refused = true;
    } else if (shared && tcp_reachable (host, port, timeout_us)) {
      reason = "the server at " + where + " accepts connections but not the TLS handshake ("
          + text + "): it may serve plain rtsp:// only; an rtsps:// URL is never tried in clear";
      if (refused)
        *refused = true;
    } else {
      reason = "could not connect to " + where + (shared ? " over TLS" : "") + " (" + text + ")";
    }
    g_free (text);
    if (conn)
      gst_rtsp_connection_free (conn);
    return nullptr;
  }
  for (GSocket *socket : {gst_rtsp_connection_get_read_socket (conn),
          gst_rtsp_connection_get_write_socket (conn)})
    if (socket)
      g_socket_set_timeout (socket, 0);
  return conn;
}

}  // namespace meet
