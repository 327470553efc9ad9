/* meetstream: meetcli's publishing branches (see meetingpublisher.h). */
#include "meetingpublisher.h"

#include "launcher.h"

namespace meet {

namespace {

GstElement *
parse_bin (const std::string & description, std::string * error)
{
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description (description.c_str (), TRUE, &err);
  if (bin == nullptr) {
    *error = err ? err->message : "cannot build " + description;
    g_clear_error (&err);
  }
  return bin;
}

}  // namespace

std::unique_ptr<MeetingPublisher>
MeetingPublisher::create (GstBin * pipeline, const PublisherConfig & c, std::string * error)
{
  std::unique_ptr<MeetingPublisher> p (new MeetingPublisher);
  CaptureChoice choice = choose_capture ("meetcli", c.capture);
  p->video_desc_ = choice.video_desc;

  /* The camera side, then the switch to the camera-off picture at the same fixed caps. */
  GstCaps *caps = meeting_video_caps (c.capture);
  /* The camera's rate may be below --fps (videorate only drops): the still picture runs at --fps. */
  gchar *caps_text = g_strdup_printf ("video/x-raw,format=I420,width=%d,height=%d", c.capture.width,
      c.capture.height);
  std::string camera = choice.video + " ! " + video_processing (c.capture, choice) + " ! capsfilter caps=\"" + caps_text +
      "\"";
  g_free (caps_text);
  p->camera_bin_ = parse_bin (camera, error);
  if (!p->camera_bin_) {
    gst_caps_unref (caps);
    return nullptr;
  }
  gst_bin_add (pipeline, p->camera_bin_);
  if (choice.test_video && !start_test_picture (GST_BIN (p->camera_bin_), c.capture, error)) {
    gst_caps_unref (caps);
    return nullptr;
  }
  if (c.capture.blur && c.model) {
    GstElement *blur = gst_bin_get_by_name (GST_BIN (p->camera_bin_), "blur");
    if (blur) {
      set_property (blur, "model", c.model);
      gst_object_unref (blur);
    }
  }
  p->camera_ = CameraSwitch::create (pipeline, p->camera_bin_, c.name, caps, error);
  gst_caps_unref (caps);
  if (!p->camera_)
    return nullptr;

  /* Encoding and the self-view; a leaky queue keeps a slow window from holding back what is sent. */
  std::string enc = "tee name=t ! queue max-size-buffers=2 leaky=downstream ! jpegenc name=venc quality=" +
      std::to_string (c.quality) + " ! meetjpegpay name=vpay";
  if (c.self_view)
    enc += " t. ! queue max-size-buffers=2 leaky=downstream ! videoconvert ! gtksink name=selfsink sync=false async=false";
  GError *err = nullptr;
  p->encoder_bin_ = gst_parse_bin_from_description (enc.c_str (), FALSE, &err);
  if (!p->encoder_bin_) {
    *error = err ? err->message : "cannot build the encoder";
    g_clear_error (&err);
    return nullptr;
  }
  {
    GstElement *tee = gst_bin_get_by_name (GST_BIN (p->encoder_bin_), "t");
    GstPad *pad = gst_element_get_static_pad (tee, "sink");
    gst_element_add_pad (p->encoder_bin_, gst_ghost_pad_new ("sink", pad));
    gst_object_unref (pad);
    gst_object_unref (tee);
    GstElement *pay = gst_bin_get_by_name (GST_BIN (p->encoder_bin_), "vpay");
    pad = gst_element_get_static_pad (pay, "src");
    gst_element_add_pad (p->encoder_bin_, gst_ghost_pad_new ("src", pad));
    gst_object_unref (pad);
    gst_object_unref (pay);
  }
  if (choice.test_video) {
    GstElement *encoder = gst_bin_get_by_name (GST_BIN (p->encoder_bin_), "venc");
    draw_marks_into_input (encoder, c.capture.fps);
    gst_object_unref (encoder);
  }
  if (c.self_view) {
    GstElement *self = gst_bin_get_by_name (GST_BIN (p->encoder_bin_), "selfsink");
    g_object_get (self, "widget", &p->self_view_, nullptr);
    gst_object_unref (self);
  }
  gst_bin_add (pipeline, p->encoder_bin_);
  if (!gst_element_link (p->camera_->output (), p->encoder_bin_)) {
    *error = "cannot link the camera to the encoder";
    return nullptr;
  }

  MeetingMicrophoneOptions mo;
  /* webrtcdsp works in 10 ms frames: the test sound comes in 10 ms buffers. */
  mo.source = choice.audio + (choice.test_audio ? " samplesperbuffer=480" : "");
  /* Every participant's test sound ticks at the same pitch: another's tick arriving just before one's own
   * looks like echo to webrtcdsp, which would cancel one's own (measured by meeting-audio-own-ticks). A test
   * sound is no voice in a room, so it goes without echo cancellation. */
  mo.echo_cancel = c.echo_cancel && !choice.test_audio;
  mo.probe_name = c.probe_name;
  mo.level_name = c.name;
  p->microphone_ = std::make_unique<MeetingMicrophone> (mo);
  if (!p->microphone_->bin ()) {
    *error = p->microphone_->error ();
    return nullptr;
  }
  if (choice.test_audio) {
    GstElement *asrc = gst_bin_get_by_name (GST_BIN (p->microphone_->bin ()), "asrc");
    if (asrc) {
      draw_ticks_into_output (asrc, choice.tick_hz);
      gst_object_unref (asrc);
    }
  }
  p->audio_bin_ = parse_bin ("audioconvert ! capsfilter caps=\"audio/x-raw,format=S16BE,rate=48000,channels=1\" "
      "! meetpcmpay", error);
  if (!p->audio_bin_)
    return nullptr;
  gst_bin_add_many (pipeline, p->microphone_->bin (), p->audio_bin_, nullptr);
  if (!gst_element_link (p->microphone_->bin (), p->audio_bin_)) {
    *error = "cannot link the microphone to the payloader";
    return nullptr;
  }

  p->sink_ = gst_element_factory_make ("meetrtspclientsink", "publisher");
  if (!p->sink_) {
    *error = "the meetrtspclientsink element is missing";
    return nullptr;
  }
  set_property (p->sink_, "location", c.url);
  /* A meeting goes on across a server restart or a network hiccup: keep trying. */
  set_property (p->sink_, "retry", "1000000");
  if (!c.tls_fingerprint.empty ())
    set_property (p->sink_, "tls-fingerprint", c.tls_fingerprint);
  if (!c.user.empty ()) {
    set_property (p->sink_, "user", c.user);
    set_property (p->sink_, "password", c.password);
  }
  gst_bin_add (pipeline, p->sink_);
  GstPad *vsink = gst_element_request_pad_simple (p->sink_, "sink_%u");
  GstPad *vsrc = gst_element_get_static_pad (p->encoder_bin_, "src");
  bool linked = gst_pad_link (vsrc, vsink) == GST_PAD_LINK_OK;
  gst_object_unref (vsrc);
  gst_object_unref (vsink);
  GstPad *asink = gst_element_request_pad_simple (p->sink_, "sink_%u");
  GstPad *asrc = gst_element_get_static_pad (p->audio_bin_, "src");
  linked = linked && gst_pad_link (asrc, asink) == GST_PAD_LINK_OK;
  gst_object_unref (asrc);
  gst_object_unref (asink);
  if (!linked) {
    *error = "cannot link the encoders to meetrtspclientsink";
    return nullptr;
  }
  return p;
}

MeetingPublisher::~MeetingPublisher ()
{
  if (self_view_)
    g_object_unref (self_view_);
}

bool
MeetingPublisher::publishing () const
{
  gboolean recording = FALSE;
  g_object_get (sink_, "recording", &recording, nullptr);
  return recording;
}

bool
MeetingPublisher::owns (GstObject * object) const
{
  for (GstElement *e : {camera_bin_, audio_bin_, sink_, encoder_bin_, microphone_ ? microphone_->bin () : nullptr})
    if (e && gst_object_has_as_ancestor (object, GST_OBJECT (e)))
      return true;
  return camera_ && gst_object_has_as_ancestor (object, GST_OBJECT (camera_->output ()));
}

}  // namespace meet
