"""A packet capture on loopback proves what an encrypted session hides (issue 11).

As root, the test runs itself again in a network namespace of its own (`unshare -n`, loopback only,
so no other test's traffic lands in the capture) and records every packet on `lo` with an AF_PACKET
raw socket while meetrtspsink serves JPEG video and L16 audio to two readers:

(a) encrypted: meetrtspsink with TLS and encryption=required, read by meetrtspsrc over rtsps://
    (RTP inside the TLS connection) and by GStreamer's rtspsrc over rtsps:// with UDP (SRTP, RTP/SAVP);
(b) plain: the same server without TLS, read by meetrtspsrc and rtspsrc over rtsp:// (RTP/AVP, UDP).

Three detectors run over every TCP and UDP payload:
- RTSP text: a request line or an `RTSP/1.0` status line;
- JPEG entropy-coded data: in clear nearly every FF byte is followed by 00 (byte stuffing), in
  ciphertext one in 256;
- recognizable audio: the test tone's L16 samples, 256 consecutive big-endian 16-bit samples whose
  lag-1 autocorrelation is above 0.9 (a sine of 440 Hz at 44.1 kHz has 0.996; random bytes about 0).

(a) must show none of the three, (b) all three (so the check can fail). Not root: exit 77 (skipped).

MeetingCaptureTest (run only when named: `secure_capture.py MeetingCaptureTest`, test secure-capture-meeting)
does the same for a whole meeting: meetsrv (secure by default: rtsps://, passcode, pinned fingerprint) and two
meetcli participants joined with its join line, every one publishing test video and sound and playing the
others', headless, for 8 s after they receive each other; then the same meeting with `meetsrv --insecure`.
"""

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SKIP = 77
NETNS_MARK = "MEET_CAPTURE_NETNS"


def reexec_in_netns():
    """Run this file again inside a fresh network namespace with lo up; returns its exit code."""
    if os.geteuid() != 0:
        print("secure_capture: not root (an AF_PACKET socket needs CAP_NET_RAW): skipped")
        return SKIP
    if not shutil.which("unshare") or not shutil.which("ip"):
        print("secure_capture: unshare or ip missing: skipped")
        return SKIP
    env = dict(os.environ, **{NETNS_MARK: "1"})
    cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', sys.executable,
           os.path.abspath(__file__), *sys.argv[1:]]
    return subprocess.call(cmd, env=env)


if __name__ == "__main__" and os.environ.get(NETNS_MARK) != "1":
    sys.exit(reexec_in_netns())

import gi  # noqa: E402
import numpy  # noqa: E402

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4

VIDEO = ("videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=30/1"
         " ! jpegenc quality=75 ! meetjpegpay ! s.sink_0")
AUDIO = ("audiotestsrc is-live=true freq=440 volume=0.5 samplesperbuffer=441 ! audioconvert"
         " ! audio/x-raw,format=S16BE,rate=44100,channels=1 ! meetpcmpay ! s.sink_1")
READ_MEET = ("meetrtspsrc name=m location={url} {props} latency=50"
             " m.stream_0 ! queue ! meetjpegdepay ! jpegdec ! fakesink name=mv"
             " m.stream_1 ! queue ! meetpcmdepay ! fakesink name=ma")
READ_STOCK = ("rtspsrc name=r location={url} protocols=udp latency=50 tls-validation-flags=0"
              " r. ! rtpjpegdepay ! jpegdec ! fakesink name=rv"
              " r. ! rtpL16depay ! fakesink name=ra")

RTSP_TEXT = re.compile(rb"(?:(?:OPTIONS|DESCRIBE|SETUP|PLAY|PAUSE|TEARDOWN|ANNOUNCE|RECORD|"
                       rb"GET_PARAMETER|SET_PARAMETER) rtsps?://)|RTSP/1\.0 \d{3}")


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Capture:
    """Every packet on lo (each one once: the outgoing copy is skipped), as (proto, payload)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.packets = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                frame, addr = self.sock.recvfrom(65536 + 64)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            parsed = parse_frame(frame)
            if parsed:
                self.packets.append(parsed)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()
        return self.packets


def parse_frame(frame):
    """An Ethernet (lo) frame -> ('tcp'|'udp', payload) for IPv4 and IPv6, else None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        proto = ip[9]
        l4 = ip[ihl:total]
    elif ethertype == 0x86DD and len(ip) >= 40:
        proto = ip[6]
        l4 = ip[40:40 + struct.unpack("!H", ip[4:6])[0]]
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        return ("tcp", l4[(l4[12] >> 4) * 4:])
    if proto == 17 and len(l4) >= 8:
        return ("udp", l4[8:])
    return None


def rtsp_text(packets):
    """How many TCP payloads carry RTSP text."""
    return sum(1 for proto, p in packets if proto == "tcp" and RTSP_TEXT.search(p))


def jpeg_stuffing(packets):
    """(FF bytes, of them followed by 00) over every payload."""
    ff = ff00 = 0
    for _, p in packets:
        ff += p.count(b"\xff")
        ff00 += p.count(b"\xff\x00")
    return ff, ff00


def audio_windows(packets, window=256, threshold=0.9):
    """How many payloads hold @window consecutive big-endian int16 samples (at either byte
    alignment) with a lag-1 autocorrelation above @threshold: a smooth signal such as the tone."""
    found = 0
    for _, p in packets:
        if len(p) < 2 * window + 1:
            continue
        hit = False
        for align in (0, 1):
            data = p[align:]
            n = len(data) // 2
            samples = struct.unpack(">%dh" % n, data[:2 * n])
            for start in range(0, min(n - window + 1, 8 * window), window // 2):
                w = samples[start:start + window]
                mean = sum(w) / window
                d = [x - mean for x in w]
                var = sum(x * x for x in d)
                if var < window * 100.0:  # silence or a constant: not a recognizable signal
                    continue
                r1 = sum(d[i] * d[i + 1] for i in range(window - 1)) / var
                if r1 > threshold:
                    hit = True
                    break
            if hit:
                break
        found += hit
    return found


class Session:
    """meetrtspsink with video and audio plus the two readers, run for @seconds under a capture."""

    def __init__(self, tmp, encrypted, seconds=6):
        props = "address=127.0.0.1 port=0"
        if encrypted:
            props += " tls-cert-file=%s tls-key-file=%s encryption=required" % (
                os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem"))
        self.server = Gst.parse_launch("meetrtspsink name=s %s %s %s" % (props, VIDEO, AUDIO))
        self.encrypted = encrypted
        self.seconds = seconds
        self.tmp = tmp
        self.counts = {}

    def _count(self, pipeline, names):
        for name in names:
            sink = pipeline.get_by_name(name)
            sink.set_property("signal-handoffs", True)
            self.counts[name] = 0

            def handoff(_sink, _buf, _pad, name=name):
                self.counts[name] += 1
            sink.connect("handoff", handoff)

    def run(self):
        capture = Capture()
        readers = []
        try:
            assert self.server.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
            sink = self.server.get_by_name("s")
            port = sink.get_property("bound-port")
            deadline = time.monotonic() + 20
            while not all(p.get_current_caps() for p in sink.sinkpads):
                assert time.monotonic() < deadline, "server never had caps"
                time.sleep(0.05)
            scheme = "rtsps" if self.encrypted else "rtsp"
            url = "%s://127.0.0.1:%d/meet" % (scheme, port)
            props = "tls-ca-file=%s" % os.path.join(self.tmp, "cert.pem") if self.encrypted else ""
            meet = Gst.parse_launch(READ_MEET.format(url=url, props=props))
            stock = Gst.parse_launch(READ_STOCK.format(url=url))
            self._count(meet, ["mv", "ma"])
            self._count(stock, ["rv", "ra"])
            readers = [meet, stock]
            for r in readers:
                r.set_state(Gst.State.PLAYING)
            end = time.monotonic() + self.seconds
            while time.monotonic() < end:
                for r in readers:
                    msg = r.get_bus().pop_filtered(Gst.MessageType.ERROR)
                    assert msg is None, "reader error: %s" % (msg.parse_error()[0].message,)
                time.sleep(0.1)
        finally:
            for r in readers:
                r.set_state(Gst.State.NULL)
            self.server.set_state(Gst.State.NULL)
            packets = capture.stop()
        return packets


class CaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="meet-capture-")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "30", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", os.path.join(cls.tmp, "key.pem"), "-out", os.path.join(cls.tmp, "cert.pem"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def capture(self, encrypted):
        session = Session(self.tmp, encrypted)
        packets = session.run()
        for name, n in session.counts.items():
            self.assertGreater(n, 10, "%s reader %s got %d buffers: the session did not play (%s)"
                               % ("encrypted" if encrypted else "plain", name, n, session.counts))
        ff, ff00 = jpeg_stuffing(packets)
        result = {"packets": len(packets), "bytes": sum(len(p) for _, p in packets),
                  "rtsp": rtsp_text(packets), "ff": ff, "ff00": ff00,
                  "audio": audio_windows(packets), "delivered": dict(session.counts)}
        print("%s: %s" % ("encrypted" if encrypted else "plain", result))
        return result

    def test_encrypted_shows_nothing(self):
        r = self.capture(True)
        self.assertGreater(r["bytes"], 500000, "too little traffic captured to judge: %s" % r)
        self.assertEqual(r["rtsp"], 0, "RTSP text in clear: %s" % r)
        self.assertGreater(r["ff"], 1000, r)
        self.assertLess(r["ff00"] / r["ff"], 0.02, "JPEG byte stuffing visible: %s" % r)
        self.assertEqual(r["audio"], 0, "a smooth L16 signal visible: %s" % r)

    def test_plain_shows_everything(self):
        """The same detectors on a plain session find all three: the check can fail."""
        r = self.capture(False)
        self.assertGreater(r["rtsp"], 0, r)
        self.assertGreater(r["ff"], 1000, r)
        self.assertGreater(r["ff00"] / r["ff"], 0.3, "no JPEG byte stuffing seen: %s" % r)
        self.assertGreater(r["audio"], 10, "no tone seen: %s" % r)


def audio_windows_fast(packets, window=256, threshold=0.9, step=128):
    """audio_windows over every window of each payload (not only its first 2048 samples), with numpy: a
    meeting's TLS records run to 16 KiB and more audio than video would be needed to spot one otherwise."""
    found = 0
    for _, p in packets:
        if len(p) < 2 * window + 1:
            continue
        hit = False
        for align in (0, 1):
            n = (len(p) - align) // 2
            samples = numpy.frombuffer(p, dtype=">i2", count=n, offset=align).astype(numpy.float64)
            w = numpy.lib.stride_tricks.sliding_window_view(samples, window)[::step]
            d = w - w.mean(axis=1, keepdims=True)
            var = (d * d).sum(axis=1)
            r1 = (d[:, :-1] * d[:, 1:]).sum(axis=1)
            smooth = (var >= window * 100.0) & (r1 > threshold * var)
            if smooth.any():
                hit = True
                break
        found += hit
    return found


class MeetingCaptureTest(unittest.TestCase):
    """A whole meeting under the capture: meetsrv and two meetcli participants (test video and sound)."""

    SECONDS = 8

    def meeting(self, secure):
        from e2e_util import Server, participant  # noqa: E402 - only this case needs the tools
        capture = Capture()
        procs = []
        try:
            server = Server("--name", "host", "--width", "320", "--fps", "15", secure=secure)
            procs.append(server)
            if secure:
                self.assertTrue(server.url.startswith("rtsps://") and "passcode=" in server.url
                                and "fingerprint=" in server.url, server.url)
            for name in ("alice", "bob"):
                procs.append(participant(server.url, name, "--width", "320", "--fps", "15"))
            alice, bob = procs[1], procs[2]
            for proc, others in ((alice, ("bob", "host")), (bob, ("alice", "host"))):
                for other in others:
                    proc.wait_for(r"meetcli: receiving %s$" % other, timeout=60)
            time.sleep(self.SECONDS)
            for proc in (alice, bob):
                proc.send("quit")
            for proc in (alice, bob):
                proc.wait(30)
            server.stop()
        finally:
            for proc in procs:
                if proc.proc.poll() is None:
                    proc.kill()
            packets = capture.stop()
        ff, ff00 = jpeg_stuffing(packets)
        result = {"packets": len(packets), "bytes": sum(len(p) for _, p in packets),
                  "udp": sum(1 for proto, _ in packets if proto == "udp"), "rtsp": rtsp_text(packets),
                  "ff": ff, "ff00": ff00, "audio": audio_windows_fast(packets)}
        print("meeting %s: %s" % ("secure" if secure else "--insecure", result))
        return result

    def test_meeting_encrypted_shows_nothing(self):
        r = self.meeting(True)
        self.assertGreater(r["bytes"], 500000, "too little traffic captured to judge: %s" % r)
        self.assertEqual(r["rtsp"], 0, "RTSP text in clear: %s" % r)
        self.assertGreater(r["ff"], 1000, r)
        self.assertLess(r["ff00"] / r["ff"], 0.02, "JPEG byte stuffing visible: %s" % r)
        self.assertEqual(r["audio"], 0, "a smooth L16 signal visible: %s" % r)

    def test_meeting_insecure_shows_everything(self):
        """meetsrv --insecure: the same detectors find all three, so the check can fail."""
        r = self.meeting(False)
        self.assertGreater(r["rtsp"], 0, r)
        self.assertGreater(r["ff"], 1000, r)
        self.assertGreater(r["ff00"] / r["ff"], 0.3, "no JPEG byte stuffing seen: %s" % r)
        self.assertGreater(r["audio"], 10, "no tone seen: %s" % r)


if __name__ == "__main__":
    # Without names, the element sessions only: the meeting case is a test of its own (secure-capture-meeting).
    unittest.main(argv=[sys.argv[0], "-v", *(sys.argv[1:] or ["CaptureTest"])])
