/* meetstream: the camera-off picture and the camera/still switch (input-selector). */
#include "cameraswitch.h"

#include "stillframe.h"

#include <gst/video/video.h>

namespace meet {

namespace {

/* black, "camera off" and the name blended in: drawn once (render_still). */
GstElement *
camera_off_picture (const std::string & name, const GstCaps * caps)
{
  GstElement *bin = gst_bin_new (nullptr);
  GstElement *src = gst_element_factory_make ("videotestsrc", nullptr);
  GstElement *raw = gst_element_factory_make ("capsfilter", nullptr);
  GstElement *text = gst_element_factory_make ("textoverlay", nullptr);
  /* Plain system-memory caps after the overlay: it must blend the text into the frames, not hand it on as
   * an overlay meta that an encoder would ignore. */
  GstElement *blended = gst_element_factory_make ("capsfilter", nullptr);
  if (!src || !raw || !text || !blended) {
    for (GstElement *e : {src, raw, text, blended})
      if (e)
        gst_object_unref (gst_object_ref_sink (e));
    gst_object_unref (gst_object_ref_sink (bin));
    return nullptr;
  }
  g_object_set (src, "pattern", 2 /* black */ , nullptr);
  g_object_set (raw, "caps", caps, nullptr);
  g_object_set (blended, "caps", caps, nullptr);
  std::string label = "camera off\n" + name;
  /* auto-resize (on by default) scales the font with the picture's width. */
  g_object_set (text, "text", label.c_str (), "font-desc", "Sans Bold 28", "valignment", 4 /* center */ ,
      "halignment", 1 /* center */ , "line-alignment", 1 /* center */ , nullptr);
  gst_bin_add_many (GST_BIN (bin), src, raw, text, blended, nullptr);
  gst_element_link_many (src, raw, text, blended, nullptr);
  GstPad *pad = gst_element_get_static_pad (blended, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);
  return bin;
}

}  // namespace

GstElement *
make_camera_off_source (const std::string & name, const GstCaps * caps)
{
  GstElement *picture = camera_off_picture (name, caps);
  if (!picture)
    return nullptr;
  std::string error;
  GstBuffer *frame = render_still (picture, &error);
  GstElement *src = gst_element_factory_make ("videotestsrc", nullptr);
  GstElement *raw = gst_element_factory_make ("capsfilter", nullptr);
  if (!frame || !src || !raw) {
    for (GstElement *e : {src, raw})
      if (e)
        gst_object_unref (gst_object_ref_sink (e));
    if (frame)
      gst_buffer_unref (frame);
    return nullptr;
  }
  /* The live black frames pace the picture drawn once (they run all the time, also while the camera is
   * on and the selector drops them: blending the text into every one cost a meetcli 0.6 ms a 720p frame). */
  GstElement *bin = gst_bin_new (nullptr);
  g_object_set (src, "is-live", TRUE, "pattern", 2 /* black */ , nullptr);
  g_object_set (raw, "caps", caps, nullptr);
  gst_bin_add_many (GST_BIN (bin), src, raw, nullptr);
  gst_element_link (src, raw);
  GstPad *pad = gst_element_get_static_pad (raw, "src");
  repeat_still (pad, frame);
  gst_buffer_unref (frame);
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);
  return bin;
}

std::unique_ptr<CameraSwitch>
CameraSwitch::create (GstBin * bin, GstElement * camera, const std::string & name, const GstCaps * caps,
    std::string * error)
{
  GstVideoInfo info;
  if (!gst_caps_is_fixed (caps) || !gst_video_info_from_caps (&info, caps)) {
    *error = "the camera-off picture needs the camera's fixed raw video caps (format, size and frame rate)";
    return nullptr;
  }
  GstElement *still = make_camera_off_source (name, caps);
  GstElement *selector = gst_element_factory_make ("input-selector", nullptr);
  if (!still || !selector) {
    if (still)
      gst_object_unref (gst_object_ref_sink (still));
    if (selector)
      gst_object_unref (gst_object_ref_sink (selector));
    *error = "the camera-off picture needs videotestsrc, textoverlay and input-selector "
        "(gst-plugins-base and gstreamer1.0-plugins-base's pango plugin)";
    return nullptr;
  }
  g_object_set (selector, "sync-streams", FALSE, "cache-buffers", FALSE, nullptr);
  gst_bin_add_many (bin, still, selector, nullptr);
  GstPad *camera_pad = gst_element_request_pad_simple (selector, "sink_%u");
  GstPad *still_pad = gst_element_request_pad_simple (selector, "sink_%u");
  GstPad *camera_src = gst_element_get_static_pad (camera, "src");
  GstPad *still_src = gst_element_get_static_pad (still, "src");
  bool linked = camera_src && gst_pad_link (camera_src, camera_pad) == GST_PAD_LINK_OK &&
      gst_pad_link (still_src, still_pad) == GST_PAD_LINK_OK;
  if (camera_src)
    gst_object_unref (camera_src);
  gst_object_unref (still_src);
  g_object_set (selector, "active-pad", camera_pad, nullptr);
  /* Started with the bin, or now when the bin already runs. */
  gst_element_sync_state_with_parent (still);
  gst_element_sync_state_with_parent (selector);
  std::unique_ptr<CameraSwitch> result (new CameraSwitch (selector, camera_pad, still_pad));
  if (!linked) {
    *error = "the camera's picture cannot be linked to the camera-off switch (its caps must be the ones given)";
    return nullptr;
  }
  return result;
}

CameraSwitch::CameraSwitch (GstElement * selector, GstPad * camera_pad, GstPad * still_pad)
  : selector_ (selector), camera_pad_ (camera_pad), still_pad_ (still_pad)
{
}

CameraSwitch::~CameraSwitch ()
{
  gst_object_unref (camera_pad_);
  gst_object_unref (still_pad_);
}

void
CameraSwitch::set_camera_on (bool on)
{
  g_object_set (selector_, "active-pad", on ? camera_pad_ : still_pad_, nullptr);
}

bool
CameraSwitch::camera_on () const
{
  GstPad *active = nullptr;
  g_object_get (selector_, "active-pad", &active, nullptr);
  bool on = active == camera_pad_;
  if (active)
    gst_object_unref (active);
  return on;
}

}  // namespace meet
