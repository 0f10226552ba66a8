/* test_tcp.c — sim/tcp*.c driven directly: one tcp_host, a fake tcp_io that records every
 * emitted segment and every timer, and lwIP-style helpers that build segments relative to
 * what the host sent (its ISN, its SND.NXT).
 *
 * Numbers come from the reference (../shared/reference/stacks-and-offpath.md sections 4, 5
 * and 7) and from Linux: SYN-ACK window 64240 (65160 with timestamps), DF and IP-ID 0 on
 * control-socket RSTs and SYN-ACKs, SYN-ACK retransmissions at 1, 3, 7, 15, 31 s and the
 * half-open connection dropped at 63 s, SYN retransmissions up to 127 s.
 */
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
    uint64_t tt[MAXREC], tok[MAXREC];
    bool fired[MAXREC];
};

static void rec_emit(void *ctx, uint32_t dst, const struct wire_tcp *seg,
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

static void rec_timer(void *ctx, uint64_t t, uint64_t token)
{
    struct rec *r = ctx;
    assert_true(r->nt < MAXREC);
    r->tt[r->nt] = t;
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

static void pers_linux(struct personality *p)
{
    memset(p, 0, sizeof *p);
    strcpy(p->os, "linux");
    p->ttl = 64;
    p->window = 64240;
    p->mss = 1460;
    p->wscale = 7;
    p->opt_sack = p->opt_ts = p->opt_wscale = true;
    p->opt_style = OS_OPTS_LINUX;
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

static void fx_start(void)
{
    F.th = tcp_host_new(&F.p, ME, &F.listen, 42, "me");
    assert_non_null(F.th);
    memset(&F.r, 0, sizeof F.r);
    F.io.ctx = &F.r;
    F.io.now_ns = 0;
    F.io.emit = rec_emit;
    F.io.timer = rec_timer;
}

static int fx_setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    pers_linux(&F.p);
    scn_port_add(&F.listen, 80);
    return 0;
}

static int fx_teardown(void **state)
{
    (void)state;
    tcp_host_free(F.th);
    F.th = NULL;
    return 0;
}

/* A segment from PEER:sport to ME:dport. */
static struct wire_tcp seg_mk(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
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

static void opts_linux_syn(struct wire_tcp *s, uint32_t tsval)
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

static const struct wire_tcp *feed(const struct wire_tcp *s)
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

static int sent_since(int mark) { return F.r.n - mark; }

/* Fires every recorded timer due at or before t, earliest first (a tiny engine). */
static void run_until(uint64_t t)
{
    for (;;) {
        int best = -1;
        for (int i = 0; i < F.r.nt; i++)
            if (!F.r.fired[i] && F.r.tt[i] <= t && (best < 0 || F.r.tt[i] < F.r.tt[best]))
                best = i;
        if (best < 0)
            break;
        F.r.fired[best] = true;
        F.io.now_ns = F.r.tt[best];
        tcp_timer(F.th, &F.io, F.r.tok[best], &F.v);
    }
    F.io.now_ns = t;
}

/* Handshake from PEER:sport (client ISN cisn) to port 80; returns our ISN. */
static uint32_t establish(uint16_t sport, uint32_t cisn, bool ts)
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

/* ---------------------------------------------------------------- closed port */

static void check_closed_table(size_t paylen)
{
    for (int f = 0; f < 256; f++) {
        struct wire_tcp s = seg_mk((uint16_t)(1000 + f), 81, (uint8_t)f, 1000, 5000);
        s.payload_len = paylen;
        int mark = F.r.n;
        const struct wire_tcp *o = feed(&s);
        assert_int_equal(F.v.state_before, TCB_NONE);
        assert_int_equal(F.v.state_after, TCB_NONE);
        assert_true(F.v.has_isn);
        if (f & TCP_RST) {
            assert_int_equal(sent_since(mark), 0);
            assert_string_equal(F.v.action, "drop");
            continue;
        }
        assert_int_equal(sent_since(mark), 1);
        assert_int_equal(F.r.dst[F.r.n - 1], PEER);
        assert_int_equal(o->sport, 81);
        assert_int_equal(o->dport, 1000 + f);
        assert_int_equal(o->window, 0);
        assert_int_equal(o->opt.n, 0);
        assert_int_equal(o->payload_len, 0);
        assert_true(F.r.ii[F.r.n - 1].df);
        assert_int_equal(F.r.ii[F.r.n - 1].ipid, 0);
        if (f & TCP_ACK) {
            assert_int_equal(o->flags, TCP_RST);
            assert_int_equal(o->seq, 5000);
            assert_string_equal(F.v.action, "RST");
            assert_string_equal(F.v.rule, "RFC 793 3.4 reset generation: no listener, "
                                          "segment has ACK (SEQ=SEG.ACK)");
        } else {
            assert_int_equal(o->flags, TCP_RST | TCP_ACK);
            assert_int_equal(o->seq, 0);
            uint32_t len = (uint32_t)paylen + !!(f & TCP_SYN) + !!(f & TCP_FIN);
            assert_int_equal(o->ack, 1000 + len);
            assert_string_equal(F.v.action, "RST+ACK");
        }
    }
}

static void test_closed_port_all_flags(void **state)
{
    (void)state;
    fx_start();
    check_closed_table(0);
    check_closed_table(5);
}

static void test_closed_port_bsd_ipinfo(void **state)
{
    (void)state;
    F.p.rst_df_zero_id = false;
    F.p.df = false;
    F.p.rst_window = 8192;
    fx_start();
    struct wire_tcp s = seg_mk(1234, 81, TCP_SYN, 7, 0);
    const struct wire_tcp *o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->window, 8192);
    assert_false(F.r.ii[0].df);
    assert_int_equal(F.r.ii[0].ipid, -1);
}

/* ---------------------------------------------------------------- listening port */

static void test_listen_all_flags(void **state)
{
    (void)state;
    fx_start();
    for (int f = 0; f < 256; f++) {
        struct wire_tcp s = seg_mk((uint16_t)(2000 + f), 80, (uint8_t)f, 1000, 5000);
        int mark = F.r.n;
        const struct wire_tcp *o = feed(&s);
        assert_int_equal(F.v.state_before, TCP_LISTEN);
        if (f & TCP_ACK) {
            if (f & TCP_RST) {
                assert_int_equal(sent_since(mark), 0);
            } else {
                assert_int_equal(sent_since(mark), 1);
                assert_int_equal(o->flags, TCP_RST);
                assert_int_equal(o->seq, 5000);
                assert_int_equal(o->window, 0);
                assert_int_equal(F.r.ii[F.r.n - 1].ipid, 0);
                assert_string_equal(F.v.rule, "RFC 793 3.4 reset generation: LISTEN, "
                                              "segment has ACK (SEQ=SEG.ACK)");
            }
            assert_int_equal(F.v.state_after, TCP_LISTEN);
        } else if (f & TCP_RST) {
            assert_int_equal(sent_since(mark), 0);
            assert_string_equal(F.v.rule, "RFC 793 3.9 LISTEN: RST ignored");
        } else if ((f & TCP_SYN) && !(f & TCP_FIN)) {
            assert_int_equal(sent_since(mark), 1);
            /* LINUX-FACTS 2: ECE only when the SYN had ECE and CWR (tcp_ecn = 2) */
            uint8_t want = TCP_SYN | TCP_ACK;
            if ((f & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR))
                want |= TCP_ECE;
            assert_int_equal(o->flags, want);
            assert_int_equal(o->seq, ISN);
            assert_int_equal(o->ack, 1001);
            assert_int_equal(o->window, 64240);     /* no timestamps offered */
            assert_true(F.r.ii[F.r.n - 1].df);
            assert_int_equal(F.r.ii[F.r.n - 1].ipid, 0);
            assert_int_equal(F.v.state_after, TCP_SYN_RECEIVED);
            assert_string_equal(F.v.action, "SYN-ACK");
        } else {
            assert_int_equal(sent_since(mark), 0);
            assert_string_equal(F.v.action, "drop");
            assert_int_equal(F.v.state_after, TCP_LISTEN);
        }
    }
}

static void test_listen_windows_rst_on_fin(void **state)
{
    (void)state;
    F.p.rst_on_fin_open = true;
    fx_start();
    uint8_t probes[] = { TCP_FIN, 0, TCP_FIN | TCP_PSH | TCP_URG, TCP_PSH };
    for (size_t i = 0; i < sizeof probes; i++) {
        struct wire_tcp s = seg_mk((uint16_t)(3000 + i), 80, probes[i], 99, 0);
        const struct wire_tcp *o = feed(&s);
        assert_non_null(o);
        assert_int_equal(o->flags, TCP_RST | TCP_ACK);
        assert_int_equal(o->seq, 0);
        assert_int_equal(o->ack, 99 + !!(probes[i] & TCP_FIN));
    }
}

/* ---------------------------------------------------------------- SYN-ACK options */

static void expect_order(const struct wire_tcp_opts *o, const uint8_t *want, size_t n)
{
    assert_int_equal(o->n, n);
    assert_memory_equal(o->order, want, n);
}

static void test_synack_options_linux(void **state)
{
    (void)state;
    fx_start();
    /* 1. Linux's own SYN: mss,sackOK,TS,nop,wscale -> the same layout back, window 65160 */
    struct wire_tcp syn = seg_mk(4000, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 0x01020304);
    const struct wire_tcp *o = feed(&syn);
    uint8_t full[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE };
    expect_order(&o->opt, full, sizeof full);
    assert_int_equal(o->window, 65160);
    assert_int_equal(o->opt.mss, 1460);
    assert_int_equal(o->opt.wscale, 7);
    assert_int_equal(o->opt.tsecr, 0x01020304);
    uint8_t bytes[WIRE_TCP_OPT_MAX];
    size_t len = wire_tcp_opts_emit(bytes, &o->opt);
    uint32_t tv = o->opt.tsval;
    uint8_t want[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10,
                       (uint8_t)(tv >> 24), (uint8_t)(tv >> 16), (uint8_t)(tv >> 8), (uint8_t)tv,
                       1, 2, 3, 4, 1, 3, 3, 7 };
    assert_int_equal(len, sizeof want);
    assert_memory_equal(bytes, want, sizeof want);

    /* 2. no options: MSS only, window 64240 */
    syn = seg_mk(4001, 80, TCP_SYN, 10, 0);
    o = feed(&syn);
    uint8_t mssonly[] = { TCPOPT_MSS };
    expect_order(&o->opt, mssonly, 1);
    assert_int_equal(o->window, 64240);
    len = wire_tcp_opts_emit(bytes, &o->opt);
    uint8_t want2[] = { 2, 4, 0x05, 0xb4 };
    assert_int_equal(len, 4);
    assert_memory_equal(bytes, want2, 4);

    /* 3. MSS + TS: NOP NOP TS */
    syn = seg_mk(4002, 80, TCP_SYN, 10, 0);
    syn.opt.has_mss = syn.opt.has_ts = true;
    syn.opt.mss = 536;
    syn.opt.tsval = 5;
    o = feed(&syn);
    uint8_t ts[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS };
    expect_order(&o->opt, ts, sizeof ts);
    assert_int_equal(o->window, 65160);
    assert_int_equal(o->opt.mss, 1460);       /* our advmss, whatever the peer's */

    /* 4. SACK only: NOP NOP SACK_PERM */
    syn = seg_mk(4003, 80, TCP_SYN, 10, 0);
    syn.opt.sack_perm = true;
    o = feed(&syn);
    uint8_t sack[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM };
    expect_order(&o->opt, sack, sizeof sack);
    assert_int_equal(o->window, 64240);

    /* 5. WS only: NOP WSCALE; 6. SACK + WS */
    syn = seg_mk(4004, 80, TCP_SYN, 10, 0);
    syn.opt.has_wscale = true;
    syn.opt.wscale = 2;
    o = feed(&syn);
    uint8_t ws[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WSCALE };
    expect_order(&o->opt, ws, sizeof ws);
    len = wire_tcp_opts_emit(bytes, &o->opt);
    uint8_t want5[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
    assert_int_equal(len, sizeof want5);
    assert_memory_equal(bytes, want5, sizeof want5);
    syn = seg_mk(4005, 80, TCP_SYN, 10, 0);
    syn.opt.has_wscale = syn.opt.sack_perm = true;
    o = feed(&syn);
    uint8_t sackws[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM,
                         TCPOPT_NOP, TCPOPT_WSCALE };
    expect_order(&o->opt, sackws, sizeof sackws);
}

static void test_synack_options_other_styles(void **state)
{
    (void)state;
    F.p.opt_style = OS_OPTS_BSD;
    F.p.window = 65535;
    F.p.wscale = 6;
    fx_start();
    struct wire_tcp syn = seg_mk(4100, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    const struct wire_tcp *o = feed(&syn);
    uint8_t bsd[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WSCALE, TCPOPT_SACK_PERM, TCPOPT_TS };
    expect_order(&o->opt, bsd, sizeof bsd);
    assert_int_equal(o->window, 65535);       /* no Linux rounding */
    assert_int_equal(wire_tcp_opts_len(&o->opt), 20);
    syn = seg_mk(4101, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    syn.opt.sack_perm = false;
    o = feed(&syn);
    uint8_t bsd2[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WSCALE, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS };
    expect_order(&o->opt, bsd2, sizeof bsd2);
    tcp_host_free(F.th);

    F.p.opt_style = OS_OPTS_WINDOWS;
    F.p.opt_ts = false;
    fx_start();
    syn = seg_mk(4102, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    o = feed(&syn);
    uint8_t win[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WSCALE, TCPOPT_NOP, TCPOPT_NOP,
                      TCPOPT_SACK_PERM };
    expect_order(&o->opt, win, sizeof win);
    assert_false(o->opt.has_ts);
    tcp_host_free(F.th);

    F.p.opt_style = OS_OPTS_MSS_ONLY;
    fx_start();
    syn = seg_mk(4103, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    o = feed(&syn);
    uint8_t mss[] = { TCPOPT_MSS };
    expect_order(&o->opt, mss, 1);
}

/* ---------------------------------------------------------------- SYN-RECEIVED */

static void test_synack_retransmission_and_drop(void **state)
{
    (void)state;
    fx_start();
    struct wire_tcp syn = seg_mk(5000, 80, TCP_SYN, 100, 0);
    opts_linux_syn(&syn, 1);
    feed(&syn);
    uint32_t tv0 = F.r.seg[0].opt.tsval;
    run_until(200 * SEC);
    /* SYN-ACK at 0, then 1, 3, 7, 15, 31 s; the half-open TCB dropped at 63 s */
    assert_int_equal(F.r.n, 6);
    uint64_t at[] = { 1, 3, 7, 15, 31, 63 };
    assert_int_equal(F.r.nt, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(F.r.tt[i], at[i] * SEC);
    for (int i = 1; i < 6; i++) {
        assert_int_equal(F.r.seg[i].flags, TCP_SYN | TCP_ACK);
        assert_int_equal(F.r.seg[i].seq, ISN);
        assert_int_equal(F.r.seg[i].opt.tsval - tv0, at[i - 1] * 1000);  /* ms clock */
    }
    assert_string_equal(F.v.rule, "tcp_synack_retries exhausted: half-open connection dropped");
    assert_int_equal(F.v.state_after, TCP_LISTEN);   /* RFC 793 3.9: back to LISTEN */
    /* the late ACK now meets the listener: RST */
    struct wire_tcp ack = seg_mk(5000, 80, TCP_ACK, 101, ISN + 1);
    const struct wire_tcp *o = feed(&ack);
    assert_int_equal(o->flags, TCP_RST);
    assert_int_equal(o->seq, ISN + 1);
}

static void test_synrecv_rules(void **state)
{
    (void)state;
    F.p.backlog = 1;
    fx_start();
    struct wire_tcp syn = seg_mk(5100, 80, TCP_SYN, 100, 0);
    feed(&syn);
    /* retransmitted SYN (same ISN) -> SYN-ACK again, same ISN */
    F.io.now_ns = 1 * SEC;
    const struct wire_tcp *o = feed(&syn);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_SYN | TCP_ACK);
    assert_int_equal(o->seq, ISN);
    assert_string_equal(F.v.rule, "Linux tcp_check_req: retransmitted SYN: SYN-ACK again");
    /* a wrong ACK -> RST with SEQ = SEG.ACK, the half-open connection stays */
    struct wire_tcp bad = seg_mk(5100, 80, TCP_ACK, 101, ISN + 77);
    o = feed(&bad);
    assert_int_equal(o->flags, TCP_RST);
    assert_int_equal(o->seq, ISN + 77);
    assert_int_equal(F.v.state_after, TCP_SYN_RECEIVED);
    /* backlog 1 is full: another SYN is dropped silently */
    struct wire_tcp syn2 = seg_mk(5101, 80, TCP_SYN, 100, 0);
    int mark = F.r.n;
    feed(&syn2);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule, "backlog 1 full: SYN dropped");
    /* in-window RST frees the half-open TCB; the backlog has room again */
    struct wire_tcp rst = seg_mk(5100, 80, TCP_RST, 101 + 1000, 0);
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_before, TCP_SYN_RECEIVED);
    assert_int_equal(F.v.state_after, TCP_LISTEN);
    o = feed(&syn2);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_SYN | TCP_ACK);
    /* an in-window SYN with another ISN -> RST+ACK, half-open dropped */
    struct wire_tcp syn3 = seg_mk(5101, 80, TCP_SYN, 150, 0);
    o = feed(&syn3);
    assert_int_equal(o->flags, TCP_RST | TCP_ACK);
    assert_int_equal(o->ack, 151);
    assert_int_equal(F.v.state_after, TCP_LISTEN);
}

static void test_backlog_overflow(void **state)
{
    (void)state;
    F.p.backlog = 2;
    fx_start();
    for (int i = 0; i < 3; i++) {
        struct wire_tcp syn = seg_mk((uint16_t)(5200 + i), 80, TCP_SYN, 1, 0);
        int mark = F.r.n;
        feed(&syn);
        assert_int_equal(sent_since(mark), i < 2 ? 1 : 0);
    }
    assert_string_equal(F.v.action, "drop");
    assert_string_equal(F.v.rule, "backlog 2 full: SYN dropped");
    assert_int_equal(F.v.state_after, TCP_LISTEN);
    /* completing one handshake frees a slot */
    struct wire_tcp ack = seg_mk(5200, 80, TCP_ACK, 2, ISN + 1);
    feed(&ack);
    struct wire_tcp syn = seg_mk(5202, 80, TCP_SYN, 1, 0);
    assert_non_null(feed(&syn));
}

/* ---------------------------------------------------------------- data and teardown */

static void test_data_and_acks(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish(6000, 500, true);
    /* 100 bytes in order: ACK at once, window 65160 >> 7 = 509 */
    struct wire_tcp d = seg_mk(6000, 80, TCP_ACK | TCP_PSH, 501, iss + 1);
    d.payload_len = 100;
    const struct wire_tcp *o = feed(&d);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->seq, iss + 1);
    assert_int_equal(o->ack, 601);
    assert_int_equal(o->window, 509);
    uint8_t tsonly[] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS };
    expect_order(&o->opt, tsonly, 3);
    assert_int_equal(F.r.ii[F.r.n - 1].ipid >= 0, 1);   /* connected socket's own counter */
    assert_string_equal(F.v.action, "accept data");
    /* out of order -> duplicate ACK, RCV.NXT unchanged */
    d.seq = 801;
    o = feed(&d);
    assert_int_equal(o->ack, 601);
    /* retransmitted old data -> ACK */
    d.seq = 501;
    o = feed(&d);
    assert_int_equal(o->ack, 601);
    /* out-of-window pure ACK -> dup ACK, then rate limited for 500 ms */
    struct wire_tcp oow = seg_mk(6000, 80, TCP_ACK, 601 + 200000, iss + 1);
    o = feed(&oow);
    assert_non_null(o);
    assert_int_equal(o->seq, iss + 1);
    assert_int_equal(o->ack, 601);
    F.io.now_ns += 499 * MS;
    int mark = F.r.n;
    feed(&oow);
    assert_int_equal(sent_since(mark), 0);
    F.io.now_ns += 1 * MS;
    assert_non_null(feed(&oow));
    /* a segment without ACK in ESTABLISHED is dropped */
    struct wire_tcp fin = seg_mk(6000, 80, TCP_FIN, 601, 0);
    mark = F.r.n;
    feed(&fin);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
}

static void test_passive_close(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish(6100, 900, false);
    struct wire_tcp fin = seg_mk(6100, 80, TCP_FIN | TCP_ACK, 901, iss + 1);
    int mark = F.r.n;
    feed(&fin);
    assert_int_equal(sent_since(mark), 2);
    assert_int_equal(F.r.seg[mark].flags, TCP_ACK);
    assert_int_equal(F.r.seg[mark].ack, 902);
    assert_int_equal(F.r.seg[mark + 1].flags, TCP_FIN | TCP_ACK);
    assert_int_equal(F.r.seg[mark + 1].seq, iss + 1);
    assert_int_equal(F.v.state_after, TCP_LAST_ACK);
    /* no ACK: the FIN is retransmitted after 1 s */
    run_until(1 * SEC);
    assert_int_equal(F.r.seg[F.r.n - 1].flags, TCP_FIN | TCP_ACK);
    assert_int_equal(F.r.seg[F.r.n - 1].seq, iss + 1);
    struct wire_tcp ack = seg_mk(6100, 80, TCP_ACK, 902, iss + 2);
    mark = F.r.n;
    feed(&ack);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_before, TCP_LAST_ACK);
    assert_int_equal(F.v.state_after, TCP_CLOSED);
    /* the port is a listener again: a stray ACK gets the LISTEN RST */
    const struct wire_tcp *o = feed(&ack);
    assert_int_equal(o->flags, TCP_RST);
}

/* Active open by the host to PEER:80; returns the connection id; *iss: our ISN. */
static int active_open(uint32_t *iss, uint16_t *sport)
{
    int id = tcp_connect(F.th, &F.io, PEER, 80, 0);
    assert_true(id >= 0);
    const struct wire_tcp *s = &F.r.seg[F.r.n - 1];
    assert_int_equal(s->flags, TCP_SYN);
    *iss = s->seq;
    *sport = s->sport;
    return id;
}

static void test_active_open_established_and_close(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    const struct wire_tcp *s = &F.r.seg[0];
    uint8_t synopts[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE };
    expect_order(&s->opt, synopts, sizeof synopts);
    assert_int_equal(s->window, 64240);
    assert_true(sp >= 32768 && sp <= 60999);
    assert_int_equal(sp % 2, 0);                /* Linux: connect() takes even ports */
    assert_int_equal(iss, ISN);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_SYN_SENT);
    /* SYN-ACK with TS and WS -> ACK, ESTABLISHED */
    struct wire_tcp sa = seg_mk(80, sp, TCP_SYN | TCP_ACK, 7000, iss + 1);
    opts_linux_syn(&sa, 4242);
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    tcp_input(F.th, &F.io, &ip, &sa, &F.v);
    const struct wire_tcp *a = &F.r.seg[F.r.n - 1];
    assert_int_equal(a->flags, TCP_ACK);
    assert_int_equal(a->seq, iss + 1);
    assert_int_equal(a->ack, 7001);
    assert_int_equal(a->opt.tsecr, 4242);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_ESTABLISHED);
    /* 3000 bytes: 1448 + 1448 + 104 (MSS 1460 less 12 for timestamps), PSH on the last */
    int mark = F.r.n;
    assert_int_equal(tcp_send(F.th, &F.io, id, 3000), 0);
    assert_int_equal(sent_since(mark), 3);
    assert_int_equal(F.r.seg[mark].payload_len, 1448);
    assert_int_equal(F.r.seg[mark].flags, TCP_ACK);
    assert_int_equal(F.r.seg[mark + 2].payload_len, 104);
    assert_int_equal(F.r.seg[mark + 2].flags, TCP_ACK | TCP_PSH);
    assert_int_equal(F.r.seg[mark + 2].seq, iss + 1 + 2896);
    /* close: FIN after the data */
    mark = F.r.n;
    assert_int_equal(tcp_close(F.th, &F.io, id), 0);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[mark].flags, TCP_FIN | TCP_ACK);
    assert_int_equal(F.r.seg[mark].seq, iss + 3001);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_FIN_WAIT_1);
    /* peer ACKs everything -> FIN-WAIT-2; its FIN -> ACK, TIME-WAIT */
    struct wire_tcp ack = seg_mk(80, sp, TCP_ACK, 7001, iss + 3002);
    ack.window = 1000;
    tcp_input(F.th, &F.io, &ip, &ack, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_FIN_WAIT_2);
    F.io.now_ns = 2 * SEC;
    struct wire_tcp fin = seg_mk(80, sp, TCP_FIN | TCP_ACK, 7001, iss + 3002);
    mark = F.r.n;
    tcp_input(F.th, &F.io, &ip, &fin, &F.v);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[mark].ack, 7002);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
    /* a retransmitted FIN in TIME-WAIT is re-ACKed (control socket: DF, ID 0) */
    F.io.now_ns = 3 * SEC;
    mark = F.r.n;
    tcp_input(F.th, &F.io, &ip, &fin, &F.v);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[mark].flags, TCP_ACK);
    assert_int_equal(F.r.seg[mark].seq, iss + 3002);
    assert_int_equal(F.r.seg[mark].ack, 7002);
    assert_int_equal(F.r.ii[mark].ipid, 0);
    /* TIME-WAIT restarted by that ACK-bearing FIN: 60 s from 3 s */
    run_until(62 * SEC);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
    run_until(63 * SEC);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
    assert_int_equal(tcp_conn_error(F.th, id, NULL, NULL), 0);
    tcp_conn_release(F.th, id);
    assert_int_equal(tcp_conn_state(F.th, id), TCB_NONE);
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    F.p.opt_ts = false;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    struct wire_tcp sa = seg_mk(80, sp, TCP_SYN | TCP_ACK, 100, iss + 1);
    tcp_input(F.th, &F.io, &ip, &sa, &F.v);
    tcp_close(F.th, &F.io, id);
    /* the peer's FIN crosses ours: it does not ACK our FIN -> CLOSING */
    struct wire_tcp fin = seg_mk(80, sp, TCP_FIN | TCP_ACK, 101, iss + 1);
    tcp_input(F.th, &F.io, &ip, &fin, &F.v);
    assert_int_equal(F.v.state_before, TCP_FIN_WAIT_1);
    assert_int_equal(F.v.state_after, TCP_CLOSING);
    assert_int_equal(F.r.seg[F.r.n - 1].ack, 102);
    struct wire_tcp ack = seg_mk(80, sp, TCP_ACK, 102, iss + 2);
    tcp_input(F.th, &F.io, &ip, &ack, &F.v);
    assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
    run_until(60 * SEC);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
}

/* ---------------------------------------------------------------- RFC 5961 */

static void test_challenge_acks(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish(7000, 1000, false);
    uint32_t rcv_nxt = 1001;
    /* in-window, not exact RST -> challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> */
    struct wire_tcp rst = seg_mk(7000, 80, TCP_RST, rcv_nxt + 100, 0);
    const struct wire_tcp *o = feed(&rst);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->seq, iss + 1);
    assert_int_equal(o->ack, rcv_nxt);
    assert_string_equal(F.v.action, "challenge ACK");
    assert_string_equal(F.v.rule, "RFC 5961 3.2: in-window RST, not exact: challenge ACK");
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    /* out-of-window RST -> nothing */
    F.io.now_ns = 1 * SEC;
    rst.seq = rcv_nxt + 100000;
    int mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule, "RFC 5961 3.2: RST outside the window: drop");
    /* SYN in ESTABLISHED (any SEQ) -> challenge ACK */
    F.io.now_ns = 2 * SEC;
    struct wire_tcp syn = seg_mk(7000, 80, TCP_SYN, 5, 0);
    o = feed(&syn);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->ack, rcv_nxt);
    assert_string_equal(F.v.rule, "RFC 5961 4.2: SYN in a synchronized state: challenge ACK");
    /* a spoofed SYN-ACK on the established 4-tuple -> challenge ACK (Cao et al. step 1) */
    F.io.now_ns = 3 * SEC;
    struct wire_tcp sa = seg_mk(7000, 80, TCP_SYN | TCP_ACK, 5, iss + 1);
    o = feed(&sa);
    assert_non_null(o);
    assert_string_equal(F.v.action, "challenge ACK");
    /* ... while the same SYN-ACK on a tuple with no connection meets the listener: RST */
    struct wire_tcp sa2 = seg_mk(7001, 80, TCP_SYN | TCP_ACK, 5, 12345);
    o = feed(&sa2);
    assert_int_equal(o->flags, TCP_RST);
    assert_int_equal(o->seq, 12345);
    /* per-socket limit: a second challenge within 500 ms is suppressed (4.7+) */
    F.io.now_ns = 3 * SEC + 100 * MS;
    mark = F.r.n;
    rst.seq = rcv_nxt + 5;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    /* ACK far below SND.UNA - MAX.SND.WND -> challenge ACK; ACK above SND.NXT -> drop */
    F.io.now_ns = 4 * SEC;
    struct wire_tcp old = seg_mk(7000, 80, TCP_ACK, rcv_nxt, iss - 0x40000000u);
    o = feed(&old);
    assert_non_null(o);
    assert_string_equal(F.v.rule, "RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK");
    /* current Linux (LINUX-FACTS 5): ACK of unsent data -> challenge ACK, data dropped */
    F.io.now_ns = 5 * SEC;
    struct wire_tcp ahead = seg_mk(7000, 80, TCP_ACK, rcv_nxt, iss + 1000);
    ahead.payload_len = 10;
    o = feed(&ahead);
    assert_non_null(o);
    assert_int_equal(o->ack, rcv_nxt);
    assert_string_equal(F.v.rule, "RFC 5961 5.2 (Linux 6.x): SEG.ACK > SND.NXT: challenge ACK");
    /* exact RST -> reset */
    rst.seq = rcv_nxt;
    mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule, "RFC 5961 3.2: RST with SEQ == RCV.NXT: connection reset");
    assert_int_equal(F.v.state_after, TCP_CLOSED);
}

static void test_chack_off_classic(void **state)
{
    (void)state;
    F.p.chack = CHACK_OFF;
    fx_start();
    establish(7100, 1000, false);
    struct wire_tcp rst = seg_mk(7100, 80, TCP_RST, 1001 + 100, 0);
    int mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule, "RFC 793 3.9: RST in window: connection reset");
    assert_int_equal(F.v.state_after, TCP_CLOSED);
    establish(7101, 1000, false);
    struct wire_tcp syn = seg_mk(7101, 80, TCP_SYN, 1001 + 50, 0);
    const struct wire_tcp *o = feed(&syn);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST | TCP_ACK);
    assert_int_equal(F.v.state_after, TCP_CLOSED);
}

static int count_chacks(uint16_t sport, uint32_t rcv_nxt, int n, uint64_t t0, uint64_t step)
{
    int got = 0;
    for (int i = 0; i < n; i++) {
        F.io.now_ns = t0 + (uint64_t)i * step;
        struct wire_tcp rst = seg_mk(sport, 80, TCP_RST | TCP_ACK, rcv_nxt + 10 + (uint32_t)i, 0);
        rst.payload_len = 1;       /* the PoC's 1-byte RSTs escape the per-socket limit */
        int mark = F.r.n;
        feed(&rst);
        got += sent_since(mark);
    }
    return got;
}

static void test_chack_fixed_budget(void **state)
{
    (void)state;
    F.p.chack = CHACK_FIXED;
    F.p.chack_limit = 5;
    fx_start();
    establish(7200, 1000, false);
    /* 10 in-window RSTs inside the slot [2 s, 3 s): exactly 5 challenge ACKs */
    assert_int_equal(count_chacks(7200, 1001, 10, 2 * SEC + 100 * MS, 50 * MS), 5);
    assert_string_equal(F.v.rule, "challenge-ack 5/s: budget spent");
    /* slots are aligned to the clock: 3 before and 3 after 4.000 s all answered */
    assert_int_equal(count_chacks(7200, 1001, 3, 3 * SEC + 900 * MS, 10 * MS), 3);
    assert_int_equal(count_chacks(7200, 1001, 10, 4 * SEC, 10 * MS), 5);
    assert_int_equal(count_chacks(7200, 1001, 10, 5 * SEC, 10 * MS), 5);
    /* the 2016-era kernel drops an ACK of unsent data silently */
    F.io.now_ns = 9 * SEC;
    struct wire_tcp ahead = seg_mk(7200, 80, TCP_ACK, 1001, ISN + 1000);
    int mark = F.r.n;
    feed(&ahead);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.action, "drop");
}

/* LINUX-FACTS.md section 5, row by row: each on a fresh connection (no TS, no WS). */
static void test_linux_facts_established(void **state)
{
    (void)state;
    fx_start();
    struct { uint8_t flags; int64_t dseq; int64_t dack; bool reply; } rows[] = {
        { TCP_RST, 0, 0, false },                       /* exact: reset */
        { TCP_RST, 100, 0, true },                      /* in window: challenge */
        { TCP_RST, 1 << 30, 0, false },                 /* out of window: nothing */
        { TCP_RST | TCP_ACK, 100, 0, true },
        { TCP_SYN, 0, 0, true },
        { TCP_SYN, 5, 0, true },
        { TCP_SYN, 1 << 30, 0, true },
        { TCP_ACK, 1 << 30, 0, true },                  /* out of window: dup ACK */
        { TCP_ACK, 0, 1000, true },                     /* acks unsent data */
        { TCP_ACK, 0, -(1 << 20), true },               /* far too old an ACK */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint16_t sp = (uint16_t)(30000 + i);
        uint32_t iss = establish(sp, 5000, false);
        uint32_t rcv_nxt = 5001, snd_nxt = iss + 1;
        struct wire_tcp s = seg_mk(sp, 80, rows[i].flags, rcv_nxt + (uint32_t)rows[i].dseq,
                                   snd_nxt + (uint32_t)rows[i].dack);
        int mark = F.r.n;
        feed(&s);
        assert_int_equal(sent_since(mark), rows[i].reply ? 1 : 0);
        if (rows[i].reply) {
            const struct wire_tcp *o = &F.r.seg[F.r.n - 1];
            assert_int_equal(o->flags, TCP_ACK);
            assert_int_equal(o->seq, snd_nxt);
            assert_int_equal(o->ack, rcv_nxt);
            assert_int_equal(o->window, 64240);
            assert_true(F.r.ii[F.r.n - 1].df);
            assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
        }
    }
}

static void test_chack_random_budget(void **state)
{
    (void)state;
    F.p.chack = CHACK_RANDOM;
    F.p.chack_limit = 10;
    fx_start();
    enum { NC = 40 };
    for (int c = 0; c < NC; c++)
        establish((uint16_t)(8000 + c), 1000, false);
    int lo = 1000, hi = 0;
    for (int slot = 0; slot < 30; slot++) {
        int got = 0;
        for (int c = 0; c < NC; c++) {
            F.io.now_ns = (uint64_t)(10 + slot) * SEC + (uint64_t)c * MS;
            struct wire_tcp rst = seg_mk((uint16_t)(8000 + c), 80, TCP_RST, 1001 + 7, 0);
            int mark = F.r.n;
            feed(&rst);
            got += sent_since(mark);
        }
        lo = got < lo ? got : lo;
        hi = got > hi ? got : hi;
    }
    /* quota = limit/2 + U[0, limit-1]: within [5, 14] every second, and not constant */
    assert_true(lo >= 5);
    assert_true(hi <= 14);
    assert_true(hi > lo);
}

static void test_rst_rate(void **state)
{
    (void)state;
    F.p.rst_rate = 3;
    fx_start();
    int got = 0;
    for (int i = 0; i < 10; i++) {
        F.io.now_ns = 5 * SEC + (uint64_t)i * 10 * MS;
        struct wire_tcp s = seg_mk((uint16_t)(9000 + i), 81, TCP_SYN, 1, 0);
        int mark = F.r.n;
        feed(&s);
        got += sent_since(mark);
    }
    assert_int_equal(got, 3);
    assert_string_equal(F.v.rule, "rst-rate 3/s: budget spent");
    F.io.now_ns = 6 * SEC;
    struct wire_tcp s = seg_mk(9100, 81, TCP_ACK, 1, 2);
    assert_non_null(feed(&s));
    /* open-port RSTs are not counted */
    for (int i = 0; i < 5; i++) {
        struct wire_tcp a = seg_mk((uint16_t)(9200 + i), 80, TCP_ACK, 1, 2);
        assert_non_null(feed(&a));
    }
}

/* ---------------------------------------------------------------- active open failures */

static void test_active_open_refused(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    /* a RST that does not ACK our SYN is dropped */
    struct wire_tcp bad = seg_mk(80, sp, TCP_RST | TCP_ACK, 0, iss + 5);
    tcp_input(F.th, &F.io, &ip, &bad, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_SYN_SENT);
    struct wire_tcp rst = seg_mk(80, sp, TCP_RST | TCP_ACK, 0, iss + 1);
    tcp_input(F.th, &F.io, &ip, &rst, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
    assert_int_equal(tcp_conn_error(F.th, id, NULL, NULL), 'R');
    assert_string_equal(F.v.rule, "RFC 793 3.9 SYN-SENT: RST acknowledging our SYN: "
                                  "connection refused");
}

static void test_active_open_timeout(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    run_until(126 * SEC);
    assert_int_equal(F.r.n, 7);            /* SYN at 0, then 1, 3, 7, 15, 31, 63 s */
    for (int i = 0; i < 7; i++) {
        assert_int_equal(F.r.seg[i].flags, TCP_SYN);
        assert_int_equal(F.r.seg[i].seq, iss);
    }
    assert_int_equal(tcp_conn_state(F.th, id), TCP_SYN_SENT);
    run_until(127 * SEC);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
    assert_int_equal(tcp_conn_error(F.th, id, NULL, NULL), 'T');
}

static void test_active_open_icmp_and_abort(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    tcp_icmp_error(F.th, &F.io, ICMP_UNREACH, ICMP_HOST_UNREACH, sp, PEER, 80, &F.v);
    uint8_t ty = 0, co = 0;
    assert_int_equal(tcp_conn_error(F.th, id, &ty, &co), 'I');
    assert_int_equal(ty, 3);
    assert_int_equal(co, 1);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
    tcp_conn_release(F.th, id);
    /* established, then abort: RST+ACK at SND.NXT; ICMP on established is soft */
    id = active_open(&iss, &sp);
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    struct wire_tcp sa = seg_mk(80, sp, TCP_SYN | TCP_ACK, 300, iss + 1);
    tcp_input(F.th, &F.io, &ip, &sa, &F.v);
    tcp_icmp_error(F.th, &F.io, ICMP_UNREACH, ICMP_PORT_UNREACH, sp, PEER, 80, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_ESTABLISHED);
    int mark = F.r.n;
    tcp_abort(F.th, &F.io, id);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[mark].flags, TCP_RST | TCP_ACK);
    assert_int_equal(F.r.seg[mark].seq, iss + 1);
    assert_int_equal(F.r.seg[mark].ack, 301);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
}

static void test_isn_in_verdict(void **state)
{
    (void)state;
    F.p.isn.kind = GEN_ISN_RFC6528;
    fx_start();
    F.io.now_ns = 3 * SEC;
    struct wire_tcp syn = seg_mk(10000, 80, TCP_SYN, 1, 0);
    uint32_t peek = tcp_peek_isn(F.th, F.io.now_ns, 80, PEER, 10000);
    const struct wire_tcp *o = feed(&syn);
    assert_int_equal(o->seq, peek);              /* the SYN-ACK used what peek showed */
    assert_true(F.v.has_isn);
    assert_int_equal(F.v.isn_next, tcp_peek_isn(F.th, F.io.now_ns, 80, PEER, 10000));
    /* rfc6528: the same tuple 1 s later advances by exactly 1e9 >> 6 */
    assert_int_equal(tcp_peek_isn(F.th, 4 * SEC, 80, PEER, 10000) - peek,
                     (uint32_t)((4 * SEC >> 6) - (3 * SEC >> 6)));
}

static void test_many_connections_table(void **state)
{
    (void)state;
    fx_start();
    /* 3000 half-open connections grow the pool and the table; all are still found */
    for (int i = 0; i < 3000; i++) {
        struct wire_tcp syn = seg_mk((uint16_t)(20000 + i), 80, TCP_SYN, (uint32_t)i, 0);
        memset(&F.r, 0, sizeof F.r);      /* only the verdicts matter here */
        feed(&syn);
        assert_int_equal(F.v.state_after, TCP_SYN_RECEIVED);
    }
    for (int i = 0; i < 3000; i += 2) {      /* free every other one by RST */
        struct wire_tcp rst = seg_mk((uint16_t)(20000 + i), 80, TCP_RST, (uint32_t)i + 1, 0);
        feed(&rst);
        assert_int_equal(F.v.state_after, TCP_LISTEN);
    }
    for (int i = 0; i < 3000; i++) {
        struct wire_tcp syn = seg_mk((uint16_t)(20000 + i), 80, TCP_SYN, (uint32_t)i, 0);
        memset(&F.r, 0, sizeof F.r);
        const struct wire_tcp *o = feed(&syn);
        assert_non_null(o);
        assert_int_equal(o->flags, TCP_SYN | TCP_ACK);
        assert_int_equal(F.v.state_before, (i % 2) ? TCP_SYN_RECEIVED : TCP_LISTEN);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* ---------------------------------------------------------------- TIME-WAIT, no listener */

/* Linux tcp_timewait_state_process returns TCP_TW_SYN for a SYN (no ACK, no RST) with
 * SEQ > RCV.NXT; tcp_v4_rcv finds no listener on the local port and falls through to
 * TCP_TW_ACK: tcp_v4_timewait_ack sends a plain ACK, outside
 * tcp_timewait_check_oow_rate_limit (so two such SYNs 100 ms apart both get it) and without
 * rescheduling the TIME-WAIT timer. Other out-of-window segments stay limited to one ACK per
 * 500 ms (tcp_invalid_ratelimit). */
static void test_timewait_syn_no_listener_acked(void **state)
{
    (void)state;
    F.p.opt_ts = false;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);      /* from ME:sp, an ephemeral port: no listener */
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    struct wire_tcp sa = seg_mk(80, sp, TCP_SYN | TCP_ACK, 7000, iss + 1);
    tcp_input(F.th, &F.io, &ip, &sa, &F.v);
    tcp_close(F.th, &F.io, id);
    struct wire_tcp fin = seg_mk(80, sp, TCP_FIN | TCP_ACK, 7001, iss + 2);
    tcp_input(F.th, &F.io, &ip, &fin, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);   /* timer: 60 s from 0 */
    for (int k = 0; k < 2; k++) {
        F.io.now_ns = 10 * SEC + (uint64_t)k * 100 * MS;
        struct wire_tcp syn = seg_mk(80, sp, TCP_SYN, 9000000u + (uint32_t)k, 0);
        int mark = F.r.n;
        feed(&syn);
        assert_int_equal(sent_since(mark), 1);
        assert_string_equal(F.v.action, "ACK");
        assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
        const struct wire_tcp *a = &F.r.seg[mark];
        assert_int_equal(a->flags, TCP_ACK);
        assert_int_equal(a->seq, iss + 2);
        assert_int_equal(a->ack, 7002);
        assert_true(F.r.ii[mark].df);
        assert_int_equal(F.r.ii[mark].ipid, 0);
    }
    /* an out-of-window bare ACK is re-ACKed once, then rate limited within 500 ms (the
     * SYNs did not use up the limiter) */
    struct wire_tcp old = seg_mk(80, sp, TCP_ACK, 8000, iss + 2);
    F.io.now_ns = 10 * SEC + 200 * MS;
    int mark = F.r.n;
    feed(&old);
    assert_int_equal(sent_since(mark), 1);
    F.io.now_ns = 10 * SEC + 300 * MS;
    feed(&old);
    assert_int_equal(sent_since(mark), 1);
    assert_string_equal(F.v.action, "drop");
    /* The SYNs left the timer alone; the two ACKs restarted it at 10.2 and 10.3 s. */
    run_until(70 * SEC);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
    run_until(70 * SEC + 300 * MS);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
}

/* ---------------------------------------------------------------- timer lists */

/* list mode (tcp_io.timer_at): a tiny engine holding the host's entries, ordered by
 * (time, key), keys drawn in arm order as the simulator's queue draws them. */
enum { LQ_MAX = 256, FIRED_MAX = 64 };

struct lq {
    struct rec r;              /* first: rec_emit casts the shared ctx to struct rec */
    uint64_t nextkey;
    int n;
    uint64_t t[LQ_MAX], key[LQ_MAX], tok[LQ_MAX];
};

static struct lq LQ;

static uint64_t lq_key(void *ctx)
{
    return ((struct lq *)ctx)->nextkey++;
}

static void lq_at(void *ctx, uint64_t t, uint64_t key, uint64_t token)
{
    struct lq *q = ctx;
    assert_true(q->n < LQ_MAX);
    q->t[q->n] = t;
    q->key[q->n] = key;
    q->tok[q->n] = token;
    q->n++;
}

/* per-timer mode entries also take a key at arm time, so both modes order ties alike */
static void lq_timer(void *ctx, uint64_t t, uint64_t token)
{
    lq_at(ctx, t, lq_key(ctx), token);
}

struct fired {
    int n;
    uint64_t t[FIRED_MAX];
    const char *action[FIRED_MAX];
    int before[FIRED_MAX], after[FIRED_MAX];
};

/* Pops every entry due by `until`, earliest (time, key) first, and logs each timer that
 * did something. list: through tcp_timer_due; else through tcp_timer. */
static void lq_run(bool list, uint64_t until, struct fired *log)
{
    for (;;) {
        int b = -1;
        for (int i = 0; i < LQ.n; i++)
            if (LQ.t[i] <= until && (b < 0 || LQ.t[i] < LQ.t[b] ||
                                     (LQ.t[i] == LQ.t[b] && LQ.key[i] < LQ.key[b])))
                b = i;
        if (b < 0)
            break;
        uint64_t t = LQ.t[b], tok = LQ.tok[b];
        LQ.n--;
        LQ.t[b] = LQ.t[LQ.n];
        LQ.key[b] = LQ.key[LQ.n];
        LQ.tok[b] = LQ.tok[LQ.n];
        F.io.now_ns = t;
        bool did;
        if (list) {
            did = tcp_timer_due(F.th, &F.io, tok, &F.v);
        } else {
            tcp_timer(F.th, &F.io, tok, &F.v);
            did = F.v.action != NULL;
        }
        if (did) {
            assert_non_null(F.v.action);
            assert_true(log->n < FIRED_MAX);
            log->t[log->n] = t;
            log->action[log->n] = F.v.action;
            log->before[log->n] = F.v.state_before;
            log->after[log->n] = F.v.state_after;
            log->n++;
        }
    }
    F.io.now_ns = until;
}

static void lq_feed_at(uint64_t t, struct wire_tcp s)
{
    F.io.now_ns = t;
    feed(&s);
}

/* Two half-open connections, one completed and closed (its FIN retransmitted), an active
 * open taken to TIME-WAIT: timers armed, re-armed, stopped and freed across connections and
 * across both lists (retransmissions; TIME-WAIT and FIN-WAIT-2). */
static void lq_script(bool list, struct fired *log)
{
    memset(&LQ, 0, sizeof LQ);
    memset(log, 0, sizeof *log);
    F.th = tcp_host_new(&F.p, ME, &F.listen, 42, "me");
    assert_non_null(F.th);
    F.io = (struct tcp_io){ .ctx = &LQ, .emit = rec_emit };
    if (list) {
        F.io.timer_key = lq_key;
        F.io.timer_at = lq_at;
    } else {
        F.io.timer = lq_timer;
    }
    /* A: SYN at 0 (SYN-ACK timer 1 s), completed at 0.5 s (stopped); the peer's FIN at
     * 0.6 s -> our FIN, LAST-ACK, retransmission timer 1.6 s. B: SYN at 0.2 s, never
     * completed: SYN-ACKs at 1.2, 3.2, 7.2, 15.2, 31.2 s, dropped at 63.2 s. */
    lq_feed_at(0, seg_mk(1000, 80, TCP_SYN, 500, 0));
    uint32_t isn_a = LQ.r.seg[LQ.r.n - 1].seq;
    lq_feed_at(200 * MS, seg_mk(1001, 80, TCP_SYN, 700, 0));
    lq_run(list, 500 * MS, log);
    lq_feed_at(500 * MS, seg_mk(1000, 80, TCP_ACK, 501, isn_a + 1));
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    lq_run(list, 600 * MS, log);
    lq_feed_at(600 * MS, seg_mk(1000, 80, TCP_FIN | TCP_ACK, 501, isn_a + 1));
    assert_int_equal(F.v.state_after, TCP_LAST_ACK);
    lq_run(list, 5 * SEC, log);
    /* A's FIN acknowledged at 5 s: A is freed with its timer (due 7.6 s) armed. */
    lq_feed_at(5 * SEC, seg_mk(1000, 80, TCP_ACK, 502, isn_a + 2));
    assert_int_equal(F.v.state_after, TCP_CLOSED);
    /* C: active open at 5 s (SYN timer 6 s), SYN-ACK at 5.1 s, close (FIN timer 6.1 s),
     * the peer's ACK+FIN at 5.2 s: FIN-WAIT-2 timer, then TIME-WAIT, 60 s: 65.2 s. */
    int id = tcp_connect(F.th, &F.io, PEER, 22, 0);
    assert_true(id >= 0);
    uint32_t iss_c = LQ.r.seg[LQ.r.n - 1].seq;
    uint16_t sp = LQ.r.seg[LQ.r.n - 1].sport;
    lq_run(list, 5100 * MS, log);
    struct wire_tcp sa = seg_mk(22, sp, TCP_SYN | TCP_ACK, 9000, iss_c + 1);
    lq_feed_at(5100 * MS, sa);
    assert_int_equal(tcp_close(F.th, &F.io, id), 0);
    lq_run(list, 5200 * MS, log);
    lq_feed_at(5200 * MS, seg_mk(22, sp, TCP_FIN | TCP_ACK, 9001, iss_c + 2));
    assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
    lq_run(list, 100 * SEC, log);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
    tcp_host_free(F.th);
    F.th = NULL;
}

static void test_timer_lists_order(void **state)
{
    (void)state;
    struct fired per, lst;
    lq_script(false, &per);
    lq_script(true, &lst);
    static const struct { uint64_t ms; const char *action; int before, after; } want[] = {
        { 1200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 1600, "retransmit", TCP_LAST_ACK, TCP_LAST_ACK },
        { 3200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 3600, "retransmit", TCP_LAST_ACK, TCP_LAST_ACK },
        { 7200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 15200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 31200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 63200, "drop", TCP_SYN_RECEIVED, TCP_LISTEN },   /* RFC 793 3.9: back to LISTEN */
        { 65200, "close", TCP_TIME_WAIT, TCP_CLOSED },
    };
    size_t nw = sizeof want / sizeof want[0];
    assert_int_equal(lst.n, nw);
    assert_int_equal(per.n, nw);
    for (size_t i = 0; i < nw; i++) {
        assert_int_equal(lst.t[i], want[i].ms * MS);
        assert_string_equal(lst.action[i], want[i].action);
        assert_int_equal(lst.before[i], want[i].before);
        assert_int_equal(lst.after[i], want[i].after);
        /* one entry per timer, the other mode, fires the same timers at the same times */
        assert_int_equal(per.t[i], lst.t[i]);
        assert_string_equal(per.action[i], lst.action[i]);
        assert_int_equal(per.after[i], lst.after[i]);
    }
}

/* List mode asks the engine for the earliest listed timer only: at most one live entry per
 * host, and a stopped timer's stale entry fires nothing and passes the turn on. */
static void test_timer_lists_one_entry(void **state)
{
    (void)state;
    memset(&LQ, 0, sizeof LQ);
    F.th = tcp_host_new(&F.p, ME, &F.listen, 42, "me");
    assert_non_null(F.th);
    F.io = (struct tcp_io){ .ctx = &LQ, .emit = rec_emit, .timer_key = lq_key,
                            .timer_at = lq_at };
    /* three half-open TCBs at 0, 0.1, 0.2 s: one entry, for the first (1 s) */
    for (int k = 0; k < 3; k++)
        lq_feed_at((uint64_t)k * 100 * MS, seg_mk((uint16_t)(2000 + k), 80, TCP_SYN, 100, 0));
    assert_int_equal(LQ.n, 1);
    assert_int_equal(LQ.t[0], 1 * SEC);
    /* the first is reset (its timer leaves the list); the entry stays, stale */
    lq_feed_at(300 * MS, seg_mk(2000, 80, TCP_RST, 101, 0));
    assert_int_equal(F.v.state_after, TCP_LISTEN);
    assert_int_equal(LQ.n, 1);
    struct fired log;
    memset(&log, 0, sizeof log);
    /* at 1 s the stale entry fires nothing and asks for the next timer: 1.1 s */
    lq_run(true, 1 * SEC, &log);
    assert_int_equal(log.n, 0);
    assert_int_equal(LQ.n, 1);
    assert_int_equal(LQ.t[0], 1100 * MS);
    /* 1.1 s and 1.2 s: SYN-ACK retransmissions, re-armed at 3.1 and 3.2 s */
    lq_run(true, 1200 * MS, &log);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.t[0], 1100 * MS);
    assert_int_equal(log.t[1], 1200 * MS);
    assert_string_equal(log.action[1], "SYN-ACK");
    assert_int_equal(LQ.n, 1);
    assert_int_equal(LQ.t[0], 3100 * MS);
    tcp_host_free(F.th);
    F.th = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_closed_port_all_flags),
        T(test_closed_port_bsd_ipinfo),
        T(test_listen_all_flags),
        T(test_listen_windows_rst_on_fin),
        T(test_synack_options_linux),
        T(test_synack_options_other_styles),
        T(test_synack_retransmission_and_drop),
        T(test_synrecv_rules),
        T(test_backlog_overflow),
        T(test_data_and_acks),
        T(test_passive_close),
        T(test_active_open_established_and_close),
        T(test_simultaneous_close),
        T(test_challenge_acks),
        T(test_chack_off_classic),
        T(test_chack_fixed_budget),
        T(test_linux_facts_established),
        T(test_chack_random_budget),
        T(test_rst_rate),
        T(test_active_open_refused),
        T(test_active_open_timeout),
        T(test_active_open_icmp_and_abort),
        T(test_isn_in_verdict),
        T(test_many_connections_table),
        T(test_timewait_syn_no_listener_acked),
        T(test_timer_lists_order),
        T(test_timer_lists_one_entry),
    };
    return cmocka_run_group_tests_name("tcp", tests, NULL, NULL);
}
