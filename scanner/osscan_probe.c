/* osscan_probe.c — -O's probes on the wire and the two phases of a round (osscan2.cc
 * doSeqTests, doTUITests, sendT*Probe, send_icmp_echo_probe, send_closedudp_probe).
 *
 * SEQ phase: six SYNs to the open port, at least 100 ms apart per host, never resent (a
 * lost one is just missing). TUI phase, in nmap's order, at least 25 ms apart per host
 * (OS_PROBE_DELAY, or --scan-delay if longer): two ICMP echoes (IE), the UDP probe to a
 * closed port (U1), any OPS probe whose SEQ twin got no answer, the ECN SYN, T1-T4 to the
 * open port and T5-T7 to the closed one. A TUI probe that times out goes to the back of
 * the queue, up to four sends. Replies are told apart by their destination port (TCP),
 * ICMP id (echo) or quoted ports (U1) as nmap does; source ports are the round's base +
 * 0-5 SEQ, 6-11 OPS, 12 ECN, 13-19 T1-T7. The phases only wait with pktio_recv deadlines.
 * (nmap also keeps a congestion window of 10 probes a host; with 25 ms between probes it
 * never binds at the RTTs tcplab sees, so it is left out.)
 */
#include "scanner/osscan_int.h"

#include <stdio.h>
#include <string.h>

enum { OS_SEQ_GAP_MS = 100, OS_TUI_GAP_MS = 25, OS_MAX_TRY = 3 };

/* prbOpts (osscan2.cc): 0-5 SEQ/OPS/T1, 6 ECN, 7-11 T2-T6, 12 T7. */
static const struct {
    uint8_t len;
    uint8_t b[20];
} os_opts[13] = {
    {20, {3,3,10, 1, 2,4,0x05,0xb4, 8,10,255,255,255,255,0,0,0,0, 4,2}},
    {20, {2,4,0x05,0x78, 3,3,0, 4,2, 8,10,255,255,255,255,0,0,0,0, 0}},
    {20, {8,10,255,255,255,255,0,0,0,0, 1, 1, 3,3,5, 1, 2,4,0x02,0x80}},
    {16, {4,2, 8,10,255,255,255,255,0,0,0,0, 3,3,10, 0}},
    {20, {2,4,0x02,0x18, 4,2, 8,10,255,255,255,255,0,0,0,0, 3,3,10, 0}},
    {16, {2,4,0x01,0x09, 4,2, 8,10,255,255,255,255,0,0,0,0}},
    {12, {3,3,10, 1, 2,4,0x05,0xb4, 4,2, 1, 1}},
    {20, {3,3,10, 1, 2,4,0x01,0x09, 8,10,255,255,255,255,0,0,0,0, 4,2}},
    {20, {3,3,10, 1, 2,4,0x01,0x09, 8,10,255,255,255,255,0,0,0,0, 4,2}},
    {20, {3,3,10, 1, 2,4,0x01,0x09, 8,10,255,255,255,255,0,0,0,0, 4,2}},
    {20, {3,3,10, 1, 2,4,0x01,0x09, 8,10,255,255,255,255,0,0,0,0, 4,2}},
    {20, {3,3,10, 1, 2,4,0x01,0x09, 8,10,255,255,255,255,0,0,0,0, 4,2}},
    {20, {3,3,15, 1, 2,4,0x01,0x09, 8,10,255,255,255,255,0,0,0,0, 4,2}},
};
/* prbWindowSz, same numbering. */
static const uint16_t os_windows[13] = {1, 63, 4, 4, 16, 512, 3, 128, 256, 1024, 31337, 32768,
                                        65535};

struct os_tcp_spec {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags, reserved;
    uint16_t urg;
    int opt;                 /* os_opts index */
    bool df;
};

static int os_send(struct scan_ctx *sc, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "OS probe does not fit");
        return -1;
    }
    if (pktio_send(sc->io, buf, len) < 0) {
        snprintf(err, errlen, "send: %s", sc->io->err);
        return -1;
    }
    return 0;
}

static int os_send_tcp(struct scan_ctx *sc, const struct os_round *rd, uint32_t dst,
                       const struct os_tcp_spec *s, char *err, size_t errlen)
{
    uint8_t buf[128];
    struct wire_ipv4 ip = {.ttl = scan_probe_ttl(sc), .proto = WIRE_PROTO_TCP,
                           .id = (uint16_t)rng_u32(rd->rng), .df = s->df,
                           .src = sc->io->src_addr, .dst = dst};
    struct wire_tcp tcp = {.sport = s->sport, .dport = s->dport, .seq = s->seq, .ack = s->ack,
                           .flags = s->flags, .reserved = s->reserved,
                           .window = os_windows[s->opt], .urg = s->urg};
    wire_tcp_opts_parse(os_opts[s->opt].b, os_opts[s->opt].len, &tcp.opt);
    return os_send(sc, buf, wire_emit_tcp(buf, sizeof buf, &ip, &tcp), err, errlen);
}

/* T1-T7 (k = 0..6): the flags, DF and target port nmap gives each. */
static int os_send_t(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h, int k,
                     char *err, size_t errlen)
{
    static const uint8_t flags[7] = {
        TCP_SYN, 0, TCP_SYN | TCP_FIN | TCP_URG | TCP_PSH, TCP_ACK, TCP_SYN, TCP_ACK,
        TCP_FIN | TCP_PSH | TCP_URG,
    };
    int port = k < 4 ? h->open_port : h->closed_port;
    if (port < 0)
        return 0;
    struct os_tcp_spec s = {.sport = (uint16_t)(rd->tcp_port_base + OS_NSEQ + 7 + k),
                            .dport = (uint16_t)port, .seq = rd->seq_base, .ack = rd->ack,
                            .flags = flags[k], .opt = k == 0 ? 0 : 6 + k,
                            .df = k == 1 || k == 3 || k == 5};
    return os_send_tcp(sc, rd, h->res->addr, &s, err, errlen);
}

static int os_send_ie(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h, int k,
                      char *err, size_t errlen)
{
    static const uint8_t zeros[150];
    uint8_t buf[256];
    struct wire_ipv4 ip = {.tos = k ? 4 : 0, .ttl = scan_probe_ttl(sc),
                           .proto = WIRE_PROTO_ICMP, .id = (uint16_t)rng_u32(rd->rng),
                           .df = k == 0, .src = sc->io->src_addr, .dst = h->res->addr};
    struct wire_icmp ic = {.type = ICMP_ECHO, .code = k ? 0 : 9,
                           .id = (uint16_t)(rd->icmp_id + k), .seq = (uint16_t)(295 + k),
                           .payload = zeros, .payload_len = k ? 150 : 120};
    return os_send(sc, buf, wire_emit_icmp(buf, sizeof buf, &ip, &ic), err, errlen);
}

static int os_send_u1(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                      char *err, size_t errlen)
{
    uint8_t data[300], buf[400];
    memset(data, 'C', sizeof data);
    struct wire_ipv4 ip = {.ttl = rd->udp_ttl, .proto = WIRE_PROTO_UDP, .id = 0x1042,
                           .src = sc->io->src_addr, .dst = h->res->addr};
    struct wire_udp u = {.sport = rd->udp_port_base, .dport = (uint16_t)h->closed_udp,
                         .payload = data, .payload_len = sizeof data};
    size_t len = wire_emit_udp(buf, sizeof buf, &ip, &u);
    struct wire_pkt pkt;
    if (len && wire_parse(buf, len, &pkt) == WIRE_OK && pkt.l4_err == WIRE_OK)
        h->udp_csum = pkt.l4.udp.csum;
    h->udp_sport = u.sport;
    h->udp_dport = u.dport;
    return os_send(sc, buf, len, err, errlen);
}

static int os_send_probe(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                         struct os_probe *p, uint64_t now, char *err, size_t errlen)
{
    int rc = 0;
    struct os_tcp_spec s = {.dport = (uint16_t)h->open_port, .seq = rd->seq_base,
                            .ack = rd->ack, .flags = TCP_SYN, .opt = p->sub};
    switch (p->type) {
    case OSP_SEQ:
        s.sport = (uint16_t)(rd->tcp_port_base + p->sub);
        s.seq = rd->seq_base + p->sub;
        rc = os_send_tcp(sc, rd, h->res->addr, &s, err, errlen);
        h->seq_sent[p->sub] = now;
        break;
    case OSP_OPS:
        s.sport = (uint16_t)(rd->tcp_port_base + OS_NSEQ + p->sub);
        rc = os_send_tcp(sc, rd, h->res->addr, &s, err, errlen);
        break;
    case OSP_ECN:
        s.sport = (uint16_t)(rd->tcp_port_base + OS_NSEQ + 6);
        s.ack = 0;
        s.flags = TCP_CWR | TCP_ECE | TCP_SYN;
        s.reserved = 8;
        s.urg = 63477;
        s.opt = 6;
        rc = os_send_tcp(sc, rd, h->res->addr, &s, err, errlen);
        break;
    case OSP_T: rc = os_send_t(sc, rd, h, p->sub, err, errlen); break;
    case OSP_IE: rc = os_send_ie(sc, rd, h, p->sub, err, errlen); break;
    case OSP_U1: rc = os_send_u1(sc, rd, h, err, errlen); break;
    default: break;
    }
    p->tryno++;
    if (p->tryno > 0)
        p->retransmitted = true;
    p->sent = now;
    p->state = OSP_ACTIVE;
    h->last_sent = now;
    h->any_sent = true;
    return rc;
}

static void os_add(struct os_host *h, uint8_t type, uint8_t sub)
{
    if (h->npr >= OS_MAXPROBES)
        return;
    h->pr[h->npr++] = (struct os_probe){.type = type, .sub = sub, .state = OSP_TOSEND,
                                        .tryno = -1, .order = h->next_order++};
}

/* The first probe in the to-send list, or NULL. */
static struct os_probe *os_next(struct os_host *h)
{
    struct os_probe *best = NULL;
    for (int i = 0; i < h->npr; i++)
        if (h->pr[i].state == OSP_TOSEND && (!best || h->pr[i].order < best->order))
            best = &h->pr[i];
    return best;
}

static struct os_host *os_find(struct os_host *h, size_t n, uint32_t addr)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].res->addr == addr)
            return &h[i];
    return NULL;
}

/* Retires or requeues probes whose timeout passed; returns the earliest pending event. */
static uint64_t os_expire(struct os_host *h, uint64_t now, bool seq, uint64_t gap)
{
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < h->npr; i++) {
        struct os_probe *p = &h->pr[i];
        if (p->state != OSP_ACTIVE)
            continue;
        if (now - p->sent > h->timeout) {
            if (seq || p->tryno >= OS_MAX_TRY) {
                p->state = OSP_FREE;
            } else {
                p->state = OSP_TOSEND;
                p->order = h->next_order++;
            }
        } else if (p->sent + h->timeout + 1 < next) {
            next = p->sent + h->timeout + 1;
        }
    }
    if (os_next(h)) {
        uint64_t at = h->last_sent + gap;
        if (at < next)
            next = at;
    }
    return next;
}

/* One phase: send under the per-host gap, expire, receive, until nothing is pending. */
static int os_phase(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                    size_t n, bool seq, char *err, size_t errlen)
{
    int64_t delay = sc->cfg->timing.scan_delay_ns;
    uint64_t gap = TIMING_MS(seq ? OS_SEQ_GAP_MS : OS_TUI_GAP_MS);
    if (delay > 0 && (uint64_t)delay > gap)
        gap = (uint64_t)delay;
    uint8_t buf[WIRE_MAX_DGRAM];
    for (;;) {
        uint64_t now = pktio_now(sc->io), next = UINT64_MAX;
        for (size_t i = 0; i < n; i++) {
            struct os_probe *p = os_next(&h[i]);
            if (p && now >= h[i].last_sent + gap &&
                os_send_probe(sc, rd, &h[i], p, now, err, errlen) < 0)
                return -1;
            uint64_t e = os_expire(&h[i], now, seq, gap);
            if (e < next)
                next = e;
        }
        if (next == UINT64_MAX)
            return 0;
        for (;;) {
            size_t len = 0;
            uint64_t t = 0;
            int r = pktio_recv(sc->io, buf, sizeof buf, &len, &t, next);
            if (r < 0) {
                snprintf(err, errlen, "receive: %s", sc->io->err);
                return -1;
            }
            if (r == 0)
                break;
            struct wire_pkt pkt;
            if (wire_parse(buf, len, &pkt) != WIRE_OK || pkt.ip.dst != sc->io->src_addr)
                continue;
            struct os_host *hh = os_find(h, n, pkt.ip.src);
            if (hh && !hh->done)
                osscan_process(hh, rd, buf, len);
        }
    }
}

int osscan_seq_phase(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                     size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        h[i].npr = 0;
        if (h[i].done || h[i].open_port < 0)
            continue;
        for (uint8_t k = 0; k < OS_NSEQ; k++)
            os_add(&h[i], OSP_SEQ, k);
    }
    return os_phase(sc, rd, h, n, true, err, errlen);
}

int osscan_tui_phase(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                     size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        struct os_host *x = &h[i];
        x->npr = 0;
        if (x->done)
            continue;
        /* buildTUIProbeList: this order matters to the IP-ID tests (II after TI). */
        if (!x->have[OS_IE])
            for (uint8_t k = 0; k < 2; k++)
                os_add(x, OSP_IE, k);
        if (!x->have[OS_U1])
            os_add(x, OSP_U1, 0);
        if (x->open_port >= 0) {
            for (uint8_t k = 0; k < OS_NSEQ; k++)
                if (!x->ops_got[k] || !x->win_got[k])
                    os_add(x, OSP_OPS, k);
            if (!x->have[OS_ECN])
                os_add(x, OSP_ECN, 0);
            for (uint8_t k = 0; k < 4; k++)
                if (!x->have[OS_T1 + k])
                    os_add(x, OSP_T, k);
        }
        for (uint8_t k = 4; k < 7; k++)
            if (!x->have[OS_T1 + k])
                os_add(x, OSP_T, k);
    }
    return os_phase(sc, rd, h, n, false, err, errlen);
}
