/* test_tui_whatif.c — the TUI's what-if, headless (tui/whatif.h): the rows pair both runs
 * from the start, the same before the parting and not at it; the parting row's A event is
 * the TUI record's event of that number (Enter goes there) and no record of another run
 * matches; every event kind's name and host name whole in a row; Tab's completion of `line N`; a bad change is an error that keeps nothing.
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
#include "tui/rec.h"
#include "tui/whatif.h"

static void record(const char *path, uint64_t seed, struct tui_rec *r)
{
    struct scenario sc;
    char err[512];
    if (lab_scenario_file(path, &sc, err, sizeof err))
        fail_msg("%s", err);
    tui_rec_init(r);
    if (tui_rec_run_scenario(r, &sc, seed, 3600ULL * 1000000000ULL, 0, err, sizeof err))
        fail_msg("%s", err);
    scenario_free(&sc);
}

static void test_seed(void **state)
{
    (void)state;
    struct whatif_src src = { .file = "scenarios/handshake.scn" };
    struct tui_whatif w;
    tui_whatif_init(&w);
    assert_int_equal(tui_whatif_run(&w, &src, "seed=99"), 0);
    assert_true(w.have);
    assert_false(w.d.same);
    assert_string_equal(w.spec, "seed=99");
    assert_non_null(strstr(w.lb, "with seed=99 (seed 99)"));
    assert_non_null(strstr(w.la, "(seed 7)"));
    assert_non_null(strstr(w.why, "source port 56322 vs 39956"));
    size_t p = tui_whatif_parting(&w);
    assert_int_equal(p, 1);
    assert_int_equal(w.row, p);
    assert_int_equal(tui_whatif_rows(&w), 52);
    char l[300], r[300];
    assert_int_equal(tui_whatif_row(&w, 0, l, r, sizeof l), TUI_WR_SAME);
    assert_string_equal(l, r);
    assert_int_equal(tui_whatif_row(&w, p, l, r, sizeof l), TUI_WR_PART);
    assert_non_null(strstr(l, "56322 > 80 [S]"));
    assert_non_null(strstr(r, "39956 > 80 [S]"));
    assert_int_equal(tui_whatif_row(&w, p + 1, l, r, sizeof l), TUI_WR_AFTER);
    /* every kind's name whole (TIMER, the longest, was cut to TIME), and host names too */
    tui_whatif_row(&w, 51, l, r, sizeof l);
    assert_non_null(strstr(l, "60.502000 TIMER client"));
    assert_non_null(strstr(r, "60.502000 TIMER client"));
    tui_whatif_row(&w, 0, l, r, sizeof l);
    assert_non_null(strstr(l, " NOTE  client"));
    /* Enter: A's event in the TUI's own record of the same run, none in another's */
    struct tui_rec rec;
    record("scenarios/handshake.scn", 7, &rec);
    assert_int_equal(tui_whatif_event_in(&w, &rec, p), w.ia[p]);
    assert_int_equal(rec.ev[w.ia[p]].kind, SIM_EV_SEND);
    tui_rec_free(&rec);
    record("scenarios/port-states.scn", 7, &rec);
    assert_int_equal(tui_whatif_event_in(&w, &rec, p), SIZE_MAX);
    tui_rec_free(&rec);
    /* a bad change: an error, and the last result dropped */
    assert_int_equal(tui_whatif_run(&w, &src, "nosuch.isn=random"), 1);
    assert_false(w.have);
    assert_non_null(strstr(w.err, "nosuch"));
    assert_int_equal(tui_whatif_run(&w, &src, "no change"), 1);
    assert_int_equal(tui_whatif_rows(&w), 0);
    /* the same run again: same, every row */
    assert_int_equal(tui_whatif_run(&w, &src, "seed=7"), 0);
    assert_true(w.d.same);
    assert_int_equal(tui_whatif_parting(&w), 52);
    assert_int_equal(tui_whatif_row(&w, 51, l, r, sizeof l), TUI_WR_SAME);
    assert_non_null(strstr(w.why, "the same: 52 events"));
    tui_whatif_free(&w);
}

static void test_line(void **state)
{
    (void)state;
    char buf[300] = "line 19";
    assert_true(tui_whatif_complete("scenarios/handshake.scn", buf, sizeof buf));
    assert_string_equal(buf, "line 19=connect client -> server:80 at 10ms send "
                        "${len:choice 200,100,300,512,1000,1200} close 500ms");
    snprintf(buf, sizeof buf, "line 999");
    assert_false(tui_whatif_complete("scenarios/handshake.scn", buf, sizeof buf));
    snprintf(buf, sizeof buf, "seed=3");
    assert_false(tui_whatif_complete("scenarios/handshake.scn", buf, sizeof buf));
    snprintf(buf, sizeof buf, "line 1");
    assert_true(tui_whatif_complete("default", buf, sizeof buf));
    assert_false(tui_whatif_complete(NULL, buf, sizeof buf));
    struct whatif_src src = { .file = "scenarios/handshake.scn" };
    struct tui_whatif w;
    tui_whatif_init(&w);
    assert_int_equal(tui_whatif_run(&w, &src, "line 19=connect client -> server:80 at 20ms "
                                    "send 100 close 500ms"), 0);
    assert_int_equal(tui_whatif_parting(&w), 0);
    char l[300], r[300];
    assert_int_equal(tui_whatif_row(&w, 0, l, r, sizeof l), TUI_WR_PART);
    assert_non_null(strstr(l, "0.010000 NOTE"));
    assert_non_null(strstr(r, "0.020000 NOTE"));
    /* a lab's student view: a hidden fact set on both sides ("A vs B"), not on one */
    struct whatif_src lab = { .lab = { .lab = "idle-scan", .student = "alice" } };
    assert_int_equal(tui_whatif_run(&w, &lab, "open=22"), 1);
    assert_non_null(strstr(w.err, "--set-a and --set-b"));
    assert_int_equal(tui_whatif_run(&w, &lab, "open=22 vs open=80"), 0);
    assert_true(w.a_changed);
    assert_string_equal(w.spec, "open=22 vs open=80");
    assert_non_null(strstr(w.la, "with open=22"));
    assert_non_null(strstr(w.lb, "with open=80"));
    assert_true(w.d.same);   /* the attacker alone cannot tell them apart without a probe */
    tui_whatif_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
