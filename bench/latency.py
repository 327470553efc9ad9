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

Usage: latency.py MEETSRV MEETCLI RTSP_PEER_SERVER RAWFRAME_G2G [SECONDS]
"""

import os
import re
import signal
import subprocess
import sys
import time

MEETSRV, MEETCLI, PEER, RAWFRAME_G2G = sys.argv[1:5]
SECONDS = sys.argv[5] if len(sys.argv) > 5 else "10"
G2G = re.compile(r"glass-to-glass latency ([\d.]+) ms")
RAW_G2G = re.compile(r"median ([\d.]+) ms")
OURS = "meetsrv + meetcli (latency=10, default)"


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


def main():
    print("glass-to-glass latency on loopback, 30 fps, median over the later half of %s s of frames (ms)" % SECONDS)
    ok = True
    for width, height in ((640, 480), (1280, 720)):
        size = ["--width", str(width), "--height", str(height), "--fps", "30"]
        results = {}
        server, url = start_server([MEETSRV, "--ip", "127.0.0.1", "--port", "0", "--video", "test",
                                    "--audio", "test"] + size)
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
            print("  %-56s %s" % (name, "%7.1f" % value if value is not None else "    n/a"))
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
