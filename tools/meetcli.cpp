/* meetcli: joins a meeting. Publishes its camera and microphone as PATH/NAME and plays the host and every
 * other participant, their sound mixed, in a window (MeetingWindow) or headless; --watch only watches (the
 * one-way player of watchplayer.cpp).
 *
 *   meetingpublisher.cpp   camera, camera-off switch, microphone -> meetrtspclientsink URL/NAME
 *   remoteparticipant.cpp  meetrtspsrc URL/OTHER -> picture, sound -> speaker mix
 *   meetingsession.cpp     the roster (rosterwatch.cpp), commands, status lines, summary, window
 *   meetingrecorder.cpp    --record: everyone's tracks in one Matroska file
 *
 * The meeting is meetsrv's join line (joinline.h), as one argument or as several words: the rtsps:// URL,
 * passcode= and fingerprint= (pinned: a server showing another certificate is refused, naming both
 * fingerprints); a plain rtsp:// URL (meetsrv --insecure) works as before.
 *
 * Example: meetcli rtsps://127.0.0.1:8554/meet passcode=k7qh-2mxp-9tzd fingerprint=sha256:AB:... --name bob
 *          meetcli rtsp://127.0.0.1:8554/meet --name bob --video test --audio test --headless
 */
#include "joinline.h"
#include "launcher.h"
#include "meetingsession.h"
#include "watchplayer.h"

#include <gtk/gtk.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

bool
valid_name (const std::string & name)
{
  if (name.empty () || name.size () > 64)
    return false;
  for (char ch : name)
    if (!g_ascii_isalnum (ch) && ch != '-' && ch != '_' && ch != '.')
      return false;
  return true;
}

}  // namespace

int
main (int argc, char **argv)
{
  /* --watch selects the one-way player, with its own options. */
  std::vector<char *> args (argv, argv + argc);
  for (size_t i = 1; i < args.size (); i++) {
    if (strcmp (args[i], "--watch") == 0) {
      args.erase (args.begin () + i);
      args.push_back (nullptr);
      return meet::watch_main (static_cast<int> (args.size () - 1), args.data ());
    }
  }

  meet::MeetingOptions o;
  gchar *ip = nullptr, *path = nullptr, *name = nullptr, *user = nullptr, *password = nullptr;
  gint port = 8554;
  gboolean watch = FALSE;
  GOptionEntry entries[] = {
    {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Your name in the meeting (default: the login name); letters, "
          "digits, '-', '_', '.'", "NAME"},
    {"watch", 0, 0, G_OPTION_ARG_NONE, &watch, "Only watch the meeting, publish nothing (the one-way player; "
          "see meetcli --watch --help)", nullptr},
    {"ip", 0, 0, G_OPTION_ARG_STRING, &ip, "Server address (instead of a URL)", "HOST"},
    {"port", 0, 0, G_OPTION_ARG_INT, &port, "Server RTSP port (default 8554)", "PORT"},
    {"path", 0, 0, G_OPTION_ARG_STRING, &path, "Path of the meeting (default /meet)", "PATH"},
    {"video", 0, 0, G_OPTION_ARG_STRING, &o.video, "Camera device, or \"test\" for a test picture "
          "(default: /dev/video0 when there is one)", "DEVICE|test"},
    {"audio", 0, 0, G_OPTION_ARG_STRING, &o.audio, "ALSA capture device, or \"test\" for a test sound "
          "(default: the sound server, else ALSA's default device)", "DEVICE|test"},
    {"width", 0, 0, G_OPTION_ARG_INT, &o.width, "Picture width (default 640)", "PIXELS"},
    {"height", 0, 0, G_OPTION_ARG_INT, &o.height, "Picture height (default 480)", "PIXELS"},
    {"fps", 0, 0, G_OPTION_ARG_INT, &o.fps, "Frames per second (default 30)", "N"},
    {"quality", 0, 0, G_OPTION_ARG_INT, &o.quality, "JPEG quality 1-100 (default 50)", "Q"},
    {"no-mirror", 0, 0, G_OPTION_ARG_NONE, &o.no_mirror, "Send the picture as the camera sees it "
          "(it is mirrored by default, like a looking glass)", nullptr},
    {"blur", 0, 0, G_OPTION_ARG_NONE, &o.blur, "Blur people in your own picture before it leaves the machine "
          "(yoloblur)", nullptr},
    {"model", 0, 0, G_OPTION_ARG_FILENAME, &o.model, "YOLOv5 ONNX model for --blur", "FILE"},
    {"no-echo-cancel", 0, 0, G_OPTION_ARG_NONE, &o.no_echo_cancel, "No echo cancellation on the microphone (a --audio test sound never has it)",
          nullptr},
    {"latency", 0, 0, G_OPTION_ARG_INT, &o.latency, "Jitter buffer in milliseconds (default 10; raise it "
          "on a jittery network)", "MS"},
    {"buffer-mode", 0, 0, G_OPTION_ARG_STRING, &o.buffer_mode, "How the jitter buffers time what arrives: "
          "slave (default: follows each sender's clock; on a starved CPU lip sync can wobble for a second) or "
          "none (RTP timestamps only: exact lip sync, for senders with NTP-synced clocks)", "MODE"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &user, "User name for the server", "NAME"},
    {"password", 0, 0, G_OPTION_ARG_STRING, &password, "Password for the server", "SECRET"},
    {"headless", 0, 0, G_OPTION_ARG_NONE, &o.headless, "No window; commands (mute, unmute, camera off, "
          "camera on, setup, play, pause, teardown, quit) are read from standard input", nullptr},
    {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &o.duration, "Leave the meeting this many seconds after the first "
          "data is sent or received", "SECONDS"},
    {"record", 0, 0, G_OPTION_ARG_FILENAME, &o.record, "Record every other participant's video and sound as "
          "tracks of one Matroska file (MJPEG video, PCM sound)", "FILE"},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout, "Seconds without an answer from the server before a "
          "connection counts as gone (default 5)", "SECONDS"},
    {"status-interval", 0, 0, G_OPTION_ARG_INT, &o.status_interval,
          "Seconds between status lines (default 5)", "SECONDS"},
    {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}
  };
  GOptionContext *context = g_option_context_new ("[JOIN LINE | URL] - join a meeting served over RTSP: "
      "publish your camera and microphone, see and hear everyone else");
  g_option_context_set_summary (context, "Give meetsrv's join line, quoted or not:\n  meetcli rtsps://HOST:8554/meet "
      "passcode=... fingerprint=sha256:...\nor a plain rtsp:// URL of an --insecure meeting.");
  g_option_context_add_main_entries (context, entries, nullptr);
  g_option_context_add_group (context, gst_init_get_option_group ());
  GError *error = nullptr;
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("meetcli: %s (see meetcli --help)\n", error->message);
    return 2;
  }
  g_option_context_free (context);
  if (argc >= 2 && ip) {
    g_printerr ("meetcli: give either the join line (or URL) or --ip/--port/--path (see meetcli --help)\n");
    return 2;
  }
  if (argc >= 2) {
    if (argc == 2 && !g_str_has_prefix (argv[1], "rtsp://") && !g_str_has_prefix (argv[1], "rtsps://") &&
        strchr (argv[1], ' ') == nullptr) {
      g_printerr ("meetcli: %s is not an rtsp:// URL (nor meetsrv's join line)\n", argv[1]);
      return 2;
    }
    meet::JoinInfo join;
    std::string join_error;
    if (!meet::join_from_arguments (std::vector<std::string> (argv + 1, argv + argc), user, password, &join,
            &join_error)) {
      g_printerr ("meetcli: %s\n", join_error.c_str ());
      return 2;
    }
    o.url = join.url;
    o.user = join.user;
    o.password = join.passcode;
    o.tls_fingerprint = join.fingerprint;
  } else if (ip) {
    bool ipv6 = strchr (ip, ':') != nullptr;
    const char *p = path ? path : "/meet";
    o.url = std::string ("rtsp://") + (ipv6 ? "[" : "") + ip + (ipv6 ? "]" : "") + ":" +
        std::to_string (port) + (p[0] == '/' ? "" : "/") + p;
  } else {
    g_printerr ("meetcli: which meeting? Give its URL (rtsp://HOST:PORT/meet) or --ip HOST\n");
    return 2;
  }
  while (!o.url.empty () && o.url.back () == '/')
    o.url.pop_back ();
  if (!g_str_has_prefix (o.url.c_str (), "rtsp://") && !g_str_has_prefix (o.url.c_str (), "rtsps://")) {
    g_printerr ("meetcli: %s is not an rtsp:// or rtsps:// URL\n", o.url.c_str ());
    return 2;
  }
  o.name = name ? name : g_get_user_name ();
  o.name_given = name != nullptr;
  if (!valid_name (o.name)) {
    g_printerr ("meetcli: --name %s: a name is 1-64 letters, digits, '-', '_' or '.'\n", o.name.c_str ());
    return 2;
  }
  if (o.latency < 0 || o.timeout <= 0 || o.status_interval <= 0 || o.duration < 0 || o.width <= 0 ||
      o.height <= 0 || o.fps <= 0 || o.quality < 1 || o.quality > 100) {
    g_printerr ("meetcli: --latency and --duration cannot be negative, --quality is 1-100, and --timeout, "
        "--status-interval, sizes and --fps must be positive\n");
    return 2;
  }
  if (o.buffer_mode && strcmp (o.buffer_mode, "slave") != 0 && strcmp (o.buffer_mode, "none") != 0) {
    g_printerr ("meetcli: --buffer-mode is slave or none\n");
    return 2;
  }
  if (argc < 2) {
    if (user && !password) {
      g_printerr ("meetcli: --user needs a --password\n");
      return 2;
    }
    o.password = password ? password : "";
    o.user = user ? user : (password ? meet::kJoinDefaultUser : "");
  }
  if (!o.headless && !gtk_init_check (&argc, &argv)) {
    g_print ("meetcli: no display: running headless\n");
    o.headless = TRUE;
  }
  std::vector<const char *> needed = {"meetrtspsrc", "meetrtspclientsink", "meetjpegdepay", "meetpcmdepay",
    "meetjpegpay", "meetpcmpay", "audiomixer", "input-selector", "webrtcdsp", "webrtcechoprobe"};
  if (o.blur)
    needed.push_back ("yoloblur");
  for (const char *element : needed) {
    if (!meet::have_element (element)) {
      bool ours = g_str_has_prefix (element, "meet") || g_str_equal (element, "yoloblur");
      g_printerr ("meetcli: the %s element is missing: %s\n", element, g_str_equal (element, "yoloblur") ?
          "it is built only when OpenCV is found; install libopencv-dev and rebuild, or run without --blur" :
          ours ? "build meetstream and run from `meson devenv -C build` (or set GST_PLUGIN_PATH to build/plugins/meet)" :
          "install GStreamer's plugins (gstreamer1.0-plugins-base, -good and -bad: scripts/setup.sh)");
      return 1;
    }
  }
  /* autoaudiosink would fall back to a silent fake sink, after noisy attempts at every sound system. */
  o.sound = meet::have_sound_server () || meet::have_alsa_device ('p');
  if (!o.sound)
    g_print ("meetcli: no sound device: carrying on without sound\n");

  int code = meet::run_meeting (o);
  g_free (ip);
  g_free (path);
  g_free (name);
  g_free (user);
  g_free (password);
  g_free (o.video);
  g_free (o.audio);
  g_free (o.model);
  g_free (o.record);
  g_free (o.buffer_mode);
  return code;
}
