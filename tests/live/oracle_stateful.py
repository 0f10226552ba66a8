"""oracle_stateful.py — `os linux` against a real Linux kernel inside connections.

Why: oracle_linux.py checks single probes (a fresh 4-tuple each); what a stack does with a
segment inside a connection (RFC 793 3.9 "SEGMENT ARRIVES", RFC 5961's challenge ACKs, RFC 7323
PAWS, RFC 2018/2883 SACK and D-SACK, Linux's request and TIME-WAIT sockets) needs the
connection first. Each case here drives one connection into a state, step by step, then sends
one or more probe segments and records the answers:

  passive cases: the peer (scapy) opens to a listener whose application reads and closes at
                 EOF (the simulator's passive server does the same); SYN-RECEIVED,
                 ESTABLISHED, LAST-ACK;
  active cases:  the target connects to the peer (a socket in the target namespace; in the
                 simulator a `connect` line), and closes at a given step: SYN-SENT,
                 ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1, FIN-WAIT-2 (orphaned), CLOSING,
                 TIME-WAIT.

The same cases run (a) against the kernel in a network namespace: scapy sends each step's
segments, computed from the target's segments seen so far, 100 ms apart; and (b) against an
`os linux` host: the steps become `send` (and `connect`) lines of a scenario that `tcplab run
--pcap` runs on the virtual clock, once per step, each run one step longer (the simulator is
deterministic, so the segments it sent before are the same every run). The answers to the
last step, within 90 ms (before any retransmission timer: Linux's RTO is at least 200 ms), are
reduced to fields relative to the connection (seq from the target's ISS, ack from the peer's,
TSecr as the peer's TSval it echoes, SACK blocks from the peer's ISS) and compared with the
connection's state after them (ss(8) in the target namespace; the transcript's state in the
simulator).

Known kernel differences are tabulated in KERNEL_NOTES: where the kernel answering is not the
one `os linux` models (Linux 6.18) and a listed case differs, the report says which kernel
behaviour it saw instead of failing obscurely.

Usage (root): /usr/bin/python3 tests/live/oracle_stateful.py [TCPLAB] [--kernel-only | --facts]
              [--only NAME,...] [--keep DIR]
  --kernel-only  print the kernel's answers; --facts: as LINUX-FACTS.md's section 7 (markdown).
Exit 0 when every case matches, 1 on a mismatch, 2 when a half could not run.
Only 198.18.0.0/15 inside namespaces this script creates is used; they are removed on exit.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxprobe as lp  # noqa: E402
from stateful_cases import (CASES, KERNEL_NOTES, MODELLED, PISS, PORT_BASE, PWIN,  # noqa: E402
                             RACES, STEP_S, TTL, WINDOW_S, LPORT, Seen, nsteps,
                             peer_port)
from stateful_wire import pcap_records, tcp_build, tcp_parse  # noqa: E402
import stateful_window as sw  # noqa: E402  (its cases join CASES)

# The target's listeners: the plain one of most cases, and the window cases' two services.
LISTENERS = [(LPORT, "read"), (sw.READ_PORT, "read"), (sw.HOLD_PORT, "hold")]


# ---------------------------------------------------------------- reduction
def describe(sg, seen):
    """A peer segment relative to the connection, for the facts table."""
    d = [sg["flags"] or "none", "seq=pss" + rel(sg["seq"], PISS)]
    if "A" in sg["flags"] and seen.iss is not None:
        d.append("ack=iss" + rel(sg["ack"], seen.iss))
    if sg["data"]:
        d.append("len=%d" % sg["data"])
    for o in sg["opts"]:
        if o[0] == "ts":
            d.append("tsval=%d" % o[1])
    return " ".join(d)


# Where each group of cases is decided in the kernel (net/ipv4/), for the facts table.
SOURCES = [
    ("sr_", "SYN-RECEIVED (the listener's request socket)",
     "tcp_minisocks.c tcp_check_req; tcp_ipv4.c tcp_v4_reqsk_send_ack, tcp_v4_send_reset"),
    ("es_", "ESTABLISHED, passive (the application reads, closes at EOF)",
     "tcp_input.c tcp_validate_incoming (sequence, PAWS tcp_paws_discard, RST, SYN), tcp_ack "
     "(RFC 5961 5.2: max_window = min(max_window, bytes_acked); tcp_replace_ts_recent), "
     "tcp_data_queue, tcp_data_queue_ofo, tcp_sack_new_ofo_skb, tcp_dsack_set, tcp_fin "
     "(pingpong: the FIN's ACK delayed); tcp_output.c tcp_established_options"),
    ("la_", "LAST-ACK", "tcp_input.c tcp_rcv_state_process, tcp_validate_incoming"),
    ("ss_", "SYN-SENT (connect())",
     "tcp_input.c tcp_rcv_synsent_state_process (bad ACK: reset_and_undo, and the SYN "
     "retransmitted at TCP_TIMEOUT_MIN when icsk_retransmits == 0)"),
    ("ea_", "ESTABLISHED, active (one byte, the SYN, acknowledged)", "tcp_input.c tcp_ack"),
    ("f1_", "FIN-WAIT-1 (the application closed)", "tcp_input.c tcp_rcv_state_process"),
    ("f2_", "FIN-WAIT-2, orphaned: a TIME-WAIT socket in substate FIN_WAIT2",
     "tcp_input.c tcp_rcv_state_process (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)); "
     "tcp_minisocks.c tcp_timewait_state_process"),
    ("cl_", "CLOSING", "tcp_input.c tcp_rcv_state_process (tcp_time_wait, then consume)"),
    ("tw_", "TIME-WAIT", "tcp_minisocks.c tcp_timewait_state_process"),
    ("wn_", "Receive window (port %d: the application reads at once; %d: it never reads)" % (
        sw.READ_PORT, sw.HOLD_PORT),
     "tcp_output.c tcp_select_initial_window, __tcp_select_window, tcp_select_window; "
     "tcp_input.c tcp_grow_window, tcp_data_queue (zero window), tcp_rcv_space_adjust"),
    ("cw_", "CLOSE-WAIT (connect(), the application never closes)",
     "tcp_input.c tcp_rcv_state_process, tcp_data_queue (D-SACK of a repeated FIN)"),
]


def facts_markdown(kern, release):
    """The kernel half as LINUX-FACTS.md's section 7."""
    L = ["## 7. Inside connections, state by state (tests/live/oracle_stateful.py)", "",
         "Measured on kernel **%s**. Each case is its own connection, driven step by step "
         "100 ms apart by a raw peer (198.18.0.1, ISS `pss` = %d, window %d, MSS 1460, "
         "SACK-permitted and timestamps offered, no window scaling; TSval 100 + 10 per step "
         "unless the probe says otherwise); the last step's segments are the probe. Answers "
         "within 90 ms: `seq` from the target's ISS (`iss`), `ack` from the peer's, `ecr` = "
         "the TSecr (the peer TSval it echoes: TS.Recent), `sack` blocks from `pss`. The "
         "state is ss(8)'s right after (LISTEN: the connection is gone, the listener stays; "
         "CLOSED likewise for a connect()). `os linux` must give the same (make live). The "
         "`wn_` cases (stateful_window.py) offer window scale 7 and read only the last answer: "
         "`ack=+N` the bytes it newly acknowledges, the window field and its bytes; their "
         "check is exact or a range (stateful_window.py says which and why)." % (
             release, PISS, PWIN), ""]
    for prefix, title, src in SOURCES:
        rows = [(n, k) for n, k in kern.items() if n.startswith(prefix)]
        if not rows:
            continue
        L += ["### %s" % title, "", "Source: %s." % src, "",
              "| case | probe | answers | state after |", "|---|---|---|---|"]
        for n, k in rows:
            L.append("| %s | %s | %s | %s |" % (n, "; ".join(k.get("probe", [])) or "-",
                                                "; ".join(k["answers"]) or "none", k["state"]))
        L.append("")
    for n, (why, _) in RACES.items():
        L.append("Timing: `%s`: %s." % (n, why))
    return "\n".join(L) + "\n"


def rel(a, b):
    d = (a - b) & 0xffffffff
    return "%+d" % (d - (1 << 32) if d >= 0x80000000 else d)


def reduce_answer(r, seen):
    """One target segment, relative to the connection: what must match."""
    from_iss = seen.iss if seen.iss is not None else r["seq"]
    out = [lp.flags_str(r["flags"]),
           "seq=0" if r["seq"] == 0 else "seq=iss%s" % rel(r["seq"], from_iss),
           "ack=%s" % (("pss" + rel(r["ack"], PISS)) if r["flags"] & 0x10 else "-"),
           "len=%d" % r["len"]]
    if "tsecr" in r:
        out.append("ecr=%d" % r["tsecr"])
    if r["sack"]:
        out.append("sack=" + ",".join("%s:%s" % (rel(a, PISS), rel(b, PISS))
                                      for a, b in r["sack"]))
    return " ".join(out)


STATE_NAMES = {"SYN-RECV": "SYN-RECEIVED", "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN-SENT",
               "FIN-WAIT-1": "FIN-WAIT-1", "FIN-WAIT-2": "FIN-WAIT-2", "CLOSING": "CLOSING",
               "LAST-ACK": "LAST-ACK", "TIME-WAIT": "TIME-WAIT", "CLOSE-WAIT": "CLOSE-WAIT"}


def reduce_window(r, seen):
    """The window cases' reading of a target segment: flags, the bytes it acknowledges beyond
    the target's ACK before the step (`+N`, `same`), the window field and the window in bytes
    (scaled by the SYN-ACK's shift, except in the SYN-ACK itself)."""
    syn = r["flags"] & 0x02
    ws = r.get("wscale", 0) if syn else seen.wscale
    new = ((r["ack"] - PISS - 1) - (seen.acked or 0)) & 0xffffffff
    return "%s ack=%s win=%d (%d bytes%s)" % (
        lp.flags_str(r["flags"]), "+%d" % new if new else "same", r["win"],
        r["win"] << (0 if syn else ws), (", wscale %d" % ws) if syn else "")


def window_match(name, k, s):
    """A window case's answers agree: exactly, or (sw.CHECK "range") flags and ack exactly
    and both windows within the case's bounds."""
    chk = sw.CHECK[name]
    if chk == "exact" or k["state"] != s["state"] or len(k["answers"]) != len(s["answers"]):
        return (k["answers"], k["state"]) == (s["answers"], s["state"])
    _, lo, hi = chk
    for a, b in zip(k["answers"], s["answers"]):
        fa, fb = a.split(" win=")[0], b.split(" win=")[0]
        wa, wb = (int(x.split("(")[1].split()[0]) for x in (a, b))
        if fa != fb or not (lo <= wa <= hi and lo <= wb <= hi):
            return False
    return True


def outcome(c, segs_before, answers, state):
    seen = Seen(segs_before)
    if c["reduce"] == "last":
        ans = [reduce_window(answers[-1], seen)] if answers else []
    else:
        ans = [reduce_answer(a, seen) for a in answers]
    return {"answers": ans, "state": state}


# ---------------------------------------------------------------- kernel half
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
                              json.dumps(sched), repr(t0), json.dumps(LISTENERS)],
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


# ---------------------------------------------------------------- simulator half
def sim_seg_line(sg, port, seen, c, t_us):
    if c["kind"] == "passive":
        sport, dport = port, c["port"]
    else:
        sport, dport = port, seen.tport or 1
    opts = []
    for o in sg["opts"]:
        if o[0] == "ts":
            opts.append("ts:%d:%d" % (o[1], o[2]))
        elif o[0] == "wscale":
            opts.append("wscale:%d" % o[1])
        else:
            opts.append(o[0])
    L = "send %s:%d -> %s:%d tcp flags %s seq %d ack %d win %d ttl %d" % (
        lp.SCANNER, sport, lp.TARGET, dport, sg["flags"] or "none", sg["seq"], sg["ack"], PWIN,
        TTL)
    if opts:
        L += " options " + ",".join(opts)
    if sg["data"]:
        L += " data %d" % sg["data"]
    return L + " at %dus" % t_us


def sim_scenario(cases, lines):
    L = ['scenario "oracle_stateful: os linux inside connections"', "seed 1",
         "net 198.18.0.0/24",
         "host target %s os linux tcp %d" % (lp.TARGET, LPORT),
         "  service %d discard" % sw.READ_PORT, "  service %d sink" % sw.HOLD_PORT]
    for c in cases:
        if c["kind"] == "active":
            port = peer_port(CASES.index(c))
            ln = "connect target -> %s:%d at 1000ms" % (lp.SCANNER, port)
            if c["close"] is not None:
                ln += " close %dus" % (1000000 + int(c["close"] * STEP_S * 1e6))
            L.append(ln)
    return "\n".join(L + lines) + "\n"


def sim_run(tcplab, workdir, text, until_us):
    scn = os.path.join(workdir, "stateful.scn")
    pcap = os.path.join(workdir, "stateful.pcap")
    with open(scn, "w") as fh:
        fh.write(text)
    p = subprocess.run(["timeout", "60", tcplab, "run", scn, "--pcap", pcap,
                        "--until", "%dus" % until_us], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-2000:])
        raise RuntimeError("`%s run %s` failed (exit %d)" % (tcplab, scn, p.returncode))
    segs = []
    for t, b in pcap_records(pcap):
        d = tcp_parse(b, t)
        if d and d["src"] == lp.TARGET:
            segs.append(d)
    return segs, p.stdout


def sim_states(transcript, cases):
    """The state after each case's last event at the target, from the transcript's
    `RECV`/`TIMER` lines (`... => ACTION (RULE) BEFORE -> AFTER`)."""
    st = {}
    pat = re.compile(r"^\S+ (RECV|TIMER) +target +(\S+) > (\S+) .* (\S+) -> (\S+)"
                     r"(?: ipid=\S+)?(?: isn_next=\S+)?$")
    for line in transcript.splitlines():
        m = pat.match(line)
        if not m:
            continue
        src, dst, after = m.group(2), m.group(3), m.group(5)
        for end in (src, dst):
            if end.startswith(lp.SCANNER + ":"):
                st[int(end.rsplit(":", 1)[1])] = after
    return st


def sim_half(tcplab, workdir, only):
    cases = [c for c in CASES if not only or c["name"] in only]
    lines = []
    n = nsteps()
    t0_us = 1000000
    segs = []
    sent_at = {}
    transcript = ""
    for st in range(n + 1):
        until = t0_us + st * int(STEP_S * 1e6) + (int(WINDOW_S * 1e6) + 20000 if st == n else 0)
        segs, transcript = sim_run(tcplab, workdir, sim_scenario(cases, lines), until)
        if st == n:
            break
        t_us = t0_us + st * int(STEP_S * 1e6) + 10000
        for c in cases:
            if st >= len(c["steps"]):
                continue
            port = peer_port(CASES.index(c))
            seen = Seen([s for s in segs if s["dport"] == port])
            for k, sg in enumerate(c["steps"][st](seen, st)):
                lines.append(sim_seg_line(sg, port, seen, c, t_us + k))
            if st == len(c["steps"]) - 1:
                sent_at[c["name"]] = t_us / 1e6
    states = sim_states(transcript, cases)
    out = {}
    for c in cases:
        port = peer_port(CASES.index(c))
        mine = [s for s in segs if s["dport"] == port]
        ts = sent_at.get(c["name"], 0)
        before = [s for s in mine if s["t"] < ts]
        ans = [s for s in mine if ts <= s["t"] < ts + WINDOW_S]
        default = "LISTEN" if c["kind"] == "passive" else "CLOSED"
        sstate = states.get(port, default)
        if sstate == "CLOSED" and c["kind"] == "passive":
            sstate = "LISTEN"
        out[c["name"]] = outcome(c, before, ans, sstate)
    return out


# ---------------------------------------------------------------- comparison
def kernel_version():
    rel_ = os.uname().release
    m = re.match(r"(\d+)\.(\d+)", rel_)
    return rel_, ((int(m.group(1)), int(m.group(2))) if m else (0, 0))


def main(argv):
    if len(argv) > 3 and argv[1] == "--inside":
        only = argv[argv.index("--only") + 1].split(",") if "--only" in argv else None
        kernel_inside(argv[2], argv[3], only)
        return 0
    only = argv[argv.index("--only") + 1].split(",") if "--only" in argv else None
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else None
    skip = {a for a in (keep, ",".join(only) if only else None) if a}
    args = [a for a in argv[1:] if not a.startswith("--") and a not in skip]
    tcplab = os.path.abspath(args[0] if args else "./tcplab")
    release, ver = kernel_version()
    print("oracle_stateful: kernel %s (os linux models %s), %d cases" % (
        release, MODELLED, len(only) if only else len(CASES)),
        file=sys.stderr if "--facts" in argv else sys.stdout)
    t = time.time()
    try:
        kern = kernel_half(only)
    except Exception as e:
        print("oracle_stateful: kernel half: %s" % e)
        return 2
    tk = time.time() - t
    if "--facts" in argv:
        sys.stdout.write(facts_markdown(kern, release))
        return 0
    if "--kernel-only" in argv:
        for name, o in kern.items():
            print("%-18s %-12s %s" % (name, o["state"], " | ".join(o["answers"]) or "(none)"))
        return 0
    workdir = keep or tempfile.mkdtemp(prefix="tcplab-stateful.")
    os.makedirs(workdir, exist_ok=True)
    try:
        sim = sim_half(tcplab, workdir, only)
    except Exception as e:
        print("oracle_stateful: simulator half: %s (files in %s)" % (e, workdir))
        return 2
    if not keep:
        for f in os.listdir(workdir):
            os.unlink(os.path.join(workdir, f))
        os.rmdir(workdir)
    bad, noted = [], []
    for name in kern:
        k, s = kern[name], sim[name]
        if name in RACES:
            k = dict(k, answers=RACES[name][1](k["answers"]))
        if name in sw.CHECK and window_match(name, k, s):
            continue
        if (k["answers"], k["state"]) == (s["answers"], s["state"]):
            continue
        notes = [n for pred, n in KERNEL_NOTES.get(name, []) if pred(ver)]
        (noted if notes else bad).append((name, k, s, notes))
    for name, k, s, notes in noted:
        print("oracle_stateful: %s: kernel %s answers differently from the %s model: %s" % (
            name, release, MODELLED, "; ".join(notes)))
    print("oracle_stateful: kernel half %.1f s, simulator half %.1f s" % (
        tk, time.time() - t - tk))
    if not bad:
        print("oracle_stateful: %d cases, every answer and state matches the kernel" % len(kern))
        return 0
    if "%d.%d" % ver != MODELLED:
        print("oracle_stateful: kernel %s is not the %s that `os linux` models: the differences "
              "below may be this kernel's own (LINUX-FACTS.md section 7 has %s's answers)" % (
                  release, MODELLED, MODELLED))
    print("oracle_stateful: %d of %d cases differ (kernel vs tcplab `os linux`):" % (
        len(bad), len(kern)))
    for name, k, s, _ in bad:
        print("  %s" % name)
        print("    kernel:    %-12s %s" % (k["state"], " | ".join(k["answers"]) or "(none)"))
        print("    simulator: %-12s %s" % (s["state"], " | ".join(s["answers"]) or "(none)"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
