/* test_lab.c — lab/: the `${...}` parameters (defaults, variants, every kind, errors with
 * FILE:LINE:COL), the derivation (deterministic, different per student, per course key,
 * versioned), lab descriptions (statements and their errors), answer comparison by kind,
 * the built-in labs (each loads, its default and two students' variants parse, its key is
 * computable and differs between students), and the student's view of events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lib/param.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

static const uint8_t secret_a[16] = "0123456789abcdef";
static const uint8_t secret_b[16] = "fedcba9876543210";

/* Expands text; returns the heap result (or NULL with err). */
static char *expand(struct param_set *ps, const char *text, char *err, size_t errlen)
{
    char *out = NULL;
    size_t n;
    if (param_expand("t.scn", 1, 1, text, strlen(text), ps, &out, &n, err, errlen))
        return NULL;
    assert_int_equal(n, strlen(out));
    return out;
}

static char *expand_default(const char *text)
{
    struct param_set ps;
    char err[256] = "";
    param_init_default(&ps);
    char *r = expand(&ps, text, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    param_free(&ps);
    return r;
}

static char *expand_variant(const uint8_t *secret, unsigned version, const char *text)
{
    struct param_set ps;
    char err[256] = "";
    param_init_variant(&ps, secret, version);
    char *r = expand(&ps, text, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    param_free(&ps);
    return r;
}

static void test_defaults(void **state)
{
    (void)state;
    char *r = expand_default("a ${p:choice 22,80,443} b ${q:range 5-9} ${o:pick 2 of 7,3,9} "
                             "${s:shuffle x,y,z} ${p} ${s[3]} $notaparam $ {x}");
    assert_string_equal(r, "a 22 b 5 7,3 x,y,z 22 z $notaparam $ {x}");
    free(r);
    /* No parameter: the text unchanged, byte for byte. */
    r = expand_default("host a 1.2.3.4\n# nothing\n");
    assert_string_equal(r, "host a 1.2.3.4\n# nothing\n");
    free(r);
}

static void test_variant_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        const uint8_t *sec = k ? secret_b : secret_a;
        char *r = expand_variant(sec, 1, "${p:choice 21,22,23,25,80,443}|${n:range 100-199}|"
                                 "${o:pick 3 of 1-1024}|${s:shuffle a,b,c,d}|${s[1]}");
        int p, n, o1, o2, o3;
        char s1, s2, s3, s4, e;
        assert_int_equal(sscanf(r, "%d|%d|%d,%d,%d|%c,%c,%c,%c|%c", &p, &n, &o1, &o2, &o3, &s1,
                                &s2, &s3, &s4, &e), 10);
        assert_true(p == 21 || p == 22 || p == 23 || p == 25 || p == 80 || p == 443);
        assert_true(n >= 100 && n <= 199);
        assert_true(o1 >= 1 && o1 < o2 && o2 < o3 && o3 <= 1024);  /* distinct, list order */
        assert_true(s1 != s2 && s1 != s3 && s1 != s4 && s2 != s3 && s2 != s4 && s3 != s4);
        assert_int_equal(e, s1);
        free(r);
    }
}

static void test_variant_deterministic_and_different(void **state)
{
    (void)state;
    const char *t = "${o:pick 4 of 1-65535} ${n:range 0-4294967295}";
    char *a1 = expand_variant(secret_a, 1, t), *a2 = expand_variant(secret_a, 1, t);
    char *b = expand_variant(secret_b, 1, t), *a_v2 = expand_variant(secret_a, 2, t);
    assert_string_equal(a1, a2);
    assert_string_not_equal(a1, b);
    assert_string_not_equal(a1, a_v2);   /* the derivation version enters every draw */
    free(a1);
    free(a2);
    free(b);
    free(a_v2);
    /* A parameter's value depends on its name, not on what came before it. */
    char *x = expand_variant(secret_a, 1, "${p:range 1-1000000}");
    char *y = expand_variant(secret_a, 1, "${other:range 1-9} ${p:range 1-1000000}");
    assert_string_equal(x, strchr(y, ' ') + 1);
    free(x);
    free(y);
}

static void expect_error(const char *text, const char *want)
{
    struct param_set ps;
    char err[256] = "";
    param_init_default(&ps);
    char *r = expand(&ps, text, err, sizeof err);
    param_free(&ps);
    if (r) {
        free(r);
        fail_msg("'%s' expanded; expected the error %s", text, want);
    }
    if (!strstr(err, want))
        fail_msg("'%s': error '%s', expected it to contain '%s'", text, err, want);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("x\n  ${1p}", "t.scn:2:5: error: expected a parameter name");
    expect_error("${p:chose 1,2}", "t.scn:1:5: error: expected a parameter kind (choice, range, "
                 "pick, shuffle), found 'chose'");
    expect_error("a ${p:choice 1,2", "t.scn:1:17: error: expected '}'");
    expect_error("${p:choice 1,2}\n${p:choice 3}", "t.scn:2:3: error: expected a new parameter "
                 "name, found 'p' (defined at 1:1)");
    expect_error("${q}", "t.scn:1:3: error: expected a defined parameter, found 'q'");
    expect_error("${p:choice 1,2} ${p[3]}", "t.scn:1:21: error: expected an element number");
    expect_error("${p:range 9-1}", "t.scn:1:11: error: expected a range LO-HI");
    expect_error("${p:pick 5 of 1,2}", "expected at most as many to pick as the list has (2)");
    expect_error("${p:pick x of 1,2}", "t.scn:1:10: error: expected how many to pick");
    expect_error("${p:pick 1 from 1,2}", "t.scn:1:12: error: expected 'of'");
    expect_error("${p:choice a,b!}", "t.scn:1:15: error: expected a list word (letters, digits, . : / - + _), found '!'");
    expect_error("${p:range 0-4294967296}", "t.scn:1:11: error: expected a range LO-HI");
    expect_error("${p:choice }", "expected a list of words");
    expect_error("${p:choice 1-70000}", "expected at most 65536 elements");
}

static void test_lab_parse_errors(void **state)
{
    (void)state;
    char err[512];
    struct lab *l = lab_parse("x.lab", "lab x\nfrob 1\n", 13, NULL, err, sizeof err);
    assert_null(l);
    assert_non_null(strstr(err, "x.lab:2:1: error: expected a statement"));
    const char *t = "lab x\nderivation 1\nscenario idle-scan.scn\nworksheet idle-scan.md\n"
                    "student attacker\nquestion q1 color\n";
    l = lab_parse("x.lab", t, strlen(t), NULL, err, sizeof err);
    assert_null(l);
    assert_non_null(strstr(err, "x.lab:6:13: error: expected an answer kind"));
    t = "lab x\nderivation 1\nscenario nope.scn\nworksheet idle-scan.md\nstudent attacker\n"
        "question q1 int\n  prompt \"p\"\n  answer 1\n";
    l = lab_parse("x.lab", t, strlen(t), NULL, err, sizeof err);
    assert_null(l);
    assert_non_null(strstr(err, "the scenario 'nope.scn' is in neither"));
    t = "lab x\nscenario idle-scan.scn\n";
    l = lab_parse("x.lab", t, strlen(t), NULL, err, sizeof err);
    assert_null(l);
    assert_non_null(strstr(err, "expected a 'derivation N' line"));
    t = "lab x\nderivation 1\nscenario idle-scan.scn\nworksheet idle-scan.md\nstudent attacker\n"
        "question q1 int tolerance 5\n  prompt \"two\" \n  prompt \"lines\"\n  answer 1 # raw\n"
        "  hint \"h\\\"q\"\n";
    l = lab_parse("x.lab", t, strlen(t), NULL, err, sizeof err);
    if (!l)
        fail_msg("%s", err);
    assert_int_equal(l->nq, 1);
    assert_string_equal(l->q[0].prompt, "two lines");
    assert_string_equal(l->q[0].answer, "1 # raw");
    assert_string_equal(l->q[0].hint, "h\"q");
    assert_int_equal(l->q[0].tolerance, 5);
    lab_free(l);
}

static void test_answer_kinds(void **state)
{
    (void)state;
    struct lab_question q = {.kind = LAB_Q_PORTS};
    assert_true(lab_answer_ok(&q, "21,111,135", " 135, 21 111"));
    assert_true(lab_answer_ok(&q, "20,21,22", "20-22"));
    assert_false(lab_answer_ok(&q, "21,111,135", "21,111"));
    assert_false(lab_answer_ok(&q, "21,111,135", "21,111,135,136"));
    assert_false(lab_answer_ok(&q, "21", "21x"));
    assert_true(lab_answer_ok(&q, "none", "none"));
    assert_false(lab_answer_ok(&q, "none", ""));
    assert_false(lab_answer_ok(&q, "22", NULL));
    q.kind = LAB_Q_INT;
    assert_true(lab_answer_ok(&q, "632000000", "632000000"));
    assert_true(lab_answer_ok(&q, "255", "0xff"));
    assert_false(lab_answer_ok(&q, "632000000", "631936000"));
    q.tolerance = 64000;
    assert_true(lab_answer_ok(&q, "632000000", "631936000"));
    q.kind = LAB_Q_ADDR;
    assert_true(lab_answer_ok(&q, "198.51.100.20", " 198.51.100.20 "));
    assert_false(lab_answer_ok(&q, "198.51.100.20", "198.51.100.21"));
    q.kind = LAB_Q_ADDRS;
    assert_true(lab_answer_ok(&q, "10.0.0.1,10.0.0.2", "10.0.0.2 10.0.0.1 10.0.0.1"));
    assert_false(lab_answer_ok(&q, "10.0.0.1,10.0.0.2", "10.0.0.2"));
    q.kind = LAB_Q_WORD;
    assert_true(lab_answer_ok(&q, "vax", "VAX"));
    assert_false(lab_answer_ok(&q, "vax", "linux"));
    q.kind = LAB_Q_SESSION;   /* a word, or a set of ports in any order */
    assert_true(lab_answer_ok(&q, "ESTABLISHED", "established"));
    assert_false(lab_answer_ok(&q, "ESTABLISHED", "SYN-RECEIVED"));
    assert_true(lab_answer_ok(&q, "135,21,111", "21,111,135"));
    assert_false(lab_answer_ok(&q, "21,111,135", "21,111"));
    assert_false(lab_answer_ok(&q, "21,111,135", "(a record of another variant)"));
    assert_true(lab_answer_ok(&q, "none", "none"));
}

/* `field sports|dports`: the set of every match's ports, "none" when nothing matches. */
static void test_event_ports(void **state)
{
    (void)state;
    static const char text[] =
        "net 10.0.0.0/24 delay 1ms loss 0%\n"
        "host a 10.0.0.1 os linux\n"
        "host b 10.0.0.2 os linux tcp 22,80\n"
        "send a:1000 -> b:80 tcp flags S seq 1 at 0s\n"
        "send a:1001 -> b:22 tcp flags S seq 1 at 1ms\n"
        "send a:1002 -> b:23 tcp flags S seq 1 at 2ms\n"
        "send a:1003 -> b:80 tcp flags S seq 1 at 3ms\n";
    char err[512];
    struct scenario sc;
    assert_int_equal(scenario_parse("t.scn", text, sizeof text - 1, &sc, err, sizeof err), 0);
    struct sim *s = sim_new(1);
    assert_int_equal(sim_load(s, &sc, err, sizeof err), 0);
    struct trace t;
    trace_init(&t);
    sim_set_trace(s, trace_record, &t);
    sim_run(s, 1000000000ULL, NULL);
    static const char *const want[][2] = {
        {"event SEND b flags SA field sports", "22,80"},
        {"event SEND b flags SA field dports", "1000,1001,1003"},
        {"event SEND b dst 10.0.0.9 field sports", "none"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *v = NULL;
        if (lab_event_value("t.lab", 1, want[i][0], &sc, &t, &v, err, sizeof err))
            fail_msg("%s: %s", want[i][0], err);
        assert_string_equal(v, want[i][1]);
        free(v);
    }
    sim_free(s);
    trace_free(&t);
    scenario_free(&sc);
}

static void test_derivation(void **state)
{
    (void)state;
    char err[256];
    struct lab_who a, a2, b;
    assert_int_equal(lab_who_student(&a, "idle-scan", "alice", NULL, err, sizeof err), 0);
    assert_int_equal(lab_who_student(&a2, "idle-scan", "alice", NULL, err, sizeof err), 0);
    assert_int_equal(lab_who_student(&b, "idle-scan", "bob", NULL, err, sizeof err), 0);
    assert_memory_equal(a.secret, a2.secret, 16);
    assert_memory_not_equal(a.secret, b.secret, 16);
    assert_true(lab_who_may_see_all(&a));
    struct lab_who other;   /* another lab, the same student: another secret */
    assert_int_equal(lab_who_student(&other, "isn-prediction", "alice", NULL, err, sizeof err), 0);
    assert_memory_not_equal(a.secret, other.secret, 16);
    assert_int_equal(lab_who_student(&other, "idle-scan", "al ice", NULL, err, sizeof err), -1);
    assert_int_equal(lab_who_student(&other, "idle-scan", "", NULL, err, sizeof err), -1);
}

static void test_course_key_and_ticket(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_lab.XXXXXX", key[64], key2[64], ticket[64], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(key, sizeof key, "%s/course.key", dir);
    snprintf(key2, sizeof key2, "%s/other.key", dir);
    snprintf(ticket, sizeof ticket, "%s/ticket", dir);
    FILE *f = fopen(key, "w");
    fputs("an instructor's secret course key\n", f);
    fclose(f);
    f = fopen(key2, "w");
    fputs("short\n", f);
    fclose(f);
    struct lab_who plain, keyed, t, t2;
    assert_int_equal(lab_who_student(&plain, "idle-scan", "alice", NULL, err, sizeof err), 0);
    assert_int_equal(lab_who_student(&keyed, "idle-scan", "alice", key, err, sizeof err), 0);
    assert_memory_not_equal(plain.secret, keyed.secret, 16);
    assert_int_equal(lab_who_student(&t, "idle-scan", "alice", key2, err, sizeof err), -1);
    assert_non_null(strstr(err, "at least 16 bytes"));
    assert_int_equal(lab_ticket_write(&keyed, ticket, err, sizeof err), 0);
    assert_int_equal(lab_who_ticket(&t, ticket, NULL, err, sizeof err), 0);
    assert_memory_equal(t.secret, keyed.secret, 16);
    assert_string_equal(t.student, "alice");
    assert_string_equal(t.lab, "idle-scan");
    assert_true(t.keyed);
    assert_false(lab_who_may_see_all(&t));    /* a ticket alone: no key, no --instructor */
    assert_int_equal(lab_who_ticket(&t2, ticket, key, err, sizeof err), 0);
    assert_true(lab_who_may_see_all(&t2));
    f = fopen(key2, "w");
    fputs("a different key, long enough to be one\n", f);
    fclose(f);
    assert_int_equal(lab_who_ticket(&t2, ticket, key2, err, sizeof err), -1);
    assert_non_null(strstr(err, "not made with the course key"));
    remove(key);
    remove(key2);
    remove(ticket);
    rmdir(dir);
}

/* Every built-in lab loads; its default and two variants parse as scenarios that name the
 * student's host; keys compute, and two students' keys differ. */
static void test_builtin_labs(void **state)
{
    (void)state;
    char names[64][LAB_NAME_MAX], err[512];
    size_t n = lab_names(NULL, names, 64);
    assert_true(n >= 2);
    for (size_t i = 0; i < n; i++) {
        struct lab *l = lab_load(names[i], NULL, err, sizeof err);
        if (!l)
            fail_msg("%s: %s", names[i], err);
        char **keys[2] = {NULL, NULL};
        for (int s = -1; s < 2; s++) {
            struct lab_who w;
            assert_int_equal(lab_who_student(&w, l->name, s ? "alice" : "bob", NULL, err,
                                             sizeof err), 0);
            struct lab_variant v;
            if (lab_variant_make(l, s < 0 ? NULL : &w, &v, err, sizeof err))
                fail_msg("%s: %s", names[i], err);
            struct scenario sc;
            if (scenario_parse(v.file, v.text, v.len, &sc, err, sizeof err))
                fail_msg("%s: %s", names[i], err);
            assert_non_null(scenario_host(&sc, l->student_host));
            scenario_free(&sc);
            lab_variant_free(&v);
            if (s >= 0 && lab_key(l, &w, &keys[s], err, sizeof err))
                fail_msg("%s: %s", names[i], err);
        }
        bool differ = false;
        for (size_t q = 0; q < l->nq; q++)
            differ |= strcmp(keys[0][q], keys[1][q]) != 0;
        if (!differ)
            fail_msg("lab %s: alice's and bob's keys are the same", l->name);
        lab_key_free(keys[0], l->nq);
        lab_key_free(keys[1], l->nq);
        lab_free(l);
    }
    assert_null(lab_load("no-such-lab", NULL, err, sizeof err));
    assert_non_null(strstr(err, "no lab named 'no-such-lab'; the labs are: "));
    assert_null(lab_load("../etc", NULL, err, sizeof err));
}

static void test_view(void **state)
{
    (void)state;
    struct lab_view v = {.restricted = true, .addr = 0x0a000001};
    struct sim_event ev = {.kind = SIM_EV_RECV, .host_addr = 0x0a000001};
    assert_true(lab_view_sees(&v, &ev));
    ev.host_addr = 0x0a000002;
    assert_false(lab_view_sees(&v, &ev));
    ev.host_addr = 0x0a000001;
    ev.kind = SIM_EV_DROP;
    assert_false(lab_view_sees(&v, &ev));
    v.restricted = false;
    ev.host_addr = 0x0a000002;
    assert_true(lab_view_sees(&v, &ev));
}

static void test_sel_options(void **state)
{
    (void)state;
    char *argv[] = {"run", "--lab", "idle-scan", "--student=alice", "--instructor", "--x",
                    "--ticket"};
    struct lab_sel s = {0};
    char err[128];
    assert_int_equal(lab_sel_option(&s, 7, argv, 1, err, sizeof err), 2);
    assert_int_equal(lab_sel_option(&s, 7, argv, 3, err, sizeof err), 1);
    assert_int_equal(lab_sel_option(&s, 7, argv, 4, err, sizeof err), 1);
    assert_int_equal(lab_sel_option(&s, 7, argv, 5, err, sizeof err), 0);
    assert_int_equal(lab_sel_option(&s, 7, argv, 6, err, sizeof err), -1);
    assert_string_equal(s.lab, "idle-scan");
    assert_string_equal(s.student, "alice");
    assert_true(s.instructor);
    /* --instructor with no course key in play is allowed; the view is then unrestricted. */
    struct scenario sc;
    struct lab_view v;
    assert_int_equal(lab_open(&s, &sc, &v, err, sizeof err), 0);
    assert_false(v.restricted);
    scenario_free(&sc);
    s.instructor = false;
    assert_int_equal(lab_open(&s, &sc, &v, err, sizeof err), 0);
    assert_true(v.restricted);
    assert_string_equal(v.host, "attacker");
    scenario_free(&sc);
    s.student = NULL;
    assert_int_equal(lab_open(&s, &sc, &v, err, sizeof err), 1);
    assert_non_null(strstr(err, "needs --student ID"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_variant_kinds),
        cmocka_unit_test(test_variant_deterministic_and_different),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_lab_parse_errors),
        cmocka_unit_test(test_answer_kinds),
        cmocka_unit_test(test_event_ports),
        cmocka_unit_test(test_derivation),
        cmocka_unit_test(test_course_key_and_ticket),
        cmocka_unit_test(test_builtin_labs),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_sel_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
