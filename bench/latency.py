"""Glass-to-glass latency on loopback: meetsrv+meetcli against gst-rtsp-server+rtspsrc and ffmpeg (ffplay's
demuxer and decoder).

Both servers send the same marked test picture (tools/marks.h: the capture time as a barcode drawn into every
frame before JPEG encoding); the receiver reads the barcode of every frame as it reaches the video sink and
takes the time at which the sink shows it (its due time, or its arrival when it comes late). The GStreamer
receiver is meetcli in every case: with our meetrtspsrc and depayloaders, or with --stock (GStreamer's rtspsrc,
rtpjpegdepay, rtpL16depay), so decoding and display are the same and only the RTSP/RTP path differs.

ffplay cannot report when it shows a frame. ffmpeg with ffplay's low-delay options (nobuffer, low_delay, UDP,
minimal probing) decodes the video to raw grey frames on a pipe and rawframe-g2g times each frame as it comes
out: no display and no A/V sync, so a lower bound for ffplay.

In the same run, participant to participant through the host: meetsrv --no-camera relays N meetcli (2 and 4,
test picture and sound); every participant's summary gives, per remote participant, the glass-to-glass median
and p90 and the A/V offset: the bench prints the median over all pairs of each.

Usage: latency.py MEETSRV MEETCLI RTSP_PEER_SERVER RAWFRAME_G2G [SECONDS] [--meeting WxH:N ...]
--meeting runs only the meetings named (e.g. --meeting 1280x720:4), without the viewer comparisons.
"""

import os
import re
import signal
import subprocess
import sys
import time

MEETSRV, MEETCLI, PEER, RAWFRAME_G2G = sys.argv[1:5]
_REST = sys.argv[5:]
SECONDS = _REST.pop(0) if _REST and not _REST[0].startswith("--") else "10"
ONLY = []     # (width, height, n) of --meeting WxH:N
while len(_REST) >= 2 and _REST[0] == "--meeting" and re.fullmatch(r"\d+x\d+:\d+", _REST[1]):
    _w, _h, _n = map(int, re.split(r"[x:]", _REST[1]))
    ONLY.append((_w, _h, _n))
    del _REST[:2]
if _REST:
    raise SystemExit("usage: latency.py MEETSRV MEETCLI RTSP_PEER_SERVER RAWFRAME_G2G [SECONDS] [--meeting WxH:N ...]")
G2G = re.compile(r"glass-to-glass latency ([\d.]+) ms(?: \(median of the last \d+ frames, p90 [\d.]+ ms, (\d+) late\))?")
PAIR = re.compile(r"summary for (\S+): .*?A/V offset ([+-][\d.]+) ms.*?glass-to-glass latency ([\d.]+) ms "
                  r"\(median of the last \d+ frames, p90 ([\d.]+) ms, (\d+) late\)")
RAW_G2G = re.compile(r"median ([\d.]+) ms")
OURS = "meetsrv + meetcli --watch (latency=10, default)"
LATE = {}   # (url, options...) -> frames meetcli's sink showed late (issue 10: none for ours on an idle machine)


def server_args():
    """Plain RTSP on loopback: --insecure once meetsrv is secure by default (it lists it in --help)."""
    helptext = subprocess.run([MEETSRV, "--help"], capture_output=True, text=True).stdout
    return ["--insecure"] if "--insecure" in helptext else []


def start_server(args):
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
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
    out = subprocess.run([MEETCLI, url, "--watch", "--headless", "--duration", SECONDS, "--status-interval", "100"]
                         + list(extra), capture_output=True, text=True, timeout=int(SECONDS) + 60)
    m = G2G.search(out.stdout)
    if not m:
        sys.stderr.write(out.stdout + out.stderr)
        return None
    LATE[(url,) + extra] = int(m.group(2)) if m.group(2) else None
    return float(m.group(1))


def receive_ffmpeg(url, width, height):
    """ffplay's demuxer and decoder options; like meetcli, only the later half of the frames counts."""
    ffmpeg = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-fflags", "nobuffer",
                               "-flags", "low_delay", "-rtsp_transport", "udp", "-probesize", "32",
                               "-analyzeduration", "0", "-i", url, "-map", "0:v", "-t", SECONDS,
                               "-fps_mode", "passthrough", "-pix_fmt", "gray", "-flush_packets", "1",
                               "-f", "rawvideo", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = subprocess.run([RAWFRAME_G2G, str(width), str(height), str(int(SECONDS) * 30 // 2)],
                             stdin=ffmpeg.stdout,
                             capture_output=True, text=True, timeout=int(SECONDS) + 60)
    finally:
        ffmpeg.stdout.close()
        try:
            ffmpeg.wait(10)
        except subprocess.TimeoutExpired:
            ffmpeg.kill()
            ffmpeg.wait()
    m = RAW_G2G.search(out.stdout)
    if not m:
        sys.stderr.write(out.stdout + out.stderr + ffmpeg.stderr.read().decode(errors="replace"))
        return None
    return float(m.group(1))


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def meeting(width, height, n):
    """n meetcli in a meeting relayed by meetsrv: every pair's glass-to-glass (median, p90), A/V offset, late."""
    size = ["--width", str(width), "--height", str(height), "--fps", "30"]
    server, url = start_server([MEETSRV, "--ip", "127.0.0.1", "--port", "0", "--no-camera"] + server_args()
                               + size)
    try:
        procs = [subprocess.Popen([MEETCLI, url, "--name", "p%d" % i, "--headless", "--video", "test", "--audio",
                                   "test", "--duration", SECONDS, "--status-interval", "100"] + size,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for i in range(n)]
        pairs = []
        for proc in procs:
            out, _ = proc.communicate(timeout=int(SECONDS) + 60)
            found = [(float(m.group(3)), float(m.group(4)), float(m.group(2)), int(m.group(5)))
                     for m in PAIR.finditer(out)]
            if len(found) != n - 1:
                sys.stderr.write(out)
            pairs += found
    finally:
        stop(server)
    if len(pairs) != n * (n - 1):
        return None
    return (median([p[0] for p in pairs]), median([p[1] for p in pairs]),
            max(abs(p[2]) for p in pairs), sum(p[3] for p in pairs))


def print_meeting(width, height, n, m):
    if m is None:
        print("  %d participants through meetsrv: n/a" % n)
        return False
    print("  %d participants through meetsrv, over %d pairs: median %.1f, p90 %.1f, worst |A/V offset| "
          "%.1f ms, %d late frames" % (n, n * (n - 1), m[0], m[1], m[2], m[3]))
    return True


def main():
    print("glass-to-glass latency on loopback, 30 fps, median over the later half of %s s of frames (ms)" % SECONDS)
    ok = True
    if ONLY:
        for width, height, n in ONLY:
            print("%dx%d" % (width, height))
            ok = print_meeting(width, height, n, meeting(width, height, n)) and ok
        return 0 if ok else 1
    for width, height in ((640, 480), (1280, 720)):
        size = ["--width", str(width), "--height", str(height), "--fps", "30"]
        results = {}
        server, url = start_server([MEETSRV, "--ip", "127.0.0.1", "--port", "0", "--video", "test",
                                    "--audio", "test"] + server_args() + size)
        try:
            results[OURS] = receive(url)
            results["meetsrv + meetcli (latency=0)"] = receive(url, "--latency", "0")
            results["meetsrv + rtspsrc (latency=0)"] = receive(url, "--stock", "--latency", "0")
            results["meetsrv + ffmpeg (ffplay options, no display)"] = receive_ffmpeg(url, width, height)
        finally:
            stop(server)
        peer, peer_url = start_server([PEER, "--port", "0"] + size)
        try:
            results["gst-rtsp-server + rtspsrc (latency=2000, default)"] = receive(peer_url, "--stock",
                                                                                  "--latency", "2000")
            results["gst-rtsp-server + rtspsrc (latency=0)"] = receive(peer_url, "--stock", "--latency", "0")
            results["gst-rtsp-server + ffmpeg (ffplay options, no display)"] = receive_ffmpeg(peer_url, width,
                                                                                             height)
        finally:
            stop(peer)
        print("%dx%d" % (width, height))
        for name, value in results.items():
            late = " (%d late frames)" % LATE[(url,)] if name == OURS and LATE.get((url,)) is not None else ""
            print("  %-56s %s%s" % (name, "%7.1f" % value if value is not None else "    n/a", late))
        # Peers: gst-rtsp-server with rtspsrc or ffmpeg, and ffmpeg (ffplay) on meetsrv. meetsrv + rtspsrc is our
        # server with GStreamer's client: set against meetcli at the same latency=0, it compares the clients.
        peers = {name: value for name, value in results.items()
                 if not name.startswith("meetsrv + meetcli") and not name.startswith("meetsrv + rtspsrc")
                 and value is not None}
        if peers and results[OURS]:
            best = min(peers, key=peers.get)
            print("  ratio ours (default) / best peer (%s): %.2f" % (best, results[OURS] / peers[best]))
        ours0, stock0 = results["meetsrv + meetcli (latency=0)"], results["meetsrv + rtspsrc (latency=0)"]
        if ours0 and stock0:
            print("  ratio meetcli / rtspsrc, both latency=0 on meetsrv: %.2f" % (ours0 / stock0))
        ok = ok and all(v is not None for v in results.values())
        # Participant to participant through the host, against the viewer (meetsrv + meetcli --watch) above.
        for n in (2, 4):
            m = meeting(width, height, n)
            if not print_meeting(width, height, n, m):
                ok = False
                continue
            if results[OURS]:
                print("  ratio participant-to-participant (%d) / meetsrv + meetcli: %.2f" % (n, m[0] / results[OURS]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
