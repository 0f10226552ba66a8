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

MODELLED = "6.18"          # the kernel `os linux` models (sim/os.c)
STEP_S = 0.1               # steps 100 ms apart, kernel and simulator alike
WINDOW_S = 0.09            # answers to the last step counted for 90 ms
LPORT = 80                 # the listener of the passive cases
PISS = 1000000             # the peer's ISS in every case
PWIN = 64240               # the peer's window (no window scaling offered)
PORT_BASE = 30000          # case i uses peer port PORT_BASE + i
TTL = 63                   # the peer's TTL: the scanner kernel's own RSTs (TTL 64) are dropped

# Kernel versions whose answer to a case differs from the one modelled, with what they do:
# {case: [(predicate on (major, minor), note)]}.
_BYTES_ACKED = (lambda v: v < (6, 2),
                "before Linux 6.2 (\"tcp: do not accept ACK of bytes we never sent\") an old "
                "ACK was bounded by MAX.SND.WND alone, so one this close to SND.UNA is ignored "
                "without a challenge ACK")
KERNEL_NOTES = {
    "es_ack_old": [_BYTES_ACKED],
    "ea_ack_old2": [_BYTES_ACKED],
    "es_ack_future": [(lambda v: v < (6, 0),
                       "older kernels (2016-era, LINUX-FACTS.md section 5) drop SEG.ACK > "
                       "SND.NXT silently (RFC 793 3.9); the one modelled answers a challenge "
                       "ACK (RFC 5961 5.2); the version where this changed is not pinned down")],
}


# Cases whose kernel answer depends on timing the test cannot control, with the reading
# that takes it out: {case: (why, normaliser of the kernel's answers)}.
def _fold_ack_into_fin(ans):
    """A pure ACK followed by a FIN+ACK with the same numbers is the FIN+ACK alone."""
    out = []
    for i, a in enumerate(ans):
        nxt = ans[i + 1] if i + 1 < len(ans) else ""
        if a.startswith("A ") and nxt.startswith("FA ") and a[1:] == nxt[2:]:
            continue
        out.append(a)
    return out


_FIN_RACE = ("the FIN's delayed ACK (a socket that has received no data has no ATO yet: "
             "the timer fires at the next tick) races the application's read and close, so "
             "on a busy machine the kernel sends ACK then FIN+ACK instead of FIN+ACK alone; "
             "both count as FIN+ACK", _fold_ack_into_fin)
RACES = {"sr_fin_ack": _FIN_RACE, "es_fin": _FIN_RACE, "es_fin_data": _FIN_RACE}


def tsopt(tsval, tsecr):
    return ("ts", tsval, tsecr)


class Seen:
    """What the peer knows of its connection from the target's segments so far."""

    def __init__(self, segs):
        self.segs = segs
        self.iss = None
        self.tport = None
        self.nxt = None            # the target's SND.NXT as the peer saw it
        self.tsval = 0             # the target's latest TSval
        for s in segs:
            if s["flags"] & 0x02:
                self.iss = s["seq"]
            if self.tport is None:
                self.tport = s["sport"]
            end = (s["seq"] + s["len"] + (1 if s["flags"] & 0x02 else 0) +
                   (1 if s["flags"] & 0x01 else 0)) & 0xffffffff
            if not (s["flags"] & 0x04) and (self.nxt is None or
                                           ((end - self.nxt) & 0xffffffff) < 0x80000000):
                self.nxt = end
            if s.get("tsval"):
                self.tsval = s["tsval"]

    def ack(self, d=0):
        return ((self.nxt if self.nxt is not None else 0) + d) & 0xffffffff


def seg(flags, seq, ack=0, data=0, opts=None, ts=None):
    """A peer segment: flags letters, seq/ack absolute, data bytes of 'X', options.
    ts: (tsval, tsecr) to add a timestamp option."""
    o = list(opts or [])
    if ts is not None:
        o.append(tsopt(ts[0], ts[1]))
    return {"flags": flags, "seq": seq & 0xffffffff, "ack": ack & 0xffffffff, "data": data,
            "opts": o}


def syn_opts():
    return [("mss", 1460), ("sack",), ("nop",), ("nop",)]


# ---------------------------------------------------------------- the cases
# A case: name, kind ("passive" or "active"), steps (functions of (Seen, tsval) -> [segments],
# one per step; the last is the probe), close (the step at which the target's application
# closes, active cases only; None: never).

def _tsv(step):
    return 100 + 10 * step      # the peer's TSval at each step: increasing


def p_syn(s, st):
    return [seg("S", PISS, 0, opts=syn_opts(), ts=(_tsv(st), 0))]


def p_ack(s, st):
    return [seg("A", PISS + 1, s.ack(), ts=(_tsv(st), s.tsval))]


def a_synack(s, st):
    return [seg("SA", PISS, s.ack(), opts=syn_opts(), ts=(_tsv(st), s.tsval))]


def a_nothing(s, st):
    return []


def at(rel, flags="A", data=0, ack=0, ts=True, tsval=None, opts=None):
    """A segment at PISS + 1 + rel acknowledging the target's SND.NXT + ack."""
    def f(s, st):
        t = (tsval if tsval is not None else _tsv(st), s.tsval) if ts else None
        return [seg(flags, PISS + 1 + rel, s.ack(ack) if "A" in flags else 0, data,
                    opts=opts, ts=t)]
    return f


def then(*fs):
    """Several segments in one step (in order)."""
    def f(s, st):
        out = []
        for g in fs:
            out += g(s, st)
        return out
    return f


def the_fin_seg(rel=0, ack=0):
    return at(rel, "FA", ack=ack)


CASES = []


def case(name, kind, steps, close=None):
    CASES.append({"name": name, "kind": kind, "steps": steps, "close": close})


# SYN-RECEIVED: the listener's request socket (Linux tcp_check_req)
for nm, pr in [("sr_rst_exact", at(0, "R", ts=False)),
               ("sr_rst_inexact", at(100, "R", ts=False)),
               ("sr_rst_oow", at(200000, "R", ts=False)),
               ("sr_rstack_exact", at(0, "RA", ts=False)),
               ("sr_syn_again", p_syn),
               ("sr_syn_inwin", at(1000, "S")),
               ("sr_ack_bad", at(0, "A", ack=5)),
               ("sr_ack_old", at(0, "A", ack=-1)),
               ("sr_data_noack", at(0, "P", data=10)),
               ("sr_ack_data", at(0, "PA", data=10)),
               ("sr_ack_oow", at(200000, "A")),
               ("sr_fin_ack", at(0, "FA"))]:
    case(nm, "passive", [p_syn, pr])

# ESTABLISHED, passive (the peer opened; the application reads and closes at EOF)
EST = [p_syn, p_ack]
for nm, pr in [("es_data", at(0, "PA", data=10)),
               ("es_ooo", at(100, "PA", data=10)),
               ("es_ooo_two", then(at(100, "PA", data=10), at(300, "PA", data=10))),
               ("es_oow_data", at(200000, "PA", data=10)),
               ("es_rst_exact", at(0, "R", ts=False)),
               ("es_rst_inexact", at(100, "R", ts=False)),
               ("es_rst_oow", at(200000, "R", ts=False)),
               ("es_rst_before", at(-1, "R", ts=False)),
               ("es_syn", at(0, "S")),
               ("es_syn_oow", at(200000, "S")),
               ("es_ack_old", at(0, "A", ack=-1)),
               ("es_ack_future", at(0, "A", ack=100)),
               ("es_ack_dup", at(0, "A")),
               ("es_fin", at(0, "FA")),
               ("es_fin_data", at(0, "FPA", data=10)),
               ("es_paws_data", at(0, "PA", data=10, tsval=5)),
               ("es_paws_rst", at(0, "R", tsval=5)),
               ("es_nots_data", at(0, "PA", data=10, ts=False)),
               ("es_none_flags", at(0, "", data=10))]:
    case(nm, "passive", EST + [pr])
# Multi-step probes
case("es_ooo_fill", "passive", EST + [at(10, "PA", data=10), at(0, "PA", data=10)])
case("es_dup_data", "passive", EST + [at(0, "PA", data=10), at(0, "PA", data=10)])
case("es_dup_partial", "passive", EST + [at(0, "PA", data=20), at(10, "PA", data=20)])
case("es_ooo_dup", "passive", EST + [at(100, "PA", data=10), at(100, "PA", data=10)])
# TS.Recent: a segment whose ACK is rejected must not move it (then 150 < 900 passes PAWS)
case("es_ts_rejected", "passive", EST + [at(0, "A", ack=100, tsval=900),
                                         at(0, "PA", data=10, tsval=150)])
case("es_ts_accepted", "passive", EST + [at(0, "A", tsval=900),
                                         at(0, "PA", data=10, tsval=150)])
case("es_ts_ooo", "passive", EST + [at(100, "PA", data=10, tsval=900),
                                    at(0, "PA", data=10, tsval=150)])

# LAST-ACK: the peer's FIN, the application's FIN back; then the probe
LA = EST + [at(0, "FA")]
for nm, pr in [("la_ack", at(1, "A")),
               ("la_fin_again", at(0, "FA")),
               ("la_rst_exact", at(1, "R", ts=False)),
               ("la_rst_inexact", at(100, "R", ts=False)),
               ("la_rst_fin", at(0, "R", ts=False)),
               ("la_data", at(1, "PA", data=10)),
               ("la_syn", at(1, "S"))]:
    case(nm, "passive", LA + [pr])

# SYN-SENT: the target's connect(); the probe answers its SYN
for nm, pr in [("ss_synack", a_synack),
               ("ss_rstack_good", lambda s, st: [seg("RA", 0, s.ack(), ts=None)]),
               ("ss_rstack_bad", lambda s, st: [seg("RA", 0, s.ack(100), ts=None)]),
               ("ss_rst_noack", lambda s, st: [seg("R", 0, 0, ts=None)]),
               ("ss_ack_bad", lambda s, st: [seg("A", PISS, s.ack(100))]),
               ("ss_synack_bad", lambda s, st: [seg("SA", PISS, s.ack(100), opts=syn_opts(),
                                                   ts=(_tsv(st), s.tsval))]),
               ("ss_syn", lambda s, st: [seg("S", PISS, 0, opts=syn_opts(),
                                             ts=(_tsv(st), s.tsval))])]:
    case(nm, "active", [a_nothing, pr])

# ESTABLISHED, active: SND.UNA moved past the SYN, so one byte was acknowledged (bytes_acked)
EA = [a_nothing, a_synack]
for nm, pr in [("ea_ack_old1", at(0, "A", ack=-1)),
               ("ea_ack_old2", at(0, "A", ack=-2)),
               ("ea_data", at(0, "PA", data=10)),
               ("ea_fin", at(0, "FA"))]:
    case(nm, "active", EA + [pr])

# FIN-WAIT-1: the application closed (step 2); the probe does not acknowledge the FIN first
FW1 = EA + [a_nothing]
for nm, pr in [("f1_ack_fin", at(0, "A", ack=0)),
               ("f1_ack_nofin", at(0, "A", ack=-1)),
               ("f1_fin", at(0, "FA", ack=-1)),
               ("f1_finack", at(0, "FA", ack=0)),
               ("f1_data", at(0, "PA", data=10, ack=-1)),
               ("f1_rst_exact", at(0, "R", ts=False)),
               ("f1_rst_inexact", at(100, "R", ts=False))]:
    case(nm, "active", FW1 + [pr], close=2)

# FIN-WAIT-2 (orphaned: Linux turns it into a TIME-WAIT socket, tcp_fin_timeout)
FW2 = FW1 + [at(0, "A")]
for nm, pr in [("f2_fin", at(0, "FA")),
               ("f2_rst_exact", at(0, "R", ts=False)),
               ("f2_rst_inexact", at(100, "R", ts=False)),
               ("f2_data", at(0, "PA", data=10)),
               ("f2_syn", at(100, "S")),
               ("f2_ack_dup", at(0, "A")),
               ("f2_oow", at(200000, "A")),
               ("f2_paws", at(0, "FA", tsval=5))]:
    case(nm, "active", FW2 + [pr], close=2)

# CLOSING: both FINs crossed, ours unacknowledged
CL = FW1 + [at(0, "FA", ack=-1)]
for nm, pr in [("cl_ack", at(1, "A")),
               ("cl_rst_exact", at(1, "R", ts=False)),
               ("cl_rst_fin", at(0, "R", ts=False)),
               ("cl_fin_again", at(0, "FA"))]:
    case(nm, "active", CL + [pr], close=2)

# TIME-WAIT
TW = FW2 + [at(0, "FA")]
for nm, pr in [("tw_fin_again", at(0, "FA")),
               ("tw_ack", at(1, "A")),
               ("tw_rst_exact", at(1, "R", ts=False)),
               ("tw_rst_inexact", at(100, "R", ts=False)),
               ("tw_data", at(1, "PA", data=10)),
               ("tw_syn", at(100000, "S")),
               ("tw_paws", at(1, "A", tsval=5))]:
    case(nm, "active", TW + [pr], close=2)

# CLOSE-WAIT: the peer's FIN to a connect() whose application never closes
for nm, pr in [("cw_data", at(1, "PA", data=10)),
               ("cw_rst_fin", at(0, "R", ts=False)),
               ("cw_fin_again", at(0, "FA"))]:
    case(nm, "active", EA + [at(0, "FA"), pr])


def nsteps():
    return max(len(c["steps"]) for c in CASES)


def peer_port(i):
    return PORT_BASE + i


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
         "CLOSED likewise for a connect()). `os linux` must give the same (make live)." % (
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


def outcome(c, segs_before, answers, state):
    seen = Seen(segs_before)
    return {"answers": [reduce_answer(a, seen) for a in answers], "state": state}


# ---------------------------------------------------------------- kernel half
AGENT = r'''
import socket, sys, time, select, json
sched = json.loads(sys.argv[1]); t0 = float(sys.argv[2]); lport = int(sys.argv[3])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("198.18.0.2", lport)); ls.listen(128); ls.setblocking(False)
print("ready", flush=True)
conns = {}; peers = []
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
    rd = [ls] + peers
    r, _, _ = select.select(rd, [], [], 0.005)
    for s in r:
        if s is ls:
            try:
                c, _ = ls.accept(); c.setblocking(False); peers.append(c)
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


def tcp_parse(b, t):
    """A captured IPv4+TCP datagram (bytes) as a segment dict, or None."""
    import struct
    if len(b) < 40 or b[0] >> 4 != 4 or b[9] != 6:
        return None
    ihl = (b[0] & 15) * 4
    src = ".".join(str(x) for x in b[12:16])
    tot = struct.unpack("!H", b[2:4])[0]
    tc = b[ihl:tot]
    if len(tc) < 20:
        return None
    sport, dport, sq, ak, off, fl, win = struct.unpack("!HHIIBBH", tc[:16])
    hl = (off >> 4) * 4
    d = {"t": t, "src": src, "sport": sport, "dport": dport, "flags": fl, "seq": sq,
         "ack": ak, "win": win, "len": len(tc) - hl, "ttl": b[8], "sack": []}
    o, i = tc[20:hl], 0
    while i < len(o):
        k = o[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(o) or o[i + 1] < 2:
            break
        ln = o[i + 1]
        if k == 8 and ln == 10:
            d["tsval"], d["tsecr"] = struct.unpack("!II", o[i + 2:i + 10])
        elif k == 5:
            v = o[i + 2:i + ln]
            d["sack"] = [struct.unpack("!II", v[j:j + 8]) for j in range(0, len(v) - 7, 8)]
        i += ln
    return d


def csum(b):
    import struct
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_build(sg, sport, dport):
    """The peer's datagram for segment sg, by hand (scapy is too slow for 85 a step)."""
    import socket as so
    import struct
    ob = b""
    for o in sg["opts"]:
        if o[0] == "mss":
            ob += struct.pack("!BBH", 2, 4, o[1])
        elif o[0] == "sack":
            ob += b"\x04\x02"
        elif o[0] == "nop":
            ob += b"\x01"
        elif o[0] == "ts":
            ob += struct.pack("!BBII", 8, 10, o[1], o[2])
        elif o[0] == "sackb":
            ob += struct.pack("!BB", 5, 2 + 8 * len(o[1]))
            for l_, r_ in o[1]:
                ob += struct.pack("!II", l_, r_)
    while len(ob) % 4:
        ob += b"\x01" if len(ob) % 4 != 3 else b"\x00"
    fl = 0
    for ch in sg["flags"]:
        fl |= 1 << lp.FLAG_LETTERS.index(ch)
    data = b"X" * sg["data"]
    hl = 20 + len(ob)
    src, dst = so.inet_aton(lp.SCANNER), so.inet_aton(lp.TARGET)
    th = struct.pack("!HHIIBBHHH", sport, dport, sg["seq"], sg["ack"], (hl // 4) << 4, fl,
                     PWIN, 0, 0) + ob
    ph = src + dst + struct.pack("!BBH", 0, 6, hl + len(data))
    c = csum(ph + th + data)
    th = th[:16] + struct.pack("!H", c) + th[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + hl + len(data), 0x4000 | 0, 0x4000, TTL, 6,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + th + data


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
                              json.dumps(sched), repr(t0), str(LPORT)],
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
                    dport = LPORT if c["kind"] == "passive" else (seen.tport or 1)
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
        sport, dport = port, LPORT
    else:
        sport, dport = port, seen.tport or 1
    opts = []
    for o in sg["opts"]:
        if o[0] == "ts":
            opts.append("ts:%d:%d" % (o[1], o[2]))
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
         "host target %s os linux tcp %d" % (lp.TARGET, LPORT)]
    for c in cases:
        if c["kind"] == "active":
            port = peer_port(CASES.index(c))
            ln = "connect target -> %s:%d at 1000ms" % (lp.SCANNER, port)
            if c["close"] is not None:
                ln += " close %dus" % (1000000 + int(c["close"] * STEP_S * 1e6))
            L.append(ln)
    return "\n".join(L + lines) + "\n"


def pcap_records(path):
    """(time, bytes) of each record of a pcap file (the simulator writes LINKTYPE_RAW)."""
    import struct
    with open(path, "rb") as fh:
        b = fh.read()
    end = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = b[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    i = 24
    while i + 16 <= len(b):
        sec, frac, incl, _ = struct.unpack(end + "IIII", b[i:i + 16])
        yield sec + frac / (1e9 if nano else 1e6), b[i + 16:i + 16 + incl]
        i += 16 + incl


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
