#!/usr/bin/env python3
"""Relay benchmark: P publishers x R readers of 640x480@30 JPEG (plus L16 audio) through meetrtspsink
with allow-publish, beside meetrtspsink serving its own pad to as many readers.

For each P x R (default 4x3 and 8x7) it prints
- every reader's frames in the window (rtsp_fanout_client counts RTP frames, no decoding),
- the server's CPU seconds per forwarded stream: relay (P publishers, P*R readers) and reference
  (one pad, P*R readers of it), and their ratio,
- the time a packet spends in the relay: a probe publisher of its own sends a 640x480 frame's worth of
  packets 30 times a second and a probe reader times each packet from send to receive (loopback
  included: an upper bound of arrival-to-send in the relay), median and p90.

Usage: rtsp_relay.py CLIENT_BINARY [PxR ...]      (also runs as `meson test --benchmark rtsp-relay`)
       rtsp_relay.py --serve relay|pad CLIP        (internal)
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

FPS = 30
WARMUP_S = 2.0
WINDOW_S = 5.0


def serve(kind, clip):
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst
    Gst.init(None)
    desc = "meetrtspsink name=s address=127.0.0.1 port=0 max-clients=1000 allow-publish=true max-publishers=64"
    if kind == "pad":
        desc += (" filesrc location=%s ! matroskademux ! identity sync=true ! rtpjpegpay pt=26 ! s.sink_0"
                 % clip)
    element = Gst.parse_launch(desc)
    pipeline = element if isinstance(element, Gst.Pipeline) else Gst.Pipeline()
    if pipeline is not element:
        pipeline.add(element)     # a relay alone: the sink without pads
    pipeline.set_state(Gst.State.PLAYING)
    print(pipeline.get_by_name("s").get_property("bound-port"), flush=True)
    GLib.MainLoop().run()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def publisher(port, name, clip):
    return subprocess.Popen(
        ["gst-launch-1.0", "-q", "rtspclientsink", "name=s", "protocols=udp", "latency=0",
         "location=rtsp://127.0.0.1:%d/meet/%s" % (port, name),
         "filesrc", "location=" + clip, "!", "matroskademux", "!", "identity", "sync=true", "!", "s.sink_0",
         "audiotestsrc", "is-live=true", "samplesperbuffer=480", "!",
         "audio/x-raw,format=S16BE,rate=48000,channels=1", "!", "s.sink_1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def video_stream(port, path, timeout=20):
    """N of the stream=N carrying video (rtspclientsink numbers streams as their caps come), or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(("DESCRIBE rtsp://127.0.0.1:%d%s RTSP/1.0\r\nCSeq: 1\r\n\r\n" % (port, path)).encode())
                time.sleep(0.2)
                answer = s.recv(65536).decode(errors="replace")
                if answer.startswith("RTSP/1.0 200"):
                    medias = [line for line in answer.split("\r\n") if line.startswith("m=")]
                    return next(i for i, m in enumerate(medias) if m.startswith("m=video"))
        except (OSError, StopIteration):
            pass
        time.sleep(0.2)
    return None


def readers(client_binary, port, paths, n, server_pid):
    """rtsp_fanout_client for each (path, video stream) (n readers each), in parallel; the server's
    CPU over the window of the first."""
    procs = [subprocess.Popen([client_binary, str(port), path, str(n), str(WARMUP_S), str(WINDOW_S), str(stream)],
                              stdout=subprocess.PIPE, text=True) for path, stream in paths]
    cpu = None
    results = []
    for i, proc in enumerate(procs):
        result = ""
        for line in proc.stdout:
            if i == 0 and line.startswith("window-start"):
                cpu = cpu_seconds(server_pid)
            elif i == 0 and line.startswith("window-end"):
                cpu = cpu_seconds(server_pid) - cpu
            elif line.startswith("clients="):
                result = line.strip()
        proc.wait(timeout=60)
        if result:
            results.append(dict(kv.split("=") for kv in result.split()))
    return cpu, results


def rtsp(sock, text):
    sock.sendall(text.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    return data.decode(errors="replace")


def probe_latency(port, seconds=5.0):
    """Send-to-receive time of relayed packets (probe publisher and reader in this process)."""
    import re
    url = "rtsp://127.0.0.1:%d/meet/probe" % port
    sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=p\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\na=control:streamid=0\r\n"
    pub = socket.create_connection(("127.0.0.1", port))
    prtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    prtp.bind(("127.0.0.1", 0))
    rtsp(pub, "ANNOUNCE %s RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
         % (url, len(sdp), sdp))
    answer = rtsp(pub, "SETUP %s/streamid=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP;unicast;client_port=%d-%d;"
                  "mode=record\r\n\r\n" % (url, prtp.getsockname()[1], prtp.getsockname()[1] + 1))
    session = re.search(r"Session: ([0-9a-f]+)", answer).group(1)
    server_rtp = int(re.search(r"server_port=(\d+)", answer).group(1))
    rtsp(pub, "RECORD %s RTSP/1.0\r\nCSeq: 3\r\nSession: %s\r\n\r\n" % (url, session))
    reader = socket.create_connection(("127.0.0.1", port))
    rrtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rrtp.bind(("127.0.0.1", 0))
    rrtp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    answer = rtsp(reader, "SETUP %s/stream=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;unicast;client_port=%d-%d"
                  "\r\n\r\n" % (url, rrtp.getsockname()[1], rrtp.getsockname()[1] + 1))
    rsession = re.search(r"Session: ([0-9a-f]+)", answer).group(1)
    rtsp(reader, "PLAY %s RTSP/1.0\r\nCSeq: 2\r\nSession: %s\r\n\r\n" % (url, rsession))
    sent = {}
    delays = []
    stop = threading.Event()

    def receive():
        rrtp.settimeout(0.2)
        while not stop.is_set():
            try:
                data = rrtp.recv(2048)
            except socket.timeout:
                continue
            t = time.monotonic()
            seq = int.from_bytes(data[2:4], "big")
            if seq in sent:
                delays.append(t - sent.pop(seq))
    thread = threading.Thread(target=receive)
    thread.start()
    seq = 0
    payload = bytes(1388)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _ in range(40):          # ~55 KB: a 640x480 JPEG frame
            packet = bytes([0x80, 26]) + (seq & 0xFFFF).to_bytes(2, "big") + bytes(4) + (0xC0FFEE).to_bytes(4, "big")
            sent[seq & 0xFFFF] = time.monotonic()
            prtp.sendto(packet + payload, ("127.0.0.1", server_rtp))
            seq += 1
        time.sleep(1 / FPS)
    time.sleep(0.3)
    stop.set()
    thread.join()
    for s in (pub, reader, prtp, rrtp):
        s.close()
    delays.sort()
    if not delays:
        return None
    return statistics.median(delays) * 1e3, delays[int(len(delays) * 0.9)] * 1e3, len(delays), seq


def run(client_binary, clip, p, r):
    out = {}
    for kind in ("relay", "pad"):
        server = subprocess.Popen([sys.executable, __file__, "--serve", kind, clip], stdout=subprocess.PIPE, text=True)
        pubs = []
        try:
            port = int(server.stdout.readline())
            if kind == "relay":
                pubs = [publisher(port, "p%d" % i, clip) for i in range(p)]
                paths = [("/meet/p%d" % i, video_stream(port, "/meet/p%d" % i)) for i in range(p)]
                if any(stream is None for _, stream in paths):
                    out[kind] = None
                    continue
                cpu, results = readers(client_binary, port, paths, r, server.pid)
                latency = probe_latency(port)
            else:
                if video_stream(port, "/meet") is None:
                    out[kind] = None
                    continue
                cpu, results = readers(client_binary, port, [("/meet", 0)], p * r, server.pid)
                latency = None
            frames_min = min(int(x["frames_min"]) for x in results) if results else 0
            out[kind] = {"cpu": cpu, "per_stream": cpu / (p * r) if cpu else None, "frames_min": frames_min,
                         "latency": latency}
        finally:
            for pub in pubs:
                pub.terminate()
                pub.wait(timeout=10)
            server.terminate()
            server.wait(timeout=10)
    return out


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3])
        return
    client_binary = sys.argv[1]
    shapes = [tuple(int(v) for v in a.split("x")) for a in sys.argv[2:]] or [(4, 3), (8, 7)]
    shared = os.environ.get("MEET_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "clip.mkv")
        frames = int((WARMUP_S + WINDOW_S + 15) * FPS)
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + os.path.join(shared, "media", "zidane.jpg"),
                        "!", "jpegdec", "!", "videoconvert", "!", "videoscale", "!",
                        "video/x-raw,format=I420,width=640,height=480", "!", "imagefreeze",
                        "num-buffers=%d" % frames, "!", "video/x-raw,framerate=%d/1" % FPS, "!", "jpegenc",
                        "quality=85", "!", "matroskamux", "!", "filesink", "location=" + clip], check=True)
        expected = int(WINDOW_S * FPS)
        print("640x480 %d fps JPEG (~%d bytes a frame) + L16 48 kHz, %.0f s window (%d frames expected per "
              "reader), %d cores" % (FPS, os.path.getsize(clip) // frames, WINDOW_S, expected, os.cpu_count()))
        print("%5s | %-40s | %-40s | %s" % ("PxR", "relay: cpu-s per stream, frames min", "own pad: cpu-s per stream, "
                                            "frames min", "ratio | relay latency median/p90 ms"))
        for p, r in shapes:
            res = run(client_binary, clip, p, r)

            def fmt(x):
                return "%-40s" % ("failed" if not x or x["per_stream"] is None else
                                  "%.4f  %d/%d" % (x["per_stream"], x["frames_min"], expected))
            ratio = ("%.2f" % (res["relay"]["per_stream"] / res["pad"]["per_stream"])
                     if res.get("relay") and res.get("pad") and res["relay"]["per_stream"] and res["pad"]["per_stream"]
                     else "-")
            lat = res["relay"]["latency"] if res.get("relay") else None
            lat_text = "%.3f/%.3f (%d of %d packets)" % lat if lat else "-"
            print("%2dx%-2d | %s | %s | %s | %s" % (p, r, fmt(res.get("relay")), fmt(res.get("pad")), ratio, lat_text),
                  flush=True)


if __name__ == "__main__":
    main()
