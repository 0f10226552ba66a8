"""oracle_linux.py — the simulator's `os linux` host against a real Linux kernel, probe by probe.

Why: `os linux` must answer every probe exactly as a current Linux kernel does.
This test sends one probe list (all 256 TCP flag bytes to an open and to a closed port, SYNs with
the option sets of linuxprobe.SYN_OPTION_SETS, UDP to a closed port, ICMP echo, ICMP timestamp
requests of 3, 4, 12 and 20 bytes (TS_PROBES), and iptables-style
REJECTs: tcp-reset and each icmp code) (a) to a real kernel in a network namespace with scapy and
(b) to the simulator, as a scenario of `send` lines run by `tcplab run SCEN --pcap F`, whose pcap
(LINKTYPE_RAW) it reads back. Each (probe, reply) pair is reduced to fields relative to the probe
(linuxprobe.reply_fields: flags, seq/ack relative, window, TTL, DF, IP-ID zero or not, option
layout with MSS and wscale values, ICMP type/code and quote length); ISNs, IP-IDs and timestamps
are random on both sides, so only their structure is compared. RFC 793 3.4, RFC 7323, RFC 792;
LINUX-FACTS.md tabulates the kernel side.

Usage (root): /usr/bin/python3 tests/live/oracle_linux.py [TCPLAB] [--kernel-only] [--keep DIR]
Exit 0 when every field matches, 1 on any mismatch, 2 when a half could not run.
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

SEND_GAP_US = 5000        # simulated probes 5 ms apart
REJECT_AT_US = 8000000    # REJECT probes after the per-peer ICMP bucket has refilled


# ICMP timestamp requests (nmap -PP; RFC 792): Linux icmp_timestamp needs the 4-byte
# originate timestamp ("Too short" below it: dropped) and always answers 8 + 12 bytes.
TS_PROBES = [("icmp timestamp 12 bytes", b"ABCDEFGHIJKL"),
             ("icmp timestamp 4 bytes", b"ABCD"),
             ("icmp timestamp 3 bytes", b"ABC"),
             ("icmp timestamp 20 bytes", b"ABCDEFGHIJKLMNOPQRST")]


def probes_all():
    """The stateless probes and the timestamp requests, then one SYN (and for tcp-reset some
    other flags) per REJECT/DROP port, with source ports continuing the sequence."""
    probes = lp.probe_list()
    for i, (name, data) in enumerate(TS_PROBES):
        probes.append({"name": name, "proto": "icmp", "dport": 0, "icmp_type": 13,
                       "icmp_id": 0x7e58, "icmp_seq": i + 1, "icmp_data": data,
                       "win": lp.PROBE_WIN, "opts": [], "sport": lp.SPORT_BASE + len(probes)})
    first_reject = len(probes)
    for port in sorted(lp.REJECT_PORTS) + [lp.DROP_PORT]:
        for fb in ((0x02, 0x10, 0x01, 0x00, 0x12) if port == 113 else (0x02,)):
            probes.append({"name": "%s %s" % (lp.REJECT_PORTS.get(port, "DROP"),
                                              lp.flags_str(fb)),
                           "proto": "tcp", "dport": port, "flags": fb, "win": lp.PROBE_WIN,
                           "opts": ["mss"], "sport": lp.SPORT_BASE + len(probes)})
    return probes, first_reject


# ---------------------------------------------------------------- kernel half
def kernel_inside(iface):
    """In the scanner namespace: send the probes, print [fields] as JSON."""
    probes, first_reject = probes_all()
    pairs = lp.kernel_send_batch(probes[:first_reject], iface)
    time.sleep(4.5)   # the per-peer ICMP bucket refills (1/s, burst 6) before the REJECTs
    pairs += lp.kernel_send_batch(probes[first_reject:], iface, gap=0.01)
    json.dump([lp.reply_fields(pk, r) for pk, r in pairs], sys.stdout)


def kernel_half():
    with lp.Namespaces(lp.target_setup_lines()) as ns:
        p = ns.scanner(["timeout", "90", "/usr/bin/python3", os.path.abspath(__file__),
                        "--inside", ns.if_s], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise RuntimeError("kernel half failed (exit %d)" % p.returncode)
    return json.loads(p.stdout)


# ---------------------------------------------------------------- simulator half
def scenario_text(probes, first_reject):
    """The probes as a scenario (the `send` statement, tcplab-scenario(5))."""
    L = ['scenario "oracle_linux: os linux against a real kernel"', "seed 1",
         "net 198.18.0.0/24",
         "host scanner %s role scanner" % lp.SCANNER,
         "host target %s os linux tcp %d" % (lp.TARGET, lp.OPEN_PORT),
         "filter fw at target in"]
    for port, how in sorted(lp.REJECT_PORTS.items()):
        L.append("  reject tcp dport %d with %s" % (port, how))
    L.append("  drop tcp dport %d" % lp.DROP_PORT)
    L.append("  policy accept")
    for i, p in enumerate(probes):
        t = (1000 + i * SEND_GAP_US if i < first_reject
             else REJECT_AT_US + (i - first_reject) * 10000)
        at = "at %dus" % t
        if p["proto"] == "tcp":
            opts = " options %s" % ",".join(p["opts"]) if p["opts"] else ""
            L.append("send %s:%d -> %s:%d tcp flags %s seq %d ack %d win %d ttl 64%s %s" % (
                lp.SCANNER, p["sport"], lp.TARGET, p["dport"], lp.flags_str(p["flags"]),
                lp.PROBE_SEQ, lp.PROBE_ACK, p["win"], opts, at))
        elif p["proto"] == "udp":
            L.append("send %s:%d -> %s:%d udp %s" % (lp.SCANNER, p["sport"], lp.TARGET,
                                                   p["dport"], at))
        elif p.get("icmp_type", 8) == 13:
            L.append('send %s -> %s icmp timestamp id %d seq %d data "%s" %s' % (
                lp.SCANNER, lp.TARGET, p["icmp_id"], p["icmp_seq"],
                p["icmp_data"].decode("ascii"), at))
        else:
            L.append("send %s -> %s icmp echo id %d seq %d %s" % (
                lp.SCANNER, lp.TARGET, p["icmp_id"], p["icmp_seq"], at))
    return "\n".join(L) + "\n"


def as_ip(pkt):
    from scapy.all import IP
    if IP in pkt:
        return pkt[IP]
    return IP(bytes(pkt))   # LINKTYPE_RAW read as raw bytes by some scapy versions


def sim_half(tcplab, workdir):
    from scapy.all import rdpcap, TCP, UDP, ICMP
    probes, first_reject = probes_all()
    scn = os.path.join(workdir, "oracle_linux.scn")
    pcap = os.path.join(workdir, "oracle_linux.pcap")
    with open(scn, "w") as fh:
        fh.write(scenario_text(probes, first_reject))
    p = subprocess.run(["timeout", "60", tcplab, "run", scn, "--pcap", pcap, "--until", "20s"],
                       capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(pcap):
        sys.stderr.write(p.stderr[-2000:])
        raise RuntimeError("`%s run %s --pcap %s` failed (exit %d)" % (tcplab, scn, pcap,
                                                                     p.returncode))
    sent, replies = {}, {}
    for raw_pkt in rdpcap(pcap):
        ip = as_ip(raw_pkt)
        if ip.src == lp.SCANNER:
            if ip.proto == 1:
                # from the bytes: scapy does not dissect a timestamp request under 12 bytes
                b = bytes(ip)[ip.ihl * 4:]
                if len(b) < 8 or b[0] not in (8, 13):
                    continue
                k = ("icmp", int.from_bytes(b[4:6], "big"), int.from_bytes(b[6:8], "big"))
            elif TCP in ip:
                k = ("tcp", ip[TCP].sport)
            elif UDP in ip:
                k = ("udp", ip[UDP].sport)
            else:
                continue
            sent.setdefault(k, ip)
        else:
            k = lp.reply_key(ip)
            if k is not None:
                replies.setdefault(k, ip)
    out = []
    for pr in probes:
        k = lp.probe_key(pr)
        if k not in sent:
            out.append({"reply": "PROBE NOT IN PCAP"})
            continue
        out.append(lp.reply_fields(sent[k], replies.get(k)))
    return out


# ---------------------------------------------------------------- comparison
FIELDS = ("reply", "seq", "ack", "win", "ttl", "df", "ipid", "opts", "optbytes", "len",
          "quote", "quote_exact", "echo")


def compare(probes, kern, sim):
    bad = []
    for p, k, s in zip(probes, kern, sim):
        for f in FIELDS:
            if k.get(f) != s.get(f):
                bad.append((p["name"], f, k.get(f, "-"), s.get(f, "-")))
    return bad


def main(argv):
    if len(argv) > 2 and argv[1] == "--inside":
        kernel_inside(argv[2])
        return 0
    args = [a for a in argv[1:] if not a.startswith("--")]
    kernel_only = "--kernel-only" in argv
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else None
    if keep in args:
        args.remove(keep)
    tcplab = os.path.abspath(args[0] if args else "./tcplab")
    probes, _ = probes_all()
    try:
        kern = kernel_half()
    except Exception as e:
        print("oracle_linux: kernel half: %s" % e)
        return 2
    if kernel_only:
        for p, k in zip(probes, kern):
            print("%-32s %s" % (p["name"], " ".join("%s=%s" % (f, k[f]) for f in FIELDS if f in k)))
        return 0
    workdir = keep or tempfile.mkdtemp(prefix="tcplab-oracle.")
    os.makedirs(workdir, exist_ok=True)
    try:
        sim = sim_half(tcplab, workdir)
    except Exception as e:
        print("oracle_linux: simulator half: %s (files in %s)" % (e, workdir))
        return 2
    bad = compare(probes, kern, sim)
    if not keep:
        for f in os.listdir(workdir):
            os.unlink(os.path.join(workdir, f))
        os.rmdir(workdir)
    if not bad:
        print("oracle_linux: %d probes, every field matches the kernel" % len(probes))
        return 0
    print("oracle_linux: %d mismatches over %d probes (kernel vs tcplab `os linux`):"
          % (len(bad), len(probes)))
    w = max(len(b[0]) for b in bad)
    print("%-*s  %-9s  %-40s  %s" % (w, "probe", "field", "kernel", "simulator"))
    for name, f, k, s in bad:
        print("%-*s  %-9s  %-40s  %s" % (w, name, f, k, s))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
