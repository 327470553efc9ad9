#!/usr/bin/env python3
"""Network impairment relay for the fault tests: sits between an RTSP server and its client on loopback.

- RtspRelay: a TCP relay of the RTSP control connection. It can stall (hold every byte both ways for a
  while), forwards TCP-interleaved RTP untouched, and for UDP transport rewrites the SETUP exchange so that
  RTP/RTCP go through a UdpLeg of its own: client_port= in the request becomes the leg's server-facing
  ports, server_port= in the response becomes the leg's client-facing ports (and client_port= goes back to
  the client's own). It also rewrites the server's rtsp://host:port in URLs, Content-Base and SDP so the
  client never connects to the server directly.
- UdpLeg: forwards RTP and RTCP for one stream, impairing the server-to-client direction with a seeded
  random source: loss, delay with jitter (which reorders), explicit reordering, duplication and one outage.

Everything listens on 127.0.0.1 port 0 (the OS picks); nothing is ever sent off loopback. Runs its asyncio
loop in a thread of its own so tests can drive GStreamer from their main thread:

    with RtspRelay(server_port, Impairment(seed=1, loss=0.05)) as relay:
        url = relay.url("/meeting")
        ...
        relay.stall(2.0)
        print(relay.stats())

Command line (manual experiments): python3 tests/relay.py SERVER_PORT [--loss 0.05 --seed 1 ...]
"""
import argparse
import asyncio
import random
import re
import socket
import threading
import time
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"


@dataclass
class Impairment:
    """What happens to server-to-client datagrams. Delays are in seconds."""
    seed: int = 1
    loss: float = 0.0            # probability a datagram is dropped
    delay: float = 0.0           # mean one-way delay
    jitter: float = 0.0          # delay is uniform in [delay - jitter, delay + jitter]
    reorder: float = 0.0         # probability a datagram is held back by reorder_delay more
    reorder_delay: float = 0.03
    duplicate: float = 0.0       # probability a datagram is sent twice
    outage_start: float = -1.0   # seconds after the first datagram; < 0: no outage
    outage_duration: float = 0.0


@dataclass
class Counters:
    received: int = 0
    forwarded: int = 0
    lost: int = 0
    outage_dropped: int = 0
    duplicated: int = 0
    reordered: int = 0
    upstream: int = 0

    def add(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _Impairer:
    """Decides the fate of each datagram; one per relay so a seed reproduces a whole run."""

    def __init__(self, impairment):
        self.impairment = impairment
        self.rng = random.Random(impairment.seed)
        self.first = None

    def schedule(self, counters):
        """Returns the delays (seconds) at which to send copies of the datagram; [] drops it."""
        imp = self.impairment
        now = time.monotonic()
        if self.first is None:
            self.first = now
        counters.received += 1
        if imp.outage_start >= 0 and imp.outage_start <= now - self.first < imp.outage_start + imp.outage_duration:
            counters.outage_dropped += 1
            return []
        if self.rng.random() < imp.loss:
            counters.lost += 1
            return []
        copies = 2 if self.rng.random() < imp.duplicate else 1
        if copies == 2:
            counters.duplicated += 1
        delays = []
        for _ in range(copies):
            d = imp.delay + self.rng.uniform(-imp.jitter, imp.jitter)
            if self.rng.random() < imp.reorder:
                counters.reordered += 1
                d += imp.reorder_delay
            delays.append(max(0.0, d))
        counters.forwarded += copies
        return delays


class _Forwarder(asyncio.DatagramProtocol):
    def __init__(self, on_datagram):
        self.on_datagram = on_datagram
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.on_datagram(data, addr)


def _bind_udp_pair():
    """Two UDP sockets on consecutive ports, the first even, as RTP/RTCP port pairs usually are."""
    for _ in range(200):
        first = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        first.bind((LOOPBACK, 0))
        port = first.getsockname()[1]
        if port % 2 or port >= 65535:
            first.close()
            continue
        second = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            second.bind((LOOPBACK, port + 1))
        except OSError:
            first.close()
            second.close()
            continue
        return first, second
    raise OSError("no free pair of consecutive UDP ports on loopback")


class UdpLeg:
    """RTP and RTCP of one stream: server -> (impaired) -> client, client -> server as is."""

    def __init__(self, loop, impairer, client_ports):
        self.loop = loop
        self.impairer = impairer
        self.client_ports = client_ports
        self.server_ports = None        # learnt from the SETUP response (server_port=)
        self.counters = Counters()
        self.server_facing = []
        self.client_facing = []

    async def start(self):
        server_socks = _bind_udp_pair()
        client_socks = _bind_udp_pair()
        for index in range(2):
            _, proto = await self.loop.create_datagram_endpoint(
                lambda i=index: _Forwarder(lambda data, addr, i=i: self._from_server(i, data, addr)),
                sock=server_socks[index])
            self.server_facing.append(proto)
            _, proto = await self.loop.create_datagram_endpoint(
                lambda i=index: _Forwarder(lambda data, addr, i=i: self._from_client(i, data, addr)),
                sock=client_socks[index])
            self.client_facing.append(proto)
        return self

    def ports_for_server(self):
        return tuple(p.transport.get_extra_info("sockname")[1] for p in self.server_facing)

    def ports_for_client(self):
        return tuple(p.transport.get_extra_info("sockname")[1] for p in self.client_facing)

    def _from_server(self, index, data, addr):
        if self.server_ports is None:
            self.server_ports = [None, None]
        if self.server_ports[index] is None:
            self.server_ports[index] = addr[1]
        for delay in self.impairer.schedule(self.counters):
            target = (LOOPBACK, self.client_ports[index])
            sender = self.client_facing[index].transport
            if delay <= 0:
                sender.sendto(data, target)
            else:
                self.loop.call_later(delay, self._send_if_open, sender, data, target)

    @staticmethod
    def _send_if_open(sender, data, target):
        if not sender.is_closing():
            sender.sendto(data, target)

    def _from_client(self, index, data, addr):
        if self.server_ports and self.server_ports[index]:
            self.counters.upstream += 1
            self.server_facing[index].transport.sendto(data, (LOOPBACK, self.server_ports[index]))

    def close(self):
        for proto in self.server_facing + self.client_facing:
            proto.transport.close()


_PORT_RANGE = r"(\d+)(?:-(\d+))?"


def _rewrite_param(transport, name, ports):
    return re.sub(rf"(?<![a-z_]){name}={_PORT_RANGE}", f"{name}={ports[0]}-{ports[1]}", transport)


def _parse_ports(transport, name):
    match = re.search(rf"(?<![a-z_]){name}={_PORT_RANGE}", transport)
    if not match:
        return None
    first = int(match.group(1))
    return (first, int(match.group(2)) if match.group(2) else first + 1)


class _Connection:
    """One client's control connection and the server connection it is relayed to."""

    def __init__(self, relay, client_reader, client_writer):
        self.relay = relay
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.pending_setups = {}        # CSeq -> UdpLeg waiting for the response
        self.legs = []

    async def _open_server(self):
        return await asyncio.open_connection(LOOPBACK, self.relay.server_port)

    async def run(self):
        try:
            server_reader, server_writer = await self._open_server()
        except OSError:
            self.client_writer.close()
            return
        self.server_writer = server_writer
        tasks = [asyncio.ensure_future(self._pump(self.client_reader, server_writer, self._client_message)),
                 asyncio.ensure_future(self._pump(server_reader, self.client_writer, self._server_message))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for writer in (server_writer, self.client_writer):
            writer.close()
        for leg in self.legs:
            self.relay.retired.add(leg.counters)
            leg.close()
        self.legs = []

    async def _pump(self, reader, writer, rewrite):
        """Copies one direction message by message: interleaved frames as they are, RTSP rewritten."""
        try:
            while True:
                first = await reader.readexactly(1)
                if first == b"$":
                    header = await reader.readexactly(3)
                    length = int.from_bytes(header[1:3], "big")
                    chunk = first + header + await reader.readexactly(length)
                else:
                    head = first + await reader.readuntil(b"\r\n\r\n")
                    match = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
                    body = await reader.readexactly(int(match.group(1))) if match else b""
                    chunk = await rewrite(head, body)
                await self.relay.unstalled.wait()
                writer.write(chunk)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            return

    def _swap_host(self, text, to_client):
        relay_host = f"{LOOPBACK}:{self.relay.port}"
        server_host = f"{LOOPBACK}:{self.relay.server_port}"
        hosts = (server_host, relay_host) if to_client else (relay_host, server_host)
        text = text.replace(hosts[0], hosts[1])
        # The same host named "localhost" by the client or the server.
        return text.replace(hosts[0].replace(LOOPBACK, "localhost"), hosts[1])

    @staticmethod
    def _header(head, name):
        match = re.search(rf"\r\n{name}:[ \t]*([^\r\n]*)", head, re.IGNORECASE)
        return match.group(1) if match else None

    async def _client_message(self, head, body):
        text = self._swap_host(head.decode("latin-1"), to_client=False)
        transport = self._header(text, "transport")
        if text.upper().startswith("SETUP ") and transport and not self.relay.tcp_only:
            client_ports = _parse_ports(transport, "client_port")
            if client_ports:
                leg = await UdpLeg(asyncio.get_running_loop(), self.relay.impairer, client_ports).start()
                self.legs.append(leg)
                self.pending_setups[self._header(text, "cseq")] = leg
                text = text.replace(transport, _rewrite_param(transport, "client_port", leg.ports_for_server()))
        return text.encode("latin-1") + body

    async def _server_message(self, head, body):
        text = self._swap_host(head.decode("latin-1"), to_client=True)
        body = self._swap_host(body.decode("latin-1"), to_client=True).encode("latin-1")
        leg = self.pending_setups.pop(self._header(text, "cseq"), None)
        transport = self._header(text, "transport")
        if leg and transport:
            server_ports = _parse_ports(transport, "server_port")
            if server_ports:
                leg.server_ports = list(server_ports)
                rewritten = _rewrite_param(transport, "server_port", leg.ports_for_client())
                rewritten = _rewrite_param(rewritten, "client_port", leg.client_ports)
                text = text.replace(transport, rewritten)
        if body:
            text = re.sub(r"(\r\n[Cc]ontent-[Ll]ength:[ \t]*)\d+", rf"\g<1>{len(body)}", text)
        return text.encode("latin-1") + body


class RtspRelay:
    """The relay of one RTSP server (see the module doc). A context manager running its own thread."""

    def __init__(self, server_port, impairment=None, tcp_only=False):
        self.server_port = server_port
        self.impairer = _Impairer(impairment or Impairment())
        self.tcp_only = tcp_only        # leave Transport alone (TCP interleaved goes through as is)
        self.retired = Counters()
        self.connections = []
        self.port = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="relay", daemon=True)

    def __enter__(self):
        self._thread.start()
        self.port = self._call(self._start())
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, coroutine, timeout=10):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self):
        self.unstalled = asyncio.Event()
        self.unstalled.set()
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0, limit=1 << 20)
        return self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader, writer):
        connection = _Connection(self, reader, writer)
        self.connections.append(connection)
        await connection.run()
        self.connections.remove(connection)

    def url(self, path="/"):
        return f"rtsp://{LOOPBACK}:{self.port}{path}"

    def stall(self, seconds):
        """Holds every byte of every control connection (both ways) for `seconds`, then lets it all go."""
        async def stall():
            self.unstalled.clear()
            self._loop.call_later(seconds, self.unstalled.set)
        self._call(stall())

    def stats(self):
        """Counters summed over every UDP leg, past and present."""
        async def collect():
            total = Counters()
            total.add(self.retired)
            for connection in self.connections:
                for leg in connection.legs:
                    total.add(leg.counters)
            return total
        return self._call(collect())

    def close(self):
        if not self._thread.is_alive():
            return

        async def stop():
            self._server.close()
            for connection in list(self.connections):
                for leg in connection.legs:
                    leg.close()
                connection.client_writer.close()
        try:
            self._call(stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server_port", type=int, help="port of the RTSP server on 127.0.0.1")
    for name, default in (("seed", 1), ("loss", 0.05), ("delay", 0.05), ("jitter", 0.02), ("reorder", 0.02),
                          ("duplicate", 0.01), ("outage-start", 5.0), ("outage-duration", 2.0)):
        parser.add_argument("--" + name, type=type(default), default=default)
    parser.add_argument("--tcp-only", action="store_true", help="do not rewrite UDP transports")
    args = parser.parse_args()
    impairment = Impairment(seed=args.seed, loss=args.loss, delay=args.delay, jitter=args.jitter,
                            reorder=args.reorder, duplicate=args.duplicate,
                            outage_start=args.outage_start, outage_duration=args.outage_duration)
    with RtspRelay(args.server_port, impairment, tcp_only=args.tcp_only) as relay:
        print(f"relaying {relay.url()} -> rtsp://{LOOPBACK}:{args.server_port}/", flush=True)
        try:
            while True:
                time.sleep(5)
                print(relay.stats(), flush=True)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
