#!/usr/bin/env python3
"""ffmpeg as a real RFC 2435 peer, over UDP on 127.0.0.1.

send:    ffmpeg (mjpeg, -f rtp, writes an SDP) -> udpsrc ! meetjpegdepay ! jpegdec
receive: appsrc ! meetjpegpay ! udpsink -> ffmpeg -i our.sdp -c:v copy (JPEG bytes rebuilt by ffmpeg)

The JPEG scan data passes through untouched both ways, so every decoded frame must equal the direct
jpegdec decode of one of the sent images, bit for bit, in order.

Usage: rtp_jpeg_ffmpeg.py send|receive
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import gi
import numpy as np

gi.require_version('Gst', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, Gst  # noqa: E402

from rtp_jpeg_util import (collect_samples, decode, encode_jpegs, free_rtp_port_pair, require,  # noqa: E402
                           run_pipeline)

WIDTH, HEIGHT = 320, 240


def split_mjpeg(path):
    """JPEG images of an ffmpeg -f mjpeg file, split by jpegparse."""
    return [data for data, _ in run_pipeline('filesrc location=%s ! jpegparse ! appsink name=sink' % path)]


def is_ordered_subsequence(frames, reference):
    """Every frame equals a reference frame, in order (UDP may lose some, never garble or reorder)."""
    i = 0
    for frame in frames:
        while i < len(reference) and not np.array_equal(frame, reference[i]):
            i += 1
        if i == len(reference):
            return False
        i += 1
    return True


def bound_udp_socket():
    sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
    sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), False)
    return sock, sock.get_local_address().get_port()


def test_ffmpeg_sends(tmp):
    count = 20
    ref_path = os.path.join(tmp, 'ref.mjpeg')
    # Standard Huffman tables: RFC 2435 receivers cannot be told about others.
    subprocess.run(['ffmpeg', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=%dx%d:rate=25' % (WIDTH, HEIGHT),
                    '-frames:v', str(count), '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-huffman', 'default',
                    '-q:v', '4', '-f', 'mjpeg', ref_path], check=True, timeout=60)
    sent = split_mjpeg(ref_path)
    assert len(sent) == count, len(sent)
    reference = [frame for frame, _ in decode(sent, caps='image/jpeg,framerate=25/1')]

    sock, port = bound_udp_socket()
    sdp = os.path.join(tmp, 'ffmpeg.sdp')
    desc = ('udpsrc name=udp buffer-size=4000000 timeout=2000000000 '
            'caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=JPEG,payload=26" ! '
            'meetjpegdepay name=depay ! jpegdec ! appsink name=sink')
    sender = ['ffmpeg', '-v', 'error', '-y', '-re', '-f', 'mjpeg', '-framerate', '25', '-i', ref_path,
              '-c:v', 'copy', '-f', 'rtp', '-sdp_file', sdp, 'rtp://127.0.0.1:%d' % port]
    out = run_receiver(desc, lambda p: p.get_by_name('udp').set_property('socket', sock), sender)
    received = [np.frombuffer(data, dtype=np.uint8) for data, _ in out['frames']]
    print('ffmpeg -> meetjpegdepay: %d of %d frames, frames-dropped=%d packets-dropped=%d' % (
        len(received), count, out['frames_dropped'], out['packets_dropped']))
    with open(sdp) as f:
        assert 'RTP/AVP 26' in f.read()   # static payload type 26 is JPEG/90000
    assert len(received) >= count // 2, 'too few frames arrived'
    assert is_ordered_subsequence(received, reference), 'a received frame differs from what ffmpeg sent'


def run_receiver(desc, configure, command, timeout=60):
    """Runs a udpsrc pipeline, then `command` (the sender); stops once the sender exited and the
    socket went quiet (udpsrc posts no EOS, only GstUDPSrcTimeout messages)."""
    pipeline = Gst.parse_launch(desc)
    frames = collect_samples(pipeline)
    configure(pipeline)
    pipeline.set_state(Gst.State.PLAYING)
    sender = subprocess.Popen(command)
    bus = pipeline.get_bus()
    deadline = time.monotonic() + timeout
    error = None
    try:
        while time.monotonic() < deadline:
            msg = bus.timed_pop_filtered(200 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.ELEMENT)
            if msg and msg.type == Gst.MessageType.ERROR:
                error = msg.parse_error()[0].message
                break
            if (msg and msg.get_structure() and msg.get_structure().get_name() == 'GstUDPSrcTimeout'
                    and sender.poll() is not None):
                break
        else:
            error = 'timed out'
        depay = pipeline.get_by_name('depay')
        result = {'frames': frames, 'frames_dropped': depay.get_property('frames-dropped'),
                  'packets_dropped': depay.get_property('packets-dropped')}
    finally:
        pipeline.set_state(Gst.State.NULL)
        if sender.poll() is None:
            sender.kill()
        sender.wait()
    if error:
        raise RuntimeError(error)
    assert sender.returncode == 0, 'ffmpeg failed with %s' % sender.returncode
    return result


def udp_port_in_use(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(('127.0.0.1', port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def test_ffmpeg_receives(tmp):
    count, wanted = 40, 10
    sent = encode_jpegs(WIDTH, HEIGHT, 80, count=count)
    reference = [frame for frame, _ in decode(sent, caps='image/jpeg,framerate=30/1')]
    out_path = os.path.join(tmp, 'received.mjpeg')
    sdp = os.path.join(tmp, 'ours.sdp')

    for attempt in range(5):     # the port the OS said was free may be taken before ffmpeg binds it
        port = free_rtp_port_pair()
        with open(sdp, 'w') as f:
            f.write('v=0\no=- 0 0 IN IP4 127.0.0.1\ns=meetjpegpay\nc=IN IP4 127.0.0.1\nt=0 0\n'
                    'm=video %d RTP/AVP 26\na=rtpmap:26 JPEG/90000\na=framerate:30\n' % port)
        ffmpeg = subprocess.Popen(['ffmpeg', '-v', 'error', '-y', '-protocol_whitelist', 'file,udp,rtp',
                                   '-i', sdp, '-c:v', 'copy', '-frames:v', str(wanted), '-f', 'mjpeg', out_path])
        deadline = time.monotonic() + 20
        while not udp_port_in_use(port) and ffmpeg.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if ffmpeg.poll() is None and udp_port_in_use(port):
            break
        ffmpeg.kill()
        ffmpeg.wait()
    else:
        raise RuntimeError('ffmpeg could not listen on a free port')

    try:
        # sync=true paces the 40 images at 30/s, like a camera would.
        run_pipeline('appsrc name=src ! meetjpegpay mtu=1400 ! udpsink host=127.0.0.1 port=%d sync=true'
                     % port, sent, 'image/jpeg,width=%d,height=%d,framerate=30/1' % (WIDTH, HEIGHT))
    except Exception:
        ffmpeg.kill()
        raise
    try:
        ffmpeg.wait(timeout=30)
    except subprocess.TimeoutExpired:
        ffmpeg.kill()
        ffmpeg.wait()
        raise
    assert ffmpeg.returncode == 0, 'ffmpeg failed'
    received_jpegs = split_mjpeg(out_path)
    received = [frame for frame, _ in decode(received_jpegs, caps='image/jpeg,framerate=30/1')]
    print('meetjpegpay -> ffmpeg: %d frames decoded' % len(received))
    assert len(received) == wanted
    assert is_ordered_subsequence(received, reference), 'a frame ffmpeg received differs from what we sent'


def main():
    require('ffmpeg')
    with tempfile.TemporaryDirectory() as tmp:
        if sys.argv[1] == 'send':
            test_ffmpeg_sends(tmp)
        else:
            test_ffmpeg_receives(tmp)
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
