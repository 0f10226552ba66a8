/* filter.c — middleboxes: a host firewall in front of one host, in or out, like one
 * iptables chain (INPUT or OUTPUT) with an optional conntrack.
 *
 * Rules are read top down and the first match wins, then the policy (iptables' chain
 * traversal). Reject sends exactly what Linux's REJECT target sends:
 *  - icmp-*: nf_send_unreach -> icmp_send: type 3 with the chosen code, from the filtered
 *    host's address, quoting the IP header and as much of the datagram as fits in 576 bytes,
 *    numbered by the host's IP-ID generator and subject to its ICMP budgets; never about an
 *    ICMP error or a non-first fragment (RFC 1122 3.2.2);
 *  - tcp-reset: nf_send_reset (net/ipv4/netfilter/nf_reject_ipv4.c): reversed addresses and
 *    ports; if the offending segment had ACK, <SEQ=SEG.ACK><CTL=RST>, else <SEQ=0>
 *    <ACK=SEG.SEQ+SEG.LEN (SYN and FIN count 1)><CTL=RST,ACK>; window 0, TTL 64 (the
 *    sysctl default), DF set, IP-ID 0; never in answer to a RST, a fragment or a segment
 *    with a bad checksum (nf_reject_ip_tcphdr_get).
 * `stateful` is a small conntrack (nf_conntrack, reduced): a 5-tuple table fed by every
 * packet the filter sees, in either direction, that was accepted and opens a flow (a TCP
 * SYN without ACK, any UDP datagram, an ICMP echo or timestamp request). What passes
 * without the rules is what `-m state --state ESTABLISHED,RELATED -j ACCEPT` at the head of
 * the chain passes:
 *  - a reply: the reverse of a tracked flow (for ICMP, the echo or timestamp reply to a
 *    tracked request with the same id; a request the other way is a new flow, as
 *    nf_conntrack_proto_icmp inverts the type);
 *  - once a reply has been seen, every later packet of the flow in either direction
 *    (conntrack's ESTABLISHED): the client's ACK completing a handshake that an inbound
 *    `accept tcp dport 80 flags syn` let in, then its data;
 *  - an ICMP error quoting a tracked flow (RELATED).
 * Before a reply, a second packet from the originator is still NEW and meets the rules.
 * So replies to connections the host opened pass an inbound `drop tcp`, new inbound
 * connections do not. Entries never expire: a simulated run is short.
 */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct ct_ent {
    bool used;
    bool replied;             /* a reply passed: ESTABLISHED, both directions pass */
    uint8_t proto;
    uint8_t itype;            /* ICMP: the request type (echo 8, timestamp 13); else 0 */
    uint16_t p1, p2;          /* originator's port, responder's port (ICMP: the id) */
    uint32_t a1, a2;          /* originator, responder */
};

struct filter {
    struct scn_filter cfg;    /* rules point at our own copy */
    struct ct_ent *ct;
    uint32_t nct, capct;
    uint64_t *hits;           /* datagrams each rule decided; [nrules]: the policy */
    uint64_t ct_passed;       /* datagrams conntrack let through without the rules */
    char msg[192];            /* the rule text for the trace, formatted only when tracing */
};

struct filter *filter_new(const struct scn_filter *cfg)
{
    struct filter *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->cfg = *cfg;
    f->cfg.rules = NULL;
    f->hits = calloc(cfg->nrules + 1, sizeof *f->hits);
    if (!f->hits) {
        free(f);
        return NULL;
    }
    if (cfg->nrules) {
        f->cfg.rules = malloc(cfg->nrules * sizeof *f->cfg.rules);
        if (!f->cfg.rules) {
            free(f->hits);
            free(f);
            return NULL;
        }
        memcpy(f->cfg.rules, cfg->rules, cfg->nrules * sizeof *f->cfg.rules);
    }
    return f;
}

void filter_free(struct filter *f)
{
    if (!f)
        return;
    free(f->cfg.rules);
    free(f->ct);
    free(f->hits);
    free(f);
}

struct filter *filter_clone(const struct filter *src)
{
    struct filter *f = malloc(sizeof *f);
    if (!f)
        return NULL;
    *f = *src;
    f->cfg.rules = NULL;
    f->ct = NULL;
    f->hits = malloc((src->cfg.nrules + 1) * sizeof *f->hits);
    if (src->cfg.nrules)
        f->cfg.rules = malloc(src->cfg.nrules * sizeof *f->cfg.rules);
    if (src->capct)
        f->ct = malloc(src->capct * sizeof *f->ct);
    if (!f->hits || (src->cfg.nrules && !f->cfg.rules) || (src->capct && !f->ct)) {
        filter_free(f);
        return NULL;
    }
    memcpy(f->hits, src->hits, (src->cfg.nrules + 1) * sizeof *f->hits);
    if (src->cfg.nrules)
        memcpy(f->cfg.rules, src->cfg.rules, src->cfg.nrules * sizeof *f->cfg.rules);
    if (src->capct)
        memcpy(f->ct, src->ct, src->capct * sizeof *f->ct);
    return f;
}

void filter_inspect(const struct filter *f, struct sim_filter_info *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", f->cfg.name);
    snprintf(out->host, sizeof out->host, "%s", f->cfg.host);
    out->host_addr = f->cfg.host_addr;
    out->inbound = f->cfg.inbound;
    out->stateful = f->cfg.stateful;
    out->policy_drop = f->cfg.policy != SCN_ACCEPT;
    out->policy_line = f->cfg.policy_pos.line ? f->cfg.policy_pos.line : f->cfg.pos.line;
    out->policy_hits = f->hits[f->cfg.nrules];
    out->conntrack_passed = f->ct_passed;
    out->nrules = (uint32_t)f->cfg.nrules;
    out->nconntrack = f->nct;
}

int filter_inspect_rule(const struct filter *f, size_t i, struct sim_rule_info *out)
{
    if (i >= f->cfg.nrules)
        return -1;
    memset(out, 0, sizeof *out);
    snprintf(out->text, sizeof out->text, "%s", f->cfg.rules[i].text);
    out->line = f->cfg.rules[i].pos.line;
    out->hits = f->hits[i];
    return 0;
}

static int ct_info_cmp(const void *a, const void *b)
{
    const struct sim_ct_info *x = a, *y = b;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    if (x->orig != y->orig)
        return x->orig < y->orig ? -1 : 1;
    if (x->orig_port != y->orig_port)
        return x->orig_port < y->orig_port ? -1 : 1;
    if (x->resp != y->resp)
        return x->resp < y->resp ? -1 : 1;
    return (x->resp_port > y->resp_port) - (x->resp_port < y->resp_port);
}

int filter_inspect_ct(const struct filter *f, struct sim_ct_info *out, size_t max)
{
    /* All entries are copied and sorted when they fit; else the first `max` by table order. */
    size_t n = 0;
    for (uint32_t i = 0; i < f->capct; i++) {
        const struct ct_ent *e = &f->ct[i];
        if (!e->used)
            continue;
        if (n < max)
            out[n] = (struct sim_ct_info){ e->proto, e->a1, e->a2, e->p1, e->p2, e->replied };
        n++;
    }
    if (out && n <= max)
        qsort(out, n, sizeof *out, ct_info_cmp);
    return (int)n;
}

bool filter_stateful(const struct filter *f) { return f->cfg.stateful; }
bool filter_inbound(const struct filter *f) { return f->cfg.inbound; }

/* ---------------------------------------------------------------- conntrack */

struct tuple {
    uint8_t proto;
    uint16_t sp, dp;
    uint32_t src, dst;
    uint8_t itype;            /* ICMP: the request type this message is or answers; else 0 */
    bool ireply;              /* ICMP: an echo or timestamp reply */
};

/* The flow a datagram belongs to; false for ICMP errors and unparsed transports. */
static bool tuple_of(const struct wire_pkt *p, struct tuple *t)
{
    *t = (struct tuple){ p->ip.proto, 0, 0, p->ip.src, p->ip.dst, 0, false };
    if (p->l4_err != WIRE_OK)
        return p->l4_err == WIRE_EPROTO;
    switch (p->ip.proto) {
    case WIRE_PROTO_TCP:
        t->sp = p->l4.tcp.sport;
        t->dp = p->l4.tcp.dport;
        return true;
    case WIRE_PROTO_UDP:
        t->sp = p->l4.udp.sport;
        t->dp = p->l4.udp.dport;
        return true;
    case WIRE_PROTO_ICMP:
        switch (p->l4.icmp.type) {
        case ICMP_ECHO: case ICMP_ECHO_REPLY: case ICMP_TIMESTAMP: case ICMP_TIMESTAMP_REPLY:
            t->sp = t->dp = p->l4.icmp.id;   /* nf_conntrack_proto_icmp keys on the id */
            t->ireply = p->l4.icmp.type == ICMP_ECHO_REPLY ||
                        p->l4.icmp.type == ICMP_TIMESTAMP_REPLY;
            t->itype = (p->l4.icmp.type == ICMP_ECHO || p->l4.icmp.type == ICMP_ECHO_REPLY)
                       ? ICMP_ECHO : ICMP_TIMESTAMP;
            return true;
        default:
            return false;
        }
    }
    return true;
}

static bool tuple_opens(const struct wire_pkt *p)
{
    switch (p->ip.proto) {
    case WIRE_PROTO_TCP:
        return (p->l4.tcp.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
    case WIRE_PROTO_UDP:
        return true;
    case WIRE_PROTO_ICMP:
        return p->l4.icmp.type == ICMP_ECHO || p->l4.icmp.type == ICMP_TIMESTAMP;
    }
    return false;
}

/* The same bucket for both directions of a flow. */
static uint32_t ct_hash(const struct tuple *t)
{
    uint64_t x = (uint64_t)t->src ^ t->dst, y = (uint64_t)t->sp ^ t->dp;
    x = (x << 16 | y) * 0x9E3779B97F4A7C15ULL ^ t->proto;
    x ^= x >> 29;
    return (uint32_t)x;
}

enum ct_match { CT_NONE, CT_SAME, CT_REVERSE };

/* The tracked flow t belongs to, and which way t goes; *ent is the entry (NULL for
 * CT_NONE). An ICMP request matches its own flow only the same way, a reply only the
 * reverse way: a request from the other side is another flow. */
static enum ct_match ct_find(const struct filter *f, const struct tuple *t, struct ct_ent **ent)
{
    *ent = NULL;
    if (!f->ct)
        return CT_NONE;
    uint32_t m = f->capct - 1;
    for (uint32_t i = ct_hash(t) & m;; i = (i + 1) & m) {
        struct ct_ent *e = &f->ct[i];
        if (!e->used)
            return CT_NONE;
        if (e->proto != t->proto || e->itype != t->itype)
            continue;
        if (!t->ireply && e->a1 == t->src && e->p1 == t->sp && e->a2 == t->dst &&
            e->p2 == t->dp) {
            *ent = e;
            return CT_SAME;
        }
        if ((t->itype == 0 || t->ireply) && e->a1 == t->dst && e->p1 == t->dp &&
            e->a2 == t->src && e->p2 == t->sp) {
            *ent = e;
            return CT_REVERSE;
        }
    }
}

/* Whether conntrack lets t pass without the rules (ESTABLISHED), recording a reply. */
static bool ct_passes(struct filter *f, const struct tuple *t)
{
    struct ct_ent *e;
    switch (ct_find(f, t, &e)) {
    case CT_REVERSE:
        e->replied = true;
        return true;
    case CT_SAME:
        return e->replied;
    case CT_NONE:
        break;
    }
    return false;
}

static void ct_put(struct ct_ent *tab, uint32_t cap, const struct ct_ent *e)
{
    struct tuple t = { e->proto, e->p1, e->p2, e->a1, e->a2, e->itype, false };
    uint32_t i = ct_hash(&t) & (cap - 1);
    while (tab[i].used)
        i = (i + 1) & (cap - 1);
    tab[i] = *e;
}

static void ct_insert(struct filter *f, const struct tuple *t)
{
    if ((f->nct + 1) * 2 > f->capct) {
        uint32_t nc = f->capct ? f->capct * 2 : 64;
        struct ct_ent *n = calloc(nc, sizeof *n);
        if (!n)
            return;   /* the flow stays untracked: its replies meet the rules */
        for (uint32_t i = 0; i < f->capct; i++)
            if (f->ct[i].used)
                ct_put(n, nc, &f->ct[i]);
        free(f->ct);
        f->ct = n;
        f->capct = nc;
    }
    struct ct_ent e = { true, false, t->proto, t->itype, t->sp, t->dp, t->src, t->dst };
    ct_put(f->ct, f->capct, &e);
    f->nct++;
}

void filter_track(struct filter *f, const struct wire_pkt *p)
{
    struct tuple t;
    struct ct_ent *e;
    if (!f->cfg.stateful || !tuple_of(p, &t))
        return;
    enum ct_match m = ct_find(f, &t, &e);
    if (m == CT_REVERSE)
        e->replied = true;
    else if (m == CT_NONE && tuple_opens(p))
        ct_insert(f, &t);
}

/* An ICMP error quoting a datagram of a tracked flow (conntrack's RELATED). */
static bool ct_related(const struct filter *f, const struct wire_pkt *p)
{
    if (p->ip.proto != WIRE_PROTO_ICMP || p->l4_err != WIRE_OK)
        return false;
    const struct wire_icmp *ic = &p->l4.icmp;
    if (ic->type != ICMP_UNREACH && ic->type != ICMP_TIME_EXCEEDED)
        return false;
    const uint8_t *b = ic->payload;
    if (ic->payload_len < WIRE_IPV4_HDR_MIN + 8 || (b[0] >> 4) != 4)
        return false;
    size_t ihl = (size_t)(b[0] & 0x0f) * 4;
    if (ihl < WIRE_IPV4_HDR_MIN || ic->payload_len < ihl + 8)
        return false;
    struct tuple t = {
        .proto = b[9],
        .src = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15],
        .dst = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19],
    };
    if (t.proto == WIRE_PROTO_TCP || t.proto == WIRE_PROTO_UDP) {
        t.sp = (uint16_t)(b[ihl] << 8 | b[ihl + 1]);
        t.dp = (uint16_t)(b[ihl + 2] << 8 | b[ihl + 3]);
    } else if (t.proto == WIRE_PROTO_ICMP) {
        uint8_t ty = b[ihl];
        if (ty != ICMP_ECHO && ty != ICMP_ECHO_REPLY && ty != ICMP_TIMESTAMP &&
            ty != ICMP_TIMESTAMP_REPLY)
            return false;
        t.sp = t.dp = (uint16_t)(b[ihl + 4] << 8 | b[ihl + 5]);
        t.ireply = ty == ICMP_ECHO_REPLY || ty == ICMP_TIMESTAMP_REPLY;
        t.itype = (ty == ICMP_ECHO || ty == ICMP_ECHO_REPLY) ? ICMP_ECHO : ICMP_TIMESTAMP;
    }
    struct ct_ent *e;
    return ct_find(f, &t, &e) != CT_NONE;
}

/* ---------------------------------------------------------------- rules */

static bool port_in(const struct scn_portrange *r, uint8_t n, uint16_t port)
{
    for (uint8_t i = 0; i < n; i++)
        if (port >= r[i].lo && port <= r[i].hi)
            return true;
    return false;
}

static bool rule_match(const struct scn_rule *r, const struct wire_pkt *p)
{
    if (r->proto && r->proto != p->ip.proto)
        return false;
    if (r->has_from && (p->ip.src & r->from_mask) != (r->from & r->from_mask))
        return false;
    if (r->has_to && (p->ip.dst & r->to_mask) != (r->to & r->to_mask))
        return false;
    if (r->nsport || r->ndport) {
        /* Port matches need a parsed TCP or UDP header (iptables -p tcp --dport). */
        uint16_t sp, dp;
        if (p->l4_err != WIRE_OK)
            return false;
        if (p->ip.proto == WIRE_PROTO_TCP) {
            sp = p->l4.tcp.sport;
            dp = p->l4.tcp.dport;
        } else if (p->ip.proto == WIRE_PROTO_UDP) {
            sp = p->l4.udp.sport;
            dp = p->l4.udp.dport;
        } else {
            return false;
        }
        if (r->nsport && !port_in(r->sport, r->nsport, sp))
            return false;
        if (r->ndport && !port_in(r->dport, r->ndport, dp))
            return false;
    }
    if (r->has_flags) {
        if (p->ip.proto != WIRE_PROTO_TCP || p->l4_err != WIRE_OK)
            return false;
        if ((p->l4.tcp.flags & r->flags_mask) != r->flags_value)
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- reject */

uint8_t filter_reject_code(enum scn_reject r)
{
    switch (r) {
    case SCN_REJ_HOST_UNREACH: return ICMP_HOST_UNREACH;
    case SCN_REJ_NET_UNREACH: return ICMP_NET_UNREACH;
    case SCN_REJ_NET_PROHIB: return ICMP_NET_PROHIB;
    case SCN_REJ_HOST_PROHIB: return ICMP_HOST_PROHIB;
    case SCN_REJ_ADMIN_PROHIB: return ICMP_ADMIN_PROHIB;
    case SCN_REJ_PORT_UNREACH: case SCN_REJ_TCP_RESET: break;
    }
    return ICMP_PORT_UNREACH;
}

/* nf_send_reset's datagram, built into buf (WIRE_MTU bytes). Returns its length, or 0 with
 * *why when Linux sends none. */
size_t filter_reset_build(const struct wire_pkt *p, uint8_t *buf, size_t cap, const char **why)
{
    const struct wire_tcp *o = &p->l4.tcp;
    *why = NULL;
    if (p->ip.proto != WIRE_PROTO_TCP || p->l4_err != WIRE_OK)
        *why = "tcp-reset: not a TCP segment";
    else if (o->flags & TCP_RST)
        *why = "tcp-reset: never reset a RST";
    else if (!o->csum_ok)
        *why = "tcp-reset: bad checksum";
    if (*why)
        return 0;
    struct wire_tcp r = { .sport = o->dport, .dport = o->sport, .window = 0 };
    if (o->flags & TCP_ACK) {
        r.seq = o->ack;
        r.flags = TCP_RST;
    } else {
        r.ack = o->seq + !!(o->flags & TCP_SYN) + !!(o->flags & TCP_FIN) +
                (uint32_t)o->payload_len;
        r.flags = TCP_RST | TCP_ACK;
    }
    struct wire_ipv4 ip = {
        .ttl = 64, .proto = WIRE_PROTO_TCP, .df = true, .id = 0,
        .src = p->ip.dst, .dst = p->ip.src,
    };
    return wire_emit_tcp(buf, cap, &ip, &r);
}

/* icmp_send's refusals: never an error about an ICMP error or a later fragment. */
bool filter_icmp_allowed(const struct wire_pkt *p)
{
    if (p->ip.frag_off != 0)
        return false;
    if (p->ip.proto != WIRE_PROTO_ICMP)
        return true;
    if (p->l4_err != WIRE_OK)
        return false;
    uint8_t t = p->l4.icmp.type;
    return t == ICMP_ECHO || t == ICMP_ECHO_REPLY || t == ICMP_TIMESTAMP ||
           t == ICMP_TIMESTAMP_REPLY;
}

const char *filter_reject_name(enum scn_reject r)
{
    static const char *const names[] = {
        "reject icmp-port-unreachable", "reject icmp-host-unreachable",
        "reject icmp-net-unreachable", "reject icmp-net-prohibited",
        "reject icmp-host-prohibited", "reject icmp-admin-prohibited", "reject tcp-reset",
    };
    return (unsigned)r < sizeof names / sizeof *names ? names[r] : "reject";
}

/* ---------------------------------------------------------------- apply */

const char *filter_rule_text(struct filter *f, int i)
{
    if (i < 0)   /* the `policy` line, or the `filter` line when the default applies */
        snprintf(f->msg, sizeof f->msg, "filter %s policy (line %d): %s", f->cfg.name,
                 f->cfg.policy_pos.line ? f->cfg.policy_pos.line : f->cfg.pos.line,
                 f->cfg.policy == SCN_DROP ? "drop" : "accept");
    else
        snprintf(f->msg, sizeof f->msg, "filter %s rule %d (line %d): %s", f->cfg.name, i + 1,
                 f->cfg.rules[i].pos.line, f->cfg.rules[i].text);
    return f->msg;
}

bool filter_decide(struct filter *f, const struct wire_pkt *p, struct filter_verdict *v)
{
    struct tuple t;
    bool has_tuple = tuple_of(p, &t);
    v->rule = -1;
    v->reject = false;
    if (f->cfg.stateful && ((has_tuple && ct_passes(f, &t)) || ct_related(f, p))) {
        f->ct_passed++;
        return true;
    }
    enum scn_action act = f->cfg.policy;
    for (size_t i = 0; i < f->cfg.nrules; i++)
        if (rule_match(&f->cfg.rules[i], p)) {
            v->rule = (int)i;
            act = f->cfg.rules[i].action;
            break;
        }
    f->hits[v->rule >= 0 ? (size_t)v->rule : f->cfg.nrules]++;
    if (act == SCN_ACCEPT) {
        struct ct_ent *e;
        if (f->cfg.stateful && has_tuple && tuple_opens(p) && ct_find(f, &t, &e) == CT_NONE)
            ct_insert(f, &t);
        return true;
    }
    if (act == SCN_REJECT && v->rule >= 0) {   /* a policy cannot reject, as in iptables */
        v->reject = true;
        v->with = f->cfg.rules[v->rule].reject;
    }
    return false;
}
