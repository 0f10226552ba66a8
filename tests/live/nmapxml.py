"""nmapxml.py — compare port state and reason in two nmap-DTD XML files (nmap's and tcplab's).

Why: scan_vs_nmap.sh runs real nmap and `tcplab scan --live` on the same target; this reads both
-oX files with xml.etree (tcplab's XML follows nmap's DTD, docs/nmap.dtd in nmap's source) and
prints every port whose state or reason differs. Ports collapsed into <extraports> are expanded
from <extrareasons ports="..."> (nmap 7.90+), so either side may collapse.

Usage: /usr/bin/python3 nmapxml.py LABEL NMAP.xml TCPLAB.xml   exit 0 = same, 1 = differ
"""
import sys
import xml.etree.ElementTree as ET


def expand(spec):
    """'22,80-82' -> [22, 80, 81, 82]"""
    out = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def ports(path):
    """{(proto, port): (state, reason)} of the first host in an -oX file."""
    res = {}
    host = ET.parse(path).getroot().find("host")
    if host is None:
        return res
    pe = host.find("ports")
    if pe is None:
        return res
    for p in pe.findall("port"):
        st = p.find("state")
        res[(p.get("protocol"), int(p.get("portid")))] = (st.get("state"), st.get("reason"))
    for ex in pe.findall("extraports"):
        for er in ex.findall("extrareasons"):
            proto = er.get("proto", "tcp")
            for n in expand(er.get("ports", "")):
                res[(proto, n)] = (ex.get("state"), er.get("reason"))
    return res


def main(label, a, b):
    try:
        pa, pb = ports(a), ports(b)
    except ET.ParseError as e:
        print("scan_vs_nmap: %s: XML parse error: %s" % (label, e))
        return 1
    bad = []
    for k in sorted(set(pa) | set(pb)):
        if pa.get(k) != pb.get(k):
            bad.append((k, pa.get(k, ("absent", "-")), pb.get(k, ("absent", "-"))))
    if not pa:
        bad.append((("-", 0), ("no ports in nmap's XML", "-"), ("", "")))
    if not bad:
        return 0
    print("scan_vs_nmap: %s: %d port(s) disagree" % (label, len(bad)))
    print("  %-10s %-32s %s" % ("port", "nmap state (reason)", "tcplab state (reason)"))
    for (proto, n), x, y in bad:
        print("  %-10s %-32s %s" % ("%d/%s" % (n, proto), "%s (%s)" % x, "%s (%s)" % y))
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
