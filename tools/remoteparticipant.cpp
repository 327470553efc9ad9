/* meetstream: one remote participant's bin (see remoteparticipant.h). */
#include "remoteparticipant.h"

#include "latencybudget.h"
#include "launcher.h"

namespace meet {

RemoteParticipant *
RemoteParticipant::create (const std::string & name, const RemoteConfig & c, MediaMeter * meter,
    std::string * error)
{
  std::string d = "meetrtspsrc name=src meetjpegdepay name=vdepay ! ";
  if (c.record)
    d += "jpegparse ! tee name=vtee ! queue max-size-time=500000000 max-size-bytes=0 max-size-buffers=0 ! ";
  d += "jpegdec ! videoconvert ! ";
  /* async=false: a sink that waited for its first frame would take the whole playing pipeline back to
   * PAUSED (lost state) until this participant's first frame arrives, stalling everyone else. */
  d += c.window ? "gtksink name=vsink sync=true async=false" : "fakesink name=vsink sync=true async=false";
  d += sink_deadline_property ();  /* 5 ms, not GStreamer's 20 (latencybudget.h) */
  /* The speaker's input converts and measures the level (MeetingSpeaker::add_participant). */
  d += "meetpcmdepay name=adepay ! ";
  if (c.record)
    d += "tee name=atee ! queue max-size-time=500000000 max-size-bytes=0 max-size-buffers=0 ! ";
  d += "identity name=aout ";
  if (c.record)
    d += "vtee. ! queue max-size-time=2000000000 max-size-bytes=0 max-size-buffers=0 ! identity name=vrec "
        "atee. ! queue max-size-time=2000000000 max-size-bytes=0 max-size-buffers=0 ! audioconvert ! "
        "audio/x-raw,format=S16LE ! identity name=arec ";
  GError *err = nullptr;
  GstElement *bin = gst_parse_bin_from_description (d.c_str (), FALSE, &err);
  if (bin == nullptr) {
    *error = err ? err->message : "cannot build a participant's pipeline";
    g_clear_error (&err);
    return nullptr;
  }
  gchar *bin_name = g_strdup_printf ("remote-%s", name.c_str ());
  gst_object_set_name (GST_OBJECT (bin), bin_name);
  g_free (bin_name);

  auto *r = new RemoteParticipant;
  r->name_ = name;
  r->meter_ = meter;
  r->bin_ = GST_ELEMENT (gst_object_ref_sink (bin));
  r->source_ = gst_bin_get_by_name (GST_BIN (bin), "src");
  r->video_head_ = gst_bin_get_by_name (GST_BIN (bin), "vdepay");
  r->audio_head_ = gst_bin_get_by_name (GST_BIN (bin), "adepay");
  set_property (r->source_, "location", c.url);
  set_property (r->source_, "latency", std::to_string (c.latency_ms));
  if (!c.buffer_mode.empty ())
    set_property (r->source_, "buffer-mode", c.buffer_mode);
  set_property (r->source_, "timeout", std::to_string (c.timeout_s * 1000));
  /* Multicast when the server offers it (meetsrv --multicast): one send reaches everyone on the LAN. A
   * server without it answers 461 and unicast UDP follows at once; a multicast that never arrives falls
   * back after the timeout, with a warning saying why. */
  set_property (r->source_, "protocols", "udp-mcast+udp+tcp");
  /* The roster says when someone is gone; until then keep trying (a stalled laptop comes back). */
  set_property (r->source_, "retry", "1000");
  if (!c.tls_fingerprint.empty ())
    set_property (r->source_, "tls-fingerprint", c.tls_fingerprint);
  if (!c.user.empty ()) {
    set_property (r->source_, "user", c.user);
    set_property (r->source_, "password", c.password);
  }
  g_signal_connect (r->source_, "pad-added", G_CALLBACK (on_pad_added), r);

  auto ghost = [&](const char *element, const char *pad_name) {
    GstElement *e = gst_bin_get_by_name (GST_BIN (bin), element);
    GstPad *pad = gst_element_get_static_pad (e, "src");
    gst_element_add_pad (bin, gst_ghost_pad_new (pad_name, pad));
    gst_object_unref (pad);
    gst_object_unref (e);
  };
  ghost ("aout", "audio");
  if (c.record) {
    ghost ("vrec", "video_rec");
    ghost ("arec", "audio_rec");
  }

  GstElement *vsink = gst_bin_get_by_name (GST_BIN (bin), "vsink");
  GstPad *pad = gst_element_get_static_pad (vsink, "sink");
  meter->watch_video (pad);
  gst_object_unref (pad);
  if (c.window)
    g_object_get (vsink, "widget", &r->widget_, nullptr);
  gst_object_unref (vsink);
  pad = gst_element_get_static_pad (r->audio_head_, "src");
  meter->watch_audio (pad);
  gst_object_unref (pad);
  return r;
}

RemoteParticipant::~RemoteParticipant ()
{
  if (widget_)
    g_object_unref (widget_);
  gst_object_unref (source_);
  gst_object_unref (video_head_);
  gst_object_unref (audio_head_);
  gst_object_unref (bin_);
}

GstPad *
RemoteParticipant::audio_pad () const
{
  return gst_element_get_static_pad (bin_, "audio");
}

GstPad *
RemoteParticipant::record_pad (const char *kind) const
{
  return gst_element_get_static_pad (bin_, g_str_equal (kind, "video") ? "video_rec" : "audio_rec");
}

void
RemoteParticipant::on_pad_added (GstElement *, GstPad * pad, gpointer user_data)
{
  auto *r = static_cast<RemoteParticipant *> (user_data);
  if (link_stream_by_media (pad, r->video_head_, r->audio_head_, r->name_ + ": "))
    r->meter_->watch_rtp (pad);
}

std::string
RemoteParticipant::reception () const
{
  return reception_words (source_);
}

}  // namespace meet
