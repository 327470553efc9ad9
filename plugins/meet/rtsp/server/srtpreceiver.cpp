/* meetstream: SRTP from publishers. See srtpreceiver.h. */
#include "srtpreceiver.h"

#include "srtpkeymgmt.h"

#include <algorithm>

namespace meet {

AnnouncedKey
announced_stream_key (const GstSDPMessage * sdp, const GstSDPMedia * media, MikeyKeys * keys,
    std::string * error)
{
  bool present = (media && gst_sdp_media_get_attribute_val (media, "key-mgmt"))
      || (sdp && gst_sdp_message_get_attribute_val (sdp, "key-mgmt"));
  if (!present)
    return AnnouncedKey::kNone;
  return mikey_keys_from_sdp_media (sdp, media, keys, error) ? AnnouncedKey::kKeyed
      : AnnouncedKey::kBad;
}

bool
publisher_key_from_setup (const std::string * header, std::optional<MikeyKeys> & key,
    std::string * error)
{
  if (!header)
    return true;
  std::string attribute;
  MikeyKeys keys;
  if (!keymgmt_header_to_attribute (*header, &attribute, error)
      || !mikey_keys_from_keymgmt (attribute, &keys, error))
    return false;
  key = std::move (keys);
  return true;
}

SrtpSsrcPolicy::SrtpSsrcPolicy (const MikeyKeys & keys)
{
  for (const MikeyKeys::Session & s : keys.sessions)
    named_.push_back (s.ssrc);
}

bool
SrtpSsrcPolicy::admit (uint32_t ssrc)
{
  if (!named_.empty ())
    return std::find (named_.begin (), named_.end (), ssrc) != named_.end ();
  if (std::find (seen_.begin (), seen_.end (), ssrc) != seen_.end ())
    return true;
  if (seen_.size () >= kMaxUnnamedSsrcs)
    return false;
  seen_.push_back (ssrc);
  return true;
}

/* ---------------------------------------------------------------- SrtpReceiver */

bool
SrtpReceiver::available ()
{
  GstElementFactory *factory = gst_element_factory_find ("srtpdec");
  if (!factory)
    return false;
  gst_object_unref (factory);
  return true;
}

SrtpReceiver::~SrtpReceiver ()
{
  teardown ();
}

void
SrtpReceiver::teardown ()
{
  if (dec_) {
    gst_element_set_state (dec_, GST_STATE_NULL);
    gst_object_unref (dec_);
    dec_ = nullptr;
  }
  for (GstPad **pad : { &rtp_in_, &rtcp_in_, &rtp_out_, &rtcp_out_ }) {
    if (*pad) {
      gst_pad_set_active (*pad, FALSE);
      gst_object_unref (*pad);
      *pad = nullptr;
    }
  }
  gst_clear_buffer (&result_);
}

GstCaps *
SrtpReceiver::on_request_key (GstElement *, guint ssrc, gpointer user_data)
{
  auto *self = static_cast<SrtpReceiver *> (user_data);
  if (!self->ssrcs_ || !self->ssrcs_->admit (ssrc)) {
    GST_DEBUG ("SRTP: no key for SSRC %08x", ssrc);
    return nullptr;
  }
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-srtp");
  srtp_key_to_structure (self->keys_.key_for (ssrc), gst_caps_get_structure (caps, 0), true);
  return caps;
}

GstFlowReturn
SrtpReceiver::on_output (GstPad * pad, GstObject *, GstBuffer * buffer)
{
  auto *self = static_cast<SrtpReceiver *> (gst_pad_get_element_private (pad));
  gst_buffer_replace (&self->result_, nullptr);
  self->result_ = buffer;     /* ours now */
  return GST_FLOW_OK;
}

gboolean
SrtpReceiver::on_event (GstPad *, GstObject *, GstEvent * event)
{
  gst_event_unref (event);
  return TRUE;
}

bool
SrtpReceiver::init (const MikeyKeys & keys, std::string * error)
{
  teardown ();
  if (!srtp_key_valid (keys.key_for (0))) {
    *error = "the SRTP key does not fit its suite";
    return false;
  }
  dec_ = gst_element_factory_make ("srtpdec", nullptr);
  if (!dec_) {
    *error = "no srtpdec (install gstreamer1.0-plugins-bad)";
    return false;
  }
  gst_object_ref_sink (dec_);
  keys_ = keys;
  ssrcs_.emplace (keys);
  g_signal_connect (dec_, "request-key", G_CALLBACK (on_request_key), this);

  struct Link {
    GstPad **in, **out;
    const char *sink, *src, *media;
  };
  for (const Link & l : { Link { &rtp_in_, &rtp_out_, "rtp_sink", "rtp_src", "application/x-srtp" },
           Link { &rtcp_in_, &rtcp_out_, "rtcp_sink", "rtcp_src", "application/x-srtcp" } }) {
    *l.in = GST_PAD (gst_object_ref_sink (gst_pad_new (l.sink, GST_PAD_SRC)));
    *l.out = GST_PAD (gst_object_ref_sink (gst_pad_new (l.src, GST_PAD_SINK)));
    gst_pad_set_element_private (*l.out, this);
    gst_pad_set_chain_function (*l.out, on_output);
    gst_pad_set_event_function (*l.out, on_event);
    GstPad *dec_sink = gst_element_get_static_pad (dec_, l.sink);
    GstPad *dec_src = gst_element_get_static_pad (dec_, l.src);
    bool linked = dec_sink && dec_src && gst_pad_link (*l.in, dec_sink) == GST_PAD_LINK_OK
        && gst_pad_link (dec_src, *l.out) == GST_PAD_LINK_OK;
    g_clear_object (&dec_sink);
    g_clear_object (&dec_src);
    if (!linked) {
      *error = "internal: cannot link srtpdec";
      teardown ();
      return false;
    }
  }
  if (gst_element_set_state (dec_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "internal: srtpdec does not start";
    teardown ();
    return false;
  }
  for (GstPad *pad : { rtp_in_, rtcp_in_, rtp_out_, rtcp_out_ })
    gst_pad_set_active (pad, TRUE);
  for (GstPad *pad : { rtp_in_, rtcp_in_ }) {
    gchar *id = g_strdup_printf ("meet-srtp-in-%p-%s", static_cast<void *> (this),
        pad == rtp_in_ ? "rtp" : "rtcp");
    gst_pad_push_event (pad, gst_event_new_stream_start (id));
    g_free (id);
    /* No key in the caps: srtpdec asks for each SSRC (request-key) as it first shows up. */
    GstCaps *caps = gst_caps_new_empty_simple (pad == rtp_in_ ? "application/x-srtp"
        : "application/x-srtcp");
    gst_pad_push_event (pad, gst_event_new_caps (caps));
    gst_caps_unref (caps);
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (pad, gst_event_new_segment (&segment));
  }
  return true;
}

GstBuffer *
SrtpReceiver::unprotect (const uint8_t * data, size_t size, bool rtcp)
{
  if (!dec_ || !data || size < (rtcp ? 8u : 12u)) {
    rejected_++;
    return nullptr;
  }
  gst_clear_buffer (&result_);
  GstBuffer *in = gst_buffer_new_memdup (data, size);
  /* srtpdec drops what it cannot decrypt and still answers OK: nothing pushed means dropped. */
  gst_pad_push (rtcp ? rtcp_in_ : rtp_in_, in);
  GstBuffer *out = result_;
  result_ = nullptr;
  if (out)
    accepted_++;
  else
    rejected_++;
  return out;
}

}  // namespace meet
