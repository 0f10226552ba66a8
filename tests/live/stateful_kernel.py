"""stateful_kernel.py — the kernel half of oracle_stateful.py: the cases against Linux.

Why: the answers `os linux` must give inside connections are measured on a real kernel in a
network namespace. kernel_half() makes the namespaces (linuxprobe.Namespaces) and runs this file
with --inside in the scanner namespace, where kernel_inside() sends every case's steps 100 ms
apart from a raw socket, captures the target's segments on the interface, and prints each case's
reduced answers and ss(8) state as JSON. A small agent in the target namespace (AGENT) is the
application: a listener that reads and closes at EOF, and the active cases' connect()/close().

Usage (root, made by kernel_half): stateful_kernel.py --inside IFACE TARGET_NS [--only NAME,...]
Only 198.18.0.0/15 inside the namespaces kernel_half creates is used.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxprobe as lp  # noqa: E402
from stateful_cases import (CASES, LPORT, PORT_BASE, STATE_NAMES, STEP_S,  # noqa: E402
                            WINDOW_S, Seen, describe, nsteps, outcome, peer_port)
from stateful_wire import tcp_build, tcp_parse  # noqa: E402
import stateful_window as sw  # noqa: E402


AGENT = r'''
import socket, sys, time, select, json
sched = json.loads(sys.argv[1]); t0 = float(sys.argv[2]); lports = json.loads(sys.argv[3])
lss = {}
for lport, mode in lports:
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("198.18.0.2", lport)); ls.listen(128); ls.setblocking(False)
    lss[ls] = mode
print("ready", flush=True)
conns = {}; peers = []; held = []
ev = sorted(sched, key=lambda e: e[0])
end = t0 + max([e[0] for e in ev] + [0]) + 2.0
while time.time() < end:
    now = time.time()
    while ev and t0 + ev[0][0] <= now:
        _, what, port = ev.pop(0)
        if what == "connect":
            s = socket.socket(); s.setblocking(False)
            try: s.connect(("198.18.0.1", port))
            except BlockingIOError: pass
            conns[port] = s
        elif what == "close" and port in conns:
            conns[port].close(); del conns[port]
    rd = list(lss) + peers
    r, _, _ = select.select(rd, [], [], 0.005)
    for s in r:
        if s in lss:
            try:
                c, _ = s.accept(); c.setblocking(False)
                (peers if lss[s] == "read" else held).append(c)
            except BlockingIOError: pass
        else:
            try:
                d = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                d = b""
            if d == b"":
                s.close(); peers.remove(s)
'''


def kernel_state(ns_t, states_by_port):
    p = subprocess.run(["ip", "netns", "exec", ns_t, "ss", "-tanH"], capture_output=True,
                       text=True, timeout=10)
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        peer = f[4]
        if not peer.startswith(lp.SCANNER + ":"):
            continue
        port = int(peer.rsplit(":", 1)[1])
        states_by_port[port] = STATE_NAMES.get(f[0], f[0])


def kernel_inside(iface, ns_t, only):
    """In the scanner namespace: run every case's steps against the kernel; print JSON."""
    import select
    import socket as so
    cases = [c for c in CASES if not only or c["name"] in only]
    idx = {c["name"]: CASES.index(c) for c in cases}
    sched = []
    for c in cases:
        if c["kind"] == "active":
            sched.append((0.0, "connect", peer_port(idx[c["name"]])))
            if c["close"] is not None:
                sched.append((c["close"] * STEP_S, "close", peer_port(idx[c["name"]])))
    cap = so.socket(so.AF_PACKET, so.SOCK_DGRAM, so.htons(0x0800))
    cap.bind((iface, 0))
    cap.setblocking(False)
    tx = so.socket(so.AF_INET, so.SOCK_RAW, so.IPPROTO_RAW)
    got = []

    def drain(until):
        while True:
            left = until - time.time()
            r, _, _ = select.select([cap], [], [], max(0.0, min(left, 0.002)))
            if r:
                while True:
                    try:
                        b = cap.recv(65535)
                    except BlockingIOError:
                        break
                    d = tcp_parse(b, time.time())
                    if d and d["src"] == lp.TARGET:
                        got.append(d)
            if time.time() >= until:
                return

    t0 = time.time() + 1.0
    agent = subprocess.Popen(["ip", "netns", "exec", ns_t, "/usr/bin/python3", "-c", AGENT,
                              json.dumps(sched), repr(t0),
                              json.dumps([(LPORT, "read")] + sw.LISTENERS)],
                             stdout=subprocess.PIPE, text=True)
    if agent.stdout.readline().strip() != "ready":
        raise RuntimeError("target agent did not start")
    sent_at, probes = {}, {}
    n = nsteps()
    try:
        for st in range(n):
            drain(t0 + st * STEP_S + 0.01)   # the peer acts 10 ms into each step
            for c in cases:
                if st >= len(c["steps"]):
                    continue
                port = peer_port(idx[c["name"]])
                seen = Seen([g for g in got if g["dport"] == port])
                if st == len(c["steps"]) - 1:
                    sent_at[c["name"]] = time.time()
                    probes[c["name"]] = [describe(sg, seen) for sg in c["steps"][st](seen, st)]
                for sg in c["steps"][st](seen, st):
                    dport = c["port"] if c["kind"] == "passive" else (seen.tport or 1)
                    tx.sendto(tcp_build(sg, port, dport), (lp.TARGET, 0))
        drain(time.time() + WINDOW_S + 0.02)
        states = {}
        kernel_state(ns_t, states)
    finally:
        tx.close()
        cap.close()
        agent.kill()
        agent.wait()
    out = {}
    for c in cases:
        port = peer_port(idx[c["name"]])
        segs = [g for g in got if g["dport"] == port]
        ts = sent_at.get(c["name"], 0)
        before = [s for s in segs if s["t"] < ts]
        ans = [s for s in segs if ts <= s["t"] < ts + WINDOW_S]
        default = "LISTEN" if c["kind"] == "passive" else "CLOSED"
        out[c["name"]] = outcome(c, before, ans, states.get(port, default))
        out[c["name"]]["probe"] = probes.get(c["name"], [])
    json.dump(out, sys.stdout)


def kernel_half(only):
    with lp.Namespaces(["tl_scanner_nokrst %d:%d" % (PORT_BASE, PORT_BASE + len(CASES))]) as ns:
        args = ["timeout", "60", "/usr/bin/python3", os.path.abspath(__file__),
                "--inside", ns.if_s, ns.ns_t]
        if only:
            args += ["--only", ",".join(only)]
        p = ns.scanner(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-3000:])
        raise RuntimeError("kernel half failed (exit %d)" % p.returncode)
    return json.loads(p.stdout)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "--inside":
        sys.exit("usage: stateful_kernel.py --inside IFACE TARGET_NS [--only NAME,...]")
    kernel_inside(sys.argv[2], sys.argv[3],
                  sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv
                  else None)
