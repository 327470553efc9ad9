/* meetstream: SRTP for packets outside a pipeline. See srtppacketencoder.h. */
#include "srtppacketencoder.h"

namespace meet {

SrtpPacketEncoder::~SrtpPacketEncoder ()
{
  if (enc_) {
    gst_element_set_state (enc_, GST_STATE_NULL);
    gst_object_unref (enc_);
  }
  for (GstPad *pad : { rtp_in_, rtcp_in_, rtp_out_, rtcp_out_ }) {
    if (pad) {
      gst_pad_set_active (pad, FALSE);
      gst_object_unref (pad);
    }
  }
}

GstFlowReturn
SrtpPacketEncoder::on_chain (GstPad * pad, GstObject *, GstBuffer * buffer)
{
  auto *self = static_cast<SrtpPacketEncoder *> (gst_pad_get_element_private (pad));
  if (self && self->collect_)
    self->collect_->push_back (buffer);
  else
    gst_buffer_unref (buffer);
  return GST_FLOW_OK;
}

gboolean
SrtpPacketEncoder::on_event (GstPad *, GstObject *, GstEvent * event)
{
  /* Caps (with the key), segment, ...: nothing downstream of us wants them. */
  gst_event_unref (event);
  return TRUE;
}

void
SrtpPacketEncoder::start_pads (GstPad * src, const char * media_type)
{
  gst_pad_set_active (src, TRUE);
  gchar *id = g_strdup_printf ("meet-srtp-%p-%s", static_cast<void *> (src), media_type);
  gst_pad_push_event (src, gst_event_new_stream_start (id));
  g_free (id);
  /* srtpenc wants caps on its sink pads before the first packet (it puts the key in the
   * caps of its source pads). */
  GstCaps *caps = gst_caps_new_empty_simple (media_type);
  gst_pad_push_event (src, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_segment (&segment));
}

bool
SrtpPacketEncoder::init (SrtpSuite suite)
{
  if (enc_ || !sender_.init (suite))
    return false;
  GstElement *enc = sender_.make_encoder ();
  if (!enc)
    return false;
  enc_ = GST_ELEMENT (gst_object_ref_sink (enc));
  /* Sink pads first: srtpenc makes each source pad with its sink pad. */
  GstPad *enc_rtp_sink = gst_element_request_pad_simple (enc_, "rtp_sink_0");
  GstPad *enc_rtcp_sink = gst_element_request_pad_simple (enc_, "rtcp_sink_0");
  GstPad *enc_rtp_src = gst_element_get_static_pad (enc_, "rtp_src_0");
  GstPad *enc_rtcp_src = gst_element_get_static_pad (enc_, "rtcp_src_0");
  bool ok = enc_rtp_sink && enc_rtcp_sink && enc_rtp_src && enc_rtcp_src;
  if (ok) {
    rtp_in_ = gst_pad_new ("rtp_in", GST_PAD_SRC);
    rtcp_in_ = gst_pad_new ("rtcp_in", GST_PAD_SRC);
    rtp_out_ = gst_pad_new ("rtp_out", GST_PAD_SINK);
    rtcp_out_ = gst_pad_new ("rtcp_out", GST_PAD_SINK);
    for (GstPad *pad : { rtp_in_, rtcp_in_, rtp_out_, rtcp_out_ })
      gst_object_ref_sink (pad);
    for (GstPad *pad : { rtp_out_, rtcp_out_ }) {
      gst_pad_set_element_private (pad, this);
      gst_pad_set_chain_function (pad, on_chain);
      gst_pad_set_event_function (pad, on_event);
      gst_pad_set_active (pad, TRUE);
    }
    ok = gst_pad_link (rtp_in_, enc_rtp_sink) == GST_PAD_LINK_OK
        && gst_pad_link (rtcp_in_, enc_rtcp_sink) == GST_PAD_LINK_OK
        && gst_pad_link (enc_rtp_src, rtp_out_) == GST_PAD_LINK_OK
        && gst_pad_link (enc_rtcp_src, rtcp_out_) == GST_PAD_LINK_OK
        && gst_element_set_state (enc_, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
  }
  for (GstPad *pad : { enc_rtp_sink, enc_rtcp_sink, enc_rtp_src, enc_rtcp_src })
    if (pad)
      gst_object_unref (pad);
  if (!ok) {
    gst_element_set_state (enc_, GST_STATE_NULL);
    gst_clear_object (&enc_);
    return false;
  }
  start_pads (rtp_in_, "application/x-rtp");
  start_pads (rtcp_in_, "application/x-rtcp");
  return true;
}

size_t
SrtpPacketEncoder::protect (GstBuffer * const * packets, size_t n, bool rtcp,
    std::vector<GstBuffer *> & out)
{
  if (!enc_)
    return 0;
  size_t before = out.size ();
  collect_ = &out;
  for (size_t i = 0; i < n; i++) {
    /* One at a time: srtpenc gives up on the rest of a list at its first refusal. */
    if (gst_pad_push (rtcp ? rtcp_in_ : rtp_in_, gst_buffer_ref (packets[i])) != GST_FLOW_OK)
      refused_++;
  }
  collect_ = nullptr;
  return out.size () - before;
}

std::string
SrtpPacketEncoder::keymgmt (uint32_t ssrc) const
{
  if (!enc_)
    return "";
  return sender_.keymgmt (ssrc, srtpenc_roc (enc_, ssrc));
}

}  // namespace meet
