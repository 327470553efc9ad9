#!/usr/bin/python3
"""Network fault tests (suite `faults`): meetrtspsink -> tests/relay.py -> an RTSP client with
meetstream's depayloaders, one scenario per invocation:
    test_faults.py udp|tcp [rtspsrc|meetrtspsrc]
    udp    RTP/RTCP over UDP through the relay: 5% loss, 50 +- 20 ms jitter, reordering,
           duplication and a 2 s outage (seeded: the same run every time)
    tcp    TCP interleaved through the relay, which stalls the connection for 2 s
The client is GStreamer's rtspsrc (the default) or our meetrtspsrc.
The server sends a video that blinks black/white every frame and audio that ticks once a second, both
starting together. The client must keep playing after the faults, never decode a garbled frame (jpegdec
posts no warning and every frame is uniformly black or white), report the losses it saw, and keep audio
in sync with video (each tick starts where the video changes colour). Exits 77 when meetrtspsink is not
built.
"""
import statistics
import sys
import time

import numpy

from meetrtsp import Gst, Server, has_element, log, require_elements
from relay import Impairment, RtspRelay

FRAMERATE = 2             # frames a second: one colour change every 500 ms, so sync is unambiguous
RATE = 16000
RUN_SECONDS = 16
OUTAGE_START, OUTAGE_SECONDS = 6.0, 2.0
WIDTH, HEIGHT = 160, 120


class Client:
    """rtspsrc -> depayloaders -> jpegdec / raw audio into appsinks, recording what it decodes.

    The jitterbuffers run in `synced` mode: timestamps follow the sender's RTP timestamps (server and
    client share this machine's clock), so the offsets measured are the server's. The default `slave`
    mode re-derives them from arrival times and skews audio and video differently for a few seconds
    after a 2 s stall, which would measure rtspsrc rather than meetrtspsink.
    """

    def __init__(self, url, protocol, source="rtspsrc"):
        jpegdepay = "meetjpegdepay" if has_element("meetjpegdepay") else "rtpjpegdepay"
        pcmdepay = "meetpcmdepay" if has_element("meetpcmdepay") else "rtpL16depay"
        if source == "rtspsrc":
            source_line = (f"rtspsrc name=src location={url} protocols={protocol} latency=400 "
                           "buffer-mode=synced timeout=10000000 ")
        else:
            # meetrtspsrc's largest jitter buffer; a no-data timeout longer than the outage, so that
            # it rides the outage out instead of reconnecting.
            source_line = (f"meetrtspsrc name=src location={url} protocols={protocol} latency=200 "
                           "buffer-mode=none timeout=10000 ")
        self.source = source
        self.pipeline = Gst.parse_launch(
            source_line +
            f"src. ! application/x-rtp,media=video ! {jpegdepay} ! jpegdec name=dec ! videoconvert ! "
            f"video/x-raw,format=GRAY8 ! appsink name=video emit-signals=true sync=false "
            f"src. ! application/x-rtp,media=audio ! {pcmdepay} ! audioconvert ! "
            f"audio/x-raw,format=S16LE,channels=1 ! appsink name=audio emit-signals=true sync=false")
        self.frames = []          # (pts seconds, mean luma, luma spread)
        self.ticks = []           # onset pts seconds
        self.audio_end = None
        self.warnings = []
        self.errors = []
        self.jitterbuffers = []
        self.pipeline.get_by_name("video").connect("new-sample", self._on_video)
        self.pipeline.get_by_name("audio").connect("new-sample", self._on_audio)
        if source == "rtspsrc":
            self.pipeline.get_by_name("src").connect("new-manager", self._on_manager)
        self._in_tick = False

    def _on_manager(self, _src, manager):
        manager.connect("new-jitterbuffer", lambda _bin, jb, _session, _ssrc: self.jitterbuffers.append(jb))

    def _on_video(self, sink):
        sample = sink.emit("pull-sample")
        buffer = sample.get_buffer()
        caps = sample.get_caps().get_structure(0)
        width, height = caps.get_value("width"), caps.get_value("height")
        ok, info = buffer.map(Gst.MapFlags.READ)
        if ok:
            stride = len(info.data) // height
            luma = numpy.frombuffer(info.data, numpy.uint8).reshape(height, stride)[:, :width]
            self.frames.append((buffer.pts / Gst.SECOND, float(luma.mean()), float(luma.std())))
            buffer.unmap(info)
        return Gst.FlowReturn.OK

    def _on_audio(self, sink):
        sample = sink.emit("pull-sample")
        buffer = sample.get_buffer()
        ok, info = buffer.map(Gst.MapFlags.READ)
        if ok:
            samples = numpy.frombuffer(info.data, numpy.int16)
            loud = numpy.flatnonzero(numpy.abs(samples.astype(numpy.int32)) > 3000)
            start = buffer.pts / Gst.SECOND
            if len(loud) == 0:
                self._in_tick = False
            else:
                # A tick is ~23 ms of sine once a second; its onset is the first loud sample after silence.
                previous_end = self.audio_end
                contiguous = previous_end is not None and abs(previous_end - start) < 0.002
                if not (self._in_tick and contiguous) and (loud[0] > 0 or contiguous):
                    self.ticks.append(start + loud[0] / RATE)
                self._in_tick = loud[-1] > len(samples) - 8
            self.audio_end = start + len(samples) / RATE
            buffer.unmap(info)
        return Gst.FlowReturn.OK

    def run(self, seconds, during=None):
        bus = self.pipeline.get_bus()
        self.pipeline.set_state(Gst.State.PLAYING)
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            if during:
                during(time.monotonic() - start)
            message = bus.timed_pop_filtered(50 * Gst.MSECOND, Gst.MessageType.WARNING | Gst.MessageType.ERROR)
            if message is None:
                continue
            name = message.src.get_name() if message.src else "?"
            if message.type == Gst.MessageType.ERROR:
                self.errors.append(f"{name}: {message.parse_error()[0].message}")
                break
            # Warnings from the decoder mean it was fed a broken JPEG.
            self.warnings.append(f"{name}: {message.parse_warning()[0].message}")
        if self.source == "rtspsrc":
            lost = sum(jb.get_property("stats").get_value("num-lost") for jb in self.jitterbuffers)
        else:
            lost = self.pipeline.get_by_name("src").get_property("stats").get_value("packets-lost")
        self.pipeline.set_state(Gst.State.NULL)
        return lost


def check(client, scenario, lost):
    failures = []
    decoder_warnings = [w for w in client.warnings if w.startswith("dec:")]
    log(f"{scenario}: {len(client.frames)} frames, {len(client.ticks)} ticks, warnings: {client.warnings or 'none'}")
    if client.errors:
        failures.append(f"the client failed: {client.errors}")
    if decoder_warnings:
        failures.append(f"jpegdec warned (broken JPEG reached it): {decoder_warnings}")
    garbled = [f for f in client.frames if f[2] > 12 or 40 < f[1] < 215]
    if garbled:
        failures.append(f"{len(garbled)} decoded frames are not a clean black or white: {garbled[:3]}")
    if not client.frames:
        failures.append("no frame was decoded")
        return failures, 0

    # Keeps playing: frames arrive in the last seconds, well after the outage or stall.
    first_pts, last_pts = client.frames[0][0], client.frames[-1][0]
    log(f"{scenario}: video from {first_pts:.2f} s to {last_pts:.2f} s of stream time")
    if last_pts - first_pts < RUN_SECONDS - 6:
        failures.append(f"video stopped: only {last_pts - first_pts:.1f} s of it in a {RUN_SECONDS} s run")

    log(f"{scenario}: the client reports {lost} packets lost")

    # A/V sync: each tick onset against the colour change nearest to it (changes come every 500 ms, so
    # any offset under 250 ms is measured unambiguously).
    changes = [b[0] for a, b in zip(client.frames, client.frames[1:])
               if abs(b[0] - a[0] - 1.0 / FRAMERATE) < 0.05 and (a[1] < 128) != (b[1] < 128)]
    offsets = []
    for tick in client.ticks:
        if tick < first_pts + 2.0:
            continue                    # before the first RTCP sender reports aligned the streams
        nearest = min(changes, key=lambda c: abs(c - tick), default=None)
        if nearest is not None and abs(nearest - tick) < 0.25:
            offsets.append(tick - nearest)
    log(f"{scenario}: audio-video offsets (ms): {[round(o * 1000) for o in offsets]}")
    if len(offsets) < 4:
        failures.append(f"only {len(offsets)} ticks could be matched with a colour change")
    elif abs(statistics.median(offsets)) > 0.08 or max(abs(o) for o in offsets) > 0.15:
        failures.append(f"audio and video are out of sync: median {statistics.median(offsets) * 1000:.0f} ms, "
                        f"worst {max(offsets, key=abs) * 1000:.0f} ms")
    return failures, lost


def run_udp(source):
    impairment = Impairment(seed=6, loss=0.05, delay=0.05, jitter=0.02, reorder=0.02, reorder_delay=0.03,
                            duplicate=0.02, outage_start=OUTAGE_START, outage_duration=OUTAGE_SECONDS)
    with Server(width=WIDTH, height=HEIGHT, framerate=FRAMERATE) as server, \
            RtspRelay(server.port, impairment) as relay:
        client = Client(relay.url(server.path), "udp", source)
        lost = client.run(RUN_SECONDS)
        counters = relay.stats()
        log(f"udp: relay {counters}")
        failures, _ = check(client, "udp", lost)
        if counters.lost + counters.outage_dropped == 0:
            failures.append("the relay dropped nothing: the test did not test anything")
        if lost == 0:
            failures.append("the client reported no loss although the relay dropped "
                            f"{counters.lost + counters.outage_dropped} packets")
        return failures


def run_tcp(source):
    with Server(width=WIDTH, height=HEIGHT, framerate=FRAMERATE) as server, \
            RtspRelay(server.port, tcp_only=True) as relay:
        client = Client(relay.url(server.path), "tcp", source)
        stalled = []

        def stall(elapsed):
            if not stalled and elapsed > OUTAGE_START:
                stalled.append(elapsed)
                relay.stall(OUTAGE_SECONDS)
        lost = client.run(RUN_SECONDS, during=stall)
        failures, _ = check(client, "tcp", lost)
        if not stalled:
            failures.append("the relay never stalled")
        return failures


if __name__ == "__main__":
    source = sys.argv[2] if len(sys.argv) > 2 else "rtspsrc"
    require_elements("meetrtspsink", source, "jpegdec")
    failures = {"udp": run_udp, "tcp": run_tcp}[sys.argv[1]](source)
    for failure in failures:
        log("FAIL: " + failure)
    sys.exit(1 if failures else 0)
