/* meetstream: which transport meetrtspsink's server gives a SETUP. See rtsptransport.h. */
#include "rtsptransport.h"

#include <gst/rtsp/rtsp.h>

namespace meet {

namespace {

class TransportHolder {
public:
  TransportHolder () { gst_rtsp_transport_new (&transport_); }
  ~TransportHolder () { gst_rtsp_transport_free (transport_); }
  TransportHolder (const TransportHolder &) = delete;
  TransportHolder & operator= (const TransportHolder &) = delete;
  GstRTSPTransport *get () { return transport_; }
private:
  GstRTSPTransport *transport_ = nullptr;
};

/* mode=receive (older clients, RFC 2326's draft name) is mode=record. */
std::string
normalize_mode (std::string text)
{
  gchar *lower = g_ascii_strdown (text.c_str (), -1);
  std::string lowered = lower;
  g_free (lower);
  size_t receive = lowered.find ("mode=receive");
  if (receive == std::string::npos)
    receive = lowered.find ("mode=\"receive\"");
  if (receive != std::string::npos)
    text.replace (text.find_first_of ("rR", receive + 5), 7, "record");
  return text;
}

}  // namespace

TransportChoice
choose_transport (const std::string & header, const TransportRequest & request)
{
  /* Take the first alternative we can serve: RTP/AVP over unicast UDP, the server's multicast
   * group, or interleaved TCP. */
  TransportChoice choice;
  choice.refusal = GST_RTSP_STS_UNSUPPORTED_TRANSPORT;
  gchar **alternatives = g_strsplit (header.c_str (), ",", 16);
  for (gchar ** alt = alternatives; *alt && !choice.transport.configured; alt++) {
    TransportHolder holder;
    GstRTSPTransport *t = holder.get ();
    std::string text = normalize_mode (g_strstrip (*alt));
    if (gst_rtsp_transport_parse (text.c_str (), t) != GST_RTSP_OK)
      continue;
    /* RTP/SAVP: to readers over unicast UDP, interleaved or the stream's SRTP multicast group; from
     * a publisher, SRTP under its own key (srtpreceiver.h), never multicast. */
    bool savp = t->profile == GST_RTSP_PROFILE_SAVP && request.srtp_offered
        && !(request.publishing && t->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST);
    if (t->trans != GST_RTSP_TRANS_RTP || (t->profile != GST_RTSP_PROFILE_AVP && !savp)
        || (t->mode_record ? 1 : 0) != (request.publishing ? 1 : 0)
        || (request.publishing && t->mode_play))
      continue;
    RtspStreamTransport candidate;
    candidate.srtp = savp;
    if (t->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST) {
      /* The group is the server's: a client naming one (or a ttl) is refused, never obeyed. */
      if (t->destination) {
        choice.refusal = GST_RTSP_STS_FORBIDDEN;
        continue;
      }
      if (!request.multicast_offered || request.publishing)
        continue;
      candidate.multicast = true;
    } else if (t->destination && request.peer_host != t->destination) {
      /* RTP goes only to the host that asked for it: no reflecting traffic at third parties. */
      choice.refusal = GST_RTSP_STS_FORBIDDEN;
      continue;
    } else if (t->lower_transport == GST_RTSP_LOWER_TRANS_UDP) {
      if (t->client_port.min <= 0 || t->client_port.min > 65535)
        continue;
      candidate.client_rtp_port = t->client_port.min;
      candidate.client_rtcp_port = t->client_port.max > 0 ? t->client_port.max
          : t->client_port.min + 1;
      if (candidate.client_rtcp_port > 65535)
        continue;
    } else if (t->lower_transport == GST_RTSP_LOWER_TRANS_TCP) {
      candidate.tcp = true;
      candidate.rtp_channel = t->interleaved.min >= 0 ? t->interleaved.min
          : 2 * static_cast<int> (request.stream);
      candidate.rtcp_channel = t->interleaved.max >= 0 ? t->interleaved.max
          : candidate.rtp_channel + 1;
      if (candidate.rtp_channel > 255 || candidate.rtcp_channel > 255
          || candidate.rtp_channel == candidate.rtcp_channel)
        continue;
      /* Channels must not collide with another stream on the connection (of this session
       * or another one it holds, e.g. reading and publishing at once). */
      if (request.channels_taken
          && request.channels_taken (candidate.rtp_channel, candidate.rtcp_channel))
        continue;
    } else {
      continue;
    }
    candidate.configured = true;
    choice.transport = candidate;
  }
  g_strfreev (alternatives);
  return choice;
}

std::string
transport_reply (const RtspStreamTransport & t, int server_rtp_port, int server_rtcp_port,
    bool publishing)
{
  const MulticastDestination & group = t.group;
  std::string reply;
  const std::string profile = t.srtp ? "RTP/SAVP" : "RTP/AVP";
  if (t.tcp) {
    reply = profile + "/TCP;unicast;interleaved=" + std::to_string (t.rtp_channel) + "-"
        + std::to_string (t.rtcp_channel);
  } else if (t.multicast) {
    reply = profile + ";multicast;destination=" + group.address + ";port="
        + std::to_string (group.rtp_port) + "-" + std::to_string (group.rtcp_port) + ";ttl="
        + std::to_string (group.ttl);
  } else {
    reply = profile + ";unicast;client_port=" + std::to_string (t.client_rtp_port) + "-"
        + std::to_string (t.client_rtcp_port) + ";server_port="
        + std::to_string (server_rtp_port) + "-" + std::to_string (server_rtcp_port);
  }
  reply += publishing ? ";mode=record" : ";mode=\"PLAY\"";
  return reply;
}

}  // namespace meet
