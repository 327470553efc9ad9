/* meetstream: the streams meetrtspsrc receives. See receivestreams.h. */
#include "receivestreams.h"

#include <cstdio>
#include <utility>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "receptionstats.h"
#include "srtpdecoder.h"

#include <gst/rtp/rtp.h>

GST_DEBUG_CATEGORY_STATIC (meet_receive_streams_debug);
#define GST_CAT_DEFAULT meet_receive_streams_debug

namespace meet {

/* One SDP stream and the elements carrying it into rtpbin. */
struct ReceiveStreams::Stream {
  unsigned id = 0;
  GstCaps *caps = nullptr;
  RtspLowerTransport transport = RtspLowerTransport::Udp;
  GSocket *rtp_socket = nullptr, *rtcp_socket = nullptr;
  GstElement *rtp_src = nullptr, *rtcp_src = nullptr, *rtcp_sink = nullptr;
  /* SRTP over UDP (rtsps://): its srtpdec while set up; the decoder (and its drop count) stays. */
  GstElement *srtp_dec = nullptr, *srtcp_enc = nullptr;
  std::unique_ptr<SrtpDecoder> srtp;
  std::atomic<bool> srtp_active {false};
  GstPad *rtp_sink_pad = nullptr, *rtcp_sink_pad = nullptr, *rtcp_src_pad = nullptr;
  GstPad *ghost = nullptr;
  int rtp_channel = -1, rtcp_channel = -1;
  std::atomic<uint64_t> packets {0}, bytes {0};
  /* For stats from other threads: the transport while set up, else nullptr. */
  std::atomic<const char *> transport_name {nullptr};
};

namespace {

/* Binds an even RTP port and the odd RTCP port above it. */
bool
allocate_udp_pair (GSocketFamily family, GSocket ** rtp, GSocket ** rtcp, std::string & error)
{
  for (int attempt = 0; attempt < 32; attempt++) {
    GError *err = nullptr;
    GSocket *a = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
    if (a == nullptr) {
      error = err->message;
      g_error_free (err);
      return false;
    }
    GInetAddress *any = g_inet_address_new_any (family);
    GSocketAddress *addr = g_inet_socket_address_new (any, 0);
    gboolean bound = g_socket_bind (a, addr, FALSE, &err);
    g_object_unref (addr);
    if (!bound) {
      error = err->message;
      g_error_free (err);
      g_object_unref (any);
      g_object_unref (a);
      return false;
    }
    GSocketAddress *local = g_socket_get_local_address (a, nullptr);
    guint16 port = local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
    g_clear_object (&local);
    if (port == 0 || (port & 1) || port == 65535) {
      g_object_unref (any);
      g_object_unref (a);
      continue;
    }
    GSocket *b = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
    addr = g_inet_socket_address_new (any, port + 1);
    bound = b && g_socket_bind (b, addr, FALSE, nullptr);
    g_object_unref (addr);
    g_object_unref (any);
    if (!bound) {
      g_clear_object (&b);
      g_object_unref (a);
      continue;
    }
    *rtp = a;
    *rtcp = b;
    return true;
  }
  error = "no free pair of UDP ports";
  return false;
}

int
local_port (GSocket *socket)
{
  GSocketAddress *a = g_socket_get_local_address (socket, nullptr);
  int p = a ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (a)) : 0;
  g_clear_object (&a);
  return p;
}

/* A stream the application left unlinked must not stop the others (their packets share
 * nothing but would get not-linked back into rtpbin and udpsrc). */
GstFlowReturn
ghost_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstFlowReturn ret = gst_proxy_pad_chain_default (pad, parent, buffer);
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

GstFlowReturn
ghost_chain_list (GstPad * pad, GstObject * parent, GstBufferList * list)
{
  GstFlowReturn ret = gst_proxy_pad_chain_list_default (pad, parent, list);
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

struct ProbeData {
  ReceiveStreams *self;
  std::atomic<int64_t> *last_data_us;
  std::atomic<uint64_t> *packets, *bytes;
};

/* Diagnostics (GST_DEBUG=meetrtspsrc-streams:5): when a jitter buffer's mapping from RTP time to
 * output PTS (rtpbin's ts-offset included) moves. In buffer-mode slave it follows each stream's arrival
 * times, and a run of late packets retimes one stream and not the other: lip sync is off by that much
 * until rtpbin lines the streams up again at the sender's next report (how issue 10's wobble was found). */
struct RetimeWatch {
  guint ssrc;
  std::string path;
  guint64 ext = -1;       /* extended RTP timestamp state */
  guint rate = 0;
  gint64 logged = G_MININT64;
};

GstPadProbeReturn
retime_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  auto *w = static_cast<RetimeWatch *> (data);
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (!GST_BUFFER_PTS_IS_VALID (buf))
    return GST_PAD_PROBE_OK;
  if (w->rate == 0) {
    GstCaps *caps = gst_pad_get_current_caps (pad);
    gint rate = 0;
    if (caps && gst_structure_get_int (gst_caps_get_structure (caps, 0), "clock-rate", &rate) && rate > 0)
      w->rate = rate;
    if (caps)
      gst_caps_unref (caps);
    if (w->rate == 0)
      return GST_PAD_PROBE_OK;
  }
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  guint64 ext = gst_rtp_buffer_ext_timestamp (&w->ext, gst_rtp_buffer_get_timestamp (&rtp));
  gst_rtp_buffer_unmap (&rtp);
  gint64 map = static_cast<gint64> (GST_BUFFER_PTS (buf)) -
      static_cast<gint64> (gst_util_uint64_scale_int (ext, GST_SECOND, w->rate));
  /* Small moves are the skew estimate's creep and its clamping of backward timestamps. */
  if (w->logged != G_MININT64 && ABS (map - w->logged) < 2 * GST_MSECOND)
    return GST_PAD_PROBE_OK;
  if (w->logged != G_MININT64) {
    GstObject *jb = gst_pad_get_parent (pad);
    gint64 ts_offset = 0;
    g_object_get (jb, "ts-offset", &ts_offset, nullptr);
    GST_DEBUG ("%s: SSRC %08x retimed by %+.1f ms (ts-offset %.1f ms) at PTS %" GST_TIME_FORMAT,
        w->path.c_str (), w->ssrc, (map - w->logged) / 1e6, ts_offset / 1e6,
        GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
    gst_object_unref (jb);
  }
  w->logged = map;
  return GST_PAD_PROBE_OK;
}

void
on_new_jitterbuffer (GstElement *, GstElement *jb, guint, guint ssrc, gpointer)
{
  if (gst_debug_category_get_threshold (meet_receive_streams_debug) < GST_LEVEL_DEBUG)
    return;
  auto *w = new RetimeWatch {ssrc, ""};
  gchar *path = gst_object_get_path_string (GST_OBJECT (jb));
  w->path = path;
  g_free (path);
  GstPad *pad = gst_element_get_static_pad (jb, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, retime_probe, w,
      [](gpointer d) { delete static_cast<RetimeWatch *> (d); });
  gst_object_unref (pad);
}

}  // namespace

ReceiveStreams::ReceiveStreams (GstElement *owner, GstStaticPadTemplate *templ)
    : owner_ (owner), templ_ (templ)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (meet_receive_streams_debug, "meetrtspsrc-streams", 0,
        "meetstream RTSP client streams");
    g_once_init_leave (&once, 1);
  }
  g_mutex_init (&lock_);
  g_mutex_init (&pad_lock_);
}

ReceiveStreams::~ReceiveStreams ()
{
  g_mutex_clear (&lock_);
  g_mutex_clear (&pad_lock_);
}

GstPadProbeReturn
ReceiveStreams::count_probe (GstPad *, GstPadProbeInfo *info, gpointer user_data)
{
  auto *data = static_cast<ProbeData *> (user_data);
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER) {
    (*data->packets)++;
    *data->bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  } else if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    *data->packets += gst_buffer_list_length (list);
    *data->bytes += gst_buffer_list_calculate_size (list);
  }
  *data->last_data_us = g_get_monotonic_time ();
  return GST_PAD_PROBE_OK;
}

void
ReceiveStreams::remove_child (GstElement **element)
{
  if (*element == nullptr)
    return;
  gst_element_set_locked_state (*element, TRUE);
  gst_element_set_state (*element, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (owner_), *element);
  *element = nullptr;
}

void
ReceiveStreams::clear_stream (Stream &stream)
{
  stream.transport_name = nullptr;
  stream.srtp_active = false;
  remove_child (&stream.rtp_src);
  remove_child (&stream.rtcp_src);
  remove_child (&stream.rtcp_sink);
  remove_child (&stream.srtp_dec);
  remove_child (&stream.srtcp_enc);
  if (stream.srtp)
    stream.srtp->forget ();
  g_clear_object (&stream.rtp_socket);
  g_clear_object (&stream.rtcp_socket);
}

void
ReceiveStreams::free_stream (Stream &stream)
{
  clear_stream (stream);
  if (rtpbin_) {
    for (GstPad ** pad : {&stream.rtp_sink_pad, &stream.rtcp_sink_pad, &stream.rtcp_src_pad}) {
      if (*pad) {
        gst_element_release_request_pad (rtpbin_, *pad);
        gst_object_unref (*pad);
        *pad = nullptr;
      }
    }
  }
  if (stream.ghost) {
    gst_pad_set_active (stream.ghost, FALSE);
    gst_element_remove_pad (owner_, stream.ghost);
    stream.ghost = nullptr;
  }
  gst_clear_caps (&stream.caps);
}

void
ReceiveStreams::clear_transports ()
{
  for (auto &s : streams_)
    clear_stream (*s);
}

std::string
ReceiveStreams::interface_of (const std::string &ip)
{
  struct ifaddrs *list = nullptr;
  if (ip.empty () || getifaddrs (&list) != 0)
    return "";
  std::string name;
  for (struct ifaddrs *i = list; i && name.empty (); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_name == nullptr)
      continue;
    char text[INET6_ADDRSTRLEN] = "";
    if (i->ifa_addr->sa_family == AF_INET)
      inet_ntop (AF_INET, &reinterpret_cast<struct sockaddr_in *> (i->ifa_addr)->sin_addr, text,
          sizeof text);
    else if (i->ifa_addr->sa_family == AF_INET6)
      inet_ntop (AF_INET6, &reinterpret_cast<struct sockaddr_in6 *> (i->ifa_addr)->sin6_addr,
          text, sizeof text);
    if (ip == text)
      name = i->ifa_name;
  }
  freeifaddrs (list);
  return name;
}

void
ReceiveStreams::free_all ()
{
  std::vector<std::unique_ptr<Stream>> streams;
  g_mutex_lock (&lock_);
  streams.swap (streams_);
  g_mutex_unlock (&lock_);
  for (auto &s : streams)
    free_stream (*s);
  g_mutex_lock (&lock_);
  GstElement *rtpbin = rtpbin_;
  rtpbin_ = nullptr;
  no_more_pads_sent_ = false;
  g_mutex_unlock (&lock_);
  if (rtpbin)
    remove_child (&rtpbin);
}

GstCaps *
ReceiveStreams::on_request_pt_map (GstElement *, guint session, guint pt, gpointer user_data)
{
  auto *self = static_cast<ReceiveStreams *> (user_data);
  GstCaps *caps = nullptr;
  g_mutex_lock (&self->lock_);
  if (session < self->streams_.size () && self->streams_[session]->caps)
    caps = gst_caps_ref (self->streams_[session]->caps);
  g_mutex_unlock (&self->lock_);
  GST_DEBUG_OBJECT (self->owner_, "pt map for session %u pt %u: %" GST_PTR_FORMAT, session, pt,
      caps);
  return caps;
}

void
ReceiveStreams::on_pad_added (GstElement *, GstPad *pad, gpointer user_data)
{
  auto *self = static_cast<ReceiveStreams *> (user_data);
  guint session, ssrc, pt;
  gchar *name = gst_pad_get_name (pad);
  int matched = sscanf (name, "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt);
  g_free (name);
  if (matched != 3)
    return;

  bool all_have_pads = true;
  bool emit_no_more_pads = false;
  GstPad *new_ghost = nullptr;
  g_mutex_lock (&self->pad_lock_);
  g_mutex_lock (&self->lock_);
  if (session >= self->streams_.size ()) {
    g_mutex_unlock (&self->lock_);
    g_mutex_unlock (&self->pad_lock_);
    return;
  }
  Stream *stream = self->streams_[session].get ();
  if (stream->ghost == nullptr) {
    gchar *ghost_name = g_strdup_printf ("stream_%u", stream->id);
    GstPadTemplate *templ = gst_static_pad_template_get (self->templ_);
    stream->ghost = gst_ghost_pad_new_from_template (ghost_name, pad, templ);
    gst_object_unref (templ);
    g_free (ghost_name);
    new_ghost = stream->ghost;
  } else {
    /* A new SSRC after a reconnect: keep the pad the application linked. */
    GST_INFO_OBJECT (self->owner_, "stream %u continues from SSRC %08x", stream->id, ssrc);
    gst_ghost_pad_set_target (GST_GHOST_PAD (stream->ghost), pad);
  }
  for (const auto &s : self->streams_)
    if (s->ghost == nullptr)
      all_have_pads = false;
  if (all_have_pads && !self->no_more_pads_sent_) {
    self->no_more_pads_sent_ = true;
    emit_no_more_pads = true;
  }
  g_mutex_unlock (&self->lock_);

  if (new_ghost) {
    GST_INFO_OBJECT (self->owner_, "exposing %s:%s", GST_DEBUG_PAD_NAME (new_ghost));
    GstPad *internal = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (new_ghost)));
    gst_pad_set_chain_function (internal, ghost_chain);
    gst_pad_set_chain_list_function (internal, ghost_chain_list);
    gst_object_unref (internal);
    gst_pad_set_active (new_ghost, TRUE);
    gst_element_add_pad (self->owner_, new_ghost);
  }
  if (emit_no_more_pads)
    gst_element_no_more_pads (self->owner_);
  g_mutex_unlock (&self->pad_lock_);
}

void
ReceiveStreams::on_pad_removed (GstElement *, GstPad *pad, gpointer user_data)
{
  auto *self = static_cast<ReceiveStreams *> (user_data);
  g_mutex_lock (&self->lock_);
  for (const auto &s : self->streams_) {
    if (s->ghost == nullptr)
      continue;
    GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (s->ghost));
    if (target == pad)
      gst_ghost_pad_set_target (GST_GHOST_PAD (s->ghost), nullptr);
    if (target)
      gst_object_unref (target);
  }
  g_mutex_unlock (&self->lock_);
}

/* RTCP receiver reports over TCP: rtpbin -> appsink -> interleaved channel. */
GstFlowReturn
ReceiveStreams::on_rtcp_sample (GstElement *appsink, gpointer user_data)
{
  auto *self = static_cast<ReceiveStreams *> (user_data);
  GstSample *sample = nullptr;
  g_signal_emit_by_name (appsink, "pull-sample", &sample);
  if (sample == nullptr)
    return GST_FLOW_EOS;
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  int channel = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (appsink), "meet-channel"));
  GstMapInfo map;
  if (buffer && gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    if (self->rtcp_sender_)
      self->rtcp_sender_ (static_cast<uint8_t> (channel), map.data, map.size);
    gst_buffer_unmap (buffer, &map);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

GstElement *
ReceiveStreams::add_child (const char *factory)
{
  GstElement *element = gst_element_factory_make (factory, nullptr);
  if (element == nullptr) {
    GST_ELEMENT_ERROR (owner_, CORE, MISSING_PLUGIN,
        ("Element '%s' is missing: install GStreamer's base and good plugins.", factory),
        (nullptr));
    return nullptr;
  }
  gst_bin_add (GST_BIN (owner_), element);
  return element;
}

bool
ReceiveStreams::ensure_rtpbin ()
{
  if (rtpbin_)
    return true;
  GstElement *rtpbin = gst_element_factory_make ("rtpbin", "rtpbin");
  if (rtpbin == nullptr) {
    GST_ELEMENT_ERROR (owner_, CORE, MISSING_PLUGIN,
        ("Element 'rtpbin' is missing: install GStreamer's good plugins."), (nullptr));
    return false;
  }
  gst_bin_add (GST_BIN (owner_), rtpbin);
  /* rtpbin lines the streams up from the RTCP sender reports (rtcp-sync=always). */
  g_object_set (rtpbin, "latency", latency_ms_, nullptr);
  gst_util_set_object_arg (G_OBJECT (rtpbin), "buffer-mode", slave_ ? "slave" : "none");
  g_signal_connect (rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), this);
  g_signal_connect (rtpbin, "pad-added", G_CALLBACK (on_pad_added), this);
  g_signal_connect (rtpbin, "pad-removed", G_CALLBACK (on_pad_removed), this);
  g_signal_connect (rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), this);
  g_mutex_lock (&lock_);
  rtpbin_ = rtpbin;
  g_mutex_unlock (&lock_);
  gst_element_sync_state_with_parent (rtpbin);
  return true;
}

bool
ReceiveStreams::link (GstPad *from, GstPad *to)
{
  if (gst_pad_link (from, to) == GST_PAD_LINK_OK)
    return true;
  GST_ELEMENT_ERROR (owner_, CORE, NEGOTIATION,
      ("Could not link %s:%s to %s:%s inside meetrtspsrc.", GST_DEBUG_PAD_NAME (from),
          GST_DEBUG_PAD_NAME (to)), (nullptr));
  return false;
}

bool
ReceiveStreams::link_element (GstElement *element, const char *pad_name, GstPad *peer,
    bool is_source)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);
  bool ok = is_source ? link (pad, peer) : link (peer, pad);
  gst_object_unref (pad);
  return ok;
}

bool
ReceiveStreams::described (RtspClientLogic &logic, GSocketFamily family, std::string &error)
{
  const auto &infos = logic.streams ();
  g_mutex_lock (&lock_);
  bool reconnecting = !streams_.empty ();
  bool layout_changed = reconnecting && streams_.size () != infos.size ();
  if (!reconnecting) {
    for (const auto &info : infos) {
      auto stream = std::make_unique<Stream> ();
      stream->id = info.id;
      stream->caps = gst_caps_from_string (info.caps.c_str ());
      streams_.push_back (std::move (stream));
    }
  }
  g_mutex_unlock (&lock_);
  if (layout_changed) {
    error = "The stream at " + logic.request_uri () +
        " now has a different number of media; restart the pipeline to follow it.";
    return false;
  }
  for (const auto &s : streams_)
    GST_INFO_OBJECT (owner_, "stream %u: %" GST_PTR_FORMAT, s->id, s->caps);
  /* A reconnect: our SRTCP key goes with the SSRC rtpbin already sends from (it keeps its
   * internal source), or the new server could not tell our reports from a forger's. */
  for (size_t i = 0; rtpbin_ && i < infos.size (); i++) {
    RtspClientStream &info = logic.streams ()[i];
    GObject *session = nullptr;
    if (info.srtp_offer.keyed)
      g_signal_emit_by_name (rtpbin_, "get-internal-session", info.id, &session);
    if (session == nullptr)
      continue;
    guint ssrc = 0;
    g_object_get (session, "internal-ssrc", &ssrc, nullptr);
    g_object_unref (session);
    if (!srtp_key_generate (info.srtp_offer.keys.suite, ssrc, &info.rtcp_key))
      info.rtcp_key = SrtpKey ();
  }

  return prepare_ports (logic, family, error);
}

bool
ReceiveStreams::prepare_ports (RtspClientLogic &logic, GSocketFamily family, std::string &error)
{
  for (auto &s : streams_) {
    g_clear_object (&s->rtp_socket);
    g_clear_object (&s->rtcp_socket);
  }
  if (logic.transport () != RtspLowerTransport::Udp)
    return true;
  for (size_t i = 0; i < streams_.size (); i++) {
    Stream &stream = *streams_[i];
    std::string why;
    if (!allocate_udp_pair (family, &stream.rtp_socket, &stream.rtcp_socket, why)) {
      error = "Could not bind UDP ports to receive " + logic.request_uri () + " (" + why +
          "); use protocols=tcp.";
      return false;
    }
    logic.set_client_ports (i, local_port (stream.rtp_socket), local_port (stream.rtcp_socket));
  }
  return true;
}

/* Builds the sources (and RTCP sink) of @stream for its transport, linked to rtpbin. */
bool
ReceiveStreams::build_stream (Stream &stream, const std::string &server_ip,
    const RtspClientStream &info, const std::string &iface)
{
  if (stream.rtp_sink_pad == nullptr) {
    gchar *name = g_strdup_printf ("recv_rtp_sink_%u", stream.id);
    stream.rtp_sink_pad = gst_element_request_pad_simple (rtpbin_, name);
    g_free (name);
    name = g_strdup_printf ("recv_rtcp_sink_%u", stream.id);
    stream.rtcp_sink_pad = gst_element_request_pad_simple (rtpbin_, name);
    g_free (name);
    name = g_strdup_printf ("send_rtcp_src_%u", stream.id);
    stream.rtcp_src_pad = gst_element_request_pad_simple (rtpbin_, name);
    g_free (name);
  }
  stream.transport = info.transport;
  GstCaps *rtcp_caps = gst_caps_new_empty_simple ("application/x-rtcp");

  if (info.transport == RtspLowerTransport::UdpMulticast) {
    stream.rtp_src = add_child ("udpsrc");
    stream.rtcp_src = add_child ("udpsrc");
    if (stream.rtp_src == nullptr || stream.rtcp_src == nullptr) {
      gst_caps_unref (rtcp_caps);
      return false;
    }
    /* The group and ports are the server's (RFC 2326 12.39): udpsrc binds the group's port and
     * joins it on the interface that reaches the server. */
    for (GstElement *e : {stream.rtp_src, stream.rtcp_src}) {
      g_object_set (e, "address", info.destination.c_str (), "auto-multicast", TRUE,
          "reuse", TRUE, nullptr);
      if (!iface.empty ())
        g_object_set (e, "multicast-iface", iface.c_str (), nullptr);
    }
    g_object_set (stream.rtp_src, "port", info.server_rtp_port, "caps", stream.caps,
        "buffer-size", 1 << 19, nullptr);
    g_object_set (stream.rtcp_src, "port", info.server_rtcp_port > 0 ? info.server_rtcp_port :
        info.server_rtp_port + 1, "caps", rtcp_caps, nullptr);
    /* rtsps://: the stream's SRTP group (RTP/SAVP;multicast), decrypted with the SDP's key like
     * unicast SRTP. No receiver reports go to it: under a key of ours every other member's
     * srtpdec would drop them as forged (and count them), in clear they would leave TLS, and
     * the server keeps the session alive from our RTSP keep-alives. */
    if (info.srtp && !build_srtp (stream, info)) {
      gst_caps_unref (rtcp_caps);
      return false;
    }
    if (info.server_rtcp_port > 0 && !info.srtp) {
      stream.rtcp_sink = add_child ("udpsink");
      if (stream.rtcp_sink == nullptr) {
        gst_caps_unref (rtcp_caps);
        return false;
      }
      /* Receiver reports go to the group (RFC 3550 6.1), within its TTL; not looped back to
       * our own RTCP source. */
      g_object_set (stream.rtcp_sink, "host", info.destination.c_str (),
          "port", info.server_rtcp_port, "ttl-mc", (gint) info.ttl, "auto-multicast", FALSE,
          "loop", FALSE, "sync", FALSE, "async", FALSE, nullptr);
      if (!iface.empty ())
        g_object_set (stream.rtcp_sink, "multicast-iface", iface.c_str (), nullptr);
    }
  } else if (info.transport == RtspLowerTransport::Udp) {
    stream.rtp_src = add_child ("udpsrc");
    stream.rtcp_src = add_child ("udpsrc");
    if (stream.rtp_src == nullptr || stream.rtcp_src == nullptr) {
      gst_caps_unref (rtcp_caps);
      return false;
    }
    /* Our sockets: udpsrc must not close them, they outlive its state changes. */
    g_object_set (stream.rtp_src, "socket", stream.rtp_socket, "close-socket", FALSE,
        "caps", stream.caps, "buffer-size", 1 << 19, nullptr);
    g_object_set (stream.rtcp_src, "socket", stream.rtcp_socket, "close-socket", FALSE,
        "caps", rtcp_caps, nullptr);
    if (info.srtp) {
      if (!build_srtp (stream, info)) {
        gst_caps_unref (rtcp_caps);
        return false;
      }
      /* Receiver reports go back as SRTCP under the key SETUP handed over (KeyMgmt), from the
       * SSRC that key names; never RTCP in clear beside rtsps://. Without that key (no
       * randomness, no srtpenc) none go back: the server keeps the session alive from our RTSP
       * keep-alives (at half its timeout), not from RTCP. */
      if (info.server_rtcp_port > 0 && srtp_key_valid (info.rtcp_key) &&
          (stream.srtcp_enc = srtp_rtcp_encoder_new (info.rtcp_key))) {
        gst_bin_add (GST_BIN (owner_), stream.srtcp_enc);
        stream.rtcp_sink = add_child ("udpsink");
        if (stream.rtcp_sink == nullptr) {
          gst_caps_unref (rtcp_caps);
          return false;
        }
        g_object_set (stream.rtcp_sink, "socket", stream.rtcp_socket, "close-socket", FALSE,
            "host", server_ip.c_str (), "port", info.server_rtcp_port, "sync", FALSE,
            "async", FALSE, nullptr);
        GObject *session = nullptr;
        g_signal_emit_by_name (rtpbin_, "get-internal-session", stream.id, &session);
        if (session) {
          g_object_set (session, "internal-ssrc", info.rtcp_key.ssrc, nullptr);
          g_object_unref (session);
        }
      }
    } else if (info.server_rtcp_port > 0) {
      stream.rtcp_sink = add_child ("udpsink");
      if (stream.rtcp_sink == nullptr) {
        gst_caps_unref (rtcp_caps);
        return false;
      }
      /* Send from the RTCP port we announced, so the server sees our RRs from it. */
      g_object_set (stream.rtcp_sink, "socket", stream.rtcp_socket, "close-socket", FALSE,
          "host", server_ip.c_str (), "port", info.server_rtcp_port, "sync", FALSE,
          "async", FALSE, nullptr);
    }
  } else {
    stream.rtp_channel = info.rtp_channel;
    stream.rtcp_channel = info.rtcp_channel;
    stream.rtp_src = add_child ("appsrc");
    stream.rtcp_src = add_child ("appsrc");
    stream.rtcp_sink = add_child ("appsink");
    if (stream.rtp_src == nullptr || stream.rtcp_src == nullptr || stream.rtcp_sink == nullptr) {
      gst_caps_unref (rtcp_caps);
      return false;
    }
    for (GstElement *appsrc : {stream.rtp_src, stream.rtcp_src}) {
      g_object_set (appsrc, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", TRUE,
          "max-bytes", (guint64) (4 << 20), nullptr);
      /* The RTSP thread must never block on a stalled pipeline: drop the oldest packets. */
      gst_util_set_object_arg (G_OBJECT (appsrc), "leaky-type", "downstream");
    }
    g_object_set (stream.rtp_src, "caps", stream.caps, nullptr);
    g_object_set (stream.rtcp_src, "caps", rtcp_caps, nullptr);
    g_object_set (stream.rtcp_sink, "emit-signals", TRUE, "sync", FALSE, "async", FALSE, nullptr);
    g_object_set_data (G_OBJECT (stream.rtcp_sink), "meet-channel",
        GINT_TO_POINTER (info.rtcp_channel));
    g_signal_connect (stream.rtcp_sink, "new-sample", G_CALLBACK (on_rtcp_sample), this);
  }
  gst_caps_unref (rtcp_caps);

  if (stream.srtp_dec) {
    /* udpsrc -> srtpdec -> rtpbin, for RTP and RTCP. */
    GstPad *rtp_in = gst_element_get_static_pad (stream.srtp_dec, "rtp_sink");
    GstPad *rtcp_in = gst_element_get_static_pad (stream.srtp_dec, "rtcp_sink");
    bool ok = link_element (stream.rtp_src, "src", rtp_in, true) &&
        link_element (stream.rtcp_src, "src", rtcp_in, true) &&
        link_element (stream.srtp_dec, "rtp_src", stream.rtp_sink_pad, true) &&
        link_element (stream.srtp_dec, "rtcp_src", stream.rtcp_sink_pad, true);
    gst_object_unref (rtp_in);
    gst_object_unref (rtcp_in);
    if (ok && stream.srtcp_enc) {
      /* rtpbin -> srtpenc -> udpsink: receiver reports as SRTCP. */
      GstPad *enc_in = gst_element_get_static_pad (stream.srtcp_enc, "rtcp_sink_0");
      GstPad *udp_in = gst_element_get_static_pad (stream.rtcp_sink, "sink");
      ok = enc_in && link (stream.rtcp_src_pad, enc_in) &&
          link_element (stream.srtcp_enc, "rtcp_src_0", udp_in, true);
      gst_clear_object (&enc_in);
      gst_clear_object (&udp_in);
    }
    if (!ok)
      return false;
  } else if (!link_element (stream.rtp_src, "src", stream.rtp_sink_pad, true) ||
      !link_element (stream.rtcp_src, "src", stream.rtcp_sink_pad, true)) {
    return false;
  }
  if (stream.rtcp_sink && !stream.srtcp_enc &&
      !link_element (stream.rtcp_sink, "sink", stream.rtcp_src_pad, false))
    return false;

  GstPad *pad = gst_element_get_static_pad (stream.rtp_src, "src");
  auto *probe = new ProbeData {this, &last_data_us_, &stream.packets, &stream.bytes};
  gst_pad_add_probe (pad, (GstPadProbeType) (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST), count_probe, probe,
      [](gpointer data) {
        delete static_cast<ProbeData *> (data);
      });
  gst_object_unref (pad);

  for (GstElement *e : {stream.srtp_dec, stream.srtcp_enc, stream.rtp_src, stream.rtcp_src,
           stream.rtcp_sink})
    if (e)
      gst_element_sync_state_with_parent (e);
  stream.srtp_active = info.srtp;
  stream.transport_name = info.transport == RtspLowerTransport::Tcp ? "tcp" :
      info.transport == RtspLowerTransport::Udp ? "udp" : "udp-mcast";
  return true;
}

/* srtpdec for @stream with the keys of @info's SDP; udpsrc's caps become application/x-srtp(cp). */
bool
ReceiveStreams::build_srtp (Stream &stream, const RtspClientStream &info)
{
  if (!stream.srtp)
    stream.srtp = std::make_unique<SrtpDecoder> (stream.id);
  stream.srtp_dec = stream.srtp->make (GST_BIN (owner_), info.srtp_offer.keys);
  if (stream.srtp_dec == nullptr) {
    GST_ELEMENT_ERROR (owner_, CORE, MISSING_PLUGIN,
        ("Element 'srtpdec' is missing: SRTP from %s needs GStreamer's bad plugins "
            "(gstreamer1.0-plugins-bad), or allow protocols=tcp to receive inside TLS.",
            info.control_uri.c_str ()), (nullptr));
    return false;
  }
  GstCaps *srtp_caps = gst_caps_copy (stream.caps);
  gst_structure_set_name (gst_caps_get_structure (srtp_caps, 0), "application/x-srtp");
  GstCaps *srtcp_caps = gst_caps_new_empty_simple ("application/x-srtcp");
  g_object_set (stream.rtp_src, "caps", srtp_caps, nullptr);
  g_object_set (stream.rtcp_src, "caps", srtcp_caps, nullptr);
  gst_caps_unref (srtp_caps);
  gst_caps_unref (srtcp_caps);
  GST_INFO_OBJECT (owner_, "stream %u: SRTP (%s) from the server's MIKEY key", stream.id,
      srtp_suite_info (info.srtp_offer.keys.suite).short_name);
  return true;
}

bool
ReceiveStreams::build (const RtspClientLogic &logic, const std::string &server_ip,
    const std::string &local_ip)
{
  if (!ensure_rtpbin ())
    return false;
  std::string iface;
  if (logic.transport () == RtspLowerTransport::UdpMulticast) {
    iface = interface_of (local_ip);
    GST_INFO_OBJECT (owner_, "joining multicast on %s (%s)", iface.empty () ? "the default "
        "interface" : iface.c_str (), local_ip.c_str ());
  }
  for (size_t i = 0; i < streams_.size () && i < logic.streams ().size (); i++) {
    Stream &stream = *streams_[i];
    GSocket *rtp = stream.rtp_socket, *rtcp = stream.rtcp_socket;
    /* Clearing drops the sockets: keep the ones just announced in SETUP. */
    stream.rtp_socket = stream.rtcp_socket = nullptr;
    clear_stream (stream);
    stream.rtp_socket = rtp;
    stream.rtcp_socket = rtcp;
    if (!build_stream (stream, server_ip, logic.streams ()[i], iface))
      return false;
  }
  for (size_t i = 0; i < logic.streams ().size (); i++) {
    const RtspClientStream &info = logic.streams ()[i];
    if (info.transport == RtspLowerTransport::UdpMulticast)
      GST_INFO_OBJECT (owner_, "stream %zu: multicast group %s ports %d-%d ttl %u", i,
          info.destination.c_str (), info.server_rtp_port, info.server_rtcp_port, info.ttl);
  }
  GST_INFO_OBJECT (owner_, "%zu streams set up over %s", streams_.size (),
      logic.transport () == RtspLowerTransport::Udp ? "UDP" :
      logic.transport () == RtspLowerTransport::Tcp ? "TCP" : "multicast");
  return true;
}

void
ReceiveStreams::push_interleaved (GstRTSPMessage *message)
{
  guint8 channel = 0;
  gst_rtsp_message_parse_data (message, &channel);
  GstElement *target = nullptr;
  g_mutex_lock (&lock_);
  for (const auto &s : streams_) {
    if (s->transport != RtspLowerTransport::Tcp)
      continue;
    if (s->rtp_channel == channel && s->rtp_src)
      target = GST_ELEMENT (gst_object_ref (s->rtp_src));
    else if (s->rtcp_channel == channel && s->rtcp_src)
      target = GST_ELEMENT (gst_object_ref (s->rtcp_src));
  }
  g_mutex_unlock (&lock_);
  if (target == nullptr)
    return;
  guint8 *data = nullptr;
  guint size = 0;
  gst_rtsp_message_steal_body (message, &data, &size);
  /* The connection NUL-terminates every body; that byte is not part of the packet. */
  if (data && size > 1) {
    GstBuffer *buffer = gst_buffer_new_wrapped (data, size);
    gst_buffer_resize (buffer, 0, size - 1);
    GstFlowReturn flow;
    g_signal_emit_by_name (target, "push-buffer", buffer, &flow);
    gst_buffer_unref (buffer);
  } else {
    g_free (data);
  }
  gst_object_unref (target);
}

uint64_t
ReceiveStreams::srtp_dropped () const
{
  uint64_t total = 0;
  g_mutex_lock (&lock_);
  for (const auto &s : streams_)
    total += s->srtp ? s->srtp->dropped () : 0;
  g_mutex_unlock (&lock_);
  return total;
}

GstStructure *
ReceiveStreams::stats () const
{
  std::vector<StreamReception> counts;
  g_mutex_lock (&lock_);
  GstElement *rtpbin = rtpbin_ ? GST_ELEMENT (gst_object_ref (rtpbin_)) : nullptr;
  for (const auto &s : streams_) {
    StreamReception c;
    c.id = s->id;
    c.packets = s->packets.load ();
    c.bytes = s->bytes.load ();
    c.transport = s->transport_name.load ();
    c.srtp_dropped = s->srtp ? s->srtp->dropped () : 0;
    c.srtp = s->srtp_active.load ();
    counts.push_back (c);
  }
  g_mutex_unlock (&lock_);
  add_rtpbin_stats (rtpbin, counts);
  if (rtpbin)
    gst_object_unref (rtpbin);
  return build_reception_stats (counts);
}

}  // namespace meet
