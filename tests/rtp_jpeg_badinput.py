#!/usr/bin/env python3
"""Bad input never crashes, hangs or garbles.

meetjpegdepay is fed real RTP JPEG streams (from meetjpegpay) spoiled in one way per case:
truncated, oversized, random, duplicated and reordered packets. Every frame that comes out must be
one of the sent images, decoded by jpegdec bit for bit, and the counters must account for the rest.
meetjpegpay is fed non-JPEG data and JPEGs RFC 2435 cannot carry, and must stop with a clear error.
"""
import random
import struct
import sys

import numpy as np

from rtp_jpeg_util import PipelineError, cjpeg, decode, encode_jpegs, require, run_pipeline

RTP_CAPS = 'application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26'
WIDTH, HEIGHT = 160, 120


def packetize(jpegs, mtu=400):
    return [data for data, _ in run_pipeline('appsrc name=src ! meetjpegpay mtu=%d ! appsink name=sink' % mtu,
                                             jpegs, 'image/jpeg,width=%d,height=%d,framerate=30/1' % (WIDTH, HEIGHT))]


def rtp_fields(packet):
    """(seq, timestamp, marker) of an RTP packet."""
    return struct.unpack('>H', packet[2:4])[0], struct.unpack('>I', packet[4:8])[0], bool(packet[1] & 0x80)


def with_seq(packet, seq):
    return packet[:2] + struct.pack('>H', seq & 0xffff) + packet[4:]


def renumber(packets):
    """Fresh consecutive sequence numbers, so only the RFC 2435 layer can notice the damage."""
    first = rtp_fields(packets[0])[0]
    return [with_seq(p, first + i) for i, p in enumerate(packets)]


def depayload(packets):
    """Runs the packets through meetjpegdepay ! jpegdec; returns (decoded frames, counters)."""
    holder = {}
    frames = run_pipeline('appsrc name=src ! meetjpegdepay name=depay ! jpegdec ! appsink name=sink',
                          packets, RTP_CAPS, on_pipeline=lambda p: holder.setdefault('depay', p.get_by_name('depay')))
    depay = holder['depay']
    counters = {name: depay.get_property(name) for name in ('frames-completed', 'frames-dropped', 'packets-dropped')}
    return [np.frombuffer(data, dtype=np.uint8) for data, _ in frames], counters


def main():
    require('cjpeg')
    rng = random.Random(2435)
    jpegs = encode_jpegs(WIDTH, HEIGHT, 85, count=6)
    reference = [frame for frame, _ in decode(jpegs)]
    packets = packetize(jpegs)
    by_frame = []
    for p in packets:
        if not by_frame or rtp_fields(p)[1] != rtp_fields(by_frame[-1][-1])[1]:
            by_frame.append([])
        by_frame[-1].append(p)
    assert len(by_frame) == len(jpegs) and all(len(f) >= 3 for f in by_frame)
    header = packets[0][:12]
    other_ts = header[:4] + bytes([0, 0, 0, 9]) + header[8:12]

    def spoil_frames(spoiler, frames=(1, 3)):
        out = []
        for i, frame in enumerate(by_frame):
            out += spoiler(list(frame)) if i in frames else frame
        return out

    cases = {
        # frames 1 and 3 damaged, the others intact
        'truncated': (spoil_frames(lambda f: [f[0][:12 + rng.randrange(0, 12 + 140)]] + f[1:]), 2),
        'truncated-middle': (spoil_frames(lambda f: f[:1] + [f[1][:len(f[1]) // 2]] + f[2:]), 2),
        'missing-middle': (renumber(spoil_frames(lambda f: f[:1] + f[2:])), 2),
        'missing-last': (renumber(spoil_frames(lambda f: f[:-1])), 2),
        'duplicated-same-seq': (spoil_frames(lambda f: f[:2] + [f[1]] + f[2:]), 0),
        'duplicated-new-seq': (renumber(spoil_frames(lambda f: f[:2] + [f[1]] + f[2:])), 2),
        'reordered': (spoil_frames(lambda f: [f[0], f[2], f[1]] + f[3:]), 2),
        'reordered-new-seq': (renumber(spoil_frames(lambda f: [f[0], f[2], f[1]] + f[3:])), 2),
        'random-payloads': (renumber(spoil_frames(
            lambda f: f + [other_ts +
                           bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600))) for _ in range(5)])), 2),
        'random-packets': ([bytes(rng.randrange(256) for _ in range(rng.randrange(0, 1500))) for _ in range(200)]
                           + packets, None),
        # 300 packets of 60000 bytes at contiguous offsets: over the 16 MiB cap, never completed
        'oversized': (renumber([other_ts + bytes([0, (o >> 16) & 0xff, (o >> 8) & 0xff, o & 0xff, 1, 255, 20, 15])
                                + (bytes([0, 0, 0, 128]) + bytes(range(128)) if o == 0 else b'') + bytes(60000)
                                for o in (i * 60000 for i in range(300))] + packets), 1),
    }

    failures = 0
    for name, (stream, expected_drops) in cases.items():
        try:
            frames, counters = depayload(stream)
        except PipelineError as e:
            print('FAIL %s: pipeline error %s' % (name, e))
            failures += 1
            continue
        # Every output frame decodes (jpegdec pushed it) and is one of the images sent, unchanged.
        garbled = sum(1 for f in frames if not any(np.array_equal(f, r) for r in reference))
        ok = (garbled == 0 and len(frames) == counters['frames-completed'] and
              (expected_drops is None or counters['frames-dropped'] == expected_drops) and
              len(frames) >= len(reference) - (expected_drops or 0) - (1 if expected_drops is None else 0))
        print('%s %s: %d frames out, %d garbled, %s' % ('ok  ' if ok else 'FAIL', name, len(frames), garbled, counters))
        failures += not ok

    # meetjpegpay: not a JPEG, and JPEGs RFC 2435 cannot carry.
    caps = 'image/jpeg,width=96,height=64,framerate=30/1'
    for name, data, expected in [
            ('not a JPEG', b'\x89PNG\r\n\x1a\n' + bytes(100), 'not a JPEG'),
            ('progressive', cjpeg(96, 64, '-progressive'), 'progressive'),
            ('4:4:4', cjpeg(96, 64, '-sample 1x1'), '4:4:4'),
            ('greyscale', cjpeg(96, 64, '-grayscale'), '3 components'),
            ('arithmetic', cjpeg(96, 64, '-arithmetic'), 'arithmetic'),
            ('optimized Huffman', cjpeg(96, 64, '-optimize'), 'Huffman'),
            ('truncated', jpegs[0][:100], 'truncated')]:
        try:
            run_pipeline('appsrc name=src ! meetjpegpay ! fakesink', [data], caps)
            print('FAIL meetjpegpay accepted %s' % name)
            failures += 1
        except PipelineError as e:
            ok = expected in str(e)
            print('%s meetjpegpay refuses %s: %s' % ('ok  ' if ok else 'FAIL', name, str(e).split(' (')[0]))
            failures += not ok
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
