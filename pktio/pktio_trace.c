/* pktio_trace.c — the --packet-trace wrapper: describes every datagram as nmap does.
 *
 * A middleware in the manner of smoltcp's phy::Tracer and curl's connection filters: a
 * struct pktio whose ops forward to `inner` and print one line per datagram on the way.
 * The text follows nmap's PacketTrace::trace (tcpip.cc) and ippackethdrinfo at LOW_DETAIL
 * (libnetutil/netutil.cc): "SENT (%.4fs) " then
 *   TCP  SRC:SPORT > DST:DPORT FLAGS ttl=T id=I iplen=L seq=S win=W <opts>
 *   UDP  SRC:SPORT > DST:DPORT ttl=T id=I iplen=L
 *   ICMP [SRC > DST Echo request (type=8/code=0) id=I seq=S] IP [ttl=T id=I iplen=L]
 * with nmap's flag letters in its order (S F R P A U E C) and its option words (mss,
 * sackOK, timestamp, nop, wscale, eol). Unlike nmap, no doubled or trailing blanks, so
 * golden transcripts are clean. -sT connects print nmap's "CONN (t) TCP localhost > A:P
 * => Operation now in progress" (scan_engine_connect.cc), at connect time only, as nmap.
 *
 * Formatting happens only when tracing is on: the wrapper is not stacked otherwise.
 */
#include "pktio/pktio_trace.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "pktio/pktio_wrap.h"

struct trace_ctx {
    FILE *out;
    uint64_t start_ns;
};

/* A bounded append buffer: snprintf that keeps going and reports the full length. */
struct tbuf {
    char *p;
    size_t cap, len;
};

static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n;
}

/* nmap's flag letters, "basically in tcpdump order" (netutil.cc). */
static const char *trace_flags(uint8_t f, char out[9])
{
    static const struct { uint8_t bit; char c; } order[] = {
        {TCP_SYN, 'S'}, {TCP_FIN, 'F'}, {TCP_RST, 'R'}, {TCP_PSH, 'P'},
        {TCP_ACK, 'A'}, {TCP_URG, 'U'}, {TCP_ECE, 'E'}, {TCP_CWR, 'C'},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (f & order[i].bit)
            out[n++] = order[i].c;
    out[n] = '\0';
    return out;
}

/* nmap's tcppacketoptinfo words, in the order the options appear. */
static void trace_tcp_opts(struct tbuf *b, const struct wire_tcp_opts *o)
{
    if (o->n == 0)
        return;
    tb_printf(b, " <");
    for (size_t i = 0; i < o->n; i++) {
        if (i)
            tb_printf(b, ",");
        switch (o->order[i]) {
        case TCPOPT_EOL: tb_printf(b, "eol"); break;
        case TCPOPT_NOP: tb_printf(b, "nop"); break;
        case TCPOPT_MSS: tb_printf(b, "mss %u", o->mss); break;
        case TCPOPT_WSCALE: tb_printf(b, "wscale %u", o->wscale); break;
        case TCPOPT_SACK_PERM: tb_printf(b, "sackOK"); break;
        case TCPOPT_SACK: tb_printf(b, "sack"); break;
        case TCPOPT_TS: tb_printf(b, "timestamp %lu %lu", (unsigned long)o->tsval,
                                  (unsigned long)o->tsecr); break;
        default: tb_printf(b, "unknown-opt %u", o->order[i]); break;
        }
    }
    tb_printf(b, ">");
}

static void trace_ipinfo(struct tbuf *b, const struct wire_ipv4 *ip)
{
    tb_printf(b, "ttl=%u id=%u iplen=%u", ip->ttl, ip->id, ip->total_len);
    if (ip->frag_off || ip->mf)
        tb_printf(b, " frag offset=%u%s", 8u * ip->frag_off, ip->mf ? "+" : "");
}

/* The quoted datagram's destination in ICMP errors ("Host 198.51.100.30 unreachable"). */
static void trace_unreach(struct tbuf *b, const struct wire_icmp *ic)
{
    struct wire_pkt q;
    char a[16];
    bool have = wire_parse(ic->payload, ic->payload_len, &q) == WIRE_OK;
    const char *dst = have ? wire_ip_str(q.ip.dst, a) : "?";
    switch (ic->code) {
    case ICMP_NET_UNREACH: tb_printf(b, "Network %s unreachable", dst); break;
    case ICMP_HOST_UNREACH: tb_printf(b, "Host %s unreachable", dst); break;
    case ICMP_PROTO_UNREACH:
        tb_printf(b, "Protocol %u unreachable", have ? q.ip.proto : 0u);
        break;
    case ICMP_PORT_UNREACH:
        if (have && q.l4_err == WIRE_OK && q.ip.proto == WIRE_PROTO_UDP)
            tb_printf(b, "Port %u unreachable", q.l4.udp.dport);
        else if (have && q.ip.proto == WIRE_PROTO_TCP && q.ip.payload_len >= 4)
            tb_printf(b, "Port %u unreachable",
                      (unsigned)(q.ip.payload[2] << 8 | q.ip.payload[3]));
        else
            tb_printf(b, "Port unreachable");
        break;
    case ICMP_FRAG_NEEDED: tb_printf(b, "Fragmentation required"); break;
    case ICMP_NET_PROHIB:
        tb_printf(b, "Destination network %s administratively prohibited", dst);
        break;
    case ICMP_HOST_PROHIB:
        tb_printf(b, "Destination host %s administratively prohibited", dst);
        break;
    case ICMP_ADMIN_PROHIB:
        tb_printf(b, "Communication administratively prohibited by filtering");
        break;
    default: tb_printf(b, "Destination unreachable (unknown code)"); break;
    }
}

static void trace_icmp(struct tbuf *b, const struct wire_ipv4 *ip, const struct wire_icmp *ic,
                       const char *src, const char *dst)
{
    tb_printf(b, "ICMP [%s > %s ", src, dst);
    bool idseq = false;
    switch (ic->type) {
    case ICMP_ECHO_REPLY: tb_printf(b, "Echo reply"); idseq = true; break;
    case ICMP_ECHO: tb_printf(b, "Echo request"); idseq = true; break;
    case ICMP_UNREACH: trace_unreach(b, ic); break;
    case ICMP_TIME_EXCEEDED:
        tb_printf(b, ic->code == 0 ? "TTL=0 during transit"
                     : ic->code == 1 ? "TTL=0 during reassembly" : "TTL exceeded (unknown code)");
        break;
    case ICMP_TIMESTAMP: tb_printf(b, "Timestamp request"); idseq = true; break;
    case ICMP_TIMESTAMP_REPLY: tb_printf(b, "Timestamp reply"); idseq = true; break;
    default: tb_printf(b, "Unknown type"); break;
    }
    tb_printf(b, " (type=%u/code=%u)", ic->type, ic->code);
    if (idseq)
        tb_printf(b, " id=%u seq=%u", ic->id, ic->seq);
    tb_printf(b, "] IP [");
    trace_ipinfo(b, ip);
    tb_printf(b, "]");
}

int pktio_trace_describe(char *out, size_t cap, const uint8_t *dgram, size_t len)
{
    struct tbuf b = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    struct wire_pkt p;
    int rc = wire_parse(dgram, len, &p);
    if (rc != WIRE_OK) {
        tb_printf(&b, "BOGUS! Can't parse supposed IP packet (%s, %zu bytes)",
                  wire_strerror(rc), len);
        return (int)b.len;
    }
    char src[16], dst[16], fl[9];
    wire_ip_str(p.ip.src, src);
    wire_ip_str(p.ip.dst, dst);
    bool l4 = p.l4_err == WIRE_OK;
    switch (p.ip.proto) {
    case WIRE_PROTO_TCP:
        if (!l4) {
            tb_printf(&b, "TCP %s:?? > %s:?? ?? ", src, dst);
            trace_ipinfo(&b, &p.ip);
            tb_printf(&b, " (incomplete)");
            break;
        }
        tb_printf(&b, "TCP %s:%u > %s:%u %s ", src, p.l4.tcp.sport, dst, p.l4.tcp.dport,
                  trace_flags(p.l4.tcp.flags, fl));
        trace_ipinfo(&b, &p.ip);
        tb_printf(&b, " seq=%lu win=%u", (unsigned long)p.l4.tcp.seq, p.l4.tcp.window);
        trace_tcp_opts(&b, &p.l4.tcp.opt);
        break;
    case WIRE_PROTO_UDP:
        if (l4)
            tb_printf(&b, "UDP %s:%u > %s:%u ", src, p.l4.udp.sport, dst, p.l4.udp.dport);
        else
            tb_printf(&b, "UDP %s:?? > %s:?? ", src, dst);
        trace_ipinfo(&b, &p.ip);
        break;
    case WIRE_PROTO_ICMP:
        if (l4) {
            trace_icmp(&b, &p.ip, &p.l4.icmp, src, dst);
        } else {
            tb_printf(&b, "ICMP %s > %s [??] ", src, dst);
            trace_ipinfo(&b, &p.ip);
        }
        break;
    default:
        tb_printf(&b, "Unknown protocol (%u) %s > %s: ", p.ip.proto, src, dst);
        trace_ipinfo(&b, &p.ip);
        break;
    }
    return (int)b.len;
}

/* nmap's "%.4fs" of ns, in integers: rounding is the same on every libc. */
static const char *trace_secs(uint64_t ns, char out[32])
{
    uint64_t tenth_ms = (ns + 50000) / 100000;
    snprintf(out, 32, "%llu.%04llus", (unsigned long long)(tenth_ms / 10000),
             (unsigned long long)(tenth_ms % 10000));
    return out;
}

int pktio_trace_line(char *out, size_t cap, const char *dir, uint64_t rel_ns,
                     const uint8_t *dgram, size_t len)
{
    char ts[32];
    int n = snprintf(out, cap, "%s (%s) ", dir, trace_secs(rel_ns, ts));
    if (n < 0)
        return n;
    size_t used = (size_t)n < cap ? (size_t)n : cap;
    int m = pktio_trace_describe(out + used, cap - used, dgram, len);
    return n + (m > 0 ? m : 0);
}

/* --- the wrapper ------------------------------------------------------------------------ */

static uint64_t trace_rel(struct pktio *io, uint64_t t)
{
    struct trace_ctx *c = io->ctx;
    return t > c->start_ns ? t - c->start_ns : 0;
}

static void trace_emit(struct pktio *io, const char *dir, uint64_t t, const uint8_t *d,
                       size_t len)
{
    struct trace_ctx *c = io->ctx;
    char line[1024];
    pktio_trace_line(line, sizeof line, dir, trace_rel(io, t), d, len);
    fprintf(c->out, "%s\n", line);
}

/* nmap prints SENT before the packet leaves; we print only what really left. */
static void trace_sent(struct pktio *io, uint64_t t, const uint8_t *d, size_t len)
{
    trace_emit(io, "SENT", t, d, len);
}

static void trace_rcvd(struct pktio *io, uint64_t t, const uint8_t *d, size_t len)
{
    trace_emit(io, "RCVD", t, d, len);
}

static int trace_send(struct pktio *io, const uint8_t *d, size_t len)
{
    return pktio_wrap_send(io, d, len, trace_sent);
}

static int trace_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                      uint64_t deadline_ns)
{
    return pktio_wrap_recv(io, buf, cap, len, t_ns, deadline_ns, trace_rcvd);
}

static void trace_conn(struct pktio *io, uint32_t dst, uint16_t port, const char *what)
{
    struct trace_ctx *c = io->ctx;
    char a[16];
    char ts[32];
    fprintf(c->out, "CONN (%s) TCP localhost > %s:%u => %s\n",
            trace_secs(trace_rel(io, pktio_now(io->inner)), ts), wire_ip_str(dst, a), port, what);
}

static int trace_stream_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    int h = io->inner->ops->stream_connect(io->inner, dst, port);
    if (h < 0)
        memcpy(io->err, io->inner->err, sizeof io->err);
    trace_conn(io, dst, port, h < 0 ? io->err : "Operation now in progress");
    return h;
}

static void trace_close(struct pktio *io)
{
    struct trace_ctx *c = io->ctx;
    fflush(c->out);
    pktio_close(io->inner);
    free(c);
    free(io);
}

static const struct pktio_ops trace_ops = {
    .name = "trace", .send = trace_send, .recv = trace_recv, .now = pktio_wrap_now,
    .close = trace_close,
};

static const struct pktio_ops trace_ops_streams = {
    .name = "trace", .send = trace_send, .recv = trace_recv, .now = pktio_wrap_now,
    .stream_connect = trace_stream_connect, .stream_poll = pktio_wrap_stream_poll,
    .stream_close = pktio_wrap_stream_close, .close = trace_close,
    .stream_open = pktio_wrap_stream_open, .stream_write = pktio_wrap_stream_write,
    .stream_read = pktio_wrap_stream_read,
};

struct pktio *pktio_trace_wrap(struct pktio *inner, FILE *out, char *err, size_t errlen)
{
    struct pktio *io = calloc(1, sizeof *io);
    struct trace_ctx *c = calloc(1, sizeof *c);
    if (!io || !c) {
        free(io);
        free(c);
        snprintf(err, errlen, "packet trace: out of memory");
        return NULL;
    }
    c->out = out;
    c->start_ns = pktio_now(inner);
    pktio_wrap_init(io, inner, c, &trace_ops, &trace_ops_streams);
    return io;
}
