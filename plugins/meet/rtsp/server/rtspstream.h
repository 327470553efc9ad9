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
  void add_udp (const std::string & host, int rtp_port, int rtcp_port);
  void remove_udp (const std::string & host, int rtp_port, int rtcp_port);
  void add_tcp (const ConnectionPtr & connection, const std::string & session_id,
      uint8_t rtp_channel, uint8_t rtcp_channel);
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
  };
  static GstPadProbeReturn caps_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn rtp_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn rtcp_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  static GstPadProbeReturn rtcp_received_probe (GstPad *, GstPadProbeInfo * info, gpointer self);
  void sent (GstPadProbeInfo * info, bool rtcp);
  void fan_out (GstBuffer * buffer, bool rtcp);

  unsigned pad_index_;
  std::atomic<uint64_t> & bytes_sent_;
  GstPad *ghost_ = nullptr;
  GstElement *rtp_sink_ = nullptr;     // GstMeetUdpFanoutSink
  GstElement *rtcp_sink_ = nullptr;    // multiudpsink
  GstElement *rtcp_src_ = nullptr;     // udpsrc
  GSocket *rtp_socket_ = nullptr;
  GSocket *rtcp_socket_ = nullptr;
  int rtp_port_ = 0;
  int rtcp_port_ = 0;

  std::mutex lock_;    // what follows, shared with the streaming threads
  std::string caps_;
  bool have_position_ = false;
  uint16_t last_seq_ = 0;
  uint32_t last_rtptime_ = 0;
  unsigned udp_clients_ = 0;
  std::vector<TcpTarget> tcp_targets_;
  std::vector<std::pair<std::string, int>> rtcp_seen_;
};

/* Binds a UDP socket to @address on any port; @port is where it landed. */
GSocket *rtsp_bind_udp (const std::string & address, int &port, GError ** error);

}  // namespace meet
