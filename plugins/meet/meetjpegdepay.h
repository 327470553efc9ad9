/* meetstream: RTP JPEG depayloader (RFC 2435). */
#pragma once

#include <gst/gst.h>
#include <gst/rtp/gstrtpbasedepayload.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_JPEG_DEPAY (gst_meet_jpeg_depay_get_type ())
G_DECLARE_FINAL_TYPE (GstMeetJpegDepay, gst_meet_jpeg_depay, GST, MEET_JPEG_DEPAY, GstRTPBaseDepayload)

GST_ELEMENT_REGISTER_DECLARE (meetjpegdepay);

G_END_DECLS
