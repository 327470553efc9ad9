/* meetstream: an RTSP client's control connection. See rtspcontrolconnection.h. */
#include "rtspcontrolconnection.h"

#include "roster.h"
#include "rtspmessages.h"

GST_DEBUG_CATEGORY_STATIC (meet_rtsp_control_debug);
#define GST_CAT_DEFAULT meet_rtsp_control_debug

namespace meet {

namespace {

void
init_debug ()
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (meet_rtsp_control_debug, "meetrtsp-control", 0,
        "meetstream RTSP client control connection");
    g_once_init_leave (&once, 1);
  }
}

void
destroy_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = nullptr;
  }
}

struct PendingResponse {
  RtspControlConnection *self;
  unsigned generation;
  RtspClientResponse response;
};

}  // namespace

GstRTSPConnection *
rtsp_open_connection (const std::string &uri, int64_t timeout_us, std::string &reason,
    const RtspTlsConfig &tls, bool *refused)
{
  return rtsp_client_connect (uri, tls, timeout_us, reason, refused);
}

GstRTSPMessage *
rtsp_answer_server_request (GstRTSPMessage *request,
    std::optional<std::vector<std::string>> &participants)
{
  GstRTSPMethod method = GST_RTSP_INVALID;
  const gchar *uri = nullptr;
  gst_rtsp_message_parse_request (request, &method, &uri, nullptr);
  gchar *type = nullptr;
  gst_rtsp_message_get_header (request, GST_RTSP_HDR_CONTENT_TYPE, &type, 0);
  guint8 *body = nullptr;
  guint size = 0;
  gst_rtsp_message_get_body (request, &body, &size);
  std::string text = body && size ? std::string (reinterpret_cast<const char *> (body), size) :
      std::string ();
  /* The connection NUL-terminates bodies. */
  while (!text.empty () && text.back () == '\0')
    text.pop_back ();
  const gchar *method_name = gst_rtsp_method_as_text (method);
  ServerRequestAnswer decision = answer_server_request (method_name ? method_name : "",
      type ? type : "", text);
  GstRTSPMessage *answer = nullptr;
  gst_rtsp_message_new_response (&answer, static_cast<GstRTSPStatusCode> (decision.code),
      nullptr, request);
  if (decision.add_public)
    gst_rtsp_message_add_header (answer, GST_RTSP_HDR_PUBLIC, client_public_methods ());
  participants = decision.participants;
  return answer;
}

RtspControlConnection::RtspControlConnection (GMainContext *context, Callbacks callbacks)
    : context_ (context), callbacks_ (std::move (callbacks))
{
  init_debug ();
}

RtspControlConnection::~RtspControlConnection ()
{
  close ();
}

bool
RtspControlConnection::open (const std::string &uri, unsigned timeout_ms, std::string &reason)
{
  close ();
  timeout_ms_ = timeout_ms;
  refused_ = false;
  conn_ = rtsp_open_connection (uri, static_cast<int64_t> (timeout_ms) * 1000, reason, tls_,
      &refused_);
  if (conn_ == nullptr)
    return false;
  static GstRTSPWatchFuncs funcs = {
    on_message,                   /* message_received */
    nullptr,                      /* message_sent */
    on_closed,                    /* closed */
    on_error,                     /* error */
    nullptr, nullptr, nullptr,    /* tunnel_start, tunnel_complete, error_full */
    nullptr, nullptr,             /* tunnel_lost, tunnel_http_response */
    {nullptr},
  };
  GstRTSPWatch *watch = gst_rtsp_watch_new (conn_, &funcs, this, nullptr);
  gst_rtsp_watch_attach (watch, context_);
  std::lock_guard<std::mutex> lock (watch_lock_);
  watch_ = watch;
  GST_INFO ("connected to %s", uri.c_str ());
  return true;
}

void
RtspControlConnection::close ()
{
  generation_++;
  destroy_source (&response_timer_);
  destroy_source (&lost_source_);
  GstRTSPWatch *watch;
  {
    std::lock_guard<std::mutex> lock (watch_lock_);
    watch = watch_;
    watch_ = nullptr;
  }
  if (watch) {
    g_source_destroy (reinterpret_cast<GSource *> (watch));
    gst_rtsp_watch_unref (watch);
  }
  if (conn_) {
    gst_rtsp_connection_close (conn_);
    gst_rtsp_connection_free (conn_);
    conn_ = nullptr;
  }
}

std::string
RtspControlConnection::server_ip () const
{
  const gchar *ip = conn_ ? gst_rtsp_connection_get_ip (conn_) : nullptr;
  return ip ? ip : "";
}

std::string
RtspControlConnection::local_ip () const
{
  GSocket *socket = conn_ ? gst_rtsp_connection_get_read_socket (conn_) : nullptr;
  GSocketAddress *local = socket ? g_socket_get_local_address (socket, nullptr) : nullptr;
  std::string ip;
  if (local && G_IS_INET_SOCKET_ADDRESS (local)) {
    gchar *text = g_inet_address_to_string (g_inet_socket_address_get_address (
            G_INET_SOCKET_ADDRESS (local)));
    ip = text;
    g_free (text);
  }
  g_clear_object (&local);
  return ip;
}

GSocketFamily
RtspControlConnection::family () const
{
  GSocket *socket = conn_ ? gst_rtsp_connection_get_read_socket (conn_) : nullptr;
  return socket ? g_socket_get_family (socket) : G_SOCKET_FAMILY_IPV4;
}

bool
RtspControlConnection::send (const RtspClientRequest &request, std::string &error)
{
  GstRTSPMessage *msg = rtsp_request_message (request);
  GST_DEBUG ("sending %s %s", gst_rtsp_method_as_text (request.method), request.uri.c_str ());
  GstRTSPResult res;
  {
    std::lock_guard<std::mutex> lock (watch_lock_);
    res = watch_ ? gst_rtsp_watch_send_message (watch_, msg, nullptr) : GST_RTSP_ERROR;
  }
  gst_rtsp_message_free (msg);
  if (res != GST_RTSP_OK) {
    gchar *text = gst_rtsp_strresult (res);
    error = std::string ("sending ") + gst_rtsp_method_as_text (request.method) + " failed: " +
        text;
    g_free (text);
    return false;
  }
  destroy_source (&response_timer_);
  response_timer_ = g_timeout_source_new (timeout_ms_);
  g_source_set_callback (response_timer_, on_response_timeout, this, nullptr);
  g_source_attach (response_timer_, context_);
  return true;
}

void
RtspControlConnection::send_data (uint8_t channel, const uint8_t *data, size_t size)
{
  GstRTSPMessage msg = { };
  gst_rtsp_message_init_data (&msg, channel);
  gst_rtsp_message_set_body (&msg, data, static_cast<guint> (size));
  {
    std::lock_guard<std::mutex> lock (watch_lock_);
    if (watch_)
      gst_rtsp_watch_send_message (watch_, &msg, nullptr);
  }
  gst_rtsp_message_unset (&msg);
}

void
RtspControlConnection::post_response (GstRTSPMessage *message)
{
  auto *pending = new PendingResponse {this, generation_, rtsp_response_from_message (message)};
  GSource *idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_HIGH);
  g_source_set_callback (idle, [](gpointer data) -> gboolean {
        auto *p = static_cast<PendingResponse *> (data);
        RtspControlConnection *self = p->self;
        if (self->conn_ == nullptr || p->generation != self->generation_)
          return G_SOURCE_REMOVE;       /* that connection is gone */
        destroy_source (&self->response_timer_);
        GST_DEBUG ("response %d %s", p->response.code, p->response.reason.c_str ());
        if (self->callbacks_.response)
          self->callbacks_.response (p->response);
        return G_SOURCE_REMOVE;
      }, pending, [](gpointer p) {
        delete static_cast<PendingResponse *> (p);
      });
  g_source_attach (idle, context_);
  g_source_unref (idle);
}

void
RtspControlConnection::answer (GstRTSPMessage *request)
{
  std::optional<std::vector<std::string>> participants;
  GstRTSPMessage *answer = rtsp_answer_server_request (request, participants);
  {
    std::lock_guard<std::mutex> lock (watch_lock_);
    if (watch_)
      gst_rtsp_watch_send_message (watch_, answer, nullptr);
  }
  gst_rtsp_message_free (answer);
  if (participants && callbacks_.participants)
    callbacks_.participants (*participants);
}

GstRTSPResult
RtspControlConnection::on_message (GstRTSPWatch *, GstRTSPMessage *message, gpointer user_data)
{
  auto *self = static_cast<RtspControlConnection *> (user_data);
  switch (gst_rtsp_message_get_type (message)) {
    case GST_RTSP_MESSAGE_DATA:
      if (self->callbacks_.data)
        self->callbacks_.data (message);
      break;
    case GST_RTSP_MESSAGE_RESPONSE:
      self->post_response (message);
      break;
    case GST_RTSP_MESSAGE_REQUEST:
      self->answer (message);
      break;
    default:
      break;
  }
  return GST_RTSP_OK;
}

void
RtspControlConnection::schedule_lost (const std::string &reason)
{
  if (lost_source_)
    return;
  lost_reason_ = reason;
  lost_source_ = g_idle_source_new ();
  g_source_set_callback (lost_source_, on_lost_idle, this, nullptr);
  g_source_attach (lost_source_, context_);
}

gboolean
RtspControlConnection::on_lost_idle (gpointer user_data)
{
  auto *self = static_cast<RtspControlConnection *> (user_data);
  g_source_unref (self->lost_source_);
  self->lost_source_ = nullptr;
  std::string reason = self->lost_reason_;
  if (self->callbacks_.lost)
    self->callbacks_.lost (reason);
  return G_SOURCE_REMOVE;
}

gboolean
RtspControlConnection::on_response_timeout (gpointer user_data)
{
  auto *self = static_cast<RtspControlConnection *> (user_data);
  g_source_unref (self->response_timer_);
  self->response_timer_ = nullptr;
  if (self->callbacks_.lost)
    self->callbacks_.lost ("the server did not answer within " +
        std::to_string (self->timeout_ms_) + " ms");
  return G_SOURCE_REMOVE;
}

GstRTSPResult
RtspControlConnection::on_closed (GstRTSPWatch *, gpointer user_data)
{
  static_cast<RtspControlConnection *> (user_data)->schedule_lost (
      "the server closed the connection");
  return GST_RTSP_OK;
}

GstRTSPResult
RtspControlConnection::on_error (GstRTSPWatch *, GstRTSPResult result, gpointer user_data)
{
  auto *self = static_cast<RtspControlConnection *> (user_data);
  if (result == GST_RTSP_EPARSE) {
    self->schedule_lost ("the server sent something that is not an RTSP message");
    return GST_RTSP_OK;
  }
  gchar *text = gst_rtsp_strresult (result);
  self->schedule_lost (std::string ("connection error: ") + text);
  g_free (text);
  return GST_RTSP_OK;
}

}  // namespace meet
