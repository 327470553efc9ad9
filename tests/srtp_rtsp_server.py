#!/usr/bin/env python3
"""gst-rtsp-server over rtsps:// playing a live JPEG video, its media as SRTP (RTP/SAVP) the way
gst-rtsp-server does it: the media factory's profiles set to SAVP, each stream's srtpenc with a
random key, the key in the SDP as a=key-mgmt:mikey (for tests/test_srtp_client.py).

Prints one event a line on stdout:
  PORT <n>                  listening
  REQUEST SETUP <transport> a client's SETUP and its Transport header
  KEYMGMT <ssrc>            that SETUP handed over the client's SRTCP key for <ssrc> (KeyMgmt)
  REPLY-TRANSPORT <transport> the Transport of the server's answer to it
  RTCP-RR <ssrc>            a receiver report of <ssrc> reached the RTP session (decrypted: with
                            SAVP, srtpdec drops what it has no key for)

  --tls-cert F --tls-key K  the PEM certificate and key to serve rtsps:// with
  --profile savp|avp        what the factory offers (default savp; avp: plain RTP beside TLS)
  --protocols udp|tcp|udp+tcp  lower transports allowed (default udp)
  --port N                  listen on N (default 0: the OS picks)
"""
import argparse
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402
from gst_rtsp_peer import allow_user, loopback_server, lower_transports, say, serve, user_token  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--tls-cert', required=True)
    parser.add_argument('--tls-key', required=True)
    parser.add_argument('--profile', default='savp', choices=['savp', 'avp'])
    parser.add_argument('--protocols', default='udp')
    parser.add_argument('--port', type=int, default=0)
    args = parser.parse_args()

    Gst.init(None)
    server = loopback_server(args.port)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_shared(True)
    factory.set_launch('( videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,'
                       'framerate=15/1 ! jpegenc ! rtpjpegpay name=pay0 pt=96 )')
    factory.set_profiles(GstRtsp.RTSPProfile.SAVP if args.profile == 'savp' else GstRtsp.RTSPProfile.AVP)
    factory.set_protocols(lower_transports(args.protocols))

    auth = GstRtspServer.RTSPAuth()
    auth.set_tls_certificate(Gio.TlsCertificate.new_from_files(args.tls_cert, args.tls_key))
    auth.set_default_token(user_token())
    server.set_auth(auth)
    allow_user(factory)
    server.get_mount_points().add_factory('/x', factory)

    def on_setup(_client, ctx):
        res, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
        say('REQUEST SETUP %s' % (value if res == GstRtsp.RTSPResult.OK else ''))
        res, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.KEYMGMT, 0)
        if res == GstRtsp.RTSPResult.OK:
            # MIKEY's common header (RFC 3830 6.1): the first crypto session's SSRC at bytes 11-14
            # (after version, type, next payload, V/PRF, CSB ID, #CS, map type, policy).
            data = GLib.base64_decode(value.split('data=', 1)[1].strip('"; '))
            say('KEYMGMT %08x' % int.from_bytes(data[11:15], 'big'))

    def on_prepared(media):
        for i in range(media.n_streams()):
            session = media.get_stream(i).get_rtpsession()

            def on_rtcp(_session, buffer):
                data = buffer.extract_dup(0, buffer.get_size())
                pos = 0
                while pos + 8 <= len(data):
                    if data[pos + 1] == 201:
                        say('RTCP-RR %08x' % int.from_bytes(data[pos + 4:pos + 8], 'big'))
                    pos += (int.from_bytes(data[pos + 2:pos + 4], 'big') + 1) * 4
            if session is not None:
                session.connect('on-receiving-rtcp', on_rtcp)
    factory.connect('media-configure', lambda _factory, media: media.connect('prepared', on_prepared))

    def on_send(_client, _ctx, message):
        if message.get_type() != GstRtsp.RTSPMsgType.RESPONSE:
            return
        res, value = message.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
        if res == GstRtsp.RTSPResult.OK:
            say('REPLY-TRANSPORT %s' % value)

    def on_client(_server, client):
        client.connect('setup-request', on_setup)
        client.connect('send-message', on_send)
    server.connect('client-connected', on_client)

    return serve(server)


if __name__ == '__main__':
    sys.exit(main())
