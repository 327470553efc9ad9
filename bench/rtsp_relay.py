#!/usr/bin/env python3
"""Relay benchmark: meetrtspsink relaying P publishers to R readers each, beside meetrtspsink serving its
own pads to as many readers, on the same work (640x480 30 fps JPEG and 48 kHz L16 sound per stream pair).

- relay: one meetrtspsink with allow-publish=true; rtsp_relay_client publishes P participants under
  /meet/pI by hand (ANNOUNCE, SETUP mode=record, RECORD, then RTP paced at 30 fps and 10 ms) and reads
  each with R readers. The client also times the first packet of every frame from its send to its arrival at
  each reader, which bounds the time a packet spends in the relay (arrival to send) from above.
- own pads (the reference): P meetrtspsink elements in one process, each fed by a pre-encoded clip of the
  same size through rtpjpegpay and a live L16 sound, read by R readers each.

For each configuration it prints the server's CPU seconds over the window, CPU per forwarded stream
(P x 2 streams x R readers), the frames every reader got (min/avg of the expected) and the losses, ours
beside the reference as a ratio from one run.

Usage: rtsp_relay.py CLIENT_BINARY [PxR ...]       (also `meson test --benchmark rtsp-relay`)
       rtsp_relay.py --serve relay|own P CLIP      (internal: one server process, prints its ports)
"""

import os
import subprocess
import sys
import tempfile
import time

FPS = 30
WARMUP_S = 2.0
WINDOW_S = 5.0
AUDIO = ("audiotestsrc is-live=true samplesperbuffer=480 ! audio/x-raw,format=S16BE,rate=48000,channels=1"
         " ! rtpL16pay pt=96")


def serve(kind, publishers, clip):
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst
    Gst.init(None)
    if kind == "relay":
        # Its own pads carry a sound only so that the element has a presentation; nobody reads it.
        description = ("meetrtspsink name=s0 address=127.0.0.1 port=0 max-clients=1000 allow-publish=true "
                       "max-publishers=%d %s ! s0.sink_0" % (publishers, AUDIO))
        sinks = 1
    else:
        description = " ".join(
            "meetrtspsink name=s%d address=127.0.0.1 port=0 max-clients=1000 "
            "filesrc location=%s ! matroskademux ! identity sync=true ! rtpjpegpay pt=26 ! s%d.sink_0 "
            "%s ! s%d.sink_1" % (i, clip, i, AUDIO, i) for i in range(publishers))
        sinks = publishers
    pipeline = Gst.parse_launch(description)
    pipeline.set_state(Gst.State.PLAYING)
    pipeline.get_state(10 * Gst.SECOND)
    print(" ".join(str(pipeline.get_by_name("s%d" % i).get_property("bound-port")) for i in range(sinks)),
          flush=True)
    GLib.MainLoop().run()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_one(client_binary, kind, publishers, readers, clip, frame_bytes):
    server = subprocess.Popen([sys.executable, __file__, "--serve", kind, str(publishers), clip],
                              stdout=subprocess.PIPE, text=True)
    try:
        ports = server.stdout.readline().split()
        if not ports:
            return None
        time.sleep(0.5)
        if kind == "relay":
            targets = ",".join("%s/meet/p%d" % (ports[0], i) for i in range(publishers))
            publish = targets
        else:
            targets = ",".join("%s/meet" % port for port in ports)
            publish = "-"
        client = subprocess.Popen([client_binary, publish, targets, str(readers), str(WARMUP_S), str(WINDOW_S),
                                   str(frame_bytes)], stdout=subprocess.PIPE, text=True)
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
        return {"cpu": cpu, "frames_min": int(stats["frames_min"]), "frames_avg": float(stats["frames_avg"]),
                "lost": int(stats["lost"]), "median_us": float(stats["transit_median_us"]),
                "p90_us": float(stats["transit_p90_us"])}
    finally:
        server.terminate()
        server.wait(timeout=10)


def make_clip(shared, path):
    frames = int((WARMUP_S + WINDOW_S + 8) * FPS)
    subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + os.path.join(shared, "media", "zidane.jpg"),
                    "!", "jpegdec", "!", "videoconvert", "!", "videoscale", "!",
                    "video/x-raw,format=I420,width=640,height=480", "!", "imagefreeze", "num-buffers=%d" % frames,
                    "!", "video/x-raw,framerate=%d/1" % FPS, "!", "jpegenc", "quality=85", "!", "matroskamux",
                    "!", "filesink", "location=" + path], check=True)
    return os.path.getsize(path) // frames


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    client_binary = sys.argv[1]
    configs = [tuple(int(x) for x in a.split("x")) for a in sys.argv[2:]] or [(4, 3), (8, 7)]
    shared = os.environ.get("MEET_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "clip.mkv")
        frame_bytes = make_clip(shared, clip)
        expected = int(WINDOW_S * FPS)
        print("640x480 %d fps JPEG (~%d bytes a frame) + 48 kHz L16 per participant, %.0f s window (%d frames "
              "expected per reader), %d cores" % (FPS, frame_bytes, WINDOW_S, expected, os.cpu_count()))
        print("%5s | %-52s | %-30s | %s" % ("PxR", "relay cpu-s us/stream-s frames min/avg lost transit med/p90",
                                           "own pads cpu-s us/stream-s frames min/avg lost", "cpu ratio relay/own"))
        for publishers, readers in configs:
            relay = run_one(client_binary, "relay", publishers, readers, clip, frame_bytes)
            own = run_one(client_binary, "own", publishers, readers, clip, frame_bytes)
            forwarded = publishers * 2 * readers * WINDOW_S   # stream-seconds sent in the window

            def fmt(r, width, transit):
                if not r:
                    return "%-*s" % (width, "failed")
                text = "%6.2f %7.0f  %4d/%6.1f %4d" % (r["cpu"], r["cpu"] * 1e6 / forwarded, r["frames_min"],
                                                       r["frames_avg"], r["lost"])
                if transit:
                    text += "  %5.0f/%5.0f us" % (r["median_us"], r["p90_us"])
                return "%-*s" % (width, text)
            ratio = "%.2f" % (relay["cpu"] / own["cpu"]) if relay and own and own["cpu"] else "-"
            print("%2dx%-2d | %s | %s | %s" % (publishers, readers, fmt(relay, 52, True), fmt(own, 30, False), ratio),
                  flush=True)


if __name__ == "__main__":
    main()
