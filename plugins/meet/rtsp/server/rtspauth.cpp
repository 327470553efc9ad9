/* meetstream: who may use meetrtspsink's server. See rtspauth.h. */
#include "rtspauth.h"

#include <gst/rtsp/rtsp.h>

#include <map>

namespace meet {

bool
constant_time_equal (const std::string & a, const std::string & b)
{
  if (a.size () != b.size ())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size (); i++)
    diff |= static_cast<unsigned char> (a[i] ^ b[i]);
  return diff == 0;
}

bool
RtspAuth::check (const RtspRequest & request, const std::string & nonce) const
{
  if (!enabled ())
    return true;
  const std::string *value = request.header ("Authorization");
  if (!value)
    return false;

  bool ok = false;
  GstRTSPMessage *msg = nullptr;
  gst_rtsp_message_new_request (&msg, GST_RTSP_OPTIONS, "*");
  gst_rtsp_message_add_header (msg, GST_RTSP_HDR_AUTHORIZATION, value->c_str ());
  GstRTSPAuthCredential **credentials =
      gst_rtsp_message_parse_auth_credentials (msg, GST_RTSP_HDR_AUTHORIZATION);
  for (GstRTSPAuthCredential ** c = credentials; c && *c && !ok; c++) {
    if ((*c)->scheme == GST_RTSP_AUTH_DIGEST && (*c)->params) {
      std::map<std::string, std::string> params;
      for (GstRTSPAuthParam ** p = (*c)->params; *p; p++) {
        if ((*p)->name && (*p)->value) {
          gchar *name = g_ascii_strdown ((*p)->name, -1);
          params[name] = (*p)->value;
          g_free (name);
        }
      }
      const std::string & answered = params["nonce"];
      if (params["username"] == config_.user && params["realm"] == config_.realm
          && !nonce.empty () && answered == nonce && !params["uri"].empty ()) {
        gchar *expected = gst_rtsp_generate_digest_auth_response (nullptr,
            request.method.c_str (), config_.realm.c_str (), config_.user.c_str (),
            config_.password.c_str (), params["uri"].c_str (), answered.c_str ());
        ok = expected && constant_time_equal (expected, params["response"]);
        g_free (expected);
      }
    } else if ((*c)->scheme == GST_RTSP_AUTH_BASIC && config_.basic && (*c)->authorization) {
      gsize len = 0;
      guchar *decoded = g_base64_decode ((*c)->authorization, &len);
      std::string pair (reinterpret_cast<char *> (decoded), len);
      g_free (decoded);
      ok = constant_time_equal (pair, config_.user + ":" + config_.password);
    }
  }
  gst_rtsp_auth_credentials_free (credentials);
  gst_rtsp_message_free (msg);
  return ok;
}

std::vector<std::string>
RtspAuth::challenges (const std::string & nonce) const
{
  std::vector<std::string> out;
  out.push_back ("Digest realm=\"" + config_.realm + "\", nonce=\"" + nonce + "\"");
  if (config_.basic)
    out.push_back ("Basic realm=\"" + config_.realm + "\"");
  return out;
}

}  // namespace meet
