#!/usr/bin/env python3
"""Bit-exact interop of meetjpegpay/meetjpegdepay with GStreamer's rtpjpegpay/rtpjpegdepay.

For every case, the JPEG images are decoded directly (appsrc ! jpegdec) and after an RTP round trip
through each pair (ours -> theirs, theirs -> ours, ours -> ours); the decoded frames must be equal
byte for byte (numpy). Cases cover sizes 8x8 .. 4096x2160, qualities 1..100, 4:2:0 and 4:2:2,
restart intervals (cjpeg -restart) and mtu 576..9000.

Usage: rtp_jpeg_interop.py [small|large|restart]   (one group per meson test, all by default)
"""
import sys

import numpy as np

from rtp_jpeg_util import cjpeg, decode, encode_jpegs, require

PAIRS = [
    ('meetjpegpay', 'rtpjpegdepay'),
    ('rtpjpegpay', 'meetjpegdepay'),
    ('meetjpegpay', 'meetjpegdepay'),
]


def jpegenc_case(width, height, quality, fmt='I420', count=2):
    return ('jpegenc %s %dx%d q%d' % (fmt, width, height, quality),
            encode_jpegs(width, height, quality, count=count, fmt=fmt), width, height)


def cjpeg_case(width, height, options):
    return ('cjpeg %s %dx%d' % (options, width, height), [cjpeg(width, height, options)], width, height)


def cases(group):
    if group == 'small':
        yield jpegenc_case(8, 8, 75)
        yield jpegenc_case(16, 16, 1)
        yield jpegenc_case(64, 48, 100, 'Y42B')
        for quality in (1, 5, 25, 50, 75, 99, 100):
            yield jpegenc_case(320, 240, quality)
        yield jpegenc_case(640, 480, 85, 'Y42B')
    elif group == 'large':
        yield jpegenc_case(1280, 720, 90)
        yield jpegenc_case(2040, 2040, 50, count=1)
        yield jpegenc_case(2048, 1080, 75, count=1)
        yield jpegenc_case(4096, 2160, 60, count=1)
    elif group == 'restart':
        yield cjpeg_case(320, 240, '-sample 2x2 -restart 1 -quality 75')
        yield cjpeg_case(320, 240, '-sample 2x1 -restart 3B -quality 99')
        yield cjpeg_case(640, 480, '-sample 2x2 -restart 1B -quality 100')
        yield cjpeg_case(2048, 1088, '-sample 2x2 -restart 2 -quality 40')


def main():
    require('cjpeg')
    groups = sys.argv[1:] or ['small', 'large', 'restart']
    failures = 0
    checked = 0
    mtus = [576, 1400, 9000]
    for group in groups:
        for n, (name, jpegs, width, height) in enumerate(cases(group)):
            caps = 'image/jpeg,width=%d,height=%d,framerate=30/1' % (width, height)
            reference = decode(jpegs, caps=caps)
            assert len(reference) == len(jpegs), name
            for p, (pay, depay) in enumerate(PAIRS):
                mtu = mtus[(n + p) % len(mtus)]
                chain = '%s mtu=%d ! %s' % (pay, mtu, depay)
                try:
                    got = decode(jpegs, chain, caps)
                except Exception as e:  # noqa: BLE001 - report every case, then fail
                    print('FAIL %s via %s: %s' % (name, chain, e))
                    failures += 1
                    continue
                ok = len(got) == len(reference) and all(
                    np.array_equal(a, b) and a_caps.is_equal(b_caps)
                    for (a, a_caps), (b, b_caps) in zip(got, reference))
                checked += 1
                print('%s %s via %s: %d frames' % ('ok  ' if ok else 'FAIL', name, chain, len(got)))
                if not ok:
                    failures += 1
    print('%d round trips checked, %d failed' % (checked, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
