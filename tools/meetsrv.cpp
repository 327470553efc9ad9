/* meetsrv: hosts a meeting. Captures the camera and the microphone (or test sources when there are none),
 * encodes JPEG and L16 and serves both over RTSP with meetrtspsink at PATH, where any player sees the host;
 * participants (meetcli, ffmpeg, rtspclientsink) publish under PATH/NAME and everyone plays everyone.
 *
 *   camera ! convert/scale/rate ! [videoflip] ! [yoloblur] ! I420 ! jpegenc ! meetjpegpay ! tee ! meetrtspsink.sink_0
 *   microphone ! audioconvert ! audioresample ! S16BE ! meetpcmpay ! tee ! meetrtspsink.sink_1
 *   both tees ! meetrtspclientsink location=rtsp://127.0.0.1:PORT/PATH/NAME   (the host in the roster)
 *
 * The host also publishes itself into its own server as PATH/NAME, so that the roster names it and the
 * participants' meetcli find it like anyone else (a loopback hop of well under a millisecond).
 * --no-camera: no media of its own, a pure relay.
 *
 * Secure by default: rtsps:// only (meetrtspsink encryption=required) with the launcher's own certificate
 * (meetcert.h: made on first run under $XDG_CONFIG_HOME/meetstream/, or --tls-cert/--tls-key), RTSP Digest
 * with a random passcode per meeting (or --password), and one join line (joinline.h) carrying the URL, the
 * passcode and the certificate's fingerprint. The host's own publisher, roster and --forward-all reads go
 * to 127.0.0.1 over TLS too, pinned to that fingerprint. --insecure: plain rtsp:// as before.
 *
 * Example: meetsrv --port 8554 --path /meet --name alice --blur
 */
#include "capture.h"
#include "joinline.h"
#include "launcher.h"
#include "marks.h"
#include "meetcert.h"
#include "meetingforward.h"
#include "rosterwatch.h"
#include "tlscerts.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Options {
  gchar *ip = nullptr;
  gint port = 8554;
  gchar *path = nullptr;
  gchar *name = nullptr;
  gint max_participants = 16;
  gint max_viewers = 100;
  gboolean no_camera = FALSE;
  gint session_timeout = 60;
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
  gchar **forward = nullptr;
  gboolean forward_all = FALSE;
  gboolean multicast = FALSE;
  gchar *multicast_pool = nullptr;
  gint multicast_ttl = 1;
  gboolean insecure = FALSE;
  gchar *tls_cert = nullptr;
  gchar *tls_key = nullptr;
};

/* The user name of a meeting that has only a passcode (no --user): RTSP Digest needs one. */
const char *const kPasscodeUser = meet::kJoinDefaultUser;

struct Server {
  Options opt;
  GMainLoop *loop = nullptr;
  GstElement *pipeline = nullptr;
  GstElement *rtsp_sink = nullptr;
  GstElement *self_publisher = nullptr;  /* the host into its own server as PATH/NAME */
  std::string video_desc;       /* what the picture comes from, for messages */
  bool test_video = false;
  bool test_audio = false;
  int tick_hz = 1000;
  bool playing = false;
  bool announced = false;
  bool stopping = false;
  int exit_code = 0;
  uint64_t last_bytes = 0;
  uint64_t last_bytes_in = 0;
  gint64 last_status_time = 0;
  uint64_t last_clients = 0;
  std::unique_ptr<meet::RosterWatch> roster;
  std::unique_ptr<meet::MeetingForwards> forwards;   /* --forward */
  std::vector<std::string> participants;
  /* Secure meetings (not --insecure). */
  bool secure = false;
  std::string user, password;   /* what clients must give (password: --password or the passcode) */
  std::string cert_file, key_file, fingerprint;
};

/* A name fit for PATH/NAME: letters, digits, '-', '_', '.'. */
bool
valid_name (const char *name)
{
  if (name == nullptr || *name == '\0' || strlen (name) > 64)
    return false;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return false;
  return true;
}

std::string
join_names (const std::vector<std::string> & names)
{
  std::string text;
  for (auto &n : names)
    text += (text.empty ()? "" : ", ") + n;
  return text;
}

void
stop (Server * s, int exit_code)
{
  if (s->stopping)
    return;
  s->stopping = true;
  s->exit_code = exit_code;
  if (s->opt.no_camera) {
    /* A relay has no sources to end: closing the server ends every session. */
    g_main_loop_quit (s->loop);
    return;
  }
  /* The host leaves its own roster first (TEARDOWN on PAUSED->READY): the EOS below then only has
   * meetrtspsink's sessions to end, as for a server without participants. */
  if (s->self_publisher) {
    GstPad *pads[2] = { gst_element_get_static_pad (s->self_publisher, "sink_0"),
      gst_element_get_static_pad (s->self_publisher, "sink_1") };
    for (GstPad *pad : pads) {
      GstPad *peer = pad ? gst_pad_get_peer (pad) : nullptr;
      if (peer) {
        gst_pad_unlink (peer, pad);
        gst_object_unref (peer);
      }
      if (pad)
        gst_object_unref (pad);
    }
    gst_element_set_state (s->self_publisher, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (s->pipeline), s->self_publisher);
    gst_object_unref (s->self_publisher);
    s->self_publisher = nullptr;
  }
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
  meet::JoinInfo join;
  join.url = meet::join_url (s->secure, host, static_cast<unsigned> (port), s->opt.path);
  if (s->user != kPasscodeUser)
    join.user = s->user;
  join.passcode = s->password;
  join.fingerprint = s->secure ? s->fingerprint : "";
  /* One line holds everything a participant needs: meetcli takes it as it is. */
  g_print ("meetsrv: serving %s; join the meeting at %s\n", s->video_desc.c_str (),
      meet::format_join_line (join).c_str ());
  if (s->secure) {
    meet::JoinInfo player = join;
    player.user = s->user;
    g_print ("meetsrv: players: %s (TLS, media over TCP; ffplay takes it as it is, GStreamer's rtspsrc with "
        "tls-validation-flags=0 or a tls-database of %s)\n", meet::join_player_url (player).c_str (),
        s->cert_file.c_str ());
  } else if (!s->password.empty ()) {
    meet::JoinInfo player = join;
    player.user = s->user;
    g_print ("meetsrv: players: %s\n", meet::join_player_url (player).c_str ());
  }
  if (s->opt.multicast)
    g_print ("meetsrv: multicast offered to viewers that ask for it (%s, groups of %s, ttl %d)\n",
        s->secure ? "SRTP only, RTP/SAVP;multicast, to rtsps:// viewers" : "plain RTP",
        s->opt.multicast_pool ? s->opt.multicast_pool : "239.255.42.0/24", s->opt.multicast_ttl);
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

/* The roster changed: who joined, who left. */
void
on_roster (Server * s, const std::vector<std::string> & names)
{
  for (auto &n : names)
    if (std::find (s->participants.begin (), s->participants.end (), n) == s->participants.end ())
      g_print ("meetsrv: %s joined (%zu in the meeting: %s)\n", n.c_str (), names.size (),
          join_names (names).c_str ());
  for (auto &n : s->participants)
    if (std::find (names.begin (), names.end (), n) == names.end ())
      g_print ("meetsrv: %s left (%zu in the meeting%s%s)\n", n.c_str (), names.size (),
          names.empty ()? "" : ": ", join_names (names).c_str ());
  s->participants = names;
  if (s->forwards)
    s->forwards->on_roster (names);
}

std::string
local_url (Server * s, uint64_t port)
{
  std::string host = s->opt.ip && strcmp (s->opt.ip, "0.0.0.0") != 0 && strcmp (s->opt.ip, "::") != 0 ?
      s->opt.ip : "127.0.0.1";
  return meet::join_url (s->secure, host, static_cast<unsigned> (port), s->opt.path);
}

gboolean
on_status_tick (gpointer data)
{
  auto *s = static_cast<Server *> (data);
  if (!s->announced) {
    if (s->playing && (s->opt.no_camera || streams_ready (s))) {
      announce (s);
      uint64_t port = meet::get_uint64_property (s->rtsp_sink, "bound-port");
      s->roster = std::make_unique<meet::RosterWatch> (local_url (s, port), s->user, s->password,
          [s](const std::vector<std::string> & names) {
            on_roster (s, names);
          }, s->fingerprint, [](const std::string & reason) {
            g_printerr ("meetsrv: cannot read the meeting's roster: %s\n", reason.c_str ());
          });
    }
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
    std::string in;
    {
      uint64_t bytes_in = meet::get_uint64_property (s->rtsp_sink, "bytes-received");
      double in_mbits = seconds > 0 && bytes_in >= s->last_bytes_in ?
          (bytes_in - s->last_bytes_in) * 8 / seconds / 1e6 : 0;
      s->last_bytes_in = bytes_in;
      gchar *part = g_strdup_printf (", %.2f Mbit/s in", in_mbits);
      in = part;
      g_free (part);
    }
    std::string who = s->participants.empty ()? "nobody publishing" :
        std::to_string (s->participants.size ()) + " in the meeting (" + join_names (s->participants) + ")";
    g_print ("meetsrv: %" G_GUINT64_FORMAT " client%s connected, %.2f Mbit/s sent%s, %s\n", clients,
        clients == 1 ? "" : "s", mbits, in.c_str (), who.c_str ());
    s->last_bytes = bytes;
    s->last_status_time = now;
    if (s->forwards)
      s->forwards->print_status ();
  }
  return G_SOURCE_CONTINUE;
}

gboolean
on_bus_message (GstBus *, GstMessage * message, gpointer data)
{
  auto *s = static_cast<Server *> (data);
  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      if (s->forwards && s->forwards->handle_error (message))
        break;
      if (s->stopping) {
        /* Ending already: the host's publisher leaving unlinks a branch of the sources, and a buffer
         * caught on its way can end them with "Internal data stream error". Nothing failed. */
        g_main_loop_quit (s->loop);
        break;
      }
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
    {"name", 0, 0, G_OPTION_ARG_STRING, &s.opt.name, "The host's name in the meeting (default: the login "
          "name); letters, digits, '-', '_', '.'", "NAME"},
    {"max-participants", 0, 0, G_OPTION_ARG_INT, &s.opt.max_participants, "Most participants publishing at "
          "once (default 16)", "N"},
    {"multicast", 0, 0, G_OPTION_ARG_NONE, &s.opt.multicast, "Offer multicast (RFC 2326) to viewers that ask "
          "for it: one send per packet on the LAN, whatever the number of viewers. Plain RTP with --insecure; "
          "in a secure meeting the groups carry SRTP only (RTP/SAVP;multicast, keys inside TLS), which "
          "meetcli and rtspsrc take over rtsps://", nullptr},
    {"multicast-pool", 0, 0, G_OPTION_ARG_STRING, &s.opt.multicast_pool, "With --multicast: the groups handed "
          "out (default 239.255.42.0/24, administratively scoped)", "ADDRESS/PREFIX"},
    {"multicast-ttl", 0, 0, G_OPTION_ARG_INT, &s.opt.multicast_ttl, "With --multicast: hops the packets may "
          "travel (default 1: they stay on the local network)", "N"},
    {"max-viewers", 0, 0, G_OPTION_ARG_INT, &s.opt.max_viewers, "Most RTSP sessions reading the meeting at "
          "once, participants' own included (default 100)", "N"},
    {"no-camera", 0, 0, G_OPTION_ARG_NONE, &s.opt.no_camera, "No camera or microphone of the host's own: only "
          "relay the participants (for a server machine)", nullptr},
    {"session-timeout", 0, 0, G_OPTION_ARG_INT, &s.opt.session_timeout, "Seconds of silence after which a "
          "viewer or participant counts as gone (default 60)", "SECONDS"},
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
    {"user", 0, 0, G_OPTION_ARG_STRING, &s.opt.user, "User name clients must give (default \"meet\", left out "
          "of the join line)", "NAME"},
    {"password", 0, 0, G_OPTION_ARG_STRING, &s.opt.password, "Password clients must give (default: a new "
          "random passcode for every meeting, printed in the join line)", "SECRET"},
    {"insecure", 0, 0, G_OPTION_ARG_NONE, &s.opt.insecure, "Serve plain rtsp:// as before, for players "
          "without TLS: no encryption, and no passcode unless --password is given", nullptr},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &s.opt.tls_cert, "PEM certificate to serve rtsps:// with "
          "(default: meetsrv's own self-signed one, made on first run in $XDG_CONFIG_HOME/meetstream/)", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &s.opt.tls_key, "PEM private key of --tls-cert (default: in the "
          "--tls-cert file)", "FILE"},
    {"status-interval", 0, 0, G_OPTION_ARG_INT, &s.opt.status_interval,
          "Seconds between status lines (default 5)", "SECONDS"},
    {"forward", 0, 0, G_OPTION_ARG_STRING_ARRAY, &s.opt.forward, "Also publish the host's streams into "
          "another RTSP server (a relay for a large audience), with RTSP RECORD; repeatable; credentials as "
          "rtsp://user:password@relay:8554/path", "URL"},
    {"forward-all", 0, 0, G_OPTION_ARG_NONE, &s.opt.forward_all, "With --forward: every participant too, as "
          "URL/NAME", nullptr},
    {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}
  };
  GOptionContext *context = g_option_context_new ("- host a camera-and-microphone meeting over RTSP");
  g_option_context_set_summary (context, "Secure by default: rtsps:// (TLS) with a self-signed certificate "
      "kept in $XDG_CONFIG_HOME/meetstream/ (or --tls-cert/--tls-key), a random passcode per meeting (or "
      "--password), and one join line to give participants:\n  meetcli 'rtsps://HOST:8554/meet passcode=... "
      "fingerprint=sha256:...'\n--insecure serves plain rtsp:// for players without TLS.");
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
  if (s.opt.forward_all && !s.opt.forward) {
    g_printerr ("meetsrv: --forward-all needs a --forward URL.\n");
    return 2;
  }
  for (gchar **url = s.opt.forward; url && *url; url++) {
    if (!g_str_has_prefix (*url, "rtsp://") && !g_str_has_prefix (*url, "rtsps://")) {
      g_printerr ("meetsrv: --forward %s: give the relay's rtsp:// URL (or rtsps://).\n", *url);
      return 2;
    }
  }
  if (s.opt.forward && s.opt.no_camera && !s.opt.forward_all) {
    g_printerr ("meetsrv: --forward with --no-camera has nothing of the host's to forward: add --forward-all "
        "to forward the participants.\n");
    return 2;
  }
  if (s.opt.user && s.opt.password == nullptr) {
    g_printerr ("meetsrv: --user needs a --password.\n");
    return 2;
  }
  if (s.opt.insecure && (s.opt.tls_cert || s.opt.tls_key)) {
    g_printerr ("meetsrv: --insecure serves plain rtsp://: it takes no --tls-cert or --tls-key.\n");
    return 2;
  }
  if (s.opt.tls_key && !s.opt.tls_cert) {
    g_printerr ("meetsrv: --tls-key goes with --tls-cert.\n");
    return 2;
  }
  s.secure = !s.opt.insecure;
  if (s.opt.password && !*s.opt.password) {
    g_printerr ("meetsrv: --password cannot be empty.\n");
    return 2;
  }
  if (s.opt.password) {
    s.password = s.opt.password;
    s.user = s.opt.user ? s.opt.user : kPasscodeUser;
  } else if (s.secure) {
    s.password = meet::make_passcode ();
    s.user = s.opt.user ? s.opt.user : kPasscodeUser;
    if (s.password.empty ()) {
      g_printerr ("meetsrv: cannot make a passcode: the system gives no randomness; give --password.\n");
      return 1;
    }
  }
  if (s.secure && s.opt.tls_cert) {
    std::string load_error;
    GTlsCertificate *cert = meet::tls_certificate_load (s.opt.tls_cert, s.opt.tls_key ? s.opt.tls_key : "",
        &load_error);
    if (cert == nullptr) {
      g_printerr ("meetsrv: --tls-cert: %s\n", load_error.c_str ());
      return 2;
    }
    s.fingerprint = meet::tls_certificate_fingerprint (cert);
    g_object_unref (cert);
    s.cert_file = s.opt.tls_cert;
    s.key_file = s.opt.tls_key ? s.opt.tls_key : "";
  } else if (s.secure) {
    meet::LauncherCertificate lc;
    std::string cert_error;
    std::vector<std::string> names;
    if (s.opt.ip && strcmp (s.opt.ip, "0.0.0.0") != 0 && strcmp (s.opt.ip, "::") != 0)
      names.push_back (s.opt.ip);
    else
      names.push_back (meet::address_for_url ("0.0.0.0"));
    if (!meet::ensure_launcher_certificate (meet::meet_config_dir (), &lc, &cert_error, names)) {
      g_printerr ("meetsrv: cannot make or read the meeting's certificate: %s (give --tls-cert/--tls-key, "
          "or --insecure)\n", cert_error.c_str ());
      return 1;
    }
    if (lc.created)
      g_print ("meetsrv: made a TLS certificate for this machine: %s (fingerprint %s, kept for the next "
          "meetings)\n", lc.cert_file.c_str (), lc.fingerprint.c_str ());
    if (!lc.note.empty ())
      g_print ("meetsrv: %s\n", lc.note.c_str ());
    s.cert_file = lc.cert_file;
    s.key_file = lc.key_file;
    s.fingerprint = lc.fingerprint;
  }
  if (!s.secure)
    g_print ("meetsrv: --insecure: serving plain rtsp:// without encryption%s; anyone on the network path "
        "can see and hear the meeting.\n", s.password.empty () ? " or a passcode" : "");

  if (s.opt.name == nullptr)
    s.opt.name = g_strdup (g_get_user_name ());
  if (!valid_name (s.opt.name)) {
    g_printerr ("meetsrv: --name %s: a name is 1-64 letters, digits, '-', '_' or '.'.\n", s.opt.name);
    return 2;
  }
  if (s.opt.multicast_ttl < 1 || s.opt.multicast_ttl > 255) {
    g_printerr ("meetsrv: --multicast-ttl must be 1-255.\n");
    return 2;
  }
  if (s.opt.multicast_pool && !s.opt.multicast) {
    g_printerr ("meetsrv: --multicast-pool goes with --multicast.\n");
    return 2;
  }
  if (s.opt.max_viewers < 1 || s.opt.max_viewers > 10000) {
    g_printerr ("meetsrv: --max-viewers must be 1-10000.\n");
    return 2;
  }
  if (s.opt.max_participants < 1 || s.opt.max_participants > 1000 || s.opt.session_timeout < 1 ||
      s.opt.session_timeout > 3600) {
    g_printerr ("meetsrv: --max-participants must be 1-1000 and --session-timeout 1-3600.\n");
    return 2;
  }

  for (const char *needed : {"meetrtspsink", "meetjpegpay", "meetpcmpay", "meetrtspclientsink"}) {
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

  std::string description;
  meet::CaptureOptions capture;
  if (s.opt.no_camera) {
    s.video_desc = "no media of its own (relay only)";
    description = "meetrtspsink name=rtspsink";
  } else {
    capture.video = s.opt.video;
    capture.video_source = s.opt.video_source;
    capture.audio = s.opt.audio;
    capture.width = s.opt.width;
    capture.height = s.opt.height;
    capture.fps = s.opt.fps;
    capture.mirror = !s.opt.no_mirror;
    capture.blur = s.opt.blur;
    meet::CaptureChoice choice = meet::choose_capture ("meetsrv", capture);
    s.video_desc = choice.video_desc;
    s.test_video = choice.test_video;
    s.test_audio = choice.test_audio;
    s.tick_hz = choice.tick_hz;
    description = choice.video + " ! " + meet::video_processing (capture, choice) +
        " ! video/x-raw,format=I420 ! jpegenc name=venc quality=" + std::to_string (s.opt.quality) +
        " ! meetjpegpay ! tee name=vtee ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=200000000 "
        "leaky=downstream ! rtspsink.sink_0 ";
    description += choice.audio + " ! audioconvert ! audioresample ! "
        "audio/x-raw,format=S16BE,rate=48000,channels=1 ! meetpcmpay ! tee name=atee ! queue "
        "max-size-buffers=0 max-size-bytes=0 max-size-time=200000000 leaky=downstream ! rtspsink.sink_1 "
        "meetrtspsink name=rtspsink "
        "vtee. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=200000000 leaky=downstream ! self.sink_0 "
        "atee. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=200000000 leaky=downstream ! self.sink_1 "
        "meetrtspclientsink name=self retry=1000000";
  }

  GError *parse_error = nullptr;
  s.pipeline = gst_parse_launch_full (description.c_str (), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &parse_error);
  if (s.pipeline && !GST_IS_PIPELINE (s.pipeline)) {
    /* A relay is one element, which gst_parse_launch hands back bare. */
    GstElement *pipeline = gst_pipeline_new (nullptr);
    gst_bin_add (GST_BIN (pipeline), s.pipeline);
    s.pipeline = pipeline;
  }
  if (s.pipeline == nullptr) {
    g_printerr ("meetsrv: cannot build the pipeline: %s\n", parse_error->message);
    return 1;
  }
  if (!GST_IS_PIPELINE (s.pipeline)) {
    /* A description of one element (--no-camera) parses to that element, not to a pipeline. */
    GstElement *pipeline = gst_pipeline_new ("meetsrv");
    gst_bin_add (GST_BIN (pipeline), s.pipeline);
    s.pipeline = pipeline;
  }
  s.rtsp_sink = gst_bin_get_by_name (GST_BIN (s.pipeline), "rtspsink");
  s.self_publisher = gst_bin_get_by_name (GST_BIN (s.pipeline), "self");
  meet::set_property (s.rtsp_sink, "address", s.opt.ip ? s.opt.ip : "0.0.0.0");
  meet::set_property (s.rtsp_sink, "port", std::to_string (s.opt.port));
  meet::set_property (s.rtsp_sink, "path", s.opt.path);
  meet::set_property (s.rtsp_sink, "allow-publish", "true");
  meet::set_property (s.rtsp_sink, "max-publishers", std::to_string (s.opt.max_participants));
  meet::set_property (s.rtsp_sink, "max-clients", std::to_string (s.opt.max_viewers));
  if (s.opt.multicast) {
    meet::set_property (s.rtsp_sink, "multicast-address-pool", s.opt.multicast_pool ? s.opt.multicast_pool :
        "239.255.42.0/24");
    meet::set_property (s.rtsp_sink, "multicast-ttl", std::to_string (s.opt.multicast_ttl));
  }
  meet::set_property (s.rtsp_sink, "session-timeout", std::to_string (s.opt.session_timeout));
  if (!s.password.empty ()) {
    meet::set_property (s.rtsp_sink, "user", s.user);
    meet::set_property (s.rtsp_sink, "password", s.password);
  }
  if (s.secure) {
    meet::set_property (s.rtsp_sink, "tls-cert-file", s.cert_file);
    if (!s.key_file.empty ())
      meet::set_property (s.rtsp_sink, "tls-key-file", s.key_file);
    meet::set_property (s.rtsp_sink, "encryption", "required");
  }
  if (s.opt.blur && s.opt.model) {
    GstElement *blur = gst_bin_get_by_name (GST_BIN (s.pipeline), "blur");
    meet::set_property (blur, "model", s.opt.model);
    gst_object_unref (blur);
  }
  if (s.test_video) {
    std::string error;
    if (!meet::start_test_picture (GST_BIN (s.pipeline), capture, &error)) {
      g_printerr ("meetsrv: %s\n", error.c_str ());
      if (s.self_publisher)
        gst_object_unref (s.self_publisher);
      gst_object_unref (s.rtsp_sink);
      gst_object_unref (s.pipeline);
      return 1;
    }
    GstElement *encoder = gst_bin_get_by_name (GST_BIN (s.pipeline), "venc");
    meet::draw_marks_into_input (encoder, s.opt.fps);
    gst_object_unref (encoder);
  }
  if (s.test_audio) {
    GstElement *asrc = gst_bin_get_by_name (GST_BIN (s.pipeline), "asrc");
    if (asrc) {
      meet::draw_ticks_into_output (asrc, s.tick_hz);
      gst_object_unref (asrc);
    }
  }
  /* The server binds its port on NULL->READY: only then is the host's own publishing URL known. */
  if (gst_element_set_state (s.rtsp_sink, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
    s.exit_code = 1;
  } else if (s.self_publisher) {
    std::string location = local_url (&s, meet::get_uint64_property (s.rtsp_sink, "bound-port")) + "/" +
        s.opt.name;
    meet::set_property (s.self_publisher, "location", location);
    if (!s.password.empty ()) {
      meet::set_property (s.self_publisher, "user", s.user);
      meet::set_property (s.self_publisher, "password", s.password);
    }
    if (s.secure)
      meet::set_property (s.self_publisher, "tls-fingerprint", s.fingerprint);
  }

  if (s.opt.forward && !s.exit_code) {
    s.forwards = std::make_unique<meet::MeetingForwards> (s.pipeline,
        local_url (&s, meet::get_uint64_property (s.rtsp_sink, "bound-port")), s.user, s.password,
        s.opt.forward_all, s.fingerprint);
    for (gchar **url = s.opt.forward; *url; url++) {
      GError *forward_error = nullptr;
      if (s.opt.no_camera) {
        s.forwards->add_participant_target (*url);
      } else if (!s.forwards->add_host_forward (*url, &forward_error)) {
        g_printerr ("meetsrv: %s\n", forward_error->message);
        g_error_free (forward_error);
        continue;
      }
      g_print ("meetsrv: forwarding the meeting to %s%s%s\n", meet::url_without_password (*url).c_str (),
          s.opt.forward_all ? " (every participant as URL/NAME)" : "",
          s.secure && g_str_has_prefix (*url, "rtsp://") ? "; in clear: an rtsps:// URL would encrypt it" : "");
    }
  }

  s.loop = g_main_loop_new (nullptr, FALSE);
  GstBus *bus = gst_element_get_bus (s.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &s);
  gst_object_unref (bus);
  meet::watch_unix_signals (on_first_signal, on_second_signal, &s);
  g_timeout_add (100, on_status_tick, &s);

  if (!s.exit_code && gst_element_set_state (s.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* The reason is on the bus; let the bus watch print it. */
    s.exit_code = 1;
  }
  g_main_loop_run (s.loop);

  s.roster.reset ();
  gst_element_set_state (s.pipeline, GST_STATE_NULL);
  s.forwards.reset ();
  if (s.self_publisher)
    gst_object_unref (s.self_publisher);
  gst_object_unref (s.rtsp_sink);
  gst_object_unref (s.pipeline);
  g_main_loop_unref (s.loop);
  g_free (s.opt.ip);
  g_free (s.opt.path);
  g_free (s.opt.name);
  g_free (s.opt.video);
  g_free (s.opt.video_source);
  g_free (s.opt.audio);
  g_free (s.opt.model);
  g_free (s.opt.user);
  g_free (s.opt.password);
  g_strfreev (s.opt.forward);
  g_free (s.opt.multicast_pool);
  g_free (s.opt.tls_cert);
  g_free (s.opt.tls_key);
  return s.exit_code;
}
