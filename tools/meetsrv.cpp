/* meetsrv: hosts a meeting. Captures the camera and the microphone (or test sources when there are none),
 * encodes JPEG and L16 and serves both over RTSP with meetrtspsink.
 *
 *   camera ! convert/scale/rate ! [videoflip] ! [yoloblur] ! I420 ! jpegenc ! meetjpegpay ! meetrtspsink.sink_0
 *   microphone ! audioconvert ! audioresample ! S16BE ! meetpcmpay ! meetrtspsink.sink_1
 *
 * Example: meetsrv --port 8554 --path /meet --blur
 */
#include "launcher.h"
#include "marks.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

struct Options {
  gchar *ip = nullptr;
  gint port = 8554;
  gchar *path = nullptr;
  gchar *video = nullptr;
  gchar *video_source = nullptr;
  gchar *audio = nullptr;
  gint width = 640;
  gint height = 480;
  gint fps = 30;
  gint quality = 50;
  gboolean no_mirror = FALSE;
  gboolean blur = FALSE;
  gchar *model = nullptr;
  gchar *user = nullptr;
  gchar *password = nullptr;
  gint status_interval = 5;
};

struct Server {
  Options opt;
  GMainLoop *loop = nullptr;
  GstElement *pipeline = nullptr;
  GstElement *rtsp_sink = nullptr;
  std::string video_desc;       /* what the picture comes from, for messages */
  bool test_video = false;
  bool playing = false;
  bool announced = false;
  bool stopping = false;
  int exit_code = 0;
  uint64_t last_bytes = 0;
  gint64 last_status_time = 0;
  uint64_t last_clients = 0;
};

/* Opens the element's device (NULL -> READY) to learn whether it can be used; fills @reason when not. */
bool
device_opens (const char *factory, const char *device, std::string * reason)
{
  GstElement *element = gst_element_factory_make (factory, nullptr);
  if (element == nullptr) {
    *reason = std::string ("GStreamer element ") + factory + " is not installed";
    return false;
  }
  if (device != nullptr)
    g_object_set (element, "device", device, nullptr);
  bool ok = gst_element_set_state (element, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  if (!ok)
    *reason = device ? std::string (device) + " cannot be opened" : std::string (factory) + " cannot start";
  gst_element_set_state (element, GST_STATE_NULL);
  gst_object_unref (element);
  return ok;
}

/* Chooses the camera; returns the launch fragment of the video source. */
std::string
choose_video (Server * s)
{
  if (s->opt.video_source) {
    s->video_desc = "video source";
    /* A bin of its own, so that its errors are told apart from the rest of the pipeline's. */
    return std::string ("bin.( name=vsrc ") + s->opt.video_source + " )";
  }
  std::string device = s->opt.video ? s->opt.video : "";
  if (device == "test") {
    s->test_video = true;
    s->video_desc = "test picture";
    return "videotestsrc name=vsrc is-live=true pattern=smpte";
  }
  bool automatic = device.empty ();
  if (automatic)
    device = "/dev/video0";
  std::string reason;
  if (g_file_test (device.c_str (), G_FILE_TEST_EXISTS) && device_opens ("v4l2src", device.c_str (), &reason)) {
    s->video_desc = "camera " + device;
    /* decodebin takes both raw and MJPEG-only cameras. */
    return "v4l2src name=vsrc device=\"" + device + "\" ! decodebin";
  }
  if (reason.empty ())
    reason = "there is no " + device;
  if (!automatic) {
    g_printerr ("meetsrv: camera %s: %s; use --video test to serve a test picture instead.\n",
        device.c_str (), reason.c_str ());
    exit (1);
  }
  g_print ("meetsrv: no camera (%s): serving a test picture instead.\n", reason.c_str ());
  s->test_video = true;
  s->video_desc = "test picture";
  return "videotestsrc name=vsrc is-live=true pattern=smpte";
}

/* The test sound ticks once a second, in step with the flash mark of the test picture. */
const char *kTestAudio =
    "audiotestsrc name=asrc is-live=true wave=ticks freq=1000 sine-periods-per-tick=50 volume=0.5";

std::string
choose_audio (Server * s)
{
  std::string device = s->opt.audio ? s->opt.audio : "";
  if (device == "test")
    return kTestAudio;
  std::string reason;
  if (device.empty ()) {
    /* A desktop sound server first, then the ALSA default device. */
    if (meet::have_sound_server () && device_opens ("pulsesrc", nullptr, &reason))
      return "pulsesrc name=asrc";
    if (meet::have_alsa_device ('c') && device_opens ("alsasrc", "default", &reason))
      return "alsasrc name=asrc";
    g_print ("meetsrv: no microphone (no sound server and no ALSA capture device): serving a test sound "
        "instead.\n");
    return kTestAudio;
  }
  if (!device_opens ("alsasrc", device.c_str (), &reason)) {
    g_printerr ("meetsrv: microphone %s: %s; use --audio test to serve a test sound instead.\n",
        device.c_str (), reason.c_str ());
    exit (1);
  }
  return "alsasrc name=asrc device=\"" + device + "\"";
}

void
stop (Server * s, int exit_code)
{
  if (s->stopping)
    return;
  s->stopping = true;
  s->exit_code = exit_code;
  /* EOS from the sources lets meetrtspsink end every session (RTCP BYE) before the devices are released. */
  gst_element_send_event (s->pipeline, gst_event_new_eos ());
  g_timeout_add_seconds (3, [](gpointer data) -> gboolean {
        auto *srv = static_cast<Server *> (data);
        g_print ("meetsrv: sessions did not end within 3 s; closing anyway.\n");
        g_main_loop_quit (srv->loop);
        return G_SOURCE_REMOVE;
      }, s);
}

void
on_first_signal (gpointer data)
{
  auto *s = static_cast<Server *> (data);
  g_print ("meetsrv: ending the meeting.\n");
  stop (s, 0);
}

void
on_second_signal (gpointer data)
{
  g_main_loop_quit (static_cast<Server *> (data)->loop);
}

void
announce (Server * s)
{
  if (s->announced)
    return;
  s->announced = true;
  uint64_t port = meet::get_uint64_property (s->rtsp_sink, "bound-port");
  if (port == 0)
    port = static_cast<uint64_t> (s->opt.port);
  std::string host = meet::address_for_url (s->opt.ip ? s->opt.ip : "0.0.0.0");
  bool ipv6 = host.find (':') != std::string::npos;
  g_print ("meetsrv: serving %s; join the meeting at rtsp://%s%s%s:%" G_GUINT64_FORMAT "%s\n",
      s->video_desc.c_str (), ipv6 ? "[" : "", host.c_str (), ipv6 ? "]" : "", port, s->opt.path);
}

/* The server answers DESCRIBE once every stream has caps: only then is the URL worth giving out. */
bool
streams_ready (Server * s)
{
  bool ready = true;
  GstIterator *it = gst_element_iterate_sink_pads (s->rtsp_sink);
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    if (!gst_pad_has_current_caps (GST_PAD (g_value_get_object (&item))))
      ready = false;
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return ready;
}

gboolean
on_status_tick (gpointer data)
{
  auto *s = static_cast<Server *> (data);
  if (!s->announced) {
    if (s->playing && streams_ready (s))
      announce (s);
    return G_SOURCE_CONTINUE;
  }
  uint64_t clients = meet::get_uint64_property (s->rtsp_sink, "clients");
  gint64 now = g_get_monotonic_time ();
  if (clients != s->last_clients) {
    g_print ("meetsrv: clients: %" G_GUINT64_FORMAT "\n", clients);
    s->last_clients = clients;
  }
  if (now - s->last_status_time >= s->opt.status_interval * G_USEC_PER_SEC) {
    uint64_t bytes = meet::get_uint64_property (s->rtsp_sink, "bytes-sent");
    double seconds = s->last_status_time ? (now - s->last_status_time) / 1e6 : 0;
    double mbits = seconds > 0 && bytes >= s->last_bytes ? (bytes - s->last_bytes) * 8 / seconds / 1e6 : 0;
    g_print ("meetsrv: %" G_GUINT64_FORMAT " client%s connected, %.2f Mbit/s sent\n", clients,
        clients == 1 ? "" : "s", mbits);
    s->last_bytes = bytes;
    s->last_status_time = now;
  }
  return G_SOURCE_CONTINUE;
}

gboolean
on_bus_message (GstBus *, GstMessage * message, gpointer data)
{
  auto *s = static_cast<Server *> (data);
  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      GError *error = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_error (message, &error, &debug);
      GstElement *vsrc = gst_bin_get_by_name (GST_BIN (s->pipeline), "vsrc");
      GstElement *asrc = gst_bin_get_by_name (GST_BIN (s->pipeline), "asrc");
      GstObject *origin = GST_MESSAGE_SRC (message);
      if (vsrc && gst_object_has_as_ancestor (origin, GST_OBJECT (vsrc)))
        g_printerr ("meetsrv: the %s stopped (%s); ending the meeting. Use --video test to serve a test "
            "picture.\n", s->video_desc.c_str (), error->message);
      else if (asrc && gst_object_has_as_ancestor (origin, GST_OBJECT (asrc)))
        g_printerr ("meetsrv: the microphone stopped (%s); ending the meeting. Use --audio test to serve a "
            "test sound.\n", error->message);
      else
        g_printerr ("meetsrv: %s\n", error->message);
      if (debug && g_getenv ("MEET_DEBUG"))
        g_printerr ("meetsrv: debug: %s\n", debug);
      g_clear_object (&vsrc);
      g_clear_object (&asrc);
      g_error_free (error);
      g_free (debug);
      s->exit_code = 1;
      g_main_loop_quit (s->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (s->loop);
      break;
    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (message) == GST_OBJECT (s->pipeline)) {
        GstState state;
        gst_message_parse_state_changed (message, nullptr, &state, nullptr);
        s->playing = state == GST_STATE_PLAYING;
      }
      break;
    default:
      break;
  }
  return TRUE;
}

}  // namespace

int
main (int argc, char **argv)
{
  Server s;
  GOptionEntry entries[] = {
    {"ip", 0, 0, G_OPTION_ARG_STRING, &s.opt.ip, "Address to listen on (default: all addresses)", "ADDR"},
    {"port", 0, 0, G_OPTION_ARG_INT, &s.opt.port, "RTSP port (0 = any free port, printed in the URL)", "PORT"},
    {"path", 0, 0, G_OPTION_ARG_STRING, &s.opt.path, "Path of the meeting in the URL (default /meet)", "PATH"},
    {"video", 0, 0, G_OPTION_ARG_STRING, &s.opt.video, "Camera device, or \"test\" for a test picture "
          "(default: /dev/video0 when there is one)", "DEVICE|test"},
    {"video-source", 0, 0, G_OPTION_ARG_STRING, &s.opt.video_source, "Any live GStreamer video source "
          "instead of a camera, as a gst-launch fragment, e.g. \"rtspsrc location=rtsp://CAMERA/stream ! decodebin\"",
          "PIPELINE"},
    {"audio", 0, 0, G_OPTION_ARG_STRING, &s.opt.audio, "ALSA capture device, or \"test\" for a test sound "
          "(default: the sound server, else ALSA's default device)", "DEVICE|test"},
    {"width", 0, 0, G_OPTION_ARG_INT, &s.opt.width, "Picture width (default 640)", "PIXELS"},
    {"height", 0, 0, G_OPTION_ARG_INT, &s.opt.height, "Picture height (default 480)", "PIXELS"},
    {"fps", 0, 0, G_OPTION_ARG_INT, &s.opt.fps, "Frames per second (default 30)", "N"},
    {"quality", 0, 0, G_OPTION_ARG_INT, &s.opt.quality, "JPEG quality 1-100 (default 50)", "Q"},
    {"no-mirror", 0, 0, G_OPTION_ARG_NONE, &s.opt.no_mirror, "Send the picture as the camera sees it "
          "(it is mirrored by default, like a looking glass)", nullptr},
    {"blur", 0, 0, G_OPTION_ARG_NONE, &s.opt.blur, "Blur people before sending (yoloblur)", nullptr},
    {"model", 0, 0, G_OPTION_ARG_FILENAME, &s.opt.model, "YOLOv5 ONNX model for --blur "
          "(default: yoloblur's own lookup)", "FILE"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &s.opt.user, "User name clients must give", "NAME"},
    {"password", 0, 0, G_OPTION_ARG_STRING, &s.opt.password, "Password clients must give", "SECRET"},
    {"status-interval", 0, 0, G_OPTION_ARG_INT, &s.opt.status_interval,
          "Seconds between status lines (default 5)", "SECONDS"},
    {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}
  };
  GOptionContext *context = g_option_context_new ("- host a camera-and-microphone meeting over RTSP");
  g_option_context_add_main_entries (context, entries, nullptr);
  g_option_context_add_group (context, gst_init_get_option_group ());
  GError *error = nullptr;
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("meetsrv: %s (see meetsrv --help)\n", error->message);
    return 2;
  }
  g_option_context_free (context);
  if (s.opt.path == nullptr)
    s.opt.path = g_strdup ("/meet");
  if (s.opt.path[0] != '/') {
    gchar *path = g_strconcat ("/", s.opt.path, nullptr);
    g_free (s.opt.path);
    s.opt.path = path;
  }
  if (s.opt.port < 0 || s.opt.port > 65535 || s.opt.width <= 0 || s.opt.height <= 0 || s.opt.fps <= 0 ||
      s.opt.quality < 1 || s.opt.quality > 100 || s.opt.status_interval <= 0) {
    g_printerr ("meetsrv: --port must be 0-65535, --quality 1-100 and sizes, --fps and --status-interval "
        "positive.\n");
    return 2;
  }
  if (s.opt.video && s.opt.video_source) {
    g_printerr ("meetsrv: give --video or --video-source, not both.\n");
    return 2;
  }
  if ((s.opt.user == nullptr) != (s.opt.password == nullptr)) {
    g_printerr ("meetsrv: give both --user and --password, or neither.\n");
    return 2;
  }

  for (const char *needed : {"meetrtspsink", "meetjpegpay", "meetpcmpay"}) {
    if (!meet::have_element (needed)) {
      g_printerr ("meetsrv: the %s element is missing: build meetstream and run from `meson devenv -C build` "
          "(or set GST_PLUGIN_PATH to build/plugins/meet).\n", needed);
      return 1;
    }
  }
  if (s.opt.blur && !meet::have_element ("yoloblur")) {
    g_printerr ("meetsrv: --blur needs the yoloblur element, which is built only when OpenCV is found; "
        "install libopencv-dev and rebuild, or run without --blur.\n");
    return 1;
  }

  std::string video = choose_video (&s);
  std::string audio = choose_audio (&s);
  /* videorate only drops frames: filling in missing ones means holding every frame until the next one
   * arrives, a whole frame (33 ms at 30 fps) of latency. A camera slower than --fps sends at its own rate. */
  gchar *caps = g_strdup_printf ("video/x-raw,width=%d,height=%d,framerate=[1/1,%d/1],pixel-aspect-ratio=1/1",
      s.opt.width, s.opt.height, s.opt.fps);
  std::string description = video + " ! videoconvert ! videoscale ! videorate drop-only=true ! " + caps + " ! ";
  g_free (caps);
  if (!s.opt.no_mirror)
    /* video-direction: setting the deprecated method property has no effect in GStreamer 1.22. */
    description += "videoflip video-direction=horiz ! ";
  if (s.opt.blur)
    description += "videoconvert ! yoloblur name=blur ! ";
  description += "videoconvert ! video/x-raw,format=I420 ! jpegenc name=venc quality=" +
      std::to_string (s.opt.quality) + " ! meetjpegpay ! rtspsink.sink_0 ";
  description += audio + " ! audioconvert ! audioresample ! audio/x-raw,format=S16BE,rate=48000,channels=1 "
      "! meetpcmpay ! rtspsink.sink_1 meetrtspsink name=rtspsink";

  GError *parse_error = nullptr;
  s.pipeline = gst_parse_launch_full (description.c_str (), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &parse_error);
  if (s.pipeline == nullptr) {
    g_printerr ("meetsrv: cannot build the pipeline: %s\n", parse_error->message);
    return 1;
  }
  s.rtsp_sink = gst_bin_get_by_name (GST_BIN (s.pipeline), "rtspsink");
  meet::set_property (s.rtsp_sink, "address", s.opt.ip ? s.opt.ip : "0.0.0.0");
  meet::set_property (s.rtsp_sink, "port", std::to_string (s.opt.port));
  meet::set_property (s.rtsp_sink, "path", s.opt.path);
  if (s.opt.user) {
    meet::set_property (s.rtsp_sink, "user", s.opt.user);
    meet::set_property (s.rtsp_sink, "password", s.opt.password);
  }
  if (s.opt.blur && s.opt.model) {
    GstElement *blur = gst_bin_get_by_name (GST_BIN (s.pipeline), "blur");
    meet::set_property (blur, "model", s.opt.model);
    gst_object_unref (blur);
  }
  if (s.test_video) {
    GstElement *encoder = gst_bin_get_by_name (GST_BIN (s.pipeline), "venc");
    meet::draw_marks_into_input (encoder, s.opt.fps);
    gst_object_unref (encoder);
  }

  s.loop = g_main_loop_new (nullptr, FALSE);
  GstBus *bus = gst_element_get_bus (s.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &s);
  gst_object_unref (bus);
  meet::watch_unix_signals (on_first_signal, on_second_signal, &s);
  g_timeout_add (100, on_status_tick, &s);

  if (gst_element_set_state (s.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE && !s.exit_code) {
    /* The reason is on the bus; let the bus watch print it. */
    s.exit_code = 1;
  }
  g_main_loop_run (s.loop);

  gst_element_set_state (s.pipeline, GST_STATE_NULL);
  gst_object_unref (s.rtsp_sink);
  gst_object_unref (s.pipeline);
  g_main_loop_unref (s.loop);
  g_free (s.opt.ip);
  g_free (s.opt.path);
  g_free (s.opt.video);
  g_free (s.opt.video_source);
  g_free (s.opt.audio);
  g_free (s.opt.model);
  g_free (s.opt.user);
  g_free (s.opt.password);
  return s.exit_code;
}
