/* meetstream: meetpcmpay, RTP L16 payloader (RFC 3551).
 *
 * SECTION:element-meetpcmpay
 * @title: meetpcmpay
 *
 * Packs big-endian 16-bit PCM (audio/x-raw, format=S16BE, 8000..192000 Hz, 1..8 channels) into RTP L16
 * packets. 44100 Hz stereo and mono use RFC 3551's static payload types 10 and 11; every other format
 * uses the dynamic payload type of the #GstRTPBasePayload:pt property (96 by default) unless
 * downstream asks for another one. RTP timestamps count samples at the audio rate.
 *
 * Packet size: each packet carries at most as many frames as fit in #GstRTPBasePayload:mtu (RTP header
 * included) and in #GstRTPBasePayload:max-ptime, or in the `maxptime` field of downstream caps. When
 * #GstMeetPcmPay:ptime (or a `ptime` field in downstream caps) is set every packet holds exactly that
 * much audio, still within those limits; otherwise input buffers go out as they come when they fit.
 *
 * Channels of a known layout (RFC 3551 defaults, RFC 3190 "DV." orders named in `channel-order`) are
 * sent in that layout's order; others are sent as they come.
 *
 * ## Example pipeline
 * |[
 * gst-launch-1.0 audiotestsrc ! audio/x-raw,format=S16BE,rate=48000,channels=2 ! \
 *     meetpcmpay ptime=20000000 ! udpsink host=127.0.0.1 port=5004
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetpcmpay.h"

#include <gst/audio/audio.h>

#include "l16.h"
#include "pcmchannels.h"

GST_DEBUG_CATEGORY_STATIC (meet_pcm_pay_debug);
#define GST_CAT_DEFAULT meet_pcm_pay_debug

struct _GstMeetPcmPay
{
  GstRTPBaseAudioPayload parent;

  /* Payload type for formats without a static one (the "pt" property). */
  guint dynamic_pt;
  /* The "ptime" property; a ptime in downstream caps takes precedence. */
  guint64 ptime;

  GstAudioInfo info;
  /* Set when the input's channel order differs from the wire order. */
  gboolean reorder;
  GstAudioChannelPosition wire_positions[64];
};

enum
{
  PROP_0,
  PROP_PT,
  PROP_PTIME,
};

#define DEFAULT_PTIME 0

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) S16BE, layout = (string) interleaved, "
        "rate = (int) [ 8000, 192000 ], channels = (int) [ 1, 8 ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    /* Static payload types first: GstRTPBasePayload picks the first structure downstream accepts. */
    GST_STATIC_CAPS ("application/x-rtp, media = (string) audio, payload = (int) 10, "
        "clock-rate = (int) 44100, encoding-name = (string) L16, channels = (int) 2; "
        "application/x-rtp, media = (string) audio, payload = (int) 11, clock-rate = (int) 44100, "
        "encoding-name = (string) L16, channels = (int) 1; "
        "application/x-rtp, media = (string) audio, payload = (int) [ 96, 127 ], "
        "clock-rate = (int) [ 8000, 192000 ], encoding-name = (string) L16, channels = (int) [ 1, 8 ]"));

#define gst_meet_pcm_pay_parent_class parent_class
G_DEFINE_TYPE (GstMeetPcmPay, gst_meet_pcm_pay, GST_TYPE_RTP_BASE_AUDIO_PAYLOAD);
GST_ELEMENT_REGISTER_DEFINE (meetpcmpay, "meetpcmpay", GST_RANK_NONE, GST_TYPE_MEET_PCM_PAY);

static gboolean
gst_meet_pcm_pay_set_caps (GstRTPBasePayload * basepayload, GstCaps * caps)
{
  GstMeetPcmPay *self = GST_MEET_PCM_PAY (basepayload);
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Cannot payload audio with caps %" GST_PTR_FORMAT
            "; feed S16BE interleaved audio with a channel-mask when there are more than 2 channels "
            "(audioconvert before meetpcmpay provides both).", caps), (NULL));
    return FALSE;
  }

  const meet::l16::Format format {GST_AUDIO_INFO_RATE (&info), GST_AUDIO_INFO_CHANNELS (&info)};
  const auto order = meet::pcm::wire_order_for (info);

  self->reorder = FALSE;
  if (order) {
    meet::pcm::positions_of (*order, self->wire_positions);
    self->reorder = memcmp (self->wire_positions, info.position,
        format.channels * sizeof (GstAudioChannelPosition)) != 0;
  }
  self->info = info;

  GST_OBJECT_LOCK (self);
  const guint pt = meet::l16::payload_type_for (format, self->dynamic_pt);
  GST_OBJECT_UNLOCK (self);
  basepayload->pt = pt;
  gst_rtp_base_payload_set_options (basepayload, "audio", pt >= 96, "L16", format.rate);
  gst_rtp_base_audio_payload_set_sample_options (GST_RTP_BASE_AUDIO_PAYLOAD (self),
      meet::l16::bytes_per_frame (format.channels));

  gchar *encoding_params = g_strdup_printf ("%d", format.channels);
  gboolean ok;
  if (order && !order->name.empty ()) {
    ok = gst_rtp_base_payload_set_outcaps (basepayload, "encoding-params", G_TYPE_STRING,
        encoding_params, "channels", G_TYPE_INT, format.channels, "channel-order", G_TYPE_STRING,
        order->name.c_str (), NULL);
  } else {
    ok = gst_rtp_base_payload_set_outcaps (basepayload, "encoding-params", G_TYPE_STRING,
        encoding_params, "channels", G_TYPE_INT, format.channels, NULL);
  }
  g_free (encoding_params);

  if (ok) {
    GST_INFO_OBJECT (self, "%d Hz, %d channels, payload type %u%s; up to %u frames per packet",
        format.rate, format.channels, basepayload->pt, self->reorder ? ", reordering channels" : "",
        meet::l16::frames_per_packet (format, basepayload->mtu, basepayload->max_ptime,
            basepayload->ptime ? basepayload->ptime : self->ptime));
  }
  return ok;
}

static GstFlowReturn
gst_meet_pcm_pay_handle_buffer (GstRTPBasePayload * basepayload, GstBuffer * buffer)
{
  GstMeetPcmPay *self = GST_MEET_PCM_PAY (basepayload);

  /* Every (re)negotiation resets the base class's ptime to the one in downstream caps, 0 if none:
   * apply the property whenever the caps gave none. */
  GST_OBJECT_LOCK (self);
  if (basepayload->ptime == 0)
    basepayload->ptime = self->ptime;
  GST_OBJECT_UNLOCK (self);

  if (self->reorder) {
    buffer = gst_buffer_make_writable (buffer);
    gst_audio_buffer_reorder_channels (buffer, GST_AUDIO_INFO_FORMAT (&self->info),
        GST_AUDIO_INFO_CHANNELS (&self->info), self->info.position, self->wire_positions);
  }
  return GST_RTP_BASE_PAYLOAD_CLASS (parent_class)->handle_buffer (basepayload, buffer);
}

static void
gst_meet_pcm_pay_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstMeetPcmPay *self = GST_MEET_PCM_PAY (object);

  switch (prop_id) {
    case PROP_PT:
      GST_OBJECT_LOCK (self);
      self->dynamic_pt = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PTIME:
      GST_OBJECT_LOCK (self);
      self->ptime = g_value_get_uint64 (value);
      GST_RTP_BASE_PAYLOAD (self)->ptime = self->ptime;
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_meet_pcm_pay_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstMeetPcmPay *self = GST_MEET_PCM_PAY (object);

  switch (prop_id) {
    case PROP_PT:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->dynamic_pt);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_PTIME:
      GST_OBJECT_LOCK (self);
      g_value_set_uint64 (value, self->ptime);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_meet_pcm_pay_class_init (GstMeetPcmPayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBasePayloadClass *payload_class = GST_RTP_BASE_PAYLOAD_CLASS (klass);

  gobject_class->set_property = gst_meet_pcm_pay_set_property;
  gobject_class->get_property = gst_meet_pcm_pay_get_property;

  /* Takes over the base class's "pt": it only applies to formats without a static payload type. */
  g_object_class_override_property (gobject_class, PROP_PT, "pt");

  g_object_class_install_property (gobject_class, PROP_PTIME,
      g_param_spec_uint64 ("ptime", "Packet time",
          "Duration of audio in each packet, in nanoseconds (20000000 for the usual 20 ms); "
          "0 sends input buffers as they come, split only where max-ptime or the MTU require. "
          "A ptime field in downstream caps overrides it.",
          0, G_MAXINT64, DEFAULT_PTIME,
          (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "RTP L16 audio payloader",
      "Codec/Payloader/Network/RTP",
      "Payloads big-endian 16-bit PCM audio into RTP L16 packets (RFC 3551), 8000-192000 Hz, "
      "1-8 channels, with static payload types 10/11 for 44100 Hz stereo/mono",
      "meetstream developers");

  payload_class->set_caps = gst_meet_pcm_pay_set_caps;
  payload_class->handle_buffer = gst_meet_pcm_pay_handle_buffer;

  GST_DEBUG_CATEGORY_INIT (meet_pcm_pay_debug, "meetpcmpay", 0, "RTP L16 payloader");
}

static void
gst_meet_pcm_pay_init (GstMeetPcmPay * self)
{
  self->dynamic_pt = meet::l16::kDefaultDynamicPt;
  gst_rtp_base_audio_payload_set_sample_based (GST_RTP_BASE_AUDIO_PAYLOAD (self));
}
