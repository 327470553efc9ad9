/* meetstream: RTSP client logic, the streams and their transport: which streams the SDP offers
 * (parse_sdp), how each is asked for in SETUP (Transport, and the KeyMgmt of SRTP) and what the
 * server's answer sets up (handle_setup), with the fallbacks from multicast to unicast UDP to TCP
 * and never RTP in clear beside rtsps://. The session's walk is in rtspclientlogic.cpp. */
#include "rtspclientlogic.h"
#include "rtsptext.h"

#include "srtpkeymgmt.h"

#include <cstring>
#include <memory>

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/rtsp/gstrtsptransport.h>
#include <gst/sdp/gstsdpmessage.h>

namespace meet {

namespace {

/* A Transport header without its mode parameter: gst_rtsp_transport_parse() knows only "play" and
 * "record" and refuses the whole header for ffmpeg's mode=receive (RFC 2326's older word for record).
 * What the server echoes as mode changes nothing for us. */
std::string
without_mode (const std::string &transport)
{
  std::string out;
  size_t pos = 0;
  while (pos <= transport.size ()) {
    size_t semi = transport.find (';', pos);
    std::string part = transport.substr (pos, semi == std::string::npos ? std::string::npos : semi - pos);
    if (g_ascii_strncasecmp (rtsp_trim (part).c_str (), "mode=", 5) != 0)
      out += (out.empty () ? "" : ";") + part;
    if (semi == std::string::npos)
      break;
    pos = semi + 1;
  }
  return out;
}

/* What the streams offer for SRTP, for the choices of srtpreceive.h. */
void
srtp_offers_of (const std::vector<RtspClientStream> &streams, std::vector<std::string> &media,
    std::vector<SrtpOffer> &offers)
{
  for (const RtspClientStream &s : streams) {
    media.push_back (s.media);
    offers.push_back (s.srtp_offer);
  }
}

}  // namespace

std::string
RtspClientLogic::shown_uri () const
{
  if (secure_ && request_uri_.compare (0, 7, "rtsp://") == 0)
    return "rtsps://" + request_uri_.substr (7);
  return request_uri_;
}

std::string
RtspClientLogic::resolve_control (const std::string &base, const std::string &control)
{
  if (control.empty () || control == "*")
    return base;
  if (g_ascii_strncasecmp (control.c_str (), "rtsp://", 7) == 0 ||
      g_ascii_strncasecmp (control.c_str (), "rtsps://", 8) == 0)
    return control;
  if (!base.empty () && base.back () == '/')
    return base + control;
  return base + "/" + control;
}

bool
RtspClientLogic::parse_sdp (const std::string &sdp, const std::string &base)
{
  GstSDPMessage *msg = nullptr;
  gst_sdp_message_new (&msg);
  std::unique_ptr<GstSDPMessage, decltype (&gst_sdp_message_free)> guard (msg,
      gst_sdp_message_free);
  if (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
          sdp.size (), msg) != GST_SDP_OK) {
    error_ = "stream description (SDP) from " + request_uri_ + " does not parse";
    return false;
  }
  GstSDPMessage *plain = sdp_copy_without_keymgmt (msg);
  if (plain == nullptr) {
    error_ = "stream description (SDP) from " + request_uri_ + " does not parse";
    return false;
  }
  std::unique_ptr<GstSDPMessage, decltype (&gst_sdp_message_free)> plain_guard (plain,
      gst_sdp_message_free);

  const gchar *session_control = gst_sdp_message_get_attribute_val (msg, "control");
  aggregate_uri_ = resolve_control (base, session_control ? session_control : "*");

  streams_.clear ();
  for (guint i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (msg, i);
    const gchar *proto = gst_sdp_media_get_proto (media);
    const gchar *media_type = gst_sdp_media_get_media (media);
    /* RTP/SAVP: over rtsps:// (SRTP over UDP with the MIKEY keys, or interleaved inside TLS),
     * or interleaved only, where it is set up as RTP/AVP/TCP. */
    const bool savp_ok = srtp_profile_is_savp (proto) &&
        (secure_ || (!allow_udp_ && !allow_multicast_));
    if (proto == nullptr || media_type == nullptr ||
        (strcmp (proto, "RTP/AVP") != 0 && strcmp (proto, "RTP/AVPF") != 0 && !savp_ok))
      continue;
    if (gst_sdp_media_formats_len (media) == 0)
      continue;
    const gchar *format = gst_sdp_media_get_format (media, 0);
    if (format == nullptr || !g_ascii_isdigit (format[0]))
      continue;
    int payload = atoi (format);
    if (payload < 0 || payload > 127)
      continue;
    /* Caps from a copy without a=key-mgmt: the library's MIKEY parser can hang (srtpreceive.h),
     * and the key stays out of the caps the pads show (srtp_offer has it). */
    const GstSDPMedia *plain_media = gst_sdp_message_get_media (plain, i);
    GstCaps *caps = gst_sdp_media_get_caps_from_media (plain_media, payload);
    if (caps == nullptr)
      continue;         /* dynamic payload without rtpmap: cannot be decoded */
    gst_sdp_media_attributes_to_caps (plain_media, caps);
    gst_sdp_message_attributes_to_caps (plain, caps);
    GstStructure *s = gst_caps_get_structure (caps, 0);
    gst_structure_set_name (s, "application/x-rtp");
    gint clock_rate = 0;
    if (!gst_structure_get_int (s, "clock-rate", &clock_rate) || clock_rate <= 0) {
      gst_caps_unref (caps);
      continue;
    }
    RtspClientStream stream;
    stream.id = streams_.size ();
    stream.media = media_type;
    stream.payload = payload;
    stream.clock_rate = clock_rate;
    gchar *caps_str = gst_caps_to_string (caps);
    stream.caps = caps_str;
    g_free (caps_str);
    gst_caps_unref (caps);
    const gchar *control = gst_sdp_media_get_attribute_val (media, "control");
    stream.control_uri = resolve_control (aggregate_uri_, control ? control : "*");
    if (secure_)
      stream.srtp_offer = srtp_offer_from_sdp_media (msg, media);
    streams_.push_back (stream);
  }
  if (streams_.empty ()) {
    error_ = "stream description (SDP) from " + request_uri_ +
        " announces no RTP stream this client can receive";
    return false;
  }
  secure_notice_.clear ();
  if (secure_ && transport_ == RtspLowerTransport::UdpMulticast) {
    /* rtsps:// and multicast: the SRTP groups (RTP/SAVP;multicast) with the SDP's keys, or no
     * multicast this session: a plain group would carry the media in clear beside TLS. */
    std::vector<std::string> media;
    std::vector<SrtpOffer> offers;
    srtp_offers_of (streams_, media, offers);
    std::string why = srtp_offers_problem (media, offers);
    if (!why.empty ()) {
      std::string shown = shown_uri ();
      if (!allow_udp_ && !allow_tcp_) {
        error_ = "Cannot receive " + shown + " by multicast securely: " + why +
            ". Allow protocols=udp-mcast+udp+tcp to receive it by unicast SRTP or inside TLS, "
            "or have the server offer SRTP (RTP/SAVP with a=key-mgmt:mikey).";
        return false;
      }
      transport_ = unicast_transport ();
      secure_notice_ = "No SRTP multicast from " + shown + ": " + why + "; trying " +
          (allow_udp_ ? "unicast UDP" : "TCP inside TLS") + " instead.";
    }
  }
  /* rtsps:// and UDP still to be tried (a switch to TCP after silence stays): SRTP or nothing. */
  if (secure_ && transport_ == RtspLowerTransport::Udp) {
    std::vector<std::string> media;
    std::vector<SrtpOffer> offers;
    srtp_offers_of (streams_, media, offers);
    SecureTransportChoice choice = choose_secure_transport (media, offers, allow_udp_, allow_tcp_,
        shown_uri ());
    if (choice.kind == SecureTransportChoice::Kind::Refused) {
      error_ = choice.message;
      return false;
    }
    if (choice.kind == SecureTransportChoice::Kind::TlsTcp) {
      transport_ = RtspLowerTransport::Tcp;
      secure_notice_ += (secure_notice_.empty () ? "" : " ") + choice.message;
    }
  }
  return true;
}

std::string
RtspClientLogic::transport_header (const RtspClientStream &stream) const
{
  /* Playing rtsps://: the stream's SRTP group (keys in the SDP), never a plain group beside TLS;
   * handle_describe left multicast only where every stream is keyed. */
  if (transport_ == RtspLowerTransport::UdpMulticast)
    return multicast_transport_request (stream.srtp_offer, secure_ && !publishing_);
  if (transport_ == RtspLowerTransport::Tcp)
    return "RTP/AVP/TCP;unicast;interleaved=" + std::to_string (2 * stream.id) +
        "-" + std::to_string (2 * stream.id + 1);
  /* Publishing over rtsps://: RTP/SAVP with our keys. Playing rtsps://: SRTP in the profile the SDP
   * offered (choose_secure_transport saw to it that every stream has a key). */
  std::string profile = srtp () ? "RTP/SAVP" :
      secure_ && stream.srtp_offer.keyed ? stream.srtp_offer.profile + "/UDP" : "RTP/AVP";
  return profile + ";unicast;client_port=" + std::to_string (stream.client_rtp_port) +
      "-" + std::to_string (stream.client_rtcp_port);
}

/* Over SRTP the SETUP hands the server a key: publishing, the key of what we send (the MIKEY of
 * its a=key-mgmt); playing rtsps://, ours for the receiver reports we send as SRTCP. Empty:
 * no KeyMgmt header. */
std::string
RtspClientLogic::setup_keymgmt (size_t index)
{
  RtspClientStream &s = streams_[index];
  if (srtp () && transport_ == RtspLowerTransport::Udp && index < srtp_keymgmt_.size ())
    return keymgmt_header_from_attribute (s.control_uri, srtp_keymgmt_[index]);
  if (secure_ && transport_ == RtspLowerTransport::Udp && s.srtp_offer.keyed &&
      (srtp_key_valid (s.rtcp_key) || srtp_rtcp_key_generate (s.srtp_offer.keys.suite,
              &s.rtcp_key)))
    return srtp_keymgmt_header (s.rtcp_key, s.control_uri);
  return std::string ();
}

RtspClientRequest
RtspClientLogic::setup_request (size_t index)
{
  RtspClientRequest r = make (GST_RTSP_SETUP, streams_[index].control_uri);
  r.headers.emplace_back ("Transport", transport_header (streams_[index]) +
      (publishing_ ? ";mode=record" : ""));
  std::string keymgmt = setup_keymgmt (index);
  if (!keymgmt.empty ())
    r.headers.emplace_back ("KeyMgmt", keymgmt);
  return r;
}

/* The server refused the transport: SETUP every stream again over @next. */
RtspClientLogic::Event
RtspClientLogic::fall_back (RtspLowerTransport next)
{
  transport_ = next;
  for (auto &s : streams_)
    s.is_setup = false;
  return Event::TransportFallback;
}

RtspClientLogic::Event
RtspClientLogic::handle_setup (size_t index, const RtspClientResponse &response)
{
  if (index >= streams_.size ())
    return fail ("internal: SETUP answer for unknown stream");
  RtspClientStream &stream = streams_[index];

  if (response.code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT &&
      transport_ == RtspLowerTransport::UdpMulticast && (allow_udp_ || allow_tcp_)) {
    /* No multicast from this server: unicast, UDP first. */
    return fall_back (unicast_transport ());
  }
  if (response.code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT &&
      transport_ == RtspLowerTransport::Udp && allow_tcp_) {
    /* Server will not send UDP (firewalled or TCP-only): interleave over TCP. */
    return fall_back (RtspLowerTransport::Tcp);
  }
  if (!rtsp_status_is_success (response.code)) {
    std::string hint;
    if (response.code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT)
      hint = transport_ == RtspLowerTransport::UdpMulticast ?
          ": server offers no multicast, allow protocols=udp-mcast+udp+tcp" :
          transport_ == RtspLowerTransport::Udp ?
          ": server refuses UDP, allow protocols=tcp" : ": server refuses TCP, allow protocols=udp";
    return fail ("server at " + request_uri_ + " refused SETUP of " + stream.control_uri +
        ": " + rtsp_status_text (response) + hint);
  }
  if (!parse_session (response))
    return fail ("server at " + request_uri_ + " answered SETUP without a Session header");

  const std::string *value = response.header ("Transport");
  if (value == nullptr)
    return fail ("server at " + request_uri_ + " answered SETUP without a Transport header");
  GstRTSPTransport *transport = nullptr;
  gst_rtsp_transport_new (&transport);
  if (gst_rtsp_transport_parse (without_mode (*value).c_str (), transport) != GST_RTSP_OK) {
    gst_rtsp_transport_free (transport);
    return fail ("server at " + request_uri_ + " sent a Transport header that does not parse: '" +
        value->substr (0, 80) + "'");
  }
  bool ok = true;
  if (transport_ == RtspLowerTransport::UdpMulticast &&
      transport->lower_transport != GST_RTSP_LOWER_TRANS_UDP_MCAST && (allow_udp_ || allow_tcp_)) {
    /* Asked for multicast, offered something else (no client ports were given): unicast. */
    gst_rtsp_transport_free (transport);
    return fall_back (unicast_transport ());
  }
  if (transport->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST) {
    stream.transport = RtspLowerTransport::UdpMulticast;
    GInetAddress *group = transport->destination ?
        g_inet_address_new_from_string (transport->destination) : nullptr;
    /* Only a group: a "multicast" answer naming a unicast host would have us bind its port. */
    ok = group && g_inet_address_get_is_multicast (group);
    g_clear_object (&group);
    if (ok)
      stream.destination = transport->destination;
    stream.server_rtp_port = transport->port.min;
    stream.server_rtcp_port = transport->port.max;
    if (stream.server_rtp_port <= 0 || stream.server_rtp_port > 65535)
      ok = false;
    if (stream.server_rtcp_port <= 0 || stream.server_rtcp_port > 65535)
      stream.server_rtcp_port = 0;
    stream.ttl = transport->ttl > 0 && transport->ttl <= 255 ? transport->ttl : 1;
  } else if (transport->lower_transport == GST_RTSP_LOWER_TRANS_TCP) {
    stream.transport = RtspLowerTransport::Tcp;
    stream.rtp_channel = transport->interleaved.min;
    stream.rtcp_channel = transport->interleaved.max;
    if (stream.rtp_channel < 0 || stream.rtp_channel > 255 ||
        stream.rtcp_channel < 0 || stream.rtcp_channel > 255)
      ok = false;
  } else {
    stream.transport = RtspLowerTransport::Udp;
    stream.server_rtp_port = transport->server_port.min;
    stream.server_rtcp_port = transport->server_port.max;
    if (stream.server_rtp_port <= 0 || stream.server_rtp_port > 65535)
      ok = false;
    if (stream.server_rtcp_port <= 0 || stream.server_rtcp_port > 65535)
      stream.server_rtcp_port = 0;      /* no RTCP back to the server */
  }
  if (transport->ssrc != 0) {
    stream.ssrc = transport->ssrc;
    stream.has_ssrc = true;
  }
  /* Asked for SRTP over UDP or an SRTP group: an answer in plain RTP/AVP would have media cross
   * in clear. */
  const bool srtp_group = secure_ && !publishing_ &&
      stream.transport == RtspLowerTransport::UdpMulticast;
  stream.srtp = ((srtp () || secure_) && stream.transport == RtspLowerTransport::Udp) || srtp_group;
  const GstRTSPProfile answered_profile = transport->profile;
  const bool answered_savp = answered_profile == GST_RTSP_PROFILE_SAVP ||
      answered_profile == GST_RTSP_PROFILE_SAVPF;
  gst_rtsp_transport_free (transport);
  std::string why;
  if (srtp_group && !multicast_answer_acceptable (stream.srtp_offer, true, answered_profile, &why))
    return fail ("server at " + request_uri_ + " answered SETUP of " + stream.control_uri +
        ": " + why + ": refusing media in clear beside rtsps://; allow "
        "protocols=udp-mcast+udp+tcp to receive it by unicast SRTP or inside TLS");
  if (stream.srtp && !answered_savp && srtp ())
    return fail ("server at " + request_uri_ + " answered the RTP/SAVP SETUP of " +
        stream.control_uri + " with plain RTP: the media would leave TLS in clear; publish to a "
        "server that takes SRTP (RTP/SAVP), or set protocols=tcp to keep it inside TLS");
  if (stream.srtp && !answered_savp)
    return fail ("server at " + request_uri_ + " answered SETUP of " + stream.control_uri +
        " with plain RTP over UDP where SRTP (RTP/SAVP) was asked: refusing media in clear beside "
        "rtsps://; allow protocols=tcp to receive it inside TLS");
  if (!ok || stream.transport != transport_)
    return fail ("server at " + request_uri_ + " answered SETUP with an unusable Transport: '" +
        value->substr (0, 80) + "'");

  stream.is_setup = true;
  for (const auto &s : streams_) {
    if (!s.is_setup)
      return Event::None;
  }
  if (state_ == State::Init)
    state_ = State::Ready;
  return Event::SetupDone;
}

}  // namespace meet
