/* meetstream: SRTP on the receiving side of an rtsps:// session. See srtpreceive.h. */
#include "srtpreceive.h"

#include <algorithm>
#include <cstring>

namespace meet {

bool
srtp_profile_is_savp (const char *proto)
{
  return proto && (strcmp (proto, "RTP/SAVP") == 0 || strcmp (proto, "RTP/SAVPF") == 0);
}

SrtpOffer
srtp_offer_from_sdp_media (const GstSDPMessage *sdp, const GstSDPMedia *media)
{
  SrtpOffer offer;
  const gchar *proto = media ? gst_sdp_media_get_proto (media) : nullptr;
  offer.profile = proto ? proto : "";
  offer.savp = srtp_profile_is_savp (proto);
  if (!offer.savp)
    return offer;
  std::string error;
  if (mikey_keys_from_sdp_media (sdp, media, &offer.keys, &error))
    offer.keyed = true;
  else
    offer.error = error;
  return offer;
}

namespace {

template <typename Count, typename Get, typename Remove>
void
remove_keymgmt (Count count, Get get, Remove remove)
{
  for (guint i = count (); i > 0; i--) {
    const GstSDPAttribute *a = get (i - 1);
    if (a && a->key && g_ascii_strcasecmp (a->key, "key-mgmt") == 0)
      remove (i - 1);
  }
}

}  // namespace

GstSDPMessage *
sdp_copy_without_keymgmt (const GstSDPMessage *sdp)
{
  GstSDPMessage *copy = nullptr;
  if (gst_sdp_message_copy (sdp, &copy) != GST_SDP_OK)
    return nullptr;
  remove_keymgmt ([&] { return gst_sdp_message_attributes_len (copy); },
      [&](guint i) { return gst_sdp_message_get_attribute (copy, i); },
      [&](guint i) { gst_sdp_message_remove_attribute (copy, i); });
  for (guint m = 0; m < gst_sdp_message_medias_len (copy); m++) {
    GstSDPMedia *media = const_cast<GstSDPMedia *> (gst_sdp_message_get_media (copy, m));
    remove_keymgmt ([&] { return gst_sdp_media_attributes_len (media); },
        [&](guint i) { return gst_sdp_media_get_attribute (media, i); },
        [&](guint i) { gst_sdp_media_remove_attribute (media, i); });
  }
  return copy;
}

std::string
srtp_offers_problem (const std::vector<std::string> &media, const std::vector<SrtpOffer> &offers)
{
  if (offers.empty ())
    return "no stream is offered";
  /* The first stream that cannot go as SRTP, and why. */
  std::string why;
  for (size_t i = 0; i < offers.size () && why.empty (); i++) {
    std::string name = i < media.size () && !media[i].empty () ? media[i] : "stream";
    name += " (stream " + std::to_string (i) + ")";
    if (!offers[i].savp)
      why = "the " + name + " is offered as " + (offers[i].profile.empty () ? std::string ("RTP/AVP")
          : offers[i].profile) + ", not RTP/SAVP: over UDP it would travel in clear";
    else if (!offers[i].keyed)
      why = "the " + name + " is offered as " + offers[i].profile + " without a usable key (" +
          offers[i].error + ")";
  }
  return why;
}

std::string
multicast_transport_request (const SrtpOffer &offer, bool secure)
{
  if (secure && offer.keyed && srtp_profile_is_savp (offer.profile.c_str ()))
    return offer.profile + ";multicast";
  return "RTP/AVP;multicast";
}

bool
multicast_answer_acceptable (const SrtpOffer &offer, bool secure, GstRTSPProfile answered,
    std::string *why)
{
  if (!secure)
    return true;
  const bool savp = answered == GST_RTSP_PROFILE_SAVP || answered == GST_RTSP_PROFILE_SAVPF;
  if (!offer.keyed) {
    *why = "the stream has no SRTP key in the SDP";
    return false;
  }
  if (!savp) {
    *why = "answered with a plain RTP multicast group where RTP/SAVP;multicast was asked";
    return false;
  }
  return true;
}

SecureTransportChoice
choose_secure_transport (const std::vector<std::string> &media,
    const std::vector<SrtpOffer> &offers, bool allow_udp, bool allow_tcp,
    const std::string &uri)
{
  using Kind = SecureTransportChoice::Kind;
  SecureTransportChoice choice;
  std::string why = offers.empty () ? std::string () : srtp_offers_problem (media, offers);
  if (allow_udp && why.empty () && !offers.empty ()) {
    choice.kind = Kind::SrtpUdp;
    return choice;
  }
  if (allow_tcp) {
    choice.kind = Kind::TlsTcp;
    if (allow_udp)
      choice.message = "No SRTP over UDP from " + uri + ": " + why +
          "; receiving the media interleaved inside TLS (TCP) instead.";
    return choice;
  }
  choice.kind = Kind::Refused;
  choice.message = "Cannot receive " + uri + " over UDP securely: " + why +
      ". Allow protocols=tcp to receive it inside TLS, or have the server offer SRTP "
      "(RTP/SAVP with a=key-mgmt:mikey).";
  return choice;
}

bool
srtp_rtcp_key_generate (SrtpSuite suite, SrtpKey *key)
{
  std::vector<uint8_t> ssrc;
  if (!secure_random_bytes (4, &ssrc))
    return false;
  uint32_t value = (uint32_t (ssrc[0]) << 24) | (uint32_t (ssrc[1]) << 16) |
      (uint32_t (ssrc[2]) << 8) | ssrc[3];
  return srtp_key_generate (suite, value, key);
}

std::string
srtp_keymgmt_header (const SrtpKey &key, const std::string &uri)
{
  std::string value = mikey_keymgmt_value (key);       /* "mikey BASE64" */
  const std::string prefix = "mikey ";
  if (value.compare (0, prefix.size (), prefix) != 0)
    return "";
  return "prot=mikey;uri=\"" + uri + "\";data=\"" + value.substr (prefix.size ()) + "\"";
}

bool
SrtpKeyRing::lookup (uint32_t ssrc, SrtpKey *key)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (keys_.key_salt.empty ())
    return false;
  if (std::find (answered_.begin (), answered_.end (), ssrc) == answered_.end ()) {
    if (answered_.size () >= kMaxSsrcs)
      return false;
    answered_.push_back (ssrc);
  }
  *key = keys_.key_for (ssrc);
  return srtp_key_valid (*key);
}

GstCaps *
SrtpKeyRing::caps_for (uint32_t ssrc)
{
  SrtpKey key;
  if (!lookup (ssrc, &key))
    return nullptr;
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-srtp");
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gst_structure_set (s, "ssrc", G_TYPE_UINT, ssrc, nullptr);
  srtp_key_to_structure (key, s, true);
  return caps;
}

bool
SrtpDropCounter::entered (Channel channel)
{
  bool was_pending = pending_[channel].exchange (true);
  if (was_pending)
    dropped_++;
  return was_pending;
}

void
SrtpDropCounter::flush ()
{
  for (auto &p : pending_)
    if (p.exchange (false))
      dropped_++;
}

}  // namespace meet
