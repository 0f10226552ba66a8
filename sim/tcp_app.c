/* tcp_app.c — a connection's bytes: the send and receive buffers, and the service
 * application (app.c) a listener's connection runs.
 *
 * Why: without it a simulated TCP only counts bytes (its data segments carry 'X's). A port
 * with a `service` and a buffered stream (the scanner's -sV connections, `connect ... send
 * "TEXT"`) need the real bytes: what the server sends, kept until acknowledged so that a
 * retransmission resends them, and what it reads, in order. Out-of-order segments are not
 * queued on such a connection (a Linux host's queue keeps sequence ranges, not bytes): they
 * get the duplicate ACK of RFC 793 and the peer retransmits them.
 *
 * Memory: one struct tcp_sbuf per buffered connection, from a pool that grows by doubling
 * and keeps a free list; its receive storage doubles from TCP_SB_RCV bytes when a segment
 * needs more, up to the stack's buffer (tcp_sb_rcv_max: 4 KiB, on Linux tcp_rmem[1]'s
 * window), and stays with the pool slot. The send buffer drops acknowledged bytes when more
 * are queued; a writer that outruns TCP_SB_SND is cut short, and a receiver offers no more
 * window than its buffer has free (RFC 9293 3.8.6, tcp_out.c tcp_rcv_window, in Linux's
 * form on Linux): bytes past it are trimmed, a full buffer offers a zero window, and
 * reading (tcp_read, a service taking its input) opens it with a window update. A service
 * whose send buffer is full leaves its input in the buffer and reads it after an ACK
 * (tcp_app_pump).
 */
#include "app.h"
#include "tcp_int.h"

#include <stdlib.h>
#include <string.h>

static int32_t tcp_sb_new(struct tcp_host *th)
{
    int32_t i = th->sb_free;
    if (i >= 0) {
        th->sb_free = th->sb[i].next_free;
    } else {
        if (th->nsb == th->capsb) {
            uint32_t ncap = th->capsb ? th->capsb * 2 : 4;
            if (ncap > 65535)
                return -1;              /* the TCB holds the index in 16 bits */
            struct tcp_sbuf *n = realloc(th->sb, ncap * sizeof *n);
            if (!n)
                return -1;
            th->sb = n;
            th->capsb = ncap;
        }
        i = (int32_t)th->nsb++;
        th->sb[i].rcv = NULL;            /* its storage: tcp_sb_attach */
        th->sb[i].rcv_cap = 0;
    }
    struct tcp_sbuf *b = &th->sb[i];
    b->by_tcb = b->by_conn = b->rcv_fin = false;
    b->svc = -1;
    b->next_free = -1;
    b->snd_seq = b->snd_len = b->rcv_len = 0;
    b->lin_ratio = false;
    b->lin_ssthresh = b->lin_clamp = 0;
    return i;
}

static void tcp_sb_release(struct tcp_host *th, uint16_t sb)
{
    struct tcp_sbuf *b = &th->sb[sb - 1];
    if (b->by_tcb || b->by_conn)
        return;
    b->next_free = th->sb_free;
    th->sb_free = sb - 1;
}

void tcp_sb_tcb_gone(struct tcp_host *th, struct tcp_tcb *t)
{
    if (!t->sb)
        return;
    th->sb[t->sb - 1].by_tcb = false;
    tcp_sb_release(th, t->sb);
    t->sb = 0;
}

void tcp_sb_conn_gone(struct tcp_host *th, struct tcp_conn *c)
{
    if (!c->sb)
        return;
    th->sb[c->sb - 1].by_conn = false;
    tcp_sb_release(th, c->sb);
    c->sb = 0;
}

void tcp_app_free(struct tcp_host *th)
{
    for (uint32_t i = 0; th->sb && i < th->nsb; i++)
        free(th->sb[i].rcv);
    free(th->sb);
    th->sb = NULL;
}

int tcp_app_clone(struct tcp_host *th, const struct tcp_host *src)
{
    th->sb = NULL;
    th->svc = NULL;
    th->nsb = 0;
    if (src->capsb && !(th->sb = malloc(src->capsb * sizeof *th->sb)))
        return -1;
    for (uint32_t i = 0; i < src->nsb; i++) {   /* each buffer's storage its own copy */
        th->sb[i] = src->sb[i];
        th->sb[i].rcv = NULL;
        th->nsb = i + 1;
        if (src->sb[i].rcv_cap && !(th->sb[i].rcv = malloc(src->sb[i].rcv_cap)))
            return -1;
        if (src->sb[i].rcv_len)
            memcpy(th->sb[i].rcv, src->sb[i].rcv, src->sb[i].rcv_len);
    }
    if (src->nsvc && !(th->svc = malloc(src->nsvc * sizeof *th->svc)))
        return -1;
    if (src->nsvc)
        memcpy(th->svc, src->svc, src->nsvc * sizeof *th->svc);
    return 0;
}

const uint8_t *tcp_app_payload(struct tcp_host *th, const struct tcp_tcb *t, uint32_t seq)
{
    const struct tcp_sbuf *b = tcp_sb_of(th, t);
    return b ? b->snd + (seq - b->snd_seq) : th->xbuf;
}

/* Drops the bytes of t's send buffer before SND.UNA: acknowledged, no longer needed. */
static void tcp_sb_compact(struct tcp_sbuf *b, const struct tcp_tcb *t)
{
    uint32_t acked = t->snd_una - b->snd_seq;
    if (acked > b->snd_len)
        acked = b->snd_len;                     /* SND.UNA past the data: the SYN or FIN */
    if (acked) {
        memmove(b->snd, b->snd + acked, b->snd_len - acked);
        b->snd_len -= acked;
        b->snd_seq += acked;
    }
}

/* Takes n bytes written at the end of t's send buffer (after tcp_sb_compact). */
static void tcp_sb_commit(struct tcp_sbuf *b, struct tcp_tcb *t, uint32_t n)
{
    b->snd_len += n;
    t->write_seq += n;
}

uint32_t tcp_sb_queue(struct tcp_host *th, struct tcp_tcb *t, const uint8_t *d, uint32_t n)
{
    struct tcp_sbuf *b = tcp_sb_of(th, t);
    tcp_sb_compact(b, t);
    uint32_t room = TCP_SB_SND - b->snd_len;
    if (n > room)
        n = room;
    memcpy(b->snd + b->snd_len, d, n);
    tcp_sb_commit(b, t, n);
    return n;
}

/* The application closes: FIN after what it queued (tcp_close's transitions). */
static void tcp_app_close(struct tcp_tcb *t)
{
    if (t->state == TCP_ESTABLISHED)
        t->state = TCP_FIN_WAIT_1;
    else if (t->state == TCP_CLOSE_WAIT)
        t->state = TCP_LAST_ACK;
    else
        return;
    t->fin_queued = true;
}

static int32_t tcp_svc_find(const struct tcp_host *th, uint16_t port)
{
    for (uint32_t i = 0; i < th->nsvc; i++)
        if (th->svc[i].port == port)
            return (int32_t)i;
    return -1;
}

void tcp_app_accept(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    if (!th->nsvc)
        return;
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    int32_t svc = tcp_svc_find(th, t->lport);
    if (svc < 0 || t->sb)
        return;
    int32_t b = tcp_sb_attach(th, t);
    if (b < 0)
        return;                          /* out of memory: a plain listener */
    th->sb[b].svc = svc;
    uint8_t out[SCN_SVC_TEXT_MAX];
    size_t n = app_accept(&th->svc[svc], out, sizeof out);
    if (n) {
        tcp_sb_queue(th, t, out, (uint32_t)n);
        tcp_output(th, io, idx);
    }
}

bool tcp_app_input(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   const uint8_t *data, uint32_t n, bool fin)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    struct tcp_sbuf *b = tcp_sb_of(th, t);
    if (!b)
        return false;
    uint32_t take = data ? tcp_sb_rcv_room(th, t, n) : 0;
    if (th->p.linux_stack && take)
        tcp_lin_rcv_data(th, t, b, take);
    if (take) {
        memcpy(b->rcv + b->rcv_len, data, take);
        b->rcv_len += take;
    }
    b->rcv_fin |= fin;
    if (b->svc < 0 || t->fin_queued)
        return false;                    /* a client stream (tcp_read takes the bytes), or
                                            an application that has closed */
    tcp_sb_compact(b, t);
    /* "full": the application's own limit (an HTTP header of 4 KiB), whatever the stack */
    struct app_out o = app_input(&th->svc[b->svc], b->rcv, b->rcv_len,
                                 b->rcv_len >= TCP_SB_RCV, b->snd + b->snd_len,
                                 TCP_SB_SND - b->snd_len);
    if (o.consumed) {
        memmove(b->rcv, b->rcv + o.consumed, b->rcv_len - o.consumed);
        b->rcv_len -= (uint32_t)o.consumed;
    }
    if (!o.len && !o.close)
        return false;
    tcp_sb_commit(b, t, (uint32_t)o.len);
    if (o.close)
        tcp_app_close(t);
    return tcp_output(th, io, idx) > 0;
}

void tcp_app_pump(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    const struct tcp_sbuf *b = tcp_sb_of(th, t);
    if (!b || b->svc < 0 || !b->rcv_len || t->fin_queued)
        return;
    if (!tcp_app_input(th, io, idx, NULL, 0, false))
        tcp_rcv_update(th, io, idx);
}

int32_t tcp_sb_attach(struct tcp_host *th, struct tcp_tcb *t)
{
    if (t->sb)
        return t->sb - 1;
    int32_t b = tcp_sb_new(th);
    if (b < 0)
        return -1;
    if (!th->sb[b].rcv) {            /* a new slot's storage (a reused one keeps its own) */
        if (!(th->sb[b].rcv = malloc(TCP_SB_RCV))) {
            th->sb[b].next_free = th->sb_free;
            th->sb_free = b;
            return -1;
        }
        th->sb[b].rcv_cap = TCP_SB_RCV;
    }
    t->sb = (uint16_t)(b + 1);
    th->sb[b].by_tcb = true;
    t->rcv_awnd = t->rcv_wnd;        /* what the SYN or SYN-ACK offered */
    th->sb[b].snd_seq = t->write_seq;
    if (th->p.linux_stack) {
        /* tcp_init_buffer_space: window_clamp = tcp_full_space less one segment ("force
         * reservation of one segment"), rcv_ssthresh = min(the initial window, it) */
        uint32_t advmss = th->xlen - (t->ts_ok ? 12u : 0u);
        uint32_t clamp = TCP_LIN_SPACE0 - advmss;
        th->sb[b].lin_clamp = clamp > 2 * advmss ? clamp : 2 * advmss;
        th->sb[b].lin_ssthresh = t->rcv_wnd < th->sb[b].lin_clamp ? t->rcv_wnd
                                                                   : th->sb[b].lin_clamp;
    }
    return b;
}

uint32_t tcp_sb_rcv_room(struct tcp_host *th, const struct tcp_tcb *t, uint32_t n)
{
    struct tcp_sbuf *b = tcp_sb_of(th, t);
    uint32_t room = tcp_sb_rcv_free(th, t, b);
    if (n > room)
        n = room;
    if (b->rcv_len + n > b->rcv_cap) {
        uint32_t cap = b->rcv_cap, max = tcp_sb_rcv_max(th, t);
        while (cap < b->rcv_len + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        uint8_t *p = realloc(b->rcv, cap);
        if (!p)
            return b->rcv_cap - b->rcv_len;  /* out of memory: what fits (the rest comes again) */
        b->rcv = p;
        b->rcv_cap = cap;
    }
    return n;
}

/* --- the socket API for buffered streams (tcp.h) --- */

int tcp_host_services(struct tcp_host *th, const struct scn_service *svc, uint32_t n)
{
    free(th->svc);
    th->svc = NULL;
    th->nsvc = 0;
    if (!n)
        return 0;
    if (!(th->svc = malloc(n * sizeof *svc)))
        return -1;
    memcpy(th->svc, svc, n * sizeof *svc);
    th->nsvc = n;
    return 0;
}
