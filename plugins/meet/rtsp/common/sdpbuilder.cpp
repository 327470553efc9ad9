/* meetstream: the SDP of a presentation built from its streams' RTP caps. See sdpbuilder.h. */
#include "sdpbuilder.h"

#include <glib.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>

namespace meet {

std::string
build_sdp (const SdpSessionDescription & session,
    const std::vector<SdpStreamDescription> & streams)
{
  if (streams.empty ())
    return std::string ();

  const std::string & host = session.local_host;
  const char *addrtype = host.find (':') != std::string::npos ? "IP6" : "IP4";
  GstSDPMessage *sdp;
  gst_sdp_message_new (&sdp);
  gst_sdp_message_set_version (sdp, "0");
  std::string sess_id = std::to_string (g_get_real_time () / 1000000);
  gst_sdp_message_set_origin (sdp, "-", sess_id.c_str (), "1", "IN", addrtype,
      host.empty () ? "127.0.0.1" : host.c_str ());
  gst_sdp_message_set_session_name (sdp, session.session_name.c_str ());
  if (!session.information.empty ())
    gst_sdp_message_set_information (sdp, session.information.c_str ());
  gst_sdp_message_set_connection (sdp, "IN", addrtype,
      addrtype[2] == '6' ? "::" : "0.0.0.0", 0, 0);
  gst_sdp_message_add_time (sdp, "0", "0", nullptr);
  gst_sdp_message_add_attribute (sdp, "tool", "meetstream");
  if (!session.type.empty ())
    gst_sdp_message_add_attribute (sdp, "type", session.type.c_str ());
  gst_sdp_message_add_attribute (sdp, "control", "*");
  gst_sdp_message_add_attribute (sdp, "range", "npt=now-");

  bool ok = true;
  for (size_t i = 0; i < streams.size () && ok; i++) {
    GstCaps *caps = streams[i].caps.empty () ? nullptr
        : gst_caps_from_string (streams[i].caps.c_str ());
    if (!caps || gst_caps_get_size (caps) != 1) {
      ok = false;
    } else {
      GstSDPMedia *media;
      gst_sdp_media_new (&media);
      if (gst_sdp_media_set_media_from_caps (caps, media) == GST_SDP_OK) {
        gst_sdp_media_set_proto (media, "RTP/AVP");
        gst_sdp_media_set_port_info (media, 0, 1);
        gst_sdp_media_add_attribute (media, "control", streams[i].control.c_str ());
        gst_sdp_message_add_media (sdp, media);
      } else {
        ok = false;
      }
      gst_sdp_media_free (media);
    }
    if (caps)
      gst_caps_unref (caps);
  }

  std::string text;
  if (ok) {
    gchar *str = gst_sdp_message_as_text (sdp);
    text = str;
    g_free (str);
  }
  gst_sdp_message_free (sdp);
  return text;
}

}  // namespace meet
