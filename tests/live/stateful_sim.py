"""stateful_sim.py — the simulator half of oracle_stateful.py: the cases against `os linux`.

Why: the same cases the kernel half sends must reach an `os linux` host. Each step's segments
become `send` (and `connect`) lines of a scenario that `tcplab run --pcap` runs on the virtual
clock, once per step, each run one step longer: the simulator is deterministic, so the segments
it sent before are the same every run, and the next step's segments can be computed from them.
The state after a case is read from the transcript's RECV/TIMER lines.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxprobe as lp  # noqa: E402
from stateful_cases import (CASES, LPORT, PWIN, STEP_S, TTL, WINDOW_S, Seen,  # noqa: E402
                            nsteps, outcome, peer_port)
from stateful_wire import pcap_records, tcp_parse  # noqa: E402
import stateful_window as sw  # noqa: E402


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
         "host target %s os linux tcp %d" % (lp.TARGET, LPORT)] + sw.SIM_SERVICES
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
