/* meetstream: the streams an RTSP client receives, inside its bin (meetrtspsrc): one rtpbin for
 * all (jitter buffers, RTCP, lip sync from the senders' reports), per stream the sources feeding
 * it (udpsrc on ports the client binds, udpsrc joined to the server's multicast group on the
 * interface of the RTSP connection, or appsrc fed from the RTSP connection's interleaved
 * channels), the RTCP receiver reports back (udpsink, to the group for multicast, or appsink ->
 * interleaved channel), and
 * one `stream_%u` ghost pad per stream that survives reconnects (a new SSRC retargets it).
 *
 * Not a GObject: the bin owns the elements; this class builds and tears them down on the RTSP
 * thread, and answers the counting and statistics from any thread. */
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>

#include "rtspclientlogic.h"

namespace meet {

class ReceiveStreams {
public:
  /* @owner: the bin the elements and pads go into; @templ: its `stream_%u` pad template. */
  ReceiveStreams (GstElement *owner, GstStaticPadTemplate *templ);
  ~ReceiveStreams ();
  ReceiveStreams (const ReceiveStreams &) = delete;
  ReceiveStreams &operator= (const ReceiveStreams &) = delete;

  /* Sends an RTCP packet on an interleaved channel (the RTSP connection). */
  using RtcpSender = std::function<void (uint8_t channel, const uint8_t *data, size_t size)>;
  void set_rtcp_sender (RtcpSender sender) { rtcp_sender_ = std::move (sender); }
  /* rtpbin's settings, taken when it is made. */
  void set_jitter_buffer (unsigned latency_ms, bool slave) { latency_ms_ = latency_ms; slave_ = slave; }

  /* RTSP thread. DESCRIBE answered: make the streams of @logic (the first time) or check they
   * are as many as before (a reconnect); over UDP bind an RTP/RTCP port pair each and tell
   * @logic. False with a sentence in @error. */
  bool described (RtspClientLogic &logic, GSocketFamily family, std::string &error);
  /* The transport changed (refused with 461): forget the ports bound for the old one and bind
   * new ones when it is unicast UDP. */
  bool prepare_ports (RtspClientLogic &logic, GSocketFamily family, std::string &error);
  /* Every stream set up: build each one's sources into rtpbin; multicast groups are joined on the
   * interface that has @local_ip. False: an error was posted. */
  bool build (const RtspClientLogic &logic, const std::string &server_ip,
      const std::string &local_ip);
  /* The name of the interface with address @ip ("eth0"), or "" when none has it. */
  static std::string interface_of (const std::string &ip);
  /* Stops every stream's sources; rtpbin and the pads stay for the next session. */
  void clear_transports ();
  /* Everything back to nothing: streams, rtpbin, pads. */
  void free_all ();
  /* One interleaved packet from the server, into the stream of its channel. */
  void push_interleaved (GstRTSPMessage *message);

  /* Any thread. */
  int64_t last_data_us () const { return last_data_us_; }
  /* The `stats` structure (receptionstats.h). */
  GstStructure *stats () const;
  /* SRTP/SRTCP packets srtpdec dropped (not authentic, replayed, another key), all streams. */
  uint64_t srtp_dropped () const;

private:
  struct Stream;
  static GstPadProbeReturn count_probe (GstPad *, GstPadProbeInfo *info, gpointer data);
  static GstCaps *on_request_pt_map (GstElement *, guint session, guint pt, gpointer self);
  static void on_pad_added (GstElement *, GstPad *pad, gpointer self);
  static void on_pad_removed (GstElement *, GstPad *pad, gpointer self);
  static GstFlowReturn on_rtcp_sample (GstElement *appsink, gpointer self);
  GstElement *add_child (const char *factory);
  void remove_child (GstElement **element);
  bool ensure_rtpbin ();
  bool link (GstPad *from, GstPad *to);
  bool link_element (GstElement *element, const char *pad_name, GstPad *peer, bool is_source);
  bool build_stream (Stream &stream, const std::string &server_ip, const RtspClientStream &info,
      const std::string &iface);
  bool build_srtp (Stream &stream, const RtspClientStream &info);
  void clear_stream (Stream &stream);
  void free_stream (Stream &stream);

  GstElement *owner_;
  GstStaticPadTemplate *templ_;
  RtcpSender rtcp_sender_;
  unsigned latency_ms_ = 10;
  bool slave_ = true;

  /* Shared with streaming threads, under lock_. */
  mutable GMutex lock_;
  /* Serializes exposing pads: streams appear on different threads, and applications (and
   * gst-launch's delayed linking) expect one pad-added at a time. */
  GMutex pad_lock_;
  GstElement *rtpbin_ = nullptr;
  std::vector<std::unique_ptr<Stream>> streams_;
  bool no_more_pads_sent_ = false;
  std::atomic<int64_t> last_data_us_ {0};
};

}  // namespace meet
