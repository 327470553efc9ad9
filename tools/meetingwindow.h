/* meetstream: the meeting window (GTK 3) — a grid of the remote participants' tiles (picture, name, sound
 * level, the one speaking highlighted, "reconnecting"), a small self-view, the Mute and Camera toggles, the
 * session's SETUP / PLAY / PAUSE / TEARDOWN buttons, keyboard shortcuts and a status line.
 *
 * A plain C++ class over GTK: the caller owns the pipelines and hands in each video widget (a gtksink's
 * "widget" property); the window lays them out and reports the user's actions through callbacks. Its look
 * is a CSS provider on the screen for the window's own style classes (meet-*), removed with the window. */
#pragma once

#include <gtk/gtk.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace meet {

enum class ParticipantState {
  kLive,                        /* pictures arrive */
  kConnecting,                  /* joined, no picture yet */
  kReconnecting,                /* the stream stalled; the tile says so until it comes back or is removed */
};

/* What the user did. Every callback runs on the GTK main thread; any may be empty. */
struct MeetingWindowCallbacks {
  std::function<void (bool muted)> on_mute;     /* Mute toggle, key m */
  std::function<void (bool camera_on)> on_camera;       /* Camera toggle, key v */
  std::function<void ()> on_setup;              /* s */
  std::function<void ()> on_play;               /* p */
  std::function<void ()> on_pause;              /* space */
  std::function<void ()> on_teardown;           /* t */
  std::function<void ()> on_quit;               /* q, or the window closed; the window stays until destroyed */
  /* The grid was laid out anew (a tile added or removed, the window resized): regions() is current. */
  std::function<void ()> on_layout;
};

/* A widget's place in the window (window coordinates), for tests and for anyone who must click it. */
struct WindowRegion {
  /* "tile", "name" (a tile's name label), "self-view", "self-label" (under the self-view; name is its text:
   * "You", with "muted" and "camera off" added when they apply), "button" */
  std::string kind;
  std::string name;             /* participant name; for buttons the key: m v s p space t */
  int x, y, width, height;
  /* tiles only */
  bool speaking = false;
  ParticipantState state = ParticipantState::kLive;
  double level = 0;             /* the bar's fill, 0..1 */
};

class MeetingWindow {
public:
  /* Builds the window (hidden; show() it). Call on the GTK main thread after gtk_init. */
  MeetingWindow (const std::string & title, MeetingWindowCallbacks callbacks);
  ~MeetingWindow ();
  MeetingWindow (const MeetingWindow &) = delete;
  MeetingWindow & operator= (const MeetingWindow &) = delete;

  GtkWidget *window () const;
  void show ();

  /* Main thread only. Adds a tile for @name showing @video (the window takes its own reference; the widget
   * must have no parent); a second add of the same name replaces its picture. */
  void add_participant (const std::string & name, GtkWidget * video);
  /* Main thread only. Drops the tile; the video widget is only unparented, not destroyed, so the sink
   * behind it may still be running and stop later without an error. */
  void remove_participant (const std::string & name);
  std::vector<std::string> participants () const;

  /* Main thread only. The small picture of oneself (the local camera); null removes it. */
  void set_self_view (GtkWidget * video);

  /* Any thread (streaming threads included), until the window is destroyed (stop those threads first):
   * marshalled to the main thread, the latest value wins. Tiles start kLive.
   * @db is the sound level in dBFS (e.g. the "level" element's RMS); the loudest above the threshold is
   * highlighted as speaking, kept for a second after they stop so the highlight does not flicker. */
  void set_level (const std::string & name, double db);
  void set_state (const std::string & name, ParticipantState state);
  void set_status (const std::string & text);

  /* Main thread only. Reflect a state set elsewhere (a command on standard input) on the toggles without
   * calling on_mute/on_camera. */
  void set_muted (bool muted);
  void set_camera_on (bool on);
  bool muted () const;
  bool camera_on () const;

  /* Main thread only. Acts as the keyboard shortcut or command @key would: "m"/"mute", "v"/"camera",
   * "s"/"setup", "p"/"play", "space"/"pause", "t"/"teardown", "q"/"quit". False when it is none of them. */
  bool press (const std::string & key);

  /* Main thread only. Who is highlighted now (empty: nobody), and where everything is. */
  std::string speaker () const;
  std::vector<WindowRegion> regions () const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

const char *participant_state_name (ParticipantState state);

}  // namespace meet
