/* test_idle.c — the idle scan (scanner/idle.c, nmap's idle_scan.cc; docs/facts/nmap.md section 3)
 * against a fake network written here: a pktio with a virtual clock and an event queue, 1 ms
 * one-way delay on every hop. Zombies answer every SYN|ACK with a RST whose IP ID comes from
 * their generator (global counter, by 2, byte-swapped, random, all zeros, per destination,
 * silent, or a global counter with background traffic); the target answers forged SYNs to
 * its open ports with a SYN/ACK to the zombie, which costs the zombie one ID. Closed and
 * filtered ports cost it nothing, as in RFC 793 3.4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/wire.h"
#include "scanner/engine.h"
#include "scanner/idle.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MS 1000000ULL

static const uint32_t SCANNER = IP4(198, 51, 100, 10);
static const uint32_t TARGET = IP4(198, 51, 100, 30);
static const uint32_t TARGET2 = IP4(198, 51, 100, 31);

enum zkind { Z_GLOBAL, Z_BY2, Z_SWAPPED, Z_RANDOM, Z_ZERO, Z_PERHOST, Z_DEAD, Z_NOISY, Z_N };
static const uint32_t ZADDR[Z_N] = {
    IP4(198, 51, 100, 20), IP4(198, 51, 100, 21), IP4(198, 51, 100, 22), IP4(198, 51, 100, 23),
    IP4(198, 51, 100, 24), IP4(198, 51, 100, 25), IP4(198, 51, 100, 26), IP4(198, 51, 100, 27),
};

enum { FK_MAXEV = 8192, FK_MAXLOG = 20000 };

/* An event: a datagram reaching the scanner, or a SYN|ACK reaching a zombie. */
struct fk_event {
    uint64_t t;
    uint64_t order;             /* ties: first scheduled first */
    bool to_zombie;
    int zombie;
    uint32_t from;              /* to_zombie: who sent the SYN|ACK (the RST goes there) */
    uint16_t sport, dport;
    uint32_t ack;
    size_t len;
    uint8_t b[64];              /* !to_zombie: the datagram */
};

struct fk_sent {
    uint64_t t;
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t flags, proto;
    uint32_t seq;
    bool mss1460;
};

struct fake {
    uint64_t now, nextorder;
    struct fk_event *ev;
    size_t nev;
    struct fk_sent *log;
    size_t nlog;
    uint64_t hash;
    uint32_t counter[Z_N];      /* the zombie's IP-ID counter (to the scanner for PERHOST) */
    uint32_t counter_other;     /* PERHOST: the counter for every other destination */
    uint32_t lcg;               /* Z_RANDOM */
    int drop_qual_reply;        /* drop the zombie's reply to this qualification probe (1..6) */
    int zreplies;               /* RSTs the zombies sent to the scanner */
    uint64_t noise_period;      /* Z_NOISY: one packet of its own this often */
};

static bool fk_open_port(uint32_t host, uint16_t port)
{
    if (host == TARGET)
        return port == 22 || port == 25 || port == 80 || port == 443;
    if (host == TARGET2)
        return port == 8080;
    return false;
}

static int fk_zombie_of(uint32_t addr)
{
    for (int z = 0; z < Z_N; z++)
        if (ZADDR[z] == addr)
            return z;
    return -1;
}

static void fk_schedule(struct fake *f, const struct fk_event *e)
{
    assert_true(f->nev < FK_MAXEV);
    f->ev[f->nev] = *e;
    f->ev[f->nev].order = f->nextorder++;
    f->nev++;
}

static uint16_t fk_swap(uint16_t x) { return (uint16_t)(x >> 8 | x << 8); }

/* The IP ID of the zombie's next datagram to `dst` at time t. */
static uint16_t fk_next_id(struct fake *f, int z, uint32_t dst, uint64_t t)
{
    switch (z) {
    case Z_GLOBAL: return (uint16_t)f->counter[z]++;
    case Z_BY2: f->counter[z] += 2; return (uint16_t)f->counter[z];
    case Z_SWAPPED: return fk_swap((uint16_t)f->counter[z]++);
    case Z_RANDOM: f->lcg = f->lcg * 1103515245u + 12345u; return (uint16_t)(f->lcg >> 16);
    case Z_ZERO: return 0;
    case Z_PERHOST: return (uint16_t)(dst == SCANNER ? f->counter[z]++ : f->counter_other++);
    case Z_NOISY: return (uint16_t)(f->counter[z]++ + t / f->noise_period);
    default: return 0;
    }
}

/* A SYN|ACK (or the target's SYN/ACK) reaches zombie z: RFC 793 says RST. */
static void fk_zombie_rx(struct fake *f, const struct fk_event *e)
{
    if (e->zombie == Z_DEAD)
        return;
    uint16_t id = fk_next_id(f, e->zombie, e->from, e->t);
    if (e->from != SCANNER)
        return;   /* the RST went to the target (or the spoofed source): counted, not seen */
    f->zreplies++;
    if (f->drop_qual_reply && f->zreplies == f->drop_qual_reply)
        return;
    struct fk_event r = { .t = e->t + MS };
    struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_TCP, .id = id, .src = ZADDR[e->zombie],
                            .dst = SCANNER };
    struct wire_tcp tcp = { .sport = e->dport, .dport = e->sport, .seq = e->ack,
                            .flags = TCP_RST };
    r.len = wire_emit_tcp(r.b, sizeof r.b, &ip, &tcp);
    assert_true(r.len > 0);
    fk_schedule(f, &r);
}

static void fk_log(struct fake *f, const struct wire_pkt *p, const uint8_t *d, size_t len)
{
    assert_true(f->nlog < FK_MAXLOG);
    struct fk_sent *s = &f->log[f->nlog++];
    *s = (struct fk_sent){ .t = f->now, .src = p->ip.src, .dst = p->ip.dst, .proto = p->ip.proto };
    if (p->ip.proto == WIRE_PROTO_TCP) {
        s->sport = p->l4.tcp.sport;
        s->dport = p->l4.tcp.dport;
        s->flags = p->l4.tcp.flags;
        s->seq = p->l4.tcp.seq;
        s->mss1460 = p->l4.tcp.opt.has_mss && p->l4.tcp.opt.mss == 1460;
    }
    for (size_t i = 0; i < len; i++)
        f->hash = (f->hash ^ d[i]) * 0x100000001b3ULL;
}

static int fk_send(struct pktio *io, const uint8_t *d, size_t len)
{
    struct fake *f = io->ctx;
    struct wire_pkt p;
    assert_int_equal(wire_parse(d, len, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_OK);
    fk_log(f, &p, d, len);
    if (p.ip.proto == WIRE_PROTO_ICMP && p.l4.icmp.type == ICMP_ECHO &&
        (p.ip.dst == TARGET || p.ip.dst == TARGET2)) {
        struct fk_event r = { .t = f->now + 2 * MS };
        struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_ICMP, .src = p.ip.dst,
                                .dst = SCANNER };
        struct wire_icmp ic = { .type = ICMP_ECHO_REPLY, .id = p.l4.icmp.id,
                                .seq = p.l4.icmp.seq };
        r.len = wire_emit_icmp(r.b, sizeof r.b, &ip, &ic);
        fk_schedule(f, &r);
        return 0;
    }
    if (p.ip.proto != WIRE_PROTO_TCP)
        return 0;
    const struct wire_tcp *t = &p.l4.tcp;
    int z = fk_zombie_of(p.ip.dst);
    if (z >= 0 && (t->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
        struct fk_event e = { .t = f->now + MS, .to_zombie = true, .zombie = z,
                              .from = p.ip.src, .sport = t->sport, .dport = t->dport,
                              .ack = t->ack };
        fk_schedule(f, &e);
        return 0;
    }
    int from = fk_zombie_of(p.ip.src);
    if (from >= 0 && t->flags == TCP_SYN && fk_open_port(p.ip.dst, t->dport)) {
        /* the target's SYN/ACK reaches the zombie 2 ms after our forged SYN left */
        struct fk_event e = { .t = f->now + 2 * MS, .to_zombie = true, .zombie = from,
                              .from = p.ip.dst, .sport = t->dport, .dport = t->sport,
                              .ack = t->seq + 1 };
        fk_schedule(f, &e);
    }
    return 0;
}

static int fk_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t,
                   uint64_t deadline)
{
    struct fake *f = io->ctx;
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < f->nev; i++)
            if (f->ev[i].t <= deadline &&
                (best == SIZE_MAX || f->ev[i].t < f->ev[best].t ||
                 (f->ev[i].t == f->ev[best].t && f->ev[i].order < f->ev[best].order)))
                best = i;
        if (best == SIZE_MAX) {
            if (deadline > f->now)
                f->now = deadline;
            return 0;
        }
        struct fk_event e = f->ev[best];
        f->ev[best] = f->ev[--f->nev];
        if (e.t > f->now)
            f->now = e.t;
        if (e.to_zombie) {
            fk_zombie_rx(f, &e);
            continue;
        }
        assert_true(e.len <= cap);
        memcpy(buf, e.b, e.len);
        *len = e.len;
        *t = f->now;
        return 1;
    }
}

static uint64_t fk_now(struct pktio *io) { return ((struct fake *)io->ctx)->now; }
static void fk_close(struct pktio *io) { (void)io; }

static const struct pktio_ops fk_ops = {
    .name = "fake", .send = fk_send, .recv = fk_recv, .now = fk_now, .close = fk_close,
};

/* --- fixture ------------------------------------------------------------------------------ */

struct fixture {
    struct fake f;
    struct pktio io;
    struct scan_config cfg;
    struct scan_report rep;
    uint16_t ports[200];
    uint32_t targets[2];
    char log[64][512];
    int nlog;
    char err[512];
};

static void fx_log(void *ctx, const char *line)
{
    struct fixture *x = ctx;
    if (x->nlog < 64)
        snprintf(x->log[x->nlog++], sizeof x->log[0], "%s", line);
}

/* Zombie z, -Pn, ports 1..100 and 443 in a fixed shuffled order, target TARGET. */
static struct fixture *fx_new(int z)
{
    struct fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f.ev = calloc(FK_MAXEV, sizeof *x->f.ev);
    x->f.log = calloc(FK_MAXLOG, sizeof *x->f.log);
    assert_non_null(x->f.ev);
    assert_non_null(x->f.log);
    x->f.now = 5 * MS;
    x->f.hash = 0xcbf29ce484222325ULL;
    x->f.lcg = 7;
    x->f.noise_period = 3000 * MS;
    for (int i = 0; i < Z_N; i++)
        x->f.counter[i] = 1000;
    x->f.counter_other = 30000;
    x->io = (struct pktio){ .ops = &fk_ops, .ctx = &x->f, .src_addr = SCANNER, .is_sim = true };
    for (int i = 0; i < 100; i++)
        x->ports[i] = (uint16_t)(1 + (i * 37) % 100);   /* a permutation of 1..100 */
    x->ports[100] = 443;
    x->targets[0] = TARGET;
    x->targets[1] = TARGET2;
    scan_config_init(&x->cfg);
    x->cfg.seed = 42;
    x->cfg.targets = x->targets;
    x->cfg.ntargets = 1;
    x->cfg.tcp_ports = x->ports;
    x->cfg.ntcp_ports = 101;
    x->cfg.disc.no_ping = true;
    x->cfg.idle_scan = true;
    x->cfg.idle_zombie = ZADDR[z];
    x->cfg.idle_zombie_name = "zombie";
    x->cfg.log = fx_log;
    x->cfg.log_ctx = x;
    return x;
}

static void fx_free(struct fixture *x)
{
    scan_report_free(&x->rep);
    free(x->f.ev);
    free(x->f.log);
    free(x);
}

static int fx_run(struct fixture *x)
{
    return scan_run(&x->cfg, &x->io, &x->rep, x->err, sizeof x->err);
}

static bool fx_logged(const struct fixture *x, const char *line)
{
    for (int i = 0; i < x->nlog; i++)
        if (!strcmp(x->log[i], line))
            return true;
    return false;
}

/* Every scanned port of host h: open exactly where want_open says, with nmap's reasons. */
static void fx_expect_open(const struct fixture *x, size_t h, uint32_t host)
{
    const struct host_result *r = &x->rep.hosts[h];
    assert_int_equal(r->addr, host);
    assert_true(r->up);
    assert_int_equal(r->nports, x->cfg.ntcp_ports);
    for (size_t i = 0; i < r->nports; i++) {
        const struct port_result *p = &r->ports[i];
        bool want = fk_open_port(host, p->port);
        if (want != (p->state == PORT_OPEN))
            fail_msg("port %u: state %d", p->port, p->state);
        assert_int_equal(p->proto, 6);
        assert_int_equal(p->reason, want ? RS_IPID_CHANGE : RS_NO_IPID_CHANGE);
        if (!want)
            assert_int_equal(p->state, PORT_CLOSED_FILTERED);
        assert_int_equal(p->reason_ttl, 0);
    }
}

/* Packets the scanner sent from `src` to `dst` with these flags. */
static int fx_count(const struct fake *f, uint32_t src, uint32_t dst, uint8_t flags)
{
    int n = 0;
    for (size_t i = 0; i < f->nlog; i++)
        if (f->log[i].src == src && f->log[i].dst == dst && f->log[i].flags == flags)
            n++;
    return n;
}

/* --- tests -------------------------------------------------------------------------------- */

/* A global counter: exactly the open ports, and not one packet from us to the target. */
static void test_global_counter(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_GLOBAL);
    assert_int_equal(fx_run(x), 0);
    assert_string_equal(x->rep.scan_type, "idle");
    fx_expect_open(x, 0, TARGET);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_USER_SET);
    assert_true(fx_logged(x, "Idle scan using zombie zombie (198.51.100.20:80); Class: "
                             "Incremental"));
    assert_false(fx_logged(x, "WARNING: Many people use -Pn w/Idlescan to prevent pings from "
                              "their true IP.  On the other hand, timing info Nmap gains from "
                              "pings can allow for faster, more reliable scans."));
    uint32_t seq = 0;
    for (size_t i = 0; i < x->f.nlog && !seq; i++)
        if (x->f.log[i].dst == TARGET)
            seq = x->f.log[i].seq;
    for (size_t i = 0; i < x->f.nlog; i++) {
        const struct fk_sent *s = &x->f.log[i];
        assert_true(s->src != SCANNER || s->dst != TARGET);   /* a blind scan */
        assert_int_equal(s->proto, WIRE_PROTO_TCP);
        assert_true(s->mss1460);                              /* every probe: MSS 1460 only */
        if (s->dst == TARGET) {                               /* forged from zombie:80 */
            assert_int_equal(s->src, ZADDR[Z_GLOBAL]);
            assert_int_equal(s->sport, 80);
            assert_int_equal(s->flags, TCP_SYN);
            assert_int_equal(s->seq, seq);                   /* one fixed seq */
        }
    }
    /* Every port was probed at least once by a forged SYN. */
    assert_true(fx_count(&x->f, ZADDR[Z_GLOBAL], TARGET, TCP_SYN) >= 101);
    fx_free(x);
}

/* The qualification and the spoof test, packet by packet (docs/facts/nmap.md section 3 steps 1 and 4). */
static void test_qualification_packets(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_GLOBAL);
    assert_int_equal(fx_run(x), 0);
    const struct fk_sent *l = x->f.log;
    uint16_t magic = (uint16_t)(l[0].sport - 1);
    assert_in_range(magic, 33000, 63999);
    for (int i = 0; i < 6; i++) {   /* 6 SYN|ACKs from magic+1.. to zombie:80, 30 ms apart */
        assert_int_equal(l[i].src, SCANNER);
        assert_int_equal(l[i].dst, ZADDR[Z_GLOBAL]);
        assert_int_equal(l[i].dport, 80);
        assert_int_equal(l[i].flags, TCP_SYN | TCP_ACK);
        assert_int_equal(l[i].sport, magic + 1 + i);
        assert_int_equal(l[i].t, 5 * MS + (uint64_t)i * 30 * MS);
        if (i > 0)
            assert_int_equal(l[i].seq, l[0].seq + (uint32_t)i);
    }
    for (int i = 6; i < 10; i++) {  /* 4 forged from the target, source port magic, 50 ms */
        assert_int_equal(l[i].src, TARGET);
        assert_int_equal(l[i].dst, ZADDR[Z_GLOBAL]);
        assert_int_equal(l[i].sport, magic);
        assert_int_equal(l[i].flags, TCP_SYN | TCP_ACK);
        assert_int_equal(l[i].t, l[6].t + (uint64_t)(i - 6) * 50 * MS);
    }
    /* The sixth reply came back 2 ms after the sixth probe: the spoof test starts then. */
    assert_int_equal(l[6].t, l[5].t + 2 * MS);
    /* 300 ms later a read of the ID: a SYN|ACK from base..base+255 (base = magic + u8). */
    assert_int_equal(l[10].t, l[9].t + 300 * MS);
    assert_int_equal(l[10].src, SCANNER);
    assert_int_equal(l[10].dst, ZADDR[Z_GLOBAL]);
    assert_in_range(l[10].sport, magic, magic + 255);
    /* Then the first group: forged SYNs, 60 ports (2 x a group of 30) in two halves of 30. */
    int syns = 0;
    for (size_t i = 11; i < x->f.nlog && l[i].dst == TARGET; i++)
        syns++;
    assert_int_equal(syns, 30);
    /* Determinism: the same seed gives the same packets, another seed another magic port. */
    uint64_t h = x->f.hash;
    fx_free(x);
    x = fx_new(Z_GLOBAL);
    assert_int_equal(fx_run(x), 0);
    assert_int_equal(x->f.hash, h);
    fx_free(x);
    x = fx_new(Z_GLOBAL);
    x->cfg.seed = 43;
    assert_int_equal(fx_run(x), 0);
    assert_int_not_equal(x->f.log[0].sport - 1, magic);
    fx_expect_open(x, 0, TARGET);
    fx_free(x);
}

/* The reads of one count (docs/facts/nmap.md section 3): target srtt = max(200 ms, 2 x the zombie's
 * 2 ms) = 200 ms, rttvar = max(10 ms, 5 ms) = 10 ms, so t0 = start + 150 ms, t1 = start +
 * 200 ms (skipped: less than 50 ms after t0's read), t2 = end + 410 ms, t3 = end + 440 ms
 * only with probability 55/256. */
static void test_read_schedule(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_GLOBAL);
    assert_int_equal(fx_run(x), 0);
    const struct fk_sent *l = x->f.log;
    size_t i = 11;   /* after the 6 qualification probes, 4 spoofs and the read */
    assert_int_equal(l[i].dst, TARGET);
    uint64_t start = l[i].t;
    while (l[i].dst == TARGET)
        i++;
    assert_int_equal(l[i - 1].t, start);   /* no send delay yet: end = start */
    assert_int_equal(l[i].t, start + 150 * MS);
    assert_int_equal(l[i + 1].t, start + 410 * MS);
    /* Over the whole scan: how many counts took a third read? */
    int counts = 0, third = 0;
    for (size_t k = 11; k < x->f.nlog;) {
        while (k < x->f.nlog && x->f.log[k].dst == TARGET)
            k++;
        int reads = 0;
        for (; k < x->f.nlog && x->f.log[k].dst != TARGET; k++)
            reads++;
        counts++;
        third += reads >= 3;
    }
    assert_true(counts > 20);
    assert_in_range(third * 100 / counts, 5, 45);
    fx_free(x);
}

/* nmap's other two accepted classes: distance by 2 and byte-swapped. */
static void test_by2_and_broken(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_BY2);
    assert_int_equal(fx_run(x), 0);
    fx_expect_open(x, 0, TARGET);
    assert_true(fx_logged(x, "Idle scan using zombie zombie (198.51.100.21:80); Class: "
                             "Incrementing by 2"));
    fx_free(x);
    x = fx_new(Z_SWAPPED);
    assert_int_equal(fx_run(x), 0);
    fx_expect_open(x, 0, TARGET);
    assert_true(fx_logged(x, "Idle scan using zombie zombie (198.51.100.22:80); Class: "
                             "Broken little-endian incremental"));
    fx_free(x);
}

/* Unusable zombies: nmap's fatal messages word for word; no SYN reaches the target. */
static void test_refused_zombies(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_RANDOM);
    x->cfg.idle_zombie_name = NULL;   /* named by its address, as nmap's HostName() */
    assert_int_equal(fx_run(x), SCAN_ERR_INPUT);
    assert_string_equal(x->err, "Idle scan zombie 198.51.100.23 (198.51.100.23) port 80 cannot "
                                "be used because IP ID sequence class is: Randomized.  Try "
                                "another proxy.");
    assert_int_equal(fx_count(&x->f, ZADDR[Z_RANDOM], TARGET, TCP_SYN), 0);
    assert_int_equal(x->f.nlog, 6);
    fx_free(x);

    x = fx_new(Z_ZERO);
    assert_int_equal(fx_run(x), SCAN_ERR_INPUT);
    assert_string_equal(x->err, "Idle scan zombie zombie (198.51.100.24) port 80 cannot be used "
                                "because IP ID sequence class is: All zeros.  Try another "
                                "proxy.");
    fx_free(x);

    x = fx_new(Z_DEAD);
    x->cfg.idle_probe_port = 8080;
    assert_int_equal(fx_run(x), SCAN_ERR_INPUT);
    assert_string_equal(x->err, "Idle scan zombie zombie (198.51.100.26) port 8080 cannot be "
                                "used because it has not returned any of our probes -- perhaps "
                                "it is down or firewalled.");
    assert_int_equal(x->f.log[5].dport, 8080);
    assert_int_equal(x->f.now, x->f.log[5].t + 9000 * MS);   /* 9 s after the last probe */
    fx_free(x);
}

/* A per-destination counter passes the class check but fails the spoof test: the 4 forged
 * SYN|ACKs moved another counter, so our read shows a distance of 1 (our own probe). */
static void test_per_host_counter(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_PERHOST);
    assert_int_equal(fx_run(x), -1);
    assert_string_equal(x->err, "Even though your Zombie (zombie; 198.51.100.25) appears to be "
                        "vulnerable to IP ID sequence prediction (class: Incremental), our "
                        "attempts have failed.  This generally means that either the Zombie "
                        "uses a separate IP ID base for each host (like Solaris), or because "
                        "you cannot spoof IP packets (perhaps your ISP has enabled egress "
                        "filtering to prevent IP spoofing), or maybe the target network "
                        "recognizes the packet source as bogus and drops them");
    assert_int_equal(fx_count(&x->f, TARGET, ZADDR[Z_PERHOST], TCP_SYN | TCP_ACK), 4);
    assert_int_equal(fx_count(&x->f, ZADDR[Z_PERHOST], TARGET, TCP_SYN), 0);
    assert_int_equal(x->f.counter_other, 30004);
    fx_free(x);
}

/* Without -Pn: the warning, a 2 s pause in virtual time, discovery, probe port 443. */
static void test_with_ping(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_GLOBAL);
    x->cfg.disc.no_ping = false;
    x->cfg.disc.ping_echo = true;   /* the fake target answers echo only */
    assert_int_equal(fx_run(x), 0);
    fx_expect_open(x, 0, TARGET);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_ECHO_REPLY);
    assert_true(fx_logged(x, "WARNING: Many people use -Pn w/Idlescan to prevent pings from "
                             "their true IP.  On the other hand, timing info Nmap gains from "
                             "pings can allow for faster, more reliable scans."));
    assert_int_equal(x->f.log[0].t, 2005 * MS);   /* the first ping after the pause */
    assert_int_equal(x->f.log[0].proto, WIRE_PROTO_ICMP);
    /* -PE only: no SYN ping port, so the probe port is 80; default discovery gives 443. */
    assert_int_equal(x->f.log[1].dport, 80);
    struct scan_discovery d = { 0 };
    assert_int_equal(idle_default_probe_port(&d), 443);
    d.no_ping = true;
    assert_int_equal(idle_default_probe_port(&d), 80);
    static const uint16_t syn[] = { 22, 25 }, ack[] = { 8080 };
    d = (struct scan_discovery){ .ping_syn = true, .syn_ports = syn, .nsyn_ports = 2 };
    assert_int_equal(idle_default_probe_port(&d), 22);
    d = (struct scan_discovery){ .ping_ack = true, .ack_ports = ack, .nack_ports = 1 };
    assert_int_equal(idle_default_probe_port(&d), 8080);
    d = (struct scan_discovery){ .ping_syn = true };
    assert_int_equal(idle_default_probe_port(&d), 80);
    fx_free(x);
}

/* A lost qualification reply: groups start at 12 and the send delay at 5 ms (step 3). */
static void test_lossy_qualification(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_GLOBAL);
    x->f.drop_qual_reply = 3;
    assert_int_equal(fx_run(x), 0);
    fx_expect_open(x, 0, TARGET);
    const struct fk_sent *l = x->f.log;
    size_t first = 0;
    while (l[first].dst != TARGET)
        first++;
    int syns = 0;
    for (size_t i = first; l[i].dst == TARGET; i++, syns++)
        if (i > first)
            assert_int_equal(l[i].t - l[i - 1].t, 5 * MS);
    assert_int_equal(syns, 12);   /* half of 2 x 12 */
    fx_free(x);
}

/* Two targets: the zombie is qualified once, with the first target's address. */
static void test_two_targets(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_GLOBAL);
    x->cfg.ntargets = 2;
    assert_int_equal(fx_run(x), 0);
    fx_expect_open(x, 0, TARGET);
    fx_expect_open(x, 1, TARGET2);
    assert_int_equal(fx_count(&x->f, TARGET, ZADDR[Z_GLOBAL], TCP_SYN | TCP_ACK), 4);
    assert_int_equal(fx_count(&x->f, TARGET2, ZADDR[Z_GLOBAL], TCP_SYN | TCP_ACK), 0);
    int logged = 0;
    for (int i = 0; i < x->nlog; i++)
        logged += !strncmp(x->log[i], "Idle scan using zombie", 22);
    assert_int_equal(logged, 1);
    fx_free(x);
}

/* A zombie that is not idle. One packet of its own every 3 s: the extra increments look like
 * open ports, the recounts throw them out and -v warns once. One every 300 ms: no count is
 * ever in range, and after 6 attempts nmap gives up (the 1+4+9+16+25+45 s of sleeps are
 * virtual here). */
static void test_noisy_zombie(void **state)
{
    (void)state;
    struct fixture *x = fx_new(Z_NOISY);
    x->cfg.verbose = 1;
    x->f.noise_period = 3000 * MS;
    assert_int_equal(fx_run(x), 0);
    fx_expect_open(x, 0, TARGET);
    assert_true(fx_logged(x, "WARNING: idle scan has erroneously detected phantom ports -- is "
                             "the proxy zombie (198.51.100.27) really idle?"));
    fx_free(x);

    x = fx_new(Z_NOISY);
    x->f.noise_period = 300 * MS;
    assert_int_equal(fx_run(x), -1);
    assert_string_equal(x->err, "Idle scan is unable to obtain meaningful results from proxy "
                                "zombie (198.51.100.27).  I'm sorry it didn't work out.");
    assert_true(x->f.now > 100 * 1000 * MS);
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_counter),     cmocka_unit_test(test_qualification_packets),
        cmocka_unit_test(test_by2_and_broken),     cmocka_unit_test(test_refused_zombies),
        cmocka_unit_test(test_per_host_counter),   cmocka_unit_test(test_with_ping),
        cmocka_unit_test(test_lossy_qualification), cmocka_unit_test(test_two_targets),
        cmocka_unit_test(test_noisy_zombie),       cmocka_unit_test(test_read_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
