/* meetstream: meetpcmdepay, RTP L16 depayloader (RFC 3551). */
#pragma once

#include <gst/rtp/gstrtpbasedepayload.h>

G_BEGIN_DECLS

#define GST_TYPE_MEET_PCM_DEPAY (gst_meet_pcm_depay_get_type ())
G_DECLARE_FINAL_TYPE (GstMeetPcmDepay, gst_meet_pcm_depay, GST, MEET_PCM_DEPAY, GstRTPBaseDepayload)

GST_ELEMENT_REGISTER_DECLARE (meetpcmdepay);

G_END_DECLS
