#!/usr/bin/env python3
"""Interop of meetpcmpay/meetpcmdepay with GStreamer's rtpL16pay/rtpL16depay and with ffmpeg.

Usage: pcm_interop.py gst | ffmpeg-send | ffmpeg-receive
  gst             white noise through meetpcmpay ! rtpL16depay, rtpL16pay ! meetpcmdepay and our own pair
                  at several rates and channel counts must come out sample-identical to the input.
  ffmpeg-send     ffmpeg sends RTP L16 (described by its -sdp_file) to udpsrc ! meetpcmdepay; the samples
                  must equal ffmpeg's own decoding of the same source.
  ffmpeg-receive  ffmpeg receives meetpcmpay's stream from an SDP we write; its output must be a contiguous
                  run of the samples we sent.
All traffic stays on 127.0.0.1; every wait is bounded.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, Gst, GstSdp  # noqa: E402,F401 (Gio wraps udpsrc's GSocket)
import numpy as np  # noqa: E402

TIMEOUT_S = 30


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


class Collector:
    """Gathers every buffer an appsink receives."""

    def __init__(self, sink):
        self.chunks = []
        self.caps = None
        sink.set_property("emit-signals", True)
        sink.set_property("sync", False)
        sink.connect("new-sample", self._on_sample)

    def _on_sample(self, sink):
        sample = sink.emit("pull-sample")
        self.caps = sample.get_caps()
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        self.chunks.append(bytes(info.data))
        buf.unmap(info)
        return Gst.FlowReturn.OK

    def samples(self):
        return np.frombuffer(b"".join(self.chunks), dtype=">i2")


def run_to_eos(pipeline):
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(TIMEOUT_S * Gst.SECOND,
                                                Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if msg is None:
        fail(f"no EOS within {TIMEOUT_S} s")
    if msg.type == Gst.MessageType.ERROR:
        err, debug = msg.parse_error()
        fail(f"pipeline error: {err.message} ({debug})")


def check_gst_pairs():
    formats = [(8000, 1), (44100, 1), (44100, 2), (48000, 2), (22050, 3), (32000, 4), (16000, 5),
               (96000, 6), (11025, 7), (192000, 8)]
    # What each pair must deliver: the input itself, or for rtpL16depay what GStreamer's own pair
    # delivers (rtpL16depay labels named layouts without reordering them to GStreamer's order).
    pairs = [("meetpcmpay", "rtpL16depay", "rtpL16pay ! rtpL16depay"),
             ("rtpL16pay", "meetpcmdepay", None),
             ("meetpcmpay", "meetpcmdepay", None),
             ("meetpcmpay ptime=10000000 mtu=600", "meetpcmdepay", None)]
    for rate, channels in formats:
        for pay, depay, reference in pairs:
            pipeline = Gst.parse_launch(
                "audiotestsrc wave=white-noise num-buffers=12 samplesperbuffer=777 ! "
                f"audio/x-raw,format=S16BE,rate={rate},channels={channels} ! tee name=t "
                f"t. ! queue ! {reference or 'identity'} ! appsink name=ref "
                f"t. ! queue ! {pay} ! {depay} ! appsink name=out")
            ref = Collector(pipeline.get_by_name("ref"))
            out = Collector(pipeline.get_by_name("out"))
            run_to_eos(pipeline)
            expected, got = ref.samples(), out.samples()
            label = f"{pay} ! {depay} at {rate} Hz, {channels} channels"
            if len(expected) != 12 * 777 * channels:
                fail(f"{label}: reference has {len(expected)} samples")
            if len(got) != len(expected) or not np.array_equal(expected, got):
                fail(f"{label}: output differs from {reference or 'the input'} "
                     f"({len(got)} vs {len(expected)} samples)")
            if reference is None:
                out_s = out.caps.get_structure(0)
                if out_s.get_value("rate") != rate or out_s.get_value("channels") != channels:
                    fail(f"{label}: output caps {out.caps.to_string()}")
            print(f"ok: {label}")


def udpsrc_port(udpsrc):
    """The port the OS gave udpsrc (bound to port 0)."""
    return udpsrc.get_property("used-socket").get_local_address().get_port()


def ffmpeg_source(rate, channels):
    return ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={rate}:duration=1",
            "-af", f"pan={'stereo|c0=c0|c1=0.5*c0' if channels == 2 else 'mono|c0=c0'}"]


def check_ffmpeg_send():
    for rate, channels in [(44100, 2), (48000, 1), (16000, 2)]:
        label = f"ffmpeg -> meetpcmdepay at {rate} Hz, {channels} channels"
        expected = np.frombuffer(subprocess.run(
            ["ffmpeg", "-v", "error", *ffmpeg_source(rate, channels), "-f", "s16be", "-"],
            check=True, capture_output=True, timeout=TIMEOUT_S).stdout, dtype=">i2")

        pipeline = Gst.parse_launch(
            "udpsrc name=src address=127.0.0.1 port=0 ! capsfilter name=caps ! "
            "meetpcmdepay name=depay ! appsink name=out")
        out = Collector(pipeline.get_by_name("out"))
        pipeline.set_state(Gst.State.PAUSED)
        pipeline.get_state(5 * Gst.SECOND)
        port = udpsrc_port(pipeline.get_by_name("src"))

        with tempfile.TemporaryDirectory() as tmp:
            sdp_path = os.path.join(tmp, "ffmpeg.sdp")
            # -re paces the packets so the loopback socket buffer never overflows.
            sender = subprocess.Popen(
                ["ffmpeg", "-v", "error", "-re", *ffmpeg_source(rate, channels), "-c:a", "pcm_s16be",
                 "-f", "rtp", "-sdp_file", sdp_path, f"rtp://127.0.0.1:{port}"],
                stdin=subprocess.DEVNULL)
            try:
                caps = wait_for_sdp_caps(sdp_path)
                pipeline.get_by_name("caps").set_property("caps", caps)
                pipeline.set_state(Gst.State.PLAYING)
                sender.wait(timeout=TIMEOUT_S)
            finally:
                if sender.poll() is None:
                    sender.kill()
                    sender.wait()
        if sender.returncode != 0:
            fail(f"{label}: ffmpeg exited with {sender.returncode}")
        deadline = time.monotonic() + 5
        while sum(len(c) for c in out.chunks) < 2 * len(expected) and time.monotonic() < deadline:
            time.sleep(0.05)
        bus_error = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        pipeline.set_state(Gst.State.NULL)
        if bus_error:
            fail(f"{label}: {bus_error.parse_error()[0].message}")
        got = out.samples()
        lost = pipeline.get_by_name("depay").get_property("packets-lost")
        # ffmpeg may start sending before the pipeline plays: the first packets can be missed.
        if len(got) == 0 or lost != 0:
            fail(f"{label}: got {len(got)} samples, {lost} packets lost")
        if not np.array_equal(got, expected[len(expected) - len(got):]):
            fail(f"{label}: samples differ from ffmpeg's own decoding")
        s = out.caps.get_structure(0)
        if s.get_value("rate") != rate or s.get_value("channels") != channels:
            fail(f"{label}: output caps {out.caps.to_string()}")
        print(f"ok: {label} ({len(got)} of {len(expected)} samples, caps {caps.to_string()})")


def wait_for_sdp_caps(sdp_path):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if os.path.exists(sdp_path):
            with open(sdp_path) as f:
                text = f.read()
            result, sdp = GstSdp.SDPMessage.new_from_text(text)
            media = sdp.get_media(0) if result == GstSdp.SDPResult.OK and sdp.medias_len() else None
            if media is not None and media.formats_len():
                caps = media.get_caps_from_media(int(media.get_format(0)))
                caps = Gst.Caps.from_string(caps.to_string().replace("application/x-unknown",
                                                                      "application/x-rtp", 1))
                return caps
        time.sleep(0.02)
    fail("ffmpeg wrote no SDP")


def free_even_port():
    """An even UDP port with the next one free too (RTP and RTCP), both bound to check."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port % 2:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a, \
                    socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    fail("no free even UDP port pair")


def port_in_use(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


def check_ffmpeg_receive():
    for rate, channels, pt in [(44100, 2, 10), (44100, 1, 11), (48000, 2, 96), (8000, 1, 96)]:
        label = f"meetpcmpay -> ffmpeg at {rate} Hz, {channels} channels, PT {pt}"
        port = free_even_port()
        with tempfile.TemporaryDirectory() as tmp:
            sdp_path = os.path.join(tmp, "meet.sdp")
            with open(sdp_path, "w") as f:
                f.write("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=meetpcmpay\r\nc=IN IP4 127.0.0.1\r\n"
                        f"t=0 0\r\nm=audio {port} RTP/AVP {pt}\r\n"
                        f"a=rtpmap:{pt} L16/{rate}/{channels}\r\n")
            raw_path = os.path.join(tmp, "out.raw")
            receiver = subprocess.Popen(
                ["ffmpeg", "-v", "error", "-protocol_whitelist", "file,udp,rtp",
                 "-i", sdp_path, "-t", "0.5", "-f", "s16be", "-y", raw_path],
                stdin=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + TIMEOUT_S
                while not port_in_use(port):
                    if time.monotonic() > deadline or receiver.poll() is not None:
                        fail(f"{label}: ffmpeg never listened on {port}")
                    time.sleep(0.02)
                # 1.5 s live, so ffmpeg gets audio at the real rate until it has its half second.
                pipeline = Gst.parse_launch(
                    "audiotestsrc is-live=true wave=white-noise num-buffers=150 "
                    f"samplesperbuffer={rate // 100} ! "
                    f"audio/x-raw,format=S16BE,rate={rate},channels={channels} ! tee name=t "
                    "t. ! queue ! appsink name=ref "
                    f"t. ! queue ! meetpcmpay ptime=10000000 ! udpsink host=127.0.0.1 port={port}")
                ref = Collector(pipeline.get_by_name("ref"))
                run_to_eos(pipeline)
                receiver.wait(timeout=TIMEOUT_S)
                with open(raw_path, "rb") as f:
                    got = np.frombuffer(f.read(), dtype=">i2")
            finally:
                if receiver.poll() is None:
                    receiver.kill()
                    receiver.wait()
        sent = ref.samples()
        if receiver.returncode != 0 or len(got) == 0:
            fail(f"{label}: ffmpeg exited with {receiver.returncode}, {len(got)} samples")
        # ffmpeg joins mid-stream: find where its first samples are in what we sent.
        probe = got[:64]
        starts = [i for i in range(0, len(sent) - len(probe) + 1, channels)
                  if np.array_equal(sent[i:i + len(probe)], probe)]
        if not starts or not np.array_equal(sent[starts[0]:starts[0] + len(got)], got):
            fail(f"{label}: ffmpeg's samples are not a contiguous run of ours")
        print(f"ok: {label} ({len(got)} samples)")


def main():
    Gst.init(None)
    for name in ("meetpcmpay", "meetpcmdepay"):
        if Gst.ElementFactory.find(name) is None:
            fail(f"{name} not found: is GST_PLUGIN_PATH the build tree?")
    mode = sys.argv[1] if len(sys.argv) > 1 else "gst"
    {"gst": check_gst_pairs, "ffmpeg-send": check_ffmpeg_send,
     "ffmpeg-receive": check_ffmpeg_receive}[mode]()


if __name__ == "__main__":
    main()
