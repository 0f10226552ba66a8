/* test_scan_engine.c — the scan engine (scanner/engine.c, ultra.c, portscan.c, discovery.c,
 * scans/) against a scripted fake pktio with a virtual clock, written here so the engine is
 * tested without the simulator. The fake target 198.51.100.30 answers like a Linux host
 * behind a partial firewall; every expected state and reason is nmap's (nmap.md sections
 * 1, 2 and 6).
 *
 * (tests/unit/test_engine.c is the simulator engine's test; this file is the scanner's.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/rng.h"
#include "lib/wire.h"
#include "scanner/engine.h"
#include "scanner/scans/scans.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MS 1000000ULL

static const uint32_t SCANNER = IP4(198, 51, 100, 10);
static const uint32_t TARGET = IP4(198, 51, 100, 30);
static const uint32_t DOWNHOST = IP4(198, 51, 100, 31);
static const uint32_t TTLHOST = IP4(198, 51, 100, 32);
static const uint32_t ROUTER = IP4(198, 51, 100, 1);

enum { FK_MAXQ = 4096, FK_MAXLOG = 8192, FK_MAXSTREAM = 256 };

struct fk_pending {
    uint64_t t;
    size_t len;
    uint8_t b[600];
};

struct fk_sent {
    uint64_t t;
    uint32_t dst;
    uint16_t dport, sport;
    uint8_t proto, flags, ttl;
};

struct fake {
    uint64_t now;
    struct fk_pending *q;
    size_t nq;
    struct fk_sent *log;
    size_t nlog;
    uint64_t hash;              /* FNV over every probe's bytes, in order */
    bool lost_8080;             /* the first probe to 8080 was dropped */
    bool late_8443;
    bool forge;                 /* inject a forged SYN/ACK for 443 */
    uint64_t late9000;          /* the first SYN to 9000 gets its SYN/ACK this late */
    uint64_t late9000_rest;     /* later SYNs to 9000: answered this late (0: silent) */
    bool sent9000;
    int mode80;                 /* 0: RST always; 1: later SYNs get SYN/ACK; 2: later silent */
    bool seen80;
    uint8_t seen2k[100];        /* TCP 2000-2099: the first probe is lost, then RST */
    uint8_t udp7[64];           /* UDP 7: the first probe, answered only after the second */
    size_t udp7_len;
    struct { uint64_t ready; enum pktio_stream st; uint8_t type, code; bool closed; } streams[FK_MAXSTREAM];
    int nstreams;
};

static void fk_push(struct fake *f, uint64_t t, const uint8_t *b, size_t len)
{
    assert_true(f->nq < FK_MAXQ && len <= sizeof f->q[0].b);
    f->q[f->nq].t = t;
    f->q[f->nq].len = len;
    memcpy(f->q[f->nq].b, b, len);
    f->nq++;
}

static void fk_tcp_reply(struct fake *f, uint64_t at, const struct wire_pkt *p, uint8_t flags,
                         uint32_t seq, uint32_t ack, uint16_t win)
{
    uint8_t b[128];
    struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_TCP, .src = p->ip.dst, .dst = p->ip.src };
    struct wire_tcp t = { .sport = p->l4.tcp.dport, .dport = p->l4.tcp.sport, .seq = seq,
                          .ack = ack, .flags = flags, .window = win };
    size_t n = wire_emit_tcp(b, sizeof b, &ip, &t);
    assert_true(n > 0);
    fk_push(f, at, b, n);
}

static void fk_icmp_err(struct fake *f, uint64_t at, uint32_t from, const uint8_t *probe,
                        size_t plen, uint8_t type, uint8_t code)
{
    uint8_t b[256];
    struct wire_ipv4 ip = { .ttl = 250, .proto = WIRE_PROTO_ICMP, .src = from, .dst = SCANNER };
    struct wire_icmp ic = { .type = type, .code = code, .payload = probe,
                            .payload_len = plen < 28 ? plen : 28 };
    size_t n = wire_emit_icmp(b, sizeof b, &ip, &ic);
    assert_true(n > 0);
    fk_push(f, at, b, n);
}

/* The target: 22 open, 80 closed, 443 silent (plus a forged reply), 113 rejected by a router
 * with ICMP 3/13, 8080 loses its first probe, 8443 answers 150 ms late; UDP 53 closed (3/3),
 * 161 open, others silent; ICMP echo answered; TCP 1000-1999 silent (firewalled); TCP
 * 2000-2099 lose their first probe; 80 and 9000 can be scripted (mode80, late9000*). RSTs from port 22 carry window 1 (so -sW
 * calls it open), from other ports window 0. */
static void fk_target_tcp(struct fake *f, const struct wire_pkt *p, const uint8_t *d, size_t len)
{
    const struct wire_tcp *t = &p->l4.tcp;
    uint64_t at = f->now + 2 * MS;
    uint16_t port = t->dport;
    if (port == 9000) {   /* the first try is answered late_9000 after its send */
        if (!f->sent9000)
            fk_tcp_reply(f, f->now + f->late9000, p, TCP_SYN | TCP_ACK, 9, t->seq + 1, 5840);
        else if (f->late9000_rest)
            fk_tcp_reply(f, f->now + f->late9000_rest, p, TCP_SYN | TCP_ACK, 9, t->seq + 1,
                         5840);
        f->sent9000 = true;
        return;
    }
    if (port >= 2000 && port < 2100) {
        if (f->seen2k[port - 2000]++)
            fk_tcp_reply(f, at, p, TCP_RST | TCP_ACK, 0, t->seq + 1, 0);
        return;
    }
    if (port == 80 && f->mode80 && f->seen80) {
        if (f->mode80 == 1)
            fk_tcp_reply(f, at, p, TCP_SYN | TCP_ACK, 80, t->seq + 1, 5840);
        return;
    }
    if (port == 80)
        f->seen80 = true;
    if (port == 443 || (port >= 1000 && port < 2000)) {
        if (f->forge) {   /* right ports, wrong cookie: must be ignored */
            fk_tcp_reply(f, at, p, TCP_SYN | TCP_ACK, 777, t->seq + 12345, 5840);
            f->forge = false;
        }
        return;
    }
    if (port == 113) {
        fk_icmp_err(f, at, ROUTER, d, len, ICMP_UNREACH, ICMP_ADMIN_PROHIB);
        return;
    }
    if (port == 8080 && !f->lost_8080) {
        f->lost_8080 = true;
        return;
    }
    if (port == 8443) {
        if (f->late_8443)
            return;
        f->late_8443 = true;
        at = f->now + 150 * MS;
    }
    bool open = port == 22 || port == 8080 || port == 8443;
    uint8_t fl = t->flags;
    if (fl & TCP_RST)
        return;
    if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        if (open)
            fk_tcp_reply(f, at, p, TCP_SYN | TCP_ACK, 1000000u + port, t->seq + 1, 29200);
        else
            fk_tcp_reply(f, at, p, TCP_RST | TCP_ACK, 0, t->seq + 1, 0);
        return;
    }
    if (fl & TCP_ACK) {   /* RFC 793: RST with seq = SEG.ACK, open or closed */
        fk_tcp_reply(f, at, p, TCP_RST, t->ack, 0, port == 22 ? 1 : 0);
        return;
    }
    if (!open)            /* FIN, NULL, Xmas at a closed port */
        fk_tcp_reply(f, at, p, TCP_RST | TCP_ACK, 0, t->seq + ((fl & TCP_FIN) ? 1 : 0), 0);
}

static void fk_target(struct fake *f, const struct wire_pkt *p, const uint8_t *d, size_t len)
{
    uint64_t at = f->now + 2 * MS;
    if (p->ip.proto == WIRE_PROTO_TCP) {
        fk_target_tcp(f, p, d, len);
    } else if (p->ip.proto == WIRE_PROTO_UDP) {
        if (p->l4.udp.dport == 53) {
            uint8_t q[28];
            memcpy(q, d, 28);
            fk_icmp_err(f, at, TARGET, q, 28, ICMP_UNREACH, ICMP_PORT_UNREACH);
        } else if (p->l4.udp.dport == 7 && f->udp7_len == 0) {
            memcpy(f->udp7, d, len < sizeof f->udp7 ? len : sizeof f->udp7);
            f->udp7_len = len;
        } else if (p->l4.udp.dport == 7) {
            /* Try 1 gets 3/3 from the target; then try 0's UDP answer arrives late. */
            fk_icmp_err(f, at, TARGET, d, 28, ICMP_UNREACH, ICMP_PORT_UNREACH);
            struct wire_pkt p0;
            assert_int_equal(wire_parse(f->udp7, f->udp7_len, &p0), WIRE_OK);
            uint8_t b[64];
            struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_UDP, .src = TARGET, .dst = SCANNER };
            struct wire_udp u = { .sport = 7, .dport = p0.l4.udp.sport };
            fk_push(f, at + 3 * MS, b, wire_emit_udp(b, sizeof b, &ip, &u));
        } else if (p->l4.udp.dport == 161) {
            uint8_t b[64];
            static const uint8_t resp[] = { 0x30, 0x00 };
            struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_UDP, .src = TARGET, .dst = SCANNER };
            struct wire_udp u = { .sport = 161, .dport = p->l4.udp.sport, .payload = resp,
                                  .payload_len = sizeof resp };
            fk_push(f, at, b, wire_emit_udp(b, sizeof b, &ip, &u));
        }
    } else if (p->ip.proto == WIRE_PROTO_ICMP && p->l4.icmp.type == ICMP_ECHO) {
        uint8_t b[64];
        struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_ICMP, .src = TARGET, .dst = SCANNER };
        struct wire_icmp ic = { .type = ICMP_ECHO_REPLY, .id = p->l4.icmp.id, .seq = p->l4.icmp.seq };
        fk_push(f, at, b, wire_emit_icmp(b, sizeof b, &ip, &ic));
    }
}

static int fk_send(struct pktio *io, const uint8_t *d, size_t len)
{
    struct fake *f = io->ctx;
    struct wire_pkt p;
    assert_int_equal(wire_parse(d, len, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_OK);
    assert_int_equal(p.ip.src, SCANNER);
    assert_true(f->nlog < FK_MAXLOG);
    struct fk_sent *s = &f->log[f->nlog++];
    *s = (struct fk_sent){ .t = f->now, .dst = p.ip.dst, .proto = p.ip.proto, .ttl = p.ip.ttl };
    if (p.ip.proto == WIRE_PROTO_TCP) {
        s->dport = p.l4.tcp.dport;
        s->sport = p.l4.tcp.sport;
        s->flags = p.l4.tcp.flags;
    } else if (p.ip.proto == WIRE_PROTO_UDP) {
        s->dport = p.l4.udp.dport;
        s->sport = p.l4.udp.sport;
    }
    for (size_t i = 0; i < len; i++)
        f->hash = (f->hash ^ d[i]) * 0x100000001b3ULL;
    if (p.ip.dst == TARGET)
        fk_target(f, &p, d, len);
    else if (p.ip.dst == TTLHOST)
        fk_icmp_err(f, f->now + 2 * MS, ROUTER, d, len, ICMP_TIME_EXCEEDED, 0);
    return 0;
}

static int fk_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t,
                   uint64_t deadline)
{
    struct fake *f = io->ctx;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < f->nq; i++)
        if (f->q[i].t <= deadline && (best == SIZE_MAX || f->q[i].t < f->q[best].t))
            best = i;
    if (best == SIZE_MAX) {
        if (deadline > f->now)
            f->now = deadline;
        return 0;
    }
    if (f->q[best].t > f->now)
        f->now = f->q[best].t;
    assert_true(f->q[best].len <= cap);
    memcpy(buf, f->q[best].b, f->q[best].len);
    *len = f->q[best].len;
    *t = f->now;
    memmove(&f->q[best], &f->q[best + 1], (f->nq - best - 1) * sizeof f->q[0]);
    f->nq--;
    return 1;
}

static uint64_t fk_now(struct pktio *io) { return ((struct fake *)io->ctx)->now; }

static int fk_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    struct fake *f = io->ctx;
    assert_true(f->nstreams < FK_MAXSTREAM);
    int h = f->nstreams++;
    assert_true(f->nlog < FK_MAXLOG);
    f->log[f->nlog++] = (struct fk_sent){ .t = f->now, .dst = dst, .dport = port, .proto = 6,
                                          .flags = TCP_SYN };
    f->streams[h].ready = f->now + 2 * MS;
    f->streams[h].st = PKTIO_STREAM_PENDING;
    if (dst == TARGET && port == 22)
        f->streams[h].st = PKTIO_STREAM_OPEN;
    else if (dst == TARGET && port == 80)
        f->streams[h].st = PKTIO_STREAM_REFUSED;
    else if (dst == TARGET && port == 113) {
        f->streams[h].st = PKTIO_STREAM_UNREACH;
        f->streams[h].type = ICMP_UNREACH;
        f->streams[h].code = ICMP_ADMIN_PROHIB;
    }
    return h;
}

static enum pktio_stream fk_poll(struct pktio *io, int h, uint8_t *type, uint8_t *code)
{
    struct fake *f = io->ctx;
    assert_false(f->streams[h].closed);
    if (f->now < f->streams[h].ready)
        return PKTIO_STREAM_PENDING;
    *type = f->streams[h].type;
    *code = f->streams[h].code;
    return f->streams[h].st;
}

static void fk_sclose(struct pktio *io, int h)
{
    struct fake *f = io->ctx;
    f->streams[h].closed = true;
}

static void fk_close(struct pktio *io) { (void)io; }

static const struct pktio_ops fk_ops = {
    .name = "fake", .send = fk_send, .recv = fk_recv, .now = fk_now,
    .stream_connect = fk_connect, .stream_poll = fk_poll, .stream_close = fk_sclose,
    .close = fk_close,
};

struct fixture {
    struct fake f;
    struct pktio io;
    struct scan_config cfg;
    struct scan_report rep;
    char logs[16][200];         /* the log sink's first lines */
    int nlogs;
};

static void fx_log(void *ctx, const char *line)
{
    struct fixture *x = ctx;
    if (x->nlogs < 16)
        snprintf(x->logs[x->nlogs], sizeof x->logs[0], "%s", line);
    x->nlogs++;
}

static struct fixture *fx_new(void)
{
    struct fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f.q = calloc(FK_MAXQ, sizeof *x->f.q);
    x->f.log = calloc(FK_MAXLOG, sizeof *x->f.log);
    x->f.now = 5 * MS;
    x->f.hash = 0xcbf29ce484222325ULL;
    x->io = (struct pktio){ .ops = &fk_ops, .ctx = &x->f, .src_addr = SCANNER, .is_sim = true };
    scan_config_init(&x->cfg);
    x->cfg.seed = 42;
    x->cfg.log = fx_log;
    x->cfg.log_ctx = x;
    return x;
}

static void fx_free(struct fixture *x)
{
    scan_report_free(&x->rep);
    free(x->f.q);
    free(x->f.log);
    free(x);
}

static void fx_run(struct fixture *x)
{
    char err[256] = "";
    int rc = scan_run(&x->cfg, &x->io, &x->rep, err, sizeof err);
    if (rc != 0)
        fail_msg("scan_run: %s", err);
}

static const struct port_result *fx_port(const struct scan_report *r, uint32_t host,
                                         uint8_t proto, uint16_t port)
{
    for (size_t h = 0; h < r->nhosts; h++)
        for (size_t i = 0; r->hosts[h].addr == host && i < r->hosts[h].nports; i++)
            if (r->hosts[h].ports[i].port == port && r->hosts[h].ports[i].proto == proto)
                return &r->hosts[h].ports[i];
    fail_msg("port %u not in report", port);
    return NULL;
}

static int fx_probes(const struct fake *f, uint32_t dst, uint8_t proto, uint16_t port)
{
    int n = 0;
    for (size_t i = 0; i < f->nlog; i++)
        if (f->log[i].dst == dst && f->log[i].proto == proto && f->log[i].dport == port)
            n++;
    return n;
}

/* Probes to (TARGET, tcp, port) that were the port's own tries, not timing pings: their
 * source ports are the first one's + 0..51 (pings use + 52..63). */
static int fx_tries(const struct fake *f, uint16_t port)
{
    int n = 0;
    uint16_t first = 0;
    for (size_t i = 0; i < f->nlog; i++) {
        const struct fk_sent *s = &f->log[i];
        if (s->dst != TARGET || s->proto != 6 || s->dport != port)
            continue;
        if (n == 0)
            first = s->sport;
        if (s->sport - first < 52)
            n++;
    }
    return n;
}

static void fx_expect(const struct scan_report *r, uint16_t port, uint8_t state, uint8_t reason)
{
    const struct port_result *p = fx_port(r, TARGET, 6, port);
    if (p->state != state || p->reason != reason)
        fail_msg("port %u: state %d reason %d, want %d %d", port, p->state, p->reason, state,
                 reason);
}

static const uint16_t PORTS[] = { 22, 80, 443, 113 };
static uint32_t TGT[] = { IP4(198, 51, 100, 30) };

static void fx_pn(struct fixture *x, enum scan_type t, const uint16_t *ports, size_t n)
{
    x->cfg.tcp_scan = t;
    x->cfg.targets = TGT;
    x->cfg.ntargets = 1;
    x->cfg.tcp_ports = ports;
    x->cfg.ntcp_ports = n;
    x->cfg.disc.no_ping = true;
}

/* -sS: open syn-ack, closed reset, silent filtered (exactly 2 probes), 3/13 from a router
 * filtered admin-prohibited with reason_ip, and a forged SYN/ACK ignored. */
static void test_syn_states(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    x->f.forge = true;
    fx_pn(x, SCAN_SYN, PORTS, 4);
    fx_run(x);
    fx_expect(&x->rep, 22, PORT_OPEN, RS_SYN_ACK);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    fx_expect(&x->rep, 443, PORT_FILTERED, RS_NO_RESPONSE);
    fx_expect(&x->rep, 113, PORT_FILTERED, RS_ADMIN_PROHIBITED);
    assert_int_equal(fx_port(&x->rep, TARGET, 6, 113)->reason_ip, ROUTER);
    assert_int_equal(fx_port(&x->rep, TARGET, 6, 113)->reason_ttl, 250);
    assert_int_equal(fx_port(&x->rep, TARGET, 6, 22)->reason_ttl, 64);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 2);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 22), 1);
    assert_false(x->f.forge);   /* the forged reply was really sent */
    /* Ports sorted; the host is up by -Pn; timing recorded from real samples (2 ms). */
    const struct host_result *h = &x->rep.hosts[0];
    assert_true(h->up);
    assert_int_equal(h->up_reason, RS_USER_SET);
    assert_int_equal(h->nports, 4);
    assert_int_equal(h->ports[0].port, 22);
    assert_int_equal(h->ports[3].port, 443);
    assert_int_equal(h->srtt_ns, 2 * MS);
    assert_int_equal(h->timeout_ns, 100 * MS);   /* 2 + 4*5 ms, clamped to min 100 ms */
    assert_string_equal(x->rep.scan_type, "syn");
    /* Probes: window 1024, MSS only, TTL 37..59. */
    for (size_t i = 0; i < x->f.nlog; i++)
        assert_in_range(x->f.log[i].ttl, 37, 59);
    fx_free(x);
}

/* A reply to a retransmission raises the cap: silent ports then get max_retries + 1. */
static void test_retry_cap(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 8080, 443, 22 };
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 3);
    x->cfg.timing.max_retries = 2;
    fx_run(x);
    fx_expect(&x->rep, 8080, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 8080), 2);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 3);
    fx_free(x);

    x = fx_new();   /* --max-retries 0: one probe each, the lost one stays filtered */
    fx_pn(x, SCAN_SYN, ports, 3);
    x->cfg.timing.max_retries = 0;
    fx_run(x);
    fx_expect(&x->rep, 8080, PORT_FILTERED, RS_NO_RESPONSE);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 1);
    fx_free(x);
}

/* A reply after its probe timed out (150 ms > 100 ms) still counts. */
static void test_late_reply(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 22, 8443 };
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 2);
    fx_run(x);
    fx_expect(&x->rep, 8443, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 8443), 1);
    fx_free(x);
}

struct type_case {
    enum scan_type t;
    uint8_t s22, r22, s80, r80, s443, s113;
};

/* Every raw TCP scan type against the same four ports, nmap.md section 1's table. */
static void test_all_tcp_types(void **state)
{
    (void)state;
    static const struct type_case cases[] = {
        { SCAN_SYN, PORT_OPEN, RS_SYN_ACK, PORT_CLOSED, RS_RESET, PORT_FILTERED, PORT_FILTERED },
        { SCAN_ACK, PORT_UNFILTERED, RS_RESET, PORT_UNFILTERED, RS_RESET, PORT_FILTERED, PORT_FILTERED },
        { SCAN_WINDOW, PORT_OPEN, RS_RESET, PORT_CLOSED, RS_RESET, PORT_FILTERED, PORT_FILTERED },
        /* Linux (and this fake) answers FIN/ACK with RST even at an open port. */
        { SCAN_MAIMON, PORT_CLOSED, RS_RESET, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_FIN, PORT_OPEN_FILTERED, RS_NO_RESPONSE, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_NULL, PORT_OPEN_FILTERED, RS_NO_RESPONSE, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_XMAS, PORT_OPEN_FILTERED, RS_NO_RESPONSE, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_CONNECT, PORT_OPEN, RS_SYN_ACK, PORT_CLOSED, RS_CONN_REFUSED, PORT_FILTERED, PORT_FILTERED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct type_case *c = &cases[i];
        struct fixture *x = fx_new();
        fx_pn(x, c->t, PORTS, 4);
        fx_run(x);
        fx_expect(&x->rep, 22, c->s22, c->r22);
        fx_expect(&x->rep, 80, c->s80, c->r80);
        assert_int_equal(fx_port(&x->rep, TARGET, 6, 443)->state, c->s443);
        assert_int_equal(fx_port(&x->rep, TARGET, 6, 443)->reason, RS_NO_RESPONSE);
        /* -sT sees Linux's errno for 3/13: EHOSTUNREACH, so nmap says host-unreach. */
        fx_expect(&x->rep, 113, c->s113,
                  c->t == SCAN_CONNECT ? RS_HOST_UNREACH : RS_ADMIN_PROHIBITED);
        assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 2);
        assert_string_equal(x->rep.scan_type, scan_type_name(c->t));
        fx_free(x);
    }
}

/* -sU: ICMP 3/3 from the target -> closed; a UDP answer -> open; silence -> open|filtered.
 * Payloads: DNS gets a query, port 9999 an empty datagram. */
static void test_udp(void **state)
{
    (void)state;
    static const uint16_t uports[] = { 53, 161, 9999 };
    struct fixture *x = fx_new();
    x->cfg.tcp_scan = SCAN_NONE;
    x->cfg.udp_scan = true;
    x->cfg.targets = TGT;
    x->cfg.ntargets = 1;
    x->cfg.udp_ports = uports;
    x->cfg.nudp_ports = 3;
    x->cfg.disc.no_ping = true;
    fx_run(x);
    const struct port_result *p = fx_port(&x->rep, TARGET, 17, 53);
    assert_int_equal(p->state, PORT_CLOSED);
    assert_int_equal(p->reason, RS_PORT_UNREACH);
    assert_int_equal(p->reason_ip, 0);
    p = fx_port(&x->rep, TARGET, 17, 161);
    assert_int_equal(p->state, PORT_OPEN);
    assert_int_equal(p->reason, RS_UDP_RESPONSE);
    p = fx_port(&x->rep, TARGET, 17, 9999);
    assert_int_equal(p->state, PORT_OPEN_FILTERED);
    assert_int_equal(p->reason, RS_NO_RESPONSE);
    assert_int_equal(fx_probes(&x->f, TARGET, 17, 9999), 2);
    assert_string_equal(x->rep.scan_type, "udp");
    size_t n;
    assert_non_null(scan_udp_payload(53, &n));
    assert_int_equal(n, 30);
    assert_null(scan_udp_payload(9999, &n));
    assert_int_equal(n, 0);
    fx_free(x);
}

/* The ICMP table itself: codes 0,1,2,9,10,13 and type 11 filtered; 3 depends on protocol
 * and source; 4 ignored. */
static void test_icmp_table(void **state)
{
    (void)state;
    struct scan_verdict v;
    static const struct { uint8_t type, code, reason; } rows[] = {
        { 3, 0, RS_NET_UNREACH }, { 3, 1, RS_HOST_UNREACH }, { 3, 2, RS_PROTO_UNREACH },
        { 3, 9, RS_NET_PROHIBITED }, { 3, 10, RS_HOST_PROHIBITED },
        { 3, 13, RS_ADMIN_PROHIBITED }, { 11, 0, RS_TIME_EXCEEDED },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_true(scan_icmp_verdict(17, rows[i].type, rows[i].code, true, &v));
        assert_int_equal(v.state, PORT_FILTERED);
        assert_int_equal(v.reason, rows[i].reason);
    }
    assert_true(scan_icmp_verdict(6, 3, 3, true, &v));
    assert_int_equal(v.state, PORT_FILTERED);
    assert_true(scan_icmp_verdict(17, 3, 3, false, &v));
    assert_int_equal(v.state, PORT_FILTERED);
    assert_true(scan_icmp_verdict(17, 3, 3, true, &v));
    assert_int_equal(v.state, PORT_CLOSED);
    assert_false(scan_icmp_verdict(6, 3, 4, true, &v));
    /* Conflicting replies. */
    assert_false(scan_state_may_change(PORT_OPEN, PORT_CLOSED, false));
    assert_false(scan_state_may_change(PORT_CLOSED, PORT_FILTERED, false));
    assert_true(scan_state_may_change(PORT_CLOSED, PORT_OPEN, false));
    assert_false(scan_state_may_change(PORT_UNFILTERED, PORT_FILTERED, false));
    assert_true(scan_state_may_change(PORT_UNFILTERED, PORT_CLOSED, false));
    assert_true(scan_state_may_change(PORT_OPEN_FILTERED, PORT_CLOSED, false));
    assert_true(scan_state_may_change(PORT_FILTERED, PORT_OPEN, false));
    /* Scans where silence means open|filtered (nmap's noresp_open_scan): open may change,
     * closed never does, filtered never becomes open. */
    assert_true(scan_state_may_change(PORT_OPEN, PORT_CLOSED, true));
    assert_false(scan_state_may_change(PORT_CLOSED, PORT_OPEN, true));
    assert_false(scan_state_may_change(PORT_FILTERED, PORT_OPEN, true));
    assert_true(scan_state_may_change(PORT_FILTERED, PORT_CLOSED, true));
    assert_true(scan_state_may_change(PORT_OPEN_FILTERED, PORT_OPEN, true));
    /* Registry. */
    assert_ptr_equal(scan_ops_by_flag('X'), &scan_xmas);
    assert_ptr_equal(scan_ops_by_name("maimon"), &scan_maimon);
    assert_null(scan_ops_by_name("idle"));
    assert_int_equal(scan_type_by_flag('U'), SCAN_UDP);
}

/* Discovery with nmap's default probes: the target up by echo reply, the silent host down,
 * the host behind a TTL expiry down; -sn scans no ports. */
static void test_discovery(void **state)
{
    (void)state;
    static uint32_t tg[] = { IP4(198, 51, 100, 30), IP4(198, 51, 100, 31),
                             IP4(198, 51, 100, 32) };
    struct fixture *x = fx_new();
    x->cfg.targets = tg;
    x->cfg.ntargets = 3;
    x->cfg.tcp_ports = PORTS;
    x->cfg.ntcp_ports = 4;
    x->cfg.disc.ping_only = true;
    fx_run(x);
    assert_true(x->rep.hosts[0].up);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_ECHO_REPLY);
    assert_int_equal(x->rep.hosts[0].up_reason_ttl, 64);
    assert_int_equal(x->rep.hosts[0].srtt_ns, 2 * MS);
    assert_false(x->rep.hosts[1].up);
    assert_false(x->rep.hosts[2].up);
    assert_int_equal(x->rep.hosts[2].up_reason, RS_TIME_EXCEEDED);
    assert_int_equal(x->rep.hosts[0].nports, 0);
    assert_string_equal(x->rep.scan_type, "ping");
    /* Default probe set: echo, SYN 443, ACK 80, timestamp — to the silent host, 2 tries. */
    int echo = 0, syn443 = 0, ack80 = 0, ts = 0;
    for (size_t i = 0; i < x->f.nlog; i++) {
        const struct fk_sent *s = &x->f.log[i];
        if (s->dst != DOWNHOST)
            continue;
        syn443 += s->proto == 6 && s->dport == 443 && s->flags == TCP_SYN;
        ack80 += s->proto == 6 && s->dport == 80 && s->flags == TCP_ACK;
        echo += s->proto == 1;
    }
    (void)ts;
    assert_int_equal(syn443, 2);
    assert_int_equal(ack80, 2);
    assert_int_equal(echo, 4);   /* echo and timestamp, 2 tries each */
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 22), 0);
    fx_free(x);

    /* -PS22 only: up by syn-ack; then the port scan runs (no -sn). */
    static const uint16_t p22[] = { 22 };
    x = fx_new();
    x->cfg.targets = tg;
    x->cfg.ntargets = 2;
    x->cfg.tcp_ports = PORTS;
    x->cfg.ntcp_ports = 4;
    x->cfg.disc.ping_syn = true;
    x->cfg.disc.syn_ports = p22;
    x->cfg.disc.nsyn_ports = 1;
    fx_run(x);
    assert_true(x->rep.hosts[0].up);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_SYN_ACK);
    assert_int_equal(x->rep.hosts[0].nports, 4);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    assert_false(x->rep.hosts[1].up);
    assert_int_equal(x->rep.hosts[1].nports, 0);
    fx_free(x);

    /* -PA with no ports uses 80: a RST makes the host up (reset). */
    x = fx_new();
    x->cfg.targets = tg;
    x->cfg.ntargets = 1;
    x->cfg.disc.ping_only = true;
    x->cfg.disc.ping_ack = true;
    fx_run(x);
    assert_true(x->rep.hosts[0].up);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_RESET);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 80), 1);
    fx_free(x);
}

/* -sU conflicting replies: try 1 gets ICMP 3/3 (closed), then try 0's late UDP answer
 * arrives. In a scan whose silence means open|filtered nmap never moves a closed port. */
static void test_udp_conflict(void **state)
{
    (void)state;
    static const uint16_t uports[] = { 7 };
    struct fixture *x = fx_new();
    x->cfg.tcp_scan = SCAN_NONE;
    x->cfg.udp_scan = true;
    x->cfg.targets = TGT;
    x->cfg.ntargets = 1;
    x->cfg.udp_ports = uports;
    x->cfg.nudp_ports = 1;
    x->cfg.disc.no_ping = true;
    fx_run(x);
    const struct port_result *p = fx_port(&x->rep, TARGET, 17, 7);
    assert_int_equal(fx_probes(&x->f, TARGET, 17, 7), 2);
    assert_int_equal(p->state, PORT_CLOSED);
    assert_int_equal(p->reason, RS_PORT_UNREACH);
    fx_free(x);
}

/* A reply to a retransmitted try counts for 10 * min(1 s, timeout) after that try was sent
 * (nmap's probeExpireTime): 10 s here, with the initial 1 s timeout. Silent ports sent one
 * at a time keep the scan running for about 30 s. */
static void test_late_window(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 9000, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007,
                                      1008, 1009, 1010, 1011, 1012, 1013, 1014 };
    static const struct { uint64_t late; uint8_t st, rs; } cases[] = {
        { 9500 * MS, PORT_OPEN, RS_SYN_ACK },
        { 10500 * MS, PORT_FILTERED, RS_NO_RESPONSE },
    };
    for (size_t i = 0; i < 2; i++) {
        struct fixture *x = fx_new();
        fx_pn(x, SCAN_SYN, ports, sizeof ports / sizeof ports[0]);
        x->cfg.timing.max_parallelism = 1;
        x->f.late9000 = cases[i].late;
        fx_run(x);
        assert_int_equal(fx_tries(&x->f, 9000), 2);
        fx_expect(&x->rep, 9000, cases[i].st, cases[i].rs);
        fx_free(x);
    }
}

/* -sT reads connect()'s errno as Linux derives it from the ICMP error, then nmap's
 * handleConnectResult: ETIMEDOUT and EHOSTDOWN are no verdict (the probe is retried). */
static void test_connect_errno(void **state)
{
    (void)state;
    static const struct { enum pktio_stream st; uint8_t type, code; bool ok; uint8_t s, r; } rows[] = {
        { PKTIO_STREAM_OPEN, 0, 0, true, PORT_OPEN, RS_SYN_ACK },
        { PKTIO_STREAM_REFUSED, 0, 0, true, PORT_CLOSED, RS_CONN_REFUSED },
        { PKTIO_STREAM_UNREACH, 3, 3, true, PORT_CLOSED, RS_CONN_REFUSED },
        { PKTIO_STREAM_UNREACH, 3, 0, true, PORT_FILTERED, RS_NET_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 1, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 2, true, PORT_FILTERED, RS_PROTO_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 8, true, PORT_FILTERED, RS_DEST_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 9, true, PORT_FILTERED, RS_NET_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 10, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 13, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 11, 0, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 0, 0, true, PORT_FILTERED, RS_ADMIN_PROHIBITED },
        { PKTIO_STREAM_UNREACH, 3, 7, false, 0, 0 },
        { PKTIO_STREAM_UNREACH, 3, 4, false, 0, 0 },
        { PKTIO_STREAM_TIMEDOUT, 0, 0, false, 0, 0 },
        { PKTIO_STREAM_PENDING, 0, 0, false, 0, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct scan_verdict v = { 0, 0 };
        bool ok = scan_connect.classify_stream(rows[i].st, rows[i].type, rows[i].code, &v);
        if (ok != rows[i].ok || (ok && (v.state != rows[i].s || v.reason != rows[i].r)))
            fail_msg("row %zu: ok %d state %d reason %d", i, ok, v.state, v.reason);
    }
    assert_string_equal(reason_name(RS_DEST_UNREACH), "dest-unreach");
}

static uint16_t many_ports[40];

/* --max-rate 50: on the virtual clock, never more than 1 + 50/s * elapsed probes. */
static void test_max_rate(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++)
        many_ports[i] = (uint16_t)(1000 + i);
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, many_ports, 40);
    x->cfg.timing.max_rate = 50;
    fx_run(x);
    assert_int_equal(x->f.nlog, 80);   /* every silent port: 2 probes */
    uint64_t t0 = x->f.log[0].t;
    for (size_t i = 0; i < x->f.nlog; i++) {
        double allowed = 1 + (double)(x->f.log[i].t - t0) * 50 / 1e9;
        assert_true((double)(i + 1) <= allowed + 1e-9);
    }
    /* 80 probes at 50/s take at least 1.58 s. */
    assert_true(x->f.log[79].t - t0 >= 1580 * MS);
    fx_free(x);
}

/* --min-rate 100 with one probe at a time and silent ports: the window would allow one
 * probe per second; the rate forces one every 10 ms. */
static void test_min_rate(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++)
        many_ports[i] = (uint16_t)(1000 + i);
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, many_ports, 40);
    x->cfg.timing.max_parallelism = 1;
    x->cfg.timing.min_rate = 100;
    fx_run(x);
    uint64_t t0 = x->f.log[0].t;
    for (size_t i = 0; i < 40; i++)   /* the 40 first tries */
        assert_true(x->f.log[i].t - t0 <= i * 10 * MS + 1);
    fx_free(x);

    x = fx_new();                     /* without it: one per timeout (1 s) */
    fx_pn(x, SCAN_SYN, many_ports, 3);
    x->cfg.timing.max_parallelism = 1;
    fx_run(x);
    assert_int_equal(x->f.log[1].t - x->f.log[0].t, 1000 * MS);
    fx_free(x);

    struct scan_report rep;
    char err[128];
    x = fx_new();
    fx_pn(x, SCAN_SYN, many_ports, 3);
    x->cfg.timing.min_rate = 100;
    x->cfg.timing.max_rate = 10;
    assert_int_equal(scan_run(&x->cfg, &x->io, &rep, err, sizeof err), -1);
    assert_non_null(strstr(err, "min-rate"));
    fx_free(x);
}

/* Same seed, same probes byte for byte; another seed, other cookies. */
static void test_deterministic(void **state)
{
    (void)state;
    uint64_t h[3];
    size_t n[3];
    for (int r = 0; r < 3; r++) {
        struct fixture *x = fx_new();
        fx_pn(x, SCAN_SYN, PORTS, 4);
        x->cfg.disc.no_ping = false;
        x->cfg.seed = r < 2 ? 7 : 8;
        fx_run(x);
        h[r] = x->f.hash;
        n[r] = x->f.nlog;
        fx_free(x);
    }
    assert_int_equal(n[0], n[1]);
    assert_true(h[0] == h[1]);
    assert_true(h[0] != h[2]);
}

/* --seq: six SYNs 100 ms apart to the open port, each SYN/ACK's ISN recorded. */
static void test_seq_probes(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, PORTS, 4);
    x->cfg.seq = true;
    fx_run(x);
    const struct seq_result *sq = &x->rep.hosts[0].seq;
    assert_int_equal(sq->nisn, 6);
    assert_int_equal(sq->isn[0], 1000022);
    assert_int_equal(sq->isn[5], 1000022);
    assert_int_equal(sq->gcd, 0);   /* a constant ISN */
    int n = 0;
    uint64_t first = 0;
    for (size_t i = 0; i < x->f.nlog; i++) {
        if (x->f.log[i].dport != 22 || x->f.log[i].flags != TCP_SYN)
            continue;
        if (n == 1)
            first = x->f.log[i].t;
        if (n == 6)
            assert_int_equal(x->f.log[i].t - first, 500 * MS);
        n++;
    }
    assert_int_equal(n, 7);   /* the port-scan probe and six SEQ probes */
    fx_free(x);
}

static uint16_t range_ports[512];

/* Fills range_ports with `first` followed by n ports from `base` on; returns the count. */
static size_t fx_range(uint16_t first, uint16_t base, size_t n)
{
    range_ports[0] = first;
    for (size_t i = 0; i < n; i++)
        range_ports[i + 1] = (uint16_t)(base + i);
    return n + 1;
}

/* The source ports of the probes to (TARGET, tcp, port), in send order. */
static size_t fx_sports(const struct fake *f, uint16_t port, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nlog && n < cap; i++)
        if (f->log[i].dst == TARGET && f->log[i].proto == 6 && f->log[i].dport == port)
            out[n++] = f->log[i].sport;
    return n;
}

/* Timing pings (nmap's doAnyPings): port 80 answered RST, then 100 silent ports. After
 * 1.25 s without a reply and 10 probes, port 80's SYN goes again with ping try 52 (source
 * port base + 52). (a) Its SYN/ACK only feeds timing: 80 stays closed/reset. (b) Lost pings
 * are drops: 11 of them against the one good reply raise the send delay (nmap.md 6). */
static void test_timing_ping(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(80, 1000, 100));
    x->f.mode80 = 1;
    fx_run(x);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    uint16_t sp[64];
    size_t n = fx_sports(&x->f, 80, sp, 64);
    assert_true(n >= 2);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(sp[i], sp[0] + 52 + (i - 1) % 12);
    assert_int_equal(x->nlogs, 0);   /* answered pings: no drops, no delay */
    fx_free(x);

    x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(80, 1000, 400));
    x->f.mode80 = 2;
    x->cfg.verbose = 1;
    fx_run(x);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    n = fx_sports(&x->f, 80, sp, 64);
    assert_true(n >= 12);   /* the port's probe and at least 11 pings */
    assert_true(x->nlogs >= 1);
    assert_string_equal(x->logs[0], "Increasing send delay for 198.51.100.30 from 0 to 5 due "
                                    "to 11 out of 12 dropped probes since last increase.");
    fx_free(x);
}

/* Send delay (nmap's boostScanDelay): every port loses its first probe, so each reply is
 * to a retransmission (a drop). The 11th drop boosts 0 -> 5 ms and both counters restart;
 * the next boost needs 11 drops of probes sent after it, not 12 in all. */
static void test_send_delay_reset(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(2000, 2001, 59));
    x->cfg.verbose = 1;
    fx_run(x);
    fx_expect(&x->rep, 2030, PORT_CLOSED, RS_RESET);
    assert_true(x->nlogs >= 2);
    assert_string_equal(x->logs[0], "Increasing send delay for 198.51.100.30 from 0 to 5 due "
                                    "to 11 out of 11 dropped probes since last increase.");
    const char *second = "Increasing send delay for 198.51.100.30 from 5 to 10 due to 11 out of ";
    assert_memory_equal(x->logs[1], second, strlen(second));
    fx_free(x);
}

/* --max-retries 0: the cap is hit at once, so a silent port is given up when its only probe
 * times out (nmap prints the warning once), and its SYN/ACK 3 s later no longer counts. */
static void test_cap_gives_up_at_once(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(9000, 1000, 15));
    x->cfg.timing.max_parallelism = 1;
    x->cfg.timing.max_retries = 0;
    x->f.late9000 = 3000 * MS;
    fx_run(x);
    fx_expect(&x->rep, 9000, PORT_FILTERED, RS_NO_RESPONSE);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 9000), 1);
    assert_int_equal(x->nlogs, 1);
    assert_string_equal(x->logs[0], "Warning: 198.51.100.30 giving up on port because "
                                    "retransmission cap hit (0).");
    fx_free(x);
}

/* A port whose late window ended waits on nmap's bench: when 8080's reply to its
 * retransmission raises the cap seconds later, 443 gets a third probe. */
static void test_bench_retry(void **state)
{
    (void)state;
    static uint16_t ports[33] = { 22, 443 };
    for (int i = 0; i < 30; i++)
        ports[2 + i] = (uint16_t)(1000 + i);
    ports[32] = 8080;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 33);
    x->cfg.timing.max_parallelism = 1;
    fx_run(x);
    fx_expect(&x->rep, 8080, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 8080), 2);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 3);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 1000), 3);
    fx_free(x);
}

/* A duplicate reply to a port that has its verdict still feeds the RTT estimate (nmap's
 * ultrascan_port_probe_update). Try 0 of 9000 is answered 2.5 s late (after try 1 left at
 * +2 s): srtt 2.5 s, rttvar 2 s. Try 1's answer 1 s after it: delta -1.5 s, so srtt =
 * 2.5 - 1.5/8 = 2.3125 s and rttvar = 2 + (1.5 - 2)/4 = 1.875 s. */
static void test_duplicate_rtt(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 9000, 1000, 1001 };   /* < 10 probes: no pings */
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 3);
    x->cfg.timing.max_parallelism = 1;
    x->f.late9000 = 2500 * MS;
    x->f.late9000_rest = 1000 * MS;
    fx_run(x);
    fx_expect(&x->rep, 9000, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_tries(&x->f, 9000), 2);
    assert_int_equal(x->rep.hosts[0].srtt_ns, 2312500000ULL);
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_states),  cmocka_unit_test(test_retry_cap),
        cmocka_unit_test(test_late_reply),  cmocka_unit_test(test_all_tcp_types),
        cmocka_unit_test(test_udp),         cmocka_unit_test(test_icmp_table),
        cmocka_unit_test(test_discovery),   cmocka_unit_test(test_max_rate),
        cmocka_unit_test(test_min_rate),    cmocka_unit_test(test_deterministic), cmocka_unit_test(test_seq_probes),
        cmocka_unit_test(test_udp_conflict), cmocka_unit_test(test_late_window),
        cmocka_unit_test(test_connect_errno),
        cmocka_unit_test(test_timing_ping), cmocka_unit_test(test_send_delay_reset),
        cmocka_unit_test(test_cap_gives_up_at_once), cmocka_unit_test(test_bench_retry),
        cmocka_unit_test(test_duplicate_rtt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
