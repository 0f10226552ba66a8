/* tcp_fixture.h — the fixture shared by the sim/tcp*.c tests (test_tcp_rst.c,
 * test_tcp_conn.c, test_tcp_timers.c): one tcp_host, a fake tcp_io that records every
 * emitted segment and every timer entry (in list mode, timer_key and timer_at, as the
 * simulator's hosts run their timers), and lwIP-style helpers that build segments relative to
 * what the host sent (its ISN, its SND.NXT). Header-only (static inline) so each test stays
 * one program; T(f) runs a test between fx_setup and fx_teardown.
 *
 * Numbers come from docs/facts/stacks.md (sections 3 and 4), docs/facts/offpath.md
 * (sections 2 and 5) and from Linux: SYN-ACK window 64240 (65160 with timestamps), DF and IP-ID 0 on
 * control-socket RSTs and SYN-ACKs, SYN-ACK retransmissions at 1, 3, 7, 15, 31 s and the
 * half-open connection dropped at 63 s, SYN retransmissions up to 127 s.
 */
#ifndef TCPLAB_TEST_TCP_FIXTURE_H
#define TCPLAB_TEST_TCP_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/wire.h"
#include "sim/tcp.h"

#define ME   0xC6120002u      /* 198.18.0.2: the simulated host */
#define PEER 0xC6120063u      /* 198.18.0.99 */
#define SEC  1000000000ull
#define MS   1000000ull
#define ISN  1000000u          /* constant ISN generator */
#define MAXREC 512

struct rec {
    int n;
    uint32_t dst[MAXREC];
    struct wire_tcp seg[MAXREC];
    struct tcp_ipinfo ii[MAXREC];
    int nt;
    uint64_t tt[MAXREC], tok[MAXREC], key[MAXREC];
    bool fired[MAXREC];
    uint64_t nextkey;
};

static inline void rec_emit(void *ctx, uint32_t dst, const struct wire_tcp *seg,
                     const struct tcp_ipinfo *ii)
{
    struct rec *r = ctx;
    assert_true(r->n < MAXREC);
    r->dst[r->n] = dst;
    r->seg[r->n] = *seg;
    r->seg[r->n].payload = NULL;       /* the bytes belong to tcp; keep the length */
    r->ii[r->n] = *ii;
    r->n++;
}

/* The timers as the simulator's hosts run them (host.c: tcp_io.timer_key and timer_at):
 * TCP keeps its timers in order and asks for one engine entry, for its earliest; an entry
 * is (due time, key), the key the engine's tie break. */
static inline uint64_t rec_timer_key(void *ctx)
{
    struct rec *r = ctx;
    return ++r->nextkey;
}

static inline void rec_timer_at(void *ctx, uint64_t t, uint64_t key, uint64_t token)
{
    struct rec *r = ctx;
    assert_true(r->nt < MAXREC);
    r->tt[r->nt] = t;
    r->key[r->nt] = key;
    r->tok[r->nt] = token;
    r->fired[r->nt] = false;
    r->nt++;
}

struct fx {
    struct personality p;
    struct scn_portset listen;
    struct tcp_host *th;
    struct rec r;
    struct tcp_io io;
    struct tcp_verdict v;
};

static struct fx F;   /* one fixture per test, reset by fx_setup */

static inline void pers_linux(struct personality *p)
{
    memset(p, 0, sizeof *p);
    strcpy(p->os, "linux");
    p->ttl = 64;
    p->window = 64240;
    p->mss = 1460;
    p->wscale = 7;
    p->opt_sack = p->opt_ts = p->opt_wscale = true;
    p->opt_style = OS_OPTS_LINUX;
    p->linux_stack = true;
    p->ts_hz = 1000;
    p->df = true;
    p->rst_df_zero_id = true;
    p->synack_df_zero_id = true;
    p->rst_window = 0;
    p->rst_ack_on_closed_syn = true;
    p->isn.kind = GEN_ISN_CONSTANT;
    p->isn.param = ISN;
    p->synack_retries = 5;
    p->synack_rto_ms = 1000;
    p->time_wait_ms = 60000;
    p->backlog = 4096;
    p->chack = CHACK_UNLIMITED;
    p->chack_limit = 1000;
}

static inline void fx_start(void)
{
    F.th = tcp_host_new(&F.p, ME, &F.listen, 42, "me");
    assert_non_null(F.th);
    memset(&F.r, 0, sizeof F.r);
    F.io.ctx = &F.r;
    F.io.now_ns = 0;
    F.io.emit = rec_emit;
    F.io.timer_key = rec_timer_key;
    F.io.timer_at = rec_timer_at;
}

static inline int fx_setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    pers_linux(&F.p);
    scn_port_add(&F.listen, 80);
    return 0;
}

static inline int fx_teardown(void **state)
{
    (void)state;
    tcp_host_free(F.th);
    F.th = NULL;
    return 0;
}

/* A segment from PEER:sport to ME:dport. */
static inline struct wire_tcp seg_mk(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
                              uint32_t ack)
{
    struct wire_tcp s;
    memset(&s, 0, sizeof s);
    s.sport = sport;
    s.dport = dport;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = 65535;
    return s;
}

static inline void opts_linux_syn(struct wire_tcp *s, uint32_t tsval)
{
    struct wire_tcp_opts *o = &s->opt;
    uint8_t order[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE };
    memcpy(o->order, order, sizeof order);
    o->n = sizeof order;
    o->has_mss = o->sack_perm = o->has_ts = o->has_wscale = true;
    o->mss = 1460;
    o->wscale = 7;
    o->tsval = tsval;
}

static inline const struct wire_tcp *feed(const struct wire_tcp *s)
{
    struct wire_ipv4 ip;
    memset(&ip, 0, sizeof ip);
    ip.src = PEER;
    ip.dst = ME;
    ip.proto = WIRE_PROTO_TCP;
    int before = F.r.n;
    tcp_input(F.th, &F.io, &ip, s, &F.v);
    assert_non_null(F.v.action);
    assert_non_null(F.v.rule);
    return F.r.n > before ? &F.r.seg[F.r.n - 1] : NULL;
}

static inline int sent_since(int mark) { return F.r.n - mark; }

/* Fires every engine entry due at or before t, earliest (time, key) first, as the
 * simulator's engine does: tcp_timer_due runs the timer if the entry is still the one TCP
 * wants, and asks for the next. */
static inline void run_until(uint64_t t)
{
    for (;;) {
        int best = -1;
        for (int i = 0; i < F.r.nt; i++)
            if (!F.r.fired[i] && F.r.tt[i] <= t &&
                (best < 0 || F.r.tt[i] < F.r.tt[best] ||
                 (F.r.tt[i] == F.r.tt[best] && F.r.key[i] < F.r.key[best])))
                best = i;
        if (best < 0)
            break;
        F.r.fired[best] = true;
        F.io.now_ns = F.r.tt[best];
        struct tcp_verdict v;
        if (tcp_timer_due(F.th, &F.io, F.r.tok[best], &v))
            F.v = v;
    }
    F.io.now_ns = t;
}

/* Handshake from PEER:sport (client ISN cisn) to port 80; returns our ISN. */
static inline uint32_t establish(uint16_t sport, uint32_t cisn, bool ts)
{
    struct wire_tcp syn = seg_mk(sport, 80, TCP_SYN, cisn, 0);
    if (ts)
        opts_linux_syn(&syn, 777);
    const struct wire_tcp *sa = feed(&syn);
    assert_non_null(sa);
    assert_int_equal(sa->flags, TCP_SYN | TCP_ACK);
    uint32_t iss = sa->seq;
    struct wire_tcp ack = seg_mk(sport, 80, TCP_ACK, cisn + 1, iss + 1);
    ack.window = 502;          /* scaled by the peer's shift 7 when WS was negotiated */
    int mark = F.r.n;
    feed(&ack);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    return iss;
}

/* Active open by the host to PEER:80; returns the connection id; *iss: our ISN. */
static inline int active_open(uint32_t *iss, uint16_t *sport)
{
    int id = tcp_connect(F.th, &F.io, PEER, 80, 0);
    assert_true(id >= 0);
    const struct wire_tcp *s = &F.r.seg[F.r.n - 1];
    assert_int_equal(s->flags, TCP_SYN);
    *iss = s->seq;
    *sport = s->sport;
    return id;
}


#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

#endif
