#!/usr/bin/env python3
"""Throughput of meetpcmpay ! meetpcmdepay against GStreamer's rtpL16pay ! rtpL16depay, as fast as the
CPU allows (no clock), at 48 kHz stereo with 20 ms packets and at 192 kHz 8 channels filling the MTU.
Prints audio seconds processed per wall-clock second for each and ours/theirs."""
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

SECONDS_OF_AUDIO = 60
RUNS = 3


def throughput(pay, depay, rate, channels):
    buffers = SECONDS_OF_AUDIO * 50
    pipeline = Gst.parse_launch(
        f"audiotestsrc wave=silence num-buffers={buffers} samplesperbuffer={rate // 50} ! "
        f"audio/x-raw,format=S16BE,rate={rate},channels={channels} ! {pay} ! {depay} ! "
        "fakesink sync=false")
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


def main():
    Gst.init(None)
    for rate, channels, pay_args in [(48000, 2, "ptime=20000000"), (192000, 7, ""), (192000, 8, "")]:
        ours = throughput(f"meetpcmpay {pay_args}", "meetpcmdepay", rate, channels)
        rtp_l16_pay_args = "min-ptime=20000000 max-ptime=20000000" if pay_args else ""
        theirs = throughput(f"rtpL16pay {rtp_l16_pay_args}", "rtpL16depay", rate, channels)
        print(f"L16 {rate} Hz {channels} ch: meetpcmpay!meetpcmdepay {ours:.0f}x realtime, "
              f"rtpL16pay!rtpL16depay {theirs:.0f}x realtime, ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
