/* meetstream: what meetcli sends into the meeting — its camera and microphone, published as PATH/NAME:
 *
 *   camera ! convert/scale/rate ! [videoflip] ! [yoloblur] ! I420 ─┐
 *                       camera-off picture (CameraSwitch) ─ input-selector ! tee ! jpegenc ! meetjpegpay ─┐
 *                                                                        └ self-view (window mode)       │
 *   microphone (Microphone: mute) ! meetpcmpay ─────────────────────── meetrtspclientsink location=URL/NAME
 *
 * Blur happens before anything leaves the machine; the test picture carries the marks (marks.h). */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

#include <memory>
#include <string>

#include "cameraswitch.h"
#include "capture.h"
#include "meetingaudio.h"

namespace meet {

struct PublisherConfig {
  CaptureOptions capture;
  int quality = 50;
  const char *model = nullptr;  /* yoloblur's model for --blur */
  std::string name;
  std::string url;              /* rtsp://host:port/PATH/NAME */
  std::string user, password;
  std::string tls_fingerprint;  /* rtsps://: pinned certificate */
  bool self_view = false;       /* a gtksink of one's own picture (window mode) */
  bool echo_cancel = true;
  std::string probe_name;       /* the MeetingSpeaker's echo probe */
};

class MeetingPublisher {
public:
  /* Adds the publishing branches to @pipeline; null with @error when they cannot be built. Ends the program
   * (like meetsrv) when a device asked for cannot be opened. */
  static std::unique_ptr<MeetingPublisher> create (GstBin * pipeline, const PublisherConfig & config,
      std::string * error);
  ~MeetingPublisher ();

  void set_muted (bool muted) { microphone_->set_muted (muted); }
  bool muted () const { return microphone_->muted (); }
  void set_camera_on (bool on) { camera_->set_camera_on (on); }
  bool camera_on () const { return camera_->camera_on (); }
  /* The RECORD went through: the meeting gets what we send. */
  bool publishing () const;
  GtkWidget *self_view () const { return self_view_; }
  GstElement *sink () const { return sink_; }
  const std::string & video_desc () const { return video_desc_; }
  bool owns (GstObject * object) const;

private:
  MeetingPublisher () = default;
  std::unique_ptr<CameraSwitch> camera_;
  std::unique_ptr<MeetingMicrophone> microphone_;
  GstElement *camera_bin_ = nullptr;
  GstElement *audio_bin_ = nullptr;
  GstElement *sink_ = nullptr;
  GstElement *encoder_bin_ = nullptr;
  GtkWidget *self_view_ = nullptr;
  std::string video_desc_;
};

}  // namespace meet
