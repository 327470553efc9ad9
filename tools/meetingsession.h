/* meetstream: meetcli in a meeting — publishes its camera and microphone as PATH/NAME (MeetingPublisher)
 * and plays every other participant in the roster (RemoteParticipant, one meetrtspsrc each, created and
 * removed as the roster changes), their sound mixed (MeetingSpeaker, with the echo probe the microphone's canceller listens to), never its own. Headless or in a
 * MeetingWindow; optionally records every remote's video and sound into one Matroska file. */
#pragma once

#include <glib.h>

#include <string>

namespace meet {

struct MeetingOptions {
  std::string url;              /* rtsp://host:port/PATH */
  std::string name;
  bool name_given = false;      /* --name, not the login name */
  std::string user, password;
  std::string tls_fingerprint;  /* rtsps://: the server's certificate pinned (empty: the system store) */
  gchar *video = nullptr;
  gchar *audio = nullptr;
  gint width = 640, height = 480, fps = 30, quality = 50;
  gboolean no_mirror = FALSE;
  gboolean blur = FALSE;
  gchar *model = nullptr;
  gint latency = 10;
  gchar *buffer_mode = nullptr; /* meetrtspsrc's: slave (default) or none */
  gboolean headless = FALSE;
  gdouble duration = 0;
  gchar *record = nullptr;
  gint timeout = 5;
  gint status_interval = 5;
  gboolean no_echo_cancel = FALSE;
  bool sound = true;            /* a sound device to play on */
};

/* Runs the meeting until quit, the signal, --duration or a fatal error; returns the exit code. */
int run_meeting (const MeetingOptions & options);

}  // namespace meet
