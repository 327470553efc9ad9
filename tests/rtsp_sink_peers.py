"""Real RTSP clients play meetrtspsink on loopback: ffmpeg/ffprobe and GStreamer's rtspsrc,
over UDP and over TCP, with and without Digest authentication."""

import re
import subprocess
import time
import unittest

import gi

from rtsp_sink_util import Gst, Server, ServerTestCase

gi.require_version("GstRtsp", "1.0")
from gi.repository import GstRtsp  # noqa: E402

USER, PASSWORD = "alice", "s3cret"


def run(cmd, timeout=40):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                          text=True, errors="replace")


def paused_answered(message):
    """rtspsrc's progress message once the server answered its PAUSE."""
    if message.type != Gst.MessageType.PROGRESS:
        return False
    kind, code, text = message.parse_progress()
    return kind == Gst.ProgressType.COMPLETE and code == "request" and "PAUSE" in text


def wait_for(bus, seconds, wanted):
    """Pops messages until @wanted(message) or an error; returns the name of that message's type
    (None after @seconds), or fails with the error."""
    deadline = time.monotonic() + seconds
    while True:
        left = max(0.0, deadline - time.monotonic())
        message = bus.timed_pop_filtered(int(left * Gst.SECOND), Gst.MessageType.ANY)
        if message is None:
            return None
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            raise AssertionError("%s: %s (%s)" % (message.src.get_name(), error.message, debug))
        if wanted(message):
            return Gst.MessageType.get_name(message.type).upper()


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
        """rtspsrc plays until EOS (30 buffers into each sink; over TCP it ends both streams once
        one has its 30), then stops: PAUSE, then TEARDOWN.

        Each request must be answered before the next state change: when a state change flushes
        rtspsrc's connection while its thread writes a request, GStreamer 1.22's GstRTSPConnection
        reports the cancelled write as "Received end-of-file" and rtspsrc posts an error, although
        nothing was sent and the connection is up (FlushedSendTest). Stopping in one go (as
        gst-launch-1.0 does at EOS), PAUSED->READY flushes the PAUSE being written; and READY->NULL
        flushes a TEARDOWN still unanswered after teardown-timeout (100 ms by default)."""
        desc = ("rtspsrc name=r location=%s protocols=%s teardown-timeout=%d "
                % (self.url(False), protocol, 20 * Gst.SECOND))
        if self.auth:
            desc += "user-id=%s user-pw=%s " % (USER, PASSWORD)
        desc += ("r. ! rtpjpegdepay ! jpegdec ! fakesink num-buffers=30 "
                 "r. ! rtpL16depay ! fakesink num-buffers=30")
        pipeline = Gst.parse_launch(desc)
        pipeline.set_property("auto-flush-bus", False)  # keep what shutdown posts
        bus = pipeline.get_bus()
        try:
            pipeline.set_state(Gst.State.PLAYING)
            self.assertEqual(wait_for(bus, 40, lambda m: m.type == Gst.MessageType.EOS), "EOS")
            pipeline.set_state(Gst.State.PAUSED)
            self.assertEqual(wait_for(bus, 10, paused_answered), "PROGRESS")
            pipeline.set_state(Gst.State.NULL)
            wait_for(bus, 0, lambda m: False)  # fails on an error posted while stopping
        finally:
            pipeline.set_state(Gst.State.NULL)

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


class FlushedSendTest(ServerTestCase):
    def test_send_while_flushing_fails_with_the_connection_up(self):
        """Why rtspsrc stopped in one go can fail, without a race: a request written while its
        GstRTSPConnection is flushing fails (GStreamer 1.22 says "end-of-file") although nothing
        was sent and the connection to meetrtspsink is still up."""
        res, url = GstRtsp.RTSPUrl.parse(self.server.url)
        res, conn = GstRtsp.RTSPConnection.create(url)
        self.assertEqual(conn.connect_usec(5 * 1000000), GstRtsp.RTSPResult.OK)
        try:
            conn.flush(True)  # rtspsrc's TEARDOWN command does this to a request in progress
            res, pause = GstRtsp.rtsp_message_new_request(GstRtsp.RTSPMethod.PAUSE, self.server.url)
            self.assertIn(conn.send_usec(pause, 5 * 1000000),
                          (GstRtsp.RTSPResult.EEOF, GstRtsp.RTSPResult.EINTR))
            conn.flush(False)
            res, options = GstRtsp.rtsp_message_new_request(GstRtsp.RTSPMethod.OPTIONS, "*")
            self.assertEqual(conn.send_usec(options, 5 * 1000000), GstRtsp.RTSPResult.OK)
            res, response = conn.receive_usec(5 * 1000000)
            self.assertEqual(res, GstRtsp.RTSPResult.OK)
            self.assertEqual(response.parse_response()[1], GstRtsp.RTSPStatusCode.OK)
        finally:
            conn.close()


class AuthPeersTest(PeersTest):
    auth = True

    def test_wrong_password_refused(self):
        url = self.server.url.replace("rtsp://", "rtsp://%s:wrong@" % USER)
        out = run(["ffprobe", "-hide_banner", url]).stdout
        self.assertIn("401", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
