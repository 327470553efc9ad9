"""meetrtspsink's srtp-suite (issue 11, SRTP cost): with aes-128-gcm (RFC 7714) the DESCRIBE over TLS
hands out AES-GCM keys by MIKEY and GStreamer's rtspsrc plays the RTP/SAVP streams over UDP; the
default stays aes-128-icm (AES_CM_128_HMAC_SHA1_80, what every SRTP peer speaks); a pad requested
before the property was set is rekeyed too.

Usage: secure_srtp_suite.py [TestClass[.test_name]]
"""

import sys
import time
import unittest

import gi

from rtsp_sink_util import AUDIO, VIDEO, Gst, Server
from secure_handshakes import TLS_PROPS, context

gi.require_version("GstSdp", "1.0")
from gi.repository import GstSdp  # noqa: E402


def described_suites(port):
    """The srtp-cipher of each stream's MIKEY key in the DESCRIBE answer over TLS."""
    import socket
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    with context().wrap_socket(raw, server_hostname="127.0.0.1") as s:
        s.sendall(b"DESCRIBE rtsps://127.0.0.1/meet RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")][0])
        while len(body) < length:
            body += s.recv(65536)
    _, sdp = GstSdp.SDPMessage.new_from_text(body[:length].decode())
    ciphers = []
    for i in range(sdp.medias_len()):
        caps = Gst.Caps.new_empty_simple("application/x-srtp")
        sdp.get_media(i).attributes_to_caps(caps)   # the key-mgmt attribute's MIKEY, as rtspsrc reads it
        ciphers.append(caps.get_structure(0).get_string("srtp-cipher"))
    return ciphers


def rtspsrc_plays_udp(port, seconds=40):
    """rtspsrc over rtsps:// with UDP only (SRTP) until 30 decoded frames and 30 audio buffers."""
    desc = ("rtspsrc name=r location=rtsps://127.0.0.1:%d/meet protocols=udp tls-validation-flags=0 "
            "r. ! rtpjpegdepay ! jpegdec ! fakesink num-buffers=30 "
            "r. ! rtpL16depay ! fakesink num-buffers=30" % port)
    pipeline = Gst.parse_launch(desc)
    try:
        pipeline.set_state(Gst.State.PLAYING)
        msg = pipeline.get_bus().timed_pop_filtered(seconds * Gst.SECOND,
                                                    Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg is None:
            return "timeout"
        if msg.type == Gst.MessageType.ERROR:
            return msg.parse_error()[0].message
        return None
    finally:
        pipeline.set_state(Gst.State.NULL)


class SrtpSuiteTest(unittest.TestCase):
    def test_default_icm(self):
        with Server(TLS_PROPS) as server:
            self.assertEqual(described_suites(server.port), ["aes-128-icm", "aes-128-icm"])

    def test_gcm_played_by_rtspsrc(self):
        with Server(TLS_PROPS + " srtp-suite=aes-128-gcm") as server:
            self.assertEqual(described_suites(server.port), ["aes-128-gcm", "aes-128-gcm"])
            self.assertIsNone(rtspsrc_plays_udp(server.port))

    def test_set_after_pads(self):
        """The pads exist before the property is set (here in NULL, after parsing): their keys follow it."""
        desc = "meetrtspsink name=s address=127.0.0.1 port=0 %s %s %s" % (
            TLS_PROPS, VIDEO.format(jpegpay="rtpjpegpay"), AUDIO.format(pcmpay="rtpL16pay"))
        pipeline = Gst.parse_launch(desc)
        sink = pipeline.get_by_name("s")
        sink.set_property("srtp-suite", "aes-256-gcm")
        try:
            self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
            port = sink.get_property("bound-port")
            deadline = time.monotonic() + 10
            while not all(pad.get_current_caps() for pad in sink.sinkpads):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            self.assertEqual(described_suites(port), ["aes-256-gcm", "aes-256-gcm"])
            self.assertIsNone(rtspsrc_plays_udp(port))
        finally:
            pipeline.set_state(Gst.State.NULL)

    def test_keys_before_the_first_packet(self):
        """A DESCRIBE over TLS after the caps but before any packet (here: never one) still hands out
        RTP/SAVP with a key per stream; the SSRC comes from the payloader's caps."""
        desc = ("meetrtspsink name=s address=127.0.0.1 port=0 %s "
                "videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240 ! jpegenc "
                "! rtpjpegpay ssrc=1234 ! valve drop=true drop-mode=forward-sticky-events ! s.sink_0" % TLS_PROPS)
        pipeline = Gst.parse_launch(desc)
        sink = pipeline.get_by_name("s")
        try:
            self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
            deadline = time.monotonic() + 10
            while not all(pad.get_current_caps() for pad in sink.sinkpads):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            self.assertEqual(described_suites(sink.get_property("bound-port")), ["aes-128-icm"])
        finally:
            pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
