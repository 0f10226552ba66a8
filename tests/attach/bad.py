# tests/attach/bad.py MODE: a script that breaks the attach protocol on purpose, so the
# tests see tcplab refuse it with a clear message (tests/unit/attach_check.sh).
import os
import socket
import struct
import sys

import tcplab

mode = sys.argv[1]
if mode == "error":          # a request tcplab refuses, the session goes on
    s = tcplab.Session()
    try:
        s.conn_state(12345)
    except tcplab.Error as e:
        print("refused:", e)
    try:
        s.send(b"\x45" + b"\0" * 10)
    except ValueError as e:
        print("client refused:", e)
    s.wait(0.001)
    sys.exit(0)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=int(os.environ["TCPLAB_ATTACH"]))
if mode == "type":
    sock.sendall(struct.pack("!I", 1) + b"Z")
elif mode == "length":
    sock.sendall(struct.pack("!I", 0x7fffffff) + b"W")
elif mode == "dgram":       # a WAIT whose datagram's total length lies
    d = tcplab.tcp_packet("198.51.100.10", "198.51.100.30", 1, 80) + b"\0\0\0\0"
    body = b"W" + struct.pack("!QIH", 0, 1, len(d)) + d
    sock.sendall(struct.pack("!I", len(body)) + body)
elif mode == "short":
    sock.sendall(struct.pack("!I", 3) + b"C\0\0")
n = sock.recv(4)
(ln,) = struct.unpack("!I", n)
msg = sock.recv(ln)
print("reply:", msg[:1].decode(), msg[3:].decode())
sys.exit(0)
