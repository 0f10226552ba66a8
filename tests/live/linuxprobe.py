"""linuxprobe.py — probes, reply fields and the kernel sender shared by the live oracle tests.

Why: tests/live/oracle_linux.py compares the simulator's `os linux` host with a real Linux kernel,
and tests/live/linux_facts.py writes LINUX-FACTS.md from the same kernel. Both need one list of
probes, one way to send them (scapy, inside the scanner network namespace made by netns.sh) and
one way to reduce a (probe, reply) pair to the fields that must match. Fields are *relative* to
the probe (reply seq = probe ack, reply ack = probe seq + 1, ...): ISNs, IP-IDs and timestamp
values are random on both sides, so only their structure is compared.

The reply rules being checked are RFC 793 section 3.4 ("Reset Generation"), RFC 5961 (challenge
ACKs), RFC 7323 / RFC 2018 option negotiation, RFC 792/1812 ICMP quoting, as Linux implements
them in net/ipv4/tcp_ipv4.c (tcp_v4_send_reset), tcp_input.c (tcp_rcv_state_process, LISTEN),
tcp_output.c (tcp_options_write, SYN-ACK layout) and icmp.c. Only 198.18.0.0/15 is used.

Run only as /usr/bin/python3 (the Debian python that has scapy), as root, inside a namespace.
"""

SCANNER = "198.18.0.1"
TARGET = "198.18.0.2"
OPEN_PORT = 80          # a listener in the target
CLOSED_PORT = 81        # nothing listens
UDP_CLOSED = 54
PROBE_SEQ = 1000000     # fixed, so the reply's seq/ack can be read relative to it
PROBE_ACK = 2000000     # non-zero even without ACK set: a stack must ignore it then
PROBE_WIN = 1024        # nmap's probe window
SPORT_BASE = 20000      # probe i uses SPORT_BASE + i: a fresh 4-tuple for every probe

FLAG_LETTERS = "FSRPAUEC"   # bit 0 .. bit 7, scapy's letters


def flags_str(b):
    """Flag byte -> scapy letters in bit order (0x12 -> 'SA'); 0 -> 'none'."""
    s = "".join(FLAG_LETTERS[i] for i in range(8) if b & (1 << i))
    return s or "none"


# Option values used by the kernel half; the simulator picks its own values for the same
# kinds, which is fine: replies are compared by structure.
OPT_VALUES = {"mss": ("MSS", 1460), "sack": ("SAckOK", b""), "ts": ("Timestamp", (12345, 0)),
              "nop": ("NOP", None), "wscale": ("WScale", 10), "eol": ("EOL", None)}

# SYN option sets (kinds in order, window). The six nmap SEQ probes (osscan2.cc, "prbOpts"
# and "prbWindowSz") are written without their trailing EOL: padding adds it back.
SYN_OPTION_SETS = [
    ("none", [], PROBE_WIN),
    ("mss", ["mss"], PROBE_WIN),
    ("mss,sack", ["mss", "sack"], PROBE_WIN),
    ("mss,ts", ["mss", "ts"], PROBE_WIN),
    ("mss,wscale", ["mss", "nop", "wscale"], PROBE_WIN),
    ("mss,sack,wscale", ["mss", "sack", "nop", "wscale"], PROBE_WIN),
    ("mss,sack,ts,wscale", ["mss", "sack", "ts", "nop", "wscale"], PROBE_WIN),
    ("nmap SEQ1", ["wscale", "nop", "mss", "ts", "sack"], 1),
    ("nmap SEQ2", ["mss", "wscale", "sack", "ts"], 63),
    ("nmap SEQ3", ["ts", "nop", "nop", "wscale", "nop", "mss"], 4),
    ("nmap SEQ4", ["sack", "ts", "wscale"], 4),
    ("nmap SEQ5", ["mss", "sack", "ts", "wscale"], 16),
    ("nmap SEQ6", ["mss", "sack", "ts"], 512),
]


def probe_list():
    """The comparable (stateless) probes, each a dict; sport = SPORT_BASE + index."""
    probes = []

    def add(**kw):
        kw.setdefault("win", PROBE_WIN)
        kw.setdefault("opts", [])
        kw["sport"] = SPORT_BASE + len(probes)
        probes.append(kw)

    for port, kind in ((OPEN_PORT, "open"), (CLOSED_PORT, "closed")):
        for fb in range(256):
            add(name="tcp %s %s" % (kind, flags_str(fb)), proto="tcp", dport=port, flags=fb)
    for label, opts, win in SYN_OPTION_SETS:
        add(name="syn opts %s" % label, proto="tcp", dport=OPEN_PORT, flags=0x02, opts=opts,
            win=win)
    for i in range(3):
        add(name="udp closed #%d" % (i + 1), proto="udp", dport=UDP_CLOSED)
    for i in range(5):
        add(name="icmp echo #%d" % (i + 1), proto="icmp", dport=0, icmp_id=0x7e57,
            icmp_seq=i + 1)
    return probes


def scapy_packet(p):
    """The scapy packet for probe dict p (imported late: scapy reads routes at import)."""
    from scapy.all import IP, TCP, UDP, ICMP
    ip = IP(src=SCANNER, dst=TARGET, ttl=64, id=0x1000 + (p["sport"] & 0xfff))
    if p["proto"] == "tcp":
        opts = [OPT_VALUES[k] for k in p["opts"]]
        return ip / TCP(sport=p["sport"], dport=p["dport"], flags=p["flags"], seq=PROBE_SEQ,
                        ack=PROBE_ACK, window=p["win"], options=opts)
    if p["proto"] == "udp":
        return ip / UDP(sport=p["sport"], dport=p["dport"])
    if p.get("icmp_type", 8) != 8:
        # Built by hand: scapy's ICMP adds its own 12 timestamp bytes for type 13, and the
        # probes here also try shorter and longer bodies.
        import struct
        from scapy.all import Raw
        from scapy.utils import checksum
        body = struct.pack("!BBHHH", p["icmp_type"], 0, 0, p["icmp_id"], p["icmp_seq"]) + \
            p["icmp_data"]
        cs = checksum(body)
        body = body[:2] + struct.pack("!H", cs) + body[4:]
        ip.proto = 1
        return ip / Raw(load=body)
    return ip / ICMP(type=8, code=0, id=p["icmp_id"], seq=p["icmp_seq"])


def reply_key(pkt):
    """(proto, our port or echo id+seq) a reply belongs to, or None."""
    from scapy.all import IP, TCP, UDP, ICMP, UDPerror, TCPerror
    if IP not in pkt or pkt[IP].dst != SCANNER:
        return None
    if TCP in pkt and not pkt.haslayer(TCPerror):
        return ("tcp", pkt[TCP].dport)
    if ICMP in pkt:
        ic = pkt[ICMP]
        if ic.type in (0, 14):    # echo reply, timestamp reply
            return ("icmp", ic.id, ic.seq)
        if pkt.haslayer(UDPerror):
            return ("udp", pkt[UDPerror].sport)
        if pkt.haslayer(TCPerror):
            return ("tcp", pkt[TCPerror].sport)
    if UDP in pkt and not pkt.haslayer(UDPerror):
        return ("udp", pkt[UDP].dport)
    return None


def probe_key(p):
    if p["proto"] == "icmp":
        return ("icmp", p["icmp_id"], p["icmp_seq"])
    return (p["proto"], p["sport"])


def rel32(a, b):
    """(a - b) mod 2**32."""
    return (a - b) & 0xffffffff


def _rel_seq(reply_seq, pseq, pack):
    if reply_seq == 0:
        return "0"
    if reply_seq == pack:
        return "probe.ack"
    d = rel32(reply_seq, pseq)
    if d < 65536:
        return "probe.seq+%d" % d
    return "isn"


def _rel_ack(reply_ack, pseq, pack):
    if reply_ack == 0:
        return "0"
    d = rel32(reply_ack, pseq)
    if d < 65536:
        return "probe.seq+%d" % d
    if reply_ack == pack:
        return "probe.ack"
    return "other"


def tcp_opts_desc(tcp, probe_tcp=None):
    """Options as kinds in order with the values that are not random: MSS and wscale values,
    and whether TS echoes the probe's TSval (tsecr) and has a non-zero TSval."""
    out = []
    for o in tcp.options:
        name, val = o[0], o[1]
        if name == "MSS":
            out.append("mss=%d" % val)
        elif name == "WScale":
            out.append("wscale=%d" % val)
        elif name == "SAckOK":
            out.append("sackOK")
        elif name == "NOP":
            out.append("nop")
        elif name == "EOL":
            out.append("eol")
        elif name == "Timestamp":
            tsval, tsecr = val
            echo = "?"
            if probe_tcp is not None:
                ptsv = dict((x[0], x[1]) for x in probe_tcp.options).get("Timestamp")
                echo = "echo" if ptsv is not None and tsecr == ptsv[0] else "ecr=%d" % tsecr
            out.append("ts(%s,%s)" % ("val" if tsval else "val=0", echo))
        else:
            out.append(str(name))
    return ",".join(out) or "-"


def opt_bytes_masked(b):
    """TCP option bytes in hex, TS values (random on both sides) shown as tsval/tsecr markers:
    `020405b4 0101080a[tsval][tsecr]`-style layout checks without random values."""
    out, i = [], 0
    while i < len(b):
        k = b[i]
        if k in (0, 1):
            out.append("%02x" % k)
            i += 1
            continue
        ln = b[i + 1] if i + 1 < len(b) else 0
        if ln < 2:
            out.append(b[i:].hex())
            break
        if k == 8 and ln == 10:
            out.append("080a<tsval><tsecr>")
        else:
            out.append(b[i:i + ln].hex())
        i += ln
    return " ".join(out) or "-"


def reply_fields(probe_pkt, reply):
    """Reduce a (probe, reply) pair of scapy packets to the compared fields (a dict of str)."""
    from scapy.all import IP, TCP, ICMP, raw
    if reply is None:
        return {"reply": "none"}
    ip = reply[IP]
    f = {"ttl": str(ip.ttl), "df": "DF" if ip.flags.DF else "-",
         "ipid": "0" if ip.id == 0 else "nz"}
    if TCP in reply and reply[IP].proto == 6:
        t, pt = reply[TCP], probe_pkt[TCP]
        fl = int(t.flags)
        f["reply"] = "tcp " + flags_str(fl & 0xff)
        f["seq"] = "isn" if fl & 0x02 else _rel_seq(t.seq, pt.seq, pt.ack)
        f["ack"] = _rel_ack(t.ack, pt.seq, pt.ack) if fl & 0x10 else (
            "0" if t.ack == 0 else "set-without-ACK")
        f["win"] = str(t.window)
        f["opts"] = tcp_opts_desc(t, pt)
        f["optbytes"] = opt_bytes_masked(bytes(raw(t))[20:t.dataofs * 4])
        f["len"] = str(len(t.payload))
        return f
    if ICMP in reply:
        ic = reply[ICMP]
        f["reply"] = "icmp %d/%d" % (ic.type, ic.code)
        body = bytes(raw(ic))[8:]
        if ic.type == 14:
            # RFC 792 timestamp reply: id and seq echoed, originate copied from the request,
            # receive = transmit (Linux writes one clock reading in both).
            ihl = ip.ihl * 4
            body = bytes(raw(ip))[ihl:ip.len][8:]
            praw = bytes(raw(probe_pkt))
            preq = praw[(praw[0] & 0x0f) * 4:]
            ok = (ic.id == int.from_bytes(preq[4:6], "big") and
                  ic.seq == int.from_bytes(preq[6:8], "big") and
                  len(body) >= 12 and body[:4] == preq[8:12] and body[4:8] == body[8:12])
            f["len"] = str(ip.len - ihl)
            f["echo"] = "id,seq echoed, originate copied, receive=transmit" if ok else (
                "NOT as RFC 792: %s" % body.hex())
            return f
        if ic.type == 0:
            f["echo"] = "id,seq,data echoed" if (
                ic.id == probe_pkt[ICMP].id and ic.seq == probe_pkt[ICMP].seq and
                body == bytes(raw(probe_pkt[ICMP]))[8:]) else "NOT echoed"
        else:
            sent = bytes(raw(probe_pkt))
            f["quote"] = "%d bytes" % len(body)
            # Compare the quote with the probe, except what routers/stacks may rewrite.
            f["quote_exact"] = "yes" if body == sent[:len(body)] else "no"
        return f
    f["reply"] = "other " + reply.summary()
    return f


def kernel_send_batch(probes, iface, gap=0.002, settle=1.5):
    """Send every probe once (gap seconds apart), capture for `settle` s after the last, and
    return [(probe_pkt, first_reply_or_None)] in probe order. Must run in the scanner namespace."""
    import time
    from scapy.all import AsyncSniffer, conf, IP
    conf.verb = 0
    pkts = [scapy_packet(p) for p in probes]
    sn = AsyncSniffer(iface=iface, store=True,
                      lfilter=lambda x: IP in x and x[IP].src == TARGET)
    sn.start()
    time.sleep(0.3)
    sock = conf.L3socket(iface=iface)
    try:
        for pk in pkts:
            sock.send(pk)
            time.sleep(gap)
        time.sleep(settle)
    finally:
        sock.close()
        sn.stop()
    first = {}
    for r in sn.results:
        k = reply_key(r)
        if k is not None and k not in first:
            first[k] = r[IP]
    return [(pk, first.get(probe_key(p))) for p, pk in zip(probes, pkts)]


# Target set-up shared by the oracle and LINUX-FACTS: a listener, and iptables REJECT/DROP
# rules on their own ports (REJECT_PORTS), all inside the target namespace.
REJECT_PORTS = {113: "tcp-reset", 114: "icmp-port-unreachable", 115: "icmp-host-unreachable",
                116: "icmp-net-unreachable", 117: "icmp-net-prohibited",
                118: "icmp-host-prohibited", 119: "icmp-admin-prohibited"}
DROP_PORT = 120


def target_setup_lines():
    lines = ["tl_listen_tcp %d" % OPEN_PORT]
    for port, how in sorted(REJECT_PORTS.items()):
        lines.append("tl_reject %d %s" % (port, how))
    lines.append("tl_drop %d" % DROP_PORT)
    return lines


class Namespaces:
    """Scanner and target namespaces from netns.sh, held by a bash process that tears them down
    when its stdin closes: so they go away even if this process is killed (SIGKILL included).
    `extra` are shell lines run after tl_up (netns.sh functions)."""

    def __init__(self, extra=()):
        import os
        self.tag = "%d" % os.getpid()
        self.extra = list(extra)
        self.proc = None
        self.ns_s, self.ns_t = "tlS" + self.tag, "tlT" + self.tag
        self.if_s = "tls" + self.tag

    def __enter__(self):
        import os, subprocess
        here = os.path.dirname(os.path.abspath(__file__))
        script = ". '%s/netns.sh'\ntl_up || exit 1\n%s\necho READY\nread _ || true\n" % (
            here, "\n".join("%s || exit 1" % l for l in self.extra))
        env = dict(os.environ, TL_TAG=self.tag)
        self.proc = subprocess.Popen(["bash", "-c", script], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            self.__exit__(None, None, None)
            raise RuntimeError("network namespace set-up failed")
        return self

    def scanner(self, argv, **kw):
        """Run argv in the scanner namespace (subprocess.run keywords pass through)."""
        import subprocess
        return subprocess.run(["ip", "netns", "exec", self.ns_s] + list(argv), **kw)

    def target(self, argv, **kw):
        import subprocess
        return subprocess.run(["ip", "netns", "exec", self.ns_t] + list(argv), **kw)

    def __exit__(self, *exc):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
            except Exception:
                self.proc.kill()
            self.proc = None
        return False
