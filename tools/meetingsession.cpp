/* meetstream: meetcli in a meeting (see meetingsession.h). */
#include "meetingsession.h"

#include "launcher.h"
#include "mediameter.h"
#include "meetingpublisher.h"
#include "meetingrecorder.h"
#include "meetingwindow.h"
#include "remoteparticipant.h"
#include "rosterwatch.h"
#include "meetingaudio.h"

#include <gst/gst.h>
#include <gtk/gtk.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <memory>
#include <vector>

namespace meet {

namespace {

enum class Wanted { kSetUp, kPlaying, kPaused, kTornDown };

struct Remote {
  std::unique_ptr<RemoteParticipant> participant;
  ParticipantState state = ParticipantState::kConnecting;
  gint64 added_time = 0;
};

struct Session {
  MeetingOptions opt;
  GMainLoop *loop = nullptr;
  GstElement *pipeline = nullptr;
  std::unique_ptr<MeetingPublisher> publisher;
  std::unique_ptr<MeetingSpeaker> speakers;
  std::unique_ptr<MeetingRecorder> recorder;
  std::unique_ptr<RosterWatch> roster;
  std::unique_ptr<MeetingWindow> window;
  std::atomic<GstClockTime> latency{GST_CLOCK_TIME_NONE};

  std::vector<std::string> roster_names;        /* the last roster */
  std::set<std::string> present;                /* in the roster, as last told ("joined") */
  std::map<std::string, Remote> remotes;        /* playing now */
  std::vector<std::string> seen;                /* everyone ever played, in order: the summary's lines */
  std::map<std::string, std::unique_ptr<MediaMeter>> meters;
  std::map<std::string, uint64_t> status_frames, status_bytes;

  Wanted wanted = Wanted::kPlaying;
  bool in_meeting = false;      /* our own name is in the roster */
  bool finishing = false;
  bool started = false;         /* the pipeline was set to PLAYING */
  int exit_code = 0;
  std::string failure;
  gint64 start_time = 0;
  gint64 status_time = 0;
  guint input_id = 0;
  unsigned ticks = 0;
};

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

void finish (Session * s, int exit_code, const std::string & failure);
void start (Session * s);

void
add_remote (Session * s, const std::string & name)
{
  auto &meter = s->meters[name];
  if (!meter) {
    meter = std::make_unique<MediaMeter> (s->pipeline, &s->latency);
    s->seen.push_back (name);
  } else {
    meter->restart ();
  }
  RemoteConfig config;
  config.url = s->opt.url + "/" + name;
  config.user = s->opt.user;
  config.password = s->opt.password;
  config.tls_fingerprint = s->opt.tls_fingerprint;
  config.latency_ms = s->opt.latency;
  config.buffer_mode = s->opt.buffer_mode ? s->opt.buffer_mode : "";
  config.timeout_s = s->opt.timeout;
  config.window = s->window != nullptr;
  config.record = s->recorder != nullptr;
  std::string error;
  RemoteParticipant *r = RemoteParticipant::create (name, config, meter.get (), &error);
  if (r == nullptr) {
    g_printerr ("meetcli: cannot play %s: %s\n", name.c_str (), error.c_str ());
    return;
  }
  Remote &remote = s->remotes[name];
  remote.participant.reset (r);
  remote.added_time = g_get_monotonic_time ();
  gst_bin_add (GST_BIN (s->pipeline), r->bin ());
  GstPad *input = s->speakers->add_participant (name);
  GstPad *audio = r->audio_pad ();
  if (input && gst_pad_link (audio, input) != GST_PAD_LINK_OK)
    g_printerr ("meetcli: cannot mix %s's sound\n", name.c_str ());
  gst_object_unref (audio);
  if (input)
    gst_object_unref (input);
  if (s->recorder)
    s->recorder->add (name, r);
  if (s->window)
    s->window->add_participant (name, r->widget ());
  gst_element_sync_state_with_parent (r->bin ());
  if (s->wanted != Wanted::kPlaying)
    gst_element_set_state (r->source (), state_for (s->wanted));
  if (s->window)
    s->window->set_state (name, ParticipantState::kConnecting);
}

void
remove_remote (Session * s, const std::string & name)
{
  auto it = s->remotes.find (name);
  if (it == s->remotes.end ())
    return;
  Remote &remote = it->second;
  RemoteParticipant *r = remote.participant.get ();
  if (s->window)
    s->window->remove_participant (name);
  if (s->recorder)
    s->recorder->remove (name, r);
  /* Their elements stop first, then their input leaves the mix (MeetingSpeaker::remove_participant). */
  gst_element_set_state (r->bin (), GST_STATE_NULL);
  gst_bin_remove (GST_BIN (s->pipeline), r->bin ());
  s->speakers->remove_participant (name);
  s->remotes.erase (it);
}

/* The roster as the server says it, with ourselves left out: who to play. */
void
sync_remotes (Session * s)
{
  if (s->finishing)
    return;
  /* Not while the pipeline is still changing state: the thread doing that would set the new bin's state
   * too, and a gtksink's state change waits for this (the GTK main) thread: a deadlock. The next tick
   * (a second at most) comes back. */
  GstState current = GST_STATE_NULL, pending = GST_STATE_VOID_PENDING;
  if (gst_element_get_state (s->pipeline, &current, &pending, 0) == GST_STATE_CHANGE_ASYNC ||
      current != GST_STATE_PLAYING || pending != GST_STATE_VOID_PENDING)
    return;
  auto listed = [s](const std::string & name) {
    return std::find (s->roster_names.begin (), s->roster_names.end (), name) != s->roster_names.end ();
  };
  std::vector<std::string> gone;
  for (auto &name : s->present)
    if (!listed (name))
      gone.push_back (name);
  for (auto &name : gone) {
    g_print ("meetcli: %s left\n", name.c_str ());
    s->present.erase (name);
    remove_remote (s, name);
  }
  for (auto &name : s->roster_names) {
    if (name == s->opt.name || s->remotes.count (name))
      continue;
    /* A player dropped after an error is played again without a second "joined". */
    if (s->present.insert (name).second)
      g_print ("meetcli: %s joined\n", name.c_str ());
    add_remote (s, name);
  }
}

void
on_roster (Session * s, const std::vector<std::string> & names)
{
  s->roster_names = names;
  bool in = std::find (names.begin (), names.end (), s->opt.name) != names.end ();
  if (!s->started) {
    /* The first roster, before we publish: is our name someone else's? Announcing it from the same address
     * (or as the same user) would take it over, and a host or a second meetcli on this machine with the same
     * default login name would take it back, for ever. An explicit --name rejoins (takes over an earlier
     * session of ours, e.g. after a dropped connection). */
    if (in && !s->opt.name_given) {
      finish (s, 1, s->opt.name + " is already in the meeting (the host's or someone else's name on this "
          "machine): give yourself another name with --name");
      return;
    }
    if (in)
      g_print ("meetcli: %s is in the meeting already: taking the name over (if that is not an earlier "
          "session of yours, choose another --name)\n", s->opt.name.c_str ());
    start (s);
  }
  if (in && !s->in_meeting)
    g_print ("meetcli: in the meeting as %s\n", s->opt.name.c_str ());
  s->in_meeting = in;
  std::string list;
  for (auto &n : names)
    list += (list.empty ()? "" : ",") + n;
  g_print ("meetcli: roster: %s\n", list.c_str ());
  sync_remotes (s);
}

/* Starts capturing and publishing (once the first roster is in, or after a timeout without one). */
void
start (Session * s)
{
  if (s->started || s->finishing)
    return;
  s->started = true;
  if (gst_element_set_state (s->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    finish (s, 1, "the pipeline cannot start");
}

void
set_status (Session * s, const std::string & line, bool print)
{
  if (print)
    g_print ("meetcli: %s\n", line.c_str ());
  if (s->window)
    s->window->set_status (line);
}

void
command (Session * s, Wanted wanted)
{
  if (s->finishing)
    return;
  if (wanted == Wanted::kSetUp && s->wanted != Wanted::kTornDown)
    return;                     /* already set up */
  s->wanted = wanted;
  g_print ("meetcli: %s\n", wanted == Wanted::kSetUp ? "SETUP" : wanted == Wanted::kPlaying ? "PLAY" :
      wanted == Wanted::kPaused ? "PAUSE" : "TEARDOWN");
  for (auto &entry : s->remotes) {
    entry.second.participant->meter ()->restart ();
    gst_element_set_state (entry.second.participant->source (), state_for (wanted));
  }
}

void
set_muted (Session * s, bool muted)
{
  s->publisher->set_muted (muted);
  g_print ("meetcli: microphone %s\n", muted ? "muted" : "on");
  if (s->window)
    s->window->set_muted (muted);
}

void
set_camera (Session * s, bool on)
{
  s->publisher->set_camera_on (on);
  g_print ("meetcli: camera %s\n", on ? "on" : "off");
  if (s->window)
    s->window->set_camera_on (on);
}

bool
handle_command (Session * s, const std::string & k)
{
  if (k == "mute")
    set_muted (s, true);
  else if (k == "unmute")
    set_muted (s, false);
  else if (k == "camera off")
    set_camera (s, false);
  else if (k == "camera on")
    set_camera (s, true);
  else if (k == "s" || k == "setup")
    command (s, Wanted::kSetUp);
  else if (k == "p" || k == "play")
    command (s, Wanted::kPlaying);
  else if (k == "space" || k == " " || k == "pause")
    command (s, Wanted::kPaused);
  else if (k == "t" || k == "teardown")
    command (s, Wanted::kTornDown);
  else if (k == "q" || k == "quit")
    finish (s, 0, "");
  else
    return false;
  return true;
}

gboolean
on_stdin (GIOChannel * channel, GIOCondition, gpointer data)
{
  auto *s = static_cast<Session *> (data);
  gchar *line = nullptr;
  GIOStatus status = g_io_channel_read_line (channel, &line, nullptr, nullptr, nullptr);
  if (status != G_IO_STATUS_NORMAL) {
    g_free (line);
    return status == G_IO_STATUS_AGAIN ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
  }
  g_strstrip (line);
  if (line[0] != '\0' && !handle_command (s, line))
    g_print ("meetcli: unknown command \"%s\" (mute, unmute, camera off, camera on, setup, play, pause, "
        "teardown, quit)\n", line);
  g_free (line);
  return G_SOURCE_CONTINUE;
}

gboolean
on_stdin_watch (GIOChannel * channel, GIOCondition condition, gpointer data)
{
  auto *s = static_cast<Session *> (data);
  gboolean keep = on_stdin (channel, condition, data);
  if (!keep)
    s->input_id = 0;
  return keep;
}

/* Ends the meeting: TEARDOWN of what we publish (EOS into meetrtspclientsink), the recording finalised. */
void
finish (Session * s, int exit_code, const std::string & failure)
{
  if (s->finishing)
    return;
  s->finishing = true;
  s->exit_code = exit_code;
  s->failure = failure;
  g_print ("meetcli: leaving the meeting\n");
  s->roster.reset ();
  GstElement *sink = s->publisher ? s->publisher->sink () : nullptr;
  if (sink) {
    GstIterator *it = gst_element_iterate_sink_pads (sink);
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
      gst_pad_send_event (GST_PAD (g_value_get_object (&item)), gst_event_new_eos ());
      g_value_reset (&item);
    }
    g_value_unset (&item);
    gst_iterator_free (it);
  }
  if (s->recorder)
    s->recorder->stop ();
  /* The TEARDOWN goes out on the publisher's own thread; a moment lets it reach the server. */
  g_timeout_add (300, [](gpointer data) -> gboolean {
        g_main_loop_quit (static_cast<Session *> (data)->loop);
        return G_SOURCE_REMOVE;
      }, s);
}

void
update_remote_states (Session * s, gint64 now)
{
  for (auto &entry : s->remotes) {
    Remote &r = entry.second;
    gint64 last = r.participant->meter ()->last_packet_time ();
    ParticipantState state = r.state;
    if (last > r.added_time && now - last < 1500000)
      state = ParticipantState::kLive;
    else if (r.state == ParticipantState::kLive && s->wanted == Wanted::kPlaying)
      state = ParticipantState::kReconnecting;
    if (state == r.state)
      continue;
    if (state == ParticipantState::kLive) {
      g_print ("meetcli: receiving %s\n", entry.first.c_str ());
      if (s->start_time == 0)
        s->start_time = now;
    } else if (state == ParticipantState::kReconnecting) {
      g_print ("meetcli: %s: no data for 1.5 s, reconnecting\n", entry.first.c_str ());
    }
    r.state = state;
    if (s->window)
      s->window->set_state (entry.first, state);
  }
}

gboolean
on_tick (gpointer data)
{
  auto *s = static_cast<Session *> (data);
  if (s->finishing)
    return G_SOURCE_CONTINUE;
  gint64 now = g_get_monotonic_time ();
  if (s->start_time == 0 && s->publisher->publishing ())
    s->start_time = now;
  /* --duration counts from the first data sent or received. */
  if (s->opt.duration > 0 && s->start_time && now - s->start_time >= s->opt.duration * G_USEC_PER_SEC) {
    finish (s, 0, "");
    return G_SOURCE_CONTINUE;
  }
  update_remote_states (s, now);
  /* The host ended the meeting (or the server is gone): the roster stops answering. A restart within the
   * grace period is ridden out; the publisher and the players reconnect by themselves. */
  gint64 answered = s->roster ? s->roster->last_answer_time () : 0;
  gint64 grace = 2 * static_cast<gint64> (s->opt.timeout) * G_USEC_PER_SEC;
  if (answered && now - answered > grace) {
    finish (s, 1, "lost the meeting at " + s->opt.url + ": the server has not answered for " +
        std::to_string (2 * s->opt.timeout) + " s");
    return G_SOURCE_CONTINUE;
  }
  /* A player dropped after an error comes back while the roster still lists them. */
  if (++s->ticks % 5 == 0)
    sync_remotes (s);

  double seconds = (now - s->status_time) / 1e6;
  bool print = seconds >= s->opt.status_interval;
  if (!print && !s->window)
    return G_SOURCE_CONTINUE;
  std::string overall = std::string (s->in_meeting ? "in the meeting as " : "joining as ") + s->opt.name;
  overall += s->publisher->muted ()? ", muted" : "";
  overall += s->publisher->camera_on ()? "" : ", camera off";
  overall += ", " + std::to_string (s->remotes.size ()) + " other" + (s->remotes.size () == 1 ? "" : "s");
  GstClockTime latency = s->latency;
  gchar *part = g_strdup_printf (", latency %" G_GUINT64_FORMAT " ms",
      GST_CLOCK_TIME_IS_VALID (latency) ? latency / GST_MSECOND : 0);
  overall += part;
  g_free (part);
  set_status (s, overall, print);
  if (!print)
    return G_SOURCE_CONTINUE;
  for (auto &entry : s->remotes) {
    MediaMeter *m = entry.second.participant->meter ();
    uint64_t frames = m->frames (), bytes = m->bytes ();
    double fps = seconds > 0 ? (frames - s->status_frames[entry.first]) / seconds : 0;
    double mbits = seconds > 0 ? (bytes - s->status_bytes[entry.first]) * 8 / seconds / 1e6 : 0;
    s->status_frames[entry.first] = frames;
    s->status_bytes[entry.first] = bytes;
    double g2g = m->take_glass_to_glass_mean ();
    gchar *text = g_strdup_printf ("%s: %s, %.1f fps, %.2f Mbit/s, %" G_GUINT64_FORMAT " packets lost, "
        "level %.1f dB, luma %.0f", entry.first.c_str (), participant_state_name (entry.second.state), fps, mbits,
        m->lost (), m->take_peak_level (), m->luma ());
    std::string line = text;
    g_free (text);
    std::string reception = entry.second.participant->reception ();
    if (!reception.empty ())
      line += ", " + reception;
    if (g2g >= 0) {
      gchar *g = g_strdup_printf (", glass-to-glass %.0f ms", g2g);
      line += g;
      g_free (g);
    }
    g_print ("meetcli: %s\n", line.c_str ());
  }
  s->status_time = now;
  return G_SOURCE_CONTINUE;
}

Remote *
remote_of (Session * s, GstObject * origin, std::string * name)
{
  for (auto &entry : s->remotes)
    if (entry.second.participant->owns (origin)) {
      *name = entry.first;
      return &entry.second;
    }
  return nullptr;
}

gboolean
on_bus_message (GstBus *, GstMessage * message, gpointer data)
{
  auto *s = static_cast<Session *> (data);
  GstObject *origin = GST_MESSAGE_SRC (message);
  std::string name;
  Remote *remote = remote_of (s, origin, &name);
  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      GError *error = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_error (message, &error, &debug);
      std::string text = error->message;
      std::string detail = debug ? debug : "";
      if (debug && g_getenv ("MEET_DEBUG"))
        g_printerr ("meetcli: debug: %s\n", debug);
      g_error_free (error);
      g_free (debug);
      if (remote) {
        /* One participant's trouble is not the meeting's: drop their player; the next roster check (within
         * a second) plays them again while the server still lists them. */
        g_print ("meetcli: %s: %s\n", name.c_str (), text.c_str ());
        remove_remote (s, name);
      } else if (!s->finishing) {
        if (s->publisher && s->publisher->owns (origin)) {
          text = "cannot publish as " + s->opt.name + ": " + text;
          /* The element's debug text ends with the server's answer. */
          size_t nl = detail.rfind ('\n');
          if (nl != std::string::npos && nl + 1 < detail.size ())
            text += " (" + detail.substr (nl + 1) + ")";
          if (detail.find ("401") != std::string::npos)
            text += s->opt.password.empty () ? " The meeting needs a passcode: give meetsrv's whole join "
                "line (rtsps://... passcode=... fingerprint=...)." : " Wrong passcode (or user name).";
          else if (detail.find ("409") != std::string::npos)
            text += " Someone else is in the meeting as " + s->opt.name + ": choose another --name.";
        }
        finish (s, 1, text);
      }
      break;
    }
    case GST_MESSAGE_WARNING:{
      GError *warning = nullptr;
      gst_message_parse_warning (message, &warning, nullptr);
      if (remote)
        g_print ("meetcli: %s: %s\n", name.c_str (), warning->message);
      else if (s->publisher && s->publisher->owns (origin))
        g_print ("meetcli: publishing: %s\n", warning->message);
      g_error_free (warning);
      break;
    }
    case GST_MESSAGE_ELEMENT:{
      MeetingAudioLevel level;
      if (parse_level_message (message, &level) && !level.microphone) {
        double db = std::max (-100.0, level.rms_db);
        auto meter = s->meters.find (level.name);
        if (meter != s->meters.end ())
          meter->second->set_level (db);
        if (s->window && s->remotes.count (level.name))
          s->window->set_level (level.name, db);
      }
      break;
    }
    case GST_MESSAGE_LATENCY:{
      gst_bin_recalculate_latency (GST_BIN (s->pipeline));
      GstQuery *query = gst_query_new_latency ();
      if (gst_element_query (s->pipeline, query)) {
        GstClockTime min = GST_CLOCK_TIME_NONE;
        gst_query_parse_latency (query, nullptr, &min, nullptr);
        s->latency = min;
      }
      gst_query_unref (query);
      break;
    }
    case GST_MESSAGE_EOS:
      break;
    default:
      break;
  }
  return TRUE;
}

void
on_first_signal (gpointer data)
{
  finish (static_cast<Session *> (data), 0, "");
}

void
on_second_signal (gpointer data)
{
  g_main_loop_quit (static_cast<Session *> (data)->loop);
}

void
build_window (Session * s)
{
  MeetingWindowCallbacks cb;
  cb.on_mute = [s](bool muted) { s->publisher->set_muted (muted);
    g_print ("meetcli: microphone %s\n", muted ? "muted" : "on");
  };
  cb.on_camera = [s](bool on) { s->publisher->set_camera_on (on);
    g_print ("meetcli: camera %s\n", on ? "on" : "off");
  };
  cb.on_setup = [s]() { command (s, Wanted::kSetUp); };
  cb.on_play = [s]() { command (s, Wanted::kPlaying); };
  cb.on_pause = [s]() { command (s, Wanted::kPaused); };
  cb.on_teardown = [s]() { command (s, Wanted::kTornDown); };
  cb.on_quit = [s]() { finish (s, 0, ""); };
  cb.on_layout = [s]() {
    if (!g_getenv ("MEET_DEBUG"))
      return;
    for (auto &r : s->window->regions ())
      g_print ("meetcli: debug: region %s %s at %d,%d %dx%d\n", r.kind.c_str (), r.name.c_str (),
          r.x + r.width / 2, r.y + r.height / 2, r.width, r.height);
  };
  s->window = std::make_unique<MeetingWindow> ("meetcli - " + s->opt.name + " in " + s->opt.url, cb);
}

}  // namespace

int
run_meeting (const MeetingOptions & options)
{
  Session session;
  Session *s = &session;
  s->opt = options;
  s->pipeline = gst_pipeline_new ("meeting");
  if (!s->opt.headless)
    build_window (s);

  PublisherConfig pc;
  pc.capture.video = s->opt.video;
  pc.capture.audio = s->opt.audio;
  pc.capture.width = s->opt.width;
  pc.capture.height = s->opt.height;
  pc.capture.fps = s->opt.fps;
  pc.capture.mirror = !s->opt.no_mirror;
  pc.capture.blur = s->opt.blur;
  pc.quality = s->opt.quality;
  pc.model = s->opt.model;
  pc.name = s->opt.name;
  pc.url = s->opt.url + "/" + s->opt.name;
  pc.user = s->opt.user;
  pc.password = s->opt.password;
  pc.tls_fingerprint = s->opt.tls_fingerprint;
  pc.self_view = s->window != nullptr;
  std::string error;
  /* The speaker first: the microphone's echo canceller listens to its probe. */
  MeetingSpeakerOptions so;
  so.self_name = s->opt.name;
  /* The headless speaker's deadline like the video sinks' (latencybudget.h): every sink sets the pipeline latency. */
  so.sink = s->opt.sound ? "autoaudiosink" : "fakesink sync=true async=false processing-deadline=5000000";
  /* The jitter buffers upstream absorb the network's jitter; every millisecond here is mouth-to-ear. */
  so.mix_latency = 0;
  s->speakers = std::make_unique<MeetingSpeaker> (so);
  if (!s->speakers->bin ()) {
    error = s->speakers->error ();
    s->speakers.reset ();
  } else {
    gst_bin_add (GST_BIN (s->pipeline), s->speakers->bin ());
    pc.echo_cancel = !s->opt.no_echo_cancel;
    pc.probe_name = s->speakers->probe_name ();
    s->publisher = MeetingPublisher::create (GST_BIN (s->pipeline), pc, &error);
  }
  if (s->publisher && s->opt.record) {
    s->recorder = std::make_unique<MeetingRecorder> (s->opt.record);
    if (!s->recorder->start (GST_BIN (s->pipeline), &error))
      s->recorder.reset ();
  }
  if (!s->publisher || !s->speakers || (s->opt.record && !s->recorder)) {
    g_printerr ("meetcli: cannot build the meeting: %s\n", error.c_str ());
    s->window.reset ();
    gst_object_unref (s->pipeline);
    return 1;
  }
  if (s->window) {
    s->window->set_self_view (s->publisher->self_view ());
    s->window->show ();
  }

  s->loop = g_main_loop_new (nullptr, FALSE);
  GstBus *bus = gst_element_get_bus (s->pipeline);
  gst_bus_add_watch (bus, on_bus_message, s);
  gst_object_unref (bus);
  watch_unix_signals (on_first_signal, on_second_signal, s);
  GIOChannel *input = nullptr;
  if (s->opt.headless) {
    input = g_io_channel_unix_new (0);
    s->input_id = g_io_add_watch (input, static_cast<GIOCondition> (G_IO_IN | G_IO_HUP), on_stdin_watch, s);
  }
  s->status_time = g_get_monotonic_time ();
  guint tick_id = g_timeout_add (200, on_tick, s);

  g_print ("meetcli: joining %s as %s (%s)\n", s->opt.url.c_str (), s->opt.name.c_str (),
      s->publisher->video_desc ().c_str ());
  /* The roster first (see on_roster); a server that does not answer it within 3 s still gets our streams,
   * and meetrtspclientsink says what is wrong with it. */
  s->roster = std::make_unique<RosterWatch> (s->opt.url, s->opt.user, s->opt.password,
      [s](const std::vector<std::string> & names) { on_roster (s, names); }, s->opt.tls_fingerprint,
      [s](const std::string & reason) {
        /* A refused certificate or passcode: nothing of ours has been sent, and retrying cannot help. */
        if (!s->finishing)
          finish (s, 1, "cannot join " + s->opt.url + ": " + reason);
      });
  g_timeout_add_seconds (3, [](gpointer data) -> gboolean {
        start (static_cast<Session *> (data));
        return G_SOURCE_REMOVE;
      }, s);
  g_main_loop_run (s->loop);
  s->roster.reset ();
  g_source_remove (tick_id);
  if (s->input_id)
    g_source_remove (s->input_id);

  if (s->recorder)
    s->recorder->finalize (GST_BIN (s->pipeline));
  std::vector<std::string> names;
  for (auto &entry : s->remotes)
    names.push_back (entry.first);
  for (auto &n : names)
    remove_remote (s, n);
  gst_element_set_state (s->pipeline, GST_STATE_NULL);
  const char *no_marks = s->opt.blur ? "--blur blurs the sync marks away" :
      "no sync marks: they come with test pictures";
  for (auto &n : s->seen)
    g_print ("meetcli: summary for %s: %s\n", n.c_str (), s->meters[n]->summary (no_marks).c_str ());
  /* How many of the frames sent reached us: the marks' capture times say how long the sender was seen. */
  for (auto &n : s->seen)
    if (s->meters[n]->marked_frames ())
      g_print ("meetcli: frames from %s: %" G_GUINT64_FORMAT " with marks over %.3f s of capture time\n", n.c_str (),
          s->meters[n]->marked_frames (), s->meters[n]->marked_span ());
  if (s->seen.empty ())
    g_print ("meetcli: nobody else was in the meeting\n");
  if (s->recorder)
    s->recorder->write_file ();
  if (s->exit_code != 0)
    g_printerr ("meetcli: error: %s\n", s->failure.empty () ? "interrupted" : s->failure.c_str ());

  if (input)
    g_io_channel_unref (input);
  s->window.reset ();
  s->recorder.reset ();
  s->publisher.reset ();
  s->speakers.reset ();
  gst_object_unref (s->pipeline);
  g_main_loop_unref (s->loop);
  return s->exit_code;
}

}  // namespace meet
