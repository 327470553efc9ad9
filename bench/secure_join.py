#!/usr/bin/env python3
"""Time to join (issue 11): from connect() to PLAY's 200 answer (TCP connect, the TLS handshake for
rtsps://, SETUP of one UDP stream - RTP/SAVP over TLS, RTP/AVP plain - and PLAY), for one client and
for 50 at once (50 threads released together; the time until the last of them has its answer),
meetrtspsink plain beside TLS (encryption=required, a P-256 certificate), in one run.

The measure stops at PLAY's answer, not at a decoded frame: what TLS adds is the handshake before
the first request, the media path after PLAY is the same (bench/srtp_fanout.py measures that).

Usage: secure_join.py [REPEATS]        (also runs as `meson test --benchmark`)
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtp_fanout  # noqa: E402


def join_all(port, tls, n):
    """Seconds until each of @n clients started together has PLAY's answer: (first, last)."""
    barrier = threading.Barrier(n + 1)
    times = [None] * n
    sessions = [None] * n
    errors = []

    def one(i):
        barrier.wait()
        t0 = time.monotonic()
        try:
            sessions[i] = srtp_fanout.Session(port, tls)
            times[i] = time.monotonic() - t0
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    for t in threads:
        t.join(60)
    for s in sessions:
        if s:
            s.close()
    if errors:
        return None, errors[0]
    return times, None


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    shared = os.environ.get("MEET_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1", "-keyout",
                        os.path.join(tmp, "key.pem"), "-out", os.path.join(tmp, "cert.pem")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        clip = os.path.join(tmp, "clip.mkv")
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + os.path.join(
            shared, "media", "zidane.jpg"), "!", "jpegdec", "!", "videoconvert", "!",
            "video/x-raw,format=I420", "!", "imagefreeze", "num-buffers=3000", "!",
            "video/x-raw,framerate=30/1", "!", "jpegenc", "quality=85", "!",
            "matroskamux", "!", "filesink", "location=" + clip], check=True)
        print("meetrtspsink 720p30 JPEG; join = connect + [TLS handshake] + SETUP (UDP) + PLAY, until "
              "PLAY's 200; %d repeats, median; %d cores" % (repeats, os.cpu_count()))
        print("%-10s | %-10s | %-10s | %s" % ("clients", "plain ms", "tls ms", "tls - plain ms"))
        results = {}
        for kind in ("plain", "tls"):
            server = subprocess.Popen([sys.executable, srtp_fanout.__file__, "--serve", kind, clip, tmp],
                                      stdout=subprocess.PIPE, text=True)
            try:
                port = int(server.stdout.readline())
                time.sleep(1.0)
                for n in (1, 50):
                    firsts, lasts = [], []
                    for _ in range(repeats):
                        times, error = join_all(port, kind == "tls", n)
                        if error:
                            print("%s, %d clients: %s" % (kind, n, error))
                            break
                        lasts.append(max(times) * 1000)
                        time.sleep(0.3)
                    results[(kind, n)] = statistics.median(lasts) if lasts else None
            finally:
                server.terminate()
                server.wait(timeout=10)
        for n, label in ((1, "1"), (50, "50 (last)")):
            p, t = results[("plain", n)], results[("tls", n)]
            print("%-10s | %10s | %10s | %s" % (label, "%.1f" % p if p else "failed", "%.1f" % t if t else "failed",
                                               "%+.1f" % (t - p) if p and t else "-"), flush=True)


if __name__ == "__main__":
    main()
