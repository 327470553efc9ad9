#!/usr/bin/env python3
"""Throughput of meetpcmpay ! meetpcmdepay against GStreamer's rtpL16pay ! rtpL16depay, as fast as the
CPU allows (no clock), at 48 kHz stereo with 20 ms packets and at 192 kHz 7 and 8 channels filling the MTU.

Prints audio seconds processed per wall-clock second for each and ours/theirs. Wall-clock figures move
with whatever else the machine runs, so when valgrind is installed it also prints instructions per packet
(callgrind, the same pipeline run for two lengths and subtracted so start-up cancels out): repeatable
whatever the load."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

SECONDS_OF_AUDIO = 60
RUNS = 3
CASES = [(48000, 2, "ptime=20000000"), (192000, 7, ""), (192000, 8, "")]


def launch_line(pay, depay, rate, channels, buffers):
    return (f"audiotestsrc wave=silence num-buffers={buffers} samplesperbuffer={rate // 50} ! "
            f"audio/x-raw,format=S16BE,rate={rate},channels={channels} ! {pay} ! {depay} ! "
            "fakesink sync=false")


def throughput(pay, depay, rate, channels):
    pipeline = Gst.parse_launch(launch_line(pay, depay, rate, channels, SECONDS_OF_AUDIO * 50))
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        pipeline.set_state(Gst.State.PLAYING)
        msg = pipeline.get_bus().timed_pop_filtered(120 * Gst.SECOND,
                                                    Gst.MessageType.EOS | Gst.MessageType.ERROR)
        best = min(best, time.perf_counter() - start)
        pipeline.set_state(Gst.State.NULL)
        if msg is None or msg.type != Gst.MessageType.EOS:
            raise SystemExit(f"{pay} ! {depay} did not reach EOS")
    return SECONDS_OF_AUDIO / best


def instructions(pay, depay, rate, channels, buffers):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        "gst-launch-1.0", "-q"] + launch_line(pay, depay, rate, channels, buffers).split(),
                       check=True, capture_output=True)
        with open(out) as f:
            return int(re.search(r"^summary: (\d+)", f.read(), re.M).group(1))


def instructions_per_buffer(pay, depay, rate, channels):
    short, long = 500, 2500
    return (instructions(pay, depay, rate, channels, long)
            - instructions(pay, depay, rate, channels, short)) / (long - short)


def main():
    Gst.init(None)
    # Warm the registry so that the first callgrind run does not pay for a rescan.
    subprocess.run(["gst-inspect-1.0", "meetpcmpay"], capture_output=True)
    count = shutil.which("valgrind") is not None
    if not count:
        print("valgrind not installed: wall-clock figures only", file=sys.stderr)
    for rate, channels, pay_args in CASES:
        their_pay_args = "min-ptime=20000000 max-ptime=20000000" if pay_args else ""
        ours_elements = (f"meetpcmpay {pay_args}", "meetpcmdepay")
        their_elements = (f"rtpL16pay {their_pay_args}", "rtpL16depay")
        ours = throughput(*ours_elements, rate, channels)
        theirs = throughput(*their_elements, rate, channels)
        line = (f"L16 {rate} Hz {channels} ch: meetpcmpay!meetpcmdepay {ours:.0f}x realtime, "
                f"rtpL16pay!rtpL16depay {theirs:.0f}x realtime, ratio {ours / theirs:.2f}")
        if count:
            ours_ir = instructions_per_buffer(*ours_elements, rate, channels)
            their_ir = instructions_per_buffer(*their_elements, rate, channels)
            line += (f"; instructions per 20 ms of input: ours {ours_ir:.0f}, theirs {their_ir:.0f}, "
                     f"cost ratio {ours_ir / their_ir:.3f}")
        print(line, flush=True)


if __name__ == "__main__":
    main()
