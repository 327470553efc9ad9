#!/usr/bin/python3
"""Security tests of meetrtspsink (suite `security`), one check per invocation:
    test_security.py digest | basic | hijack | session-ids | destination | read-only | slowloris |
                     oversized | flood | idle-flood
Each starts its own server on a free loopback port; exits 77 when meetrtspsink is not built.
"""
import base64
import collections
import math
import os
import socket
import sys
import threading
import time

from meetrtsp import LOOPBACK, RtspClient, Server, UdpWatcher, digest_response, log, require_elements

USER, PASSWORD = "alice", "correct-horse-battery"


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def describe(client, server):
    client.path = server.path
    return client.request("DESCRIBE", server.url(), ["Accept: application/sdp"])


def test_digest():
    with Server(user=USER, password=PASSWORD) as server:
        with RtspClient(server.port) as anonymous:
            response = describe(anonymous, server)
            expect(response.code == 401, f"DESCRIBE without credentials answered {response}")
            challenge = response.header("WWW-Authenticate") or ""
            expect(challenge.startswith("Digest ") and "nonce=" in challenge and "realm=" in challenge,
                   f"401 without a Digest challenge: {challenge!r}")
        with RtspClient(server.port, USER, PASSWORD) as good:
            response = describe(good, server)
            expect(response.code == 200 and "m=video" in response.body,
                   f"DESCRIBE with the right credentials answered {response}")
            watcher_ok = good.setup(0, "RTP/AVP/TCP;unicast;interleaved=0-1")
            expect(watcher_ok.code == 200, f"SETUP with the right credentials answered {watcher_ok}")
        for user, password in ((USER, "wrong"), ("mallory", PASSWORD), (USER, ""), (USER.upper(), PASSWORD)):
            with RtspClient(server.port, user, password) as bad:
                response = describe(bad, server)
                expect(response.code == 401, f"DESCRIBE as {user}:{password!r} answered {response}")
                response = bad.setup(0, "RTP/AVP/TCP;unicast;interleaved=0-1")
                expect(response.code == 401, f"SETUP as {user}:{password!r} answered {response}")
        # A response computed for one nonce is not replayable on another connection (fresh nonce).
        with RtspClient(server.port, USER, PASSWORD) as first:
            describe(first, server)
            stolen = first.challenge
        with RtspClient(server.port) as replay:
            realm, nonce = stolen
            header = (f'Authorization: Digest username="{USER}", realm="{realm}", nonce="{nonce}", '
                      f'uri="{server.url()}", '
                      f'response="{digest_response(USER, PASSWORD, realm, nonce, "DESCRIBE", server.url())}"')
            response = replay.request("DESCRIBE", server.url(), [header], auth=False)
            expect(response.code == 401, f"a nonce issued to another connection was accepted: {response}")


def test_basic():
    basic = "Authorization: Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    with Server(user=USER, password=PASSWORD) as server:
        with RtspClient(server.port) as client:
            response = describe(client, server)
            expect(not any("basic" in v.lower() for k, v in response.headers if k.lower() == "www-authenticate"),
                   "Basic offered although auth-basic is off")
            response = client.request("DESCRIBE", server.url(), [basic], auth=False)
            expect(response.code == 401, f"Basic credentials accepted although auth-basic is off: {response}")
    with Server(user=USER, password=PASSWORD, **{"auth-basic": "true"}) as server:
        with RtspClient(server.port) as client:
            client.path = server.path
            response = client.request("DESCRIBE", server.url(), [basic], auth=False)
            expect(response.code == 200, f"Basic credentials refused with auth-basic=true: {response}")
            wrong = "Authorization: Basic " + base64.b64encode(f"{USER}:nope".encode()).decode()
            response = client.request("DESCRIBE", server.url(), [wrong], auth=False)
            expect(response.code == 401, f"wrong Basic credentials accepted: {response}")


def test_hijack():
    for credentials in ((None, None), (USER, PASSWORD)):
        props = {"user": USER, "password": PASSWORD} if credentials[0] else {}
        with Server(**props) as server:
            owner = UdpWatcher(server, user=credentials[0], password=credentials[1])
            try:
                session = owner.client.session
                with RtspClient(server.port, *credentials) as thief:
                    thief.path = server.path
                    thief.session = session
                    for method in ("PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER"):
                        response = thief.request(method, server.url())
                        expect(response.code == 454,
                               f"{method} with a session of another connection answered {response}")
                    response = thief.setup(1, "RTP/AVP/TCP;unicast;interleaved=2-3")
                    expect(response.code == 454 or (response.code == 200 and thief.session != session),
                           f"SETUP joined the session of another connection: {response}")
                # The owner's stream was not disturbed.
                time.sleep(0.5)
                owner.poll()
                before = owner.counters[0].packets
                time.sleep(0.5)
                owner.poll()
                expect(owner.counters[0].packets > before, "the owner's stream stopped after the hijack tries")
            finally:
                owner.close()


def test_session_ids():
    ids = []
    with Server(**{"max-clients": 4}) as server:
        for _ in range(48):
            with RtspClient(server.port) as client:
                client.path = server.path
                response = client.setup(0, "RTP/AVP/TCP;unicast;interleaved=0-1")
                expect(response.code == 200, f"SETUP answered {response}")
                ids.append(client.session)
                client.teardown()
    expect(len(set(ids)) == len(ids), "a session ID was handed out twice")
    alphabet = set("".join(ids))
    bits = min(len(i) for i in ids) * math.log2(max(len(alphabet), 2))
    log(f"{len(ids)} session IDs, e.g. {ids[0]}: {len(ids[0])} characters of a {len(alphabet)}-letter "
        f"alphabet, about {bits:.0f} bits")
    expect(bits >= 128, f"session IDs carry about {bits:.0f} bits, fewer than 128")
    # Look random: characters spread evenly (chi-square well under what any pattern gives), no two IDs
    # sharing a long prefix, and, for hex IDs, about half the bits set.
    counts = collections.Counter("".join(ids))
    total = sum(counts.values())
    expected = total / len(alphabet)
    chi2 = sum((counts[c] - expected) ** 2 / expected for c in alphabet)
    expect(chi2 < 3 * len(alphabet) + 30, f"session ID characters are unevenly spread (chi2 {chi2:.0f})")
    longest = max(len(os.path.commonprefix([a, b])) for i, a in enumerate(ids) for b in ids[i + 1:])
    expect(longest < 8, f"two session IDs share a {longest}-character prefix")
    if alphabet <= set("0123456789abcdefABCDEF"):
        ones = sum(bin(int(i, 16)).count("1") for i in ids)
        share = ones / (4 * sum(len(i) for i in ids))
        expect(0.45 < share < 0.55, f"{share:.0%} of session ID bits are set")


def test_destination():
    with Server() as server:
        with RtspClient(server.port) as client:
            client.path = server.path
            for target in ("127.0.0.2", "192.0.2.1", "localhost"):
                response = client.setup(0, f"RTP/AVP;unicast;destination={target};client_port=40000-40001")
                if target == "localhost":
                    expect(response.code != 200 or "destination=" not in (response.header("Transport") or "")
                           or "127.0.0.1" in response.header("Transport"),
                           f"destination={target} redirected RTP: {response.header('Transport')}")
                else:
                    expect(response.code == 403, f"SETUP with destination={target} answered {response}")
            response = client.setup(0, "RTP/AVP;multicast;destination=239.1.2.3;port=40000-40001")
            expect(response.code != 200, f"a multicast destination was accepted: {response}")


def test_read_only():
    with Server() as server:
        with RtspClient(server.port) as client:
            client.path = server.path
            sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\n"
            response = client.request("ANNOUNCE", server.url(), ["Content-Type: application/sdp"], body=sdp)
            expect(response.code >= 400, f"ANNOUNCE answered {response}")
            response = client.setup(0, "RTP/AVP;unicast;client_port=40000-40001;mode=record")
            expect(response.code >= 400, f"SETUP mode=record answered {response}")
            response = client.request("RECORD", server.url())
            expect(response.code >= 400, f"RECORD answered {response}")
            response = client.request("OPTIONS", "*")
            public = response.header("Public") or ""
            expect("RECORD" not in public and "ANNOUNCE" not in public, f"OPTIONS offers {public}")


def half_open(source, port):
    """A connection from @source that starts a request and never finishes it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(5)
    try:
        sock.connect((LOOPBACK, port))
        sock.sendall(b"OPTIONS * RTSP/1.0\r\nCSe")     # never finished
    except OSError:
        pass
    return sock


def server_kept(sock):
    """Whether the server still holds @sock open (it neither closed nor refused it)."""
    sock.setblocking(False)
    try:
        sock.recv(4096)         # EOF, or a refusal on its way to EOF
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_idle_flood():
    """Half-open connections never keep real clients out (SECURITY.md). The per-address cap acts
    always, not only when the total cap is reached: a burst from one address is cut back to its
    share (max-clients / 4 + 2 connections without a session) as soon as it is a second old. And
    while floods of half-open connections run, from one other address, from the viewers' own
    address and from ten addresses, keeping the total cap (2 x max-clients + 4) full, a player
    keeps playing without a lost packet and new viewers keep getting DESCRIBE, SETUP and PLAY
    answered 200: the oldest connection without a session makes room, the flood's own first.
    Before, a flood filling the cap got every new viewer 503 until it timed out."""
    with Server(**{"max-clients": 8, "session-timeout": 30}) as server:
        share = 8 // 4 + 2
        burst = [half_open("127.0.0.2", server.port) for _ in range(12)]     # total cap: 20
        time.sleep(1.5)
        burst.append(half_open("127.0.0.2", server.port))
        time.sleep(0.5)
        kept = sum(server_kept(sock) for sock in burst)
        log(f"a burst of 13 half-open connections from one address: {kept} kept (its share is {share})")
        expect(kept <= share, f"{kept} half-open connections of one address kept, its share is {share}")
        for sock in burst:
            sock.close()

        for sources in (["127.0.0.2"], ["127.0.0.1"], [f"127.0.0.{n}" for n in range(3, 13)]):
            viewers, failures, flooded = [], [], [0]

            def flood_and_viewers(stop):
                def flood():
                    socks = collections.deque()
                    while not stop.is_set():
                        socks.append(half_open(sources[flooded[0] % len(sources)], server.port))
                        flooded[0] += 1
                        while len(socks) > 100:
                            socks.popleft().close()
                        stop.wait(0.005)
                    for sock in socks:
                        sock.close()

                flooder = threading.Thread(target=flood, daemon=True)
                flooder.start()
                stop.wait(1.0)              # the flood fills the cap first
                while not stop.is_set():
                    try:
                        viewers.append(quick_session(server, limit=10.0))
                    except (AssertionError, OSError, ValueError) as error:
                        failures.append(repr(error))
                    stop.wait(0.3)
                flooder.join(15)

            what = f"a flood of half-open connections from {len(sources)} address(es) ({sources[0]}..)"
            counters = watch_while(server, 6, flood_and_viewers)
            log(f"{what}: {flooded[0]} connections; {len(viewers)} viewers played, slowest in "
                f"{max(viewers, default=0):.2f} s; failures: {failures}")
            check_uninterrupted(counters, what)
            expect(not failures, f"viewers were kept out during {what}: {failures}")
            expect(len(viewers) >= 3, f"only {len(viewers)} viewers got to play during {what}")
            expect(server.alive(), "the server died under the flood")


def watch_while(server, seconds, action):
    """Plays both streams over UDP while `action(stop_event)` runs; returns the watcher's counters."""
    watcher = UdpWatcher(server)
    stop = threading.Event()
    worker = threading.Thread(target=action, args=(stop,), daemon=True)
    worker.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        watcher.poll()
        time.sleep(0.02)
    stop.set()
    worker.join(15)
    watcher.poll()
    counters = watcher.counters
    watcher.close()
    return counters


def quick_session(server, limit=5.0):
    """A fresh client gets DESCRIBE, SETUP and PLAY answered; returns how long it took."""
    start = time.monotonic()
    with RtspClient(server.port, timeout=limit) as client:
        expect(describe(client, server).code == 200, "DESCRIBE failed")
        expect(client.setup(0, "RTP/AVP/TCP;unicast;interleaved=0-1").code == 200, "SETUP failed")
        expect(client.play().code == 200, "PLAY failed")
        client.teardown()
    return time.monotonic() - start


def check_uninterrupted(counters, what):
    for stream, counter in counters.items():
        log(f"stream {stream}: {counter.packets} packets, {counter.lost} lost, "
            f"longest silence {counter.longest_gap:.2f} s during {what}")
        expect(counter.packets > 0, f"stream {stream} got nothing during {what}")
        expect(counter.lost == 0, f"stream {stream} lost {counter.lost} packets during {what}")
        # Generous bound (a stall of the whole server would be seconds): not a speed test.
        expect(counter.longest_gap < 2.0, f"stream {stream} stopped for {counter.longest_gap:.1f} s during {what}")


def test_slowloris():
    with Server(**{"max-clients": 8, "session-timeout": 30}) as server:
        def slow_clients(stop):
            socks = [socket.create_connection((LOOPBACK, server.port)) for _ in range(6)]
            request = f"DESCRIBE {server.url()} RTSP/1.0\r\nCSeq: 1\r\nX-Pad: {'a' * 100}\r\n".encode()
            sent = 0
            while not stop.is_set() and sent < len(request):
                for sock in socks:
                    try:
                        sock.send(request[sent:sent + 1])
                    except OSError:
                        pass
                sent += 1
                stop.wait(1.0)
            for sock in socks:
                sock.close()

        times = []

        def fresh_clients(stop):
            while not stop.is_set():
                times.append(quick_session(server))
                stop.wait(0.5)

        def both(stop):
            slow = threading.Thread(target=slow_clients, args=(stop,), daemon=True)
            slow.start()
            fresh_clients(stop)
            slow.join(10)

        counters = watch_while(server, 8, both)
        check_uninterrupted(counters, "six slowloris connections")
        log(f"{len(times)} fresh sessions set up meanwhile, slowest in {max(times):.2f} s")
        expect(len(times) >= 3, "fresh clients could not get sessions while slow clients dripped headers")


def test_oversized():
    with Server(**{"max-clients": 8}) as server:
        outcomes = []

        def oversize(stop):
            cases = {
                "head of 1 MiB": f"DESCRIBE {server.url()} RTSP/1.0\r\nCSeq: 1\r\n".encode()
                + b"X-Filler: " + b"b" * (1 << 20) + b"\r\n\r\n",
                "request line of 64 KiB": b"DESCRIBE rtsp://127.0.0.1/" + b"c" * 65536 + b" RTSP/1.0\r\n\r\n",
                "1000 headers": f"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n".encode() + b"X-A: b\r\n" * 1000 + b"\r\n",
                "body of 100 MB announced": f"SET_PARAMETER {server.url()} RTSP/1.0\r\nCSeq: 1\r\n"
                "Content-Length: 100000000\r\n\r\n".encode() + b"d" * 65536,
            }
            for name, data in cases.items():
                with socket.create_connection((LOOPBACK, server.port), timeout=10) as sock:
                    try:
                        sock.sendall(data)
                    except OSError:
                        pass                    # closed on us mid-send: refused, as it should be
                    reply = b""
                    try:
                        while True:
                            chunk = sock.recv(4096)
                            if not chunk:
                                break
                            reply += chunk
                    except OSError:
                        pass
                    outcomes.append((name, reply.split(b"\r\n")[0].decode(errors="replace")))
            quick_session(server)

        counters = watch_while(server, 4, oversize)
        check_uninterrupted(counters, "oversized requests")
        for name, status in outcomes:
            log(f"{name}: {status or 'connection closed'}")
            expect(not status.startswith("RTSP/1.0 2"), f"{name} was answered {status}")
        expect(len(outcomes) == 4, "not every oversized request got refused")
        expect(server.alive(), "the server died")


def test_flood():
    with Server(**{"max-clients": 2, "session-timeout": 30}) as server:
        results = collections.Counter()

        def flood(stop):
            socks = []
            for _ in range(100):
                try:
                    sock = socket.create_connection((LOOPBACK, server.port), timeout=5)
                    socks.append(sock)
                except OSError:
                    results["refused"] += 1
            # The ones over the cap are answered 503 and closed.
            for sock in socks:
                sock.settimeout(0.2)
                try:
                    data = sock.recv(4096)
                    results["503" if data.startswith(b"RTSP/1.0 503") else "closed" if not data else "other"] += 1
                except socket.timeout:
                    results["kept open"] += 1
                except OSError:
                    results["reset"] += 1
            for sock in socks:
                sock.close()
            # Sessions beyond max-clients are refused too.
            clients = [RtspClient(server.port) for _ in range(3)]
            for client in clients:
                client.path = server.path
                results[f"SETUP {client.setup(0, 'RTP/AVP/TCP;unicast;interleaved=0-1').code}"] += 1
            for client in clients:
                client.close()
            stop.wait(1.0)

        counters = watch_while(server, 6, flood)
        log(f"100 connections and 3 sessions beyond the cap: {dict(results)}")
        check_uninterrupted(counters, "a connection flood")
        expect(results["kept open"] <= 2 * 2 + 4, f"{results['kept open']} connections kept (cap is 8)")
        expect(results["503"] + results["closed"] + results["reset"] + results["refused"] >= 90,
               "connections beyond the cap were not refused")
        # The watcher holds one of the two sessions: at most one more is granted.
        expect(results["SETUP 200"] <= 1 and results["SETUP 503"] >= 2,
               f"sessions beyond max-clients were not refused with 503: {dict(results)}")
        quick_session(server)


TESTS = {
    "digest": test_digest, "basic": test_basic, "hijack": test_hijack, "session-ids": test_session_ids,
    "destination": test_destination, "read-only": test_read_only, "slowloris": test_slowloris,
    "oversized": test_oversized, "flood": test_flood,
    "idle-flood": test_idle_flood,
}

if __name__ == "__main__":
    require_elements("meetrtspsink")
    TESTS[sys.argv[1]]()
    log(f"security {sys.argv[1]}: ok")
