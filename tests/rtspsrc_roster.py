#!/usr/bin/env python3
"""meetrtspsrc's roster (the `participants` property and `participants-changed` signal) against a
real meetrtspsink with allow-publish=true (in this process), with hand-written, GStreamer
(rtspclientsink) and ffmpeg (-f rtsp) publishers joining and leaving, the reader over UDP and TCP.

    python3 tests/rtspsrc_roster.py [TestClass[.test]]

A join or leave must reach the application within 1 s (README "Roster": the server pushes every
change at once; the client hands it on as it arrives). Under the sanitizers (MEET_SANITIZED) the
bound is 3 s, as the suite's timeouts are tripled there.
"""
import os
import queue
import shutil
import signal
import subprocess
import sys
import time
import unittest

os.environ.setdefault("GIO_USE_PROXY_RESOLVER", "dummy")

from rtsp_sink_util import Client, Server  # noqa: E402  (Gst.init)
from rtsp_relay import RawPublisher, FFMPEG_SOURCE, wait_for  # noqa: E402

import gi  # noqa: E402
gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

BOUND = 3.0 if os.environ.get("MEET_SANITIZED") else 1.0
WAIT = 30.0


class Reader:
    """meetrtspsrc on PATH, every roster signal queued with the time it came."""

    def __init__(self, url, protocols):
        self.pipeline = Gst.parse_launch(
            "meetrtspsrc name=r location=%s protocols=%s r.stream_0 ! fakesink sync=false" % (url, protocols))
        self.src = self.pipeline.get_by_name("r")
        self.changes = queue.Queue()
        self.src.connect("participants-changed", self._changed)
        self.errors = []

    def _changed(self, _src, names):
        self.changes.put((time.monotonic(), list(names)))

    def start(self):
        assert self.pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
        return self

    def check_bus(self):
        bus = self.pipeline.get_bus()
        while True:
            msg = bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.WARNING)
            if msg is None:
                return
            err = msg.parse_error()[0] if msg.type == Gst.MessageType.ERROR else msg.parse_warning()[0]
            self.errors.append(err.message)

    def wait_change(self, expected, timeout=WAIT):
        """The time of the signal that says @expected (earlier ones are skipped)."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                when, names = self.changes.get(timeout=0.05)
            except queue.Empty:
                self.check_bus()
                continue
            seen.append(names)
            if names == expected:
                return when
        raise AssertionError("roster never became %r (signals: %r, errors: %r)" % (expected, seen, self.errors))

    def wait_playing(self):
        self.pipeline.get_state(Gst.CLOCK_TIME_NONE)
        assert wait_for(lambda: self.src.get_property("rtsp-state") == "playing", WAIT), "reader never played"

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


class RosterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("allow-publish=true session-timeout=5", audio=False)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def url(self, name=None):
        return "rtsp://127.0.0.1:%d/meet%s" % (self.port, "/" + name if name else "")

    def assert_quick(self, what, delay):
        print("%s seen after %.3f s" % (what, delay), flush=True)
        self.assertLess(delay, BOUND, "%s took %.3f s to reach the application" % (what, delay))

    def check_raw(self, protocols):
        """Exact join and leave instants: a hand-written publisher."""
        first = RawPublisher(self.port, "anna-" + protocols).start()
        reader = Reader(self.url(), protocols).start()
        try:
            reader.wait_playing()
            # The answer to the reader's GET_PARAMETER after PLAY.
            reader.wait_change(["anna-" + protocols])
            self.assertEqual(list(reader.src.get_property("participants")), ["anna-" + protocols])
            joined = time.monotonic()   # before ANNOUNCE: the bound includes the publisher's walk
            second = RawPublisher(self.port, "ben-" + protocols).start()
            when = reader.wait_change(["anna-" + protocols, "ben-" + protocols])
            self.assert_quick("join", when - joined)
            left = time.monotonic()
            second.close()
            when = reader.wait_change(["anna-" + protocols])
            self.assert_quick("leave", when - left)
            left = time.monotonic()
            first.close()
            when = reader.wait_change([])
            self.assert_quick("last leave", when - left)
            self.assertEqual(list(reader.src.get_property("participants") or []), [])
            reader.check_bus()
            self.assertEqual(reader.errors, [])
            self.assertEqual(reader.src.get_property("rtsp-state"), "playing")
        finally:
            reader.stop()
            first.close()

    def test_raw_publishers_udp_reader(self):
        self.check_raw("udp")

    def test_raw_publishers_tcp_reader(self):
        self.check_raw("tcp")

    def published_at(self, name):
        """When DESCRIBE first finds @name (it is on the roster by then or very soon)."""
        def described():
            with Client(self.port) as c:
                return c.request("DESCRIBE", self.url(name)).code == 200
        self.assertTrue(wait_for(described, WAIT, step=0.02), "%s never appeared" % name)
        return time.monotonic()

    def check_real(self, protocols, start_publisher, stop_publisher, name):
        reader = Reader(self.url(), protocols).start()
        publisher = None
        try:
            reader.wait_playing()
            time.sleep(0.5)     # the GET_PARAMETER after PLAY is answered (an empty roster: no signal)
            publisher = start_publisher(name)
            seen = self.published_at(name)
            when = reader.wait_change([name])
            self.assert_quick("join of %s" % name, when - seen)
            left = time.monotonic()
            stop_publisher(publisher)
            publisher = None
            when = reader.wait_change([])
            self.assert_quick("leave of %s" % name, when - left)
            reader.check_bus()
            self.assertEqual(reader.errors, [])
        finally:
            if publisher is not None:
                stop_publisher(publisher)
            reader.stop()

    # GStreamer's rtspclientsink: leaves with TEARDOWN.
    def gst_publish(self, name):
        pipeline = Gst.parse_launch(
            "rtspclientsink name=s protocols=tcp location=%s "
            "videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,framerate=15/1"
            " ! jpegenc ! s.sink_0" % self.url(name))
        self.assertNotEqual(pipeline.set_state(Gst.State.PLAYING), Gst.StateChangeReturn.FAILURE)
        return pipeline

    @staticmethod
    def gst_stop(pipeline):
        pipeline.set_state(Gst.State.NULL)

    def need_rtspclientsink(self):
        if Gst.ElementFactory.find("rtspclientsink") is None:
            self.skipTest("rtspclientsink (gstreamer1.0-rtsp) is not installed")

    def test_rtspclientsink_udp_reader(self):
        self.need_rtspclientsink()
        self.check_real("udp", self.gst_publish, self.gst_stop, "gst-u")

    def test_rtspclientsink_tcp_reader(self):
        self.need_rtspclientsink()
        self.check_real("tcp", self.gst_publish, self.gst_stop, "gst-t")

    # ffmpeg -f rtsp: killed, so it leaves by its connection closing.
    def ffmpeg_publish(self, name):
        return subprocess.Popen(["ffmpeg", "-loglevel", "error", *FFMPEG_SOURCE, "-t", "60",
                                 "-f", "rtsp", "-rtsp_transport", "tcp", self.url(name)],
                                stdin=subprocess.DEVNULL, start_new_session=True)

    @staticmethod
    def ffmpeg_stop(proc):
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def need_ffmpeg(self):
        if shutil.which("ffmpeg") is None:
            self.skipTest("ffmpeg is not installed")

    def test_ffmpeg_udp_reader(self):
        self.need_ffmpeg()
        self.check_real("udp", self.ffmpeg_publish, self.ffmpeg_stop, "ff-u")

    def test_ffmpeg_tcp_reader(self):
        self.need_ffmpeg()
        self.check_real("tcp", self.ffmpeg_publish, self.ffmpeg_stop, "ff-t")

    def test_reader_of_a_participant(self):
        """A reader of PATH/NAME learns the roster of PATH (asks the parent path)."""
        pub = RawPublisher(self.port, "carl").start()
        try:
            # RawPublisher sends nothing: the reader plays the SDP's streams without data, long enough.
            reader = Reader(self.url("carl"), "tcp")
            reader.src.set_property("timeout", 60000)
            reader.start()
            try:
                reader.wait_change(["carl"])
            finally:
                reader.stop()
        finally:
            pub.close()


class RosterLifecycleTest(unittest.TestCase):
    """The roster ends with the session and is asked again after a reconnect."""

    def test_teardown_clears_and_reconnect_asks_again(self):
        server = Server("allow-publish=true session-timeout=5", audio=False)
        port = server.port
        publisher = RawPublisher(port, "dora").start()
        reader = Reader("rtsp://127.0.0.1:%d/meet" % port, "tcp")
        reader.src.set_property("retry", 20)
        reader.src.set_property("timeout", 2000)
        reader.start()
        try:
            reader.wait_change(["dora"])
            # READY: TEARDOWN, the roster is gone.
            self.assertNotEqual(reader.pipeline.set_state(Gst.State.READY), Gst.StateChangeReturn.FAILURE)
            reader.wait_change([])
            self.assertEqual(list(reader.src.get_property("participants") or []), [])
            reader.start()
            reader.wait_change(["dora"])
            # The server goes away and comes back on the same port with someone else publishing.
            publisher.close()
            reader.wait_change([])
            server.stop()
            server = Server("allow-publish=true session-timeout=5 port=%d" % port, audio=False)
            self.assertEqual(server.port, port)
            publisher = RawPublisher(port, "emil").start()
            reader.wait_change(["emil"])
            self.assertEqual(reader.src.get_property("rtsp-state"), "playing")
        finally:
            reader.stop()
            publisher.close()
            server.stop()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:], verbosity=2)
