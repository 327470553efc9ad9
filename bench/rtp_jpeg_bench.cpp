/* Benchmark: RTP JPEG payloading and depayloading throughput, meetjpegpay/meetjpegdepay against
 * GStreamer's rtpjpegpay/rtpjpegdepay in the same run, for 720p and 1080p JPEG (a photo from
 * $MEET_SHARED_DIR/media scaled and encoded with jpegenc quality 85; videotestsrc if absent).
 *
 * Prints frames/s and packets/s for each element and the cost ratio ours/theirs (time per frame;
 * below 1.0 means ours is cheaper). Best of several interleaved rounds, mtu 1400. */
#include <gst/check/gstharness.h>   /* only to make the test JPEG */
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr int kRounds = 5;
constexpr guint kMtu = 1400;

GstBuffer *
make_jpeg (int width, int height)
{
  const char *shared = g_getenv ("MEET_SHARED_DIR");
  gchar *photo = g_build_filename (shared ? shared : "../shared", "media", "bus.jpg", NULL);
  gchar *contents = nullptr;
  gsize size = 0;
  GstHarness *h;
  gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,height=%d", width, height);
  if (g_file_get_contents (photo, &contents, &size, nullptr)) {
    gchar *desc = g_strdup_printf ("jpegdec ! videoconvert ! videoscale ! capsfilter caps=\"%s\" ! "
        "jpegenc quality=85", caps);
    h = gst_harness_new_parse (desc);
    g_free (desc);
    gst_harness_set_src_caps_str (h, "image/jpeg");
    gst_harness_push (h, gst_buffer_new_wrapped (contents, size));
  } else {
    g_printerr ("%s not found, using videotestsrc\n", photo);
    h = gst_harness_new ("jpegenc");
    g_object_set (h->element, "quality", 85, NULL);
    gchar *src = g_strdup_printf ("videotestsrc pattern=smpte ! capsfilter caps=\"%s,framerate=30/1\"", caps);
    gst_harness_add_src_parse (h, src, FALSE);
    g_free (src);
    gst_harness_push_from_src (h);
  }
  GstBuffer *jpeg = gst_harness_pull (h);
  gst_harness_teardown (h);
  g_free (caps);
  g_free (photo);
  return jpeg;
}

struct Result {
  double seconds = 1e9;
  guint packets = 0;
};

/* The element between a source pad we push into and a sink pad that only counts (and optionally
 * keeps) what arrives, accepting buffer lists whole like udpsink: no harness queue in the timing. */
struct Rig {
  GstElement *element = nullptr;
  GstPad *src = nullptr;
  GstPad *sink = nullptr;
  guint buffers = 0;
  std::vector<GstBuffer *> *keep = nullptr;

  Rig (const char *factory, const char *caps, guint mtu)
  {
    element = gst_element_factory_make (factory, NULL);
    g_assert (element);
    if (mtu)
      g_object_set (element, "mtu", mtu, NULL);
    src = gst_pad_new ("src", GST_PAD_SRC);
    sink = gst_pad_new ("sink", GST_PAD_SINK);
    gst_pad_set_element_private (sink, this);
    gst_pad_set_chain_function (sink, chain);
    gst_pad_set_chain_list_function (sink, chain_list);
    GstPad *esink = gst_element_get_static_pad (element, "sink"), *esrc = gst_element_get_static_pad (element, "src");
    gst_pad_link (src, esink);
    gst_pad_link (esrc, sink);
    gst_object_unref (esink);
    gst_object_unref (esrc);
    gst_pad_set_active (src, TRUE);
    gst_pad_set_active (sink, TRUE);
    gst_element_set_state (element, GST_STATE_PLAYING);
    gst_pad_push_event (src, gst_event_new_stream_start ("bench"));
    gst_pad_push_event (src, gst_event_new_caps (gst_caps_from_string (caps)));
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (src, gst_event_new_segment (&segment));
  }
  ~Rig ()
  {
    gst_element_set_state (element, GST_STATE_NULL);
    gst_object_unref (element);
    gst_object_unref (src);
    gst_object_unref (sink);
  }
  static GstFlowReturn chain (GstPad * pad, GstObject *, GstBuffer * buffer)
  {
    Rig *rig = static_cast<Rig *> (gst_pad_get_element_private (pad));
    rig->buffers++;
    if (rig->keep)
      rig->keep->push_back (buffer);
    else
      gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  static GstFlowReturn chain_list (GstPad * pad, GstObject *, GstBufferList * list)
  {
    Rig *rig = static_cast<Rig *> (gst_pad_get_element_private (pad));
    const guint n = gst_buffer_list_length (list);
    rig->buffers += n;
    if (rig->keep)
      for (guint i = 0; i < n; i++)
        rig->keep->push_back (gst_buffer_ref (gst_buffer_list_get (list, i)));
    gst_buffer_list_unref (list);
    return GST_FLOW_OK;
  }
};

/* Pushes `frames` copies of the JPEG (fresh timestamps) through a payloader. */
Result
bench_pay (const char *factory, GstBuffer * jpeg, int width, int height, int frames,
    std::vector<GstBuffer *> *keep_packets)
{
  gchar *caps = g_strdup_printf ("image/jpeg,width=%d,height=%d,framerate=30/1", width, height);
  Rig rig (factory, caps, kMtu);
  g_free (caps);
  rig.keep = keep_packets;
  Result r;
  const gint64 start = g_get_monotonic_time ();
  for (int i = 0; i < frames; i++) {
    /* Kept packets reference their input's memory: give each frame its own, as a camera would
     * (tens of thousands of sub-memories of one memory overflow its share count). */
    GstBuffer *b = keep_packets ? gst_buffer_copy_deep (jpeg) : gst_buffer_copy (jpeg);
    GST_BUFFER_PTS (b) = i * GST_SECOND / 30;
    gst_pad_push (rig.src, b);
  }
  r.seconds = (g_get_monotonic_time () - start) / 1e6;
  r.packets = rig.buffers;
  return r;
}

/* Pushes pre-made RTP packets through a depayloader. */
Result
bench_depay (const char *factory, const std::vector<GstBuffer *> &packets, int *frames_out)
{
  Rig rig (factory, "application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26", 0);
  Result r;
  const gint64 start = g_get_monotonic_time ();
  for (GstBuffer *p : packets)
    gst_pad_push (rig.src, gst_buffer_ref (p));
  r.seconds = (g_get_monotonic_time () - start) / 1e6;
  r.packets = packets.size ();
  *frames_out = rig.buffers;
  return r;
}

void
report (const char *what, const char *ours, const char *theirs, const Result & a, const Result & b, int frames)
{
  printf ("%-14s %-14s %8.0f frames/s %9.0f packets/s\n", what, ours, frames / a.seconds, a.packets / a.seconds);
  printf ("%-14s %-14s %8.0f frames/s %9.0f packets/s\n", what, theirs, frames / b.seconds, b.packets / b.seconds);
  printf ("%-14s cost ratio ours/theirs = %.2f (%s)\n\n", what, a.seconds / b.seconds,
      a.seconds <= b.seconds ? "ours cheaper or equal" : "ours MORE expensive");
}

}  // namespace

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  struct Size {
    int width, height, frames;
    const char *name;
  };
  for (const Size & s : {Size {1280, 720, 300, "720p"}, Size {1920, 1080, 200, "1080p"}}) {
    GstBuffer *jpeg = make_jpeg (s.width, s.height);
    printf ("== %s JPEG, %" G_GSIZE_FORMAT " bytes, %d frames, mtu %u\n", s.name, gst_buffer_get_size (jpeg),
        s.frames, kMtu);

    Result ours_pay, theirs_pay, ours_depay, theirs_depay;
    std::vector<GstBuffer *> packets;
    bench_pay ("meetjpegpay", jpeg, s.width, s.height, s.frames, &packets);   /* also the depay input */
    int ours_frames = 0, theirs_frames = 0;
    for (int round = 0; round < kRounds; round++) {
      Result r = bench_pay ("meetjpegpay", jpeg, s.width, s.height, s.frames, nullptr);
      if (r.seconds < ours_pay.seconds)
        ours_pay = r;
      r = bench_pay ("rtpjpegpay", jpeg, s.width, s.height, s.frames, nullptr);
      if (r.seconds < theirs_pay.seconds)
        theirs_pay = r;
      r = bench_depay ("meetjpegdepay", packets, &ours_frames);
      if (r.seconds < ours_depay.seconds)
        ours_depay = r;
      r = bench_depay ("rtpjpegdepay", packets, &theirs_frames);
      if (r.seconds < theirs_depay.seconds)
        theirs_depay = r;
    }
    report ((std::string ("pay ") + s.name).c_str (), "meetjpegpay", "rtpjpegpay", ours_pay, theirs_pay, s.frames);
    report ((std::string ("depay ") + s.name).c_str (), "meetjpegdepay", "rtpjpegdepay", ours_depay, theirs_depay,
        s.frames);
    if (ours_frames != s.frames || theirs_frames != s.frames)
      printf ("WARNING: frames out: ours %d, theirs %d, expected %d\n", ours_frames, theirs_frames, s.frames);
    for (GstBuffer *p : packets)
      gst_buffer_unref (p);
    gst_buffer_unref (jpeg);
  }
  return 0;
}
