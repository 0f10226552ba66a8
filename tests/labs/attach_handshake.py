#!/usr/bin/env python3
"""attach_handshake.py [ISN [ACK-OFFSET]] -- the handshake lab's behaviour question done by hand: a TCP
handshake driven with raw datagrams by a script attached to the student's variant (tcplab
attach --lab handshake --student ID --record hs.rec -- python3 THIS), the student's host
(client) playing TCP itself (RFC 793 3.4, figure 7): a SYN from port 45000 with ISN 1000,
and on the server's SYN-ACK the ACK that completes the handshake, seq = ISN + 1 and
ack = the server's ISN + 1. Its host's own stack stays out of the way (no RST for the
SYN-ACK it never asked for). ACK-OFFSET (default 0) puts the ACK's ack that far off, for
the grader's test of a wrong one. Prints the server's ISN; exits 1 when no SYN-ACK came.
"""
import sys

import tcplab

SPORT, ISN = 45000, 1000


def main():
    isn = int(sys.argv[1]) if len(sys.argv) > 1 else ISN
    off = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    s = tcplab.Session()
    server = s.hosts()["server"]
    s.note("a handshake by hand from port %d" % SPORT)
    s.send(tcplab.tcp_packet(s.addr, server, SPORT, 80, seq=isn, flags="S"))
    synack = [d for d in s.wait(0.01) if d.src == server and d.dport == SPORT and d.flags == "SA"]
    if not synack:
        print("no SYN-ACK")
        return 1
    sa = synack[0]
    s.send(tcplab.tcp_packet(s.addr, server, SPORT, 80, seq=(isn + 1) & 0xFFFFFFFF,
                             ack=(sa.seq + 1 + off) & 0xFFFFFFFF, flags="A"))
    s.wait(0.01)
    print("server ISN", sa.seq, "ack", sa.ack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
