/* meetstream: one stream of meetrtspsink's own presentation (gst-rtsp-server's stream): what one
 * request pad sends, and to whom.
 *
 * Per stream: an rtpbin send session (RTCP sender reports), a fan-out sink for RTP (UDP segmentation
 * offload, udpfanoutsink) and a multiudpsink for RTCP sharing the stream's socket pair (the
 * server_port of SETUP replies), a udpsrc for the clients' receiver reports, and the interleaved TCP
 * clients, which get a copy of every packet on their RTSP connection. UDP destinations are unicast
 * clients or the stream's one multicast group (a single destination, whatever the number of
 * multicast readers). Built into the element's bin; the element only creates and releases it.
 */
#pragma once

#include "rtspconnection.h"
#include "rtspserverlogic.h"
#include "srtppacketencoder.h"

#include <gio/gio.h>
#include <gst/gst.h>

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace meet {

class RtspStream {
public:
  /* Bytes sent to clients are added to @bytes_sent. */
  RtspStream (unsigned pad_index, std::atomic<uint64_t> & bytes_sent);
  ~RtspStream ();
  RtspStream (const RtspStream &) = delete;
  RtspStream & operator= (const RtspStream &) = delete;

  unsigned pad_index () const { return pad_index_; }
  GstPad *ghost () const { return ghost_; }

  /* A fresh key under @suite for what goes out as SRTP (before the stream plays: readers that
   * have the old key would lose the stream). */
  void set_srtp_suite (SrtpSuite suite);

  /* Opens the RTP/RTCP socket pair on @address (any port); false with @error set. */
  bool bind (const std::string & address, std::string & error);
  /* Hands the bound sockets to the elements (before those start). */
  void apply_sockets ();
  void close_sockets ();
  bool bound () const { return rtp_socket_ != nullptr; }
  /* Multicast sent from this stream leaves with @ttl hops, by the interface of @interface_address
   * (an IPv4 address of this host; 0.0.0.0: the routing table's choice). */
  void prepare_multicast (unsigned ttl, const std::string & interface_address);
  /* Whether its sockets are IPv4 (multicast groups are IPv4). */
  bool ipv4 () const;

  /* Builds the elements into @bin, linked to @rtpbin's session pad_index, and returns the ghost
   * sink pad (from @templ), active but not yet added to the element. */
  GstPad *build (GstBin * bin, GstElement * rtpbin, GstPadTemplate * templ);
  /* Undoes build (the ghost pad is already removed from the element). */
  void unbuild (GstBin * bin, GstElement * rtpbin, GstPad * target);
  /* The receiver of RTCP runs between PAUSED and READY on its own (it is a live source). */
  void set_receiver_state (GstState state);
  void sync_with_parent ();

  RtspServerLogic::StreamInfo info ();
  /* @srtp: the destination gets the stream's SRTP/SRTCP (RTP/SAVP), not its RTP. */
  void add_udp (const std::string & host, int rtp_port, int rtcp_port, bool srtp = false);
  void remove_udp (const std::string & host, int rtp_port, int rtcp_port, bool srtp = false);
  void add_tcp (const ConnectionPtr & connection, const std::string & session_id,
      uint8_t rtp_channel, uint8_t rtcp_channel, bool srtp = false);
  /* SRTP (issue 11): the stream is encrypted once, after rtpbin and before its fan-out, so every
   * RTP/SAVP reader gets the same bytes; only while enabled (encryption optional or required)
   * is anything encrypted. info ().keymgmt is then the MIKEY a secure DESCRIBE carries. */
  void set_srtp_enabled (bool enabled) { srtp_enabled_ = enabled; }
  bool srtp_available () const { return srtp_sink_ != nullptr; }
  void remove_tcp (const std::string & session_id);
  /* No more destinations (the server stopped). */
  void clear ();
  /* Who sent RTCP (receiver reports) since the last call: host and port. */
  std::vector<std::pair<std::string, int>> take_rtcp_seen ();

private:
  struct TcpTarget {
    ConnectionPtr connection;
    std::string session_id;
    uint8_t rtp_channel;
    uint8_t rtcp_channel;
    bool srtp;
  };
  static GstPadProbeReturn srtp_protect_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn srtcp_protect_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  GstPadProbeReturn protect (GstPadProbeInfo * info, bool rtcp);
  static GstPadProbeReturn srtp_rtp_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn srtp_rtcp_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  void build_srtp (GstBin * bin, GstPad * rtp_src, GstPad * rtcp_src);
  static GstPadProbeReturn caps_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn rtp_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn rtcp_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn rtcp_received_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  void sent (GstPadProbeInfo * info, bool rtcp, bool srtp = false);
  void fan_out (GstBuffer * buffer, bool rtcp, bool srtp);

  unsigned pad_index_;
  std::atomic<uint64_t> & bytes_sent_;
  GstPad *ghost_ = nullptr;
  GstElement *rtp_sink_ = nullptr;     // GstMeetUdpFanoutSink
  GstElement *rtcp_sink_ = nullptr;    // multiudpsink
  GstElement *rtcp_src_ = nullptr;     // udpsrc
  /* SRTP: tees after rtpbin, the stream's encoder (in pad probes on the tees' SRTP branch), its
   * own fan-out and RTCP sink on the same sockets. */
  SrtpPacketEncoder srtp_;
  GstElement *rtp_tee_ = nullptr;
  GstElement *rtcp_tee_ = nullptr;
  GstElement *srtp_sink_ = nullptr;    // GstMeetUdpFanoutSink
  GstElement *srtcp_sink_ = nullptr;   // multiudpsink
  std::atomic<bool> srtp_enabled_ { false };
  GSocket *rtp_socket_ = nullptr;
  GSocket *rtcp_socket_ = nullptr;
  int rtp_port_ = 0;
  int rtcp_port_ = 0;

  std::mutex lock_;    // what follows, shared with the streaming threads
  std::string caps_;
  bool have_position_ = false;   // a packet went out: last_seq_, last_rtptime_
  bool have_ssrc_ = false;       // from the caps or the first packet
  uint16_t last_seq_ = 0;
  uint32_t last_rtptime_ = 0;
  unsigned udp_clients_ = 0;
  unsigned srtp_udp_clients_ = 0;
  uint32_t ssrc_ = 0;
  std::vector<TcpTarget> tcp_targets_;
  std::vector<std::pair<std::string, int>> rtcp_seen_;
};

/* Binds a UDP socket to @address on any port; @port is where it landed. */
GSocket *rtsp_bind_udp (const std::string & address, int &port, GError ** error);

}  // namespace meet
