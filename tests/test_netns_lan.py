"""The test LAN itself (tests/netns_lan.py): hosts reach each other, multicast floods to every host, a
blocked host gets unicast but no multicast, and nothing is left behind."""

import subprocess
import unittest

from netns_lan import TestLan

GROUP, PORT = "239.255.42.1", 5004

RECEIVE = r'''
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[3])))
print("joined", flush=True)
s.settimeout(2)
n = 0
try:
    while True:
        s.recv(2000)
        n += 1
except socket.timeout:
    pass
print(n)
'''

SEND = r'''
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
for _ in range(20):
    s.sendto(b"x" * 100, (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.02)
'''


@unittest.skipIf(TestLan.available(), TestLan.available())
class TestLanTest(unittest.TestCase):
    def test_multicast_floods_and_blocking_works(self):
        with TestLan(3) as lan:
            lan.block_multicast(2)
            receivers = [lan.popen(i, ["python3", "-c", RECEIVE, GROUP, str(PORT), lan.address(i)],
                                   stdout=subprocess.PIPE, text=True) for i in (1, 2)]
            for r in receivers:
                self.assertEqual(r.stdout.readline().strip(), "joined")
            lan.run(0, ["python3", "-c", SEND, GROUP, str(PORT)], check=True, timeout=30)
            counts = [int(r.communicate(timeout=30)[0].strip()) for r in receivers]
            self.assertEqual(counts, [20, 0])
            # Unicast still reaches the blocked host: a TCP connect is refused by host 2 itself.
            probe = lan.run(0, ["python3", "-c",
                                "import socket; socket.create_connection(('%s', 9), timeout=5)"
                                % lan.address(2)], capture_output=True, text=True)
            self.assertIn("ConnectionRefusedError", probe.stderr)
            names = lan.hosts + [lan.switch]
        left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for name in names:
            self.assertNotIn(name, left)


if __name__ == "__main__":
    unittest.main()
