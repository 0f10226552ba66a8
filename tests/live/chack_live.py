"""chack_live.py — the current kernel's challenge-ACK limits, live, against the simulator's.

Why: the challenge-ACK eras (tcplab-scenario(5), `challenge-ack`; docs/facts/offpath.md
section 5) say Linux 6.0 and later have no host-wide budget of challenge ACKs (79e3602caa6f:
tcp_challenge_ack_limit INT_MAX, per network namespace) and one challenge ACK per socket per
tcp_invalid_ratelimit (500 ms) whether or not the segment carries data (083ae308280d). The
off-path labs rest on that difference from Linux 3.6-4.6. This test measures both on this
machine's kernel in a network namespace and runs the same two experiments in the simulator:

  A. N connections, one in-window one-byte RST on each, all within one second: how many
     challenge ACKs come back (Linux 3.6-4.6: 100; no host-wide budget: N).
  B. one connection, K one-byte in-window RSTs 10 ms apart: how many are answered
     (4.0-4.6 spare data segments: K; 4.7+: 1).
  C. another connection, K pure ACKs 10 ms apart with a sequence number far outside the
     window: how many duplicate ACKs come back (tcp_invalid_ratelimit, Linux 4.0+: 1;
     3.6-3.19: K); then, 600 ms later, K one-byte segments as far outside (data is exempt
     in every era: K).

The kernel, `os linux` and `challenge-ack linux-6.0` must give the same counts;
`challenge-ack linux-4.0` must give 100 and K for A and B (or the test could not tell them
apart) and 1, K for C; `challenge-ack linux-3.6` K, K for C.

Usage (root): /usr/bin/python3 tests/live/chack_live.py [TCPLAB]
Only 198.18.0.0/15 inside namespaces this script creates is used; they are removed on exit.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxprobe as lp  # noqa: E402

N = 300                  # connections of experiment A (more than 3.6-4.6's 100, fewer than
#                          the listener's 512 held connections)
K = 20                   # RSTs of experiment B
SPORTS = (42000, 42000 + N + 2)   # raw client ports whose kernel RSTs the scanner drops


# ---------------------------------------------------------------- inside the scanner namespace
def inside(iface):
    """Runs in the scanner namespace: raw handshakes, then the two experiments (JSON out)."""
    from scapy.all import AsyncSniffer, IP, TCP, conf
    conf.verb = 0
    got = []
    sock = conf.L3socket(iface=iface)
    sn = AsyncSniffer(iface=iface, store=False,
                      lfilter=lambda x: IP in x and TCP in x and x[IP].src == lp.TARGET,
                      prn=lambda x: got.append((time.monotonic(), x[TCP].dport,
                                                int(x[TCP].flags), x[TCP].seq, x[TCP].ack)))
    sn.start()
    time.sleep(0.3)

    def seg(sport, flags, seq, ack, data=b""):
        return IP(src=lp.SCANNER, dst=lp.TARGET) / TCP(
            sport=sport, dport=lp.OPEN_PORT, flags=flags, seq=seq & 0xffffffff,
            ack=ack & 0xffffffff, window=29200) / data

    # handshakes in batches (the listener's backlog is 128)
    conns = {}
    ports = list(range(SPORTS[0], SPORTS[1]))
    for i in range(0, len(ports), 50):
        batch = ports[i:i + 50]
        mark = len(got)
        for p in batch:
            sock.send(seg(p, "S", 1000000 + p, 0))
        time.sleep(0.3)
        for _, dp, fl, sq, _ in got[mark:]:
            if dp in batch and fl & 0x12 == 0x12 and dp not in conns:
                conns[dp] = ((1000000 + dp + 1) & 0xffffffff, (sq + 1) & 0xffffffff)
        for p in batch:
            if p in conns:
                rcv, snd = conns[p]
                sock.send(seg(p, "A", rcv, snd))
    time.sleep(1.0)      # past any per-socket 500 ms window of the handshake

    def chacks(mark, ports_):
        return [g for g in got[mark:] if g[1] in ports_ and g[2] & 0x17 == 0x10]

    # A: one one-byte in-window RST on each of N connections, within one second
    a_ports = [p for p in ports if p in conns][:N]
    burst = [seg(p, "R", conns[p][0] + 100, 0, b"x") for p in a_ports]   # built untimed
    mark = len(got)
    t0 = time.monotonic()
    for pkt in burst:
        sock.send(pkt)
    spent = time.monotonic() - t0
    time.sleep(0.5)
    a = len(chacks(mark, set(a_ports)))
    # B: K one-byte RSTs 10 ms apart on one connection
    bp = ports[-1]
    time.sleep(0.6)
    mark = len(got)
    if bp in conns:
        rcv, snd = conns[bp]
        for k in range(K):
            sock.send(seg(bp, "R", rcv + 100 + k, 0, b"x"))
            time.sleep(0.01)
    time.sleep(0.3)
    b = len(chacks(mark, {bp}))
    # C: K out-of-window pure ACKs, then K out-of-window one-byte segments, on one connection
    cp = ports[-2]
    c = [0, 0]
    if cp in conns:
        rcv, snd = conns[cp]
        for i, data in enumerate((b"", b"x")):
            time.sleep(0.6)
            mark = len(got)
            for k in range(K):
                sock.send(seg(cp, "A", rcv + 0x40000000 + k, snd, data))
                time.sleep(0.01)
            time.sleep(0.3)
            c[i] = len(chacks(mark, {cp}))
    sn.stop()
    sock.close()
    print(json.dumps({"connections": len(a_ports), "a": a, "a_send_s": spent,
                      "b_conn": bp in conns, "b": b, "c_conn": cp in conns, "c": c}))


# ---------------------------------------------------------------- the simulator's side
SIM_SCRIPT = r"""
import sys, tcplab
N, K = int(sys.argv[1]), int(sys.argv[2])
s = tcplab.Session(); srv = s.hosts()["target"]
cs = [s.connect(srv, 80) for _ in range(N + 2)]
got = s.wait(0.05)
conn = {d.dport: d.ack for d in got if d.flags == "SA"}
sndn = {d.dport: (d.seq + 1) & 0xffffffff for d in got if d.flags == "SA"}
ports = sorted(conn)
s.wait_until(2.0)
s.send_many([tcplab.tcp_packet(s.addr, srv, p, 80, seq=(conn[p] + 100) & 0xffffffff,
                               flags="R", payload=b"x") for p in ports[:N]])
a = len([d for d in s.wait(0.5) if d.flags == "A"])
s.wait_until(4.0)
bp = ports[N]
b = 0
for k in range(K):
    s.send(tcplab.tcp_packet(s.addr, srv, bp, 80, seq=(conn[bp] + 100 + k) & 0xffffffff,
                             flags="R", payload=b"x"))
    b += len([d for d in s.wait(0.01) if d.flags == "A" and d.dport == bp])
cp = ports[N + 1]
c = []
for i, data in enumerate((b"", b"x")):
    s.wait_until(6.0 + i)
    n = 0
    for k in range(K):
        s.send(tcplab.tcp_packet(s.addr, srv, cp, 80, seq=(conn[cp] + 0x40000000 + k) & 0xffffffff,
                                 ack=sndn[cp], flags="A", payload=data))
        n += len([d for d in s.wait(0.01) if d.flags == "A" and d.dport == cp])
    c.append(n)
print("%d %d %d %d" % (a, b, c[0], c[1]))
"""


def sim(tcplab, mode):
    """Experiments A and B in the simulator, the target `os linux` with `mode` (or none)."""
    with tempfile.TemporaryDirectory() as d:
        scn = os.path.join(d, "t.scn")
        with open(scn, "w") as f:
            f.write("scenario \"challenge-ack live check\"\nseed 5961\n"
                    "host scanner 198.18.0.1 os linux role scanner\n"
                    "host target 198.18.0.2 os linux tcp 80%s\n"
                    % (" challenge-ack " + mode if mode else ""))
        py = os.path.join(d, "x.py")
        with open(py, "w") as f:
            f.write(SIM_SCRIPT)
        p = subprocess.run([tcplab, "attach", scn, "-q", "--", sys.executable, py, str(N),
                            str(K)], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("tcplab attach (%s): %s" % (mode, p.stderr.strip()))
        return tuple(int(x) for x in p.stdout.split())


def netstat(ns, names):
    """TcpExt counters of the target namespace."""
    lines = ns.target(["cat", "/proc/net/netstat"], capture_output=True, text=True,
                      check=True).stdout.splitlines()
    vals = {}
    for h, v in zip(lines[0::2], lines[1::2]):
        for k, x in zip(h.split()[1:], v.split()[1:]):
            vals[h.split()[0] + k] = int(x)
    return {n: vals.get("TcpExt:" + n, -1) for n in names}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        inside(sys.argv[2])
        return 0
    tcplab = sys.argv[1] if len(sys.argv) > 1 else "./tcplab"
    counters = ["TCPChallengeACK", "TCPACKSkippedChallenge", "TCPACKSkippedSeq"]
    with lp.Namespaces(["tl_listen_tcp %d" % lp.OPEN_PORT,
                        "tl_scanner_nokrst %d:%d" % SPORTS]) as ns:
        limit = ns.target(["sysctl", "-n", "net.ipv4.tcp_challenge_ack_limit"],
                          capture_output=True, text=True, check=True).stdout.strip()
        ratelimit = ns.target(["sysctl", "-n", "net.ipv4.tcp_invalid_ratelimit"],
                              capture_output=True, text=True, check=True).stdout.strip()
        kernel = ns.target(["uname", "-r"], capture_output=True, text=True).stdout.strip()
        before = netstat(ns, counters)
        p = ns.scanner(["timeout", "90", "/usr/bin/python3", os.path.abspath(__file__),
                        "--inside", ns.if_s], capture_output=True, text=True)
        after = netstat(ns, counters)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        return 1
    live = json.loads(p.stdout)
    delta = {n: after[n] - before[n] for n in counters}
    # What the kernel sent is its own count, not what the sniffer caught: a burst of 300
    # challenge ACKs can overflow a busy machine's capture socket (a run at load 3 caught
    # 255). Only A and B send challenge ACKs in this window: B's answers are its K RSTs less
    # the skipped ones, and A's are the rest of TCPChallengeACK.
    kb = K - delta["TCPACKSkippedChallenge"]
    ka = delta["TCPChallengeACK"] - kb
    if (live["a"], live["b"]) != (ka, kb):
        print("note: the capture saw A %d, B %d; the kernel's counters say A %d, B %d "
              "(capture loss under load: the counters are the measure)"
              % (live["a"], live["b"], ka, kb))
    live["a"], live["b"] = ka, kb
    print("kernel %s: tcp_challenge_ack_limit=%s tcp_invalid_ratelimit=%s" %
          (kernel, limit, ratelimit))
    print("live: A %d of %d connections answered (%.2f s to send); B %d of %d; C %d and %d "
          "of %d; counters %s" % (live["a"], live["connections"], live["a_send_s"], live["b"],
                                  K, live["c"][0], live["c"][1], K, delta))
    fail = []
    if (live["connections"] != N or not live["b_conn"] or not live["c_conn"] or
            live["a_send_s"] > 0.9):
        fail.append("the live set-up did not hold (%d connections, %.2f s)" %
                    (live["connections"], live["a_send_s"]))
    res = {m: sim(tcplab, m) for m in ("", "linux-6.0", "linux-4.0", "linux-3.6")}
    for m, (a, b, c0, c1) in res.items():
        print("sim %-10s: A %d of %d; B %d of %d; C %d and %d of %d" %
              (m or "os linux", a, N, b, K, c0, c1, K))
    kc = tuple(live["c"])
    if (live["a"], live["b"]) != (N, 1):
        fail.append("the kernel gave A %d, B %d; expected %d, 1 (no host-wide budget, the "
                    "per-socket limit on data too)" % (live["a"], live["b"], N))
    if kc != (1, K):
        fail.append("the kernel answered C with %s duplicate ACKs, expected (1, %d): one per "
                    "500 ms, data exempt" % (kc, K))
    want = {"TCPChallengeACK": N + 1, "TCPACKSkippedChallenge": K - 1,
            "TCPACKSkippedSeq": K - 1}
    if delta != want:
        fail.append("the kernel's counters moved by %s, expected %s" % (delta, want))
    for m in ("", "linux-6.0"):
        if res[m] != (live["a"], live["b"]) + kc:
            fail.append("sim %s gave %s, the kernel %s" % (m or "os linux", res[m],
                                                           (live["a"], live["b"]) + kc))
    if res["linux-4.0"] != (100, K, 1, K):
        fail.append("sim linux-4.0 gave %s, expected (100, %d, 1, %d)" % (res["linux-4.0"], K, K))
    if res["linux-3.6"][2:] != (K, K):
        fail.append("sim linux-3.6 gave C %s, expected (%d, %d): no per-socket limit" %
                    (res["linux-3.6"][2:], K, K))
    for f in fail:
        print("chack_live: FAIL: " + f)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
