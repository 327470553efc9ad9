/* meetstream: meetrtspclientsink, publishes RTP streams into an RTSP server (ANNOUNCE/SETUP/RECORD). */
#ifndef MEET_RTSP_CLIENT_SINK_H
#define MEET_RTSP_CLIENT_SINK_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_RTSP_CLIENT_SINK (meet_rtsp_client_sink_get_type ())
G_DECLARE_FINAL_TYPE (MeetRtspClientSink, meet_rtsp_client_sink, MEET, RTSP_CLIENT_SINK, GstBin)

GST_ELEMENT_REGISTER_DECLARE (meetrtspclientsink);

G_END_DECLS

#endif /* MEET_RTSP_CLIENT_SINK_H */
