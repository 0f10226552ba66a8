/* test_tcp_rst.c — sim/tcp*.c answering what it has no connection for, and guarding the
 * ones it has: closed and listening ports for every flag combination, RFC 5961 challenge
 * ACKs and their budgets, the RST rate limit, and TIME-WAIT's answer to a SYN with no
 * listener (Linux tcp_v4_send_reset, tcp_send_challenge_ack, tcp_timewait_state_process).
 * Fixture: tcp_fixture.h.
 */
#include "tests/unit/tcp_fixture.h"
#include "sim/tcp_int.h"   /* tcp_chack_quota */

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

/* 4.4BSD's dropwithreset counts a SYN in the ACK of its RST+ACK but not a FIN
 * (personality.rst_ack_skips_fin; nmap-os-db '4.3BSD' T7 A=S): FIN+PSH+URG to a closed port
 * is answered ACK = SEG.SEQ, data still counted; RFC 793's count (FIN included) otherwise. */
static void test_closed_port_bsd_fin_not_counted(void **state)
{
    (void)state;
    F.p.rst_ack_skips_fin = true;
    fx_start();
    struct wire_tcp s = seg_mk(1234, 81, TCP_FIN | TCP_PSH | TCP_URG, 7000, 0);
    const struct wire_tcp *o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST | TCP_ACK);
    assert_int_equal(o->ack, 7000);
    s = seg_mk(1235, 81, TCP_SYN | TCP_FIN, 9000, 0);
    o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->ack, 9001);
    F.p.rst_ack_skips_fin = false;   /* the same host as RFC 793 has it */
    tcp_host_free(F.th);
    fx_start();
    s = seg_mk(1234, 81, TCP_FIN | TCP_PSH | TCP_URG, 7000, 0);
    o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->ack, 7001);
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
    assert_string_equal(F.v.rule, "RFC 5961 5.2 (Linux): SEG.ACK < SND.UNA - min(MAX.SND.WND, "
                                  "bytes acked): challenge ACK");
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

/* Sets the fixture's host to a kernel era as the scenario's `challenge-ack ERA` does. */
static void era(const char *name)
{
    enum chack_mode mode;
    uint32_t limit;
    F.p.chack_era = os_chack_era_parse(name, strlen(name), &mode, &limit);
    assert_int_not_equal(F.p.chack_era, CHACK_ERA_NONE);
    F.p.chack = mode;
    F.p.chack_limit = limit;
}

/* One in-window inexact RST with `len` bytes of payload on connection sport at t. */
static int one_rst(uint16_t sport, uint64_t t, uint16_t len)
{
    F.io.now_ns = t;
    struct wire_tcp rst = seg_mk(sport, 80, TCP_RST | TCP_ACK, 1001 + 10, 0);
    rst.payload_len = len;
    int mark = F.r.n;
    feed(&rst);
    return sent_since(mark);
}

/* Linux 3.6-3.19: the host-wide 100 per aligned second and no per-socket limit at all:
 * payload-less RSTs on one socket, 5 ms apart, are answered until the budget runs out. */
static void test_chack_era_linux36(void **state)
{
    (void)state;
    era("linux-3.6");
    fx_start();
    establish(7200, 1000, false);
    uint64_t sec3 = 3 * SEC - F.th->chack_phase_ns;
    assert_int_equal(one_rst(7200, sec3, 0), 1);
    assert_int_equal(one_rst(7200, sec3 + 5 * MS, 0), 1);
    assert_int_equal(one_rst(7200, sec3 + 10 * MS, 0), 1);
    int got = 0;
    for (int i = 0; i < 150; i++)
        got += one_rst(7200, sec3 + (uint64_t)(20 + i) * MS, 0);
    assert_int_equal(got, 97);
    assert_string_equal(F.v.rule, "challenge-ack linux-3.6: host-wide 100/s spent");
}

/* Linux 4.0-4.6: 100 per aligned second for the host, counted up; one-byte RSTs escape the
 * per-socket limit (f2b2c582e824 spared segments with payload), payload-less ones do not. */
static void test_chack_era_linux40(void **state)
{
    (void)state;
    era("linux-4.0");
    fx_start();
    establish(7300, 1000, false);
    /* the host's seconds begin at its own phase: 150 RSTs in one of them, 100 answered;
     * 150 across a boundary of them, more */
    uint64_t sec3 = 3 * SEC - F.th->chack_phase_ns;
    assert_true(F.th->chack_phase_ns > 0 && F.th->chack_phase_ns < SEC);
    assert_int_equal(count_chacks(7300, 1001, 150, sec3, 5 * MS), 100);
    assert_string_equal(F.v.rule, "challenge-ack linux-4.0: host-wide 100/s spent");
    assert_int_equal(count_chacks(7300, 1001, 150, sec3 + 2 * SEC - 375 * MS, 5 * MS), 150);
    establish(7301, 1000, false);
    assert_int_equal(one_rst(7301, 8 * SEC, 0), 1);
    assert_int_equal(one_rst(7301, 8 * SEC + 100 * MS, 0), 0);
    assert_string_equal(F.v.rule, "Linux tcp_oow_rate_limited: challenge ACK suppressed "
                                  "(500 ms per socket)");
    assert_int_equal(one_rst(7301, 8 * SEC + 200 * MS, 1), 1);   /* data: exempt */
    /* an ACK of unsent data is dropped; an old ACK is judged against MAX.SND.WND alone */
    F.io.now_ns = 9 * SEC;
    struct wire_tcp ahead = seg_mk(7301, 80, TCP_ACK, 1001, ISN + 1000);
    int mark = F.r.n;
    feed(&ahead);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.action, "drop");
    F.io.now_ns = 10 * SEC;
    struct wire_tcp old = seg_mk(7301, 80, TCP_ACK, 1001, ISN - 0x40000000u);
    assert_non_null(feed(&old));
    assert_string_equal(F.v.rule, "RFC 5961 5.2 (Linux 3.6-5.x): SEG.ACK < SND.UNA - "
                                  "MAX.SND.WND: challenge ACK");
    /* 100 below SND.UNA: within MAX.SND.WND, an old duplicate, ignored (the 6.x bound by
     * the bytes acknowledged, none here, would challenge it) */
    F.io.now_ns = 11 * SEC;
    struct wire_tcp dup = seg_mk(7301, 80, TCP_ACK, 1001, ISN + 1 - 100);
    mark = F.r.n;
    feed(&dup);
    assert_int_equal(sent_since(mark), 0);
}

/* Linux 4.7+: one challenge ACK per socket per 500 ms, data or not; the host's quota each
 * second within [500, 1499], drawn per host and second, so that what the host did in
 * earlier seconds leaves a later second's quota alone. */
static void test_chack_era_linux47(void **state)
{
    (void)state;
    era("linux-4.7");
    fx_start();
    establish(7400, 1000, false);
    assert_int_equal(one_rst(7400, 2 * SEC, 1), 1);
    assert_int_equal(one_rst(7400, 2 * SEC + 100 * MS, 1), 0);
    assert_int_equal(one_rst(7400, 2 * SEC + 600 * MS, 1), 1);
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint64_t slot = 0; slot < 200; slot++) {
        uint32_t q = tcp_chack_quota(F.th, slot);
        lo = q < lo ? q : lo;
        hi = q > hi ? q : hi;
    }
    assert_true(lo >= 500 && hi <= 1499 && hi - lo > 500);
    uint32_t q20 = tcp_chack_quota(F.th, 20);
    for (int i = 0; i < 5; i++)
        one_rst(7400, (uint64_t)(10 + i) * SEC, 1);
    assert_int_equal(tcp_chack_quota(F.th, 20), q20);
    struct tcp_host *other = tcp_host_new(&F.p, ME + 1, &F.listen, 42, "other");
    assert_non_null(other);
    int same = 0;
    for (uint64_t slot = 0; slot < 50; slot++)
        same += tcp_chack_quota(other, slot) == tcp_chack_quota(F.th, slot);
    assert_true(same < 5);
    tcp_host_free(other);
}

/* Linux 6.0+: no host budget (1600 sockets in one second all answered: more than 4.7's
 * largest quota), the per-socket limit stays, and an ACK of unsent data is challenged. */
static void test_chack_era_linux60(void **state)
{
    (void)state;
    era("linux-6.0");
    fx_start();
    enum { NC = 1600 };
    for (int c = 0; c < NC; c++) {
        establish((uint16_t)(20000 + c), 1000, false);
        F.r.n = F.r.nt = 0;        /* only counts matter here: keep the record small */
    }
    int got = 0;
    for (int c = 0; c < NC; c++) {
        got += one_rst((uint16_t)(20000 + c), 3 * SEC + (uint64_t)c * 500000u, 1);
        F.r.n = 0;
    }
    assert_int_equal(got, NC);
    assert_int_equal(one_rst(20000, 3 * SEC + 400 * MS, 1), 0);
    F.io.now_ns = 5 * SEC;
    struct wire_tcp ahead = seg_mk(20001, 80, TCP_ACK, 1001, ISN + 1000);
    assert_non_null(feed(&ahead));
    assert_string_equal(F.v.rule, "RFC 5961 5.2 (Linux 6.x): SEG.ACK > SND.NXT: challenge ACK");
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

/* TIME-WAIT assassination (RFC 1337): Linux's tcp_timewait_state_process kills the socket for
 * a RST whose SEQ is RCV.NXT, whatever it carries: the "no data" test of the bare-ACK case
 * (seq == end_seq) is or'ed with th->rst, so a RST with a payload at RCV.NXT kills too, and
 * the same RST one byte off is dropped (linux-timewait-rst-oow). */
static void test_timewait_rst_with_data_kills(void **state)
{
    (void)state;
    F.p.opt_ts = false;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    struct wire_tcp sa = seg_mk(80, sp, TCP_SYN | TCP_ACK, 7000, iss + 1);
    tcp_input(F.th, &F.io, &ip, &sa, &F.v);
    tcp_close(F.th, &F.io, id);
    struct wire_tcp fin = seg_mk(80, sp, TCP_FIN | TCP_ACK, 7001, iss + 2);
    tcp_input(F.th, &F.io, &ip, &fin, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
    static const uint8_t junk[5] = "xxxxx";
    F.io.now_ns = 5 * SEC;
    struct wire_tcp off = seg_mk(80, sp, TCP_RST | TCP_ACK, 7003, iss + 2);
    off.payload = junk;
    off.payload_len = sizeof junk;
    int mark = F.r.n;
    feed(&off);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
    struct wire_tcp rst = seg_mk(80, sp, TCP_RST | TCP_ACK, 7002, iss + 2);
    rst.payload = junk;
    rst.payload_len = sizeof junk;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule_id, "linux-timewait-rst");
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
}

/* ---------------------------------------------------------------- presets vs nmap-os-db */

/* Windows (personality.rst_ack_field_seq): a bare RST answering an ACK carries its SEQ in
 * the ACK field as well (p0fr.fp's Windows Q and A quirks; nmap-os-db T4/T6 A=O); RFC 793's
 * stacks leave it 0. */
static void test_windows_rst_ack_field(void **state)
{
    (void)state;
    F.p.linux_stack = false;
    F.p.rst_ack_field_seq = true;
    fx_start();
    for (int port = 80; port <= 81; port++) {   /* the listener and a closed port */
        struct wire_tcp s = seg_mk(2000, (uint16_t)port, TCP_ACK, 7000, 5000);
        const struct wire_tcp *o = feed(&s);
        assert_non_null(o);
        assert_int_equal(o->flags, TCP_RST);
        assert_int_equal(o->seq, 5000);
        assert_int_equal(o->ack, 5000);
    }
    tcp_host_free(F.th);
    F.p.rst_ack_field_seq = false;
    fx_start();
    struct wire_tcp s = seg_mk(2000, 81, TCP_ACK, 7000, 5000);
    const struct wire_tcp *o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->ack, 0);
}

/* 4.3BSD (listen_synfin OS_SYNFIN_ACK): SYN+FIN(+PSH+URG) to a listener gets a bare ACK,
 * SEQ = a fresh ISS, ACK past SYN and FIN, no options, the listener's window, and no
 * connection is left (nmap-os-db 4.3BSD T3 F=A O=). */
static void test_bsd43_listen_synfin_ack(void **state)
{
    (void)state;
    F.p.linux_stack = false;
    F.p.listen_synfin = OS_SYNFIN_ACK;
    F.p.window = 4096;
    fx_start();
    struct wire_tcp s = seg_mk(2001, 80, TCP_SYN | TCP_FIN | TCP_PSH | TCP_URG, 9000, 0);
    opts_linux_syn(&s, 1);
    const struct wire_tcp *o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->seq, ISN);
    assert_int_equal(o->ack, 9002);
    assert_int_equal(o->opt.n, 0);
    assert_int_equal(o->window, 4096);
    assert_string_equal(F.v.rule_id, "bsd43-listen-synfin-ack");
    assert_int_equal(F.v.state_after, TCP_LISTEN);
}

/* OpenBSD's default pf.conf in front of TCP (personality.pf_default, sim/tcp_pf.c). */
struct pf_case { uint16_t port; uint8_t flags; uint8_t want; uint32_t seq, ack; };

static void test_openbsd_pf(void **state)
{
    (void)state;
    F.p.linux_stack = false;
    F.p.pf_default = true;
    fx_start();
    enum { S = TCP_SYN, A = TCP_ACK, R = TCP_RST, FI = TCP_FIN, P = TCP_PSH, U = TCP_URG };
    /* want 0: nothing sent; else the flags of the answer, with its SEQ and ACK */
    static const struct pf_case cases[] = {
        { 81, 0, 0, 0, 0 },                       /* NULL: pf_normalize_tcp drops it */
        { 80, 0, 0, 0, 0 },
        { 81, FI, 0, 0, 0 },                      /* FIN without ACK */
        { 81, FI | P | U, 0, 0, 0 },              /* T7, the Xmas scan */
        { 80, S | FI | P | U, 0, 0, 0 },          /* T3: FIN stripped, PSH/URG without ACK */
        { 81, S | R, 0, 0, 0 },                   /* SYN+RST */
        { 81, R, 0, 0, 0 },                       /* a RST without state: blocked, silent */
        { 80, R | A, 0, 0, 0 },
        { 80, A, R | A, 5000, 7000 },             /* T4: block return, ACK = SEG.SEQ */
        { 81, A, R | A, 5000, 7000 },             /* T6 */
        { 81, FI | A, R | A, 5000, 7001 },        /* Maimon: the FIN counted */
        { 81, S | A, R | A, 5000, 7001 },         /* a stray SYN-ACK: pf's answer */
        { 81, S, R | A, 0, 7001 },                /* a SYN passes: the stack's RST+ACK */
        { 80, S | FI, S | A, ISN, 7001 },         /* SYN+FIN: FIN taken off, a SYN-ACK */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct pf_case *c = &cases[i];
        struct wire_tcp s = seg_mk((uint16_t)(3000 + i), c->port, c->flags, 7000, 5000);
        int mark = F.r.n;
        const struct wire_tcp *o = feed(&s);
        if (!c->want) {
            if (sent_since(mark))
                fail_msg("case %zu (flags %#x port %u): answered %#x", i, c->flags, c->port,
                         o->flags);
            continue;
        }
        if (!o || sent_since(mark) != 1)
            fail_msg("case %zu (flags %#x port %u): no answer", i, c->flags, c->port);
        if (o->flags != c->want || o->seq != c->seq || o->ack != c->ack)
            fail_msg("case %zu: flags %#x seq %u ack %u, want %#x %u %u", i, o->flags, o->seq,
                     o->ack, c->want, c->seq, c->ack);
    }
    /* A connection's segments pass: pf has its state (here: its TCB). */
    uint32_t cisn = 40000;
    establish(4000, cisn, false);
    int mark = F.r.n;
    struct wire_tcp s = seg_mk(4000, 80, TCP_FIN | TCP_ACK, cisn + 1, ISN + 1);
    feed(&s);
    assert_true(sent_since(mark) >= 1);          /* its ACK (and the stack's own FIN) */
    for (int k = mark; k < F.r.n; k++) {
        assert_false(F.r.seg[k].flags & TCP_RST);
        assert_int_equal(F.r.seg[k].ack, cisn + 2);
    }
}

/* FreeBSD's ECN and timestamps (personality.ecn_incoming, ts_offset_per_conn): ECE on the
 * SYN-ACK to an ECN-setup SYN; each connection's TSval clock starts at its own offset, so
 * two SYN-ACKs at the same moment carry unrelated TSvals (a per-pair offset gives equal
 * ones). */
static void test_freebsd_ecn_and_ts_offsets(void **state)
{
    (void)state;
    F.p.linux_stack = false;
    F.p.opt_style = OS_OPTS_BSD;
    F.p.ecn_incoming = true;
    F.p.ts_offset_per_conn = true;
    fx_start();
    uint32_t tsv[2];
    for (int i = 0; i < 2; i++) {
        struct wire_tcp s = seg_mk((uint16_t)(5000 + i), 80, TCP_SYN | (i ? 0 : TCP_ECE | TCP_CWR),
                                   100, 0);
        opts_linux_syn(&s, 1);
        const struct wire_tcp *o = feed(&s);
        assert_non_null(o);
        assert_int_equal(o->flags & (TCP_SYN | TCP_ACK), TCP_SYN | TCP_ACK);
        assert_int_equal(!!(o->flags & TCP_ECE), i == 0);
        assert_false(o->flags & TCP_CWR);
        assert_true(o->opt.has_ts);
        tsv[i] = o->opt.tsval;
    }
    assert_int_not_equal(tsv[0], tsv[1]);
    tcp_host_free(F.th);
    F.p.ecn_incoming = false;           /* the stacks before: no ECE, one offset a pair */
    F.p.ts_offset_per_conn = false;
    fx_start();
    for (int i = 0; i < 2; i++) {
        struct wire_tcp s = seg_mk((uint16_t)(5000 + i), 80, TCP_SYN | TCP_ECE | TCP_CWR, 100, 0);
        opts_linux_syn(&s, 1);
        const struct wire_tcp *o = feed(&s);
        assert_non_null(o);
        assert_false(o->flags & TCP_ECE);
        tsv[i] = o->opt.tsval;
    }
    assert_int_equal(tsv[0], tsv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_closed_port_all_flags),
        T(test_closed_port_bsd_ipinfo),
        T(test_closed_port_bsd_fin_not_counted),
        T(test_windows_rst_ack_field),
        T(test_bsd43_listen_synfin_ack),
        T(test_openbsd_pf),
        T(test_freebsd_ecn_and_ts_offsets),
        T(test_listen_all_flags),
        T(test_listen_windows_rst_on_fin),
        T(test_challenge_acks),
        T(test_chack_off_classic),
        T(test_chack_fixed_budget),
        T(test_linux_facts_established),
        T(test_chack_random_budget),
        T(test_chack_era_linux36),
        T(test_chack_era_linux40),
        T(test_chack_era_linux47),
        T(test_chack_era_linux60),
        T(test_rst_rate),
        T(test_timewait_syn_no_listener_acked),
        T(test_timewait_rst_with_data_kills),
    };
    return cmocka_run_group_tests_name("tcp_rst", tests, NULL, NULL);
}
