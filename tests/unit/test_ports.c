/* test_ports.c — -p parsing, top ports, probe order and the compressed list (scanner/ports.c,
 * scanner/services.c), against nmap's rules in docs/facts/nmap.md section 7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scanner/ports.h"
#include "scanner/services.h"

static char err[256];

static char *fmt(const uint16_t *p, size_t n)
{
    static char buf[4096];
    ports_format(p, n, buf, sizeof buf);
    return buf;
}

static void test_basic_items(void **st)
{
    (void)st;
    struct port_list pl;
    ports_init(&pl);
    assert_int_equal(ports_parse(&pl, "80,22,1000-1002", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_int_equal(pl.ntcp, 5);
    assert_int_equal(pl.nudp, 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "22,80,1000-1002");
    assert_int_equal(ports_parse(&pl, "-3", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "1-3"); /* "-b" starts at 1, not 0 */
    assert_int_equal(ports_parse(&pl, "65530-", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "65530-65535");
    assert_int_equal(ports_parse(&pl, "-", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_int_equal(pl.ntcp, 65535);
    assert_int_equal(pl.tcp[0], 1);
    assert_int_equal(ports_parse(&pl, "0,5", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "0,5"); /* port 0 when named */
    ports_free(&pl);
}

static void test_prefixes(void **st)
{
    (void)st;
    struct port_list pl;
    ports_init(&pl);
    assert_int_equal(ports_parse(&pl, "7,T:22,80,U:53,161", PORTS_TCP | PORTS_UDP, NULL, err,
                                 sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "7,22,80");
    assert_string_equal(fmt(pl.udp, pl.nudp), "7,53,161");
    assert_int_equal(ports_parse(&pl, "S:80", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "SCTP"));
    assert_int_equal(ports_parse(&pl, "P:6", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "not supported"));
    /* a failed parse leaves the previous list alone */
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "7,22,80");
    assert_int_equal(pl.prefixes, PORTS_TCP | PORTS_UDP);
    /* "U:" with nothing after it is still a UDP prefix (nmap warns without -sU) */
    assert_int_equal(ports_parse(&pl, "T:1-2,U:", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "1-2");
    assert_int_equal(pl.nudp, 0);
    assert_int_equal(pl.prefixes, PORTS_TCP | PORTS_UDP);
    ports_free(&pl);
}

static void test_errors(void **st)
{
    (void)st;
    struct port_list pl;
    ports_init(&pl);
    assert_int_equal(ports_parse(&pl, "20-10", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_string_equal(err, "Your port range 20-10 is backwards. Did you mean 10-20?");
    assert_int_equal(ports_parse(&pl, "70000", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_string_equal(err, "Ports specified must be between 0 and 65535 inclusive");
    assert_int_equal(ports_parse(&pl, "1-99999999999999999999", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_int_equal(ports_parse(&pl, "22x", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "illegal"));
    assert_int_equal(ports_parse(&pl, "nosuchservice", PORTS_TCP, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "nosuchservice"));
    assert_int_equal(ports_parse(&pl, "", PORTS_TCP, NULL, err, sizeof err), -1);
    ports_free(&pl);
}

static void test_duplicate_warning(void **st)
{
    (void)st;
    char *buf = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&buf, &len);
    struct port_list pl;
    ports_init(&pl);
    assert_int_equal(ports_parse(&pl, "80,80,79-81", PORTS_TCP, w, err, sizeof err), 0);
    fclose(w);
    assert_string_equal(buf, "WARNING: Duplicate port number(s) specified.\n");
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "79-81");
    free(buf);
    ports_free(&pl);
}

static void test_names(void **st)
{
    (void)st;
    struct port_list pl;
    ports_init(&pl);
    assert_int_equal(ports_parse(&pl, "ssh,https", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "22,443");
    assert_int_equal(ports_parse(&pl, "http*", PORTS_TCP, NULL, err, sizeof err), 0);
    for (size_t i = 0; i < pl.ntcp; i++)
        assert_memory_equal(services_name(6, pl.tcp[i]), "http", 4);
    assert_true(pl.ntcp >= 3); /* http 80, https 443, http-alt 8080 at least */
    assert_int_equal(ports_parse(&pl, "[1-25]", PORTS_TCP, NULL, err, sizeof err), 0);
    for (size_t i = 0; i < pl.ntcp; i++) assert_string_not_equal(services_name(6, pl.tcp[i]), "unknown");
    assert_int_equal(ports_parse(&pl, "U:domain", PORTS_TCP, NULL, err, sizeof err), 0);
    assert_string_equal(fmt(pl.udp, pl.nudp), "53");
    assert_int_equal(pl.ntcp, 0);
    ports_free(&pl);
}

static void test_services(void **st)
{
    (void)st;
    assert_string_equal(services_name(6, 22), "ssh");
    assert_string_equal(services_name(6, 80), "http");
    assert_string_equal(services_name(17, 53), "domain");
    assert_string_equal(services_name(6, 5900), "vnc");
    assert_string_equal(services_name(6, 4), "unknown");
    assert_string_equal(services_name(17, 65000), "unknown");
    const uint16_t *rank;
    assert_true(services_ranked(6, &rank) >= 1000);
    assert_int_equal(rank[0], 80);
    assert_int_equal(rank[1], 443);
    assert_true(services_ranked(17, &rank) >= 1000);
    assert_int_equal(rank[0], 53);
    /* every named entry is found by the hash lookup */
    const struct service_entry *e;
    size_t n = services_entries(6, &e);
    for (size_t i = 0; i < n; i++) assert_string_equal(services_name(6, e[i].port), e[i].name);
    n = services_entries(17, &e);
    for (size_t i = 0; i < n; i++) assert_string_equal(services_name(17, e[i].port), e[i].name);
}

static void test_top(void **st)
{
    (void)st;
    struct port_list pl;
    ports_init(&pl);
    assert_int_equal(ports_top(&pl, 1000, PORTS_TCP | PORTS_UDP, err, sizeof err), 0);
    assert_int_equal(pl.ntcp, 1000);
    assert_int_equal(pl.nudp, 1000);
    for (size_t i = 1; i < pl.ntcp; i++) assert_true(pl.tcp[i - 1] < pl.tcp[i]);
    assert_int_equal(ports_top(&pl, 100, PORTS_TCP, err, sizeof err), 0);
    assert_int_equal(pl.ntcp, 100);
    assert_int_equal(pl.nudp, 0);
    assert_int_equal(ports_top(&pl, 3, PORTS_TCP, err, sizeof err), 0);
    assert_string_equal(fmt(pl.tcp, pl.ntcp), "22,80,443");
    assert_int_equal(ports_top(&pl, 100000, PORTS_TCP, err, sizeof err), 0);
    const uint16_t *rank;
    assert_int_equal(pl.ntcp, services_ranked(6, &rank));
    assert_int_equal(ports_top(&pl, 0, PORTS_TCP, err, sizeof err), -1);
    ports_free(&pl);
}

static void test_order(void **st)
{
    (void)st;
    struct port_list a, b;
    ports_init(&a);
    ports_init(&b);
    assert_int_equal(ports_top(&a, 1000, PORTS_TCP, err, sizeof err), 0);
    assert_int_equal(ports_top(&b, 1000, PORTS_TCP, err, sizeof err), 0);
    char before[8192];
    ports_format(a.tcp, a.ntcp, before, sizeof before);
    ports_order(&a, false, 7);
    ports_order(&b, false, 7);
    assert_memory_equal(a.tcp, b.tcp, a.ntcp * sizeof a.tcp[0]); /* same seed, same order */
    assert_string_equal(fmt(a.tcp, a.ntcp), before);                /* a permutation */
    /* the 20 popular ports come first */
    const uint16_t *rank;
    services_ranked(6, &rank);
    for (size_t i = 0; i < SERVICES_POPULAR; i++) {
        bool pop = false;
        for (size_t k = 0; k < SERVICES_POPULAR; k++) pop |= a.tcp[i] == rank[k];
        assert_true(pop);
    }
    bool sorted = true;
    for (size_t i = 1; i < a.ntcp; i++) sorted &= a.tcp[i - 1] < a.tcp[i];
    assert_false(sorted);
    ports_order(&b, false, 8);
    assert_memory_not_equal(a.tcp, b.tcp, a.ntcp * sizeof a.tcp[0]);
    ports_order(&a, true, 7); /* -r */
    for (size_t i = 1; i < a.ntcp; i++) assert_true(a.tcp[i - 1] < a.tcp[i]);
    ports_free(&a);
    ports_free(&b);
}

static void test_format(void **st)
{
    (void)st;
    const uint16_t p[] = {80, 4, 3, 1, 80, 65535, 65534};
    assert_string_equal(fmt(p, 7), "1,3-4,80,65534-65535");
    char small[8];
    size_t need = ports_format(p, 7, small, sizeof small);
    assert_int_equal(need, strlen("1,3-4,80,65534-65535"));
    assert_string_equal(small, "1,3-4"); /* truncated at a whole item */
    char *s = ports_format_alloc(p, 0);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_items), cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_duplicate_warning),
        cmocka_unit_test(test_names),       cmocka_unit_test(test_services),
        cmocka_unit_test(test_top),         cmocka_unit_test(test_order),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests_name("ports", tests, NULL, NULL);
}
