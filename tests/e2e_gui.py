"""meetcli's GTK window under Xvfb: the picture shows, and its four buttons and keys drive the RTSP session."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from e2e_util import Server, Process, MEETCLI, BUILD, plain_env


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


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
