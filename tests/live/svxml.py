"""svxml.py — compare what -sV found, port for port, in two nmap-DTD XML files.

Why: sv_vs_nmap.sh runs real `nmap -sV` through the bridge and `tcplab scan -sV` on the same
scenario; this reads both -oX files (tcplab's follow nmap's DTD) and, for every host and open
port, compares the <service> element: where either side probed it (method="probed": a match,
a softmatch, tcpwrapped), the service name, product, version, extrainfo, ostype and
devicetype must be equal; where neither did (method="table": nothing matched, or the port is
excluded), only that: the names come from the two tools' own port tables (nmap's
nmap-services, tcplab's netbase names), which differ by design. Hosts are matched by address.

Usage: /usr/bin/python3 svxml.py NMAP.xml TCPLAB.xml   prints each port; exit 0 = agree, 1 = not
"""
import sys
import xml.etree.ElementTree as ET

FIELDS = ("name", "product", "version", "extrainfo", "ostype", "devicetype")


def services(path):
    """{(addr, proto, port): {attr: value}} of the open ports of every host."""
    out = {}
    for host in ET.parse(path).getroot().findall("host"):
        addr = host.find("address").get("addr")
        pe = host.find("ports")
        if pe is None:
            continue
        for p in pe.findall("port"):
            if p.find("state").get("state") != "open":
                continue
            sv = p.find("service")
            out[(addr, p.get("protocol"), int(p.get("portid")))] = dict(sv.attrib) if sv is not None else {}
    return out


def main():
    a, b = services(sys.argv[1]), services(sys.argv[2])
    bad = 0
    if not a:
        print("svxml: no open port in %s" % sys.argv[1])
        return 1
    for key in sorted(set(a) | set(b)):
        sa, sb = a.get(key), b.get(key)
        label = "%s %d/%s" % (key[0], key[2], key[1])
        if sa is None or sb is None:
            print("DIFFER %s: open only in %s" % (label, sys.argv[1] if sb is None else sys.argv[2]))
            bad = 1
            continue
        probed = sa.get("method") == "probed" or sb.get("method") == "probed"
        if not probed:
            print("same   %s: neither recognised it (nmap %s?, tcplab %s?)" % (label, sa.get("name"), sb.get("name")))
            continue
        diff = [f for f in FIELDS if sa.get(f) != sb.get(f)]
        if sa.get("method") != sb.get("method"):
            diff.append("method")
        desc = " ".join(sa.get(f, "") for f in ("name", "product", "version") if sa.get(f))
        if diff:
            bad = 1
            print("DIFFER %s: %s" % (label, "; ".join("%s nmap=%r tcplab=%r" % (f, sa.get(f), sb.get(f)) for f in diff)))
        else:
            print("same   %s: %s" % (label, desc))
    return bad


if __name__ == "__main__":
    sys.exit(main())
