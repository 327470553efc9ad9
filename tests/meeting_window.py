"""The meeting window (tools/meetingwindow.*) under Xvfb, through tests/meetingwindow_demo: the grid of named
tiles and the self-view on screen, the speaker highlighted, Mute/Camera and the session buttons firing their
callbacks (clicks and keys), the camera-off picture in the self-view, "reconnecting", and the grid laid out
anew as participants leave and join."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import numpy

from e2e_gui import Xvfb, run
from e2e_util import BUILD, Process, plain_env

DEMO = os.path.join(BUILD, "tests", "meetingwindow-demo")
SCREEN = (1024, 768)
# The window's colours (tools/meetingwindow.cpp): tile border idle, speaking, reconnecting.
IDLE, SPEAKING, RECONNECTING = (0x3c, 0x40, 0x43), (0x34, 0xa8, 0x53), (0xf9, 0xab, 0x00)
REGION = re.compile(r"demo: region (\S+) (.+?) (-?\d+),(-?\d+) (\d+)x(\d+)(?: speaking=(\d) state=(\S+) "
                    r"level=([\d.]+))?$")


class Region:
    def __init__(self, m):
        self.kind, self.name = m.group(1), m.group(2)
        self.x, self.y, self.w, self.h = (int(m.group(i)) for i in range(3, 7))
        self.speaking = m.group(7) == "1"
        self.state = m.group(8)
        self.level = float(m.group(9)) if m.group(9) else 0.0


class Demo(Process):
    def __init__(self, env, *args):
        super().__init__([DEMO] + list(args), env=env, stdin=subprocess.PIPE)
        self.at = 0

    def expect(self, pattern, timeout=20):
        m, self.at = self.wait_for(pattern, timeout=timeout, start=self.at)
        return m

    def layout(self, tiles=None, timeout=20):
        """The next layout the demo prints (after a change, or asked for with "layout"), as
        {kind: {name: Region}}; with @tiles, waits for one of that many tiles."""
        while True:
            m = self.expect(r"demo: layout (\d+) tiles", timeout)
            count = int(m.group(1))
            _, end = self.wait_for(r"demo: layout end", timeout=timeout, start=self.at)
            with self.lock:
                lines = self.lines[self.at:end - 1]
            self.at = end
            if tiles is None or count == tiles:
                regions = {}
                for line in lines:
                    m = REGION.search(line)
                    if m is None:
                        continue    # a line from another thread (say "first frame") inside the block
                    r = Region(m)
                    regions.setdefault(r.kind, {})[r.name] = r
                regions.setdefault("tile", {})
                return regions

    def ask_layout(self, check, timeout=20):
        """Asks for the layout until @check(regions) holds (the window applies updates from other threads on
        its main loop: wait for them)."""
        deadline = time.monotonic() + timeout
        while True:
            self.send("layout")
            regions = self.layout()
            if check(regions):
                return regions
            if time.monotonic() > deadline:
                raise AssertionError("the window never showed what was expected: %s" % self.output())
            time.sleep(0.2)


class Screen:
    """The whole X screen as an RGB array (ImageMagick's import, as a person's screenshot)."""

    def __init__(self, env, window):
        self.env = env
        geometry = run(["xdotool", "getwindowgeometry", "--shell", window], env).stdout
        self.origin = tuple(int(re.search(r"%s=(-?\d+)" % k, geometry).group(1)) for k in ("X", "Y"))

    def grab(self, path):
        self.assert_ok(run(["import", "-window", "root", path], self.env))
        raw = subprocess.run(["convert", path, "-depth", "8", "rgb:-"], capture_output=True, env=plain_env(self.env),
                             timeout=30, check=True).stdout
        self.pixels = numpy.frombuffer(raw, numpy.uint8).reshape(SCREEN[1], SCREEN[0], 3).astype(int)
        return self

    @staticmethod
    def assert_ok(result):
        if result.returncode != 0:
            raise AssertionError(result.stderr)

    def crop(self, r, inset=0):
        x, y = r.x + self.origin[0] + inset, r.y + self.origin[1] + inset
        return self.pixels[y:y + r.h - 2 * inset, x:x + r.w - 2 * inset]

    def pixel(self, x, y):
        return tuple(self.pixels[y + self.origin[1], x + self.origin[0]])

    def border(self, tile):
        """The colour of a tile's left border, half way down."""
        return self.pixel(tile.x + 1, tile.y + tile.h // 2)


def near(colour, expected, tolerance=24):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


def varied(pixels):
    """A picture or text, not a flat area (an empty tile, a label with nothing drawn)."""
    return pixels.size > 0 and float(pixels.std()) > 12


@unittest.skipUnless(shutil.which("Xvfb") and shutil.which("xdotool") and shutil.which("import"),
                     "needs Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them)")
class MeetingWindowTest(unittest.TestCase):
    def setUp(self):
        self.xvfb = Xvfb("%dx%d" % SCREEN)
        self.env = dict(os.environ, DISPLAY=self.xvfb.display, NO_AT_BRIDGE="1", GDK_BACKEND="x11")
        self.tmp = tempfile.mkdtemp()
        self.demo = Demo(self.env, "--speaker", "alice")
        try:
            for name in ("alice", "bob", "carol", "you"):
                self.demo.wait_for(r"demo: first frame %s$" % name, timeout=30)
            # The pictures can start before the window is mapped.
            deadline = time.monotonic() + 20
            while True:
                found = run(["xdotool", "search", "--onlyvisible", "--name", "meetingwindow demo"], self.env)
                if found.returncode == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(found.returncode, 0, "no demo window")
            self.window = found.stdout.split()[0]
            self.screen = Screen(self.env, self.window)
        except Exception:
            self.tearDown()
            raise

    def tearDown(self):
        self.demo.kill()
        self.xvfb.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def shot(self, check, keep=None, timeout=30):
        """Screenshots until @check(screen) passes (the pictures take a moment to be drawn); the last one is
        copied into the build tree as @keep, for a person to look at."""
        path = os.path.join(self.tmp, "screen.png")
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen.grab(path)
            try:
                check(screen)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    if keep:
                        shutil.copy(path, os.path.join(BUILD, keep))
                    raise
                time.sleep(0.5)
        if keep:
            shutil.copy(path, os.path.join(BUILD, keep))

    def quit(self):
        self.demo.send("q")
        self.demo.expect(r"demo: quit")
        self.assertEqual(self.demo.wait(20), 0, self.demo.output())
        output = self.demo.output()
        for bad in ("CRITICAL", "WARNING", "Output window was closed", "error"):
            self.assertNotIn(bad, output)

    def test_grid_of_three_named_tiles_and_self_view(self):
        # Levels come from another thread: alice (speaking) fills her bar, the others' stay low.
        regions = self.demo.ask_layout(lambda r: len(r["tile"]) == 3 and r["tile"]["alice"].speaking and
                                       r["tile"]["alice"].level > 0.5 and r["tile"]["bob"].level > 0)
        tiles = regions["tile"]
        alice, bob, carol = tiles["alice"], tiles["bob"], tiles["carol"]
        self.assertLess(bob.level, 0.3)
        self.assertFalse(bob.speaking or carol.speaking)
        # Two on top, the third centred below them, all the same size.
        self.assertEqual(alice.y, bob.y)
        self.assertLess(alice.x + alice.w, bob.x)
        self.assertGreaterEqual(carol.y, alice.y + alice.h)
        self.assertLessEqual(abs((carol.x + carol.w / 2) - (alice.x + bob.x + bob.w) / 2), 4)
        self.assertEqual((alice.w, alice.h), (bob.w, bob.h))
        self.assertLessEqual(abs(carol.h - alice.h), 1)
        selfview = regions["self-view"]["you"]
        self.assertGreaterEqual(selfview.y, carol.y + carol.h)
        self.assertLess(selfview.w * selfview.h, alice.w * alice.h / 2, "the self-view is not small")

        def check(screen):
            for name, tile in tiles.items():
                self.assertTrue(varied(screen.crop(tile, inset=8)), "tile %s shows no picture" % name)
                label = regions["name"][name]
                self.assertGreater(label.w, 10)
                self.assertTrue(varied(screen.crop(label)), "no name written on tile %s" % name)
            self.assertTrue(varied(screen.crop(selfview)), "the self-view shows no picture")
            self.assertTrue(near(screen.border(alice), SPEAKING), "alice is speaking: %s" % (screen.border(alice),))
            self.assertTrue(near(screen.border(bob), IDLE), "bob is not speaking: %s" % (screen.border(bob),))
        self.shot(check, keep="meeting-window-grid.png")
        self.quit()

    def test_buttons_and_keys_fire_the_callbacks(self):
        buttons = self.demo.ask_layout(lambda r: "button" in r)["button"]

        def click(key, expect):
            b = buttons[key]
            run(["xdotool", "mousemove", "--window", self.window, str(b.x + b.w // 2), str(b.y + b.h // 2),
                 "click", "1"], self.env)
            self.demo.expect(expect)

        click("m", r"demo: mute on")
        click("m", r"demo: mute off")
        click("v", r"demo: camera off")
        # The self-view now shows the still picture published instead of the camera: black with the text.
        regions = self.demo.ask_layout(lambda r: "camera off" in next(iter(r["self-label"])))
        selfview = regions["self-view"]["you"]

        def still(screen):
            pixels = screen.crop(selfview, inset=4)
            self.assertLess(float(pixels.mean()), 60, "not the black camera-off picture")
            self.assertTrue(varied(pixels), "no text on the camera-off picture")
        self.shot(still, keep="meeting-window-camera-off.png")
        click("v", r"demo: camera on")
        for key, expect in (("s", "setup"), ("p", "play"), ("space", "pause"), ("t", "teardown")):
            click(key, r"demo: %s$" % expect)

        # Keys: there is no window manager, so give the window the focus first.
        run(["xdotool", "windowfocus", self.window], self.env)
        for key, expect in (("m", "mute on"), ("v", "camera off"), ("v", "camera on"), ("m", "mute off"),
                            ("s", "setup"), ("p", "play"), ("space", "pause"), ("t", "teardown")):
            run(["xdotool", "key", key], self.env)
            self.demo.expect(r"demo: %s$" % expect)
        self.quit()

    def test_participants_leave_join_and_reconnect(self):
        self.demo.ask_layout(lambda r: len(r["tile"]) == 3)
        self.demo.send("state carol reconnecting")
        tiles = self.demo.ask_layout(lambda r: r["tile"]["carol"].state == "reconnecting")["tile"]
        self.shot(lambda s: self.assertTrue(near(s.border(tiles["carol"]), RECONNECTING)))

        self.demo.send("remove bob")
        regions = self.demo.layout(tiles=2)
        tiles = regions["tile"]
        self.assertEqual(sorted(tiles), ["alice", "carol"])
        alice, carol = tiles["alice"], tiles["carol"]
        # Side by side, one row, each larger than in the grid of three.
        self.assertEqual(alice.y, carol.y)
        self.assertLess(alice.x + alice.w, carol.x)
        self.assertEqual((alice.w, alice.h), (carol.w, carol.h))

        def check(screen):
            for name, tile in tiles.items():
                self.assertTrue(varied(screen.crop(tile, inset=8)), "tile %s shows no picture" % name)
            self.assertTrue(near(screen.border(carol), RECONNECTING))
        self.shot(check, keep="meeting-window-two.png")

        self.demo.send("state carol live")
        with self.demo.lock:
            added_at = len(self.demo.lines)
        self.demo.send("add dave")
        self.demo.send("add erin")
        tiles = self.demo.layout(tiles=4)["tile"]
        # 2x2.
        self.assertEqual(tiles["alice"].y, tiles["carol"].y)
        self.assertEqual(tiles["dave"].y, tiles["erin"].y)
        self.assertEqual(tiles["alice"].x, tiles["dave"].x)
        self.assertGreater(tiles["dave"].y, tiles["alice"].y)
        for name in ("dave", "erin"):
            self.demo.wait_for(r"demo: first frame %s$" % name, timeout=20, start=added_at)
        tiles = self.demo.ask_layout(lambda r: r["tile"]["carol"].state == "live")["tile"]
        self.shot(lambda s: [self.assertTrue(varied(s.crop(t, inset=8)), n) for n, t in tiles.items()])
        self.quit()


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
