/* tcp_timer.c — one host's TCP timers: arming, stopping, and firing them in order.
 *
 * Why a file of its own: every TCB has at most one timer (retransmission, TIME-WAIT,
 * orphaned FIN-WAIT-2), and how those timers reach the engine decides how much a scan costs
 * the event queue. Tokens are (generation << 32 | TCB index): re-arming or stopping bumps the
 * generation, so a superseded engine entry is recognised and ignored without cancelling
 * anything (the way BSD's callout "pending" checks and Linux's sk_reset_timer /
 * inet_csk_clear_xmit_timer let a stale expiry find nothing to do).
 *
 * Two modes (tcp.h, struct tcp_io): one engine entry per arm (io->timer), or list mode
 * (io->timer_at), where the host keeps its armed timers in two lists ordered by (due time,
 * engine key) and the engine holds a single entry for the earliest. The timer's action
 * itself (RFC 6298 retransmission, RFC 793 TIME-WAIT) is tcp_in.c's tcp_tcb_timer.
 */
#include "tcp_int.h"

#include <string.h>

/* --- timers: token = generation << 32 | index ---
 *
 * Without tcp_io.timer_at, every arm asks the engine for an entry (io->timer) and a stale
 * one is ignored when it comes due. With it (list mode), each armed timer is listed with its
 * due time and the key the engine would have given its entry, and the engine holds one
 * entry for the host: the one asked for last (tm_sched), due no later than every listed
 * timer. When it comes due (tcp_timer_due) the earliest listed timer fires if it is that
 * entry's, and an entry is asked for the next one. A timer therefore fires at the very
 * (time, key) place its own entry would have held, among every other queue entry; what no
 * longer happens is the pop of entries for timers stopped meanwhile, which did nothing and
 * reported nothing (their only trace was the clock moving to their time, which every caller
 * moves past anyway: sim_run_until sets it, pktio_sim's recv ends at an arrival or its
 * deadline). */

static uint64_t tcp_token(const struct tcp_tcb *t, int32_t idx)
{
    return (uint64_t)t->timer_gen << 32 | (uint32_t)idx;
}

/* List mode (tcp_io.timer_at; tcp_int.h): (due time, key) order, the engine's. */
static bool tcp_tm_before(uint64_t at, uint64_t key, uint64_t at2, uint64_t key2)
{
    return at < at2 || (at == at2 && key < key2);
}

static void tcp_tm_unlink(struct tcp_host *th, struct tcp_tcb *t)
{
    int32_t *head = &th->tm_head[t->tm_list], *tail = &th->tm_tail[t->tm_list];
    if (t->tm_prev >= 0)
        th->pool[t->tm_prev].tm_next = t->tm_next;
    else
        *head = t->tm_next;
    if (t->tm_next >= 0)
        th->pool[t->tm_next].tm_prev = t->tm_prev;
    else
        *tail = t->tm_prev;
    t->tm_linked = false;
}

/* Inserts TCB idx (tm_at, tm_key set) into list l, walking back from the tail: one step
 * when it is due last, as timers armed with the list's usual delay are. */
static void tcp_tm_link(struct tcp_host *th, int32_t idx, uint8_t l)
{
    struct tcp_tcb *t = &th->pool[idx];
    int32_t after = th->tm_tail[l], next = -1;
    while (after >= 0 &&
           tcp_tm_before(t->tm_at, t->tm_key, th->pool[after].tm_at, th->pool[after].tm_key)) {
        next = after;
        after = th->pool[after].tm_prev;
    }
    t->tm_list = l;
    t->tm_linked = true;
    t->tm_prev = after;
    t->tm_next = next;
    *(next >= 0 ? &th->pool[next].tm_prev : &th->tm_tail[l]) = idx;
    *(after >= 0 ? &th->pool[after].tm_next : &th->tm_head[l]) = idx;
}

/* Asks the engine for an entry at timer idx's (due time, key). */
static void tcp_tm_ask(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    const struct tcp_tcb *t = &th->pool[idx];
    th->tm_sched = true;
    th->tm_sched_at = t->tm_at;
    th->tm_sched_key = t->tm_key;
    th->tm_sched_tok = tcp_token(t, idx);
    io->timer_at(io->ctx, t->tm_at, t->tm_key, th->tm_sched_tok);
}

/* When no entry is pending: asks for one for the earliest listed timer. */
static void tcp_tm_next(struct tcp_host *th, const struct tcp_io *io)
{
    int32_t a = th->tm_head[TCP_TM_REXMIT], b = th->tm_head[TCP_TM_LONG];
    if (th->tm_sched || (a < 0 && b < 0))
        return;
    if (a < 0 || (b >= 0 && tcp_tm_before(th->pool[b].tm_at, th->pool[b].tm_key,
                                          th->pool[a].tm_at, th->pool[a].tm_key)))
        a = b;
    tcp_tm_ask(th, io, a);
}

void tcp_timer_arm(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   enum tcp_timer_kind kind, uint64_t delay_ns)
{
    struct tcp_tcb *t = &th->pool[idx];
    t->timer_gen++;
    t->timer_kind = (uint8_t)kind;
    if (!io->timer_at) {
        if (io->timer)
            io->timer(io->ctx, io->now_ns + delay_ns, tcp_token(t, idx));
        return;
    }
    if (t->tm_linked)
        tcp_tm_unlink(th, t);
    t->tm_at = io->now_ns + delay_ns;
    t->tm_key = io->timer_key(io->ctx);
    tcp_tm_link(th, idx, kind == TCP_TK_REXMIT ? TCP_TM_REXMIT : TCP_TM_LONG);
    /* The entry asked for last stays due no later than every listed timer. With none pending
     * (an empty list, or a timer re-arming from tcp_timer_due) ask for the earliest listed,
     * which need not be this one. */
    if (!th->tm_sched)
        tcp_tm_next(th, io);
    else if (tcp_tm_before(t->tm_at, t->tm_key, th->tm_sched_at, th->tm_sched_key))
        tcp_tm_ask(th, io, idx);
}

void tcp_timer_stop(struct tcp_host *th, struct tcp_tcb *t)
{
    t->timer_gen++;
    t->timer_kind = TCP_TK_NONE;
    if (t->tm_linked)   /* the engine entry, if it was asked for this one, finds nothing */
        tcp_tm_unlink(th, t);
}

/* --- firing --- */

bool tcp_timer_live(const struct tcp_host *th, uint64_t token)
{
    uint32_t idx = (uint32_t)token, gen = (uint32_t)(token >> 32);
    return idx < th->npool && th->pool[idx].in_use && th->pool[idx].timer_gen == gen &&
           th->pool[idx].timer_kind != TCP_TK_NONE;
}

void tcp_timer(struct tcp_host *th, const struct tcp_io *io, uint64_t token, struct tcp_verdict *v)
{
    memset(v, 0, sizeof *v);
    uint32_t idx = (uint32_t)token;
    v->state_before = v->state_after = TCB_NONE;
    if (!tcp_timer_live(th, token)) {
        /* superseded or connection gone: nothing happened, nothing to report (NULL) */
        tcp_verdict_clear(v);
        return;
    }
    struct tcp_tcb *t = &th->pool[idx];
    uint16_t lport = t->lport, rport = t->rport;
    uint32_t raddr = t->raddr;
    v->state_before = t->state;
    v->state_after = tcp_gone_state(t);   /* for tcp_verdict_finish */
    if (t->tm_linked)   /* list mode: it is due, so it leaves the list (it may re-arm) */
        tcp_tm_unlink(th, t);
    tcp_tcb_timer(th, io, (int32_t)idx, v);
    if (!io->quiet)
        tcp_verdict_finish(th, io, v, lport, raddr, rport, true);
}

bool tcp_timer_due(struct tcp_host *th, const struct tcp_io *io, uint64_t token,
                   struct tcp_verdict *v)
{
    /* Keys are unique, so the entry asked for last is the one with its token; a live timer
     * under that token is due now and is the earliest listed (the entry's key was <= all). */
    if (!th->tm_sched || token != th->tm_sched_tok)
        return false;
    th->tm_sched = false;
    bool live = tcp_timer_live(th, token);
    if (live)
        tcp_timer(th, io, token, v);
    tcp_tm_next(th, io);
    return live;
}
