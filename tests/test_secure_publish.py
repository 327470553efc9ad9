"""Publishing as SRTP over rtsps:// (issue 11, the publishing side).

meetrtspclientsink over an rtsps:// URL announces RTP/SAVP streams keyed with MIKEY and sends SRTP
over UDP: into gst-rtsp-server's RECORD mode with the SAVP profile only (its depay0 decodes the
frames), and into meetrtspsink encryption=required, read back by a viewer over rtsps://. GStreamer's
rtspclientsink (profiles=savp) publishes into meetrtspsink the same way. A forged (one bit
flipped) or replayed SRTP packet sent from the publisher's own address and port is dropped and
counted in meetrtspsink's dropped-packets while the publish goes on; with encryption=required a
publisher asking for plain RTP/AVP over UDP is answered 461 with a sentence.

The last two cases publish with a hand-made RTSP client (ssl sockets) whose SRTP comes from a
GStreamer srtpenc, so the test owns the UDP socket the packets leave from.

Certificates are made per run with the openssl command (a CA and a server certificate it signed
for 127.0.0.1).

Usage: test_secure_publish.py CASE (one meson test per case)."""

import os
import socket
import ssl
import sys
import tempfile
import threading
import time

from rtsp_publish import Publisher, Reader, RecordServer, WAIT, run_cases, split_request, wait_until
from rtsp_sink_util import Gst, Server

import gi  # noqa: E402
gi.require_version("GstSdp", "1.0")
from gi.repository import GstSdp  # noqa: E402
import secure_pki

TMP = tempfile.mkdtemp(prefix="meet-secure-publish-")
SKIP = 77


def p(name):
    return os.path.join(TMP, name)


def make_pki():
    secure_pki.make_ca_and_server(TMP)


make_pki()
CA = "tls-ca-file=" + p("ca.crt")


def have(*factories):
    missing = [f for f in factories if Gst.ElementFactory.find(f) is None]
    if missing:
        print("SKIP: no %s" % ", ".join(missing))
        sys.exit(SKIP)


def secure_server(extra=""):
    """meetrtspsink with TLS required and publishing on (its own video stream beside)."""
    return Server("encryption=required allow-publish=true session-timeout=20 tls-cert-file=%s "
                  "tls-key-file=%s %s" % (p("server.crt"), p("server.key"), extra), audio=False)


def tls_url(server, name):
    return server.url.replace("rtsp://", "rtsps://") + "/" + name


def read_back(url, frames=30):
    """A viewer of @url over rtsps:// (interleaved inside TLS): decoded frames' md5s."""
    reader = Reader("meetrtspsrc", url, CA + " protocols=tcp").play()
    try:
        assert wait_until(lambda: len(reader.frames) >= frames, WAIT), \
            "only %d frames read back from %s" % (len(reader.frames), url)
        return list(reader.frames)
    finally:
        reader.stop()


# --------------------------------------------------------------------------------------------------
# meetrtspclientsink

def case_sink_savp_into_gst_rtsp_server():
    """gst-rtsp-server RECORD with profiles SAVP only: it takes nothing but SRTP."""
    have("srtpenc", "srtpdec")
    with RecordServer("--tls-cert", p("server.crt"), "--tls-key", p("server.key"), "--video-only",
                      "--profiles", "savp") as server:
        url = server.url().replace("rtsp://", "rtsps://")
        publisher = Publisher(url, CA, audio=False).play()
        try:
            publisher.wait_for("30 frames decoded by gst-rtsp-server", lambda: server.count("video") >= 30)
        finally:
            publisher.stop()
        setups = server.lines("REQUEST SETUP")
        print(setups)
        assert setups and all("RTP/SAVP" in s and "client_port=" in s for s in setups), setups
        assert not server.lines("RESPONSE 461"), server.lines("RESPONSE")


def case_sink_savp_into_meet():
    """meetrtspsink encryption=required takes SRTP over UDP (protocols=udp: no TCP to fall back
    to, and over TLS UDP can only be RTP/SAVP) and relays it; a viewer decodes it bit-exact."""
    have("srtpenc", "srtpdec")
    with secure_server() as server:
        url = tls_url(server, "alice")
        publisher = Publisher(url, CA + " protocols=udp", audio=False).play()
        try:
            publisher.wait_for("recording", lambda: publisher.sink.get_property("recording"))
            frames = read_back(url)
            sent = publisher.sent_frames()
            foreign = [md5 for md5 in frames if md5 not in sent]
            assert not foreign, "%d of %d frames read back differ" % (len(foreign), len(frames))
            received = server.sink.get_property("bytes-received")
            dropped = server.sink.get_property("dropped-packets")
            print("%d frames read back bit-exact; %d bytes of SRTP taken, %d packets dropped" % (
                len(frames), received, dropped))
            assert received > 0
            assert dropped == 0, dropped
            assert not publisher.errors, publisher.errors
        finally:
            publisher.stop()


def case_sink_savp_reconnects_after_rollover():
    """The sequence numbers wrap (rollover counter 1), the server goes away and comes back: the new
    ANNOUNCE's key names the rollover counter the sender really uses under it, and frames decode
    again."""
    have("srtpenc", "srtpdec")
    args = ("--tls-cert", p("server.crt"), "--tls-key", p("server.key"), "--video-only", "--profiles", "savp")
    server = RecordServer(*args).start()
    port = server.port
    url = server.url().replace("rtsp://", "rtsps://")
    publisher = Publisher(url, CA + " retry=20", audio=False, vpay="rtpjpegpay seqnum-offset=65500").play()
    try:
        # One packet a frame at this size: past 36 frames the sequence numbers have wrapped.
        publisher.wait_for("frames past the wrap", lambda: server.count("video") >= 60)
        server.stop()
        publisher.wait_for("the loss noticed", lambda: not publisher.sink.get_property("recording"))
        server = RecordServer(*args, port=port).start()
        publisher.wait_for("frames after the server came back", lambda: server.count("video") >= 30)
        print("%d frames decoded after the reconnection" % server.count("video"))
    finally:
        publisher.stop()
        server.stop()


def case_sink_savp_refused_falls_back_inside_tls():
    """gst-rtsp-server without the SAVP profile answers the RTP/SAVP ANNOUNCE 415: the streams are
    announced again as RTP/AVP and go interleaved inside TLS, never over UDP in clear."""
    have("srtpenc", "srtpdec")
    with RecordServer("--tls-cert", p("server.crt"), "--tls-key", p("server.key"), "--video-only") as server:
        url = server.url().replace("rtsp://", "rtsps://")
        publisher = Publisher(url, CA, audio=False).play()
        try:
            publisher.wait_for("30 frames decoded by gst-rtsp-server", lambda: server.count("video") >= 30)
        finally:
            publisher.stop()
        print(server.lines("RESPONSE"), server.lines("REQUEST SETUP"))
        assert "RESPONSE 415" in server.lines("RESPONSE"), server.lines("RESPONSE")
        setups = server.lines("REQUEST SETUP")
        assert setups and all("interleaved=" in s for s in setups), setups


def case_relay_decrypts_rtp_and_sender_reports():
    """What meetrtspsink relays of an SRTP publisher is its RTP and its RTCP sender reports in clear
    (decrypted, same SSRC): here to a plain reader of a server with encryption=optional."""
    have("srtpenc", "srtpdec")
    from rtsp_sink_util import Client
    server = Server("encryption=optional allow-publish=true tls-cert-file=%s tls-key-file=%s" % (
        p("server.crt"), p("server.key")), audio=False)
    try:
        url = server.url + "/grace"
        publisher = Publisher(url.replace("rtsp://", "rtsps://"), CA + " protocols=udp", audio=False).play()
        try:
            publisher.wait_for("recording", lambda: publisher.sink.get_property("recording"))
            rtp, rtcp = udp_pair()
            reader = Client(server.port)
            r = reader.request("SETUP", url + "/stream=0", {
                "Transport": "RTP/AVP;unicast;client_port=%d-%d" % (rtp.getsockname()[1], rtp.getsockname()[1] + 1)})
            assert r.code == 200, r
            reader.session = r.session()
            assert reader.request("PLAY", url).code == 200
            rtp.settimeout(2)
            packets = [rtp.recv(65536) for _ in range(30)]
            assert looks_like_jpeg(b"".join(pk[12:] for pk in packets)), "the relayed RTP is not clear JPEG"
            rtcp.settimeout(1)
            srs, deadline = [], time.monotonic() + WAIT
            while len(srs) < 2 and time.monotonic() < deadline:
                publisher.poll(0)
                try:
                    data = rtcp.recv(65536)
                except socket.timeout:
                    continue
                if len(data) >= 8 and data[1] == 200:
                    srs.append(data[4:8])
            assert len(srs) >= 2, "no clear sender reports reached the reader"
            assert all(sr == packets[0][8:12] for sr in srs), (srs, packets[0][8:12])
            print("30 clear RTP packets and %d sender reports of SSRC %s relayed" % (len(srs), srs[0].hex()))
            reader.close()
            rtp.close()
            rtcp.close()
        finally:
            publisher.stop()
    finally:
        server.stop()


def case_rtspclientsink_savp_into_meet(protocols="udp", name="carol"):
    """GStreamer's rtspclientsink, profiles=savp: its key comes in the SETUP's KeyMgmt header."""
    have("srtpenc", "srtpdec", "rtspclientsink")
    with secure_server() as server:
        url = tls_url(server, name)
        pipeline = Gst.parse_launch(
            "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=160,height=120,"
            "framerate=15/1 ! jpegenc ! rtspclientsink name=c location=%s profiles=savp "
            "protocols=%s tls-validation-flags=0" % (url, protocols))
        bus = pipeline.get_bus()
        assert pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
        try:
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR)
                assert msg is None, "rtspclientsink: %s" % (msg.parse_error(),)
                if server.sink.get_property("publishers") and server.sink.get_property("bytes-received"):
                    break
            frames = read_back(url)
            print("%d frames of rtspclientsink's SRTP read back; dropped %d" % (
                len(frames), server.sink.get_property("dropped-packets")))
            assert server.sink.get_property("dropped-packets") == 0
        finally:
            pipeline.set_state(Gst.State.NULL)


def case_rtspclientsink_savp_tcp_into_meet():
    """The same with protocols=tcp: RTP/SAVP/TCP, SRTP inside the interleaved frames."""
    case_rtspclientsink_savp_into_meet("tcp", "frank")


def looks_like_jpeg(data):
    """Entropy-coded JPEG stuffs every FF it carries with a 00: in clear most FF bytes of a stream
    of JPEG frames are followed by 00, in ciphertext about 1 in 256."""
    ff = data.count(b"\xff")
    return ff > 100 and data.count(b"\xff\x00") > ff // 4


class FakeTlsRecorder:
    """An RTSP server over TLS that takes one RTP/SAVP publisher: it answers OPTIONS, ANNOUNCE,
    SETUP (server_port = a UDP socket of ours) and RECORD, and keeps what arrives on the socket
    and what the requests said."""

    def __init__(self, downgrade=False):
        self.downgrade = downgrade    # answer RTP/SAVP SETUPs with RTP/AVP
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(p("server.crt"), p("server.key"))
        self.ctx = ctx
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.udp, self.udp_rtcp = udp_pair()
        self.udp.settimeout(0.2)
        self.announced = ""
        self.setups = []          # (transport, keymgmt header)
        self.packets = []
        self.running = True
        self.threads = [threading.Thread(target=t, daemon=True) for t in (self._serve, self._receive)]
        for t in self.threads:
            t.start()

    def url(self):
        return "rtsps://127.0.0.1:%d/x" % self.port

    def _receive(self):
        while self.running:
            try:
                self.packets.append(self.udp.recv(65536))
            except socket.timeout:
                continue
            except OSError:
                return

    def _serve(self):
        while self.running:
            try:
                raw, _ = self.listener.accept()
            except socket.timeout:
                continue
            try:
                conn = self.ctx.wrap_socket(raw, server_side=True)
                self._connection(conn)
            except (OSError, ssl.SSLError):
                pass

    def _connection(self, conn):
        conn.settimeout(0.2)
        data = b""
        while self.running:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return
            data += chunk
            while True:
                request = split_request(data)
                if request is None:
                    break
                method, headers, body, data = request
                extra = ""
                if method == "ANNOUNCE":
                    self.announced = body.decode()
                elif method == "SETUP":
                    transport = headers.get("transport", "")
                    self.setups.append((transport, headers.get("keymgmt")))
                    port = self.udp.getsockname()[1]
                    if self.downgrade:
                        transport = transport.replace("RTP/SAVP", "RTP/AVP")
                    extra = "Session: 4242;timeout=60\r\nTransport: %s;server_port=%d-%d\r\n" % (
                        transport.replace(";mode=record", ""), port, port + 1)
                conn.sendall(("RTSP/1.0 200 OK\r\nCSeq: %s\r\n%s\r\n" % (
                    headers.get("cseq", "0"), extra)).encode())

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(timeout=5)
        self.listener.close()
        self.udp.close()
        self.udp_rtcp.close()


def decrypt(packets, sdp_text):
    """Runs @packets through srtpdec under the key of the SDP's first media (as rtspsrc reads an
    a=key-mgmt); the clear packets."""
    _, sdp_msg = GstSdp.SDPMessage.new_from_text(sdp_text)
    caps = Gst.Caps.from_string("application/x-srtp,media=video,payload=26,clock-rate=90000,"
                                "encoding-name=JPEG,ssrc=(uint)%d" % int.from_bytes(packets[0][8:12], "big"))
    sdp_msg.get_media(0).attributes_to_caps(caps)
    assert caps.get_structure(0).get_value("srtp-key") is not None, caps.to_string()
    pipeline = Gst.parse_launch("appsrc name=in format=time ! srtpdec ! appsink name=out sync=false")
    src, sink = pipeline.get_by_name("in"), pipeline.get_by_name("out")
    src.set_property("caps", caps)
    pipeline.set_state(Gst.State.PLAYING)
    clear = []
    try:
        for packet in packets:
            src.emit("push-buffer", Gst.Buffer.new_wrapped(bytes(packet)))
        while True:
            sample = sink.emit("try-pull-sample", Gst.SECOND // 2)
            if sample is None:
                return clear
            buf = sample.get_buffer()
            clear.append(buf.extract_dup(0, buf.get_size()))
    finally:
        pipeline.set_state(Gst.State.NULL)


def case_sink_sends_srtp_under_its_announced_key():
    """What leaves meetrtspclientsink over UDP for an rtsps:// URL is SRTP - no JPEG in it - under
    the key its ANNOUNCE gave (the SETUP's KeyMgmt carries the same), and decrypts to the JPEG."""
    have("srtpenc", "srtpdec")
    server = FakeTlsRecorder()
    publisher = Publisher(server.url(), CA, audio=False).play()
    try:
        publisher.wait_for("recording", lambda: publisher.sink.get_property("recording"))
        assert wait_until(lambda: len(server.packets) >= 40, WAIT), len(server.packets)
    finally:
        publisher.stop()
        server.stop()
    print("SDP:", server.announced.replace("\r\n", " | "))
    print("SETUP:", server.setups)
    assert "m=video 0 RTP/SAVP" in server.announced and "a=key-mgmt:mikey " in server.announced
    (transport, keymgmt), = server.setups
    assert transport.startswith("RTP/SAVP;unicast;client_port="), transport
    assert keymgmt and keymgmt.startswith("prot=mikey;"), keymgmt
    announced_key = server.announced.split("a=key-mgmt:mikey ")[1].split("\r\n")[0]
    assert 'data="%s"' % announced_key in keymgmt, (keymgmt, announced_key)
    packets = [pk for pk in server.packets if len(pk) > 12 and not 200 <= pk[1] <= 204]
    assert not looks_like_jpeg(b"".join(pk[12:] for pk in packets)), "JPEG in clear on the wire"
    clear = decrypt(packets, server.announced)
    print("%d SRTP packets on the wire, %d decrypted" % (len(packets), len(clear)))
    assert len(clear) >= len(packets) - 2, (len(clear), len(packets))
    assert looks_like_jpeg(b"".join(pk[12:] for pk in clear))


def case_sink_refuses_a_downgrade():
    """A server answering the RTP/SAVP SETUP with plain RTP/AVP (over UDP, outside TLS) is refused
    with a sentence, and not one packet goes to it."""
    have("srtpenc", "srtpdec")
    server = FakeTlsRecorder(downgrade=True)
    publisher = Publisher(server.url(), CA + " protocols=udp retry=0", audio=False).play()
    try:
        message = publisher.wait_error()
        time.sleep(0.5)
    finally:
        publisher.stop()
        server.stop()
    assert "Cannot publish" in message and "in clear" in message, message
    assert not server.packets, "%d packets sent after a downgrade" % len(server.packets)


# --------------------------------------------------------------------------------------------------
# A hand-made SRTP publisher (its UDP socket is ours, so we can inject from it)

class SrtpSource:
    """Live JPEG RTP of SSRC @ssrc through srtpenc under a random key; SRTP packets to pull."""

    def __init__(self, ssrc=0x5eed1234):
        self.ssrc = ssrc
        self.key = os.urandom(30)
        self.pipeline = Gst.parse_launch(
            "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=160,height=120,"
            "framerate=15/1 ! jpegenc ! rtpjpegpay pt=26 ssrc=%d ! srtpenc name=e ! "
            "appsink name=out sync=false max-buffers=1000 emit-signals=false" % ssrc)
        self.pipeline.get_by_name("e").set_property("key", Gst.Buffer.new_wrapped(self.key))
        self.out = self.pipeline.get_by_name("out")

    def keymgmt(self):
        """a=key-mgmt value: MIKEY made by GstSdp from srtpenc-style caps, our SSRC named."""
        caps = Gst.Caps.from_string("application/x-srtp,srtp-key=(buffer)%s,srtp-cipher=aes-128-icm,"
                                    "srtp-auth=hmac-sha1-80,srtcp-cipher=aes-128-icm,srtcp-auth=hmac-sha1-80"
                                    % self.key.hex())
        msg = GstSdp.MIKEYMessage.new_from_caps(caps)
        msg.add_cs_srtp(0, self.ssrc, 0)
        return "mikey " + msg.base64_encode()

    def start(self):
        assert self.pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
        return self

    def pull(self):
        sample = self.out.emit("try-pull-sample", 200 * Gst.MSECOND)
        if sample is None:
            return None
        buf = sample.get_buffer()
        return buf.extract_dup(0, buf.get_size())

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


class TlsRtsp:
    """One RTSP connection over TLS trusting the test CA."""

    def __init__(self, port):
        ctx = ssl.create_default_context(cafile=p("ca.crt"))
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.cseq = 0
        self.buf = b""

    def request(self, method, url, headers=None, body=b""):
        self.cseq += 1
        lines = ["%s %s RTSP/1.0" % (method, url), "CSeq: %d" % self.cseq]
        lines += ["%s: %s" % kv for kv in (headers or {}).items()]
        if body:
            lines.append("Content-Length: %d" % len(body))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            assert chunk, "server closed the connection"
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", 0))
        while len(self.buf) < length:
            self.buf += self.sock.recv(65536)
        body, self.buf = self.buf[:length], self.buf[length:]
        return int(lines[0].split()[1]), headers, body

    def close(self):
        self.sock.close()


def sdp(proto, keymgmt=None):
    text = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=hand-made\r\nt=0 0\r\n"
            "m=video 0 %s 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n" % proto)
    if keymgmt:
        text += "a=key-mgmt:%s\r\n" % keymgmt
    return text.encode()


def udp_pair():
    """A bound RTP socket on an even port, and its RTCP neighbour."""
    for _ in range(50):
        rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtp.bind(("127.0.0.1", 0))
        port = rtp.getsockname()[1]
        if port % 2 == 0:
            rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                rtcp.bind(("127.0.0.1", port + 1))
                return rtp, rtcp
            except OSError:
                rtcp.close()
        rtp.close()
    raise RuntimeError("no UDP port pair")


def case_forged_and_replayed_dropped():
    """SRTP from the publisher's own port: a packet with one bit flipped and packets sent a second
    time are dropped and counted; the viewer keeps decoding."""
    have("srtpenc", "srtpdec")
    with secure_server() as server:
        name = "dave"
        url = tls_url(server, name)
        source = SrtpSource().start()
        rtsp = TlsRtsp(server.port)
        rtp, rtcp = udp_pair()
        stop = threading.Event()
        try:
            code, _, _ = rtsp.request("OPTIONS", url)
            assert code == 200
            code, _, body = rtsp.request("ANNOUNCE", url, {"Content-Type": "application/sdp"},
                                         sdp("RTP/SAVP", source.keymgmt()))
            assert code == 200, (code, body)
            port = rtp.getsockname()[1]
            code, headers, body = rtsp.request(
                "SETUP", url + "/stream=0",
                {"Transport": "RTP/SAVP;unicast;client_port=%d-%d;mode=record" % (port, port + 1)})
            assert code == 200, (code, body)
            transport = headers["transport"]
            assert transport.startswith("RTP/SAVP;"), transport
            server_port = int(transport.split("server_port=")[1].split("-")[0])
            session = headers["session"].split(";")[0]
            code, _, _ = rtsp.request("RECORD", url, {"Session": session})
            assert code == 200
            to = ("127.0.0.1", server_port)
            sent = []
            lock = threading.Lock()

            def pump():
                while not stop.is_set():
                    packet = source.pull()
                    if packet is not None:
                        rtp.sendto(packet, to)
                        with lock:
                            sent.append(packet)
            thread = threading.Thread(target=pump, daemon=True)
            thread.start()

            reader = Reader("meetrtspsrc", url, CA + " protocols=tcp").play()
            try:
                assert wait_until(lambda: len(reader.frames) >= 15, WAIT), len(reader.frames)
                before = server.sink.get_property("dropped-packets")
                with lock:
                    replays = sent[-12:-4]
                    tampered = bytearray(sent[-1])
                # A bit flipped in the payload of a packet already taken (a replay and a forgery),
                # and in a packet of its own, with a sequence number never seen.
                tampered[20] ^= 0x10
                forged = bytearray(replays[0])
                forged[2:4] = ((int.from_bytes(forged[2:4], "big") + 30000) & 0xffff).to_bytes(2, "big")
                injected = replays + [bytes(tampered), bytes(forged)]
                for packet in injected:
                    rtp.sendto(packet, to)
                assert wait_until(lambda: server.sink.get_property("dropped-packets") - before >= len(injected),
                                  10), (server.sink.get_property("dropped-packets") - before, len(injected))
                time.sleep(0.5)
                counted = server.sink.get_property("dropped-packets") - before
                frames_then = len(reader.frames)
                assert wait_until(lambda: len(reader.frames) >= frames_then + 15, WAIT), \
                    "the publish stopped after the forgeries: %d frames" % len(reader.frames)
                print("%d packets injected, %d dropped and counted; %d frames decoded, %d after" % (
                    len(injected), counted, len(reader.frames), len(reader.frames) - frames_then))
                assert counted == len(injected), (counted, len(injected))
            finally:
                reader.stop()
        finally:
            stop.set()
            source.stop()
            rtsp.close()
            rtp.close()
            rtcp.close()


def case_required_refuses_plain_udp():
    """encryption=required: a publisher on TLS asking for RTP/AVP over UDP gets 461 and a
    sentence; RTP/AVP interleaved inside TLS is fine."""
    with secure_server() as server:
        url = tls_url(server, "erin")
        rtsp = TlsRtsp(server.port)
        try:
            code, _, body = rtsp.request("ANNOUNCE", url, {"Content-Type": "application/sdp"}, sdp("RTP/AVP"))
            assert code == 200, (code, body)
            code, headers, body = rtsp.request(
                "SETUP", url + "/stream=0", {"Transport": "RTP/AVP;unicast;client_port=5000-5001;mode=record"})
            print(code, headers, body)
            assert code == 461, code
            assert b"SRTP" in body and b"RTP/SAVP" in body, body
            code, headers, _ = rtsp.request(
                "SETUP", url + "/stream=0", {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"})
            assert code == 200 and "interleaved=0-1" in headers["transport"], (code, headers)
        finally:
            rtsp.close()


if __name__ == "__main__":
    run_cases(globals())
