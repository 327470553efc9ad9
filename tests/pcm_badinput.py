#!/usr/bin/env python3
"""Bad input over UDP into udpsrc ! meetpcmdepay: truncated, odd-length, random and reordered packets
among good ones. The pipeline must post no error, keep delivering the good audio, and count the drops
and losses in its properties."""
import random
import socket
import struct
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, Gst  # noqa: E402,F401 (Gio wraps udpsrc's GSocket)

FRAME_BYTES = 4  # stereo S16BE
FRAMES = 160


def rtp(seq, payload, pt=96):
    return struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, (seq * FRAMES) & 0xFFFFFFFF, 0x1234) + payload


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    Gst.init(None)
    pipeline = Gst.parse_launch(
        "udpsrc name=src address=127.0.0.1 port=0 caps=\"application/x-rtp,media=audio,"
        "encoding-name=L16,clock-rate=8000,encoding-params=(string)2,payload=96\" ! "
        "meetpcmdepay name=depay ! appsink name=out emit-signals=true sync=false")
    received = []

    def on_sample(sink):
        buf = sink.emit("pull-sample").get_buffer()
        received.append((buf.get_size(), bool(buf.get_flags() & Gst.BufferFlags.DISCONT)))
        return Gst.FlowReturn.OK

    pipeline.get_by_name("out").connect("new-sample", on_sample)
    # A live source: PLAYING completes only once data flows, but udpsrc has its socket from READY on.
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        fail("pipeline did not start")
    port = pipeline.get_by_name("src").get_property("used-socket").get_local_address().get_port()

    rng = random.Random(7)
    good = bytes(FRAMES * FRAME_BYTES)
    packets = [rtp(seq, good) for seq in range(10)]          # 10 good
    packets += [rtp(10, good)[:8], rtp(10, good)[:12 + 5]]   # truncated header, truncated payload
    packets += [rtp(11, good + b"\x00"), rtp(12, good[:2])]  # odd length, half a frame
    # Random datagrams that are not RTP version 2 (the harness test also feeds random version-2 ones).
    for _ in range(50):
        noise = bytearray(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        noise[0] = rng.choice((0x00, 0x40, 0xC0)) | noise[0] & 0x3F
        packets.append(bytes(noise))
    packets += [rtp(seq, good) for seq in (13, 15, 14, 16)]  # 14 arrives late
    packets += [rtp(seq, good) for seq in range(20, 30)]     # after a gap of 17-19
    expected_good = 10 + 3 + 10  # 13, 15, 16 and 20-29; late 14 and the random packets aside

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for packet in packets:
            sock.sendto(packet, ("127.0.0.1", port))
            time.sleep(0.001)

    depay = pipeline.get_by_name("depay")
    deadline = time.monotonic() + 10
    while len(received) < expected_good and time.monotonic() < deadline:
        time.sleep(0.05)
    # Anything late would arrive within this.
    time.sleep(0.2)
    error = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
    counters = {name: depay.get_property(name)
                for name in ("packets-accepted", "packets-bad-length", "packets-lost")}
    pipeline.set_state(Gst.State.NULL)

    if error:
        fail(f"pipeline error: {error.parse_error()[0].message}")
    print("counters:", counters, "buffers:", len(received))
    if any(size % FRAME_BYTES for size, _ in received):
        fail("an output buffer holds a partial frame")
    if sum(size for size, _ in received[-10:]) != 10 * FRAMES * FRAME_BYTES:
        fail("the good packets after the bad ones did not all come out")
    if counters["packets-bad-length"] < 2:
        fail("odd-length and half-frame packets were not counted as bad length")
    if counters["packets-lost"] < 3:
        fail("the gap 17-19 was not counted as loss")
    if not received[-10][1]:
        fail("the first buffer after the gap is not DISCONT")
    if any(discont for _, discont in received[-9:]):
        fail("DISCONT on a buffer that follows on without a gap")
    print("ok")


if __name__ == "__main__":
    main()
