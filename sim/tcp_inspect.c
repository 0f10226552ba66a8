/* tcp_inspect.c — read-only copies of one host's TCP (TCBs, timers, listeners, the next ISN)
 * for the inspection API (sim.h, inspect.c), and the deep copy of a host's TCP for
 * sim_clone.
 *
 * A file of its own beside the four TCP files: nothing here changes a TCB, and nothing on a
 * packet's path calls it. The names follow RFC 793 3.2 (SND.UNA, SND.NXT, SND.WND, RCV.NXT,
 * RCV.WND, ISS, IRS; RCV.WND is the window the stack would offer now, tcp_rcv_window, and
 * beside it the window its last segment did offer); timers are RFC 6298's retransmission timer and RFC 793's TIME-WAIT
 * (2 MSL), plus Linux's orphaned FIN-WAIT-2 timer (tcp_fin_timeout).
 */
#include "tcp_int.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_inspect.h"

static void *dup_bytes(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

struct tcp_host *tcp_host_clone(const struct tcp_host *src)
{
    struct tcp_host *th = malloc(sizeof *th);
    if (!th)
        return NULL;
    *th = *src;
    th->pool = dup_bytes(src->pool, src->cappool * sizeof *src->pool);
    th->slot = dup_bytes(src->slot, (src->slot_mask + 1) * sizeof *src->slot);
    th->conns = dup_bytes(src->conns, src->capconns * sizeof *src->conns);
    th->lis = dup_bytes(src->lis, (src->nlis ? src->nlis : 1) * sizeof *src->lis);
    th->xbuf = dup_bytes(src->xbuf, src->xcap);
    th->rq = src->caprq ? dup_bytes(src->rq, src->caprq * sizeof *src->rq) : NULL;
    int app = tcp_app_clone(th, src);
    if (!th->pool || !th->slot || !th->conns || !th->lis || !th->xbuf || app < 0 ||
        (src->caprq && !th->rq)) {
        tcp_host_free(th);
        return NULL;
    }
    return th;
}

static int tcp_timer_public(uint8_t k)
{
    switch ((enum tcp_timer_kind)k) {
    case TCP_TK_REXMIT: return SIM_TIMER_REXMIT;
    case TCP_TK_TIMEWAIT: return SIM_TIMER_TIMEWAIT;
    case TCP_TK_FINWAIT2: return SIM_TIMER_FINWAIT2;
    case TCP_TK_NONE: break;
    }
    return SIM_TIMER_NONE;
}

static void tcb_info(const struct tcp_host *th, const struct tcp_tcb *t, struct sim_tcb_info *o)
{
    *o = (struct sim_tcb_info){
        .state = t->state, .laddr = th->addr, .raddr = t->raddr, .lport = t->lport,
        .rport = t->rport, .snd_una = t->snd_una, .snd_nxt = t->snd_nxt,
        .snd_wnd = t->snd_wnd, .rcv_nxt = t->rcv_nxt, .rcv_wnd = tcp_rcv_window(th, t),
        .rcv_adv = t->rcv_awnd, .iss = t->iss,
        .irs = t->irs, .mss = t->mss, .snd_wscale = t->snd_wscale,
        .rcv_wscale = t->rcv_wscale, .retries = t->retries, .rto_ms = t->rto_ms,
        .passive = t->passive, .timer = tcp_timer_public(t->timer_kind),
        .timer_at_ns = t->timer_kind != TCP_TK_NONE && t->tm_linked ? t->tm_at : 0,
    };
    if (o->timer_at_ns == 0)
        o->timer = SIM_TIMER_NONE;
}

uint32_t tcp_inspect_count(const struct tcp_host *th, uint32_t *ntimers)
{
    uint32_t n = 0, nt = 0;
    for (uint32_t i = 0; i < th->npool; i++)
        if (th->pool[i].in_use) {
            n++;
            nt += th->pool[i].timer_kind != TCP_TK_NONE && th->pool[i].tm_linked;
        }
    if (ntimers)
        *ntimers = nt;
    return n;
}

int tcp_inspect_tcbs(const struct tcp_host *th, struct sim_tcb_info *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < th->npool; i++) {
        if (!th->pool[i].in_use)
            continue;
        if (n < max)
            tcb_info(th, &th->pool[i], &out[n]);
        n++;
    }
    return (int)n;
}

int tcp_inspect_tcb(const struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport,
                    struct sim_tcb_info *out)
{
    for (uint32_t i = 0; i < th->npool; i++) {
        const struct tcp_tcb *t = &th->pool[i];
        if (t->in_use && t->lport == lport && t->raddr == raddr && t->rport == rport) {
            tcb_info(th, t, out);
            return 0;
        }
    }
    return -1;
}

static int timer_cmp(const void *a, const void *b)
{
    const struct sim_timer_info *x = a, *y = b;
    if (x->at_ns != y->at_ns)
        return x->at_ns < y->at_ns ? -1 : 1;
    if (x->raddr != y->raddr)
        return x->raddr < y->raddr ? -1 : 1;
    if (x->rport != y->rport)
        return x->rport < y->rport ? -1 : 1;
    return (x->lport > y->lport) - (x->lport < y->lport);
}

int tcp_inspect_timers(const struct tcp_host *th, struct sim_timer_info *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < th->npool; i++) {
        const struct tcp_tcb *t = &th->pool[i];
        if (!t->in_use || t->timer_kind == TCP_TK_NONE || !t->tm_linked)
            continue;
        if (n < max)
            out[n] = (struct sim_timer_info){ tcp_timer_public(t->timer_kind), t->tm_at,
                                              t->lport, t->rport, t->raddr, t->state,
                                              t->retries };
        n++;
    }
    if (out && n <= max)
        qsort(out, n, sizeof *out, timer_cmp);
    return (int)n;
}

int tcp_inspect_listeners(const struct tcp_host *th, struct sim_listener_info *out, size_t max)
{
    for (uint32_t i = 0; i < th->nlis && i < max; i++)
        out[i] = (struct sim_listener_info){ th->lis[i].port,
                                             (uint32_t)(th->lis[i].synrecv > 0
                                                        ? th->lis[i].synrecv : 0),
                                             th->p.backlog };
    return (int)th->nlis;
}

void tcp_inspect_isn(const struct tcp_host *th, uint64_t now_ns, uint16_t lport, uint32_t raddr,
                     uint16_t rport, struct sim_isn_info *out)
{
    memset(out, 0, sizeof *out);
    gen_isn_describe(&th->isn.cfg, out->gen, sizeof out->gen);
    /* random and random-inc: the next value is a draw still to come; showing it would let a
     * student read the future (gen_isn_peek draws from a copy, which is exactly that). */
    out->predictable = th->isn.cfg.kind != GEN_ISN_RANDOM &&
                       th->isn.cfg.kind != GEN_ISN_RANDOM_INC;
    if (out->predictable)
        out->next = tcp_peek_isn(th, now_ns, lport, raddr, rport);
}
