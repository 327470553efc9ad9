/* meetstream: live camera-and-microphone meetings over RTSP/RTP.
 *
 * plugin.cpp registers every element of the `meet` plugin.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "meetjpegdepay.h"
#include "meetjpegpay.h"
#include "meetpcmdepay.h"
#include "meetpcmpay.h"
#include "meetrtspclientsink.h"
#include "meetrtspsink.h"
#include "meetrtspsrc.h"
#if HAVE_OPENCV
#include "yoloblur.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;
  ok |= GST_ELEMENT_REGISTER (meetjpegpay, plugin);
  ok |= GST_ELEMENT_REGISTER (meetjpegdepay, plugin);
  ok |= GST_ELEMENT_REGISTER (meetpcmpay, plugin);
  ok |= GST_ELEMENT_REGISTER (meetpcmdepay, plugin);
  ok |= GST_ELEMENT_REGISTER (meetrtspsink, plugin);
  ok |= GST_ELEMENT_REGISTER (meetrtspsrc, plugin);
  ok |= GST_ELEMENT_REGISTER (meetrtspclientsink, plugin);
#if HAVE_OPENCV
  ok |= GST_ELEMENT_REGISTER (yoloblur, plugin);
#endif
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, meet,
    "meetstream: RTP JPEG/L16 payloaders, an RTSP server sink, an RTSP client source and publisher and a YOLO privacy blur",
    plugin_init, VERSION, "LGPL", GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
