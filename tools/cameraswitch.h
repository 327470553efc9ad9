/* meetstream: what a participant publishes when their camera is off — a still "camera off" picture with their
 * name, live at the camera's size and rate — and the switch between it and the camera. */
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

namespace meet {

/* A live source bin (one "src" pad) of the fixed raw video @caps, the camera's (format, size, frame rate):
 * black frames reading "camera off" and @name. The text is blended into the frames, so it survives any
 * encoder. Returns a floating reference. */
GstElement *make_camera_off_source (const std::string & name, const GstCaps * caps);

/* camera -> input-selector <- camera-off source, inside a bin or pipeline. Both sources run all the time and
 * the selector passes one of them, so switching costs nothing and never stalls the pipeline: downstream sees
 * frames at the camera's rate throughout, the still picture while the camera is off (not a frozen last
 * frame). The selector drops the other source's frames at once (sync-streams off) instead of holding its
 * thread back, which suits two live sources. */
class CameraSwitch {
public:
  /* Adds the camera-off source and the selector to @bin and links @camera's "src" pad (an element already
   * in @bin giving @caps) to it; link output() downstream. Null with @error set when @caps are not fixed raw
   * video or linking fails. */
  static std::unique_ptr<CameraSwitch> create (GstBin * bin, GstElement * camera, const std::string & name,
      const GstCaps * caps, std::string * error);
  ~CameraSwitch ();
  CameraSwitch (const CameraSwitch &) = delete;
  CameraSwitch & operator= (const CameraSwitch &) = delete;

  /* The input-selector (owned by the bin): link its "src" pad downstream. */
  GstElement *output () const { return selector_; }
  /* From any thread, in any state; takes effect on the next frame. */
  void set_camera_on (bool on);
  bool camera_on () const;

private:
  CameraSwitch (GstElement * selector, GstPad * camera_pad, GstPad * still_pad);

  GstElement *selector_;        /* borrowed: the bin owns it */
  GstPad *camera_pad_;          /* our references to the selector's request pads */
  GstPad *still_pad_;
};

}  // namespace meet
