"""A test LAN of network namespaces: hosts on one Ethernet segment, for tests of what crosses a network
(multicast above all), made and removed by the test itself.

    with TestLan(3) as lan:          # hosts lan.hosts[0..2], addresses lan.address(i)
        lan.popen(0, ["meetsrv", ...])
        lan.run(1, ["ffprobe", ...])

The switch is a bridge inside a namespace of its own, and every host is a namespace joined to it by a veth
pair, so nothing of the test touches the machine's own interfaces or routes, and no packet of it can leave
the machine: the namespaces have no link to the outside. Needs root (CI runs as root); TestLan.available()
says whether this machine can make namespaces, so tests can skip with a reason where it cannot.

Addresses are from 10.77.0.0/24 inside these namespaces only; multicast (224.0.0.0/4) is routed to each
host's eth0.
"""

import os
import subprocess
import sys
import time

SUBNET = "10.77.0"
_CONNECT = "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)"


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


class TestLan:
    def __init__(self, hosts, name=None):
        self.count = hosts
        self.prefix = name or f"meet{os.getpid() % 100000}"
        self.switch = f"{self.prefix}-sw"
        self.hosts = [f"{self.prefix}-h{i}" for i in range(hosts)]

    @staticmethod
    def available():
        """None when namespaces can be made here, else the reason they cannot."""
        if os.geteuid() != 0:
            return "network namespaces need root"
        probe = f"meetprobe{os.getpid() % 100000}"
        result = _ip("netns", "add", probe, check=False)
        if result.returncode != 0:
            return "cannot create a network namespace: " + result.stderr.strip()
        _ip("netns", "del", probe, check=False)
        return None

    def address(self, index):
        return f"{SUBNET}.{index + 1}"

    def __enter__(self):
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _create(self):
        _ip("netns", "add", self.switch)
        self.exec_in(self.switch, ["ip", "link", "add", "br0", "type", "bridge"])
        # IGMP snooping off: the bridge floods multicast like a plain switch (tests that want a switch which
        # drops multicast block it at the host instead, see block_multicast).
        self.exec_in(self.switch, ["ip", "link", "set", "br0", "type", "bridge", "mcast_snooping", "0"])
        self.exec_in(self.switch, ["ip", "link", "set", "br0", "up"])
        for i, host in enumerate(self.hosts):
            _ip("netns", "add", host)
            port = f"p{i}"
            # Both ends are created inside the switch namespace and one is moved to the host: the root
            # namespace never holds either end.
            self.exec_in(self.switch, ["ip", "link", "add", port, "type", "veth", "peer", "name", "eth0"])
            self.exec_in(self.switch, ["ip", "link", "set", "eth0", "netns", host])
            self.exec_in(self.switch, ["ip", "link", "set", port, "master", "br0", "up"])
            self.exec_in(host, ["ip", "link", "set", "lo", "up"])
            self.exec_in(host, ["ip", "addr", "add", f"{self.address(i)}/24", "dev", "eth0"])
            self.exec_in(host, ["ip", "link", "set", "eth0", "up"])
            self.exec_in(host, ["ip", "route", "add", "224.0.0.0/4", "dev", "eth0"])

    def close(self):
        for ns in self.hosts + [self.switch]:
            _ip("netns", "del", ns, check=False)

    def exec_in(self, namespace, args, **kwargs):
        return subprocess.run(["ip", "netns", "exec", namespace, *args], check=True, capture_output=True,
                              text=True, **kwargs)

    def command(self, index, args):
        """@args prefixed so that they run on host @index."""
        return ["ip", "netns", "exec", self.hosts[index], *args]

    def run(self, index, args, **kwargs):
        return subprocess.run(self.command(index, args), **kwargs)

    def popen(self, index, args, **kwargs):
        return subprocess.Popen(self.command(index, args), **kwargs)

    def block_multicast(self, index):
        """Host @index no longer receives multicast, as behind a switch port or firewall that drops it: the
        switch stops flooding multicast to its port; unicast goes on."""
        self.exec_in(self.switch, ["bridge", "link", "set", "dev", f"p{index}", "mcast_flood", "off"])

    def tx_bytes(self, index):
        """Bytes host @index has sent on its LAN interface so far (to tell one send from one per reader)."""
        return int(self.exec_in(self.hosts[index], ["cat", "/sys/class/net/eth0/statistics/tx_bytes"]).stdout)

    def wait_listening(self, index, port, proc=None, from_host=1, timeout=20):
        """Waits until host @from_host can connect to TCP @port of host @index; raises AssertionError when
        @proc (the server) exits first or @timeout seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            probe = self.run(from_host, [sys.executable, "-c", _CONNECT, self.address(index), str(port)],
                             capture_output=True)
            if probe.returncode == 0:
                return
            if proc is not None and proc.poll() is not None:
                raise AssertionError("the server exited")
            if time.monotonic() > deadline:
                raise AssertionError("the server never listened")
            time.sleep(0.2)


class LanProcesses:
    """For a unittest.TestCase: start_lan() makes self.lan, spawn() runs a process on one of its hosts
    (stdout and stderr piped, text); at the end every process still running is killed, then the LAN is
    removed. The stderr of the processes in self.noisy is printed then (a server's complaints)."""

    def start_lan(self, hosts):
        self.lan = TestLan(hosts).__enter__()
        self.procs = []
        self.noisy = []
        self.addCleanup(self._stop_lan)
        return self.lan

    def spawn(self, host, args, **kwargs):
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        p = self.lan.popen(host, args, text=True, **kwargs)
        self.procs.append(p)
        return p

    def _stop_lan(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            _, err = p.communicate()
            if p in self.noisy and err:
                print("server:", err[-2000:], flush=True)
        self.lan.close()
