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

bool
srtp_stats_roc (const GstStructure * stats, uint32_t ssrc, uint32_t * roc)
{
  const GValue *streams = stats ? gst_structure_get_value (stats, "streams") : nullptr;
  if (!streams || !GST_VALUE_HOLDS_ARRAY (streams))
    return false;
  guint n = gst_value_array_get_size (streams);
  for (guint i = 0; i < n; i++) {
    const GValue *v = gst_value_array_get_value (streams, i);
    if (!v || !GST_VALUE_HOLDS_STRUCTURE (v))
      continue;
    const GstStructure *s = gst_value_get_structure (v);
    guint stream_ssrc, stream_roc;
    if (gst_structure_get_uint (s, "ssrc", &stream_ssrc) && stream_ssrc == ssrc
        && gst_structure_get_uint (s, "roc", &stream_roc)) {
      *roc = stream_roc;
      return true;
    }
  }
  return false;
}

uint32_t
srtpenc_roc (GstElement * srtpenc, uint32_t ssrc)
{
  GstStructure *stats = nullptr;
  g_object_get (srtpenc, "stats", &stats, nullptr);
  uint32_t roc = 0;
  if (stats) {
    srtp_stats_roc (stats, ssrc, &roc);
    gst_structure_free (stats);
  }
  return roc;
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
