#!/usr/bin/python3
"""RTP/SAVP;multicast (issue 12): meetrtspsink with a TLS certificate and encryption=required on a test
LAN of network namespaces (tests/netns_lan.py): the server on host 0, readers on hosts 1-3, nothing
outside the namespaces.

- own_streams: GStreamer's rtspsrc (protocols=udp-mcast over rtsps://, tls-validation-flags=0) on two
  hosts decodes every frame through the stream's SRTP group; a raw TLS client on a third host is
  answered RTP/SAVP;multicast;destination=GROUP, joins the group with a plain socket and sees SRTP, no
  JPEG in it; the bytes the server's host sends are about the same with one multicast reader and with
  three (one SRTP send per packet to the group).
- participant: a publisher over rtsps:// (meetrtspclientsink, pinned fingerprint) is relayed to an SRTP
  group of its own; rtspsrc readers of PATH/NAME decode every frame through it, a plain socket on the
  group sees no JPEG.
- refusals: inside TLS, plain RTP/AVP;multicast is 461 with a reason a user can read, a group of the
  client's choosing (destination=) 403; plain rtsp:// is 403 "requires rtsps://" (encryption=required).
Needs root (CI runs as root); skipped with the reason otherwise.

    secure_multicast.py [SecureMulticastTest.test_CASE]
    secure_multicast.py peer rtspsrc URL FRAMES      (run on a LAN host by the tests)
    secure_multicast.py peer raw URL SECONDS
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from multicast_peer import Rtsp, join_group, rtspsrc as peer_rtspsrc  # noqa: E402
from netns_lan import LanProcesses, TestLan  # noqa: E402

POOL = "239.255.43.0/24"
FRAMES = 100


def looks_like_jpeg(data):
    """Entropy-coded JPEG stuffs every FF with a 00: in clear most FF bytes are followed by 00, in
    ciphertext about 1 in 256."""
    ff = data.count(b"\xff")
    return ff > 100 and data.count(b"\xff\x00") > ff // 4


# ------------------------------------------------------------------------------------ peers (on a host)
# rtspsrc over rtsps:// (peer rtspsrc), the raw RTSP client and the group's socket are the plain multicast
# tests' (tests/multicast_peer.py), which speak rtsps:// too.

def peer_raw(url, seconds):
    """Refusals, then SETUP RTP/SAVP;multicast, PLAY, and a plain socket on the group."""
    out = {}
    client = Rtsp(url)
    code, _, _, body = client.request("DESCRIBE", url, ["Accept: application/sdp"])
    out["describe"] = code
    sdp = body.decode("latin-1")
    out["savp_media"] = sdp.count("RTP/SAVP")
    out["keymgmt"] = sdp.count("a=key-mgmt:mikey ")
    code, status, _, body = client.request("SETUP", url + "/stream=0", ["Transport: RTP/AVP;multicast"])
    out["plain_multicast"] = [code, status, body.decode("latin-1").strip()]
    code, _, _, _ = client.request("SETUP", url + "/stream=0",
                                   ["Transport: RTP/SAVP;multicast;destination=239.1.2.3;port=6000-6001"])
    out["own_group"] = code
    code, _, headers, _ = client.request("SETUP", url + "/stream=0", ["Transport: RTP/SAVP;multicast"])
    out["setup"] = code
    transport = headers.get("transport", "")
    out["transport"] = transport
    session = headers.get("session", "").split(";")[0]
    group = re.search(r"destination=([\d.]+)", transport).group(1)
    rtp_port = int(re.search(r"port=(\d+)-(\d+)", transport).group(1))
    sock = join_group(group, rtp_port, timeout=0.5)
    code, _, _, _ = client.request("PLAY", url, [f"Session: {session}"])
    out["play"] = code
    packets = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            packets.append(sock.recv(65536))
        except socket.timeout:
            pass
    out["rtp"] = len(packets)
    payload = b"".join(p[12:] for p in packets if len(p) > 12 and p[0] >> 6 == 2)
    out["ff"] = payload.count(b"\xff")
    out["ff00"] = payload.count(b"\xff\x00")
    out["jpeg_in_clear"] = looks_like_jpeg(payload)
    client.request("TEARDOWN", url, [f"Session: {session}"])
    print(json.dumps(out), flush=True)


def peer_plain_refused(url):
    client = Rtsp(url)
    code, status, _, _ = client.request("OPTIONS", url)
    print(json.dumps({"code": code, "status": status}), flush=True)


# ------------------------------------------------------------------------------------ the tests

def have_elements():
    return all(subprocess.run(["gst-inspect-1.0", e], capture_output=True).returncode == 0
               for e in ("meetrtspsink", "srtpenc"))


@unittest.skipIf(TestLan.available(), TestLan.available())
@unittest.skipUnless(have_elements(), "meetrtspsink or srtpenc is not there")
class SecureMulticastTest(LanProcesses, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="meet-secure-mcast-")
        self.cert, self.key = os.path.join(self.tmp, "server.crt"), os.path.join(self.tmp, "server.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", self.key, "-out", self.cert, "-days", "30", "-subj", "/CN=10.77.0.1",
                        "-addext", "subjectAltName=IP:10.77.0.1"], check=True, capture_output=True)
        out = subprocess.run(["openssl", "x509", "-in", self.cert, "-noout", "-fingerprint", "-sha256"],
                             check=True, capture_output=True, text=True).stdout
        self.fingerprint = "sha256:" + out.strip().split("=", 1)[1].upper()
        self.start_lan(4)
        self.server = self.spawn(0, [
            "gst-launch-1.0", "-q", "meetrtspsink", "name=s", "port=8554", "session-timeout=10",
            f"address={self.lan.address(0)}", "allow-publish=true", "encryption=required",
            f"tls-cert-file={self.cert}", f"tls-key-file={self.key}",
            f"multicast-address-pool={POOL}", "multicast-port-range=5000-5099",
            "videotestsrc", "is-live=true", "!",
            "video/x-raw,format=I420,width=320,height=240,framerate=25/1", "!", "jpegenc", "!",
            "rtpjpegpay", "!", "s.sink_0"])
        self.url = f"rtsps://{self.lan.address(0)}:8554/meet"
        self.noisy.append(self.server)
        self.lan.wait_listening(0, 8554, self.server)
        time.sleep(1.0)   # caps negotiated, first packets through srtpenc

    def peer(self, host, *args):
        return self.spawn(host, [sys.executable, os.path.abspath(__file__), "peer", *map(str, args)])

    def result(self, proc, timeout=90):
        out, err = proc.communicate(timeout=timeout)
        self.assertEqual(proc.returncode, 0, err)
        return json.loads(out.strip().splitlines()[-1])

    def check_rtspsrc(self, proc, frames=FRAMES):
        seen = self.result(proc)
        print("rtspsrc over SRTP multicast:", seen, flush=True)
        self.assertEqual(seen["errors"], [])
        self.assertEqual(seen["frames"], frames, seen)
        self.assertEqual(seen["gaps"], 0, f"rtspsrc lost packets: {seen}")

    def check_raw(self, raw):
        print("plain socket on the group:", raw, flush=True)
        self.assertEqual(raw["describe"], 200)
        self.assertGreaterEqual(raw["savp_media"], 1)
        self.assertGreaterEqual(raw["keymgmt"], 1)
        self.assertEqual(raw["setup"], 200)
        self.assertEqual(raw["play"], 200)
        self.assertRegex(raw["transport"], r"^RTP/SAVP;multicast;destination=239\.255\.43\.\d+;"
                         r"port=50\d\d-50\d\d;ttl=1")
        self.assertGreater(raw["rtp"], 50, "no SRTP arrived through the group")
        self.assertGreater(raw["ff"], 100, "too few bytes to judge")
        self.assertFalse(raw["jpeg_in_clear"], "JPEG in clear on the group")

    def wire_rate(self, seconds):
        tx0, t0 = self.lan.tx_bytes(0), time.monotonic()
        time.sleep(seconds)
        return (self.lan.tx_bytes(0) - tx0) / (time.monotonic() - t0)

    def test_own_streams(self):
        first = self.peer(1, "rtspsrc", self.url, 500)     # ~20 s
        time.sleep(5)
        one = self.wire_rate(3)
        second = self.peer(2, "rtspsrc", self.url, FRAMES)
        raw = self.peer(3, "raw", self.url, 4)
        time.sleep(3)
        three = self.wire_rate(3)
        self.check_raw(self.result(raw))
        self.check_rtspsrc(second)
        self.check_rtspsrc(first, 500)
        print(f"server host sends {one / 1000:.0f} kB/s with 1 SRTP multicast reader, {three / 1000:.0f} "
              f"kB/s with 3 (ratio {three / one:.2f}; unicast would be ~3)", flush=True)
        self.assertLess(three / one, 1.5, "the server sends per reader, not once to the group")

    def test_participant(self):
        url = self.url + "/alice"
        self.spawn(1, [
            "gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "!",
            "video/x-raw,format=I420,width=320,height=240,framerate=25/1", "!", "jpegenc", "!",
            "rtpjpegpay", "!", "s.sink_0", "meetrtspclientsink", "name=s", f"location={url}",
            f"tls-fingerprint={self.fingerprint}"])
        deadline = time.monotonic() + 20
        while True:
            probe = self.result(self.peer(2, "options", url), 30)
            if probe["code"] == 200:
                break
            self.assertLess(time.monotonic(), deadline, f"alice never got to publish: {probe}")
            time.sleep(0.5)
        readers = [self.peer(2, "rtspsrc", url, FRAMES), self.peer(3, "rtspsrc", url, FRAMES)]
        time.sleep(2)
        raw = self.peer(3, "raw", url, 3)
        self.check_raw(self.result(raw))
        for r in readers:
            self.check_rtspsrc(r)

    def test_refusals(self):
        raw = self.result(self.peer(1, "raw", self.url, 1))
        self.check_raw(raw)
        code, status, body = raw["plain_multicast"]
        print("RTP/AVP;multicast inside TLS:", status, "|", body, flush=True)
        self.assertEqual(code, 461)
        self.assertIn("RTP/SAVP", status)
        self.assertIn("plain RTP/AVP over UDP is refused", body)
        self.assertEqual(raw["own_group"], 403, "a client chose the multicast group")
        plain = self.result(self.peer(2, "plain", self.url.replace("rtsps://", "rtsp://")))
        print("plain rtsp://:", plain, flush=True)
        self.assertEqual(plain["code"], 403)
        self.assertIn("rtsps://", plain["status"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        kind = sys.argv[2]
        if kind == "rtspsrc":
            peer_rtspsrc(sys.argv[3], int(sys.argv[4]))
        elif kind == "raw":
            peer_raw(sys.argv[3], float(sys.argv[4]))
        elif kind == "options":
            # Whether the participant publishes yet: DESCRIBE is 404 until it records.
            try:
                code, status, _, _ = Rtsp(sys.argv[3]).request("DESCRIBE", sys.argv[3])
            except OSError as e:
                code, status = "error", str(e)
            print(json.dumps({"code": code, "status": status}), flush=True)
        else:
            peer_plain_refused(sys.argv[3])
        sys.exit(0)
    unittest.main(verbosity=2)
