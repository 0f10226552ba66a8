/* tcp_sock.c — the socket API of one simulated host's TCP: connect (active opens: a
 * scenario's connect statements, the scanner's -sT through a simulated stack), send,
 * write, read, close, abort, and the connection handles they use.
 *
 * Why apart from tcp.c: tcp.c decides what a segment arriving from the wire does; this is
 * what the host's own applications ask of TCP, and owns the connection table (struct
 * tcp_conn: state the application reads, errors, the buffer it writes into). Sources:
 * RFC 793 3.8 (the user calls: OPEN, SEND, RECEIVE, CLOSE, ABORT); Linux
 * inet_hashtables.c __inet_hash_connect (ephemeral ports 32768-60999, even ports first).
 */
#include "tcp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TCP_EPH_LO = 32768, TCP_EPH_HI = 60999 };   /* Linux ip_local_port_range */

static bool tcp_port_free(const struct tcp_host *th, uint16_t port, uint32_t dst, uint16_t dport)
{
    return !scn_port_in(&th->listen, port) && tcp_lookup(th, port, dst, dport) < 0;
}

/* Linux __inet_hash_connect: a random offset into 32768-60999, even ports first (4.6+:
 * connect() takes even ports, bind() odd ones), then the odd ones. The offset is a keyed
 * draw of the destination and the time (Linux 5.12+ hashes the destination with a secret,
 * RFC 6056 3.3.4), not the next of a stream: a connection elsewhere never moves it. */
static uint16_t tcp_ephemeral(struct tcp_host *th, uint32_t dst, uint16_t dport, uint64_t now_ns)
{
    uint32_t range = TCP_EPH_HI - TCP_EPH_LO + 1;
    uint64_t w[2] = { (uint64_t)dst << 16 | dport, now_ns };
    uint32_t off = rng_key_below(rng_key_hash(&th->key_port, w, 2), range) & ~1u;
    for (uint32_t parity = 0; parity < 2; parity++)
        for (uint32_t i = 0; i < range; i += 2) {
            uint16_t port = (uint16_t)(TCP_EPH_LO + (off + parity + i) % range);
            if (tcp_port_free(th, port, dst, dport))
                return port;
        }
    return 0;
}

static int32_t tcp_conn_new(struct tcp_host *th)
{
    for (uint32_t i = 0; i < th->capconns; i++)
        if (!th->conns[i].used)
            return (int32_t)i;
    uint32_t ncap = th->capconns * 2;
    struct tcp_conn *nc = realloc(th->conns, ncap * sizeof *nc);
    if (!nc)
        return -1;
    memset(nc + th->capconns, 0, (ncap - th->capconns) * sizeof *nc);
    th->conns = nc;
    int32_t id = (int32_t)th->capconns;
    th->capconns = ncap;
    return id;
}

static struct tcp_conn *tcp_conn_get(const struct tcp_host *th, int id)
{
    if (id < 0 || (uint32_t)id >= th->capconns || !th->conns[id].used)
        return NULL;
    return &th->conns[id];
}

int tcp_connect(struct tcp_host *th, const struct tcp_io *io, uint32_t dst, uint16_t dport,
                uint16_t sport)
{
    if (sport == 0)
        sport = tcp_ephemeral(th, dst, dport, io->now_ns);
    else if (!tcp_port_free(th, sport, dst, dport))
        return -1;
    if (sport == 0)
        return -1;
    int32_t id = tcp_conn_new(th);
    if (id < 0)
        return -1;
    int32_t idx = tcp_tcb_new(th, sport, dst, dport);
    if (idx < 0)
        return -1;
    struct tcp_conn *c = &th->conns[id];
    memset(c, 0, sizeof *c);
    c->used = true;
    c->tcb = idx;
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    t->conn = id;
    t->state = TCP_SYN_SENT;
    t->iss = tcp_isn_take(th, io->now_ns, sport, dst, dport);
    t->snd_una = t->iss;
    t->snd_nxt = t->write_seq = t->iss + 1;
    t->rcv_wnd = tcp_syn_window(th);
    tcp_send_syn(th, io, t);
    tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, (uint64_t)t->rto_ms * 1000000u);
    return id;
}

int tcp_conn_state(const struct tcp_host *th, int id)
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c)
        return TCB_NONE;
    return c->tcb >= 0 ? th->pool[c->tcb].state : c->state;
}

int tcp_conn_error(const struct tcp_host *th, int id, uint8_t *icmp_type, uint8_t *icmp_code)
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c)
        return 0;
    if (c->err == 'I') {
        if (icmp_type)
            *icmp_type = c->icmp_type;
        if (icmp_code)
            *icmp_code = c->icmp_code;
    }
    return c->err;
}

int tcp_send(struct tcp_host *th, const struct tcp_io *io, int id, uint32_t nbytes)
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c || c->tcb < 0)
        return -1;
    struct tcp_tcb *t = &th->pool[c->tcb];
    if ((t->state != TCP_SYN_SENT && t->state != TCP_ESTABLISHED &&
         t->state != TCP_CLOSE_WAIT) || t->fin_queued)
        return -1;
    t->write_seq += nbytes;
    if (t->state != TCP_SYN_SENT)
        tcp_output(th, io, c->tcb);
    return 0;
}

int tcp_buffer(struct tcp_host *th, int id)
{
    struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c || c->tcb < 0)
        return -1;
    int32_t b = tcp_sb_attach(th, &th->pool[c->tcb]);
    if (b < 0)
        return -1;
    th->sb[b].by_conn = true;
    c->sb = (uint16_t)(b + 1);
    return 0;
}

int tcp_write(struct tcp_host *th, const struct tcp_io *io, int id, const uint8_t *data,
              uint32_t n)
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c || c->tcb < 0 || !c->sb)
        return -1;
    struct tcp_tcb *t = &th->pool[c->tcb];
    if ((t->state != TCP_SYN_SENT && t->state != TCP_ESTABLISHED &&
         t->state != TCP_CLOSE_WAIT) || t->fin_queued)
        return -1;
    uint32_t took = tcp_sb_queue(th, t, data, n);
    if (t->state != TCP_SYN_SENT)
        tcp_output(th, io, c->tcb);
    return (int)took;
}

int tcp_read(struct tcp_host *th, const struct tcp_io *io, int id, uint8_t *buf, uint32_t cap,
             bool *eof)
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    *eof = false;
    if (!c || !c->sb)
        return -1;
    struct tcp_sbuf *b = &th->sb[c->sb - 1];
    uint32_t n = b->rcv_len < cap ? b->rcv_len : cap;
    if (buf)
        memcpy(buf, b->rcv, n);
    memmove(b->rcv, b->rcv + n, b->rcv_len - n);
    b->rcv_len -= n;
    *eof = b->rcv_fin && b->rcv_len == 0;
    if (n && c->tcb >= 0)
        tcp_rcv_update(th, io, c->tcb);
    return (int)n;
}

/* A close or abort of connection id: fn on its TCB. -1 when id names no connection, 0 when
 * its TCB is already gone (the call has nothing to do), else what fn returns. */
static int tcp_user_call(struct tcp_host *th, const struct tcp_io *io, int id,
                         int (*fn)(struct tcp_host *, const struct tcp_io *, int32_t))
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c)
        return -1;
    if (c->tcb < 0)
        return 0;
    return fn(th, io, c->tcb);
}

/* close(): RFC 793 3.9 CLOSE call; Linux tcp_close / tcp_close_state. */
static int tcp_close_tcb(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    struct tcp_tcb *t = &th->pool[idx];
    switch (t->state) {
    case TCP_SYN_SENT:             /* nothing was synchronized: just forget it */
        tcp_tcb_free(th, idx);
        return 0;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        t->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        t->state = TCP_LAST_ACK;
        break;
    default:
        return 0;                  /* already closing */
    }
    t->fin_queued = true;
    tcp_output(th, io, idx);
    return 0;
}

/* SO_LINGER 0 (nmap -sT): Linux tcp_disconnect sends RST+ACK from the synchronized states
 * and SYN-RECEIVED (tcp_need_reset), nothing from SYN-SENT. */
static int tcp_abort_tcb(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    struct tcp_tcb *t = &th->pool[idx];
    switch (t->state) {
    case TCP_ESTABLISHED: case TCP_CLOSE_WAIT: case TCP_FIN_WAIT_1: case TCP_FIN_WAIT_2:
    case TCP_SYN_RECEIVED:
        tcp_send_active_reset(th, io, t);
        break;
    default:
        break;
    }
    tcp_tcb_free(th, idx);
    return 0;
}

int tcp_close(struct tcp_host *th, const struct tcp_io *io, int id)
{
    return tcp_user_call(th, io, id, tcp_close_tcb);
}

int tcp_abort(struct tcp_host *th, const struct tcp_io *io, int id)
{
    return tcp_user_call(th, io, id, tcp_abort_tcb);
}

void tcp_conn_release(struct tcp_host *th, int id)
{
    struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c)
        return;
    if (c->tcb >= 0)
        th->pool[c->tcb].conn = -1;    /* the TCB lives on, orphaned, as after close() */
    tcp_sb_conn_gone(th, c);
    memset(c, 0, sizeof *c);
}

int tcp_conn_tuple(const struct tcp_host *th, int id, uint16_t *lport, uint32_t *raddr,
                   uint16_t *rport)
{
    const struct tcp_conn *c = tcp_conn_get(th, id);
    if (!c || c->tcb < 0)
        return -1;
    const struct tcp_tcb *t = &th->pool[c->tcb];
    *lport = t->lport;
    *raddr = t->raddr;
    *rport = t->rport;
    return 0;
}
