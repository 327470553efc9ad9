"""meetrtspsrc over rtsps:// with its media as SRTP over UDP (issue 11, the client half).

- meet_udp: meetrtspsink encryption=required, meetrtspsrc protocols=udp: every stream set up as
  RTP/SAVP (stats: transport udp, srtp), frames decoded, the session kept past the server's
  session timeout by RTSP keep-alives alone (no RTCP goes back over SAVP).
- meet_reconnect: the server restarted mid-play (new keys): meetrtspsrc plays on over SRTP.
- gst_rtsp_server_udp: gst-rtsp-server with a TLS certificate and its SAVP profile
  (tests/srtp_rtsp_server.py): SETUP asked and answered RTP/SAVP, frames decoded.
- gst_rtsp_server_reconnect: that server restarted mid-play: our SRTCP reports still decrypt there.
- plain_over_udp_refused / plain_goes_inside_tls: gst-rtsp-server offering RTP/AVP beside TLS:
  protocols=udp is an error saying why (never RTP in clear); udp+tcp plays inside TLS.
- udp_blocked_falls_back: that relay dropping all the server's UDP: the session switches to TCP
  inside TLS (a warning), never to RTP/AVP over UDP.
- tamper: a TLS-terminating relay of the test's own between meetrtspsink and meetrtspsrc (the RTSP
  exchange relayed and rewritten as tests/relay.py does, the SRTP datagrams passed through)
  flips a bit in one packet, replays another, injects one under another key and flips a bit in an
  SRTCP sender report: each dropped by srtpdec and counted (srtp-dropped = 4), playback goes on.

Usage: test_srtp_client.py CASE (one meson test per case)."""

import asyncio
import os
import select
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

import relay
from rtsp_publish import Reader, STOP, WAIT, run_cases, wait_until
from rtsp_sink_util import Gst, Server

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="meet-srtp-client-")
CERT, KEY = os.path.join(TMP, "server.crt"), os.path.join(TMP, "server.key")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", KEY, "-out", CERT, "-days", "30", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"],
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
TRUST = "tls-ca-file=" + CERT


def meet_server(extra=""):
    return Server("encryption=required tls-cert-file=%s tls-key-file=%s %s" % (CERT, KEY, extra))


class GstRtspServerProcess:
    """tests/srtp_rtsp_server.py in a process of its own; its event lines collected."""

    def __init__(self, *args):
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "srtp_rtsp_server.py"),
                                      "--tls-cert", CERT, "--tls-key", KEY, *args],
                                     stdout=subprocess.PIPE, text=True, env=env)
        assert select.select([self.proc.stdout], [], [], WAIT)[0], "gst-rtsp-server did not start"
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.url = "rtsps://127.0.0.1:%d/x" % int(line.split()[1])
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.events.append(line.strip())

    def lines(self, prefix):
        return [e for e in list(self.events) if e.startswith(prefix)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


class Play:
    """meetrtspsrc playing @url with @props; the bus watched for errors and warnings."""

    def __init__(self, url, props):
        self.reader = Reader("meetrtspsrc", url, props)
        self.src = self.reader.src
        self.warnings = []
        self.error = None
        self.reader.play()

    def poll(self):
        bus = self.reader.pipeline.get_bus()
        while True:
            msg = bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.WARNING)
            if msg is None:
                return
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                self.error = self.error or "%s | %s" % (err.message, dbg)
            else:
                self.warnings.append(msg.parse_warning()[0].message)
            print("%s: %s" % (msg.type.first_value_nick, (self.error if msg.type == Gst.MessageType.ERROR
                                                          else self.warnings[-1])), flush=True)

    def frames(self):
        with self.reader.lock:
            return len(self.reader.frames)

    def wait_frames(self, count, seconds=WAIT):
        ok = wait_until(lambda: (self.poll(), self.error is not None or self.frames() >= count)[1], seconds)
        assert self.error is None, self.error
        assert ok and self.frames() >= count, "only %d frames" % self.frames()

    def wait_error(self, seconds=STOP):
        wait_until(lambda: (self.poll(), self.error is not None)[1], seconds)
        assert self.error is not None, "no error; %d frames" % self.frames()
        return self.error

    def stats(self):
        return self.src.get_property("stats")

    def stream_stats(self, n):
        # The nested structure lives inside its parent: keep that alive as long as it is read.
        self._stats = self.stats()
        return self._stats.get_value("stream-%d" % n)

    def stop(self):
        self.reader.stop()


def assert_srtp(play, streams):
    stats = play.stats()
    print("stats %s" % stats.to_string(), flush=True)
    for n in range(streams):
        s = play.stream_stats(n)
        assert s is not None and s.get_value("transport") == "udp", stats.to_string()
        assert s.get_value("srtp") is True, "stream %d not SRTP: %s" % (n, stats.to_string())


# --------------------------------------------------------------------------------------------------

def case_meet_udp():
    with meet_server("session-timeout=3") as server:
        play = Play(server.url.replace("rtsp://", "rtsps://"), TRUST + " protocols=udp")
        try:
            play.wait_frames(20)
            assert_srtp(play, 2)
            # Past twice the session timeout: RTSP keep-alives alone keep it (no RTCP back).
            time.sleep(7)
            before = play.frames()
            play.wait_frames(before + 15, seconds=5)
            play.poll()
            assert not play.warnings, play.warnings
            assert server.clients() == 1, server.clients()
            assert play.src.get_property("srtp-dropped") == 0
            print("%d frames over SRTP; stats %s" % (play.frames(), play.stats().to_string()))
        finally:
            play.stop()


def case_meet_reconnect():
    """The server restarts (new keys, new SSRCs): meetrtspsrc reconnects, takes the new keys from
    the new DESCRIBE and plays on over SRTP, on the same pads."""
    server = meet_server()
    port = server.port
    play = Play(server.url.replace("rtsp://", "rtsps://"), TRUST + " protocols=udp retry=10 timeout=1000")
    try:
        play.wait_frames(20)
        server.stop()
        time.sleep(0.5)
        server = meet_server("port=%d" % port)
        before = play.frames()
        play.wait_frames(before + 30)
        assert_srtp(play, 2)
        assert any("reconnect" in w.lower() or "lost" in w.lower() for w in play.warnings), play.warnings
        assert play.src.get_property("srtp-dropped") < 5, play.stats().to_string()
        print("%d frames before the restart, %d after; warnings %s" % (before, play.frames() - before,
                                                                       play.warnings))
    finally:
        play.stop()
        server.stop()


def case_gst_rtsp_server_udp():
    with GstRtspServerProcess("--profile", "savp", "--protocols", "udp") as server:
        play = Play(server.url, TRUST + " protocols=udp")
        try:
            play.wait_frames(20)
            assert_srtp(play, 1)
            # Our receiver reports, as SRTCP under the key SETUP handed over (KeyMgmt): the
            # server's srtpdec decrypts them only with it.
            assert wait_until(lambda: server.lines("KEYMGMT"), 5), server.events
            ssrc = server.lines("KEYMGMT")[0].split()[1]
            assert wait_until(lambda: "RTCP-RR " + ssrc in server.events, 15), server.events
        finally:
            play.stop()
        setups, replies = server.lines("REQUEST SETUP"), server.lines("REPLY-TRANSPORT")
        print(setups, replies, server.lines("KEYMGMT"), server.lines("RTCP-RR")[:3])
        assert setups and all(" RTP/SAVP/UDP;unicast;client_port=" in s for s in setups), setups
        assert replies and all(r.split()[1].startswith("RTP/SAVP") for r in replies), replies


def case_gst_rtsp_server_reconnect():
    """gst-rtsp-server restarted mid-play: after the reconnect our receiver reports still reach the
    new server decrypted (the SRTCP key SETUP hands over names the SSRC rtpbin still sends from)."""
    server = GstRtspServerProcess("--profile", "savp", "--protocols", "udp")
    port = server.url.split(":")[2].split("/")[0]
    play = Play(server.url, TRUST + " protocols=udp retry=20 timeout=1000")
    try:
        play.wait_frames(20)
        assert wait_until(lambda: server.lines("RTCP-RR"), 15), server.events
        first = server.lines("KEYMGMT")
        server.__exit__()
        time.sleep(0.3)
        for _ in range(20):         # the port of the killed server may take a moment to free up
            server = GstRtspServerProcess("--profile", "savp", "--protocols", "udp", "--port", port)
            if server.proc.poll() is None:
                break
            time.sleep(0.2)
        before = play.frames()
        play.wait_frames(before + 20)
        assert_srtp(play, 1)
        assert wait_until(lambda: server.lines("KEYMGMT"), 5), server.events
        ssrc = server.lines("KEYMGMT")[0].split()[1]
        assert wait_until(lambda: "RTCP-RR " + ssrc in server.events, 15), server.events
        print("before %s, after %s; RRs %s" % (first, server.lines("KEYMGMT"), server.lines("RTCP-RR")[:2]))
    finally:
        play.stop()
        server.__exit__()


def case_plain_over_udp_refused():
    with GstRtspServerProcess("--profile", "avp", "--protocols", "udp+tcp") as server:
        play = Play(server.url, TRUST + " protocols=udp retry=0")
        try:
            error = play.wait_error()
        finally:
            play.stop()
        assert "over UDP securely" in error and "RTP/AVP" in error and "protocols=tcp" in error, error
        assert not server.lines("REQUEST SETUP"), server.lines("REQUEST SETUP")


def case_plain_goes_inside_tls():
    with GstRtspServerProcess("--profile", "avp", "--protocols", "udp+tcp") as server:
        play = Play(server.url, TRUST + " protocols=udp+tcp")
        try:
            play.wait_frames(20)
            assert play.stream_stats(0).get_value("transport") == "tcp", play.stats().to_string()
        finally:
            play.stop()
        setups = server.lines("REQUEST SETUP")
        assert setups and all("interleaved=" in s for s in setups), setups


# --------------------------------------------------------------------------------------------------
# tamper

def forged_packet(ssrc, seq, timestamp, pt):
    """An RTP packet of @ssrc encrypted with srtpenc under a key of its own (not the server's)."""
    pipeline = Gst.parse_launch(
        "appsrc name=a caps=application/x-rtp format=time ! e.rtp_sink_0 "
        "srtpenc name=e random-key=true rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 "
        "rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 e.rtp_src_0 ! appsink name=s sync=false")
    pipeline.set_state(Gst.State.PLAYING)
    header = struct.pack("!BBHII", 0x80, pt, seq, timestamp, ssrc)
    packet = header + bytes(range(200))
    pipeline.get_by_name("a").emit("push-buffer", Gst.Buffer.new_wrapped(packet))
    sample = pipeline.get_by_name("s").emit("try-pull-sample", 5 * Gst.SECOND)
    pipeline.set_state(Gst.State.NULL)
    assert sample is not None, "srtpenc made nothing"
    buffer = sample.get_buffer()
    return buffer.extract_dup(0, buffer.get_size())


class TamperLeg(relay.UdpLeg):
    """Server-to-client SRTP of the first stream (video): packet 60 with a bit flipped, packet 110
    again after 120, a forged packet under another key after 180, and the second SRTCP packet
    (a sender report) with a bit flipped; everything else as it is."""
    legs = []
    log = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index = len(TamperLeg.legs)
        TamperLeg.legs.append(self)
        self.rtp = 0
        self.rtcp = 0
        self.saved = None

    def _send(self, data):
        self.client_facing[0].transport.sendto(data, (relay.LOOPBACK, self.client_ports[0]))

    def _from_server(self, index, data, addr):
        if self.index == 0 and index == 1:
            self.rtcp += 1
            if self.rtcp == 2:
                flipped = bytearray(data)
                flipped[10] ^= 0x01             # the encrypted part of the report
                data = bytes(flipped)
                TamperLeg.log.append(("srtcp-flipped", time.monotonic()))
            return super()._from_server(index, data, addr)
        if self.index != 0 or index != 0:
            return super()._from_server(index, data, addr)
        if self.server_ports is None:
            self.server_ports = [None, None]
        self.server_ports[0] = self.server_ports[0] or addr[1]
        self.rtp += 1
        self.counters.received += 1
        if self.rtp == 60:
            flipped = bytearray(data)
            flipped[len(flipped) // 2] ^= 0x10      # inside the encrypted payload
            self._send(bytes(flipped))
            TamperLeg.log.append(("flipped", time.monotonic()))
            return
        self._send(data)
        if self.rtp == 110:
            self.saved = data
        elif self.rtp == 120:
            self._send(self.saved)
            TamperLeg.log.append(("replayed", time.monotonic()))
        elif self.rtp == 180:
            seq, timestamp, ssrc = struct.unpack("!HII", data[2:12])
            self._send(forged_packet(ssrc, (seq + 1) & 0xffff, timestamp, data[1] & 0x7f))
            TamperLeg.log.append(("forged", time.monotonic()))


class _TlsConnection(relay._Connection):
    async def _open_server(self):
        return await asyncio.open_connection(relay.LOOPBACK, self.relay.server_port,
                                             ssl=self.relay.client_ctx)


class TlsRelay(relay.RtspRelay):
    """relay.RtspRelay with TLS on both sides: it holds the server's certificate (the test's own),
    so it reads and rewrites the SETUP exchange that rtsps:// hides from anyone else."""

    def __init__(self, server_port):
        super().__init__(server_port)
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(CERT, KEY)
        self.client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client_ctx.check_hostname = False
        self.client_ctx.verify_mode = ssl.CERT_NONE
        self.replies = []

    async def _start(self):
        self.unstalled = asyncio.Event()
        self.unstalled.set()
        self._server = await asyncio.start_server(self._accept, relay.LOOPBACK, 0, limit=1 << 20,
                                                  ssl=self.server_ctx)
        return self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader, writer):
        connection = _TlsConnection(self, reader, writer)
        original = connection._server_message

        async def server_message(head, body):
            transport = connection._header(head.decode("latin-1"), "transport")
            if transport:
                self.replies.append(transport)
            return await original(head, body)
        connection._server_message = server_message
        self.connections.append(connection)
        await connection.run()
        self.connections.remove(connection)

    def url(self, path="/"):
        return "rtsps://%s:%d%s" % (relay.LOOPBACK, self.port, path)


def case_tamper():
    relay.UdpLeg = TamperLeg        # the legs the relay makes for each SETUP
    with meet_server() as server, TlsRelay(server.port) as tls_relay:
        play = Play(tls_relay.url("/meet"), TRUST + " protocols=udp")
        try:
            play.wait_frames(10)
            assert_srtp(play, 2)
            assert tls_relay.replies and all(r.startswith("RTP/SAVP") for r in tls_relay.replies), \
                tls_relay.replies
            assert wait_until(lambda: len(TamperLeg.log) == 4, 30), TamperLeg.log
            after = play.frames()
            # Playback goes on after all three, and the last one is counted once the next
            # packet arrives.
            play.wait_frames(after + 30, seconds=10)
            # The last one is counted once the next packet arrives on its port (an SR: ~1 s).
            assert wait_until(lambda: play.src.get_property("srtp-dropped") >= 4, 5), \
                play.stats().to_string()
            time.sleep(0.5)
            video = play.stream_stats(0)
            print("tampering %s; video %s; srtp-dropped %d" % (
                [e[0] for e in TamperLeg.log], video.to_string(), play.src.get_property("srtp-dropped")))
            assert video.get_value("srtp-dropped") == 4, video.to_string()
            assert play.stream_stats(1).get_value("srtp-dropped") == 0, play.stats().to_string()
            assert play.src.get_property("srtp-dropped") == 4
            assert play.stats().get_value("srtp-dropped") == 4
            assert play.error is None, play.error
        finally:
            play.stop()


class BlockLeg(relay.UdpLeg):
    """Nothing of the server's SRTP gets through (a firewall dropping UDP)."""

    def _from_server(self, index, data, addr):
        self.counters.lost += 1


def case_udp_blocked_falls_back():
    """SRTP over UDP that never arrives: the session switches to TCP inside TLS, never to RTP/AVP."""
    relay.UdpLeg = BlockLeg
    with meet_server() as server, TlsRelay(server.port) as tls_relay:
        play = Play(tls_relay.url("/meet"), TRUST + " protocols=udp+tcp timeout=2000")
        try:
            play.wait_frames(10)
            play.poll()
            assert any("switching" in w for w in play.warnings), play.warnings
            for n in range(2):
                assert play.stream_stats(n).get_value("transport") == "tcp", play.stats().to_string()
            assert tls_relay.replies[0].startswith("RTP/SAVP"), tls_relay.replies
            assert all(r.startswith("RTP/SAVP") or "interleaved=" in r for r in tls_relay.replies), \
                tls_relay.replies
            print("warnings %s; SETUP answers %s" % (play.warnings, tls_relay.replies))
        finally:
            play.stop()


if __name__ == "__main__":
    run_cases(globals())
