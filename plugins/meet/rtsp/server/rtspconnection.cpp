/* meetstream: one client's RTSP connection in meetrtspsink. See rtspconnection.h. */
#include "rtspconnection.h"

#include <gst/gst.h>

GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

namespace meet {

/* Unsent bytes a TCP client may have queued before its new RTP packets are dropped. */
static const size_t kTcpDataBacklog = 1024 * 1024;
/* Unsent RTSP responses beyond which a client that never reads is disconnected. */
static const size_t kTcpControlBacklog = 4 * 1024 * 1024;


static gboolean connection_writable (GSocket * socket, GIOCondition condition,
    gpointer user_data);

/* The bytes go to the socket, or into TLS once the connection speaks it. */
static gssize
connection_write (Connection * c, const char * data, size_t size, GError ** error)
{
  if (c->tls_out)
    return g_pollable_output_stream_write_nonblocking (c->tls_out, data, size, nullptr, error);
  return g_socket_send_with_blocking (c->socket, data, size, FALSE, nullptr, error);
}

static gboolean
connection_tls_writable (GObject *, gpointer user_data)
{
  return connection_writable (nullptr, G_IO_OUT, user_data);
}

/* Sends what the socket takes now; waits for writability on the server thread for the rest.
 * Called with connection->lock held. */
static void
connection_flush_locked (Connection * c, const ConnectionPtr & self)
{
  /* Before the TLS handshake ends (or before the first byte said which), nothing goes out. */
  if (c->handshaking || c->wire == Connection::Wire::kUndecided)
    return;
  while (!c->out.empty () && !c->closed && !c->broken) {
    const std::string & front = c->out.front ();
    GError *error = nullptr;
    /* A TLS write that would block is retried with the same bytes, as GnuTLS requires: the
     * front message stays queued until all of it is out. */
    gssize sent = connection_write (c, front.data () + c->out_offset,
        front.size () - c->out_offset, &error);
    if (sent < 0) {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        GST_DEBUG ("connection %" G_GUINT64_FORMAT ": send failed: %s", c->context.id,
            error->message);
        c->broken = true;
      }
      g_clear_error (&error);
      break;
    }
    c->out_offset += sent;
    c->out_bytes -= sent;
    if (c->out_offset == front.size ()) {
      c->out.pop_front ();
      c->out_offset = 0;
    }
  }
  if (!c->out.empty () && !c->write_source && !c->closed && !c->broken && self) {
    if (c->tls_out) {
      c->write_source = g_pollable_output_stream_create_source (c->tls_out, nullptr);
      g_source_set_callback (c->write_source, G_SOURCE_FUNC (connection_tls_writable),
          new ConnectionPtr (self), [](gpointer p) { delete static_cast<ConnectionPtr *> (p); });
    } else {
      c->write_source = g_socket_create_source (c->socket, G_IO_OUT, nullptr);
      g_source_set_callback (c->write_source, G_SOURCE_FUNC (connection_writable),
          new ConnectionPtr (self), [](gpointer p) { delete static_cast<ConnectionPtr *> (p); });
    }
    g_source_attach (c->write_source, c->context_ptr);
  }
}

static gboolean
connection_writable (GSocket *, GIOCondition, gpointer user_data)
{
  const ConnectionPtr & self = *static_cast<ConnectionPtr *> (user_data);
  std::lock_guard<std::mutex> guard (self->lock);
  /* Let flush attach a fresh source if data remains; this one is done. */
  g_source_unref (self->write_source);
  self->write_source = nullptr;
  connection_flush_locked (self.get (), self);
  return G_SOURCE_REMOVE;
}

/* Queues an RTSP response; those are never dropped. */
void
connection_send_response (const ConnectionPtr & c, const std::string & bytes)
{
  std::lock_guard<std::mutex> guard (c->lock);
  if (c->closed)
    return;
  if (c->out_bytes > kTcpControlBacklog) {
    c->broken = true;
    return;
  }
  c->out.push_back (bytes);
  c->out_bytes += bytes.size ();
  connection_flush_locked (c.get (), c);
}

void
connection_flush (const ConnectionPtr & c)
{
  std::lock_guard<std::mutex> guard (c->lock);
  connection_flush_locked (c.get (), c);
}

/* Queues one interleaved frame, or drops it when the client is too far behind: a slow TCP
 * client must not hold up the streaming thread that feeds everyone. */
void
connection_send_frame (const ConnectionPtr & c, const std::string & frame)
{
  std::lock_guard<std::mutex> guard (c->lock);
  if (c->closed || c->broken)
    return;
  if (c->out_bytes + frame.size () > kTcpDataBacklog) {
    if (c->dropped++ == 0)
      GST_INFO ("connection %" G_GUINT64_FORMAT " reads too slowly: dropping packets",
          c->context.id);
    return;
  }
  c->out.push_back (frame);
  c->out_bytes += frame.size ();
  connection_flush_locked (c.get (), c);
}

}  // namespace meet
