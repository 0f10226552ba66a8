/* test_noninterference.c — traffic that has nothing to do with a flow does not move that
 * flow's random draws (issue 11 item 4: a random ISN, a per-destination counter's start, an
 * ephemeral port, a drawn source port, a random IP-ID, a loss draw).
 *
 * A flow between a and b that uses every kind of draw runs twice: alone, and with another
 * host pair talking on the same lossy net, its lines written before and after a's (so a draw
 * by position in the file would move too). What a and b receive (their arrivals, bytes and
 * times: sim/rundiff.h) must be identical. A second test adds a third host that talks to b
 * itself: b's random ISN and random IP-IDs toward a must not move either, as on a real host
 * they do not. Both fail with one shared stream in draw order (the code before keyed draws:
 * every loss draw, send port and ISN then shifted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/wire.h"
#include "sim/rundiff.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

enum { A = 0xC6336400 | 10, B = 0xC6336400 | 20, C = 0xC6336400 | 30 };

static const char NET[] =
    "seed 11\n"
    "net 198.51.100.0/24 delay 1ms loss 20%\n"
    "host a 198.51.100.10 os linux isn random ipid random\n"
    "host b 198.51.100.20 os linux tcp 80 udp 7 isn random ipid random\n";
/* Every draw the flow makes: an ephemeral port and a random ISN (connect), the peer's random
 * ISN (its SYN-ACK), random IP-IDs both ways, a scripted send's source port, a traffic
 * line's ports, and a loss draw for each of the dozens of datagrams. */
static const char FLOW[] =
    "connect a -> b:80 at 10ms send 20000 close 3s\n"
    "send a -> b:81 tcp flags S at 1s\n"
    "send a -> b:7 udp data \"x\" at 1200ms\n"
    "traffic a -> b:9 udp rate 20/s start 0 stop 2s\n";
static const char PAIR_HOSTS[] =
    "host c 198.51.100.30 os linux tcp 22\n"
    "host d 198.51.100.40 os openbsd\n";
static const char PAIR_BEFORE[] =
    "connect d -> c:22 at 5ms send 30000 close 2s\n"
    "send d -> c:23 tcp flags S at 900ms\n"
    "traffic d -> c:9 udp rate 50/s start 0 stop 2s\n";
static const char PAIR_AFTER[] =
    "send c -> d:99 tcp flags S at 1s\n"
    "traffic c -> d:53 udp rate 30/s start 100ms stop 2500ms\n";

static void run_text(const char *text, struct trace *tr)
{
    struct scenario sc;
    char err[256];
    if (scenario_parse("t.scn", text, strlen(text), &sc, err, sizeof err))
        fail_msg("scenario_parse: %s", err);
    struct sim *s = sim_new(sc.seed);
    assert_non_null(s);
    if (sim_load(s, &sc, err, sizeof err))
        fail_msg("sim_load: %s", err);
    trace_init(tr);
    sim_set_trace(s, trace_record, tr);
    sim_run(s, 60ULL * 1000000000ULL, NULL);
    assert_false(tr->oom);
    sim_free(s);
    scenario_free(&sc);
}

static size_t count(const struct trace *t, enum sim_ev_kind k, uint32_t host, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->ev[i].kind == k && (!host || t->ev[i].host_addr == host) &&
            (!rule || !strcmp(trace_str(t, t->ev[i].rule_id_off), rule)))
            n++;
    return n;
}

/* The same arrivals at host, or the test fails naming where they part. */
static void same_at(const struct trace *x, const struct trace *y, uint32_t host)
{
    struct rundiff_view v = {.arrivals = true, .addr = host};
    struct rundiff d;
    rundiff_compare(x, y, &v, &d);
    if (!d.same) {
        char why[512];
        rundiff_describe(x, y, &d, why, sizeof why);
        fail_msg("arrivals at %08x part after %zu of %zu: %s", (unsigned)host, d.k, d.na, why);
    }
    assert_true(d.na > 10);
}

static void test_unrelated_pair(void **state)
{
    (void)state;
    char alone[2048], busy[4096];
    snprintf(alone, sizeof alone, "%s%s", NET, FLOW);
    snprintf(busy, sizeof busy, "%s%s%s%s%s", NET, PAIR_HOSTS, PAIR_BEFORE, FLOW, PAIR_AFTER);
    struct trace x, y;
    run_text(alone, &x);
    run_text(busy, &y);
    /* The test means something: the pair talked, datagrams were lost on both runs, and the
     * flow carried data both ways. */
    assert_true(count(&y, SIM_EV_RECV, C, NULL) > 20);
    assert_true(count(&x, SIM_EV_DROP, 0, "net-loss") > 5);
    assert_true(count(&y, SIM_EV_DROP, 0, "net-loss") > count(&x, SIM_EV_DROP, 0, "net-loss"));
    same_at(&x, &y, A);
    same_at(&x, &y, B);
    trace_free(&x);
    trace_free(&y);
}

/* A third host talks to b itself: b's random ISN for a's connection and its random IP-IDs
 * toward a stay; only what b's numbering shares on a real host could move (nothing here). */
static void test_unrelated_flow_same_host(void **state)
{
    (void)state;
    char alone[2048], busy[4096];
    snprintf(alone, sizeof alone, "%s%s", NET, FLOW);
    snprintf(busy, sizeof busy, "%s%s%s%s", NET, "host h 198.51.100.50 os linux\n",
             "connect h -> b:80 at 8ms send 40000 close 2s\n"
             "send h -> b:7 udp data \"hello\" at 1190ms\n", FLOW);
    struct trace x, y;
    run_text(alone, &x);
    run_text(busy, &y);
    assert_true(count(&y, SIM_EV_RECV, B, NULL) > count(&x, SIM_EV_RECV, B, NULL) + 10);
    same_at(&x, &y, A);
    trace_free(&x);
    trace_free(&y);
}

/* Keyed draws are still draws: another seed gives other numbers (a constant would pass the
 * two tests above). */
static void test_seed_still_matters(void **state)
{
    (void)state;
    char t1[2048], t2[2048];
    snprintf(t1, sizeof t1, "%s%s", NET, FLOW);
    snprintf(t2, sizeof t2, "%s%s", NET, FLOW);
    memcpy(strstr(t2, "seed 11"), "seed 12", 7);
    struct trace x, y;
    run_text(t1, &x);
    run_text(t2, &y);
    struct rundiff_view v = {.arrivals = true, .addr = B};
    struct rundiff d;
    rundiff_compare(&x, &y, &v, &d);
    assert_false(d.same);
    trace_free(&x);
    trace_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unrelated_pair),
        cmocka_unit_test(test_unrelated_flow_same_host),
        cmocka_unit_test(test_seed_still_matters),
    };
    return cmocka_run_group_tests_name("noninterference", tests, NULL, NULL);
}
