"""stateful_wire.py — IPv4+TCP datagrams by hand for oracle_stateful.py, and pcap records.

Why: the kernel half sends 85 connections' segments each step, too many for scapy, and both
halves read the target's segments into the same dict (tcp_parse) whether captured from the
kernel's interface or from the simulator's pcap file (LINKTYPE_RAW).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxprobe as lp  # noqa: E402
from stateful_cases import PWIN, TTL  # noqa: E402


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
        elif k == 3 and ln == 3:
            d["wscale"] = o[i + 2]
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
        elif o[0] == "wscale":
            ob += struct.pack("!BBB", 3, 3, o[1])
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
