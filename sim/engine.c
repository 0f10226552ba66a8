/* engine.c — the simulator's engine: virtual clock, lifecycle, observers, delivery and the
 * run loop (the datagram pool and the event queue they use are engine_queue.c). See sim.h
 * for the API and engine.h for the internals.
 *
 * Delivery follows a datagram the way a wire and two kernels would:
 *   leave the sender:  wiretap (pcap) and SEND record; the sender's `out` filter (the
 *                      iptables OUTPUT chain); loss of the destination's net (its own
 *                      "loss" rng stream); queued for arrival after the net's one-way delay.
 *   arrive:            the destination's `in` filter (INPUT chain); the tap on that address
 *                      (the scanner's raw socket: it sees what passed the host's firewall,
 *                      before the host's own stack answers); the host's stack (host.c),
 *                      unless the host is down.
 * Everything is a queue entry ordered by (time, sequence number): the same scenario and
 * seed give the same run on every machine. With no trace callback nothing is formatted.
 */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "reasm.h"

/* ---------------------------------------------------------------- lifecycle */

struct sim *sim_new(uint64_t seed)
{
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->seed = seed;
    s->q_other_t = UINT64_MAX;
    s->cause_unit = s->arrive_unit = UINT64_MAX;
    rng_key_init(&s->loss.key, seed, "loss");
    rng_key_init(&s->key_send, seed, "send");
    if (sim_pool_grow(s)) {
        free(s);
        return NULL;
    }
    return s;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfilters; i++)
        filter_free(s->filters[i]);
    free(s->filters);
    host_table_free(&s->hosts);
    sim_pop_free(s);
    script_free(s);
    free(s->nets);
    free(s->streams);
    free(s->heap);
    for (int i = 0; i < SIM_QLANES; i++)
        free(s->lanes[i].v);
    free(s->outbox);
    for (uint32_t i = 0; i < s->pool.nblocks; i++)
        free(s->pool.block[i]);
    free(s->pool.chunk);
    free(s->pool.free);
    free(s->bigbuf);
    free(s->loss.e);
    sim_att_free(s);
    free(s);
}

uint64_t sim_now(const struct sim *s) { return s->now; }
uint64_t sim_unit(const struct sim *s) { return s->stats.events + s->nops; }

void sim_set_op_hook(struct sim *s, sim_op_fn fn, void *ctx)
{
    s->op_fn = fn;
    s->op_ctx = ctx;
}

/* A call from outside begins: it is a unit of its own, and the op hook hears of it first,
 * while the simulation is still as the previous unit left it (the hook may clone it). */
static void sim_op_begin(struct sim *s, struct sim_op *op)
{
    if (s->op_fn) {
        op->unit = sim_unit(s) + 1;
        s->op_fn(s->op_ctx, op);
    }
    s->nops++;
}

void sim_op_note(struct sim *s, struct sim_op *op)
{
    sim_op_begin(s, op);
}

int sim_apply_op(struct sim *s, const struct sim_op *op)
{
    switch (op->kind) {
    case SIM_OP_INJECT: return sim_inject(s, op->pkt, op->len);
    case SIM_OP_CLOCK: sim_run_until(s, op->t_ns); return 0;
    case SIM_OP_STREAM_CONNECT:
        return op->buffered ? sim_stream_open_buffered(s, op->src, op->dst, op->dport, op->sport)
                            : sim_stream_open(s, op->src, op->dst, op->dport, op->sport);
    case SIM_OP_STREAM_SEND: return sim_stream_send(s, op->handle, op->pkt, op->len);
    case SIM_OP_STREAM_RECV: {
        bool eof;                  /* the bytes were the original's: a clone discards them */
        return sim_stream_recv(s, op->handle, NULL, op->len, &eof);
    }
    case SIM_OP_STREAM_ABORT: sim_stream_abort(s, op->handle); return 0;
    case SIM_OP_INJECT_AS: return sim_inject_as(s, op->pkt, op->len);
    case SIM_OP_STREAM_WRITE: return sim_stream_write(s, op->handle, (uint32_t)op->len);
    case SIM_OP_STREAM_CLOSE: return sim_stream_close(s, op->handle);
    case SIM_OP_NOTE: {
        char text[256];
        size_t n = op->len < sizeof text - 1 ? op->len : sizeof text - 1;
        memcpy(text, op->pkt, n);
        text[n] = 0;
        sim_attach_note(s, text);
        return 0;
    }
    }
    return -1;
}
uint64_t sim_seed(const struct sim *s) { return s->seed; }
uint64_t sim_next_time(const struct sim *s)
{
    int lane;
    const struct sim_qent *e = sim_q_top(s, &lane);
    return e ? e->t : UINT64_MAX;
}

/* What sim_report calls while an observer is set and no trace is. */
static void trace_none(void *ctx, const struct sim_event *ev)
{
    (void)ctx;
    (void)ev;
}

void sim_set_trace(struct sim *s, sim_trace_fn fn, void *ctx)
{
    s->trace_set = fn != NULL;
    s->trace = fn ? fn : s->obs ? trace_none : NULL;
    s->trace_ctx = fn ? ctx : NULL;
}

void sim_set_observer(struct sim *s, sim_obs_fn fn, void *ctx)
{
    s->obs = fn;
    s->obs_ctx = fn ? ctx : NULL;
    if (!s->trace_set)
        s->trace = fn ? trace_none : NULL;
}

void sim_obs_build_slow(struct sim *s, uint32_t addr)
{
    struct sim_obs o = { .kind = SIM_OBS_BUILD, .unit = sim_unit(s), .host_addr = addr,
                         .build = ++s->obs_build };
    s->obs(s->obs_ctx, s, &o);
}

void sim_set_wiretap(struct sim *s, sim_wire_fn fn, void *ctx)
{
    s->wire = fn;
    s->wire_ctx = ctx;
}

int sim_set_tap(struct sim *s, uint32_t addr, sim_tap_fn fn, void *ctx)
{
    struct host *h = host_find(&s->hosts, addr);
    if (!h)
        return -1;
    host_set_tap(h, fn, ctx, false);
    return 0;
}

int sim_set_external(struct sim *s, uint32_t addr, sim_tap_fn fn, void *ctx)
{
    struct host *h = host_find(&s->hosts, addr);
    if (!h || !fn)
        return -1;
    host_set_tap(h, fn, ctx, true);
    return 0;
}

void sim_get_stats(const struct sim *s, struct sim_stats *st) { *st = s->stats; }

int sim_host_lookup(const struct sim *s, const char *name, uint32_t *addr)
{
    const struct host *h = host_find_name(&s->hosts, name);
    if (!h)
        return -1;
    *addr = h->addr;
    return 0;
}

const char *sim_host_name(const struct sim *s, uint32_t addr)
{
    const struct host *h = host_find(&s->hosts, addr);
    return h && !h->from_pop ? h->name : NULL;   /* a population's host has no name */
}

uint32_t sim_scanner_addr(const struct sim *s) { return s->scanner; }

int sim_net_find(const struct sim *s, uint32_t addr)
{
    int best = -1;
    for (size_t i = 0; i < s->nnets; i++) {
        const struct scn_net *n = &s->nets[i];
        uint32_t mask = n->plen ? ~(uint32_t)0 << (32 - n->plen) : 0;
        if ((addr & mask) == n->prefix && (best < 0 || n->plen > s->nets[best].plen))
            best = (int)i;
    }
    return best;
}

uint64_t sim_delay_to(const struct sim *s, uint32_t addr)
{
    const struct host *h = host_find(&s->hosts, addr);
    int n = h ? h->net : sim_net_find(s, addr);
    return n >= 0 ? s->nets[n].delay_ns : 0;
}

/* ---------------------------------------------------------------- trace */

const char *sim_who(struct sim *s, const struct host *h, uint32_t addr)
{
    return h ? h->name : wire_ip_str(addr, s->whobuf);
}

const char *sim_fmt(struct sim *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->rulebuf, sizeof s->rulebuf, fmt, ap);
    va_end(ap);
    return s->rulebuf;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void sim_report(struct sim *s, enum sim_ev_kind kind, const uint8_t *pkt, size_t len,
                const struct host *h, uint32_t addr, const char *action, const char *rule_id,
                const char *rule, const struct tcp_verdict *v)
{
    sim_report_as(s, kind, pkt, len, h, addr, action, rule_id, rule, v, 0);
}

void sim_report_as(struct sim *s, enum sim_ev_kind kind, const uint8_t *pkt, size_t len,
                   const struct host *h, uint32_t addr, const char *action, const char *rule_id,
                   const char *rule, const struct tcp_verdict *v, uint8_t ipid_proto)
{
    struct sim_event ev = {
        .seq = ++s->evseq, .t_ns = s->now, .kind = kind, .pkt = pkt, .len = (uint32_t)len,
        .host = sim_who(s, h, h ? h->addr : addr), .host_addr = h ? h->addr : addr,
        .action = action, .rule_id = rule_id, .rule = rule, .state_before = TCB_NONE,
        .state_after = TCB_NONE, .ipid = -1, .unit = sim_unit(s),
        .injected = kind == SIM_EV_SEND && s->injecting,
    };
    if (s->cause_unit != ev.unit) {
        s->cause_unit = ev.unit;
        s->cause_first = ev.seq;
    }
    if (kind == SIM_EV_SEND)
        ev.cause = s->cause_first != ev.seq ? s->cause_first : 0;
    else if ((kind == SIM_EV_RECV || kind == SIM_EV_DROP) && s->arrive_unit == ev.unit)
        ev.cause = s->arrive_cause;
    if (v) {
        ev.state_before = v->state_before;
        ev.state_after = v->state_after;
        ev.has_isn = v->has_isn;
        ev.isn_next = v->isn_next;
        ev.isn_unpredictable = v->isn_unpredictable;
    }
    if (h && kind != SIM_EV_SEND && pkt && len >= WIRE_IPV4_HDR_MIN) {
        uint32_t src = rd32(pkt + 12), dst = rd32(pkt + 16);
        uint32_t peer = src == h->addr ? dst : src;
        ev.ipid = gen_ipid_counter(&h->ipid, h->addr, peer, ipid_proto ? ipid_proto : pkt[9]);
        /* a reply TCP numbered itself (Linux's zero rule, a socket's own counter): that */
        if (v && v->ipid_fixed)
            ev.ipid = (int32_t)(v->ipid_fixed - 1);
    }
    s->trace(s->trace_ctx, &ev);
    if (s->obs) {
        struct sim_obs o = { .kind = SIM_OBS_EVENT, .unit = ev.unit, .host_addr = ev.host_addr,
                             .build = kind == SIM_EV_SEND ? s->obs_sending : 0, .ev = &ev };
        s->obs(s->obs_ctx, s, &o);
    }
}

/* ---------------------------------------------------------------- delivery */

static void drop_slot(struct sim *s, uint32_t slot, const struct host *h, uint32_t addr,
                      const char *rule_id, const char *rule)
{
    struct sim_slot *sl = sim_slot(s, slot);
    s->stats.dropped++;
    if (sim_tracing(s)) {
        s->arrive_unit = sim_unit(s);
        s->arrive_cause = sl->sent_ev;
        sim_slot_materialize(sl);
        sim_report(s, SIM_EV_DROP, sl->buf, sl->len, h, addr, "drop", rule_id, rule, NULL);
    }
    sim_slot_free(s, slot);
}

void sim_drop_oom(struct sim *s, uint32_t slot, const struct host *dh)
{
    drop_slot(s, slot, dh, dh->addr, "sim-oom", "out of memory");
}

void sim_slot_materialize(struct sim_slot *sl)
{
    if (!sl->lazy)
        return;
    /* The view is the parse of the bytes to be: emitting it gives them back (wire.h) */
    wire_emit_tcp(sl->buf, sizeof sl->buf, &sl->view.ip, &sl->view.l4.tcp);
    sl->view.ip.csum = (uint16_t)(sl->buf[10] << 8 | sl->buf[11]);
    sl->view.l4.tcp.csum = (uint16_t)(sl->buf[WIRE_IPV4_HDR_MIN + 16] << 8 |
                                      sl->buf[WIRE_IPV4_HDR_MIN + 17]);
    sl->lazy = false;
}

static const char *loss_rule(struct sim *s, const struct scn_net *n)
{
    char net[16];
    wire_ip_str(n->prefix, net);
    if (n->loss_ppm % 10000 == 0)
        return sim_fmt(s, "loss %u%% (net %s/%u)", (unsigned)(n->loss_ppm / 10000), net,
                       (unsigned)n->plen);
    return sim_fmt(s, "loss %u.%04u%% (net %s/%u)", (unsigned)(n->loss_ppm / 10000),
                   (unsigned)(n->loss_ppm % 10000), net, (unsigned)n->plen);
}

/* The filters in front of `fh` see a datagram leaving (outbound) or reaching it: the one
 * facing that way decides, a stateful one facing the other way only tracks. p: the parsed
 * datagram, or NULL to parse here when needed. Returns true when the datagram may go on. */
static bool cross_filters(struct sim *s, struct host *fh, uint32_t slot, bool outbound,
                          const struct wire_pkt *p)
{
    int mine = outbound ? fh->filt_out : fh->filt_in;
    int other = outbound ? fh->filt_in : fh->filt_out;
    if (other >= 0 && !filter_stateful(s->filters[other]))
        other = -1;
    if (mine < 0 && other < 0)
        return true;
    struct sim_slot *sl = sim_slot(s, slot);
    struct wire_pkt parsed;
    if (!p && sim_slot_parse(sl, &p, &parsed) != WIRE_OK)
        return true;   /* cannot happen: every slot was parsed on entry */
    if (mine >= 0 && !sim_filter_cross(s, s->filters[mine], fh, p, sl->buf, sl->len)) {
        s->stats.dropped++;
        sim_slot_free(s, slot);
        return false;
    }
    if (other >= 0)
        filter_track(s->filters[other], p);
    return true;
}

/* The wire's part of a datagram to dst that has left its sender: the loss of dst's net, then
 * the queue, for arrival after the net's delay. */
static void wire_deliver(struct sim *s, uint32_t slot, const struct sim_slot *sl, uint32_t dst)
{
    struct host *dh = host_find(&s->hosts, dst);
    if (!dh && s->npops)   /* a population's address: its host is made as it is reached */
        dh = sim_pop_touch(s, dst);
    int net = dh ? dh->net : sim_net_find(s, dst);
    uint64_t delay = 0;
    if (net >= 0) {
        const struct scn_net *n = &s->nets[net];
        if (n->loss_ppm && sim_lost(s, net, sim_slot(s, slot), n->loss_ppm)) {
            drop_slot(s, slot, dh, dst, "net-loss", sim_tracing(s) ? loss_rule(s, n) : "loss");
            return;
        }
        delay = n->delay_ns;
    }
    if (sim_queue_push(s, s->now + delay, SQ_ARRIVE, dh ? dh->idx + 1 : 0, (uintptr_t)sl))
        drop_slot(s, slot, dh, dst, "sim-oom", "out of memory");
}

/* The datagram in `slot` leaves its sender now. */
void sim_transmit(struct sim *s, uint32_t slot, struct host *sender, bool raw)
{
    struct sim_slot *sl = sim_slot(s, slot);
    s->stats.sent++;
    if (s->wire)
        s->wire(s->wire_ctx, s->now, sl->buf, sl->len);
    uint32_t src = rd32(sl->buf + 12), dst = rd32(sl->buf + 16);
    if (!sender)   /* an injection leaves the attaching host, whatever source it claims */
        sender = host_find(&s->hosts, s->injecting ? s->att.addr : src);
    if (sim_tracing(s)) {
        sim_report(s, SIM_EV_SEND, sl->buf, sl->len, sender, s->injecting ? s->att.addr : src,
                   NULL, NULL, NULL, NULL);
        sl->sent_ev = s->evseq;
    }
    if (sender && !raw && (sender->filt_out >= 0 || sender->filt_in >= 0) &&
        !cross_filters(s, sender, slot, true, NULL))
        return;
    wire_deliver(s, slot, sl, dst);
}

void sim_transmit_quiet(struct sim *s, uint32_t slot, const struct sim_slot *sl, uint32_t dst)
{
    s->stats.sent++;
    if (s->wire)
        s->wire(s->wire_ctx, s->now, sl->buf, sl->len);
    wire_deliver(s, slot, sl, dst);
}

void sim_out_push(struct sim *s, uint32_t slot, const struct host *sender, bool raw)
{
    if (s->nout == s->capout) {
        size_t nc = s->capout ? s->capout * 2 : 16;
        struct sim_out *o = realloc(s->outbox, nc * sizeof *o);
        if (!o) {
            sim_slot_free(s, slot);
            s->stats.dropped++;
            return;
        }
        s->outbox = o;
        s->capout = nc;
    }
    s->outbox[s->nout++] = (struct sim_out){ slot, sender ? sender->idx + 1 : 0, s->obs_build,
                                             raw };
}

void sim_flush(struct sim *s)
{
    /* sim_transmit() may append (a filter's reject): the loop picks those up too. */
    for (size_t i = 0; i < s->nout; i++) {
        struct sim_out o = s->outbox[i];
        s->obs_sending = o.built;
        sim_transmit(s, o.slot, o.sender ? s->hosts.v[o.sender - 1] : NULL, o.raw);
    }
    s->nout = 0;
    sim_queue_epoch(s);
}

/* The total length of an IPv4 datagram whose header lengths hold together, as
 * wire_ipv4_parse checks them (version 4, IHL >= 5, header and total length present), or 0.
 * Not the checksums: they are the receiver's business, as on a real wire, and arrive()
 * verifies them once when the datagram is parsed there. */
static size_t inject_len(const uint8_t *d, size_t len)
{
    if (len < WIRE_IPV4_HDR_MIN || d[0] >> 4 != 4)
        return 0;
    size_t hl = (size_t)(d[0] & 0x0f) * 4, tl = (size_t)d[2] << 8 | d[3];
    if (hl < WIRE_IPV4_HDR_MIN || hl > len || tl < hl || tl > len)
        return 0;
    return tl;
}

static int inject(struct sim *s, const uint8_t *dgram, size_t len);

int sim_inject(struct sim *s, const uint8_t *dgram, size_t len)
{
    struct sim_op op = { .kind = SIM_OP_INJECT, .pkt = dgram, .len = len };
    sim_op_begin(s, &op);
    return inject(s, dgram, len);
}

int sim_inject_as(struct sim *s, const uint8_t *dgram, size_t len)
{
    struct sim_op op = { .kind = SIM_OP_INJECT_AS, .pkt = dgram, .len = len };
    sim_op_begin(s, &op);
    if (!s->att.on)
        return -1;
    s->injecting = true;
    int r = inject(s, dgram, len);
    s->injecting = false;
    return r;
}

/* The datagram leaves now: from its source's host (sim_inject) or from the attaching host
 * (s->injecting), through that host's outbound filter. */
static int inject(struct sim *s, const uint8_t *dgram, size_t len)
{
    size_t tl = len > WIRE_MTU ? 0 : inject_len(dgram, len);
    if (tl == 0)
        return -1;
    uint32_t slot = sim_slot_alloc(s);
    if (slot == UINT32_MAX)
        return -1;
    struct sim_slot *sl = sim_slot(s, slot);
    sl->len = (uint16_t)tl;   /* link-layer padding past total length is not carried */
    memcpy(sl->buf, dgram, tl);
    sim_obs_build(s, s->injecting ? s->att.addr : rd32(sl->buf + 12));
    if (s->nout == 0 && !sim_tracing(s)) {   /* a scan's probes: the sender's filters, if any */
        uint32_t from = s->injecting ? s->att.addr : rd32(sl->buf + 12);
        const struct host *dh = sim_quiet_route(s, host_find(&s->hosts, from),
                                                rd32(sl->buf + 16));
        if (dh) {
            sim_queue_arrival(s, slot, sl, dh);
            sim_queue_epoch(s);
            return 0;
        }
    }
    if (s->nout == 0) {   /* always, between events: the flush without the outbox */
        s->obs_sending = s->obs_build;
        sim_transmit(s, slot, NULL, false);
        sim_queue_epoch(s);
    } else {
        sim_out_push(s, slot, NULL, false);
        sim_flush(s);
    }
    return 0;
}

static void deliver(struct sim *s, struct sim_slot *sl, struct host *h,
                    const struct wire_pkt *p, bool tap);

/* A reassembled datagram too big for a slot (ping -s 3000): the rest of deliver() on the
 * reassembly buffer (valid until h's next fragment, so through host_input); its fragments
 * were tapped already. */
static void arrive_big(struct sim *s, struct host *h, const uint8_t *d, size_t len)
{
    struct wire_pkt p;
    wire_parse(d, len, &p);
    int mine = h->filt_in, other = h->filt_out;
    if (other >= 0 && !filter_stateful(s->filters[other]))
        other = -1;
    if (mine >= 0 && !sim_filter_cross(s, s->filters[mine], h, &p, d, len)) {
        s->stats.dropped++;
        return;
    }
    if (other >= 0)
        filter_track(s->filters[other], &p);
    s->stats.delivered++;
    if (h->down) {
        s->stats.dropped++;
        if (sim_tracing(s))
            sim_report(s, SIM_EV_DROP, d, len, h, h->addr, "drop", "host-down", "host is down", NULL);
        return;
    }
    host_input(s, h, &p, d, len);
}

/* A fragment reached h: into its reassembly queues (sim/reasm.h) before its inbound filter,
 * as Linux's nf_defrag_ipv4 reassembles before iptables sees a datagram. A tap on h sees
 * each fragment as it comes (a capture sees the wire; the scanner's pcap does), not the
 * whole. The whole datagram then goes on as any other, in a slot of its own when it fits,
 * else from the reassembly buffer. */
__attribute__((noinline))
static void arrive_fragment(struct sim *s, struct sim_slot *sl, struct host *h)
{
    uint32_t slot = sl->idx;
    if (h->tap)
        h->tap(h->tap_ctx, s->now, sl->buf, sl->len);
    if (!host_reasm(h)) {
        drop_slot(s, slot, h, h->addr, "oom", "out of memory");
        return;
    }
    const uint8_t *whole = NULL;
    size_t wlen = 0;
    const char *why = "";
    enum reasm_result r = reasm_add(h->reasm, s->now, sl->buf, sl->len, &whole, &wlen, &why);
    if (r != REASM_HELD && r != REASM_DONE) {
        drop_slot(s, slot, h, h->addr, "ip-reassembly", why);
        return;
    }
    if (sim_tracing(s))
        sim_report(s, SIM_EV_RECV, sl->buf, sl->len, h, h->addr,
                   r == REASM_DONE ? "reassembled" : "fragment held", "ip-reassembly", why, NULL);
    sim_slot_free(s, slot);
    if (r != REASM_DONE)
        return;
    if (wlen > WIRE_MTU) {
        arrive_big(s, h, whole, wlen);
        return;
    }
    struct sim_slot *ns;
    if (sim_slot_take(s, &ns) == UINT32_MAX)
        return;
    memcpy(ns->buf, whole, wlen);
    ns->len = (uint16_t)wlen;
    struct wire_pkt tmp;
    const struct wire_pkt *p;
    sim_slot_parse(ns, &p, &tmp);
    deliver(s, ns, h, p, false);
}

/* The part of arrival after reassembly: h's filters, the tap on its address (unless the
 * datagram's fragments were tapped already), then its stack. */
__attribute__((always_inline))
inline static void deliver(struct sim *s, struct sim_slot *sl, struct host *h,
                           const struct wire_pkt *p, bool tap)
{
    uint32_t slot = sl->idx;
    if ((h->filt_in >= 0 || h->filt_out >= 0) && !cross_filters(s, h, slot, false, p))
        return;
    s->stats.delivered++;
    if (h->tap && tap)
        h->tap(h->tap_ctx, s->now, sl->buf, sl->len);
    if (h->attached && !sim_att_deliver(s, h, sl, p)) {   /* the script's, not the stack's */
        sim_slot_free(s, slot);
        return;
    }
    if (h->external) {   /* a real host's kernel answers for it (sim_set_external) */
        if (sim_tracing(s))
            sim_report(s, SIM_EV_RECV, sl->buf, sl->len, h, h->addr, "to the real host",
                       "external-host", "external host: handed over, its own kernel answers",
                       NULL);
        sim_slot_free(s, slot);
        return;
    }
    if (h->down) {   /* counted as every other drop: the bridge's summary reports them */
        s->stats.dropped++;
        if (sim_tracing(s))
            sim_report(s, SIM_EV_DROP, sl->buf, sl->len, h, h->addr, "drop", "host-down",
                       "host is down", NULL);
        sim_slot_free(s, slot);
        return;
    }
    host_input(s, h, p, sl->buf, sl->len);
    sim_slot_free(s, slot);
}

static void arrive(struct sim *s, struct sim_slot *sl, uint32_t hidx)
{
    uint32_t slot = sl->idx;
    if (hidx == 0) {   /* never lazy (sim_quiet_route wants a host): written all the same */
        sim_slot_materialize(sl);
        if (sim_att_covers(s, rd32(sl->buf + 16))) {
            if (sim_tracing(s)) {
                s->arrive_unit = sim_unit(s);
                s->arrive_cause = sl->sent_ev;
            }
            sim_att_nohost(s, slot, sl);
            return;
        }
        drop_slot(s, slot, NULL, rd32(sl->buf + 16), "net-no-host",
                  sim_tracing(s) ? sim_fmt(s, "no host at %s",
                                           wire_ip_str(rd32(sl->buf + 16), s->whobuf))
                                 : "no host");
        return;
    }
    struct host *h = s->hosts.v[hidx - 1];
    if (sim_tracing(s)) {
        s->arrive_unit = sim_unit(s);
        s->arrive_cause = sl->sent_ev;
    }
    if (sl->lazy && (sim_tracing(s) || sim_reads_bytes(h)))   /* attached while in flight */
        sim_slot_materialize(sl);
    struct wire_pkt tmp;
    const struct wire_pkt *p;
    /* A host that is down reassembles nothing: deliver() drops each fragment as it comes. */
    if (sim_slot_parse(sl, &p, &tmp) == WIRE_OK && (p->ip.mf || p->ip.frag_off) &&
        p->ip.csum_ok && !h->external && !h->attached && !h->down) {
        arrive_fragment(s, sl, h);
        return;
    }
    deliver(s, sl, h, p, true);
}

/* Runs one popped entry. Inline (always) in sim_step and sim_run, so a run of events pays one
 * call and one frame, not one per event: the frame of everything inlined below is large. */
__attribute__((always_inline))
static inline void run_entry(struct sim *s, const struct sim_qent *e)
{
    if (e->t > s->now)
        s->now = e->t;
    s->stats.events++;
    switch ((enum sim_qkind)e->kind) {
    case SQ_ARRIVE:
        arrive(s, (struct sim_slot *)(uintptr_t)e->b, e->a);
        break;
    case SQ_TIMER:
        host_timer(s, s->hosts.v[e->a], e->b);
        break;
    case SQ_SEND: case SQ_TRAFFIC: case SQ_CONNECT: case SQ_CLOSE:
        script_run(s, e);
        break;
    }
    if (s->nout)   /* most events leave nothing in the outbox (sim_send): no call for them */
        sim_flush(s);
    else
        sim_queue_epoch(s);   /* the end of an event is a flush point (sim_queue_seq) */
}

bool sim_step(struct sim *s)
{
    struct sim_qent e;
    if (!sim_q_pop(s, &e, UINT64_MAX))
        return false;
    run_entry(s, &e);
    return true;
}

uint64_t sim_run(struct sim *s, uint64_t until, const size_t *stop)
{
    uint64_t n = 0;
    struct sim_qent e;
    while ((!stop || *stop == 0) && sim_q_pop(s, &e, until)) {
        run_entry(s, &e);
        n++;
    }
    return n;
}

void sim_run_until(struct sim *s, uint64_t t_ns)
{
    sim_run(s, t_ns, NULL);
    if (t_ns > s->now) {
        struct sim_op op = { .kind = SIM_OP_CLOCK, .t_ns = t_ns };
        sim_op_begin(s, &op);
        s->now = t_ns;
    }
}
