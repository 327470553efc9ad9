/* meetstream: meetrtspsink, an RTSP server inside one sink element. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_RTSP_SINK (gst_meet_rtsp_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstMeetRtspSink, gst_meet_rtsp_sink, GST, MEET_RTSP_SINK, GstBin)

GST_ELEMENT_REGISTER_DECLARE (meetrtspsink);

G_END_DECLS
