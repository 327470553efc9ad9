#!/usr/bin/python3
"""Load test of meetrtspsink (suite `load`), run as a gst-launch-1.0 process:
  1. 100 clients play both streams over UDP at once, each on its own RTSP connection; all get packets.
  2. 20 of them keep watching while 1000 connect / SETUP / PLAY / TEARDOWN-or-vanish cycles run
     (UDP and TCP interleaved, half ending in TEARDOWN, half just dropping the connection, some with RST).
  3. The watchers' streams were uninterrupted (no RTP sequence gap), and the server's RSS and open file
     count (/proc/PID) came back to where they were after a warm-up, within a tolerance.
Bounded: a few minutes at most; exits 77 when meetrtspsink is not built.
"""
import random
import socket
import struct
import sys
import threading
import time

from meetrtsp import RtspClient, Server, UdpWatcher, log, require_elements

CLIENTS = 100
WATCHERS = 20
CYCLES = 1000
WARMUP_CYCLES = 100
WORKERS = 8
RSS_TOLERANCE_KIB = 16 * 1024
FD_TOLERANCE = 2


def cycle(server, rng):
    """One short-lived client: connect, SETUP one or both streams, PLAY, then leave one way or another."""
    client = RtspClient(server.port, timeout=20)
    client.path = server.path
    udp = []
    try:
        tcp = rng.random() < 0.5
        for stream in ((0, 1) if rng.random() < 0.5 else (rng.randrange(2),)):
            if tcp:
                transport = f"RTP/AVP/TCP;unicast;interleaved={2 * stream}-{2 * stream + 1}"
            else:
                pair = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
                for sock in pair:
                    sock.bind(("127.0.0.1", 0))
                udp += pair
                transport = f"RTP/AVP;unicast;client_port={pair[0].getsockname()[1]}-{pair[1].getsockname()[1]}"
            response = client.setup(stream, transport)
            if response.code != 200:
                raise AssertionError(f"cycle SETUP answered {response}")
        response = client.play()
        if response.code != 200:
            raise AssertionError(f"cycle PLAY answered {response}")
        ending = rng.random()
        if ending < 0.5:
            response = client.teardown()
            if response.code != 200:
                raise AssertionError(f"cycle TEARDOWN answered {response}")
        elif ending < 0.75:
            # Vanish abruptly: RST instead of FIN.
            client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        client.close()
        for sock in udp:
            sock.close()


def run_cycles(server, count, seed):
    errors = []
    done = [0]
    lock = threading.Lock()

    def worker(index):
        rng = random.Random(seed * 100 + index)
        while True:
            with lock:
                if done[0] >= count or errors:
                    return
                done[0] += 1
            try:
                cycle(server, rng)
            except Exception as error:  # noqa: BLE001 - reported by the main thread
                with lock:
                    errors.append(repr(error))
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    return threads, errors


def poll_while(watchers, threads, limit):
    deadline = time.monotonic() + limit
    while any(t.is_alive() for t in threads):
        if time.monotonic() > deadline:
            raise AssertionError(f"cycles did not finish within {limit} s")
        for watcher in watchers:
            watcher.poll()
        time.sleep(0.01)


def settle(server, watchers, baseline_fds, limit=20):
    """Keeps watching until the server is back to its baseline number of files (closing sockets of
    vanished clients is asynchronous), at most `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for watcher in watchers:
            watcher.poll()
        if server.open_files() <= baseline_fds + FD_TOLERANCE:
            break
        time.sleep(0.05)
    for _ in range(20):
        for watcher in watchers:
            watcher.poll()
        time.sleep(0.05)


def main():
    require_elements("meetrtspsink")
    props = {"max-clients": CLIENTS + 2 * WORKERS + 8, "session-timeout": 300}
    with Server(width=160, height=120, **props) as server:
        log(f"server pid {server.pid} on port {server.port}: RSS {server.rss_kib()} KiB, "
            f"{server.open_files()} open files")
        watchers = [UdpWatcher(server) for _ in range(CLIENTS)]
        settle(server, watchers, 10 ** 6, limit=0)
        time.sleep(1.0)
        for watcher in watchers:
            watcher.poll()
        silent = [i for i, w in enumerate(watchers) if any(c.packets == 0 for c in w.counters.values())]
        log(f"{CLIENTS} clients playing: RSS {server.rss_kib()} KiB, {server.open_files()} open files")
        assert not silent, f"clients {silent} of {CLIENTS} got no packets"
        for watcher in watchers[WATCHERS:]:
            watcher.close()
        watchers = watchers[:WATCHERS]
        for watcher in watchers:
            for counter in watcher.counters.values():
                counter.lost = 0
                counter.longest_gap = 0.0

        # Warm-up: lets allocator pools, socket buffers and caches reach their working size.
        threads, errors = run_cycles(server, WARMUP_CYCLES, seed=1)
        poll_while(watchers, threads, 120)
        assert not errors, f"warm-up cycles failed: {errors[:3]}"
        settle(server, watchers, 0, limit=5)
        baseline_rss, baseline_fds = server.rss_kib(), server.open_files()
        log(f"after {WARMUP_CYCLES} warm-up cycles: RSS {baseline_rss} KiB, {baseline_fds} open files")

        start = time.monotonic()
        threads, errors = run_cycles(server, CYCLES, seed=2)
        poll_while(watchers, threads, 240)
        elapsed = time.monotonic() - start
        assert not errors, f"{len(errors)} cycles failed, e.g. {errors[:3]}"
        settle(server, watchers, baseline_fds)
        rss, fds = server.rss_kib(), server.open_files()
        log(f"after {CYCLES} cycles in {elapsed:.1f} s: RSS {rss} KiB ({rss - baseline_rss:+d}), "
            f"{fds} open files ({fds - baseline_fds:+d})")

        for index, watcher in enumerate(watchers):
            for stream, counter in watcher.counters.items():
                assert counter.lost == 0, f"watcher {index} stream {stream} lost {counter.lost} packets"
                # Generous: a server stalled by the churn would stop for seconds. Not a speed test.
                assert counter.longest_gap < 3.0, \
                    f"watcher {index} stream {stream} stopped for {counter.longest_gap:.1f} s"
        log(f"{WATCHERS} watchers uninterrupted: "
            f"{sum(c.packets for w in watchers for c in w.counters.values())} packets, none lost")
        assert fds <= baseline_fds + FD_TOLERANCE, f"server holds {fds - baseline_fds} more files than before"
        assert rss <= baseline_rss + RSS_TOLERANCE_KIB, f"server RSS grew by {rss - baseline_rss} KiB"
        for watcher in watchers:
            watcher.close()
        assert server.alive(), "the server died"
    log("load: ok")


if __name__ == "__main__":
    main()
    sys.exit(0)
