"""Real RTSP clients play meetrtspsink on loopback: ffmpeg/ffprobe and GStreamer's rtspsrc,
over UDP and over TCP, with and without Digest authentication."""

import os
import re
import subprocess
import unittest

from rtsp_sink_util import Server

USER, PASSWORD = "alice", "s3cret"


def run(cmd, timeout=40):
    env = os.environ.copy()
    # Sanitized builds preload ASan (tests/sanitizer-wrapper.sh): gst-launch-1.0 is plain C, so
    # the C++ runtime our plugin needs must be there from the start for ASan to intercept it.
    if "libasan" in env.get("LD_PRELOAD", ""):
        env["LD_PRELOAD"] += ":libstdc++.so.6"
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                          text=True, errors="replace", env=env)


class PeersTest(unittest.TestCase):
    auth = False
    payloaders = {}

    @classmethod
    def setUpClass(cls):
        props = "user=%s password=%s" % (USER, PASSWORD) if cls.auth else ""
        cls.server = Server(props, **cls.payloaders)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def url(self, with_credentials=True):
        if self.auth and with_credentials:
            return self.server.url.replace("rtsp://", "rtsp://%s:%s@" % (USER, PASSWORD))
        return self.server.url

    def ffmpeg(self, transport):
        out = run(["ffmpeg", "-hide_banner", "-nostdin", "-rtsp_transport", transport,
                   "-i", self.url(), "-t", "2", "-f", "null", "-"]).stdout
        frames = [int(n) for n in re.findall(r"frame=\s*(\d+)", out)]
        self.assertTrue(frames and frames[-1] >= 20, out[-2000:])
        m = re.search(r"video:\s*(\d+)kB audio:\s*(\d+)kB", out)
        self.assertTrue(m and int(m.group(2)) > 0, out[-2000:])

    def rtspsrc(self, protocol):
        cmd = ["gst-launch-1.0", "-q", "rtspsrc", "location=" + self.url(False),
               "protocols=" + protocol, "name=r"]
        if self.auth:
            cmd += ["user-id=" + USER, "user-pw=" + PASSWORD]
        cmd += ["r.", "!", "rtpjpegdepay", "!", "jpegdec", "!", "fakesink", "num-buffers=30",
                "r.", "!", "rtpL16depay", "!", "fakesink", "num-buffers=30"]
        result = run(cmd)
        if result.returncode != 0 and "gst_rtspsrc_pause" in result.stdout:
            # Known intermittent fault, not yet understood: now and then, under load, rtspsrc's
            # PAUSE at shutdown (after every buffer arrived) meets a closed connection. One rerun
            # keeps CI meaningful; a second failure, or any failure while playing, still fails.
            print("rtspsrc lost the connection at shutdown; running it once more:\n" +
                  result.stdout[-1000:])
            result = run(cmd)
        self.assertEqual(result.returncode, 0, result.stdout[-2000:])

    def test_ffmpeg_udp(self):
        self.ffmpeg("udp")

    def test_ffmpeg_tcp(self):
        self.ffmpeg("tcp")

    def test_ffprobe(self):
        out = run(["ffprobe", "-hide_banner", "-show_streams", self.url()]).stdout
        self.assertIn("codec_name=mjpeg", out, out[-2000:])
        self.assertIn("codec_name=pcm_s16be", out)
        self.assertIn("width=160", out)

    def test_rtspsrc_udp(self):
        self.rtspsrc("udp")

    def test_rtspsrc_tcp(self):
        self.rtspsrc("tcp")


class OurPayloadersTest(PeersTest):
    """The same peers, fed by meetstream's own meetjpegpay and meetpcmpay."""
    payloaders = {"jpegpay": "meetjpegpay", "pcmpay": "meetpcmpay"}


class AuthPeersTest(PeersTest):
    auth = True

    def test_wrong_password_refused(self):
        url = self.server.url.replace("rtsp://", "rtsp://%s:wrong@" % USER)
        out = run(["ffprobe", "-hide_banner", url]).stdout
        self.assertIn("401", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
