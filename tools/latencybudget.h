/* meetstream: the receivers' latency settings, in one place (README, "Where the milliseconds go").
 *
 * Every GstBaseSink adds its processing-deadline to the pipeline latency, and the pipeline latency is the
 * same for every sink (the largest branch): GStreamer's default 20 ms is sized for decoders far slower than
 * JPEG's (jpegdec takes about 2 ms for a 720p frame, videoconvert less). The deadline only has to cover what
 * runs between the jitter buffer's push and the sink: depayloading, jpegdec, videoconvert and the thread
 * hand-over; the jitter buffer (--latency) already absorbs the network's and the sender's jitter. */
#pragma once

#include <gst/gst.h>

namespace meet {

/* The video sinks' (and the headless audio fakesinks') processing deadline: 5 ms leaves 2-3 ms of margin
 * over jpegdec + videoconvert at 720p on an idle machine (no late frames there); a starved CPU shows
 * late frames in the summary, which are still shown (max-lateness) rather than dropped. */
constexpr GstClockTime kSinkProcessingDeadline = 5 * GST_MSECOND;

/* The same, as a gst-launch property fragment for a sink's description. */
inline const char *
sink_deadline_property ()
{
  return " processing-deadline=5000000 ";
}

}  // namespace meet
