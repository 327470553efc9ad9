#!/usr/bin/python3
"""meetrtspsink's multicast (RFC 2326 multicast transport) on a test LAN of network namespaces
(tests/netns_lan.py): the server on host 0, viewers on hosts 1-3, nothing outside the namespaces.

- ffmpeg (-rtsp_transport udp_multicast) and GStreamer's rtspsrc (protocols=udp-mcast), each on a host
  of its own, decode every frame they are sent through the one multicast group.
- A participant publishing into the server (allow-publish) is relayed to a group of its own the same
  way: its multicast readers decode every frame of one send.
- One send per packet: the bytes the server's host puts on the wire are the same with one multicast
  viewer and with three (counted at its interface, not timed); its CPU is printed beside them.
- Unicast viewers are served beside multicast ones as before.
- The group is the server's: a client's destination= is refused (403); the reply names
  destination=GROUP;port=P-P+1;ttl=1; RTCP sender reports go to the group, and a reader's receiver
  reports to the group alone keep its session alive, while a silent reader's session times out.
Needs root (CI runs as root); skipped with the reason otherwise.
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest

from netns_lan import LanProcesses, TestLan

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "multicast_peer.py")
POOL = "239.255.42.0/24"
FRAMES = 100


def have_plugin():
    result = subprocess.run(["gst-inspect-1.0", "meetrtspsink"], capture_output=True, text=True)
    return result.returncode == 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@unittest.skipIf(TestLan.available(), TestLan.available())
@unittest.skipUnless(have_plugin(), "meetrtspsink is not built")
class MulticastSinkTest(LanProcesses, unittest.TestCase):
    def setUp(self):
        self.start_lan(4)
        # One test with the server on every address, one on its LAN address (then multicast leaves by
        # that address's interface, IP_MULTICAST_IF, and the group is joined there).
        address = "0.0.0.0" if "every_frame" in self.id() else self.lan.address(0)
        self.server = self.spawn(0, [
            "gst-launch-1.0", "-q", "meetrtspsink", "name=s", "port=8554", "session-timeout=4",
            f"address={address}", "allow-publish=true",
            f"multicast-address-pool={POOL}", "multicast-port-range=5000-5099",
            "videotestsrc", "is-live=true", "!",
            "video/x-raw,format=I420,width=320,height=240,framerate=25/1", "!", "jpegenc", "!",
            "rtpjpegpay", "!", "s.sink_0"], stderr=subprocess.PIPE)
        self.url = f"rtsp://{self.lan.address(0)}:8554/meet"
        # The server listens once a client on the LAN can connect to it.
        self.lan.wait_listening(0, 8554, self.server)
        time.sleep(1.0)   # caps negotiated

    def ffmpeg(self, host, frames, url=None):
        return self.spawn(host, ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning",
                                 "-rtsp_transport", "udp_multicast", "-i", url or self.url,
                                 "-frames:v", str(frames), "-f", "framecrc", "-"])

    def wire_rate(self, seconds):
        """Bytes a second the server's host sends, and the server's CPU share, over @seconds."""
        cpu0, tx0, t0 = cpu_seconds(self.server.pid), self.lan.tx_bytes(0), time.monotonic()
        time.sleep(seconds)
        cpu1, tx1, t1 = cpu_seconds(self.server.pid), self.lan.tx_bytes(0), time.monotonic()
        return (tx1 - tx0) / (t1 - t0), (cpu1 - cpu0) / (t1 - t0)

    def check_ffmpeg(self, proc, frames):
        out, err = proc.communicate(timeout=90)
        self.assertEqual(proc.returncode, 0, err)
        pts = [int(line.split(",")[1]) for line in out.splitlines() if line and not line.startswith("#")]
        self.assertEqual(len(pts), frames, f"ffmpeg decoded {len(pts)} of {frames} frames: {err}")
        steps = {b - a for a, b in zip(pts, pts[1:])}
        # RTP timestamps of consecutive frames: a lost frame would show as a double step.
        self.assertEqual(len(steps), 1, f"ffmpeg's frames are not consecutive (steps {sorted(steps)})")
        # ffmpeg may still warn "RTP: missed N packets": rtspsrc, a reader too, sends a few packets of
        # its own to the group's RTP port, and ffmpeg takes them for RTP of the stream (it does not
        # filter by SSRC). They are counted, not decoded, so every frame above still arrived.
        if "missed" in err:
            print("ffmpeg:", err.strip(), flush=True)
        return len(pts)

    def test_viewers_decode_every_frame_from_one_send(self):
        first = self.ffmpeg(1, 600)         # watches throughout: ~24 s
        time.sleep(4)
        one, one_cpu = self.wire_rate(4)

        second = self.ffmpeg(2, FRAMES)
        gst = self.spawn(3, [sys.executable, PEER, "rtspsrc", self.url, str(FRAMES)])
        time.sleep(3)
        three, three_cpu = self.wire_rate(3)

        self.check_ffmpeg(second, FRAMES)
        out, err = gst.communicate(timeout=90)
        self.assertEqual(gst.returncode, 0, err)
        seen = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(seen["errors"], [])
        self.assertEqual(seen["frames"], FRAMES, seen)
        self.assertEqual(seen["gaps"], 0, f"rtspsrc lost packets: {seen}")
        self.check_ffmpeg(first, 600)

        print(f"server host sends {one / 1000:.0f} kB/s with 1 multicast viewer, {three / 1000:.0f} kB/s "
              f"with 3 (ratio {three / one:.2f}; unicast would be ~3); server CPU {one_cpu * 100:.1f}% vs "
              f"{three_cpu * 100:.1f}%", flush=True)
        # Bytes, not time: three unicast viewers would triple them. The margin covers RTSP and RTCP.
        self.assertLess(three / one, 1.5, "the server sends per viewer, not once to the group")

    def test_participant_relayed_to_a_group(self):
        # bob publishes (ffmpeg over TCP) from host 1; readers of /meet/bob on hosts 2 and 3 share a group.
        url = self.url + "/bob"
        self.spawn(1, ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                       "testsrc=size=320x240:rate=25", "-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-huffman",
                       "default", "-q:v", "5", "-t", "60", "-f", "rtsp", "-rtsp_transport", "tcp", url])
        deadline = time.monotonic() + 20
        while subprocess.run(self.lan.command(2, ["ffprobe", "-v", "quiet", url]), timeout=20).returncode:
            self.assertLess(time.monotonic(), deadline, "bob never got to publish")
            time.sleep(0.5)
        first = self.ffmpeg(2, 400, url)
        time.sleep(4)
        one, one_cpu = self.wire_rate(3)
        gst = self.spawn(3, [sys.executable, PEER, "rtspsrc", url, str(FRAMES)])
        time.sleep(3)
        two, two_cpu = self.wire_rate(3)
        out, err = gst.communicate(timeout=90)
        self.assertEqual(gst.returncode, 0, err)
        seen = json.loads(out.strip().splitlines()[-1])
        self.assertEqual((seen["errors"], seen["frames"], seen["gaps"]), ([], FRAMES, 0), seen)
        self.check_ffmpeg(first, 400)
        print(f"relay of bob: server host sends {one / 1000:.0f} kB/s with 1 multicast reader, "
              f"{two / 1000:.0f} kB/s with 2 (ratio {two / one:.2f}); server CPU {one_cpu * 100:.1f}% vs "
              f"{two_cpu * 100:.1f}%", flush=True)
        self.assertLess(two / one, 1.4, "the relay sends per multicast reader, not once to the group")

    def test_group_is_the_servers_and_reports_keep_sessions(self):
        keeper = self.spawn(1, [sys.executable, PEER, "raw", self.url, "9", "1"])
        silent = self.spawn(2, [sys.executable, PEER, "raw", self.url, "9", "0"])
        # A unicast viewer beside them gets every frame as before.
        unicast = self.spawn(3, ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning",
                                 "-rtsp_transport", "udp", "-i", self.url, "-frames:v", str(FRAMES),
                                 "-f", "framecrc", "-"])
        results = []
        for p in (keeper, silent):
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
            results.append(json.loads(out.strip().splitlines()[-1]))
        print("reader with receiver reports:", results[0], "\nsilent reader:", results[1], flush=True)
        self.check_ffmpeg(unicast, FRAMES)
        for r in results:
            self.assertEqual(r["describe"], 200)
            self.assertEqual(r["setup_own_group"], 403, "a client chose the multicast group")
            self.assertEqual(r["setup"], 200)
            self.assertEqual(r["play"], 200)
            self.assertRegex(r["transport"], r"^RTP/AVP;multicast;destination=239\.255\.42\.\d+;"
                             r"port=50\d\d-50\d\d;ttl=1")
            self.assertGreater(r["rtp"], 100, "no RTP arrived through the group")
            self.assertGreater(r["sender_reports"], 0, "no RTCP sender report reached the group")
        # Both readers share the one group.
        group = [re.search(r"destination=([\d.]+);port=(\d+)", r["transport"]).groups() for r in results]
        self.assertEqual(group[0], group[1])
        # 9 s without an RTSP request, timeout 4 s: receiver reports to the group kept one alive.
        self.assertEqual(results[0]["session_after"], 200)
        self.assertIn(results[1]["session_after"], (454, "closed"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
