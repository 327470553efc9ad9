#!/usr/bin/env python3
"""A gst-rtsp-server in RECORD mode: the peer meetrtspclientsink publishes into (tests/rtsp_publish.py).

Takes ANNOUNCE/SETUP mode=record/RECORD at /x (and any path given with --path), decodes what arrives
and prints what it sees on stdout, one event a line, so a test can follow along:

  PORT <n>                      listening
  REQUEST <METHOD> [<transport>] a request of a client (SETUP with its Transport header)
  FRAME video <count>           a JPEG frame decoded (jpegdec)
  FRAME audio <count>           every 10th L16 buffer depayloaded
  SR <stream> <ssrc>            an RTCP sender report arrived for announced stream <stream>
  SESSION-TIMEOUT <s>           a session was made with this timeout
  RESPONSE <code>               the server answered a request with <code>

  --port N              listen on N (default 0: the OS picks a free port)
  --protocols P         udp, tcp or udp+tcp (default): SETUP with another transport gets 461
  --digest U:P / --basic U:P   require authentication of user U with password P
  --session-timeout S   sessions expire after S seconds without a request
  --video-only          the announced SDP has one stream (video), not video + audio
  --tls-cert F [--tls-key K]   serve rtsps:// with the PEM certificate F (and key K, or in F)
  --profiles P          avp (default), savp (SRTP only: keys from the SETUP's KeyMgmt) or avp+savp
  --play                a media factory that plays a live JPEG video (for RTSP clients) instead

gst-rtsp-server maps the announced streams, in SDP order, to the elements named depay0, depay1.
"""
import argparse
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstRtsp', '1.0')
from gi.repository import Gst, GstRtsp, GstRtspServer  # noqa: E402
from gst_rtsp_peer import (allow_user, loopback_server, lower_transports, require_password, say,  # noqa: E402
                           serve, user_token)

# decodebin picks the depayloader and decoder from the announced caps, whichever stream lands on which
# depay element; the sink tells video from audio by the caps of what it gets.
STREAM = 'decodebin name=depay{n} ! fakesink name=sink{n} sync=false signal-handoffs=true'


def watch_media(media):
    counts = {'video': 0, 'audio': 0}
    element = media.get_element()

    def on_handoff(_sink, _buffer, pad):
        caps = pad.get_current_caps()
        kind = caps.get_structure(0).get_name().split('/')[0] if caps else ''
        if kind not in counts:
            return
        counts[kind] += 1
        if kind == 'video' or counts[kind] % 10 == 0:
            say('FRAME %s %d' % (kind, counts[kind]))
    for n in range(2):
        sink = element.get_by_name('sink%d' % n)
        if sink is not None:
            sink.connect('handoff', on_handoff)

    def on_prepared(media):
        for i in range(media.n_streams()):
            session = media.get_stream(i).get_rtpsession()
            if session is None:
                continue

            def on_rtcp(_session, buffer, index=i):
                data = buffer.extract_dup(0, buffer.get_size())
                # A compound packet: walk it for PT 200 (SR).
                pos = 0
                while pos + 8 <= len(data):
                    pt = data[pos + 1]
                    length = (int.from_bytes(data[pos + 2:pos + 4], 'big') + 1) * 4
                    if pt == 200:
                        say('SR %d %08x' % (index, int.from_bytes(data[pos + 4:pos + 8], 'big')))
                    pos += length
            session.connect('on-receiving-rtcp', on_rtcp)
    media.connect('prepared', on_prepared)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--path', default='/x')
    parser.add_argument('--protocols', default='udp+tcp')
    parser.add_argument('--digest')
    parser.add_argument('--basic')
    parser.add_argument('--session-timeout', type=int, default=0)
    parser.add_argument('--video-only', action='store_true')
    parser.add_argument('--tls-cert')
    parser.add_argument('--tls-key')
    parser.add_argument('--play', action='store_true')
    parser.add_argument('--profiles', default='avp', help='avp, savp or avp+savp (SRTP publishers)')
    args = parser.parse_args()

    Gst.init(None)
    server = loopback_server(args.port)

    factory = GstRtspServer.RTSPMediaFactory()
    if args.play:
        factory.set_shared(True)
        factory.set_launch('( videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,framerate=15/1 '
                           '! jpegenc ! rtpjpegpay name=pay0 pt=96 )')
    else:
        factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
        factory.set_launch('( %s )' % ' '.join(STREAM.format(n=n) for n in range(1 if args.video_only else 2)))
    factory.set_protocols(lower_transports(args.protocols))
    if args.profiles != 'avp':
        profiles = GstRtsp.RTSPProfile(0)
        if 'savp' in args.profiles.split('+'):
            profiles |= GstRtsp.RTSPProfile.SAVP
        if 'avp' in args.profiles.split('+'):
            profiles |= GstRtsp.RTSPProfile.AVP
        factory.set_profiles(profiles)
    if not args.play:
        factory.connect('media-configure', lambda _factory, media: watch_media(media))

    if args.digest or args.basic or args.tls_cert:
        auth = GstRtspServer.RTSPAuth()
        token = user_token()
        if args.tls_cert:
            gi.require_version('Gio', '2.0')
            from gi.repository import Gio
            if args.tls_key:
                cert = Gio.TlsCertificate.new_from_files(args.tls_cert, args.tls_key)
            else:
                cert = Gio.TlsCertificate.new_from_file(args.tls_cert)
            auth.set_tls_certificate(cert)
        if not (args.digest or args.basic):
            auth.set_default_token(token)   # TLS only: anyone may play or record
        else:
            require_password(auth, token, args.digest, args.basic)
        server.set_auth(auth)
        allow_user(factory)
    server.get_mount_points().add_factory(args.path, factory)

    def on_request(_client, ctx, method):
        extra = ''
        if method == 'SETUP':
            res, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
            extra = ' ' + value if res == GstRtsp.RTSPResult.OK else ''
        say('REQUEST %s%s' % (method, extra))

    def on_send(_client, _ctx, message):
        if message.get_type() == GstRtsp.RTSPMsgType.RESPONSE:
            say('RESPONSE %d' % int(message.parse_response()[1]))

    def on_new_session(_client, session):
        if args.session_timeout:
            session.set_timeout(args.session_timeout)
        say('SESSION-TIMEOUT %d' % session.get_timeout())

    def on_client(_server, client):
        client.connect('new-session', on_new_session)
        client.connect('send-message', on_send)
        for signal, method in (('options-request', 'OPTIONS'), ('announce-request', 'ANNOUNCE'),
                               ('setup-request', 'SETUP'), ('record-request', 'RECORD'),
                               ('teardown-request', 'TEARDOWN'), ('get-parameter-request', 'GET_PARAMETER'),
                               ('set-parameter-request', 'SET_PARAMETER')):
            client.connect(signal, on_request, method)
    server.connect('client-connected', on_client)

    return serve(server)


if __name__ == '__main__':
    sys.exit(main())
