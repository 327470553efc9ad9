/* meetstream: reads a join line with the launchers' own parser (tools/joinline.h) and prints what it
 * found, one "key=value" a line, for tests/test_secure_launch.py: meetsrv's printed line must be what
 * meetcli accepts. Exit 1 with the parser's error on stderr when it does not parse. */
#include "joinline.h"

#include <cstdio>
#include <string>

int
main (int argc, char **argv)
{
  std::string line;
  for (int i = 1; i < argc; i++)
    line += (i > 1 ? " " : "") + std::string (argv[i]);
  meet::JoinInfo info;
  std::string error;
  if (!meet::parse_join_line (line, &info, &error)) {
    std::fprintf (stderr, "joinline-check: %s\n", error.c_str ());
    return 1;
  }
  std::printf ("url=%s\nuser=%s\npasscode=%s\nfingerprint=%s\nsecure=%d\n", info.url.c_str (),
      info.user.c_str (), info.passcode.c_str (), info.fingerprint.c_str (), info.secure () ? 1 : 0);
  return 0;
}
