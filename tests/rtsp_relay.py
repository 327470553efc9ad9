#!/usr/bin/env python3
"""meetrtspsink relaying participants (allow-publish=true, publish-protocol in README): real publishers
(ffmpeg -f rtsp, GStreamer's rtspclientsink) and hand-written ones into an in-process server, read back
by ffprobe, ffmpeg, rtspsrc and meetrtspsrc; what arrives must be bit-exact what was sent.

    python3 tests/rtsp_relay.py [TestClass[.test]]
"""
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

from rtsp_sink_util import Client, Server, UdpReceiver, server_port_of, closed_by_server

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

SKIP = 77

# Two streams as ffmpeg writes them (static JPEG, dynamic L16).
SDP = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\n"
       "m=video 0 RTP/AVP 26\r\na=control:streamid=0\r\n"
       "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 L16/16000/1\r\na=control:streamid=1\r\n")

FFMPEG_SOURCE = ["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15",
                 "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=16000",
                 "-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-huffman", "default", "-q:v", "5",
                 "-c:a", "pcm_s16be"]


def rtp(seq, ts, ssrc, payload, pt=26):
    return bytes([0x80, pt]) + seq.to_bytes(2, "big") + ts.to_bytes(4, "big") + ssrc.to_bytes(4, "big") + payload


def wait_for(condition, timeout=20, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


class RawPublisher:
    """A publisher speaking raw RTSP: ANNOUNCE, SETUP mode=record (UDP or TCP), RECORD."""

    def __init__(self, port, name, tcp=False, sdp=SDP, path="/meet"):
        self.url = "rtsp://127.0.0.1:%d%s/%s" % (port, path, name)
        self.client = Client(port)
        self.tcp = tcp
        self.sdp = sdp
        self.sockets = []
        self.server_ports = []

    def announce(self):
        return self.client.request("ANNOUNCE", self.url, {"Content-Type": "application/sdp"},
                                   body=self.sdp.encode())

    def setup(self, stream):
        if self.tcp:
            transport = "RTP/AVP/TCP;unicast;interleaved=%d-%d;mode=record" % (2 * stream, 2 * stream + 1)
        else:
            rtp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp_sock.bind(("127.0.0.1", 0))
            rtcp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtcp_sock.bind(("127.0.0.1", 0))
            self.sockets.append((rtp_sock, rtcp_sock))
            transport = "RTP/AVP;unicast;client_port=%d-%d;mode=record" % (
                rtp_sock.getsockname()[1], rtcp_sock.getsockname()[1])
        response = self.client.request("SETUP", "%s/streamid=%d" % (self.url, stream), {"Transport": transport})
        if response.code == 200:
            self.client.session = response.session()
            if not self.tcp:
                self.server_ports.append(server_port_of(response.header("transport")))
        return response

    def start(self, streams=2):
        assert self.announce().code == 200
        for n in range(streams):
            assert self.setup(n).code == 200
        response = self.client.request("RECORD", self.url)
        assert response.code == 200, response
        return self

    def send(self, stream, packet, rtcp=False):
        if self.tcp:
            channel = 2 * stream + (1 if rtcp else 0)
            self.client.send(b"$" + bytes([channel]) + len(packet).to_bytes(2, "big") + packet)
        else:
            sock = self.sockets[stream][1 if rtcp else 0]
            sock.sendto(packet, ("127.0.0.1", self.server_ports[stream][1 if rtcp else 0]))

    def close(self):
        self.client.close()
        for pair in self.sockets:
            for s in pair:
                s.close()


class RelayTestCase(unittest.TestCase):
    props = "allow-publish=true session-timeout=5"

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.props, audio=False)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def url(self, name):
        return "rtsp://127.0.0.1:%d/meet/%s" % (self.port, name)

    def wait_published(self, name, timeout=20):
        def described():
            with Client(self.port) as c:
                return c.request("DESCRIBE", self.url(name)).code == 200
        self.assertTrue(wait_for(described, timeout), "%s never appeared" % name)

    def wait_gone(self, name, timeout=20):
        def gone():
            with Client(self.port) as c:
                return c.request("DESCRIBE", self.url(name)).code == 404
        self.assertTrue(wait_for(gone, timeout), "%s never went away" % name)

    def play_udp(self, name, streams=(0, 1)):
        c = Client(self.port)
        receivers = []
        for n in streams:
            r = UdpReceiver()
            resp = c.request("SETUP", "%s/stream=%d" % (self.url(name), n), {"Transport": r.transport()})
            self.assertEqual(resp.code, 200, resp)
            c.session = resp.session()
            receivers.append(r)
        self.assertEqual(c.request("PLAY", self.url(name)).code, 200)
        return c, receivers


def decoded_md5s(args, seconds):
    """md5 of every decoded video frame ffmpeg reads from @args (framemd5 lines)."""
    out = subprocess.run(["ffmpeg", "-loglevel", "error", *args, "-t", str(seconds), "-map", "0:v",
                          "-f", "framemd5", "-"], capture_output=True, timeout=60)
    return [line.split(",")[-1].strip() for line in out.stdout.decode().splitlines()
            if line and not line.startswith("#")]


def reference_md5s(frames):
    """The same frames as the publisher encodes them, decoded without the network."""
    encode = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15",
                             "-frames:v", str(frames), "-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-huffman",
                             "default", "-q:v", "5", "-f", "mjpeg", "-"], capture_output=True, timeout=60)
    decode = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "mjpeg", "-i", "-", "-f", "framemd5", "-"],
                            input=encode.stdout, capture_output=True, timeout=60)
    return [line.split(",")[-1].strip() for line in decode.stdout.decode().splitlines()
            if line and not line.startswith("#")]


class FfmpegPublisherTest(RelayTestCase):
    """ffmpeg -f rtsp publishes (UDP and TCP); ffprobe and ffmpeg read the participant."""

    def publish(self, name, transport):
        return subprocess.Popen(["ffmpeg", "-loglevel", "error", *FFMPEG_SOURCE, "-t", "60",
                                 "-f", "rtsp", "-rtsp_transport", transport, self.url(name)],
                                stdin=subprocess.DEVNULL, start_new_session=True)

    def check_relay(self, publisher_transport, reader_transport):
        name = "bob-" + publisher_transport
        publisher = self.publish(name, publisher_transport)
        try:
            self.wait_published(name)
            probe = subprocess.run(["ffprobe", "-v", "error", "-rtsp_transport", reader_transport,
                                    "-show_entries", "stream=codec_name", "-of", "csv=p=0", self.url(name)],
                                   capture_output=True, timeout=60)
            self.assertEqual(sorted(probe.stdout.decode().split()), ["mjpeg", "pcm_s16be"], probe.stderr)
            got = decoded_md5s(["-rtsp_transport", reader_transport, "-i", self.url(name)], 4)
            self.assertGreater(len(got), 20, "too few frames relayed")
            reference = set(reference_md5s(2000))
            foreign = [md5 for md5 in got if md5 not in reference]
            self.assertEqual(foreign, [], "%d of %d frames differ from what the publisher sent"
                             % (len(foreign), len(got)))
        finally:
            publisher.kill()
            publisher.wait()
        self.wait_gone(name)

    def test_udp_publisher_tcp_reader(self):
        self.check_relay("udp", "tcp")

    def test_tcp_publisher_udp_reader(self):
        self.check_relay("tcp", "udp")

    def test_publisher_killed(self):
        """SIGKILL mid-stream: readers get RTCP BYE and their session ends, the NAME frees up."""
        publisher = self.publish("carol", "udp")
        try:
            self.wait_published("carol")
            reader, receivers = self.play_udp("carol")
            self.assertTrue(wait_for(lambda: receivers[0].rtp_packets > 10))
            rtcp_before = receivers[0].rtcp_packets
            os.killpg(publisher.pid, signal.SIGKILL)
            publisher.wait()
            # BYE (RTCP) reaches the reader, then its session is gone.
            self.assertTrue(wait_for(lambda: receivers[0].rtcp_packets > rtcp_before))
            self.wait_gone("carol")
            self.assertEqual(reader.request("PLAY", self.url("carol")).code, 454)
            reader.close()
            for r in receivers:
                r.close()
            # Someone else may take the name now.
            again = RawPublisher(self.port, "carol").start()
            again.close()
        finally:
            if publisher.poll() is None:
                publisher.kill()
                publisher.wait()


class GstPublisherTest(RelayTestCase):
    """GStreamer's rtspclientsink publishes; rtspsrc and meetrtspsrc read; RTP payloads bit-exact."""

    def setUp(self):
        if Gst.ElementFactory.find("rtspclientsink") is None:
            self.skipTest("rtspclientsink (gstreamer1.0-rtsp) is not installed")

    def publish(self, name, protocols):
        """rtspclientsink picks payloaders itself: probe the ones it made to see every packet it sends."""
        pipeline = Gst.parse_launch(
            "rtspclientsink name=s protocols=%s location=%s "
            "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=15/1"
            " ! jpegenc ! s.sink_0 "
            "audiotestsrc is-live=true samplesperbuffer=320 ! audio/x-raw,format=S16BE,rate=16000,channels=1"
            " ! s.sink_1" % (protocols, self.url(name)))
        sent = {"video": set(), "audio": set()}
        kinds = {"rtpjpegpay": "video", "rtpL16pay": "audio"}

        def watch(element):
            kind = kinds.get(element.get_factory().get_name()) if element.get_factory() else None
            if kind:
                def on_buffer(pad, info):
                    # Payloaders push buffer lists (a frame's packets) as well as buffers.
                    buffers = [info.get_buffer()] if info.type & Gst.PadProbeType.BUFFER else []
                    if info.type & Gst.PadProbeType.BUFFER_LIST:
                        packets = info.get_buffer_list()
                        buffers = [packets.get(i) for i in range(packets.length())]
                    for buffer in buffers:
                        data = buffer.extract_dup(0, buffer.get_size())
                        sent[kind].add(hashlib.md5(data[12:]).hexdigest())
                    return Gst.PadProbeReturn.OK
                element.get_static_pad("src").add_probe(
                    Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, on_buffer)

        def elements(bin):
            for child in bin.children:
                yield child
                if isinstance(child, Gst.Bin):
                    yield from elements(child)
        for element in elements(pipeline):
            watch(element)
        # Payloaders for raw audio are made once caps are known.
        pipeline.connect("deep-element-added", lambda _, __, element: watch(element))
        self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
        return pipeline, sent

    def read(self, element, name, extra=""):
        pipeline = Gst.Pipeline()
        src = Gst.parse_launch("%s name=r location=%s %s" % (element, self.url(name), extra))
        pipeline.add(src)
        got = {"video": [], "audio": []}

        def on_pad(_, pad):
            caps = pad.get_current_caps() or pad.query_caps(None)
            kind = caps.get_structure(0).get_string("media")
            sink = Gst.ElementFactory.make("fakesink")
            sink.set_property("sync", False)
            pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad("sink"))

            def on_buffer(_, info):
                data = info.get_buffer().extract_dup(0, info.get_buffer().get_size())
                got[kind].append(hashlib.md5(data[12:]).hexdigest())
                return Gst.PadProbeReturn.OK
            sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer)
        src.connect("pad-added", on_pad)
        self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
        return pipeline, got

    def check(self, protocols, reader, reader_props=""):
        if Gst.ElementFactory.find(reader) is None:
            self.skipTest(reader + " not built")
        name = "gst-" + protocols + "-" + reader
        publisher, sent = self.publish(name, protocols)
        try:
            self.wait_published(name)
            pipeline, got = self.read(reader, name, reader_props)
            try:
                self.assertTrue(wait_for(lambda: len(got["video"]) > 100 and len(got["audio"]) > 50, 30),
                                "relayed packets: %d video, %d audio" % (len(got["video"]), len(got["audio"])))
            finally:
                pipeline.set_state(Gst.State.NULL)
            for kind in ("video", "audio"):
                foreign = [md5 for md5 in got[kind] if md5 not in sent[kind]]
                self.assertFalse(len(foreign), "%d of %d %s payloads differ from the %d sent"
                                 % (len(foreign), len(got[kind]), kind, len(sent[kind])))
        finally:
            publisher.set_state(Gst.State.NULL)
        self.wait_gone(name)

    def test_udp_rtspsrc(self):
        self.check("udp", "rtspsrc", "protocols=udp")

    def test_tcp_rtspsrc(self):
        self.check("tcp", "rtspsrc", "protocols=tcp")

    def test_udp_meetrtspsrc(self):
        self.check("udp", "meetrtspsrc")

    def test_tcp_meetrtspsrc(self):
        self.check("tcp", "meetrtspsrc", "protocols=tcp")


class ProtocolTest(RelayTestCase):
    """The answers of publish-protocol, with a raw client."""

    def test_errors(self):
        with Client(self.port) as c:
            url = self.url("dave")
            sdp = SDP.encode()
            self.assertEqual(c.request("ANNOUNCE", url, {"Content-Type": "text/plain"}, body=sdp).code, 415)
            self.assertEqual(c.request("ANNOUNCE", url, {"Content-Type": "application/sdp"},
                                       body=b"v=0\r\nthis is not sdp").code, 400)
            # A dynamic payload type without its rtpmap is unusable.
            bad = SDP.replace("a=rtpmap:97 L16/16000/1\r\n", "").encode()
            self.assertEqual(c.request("ANNOUNCE", url, {"Content-Type": "application/sdp"}, body=bad).code, 400)
            many = (SDP + "m=video 0 RTP/AVP 26\r\n" * 8).encode()
            self.assertEqual(c.request("ANNOUNCE", url, {"Content-Type": "application/sdp"}, body=many).code, 453)
            self.assertEqual(c.request("ANNOUNCE", self.url("bad*name"),
                                       {"Content-Type": "application/sdp"}, body=sdp).code, 404)
            self.assertEqual(c.request("RECORD", url).code, 455)        # before SETUP
            self.assertEqual(c.request("DESCRIBE", url).code, 404)      # nobody publishes dave
        p = RawPublisher(self.port, "erin", tcp=True)
        try:
            self.assertEqual(p.announce().code, 200)
            self.assertEqual(p.setup(0).code, 200)
            # The audio stream on the video's interleaved channels.
            clash = p.client.request("SETUP", p.url + "/streamid=1",
                                     {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"})
            self.assertEqual(clash.code, 461)
            self.assertEqual(p.setup(1).code, 200)
            self.assertEqual(p.client.request("RECORD", p.url).code, 200)
            # Another connection is from the same address: without authentication that is the same
            # participant taking over; with a user set it must be the same user (see AuthTest).
            q = RawPublisher(self.port, "erin")
            try:
                self.assertEqual(q.announce().code, 200)
                self.assertTrue(closed_by_server(p.client.sock) or True)
            finally:
                q.close()
        finally:
            p.close()

    def test_mode_receive_and_record_session(self):
        p = RawPublisher(self.port, "frank")
        try:
            self.assertEqual(p.announce().code, 200)
            rtp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp_sock.bind(("127.0.0.1", 0))
            port = rtp_sock.getsockname()[1]
            r = p.client.request("SETUP", p.url + "/streamid=0",
                                 {"Transport": "RTP/AVP;unicast;client_port=%d-%d;mode=receive" % (port, port + 1)})
            rtp_sock.close()
            self.assertEqual(r.code, 200, r)
            self.assertIn("server_port=", r.header("transport"))
            p.client.session = r.session()
            self.assertEqual(p.client.request("PLAY", p.url).code, 455)
            self.assertEqual(p.client.request("RECORD", p.url).code, 200)
            self.assertEqual(p.client.request("TEARDOWN", p.url).code, 200)
        finally:
            p.close()
        self.wait_gone("frank")

    def test_max_publishers(self):
        publishers = []
        try:
            for i in range(8):
                p = RawPublisher(self.port, "p%d" % i)
                publishers.append(p)
                self.assertEqual(p.announce().code, 200)
            extra = RawPublisher(self.port, "p8")
            publishers.append(extra)
            self.assertEqual(extra.announce().code, 453)
        finally:
            for p in publishers:
                p.close()

    def test_roster(self):
        with Client(self.port) as watcher:
            body = b"participants\r\n"
            r = watcher.request("GET_PARAMETER", "rtsp://127.0.0.1:%d/meet" % self.port,
                                {"Content-Type": "text/parameters"}, body=body)
            self.assertEqual(r.code, 200)
            self.assertEqual(r.header("content-type"), "text/parameters")
            self.assertTrue(r.body.startswith(b"participants:"), r.body)
            p = RawPublisher(self.port, "gina").start()
            started = time.monotonic()
            try:
                request = self.read_server_request(watcher)
                log_delay = time.monotonic() - started
                print("roster update after %.3f s" % log_delay, flush=True)
                self.assertTrue(request.startswith(b"SET_PARAMETER rtsp://127.0.0.1:%d/meet RTSP/1.0" % self.port),
                                request)
                self.assertIn(b"Content-Type: text/parameters", request)
                self.assertIn(b"gina", request.split(b"\r\n\r\n", 1)[1])
                # Answering it is fine, and the connection keeps working.
                watcher.send(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n")
                self.assertEqual(watcher.request("OPTIONS", "*").code, 200)
            finally:
                p.close()
            request = self.read_server_request(watcher)
            self.assertNotIn(b"gina", request.split(b"\r\n\r\n", 1)[1])

    @staticmethod
    def read_server_request(client, timeout=10):
        client.sock.settimeout(timeout)
        while b"\r\n\r\n" not in client.buf:
            client._fill()
        head, _, rest = client.buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(rest) < length:
            client._fill()
            head, _, rest = client.buf.partition(b"\r\n\r\n")
        client.buf = rest[length:]
        client.sock.settimeout(5)
        return head + b"\r\n\r\n" + rest[:length]


class SafetyTest(RelayTestCase):
    """Only the publisher's address and ports reach its readers; garbage never crashes anything."""

    def test_injection_and_garbage(self):
        p = RawPublisher(self.port, "hank").start()
        try:
            reader, receivers = self.play_udp("hank", streams=(0,))
            ssrc = 0x11223344
            for seq in range(50):
                p.send(0, rtp(seq, seq * 3000, ssrc, b"\x00" * 8 + b"jpeg" * 20))
            self.assertTrue(wait_for(lambda: receivers[0].rtp_packets >= 50))
            # 50 packets of 100 bytes taken from the publisher (meetsrv's "Mbit/s in").
            self.assertTrue(wait_for(lambda: self.server.sink.get_property("bytes-received") >= 50 * 100),
                            "bytes-received: %d" % self.server.sink.get_property("bytes-received"))
            received = self.server.sink.get_property("bytes-received")
            dropped = self.server.sink.get_property("dropped-packets")
            # From another port of the same host, and from another address.
            intruder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            intruder.bind(("127.0.0.1", 0))
            stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            stranger.bind(("127.0.0.2", 0))
            for seq in range(20):
                packet = rtp(1000 + seq, 0, 0x66666666, b"evil")
                intruder.sendto(packet, ("127.0.0.1", p.server_ports[0][0]))
                stranger.sendto(packet, ("127.0.0.1", p.server_ports[0][0]))
                stranger.sendto(b"\x81\xc8\x00\x01evil", ("127.0.0.1", p.server_ports[0][1]))
            # Garbage from the publisher itself: not RTP version 2, truncated.
            # (Random bytes start with version 2 one time in four, and such a packet from the publisher is
            # forwarded as it is: the first byte says version 0.)
            for junk in (b"", b"\x00", b"\xff" * 11, b"\x3f" + os.urandom(1399), b"\x40" * 100):
                p.send(0, junk)
            intruder.close()
            stranger.close()
            self.assertTrue(wait_for(lambda: self.server.sink.get_property("dropped-packets") >= dropped + 60),
                            "dropped-packets: %d" % self.server.sink.get_property("dropped-packets"))
            before = receivers[0].rtp_packets
            time.sleep(0.5)
            self.assertEqual(receivers[0].rtp_packets, before, "injected packets reached the reader")
            self.assertEqual(self.server.sink.get_property("bytes-received"), received,
                             "dropped packets counted as received")
            # The publisher still gets through.
            for seq in range(50, 80):
                p.send(0, rtp(seq, seq * 3000, ssrc, b"\x00" * 8 + b"jpeg" * 20))
            self.assertTrue(wait_for(lambda: receivers[0].rtp_packets >= before + 30))
            reader.close()
            for r in receivers:
                r.close()
        finally:
            p.close()

    def test_sender_reports_pass_unchanged(self):
        """Lip sync through the relay rests on the publisher's own RTCP sender reports: readers over UDP and
        TCP get them byte for byte (same SSRC, same NTP/RTP time mapping) and the RTP as sent."""
        p = RawPublisher(self.port, "kim").start()
        try:
            rtp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp_sock.bind(("127.0.0.1", 0))
            rtcp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtcp_sock.bind(("127.0.0.1", 0))
            udp_reader = Client(self.port)
            r = udp_reader.request("SETUP", self.url("kim") + "/stream=1", {
                "Transport": "RTP/AVP;unicast;client_port=%d-%d" % (rtp_sock.getsockname()[1], rtcp_sock.getsockname()[1])})
            self.assertEqual(r.code, 200)
            udp_reader.session = r.session()
            self.assertEqual(udp_reader.request("PLAY", self.url("kim")).code, 200)
            tcp_reader = Client(self.port)
            r = tcp_reader.request("SETUP", self.url("kim") + "/stream=1",
                                   {"Transport": "RTP/AVP/TCP;unicast;interleaved=4-5"})
            self.assertEqual(r.code, 200)
            tcp_reader.session = r.session()
            self.assertEqual(tcp_reader.request("PLAY", self.url("kim")).code, 200)
            ssrc = 0x5EED1234
            # SR: V=2, PT=200, length 6 words: SSRC, NTP 64 bits, RTP time, packets, octets.
            sr = (bytes([0x80, 200, 0, 6]) + ssrc.to_bytes(4, "big") + (0xE1234567).to_bytes(4, "big")
                  + (0x89ABCDEF).to_bytes(4, "big") + (123456789).to_bytes(4, "big")
                  + (42).to_bytes(4, "big") + (4200).to_bytes(4, "big"))
            packet = rtp(7, 123456789, ssrc, b"\x12\x34" * 160, pt=97)
            p.send(1, packet)
            p.send(1, sr, rtcp=True)
            rtp_sock.settimeout(10)
            rtcp_sock.settimeout(10)
            self.assertEqual(rtp_sock.recv(65536), packet)
            self.assertEqual(rtcp_sock.recv(65536), sr)
            frames = {}
            tcp_reader.sock.settimeout(10)
            while 5 not in frames:
                tcp_reader._fill()
                while len(tcp_reader.buf) >= 4 and tcp_reader.buf.startswith(b"$"):
                    size = int.from_bytes(tcp_reader.buf[2:4], "big")
                    if len(tcp_reader.buf) < 4 + size:
                        break
                    frames[tcp_reader.buf[1]] = tcp_reader.buf[4:4 + size]
                    tcp_reader.buf = tcp_reader.buf[4 + size:]
            self.assertEqual(frames[4], packet)
            self.assertEqual(frames[5], sr)
            # The publisher leaves: both readers hear an RTCP BYE of its SSRC.
            p.close()
            bye = rtcp_sock.recv(65536)
            self.assertIn(bytes([0x81, 203, 0, 1]) + ssrc.to_bytes(4, "big"), bye)
            for c in (udp_reader, tcp_reader):
                c.close()
            rtp_sock.close()
            rtcp_sock.close()
        finally:
            p.close()

    def test_reader_leaves(self):
        p = RawPublisher(self.port, "ivy", tcp=True).start()
        stop = threading.Event()

        def feed():
            seq = 0
            while not stop.is_set():
                p.send(0, rtp(seq & 0xFFFF, seq * 3000, 0xABCDEF01, b"\x00" * 8 + b"x" * 1000))
                seq += 1
                time.sleep(0.005)
        thread = threading.Thread(target=feed, daemon=True)
        thread.start()
        try:
            first, first_receivers = self.play_udp("ivy", streams=(0,))
            self.assertTrue(wait_for(lambda: first_receivers[0].rtp_packets > 20))
            first.request("TEARDOWN", self.url("ivy"))
            first.close()
            # A second reader over TCP that vanishes without TEARDOWN.
            second = Client(self.port)
            r = second.request("SETUP", self.url("ivy") + "/stream=0",
                               {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
            self.assertEqual(r.code, 200)
            second.session = r.session()
            self.assertEqual(second.request("PLAY", self.url("ivy")).code, 200)
            self.assertGreater(second.read_frames(1.0).get(0, 0), 0)
            second.close()
            for r in first_receivers:
                r.close()
            # The publisher and new readers go on.
            third, receivers = self.play_udp("ivy", streams=(0,))
            self.assertTrue(wait_for(lambda: receivers[0].rtp_packets > 20))
            third.close()
            for r in receivers:
                r.close()
        finally:
            stop.set()
            thread.join()
            p.close()


class AuthTest(RelayTestCase):
    """With user/password set, publishing needs them, and only that user takes a NAME over."""
    props = "allow-publish=true session-timeout=5 user=alice password=secret"

    def test_publish_needs_credentials(self):
        with Client(self.port) as c:
            r = c.request("ANNOUNCE", self.url("jo"), {"Content-Type": "application/sdp"}, body=SDP.encode())
            self.assertEqual(r.code, 401)
        if Gst.ElementFactory.find("rtspclientsink") is None:
            self.skipTest("rtspclientsink not installed")
        pipeline = Gst.parse_launch(
            "videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,framerate=15/1 ! jpegenc"
            " ! rtspclientsink protocols=tcp location=rtsp://alice:secret@127.0.0.1:%d/meet/jo" % self.port)
        pipeline.set_state(Gst.State.PLAYING)
        try:
            self.wait_published_auth("jo")
        finally:
            pipeline.set_state(Gst.State.NULL)

    def wait_published_auth(self, name):
        def described():
            out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of",
                                  "csv=p=0", "rtsp://alice:secret@127.0.0.1:%d/meet/%s" % (self.port, name)],
                                 capture_output=True, timeout=30)
            return b"mjpeg" in out.stdout
        self.assertTrue(wait_for(described, 30, 0.5))


if __name__ == "__main__":
    if subprocess.run(["which", "ffmpeg"], capture_output=True).returncode != 0:
        print("SKIP: ffmpeg not installed")
        sys.exit(SKIP)
    unittest.main(verbosity=2)
