#!/usr/bin/env python3
"""attach_isn-prediction.py OUT — the ISN-prediction lab solved by a script attached to the
student's variant (tcplab attach --lab isn-prediction --student ID -- python3 THIS OUT).

It sees only what the student's host receives. It waits until 2.2 s collecting the VAX's
SYN-ACKs to the scenario's four SYNs, predicts the ISN of the next connection by the 64K
rule (the last ISN + 64000 for that connection + 64000 for every 500 ms tick between its
arrival at the VAX and 2.201 s), and then proves the prediction blind: at 2.2 s it sends the
SYN from port 1004 AND, in the same batch, before any answer can come back, the ACK that
completes the handshake with ack = prediction + 1. A right prediction leaves the VAX's
connection ESTABLISHED (a grader replays the --record file and looks). Writes the answers
(what `tcplab lab check isn-prediction` reads) to OUT.
"""
import sys

import tcplab

TICK, INCR, MOD = 0.5, 64000, 1 << 32


def main():
    out = sys.argv[1]
    s = tcplab.Session()
    hosts = s.hosts()
    vax, linux = hosts["vax"], hosts["linux"]
    seen = s.wait_until(2.2)
    vax_sa = [(d.time, d.dport, d.seq) for d in seen
              if d.proto == 6 and d.src == vax and d.flags == "SA"]
    first = next(seq for _, port, seq in vax_sa if port == 1000)
    t_last, _, seq_last = max(vax_sa)
    # The VAX chose seq_last when the SYN reached it, one delay (1 ms) before we saw it.
    at_vax, arrive = t_last - 0.001, 2.2 + 0.001
    ticks = int(arrive / TICK + 1e-9) - int(at_vax / TICK + 1e-9)
    predicted = (seq_last + INCR + INCR * ticks) % MOD
    s.note("predicted ISN %d for the SYN from port 1004" % predicted)
    s.send_many([
        tcplab.tcp_packet(s.addr, vax, 1004, 513, seq=1, flags="S"),
        tcplab.tcp_packet(s.addr, vax, 1004, 513, seq=2, ack=(predicted + 1) % MOD, flags="A"),
    ])
    got = s.wait_until(2.6)   # the Linux host's second SYN-ACK comes at 2.5 s
    linux_sa = {d.dport: d.seq for d in seen + got
                if d.proto == 6 and d.src == linux and d.flags == "SA"}
    actual = [d.seq for d in got if d.proto == 6 and d.src == vax and d.dport == 1004
              and d.flags == "SA"]
    with open(out, "w") as f:
        f.write("lab = isn-prediction\n")
        f.write("first = %d\n" % first)
        f.write("per_conn = %d\n" % INCR)
        f.write("next = %d\n" % predicted)
        f.write("linux_second = %d\n" % linux_sa[2001])
        f.write("class = vax\n")
        f.write("session = isn.rec\n")
    # The prediction is shown right when the VAX's SYN-ACK carries it.
    return 0 if actual and actual[0] == predicted else 3


if __name__ == "__main__":
    sys.exit(main())
