"""meetrtspsink over a raw TCP socket: request sequences, and RTP actually arriving (or not)."""

import unittest

from rtsp_sink_util import Client, Server, UdpReceiver, play_udp, server_port_of


class ProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_options(self):
        with Client(self.server.port) as c:
            r = c.request("OPTIONS", "*")
            self.assertEqual(r.code, 200)
            self.assertEqual(r.header("cseq"), "1")
            for method in ("DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER"):
                self.assertIn(method, r.header("public"))

    def test_describe(self):
        with Client(self.server.port) as c:
            r = c.request("DESCRIBE", self.server.url, {"Accept": "application/sdp"})
            self.assertEqual(r.code, 200)
            self.assertEqual(r.header("content-type"), "application/sdp")
            self.assertEqual(r.header("content-base"), self.server.url + "/")
            sdp = r.body.decode()
            self.assertIn("m=video 0 RTP/AVP 26", sdp)
            self.assertIn("a=control:stream=0", sdp)
            self.assertIn("a=control:stream=1", sdp)
            self.assertIn("L16/44100", sdp)
            self.assertIn("a=framerate:30", sdp)

    def test_wrong_path(self):
        with Client(self.server.port) as c:
            self.assertEqual(c.request("DESCRIBE", self.server.url + "x").code, 404)
            self.assertEqual(c.request("SETUP", self.server.url + "/stream=7",
                                       {"Transport": "RTP/AVP;unicast;client_port=5000-5001"}).code, 404)

    def test_udp_play_pause_resume_teardown(self):
        c, (video, audio) = play_udp(self.server.port, self.server.url, (0, 1))
        try:
            self.assertGreater(video.count_for(1.0), 10)
            self.assertGreater(audio.rtp_packets, 10)
            self.assertGreaterEqual(self.server.clients(), 1)

            r = c.request("PAUSE", self.server.url)
            self.assertEqual(r.code, 200)
            video.count_for(0.3)  # packets already in flight
            self.assertEqual(video.count_for(0.7), 0)

            r = c.request("PLAY", self.server.url)
            self.assertEqual(r.code, 200)
            self.assertIn("url=%s/stream=0;seq=" % self.server.url, r.header("rtp-info"))
            self.assertEqual(r.header("range"), "npt=now-")
            self.assertGreater(video.count_for(1.0), 10)

            self.assertEqual(c.request("TEARDOWN", self.server.url).code, 200)
            video.count_for(0.3)
            self.assertEqual(video.count_for(0.7), 0)
            self.assertEqual(c.request("PLAY", self.server.url).code, 454)
        finally:
            c.close()
            video.close()
            audio.close()

    def test_rtcp_sender_reports(self):
        """rtpbin sends sender reports to each client's RTCP port, from the server_port."""
        with Client(self.server.port) as c:
            rx = UdpReceiver()
            try:
                r = c.request("SETUP", self.server.url + "/stream=1", {"Transport": rx.transport()})
                self.assertEqual(r.code, 200)
                _, server_rtcp = server_port_of(r.header("transport"))
                c.session = r.session()
                self.assertEqual(c.request("PLAY", self.server.url).code, 200)
                for _ in range(100):
                    if rx.rtcp_packets:
                        break
                    rx.count_for(0.1)
                self.assertGreater(rx.rtcp_packets, 0)
                self.assertEqual(rx.rtcp_from[1], server_rtcp)
            finally:
                rx.close()

    def test_tcp_interleaved(self):
        with Client(self.server.port) as c:
            r = c.request("SETUP", self.server.url + "/stream=0",
                          {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
            self.assertEqual(r.code, 200)
            self.assertIn("interleaved=0-1", r.header("transport"))
            c.session = r.session()
            r = c.request("SETUP", self.server.url + "/stream=1",
                          {"Transport": "RTP/AVP/TCP;unicast;interleaved=2-3"})
            self.assertEqual(r.code, 200)
            self.assertEqual(c.request("PLAY", self.server.url).code, 200)
            frames = c.read_frames(1.0)
            self.assertGreater(frames.get(0, 0), 10)
            self.assertGreater(frames.get(2, 0), 10)
            # Responses still come through between the frames.
            self.assertEqual(c.request("PAUSE", self.server.url).code, 200)
            c.read_frames(0.3)
            before = dict(c.frames)
            c.read_frames(0.5)
            self.assertEqual(c.frames.get(0, 0), before.get(0, 0))
            self.assertEqual(c.request("TEARDOWN", self.server.url).code, 200)

    def test_session_header_and_keepalive(self):
        with Client(self.server.port) as c:
            rx = UdpReceiver()
            try:
                r = c.request("SETUP", self.server.url + "/stream=0", {"Transport": rx.transport()})
                sid, _, timeout = r.header("session").partition(";")
                self.assertGreaterEqual(len(sid), 32)  # 128 bits as hex
                self.assertEqual(timeout, "timeout=60")
                self.assertRegex(r.header("transport"), r"client_port=%d-%d;server_port=\d+-\d+"
                                 % (rx.rtp_port, rx.rtcp_port))
                c.session = sid
                self.assertEqual(c.request("GET_PARAMETER", self.server.url).code, 200)
                self.assertEqual(c.request("SET_PARAMETER", self.server.url).code, 200)
                self.assertEqual(c.request("OPTIONS", "*").code, 200)
            finally:
                rx.close()

    def test_counters(self):
        before = self.server.sink.get_property("bytes-sent")
        c, (rx,) = play_udp(self.server.port, self.server.url)
        try:
            rx.count_for(0.5)
            self.assertGreater(self.server.sink.get_property("bytes-sent"), before)
            self.assertGreaterEqual(self.server.clients(), 1)
        finally:
            c.close()
            rx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
