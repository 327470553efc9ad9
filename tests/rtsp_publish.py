#!/usr/bin/env python3
"""meetrtspclientsink publishing into real RTSP servers, and what it does when they say no.

Peers: gst-rtsp-server in RECORD mode (tests/rtsp_record_server.py, a process of its own so it can be
killed and brought back), `ffmpeg -rtsp_flags listen` (what it writes is checked with ffprobe),
meetrtspsink allow-publish=true (in this process, read back with meetrtspsrc and rtspsrc), and raw-socket
fakes for the answers no real server gives on demand.

Usage: rtsp_publish.py CASE   (see CASES at the bottom). Exit 0 on success.
Every wait is bounded; every server process is killed.
"""
import hashlib
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

# Loopback only: GIO's libproxy resolver (C++ exceptions) aborts under the ASan preload.
os.environ.setdefault('GIO_USE_PROXY_RESOLVER', 'dummy')

import gi  # noqa: E402
gi.require_version('Gst', '1.0')
from gi.repository import Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD_SERVER = os.path.join(HERE, 'rtsp_record_server.py')
WAIT = 30.0     # generous upper bound for anything to happen (not a speed target)
STOP = 10.0     # an error must stop the pipeline well within this: "never a hang"
SKIP = 77

VIDEO = ('videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=160,height=120,framerate=15/1 '
         '! jpegenc ! tee name=jpegs ! queue ! {vpay} ! s.sink_0 ')
AUDIO = ('audiotestsrc is-live=true samplesperbuffer=320 ! audio/x-raw,format=S16BE,rate=16000,channels=1 '
         '! {apay} ! s.sink_1 ')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_until(condition, seconds=WAIT, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def split_request(data):
    """The first RTSP request in @data as (method, headers by lower-case name, body, the bytes after
    it), or None while it has not all arrived."""
    if b'\r\n\r\n' not in data:
        return None
    head, rest = data.split(b'\r\n\r\n', 1)
    lines = head.decode('latin-1').split('\r\n')
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(':')
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get('content-length', 0))
    if len(rest) < length:
        return None
    return lines[0].split(' ')[0], headers, rest[:length], rest[length:]


def run_cases(names):
    """Runs the case_<name> function of @names (a test module's globals()) that the command line
    names, and prints ok; usage and exit 2 for any other command line."""
    cases = {name[5:]: fn for name, fn in list(names.items()) if name.startswith('case_')}
    if len(sys.argv) != 2 or sys.argv[1] not in cases:
        print('usage: %s {%s}' % (sys.argv[0], ','.join(cases)), file=sys.stderr)
        sys.exit(2)
    cases[sys.argv[1]]()
    print('ok')


# --------------------------------------------------------------------------------------------------
# Peers

class PeerProcess:
    """A server in a process of its own (self.proc, self.port; start() by the subclass), killed by
    stop() or at the end of a with block."""

    PATH = '/x'     # where it serves

    def url(self, userinfo='', path=None):
        return 'rtsp://%s127.0.0.1:%d%s' % (userinfo + '@' if userinfo else '', self.port,
                                            self.PATH if path is None else path)

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RecordServer(PeerProcess):
    """tests/rtsp_record_server.py in a process of its own; its event lines are collected."""

    def __init__(self, *args, port=0):
        self.args = list(args)
        self.port = port
        self.proc = None
        self.events = []
        self.lock = threading.Lock()

    def start(self):
        env = dict(os.environ)
        env.pop('LD_PRELOAD', None)     # gst-rtsp-server loads nothing of ours
        cmd = [sys.executable, RECORD_SERVER, '--port', str(self.port)] + self.args
        for attempt in range(50):       # the port of a killed server may take a moment to free up
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
            if not select.select([self.proc.stdout], [], [], WAIT)[0]:
                self.proc.kill()
                raise RuntimeError('record server did not start within %d s' % WAIT)
            line = self.proc.stdout.readline()
            if line.startswith('PORT '):
                break
            self.proc.wait()
            time.sleep(0.2)
        else:
            raise RuntimeError('record server did not start: %r' % line)
        self.port = int(line.split()[1])
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        return self

    def _read(self, stream):
        for line in stream:
            with self.lock:
                self.events.append(line.strip())

    def lines(self, prefix=''):
        with self.lock:
            return [e for e in self.events if e.startswith(prefix)]

    def count(self, kind):
        frames = self.lines('FRAME ' + kind)
        return int(frames[-1].split()[2]) if frames else 0

    def requests(self):
        return [line.split()[1] for line in self.lines('REQUEST ')]


class FakeServer:
    """A raw-socket RTSP peer: @answer(method, cseq, headers, body) returns the bytes to send back (None:
    stay silent). Every request is recorded as (method, headers)."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        self.bodies = []
        self.frames = {}        # interleaved channel -> packets
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path='/meet/bob'):
        return 'rtsp://127.0.0.1:%d%s' % (self.port, path)

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn):
        conn.settimeout(0.2)
        data = b''
        while self.running:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            while True:
                while data.startswith(b'$') and len(data) >= 4:
                    size = int.from_bytes(data[2:4], 'big')
                    if len(data) < 4 + size:
                        break
                    self.frames[data[1]] = self.frames.get(data[1], 0) + 1
                    data = data[4 + size:]
                request = None if data.startswith(b'$') else split_request(data)
                if request is None:
                    break
                method, headers, body, data = request
                self.requests.append((method, headers))
                self.bodies.append(body)
                reply = self.answer(method, headers.get('cseq', '0'), headers, body)
                if reply is None:
                    continue
                try:
                    conn.sendall(reply)
                except OSError:
                    break
        conn.close()

    def methods(self):
        return [m for m, _ in self.requests]

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


def reply(cseq, code=200, reason='OK', headers='', body=''):
    return ('RTSP/1.0 %d %s\r\nCSeq: %s\r\n%s%s\r\n%s' % (
        code, reason, cseq, headers, 'Content-Length: %d\r\n' % len(body) if body else '', body)).encode()


def refusing(method_refused, code, reason, body=''):
    """Answers every request with 200, @method_refused with @code."""
    def answer(method, cseq, headers, _body):
        if method == method_refused:
            return reply(cseq, code, reason, 'Content-Type: text/plain\r\n' if body else '', body)
        if method == 'SETUP':
            transport = headers.get('transport', '')
            return reply(cseq, headers='Session: 1234;timeout=60\r\nTransport: %s\r\n' % (
                transport if 'interleaved' in transport else transport + ';server_port=9-10'))
        return reply(cseq)
    return answer


# --------------------------------------------------------------------------------------------------
# The publisher

class Publisher:
    """videotestsrc -> jpegenc -> payloader (+ audio) -> meetrtspclientsink; remembers the md5 of every
    decoded frame it sends (the JPEGs decoded without the network) and what its bus says."""

    def __init__(self, location, props='', audio=True, vpay='rtpjpegpay', apay='rtpL16pay'):
        desc = 'meetrtspclientsink name=s location="%s" %s ' % (location, props) + VIDEO.format(vpay=vpay)
        desc += 'jpegs. ! queue ! jpegdec ! fakesink name=sent sync=false '
        if audio:
            desc += AUDIO.format(apay=apay)
        self.pipeline = Gst.parse_launch(desc)
        self.sink = self.pipeline.get_by_name('s')
        self.sent = set()
        self.sent_lock = threading.Lock()
        self.pipeline.get_by_name('sent').get_static_pad('sink').add_probe(Gst.PadProbeType.BUFFER, self._sent)
        self.errors, self.warnings, self.eos = [], [], False
        self.bus = self.pipeline.get_bus()

    def _sent(self, _pad, info):
        buffer = info.get_buffer()
        with self.sent_lock:
            self.sent.add(hashlib.md5(buffer.extract_dup(0, buffer.get_size())).hexdigest())
        return Gst.PadProbeReturn.OK

    def sent_frames(self):
        with self.sent_lock:
            return set(self.sent)

    def play(self):
        ret = self.pipeline.set_state(Gst.State.PLAYING)
        assert ret != Gst.StateChangeReturn.FAILURE, 'publisher did not start: %s' % self.poll(0)
        return self

    def poll(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            msg = self.bus.timed_pop(50 * Gst.MSECOND)
            if msg is not None:
                if msg.type == Gst.MessageType.ERROR:
                    err, dbg = msg.parse_error()
                    print('ERROR:', err.message, '|', dbg, file=sys.stderr, flush=True)
                    self.errors.append('%s | %s' % (err.message, dbg))
                elif msg.type == Gst.MessageType.WARNING:
                    err, dbg = msg.parse_warning()
                    print('WARNING:', err.message, '|', dbg, file=sys.stderr, flush=True)
                    self.warnings.append('%s | %s' % (err.message, dbg))
                elif msg.type == Gst.MessageType.EOS:
                    self.eos = True
            if time.monotonic() >= deadline:
                return self.errors

    def wait_for(self, what, condition, seconds=WAIT, errors_ok=False):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            if self.errors and not errors_ok:
                raise AssertionError('error while waiting for %s: %s' % (what, self.errors))
            self.poll(0.1)
        raise AssertionError('timed out waiting for %s (recording=%s, errors=%s, warnings=%s)' % (
            what, self.sink.get_property('recording'), self.errors, self.warnings[-3:]))

    def wait_error(self, seconds=STOP):
        """The first error; the pipeline must have posted it within @seconds and stop promptly."""
        started = time.monotonic()
        self.wait_for('an error', lambda: self.errors, seconds, errors_ok=True)
        print('error after %.1f s: %s' % (time.monotonic() - started, self.errors[0]), flush=True)
        self.stop()
        return self.errors[0]

    def stop(self):
        """Stops the pipeline, asserting that it does not hang."""
        result = {}
        thread = threading.Thread(target=lambda: result.update(ret=self.pipeline.set_state(Gst.State.NULL)),
                                  daemon=True)
        thread.start()
        thread.join(STOP)
        assert not thread.is_alive(), 'the publisher did not stop within %d s' % STOP


def expect_error(publisher, *needles):
    publisher.play()
    message = publisher.wait_error()
    for needle in needles:
        assert needle in message, 'expected %r in the error: %s' % (needle, message)
    return message


# --------------------------------------------------------------------------------------------------
# gst-rtsp-server in RECORD mode

def publish_into_record_server(server_args, props, userinfo='', audio=True, frames=30):
    with RecordServer(*server_args) as server:
        publisher = Publisher(server.url(userinfo), props, audio=audio).play()
        try:
            publisher.wait_for('%d frames decoded by gst-rtsp-server' % frames,
                               lambda: server.count('video') >= frames and (not audio or server.count('audio') >= 20))
            assert publisher.sink.get_property('recording')
            return server, publisher
        finally:
            publisher.stop()


def case_record_udp():
    server, publisher = publish_into_record_server([], 'protocols=udp')
    setups = server.lines('REQUEST SETUP')
    assert len(setups) == 2 and all('client_port=' in s and 'mode=record' in s.lower() for s in setups), setups
    assert not publisher.errors, publisher.errors


def case_record_tcp():
    server, publisher = publish_into_record_server([], 'protocols=tcp')
    setups = server.lines('REQUEST SETUP')
    assert len(setups) == 2 and all('interleaved=' in s for s in setups), setups


def case_record_video_only():
    publish_into_record_server(['--video-only'], '', audio=False)


def case_fallback_tcp():
    """Default protocols, a server that refuses UDP (461): SETUP again interleaved, and frames arrive."""
    server, _ = publish_into_record_server(['--protocols', 'tcp'], '')
    assert 'RESPONSE 461' in server.lines('RESPONSE'), server.events[:12]
    setups = server.lines('REQUEST SETUP')
    assert len(setups) == 2 and all('interleaved=' in s for s in setups), setups


def case_fallback_tcp_meet():
    """The same against a fake that refuses UDP: RTP then comes interleaved in the RTSP connection."""
    seen = {'interleaved': 0}

    def answer(method, cseq, headers, _body):
        if method == 'SETUP':
            transport = headers.get('transport', '')
            if 'interleaved' not in transport:
                return reply(cseq, 461, 'Unsupported Transport')
            seen['interleaved'] += 1
            return reply(cseq, headers='Session: 77;timeout=60\r\nTransport: %s\r\n' % transport)
        return reply(cseq)
    server = FakeServer(answer)
    publisher = Publisher(server.url(), '').play()
    try:
        publisher.wait_for('recording', lambda: publisher.sink.get_property('recording'))
        assert seen['interleaved'] == 2, server.requests
    finally:
        publisher.stop()
        server.stop()


def case_transport_refused():
    with RecordServer('--protocols', 'tcp') as server:
        expect_error(Publisher(server.url(), 'protocols=udp retry=0'), 'protocols=tcp', '461')
    with RecordServer('--protocols', 'udp') as server:
        expect_error(Publisher(server.url(), 'protocols=tcp retry=0'), 'protocols=udp', '461')


# --------------------------------------------------------------------------------------------------
# ffmpeg -rtsp_flags listen

def case_ffmpeg_udp():
    ffmpeg_case('udp')


def case_ffmpeg_tcp():
    ffmpeg_case('tcp')


def ffmpeg_case(protocol):
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'out.mkv')
        env = dict(os.environ)
        env.pop('LD_PRELOAD', None)
        ffmpeg = subprocess.Popen(['ffmpeg', '-nostdin', '-loglevel', 'warning', '-rtsp_flags', 'listen',
                                   '-timeout', '30', '-i', 'rtsp://127.0.0.1:%d/x' % port,
                                   '-c', 'copy', '-t', '4', '-y', out], env=env)
        # ffmpeg listens a moment after it starts: the publisher's retries cover that.
        publisher = Publisher('rtsp://127.0.0.1:%d/x' % port, 'protocols=%s retry=20' % protocol).play()
        try:
            deadline = time.monotonic() + WAIT * 2
            while ffmpeg.poll() is None and time.monotonic() < deadline:
                publisher.poll(0.2)
            assert ffmpeg.poll() is not None, 'ffmpeg did not finish recording'
            assert ffmpeg.returncode == 0, 'ffmpeg failed (%d)' % ffmpeg.returncode
        finally:
            if ffmpeg.poll() is None:
                ffmpeg.kill()
                ffmpeg.wait()
            publisher.stop()
        probe = subprocess.run(['ffprobe', '-v', 'error', '-count_frames', '-show_entries',
                                'stream=codec_type,codec_name,nb_read_frames,width,height,sample_rate',
                                '-of', 'json', out], capture_output=True, timeout=60, env=env)
        assert probe.returncode == 0, probe.stderr
        streams = {s['codec_type']: s for s in json.loads(probe.stdout)['streams']}
        print(streams, flush=True)
        assert streams['video']['codec_name'] == 'mjpeg', streams
        assert (streams['video']['width'], streams['video']['height']) == (160, 120), streams
        assert int(streams['video']['nb_read_frames']) >= 20, streams
        assert streams['audio']['codec_name'] == 'pcm_s16be', streams
        assert int(streams['audio']['sample_rate']) == 16000, streams
        assert int(streams['audio']['nb_read_frames']) > 0, streams


# --------------------------------------------------------------------------------------------------
# meetrtspsink allow-publish=true, read back at PATH/NAME

def meet_server(props='allow-publish=true session-timeout=10'):
    from rtsp_sink_util import Server
    return Server(props, audio=False)


class Reader:
    """@element (meetrtspsrc or rtspsrc) playing @url; md5 of every decoded video frame."""

    def __init__(self, element, url, props=''):
        self.pipeline = Gst.Pipeline()
        self.src = Gst.ElementFactory.make(element, 'r')
        self.src.set_property('location', url)
        for prop in props.split():
            key, value = prop.split('=', 1)
            Gst.util_set_object_arg(self.src, key, value)
        self.pipeline.add(self.src)
        self.frames = []
        self.audio = 0
        self.lock = threading.Lock()
        self.src.connect('pad-added', self._on_pad)

    def _on_pad(self, _src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        media = caps.get_structure(0).get_string('media')
        names = ['rtpjpegdepay', 'jpegdec', 'fakesink'] if media == 'video' else ['fakesink']
        elements = [Gst.ElementFactory.make(n) for n in names]
        elements[-1].set_property('sync', False)
        for e in elements:
            self.pipeline.add(e)
        for a, b in zip(elements, elements[1:]):
            a.link(b)
        for e in reversed(elements):
            e.sync_state_with_parent()
        pad.link(elements[0].get_static_pad('sink'))
        elements[-1].get_static_pad('sink').add_probe(Gst.PadProbeType.BUFFER, self._on_buffer, media)

    def _on_buffer(self, _pad, info, media):
        buffer = info.get_buffer()
        with self.lock:
            if media == 'video':
                self.frames.append(hashlib.md5(buffer.extract_dup(0, buffer.get_size())).hexdigest())
            else:
                self.audio += 1
        return Gst.PadProbeReturn.OK

    def play(self):
        assert self.pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
        return self

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


def relay_case(reader_element, publisher_props, reader_props, vpay='rtpjpegpay', apay='rtpL16pay'):
    if Gst.ElementFactory.find(reader_element) is None:
        print('SKIP: %s not available' % reader_element)
        sys.exit(SKIP)
    server = meet_server()
    try:
        url = server.url + '/alice'
        publisher = Publisher(url, publisher_props, vpay=vpay, apay=apay).play()
        try:
            publisher.wait_for('recording', lambda: publisher.sink.get_property('recording'))
            reader = Reader(reader_element, url, reader_props).play()
            try:
                publisher.wait_for('60 frames read back', lambda: len(reader.frames) >= 60 and reader.audio >= 20)
            finally:
                reader.stop()
            sent = publisher.sent_frames()
            foreign = [md5 for md5 in reader.frames if md5 not in sent]
            assert not foreign, '%d of %d frames read back differ from the %d sent' % (
                len(foreign), len(reader.frames), len(sent))
            print('%d frames read back bit-exact, %d audio buffers' % (len(reader.frames), reader.audio))
        finally:
            publisher.stop()
    finally:
        server.stop()


def case_relay_meetrtspsrc_udp():
    relay_case('meetrtspsrc', 'protocols=udp', 'protocols=udp')


def case_relay_meetrtspsrc_tcp():
    relay_case('meetrtspsrc', 'protocols=tcp', 'protocols=tcp', vpay='meetjpegpay', apay='meetpcmpay')


def case_relay_rtspsrc_udp():
    relay_case('rtspsrc', 'protocols=udp', 'protocols=tcp')


def case_relay_rtspsrc_tcp():
    relay_case('rtspsrc', 'protocols=tcp', 'protocols=udp')


def case_relay_sender_reports():
    """The publisher's rtpbin sends RTCP sender reports; the relay hands them to a reader as they are."""
    from rtsp_sink_util import Client
    server = meet_server()
    try:
        url = server.url + '/srs'
        publisher = Publisher(url, 'protocols=udp').play()
        try:
            publisher.wait_for('recording', lambda: publisher.sink.get_property('recording'))
            rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp.bind(('127.0.0.1', 0))
            rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtcp.bind(('127.0.0.1', 0))
            reader = Client(server.port)
            r = reader.request('SETUP', url + '/stream=0', {
                'Transport': 'RTP/AVP;unicast;client_port=%d-%d' % (rtp.getsockname()[1], rtcp.getsockname()[1])})
            assert r.code == 200, r
            reader.session = r.session()
            assert reader.request('PLAY', url).code == 200
            rtcp.settimeout(1)
            srs = 0
            deadline = time.monotonic() + WAIT
            ssrc = None
            while srs < 2 and time.monotonic() < deadline:
                publisher.poll(0)
                try:
                    data = rtcp.recv(65536)
                except socket.timeout:
                    continue
                if len(data) >= 8 and data[1] == 200:
                    srs += 1
                    ssrc = data[4:8].hex()
            assert srs >= 2, 'no RTCP sender reports reached the reader'
            # The SR speaks of the stream's own SSRC: that of the RTP the reader gets.
            rtp.settimeout(5)
            packet = rtp.recv(65536)
            assert packet[8:12].hex() == ssrc, (packet[8:12].hex(), ssrc)
            reader.close()
            rtp.close()
            rtcp.close()
        finally:
            publisher.stop()
    finally:
        server.stop()


def case_record_sender_reports():
    """gst-rtsp-server's rtpbin hears a sender report for every stream, over UDP and TCP."""
    for protocols in ('udp', 'tcp'):
        with RecordServer() as server:
            publisher = Publisher(server.url(), 'protocols=' + protocols).play()
            try:
                publisher.wait_for('SRs of both streams (%s)' % protocols,
                                   lambda: {line.split()[1] for line in server.lines('SR ')} == {'0', '1'})
            finally:
                publisher.stop()


# --------------------------------------------------------------------------------------------------
# Errors a user can act on

def case_auth():
    for scheme in ('--basic', '--digest'):
        with RecordServer(scheme, 'alice:secret') as server:
            message = expect_error(Publisher(server.url(), 'retry=0'), 'requires authentication', 'user')
            message = expect_error(Publisher(server.url('alice:wrong'), 'retry=0'), "rejected user 'alice'",
                                   'check user and password')
            # Right credentials, in the URL and as properties.
            publisher = Publisher(server.url('alice:secret'), '').play()
            try:
                publisher.wait_for('frames (%s, URL credentials)' % scheme, lambda: server.count('video') >= 10)
            finally:
                publisher.stop()
            before = server.count('video')
            publisher = Publisher(server.url(), 'user=alice password=secret protocols=tcp').play()
            try:
                publisher.wait_for('frames (%s, properties)' % scheme, lambda: server.count('video') >= before + 10)
            finally:
                publisher.stop()
            del message


def case_auth_meet():
    """meetrtspsink with user/password: 401 without them, publishing with them."""
    server = meet_server('allow-publish=true user=alice password=secret')
    try:
        expect_error(Publisher(server.url + '/a', 'retry=0'), 'requires authentication')
        publisher = Publisher(server.url.replace('rtsp://', 'rtsp://alice:secret@') + '/a', '').play()
        try:
            publisher.wait_for('recording', lambda: publisher.sink.get_property('recording'))
        finally:
            publisher.stop()
    finally:
        server.stop()


def case_forbidden():
    server = FakeServer(refusing('ANNOUNCE', 403, 'Forbidden'))
    try:
        expect_error(Publisher(server.url(), 'retry=3'), 'does not allow us to publish', '403', server.url())
        assert server.methods().count('ANNOUNCE') == 1, 'a refusal was retried: %s' % server.methods()
    finally:
        server.stop()


def case_not_found():
    server = FakeServer(refusing('ANNOUNCE', 404, 'Not Found'))
    try:
        expect_error(Publisher(server.url(), 'retry=0'), 'takes no publishers at this path', '404')
    finally:
        server.stop()


def case_publishing_off():
    """meetrtspsink without allow-publish answers ANNOUNCE with 405."""
    server = meet_server('session-timeout=10')
    try:
        expect_error(Publisher(server.url + '/bob', 'retry=2'), 'takes no publishers at this path', '405')
    finally:
        server.stop()


def case_name_taken():
    """Someone else (another address) publishes as bob: meetrtspsink's 409 and its words in the error."""
    from rtsp_sink_util import Client
    server = meet_server()
    try:
        url = server.url + '/bob'
        holder = socket.socket()
        holder.bind(('127.0.0.2', 0))
        holder.connect(('127.0.0.1', server.port))
        client = Client.__new__(Client)
        client.sock, client.cseq, client.buf, client.frames, client.session = holder, 0, b'', {}, None
        sdp = ('v=0\r\no=- 0 0 IN IP4 127.0.0.2\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\n'
               'a=control:streamid=0\r\n').encode()
        assert client.request('ANNOUNCE', url, {'Content-Type': 'application/sdp'}, body=sdp).code == 200
        message = expect_error(Publisher(url, 'retry=2'), 'is taken', '409', 'another name',
                               'the name bob is taken by another participant')
        print(message)
        client.close()
    finally:
        server.stop()


def case_name_taken_fake():
    server = FakeServer(refusing('ANNOUNCE', 409, 'Conflict', 'bob is live from another laptop'))
    try:
        expect_error(Publisher(server.url(), 'retry=0'), 'bob is live from another laptop', '409')
    finally:
        server.stop()


def case_unreachable():
    port = free_port()      # nobody listens there
    expect_error(Publisher('rtsp://127.0.0.1:%d/x' % port, 'retry=0'), 'cannot reach', '127.0.0.1:%d' % port)
    # With retries, it still ends with an error (after 0.5 + 1 s of backoff).
    publisher = Publisher('rtsp://127.0.0.1:%d/x' % port, 'retry=2')
    expect_error(publisher, 'cannot reach')
    assert len([w for w in publisher.warnings if 'Reconnecting' in w]) == 2, publisher.warnings


def case_silent_server():
    """A server that accepts and never answers: an error after timeout, not a hang."""
    server = FakeServer(lambda *_: None)
    try:
        expect_error(Publisher(server.url(), 'retry=0 timeout=2000'), 'did not answer')
    finally:
        server.stop()


def case_bad_answers():
    """Garbage, a huge Content-Length, a truncated answer: errors that name the server, never a hang."""
    words = {'garbage': 'not RTSP', 'huge': 'larger than 64 KiB', 'truncated': 'did not answer'}
    answers = {
        'garbage': lambda *_: b'\x00\xffHELLO garbage\r\n\r\n' * 3,
        'huge': lambda method, cseq, *_: (b'RTSP/1.0 200 OK\r\nCSeq: ' + cseq.encode() +
                                          b'\r\nContent-Length: 900000000\r\n\r\n' + b'x' * 70000),
        'truncated': lambda method, cseq, *_: (b'RTSP/1.0 200 OK\r\nCSeq: ' + cseq.encode() +
                                               b'\r\nContent-Length: 5000\r\n\r\nv=0\r\n'),
    }
    for name, answer in answers.items():
        server = FakeServer(answer)
        try:
            message = expect_error(Publisher(server.url(), 'retry=0 timeout=2000'), server.url(), words[name])
            print(name, '->', message.split('|')[0])
        finally:
            server.stop()


def case_bad_location():
    pipeline = Gst.parse_launch('videotestsrc ! jpegenc ! rtpjpegpay ! meetrtspclientsink name=s location=http://x/')
    assert pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE
    msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
    assert msg and 'No RTSP URL' in msg.parse_error()[0].message, msg
    pipeline.set_state(Gst.State.NULL)


# --------------------------------------------------------------------------------------------------
# Lifecycle: retry, TEARDOWN, keep-alive

def case_retry():
    """The server goes away mid-publish and comes back on the same port: ANNOUNCE again, frames again,
    the same pads and links."""
    server = RecordServer().start()
    port = server.port
    publisher = Publisher(server.url(), 'retry=20').play()
    try:
        publisher.wait_for('frames', lambda: server.count('video') >= 15)
        pads = [(p.get_name(), p.get_peer()) for p in publisher.sink.sinkpads]
        server.stop()
        publisher.wait_for('the loss noticed', lambda: not publisher.sink.get_property('recording'))
        publisher.poll(1.0)
        server = RecordServer(port=port).start()
        publisher.wait_for('frames after the server came back', lambda: server.count('video') >= 15)
        assert server.requests()[:2] == ['OPTIONS', 'ANNOUNCE'], server.requests()
        assert [(p.get_name(), p.get_peer()) for p in publisher.sink.sinkpads] == pads
        assert any('Reconnecting' in w for w in publisher.warnings), publisher.warnings
        assert not publisher.errors, publisher.errors
    finally:
        publisher.stop()
        server.stop()


def case_retry_gives_up():
    server = RecordServer().start()
    publisher = Publisher(server.url(), 'retry=1').play()
    try:
        publisher.wait_for('frames', lambda: server.count('video') >= 10)
        server.stop()
        message = publisher.wait_error(seconds=WAIT)
        assert 'Lost the RTSP server' in message or 'cannot reach' in message, message
    finally:
        publisher.stop()
        server.stop()


def case_teardown_eos():
    with RecordServer() as server:
        publisher = Publisher(server.url(), '').play()
        try:
            publisher.wait_for('frames', lambda: server.count('video') >= 10)
            publisher.pipeline.send_event(Gst.Event.new_eos())
            publisher.wait_for('EOS', lambda: publisher.eos)
            # TEARDOWN went out before the EOS message.
            assert 'TEARDOWN' in server.requests(), server.requests()
        finally:
            publisher.stop()


def case_teardown_stop():
    for protocols in ('udp', 'tcp'):
        with RecordServer() as server:
            publisher = Publisher(server.url(), 'protocols=' + protocols).play()
            try:
                publisher.wait_for('frames', lambda: server.count('video') >= 10)
                assert publisher.pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.SUCCESS
                assert wait_until(lambda: 'TEARDOWN' in server.requests(), 10), server.requests()
                assert not publisher.sink.get_property('recording')
                # And again from READY: a new session.
                publisher.play()
                publisher.wait_for('RECORD again', lambda: server.requests().count('RECORD') == 2)
            finally:
                publisher.stop()
            assert server.requests().count('TEARDOWN') == 2, server.requests()


def case_keepalive():
    """A session timeout of 4 s: keep-alives at half of it, the session outlives several timeouts."""
    with RecordServer('--session-timeout', '4') as server:
        publisher = Publisher(server.url(), 'protocols=tcp').play()
        try:
            publisher.wait_for('RECORD', lambda: 'RECORD' in server.requests())
            publisher.wait_for('three keep-alives',
                               lambda: len(keepalives(server)) >= 3, seconds=WAIT)
            frames = server.count('video')
            publisher.wait_for('frames still', lambda: server.count('video') >= frames + 10)
            assert 'TEARDOWN' not in server.requests()
            assert not publisher.warnings, publisher.warnings
        finally:
            publisher.stop()
        print('after RECORD:', server.requests())


def case_pads_change():
    """A pad requested while publishing: TEARDOWN, ANNOUNCE again with every stream; the old pad keeps
    its link and frames."""
    server = FakeServer(refusing('NONE', 0, ''))
    publisher = Publisher(server.url(), 'protocols=tcp', audio=False).play()
    try:
        publisher.wait_for('video packets', lambda: server.frames.get(0, 0) >= 20)
        audio = Gst.parse_bin_from_description(
            'audiotestsrc is-live=true samplesperbuffer=320 ! audio/x-raw,format=S16BE,rate=16000,channels=1 '
            '! rtpL16pay', True)
        publisher.pipeline.add(audio)
        pad = publisher.sink.request_pad_simple('sink_%u')
        assert pad.get_name() == 'sink_1', pad.get_name()
        assert audio.get_static_pad('src').link(pad) == Gst.PadLinkReturn.OK
        audio.sync_state_with_parent()
        video = server.frames.get(0, 0)
        publisher.wait_for('audio and video after the second ANNOUNCE',
                           lambda: server.frames.get(2, 0) >= 20 and server.frames.get(0, 0) >= video + 20)
        methods = server.methods()
        announces = [i for i, m in enumerate(methods) if m == 'ANNOUNCE']
        assert len(announces) == 2 and 'TEARDOWN' in methods[announces[0]:announces[1]], methods
        streams = [server.bodies[i].count(b'\nm=') for i in announces]
        assert streams == [1, 2], streams
        assert not publisher.errors, publisher.errors
    finally:
        publisher.stop()
        server.stop()


def keepalives(server):
    requests = server.requests()
    after = requests[requests.index('RECORD') + 1:] if 'RECORD' in requests else []
    return [r for r in after if r in ('GET_PARAMETER', 'OPTIONS')]


# --------------------------------------------------------------------------------------------------
# Documentation and the URI handler

def case_inspect():
    out = subprocess.run(['gst-inspect-1.0', 'meetrtspclientsink'], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for needle in ('Long-name', 'RTSP publisher', 'Sink/Network', 'ANNOUNCE', 'Element can act as sink.',
                   'Supported URI protocols:', 'rtsp', 'sink_%u', 'Availability: On request',
                   'application/x-rtp'):
        assert needle in text, 'gst-inspect lacks %r' % needle
    factory = Gst.ElementFactory.find('meetrtspclientsink')
    assert factory.get_rank() == Gst.Rank.NONE
    element = factory.create(None)
    for pspec in element.list_properties():
        if pspec.owner_type.name == 'MeetRtspClientSink':
            assert pspec.blurb and len(pspec.blurb) > 20, pspec.name
            assert pspec.name in text, pspec.name
    for prop in ('location', 'user', 'password', 'protocols', 'timeout', 'retry', 'recording'):
        assert element.find_property(prop), prop


def case_uri_handler():
    factory = Gst.ElementFactory.find('meetrtspclientsink')
    assert factory.get_uri_type() == Gst.URIType.SINK
    assert list(factory.get_uri_protocols()) == ['rtsp', 'rtsps'], factory.get_uri_protocols()
    element = factory.create(None)
    assert isinstance(element, Gst.URIHandler)
    uri = 'rtsp://bob:secret@127.0.0.1:8554/meet/bob'
    assert element.set_uri(uri)
    assert element.get_uri() == uri and element.get_property('location') == uri
    for bad, words in (('http://127.0.0.1/x', 'not supported'), ('rtsp://', 'not an RTSP URL')):
        try:
            element.set_uri(bad)
            raise AssertionError('%s was taken' % bad)
        except gi.repository.GLib.Error as e:
            assert words in e.message, e.message
        assert element.get_uri() == uri
    # Rank none keeps GStreamer's own rtspclientsink the default for make_from_uri; ours is
    # built from a URI through the URI handler of an element made by name.
    made = Gst.Element.make_from_uri(Gst.URIType.SINK, uri, None)
    print('make_from_uri picks', made.get_factory().get_name() if made else None)
    if made is not None:
        assert made.get_factory().get_name() in ('rtspclientsink', 'meetrtspclientsink')
    # A bin built from a description with the URI works as a sink.
    with RecordServer('--video-only') as server:
        pipeline = Gst.parse_launch('videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120 '
                                    '! jpegenc ! rtpjpegpay ! meetrtspclientsink name=s')
        pipeline.get_by_name('s').set_uri(server.url())
        pipeline.set_state(Gst.State.PLAYING)
        try:
            assert wait_until(lambda: server.count('video') >= 10), server.events[-5:]
        finally:
            pipeline.set_state(Gst.State.NULL)


def case_no_caps_warning():
    """A pad requested but nothing flows: a warning naming the missing payloader, a clean stop."""
    with RecordServer() as server:
        pipeline = Gst.Pipeline()
        sink = Gst.ElementFactory.make('meetrtspclientsink')
        sink.set_property('timeout', 1000)
        sink.set_property('location', server.url())
        pipeline.add(sink)
        pad = sink.request_pad_simple('sink_0')
        pipeline.set_state(Gst.State.PLAYING)
        bus = pipeline.get_bus()
        msg = bus.timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.WARNING | Gst.MessageType.ERROR)
        assert msg and msg.type == Gst.MessageType.WARNING, msg
        assert 'payloader' in msg.parse_warning()[1], msg.parse_warning()
        # EOS without ever publishing: the application still gets its EOS.
        pad.send_event(Gst.Event.new_stream_start('x'))
        segment = Gst.Segment()
        segment.init(Gst.Format.TIME)
        pad.send_event(Gst.Event.new_segment(segment))
        pad.send_event(Gst.Event.new_eos())
        msg = bus.timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
        assert msg and msg.type == Gst.MessageType.EOS, msg
        assert 'ANNOUNCE' not in server.requests(), server.requests()
        done = threading.Event()
        threading.Thread(target=lambda: (pipeline.set_state(Gst.State.NULL), done.set()), daemon=True).start()
        assert done.wait(STOP), 'did not stop'


CASES = {name[5:]: fn for name, fn in list(globals().items()) if name.startswith('case_')}

if __name__ == '__main__':
    Gst.init(None)
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print('usage: %s {%s}' % (sys.argv[0], ','.join(CASES)), file=sys.stderr)
        sys.exit(2)
    if sys.argv[1].startswith('ffmpeg') and subprocess.run(['which', 'ffmpeg'], capture_output=True).returncode:
        print('SKIP: ffmpeg not installed')
        sys.exit(SKIP)
    CASES[sys.argv[1]]()
    print('ok')
