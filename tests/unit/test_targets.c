/* test_targets.c — nmap target syntax (scanner/targets.c) per docs/facts/nmap.md
 * section 7: CIDR, octet ranges, names through the callback, -iL files, excludes, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scanner/targets.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static char err[512];

/* A scenario-like resolver: "target" and "zombie" only. */
static int resolve(void *ctx, const char *name, uint32_t *addr)
{
    int *calls = ctx;
    (*calls)++;
    if (!strcmp(name, "target")) *addr = A(198, 51, 100, 30);
    else if (!strcmp(name, "zombie")) *addr = A(198, 51, 100, 20);
    else return -1;
    return 0;
}

static int calls;
static const struct targets_cfg cfg = {resolve, &calls, NULL};

static struct target_list one(const char *spec)
{
    struct target_list t;
    targets_init(&t);
    assert_int_equal(targets_add_spec(&t, spec, &cfg, err, sizeof err), 0);
    targets_finish(&t, NULL);
    return t;
}

static void test_quad_and_cidr(void **st)
{
    (void)st;
    struct target_list t = one("10.1.2.3");
    assert_int_equal(t.n, 1);
    assert_int_equal(t.addrs[0], A(10, 1, 2, 3));
    targets_free(&t);
    t = one("10.1.2.77/24");
    assert_int_equal(t.n, 256); /* network and broadcast included */
    assert_int_equal(t.addrs[0], A(10, 1, 2, 0));
    assert_int_equal(t.addrs[255], A(10, 1, 2, 255));
    targets_free(&t);
    t = one("10.1.2.3/30");
    assert_int_equal(t.n, 4);
    assert_int_equal(t.addrs[0], A(10, 1, 2, 0));
    targets_free(&t);
    t = one("10.1.2.3/32");
    assert_int_equal(t.n, 1);
    targets_free(&t);
    t = one("10.0.0.0/8");
    assert_int_equal(t.n, 1u << 24);
    assert_int_equal(t.addrs[(1u << 24) - 1], A(10, 255, 255, 255));
    targets_free(&t);
}

static void test_octet_ranges(void **st)
{
    (void)st;
    struct target_list t = one("10.0.0-255.1-254");
    assert_int_equal(t.n, 256 * 254);
    assert_int_equal(t.addrs[0], A(10, 0, 0, 1));
    assert_int_equal(t.addrs[t.n - 1], A(10, 0, 255, 254));
    targets_free(&t);
    t = one("192.168.3-5,7.1");
    assert_int_equal(t.n, 4);
    assert_int_equal(t.addrs[3], A(192, 168, 7, 1));
    targets_free(&t);
    t = one("10.0.0.*");
    assert_int_equal(t.n, 256);
    targets_free(&t);
    t = one("10.0.0.-5");
    assert_int_equal(t.n, 6);
    assert_int_equal(t.addrs[0], A(10, 0, 0, 0));
    targets_free(&t);
    t = one("10.0.0.250-");
    assert_int_equal(t.n, 6);
    assert_int_equal(t.addrs[5], A(10, 0, 0, 255));
    targets_free(&t);
    t = one("10.0.1-2.5/24"); /* mask widens the last octet of each */
    assert_int_equal(t.n, 512);
    targets_free(&t);
}

static void test_names(void **st)
{
    (void)st;
    calls = 0;
    struct target_list t = one("target");
    assert_int_equal(calls, 1);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.addrs[0], A(198, 51, 100, 30));
    assert_string_equal(targets_name_of(&t, t.addrs[0]), "target");
    targets_free(&t);
    t = one("zombie/30");
    assert_int_equal(t.n, 4);
    assert_int_equal(t.addrs[0], A(198, 51, 100, 20));
    assert_string_equal(targets_name_of(&t, A(198, 51, 100, 20)), "zombie");
    assert_null(targets_name_of(&t, A(198, 51, 100, 21)));
    targets_free(&t);
    targets_init(&t);
    assert_int_equal(targets_add_spec(&t, "foo", &cfg, err, sizeof err), -1);
    assert_string_equal(err, "Failed to resolve \"foo\".");
    assert_int_equal(targets_add_spec(&t, "10.0.0.300", &cfg, err, sizeof err), -1);
    assert_string_equal(err, "Failed to resolve \"10.0.0.300\".");
    assert_int_equal(targets_add_spec(&t, "10.0.0.5-1", &cfg, err, sizeof err), -1);
    struct targets_cfg none = {NULL, NULL, NULL};
    assert_int_equal(targets_add_spec(&t, "target", &none, err, sizeof err), -1);
    assert_int_equal(t.n, 0);
    targets_free(&t);
}

static void test_netmask_errors(void **st)
{
    (void)st;
    char *buf = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&buf, &len);
    struct targets_cfg c = {resolve, &calls, w};
    struct target_list t;
    targets_init(&t);
    assert_int_equal(targets_add_spec(&t, "10.0.0.0/33", &c, err, sizeof err), 0);
    fclose(w);
    assert_string_equal(buf, "Illegal netmask in \"10.0.0.0/33\". Assuming /32 (one host)\n");
    free(buf);
    assert_int_equal(t.n, 1);
    assert_int_equal(targets_add_spec(&t, "10.0.0.0/x", &c, err, sizeof err), -1);
    assert_int_equal(targets_add_spec(&t, "/24", &c, err, sizeof err), -1);
    assert_int_equal(targets_add_spec(&t, "", &c, err, sizeof err), -1);
    assert_int_equal(targets_add_spec(&t, "0.0.0.0/0", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "Too many targets"));
    assert_int_equal(targets_add_spec(&t, "*.*.*.*", &c, err, sizeof err), -1);
    assert_int_equal(targets_add_spec(&t, "10.0.0.0/7", &c, err, sizeof err), -1);
    assert_int_equal(t.n, 1); /* nothing added by the refused specs */
    targets_free(&t);
}

static void test_sort_dedupe_exclude(void **st)
{
    (void)st;
    struct target_list t, ex;
    targets_init(&t);
    targets_init(&ex);
    assert_int_equal(targets_add_spec(&t, "10.0.0.9", &cfg, err, sizeof err), 0);
    assert_int_equal(targets_add_spec(&t, "10.0.0.0/28", &cfg, err, sizeof err), 0);
    assert_int_equal(targets_add_spec(&t, "9.9.9.9", &cfg, err, sizeof err), 0);
    assert_int_equal(targets_add_list(&ex, "10.0.0.1,10.0.0.3-5,7", &cfg, err, sizeof err), 0);
    assert_int_equal(ex.n, 5); /* 1, 3, 4, 5, 7 */
    targets_finish(&ex, NULL);
    targets_finish(&t, &ex);
    assert_int_equal(t.n, 1 + 16 - 5);
    assert_int_equal(t.addrs[0], A(9, 9, 9, 9));
    assert_int_equal(t.addrs[1], A(10, 0, 0, 0));
    assert_int_equal(t.addrs[2], A(10, 0, 0, 2));
    assert_int_equal(t.addrs[3], A(10, 0, 0, 6));
    for (size_t i = 1; i < t.n; i++) assert_true(t.addrs[i - 1] < t.addrs[i]);
    targets_free(&ex);
    targets_free(&t);
    /* an unfinished (unsorted) exclude list of more than 16 addresses works too */
    targets_init(&t);
    targets_init(&ex);
    assert_int_equal(targets_add_spec(&t, "10.0.0.0/24", &cfg, err, sizeof err), 0);
    assert_int_equal(targets_add_list(&ex, "10.0.0.200-210,10.0.0.0-9", &cfg, err, sizeof err), 0);
    targets_finish(&t, &ex);
    assert_int_equal(t.n, 256 - 21);
    assert_int_equal(t.addrs[0], A(10, 0, 0, 10));
    assert_int_equal(t.addrs[189], A(10, 0, 0, 199));
    assert_int_equal(t.addrs[190], A(10, 0, 0, 211));
    targets_free(&ex);
    targets_init(&ex);
    assert_int_equal(targets_add_list(&ex, "192.168.3-5,7.1,target", &cfg, err, sizeof err), 0);
    assert_int_equal(ex.n, 5);
    targets_free(&ex);
    targets_free(&t);
}

static void test_input_file(void **st)
{
    (void)st;
    char path[] = "/tmp/tcplab_test_targetsXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# lab hosts\n10.0.0.1 10.0.0.2\t# two on a line\n\ntarget\n  10.0.1.0/31\n", f);
    fclose(f);
    struct target_list t;
    targets_init(&t);
    assert_int_equal(targets_add_file(&t, path, &cfg, err, sizeof err), 0);
    targets_finish(&t, NULL);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.addrs[4], A(198, 51, 100, 30));
    f = fopen(path, "w");
    for (int i = 0; i < 1100; i++) fputc('a', f);
    fclose(f);
    assert_int_equal(targets_add_file(&t, path, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "1023"));
    f = fopen(path, "w");
    fputs("10.0.0.1\nnosuch\n", f);
    fclose(f);
    assert_int_equal(targets_add_file(&t, path, &cfg, err, sizeof err), -1);
    assert_string_equal(err, "Failed to resolve \"nosuch\".");
    unlink(path);
    assert_int_equal(targets_add_file(&t, path, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "Failed to open input file"));
    targets_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quad_and_cidr),  cmocka_unit_test(test_octet_ranges),
        cmocka_unit_test(test_names),          cmocka_unit_test(test_netmask_errors),
        cmocka_unit_test(test_sort_dedupe_exclude), cmocka_unit_test(test_input_file),
    };
    return cmocka_run_group_tests_name("targets", tests, NULL, NULL);
}
