"""End to end, the meeting: meetsrv hosts, meetcli participants publish and play everyone else, all headless on
loopback as separate processes (test pictures carry the latency and sync marks, test sounds tick)."""

import os
import json
import re
import shutil
import tempfile
import signal
import subprocess
import sys
import time
import unittest

from e2e_util import MEETCLI, Process, Server, participant, plain_env, summaries

FPS = 30
FRAME_MS = 1000 / FPS
# Generous: the roster promise is a second; two busy cores and the server's own push interval come on top.
# The measured figure is printed.
ROSTER_BOUND_S = 3.0

STATUS = re.compile(r"meetcli: ([\w.-]+): (live|connecting|reconnecting), [\d.]+ fps, [\d.]+ Mbit/s, \d+ packets "
                    r"lost, level (-?[\d.]+) dB, luma ([\d.]+)")


def host(secure=False):
    """meetsrv hosting; @secure: as by default (rtsps://, passcode, join line), else --insecure."""
    return Server("--name", "host", "--session-timeout", "5", secure=secure)


def wait_receiving(proc, names, timeout=40):
    for name in names:
        proc.wait_for(r"meetcli: receiving %s$" % re.escape(name), timeout=timeout)


def quit_all(procs, timeout=40):
    for p in procs:
        if p.proc.poll() is None:
            p.send("quit")
    return [p.wait(timeout) for p in procs]


def status_after(proc, name, start, count=2, timeout=20):
    """The next @count status lines about @name after line @start: [(level, luma)], and the index after."""
    values = []
    at = start
    for _ in range(count):
        m, at = proc.wait_for(r"meetcli: %s: live, .* level (-?[\d.]+) dB, luma ([\d.]+)" % re.escape(name),
                              timeout=timeout, start=at)
        values.append((float(m.group(1)), float(m.group(2))))
    return values, at


class PartyTest(unittest.TestCase):
    def test_four_party(self):
        """A host and 3 participants for 20 s: everyone receives everyone else's video and sound (at least 90%
        of the frames sent while they were seen), never their own sound, A/V in step within a frame; one leaves
        with Ctrl-C and the others' rosters drop it promptly. Secure, as meetsrv is by default: everyone joins
        with the join line (rtsps://, passcode, pinned fingerprint)."""
        server = host(secure=True)
        self.assertTrue(server.url.startswith("rtsps://"), server.url)
        names = ["alice", "bob", "carol"]
        procs = {}
        try:
            for n in names:
                procs[n] = participant(server.url, n)
            for n in names:
                wait_receiving(procs[n], ["host"] + [o for o in names if o != n])
            time.sleep(20)
            # carol leaves with Ctrl-C; alice and bob drop her from their rosters.
            marks = {n: len(procs[n].lines) for n in ("alice", "bob")}
            began = time.monotonic()
            procs["carol"].proc.send_signal(signal.SIGINT)
            self.assertEqual(procs["carol"].wait(30), 0, procs["carol"].output())
            for n in ("alice", "bob"):
                _, at = procs[n].wait_for(r"meetcli: carol left$", timeout=15, start=marks[n])
                took = procs[n].time_of(at) - began
                print("%s dropped carol %.2f s after her SIGINT" % (n, took))
                self.assertLess(took, ROSTER_BOUND_S, procs[n].output())
            codes = quit_all([procs["alice"], procs["bob"]])
        finally:
            for p in procs.values():
                if p.proc.poll() is None:
                    p.kill()
            server.stop()
        self.assertEqual(codes, [0, 0])
        everyone = ["host"] + names
        offsets = []
        for n in names:
            out = procs[n].output()
            got = summaries(procs[n])
            self.assertNotIn(n, got, "%s received itself:\n%s" % (n, out))
            self.assertNotRegex(out, r"meetcli: %s joined" % n)
            self.assertEqual(sorted(got), sorted(o for o in everyone if o != n), out)
            for other, s in got.items():
                sent = s["span"] * FPS + 1
                print("%s from %s: %d of %d frames, %.1f s of audio, A/V %s ms" %
                      (n, other, s["marked"], sent, s["audio"], s["offset"]))
                self.assertGreater(s["span"], 15, "%s saw %s too briefly:\n%s" % (n, other, out))
                self.assertGreaterEqual(s["marked"], 0.9 * sent, "%s lost %s's frames:\n%s" % (n, other, out))
                self.assertGreaterEqual(s["audio"], 0.9 * s["span"], "%s lost %s's sound:\n%s" % (n, other, out))
                self.assertIsNotNone(s["offset"], out)
                # Every pair within a frame (issue 10). Two causes made this 2 frames before: the test sound
                # did not tick on whole seconds of running time (audiotestsrc's ticks count samples from its
                # first buffer, which a live source timestamps late by its start-up delay: constant offsets
                # of up to 100 ms per sender), and with sender reports only every 5 s a stream retimed by the
                # jitter buffer (buffer-mode slave) stayed out of step for seconds; publishers report every
                # second now. The offset is the median of the last sync marks, so a retiming is one mark.
                self.assertLess(abs(s["offset"]), FRAME_MS, "%s: %s's A/V offset over one frame:\n%s"
                                % (n, other, out))
                offsets.append(abs(s["offset"]))
        print("A/V offsets: worst pair %.1f ms, median pair %.1f ms"
              % (max(offsets), sorted(offsets)[len(offsets) // 2]))

    def test_killed_participant_rejoins(self):
        """A participant killed with SIGKILL is dropped (its connection closes, or the session times out); it
        rejoins under the same name and is seen again."""
        server = host()
        alice = participant(server.url, "alice")
        bob = participant(server.url, "bob")
        bob2 = None
        try:
            wait_receiving(alice, ["host", "bob"])
            # A stalled participant (stopped, its connection still open) shows as reconnecting, then comes back.
            at = len(alice.lines)
            bob.proc.send_signal(signal.SIGSTOP)
            _, at = alice.wait_for(r"meetcli: bob: no data for [\d.]+ s, reconnecting$", timeout=20, start=at)
            alice.wait_for(r"meetcli: bob: reconnecting, ", timeout=10, start=at)
            bob.proc.send_signal(signal.SIGCONT)
            _, at = alice.wait_for(r"meetcli: receiving bob$", timeout=30, start=at)
            bob.proc.kill()
            bob.wait(10)
            _, at = alice.wait_for(r"meetcli: bob left$", timeout=20, start=at)
            server.wait_for(r"meetsrv: bob left", timeout=20)
            bob2 = participant(server.url, "bob")
            _, at = alice.wait_for(r"meetcli: bob joined$", timeout=20, start=at)
            alice.wait_for(r"meetcli: receiving bob$", timeout=20, start=at)
            wait_receiving(bob2, ["host", "alice"])
            time.sleep(2)
            codes = quit_all([alice, bob2])
        finally:
            for p in (alice, bob, bob2):
                if p and p.proc.poll() is None:
                    p.kill()
            server.stop()
        self.assertEqual(codes, [0, 0])
        self.assertGreater(summaries(alice)["bob"]["frames"], 30, alice.output())
        self.assertGreater(summaries(bob2)["alice"]["frames"], 30, bob2.output())

    @unittest.skipUnless(shutil.which("ffmpeg"), "needs ffmpeg")
    def test_ffmpeg_participant(self):
        """ffmpeg publishing with -f rtsp under PATH/NAME is a participant like any other."""
        server = host()
        alice = participant(server.url, "alice")
        ffmpeg = None
        try:
            wait_receiving(alice, ["host"])
            ffmpeg = subprocess.Popen(
                ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                 "testsrc=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                 "-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-huffman", "default", "-q:v", "5", "-c:a", "pcm_s16be",
                 "-f", "rtsp", "-rtsp_transport", "tcp", server.url + "/ffmpeg"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=plain_env())
            _, at = alice.wait_for(r"meetcli: ffmpeg joined$", timeout=20)
            alice.wait_for(r"meetcli: receiving ffmpeg$", timeout=20, start=at)
            server.wait_for(r"meetsrv: ffmpeg joined", timeout=10)
            time.sleep(3)
            codes = quit_all([alice])
        finally:
            if ffmpeg:
                ffmpeg.terminate()
                ffmpeg.wait(10)
            if alice.proc.poll() is None:
                alice.kill()
            server.stop()
        self.assertEqual(codes, [0])
        got = summaries(alice)["ffmpeg"]
        self.assertGreater(got["frames"], 30, alice.output())
        self.assertGreater(got["audio"], 1, alice.output())

    def test_default_name_taken(self):
        """meetsrv and meetcli both default to the login name: on one machine meetcli says so and stops
        instead of taking the host's name over."""
        server = Server()
        try:
            cli = Process([MEETCLI, server.url, "--video", "test", "--audio", "test", "--headless"])
            self.assertEqual(cli.wait(30), 1, cli.output())
        finally:
            server.stop()
        self.assertRegex(cli.output(), r"meetcli: error: \S+ is already in the meeting .*--name")
        self.assertNotRegex(server.output(), r"joined \(2 in the meeting")

    @unittest.skipUnless(shutil.which("ffprobe"), "needs ffprobe")
    def test_record(self):
        """--record FILE: every other participant's video and sound are tracks of one Matroska file, named
        after them, including one who joins later."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "meeting.mkv")
            server = host()
            alice = participant(server.url, "alice", "--record", path)
            bob = None
            try:
                wait_receiving(alice, ["host"])
                time.sleep(2)
                bob = participant(server.url, "bob")
                wait_receiving(alice, ["bob"])
                time.sleep(4)
                codes = quit_all([alice, bob])
            finally:
                for p in (alice, bob):
                    if p and p.proc.poll() is None:
                        p.kill()
                server.stop()
            self.assertEqual(codes, [0, 0])
            self.assertRegex(alice.output(), r"meetcli: recorded 4 tracks of 2 participant stays to ")
            probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                                   capture_output=True, text=True, timeout=30, env=plain_env())
            self.assertEqual(probe.returncode, 0, probe.stderr)
            info = json.loads(probe.stdout)
            tracks = sorted((st["codec_type"], st.get("tags", {}).get("title", st.get("tags", {}).get("TITLE")))
                            for st in info["streams"])
            self.assertEqual(tracks, [("audio", "bob"), ("audio", "host"), ("video", "bob"), ("video", "host")])
            video = [st for st in info["streams"] if st["codec_type"] == "video"]
            self.assertTrue(all((st["width"], st["height"]) == (640, 480) for st in video), info)
            self.assertGreater(float(info["format"]["duration"]), 5)

    def test_mute_and_camera_off(self):
        """`mute` silences a participant at the others (their measured level falls to silence) and `unmute`
        brings the sound back; `camera off` sends the still camera-off tile (dark) instead of the camera."""
        server = host()
        alice = participant(server.url, "alice")
        bob = participant(server.url, "bob")
        try:
            wait_receiving(alice, ["host", "bob"])
            wait_receiving(bob, ["host", "alice"])
            before, at = status_after(alice, "bob", len(alice.lines), count=3)
            self.assertTrue(all(level > -30 for level, _ in before[1:]), alice.output())
            self.assertTrue(all(luma > 80 for _, luma in before), alice.output())

            bob.send("mute")
            bob.wait_for(r"meetcli: microphone muted")
            _, at = status_after(alice, "bob", len(alice.lines), count=1)   # the interval of the change
            muted, at = status_after(alice, "bob", at, count=2)
            self.assertTrue(all(level <= -60 for level, _ in muted), alice.output())
            bob.send("unmute")
            _, at = status_after(alice, "bob", len(alice.lines), count=1)
            unmuted, at = status_after(alice, "bob", at, count=2)
            self.assertTrue(all(level > -30 for level, _ in unmuted), alice.output())

            bob.send("camera off")
            bob.wait_for(r"meetcli: camera off")
            _, at = status_after(alice, "bob", len(alice.lines), count=1)
            off, at = status_after(alice, "bob", at, count=2)
            self.assertTrue(all(luma < 50 for _, luma in off), alice.output())
            bob.send("camera on")
            _, at = status_after(alice, "bob", len(alice.lines), count=1)
            on, at = status_after(alice, "bob", at, count=2)
            self.assertTrue(all(luma > 80 for _, luma in on), alice.output())
            print("bob at alice: level %s dB -> muted %s -> unmuted %s; luma %s -> camera off %s -> on %s" %
                  ([l for l, _ in before], [l for l, _ in muted], [l for l, _ in unmuted],
                   [c for _, c in before], [c for _, c in off], [c for _, c in on]))
            codes = quit_all([alice, bob])
        finally:
            for p in (alice, bob):
                if p.proc.poll() is None:
                    p.kill()
            server.stop()
        self.assertEqual(codes, [0, 0])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
