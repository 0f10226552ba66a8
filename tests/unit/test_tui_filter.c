/* test_tui_filter.c — the filter's fast test (the events' packed keys, tui/filter.h) and its
 * plain one (the events' bytes) keep the same events, for every filter form tcplab(1) lists
 * (a host by name, by address, `host X`, `port N`, a bare port, tcp/udp/icmp, `flags SA`,
 * `flags=RA`, each kind, retrans, injected, and terms together), with and without follow, on
 * three lab scenarios' runs; and when a key cannot name a host's
 * column (TUI_KEY_FAR) the plain test decides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lab/lab.h"
#include "sim/scenario.h"
#include "tui/filter.h"
#include "tui/model.h"
#include "tui/rec.h"

static const char *const forms[] = {
    "client", "server", "attacker", "h20", "target", "198.51.100.20", "host client",
    "host 198.51.100.30", "port 80", "80", "port 81", "22", "tcp", "udp", "icmp", "flags SA",
    "flags S", "flags R", "flags=RA", "flags=S", "flags=A", "send", "recv", "drop", "timer",
    "note", "retrans", "injected", "client tcp port 80 flags A", "recv server",
    "drop tcp", "send udp 53", "flags=SA port 80 host server", "injected flags SA", "",
};

static void record(const char *path, struct tui_rec *r)
{
    struct scenario sc;
    char err[512];
    if (lab_scenario_file(path, &sc, err, sizeof err))
        fail_msg("%s", err);
    tui_rec_init(r);
    if (tui_rec_run_scenario(r, &sc, sc.seed, 3600ULL * 1000000000ULL, 0, err, sizeof err))
        fail_msg("%s", err);
    scenario_free(&sc);
}

/* Every form, fast against plain; returns how many forms kept something. */
static size_t agree(struct tui_rec *r, uint32_t follow)
{
    assert_int_equal(r->nkeys, r->n);
    struct tui_model m;
    tui_model_init(&m, r);
    uint32_t *a = calloc(r->n + 1, sizeof *a), *b = calloc(r->n + 1, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    size_t some = 0;
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char err[160];
        if (tui_model_set_filter(&m, forms[i], err, sizeof err))
            continue;   /* a host this run does not have */
        size_t na = tui_filter_select(r, &m.filt, follow, true, a);
        size_t nb = tui_filter_select(r, &m.filt, follow, false, b);
        if (na != nb)
            fail_msg("'%s' follow %u: %zu fast, %zu plain", forms[i], follow, na, nb);
        assert_memory_equal(a, b, na * sizeof *a);
        for (size_t j = 0; j < nb; j++)
            assert_true(tui_filter_plain(r, &m.filt, follow, b[j]));
        some += na > 0 && na < r->n;
    }
    free(a);
    free(b);
    tui_model_free(&m);
    return some;
}

static void test_agree(void **state)
{
    (void)state;
    static const char *const runs[] = { "scenarios/handshake.scn", "scenarios/idle-scan.scn",
                                        "scenarios/port-states.scn" };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        struct tui_rec r;
        record(runs[i], &r);
        size_t some = agree(&r, 0);
        if (some < 5)
            fail_msg("%s: only %zu forms keep some events but not all", runs[i], some);
        for (uint32_t c = 1; c <= r.nconns && c <= 4; c++)
            agree(&r, c);
        /* keys that cannot hold a column: the plain test decides, the same events */
        for (size_t j = 0; j < r.nkeys; j += 3)
            r.keys[j].src = r.keys[j].host = TUI_KEY_FAR;
        agree(&r, 0);
        tui_rec_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
