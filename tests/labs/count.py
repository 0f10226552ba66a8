#!/usr/bin/env python3
"""count.py -- the packet-counting lab's reference solution (Knockel & Crandall, FOCI 2014)
as a script under `tcplab attach --as 198.18.0.0/18`.

For each of old, alice and carol it counts the datagrams that host sends bob between two
samples of the IP-ID counter that those datagrams use, read through echo replies to an
address of the student's prefix:
  old    a global counter: any address reads it (the student's own);
  alice  Linux 3.16's table (destination-only hash, no jump), carol today's (three-word
         keyed hash, a random jump after idle): first find an address D of the prefix whose
         counter is the one the host's datagrams to bob use. Ping every address of the
         prefix, make the host send K datagrams to bob (spoofed UDP "from bob:53" to its
         echo port 7: it answers bob), ping every address again: D is where the ID moved by
         about K. Then sample D before and after the conversation.
Prints `HOST count N` per host (and `HOST collides D`). Standard library and tcplab only.
"""

import socket
import struct
import sys

import tcplab

K = 1000                       # datagrams the host is made to send bob in the search
T_BEFORE, T_AFTER = 19.5, 30.5  # the conversation runs from 20 s to 30 s


def prefix_addrs(s):
    net, plen = s.prefix.split("/")
    base = struct.unpack("!I", socket.inet_aton(net))[0]
    return [socket.inet_ntoa(struct.pack("!I", base + i)) for i in range(1 << (32 - int(plen)))]


class Counter(object):
    def __init__(self, s):
        self.s = s
        self.h = s.hosts()
        self.seq = 0

    def sample(self, target, addrs):
        """Pings target from every address of addrs at once: address -> the reply's IP-ID."""
        self.seq = (self.seq + 1) & 0xFFFF
        self.s.send_many([tcplab.icmp_echo(a, target, id=0x4b43, seq=self.seq) for a in addrs])
        ids = {}
        for d in self.s.wait(0.02):
            if d.proto == 1 and d.src == target and d.icmp_type == 0 and d.icmp_seq == self.seq:
                ids[d.dst] = d.ipid
        return ids

    def collide(self, host, addrs):
        target, bob = self.h[host], self.h["bob"]
        before = self.sample(target, addrs)
        self.s.send_many([tcplab.udp_packet(bob, target, 53, 7, payload=b"count")
                          for _ in range(K)])
        self.s.wait(0.02)
        after = self.sample(target, addrs)
        moved = [(((after[a] - before[a]) & 0xFFFF), a) for a in before if a in after]
        best = max(moved)
        return best[1] if best[0] >= K // 2 else None


def main():
    s = tcplab.Session()
    c = Counter(s)
    addrs = prefix_addrs(s)
    s.wait_until(1.0)
    readers = {"old": s.addr}
    for host in ("alice", "carol"):
        d = c.collide(host, addrs)
        s.note("%s: collision search done, %s" % (host, d or "none"))
        print("%s collides %s" % (host, d), flush=True)
        if d:
            readers[host] = d
    s.wait_until(T_BEFORE)
    first = {h: c.sample(c.h[h], [a]).get(a) for h, a in readers.items()}
    s.wait_until(T_AFTER)
    last = {h: c.sample(c.h[h], [a]).get(a) for h, a in readers.items()}
    for h in ("old", "alice", "carol"):
        if h not in readers or first[h] is None or last[h] is None:
            print("%s count none" % h)
            continue
        n = ((last[h] - first[h]) & 0xFFFF) - 1
        s.note("%s: %d datagrams to bob between %.1f s and %.1f s" % (h, n, T_BEFORE, T_AFTER))
        print("%s count %d" % (h, n), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
