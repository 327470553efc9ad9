"""meetcli's GTK window under Xvfb: the picture shows, and its four buttons and keys drive the RTSP session."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import re
import time

from e2e_util import Server, Process, MEETCLI, BUILD, plain_env, participant


class Xvfb:
    """A private X server on the first free display number (Xvfb picks it and tells us via -displayfd)."""

    def __init__(self, size="800x600"):
        read_end, write_end = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", size + "x24",
                                      "-nolisten", "tcp"], pass_fds=(write_end,), env=plain_env(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_end)
        with os.fdopen(read_end) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise AssertionError("Xvfb did not start")
        self.display = ":" + number

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def run(args, env):
    return subprocess.run(args, env=plain_env(env), capture_output=True, text=True, timeout=30)


@unittest.skipUnless(shutil.which("Xvfb") and shutil.which("xdotool") and shutil.which("import"),
                     "needs Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them)")
class GuiTest(unittest.TestCase):
    def test_window_and_buttons(self):
        xvfb = Xvfb()
        server = Server()
        env = dict(os.environ, DISPLAY=xvfb.display, MEET_DEBUG="1", NO_AT_BRIDGE="1", GDK_BACKEND="x11")
        cli = Process([MEETCLI, server.url, "--watch", "--status-interval", "1"], env=env)
        try:
            _, at = cli.wait_for(r"receiving", timeout=30)
            buttons = {}
            for key in ("s", "p", "space", "t"):
                m, _ = cli.wait_for(r"debug: button %s at (\d+),(\d+)" % key, timeout=10)
                buttons[key] = (m.group(1), m.group(2))
            cli.wait_for(r"playing, [1-9][\d.]* fps", timeout=10, start=at)

            with tempfile.TemporaryDirectory() as tmp:
                shot = os.path.join(tmp, "screen.png")
                self.assertEqual(run(["import", "-window", "root", shot], env).returncode, 0)
                shutil.copy(shot, os.path.join(BUILD, "e2e-gui.png"))   # for a person to look at
                spread = run(["convert", shot, "-colorspace", "Gray", "-format", "%[fx:standard_deviation]",
                              "info:"], env)
                self.assertGreater(float(spread.stdout), 0.1, "the screen looks blank")

            found = run(["xdotool", "search", "--onlyvisible", "--name", "meetcli"], env)
            self.assertEqual(found.returncode, 0, "no meetcli window")
            window = found.stdout.split()[0]

            def click(key, expect):
                nonlocal at
                x, y = buttons[key]
                run(["xdotool", "mousemove", "--window", window, x, y, "click", "1"], env)
                _, at = cli.wait_for(expect, timeout=15, start=at)

            click("space", r"RTSP session paused")
            server.wait_for(r"clients: 0", timeout=10)
            click("p", r"RTSP session playing")
            click("t", r"RTSP session torn down")
            click("s", r"RTSP session set up")
            click("p", r"RTSP session playing")
            _, at = cli.wait_for(r"playing, [1-9][\d.]* fps", timeout=10, start=at)

            # Keys: there is no window manager, so give the window the focus first.
            run(["xdotool", "windowfocus", window], env)
            run(["xdotool", "key", "space"], env)
            _, at = cli.wait_for(r"RTSP session paused", timeout=15, start=at)
            run(["xdotool", "key", "p"], env)
            _, at = cli.wait_for(r"RTSP session playing", timeout=15, start=at)
            run(["xdotool", "key", "q"], env)
            self.assertEqual(cli.wait(20), 0, cli.output())
        finally:
            cli.kill()
            server.stop()
            xvfb.stop()


@unittest.skipUnless(shutil.which("Xvfb") and shutil.which("xdotool") and shutil.which("import"),
                     "needs Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them)")
class MeetingGuiTest(unittest.TestCase):
    def test_meeting_window(self):
        """A host and 3 participants, one in its window: the grid has the 3 others' named tiles and the
        self-view; clicking Mute and Camera changes what the others receive."""
        xvfb = Xvfb("1280x800")
        server = Server("--name", "host")
        bob = participant(server.url, "bob")
        carol = participant(server.url, "carol")
        env = dict(os.environ, DISPLAY=xvfb.display, MEET_DEBUG="1", NO_AT_BRIDGE="1", GDK_BACKEND="x11")
        dave = Process([MEETCLI, server.url, "--name", "dave", "--video", "test", "--audio", "test",
                        "--status-interval", "1", "--no-echo-cancel"], env=env)
        try:
            for name in ("host", "bob", "carol"):
                dave.wait_for(r"meetcli: receiving %s$" % name, timeout=40)
            bob.wait_for(r"meetcli: receiving dave$", timeout=40)
            # The layout as it stands once the three tiles are in (printed on every relayout). Under the
            # sanitizers on a loaded machine the first one takes several seconds: software drawing of
            # four pictures keeps Xvfb busy, and GTK's X round trips wait behind it.
            deadline = time.monotonic() + (60 if os.environ.get("MEET_SANITIZED") else 30)
            regions = {}
            while time.monotonic() < deadline:
                lines = dave.output().splitlines()
                regions = {}
                for line in lines:
                    m = re.match(r"meetcli: debug: region (\S+) (\S*) at (\d+),(\d+) (\d+)x(\d+)", line)
                    if m:
                        if m.group(1) == "tile" and m.group(2) == "host" and ("tile", "host") in regions:
                            regions = {}        # a new layout begins with the first tile
                        regions[(m.group(1), m.group(2))] = tuple(int(v) for v in m.group(3, 4, 5, 6))
                if all(("tile", n) in regions for n in ("host", "bob", "carol")):
                    break
                time.sleep(0.5)
            tiles = sorted(n for kind, n in regions if kind == "tile")
            self.assertEqual(tiles, ["bob", "carol", "host"], dave.output())
            self.assertTrue(any(kind == "self-view" for kind, _ in regions), dave.output())
            time.sleep(2)
            with tempfile.TemporaryDirectory() as tmp:
                shot = os.path.join(tmp, "screen.png")
                self.assertEqual(run(["import", "-window", "root", shot], env).returncode, 0)
                shutil.copy(shot, os.path.join(BUILD, "meeting-gui.png"))   # for a person to look at
                spread = run(["convert", shot, "-colorspace", "Gray", "-format", "%[fx:standard_deviation]",
                              "info:"], env)
                self.assertGreater(float(spread.stdout), 0.1, "the screen looks blank")

            found = run(["xdotool", "search", "--onlyvisible", "--name", "meetcli"], env)
            self.assertEqual(found.returncode, 0, "no meetcli window")
            window = found.stdout.split()[0]

            def click(key):
                x, y, _, _ = regions[("button", key)]
                run(["xdotool", "mousemove", "--window", window, str(x), str(y), "click", "1"], env)

            def dave_at_bob(start, count=2):
                values = []
                at = start
                for _ in range(count):
                    m, at = bob.wait_for(r"meetcli: dave: live, .* level (-?[\d.]+) dB, luma ([\d.]+)",
                                         timeout=20, start=at)
                    values.append((float(m.group(1)), float(m.group(2))))
                return values[1:]    # the first interval may straddle the change

            before = dave_at_bob(len(bob.lines), 3)
            self.assertTrue(all(level > -30 and luma > 80 for level, luma in before), bob.output())
            click("m")
            dave.wait_for(r"meetcli: microphone muted", timeout=10)
            muted = dave_at_bob(len(bob.lines), 3)
            self.assertTrue(all(level <= -60 for level, _ in muted), bob.output())
            click("v")
            dave.wait_for(r"meetcli: camera off", timeout=10)
            off = dave_at_bob(len(bob.lines), 3)
            self.assertTrue(all(luma < 50 for _, luma in off), bob.output())
            print("dave at bob: %s -> muted %s -> camera off %s" % (before, muted, off))
            run(["xdotool", "windowfocus", window], env)
            run(["xdotool", "key", "q"], env)
            self.assertEqual(dave.wait(30), 0, dave.output())
        finally:
            for p in (dave, bob, carol):
                if p.proc.poll() is None:
                    p.kill()
            server.stop()
            xvfb.stop()


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
