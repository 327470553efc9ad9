#!/usr/bin/env python3
"""yoloblur benchmark: a real photo looped live at 30 fps through yoloblur (yolov5n, OpenCV DNN).

For 720p and 1080p, runs our design (async worker, interval=0) and the naive one (inference in the
streaming thread every 10th frame: async=false interval=10) and prints, for each:
  output fps, added per-frame latency (median and p99, from pad probes on yoloblur's sink and src
  pads), and detections refreshed per second.
Targets: output fps == input fps, p99 added latency < 10 ms, >= 5 detections/s.

Usage: yoloblur_bench.py [seconds-per-run]   (env: MEET_SHARED_DIR, MEET_MODEL_DIR)
"""
import os
import statistics
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

FPS = 30
SIZES = [(1280, 720), (1920, 1080)]
DESIGNS = [("ours (async, interval=0)", "async=true interval=0"),
           ("naive (sync, interval=10)", "async=false interval=10")]


def run(photo, model, width, height, properties, seconds):
    # videoconvert from the decoder's I420 gives yoloblur fresh, writable BGRx frames, as a
    # camera followed by videoconvert would.
    pipeline = Gst.parse_launch(
        f'filesrc location="{photo}" ! jpegdec ! videoscale ! '
        f'video/x-raw,width={width},height={height},pixel-aspect-ratio=1/1 ! '
        f'imagefreeze is-live=true ! video/x-raw,framerate={FPS}/1 ! videoconvert ! '
        f'video/x-raw,format=BGRx ! '
        f'yoloblur name=blur model="{model}" {properties} ! fakesink name=sink sync=true')
    blur = pipeline.get_by_name("blur")
    entered = {}
    latencies = []
    outputs = []
    warmup_until = [None]

    def on_sink(_pad, info):
        entered[info.get_buffer().pts] = time.perf_counter()
        return Gst.PadProbeReturn.OK

    def on_src(_pad, info):
        now = time.perf_counter()
        start = entered.pop(info.get_buffer().pts, None)
        if warmup_until[0] is not None and now >= warmup_until[0] and start is not None:
            latencies.append((now - start) * 1000)
            outputs.append(now)
        return Gst.PadProbeReturn.OK

    blur.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_sink)
    blur.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_src)

    detections = []
    errors = []
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    begin = time.perf_counter()
    warmup_until[0] = begin + 2.0
    end = warmup_until[0] + seconds
    while time.perf_counter() < end:
        message = bus.timed_pop_filtered(50 * Gst.MSECOND,
                                         Gst.MessageType.ELEMENT | Gst.MessageType.ERROR)
        if message is None:
            continue
        if message.type == Gst.MessageType.ERROR:
            errors.append(message.parse_error()[0].message)
            break
        if message.get_structure().get_name() == "yoloblur" and \
                time.perf_counter() >= warmup_until[0]:
            detections.append(time.perf_counter())
    pipeline.set_state(Gst.State.NULL)
    if errors:
        raise SystemExit(f"pipeline error: {errors[0]}")

    measured = seconds
    latencies.sort()
    return {
        "fps": len(outputs) / measured,
        "median": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies else float("nan"),
        "detections": len(detections) / measured,
    }


def main():
    Gst.init(None)
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    shared = os.environ.get("MEET_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                            "shared"))
    model_dir = os.environ.get("MEET_MODEL_DIR", os.path.join(shared, "models"))
    model = os.path.join(model_dir, "yolov5n.onnx")
    photo = os.path.join(shared, "media", "zidane.jpg")
    if Gst.ElementFactory.find("yoloblur") is None:
        raise SystemExit("yoloblur not found: run through `meson test --benchmark` or "
                         "`meson devenv`")

    print(f"yoloblur benchmark: {os.path.basename(photo)} looped live at {FPS} fps, "
          f"{os.path.basename(model)}, {os.cpu_count()} cores, {seconds:.0f} s per run, "
          f"load average {os.getloadavg()[0]:.1f} (figures are only comparable on an idle machine)")
    print(f"{'input':>9} {'design':<27} {'out fps':>8} {'lat med':>8} {'lat p99':>8} "
          f"{'det/s':>6}")
    for width, height in SIZES:
        results = []
        for name, properties in DESIGNS:
            r = run(photo, model, width, height, properties, seconds)
            results.append(r)
            print(f"{height:>4}p{FPS:<4} {name:<27} {r['fps']:>8.1f} {r['median']:>6.2f}ms "
                  f"{r['p99']:>6.2f}ms {r['detections']:>6.1f}", flush=True)
        ours, naive = results
        print(f"{height:>4}p{FPS:<4} {'ours / naive':<27} {ours['fps'] / naive['fps']:>8.2f} "
              f"{ours['median'] / naive['median']:>8.2f} {ours['p99'] / naive['p99']:>8.2f} "
              f"{ours['detections'] / max(naive['detections'], 1e-9):>6.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
