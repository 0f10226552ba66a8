/* test_seq.c — nmap's SEQ arithmetic (scanner/seq.c) against the values in
 * docs/facts/nmap.md section 4: GCD/ISR/SP for known ISN schemes, the IP-ID class
 * rules in order, the difficulty labels and the idle-scan distance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/rng.h"
#include "scanner/seq.h"

static const uint64_t t100[6] = {0, 100000000, 200000000, 300000000, 400000000, 500000000};

static void isn_step(uint32_t *isn, uint32_t first, uint32_t step)
{
    for (int i = 0; i < 6; i++) isn[i] = first + step * (uint32_t)i;
}

static void test_constant_isn(void **st)
{
    (void)st;
    uint32_t isn[6];
    isn_step(isn, 12345, 0);
    struct seq_result r;
    seq_analyze(&r, isn, t100, 6, NULL, 0);
    assert_true(r.done);
    assert_int_equal(r.gcd, 0);
    assert_int_equal(r.sp, 0);
    assert_int_equal(r.isr, 0);
    assert_string_equal(r.difficulty, "Trivial joke");
}

static void test_bsd64k(void **st)
{
    (void)st;
    uint32_t isn[6];
    isn_step(isn, 0xFFFF0000u, 64000); /* crosses 2^32: MOD_DIFF still gives 64000 */
    struct seq_result r;
    seq_analyze(&r, isn, t100, 6, NULL, 0);
    assert_int_equal(r.gcd, 0xFA00);
    assert_int_equal(r.sp, 0);
    assert_int_equal(r.isr, 0x9A); /* 8*log2(640000/s) = 154.3 */
}

static void test_clock250k(void **st)
{
    (void)st;
    uint32_t isn[6];
    isn_step(isn, 7, 25000); /* 250000/s at 100 ms spacing */
    struct seq_result r;
    seq_analyze(&r, isn, t100, 6, NULL, 0);
    assert_int_equal(r.gcd, 25000);
    assert_int_equal(r.isr, 143);
    assert_int_equal(r.sp, 0);
}

static void test_random_isn(void **st)
{
    (void)st;
    struct rng g;
    rng_seed(&g, 42, "test-isn");
    uint32_t isn[6];
    for (int i = 0; i < 6; i++) isn[i] = rng_u32(&g) | 1;
    struct seq_result r;
    seq_analyze(&r, isn, t100, 6, NULL, 0);
    assert_true(r.sp >= 16);
    assert_string_equal(r.difficulty, "Good luck!");
    assert_true(r.isr >= 0xF0 && r.isr <= 0x110);
}

static void test_zero_isn_is_no_reply(void **st)
{
    (void)st;
    uint32_t isn[6] = {1000, 0, 2000, 3000, 4000, 5000};
    struct seq_result r;
    seq_analyze(&r, isn, t100, 6, NULL, 0);
    assert_int_equal(r.nisn, 5);
    assert_int_equal(r.isn[1], 2000);
    /* 1000 per 100 ms except the gap over the lost reply: 1000 per 200 ms */
    assert_int_equal(r.gcd, 1000);
    uint32_t few[6] = {1000, 0, 0, 3000, 4000, 0};
    seq_analyze(&r, few, t100, 6, NULL, 0);
    assert_false(r.done); /* GCD/ISR/SP need 4 replies */
}

static void check_class(const uint16_t *ids, int n, enum seq_ipid_class want, const char *name,
                        const char *ti)
{
    assert_int_equal(seq_ipid_classify(ids, n), want);
    struct seq_result r;
    seq_analyze(&r, NULL, NULL, 0, ids, n);
    assert_string_equal(r.ipid_class, name);
    assert_string_equal(r.ti_code, ti);
}

static void test_ipid_classes(void **st)
{
    (void)st;
    const uint16_t inc[] = {1, 2, 3}, zero[] = {0, 0, 0}, bi[] = {256, 512, 768, 1024};
    const uint16_t con[] = {0x1A2B, 0x1A2B, 0x1A2B}, rd[] = {100, 30000, 60000};
    const uint16_t dec[] = {5, 4, 3}, ri[] = {100, 1200, 2400}, by2[] = {2, 4, 6, 8};
    const uint16_t unk[] = {1, 50, 100}, wrap[] = {65534, 65535, 1};
    check_class(inc, 3, SEQ_IPID_INCR, "Incremental", "I");
    check_class(zero, 3, SEQ_IPID_ZERO, "All zeros", "Z");
    check_class(bi, 4, SEQ_IPID_BI, "Broken little-endian incremental", "BI");
    check_class(con, 3, SEQ_IPID_CONSTANT, "Duplicated ipid (!)", "1A2B");
    check_class(rd, 3, SEQ_IPID_RD, "Randomized", "RD");
    check_class(dec, 3, SEQ_IPID_RD, "Randomized", "RD");   /* a decrease is a huge u32 jump */
    check_class(wrap, 3, SEQ_IPID_RD, "Randomized", "RD");  /* so is a 16-bit wrap */
    check_class(ri, 3, SEQ_IPID_RI, "Random positive increments", "RI");
    check_class(by2, 4, SEQ_IPID_INCR_BY_2, "Incrementing by 2", "I");
    check_class(unk, 3, SEQ_IPID_UNKNOWN, "Busy server or unknown class", "");
    /* rule 2 needs more than 2 samples: a lone jump of 30000 is RI, not RD */
    const uint16_t two[] = {0, 30000};
    assert_int_equal(seq_ipid_classify(two, 2), SEQ_IPID_RI);
    assert_int_equal(seq_ipid_classify(two, 1), SEQ_IPID_UNKNOWN);
    struct seq_result r;
    seq_analyze(&r, NULL, NULL, 0, two, 2);
    assert_false(r.ipid_done); /* the class line needs more than 2 IDs */
}

static void test_difficulty(void **st)
{
    (void)st;
    assert_string_equal(seq_difficulty(2), "Trivial joke");
    assert_string_equal(seq_difficulty(3), "Easy");
    assert_string_equal(seq_difficulty(10), "Medium");
    assert_string_equal(seq_difficulty(11), "Formidable");
    assert_string_equal(seq_difficulty(15), "Worthy challenge");
    assert_string_equal(seq_difficulty(16), "Good luck!");
}

static void test_distance(void **st)
{
    (void)st;
    assert_int_equal(seq_ipid_distance(SEQ_IPID_INCR, 100, 105), 5);
    assert_int_equal(seq_ipid_distance(SEQ_IPID_BI, 0x0100, 0x0600), 5);
    assert_int_equal(seq_ipid_distance(SEQ_IPID_INCR_BY_2, 10, 20), 5);
    assert_int_equal(seq_ipid_distance(SEQ_IPID_INCR, 65535, 2), -65533); /* no wrap, as nmap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_isn), cmocka_unit_test(test_bsd64k),
        cmocka_unit_test(test_clock250k),   cmocka_unit_test(test_random_isn),
        cmocka_unit_test(test_zero_isn_is_no_reply), cmocka_unit_test(test_ipid_classes),
        cmocka_unit_test(test_difficulty),  cmocka_unit_test(test_distance),
    };
    return cmocka_run_group_tests_name("seq", tests, NULL, NULL);
}
