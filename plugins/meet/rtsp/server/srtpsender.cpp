/* meetstream: SRTP for meetrtspsink's UDP streams (see srtpsender.h). */
#include "srtpsender.h"

#include "srtpmikey.h"

#include <gst/sdp/sdp.h>

namespace meet {

bool
SrtpSender::init (SrtpSuite suite)
{
  return srtp_key_generate (suite, 0, &key_);
}

std::string
SrtpSender::keymgmt (uint32_t ssrc, uint32_t roc) const
{
  SrtpKey key = key_;
  key.ssrc = ssrc;
  key.roc = roc;
  return mikey_keymgmt_value (key);
}

std::string
sdp_to_savp (const std::string & sdp, const std::vector<std::string> & keymgmt)
{
  GstSDPMessage *msg = nullptr;
  gst_sdp_message_new (&msg);
  if (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
          static_cast<guint> (sdp.size ()), msg) != GST_SDP_OK
      || gst_sdp_message_medias_len (msg) == 0) {
    gst_sdp_message_free (msg);
    return "";
  }
  /* Edited in place: the message is ours, GstSDPMessage only hands its media out const (and
   * has no call to replace one). */
  for (guint i = 0; i < gst_sdp_message_medias_len (msg) && i < keymgmt.size (); i++) {
    if (keymgmt[i].empty ())
      continue;
    GstSDPMedia *media = const_cast<GstSDPMedia *> (gst_sdp_message_get_media (msg, i));
    if (g_strcmp0 (gst_sdp_media_get_proto (media), "RTP/AVP") == 0)
      gst_sdp_media_set_proto (media, "RTP/SAVP");
    gst_sdp_media_add_attribute (media, "key-mgmt", keymgmt[i].c_str ());
  }
  GstSDPMessage *out = msg;
  gchar *text = gst_sdp_message_as_text (out);
  std::string result = text ? text : "";
  g_free (text);
  gst_sdp_message_free (out);
  return result;
}

}  // namespace meet
