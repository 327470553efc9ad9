/* Fuzz target: one client connection's bytes into meetrtspsink's request framing and session logic
 * (meet::rtsp_server_handle_bytes: RtspRequestParser + RtspServerLogic with fake streams). */
#include "rtspserverlogic.h"

#include <gst/gst.h>

extern "C" int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* The SDP is built from caps strings: GStreamer's type system must be up. */
  static const bool initialized = gst_init_check (nullptr, nullptr, nullptr);
  (void) initialized;
  meet::rtsp_server_handle_bytes (data, size);
  return 0;
}
