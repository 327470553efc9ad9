/* meetstream: where one published stream's RTP and RTCP go (meetrtspclientsink's data path).
 *
 * Over UDP: a socket pair of the client (bound before SETUP: its ports are client_port) sending to
 * the server's ports from the SETUP answer. Interleaved: RFC 2326 10.12 frames written into the
 * RTSP connection. Packets are dropped until set up (the element sends nothing before RECORD). Safe to
 * send from the streaming threads while the control thread sets it up or closes it.
 */
#pragma once

#include <gio/gio.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace meet {

/* '$', channel, 16-bit length: the head of an interleaved frame. False when @size does not fit. */
bool interleaved_header (uint8_t channel, size_t size, uint8_t head[4]);

class RtpSendTransport {
public:
  /* Writes one interleaved frame (head, then packet) into the RTSP connection. */
  using InterleavedWriter = std::function<bool (const uint8_t *head, const uint8_t *data, size_t size)>;

  RtpSendTransport () = default;
  ~RtpSendTransport ();
  RtpSendTransport (const RtpSendTransport &) = delete;
  RtpSendTransport &operator= (const RtpSendTransport &) = delete;

  /* Binds an RTP/RTCP socket pair of @family on consecutive ports, RTP even (RFC 3550 11: servers
   * such as ffmpeg send RTCP to RTP + 1). False with @error when no pair could be bound. */
  bool bind_udp (GSocketFamily family, int &rtp_port, int &rtcp_port, std::string &error);
  /* Sends to @server's @rtp_port / @rtcp_port (0: no RTCP) over the bound sockets. */
  bool set_udp_destination (GInetAddress *server, int rtp_port, int rtcp_port, std::string &error);
  /* Sends interleaved on these channels through @writer. */
  void set_interleaved (uint8_t rtp_channel, uint8_t rtcp_channel, InterleavedWriter writer);
  /* Back to dropping everything; closes the sockets. */
  void close ();

  /* Sends one packet; the bytes that went out (0 when dropped or the send failed). */
  size_t send (const uint8_t *data, size_t size, bool rtcp);

private:
  enum class Mode { kNone, kUdp, kInterleaved };
  void close_locked ();

  std::mutex lock_;
  Mode mode_ = Mode::kNone;
  GSocket *rtp_socket_ = nullptr, *rtcp_socket_ = nullptr;
  GSocketAddress *rtp_to_ = nullptr, *rtcp_to_ = nullptr;
  uint8_t rtp_channel_ = 0, rtcp_channel_ = 1;
  InterleavedWriter writer_;
};

}  // namespace meet
