#!/usr/bin/python3
"""meetrtspsrc over RTP/SAVP;multicast (issue 12, the client side): meetrtspsink with a TLS certificate
and encryption=required on a test LAN of network namespaces (tests/netns_lan.py, the server of
tests/secure_multicast.py on host 0), meetrtspsrc readers pinning its certificate (tls-fingerprint).

- group: meetrtspsrc protocols=udp-mcast over rtsps:// on two hosts decodes every frame through the
  stream's SRTP group (stats: transport udp-mcast, srtp, nothing dropped by srtpdec, no lost packet).
- blocked: multicast blocked at a host's port, meetrtspsrc protocols=udp-mcast+udp+tcp says it
  switches to unicast UDP and keeps playing as SRTP over unicast UDP.
Needs root (CI runs as root); skipped with the reason otherwise.

    secure_multicast_client.py [SecureMulticastClientTest.test_CASE]
    secure_multicast_client.py peer URL FINGERPRINT PROTOCOLS FRAMES   (run on a LAN host by the tests)
"""
import json
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from secure_multicast import SecureMulticastTest  # noqa: E402

FRAMES = 100
WAIT = 60


def peer(url, fingerprint, protocols, frames):
    """meetrtspsrc plays @url until @frames JPEG frames are decoded (or WAIT s); one JSON line."""
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtp", "1.0")
    from gi.repository import Gst, GstRtp
    Gst.init(None)
    pipeline = Gst.parse_launch(
        f"meetrtspsrc name=src location={url} tls-fingerprint={fingerprint} protocols={protocols} "
        "timeout=3000 latency=200 ! rtpjpegdepay name=depay ! jpegdec ! fakesink name=sink sync=false")
    seen = {"frames": 0, "gaps": 0, "packets": 0}
    last = [None]

    def on_rtp(_pad, info):
        ok, rtp = GstRtp.RTPBuffer.map(info.get_buffer(), Gst.MapFlags.READ)
        if ok:
            seq = rtp.get_seq()
            rtp.unmap()
            if last[0] is not None and (seq - last[0]) & 0xFFFF != 1:
                seen["gaps"] += 1
            last[0] = seq
            seen["packets"] += 1
        return Gst.PadProbeReturn.OK

    def on_frame(_pad, _info):
        seen["frames"] += 1
        return Gst.PadProbeReturn.OK

    pipeline.get_by_name("depay").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_rtp)
    pipeline.get_by_name("sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_frame)
    warnings, errors = [], []
    pipeline.set_state(Gst.State.PLAYING)
    bus = pipeline.get_bus()
    deadline = time.monotonic() + WAIT
    while seen["frames"] < frames and time.monotonic() < deadline and not errors:
        msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.WARNING)
        if msg and msg.type == Gst.MessageType.ERROR:
            errors.append(msg.parse_error()[0].message)
        elif msg:
            warnings.append(msg.parse_warning()[0].message)
    src = pipeline.get_by_name("src")
    # stream-0 is a nested structure, escaped inside the outer one: unescape, then read it.
    stats = src.get_property("stats").to_string().replace("\\", "")
    match = re.search(r"transport=\(string\)([a-z-]+)", stats)
    seen["transport"] = match.group(1) if match else None
    seen["srtp"] = "srtp=(boolean)true" in stats
    seen["stats"] = stats[:600]
    seen["srtp_dropped"] = src.get_property("srtp-dropped")
    pipeline.set_state(Gst.State.NULL)
    seen["warnings"], seen["errors"] = warnings, errors
    print(json.dumps(seen), flush=True)


class SecureMulticastClientTest(SecureMulticastTest):
    # The server-side cases stay in tests/secure_multicast.py.
    test_own_streams = test_participant = test_refusals = None

    def reader(self, host, protocols, frames=FRAMES):
        return self.spawn(host, [sys.executable, os.path.abspath(__file__), "peer", self.url,
                                 self.fingerprint, protocols, str(frames)])

    def test_group(self):
        readers = [self.reader(1, "udp-mcast"), self.reader(2, "udp-mcast")]
        for r in readers:
            seen = self.result(r, WAIT + 30)
            print("meetrtspsrc over the SRTP group:", seen, flush=True)
            self.assertEqual(seen["errors"], [])
            self.assertGreaterEqual(seen["frames"], FRAMES, seen)
            self.assertEqual(seen["gaps"], 0, f"lost packets: {seen}")
            self.assertEqual(seen["transport"], "udp-mcast", seen)
            self.assertTrue(seen["srtp"], seen)
            self.assertEqual(seen["srtp_dropped"], 0, seen)

    def test_blocked(self):
        self.lan.block_multicast(3)
        group = self.reader(1, "udp-mcast")
        blocked = self.reader(3, "udp-mcast+udp+tcp")
        seen = self.result(blocked, WAIT + 30)
        print("meetrtspsrc with multicast blocked:", seen, flush=True)
        self.assertEqual(seen["errors"], [])
        self.assertGreaterEqual(seen["frames"], FRAMES, seen)
        self.assertEqual(seen["transport"], "udp", seen)
        self.assertTrue(seen["srtp"], seen)
        self.assertTrue(any("switching to unicast UDP" in w for w in seen["warnings"]), seen["warnings"])
        seen = self.result(group, WAIT + 30)
        print("meetrtspsrc over the SRTP group beside it:", seen, flush=True)
        self.assertGreaterEqual(seen["frames"], FRAMES, seen)
        self.assertEqual(seen["transport"], "udp-mcast", seen)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        peer(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        sys.exit(0)
    unittest.main(verbosity=2)
