/* meetstream: RTP JPEG payloader (RFC 2435).
 *
 * SECTION:element-meetjpegpay
 * @title: meetjpegpay
 *
 * Packs baseline JPEG images into RTP packets as RFC 2435 describes. The JPEG headers are parsed
 * (rfc2435.cpp) and replaced by the RFC 2435 headers; the quantization tables travel in-band
 * (Q = 255) on the first packet of every frame, so images of any encoder quality arrive unchanged.
 * The entropy-coded scan data is not copied: each packet references the input buffer's memory.
 *
 * RFC 2435 can only carry 8-bit, Huffman-coded baseline JPEG with 3 components sampled 4:2:0 or
 * 4:2:2 and the standard Huffman tables. `jpegenc` produces exactly that when fed I420 or Y42B
 * video. Any other JPEG (progressive, 4:4:4, greyscale, 12-bit, ...) stops the pipeline with an
 * error saying why, instead of being dropped silently.
 *
 * Images wider or taller than 2040 pixels are sent like GStreamer's rtpjpegpay does: the size
 * fields of the RFC 2435 header are 0 and the size is in the `x-dimensions` caps field (an RTSP
 * server puts it in the SDP). Sizes that are not multiples of 8 are rounded up in the header (its
 * unit is 8 pixels) and also announced exactly in `x-dimensions`, which meetjpegdepay honours.
 * The frame rate goes into the `a-framerate` caps field.
 *
 * ## Example pipeline
 * |[
 * gst-launch-1.0 videotestsrc ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! \
 *     jpegenc quality=85 ! meetjpegpay mtu=1400 ! udpsink host=127.0.0.1 port=5000
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "meetjpegpay.h"
#include "rfc2435.h"

#include <gst/rtp/gstrtpbuffer.h>

#include <algorithm>

GST_DEBUG_CATEGORY_STATIC (meet_jpeg_pay_debug);
#define GST_CAT_DEFAULT meet_jpeg_pay_debug

namespace rfc = meet::rfc2435;

struct _GstMeetJpegPay
{
  GstRTPBasePayload parent;

  gint fps_n;
  gint fps_d;
  /* Size the current src caps describe (0x0 before any); x-dimensions follows it. */
  guint caps_width;
  guint caps_height;
};

G_DEFINE_TYPE (GstMeetJpegPay, gst_meet_jpeg_pay, GST_TYPE_RTP_BASE_PAYLOAD);
GST_ELEMENT_REGISTER_DEFINE (meetjpegpay, "meetjpegpay", GST_RANK_NONE, GST_TYPE_MEET_JPEG_PAY);

/* jpegparse and jpegenc announce sof-marker (jpegenc's output fits when its input is I420 or Y42B),
 * cameras often do not: the sink pad accepts caps that *intersect* with these, so a missing field
 * is fine and a known-unsupported value (progressive, lossless...) is refused at negotiation.
 * Sampling is not in the template (a list there would leave filesrc ! image/jpeg caps unfixed):
 * every image is checked in handle_buffer. */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("image/jpeg, sof-marker = (int) 0"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, "
        "media = (string) video, "
        "payload = (int) " GST_RTP_PAYLOAD_JPEG_STRING ", "
        "clock-rate = (int) 90000, "
        "encoding-name = (string) JPEG; "
        "application/x-rtp, "
        "media = (string) video, "
        "payload = (int) " GST_RTP_PAYLOAD_DYNAMIC_STRING ", "
        "clock-rate = (int) 90000, "
        "encoding-name = (string) JPEG"));

/* Above 2040 the RFC 2435 header cannot give the size at all; below, it rounds it up to a multiple
 * of 8, and x-dimensions lets a receiver that honours it (meetjpegdepay) restore the exact size. */
static gboolean
needs_x_dimensions (guint width, guint height)
{
  return width > rfc::kMaxHeaderDimension || height > rfc::kMaxHeaderDimension ||
      width % 8 != 0 || height % 8 != 0;
}

/* Src caps: a-framerate when known, x-dimensions when the size does not fit the RFC 2435 header. */
static gboolean
gst_meet_jpeg_pay_update_src_caps (GstMeetJpegPay * self, guint width, guint height)
{
  GstStructure *s = gst_structure_new_empty ("application/x-rtp");

  if (self->fps_n > 0 && self->fps_d > 0) {
    gdouble rate;
    gst_util_fraction_to_double (self->fps_n, self->fps_d, &rate);
    gchar *str = g_strdup_printf ("%f", rate);
    gst_structure_set (s, "a-framerate", G_TYPE_STRING, str, NULL);
    g_free (str);
  }
  if (needs_x_dimensions (width, height)) {
    gchar *str = g_strdup_printf ("%u,%u", width, height);
    GST_DEBUG_OBJECT (self, "%ux%u does not fit the RFC 2435 header exactly, adding x-dimensions=%s",
        width, height, str);
    gst_structure_set (s, "x-dimensions", G_TYPE_STRING, str, NULL);
    g_free (str);
  }
  self->caps_width = width;
  self->caps_height = height;

  gboolean ok = gst_rtp_base_payload_set_outcaps_structure (GST_RTP_BASE_PAYLOAD (self), s);
  gst_structure_free (s);
  return ok;
}

static gboolean
gst_meet_jpeg_pay_set_caps (GstRTPBasePayload * payload, GstCaps * caps)
{
  GstMeetJpegPay *self = GST_MEET_JPEG_PAY (payload);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint width = 0, height = 0;

  self->fps_n = self->fps_d = 0;
  gst_structure_get_fraction (s, "framerate", &self->fps_n, &self->fps_d);
  gst_structure_get_int (s, "width", &width);
  gst_structure_get_int (s, "height", &height);

  /* The static payload type 26 is JPEG; a dynamic one needs the encoding name in the SDP. */
  gst_rtp_base_payload_set_options (payload, "video", payload->pt != GST_RTP_PAYLOAD_JPEG,
      "JPEG", 90000);
  return gst_meet_jpeg_pay_update_src_caps (self, MAX (width, 0), MAX (height, 0));
}

static GstFlowReturn
gst_meet_jpeg_pay_handle_buffer (GstRTPBasePayload * payload, GstBuffer * buffer)
{
  GstMeetJpegPay *self = GST_MEET_JPEG_PAY (payload);
  GstMapInfo map;
  rfc::JpegInfo info;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Could not read the input JPEG buffer."), (NULL));
    gst_buffer_unref (buffer);
    return GST_FLOW_ERROR;
  }
  const rfc::ParseStatus status = rfc::parse_jpeg (map.data, map.size, info);
  gst_buffer_unmap (buffer, &map);

  if (status != rfc::ParseStatus::kOk) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Cannot send this JPEG image over RTP (RFC 2435): %s.", rfc::describe (status)),
        ("image of %" G_GSIZE_FORMAT " bytes at PTS %" GST_TIME_FORMAT, gst_buffer_get_size (buffer),
            GST_TIME_ARGS (GST_BUFFER_PTS (buffer))));
    gst_buffer_unref (buffer);
    return GST_FLOW_ERROR;
  }
  if (info.scan_size > 0xffffff) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Cannot send this JPEG image over RTP (RFC 2435): its %" G_GSIZE_FORMAT " bytes of scan data "
            "exceed the 16 MiB the 24-bit fragment offset can address; lower the encoder quality.",
            info.scan_size), (NULL));
    gst_buffer_unref (buffer);
    return GST_FLOW_ERROR;
  }

  if ((info.width != self->caps_width || info.height != self->caps_height) &&
      (needs_x_dimensions (info.width, info.height) ||
          needs_x_dimensions (self->caps_width, self->caps_height))) {
    if (!gst_meet_jpeg_pay_update_src_caps (self, info.width, info.height)) {
      gst_buffer_unref (buffer);
      return GST_FLOW_NOT_NEGOTIATED;
    }
  } else {
    self->caps_width = info.width;
    self->caps_height = info.height;
  }

  const guint mtu = GST_RTP_BASE_PAYLOAD_MTU (payload);
  const guint max_payload = gst_rtp_buffer_calc_payload_len (mtu, 0, 0);
  const size_t first_header = rfc::first_packet_header_size (info);
  const size_t header = rfc::packet_header_size (info);
  if (max_payload <= first_header) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The mtu property (%u bytes) is too small for RTP JPEG: the first packet of a frame needs "
            "%" G_GSIZE_FORMAT " bytes of headers; set mtu to at least %" G_GSIZE_FORMAT ".",
            mtu, first_header + 12, first_header + 12 + 64), (NULL));
    gst_buffer_unref (buffer);
    return GST_FLOW_ERROR;
  }

  const GstClockTime pts = GST_BUFFER_PTS (buffer);
  const GstClockTime dts = GST_BUFFER_DTS (buffer);
  const guint estimate = info.scan_size / (max_payload - header) + 1;
  GstBufferList *list = gst_buffer_list_new_sized (estimate);
  size_t offset = 0;
  GstMemory *single_memory = gst_buffer_n_memory (buffer) == 1 ? gst_buffer_peek_memory (buffer, 0) : NULL;

  while (offset < info.scan_size) {
    const size_t headers = offset == 0 ? first_header : header;
    const size_t chunk = std::min<size_t> (max_payload - headers, info.scan_size - offset);
    const bool last = offset + chunk == info.scan_size;

    GstBuffer *out = gst_rtp_base_payload_allocate_output_buffer (payload, headers, 0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map (out, GST_MAP_WRITE, &rtp);
    rfc::write_packet_headers (info, static_cast<uint32_t> (offset),
        static_cast<uint8_t *> (gst_rtp_buffer_get_payload (&rtp)));
    gst_rtp_buffer_set_marker (&rtp, last);
    gst_rtp_buffer_unmap (&rtp);

    /* The scan bytes are shared with the input buffer, not copied. A JPEG is normally one
     * memory: sharing it directly saves a temporary GstBuffer per packet. */
    if (single_memory) {
      gst_buffer_append_memory (out, gst_memory_share (single_memory, info.scan_offset + offset, chunk));
    } else {
      out = gst_buffer_append (out, gst_buffer_copy_region (buffer, GST_BUFFER_COPY_MEMORY,
              info.scan_offset + offset, chunk));
    }
    GST_BUFFER_PTS (out) = pts;
    GST_BUFFER_DTS (out) = dts;
    gst_buffer_list_add (list, out);
    offset += chunk;
  }

  GST_LOG_OBJECT (self, "%ux%u type %u, %" G_GSIZE_FORMAT " scan bytes in %u packets", info.width,
      info.height, info.rtp_type (), info.scan_size, gst_buffer_list_length (list));
  gst_buffer_unref (buffer);
  return gst_rtp_base_payload_push_list (payload, list);
}

static void
gst_meet_jpeg_pay_class_init (GstMeetJpegPayClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBasePayloadClass *payload_class = GST_RTP_BASE_PAYLOAD_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "RTP JPEG payloader (meetstream)",
      "Codec/Payloader/Network/RTP",
      "Payload-encodes baseline JPEG images into RTP packets (RFC 2435) with in-band quantization "
      "tables and zero-copy scan data", "meetstream developers");

  payload_class->set_caps = gst_meet_jpeg_pay_set_caps;
  payload_class->handle_buffer = gst_meet_jpeg_pay_handle_buffer;

  GST_DEBUG_CATEGORY_INIT (meet_jpeg_pay_debug, "meetjpegpay", 0, "meetstream RTP JPEG payloader");
}

static void
gst_meet_jpeg_pay_init (GstMeetJpegPay * self)
{
  GST_RTP_BASE_PAYLOAD_PT (self) = GST_RTP_PAYLOAD_JPEG;
  GST_PAD_SET_ACCEPT_INTERSECT (GST_RTP_BASE_PAYLOAD_SINKPAD (self));
}
