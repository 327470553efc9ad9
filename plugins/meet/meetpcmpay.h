/* meetstream: meetpcmpay, RTP L16 payloader (RFC 3551). */
#pragma once

#include <gst/rtp/gstrtpbaseaudiopayload.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_PCM_PAY (gst_meet_pcm_pay_get_type ())
G_DECLARE_FINAL_TYPE (GstMeetPcmPay, gst_meet_pcm_pay, GST, MEET_PCM_PAY, GstRTPBaseAudioPayload)

GST_ELEMENT_REGISTER_DECLARE (meetpcmpay);

G_END_DECLS
