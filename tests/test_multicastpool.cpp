/* Unit tests of meet::MulticastPool: the server's own multicast groups, one per stream. */
#include "multicastpool.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using meet::MulticastPool;

namespace {

MulticastPool
pool (const std::string & range = "239.255.42.0/24", const std::string & ports = "5000-5999",
    unsigned ttl = 1)
{
  std::string error;
  auto result = MulticastPool::parse (range, ports, ttl, error);
  EXPECT_TRUE (result.has_value ()) << error;
  return *result;
}

TEST (MulticastPool, OneGroupPerStreamSharedByItsReaders)
{
  MulticastPool p = pool ();
  auto video = p.acquire ("meet/stream=0");
  auto again = p.acquire ("meet/stream=0");
  auto audio = p.acquire ("meet/stream=1");
  ASSERT_TRUE (video && again && audio);
  EXPECT_EQ (video->address, again->address);
  EXPECT_EQ (video->rtp_port, again->rtp_port);
  EXPECT_NE (video->address, audio->address);
  /* A reader's socket on a port takes every joined group's packets to it: streams need ports of their own. */
  EXPECT_NE (video->rtp_port, audio->rtp_port);
  EXPECT_EQ (video->rtp_port % 2, 0);
  EXPECT_EQ (video->rtcp_port, video->rtp_port + 1);
  EXPECT_EQ (p.readers ("meet/stream=0"), 2u);
  EXPECT_EQ (video->transport_params (), "destination=239.255.42.0;port=5000-5001;ttl=1");
}

TEST (MulticastPool, ReleasedWhenTheLastReaderLeaves)
{
  MulticastPool p = pool ("239.255.42.7/32", "5000-5001");
  ASSERT_EQ (p.capacity (), 1u);
  ASSERT_TRUE (p.acquire ("a"));
  ASSERT_TRUE (p.acquire ("a"));
  EXPECT_FALSE (p.acquire ("b")) << "the only group is taken";
  p.release ("a");
  EXPECT_FALSE (p.acquire ("b")) << "a still has a reader";
  p.release ("a");
  EXPECT_EQ (p.readers ("a"), 0u);
  auto b = p.acquire ("b");
  ASSERT_TRUE (b);
  EXPECT_EQ (b->address, "239.255.42.7");
  p.release ("never-acquired");
}

TEST (MulticastPool, PortsVaryOnceAddressesRunOut)
{
  MulticastPool p = pool ("239.255.42.0/31", "6000-6003");
  std::set<std::string> seen;
  for (int i = 0; i < 4; i++) {
    auto g = p.acquire ("s" + std::to_string (i));
    ASSERT_TRUE (g);
    EXPECT_TRUE (seen.insert (g->address + ":" + std::to_string (g->rtp_port)).second);
  }
  EXPECT_FALSE (p.acquire ("s4"));
}

TEST (MulticastPool, TtlIsTheConfiguredOne)
{
  MulticastPool p = pool ("239.255.42.0/24", "5000-5999", 4);
  EXPECT_EQ (p.acquire ("x")->ttl, 4u);
}

TEST (MulticastPool, RefusesWhatIsNotAMulticastPool)
{
  std::string error;
  for (const char *bad : { "10.0.0.0/24", "192.168.1.1", "239.255.42.0/33", "239.255.42.0/x",
           "224.0.0.0/24", "224.0.0.0/8", "", "239.255.42", "239.255.42.0/", "::1/128" }) {
    error.clear ();
    EXPECT_FALSE (MulticastPool::parse (bad, "5000-5999", 1, error)) << bad;
    EXPECT_FALSE (error.empty ()) << bad;
  }
  for (const char *bad : { "5001-5999", "5000", "5000-4000", "80-90", "5000-70000", "a-b", "" }) {
    error.clear ();
    EXPECT_FALSE (MulticastPool::parse ("239.255.42.0/24", bad, 1, error)) << bad;
    EXPECT_FALSE (error.empty ()) << bad;
  }
  EXPECT_FALSE (MulticastPool::parse ("239.255.42.0/24", "5000-5999", 0, error));
  EXPECT_FALSE (MulticastPool::parse ("239.255.42.0/24", "5000-5999", 256, error));
  EXPECT_TRUE (MulticastPool::parse ("239.255.42.9/24", "5000-5999", 1, error)) << error;
  EXPECT_TRUE (MulticastPool::parse ("224.0.1.0/24", "5000-5999", 1, error)) << error;
}

TEST (MulticastPool, HostBitsOfThePoolAreIgnored)
{
  MulticastPool p = pool ("239.255.42.9/24");
  EXPECT_EQ (p.acquire ("x")->address, "239.255.42.0");
}

}  // namespace
