"""Bad clients against meetrtspsink: each gets its status code or a closed connection, and a
client already playing never notices (no RTP packet lost during the abuse)."""

import os
import socket
import time
import unittest

from rtsp_sink_util import Client, Server, closed_by_server, play_udp


class AbuseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A short session timeout makes half-sent requests time out quickly; the victim keeps
        # its session alive with RTCP receiver reports.
        cls.server = Server("max-clients=4 session-timeout=3", audio=False)
        cls.victim, (cls.rx,) = play_udp(cls.server.port, cls.server.url, keepalive=True)
        cls.rx.count_for(0.5)
        cls.rx.restart_loss_count()

    @classmethod
    def tearDownClass(cls):
        cls.victim.close()
        cls.rx.close()
        cls.server.stop()

    def setUp(self):
        self.start_packets = self.rx.rtp_packets

    def tearDown(self):
        # The playing client noticed nothing: packets kept coming, none went missing, and its
        # session still answers.
        self.rx.count_for(0.2)
        self.assertGreater(self.rx.rtp_packets, self.start_packets)
        self.assertEqual(self.rx.lost, 0)
        self.assertEqual(self.victim.request("GET_PARAMETER", self.server.url).code, 200)

    def raw(self, data, timeout=5):
        """Sends @data on a fresh connection; returns (first bytes answered, closed?)."""
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may give up on a connection before it has read everything
            s.settimeout(timeout)
            try:
                answer = s.recv(4096)
            except ConnectionResetError:
                answer = b""
            return answer, closed_by_server(s, timeout)

    def test_garbage(self):
        answer, closed = self.raw(os.urandom(3000) + b"\r\n\r\n")
        self.assertTrue(answer.startswith(b"RTSP/1.0 4"), answer)
        self.assertTrue(closed)
        answer, closed = self.raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(answer.startswith(b"RTSP/1.0 400"), answer)
        self.assertTrue(closed)

    def test_missing_cseq(self):
        with Client(self.server.port) as c:
            c.send(b"OPTIONS * RTSP/1.0\r\nUser-Agent: x\r\n\r\n")
            r = c.read_response()
            self.assertEqual(r.code, 400)
            self.assertIsNone(r.header("cseq"))
            self.assertEqual(c.request("OPTIONS", "*").code, 200)  # connection still usable

    def test_unknown_methods(self):
        with Client(self.server.port) as c:
            for method in ("FROB", "REDIRECT"):
                self.assertEqual(c.request(method, self.server.url).code, 501)
            # Publishing is off (allow-publish=false): 405 with the methods that are allowed.
            for method in ("RECORD", "ANNOUNCE"):
                response = c.request(method, self.server.url)
                self.assertEqual(response.code, 405)
                self.assertNotIn("RECORD", response.header("allow"))

    def test_out_of_order(self):
        with Client(self.server.port) as c:
            self.assertEqual(c.request("PLAY", self.server.url).code, 455)
            self.assertEqual(c.request("PAUSE", self.server.url).code, 455)
            self.assertEqual(c.request("TEARDOWN", self.server.url).code, 455)

    def test_wrong_and_foreign_sessions(self):
        with Client(self.server.port) as c:
            for sid in ("nope", "0" * 32, self.victim.session):
                c.session = sid
                self.assertEqual(c.request("PLAY", self.server.url).code, 454)
                self.assertEqual(c.request("PAUSE", self.server.url).code, 454)
                self.assertEqual(c.request("TEARDOWN", self.server.url).code, 454)
                self.assertEqual(c.request("SETUP", self.server.url + "/stream=0", {
                    "Transport": "RTP/AVP;unicast;client_port=9000-9001"}).code, 454)

    def test_unsupported_transports(self):
        with Client(self.server.port) as c:
            url = self.server.url + "/stream=0"
            for transport in ("RTP/AVP;multicast", "RTP/AVP;unicast", "RAW/RAW/UDP;unicast",
                              "RTP/SAVP;unicast;client_port=9000-9001", "bogus"):
                self.assertEqual(c.request("SETUP", url, {"Transport": transport}).code, 461)
            self.assertEqual(c.request("SETUP", url).code, 461)
            # RTP only ever goes to the client's own address.
            r = c.request("SETUP", url, {
                "Transport": "RTP/AVP;unicast;destination=127.0.0.9;client_port=9000-9001"})
            self.assertEqual(r.code, 403)

    def test_huge_headers(self):
        answer, closed = self.raw(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Big: "
                                  + b"a" * 200000 + b"\r\n\r\n")
        self.assertTrue(answer.startswith(b"RTSP/1.0 413"), answer)
        self.assertTrue(closed)
        answer, closed = self.raw(b"OPTIONS * RTSP/1.0\r\n"
                                  + b"".join(b"X-%d: y\r\n" % i for i in range(20000)) + b"\r\n")
        self.assertTrue(answer.startswith(b"RTSP/1.0 413"), answer)
        self.assertTrue(closed)
        answer, closed = self.raw(b"SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\n"
                                  b"Content-Length: 1000000\r\n\r\n" + b"x" * 10000)
        self.assertTrue(answer.startswith(b"RTSP/1.0 413"), answer)
        self.assertTrue(closed)

    def test_half_sent_request(self):
        """A request that never completes is dropped after the (3 s) timeout."""
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.sendall(b"OPTIONS * RTSP/1.0\r\nCSe")
            self.assertTrue(closed_by_server(s, timeout=15))

    def test_idle_connection(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            self.assertTrue(closed_by_server(s, timeout=15))

    def test_too_many_sessions_and_connections(self):
        clients = []
        try:
            codes = []
            for i in range(4):
                c = Client(self.server.port)
                clients.append(c)
                codes.append(c.request("SETUP", self.server.url + "/stream=0", {
                    "Transport": "RTP/AVP;unicast;client_port=%d-%d" % (9100 + 2 * i, 9101 + 2 * i)
                }).code)
            # The victim holds one of the four sessions.
            self.assertEqual(codes, [200, 200, 200, 503])
            # Connections are capped too (2 x max-clients + 4): at the cap the oldest connection
            # without a session makes room; those with one are never closed.
            crowd = [Client(self.server.port) for _ in range(16)]
            clients += crowd
            self.assertEqual(crowd[-1].request("OPTIONS", "*").code, 200)
            self.assertTrue(closed_by_server(crowd[0].sock))
            for c in clients[:3]:
                self.assertEqual(c.request("OPTIONS", "*").code, 200)
        finally:
            for c in clients:
                c.close()
        # Room again once they are gone.
        for _ in range(50):
            with Client(self.server.port) as c:
                c.sock.settimeout(5)
                try:
                    if c.request("OPTIONS", "*").code == 200:
                        break
                except ConnectionError:
                    pass
            time.sleep(0.1)
        else:
            self.fail("server refuses connections after the crowd left")


if __name__ == "__main__":
    unittest.main(verbosity=2)
