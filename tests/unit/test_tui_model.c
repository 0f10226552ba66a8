/* test_tui_model.c — the TUI's headless model (tui/rec, rewind, model, text): recording,
 * the cursor, filters, follow and its stream, bookmarks and the jump stack, causes, relative
 * sequence numbers, the ladder, the packet fields; and the true step back: for every unit of
 * every lab scenario (and of a run driven from outside, as a scan drives it), the state the
 * rewind rebuilds equals the state the run had going forward, visited backwards and out of
 * order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/pcapfile.h"
#include "lib/wire.h"
#include "lab/lab.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "tui/model.h"
#include "tui/rec.h"
#include "tui/rewind.h"
#include "tui/text.h"

static void load(const char *path, struct scenario *sc)
{
    char err[512];
    if (lab_scenario_file(path, sc, err, sizeof err))   /* a lab scenario's parameters at their defaults */
        fail_msg("%s", err);
}

static void record(const char *path, struct tui_rec *r, uint64_t snap_every)
{
    struct scenario sc;
    char err[512];
    load(path, &sc);
    tui_rec_init(r);
    if (tui_rec_run_scenario(r, &sc, sc.seed, 3600ULL * 1000000000ULL, snap_every, err, sizeof err))
        fail_msg("%s", err);
    scenario_free(&sc);
}

/* ---------------------------------------------------------------- a state as text */

struct dump { char *s; size_t n, cap; };

__attribute__((format(printf, 2, 3)))
static void dp(struct dump *d, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (d->n + (size_t)k + 1 > d->cap) {
        d->cap = (d->n + (size_t)k + 1) * 2;
        d->s = realloc(d->s, d->cap);
        assert_non_null(d->s);
    }
    memcpy(d->s + d->n, buf, (size_t)k + 1);
    d->n += (size_t)k;
}

/* Everything the inspection API shows of s. */
static char *state_of(const struct sim *s)
{
    struct dump d = { 0 };
    dp(&d, "now %llu unit %llu\n", (unsigned long long)sim_now(s), (unsigned long long)sim_unit(s));
    size_t nh = sim_host_count(s);
    for (size_t i = 0; i < nh; i++) {
        struct sim_host_info h;
        sim_host_at(s, i, &h);
        dp(&d, "host %s tcbs %u timers %u\n", h.name, h.ntcbs, h.ntimers);
        struct sim_tcb_info t[64];
        int n = sim_host_tcbs(s, h.addr, t, 64);
        for (int k = 0; k < n && k < 64; k++)
            dp(&d, " tcb %d %u %u:%u una %u nxt %u wnd %u rnxt %u rwnd %u iss %u irs %u tm %d@%llu r%u\n",
               t[k].state, t[k].lport, t[k].raddr, t[k].rport, t[k].snd_una, t[k].snd_nxt,
               t[k].snd_wnd, t[k].rcv_nxt, t[k].rcv_wnd, t[k].iss, t[k].irs, t[k].timer,
               (unsigned long long)t[k].timer_at_ns, t[k].retries);
        struct sim_listener_info l[16];
        n = sim_host_listeners(s, h.addr, l, 16);
        for (int k = 0; k < n && k < 16; k++)
            dp(&d, " lis %u %u\n", l[k].port, l[k].half_open);
        for (size_t j = 0; j < nh; j++) {
            struct sim_host_info p;
            sim_host_at(s, j, &p);
            struct sim_ipid_info ip;
            sim_host_ipid(s, h.addr, p.addr, WIRE_PROTO_TCP, &ip);
            struct sim_isn_info isn;
            sim_host_isn(s, h.addr, 80, p.addr, 40000, &isn);
            dp(&d, " to %s ipid %d global %d isn %d %u\n", p.name, ip.toward, ip.global,
               isn.predictable, isn.next);
        }
    }
    for (size_t f = 0; f < sim_filter_count(s); f++) {
        struct sim_filter_info fi;
        sim_filter_info(s, f, &fi);
        dp(&d, "filter %s policy %llu ct %u passed %llu\n", fi.name,
           (unsigned long long)fi.policy_hits, fi.nconntrack,
           (unsigned long long)fi.conntrack_passed);
        for (uint32_t k = 0; k < fi.nrules; k++) {
            struct sim_rule_info ri;
            sim_filter_rule(s, f, k, &ri);
            dp(&d, " rule %u %llu\n", k, (unsigned long long)ri.hits);
        }
        struct sim_ct_info ct[64];
        int n = sim_filter_conntrack(s, f, ct, 64);
        for (int k = 0; k < n && k < 64; k++)
            dp(&d, " ct %u %u:%u %u:%u %d\n", ct[k].proto, ct[k].orig, ct[k].orig_port,
               ct[k].resp, ct[k].resp_port, ct[k].replied);
    }
    struct sim_stats st;
    sim_get_stats(s, &st);
    dp(&d, "stats %llu %llu %llu %llu\n", (unsigned long long)st.events,
       (unsigned long long)st.sent, (unsigned long long)st.delivered,
       (unsigned long long)st.dropped);
    return d.s;
}

/* Records a scenario while keeping the state after every unit, going forward. */
static char **record_forward(const char *path, struct tui_rec *r, uint64_t snap_every,
                             size_t *nunits)
{
    struct scenario sc;
    load(path, &sc);
    struct sim *s = sim_new(sc.seed);
    char err[512];
    if (sim_load(s, &sc, err, sizeof err))
        fail_msg("%s", err);
    tui_rec_init(r);
    assert_int_equal(tui_rec_attach(r, s, snap_every), 0);
    size_t cap = 1024, n = 0;
    char **st = malloc(cap * sizeof *st);
    st[n++] = state_of(s);
    while (sim_next_time(s) <= 3600ULL * 1000000000ULL && sim_step(s)) {
        tui_rec_maybe_snap(r);
        if (n == cap)
            st = realloc(st, (cap *= 2) * sizeof *st);
        assert_int_equal(sim_unit(s), n);
        st[n++] = state_of(s);
    }
    tui_rec_detach(r);
    sim_free(s);
    scenario_free(&sc);
    *nunits = n;
    return st;
}

static void check_rewind(const struct tui_rec *r, char **st, size_t n)
{
    struct tui_rewind rw;
    tui_rewind_init(&rw, r);
    /* backwards: every step is a step back */
    for (size_t u = n; u-- > 0;) {
        const struct sim *s = tui_rewind_at(&rw, u);
        assert_non_null(s);
        char *got = state_of(s);
        assert_string_equal(got, st[u]);
        free(got);
    }
    /* out of order: jumps both ways across snapshots */
    uint64_t x = 12345;
    for (int i = 0; i < 200; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t u = (size_t)(x >> 33) % n;
        const struct sim *s = tui_rewind_at(&rw, u);
        assert_non_null(s);
        char *got = state_of(s);
        assert_string_equal(got, st[u]);
        free(got);
    }
    tui_rewind_free(&rw);
}

static void test_rewind_every_lab(void **state)
{
    (void)state;
    static const char *const labs[] = {
        "scenarios/handshake.scn", "scenarios/port-states.scn", "scenarios/isn-prediction.scn",
        "scenarios/idle-scan.scn", "scenarios/packet-counting.scn",
        "scenarios/challenge-ack.scn", "scenarios/default.scn",
    };
    for (size_t i = 0; i < sizeof labs / sizeof *labs; i++) {
        struct tui_rec r;
        size_t n;
        char **st = record_forward(labs[i], &r, 7, &n);
        assert_true(r.nsnaps >= 1);
        check_rewind(&r, st, n);
        for (size_t k = 0; k < n; k++)
            free(st[k]);
        free(st);
        tui_rec_free(&r);
    }
}

/* A run driven from outside, as the scanner drives pktio_sim: probes injected, the clock
 * moved, a stream opened; the rewind repeats those calls from its snapshots. */
static void test_rewind_driven(void **state)
{
    (void)state;
    struct scenario sc;
    load("scenarios/port-states.scn", &sc);
    sc.nsends = 0;   /* only the driver's probes */
    struct sim *s = sim_new(9);
    char err[512];
    if (sim_load(s, &sc, err, sizeof err))
        fail_msg("%s", err);
    struct tui_rec r;
    tui_rec_init(&r);
    assert_int_equal(tui_rec_attach(&r, s, 5), 0);
    size_t cap = 4096, n = 0;
    char **st = malloc(cap * sizeof *st);
    st[n++] = state_of(s);
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
        st[n++] = state_of(s);
        if (i == 4) {
            assert_true(sim_stream_connect(s, src, dst, 22) >= 0);
            st[n++] = state_of(s);
        }
        uint64_t until = sim_now(s) + 3000000;
        while (sim_next_time(s) <= until) {
            sim_step(s);
            tui_rec_maybe_snap(&r);
            st[n++] = state_of(s);
        }
        sim_run_until(s, until);   /* a unit when the clock moves */
        if (sim_unit(s) == n)
            st[n++] = state_of(s);
        assert_int_equal(sim_unit(s), n - 1);
    }
    tui_rec_detach(&r);
    assert_true(r.nops > 9);
    check_rewind(&r, st, n);
    for (size_t k = 0; k < n; k++)
        free(st[k]);
    free(st);
    tui_rec_free(&r);
    sim_free(s);
    scenario_free(&sc);
}

/* An attached script's session, as `tcplab tui --replay` records one: datagrams injected
 * with any source (sim_inject_as), notes, a connection from a fixed port through the
 * attached host's own stack with bytes written and a close. Every one is an outside call
 * the rewind must give again whole; the injected datagrams are marked and drawn from the
 * address they claim. */
static size_t find_row(const struct tui_model *m, const char *needle);

struct att_run { struct sim *s; struct tui_rec *r; char **st; size_t n, cap; };

static void att_keep(struct att_run *a)
{
    if (a->n == a->cap)
        a->st = realloc(a->st, (a->cap *= 2) * sizeof *a->st);
    a->st[a->n++] = state_of(a->s);
    assert_int_equal(sim_unit(a->s), a->n - 1);
}

static void att_settle(struct att_run *a, uint64_t dt)
{
    uint64_t until = sim_now(a->s) + dt;
    while (sim_next_time(a->s) <= until) {
        sim_step(a->s);
        tui_rec_maybe_snap(a->r);
        att_keep(a);
    }
    sim_run_until(a->s, until);
    if (sim_unit(a->s) == a->n)
        att_keep(a);
}

static size_t att_syn(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    struct wire_ipv4 ip = { .ttl = 64, .id = 1, .proto = WIRE_PROTO_TCP, .src = src, .dst = dst };
    struct wire_tcp t = { .sport = sport, .dport = dport, .seq = 5000, .flags = TCP_SYN,
                          .window = 1024 };
    return wire_emit_tcp(buf, 64, &ip, &t);
}

static void test_rewind_attached(void **state)
{
    (void)state;
    struct scenario sc;
    load("tests/attach/mitnick.scn", &sc);
    struct att_run a = { .s = sim_new(sc.seed), .cap = 64 };
    char err[512];
    if (sim_load(a.s, &sc, err, sizeof err))
        fail_msg("%s", err);
    uint32_t me, trusted, server;
    assert_int_equal(sim_host_lookup(a.s, "attacker", &me), 0);
    assert_int_equal(sim_host_lookup(a.s, "trusted", &trusted), 0);
    assert_int_equal(sim_host_lookup(a.s, "server", &server), 0);
    assert_int_equal(sim_attach(a.s, me, 32, me, NULL, NULL), 0);
    struct tui_rec r;
    tui_rec_init(&r);
    a.r = &r;
    assert_int_equal(tui_rec_attach(&r, a.s, 4), 0);
    a.st = malloc(a.cap * sizeof *a.st);
    att_keep(&a);
    uint8_t buf[64];
    sim_attach_note(a.s, "stage 1: sample the ISN");
    att_keep(&a);
    assert_int_equal(sim_inject_as(a.s, buf, att_syn(buf, me, server, 40000, 513)), 0);
    att_keep(&a);
    att_settle(&a, 10000000);
    sim_attach_note(a.s, "stage 2: a spoofed SYN from trusted");
    att_keep(&a);
    assert_int_equal(sim_inject_as(a.s, buf, att_syn(buf, trusted, server, 1023, 513)), 0);
    att_keep(&a);
    att_settle(&a, 10000000);
    int h = sim_stream_open(a.s, me, server, 80, 37518);
    assert_true(h >= 0);
    att_keep(&a);
    att_settle(&a, 5000000);
    assert_int_equal(sim_stream_write(a.s, h, 3000), 0);
    att_keep(&a);
    att_settle(&a, 20000000);
    assert_int_equal(sim_stream_close(a.s, h), 0);
    att_keep(&a);
    att_settle(&a, 100000000);
    tui_rec_detach(&r);
    assert_false(r.oom);
    check_rewind(&r, a.st, a.n);
    /* the spoofed SYN: injected, from trusted's lifeline, the note an event */
    struct tui_model m;
    tui_model_init(&m, &r);
    size_t row = find_row(&m, "(injected as trusted)");
    size_t ev = tui_model_ev_at(&m, row);
    assert_true(r.ev[ev].mark & TUI_M_INJECTED);
    assert_false(r.ev[ev].mark & TUI_M_PROBE);
    assert_int_equal(r.ev[ev].host_addr, me);
    char line[256];
    size_t a0, a1;
    assert_int_equal(tui_ladder_row(&m, ev, 3 * m.colw, line, &a0, &a1), TUI_LS_INJECTED);
    long tc = tui_rec_col(&r, trusted), scol = tui_rec_col(&r, server);
    assert_true(tc >= 0 && scol >= 0);
    assert_non_null(strchr(line, '~'));
    size_t lo = (size_t)(tc < scol ? tc : scol) * m.colw + m.colw / 2;
    size_t hi = (size_t)(tc < scol ? scol : tc) * m.colw + m.colw / 2;
    assert_int_equal(a0, lo + 1);   /* the arrow spans trusted's and server's lifelines */
    assert_int_equal(a1, hi);
    find_row(&m, "NOTE  attacker => stage 2: a spoofed SYN from trusted");
    find_row(&m, "37518 > 80 [S]");
    tui_model_free(&m);
    for (size_t k = 0; k < a.n; k++)
        free(a.st[k]);
    free(a.st);
    tui_rec_free(&r);
    sim_free(a.s);
    scenario_free(&sc);
}

/* ---------------------------------------------------------------- the model */

static size_t find_row(const struct tui_model *m, const char *needle)
{
    char row[512];
    for (size_t i = 0; i < tui_model_rows(m); i++) {
        tui_text_row(m, tui_model_ev_at(m, i), row, sizeof row);
        if (strstr(row, needle))
            return i;
    }
    fail_msg("no row with '%s'", needle);
    return 0;
}

static void test_cursor(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/handshake.scn", &r, 0);
    struct tui_model m;
    tui_model_init(&m, &r);
    assert_true(r.n > 40);
    assert_int_equal(tui_model_rows(&m), r.n);
    assert_int_equal(tui_model_ev(&m), 0);
    tui_model_prev(&m, 1);
    assert_int_equal(tui_model_ev(&m), 0);
    tui_model_next(&m, 3);
    assert_int_equal(tui_model_ev(&m), 3);
    tui_model_last(&m);
    assert_int_equal(tui_model_ev(&m), r.n - 1);
    tui_model_next(&m, 10);
    assert_int_equal(tui_model_ev(&m), r.n - 1);
    tui_model_first(&m);
    assert_int_equal(tui_model_ev(&m), 0);
    assert_int_equal(tui_model_goto_number(&m, 5), 0);
    assert_int_equal(tui_model_ev(&m), 4);
    assert_int_equal(tui_model_goto_number(&m, 0), -1);
    assert_int_equal(tui_model_goto_number(&m, r.n + 1), -1);
    assert_int_equal(tui_model_ev(&m), 4);
    m.playing = true;
    tui_model_last(&m);
    assert_false(tui_model_play_step(&m));
    assert_false(m.playing);
    int sp = m.speed;
    tui_model_speed(&m, 1);
    assert_true(m.speed > sp);
    tui_model_free(&m);
    tui_rec_free(&r);
}

static void test_filters(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/port-states.scn", &r, 0);
    struct tui_model m;
    tui_model_init(&m, &r);
    char err[160];
    assert_int_equal(tui_model_set_filter(&m, "drop", err, sizeof err), 0);
    assert_true(tui_model_rows(&m) >= 5);
    for (size_t i = 0; i < tui_model_rows(&m); i++)
        assert_int_equal(r.ev[tui_model_ev_at(&m, i)].kind, SIM_EV_DROP);
    assert_int_equal(tui_model_set_filter(&m, "port 21 tcp", err, sizeof err), 0);
    size_t n21 = tui_model_rows(&m);
    assert_true(n21 >= 3);   /* the SYN, its DROP (reject), the RST back, ... */
    for (size_t i = 0; i < n21; i++) {
        struct tui_pk k;
        const struct tui_ev *e = &r.ev[tui_model_ev_at(&m, i)];
        tui_pk_read(tui_rec_pkt(&r, e), e->len, &k);
        assert_true(k.sport == 21 || k.dport == 21);
    }
    assert_int_equal(tui_model_set_filter(&m, "flags=RA", err, sizeof err), 0);
    for (size_t i = 0; i < tui_model_rows(&m); i++) {
        struct tui_pk k;
        const struct tui_ev *e = &r.ev[tui_model_ev_at(&m, i)];
        tui_pk_read(tui_rec_pkt(&r, e), e->len, &k);
        assert_int_equal(k.flags, TCP_RST | TCP_ACK);
    }
    assert_int_equal(tui_model_set_filter(&m, "target send icmp", err, sizeof err), 0);
    assert_int_equal(tui_model_rows(&m), 2);   /* the ICMP rejects: 3306 and 25 */
    assert_int_equal(tui_model_set_filter(&m, "nosuchhost", err, sizeof err), -1);
    assert_non_null(strstr(err, "nosuchhost"));
    assert_int_equal(tui_model_set_filter(&m, "port 99999", err, sizeof err), -1);
    assert_int_equal(tui_model_set_filter(&m, "flags XYZ", err, sizeof err), -1);
    assert_int_equal(tui_model_set_filter(&m, "host", err, sizeof err), -1);
    assert_int_equal(tui_model_rows(&m), 2);    /* a bad filter leaves the last one */
    /* the cursor stays on its event when the filter changes, or the nearest after */
    tui_model_next(&m, 1);
    size_t ev = tui_model_ev(&m);
    assert_int_equal(tui_model_set_filter(&m, "", err, sizeof err), 0);
    assert_int_equal(tui_model_rows(&m), r.n);
    assert_int_equal(tui_model_ev(&m), ev);
    tui_model_free(&m);
    tui_rec_free(&r);
}

static void test_follow_and_stream(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/handshake.scn", &r, 0);
    struct tui_model m;
    tui_model_init(&m, &r);
    assert_int_equal(tui_model_toggle_follow(&m), -1);   /* event 1 is a note */
    tui_model_goto_ev(&m, find_row(&m, "[S]"));
    uint32_t conn = r.ev[tui_model_ev(&m)].conn;
    assert_true(conn > 0);
    assert_int_equal(tui_model_toggle_follow(&m), 0);
    size_t rows = tui_model_rows(&m);
    assert_true(rows >= 10);
    int dirs[2] = { 0, 0 };
    for (size_t i = 0; i < rows; i++) {
        const struct tui_ev *e = &r.ev[tui_model_ev_at(&m, i)];
        assert_int_equal(e->conn, conn);
        dirs[(e->mark & TUI_M_DIR1) ? 1 : 0]++;
    }
    assert_true(dirs[0] > 0 && dirs[1] > 0);
    static char lines[64][160];
    int dir[64];
    size_t n = tui_stream(&m, lines, dir, 64);
    assert_true(n >= 2);
    assert_non_null(strstr(lines[0], "200 bytes >"));
    assert_string_equal(lines[1], "> XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
    assert_int_equal(dir[1], 0);
    assert_int_equal(tui_model_toggle_follow(&m), 0);
    assert_int_equal(tui_model_rows(&m), r.n);
    /* relative numbers: the SYN-ACK is seq 0, ack 1; absolute: its ISS */
    tui_model_goto_ev(&m, find_row(&m, "[SA]"));
    uint32_t seq, ack;
    tui_model_seq(&m, tui_model_ev(&m), &seq, &ack);
    assert_int_equal(seq, 0);
    assert_int_equal(ack, 1);
    m.absolute = true;
    tui_model_seq(&m, tui_model_ev(&m), &seq, &ack);
    assert_true(seq > 1);
    tui_model_free(&m);
    tui_rec_free(&r);
}

static void test_marks_and_jumps(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/handshake.scn", &r, 0);
    struct tui_model m;
    tui_model_init(&m, &r);
    assert_int_equal(tui_model_jump_mark(&m, 'a'), -1);
    assert_int_equal(tui_model_jump_back(&m), -1);
    tui_model_next(&m, 6);
    tui_model_mark(&m, 'a');
    tui_model_last(&m);
    assert_int_equal(tui_model_jump_mark(&m, 'a'), 0);
    assert_int_equal(tui_model_ev(&m), 6);
    assert_int_equal(tui_model_jump_back(&m), 0);
    assert_int_equal(tui_model_ev(&m), r.n - 1);
    /* causes: the SYN-ACK's SEND <- the SYN's RECV <- the SYN's SEND <- the connect note */
    tui_model_goto_ev(&m, find_row(&m, "SEND  server   >client   80 > "));
    size_t synack = tui_model_ev(&m);
    assert_int_equal(tui_model_jump_cause(&m), 0);
    assert_int_equal(r.ev[tui_model_ev(&m)].kind, SIM_EV_RECV);
    assert_int_equal(tui_model_jump_cause(&m), 0);
    assert_int_equal(r.ev[tui_model_ev(&m)].kind, SIM_EV_SEND);
    size_t syn = tui_model_ev(&m);
    assert_int_equal(tui_model_jump_fate(&m), 0);
    assert_int_equal(r.ev[tui_model_ev(&m)].kind, SIM_EV_RECV);
    assert_int_equal(r.ev[tui_model_ev(&m)].fate, syn + 1);
    assert_int_equal(tui_model_jump_back(&m), 0);
    assert_int_equal(tui_model_jump_back(&m), 0);
    assert_int_equal(tui_model_jump_back(&m), 0);
    assert_int_equal(tui_model_ev(&m), synack);
    /* a jump to an event the filter hides drops the filter */
    char err[160];
    assert_int_equal(tui_model_set_filter(&m, "send", err, sizeof err), 0);
    tui_model_goto_ev(&m, synack);
    assert_int_equal(tui_model_jump_cause(&m), 0);
    assert_false(m.filt.any);
    assert_int_equal(r.ev[tui_model_ev(&m)].kind, SIM_EV_RECV);
    tui_model_free(&m);
    tui_rec_free(&r);
}

static void test_marks_retrans_ladder(void **state)
{
    (void)state;
    struct tui_rec r;
    record("tests/golden/data/heldout_challenge.scn", &r, 0);   /* spoofed sends */
    struct tui_model m;
    tui_model_init(&m, &r);
    assert_true(r.ncols >= 2);
    char line[512], hdr[512];
    tui_ladder_header(&m, 80, hdr);
    assert_int_equal(strlen(hdr), 80);
    size_t inj = 0, a0, a1;
    for (size_t i = 0; i < r.n; i++) {
        enum tui_lstyle st = tui_ladder_row(&m, i, 80, line, &a0, &a1);
        assert_int_equal(strlen(line), 80);
        if (r.ev[i].mark & TUI_M_INJECTED) {
            inj++;
            assert_int_equal(st, TUI_LS_INJECTED);
            assert_non_null(strchr(line, '~'));
        }
    }
    assert_true(inj > 0);
    /* horizontal scroll: column 1 first */
    m.col0 = 1;
    tui_ladder_header(&m, 80, hdr);
    assert_int_equal(hdr[0], '<');
    FILE *f = tmpfile();
    assert_int_equal(tui_export_svg(&m, f), 0);
    assert_true(ftell(f) > 100);
    fclose(f);
    tui_model_free(&m);
    tui_rec_free(&r);
}

static void test_fields(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct wire_ipv4 ip = { .ttl = 64, .id = 5, .proto = WIRE_PROTO_TCP, .src = 0x0a000001,
                            .dst = 0x0a000002 };
    struct wire_tcp t = { .sport = 1234, .dport = 80, .seq = 1, .flags = TCP_SYN, .window = 99 };
    size_t len = wire_emit_tcp(buf, sizeof buf, &ip, &t);
    struct tui_field f[48];
    size_t n = tui_fields(buf, len, f, 48);
    size_t flags = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        assert_false(f[i].bad);
        if (strstr(f[i].text, "flags           0x02 [S]"))
            flags = i;
    }
    assert_true(flags != SIZE_MAX);
    assert_int_equal(f[flags].off, 20 + 13);
    assert_int_equal(f[flags].len, 1);
    buf[20 + 16] ^= 0xff;   /* break the TCP checksum */
    n = tui_fields(buf, len, f, 48);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].bad) {
            bad++;
            assert_non_null(strstr(f[i].text, "bad checksum"));
            assert_int_equal(f[i].off, 36);
        }
    assert_int_equal(bad, 1);
    char hex[96];
    tui_hex_line(buf, len, 16, hex, sizeof hex);
    assert_int_equal(strncmp(hex, "0010  0a 00 00 02 04 d2 00 50", 29), 0);
}

/* A capture: one event per datagram, connections, no inside. */
struct pw { struct pcap_writer *w; };
static void wire_to_pcap(void *ctx, uint64_t t, const uint8_t *p, size_t len)
{
    pcapw_write(((struct pw *)ctx)->w, t, p, len);
}

static void test_pcap(void **state)
{
    (void)state;
    struct scenario sc;
    load("scenarios/handshake.scn", &sc);
    struct sim *s = sim_new(sc.seed);
    char err[512];
    assert_int_equal(sim_load(s, &sc, err, sizeof err), 0);
    char path[] = "/tmp/tcplab-tui-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct pw pw = { pcapw_open(path, err, sizeof err) };
    assert_non_null(pw.w);
    sim_set_wiretap(s, wire_to_pcap, &pw);
    struct sim_stats st;
    sim_run(s, UINT64_MAX, NULL);
    sim_get_stats(s, &st);
    assert_int_equal(pcapw_commit(pw.w, err, sizeof err), 0);
    struct tui_rec r;
    tui_rec_init(&r);
    assert_int_equal(tui_rec_load_pcap(&r, path, err, sizeof err), 0);
    assert_int_equal(r.n, st.sent);
    assert_true(r.from_pcap);
    assert_int_equal(r.ncols, 2);
    assert_true(r.nconns >= 2);
    struct tui_rewind rw;
    tui_rewind_init(&rw, &r);
    assert_null(tui_rewind_at(&rw, 1));
    struct tui_model m;
    tui_model_init(&m, &r);
    static char lines[8][160];
    assert_int_equal(tui_inside(&m, NULL, 0, lines, 8), 1);
    assert_non_null(strstr(lines[0], "capture"));
    tui_model_free(&m);
    tui_rewind_free(&rw);
    tui_rec_free(&r);
    tui_rec_init(&r);
    assert_int_equal(tui_rec_load_pcap(&r, "/nonexistent/x.pcap", err, sizeof err), -1);
    assert_true(err[0] != 0);
    tui_rec_free(&r);
    unlink(path);
    close(fd);
    sim_free(s);
    scenario_free(&sc);
}

/* The inside names the filter rule the event hit (its count before and after differ: both
 * read before the rewind moves on to the event). */
static void test_inside_rule(void **state)
{
    (void)state;
    struct tui_rec r;
    record("scenarios/port-states.scn", &r, 0);
    struct tui_model m;
    tui_model_init(&m, &r);
    struct tui_rewind rw;
    tui_rewind_init(&rw, &r);
    size_t ev = tui_model_ev_at(&m, find_row(&m, "=> reject tcp-reset"));
    static char lines[64][160];
    size_t n = tui_inside(&m, &rw, ev, lines, 64), hits = 0;
    for (size_t i = 0; i < n; i++)
        if (!strncmp(lines[i], "  =>", 4)) {
            hits++;
            assert_non_null(strstr(lines[i], "=>2 reject tcp dport 21 with tcp-reset"));
        }
    assert_int_equal(hits, 1);
    tui_rewind_free(&rw);
    tui_model_free(&m);
    tui_rec_free(&r);
}

/* The help fits 80x24 whole: at most 20 lines (with its frame and the bars, 24 rows) of at
 * most 74 characters (76 columns with its margins). */
static void test_help_fits(void **state)
{
    (void)state;
    size_t n = 0;
    for (; tui_help_lines[n]; n++)
        assert_true(strlen(tui_help_lines[n]) <= 74);
    assert_true(n <= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_follow_and_stream),
        cmocka_unit_test(test_marks_and_jumps),
        cmocka_unit_test(test_marks_retrans_ladder),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_pcap),
        cmocka_unit_test(test_rewind_every_lab),
        cmocka_unit_test(test_rewind_driven),
        cmocka_unit_test(test_rewind_attached),
        cmocka_unit_test(test_inside_rule),
        cmocka_unit_test(test_help_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
