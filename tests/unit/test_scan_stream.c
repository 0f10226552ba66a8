/* test_scan_stream.c — a report streamed host group by host group (scan_config.on_group,
 * each format's begin/host/end) is byte for byte the report written whole after the scan
 * (each format's write), for every format: normal (stdout's body and -oN), grepable, XML,
 * JSON. Issue 13 item 2: a /8 scan must print and free each group's results as nmap does;
 * this is what guarantees that doing so changes no output. Scans run over the simulator
 * (pktio_sim) on a population spread over several host groups, with --open, -sn, -v (down
 * hosts listed), one down host alone ("Host seems down") and --open finding nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pktio/pktio_sim.h"
#include "scanner/engine.h"
#include "scanner/output.h"
#include "sim/scenario.h"

static const char NET[] =
    "net 198.18.0.0/15 delay 1ms\n"
    "host scanner 198.18.0.1 role scanner os linux\n"
    "host named 198.18.5.9 os linux tcp 22\n"
    "hosts 198.18.4.0/22 alive 20% os linux tcp 80\n";

enum { NFMT = 5 };
static const struct output_ops *const FMT[NFMT] = {
    &output_normal_body, &output_normal_file, &output_grep, &output_xml, &output_json,
};

struct sink {
    char *buf[NFMT];
    size_t len[NFMT];
    FILE *f[NFMT];
    size_t nlisted[NFMT];
    bool begun;
    size_t groups, hosts;
};

static void header(struct scan_report *r)
{
    r->start_unix = 946684800;
    r->argv_line = "tcplab scan test";
}

static int on_group(void *ctx, const struct scan_report *rep, const struct host_result *hosts,
                    size_t n, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct sink *s = ctx;
    struct scan_report r = *rep;
    header(&r);
    assert_null(r.hosts);
    for (int k = 0; k < NFMT; k++) {
        if (!s->begun)
            assert_int_equal(FMT[k]->begin(s->f[k], &r), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(FMT[k]->host(s->f[k], &r, &hosts[i], &s->nlisted[k]), 0);
    }
    s->begun = true;
    s->groups++;
    s->hosts += n;
    return 0;
}

static struct scenario net_sc;   /* outlives the pktio over it (pktio_sim.h) */

static struct pktio *open_net(void)
{
    char err[256];
    assert_int_equal(scenario_parse("t.scn", NET, sizeof NET - 1, &net_sc, err, sizeof err), 0);
    struct pktio *io = pktio_sim_open_scenario(&net_sc, 1, err, sizeof err);
    assert_non_null(io);
    return io;
}

static void close_net(struct pktio *io)
{
    pktio_close(io);
    scenario_free(&net_sc);
}

/* Runs cfg twice, whole and streamed; every format's bytes must agree. */
static void check(struct scan_config *cfg, size_t want_groups)
{
    char err[256];
    struct pktio *io = open_net();
    struct scan_report whole;
    assert_int_equal(scan_run(cfg, io, &whole, err, sizeof err), 0);
    close_net(io);
    header(&whole);
    struct sink s = { 0 };
    for (int k = 0; k < NFMT; k++)
        assert_non_null(s.f[k] = open_memstream(&s.buf[k], &s.len[k]));
    io = open_net();
    struct scan_config c2 = *cfg;
    c2.on_group = on_group;
    c2.group_ctx = &s;
    struct scan_report streamed;
    assert_int_equal(scan_run(&c2, io, &streamed, err, sizeof err), 0);
    close_net(io);
    assert_null(streamed.hosts);
    assert_int_equal(streamed.nhosts, whole.nhosts);
    assert_int_equal(s.hosts, whole.nhosts);
    assert_int_equal(s.groups, want_groups);
    header(&streamed);
    for (int k = 0; k < NFMT; k++) {
        assert_int_equal(FMT[k]->end(s.f[k], &streamed, s.nlisted[k]), 0);
        fclose(s.f[k]);
        char *w = NULL;
        size_t wl = 0;
        FILE *f = open_memstream(&w, &wl);
        assert_non_null(f);
        assert_int_equal(FMT[k]->write(f, &whole), 0);
        fclose(f);
        if (strcmp(w, s.buf[k]) != 0)
            fprintf(stderr, "format %s differs:\n--- whole\n%s\n--- streamed\n%s\n",
                    FMT[k]->name, w, s.buf[k]);
        assert_string_equal(s.buf[k], w);
        assert_true(wl > 0);
        free(w);
        free(s.buf[k]);
    }
    scan_report_free(&whole);
    scan_report_free(&streamed);
}

static uint32_t targets[1100];
static const uint16_t PORTS[] = { 22, 80, 443 };

static void base(struct scan_config *c, size_t n)
{
    scan_config_init(c);
    for (size_t i = 0; i < n; i++)
        targets[i] = (198u << 24 | 18u << 16 | 4u << 8) + (uint32_t)i;
    c->targets = targets;
    c->ntargets = n;
    c->tcp_ports = PORTS;
    c->ntcp_ports = 3;
    c->tcp_ports_str = "22,80,443";
    c->timing.template_level = 5;
    c->timing.max_retries = 0;
    c->disc.no_ping = true;
}

static void test_portscan_groups(void **st)
{
    (void)st;
    struct scan_config c;
    base(&c, 1024);
    check(&c, 4);                      /* 4 groups of 256 */
    c.open_only = true;
    check(&c, 4);
    c.open_only = false;
    c.timing.host_group = 100;
    c.reason = true;
    check(&c, 11);
}

static void test_ping_and_verbose(void **st)
{
    (void)st;
    struct scan_config c;
    base(&c, 600);
    c.disc.no_ping = false;
    c.disc.ping_only = true;
    check(&c, 3);                      /* -sn: up hosts only */
    c.verbose = 1;
    check(&c, 3);                      /* -v: down hosts listed too */
    c.disc.ping_only = false;
    c.verbose = 0;
    check(&c, 3);                      /* discovery, then ports of the up hosts */
}

static void test_edge_reports(void **st)
{
    (void)st;
    struct scan_config c;
    base(&c, 1);
    targets[0] = (198u << 24 | 18u << 16 | 7u << 8) + 1;   /* no host there */
    c.disc.no_ping = false;
    check(&c, 1);                      /* "Note: Host seems down" */
    base(&c, 4);
    targets[0] = (198u << 24 | 18u << 16 | 7u << 8) + 1;
    c.ntargets = 1;
    c.open_only = true;
    check(&c, 1);                      /* --open, nothing listed: JSON's empty array */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portscan_groups),
        cmocka_unit_test(test_ping_and_verbose),
        cmocka_unit_test(test_edge_reports),
    };
    return cmocka_run_group_tests_name("scan_stream", tests, NULL, NULL);
}
