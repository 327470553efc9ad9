"""Helpers shared by the rtp-jpeg python tests and benchmark: JPEG test data made at run time, and
pipelines fed from memory (appsrc) whose output is collected (appsink) with a bounded wait."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import gi

gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

import numpy as np  # noqa: E402

Gst.init(None)

PIPELINE_TIMEOUT = 60 * Gst.SECOND


class PipelineError(Exception):
    pass


def run_pipeline(description, inputs=(), caps=None, timeout=PIPELINE_TIMEOUT, on_pipeline=None):
    """Runs `description`, which may contain `appsrc name=src` (fed `inputs`, a list of bytes, as
    buffers 1/30 s apart with `caps`) and `appsink name=sink`. Returns the list of
    (bytes, caps) that reached the sink. Raises PipelineError with the bus error text."""
    pipeline = Gst.parse_launch(description)
    outputs = collect_samples(pipeline)
    src = pipeline.get_by_name('src')
    if src is not None:
        src.set_property('caps', Gst.Caps.from_string(caps))
        src.set_property('format', Gst.Format.TIME)
    if on_pipeline:
        on_pipeline(pipeline)
    pipeline.set_state(Gst.State.PLAYING)
    if src is not None:
        for i, data in enumerate(inputs):
            buf = Gst.Buffer.new_wrapped(data)
            buf.pts = i * Gst.SECOND // 30
            buf.duration = Gst.SECOND // 30
            if src.emit('push-buffer', buf) != Gst.FlowReturn.OK:
                break
        src.emit('end-of-stream')
    bus = pipeline.get_bus()
    msg = bus.timed_pop_filtered(timeout, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    error = None
    if msg is None:
        error = 'timed out'
    elif msg.type == Gst.MessageType.ERROR:
        err, debug = msg.parse_error()
        error = '%s (%s)' % (err.message, debug)
    pipeline.set_state(Gst.State.NULL)
    if error:
        raise PipelineError(error)
    return outputs


def collect_samples(pipeline):
    """The list that the pipeline's `appsink name=sink` (if any) fills with (bytes, caps)."""
    outputs = []
    sink = pipeline.get_by_name('sink')
    if sink is None:
        return outputs

    def on_sample(appsink):
        sample = appsink.emit('pull-sample')
        buf = sample.get_buffer()
        outputs.append((buf.extract_dup(0, buf.get_size()), sample.get_caps()))
        return Gst.FlowReturn.OK

    sink.set_property('sync', False)
    sink.set_property('emit-signals', True)
    sink.connect('new-sample', on_sample)
    return outputs


def encode_jpegs(width, height, quality, count=2, fmt='I420', pattern='zone-plate kx2=20 ky2=20 kt=1'):
    """`count` JPEG images from jpegenc (format pinned: peers only take 4:2:0/4:2:2)."""
    desc = ('videotestsrc num-buffers=%d pattern=%s ! video/x-raw,format=%s,width=%d,height=%d,'
            'framerate=30/1 ! jpegenc quality=%d ! appsink name=sink' % (count, pattern, fmt, width, height, quality))
    return [data for data, _ in run_pipeline(desc)]


def raw_frame(width, height, fmt='RGB', pattern='smpte'):
    desc = ('videotestsrc num-buffers=1 pattern=%s ! video/x-raw,format=%s,width=%d,height=%d ! appsink name=sink'
            % (pattern, fmt, width, height))
    return run_pipeline(desc)[0][0]


def cjpeg(width, height, options):
    """A JPEG written by libjpeg's cjpeg (which can add restart intervals)."""
    ppm = b'P6\n%d %d\n255\n' % (width, height) + raw_frame(width, height)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'in.ppm')
        with open(src, 'wb') as f:
            f.write(ppm)
        return subprocess.run(['cjpeg'] + options.split() + [src], check=True, capture_output=True,
                              timeout=60).stdout


def decode(jpegs, chain='', caps='image/jpeg,framerate=30/1'):
    """Feeds JPEG images through `chain` (e.g. 'meetjpegpay ! rtpjpegdepay') and jpegdec; returns
    the decoded frames as numpy arrays with their caps."""
    desc = 'appsrc name=src ! %s jpegdec ! appsink name=sink' % (chain + ' !' if chain else '')
    return [(np.frombuffer(data, dtype=np.uint8), out_caps) for data, out_caps in run_pipeline(desc, jpegs, caps)]


def free_rtp_port_pair():
    """An even UDP port P on 127.0.0.1 that, like P+1 (RTCP), the OS just let us bind: ffmpeg needs
    the number up front in an SDP."""
    for _ in range(100):
        rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            rtp.bind(('127.0.0.1', 0))
            port = rtp.getsockname()[1]
            if port % 2 == 0 and port < 65535:
                rtcp.bind(('127.0.0.1', port + 1))
                return port
        except OSError:
            pass
        finally:
            rtp.close()
            rtcp.close()
    raise RuntimeError('no free even UDP port pair on 127.0.0.1')


def require(program):
    if shutil.which(program) is None:
        print('SKIP: %s is not installed (scripts/setup.sh installs it)' % program)
        sys.exit(77)
