/* inside.c — the acting host's inside at one event (tui_inside, text.h): its TCB, IP-ID
 * counter, next ISN, timers, listeners and filters, before and after THAT event, not
 * before and after the whole unit (queue entry) it belongs to, which can hold several: the
 * client's RECV of a SYN-ACK, the NOTE of the scenario's `send`, then the SENDs of its ACK
 * and of its data are one unit.
 *
 * How: the state after the previous unit is rebuilt (rewind.c), then the event's unit is run
 * again with an observer (sim_set_observer) that copies the host's state at every moment
 * the simulator offers one: where a datagram is about to be built (BUILD) and where an event
 * is reported (sim.h says where each kind of report falls in the work). Those moments cut
 * the unit into pieces, and every piece is given to one event (inside_owner):
 *   1. a piece that begins at a BUILD belongs to that datagram's SEND: what building and
 *      handing it down changed (its IP-ID drawn, SND.NXT past its data or FIN, its
 *      retransmission timer);
 *   2. else, when the next report is not a SEND, to that event: the work it reports (a
 *      RECV's from the datagram's arrival, inbound filter included, up to its first
 *      reply's BUILD; a TIMER's; a NOTE's, a connect, send or close being reported once
 *      done, so the connect's new TCB; the DROP of an outbound filter, from its SEND on);
 *   3. else a piece that begins at a SEND's report belongs to that SEND: its way out (its
 *      sender's outbound filter and conntrack, the wire);
 *   4. else a piece that begins at a report whose event owns the piece before goes on with
 *      it (a traffic NOTE, reported as it begins);
 *   5. else the unit's first piece, when the first report is a SEND (an injection), to it.
 * An event's "before" is the state where the first piece it owns begins, its "after" where
 * that run of pieces ends (so a RECV's after is the state as its first reply was about to be
 * built: the reply's own changes show at the reply's SEND). A SEND's filters are read
 * across its way out (3), which a DROP of an outbound filter shares. Nothing depends on the
 * direction the TUI came from: going back shows what going forward showed (a rewind is the
 * original's state; tests/unit/test_tui_inside.c checks it for every lab). */
#include "tui/text.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"

/* INS_MAX_POINTS: the moments kept of one unit (a copy is about 1.5 KB); a bigger unit is
 * shown as a whole, and the panel says so. */
enum { INS_RULES = 64, INS_TIMERS = 3, INS_LISTENERS = 6, INS_MAX_POINTS = 4096 };

struct ins_filt {
    bool ok;
    uint64_t policy, passed;
    uint32_t nct, n;
    uint64_t hits[INS_RULES];
};

/* The host at one moment: copies, as the inspection API gives them. */
struct ins_at {
    bool tcb, ipid;
    struct sim_tcb_info t;
    struct sim_ipid_info ip;
    struct sim_isn_info isn;
    bool isn_ok;
    struct ins_filt f[2];    /* inbound, outbound */
    int nt, nl;
    struct sim_timer_info tm[INS_TIMERS];
    struct sim_listener_info li[INS_LISTENERS];
};

enum ins_pk { INS_START, INS_BUILD, INS_EVENT, INS_END };
struct ins_pt {
    uint8_t kind;            /* enum ins_pk */
    uint8_t evkind;          /* INS_EVENT: enum sim_ev_kind */
    uint32_t build;          /* BUILD: its number; EVENT of a SEND: its datagram's */
    size_t ev;               /* INS_EVENT: the event's index in the record */
};

/* What the observer looks at and keeps: one host, one tuple, every moment of one unit. */
struct ins_obs {
    const struct tui_rec *r;
    size_t first, nev;       /* the unit's events in the record */
    uint32_t host, ra;
    uint16_t lp, rp;
    uint8_t proto;
    int filt[2];
    struct ins_pt *pt;
    struct ins_at *at;
    size_t n, cap, nrep;
    bool differs;
    bool oom;                /* moments left out: too many, or no memory */
    bool lost;               /* one that had to be kept was not (no memory) */
};

static void filt_read(const struct sim *s, int fi, struct ins_filt *o)
{
    struct sim_filter_info f;
    o->ok = false;
    if (fi < 0 || sim_filter_info(s, (size_t)fi, &f))
        return;
    o->ok = true;
    o->policy = f.policy_hits;
    o->passed = f.conntrack_passed;
    o->nct = f.nconntrack;
    o->n = f.nrules < INS_RULES ? f.nrules : INS_RULES;
    for (uint32_t k = 0; k < o->n; k++) {
        struct sim_rule_info ri;
        o->hits[k] = sim_filter_rule(s, (size_t)fi, k, &ri) == 0 ? ri.hits : 0;
    }
}

static void at_read(const struct ins_obs *c, const struct sim *s, struct ins_at *o)
{
    o->ipid = sim_host_ipid(s, c->host, c->ra, c->proto ? c->proto : WIRE_PROTO_TCP,
                            &o->ip) == 0;
    o->tcb = sim_host_tcb(s, c->host, c->lp, c->ra, c->rp, &o->t) == 0;
    o->isn_ok = sim_host_isn(s, c->host, c->lp, c->ra, c->rp, &o->isn) == 0;
    for (int d = 0; d < 2; d++)
        filt_read(s, c->filt[d], &o->f[d]);
    o->nt = sim_host_timers(s, c->host, o->tm, INS_TIMERS);
    o->nl = sim_host_listeners(s, c->host, o->li, INS_LISTENERS);
}

/* Appends a moment and the host's state at it; past INS_MAX_POINTS only the unit's end
 * (c->oom then says the middle is missing). */
static void ins_point(struct ins_obs *c, const struct sim *s, struct ins_pt p)
{
    if (c->oom && p.kind != INS_END)
        return;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        if (nc > INS_MAX_POINTS && p.kind != INS_END) {
            c->oom = true;
            return;
        }
        struct ins_pt *np = realloc(c->pt, nc * sizeof *np);
        if (np)
            c->pt = np;
        struct ins_at *na = np ? realloc(c->at, nc * sizeof *na) : NULL;
        if (!na) {
            c->oom = c->lost = true;
            return;
        }
        c->at = na;
        c->cap = nc;
    }
    c->pt[c->n] = p;
    at_read(c, s, &c->at[c->n]);
    c->n++;
}

/* sim_obs_fn: every moment of the unit. An event must be the record's next one of the unit:
 * the re-run repeats the original (else c->differs, and the panel says so). */
static void ins_observe(void *ctx, const struct sim *s, const struct sim_obs *o)
{
    struct ins_obs *c = ctx;
    struct ins_pt p = { .kind = o->kind == SIM_OBS_BUILD ? INS_BUILD : INS_EVENT,
                        .build = o->build };
    if (o->kind == SIM_OBS_EVENT) {
        const struct tui_ev *e = c->nrep < c->nev ? &c->r->ev[c->first + c->nrep] : NULL;
        if (!e || e->kind != (uint8_t)o->ev->kind || e->host_addr != o->ev->host_addr)
            c->differs = true;
        p.evkind = (uint8_t)o->ev->kind;
        p.ev = c->first + c->nrep++;
    }
    ins_point(c, s, p);
}

/* ---------------------------------------------------------------- the pieces */

/* The record's index of the event that owns the piece from point i to i + 1 (rules 2 to 5
 * of the top comment), or SIZE_MAX; a piece that begins at a BUILD (rule 1) belongs to the
 * SENDs of that build, which the caller matches. prev: the owner of piece i - 1. */
static size_t inside_owner(const struct ins_obs *c, size_t i, size_t prev)
{
    const struct ins_pt *p = &c->pt[i];
    if (p->kind == INS_BUILD)
        return SIZE_MAX;
    size_t nx = i + 1;
    while (nx < c->n && c->pt[nx].kind != INS_EVENT)
        nx++;
    bool have_next = nx < c->n;
    if (have_next && c->pt[nx].evkind != SIM_EV_SEND)
        return c->pt[nx].ev;                                   /* 2 */
    if (p->kind == INS_EVENT && p->evkind == SIM_EV_SEND)
        return p->ev;                                          /* 3 */
    if (p->kind == INS_EVENT && prev == p->ev)
        return p->ev;                                          /* 4 */
    if (p->kind == INS_START && have_next)
        return c->pt[nx].ev;                                   /* 5 */
    return SIZE_MAX;
}

/* The points where event ev's state window begins and ends: the first run of pieces it
 * owns. false when it owns none (then the caller shows its report's moment twice). */
static bool inside_window(const struct ins_obs *c, size_t ev, uint32_t build, size_t *b,
                          size_t *a)
{
    size_t prev = SIZE_MAX;
    bool in = false;
    for (size_t i = 0; i + 1 < c->n; i++) {
        size_t o = inside_owner(c, i, prev);
        bool mine = o == ev || (c->pt[i].kind == INS_BUILD && build && c->pt[i].build == build);
        prev = c->pt[i].kind == INS_BUILD ? SIZE_MAX : o;
        if (mine && !in) {
            *b = i;
            in = true;
        }
        if (in && !mine)
            break;
        if (in)
            *a = i + 1;
    }
    return in;
}

/* The point of event ev's report. */
static size_t report_point(const struct ins_obs *c, size_t ev)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->pt[i].kind == INS_EVENT && c->pt[i].ev == ev)
            return i;
    return c->n - 1;
}

/* ---------------------------------------------------------------- words */

/* The tuple of event i's datagram from host's side, if it is from or to host. */
static bool tuple_at(const struct tui_rec *r, size_t i, uint32_t host, uint16_t *lport,
                     uint32_t *raddr, uint16_t *rport, uint8_t *proto)
{
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(r, &r->ev[i]), r->ev[i].len, &k);
    if (!k.ok || (k.dst != host && k.src != host))
        return false;
    bool in = k.dst == host;
    *proto = k.proto;
    *lport = in ? k.dport : k.sport;
    *raddr = in ? k.src : k.dst;
    *rport = in ? k.sport : k.dport;
    return true;
}

enum { INS_LOOK_BACK = 256 };

/* Which TCB an event concerns at its host: the packet's tuple from that host's side, or for
 * a packetless event (timer, note) the next datagram of its unit from or to that host; when
 * its unit has none (a TIME-WAIT's end), the host's last TCP datagram of the
 * INS_LOOK_BACK events before whose TCB was, when the unit began (s0), in the state the
 * record gives the event (the trace's state before), so never another connection's. */
static bool event_tuple(const struct tui_rec *r, size_t ev, const struct sim *s0,
                        uint16_t *lport, uint32_t *raddr, uint16_t *rport, uint8_t *proto)
{
    const struct tui_ev *e = &r->ev[ev];
    for (size_t i = ev; i < r->n && r->ev[i].unit == e->unit; i++)
        if (tuple_at(r, i, e->host_addr, lport, raddr, rport, proto))
            return true;
    if (e->len || !s0 || e->state_before == TCB_NONE)
        return false;
    for (size_t i = ev, k = 0; i-- > 0 && k < INS_LOOK_BACK; k++) {
        struct sim_tcb_info t;
        if (tuple_at(r, i, e->host_addr, lport, raddr, rport, proto) &&
            *proto == WIRE_PROTO_TCP &&
            sim_host_tcb(s0, e->host_addr, *lport, *raddr, *rport, &t) == 0)
            return t.state == e->state_before;
    }
    return false;
}

#define LINE(...) do { if (n < max) snprintf(lines[n++], sizeof lines[0], __VA_ARGS__); } while (0)

/* One TCB field before -> after; rel: relative to each side's own base (ISS or IRS), a
 * field whose base is not known yet (RCV.* before the peer's SYN) shown as '-'. */
static void tcb_line(char (*lines)[160], size_t *np, size_t max, const char *name,
                     const struct ins_at *b, const struct ins_at *a, size_t off, int base)
{
    size_t n = *np;
    char bs[32] = "-", as[32] = "-";
    const struct ins_at *sd[2] = { b, a };
    char *out[2] = { bs, as };
    uint32_t v[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        if (!sd[i]->tcb)
            continue;
        const struct sim_tcb_info *t = &sd[i]->t;
        memcpy(&v[i], (const char *)t + off, sizeof v[i]);
        bool unknown = base == 2 && (t->state == TCP_SYN_SENT || t->state == TCP_LISTEN);
        if (unknown)
            continue;
        uint32_t shown = base == 1 ? v[i] - t->iss : base == 2 ? v[i] - t->irs : v[i];
        snprintf(out[i], 32, "%lu", (unsigned long)shown);
    }
    bool changed = b->tcb && a->tcb && v[0] != v[1];
    LINE("  %-8s %14s %s %-14s%s", name, bs, changed ? "->" : "  ", as, changed ? " *" : "");
    *np = n;
}

/* Two raw fields on one line: "  ISS 5000  IRS 0 -> 1000". */
static void tcb_pair(char (*lines)[160], size_t *np, size_t max, const char *n1,
                     const struct ins_at *b, const struct ins_at *a, size_t o1, const char *n2,
                     size_t o2)
{
    size_t n = *np;
    char part[2][64];
    size_t off[2] = { o1, o2 };
    for (int i = 0; i < 2; i++) {
        uint32_t vb = 0, va = 0;
        if (b->tcb)
            memcpy(&vb, (const char *)&b->t + off[i], sizeof vb);
        if (a->tcb)
            memcpy(&va, (const char *)&a->t + off[i], sizeof va);
        if (b->tcb && a->tcb && vb != va)
            snprintf(part[i], sizeof part[i], "%lu -> %lu *", (unsigned long)vb, (unsigned long)va);
        else if (a->tcb || b->tcb)
            snprintf(part[i], sizeof part[i], "%lu", (unsigned long)(a->tcb ? va : vb));
        else
            snprintf(part[i], sizeof part[i], "-");
    }
    LINE("  %-8s %-24s %s %s", n1, part[0], n2, part[1]);
    *np = n;
}

/* A moment in words, for the line saying what "before" and "after" are: self, the event
 * shown, and e its record; other events by their numbers (#N, as the list shows them). */
static void moment(const struct ins_obs *c, size_t i, size_t self, const struct tui_ev *e,
                   char *out, size_t cap)
{
    const struct ins_pt *p = &c->pt[i];
    switch ((enum ins_pk)p->kind) {
    case INS_START:
        snprintf(out, cap, "%s", e->kind == SIM_EV_RECV || e->kind == SIM_EV_DROP
                                 ? "as it arrived"
                                 : e->kind == SIM_EV_TIMER ? "as the timer fired"
                                 : e->kind == SIM_EV_NOTE ? "before the action"
                                 : "before it");
        return;
    case INS_BUILD: {
        size_t who = SIZE_MAX;
        for (size_t k = 0; k < c->n && who == SIZE_MAX; k++)
            if (c->pt[k].kind == INS_EVENT && c->pt[k].evkind == SIM_EV_SEND &&
                c->pt[k].build == p->build)
                who = c->pt[k].ev;
        if (who == self)
            snprintf(out, cap, "just before it was built");
        else if (who != SIZE_MAX)
            snprintf(out, cap, "as #%zu was about to be built", who + 1);
        else
            snprintf(out, cap, "as a datagram was about to be built");
        return;
    }
    case INS_EVENT:
        if (p->ev == self)
            snprintf(out, cap, "%s", e->kind == SIM_EV_SEND ? "as it left"
                                     : e->kind == SIM_EV_NOTE ? "once the action was done"
                                     : "once the host was done with it");
        else
            snprintf(out, cap, "when #%zu was reported", p->ev + 1);
        return;
    case INS_END:
        snprintf(out, cap, "at the end of its unit");
        return;
    }
}

/* ---------------------------------------------------------------- the panel */

struct ins_view {
    const struct ins_at *b, *a;      /* the stack's before and after */
    const struct ins_at *fb, *fa;    /* the filters' */
    bool exact;
    char when[2][64];
};

/* The rule hits between two moments, for the filter facing the datagram's way. */
static void filters_lines(char (*lines)[160], size_t *np, size_t max, const struct sim *sa,
                          const struct sim_host_info *hi, const struct ins_view *v,
                          const struct tui_ev *e, const struct tui_pk *pk)
{
    size_t n = *np;
    /* the way the datagram goes at this host: out for a SEND (and what it sent), else in */
    int way = !pk->ok ? -1 : e->kind == SIM_EV_SEND || (pk->src == e->host_addr &&
                                                         pk->dst != e->host_addr) ? 1 : 0;
    static const char *const dir[2] = { "inbound", "outbound" };
    if (way >= 0 && (way ? hi->filter_out : hi->filter_in) < 0)
        LINE("no %s filter: nothing checked this datagram on its way %s", dir[way],
             way ? "out" : "in");
    for (int d = 0; d < 2; d++) {
        int fi = d ? hi->filter_out : hi->filter_in;
        struct sim_filter_info f;
        const struct ins_filt *b = &v->fb->f[d], *a = &v->fa->f[d];
        if (fi < 0 || !b->ok || !a->ok || sim_filter_info(sa, (size_t)fi, &f))
            continue;
        LINE("filter %s %s%s: policy %s (hits %llu), conntrack %u entries, passed %llu", f.name,
             f.inbound ? "in" : "out", f.stateful ? " stateful" : "",
             f.policy_drop ? "drop" : "accept", (unsigned long long)a->policy, a->nct,
             (unsigned long long)a->passed);
        bool hit = false;
        for (uint32_t k = 0; k < f.nrules; k++) {
            struct sim_rule_info ri;
            sim_filter_rule(sa, (size_t)fi, k, &ri);
            bool h = k < a->n && k < b->n && a->hits[k] != b->hits[k];
            hit |= h;
            LINE("  %s%u %-40.40s hits %llu", h ? "=>" : "  ", k + 1, ri.text,
                 (unsigned long long)(k < a->n ? a->hits[k] : ri.hits));
        }
        if (a->policy != b->policy)
            LINE("  => the policy decided this one");
        else if (a->passed != b->passed)
            LINE("  => conntrack passed this one, without the rules (a reply to a tracked "
                 "flow, a later packet of an answered one, or an ICMP error about one)");
        else if (way == d && !hit)
            LINE("  (this datagram did not cross it here)");
        else if (way >= 0 && way != d)
            LINE("  (not consulted: an %s filter, and this datagram goes %s)%s", dir[d],
                 way ? "out" : "in", !f.stateful ? "" : a->nct != b->nct
                 ? "; its conntrack took the flow in" : "; its conntrack only tracks");
    }
    *np = n;
}

static void tcb_lines(char (*lines)[160], size_t *np, size_t max, const struct tui_model *m,
                      const struct ins_view *v, const struct tui_ev *e)
{
    size_t n = *np;
    const struct ins_at *b = v->b, *a = v->a;
    if (!b->tcb && !a->tcb) {
        LINE("  no TCB, before or after (state %s -> %s)", tcp_state_name(e->state_before),
             tcp_state_name(e->state_after));
        *np = n;
        return;
    }
    bool moved = b->tcb && a->tcb && b->t.state != a->t.state;
    LINE("  %-8s %14s %s %-14s%s", "state", b->tcb ? tcp_state_name(b->t.state) : "-",
         b->tcb != a->tcb || moved ? "->" : "  ", a->tcb ? tcp_state_name(a->t.state) : "(gone)",
         b->tcb != a->tcb || moved ? " *" : "");
    int rb = m->absolute ? 0 : 1, rr = m->absolute ? 0 : 2;
    tcb_line(lines, &n, max, "SND.UNA", b, a, offsetof(struct sim_tcb_info, snd_una), rb);
    tcb_line(lines, &n, max, "SND.NXT", b, a, offsetof(struct sim_tcb_info, snd_nxt), rb);
    tcb_line(lines, &n, max, "RCV.NXT", b, a, offsetof(struct sim_tcb_info, rcv_nxt), rr);
    /* windows in bytes: the peer's offer (SND.WND), ours now (RCV.WND), ours in our last
     * segment (what the wire showed) */
    tcb_pair(lines, &n, max, "SND.WND", b, a, offsetof(struct sim_tcb_info, snd_wnd),
             "RCV.WND", offsetof(struct sim_tcb_info, rcv_wnd));
    tcb_line(lines, &n, max, "offered", b, a, offsetof(struct sim_tcb_info, rcv_adv), 0);
    tcb_pair(lines, &n, max, "ISS", b, a, offsetof(struct sim_tcb_info, iss), "IRS",
             offsetof(struct sim_tcb_info, irs));
    if (a->tcb && a->t.timer)
        LINE("  timer    %s at %llu.%06llu s (try %u)", sim_timer_name(a->t.timer),
             (unsigned long long)(a->t.timer_at_ns / 1000000000ULL),
             (unsigned long long)(a->t.timer_at_ns % 1000000000ULL / 1000), a->t.retries);
    *np = n;
}

/* The timers and listeners after the event. */
static void host_lines(char (*lines)[160], size_t *np, size_t max, const struct tui_rec *r,
                       const struct ins_at *a)
{
    size_t n = *np;
    char ab[16];
    if (a->nt > 0) {
        LINE("timers (%d):", a->nt);
        for (int i = 0; i < a->nt && i < INS_TIMERS; i++)
            LINE("  %-10s at %llu.%06llu s  :%u <-> %s:%u %s", sim_timer_name(a->tm[i].kind),
                 (unsigned long long)(a->tm[i].at_ns / 1000000000ULL),
                 (unsigned long long)(a->tm[i].at_ns % 1000000000ULL / 1000), a->tm[i].lport,
                 tui_rec_host_name(r, a->tm[i].raddr, ab), a->tm[i].rport,
                 tcp_state_name(a->tm[i].state));
    }
    if (a->nl > 0) {
        char buf[160];
        size_t used = 0;
        buf[0] = 0;
        for (int i = 0; i < a->nl && i < INS_LISTENERS && used < sizeof buf; i++) {
            int k = snprintf(buf + used, sizeof buf - used, "%s%u%s", i ? ", " : "",
                             a->li[i].port, a->li[i].half_open ? " (half-open)" : "");
            if (k > 0)
                used += (size_t)k;
        }
        LINE("listening: %s%s  backlog %d", buf, a->nl > INS_LISTENERS ? ", ..." : "",
             a->li[0].backlog);
    }
    *np = n;
}

/* Runs the event's unit again under the observer and finds its windows. false: the state
 * could not be rebuilt; v->exact false: only the whole unit's (the run differed). */
static bool inside_observe(struct ins_obs *c, struct tui_rewind *rw, size_t ev,
                           struct ins_view *v, const struct sim **sa)
{
    const struct tui_rec *r = c->r;
    const struct tui_ev *e = &r->ev[ev];
    c->first = ev;
    while (c->first > 0 && r->ev[c->first - 1].unit == e->unit)
        c->first--;
    c->nev = ev - c->first;
    while (c->first + c->nev < r->n && r->ev[c->first + c->nev].unit == e->unit)
        c->nev++;
    const struct sim *sb = e->unit ? tui_rewind_at(rw, e->unit - 1) : NULL;
    if (!sb)
        return false;
    ins_point(c, sb, (struct ins_pt){ .kind = INS_START });
    *sa = tui_rewind_observe(rw, e->unit, ins_observe, c);
    if (!*sa)
        return false;
    ins_point(c, *sa, (struct ins_pt){ .kind = INS_END });
    if (c->lost || c->n < 2)
        return false;
    if (c->oom || c->differs || c->nrep != c->nev) {
        v->exact = false;   /* the unit as a whole: its first and last moments */
        v->b = v->fb = &c->at[0];
        v->a = v->fa = &c->at[c->n - 1];
        return true;
    }
    v->exact = true;
    size_t rp = report_point(c, ev);
    uint32_t build = e->kind == SIM_EV_SEND ? c->pt[rp].build : 0;
    size_t b = rp, a = rp;
    inside_window(c, ev, build, &b, &a);
    v->b = v->fb = &c->at[b];
    v->a = v->fa = &c->at[a];
    moment(c, b, ev, e, v->when[0], sizeof v->when[0]);
    moment(c, a, ev, e, v->when[1], sizeof v->when[1]);
    if (e->kind == SIM_EV_SEND && rp + 1 < c->n) {   /* its way out (rule 3) */
        v->fb = &c->at[rp];
        v->fa = &c->at[rp + 1];
    }
    return true;
}

size_t tui_inside(const struct tui_model *m, struct tui_rewind *rw, size_t ev, char (*lines)[160],
                  size_t max)
{
    const struct tui_rec *r = m->rec;
    const struct tui_ev *e = &r->ev[ev];
    size_t n = 0;
    char hb[16], ab[16];
    const char *act = tui_rec_str(r, e->action), *rule = tui_rec_str(r, e->rule);
    if (r->from_pcap || !rw) {
        LINE("A capture shows the wire only: no host's inside.");
        return n;
    }
    struct ins_obs c = { .r = r, .host = e->host_addr, .filt = { -1, -1 } };
    struct sim_host_info hi;
    const struct sim *s0 = e->unit ? tui_rewind_at(rw, e->unit - 1) : NULL;
    bool tuple = event_tuple(r, ev, s0, &c.lp, &c.ra, &c.rp, &c.proto);
    bool have_host = s0 && sim_host_info(s0, e->host_addr, &hi) == 0;
    if (have_host) {
        c.filt[0] = hi.filter_in;
        c.filt[1] = hi.filter_out;
    }
    struct ins_view v = { 0 };
    const struct sim *sa = NULL;
    if (!inside_observe(&c, rw, ev, &v, &sa) || !sa) {
        LINE("(could not rebuild the state at this event)");
        goto out;
    }
    if (!have_host) {
        LINE("%s is not a simulated host (an address a datagram claims).",
             tui_rec_host_name(r, e->host_addr, hb));
        goto out;
    }
    sim_host_info(sa, e->host_addr, &hi);
    LINE("%s %s  os %s  isn %s  ipid %s", hi.name, wire_ip_str(hi.addr, hb), hi.os, hi.isn_gen,
         hi.ipid_gen);
    struct tui_pk pk;
    tui_pk_read(tui_rec_pkt(r, e), e->len, &pk);
    if ((e->mark & TUI_M_INJECTED) && e->kind == SIM_EV_SEND)
        LINE("injected, not by %s's stack%s%s", hi.name,
             pk.ok && pk.src != e->host_addr ? "; claims to be from " :
             "", pk.ok && pk.src != e->host_addr ? tui_rec_host_name(r, pk.src, ab) : "");
    const char *rid = tui_rec_str(r, e->rule_id);
    if (*act || *rule)
        LINE("did: %s%s%s%s%s%s", *act ? act : "-", *rid ? "  [" : "", rid, *rid ? "]" : "",
             *rule ? "  " : "", rule);
    if (v.exact)
        LINE("before: %s  after: %s", v.when[0], v.when[1]);
    else if (c.oom)
        LINE("(before and after its whole unit: more than %d moments to keep)", INS_MAX_POINTS);
    else
        LINE("(before and after its whole unit: its re-run did not repeat the record)");
    if (tuple && c.proto == WIRE_PROTO_TCP) {
        LINE("TCB %s:%u <-> %s:%u  before -> after%s", wire_ip_str(hi.addr, hb), c.lp,
             tui_rec_host_name(r, c.ra, ab), c.rp,
             m->absolute ? "" : " (SND rel. ISS, RCV rel. IRS)");
        tcb_lines(lines, &n, max, m, &v, e);
    }
    if (tuple && v.b->ipid && v.a->ipid) {
        if (v.a->ip.toward < 0)
            LINE("IP-ID: %s, no counter to show", v.a->ip.gen);
        else
            LINE("IP-ID toward %s: %ld -> %ld%s", tui_rec_host_name(r, c.ra, ab),
                 (long)v.b->ip.toward, (long)v.a->ip.toward,
                 v.a->ip.global >= 0 ? " (one counter for every peer)" : "");
    }
    if (tuple && v.a->isn_ok) {
        if (v.a->isn.predictable)
            LINE("next ISN for this tuple: %lu (%s)", (unsigned long)v.a->isn.next, v.a->isn.gen);
        else
            LINE("next ISN: unpredictable (%s)", v.a->isn.gen);
    }
    host_lines(lines, &n, max, r, v.a);
    filters_lines(lines, &n, max, sa, &hi, &v, e, &pk);
out:
    free(c.pt);
    free(c.at);
    return n;
}
