"""Glass-to-glass latency on loopback: meetsrv+meetcli against gst-rtsp-server+rtspsrc.

Both servers send the same marked test picture (tools/marks.h: the capture time as a barcode drawn into every
frame before JPEG encoding); the receiver reads the barcode of every frame as it reaches the video sink and
takes the time at which the sink shows it. The receiver is meetcli in every case: with our meetrtspsrc and
depayloaders, or with --stock (GStreamer's rtspsrc, rtpjpegdepay, rtpL16depay), so decoding and display are
the same and only the RTSP/RTP path differs. ffplay cannot report when it shows a frame: not measured.

Usage: latency.py MEETSRV MEETCLI RTSP_PEER_SERVER [SECONDS]
"""

import os
import re
import signal
import subprocess
import sys
import time

MEETSRV, MEETCLI, PEER = sys.argv[1:4]
SECONDS = sys.argv[4] if len(sys.argv) > 4 else "10"
G2G = re.compile(r"glass-to-glass latency ([\d.]+) ms")


def start_server(args):
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"(rtsp://\S+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise SystemExit("server did not start: %s" % " ".join(args))


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def receive(url, *extra):
    out = subprocess.run([MEETCLI, url, "--headless", "--duration", SECONDS, "--status-interval", "100"]
                         + list(extra), capture_output=True, text=True, timeout=int(SECONDS) + 60)
    m = G2G.search(out.stdout)
    if not m:
        sys.stderr.write(out.stdout + out.stderr)
        return None
    return float(m.group(1))


def main():
    print("glass-to-glass latency on loopback, 30 fps, median over %s s of frames (ms)" % SECONDS)
    ok = True
    for width, height in ((640, 480), (1280, 720)):
        size = ["--width", str(width), "--height", str(height), "--fps", "30"]
        results = {}
        server, url = start_server([MEETSRV, "--ip", "127.0.0.1", "--port", "0", "--video", "test",
                                    "--audio", "test"] + size)
        try:
            results["meetsrv + meetcli (latency=50, default)"] = receive(url)
            results["meetsrv + meetcli (latency=0)"] = receive(url, "--latency", "0")
            results["meetsrv + rtspsrc (latency=0)"] = receive(url, "--stock", "--latency", "0")
        finally:
            stop(server)
        peer, peer_url = start_server([PEER, "--port", "0"] + size)
        try:
            results["gst-rtsp-server + rtspsrc (latency=2000, default)"] = receive(peer_url, "--stock",
                                                                                  "--latency", "2000")
            results["gst-rtsp-server + rtspsrc (latency=0)"] = receive(peer_url, "--stock", "--latency", "0")
        finally:
            stop(peer)
        print("%dx%d" % (width, height))
        for name, value in results.items():
            print("  %-52s %s" % (name, "%7.1f" % value if value is not None else "    n/a"))
        ours = results["meetsrv + meetcli (latency=0)"]
        peer_best = results["gst-rtsp-server + rtspsrc (latency=0)"]
        if ours and peer_best:
            print("  ratio meetsrv+meetcli / gst-rtsp-server+rtspsrc at latency=0: %.2f" % (ours / peer_best))
        ok = ok and all(v is not None for v in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
