/* host_icmp.c — what a simulated host sends in ICMP: errors and replies, their budgets,
 * their quotes, and fragments for a reply too big for the MTU.
 *
 * Why apart from host.c: this is the part every stack difference in ICMP lands in (nmap's
 * U1 and IE tests read it), and it has state of its own (the per-peer buckets). Behaviour
 * copied from Linux (net/ipv4/icmp.c) unless the personality says otherwise:
 *  - an error quotes the IP header and as much of the datagram as fits in 576 bytes in all
 *    (icmp_send: 576 - 20 - 8 = 548 quoted bytes), or, on stacks whose personality says so,
 *    the IP header and the first personality.icmp_quote bytes (the BSDs' icmp_error:
 *    RFC 792's 8, FreeBSD 12's 548; a filter's reject is iptables', Linux's, whatever the
 *    host);
 *  - errors are limited twice: host-wide (`icmp-rate N/s`, aligned one-second slots of the
 *    virtual clock, FreeBSD badport_bandlim's shape) and, when the personality says so, per
 *    destination by Linux's token bucket (inet_peer xrlim_allow: one token per 1000 ms,
 *    burst 6, a new peer starts full) for the types in icmp_ratemask 0x1818 (3, 4, 11, 12;
 *    fragmentation-needed exempt); echo replies are never limited;
 *  - a datagram bigger than the MTU leaves in fragments (RFC 791 3.2, ip_do_fragment).
 * DF from personality.icmp_df (the caller decides for echo replies), TTL from icmp_ttl
 * when set, IP-ID from the host's generator. struct host's ICMP fields are written here and
 * in host.c only (tests/unit/owners.sh).
 */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "lib/wire_int.h"

enum { HOST_ICMP_QUOTE_MAX = 576 - WIRE_IPV4_HDR_MIN - WIRE_ICMP_HDR };   /* 548 */

static const uint64_t NS_PER_S = 1000000000ULL;
/* Linux icmp_ratelimit (1000 ms) and XRLIM_BURST_FACTOR (6). */
static const uint64_t PEER_TIMEOUT_NS = 1000000000ULL;
enum { PEER_BURST = 6 };

/* ---------------------------------------------------------------- ICMP budgets */

static struct host_peer *peer_get(struct host *h, uint32_t addr)
{
    if (h->npeers * 2 >= h->cappeers) {
        uint32_t nc = h->cappeers ? h->cappeers * 2 : 16;
        struct host_peer *np = calloc(nc, sizeof *np);
        if (!np)
            return NULL;
        for (uint32_t k = 0; k < h->cappeers; k++) {
            if (!h->peers[k].used)
                continue;
            uint32_t i = host_hash(h->peers[k].addr) & (nc - 1);
            while (np[i].used)
                i = (i + 1) & (nc - 1);
            np[i] = h->peers[k];
        }
        free(h->peers);
        h->peers = np;
        h->cappeers = nc;
    }
    uint32_t m = h->cappeers - 1;
    for (uint32_t i = host_hash(addr) & m;; i = (i + 1) & m) {
        struct host_peer *p = &h->peers[i];
        if (p->used && p->addr == addr)
            return p;
        if (!p->used) {
            /* inet_getpeer: rate_last = jiffies - 60*HZ, so a new peer starts with a
             * full bucket (the burst). */
            *p = (struct host_peer){ .addr = addr, .used = true, .tokens_ns = 0,
                                     .last_ns = h->sim->now - 60 * NS_PER_S };
            h->npeers++;
            return p;
        }
    }
}

/* Linux icmpv4_xrlim_allow / inet_peer_xrlim_allow. */
static bool peer_allow(struct host *h, uint32_t dst, bool commit)
{
    struct host_peer *p = peer_get(h, dst);
    if (!p)
        return false;
    uint64_t now = h->sim->now;
    uint64_t tok = p->tokens_ns + (now - p->last_ns);
    if (tok > PEER_BURST * PEER_TIMEOUT_NS)
        tok = PEER_BURST * PEER_TIMEOUT_NS;
    bool ok = tok >= PEER_TIMEOUT_NS;
    if (!commit)
        return ok;
    if (ok)
        tok -= PEER_TIMEOUT_NS;
    p->tokens_ns = tok;
    p->last_ns = now;
    return ok;
}

bool host_icmp_limited(uint8_t type, uint8_t code)
{
    if (type == ICMP_UNREACH && code == ICMP_FRAG_NEEDED)
        return false;
    return type < 32 && ((0x1818u >> type) & 1);
}

/* Whether an ICMP error may go out now; spends the budgets when it may. */
static bool icmp_budget(struct sim *s, struct host *h, uint32_t dst, uint8_t type, uint8_t code,
                        const char **why_id, const char **why)
{
    if (!host_icmp_limited(type, code))
        return true;
    uint64_t slot = s->now / NS_PER_S;
    if (h->pers.icmp_rate) {
        if (slot != h->icmp_slot) {
            h->icmp_slot = slot;
            h->icmp_used = 0;
        }
        if (h->icmp_used >= h->pers.icmp_rate) {
            *why_id = "budget-icmp-rate";
            *why = sim_tracing(s) ? sim_fmt(s, "icmp-rate %u/s: budget spent",
                                            (unsigned)h->pers.icmp_rate)
                                  : "icmp-rate: budget spent";
            return false;
        }
    }
    if (h->pers.icmp_per_dest_bucket && !peer_allow(h, dst, true)) {
        *why_id = "linux-icmp-ratelimit";
        *why = "icmp_ratelimit 1/s per destination, burst 6 (Linux): budget spent";
        return false;
    }
    if (h->pers.icmp_rate)
        h->icmp_used++;
    return true;
}

/* ---------------------------------------------------------------- ICMP out */

/* A datagram bigger than the MTU leaves in fragments (RFC 791 3.2, Linux ip_do_fragment):
 * each carries a copy of the 20-byte header with the same identification, DF clear, MF on
 * all but the last, its offset in 8-octet units and (MTU - 20) & ~7 = 1480 data bytes. */
static bool host_send_fragments(struct sim *s, struct host *h, const uint8_t *d, size_t len,
                                uint32_t dst)
{
    size_t hl = (size_t)(d[0] & 0x0f) * 4, per = (WIRE_MTU - hl) & ~(size_t)7;
    for (size_t off = 0; off < len - hl; off += per) {
        size_t n = len - hl - off < per ? len - hl - off : per;
        bool last = off + n == len - hl;
        struct sim_slot *sl;
        uint32_t slot = sim_slot_take(s, &sl);
        if (slot == UINT32_MAX)
            return false;
        memcpy(sl->buf, d, hl);
        memcpy(sl->buf + hl, d + hl + off, n);
        size_t tl = hl + n;
        uint16_t fo = (uint16_t)((last ? 0 : 0x2000) | (off / 8));
        sl->buf[2] = (uint8_t)(tl >> 8);
        sl->buf[3] = (uint8_t)tl;
        sl->buf[6] = (uint8_t)(fo >> 8);
        sl->buf[7] = (uint8_t)fo;
        sl->buf[10] = sl->buf[11] = 0;
        uint16_t c = wire_csum_fold(wire_csum_add(0, sl->buf, hl));
        sl->buf[10] = (uint8_t)(c >> 8);
        sl->buf[11] = (uint8_t)c;
        sl->len = (uint16_t)tl;
        sl->trusted = true;
        sim_send(s, slot, sl, h, dst);
    }
    return true;
}

/* An ICMP message too big for one datagram on the wire (the echo reply to a large echo
 * request, reassembled): built whole, then sent in fragments. */
static bool icmp_send_big(struct sim *s, struct host *h, const struct wire_ipv4 *ip,
                          const struct wire_icmp *ic)
{
    if (!s->bigbuf && !(s->bigbuf = malloc(WIRE_MAX_DGRAM)))
        return false;
    size_t n = wire_emit_icmp(s->bigbuf, WIRE_MAX_DGRAM, ip, ic);
    return n > WIRE_MTU && host_send_fragments(s, h, s->bigbuf, n, ip->dst);
}

/* An ICMP message from h to dst with DF as given; raw: a filter's reject (sim_out_push). */
bool host_icmp_send(struct sim *s, struct host *h, uint32_t dst, const struct wire_icmp *ic,
                    bool raw, bool df)
{
    struct sim_slot *sl;
    sim_obs_build(s, h->addr);
    uint32_t slot = sim_slot_take(s, &sl);
    if (slot == UINT32_MAX)
        return false;
    struct wire_ipv4 ip = {
        .ttl = h->pers.icmp_ttl && !raw ? h->pers.icmp_ttl : h->pers.ttl, .proto = WIRE_PROTO_ICMP,
        .df = df, .src = h->addr, .dst = dst,
    };
    ip.id = gen_ipid_next(&h->ipid, s->now, h->addr, dst, WIRE_PROTO_ICMP, ip.df);
    size_t n = wire_emit_icmp(sl->buf, sizeof sl->buf, &ip, ic);
    if (n == 0) {
        sim_slot_free(s, slot);
        ip.df = false;   /* a local stack fragments its own large datagram */
        return !raw && icmp_send_big(s, h, &ip, ic);
    }
    sl->len = (uint16_t)n;
    sl->trusted = true;
    if (raw)
        sim_out_push(s, slot, h, true);
    else
        sim_send(s, slot, sl, h, dst);
    return true;
}

bool host_icmp_error(struct sim *s, struct host *h, uint32_t dst, uint8_t type, uint8_t code,
                     const uint8_t *orig, size_t origlen, bool raw, const char **why_id,
                     const char **why)
{
    const char *id_spare;
    if (!why_id)
        why_id = &id_spare;
    if (!icmp_budget(s, h, dst, type, code, why_id, why))
        return false;
    /* How much of the datagram goes back: the stack's own rule, or Linux's for a filter's
     * reject (iptables REJECT is icmp_send) */
    size_t quote = HOST_ICMP_QUOTE_MAX;
    if (!raw && h->pers.icmp_quote && origlen >= WIRE_IPV4_HDR_MIN)
        quote = (size_t)(orig[0] & 0x0f) * 4 + h->pers.icmp_quote;
    struct wire_icmp ic = {
        .type = type, .code = code, .payload = orig,
        .payload_len = origlen < quote ? origlen : quote,
    };
    uint8_t host_order[64];
    if (!raw && h->pers.icmp_quote_host_order && ic.payload_len <= sizeof host_order &&
        ic.payload_len >= WIRE_IPV4_HDR_MIN) {
        /* 4.3BSD ip_input converted ip_id to host order (a VAX is little-endian) and left
         * ip_sum 0 (in_cksum of a good header); udp_input's check leaves ui_sum 0 too. */
        memcpy(host_order, orig, ic.payload_len);
        uint8_t t = host_order[4];
        host_order[4] = host_order[5];
        host_order[5] = t;
        host_order[10] = host_order[11] = 0;
        size_t ihl = (size_t)(host_order[0] & 0x0f) * 4;
        if (host_order[9] == WIRE_PROTO_UDP && ic.payload_len >= ihl + 8)
            host_order[ihl + 6] = host_order[ihl + 7] = 0;
        ic.payload = host_order;
    }
    if (!host_icmp_send(s, h, dst, &ic, raw, h->pers.icmp_df)) {
        *why_id = "sim-oom";
        *why = "out of memory";
        return false;
    }
    return true;
}
