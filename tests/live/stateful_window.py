"""stateful_window.py — the receive-window cases of oracle_stateful.py.

Why: what a Linux server offers as its receive window is what a student reads off every ACK
in tcpdump, and what the off-path labs compute with. These cases drive a connection to a
listener whose application reads promptly (the kernel: a socket read as data arrives; the
simulator: `service PORT discard`) and to one whose application never reads (a socket left
unread; `service PORT sink`), and compare the window of the target's last answer to each
step: the SYN-ACK's, the ACK of the first data segment, after 4, 16 and 64 KiB read, and a
buffer that fills to a zero window, then zero-window probes (RFC 9293 3.8.6.1) answered.

The peer offers window scaling (shift 7) so the target scales its window as it does for any
modern client; answers are reduced to the last one's flags, ack and window (raw field and in
bytes): how many ACKs a burst gets (Linux's delayed ACK, quickack) is not what is checked here.
Sources: Linux net/ipv4/tcp_output.c tcp_select_initial_window, __tcp_select_window,
tcp_select_window; tcp_input.c tcp_grow_window, tcp_data_queue (zero window: "out_of_window",
an ACK), tcp_rcv_space_adjust (receive-buffer autotuning, on reads).
"""
import linuxprobe as lp
from stateful_cases import PISS, case, seg, tsopt, _tsv

READ_PORT = 82             # the application reads what comes at once
HOLD_PORT = 83             # the application never reads
SEG = 1448                 # the peer's data segments: MSS 1460 less the timestamp option
WS = 7                     # the peer's own window scale (its window field is not scaled)
# The target's applications: the kernel half's agent and the simulator's services.
LISTENERS = [(READ_PORT, "read"), (HOLD_PORT, "hold")]
SIM_SERVICES = ["  service %d discard" % READ_PORT, "  service %d sink" % HOLD_PORT]


def w_syn(s, st):
    return [seg("S", PISS, 0, opts=[("mss", 1460), ("sack",), ("nop",), ("nop",),
                                    tsopt(_tsv(st), 0), ("nop",), ("wscale", WS)])]


def w_ack(s, st):
    return [seg("A", PISS + 1, s.ack(), ts=(_tsv(st), s.tsval))]


def w_data(lo, hi):
    """Bytes [lo, hi) of the peer's stream, in SEG-byte segments, all at once."""
    def f(s, st):
        out = []
        for a in range(lo, hi, SEG):
            n = min(SEG, hi - a)
            out.append(seg("PA", PISS + 1 + a, s.ack(), n, ts=(_tsv(st), s.tsval)))
        return out
    return f


def w_fill(most):
    """As much as the target's last window lets in, from its last ACK on, at most `most`
    segments: what a sender that respects the window does."""
    def f(s, st):
        lo = s.acked or 0
        return w_data(lo, lo + min(s.win, most * SEG))(s, st)
    return f


def w_probe(s, st):
    """A zero-window probe as Linux sends it (tcp_xmit_probe_skb): SEQ = SND.UNA - 1, no data."""
    return [seg("A", PISS + (s.acked or 0), s.ack(), ts=(_tsv(st), s.tsval))]


def w_probe_byte(s, st):
    """A probe with one new byte (as BSD's persist timer sends), past a zero window."""
    return [seg("PA", PISS + 1 + (s.acked or 0), s.ack(), 1, ts=(_tsv(st), s.tsval))]


# What is compared (window_match below): "exact": the last answer's flags, the
# bytes it newly acknowledges and its window; "range": flags and bytes acknowledged exactly,
# the window (in bytes) of both the kernel and the simulator within [lo, hi]. Ranges are
# where the kernel's window depends on timing the test does not control: how far a burst's
# segments were read when each ACK left (the reading application races the softirq), and
# how many ACKs a burst gets (delayed ACK and GRO; each ACK may move the right edge on by up
# to one scale unit, tcp_select_window's ALIGN(cur_win)).
FIRST = 64512              # the window after the first 1 KiB, 63 << 10 (kernel 6.18, wscale 10)
SPACE = 131072             # tcp_rmem[1]: no window offered is larger
OPEN = [w_syn, w_ack, w_data(0, 1024)]
WCASES = [
    ("wn_synack", [w_syn], READ_PORT, "exact"),
    ("wn_read_1k", OPEN, READ_PORT, "exact"),
    ("wn_read_4k", OPEN + [w_data(1024, 4096)], READ_PORT, "exact"),
    ("wn_read_16k", OPEN + [w_data(1024, 4096), w_data(4096, 16384)], READ_PORT,
     ("range", FIRST, SPACE)),
    ("wn_read_64k", OPEN + [w_data(1024, 4096), w_data(4096, 16384), w_data(16384, 65536)],
     READ_PORT, ("range", FIRST, SPACE)),
]
HOLD = [w_syn, w_ack, w_data(0, 1024)] + [w_fill(32)] * 6
WCASES += [
    ("wn_hold_1k", HOLD[:3], HOLD_PORT, "exact"),
    ("wn_hold_fill", HOLD[:4], HOLD_PORT, ("range", 1, FIRST - 1)),
    ("wn_hold_probe", HOLD + [w_probe], HOLD_PORT, "exact"),
    ("wn_hold_probe1", HOLD + [w_probe_byte], HOLD_PORT, "exact"),
]


def reduce_window(r, seen):
    """A target segment as the window cases read it: flags, the bytes it acknowledges beyond
    the target's ACK before the step (`+N`, `same`), the window field and the window in bytes
    (scaled by the SYN-ACK's shift, except in the SYN-ACK itself)."""
    syn = r["flags"] & 0x02
    ws = r.get("wscale", 0) if syn else seen.wscale
    new = ((r["ack"] - PISS - 1) - (seen.acked or 0)) & 0xffffffff
    return "%s ack=%s win=%d (%d bytes%s)" % (
        lp.flags_str(r["flags"]), "+%d" % new if new else "same", r["win"],
        r["win"] << (0 if syn else ws), (", wscale %d" % ws) if syn else "")


def window_match(name, k, s):
    """The kernel's (k) and the simulator's (s) outcome of window case `name` agree: exactly,
    or (a "range" check) flags and ack exactly and both windows within the bounds."""
    chk = CHECK[name]
    if chk == "exact" or k["state"] != s["state"] or len(k["answers"]) != len(s["answers"]):
        return (k["answers"], k["state"]) == (s["answers"], s["state"])
    _, lo, hi = chk
    for a, b in zip(k["answers"], s["answers"]):
        fa, fb = a.split(" win=")[0], b.split(" win=")[0]
        wa, wb = (int(x.split("(")[1].split()[0]) for x in (a, b))
        if fa != fb or not (lo <= wa <= hi and lo <= wb <= hi):
            return False
    return True


CHECK = {}
for _n, _steps, _port, _check in WCASES:
    case(_n, "passive", _steps, port=_port, last=reduce_window)
    CHECK[_n] = _check
