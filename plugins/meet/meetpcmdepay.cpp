/* meetstream: meetpcmdepay, RTP L16 depayloader (RFC 3551).
 *
 * SECTION:element-meetpcmdepay
 * @title: meetpcmdepay
 *
 * Extracts big-endian 16-bit PCM (audio/x-raw, format=S16BE) from RTP L16 packets. The rate and channel
 * count come from the caps' clock-rate and encoding-params (or channels); the static payload types 10
 * and 11 imply 44100 Hz stereo and mono when those fields are absent. Channel layouts named by
 * `channel-order`, and RFC 3551's defaults for 1-3 channels, become channel positions; other streams
 * come out unpositioned, channels in the order they arrived.
 *
 * A packet whose payload is not a whole number of frames is dropped and counted in
 * #GstMeetPcmDepay:packets-bad-length; the first buffer after lost packets (a sequence number gap, counted
 * in #GstMeetPcmDepay:packets-lost) or a dropped one is marked DISCONT.
 *
 * ## Example pipeline
 * |[
 * gst-launch-1.0 udpsrc port=5004 caps="application/x-rtp,media=audio,clock-rate=48000,\
 *     encoding-name=L16,encoding-params=2,payload=96" ! rtpjitterbuffer ! meetpcmdepay ! \
 *     audioconvert ! autoaudiosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetpcmdepay.h"

#include <cstdlib>
#include <new>

#include <gst/audio/audio.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "l16.h"
#include "pcmchannels.h"

GST_DEBUG_CATEGORY_STATIC (meet_pcm_depay_debug);
#define GST_CAT_DEFAULT meet_pcm_depay_debug

struct _GstMeetPcmDepay
{
  GstRTPBaseDepayload parent;

  GstAudioInfo info;
  /* Set when the wire order differs from GStreamer's channel order. */
  gboolean reorder;
  GstAudioChannelPosition wire_positions[64];

  /* Guarded by the object lock: the counters are read from other threads. */
  meet::l16::Receiver receiver;
};

enum
{
  PROP_0,
  PROP_PACKETS_ACCEPTED,
  PROP_PACKETS_BAD_LENGTH,
  PROP_PACKETS_LOST,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, media = (string) audio, encoding-name = (string) L16, "
        "clock-rate = (int) [ 8000, 192000 ]; "
        "application/x-rtp, media = (string) audio, payload = (int) { 10, 11 }"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) S16BE, layout = (string) interleaved, "
        "rate = (int) [ 8000, 192000 ], channels = (int) [ 1, 8 ]"));

#define gst_meet_pcm_depay_parent_class parent_class
G_DEFINE_TYPE (GstMeetPcmDepay, gst_meet_pcm_depay, GST_TYPE_RTP_BASE_DEPAYLOAD);
GST_ELEMENT_REGISTER_DEFINE (meetpcmdepay, "meetpcmdepay", GST_RANK_NONE,
    GST_TYPE_MEET_PCM_DEPAY);

/* The channel count from encoding-params (a string as SDP carries it, or an int as gst-launch-1.0
 * parses "encoding-params=2") or channels; 0 when absent, -1 when not a number. */
static gint
channels_from_caps (const GstStructure * s)
{
  gint channels = 0;
  const GValue *params = gst_structure_get_value (s, "encoding-params");
  if (params && G_VALUE_HOLDS_INT (params))
    return g_value_get_int (params);
  if (params && G_VALUE_HOLDS_STRING (params)) {
    const gchar *text = g_value_get_string (params);
    gchar *end = NULL;
    const long parsed = strtol (text, &end, 10);
    return end != text && *end == '\0' && parsed > 0 && parsed <= G_MAXINT ? (gint) parsed : -1;
  }
  if (params)
    return -1;
  if (gst_structure_get_int (s, "channels", &channels))
    return channels;
  return 0;
}

static gboolean
gst_meet_pcm_depay_set_caps (GstRTPBaseDepayload * depayload, GstCaps * caps)
{
  GstMeetPcmDepay *self = GST_MEET_PCM_DEPAY (depayload);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  gint pt = -1, clock_rate = 0;

  gst_structure_get_int (s, "payload", &pt);
  gst_structure_get_int (s, "clock-rate", &clock_rate);
  const gint channels = channels_from_caps (s);

  const auto format = meet::l16::format_for (pt, clock_rate, channels);
  if (!format) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Unsupported L16 stream: clock-rate %d, %d channels, "
            "payload type %d. Give a clock-rate of 8000-192000 and encoding-params of 1-8 in the "
            "RTP caps (or the SDP).", clock_rate, channels, pt), ("caps: %" GST_PTR_FORMAT, caps));
    return FALSE;
  }

  const gchar *order_name = gst_structure_get_string (s, "channel-order");
  const auto order = meet::l16::order_for_name (format->channels, order_name ? order_name : "");

  GstAudioChannelPosition positions[64];
  self->reorder = FALSE;
  if (order) {
    meet::pcm::positions_of (*order, self->wire_positions);
    memcpy (positions, self->wire_positions, format->channels * sizeof (GstAudioChannelPosition));
    gst_audio_channel_positions_to_valid_order (positions, format->channels);
    self->reorder = memcmp (positions, self->wire_positions,
        format->channels * sizeof (GstAudioChannelPosition)) != 0;
  } else {
    GST_INFO_OBJECT (self, "no known layout for %d channels (channel-order %s): unpositioned output",
        format->channels, GST_STR_NULL (order_name));
  }

  gst_audio_info_set_format (&self->info, GST_AUDIO_FORMAT_S16BE, format->rate, format->channels,
      order ? positions : NULL);
  depayload->clock_rate = format->rate;

  GST_OBJECT_LOCK (self);
  self->receiver.set_channels (format->channels);
  GST_OBJECT_UNLOCK (self);

  GstCaps *srccaps = gst_audio_info_to_caps (&self->info);
  GST_DEBUG_OBJECT (self, "output caps %" GST_PTR_FORMAT "%s", srccaps,
      self->reorder ? ", reordering channels" : "");
  gboolean ok = gst_pad_set_caps (GST_RTP_BASE_DEPAYLOAD_SRCPAD (depayload), srccaps);
  gst_caps_unref (srccaps);
  return ok;
}

static GstBuffer *
gst_meet_pcm_depay_process_rtp_packet (GstRTPBaseDepayload * depayload, GstRTPBuffer * rtp)
{
  GstMeetPcmDepay *self = GST_MEET_PCM_DEPAY (depayload);
  const guint16 seq = gst_rtp_buffer_get_seq (rtp);
  const guint payload_len = gst_rtp_buffer_get_payload_len (rtp);

  GST_OBJECT_LOCK (self);
  const meet::l16::Verdict verdict = self->receiver.on_packet (seq, payload_len);
  GST_OBJECT_UNLOCK (self);

  if (verdict.lost > 0)
    GST_DEBUG_OBJECT (self, "%u packets lost before seq %u", verdict.lost, seq);
  if (!verdict.accept) {
    GST_WARNING_OBJECT (self, "dropping packet seq %u: %u payload bytes is not a whole number of "
        "%d-channel frames", seq, payload_len, GST_AUDIO_INFO_CHANNELS (&self->info));
    return NULL;
  }

  GstBuffer *outbuf = gst_rtp_buffer_get_payload_buffer (rtp);
  if (self->reorder) {
    outbuf = gst_buffer_make_writable (outbuf);
    gst_audio_buffer_reorder_channels (outbuf, GST_AUDIO_FORMAT_S16BE,
        GST_AUDIO_INFO_CHANNELS (&self->info), self->wire_positions, self->info.position);
  }
  GST_BUFFER_DURATION (outbuf) = gst_util_uint64_scale_int (verdict.frames, GST_SECOND,
      GST_AUDIO_INFO_RATE (&self->info));
  if (verdict.discont)
    GST_BUFFER_FLAG_SET (outbuf, GST_BUFFER_FLAG_DISCONT);
  return outbuf;
}

static gboolean
gst_meet_pcm_depay_handle_event (GstRTPBaseDepayload * depayload, GstEvent * event)
{
  GstMeetPcmDepay *self = GST_MEET_PCM_DEPAY (depayload);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_OBJECT_LOCK (self);
    self->receiver.reset ();
    GST_OBJECT_UNLOCK (self);
  }
  return GST_RTP_BASE_DEPAYLOAD_CLASS (parent_class)->handle_event (depayload, event);
}

static GstStateChangeReturn
gst_meet_pcm_depay_change_state (GstElement * element, GstStateChange transition)
{
  GstMeetPcmDepay *self = GST_MEET_PCM_DEPAY (element);

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    GST_OBJECT_LOCK (self);
    self->receiver.reset ();
    GST_OBJECT_UNLOCK (self);
  }
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

static void
gst_meet_pcm_depay_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMeetPcmDepay *self = GST_MEET_PCM_DEPAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PACKETS_ACCEPTED:
      g_value_set_uint64 (value, self->receiver.packets_accepted ());
      break;
    case PROP_PACKETS_BAD_LENGTH:
      g_value_set_uint64 (value, self->receiver.packets_bad_length ());
      break;
    case PROP_PACKETS_LOST:
      g_value_set_uint64 (value, self->receiver.packets_lost ());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_meet_pcm_depay_finalize (GObject * object)
{
  GstMeetPcmDepay *self = GST_MEET_PCM_DEPAY (object);

  self->receiver.~Receiver ();
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_meet_pcm_depay_class_init (GstMeetPcmDepayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBaseDepayloadClass *depayload_class = GST_RTP_BASE_DEPAYLOAD_CLASS (klass);

  gobject_class->get_property = gst_meet_pcm_depay_get_property;
  gobject_class->finalize = gst_meet_pcm_depay_finalize;

  const GParamFlags counter_flags = (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (gobject_class, PROP_PACKETS_ACCEPTED,
      g_param_spec_uint64 ("packets-accepted", "Packets accepted",
          "Number of RTP packets turned into audio buffers", 0, G_MAXUINT64, 0, counter_flags));
  g_object_class_install_property (gobject_class, PROP_PACKETS_BAD_LENGTH,
      g_param_spec_uint64 ("packets-bad-length", "Packets with a bad length",
          "Number of RTP packets dropped because their payload was empty or not a whole number of "
          "frames (2 bytes per channel): a sender bug or a channel-count mismatch with the caps",
          0, G_MAXUINT64, 0, counter_flags));
  g_object_class_install_property (gobject_class, PROP_PACKETS_LOST,
      g_param_spec_uint64 ("packets-lost", "Packets lost",
          "Number of RTP packets missing from the sequence numbers seen; the buffer after each gap "
          "is marked DISCONT", 0, G_MAXUINT64, 0, counter_flags));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "RTP L16 audio depayloader",
      "Codec/Depayloader/Network/RTP",
      "Extracts big-endian 16-bit PCM audio from RTP L16 packets (RFC 3551), 8000-192000 Hz, "
      "1-8 channels; drops packets of a bad length and marks DISCONT after loss",
      "meetstream developers");

  element_class->change_state = gst_meet_pcm_depay_change_state;
  depayload_class->set_caps = gst_meet_pcm_depay_set_caps;
  depayload_class->process_rtp_packet = gst_meet_pcm_depay_process_rtp_packet;
  depayload_class->handle_event = gst_meet_pcm_depay_handle_event;

  GST_DEBUG_CATEGORY_INIT (meet_pcm_depay_debug, "meetpcmdepay", 0, "RTP L16 depayloader");
}

static void
gst_meet_pcm_depay_init (GstMeetPcmDepay * self)
{
  /* GObject zero-fills instances without running C++ constructors. */
  new (&self->receiver) meet::l16::Receiver ();
  gst_audio_info_init (&self->info);
}
