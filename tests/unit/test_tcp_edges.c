/* test_tcp_edges.c — the boundaries of sim/tcp*.c's rules that `make mutants` found no test
 * pinned down (tests/mutants/mutants.txt): the RST at RCV.NXT-1 after the peer's FIN, the
 * TIME-WAIT reuse ISN, both edges of the receive window (synchronized states and the
 * request socket), SYN-SENT's ISS < SEG.ACK, TIME-WAIT's RST rules, the 500 ms limit on
 * retransmitted SYNs, the request socket's control-socket ACK, and Linux's ICMP rate mask.
 * Fixture: tcp_fixture.h (timers in list mode, as the simulator's hosts run them).
 */
#include "tests/unit/tcp_fixture.h"

#include "sim/host.h"
#include "sim/tcp_int.h"

/* The TCB of the first connection (the fixture's host has one at a time here). */
static struct tcp_tcb *first_tcb(void)
{
    for (uint32_t i = 0; i < F.th->npool; i++)
        if (F.th->pool[i].in_use)
            return &F.th->pool[i];
    fail_msg("no TCB");
    return NULL;
}

/* ---------------------------------------------------------------- RST at RCV.NXT-1 */

/* Linux tcp_reset_check: after the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK) a RST at
 * exactly RCV.NXT-1 (the FIN's own sequence number) resets; at RCV.NXT-2 it is outside the
 * window and dropped. */
static void check_rst_after_fin(uint32_t back, bool resets)
{
    fx_start();
    uint32_t iss = establish(4000, 100, false);
    struct wire_tcp fin = seg_mk(4000, 80, TCP_FIN | TCP_ACK, 101, iss + 1);
    feed(&fin);
    assert_int_equal(F.v.state_after, TCP_LAST_ACK);   /* the server closed at once */
    struct wire_tcp rst = seg_mk(4000, 80, TCP_RST, 102 - back, 0);
    int mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    if (resets) {
        assert_string_equal(F.v.rule_id, "linux-reset-check");
        assert_int_equal(F.v.state_after, TCP_CLOSED);
    } else {
        assert_string_equal(F.v.rule_id, "rfc5961-3.2-outside");
        assert_int_equal(F.v.state_after, TCP_LAST_ACK);
    }
}

static void test_rst_rcvnxt_minus_1(void **state)
{
    (void)state;
    check_rst_after_fin(1, true);
}

static void test_rst_rcvnxt_minus_2(void **state)
{
    (void)state;
    check_rst_after_fin(2, false);
}

/* Without the peer's FIN the same RST at RCV.NXT-1 is only outside the window. */
static void test_rst_rcvnxt_minus_1_no_fin(void **state)
{
    (void)state;
    fx_start();
    establish(4001, 100, false);
    struct wire_tcp rst = seg_mk(4001, 80, TCP_RST, 100, 0);
    feed(&rst);
    assert_string_equal(F.v.rule_id, "rfc5961-3.2-outside");
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
}

/* ---------------------------------------------------------------- TIME-WAIT */

/* Linux tw_snd_nxt + 65535 + 2, 0 skipped. (The simulator's servers never close first, so
 * no scenario reaches a TIME-WAIT on a listening port: the value is tested here.) */
static void test_timewait_reuse_isn(void **state)
{
    (void)state;
    assert_int_equal(tcp_tw_reuse_isn(1000), 1000u + 65537u);
    assert_int_equal(tcp_tw_reuse_isn(0xFFFFFFFFu - 65536u), 1u);   /* would be 0 */
    assert_int_equal(tcp_tw_reuse_isn(0xFFFFFFFFu), 65536u);
}

/* An active close into TIME-WAIT; returns the connection id, *rn: the peer's next seq. */
static int to_timewait(uint16_t *sp, uint32_t *iss, uint32_t *rn)
{
    F.p.opt_ts = false;
    fx_start();
    int id = active_open(iss, sp);
    struct wire_ipv4 ip = { .src = PEER, .dst = ME };
    struct wire_tcp sa = seg_mk(80, *sp, TCP_SYN | TCP_ACK, 7000, *iss + 1);
    tcp_input(F.th, &F.io, &ip, &sa, &F.v);
    tcp_close(F.th, &F.io, id);
    struct wire_tcp fin = seg_mk(80, *sp, TCP_FIN | TCP_ACK, 7001, *iss + 2);
    tcp_input(F.th, &F.io, &ip, &fin, &F.v);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
    *rn = 7002;
    return id;
}

static void test_timewait_rst_in_window_ends_it(void **state)
{
    (void)state;
    uint16_t sp;
    uint32_t iss, rn;
    int id = to_timewait(&sp, &iss, &rn);
    struct wire_tcp rst = seg_mk(80, sp, TCP_RST, rn, 0);
    int mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule_id, "linux-timewait-rst");
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
}

static void test_timewait_rst_elsewhere_dropped(void **state)
{
    (void)state;
    uint16_t sp;
    uint32_t iss, rn;
    int id = to_timewait(&sp, &iss, &rn);
    struct wire_tcp rst = seg_mk(80, sp, TCP_RST, rn + 1000, 0);
    int mark = F.r.n;
    feed(&rst);
    assert_int_equal(sent_since(mark), 0);             /* never re-ACKed */
    assert_string_equal(F.v.rule_id, "linux-timewait-rst-oow");
    assert_int_equal(tcp_conn_state(F.th, id), TCP_TIME_WAIT);
}

/* ---------------------------------------------------------------- window edges */

/* Linux tcp_sequence: acceptable when END.SEQ >= RCV.WUP and SEQ <= RCV.NXT + RCV.WND;
 * a bare ACK exactly at the right edge is in, one byte past it is answered with an ACK. */
static void test_window_right_edge(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss = establish(4100, 100, false);
    struct tcp_tcb *t = first_tcb();
    uint32_t right = t->rcv_wup + t->rcv_wnd;
    struct wire_tcp a = seg_mk(4100, 80, TCP_ACK, right, iss + 1);
    int mark = F.r.n;
    feed(&a);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule_id, "rfc793-3.9-ack");
    struct wire_tcp b = seg_mk(4100, 80, TCP_ACK, right + 1, iss + 1);
    feed(&b);
    assert_int_equal(sent_since(mark), 1);
    assert_string_equal(F.v.rule_id, "rfc793-3.4-case3");
}

/* The request socket (tcp_check_req's tcp_in_window): a zero-length segment past the right
 * edge is outside, answered from the control socket (DF, IP-ID 0), the half-open kept. */
static void test_request_socket_right_edge(void **state)
{
    (void)state;
    fx_start();
    struct wire_tcp syn = seg_mk(4200, 80, TCP_SYN, 100, 0);
    const struct wire_tcp *sa = feed(&syn);
    assert_non_null(sa);
    struct tcp_tcb *t = first_tcb();
    struct wire_tcp a = seg_mk(4200, 80, TCP_ACK, t->rcv_nxt + t->rcv_wnd + 5, sa->seq + 1);
    int mark = F.r.n;
    feed(&a);
    assert_int_equal(sent_since(mark), 1);
    assert_string_equal(F.v.rule_id, "linux-check-req-oow");
    assert_int_equal(F.v.state_after, TCP_SYN_RECEIVED);
    assert_true(F.r.ii[mark].df);
    assert_int_equal(F.r.ii[mark].ipid, 0);
}

/* ---------------------------------------------------------------- SYN-SENT */

/* RFC 793 3.9: ISS < SEG.ACK <= SND.NXT; a SYN-ACK acknowledging only ISS is unacceptable:
 * a RST (SEQ=SEG.ACK) and the connect goes on. */
static void test_synsent_ack_of_iss(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sp;
    int id = active_open(&iss, &sp);
    struct wire_tcp sa = seg_mk(80, sp, TCP_SYN | TCP_ACK, 5000, iss);
    int mark = F.r.n;
    const struct wire_tcp *o = feed(&sa);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(o->flags, TCP_RST);
    assert_int_equal(o->seq, iss);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_SYN_SENT);
}

/* ---------------------------------------------------------------- the 500 ms limit */

/* A retransmitted SYN gets the SYN-ACK again, but not twice within 500 ms (Linux
 * tcp_oow_rate_limited: only data segments without SYN are exempt). */
static void test_retransmitted_syn_limited(void **state)
{
    (void)state;
    fx_start();
    struct wire_tcp syn = seg_mk(4300, 80, TCP_SYN, 100, 0);
    feed(&syn);
    F.io.now_ns = 100 * MS;
    int mark = F.r.n;
    feed(&syn);
    assert_int_equal(sent_since(mark), 1);
    assert_string_equal(F.v.rule_id, "linux-check-req-syn");
    F.io.now_ns = 200 * MS;
    feed(&syn);
    assert_int_equal(sent_since(mark), 1);
    assert_string_equal(F.v.rule_id, "linux-check-req-syn-limited");
}

/* ---------------------------------------------------------------- ICMP rate mask */

/* Linux icmp_ratemask 0x1818: types 3, 4, 11, 12 are limited, fragmentation-needed is not,
 * nor any query or reply. */
static void test_icmp_ratemask(void **state)
{
    (void)state;
    for (int type = 0; type < 256; type++) {
        bool want = type == 3 || type == 4 || type == 11 || type == 12;
        assert_int_equal(host_icmp_limited((uint8_t)type, 1), want);
    }
    assert_false(host_icmp_limited(3, 4));        /* fragmentation needed */
    assert_true(host_icmp_limited(3, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rst_rcvnxt_minus_1),
        T(test_rst_rcvnxt_minus_2),
        T(test_rst_rcvnxt_minus_1_no_fin),
        cmocka_unit_test(test_timewait_reuse_isn),
        T(test_timewait_rst_in_window_ends_it),
        T(test_timewait_rst_elsewhere_dropped),
        T(test_window_right_edge),
        T(test_request_socket_right_edge),
        T(test_synsent_ack_of_iss),
        T(test_retransmitted_syn_limited),
        cmocka_unit_test(test_icmp_ratemask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
