#!/usr/bin/env python3
"""attach_idle-scan.py [FIRST-LAST] -- the idle-scan lab's scan done by hand, by a script
attached to the student's variant (tcplab attach --lab idle-scan --student ID --record
idle.rec -- python3 THIS), seeing only what the student's host receives.

First the zombie: the scenario's own SYN|ACKs to the three candidates (ports 50000-50008)
come back as RSTs, and the candidate whose IDs go up by exactly one per read has one global
counter. Then, one port at a time (Antirez 1998; nmap's -sI counts groups, this does not):
a SYN forged from the zombie to the target's port, and 5 ms later a SYN|ACK of our own to the
zombie, whose RST's IP-ID tells how many datagrams the zombie sent since the last read: one
(our read's RST) when the port is closed or filtered, two when the target answered the
forged SYN with a SYN|ACK and the zombie reset it. Prints "zombie ADDR" and "open P,Q,...".
"""
import sys

import tcplab

PROBE_PORT = 80   # a port of the zombie's: any answer (RST) carries its counter


def main():
    lo, hi = 1, 1024
    if len(sys.argv) > 1:
        lo, hi = (int(x) for x in sys.argv[1].split("-"))
    s = tcplab.Session()
    target = s.hosts()["target"]
    ids = {}
    for d in s.wait_until(0.3):
        if d.proto == 6 and d.flags == "R" and 50000 <= d.dport <= 50008:
            ids.setdefault(d.src, []).append(d.ipid)
    zombie = next(a for a, v in sorted(ids.items())
                  if len(v) == 3 and v[1] == v[0] + 1 and v[2] == v[1] + 1)
    print("zombie", zombie)
    s.note("idle scan of %d-%d through %s" % (lo, hi, zombie))
    sport = 41000

    def read_id(extra=()):
        nonlocal sport
        sport = sport + 1 if sport < 60000 else 41000
        s.send_many(list(extra) + [tcplab.tcp_packet(s.addr, zombie, sport, PROBE_PORT,
                                                     seq=1, ack=1, flags="SA")])
        rst = [d for d in s.wait(0.005) if d.src == zombie and d.dport == sport]
        return rst[0].ipid if rst else None

    last = read_id()
    opened = []
    for port in range(lo, hi + 1):
        forged = tcplab.tcp_packet(zombie, target, 33000, port, seq=7, flags="S")
        # the forged SYN leaves now; our read 5 ms later, after the zombie's RST to the target
        s.send(forged)
        s.wait(0.005)
        now = read_id()
        if last is not None and now is not None and (now - last) & 0xFFFF == 2:
            opened.append(port)
        last = now
    print("open", ",".join(str(p) for p in opened) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
