/* meetstream: one stream's SRTP for GstBuffers. See srtppacketencoder.h. */
#include "srtppacketencoder.h"

namespace meet {

bool
SrtpPacketEncoder::init (SrtpSuite suite)
{
  return sender_.init (suite) && protector_.init (sender_.key ());
}

GstBuffer *
SrtpPacketEncoder::protect_one (GstBuffer * packet, bool rtcp)
{
  GstMapInfo in;
  if (!gst_buffer_map (packet, &in, GST_MAP_READ)) {
    refused_++;
    return nullptr;
  }
  /* The output's size is known before: the input's and the suite's overhead (no resize, which
   * costs as much per packet as the allocation). */
  size_t size = in.size + (rtcp ? protector_.rtcp_overhead () : protector_.rtp_overhead ());
  GstBuffer *secure = gst_buffer_new_allocate (nullptr, size, nullptr);
  GstMapInfo out;
  size_t len = 0;
  SrtpStatus status = SrtpStatus::NO_ROOM;
  if (secure && gst_buffer_map (secure, &out, GST_MAP_WRITE)) {
    status = rtcp ? protector_.protect_rtcp (in.data, in.size, out.data, out.size, &len)
        : protector_.protect_rtp (in.data, in.size, out.data, out.size, &len);
    gst_buffer_unmap (secure, &out);
  }
  gst_buffer_unmap (packet, &in);
  if (status != SrtpStatus::OK || len != size) {
    if (secure)
      gst_buffer_unref (secure);
    refused_++;
    return nullptr;
  }
  GST_BUFFER_PTS (secure) = GST_BUFFER_PTS (packet);
  GST_BUFFER_DTS (secure) = GST_BUFFER_DTS (packet);
  return secure;
}

size_t
SrtpPacketEncoder::protect (GstBuffer * const * packets, size_t n, bool rtcp,
    std::vector<GstBuffer *> & out)
{
  if (!ready ())
    return 0;
  size_t before = out.size ();
  for (size_t i = 0; i < n; i++) {
    GstBuffer *secure = protect_one (packets[i], rtcp);
    if (secure)
      out.push_back (secure);
  }
  return out.size () - before;
}

std::string
SrtpPacketEncoder::keymgmt (uint32_t ssrc) const
{
  if (!ready ())
    return "";
  return sender_.keymgmt (ssrc, protector_.roc (ssrc));
}

}  // namespace meet
