/* host.c — a simulated host's IP, UDP and ICMP input: what a kernel does with a datagram
 * before (and besides) TCP, and the host table. What the host sends in ICMP (errors, their
 * budgets, replies too big for one datagram) is host_icmp.c.
 *
 * Behaviour copied from Linux (net/ipv4/ip_input.c, udp.c, icmp.c):
 *  - a bad IP header or transport checksum is dropped silently (ip_rcv_core, __udp4_lib_rcv,
 *    tcp_v4_rcv count it in a MIB and say nothing); fragments are reassembled before they
 *    get here (engine.c arrive_fragment, reasm.c), and an ICMP reply too big for the MTU
 *    leaves in fragments (host_icmp.c, RFC 791 3.2);
 *  - a UDP datagram to a closed port gets ICMP 3/3 (RFC 1122 4.1.3.1), built, limited and
 *    quoted by host_icmp.c;
 *  - echo request -> echo reply with the same id, sequence and data (RFC 792); timestamp
 *    request -> timestamp reply (RFC 792, Linux icmp_timestamp: nmap -PP);
 *  - an ICMP error quoting a TCP segment this host sent is handed to TCP (tcp_v4_err), which
 *    is how -sT learns a filter rejected it.
 * ICMP replies and errors take DF from personality.icmp_df (echo and timestamp replies the
 * request's, with icmp_echo_df), TTL from icmp_ttl when set, and their IP-ID from the host's
 * generator (Linux's ICMP socket never sets DF, so they read the hashed bucket: the
 * packet-counting lab depends on it; docs/facts/stacks.md section 2).
 *
 * UDP applications: an open port answers a datagram that carries data with a datagram back
 * echoing its first bytes (up to HOST_UDP_ECHO_MAX), and stays silent for an empty one, as
 * most real services (DNS, SNMP, NTP) ignore what they cannot parse: that is what makes
 * nmap's -sU say open|filtered for an empty probe and open when it gets an answer.
 */
#include "host.h"
#include "tcp_inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "reasm.h"
#include "lib/wire_int.h"   /* wire_emit_tcp_view */

enum { HOST_UDP_ECHO_MAX = 32 };

/* A portset with nothing in it, for hosts without a `tcp` key. */
static const struct scn_portset host_no_ports;

/* ---------------------------------------------------------------- table */

/* FNV-1a of a host name, for the name slots (sim_host_lookup): loading a scenario looks
 * every host's name up once, so a linear search made loading quadratic. */
static uint32_t table_name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h ^ (h >> 15);
}

static void table_name_put(uint32_t *nslot, uint32_t mask, const struct host *h)
{
    uint32_t i = table_name_hash(h->name) & mask;
    while (nslot[i])
        i = (i + 1) & mask;
    nslot[i] = h->idx + 1;
}

static int table_rehash(struct host_table *t, uint32_t nslots)
{
    uint32_t *slot = calloc(nslots, sizeof *slot);
    uint32_t *nslot = calloc(nslots, sizeof *nslot);
    if (!slot || !nslot) {
        free(slot);
        free(nslot);
        return -1;
    }
    for (uint32_t k = 0; k < t->n; k++) {
        uint32_t i = host_hash(t->v[k]->addr) & (nslots - 1);
        while (slot[i])
            i = (i + 1) & (nslots - 1);
        slot[i] = k + 1;
        table_name_put(nslot, nslots - 1, t->v[k]);
    }
    free(t->slot);
    free(t->nslot);
    t->slot = slot;
    t->nslot = nslot;
    t->mask = nslots - 1;
    return 0;
}

struct host *host_find_name(const struct host_table *t, const char *name)
{
    if (!t->nslot)
        return NULL;
    for (uint32_t i = table_name_hash(name) & t->mask;; i = (i + 1) & t->mask) {
        uint32_t v = t->nslot[i];
        if (v == 0)
            return NULL;
        if (strcmp(t->v[v - 1]->name, name) == 0)
            return t->v[v - 1];
    }
}

static int table_insert(struct host_table *t, struct host *h)
{
    if (t->n == t->capv) {
        uint32_t nc = t->capv ? t->capv * 2 : 16;
        struct host **v = realloc(t->v, nc * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->capv = nc;
    }
    h->idx = t->n;
    t->v[t->n++] = h;
    /* Keep the load factor at most 1/2. */
    if (!t->slot || t->n * 2 > t->mask + 1) {
        if (table_rehash(t, t->slot ? (t->mask + 1) * 2 : 64)) {
            t->n--;
            return -1;
        }
        return 0;
    }
    uint32_t i = host_hash(h->addr) & t->mask;
    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = h->idx + 1;
    table_name_put(t->nslot, t->mask, h);
    return 0;
}

static void host_free(struct host *h)
{
    if (!h)
        return;
    if (h->tcp)
        tcp_host_free(h->tcp);
    gen_ipid_free(&h->ipid);
    sim_pset_unref(h->tcp_ports);
    sim_pset_unref(h->udp);
    free(h->peers);
    free(h->svc);
    reasm_free(h->reasm);
    free(h);
}

/* A deep copy of h for the simulation s (sim_clone): its own TCP, generators and tables;
 * no tap (observers are not copied). NULL on out of memory. */
static struct host *host_clone(struct sim *s, const struct host *src)
{
    struct host *h = malloc(sizeof *h);
    if (!h)
        return NULL;
    *h = *src;
    h->sim = s;
    h->io.ctx = h;
    h->tap = NULL;
    h->tap_ctx = NULL;
    h->peers = NULL;
    h->tcp = NULL;
    h->svc = NULL;
    if (gen_ipid_clone(&h->ipid, &src->ipid)) {
        free(h);
        return NULL;
    }
    sim_pset_ref(h->tcp_ports);          /* the sets are read-only: shared */
    sim_pset_ref(h->udp);
    h->tcp = src->tcp ? tcp_host_clone(src->tcp) : NULL;
    if (src->cappeers && (h->peers = malloc(src->cappeers * sizeof *h->peers)))
        memcpy(h->peers, src->peers, src->cappeers * sizeof *h->peers);
    if (src->nsvc && (h->svc = malloc(src->nsvc * sizeof *h->svc)))
        memcpy(h->svc, src->svc, src->nsvc * sizeof *h->svc);
    if ((src->tcp && !h->tcp) || (src->cappeers && !h->peers) || (src->nsvc && !h->svc)) {
        host_free(h);
        return NULL;
    }
    return h;
}

int host_table_clone(struct sim *s, struct host_table *dst, const struct host_table *src)
{
    memset(dst, 0, sizeof *dst);
    dst->v = calloc(src->capv ? src->capv : 1, sizeof *dst->v);
    dst->slot = src->slot ? malloc((src->mask + 1) * sizeof *dst->slot) : NULL;
    dst->nslot = src->nslot ? malloc((src->mask + 1) * sizeof *dst->nslot) : NULL;
    if (!dst->v || (src->slot && !dst->slot) || (src->nslot && !dst->nslot)) {
        free(dst->v);
        free(dst->slot);
        free(dst->nslot);
        return -1;
    }
    dst->capv = src->capv;
    dst->mask = src->mask;
    if (src->slot)
        memcpy(dst->slot, src->slot, (src->mask + 1) * sizeof *dst->slot);
    if (src->nslot)
        memcpy(dst->nslot, src->nslot, (src->mask + 1) * sizeof *dst->nslot);
    for (uint32_t i = 0; i < src->n; i++) {
        if (!(dst->v[i] = host_clone(s, src->v[i]))) {
            host_table_free(dst);
            return -1;
        }
        dst->n = i + 1;
    }
    return 0;
}

void host_table_free(struct host_table *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        host_free(t->v[i]);
    free(t->v);
    free(t->slot);
    free(t->nslot);
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- TCP glue */

/* tcp_io.emit: one segment from h, numbered as TCP asks (tcp_ipinfo). A bare segment (no
 * options, no data: a RST, a pure ACK) that no one will read on its way, such as the RST a
 * scanner's own kernel answers a SYN-ACK with, gets its view alone (sim_slot.lazy): its
 * bytes are written only if a trace or tap turns up before it arrives. */
static void host_tcp_emit(void *ctx, uint32_t dst, const struct wire_tcp *seg,
                          const struct tcp_ipinfo *ii)
{
    struct host *h = ctx;
    struct sim *s = h->sim;
    struct sim_slot *sl;
    sim_obs_build(s, h->addr);
    h->tcp_ipid_fixed = ii->ipid >= 0 ? (uint32_t)ii->ipid_next + 1 : 0;
    uint32_t slot = sim_slot_take(s, &sl);
    if (slot == UINT32_MAX)
        return;
    struct wire_ipv4 ip = {
        .ttl = h->pers.ttl, .proto = WIRE_PROTO_TCP, .df = ii->df, .src = h->addr, .dst = dst,
    };
    ip.id = ii->ipid >= 0 ? (uint16_t)ii->ipid
                          : gen_ipid_next(&h->ipid, s->now, h->addr, dst, WIRE_PROTO_TCP, ii->df);
    const struct host *dh = sim_quiet_route(s, h, dst);
    if (dh && seg->opt.n == 0 && seg->payload_len == 0 && !sim_reads_bytes(dh)) {
        sl->len = (uint16_t)wire_tcp_view_bare(sl->buf, &ip, seg, &sl->view);
        sl->trusted = sl->viewed = sl->lazy = true;
        sim_queue_arrival(s, slot, sl, dh);
        return;
    }
    size_t n = wire_emit_tcp_view(sl->buf, sizeof sl->buf, &ip, seg, &sl->view);
    if (n == 0) {   /* bigger than the MTU: a real stack would have segmented it */
        sim_slot_free(s, slot);
        return;
    }
    sl->len = (uint16_t)n;
    sl->trusted = sl->viewed = true;
    if (dh)
        sim_queue_arrival(s, slot, sl, dh);
    else
        sim_send(s, slot, sl, h, dst);
}

/* tcp_io.timer_key: the sequence number a queue entry for a timer armed now would take. */
static uint64_t host_tcp_timer_key(void *ctx)
{
    struct host *h = ctx;
    return sim_queue_seq(h->sim, SQ_TIMER);
}

/* tcp_io.timer_at: the host's one queue entry for its TCP timers, which will call
 * tcp_timer_due(token). */
static void host_tcp_timer_at(void *ctx, uint64_t t_ns, uint64_t key, uint64_t token)
{
    struct host *h = ctx;
    sim_queue_push_seq(h->sim, t_ns, key, SQ_TIMER, h->idx, token);
}

const struct tcp_io *host_io(struct sim *s, struct host *h)
{
    h->io.now_ns = s->now;
    /* A trace may be attached or removed between events: decide per call. */
    h->io.quiet = !sim_tracing(s);
    return &h->io;
}

static void verdict_init(struct tcp_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->state_before = v->state_after = TCB_NONE;
}

void host_timer(struct sim *s, struct host *h, uint64_t token)
{
    /* An entry superseded by an earlier timer, or whose timer was stopped, does nothing and
     * reports nothing (tcp_timer_due). */
    struct tcp_verdict v;
    h->tcp_ipid_fixed = 0;
    if (h->tcp && tcp_timer_due(h->tcp, host_io(s, h), token, &v) && sim_tracing(s) && v.action) {
        v.ipid_fixed = h->tcp_ipid_fixed;
        sim_report(s, SIM_EV_TIMER, NULL, 0, h, h->addr, v.action, v.rule_id, v.rule, &v);
    }
}

/* ---------------------------------------------------------------- creation */

struct tcp_host *host_tcp(struct host *h)
{
    if (h->tcp)
        return h->tcp;
    h->tcp = tcp_host_new(&h->pers, h->addr, h->tcp_ports ? &h->tcp_ports->set : &host_no_ports,
                          h->sim->seed, h->name);
    for (uint8_t i = 0; h->tcp && i < h->ntrust; i++)
        tcp_listen_from(h->tcp, h->trust[i].port, h->trust[i].addr);
    if (h->tcp && tcp_host_services(h->tcp, h->svc, h->nsvc) < 0) {
        tcp_host_free(h->tcp);
        h->tcp = NULL;
    }
    return h->tcp;
}

struct host *host_add(struct sim *s, const struct scn_host *sh, struct sim_pset *tcp,
                      struct sim_pset *udp, char *err, size_t errlen)
{
    if (host_find(&s->hosts, sh->addr)) {
        char a[16];
        snprintf(err, errlen, "host %s: address %s is already taken", sh->name,
                 wire_ip_str(sh->addr, a));
        return NULL;
    }
    struct host *h = calloc(1, sizeof *h);
    if (!h)
        goto oom;
    snprintf(h->name, sizeof h->name, "%s", sh->name);
    h->addr = sh->addr;
    h->pers = sh->pers;
    h->down = sh->down;
    h->scanner = sh->scanner;
    h->net = sim_net_find(s, sh->addr);
    h->filt_in = h->filt_out = -1;
    h->sim = s;
    h->io = (struct tcp_io){ .ctx = h, .emit = host_tcp_emit, .timer_key = host_tcp_timer_key,
                             .timer_at = host_tcp_timer_at };
    if (gen_ipid_init(&h->ipid, &h->pers.ipid, s->seed, h->name)) {
        free(h);
        goto oom;
    }
    h->tcp_ports = sim_pset_ref(tcp);
    h->udp = sim_pset_ref(udp);
    h->ntrust = sh->ntrust <= SCN_TRUST_MAX ? sh->ntrust : SCN_TRUST_MAX;
    memcpy(h->trust, sh->trust, h->ntrust * sizeof *h->trust);
    if (sh->nsvc) {                      /* the services, given to TCP when it is made */
        if (!(h->svc = malloc(sh->nsvc * sizeof *h->svc)))
            goto oom_h;
        memcpy(h->svc, sh->svc, sh->nsvc * sizeof *h->svc);
        h->nsvc = sh->nsvc;
    }
    if (table_insert(&s->hosts, h))
        goto oom_h;
    return h;
oom_h:
    host_free(h);
oom:
    snprintf(err, errlen, "host %s: out of memory", sh->name);
    return NULL;
}

/* ---------------------------------------------------------------- input */

/* What the host did, the rule's ID (docs/rules.md) and its text. */
struct decision {
    const char *action, *id, *rule;
};

/* A closed UDP port that this stack answers with ICMP 3/3. */
static bool udp_unreachable(const struct host *h, uint16_t dport)
{
    return (!h->udp || !scn_port_in(&h->udp->set, dport)) && h->pers.udp_unreach;
}

static struct decision udp_input(struct sim *s, struct host *h, const struct wire_pkt *p,
                                 const uint8_t *pkt)
{
    const struct wire_udp *u = &p->l4.udp;
    if (!h->udp || !scn_port_in(&h->udp->set, u->dport)) {
        if (!h->pers.udp_unreach)
            return (struct decision){ "drop", "udp-closed-silent", "closed UDP port; this stack sends no ICMP" };
        const char *why = NULL, *why_id = NULL;
        if (!host_icmp_error(s, h, p->ip.src, ICMP_UNREACH, ICMP_PORT_UNREACH, pkt,
                             p->ip.total_len, false, &why_id, &why))
            return (struct decision){ "drop", why_id, why };
        return (struct decision){ "ICMP 3/3", "rfc1122-4.1.3.1", "RFC 1122 4.1.3.1: UDP port unreachable" };
    }
    if (u->payload_len == 0)
        return (struct decision){ "accept", "udp-open-empty", "open UDP port: empty datagram, the application stays silent" };
    sim_obs_build(s, h->addr);
    uint32_t slot = sim_slot_alloc(s);
    if (slot == UINT32_MAX)
        return (struct decision){ "drop", "sim-oom", "out of memory" };
    struct wire_ipv4 ip = {
        .ttl = h->pers.ttl, .proto = WIRE_PROTO_UDP, .df = h->pers.df,
        .src = h->addr, .dst = p->ip.src,
    };
    ip.id = gen_ipid_next(&h->ipid, s->now, h->addr, ip.dst, WIRE_PROTO_UDP,
                          ip.df && !h->pers.udp_df_shared_id);
    struct wire_udp r = {
        .sport = u->dport, .dport = u->sport, .payload = u->payload,
        .payload_len = u->payload_len < HOST_UDP_ECHO_MAX ? u->payload_len : HOST_UDP_ECHO_MAX,
    };
    struct sim_slot *sl = sim_slot(s, slot);
    sl->len = (uint16_t)wire_emit_udp(sl->buf, sizeof sl->buf, &ip, &r);
    if (sl->len == 0) {
        sim_slot_free(s, slot);
        return (struct decision){ "drop", "udp-reply-too-big", "reply too big" };
    }
    sl->trusted = true;
    sim_send(s, slot, sl, h, ip.dst);
    return (struct decision){ "UDP reply", "udp-open-echo", "open UDP port: the application answers (echoes the first bytes)" };
}

/* An ICMP error quoting a TCP segment this host sent: tell TCP (tcp_v4_err). */
static bool icmp_to_tcp(struct sim *s, struct host *h, const struct wire_icmp *ic,
                        struct tcp_verdict *v)
{
    /* The quote is truncated by design: parse its header only, then read the ports. */
    if (ic->payload_len < WIRE_IPV4_HDR_MIN + 8)
        return false;
    const uint8_t *b = ic->payload;
    size_t ihl = (size_t)(b[0] & 0x0f) * 4;
    if ((b[0] >> 4) != 4 || ihl < WIRE_IPV4_HDR_MIN || ic->payload_len < ihl + 8)
        return false;
    uint32_t qsrc = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
    uint32_t qdst = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
    if (b[9] != WIRE_PROTO_TCP || qsrc != h->addr)
        return false;
    uint16_t sport = (uint16_t)(b[ihl] << 8 | b[ihl + 1]);
    uint16_t dport = (uint16_t)(b[ihl + 2] << 8 | b[ihl + 3]);
    if (!host_tcp(h))
        return false;   /* out of memory */
    tcp_icmp_error(h->tcp, host_io(s, h), ic->type, ic->code, sport, qdst, dport, v);
    return true;
}

static void host_st32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* DF of an echo or timestamp reply: the request's on stacks that reflect its header. */
static bool icmp_reply_df(const struct host *h, const struct wire_pkt *p)
{
    return h->pers.icmp_echo_df ? p->ip.df : h->pers.icmp_df;
}

/* Linux icmp_timestamp (RFC 792; RFC 1122 3.2.2.8 MAY): a request needs at least its 4-byte
 * originate timestamp ("Too short" otherwise: dropped). The reply is always 8 + 12 bytes
 * (head_len = sizeof(struct icmphdr) + 12): id and sequence echoed, originate copied,
 * receive = transmit = milliseconds since midnight UT (inet_current_timestamp; here the
 * virtual clock), big-endian. It leaves through icmp_reply like an echo reply: no DF, the
 * ICMP IP-ID counter, never rate limited (14 is outside icmp_ratemask). Every stack that
 * answers echo answers it here (nmap -PP's target). */
static struct decision icmp_timestamp(struct sim *s, struct host *h, const struct wire_pkt *p)
{
    const struct wire_icmp *ic = &p->l4.icmp;
    if (!h->pers.icmp_echo)
        return (struct decision){ "drop", "icmp-query-ignored", "ICMP queries ignored by this stack" };
    if (ic->payload_len < 4)
        return (struct decision){ "drop", "linux-icmp-timestamp-short",
                                          "Linux icmp_timestamp: no originate timestamp "
                                          "(under 4 bytes): drop" };
    uint8_t ts[12];
    uint32_t ms = (uint32_t)(s->now / 1000000u % 86400000u);
    memcpy(ts, ic->payload, 4);
    host_st32(ts + 4, ms);
    host_st32(ts + 8, ms);
    struct wire_icmp r = {
        .type = ICMP_TIMESTAMP_REPLY, .id = ic->id, .seq = ic->seq, .rest = ic->rest,
        .payload = ts, .payload_len = sizeof ts,
    };
    if (!host_icmp_send(s, h, p->ip.src, &r, false, icmp_reply_df(h, p)))
        return (struct decision){ "drop", "sim-oom", "out of memory" };
    return (struct decision){ "timestamp reply", "rfc792-timestamp",
                                         "RFC 792: timestamp reply, originate copied, "
                                                 "receive = transmit = ms since midnight UT" };
}

/* noinline: keeps host_input, inlined into the engine's loop, as small as a TCP scan needs */
__attribute__((noinline))
static struct decision icmp_input(struct sim *s, struct host *h, const struct wire_pkt *p,
                                  struct tcp_verdict *v)
{
    const struct wire_icmp *ic = &p->l4.icmp;
    switch (ic->type) {
    case ICMP_ECHO: {
        if (!h->pers.icmp_echo)
            return (struct decision){ "drop", "icmp-echo-ignored", "echo requests ignored by this stack" };
        struct wire_icmp r = {
            .type = ICMP_ECHO_REPLY, .code = h->pers.icmp_echo_code_zero ? 0 : ic->code,
            .id = ic->id, .seq = ic->seq, .rest = ic->rest,
            .payload = ic->payload, .payload_len = ic->payload_len,
        };
        if (!host_icmp_send(s, h, p->ip.src, &r, false, icmp_reply_df(h, p)))
            return (struct decision){ "drop", "sim-oom", "out of memory" };
        return (struct decision){ "echo reply", "rfc792-echo", "RFC 792: echo reply, same id, seq and data" };
    }
    case ICMP_TIMESTAMP:
        return icmp_timestamp(s, h, p);
    case ICMP_UNREACH: case ICMP_TIME_EXCEEDED: case 4: case 12:
        if (icmp_to_tcp(s, h, ic, v))
            return (struct decision){ v->action ? v->action : "accept",
                                      v->rule_id ? v->rule_id : "icmp-error-to-tcp",
                                      v->rule ? v->rule : "ICMP error handed to TCP" };
        return (struct decision){ "accept", "icmp-error-no-socket", "ICMP error: no TCP socket to tell" };
    default:
        return (struct decision){ "accept", "icmp-no-answer", "ICMP message needs no answer" };
    }
}

void host_input(struct sim *s, struct host *h, const struct wire_pkt *p, const uint8_t *pkt,
                size_t len)
{
    struct tcp_verdict v;
    /* A valid TCP segment first, straight to TCP (three times per probe round trip of a SYN
     * scan); tcp_input fills the verdict itself. */
    if (p->ip.csum_ok && p->l4_err == WIRE_OK && p->ip.proto == WIRE_PROTO_TCP &&
        p->l4.tcp.csum_ok) {
        h->tcp_ipid_fixed = 0;
        if (!host_tcp(h))
            return;   /* out of memory: the segment is lost */
        tcp_input(h->tcp, host_io(s, h), &p->ip, &p->l4.tcp, &v);
        v.ipid_fixed = h->tcp_ipid_fixed;
        if (sim_tracing(s))
            sim_report(s, SIM_EV_RECV, pkt, len, h, h->addr, v.action ? v.action : "accept",
                       v.rule_id, v.rule, &v);
        if (h->pending_connects)
            script_check_pending(s, h);
        return;
    }
    verdict_init(&v);
    struct decision d = { "drop", NULL, NULL };
    enum sim_ev_kind kind = SIM_EV_RECV;

    if (!p->ip.csum_ok) {
        d.id = "ip-bad-checksum";
        d.rule = "bad checksum";
        kind = SIM_EV_DROP;
    } else if (p->l4_err == WIRE_EFRAG) {
        d.id = "ip-fragment";
        d.rule = "fragment: not reassembled (an external host's own kernel does that)";
        kind = SIM_EV_DROP;
    } else if (p->l4_err == WIRE_EPROTO) {
        d.id = "ip-proto";
        d.rule = "protocol not handled";
        kind = SIM_EV_DROP;
    } else if (p->l4_err != WIRE_OK) {
        d.id = "ip-malformed";
        d.rule = "malformed transport header";
        kind = SIM_EV_DROP;
    } else if (p->ip.proto == WIRE_PROTO_TCP) {   /* a valid segment went to TCP above */
        d.id = "ip-bad-checksum";
        d.rule = "bad checksum";
        kind = SIM_EV_DROP;
    } else if (p->ip.proto == WIRE_PROTO_UDP) {
        if (!p->l4.udp.csum_ok) {
            d.id = "ip-bad-checksum";
            d.rule = "bad checksum";
            kind = SIM_EV_DROP;
        } else {
            d = udp_input(s, h, p, pkt);
        }
    } else if (p->ip.proto == WIRE_PROTO_ICMP) {
        if (!p->l4.icmp.csum_ok) {
            d.id = "ip-bad-checksum";
            d.rule = "bad checksum";
            kind = SIM_EV_DROP;
        } else {
            d = icmp_input(s, h, p, &v);
        }
    }
    if (kind == SIM_EV_DROP)
        s->stats.dropped++;
    if (sim_tracing(s)) {
        /* The record's ipid= is the counter the reply took: ICMP's for a UDP datagram to a
         * closed port (answered or refused by a budget), else the datagram's own. */
        uint8_t ipid_proto = kind == SIM_EV_RECV && p->ip.proto == WIRE_PROTO_UDP &&
                             udp_unreachable(h, p->l4.udp.dport) ? WIRE_PROTO_ICMP : 0;
        sim_report_as(s, kind, pkt, len, h, h->addr, d.action, d.id, d.rule, &v, ipid_proto);
    }
    if (h->pending_connects && p->ip.proto == WIRE_PROTO_TCP)
        script_check_pending(s, h);
}

/* ---------------------------------------------------------------- the host's own fields */

int host_set_filter(struct host *h, bool inbound, int idx)
{
    int *slot = inbound ? &h->filt_in : &h->filt_out;
    if (idx >= 0 && *slot >= 0)
        return -1;
    *slot = idx;
    return 0;
}

void host_set_tap(struct host *h, sim_tap_fn fn, void *ctx, bool external)
{
    h->tap = fn;
    h->tap_ctx = fn ? ctx : NULL;
    h->external = fn && external;
}

void host_set_attached(struct host *h, bool on) { h->attached = on; }

void host_set_from_pop(struct host *h) { h->from_pop = true; }

void host_connect_waiting(struct host *h, int delta)
{
    if (delta > 0)
        h->pending_connects++;
    else if (h->pending_connects)
        h->pending_connects--;
}

struct reasm *host_reasm(struct host *h)
{
    if (!h->reasm)
        h->reasm = reasm_new();
    return h->reasm;
}
