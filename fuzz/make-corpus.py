#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/NAME/: small valid inputs from which
libFuzzer mutates. Run again after changing it (needs python3-gi and GStreamer's jpegenc/rtpjpegpay):
    /usr/bin/python3 fuzz/make-corpus.py
"""
import os
import struct

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as out:
        out.write(data)


def gst_buffers(launch, count):
    """The first `count` buffers of `launch` (ending in `appsink name=out`), as bytes."""
    pipeline = Gst.parse_launch(launch)
    sink = pipeline.get_by_name("out")
    pipeline.set_state(Gst.State.PLAYING)
    buffers = []
    while len(buffers) < count:
        sample = sink.emit("try-pull-sample", 5 * Gst.SECOND)
        if sample is None:
            break
        buffers.append(sample.get_buffer().extract_dup(0, sample.get_buffer().get_size()))
    pipeline.set_state(Gst.State.NULL)
    return buffers


def rtsp_request():
    uri = "rtsp://127.0.0.1:8554/meet"
    def request(method, url, cseq, *headers, body=""):
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {cseq}", *headers]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    write("rtsp_request", "options", request("OPTIONS", "*", 1))
    write("rtsp_request", "describe", request("DESCRIBE", uri, 2, "Accept: application/sdp"))
    write("rtsp_request", "setup-udp-play", request("OPTIONS", uri, 1) +
          request("SETUP", uri + "/stream=0", 2, "Transport: RTP/AVP;unicast;client_port=5000-5001") +
          request("SETUP", uri + "/stream=1", 3, "Transport: RTP/AVP;unicast;client_port=5002-5003") +
          request("PLAY", uri, 4, "Range: npt=0-") + request("PAUSE", uri, 5) + request("TEARDOWN", uri, 6))
    write("rtsp_request", "setup-tcp-interleaved", request("DESCRIBE", uri, 1) +
          request("SETUP", uri + "/stream=0", 2, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1") +
          request("PLAY", uri, 3) + b"$\x01\x00\x08\x80\xc9\x00\x01\x00\x00\x00\x01" +
          request("GET_PARAMETER", uri, 4) + request("TEARDOWN", uri, 5))
    write("rtsp_request", "digest-authorization", request(
        "DESCRIBE", uri, 3, 'Authorization: Digest username="alice", realm="meetstream", '
        'nonce="0123456789abcdef0123456789abcdef", uri="' + uri + '", '
        'response="00112233445566778899aabbccddeeff"'))
    write("rtsp_request", "basic-authorization", request(
        "DESCRIBE", uri, 3, "Authorization: Basic YWxpY2U6c2VjcmV0"))
    write("rtsp_request", "destination", request(
        "SETUP", uri + "/stream=0", 2, "Transport: RTP/AVP;unicast;destination=127.0.0.2;client_port=5000-5001"))
    write("rtsp_request", "set-parameter-body", request(
        "SET_PARAMETER", uri, 2, "Session: 0123456789abcdef", "Content-Type: text/parameters",
        body="volume: 1\r\n"))


def rtsp_response():
    """What a server answers a client: a 401 challenge, DESCRIBE with SDP, SETUPs and PLAY, separated
    by \\0RSP (see fuzz_rtsp_response.cpp)."""
    def response(cseq, *headers, code="200 OK", body=""):
        lines = [f"RTSP/1.0 {code}", f"CSeq: {cseq}", *headers]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=meet\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=control:*\r\n"
           "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:stream=0\r\n"
           "m=audio 0 RTP/AVP 96\r\na=rtpmap:96 L16/16000/1\r\na=control:stream=1\r\n")
    separator = b"\0RSP"
    session = "Session: 0123456789abcdef0123456789abcdef;timeout=60"
    options = response(1, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER")
    describe = response(2, "Content-Type: application/sdp", "Content-Base: rtsp://127.0.0.1:8554/meet/", body=sdp)
    setup0 = response(3, session, "Transport: RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001;ssrc=1234ABCD")
    setup1 = response(4, session, "Transport: RTP/AVP;unicast;client_port=5002-5003;server_port=6002-6003")
    play = response(5, session, "Range: npt=now-",
                    "RTP-Info: url=rtsp://127.0.0.1:8554/meet/stream=0;seq=1;rtptime=0,"
                    "url=rtsp://127.0.0.1:8554/meet/stream=1;seq=7;rtptime=160")
    write("rtsp_response", "session-udp", separator.join([options, describe, setup0, setup1, play]))
    challenge = response(2, code="401 Unauthorized",
                         *['WWW-Authenticate: Digest realm="meetstream", nonce="00112233445566778899aabbccddeeff"'])
    write("rtsp_response", "digest-challenge", separator.join([options, challenge, describe, setup0, play]))
    tcp = response(3, session, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1")
    write("rtsp_response", "session-tcp", separator.join([options, describe, tcp, play]))
    write("rtsp_response", "describe-only", describe)


def jpeg_header():
    jpegs = gst_buffers("videotestsrc num-buffers=2 pattern=smpte ! video/x-raw,width=32,height=24,format=I420 ! "
                        "jpegenc quality=50 ! appsink name=out sync=false", 1)
    jpegs += gst_buffers("videotestsrc num-buffers=2 pattern=gradient ! video/x-raw,width=24,height=16,format=Y42B ! "
                         "jpegenc quality=90 ! appsink name=out sync=false", 1)
    for index, jpeg in enumerate(jpegs):
        write("jpeg_header", f"baseline-{index}.jpg", jpeg)


def jpeg_depay():
    """Packets of rtpjpegpay (tables in band, Q=255, then Q=50 from Appendix A), several fragments each."""
    for name, quality in (("q255-inband", 255), ("q50-appendix-a", 50)):
        packets = gst_buffers(
            "videotestsrc num-buffers=3 pattern=ball ! video/x-raw,width=48,height=32,format=I420 ! "
            f"jpegenc quality=60 ! rtpjpegpay mtu=200 {'' if quality == 255 else 'quality=%d' % quality} ! "
            "appsink name=out sync=false", 64)
        data = bytearray([48 // 8, 32 // 8])
        last_ts = None
        for packet in packets:
            marker = packet[1] >> 7
            timestamp = struct.unpack("!I", packet[4:8])[0]
            payload = packet[12 + 4 * (packet[0] & 0x0f):]
            flags = marker | (2 if last_ts is not None and timestamp != last_ts else 0)
            last_ts = timestamp
            data += bytes([flags]) + struct.pack("!H", len(payload)) + payload
        write("jpeg_depay", name, bytes(data))


def pcm_depay():
    frame = struct.pack("!8h", 0, 1000, 2000, 1000, 0, -1000, -2000, -1000)
    def records(seqs, channels, payload):
        return bytes([channels - 1]) + b"".join(struct.pack("!HH", s, len(payload)) + payload for s in seqs)
    write("pcm_depay", "mono-in-order", records(range(100, 110), 1, frame))
    write("pcm_depay", "stereo-loss-reorder", records([1, 2, 4, 3, 3, 9, 65535, 0], 2, frame))
    write("pcm_depay", "odd-length", records([7, 8], 2, frame[:5]))


def yolo_decode():
    def row(cx, cy, w, h, objectness, class_id, score):
        scores = [0.0] * 80
        scores[class_id] = score
        return struct.pack("=85f", cx, cy, w, h, objectness, *scores)
    write("yolo_decode", "two-people-one-dog",
          row(320, 320, 100, 200, 0.9, 0, 0.95) + row(330, 322, 104, 198, 0.8, 0, 0.9) +
          row(100, 500, 60, 40, 0.7, 16, 0.8) + row(0, 0, 0, 0, 0.1, 5, 0.1))
    write("yolo_decode", "edges", row(-10, 700, 5000, 1e9, 1.0, 79, 1.0) + row(640, 0, 1, 1, 0.3, 0, 0.9))


def onnx_shape():
    """A minimal ModelProto: graph(7) { input(11) { name(1) type(2) { tensor_type(1) { elem_type(1)
    shape(2) { dim(1) {dim_param(2) | dim_value(1)} x4 } } } } }."""
    def field(number, payload):
        return varint(number << 3 | 2) + varint(len(payload)) + payload
    def varint(value):
        out = bytearray()
        while True:
            out.append((value & 0x7f) | (0x80 if value > 0x7f else 0))
            value >>= 7
            if not value:
                return bytes(out)
    def dim_value(value):
        return field(1, varint(1 << 3 | 0) + varint(value))
    dims = field(1, field(2, b"batch")) + dim_value(3) + dim_value(640) + dim_value(640)
    tensor = varint(1 << 3 | 0) + varint(1) + field(2, dims)
    graph_input = field(1, b"images") + field(2, field(1, tensor))
    model = varint(1 << 3 | 0) + varint(7) + field(7, field(2, b"main-graph") + field(11, graph_input))
    write("onnx_shape", "yolov5-input", model)
    write("onnx_shape", "static-batch", model.replace(field(1, field(2, b"batch")), dim_value(1)))


def mikey():
    """MIKEY messages as gst-rtsp-server makes them (gst_mikey_message_new_from_caps), raw, as an
    a=key-mgmt value and inside an SDP (fuzz_mikey.cpp reads the input all three ways)."""
    import base64
    gi.require_version("GstSdp", "1.0")
    from gi.repository import GstSdp
    for name, cipher, size in (("aes-128-icm", "aes-128-icm", 30), ("aes-256-icm", "aes-256-icm", 46)):
        caps = Gst.Caps.from_string(f"application/x-srtp,srtp-cipher={cipher},srtp-auth=hmac-sha1-80,"
                                    f"srtcp-cipher={cipher},srtcp-auth=hmac-sha1-80")
        caps.set_value("srtp-key", Gst.Buffer.new_wrapped(bytes(range(1, size + 1))))
        msg = GstSdp.MIKEYMessage.new_from_caps(caps)
        msg.add_cs_srtp(0, 0x12345678, 0)
        b64 = msg.base64_encode()
        write("mikey", name + "-raw", base64.b64decode(b64))
        write("mikey", name + "-keymgmt", f"mikey {b64}".encode())
        write("mikey", name + "-sdp", (
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=meetstream\r\nt=0 0\r\n"
            f"m=video 0 RTP/SAVP 26\r\na=control:stream=0\r\na=key-mgmt:mikey {b64}\r\n"
            f"m=audio 0 RTP/SAVP 97\r\na=rtpmap:97 L16/48000/1\r\na=control:stream=1\r\n").encode())


def srtp_protect():
    """Runs of packets for the SRTP sender (fuzz_srtp_protect.cpp): suite byte, then per packet a flag
    byte (1: RTCP), a 16-bit length and the packet: RTP with CSRCs and an extension through a
    sequence-number wrap, a duplicate, sender reports."""
    def rtp(seq, csrcs=0, ext_words=None, payload=b"frame!!!"):
        first = 0x80 | csrcs | (0x10 if ext_words is not None else 0)
        p = struct.pack("!BBHII", first, 26, seq & 0xFFFF, seq * 3000, 0x11223344)
        p += b"".join(struct.pack("!I", i + 1) for i in range(csrcs))
        if ext_words is not None:
            p += struct.pack("!HH", 0xBEDE, ext_words) + b"\x10\xaa\x00\x00" * ext_words
        return p + payload

    def sr(ssrc=0x11223344):
        return struct.pack("!BBHI", 0x80, 200, 6, ssrc) + bytes(range(20)) + struct.pack("!BBHI", 0x81, 203, 1, ssrc)

    def run(suite, packets):
        return bytes([suite]) + b"".join(struct.pack("!BH", int(rtcp), len(p)) + p for rtcp, p in packets)
    wrap = [(False, rtp(s)) for s in range(65533, 65539)]
    for suite, name in enumerate(("aes-128-icm", "aes-256-icm", "aes-128-gcm", "aes-256-gcm")):
        write("srtp_protect", name + "-wrap", run(suite, wrap + [(True, sr())] + [wrap[-1]]))
    write("srtp_protect", "headers", run(0, [(False, rtp(7, 3)), (False, rtp(8, 0, 2)), (False, rtp(9, 15, 1, b"")),
                                              (True, sr(5)), (True, sr(5)[:8])]))


def main():
    Gst.init(None)
    for make in (rtsp_request, rtsp_response, jpeg_header, jpeg_depay, pcm_depay, yolo_decode, onnx_shape,
                 mikey, srtp_protect):
        make()
    print(f"seed corpora written under {CORPUS}")


if __name__ == "__main__":
    main()
