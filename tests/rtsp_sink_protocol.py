"""meetrtspsink over a raw TCP socket: request sequences, and RTP actually arriving (or not)."""

import socket
import time
import unittest

from rtsp_sink_util import Client, ServerTestCase, UdpReceiver, play_udp, server_port_of


def request_bytes(method, url, cseq, session=None):
    lines = ["%s %s RTSP/1.0" % (method, url), "CSeq: %d" % cseq]
    if session:
        lines.append("Session: " + session)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# An RTCP receiver report interleaved on channel 1, as TCP clients send them between requests.
RTCP_RR_FRAME = b"$\x01\x00\x08" + bytes([0x80, 201, 0, 1]) + (0x1234ABCD).to_bytes(4, "big")


class ProtocolTest(ServerTestCase):
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


class StopSequencesTest(ServerTestCase):
    """How clients stop, byte for byte: each request answered in order and the connection left
    open for the client to close. rtspsrc stopping in one go sends PLAY (CSeq 5), then, its PAUSE
    cancelled before a byte went out, TEARDOWN (CSeq 7)."""

    def wait_no_clients(self):
        deadline = time.monotonic() + 5
        while self.server.clients() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.server.clients(), 0)

    def assert_still_open(self, c):
        self.assertEqual(c.request("OPTIONS", "*").code, 200)

    def test_teardown_after_a_cseq_gap_then_stay_open(self):
        c, (rx,) = play_udp(self.server.port, self.server.url)
        try:
            c.cseq += 1  # the PAUSE that never left the client
            r = c.request("TEARDOWN", self.server.url + "/")
            self.assertEqual((r.code, r.header("cseq")), (200, str(c.cseq)))
            self.wait_no_clients()
            self.assert_still_open(c)
            # Only the client ends a connection that has nothing wrong with it.
            c.sock.settimeout(1.5)
            with self.assertRaises(socket.timeout):
                c.sock.recv(1)
        finally:
            c.close()
            rx.close()

    def test_pause_and_teardown_in_one_write(self):
        c, (video, audio) = play_udp(self.server.port, self.server.url, (0, 1), keepalive=True)
        try:
            c.send(request_bytes("GET_PARAMETER", self.server.url, 10, c.session)
                   + request_bytes("PAUSE", self.server.url + "/", 11, c.session)
                   + request_bytes("TEARDOWN", self.server.url + "/", 12, c.session))
            answers = [c.read_response() for _ in range(3)]
            self.assertEqual([(r.code, r.header("cseq")) for r in answers],
                             [(200, "10"), (200, "11"), (200, "12")])
            self.wait_no_clients()
            self.assert_still_open(c)
        finally:
            c.close()
            video.close()
            audio.close()

    def test_requests_split_byte_by_byte_between_interleaved_frames(self):
        with Client(self.server.port) as c:
            r = c.request("SETUP", self.server.url + "/stream=0",
                          {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
            self.assertEqual(r.code, 200)
            c.session = r.session()
            self.assertEqual(c.request("PLAY", self.server.url).code, 200)
            c.read_frames(0.2)
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one segment per byte
            data = (RTCP_RR_FRAME + request_bytes("OPTIONS", "*", 10, c.session)
                    + RTCP_RR_FRAME + request_bytes("PAUSE", self.server.url, 11, c.session)
                    + RTCP_RR_FRAME + request_bytes("TEARDOWN", self.server.url, 12, c.session))
            for i in range(len(data)):
                c.send(data[i:i + 1])
                time.sleep(0.001)
            answers = [c.read_response() for _ in range(3)]
            self.assertEqual([(r.code, r.header("cseq")) for r in answers],
                             [(200, "10"), (200, "11"), (200, "12")])
            self.wait_no_clients()
            self.assert_still_open(c)


if __name__ == "__main__":
    unittest.main(verbosity=2)
