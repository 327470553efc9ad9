"""End to end: meetsrv on test sources and meetcli --headless as separate processes on loopback."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from e2e_util import Server, client, free_port, plain_env, summary, Process, MEETSRV, MEETCLI

FRAME_MS = 1000 / 30


class MeetingTest(unittest.TestCase):
    def test_record(self):
        """Frames and sound arrive in step and the recording is a playable Matroska file."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "meeting.mkv")
            server = Server()
            try:
                cli = client(server.url, "--duration", "15", "--record", path)
                self.assertEqual(cli.wait(40), 0, cli.output())
            finally:
                server.stop()
            s = summary(cli)
            self.assertGreater(s["frames"], 150, cli.output())
            self.assertGreater(s["audio"], 6, cli.output())
            self.assertIsNotNone(s["offset"], cli.output())
            self.assertLess(abs(s["offset"]), FRAME_MS, "A/V offset over one frame:\n" + cli.output())
            probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                                   capture_output=True, text=True, timeout=30, env=plain_env())
            self.assertEqual(probe.returncode, 0, probe.stderr)
            info = json.loads(probe.stdout)
            kinds = sorted(st["codec_type"] for st in info["streams"])
            self.assertEqual(kinds, ["audio", "video"])
            video = next(st for st in info["streams"] if st["codec_type"] == "video")
            self.assertEqual((video["width"], video["height"]), (640, 480))
            self.assertGreater(float(info["format"]["duration"]), 6)

    def test_ten_clients(self):
        """Ten meetcli join one meetsrv at once and all receive."""
        server = Server("--width", "320", "--height", "240")
        try:
            clients = [client(server.url, "--duration", "8") for _ in range(10)]
            server.wait_for(r"clients: 10", timeout=20)
            codes = [c.wait(40) for c in clients]
        finally:
            server.stop()
        for c, code in zip(clients, codes):
            self.assertEqual(code, 0, c.output())
            self.assertGreater(summary(c)["frames"], 30, c.output())

    def test_sigterm_ends_cleanly(self):
        """SIGTERM on both ends: sessions end, both exit 0 and say so."""
        server = Server()
        cli = client(server.url)
        try:
            cli.wait_for(r"receiving", timeout=20)
            server.wait_for(r"clients: 1", timeout=10)
            self.assertEqual(cli.stop(), 0, cli.output())
            server.wait_for(r"clients: 0", timeout=10)
        finally:
            code = server.stop()
        self.assertEqual(code, 0, server.output())
        self.assertIn("ending the meeting", server.output())


class BlurShutdownTest(unittest.TestCase):
    def test_sigint_with_blur(self):
        """Ctrl-C ends a meetsrv --blur promptly, whatever its inference thread is doing."""
        model = os.path.join(os.environ.get("MEET_SHARED_DIR", "../shared"), "models", "yolov5n.onnx")
        if not os.path.exists(model):
            self.skipTest("no shared model at " + model)
        server = Server("--blur", "--model", model, "--width", "1280", "--height", "720")
        try:
            cli = client(server.url, "--duration", "30")
            server.wait_for(r"clients: 1", timeout=30)
            time.sleep(2)
            began = time.monotonic()
            # A generous bound: this is not a timing benchmark, it catches waiting for inferences.
            code = server.stop(signal.SIGINT, timeout=5)
            took = time.monotonic() - began
        finally:
            if server.proc.poll() is None:
                server.kill()
            cli.kill()
        self.assertEqual(code, 0, server.output())
        self.assertIn("ending the meeting", server.output())
        self.assertNotIn("did not end within", server.output())
        print("meetsrv --blur exited %.2f s after SIGINT" % took)


class ControlTest(unittest.TestCase):
    def test_commands(self):
        """PAUSE, PLAY, TEARDOWN and SETUP from the client drive the server's sessions."""
        server = Server()
        cli = client(server.url, stdin=subprocess.PIPE)
        try:
            _, at = cli.wait_for(r"receiving", timeout=20)
            server.wait_for(r"clients: 1", timeout=10)
            cli.send("pause")
            _, at = cli.wait_for(r"RTSP session paused", start=at)
            _, srv_at = server.wait_for(r"clients: 0", timeout=10)
            cli.send("play")
            _, at = cli.wait_for(r"RTSP session playing", start=at)
            _, srv_at = server.wait_for(r"clients: 1", timeout=10, start=srv_at)
            cli.send("teardown")
            _, at = cli.wait_for(r"RTSP session torn down", start=at)
            _, srv_at = server.wait_for(r"clients: 0", timeout=10, start=srv_at)
            cli.send("setup")
            _, at = cli.wait_for(r"RTSP session set up", start=at)
            cli.send("play")
            _, at = cli.wait_for(r"RTSP session playing", start=at)
            server.wait_for(r"clients: 1", timeout=10, start=srv_at)
            time.sleep(2)
            cli.send("quit")
            self.assertEqual(cli.wait(20), 0, cli.output())
        finally:
            cli.kill()
            server.stop()
        self.assertGreater(summary(cli)["frames"], 60, cli.output())


class ReconnectTest(unittest.TestCase):
    def test_server_restart(self):
        """The server is killed mid-meeting and comes back on the same port: the client reconnects."""
        port = free_port()
        server = Server(port=port)
        cli = client(server.url, "--timeout", "2", "--retry", "10")
        try:
            _, at = cli.wait_for(r"receiving", timeout=20)
            server.kill()
            _, at = cli.wait_for(r"reconnecting", timeout=20, start=at)
            server = Server(port=port)
            _, at = cli.wait_for(r"receiving", timeout=40, start=at)
            cli.wait_for(r"playing, [1-9][\d.]* fps", timeout=10, start=at)
            cli.stop()
        finally:
            cli.kill()
            server.stop()
        self.assertEqual(cli.proc.returncode, 0, cli.output())

    def test_unreachable(self):
        """Nobody listens: retries, then one line saying why, and a non-zero exit."""
        cli = client("rtsp://127.0.0.1:%d/meet" % free_port(), "--retry", "1", "--timeout", "1")
        code = cli.wait(60)
        self.assertNotEqual(code, 0, cli.output())
        self.assertRegex(cli.output(), r"meetcli: error: .*127\.0\.0\.1")


class AuthTest(unittest.TestCase):
    def test_credentials(self):
        """With --user/--password on the server, the right ones get in and none at all are refused."""
        server = Server("--user", "alice", "--password", "s3cret")
        try:
            good = client(server.url, "--user", "alice", "--password", "s3cret", "--duration", "2")
            self.assertEqual(good.wait(40), 0, good.output())
            # No credentials at all: the URL without the user name meetsrv prints in it.
            bad = client(re.sub(r"//[^@/]*@", "//", server.url), "--retry", "0", "--duration", "2")
            self.assertNotEqual(bad.wait(40), 0, bad.output())
            self.assertIn("meetcli: error:", bad.output())
        finally:
            server.stop()


class ServerErrorsTest(unittest.TestCase):
    def test_busy_port(self):
        server = Server()
        try:
            port = server.url.split(":")[2].split("/")[0]
            second = Process([MEETSRV, "--ip", "127.0.0.1", "--port", port, "--video", "test", "--audio", "test",
                              "--insecure"])
            self.assertNotEqual(second.wait(20), 0, second.output())
            self.assertIn("meetsrv: ", second.output())
        finally:
            server.stop()

    def test_missing_camera(self):
        p = Process([MEETSRV, "--port", "0", "--video", "/dev/video-none", "--audio", "test", "--insecure"])
        self.assertEqual(p.wait(20), 1, p.output())
        self.assertIn("camera /dev/video-none", p.output())

    def test_camera_vanishes(self):
        """The picture's source fails mid-meeting (as a camera unplugged does): meetsrv says which source
        stopped and exits non-zero; the client is told the server went away and gives up with a reason."""
        # identity fails the stream after 90 frames, 3 s in, the way v4l2src does when its device goes.
        srv = Process([MEETSRV, "--ip", "127.0.0.1", "--port", "0", "--audio", "test", "--status-interval", "1",
                       "--insecure", "--video-source", "videotestsrc is-live=true ! identity error-after=90"])
        cli = None
        try:
            m, _ = srv.wait_for(r"join the meeting at (rtsp://\S+)")
            cli = client(m.group(1), "--retry", "1", "--timeout", "1")
            cli.wait_for(r"receiving", timeout=20)
            self.assertEqual(srv.wait(20), 1, srv.output())
            self.assertRegex(srv.output(), r"meetsrv: the video source stopped \(.+\); ending the meeting")
            self.assertNotEqual(cli.wait(40), 0, cli.output())
            self.assertRegex(cli.output(), r"meetcli: error: Lost the RTSP server")
        finally:
            srv.kill()
            if cli:
                cli.kill()

    def test_video_and_video_source(self):
        p = Process([MEETSRV, "--port", "0", "--video", "test", "--video-source", "videotestsrc", "--audio", "test",
                     "--insecure"])
        self.assertEqual(p.wait(20), 2, p.output())
        self.assertIn("give --video or --video-source, not both", p.output())

    def test_bad_url(self):
        p = Process([MEETCLI, "http://127.0.0.1/meet", "--headless"])
        self.assertEqual(p.wait(20), 2, p.output())
        self.assertIn("not an rtsp:// URL", p.output())


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
