/* test_tcp_conn.c — sim/tcp*.c connections from start to end: SYN-ACK options in each
 * stack's style, SYN-RECEIVED rules, retransmission and backlog, data and ACKs, passive,
 * active and simultaneous close, active opens that fail (RST, timeout, ICMP), ISNs in the
 * verdict and the connection table (RFC 793 3.4-3.9, Linux tcp_input.c/tcp_output.c).
 * Fixture: tcp_fixture.h.
 */
#include "tests/unit/tcp_fixture.h"

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
    F.p.linux_stack = false;
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
    F.p.linux_stack = false;
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
    F.p.linux_stack = false;
    fx_start();
    syn = seg_mk(4103, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    o = feed(&syn);
    uint8_t mss[] = { TCPOPT_MSS };
    expect_order(&o->opt, mss, 1);
    tcp_host_free(F.th);

    /* OpenBSD: nmap-os-db 'OpenBSD 6.x' O1=M5B4NNSNW6NNT11, O3 (no SACK) M5B4NW6NNT11 */
    F.p.opt_style = OS_OPTS_OPENBSD;
    F.p.linux_stack = false;
    F.p.opt_ts = true;
    fx_start();
    syn = seg_mk(4104, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    o = feed(&syn);
    uint8_t obsd[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOPT_NOP,
                       TCPOPT_WSCALE, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS };
    expect_order(&o->opt, obsd, sizeof obsd);
    assert_int_equal(wire_tcp_opts_len(&o->opt), 24);
    syn = seg_mk(4105, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    syn.opt.sack_perm = false;
    o = feed(&syn);
    uint8_t obsd3[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WSCALE, TCPOPT_NOP, TCPOPT_NOP,
                        TCPOPT_TS };
    expect_order(&o->opt, obsd3, sizeof obsd3);
}

/* A scenario's `options LIST` (personality opt_layout, tcp_out.c tcp_opts_custom): a SYN-ACK
 * keeps the listed options the SYN offered, in the listed order, each with the NOPs just
 * before it; MSS always. The personality's flags say what the stack supports, as
 * scenario_host.c sets them from the list. */
static void custom_layout(const uint8_t *kinds, uint8_t n, bool sack, bool ts, bool ws)
{
    memcpy(F.p.opt_layout, kinds, n);
    F.p.opt_layout_n = n;
    F.p.opt_sack = sack;
    F.p.opt_ts = ts;
    F.p.opt_wscale = ws;
}

static void test_synack_options_custom(void **state)
{
    (void)state;
    /* mss,nop,wscale: everything offered -> MSS,NOP,WS; MSS only offered -> MSS */
    uint8_t old[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_WSCALE };
    custom_layout(old, sizeof old, false, false, true);
    fx_start();
    struct wire_tcp syn = seg_mk(4200, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    const struct wire_tcp *o = feed(&syn);
    expect_order(&o->opt, old, sizeof old);
    assert_true(o->opt.has_mss && o->opt.has_wscale);
    assert_false(o->opt.sack_perm || o->opt.has_ts);
    assert_int_equal(o->window, 64240);          /* no timestamps negotiated */
    uint8_t bytes[WIRE_TCP_OPT_MAX];
    uint8_t want[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
    assert_int_equal(wire_tcp_opts_emit(bytes, &o->opt), sizeof want);
    assert_memory_equal(bytes, want, sizeof want);
    syn = seg_mk(4201, 80, TCP_SYN, 10, 0);
    syn.opt.has_mss = true;
    syn.opt.mss = 1460;
    o = feed(&syn);
    uint8_t mss[] = { TCPOPT_MSS };
    expect_order(&o->opt, mss, 1);
    /* no options at all offered: MSS still, as every stack modelled sends it (RFC 9293
     * 3.7.1: SHOULD be in every SYN) */
    syn = seg_mk(4202, 80, TCP_SYN, 10, 0);
    o = feed(&syn);
    expect_order(&o->opt, mss, 1);
    tcp_host_free(F.th);

    /* mss,nop,nop,sack,nop,wscale: each NOP goes with the option after it */
    uint8_t bsd[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOPT_NOP,
                      TCPOPT_WSCALE };
    custom_layout(bsd, sizeof bsd, true, false, true);
    fx_start();
    syn = seg_mk(4203, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    o = feed(&syn);
    expect_order(&o->opt, bsd, sizeof bsd);
    syn = seg_mk(4204, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    syn.opt.sack_perm = false;
    o = feed(&syn);
    expect_order(&o->opt, old, sizeof old);      /* MSS,NOP,WS: the SACK's two NOPs went too */
    syn = seg_mk(4205, 80, TCP_SYN, 10, 0);
    opts_linux_syn(&syn, 9);
    syn.opt.has_wscale = false;
    o = feed(&syn);
    uint8_t sackonly[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM };
    expect_order(&o->opt, sackonly, sizeof sackonly);
    tcp_host_free(F.th);

    /* Linux's own order as a list, a SYN offering TS only: the NOP pads WS, which goes, so
     * MSS,TS. The list is not re-aligned (Linux itself would send MSS,NOP,NOP,TS). */
    uint8_t lin[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE };
    custom_layout(lin, sizeof lin, true, true, true);
    fx_start();
    syn = seg_mk(4206, 80, TCP_SYN, 10, 0);
    syn.opt.has_mss = syn.opt.has_ts = true;
    syn.opt.mss = 1460;
    syn.opt.tsval = 77;
    o = feed(&syn);
    uint8_t ts[] = { TCPOPT_MSS, TCPOPT_TS };
    expect_order(&o->opt, ts, sizeof ts);
    assert_int_equal(o->opt.tsecr, 77);
    assert_int_equal(o->window, 65160);          /* still Linux: TS takes 12 bytes */
}

/* An active open from a host with a layout sends the whole list, in order. */
static void test_syn_options_custom(void **state)
{
    (void)state;
    uint8_t l[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE };
    custom_layout(l, sizeof l, false, true, true);
    fx_start();
    assert_true(tcp_connect(F.th, &F.io, PEER, 443, 5555) >= 0);
    assert_int_equal(F.r.n, 1);
    const struct wire_tcp *o = &F.r.seg[0];
    assert_int_equal(o->flags, TCP_SYN);
    expect_order(&o->opt, l, sizeof l);
    assert_true(o->opt.has_mss && o->opt.has_ts && o->opt.has_wscale);
    assert_false(o->opt.sack_perm);
    assert_int_equal(o->opt.tsecr, 0);
    tcp_host_free(F.th);

    uint8_t m[] = { TCPOPT_MSS };
    custom_layout(m, sizeof m, false, false, false);
    fx_start();
    assert_true(tcp_connect(F.th, &F.io, PEER, 443, 5556) >= 0);
    expect_order(&F.r.seg[0].opt, m, 1);
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
    /* an in-window RST that is not exact: challenge ACK, the half-open TCB stays (RFC 5961
     * 3.2 in Linux's tcp_check_req, measured on 6.18) */
    struct wire_tcp rst = seg_mk(5100, 80, TCP_RST, 101 + 1000, 0);
    F.io.now_ns += 1 * SEC;    /* past the 500 ms the retransmitted SYN's answer started */
    o = feed(&rst);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->seq, ISN + 1);
    assert_int_equal(o->ack, 101);
    assert_string_equal(F.v.action, "challenge ACK");
    assert_int_equal(F.v.state_after, TCP_SYN_RECEIVED);
    /* the exact RST frees the half-open TCB; the backlog has room again */
    rst.seq = 101;
    mark = F.r.n;
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
    /* Linux delays the ACK of a FIN (pingpong mode); the server closes at once, so one
     * FIN+ACK carries it (measured on 6.18: oracle_stateful es_fin) */
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[mark].flags, TCP_FIN | TCP_ACK);
    assert_int_equal(F.r.seg[mark].ack, 902);
    assert_int_equal(F.r.seg[mark].seq, iss + 1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_synack_options_linux),
        T(test_synack_options_other_styles),
        T(test_synack_options_custom),
        T(test_syn_options_custom),
        T(test_synack_retransmission_and_drop),
        T(test_synrecv_rules),
        T(test_backlog_overflow),
        T(test_data_and_acks),
        T(test_passive_close),
        T(test_active_open_established_and_close),
        T(test_simultaneous_close),
        T(test_active_open_refused),
        T(test_active_open_timeout),
        T(test_active_open_icmp_and_abort),
        T(test_isn_in_verdict),
        T(test_many_connections_table),
    };
    return cmocka_run_group_tests_name("tcp_conn", tests, NULL, NULL);
}
