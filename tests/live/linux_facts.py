"""linux_facts.py — probe a real Linux kernel in a network namespace and write LINUX-FACTS.md.

Why: the simulator's `os linux` preset (sim/os.c, sim/tcp.c) must answer every probe exactly as a
current Linux kernel does (tcplab-scenario(5) "OS PRESETS", docs/facts/stacks.md section 5). This script measures that kernel: all 256 TCP
flag bytes to an open and a closed port (RFC 793 3.4 reset generation; Linux tcp_v4_send_reset,
tcp_rcv_state_process LISTEN), SYN option negotiation (RFC 7323, RFC 2018; tcp_options_write),
ICMP errors and echo (RFC 792, RFC 1812 4.3.2.3; icmp.c and its rate limit icmp_ratelimit),
RFC 5961 challenge ACKs on an established connection (tcp_validate_incoming), and what
iptables REJECT sends (nf_reject_ipv4.c). The same probes are replayed against the simulator by
oracle_linux.py.

Usage (root): /usr/bin/python3 tests/live/linux_facts.py [OUT.md]   (default tests/live/LINUX-FACTS.md)
Only 198.18.0.0/15 inside namespaces this script creates is used; they are removed on exit.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxprobe as lp  # noqa: E402

EST_SPORTS = "40000:40099"     # raw "client" ports whose kernel RSTs the scanner drops


# ---------------------------------------------------------------- inside the scanner namespace
class Tap:
    """One sniffer for the stateful experiments: every packet from the target, in order."""

    def __init__(self, iface):
        from scapy.all import AsyncSniffer, IP, conf
        conf.verb = 0
        self.got = []
        self.sock = conf.L3socket(iface=iface)
        self.sn = AsyncSniffer(iface=iface, store=False,
                               lfilter=lambda x: IP in x and x[IP].src == lp.TARGET,
                               prn=lambda x: self.got.append(x[IP]))
        self.sn.start()
        time.sleep(0.3)

    def xchg(self, pkt, port, wait=0.4):
        """Send pkt; return the target's packets to our port `port` within `wait` s."""
        from scapy.all import TCP
        mark = len(self.got)
        self.sock.send(pkt)
        time.sleep(wait)
        return [r for r in self.got[mark:] if TCP in r and r[TCP].dport == port]

    def close(self):
        self.sn.stop()
        self.sock.close()


def seg(sport, flags, seq, ack, opts=None, dport=lp.OPEN_PORT):
    from scapy.all import IP, TCP
    return IP(src=lp.SCANNER, dst=lp.TARGET, ttl=63) / TCP(
        sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=29200,
        options=opts or [])


def conn_desc(r, snd_nxt, rcv_nxt):
    """A reply on a connection, relative to the target's SND.NXT and RCV.NXT."""
    from scapy.all import TCP, IP
    t = r[TCP]

    def rel(v, base, name):
        d = lp.rel32(v, base)
        return name if d == 0 else ("%s+%d" % (name, d) if d < 1 << 31 else
                                    "%s-%d" % (name, (1 << 32) - d))
    return "%s seq=%s ack=%s win=%d ttl=%d %s ipid=%s" % (
        lp.flags_str(int(t.flags) & 0xff), rel(t.seq, snd_nxt, "SND.NXT"),
        rel(t.ack, rcv_nxt, "RCV.NXT") if t.flags & 0x10 else str(t.ack), t.window, r[IP].ttl,
        "DF" if r[IP].flags.DF else "-", "0" if r[IP].id == 0 else "nz")


def established(tap, sport):
    """Raw three-way handshake to the listener; returns (RCV.NXT, SND.NXT) of the target."""
    from scapy.all import TCP
    x = 3000000 + sport
    sa = tap.xchg(seg(sport, "S", x, 0, [("MSS", 1460)]), sport)
    if not sa or int(sa[0][TCP].flags) & 0x12 != 0x12:
        raise RuntimeError("no SYN-ACK on port %d" % sport)
    y = sa[0][TCP].seq
    tap.xchg(seg(sport, "A", x + 1, y + 1), sport, wait=0.1)
    return (x + 1) & 0xffffffff, (y + 1) & 0xffffffff


def stateful(iface):
    """RFC 5961 and half-open experiments, each on a fresh connection (the challenge-ACK
    per-socket limit, tcp_invalid_ratelimit 500 ms, would otherwise hide replies)."""
    tap = Tap(iface)
    out = []
    sport = [40000]

    def nxt():
        sport[0] += 1
        return sport[0]

    def show(rs, snd, rcv):
        return "; ".join(conn_desc(r, snd, rcv) for r in rs) or "none"

    try:
        exps = [
            ("RST, seq = RCV.NXT (exact)", "R", 0, 0),
            ("RST, seq = RCV.NXT+100 (in window, not exact)", "R", 100, 0),
            ("RST, seq = RCV.NXT+2^30 (out of window)", "R", 1 << 30, 0),
            ("RST+ACK, seq = RCV.NXT+100 (in window, not exact)", "RA", 100, 0),
            ("SYN, seq = RCV.NXT", "S", 0, 0),
            ("SYN, seq = RCV.NXT+5 (in window)", "S", 5, 0),
            ("SYN, seq = RCV.NXT+2^30 (out of window)", "S", 1 << 30, 0),
            ("ACK, seq = RCV.NXT+2^30 (out of window)", "A", 1 << 30, 0),
            ("ACK, ack = SND.NXT+1000 (acks unsent data)", "A", 0, 1000),
            ("ACK, ack = SND.NXT-2^20 (old ack, in seq window)", "A", 0, -(1 << 20)),
        ]
        for name, fl, dseq, dack in exps:
            p = nxt()
            rcv, snd = established(tap, p)
            rs = tap.xchg(seg(p, fl, (rcv + dseq) & 0xffffffff, (snd + dack) & 0xffffffff), p)
            after = tap.xchg(seg(p, "A", rcv, snd), p) if fl in ("R", "RA") else None
            row = {"exp": name, "reply": show(rs, snd, rcv)}
            if after is not None:
                row["then"] = "plain ACK afterwards -> " + show(after, snd, rcv)
            out.append(row)
        # Two in-window RSTs 100 ms apart on one connection: the per-socket limit.
        p = nxt()
        rcv, snd = established(tap, p)
        a = tap.xchg(seg(p, "R", rcv + 100, 0), p, wait=0.1)
        b = tap.xchg(seg(p, "R", rcv + 200, 0), p, wait=0.4)
        out.append({"exp": "two in-window RSTs 100 ms apart, one connection",
                     "reply": "first: %s; second: %s" % (show(a, snd, rcv), show(b, snd, rcv))})
        # Half-open: SYN, SYN-ACK, then RST+ACK from us; then a plain ACK.
        p = nxt()
        x = 5000000
        sa = tap.xchg(seg(p, "S", x, 0, [("MSS", 1460)]), p)
        from scapy.all import TCP
        y = sa[0][TCP].seq
        rs = tap.xchg(seg(p, "RA", x + 1, y + 1), p)
        after = tap.xchg(seg(p, "A", x + 1, y + 1), p)
        out.append({"exp": "SYN -> SYN-ACK, then RST+ACK (seq ISN+1, ack SYN-ACK ISN+1) to the "
                           "listening port", "reply": show(rs, y + 1, x + 1),
                    "then": "plain ACK afterwards -> " + show(after, y + 1, x + 1)})
        # SYN-ACK retransmission when the handshake is not completed.
        p = nxt()
        rs = tap.xchg(seg(p, "S", x, 0, [("MSS", 1460)]), p, wait=3.5)
        out.append({"exp": "SYN, no ACK: SYN-ACKs within 3.5 s",
                    "reply": "%d SYN-ACKs (same ISN: %s)" % (
                        len(rs), len(set(r[TCP].seq for r in rs)) == 1)})
    finally:
        tap.close()
    return out


def inside(iface):
    """Everything measured from the scanner namespace, as JSON on stdout."""
    from scapy.all import IP, UDP
    res = {}
    probes = lp.probe_list()
    pairs = lp.kernel_send_batch(probes, iface)
    res["batch"] = [{"name": p["name"], "flags": p.get("flags"), "dport": p["dport"],
                     "f": lp.reply_fields(pk, r), "ipid": (r[IP].id if r is not None else None)}
                    for p, (pk, r) in zip(probes, pairs)]
    time.sleep(4.5)   # refill the per-peer ICMP bucket (1 token/s, burst 6) before the REJECTs
    rej = []
    base = lp.SPORT_BASE + 2000
    for port in sorted(lp.REJECT_PORTS) + [lp.DROP_PORT]:
        for fb in ((0x02, 0x10, 0x01, 0x00, 0x12, 0x29) if port == 113 else (0x02,)):
            rej.append({"name": "%s %s" % (lp.REJECT_PORTS.get(port, "DROP"), lp.flags_str(fb)),
                        "proto": "tcp", "dport": port, "flags": fb, "win": lp.PROBE_WIN,
                        "opts": ["mss"], "sport": base + len(rej)})
    pairs = lp.kernel_send_batch(rej, iface, gap=0.01)
    res["reject"] = [{"name": p["name"], "f": lp.reply_fields(pk, r)}
                     for p, (pk, r) in zip(rej, pairs)]
    res["stateful"] = stateful(iface)
    time.sleep(7)     # full ICMP bucket again, then count a burst of 12 closed-UDP probes
    burst = [{"name": "udp burst", "proto": "udp", "dport": lp.UDP_CLOSED + 1,
              "sport": lp.SPORT_BASE + 3000 + i} for i in range(12)]
    pairs = lp.kernel_send_batch(burst, iface, gap=0.001)
    res["icmp_burst"] = sum(1 for _, r in pairs if r is not None)
    # Quote size for a large datagram: 1000 bytes of UDP payload.
    from scapy.all import Raw
    big = {"name": "udp big", "proto": "udp", "dport": lp.UDP_CLOSED, "sport": 29999}
    pk = lp.scapy_packet(big) / Raw(b"x" * 1000)
    del pk[IP].len, pk[IP].chksum, pk[UDP].len, pk[UDP].chksum
    time.sleep(1.2)
    from scapy.all import conf, AsyncSniffer
    sn = AsyncSniffer(iface=iface, lfilter=lambda x: IP in x and x[IP].src == lp.TARGET)
    sn.start()
    time.sleep(0.3)
    s = conf.L3socket(iface=iface)
    s.send(pk)
    time.sleep(0.5)
    s.close()
    sn.stop()
    r = sn.results[0][IP] if sn.results else None
    res["big_quote"] = lp.reply_fields(IP(bytes(pk)), r)
    json.dump(res, sys.stdout)


# ---------------------------------------------------------------- the report
def fmt(f):
    if f.get("reply") == "none":
        return "—"
    if f["reply"].startswith("tcp"):
        return "%s seq=%s ack=%s win=%s ttl=%s %s id=%s opts=%s" % (
            f["reply"][4:], f["seq"], f["ack"], f["win"], f["ttl"], f["df"], f["ipid"], f["opts"])
    extra = f.get("echo") or ("quote %s%s" % (f["quote"], " (exact copy of the probe)"
                                               if f.get("quote_exact") == "yes" else " (MODIFIED)"))
    return "%s ttl=%s %s id=%s %s" % (f["reply"], f["ttl"], f["df"], f["ipid"], extra)


def report(res, kernel, sysctls):
    b = res["batch"]
    L = []
    w = L.append
    w("# LINUX-FACTS — how a real Linux kernel answers tcplab's probes")
    w("")
    w("Measured by `tests/live/linux_facts.py` (regenerate: `/usr/bin/python3 "
      "tests/live/linux_facts.py`, as root) against kernel **%s**, target namespace with the "
      "kernel's default sysctls (%s), veth MTU 1500. The scanner (198.18.0.1) sends with scapy; the "
      "target (198.18.0.2) has a listener on tcp/%d; tcp/%d and udp/%d are closed. "
      "This is the oracle for `os linux` (sim/os.c, sim/tcp.c); `tests/live/oracle_linux.py` "
      "replays the same probes against the simulator." % (kernel, sysctls, lp.OPEN_PORT,
                                                          lp.CLOSED_PORT, lp.UDP_CLOSED))
    w("")
    w("Probe: IPv4 TTL 64, no DF, TCP seq=%d, ack field=%d (set even when ACK is not), window %d, "
      "no options, no payload, a fresh source port per probe. Reply fields: `seq`/`ack` relative "
      "to the probe (`probe.seq+1`, `probe.ack`, `0`, `isn` = a new random ISN), `win` the raw "
      "window field, `id` = IP-ID zero (`0`) or not (`nz`), `DF` set or `-`, options in wire "
      "order (`ts(val,echo)` = TSval non-zero, TSecr = the probe's TSval). `—` = no reply within "
      "1.5 s." % (lp.PROBE_SEQ, lp.PROBE_ACK, lp.PROBE_WIN))
    w("")
    w(SUMMARY)
    # Summary by reply class
    w("## 1. The rules (derived from the 512 flag probes below)")
    w("")
    for kind in ("open", "closed"):
        groups = {}
        for r in b:
            if r["name"].startswith("tcp %s " % kind):
                groups.setdefault(fmt(r["f"]), []).append(r["flags"])
        w("**%s port** (tcp/%d):" % (kind.capitalize(),
                                      lp.OPEN_PORT if kind == "open" else lp.CLOSED_PORT))
        w("")
        w("| reply | count | flag bytes (hex) |")
        w("|---|---|---|")
        for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            w("| %s | %d | %s |" % (k, len(v), " ".join("%02x" % x for x in v)))
        w("")
    w("## 2. Every TCP flag byte, open and closed port")
    w("")
    w("Flag bits: F=01 S=02 R=04 P=08 A=10 U=20 E=40 C=80.")
    w("")
    w("| byte | flags | open port reply | closed port reply |")
    w("|---|---|---|---|")
    op = {r["flags"]: r for r in b if r["name"].startswith("tcp open ")}
    cl = {r["flags"]: r for r in b if r["name"].startswith("tcp closed ")}
    for fb in range(256):
        w("| %02x | %s | %s | %s |" % (fb, lp.flags_str(fb), fmt(op[fb]["f"]), fmt(cl[fb]["f"])))
    w("")
    w("## 3. SYN option sets -> SYN-ACK (open port)")
    w("")
    w("Probe option values: MSS 1460, WScale 10, TS (12345, 0), SACK-permitted; nmap's SEQ "
      "probes use the kinds, order and windows of osscan2.cc (trailing EOL as padding).")
    w("")
    w("| probe options (window) | SYN-ACK |")
    w("|---|---|")
    for (label, opts, win), r in zip(lp.SYN_OPTION_SETS,
                                     [r for r in b if r["name"].startswith("syn opts ")]):
        w("| %s: `%s` (win %d) | %s; bytes `%s` |" % (label, ",".join(opts) or "-", win,
                                                     fmt(r["f"]), r["f"]["optbytes"]))
    w("")
    w("## 4. UDP to a closed port, ICMP echo")
    w("")
    w("| probe | reply | IP-ID value |")
    w("|---|---|---|")
    for r in b:
        if r["name"].startswith(("udp", "icmp")):
            w("| %s | %s | %s |" % (r["name"], fmt(r["f"]), r["ipid"]))
    q = res["big_quote"]
    w("| udp closed, 1000-byte payload (1028-byte datagram) | %s | |" % fmt(q))
    w("")
    w("ICMP error rate limit: 12 UDP datagrams to a closed port sent 1 ms apart after 7 s idle -> "
      "**%d** port-unreachables (icmp_ratelimit %s ms per peer, burst 6 = XRLIM_BURST_FACTOR; "
      "echo replies are exempt: icmp_ratemask 0x1818)." % (res["icmp_burst"],
                                                            sysctls_get("icmp_ratelimit")))
    w("")
    w("## 5. Established connection and half-open experiments (RFC 5961)")
    w("")
    w("Each row on a fresh connection (raw handshake from the scanner, MSS 1460, no TS), so the "
      "per-socket out-of-window limit (tcp_invalid_ratelimit = %s ms) does not hide replies. "
      "SND.NXT/RCV.NXT are the target's." % sysctls_get("tcp_invalid_ratelimit"))
    w("")
    w("| segment sent | reply | afterwards |")
    w("|---|---|---|")
    for r in res["stateful"]:
        w("| %s | %s | %s |" % (r["exp"], r["reply"], r.get("then", "")))
    w("")
    w("## 6. iptables REJECT / DROP in the target (INPUT chain)")
    w("")
    w("| rule, probe flags | reply |")
    w("|---|---|")
    for r in res["reject"]:
        w("| %s | %s |" % (r["name"], fmt(r["f"])))
    w("")
    return "\n".join(L) + "\n"


# Hand-written from the measurement on 6.18.44 (the tables after it are regenerated each run;
# if they disagree with this summary, the tables win and this text needs updating).
SUMMARY = """## 0. Summary: what `os linux` must do (read with the tables below)

- **Every RST the kernel sends** (closed port, LISTEN socket, iptables `tcp-reset`): window 0,
  TTL 64, DF set, IP-ID 0, no options, no payload.
  - probe has ACK: flags `R` only, seq = probe's ack, ack field 0;
  - probe has no ACK: flags `RA`, seq 0, ack = probe.seq + SYN + FIN (+ payload length);
  - probe has RST: never answered.
  - PSH, URG, ECE and CWR never change the answer.
- **Closed port**: every probe without RST gets the RST above (also SYN+FIN: `RA` ack = seq+2).
- **Open (LISTEN) port**, checked in this order (tcp_rcv_state_process): RST set -> silence;
  ACK set (incl. SYN-ACK) -> the RST above; SYN set and FIN clear -> SYN-ACK; anything else
  (NULL, FIN, Xmas, PSH/URG only, SYN+FIN) -> silence.
- **SYN-ACK**: seq = random ISN, ack = probe.seq+1, TTL 64, DF, IP-ID 0. MSS 1460 always (even
  when the SYN had no MSS or a smaller one). Window field 64240 (44 x 1460) without timestamps,
  65160 (45 x 1448) when timestamps are negotiated. ECE is set only when the SYN had both ECE
  and CWR (RFC 3168 ECN-setup SYN, tcp_ecn=2); CWR never. Options only those offered, in
  tcp_options_write's layout: `mss`, then `sackOK,TS` if both offered, `nop,nop,TS` if TS only,
  `nop,nop,sackOK` if SACK only, then `nop,wscale` if window scaling was offered. wscale is 10
  on this kernel (tcp_rmem[2] = 32 MB, the 6.18 default; 6 MB kernels say 7). TSecr = the SYN's
  TSval; TSval non-zero. Unanswered SYN-ACKs are retransmitted after 1 s and 3 s (same ISN).
- **ICMP errors** (UDP closed port, iptables icmp-* rejects): TTL 64, **no DF**, IP-ID non-zero,
  taken from the same counter as echo replies to that peer (consecutive values); the quote is the
  whole offending datagram up to a 576-byte ICMP packet (28 bytes for an empty UDP datagram, 44
  for a SYN with MSS, 548 for a 1028-byte datagram), byte-exact. Rate limit per peer: burst 6,
  then 1 per second (icmp_ratelimit 1000 ms); echo replies are exempt.
- **ICMP echo reply**: TTL 64, no DF, IP-ID non-zero and +1 per reply, id/seq/data echoed.
- **Established connection** (RFC 5961): RST with seq = RCV.NXT resets silently; RST (or RST+ACK)
  in window but not exact -> challenge ACK (`A`, seq = SND.NXT, ack = RCV.NXT); RST out of window
  -> silence; any SYN, in or out of window -> challenge ACK; out-of-window ACK -> the same ACK
  (dup ACK); ACK for unsent data -> the same ACK. At most one such ACK per connection per 500 ms
  (tcp_invalid_ratelimit); no host-wide limit (tcp_challenge_ack_limit = INT_MAX). These ACKs
  come from the connection: DF, IP-ID non-zero.
- **SYN-RECEIVED**: RST+ACK with seq = ISN+1 drops the half-open connection silently; a later ACK
  gets the LISTEN-socket RST (seq = probe's ack).
- **iptables REJECT**: `tcp-reset` sends exactly the closed-port RST (same flags, seq/ack,
  window 0, DF, IP-ID 0, TTL 64); `icmp-*` send ICMP 3/code (port 3, host 1, net 0, net-prohibited
  9, host-prohibited 10, admin-prohibited 13) shaped like any ICMP error above. DROP: silence.
- **Inside connections** (section 7): TS.Recent is the TSval of the handshake's last ACK, and
  moves only with a segment at or before RCV.WUP whose ACK is acceptable (a challenge-ACKed
  segment leaves it); a segment older than TS.Recent gets a duplicate ACK (PAWS), a RST passes.
  An old ACK is accepted only within the bytes acknowledged so far (none on a passive
  connection that sent nothing: SND.UNA-1 already gets a challenge ACK; one, the SYN, on an
  active one). A RST in SYN-RECEIVED that is in the window but not exact gets a challenge ACK
  and the request socket stays. In SYN-SENT an unacceptable ACK (RST+ACK included) makes the
  kernel send its SYN again at once. An orphaned FIN-WAIT-2 ends on any RST in its window and
  answers a SYN or new data with a RST. A FIN to a server that closes at EOF is answered by one
  FIN+ACK (the ACK was delayed). Out-of-order data is kept and each ACK carries SACK blocks,
  newest first; a duplicate is reported first in a D-SACK block; 3 blocks fit after TS.

"""

_SYSCTLS = {}


def sysctls_get(name):
    return _SYSCTLS.get(name, "?")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        inside(sys.argv[2])
        return 0
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "LINUX-FACTS.md")
    with lp.Namespaces(lp.target_setup_lines() + ["tl_scanner_nokrst %s" % EST_SPORTS]) as ns:
        names = ["tcp_rmem", "tcp_ecn", "tcp_timestamps", "tcp_sack", "tcp_window_scaling",
                 "tcp_syncookies", "icmp_ratelimit", "icmp_ratemask", "tcp_invalid_ratelimit",
                 "tcp_challenge_ack_limit"]
        for n in names:
            v = ns.target(["sysctl", "-n", "net.ipv4." + n], capture_output=True, text=True,
                          check=True).stdout.split()
            _SYSCTLS[n] = " ".join(v)
        kernel = ns.target(["uname", "-r"], capture_output=True, text=True).stdout.strip()
        p = ns.scanner(["timeout", "120", "/usr/bin/python3", os.path.abspath(__file__),
                        "--inside", ns.if_s], capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            return 1
        res = json.loads(p.stdout)
    sysctls = ", ".join("%s=%s" % (n, _SYSCTLS[n]) for n in names)
    # section 7: inside connections, from the stateful oracle's kernel half
    import oracle_stateful as osf
    inconn = osf.facts_markdown(osf.kernel_half(None), kernel)
    with open(out, "w") as fh:
        fh.write(report(res, kernel, sysctls) + "\n" + inconn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
