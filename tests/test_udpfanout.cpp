/* meetrtspsink's UDP fan-out: how packets are grouped into UDP segmentation offload (GSO)
 * messages (meet::plan_gso_batches), and GstMeetUdpFanoutSink sending lists of packets of mixed
 * sizes, in several memories each, to loopback receivers, with and without GSO: every receiver
 * must get every datagram byte for byte and in order. */
#include "udpfanout.h"
#include "udpfanoutsink.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "gst_test_environment.h"  /* gst_init before the tests */
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using meet::GsoBatch;
using meet::plan_gso_batches;
using Bytes = std::vector<uint8_t>;

namespace {

/* "first+count" per batch, easy to compare and to read in a failure. */
std::vector<std::string>
describe (const std::vector<GsoBatch> & batches)
{
  std::vector<std::string> out;
  for (const GsoBatch & b : batches)
    out.push_back (std::to_string (b.first) + "+" + std::to_string (b.count));
  return out;
}

std::vector<size_t>
repeat (size_t size, size_t times, std::vector<size_t> tail = {})
{
  std::vector<size_t> sizes (times, size);
  sizes.insert (sizes.end (), tail.begin (), tail.end ());
  return sizes;
}

using Strings = std::vector<std::string>;

}  // namespace

/* ---------------------------------------------------------------- plan_gso_batches */

TEST (PlanGsoBatches, NothingAndOne)
{
  EXPECT_TRUE (plan_gso_batches ({}).empty ());
  std::vector<GsoBatch> one = plan_gso_batches ({ 1400 });
  ASSERT_EQ (1u, one.size ());
  EXPECT_EQ (0u, one[0].first);
  EXPECT_EQ (1u, one[0].count);
  EXPECT_EQ (1400u, one[0].segment_size);
}

TEST (PlanGsoBatches, JpegFrameSplitByTheIpLengthLimit)
{
  /* 107 full packets and a short last one: 46 x 1400 = 64400 fits in 65507 bytes, 47 do not. */
  std::vector<GsoBatch> batches = plan_gso_batches (repeat (1400, 107, { 900 }));
  EXPECT_EQ ((Strings { "0+46", "46+46", "92+16" }), describe (batches));
  for (const GsoBatch & b : batches)
    EXPECT_EQ (1400u, b.segment_size);
  /* IPv6 headers are 20 bytes longer: 46 x 1400 still fits in 65487. */
  EXPECT_EQ ((Strings { "0+46", "46+46", "92+16" }),
      describe (plan_gso_batches (repeat (1400, 107, { 900 }), meet::kGsoMaxSegments,
              meet::kGsoMaxBytesIpv6)));
}

TEST (PlanGsoBatches, AtMost64Segments)
{
  EXPECT_EQ ((Strings { "0+64", "64+64", "128+3" }),
      describe (plan_gso_batches (repeat (100, 130, { 40 }))));
  /* The trailing short packet would be the 65th: it starts the next batch. */
  EXPECT_EQ ((Strings { "0+64", "64+1" }), describe (plan_gso_batches (repeat (100, 64, { 40 }))));
}

TEST (PlanGsoBatches, ByteLimitCountsTheShortPacket)
{
  EXPECT_EQ ((Strings { "0+3", "3+1" }),
      describe (plan_gso_batches (repeat (1000, 4), 64, 3000)));
  EXPECT_EQ ((Strings { "0+3", "3+1" }),
      describe (plan_gso_batches (repeat (1000, 3, { 500 }), 64, 3000)));
  EXPECT_EQ ((Strings { "0+3" }), describe (plan_gso_batches (repeat (1000, 2, { 500 }), 64, 3000)));
}

TEST (PlanGsoBatches, OnlyOneShorterPacketEndsARun)
{
  EXPECT_EQ ((Strings { "0+3", "3+2" }),
      describe (plan_gso_batches ({ 1400, 1400, 900, 1400, 1400 })));
  EXPECT_EQ ((Strings { "0+2", "2+1" }), describe (plan_gso_batches ({ 1400, 900, 800 })));
  /* A longer packet cannot follow: the kernel cuts at the first one's size. */
  EXPECT_EQ ((Strings { "0+1", "1+1" }), describe (plan_gso_batches ({ 1000, 1200 })));
  EXPECT_EQ ((Strings { "0+2", "2+1" }), describe (plan_gso_batches ({ 1000, 1000, 1200 })));
}

TEST (PlanGsoBatches, EmptyAndOversizedPacketsGoAlone)
{
  EXPECT_EQ ((Strings { "0+1", "1+2" }), describe (plan_gso_batches ({ 0, 100, 100 })));
  EXPECT_EQ ((Strings { "0+1", "1+1" }), describe (plan_gso_batches ({ 100, 0 })));
  EXPECT_EQ ((Strings { "0+1", "1+1", "2+1" }),
      describe (plan_gso_batches ({ 70000, 70000, 100 })));
}

TEST (PlanGsoBatches, RandomSequencesKeepTheRules)
{
  std::mt19937 random (2435);
  for (int round = 0; round < 2000; round++) {
    std::vector<size_t> sizes (random () % 200);
    for (size_t & size : sizes) {
      /* Mostly equal sizes, as from a payloader, with some others. */
      unsigned kind = random () % 10;
      size = kind < 7 ? 1200 : kind < 9 ? random () % 1300 : random () % 70000;
    }
    size_t max_segments = 1 + random () % 64;
    size_t max_bytes = 1000 + random () % 70000;
    std::vector<GsoBatch> batches = plan_gso_batches (sizes, max_segments, max_bytes);
    size_t next = 0;
    for (const GsoBatch & b : batches) {
      ASSERT_EQ (next, b.first);
      ASSERT_GE (b.count, 1u);
      next += b.count;
      ASSERT_LE (next, sizes.size ());
      ASSERT_EQ (sizes[b.first], b.segment_size);
      if (b.count == 1)
        continue;
      ASSERT_LE (b.count, max_segments);
      size_t bytes = 0;
      for (size_t i = b.first; i < b.first + b.count; i++) {
        bool last = i + 1 == b.first + b.count;
        if (last)
          ASSERT_TRUE (sizes[i] > 0 && sizes[i] <= b.segment_size);
        else
          ASSERT_EQ (b.segment_size, sizes[i]);
        bytes += sizes[i];
      }
      ASSERT_LE (bytes, max_bytes);
    }
    ASSERT_EQ (sizes.size (), next);
  }
}

/* ---------------------------------------------------------------- GstMeetUdpFanoutSink */

namespace {

class Receiver {
public:
  explicit Receiver (int family = AF_INET) {
    fd_ = socket (family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int size = 8 * 1024 * 1024;
    if (setsockopt (fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof (size)) < 0)
      setsockopt (fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof (size));
    sockaddr_storage storage {};
    socklen_t len = sizeof (storage);
    if (family == AF_INET6) {
      auto *addr = reinterpret_cast<sockaddr_in6 *> (&storage);
      addr->sin6_family = AF_INET6;
      addr->sin6_addr = in6addr_loopback;
      len = sizeof (*addr);
    } else {
      auto *addr = reinterpret_cast<sockaddr_in *> (&storage);
      addr->sin_family = AF_INET;
      addr->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      len = sizeof (*addr);
    }
    bound_ = bind (fd_, reinterpret_cast<sockaddr *> (&storage), len) == 0;
    len = sizeof (storage);
    getsockname (fd_, reinterpret_cast<sockaddr *> (&storage), &len);
    port_ = ntohs (family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *> (&storage)->sin6_port :
        reinterpret_cast<sockaddr_in *> (&storage)->sin_port);
  }
  bool bound () const { return bound_; }
  ~Receiver () { close (fd_); }
  Receiver (const Receiver &) = delete;
  Receiver & operator= (const Receiver &) = delete;
  int port () const { return port_; }

  /* Every datagram that arrives until none has come for a while. */
  std::vector<Bytes> receive_all (int quiet_ms = 300) {
    std::vector<Bytes> datagrams;
    std::vector<uint8_t> buf (70000);
    pollfd p { fd_, POLLIN, 0 };
    while (poll (&p, 1, quiet_ms) > 0) {
      ssize_t n;
      while ((n = recv (fd_, buf.data (), buf.size (), 0)) >= 0)
        datagrams.emplace_back (buf.begin (), buf.begin () + n);
    }
    return datagrams;
  }

private:
  int fd_ = -1;
  int port_ = 0;
  bool bound_ = false;
};

/* A packet of `size` bytes with a recognizable pattern, in `memories` pieces. */
GstBuffer *
make_packet (size_t size, unsigned seed, unsigned memories, Bytes & expected)
{
  expected.resize (size);
  for (size_t i = 0; i < size; i++)
    expected[i] = static_cast<uint8_t> (seed * 31 + i * 7 + (i >> 8));
  GstBuffer *buffer = gst_buffer_new ();
  size_t offset = 0;
  for (unsigned m = 0; m < memories; m++) {
    size_t piece = m + 1 == memories ? size - offset : size / memories;
    /* Empty pieces still need a valid pointer. */
    gpointer data = g_malloc (MAX (piece, 1));
    if (piece > 0)
      memcpy (data, expected.data () + offset, piece);
    gst_buffer_append_memory (buffer, gst_memory_new_wrapped (GST_MEMORY_FLAG_READONLY, data,
            piece, 0, piece, data, g_free));
    offset += piece;
  }
  return buffer;
}

class FanoutSinkTest : public ::testing::TestWithParam<bool> {
protected:
  void SetUp () override {
    GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
    socket_ = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
        G_SOCKET_PROTOCOL_UDP, nullptr);
    ASSERT_TRUE (g_socket_bind (socket_, address, FALSE, nullptr));
    g_object_unref (address);
    g_object_unref (loopback);

    sink_ = GST_ELEMENT (gst_object_ref_sink (g_object_new (GST_TYPE_MEET_UDP_FANOUT_SINK,
                "socket", socket_, "gso", GetParam (), nullptr)));
    fanout_ = GST_MEET_UDP_FANOUT_SINK (sink_);
    harness_ = gst_harness_new_with_element (sink_, "sink", nullptr);
    gst_harness_set_src_caps_str (harness_, "application/x-rtp");
    gst_harness_play (harness_);
  }
  void TearDown () override {
    gst_harness_teardown (harness_);
    gst_object_unref (sink_);
    g_socket_close (socket_, nullptr);
    g_object_unref (socket_);
  }

  /* Pushes one buffer list of packets of these sizes; returns their bytes. */
  std::vector<Bytes> push_list (const std::vector<size_t> & sizes, unsigned memories = 3) {
    std::vector<Bytes> sent (sizes.size ());
    GstBufferList *list = gst_buffer_list_new ();
    for (size_t i = 0; i < sizes.size (); i++)
      gst_buffer_list_add (list, make_packet (sizes[i], next_seed_++, memories, sent[i]));
    EXPECT_EQ (GST_FLOW_OK, gst_pad_push_list (harness_->srcpad, list));
    return sent;
  }

  /* GSO only stays on where the kernel has it. */
  bool gso_expected () {
    int value = 0;
    socklen_t len = sizeof (value);
    return GetParam () && getsockopt (g_socket_get_fd (socket_), SOL_UDP, UDP_SEGMENT, &value,
        &len) == 0;
  }
  bool gso_in_use () {
    gboolean gso;
    g_object_get (sink_, "gso", &gso, nullptr);
    return gso;
  }

  GSocket *socket_ = nullptr;
  GstElement *sink_ = nullptr;
  GstMeetUdpFanoutSink *fanout_ = nullptr;
  GstHarness *harness_ = nullptr;
  unsigned next_seed_ = 1;
};

}  // namespace

TEST_P (FanoutSinkTest, EveryReceiverGetsEveryDatagramInOrder)
{
  std::vector<Receiver> receivers (5);
  for (Receiver & r : receivers)
    gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", r.port ());

  std::vector<Bytes> expected;
  for (const std::vector<size_t> & sizes : std::vector<std::vector<size_t>> {
           repeat (1400, 107, { 900 }),             // a JPEG frame: three GSO messages
           { 1400, 1400, 900, 1400, 1400, 1400 },   // a short packet in the middle
           { 500 },                                 // one packet alone
           { 1000, 1200, 1200, 1 },                 // a longer one after a shorter one
           repeat (100, 130, { 40 }),               // more than 64 segments
           { 0, 60000, 60000, 20 },                 // empty and nearly maximal datagrams
       }) {
    std::vector<Bytes> sent = push_list (sizes);
    expected.insert (expected.end (), sent.begin (), sent.end ());
  }
  /* A single buffer goes through render() rather than render_list(). */
  Bytes single;
  EXPECT_EQ (GST_FLOW_OK, gst_harness_push (harness_, make_packet (1234, 99, 2, single)));
  expected.push_back (single);

  for (Receiver & r : receivers) {
    std::vector<Bytes> got = r.receive_all ();
    ASSERT_EQ (expected.size (), got.size ()) << "receiver on port " << r.port ();
    for (size_t i = 0; i < expected.size (); i++)
      ASSERT_EQ (expected[i], got[i]) << "datagram " << i << " to port " << r.port ();
  }
  EXPECT_EQ (gso_expected (), gso_in_use ());
}

TEST_P (FanoutSinkTest, AFailingDestinationDoesNotStopTheOthers)
{
  Receiver first, last;
  gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", first.port ());
  /* Port 0 cannot be sent to (EINVAL, with or without GSO). */
  gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", 0);
  gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", last.port ());
  std::vector<Bytes> expected = push_list (repeat (1400, 50, { 10 }));
  std::vector<Bytes> more = push_list (repeat (1400, 3));
  expected.insert (expected.end (), more.begin (), more.end ());
  EXPECT_EQ (expected, first.receive_all ());
  EXPECT_EQ (expected, last.receive_all ());
  /* That destination's error is not taken for a kernel without GSO. */
  EXPECT_EQ (gso_expected (), gso_in_use ());
}

TEST_P (FanoutSinkTest, DestinationsAreCounted)
{
  Receiver r;
  gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", r.port ());
  gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", r.port ());
  std::vector<Bytes> expected = push_list ({ 1400, 1400, 100 });
  EXPECT_EQ (expected, r.receive_all ()) << "added twice, sent once";

  gst_meet_udp_fanout_sink_remove (fanout_, "127.0.0.1", r.port ());
  expected = push_list ({ 300 });
  EXPECT_EQ (expected, r.receive_all ()) << "still added once";

  gst_meet_udp_fanout_sink_remove (fanout_, "127.0.0.1", r.port ());
  push_list ({ 300 });
  EXPECT_TRUE (r.receive_all (100).empty ());

  gst_meet_udp_fanout_sink_add (fanout_, "127.0.0.1", r.port ());
  gst_meet_udp_fanout_sink_clear (fanout_);
  push_list ({ 300 });
  EXPECT_TRUE (r.receive_all (100).empty ());

  /* Not an address: ignored. */
  gst_meet_udp_fanout_sink_add (fanout_, "not-an-address", r.port ());
  push_list ({ 300 });
  EXPECT_TRUE (r.receive_all (100).empty ());
}

INSTANTIATE_TEST_SUITE_P (Gso, FanoutSinkTest, ::testing::Bool (),
    [](const ::testing::TestParamInfo<bool> & info) {
      return std::string (info.param ? "WithGso" : "PlainDatagrams");
    });

/* An IPv6 socket reaches an IPv4 receiver through its IPv4-mapped address. */
TEST (FanoutSinkIpv6, ReachesIpv4MappedReceivers)
{
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, nullptr);
  if (!socket)
    GTEST_SKIP () << "no IPv6";
  GInetAddress *any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  GSocketAddress *address = g_inet_socket_address_new (any, 0);
  bool bound = g_socket_bind (socket, address, FALSE, nullptr);
  g_object_unref (address);
  g_object_unref (any);
  if (!bound) {
    g_object_unref (socket);
    GTEST_SKIP () << "cannot bind [::]";
  }
  GstElement *sink = GST_ELEMENT (gst_object_ref_sink (g_object_new (
              GST_TYPE_MEET_UDP_FANOUT_SINK, "socket", socket, nullptr)));
  GstHarness *h = gst_harness_new_with_element (sink, "sink", nullptr);
  gst_harness_set_src_caps_str (h, "application/x-rtp");
  gst_harness_play (h);

  Receiver r;
  gst_meet_udp_fanout_sink_add (GST_MEET_UDP_FANOUT_SINK (sink), "127.0.0.1", r.port ());
  std::vector<Bytes> expected (60);
  GstBufferList *list = gst_buffer_list_new ();
  for (size_t i = 0; i < expected.size (); i++)
    gst_buffer_list_add (list, make_packet (i + 1 < expected.size () ? 1400 : 77, i, 1,
            expected[i]));
  EXPECT_EQ (GST_FLOW_OK, gst_pad_push_list (h->srcpad, list));
  EXPECT_EQ (expected, r.receive_all ());

  gst_harness_teardown (h);
  gst_object_unref (sink);
  g_socket_close (socket, nullptr);
  g_object_unref (socket);
}

/* A route whose MTU is below the segment size refuses GSO (EMSGSIZE) but takes (fragments) plain
 * datagrams: the sink goes on with those, for this packet list and the next. */
TEST (FanoutSinkIpv6, FallsBackToPlainDatagramsWhenGsoIsRefused)
{
  Receiver r (AF_INET6);
  if (!r.bound ())
    GTEST_SKIP () << "no ::1";
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, nullptr);
  ASSERT_NE (nullptr, socket);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  ASSERT_TRUE (g_socket_bind (socket, address, FALSE, nullptr));
  g_object_unref (address);
  g_object_unref (loopback);
  ASSERT_TRUE (g_socket_set_option (socket, IPPROTO_IPV6, IPV6_MTU, 1280, nullptr));

  GstElement *sink = GST_ELEMENT (gst_object_ref_sink (g_object_new (
              GST_TYPE_MEET_UDP_FANOUT_SINK, "socket", socket, nullptr)));
  GstHarness *h = gst_harness_new_with_element (sink, "sink", nullptr);
  gst_harness_set_src_caps_str (h, "application/x-rtp");
  gst_harness_play (h);
  Receiver other (AF_INET6);
  gst_meet_udp_fanout_sink_add (GST_MEET_UDP_FANOUT_SINK (sink), "::1", r.port ());
  gst_meet_udp_fanout_sink_add (GST_MEET_UDP_FANOUT_SINK (sink), "::1", other.port ());

  std::vector<Bytes> expected;
  for (int list_index = 0; list_index < 2; list_index++) {
    GstBufferList *list = gst_buffer_list_new ();
    for (size_t i = 0; i < 20; i++) {
      expected.emplace_back ();
      gst_buffer_list_add (list, make_packet (i < 19 ? 1400 : 300, expected.size (), 2,
              expected.back ()));
    }
    EXPECT_EQ (GST_FLOW_OK, gst_pad_push_list (h->srcpad, list));
  }
  EXPECT_EQ (expected, r.receive_all ());
  EXPECT_EQ (expected, other.receive_all ());
  gboolean gso;
  g_object_get (sink, "gso", &gso, nullptr);
  EXPECT_FALSE (gso);

  gst_harness_teardown (h);
  gst_object_unref (sink);
  g_socket_close (socket, nullptr);
  g_object_unref (socket);
}
