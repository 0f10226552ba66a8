/* test_hostkeys.c — host keys mean what they say (sim/scenario_host.c scn_host_apply, tcp_out.c
 * tcp_ipinfo_for, the transcript's ipid= and isn_next=):
 *  - a host without `os` is a plain stack: SYN-ACKs, RSTs and ICMP all take their IP-ID from
 *    the `ipid` generator (with `ipid global`, consecutive values: an idle-scan zombie);
 *  - with `os linux` the key replaces the generator, Linux's DF + ID 0 rule stays;
 *  - ipid= is the counter the reply used; isn_next= hides random generators' next draw.
 * Fixture: sim_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/sim_fixture.h"

static const char *const NET =
    "net 192.0.2.0/24 delay 1ms\n"
    "host p 192.0.2.1 role scanner os linux\n"
    "host plain 192.0.2.20 ipid global tcp 80\n"
    "host lin 192.0.2.21 os linux ipid global tcp 80\n"
    "host rnd 192.0.2.22 ipid random isn random tcp 80\n"
    "host rinc 192.0.2.23 isn random-inc tcp 80\n"
    "host k 192.0.2.24 isn constant:777 tcp 80\n";

/* Sends a SYN-ACK (a closed connection: answered with a RST) and a SYN to port 80 (answered
 * with a SYN-ACK) to host `to`, runs, and returns the replies' IP-IDs in ids[0..1]. */
static void probe(const char *to, uint16_t ids[2], struct trace *tr)
{
    struct sim *s = fx_sim(NET, 5);
    struct cap *c = cap_new();
    uint32_t me = fx_addr(s, "p"), dst = fx_addr(s, to);
    assert_int_equal(sim_set_tap(s, me, cap_fn, c), 0);
    if (tr)
        sim_set_trace(s, trace_record, tr);
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, me, dst, 40000, 80, TCP_SYN | TCP_ACK, 1, 1, 0);
    assert_int_equal(sim_inject(s, b, n), 0);
    sim_run_until(s, 50000000ull);
    n = fx_tcp(b, me, dst, 40001, 80, TCP_SYN, 100, 0, 0);
    assert_int_equal(sim_inject(s, b, n), 0);
    sim_run_until(s, 100000000ull);
    /* the tap sees the replies to p (and nothing p itself sends) */
    int got = 0;
    for (size_t i = 0; i < c->n && got < 2; i++) {
        struct wire_pkt pk;
        fx_parse(c->pkt[i], c->len[i], &pk);
        if (pk.ip.src == dst && pk.ip.proto == WIRE_PROTO_TCP)
            ids[got++] = pk.ip.id;
    }
    assert_int_equal(got, 2);
    free(c);
    sim_free(s);
}

/* `ipid global`, no os: the RST and the SYN-ACK take consecutive IDs, neither is 0. */
static void test_plain_host_global(void **state)
{
    (void)state;
    uint16_t id[2];
    probe("plain", id, NULL);
    assert_int_not_equal(id[0], 0);
    assert_int_equal((uint16_t)(id[0] + 1), id[1]);
}

/* `os linux ipid global`: Linux's rule stays, RSTs and SYN-ACKs carry 0. */
static void test_linux_keeps_zero_rule(void **state)
{
    (void)state;
    uint16_t id[2];
    probe("lin", id, NULL);
    assert_int_equal(id[0], 0);
    assert_int_equal(id[1], 0);
}

/* ipid random, no os: the IDs come from the shuffle table, not 0 (nmap: Randomized). */
static void test_plain_host_random(void **state)
{
    (void)state;
    uint16_t id[2];
    probe("rnd", id, NULL);
    assert_true(id[0] != 0 || id[1] != 0);
    assert_int_not_equal((uint16_t)(id[0] + 1), id[1]);
}

/* The RECV line's ipid= is the counter the reply used: the plain host's global counter after
 * the RST; Linux's 0 for its SYN-ACK. isn_next: hidden for random generators, shown else. */
static long find_recv(const struct trace *tr, uint32_t host)
{
    for (size_t i = 0; i < tr->n; i++)
        if (tr->ev[i].kind == SIM_EV_RECV && tr->ev[i].host_addr == host)
            return (long)i;
    return -1;
}

static void test_transcript_ipid_and_isn(void **state)
{
    (void)state;
    struct trace tr;
    uint16_t id[2];
    trace_init(&tr);
    probe("plain", id, &tr);
    long i = find_recv(&tr, ip4(192, 0, 2, 20));
    assert_true(i >= 0);
    assert_int_equal(tr.ev[i].ipid, (uint16_t)(id[0] + 1));   /* after the RST: the next ID */
    assert_int_equal(tr.ev[i].isn_unpredictable, 0);
    trace_free(&tr);

    trace_init(&tr);
    probe("lin", id, &tr);
    i = find_recv(&tr, ip4(192, 0, 2, 21));
    assert_true(i >= 0);
    assert_int_equal(tr.ev[i].ipid, 0);
    trace_free(&tr);

    const char *hidden[] = { "rnd", "rinc" };
    const uint32_t haddr[] = { ip4(192, 0, 2, 22), ip4(192, 0, 2, 23) };
    for (int h = 0; h < 2; h++) {
        trace_init(&tr);
        probe(hidden[h], id, &tr);
        i = find_recv(&tr, haddr[h]);
        assert_true(i >= 0);
        assert_true(tr.ev[i].has_isn);
        assert_int_equal(tr.ev[i].isn_unpredictable, 1);
        char line[2048];
        trace_format(&tr, (size_t)i, line, sizeof line);
        assert_non_null(strstr(line, " isn_next=unpredictable"));
        trace_free(&tr);
    }

    trace_init(&tr);
    probe("k", id, &tr);
    i = find_recv(&tr, ip4(192, 0, 2, 24));
    assert_true(i >= 0);
    assert_int_equal(tr.ev[i].isn_unpredictable, 0);
    assert_int_equal(tr.ev[i].isn_next, 777);
    trace_free(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_host_global),
        cmocka_unit_test(test_linux_keeps_zero_rule),
        cmocka_unit_test(test_plain_host_random),
        cmocka_unit_test(test_transcript_ipid_and_isn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
