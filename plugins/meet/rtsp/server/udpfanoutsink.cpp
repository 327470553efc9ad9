/* meetstream: GstMeetUdpFanoutSink, sends every RTP packet to a set of UDP destinations over one
 * socket, with UDP segmentation offload.
 *
 * A payloader hands over a video frame as a list of packets that all have the payloader's MTU
 * but the last. One sendmsg() with a UDP_SEGMENT control message carries up to 64 of them: the
 * kernel runs its per-packet send path (routing, netfilter, queueing; on loopback the receive
 * path up to the socket too) once per message and cuts the datagrams late, in the NIC when it
 * can. Receivers get the same datagrams as without it. The messages for all destinations go out
 * in sendmmsg() calls, and every buffer memory is an iovec of its own: nothing is copied.
 *
 * A kernel without UDP_SEGMENT (before 4.18), or a route that refuses it, gets plain datagrams,
 * still batched with sendmmsg(). An error sending to one destination skips that destination's
 * message and never stops the others.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "udpfanoutsink.h"
#include "udpfanout.h"

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (meet_udp_fanout_sink_debug);
#define GST_CAT_DEFAULT meet_udp_fanout_sink_debug

/* How long one buffer (list) waits in all for room in the socket's send buffer; then the rest
 * of it is dropped, as a congested network would. */
static const gint64 kWritableTimeoutUs = G_USEC_PER_SEC / 2;
/* sendmmsg() takes at most UIO_MAXIOV messages a call. */
static const size_t kMaxMessagesPerCall = 1024;

enum
{
  PROP_0,
  PROP_SOCKET,
  PROP_GSO,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

namespace {

struct Destination {
  std::string host;
  int port;
  unsigned refs;
  sockaddr_storage address;
  socklen_t address_len;
};

using Destinations = std::vector<Destination>;

/* A control message holding one UDP_SEGMENT value. */
union GsoControl {
  char bytes[CMSG_SPACE (sizeof (uint16_t))];
  cmsghdr align;
};

/* The packets of one render call, mapped: packet i is iovecs first_iov[i] .. first_iov[i + 1]. */
class MappedPackets {
public:
  MappedPackets (GstBuffer * const * buffers, guint n) {
    first_iov_.reserve (n + 1);
    sizes_.reserve (n);
    for (guint i = 0; i < n; i++) {
      first_iov_.push_back (iov_.size ());
      size_t size = 0;
      guint memories = gst_buffer_n_memory (buffers[i]);
      for (guint m = 0; m < memories; m++) {
        GstMemory *memory = gst_buffer_peek_memory (buffers[i], m);
        GstMapInfo info;
        if (!gst_memory_map (memory, &info, GST_MAP_READ))
          continue;
        maps_.push_back ({ memory, info });
        iov_.push_back ({ info.data, info.size });
        size += info.size;
      }
      sizes_.push_back (size);
    }
    first_iov_.push_back (iov_.size ());
  }
  ~MappedPackets () {
    for (auto & map : maps_)
      gst_memory_unmap (map.first, &map.second);
  }
  MappedPackets (const MappedPackets &) = delete;
  MappedPackets & operator= (const MappedPackets &) = delete;

  const std::vector<size_t> & sizes () const { return sizes_; }
  /* The iovecs of packets first .. first + count - 1. */
  iovec *iov (size_t first) { return iov_.data () + first_iov_[first]; }
  size_t iov_count (size_t first, size_t count) const {
    return first_iov_[first + count] - first_iov_[first];
  }

private:
  std::vector<std::pair<GstMemory *, GstMapInfo>> maps_;
  std::vector<iovec> iov_;
  std::vector<size_t> first_iov_;
  std::vector<size_t> sizes_;
};

enum class SendResult { kDone, kGsoRefused, kFlushing };

}  // namespace

struct _GstMeetUdpFanoutSink
{
  GstBaseSink parent;

  /* Under the object lock. */
  GSocket *socket;
  /* The socket while started, for the streaming thread. */
  GSocket *used_socket;
  bool socket_v6;
  bool gso_supported;
  std::atomic<bool> *gso;
  GCancellable *cancellable;

  /* The destinations are replaced, never changed, so a render sends from a snapshot. */
  std::mutex *lock;
  std::shared_ptr<const Destinations> *destinations;
};

#define gst_meet_udp_fanout_sink_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstMeetUdpFanoutSink, gst_meet_udp_fanout_sink, GST_TYPE_BASE_SINK,
    GST_DEBUG_CATEGORY_INIT (meet_udp_fanout_sink_debug, "meetudpfanoutsink", 0,
        "meetrtspsink's UDP fan-out"));

/* ---------------------------------------------------------------- destinations */

static bool
resolve_destination (const gchar * host, gint port, bool socket_v6, Destination & destination)
{
  GInetAddress *address = g_inet_address_new_from_string (host);
  if (!address)
    return false;
  /* An IPv6 socket reaches IPv4 hosts at their IPv4-mapped address. */
  if (socket_v6 && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4) {
    gchar *mapped = g_strconcat ("::ffff:", host, NULL);
    g_object_unref (address);
    address = g_inet_address_new_from_string (mapped);
    g_free (mapped);
    if (!address)
      return false;
  }
  bool ok = (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6) == socket_v6;
  if (ok) {
    GSocketAddress *socket_address = g_inet_socket_address_new (address, port);
    ok = g_socket_address_to_native (socket_address, &destination.address,
        sizeof (destination.address), nullptr);
    destination.address_len = g_socket_address_get_native_size (socket_address);
    g_object_unref (socket_address);
  }
  g_object_unref (address);
  return ok;
}

void
gst_meet_udp_fanout_sink_add (GstMeetUdpFanoutSink * self, const gchar * host, gint port)
{
  g_return_if_fail (GST_IS_MEET_UDP_FANOUT_SINK (self));
  g_return_if_fail (host != nullptr);

  GST_OBJECT_LOCK (self);
  bool socket_v6 = self->socket &&
      g_socket_get_family (self->socket) == G_SOCKET_FAMILY_IPV6;
  GST_OBJECT_UNLOCK (self);

  std::lock_guard<std::mutex> guard (*self->lock);
  auto updated = std::make_shared<Destinations> (**self->destinations);
  for (Destination & d : *updated) {
    if (d.port == port && d.host == host) {
      d.refs++;
      *self->destinations = std::move (updated);
      return;
    }
  }
  Destination destination { host, port, 1, {}, 0 };
  if (!resolve_destination (host, port, socket_v6, destination)) {
    GST_WARNING_OBJECT (self, "cannot send to %s port %d from this socket", host, port);
    return;
  }
  updated->push_back (destination);
  *self->destinations = std::move (updated);
  GST_DEBUG_OBJECT (self, "sending to %s port %d", host, port);
}

void
gst_meet_udp_fanout_sink_remove (GstMeetUdpFanoutSink * self, const gchar * host, gint port)
{
  g_return_if_fail (GST_IS_MEET_UDP_FANOUT_SINK (self));
  g_return_if_fail (host != nullptr);

  std::lock_guard<std::mutex> guard (*self->lock);
  auto updated = std::make_shared<Destinations> (**self->destinations);
  for (auto it = updated->begin (); it != updated->end (); ++it) {
    if (it->port == port && it->host == host) {
      if (--it->refs == 0) {
        updated->erase (it);
        GST_DEBUG_OBJECT (self, "no longer sending to %s port %d", host, port);
      }
      *self->destinations = std::move (updated);
      return;
    }
  }
}

void
gst_meet_udp_fanout_sink_clear (GstMeetUdpFanoutSink * self)
{
  g_return_if_fail (GST_IS_MEET_UDP_FANOUT_SINK (self));

  std::lock_guard<std::mutex> guard (*self->lock);
  *self->destinations = std::make_shared<const Destinations> ();
}

/* ---------------------------------------------------------------- sending */

/* The UDP_SEGMENT control message of each batch of several packets. */
static std::vector<GsoControl>
make_controls (const std::vector<meet::GsoBatch> & batches)
{
  std::vector<GsoControl> controls (batches.size (), GsoControl ());
  for (size_t b = 0; b < batches.size (); b++) {
    if (batches[b].count < 2)
      continue;
    cmsghdr *cmsg = reinterpret_cast<cmsghdr *> (controls[b].bytes);
    cmsg->cmsg_level = SOL_UDP;
    cmsg->cmsg_type = UDP_SEGMENT;
    cmsg->cmsg_len = CMSG_LEN (sizeof (uint16_t));
    uint16_t segment_size = static_cast<uint16_t> (batches[b].segment_size);
    memcpy (CMSG_DATA (cmsg), &segment_size, sizeof (segment_size));
  }
  return controls;
}

/* Message k carries batch k % batches.size () to destination k / batches.size (); this builds
 * messages begin .. end - 1. controls: from make_controls (batches), or empty when every batch
 * is a single packet. */
static std::vector<mmsghdr>
build_messages (const Destinations & destinations, MappedPackets & packets,
    const std::vector<meet::GsoBatch> & batches, std::vector<GsoControl> & controls,
    size_t begin, size_t end)
{
  std::vector<mmsghdr> messages;
  messages.reserve (end - begin);
  for (size_t k = begin; k < end; k++) {
    const Destination & destination = destinations[k / batches.size ()];
    const meet::GsoBatch & batch = batches[k % batches.size ()];
    mmsghdr message {};
    /* The kernel only reads the address. */
    message.msg_hdr.msg_name = const_cast<sockaddr_storage *> (&destination.address);
    message.msg_hdr.msg_namelen = destination.address_len;
    message.msg_hdr.msg_iov = packets.iov (batch.first);
    message.msg_hdr.msg_iovlen = packets.iov_count (batch.first, batch.count);
    if (batch.count > 1) {
      message.msg_hdr.msg_control = controls[k % batches.size ()].bytes;
      message.msg_hdr.msg_controllen = sizeof (GsoControl);
    }
    messages.push_back (message);
  }
  return messages;
}

static bool
is_gso_refusal (int error)
{
  return error == EINVAL || error == EIO || error == ENOPROTOOPT || error == EOPNOTSUPP ||
      error == EMSGSIZE;
}

/* Sends the messages in order. On a refused UDP_SEGMENT message, stops there: refused_at is its
 * index, refused_error the kernel's reason. */
static SendResult
send_messages (GstMeetUdpFanoutSink * self, std::vector<mmsghdr> & messages, size_t & refused_at,
    int &refused_error)
{
  int fd = g_socket_get_fd (self->used_socket);
  gint64 deadline = 0;
  size_t i = 0;
  while (i < messages.size ()) {
    unsigned count = MIN (messages.size () - i, kMaxMessagesPerCall);
    int sent = sendmmsg (fd, &messages[i], count, 0);
    if (sent > 0) {
      i += sent;
      continue;
    }
    int error = errno;
    if (error == EINTR)
      continue;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      /* The socket's send buffer is full: wait (until flushing) for the NIC to drain it. */
      gint64 now = g_get_monotonic_time ();
      if (deadline == 0)
        deadline = now + kWritableTimeoutUs;
      if (now >= deadline) {
        GST_WARNING_OBJECT (self, "send buffer full for %d ms: dropping %u messages",
            static_cast<int> (kWritableTimeoutUs / 1000), static_cast<unsigned> (
                messages.size () - i));
        return SendResult::kDone;
      }
      GError *wait_error = nullptr;
      if (!g_socket_condition_timed_wait (self->used_socket, G_IO_OUT, deadline - now,
              self->cancellable, &wait_error)) {
        bool cancelled = g_error_matches (wait_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_error_free (wait_error);
        if (cancelled)
          return SendResult::kFlushing;
      }
      continue;
    }
    if (messages[i].msg_hdr.msg_controllen > 0 && is_gso_refusal (error)) {
      refused_at = i;
      refused_error = error;
      return SendResult::kGsoRefused;
    }
    /* Trouble with one destination (unreachable, ICMP error, no buffer on the way): skip
     * its message, the others go on. */
    GST_DEBUG_OBJECT (self, "sending a message failed: %s", g_strerror (error));
    i++;
  }
  return SendResult::kDone;
}

static GstFlowReturn
send_packets (GstMeetUdpFanoutSink * self, GstBuffer * const * buffers, guint n)
{
  std::shared_ptr<const Destinations> destinations;
  {
    std::lock_guard<std::mutex> guard (*self->lock);
    destinations = *self->destinations;
  }
  if (destinations->empty () || n == 0 || !self->used_socket)
    return GST_FLOW_OK;

  MappedPackets packets (buffers, n);
  const std::vector<size_t> & sizes = packets.sizes ();
  std::vector<meet::GsoBatch> single;
  single.reserve (n);
  for (size_t i = 0; i < n; i++)
    single.push_back ({ i, 1, sizes[i] });
  std::vector<GsoControl> no_controls;
  const size_t plain_end = destinations->size () * n;
  size_t refused_at = 0;
  int refused_error = 0;

  if (self->gso_supported && self->gso->load ()) {
    std::vector<meet::GsoBatch> batches = meet::plan_gso_batches (sizes, meet::kGsoMaxSegments,
        self->socket_v6 ? meet::kGsoMaxBytesIpv6 : meet::kGsoMaxBytesIpv4);
    std::vector<GsoControl> controls = make_controls (batches);
    size_t begin = 0;
    const size_t end = destinations->size () * batches.size ();
    while (begin < end) {
      std::vector<mmsghdr> messages = build_messages (*destinations, packets, batches, controls,
          begin, end);
      SendResult result = send_messages (self, messages, refused_at, refused_error);
      if (result != SendResult::kGsoRefused)
        return result == SendResult::kFlushing ? GST_FLOW_FLUSHING : GST_FLOW_OK;

      /* The same destination's first packet alone tells a kernel or route that refuses
       * segmentation offload from a destination that takes nothing (port 0, no route). */
      size_t refused = begin + refused_at;
      const meet::GsoBatch & batch = batches[refused % batches.size ()];
      size_t plain_first = refused / batches.size () * n + batch.first;
      std::vector<mmsghdr> probe = build_messages (*destinations, packets, single, no_controls,
          plain_first, plain_first + 1);
      if (sendmsg (g_socket_get_fd (self->used_socket), &probe[0].msg_hdr, 0) < 0) {
        GST_DEBUG_OBJECT (self, "sending to a destination failed: %s", g_strerror (errno));
        begin = refused + 1;
        continue;
      }
      GST_INFO_OBJECT (self, "the kernel refuses UDP segmentation offload (%s): sending plain "
          "datagrams", g_strerror (refused_error));
      self->gso->store (false);
      messages = build_messages (*destinations, packets, single, no_controls, plain_first + 1,
          plain_end);
      return send_messages (self, messages, refused_at, refused_error) ==
          SendResult::kFlushing ? GST_FLOW_FLUSHING : GST_FLOW_OK;
    }
    return GST_FLOW_OK;
  }

  std::vector<mmsghdr> messages = build_messages (*destinations, packets, single, no_controls, 0,
      plain_end);
  return send_messages (self, messages, refused_at, refused_error) == SendResult::kFlushing ?
      GST_FLOW_FLUSHING : GST_FLOW_OK;
}

static GstFlowReturn
gst_meet_udp_fanout_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  return send_packets (GST_MEET_UDP_FANOUT_SINK (sink), &buffer, 1);
}

static GstFlowReturn
gst_meet_udp_fanout_sink_render_list (GstBaseSink * sink, GstBufferList * list)
{
  guint n = gst_buffer_list_length (list);
  std::vector<GstBuffer *> buffers (n);
  for (guint i = 0; i < n; i++)
    buffers[i] = gst_buffer_list_get (list, i);
  return send_packets (GST_MEET_UDP_FANOUT_SINK (sink), buffers.data (), n);
}

/* ---------------------------------------------------------------- start/stop */

static gboolean
gst_meet_udp_fanout_sink_start (GstBaseSink * sink)
{
  auto *self = GST_MEET_UDP_FANOUT_SINK (sink);
  GST_OBJECT_LOCK (self);
  self->used_socket = self->socket ? G_SOCKET (g_object_ref (self->socket)) : nullptr;
  GST_OBJECT_UNLOCK (self);
  if (!self->used_socket) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("No UDP socket to send from."), (nullptr));
    return FALSE;
  }
  self->socket_v6 = g_socket_get_family (self->used_socket) == G_SOCKET_FAMILY_IPV6;

  int segment_size = 0;
  socklen_t len = sizeof (segment_size);
  self->gso_supported = getsockopt (g_socket_get_fd (self->used_socket), SOL_UDP, UDP_SEGMENT,
      &segment_size, &len) == 0;
  if (!self->gso_supported)
    GST_INFO_OBJECT (self, "no UDP segmentation offload in this kernel (%s): sending plain "
        "datagrams", g_strerror (errno));
  return TRUE;
}

static gboolean
gst_meet_udp_fanout_sink_stop (GstBaseSink * sink)
{
  auto *self = GST_MEET_UDP_FANOUT_SINK (sink);
  g_clear_object (&self->used_socket);
  return TRUE;
}

static gboolean
gst_meet_udp_fanout_sink_unlock (GstBaseSink * sink)
{
  g_cancellable_cancel (GST_MEET_UDP_FANOUT_SINK (sink)->cancellable);
  return TRUE;
}

static gboolean
gst_meet_udp_fanout_sink_unlock_stop (GstBaseSink * sink)
{
  g_cancellable_reset (GST_MEET_UDP_FANOUT_SINK (sink)->cancellable);
  return TRUE;
}

/* ---------------------------------------------------------------- GObject */

static void
gst_meet_udp_fanout_sink_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  auto *self = GST_MEET_UDP_FANOUT_SINK (object);
  switch (prop_id) {
    case PROP_SOCKET: {
      GSocket *socket = G_SOCKET (g_value_dup_object (value));
      GST_OBJECT_LOCK (self);
      std::swap (self->socket, socket);
      GST_OBJECT_UNLOCK (self);
      g_clear_object (&socket);
      break;
    }
    case PROP_GSO:
      self->gso->store (g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_meet_udp_fanout_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  auto *self = GST_MEET_UDP_FANOUT_SINK (object);
  switch (prop_id) {
    case PROP_SOCKET:
      GST_OBJECT_LOCK (self);
      g_value_set_object (value, self->socket);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_GSO:
      g_value_set_boolean (value, self->gso->load ());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_meet_udp_fanout_sink_finalize (GObject * object)
{
  auto *self = GST_MEET_UDP_FANOUT_SINK (object);
  g_clear_object (&self->socket);
  g_clear_object (&self->used_socket);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->used_socket);
  delete self->gso;
  delete self->lock;
  delete self->destinations;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_meet_udp_fanout_sink_init (GstMeetUdpFanoutSink * self)
{
  self->cancellable = g_cancellable_new ();
  self->gso = new std::atomic<bool> (true);
  self->lock = new std::mutex ();
  self->destinations = new std::shared_ptr<const Destinations> (
      std::make_shared<const Destinations> ());
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
  /* Nobody looks at it; it would only keep a frame's packets alive. */
  gst_base_sink_set_last_sample_enabled (GST_BASE_SINK (self), FALSE);
}

static void
gst_meet_udp_fanout_sink_class_init (GstMeetUdpFanoutSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *base_sink_class = GST_BASE_SINK_CLASS (klass);

  gobject_class->set_property = gst_meet_udp_fanout_sink_set_property;
  gobject_class->get_property = gst_meet_udp_fanout_sink_get_property;
  gobject_class->finalize = gst_meet_udp_fanout_sink_finalize;

  g_object_class_install_property (gobject_class, PROP_SOCKET,
      g_param_spec_object ("socket", "Socket",
          "The bound UDP socket to send from (not closed by this element)", G_TYPE_SOCKET,
          static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_GSO,
      g_param_spec_boolean ("gso", "GSO",
          "Send runs of equal-sized packets as one UDP segmentation offload message; turns "
          "itself off when the kernel refuses it", TRUE,
          static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class, "UDP fan-out sink",
      "Sink/Network", "Sends each packet to a set of UDP destinations, with UDP GSO",
      "meetstream");

  base_sink_class->render = gst_meet_udp_fanout_sink_render;
  base_sink_class->render_list = gst_meet_udp_fanout_sink_render_list;
  base_sink_class->start = gst_meet_udp_fanout_sink_start;
  base_sink_class->stop = gst_meet_udp_fanout_sink_stop;
  base_sink_class->unlock = gst_meet_udp_fanout_sink_unlock;
  base_sink_class->unlock_stop = gst_meet_udp_fanout_sink_unlock_stop;
}

GstMeetUdpFanoutSink *
gst_meet_udp_fanout_sink_new_for_socket (GSocket * socket)
{
  g_return_val_if_fail (G_IS_SOCKET (socket), nullptr);
  auto *self = GST_MEET_UDP_FANOUT_SINK (g_object_new (GST_TYPE_MEET_UDP_FANOUT_SINK,
          "socket", socket, nullptr));
  gst_object_ref_sink (self);
  gst_meet_udp_fanout_sink_start (GST_BASE_SINK (self));
  return self;
}

GstFlowReturn
gst_meet_udp_fanout_sink_send (GstMeetUdpFanoutSink * sink, GstBuffer * const * buffers, guint n)
{
  g_return_val_if_fail (GST_IS_MEET_UDP_FANOUT_SINK (sink), GST_FLOW_ERROR);
  return send_packets (sink, buffers, n);
}
