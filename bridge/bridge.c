/* bridge.c — the bridge's core: untrusted datagrams from a kernel into a simulated network,
 * the simulated hosts' answers back out, each one annotated with the rule behind it.
 *
 * Input (bridge_classify) checks what RFC 791 section 3.1 and RFC 1122 section 3.2.1 make a
 * receiver check before anything else, as Linux's ip_rcv_core does: version 4, IHL at
 * least 5, the header and total length within the bytes read, the header checksum; then
 * what the bridge itself needs: no more than the device's MTU, and a destination inside a
 * prefix it routes (the kernel sends only those, but a raw socket could address anything,
 * and a multicast report would be met by no host). IPv6 and anything else is dropped and
 * counted: the kernel greets a new device with router solicitations and MLD reports.
 * Fragments pass: the simulated hosts reassemble them (sim/reasm.c).
 *
 * Annotations, only while a recorder is set: the simulator's trace tells which host's rule
 * answered; the SEND record of a datagram for the external host follows the RECV or TIMER
 * record of its cause, so the cause's rule is remembered and queued with a hash of the
 * datagram's bytes. Datagrams toward one host cross one net and arrive in the order they
 * left, so the queue is matched head first at arrival (those lost on the way are skipped).
 */
#include "bridge/bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"

enum { BRIDGE_NOTES = 1024, BRIDGE_RULE_MAX = 160 };

struct bridge_note {
    uint64_t hash;
    char rule[BRIDGE_RULE_MAX];
};

struct bridge {
    struct sim *sim;
    uint32_t scanner;
    struct bridge_route routes[BRIDGE_ROUTES_MAX];
    int nroutes;
    bridge_out_fn out;
    bridge_record_fn record;
    void *ctx;
    struct bridge_stats st;
    uint64_t max_delay;      /* the longest one-way delay of the scenario's nets */
    uint64_t settle_at;      /* when every datagram injected so far has arrived */
    void (*user_trace)(void *ctx, const struct sim_event *ev);
    void *user_ctx;
    /* annotations */
    uint64_t last_seq;
    char cause[BRIDGE_RULE_MAX];
    struct bridge_note notes[BRIDGE_NOTES];
    size_t nhead, nnotes;
};

static const char *const bridge_drop_names[BRIDGE_DROP_N] = {
    [BRIDGE_DROP_SHORT] = "malformed: shorter than an IPv4 header",
    [BRIDGE_DROP_IPV6] = "IPv6 (the kernel's own)",
    [BRIDGE_DROP_NOT_IP] = "not IPv4",
    [BRIDGE_DROP_HEADER] = "malformed: header or total length",
    [BRIDGE_DROP_CSUM] = "malformed: bad IPv4 header checksum",
    [BRIDGE_DROP_TOO_BIG] = "over the MTU (1500)",
    [BRIDGE_DROP_NOT_ROUTED] = "destination not routed to the simulation",
    [BRIDGE_DROP_SIM] = "refused by the simulator (out of memory)",
    [BRIDGE_DROP_OUT] = "outbound, not taken by the kernel (queue full)",
};

const char *bridge_drop_name(enum bridge_drop d)
{
    return d < BRIDGE_DROP_N ? bridge_drop_names[d] : "accepted";
}

static uint32_t bridge_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool bridge_routed(const struct bridge *b, uint32_t dst)
{
    for (int i = 0; i < b->nroutes; i++) {
        uint32_t m = b->routes[i].len ? 0xffffffffu << (32 - b->routes[i].len) : 0;
        if ((dst & m) == b->routes[i].prefix)
            return true;
    }
    return false;
}

enum bridge_drop bridge_classify(const struct bridge *b, const uint8_t *d, size_t len)
{
    if (len == 0)
        return BRIDGE_DROP_SHORT;
    if (d[0] >> 4 == 6)
        return BRIDGE_DROP_IPV6;
    if (d[0] >> 4 != 4)
        return BRIDGE_DROP_NOT_IP;
    if (len < WIRE_IPV4_HDR_MIN)
        return BRIDGE_DROP_SHORT;
    if (len > WIRE_MTU)
        return BRIDGE_DROP_TOO_BIG;
    size_t hl = (size_t)(d[0] & 0x0f) * 4, tl = (size_t)d[2] << 8 | d[3];
    if (hl < WIRE_IPV4_HDR_MIN || hl > len || tl < hl || tl > len)
        return BRIDGE_DROP_HEADER;
    if (wire_csum_fold(wire_csum_add(0, d, hl)) != 0)
        return BRIDGE_DROP_CSUM;
    if (!bridge_routed(b, bridge_rd32(d + 16)))
        return BRIDGE_DROP_NOT_ROUTED;
    return BRIDGE_DROP_N;
}

/* FNV-1a over the datagram: matches an arrival with the SEND record that queued it. */
static uint64_t bridge_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void bridge_note_push(struct bridge *b, uint64_t hash, const char *rule)
{
    if (b->nnotes == BRIDGE_NOTES) {   /* the oldest was lost on the way */
        b->nhead = (b->nhead + 1) % BRIDGE_NOTES;
        b->nnotes--;
    }
    struct bridge_note *n = &b->notes[(b->nhead + b->nnotes) % BRIDGE_NOTES];
    n->hash = hash;
    snprintf(n->rule, sizeof n->rule, "%s", rule);
    b->nnotes++;
}

/* The rule that sent a datagram now arriving at the external host; "" when unknown. */
static const char *bridge_note_pop(struct bridge *b, uint64_t hash)
{
    for (size_t k = 0; k < b->nnotes; k++) {
        struct bridge_note *n = &b->notes[(b->nhead + k) % BRIDGE_NOTES];
        if (n->hash != hash)
            continue;
        b->nhead = (b->nhead + k + 1) % BRIDGE_NOTES;   /* older ones were lost */
        b->nnotes -= k + 1;
        return n->rule;
    }
    return "";
}

static void bridge_trace(void *ctx, const struct sim_event *ev)
{
    struct bridge *b = ctx;
    bool chained = ev->seq == b->last_seq + 1;
    b->last_seq = ev->seq;
    if (ev->kind == SIM_EV_SEND) {
        if (!chained)   /* no RECV or TIMER before it: a scripted or injected datagram */
            snprintf(b->cause, sizeof b->cause, "scenario script");
        if (ev->pkt && ev->len >= WIRE_IPV4_HDR_MIN && bridge_rd32(ev->pkt + 16) == b->scanner &&
            ev->host_addr != b->scanner)
            bridge_note_push(b, bridge_hash(ev->pkt, ev->len), b->cause);
    } else if (ev->kind != SIM_EV_NOTE) {   /* RECV, TIMER, and DROP (a filter's reject) */
        snprintf(b->cause, sizeof b->cause, "%s %s: %s", ev->host ? ev->host : "?",
                 ev->action ? ev->action : "", ev->rule ? ev->rule : "");
    } else {
        snprintf(b->cause, sizeof b->cause, "scenario script");
    }
    if (b->user_trace)
        b->user_trace(b->user_ctx, ev);
}

/* The external host's tap: a simulated host's datagram reached the kernel's side. */
static void bridge_sink(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct bridge *b = ctx;
    if (b->record)
        b->record(b->ctx, BRIDGE_OUT, t_ns, pkt, len, bridge_note_pop(b, bridge_hash(pkt, len)));
    if (b->out(b->ctx, t_ns, pkt, len) == 0)
        b->st.out++;
    else
        b->st.drop[BRIDGE_DROP_OUT]++;
}

struct bridge *bridge_new(const struct scenario *sc, uint64_t seed, const struct bridge_route *r,
                          int nroutes, bridge_out_fn out, bridge_record_fn record, void *ctx,
                          char *err, size_t errlen)
{
    if (nroutes < 0 || nroutes > BRIDGE_ROUTES_MAX || !out) {
        snprintf(err, errlen, "bridge: bad arguments");
        return NULL;
    }
    struct bridge *b = calloc(1, sizeof *b);
    if (!b || !(b->sim = sim_new(seed))) {
        snprintf(err, errlen, "bridge: out of memory");
        free(b);
        return NULL;
    }
    if (sim_load(b->sim, sc, err, errlen))
        goto fail;
    b->scanner = sim_scanner_addr(b->sim);
    if (!b->scanner) {
        snprintf(err, errlen, "%s: no `role scanner` host: the bridge gives its address to the "
                 "kernel (add e.g. `host me 198.18.0.1 role scanner`)",
                 sc->file[0] ? sc->file : "scenario");
        goto fail;
    }
    if (sim_set_external(b->sim, b->scanner, bridge_sink, b)) {
        snprintf(err, errlen, "bridge: cannot attach the scanner host");
        goto fail;
    }
    memcpy(b->routes, r, (size_t)nroutes * sizeof *r);
    b->nroutes = nroutes;
    for (size_t i = 0; i < sc->nnets; i++)
        if (sc->nets[i].delay_ns > b->max_delay)
            b->max_delay = sc->nets[i].delay_ns;
    b->out = out;
    b->record = record;
    b->ctx = ctx;
    if (record)
        sim_set_trace(b->sim, bridge_trace, b);
    return b;
fail:
    sim_free(b->sim);
    free(b);
    return NULL;
}

void bridge_free(struct bridge *b)
{
    if (!b)
        return;
    sim_free(b->sim);
    free(b);
}

void bridge_advance(struct bridge *b, uint64_t t_ns)
{
    if (t_ns > sim_now(b->sim))
        sim_run_until(b->sim, t_ns);
}

/* A datagram injected at t arrives by t + its net's delay (one hop: the wire delivers it
 * straight to its host), when it is answered or dropped and counted. */
void bridge_settle(struct bridge *b)
{
    bridge_advance(b, b->settle_at);
}

enum bridge_drop bridge_input(struct bridge *b, const uint8_t *d, size_t len, uint64_t t_ns)
{
    bridge_advance(b, t_ns);
    b->st.in++;
    enum bridge_drop why = bridge_classify(b, d, len);
    if (why == BRIDGE_DROP_N && sim_inject(b->sim, d, len) < 0)
        why = BRIDGE_DROP_SIM;
    if (why != BRIDGE_DROP_N) {
        b->st.drop[why]++;
        if (b->record) {
            char c[96];
            snprintf(c, sizeof c, "dropped by the bridge: %s", bridge_drop_name(why));
            b->record(b->ctx, BRIDGE_IN, sim_now(b->sim), d, len, c);
        }
        return why;
    }
    b->st.injected++;
    b->settle_at = sim_now(b->sim) + b->max_delay;   /* its net's delay at the most */
    /* Recorded after sim_inject: with a zero delay its answer could not arrive before
     * the next sim_run, so the session file still reads cause before effect. */
    if (b->record)
        b->record(b->ctx, BRIDGE_IN, sim_now(b->sim), d, len, "into the simulated network");
    return BRIDGE_DROP_N;
}

uint64_t bridge_next_time(const struct bridge *b) { return sim_next_time(b->sim); }
uint64_t bridge_now(const struct bridge *b) { return sim_now(b->sim); }
uint32_t bridge_scanner_addr(const struct bridge *b) { return b->scanner; }
struct sim *bridge_sim(struct bridge *b) { return b->sim; }

void bridge_get_stats(const struct bridge *b, struct bridge_stats *st)
{
    *st = b->st;
    struct sim_stats ss;
    sim_get_stats(b->sim, &ss);
    st->sim_dropped = ss.dropped;
}

void bridge_set_trace(struct bridge *b, void (*fn)(void *ctx, const struct sim_event *ev),
                      void *ctx)
{
    b->user_trace = fn;
    b->user_ctx = ctx;
    if (fn || b->record)
        sim_set_trace(b->sim, bridge_trace, b);
    else
        sim_set_trace(b->sim, NULL, NULL);
}
