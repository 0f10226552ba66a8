/* test_gen.c — ISN and IP-ID generators against the reference numbers
 * (docs/facts/stacks.md sections 1 and 2, docs/facts/nmap.md section 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/gen.h"

static const uint64_t MS = 1000000ULL, SEC = 1000000000ULL;
static const uint32_t A = 0xC6336414, B = 0xC633641E; /* 198.51.100.20, .30 */

static void isn_init(struct gen_isn *g, enum gen_isn_kind k, uint32_t param)
{
    struct gen_isn_cfg c = { k, param };
    gen_isn_init(g, &c, 42, "zombie");
}

/* The Mitnick trace: probes 0.5 s apart, each +128000 = one tick + one connection. */
static void test_bsd64k_mitnick(void **state)
{
    (void)state;
    struct gen_isn g;
    isn_init(&g, GEN_ISN_BSD64K, 0);
    uint32_t prev = gen_isn_next(&g, 0, A, 513, B, 1000);
    assert_int_equal(prev % 64000, 0);
    for (int i = 1; i <= 20; i++) {
        uint32_t isn = gen_isn_next(&g, (uint64_t)i * 500 * MS, A, 513, B, (uint16_t)(1000 + i));
        assert_int_equal(isn - prev, 128000);
        assert_int_equal(isn % 64000, 0);
        prev = isn;
    }
    /* Two connections inside one tick: +64000 only. 0.25 s later: still no tick. */
    uint32_t a = gen_isn_next(&g, 10250 * MS, A, 1, B, 2);
    uint32_t b = gen_isn_next(&g, 10499 * MS, A, 1, B, 3);
    assert_int_equal(a - prev, 64000);
    assert_int_equal(b - a, 64000);
    /* From 10.499 s to 12 s four ticks pass (at 10.5, 11, 11.5, 12 s), plus b's own
     * connection increment: 5 * 64000. */
    uint32_t c = gen_isn_next(&g, 12 * SEC, A, 1, B, 4);
    assert_int_equal(c - b, 5 * 64000);
}

/* RFC 793: floor(t_us / 4), wrapping modulo 2^32 (~4.55 h). */
static void test_clock250k(void **state)
{
    (void)state;
    struct gen_isn g;
    isn_init(&g, GEN_ISN_CLOCK250K, 0);
    assert_int_equal(gen_isn_next(&g, 12345678ULL * 1000, A, 1, B, 2), 3086419);
    assert_int_equal(gen_isn_next(&g, 12345679ULL * 1000 + 999, A, 1, B, 2), 3086419);
    assert_int_equal(gen_isn_next(&g, 12345680ULL * 1000, A, 1, B, 2), 3086420);
    assert_int_equal(gen_isn_next(&g, (4294967296ULL * 4 + 8) * 1000, A, 1, B, 2), 2);
}

static void test_random_inc_bounds(void **state)
{
    (void)state;
    struct gen_isn g;
    isn_init(&g, GEN_ISN_RANDOM_INC, 800);
    uint32_t prev = gen_isn_next(&g, 0, A, 1, B, 2), lo = UINT32_MAX, hi = 0;
    for (int i = 0; i < 5000; i++) {
        uint32_t isn = gen_isn_next(&g, (uint64_t)i * MS, A, 1, B, 2), d = isn - prev;
        assert_in_range(d, 1, 800);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        prev = isn;
    }
    assert_true(lo <= 5 && hi >= 795); /* the whole range is used */
    isn_init(&g, GEN_ISN_RANDOM_INC, 0); /* default MAX 64000 */
    prev = gen_isn_next(&g, 0, A, 1, B, 2);
    for (int i = 0; i < 1000; i++) {
        uint32_t isn = gen_isn_next(&g, 0, A, 1, B, 2);
        assert_in_range(isn - prev, 1, 64000);
        prev = isn;
    }
}

/* Linux 4.11+: same 4-tuple -> the ISN advances with the 64 ns clock only. */
static void test_rfc6528(void **state)
{
    (void)state;
    struct gen_isn g;
    isn_init(&g, GEN_ISN_RFC6528, 0);
    uint32_t a = gen_isn_next(&g, 1 * SEC, A, 80, B, 40000);
    uint32_t b = gen_isn_next(&g, 1 * SEC + 100 * MS, A, 80, B, 40000);
    assert_int_equal(b - a, 1562500); /* 1.1e9 >> 6 - 1e9 >> 6 */
    uint32_t c = gen_isn_next(&g, 1 * SEC + 100 * MS + 64, A, 80, B, 40000);
    assert_int_equal(c - b, 1);
    /* A new source port: an unrelated value, not a clock step away. */
    uint32_t d = gen_isn_next(&g, 1 * SEC + 100 * MS, A, 80, B, 40001);
    assert_true(d - b > 100000000u && b - d > 100000000u);
    /* The orientation matters: the server's view is not the client's. */
    assert_int_not_equal(gen_isn_next(&g, SEC, B, 40000, A, 80), a);
    /* peek == next, and peeking changes nothing. */
    assert_int_equal(gen_isn_peek(&g, 5 * SEC, A, 80, B, 1), gen_isn_next(&g, 5 * SEC, A, 80, B, 1));
    /* Same seed and host -> same key; another host -> another key. */
    struct gen_isn h, o;
    isn_init(&h, GEN_ISN_RFC6528, 0);
    assert_int_equal(gen_isn_next(&h, 1 * SEC, A, 80, B, 40000), a);
    struct gen_isn_cfg cfg = { GEN_ISN_RFC6528, 0 };
    gen_isn_init(&o, &cfg, 42, "target");
    assert_int_not_equal(gen_isn_next(&o, 1 * SEC, A, 80, B, 40000), a);
}

static void test_isn_peek_all(void **state)
{
    (void)state;
    for (int k = GEN_ISN_CONSTANT; k <= GEN_ISN_RANDOM; k++) {
        struct gen_isn g;
        isn_init(&g, (enum gen_isn_kind)k, k == GEN_ISN_CONSTANT ? 0xdeadbeef : 0);
        for (int i = 0; i < 50; i++) {
            uint64_t t = (uint64_t)i * 300 * MS;
            uint32_t p1 = gen_isn_peek(&g, t, A, 80, B, (uint16_t)i);
            uint32_t p2 = gen_isn_peek(&g, t, A, 80, B, (uint16_t)i);
            assert_int_equal(p1, p2);
            assert_int_equal(p1, gen_isn_next(&g, t, A, 80, B, (uint16_t)i));
        }
        if (k == GEN_ISN_CONSTANT)
            assert_int_equal(gen_isn_next(&g, 7 * SEC, A, 1, B, 2), 0xdeadbeef);
    }
}

static void ipid_init(struct gen_ipid *g, enum gen_ipid_kind k, uint32_t param, bool model2014)
{
    struct gen_ipid_cfg c = { k, param, 1000, model2014 };
    assert_int_equal(gen_ipid_init(g, &c, 7, "target"), 0);
}

/* ip_idents_reserve: +1 inside a jiffy; after g idle jiffies a jump in [0, g). */
static void test_hashed_jiffy_and_jump(void **state)
{
    (void)state;
    struct gen_ipid g;
    ipid_init(&g, GEN_IPID_HASHED, 2048, false);
    int jumped = 0;
    uint64_t t = 5 * SEC;
    uint16_t prev = gen_ipid_next(&g, t, B, A, 1, false);
    for (int trial = 0; trial < 200; trial++) {
        uint16_t same = gen_ipid_next(&g, t + 500000, B, A, 1, false); /* same 1 ms jiffy */
        assert_int_equal((uint16_t)(same - prev), 1);
        uint32_t gap = 1 + (uint32_t)trial % 40;
        t += gap * MS;
        uint16_t next = gen_ipid_next(&g, t, B, A, 1, false);
        uint16_t jump = (uint16_t)(next - same - 1);
        assert_true(jump < gap);
        jumped += jump > 0;
        prev = next;
    }
    assert_true(jumped > 100); /* the random jump exists */
    assert_int_equal(gen_ipid_next(&g, t, B, A, 6, true), 0); /* DF -> 0 */
    assert_int_equal(gen_ipid_counter(&g, B, A, 1), (uint16_t)(prev + 1));
    gen_ipid_free(&g);
}

/* A bucket's jumps are its own: traffic to other buckets in between (which a real host's
 * random draws would not reveal) leaves this bucket's IDs exactly as they were. */
static void test_hashed_jump_keyed_per_bucket(void **state)
{
    (void)state;
    struct gen_ipid quiet, busy;
    ipid_init(&quiet, GEN_IPID_HASHED, 2048, false);
    ipid_init(&busy, GEN_IPID_HASHED, 2048, false);
    uint32_t mine = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t t = (uint64_t)(2 + i) * 37 * MS;
        uint16_t a = gen_ipid_next(&quiet, t, B, A, 1, false);
        for (uint32_t other = 1; other < 30; other++)   /* other destinations, other buckets */
            if (gen_ipid_counter(&busy, B, A + other, 1) != gen_ipid_counter(&busy, B, A, 1))
                gen_ipid_next(&busy, t - 5 * MS, B, A + other, 1, false);
        uint16_t b = gen_ipid_next(&busy, t, B, A, 1, false);
        assert_int_equal(a, b);
        mine++;
    }
    assert_int_equal(mine, 100);
    gen_ipid_free(&quiet);
    gen_ipid_free(&busy);
}

static void test_hashed_model2014(void **state)
{
    (void)state;
    struct gen_ipid g;
    ipid_init(&g, GEN_IPID_HASHED, 2048, true);
    uint16_t prev = gen_ipid_next(&g, 3 * SEC, B, A, 1, false);
    for (int i = 1; i < 300; i++) {
        /* Idle gaps, other sources and protocols: daddr-only bucket, never a jump. */
        uint16_t id = gen_ipid_next(&g, 3 * SEC + (uint64_t)i * 37 * MS, (uint32_t)i, A,
                                    (uint8_t)(i % 2 ? 6 : 1), false);
        assert_int_equal((uint16_t)(id - prev), 1);
        prev = id;
    }
    gen_ipid_free(&g);
}

/* OpenBSD ip_randomid: no repeat within 32768 IDs, never 0. */
static void test_random_no_repeat(void **state)
{
    (void)state;
    struct gen_ipid g;
    ipid_init(&g, GEN_IPID_RANDOM, 0, false);
    static uint32_t last_seen[65536];
    memset(last_seen, 0, sizeof last_seen);
    int big_diffs = 0;
    uint16_t prev = 0;
    for (uint32_t i = 1; i <= 200000; i++) {
        uint16_t id = gen_ipid_next(&g, 0, B, A, 6, false);
        assert_int_not_equal(id, 0);
        if (last_seen[id])
            assert_true(i - last_seen[id] >= 32768);
        last_seen[id] = i;
        big_diffs += (uint16_t)(id - prev) > 20000;
        prev = id;
    }
    assert_true(big_diffs > 100000); /* nmap would class it RD */
    assert_int_equal(gen_ipid_counter(&g, B, A, 6), -1);
    gen_ipid_free(&g);
}

/* Old Windows: the wire value rises by 256, carries go into the low byte. */
static void test_global_swapped(void **state)
{
    (void)state;
    struct gen_ipid g;
    ipid_init(&g, GEN_IPID_GLOBAL_SWAPPED, 0, false);
    uint16_t prev = gen_ipid_next(&g, 0, B, A, 6, false);
    int d256 = 0, carries = 0;
    for (int i = 0; i < 2000; i++) {
        uint16_t peek = (uint16_t)gen_ipid_counter(&g, B, A, 6);
        uint16_t id = gen_ipid_next(&g, 0, (uint32_t)i, (uint32_t)i * 7, 17, false);
        assert_int_equal(id, peek);
        uint16_t d = (uint16_t)(id - prev);
        if (d == 256)
            d256++;
        else if ((prev >> 8) == 0xFF) { /* host counter low byte wrapped */
            assert_int_equal(d, 0x0101);
            carries++;
        } else
            fail_msg("delta %u", d);
        prev = id;
    }
    assert_true(d256 >= 1990 && carries >= 7);
    gen_ipid_free(&g);
}

static void test_global_step_and_zero(void **state)
{
    (void)state;
    struct gen_ipid g;
    ipid_init(&g, GEN_IPID_GLOBAL, 2, false);
    uint16_t prev = gen_ipid_next(&g, 0, B, A, 6, true);
    for (int i = 0; i < 100; i++) {
        uint16_t id = gen_ipid_next(&g, (uint64_t)i * SEC, B, (uint32_t)i, (uint8_t)(i & 1 ? 1 : 6), i & 1);
        assert_int_equal((uint16_t)(id - prev), 2); /* any destination, protocol, DF */
        prev = id;
    }
    gen_ipid_free(&g);
    ipid_init(&g, GEN_IPID_ZERO, 0, false);
    uint16_t a = gen_ipid_next(&g, 0, B, A, 17, false);
    assert_int_equal(gen_ipid_next(&g, 0, B, A, 6, true), 0);
    assert_int_equal(gen_ipid_next(&g, 0, B, 9, 1, false), (uint16_t)(a + 1));
    gen_ipid_free(&g);
}

static void test_per_dest(void **state)
{
    (void)state;
    struct gen_ipid g;
    ipid_init(&g, GEN_IPID_PER_DEST, 0, false);
    int32_t first = gen_ipid_counter(&g, B, A, 6);
    uint16_t a0 = gen_ipid_next(&g, 0, B, A, 6, false);
    assert_int_equal(a0, first); /* the keyed hash of the destination */
    uint16_t c0 = gen_ipid_next(&g, 0, B, 0x0A000001, 6, false);
    assert_int_not_equal(c0, (uint16_t)(a0 + 1));
    /* Thousands of other destinations (the table grows) do not move A's counter. */
    for (uint32_t d = 1; d <= 5000; d++)
        gen_ipid_next(&g, 0, B, 0x0B000000 + d, 6, false);
    assert_int_equal(gen_ipid_next(&g, 0, B, A, 1, false), (uint16_t)(a0 + 1));
    assert_int_equal(gen_ipid_next(&g, 0, B, 0x0A000001, 6, false), (uint16_t)(c0 + 1));
    assert_int_equal(g.ndests, 5002);
    gen_ipid_free(&g);
}

static void test_parse(void **state)
{
    (void)state;
    struct gen_isn_cfg ic = { GEN_ISN_RANDOM, 9 };
    assert_int_equal(gen_isn_parse("constant:5", &ic), 0);
    assert_int_equal(ic.kind, GEN_ISN_CONSTANT);
    assert_int_equal(ic.param, 5);
    assert_int_equal(gen_isn_parse("random-inc:800", &ic), 0);
    assert_int_equal(ic.kind, GEN_ISN_RANDOM_INC);
    assert_int_equal(ic.param, 800);
    assert_int_equal(gen_isn_parse("random-inc", &ic), 0);
    assert_int_equal(ic.param, 64000);
    assert_int_equal(gen_isn_parse("constant", &ic), 0);
    assert_int_equal(ic.param, 0);
    assert_int_equal(gen_isn_parse("bsd64k", &ic), 0);
    assert_int_equal(ic.kind, GEN_ISN_BSD64K);
    const char *bad_isn[] = { "bsd64k:5", "random-inc:0", "constant:", "constant:4294967296",
                              "constant:-1", "clock", "RANDOM", "rfc6528 ", "" };
    for (size_t i = 0; i < sizeof bad_isn / sizeof *bad_isn; i++) {
        assert_int_equal(gen_isn_parse(bad_isn[i], &ic), -1);
        assert_int_equal(ic.kind, GEN_ISN_BSD64K); /* unchanged */
    }
    struct gen_ipid_cfg pc = { GEN_IPID_ZERO, 0, 0, false };
    assert_int_equal(gen_ipid_parse("global:2", &pc), 0);
    assert_int_equal(pc.kind, GEN_IPID_GLOBAL);
    assert_int_equal(pc.param, 2);
    assert_int_equal(gen_ipid_parse("hashed:4096", &pc), 0);
    assert_int_equal(pc.kind, GEN_IPID_HASHED);
    assert_int_equal(pc.param, 4096);
    assert_int_equal(pc.hz, 1000);
    assert_false(pc.model2014);
    assert_int_equal(gen_ipid_parse("hashed", &pc), 0);
    assert_int_equal(pc.param, 2048);
    assert_int_equal(gen_ipid_parse("hashed-2014:8", &pc), 0);   /* the attack's model */
    assert_int_equal(pc.kind, GEN_IPID_HASHED);
    assert_int_equal(pc.param, 8);
    assert_true(pc.model2014);
    assert_int_equal(gen_ipid_parse("global-swapped", &pc), 0);
    assert_int_equal(pc.kind, GEN_IPID_GLOBAL_SWAPPED);
    const char *bad_ipid[] = { "global:0", "global:65536", "hashed:0", "hashed:262145", "per-dest:3",
                               "zero:1", "globals", "global:", "" };
    for (size_t i = 0; i < sizeof bad_ipid / sizeof *bad_ipid; i++) {
        assert_int_equal(gen_ipid_parse(bad_ipid[i], &pc), -1);
        assert_int_equal(pc.kind, GEN_IPID_GLOBAL_SWAPPED);
    }
    assert_string_equal(gen_isn_name(GEN_ISN_RANDOM_INC), "random-inc");
    assert_string_equal(gen_ipid_name(GEN_IPID_PER_DEST), "per-dest");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bsd64k_mitnick),
        cmocka_unit_test(test_clock250k),
        cmocka_unit_test(test_random_inc_bounds),
        cmocka_unit_test(test_rfc6528),
        cmocka_unit_test(test_isn_peek_all),
        cmocka_unit_test(test_hashed_jiffy_and_jump),
        cmocka_unit_test(test_hashed_jump_keyed_per_bucket),
        cmocka_unit_test(test_hashed_model2014),
        cmocka_unit_test(test_random_no_repeat),
        cmocka_unit_test(test_global_swapped),
        cmocka_unit_test(test_global_step_and_zero),
        cmocka_unit_test(test_per_dest),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
