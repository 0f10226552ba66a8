# tests/attach/prefix.py: a script that plays a whole prefix (--as A.B.C.D/N): probes from
# three of its addresses are answered to those addresses, and all three answers reach it.
import sys

import tcplab

s = tcplab.Session()
server = s.hosts()["server"]
print("prefix", s.prefix, "addr", s.addr, file=sys.stderr)
base = s.addr.rsplit(".", 1)[0]
for last in (130, 200, 255):
    s.send(tcplab.tcp_packet("%s.%d" % (base, last), server, 2000 + last, 80, flags="S"))
for d in s.wait(0.01):
    print("%.6f to %s [%s]" % (d.time, d.dst, d.flags), file=sys.stderr)
