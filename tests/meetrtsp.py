"""Shared helpers of the reliability tests (suites faults, security, load): a meetrtspsink server run as a
gst-launch-1.0 process, a raw RTSP client with Digest authentication, and RTP receivers.

Everything stays on 127.0.0.1 and is bounded in time. Tests exit 77 (meson's SKIP) when an element they
need is not in the build.
"""
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

LOOPBACK = "127.0.0.1"
SKIP = 77

Gst.init(None)


def require_elements(*names):
    """Exits 77 (SKIP) when an element is not available."""
    missing = [name for name in names if Gst.ElementFactory.find(name) is None]
    if missing:
        print(f"SKIP: element(s) not built yet: {', '.join(missing)}")
        sys.exit(SKIP)


def has_element(name):
    return Gst.ElementFactory.find(name) is not None


def free_port():
    """A TCP port that was free a moment ago (bind port 0, close): gst-launch-1.0 cannot print bound-port
    before it is listening, so the test picks the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def log(*args):
    print(*args, flush=True)


class Server:
    """meetrtspsink in a gst-launch-1.0 process with a JPEG video stream (stream=0, a black/white blink of
    `framerate` frames a second) and an L16 audio stream (stream=1, 1 kHz ticks once a second)."""

    def __init__(self, path="/meet", width=320, height=240, framerate=10, audio=True, **props):
        self.path = path
        self.props = dict(props)
        self.props.setdefault("session-timeout", 10)
        jpegpay = "meetjpegpay" if has_element("meetjpegpay") else "rtpjpegpay"
        pcmpay = "meetpcmpay" if has_element("meetpcmpay") else "rtpL16pay"
        self.launch = [
            "gst-launch-1.0", "-q", "meetrtspsink", "name=s", f"address={LOOPBACK}", f"path={path}",
            *[f"{key}={value}" for key, value in self.props.items()],
            "videotestsrc", "is-live=true", "pattern=blink", "!",
            f"video/x-raw,format=I420,width={width},height={height},framerate={framerate}/1", "!",
            "jpegenc", "quality=60", "!", jpegpay, "!", "s.sink_0"]
        if audio:
            self.launch += [
                "audiotestsrc", "is-live=true", "wave=ticks", "samplesperbuffer=320", "!",
                "audio/x-raw,format=S16BE,rate=16000,channels=1", "!", pcmpay, "!", "s.sink_1"]
        self.process = None
        self.port = None

    def start(self, timeout=15):
        for _ in range(5):
            self.port = free_port()
            command = self.launch[:3] + [f"port={self.port}"] + self.launch[3:]
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                            start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if self._ready():
                    return self
                time.sleep(0.1)
            output = self.stop()
            if "ddress already in use" not in output:   # someone took the port: pick another
                raise RuntimeError(f"meetrtspsink did not start listening:\n{output}")
        raise RuntimeError("meetrtspsink found no free port in 5 tries")

    def _ready(self):
        """Listening, and past the 503 it answers DESCRIBE with until every stream has caps."""
        try:
            with RtspClient(self.port, self.props.get("user"), self.props.get("password"), timeout=2) as client:
                client.path = self.path
                response = client.request("DESCRIBE", self.url(), ["Accept: application/sdp"])
                return response.code != 503
        except (OSError, ValueError):
            return False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        output = self.stop()
        if exc[0] is not None and output:
            log("server output:\n" + output[-4000:])

    def stop(self):
        if self.process is None:
            return ""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                # gst-launch-1.0 spins after a crash ("Caught SIGSEGV"): the output says so.
                self.process.kill()
                self.process.wait()
        output = self.process.stdout.read().decode(errors="replace")
        self.process.stdout.close()
        self.process = None
        return output

    def alive(self):
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self):
        return self.process.pid

    def url(self, suffix=""):
        return f"rtsp://{LOOPBACK}:{self.port}{self.path}{suffix}"

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as status:
            return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))

    def open_files(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))


class Response:
    def __init__(self, code, reason, headers, body):
        self.code = code
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def __repr__(self):
        return f"<RTSP {self.code} {self.reason}>"


def digest_response(user, password, realm, nonce, method, uri):
    """RFC 2617 Digest without qop (what RTSP servers and clients use)."""
    def md5(text):
        return hashlib.md5(text.encode()).hexdigest()
    return md5(f"{md5(f'{user}:{realm}:{password}')}:{nonce}:{md5(f'{method}:{uri}')}")


class RtspClient:
    """One RTSP connection speaking raw bytes, so tests can also send what a real client never would."""

    def __init__(self, port, user=None, password=None, timeout=10):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.port = port
        self.user = user
        self.password = password
        self.cseq = 0
        self.buffer = b""
        self.session = None
        self.challenge = None           # (realm, nonce) of the last 401
        self.interleaved = []           # (channel, bytes) frames received while waiting for responses

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def _read_more(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buffer += data

    def read_response(self):
        while True:
            if self.buffer.startswith(b"$"):
                if len(self.buffer) >= 4:
                    length = int.from_bytes(self.buffer[2:4], "big")
                    if len(self.buffer) >= 4 + length:
                        self.interleaved.append((self.buffer[1], self.buffer[4:4 + length]))
                        self.buffer = self.buffer[4 + length:]
                        continue
                self._read_more()
                continue
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                self._read_more()
                continue
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            match = re.match(r"RTSP/1\.0 (\d{3}) ?(.*)", head[0])
            if not match:
                raise ValueError(f"not an RTSP response: {head[0]!r}")
            headers = [tuple(part.strip() for part in line.split(":", 1)) for line in head[1:] if ":" in line]
            length = int(dict((k.lower(), v) for k, v in headers).get("content-length", 0))
            while len(self.buffer) < end + 4 + length:
                self._read_more()
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            return Response(int(match.group(1)), match.group(2), headers, body.decode("latin-1"))

    def request(self, method, uri, headers=(), body="", auth=True, session=True):
        """Sends one request and returns its response; answers a 401 Digest challenge once when the
        client has credentials."""
        for attempt in range(2):
            self.cseq += 1
            lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {self.cseq}", "User-Agent: meetstream-tests"]
            if session and self.session and not any(h.lower().startswith("session:") for h in headers):
                lines.append(f"Session: {self.session}")
            if auth and self.user is not None and self.challenge:
                realm, nonce = self.challenge
                lines.append(f'Authorization: Digest username="{self.user}", realm="{realm}", '
                             f'nonce="{nonce}", uri="{uri}", '
                             f'response="{digest_response(self.user, self.password, realm, nonce, method, uri)}"')
            lines += list(headers)
            if body:
                lines.append(f"Content-Length: {len(body)}")
            self.send_raw(("\r\n".join(lines) + "\r\n\r\n" + body).encode("latin-1"))
            response = self.read_response()
            challenge = response.header("WWW-Authenticate")
            if response.code == 401 and challenge and challenge.startswith("Digest"):
                self.challenge = (re.search(r'realm="([^"]*)"', challenge).group(1),
                                  re.search(r'nonce="([^"]*)"', challenge).group(1))
                if auth and self.user is not None and attempt == 0:
                    continue
            return response

    def setup(self, stream, transport):
        response = self.request("SETUP", f"rtsp://{LOOPBACK}:{self.port}{self.path_of(stream)}",
                                [f"Transport: {transport}"])
        if response.code == 200 and response.header("Session"):
            self.session = response.header("Session").split(";")[0].strip()
        return response

    path = "/meet"

    def path_of(self, stream):
        return f"{self.path}/stream={stream}"

    def play(self):
        return self.request("PLAY", f"rtsp://{LOOPBACK}:{self.port}{self.path}", ["Range: npt=0-"])

    def teardown(self):
        return self.request("TEARDOWN", f"rtsp://{LOOPBACK}:{self.port}{self.path}")


def udp_pair():
    """Two UDP sockets (RTP, RTCP) on 127.0.0.1 with ports chosen by the OS."""
    socks = []
    for _ in range(2):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind((LOOPBACK, 0))
        sock.setblocking(False)
        socks.append(sock)
    return socks


class RtpCounter:
    """Sequence-number bookkeeping of one RTP stream: packets, gaps (lost), longest silence."""

    def __init__(self):
        self.packets = 0
        self.lost = 0
        self.last_seq = None
        self.last_time = None
        self.longest_gap = 0.0

    def add(self, packet, now=None):
        if len(packet) < 12 or packet[0] >> 6 != 2:
            return
        now = time.monotonic() if now is None else now
        seq = int.from_bytes(packet[2:4], "big")
        if self.last_seq is not None:
            delta = (seq - self.last_seq) & 0xffff
            if 1 < delta < 0x8000:
                self.lost += delta - 1
            self.longest_gap = max(self.longest_gap, now - self.last_time)
        self.last_seq = seq
        self.last_time = now
        self.packets += 1


class UdpWatcher:
    """A client playing both streams over UDP on its own RTSP connection, counting what arrives."""

    def __init__(self, server, streams=(0, 1), user=None, password=None):
        self.client = RtspClient(server.port, user=user, password=password)
        self.client.path = server.path
        self.sockets = {}
        self.counters = {}
        for stream in streams:
            rtp, rtcp = udp_pair()
            ports = f"{rtp.getsockname()[1]}-{rtcp.getsockname()[1]}"
            response = self.client.setup(stream, f"RTP/AVP;unicast;client_port={ports}")
            if response.code != 200:
                raise AssertionError(f"SETUP stream={stream} answered {response}")
            self.sockets[stream] = (rtp, rtcp)
            self.counters[stream] = RtpCounter()
        response = self.client.play()
        if response.code != 200:
            raise AssertionError(f"PLAY answered {response}")

    def poll(self):
        """Reads every datagram waiting; returns how many."""
        count = 0
        now = time.monotonic()
        for stream, (rtp, _) in self.sockets.items():
            while True:
                try:
                    packet = rtp.recv(65536)
                except BlockingIOError:
                    break
                self.counters[stream].add(packet, now)
                count += 1
        return count

    def close(self):
        try:
            self.client.teardown()
        except (OSError, ValueError):
            pass
        self.client.close()
        for rtp, rtcp in self.sockets.values():
            rtp.close()
            rtcp.close()
