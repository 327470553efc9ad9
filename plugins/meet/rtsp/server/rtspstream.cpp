/* meetstream: one stream of meetrtspsink's own presentation. See rtspstream.h. */
#include "rtspstream.h"
#include "udpfanoutsink.h"

#include <gst/net/gstnetaddressmeta.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

GST_DEBUG_CATEGORY_EXTERN (meet_rtsp_sink_debug);
#define GST_CAT_DEFAULT meet_rtsp_sink_debug

namespace meet {

GSocket *
rtsp_bind_udp (const std::string & address, int &port, GError ** error)
{
  GInetAddress *ia = g_inet_address_new_from_string (address.c_str ());
  if (!ia) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IP address",
        address.c_str ());
    return nullptr;
  }
  GSocket *socket = g_socket_new (g_inet_address_get_family (ia), G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, error);
  GSocketAddress *sa = g_inet_socket_address_new (ia, 0);
  g_object_unref (ia);
  if (socket && !g_socket_bind (socket, sa, FALSE, error))
    g_clear_object (&socket);
  g_object_unref (sa);
  if (!socket)
    return nullptr;
  GSocketAddress *local = g_socket_get_local_address (socket, nullptr);
  port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  g_clear_object (&local);
  return socket;
}

RtspStream::RtspStream (unsigned pad_index, std::atomic<uint64_t> & bytes_sent)
:  pad_index_ (pad_index), bytes_sent_ (bytes_sent)
{
  set_srtp_suite (SrtpSuite::AES_128_CM_HMAC_SHA1_80);
}

void
RtspStream::set_srtp_suite (SrtpSuite suite)
{
  if (!srtp_.init (suite))
    GST_WARNING ("stream %u: no randomness for an SRTP key: no RTP/SAVP", pad_index_);
}

RtspStream::~RtspStream ()
{
  close_sockets ();
  for (GstElement *e : { rtp_sink_, rtcp_sink_, rtcp_src_, rtp_tee_, rtcp_tee_, srtp_sink_,
          srtcp_sink_ }) {
    if (e)
      gst_object_unref (e);
  }
}

bool
RtspStream::bind (const std::string & address, std::string & error)
{
  GError *err = nullptr;
  rtp_socket_ = rtsp_bind_udp (address, rtp_port_, &err);
  if (rtp_socket_)
    rtcp_socket_ = rtsp_bind_udp (address, rtcp_port_, &err);
  if (!rtcp_socket_) {
    error = err ? err->message : "unknown error";
    g_clear_error (&err);
    g_clear_object (&rtp_socket_);
    rtp_port_ = 0;
    return false;
  }
  GST_DEBUG ("stream %u: RTP port %d, RTCP port %d", pad_index_, rtp_port_, rtcp_port_);
  return true;
}

void
RtspStream::apply_sockets ()
{
  bool v6 = g_socket_get_family (rtp_socket_) == G_SOCKET_FAMILY_IPV6;
  const char *prop = v6 ? "socket-v6" : "socket";
  g_object_set (rtp_sink_, "socket", rtp_socket_, NULL);
  g_object_set (rtcp_sink_, prop, rtcp_socket_, NULL);
  g_object_set (rtcp_src_, "socket", rtcp_socket_, NULL);
  if (srtp_sink_) {
    g_object_set (srtp_sink_, "socket", rtp_socket_, NULL);
    g_object_set (srtcp_sink_, prop, rtcp_socket_, NULL);
  }
}

bool
RtspStream::ipv4 () const
{
  return rtp_socket_ && g_socket_get_family (rtp_socket_) == G_SOCKET_FAMILY_IPV4;
}

void
RtspStream::prepare_multicast (unsigned ttl, const std::string & interface_address)
{
  in_addr iface {};
  bool pick = inet_pton (AF_INET, interface_address.c_str (), &iface) == 1
      && iface.s_addr != htonl (INADDR_ANY);
  for (GSocket *s : { rtp_socket_, rtcp_socket_ }) {
    if (!s || g_socket_get_family (s) != G_SOCKET_FAMILY_IPV4)
      continue;
    g_socket_set_multicast_ttl (s, ttl);
    /* GSocket has no call for the outgoing interface of multicast (IP_MULTICAST_IF). */
    if (pick && setsockopt (g_socket_get_fd (s), IPPROTO_IP, IP_MULTICAST_IF, &iface,
            sizeof (iface)) != 0)
      GST_WARNING ("stream %u: cannot send multicast by %s: %s", pad_index_,
          interface_address.c_str (), g_strerror (errno));
  }
  /* multiudpsink sets its ttl-mc on the shared socket when a group is added: both must agree. */
  for (GstElement *sink : { rtcp_sink_, srtcp_sink_ })
    if (sink)
      g_object_set (sink, "ttl-mc", static_cast<gint> (ttl), NULL);
}

void
RtspStream::close_sockets ()
{
  if (rtp_socket_)
    g_socket_close (rtp_socket_, nullptr);
  if (rtcp_socket_)
    g_socket_close (rtcp_socket_, nullptr);
  g_clear_object (&rtp_socket_);
  g_clear_object (&rtcp_socket_);
  rtp_port_ = rtcp_port_ = 0;
}

static GstPad *
rtpbin_pad (GstElement * rtpbin, const char *format, unsigned index, bool request)
{
  gchar *name = g_strdup_printf (format, index);
  GstPad *pad = request ? gst_element_request_pad_simple (rtpbin, name)
      : gst_element_get_static_pad (rtpbin, name);
  g_free (name);
  return pad;
}

GstPad *
RtspStream::build (GstBin * bin, GstElement * rtpbin, GstPadTemplate * templ)
{
  rtp_sink_ = GST_ELEMENT (g_object_new (GST_TYPE_MEET_UDP_FANOUT_SINK, nullptr));
  rtcp_sink_ = gst_element_factory_make ("multiudpsink", nullptr);
  rtcp_src_ = gst_element_factory_make ("udpsrc", nullptr);
  g_object_set (rtp_sink_, "sync", FALSE, "async", FALSE, NULL);
  g_object_set (rtcp_sink_, "close-socket", FALSE, "sync", FALSE, "async", FALSE,
      "send-duplicates", FALSE, "auto-multicast", FALSE, NULL);
  /* RTCP never ends on its own: only the RTP sinks decide when this bin is at EOS. */
  GST_OBJECT_FLAG_UNSET (rtcp_sink_, GST_ELEMENT_FLAG_SINK);
  GstCaps *rtcp_caps = gst_caps_new_empty_simple ("application/x-rtcp");
  g_object_set (rtcp_src_, "close-socket", FALSE, "caps", rtcp_caps, NULL);
  gst_caps_unref (rtcp_caps);
  /* The RTCP receiver is a live source: it must not make the sink bin live, so it runs on
   * its own between PAUSED and READY. */
  gst_element_set_locked_state (rtcp_src_, TRUE);
  if (rtp_socket_)
    apply_sockets ();
  for (GstElement *e : { rtp_sink_, rtcp_sink_, rtcp_src_ })
    gst_object_ref_sink (e);
  gst_bin_add_many (bin, rtp_sink_, rtcp_sink_, rtcp_src_, NULL);

  GstPad *rtpbin_sink = rtpbin_pad (rtpbin, "send_rtp_sink_%u", pad_index_, true);
  /* Clients can only line audio up with video once they have a sender report of each stream:
   * RTCP's default 5 s minimum interval leaves a new client out of sync for seconds. */
  GObject *rtp_session = nullptr;
  g_signal_emit_by_name (rtpbin, "get-internal-session", pad_index_, &rtp_session);
  if (rtp_session) {
    g_object_set (rtp_session, "rtcp-min-interval", static_cast<guint64> (GST_SECOND), NULL);
    g_object_unref (rtp_session);
  }
  GstPad *rtp_src = rtpbin_pad (rtpbin, "send_rtp_src_%u", pad_index_, false);
  GstPad *rtcp_src = rtpbin_pad (rtpbin, "send_rtcp_src_%u", pad_index_, true);
  GstPad *rtcp_sink = rtpbin_pad (rtpbin, "recv_rtcp_sink_%u", pad_index_, true);

  GstPad *rtp_sink_pad = gst_element_get_static_pad (rtp_sink_, "sink");
  GstPad *rtcp_sink_pad = gst_element_get_static_pad (rtcp_sink_, "sink");
  GstPad *rtcp_src_pad = gst_element_get_static_pad (rtcp_src_, "src");
  build_srtp (bin, rtp_src, rtcp_src);
  if (rtp_tee_) {
    /* rtpbin -> tee -> the plain fan-out, and -> (encrypted in a probe) the SRTP fan-out. */
    GstPad *tee_rtp = gst_element_request_pad_simple (rtp_tee_, "src_%u");
    GstPad *tee_rtcp = gst_element_request_pad_simple (rtcp_tee_, "src_%u");
    gst_pad_link (tee_rtp, rtp_sink_pad);
    gst_pad_link (tee_rtcp, rtcp_sink_pad);
    gst_object_unref (tee_rtp);
    gst_object_unref (tee_rtcp);
  } else {
    gst_pad_link (rtp_src, rtp_sink_pad);
    gst_pad_link (rtcp_src, rtcp_sink_pad);
  }
  gst_pad_link (rtcp_src_pad, rtcp_sink);
  const auto buffers = static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST);
  gst_pad_add_probe (rtp_sink_pad, buffers, rtp_probe, this, nullptr);
  gst_pad_add_probe (rtcp_sink_pad, buffers, rtcp_probe, this, nullptr);
  gst_pad_add_probe (rtcp_src_pad, GST_PAD_PROBE_TYPE_BUFFER, rtcp_received_probe, this,
      nullptr);
  for (GstPad *pad : { rtp_src, rtcp_src, rtcp_sink, rtp_sink_pad, rtcp_sink_pad,
          rtcp_src_pad })
    gst_object_unref (pad);

  gchar *ghost_name = g_strdup_printf ("sink_%u", pad_index_);
  ghost_ = gst_ghost_pad_new_from_template (ghost_name, rtpbin_sink, templ);
  g_free (ghost_name);
  gst_object_unref (rtpbin_sink);
  gst_pad_add_probe (ghost_, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, caps_probe, this, nullptr);
  gst_pad_set_active (ghost_, TRUE);
  return ghost_;
}

/* The SRTP half: the tees' second branch goes straight to the SRTP sinks, the packets encrypted
 * on their way by a probe on the tee's pad (SrtpPacketEncoder, no element: nothing but the
 * encryption happens there). Without a key (no randomness) the stream offers no RTP/SAVP. */
void
RtspStream::build_srtp (GstBin * bin, GstPad * rtp_src, GstPad * rtcp_src)
{
  if (!srtp_.ready ())
    return;
  rtp_tee_ = gst_element_factory_make ("tee", nullptr);
  rtcp_tee_ = gst_element_factory_make ("tee", nullptr);
  srtp_sink_ = GST_ELEMENT (g_object_new (GST_TYPE_MEET_UDP_FANOUT_SINK, nullptr));
  srtcp_sink_ = gst_element_factory_make ("multiudpsink", nullptr);
  g_object_set (srtp_sink_, "sync", FALSE, "async", FALSE, NULL);
  g_object_set (srtcp_sink_, "close-socket", FALSE, "sync", FALSE, "async", FALSE,
      "send-duplicates", FALSE, "auto-multicast", FALSE, NULL);
  GST_OBJECT_FLAG_UNSET (srtcp_sink_, GST_ELEMENT_FLAG_SINK);
  /* Only the plain RTP sink decides EOS, as before. */
  GST_OBJECT_FLAG_UNSET (srtp_sink_, GST_ELEMENT_FLAG_SINK);
  for (GstElement *e : { rtp_tee_, rtcp_tee_, srtp_sink_, srtcp_sink_ })
    gst_object_ref_sink (e);
  gst_bin_add_many (bin, rtp_tee_, rtcp_tee_, srtp_sink_, srtcp_sink_, NULL);
  if (rtp_socket_)
    apply_sockets ();

  GstPad *rtp_tee_sink = gst_element_get_static_pad (rtp_tee_, "sink");
  GstPad *rtcp_tee_sink = gst_element_get_static_pad (rtcp_tee_, "sink");
  gst_pad_link (rtp_src, rtp_tee_sink);
  gst_pad_link (rtcp_src, rtcp_tee_sink);
  GstPad *tee_rtp = gst_element_request_pad_simple (rtp_tee_, "src_%u");
  GstPad *tee_rtcp = gst_element_request_pad_simple (rtcp_tee_, "src_%u");
  GstPad *srtp_sink_pad = gst_element_get_static_pad (srtp_sink_, "sink");
  GstPad *srtcp_sink_pad = gst_element_get_static_pad (srtcp_sink_, "sink");
  gst_pad_link (tee_rtp, srtp_sink_pad);
  gst_pad_link (tee_rtcp, srtcp_sink_pad);
  const auto data = static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST);
  /* Encryption costs nothing while the server serves plain RTSP only: dropped there. */
  gst_pad_add_probe (tee_rtp, data, srtp_protect_probe, this, nullptr);
  gst_pad_add_probe (tee_rtcp, data, srtcp_protect_probe, this, nullptr);
  gst_pad_add_probe (srtp_sink_pad, data, srtp_rtp_probe, this, nullptr);
  gst_pad_add_probe (srtcp_sink_pad, data, srtp_rtcp_probe, this, nullptr);
  for (GstPad *pad : { rtp_tee_sink, rtcp_tee_sink, tee_rtp, tee_rtcp, srtp_sink_pad,
          srtcp_sink_pad })
    if (pad)
      gst_object_unref (pad);
}

void
RtspStream::sync_with_parent ()
{
  gst_element_sync_state_with_parent (rtp_sink_);
  gst_element_sync_state_with_parent (rtcp_sink_);
  for (GstElement *e : { srtp_sink_, srtcp_sink_, rtcp_tee_, rtp_tee_ })
    if (e)
      gst_element_sync_state_with_parent (e);
}

void
RtspStream::unbuild (GstBin * bin, GstElement * rtpbin, GstPad * target)
{
  /* On dispose GstBin has already removed the children; we hold references of our own. */
  for (GstElement *e : { rtp_sink_, rtcp_sink_, rtcp_src_, rtp_tee_, rtcp_tee_, srtp_sink_,
          srtcp_sink_ }) {
    if (!e)
      continue;
    gst_element_set_locked_state (e, TRUE);
    gst_element_set_state (e, GST_STATE_NULL);
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (bin))
      gst_bin_remove (bin, e);
  }
  if (target && GST_OBJECT_PARENT (target) == GST_OBJECT (rtpbin))
    gst_element_release_request_pad (rtpbin, target);
  close_sockets ();
}

void
RtspStream::set_receiver_state (GstState state)
{
  gst_element_set_state (rtcp_src_, state);
}

RtspServerLogic::StreamInfo
RtspStream::info ()
{
  std::lock_guard<std::mutex> guard (lock_);
  RtspServerLogic::StreamInfo info;
  info.caps = caps_;
  info.server_rtp_port = rtp_port_;
  info.server_rtcp_port = rtcp_port_;
  info.have_position = have_position_;
  info.next_seq = last_seq_ + 1;
  info.rtptime = last_rtptime_;
  /* The key for a reader joining now: the SSRC's rollover counter as the encoder has it (0 before
   * the first packet). */
  if (srtp_sink_ && srtp_enabled_ && have_ssrc_)
    info.keymgmt = srtp_.keymgmt (ssrc_);
  return info;
}

void
RtspStream::add_udp (const std::string & host, int rtp_port, int rtcp_port, bool srtp)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (srtp && !srtp_sink_)
    return;
  gst_meet_udp_fanout_sink_add (GST_MEET_UDP_FANOUT_SINK (srtp ? srtp_sink_ : rtp_sink_),
      host.c_str (), rtp_port);
  g_signal_emit_by_name (srtp ? srtcp_sink_ : rtcp_sink_, "add", host.c_str (), rtcp_port);
  (srtp ? srtp_udp_clients_ : udp_clients_)++;
}

void
RtspStream::remove_udp (const std::string & host, int rtp_port, int rtcp_port, bool srtp)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (srtp && !srtp_sink_)
    return;
  gst_meet_udp_fanout_sink_remove (GST_MEET_UDP_FANOUT_SINK (srtp ? srtp_sink_ : rtp_sink_),
      host.c_str (), rtp_port);
  g_signal_emit_by_name (srtp ? srtcp_sink_ : rtcp_sink_, "remove", host.c_str (), rtcp_port);
  unsigned & count = srtp ? srtp_udp_clients_ : udp_clients_;
  if (count > 0)
    count--;
}

void
RtspStream::add_tcp (const ConnectionPtr & connection, const std::string & session_id,
    uint8_t rtp_channel, uint8_t rtcp_channel, bool srtp)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (srtp && !srtp_sink_)
    return;
  tcp_targets_.push_back ({ connection, session_id, rtp_channel, rtcp_channel, srtp });
}

void
RtspStream::remove_tcp (const std::string & session_id)
{
  std::lock_guard<std::mutex> guard (lock_);
  tcp_targets_.erase (std::remove_if (tcp_targets_.begin (), tcp_targets_.end (),
          [&](const TcpTarget & target) { return target.session_id == session_id; }),
      tcp_targets_.end ());
}

void
RtspStream::clear ()
{
  std::lock_guard<std::mutex> guard (lock_);
  tcp_targets_.clear ();
  udp_clients_ = 0;
  srtp_udp_clients_ = 0;
  rtcp_seen_.clear ();
  gst_meet_udp_fanout_sink_clear (GST_MEET_UDP_FANOUT_SINK (rtp_sink_));
  g_signal_emit_by_name (rtcp_sink_, "clear");
  if (srtp_sink_) {
    gst_meet_udp_fanout_sink_clear (GST_MEET_UDP_FANOUT_SINK (srtp_sink_));
    g_signal_emit_by_name (srtcp_sink_, "clear");
  }
}

std::vector<std::pair<std::string, int>>
RtspStream::take_rtcp_seen ()
{
  std::lock_guard<std::mutex> guard (lock_);
  std::vector<std::pair<std::string, int>> seen;
  seen.swap (rtcp_seen_);
  return seen;
}

/* ---------------------------------------------------------------- probes */

GstPadProbeReturn
RtspStream::caps_probe (GstPad *, GstPadProbeInfo * info, gpointer data)
{
  auto *self = static_cast<RtspStream *> (data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps (event, &caps);
  gchar *str = gst_caps_to_string (caps);
  guint ssrc = 0;
  bool has_ssrc = gst_structure_get_uint (gst_caps_get_structure (caps, 0), "ssrc", &ssrc);
  {
    std::lock_guard<std::mutex> guard (self->lock_);
    self->caps_ = str;
    /* The payloader's SSRC (rtpbin keeps it): a secure client's DESCRIBE between the caps and
     * the first packet gets its key too, instead of an SDP without RTP/SAVP. */
    if (has_ssrc && !self->have_position_) {
      self->ssrc_ = ssrc;
      self->have_ssrc_ = true;
    }
  }
  GST_DEBUG_OBJECT (self->ghost_, "caps %s", str);
  g_free (str);
  return GST_PAD_PROBE_OK;
}

/* Every packet leaving rtpbin: where RTP-Info comes from, the byte count, and the copy that
 * goes to each interleaved TCP client. */
void
RtspStream::fan_out (GstBuffer * buffer, bool rtcp, bool srtp)
{
  std::vector<std::pair<ConnectionPtr, guint8>> targets;
  unsigned receivers;
  {
    std::lock_guard<std::mutex> guard (lock_);
    if (!rtcp && !srtp) {
      GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
      if (gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp)) {
        last_seq_ = gst_rtp_buffer_get_seq (&rtp);
        last_rtptime_ = gst_rtp_buffer_get_timestamp (&rtp);
        ssrc_ = gst_rtp_buffer_get_ssrc (&rtp);
        have_ssrc_ = true;
        have_position_ = true;
        gst_rtp_buffer_unmap (&rtp);
      }
    }
    for (const TcpTarget & t : tcp_targets_)
      if (t.srtp == srtp)
        targets.emplace_back (t.connection, rtcp ? t.rtcp_channel : t.rtp_channel);
    receivers = (srtp ? srtp_udp_clients_ : udp_clients_) + targets.size ();
  }
  gsize size = gst_buffer_get_size (buffer);
  bytes_sent_ += static_cast<uint64_t> (size) * receivers;
  if (targets.empty () || size > G_MAXUINT16)
    return;

  std::string frame (4 + size, '\0');
  frame[0] = '$';
  frame[2] = static_cast<char> (size >> 8);
  frame[3] = static_cast<char> (size & 0xff);
  gst_buffer_extract (buffer, 0, &frame[4], size);
  for (const auto & target : targets) {
    frame[1] = static_cast<char> (target.second);
    connection_send_frame (target.first, frame);
  }
}

void
RtspStream::sent (GstPadProbeInfo * info, bool rtcp, bool srtp)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    fan_out (GST_PAD_PROBE_INFO_BUFFER (info), rtcp, srtp);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint n = gst_buffer_list_length (list);
    for (guint i = 0; i < n; i++)
      fan_out (gst_buffer_list_get (list, i), rtcp, srtp);
  }
}

/* The SRTP branch: each packet replaced by its SRTP (SRTCP); a refused one (an index used
 * already) is left out. */
GstPadProbeReturn
RtspStream::protect (GstPadProbeInfo * info, bool rtcp)
{
  if (!srtp_enabled_)
    return GST_PAD_PROBE_DROP;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *clear = GST_PAD_PROBE_INFO_BUFFER (info);
    GstBuffer *secure = srtp_.protect_one (clear, rtcp);
    if (!secure)
      return GST_PAD_PROBE_DROP;
    gst_buffer_unref (clear);
    GST_PAD_PROBE_INFO_DATA (info) = secure;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *clear = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint n = gst_buffer_list_length (clear);
    GstBufferList *secure = gst_buffer_list_new_sized (n);
    for (guint i = 0; i < n; i++) {
      GstBuffer *b = srtp_.protect_one (gst_buffer_list_get (clear, i), rtcp);
      if (b)
        gst_buffer_list_add (secure, b);
    }
    if (gst_buffer_list_length (secure) == 0) {
      gst_buffer_list_unref (secure);
      return GST_PAD_PROBE_DROP;
    }
    gst_buffer_list_unref (clear);
    GST_PAD_PROBE_INFO_DATA (info) = secure;
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn
RtspStream::srtp_protect_probe (GstPad *, GstPadProbeInfo * info, gpointer self)
{
  return static_cast<RtspStream *> (self)->protect (info, false);
}

GstPadProbeReturn
RtspStream::srtcp_protect_probe (GstPad *, GstPadProbeInfo * info, gpointer self)
{
  return static_cast<RtspStream *> (self)->protect (info, true);
}

GstPadProbeReturn
RtspStream::srtp_rtp_probe (GstPad *, GstPadProbeInfo * info, gpointer self)
{
  static_cast<RtspStream *> (self)->sent (info, false, true);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn
RtspStream::srtp_rtcp_probe (GstPad *, GstPadProbeInfo * info, gpointer self)
{
  static_cast<RtspStream *> (self)->sent (info, true, true);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn
RtspStream::rtp_probe (GstPad *, GstPadProbeInfo * info, gpointer self)
{
  static_cast<RtspStream *> (self)->sent (info, false);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn
RtspStream::rtcp_probe (GstPad *, GstPadProbeInfo * info, gpointer self)
{
  static_cast<RtspStream *> (self)->sent (info, true);
  return GST_PAD_PROBE_OK;
}

/* Receiver reports from UDP clients: remember who sent them, as keep-alives. */
GstPadProbeReturn
RtspStream::rtcp_received_probe (GstPad *, GstPadProbeInfo * info, gpointer data)
{
  auto *self = static_cast<RtspStream *> (data);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstNetAddressMeta *meta = gst_buffer_get_net_address_meta (buffer);
  if (!meta || !G_IS_INET_SOCKET_ADDRESS (meta->addr))
    return GST_PAD_PROBE_OK;
  GInetSocketAddress *addr = G_INET_SOCKET_ADDRESS (meta->addr);
  gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (addr));
  int port = g_inet_socket_address_get_port (addr);
  {
    std::lock_guard<std::mutex> guard (self->lock_);
    auto & seen = self->rtcp_seen_;
    bool known = std::any_of (seen.begin (), seen.end (),
        [&](const std::pair<std::string, int> & r) { return r.second == port && r.first == host; });
    if (!known && seen.size () < 4096)
      seen.emplace_back (host, port);
  }
  g_free (host);
  return GST_PAD_PROBE_OK;
}

}  // namespace meet
