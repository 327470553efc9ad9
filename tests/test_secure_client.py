"""meetrtspsrc and meetrtspclientsink over rtsps:// (issue 11, the client half).

meetrtspsrc plays meetrtspsink encryption=required trusting a CA file or pinning a self-signed
certificate's fingerprint; a wrong pin, an untrusted self-signed certificate, an expired one and a
plain server behind an rtsps:// URL are refused with an error naming what failed (and, for a
certificate, the fingerprint seen), promptly; meetrtspsrc plays gst-rtsp-server with a TLS
certificate; meetrtspclientsink publishes into meetrtspsink (read back over rtsps://) and into
gst-rtsp-server's RECORD mode over TLS, media interleaved inside TLS.

Certificates are made per run with the openssl command: a CA, a server certificate it signed for
127.0.0.1, an expired one it signed, a self-signed one.

Usage: test_secure_client.py CASE (one meson test per case)."""

import os
import subprocess
import tempfile
import time

from rtsp_publish import Publisher, Reader, RecordServer, STOP, WAIT, run_cases
from rtsp_sink_util import Gst, Server
import secure_pki
from secure_pki import EC

TMP = tempfile.mkdtemp(prefix="meet-secure-client-")


def p(name):
    return os.path.join(TMP, name)


def openssl(*args):
    secure_pki.openssl(TMP, *args)


def make_pki():
    secure_pki.make_ca_and_server(TMP)
    openssl("req", "-x509", *EC, "-keyout", p("self.key"), "-out", p("self.crt"), "-days", "30",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    # Expired (2020-2021), signed by the CA: `openssl ca` takes explicit dates.
    os.mkdir(p("db"))
    open(p("db/index.txt"), "w").close()
    with open(p("db/serial"), "w") as f:
        f.write("01\n")
    with open(p("ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = db/index.txt\nnew_certs_dir = db\n"
                "serial = db/serial\ndefault_md = sha256\npolicy = pol\ncopy_extensions = copy\n"
                "[pol]\ncommonName = supplied\n")
    openssl("req", *EC, "-keyout", p("expired.key"), "-out", p("expired.csr"), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1")
    openssl("ca", "-batch", "-config", p("ca.cnf"), "-cert", p("ca.crt"), "-keyfile", p("ca.key"),
            "-in", p("expired.csr"), "-out", p("expired.crt"), "-notext",
            "-startdate", "20200101000000Z", "-enddate", "20210101000000Z")


def fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                         check=True, capture_output=True, text=True).stdout
    return "sha256:" + out.strip().split("=", 1)[1].upper()


make_pki()


def tls_props(name):
    return "tls-cert-file=%s tls-key-file=%s" % (p(name + ".crt"), p(name + ".key"))


def secure_server(cert="server", extra=""):
    return Server("encryption=required %s %s" % (tls_props(cert), extra), audio=False)


def tls_url(url):
    return url.replace("rtsp://", "rtsps://")


def play(url, props, frames=20, seconds=WAIT):
    """meetrtspsrc plays @url: None once @frames video frames are decoded, else the error text
    (which must come within @seconds: never a hang)."""
    reader = Reader("meetrtspsrc", url, props)
    bus = reader.pipeline.get_bus()
    try:
        if reader.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            seconds = 1     # refused at once: the error is on the bus already
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR)
            if msg is not None:
                err, dbg = msg.parse_error()
                print("ERROR: %s | %s" % (err.message, dbg), flush=True)
                return "%s | %s" % (err.message, dbg)
            if len(reader.frames) >= frames:
                stats = reader.src.get_property("stats")
                print("%d frames; stats %s" % (len(reader.frames), stats.to_string()), flush=True)
                assert "udp" not in stats.to_string(), "media outside TLS: %s" % stats.to_string()
                return None
        return "timeout: %d frames" % len(reader.frames)
    finally:
        reader.stop()


def expect_refused(url, props, *needles):
    started = time.monotonic()
    error = play(url, props + " retry=0", seconds=STOP * 2)
    assert error is not None and not error.startswith("timeout"), error
    for needle in needles:
        assert needle in error, "expected %r in the error: %s" % (needle, error)
    print("refused after %.1f s" % (time.monotonic() - started))


# --------------------------------------------------------------------------------------------------
# meetrtspsrc

def case_src_ca_file():
    with secure_server() as server:
        assert play(tls_url(server.url), "tls-ca-file=" + p("ca.crt")) is None


def case_src_fingerprint():
    with secure_server("self") as server:
        assert play(tls_url(server.url), "tls-fingerprint=" + fingerprint(p("self.crt"))) is None


def case_src_wrong_fingerprint():
    with secure_server("self") as server:
        expect_refused(tls_url(server.url), "tls-fingerprint=" + fingerprint(p("server.crt")),
                       fingerprint(p("self.crt")), "is not the expected")


def case_src_untrusted():
    with secure_server("self") as server:
        expect_refused(tls_url(server.url), "", "unknown certificate authority",
                       fingerprint(p("self.crt")))


def case_src_expired():
    with secure_server("expired") as server:
        expect_refused(tls_url(server.url), "tls-ca-file=" + p("ca.crt"), "expired",
                       fingerprint(p("expired.crt")))


def case_src_plain_server():
    """A plain RTSP server behind an rtsps:// URL: refused, never asked in clear."""
    with Server("", audio=False) as server:
        # The plain server waits for the end of an RTSP request that never comes: the handshake
        # times out (timeout=), then a plain TCP connect tells it from a server that is down.
        expect_refused(tls_url(server.url), "timeout=2000 tls-ca-file=" + p("ca.crt"), "TLS",
                       "never tried in clear")


def case_src_gst_rtsp_server():
    with RecordServer("--play", "--tls-cert", p("server.crt"), "--tls-key", p("server.key")) as server:
        assert play(tls_url(server.url()), "tls-ca-file=" + p("ca.crt")) is None


def case_src_bad_fingerprint_setting():
    with secure_server("self") as server:
        expect_refused(tls_url(server.url), "tls-fingerprint=sha1:00", "tls-fingerprint")


# --------------------------------------------------------------------------------------------------
# meetrtspclientsink

def case_sink_into_meet():
    with secure_server(extra="allow-publish=true session-timeout=10") as server:
        url = tls_url(server.url) + "/alice"
        publisher = Publisher(url, "tls-ca-file=" + p("ca.crt"), audio=False).play()
        try:
            publisher.wait_for("recording", lambda: publisher.sink.get_property("recording"))
            reader = Reader("meetrtspsrc", url, "tls-ca-file=" + p("ca.crt")).play()
            try:
                publisher.wait_for("30 frames read back", lambda: len(reader.frames) >= 30)
            finally:
                reader.stop()
            sent = publisher.sent_frames()
            foreign = [md5 for md5 in reader.frames if md5 not in sent]
            assert not foreign, "%d of %d frames read back differ" % (len(foreign), len(reader.frames))
            print("%d frames read back bit-exact over rtsps://" % len(reader.frames))
        finally:
            publisher.stop()


def case_sink_into_gst_rtsp_server():
    with RecordServer("--tls-cert", p("server.crt"), "--tls-key", p("server.key"), "--video-only") as server:
        publisher = Publisher(tls_url(server.url()), "tls-ca-file=" + p("ca.crt"), audio=False).play()
        try:
            publisher.wait_for("30 frames decoded by gst-rtsp-server", lambda: server.count("video") >= 30)
        finally:
            publisher.stop()
        setups = server.lines("REQUEST SETUP")
        assert setups and all("interleaved=" in s for s in setups), setups


def case_sink_wrong_fingerprint():
    with RecordServer("--tls-cert", p("server.crt"), "--tls-key", p("server.key"), "--video-only") as server:
        publisher = Publisher(tls_url(server.url()), "retry=3 tls-fingerprint=" + fingerprint(p("self.crt")),
                              audio=False)
        publisher.play()
        message = publisher.wait_error()
        assert fingerprint(p("server.crt")) in message and "is not the expected" in message, message
        assert not server.lines("REQUEST"), server.lines("REQUEST")


if __name__ == "__main__":
    run_cases(globals())
