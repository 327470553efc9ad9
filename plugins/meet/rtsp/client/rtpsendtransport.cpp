/* meetstream: where one published stream's packets go. See rtpsendtransport.h. */
#include "rtpsendtransport.h"

namespace meet {

namespace {

GSocket *
bind_socket (GSocketFamily family, int port, GError **error)
{
  GSocket *socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (!socket)
    return nullptr;
  GInetAddress *any = g_inet_address_new_any (family);
  GSocketAddress *address = g_inet_socket_address_new (any, static_cast<guint16> (port));
  g_object_unref (any);
  if (!g_socket_bind (socket, address, FALSE, error))
    g_clear_object (&socket);
  g_object_unref (address);
  return socket;
}

int
local_port (GSocket *socket)
{
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  int port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);
  return port;
}

}  // namespace

bool
interleaved_header (uint8_t channel, size_t size, uint8_t head[4])
{
  if (size > 0xffff)
    return false;
  head[0] = '$';
  head[1] = channel;
  head[2] = static_cast<uint8_t> (size >> 8);
  head[3] = static_cast<uint8_t> (size & 0xff);
  return true;
}

RtpSendTransport::~RtpSendTransport ()
{
  close ();
}

void
RtpSendTransport::close_locked ()
{
  mode_ = Mode::kNone;
  g_clear_object (&rtp_socket_);
  g_clear_object (&rtcp_socket_);
  g_clear_object (&rtp_to_);
  g_clear_object (&rtcp_to_);
  writer_ = nullptr;
}

void
RtpSendTransport::close ()
{
  std::lock_guard<std::mutex> lock (lock_);
  close_locked ();
}

bool
RtpSendTransport::bind_udp (GSocketFamily family, int &rtp_port, int &rtcp_port, std::string &error)
{
  std::lock_guard<std::mutex> lock (lock_);
  close_locked ();
  GError *err = nullptr;
  /* An even port from the system, then the one above it; another pair when that one is taken. */
  for (int tries = 0; tries < 32; tries++) {
    GSocket *rtp = bind_socket (family, 0, &err);
    if (!rtp)
      break;
    int port = local_port (rtp);
    if (port % 2 != 0 || port >= 65535) {
      g_object_unref (rtp);
      continue;
    }
    GSocket *rtcp = bind_socket (family, port + 1, nullptr);
    if (!rtcp) {
      g_object_unref (rtp);
      continue;
    }
    rtp_socket_ = rtp;
    rtcp_socket_ = rtcp;
    rtp_port = port;
    rtcp_port = port + 1;
    return true;
  }
  error = std::string ("cannot open a pair of UDP ports") + (err ? ": " : "") + (err ? err->message : "");
  g_clear_error (&err);
  return false;
}

bool
RtpSendTransport::set_udp_destination (GInetAddress *server, int rtp_port, int rtcp_port,
    std::string &error)
{
  std::lock_guard<std::mutex> lock (lock_);
  if (!rtp_socket_ || !server || rtp_port <= 0 || rtp_port > 65535) {
    error = "internal: UDP destination without bound ports";
    return false;
  }
  g_clear_object (&rtp_to_);
  g_clear_object (&rtcp_to_);
  rtp_to_ = g_inet_socket_address_new (server, static_cast<guint16> (rtp_port));
  if (rtcp_port > 0 && rtcp_port <= 65535)
    rtcp_to_ = g_inet_socket_address_new (server, static_cast<guint16> (rtcp_port));
  mode_ = Mode::kUdp;
  return true;
}

void
RtpSendTransport::set_interleaved (uint8_t rtp_channel, uint8_t rtcp_channel, InterleavedWriter writer)
{
  std::lock_guard<std::mutex> lock (lock_);
  close_locked ();
  rtp_channel_ = rtp_channel;
  rtcp_channel_ = rtcp_channel;
  writer_ = std::move (writer);
  mode_ = Mode::kInterleaved;
}

size_t
RtpSendTransport::send (const uint8_t *data, size_t size, bool rtcp)
{
  std::unique_lock<std::mutex> lock (lock_);
  if (mode_ == Mode::kInterleaved) {
    uint8_t head[4];
    if (!interleaved_header (rtcp ? rtcp_channel_ : rtp_channel_, size, head))
      return 0;
    InterleavedWriter writer = writer_;
    lock.unlock ();
    return writer && writer (head, data, size) ? size + 4 : 0;
  }
  if (mode_ != Mode::kUdp)
    return 0;
  GSocket *socket = rtcp ? rtcp_socket_ : rtp_socket_;
  GSocketAddress *to = rtcp ? rtcp_to_ : rtp_to_;
  if (!socket || !to)
    return 0;
  g_object_ref (socket);
  g_object_ref (to);
  lock.unlock ();
  /* A full socket buffer or an ICMP error from a server gone away is not the pipeline's problem:
   * the control thread notices a lost server on the RTSP connection. */
  gssize sent = g_socket_send_to (socket, to, reinterpret_cast<const gchar *> (data), size, nullptr,
      nullptr);
  g_object_unref (to);
  g_object_unref (socket);
  return sent > 0 ? static_cast<size_t> (sent) : 0;
}

}  // namespace meet
