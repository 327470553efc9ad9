/* meetstream: RTP JPEG payloader (RFC 2435). */
#pragma once

#include <gst/gst.h>
#include <gst/rtp/gstrtpbasepayload.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_JPEG_PAY (gst_meet_jpeg_pay_get_type ())
G_DECLARE_FINAL_TYPE (GstMeetJpegPay, gst_meet_jpeg_pay, GST, MEET_JPEG_PAY, GstRTPBasePayload)

GST_ELEMENT_REGISTER_DECLARE (meetjpegpay);

G_END_DECLS
