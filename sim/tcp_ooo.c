/* tcp_ooo.c — the receive side's out-of-order queue and SACK scoreboard (Linux hosts).
 *
 * Why: a segment that arrives ahead of RCV.NXT is kept by Linux (tcp_data_queue_ofo) and
 * reported in SACK blocks (RFC 2018 section 4: the first block names the segment that
 * arrived last, the others the most recently reported ones), and a duplicate is reported
 * in a D-SACK block (RFC 2883 section 4: the first block names the duplicate bytes). Both
 * are visible on the wire in every ACK; the live oracle (tests/live/oracle_stateful.py)
 * compares them with a real kernel.
 *
 * Sources: Linux net/ipv4/tcp_input.c: tcp_data_queue_ofo (overlaps, tcp_dsack_set and
 * tcp_dsack_extend), tcp_sack_new_ofo_skb (the new block first, tcp_sack_extend, at most
 * TCP_NUM_SACKS = 4 kept), tcp_sack_maybe_coalesce, tcp_sack_remove (blocks RCV.NXT has
 * passed), tcp_ofo_queue (the queue drained into order), tcp_send_dupack and tcp_data_queue
 * (D-SACK of a duplicate, or of the duplicate head of a partial one); tcp_output.c:
 * tcp_established_options (blocks after the timestamp: 3 with it, 4 without) and
 * tcp_options_write (NOP NOP SACK; the D-SACK block first, then selective_acks).
 *
 * Cost: the state lives outside the TCB, in a pool of its own (struct tcp_rcvq), taken the
 * first time a connection queues a segment or reports a duplicate: a connection that never
 * does (every scan probe) pays one test of tcb.rq. The pool grows by doubling and keeps its
 * free entries, so nothing is allocated per packet. The queue holds TCP_OOO_MAX ranges of
 * sequence space (the simulated payload is bytes of 'X': ranges are all there is to keep);
 * a segment that would need more is dropped, as Linux prunes under memory pressure.
 */
#include "tcp_int.h"

#include <stdlib.h>
#include <string.h>

enum { TCP_RQ_INIT = 4 };

struct tcp_rcvq *tcp_rq_of(struct tcp_host *th, const struct tcp_tcb *t)
{
    return t->rq ? &th->rq[t->rq - 1] : NULL;
}

/* The connection's queue, taken from the pool on first use; NULL when memory runs out. */
static struct tcp_rcvq *tcp_rq_get(struct tcp_host *th, struct tcp_tcb *t)
{
    if (t->rq)
        return &th->rq[t->rq - 1];
    int32_t i = th->rq_free;
    if (i < 0 && th->nrq >= UINT16_MAX)
        return NULL;               /* tcb.rq is 16 bits: further queues are refused */
    if (i >= 0) {
        th->rq_free = th->rq[i].next_free;
    } else {
        if (th->nrq == th->caprq) {
            uint32_t ncap = th->caprq ? th->caprq * 2 : TCP_RQ_INIT;
            struct tcp_rcvq *n = realloc(th->rq, ncap * sizeof *n);
            if (!n)
                return NULL;
            th->rq = n;
            th->caprq = ncap;
        }
        i = (int32_t)th->nrq++;
    }
    th->rq[i] = (struct tcp_rcvq){ .next_free = -1 };
    t->rq = (uint16_t)(i + 1);
    return &th->rq[i];
}

void tcp_rq_release(struct tcp_host *th, struct tcp_tcb *t)
{
    if (!t->rq)
        return;
    int32_t i = t->rq - 1;
    th->rq[i].next_free = th->rq_free;
    th->rq_free = i;
    t->rq = 0;
}

/* Linux tcp_dsack_set: the next ACK reports [l, r) as a duplicate (RFC 2883). */
void tcp_dsack_set(struct tcp_host *th, struct tcp_tcb *t, uint32_t l, uint32_t r)
{
    if (!t->sack_ok)
        return;
    struct tcp_rcvq *q = tcp_rq_get(th, t);
    if (!q)
        return;
    q->dsack = true;
    q->dsack_l = l;
    q->dsack_r = r;
}

/* Linux tcp_dsack_extend: widen a pending D-SACK block, or set one. */
static void tcp_dsack_extend(struct tcp_host *th, struct tcp_tcb *t, uint32_t l, uint32_t r)
{
    struct tcp_rcvq *q = tcp_rq_of(th, t);
    if (!q || !q->dsack) {
        tcp_dsack_set(th, t, l, r);
        return;
    }
    if (tcp_before(l, q->dsack_l))
        q->dsack_l = l;
    if (tcp_after(r, q->dsack_r))
        q->dsack_r = r;
}

/* tcp_sack_extend: block b grows to cover [l, r) when they overlap or touch. */
static bool tcp_sack_extend(uint32_t b[2], uint32_t l, uint32_t r)
{
    if (tcp_after(l, b[1]) || tcp_after(b[0], r))
        return false;
    if (tcp_before(l, b[0]))
        b[0] = l;
    if (tcp_after(r, b[1]))
        b[1] = r;
    return true;
}

/* tcp_sack_maybe_coalesce: the first block swallows any other it now overlaps. */
static void tcp_sack_coalesce(struct tcp_rcvq *q)
{
    for (uint8_t i = 1; i < q->nsack;) {
        if (tcp_sack_extend(q->sack[0], q->sack[i][0], q->sack[i][1])) {
            memmove(q->sack[i], q->sack[i + 1], (size_t)(q->nsack - i - 1) * sizeof q->sack[0]);
            q->nsack--;
        } else {
            i++;
        }
    }
}

/* tcp_sack_new_ofo_skb: [l, r) arrived out of order; its block goes first. */
static void tcp_sack_new(struct tcp_rcvq *q, uint32_t l, uint32_t r)
{
    for (uint8_t i = 0; i < q->nsack; i++) {
        if (tcp_sack_extend(q->sack[i], l, r)) {
            uint32_t b[2] = { q->sack[i][0], q->sack[i][1] };
            memmove(q->sack[1], q->sack[0], (size_t)i * sizeof q->sack[0]);
            q->sack[0][0] = b[0];
            q->sack[0][1] = b[1];
            tcp_sack_coalesce(q);
            return;
        }
    }
    uint8_t n = q->nsack < TCP_NUM_SACKS ? q->nsack : TCP_NUM_SACKS - 1;
    memmove(q->sack[1], q->sack[0], (size_t)n * sizeof q->sack[0]);
    q->sack[0][0] = l;
    q->sack[0][1] = r;
    q->nsack = (uint8_t)(n + 1);
}

bool tcp_ooo_add(struct tcp_host *th, struct tcp_tcb *t, uint32_t l, uint32_t r, bool fin)
{
    struct tcp_rcvq *q = tcp_rq_get(th, t);
    if (!q)
        return false;
    /* the overlaps with what is queued, in order (tcp_data_queue_ofo) */
    uint8_t i = 0;
    while (i < q->n && !tcp_after(q->r[i], l))
        i++;                       /* ranges wholly before l (touching ones included) */
    if (i < q->n && !tcp_before(l, q->l[i]) && !tcp_after(r, q->r[i])) {
        tcp_dsack_set(th, t, l, r);   /* "All the bits are present. Drop." */
        if (t->sack_ok)
            tcp_sack_new(q, l, r);
        return true;
    }
    if (i < q->n && tcp_before(q->l[i], r)) {
        if (tcp_after(l, q->l[i]))
            tcp_dsack_set(th, t, l, q->r[i]);          /* partial overlap */
        else
            tcp_dsack_extend(th, t, q->l[i], tcp_before(q->r[i], r) ? q->r[i] : r);
    }
    /* merge [l, r) with every range it overlaps or touches */
    uint8_t j = i;
    uint32_t nl = l, nr = r;
    bool nfin = fin;
    while (j < q->n && !tcp_after(q->l[j], r)) {
        if (tcp_before(q->l[j], nl))
            nl = q->l[j];
        if (tcp_after(q->r[j], nr))
            nr = q->r[j];
        nfin |= q->fin[j];
        j++;
    }
    uint8_t removed = (uint8_t)(j - i);
    if (removed == 0 && q->n == TCP_OOO_MAX)
        return false;              /* no room: dropped (Linux would prune) */
    memmove(&q->l[i + 1], &q->l[j], (size_t)(q->n - j) * sizeof q->l[0]);
    memmove(&q->r[i + 1], &q->r[j], (size_t)(q->n - j) * sizeof q->r[0]);
    memmove(&q->fin[i + 1], &q->fin[j], (size_t)(q->n - j) * sizeof q->fin[0]);
    q->l[i] = nl;
    q->r[i] = nr;
    q->fin[i] = nfin;
    q->n = (uint8_t)(q->n - removed + 1);
    if (t->sack_ok)
        tcp_sack_new(q, l, r);
    return true;
}

int tcp_ooo_pull(struct tcp_host *th, struct tcp_tcb *t)
{
    struct tcp_rcvq *q = tcp_rq_of(th, t);
    if (!q || q->n == 0)
        return 0;
    int got = 0;
    uint8_t k = 0;
    while (k < q->n && !tcp_after(q->l[k], t->rcv_nxt)) {
        /* tcp_ofo_queue: a range RCV.NXT reaches joins the stream (its duplicate head, if
         * any, would be D-SACKed; ranges never overlap RCV.NXT here, as the in-order
         * segment is taken first) */
        if (tcp_after(q->r[k], t->rcv_nxt)) {
            t->rcv_nxt = q->r[k];
            got |= q->fin[k] ? 2 : 1;
        }
        k++;
    }
    memmove(&q->l[0], &q->l[k], (size_t)(q->n - k) * sizeof q->l[0]);
    memmove(&q->r[0], &q->r[k], (size_t)(q->n - k) * sizeof q->r[0]);
    memmove(&q->fin[0], &q->fin[k], (size_t)(q->n - k) * sizeof q->fin[0]);
    q->n = (uint8_t)(q->n - k);
    return got;
}

void tcp_sack_remove(struct tcp_host *th, struct tcp_tcb *t)
{
    struct tcp_rcvq *q = tcp_rq_of(th, t);
    if (!q)
        return;
    if (q->n == 0) {               /* empty queue: every SACK is eaten */
        q->nsack = 0;
        return;
    }
    for (uint8_t i = 0; i < q->nsack;) {
        if (!tcp_before(t->rcv_nxt, q->sack[i][0])) {
            memmove(q->sack[i], q->sack[i + 1], (size_t)(q->nsack - i - 1) * sizeof q->sack[0]);
            q->nsack--;
        } else {
            i++;
        }
    }
}

bool tcp_ooo_pending(const struct tcp_host *th, const struct tcp_tcb *t)
{
    return t->rq && th->rq[t->rq - 1].n > 0;
}

static void tcp_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void tcp_sack_opts(struct tcp_host *th, struct tcp_tcb *t, struct wire_tcp_opts *o)
{
    struct tcp_rcvq *q = tcp_rq_of(th, t);
    if (!q || !t->sack_ok || (!q->nsack && !q->dsack))
        return;
    unsigned room = o->has_ts ? 3 : 4;     /* (40 - 12 - 4) / 8 with timestamps */
    unsigned n = 0;
    if (q->dsack) {
        tcp_be32(th->sackbuf, q->dsack_l);
        tcp_be32(th->sackbuf + 4, q->dsack_r);
        n = 1;
        q->dsack = false;                  /* reported once (tcp_options_write) */
    }
    for (unsigned i = 0; i < q->nsack && n < room; i++, n++) {
        tcp_be32(th->sackbuf + 8 * n, q->sack[i][0]);
        tcp_be32(th->sackbuf + 8 * n + 4, q->sack[i][1]);
    }
    if (o->n + 3 > WIRE_TCP_OPT_MAX)
        return;
    o->order[o->n++] = TCPOPT_NOP;
    o->order[o->n++] = TCPOPT_NOP;
    o->order[o->n++] = TCPOPT_SACK;
    o->sack_n = (uint8_t)n;
    o->sack_blocks = th->sackbuf;
}
