# tests/attach/probes.py N [BATCH]: N SYN probes from the attaching address to the server's
# ports, BATCH per wait; prints how many answers came back and the probes per second of
# real time (what a batch costs through the Python client). tests/unit/attach_check.sh runs
# it small; docs/attach.md reports it big.
import sys
import time

import tcplab

n = int(sys.argv[1])
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
s = tcplab.Session()
server = s.hosts()["server"]
t0 = time.perf_counter()
answers = 0
sent = 0
while sent < n:
    k = min(batch, n - sent)
    for i in range(sent, sent + k):
        s.send(tcplab.tcp_packet(s.addr, server, 1024 + i % 60000, 1 + i % 1000,
                                 seq=i, flags="S"))
    sent += k
    answers += len(s.wait(0.005))
answers += len(s.wait(0.1))
dt = time.perf_counter() - t0
print("probes %d answers %d" % (n, answers))
if len(sys.argv) > 3:
    print("%.0f probes/s (%.2f s)" % (n / dt, dt), file=sys.stderr)
