/* meetstream: one client's RTSP connection in meetrtspsink: its socket, request parser and the
 * queue of what goes out to it (responses, our own requests, interleaved RTP/RTCP). */
#pragma once

#include "rtspserverlogic.h"

#include <gio/gio.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace meet {

/* One client's RTSP connection. Shared between the server thread (requests, responses) and
 * the streaming threads (interleaved RTP/RTCP), hence the lock around the output queue. */
struct Connection {
  /* How the connection speaks (rtsptls.h): with encryption none every connection is kPlain;
   * otherwise kUndecided until its first byte arrives. */
  enum class Wire { kUndecided, kPlain, kTls };

  RtspConnectionContext context;
  GSocket *socket = nullptr;
  Wire wire = Wire::kPlain;
  /* rtsps://: the TLS connection over @socket; its streams (not owned) carry the bytes once the
   * handshake is done (until then nothing is written: responses wait in @out). */
  GTlsConnection *tls = nullptr;
  GPollableInputStream *tls_in = nullptr;
  GPollableOutputStream *tls_out = nullptr;
  bool handshaking = false;
  /* Cancelled when the connection closes mid-handshake: that ends the blocking handshake in
   * GLib's thread pool (closing the socket alone would not wake it). */
  GCancellable *handshake_cancel = nullptr;
  /* encryption=required and this client spoke plain RTSP: its request gets a 403. */
  bool refuse_plain = false;
  /* Watches the socket (or the TLS input stream); while a ClientHello is still arriving, a
   * timer that looks again. */
  GSource *read_source = nullptr;
  RtspRequestParser parser;
  gint64 opened_us = 0;
  gint64 last_activity_us = 0;
  gint64 partial_since_us = 0;     // when the pending half-sent request started
  gint64 closing_since_us = 0;     // answered a request we close on; input is discarded
  guint64 requests = 0;            // requests answered (admission keeps those that made some)

  std::mutex lock;
  GMainContext *context_ptr = nullptr;
  std::deque<std::string> out;     // whole messages/frames; the first may be partly sent
  size_t out_offset = 0;
  size_t out_bytes = 0;
  GSource *write_source = nullptr;
  bool closed = false;
  bool broken = false;
  guint64 dropped = 0;
  guint server_cseq = 0;       // of our own requests (roster SET_PARAMETER)

  ~Connection () {
    if (tls)
      g_object_unref (tls);
    if (handshake_cancel)
      g_object_unref (handshake_cancel);
    if (socket)
      g_object_unref (socket);
  }
};

using ConnectionPtr = std::shared_ptr<Connection>;

/* Queues an RTSP message (a response, or a request of ours); those are never dropped, but a
 * client that leaves 4 MiB of them unread is cut off. Callable from any thread. */
void connection_send_response (const ConnectionPtr & c, const std::string & bytes);
/* Sends what is queued (after a TLS handshake, responses waited). Callable from any thread. */
void connection_flush (const ConnectionPtr & c);
/* Queues one interleaved frame, or drops it when the client is more than 1 MiB behind: a slow
 * TCP client must not hold up the thread that feeds everyone. Callable from any thread. */
void connection_send_frame (const ConnectionPtr & c, const std::string & frame);

}  // namespace meet
