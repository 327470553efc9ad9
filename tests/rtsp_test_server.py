#!/usr/bin/env python3
"""A gst-rtsp-server peer for the meetrtspsrc tests.

Serves /test as JPEG video (rtpjpegpay, pt 26) + L16 stereo audio (rtpL16pay, pt 96).
Prints "PORT <n>" on stdout once listening, then serves until killed.

  --port N        listen on N (default 0: the OS picks a free port)
  --tcp-only      refuse UDP transports (SETUP with UDP gets 461)
  --digest U:P    require Digest authentication for user U with password P
  --lipsync       video flashes white and audio beeps on the same 1 s boundaries
"""
import argparse
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstRtsp', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

NORMAL = ('( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 '
          '! jpegenc ! rtpjpegpay name=pay0 pt=26 '
          'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=48000,channels=2 '
          '! audioconvert ! audio/x-raw,format=S16BE ! rtpL16pay name=pay1 pt=96 )')


class LipSyncFactory(GstRtspServer.RTSPMediaFactory):
    """appsrc pairs generating one flash + one beep at each whole second of the same clock."""

    def do_create_element(self, url):
        bin_ = Gst.parse_launch(
            '( appsrc name=v is-live=true format=time do-timestamp=false '
            'caps=video/x-raw,format=I420,width=160,height=120,framerate=30/1 '
            '! jpegenc ! rtpjpegpay name=pay0 pt=26 '
            'appsrc name=a is-live=true format=time do-timestamp=false '
            'caps=audio/x-raw,format=S16BE,rate=48000,channels=1,layout=interleaved '
            '! rtpL16pay name=pay1 pt=96 max-ptime=10000000 )')
        return bin_

    def do_configure(self, media):
        element = media.get_element()
        v = element.get_by_name('v')
        a = element.get_by_name('a')
        state = {'vframe': 0, 'asample': 0}
        frame = 160 * 120

        def need_video(src, _length):
            n = state['vframe']
            pts = n * Gst.SECOND // 30
            # First frame of every second is white, the rest black: the flash onset is at k s.
            flash = n % 30 == 0
            y = bytes([235 if flash else 16]) * frame
            uv = bytes([128]) * (frame // 2)
            buf = Gst.Buffer.new_wrapped(y + uv)
            buf.pts = pts
            buf.duration = Gst.SECOND // 30
            state['vframe'] = n + 1
            src.emit('push-buffer', buf)

        def need_audio(src, _length):
            # 10 ms chunks; first 100 ms of every second is a loud square beep, else silence.
            s0 = state['asample']
            chunk = 480
            data = bytearray()
            for i in range(chunk):
                pos = (s0 + i) % 48000
                if pos < 4800:
                    val = 20000 if (pos // 24) % 2 == 0 else -20000
                else:
                    val = 0
                data += int(val).to_bytes(2, 'big', signed=True)
            buf = Gst.Buffer.new_wrapped(bytes(data))
            buf.pts = s0 * Gst.SECOND // 48000
            buf.duration = chunk * Gst.SECOND // 48000
            state['asample'] = s0 + chunk
            src.emit('push-buffer', buf)

        v.connect('need-data', need_video)
        a.connect('need-data', need_audio)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--tcp-only', action='store_true')
    parser.add_argument('--digest')
    parser.add_argument('--lipsync', action='store_true')
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    if args.lipsync:
        factory = LipSyncFactory()
    else:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(NORMAL)
    factory.set_shared(True)
    if args.tcp_only:
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if args.digest:
        user, password = args.digest.split(':', 1)
        auth = GstRtspServer.RTSPAuth()
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, 'user')
        auth.add_digest(user, password, token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        permissions.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(permissions)
    server.get_mount_points().add_factory('/test', factory)
    if server.attach(None) == 0:
        print('could not listen', file=sys.stderr)
        return 1
    print('PORT %d' % server.get_bound_port(), flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
