/* meetstream: the meeting window on test pictures, for people to look at and for tests/meeting_window.py.
 *
 * Remote participants (default alice, bob, carol) are videotestsrc ! gtksink pipelines, the self-view a test
 * camera behind a CameraSwitch (the Camera button shows the "camera off" still); a thread feeds sound levels
 * (one participant speaking at a time). Everything the window reports is printed as "demo: ..." lines.
 *
 * Standard input, one command a line: any shortcut or command of MeetingWindow::press (m, v, s, p, space, t,
 * q, mute, camera, ...), "add NAME", "remove NAME", "state NAME live|connecting|reconnecting",
 * "speaker NAME|none|rotate", "status TEXT", "layout" (print the regions), "screenshot FILE". */
#include <gst/gst.h>
#include <gtk/gtk.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cameraswitch.h"
#include "meetingwindow.h"

namespace {

const char *kPatterns[] = {"smpte", "ball", "pinwheel", "zone-plate", "spokes", "checkers-8", "gradient", "bar",
  "circular"};

struct Demo {
  gint width = 320, height = 240, fps = 15;
  std::unique_ptr<meet::MeetingWindow> window;
  std::map<std::string, GstElement *> remotes;  /* name -> pipeline */
  GstElement *self_pipeline = nullptr;
  std::unique_ptr<meet::CameraSwitch> camera;
  size_t joined = 0;            /* picks each newcomer's test pattern */

  std::mutex lock;              /* the level feeder reads these */
  std::vector<std::string> names;
  std::string speaker = "rotate";
  std::atomic<bool> running {true};
  std::thread feeder;
  guint stdin_id = 0;
};

void
print_layout (Demo * demo)
{
  auto regions = demo->window->regions ();
  size_t tiles = 0;
  for (auto &r : regions)
    tiles += r.kind == "tile";
  g_print ("demo: layout %zu tiles\n", tiles);
  for (auto &r : regions) {
    g_print ("demo: region %s %s %d,%d %dx%d", r.kind.c_str (), r.name.c_str (), r.x, r.y, r.width, r.height);
    if (r.kind == "tile")
      g_print (" speaking=%d state=%s level=%.2f", r.speaking, meet::participant_state_name (r.state), r.level);
    g_print ("\n");
  }
  g_print ("demo: layout end\n");
}

GstPadProbeReturn
on_first_frame (GstPad *, GstPadProbeInfo *, gpointer name)
{
  g_print ("demo: first frame %s\n", static_cast<const char *> (name));
  return GST_PAD_PROBE_REMOVE;
}

/* Reports the first frame reaching @sink, so tests know the picture is up. */
void
watch_first_frame (GstElement * sink, const std::string & name)
{
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_first_frame, g_strdup (name.c_str ()), g_free);
  gst_object_unref (pad);
}

GtkWidget *
widget_of (GstElement * pipeline)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GtkWidget *widget = nullptr;
  g_object_get (sink, "widget", &widget, nullptr);
  gst_object_unref (sink);
  return widget;
}

void
add_remote (Demo * demo, const std::string & name)
{
  if (demo->remotes.count (name))
    return;
  const char *pattern = kPatterns[demo->joined++ % G_N_ELEMENTS (kPatterns)];
  gchar *description = g_strdup_printf ("videotestsrc is-live=true pattern=%s ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1 ! videoconvert ! gtksink name=sink", pattern, demo->width,
      demo->height, demo->fps);
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch (description, &error);
  g_free (description);
  if (!pipeline) {
    g_printerr ("demo: error: %s\n", error->message);
    g_error_free (error);
    return;
  }
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  watch_first_frame (sink, name);
  gst_object_unref (sink);
  GtkWidget *video = widget_of (pipeline);
  demo->window->add_participant (name, video);
  g_object_unref (video);
  demo->window->set_state (name, meet::ParticipantState::kLive);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  demo->remotes[name] = pipeline;
  std::lock_guard<std::mutex> guard (demo->lock);
  demo->names.push_back (name);
}

void
remove_remote (Demo * demo, const std::string & name)
{
  auto it = demo->remotes.find (name);
  if (it == demo->remotes.end ())
    return;
  /* The tile goes first, the sink stops after: the window only unparents the picture, so this order must
   * not raise "Output window was closed". */
  demo->window->remove_participant (name);
  gst_element_set_state (it->second, GST_STATE_NULL);
  gst_object_unref (it->second);
  demo->remotes.erase (it);
  std::lock_guard<std::mutex> guard (demo->lock);
  demo->names.erase (std::find (demo->names.begin (), demo->names.end (), name));
}

bool
build_self_view (Demo * demo)
{
  demo->self_pipeline = gst_pipeline_new ("self");
  GError *error = nullptr;
  gchar *description = g_strdup_printf ("videotestsrc is-live=true pattern=colors ! "
      "capsfilter caps=\"video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,pixel-aspect-ratio=1/1\"",
      demo->width, demo->height, demo->fps);
  GstElement *camera = gst_parse_bin_from_description (description, TRUE, &error);
  g_free (description);
  if (!camera) {
    g_printerr ("demo: error: %s\n", error->message);
    g_error_free (error);
    return false;
  }
  GstElement *sink = gst_element_factory_make ("gtksink", "sink");
  GstElement *convert = gst_element_factory_make ("videoconvert", nullptr);
  gst_bin_add_many (GST_BIN (demo->self_pipeline), camera, convert, sink, nullptr);
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
      demo->width, "height", G_TYPE_INT, demo->height, "framerate", GST_TYPE_FRACTION, demo->fps, 1,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  std::string why;
  demo->camera = meet::CameraSwitch::create (GST_BIN (demo->self_pipeline), camera, "you", caps, &why);
  gst_caps_unref (caps);
  if (!demo->camera) {
    g_printerr ("demo: error: %s\n", why.c_str ());
    return false;
  }
  gst_element_link_many (demo->camera->output (), convert, sink, nullptr);
  watch_first_frame (sink, "you");
  GtkWidget *video = widget_of (demo->self_pipeline);
  demo->window->set_self_view (video);
  g_object_unref (video);
  gst_element_set_state (demo->self_pipeline, GST_STATE_PLAYING);
  return true;
}

/* Sound levels from another thread, as a pipeline's level element would send them: the speaker around
 * -15 dBFS, the others near silence; "rotate" passes the word every four seconds. */
void
feed_levels (Demo * demo)
{
  unsigned step = 0;
  while (demo->running) {
    std::vector<std::string> names;
    std::string speaker;
    {
      std::lock_guard<std::mutex> guard (demo->lock);
      names = demo->names;
      speaker = demo->speaker;
    }
    if (speaker == "rotate" && !names.empty ())
      speaker = names[(step / 80) % names.size ()];
    for (size_t i = 0; i < names.size (); i++) {
      double wobble = 4 * std::sin (step * 0.7 + i);
      demo->window->set_level (names[i], names[i] == speaker ? -15 + wobble : -55 + wobble);
    }
    step++;
    std::this_thread::sleep_for (std::chrono::milliseconds (50));
  }
}

void
save_screenshot (Demo * demo, const std::string & file)
{
  GdkWindow *gdk_window = gtk_widget_get_window (demo->window->window ());
  GdkPixbuf *shot = gdk_window ? gdk_pixbuf_get_from_window (gdk_window, 0, 0,
      gdk_window_get_width (gdk_window), gdk_window_get_height (gdk_window)) : nullptr;
  GError *error = nullptr;
  if (!shot || !gdk_pixbuf_save (shot, file.c_str (), "png", &error, nullptr)) {
    g_print ("demo: screenshot failed: %s\n", error ? error->message : "no window");
    g_clear_error (&error);
  } else {
    g_print ("demo: screenshot %s\n", file.c_str ());
  }
  if (shot)
    g_object_unref (shot);
}

void
run_command (Demo * demo, const std::string & line)
{
  std::istringstream in (line);
  std::string word, arg;
  in >> word;
  std::getline (in >> std::ws, arg);
  if (word == "add")
    add_remote (demo, arg);
  else if (word == "remove")
    remove_remote (demo, arg);
  else if (word == "state") {
    std::string name = arg.substr (0, arg.find (' '));
    std::string state = arg.substr (arg.find (' ') + 1);
    demo->window->set_state (name, state == "reconnecting" ? meet::ParticipantState::kReconnecting :
        state == "connecting" ? meet::ParticipantState::kConnecting : meet::ParticipantState::kLive);
  } else if (word == "speaker") {
    std::lock_guard<std::mutex> guard (demo->lock);
    demo->speaker = arg;
  } else if (word == "status")
    demo->window->set_status (arg);
  else if (word == "layout")
    print_layout (demo);
  else if (word == "screenshot")
    save_screenshot (demo, arg);
  else if (!demo->window->press (word))
    g_print ("demo: unknown command \"%s\"\n", line.c_str ());
}

gboolean
on_stdin (GIOChannel * channel, GIOCondition, gpointer data)
{
  gchar *line = nullptr;
  GIOStatus status = g_io_channel_read_line (channel, &line, nullptr, nullptr, nullptr);
  if (status != G_IO_STATUS_NORMAL) {
    g_free (line);
    if (status == G_IO_STATUS_AGAIN)
      return G_SOURCE_CONTINUE;
    static_cast<Demo *> (data)->stdin_id = 0;
    return G_SOURCE_REMOVE;
  }
  g_strchomp (line);
  if (line[0] != '\0')
    run_command (static_cast<Demo *> (data), line);
  g_free (line);
  return G_SOURCE_CONTINUE;
}

/* Runs @command after @seconds (a flag's delayed action). */
void
after (Demo * demo, double seconds, const std::string & command)
{
  struct Later {
    Demo *demo;
    std::string command;
  };
  g_timeout_add_full (G_PRIORITY_DEFAULT, static_cast<guint> (seconds * 1000), +[](gpointer data) -> gboolean {
        auto *later = static_cast<Later *> (data);
        run_command (later->demo, later->command);
        return G_SOURCE_REMOVE;
      }, new Later {demo, command}, +[](gpointer data) {
        delete static_cast<Later *> (data);
      });
}

}  // namespace

int
main (int argc, char **argv)
{
  Demo demo;
  gchar *participants = g_strdup ("alice,bob,carol");
  gchar *speaker = nullptr, *click = nullptr, *remove = nullptr, *screenshot = nullptr;
  gdouble action_after = 2, screenshot_after = -1, quit_after = -1;
  GOptionEntry entries[] = {
    {"participants", 0, 0, G_OPTION_ARG_STRING, &participants, "Remote participants (default alice,bob,carol)",
        "A,B,..."},
    {"speaker", 0, 0, G_OPTION_ARG_STRING, &speaker, "Who speaks: a name, none, or rotate (default)", "NAME"},
    {"click", 0, 0, G_OPTION_ARG_STRING, &click, "Press a button after --action-after: mute, camera, setup, "
          "play, pause, teardown", "BUTTON"},
    {"remove", 0, 0, G_OPTION_ARG_STRING, &remove, "Remove a participant after --action-after", "NAME"},
    {"action-after", 0, 0, G_OPTION_ARG_DOUBLE, &action_after, "Seconds before --click/--remove (default 2)",
        "S"},
    {"screenshot", 0, 0, G_OPTION_ARG_FILENAME, &screenshot, "Where --screenshot-after saves the window "
          "(default meetingwindow.png)", "FILE"},
    {"screenshot-after", 0, 0, G_OPTION_ARG_DOUBLE, &screenshot_after, "Save the window as PNG after S seconds",
        "S"},
    {"quit-after", 0, 0, G_OPTION_ARG_DOUBLE, &quit_after, "Quit after S seconds", "S"},
    {"width", 0, 0, G_OPTION_ARG_INT, &demo.width, "Test picture width (default 320)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &demo.height, "Test picture height (default 240)", "H"},
    {"fps", 0, 0, G_OPTION_ARG_INT, &demo.fps, "Test picture frame rate (default 15)", "FPS"},
    {nullptr}
  };
  GOptionContext *context = g_option_context_new ("- the meeting window on test pictures");
  g_option_context_add_main_entries (context, entries, nullptr);
  g_option_context_add_group (context, gst_init_get_option_group ());
  GError *error = nullptr;
  bool parsed = g_option_context_parse (context, &argc, &argv, &error);
  g_option_context_free (context);
  if (!parsed) {
    g_printerr ("demo: error: %s\n", error->message);
    g_error_free (error);
    return 2;
  }
  if (!gtk_init_check (&argc, &argv)) {
    g_printerr ("demo: error: no display (set DISPLAY, or run under xvfb-run)\n");
    return 1;
  }
  if (speaker)
    demo.speaker = speaker;

  meet::MeetingWindowCallbacks callbacks;
  callbacks.on_mute = [](bool muted) { g_print ("demo: mute %s\n", muted ? "on" : "off"); };
  callbacks.on_camera = [&demo](bool on) {
    demo.camera->set_camera_on (on);
    g_print ("demo: camera %s\n", on ? "on" : "off");
  };
  callbacks.on_setup = [] { g_print ("demo: setup\n"); };
  callbacks.on_play = [] { g_print ("demo: play\n"); };
  callbacks.on_pause = [] { g_print ("demo: pause\n"); };
  callbacks.on_teardown = [] { g_print ("demo: teardown\n"); };
  callbacks.on_quit = [] {
    g_print ("demo: quit\n");
    gtk_main_quit ();
  };
  callbacks.on_layout = [&demo] { print_layout (&demo); };
  demo.window = std::make_unique<meet::MeetingWindow> ("meetingwindow demo", callbacks);

  int status = 0;
  if (build_self_view (&demo)) {
    gchar **names = g_strsplit (participants, ",", -1);
    for (gchar **n = names; *n; n++)
      if (**n)
        add_remote (&demo, *n);
    g_strfreev (names);
    demo.window->set_status ("demo: test participants, sound levels fed from a thread");
    demo.window->show ();
    demo.feeder = std::thread (feed_levels, &demo);

    GIOChannel *in = g_io_channel_unix_new (0);
    demo.stdin_id = g_io_add_watch (in, static_cast<GIOCondition> (G_IO_IN | G_IO_HUP), on_stdin, &demo);
    if (click)
      after (&demo, action_after, click);
    if (remove)
      after (&demo, action_after, std::string ("remove ") + remove);
    if (screenshot_after >= 0)
      after (&demo, screenshot_after, std::string ("screenshot ") + (screenshot ? screenshot :
              "meetingwindow.png"));
    if (quit_after >= 0)
      after (&demo, quit_after, "quit");
    gtk_main ();
    if (demo.stdin_id)
      g_source_remove (demo.stdin_id);
    g_io_channel_unref (in);
    demo.running = false;
    demo.feeder.join ();
  } else {
    status = 1;
  }
  for (auto &[name, pipeline] : demo.remotes) {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
  if (demo.self_pipeline) {
    gst_element_set_state (demo.self_pipeline, GST_STATE_NULL);
    demo.camera.reset ();
    gst_object_unref (demo.self_pipeline);
  }
  demo.window.reset ();
  g_free (participants);
  g_free (speaker);
  g_free (click);
  g_free (remove);
  g_free (screenshot);
  return status;
}
