/* meetstream: RtspClientLogic's requests/responses as GstRTSPMessage. See rtspmessages.h. */
#include "rtspmessages.h"

#include "config.h"

namespace meet {

GstRTSPMessage *
rtsp_request_message (const RtspClientRequest &request)
{
  GstRTSPMessage *msg = nullptr;
  gst_rtsp_message_new_request (&msg, request.method, request.uri.c_str ());
  for (const auto &h : request.headers)
    gst_rtsp_message_add_header_by_name (msg, h.first.c_str (), h.second.c_str ());
  gst_rtsp_message_add_header (msg, GST_RTSP_HDR_USER_AGENT, "meetstream/" VERSION);
  if (!request.body.empty ())
    gst_rtsp_message_set_body (msg, reinterpret_cast<const guint8 *> (request.body.data ()),
        static_cast<guint> (request.body.size ()));
  return msg;
}

RtspClientResponse
rtsp_response_from_message (GstRTSPMessage *msg)
{
  RtspClientResponse response;
  GstRTSPStatusCode code;
  const gchar *reason = nullptr;
  gst_rtsp_message_parse_response (msg, &code, &reason, nullptr);
  response.code = code;
  response.reason = reason ? reason : "";
  static const GstRTSPHeaderField fields[] = {
    GST_RTSP_HDR_CSEQ, GST_RTSP_HDR_SESSION, GST_RTSP_HDR_TRANSPORT, GST_RTSP_HDR_CONTENT_BASE,
    GST_RTSP_HDR_CONTENT_LOCATION, GST_RTSP_HDR_CONTENT_TYPE, GST_RTSP_HDR_WWW_AUTHENTICATE,
    GST_RTSP_HDR_PUBLIC, GST_RTSP_HDR_RTP_INFO,
  };
  for (GstRTSPHeaderField field : fields) {
    gchar *value = nullptr;
    for (gint i = 0; gst_rtsp_message_get_header (msg, field, &value, i) == GST_RTSP_OK; i++)
      response.headers.emplace_back (gst_rtsp_header_as_text (field), value);
  }
  guint8 *body = nullptr;
  guint size = 0;
  if (gst_rtsp_message_get_body (msg, &body, &size) == GST_RTSP_OK && body && size) {
    /* GstRTSPConnection stores a received body with a NUL after it, counted in its size. */
    if (body[size - 1] == '\0')
      size--;
    response.body.assign (reinterpret_cast<const char *> (body), size);
  }
  return response;
}

GstRTSPMessage *
rtsp_ok_for_request (GstRTSPMessage *request)
{
  GstRTSPMessage *answer = nullptr;
  gst_rtsp_message_new_response (&answer, GST_RTSP_STS_OK, nullptr, request);
  return answer;
}

void
rtsp_apply_auth_challenge (GstRTSPConnection *connection, const RtspClientLogic &logic)
{
  const RtspAuthChallenge &challenge = logic.auth_challenge ();
  gst_rtsp_connection_set_auth (connection, challenge.method, logic.user ().c_str (),
      logic.password ().c_str ());
  gst_rtsp_connection_clear_auth_params (connection);
  for (const auto &p : challenge.params)
    gst_rtsp_connection_set_auth_param (connection, p.first.c_str (), p.second.c_str ());
}

}  // namespace meet
