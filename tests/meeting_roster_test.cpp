/* meetstream: the roster text meetcli and meetsrv read (tools/rosterwatch.h), without sockets. */
#include <gtest/gtest.h>

#include "rosterwatch.h"

using meet::RosterWatch;

TEST (RosterParse, NamesInJoinOrder)
{
  std::vector<std::string> names;
  ASSERT_TRUE (RosterWatch::parse ("participants: alice,bob,carol\r\n", &names));
  EXPECT_EQ (names, (std::vector<std::string> {"alice", "bob", "carol"}));
}

TEST (RosterParse, NobodyIsAnEmptyList)
{
  std::vector<std::string> names {"stale"};
  ASSERT_TRUE (RosterWatch::parse ("participants: \r\n", &names));
  EXPECT_TRUE (names.empty ());
  ASSERT_TRUE (RosterWatch::parse ("participants:", &names));
  EXPECT_TRUE (names.empty ());
}

TEST (RosterParse, OtherLinesAndSpacesAreIgnored)
{
  std::vector<std::string> names;
  ASSERT_TRUE (RosterWatch::parse ("other: 1\nparticipants:  a.b , c_d,,e-f \n", &names));
  EXPECT_EQ (names, (std::vector<std::string> {"a.b", "c_d", "e-f"}));
}

TEST (RosterParse, NoParticipantsLine)
{
  std::vector<std::string> names;
  EXPECT_FALSE (RosterWatch::parse ("", &names));
  EXPECT_FALSE (RosterWatch::parse ("participant: alice\n", &names));
  EXPECT_FALSE (RosterWatch::parse (std::string ("\0\0\n", 3), &names));
}
