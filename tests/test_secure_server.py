"""meetrtspsink over rtsps:// (issue 11): GStreamer's rtspsrc (with a CA file, and refusing a
certificate it cannot trust), ffmpeg and ffprobe play it over TLS; plain and TLS clients share the
port with encryption=optional; encryption=required answers plain clients with a status they can
read; what crosses the wire of a TLS session carries no RTSP text and no JPEG, the same recording
of a plain session does; bad handshakes and bad settings are refused cleanly.

Certificates are made per run with the openssl command (a CA, a server certificate it signed for
127.0.0.1, a self-signed one)."""

import hashlib
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import gi

from rtsp_sink_util import Client, Gst, Server, closed_by_server

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

TMP = tempfile.mkdtemp(prefix="meet-secure-")


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki():
    p = lambda name: os.path.join(TMP, name)  # noqa: E731
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "3650",
            "-subj", "/CN=meetstream test CA")
    openssl("req", *ec, "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=127.0.0.1")
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-out", p("server.crt"), "-days", "3650", "-extfile", p("ext.cnf"))
    openssl("req", "-x509", *ec, "-keyout", p("self.key"), "-out", p("self.crt"), "-days", "30",
            "-subj", "/CN=127.0.0.1")
    return p


PKI = make_pki()
TLS_PROPS = "tls-cert-file=%s tls-key-file=%s" % (PKI("server.crt"), PKI("server.key"))


def run(cmd, timeout=40):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                          text=True, errors="replace")


def tls_url(server):
    return server.url.replace("rtsp://", "rtsps://")


class TlsClient(Client):
    """The raw RTSP client of rtsp_sink_util over TLS (trusting our test CA)."""

    def __init__(self, port, timeout=5, cafile=None):
        ctx = ssl.create_default_context(cafile=cafile or PKI("ca.crt"))
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.cseq = 0
        self.buf = b""
        self.frames = {}
        self.session = None


def rtspsrc_plays(test, url, protocols="tcp", ca=True, seconds=40):
    """rtspsrc plays @url until EOS (30 buffers into each sink), or returns the error text."""
    desc = ("rtspsrc name=r location=%s protocols=%s "
            "r. ! rtpjpegdepay ! jpegdec ! fakesink num-buffers=30 "
            "r. ! rtpL16depay ! fakesink num-buffers=30" % (url, protocols))
    pipeline = Gst.parse_launch(desc)
    if ca:
        pipeline.get_by_name("r").set_property("tls-database", Gio.TlsFileDatabase.new(PKI("ca.crt")))
    bus = pipeline.get_bus()
    try:
        pipeline.set_state(Gst.State.PLAYING)
        msg = bus.timed_pop_filtered(seconds * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg is None:
            return "timeout"
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            return "%s (%s)" % (err.message, debug)
        return None
    finally:
        pipeline.set_state(Gst.State.NULL)


class Recorder:
    """A TCP relay on loopback between a client and the server that keeps every byte it passes:
    what a capture of the wire would show."""

    def __init__(self, target_port):
        self.target = target_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.data = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.lock:
                    self.data += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def looks_like_jpeg(data):
    """Entropy-coded JPEG stuffs every FF it carries with a 00: in clear, most FF bytes of a
    stream of JPEG frames are followed by 00; in ciphertext about 1 in 256."""
    ff = data.count(b"\xff")
    return ff > 100 and data.count(b"\xff\x00") > ff // 4


class OptionalTest(unittest.TestCase):
    """encryption=optional: rtsp:// and rtsps:// on one port."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("encryption=optional " + TLS_PROPS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_rtspsrc_tls_ca_file(self):
        self.assertIsNone(rtspsrc_plays(self, tls_url(self.server)))

    def test_rtspsrc_tls_default_protocols(self):
        """rtspsrc as it comes (UDP first, then TCP) over rtsps://: it plays."""
        self.assertIsNone(rtspsrc_plays(self, tls_url(self.server), protocols="udp+tcp"))

    def test_rtspsrc_srtp_udp(self):
        """UDP only over rtsps://: rtspsrc reads RTP/SAVP and the MIKEY keys from the SDP and
        plays SRTP (plain RTP/AVP over UDP is refused inside TLS, so nothing else could play)."""
        self.assertIsNone(rtspsrc_plays(self, tls_url(self.server), protocols="udp"))

    def test_rtspsrc_untrusted_refused(self):
        """No CA for our certificate: rtspsrc refuses it (and the server goes on serving)."""
        error = rtspsrc_plays(self, tls_url(self.server), ca=False, seconds=20)
        self.assertIsNotNone(error)
        self.assertIsNone(rtspsrc_plays(self, tls_url(self.server)))

    def test_ffmpeg_tls(self):
        out = run(["ffmpeg", "-hide_banner", "-nostdin", "-i", tls_url(self.server), "-t", "2",
                   "-f", "null", "-"]).stdout
        frames = [int(n) for n in __import__("re").findall(r"frame=\s*(\d+)", out)]
        self.assertTrue(frames and frames[-1] >= 20, out[-2000:])

    def test_ffprobe_tls(self):
        out = run(["ffprobe", "-hide_banner", "-show_streams", tls_url(self.server)]).stdout
        self.assertIn("codec_name=mjpeg", out, out[-2000:])
        self.assertIn("codec_name=pcm_s16be", out)

    def test_plain_beside_tls(self):
        with Client(self.server.port) as plain, TlsClient(self.server.port) as secure:
            self.assertEqual(plain.request("OPTIONS", self.server.url).code, 200)
            self.assertEqual(secure.request("OPTIONS", tls_url(self.server)).code, 200)
            self.assertEqual(plain.request("DESCRIBE", self.server.url).code, 200)
            described = secure.request("DESCRIBE", tls_url(self.server))
            self.assertEqual(described.code, 200)
            self.assertIn(b"m=video", described.body)

    def test_tls_session_by_hand(self):
        """SETUP over UDP inside TLS: 461; over TCP: 200, and RTP comes interleaved in TLS. The
        certificate shown is ours."""
        with TlsClient(self.server.port) as c:
            der = c.sock.getpeercert(binary_form=True)
            with open(PKI("server.crt")) as f:
                ours = ssl.PEM_cert_to_DER_cert(f.read())
            self.assertEqual(hashlib.sha256(der).hexdigest(), hashlib.sha256(ours).hexdigest())
            url = tls_url(self.server)
            self.assertEqual(c.request("SETUP", url + "/stream=0",
                                       {"Transport": "RTP/AVP;unicast;client_port=5000-5001"}).code, 461)
            r = c.request("SETUP", url + "/stream=0",
                          {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
            self.assertEqual(r.code, 200)
            c.session = r.session()
            self.assertEqual(c.request("PLAY", url).code, 200)
            frames = c.read_frames(2)
            self.assertGreater(frames.get(0, 0), 20, frames)

    def test_srtp_udp_by_hand(self):
        """A TLS client's DESCRIBE has RTP/SAVP and a MIKEY key per stream (a plain client's has
        neither); SETUP RTP/SAVP over UDP: what arrives is SRTP - no JPEG in it - and decrypts
        with the key from the SDP (GStreamer's MIKEY reader and srtpdec); a flipped bit and a
        replayed packet are dropped."""
        with Client(self.server.port) as plain:
            body = plain.request("DESCRIBE", self.server.url).body
            self.assertIn(b"RTP/AVP", body)
            self.assertNotIn(b"key-mgmt", body)
        rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtp.bind(("127.0.0.1", 0))
        rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtcp.bind(("127.0.0.1", 0))
        port, rtcp_port = rtp.getsockname()[1], rtcp.getsockname()[1]
        packets = []
        with TlsClient(self.server.port) as c:
            url = tls_url(self.server)
            described = c.request("DESCRIBE", url)
            sdp_text = described.body.decode()
            self.assertEqual(sdp_text.count("RTP/SAVP"), 2, sdp_text)
            self.assertEqual(sdp_text.count("a=key-mgmt:mikey "), 2, sdp_text)
            r = c.request("SETUP", url + "/stream=0", {
                "Transport": "RTP/SAVP;unicast;client_port=%d-%d" % (port, rtcp_port)})
            self.assertEqual(r.code, 200)
            self.assertTrue(r.header("transport").startswith("RTP/SAVP;unicast;"), r.header("transport"))
            c.session = r.session()
            self.assertEqual(c.request("PLAY", url).code, 200)
            rtp.settimeout(2)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                try:
                    packets.append(rtp.recv(65536))
                except socket.timeout:
                    break
            c.request("TEARDOWN", url)
        rtp.close()
        rtcp.close()
        self.assertGreater(len(packets), 30)
        self.assertFalse(looks_like_jpeg(b"".join(p[12:] for p in packets)))

        gi.require_version("GstSdp", "1.0")
        from gi.repository import GstSdp
        _, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
        caps = Gst.Caps.from_string("application/x-srtp,media=video,payload=26,clock-rate=90000,"
                                    "encoding-name=JPEG,ssrc=(uint)%d" % int.from_bytes(packets[0][8:12], "big"))
        # What rtspsrc does with a media's a=key-mgmt (through gst_mikey_message_to_caps).
        sdp.get_media(0).attributes_to_caps(caps)
        self.assertIsNotNone(caps.get_structure(0).get_value("srtp-key"), caps.to_string())
        pipeline = Gst.parse_launch("appsrc name=in format=time ! srtpdec name=dec ! appsink name=out sync=false")
        src, sink = pipeline.get_by_name("in"), pipeline.get_by_name("out")
        src.set_property("caps", caps)
        pipeline.set_state(Gst.State.PLAYING)

        def push(data):
            src.emit("push-buffer", Gst.Buffer.new_wrapped(bytes(data)))

        clear = []

        def drain(until, settle=0.3):
            """Takes what srtpdec lets through until @until packets came (a loaded machine, say the
            sanitizer runs, may take seconds), then whatever else comes within @settle s."""
            deadline = time.monotonic() + 20
            while len(clear) < until and time.monotonic() < deadline:
                sample = sink.emit("try-pull-sample", int(0.5 * Gst.SECOND))
                if sample is not None:
                    buf = sample.get_buffer()
                    clear.append(buf.extract_dup(0, buf.get_size()))
            while True:
                sample = sink.emit("try-pull-sample", int(settle * Gst.SECOND))
                if sample is None:
                    return
                buf = sample.get_buffer()
                clear.append(buf.extract_dup(0, buf.get_size()))

        try:
            for p in packets[:-2]:
                push(p)
            drain(until=len(packets) - 2 - 2)

            def seq(p):
                return int.from_bytes(p[2:4], "big")

            def ssrc(p):
                return int.from_bytes(p[8:12], "big")
            out = set(seq(p) for p in clear)
            missing = [(i, seq(p), ssrc(p), len(p)) for i, p in enumerate(packets[:-2]) if seq(p) not in out]
            self.assertGreaterEqual(len(clear), len(packets) - 2 - 2,
                                    "not decrypted (index, seq, ssrc, size): %s" % missing)
            self.assertTrue(looks_like_jpeg(b"".join(p[12:] for p in clear)))
            before = len(clear)
            tampered = bytearray(packets[-2])
            tampered[20] ^= 0x01
            push(tampered)
            push(packets[-3])          # a replay
            push(packets[-1])          # the genuine next one still decrypts
            # The appsrc's queue keeps the order: once the genuine one is out, the two before it
            # were dropped or would be out too.
            drain(until=before + 1)
            self.assertEqual(len(clear), before + 1)
            self.assertEqual(clear[-1][2:4], packets[-1][2:4])   # its sequence number
        finally:
            pipeline.set_state(Gst.State.NULL)

    def test_wire_shows_nothing_in_clear(self):
        """A recording of what crosses the wire: a TLS session shows no RTSP and no JPEG; the
        same recording of a plain session shows both (so the check can fail)."""
        for secure in (True, False):
            rec = Recorder(self.server.port)
            scheme = "rtsps" if secure else "rtsp"
            url = "%s://127.0.0.1:%d/meet" % (scheme, rec.port)
            out = run(["ffmpeg", "-hide_banner", "-nostdin", "-rtsp_transport", "tcp", "-i", url,
                       "-t", "2", "-f", "null", "-"]).stdout
            self.assertIn("frame=", out, out[-2000:])
            time.sleep(0.2)
            with rec.lock:
                data = bytes(rec.data)
            rec.close()
            self.assertGreater(len(data), 20000)
            text = any(word in data for word in (b"RTSP/1.0", b"DESCRIBE", b"m=video", b"Transport:"))
            self.assertEqual(text, not secure, "secure=%s" % secure)
            self.assertEqual(looks_like_jpeg(data), not secure, "secure=%s" % secure)

    def test_bad_handshakes(self):
        """A TLS record of garbage, a client that gives up mid-handshake, one that distrusts
        us: each closed, and the server serves the next client."""
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(b"\x16\x03\x01\x00\x05hello" + b"\x00" * 64)
        self.assertTrue(closed_by_server(s, 15))
        s.close()
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(b"\x16\x03\x01")
        s.close()
        ctx = ssl.create_default_context(cafile=PKI("self.crt"))
        raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        with self.assertRaises(ssl.SSLError):
            ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        raw.close()
        with TlsClient(self.server.port) as c:
            self.assertEqual(c.request("OPTIONS", tls_url(self.server)).code, 200)

    def test_silent_connection_closed(self):
        """Nothing sent after connecting (not even the first byte): closed within the handshake
        time (10 s), so idle sockets cannot pile up."""
        s = socket.create_connection(("127.0.0.1", self.server.port))
        start = time.monotonic()
        self.assertTrue(closed_by_server(s, 30))
        self.assertLess(time.monotonic() - start, 25)
        s.close()


class RequiredTest(unittest.TestCase):
    """encryption=required: rtsps:// only."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("encryption=required " + TLS_PROPS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_plain_refused_readably(self):
        with Client(self.server.port) as c:
            c.send(b"OPTIONS %s RTSP/1.0\r\nCSeq: 5\r\n\r\n" % self.server.url.encode())
            c.sock.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.assertTrue(data.startswith(b"RTSP/1.0 403 Forbidden: this server requires rtsps:// (TLS)\r\n"),
                            data)
            self.assertIn(b"CSeq: 5\r\n", data)
            self.assertTrue(closed_by_server(c.sock))

    def test_ffprobe_plain_says_why(self):
        out = run(["ffprobe", "-hide_banner", self.server.url]).stdout
        self.assertIn("403 Forbidden: this server requires rtsps://", out)

    def test_rtspsrc_plain_refused(self):
        error = rtspsrc_plays(self, self.server.url, seconds=20)
        self.assertIsNotNone(error)

    def test_tls_served(self):
        self.assertIsNone(rtspsrc_plays(self, tls_url(self.server)))
        out = run(["ffprobe", "-hide_banner", "-show_streams", tls_url(self.server)]).stdout
        self.assertIn("codec_name=mjpeg", out, out[-2000:])


class SettingsTest(unittest.TestCase):
    def start_error(self, props):
        pipeline = Gst.parse_launch("meetrtspsink name=s address=127.0.0.1 port=0 " + props +
                                    " videotestsrc is-live=true ! jpegenc ! rtpjpegpay ! s.sink_0")
        try:
            ret = pipeline.set_state(Gst.State.PLAYING)
            msg = pipeline.get_bus().timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.ERROR)
            self.assertEqual(ret, Gst.StateChangeReturn.FAILURE)
            self.assertIsNotNone(msg)
            return msg.parse_error()[0].message
        finally:
            pipeline.set_state(Gst.State.NULL)

    def test_required_without_certificate(self):
        self.assertIn("needs a certificate", self.start_error("encryption=required"))

    def test_certificate_without_encryption(self):
        self.assertIn("encryption=none", self.start_error(TLS_PROPS))

    def test_missing_files_named(self):
        message = self.start_error("encryption=optional tls-cert-file=%s/nothing.crt tls-key-file=%s"
                                   % (TMP, PKI("server.key")))
        self.assertIn("nothing.crt", message)
        message = self.start_error("encryption=optional tls-cert-file=%s" % PKI("server.crt"))
        self.assertIn("no private key", message)

    def test_tls_certificate_property(self):
        """A GTlsCertificate instead of the files."""
        cert = Gio.TlsCertificate.new_from_files(PKI("server.crt"), PKI("server.key"))
        pipeline = Gst.parse_launch(
            "meetrtspsink name=s address=127.0.0.1 port=0 encryption=required "
            "videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! jpegenc ! rtpjpegpay ! s.sink_0 "
            "audiotestsrc is-live=true ! audioconvert ! audio/x-raw,format=S16BE,rate=44100,channels=1"
            " ! rtpL16pay ! s.sink_1")
        sink = pipeline.get_by_name("s")
        sink.set_property("tls-certificate", cert)
        try:
            self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
            url = "rtsps://127.0.0.1:%d/meet" % sink.get_property("bound-port")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not all(p.get_current_caps() for p in sink.sinkpads):
                time.sleep(0.05)
            out = run(["ffprobe", "-hide_banner", "-show_streams", url]).stdout
            self.assertIn("codec_name=mjpeg", out, out[-2000:])
        finally:
            pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        subprocess.run(["rm", "-rf", TMP])
