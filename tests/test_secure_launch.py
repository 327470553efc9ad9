"""meetsrv secure by default (issue 11, "Launchers: secure by default"), as real processes on loopback:
the certificate made once under $XDG_CONFIG_HOME/meetstream (directory 0700, key 0600) and kept; the
join line meetsrv prints (read back by the launchers' own parser, build/tests/joinline-check); meetcli
joining with it (one argument or several words, --watch too); a wrong passcode and another server's
certificate refused (naming both fingerprints); --insecure serving plain rtsp:// and saying so; GStreamer's
rtspsrc and ffprobe playing the rtsps:// meeting with the passcode."""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

from e2e_util import BUILD, MEETCLI, MEETSRV, Process, Server, participant, plain_env, summaries

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib, Gst  # noqa: E402

JOINLINE_CHECK = os.path.join(BUILD, "tests", "joinline-check")
FINGERPRINT = r"sha256:(?:[0-9A-F]{2}:){31}[0-9A-F]{2}"


def config_env():
    """A fresh XDG_CONFIG_HOME (removed at exit): the certificate is made there, not in the user's home."""
    d = tempfile.mkdtemp(prefix="meet-xdg-")
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = d
    return d, env


class SecureLaunchTest(unittest.TestCase):
    def setUp(self):
        self.dirs = []
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.proc.poll() is None:
                p.kill()
        for d in self.dirs:
            shutil.rmtree(d, True)

    def server(self, *extra, env=None):
        if env is None:
            d, env = config_env()
            self.dirs.append(d)
        s = Server("--name", "host", *extra, env=env, secure=True)
        self.procs.append(s)
        return s

    def test_certificate_kept(self):
        """First run makes server.crt and server.key (directory 0700, key 0600); a second run keeps them:
        the same fingerprint in its join line."""
        d, env = config_env()
        self.dirs.append(d)
        first = self.server(env=env)
        self.assertRegex(first.output(), r"meetsrv: made a TLS certificate for this machine: .*server\.crt")
        fp = first.join["fingerprint"]
        self.assertRegex(fp, "^" + FINGERPRINT + "$")
        self.assertEqual(first.stop(), 0, first.output())
        cdir = os.path.join(d, "meetstream")
        self.assertEqual(stat.S_IMODE(os.stat(cdir).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(cdir, "server.key")).st_mode), 0o600)
        self.assertTrue(os.path.isfile(os.path.join(cdir, "server.crt")))
        second = self.server(env=env)
        self.assertNotIn("made a TLS certificate", second.output())
        self.assertEqual(second.join["fingerprint"], fp)
        # Each meeting has its own passcode.
        self.assertNotEqual(second.join["passcode"], first.join["passcode"])
        self.assertEqual(second.stop(), 0, second.output())

    def test_join_line_parses(self):
        """The join line is what the launchers' parser (meetcli's) accepts: rtsps://, passcode, fingerprint."""
        s = self.server()
        out = subprocess.run([JOINLINE_CHECK, s.url], capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        fields = dict(line.split("=", 1) for line in out.stdout.splitlines())
        self.assertTrue(fields["url"].startswith("rtsps://127.0.0.1:"), out.stdout)
        self.assertEqual(fields["secure"], "1")
        self.assertRegex(fields["passcode"], r"^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$")
        self.assertRegex(fields["fingerprint"], "^" + FINGERPRINT + "$")
        # The players' line: the same URL with the passcode as its userinfo.
        self.assertEqual(s.player_url, fields["url"].replace("rtsps://", "rtsps://meet:%s@" % fields["passcode"]))

    def test_meetcli_joins(self):
        """meetcli given the join line as several argv words joins, verified and encrypted, and receives the
        host's frames."""
        s = self.server()
        words = s.url.split()
        cli = Process([MEETCLI] + words + ["--name", "bob", "--video", "test", "--audio", "test", "--headless",
                                           "--duration", "3", "--no-echo-cancel"], env=plain_env())
        self.procs.append(cli)
        self.assertEqual(cli.wait(60), 0, cli.output())
        got = summaries(cli)
        self.assertIn("host", got, cli.output())
        self.assertGreater(got["host"]["frames"], 0, cli.output())
        s.wait_for(r"meetsrv: bob joined", timeout=10)

    def test_watch_join_line(self):
        """meetcli --watch takes the join line (one quoted argument)."""
        s = self.server()
        cli = Process([MEETCLI, "--watch", s.url, "--headless", "--duration", "2"])
        self.procs.append(cli)
        self.assertEqual(cli.wait(60), 0, cli.output())
        m = re.search(r"summary: (\d+) video frames", cli.output())
        self.assertTrue(m and int(m.group(1)) > 0, cli.output())

    def test_wrong_passcode(self):
        """A wrong passcode: one clear line and a non-zero exit, at once (no retrying)."""
        s = self.server()
        bad = re.sub(r"passcode=\S+", "passcode=wrong-pass-code", s.url)
        cli = participant(bad, "mallory", "--duration", "5")
        self.procs.append(cli)
        self.assertNotEqual(cli.wait(60), 0, cli.output())
        self.assertRegex(cli.output(), r"meetcli: error: .*refused the passcode \(401 Unauthorized\)")
        self.assertNotIn("mallory joined", s.output())
        watch = Process([MEETCLI, "--watch", bad, "--headless", "--duration", "2", "--retry", "0"])
        self.procs.append(watch)
        self.assertNotEqual(watch.wait(60), 0, watch.output())
        self.assertRegex(watch.output(), r"meetcli: error: .*(401|[Uu]nauthori[sz]ed|passcode|password)")

    def test_other_certificate(self):
        """A server presenting another certificate (another XDG dir: another key) is refused; the line names
        the fingerprint seen and the one expected."""
        first = self.server()
        other = self.server()
        self.assertNotEqual(first.join["fingerprint"], other.join["fingerprint"])
        # The second server's URL and passcode, the first one's fingerprint: someone in between.
        line = "%s passcode=%s fingerprint=%s" % (other.join["url"], other.join["passcode"],
                                                  first.join["fingerprint"])
        cli = participant(line, "bob", "--duration", "5")
        self.procs.append(cli)
        self.assertNotEqual(cli.wait(60), 0, cli.output())
        out = cli.output()
        self.assertIn(other.join["fingerprint"], out)
        self.assertIn(first.join["fingerprint"], out)
        self.assertRegex(out, r"meetcli: error: .*certificate fingerprint %s is not the expected %s"
                         % (re.escape(other.join["fingerprint"]), re.escape(first.join["fingerprint"])))
        self.assertNotIn("bob joined", other.output())

    def test_insecure(self):
        """--insecure serves plain rtsp:// as before, says so in one line, and plain meetcli joins."""
        d, env = config_env()
        self.dirs.append(d)
        s = Server("--name", "host", "--insecure", env=env)
        self.procs.append(s)
        self.assertTrue(s.url.startswith("rtsp://127.0.0.1:"), s.url)
        out = s.output()
        self.assertEqual(len(re.findall(r"--insecure: serving plain rtsp://", out)), 1, out)
        self.assertNotIn("fingerprint=", out)
        self.assertNotIn("passcode=", out)
        self.assertFalse(os.path.exists(os.path.join(d, "meetstream")), "--insecure made a certificate")
        cli = participant(s.url, "bob", "--duration", "2")
        self.procs.append(cli)
        self.assertEqual(cli.wait(60), 0, cli.output())
        self.assertIn("host", summaries(cli), cli.output())

    def play_rtspsrc(self, url, **props):
        """Video buffers GStreamer's own rtspsrc decodes from @url within 20 s (up to 10)."""
        Gst.init(None)
        pipeline = Gst.parse_launch("rtspsrc name=src ! rtpjpegdepay ! jpegdec ! fakesink name=sink "
                                    "signal-handoffs=true")
        src = pipeline.get_by_name("src")
        src.set_property("location", url)
        for k, v in props.items():
            src.set_property(k.replace("_", "-"), v)
        # The audio stream goes nowhere: link it to a fakesink as it comes.
        def pad_added(_, pad):
            caps = pad.get_current_caps()
            if caps and caps.get_structure(0).get_string("media") == "audio":
                sink = Gst.ElementFactory.make("fakesink")
                pipeline.add(sink)
                sink.sync_state_with_parent()
                pad.link(sink.get_static_pad("sink"))
        src.connect("pad-added", pad_added)
        frames = []
        pipeline.get_by_name("sink").connect("handoff", lambda *a: frames.append(1))
        pipeline.set_state(Gst.State.PLAYING)
        bus = pipeline.get_bus()
        deadline = GLib.get_monotonic_time() + 20 * 1000000
        error = None
        while len(frames) < 10 and GLib.get_monotonic_time() < deadline:
            msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR)
            if msg:
                error = msg.parse_error()[0].message
                break
        pipeline.set_state(Gst.State.NULL)
        return len(frames), error

    def test_rtspsrc_plays(self):
        """GStreamer's rtspsrc plays the rtsps:// meeting with the passcode in the URL: with a tls-database of
        meetsrv's certificate (name 127.0.0.1 checked), and with tls-validation-flags=0."""
        s = self.server()
        db = Gio.TlsFileDatabase.new(os.path.join(s.config_dir, "server.crt"))
        frames, error = self.play_rtspsrc(s.player_url, tls_database=db)
        self.assertGreaterEqual(frames, 10, error)
        frames, error = self.play_rtspsrc(s.player_url, tls_validation_flags=0, protocols="tcp")
        self.assertGreaterEqual(frames, 10, error)
        # Without the passcode: refused.
        frames, error = self.play_rtspsrc(s.join["url"], tls_validation_flags=0)
        self.assertEqual(frames, 0)
        self.assertIsNotNone(error)

    def test_ffprobe_plays(self):
        """ffprobe (ffplay's demuxer) plays rtsps:// with the passcode over TCP: both streams, decoded frames."""
        s = self.server()
        out = subprocess.run(["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-count_frames",
                              "-read_intervals", "%+2", "-show_entries", "stream=codec_name,nb_read_frames",
                              "-of", "csv=p=0", s.player_url],
                             capture_output=True, text=True, timeout=60, env=plain_env())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("mjpeg", out.stdout)
        self.assertIn("pcm_s16be", out.stdout)
        m = re.search(r"mjpeg,(\d+)", out.stdout)
        self.assertTrue(m and int(m.group(1)) > 0, out.stdout)
        wrong = subprocess.run(["ffprobe", "-v", "error", "-rtsp_transport", "tcp",
                                s.player_url.replace(s.join["passcode"], "wrong-pass-code")],
                               capture_output=True, text=True, timeout=60, env=plain_env())
        self.assertNotEqual(wrong.returncode, 0)

    def test_tls_cert_option(self):
        """--tls-cert/--tls-key: that certificate's fingerprint in the join line, nothing made in the config
        directory."""
        first = self.server()
        crt = os.path.join(first.config_dir, "server.crt")
        key = os.path.join(first.config_dir, "server.key")
        d, env = config_env()
        self.dirs.append(d)
        s = Server("--name", "host", "--tls-cert", crt, "--tls-key", key, "--password", "pass-word-here",
                   env=env, secure=True)
        self.procs.append(s)
        self.assertEqual(s.join["fingerprint"], first.join["fingerprint"])
        self.assertEqual(s.join["passcode"], "pass-word-here")
        self.assertFalse(os.path.exists(os.path.join(d, "meetstream")))
        cli = participant(s.url, "bob", "--duration", "2")
        self.procs.append(cli)
        self.assertEqual(cli.wait(60), 0, cli.output())
        self.assertIn("host", summaries(cli), cli.output())


if __name__ == "__main__":
    unittest.main()
