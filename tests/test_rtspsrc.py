#!/usr/bin/env python3
"""meetrtspsrc against a gst-rtsp-server peer (tests/rtsp_test_server.py).

Usage: test_rtspsrc.py CASE   (see CASES at the bottom). Exit 0 on success.
Every wait is bounded; the server process is always killed.
"""
import os
import queue
import socket
import subprocess
import sys
import threading
import time

# Loopback only: GIO's libproxy resolver (C++ exceptions) aborts under the ASan preload.
os.environ.setdefault('GIO_USE_PROXY_RESOLVER', 'dummy')

import gi  # noqa: E402
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402
from rtsp_publish import PeerProcess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, 'rtsp_test_server.py')
WAIT = 20.0     # generous upper bound for anything to happen (not a speed target)


class Server(PeerProcess):
    PATH = '/test'

    def __init__(self, *args, port=0):
        self.args = list(args)
        self.port = port
        self.proc = None

    def start(self):
        cmd = [sys.executable, SERVER, '--port', str(self.port)] + self.args
        env = dict(os.environ)
        if '--meet' not in self.args:
            # gst-rtsp-server peers load nothing of ours: keep sanitizer runtimes out of them.
            env.pop('LD_PRELOAD', None)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        import select
        if not select.select([self.proc.stdout], [], [], WAIT)[0]:
            self.proc.kill()
            raise RuntimeError('test server did not start within %d s' % WAIT)
        line = self.proc.stdout.readline()
        if not line.startswith('PORT '):
            raise RuntimeError('test server did not start: %r' % line)
        self.port = int(line.split()[1])
        self.lines = queue.Queue()
        threading.Thread(target=self._read_lines, args=(self.proc.stdout, self.lines), daemon=True).start()
        return self

    @staticmethod
    def _read_lines(stream, lines):
        for line in stream:
            lines.put(line)

    def read_line(self, seconds=WAIT):
        """Next line the server printed, or '' after @seconds."""
        try:
            return self.lines.get(timeout=seconds)
        except queue.Empty:
            return ''



class Client:
    """meetrtspsrc -> depayload -> decode -> fakesinks, counting what arrives."""

    def __init__(self, url, props='', video_only=False, meet=False):
        vdepay, adepay = ('meetjpegdepay', 'meetpcmdepay') if meet else ('rtpjpegdepay', 'rtpL16depay')
        desc = ('meetrtspsrc name=src location="%s" %s '
                'src.stream_0 ! queue ! %s ! jpegdec ! fakesink name=vsink sync=false ' % (url, props, vdepay))
        if not video_only:
            desc += ('src.stream_1 ! queue ! %s ! audioconvert ! '
                     'fakesink name=asink sync=false' % adepay)
        self.pipeline = Gst.parse_launch(desc)
        self.src = self.pipeline.get_by_name('src')
        self.frames = 0
        self.audio = 0
        self.errors = []
        self.warnings = []
        self.pipeline.get_by_name('vsink').get_static_pad('sink').add_probe(
            Gst.PadProbeType.BUFFER, self._count, 'frames')
        if not video_only:
            self.pipeline.get_by_name('asink').get_static_pad('sink').add_probe(
                Gst.PadProbeType.BUFFER, self._count, 'audio')
        self.bus = self.pipeline.get_bus()

    def _count(self, _pad, _info, attr):
        setattr(self, attr, getattr(self, attr) + 1)
        return Gst.PadProbeReturn.OK

    def set_state(self, state):
        ret = self.pipeline.set_state(state)
        assert ret != Gst.StateChangeReturn.FAILURE, 'state change to %s failed' % state
        return ret

    def poll(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msg = self.bus.timed_pop(50 * Gst.MSECOND)
            if msg is None:
                continue
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                print('ERROR:', err.message, file=sys.stderr)
                self.errors.append(err.message)
            elif msg.type == Gst.MessageType.WARNING:
                err, dbg = msg.parse_warning()
                print('WARNING:', err.message, file=sys.stderr)
                self.warnings.append(err.message)

    def wait_for(self, what, cond, seconds=WAIT):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if cond():
                return
            if self.errors:
                raise AssertionError('error while waiting for %s: %s' % (what, self.errors))
            self.poll(0.1)
        raise AssertionError('timed out waiting for %s (frames=%d audio=%d state=%s)' % (
            what, self.frames, self.audio, self.rtsp_state()))

    def wait_media(self, frames=10, audio=10):
        f0, a0 = self.frames, self.audio
        self.wait_for('%d more video frames and audio buffers' % frames,
                      lambda: self.frames >= f0 + frames and self.audio >= a0 + audio)

    def wait_error(self, seconds=WAIT):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.errors:
            self.poll(0.1)
        assert self.errors, 'expected an error, none came'
        return self.errors[0]

    def rtsp_state(self):
        return self.src.get_property('rtsp-state')

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


def play_case(server_args, props='', userinfo=''):
    meet = '--meet' in server_args
    with Server(*server_args) as server:
        client = Client(server.url(userinfo), props, meet=meet)
        try:
            client.set_state(Gst.State.PLAYING)
            client.wait_media()
            assert client.rtsp_state() == 'playing', client.rtsp_state()
            stats = client.src.get_property('stats')
            assert stats.get_value('packets-received') > 0, stats.to_string()
            assert stats.get_value('streams') == 2, stats.to_string()
            for name in ('stream-0', 'stream-1'):
                stream = stats.get_value(name)
                assert stream.get_value('packets-received') > 0, stats.to_string()
                assert stream.has_field('packets-lost') and stream.has_field('jitter'), stats.to_string()
            return client
        finally:
            client.stop()


def case_udp():
    client = play_case([], 'protocols=udp')
    assert not client.warnings, client.warnings


def case_tcp():
    play_case([], 'protocols=tcp')


def case_fallback_tcp():
    """Default protocols against a TCP-only server: SETUP gets 461, TCP is used."""
    play_case(['--tcp-only'])


def case_udp_only_refused():
    with Server('--tcp-only') as server:
        client = Client(server.url(), 'protocols=udp')
        try:
            client.set_state(Gst.State.PLAYING)
            message = client.wait_error()
            assert 'protocols=tcp' in message, message
        finally:
            client.stop()


def case_digest():
    play_case(['--digest', 'alice:secret'], userinfo='alice:secret')
    play_case(['--digest', 'alice:secret'], 'user=alice password=secret')


def case_basic():
    play_case(['--basic', 'bob:pw'], userinfo='bob:pw')


def case_digest_wrong_password():
    with Server('--digest', 'alice:secret') as server:
        client = Client(server.url('alice:wrong'))
        try:
            client.set_state(Gst.State.PLAYING)
            message = client.wait_error()
            assert 'check user and password' in message, message
        finally:
            client.stop()


def case_video_only():
    """Only stream_0 linked (as in `meetrtspsrc ! rtpjpegdepay ! ...`): the unlinked audio must not stop it."""
    with Server() as server:
        client = Client(server.url(), video_only=True)
        try:
            client.set_state(Gst.State.PLAYING)
            client.wait_media(frames=30, audio=0)
            assert not client.errors, client.errors
        finally:
            client.stop()


def case_state_controls():
    """PLAY / PAUSE / TEARDOWN driven by element state changes."""
    with Server() as server:
        client = Client(server.url())
        try:
            client.set_state(Gst.State.PAUSED)
            client.wait_for('SETUP', lambda: client.rtsp_state() == 'ready')
            client.set_state(Gst.State.PLAYING)
            client.wait_media()
            client.set_state(Gst.State.PAUSED)
            client.wait_for('PAUSE', lambda: client.rtsp_state() == 'paused')
            client.set_state(Gst.State.PLAYING)
            client.wait_for('PLAY', lambda: client.rtsp_state() == 'playing')
            client.wait_media()
            client.set_state(Gst.State.READY)
            assert client.rtsp_state() == 'init', client.rtsp_state()
            client.set_state(Gst.State.PLAYING)
            client.wait_media()
        finally:
            client.stop()


def case_action_signals():
    """The four buttons: setup, play, pause, teardown as action signals."""
    with Server() as server:
        client = Client(server.url())
        try:
            client.set_state(Gst.State.PLAYING)
            client.wait_media()
            assert client.src.emit('pause')
            client.wait_for('PAUSE', lambda: client.rtsp_state() == 'paused')
            assert client.src.emit('play')
            client.wait_for('PLAY', lambda: client.rtsp_state() == 'playing')
            client.wait_media()
            assert client.src.emit('teardown')
            client.wait_for('TEARDOWN', lambda: client.rtsp_state() == 'init')
            assert client.src.emit('setup')
            client.wait_for('SETUP', lambda: client.rtsp_state() == 'ready')
            assert client.src.emit('play')
            client.wait_for('PLAY', lambda: client.rtsp_state() == 'playing')
            client.wait_media()
            assert not client.errors, client.errors
        finally:
            client.stop()


def case_keepalive():
    """Session timeout 2 s: the client must refresh it (at timeout/2) and keep playing."""
    with Server('--session-timeout', '2') as server:
        client = Client(server.url(), 'protocols=tcp')
        try:
            client.set_state(Gst.State.PLAYING)
            client.wait_media()
            for _ in range(2):
                line = server.read_line()
                assert line.startswith('KEEPALIVE'), 'no keep-alive request: %r' % line
            client.wait_media()
            assert not client.errors and not client.warnings, (client.errors, client.warnings)
        finally:
            client.stop()


def reconnect(props, *server_args):
    server = Server(*server_args).start()
    client = Client(server.url(), 'retry=5 timeout=2000 ' + props, meet='--meet' in server_args)
    try:
        client.set_state(Gst.State.PLAYING)
        client.wait_media()
        port = server.port
        server.stop()
        client.wait_for('a reconnect warning', lambda: client.warnings)
        assert server.url() in client.warnings[0], client.warnings[0]
        server = Server(*server_args, port=port).start()
        client.wait_media()
        assert client.rtsp_state() == 'playing'
        assert not client.errors, client.errors
    finally:
        client.stop()
        server.stop()


def case_reconnect_udp():
    reconnect('protocols=udp')


def case_reconnect_tcp():
    reconnect('protocols=tcp')


def case_retries_exhausted():
    server = Server().start()
    client = Client(server.url(), 'retry=2 timeout=1000')
    try:
        client.set_state(Gst.State.PLAYING)
        client.wait_media()
        server.stop()
        message = client.wait_error()
        assert server.url() in message and 'Gave up after 2' in message, message
        assert len(client.warnings) == 2, client.warnings
    finally:
        client.stop()
        server.stop()


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def case_wrong_port():
    url = 'rtsp://127.0.0.1:%d/test' % free_port()
    client = Client(url, 'retry=1 timeout=1000')
    try:
        client.set_state(Gst.State.PLAYING)
        message = client.wait_error()
        assert url in message and 'could not connect' in message, message
    finally:
        client.stop()


def case_bad_location():
    client = Client('http://127.0.0.1/nothing', 'retry=0')
    try:
        client.pipeline.set_state(Gst.State.PLAYING)
        message = client.wait_error()
        assert 'not an RTSP URL' in message, message
    finally:
        client.stop()


def measure_lipsync(url, props='', meet=False, seconds=9.0):
    """Running time of every flash (dark->white frame) and beep onset at the client."""
    import numpy
    pipeline = Gst.parse_launch(
        'meetrtspsrc name=src location="%s" %s '
        'src.stream_0 ! queue ! %s ! jpegdec ! video/x-raw,format=I420 ! '
        'appsink name=v emit-signals=true sync=false '
        'src.stream_1 ! queue ! %s ! audioconvert ! audio/x-raw,format=S16LE,channels=1 ! '
        'appsink name=a emit-signals=true sync=false' % (
            url, props, 'meetjpegdepay' if meet else 'rtpjpegdepay', 'meetpcmdepay' if meet else 'rtpL16depay'))
    flashes, beeps = [], []
    last = {'bright': True, 'loud': True}

    def on_video(sink):
        sample = sink.emit('pull-sample')
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        bright = numpy.frombuffer(info.data, dtype=numpy.uint8, count=1000).mean() > 128
        buf.unmap(info)
        if bright and not last['bright']:
            flashes.append(sample.get_segment().to_running_time(Gst.Format.TIME, buf.pts))
        last['bright'] = bright
        return Gst.FlowReturn.OK

    def on_audio(sink):
        sample = sink.emit('pull-sample')
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        pcm = numpy.abs(numpy.frombuffer(info.data, dtype=numpy.int16).astype(numpy.int32))
        buf.unmap(info)
        loud = numpy.nonzero(pcm > 10000)[0]
        if len(loud) and not last['loud']:
            rt = sample.get_segment().to_running_time(Gst.Format.TIME, buf.pts)
            beeps.append(rt + int(loud[0]) * Gst.SECOND // 48000)
        # quiet again when the end of this buffer is silent
        last['loud'] = bool(len(loud)) and loud[-1] > len(pcm) - 48
        return Gst.FlowReturn.OK

    pipeline.get_by_name('v').connect('new-sample', on_video)
    pipeline.get_by_name('a').connect('new-sample', on_audio)
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR)
            if msg:
                raise AssertionError('error: %s' % msg.parse_error()[0].message)
    finally:
        pipeline.set_state(Gst.State.NULL)
    return flashes, beeps


def check_lipsync(props, *server_args):
    """Flash and beep leave the server on the same timestamps; at the client their
    running times must agree within one frame (33 ms) once RTCP sync is established."""
    with Server('--lipsync', *server_args) as server:
        flashes, beeps = measure_lipsync(server.url(), props, '--meet' in server_args)
    print('flashes (s):', [round(f / Gst.SECOND, 3) for f in flashes])
    print('beeps   (s):', [round(b / Gst.SECOND, 3) for b in beeps])
    offsets = []
    for f in flashes:
        nearest = min(beeps, key=lambda b: abs(b - f), default=None)
        if nearest is not None and abs(nearest - f) < Gst.SECOND // 2:
            offsets.append((f - nearest) / Gst.MSECOND)
    print('flash - beep (ms):', [round(o, 1) for o in offsets])
    # The first onsets may precede the first RTCP sender report; judge the settled ones.
    settled = sorted(abs(o) for o in offsets[2:])
    assert len(settled) >= 4, 'too few flash/beep pairs: %s' % offsets
    if 'buffer-mode=none' in props:
        assert settled[-1] <= 33.4, 'audio/video out of sync: %s ms' % offsets
    else:
        # buffer-mode=slave times packets by arrival: on a starved CPU (tests running in
        # parallel on 2 cores) one sender report can shift a stream for a few seconds.
        # One pair outside a frame is tolerated, a real desync moves them all.
        assert settled[len(settled) // 2] <= 33.4, 'audio/video out of sync: %s ms' % offsets
        assert sum(o > 33.4 for o in settled) <= 1, 'audio/video out of sync: %s ms' % offsets
        assert settled[-1] <= 100, 'audio/video out of sync: %s ms' % offsets


def case_lipsync_udp():
    check_lipsync('protocols=udp buffer-mode=none')


def case_lipsync_tcp():
    check_lipsync('protocols=tcp buffer-mode=none')


def case_lipsync_slave_udp():
    check_lipsync('protocols=udp buffer-mode=slave')


# The same against our own server element and depayloaders.
def case_meet_udp():
    play_case(['--meet'], 'protocols=udp')


def case_meet_tcp():
    play_case(['--meet'], 'protocols=tcp')


def case_meet_digest():
    play_case(['--meet', '--digest', 'alice:secret'], userinfo='alice:secret')


def case_meet_reconnect():
    reconnect('', '--meet')


def case_meet_lipsync_udp():
    check_lipsync('protocols=udp', '--meet')


def case_meet_lipsync_tcp():
    check_lipsync('protocols=tcp buffer-mode=none', '--meet')


class UdpBlackholeProxy:
    """Forwards RTSP between client and server but rewrites client_port in SETUP to a UDP
    pair nobody reads: the server's UDP never reaches the client, as behind a firewall."""

    def __init__(self, server_port):
        import re
        self.server_port = server_port
        self.sink_rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink_rtp.bind(('127.0.0.1', 0))
        dead = self.sink_rtp.getsockname()[1]
        self.pattern = re.compile(rb'client_port=\d+-\d+')
        self.replacement = b'client_port=%d-%d' % (dead, dead)
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self):
        return 'rtsp://127.0.0.1:%d/test' % self.port

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(('127.0.0.1', self.server_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src, dst, rewrite):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if rewrite:
                    data = self.pattern.sub(self.replacement, data)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.sock.close()
        self.sink_rtp.close()


def case_fallback_no_udp():
    """UDP set up fine but never arrives: after timeout the client switches to TCP."""
    with Server() as server:
        proxy = UdpBlackholeProxy(server.port)
        client = Client(proxy.url(), 'timeout=1500')
        try:
            client.set_state(Gst.State.PLAYING)
            client.wait_media()
            assert any('switching to RTP over TCP' in w for w in client.warnings), client.warnings
            assert client.rtsp_state() == 'playing'
        finally:
            client.stop()
            proxy.stop()


GOOD_SDP = ('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n'
            'm=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n')


class FakeServer:
    """A raw-socket RTSP peer answering every request with what @answer(method, cseq) returns
    (bytes, or None to stay silent)."""

    def __init__(self, answer):
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self):
        return 'rtsp://127.0.0.1:%d/test' % self.port

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            conn.settimeout(0.2)
            data = b''
            while self.running:
                try:
                    chunk = conn.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                while b'\r\n\r\n' in data:
                    head, data = data.split(b'\r\n\r\n', 1)
                    lines = head.decode('latin-1').split('\r\n')
                    method = lines[0].split(' ')[0]
                    cseq = next((l.split(':', 1)[1].strip() for l in lines if l.lower().startswith('cseq')), '0')
                    reply = self.answer(method, cseq)
                    if reply is None:
                        continue
                    try:
                        conn.sendall(reply)
                    except OSError:
                        break
            conn.close()

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


def ok_reply(cseq, headers='', body=''):
    return ('RTSP/1.0 200 OK\r\nCSeq: %s\r\n%s%s\r\n%s' % (
        cseq, headers, 'Content-Length: %d\r\n' % len(body) if body else '', body)).encode()


def expect_error_from(answer, *needles):
    server = FakeServer(answer)
    client = Client(server.url(), 'retry=0 timeout=1000')
    try:
        client.set_state(Gst.State.PLAYING)
        message = client.wait_error()
        for needle in (server.url(),) + needles:
            assert needle in message, (needle, message)
    finally:
        client.stop()
        server.stop()


def case_malformed_garbage():
    expect_error_from(lambda method, cseq: b'\x00\xffHELLO garbage\r\n\r\n' * 3, 'not an RTSP message')


def case_malformed_sdp():
    def answer(method, cseq):
        if method == 'DESCRIBE':
            return ok_reply(cseq, 'Content-Type: application/sdp\r\n', 'this is not an SDP\r\n')
        return ok_reply(cseq)
    expect_error_from(answer, 'SDP')


def case_malformed_transport():
    def answer(method, cseq):
        if method == 'DESCRIBE':
            return ok_reply(cseq, 'Content-Type: application/sdp\r\nContent-Base: rtsp://127.0.0.1/test/\r\n',
                            GOOD_SDP)
        if method == 'SETUP':
            return ok_reply(cseq, 'Session: 1\r\nTransport: RTP/AVP;unicast;server_port=99999999-x\r\n')
        return ok_reply(cseq)
    expect_error_from(answer, 'Transport')


def case_silent_server():
    expect_error_from(lambda method, cseq: None, 'did not answer')


def case_truncated_body():
    def answer(method, cseq):
        if method == 'DESCRIBE':
            return ('RTSP/1.0 200 OK\r\nCSeq: %s\r\nContent-Type: application/sdp\r\n'
                    'Content-Length: 5000\r\n\r\nv=0\r\n' % cseq).encode()
        return ok_reply(cseq)
    expect_error_from(answer)


def case_uri_handler():
    """GstURIHandler for rtsp:// as a source, at rank none (rtspsrc stays the default)."""
    factory = Gst.ElementFactory.find('meetrtspsrc')
    assert factory.get_uri_type() == Gst.URIType.SRC, factory.get_uri_type()
    assert 'rtsp' in factory.get_uri_protocols(), factory.get_uri_protocols()
    assert factory.get_rank() == Gst.Rank.NONE
    with Server() as server:
        src = factory.create('src')
        assert src.set_uri(server.url())
        assert src.get_uri() == server.url() and src.get_property('location') == server.url()
        from gi.repository import GLib
        for bad in ('http://127.0.0.1/x', 'rtsp://'):
            try:
                src.set_uri(bad)
                raise AssertionError('%s was taken' % bad)
            except GLib.Error:
                pass
        assert src.get_uri() == server.url()
        pipeline = Gst.Pipeline()
        pipeline.add(src)
        frames = []

        def on_pad(_src, pad):
            if pad.query_caps(None).get_structure(0).get_string('media') != 'video':
                return
            bin_ = Gst.parse_bin_from_description('rtpjpegdepay ! jpegdec ! fakesink sync=false', True)
            pipeline.add(bin_)
            bin_.sync_state_with_parent()
            pad.link(bin_.get_static_pad('sink'))
            bin_.get_static_pad('sink').add_probe(Gst.PadProbeType.BUFFER,
                                                  lambda *_: frames.append(1) or Gst.PadProbeReturn.OK)
        src.connect('pad-added', on_pad)
        pipeline.set_state(Gst.State.PLAYING)
        try:
            deadline = time.monotonic() + WAIT
            while len(frames) < 30 and time.monotonic() < deadline:
                msg = pipeline.get_bus().timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR)
                assert msg is None, msg.parse_error()[0].message
            assert len(frames) >= 30, 'only %d packets through the URI-made source' % len(frames)
            try:
                src.set_uri(server.url() + 'x')
                raise AssertionError('a new URI was taken while playing')
            except GLib.Error:
                pass
        finally:
            pipeline.set_state(Gst.State.NULL)

        # What an application gets from a URI: at rank none, GStreamer's rtspsrc (also rank none)
        # or ours, whichever the registry lists first; ours for sure once its rank is raised
        # (GST_PLUGIN_FEATURE_RANK), and then uridecodebin (playbin) plays through it.
        made = Gst.Element.make_from_uri(Gst.URIType.SRC, server.url(), None)
        print('make_from_uri at rank none:', made.get_factory().get_name())
        code = ('import gi, sys, time; gi.require_version("Gst", "1.0"); from gi.repository import Gst; '
                'Gst.init(None); e = Gst.Element.make_from_uri(Gst.URIType.SRC, sys.argv[1], "s"); '
                'print(e.get_factory().get_name()); '
                'p = Gst.parse_launch("uridecodebin name=d uri=%s d. ! queue ! fakesink name=f sync=false" % sys.argv[1]); '
                'used = []; p.connect("deep-element-added", lambda b, parent, el: used.append('
                'el.get_factory().get_name() if el.get_factory() else "")); '
                'n = []; p.get_by_name("f").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, '
                'lambda *a: n.append(1) or Gst.PadProbeReturn.OK); p.set_state(Gst.State.PLAYING); '
                'end = time.monotonic() + 20\n'
                'while len(n) < 10 and time.monotonic() < end:\n'
                '    m = p.get_bus().timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR)\n'
                '    assert m is None, m.parse_error()[0].message\n'
                'p.set_state(Gst.State.NULL); print(len(n), " ".join(used))')
        env = dict(os.environ, GST_PLUGIN_FEATURE_RANK='meetrtspsrc:MAX')
        env.pop('GST_DEBUG', None)
        out = subprocess.run([sys.executable, '-c', code, server.url()], env=env, capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        print(out.stdout)
        lines = out.stdout.split('\n')
        assert lines[0] == 'meetrtspsrc', out.stdout
        count, used = lines[1].split(' ', 1)
        assert int(count) >= 10 and 'meetrtspsrc' in used.split(), out.stdout


def watch_roster(src):
    changes = []
    src.connect('participants-changed', lambda _src, names: changes.append(list(names)))
    return changes


def case_roster_plain_server():
    """gst-rtsp-server keeps no roster (451): an empty list, no signal, no warning, still playing."""
    with Server() as server:
        for protocols in ('udp', 'tcp'):
            client = Client(server.url(), 'protocols=' + protocols)
            changes = watch_roster(client.src)
            try:
                client.set_state(Gst.State.PLAYING)
                client.wait_media(frames=30, audio=30)
                client.poll(1.0)
                assert changes == [], changes
                assert list(client.src.get_property('participants') or []) == []
                assert not client.errors and not client.warnings, (client.errors, client.warnings)
                assert client.rtsp_state() == 'playing'
            finally:
                client.stop()


class TalkativeServer:
    """A raw RTSP server streaming one JPEG stream interleaved, that once playing sends its client
    requests of its own (RFC 2326 section 10) and records the answers."""

    REQUESTS = [
        ('OPTIONS', '', ''),
        ('SET_PARAMETER', 'text/parameters', 'participants: zoe,yann\r\n'),
        ('GET_PARAMETER', '', ''),
        ('ANNOUNCE', 'application/sdp', GOOD_SDP),
        ('REDIRECT', '', ''),
        ('SET_PARAMETER', 'text/parameters', 'volume: 3\r\n'),
        ('ANNOUNCE', 'text/parameters', 'participants: zoe\r\n'),
    ]

    def __init__(self, hang_up_on_roster=False):
        self.hang_up_on_roster = hang_up_on_roster
        self.roster_questions = 0
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.answers = {}
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self):
        return 'rtsp://127.0.0.1:%d/test' % self.port

    @staticmethod
    def _message(data):
        """(head, body, rest) of the first whole message in @data, or None."""
        if b'\r\n\r\n' not in data:
            return None
        head, rest = data.split(b'\r\n\r\n', 1)
        length = 0
        for line in head.split(b'\r\n'):
            if line.lower().startswith(b'content-length:'):
                length = int(line.split(b':')[1])
        if len(rest) < length:
            return None
        return head.decode('latin-1'), rest[:length], rest[length:]

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            self._talk(conn)
            conn.close()

    def _talk(self, conn):
        conn.settimeout(0.02)
        data = b''
        playing = False
        asked = False   # our own requests start once the client asked for the roster
        sent = 0
        next_send = 0
        seq = 0
        while self.running:
            try:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            except socket.timeout:
                pass
            except OSError:
                return
            while data.startswith(b'$') and len(data) >= 4 and len(data) >= 4 + int.from_bytes(data[2:4], 'big'):
                data = data[4 + int.from_bytes(data[2:4], 'big'):]     # RTCP from the client
            message = None if data.startswith(b'$') else self._message(data)
            if message:
                head, body, data = message
                lines = head.split('\r\n')
                cseq = next((l.split(':', 1)[1].strip() for l in lines if l.lower().startswith('cseq')), '0')
                if lines[0].startswith('RTSP/'):
                    self.answers[int(cseq)] = lines
                    continue
                method = lines[0].split(' ')[0]
                if method == 'DESCRIBE':
                    reply = ok_reply(cseq, 'Content-Type: application/sdp\r\nContent-Base: %s/\r\n' % self.url(),
                                     GOOD_SDP)
                elif method == 'SETUP':
                    reply = ok_reply(cseq, 'Session: 77;timeout=60\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n')
                elif method == 'PLAY':
                    reply = ok_reply(cseq, 'Session: 77\r\n')
                    playing = True
                elif method == 'GET_PARAMETER' and body.strip() == b'participants':
                    self.roster_questions += 1
                    if self.hang_up_on_roster:
                        return      # as some devices do on a request they do not know
                    reply = ok_reply(cseq, 'Session: 77\r\nContent-Type: text/parameters\r\n', 'participants: zoe\r\n')
                    asked = True
                else:
                    reply = ok_reply(cseq, 'Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER\r\n')
                conn.sendall(reply)
                continue
            if playing:
                # A small JPEG-ish RTP packet (the client only counts them) every 20 ms ...
                seq += 1
                packet = bytes([0x80, 26]) + (seq & 0xffff).to_bytes(2, 'big') + (seq * 3000).to_bytes(4, 'big') \
                    + b'\x00\x00\x00\x01' + bytes(8) + bytes(100)
                conn.sendall(b'$\x00' + len(packet).to_bytes(2, 'big') + packet)
                # ... and between them, every 300 ms, the next request of our own.
                if asked and sent < len(self.REQUESTS) and time.monotonic() > next_send:
                    method, ctype, body = self.REQUESTS[sent]
                    sent += 1
                    text = '%s %s RTSP/1.0\r\nCSeq: %d\r\nSession: 77\r\n' % (method, self.url(), 100 + sent)
                    if ctype:
                        text += 'Content-Type: %s\r\n' % ctype
                    if body:
                        text += 'Content-Length: %d\r\n' % len(body)
                    conn.sendall((text + '\r\n' + body).encode())
                    next_send = time.monotonic() + 0.3

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


def case_server_requests():
    """Every request a server sends is answered with its CSeq, roster pushes reach the app, and the
    session goes on playing."""
    server = TalkativeServer()
    pipeline = Gst.parse_launch('meetrtspsrc name=src location=%s protocols=tcp timeout=20000 retry=0 '
                                '! fakesink sync=false' % server.url())
    src = pipeline.get_by_name('src')
    changes = watch_roster(src)
    bus = pipeline.get_bus()
    problems = []

    def poll(seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msg = bus.timed_pop_filtered(50 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.WARNING)
            if msg:
                problems.append((msg.parse_error() if msg.type == Gst.MessageType.ERROR
                                 else msg.parse_warning())[0].message)
    try:
        pipeline.set_state(Gst.State.PLAYING)
        count = len(TalkativeServer.REQUESTS)
        deadline = time.monotonic() + WAIT
        while len(server.answers) < count and time.monotonic() < deadline and not problems:
            poll(0.1)
        codes = {cseq: int(lines[0].split()[1]) for cseq, lines in server.answers.items()}
        assert codes == {101: 200, 102: 200, 103: 200, 104: 501, 105: 501, 106: 451, 107: 200}, (codes, problems)
        public = [line for line in server.answers[101] if line.lower().startswith('public:')]
        assert public and 'SET_PARAMETER' in public[0], server.answers[101]
        assert changes == [['zoe'], ['zoe', 'yann'], ['zoe']], changes
        assert list(src.get_property('participants')) == ['zoe']
        poll(0.5)
        assert src.get_property('rtsp-state') == 'playing', src.get_property('rtsp-state')
        assert not problems, problems
        stats = src.get_property('stats')
        assert stats.get_value('packets-received') > 0, stats.to_string()
    finally:
        pipeline.set_state(Gst.State.NULL)
        server.stop()


def case_roster_hangup():
    """A server that hangs up on the roster question: one reconnect, never asked again, plays on."""
    server = TalkativeServer(hang_up_on_roster=True)
    pipeline = Gst.parse_launch('meetrtspsrc name=src location=%s protocols=tcp timeout=20000 retry=3 '
                                '! fakesink sync=false' % server.url())
    src = pipeline.get_by_name('src')
    bus = pipeline.get_bus()
    warnings, errors = [], []
    try:
        pipeline.set_state(Gst.State.PLAYING)
        deadline = time.monotonic() + WAIT
        packets = 0
        while time.monotonic() < deadline and not errors:
            msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.WARNING)
            if msg and msg.type == Gst.MessageType.ERROR:
                errors.append(msg.parse_error()[0].message)
            elif msg:
                warnings.append(msg.parse_warning()[0].message)
            packets = src.get_property('stats').get_value('packets-received')
            if warnings and src.get_property('rtsp-state') == 'playing' and packets > 100:
                break
        assert not errors, errors
        assert len(warnings) == 1 and 'closed the connection' in warnings[0], warnings
        assert server.roster_questions == 1, server.roster_questions
        assert src.get_property('rtsp-state') == 'playing'
        assert packets > 100, packets
    finally:
        pipeline.set_state(Gst.State.NULL)
        server.stop()


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith('case_')}

if __name__ == '__main__':
    Gst.init(None)
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print('usage: %s {%s}' % (sys.argv[0], ','.join(CASES)), file=sys.stderr)
        sys.exit(2)
    CASES[sys.argv[1]]()
    print('ok')
