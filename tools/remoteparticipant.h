/* meetstream: one remote participant as meetcli plays them — a bin in the meeting's pipeline:
 *
 *   meetrtspsrc location=URL/NAME ! meetjpegdepay ! [jpegparse ! tee ! recorder] ! jpegdec ! videoconvert
 *       ! gtksink (window) | fakesink (headless)
 *                                 ! meetpcmdepay ! [tee ! recorder] ! the speaker's input (MeetingSpeaker)
 *
 * Its measurements live in a MediaMeter the caller owns (kept across leaving and rejoining). */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

#include <atomic>
#include <string>

#include "mediameter.h"

namespace meet {

struct RemoteConfig {
  std::string url;              /* rtsp://host:port/PATH/NAME */
  std::string user, password;
  std::string tls_fingerprint;  /* rtsps://: pinned certificate */
  int latency_ms = 10;
  std::string buffer_mode;      /* meetrtspsrc's buffer-mode; empty: its default */
  int timeout_s = 5;
  bool window = false;          /* gtksink and a widget, else fakesink */
  bool record = false;          /* the bin gets "video" and "audio" src pads to record from */
};

class RemoteParticipant {
public:
  /* Builds the bin (not yet in a pipeline); null with @error when an element is missing. */
  static RemoteParticipant *create (const std::string & name, const RemoteConfig & config, MediaMeter * meter,
      std::string * error);
  ~RemoteParticipant ();

  const std::string & name () const { return name_; }
  GstElement *bin () const { return bin_; }
  GstElement *source () const { return source_; }
  /* The gtksink's widget (window mode), else null. */
  GtkWidget *widget () const { return widget_; }
  /* The bin's sound ghost pad (to the speaker mix), and in record mode the recording pads. */
  GstPad *audio_pad () const;
  GstPad *record_pad (const char *kind) const;
  MediaMeter *meter () const { return meter_; }
  /* How the streams arrive, for the status line: "multicast", "multicast (SRTP)", "unicast SRTP" or ""
   * (reception_words, launcher.h). */
  std::string reception () const;
  bool owns (GstObject * object) const { return gst_object_has_as_ancestor (object, GST_OBJECT (bin_)); }

private:
  static void on_pad_added (GstElement *, GstPad *, gpointer);

  std::string name_;
  GstElement *bin_ = nullptr;
  GstElement *source_ = nullptr;
  GstElement *video_head_ = nullptr;
  GstElement *audio_head_ = nullptr;
  GtkWidget *widget_ = nullptr;
  MediaMeter *meter_ = nullptr;
};

}  // namespace meet
