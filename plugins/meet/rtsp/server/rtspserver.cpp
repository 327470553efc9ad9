/* meetstream: meetrtspsink's RTSP server as one part. See rtspserver.h. */
#include "rtspserver.h"

#include <cstring>

GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

namespace meet {

namespace {

GSocket *
listen_on (const std::string & address, unsigned port, RtspServer::Error & failure)
{
  GInetAddress *ia = g_inet_address_new_from_string (address.c_str ());
  if (!ia) {
    failure.code = GST_RESOURCE_ERROR_SETTINGS;
    failure.message = "'" + address + "' is not an IP address. Set the address property to an "
        "address of this machine, or 0.0.0.0 for all of them.";
    return nullptr;
  }
  GError *error = nullptr;
  GSocket *socket = g_socket_new (g_inet_address_get_family (ia), G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  GSocketAddress *sa = g_inet_socket_address_new (ia, port);
  g_object_unref (ia);
  bool bound = socket && g_socket_bind (socket, sa, TRUE, &error);
  g_object_unref (sa);
  failure.code = GST_RESOURCE_ERROR_OPEN_READ_WRITE;
  if (!bound) {
    std::string why = error ? error->message : "unknown error";
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
      failure.message = "Port " + std::to_string (port) + " is in use: " + why
          + ". Choose another port, or 0 to let the system pick a free one.";
    else
      failure.message = "Cannot listen on " + address + " port " + std::to_string (port) + ": "
          + why + ". Check the address and port properties.";
    g_clear_error (&error);
    g_clear_object (&socket);
    return nullptr;
  }
  g_socket_set_listen_backlog (socket, 128);
  if (!g_socket_listen (socket, &error)) {
    failure.message = "Cannot listen on " + address + " port " + std::to_string (port) + ": "
        + error->message + ". Choose another port, or 0.";
    g_clear_error (&error);
    g_object_unref (socket);
    return nullptr;
  }
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

}  // namespace

bool
RtspServer::start (const Settings & settings, Error & error)
{
  std::optional<MulticastPool> pool;
  if (!settings.multicast_pool.empty ()) {
    std::string why;
    pool = MulticastPool::parse (settings.multicast_pool, settings.multicast_ports,
        settings.multicast_ttl, why);
    if (!pool) {
      error.code = GST_RESOURCE_ERROR_SETTINGS;
      error.message = why + ". Set multicast-address-pool (empty for no multicast).";
      return false;
    }
  }

  RtspServerIO::Security security;
  security.encryption = settings.tls.encryption;
  std::string tls_error;
  if (!rtsp_tls_certificate_for (settings.tls, &security.certificate, &tls_error)) {
    error.code = GST_RESOURCE_ERROR_SETTINGS;
    error.message = tls_error + ".";
    return false;
  }

  GSocket *socket = listen_on (settings.address, settings.port, error);
  if (!socket) {
    g_clear_object (&security.certificate);
    return false;
  }
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  bound_port_ = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);

  std::vector<RtspStream *> streams = media_.streams_snapshot ();
  for (RtspStream *s : streams) {
    std::string why;
    if (!s->bind (settings.address, why)) {
      for (RtspStream *opened : streams)
        opened->close_sockets ();
      g_object_unref (socket);
      g_clear_object (&security.certificate);
      bound_port_ = 0;
      error.code = GST_RESOURCE_ERROR_OPEN_READ_WRITE;
      error.message = "Cannot open the RTP/RTCP ports of stream " + std::to_string (s->pad_index ())
          + " on " + settings.address + ": " + why + ". Set the address property to an address "
          "of this machine (or 0.0.0.0).";
      return false;
    }
    s->apply_sockets ();
  }

  io_.reset (new RtspServerIO ());
  RtspServerIO *io = io_.get ();
  relay_.reset (new ParticipantRelay (io->context (), settings.address,
          [io](uint64_t connection_id, uint8_t channel, const uint8_t * data, size_t size) {
            ConnectionPtr connection = io->find_connection (connection_id);
            if (!connection || size > G_MAXUINT16)
              return;
            std::string frame (4 + size, '\0');
            frame[0] = '$';
            frame[1] = static_cast<char> (channel);
            frame[2] = static_cast<char> (size >> 8);
            frame[3] = static_cast<char> (size & 0xff);
            memcpy (&frame[4], data, size);
            connection_send_frame (connection, frame);
          }));
  /* SRTP for the streams' UDP readers over TLS (srtpsender.h): encrypted only when TLS is on. */
  for (RtspStream *s : media_.streams_snapshot ())
    s->set_srtp_enabled (security.encryption != RtspEncryption::kNone);
  relay_->set_srtp_enabled (security.encryption != RtspEncryption::kNone);
  media_.attach (io, relay_.get (), std::move (pool), io->context (), settings.address);
  logic_.reset (new RtspServerLogic (settings.logic, media_));

  const RtspServerLogic::Config & config = settings.logic;
  RtspServerIO::Limits limits;
  limits.max_connections = 2 * config.max_sessions + 4;
  limits.max_connections_per_host = config.max_sessions / 4 + 2;
  limits.session_timeout_us = static_cast<gint64> (config.session_timeout_s) * G_USEC_PER_SEC;
  RtspServerIO::Hooks hooks;
  hooks.tick = [this](gint64 now) { media_.collect_rtcp (*logic_, now); };
  hooks.changed = [this] { update_clients (); };
  hooks.stopping = [this] {
    relay_->close_all ();
    media_.detach ();
  };
  io->set_security (security);
  io->start (socket, bound_port_, *logic_, relay_.get (), limits, hooks);
  g_object_unref (socket);
  g_clear_object (&security.certificate);
  GST_INFO ("serving rtsp%s://%s:%u%s (encryption %s)",
      security.encryption == RtspEncryption::kNone ? "" : "s", settings.address.c_str (),
      bound_port_.load (), config.path.c_str (), rtsp_encryption_name (security.encryption));
  return true;
}

void
RtspServer::stop ()
{
  if (!io_)
    return;
  io_->stop ();
  /* The thread is gone: what used its context goes before the context. */
  media_.detach ();
  relay_.reset ();
  logic_.reset ();
  io_.reset ();
  bound_port_ = 0;
  clients_ = 0;
  for (RtspStream *s : media_.streams_snapshot ())
    s->close_sockets ();
}

void
RtspServer::update_clients ()
{
  clients_ = logic_ ? logic_->playing_sessions () : 0;
}

void
RtspServer::run_on_thread (const std::function<void ()> & func)
{
  if (io_)
    io_->run_on_thread (func);
  else
    func ();
}

void
RtspServer::teardown_all ()
{
  run_on_thread ([this] {
        if (logic_)
          logic_->teardown_all ();
        update_clients ();
      });
}

}  // namespace meet
