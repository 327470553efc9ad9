#!/usr/bin/python3
"""Viewers of a meetrtspsink multicast stream, run on a host of the test LAN (tests/netns_lan.py) by
tests/test_multicast_sink.py, each printing one JSON line of what it saw; rtspsrc(), Rtsp and join_group()
serve tests/secure_multicast.py too (over rtsps://):

    multicast_peer.py rtspsrc URL FRAMES
        GStreamer's rtspsrc protocols=udp-mcast: decodes FRAMES JPEG frames, counts RTP sequence gaps
        (rtsps://: any certificate, the test made it).
    multicast_peer.py raw URL SECONDS REPORTS
        A raw RTSP client: SETUP RTP/AVP;multicast, PLAY, joins the group itself, then for SECONDS
        sends no RTSP request at all, only (with REPORTS=1) an RTCP receiver report to the group every
        second; counts the RTP and the sender reports that arrive, and finally asks with
        GET_PARAMETER whether its session is still there (200; 454 or "closed" when it is not). Also checks that a group of its own choosing
        (destination=) is refused.
"""
import json
import re
import socket
import ssl
import struct
import sys
import time


def rtspsrc(url, frames):
    """rtspsrc protocols=udp-mcast plays @url (rtsp:// or rtsps://) until @frames JPEG frames are decoded
    (or 60 s); one JSON line: frames, gaps, packets, errors."""
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtp", "1.0")
    from gi.repository import GLib, Gst, GstRtp
    Gst.init(None)
    pipeline = Gst.parse_launch(
        f"rtspsrc name=src location={url} protocols=udp-mcast latency=400 "
        f"{'tls-validation-flags=0 ' if url.startswith('rtsps://') else ''}! rtpjpegdepay name=depay ! "
        "jpegdec ! appsink name=sink emit-signals=true sync=false")
    seen = {"frames": 0, "gaps": 0, "packets": 0, "last": None}

    def on_rtp(pad, info):
        buf = info.get_buffer()
        ok, rtp = GstRtp.RTPBuffer.map(buf, Gst.MapFlags.READ)
        if ok:
            seq = rtp.get_seq()
            rtp.unmap()
            if seen["last"] is not None and (seq - seen["last"]) & 0xFFFF != 1:
                seen["gaps"] += 1
            seen["last"] = seq
            seen["packets"] += 1
        return Gst.PadProbeReturn.OK

    pipeline.get_by_name("depay").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_rtp)
    loop = GLib.MainLoop()

    def on_sample(sink):
        sink.emit("pull-sample")
        # Samples still arriving between the last one asked for and the loop's end are not counted: the
        # callers compare with @frames exactly (it once read 101 of 100 on a loaded machine).
        if seen["frames"] < frames:
            seen["frames"] += 1
            if seen["frames"] == frames:
                GLib.idle_add(loop.quit)
        return Gst.FlowReturn.OK

    pipeline.get_by_name("sink").connect("new-sample", on_sample)
    errors = []

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ERROR:
            errors.append(str(message.parse_error()[0]))
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    GLib.timeout_add_seconds(60, loop.quit)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    del seen["last"]
    seen["errors"] = errors
    print(json.dumps(seen), flush=True)


class Rtsp:
    """A raw RTSP client, over TLS for rtsps:// (any certificate: the test made it)."""

    def __init__(self, url):
        match = re.match(r"(rtsps?)://([^:/]+):(\d+)(/.*)", url)
        scheme, self.host, self.port = match.group(1), match.group(2), int(match.group(3))
        self.sock = socket.create_connection((self.host, self.port), timeout=10)
        if scheme == "rtsps":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock)
        self.cseq = 0
        self.buffer = b""

    def request(self, method, uri, headers=()):
        """(code, status line, headers, body); code "closed" when the server hung up."""
        self.cseq += 1
        lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {self.cseq}"] + list(headers)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                return "closed", "", {}, b""
            self.buffer += data
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in
                   (line.split(":", 1) for line in lines[1:] if ":" in line)}
        length = int(headers.get("content-length", 0))
        while len(self.buffer) < length:
            self.buffer += self.sock.recv(65536)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(lines[0].split()[1]), lines[0], headers, body


def join_group(group, port, timeout=None):
    """A UDP socket bound to @group:@port and joined to it (any interface: the host's multicast route);
    non-blocking unless @timeout (seconds) is given."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("0.0.0.0")))
    if timeout is None:
        s.setblocking(False)
    else:
        s.settimeout(timeout)
    return s


def receiver_report(ssrc):
    # RTCP RR (RFC 3550 6.4.2) without report blocks: V=2, RC=0, PT=201, length 1.
    return struct.pack("!BBHI", 0x80, 201, 1, ssrc)


def raw(url, seconds, reports):
    out = {}
    client = Rtsp(url)
    code, _, _, _ = client.request("DESCRIBE", url, ["Accept: application/sdp"])
    out["describe"] = code
    code, _, _, _ = client.request("SETUP", url + "/stream=0",
                                   ["Transport: RTP/AVP;multicast;destination=239.1.2.3;port=6000-6001"])
    out["setup_own_group"] = code
    code, _, headers, _ = client.request("SETUP", url + "/stream=0", ["Transport: RTP/AVP;multicast"])
    out["setup"] = code
    transport = headers.get("transport", "")
    out["transport"] = transport
    session = headers.get("session", "").split(";")[0]
    group = re.search(r"destination=([\d.]+)", transport).group(1)
    rtp_port, rtcp_port = map(int, re.search(r"port=(\d+)-(\d+)", transport).groups())
    socks = [join_group(group, port) for port in (rtp_port, rtcp_port)]
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    code, _, _, _ = client.request("PLAY", url, [f"Session: {session}"])
    out["play"] = code
    out["rtp"] = out["sender_reports"] = 0
    end = time.monotonic() + seconds
    next_report = 0
    while time.monotonic() < end:
        for i, s in enumerate(socks):
            while True:
                try:
                    packet = s.recv(65536)
                except BlockingIOError:
                    break
                if i == 0:
                    out["rtp"] += 1
                elif len(packet) > 1 and packet[1] == 200:
                    out["sender_reports"] += 1
        if reports and time.monotonic() >= next_report:
            sender.sendto(receiver_report(0x12345678), (group, rtcp_port))
            next_report = time.monotonic() + 1.0
        time.sleep(0.01)
    # "closed": the session timed out and its connection, idle without one, was closed with it.
    try:
        out["session_after"] = client.request("GET_PARAMETER", url, [f"Session: {session}"])[0]
    except OSError:
        out["session_after"] = "closed"
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "rtspsrc":
        rtspsrc(sys.argv[2], int(sys.argv[3]))
    else:
        raw(sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1")
