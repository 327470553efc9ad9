"""Relayed participants as SRTP (issue 11, the server's sending side): meetrtspsink with
allow-publish and a TLS certificate, a publisher over rtsps:// (meetrtspclientsink, media interleaved
inside TLS), and readers of PATH/NAME over SRTP (RTP/SAVP over UDP, keys by MIKEY in the DESCRIBE
SDP over TLS).

    rtspsrc_udp          encryption=required: GStreamer's rtspsrc (protocols=udp,
                         tls-validation-flags=0) reads the participant bit-exact, video and audio;
                         plain RTP/AVP over UDP is refused inside TLS, so what it decoded came as
                         SRTP. meetrtspsrc reads it at the same time (over TLS as it can).
    by_hand              A raw TLS client: DESCRIBE gives RTP/SAVP and a key per stream; SETUP
                         RTP/AVP over UDP is 461 with a reason; SETUP RTP/SAVP is answered RTP/SAVP;
                         two readers receive the very same SRTP bytes (encrypted once, before the
                         fan-out), no JPEG in them, and srtpdec with the SDP's key gives JPEG back.
    plain_beside_secure  encryption=optional: a plain rtsp:// reader and an rtsps:// SRTP reader of
                         one participant at once, both bit-exact.
    late_reader          A publisher whose RTP sequence numbers wrap (rollover counter 1): a reader
                         joining after the wrap is given ROC 1 in its MIKEY and decrypts.

Certificates are made per run with the openssl command. Usage: secure_relay.py CASE."""

import base64
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from rtsp_publish import Publisher, Reader, WAIT
from rtsp_sink_util import Client, Gst, Server

import gi

gi.require_version("GstSdp", "1.0")
from gi.repository import GstSdp  # noqa: E402
import secure_pki

SKIP = 77
TMP = tempfile.mkdtemp(prefix="meet-secure-relay-")


def p(name):
    return os.path.join(TMP, name)


def make_pki():
    secure_pki.make_ca_and_server(TMP)


TLS = None


def server(encryption="required"):
    return Server("allow-publish=true session-timeout=10 encryption=%s tls-cert-file=%s tls-key-file=%s"
                  % (encryption, p("server.crt"), p("server.key")), audio=False)


def tls_url(url):
    return url.replace("rtsp://", "rtsps://")


class TlsClient(Client):
    def __init__(self, port, timeout=5):
        ctx = ssl.create_default_context(cafile=p("ca.crt"))
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.cseq = 0
        self.buf = b""
        self.frames = {}
        self.session = None


def looks_like_jpeg(data):
    """Entropy-coded JPEG stuffs every FF with a 00: in clear most FF bytes are followed by 00, in
    ciphertext about 1 in 256."""
    ff = data.count(b"\xff")
    return ff > 100 and data.count(b"\xff\x00") > ff // 4


def publish(srv, name="alice", audio=True):
    publisher = Publisher(tls_url(srv.url) + "/" + name, "tls-ca-file=" + p("ca.crt"), audio=audio).play()
    publisher.wait_for("recording", lambda: publisher.sink.get_property("recording"))
    return publisher


def check_bit_exact(publisher, reader, what):
    sent = publisher.sent_frames()
    foreign = [md5 for md5 in reader.frames if md5 not in sent]
    assert not foreign, "%s: %d of %d frames read back differ from the %d sent" % (
        what, len(foreign), len(reader.frames), len(sent))
    print("%s: %d frames bit-exact, %d audio buffers" % (what, len(reader.frames), reader.audio), flush=True)


def rtspsrc_reader(url):
    return Reader("rtspsrc", url, "protocols=udp tls-validation-flags=0 latency=200")


# --------------------------------------------------------------------------------------------------

def case_rtspsrc_udp():
    with server() as srv:
        publisher = publish(srv)
        url = tls_url(srv.url) + "/alice"
        try:
            reader = rtspsrc_reader(url).play()
            meet = Reader("meetrtspsrc", url, "tls-ca-file=" + p("ca.crt")).play()
            try:
                publisher.wait_for("60 frames read back by rtspsrc over SRTP",
                                   lambda: len(reader.frames) >= 60 and reader.audio >= 20
                                   and len(meet.frames) >= 30)
            finally:
                reader.stop()
                meet.stop()
            check_bit_exact(publisher, reader, "rtspsrc over SRTP (RTP/SAVP, UDP)")
            check_bit_exact(publisher, meet, "meetrtspsrc over rtsps://")
        finally:
            publisher.stop()


def savp_reader(port, url, stream=0):
    """A raw TLS reader of @url's @stream over RTP/SAVP unicast UDP: (client, rtp socket, sdp text,
    Transport of the reply)."""
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtcp.bind(("127.0.0.1", 0))
    c = TlsClient(port)
    described = c.request("DESCRIBE", url)
    assert described.code == 200, described
    sdp = described.body.decode()
    r = c.request("SETUP", "%s/stream=%d" % (url, stream), {
        "Transport": "RTP/SAVP;unicast;client_port=%d-%d" % (rtp.getsockname()[1], rtcp.getsockname()[1])})
    assert r.code == 200, r
    c.session = r.session()
    return c, rtp, rtcp, sdp, r.header("transport")


def receive(sock, seconds):
    packets = []
    sock.settimeout(0.5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            packets.append(sock.recv(65536))
        except socket.timeout:
            pass
    return packets


def udp_port_bound(port):
    """Whether a UDP socket of this machine is bound to @port (IPv4, /proc/net/udp)."""
    with open("/proc/net/udp") as f:
        return any(line.split()[1].endswith(":%04X" % port) for line in f.readlines()[1:])


def srtp_decrypt(sdp_text, media, packets, roc=None):
    """@packets through srtpdec keyed as rtspsrc keys it from the SDP's a=key-mgmt; the clear RTP
    comes back as one byte string. srtpdec runs in a gst-launch-1.0 of its own fed over loopback
    UDP: in this process the Python bindings mis-count references of buffers srtpdec drops."""
    _, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
    ssrc = int.from_bytes(packets[0][8:12], "big")
    caps = Gst.Caps.from_string("application/x-srtp,media=video,payload=26,clock-rate=90000,"
                                "encoding-name=JPEG,ssrc=(uint)%d" % ssrc)
    sdp.get_media(media).attributes_to_caps(caps)
    if roc is not None:
        # What rtspsrc adds from the MIKEY's crypto session of this SSRC (its request-key answer).
        caps = Gst.Caps.from_string(caps.to_string() + ", roc=(uint)%d" % roc)
    out = os.path.join(TMP, "clear-%d.rtp" % time.monotonic_ns())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dec = subprocess.Popen(["gst-launch-1.0", "-q", "udpsrc", "address=127.0.0.1", "port=%d" % port,
                            "caps=" + caps.to_string(), "!", "srtpdec", "!", "filesink",
                            "location=" + out, "buffer-mode=unbuffered", "sync=false"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Listening once its udpsrc holds the port (a sanitized or loaded run starts it slowly).
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not udp_port_bound(port):
            time.sleep(0.05)
        time.sleep(0.2)     # and PLAYING
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            for packet in packets:
                tx.sendto(packet, ("127.0.0.1", port))
                time.sleep(0.001)
        time.sleep(1.0)
    finally:
        dec.kill()
        dec.wait()
    with open(out, "rb") as f:
        return f.read()


def case_by_hand():
    with server() as srv:
        publisher = publish(srv)
        url = tls_url(srv.url) + "/alice"
        try:
            # Plain RTP/AVP over UDP inside TLS: refused, with a reason to read.
            with TlsClient(srv.port) as c:
                c.request("DESCRIBE", url)
                c.send(("SETUP %s/stream=0 RTSP/1.0\r\nCSeq: 9\r\n"
                        "Transport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n" % url).encode())
                c.sock.settimeout(5)
                answer = b""
                while b"\r\n\r\n" not in answer:
                    answer += c.sock.recv(4096)
                status = answer.split(b"\r\n")[0].decode()
                print("plain RTP/AVP over UDP inside TLS:", status, flush=True)
                assert status.startswith("RTSP/1.0 461 Unsupported Transport: use RTP/SAVP"), status

            readers = [savp_reader(srv.port, url) for _ in range(2)]
            for c, _, _, sdp, transport in readers:
                assert sdp.count("RTP/SAVP") == 2 and sdp.count("a=key-mgmt:mikey ") == 2, sdp
                assert "RTP/AVP " not in sdp, sdp
                assert transport.startswith("RTP/SAVP;unicast;"), transport
                print("SETUP reply:", transport, flush=True)
            for c, *_ in readers:
                assert c.request("PLAY", url).code == 200
            got = [receive(r[1], 3) for r in readers]
            for c, rtp, rtcp, *_ in readers:
                c.request("TEARDOWN", url)
                c.close()
                rtp.close()
                rtcp.close()
            assert len(got[0]) > 30 and len(got[1]) > 30, [len(g) for g in got]
            common = set(got[0]) & set(got[1])
            print("reader 1: %d packets, reader 2: %d, %d byte-identical" % (len(got[0]), len(got[1]),
                                                                            len(common)), flush=True)
            assert len(common) >= min(len(got[0]), len(got[1])) - 10, "readers got different bytes"
            assert not looks_like_jpeg(b"".join(pk[12:] for pk in got[0])), "JPEG in clear on the wire"
            clear = srtp_decrypt(readers[0][3], 0, got[0])
            # An SRTP packet is its RTP and a 10-byte tag.
            n = round(len(clear) / (sum(len(pk) - 10 for pk in got[0]) / len(got[0])))
            assert n >= len(got[0]) - 2, (n, len(got[0]))
            assert looks_like_jpeg(clear), "srtpdec gave no JPEG back"
            print("%d of %d packets decrypted to JPEG with the key from the SDP" % (n, len(got[0])))
        finally:
            publisher.stop()


def case_plain_beside_secure():
    with server("optional") as srv:
        publisher = Publisher(srv.url + "/alice", "protocols=udp", audio=True).play()
        publisher.wait_for("recording", lambda: publisher.sink.get_property("recording"))
        try:
            plain = Reader("rtspsrc", srv.url + "/alice", "protocols=udp latency=200").play()
            secure = rtspsrc_reader(tls_url(srv.url) + "/alice").play()
            try:
                publisher.wait_for("60 frames by each reader",
                                   lambda: len(plain.frames) >= 60 and len(secure.frames) >= 60)
            finally:
                plain.stop()
                secure.stop()
            check_bit_exact(publisher, plain, "rtspsrc rtsp:// (RTP/AVP)")
            check_bit_exact(publisher, secure, "rtspsrc rtsps:// (RTP/SAVP)")
        finally:
            publisher.stop()


def mikey_crypto_sessions(b64):
    """The (SSRC, ROC) pairs of a MIKEY message's SRTP crypto session map (RFC 3830 6.1: a 10-byte
    common header, #CS at byte 8, map type 0 at byte 9, then policy 1 + SSRC 4 + ROC 4 per session).
    By hand: GstSdp's parse_keymgmt has no binding that works from Python here."""
    data = base64.b64decode(b64)
    assert data[0] == 1 and data[9] == 0, data[:10].hex()
    return [(int.from_bytes(data[10 + 9 * i + 1:10 + 9 * i + 5], "big"),
             int.from_bytes(data[10 + 9 * i + 5:10 + 9 * i + 9], "big")) for i in range(data[8])]


def rtp(seq, ts, ssrc, payload, pt=26):
    return bytes([0x80, pt]) + seq.to_bytes(2, "big") + ts.to_bytes(4, "big") + ssrc.to_bytes(4, "big") + payload


def case_late_reader():
    """The publisher speaks raw RTSP over TLS and sends RTP interleaved with sequence numbers from
    65000 on: past the wrap the encoder is at rollover counter 1, and a reader joining then must be
    told."""
    sdp = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\n"
           "m=video 0 RTP/AVP 26\r\na=control:streamid=0\r\n")
    ssrc = 0x1234ABCD
    # A JPEG-looking payload (FF 00 stuffing) so that the clear text is recognisable.
    payload = bytes(range(1, 9)) + b"\xff\x00" * 300
    with server() as srv:
        url = tls_url(srv.url) + "/raw"
        pub = TlsClient(srv.port)
        assert pub.request("ANNOUNCE", url, {"Content-Type": "application/sdp"}, body=sdp.encode()).code == 200
        r = pub.request("SETUP", url + "/streamid=0",
                        {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record"})
        assert r.code == 200, r
        pub.session = r.session()
        assert pub.request("RECORD", url).code == 200

        def send(seqs):
            for seq in seqs:
                packet = rtp(seq & 0xFFFF, seq * 3000, ssrc, payload)
                pub.send(b"$\x00" + len(packet).to_bytes(2, "big") + packet)

        send(range(65000, 65536 + 200))          # wraps: ROC 1
        time.sleep(0.5)
        c, sock, rtcp, described, transport = savp_reader(srv.port, url)
        assert transport.startswith("RTP/SAVP;unicast;"), transport
        keymgmt = re.findall(r"a=key-mgmt:mikey (\S+)", described)[0]
        sessions = mikey_crypto_sessions(keymgmt)
        print("late reader's MIKEY crypto sessions (ssrc, roc):", sessions, flush=True)
        assert sessions == [(ssrc, 1)], sessions
        roc = sessions[0][1]
        assert c.request("PLAY", url).code == 200
        time.sleep(0.3)
        send(range(65536 + 200, 65536 + 300))
        got = receive(sock, 2)
        c.close()
        pub.close()
        sock.close()
        rtcp.close()
        assert len(got) >= 90, len(got)
        assert not looks_like_jpeg(b"".join(pk[12:] for pk in got))
        clear = srtp_decrypt(described, 0, got, roc=roc)
        sent = b"".join(rtp(seq & 0xFFFF, (seq * 3000) & 0xFFFFFFFF, ssrc, payload)
                        for seq in range(65536 + 200, 65536 + 300))
        assert len(got) == 100 and clear == sent, (len(got), len(clear), len(sent))
        # The counter matters: told 0, the reader would decrypt nothing after the wrap.
        assert srtp_decrypt(described, 0, got, roc=0) == b"", "decrypted with the wrong ROC"
        print("%d packets after the wrap decrypted bit-exact with ROC %d (none with ROC 0)" % (len(got), roc))


CASES = {name[5:]: fn for name, fn in list(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    if Gst.ElementFactory.find("srtpenc") is None or Gst.ElementFactory.find("meetrtspsink") is None:
        print("SKIP: srtpenc (gst-plugins-bad) or meetrtspsink missing")
        sys.exit(SKIP)
    make_pki()
    CASES[sys.argv[1]]()
    print("ok")
