/* meetstream: one stream's srtpdec inside meetrtspsrc. See srtpdecoder.h. */
#include "srtpdecoder.h"

GST_DEBUG_CATEGORY_STATIC (meet_srtp_decoder_debug);
#define GST_CAT_DEFAULT meet_srtp_decoder_debug

namespace meet {

GstElement *
srtp_rtcp_encoder_new (const SrtpKey &key)
{
  GstElement *enc = gst_element_factory_make ("srtpenc", nullptr);
  if (enc == nullptr)
    return nullptr;
  srtp_key_configure_encoder (key, enc);
  GstPad *pad = gst_element_request_pad_simple (enc, "rtcp_sink_0");
  if (pad)
    gst_object_unref (pad);
  return enc;
}

SrtpDecoder::~SrtpDecoder ()
{
  forget ();
}

GstElement *
SrtpDecoder::make (GstBin *bin, const MikeyKeys &keys)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (meet_srtp_decoder_debug, "meetrtspsrc-srtp", 0,
        "meetstream RTSP client SRTP decryption");
    g_once_init_leave (&once, 1);
  }
  forget ();
  GstElement *dec = gst_element_factory_make ("srtpdec", nullptr);
  if (dec == nullptr)
    return nullptr;
  keys_ = std::make_shared<SrtpKeyRing> (keys);
  g_signal_connect (dec, "request-key", G_CALLBACK (on_request_key), this);
  /* Keys change only with a new DESCRIBE (a new srtpdec): a sender past its key's limits gets
   * the same answer, and srtpdec drops what it cannot decrypt (counted). */
  g_signal_connect (dec, "soft-limit", G_CALLBACK (on_request_key), this);
  g_signal_connect (dec, "hard-limit", G_CALLBACK (on_request_key), this);
  probe (dec, "rtp_sink", true);
  probe (dec, "rtp_src", false);
  probe (dec, "rtcp_sink", true);
  probe (dec, "rtcp_src", false);
  gst_bin_add (bin, dec);
  /* Ours until forget(): the signal handlers are taken off after the bin let it go. */
  dec_ = GST_ELEMENT (gst_object_ref (dec));
  return dec;
}

void
SrtpDecoder::forget ()
{
  if (dec_) {
    g_signal_handlers_disconnect_by_data (dec_, this);
    gst_object_unref (dec_);
    dec_ = nullptr;
  }
  drops_.flush ();
}

void
SrtpDecoder::probe (GstElement *dec, const char *pad_name, bool enter)
{
  GstPad *pad = gst_element_get_static_pad (dec, pad_name);
  if (pad == nullptr)
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, enter ? on_enter : on_leave, this, nullptr);
  gst_object_unref (pad);
}

GstCaps *
SrtpDecoder::on_request_key (GstElement *dec, guint ssrc, gpointer user_data)
{
  auto *self = static_cast<SrtpDecoder *> (user_data);
  GstCaps *caps = self->keys_ ? self->keys_->caps_for (ssrc) : nullptr;
  if (caps)
    GST_DEBUG_OBJECT (dec, "stream %u: key for SSRC %08x", self->stream_id_, ssrc);
  else
    GST_WARNING_OBJECT (dec, "stream %u: no key for SSRC %08x (too many SSRCs): its packets are "
        "dropped", self->stream_id_, ssrc);
  return caps;
}

GstPadProbeReturn
SrtpDecoder::on_enter (GstPad *pad, GstPadProbeInfo *, gpointer user_data)
{
  auto *self = static_cast<SrtpDecoder *> (user_data);
  bool rtcp = g_str_has_prefix (GST_PAD_NAME (pad), "rtcp");
  if (self->drops_.entered (rtcp ? SrtpDropCounter::Rtcp : SrtpDropCounter::Rtp))
    GST_INFO_OBJECT (GST_PAD_PARENT (pad), "stream %u: srtpdec dropped an %s packet (not "
        "authentic, replayed, or under another key): %" G_GUINT64_FORMAT " so far",
        self->stream_id_, rtcp ? "SRTCP" : "SRTP", self->drops_.dropped ());
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn
SrtpDecoder::on_leave (GstPad *pad, GstPadProbeInfo *, gpointer user_data)
{
  auto *self = static_cast<SrtpDecoder *> (user_data);
  bool rtcp = g_str_has_prefix (GST_PAD_NAME (pad), "rtcp");
  self->drops_.left (rtcp ? SrtpDropCounter::Rtcp : SrtpDropCounter::Rtp);
  return GST_PAD_PROBE_OK;
}

}  // namespace meet
