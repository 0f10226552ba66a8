/* test_tui_scan.c — the TUI's IP-ID strip (tui/scan.h tui_ipid_strip), headless: on the
 * idle-scan lab's own script (the attacker's SYN|ACKs to the three candidates) the strip of
 * the zombie h20 lists h20's datagrams and no other host's, whichever event it is asked
 * around, each rise of its IP-ID beside the datagram h20 answered ("<- #N attacker [SA]"),
 * the first row at or after the event marked '>'; in a capture of -sI only the zombie's
 * datagrams to the scanner count (those "from" it to others are the scanner's forgeries).
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
#include "lib/wire.h"
#include "sim/scenario.h"
#include "tui/model.h"
#include "tui/rec.h"
#include "tui/scan.h"

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

/* Event number (1-based) of a strip row, and its IP-ID. */
static void row_fields(const char *line, size_t *evno, unsigned *id)
{
    assert_int_equal(sscanf(line + 1, "%zu %u", evno, id), 2);
}

static void test_zombie_strip(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/idle-scan.scn", &r);
    uint32_t z, att;
    assert_int_equal(tui_rec_host_lookup(&r, "h20", &z), 0);
    assert_int_equal(tui_rec_host_lookup(&r, "attacker", &att), 0);
    r.zombie = z;
    struct tui_model m;
    tui_model_init(&m, &r);
    static char lines[16][160];
    /* asked around the last event, a RECV of the attacker's: still h20's rows */
    size_t last = r.n - 1;
    assert_int_not_equal(r.ev[last].host_addr, z);
    size_t n = tui_ipid_strip(&m, z, 0, lines, 16);
    assert_non_null(strstr(lines[0], "IP-ID of h20"));
    assert_int_equal(n, 4);   /* the heading and h20's three RSTs */
    unsigned prev = 0;
    for (size_t i = 1; i < n; i++) {
        size_t evno;
        unsigned id;
        row_fields(lines[i], &evno, &id);
        const struct tui_ev *e = &r.ev[evno - 1];
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(&r, e), e->len, &k);
        assert_int_equal(e->kind, SIM_EV_SEND);
        assert_int_equal(k.src, z);
        assert_int_equal(k.ipid, id);
        assert_non_null(strstr(lines[i], "to attacker [R] 80>5000"));
        /* tied to what it answered: the RECV of the attacker's SYN|ACK, the event before */
        char want[40];
        snprintf(want, sizeof want, "<- #%zu attacker [SA]", (size_t)e->cause);
        assert_non_null(strstr(lines[i], want));
        assert_int_equal(r.ev[e->cause - 1].kind, SIM_EV_RECV);
        if (i > 1)
            assert_int_equal(id, prev + 1);   /* a global counter: one per datagram */
        assert_true(i == 1 ? lines[i][0] == '>' : lines[i][0] == ' ');
        prev = id;
    }
    assert_non_null(strstr(lines[2], "    +1 #"));
    n = tui_ipid_strip(&m, z, last, lines, 16);
    assert_int_equal(n, 4);
    for (size_t i = 1; i < n; i++)
        assert_true(lines[i][0] == ' ');   /* nothing of h20's at or after the last event */
    /* a capture: "from h20" to others is not h20's own; only what it sent the reader */
    r.from_pcap = true;
    r.zombie_reader = 1;   /* nobody: h20 sent it nothing */
    n = tui_ipid_strip(&m, z, 0, lines, 16);
    assert_int_equal(n, 1);
    r.zombie_reader = att;
    n = tui_ipid_strip(&m, z, 0, lines, 16);
    assert_int_equal(n, 4);
    assert_non_null(strstr(lines[0], "its datagrams to attacker"));
    tui_model_free(&m);
    tui_rec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zombie_strip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
