/* Helpers the SRTP unit tests share: whether srtpenc/srtpdec are installed, and a small RTP
 * packet to encrypt. Header-only; needs gst-rtp. */
#pragma once

#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <cstdint>
#include <cstring>

namespace meet_test {

/* srtpenc comes with gst-plugins-bad, which a machine may lack: tests skip then. */
inline bool
have_srtp ()
{
  GstElementFactory *f = gst_element_factory_find ("srtpenc");
  if (f)
    gst_object_unref (f);
  return f != nullptr;
}

/* A JPEG-typed RTP packet with an 8-byte payload. */
inline GstBuffer *
rtp_packet (uint32_t ssrc, uint16_t seq)
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (8, 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_ssrc (&rtp, ssrc);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_payload_type (&rtp, 26);
  memcpy (gst_rtp_buffer_get_payload (&rtp), "frame!!!", 8);
  gst_rtp_buffer_unmap (&rtp);
  return buf;
}

}  // namespace meet_test
