/* meetstream: one stream's srtpdec inside meetrtspsrc (SRTP over UDP from an rtsps:// server).
 *
 * udpsrc (RTP) -> srtpdec rtp_sink/rtp_src -> rtpbin, udpsrc (RTCP) -> srtpdec rtcp_sink/rtcp_src
 * -> rtpbin. srtpdec asks for each SSRC's key with request-key, answered from the server's MIKEY
 * (SrtpKeyRing); what it drops (not authentic, replayed, another key) is counted by probes around
 * it (SrtpDropCounter) and logged. Not a GObject: ReceiveStreams owns one per SRTP stream; the
 * count outlives the element, so it adds up over reconnects. */
#pragma once

#include <memory>
#include <string>

#include <gst/gst.h>

#include "srtpreceive.h"

namespace meet {

/* srtpenc for our receiver reports: rtcp_sink_0 -> rtcp_src_0 under @key (srtpkeys.h), not in
 * any bin yet. nullptr when gst-plugins-bad's srtpenc is missing. */
GstElement *srtp_rtcp_encoder_new (const SrtpKey &key);

class SrtpDecoder {
public:
  explicit SrtpDecoder (unsigned stream_id) : stream_id_ (stream_id) {}
  ~SrtpDecoder ();
  SrtpDecoder (const SrtpDecoder &) = delete;
  SrtpDecoder &operator= (const SrtpDecoder &) = delete;

  /* Makes srtpdec inside @bin (not yet synced with it) answering with @keys. nullptr when
   * gst-plugins-bad's srtpdec is missing. */
  GstElement *make (GstBin *bin, const MikeyKeys &keys);
  /* The element, or nullptr. */
  GstElement *element () const { return dec_; }
  /* Its session is over: the element is stopped and removed by the caller (remove_child);
   * this forgets it. */
  void forget ();

  uint64_t dropped () const { return drops_.dropped (); }

private:
  static GstCaps *on_request_key (GstElement *, guint ssrc, gpointer self);
  static GstPadProbeReturn on_enter (GstPad *pad, GstPadProbeInfo *info, gpointer self);
  static GstPadProbeReturn on_leave (GstPad *pad, GstPadProbeInfo *info, gpointer self);
  void probe (GstElement *dec, const char *pad_name, bool enter);

  unsigned stream_id_;
  GstElement *dec_ = nullptr;
  std::shared_ptr<SrtpKeyRing> keys_;
  SrtpDropCounter drops_;
};

}  // namespace meet
