/* test_rng.c — lib/rng: SipHash-2-4 against the reference vectors of Aumasson & Bernstein
 * (vectors.h of the reference implementation: key 00..0f, message 00..len-1), xoshiro256**
 * against its reference outputs, and the properties the simulator relies on: named streams
 * are independent and reproducible, bounded draws stay in bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/rng.h"

static void key_and_msg(uint8_t key[16], uint8_t msg[64])
{
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
}

static void test_siphash_reference_vectors(void **state)
{
    (void)state;
    uint8_t key[16], msg[64];
    key_and_msg(key, msg);
    assert_int_equal(siphash24(key, msg, 0), 0x726fdb47dd0e0e31ULL);
    assert_int_equal(siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
    /* vectors.h entries 1, 8 (one full block, then the length block) and 63. */
    assert_int_equal(siphash24(key, msg, 1), 0x74f839c593dc67fdULL);
    assert_int_equal(siphash24(key, msg, 8), 0x93f5f5799a932462ULL);
    assert_int_equal(siphash24(key, msg, 63), 0x958a324ceb064572ULL);
    /* A different key gives a different value. */
    key[0] ^= 1;
    assert_int_not_equal(siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
}

static void test_fnv1a64(void **state)
{
    (void)state;
    assert_int_equal(fnv1a64(""), 0xcbf29ce484222325ULL);
    assert_int_equal(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
    assert_int_equal(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

static void test_xoshiro_reference(void **state)
{
    (void)state;
    /* xoshiro256** from state {1,2,3,4}: the reference C code's first outputs. */
    struct rng r = {{1, 2, 3, 4}};
    assert_int_equal(rng_next(&r), 11520);
    assert_int_equal(rng_next(&r), 0);
    assert_int_equal(rng_next(&r), 1509978240);
    assert_int_equal(rng_next(&r), 1215971899390074240ULL);
}

static void test_streams_deterministic_and_independent(void **state)
{
    (void)state;
    struct rng a, b, c, d;
    rng_seed(&a, 42, "loss");
    rng_seed(&b, 42, "loss");
    rng_seed(&c, 42, "isn");
    rng_seed(&d, 43, "loss");
    uint64_t va[64], vc[64], vd[64];
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 64; i++) {
        va[i] = rng_next(&a);
        assert_int_equal(va[i], rng_next(&b)); /* same seed and name: same sequence */
        vc[i] = rng_next(&c);
        vd[i] = rng_next(&d);
        same_c += va[i] == vc[i];
        same_d += va[i] == vd[i];
    }
    assert_int_equal(same_c, 0);
    assert_int_equal(same_d, 0);
    /* Drawing from one stream does not move another. */
    struct rng x, y;
    rng_seed(&x, 42, "isn");
    for (int i = 0; i < 1000; i++)
        rng_next(&a);
    rng_seed(&y, 42, "isn");
    assert_int_equal(rng_next(&x), vc[0]);
    assert_int_equal(rng_next(&y), vc[0]);
}

static void test_below_and_range_bounds(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 1, "bounds");
    static const uint32_t ns[] = {1, 2, 3, 7, 10, 1000, 0x80000001u, UINT32_MAX};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
        for (int i = 0; i < 10000; i++)
            assert_true(rng_below(&r, ns[k]) < ns[k]);
    assert_int_equal(rng_below(&r, 0), 0);
    assert_int_equal(rng_below(&r, 1), 0);
    /* Uniform enough: 100000 draws into 10 buckets, each within 5% of 10000. The seed is
     * fixed, so this is a fixed computation, not a flaky statistical test. */
    unsigned bucket[10] = {0};
    for (int i = 0; i < 100000; i++)
        bucket[rng_below(&r, 10)]++;
    for (int i = 0; i < 10; i++) {
        assert_true(bucket[i] > 9500);
        assert_true(bucket[i] < 10500);
    }
    /* rng_range is inclusive at both ends. */
    int seen_lo = 0, seen_hi = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t v = rng_range(&r, 5, 8);
        assert_true(v >= 5 && v <= 8);
        seen_lo |= v == 5;
        seen_hi |= v == 8;
    }
    assert_true(seen_lo && seen_hi);
    assert_int_equal(rng_range(&r, 9, 9), 9);
    assert_int_equal(rng_range(&r, 9, 3), 9);
    /* Probabilities in parts per million. */
    int hits = 0;
    for (int i = 0; i < 10000; i++) {
        assert_false(rng_chance_ppm(&r, 0));
        assert_true(rng_chance_ppm(&r, 1000000));
        hits += rng_chance_ppm(&r, 250000);
    }
    assert_true(hits > 2300 && hits < 2700);
}

static void test_bytes(void **state)
{
    (void)state;
    struct rng a, b;
    rng_seed(&a, 7, "bytes");
    rng_seed(&b, 7, "bytes");
    uint8_t buf[13];
    rng_bytes(&a, buf, sizeof buf);
    uint64_t w0 = rng_next(&b), w1 = rng_next(&b);
    for (int i = 0; i < 8; i++)
        assert_int_equal(buf[i], (uint8_t)(w0 >> (8 * i)));
    for (int i = 0; i < 5; i++)
        assert_int_equal(buf[8 + i], (uint8_t)(w1 >> (8 * i)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_reference_vectors),
        cmocka_unit_test(test_fnv1a64),
        cmocka_unit_test(test_xoshiro_reference),
        cmocka_unit_test(test_streams_deterministic_and_independent),
        cmocka_unit_test(test_below_and_range_bounds),
        cmocka_unit_test(test_bytes),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
