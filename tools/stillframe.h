/* meetstream: a still picture drawn once and repeated by a live source, for the test picture and the
 * camera-off picture. Drawing the SMPTE bars and mirroring them, or blending the camera-off text, every
 * 720p frame cost each meetcli about 2 ms of CPU a frame for a picture that never changes. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace meet {

/* Runs @source (an element or bin with a "src" pad giving raw video; floating, taken) until its first frame
 * and returns that frame (a new reference), or null with @error set. It must produce a frame by itself and
 * not be live (a videotestsrc, not a device). */
GstBuffer *render_still (GstElement * source, std::string * error);

/* The same for a gst-launch fragment. */
GstBuffer *render_still (const std::string & description, std::string * error);

/* Every buffer leaving @pad carries @frame's picture instead of its own, with its own timestamps: a live
 * source drawing something cheap (videotestsrc pattern=black) paces a picture drawn once. The memory is
 * shared, so an element writing into a frame (the picture marks) writes into a copy. The caps on @pad must
 * be @frame's. Takes a reference to @frame. */
void repeat_still (GstPad * pad, GstBuffer * frame);

}  // namespace meet
