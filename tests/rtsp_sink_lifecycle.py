"""meetrtspsink's life: binding (busy port, port 0), session timeouts and RTCP keep-alives,
a TCP client that stops reading, restarting the element, shutting down cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import unittest

from rtsp_sink_util import Client, Gst, Server, play_udp


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class BindTest(unittest.TestCase):
    def test_busy_port_fails_with_actionable_error(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            pipeline = Gst.parse_launch(
                "meetrtspsink name=s address=127.0.0.1 port=%d "
                "videotestsrc is-live=true ! jpegenc ! rtpjpegpay ! s.sink_0" % port)
            try:
                self.assertEqual(pipeline.set_state(Gst.State.READY), Gst.StateChangeReturn.FAILURE)
                msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
                self.assertIsNotNone(msg)
                text = msg.parse_error()[0].message
                self.assertIn("Port %d is in use" % port, text)
                self.assertIn("or 0", text)
            finally:
                pipeline.set_state(Gst.State.NULL)

    def test_bad_address(self):
        sink = Gst.ElementFactory.make("meetrtspsink")
        sink.set_property("address", "not-an-ip")
        self.assertEqual(sink.set_state(Gst.State.READY), Gst.StateChangeReturn.FAILURE)
        sink.set_state(Gst.State.NULL)

    def test_bound_port_and_restart(self):
        sink = Gst.ElementFactory.make("meetrtspsink")
        sink.set_property("port", 0)
        self.assertEqual(sink.get_property("bound-port"), 0)
        for _ in range(2):
            self.assertNotEqual(sink.set_state(Gst.State.READY), Gst.StateChangeReturn.FAILURE)
            port = sink.get_property("bound-port")
            self.assertGreater(port, 0)
            with Client(port) as c:
                self.assertEqual(c.request("OPTIONS", "*").code, 200)
            sink.set_state(Gst.State.NULL)
            self.assertEqual(sink.get_property("bound-port"), 0)


class EosTest(unittest.TestCase):
    def test_eos_of_every_stream_reaches_the_bus(self):
        pipeline = Gst.parse_launch(
            "meetrtspsink name=s address=127.0.0.1 port=0 "
            "videotestsrc is-live=true num-buffers=10 ! jpegenc ! rtpjpegpay ! s.sink_0 "
            "audiotestsrc is-live=true num-buffers=5 ! audioconvert ! audio/x-raw,format=S16BE "
            "! rtpL16pay ! s.sink_1")
        try:
            pipeline.set_state(Gst.State.PLAYING)
            msg = pipeline.get_bus().timed_pop_filtered(
                20 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
            self.assertIsNotNone(msg)
            self.assertEqual(msg.type, Gst.MessageType.EOS)
        finally:
            pipeline.set_state(Gst.State.NULL)


class TimeoutTest(unittest.TestCase):
    def test_vanished_client_dropped_reporting_client_kept(self):
        with Server("session-timeout=2", audio=False) as server:
            silent, (silent_rx,) = play_udp(server.port, server.url)
            alive, (alive_rx,) = play_udp(server.port, server.url, keepalive=True)
            try:
                self.assertTrue(wait_for(lambda: server.clients() == 2, 5))
                # The silent client sends nothing more: after 2 s it is dropped...
                self.assertTrue(wait_for(lambda: server.clients() == 1, 15))
                silent_rx.count_for(0.3)
                self.assertEqual(silent_rx.count_for(0.5), 0)
                # Its session is gone (and the idle connection closed soon after).
                try:
                    self.assertEqual(silent.request("GET_PARAMETER", server.url).code, 454)
                except ConnectionError:
                    pass
                # ...while receiver reports keep the other one going well past the timeout.
                time.sleep(2.5)
                self.assertGreater(alive_rx.count_for(0.5), 0)
                self.assertEqual(server.clients(), 1)
            finally:
                for x in (silent, silent_rx, alive, alive_rx):
                    x.close()

    def test_closing_connection_ends_session(self):
        with Server(audio=False) as server:
            c, (rx,) = play_udp(server.port, server.url)
            try:
                self.assertTrue(wait_for(lambda: server.clients() == 1, 5))
                c.close()
                self.assertTrue(wait_for(lambda: server.clients() == 0, 5))
                rx.count_for(0.3)
                self.assertEqual(rx.count_for(0.5), 0)
            finally:
                rx.close()


class SlowTcpClientTest(unittest.TestCase):
    def test_client_that_stops_reading_does_not_stall_others(self):
        # Big noisy frames fill a non-reading client's socket buffers quickly.
        video = ("videotestsrc is-live=true pattern=snow ! video/x-raw,format=I420,width=640,"
                 "height=480,framerate=30/1 ! jpegenc quality=95 ! {jpegpay} ! s.sink_0")
        with Server(audio=False, video=video) as server:
            stuck = Client(server.port)
            stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            r = stuck.request("SETUP", server.url + "/stream=0",
                              {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
            self.assertEqual(r.code, 200)
            stuck.session = r.session()
            stuck.send(b"PLAY %s RTSP/1.0\r\nCSeq: 9\r\nSession: %s\r\n\r\n"
                       % (server.url.encode(), stuck.session.encode()))
            # stuck never reads again. Someone else joins and plays normally.
            time.sleep(3)
            other, (rx,) = play_udp(server.port, server.url)
            try:
                self.assertGreater(rx.count_for(2.0), 100)
                self.assertEqual(other.request("GET_PARAMETER", server.url).code, 200)
            finally:
                other.close()
                rx.close()
                stuck.close()


# Releasing the request pads while the bin is being disposed (after GstBin dropped its children)
# once unreffed already-freed elements: CRITICALs on every shutdown, sometimes a crash.
DISPOSE_CYCLE = """
import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
Gst.init(None)
for state in (Gst.State.NULL, Gst.State.READY, Gst.State.PLAYING):
    sink = Gst.ElementFactory.make("meetrtspsink")
    sink.set_property("port", 0)
    pads = [sink.request_pad_simple("sink_%u") for _ in range(2)]
    assert all(pads)
    if state == Gst.State.PLAYING:
        sink.release_request_pad(pads.pop())
    sink.set_state(state)
    sink.set_state(Gst.State.NULL)
    del pads
    del sink
print("done")
"""


class ShutdownTest(unittest.TestCase):
    def run_checked(self, args, **kwargs):
        env = dict(os.environ, G_DEBUG="fatal-criticals")
        return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, **kwargs)

    def test_unref_with_request_pads_is_clean(self):
        proc = self.run_checked([sys.executable, "-c", DISPOSE_CYCLE])
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("done", out)
        self.assertNotIn("CRITICAL", err)

    def test_gst_launch_sigint_is_clean(self):
        proc = self.run_checked(
            ["gst-launch-1.0", "-e", "meetrtspsink", "name=s", "address=127.0.0.1", "port=0",
             "videotestsrc", "is-live=true", "!", "video/x-raw,format=I420", "!", "jpegenc", "!",
             "meetjpegpay", "!", "s.sink_0"])
        try:
            # SIGINT once it runs, so the interrupt goes through EOS and the NULL state.
            for line in proc.stdout:
                if "PLAYING" in line:
                    break
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn("CRITICAL", err)
        self.assertNotIn("WARNING", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
