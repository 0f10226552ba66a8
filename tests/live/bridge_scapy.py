"""bridge_scapy.py — a scapy client and an ordering check against simulated hosts through
`tcplab bridge` (run inside the test's network namespace by tests/live/bridge.sh).

  syn TARGET PORTS      scapy sends one SYN per port (raw IP, its own packets, not the
                        kernel's) and prints "PORT STATE REASON" as nmap -sS would read
                        the answer: SYN-ACK open/syn-ack, RST closed/reset, ICMP 3/x
                        filtered/<code name>, nothing filtered/no-response.
  order TARGET N        N ICMP echo requests 1 ms apart through a raw ICMP socket; every
                        reply must come back, in the order sent (below overload the
                        bridge loses and reorders nothing the scenario's link would not).
Exit 0 when it ran (syn) or all replies came in order (order), 1 otherwise.
Only 198.18.0.0/15 addresses are accepted.
"""
import socket
import struct
import sys
import time

ICMP_CODES = {0: "net-unreach", 1: "host-unreach", 2: "proto-unreach", 3: "port-unreach",
              9: "net-prohibited", 10: "host-prohibited", 13: "admin-prohibited"}


def check_addr(a):
    if not (a.startswith("198.18.") or a.startswith("198.19.")):
        sys.exit("bridge_scapy: refusing %s (only 198.18.0.0/15)" % a)


def syn(target, ports):
    from scapy.all import conf, IP, TCP, ICMP, sr, L3RawSocket
    conf.verb = 0
    conf.L3socket = L3RawSocket
    plist = [int(p) for p in ports.split(",")]
    ans, unans = sr(IP(dst=target) / TCP(sport=41000, dport=plist, flags="S"), timeout=1.5,
                    retry=1)
    res = {}
    for s, r in ans:
        p = s[TCP].dport
        if r.haslayer(TCP):
            fl = r[TCP].flags
            if fl & 0x12 == 0x12:
                res[p] = ("open", "syn-ack")
            elif fl & 0x04:
                res[p] = ("closed", "reset")
        elif r.haslayer(ICMP) and r[ICMP].type == 3:
            res[p] = ("filtered", ICMP_CODES.get(r[ICMP].code, "unreach"))
    for p in plist:
        st, why = res.get(p, ("filtered", "no-response"))
        print("%d %s %s" % (p, st, why))
    return 0


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def order(target, n):
    n = int(n)
    sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    ident = 0x7c1a
    for seq in range(n):
        body = struct.pack("!HHHH", ident, seq, 0, 0) + b"tcplab-order"
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + body[8:]), ident, seq) + body[8:]
        sk.sendto(pkt, (target, 0))
        time.sleep(0.001)
    got = []
    sk.settimeout(0.5)
    end = time.time() + 3
    while len(got) < n and time.time() < end:
        try:
            d = sk.recv(2048)
        except socket.timeout:
            continue
        hl = (d[0] & 0x0f) * 4
        t, _c, _s, i, q = struct.unpack("!BBHHH", d[hl:hl + 8])
        if t == 0 and i == ident:
            got.append(q)
    if got != list(range(n)):
        missing = sorted(set(range(n)) - set(got))
        print("order: %d replies of %d; missing %s; first out of order at %s" % (
            len(got), n, missing[:10],
            next((k for k in range(len(got)) if got[k] != k), None)))
        return 1
    print("order: %d of %d echo replies, in order" % (len(got), n))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("syn", "order"):
        sys.exit(__doc__)
    check_addr(sys.argv[2])
    sys.exit(syn(sys.argv[2], sys.argv[3]) if sys.argv[1] == "syn" else order(sys.argv[2], sys.argv[3]))
