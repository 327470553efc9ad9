/* meetstream: RTP JPEG depayloader (RFC 2435).
 *
 * SECTION:element-meetjpegdepay
 * @title: meetjpegdepay
 *
 * Reassembles RFC 2435 RTP packets into complete JFIF images that `jpegdec` (or any JPEG decoder)
 * can decode. The JPEG headers are rebuilt from the RFC 2435 fields: quantization tables from Q
 * 1..99 (RFC 2435 Appendix A) or from in-band tables (Q 128..255, cached per Q for 128..254 as
 * the RFC allows), restart intervals for types 64..127, the standard Huffman tables.
 *
 * A frame is output only when every fragment from offset 0 to the packet with the marker bit
 * arrived exactly once. A frame with a missing, duplicate or overlapping fragment, an impossible
 * header, or a type/Q/size change midway is dropped whole (never output garbled) and counted in
 * the #GstMeetJpegDepay:frames-dropped and #GstMeetJpegDepay:packets-dropped properties;
 * `GST_DEBUG=meetjpegdepay:4` logs why. One frame never holds more than 16 MiB.
 *
 * The `a-framerate` caps field (from the SDP) sets the output framerate, and `x-dimensions`
 * gives the size of frames whose RFC 2435 size fields are 0 (wider or taller than 2040).
 *
 * ## Example pipeline
 * |[
 * gst-launch-1.0 udpsrc address=127.0.0.1 port=5000 \
 *     caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26" ! \
 *     rtpjitterbuffer ! meetjpegdepay ! jpegdec ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetjpegdepay.h"
#include "rfc2435.h"

#include <gst/rtp/gstrtpbuffer.h>

#include <cstdio>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (meet_jpeg_depay_debug);
#define GST_CAT_DEFAULT meet_jpeg_depay_debug

namespace rfc = meet::rfc2435;

struct _GstMeetJpegDepay
{
  GstRTPBaseDepayload parent;

  rfc::JpegDepacketizer *assembler;
  gint fps_n;
  gint fps_d;
  /* Size announced on the src pad (0x0: no caps yet). */
  guint caps_width;
  guint caps_height;

  /* Copies of the assembler's counters, under the object lock, for the properties. */
  guint64 frames_completed;
  guint64 frames_dropped;
  guint64 packets_dropped;
};

enum
{
  PROP_0,
  PROP_FRAMES_COMPLETED,
  PROP_FRAMES_DROPPED,
  PROP_PACKETS_DROPPED,
};

G_DEFINE_TYPE (GstMeetJpegDepay, gst_meet_jpeg_depay, GST_TYPE_RTP_BASE_DEPAYLOAD);
GST_ELEMENT_REGISTER_DEFINE (meetjpegdepay, "meetjpegdepay", GST_RANK_NONE, GST_TYPE_MEET_JPEG_DEPAY);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, "
        "media = (string) video, "
        "payload = (int) " GST_RTP_PAYLOAD_JPEG_STRING ", "
        "clock-rate = (int) 90000; "
        "application/x-rtp, "
        "media = (string) video, "
        "payload = (int) " GST_RTP_PAYLOAD_DYNAMIC_STRING ", "
        "clock-rate = (int) 90000, "
        "encoding-name = (string) JPEG"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("image/jpeg, parsed = (boolean) true, sof-marker = (int) 0"));

static gboolean
gst_meet_jpeg_depay_set_caps (GstRTPBaseDepayload * depayload, GstCaps * caps)
{
  GstMeetJpegDepay *self = GST_MEET_JPEG_DEPAY (depayload);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint clock_rate = 90000;

  gst_structure_get_int (s, "clock-rate", &clock_rate);
  depayload->clock_rate = clock_rate;

  self->fps_n = 0;
  self->fps_d = 1;
  const gchar *rate = gst_structure_get_string (s, "a-framerate");
  if (!rate)
    rate = gst_structure_get_string (s, "x-framerate");
  if (rate) {
    /* SDP writes it with a decimal point whatever the locale. */
    const gdouble fps = g_ascii_strtod (rate, NULL);
    if (fps > 0)
      gst_util_double_to_fraction (fps, &self->fps_n, &self->fps_d);
    else
      GST_WARNING_OBJECT (self, "ignoring invalid a-framerate \"%s\"", rate);
  }

  guint width = 0, height = 0;
  const gchar *dims = gst_structure_get_string (s, "x-dimensions");
  if (dims && (sscanf (dims, "%u,%u", &width, &height) != 2 || width == 0 || height == 0 ||
          width > 65535 || height > 65535)) {
    GST_WARNING_OBJECT (self, "ignoring invalid x-dimensions \"%s\"", dims);
    width = height = 0;
  }
  self->assembler->set_dimensions_hint (width, height);
  self->caps_width = self->caps_height = 0;      /* renegotiate with the new framerate */
  return TRUE;
}

static gboolean
gst_meet_jpeg_depay_negotiate (GstMeetJpegDepay * self, guint width, guint height)
{
  GstCaps *caps = gst_caps_new_simple ("image/jpeg",
      "parsed", G_TYPE_BOOLEAN, TRUE,
      "sof-marker", G_TYPE_INT, 0,
      "width", G_TYPE_INT, (gint) width,
      "height", G_TYPE_INT, (gint) height,
      "framerate", GST_TYPE_FRACTION, self->fps_n, self->fps_d, NULL);
  const gboolean ok = gst_pad_set_caps (GST_RTP_BASE_DEPAYLOAD_SRCPAD (self), caps);
  gst_caps_unref (caps);
  if (ok) {
    self->caps_width = width;
    self->caps_height = height;
  }
  return ok;
}

static void
free_frame (gpointer frame)
{
  delete static_cast<std::vector<uint8_t> *> (frame);
}

static GstBuffer *
gst_meet_jpeg_depay_process (GstRTPBaseDepayload * depayload, GstRTPBuffer * rtp)
{
  GstMeetJpegDepay *self = GST_MEET_JPEG_DEPAY (depayload);
  rfc::JpegDepacketizer & assembler = *self->assembler;
  const guint64 dropped_before = assembler.frames_dropped ();
  const guint64 packets_dropped_before = assembler.packets_dropped ();

  const auto result = assembler.push (static_cast<const uint8_t *> (gst_rtp_buffer_get_payload (rtp)),
      gst_rtp_buffer_get_payload_len (rtp), gst_rtp_buffer_get_timestamp (rtp),
      gst_rtp_buffer_get_marker (rtp));

  if (assembler.frames_dropped () != dropped_before) {
    GST_INFO_OBJECT (self, "dropped a frame (seq %u, ts %u): %s", gst_rtp_buffer_get_seq (rtp),
        gst_rtp_buffer_get_timestamp (rtp), assembler.last_drop_reason ().c_str ());
  } else if (assembler.packets_dropped () != packets_dropped_before) {
    GST_DEBUG_OBJECT (self, "dropped a packet (seq %u, ts %u): %s", gst_rtp_buffer_get_seq (rtp),
        gst_rtp_buffer_get_timestamp (rtp), assembler.last_drop_reason ().c_str ());
  }

  GST_OBJECT_LOCK (self);
  self->frames_completed = assembler.frames_completed ();
  self->frames_dropped = assembler.frames_dropped ();
  self->packets_dropped = assembler.packets_dropped ();
  GST_OBJECT_UNLOCK (self);

  if (result != rfc::JpegDepacketizer::Result::kFrameReady)
    return NULL;

  const guint width = assembler.frame_width (), height = assembler.frame_height ();
  if ((width != self->caps_width || height != self->caps_height) &&
      !gst_meet_jpeg_depay_negotiate (self, width, height)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Downstream does not accept %ux%u JPEG images; put jpegdec after meetjpegdepay.", width, height),
        (NULL));
    return NULL;
  }

  auto *frame = new std::vector<uint8_t> (assembler.take_frame ());
  GST_LOG_OBJECT (self, "frame complete: %ux%u, %" G_GSIZE_FORMAT " bytes", width, height, frame->size ());
  return gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, frame->data (), frame->size (), 0,
      frame->size (), frame, free_frame);
}

static gboolean
gst_meet_jpeg_depay_handle_event (GstRTPBaseDepayload * depayload, GstEvent * event)
{
  GstMeetJpegDepay *self = GST_MEET_JPEG_DEPAY (depayload);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    self->assembler->reset ();
  return GST_RTP_BASE_DEPAYLOAD_CLASS (gst_meet_jpeg_depay_parent_class)->handle_event (depayload, event);
}

static GstStateChangeReturn
gst_meet_jpeg_depay_change_state (GstElement * element, GstStateChange transition)
{
  GstMeetJpegDepay *self = GST_MEET_JPEG_DEPAY (element);

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    /* A new stream: no partial frame and no cached tables from the previous one. */
    delete self->assembler;
    self->assembler = new rfc::JpegDepacketizer ();
    self->caps_width = self->caps_height = 0;
    GST_OBJECT_LOCK (self);
    self->frames_completed = self->frames_dropped = self->packets_dropped = 0;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_ELEMENT_CLASS (gst_meet_jpeg_depay_parent_class)->change_state (element, transition);
}

static void
gst_meet_jpeg_depay_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstMeetJpegDepay *self = GST_MEET_JPEG_DEPAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAMES_COMPLETED:
      g_value_set_uint64 (value, self->frames_completed);
      break;
    case PROP_FRAMES_DROPPED:
      g_value_set_uint64 (value, self->frames_dropped);
      break;
    case PROP_PACKETS_DROPPED:
      g_value_set_uint64 (value, self->packets_dropped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_meet_jpeg_depay_finalize (GObject * object)
{
  GstMeetJpegDepay *self = GST_MEET_JPEG_DEPAY (object);

  delete self->assembler;
  G_OBJECT_CLASS (gst_meet_jpeg_depay_parent_class)->finalize (object);
}

static void
gst_meet_jpeg_depay_class_init (GstMeetJpegDepayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBaseDepayloadClass *depayload_class = GST_RTP_BASE_DEPAYLOAD_CLASS (klass);

  gobject_class->get_property = gst_meet_jpeg_depay_get_property;
  gobject_class->finalize = gst_meet_jpeg_depay_finalize;

  g_object_class_install_property (gobject_class, PROP_FRAMES_COMPLETED,
      g_param_spec_uint64 ("frames-completed", "Frames completed",
          "Number of complete JPEG frames reassembled and pushed downstream since the element "
          "went to PAUSED", 0, G_MAXUINT64, 0, (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_FRAMES_DROPPED,
      g_param_spec_uint64 ("frames-dropped", "Frames dropped",
          "Number of frames discarded whole because a fragment was missing, duplicated or "
          "overlapping, a header was invalid, or the frame exceeded 16 MiB (GST_DEBUG=meetjpegdepay:4 "
          "says why)", 0, G_MAXUINT64, 0, (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_PACKETS_DROPPED,
      g_param_spec_uint64 ("packets-dropped", "Packets dropped",
          "Number of RTP packets whose payload was not output: packets of dropped frames and "
          "stray packets (truncated, or duplicates of a frame already complete). Packets the RTP "
          "base class already discarded by sequence number (repeated or too late) are not counted",
          0, G_MAXUINT64, 0, (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "RTP JPEG depayloader (meetstream)",
      "Codec/Depayloader/Network/RTP",
      "Reassembles RFC 2435 RTP packets into complete JFIF images, dropping incomplete frames whole",
      "meetstream developers");
  element_class->change_state = gst_meet_jpeg_depay_change_state;

  depayload_class->set_caps = gst_meet_jpeg_depay_set_caps;
  depayload_class->process_rtp_packet = gst_meet_jpeg_depay_process;
  depayload_class->handle_event = gst_meet_jpeg_depay_handle_event;

  GST_DEBUG_CATEGORY_INIT (meet_jpeg_depay_debug, "meetjpegdepay", 0, "meetstream RTP JPEG depayloader");
}

static void
gst_meet_jpeg_depay_init (GstMeetJpegDepay * self)
{
  self->assembler = new rfc::JpegDepacketizer ();
  self->fps_n = 0;
  self->fps_d = 1;
}
