/* discovery.c — host discovery: is anyone there before we scan its ports? (docs/facts/nmap.md section
 * 2; nmap nmap.h DEFAULT_PING_TYPES, targets.cc, scan_engine_raw.cc ping probe handling).
 *
 * Probes per host, as nmap's privileged IPv4 default: ICMP echo (-PE), SYN to 443 (-PS443),
 * ACK to 80 (-PA80), ICMP timestamp (-PP); -PS/-PA without ports use 80. A host is up on any
 * matching reply: echo reply (echo-reply), timestamp reply (timestamp-reply), SYN/ACK
 * (syn-ack) or RST (reset) to a TCP probe, or ICMP 3/2 or 3/3 sent by the target itself.
 * Other unreachables only retire the probe (RFC 1122: a hint, not proof); time exceeded
 * marks the host down; silence after the retries leaves it down. Each probe is an ultra slot,
 * so retries, timeouts and windows are the port scan's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/match.h"
#include "scanner/passes.h"
#include "scanner/ultra.h"

enum { DISC_MAX_PROBES = 64 };

struct disc_probe {
    uint8_t kind;            /* enum cookie_kind: PING_ECHO, PING_SYN, PING_ACK, PING_TS */
    uint16_t port;
};

struct disc {
    struct scan_ctx *sc;
    struct scan_group_host *hosts;
    uint32_t *addrs;
    size_t nhosts;
    struct match_index hidx;
    struct disc_probe probes[DISC_MAX_PROBES];
    size_t nprobes;
    bool *decided;           /* up or down known (time exceeded) */
    uint8_t buf[WIRE_MTU];
};

static void disc_add(struct disc *d, uint8_t kind, uint16_t port)
{
    if (d->nprobes < DISC_MAX_PROBES)
        d->probes[d->nprobes++] = (struct disc_probe){ kind, port };
}

static void disc_add_ports(struct disc *d, uint8_t kind, const uint16_t *ports, size_t n)
{
    if (!ports || n == 0)
        disc_add(d, kind, 80);
    for (size_t i = 0; i < n; i++)
        disc_add(d, kind, ports[i]);
}

static void disc_probe_list(struct disc *d, const struct scan_discovery *c)
{
    if (!c->ping_syn && !c->ping_ack && !c->ping_echo && !c->ping_timestamp) {
        disc_add(d, COOKIE_PING_ECHO, 0);   /* nmap: -PE -PS443 -PA80 -PP */
        disc_add(d, COOKIE_PING_SYN, 443);
        disc_add(d, COOKIE_PING_ACK, 80);
        disc_add(d, COOKIE_PING_TS, 0);
        return;
    }
    if (c->ping_echo)
        disc_add(d, COOKIE_PING_ECHO, 0);
    if (c->ping_syn)
        disc_add_ports(d, COOKIE_PING_SYN, c->syn_ports, c->nsyn_ports);
    if (c->ping_ack)
        disc_add_ports(d, COOKIE_PING_ACK, c->ack_ports, c->nack_ports);
    if (c->ping_timestamp)
        disc_add(d, COOKIE_PING_TS, 0);
}

static uint8_t disc_proto(uint8_t kind)
{
    return kind == COOKIE_PING_SYN || kind == COOKIE_PING_ACK ? WIRE_PROTO_TCP : WIRE_PROTO_ICMP;
}

static void disc_cookie(struct disc *d, uint32_t slot, uint8_t tryno, struct cookie *ck)
{
    const struct disc_probe *p = &d->probes[slot % d->nprobes];
    cookie_make(&d->sc->key, d->addrs[slot / d->nprobes], p->port, disc_proto(p->kind), p->kind,
                tryno, ck);
    if (d->sc->cfg->source_port >= 0 && disc_proto(p->kind) == WIRE_PROTO_TCP)
        ck->sport = (uint16_t)d->sc->cfg->source_port;
}

static int disc_send(void *ctx, struct ultra *u, uint32_t slot, uint8_t tryno)
{
    (void)u;
    struct disc *d = ctx;
    struct pktio *io = d->sc->io;
    const struct disc_probe *dp = &d->probes[slot % d->nprobes];
    struct scan_probe p = {
        .src = io->src_addr, .dst = d->addrs[slot / d->nprobes], .dport = dp->port,
        .tryno = tryno, .ttl = scan_probe_ttl(d->sc),
    };
    disc_cookie(d, slot, tryno, &p.ck);
    size_t len;
    if (dp->kind == COOKIE_PING_SYN) {
        len = scan_tcp_probe(d->buf, sizeof d->buf, &p, TCP_SYN, true);
    } else if (dp->kind == COOKIE_PING_ACK) {
        len = scan_tcp_probe(d->buf, sizeof d->buf, &p, TCP_ACK, false);
    } else {
        static const uint8_t ts_zero[12];   /* originate, receive, transmit (RFC 792) */
        struct wire_ipv4 ip = { .ttl = p.ttl, .proto = WIRE_PROTO_ICMP, .id = p.ck.ipid,
                                .src = p.src, .dst = p.dst };
        struct wire_icmp ic = {
            .type = dp->kind == COOKIE_PING_ECHO ? ICMP_ECHO : ICMP_TIMESTAMP,
            .id = p.ck.icmp_id, .seq = tryno,
            .payload = dp->kind == COOKIE_PING_TS ? ts_zero : NULL,
            .payload_len = dp->kind == COOKIE_PING_TS ? sizeof ts_zero : 0,
        };
        len = wire_emit_icmp(d->buf, sizeof d->buf, &ip, &ic);
    }
    if (len == 0) {
        snprintf(io->err, sizeof io->err, "ping probe does not fit");
        return -1;
    }
    return pktio_send(io, d->buf, len);
}

static void disc_up(struct disc *d, struct ultra *u, uint32_t slot, uint8_t tryno, uint64_t t,
                    uint8_t reason, uint8_t ttl)
{
    uint32_t h = slot / (uint32_t)d->nprobes;
    if (d->decided[h] || ultra_answer(u, slot, tryno, t) == ULTRA_BOGUS)
        return;
    struct host_result *r = d->hosts[h].res;
    r->up = true;
    r->up_reason = reason;
    r->up_reason_ttl = ttl;
    d->decided[h] = true;
    ultra_finish_host(u, h, t);
}

/* Finds the slot of (target, probe kind, port) and the try from our sport; -1 if none. */
static long disc_tcp_slot(struct disc *d, struct ultra *u, uint32_t addr, uint16_t port,
                          uint16_t ourport, uint32_t seqcheck, bool quoted, uint32_t seq,
                          int *tryno)
{
    long h = match_index_find(&d->hidx, addr);
    if (h < 0)
        return -1;
    for (size_t i = 0; i < d->nprobes; i++) {
        const struct disc_probe *p = &d->probes[i];
        if (disc_proto(p->kind) != WIRE_PROTO_TCP || p->port != port)
            continue;
        uint32_t slot = (uint32_t)(h * (long)d->nprobes + (long)i);
        for (int t = 0; t <= u->slots[slot].tryno && u->slots[slot].sent; t++) {
            struct cookie ck;
            disc_cookie(d, slot, (uint8_t)t, &ck);
            if (ck.sport != ourport)
                continue;
            bool ok = quoted ? seqcheck == ck.seq
                             : (seqcheck == ck.seq + 1 || seqcheck == ck.seq ||
                                (p->kind == COOKIE_PING_ACK && seq == ck.ack));
            if (ok) {
                *tryno = t;
                return (long)slot;
            }
        }
    }
    return -1;
}

static long disc_icmp_slot(struct disc *d, uint32_t addr, uint8_t kind, uint16_t id,
                           uint16_t seq)
{
    long h = match_index_find(&d->hidx, addr);
    if (h < 0 || seq >= COOKIE_MAX_TRIES)
        return -1;
    for (size_t i = 0; i < d->nprobes; i++) {
        if (d->probes[i].kind != kind)
            continue;
        uint32_t slot = (uint32_t)(h * (long)d->nprobes + (long)i);
        struct cookie ck;
        disc_cookie(d, slot, (uint8_t)seq, &ck);
        if (ck.icmp_id == id)
            return (long)slot;
    }
    return -1;
}

static void disc_recv_error(struct disc *d, struct ultra *u, const struct wire_pkt *pkt,
                            uint64_t t)
{
    struct match_quote q;
    if (!match_quote_parse(&pkt->l4.icmp, &q) || q.src != d->sc->io->src_addr)
        return;
    long slot = -1;
    int tryno = 0;
    if (q.proto == WIRE_PROTO_TCP) {
        slot = disc_tcp_slot(d, u, q.dst, q.dport, q.sport, q.seq, true, 0, &tryno);
    } else if (q.proto == WIRE_PROTO_ICMP) {
        uint8_t kind = q.icmp_type == ICMP_ECHO ? COOKIE_PING_ECHO
                       : q.icmp_type == ICMP_TIMESTAMP ? COOKIE_PING_TS : 0xff;
        slot = disc_icmp_slot(d, q.dst, kind, q.icmp_id, q.icmp_seq);
        tryno = q.icmp_seq;
    }
    if (slot < 0)
        return;
    uint8_t type = pkt->l4.icmp.type, code = pkt->l4.icmp.code;
    uint32_t h = (uint32_t)slot / (uint32_t)d->nprobes;
    bool from_target = pkt->ip.src == q.dst;
    if (type == ICMP_UNREACH && from_target &&
        (code == ICMP_PROTO_UNREACH || code == ICMP_PORT_UNREACH)) {
        disc_up(d, u, (uint32_t)slot, (uint8_t)tryno, t,
                code == ICMP_PORT_UNREACH ? RS_PORT_UNREACH : RS_PROTO_UNREACH, pkt->ip.ttl);
    } else if (type == ICMP_TIME_EXCEEDED) {
        if (d->decided[h] || ultra_answer(u, (uint32_t)slot, (uint8_t)tryno, t) == ULTRA_BOGUS)
            return;
        d->decided[h] = true;   /* down: the probe died on the way */
        d->hosts[h].res->up_reason = RS_TIME_EXCEEDED;
        d->hosts[h].res->up_reason_ttl = pkt->ip.ttl;
        ultra_finish_host(u, h, t);
    } else if (type == ICMP_UNREACH) {
        if (ultra_answer(u, (uint32_t)slot, (uint8_t)tryno, t) == ULTRA_ACTIVE)
            ultra_finish(u, (uint32_t)slot, t);   /* retired: only a hint */
    }
}

static void disc_recv(void *ctx, struct ultra *u, const uint8_t *buf, size_t len, uint64_t t)
{
    struct disc *d = ctx;
    struct wire_pkt pkt;
    if (wire_parse(buf, len, &pkt) != WIRE_OK || pkt.l4_err != WIRE_OK ||
        pkt.ip.dst != d->sc->io->src_addr)
        return;
    if (pkt.ip.proto == WIRE_PROTO_TCP) {
        const struct wire_tcp *tcp = &pkt.l4.tcp;
        int tryno = 0;   /* checksums not required: see portscan.c */
        long slot = disc_tcp_slot(d, u, pkt.ip.src, tcp->sport, tcp->dport, tcp->ack, false,
                                  tcp->seq, &tryno);
        if (slot < 0)
            return;
        if (tcp->flags & TCP_RST)
            disc_up(d, u, (uint32_t)slot, (uint8_t)tryno, t, RS_RESET, pkt.ip.ttl);
        else if ((tcp->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
            disc_up(d, u, (uint32_t)slot, (uint8_t)tryno, t, RS_SYN_ACK, pkt.ip.ttl);
    } else if (pkt.ip.proto == WIRE_PROTO_ICMP) {
        const struct wire_icmp *ic = &pkt.l4.icmp;
        if (ic->type == ICMP_ECHO_REPLY || ic->type == ICMP_TIMESTAMP_REPLY) {
            uint8_t kind = ic->type == ICMP_ECHO_REPLY ? COOKIE_PING_ECHO : COOKIE_PING_TS;
            long slot = disc_icmp_slot(d, pkt.ip.src, kind, ic->id, ic->seq);
            if (slot >= 0)
                disc_up(d, u, (uint32_t)slot, (uint8_t)ic->seq, t,
                        kind == COOKIE_PING_ECHO ? RS_ECHO_REPLY : RS_TIMESTAMP_REPLY,
                        pkt.ip.ttl);
        } else {
            disc_recv_error(d, u, &pkt, t);
        }
    }
}

static void disc_silent(void *ctx, struct ultra *u, uint32_t slot)
{
    (void)ctx;
    (void)u;
    (void)slot;   /* a probe without answer says nothing; the host is down unless another
                     probe of it gets a reply */
}

int discovery_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
                  size_t errlen)
{
    if (n == 0)
        return 0;
    struct disc *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    d->sc = sc;
    d->hosts = hosts;
    d->nhosts = n;
    disc_probe_list(d, &sc->cfg->disc);
    d->addrs = malloc(n * sizeof *d->addrs);
    d->decided = calloc(n, sizeof *d->decided);
    int rc = -1;
    struct ultra u = { 0 };
    if (!d->addrs || !d->decided)
        goto out_oom;
    for (size_t h = 0; h < n; h++) {
        d->addrs[h] = hosts[h].res->addr;
        hosts[h].res->up = false;
        hosts[h].res->up_reason = RS_NO_RESPONSE;
    }
    if (match_index_build(&d->hidx, d->addrs, NULL, n) < 0 ||
        ultra_init(&u, &sc->perf_tcp, sc->io, sc->cfg, &sc->rate, n, d->nprobes, d->addrs,
                   NULL) < 0)
        goto out_oom;
    struct ultra_job job = { .ctx = d, .send = disc_send, .recv = disc_recv,
                             .silent = disc_silent };
    rc = ultra_run(&u, &job, err, errlen);
    for (size_t h = 0; h < n; h++) {
        hosts[h].rtt = u.hosts[h].rtt;
        hosts[h].res->start_ns = u.hosts[h].first_send_ns;
        hosts[h].res->end_ns = u.hosts[h].done_ns;
    }
    ultra_free(&u);
    goto out;
out_oom:
    snprintf(err, errlen, "out of memory");
out:
    match_index_free(&d->hidx);
    free(d->addrs);
    free(d->decided);
    free(d);
    return rc;
}
