"""Helpers for the end-to-end tests: meetsrv and meetcli as real processes on loopback."""

import atexit
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

BUILD = os.environ.get("MEET_BUILD_DIR", "build")
MEETSRV = os.path.join(BUILD, "tools", "meetsrv")
MEETCLI = os.path.join(BUILD, "tools", "meetcli")

SUMMARY = re.compile(r"summary: (\d+) video frames, ([\d.]+) s of audio, (\d+) packets lost, "
                     r"A/V offset (?:([-+][\d.]+) ms|unknown)")


def plain_env(base=None):
    """The environment for outside programs (ffprobe, Xvfb, xdotool, ImageMagick): without the sanitizer
    runtime that sanitized test runs preload for our own binaries."""
    env = dict(os.environ if base is None else base)
    env.pop("LD_PRELOAD", None)
    return env


def free_port():
    """A TCP port nobody listens on right now (for tests that must restart a server on the same port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process whose output lines are collected by a thread, so tests can wait for them."""

    def __init__(self, args, env=None, stdin=subprocess.DEVNULL, wrap=None):
        """@wrap: a function prefixing @args to run elsewhere, e.g. TestLan.command's host (the messages
        still name the program)."""
        self.args = args
        self.name = os.path.basename(args[0])
        if wrap:
            args = wrap(args)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=stdin,
                                     env=env, text=True, bufsize=1)
        self.lines = []
        self.times = []     # time.monotonic() at which each line arrived
        self.lock = threading.Lock()
        self.new_line = threading.Condition(self.lock)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(line.rstrip("\n"))
                self.times.append(time.monotonic())
                self.new_line.notify_all()
        self.proc.stdout.close()
        with self.lock:
            self.new_line.notify_all()

    def output(self):
        with self.lock:
            return "\n".join(self.lines)

    def wait_for(self, pattern, timeout=20, start=0):
        """Waits for a line matching @pattern among lines[start:]; returns (match, index after it)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.lock:
            index = start
            while True:
                while index < len(self.lines):
                    m = regex.search(self.lines[index])
                    index += 1
                    if m:
                        return m, index
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise AssertionError("no line matching %r from %s within %d s; output:\n%s"
                                         % (pattern, self.name, timeout,
                                            "\n".join(self.lines)))
                self.new_line.wait(min(remaining, 0.5))

    def time_of(self, index_after):
        """When the line that wait_for() found (it returns the index after it) arrived."""
        with self.lock:
            return self.times[index_after - 1]

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait(self, timeout=30):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s did not end within %d s; output:\n%s"
                                 % (self.name, timeout, self.output()))
        self.reader.join(5)
        if self.proc.stdin:
            self.proc.stdin.close()
        return self.proc.returncode

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait(5)


JOIN = re.compile(r"join the meeting at (rtsps?://\S+(?: \S+=\S+)*)$")
PLAYERS = re.compile(r"meetsrv: players: (rtsps?://\S+)")


def parse_join(line):
    """{url, passcode, fingerprint} of a join line as meetsrv prints it (rtsps://... passcode=... fingerprint=...)."""
    words = line.split()
    out = {"url": words[0], "passcode": None, "fingerprint": None}
    for w in words[1:]:
        key, _, value = w.partition("=")
        out[key] = value
    return out


class Server(Process):
    """meetsrv on test sources. Plain (--insecure) unless @secure: .url is the rtsp:// URL it prints, or with
    @secure the whole join line (rtsps://... passcode=... fingerprint=..., which meetcli takes as one argument),
    with .join (parse_join), .player_url (rtsps://meet:PASSCODE@...) and .config_dir (a temporary
    XDG_CONFIG_HOME unless @env has one: the certificate is made there, not in the user's home). @ip is the
    address it serves on; @wrap runs it elsewhere (Process), e.g. on a host of a test LAN; @start_timeout the
    seconds its join line may take."""

    def __init__(self, *extra, port=0, env=None, secure=False, ip="127.0.0.1", wrap=None, start_timeout=20):
        self.config_dir = None
        if secure:
            given = env is not None and "XDG_CONFIG_HOME" in env
            env = dict(os.environ if env is None else env)
            if not given:
                env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="meet-xdg-")
                atexit.register(shutil.rmtree, env["XDG_CONFIG_HOME"], True)
            self.config_dir = os.path.join(env["XDG_CONFIG_HOME"], "meetstream")
        super().__init__([MEETSRV, "--ip", ip, "--port", str(port), "--video", "test", "--audio",
                          "test", "--status-interval", "1"] + ([] if secure else ["--insecure"]) + list(extra),
                         env=env, wrap=wrap)
        m, _ = self.wait_for(JOIN, timeout=start_timeout)
        self.url = m.group(1)
        self.join = parse_join(self.url)
        self.player_url = self.join["url"]
        if secure:
            m, _ = self.wait_for(PLAYERS, timeout=start_timeout)
            self.player_url = m.group(1)
        else:
            self.url = self.join["url"]


def client(url, *extra, stdin=subprocess.DEVNULL, env=None, wrap=None):
    """meetcli --watch (the one-way player) on @url, headless."""
    return Process([MEETCLI, url, "--watch", "--headless", "--status-interval", "1"] + list(extra), stdin=stdin, env=env,
                   wrap=wrap)


SUMMARY_FOR = re.compile(r"meetcli: summary for ([\w.-]+): (\d+) video frames, ([\d.]+) s of audio, (\d+) packets "
                         r"lost, A/V offset (?:([-+][\d.]+) ms|unknown)")
FRAMES_FROM = re.compile(r"meetcli: frames from ([\w.-]+): (\d+) with marks over ([\d.]+) s of capture time")


def participant(url, name, *extra, env=None, wrap=None):
    """meetcli joining the meeting at @url as @name on test sources, headless, commands on its stdin."""
    return Process([MEETCLI, url, "--name", name, "--video", "test", "--audio", "test", "--headless",
                    "--status-interval", "1", "--no-echo-cancel"] + list(extra), stdin=subprocess.PIPE, env=env,
                   wrap=wrap)


def summaries(proc):
    """{NAME: {frames, audio, lost, offset, marked, span}} from a participant's summary lines."""
    out = proc.output()
    result = {}
    for m in SUMMARY_FOR.finditer(out):
        result[m.group(1)] = {"frames": int(m.group(2)), "audio": float(m.group(3)), "lost": int(m.group(4)),
                              "offset": float(m.group(5)) if m.group(5) else None, "marked": 0, "span": 0.0}
    for m in FRAMES_FROM.finditer(out):
        if m.group(1) in result:
            result[m.group(1)].update(marked=int(m.group(2)), span=float(m.group(3)))
    return result


def summary(proc):
    m = SUMMARY.search(proc.output())
    assert m, "no summary line in:\n" + proc.output()
    return {"frames": int(m.group(1)), "audio": float(m.group(2)), "lost": int(m.group(3)),
            "offset": float(m.group(4)) if m.group(4) else None}
