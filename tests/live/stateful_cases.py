"""stateful_cases.py — the cases of oracle_stateful.py and how answers are reduced.

Why: the kernel half (stateful_kernel.py) and the simulator half (stateful_sim.py) must drive
the very same connections and read the answers the same way, so both take the cases, the
peer's view of its connection (Seen) and the reduction of a target segment to fields relative
to the connection from here. The states and RFC sections the cases cover are described in
oracle_stateful.py's top comment.
"""
import os
import sys

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
        self.wscale = 0            # the shift the target's SYN-ACK announced
        self.acked = None          # the target's latest ACK, relative to PISS + 1
        self.win = 0               # the window of that ACK, in bytes (scaled)
        for s in segs:
            if s["flags"] & 0x02:
                self.iss = s["seq"]
                self.wscale = s.get("wscale", 0)
            if s["flags"] & 0x10 and not s["flags"] & 0x04:
                self.acked = (s["ack"] - PISS - 1) & 0xffffffff
                self.win = s["win"] << (0 if s["flags"] & 0x02 else self.wscale)
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


def case(name, kind, steps, close=None, port=LPORT, last=None):
    """port: the target's listener of a passive case; last: None to compare every answer,
    or a function (segment, Seen) -> str that reads the last answer alone (the window cases
    of stateful_window.py)."""
    CASES.append({"name": name, "kind": kind, "steps": steps, "close": close, "port": port,
                  "last": last})


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
    if c["last"]:
        return {"answers": [c["last"](answers[-1], seen)] if answers else [], "state": state}
    return {"answers": [reduce_answer(a, seen) for a in answers], "state": state}


# The receive-window cases join CASES here, after the others, so that every importer (the
# kernel half, the simulator half) numbers the cases, and so their peer ports, alike.
import stateful_window  # noqa: E402,F401
