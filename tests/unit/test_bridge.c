/* test_bridge.c — the bridge core (bridge/bridge.c, bridge_nets.c) without a device: what it
 * lets in from the kernel, which nets it agrees to route, that the kernel's host stays
 * silent inside the simulation, and that answers depend on the inbound datagrams and their
 * virtual times alone (how often the clock was advanced, whether a recorder watched), which
 * is what makes `run --replay` exact.
 */
#include "tests/unit/sim_fixture.h"

#include "bridge/bridge.h"

static const char *SCN =
    "net 198.18.7.0/24 delay 1ms\n"
    "host me 198.18.7.1 role scanner os linux\n"
    "host t 198.18.7.30 os linux tcp 22\n"
    "host z 198.18.7.20 os printer\n";

enum { OUT_MAX = 64 };
struct outs {
    size_t n;
    uint64_t t[OUT_MAX];
    size_t len[OUT_MAX];
    uint8_t pkt[OUT_MAX][WIRE_MTU];
    size_t recorded_in, recorded_out;
    char last_comment[256];
};

static int out_fn(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct outs *o = ctx;
    if (o->n < OUT_MAX && len <= WIRE_MTU) {
        o->t[o->n] = t_ns;
        o->len[o->n] = len;
        memcpy(o->pkt[o->n], pkt, len);
        o->n++;
    }
    return 0;
}

static void record_fn(void *ctx, enum bridge_dir dir, uint64_t t_ns, const uint8_t *pkt,
                      size_t len, const char *comment)
{
    (void)t_ns, (void)pkt, (void)len;
    struct outs *o = ctx;
    if (dir == BRIDGE_IN)
        o->recorded_in++;
    else
        o->recorded_out++;
    snprintf(o->last_comment, sizeof o->last_comment, "%s", comment);
}

struct fixture {
    struct scenario sc;
    struct bridge_route r[BRIDGE_ROUTES_MAX];
    int nr;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    if (!f || scenario_parse("b.scn", SCN, strlen(SCN), &f->sc, err, sizeof err))
        return -1;
    f->nr = bridge_nets_check(&f->sc, false, f->r, BRIDGE_ROUTES_MAX, err, sizeof err);
    if (f->nr != 1)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scenario_free(&f->sc);
    free(f);
    return 0;
}

static struct bridge *mk(struct fixture *f, struct outs *o, bool record)
{
    char err[256];
    struct bridge *b = bridge_new(&f->sc, 7, f->r, f->nr, out_fn, record ? record_fn : NULL, o,
                                  err, sizeof err);
    if (!b)
        fail_msg("bridge_new: %s", err);
    return b;
}

static const uint32_t ME = 0xC6120701u, T = 0xC612071Eu;

static void test_classify(void **state)
{
    struct fixture *f = *state;
    struct outs *o = calloc(1, sizeof *o);
    struct bridge *b = mk(f, o, false);
    uint8_t d[WIRE_MTU + 64];
    size_t n = fx_tcp(d, ME, T, 1, 22, TCP_SYN, 1, 0, 0);
    assert_int_equal(bridge_classify(b, d, n), BRIDGE_DROP_N);
    uint8_t v6[48] = { 0x60 };
    assert_int_equal(bridge_classify(b, v6, sizeof v6), BRIDGE_DROP_IPV6);
    uint8_t v5[24] = { 0x55 };
    assert_int_equal(bridge_classify(b, v5, sizeof v5), BRIDGE_DROP_NOT_IP);
    assert_int_equal(bridge_classify(b, d, 0), BRIDGE_DROP_SHORT);
    assert_int_equal(bridge_classify(b, d, 12), BRIDGE_DROP_SHORT);
    assert_int_equal(bridge_classify(b, d, n - 1), BRIDGE_DROP_HEADER);   /* total length > read */
    uint8_t c[64];
    memcpy(c, d, n);
    c[0] = 0x44;   /* IHL 4 */
    assert_int_equal(bridge_classify(b, c, n), BRIDGE_DROP_HEADER);
    memcpy(c, d, n);
    c[8] ^= 1;     /* TTL changed, checksum not */
    assert_int_equal(bridge_classify(b, c, n), BRIDGE_DROP_CSUM);
    size_t m = fx_tcp(c, ME, 0x08080808u, 1, 53, TCP_SYN, 1, 0, 0);
    assert_int_equal(bridge_classify(b, c, m), BRIDGE_DROP_NOT_ROUTED);
    static uint8_t big[WIRE_MTU + 1] = { 0x45 };
    assert_int_equal(bridge_classify(b, big, sizeof big), BRIDGE_DROP_TOO_BIG);
    /* bridge_input counts them by reason */
    bridge_input(b, v6, sizeof v6, 0);
    bridge_input(b, v6, sizeof v6, 0);
    bridge_input(b, d, n, 0);
    struct bridge_stats st;
    bridge_get_stats(b, &st);
    assert_int_equal(st.in, 3);
    assert_int_equal(st.injected, 1);
    assert_int_equal(st.drop[BRIDGE_DROP_IPV6], 2);
    bridge_free(b);
    free(o);
}

static void test_nets(void **state)
{
    (void)state;
    static const struct { const char *text; int ok; } cases[] = {
        { "net 198.18.0.0/15\nhost a 198.18.0.1 role scanner\n", 1 },
        { "net 10.1.0.0/16\nhost a 10.1.0.1 role scanner\n", 1 },
        { "net 192.0.2.0/24\nnet 203.0.113.0/25\nhost a 192.0.2.1 role scanner\n", 2 },
        { "net 172.16.0.0/12\nhost a 172.16.0.1 role scanner\n", 1 },
        { "net 8.8.8.0/24\nhost a 8.8.8.1 role scanner\n", -1 },
        { "net 198.0.0.0/8\nhost a 198.18.0.1 role scanner\n", -1 },   /* wider than 198.18/15 */
        { "net 0.0.0.0/1\nhost a 10.0.0.1 role scanner\n", -1 },
        { "net 10.0.0.0/8\nhost a 10.0.0.1 role scanner\nhost b 1.2.3.4\n", -1 },
        { "net 10.0.0.0/8\nhost a 10.0.0.1 role scanner\nhost b 192.168.9.9\n", 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct scenario sc;
        char err[512];
        assert_int_equal(scenario_parse("n.scn", cases[i].text, strlen(cases[i].text), &sc, err,
                                        sizeof err), 0);
        struct bridge_route r[8];
        int n = bridge_nets_check(&sc, false, r, 8, err, sizeof err);
        assert_int_equal(n, cases[i].ok);
        if (n < 0) {
            assert_non_null(strstr(err, "n.scn:"));
            assert_non_null(strstr(err, "--allow-any-net"));
            assert_true(bridge_nets_check(&sc, true, r, 8, err, sizeof err) > 0);
        }
        scenario_free(&sc);
    }
}

/* The kernel's host is external: a SYN-ACK to it is not answered from inside, so the
 * target retransmits it (RFC 6298 backoff) instead of seeing a RST. */
static void test_external_host_is_silent(void **state)
{
    struct fixture *f = *state;
    struct outs *o = calloc(1, sizeof *o);
    struct bridge *b = mk(f, o, true);
    uint8_t d[WIRE_MTU];
    size_t n = fx_tcp(d, ME, T, 40000, 22, TCP_SYN, 1, 0, 0);
    assert_int_equal(bridge_input(b, d, n, 1000), BRIDGE_DROP_N);
    bridge_advance(b, 4000000000ull);
    assert_true(o->n >= 3);   /* the SYN-ACK and its retransmissions at 1 s and 3 s */
    for (size_t i = 0; i < o->n; i++) {
        struct wire_pkt p;
        fx_parse(o->pkt[i], o->len[i], &p);
        assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);
    }
    assert_int_equal(o->t[0], 1000 + 2000000);
    assert_int_equal(o->recorded_out, o->n);
    assert_int_equal(o->recorded_in, 1);
    assert_non_null(strstr(o->last_comment, "t "));   /* "t SYN-ACK: ..." / a timer's rule */
    bridge_free(b);
    free(o);
}

/* The same inbound datagrams at the same virtual times give the same answers, however the
 * clock was advanced in between and whether a recorder (a trace) watched. */
static void test_deterministic(void **state)
{
    struct fixture *f = *state;
    struct outs *o[3];
    for (int k = 0; k < 3; k++) {
        o[k] = calloc(1, sizeof *o[k]);
        struct bridge *b = mk(f, o[k], k != 1);
        uint8_t d[WIRE_MTU];
        for (int i = 0; i < 6; i++) {
            uint64_t t = 1000000ull * (uint64_t)(i * i) + 17;
            if (k == 2)   /* the live loop: many small steps */
                for (uint64_t u = bridge_now(b); u < t; u += 99991)
                    bridge_advance(b, u);
            size_t n = i % 2 ? fx_tcp(d, ME, T, (uint16_t)(40000 + i), 22, TCP_SYN, 5, 0, 0)
                             : fx_tcp(d, ME, 0xC6120714u, 80, 80, TCP_SYN | TCP_ACK, 9, 1, 0);
            bridge_input(b, d, n, t);
        }
        bridge_advance(b, 5000000000ull);
        bridge_free(b);
    }
    assert_true(o[0]->n > 6);
    for (int k = 1; k < 3; k++) {
        assert_int_equal(o[k]->n, o[0]->n);
        for (size_t i = 0; i < o[0]->n; i++) {
            assert_int_equal(o[k]->t[i], o[0]->t[i]);
            assert_int_equal(o[k]->len[i], o[0]->len[i]);
            assert_memory_equal(o[k]->pkt[i], o[0]->pkt[i], o[0]->len[i]);
        }
    }
    for (int k = 0; k < 3; k++)
        free(o[k]);
}

/* A fragment of the UDP datagram `whole` (its payload bytes [off, off + n)) into buf. */
static size_t frag_of(uint8_t *buf, const uint8_t *whole, size_t off, size_t n, bool mf)
{
    memcpy(buf, whole, WIRE_IPV4_HDR_MIN);
    memcpy(buf + WIRE_IPV4_HDR_MIN, whole + WIRE_IPV4_HDR_MIN + off, n);
    size_t tl = WIRE_IPV4_HDR_MIN + n;
    uint16_t fo = (uint16_t)((mf ? 0x2000u : 0) | (off / 8));
    buf[2] = (uint8_t)(tl >> 8), buf[3] = (uint8_t)tl;
    buf[6] = (uint8_t)(fo >> 8), buf[7] = (uint8_t)fo;
    buf[10] = buf[11] = 0;
    uint16_t c = wire_csum_fold(wire_csum_add(0, buf, WIRE_IPV4_HDR_MIN));
    buf[10] = (uint8_t)(c >> 8), buf[11] = (uint8_t)c;
    return tl;
}

/* Every datagram to a down host is dropped inside the simulation, and the summary's count
 * (sim_dropped) says so exactly: 2004 in, 2004 dropped, whatever the protocol, fragments
 * one by one (a switched-off host reassembles nothing), those still in flight when the
 * bridge stops too, with a recorder (the traced path) or without (the quiet path a scan's
 * probes take). */
static void test_down_host_drops_counted(void **state)
{
    (void)state;
    static const char *text =
        "net 198.18.7.0/24 delay 1ms\n"
        "host me 198.18.7.1 role scanner os linux\n"
        "host off 198.18.7.50 os linux tcp 22 down\n";
    const uint32_t off = 0xC6120732u;
    struct scenario sc;
    char err[256];
    assert_int_equal(scenario_parse("d.scn", text, strlen(text), &sc, err, sizeof err), 0);
    struct bridge_route r[BRIDGE_ROUTES_MAX];
    int nr = bridge_nets_check(&sc, false, r, BRIDGE_ROUTES_MAX, err, sizeof err);
    assert_int_equal(nr, 1);
    for (int record = 0; record < 2; record++) {
        struct outs *o = calloc(1, sizeof *o);
        struct bridge *b = bridge_new(&sc, 7, r, nr, out_fn, record ? record_fn : NULL, o, err,
                                      sizeof err);
        assert_non_null(b);
        uint8_t d[WIRE_MTU], w[WIRE_MTU];
        uint64_t t = 1000;
        for (int i = 0; i < 2000; i++, t += 100000) {
            size_t n = i % 4 == 0 ? fx_tcp(d, ME, off, (uint16_t)(40000 + i), 22, TCP_SYN, 1, 0, 0)
                     : i % 4 == 1 ? fx_tcp(d, ME, off, 40000, 22, TCP_ACK, 2, 1, 10)
                     : i % 4 == 2 ? fx_udp(d, ME, off, 40000, (uint16_t)(1 + i), 8)
                                  : fx_echo(d, ME, off, 7, (uint16_t)i, "ping");
            assert_int_equal(bridge_input(b, d, n, t), BRIDGE_DROP_N);
        }
        size_t wl = fx_udp(w, ME, off, 40000, 53, 40);
        for (int k = 0; k < 2; k++, t += 100000) {   /* two datagrams, two fragments each */
            size_t rest = wl - WIRE_IPV4_HDR_MIN - 24;
            assert_int_equal(bridge_input(b, d, frag_of(d, w, 0, 24, true), t), BRIDGE_DROP_N);
            assert_int_equal(bridge_input(b, d, frag_of(d, w, 24, rest, false), t + 1),
                             BRIDGE_DROP_N);
        }
        /* Sent 0.1 ms apart, 1 ms on the wire: the last 12 (8 datagrams and the 4 fragments)
         * are still in flight; bridge_settle (the loop's last step when it stops) lets them
         * land, and goes no later. */
        struct bridge_stats st;
        bridge_get_stats(b, &st);
        assert_int_equal(st.sim_dropped, 2004 - 12);
        bridge_settle(b);
        assert_int_equal(bridge_now(b), t - 100000 + 1 + 1000000);
        bridge_get_stats(b, &st);
        assert_int_equal(st.in, 2004);
        assert_int_equal(st.injected, 2004);
        assert_int_equal(st.sim_dropped, 2004);
        assert_int_equal(st.out, 0);
        assert_int_equal(o->n, 0);
        bridge_free(b);
        free(o);
    }
    scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_classify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_host_is_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test(test_down_host_drops_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
