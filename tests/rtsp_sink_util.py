"""Helpers for the meetrtspsink tests: a server pipeline in this process and a hand-written
RTSP client over a raw socket, so tests can say exactly which bytes go on the wire."""

import re
import socket
import threading
import time
import unittest

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)

# Small frames keep the tests light; the payloaders are GStreamer's own unless asked otherwise.
VIDEO = ("videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,framerate=30/1"
         " ! jpegenc ! {jpegpay} ! s.sink_0")
AUDIO = ("audiotestsrc is-live=true samplesperbuffer=441 ! audioconvert"
         " ! audio/x-raw,format=S16BE,rate=44100,channels=1 ! {pcmpay} ! s.sink_1")


class Server:
    """meetrtspsink on a free loopback port serving a JPEG video and an L16 audio stream."""

    def __init__(self, props="", audio=True, jpegpay="rtpjpegpay", pcmpay="rtpL16pay", video=VIDEO):
        desc = "meetrtspsink name=s address=127.0.0.1 port=0 " + props + " " + video.format(jpegpay=jpegpay)
        if audio:
            desc += " " + AUDIO.format(pcmpay=pcmpay)
        self.pipeline = Gst.parse_launch(desc)
        self.sink = self.pipeline.get_by_name("s")
        ret = self.pipeline.set_state(Gst.State.PLAYING)
        assert ret != Gst.StateChangeReturn.FAILURE, self.error()
        self.port = self.sink.get_property("bound-port")
        assert self.port > 0
        self.url = "rtsp://127.0.0.1:%d/meet" % self.port
        self.wait_ready()

    def error(self):
        msg = self.pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        return msg.parse_error()[0].message if msg else None

    def wait_ready(self, timeout=10):
        """Until every sink pad has caps, DESCRIBE answers 503."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(pad.get_current_caps() for pad in self.sink.sinkpads):
                return
            time.sleep(0.05)
        raise AssertionError("server never became ready")

    def clients(self):
        return self.sink.get_property("clients")

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ServerTestCase(unittest.TestCase):
    """Tests sharing one default server for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class Response:
    def __init__(self, code, headers, body):
        self.code = code
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def session(self):
        return self.header("session").split(";")[0]

    def __repr__(self):
        return "Response(%d, %r)" % (self.code, self.headers)


class Client:
    """One RTSP connection; also collects interleaved frames seen while reading."""

    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.cseq = 0
        self.buf = b""
        self.frames = {}  # channel -> count
        self.session = None

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, url, headers=None, session=True, body=b""):
        self.cseq += 1
        lines = ["%s %s RTSP/1.0" % (method, url), "CSeq: %d" % self.cseq]
        if session and self.session and not (headers and "Session" in headers):
            lines.append("Session: " + self.session)
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        if body:
            lines.append("Content-Length: %d" % len(body))
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return self.read_response()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def read_response(self):
        while True:
            while self.buf.startswith(b"$"):
                while len(self.buf) < 4:
                    self._fill()
                size = int.from_bytes(self.buf[2:4], "big")
                while len(self.buf) < 4 + size:
                    self._fill()
                self.frames[self.buf[1]] = self.frames.get(self.buf[1], 0) + 1
                self.buf = self.buf[4 + size:]
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0 and not self.buf.startswith(b"$"):
                break
            self._fill()
        head = self.buf[:end].decode()
        self.buf = self.buf[end + 4:]
        lines = head.split("\r\n")
        code = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", 0))
        while len(self.buf) < length:
            self._fill()
        body = self.buf[:length]
        self.buf = self.buf[length:]
        return Response(code, headers, body)

    def read_frames(self, seconds):
        """Counts interleaved frames per channel for a while."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self._fill()
            except socket.timeout:
                break
            while len(self.buf) >= 4 and self.buf.startswith(b"$"):
                size = int.from_bytes(self.buf[2:4], "big")
                if len(self.buf) < 4 + size:
                    break
                self.frames[self.buf[1]] = self.frames.get(self.buf[1], 0) + 1
                self.buf = self.buf[4 + size:]
        self.sock.settimeout(5)
        return self.frames


def closed_by_server(sock, timeout=5):
    """True when the server closes @sock (reads EOF or a reset) within @timeout."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


class UdpReceiver:
    """An RTP/RTCP port pair counting what arrives (and RTP sequence gaps), from a background
    thread. start_reports((host, port)) makes it send an RTCP receiver report there twice a
    second, as real clients do."""

    def __init__(self):
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(("127.0.0.1", 0))
        self.rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtcp.bind(("127.0.0.1", 0))
        self.rtp_port = self.rtp.getsockname()[1]
        self.rtcp_port = self.rtcp.getsockname()[1]
        self.rtp_packets = 0
        self.rtcp_packets = 0
        self.rtcp_from = None
        self.lost = 0
        self._last_seq = None
        self._keepalive_to = None
        self._stop = False
        self._threads = [threading.Thread(target=self._run, args=(s, i), daemon=True)
                         for i, s in enumerate((self.rtp, self.rtcp))]

        for t in self._threads:
            t.start()

    def _run(self, sock, is_rtcp):
        sock.settimeout(0.1)
        while not self._stop:
            try:
                data, addr = sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if is_rtcp:
                self.rtcp_packets += 1
                self.rtcp_from = addr
            elif len(data) >= 12:
                self.rtp_packets += 1
                seq = int.from_bytes(data[2:4], "big")
                if self._last_seq is not None:
                    self.lost += (seq - self._last_seq - 1) & 0xFFFF
                self._last_seq = seq

    def start_reports(self, address):
        self._keepalive_to = address
        t = threading.Thread(target=self._send_reports, daemon=True)
        self._threads.append(t)
        t.start()

    def _send_reports(self):
        # RTCP RR with no report blocks: V=2, PT=201, length 1 word, our SSRC.
        report = bytes([0x80, 201, 0, 1]) + (0x1234ABCD).to_bytes(4, "big")
        while not self._stop:
            try:
                self.rtcp.sendto(report, self._keepalive_to)
            except OSError:
                return
            time.sleep(0.5)

    def restart_loss_count(self):
        self._last_seq = None
        self.lost = 0

    def transport(self):
        return "RTP/AVP;unicast;client_port=%d-%d" % (self.rtp_port, self.rtcp_port)

    def count_for(self, seconds):
        start = self.rtp_packets
        time.sleep(seconds)
        return self.rtp_packets - start

    def close(self):
        self._stop = True
        for t in self._threads:
            t.join()
        self.rtp.close()
        self.rtcp.close()


def server_port_of(transport):
    m = re.search(r"server_port=(\d+)-(\d+)", transport)
    return int(m.group(1)), int(m.group(2))


def play_udp(port, url, streams=(0,), keepalive=False):
    """A client that sets up @streams over UDP and plays; returns (client, receivers).
    With @keepalive its receivers send RTCP receiver reports to the server."""
    c = Client(port)
    receivers = []
    for n in streams:
        # The server ports are only known after SETUP: bind first, then start reporting.
        r = UdpReceiver()
        resp = c.request("SETUP", "%s/stream=%d" % (url, n), {"Transport": r.transport()})
        assert resp.code == 200, resp
        c.session = resp.session()
        if keepalive:
            r.start_reports(("127.0.0.1", server_port_of(resp.header("transport"))[1]))
        receivers.append(r)
    resp = c.request("PLAY", url)
    assert resp.code == 200, resp
    return c, receivers
