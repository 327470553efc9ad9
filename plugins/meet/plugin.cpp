/* meetstream: live camera-and-microphone meetings over RTSP/RTP.
 *
 * plugin.cpp registers every element of the `meet` plugin.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "meetrtspsrc.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = TRUE;
  ok |= GST_ELEMENT_REGISTER (meetrtspsrc, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, meet,
    "meetstream: RTP JPEG/L16 payloaders, an RTSP server sink, an RTSP client source and a YOLO privacy blur",
    plugin_init, VERSION, "LGPL", GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
