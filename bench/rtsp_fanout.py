#!/usr/bin/env python3
"""Fan-out benchmark: one server, N = 1, 10, 50, 100 UDP clients of a 720p30 JPEG stream.

Serves the same pre-encoded 1280x720 JPEG (shared/media/zidane.jpg re-encoded as baseline
JPEG) at 30 frames/s with meetrtspsink and with gst-rtsp-server (python GstRtspServer), and
for each N prints the server's CPU time over the measuring window and the frames each client
got (rtsp_fanout_client counts them), ours vs theirs as a ratio.

Usage: rtsp_fanout.py CLIENT_BINARY [N ...]        (also runs as `meson test --benchmark`)
       rtsp_fanout.py --serve meet|gst JPEG         (internal: one server, prints its port)
"""

import os
import subprocess
import sys
import tempfile
import time

FPS = 30
WARMUP_S = 2.0
WINDOW_S = 5.0


def source(clip):
    # Pre-encoded timestamped frames paced by the clock: the servers are measured, not the
    # encoder.
    return ("filesrc location=%s ! matroskademux ! identity sync=true"
            " ! rtpjpegpay name=pay0 pt=26" % clip)


def serve(kind, jpeg):
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst
    Gst.init(None)
    if kind == "meet":
        pipeline = Gst.parse_launch("meetrtspsink name=s address=127.0.0.1 port=0 max-clients=1000 "
                                    + source(jpeg) + " ! s.sink_0")
        pipeline.set_state(Gst.State.PLAYING)
        port = pipeline.get_by_name("s").get_property("bound-port")
    else:
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GstRtspServer
        server = GstRtspServer.RTSPServer()
        server.set_address("127.0.0.1")
        server.set_service("0")
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch("( %s )" % source(jpeg))
        factory.set_shared(True)
        server.get_mount_points().add_factory("/meet", factory)
        server.attach(None)
        port = server.get_bound_port()
    print(port, flush=True)
    GLib.MainLoop().run()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_one(client_binary, kind, jpeg, n):
    server = subprocess.Popen([sys.executable, __file__, "--serve", kind, jpeg],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        time.sleep(0.5)
        client = subprocess.Popen([client_binary, str(port), "/meet", str(n), str(WARMUP_S),
                                   str(WINDOW_S)], stdout=subprocess.PIPE, text=True)
        cpu = None
        result = ""
        for line in client.stdout:
            if line.startswith("window-start"):
                cpu = cpu_seconds(server.pid)
            elif line.startswith("window-end"):
                cpu = cpu_seconds(server.pid) - cpu
            else:
                result = line.strip()
        client.wait(timeout=60)
        if client.returncode != 0 or cpu is None:
            return None
        stats = dict(kv.split("=") for kv in result.split())
        return {"cpu": cpu, "frames_min": int(stats["frames_min"]),
                "frames_avg": float(stats["frames_avg"]), "lost": int(stats["lost"])}
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3])
        return
    client_binary = sys.argv[1]
    counts = [int(a) for a in sys.argv[2:]] or [1, 10, 50, 100]
    shared = os.environ.get("MEET_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                           "shared"))
    with tempfile.TemporaryDirectory() as tmp:
        jpeg = os.path.join(tmp, "clip.mkv")
        frames = int((WARMUP_S + WINDOW_S + 8) * FPS)
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + os.path.join(
            shared, "media", "zidane.jpg"), "!", "jpegdec", "!", "videoconvert", "!",
            "video/x-raw,format=I420", "!", "imagefreeze", "num-buffers=%d" % frames, "!",
            "video/x-raw,framerate=%d/1" % FPS, "!", "jpegenc", "quality=85", "!",
            "matroskamux", "!", "filesink", "location=" + jpeg], check=True)
        expected = int(WINDOW_S * FPS)
        print("1280x720 %d fps JPEG (zidane.jpg, ~%d bytes a frame), %.0f s window (%d frames "
              "expected per client), %d cores" % (FPS, os.path.getsize(jpeg) // frames, WINDOW_S,
                                                  expected, os.cpu_count()))
        print("%7s | %-34s | %-34s | %s" % ("clients", "meetrtspsink cpu-s frames min/avg lost",
                                            "gst-rtsp-server cpu-s frames min/avg lost",
                                            "cpu ratio ours/theirs"))
        for n in counts:
            ours = run_one(client_binary, "meet", jpeg, n)
            theirs = run_one(client_binary, "gst", jpeg, n)

            def fmt(r):
                if not r:
                    return "%-34s" % "failed"
                return "%-34s" % ("%6.2f  %4d/%6.1f  %d" % (r["cpu"], r["frames_min"],
                                                            r["frames_avg"], r["lost"]))
            ratio = "%.2f" % (ours["cpu"] / theirs["cpu"]) if ours and theirs and theirs["cpu"] else "-"
            # When a server falls behind, it also spends less: compare the cost of each frame
            # actually delivered to a client too.
            per_frame = [r["cpu"] * 1e6 / max(1.0, r["frames_avg"] * n) if r else None
                         for r in (ours, theirs)]
            per_frame_ratio = ("%.2f" % (per_frame[0] / per_frame[1])
                               if None not in per_frame and per_frame[1] else "-")
            print("%7d | %s | %s | %s (per delivered frame: %s)"
                  % (n, fmt(ours), fmt(theirs), ratio, per_frame_ratio), flush=True)


if __name__ == "__main__":
    main()
