/* meetstream: the RTSP connection of one publishing attempt. See rtsppublishconnection.h. */
#include "rtsppublishconnection.h"

#include "rtspmessages.h"
#include "rtsptlsclient.h"

namespace meet {

namespace {
constexpr guint kMaxAnswerBody = 64 * 1024;
}  // namespace

std::shared_ptr<RtspPublishConnection>
RtspPublishConnection::connect (const std::string &location, int64_t timeout_us, std::string &error,
    const RtspTlsConfig &tls, bool *refused)
{
  std::string reason;
  GstRTSPConnection *conn = rtsp_client_connect (location, tls, timeout_us, reason, refused);
  if (!conn) {
    error = (refused && *refused) ? reason
        : "cannot reach the RTSP server: " + reason + " (is it running, and the port right?)";
    return nullptr;
  }
  /* A server's answers to a publisher are a few headers and at most a sentence: a hostile or
   * broken one cannot make us allocate what its Content-Length claims. */
  gst_rtsp_connection_set_content_length_limit (conn, kMaxAnswerBody);
  return std::shared_ptr<RtspPublishConnection> (new RtspPublishConnection (conn));
}

RtspPublishConnection::~RtspPublishConnection ()
{
  gst_rtsp_connection_close (connection_);
  gst_rtsp_connection_free (connection_);
}

GInetAddress *
RtspPublishConnection::server_address () const
{
  const gchar *ip = gst_rtsp_connection_get_ip (connection_);
  return ip ? g_inet_address_new_from_string (ip) : nullptr;
}

bool
RtspPublishConnection::send (const RtspClientRequest &request, std::string &error)
{
  GstRTSPMessage *msg = rtsp_request_message (request);
  GstRTSPResult res = GST_RTSP_ERROR;
  {
    std::lock_guard<std::mutex> write (write_lock_);
    if (!broken_)
      res = gst_rtsp_connection_send_usec (connection_, msg, 2 * G_USEC_PER_SEC);
  }
  gst_rtsp_message_free (msg);
  if (res != GST_RTSP_OK) {
    gchar *text = gst_rtsp_strresult (res);
    error = std::string ("sending ") + gst_rtsp_method_as_text (request.method) + " failed: " + text;
    g_free (text);
    return false;
  }
  return true;
}

RtspPublishChannel::Received
RtspPublishConnection::receive (int64_t timeout_us, RtspClientResponse &response, std::string &error)
{
  {
    std::lock_guard<std::mutex> write (write_lock_);
    if (broken_) {
      error = "writing to the server timed out";
      return Received::kFailed;
    }
  }
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  for (;;) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0)
      return Received::kTimeout;
    GstRTSPMessage *msg = nullptr;
    gst_rtsp_message_new (&msg);
    GstRTSPResult res = gst_rtsp_connection_receive_usec (connection_, msg, left);
    if (res == GST_RTSP_ETIMEOUT) {
      gst_rtsp_message_free (msg);
      return Received::kTimeout;
    }
    if (res != GST_RTSP_OK) {
      gst_rtsp_message_free (msg);
      if (res == GST_RTSP_EEOF) {
        error = "the server closed the connection";
        return Received::kClosed;
      }
      if (res == GST_RTSP_ENOMEM) {
        error = "the server's answer is larger than " + std::to_string (kMaxAnswerBody / 1024) +
            " KiB: is this an RTSP server?";
      } else if (res == GST_RTSP_EPARSE) {
        error = "the server's answer is not RTSP: is this an RTSP server?";
      } else {
        gchar *text = gst_rtsp_strresult (res);
        error = std::string ("the connection to the server failed: ") + text;
        g_free (text);
      }
      return Received::kFailed;
    }
    GstRTSPMsgType type = gst_rtsp_message_get_type (msg);
    if (type == GST_RTSP_MESSAGE_RESPONSE) {
      response = rtsp_response_from_message (msg);
      gst_rtsp_message_free (msg);
      return Received::kResponse;
    }
    if (type == GST_RTSP_MESSAGE_REQUEST) {
      /* RFC 2326 section 10 lets a server ask things (SET_PARAMETER, OPTIONS as a keep-alive). */
      GstRTSPMessage *answer = rtsp_ok_for_request (msg);
      {
        std::lock_guard<std::mutex> write (write_lock_);
        gst_rtsp_connection_send_usec (connection_, answer, G_USEC_PER_SEC);
      }
      gst_rtsp_message_free (answer);
    }
    /* Interleaved data (the server's RTCP receiver reports over TCP): nothing to do. */
    gst_rtsp_message_free (msg);
  }
}

void
RtspPublishConnection::apply_auth (const RtspClientLogic &logic)
{
  rtsp_apply_auth_challenge (connection_, logic);
}

bool
RtspPublishConnection::write_frame (const uint8_t *head, const uint8_t *data, size_t size)
{
  std::lock_guard<std::mutex> write (write_lock_);
  if (broken_)
    return false;
  /* A frame cut short would leave the server reading garbage: nothing more goes out after it, and
   * the control thread's next request fails and reconnects. */
  broken_ = gst_rtsp_connection_write_usec (connection_, head, 4, G_USEC_PER_SEC) != GST_RTSP_OK ||
      gst_rtsp_connection_write_usec (connection_, data, static_cast<guint> (size),
          G_USEC_PER_SEC) != GST_RTSP_OK;
  return !broken_;
}

}  // namespace meet
