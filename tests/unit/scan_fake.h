/* scan_fake.h — the scripted fake pktio backend and fixture shared by the scan engine's
 * tests (test_scan_engine.c: states, reasons, scan types, discovery; test_scan_timing.c:
 * rates, timing pings, send delay, retries). A virtual clock, written here so the engine is
 * tested without the simulator. The fake target 198.51.100.30 answers like a Linux host
 * behind a partial firewall; every expected state and reason is nmap's (docs/facts/nmap.md sections
 * 1, 2 and 6). Header-only (static inline) so each test stays one program.
 */
#ifndef TCPLAB_TEST_SCAN_FAKE_H
#define TCPLAB_TEST_SCAN_FAKE_H

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
#include "tests/unit/fake_queue.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MS 1000000ULL

static const uint32_t SCANNER = IP4(198, 51, 100, 10);
static const uint32_t TARGET = IP4(198, 51, 100, 30);
static const uint32_t DOWNHOST = IP4(198, 51, 100, 31);
static const uint32_t TTLHOST = IP4(198, 51, 100, 32);
static const uint32_t ROUTER = IP4(198, 51, 100, 1);

enum { FK_MAXQ = 4096, FK_MAXLOG = 8192, FK_MAXSTREAM = 256 };

struct fk_sent {
    uint64_t t;
    uint32_t dst;
    uint16_t dport, sport;
    uint8_t proto, flags, ttl;
};

struct fake {
    uint64_t now;
    struct fakeq_ent *q;
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

static inline void fk_push(struct fake *f, uint64_t t, const uint8_t *b, size_t len)
{
    assert_true(f->nq < FK_MAXQ && len <= sizeof f->q[0].b);
    f->q[f->nq].t = t;
    f->q[f->nq].len = len;
    memcpy(f->q[f->nq].b, b, len);
    f->nq++;
}

static inline void fk_tcp_reply(struct fake *f, uint64_t at, const struct wire_pkt *p, uint8_t flags,
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

static inline void fk_icmp_err(struct fake *f, uint64_t at, uint32_t from, const uint8_t *probe,
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
static inline void fk_target_tcp(struct fake *f, const struct wire_pkt *p, const uint8_t *d, size_t len)
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

static inline void fk_target(struct fake *f, const struct wire_pkt *p, const uint8_t *d, size_t len)
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

static inline int fk_send(struct pktio *io, const uint8_t *d, size_t len)
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

static inline int fk_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t,
                   uint64_t deadline)
{
    struct fake *f = io->ctx;
    size_t best = fakeq_due(f->q, f->nq, &f->now, deadline);
    if (best == SIZE_MAX)
        return 0;
    assert_true(f->q[best].len <= cap);
    memcpy(buf, f->q[best].b, f->q[best].len);
    *len = f->q[best].len;
    *t = f->now;
    memmove(&f->q[best], &f->q[best + 1], (f->nq - best - 1) * sizeof f->q[0]);
    f->nq--;
    return 1;
}

static inline uint64_t fk_now(struct pktio *io) { return ((struct fake *)io->ctx)->now; }

static inline int fk_connect(struct pktio *io, uint32_t dst, uint16_t port)
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

static inline enum pktio_stream fk_poll(struct pktio *io, int h, uint8_t *type, uint8_t *code)
{
    struct fake *f = io->ctx;
    assert_false(f->streams[h].closed);
    if (f->now < f->streams[h].ready)
        return PKTIO_STREAM_PENDING;
    *type = f->streams[h].type;
    *code = f->streams[h].code;
    return f->streams[h].st;
}

static inline void fk_sclose(struct pktio *io, int h)
{
    struct fake *f = io->ctx;
    f->streams[h].closed = true;
}

static inline void fk_close(struct pktio *io) { (void)io; }

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

static inline void fx_log(void *ctx, const char *line)
{
    struct fixture *x = ctx;
    if (x->nlogs < 16)
        snprintf(x->logs[x->nlogs], sizeof x->logs[0], "%s", line);
    x->nlogs++;
}

static inline struct fixture *fx_new(void)
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

static inline void fx_free(struct fixture *x)
{
    scan_report_free(&x->rep);
    free(x->f.q);
    free(x->f.log);
    free(x);
}

static inline void fx_run(struct fixture *x)
{
    char err[256] = "";
    int rc = scan_run(&x->cfg, &x->io, &x->rep, err, sizeof err);
    if (rc != 0)
        fail_msg("scan_run: %s", err);
}

static inline const struct port_result *fx_port(const struct scan_report *r, uint32_t host,
                                         uint8_t proto, uint16_t port)
{
    for (size_t h = 0; h < r->nhosts; h++)
        for (size_t i = 0; r->hosts[h].addr == host && i < r->hosts[h].nports; i++)
            if (r->hosts[h].ports[i].port == port && r->hosts[h].ports[i].proto == proto)
                return &r->hosts[h].ports[i];
    fail_msg("port %u not in report", port);
    return NULL;
}

static inline int fx_probes(const struct fake *f, uint32_t dst, uint8_t proto, uint16_t port)
{
    int n = 0;
    for (size_t i = 0; i < f->nlog; i++)
        if (f->log[i].dst == dst && f->log[i].proto == proto && f->log[i].dport == port)
            n++;
    return n;
}

/* Probes to (TARGET, tcp, port) that were the port's own tries, not timing pings: their
 * source ports are the first one's + 0..51 (pings use + 52..63). */
static inline int fx_tries(const struct fake *f, uint16_t port)
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

static inline void fx_expect(const struct scan_report *r, uint16_t port, uint8_t state, uint8_t reason)
{
    const struct port_result *p = fx_port(r, TARGET, 6, port);
    if (p->state != state || p->reason != reason)
        fail_msg("port %u: state %d reason %d, want %d %d", port, p->state, p->reason, state,
                 reason);
}

static uint32_t TGT[] = { IP4(198, 51, 100, 30) };

/* A TCP scan of type t alone (-Pn) of the given ports on the target. */
static inline void fx_pn(struct fixture *x, enum scan_type t, const uint16_t *ports, size_t n)
{
    x->cfg.tcp_scan = t;
    x->cfg.targets = TGT;
    x->cfg.ntargets = 1;
    x->cfg.tcp_ports = ports;
    x->cfg.ntcp_ports = n;
    x->cfg.disc.no_ping = true;
}

/* -sU alone (-Pn) of the given ports on the target. */
static inline void fx_pn_udp(struct fixture *x, const uint16_t *ports, size_t n)
{
    x->cfg.tcp_scan = SCAN_NONE;
    x->cfg.udp_scan = true;
    x->cfg.targets = TGT;
    x->cfg.ntargets = 1;
    x->cfg.udp_ports = ports;
    x->cfg.nudp_ports = n;
    x->cfg.disc.no_ping = true;
}

#endif
