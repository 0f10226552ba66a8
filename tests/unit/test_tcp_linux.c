/* test_tcp_linux.c — `os linux` inside connections: the behaviours the stateful live oracle
 * (tests/live/oracle_stateful.py) measured on Linux 6.18 and sim/tcp_in.c now models.
 *
 *   TS.Recent taken from the handshake's final ACK, moved only by a segment whose ACK is
 *   acceptable (RFC 7323 4.3; Linux tcp_check_req, tcp_replace_ts_recent in tcp_ack);
 *   PAWS (RFC 7323 5.3, tcp_paws_discard): an old TSval gets a duplicate ACK, a RST passes;
 *   RFC 5961 5.2 with Linux's bound min(MAX.SND.WND, bytes acknowledged);
 *   SYN-SENT: an unacceptable ACK makes Linux retransmit its SYN at once (TCP_TIMEOUT_MIN);
 *   SYN-RECEIVED: an in-window, inexact RST gets a challenge ACK, the request socket stays;
 *   an orphaned FIN-WAIT-2 is a TIME-WAIT socket (tcp_timewait_state_process, FIN_WAIT2);
 *   CLOSING: the segment that acknowledges our FIN is consumed by tcp_time_wait;
 *   TIME-WAIT answers a PAWS failure with an ACK;
 *   the out-of-order queue, SACK blocks (RFC 2018 4) and D-SACK blocks (RFC 2883 4),
 *   sim/tcp_ooo.c.
 * Each case is named after the oracle case it mirrors.
 */
#include "tests/unit/tcp_fixture.h"

#define CISN 5000u

/* Passive handshake with timestamps on every segment: SYN TSval 100, final ACK TSval 110.
 * Returns our ISN. */
static uint32_t establish_ts(uint16_t sport)
{
    struct wire_tcp syn = seg_mk(sport, 80, TCP_SYN, CISN, 0);
    opts_linux_syn(&syn, 100);
    const struct wire_tcp *sa = feed(&syn);
    assert_non_null(sa);
    assert_int_equal(sa->opt.tsecr, 100);
    uint32_t iss = sa->seq;
    struct wire_tcp ack = seg_mk(sport, 80, TCP_ACK, CISN + 1, iss + 1);
    ack.window = 502;
    ack.opt.has_ts = true;
    ack.opt.tsval = 110;
    assert_null(feed(&ack));
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    return iss;
}

static struct wire_tcp data_ts(uint16_t sport, uint32_t seq, uint32_t ack, uint32_t tsval,
                               size_t len)
{
    struct wire_tcp d = seg_mk(sport, 80, TCP_ACK | TCP_PSH, seq, ack);
    d.opt.has_ts = true;
    d.opt.tsval = tsval;
    d.payload_len = len;
    return d;
}

/* es_data / sr_ack_data: the ACK of new data echoes the final ACK's TSval, not the SYN's */
static void test_ts_recent_from_final_ack(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish_ts(7000);
    struct wire_tcp d = data_ts(7000, CISN + 1, iss + 1, 105, 10);
    d.opt.tsval = 110;
    const struct wire_tcp *o = feed(&d);
    assert_non_null(o);
    assert_int_equal(o->ack, CISN + 11);
    assert_int_equal(o->opt.tsecr, 110);
}

/* es_paws_data, es_paws_rst */
static void test_paws(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish_ts(7001);
    struct wire_tcp d = data_ts(7001, CISN + 1, iss + 1, 5, 10);
    const struct wire_tcp *o = feed(&d);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->ack, CISN + 1);          /* the data was not taken */
    assert_int_equal(o->opt.tsecr, 110);
    assert_string_equal(F.v.rule, "RFC 7323 5.3 PAWS: TSval older than TS.Recent: segment "
                                  "dropped, duplicate ACK");
    /* "Reset is accepted even if it did not pass PAWS" */
    struct wire_tcp rst = seg_mk(7001, 80, TCP_RST, CISN + 1, 0);
    rst.opt.has_ts = true;
    rst.opt.tsval = 5;
    int mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.action, "reset");
    assert_int_equal(F.v.state_after, TCP_CLOSED);
}

/* es_ts_rejected, es_ts_accepted */
static void test_ts_recent_needs_acceptable_ack(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish_ts(7002);
    struct wire_tcp ahead = seg_mk(7002, 80, TCP_ACK, CISN + 1, iss + 100);
    ahead.opt.has_ts = true;
    ahead.opt.tsval = 900;
    const struct wire_tcp *o = feed(&ahead);
    assert_non_null(o);
    assert_string_equal(F.v.action, "challenge ACK");
    assert_int_equal(o->opt.tsecr, 110);         /* the rejected ACK's TSval is not taken */
    F.io.now_ns += 1 * SEC;
    struct wire_tcp d = data_ts(7002, CISN + 1, iss + 1, 150, 10);
    o = feed(&d);
    assert_non_null(o);
    assert_int_equal(o->ack, CISN + 11);         /* 150 passes PAWS against 110 */
    assert_int_equal(o->opt.tsecr, 150);
    /* an acceptable ACK with TSval 900 moves TS.Recent: then 150 fails PAWS */
    struct wire_tcp ok = seg_mk(7002, 80, TCP_ACK, CISN + 11, iss + 1);
    ok.opt.has_ts = true;
    ok.opt.tsval = 900;
    feed(&ok);
    F.io.now_ns += 1 * SEC;
    d = data_ts(7002, CISN + 11, iss + 1, 150, 10);
    o = feed(&d);
    assert_non_null(o);
    assert_int_equal(o->ack, CISN + 11);
    assert_int_equal(o->opt.tsecr, 900);
}

/* es_ack_old (passive: nothing acknowledged yet), ea_ack_old1 and ea_ack_old2 (active: the
 * SYN's one byte acknowledged) */
static void test_old_ack_bound_bytes_acked(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish(7003, CISN, false);
    struct wire_tcp old = seg_mk(7003, 80, TCP_ACK, CISN + 1, iss);
    const struct wire_tcp *o = feed(&old);
    assert_non_null(o);
    assert_string_equal(F.v.action, "challenge ACK");
    /* active open: SND.UNA moved by 1 (the SYN) */
    uint32_t aiss;
    uint16_t sport;
    active_open(&aiss, &sport);
    struct wire_tcp sa = seg_mk(80, sport, TCP_SYN | TCP_ACK, 9000, aiss + 1);
    assert_non_null(feed(&sa));
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    F.io.now_ns += 1 * SEC;
    struct wire_tcp a1 = seg_mk(80, sport, TCP_ACK, 9001, aiss);
    int mark = F.r.n;
    feed(&a1);
    assert_int_equal(sent_since(mark), 0);       /* within the one byte: an old duplicate */
    struct wire_tcp a2 = seg_mk(80, sport, TCP_ACK, 9001, aiss - 1);
    o = feed(&a2);
    assert_non_null(o);
    assert_string_equal(F.v.action, "challenge ACK");
}

/* ss_rstack_bad, ss_ack_bad */
static void test_synsent_bad_ack_resends_syn(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    active_open(&iss, &sport);
    struct wire_tcp ra = seg_mk(80, sport, TCP_RST | TCP_ACK, 0, iss + 100);
    int mark = F.r.n;
    feed(&ra);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_after, TCP_SYN_SENT);
    run_until(3 * MS);                           /* TCP_TIMEOUT_MIN: 2 ms */
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[F.r.n - 1].flags, TCP_SYN);
    assert_int_equal(F.r.seg[F.r.n - 1].seq, iss);
    /* once retransmitted, a bad ACK only gets its RST: the next SYN waits for the RTO */
    struct wire_tcp a = seg_mk(80, sport, TCP_ACK, 1, iss + 100);
    mark = F.r.n;
    feed(&a);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[mark].flags, TCP_RST);
    run_until(100 * MS);
    assert_int_equal(sent_since(mark), 1);
}

/* sr_rst_inexact, sr_rst_exact */
static void test_synrecv_inexact_rst(void **state)
{
    (void)state;
    fx_start();
    struct wire_tcp syn = seg_mk(7004, 80, TCP_SYN, CISN, 0);
    feed(&syn);
    struct wire_tcp rst = seg_mk(7004, 80, TCP_RST, CISN + 101, 0);
    const struct wire_tcp *o = feed(&rst);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->ack, CISN + 1);
    assert_int_equal(F.v.state_after, TCP_SYN_RECEIVED);
    rst.seq = CISN + 1;
    assert_null(feed(&rst));
    assert_int_equal(F.v.state_after, TCP_LISTEN);
}

/* The host's active connection to PEER:80, established and closed by the application
 * (orphaned), its FIN acknowledged: FIN-WAIT-2. *iss: our ISN, *sport: our port. */
static void orphan_fw2(uint32_t *iss, uint16_t *sport)
{
    int id = active_open(iss, sport);
    struct wire_tcp sa = seg_mk(80, *sport, TCP_SYN | TCP_ACK, 9000, *iss + 1);
    feed(&sa);
    assert_int_equal(tcp_close(F.th, &F.io, id), 0);
    tcp_conn_release(F.th, id);
    assert_int_equal(F.r.seg[F.r.n - 1].flags, TCP_FIN | TCP_ACK);
    struct wire_tcp ack = seg_mk(80, *sport, TCP_ACK, 9001, *iss + 2);
    feed(&ack);
    assert_int_equal(F.v.state_after, TCP_FIN_WAIT_2);
}

/* f2_rst_inexact, f2_syn, f2_fin */
static void test_orphan_finwait2(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    orphan_fw2(&iss, &sport);
    struct wire_tcp rst = seg_mk(80, sport, TCP_RST, 9001 + 100, 0);
    int mark = F.r.n;
    feed(&rst);                                  /* any RST in the window ends it */
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_after, TCP_CLOSED);
    orphan_fw2(&iss, &sport);
    struct wire_tcp syn = seg_mk(80, sport, TCP_SYN, 9001 + 100, 0);
    const struct wire_tcp *o = feed(&syn);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST | TCP_ACK);
    assert_int_equal(o->ack, 9001 + 101);
    assert_int_equal(F.v.state_after, TCP_CLOSED);
    orphan_fw2(&iss, &sport);
    struct wire_tcp fin = seg_mk(80, sport, TCP_FIN | TCP_ACK, 9001, iss + 2);
    o = feed(&fin);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->ack, 9002);
    assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
}

/* cl_fin_again: the ACK of our FIN in CLOSING, carrying the peer's FIN again */
static void test_closing_ack_consumed(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = active_open(&iss, &sport);
    struct wire_tcp sa = seg_mk(80, sport, TCP_SYN | TCP_ACK, 9000, iss + 1);
    feed(&sa);
    tcp_close(F.th, &F.io, id);
    struct wire_tcp fin = seg_mk(80, sport, TCP_FIN | TCP_ACK, 9001, iss + 1);
    feed(&fin);
    assert_int_equal(F.v.state_after, TCP_CLOSING);
    fin.ack = iss + 2;
    int mark = F.r.n;
    feed(&fin);
    assert_int_equal(sent_since(mark), 0);
    assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
}

/* tw_paws: a bare ACK at RCV.NXT with an old TSval is answered in TIME-WAIT */
static void test_timewait_paws(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = active_open(&iss, &sport);
    struct wire_tcp sa = seg_mk(80, sport, TCP_SYN | TCP_ACK, 9000, iss + 1);
    opts_linux_syn(&sa, 100);
    feed(&sa);
    tcp_close(F.th, &F.io, id);
    struct wire_tcp fin = seg_mk(80, sport, TCP_FIN | TCP_ACK, 9001, iss + 2);
    fin.opt.has_ts = true;
    fin.opt.tsval = 140;
    feed(&fin);
    assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
    F.io.now_ns += 1 * SEC;
    struct wire_tcp ack = seg_mk(80, sport, TCP_ACK, 9002, iss + 2);
    ack.opt.has_ts = true;
    ack.opt.tsval = 5;
    const struct wire_tcp *o = feed(&ack);
    assert_non_null(o);
    assert_int_equal(o->ack, 9002);
    assert_int_equal(o->opt.tsecr, 140);
    ack.opt.tsval = 150;                         /* a fresh TSval: silently restarts */
    F.io.now_ns += 1 * SEC;
    int mark = F.r.n;
    feed(&ack);
    assert_int_equal(sent_since(mark), 0);
}

/* Block i of a segment's SACK option: (left, right) as the wire has them. */
static void sack_block(const struct wire_tcp *o, unsigned i, uint32_t *l, uint32_t *r)
{
    const uint8_t *b = o->opt.sack_blocks + 8 * i;
    *l = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    *r = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
}

static void assert_sack(const struct wire_tcp *o, unsigned n, const uint32_t *edges)
{
    assert_non_null(o);
    assert_int_equal(o->opt.sack_n, n);
    for (unsigned i = 0; i < n; i++) {
        uint32_t l, r;
        sack_block(o, i, &l, &r);
        assert_int_equal(l, edges[2 * i]);
        assert_int_equal(r, edges[2 * i + 1]);
    }
    if (n) {   /* laid out after the timestamp: NOP NOP TS NOP NOP SACK */
        assert_int_equal(o->opt.n, 6);
        assert_int_equal(o->opt.order[5], TCPOPT_SACK);
    }
}

/* es_ooo, es_ooo_two, es_ooo_fill */
static void test_ooo_queue_and_sack(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish_ts(7100), c = CISN + 1;
    const struct wire_tcp *o = feed((struct wire_tcp[]){ data_ts(7100, c + 100, iss + 1, 120, 10) });
    assert_int_equal(o->ack, c);
    assert_sack(o, 1, (uint32_t[]){ c + 100, c + 110 });
    o = feed((struct wire_tcp[]){ data_ts(7100, c + 300, iss + 1, 120, 10) });
    assert_sack(o, 2, (uint32_t[]){ c + 300, c + 310, c + 100, c + 110 });   /* newest first */
    /* the hole before c + 100 filled: the queued block joins, its SACK block goes */
    o = feed((struct wire_tcp[]){ data_ts(7100, c, iss + 1, 130, 100) });
    assert_int_equal(o->ack, c + 110);
    assert_sack(o, 1, (uint32_t[]){ c + 300, c + 310 });
    assert_string_equal(F.v.rule, "Linux tcp_ofo_queue: the hole is filled, queued segments "
                                  "join: ACK at once (RFC 5681 4.2)");
    /* and the last hole: no SACK option any more */
    o = feed((struct wire_tcp[]){ data_ts(7100, c + 110, iss + 1, 130, 190) });
    assert_int_equal(o->ack, c + 310);
    assert_sack(o, 0, NULL);
    assert_int_equal(o->opt.n, 3);
}

/* es_dup_data, es_dup_partial, es_ooo_dup, cw_fin_again (D-SACK, RFC 2883) */
static void test_dsack(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish_ts(7101), c = CISN + 1;
    feed((struct wire_tcp[]){ data_ts(7101, c, iss + 1, 120, 10) });
    const struct wire_tcp *o = feed((struct wire_tcp[]){ data_ts(7101, c, iss + 1, 130, 10) });
    assert_int_equal(o->ack, c + 10);
    assert_sack(o, 1, (uint32_t[]){ c, c + 10 });
    /* reported once: the next ACK has no block */
    o = feed((struct wire_tcp[]){ data_ts(7101, c + 10, iss + 1, 130, 10) });
    assert_int_equal(o->ack, c + 20);
    assert_sack(o, 0, NULL);
    /* partial: its duplicate head is reported, the new tail taken */
    o = feed((struct wire_tcp[]){ data_ts(7101, c + 15, iss + 1, 130, 20) });
    assert_int_equal(o->ack, c + 35);
    assert_sack(o, 1, (uint32_t[]){ c + 15, c + 20 });
    /* a duplicate of a queued segment: D-SACK first, then its SACK block */
    feed((struct wire_tcp[]){ data_ts(7101, c + 100, iss + 1, 130, 10) });
    o = feed((struct wire_tcp[]){ data_ts(7101, c + 100, iss + 1, 130, 10) });
    assert_sack(o, 2, (uint32_t[]){ c + 100, c + 110, c + 100, c + 110 });
}

/* Without SACK-permitted on the SYN: queued all the same, no SACK option */
static void test_ooo_without_sack(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish(7102, CISN, false), c = CISN + 1;
    struct wire_tcp d = seg_mk(7102, 80, TCP_ACK, c + 10, iss + 1);
    d.payload_len = 10;
    const struct wire_tcp *o = feed(&d);
    assert_int_equal(o->ack, c);
    assert_int_equal(o->opt.n, 0);
    d.seq = c;
    o = feed(&d);
    assert_int_equal(o->ack, c + 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ts_recent_from_final_ack),
        T(test_paws),
        T(test_ts_recent_needs_acceptable_ack),
        T(test_old_ack_bound_bytes_acked),
        T(test_synsent_bad_ack_resends_syn),
        T(test_synrecv_inexact_rst),
        T(test_orphan_finwait2),
        T(test_closing_ack_consumed),
        T(test_timewait_paws),
        T(test_ooo_queue_and_sack),
        T(test_dsack),
        T(test_ooo_without_sack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
