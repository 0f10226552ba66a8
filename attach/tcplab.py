"""tcplab -- the Python client of `tcplab attach`: a script inside a simulated network.

Run a script under tcplab, which connects it to the simulation and puts this module on its
PYTHONPATH:

    tcplab attach scenarios/mitnick.scn --as attacker -- python3 attack.py

and in attack.py:

    import tcplab
    s = tcplab.Session()                      # connects through $TCPLAB_ATTACH
    h = s.hosts()                             # {"server": "198.51.100.30", ...}
    s.send(tcplab.tcp_packet(h["trusted"], h["server"], 1023, 513, seq=1000, flags="S"))
    for d in s.wait(0.5):                     # the clock moves 0.5 s of virtual time
        print(d.time, d.src, d.flags)         # every datagram that reached our prefix

The clock moves only inside wait() and wait_until(): a script that computes for an hour
between two waits finds the network where it left it, and the same script gives the same
bytes every run. Datagrams sent with send() are queued and leave together, at the current
virtual time, when the script next waits (or connects, writes, closes, notes): one message
carries the whole batch, so hundreds of thousands of probes cost seconds.

Plain sockets and the standard library only. Where scapy is installed, send() also takes
scapy packets and Datagram.scapy() gives one back. Protocol: attach/proto.h in the tcplab
sources; the manual: tcplab(1), ATTACH, and docs/attach.md.
"""

import atexit
import os
import socket
import struct
import sys

__all__ = ["Session", "Datagram", "Packet", "Error", "parse", "tcp_packet", "udp_packet",
           "icmp_echo", "checksum"]

PROTO_VERSION = 2
_MAX_BATCH_BYTES = 32 << 20     # split batches well below the server's 64 MiB frame limit
_MAX_WRITE = 1 << 20            # one WRITE or READ moves at most this much (proto.h)
_FLAG_ORDER = "FSRPAUEC"        # bit 0 .. bit 7, scapy's letters


class Error(Exception):
    """tcplab refused a request (the message says why), or the session is gone."""


# ------------------------------------------------------------------ packets

_addr_cache = {}


def _addr(a):
    """'198.51.100.10' or an int -> 4 bytes."""
    if isinstance(a, int):
        return struct.pack(">I", a)
    b = _addr_cache.get(a)
    if b is None:
        b = socket.inet_aton(a)
        if len(_addr_cache) < 65536:
            _addr_cache[a] = b
    return b


_LITTLE = sys.byteorder == "little"


def checksum(data):
    """The Internet checksum (RFC 1071) of data. Summed in the machine's own byte order
    (RFC 1071 2(B): the sum does not depend on it) and swapped once at the end."""
    if len(data) % 2:
        data += b"\0"
    s = sum(memoryview(data).cast("H"))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    s = ~s & 0xFFFF
    return ((s & 0xFF) << 8 | s >> 8) if _LITTLE else s


def _flags(f):
    if isinstance(f, int):
        return f & 0xFF
    v = 0
    for c in f.upper():
        i = _FLAG_ORDER.find(c)
        if i < 0:
            raise ValueError("TCP flag letters are %s, got %r" % (_FLAG_ORDER, f))
        v |= 1 << i
    return v


def _flags_str(v):
    return "".join(c for i, c in enumerate(_FLAG_ORDER) if v & (1 << i))


def _ip(src, dst, proto, payload, ipid=0, ttl=64, df=False):
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ipid & 0xFFFF, 0x4000 if df else 0,
                      ttl, proto, 0, _addr(src), _addr(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


_IPH = struct.Struct("!BBHHHBBH4s4s")
_TCPH = struct.Struct("!HHIIBBHHH")
_flag_cache = {}


def _swap16(x):
    return ((x & 0xFF) << 8 | x >> 8) if _LITTLE else x


def _fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return _swap16(~s & 0xFFFF)


def tcp_packet(src, dst, sport, dport, seq=0, ack=0, flags="S", win=65535, payload=b"",
               ipid=0, ttl=64, options=b"", df=False):
    """A raw IPv4+TCP datagram with right checksums. flags: scapy's letters ("SA") or an int.
    options: raw TCP option bytes (padded to a multiple of 4 with NOPs)."""
    if len(options) % 4:
        options += b"\x01" * (4 - len(options) % 4)
    fl = _flag_cache.get(flags) if isinstance(flags, str) else None
    if fl is None:
        fl = _flags(flags)
        if isinstance(flags, str) and len(_flag_cache) < 256:
            _flag_cache[flags] = fl
    hl = 20 + len(options)
    tlen = hl + len(payload)
    buf = bytearray(20 + tlen + (tlen & 1))    # a pad byte for the sum, cut below
    _IPH.pack_into(buf, 0, 0x45, 0, 20 + tlen, ipid & 0xFFFF, 0x4000 if df else 0, ttl, 6, 0,
                   _addr(src), _addr(dst))
    _TCPH.pack_into(buf, 20, sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (hl // 4) << 4,
                    fl, win, 0, 0)
    buf[40:40 + len(options)] = options
    buf[20 + hl:20 + tlen] = payload
    m = memoryview(buf).cast("H")
    struct.pack_into("!H", buf, 10, _fold(sum(m[:10])))
    # the pseudo-header (RFC 793 3.1): the addresses are bytes 12-19, then protocol and length
    struct.pack_into("!H", buf, 36, _fold(sum(m[6:]) + _swap16(6) + _swap16(tlen)))
    m.release()
    if tlen & 1:
        del buf[-1]
    return bytes(buf)


def udp_packet(src, dst, sport, dport, payload=b"", ipid=0, ttl=64):
    """A raw IPv4+UDP datagram with right checksums."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    pseudo = _addr(src) + _addr(dst) + struct.pack("!BBH", 0, 17, len(udp))
    c = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return _ip(src, dst, 17, udp, ipid, ttl)


def icmp_echo(src, dst, id=0, seq=0, payload=b"", ipid=0, ttl=64, type=8, code=0):
    """An ICMP echo request (type 8; type=0 for a reply) with right checksums."""
    icmp = struct.pack("!BBHHH", type, code, 0, id, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    return _ip(src, dst, 1, icmp, ipid, ttl)


class Packet(object):
    """The fields of a parsed IPv4 datagram: src dst proto ipid ttl len, and for TCP sport
    dport seq ack flags (str, e.g. "SA") win payload options, for UDP sport dport payload,
    for ICMP icmp_type icmp_code icmp_id icmp_seq payload. Absent fields are None."""

    __slots__ = ("data", "src", "dst", "proto", "ipid", "ttl", "len", "df", "sport", "dport",
                 "seq", "ack", "flags", "win", "payload", "options", "icmp_type",
                 "icmp_code", "icmp_id", "icmp_seq")

    def __init__(self, data):
        for k in self.__slots__:
            setattr(self, k, None)
        self.data = bytes(data)
        d = self.data
        if len(d) < 20 or d[0] >> 4 != 4:
            raise ValueError("not an IPv4 datagram")
        hl = (d[0] & 15) * 4
        self.len, self.ipid, frag, self.ttl, self.proto = struct.unpack("!HHHBB", d[2:10])
        self.df = bool(frag & 0x4000)
        self.src = socket.inet_ntoa(d[12:16])
        self.dst = socket.inet_ntoa(d[16:20])
        body = d[hl:self.len]
        if self.proto == 6 and len(body) >= 20:
            (self.sport, self.dport, self.seq, self.ack, off, fl,
             self.win) = struct.unpack("!HHIIBBH", body[:16])
            self.flags = _flags_str(fl)
            self.options = body[20:(off >> 4) * 4]
            self.payload = body[(off >> 4) * 4:]
        elif self.proto == 17 and len(body) >= 8:
            self.sport, self.dport = struct.unpack("!HH", body[:4])
            self.payload = body[8:]
        elif self.proto == 1 and len(body) >= 8:
            self.icmp_type, self.icmp_code = body[0], body[1]
            self.icmp_id, self.icmp_seq = struct.unpack("!HH", body[4:8])
            self.payload = body[8:]

    def __repr__(self):
        if self.proto == 6:
            return "<%s:%s > %s:%s TCP [%s] seq=%s ack=%s ipid=%s>" % (
                self.src, self.sport, self.dst, self.dport, self.flags, self.seq, self.ack,
                self.ipid)
        return "<%s > %s proto %s ipid=%s len=%s>" % (self.src, self.dst, self.proto,
                                                     self.ipid, self.len)


def parse(data):
    """bytes of an IPv4 datagram -> Packet."""
    return Packet(data)


class Datagram(object):
    """A datagram delivered to the script: .time (virtual seconds), .t_ns, .data (bytes),
    .pkt (its Packet); the Packet's fields are also the Datagram's (d.src, d.flags...)."""

    __slots__ = ("t_ns", "data", "_pkt")

    def __init__(self, t_ns, data):
        self.t_ns = t_ns
        self.data = data
        self._pkt = None

    @property
    def time(self):
        return self.t_ns / 1e9

    @property
    def pkt(self):
        if self._pkt is None:
            self._pkt = Packet(self.data)
        return self._pkt

    def __getattr__(self, name):
        if name in Packet.__slots__:
            return getattr(self.pkt, name)
        raise AttributeError(name)

    def scapy(self):
        """The datagram as a scapy IP packet (needs scapy)."""
        from scapy.layers.inet import IP
        return IP(self.data)

    def __repr__(self):
        return "<Datagram t=%.9f %r>" % (self.time, self.pkt)


# ------------------------------------------------------------------ the session

def _to_bytes(pkt):
    if isinstance(pkt, (bytes, bytearray, memoryview)):
        b = bytes(pkt)
    elif hasattr(pkt, "build") or hasattr(pkt, "__bytes__"):    # a scapy packet
        b = bytes(pkt)
    else:
        raise TypeError("send() takes bytes (a raw IPv4 datagram) or a scapy packet, not %s"
                        % type(pkt).__name__)
    if len(b) < 20 or b[0] >> 4 != 4 or struct.unpack("!H", b[2:4])[0] != len(b):
        raise ValueError("not one IPv4 datagram whose total length is its length (%d bytes)"
                         % len(b))
    if len(b) > 1500:
        raise ValueError("bigger than the links' MTU (1500 bytes): %d" % len(b))
    return b


class Session(object):
    """The script's connection to `tcplab attach`. Attributes: addr (str, the attaching
    address), prefix (str, "A.B.C.D/N"). fd: the socket's descriptor (default:
    $TCPLAB_ATTACH)."""

    def __init__(self, fd=None):
        if fd is None:
            v = os.environ.get("TCPLAB_ATTACH")
            if v is None:
                raise Error("not running under `tcplab attach` ($TCPLAB_ATTACH is not set); "
                            "run it as: tcplab attach SCENARIO -- python3 SCRIPT")
            fd = int(v)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=fd)
        self._queue = []
        self._qbytes = 0
        self._pending = []
        self.sent = 0
        self.received = 0
        r = self._call(b"H", struct.pack("!I", PROTO_VERSION), b"H")
        _ver, addr, plen, self._now = struct.unpack_from("!IIBQ", r, 0)
        self.addr = socket.inet_ntoa(struct.pack("!I", addr))
        mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF if plen else 0
        self.prefix = "%s/%d" % (socket.inet_ntoa(struct.pack("!I", addr & mask)), plen)
        (n,) = struct.unpack_from("!H", r, 17)
        off, self._hosts = 19, {}
        for _ in range(n):
            a, ln = struct.unpack_from("!IB", r, off)
            name = r[off + 5:off + 5 + ln].decode("ascii", "replace")
            self._hosts[name] = socket.inet_ntoa(struct.pack("!I", a))
            off += 5 + ln
        atexit.register(self._at_exit)

    def _at_exit(self):
        try:
            if self._queue and self._sock.fileno() >= 0:
                self._flush()
        except (OSError, Error):
            pass

    # -- transport
    def _recv_exact(self, n):
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            k = self._sock.recv_into(view[got:], n - got)
            if k == 0:
                raise Error("tcplab closed the session")
            got += k
        return bytes(buf)

    def _call(self, typ, body, want):
        self._sock.sendall(struct.pack("!I", 1 + len(body)) + typ + body)
        (n,) = struct.unpack("!I", self._recv_exact(4))
        msg = self._recv_exact(n)
        if msg[:1] == b"E":
            (ln,) = struct.unpack_from("!H", msg, 1)
            raise Error(msg[3:3 + ln].decode("ascii", "replace"))
        if msg[:1] != want:
            raise Error("unexpected reply %r to %r" % (msg[:1], typ))
        return msg[1:]

    def _wait_msg(self, until_ns, batch):
        parts = [struct.pack("!QI", until_ns, len(batch))]
        for d in batch:
            parts.append(struct.pack("!H", len(d)))
            parts.append(d)
        r = self._call(b"W", b"".join(parts), b"D")
        self._now, n = struct.unpack_from("!QI", r, 0)
        out, off, unpack = [], 12, struct.unpack_from
        for _ in range(n):
            t, ln = unpack("!QH", r, off)
            out.append(Datagram(t, r[off + 10:off + 10 + ln]))
            off += 10 + ln
        self.received += n
        return out

    def _flush(self):
        """Sends the queued datagrams now, without moving the clock, in messages of at most
        _MAX_BATCH_BYTES. Nothing can arrive meanwhile (no event runs), but whatever the
        replies carry is kept for the next wait."""
        while self._queue:
            k, size = 0, 0
            while k < len(self._queue) and size < _MAX_BATCH_BYTES:
                size += len(self._queue[k]) + 2
                k += 1
            batch, self._queue = self._queue[:k], self._queue[k:]
            self.sent += len(batch)
            self._pending += self._wait_msg(self._now, batch)
        self._qbytes = 0

    # -- the API
    def hosts(self):
        """dict name -> address of the scenario's named hosts."""
        return dict(self._hosts)

    def now(self):
        """The virtual clock, in seconds."""
        return self._now / 1e9

    def now_ns(self):
        return self._now

    def send(self, pkt):
        """Queues one datagram (raw IPv4 bytes, any source address, or a scapy packet). It
        leaves at the current virtual time when the script next waits."""
        b = _to_bytes(pkt)
        self._queue.append(b)
        self._qbytes += len(b) + 2

    def send_many(self, pkts):
        for p in pkts:
            self.send(p)

    def wait_until_ns(self, t_ns):
        """Sends what is queued, runs the clock to t_ns, returns the Datagrams that reached the
        attached prefix meanwhile, in arrival order."""
        t_ns = int(t_ns)
        if self._qbytes < _MAX_BATCH_BYTES:   # the common case: one message
            batch, self._queue, self._qbytes = self._queue, [], 0
            self.sent += len(batch)
        else:
            self._flush()
            batch = []
        got = self._wait_msg(t_ns, batch)
        if self._pending:
            got, self._pending = self._pending + got, []
        return got

    def wait_until(self, t):
        """wait_until_ns for a time in seconds."""
        return self.wait_until_ns(round(t * 1e9))

    def wait(self, dt):
        """Sends what is queued, lets dt seconds of virtual time pass, returns the Datagrams
        that reached the attached prefix meanwhile."""
        return self.wait_until_ns(self._now + round(dt * 1e9))

    def _addr_of(self, dst):
        return self._hosts.get(dst, dst)

    def connect(self, dst, dport, sport=0):
        """Opens a TCP connection from the attached host's own stack (a real 3-way handshake;
        its segments reach the stack and are copied to the script). Returns its handle."""
        self._flush()
        body = _addr(self._addr_of(dst)) + struct.pack("!HH", dport, sport)
        (h,) = struct.unpack("!i", self._call(b"C", body, b"I"))
        return h

    def write(self, conn, data):
        """The application writes data (bytes; a str is encoded as UTF-8) on conn: these
        bytes are what the segments carry. Returns how many the connection's send buffer
        took (fewer when it is full: write the rest after a wait)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if isinstance(data, int):
            raise TypeError("write() takes the bytes to send, not a count")
        data = bytes(data)
        self._flush()
        took = 0
        while took < len(data):
            part = data[took:took + _MAX_WRITE]
            (n,) = struct.unpack("!i", self._call(b"R", struct.pack("!II", conn, len(part))
                                                  + part, b"I"))
            took += n
            if n < len(part):
                break
        return took

    def recv(self, conn, n=65536):
        """(bytes, eof): what conn received in order, at most n bytes (b"" when nothing
        has come yet), and whether the peer has closed and everything is read. Reading
        frees the connection's receive buffer (the host's stack's: Linux's tcp_rmem[1],
        4096 bytes on the other presets): when that opens its window enough, a window
        update is sent at once (the peer's answer comes with the next
        wait(); the clock moves only there)."""
        if int(n) < 0:
            raise ValueError("recv: n is a byte count, 0 or more, not %d" % int(n))
        r = self._call(b"G", struct.pack("!II", conn, min(int(n), _MAX_WRITE)), b"B")
        eof, ln = struct.unpack_from("!BI", r, 0)
        return r[5:5 + ln], bool(eof)

    def read(self, conn, n=65536):
        """recv() without the end-of-file flag: the bytes conn received, at most n."""
        return self.recv(conn, n)[0]

    def close(self, conn):
        """Closes conn with a FIN."""
        self._flush()
        self._call(b"X", struct.pack("!I", conn), b"O")

    def conn_state(self, conn):
        """conn's RFC 793 state: "SYN-SENT", "ESTABLISHED", ..., "CLOSED", or why it failed:
        "REFUSED", "UNREACHABLE", "TIMEDOUT"."""
        r = self._call(b"S", struct.pack("!I", conn), b"S")
        return r[1:1 + r[0]].decode("ascii")

    def note(self, text):
        """A NOTE line in the transcript, at the current virtual time (printable ASCII, at
        most 200 characters)."""
        b = text.encode("ascii")
        self._flush()
        self._call(b"N", struct.pack("!H", len(b)) + b, b"O")

    def close_session(self):
        """Sends what is queued and ends the session (also done at exit)."""
        if self._queue:
            self._flush()
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close_session()
        return False
