"""What the gst-rtsp-server peers share (tests/rtsp_record_server.py, tests/rtsp_test_server.py,
tests/srtp_rtsp_server.py): event lines on stdout, the lower transports from a --protocols value,
a loopback server, a user role that may play and record, its Digest/Basic password, and serving
until killed."""
import sys
import threading

import gi
gi.require_version('GLib', '2.0')
gi.require_version('GstRtspServer', '1.0')
gi.require_version('GstRtsp', '1.0')
from gi.repository import GLib, GstRtsp, GstRtspServer  # noqa: E402

_say_lock = threading.Lock()


def say(text):
    # Streaming threads and the main loop print: one whole line at a time.
    with _say_lock:
        sys.stdout.write(text + '\n')
        sys.stdout.flush()


def loopback_server(port):
    """A server on 127.0.0.1:@port (0: the OS picks)."""
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(port))
    return server


def lower_transports(protocols):
    """'udp', 'tcp' or 'udp+tcp' as the factory's lower transports."""
    flags = GstRtsp.RTSPLowerTrans(0)
    if 'udp' in protocols:
        flags |= GstRtsp.RTSPLowerTrans.UDP
    if 'tcp' in protocols:
        flags |= GstRtsp.RTSPLowerTrans.TCP
    return flags


def user_token():
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, 'user')
    return token


def allow_user(factory):
    """The role of user_token() may use and construct @factory's media."""
    permissions = GstRtspServer.RTSPPermissions()
    for permission in (GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS,
                       GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT):
        permissions.add_permission_for_role('user', permission, True)
    factory.set_permissions(permissions)


def require_password(auth, token, digest=None, basic=None):
    """One user with @token, by Digest (@digest 'U:P') or else Basic (@basic 'U:P')."""
    if digest:
        user, password = digest.split(':', 1)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(user, password, token)
    else:
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(*basic.split(':', 1)), token)


def serve(server):
    """Listens, says PORT <n> and serves until killed; 1 when it cannot listen."""
    if server.attach(None) == 0:
        print('could not listen', file=sys.stderr)
        return 1
    say('PORT %d' % server.get_bound_port())
    GLib.MainLoop().run()
    return 0
