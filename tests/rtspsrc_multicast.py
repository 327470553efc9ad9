#!/usr/bin/env python3
"""meetrtspsrc over RFC 2326 multicast on a test LAN of network namespaces (tests/netns_lan.py):
gst-rtsp-server with a multicast address pool on host 0, readers on the other hosts.

- host 1: meetrtspsrc protocols=udp-mcast decodes every frame from the group the server chose,
  joined on the interface of its RTSP connection (the host has no multicast route);
- host 2: GStreamer's rtspsrc protocols=udp-mcast beside it, on the same group (one send for both);
- host 3: multicast blocked at its switch port; meetrtspsrc protocols=udp-mcast+udp+tcp warns why
  and goes on playing over unicast UDP.

All traffic stays inside the test's namespaces (10.77.0.0/24 and 239.255.42.0/24 there); nothing is
sent from the root namespace. Needs root (skipped otherwise, with the reason).

    python3 tests/rtspsrc_multicast.py
    python3 tests/rtspsrc_multicast.py serve ADDRESS          (inside host 0)
    python3 tests/rtspsrc_multicast.py read ELEMENT URL PROTOCOLS FRAMES [DEPAY [video-only]]
                                                              (inside a reader host)
"""
import json
import os
import subprocess
import sys
import time
import unittest

os.environ.setdefault("GIO_USE_PROXY_RESOLVER", "dummy")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from netns_lan import TestLan  # noqa: E402

WAIT = 60


def serve(address):
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    gi.require_version("GstRtsp", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(address)
    server.set_service("0")
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch("( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=160,height=120,framerate=15/1"
                       " ! jpegenc ! rtpjpegpay name=pay0 pt=26 )")
    factory.set_shared(True)        # one multicast send for every reader
    factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP_MCAST | GstRtsp.RTSPLowerTrans.UDP
                          | GstRtsp.RTSPLowerTrans.TCP)
    pool = GstRtspServer.RTSPAddressPool()
    assert pool.add_range("239.255.42.0", "239.255.42.255", 5000, 5100, 1)
    factory.set_address_pool(pool)
    server.get_mount_points().add_factory("/test", factory)
    server.attach(None)
    print("PORT %d" % server.get_bound_port(), flush=True)
    GLib.MainLoop().run()


def read(element, url, protocols, frames, depay="rtpjpegdepay", video_only=False):
    """Plays @url with @element (meetrtspsrc or rtspsrc) until @frames JPEG frames are decoded (or WAIT s)
    and prints one JSON line: frames, warnings, errors and (meetrtspsrc) the transport of stream 0.
    @depay is the JPEG depayloader (rtpjpegdepay, meetjpegdepay); with @video_only the source's video pad
    is decoded and any other (a meeting's audio) goes to a fakesink. Shared with tests/e2e_multicast.py."""
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)
    extra = " timeout=3000" if element == "meetrtspsrc" else ""
    decode = "%s ! jpegdec ! fakesink name=sink sync=false" % depay
    if video_only:
        launch = ("%s name=src location=%s protocols=%s%s src. ! application/x-rtp,media=video ! %s "
                  "src. ! application/x-rtp,media=audio ! fakesink sync=false"
                  % (element, url, protocols, extra, decode))
    else:
        launch = "%s name=src location=%s protocols=%s%s ! %s" % (element, url, protocols, extra, decode)
    pipeline = Gst.parse_launch(launch)
    decoded = []
    pipeline.get_by_name("sink").get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER, lambda *_: decoded.append(1) or Gst.PadProbeReturn.OK)
    warnings, errors = [], []
    pipeline.set_state(Gst.State.PLAYING)
    bus = pipeline.get_bus()
    deadline = time.monotonic() + WAIT
    while len(decoded) < frames and time.monotonic() < deadline and not errors:
        msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.WARNING)
        if msg and msg.type == Gst.MessageType.ERROR:
            errors.append(msg.parse_error()[0].message)
        elif msg:
            warnings.append(msg.parse_warning()[0].message)
    transport = None
    if element == "meetrtspsrc":
        stats = pipeline.get_by_name("src").get_property("stats")
        stream = stats.get_value("stream-0")
        transport = stream.get_value("transport") if stream and stream.has_field("transport") else None
    pipeline.set_state(Gst.State.NULL)
    print(json.dumps({"frames": len(decoded), "warnings": warnings, "errors": errors,
                      "transport": transport}), flush=True)


@unittest.skipIf(TestLan.available(), TestLan.available())
class MulticastTest(unittest.TestCase):
    def test_multicast_and_fallback(self):
        with TestLan(4) as lan:
            lan.block_multicast(3)
            # Host 1 has no multicast route: the group is joined only because meetrtspsrc names the
            # interface of its RTSP connection (eth0), not by the routing table's default.
            lan.exec_in(lan.hosts[1], ["ip", "route", "del", "224.0.0.0/4", "dev", "eth0"])
            env = dict(os.environ)
            env.pop("LD_PRELOAD", None) if "MEET_SANITIZED" not in env else None
            server = lan.popen(0, [sys.executable, __file__, "serve", lan.address(0)],
                               stdout=subprocess.PIPE, text=True, env=env)
            try:
                line = server.stdout.readline()
                self.assertTrue(line.startswith("PORT "), line)
                url = "rtsp://%s:%d/test" % (lan.address(0), int(line.split()[1]))
                readers = {
                    "meet-mcast": lan.popen(1, [sys.executable, __file__, "read", "meetrtspsrc", url,
                                                "udp-mcast", "45"], stdout=subprocess.PIPE, text=True),
                    "rtspsrc-mcast": lan.popen(2, [sys.executable, __file__, "read", "rtspsrc", url,
                                                   "udp-mcast", "45"], stdout=subprocess.PIPE, text=True),
                    "meet-blocked": lan.popen(3, [sys.executable, __file__, "read", "meetrtspsrc", url,
                                                  "udp-mcast+udp+tcp", "45"], stdout=subprocess.PIPE,
                                              text=True),
                }
                results = {}
                for name, proc in readers.items():
                    out, _ = proc.communicate(timeout=WAIT + 30)
                    results[name] = json.loads(out.strip().splitlines()[-1])
                    print(name, results[name], flush=True)
            finally:
                server.kill()
                server.wait()
        mcast, reference, blocked = results["meet-mcast"], results["rtspsrc-mcast"], results["meet-blocked"]
        self.assertEqual(reference["errors"], [], "the server's multicast does not work: %s" % reference)
        self.assertGreaterEqual(reference["frames"], 45, reference)
        self.assertEqual(mcast["errors"], [])
        self.assertEqual(mcast["warnings"], [])
        self.assertGreaterEqual(mcast["frames"], 45, mcast)
        self.assertEqual(mcast["transport"], "udp-mcast")
        self.assertEqual(blocked["errors"], [])
        self.assertGreaterEqual(blocked["frames"], 45, blocked)
        self.assertEqual(blocked["transport"], "udp")
        self.assertTrue(any("No multicast data" in w and "switching to unicast UDP" in w
                            for w in blocked["warnings"]), blocked["warnings"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
             *(sys.argv[6:7] or []), video_only="video-only" in sys.argv[7:])
    else:
        unittest.main()
