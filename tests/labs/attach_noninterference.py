#!/usr/bin/env python3
"""attach_noninterference.py -- the non-interference lab's probes as a script of the student's
own, attached to the student's host: the same script against both runs of a diff,

    tcplab diff --lab noninterference --student ID --set hand=198.51.100.9,198.51.100.9 \\
        --set-a zport=9100 --set-b zport=7 --as attacker -- python3 THIS

(--set hand=... moves the scenario's hand-written probes to an address with no host, so
that what reaches the student's host is this script's doing). Knows what the worksheet
tells: the hosts' addresses, that the victim's connection to the zombie runs from 1 s to
1.5 s, that the hidden client is 198.51.100.77:40000 and the port asked about is server:22.

  the idle-scan channel: read the zombie's IP-ID at 0.2 s and 2.5 s (a SYN-ACK of our own;
    its RST carries the next ID), print both and the difference;
  the challenge-ACK channel (Cao et al. 2016): our own connection to server:80, then at
    1 s a SYN-ACK spoofed from the hidden client to server:22 and 100 in-window RSTs with a
    byte each on our connection; count the challenge ACKs (bare ACKs to our port) that
    come back within 0.5 s.
Prints `zombie ID1 ID2 delta D` and `chacks N`. Standard library and tcplab only.
"""
import sys

import tcplab

CLIENT, CPORT, HPORT = "198.51.100.77", 40000, 22
MYPORT = 41111   # our own connection's port (the scenario's own is 37518)


def read_zombie(s, zombie, sport):
    s.send(tcplab.tcp_packet(s.addr, zombie, sport, 80, seq=1, ack=1, flags="SA"))
    rst = [d for d in s.wait(0.01) if d.src == zombie and d.dport == sport and "R" in d.flags]
    return rst[0].ipid if rst else None


def main():
    s = tcplab.Session()
    h = s.hosts()
    zombie, server = h["zombie"], h["server"]
    conn = s.connect(server, 80, sport=MYPORT)
    synack = None
    for d in s.wait(0.05):
        if d.src == server and d.flags == "SA" and d.dport == MYPORT:
            synack = d
    if not synack or s.conn_state(conn) != "ESTABLISHED":
        print("no connection of our own to the server", file=sys.stderr)
        return 1
    myport, rcv_nxt = synack.dport, synack.ack
    s.wait_until(0.2)
    first = read_zombie(s, zombie, 51000)
    s.wait_until(1.0)
    s.send(tcplab.tcp_packet(CLIENT, server, CPORT, HPORT, seq=7777, ack=1, flags="SA"))
    s.send_many([tcplab.tcp_packet(s.addr, server, myport, 80, seq=rcv_nxt + 1000 + 10 * i,
                                   flags="R", payload=b"x") for i in range(100)])
    chacks = sum(1 for d in s.wait(0.5)
                 if d.src == server and d.dport == myport and d.flags == "A")
    s.wait_until(2.5)
    second = read_zombie(s, zombie, 51001)
    delta = (second - first) & 0xFFFF if first is not None and second is not None else None
    print("zombie %s %s delta %s" % (first, second, delta))
    print("chacks %d" % chacks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
