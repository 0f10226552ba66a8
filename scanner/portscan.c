/* portscan.c — one port-scan pass (one scan type over the up hosts of a group) as an ultra
 * job: build probes through the scan type's table, match replies statelessly by cookie,
 * apply nmap's verdicts and conflicting-replies rule (docs/facts/nmap.md section 1; nmap
 * scan_engine_raw.cc get_pcap_result, scan_engine_connect.cc handleConnectResult). Replies
 * also pick each host's timing-ping probe by nmap's pingprobe_score (scan_engine.cc), and a
 * reply to a timing ping only feeds timing (ultrascan_ping_update), never a port state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/match.h"
#include "scanner/passes.h"
#include "scanner/ultra.h"

struct portscan {
    struct scan_ctx *sc;
    const struct scan_ops *ops;
    const struct scan_perf *perf;
    struct scan_group_host *hosts;
    uint32_t *addrs;
    size_t nhosts;
    const uint16_t *ports;
    size_t nports, base;
    struct match_index hidx, pidx;
    /* Per slot: its cookie source-port base (0: not computed yet; bases are >= 33000), so
     * a probe and its reply hash only what depends on the try number. */
    uint16_t *sbase;
    uint64_t *sa;    /* per slot: ack << 32 | seq of the latest try sent (cookie_seq_ack) */
    /* -sT: one socket per slot at most, and the list of open ones to poll. */
    int32_t *handle, *apos;
    uint32_t *active;
    size_t nactive;
    uint8_t buf[WIRE_MTU];
};

uint8_t scan_probe_ttl(struct scan_ctx *sc)
{
    if (sc->cfg->ttl >= 0 && sc->cfg->ttl <= 255)
        return (uint8_t)sc->cfg->ttl;
    return (uint8_t)rng_range(&sc->ttl_rng, 37, 59);
}

static struct port_result *ps_result(struct portscan *ps, uint32_t slot)
{
    size_t h = slot / ps->nports, i = slot % ps->nports;
    return &ps->hosts[h].res->ports[ps->base + i];
}

static uint16_t ps_sport_base(struct portscan *ps, uint32_t slot)
{
    if (ps->sbase[slot] == 0) {
        size_t h = slot / ps->nports, i = slot % ps->nports;
        ps->sbase[slot] = cookie_sport_base(&ps->sc->key, ps->addrs[h], ps->ports[i],
                                            ps->ops->proto, COOKIE_PORT);
    }
    return ps->sbase[slot];
}

static void ps_cookie(struct portscan *ps, uint32_t slot, uint8_t tryno, struct cookie *ck)
{
    size_t h = slot / ps->nports, i = slot % ps->nports;
    cookie_make_based(&ps->sc->key, ps_sport_base(ps, slot), ps->addrs[h], ps->ports[i],
                      ps->ops->proto, COOKIE_PORT, tryno, ck);
    if (ps->sc->cfg->source_port >= 0)
        ck->sport = (uint16_t)ps->sc->cfg->source_port;
}

static void ps_active_remove(struct portscan *ps, uint32_t slot)
{
    int32_t pos = ps->apos[slot];
    if (pos < 0)
        return;
    uint32_t last = ps->active[--ps->nactive];
    ps->active[pos] = last;
    ps->apos[last] = pos;
    ps->apos[slot] = -1;
    if (ps->handle[slot] >= 0 && ps->sc->io->ops->stream_close)
        ps->sc->io->ops->stream_close(ps->sc->io, ps->handle[slot]);
    ps->handle[slot] = -1;
}

/* The decision hook (scan_config.decide), for the TUI; only called when set. */
static void ps_decide(struct portscan *ps, struct ultra *u, uint32_t slot,
                      enum scan_decision_kind kind, uint8_t tryno, uint8_t state, uint8_t reason)
{
    const struct scan_config *c = ps->sc->cfg;
    size_t h = slot / ps->nports, i = slot % ps->nports;
    uint32_t uh = ultra_host_of(u, slot);
    struct scan_decision d = {
        .kind = kind, .target = ps->addrs[h], .port = ps->ports[i], .proto = ps->ops->proto,
        .tryno = tryno, .timeout_ns = ultra_host_timeout(u, uh), .cwnd = u->hosts[uh].cc.cwnd,
        .group_cwnd = u->gcc.cwnd, .state = state, .reason = reason,
    };
    c->decide(c->decide_ctx, &d);
}

static int ps_send(void *ctx, struct ultra *u, uint32_t slot, uint8_t tryno)
{
    struct portscan *ps = ctx;
    struct pktio *io = ps->sc->io;
    size_t h = slot / ps->nports, i = slot % ps->nports;
    if (ps->sc->cfg->decide && !ultra_is_ping_try(tryno))
        ps_decide(ps, u, slot, SCAN_DEC_PROBE, tryno, 0, 0);
    if (ps->ops->type == SCAN_CONNECT) {
        ps_active_remove(ps, slot);
        int hd = io->ops->stream_connect(io, ps->addrs[h], ps->ports[i]);
        if (hd < 0)
            return -1;
        ps->handle[slot] = hd;
        ps->apos[slot] = (int32_t)ps->nactive;
        ps->active[ps->nactive++] = slot;
        return 0;
    }
    struct scan_probe p = {
        .src = io->src_addr, .dst = ps->addrs[h], .dport = ps->ports[i], .tryno = tryno,
        .ttl = scan_probe_ttl(ps->sc),
    };
    ps_cookie(ps, slot, tryno, &p.ck);
    if (!ultra_is_ping_try(tryno))   /* the cache is for the latest port try */
        ps->sa[slot] = (uint64_t)p.ck.ack << 32 | p.ck.seq;
    size_t len = ps->ops->make_probe(ps->buf, sizeof ps->buf, &p);
    if (len == 0) {
        snprintf(io->err, sizeof io->err, "probe does not fit in %zu bytes", sizeof ps->buf);
        return -1;
    }
    return pktio_send(io, ps->buf, len);
}

/* nmap's pingprobe_score for a port probe that got verdict `state`; 0: never a ping probe
 * (an ICMP error in a scan where silence is not open|filtered: often rate limited or sent by
 * a router, so nmap will not rely on it). Raw TCP to a commonly spoofed port scores 50, a
 * SYN that found an open port 30 (pinging it is a SYN flood), filtered 20, else 60; UDP 20. */
enum { PS_PING_SCORE_MAX = 60 };

static int ps_ping_score(const struct portscan *ps, uint32_t slot, uint8_t state)
{
    bool noresp_open = ps->ops->silent_state == PORT_OPEN_FILTERED;
    if (state == PORT_FILTERED && !noresp_open)
        return 0;
    if (ps->ops->proto != WIRE_PROTO_TCP || state == PORT_FILTERED)
        return 20;
    if (ps->ops->tcp_flags == TCP_SYN && state == PORT_OPEN)
        return 30;
    switch (ps->ports[slot % ps->nports]) {
    case 25: case 113: case 135: case 139: case 445: return 50;
    default: return 60;
    }
}

/* Applies a verdict: the first one settles the slot; later ones only under nmap's rules. */
static void ps_apply(struct portscan *ps, struct ultra *u, uint32_t slot, enum ultra_answer a,
                     const struct scan_verdict *v, uint8_t ttl, uint32_t reason_ip, uint64_t t)
{
    if (ultra_ping_score(u, slot) < PS_PING_SCORE_MAX)   /* else nothing can beat it */
        ultra_ping_candidate(u, slot, ps_ping_score(ps, slot, v->state));
    struct port_result *r = ps_result(ps, slot);
    if (a == ULTRA_DONE && !scan_state_may_change(r->state, v->state,
                                                  ps->ops->silent_state == PORT_OPEN_FILTERED))
        return;
    r->state = v->state;
    r->reason = v->reason;
    r->reason_ttl = ttl;
    r->reason_ip = reason_ip;
    if (ps->sc->cfg->decide)
        ps_decide(ps, u, slot, SCAN_DEC_VERDICT, u->slots[slot].tryno, v->state, v->reason);
    if (a == ULTRA_ACTIVE)
        ultra_finish(u, slot, t);
}

/* Which try of (dst, port) produced a reply sent to our port `ourport`; -1 if none fits. */
static int ps_tryno(struct portscan *ps, uint32_t slot, uint16_t ourport, struct ultra *u)
{
    if (ps->sc->cfg->source_port >= 0)
        return ourport == ps->sc->cfg->source_port ? u->slots[slot].tryno : -1;
    int t = ourport - ps_sport_base(ps, slot);
    return t >= 0 && t < COOKIE_MAX_TRIES ? t : -1;
}

static long ps_slot(struct portscan *ps, uint32_t addr, uint16_t port)
{
    long h = match_index_find(&ps->hidx, addr);
    long i = h < 0 ? -1 : match_index_find(&ps->pidx, port);
    return i < 0 ? -1 : h * (long)ps->nports + i;
}

/* A TCP reply is ours when it echoes the cookie: ack-1, ack or seq (nmap's rule). With -g
 * all tries share a port, so each try sent is checked. */
static int ps_tcp_try(struct portscan *ps, struct ultra *u, uint32_t slot,
                      const struct wire_tcp *tcp)
{
    int t = ps_tryno(ps, slot, tcp->dport, u);
    if (t < 0)
        return -1;
    int lo = ps->sc->cfg->source_port >= 0 ? 0 : t;
    size_t h = slot / ps->nports, i = slot % ps->nports;
    bool has_ack = (ps->ops->tcp_flags & TCP_ACK) != 0;
    const struct ultra_slot *sl = &u->slots[slot];
    for (int k = t; k >= lo; k--) {
        uint64_t sa = sl->sent && k == sl->tryno
                          ? ps->sa[slot]
                          : cookie_seq_ack(&ps->sc->key, ps->addrs[h], ps->ports[i],
                                           ps->ops->proto, COOKIE_PORT, (uint8_t)k);
        uint32_t seq = (uint32_t)sa, ack = (uint32_t)(sa >> 32);
        if (tcp->ack == seq + 1 || tcp->ack == seq || (has_ack && tcp->seq == ack))
            return k;
    }
    return -1;
}

/* A reply matched to slot s and try k (< 0: no try of ours): the scan type's verdict, then
 * either a timing ping's reply or the port's answer (ultra.c), applied with the reply's TTL
 * and reason_ip (0: the target itself). */
static void ps_deliver(struct portscan *ps, struct ultra *u, uint32_t s, int k,
                       const struct scan_reply *r, uint8_t ttl, uint32_t reason_ip, uint64_t t)
{
    struct scan_verdict v;
    if (k < 0 || !ps->ops->classify(r, &v))
        return;
    if (ultra_is_ping_try(k)) {
        ultra_ping_reply(u, s, (uint8_t)k, t);
        return;
    }
    enum ultra_answer a = ultra_answer(u, s, (uint8_t)k, t);
    if (a != ULTRA_BOGUS)
        ps_apply(ps, u, s, a, &v, ttl, reason_ip, t);
}

static void ps_recv_icmp(struct portscan *ps, struct ultra *u, const struct wire_pkt *pkt,
                         uint64_t t)
{
    struct match_quote q;
    if (!match_quote_parse(&pkt->l4.icmp, &q) || q.proto != ps->ops->proto ||
        q.src != ps->sc->io->src_addr)
        return;
    long s = ps_slot(ps, q.dst, q.dport);
    if (s < 0)
        return;
    int k = ps_tryno(ps, (uint32_t)s, q.sport, u);
    if (k < 0)
        return;
    struct cookie ck;
    ps_cookie(ps, (uint32_t)s, (uint8_t)k, &ck);
    if (ps->ops->proto == WIRE_PROTO_TCP ? q.seq != ck.seq : q.ipid != ck.ipid)
        return;   /* a forged or stray error */
    struct scan_reply r = {
        .kind = SCAN_REPLY_ICMP, .icmp_type = pkt->l4.icmp.type,
        .icmp_code = pkt->l4.icmp.code, .from_target = pkt->ip.src == q.dst,
    };
    ps_deliver(ps, u, (uint32_t)s, k, &r, pkt->ip.ttl, r.from_target ? 0 : pkt->ip.src, t);
}

/* A TCP reply: matched by our port (try number) and the cookie it echoes. */
static void ps_recv_tcp(struct portscan *ps, struct ultra *u, const struct wire_ipv4 *ip,
                        const struct wire_tcp *tcp, uint64_t t)
{
    long s = ps_slot(ps, ip->src, tcp->sport);
    if (s < 0)
        return;
    int k = ps_tcp_try(ps, u, (uint32_t)s, tcp);
    struct scan_reply r = { .kind = SCAN_REPLY_TCP, .tcp = tcp };
    ps_deliver(ps, u, (uint32_t)s, k, &r, ip->ttl, 0, t);
}

/* Transport checksums are not required to be valid, as in nmap: replies captured on the
 * sender's side of a veth or with checksum offload carry unfinished checksums, and the keyed
 * cookie already rejects what is not an answer to our probes. So TCP replies, nearly every
 * datagram of a TCP scan, take match_parse_tcp (no checksum pass, no options). */
static void ps_recv(void *ctx, struct ultra *u, const uint8_t *d, size_t len, uint64_t t)
{
    struct portscan *ps = ctx;
    if (ps->ops->type == SCAN_CONNECT)
        return;   /* the stack handles its own replies */
    if (len >= WIRE_IPV4_HDR_MIN && d[9] == WIRE_PROTO_TCP) {
        struct wire_ipv4 ip;
        struct wire_tcp tcp;
        if (match_parse_tcp(d, len, &ip, &tcp) && ip.dst == ps->sc->io->src_addr &&
            ps->ops->proto == WIRE_PROTO_TCP)
            ps_recv_tcp(ps, u, &ip, &tcp, t);
        return;
    }
    struct wire_pkt pkt;
    if (wire_parse(d, len, &pkt) != WIRE_OK || pkt.l4_err != WIRE_OK ||
        pkt.ip.dst != ps->sc->io->src_addr)
        return;
    if (pkt.ip.proto == WIRE_PROTO_ICMP) {
        ps_recv_icmp(ps, u, &pkt, t);
        return;
    }
    if (pkt.ip.proto != ps->ops->proto || pkt.ip.proto != WIRE_PROTO_UDP)
        return;
    long s = ps_slot(ps, pkt.ip.src, pkt.l4.udp.sport);
    if (s < 0)
        return;
    int k = ps_tryno(ps, (uint32_t)s, pkt.l4.udp.dport, u);
    struct scan_reply r = { .kind = SCAN_REPLY_UDP };
    ps_deliver(ps, u, (uint32_t)s, k, &r, pkt.ip.ttl, 0, t);
}

static void ps_silent(void *ctx, struct ultra *u, uint32_t slot)
{
    struct portscan *ps = ctx;
    struct port_result *r = ps_result(ps, slot);
    r->state = ps->ops->silent_state;
    r->reason = RS_NO_RESPONSE;
    r->reason_ttl = 0;
    r->reason_ip = 0;
    if (ps->sc->cfg->decide)
        ps_decide(ps, u, slot, SCAN_DEC_SILENT, u->slots[slot].tryno, r->state, r->reason);
}

static void ps_timedout(void *ctx, struct ultra *u, uint32_t slot)
{
    (void)u;
    struct portscan *ps = ctx;
    if (ps->ops->type == SCAN_CONNECT)
        ps_active_remove(ps, slot);
}

static void ps_poll(void *ctx, struct ultra *u, uint64_t now)
{
    struct portscan *ps = ctx;
    struct pktio *io = ps->sc->io;
    for (size_t j = 0; j < ps->nactive;) {
        uint32_t slot = ps->active[j];
        uint8_t type = 0, code = 0;
        enum pktio_stream st = io->ops->stream_poll(io, ps->handle[slot], &type, &code);
        struct scan_verdict v;
        if (!ps->ops->classify_stream(st, type, code, &v)) {
            j++;
            continue;
        }
        ps_active_remove(ps, slot);   /* swaps another slot into position j */
        enum ultra_answer a = ultra_answer(u, slot, u->slots[slot].tryno, now);
        if (a != ULTRA_BOGUS)
            ps_apply(ps, u, slot, a, &v, 0, 0, now);
    }
}

static void ps_free(struct portscan *ps)
{
    match_index_free(&ps->hidx);
    match_index_free(&ps->pidx);
    free(ps->addrs);
    free(ps->sbase);
    free(ps->sa);
    free(ps->handle);
    free(ps->apos);
    free(ps->active);
    free(ps);
}

int portscan_run(struct scan_ctx *sc, const struct scan_ops *ops, struct scan_group_host *hosts,
                 size_t n, const uint16_t *ports, size_t nports, size_t base, char *err,
                 size_t errlen)
{
    if (n == 0 || nports == 0)
        return 0;
    bool is_connect = ops->type == SCAN_CONNECT;
    if (is_connect && (!sc->io->ops->stream_connect || !sc->io->ops->stream_poll)) {
        snprintf(err, errlen, "the %s backend cannot make connections (-sT)", sc->io->ops->name);
        return -1;
    }
    struct portscan *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *ps = (struct portscan){ .sc = sc, .ops = ops, .hosts = hosts, .nhosts = n, .ports = ports,
                             .nports = nports, .base = base };
    ps->perf = ops->proto == WIRE_PROTO_UDP ? &sc->perf_udp : &sc->perf_tcp;
    size_t nslots = n * nports;
    ps->addrs = malloc(n * sizeof *ps->addrs);
    struct timing_rtt *rtt = malloc(n * sizeof *rtt);
    int rc = -1;
    struct ultra u = { 0 };
    ps->sbase = calloc(nslots, sizeof *ps->sbase);
    ps->sa = malloc(nslots * sizeof *ps->sa);
    if (!ps->addrs || !rtt || !ps->sbase || !ps->sa)
        goto oom;
    for (size_t h = 0; h < n; h++) {
        ps->addrs[h] = hosts[h].res->addr;
        rtt[h] = hosts[h].rtt;
    }
    if (match_index_build(&ps->hidx, ps->addrs, NULL, n) < 0 ||
        match_index_build(&ps->pidx, NULL, ports, nports) < 0)
        goto oom;
    if (is_connect) {
        ps->handle = malloc(nslots * sizeof *ps->handle);
        ps->apos = malloc(nslots * sizeof *ps->apos);
        ps->active = malloc(nslots * sizeof *ps->active);
        if (!ps->handle || !ps->apos || !ps->active)
            goto oom;
        for (size_t s = 0; s < nslots; s++)
            ps->handle[s] = ps->apos[s] = -1;
    }
    if (ultra_init(&u, ps->perf, sc->io, sc->cfg, &sc->rate, n, nports, ps->addrs, rtt) < 0)
        goto oom;
    struct ultra_job job = {
        .ctx = ps, .send = ps_send, .recv = ps_recv, .silent = ps_silent,
        .timedout = ps_timedout, .poll = is_connect ? ps_poll : NULL, .streams = is_connect,
        .udp = ops->proto == WIRE_PROTO_UDP,
        /* Not for -sT (nmap's connect pings are not modelled) nor -g (every try shares the
         * source port, so a UDP reply could not tell a ping from the port's probe). */
        .pings = !is_connect && sc->cfg->source_port < 0,
    };
    for (size_t h = 0; h < n; h++)
        for (size_t i = 0; i < nports; i++) {
            struct port_result *r = &hosts[h].res->ports[base + i];
            *r = (struct port_result){ .port = ports[i], .proto = ops->proto };
        }
    rc = ultra_run(&u, &job, err, errlen);
    for (size_t h = 0; h < n; h++) {
        hosts[h].rtt = u.hosts[h].rtt;
        if (!hosts[h].rtt.have_sample && u.grtt.have_sample)
            hosts[h].rtt = u.grtt;
        if (u.hosts[h].done_ns > hosts[h].res->end_ns)
            hosts[h].res->end_ns = u.hosts[h].done_ns;
    }
    while (ps->nactive > 0)
        ps_active_remove(ps, ps->active[0]);
    ultra_free(&u);
    free(rtt);
    ps_free(ps);
    return rc;
oom:
    snprintf(err, errlen, "out of memory");
    free(rtt);
    ps_free(ps);
    return -1;
}
