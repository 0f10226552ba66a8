/* test_reasm.c — IPv4 fragment reassembly (sim/reasm.c) and fragmentation of a simulated
 * host's large replies (sim/host.c): RFC 791 3.2 and Linux's rules for odd fragments.
 */
#include "tests/unit/sim_fixture.h"

#include "sim/reasm.h"

static const uint32_t SRC = 0xC6120701u, DST = 0xC612071Eu;   /* 198.18.7.1 -> .30 */

/* Fragment of a datagram whose data is `data` (dlen bytes): bytes [off, off+n) with MF as
 * given, IP-ID id. Returns the fragment's length. */
static size_t frag(uint8_t *out, uint16_t id, const uint8_t *data, size_t off, size_t n, bool mf)
{
    /* By hand: a 20-byte header (protocol 253, RFC 3692 experimentation) then the slice. */
    out[0] = 0x45;
    out[1] = 0;
    size_t tl = WIRE_IPV4_HDR_MIN + n;
    out[2] = (uint8_t)(tl >> 8);
    out[3] = (uint8_t)tl;
    out[4] = (uint8_t)(id >> 8);
    out[5] = (uint8_t)id;
    uint16_t fo = (uint16_t)((mf ? 0x2000 : 0) | (off / 8));
    out[6] = (uint8_t)(fo >> 8);
    out[7] = (uint8_t)fo;
    out[8] = 64;
    out[9] = 253;
    out[10] = out[11] = 0;
    for (int i = 0; i < 4; i++) {
        out[12 + i] = (uint8_t)(SRC >> (24 - 8 * i));
        out[16 + i] = (uint8_t)(DST >> (24 - 8 * i));
    }
    uint16_t c = wire_csum_fold(wire_csum_add(0, out, WIRE_IPV4_HDR_MIN));
    out[10] = (uint8_t)(c >> 8);
    out[11] = (uint8_t)c;
    memcpy(out + WIRE_IPV4_HDR_MIN, data + off, n);
    return tl;
}

static uint8_t data[4000];

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    *state = reasm_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    reasm_free(*state);
    return 0;
}

static enum reasm_result add(struct reasm *r, uint64_t t, uint16_t id, size_t off, size_t n,
                             bool mf, const uint8_t **out, size_t *outlen)
{
    uint8_t f[WIRE_IPV4_HDR_MIN + 2048];
    size_t len = frag(f, id, data, off, n, mf);
    const char *why = NULL;
    enum reasm_result res = reasm_add(r, t, f, len, out, outlen, &why);
    assert_non_null(why);
    return res;
}

static void check_whole(const uint8_t *out, size_t outlen, size_t dlen)
{
    assert_int_equal(outlen, WIRE_IPV4_HDR_MIN + dlen);
    struct wire_ipv4 ip;
    assert_int_equal(wire_ipv4_parse(out, outlen, &ip), WIRE_OK);
    assert_true(ip.csum_ok);
    assert_false(ip.mf);
    assert_int_equal(ip.frag_off, 0);
    assert_int_equal(ip.total_len, outlen);
    assert_memory_equal(out + WIRE_IPV4_HDR_MIN, data, dlen);
}

/* In order, out of order, last first: the same datagram each time. */
static void test_orders(void **state)
{
    struct reasm *r = *state;
    const uint8_t *out = NULL;
    size_t outlen = 0;
    static const size_t order[3][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 } };
    for (int k = 0; k < 3; k++) {
        uint16_t id = (uint16_t)(100 + k);
        for (int j = 0; j < 3; j++) {
            size_t part = order[k][j];
            enum reasm_result res = add(r, 0, id, part * 1480, part == 2 ? 40 : 1480, part != 2,
                                        &out, &outlen);
            assert_int_equal(res, j == 2 ? REASM_DONE : REASM_HELD);
        }
        check_whole(out, outlen, 1480 * 2 + 40);
    }
    add(r, 1, 999, 0, 8, true, &out, &outlen);   /* frees the last completed queue */
    assert_int_equal(reasm_pending(r), 1);
}

/* nmap -f: a 20-byte TCP header in 8-byte pieces. */
static void test_tiny_fragments(void **state)
{
    struct reasm *r = *state;
    const uint8_t *out = NULL;
    size_t outlen = 0;
    assert_int_equal(add(r, 0, 7, 0, 8, true, &out, &outlen), REASM_HELD);
    assert_int_equal(add(r, 0, 7, 8, 8, true, &out, &outlen), REASM_HELD);
    assert_int_equal(add(r, 0, 7, 16, 4, false, &out, &outlen), REASM_DONE);
    check_whole(out, outlen, 20);
}

/* Linux since 2018: an overlap discards the datagram; an exact duplicate is dropped alone. */
static void test_overlap_and_duplicate(void **state)
{
    struct reasm *r = *state;
    const uint8_t *out = NULL;
    size_t outlen = 0;
    assert_int_equal(add(r, 0, 1, 0, 16, true, &out, &outlen), REASM_HELD);
    assert_int_equal(add(r, 0, 1, 0, 16, true, &out, &outlen), REASM_DUP);
    assert_int_equal(reasm_pending(r), 1);
    assert_int_equal(add(r, 0, 1, 8, 16, true, &out, &outlen), REASM_DISCARD);
    assert_int_equal(reasm_pending(r), 0);
    /* the rest of that datagram starts a new queue that never completes without offset 0 */
    assert_int_equal(add(r, 0, 1, 16, 8, false, &out, &outlen), REASM_HELD);
    assert_int_equal(reasm_pending(r), 1);
}

/* Bad lengths: two last fragments that disagree, data past the end, an empty fragment,
 * more than 65535 bytes. */
static void test_bad_lengths(void **state)
{
    struct reasm *r = *state;
    const uint8_t *out = NULL;
    size_t outlen = 0;
    assert_int_equal(add(r, 0, 2, 16, 8, false, &out, &outlen), REASM_HELD);
    assert_int_equal(add(r, 0, 2, 24, 8, false, &out, &outlen), REASM_DISCARD);
    assert_int_equal(add(r, 0, 3, 16, 8, false, &out, &outlen), REASM_HELD);
    assert_int_equal(add(r, 0, 3, 24, 8, true, &out, &outlen), REASM_DISCARD);
    assert_int_equal(add(r, 0, 4, 8, 0, true, &out, &outlen), REASM_DISCARD);
    /* offset 8189 * 8 = 65512 + 40 bytes > 65535 - 20 */
    uint8_t f[WIRE_IPV4_HDR_MIN + 40];
    size_t len = frag(f, 5, data, 0, 40, false);
    f[6] = 0x1f, f[7] = 0xfd;
    f[10] = f[11] = 0;
    uint16_t c = wire_csum_fold(wire_csum_add(0, f, WIRE_IPV4_HDR_MIN));
    f[10] = (uint8_t)(c >> 8), f[11] = (uint8_t)c;
    const char *why = NULL;
    assert_int_equal(reasm_add(r, 0, f, len, &out, &outlen, &why), REASM_DISCARD);
    assert_non_null(strstr(why, "65535"));
    assert_int_equal(reasm_pending(r), 0);
}

/* A non-last fragment of an odd length is cut to a multiple of 8 (Linux end &= ~7). */
static void test_odd_length_cut(void **state)
{
    struct reasm *r = *state;
    const uint8_t *out = NULL;
    size_t outlen = 0;
    assert_int_equal(add(r, 0, 9, 0, 13, true, &out, &outlen), REASM_HELD);   /* keeps 8 */
    assert_int_equal(add(r, 0, 9, 8, 8, false, &out, &outlen), REASM_DONE);
    check_whole(out, outlen, 16);
}

/* Bounded: REASM_QUEUES datagrams at once, then refused; 30 s later they are gone. */
static void test_bounds_and_timeout(void **state)
{
    struct reasm *r = *state;
    const uint8_t *out = NULL;
    size_t outlen = 0;
    for (int i = 0; i < REASM_QUEUES; i++)
        assert_int_equal(add(r, 1000, (uint16_t)(200 + i), 0, 8, true, &out, &outlen), REASM_HELD);
    assert_int_equal(add(r, 1000, 300, 0, 8, true, &out, &outlen), REASM_REFUSED);
    assert_int_equal(reasm_pending(r), REASM_QUEUES);
    assert_int_equal(add(r, 1000 + REASM_TIMEOUT_NS, 300, 0, 8, true, &out, &outlen), REASM_HELD);
    assert_int_equal(reasm_pending(r), 1);
    /* the byte budget: far-reaching fragments of many datagrams */
    reasm_free(r);
    r = *state = reasm_new();
    int refused = 0;
    for (int i = 0; i < REASM_QUEUES; i++) {
        uint8_t f[WIRE_IPV4_HDR_MIN + 8];
        size_t len = frag(f, (uint16_t)(400 + i), data, 0, 8, true);
        f[6] = 0x3f, f[7] = 0x00;   /* MF, offset 0x1f00 * 8 = 63488 */
        f[10] = f[11] = 0;
        uint16_t c = wire_csum_fold(wire_csum_add(0, f, WIRE_IPV4_HDR_MIN));
        f[10] = (uint8_t)(c >> 8), f[11] = (uint8_t)c;
        const char *why;
        refused += reasm_add(r, 0, f, len, &out, &outlen, &why) == REASM_REFUSED;
    }
    assert_true(refused > 0);
    assert_true(reasm_pending(r) * 65536 <= REASM_BYTES + 65536);
}

/* Through a simulated host: a 3000-byte echo request in three fragments gets a 3000-byte
 * echo reply in three fragments, which reassemble to the request's data. */
static void test_sim_big_ping(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.18.7.0/24 delay 1ms\n"
                           "host me 198.18.7.1 role scanner os linux\n"
                           "host t 198.18.7.30 os linux\n", 1);
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(s, SRC, cap_fn, c), 0);
    static uint8_t big[3028], pl[3000];
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (uint8_t)i;
    struct wire_ipv4 ip = { .ttl = 64, .id = 77, .proto = WIRE_PROTO_ICMP, .src = SRC, .dst = DST };
    struct wire_icmp ic = { .type = ICMP_ECHO, .id = 5, .seq = 1, .rest = 5u << 16 | 1,
                            .payload = pl, .payload_len = sizeof pl };
    size_t n = wire_emit_icmp(big, sizeof big, &ip, &ic);
    assert_int_equal(n, sizeof big);
    /* fragment it as the kernel would: 1480, 1480, 48 */
    for (size_t off = 0; off < n - 20; off += 1480) {
        uint8_t f[WIRE_MTU];
        size_t dl = n - 20 - off < 1480 ? n - 20 - off : 1480;
        memcpy(f, big, 20);
        memcpy(f + 20, big + 20 + off, dl);
        size_t tl = 20 + dl;
        f[2] = (uint8_t)(tl >> 8), f[3] = (uint8_t)tl;
        uint16_t fo = (uint16_t)((off + dl < n - 20 ? 0x2000 : 0) | off / 8);
        f[6] = (uint8_t)(fo >> 8), f[7] = (uint8_t)fo;
        f[10] = f[11] = 0;
        uint16_t cs = wire_csum_fold(wire_csum_add(0, f, 20));
        f[10] = (uint8_t)(cs >> 8), f[11] = (uint8_t)cs;
        assert_int_equal(sim_inject(s, f, tl), 0);
    }
    sim_run_until(s, 10000000);
    assert_int_equal(c->n, 3);
    struct reasm *r = reasm_new();
    const uint8_t *out = NULL;
    size_t outlen = 0;
    const char *why;
    enum reasm_result res = REASM_HELD;
    for (size_t i = 0; i < c->n; i++) {
        assert_true(c->len[i] <= WIRE_MTU);
        res = reasm_add(r, 0, c->pkt[i], c->len[i], &out, &outlen, &why);
    }
    assert_int_equal(res, REASM_DONE);
    struct wire_pkt p;
    fx_parse(out, outlen, &p);
    assert_int_equal(p.l4.icmp.type, ICMP_ECHO_REPLY);
    assert_true(p.l4.icmp.csum_ok);
    assert_int_equal(p.l4.icmp.payload_len, sizeof pl);
    assert_memory_equal(p.l4.icmp.payload, pl, sizeof pl);
    reasm_free(r);
    free(c);
    sim_free(s);
}

/* nmap -f: a SYN in 8-byte fragments gets its SYN-ACK; an overlapping set gets nothing. */
static void test_sim_fragmented_syn(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.18.7.0/24 delay 1ms\n"
                           "host me 198.18.7.1 role scanner os linux\n"
                           "host t 198.18.7.30 os linux tcp 22\n", 1);
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(s, SRC, cap_fn, c), 0);
    uint8_t syn[WIRE_MTU + 16];
    size_t n = fx_tcp(syn, SRC, DST, 40000, 22, TCP_SYN, 1, 0, 0);
    assert_int_equal(n, 40);
    /* pass 0: 8, 8, 4 bytes; pass 1: 16 bytes at 0, then 16 at 8 (a partial overlap:
     * the datagram goes), then the last 4 (a new datagram that never completes) */
    static const size_t offs[2][3] = { { 0, 8, 16 }, { 0, 8, 16 } };
    static const size_t lens[2][3] = { { 8, 8, 4 }, { 16, 16, 4 } };
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < 3; k++) {
            uint8_t f[64];
            size_t off = offs[pass][k], dl = lens[pass][k];
            memcpy(f, syn, 20);
            memcpy(f + 20, syn + 20 + off, dl);
            size_t tl = 20 + dl;
            f[2] = 0, f[3] = (uint8_t)tl;
            f[4] = 0, f[5] = (uint8_t)(50 + pass);
            uint16_t fo = (uint16_t)((k < 2 ? 0x2000 : 0) | off / 8);
            f[6] = (uint8_t)(fo >> 8), f[7] = (uint8_t)fo;
            f[10] = f[11] = 0;
            uint16_t cs = wire_csum_fold(wire_csum_add(0, f, 20));
            f[10] = (uint8_t)(cs >> 8), f[11] = (uint8_t)cs;
            assert_int_equal(sim_inject(s, f, tl), 0);
        }
        sim_run_until(s, sim_now(s) + 10000000);
        assert_int_equal(c->n, 1);   /* the first pass's SYN-ACK, nothing for the second */
    }
    struct wire_pkt p;
    fx_parse(c->pkt[0], c->len[0], &p);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(p.l4.tcp.ack, 2);
    free(c);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tiny_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_and_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_length_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounds_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_big_ping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_fragmented_syn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
