/* meetstream: helpers shared by the meetsrv and meetcli launchers; see launcher.h. */
#include "launcher.h"
#include "marks.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <glib-unix.h>
#include <gst/audio/audio.h>

#include <algorithm>
#include <cstring>

namespace meet {

bool
have_element (const char *factory_name)
{
  GstElementFactory *factory = gst_element_factory_find (factory_name);
  if (factory == nullptr)
    return false;
  gst_object_unref (factory);
  return true;
}

bool
have_sound_server ()
{
  if (g_getenv ("PULSE_SERVER"))
    return true;
  gchar *socket = g_build_filename (g_get_user_runtime_dir (), "pulse", "native", nullptr);
  bool found = g_file_test (socket, G_FILE_TEST_EXISTS) || g_file_test ("/run/pulse/native", G_FILE_TEST_EXISTS);
  g_free (socket);
  return found;
}

bool
have_alsa_device (char direction)
{
  bool found = false;
  GDir *dir = g_dir_open ("/dev/snd", 0, nullptr);
  if (dir == nullptr)
    return false;
  while (const gchar *name = g_dir_read_name (dir)) {
    size_t length = strlen (name);
    if (g_str_has_prefix (name, "pcmC") && length > 0 && name[length - 1] == direction)
      found = true;
  }
  g_dir_close (dir);
  return found;
}

bool
set_property (GstElement * element, const char *name, const std::string & value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), name) == nullptr) {
    g_printerr ("warning: element %s has no property \"%s\"; ignoring it\n",
        GST_OBJECT_NAME (element), name);
    return false;
  }
  gst_util_set_object_arg (G_OBJECT (element), name, value.c_str ());
  return true;
}

uint64_t
get_uint64_property (GstElement * element, const char *name)
{
  GParamSpec *spec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), name);
  if (spec == nullptr)
    return 0;
  GValue value = G_VALUE_INIT, as_uint64 = G_VALUE_INIT;
  g_value_init (&value, spec->value_type);
  g_value_init (&as_uint64, G_TYPE_UINT64);
  g_object_get_property (G_OBJECT (element), name, &value);
  uint64_t result = 0;
  if (g_value_transform (&value, &as_uint64))
    result = g_value_get_uint64 (&as_uint64);
  g_value_unset (&value);
  g_value_unset (&as_uint64);
  return result;
}

std::string
address_for_url (const std::string & bind_address)
{
  if (!bind_address.empty () && bind_address != "0.0.0.0" && bind_address != "::")
    return bind_address;
  std::string found = "127.0.0.1";
  struct ifaddrs *list = nullptr;
  if (getifaddrs (&list) != 0)
    return found;
  for (struct ifaddrs * ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || ifa->ifa_addr->sa_family != AF_INET)
      continue;
    if ((ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP))
      continue;
    char text[INET_ADDRSTRLEN];
    auto *sin = reinterpret_cast<struct sockaddr_in *> (ifa->ifa_addr);
    if (inet_ntop (AF_INET, &sin->sin_addr, text, sizeof text) != nullptr) {
      found = text;
      break;
    }
  }
  freeifaddrs (list);
  return found;
}

int64_t
wall_time_of_running_time (GstElement * element, GstClockTime running_time)
{
  GstClock *clock = gst_element_get_clock (element);
  if (clock == nullptr)
    return 0;
  GstClockTime now = gst_clock_get_time (clock);
  GstClockTime base = gst_element_get_base_time (element);
  gst_object_unref (clock);
  int64_t now_running = static_cast<int64_t> (now) - static_cast<int64_t> (base);
  int64_t delta_ns = static_cast<int64_t> (running_time) - now_running;
  return g_get_real_time () + delta_ns / 1000;
}

template <typename View, typename Ptr>
static bool
fill_luma_view (GstVideoFrame * frame, View * view)
{
  const GstVideoInfo *info = &frame->info;
  const GstVideoFormatInfo *finfo = info->finfo;
  view->width = GST_VIDEO_INFO_WIDTH (info);
  view->height = GST_VIDEO_INFO_HEIGHT (info);
  view->stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  auto *plane = static_cast<Ptr> (GST_VIDEO_FRAME_PLANE_DATA (frame, 0));
  if (GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) || GST_VIDEO_FORMAT_INFO_IS_GRAY (finfo)) {
    if (GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0) != 8 || GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0) != 1)
      return false;
    view->data = plane;
    view->pixel_stride = 1;
    return true;
  }
  if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) && GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0) == 4 &&
      GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 1) == 8) {
    view->data = plane + GST_VIDEO_FORMAT_INFO_POFFSET (finfo, 1);
    view->pixel_stride = 4;
    return true;
  }
  return false;
}

bool
luma_view_of (GstVideoFrame * frame, LumaView * view)
{
  return fill_luma_view<LumaView, uint8_t *> (frame, view);
}

bool
luma_view_of (GstVideoFrame * frame, ConstLumaView * view)
{
  return fill_luma_view<ConstLumaView, const uint8_t *> (frame, view);
}

namespace {

GstPadProbeReturn
draw_marks (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  auto frame_duration = static_cast<GstClockTime> (GPOINTER_TO_SIZE (user_data));
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstEvent *segment_event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstVideoInfo vinfo;
  bool have_info = caps && gst_video_info_from_caps (&vinfo, caps);
  if (segment_event) {
    const GstSegment *segment;
    gst_event_parse_segment (segment_event, &segment);
    running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
    gst_event_unref (segment_event);
  }
  if (caps)
    gst_caps_unref (caps);
  if (!have_info || !GST_CLOCK_TIME_IS_VALID (running_time))
    return GST_PAD_PROBE_OK;

  GstElement *element = GST_ELEMENT (gst_pad_get_parent (pad));
  int64_t capture_us = wall_time_of_running_time (element, running_time);
  gst_object_unref (element);
  GstClockTime phase = running_time % GST_SECOND;

  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  GstVideoFrame frame;
  if (gst_video_frame_map (&frame, &vinfo, buffer, GST_MAP_WRITE)) {
    LumaView view;
    if (luma_view_of (&frame, &view))
      FrameMarks::draw (view, FrameMarks::Marks{static_cast<uint64_t> (capture_us), phase < frame_duration,
            phase / 1000});
    gst_video_frame_unmap (&frame);
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

void
draw_marks_into_input (GstElement * element, int fps)
{
  GstPad *pad = gst_element_get_static_pad (element, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, draw_marks,
      GSIZE_TO_POINTER (static_cast<gsize> (GST_SECOND / (fps > 0 ? fps : 30))), nullptr);
  gst_object_unref (pad);
}

namespace {

struct TickProbe {
  TickWriter writer;
  bool warned;
};

GstPadProbeReturn
draw_ticks (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  auto *probe = static_cast<TickProbe *> (user_data);
  const TickWriter *writer = &probe->writer;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstAudioInfo ainfo;
  bool have_info = caps && gst_audio_info_from_caps (&ainfo, caps);
  if (caps)
    gst_caps_unref (caps);
  GstEvent *segment_event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  if (segment_event) {
    const GstSegment *segment;
    gst_event_parse_segment (segment_event, &segment);
    running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
    gst_event_unref (segment_event);
  }
  if (!have_info || !GST_CLOCK_TIME_IS_VALID (running_time))
    return GST_PAD_PROBE_OK;
  const GstAudioFormatInfo *f = ainfo.finfo;
  int width = GST_AUDIO_FORMAT_INFO_WIDTH (f);
  bool is_float = GST_AUDIO_FORMAT_INFO_IS_FLOAT (f);
  if (GST_AUDIO_FORMAT_INFO_DEPTH (f) != width || !(is_float ? width == 32 || width == 64 :
          GST_AUDIO_FORMAT_INFO_IS_SIGNED (f) && (width == 16 || width == 32))) {
    if (!probe->warned) {
      GST_WARNING_OBJECT (pad, "the test sound's ticks need 16 or 32-bit integer or float audio, not %s: "
          "sending silence", GST_AUDIO_FORMAT_INFO_NAME (f));
      probe->warned = true;   /* once: the format does not change under way */
    }
    return GST_PAD_PROBE_OK;
  }
  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  /* wave=silence marks its buffers as gaps, which converters pass on as silence without reading them. */
  GST_BUFFER_FLAG_UNSET (buffer, GST_BUFFER_FLAG_GAP);
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_WRITE))
    return GST_PAD_PROBE_OK;
  int channels = GST_AUDIO_INFO_CHANNELS (&ainfo), rate = GST_AUDIO_INFO_RATE (&ainfo);
  size_t frames = map.size / GST_AUDIO_INFO_BPF (&ainfo);
  if (!is_float && width == 16)
    writer->write (reinterpret_cast<int16_t *> (map.data), frames, channels, rate, running_time);
  else if (!is_float)
    writer->write (reinterpret_cast<int32_t *> (map.data), frames, channels, rate, running_time);
  else if (width == 32)
    writer->write (reinterpret_cast<float *> (map.data), frames, channels, rate, running_time);
  else
    writer->write (reinterpret_cast<double *> (map.data), frames, channels, rate, running_time);
  if (GST_AUDIO_FORMAT_INFO_ENDIANNESS (f) != G_BYTE_ORDER) {
    /* Written in this machine's byte order: swap each sample into the stream's. */
    size_t bytes = width / 8;
    for (size_t i = 0; i + bytes <= map.size; i += bytes)
      std::reverse (map.data + i, map.data + i + bytes);
  }
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

}  // namespace

void
draw_ticks_into_output (GstElement * source, int hz)
{
  GstPad *pad = gst_element_get_static_pad (source, "src");
  /* Half of full scale, as the test sound always had: loud, and room for the mix. */
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, draw_ticks, new TickProbe { TickWriter (hz, 0.5), false },
      [](gpointer p) { delete static_cast<TickProbe *> (p); });
  gst_object_unref (pad);
}

namespace {

struct SignalWatch {
  void (*on_signal) (gpointer);
  void (*on_second_signal) (gpointer);
  gpointer data;
  int count;
};

gboolean
on_unix_signal (gpointer user_data)
{
  auto *watch = static_cast<SignalWatch *> (user_data);
  if (watch->count++ == 0)
    watch->on_signal (watch->data);
  else
    watch->on_second_signal (watch->data);
  return G_SOURCE_CONTINUE;
}

}  // namespace

void
watch_unix_signals (void (*on_signal) (gpointer), void (*on_second_signal) (gpointer), gpointer data)
{
  /* One watch for both signals: lives as long as the process. */
  static SignalWatch watch;
  watch = SignalWatch{on_signal, on_second_signal, data, 0};
  g_unix_signal_add (SIGINT, on_unix_signal, &watch);
  g_unix_signal_add (SIGTERM, on_unix_signal, &watch);
}

bool
link_stream_by_media (GstPad * pad, GstElement * video_head, GstElement * audio_head, const std::string & who)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  if (caps == nullptr)
    caps = gst_pad_query_caps (pad, nullptr);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *media = gst_structure_get_string (s, "media");
  GstElement *head = nullptr;
  if (g_strcmp0 (media, "video") == 0)
    head = video_head;
  else if (g_strcmp0 (media, "audio") == 0)
    head = audio_head;
  GstPad *sinkpad = head ? gst_element_get_static_pad (head, "sink") : nullptr;
  bool linked = false;
  if (sinkpad == nullptr || gst_pad_is_linked (sinkpad)) {
    gchar *text = gst_caps_to_string (caps);
    g_print ("meetcli: %signoring a stream it cannot play: %s\n", who.c_str (), text);
    g_free (text);
  } else if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK) {
    gchar *text = gst_caps_to_string (caps);
    g_print ("meetcli: %scannot play the %s stream (%s)\n", who.c_str (), media, text);
    g_free (text);
  } else {
    linked = true;
  }
  if (sinkpad)
    gst_object_unref (sinkpad);
  gst_caps_unref (caps);
  return linked;
}

std::string
reception_words (GstElement * rtsp_source)
{
  if (rtsp_source == nullptr ||
      g_object_class_find_property (G_OBJECT_GET_CLASS (rtsp_source), "stats") == nullptr)
    return "";
  GstStructure *stats = nullptr;
  g_object_get (rtsp_source, "stats", &stats, nullptr);
  std::string words;
  const GValue *stream = stats ? gst_structure_get_value (stats, "stream-0") : nullptr;
  if (stream && GST_VALUE_HOLDS_STRUCTURE (stream)) {
    const GstStructure *st = gst_value_get_structure (stream);
    const gchar *transport = gst_structure_get_string (st, "transport");
    gboolean srtp = FALSE;
    gst_structure_get_boolean (st, "srtp", &srtp);
    /* SRTP said beside the transport: in a secure meeting, the group or unicast UDP carries the
     * media encrypted, which a user looking at "multicast" alone could not tell. */
    if (g_strcmp0 (transport, "udp-mcast") == 0)
      words = srtp ? "multicast (SRTP)" : "multicast";
    else if (g_strcmp0 (transport, "udp") == 0 && srtp)
      words = "unicast SRTP";
  }
  if (stats)
    gst_structure_free (stats);
  return words;
}

}  // namespace meet
