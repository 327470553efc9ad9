/* meetstream: between meet::RtspClientLogic's plain requests/responses and GstRTSPMessage, and the
 * credentials a challenge asks a GstRTSPConnection for. Shared by meetrtspsrc (playing) and
 * meetrtspclientsink (publishing), which move the messages over their own connections. */
#pragma once

#include "rtspclientlogic.h"

#include <gst/rtsp/rtsp.h>

namespace meet {

/* A new request message (free with gst_rtsp_message_free); the connection adds CSeq. */
GstRTSPMessage *rtsp_request_message (const RtspClientRequest &request);
/* The response's status, the headers the logic reads and the body. */
RtspClientResponse rtsp_response_from_message (GstRTSPMessage *message);
/* Answers a server's request (RFC 2326 section 10 lets servers send some, e.g. SET_PARAMETER) with
 * 200 OK and its CSeq; free with gst_rtsp_message_free. */
GstRTSPMessage *rtsp_ok_for_request (GstRTSPMessage *request);
/* Gives @connection the credentials of @logic for the scheme its last 401 asked for. */
void rtsp_apply_auth_challenge (GstRTSPConnection *connection, const RtspClientLogic &logic);

}  // namespace meet
