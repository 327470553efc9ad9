#!/usr/bin/env python3
"""Lip sync through meetrtspsink's relay: meetsrv's marked test streams (a flash and a beep once a second,
tools/marks.h) are published into a relay as participant `bob` by GStreamer's rtspclientsink, and meetcli
reading rtsp://.../meet/bob sees the beeps and flashes within one frame of each other."""
import time
import unittest

from e2e_util import Server, client, summary
from rtsp_sink_util import Server as RelayServer, Client

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

FRAME_MS = 1000 / 30


class RelaySyncTest(unittest.TestCase):
    def test_beeps_and_flashes_in_step(self):
        if Gst.ElementFactory.find("rtspclientsink") is None:
            self.skipTest("rtspclientsink (gstreamer1.0-rtsp) is not installed")
        relay = RelayServer("allow-publish=true", audio=False)
        source = Server()
        forwarder = None
        try:
            url = "rtsp://127.0.0.1:%d/meet/bob" % relay.port
            # The participant: meetsrv's streams depayloaded and published again (rtspclientsink payloads
            # itself, with sender reports of its own from the synchronised timestamps rtspsrc gives it).
            forwarder = Gst.parse_launch(
                "rtspclientsink name=s protocols=tcp latency=0 location=%s "
                "rtspsrc location=%s latency=100 name=r "
                "r. ! rtpjpegdepay ! jpegparse ! queue ! s. "
                "r. ! rtpL16depay ! queue ! s." % (url, source.url))
            self.assertNotEqual(forwarder.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)

            def published():
                with Client(relay.port) as c:
                    return c.request("DESCRIBE", url).code == 200
            deadline = time.monotonic() + 30
            while not published() and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertTrue(published(), "the participant never appeared")
            cli = client(url, "--duration", "12")
            self.assertEqual(cli.wait(60), 0, cli.output())
            s = summary(cli)
            print("meetcli reading the relayed participant:", s, flush=True)
            self.assertGreater(s["frames"], 150, cli.output())
            self.assertIsNotNone(s["offset"], cli.output())
            self.assertLess(abs(s["offset"]), FRAME_MS, "A/V offset over one frame:\n" + cli.output())
        finally:
            if forwarder is not None:
                forwarder.set_state(Gst.State.NULL)
            source.stop()
            relay.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
