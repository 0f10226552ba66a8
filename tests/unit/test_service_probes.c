/* test_service_probes.c — the nmap-service-probes parser (scanner/service_probes.c) against
 * the installed nmap's real file and malformed snippets, and the PCRE2 matcher
 * (scanner/service_match.c): captures into p/ v/ i/ o/ cpe:, $SUBST, softmatch, and the
 * simulated services' own answers (sim/app.c) recognised by nmap's rules. The real-file
 * cases are skipped, with a message, when no nmap is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scanner/service_match.h"
#include "scanner/service_probes.h"
#include "sim/app.h"

static const char *const SMALL =
    "# a comment\n"
    "Exclude T:9100-9107,U:30000\n"
    "Probe TCP NULL q||\n"
    "totalwaitms 6000\n"
    "match ssh m|^SSH-([\\d.]+)-OpenSSH_([\\w._-]+) Debian-(\\S+)\\r?\\n| p/OpenSSH/ v/$2 Debian $3/ "
    "i/protocol $1/ o/Linux/ cpe:/a:openbsd:openssh:$2/ cpe:/o:linux:linux_kernel/a\n"
    "softmatch ftp m|^220 |i\n"
    "Probe TCP GetRequest q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "ports 1,70,79-85\n"
    "sslports 443\n"
    "match http m=^HTTP/1\\.[01] \\d\\d\\d .*\\r\\nServer: nginx/([\\d.]+)\\r\\n=s p/nginx/ "
    "v/$SUBST(1,\".\",\"_\")/ d/web server/\n"
    "Probe UDP Bin q|\\x00\\x01\\0\\n|\n"
    "rarity 9\n"
    "fallback GetRequest\n";

static void test_small_file(void **state)
{
    (void)state;
    struct svc_db db;
    char err[256];
    assert_int_equal(svc_db_parse("s.probes", SMALL, strlen(SMALL), &db, err, sizeof err), 0);
    assert_int_equal(db.np, 3);
    assert_true(svc_ports_has(&db.exclude_tcp, 9104) && !svc_ports_has(&db.exclude_tcp, 9108));
    assert_true(svc_ports_has(&db.exclude_udp, 30000) && !svc_ports_has(&db.exclude_tcp, 30000));
    const struct svc_probe *null = svc_db_probe(&db, "NULL", false);
    assert_non_null(null);
    assert_int_equal(null->len, 0);
    assert_int_equal(null->totalwaitms, 6000);
    assert_int_equal(null->nm, 2);
    assert_true(null->m[1].soft && null->m[1].icase);
    const struct svc_probe *get = svc_db_probe(&db, "GetRequest", false);
    assert_int_equal(get->len, 18);
    assert_memory_equal(get->data, "GET / HTTP/1.0\r\n\r\n", 18);
    assert_true(svc_ports_has(&get->ports, 82) && !svc_ports_has(&get->ports, 86));
    assert_true(svc_ports_has(&get->sslports, 443));
    assert_true(get->m[0].dotall);
    const struct svc_probe *bin = svc_db_probe(&db, "Bin", true);
    assert_int_equal(bin->len, 4);
    assert_memory_equal(bin->data, "\x00\x01\x00\n", 4);
    assert_int_equal(bin->rarity, 9);
    assert_string_equal(bin->fallback, "GetRequest");
    assert_null(svc_db_probe(&db, "Bin", false));

    /* the matcher: captures into the templates */
    struct svc_result r;
    const char *ssh = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    assert_int_equal(svc_match_probe(&db.p[0], (const uint8_t *)ssh, strlen(ssh), &r, NULL), 1);
    assert_string_equal(r.service, "ssh");
    assert_string_equal(r.field[SVC_P], "OpenSSH");
    assert_string_equal(r.field[SVC_V], "9.2p1 Debian 2");
    assert_string_equal(r.field[SVC_I], "protocol 2.0");
    assert_string_equal(r.field[SVC_O], "Linux");
    assert_int_equal(r.ncpe, 2);
    assert_string_equal(r.cpe[0], "a:openbsd:openssh:9.2p1");
    assert_int_equal(r.line, 5);
    /* softmatch only: 2, the service named, no version */
    assert_int_equal(svc_match_probe(&db.p[0], (const uint8_t *)"220 hi\r\n", 8, &r, NULL), 2);
    assert_string_equal(r.service, "ftp");
    assert_true(r.soft);
    assert_int_equal(svc_match_probe(&db.p[0], (const uint8_t *)"hello", 5, &r, NULL), 0);
    /* $SUBST and the s option (.* across lines) */
    const char *ng = "HTTP/1.1 200 OK\r\nX: y\r\nServer: nginx/1.22.1\r\n\r\n";
    assert_int_equal(svc_match_probe(&db.p[1], (const uint8_t *)ng, strlen(ng), &r, NULL), 1);
    assert_string_equal(r.field[SVC_V], "1_22_1");
    assert_string_equal(r.field[SVC_D], "web server");
    svc_db_free(&db);
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } bad[] = {
        { "match ssh m|x|\n", "b.probes:1:6: error: expected a Probe line before this match" },
        { "Probe TCP NULL q||\nrarity 10\n", "b.probes:2:8: error: expected a rarity 1-9" },
        { "Probe TCP NULL q||\nrarity 0\n", "b.probes:2:8: error: expected a rarity 1-9" },
        { "Probe SCTP X q||\n", "b.probes:1:7: error: expected TCP or UDP after Probe" },
        { "Probe TCP X q|abc\n", "b.probes:1:13: error: expected the probe string's closing '|'" },
        { "Probe TCP X q||\nmatch ssh m|abc\n",
          "b.probes:2:11: error: expected the pattern's closing '|'" },
        { "Probe TCP X q||\nmatch ssh m|a| p/x\n",
          "b.probes:2:16: error: expected the field's closing '/'" },
        { "Probe TCP X q||\nmatch ssh m|a| z/x/\n",
          "b.probes:2:16: error: expected a version field (p/ v/ i/ h/ o/ d/ cpe:/)" },
        { "Probe TCP X q||\nports 80-70\n",
          "b.probes:2:10: error: expected the end of a port range, not below its start" },
        { "Probe TCP X q||\nports 80,x\n", "b.probes:2:10: error: expected a port 0-65535" },
        { "Probe TCP X q||\ntotalwaitms soon\n",
          "b.probes:2:13: error: expected a time in milliseconds (at most 600000)" },
        { "Probe TCP X q||\nbogus 1\n",
          "b.probes:2:1: error: expected a directive (Probe, match, softmatch, ports, sslports, "
          "rarity, totalwaitms, tcpwrappedms, fallback, Exclude)" },
        { "# nothing\n", "b.probes: error: no Probe lines: not an nmap-service-probes file" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct svc_db db;
        char err[256];
        int rc = svc_db_parse("b.probes", bad[i].text, strlen(bad[i].text), &db, err, sizeof err);
        assert_int_equal(rc, -1);
        assert_null(db.p);
        if (strcmp(err, bad[i].msg) != 0)
            fail_msg("case %zu\n  got:  %s\n  want: %s", i, err, bad[i].msg);
    }
    /* a pattern PCRE2 refuses never matches, and says nothing more */
    const char *t = "Probe TCP X q||\nmatch x m|(| p/y/\n";
    struct svc_db db;
    char err[256];
    assert_int_equal(svc_db_parse("b.probes", t, strlen(t), &db, err, sizeof err), 0);
    struct svc_result r;
    assert_false(svc_match_one(&db.p[0].m[0], (const uint8_t *)"(", 1, &r));
    assert_true(db.p[0].m[0].re_failed);
    svc_db_free(&db);
}

static bool load_real(struct svc_db *db)
{
    char err[512];
    if (svc_db_load(NULL, db, err, sizeof err) == 0)
        return true;
    print_message("skipped: %s\n", err);
    return false;
}

/* The whole installed file parses, and what it holds is nmap's (the NULL probe first). */
static void test_real_file(void **state)
{
    (void)state;
    struct svc_db db;
    if (!load_real(&db))
        return;
    assert_true(db.np > 100);
    assert_string_equal(db.p[0].name, "NULL");
    assert_true(svc_ports_has(&db.exclude_tcp, 9100));
    size_t nm = 0;
    for (size_t i = 0; i < db.np; i++)
        nm += db.p[i].nm;
    assert_true(nm > 10000);
    assert_non_null(svc_db_probe(&db, "GetRequest", false));
    svc_db_free(&db);
}

/* The simulated servers' answers, as nmap's own rules read them. */
static void expect(struct svc_db *db, const char *probe, const uint8_t *resp, size_t n,
                   const char *service, const char *product, const char *version)
{
    struct svc_probe *p = (struct svc_probe *)svc_db_probe(db, probe, false);
    assert_non_null(p);
    struct svc_result r;
    if (svc_match_probe(p, resp, n, &r, NULL) != 1)
        fail_msg("no match for %.40s", (const char *)resp);
    assert_string_equal(r.service, service);
    assert_string_equal(r.field[SVC_P], product);
    assert_string_equal(r.field[SVC_V], version);
}

static void test_sim_services_recognised(void **state)
{
    (void)state;
    struct svc_db db;
    if (!load_real(&db))
        return;
    uint8_t out[2048];
    struct scn_service sv = { .port = 80, .kind = SCN_SVC_HTTP };
    const char *servers[][3] = {
        { "Apache/2.4.57 (Debian)", "Apache httpd", "2.4.57" },
        { "nginx/1.22.1", "nginx", "1.22.1" },
        { "Microsoft-IIS/10.0", "Microsoft IIS httpd", "10.0" },
    };
    for (size_t i = 0; i < 3; i++) {
        sv.len = (uint16_t)strlen(servers[i][0]);
        memcpy(sv.text, servers[i][0], sv.len);
        const char *req = "GET / HTTP/1.0\r\n\r\n";
        struct app_out o = app_input(&sv, (const uint8_t *)req, strlen(req), false, out, sizeof out);
        expect(&db, "GetRequest", out, o.len, "http", servers[i][1], servers[i][2]);
    }
    const char *ssh = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    expect(&db, "NULL", (const uint8_t *)ssh, strlen(ssh), "ssh", "OpenSSH", "9.2p1 Debian 2");
    const char *smtp = "220 vax.tcplab.example Sendmail 5.61/1.2 ready at Mon, 5 Jan 26 10:00:00 PST\r\n";
    expect(&db, "NULL", (const uint8_t *)smtp, strlen(smtp), "smtp", "Sendmail", "5.61/1.2");
    svc_db_free(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_file),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_real_file),
        cmocka_unit_test(test_sim_services_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
