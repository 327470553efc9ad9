/* meetstream: which transport meetrtspsink's server gives a SETUP (RFC 2326 12.39).
 *
 * The Transport header is parsed by gst-plugins-base (gst_rtsp_transport_parse); what is ours is the
 * choice among the client's alternatives and the safety rules: RTP/AVP only, unicast UDP only to the
 * address of the client's own RTSP connection (a `destination=` naming another host is 403), a
 * multicast group only ever the server's own (a client never picks one), interleaved channels that do
 * not clash with the connection's other streams (461), and mode=record (or the older mode=receive)
 * only for publishers. Plain C++, unit-tested without sockets.
 */
#pragma once

#include "rtspsessionpool.h"

#include <functional>
#include <string>

namespace meet {

struct TransportRequest {
  std::string peer_host;        // the client's RTSP connection
  bool publishing = false;      // SETUP of a publisher (mode=record)
  unsigned stream = 0;          // default interleaved channels 2N-2N+1
  bool multicast_offered = false;   // the server has a group pool for this stream
  bool srtp_offered = false;        // RTP/SAVP (UDP, multicast or TCP): a keyed stream over TLS
  /* True when interleaved channels @a or @b are already used on this connection. */
  std::function<bool (int a, int b)> channels_taken;
};

struct TransportChoice {
  RtspStreamTransport transport;    // .configured false: none fits
  int refusal = 461;                // the status when none fits: 461, or 403 for a destination=
};

TransportChoice choose_transport (const std::string & header, const TransportRequest & request);

/* The Transport header of the SETUP reply for @t (server ports for UDP unicast, its group for
 * multicast). */
std::string transport_reply (const RtspStreamTransport & t, int server_rtp_port,
    int server_rtcp_port, bool publishing);

}  // namespace meet
