#!/usr/bin/env python3
"""meetsrv --forward: the meeting published into another RTSP server, which its audience reads.

  record   into gst-rtsp-server in RECORD mode (tests/rtsp_record_server.py): frames decoded there
  relay    into a second meetsrv (--no-camera, meetrtspsink with allow-publish); 50 viewers play from it;
           the relay restarts mid-meeting and the forward resumes within 5 s
  all      --forward-all: a participant (meetrtspclientsink from gst-launch) appears on the relay too
  usage    option errors
"""
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import BUILD, MEETSRV, Process, Server, free_port, plain_env  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FANOUT_CLIENT = os.path.join(BUILD, "bench", "rtsp_fanout_client")


def relay_server(port):
    """A second meetsrv that only relays (its own meetrtspsink with allow-publish)."""
    proc = Process([MEETSRV, "--ip", "127.0.0.1", "--port", str(port), "--no-camera", "--name", "relay",
                    "--status-interval", "1", "--insecure"])
    proc.wait_for(r"join the meeting at rtsp://")
    return proc


def ffprobe_frames(url, seconds=2, timeout=30):
    """Video frames ffprobe decodes from @url in @seconds (0 when it cannot play it)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v",
                          "-count_frames", "-read_intervals", "%%+%d" % seconds, "-show_entries",
                          "stream=nb_read_frames", "-of", "csv=p=0", url],
                         capture_output=True, text=True, timeout=timeout, env=plain_env())
    m = re.search(r"(\d+)", out.stdout)
    return int(m.group(1)) if m else 0


def wait_playable(url, deadline_s):
    """Seconds until @url plays again (ffprobe decodes a frame), or None after @deadline_s."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if ffprobe_frames(url, seconds=1, timeout=10) > 0:
            return time.monotonic() - start
        time.sleep(0.2)
    return None


class ForwardTest(unittest.TestCase):
    def setUp(self):
        self.procs = []

    def tearDown(self):
        for proc in reversed(self.procs):
            proc.stop()

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def test_record(self):
        record = self.start(Process([sys.executable, os.path.join(HERE, "rtsp_record_server.py"),
                                     "--path", "/live"], env=plain_env()))
        m, _ = record.wait_for(r"PORT (\d+)")
        host = self.start(Server("--name", "host", "--forward", "rtsp://127.0.0.1:%s/live" % m.group(1)))
        host.wait_for(r"forwarding the meeting to rtsp://127.0.0.1:%s/live" % m.group(1))
        record.wait_for(r"FRAME video 60\b", timeout=30)
        record.wait_for(r"FRAME audio \d+", timeout=10)
        host.wait_for(r"forward to rtsp://127.0.0.1:\d+/live: publishing", timeout=10)

    def test_relay(self):
        port = free_port()
        relay = self.start(relay_server(port))
        target = "rtsp://127.0.0.1:%d/meet/hall" % port
        host = self.start(Server("--name", "host", "--forward", target))
        relay.wait_for(r"hall joined", timeout=20)

        viewers = subprocess.run([FANOUT_CLIENT, str(port), "/meet/hall", "50", "2", "3"], capture_output=True,
                                 text=True, timeout=60)
        m = re.search(r"clients=(\d+) frames_min=(\d+)", viewers.stdout)
        self.assertTrue(m, viewers.stdout + viewers.stderr)
        self.assertEqual(int(m.group(1)), 50)
        # 3 s of 30 fps to every viewer; a loaded 2-core machine may lose a few at the edges of the window.
        self.assertGreaterEqual(int(m.group(2)), 60, viewers.stdout)

        relay.stop()
        self.procs.remove(relay)
        relay = self.start(relay_server(port))
        took = wait_playable(target, 15)
        self.assertIsNotNone(took, "the forward did not come back after the relay restarted:\n" + host.output())
        relay.wait_for(r"hall joined", timeout=5)
        print("the forward resumed %.1f s after the relay restarted" % took)
        self.assertLess(took, 5.0 + 2.0, "the forward took %.1f s to resume" % took)  # + ffprobe's own start
        self.assertEqual(host.proc.poll(), None, "the meeting ended with its relay:\n" + host.output())

    def test_all(self):
        port = free_port()
        relay = self.start(relay_server(port))
        host = self.start(Server("--name", "host", "--forward", "rtsp://127.0.0.1:%d/meet" % port,
                                 "--forward-all"))
        host_port = re.search(r":(\d+)/meet", host.url).group(1)
        bob = self.start(Process(["gst-launch-1.0", "-q", "meetrtspclientsink", "name=s",
                                  "location=rtsp://127.0.0.1:%s/meet/bob" % host_port,
                                  "videotestsrc", "is-live=true", "!", "video/x-raw,format=I420,width=320,height=240",
                                  "!", "jpegenc", "!", "meetjpegpay", "!", "s.sink_0"]))
        host.wait_for(r"forwarding bob to rtsp://127.0.0.1:%d/meet/bob" % port, timeout=20)
        relay.wait_for(r"bob joined", timeout=20)
        try:
            relay.wait_for(r"host joined", timeout=30)
        except AssertionError:
            print(host.output())
            raise
        self.assertGreater(ffprobe_frames("rtsp://127.0.0.1:%d/meet/bob" % port), 0)
        self.assertGreater(ffprobe_frames("rtsp://127.0.0.1:%d/meet/host" % port), 0)
        # meetrtspsink takes publishers only under PATH/NAME: the host's forward to PATH itself is refused,
        # said in one line, and the meeting goes on.
        host.wait_for(r"forward to rtsp://127.0.0.1:%d/meet stopped" % port, timeout=5)

        bob.stop()
        relay.wait_for(r"bob left", timeout=10)
        self.assertEqual(host.proc.poll(), None)

    def test_usage(self):
        for args, message in [(["--forward-all"], "needs a --forward"),
                              (["--forward", "http://x/y"], "rtsp:// URL"),
                              (["--no-camera", "--forward", "rtsp://127.0.0.1:1/x"], "add --forward-all")]:
            out = subprocess.run([MEETSRV, "--port", "0", "--insecure"] + args, capture_output=True, text=True, timeout=20)
            self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
            self.assertIn(message, out.stderr)


if __name__ == "__main__":
    unittest.main()
