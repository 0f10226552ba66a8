/* test_tcp_oow.c — Linux's per-socket limit on answers to out-of-window segments, by kernel
 * era: one duplicate ACK (or PAWS duplicate ACK, or repeated SYN-ACK) per socket per 500 ms
 * (tcp_oow_rate_limited, net.ipv4.tcp_invalid_ratelimit) since Linux 4.0 (032ee4236954,
 * f2b2c582e824, a9b2c06dbef4), none in the 3.6-3.19 era (docs/facts/offpath.md section 5).
 * The challenge-ACK side of the same limit is in test_tcp_rst.c. Fixture: tcp_fixture.h.
 */
#include "tests/unit/tcp_fixture.h"

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

/* n copies of seg, step apart from t0: how many the host answered. */
static int count_answers(const struct wire_tcp *seg, int n, uint64_t t0, uint64_t step)
{
    int got = 0;
    for (int i = 0; i < n; i++) {
        F.io.now_ns = t0 + (uint64_t)i * step;
        int mark = F.r.n;
        feed(seg);
        got += sent_since(mark);
    }
    return got;
}

/* A pure ACK far beyond the window of connection sport (client ISN 1000: RCV.NXT 1001). */
static struct wire_tcp oow_ack(uint16_t sport, uint32_t iss)
{
    return seg_mk(sport, 80, TCP_ACK, 1001 + 200000, iss + 1);
}

/* 20 out-of-window ACKs 10 ms apart, then one 600 ms after the first: answered per era. */
static void check_oow_dupacks(const char *name, int want, const char *last_id)
{
    if (name)
        era(name);
    fx_start();
    uint32_t iss = establish(7500, 1000, false);
    struct wire_tcp a = oow_ack(7500, iss);
    assert_int_equal(count_answers(&a, 20, 2 * SEC, 10 * MS), want);
    assert_string_equal(F.v.rule_id, last_id);
    /* the answers are duplicate ACKs <SEQ=SND.NXT><ACK=RCV.NXT> */
    assert_int_equal(F.r.seg[F.r.n - 1].flags, TCP_ACK);
    assert_int_equal(F.r.seg[F.r.n - 1].ack, 1001);
    assert_int_equal(count_answers(&a, 1, 2 * SEC + 600 * MS, 0), 1);
    /* data segments are exempt in every era: each old retransmission is answered */
    struct wire_tcp old = seg_mk(7500, 80, TCP_ACK | TCP_PSH, 1001 - 100, iss + 1);
    old.payload_len = 10;
    assert_int_equal(count_answers(&old, 5, 4 * SEC, 10 * MS), 5);
}

static void test_oow_linux36_unlimited(void **state)
{
    (void)state;
    check_oow_dupacks("linux-3.6", 20, "rfc793-3.4-case3");
}

static void test_oow_linux40_limited(void **state)
{
    (void)state;
    check_oow_dupacks("linux-4.0", 1, "linux-oow-rate-limited");
}

static void test_oow_linux47_limited(void **state)
{
    (void)state;
    check_oow_dupacks("linux-4.7", 1, "linux-oow-rate-limited");
}

static void test_oow_linux60_limited(void **state)
{
    (void)state;
    check_oow_dupacks("linux-6.0", 1, "linux-oow-rate-limited");
}

/* `os linux` without an era is the 6.x kernel tests/live measures: limited. */
static void test_oow_default_limited(void **state)
{
    (void)state;
    check_oow_dupacks(NULL, 1, "linux-oow-rate-limited");
}

/* PAWS: an in-window ACK whose TSval is older than TS.Recent gets a duplicate ACK, limited
 * like the others from 4.0 (LINUX_MIB_TCPACKSKIPPEDPAWS), not in 3.6-3.19. */
static void check_paws(const char *name, int want, const char *last_id)
{
    era(name);
    fx_start();
    uint32_t iss = establish(7600, 1000, true);
    struct wire_tcp a = seg_mk(7600, 80, TCP_ACK, 1001, iss + 1);
    uint8_t tsonly[] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS };
    memcpy(a.opt.order, tsonly, sizeof tsonly);
    a.opt.n = sizeof tsonly;
    a.opt.has_ts = true;
    a.opt.tsval = 700;          /* the SYN's was 777: older */
    assert_int_equal(count_answers(&a, 10, 2 * SEC, 20 * MS), want);
    assert_string_equal(F.v.rule_id, last_id);
}

static void test_paws_linux36(void **state)
{
    (void)state;
    check_paws("linux-3.6", 10, "rfc7323-5.3-paws");
}

static void test_paws_linux40(void **state)
{
    (void)state;
    check_paws("linux-4.0", 1, "linux-oow-rate-limited-paws");
}

/* A request socket (SYN-RECEIVED) answers a retransmitted SYN with its SYN-ACK again, at
 * most once per 500 ms from 4.0 (a9b2c06dbef4, LINUX_MIB_TCPACKSKIPPEDSYNRECV): the first
 * retransmission is answered (nothing was rate limited before it), the next three, 50 ms
 * apart, are not. */
static void check_syn_again(const char *name, int want, const char *last_id)
{
    era(name);
    fx_start();
    struct wire_tcp syn = seg_mk(7700, 80, TCP_SYN, 5000, 0);
    F.io.now_ns = 1 * SEC;
    assert_non_null(feed(&syn));
    assert_int_equal(count_answers(&syn, 4, 1 * SEC + 50 * MS, 50 * MS), want);
    assert_string_equal(F.v.rule_id, last_id);
}

static void test_req_syn_linux36(void **state)
{
    (void)state;
    check_syn_again("linux-3.6", 4, "linux-check-req-syn");
}

static void test_req_syn_linux40(void **state)
{
    (void)state;
    check_syn_again("linux-4.0", 1, "linux-check-req-syn-limited");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_oow_linux36_unlimited),
        T(test_oow_linux40_limited),
        T(test_oow_linux47_limited),
        T(test_oow_linux60_limited),
        T(test_oow_default_limited),
        T(test_paws_linux36),
        T(test_paws_linux40),
        T(test_req_syn_linux36),
        T(test_req_syn_linux40),
    };
    return cmocka_run_group_tests_name("tcp_oow", tests, NULL, NULL);
}
