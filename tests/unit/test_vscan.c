/* test_vscan.c — -sV's engine (scanner/vscan.c) and what feeds it: which probe goes next
 * (by ports, rarity and intensity; after a softmatch only probes that can name the service;
 * --version-all lifts that), fallbacks (a probe's answer read by another probe's rules, then
 * the NULL probe's), the template substitutions ($1, $P, $SUBST, $I, cpe: escaping, trailing
 * commas, unset groups), the fingerprint of an unrecognised answer, tcpwrapped (a fake
 * backend whose streams close or reset on cue, before and after tcpwrappedms), and whole
 * scans over the simulator with the built-in probes: the default network's services named,
 * a service that says nothing recognisable fingerprinted, an open|filtered port found open,
 * UDP probes; and the default network with the installed nmap's own file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/version.h"
#include "pktio/pktio_sim.h"
#include "scanner/engine.h"
#include "scanner/passes.h"
#include "scanner/vscan.h"
#include "sim/scenario.h"

/* Probes: 0 NULL, 1 Web (port 80, rarity 1), 2 Mid (rarity 3), 3 Rare (rarity 8),
 * 4 WebRare (port 80, rarity 9), 5 Udp (UDP), 6 Ftpish (rarity 6, a rule for ftp),
 * 7 Fb (rarity 2, fallback Web). */
static const char DB[] =
    "Probe TCP NULL q||\n"
    "match ssh m|^SSH-([\\d.]+)-| p/SSH server/ i/protocol $1/\n"
    "softmatch ftp m|^220 |\n"
    "Probe TCP Web q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "ports 80,8080\n"
    "match http m|^HTTP/1\\.[01] \\d+ .*\\r\\nServer: ([^\\r\\n/]+)/([\\d.]+)\\r\\n|s p/$1/ v/$2/ "
    "cpe:/a:$1:$1:$2/\n"
    "Probe TCP Mid q|mid\\r\\n|\n"
    "rarity 3\n"
    "match mid m|^MID (.*)$| p/$P(1)/ v/$SUBST(1,\"_\",\".\")/ i/$I(1,\">\")/\n"
    "Probe TCP Rare q|rare|\n"
    "rarity 8\n"
    "match ftp m|^220 rare ftp (\\d+)| p/Rare ftpd/ v/$1/ cpe:/a:rare:ftp d:$1/\n"
    "Probe TCP WebRare q|x|\n"
    "rarity 9\n"
    "ports 80\n"
    "Probe UDP Udp q|u|\n"
    "rarity 1\n"
    "Probe TCP Ftpish q|USER x\\r\\n|\n"
    "rarity 6\n"
    "match ftp m|^331 (\\w+) ftp (\\d+)?| p/$1 ftpd/ v/$2/ i/a, b, /\n"
    "Probe TCP Fb q|fb|\n"
    "rarity 2\n"
    "fallback Web\n";

static struct svc_db db;

static int setup(void **state)
{
    (void)state;
    char err[256];
    if (svc_db_parse("t.probes", DB, sizeof DB - 1, &db, err, sizeof err) < 0)
        fail_msg("%s", err);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    svc_db_free(&db);
    return 0;
}

/* The probes chosen for a port, as a string of their indices. */
static void order(uint16_t port, int intensity, const char *soft_after_null, char *out)
{
    struct vscan_sel s = {.port = port, .intensity = intensity};
    int k;
    char *o = out;
    while ((k = vscan_next_probe(&s, &db)) >= 0) {
        *o++ = (char)('0' + k);
        if (k == 0 && soft_after_null)
            s.soft_name = soft_after_null;
    }
    *o = '\0';
}

static void test_selection(void **state)
{
    (void)state;
    char got[32];
    /* the port's own probes first (any rarity), then the others by rarity <= intensity */
    order(80, 7, NULL, got);
    assert_string_equal(got, "0142" "67");
    order(22, 7, NULL, got);
    assert_string_equal(got, "01267");
    order(22, 2, NULL, got);             /* --version-light */
    assert_string_equal(got, "017");
    order(22, 0, NULL, got);             /* only the NULL probe and the port's own */
    assert_string_equal(got, "0");
    order(80, 0, NULL, got);
    assert_string_equal(got, "014");
    order(22, 9, NULL, got);             /* --version-all: every TCP probe */
    assert_string_equal(got, "0123467");
    /* UDP: no NULL probe, UDP probes only */
    struct vscan_sel u = {.port = 53, .udp = true, .intensity = 7};
    assert_int_equal(vscan_next_probe(&u, &db), 5);
    assert_int_equal(vscan_next_probe(&u, &db), -1);
}

static void test_softmatch_restricts(void **state)
{
    (void)state;
    char got[32];
    /* a softmatch of ftp in the NULL probe: only probes with an ftp rule, rarity ignored */
    order(22, 7, "ftp", got);
    assert_string_equal(got, "036");
    order(22, 2, "ftp", got);            /* rarity 8 and 6 still tried: they can name it */
    assert_string_equal(got, "036");
    order(22, 9, "ftp", got);            /* --version-all tries everything anyway */
    assert_string_equal(got, "0123467");
}

static void test_fallback_and_templates(void **state)
{
    (void)state;
    struct svc_result r;
    int by = -1;
    /* Fb has no rules: its answer is read by Web's (fallback), then the NULL probe's */
    const char *http = "HTTP/1.1 200 OK\r\nX: 1\r\nServer: Caddy Web/2.7\r\n\r\n";
    assert_int_equal(vscan_match(&db, 7, (const uint8_t *)http, strlen(http), &r, &by), 1);
    assert_int_equal(by, 1);
    assert_string_equal(r.field[SVC_P], "Caddy Web");
    assert_string_equal(r.field[SVC_V], "2.7");
    assert_int_equal(r.ncpe, 1);         /* cpe: lower case, blanks to '_' */
    assert_string_equal(r.cpe[0], "a:caddy_web:caddy_web:2.7");
    assert_int_equal(vscan_match(&db, 7, (const uint8_t *)"SSH-2.0-x\r\n", 11, &r, &by), 1);
    assert_int_equal(by, 0);
    assert_string_equal(r.field[SVC_I], "protocol 2.0");
    /* a softmatch in the NULL probe's rules, reached from Mid (no fallback line: NULL) */
    assert_int_equal(vscan_match(&db, 2, (const uint8_t *)"220 hi", 6, &r, &by), 2);
    assert_string_equal(r.service, "ftp");
    /* UDP probes have no NULL fallback */
    assert_int_equal(vscan_match(&db, 5, (const uint8_t *)"220 hi", 6, &r, &by), 0);
    /* $P drops unprintables, $SUBST replaces, $I reads a big-endian number */
    const uint8_t mid[] = {'M', 'I', 'D', ' ', '1', '_', '2', 0x01};
    assert_int_equal(vscan_match(&db, 2, mid, sizeof mid, &r, NULL), 1);
    assert_string_equal(r.field[SVC_P], "1_2");
    assert_string_equal(r.field[SVC_V], "1.2\x01");
    assert_string_equal(r.field[SVC_I], "828322305");   /* 0x315f3201 */
    /* CPE escaping of a substituted '/' and blank; trailing ", " cut; unset group -> "" */
    const char *rare = "220 rare ftp 5";
    assert_int_equal(vscan_match(&db, 3, (const uint8_t *)rare, strlen(rare), &r, NULL), 1);
    assert_string_equal(r.cpe[0], "a:rare:ftp d:5");     /* literal text is kept as written */
    const char *ft = "331 Pure ftp ";
    assert_int_equal(vscan_match(&db, 6, (const uint8_t *)ft, strlen(ft), &r, NULL), 1);
    assert_string_equal(r.field[SVC_P], "Pure ftpd");
    assert_string_equal(r.field[SVC_V], "");             /* $2 did not take part */
    assert_string_equal(r.field[SVC_I], "a, b");
}

static void test_fingerprint_text(void **state)
{
    (void)state;
    struct vscan_port p = {.port = 79, .proto = 6};
    const uint8_t resp[] = "Who?\0" "1\r\n\x80 ok.";
    assert_int_equal(vscan_fp_add(&p.fp, "NULL", resp, sizeof resp - 1), 0);
    assert_string_equal(p.fp, "%r(NULL,D,\"Who\\?\\x001\\r\\n\\x80\\x20ok\\.\")");
    char one[512], wrapped[512];
    vscan_fp_text(&p, 7, 946684800, false, one, sizeof one);   /* XML's servicefp */
    const char *head = "SF-Port79-TCP:V=" TCPLAB_VERSION "%I=7%D=1/1%Time=386D4380%P=";
    assert_memory_equal(one, head, strlen(head));
    const char *tail = "%r(NULL,D,\"Who\\?\\x001\\r\\n\\x80\\x20ok\\.\");";
    assert_string_equal(one + strlen(one) - strlen(tail), tail);
    /* wrapped: 74 characters, then "\nSF:" lines of 75 with the prefix */
    vscan_fp_text(&p, 7, 946684800, true, wrapped, sizeof wrapped);
    const char *nl = strchr(wrapped, '\n');
    assert_non_null(nl);
    assert_int_equal(nl - wrapped, 74);
    assert_memory_equal(nl, "\nSF:", 4);
    assert_memory_equal(nl + 4, one + 74, strlen(one) - 74);
    assert_int_equal(strlen(wrapped), strlen(one) + 4);
    free(p.fp);
}

/* --- whole scans over the simulator -------------------------------------------------------- */

static const char NET[] =
    "net 198.18.0.0/24 delay 1ms\n"
    "host me 198.18.0.1 role scanner os linux\n"
    "host srv 198.18.0.2 os linux tcp 21,22,79,80,2000\n"
    "  service 21 banner \"220 box FTP server (Version 6.4 Mon Jan 5 2026) ready.\\r\\n\"\n"
    "  service 22 banner \"SSH-2.0-OpenSSH_9.6\\r\\n\"\n"
    "  service 79 banner \"Who are you\\r\\n\"\n"
    "  service 80 http \"nginx/1.24.0\"\n"
    "  service 2000 echo\n";

static struct scenario net_sc;

static struct host_result *scan(struct scan_report *rep, struct pktio **io, int intensity,
                                enum scan_type t)
{
    char err[256];
    assert_int_equal(scenario_parse("t.scn", NET, sizeof NET - 1, &net_sc, err, sizeof err), 0);
    *io = pktio_sim_open_scenario(&net_sc, 1, err, sizeof err);
    assert_non_null(*io);
    static const uint32_t tgt = 0xC6120002;
    static const uint16_t ports[] = {21, 22, 79, 80, 2000, 23};
    struct scan_config cfg;
    scan_config_init(&cfg);
    cfg.tcp_scan = t;
    cfg.targets = &tgt;
    cfg.ntargets = 1;
    cfg.tcp_ports = ports;
    cfg.ntcp_ports = 6;
    cfg.disc.no_ping = true;
    cfg.svdb = &db;
    cfg.version_intensity = intensity;
    if (scan_run(&cfg, *io, rep, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_true(rep->vscan);
    return &rep->hosts[0];
}

static void done(struct scan_report *rep, struct pktio *io)
{
    scan_report_free(rep);
    pktio_close(io);
    scenario_free(&net_sc);
}

static void test_scan_builtin(void **state)
{
    (void)state;
    struct svc_db b;
    char err[256];
    assert_int_equal(svc_db_parse("b", vscan_builtin_probes, strlen(vscan_builtin_probes), &b,
                                  err, sizeof err), 0);
    svc_db_free(&db);
    db = b;
    struct scan_report rep;
    struct pktio *io;
    struct host_result *h = scan(&rep, &io, 7, SCAN_SYN);
    assert_non_null(h->vs);
    assert_int_equal(h->vs->n, 5);       /* the open ports; 23 is closed */
    const struct vscan_port *p = vscan_find(h->vs, 6, 21);
    assert_int_equal(p->end, VS_END_HARD);
    assert_string_equal(p->name, "ftp");
    assert_string_equal(p->field[SVC_V], "6.4");
    assert_string_equal(p->field[SVC_H], "box");
    p = vscan_find(h->vs, 6, 22);
    assert_string_equal(p->field[SVC_P], "OpenSSH");
    assert_string_equal(p->field[SVC_V], "9.6");
    assert_string_equal(p->cpe[0], "a:openbsd:openssh:9.6");
    p = vscan_find(h->vs, 6, 80);
    assert_string_equal(p->field[SVC_P], "nginx");
    assert_string_equal(p->field[SVC_V], "1.24.0");
    /* a banner no rule knows: no match, its answer fingerprinted */
    p = vscan_find(h->vs, 6, 79);
    assert_int_equal(p->end, VS_END_NOMATCH);
    assert_non_null(p->fp);
    assert_non_null(strstr(p->fp, "%r(NULL,D,\"Who\\x20are\\x20you\\r\\n\")"));
    /* echo: every probe's text comes back, matched by nothing */
    p = vscan_find(h->vs, 6, 2000);
    assert_int_equal(p->end, VS_END_NOMATCH);
    assert_non_null(strstr(p->fp, "%r(GenericLines,4,\"\\r\\n\\r\\n\")"));
    char cell[160];
    vscan_version_cell(h->vs, &h->ports[2], cell, sizeof cell);   /* sorted: 21 22 23 ... */
    assert_int_equal(h->ports[2].port, 23);
    assert_string_equal(cell, "");
    vscan_service_cell(h->vs, true, &h->ports[3], cell, sizeof cell);
    assert_string_equal(cell, "finger?");
    done(&rep, io);
}

static void test_scan_intensity_zero_and_fin(void **state)
{
    (void)state;
    struct scan_report rep;
    struct pktio *io;
    /* -sF: open ports are open|filtered; -sV connects and finds them open (tcp-response) */
    struct host_result *h = scan(&rep, &io, 0, SCAN_FIN);
    const struct vscan_port *p = vscan_find(h->vs, 6, 22);
    assert_non_null(p);
    assert_string_equal(p->name, "ssh");
    for (size_t i = 0; i < h->nports; i++)
        if (h->ports[i].port == 22) {
            assert_int_equal(h->ports[i].state, PORT_OPEN);
            assert_int_equal(h->ports[i].reason, RS_TCP_RESPONSE);
        }
    /* intensity 0: port 79 gets the NULL probe and GenericLines (its ports list it), no more */
    p = vscan_find(h->vs, 6, 79);
    assert_non_null(strstr(p->fp, "%r(NULL,"));
    assert_null(strstr(p->fp, "GetRequest"));
    done(&rep, io);
}

/* --- tcpwrapped, with a fake backend whose streams close on cue ------------------------------
 * Port 1 closes at once, port 2 resets at once (both during the NULL probe, before its
 * tcpwrappedms, with no byte: tcpwrapped, nmap's conf 8); port 3's first connection closes
 * after 4 s, past the built-in NULL probe's tcpwrappedms of 3 s, and later ones stay silent
 * (not tcpwrapped: the next probes time out, no match); port 5 closes every connection
 * after 4 s: never an answer nor a timeout, so tcpwrapped in the end (nmap's end_svcprobe);
 * port 4 sends one byte, then closes at once (an answer: not tcpwrapped, fingerprinted). */
struct fk {
    uint64_t now;
    struct { uint16_t port; uint64_t t0; bool gave, first; } st[256];
    int n;
    bool port3_seen;
};
static struct fk fk;

static int fk_send(struct pktio *io, const uint8_t *d, size_t n) { (void)io; (void)d; (void)n; return 0; }
static uint64_t fk_at(int h)
{
    uint16_t p = fk.st[h].port;
    if (p == 3 && !fk.st[h].first)
        return UINT64_MAX;       /* silent: the probe times out */
    return fk.st[h].t0 + (p == 3 || p == 5 ? 4000 : 1) * 1000000ULL;
}
static int fk_recv(struct pktio *io, uint8_t *b, size_t cap, size_t *n, uint64_t *t, uint64_t dl)
{
    (void)io; (void)b; (void)cap; (void)n; (void)t;
    uint64_t next = dl;
    for (int h = 0; h < fk.n; h++)   /* wake for the next close, as an arrival would */
        if (fk.st[h].port && fk_at(h) > fk.now && fk_at(h) < next)
            next = fk_at(h);
    if (next > fk.now)
        fk.now = next;
    return 0;
}
static uint64_t fk_now(struct pktio *io) { (void)io; return fk.now; }
static int fk_open(struct pktio *io, uint32_t dst, uint16_t port)
{
    (void)io; (void)dst;
    assert_true(fk.n < 256);
    fk.st[fk.n].port = port;
    fk.st[fk.n].t0 = fk.now;
    fk.st[fk.n].gave = false;
    fk.st[fk.n].first = port == 3 && !fk.port3_seen;
    fk.port3_seen |= port == 3;
    return fk.n++;
}
static enum pktio_stream fk_poll(struct pktio *io, int h, uint8_t *a, uint8_t *b)
{
    (void)io; (void)h; (void)a; (void)b;
    return PKTIO_STREAM_OPEN;
}
static void fk_close(struct pktio *io, int h) { (void)io; fk.st[h].port = 0; }
static int fk_write(struct pktio *io, int h, const uint8_t *d, size_t n)
{
    (void)io; (void)h; (void)d;
    return (int)n;
}
static int fk_read(struct pktio *io, int h, uint8_t *buf, size_t cap, bool *eof)
{
    (void)io; (void)cap;
    *eof = false;
    if (fk.now < fk_at(h))
        return 0;
    if (fk.st[h].port == 2)
        return -1;
    if (fk.st[h].port == 4 && !fk.st[h].gave) {
        fk.st[h].gave = true;
        buf[0] = 'x';
        return 1;
    }
    *eof = true;
    return 0;
}

static void test_tcpwrapped(void **state)
{
    (void)state;
    static const struct pktio_ops ops = {
        .name = "fake", .send = fk_send, .recv = fk_recv, .now = fk_now,
        .stream_connect = fk_open, .stream_poll = fk_poll, .stream_close = fk_close,
        .stream_open = fk_open, .stream_write = fk_write, .stream_read = fk_read,
    };
    struct pktio io = { .ops = &ops, .is_sim = true };
    memset(&fk, 0, sizeof fk);
    struct scan_config cfg;
    scan_config_init(&cfg);
    cfg.svdb = &db;              /* the built-in probes (test_scan_builtin) */
    struct scan_ctx sc = { .cfg = &cfg, .io = &io };
    struct port_result ports[5];
    for (int i = 0; i < 5; i++)
        ports[i] = (struct port_result){ .port = (uint16_t)(i + 1), .proto = 6,
                                         .state = PORT_OPEN, .reason = RS_SYN_ACK };
    struct host_result res = { .addr = 0xC6120002, .up = true, .ports = ports, .nports = 5 };
    struct scan_group_host gh = { .res = &res };
    char err[128];
    assert_int_equal(vscan_run(&sc, &gh, 1, err, sizeof err), 0);
    assert_int_equal(vscan_find(res.vs, 6, 1)->end, VS_END_TCPWRAPPED);
    assert_int_equal(vscan_find(res.vs, 6, 2)->end, VS_END_TCPWRAPPED);
    assert_int_equal(vscan_find(res.vs, 6, 3)->end, VS_END_NOMATCH);
    assert_null(vscan_find(res.vs, 6, 3)->fp);
    assert_int_equal(vscan_find(res.vs, 6, 4)->end, VS_END_NOMATCH);
    assert_non_null(strstr(vscan_find(res.vs, 6, 4)->fp, "%r(NULL,1,\"x\")"));
    assert_int_equal(vscan_find(res.vs, 6, 5)->end, VS_END_TCPWRAPPED);
    char cell[64];
    vscan_service_cell(res.vs, true, &ports[0], cell, sizeof cell);
    assert_string_equal(cell, "tcpwrapped");
    vscan_service_cell(res.vs, true, &ports[2], cell, sizeof cell);
    assert_string_equal(cell, "unknown");   /* no name in the table: nmap prints no "?" */
    vscan_result_free(res.vs);
}

/* UDP: open|filtered and open ports get the UDP probes (no NULL probe): the simulated echo
 * sends the DNS query back, which the built-in file names "echo"; a silent port stays
 * open|filtered with its table name. Uses the built-in probes test_scan_builtin loaded. */
static void test_scan_udp(void **state)
{
    (void)state;
    static const char UNET[] =
        "net 198.18.0.0/24 delay 1ms\n"
        "host me 198.18.0.1 role scanner os linux\n"
        "host srv 198.18.0.2 os linux udp 53,123\n"
        "filter fw at srv in\n  drop udp dport 123\n  policy accept\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(scenario_parse("u.scn", UNET, sizeof UNET - 1, &sc, err, sizeof err), 0);
    struct pktio *io = pktio_sim_open_scenario(&sc, 1, err, sizeof err);
    assert_non_null(io);
    static const uint32_t tgt = 0xC6120002;
    static const uint16_t ports[] = {53, 123};
    struct scan_config cfg;
    scan_config_init(&cfg);
    cfg.tcp_scan = SCAN_NONE;
    cfg.udp_scan = true;
    cfg.targets = &tgt;
    cfg.ntargets = 1;
    cfg.udp_ports = ports;
    cfg.nudp_ports = 2;
    cfg.disc.no_ping = true;
    cfg.svdb = &db;
    struct scan_report rep;
    if (scan_run(&cfg, io, &rep, err, sizeof err) < 0)
        fail_msg("%s", err);
    const struct host_result *h = &rep.hosts[0];
    const struct vscan_port *p = vscan_find(h->vs, 17, 53);
    assert_non_null(p);
    assert_int_equal(p->end, VS_END_HARD);
    assert_string_equal(p->name, "echo");
    p = vscan_find(h->vs, 17, 123);
    assert_non_null(p);
    assert_int_equal(p->end, VS_END_NOMATCH);
    assert_null(p->fp);
    assert_int_equal(h->ports[1].port, 123);
    assert_int_equal(h->ports[1].state, PORT_OPEN_FILTERED);
    char cell[64];
    vscan_service_cell(h->vs, true, &h->ports[1], cell, sizeof cell);
    assert_string_equal(cell, "ntp");                /* no '?': not open */
    scan_report_free(&rep);
    pktio_close(io);
    scenario_free(&sc);
}

/* The embedded default network with the installed nmap's own probes (skipped without them):
 * what nmap names through the bridge (tests/live/sv_vs_nmap.sh), here in virtual time. */
static void test_default_network_nmap_file(void **state)
{
    (void)state;
    struct svc_db real;
    char err[256], path[512];
    bool builtin;
    if (vscan_db_load(NULL, &real, &builtin, path, sizeof path, err, sizeof err) < 0 || builtin) {
        if (!builtin)
            fail_msg("%s", err);
        svc_db_free(&real);
        print_message("skipped: no nmap-service-probes installed\n");
        return;
    }
    struct scenario sc;
    assert_int_equal(scenario_parse("default.scn", scenario_default_text, scenario_default_len,
                                    &sc, err, sizeof err), 0);
    struct pktio *io = pktio_sim_open_scenario(&sc, sc.seed, err, sizeof err);
    assert_non_null(io);
    static const uint32_t tgt[] = {0xC6336414, 0xC633641E, 0xC6336432, 0xC633643C};
    static const uint16_t ports[] = {21, 22, 23, 25, 80, 443, 515, 631};
    struct scan_config cfg;
    scan_config_init(&cfg);
    cfg.targets = tgt;
    cfg.ntargets = 4;
    cfg.tcp_ports = ports;
    cfg.ntcp_ports = 8;
    cfg.disc.no_ping = true;
    cfg.svdb = &real;
    struct scan_report rep;
    if (scan_run(&cfg, io, &rep, err, sizeof err) < 0)
        fail_msg("%s", err);
    static const struct { int h; uint16_t port; const char *name, *prod, *ver; } want[] = {
        {0, 22, "ssh", "OpenSSH", "9.2p1 Debian 2"}, {0, 80, "http", "Apache httpd", "2.4.57"},
        {0, 443, "http", "Apache httpd", "2.4.57"},
        {1, 80, "http", "HP LaserJet Pro M404dn printer http config", ""},
        {1, 631, "http", "HP LaserJet Pro M404dn printer http config", ""},
        {2, 80, "http", "Microsoft IIS httpd", "10.0"},
        {3, 21, "ftp", "HP-UX or AIX ftpd", "4.162"}, {3, 23, "telnet", "BSD-derived telnetd", ""},
        {3, 25, "smtp", "Sendmail", "5.61/1.2"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct vscan_port *p = vscan_find(rep.hosts[want[i].h].vs, 6, want[i].port);
        assert_non_null(p);
        assert_int_equal(p->end, VS_END_HARD);
        assert_string_equal(p->name, want[i].name);
        assert_string_equal(p->field[SVC_P], want[i].prod);
        assert_string_equal(p->field[SVC_V], want[i].ver);
    }
    assert_int_equal(vscan_find(rep.hosts[1].vs, 6, 515)->end, VS_END_NOMATCH);
    scan_report_free(&rep);
    pktio_close(io);
    scenario_free(&sc);
    svc_db_free(&real);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_softmatch_restricts),
        cmocka_unit_test(test_fallback_and_templates),
        cmocka_unit_test(test_fingerprint_text),
        cmocka_unit_test(test_scan_builtin),
        cmocka_unit_test(test_scan_intensity_zero_and_fin),
        cmocka_unit_test(test_scan_udp),
        cmocka_unit_test(test_tcpwrapped),
        cmocka_unit_test(test_default_network_nmap_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
