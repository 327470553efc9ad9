/* meetcli --watch: only watches a meeting (the original one-way player). Receives JPEG video and L16 sound
 * over RTSP with meetrtspsrc and shows them in a GTK window (or headless), optionally blurring people
 * (yoloblur) and recording to Matroska.
 *
 *   meetrtspsrc ! meetjpegdepay ! jpegdec ! [yoloblur] ! videoconvert ! gtksink
 *               ! meetpcmdepay ! audioconvert ! audioresample ! autoaudiosink
 *
 * Example: meetcli rtsp://127.0.0.1:8554/meet --headless --duration 10 --record meeting.mkv
 */
#include "joinline.h"
#include "latencybudget.h"
#include "launcher.h"
#include "tlscerts.h"
#include "marks.h"
#include "mediameter.h"
#include "watchplayer.h"

#include <gst/audio/audio.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>
#include <gtk/gtk.h>
#include <gdk/gdkkeysyms.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

struct Options {
  gchar *ip = nullptr;
  gint port = 8554;
  gchar *path = nullptr;
  gboolean blur = FALSE;
  gchar *model = nullptr;
  gint latency = 10;
  gchar *user = nullptr;
  gchar *password = nullptr;
  gboolean headless = FALSE;
  gdouble duration = 0;
  gchar *record = nullptr;
  gint retry = 5;
  gint timeout = 5;
  gint status_interval = 5;
  gboolean stock = FALSE;
};

enum class Wanted { kSetUp, kPlaying, kPaused, kTornDown };

struct Client {
  Options opt;
  std::string url;
  std::string tls_fingerprint;          /* rtsps:// of a join line: the certificate pinned */
  GMainLoop *loop = nullptr;
  GstElement *pipeline = nullptr;
  GstElement *source = nullptr;
  GstElement *video_head = nullptr;     /* depayloaders: where the source's pads are linked */
  GstElement *audio_head = nullptr;
  bool sound = true;

  /* GUI */
  GtkWidget *window = nullptr;
  GtkWidget *status_label = nullptr;

  /* connection */
  Wanted wanted = Wanted::kPlaying;
  int attempts = 0;
  guint retry_source = 0;
  bool connected = false;
  bool finishing = false;
  int exit_code = 0;
  std::string failure;

  /* statistics, written by streaming threads */
  std::unique_ptr<meet::MediaMeter> meter;      /* packets, frames, sound, marks (mediameter.h) */
  gint64 connect_time = 0;      /* of the last (re)connection or RTSP command */
  GstClockTime pipeline_latency = GST_CLOCK_TIME_NONE;
  std::atomic<GstClockTime> latency{GST_CLOCK_TIME_NONE};     /* the same, for the meter's threads */

  /* status line deltas */
  uint64_t status_frames = 0;
  uint64_t status_bytes = 0;
  gint64 status_time = 0;
  gint64 start_time = 0;         /* of the first data */
};

void finish (Client * c, int exit_code, const std::string & failure);
void connect_source (Client * c);
void print_button_positions (Client * c);

const char *
state_word (Wanted w)
{
  switch (w) {
    case Wanted::kSetUp:
      return "set up";
    case Wanted::kPlaying:
      return "playing";
    case Wanted::kPaused:
      return "paused";
    case Wanted::kTornDown:
      return "torn down";
  }
  return "";
}

GstState
state_for (Wanted w)
{
  switch (w) {
    case Wanted::kSetUp:
    case Wanted::kPaused:
      return GST_STATE_PAUSED;
    case Wanted::kPlaying:
      return GST_STATE_PLAYING;
    case Wanted::kTornDown:
      return GST_STATE_READY;
  }
  return GST_STATE_READY;
}

/* Sound cards play what they are given one buffer later, and the sinks tell the pipeline so: with GStreamer's
 * default 200 ms buffer the picture would wait 200 ms to stay in step. 40 ms in 10 ms periods keeps the whole
 * meeting live; sound servers and ALSA handle it on an ordinary desktop. */
constexpr gint64 kAudioBufferUs = 40000;
constexpr gint64 kAudioPeriodUs = 10000;

void
on_deep_element_added (GstBin *, GstBin *, GstElement * element, gpointer)
{
  /* autoaudiosink creates the real sink when it starts: catch it here. */
  if (GST_IS_AUDIO_BASE_SINK (element))
    g_object_set (element, "buffer-time", kAudioBufferUs, "latency-time", kAudioPeriodUs,
        "processing-deadline", meet::kSinkProcessingDeadline, nullptr);
}

void
on_pad_added (GstElement *, GstPad * pad, gpointer user_data)
{
  auto *c = static_cast<Client *> (user_data);
  if (meet::link_stream_by_media (pad, c->video_head, c->audio_head, ""))
    c->meter->watch_rtp (pad);
}

void
set_status (Client * c, const std::string & line, bool print)
{
  if (print)
    g_print ("meetcli: %s\n", line.c_str ());
  if (c->status_label)
    gtk_label_set_text (GTK_LABEL (c->status_label), line.c_str ());
}

void
drop_source (Client * c)
{
  if (c->source == nullptr)
    return;
  gst_element_set_state (c->source, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (c->pipeline), c->source);
  c->source = nullptr;
}

/* Sequence numbers start afresh after PAUSE, TEARDOWN or a reconnection: the jump is not loss. */
void
restart_counters (Client * c)
{
  c->meter->restart ();
}

gboolean
on_retry_timeout (gpointer data)
{
  auto *c = static_cast<Client *> (data);
  c->retry_source = 0;
  connect_source (c);
  return G_SOURCE_REMOVE;
}

/* The server could not be reached or went away. meetrtspsrc has already retried when it says so; stock rtspsrc
 * does not retry, so the source is replaced after a growing pause, up to --retry times. */
void
lost_server (Client * c, const std::string & reason)
{
  if (c->finishing || c->retry_source)
    return;
  drop_source (c);
  bool was_connected = c->connected;
  c->connected = false;
  if (!c->opt.stock) {
    finish (c, 1, reason);
    return;
  }
  if (c->attempts >= c->opt.retry) {
    finish (c, 1, "cannot reach " + c->url + ": " + reason + " (gave up after " +
        std::to_string (c->attempts + 1) + " attempts)");
    return;
  }
  c->attempts++;
  int delay = 1 << std::min (c->attempts - 1, 3);
  g_print ("meetcli: %s %s (%s); reconnecting in %d s (attempt %d of %d)\n",
      was_connected ? "lost the meeting at" : "cannot reach", c->url.c_str (), reason.c_str (), delay,
      c->attempts, c->opt.retry);
  c->retry_source = g_timeout_add_seconds (delay, on_retry_timeout, c);
}

/* Adds a new source. At start the pipeline's own state change takes it along; on a reconnection it joins the
 * playing pipeline, whose clock and base time it gets from gst_bin_add. */
void
connect_source (Client * c)
{
  const char *factory = c->opt.stock ? "rtspsrc" : "meetrtspsrc";
  c->source = gst_element_factory_make (factory, "rtspsource");
  gst_bin_add (GST_BIN (c->pipeline), c->source);
  meet::set_property (c->source, "location", c->url);
  meet::set_property (c->source, "latency", std::to_string (c->opt.latency));
  if (!c->opt.stock) {
    /* meetrtspsrc reconnects by itself (posting a warning each time) and posts an error when it gives up. */
    meet::set_property (c->source, "retry", std::to_string (c->opt.retry));
    meet::set_property (c->source, "timeout", std::to_string (c->opt.timeout * 1000));
    /* Multicast when the server offers it (meetsrv --multicast; in a secure meeting the stream's SRTP
     * group), as a participant's players do (remoteparticipant.cpp): without it a viewer of rtsps:// took
     * TCP inside TLS and one of rtsp:// unicast UDP, each a send of its own. A server without multicast
     * answers 461 and unicast follows at once (SRTP over rtsps://); a group that never arrives falls back
     * after --timeout, with a line saying why. */
    meet::set_property (c->source, "protocols", "udp-mcast+udp+tcp");
  }
  if (c->opt.user) {
    meet::set_property (c->source, c->opt.stock ? "user-id" : "user", c->opt.user);
    meet::set_property (c->source, c->opt.stock ? "user-pw" : "password", c->opt.password);
  }
  if (!c->tls_fingerprint.empty () && !c->opt.stock) {
    meet::set_property (c->source, "tls-fingerprint", c->tls_fingerprint);
  } else if (!c->tls_fingerprint.empty ()) {
    /* GStreamer's rtspsrc cannot pin: it asks accept-certificate about a certificate no CA vouches for,
     * and this answers by the fingerprint (it lets TLS connect over TCP only, like ffplay). */
    meet::set_property (c->source, "protocols", "tcp");
    g_signal_connect (c->source, "accept-certificate", G_CALLBACK (+[](GstElement *, GTlsConnection *,
                GTlsCertificate * peer, GTlsCertificateFlags, gpointer data) -> gboolean {
              auto *client = static_cast<Client *> (data);
              std::string seen = meet::tls_certificate_fingerprint (peer);
              if (meet::tls_fingerprint_equal (seen, client->tls_fingerprint))
                return TRUE;
              g_printerr ("meetcli: refusing the server's certificate: its fingerprint %s is not the expected "
                  "%s\n", seen.c_str (), client->tls_fingerprint.c_str ());
              return FALSE;
            }), c);
  }
  g_signal_connect (c->source, "pad-added", G_CALLBACK (on_pad_added), c);
  c->connect_time = g_get_monotonic_time ();
  GstState pipeline_state = GST_STATE_NULL;
  gst_element_get_state (c->pipeline, &pipeline_state, nullptr, 0);
  if (pipeline_state == GST_STATE_PLAYING &&
      gst_element_set_state (c->source, state_for (c->wanted)) == GST_STATE_CHANGE_FAILURE)
    lost_server (c, "the connection failed");
}

/* Drives the RTSP state machine: the source sends SETUP on READY->PAUSED, PLAY on PAUSED->PLAYING, PAUSE on
 * PLAYING->PAUSED and TEARDOWN on PAUSED->READY. The rest of the pipeline keeps playing, so a recording goes on
 * across PAUSE and TEARDOWN. */
void
command (Client * c, Wanted wanted)
{
  if (c->finishing)
    return;
  if (wanted == Wanted::kSetUp && c->wanted != Wanted::kTornDown)
    return;                     /* already set up */
  c->wanted = wanted;
  g_print ("meetcli: %s\n", wanted == Wanted::kSetUp ? "SETUP" : wanted == Wanted::kPlaying ? "PLAY" :
      wanted == Wanted::kPaused ? "PAUSE" : "TEARDOWN");
  if (c->source == nullptr)
    return;                     /* a reconnection is pending; it goes to the wanted state */
  c->connect_time = g_get_monotonic_time ();
  restart_counters (c);
  if (gst_element_set_state (c->source, state_for (wanted)) == GST_STATE_CHANGE_FAILURE)
    lost_server (c, "the server refused the request");
}

std::string
summary (Client * c)
{
  return "summary: " + c->meter->summary (c->opt.blur ? "--blur blurs the sync marks away" :
      "no sync marks: they come with meetsrv's test sources");
}

/* Ends the meeting: TEARDOWN, then EOS through every branch so the recording is finalised. */
void
finish (Client * c, int exit_code, const std::string & failure)
{
  if (c->finishing)
    return;
  c->finishing = true;
  c->exit_code = exit_code;
  c->failure = failure;
  if (c->retry_source) {
    g_source_remove (c->retry_source);
    c->retry_source = 0;
  }
  drop_source (c);
  GstState state = GST_STATE_NULL;
  gst_element_get_state (c->pipeline, &state, nullptr, 0);
  if (state != GST_STATE_PLAYING) {
    /* Nothing ever played (the sinks still wait for a first buffer): nothing to drain. */
    g_main_loop_quit (c->loop);
    return;
  }
  for (GstElement *head : {c->video_head, c->audio_head}) {
    GstPad *pad = gst_element_get_static_pad (head, "sink");
    gst_pad_send_event (pad, gst_event_new_eos ());
    gst_object_unref (pad);
  }
  g_timeout_add_seconds (5, [](gpointer data) -> gboolean {
        auto *cl = static_cast<Client *> (data);
        g_print ("meetcli: the pipeline did not drain within 5 s; %s\n",
            cl->opt.record ? "the recording may be incomplete" : "closing anyway");
        g_main_loop_quit (cl->loop);
        return G_SOURCE_REMOVE;
      }, c);
}

gboolean
on_tick (gpointer data)
{
  auto *c = static_cast<Client *> (data);
  if (c->finishing)
    return G_SOURCE_CONTINUE;
  gint64 now = g_get_monotonic_time ();
  /* --duration counts from the first data: a slow start (model loading, retries) does not eat into it. */
  if (c->opt.duration > 0 && c->start_time && now - c->start_time >= c->opt.duration * G_USEC_PER_SEC) {
    finish (c, 0, "");
    return G_SOURCE_CONTINUE;
  }
  gint64 last_activity = std::max<gint64> (c->meter->last_packet_time (), c->connect_time);
  if (c->opt.stock && c->source && c->wanted == Wanted::kPlaying &&
      now - last_activity > static_cast<gint64> (c->opt.timeout) * G_USEC_PER_SEC) {
    lost_server (c, "no data for " + std::to_string (c->opt.timeout) + " s");
    return G_SOURCE_CONTINUE;
  }
  if (!c->connected && c->source && c->meter->last_packet_time () > c->connect_time) {
    if (c->window && g_getenv ("MEET_DEBUG"))
      print_button_positions (c);
    c->connected = true;
    c->attempts = 0;
    if (c->start_time == 0)
      c->start_time = now;
    g_print ("meetcli: receiving %s\n", c->url.c_str ());
  }

  double seconds = (now - c->status_time) / 1e6;
  bool print = seconds >= c->opt.status_interval;
  if (!print && c->status_label == nullptr)
    return G_SOURCE_CONTINUE;
  uint64_t bytes = c->meter->bytes (), lost = c->meter->lost (), expected = c->meter->expected ();
  uint64_t frames = c->meter->frames ();
  double fps = seconds > 0 ? (frames - c->status_frames) / seconds : 0;
  double mbits = seconds > 0 ? (bytes - c->status_bytes) * 8 / seconds / 1e6 : 0;
  gchar *text = g_strdup_printf ("%s, %.1f fps, %.2f Mbit/s, %" G_GUINT64_FORMAT " packets lost (%.2f%%), "
      "latency %" G_GUINT64_FORMAT " ms", state_word (c->wanted), fps, mbits, lost,
      expected ? 100.0 * lost / expected : 0.0,
      GST_CLOCK_TIME_IS_VALID (c->pipeline_latency) ? c->pipeline_latency / GST_MSECOND : 0);
  std::string line = text;
  g_free (text);
  std::string reception = meet::reception_words (c->source);
  if (!reception.empty ())
    line += ", " + reception;
  /* The window's label shows the latest frames' figure; the printed line the whole interval's. */
  if (print || c->status_label) {
    double g2g = c->meter->take_glass_to_glass_mean ();
    if (g2g >= 0) {
      gchar *part = g_strdup_printf (", glass-to-glass %.0f ms", g2g);
      line += part;
      g_free (part);
    }
  }
  set_status (c, line, print);
  if (print) {
    c->status_frames = frames;
    c->status_bytes = bytes;
    c->status_time = now;
  }
  return G_SOURCE_CONTINUE;
}

gboolean
on_bus_message (GstBus *, GstMessage * message, gpointer data)
{
  auto *c = static_cast<Client *> (data);
  GstObject *origin = GST_MESSAGE_SRC (message);
  bool from_source = c->source && gst_object_has_as_ancestor (origin, GST_OBJECT (c->source));
  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      GError *error = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_error (message, &error, &debug);
      std::string text = error->message;
      if (debug && g_getenv ("MEET_DEBUG"))
        g_printerr ("meetcli: debug: %s\n", debug);
      g_error_free (error);
      g_free (debug);
      if (from_source)
        lost_server (c, text);
      else if (!c->finishing)
        finish (c, 1, text);
      break;
    }
    case GST_MESSAGE_WARNING:
      if (from_source) {
        /* meetrtspsrc's reconnection notices: "... reconnecting in N ms (attempt k of N)". */
        GError *warning = nullptr;
        gst_message_parse_warning (message, &warning, nullptr);
        g_print ("meetcli: %s\n", warning->message);
        g_error_free (warning);
        c->connected = false;
        c->connect_time = g_get_monotonic_time ();
        restart_counters (c);
      }
      break;
    case GST_MESSAGE_EOS:
      if (c->finishing)
        g_main_loop_quit (c->loop);
      break;
    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency (GST_BIN (c->pipeline));
      {
        GstQuery *query = gst_query_new_latency ();
        if (gst_element_query (c->pipeline, query))
          gst_query_parse_latency (query, nullptr, &c->pipeline_latency, nullptr);
        c->latency = c->pipeline_latency;
        gst_query_unref (query);
      }
      break;
    case GST_MESSAGE_STATE_CHANGED:
      if (c->source && origin == GST_OBJECT (c->source)) {
        GstState old_state, new_state;
        gst_message_parse_state_changed (message, &old_state, &new_state, nullptr);
        const char *what = nullptr;
        if (old_state == GST_STATE_READY && new_state == GST_STATE_PAUSED)
          what = "set up";
        else if (new_state == GST_STATE_PLAYING)
          what = "playing";
        else if (old_state == GST_STATE_PLAYING && new_state == GST_STATE_PAUSED)
          what = "paused";
        else if (old_state == GST_STATE_PAUSED && new_state == GST_STATE_READY)
          what = "torn down";
        if (what)
          g_print ("meetcli: RTSP session %s\n", what);
      }
      break;
    default:
      break;
  }
  return TRUE;
}

void
on_first_signal (gpointer data)
{
  finish (static_cast<Client *> (data), 0, "");
}

void
on_second_signal (gpointer data)
{
  g_main_loop_quit (static_cast<Client *> (data)->loop);
}

bool
handle_key (Client * c, const char *key)
{
  std::string k = key;
  if (k == "s" || k == "setup")
    command (c, Wanted::kSetUp);
  else if (k == "p" || k == "play")
    command (c, Wanted::kPlaying);
  else if (k == "space" || k == " " || k == "pause")
    command (c, Wanted::kPaused);
  else if (k == "t" || k == "teardown")
    command (c, Wanted::kTornDown);
  else if (k == "q" || k == "quit")
    finish (c, 0, "");
  else
    return false;
  return true;
}

/* Headless mode reads the same commands as the keyboard shortcuts from standard input, one per line. */
gboolean
on_stdin (GIOChannel * channel, GIOCondition, gpointer data)
{
  auto *c = static_cast<Client *> (data);
  gchar *line = nullptr;
  GIOStatus status = g_io_channel_read_line (channel, &line, nullptr, nullptr, nullptr);
  if (status != G_IO_STATUS_NORMAL) {
    g_free (line);
    return status == G_IO_STATUS_AGAIN ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
  }
  g_strchomp (line);
  if (line[0] != '\0' && !handle_key (c, line))
    g_print ("meetcli: unknown command \"%s\" (setup, play, pause, teardown, quit)\n", line);
  g_free (line);
  return G_SOURCE_CONTINUE;
}

gboolean
on_key_press (GtkWidget *, GdkEventKey * event, gpointer data)
{
  const gchar *name = gdk_keyval_name (event->keyval);
  return name && handle_key (static_cast<Client *> (data), name);
}

gboolean
on_window_delete (GtkWidget *, GdkEvent *, gpointer data)
{
  finish (static_cast<Client *> (data), 0, "");
  return TRUE;
}

void
build_window (Client * c, GstElement * video_sink)
{
  GtkWidget *video = nullptr;
  g_object_get (video_sink, "widget", &video, nullptr);
  c->window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gchar *title = g_strdup_printf ("meetcli - %s", c->url.c_str ());
  gtk_window_set_title (GTK_WINDOW (c->window), title);
  g_free (title);
  gtk_window_set_default_size (GTK_WINDOW (c->window), 640, 540);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_box_pack_start (GTK_BOX (box), video, TRUE, TRUE, 0);
  g_object_unref (video);

  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  struct {
    const char *label;
    const char *key;
  } actions[] = {
    {"SETUP (s)", "s"}, {"PLAY (p)", "p"}, {"PAUSE (space)", "space"}, {"TEARDOWN (t)", "t"},
  };
  for (auto &action : actions) {
    GtkWidget *button = gtk_button_new_with_label (action.label);
    /* Keys belong to the shortcuts: a focused button would also take space. */
    gtk_widget_set_can_focus (button, FALSE);
    g_object_set_data (G_OBJECT (button), "meet-key", const_cast<char *> (action.key));
    g_signal_connect (button, "clicked", G_CALLBACK (+[](GtkButton * b, gpointer data) {
          handle_key (static_cast<Client *> (data),
              static_cast<const char *> (g_object_get_data (G_OBJECT (b), "meet-key")));
        }), c);
    gtk_box_pack_start (GTK_BOX (buttons), button, FALSE, FALSE, 0);
  }
  gtk_box_pack_start (GTK_BOX (box), buttons, FALSE, FALSE, 0);
  c->status_label = gtk_label_new ("connecting...");
  gtk_box_pack_start (GTK_BOX (box), c->status_label, FALSE, FALSE, 2);
  gtk_container_add (GTK_CONTAINER (c->window), box);
  g_signal_connect (c->window, "key-press-event", G_CALLBACK (on_key_press), c);
  g_signal_connect (c->window, "delete-event", G_CALLBACK (on_window_delete), c);
  gtk_widget_show_all (c->window);
}

/* With MEET_DEBUG set, tells where the buttons are (window coordinates), so GUI tests can click them. */
void
print_button_positions (Client * c)
{
  GtkWidget *box = gtk_bin_get_child (GTK_BIN (c->window));
  GList *rows = gtk_container_get_children (GTK_CONTAINER (box));
  GList *buttons = gtk_container_get_children (GTK_CONTAINER (g_list_nth_data (rows, 1)));
  for (GList * l = buttons; l; l = l->next) {
    GtkWidget *button = GTK_WIDGET (l->data);
    GtkAllocation a;
    gtk_widget_get_allocation (button, &a);
    g_print ("meetcli: debug: button %s at %d,%d\n", static_cast<const char *> (g_object_get_data (G_OBJECT
                (button), "meet-key")), a.x + a.width / 2, a.y + a.height / 2);
  }
  g_list_free (buttons);
  g_list_free (rows);
}

std::string
build_description (Client * c)
{
  const char *jpeg_depay = c->opt.stock ? "rtpjpegdepay" : "meetjpegdepay";
  const char *pcm_depay = c->opt.stock ? "rtpL16depay" : "meetpcmdepay";
  /* The sinks' processing deadline: 5 ms, not GStreamer's 20 (latencybudget.h). */
  std::string video_sink = std::string (c->opt.headless ? "fakesink" : "gtksink") + " name=vsink sync=true" +
      meet::sink_deadline_property ();
  std::string audio_sink = c->sound ? "autoaudiosink name=asink sync=true" :
      std::string ("fakesink name=asink sync=true") + meet::sink_deadline_property ();
  bool record = c->opt.record != nullptr;
  std::string d = std::string (jpeg_depay) + " name=vdepay ! ";
  if (c->opt.blur) {
    d += "jpegdec ! videoconvert ! yoloblur name=blur ! ";
    if (record)
      d += "tee name=vtee ! queue ! ";
  } else {
    /* Without blur the recording keeps the received JPEG: no re-encoding. */
    if (record)
      d += "jpegparse ! tee name=vtee ! queue ! ";
    d += "jpegdec ! ";
  }
  d += "videoconvert ! " + video_sink + " ";
  if (record)
    d += std::string ("vtee. ! queue ! ") + (c->opt.blur ? "videoconvert ! jpegenc ! " : "") + "mux.video_0 ";
  d += std::string (pcm_depay) + " name=adepay ! ";
  if (record)
    d += "tee name=atee ! queue ! ";
  d += std::string ("audioconvert ! audioresample ! ") + audio_sink + " ";
  if (record)
    d += "atee. ! queue ! audioconvert ! audio/x-raw,format=S16LE ! mux.audio_0 "
        "matroskamux name=mux ! filesink name=recording";
  return d;
}

}  // namespace

int
meet::watch_main (int argc, char **argv)
{
  Client c;
  GOptionEntry entries[] = {
    {"ip", 0, 0, G_OPTION_ARG_STRING, &c.opt.ip, "Server address (instead of a URL)", "HOST"},
    {"port", 0, 0, G_OPTION_ARG_INT, &c.opt.port, "Server RTSP port (default 8554)", "PORT"},
    {"path", 0, 0, G_OPTION_ARG_STRING, &c.opt.path, "Path of the meeting (default /meet)", "PATH"},
    {"blur", 0, 0, G_OPTION_ARG_NONE, &c.opt.blur, "Blur people in the received picture (yoloblur)", nullptr},
    {"model", 0, 0, G_OPTION_ARG_FILENAME, &c.opt.model, "YOLOv5 ONNX model for --blur", "FILE"},
    {"latency", 0, 0, G_OPTION_ARG_INT, &c.opt.latency, "Jitter buffer in milliseconds (default 10; raise it "
          "on a jittery network)", "MS"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &c.opt.user, "User name for the server", "NAME"},
    {"password", 0, 0, G_OPTION_ARG_STRING, &c.opt.password, "Password for the server", "SECRET"},
    {"headless", 0, 0, G_OPTION_ARG_NONE, &c.opt.headless, "No window; commands (setup, play, pause, "
          "teardown, quit) are read from standard input", nullptr},
    {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &c.opt.duration, "Leave the meeting this many seconds after the first data arrives",
          "SECONDS"},
    {"record", 0, 0, G_OPTION_ARG_FILENAME, &c.opt.record, "Record what is received to a Matroska file "
          "(MJPEG video, PCM sound)", "FILE"},
    {"retry", 0, 0, G_OPTION_ARG_INT, &c.opt.retry, "Reconnection attempts when the server cannot be "
          "reached or goes away (default 5)", "N"},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &c.opt.timeout, "Seconds without data before the server counts as "
          "gone (default 5)", "SECONDS"},
    {"status-interval", 0, 0, G_OPTION_ARG_INT, &c.opt.status_interval,
          "Seconds between status lines (default 5)", "SECONDS"},
    {"stock", 0, 0, G_OPTION_ARG_NONE, &c.opt.stock, "Receive with GStreamer's own rtspsrc, rtpjpegdepay and "
          "rtpL16depay instead of the meet plugin's (for comparisons)", nullptr},
    {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}
  };
  GOptionContext *context = g_option_context_new ("--watch [URL] - watch a meeting served over RTSP");
  g_option_context_add_main_entries (context, entries, nullptr);
  g_option_context_add_group (context, gst_init_get_option_group ());
  GError *error = nullptr;
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("meetcli: %s (see meetcli --help)\n", error->message);
    return 2;
  }
  g_option_context_free (context);
  if (argc >= 2 && c.opt.ip) {
    g_printerr ("meetcli: give either the join line (or URL) or --ip/--port/--path (see meetcli --help)\n");
    return 2;
  }
  if (argc == 2 && g_str_has_prefix (argv[1], "rtspt://")) {
    c.url = argv[1];
  } else if (argc >= 2) {
    /* meetsrv's join line, or a plain URL. */
    if (argc == 2 && !g_str_has_prefix (argv[1], "rtsp://") && !g_str_has_prefix (argv[1], "rtsps://") &&
        strchr (argv[1], ' ') == nullptr) {
      g_printerr ("meetcli: %s is not an rtsp:// URL (nor meetsrv's join line)\n", argv[1]);
      return 2;
    }
    meet::JoinInfo join;
    std::string join_error;
    if (!meet::join_from_arguments (std::vector<std::string> (argv + 1, argv + argc), c.opt.user,
            c.opt.password, &join, &join_error)) {
      g_printerr ("meetcli: %s\n", join_error.c_str ());
      return 2;
    }
    c.url = join.url;
    c.tls_fingerprint = join.fingerprint;
    g_free (c.opt.user);
    g_free (c.opt.password);
    c.opt.user = join.user.empty () ? nullptr : g_strdup (join.user.c_str ());
    c.opt.password = join.user.empty () ? nullptr : g_strdup (join.passcode.c_str ());
  } else if (c.opt.ip) {
    bool ipv6 = strchr (c.opt.ip, ':') != nullptr;
    const char *path = c.opt.path ? c.opt.path : "/meet";
    c.url = std::string ("rtsp://") + (ipv6 ? "[" : "") + c.opt.ip + (ipv6 ? "]" : "") + ":" +
        std::to_string (c.opt.port) + (path[0] == '/' ? "" : "/") + path;
  } else {
    g_printerr ("meetcli: which meeting? Give its URL (rtsp://HOST:PORT/meet) or --ip HOST\n");
    return 2;
  }
  if (!g_str_has_prefix (c.url.c_str (), "rtsp://") && !g_str_has_prefix (c.url.c_str (), "rtspt://") &&
      !g_str_has_prefix (c.url.c_str (), "rtsps://")) {
    g_printerr ("meetcli: %s is not an rtsp:// or rtsps:// URL\n", c.url.c_str ());
    return 2;
  }
  if (c.opt.retry < 0 || c.opt.latency < 0 || c.opt.timeout <= 0 || c.opt.status_interval <= 0 ||
      c.opt.duration < 0) {
    g_printerr ("meetcli: --retry, --latency and --duration cannot be negative, --timeout and "
        "--status-interval must be positive\n");
    return 2;
  }
  if (c.opt.user && !c.opt.password) {
    g_printerr ("meetcli: --user needs a --password\n");
    return 2;
  }
  if (c.opt.password && !c.opt.user)
    c.opt.user = g_strdup (meet::kJoinDefaultUser);
  if (!c.opt.headless && !gtk_init_check (&argc, &argv)) {
    g_print ("meetcli: no display: running headless\n");
    c.opt.headless = TRUE;
  }
  std::vector<const char *> needed = {c.opt.stock ? "rtspsrc" : "meetrtspsrc",
    c.opt.stock ? "rtpjpegdepay" : "meetjpegdepay", c.opt.stock ? "rtpL16depay" : "meetpcmdepay"};
  if (c.opt.blur)
    needed.push_back ("yoloblur");
  for (const char *name : needed) {
    if (!meet::have_element (name)) {
      g_printerr ("meetcli: the %s element is missing: %s\n", name, g_str_equal (name, "yoloblur") ?
          "it is built only when OpenCV is found; install libopencv-dev and rebuild, or run without --blur" :
          "build meetstream and run from `meson devenv -C build` (or set GST_PLUGIN_PATH to build/plugins/meet)");
      return 1;
    }
  }
  /* autoaudiosink would fall back to a silent fake sink, after noisy attempts at every sound system. */
  c.sound = meet::have_sound_server () || meet::have_alsa_device ('p');
  if (!c.sound)
    g_print ("meetcli: no sound device: carrying on without sound\n");

  std::string description = build_description (&c);
  GError *parse_error = nullptr;
  c.pipeline = gst_parse_launch_full (description.c_str (), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &parse_error);
  if (c.pipeline == nullptr) {
    g_printerr ("meetcli: cannot build the pipeline: %s\n", parse_error->message);
    return 1;
  }
  g_signal_connect (c.pipeline, "deep-element-added", G_CALLBACK (on_deep_element_added), nullptr);
  c.meter = std::make_unique<meet::MediaMeter> (c.pipeline, &c.latency);
  c.video_head = gst_bin_get_by_name (GST_BIN (c.pipeline), "vdepay");
  c.audio_head = gst_bin_get_by_name (GST_BIN (c.pipeline), "adepay");
  if (c.opt.record) {
    GstElement *recording = gst_bin_get_by_name (GST_BIN (c.pipeline), "recording");
    g_object_set (recording, "location", c.opt.record, nullptr);
    gst_object_unref (recording);
  }
  if (c.opt.blur && c.opt.model) {
    GstElement *blur = gst_bin_get_by_name (GST_BIN (c.pipeline), "blur");
    meet::set_property (blur, "model", c.opt.model);
    gst_object_unref (blur);
  }
  GstElement *video_sink = gst_bin_get_by_name (GST_BIN (c.pipeline), "vsink");
  GstPad *pad = gst_element_get_static_pad (video_sink, "sink");
  c.meter->watch_video (pad);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (c.audio_head, "src");
  c.meter->watch_audio (pad);
  gst_object_unref (pad);
  if (!c.opt.headless)
    build_window (&c, video_sink);
  gst_object_unref (video_sink);

  c.loop = g_main_loop_new (nullptr, FALSE);
  GstBus *bus = gst_element_get_bus (c.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &c);
  gst_object_unref (bus);
  meet::watch_unix_signals (on_first_signal, on_second_signal, &c);
  GIOChannel *input = nullptr;
  if (c.opt.headless) {
    input = g_io_channel_unix_new (0);
    g_io_add_watch (input, static_cast<GIOCondition> (G_IO_IN | G_IO_HUP), on_stdin, &c);
  }
  c.status_time = g_get_monotonic_time ();
  g_timeout_add (200, on_tick, &c);

  g_print ("meetcli: joining %s\n", c.url.c_str ());
  connect_source (&c);
  gst_element_set_state (c.pipeline, GST_STATE_PLAYING);
  g_main_loop_run (c.loop);

  gst_element_set_state (c.pipeline, GST_STATE_NULL);
  g_print ("meetcli: %s\n", summary (&c).c_str ());
  if (c.exit_code == 0 && c.meter->frames () == 0 && c.meter->audio_seconds () == 0) {
    c.exit_code = 1;
    c.failure = "received nothing from " + c.url;
  }
  if (c.exit_code != 0)
    g_printerr ("meetcli: error: %s\n", c.failure.empty () ? "interrupted" : c.failure.c_str ());

  if (input)
    g_io_channel_unref (input);
  if (c.window)
    gtk_widget_destroy (c.window);
  gst_object_unref (c.video_head);
  gst_object_unref (c.audio_head);
  gst_object_unref (c.pipeline);
  g_main_loop_unref (c.loop);
  g_free (c.opt.ip);
  g_free (c.opt.path);
  g_free (c.opt.model);
  g_free (c.opt.user);
  g_free (c.opt.password);
  g_free (c.opt.record);
  return c.exit_code;
}
