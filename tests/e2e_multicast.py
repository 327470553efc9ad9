#!/usr/bin/env python3
"""meetsrv --multicast on a test LAN of network namespaces (tests/netns_lan.py): meetsrv on host 0,
viewers on hosts 1-3, nothing sent outside the namespaces.

- host 1: meetrtspsrc protocols=udp-mcast decodes every frame from the group meetsrv handed out;
- host 2: ffmpeg -rtsp_transport udp_multicast beside it, on the same group;
- host 3: multicast blocked at its switch port: meetrtspsrc protocols=udp-mcast+udp+tcp says why and
  goes on over unicast UDP.
Needs root (CI runs as root); skipped with the reason otherwise.

    python3 tests/e2e_multicast.py
    python3 tests/e2e_multicast.py read URL PROTOCOLS FRAMES     (inside a viewer's namespace)
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from e2e_util import MEETCLI, MEETSRV, plain_env  # noqa: E402
from netns_lan import TestLan  # noqa: E402
import rtspsrc_multicast  # noqa: E402

FRAMES = 60
WAIT = 60


def read(url, protocols, frames):
    """meetrtspsrc plays meetsrv's video (audio to a fakesink) until @frames frames are decoded (or WAIT s);
    one JSON line. The one reader of the multicast tests: tests/rtspsrc_multicast.py's."""
    rtspsrc_multicast.read("meetrtspsrc", url, protocols, frames, depay="meetjpegdepay", video_only=True)


@unittest.skipIf(TestLan.available(), TestLan.available())
class MeetsrvMulticastTest(unittest.TestCase):
    def test_viewers(self):
        with TestLan(4) as lan:
            lan.block_multicast(3)
            server = lan.popen(0, [MEETSRV, "--ip", lan.address(0), "--port", "8554", "--video", "test",
                                   "--audio", "test", "--multicast", "--name", "host", "--insecure"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                lines = []
                while True:
                    line = server.stdout.readline()
                    self.assertTrue(line, "meetsrv ended:\n" + "".join(lines))
                    lines.append(line)
                    if "join the meeting at" in line:
                        break
                line = server.stdout.readline()
                self.assertIn("multicast offered", line)
                url = "rtsp://%s:8554/meet" % lan.address(0)
                readers = {
                    "meet-mcast": lan.popen(1, [sys.executable, __file__, "read", url, "udp-mcast", str(FRAMES)],
                                            stdout=subprocess.PIPE, text=True),
                    "meet-blocked": lan.popen(3, [sys.executable, __file__, "read", url, "udp-mcast+udp+tcp",
                                                  str(FRAMES)], stdout=subprocess.PIPE, text=True),
                }
                ffmpeg = lan.popen(2, ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                                       "-rtsp_transport", "udp_multicast", "-i", url, "-map", "0:v",
                                       "-frames:v", str(FRAMES), "-f", "framemd5", "-"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=plain_env())
                results = {}
                for name, proc in readers.items():
                    out, _ = proc.communicate(timeout=WAIT + 30)
                    results[name] = json.loads(out.strip().splitlines()[-1])
                    print(name, results[name], flush=True)
                out, err = ffmpeg.communicate(timeout=WAIT)
                ffmpeg_frames = len([l for l in out.splitlines() if l and not l.startswith("#")])
                print("ffmpeg", ffmpeg_frames, err.strip(), flush=True)
                # meetcli joining takes the host's streams by multicast and says so in its status lines.
                cli = lan.popen(2, [MEETCLI, url, "--name", "carol", "--headless", "--duration", "6", "--video",
                                    "test", "--audio", "test", "--status-interval", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                cli_out, _ = cli.communicate(timeout=60)
                print(cli_out, flush=True)
            finally:
                server.terminate()
                server.wait(15)
        mcast, blocked = results["meet-mcast"], results["meet-blocked"]
        self.assertEqual(mcast["errors"], [])
        self.assertGreaterEqual(mcast["frames"], FRAMES, mcast)
        self.assertEqual(mcast["transport"], "udp-mcast")
        self.assertEqual(ffmpeg_frames, FRAMES, err)
        self.assertEqual(blocked["errors"], [])
        self.assertGreaterEqual(blocked["frames"], FRAMES, blocked)
        self.assertEqual(blocked["transport"], "udp")
        self.assertTrue(any("switching to unicast UDP" in w for w in blocked["warnings"]), blocked["warnings"])
        self.assertRegex(cli_out, r"meetcli: host: live, .*, multicast")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        unittest.main()
