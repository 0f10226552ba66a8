"""stream.py -- the bytes of a connection the script opens through its host's own stack
(tcplab attach tests/attach/stream.scn -- python3 tests/attach/stream.py): the echo
service must send back exactly what was written, binary bytes included, and the copies of
its segments that reach the script must carry them; the HTTP server must answer a real
request. Prints what it got; exits 1 on a mismatch."""
import sys

import tcplab

s = tcplab.Session()
web = s.hosts()["web"]

msg = b"hello, echo\r\n\x00\x01\xfe\xff" + bytes(range(256))
e = s.connect(web, 7, sport=40007)
seen = b""
for d in s.wait(0.01):
    seen += d.payload
if s.conn_state(e) != "ESTABLISHED":
    sys.exit("echo: %s" % s.conn_state(e))
took = s.write(e, msg)
for d in s.wait(0.05):
    if d.src == web and d.sport == 7:
        seen += d.payload
back = s.read(e)
print("echo wrote %d took %d read %d same %s on-the-wire %s" % (
    len(msg), took, len(back), back == msg, seen == msg))
s.close(e)

# 8000 bytes through the echo: more than the 4096-byte receive buffer of the attacker (a
# FreeBSD host, stream.scn). Unread, the buffer fills and the window offered is zero; every
# read opens it (a window update) and the rest comes, none lost (RFC 9293 3.8.6).
big = bytes((i * 7 + 3) & 0xFF for i in range(8000))
e = s.connect(web, 7, sport=40017)
s.wait(0.01)
took8 = s.write(e, big)
s.wait(0.2)
back8 = s.read(e)                   # what the buffer held: the echo then waited
first = len(back8)
for _ in range(50):
    back8 += s.read(e)
    if len(back8) >= len(big):
        break
    s.wait(0.05)
print("echo8000 wrote %d took %d read %d same %s first read %d" % (
    len(big), took8, len(back8), back8 == big, first))
s.close(e)

h = s.connect(web, 80, sport=40080)
s.wait(0.01)
s.write(h, "GET / HTTP/1.0\r\nHost: web\r\n\r\n")
reply, eof = b"", False
for _ in range(20):
    s.wait(0.05)
    part, eof = s.recv(h)
    reply += part
    if eof:
        break
status = reply.split(b"\r\n", 1)[0].decode("ascii", "replace")
server = [l for l in reply.split(b"\r\n") if l.startswith(b"Server:")]
print("http %s | %s | eof %s" % (status, server[0].decode() if server else "-", eof))
# Misuse gets a clear Python error, not a protocol message or a struct error.
misuse = 0
try:
    s.write(h, 5)
    print("write of a count: accepted")
except TypeError:
    print("write of a count: TypeError")
    misuse += 1
try:
    s.recv(h, -1)
    print("recv of -1 bytes: accepted")
except ValueError:
    print("recv of -1 bytes: ValueError")
    misuse += 1
ok = back == msg and seen == msg and took == len(msg) and status.startswith("HTTP/1.0 200") \
    and server and eof and misuse == 2 and back8 == big and first == 4096
sys.exit(0 if ok else 1)
