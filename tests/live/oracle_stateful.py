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

The work is split by job: stateful_cases.py (the cases, the peer's view of a connection, the
reduction), stateful_wire.py (datagrams by hand, pcap records), stateful_kernel.py (half a),
stateful_sim.py (half b); this file tabulates known differences, compares and reports.

Known kernel differences are tabulated in KERNEL_NOTES: where the kernel answering is not the
one `os linux` models (Linux 6.18) and a listed case differs, the report says which kernel
behaviour it saw instead of failing obscurely.

Usage (root): /usr/bin/python3 tests/live/oracle_stateful.py [TCPLAB] [--kernel-only | --facts]
              [--only NAME,...] [--keep DIR]
  --kernel-only  print the kernel's answers; --facts: as LINUX-FACTS.md's section 7 (markdown).
Exit 0 when every case matches, 1 on a mismatch, 2 when a half could not run.
Only 198.18.0.0/15 inside namespaces this script creates is used; they are removed on exit.
"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stateful_cases import CASES, MODELLED, PISS, PWIN  # noqa: E402
from stateful_kernel import kernel_half  # noqa: E402  (linux_facts.py uses it from here too)
from stateful_sim import sim_half  # noqa: E402
import stateful_window as sw  # noqa: E402

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


# ---------------------------------------------------------------- comparison
def kernel_version():
    rel_ = os.uname().release
    m = re.match(r"(\d+)\.(\d+)", rel_)
    return rel_, ((int(m.group(1)), int(m.group(2))) if m else (0, 0))


def main(argv):
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
        if name in sw.CHECK and sw.window_match(name, k, s):
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
