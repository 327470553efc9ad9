/* meetstream: meetrtspsrc, an RTSP client source (DESCRIBE/SETUP/PLAY, RTP over UDP or TCP). */
#ifndef MEET_RTSP_SRC_H
#define MEET_RTSP_SRC_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_RTSP_SRC (meet_rtsp_src_get_type ())
G_DECLARE_FINAL_TYPE (MeetRtspSrc, meet_rtsp_src, MEET, RTSP_SRC, GstBin)

/* Lower transports meetrtspsrc may use (the "protocols" property). */
typedef enum {
  MEET_RTSP_SRC_PROTOCOL_UDP = (1 << 0),
  MEET_RTSP_SRC_PROTOCOL_TCP = (1 << 1),
  MEET_RTSP_SRC_PROTOCOL_UDP_MCAST = (1 << 2),
} MeetRtspSrcProtocols;

#define MEET_TYPE_RTSP_SRC_PROTOCOLS (meet_rtsp_src_protocols_get_type ())
GType meet_rtsp_src_protocols_get_type (void);

/* How the jitter buffer times packets (the "buffer-mode" property); the values
 * are rtpjitterbuffer's. */
typedef enum {
  MEET_RTSP_SRC_BUFFER_MODE_NONE = 0,
  MEET_RTSP_SRC_BUFFER_MODE_SLAVE = 1,
} MeetRtspSrcBufferMode;

#define MEET_TYPE_RTSP_SRC_BUFFER_MODE (meet_rtsp_src_buffer_mode_get_type ())
GType meet_rtsp_src_buffer_mode_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (meetrtspsrc);

G_END_DECLS

#endif /* MEET_RTSP_SRC_H */
