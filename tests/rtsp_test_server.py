#!/usr/bin/env python3
"""A gst-rtsp-server peer for the meetrtspsrc tests.

Serves /test as JPEG video (rtpjpegpay, pt 26) + L16 stereo audio (rtpL16pay, pt 96).
Prints "PORT <n>" on stdout once listening, then serves until killed.

  --port N        listen on N (default 0: the OS picks a free port)
  --tcp-only      refuse UDP transports (SETUP with UDP gets 461)
  --digest U:P    require Digest authentication for user U with password P
  --basic U:P     require Basic authentication for user U with password P
  --lipsync       video flashes white and audio beeps on the same 1 s boundaries
  --meet          serve with our meetrtspsink + meetjpegpay + meetpcmpay instead of
                  gst-rtsp-server (--tcp-only is not available there)
  --session-timeout S   sessions expire after S seconds without a request; every
                  GET_PARAMETER/OPTIONS request inside a session prints "KEEPALIVE <method>"
"""
import argparse
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstRtsp', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402
from gst_rtsp_peer import allow_user, loopback_server, require_password, serve, user_token  # noqa: E402

NORMAL = ('( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 '
          '! jpegenc ! rtpjpegpay name=pay0 pt=26 '
          'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=48000,channels=2 '
          '! audioconvert ! audio/x-raw,format=S16BE ! rtpL16pay name=pay1 pt=96 )')


class LipSyncFactory(GstRtspServer.RTSPMediaFactory):
    """Two appsrcs sharing one time base: a white frame and the start of a 100 ms beep
    carry the same timestamp at every whole second; clocksync paces them in real time."""

    def do_create_element(self, url):
        return Gst.parse_launch(
            '( appsrc name=v is-live=true format=time do-timestamp=false max-buffers=2 '
            'caps=video/x-raw,format=I420,width=160,height=120,framerate=30/1 '
            '! clocksync ! jpegenc ! rtpjpegpay name=pay0 pt=26 '
            'appsrc name=a is-live=true format=time do-timestamp=false max-buffers=2 '
            'caps=audio/x-raw,format=S16BE,rate=48000,channels=1,layout=interleaved '
            '! clocksync ! rtpL16pay name=pay1 pt=96 )')

    def do_configure(self, media):
        self.feed(media.get_element())

    @staticmethod
    def feed(element):
        state = {'vframe': 0, 'asample': 0, 'base': None}
        frame = 160 * 120
        black = bytes([16]) * frame + bytes([128]) * (frame // 2)
        white = bytes([235]) * frame + bytes([128]) * (frame // 2)
        chunk = 480
        silence = bytes(2 * chunk)
        beep = b''.join(int(v).to_bytes(2, 'big', signed=True)
                        for i in range(chunk) for v in [20000 if (i // 24) % 2 == 0 else -20000])

        def base(src):
            # One running-time origin for both streams, taken when the first one asks.
            if state['base'] is None:
                clock = src.get_clock()
                now = clock.get_time() - src.get_base_time() if clock else 0
                state['base'] = max(now, 0)
            return state['base']

        def need_video(src, _length):
            n = state['vframe']
            buf = Gst.Buffer.new_wrapped(white if n % 30 == 0 else black)
            buf.pts = base(src) + n * Gst.SECOND // 30
            buf.duration = Gst.SECOND // 30
            state['vframe'] = n + 1
            src.emit('push-buffer', buf)

        def need_audio(src, _length):
            s0 = state['asample']
            buf = Gst.Buffer.new_wrapped(beep if s0 % 48000 < 4800 else silence)
            buf.pts = base(src) + s0 * Gst.SECOND // 48000
            buf.duration = chunk * Gst.SECOND // 48000
            state['asample'] = s0 + chunk
            src.emit('push-buffer', buf)

        element.get_by_name('v').connect('need-data', need_video)
        element.get_by_name('a').connect('need-data', need_audio)


MEET_NORMAL = ('videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,'
               'framerate=30/1 ! jpegenc ! meetjpegpay ! sink.sink_0 '
               'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=48000,channels=2 ! audioconvert '
               '! audio/x-raw,format=S16BE ! meetpcmpay ! sink.sink_1 ')
MEET_LIPSYNC = ('appsrc name=v is-live=true format=time do-timestamp=false max-buffers=2 '
                'caps=video/x-raw,format=I420,width=160,height=120,framerate=30/1 '
                '! clocksync ! jpegenc ! meetjpegpay ! sink.sink_0 '
                'appsrc name=a is-live=true format=time do-timestamp=false max-buffers=2 '
                'caps=audio/x-raw,format=S16BE,rate=48000,channels=1,layout=interleaved '
                '! clocksync ! meetpcmpay ! sink.sink_1 ')


def serve_meet(args):
    """The same streams from our own server element, meetrtspsink."""
    desc = (MEET_LIPSYNC if args.lipsync else MEET_NORMAL) + \
        'meetrtspsink name=sink address=127.0.0.1 path=/test port=%d' % args.port
    pipeline = Gst.parse_launch(desc)
    sink = pipeline.get_by_name('sink')
    if args.digest:
        user, password = args.digest.split(':', 1)
        sink.set_property('user', user)
        sink.set_property('password', password)
    if args.session_timeout:
        sink.set_property('session-timeout', args.session_timeout)
    if args.lipsync:
        LipSyncFactory.feed(pipeline)
    if pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.FAILURE:
        print('could not listen', file=sys.stderr)
        return 1
    print('PORT %d' % sink.get_property('bound-port'), flush=True)
    pipeline.set_state(Gst.State.PLAYING)
    loop = GLib.MainLoop()

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            print('server error:', msg.parse_error()[0].message, file=sys.stderr)
            loop.quit()
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--tcp-only', action='store_true')
    parser.add_argument('--digest')
    parser.add_argument('--basic')
    parser.add_argument('--lipsync', action='store_true')
    parser.add_argument('--session-timeout', type=int, default=0)
    parser.add_argument('--meet', action='store_true')
    args = parser.parse_args()

    Gst.init(None)
    if args.meet:
        return serve_meet(args)
    server = loopback_server(args.port)
    if args.lipsync:
        factory = LipSyncFactory()
    else:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(NORMAL)
    factory.set_shared(True)
    if args.tcp_only:
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if args.digest or args.basic:
        auth = GstRtspServer.RTSPAuth()
        require_password(auth, user_token(), args.digest, args.basic)
        server.set_auth(auth)
        allow_user(factory)
    server.get_mount_points().add_factory('/test', factory)
    if args.session_timeout:
        def on_new_session(_client, session):
            session.set_timeout(args.session_timeout)

        def on_keepalive(_client, ctx, method):
            if ctx.request.get_header(GstRtsp.RTSPHeaderField.SESSION, 0)[0] == GstRtsp.RTSPResult.OK:
                print('KEEPALIVE %s' % method, flush=True)

        def on_client(_server, client):
            client.connect('new-session', on_new_session)
            client.connect('get-parameter-request', on_keepalive, 'GET_PARAMETER')
            client.connect('options-request', on_keepalive, 'OPTIONS')
        server.connect('client-connected', on_client)
    return serve(server)


if __name__ == '__main__':
    sys.exit(main())
