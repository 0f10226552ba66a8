/* test_tui_inside.c — the TUI's "host inside" panel (tui/inside.c): before and after THE
 * selected event, not its whole unit.
 *  - every event of every scenario in scenarios/ (and of a run driven from outside, as a
 *    scan drives it, and of an attached script's): the panel read going backwards, and
 *    jumping about, is the panel read going forwards, and every one is exact (no "whole
 *    unit" fallback);
 *  - the handshake: the client's RECV of the SYN-ACK, the NOTE of its `send`, the SEND of its
 *    ACK and the SEND of its data are one unit, and only the RECV moves SYN-SENT to
 *    ESTABLISHED, only the data's SEND moves SND.NXT (by its length), and each event's
 *    before is the state the one listed before it left; the TIME-WAIT's end, a TIMER whose
 *    unit has no datagram, still shows its TCB;
 *  - the filter part says what the datagram's own direction met: an outgoing datagram
 *    through a host with an inbound filter only is "nothing checked", not the conntrack's
 *    pass of the segment the host answered; an outbound filter's rule shows at the SEND
 *    and at its DROP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "lab/lab.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "tui/model.h"
#include "tui/rec.h"
#include "tui/rewind.h"
#include "tui/text.h"

enum { MAXL = 64 };

static void record_sc(struct scenario *sc, struct tui_rec *r, uint64_t snap_every)
{
    char err[512];
    tui_rec_init(r);
    if (tui_rec_run_scenario(r, sc, sc->seed, 3600ULL * 1000000000ULL, snap_every, err,
                             sizeof err))
        fail_msg("%s", err);
}

static void record(const char *path, struct tui_rec *r, uint64_t snap_every)
{
    struct scenario sc;
    char err[512];
    if (lab_scenario_file(path, &sc, err, sizeof err))   /* parameters at their defaults */
        fail_msg("%s", err);
    record_sc(&sc, r, snap_every);
    scenario_free(&sc);
}

/* The panel of event ev as one string. */
static char *panel(const struct tui_model *m, struct tui_rewind *rw, size_t ev)
{
    static char lines[MAXL][160];
    size_t n = tui_inside(m, rw, ev, lines, MAXL);
    char *s = calloc(n + 1, 161);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        strcat(s, lines[i]);
        strcat(s, "\n");
    }
    return s;
}

/* Forwards, then backwards and out of order with the same rewind: the same panels. */
static void check_both_ways(const struct tui_rec *r, const char *what)
{
    struct tui_model m;
    tui_model_init(&m, r);
    struct tui_rewind rw;
    tui_rewind_init(&rw, r);
    char **fw = calloc(r->n + 1, sizeof *fw);
    assert_non_null(fw);
    for (size_t ev = 0; ev < r->n; ev++) {
        fw[ev] = panel(&m, &rw, ev);
        if (strstr(fw[ev], "whole unit") || strstr(fw[ev], "could not rebuild"))
            fail_msg("%s event %zu: not exact:\n%s", what, ev + 1, fw[ev]);
        if (r->ev[ev].host_addr && !strstr(fw[ev], "not a simulated host"))
            assert_non_null(strstr(fw[ev], "before: "));
    }
    for (size_t ev = r->n; ev-- > 0;) {
        char *back = panel(&m, &rw, ev);
        if (strcmp(back, fw[ev]))
            fail_msg("%s event %zu: going back shows\n%s\ngoing forward showed\n%s", what,
                     ev + 1, back, fw[ev]);
        free(back);
    }
    uint64_t x = 777;
    for (size_t i = 0; i < 100 && r->n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t ev = (size_t)(x >> 33) % r->n;
        char *got = panel(&m, &rw, ev);
        assert_string_equal(got, fw[ev]);
        free(got);
    }
    for (size_t ev = 0; ev < r->n; ev++)
        free(fw[ev]);
    free(fw);
    tui_rewind_free(&rw);
    tui_model_free(&m);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_every_scenario_both_ways(void **state)
{
    (void)state;
    DIR *d = opendir("scenarios");
    assert_non_null(d);
    char *names[64];
    size_t nn = 0;
    for (struct dirent *de; (de = readdir(d)) && nn < 64;) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".scn"))
            names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    assert_true(nn >= 10);
    size_t with_events = 0;
    for (size_t i = 0; i < nn; i++) {
        char path[300];
        snprintf(path, sizeof path, "scenarios/%s", names[i]);
        struct tui_rec r;
        record(path, &r, 7);
        with_events += r.n > 0;
        check_both_ways(&r, path);
        tui_rec_free(&r);
        free(names[i]);
    }
    assert_true(with_events >= 6);
}

/* A run driven from outside (the scanner's way: probes injected, the clock moved, a stream
 * opened): its units are the recorded calls, which the observed re-run repeats too. */
static void test_driven_both_ways(void **state)
{
    (void)state;
    struct scenario sc;
    char err[512];
    if (lab_scenario_file("scenarios/port-states.scn", &sc, err, sizeof err))
        fail_msg("%s", err);
    sc.nsends = 0;
    struct sim *s = sim_new(9);
    if (sim_load(s, &sc, err, sizeof err))
        fail_msg("%s", err);
    struct tui_rec r;
    tui_rec_init(&r);
    assert_int_equal(tui_rec_attach(&r, s, 5), 0);
    uint32_t src, dst;
    assert_int_equal(sim_host_lookup(s, "scanner", &src), 0);
    assert_int_equal(sim_host_lookup(s, "target", &dst), 0);
    static const uint16_t ports[] = { 80, 21, 3306, 8080, 29, 25, 9999, 22, 443 };
    for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) {
        uint8_t buf[64];
        struct wire_ipv4 ip = { .ttl = 50, .id = (uint16_t)i, .proto = WIRE_PROTO_TCP,
                                .src = src, .dst = dst };
        struct wire_tcp t = { .sport = (uint16_t)(41000 + i), .dport = ports[i],
                              .seq = 7777u * (uint32_t)i, .flags = TCP_SYN, .window = 1024 };
        size_t len = wire_emit_tcp(buf, sizeof buf, &ip, &t);
        assert_int_equal(sim_inject(s, buf, len), 0);
        if (i == 4)
            assert_true(sim_stream_connect(s, src, dst, 22) >= 0);
        sim_run_until(s, sim_now(s) + 3000000);
        tui_rec_maybe_snap(&r);
    }
    tui_rec_detach(&r);
    assert_true(r.nops > 9);
    check_both_ways(&r, "driven port-states");
    tui_rec_free(&r);
    sim_free(s);
    scenario_free(&sc);
}

/* An attached script's run (tcplab attach): notes, injections as another host, a stream
 * through the attaching host's own stack; datagrams to the attached address go to the
 * script (RECV "to the script"). */
static size_t syn_from(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    struct wire_ipv4 ip = { .ttl = 64, .id = 7, .proto = WIRE_PROTO_TCP, .src = src, .dst = dst };
    struct wire_tcp t = { .sport = sport, .dport = dport, .seq = 1000, .flags = TCP_SYN,
                          .window = 512 };
    return wire_emit_tcp(buf, 64, &ip, &t);
}

static void settle(struct sim *s, struct tui_rec *r, uint64_t ns)
{
    uint64_t until = sim_now(s) + ns;
    while (sim_next_time(s) <= until && sim_step(s))
        tui_rec_maybe_snap(r);
    sim_run_until(s, until);
}

static void test_attached_both_ways(void **state)
{
    (void)state;
    struct scenario sc;
    char err[512];
    if (lab_scenario_file("tests/attach/mitnick.scn", &sc, err, sizeof err))
        fail_msg("%s", err);
    struct sim *s = sim_new(sc.seed);
    if (sim_load(s, &sc, err, sizeof err))
        fail_msg("%s", err);
    uint32_t me, trusted, server;
    assert_int_equal(sim_host_lookup(s, "attacker", &me), 0);
    assert_int_equal(sim_host_lookup(s, "trusted", &trusted), 0);
    assert_int_equal(sim_host_lookup(s, "server", &server), 0);
    assert_int_equal(sim_attach(s, me, 32, me, NULL, NULL), 0);
    struct tui_rec r;
    tui_rec_init(&r);
    assert_int_equal(tui_rec_attach(&r, s, 4), 0);
    uint8_t buf[64];
    sim_attach_note(s, "stage 1");
    assert_int_equal(sim_inject_as(s, buf, syn_from(buf, me, server, 40000, 513)), 0);
    settle(s, &r, 10000000);
    assert_int_equal(sim_inject_as(s, buf, syn_from(buf, trusted, server, 1023, 513)), 0);
    settle(s, &r, 10000000);
    int h = sim_stream_open(s, me, server, 80, 37518);
    assert_true(h >= 0);
    settle(s, &r, 5000000);
    assert_int_equal(sim_stream_write(s, h, 3000), 0);
    settle(s, &r, 20000000);
    assert_int_equal(sim_stream_close(s, h), 0);
    settle(s, &r, 100000000);
    tui_rec_detach(&r);
    assert_false(r.oom);
    assert_true(r.n > 10);
    check_both_ways(&r, "attached mitnick");
    tui_rec_free(&r);
    sim_free(s);
    scenario_free(&sc);
}

/* ---------------------------------------------------------------- the handshake */

/* A TCB line of the panel ("  SND.NXT   1 -> 201   *"): its before and after columns. */
static void field(const char *p, const char *name, char *b, char *a)
{
    char key[32];
    snprintf(key, sizeof key, "\n  %s ", name);
    const char *l = strstr(p, key);
    if (!l)
        fail_msg("no %s line in\n%s", name, p);
    char t[4][40] = { "", "", "", "" };
    int k = sscanf(l + strlen(key), "%39s %39s %39s %39s", t[0], t[1], t[2], t[3]);
    assert_true(k >= 2);
    snprintf(b, 40, "%s", t[0]);
    snprintf(a, 40, "%s", !strcmp(t[1], "->") ? t[2] : t[1]);
}

static size_t find_ev(const struct tui_model *m, const char *a, const char *b)
{
    char row[512];
    for (size_t ev = 0; ev < m->rec->n; ev++) {
        tui_text_row(m, ev, row, sizeof row);
        if (strstr(row, a) && strstr(row, b))
            return ev;
    }
    fail_msg("no event with '%s' and '%s'", a, b);
    return 0;
}

static void test_handshake_step_by_step(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/handshake.scn", &r, 0);
    struct tui_model m;
    tui_model_init(&m, &r);
    struct tui_rewind rw;
    tui_rewind_init(&rw, &r);
    size_t recv = find_ev(&m, "RECV  client", "[SA]");
    uint64_t unit = r.ev[recv].unit;
    size_t first = recv, last = recv;
    while (first > 0 && r.ev[first - 1].unit == unit)
        first--;
    while (last + 1 < r.n && r.ev[last + 1].unit == unit)
        last++;
    /* the unit the new-user walk found: RECV, NOTE send, SEND [A], SEND [PA] */
    assert_int_equal(first, recv);
    assert_int_equal(last - first + 1, 4);
    assert_int_equal(r.ev[first + 1].kind, SIM_EV_NOTE);
    assert_int_equal(r.ev[first + 2].kind, SIM_EV_SEND);
    assert_int_equal(r.ev[first + 3].kind, SIM_EV_SEND);
    struct tui_pk data;
    tui_pk_read(tui_rec_pkt(&r, &r.ev[first + 3]), r.ev[first + 3].len, &data);
    assert_true(data.plen > 0);
    char prev_state[40] = "", prev_nxt[40] = "";
    char *p;
    for (size_t ev = first; ev <= last; ev++) {
        p = panel(&m, &rw, ev);
        char sb[40], sa[40], nb[40], na[40], ub[40], ua[40];
        field(p, "state", sb, sa);
        field(p, "SND.NXT", nb, na);
        field(p, "SND.UNA", ub, ua);
        if (ev == recv) {
            assert_string_equal(sb, "SYN-SENT");
            assert_string_equal(sa, "ESTABLISHED");
            assert_string_equal(ub, "0");
            assert_string_equal(ua, "1");
        } else {
            assert_string_equal(sb, "ESTABLISHED");
            assert_string_equal(sa, "ESTABLISHED");
            assert_string_equal(ub, ua);
            assert_null(strstr(p, "SYN-SENT"));
        }
        if (ev == last)   /* the data's SEND: SND.NXT past its bytes, there only */
            assert_int_equal(strtoul(na, NULL, 10) - strtoul(nb, NULL, 10), data.plen);
        else
            assert_string_equal(nb, na);
        if (ev > first) {   /* each before is what the event listed before left */
            assert_string_equal(sb, prev_state);
            assert_string_equal(nb, prev_nxt);
        }
        snprintf(prev_state, sizeof prev_state, "%s", sa);
        snprintf(prev_nxt, sizeof prev_nxt, "%s", na);
        free(p);
    }
    /* and the step back gives the same: the RECV again after the unit's last event */
    char *again = panel(&m, &rw, recv);
    assert_non_null(strstr(again, "SYN-SENT -> ESTABLISHED"));
    assert_non_null(strstr(again, "before: as it arrived"));
    free(again);
    /* the TIME-WAIT's end, a unit with no datagram: the TCB found by its tuple, then gone */
    size_t tw = find_ev(&m, "TIMER client", "=> close");
    p = panel(&m, &rw, tw);
    assert_non_null(strstr(p, "TCB 198.51.100.10:"));
    assert_non_null(strstr(p, "TIME-WAIT -> (gone)"));
    free(p);
    tui_rewind_free(&rw);
    tui_model_free(&m);
    tui_rec_free(&r);
}

/* ---------------------------------------------------------------- filter directions */

static const char dir_scn[] =
    "scenario \"filter directions\"\n"
    "seed 5\n"
    "net 10.0.0.0/24 delay 1ms loss 0%\n"
    "host client 10.0.0.1 os linux\n"
    "host server 10.0.0.2 os linux tcp 80\n"
    "filter fw at server in stateful\n"
    "  accept tcp dport 80 flags syn\n"
    "  policy drop\n"
    "filter egress at client out\n"
    "  drop tcp dport 81\n"
    "  accept tcp dport 80\n"
    "connect client -> server:80 at 10ms send 100 close 200ms\n"
    "send client:5000 -> server:81 tcp flags S at 300ms\n";

static void test_filter_direction(void **state)
{
    (void)state;
    struct scenario sc;
    char err[512];
    if (scenario_parse("dir.scn", dir_scn, sizeof dir_scn - 1, &sc, err, sizeof err))
        fail_msg("%s", err);
    struct tui_rec r;
    record_sc(&sc, &r, 3);
    scenario_free(&sc);
    struct tui_model m;
    tui_model_init(&m, &r);
    struct tui_rewind rw;
    tui_rewind_init(&rw, &r);

    /* The client's data passes the server's conntrack (it is no SYN: the rules would drop
     * it); the server's ACK of it, in the same unit, meets no filter on its way out. */
    size_t in = find_ev(&m, "RECV  server", "len=100");
    char *p = panel(&m, &rw, in);
    assert_non_null(strstr(p, "=> conntrack passed this one"));
    assert_null(strstr(p, "no inbound filter"));
    free(p);
    assert_int_equal(r.ev[in + 1].kind, SIM_EV_SEND);
    assert_int_equal(r.ev[in + 1].unit, r.ev[in].unit);
    p = panel(&m, &rw, in + 1);
    assert_non_null(strstr(p, "no outbound filter: nothing checked this datagram on its way out"));
    assert_null(strstr(p, "conntrack passed"));
    assert_null(strstr(p, "  =>"));
    assert_non_null(strstr(p, "(not consulted: an inbound filter, and this datagram goes out)"));
    free(p);

    /* The SYN leaves the client through its outbound filter: rule 2 matched, on the SEND
     * itself; the server's inbound filter: rule 1 on the SYN's RECV. */
    size_t syn = find_ev(&m, "SEND  client", "[S] s=0 len=0");
    p = panel(&m, &rw, syn);
    assert_non_null(strstr(p, "filter egress out"));
    assert_non_null(strstr(p, "  =>2 accept tcp dport 80"));
    assert_null(strstr(p, "  =>1"));
    free(p);
    size_t synin = find_ev(&m, "RECV  server", "[S] s=0 len=0");
    p = panel(&m, &rw, synin);
    assert_non_null(strstr(p, "  =>1 accept tcp dport 80 flags syn"));
    assert_null(strstr(p, "no inbound filter"));
    free(p);

    /* The probe to port 81: dropped by the client's outbound rule 1, shown at the SEND (its
     * way out) and at the DROP; the server's SYN-ACK meets no outbound filter. */
    size_t probe = find_ev(&m, "SEND  client", "5000 > 81");
    assert_int_equal(r.ev[probe + 1].kind, SIM_EV_DROP);
    for (size_t ev = probe; ev <= probe + 1; ev++) {
        p = panel(&m, &rw, ev);
        assert_non_null(strstr(p, "  =>1 drop tcp dport 81"));
        free(p);
    }
    size_t sa = find_ev(&m, "SEND  server", "[SA]");
    p = panel(&m, &rw, sa);
    assert_non_null(strstr(p, "no outbound filter: nothing checked"));
    assert_null(strstr(p, "  =>"));
    free(p);
    check_both_ways(&r, "dir.scn");
    tui_rewind_free(&rw);
    tui_model_free(&m);
    tui_rec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_step_by_step),
        cmocka_unit_test(test_filter_direction),
        cmocka_unit_test(test_every_scenario_both_ways),
        cmocka_unit_test(test_driven_both_ways),
        cmocka_unit_test(test_attached_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
