/* test_rundiff.c — where two runs part (sim/rundiff.h), the changes that make run B
 * (sim/scenario_edit.h, lib/param.h's what-ifs) and the two together (lab/whatif.h).
 *
 * The comparison is checked on hand-made traces (a known event differs in a known field,
 * one run ends early, the arrivals view ignores what the host does), then on real runs of
 * the handshake scenario: the same run twice is the same, a changed ISN generator parts
 * exactly at the SYN-ACK, and the client's view sees it one delay later. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lab/whatif.h"
#include "lib/param.h"
#include "lib/wire.h"
#include "sim/rundiff.h"
#include "sim/scenario_edit.h"
#include "sim/trace.h"

enum { A_ADDR = 0xC6336400 | 10, B_ADDR = 0xC6336400 | 20 };

static size_t mk_tcp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t id, uint32_t seq,
                     uint8_t flags)
{
    struct wire_ipv4 ip = {.ttl = 64, .proto = WIRE_PROTO_TCP, .id = id, .src = src, .dst = dst};
    struct wire_tcp tcp = {.sport = 40000, .dport = 80, .seq = seq, .flags = flags,
                           .window = 8192};
    return wire_emit_tcp(buf, 64, &ip, &tcp);
}

/* A small run: SEND at a, RECV at b (b answers), SEND at b, RECV at a. `isn` is b's answer's
 * sequence number, `act` b's action text. */
static void mk_run(struct trace *t, uint32_t isn, const char *act, uint64_t arrive_ns)
{
    uint8_t syn[64], sa[64];
    size_t l1 = mk_tcp(syn, A_ADDR, B_ADDR, 1, 100, TCP_SYN);
    size_t l2 = mk_tcp(sa, B_ADDR, A_ADDR, 7, isn, TCP_SYN | TCP_ACK);
    trace_init(t);
    struct sim_event ev[] = {
        {.seq = 1, .t_ns = 0, .kind = SIM_EV_SEND, .pkt = syn, .len = (uint32_t)l1, .host = "a",
         .host_addr = A_ADDR, .state_before = TCB_NONE, .state_after = TCB_NONE, .ipid = -1},
        {.seq = 2, .t_ns = 1000000, .kind = SIM_EV_RECV, .pkt = syn, .len = (uint32_t)l1,
         .host = "b", .host_addr = B_ADDR, .action = act, .state_before = TCP_LISTEN,
         .state_after = TCP_SYN_RECEIVED, .ipid = 7},
        {.seq = 3, .t_ns = 1000000, .kind = SIM_EV_SEND, .pkt = sa, .len = (uint32_t)l2,
         .host = "b", .host_addr = B_ADDR, .state_before = TCB_NONE, .state_after = TCB_NONE,
         .ipid = -1},
        {.seq = 4, .t_ns = arrive_ns, .kind = SIM_EV_RECV, .pkt = sa, .len = (uint32_t)l2,
         .host = "a", .host_addr = A_ADDR, .action = "ACK", .state_before = TCP_SYN_SENT,
         .state_after = TCP_ESTABLISHED, .ipid = 2},
    };
    for (size_t i = 0; i < sizeof ev / sizeof *ev; i++)
        trace_record(t, &ev[i]);
}

static void test_same_and_field(void **state)
{
    (void)state;
    struct trace a, b;
    struct rundiff d;
    struct rundiff_view all = {0};
    mk_run(&a, 5000, "SYN-ACK", 2000000);
    mk_run(&b, 5000, "SYN-ACK", 2000000);
    rundiff_compare(&a, &b, &all, &d);
    assert_true(d.same);
    assert_int_equal(d.na, 4);
    assert_int_equal(d.k, 4);
    assert_int_equal(d.fields, 0);
    trace_free(&b);

    /* b answers with another ISN: the runs part at event 3 (index 2), in the bytes, and the
     * description names the TCP sequence number, not just "bytes". */
    mk_run(&b, 6000, "SYN-ACK", 2000000);
    rundiff_compare(&a, &b, &all, &d);
    assert_false(d.same);
    assert_int_equal(d.k, 2);
    assert_int_equal(d.ia, 2);
    assert_int_equal(d.ib, 2);
    assert_int_equal(d.fields, RUNDIFF_BYTES);
    char why[256];
    rundiff_describe(&a, &b, &d, why, sizeof why);
    assert_string_equal(why, "seq 5000 vs 6000");
    trace_free(&b);

    /* Only the action differs: everything in view sees it, a's arrivals do not. */
    mk_run(&b, 5000, "RST", 2000000);
    rundiff_compare(&a, &b, &all, &d);
    assert_false(d.same);
    assert_int_equal(d.ia, 1);
    assert_int_equal(d.fields, RUNDIFF_ACTION);
    struct rundiff_view at_a = {.arrivals = true, .addr = A_ADDR};
    rundiff_compare(&a, &b, &at_a, &d);
    assert_true(d.same);
    assert_int_equal(d.na, 1);
    trace_free(&b);

    /* The answer arrives later: a's arrivals part in their time alone. */
    mk_run(&b, 5000, "SYN-ACK", 2500000);
    rundiff_compare(&a, &b, &at_a, &d);
    assert_false(d.same);
    assert_int_equal(d.k, 0);
    assert_int_equal(d.ia, 3);
    assert_int_equal(d.fields, RUNDIFF_TIME);
    rundiff_describe(&a, &b, &d, why, sizeof why);
    assert_string_equal(why, "time 0.002000000 vs 0.002500000");
    trace_free(&b);
    trace_free(&a);
}

static void test_one_run_ends(void **state)
{
    (void)state;
    struct trace a, b;
    mk_run(&a, 5000, "SYN-ACK", 2000000);
    mk_run(&b, 5000, "SYN-ACK", 2000000);
    b.n = 3;   /* B's last arrival never happened */
    struct rundiff d;
    struct rundiff_view all = {0};
    rundiff_compare(&a, &b, &all, &d);
    assert_false(d.same);
    assert_int_equal(d.fields, RUNDIFF_END);
    assert_int_equal(d.k, 3);
    assert_int_equal(d.ia, 3);
    assert_true(d.ib == SIZE_MAX);
    char why[128];
    rundiff_describe(&a, &b, &d, why, sizeof why);
    assert_string_equal(why, "B has no more events");

    /* The report: header, context, both sides, the verdict; B's side says it ended. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(rundiff_write(f, &a, &b, &all, &d, "one", "two", NULL, 2), 0);
    fclose(f);
    assert_non_null(strstr(buf, "--- A: one\n+++ B: two\n@@ the runs part after 3 of 4 events"));
    assert_non_null(strstr(buf, "\n  #2 "));
    assert_non_null(strstr(buf, "\n  #3 "));
    assert_null(strstr(buf, "\n  #1 "));          /* two lines of context, not three */
    assert_non_null(strstr(buf, "\n- #4 "));
    assert_non_null(strstr(buf, "\n+ (B: no more events)\n"));
    assert_non_null(strstr(buf, "differs in: B has no more events\n"));
    free(buf);
    b.n = 4;
    trace_free(&b);
    trace_free(&a);
}

static void test_edit_host_key(void **state)
{
    (void)state;
    const char *text = "seed 3\n"
                       "host client 10.0.0.1 os linux role scanner\n"
                       "host server 10.0.0.2 isn bsd64k challenge-ack 100/s random tcp 80  # web\n"
                       "host serverx 10.0.0.3 isn bsd64k\n";
    char *out, err[256];
    size_t len;
    assert_int_equal(scenario_edit_host_key("t.scn", text, strlen(text), "server", "isn",
                                            "rfc6528", &out, &len, err, sizeof err), 0);
    assert_non_null(strstr(out, "host server 10.0.0.2 challenge-ack 100/s random tcp 80 isn "
                                "rfc6528  # web\n"));
    assert_non_null(strstr(out, "host serverx 10.0.0.3 isn bsd64k\n"));   /* another host */
    assert_int_equal(len, strlen(out));
    free(out);
    /* A key of two or three words goes whole. */
    assert_int_equal(scenario_edit_host_key("t.scn", text, strlen(text), "server",
                                            "challenge-ack", "off", &out, &len, err,
                                            sizeof err), 0);
    assert_non_null(strstr(out, "host server 10.0.0.2 isn bsd64k tcp 80 challenge-ack off  #"));
    free(out);
    /* A flag: down=yes adds the word, down=no takes it away. */
    assert_int_equal(scenario_edit_host_key("t.scn", text, strlen(text), "client", "down",
                                            "yes", &out, &len, err, sizeof err), 0);
    assert_non_null(strstr(out, "host client 10.0.0.1 os linux role scanner down\n"));
    char *again;
    assert_int_equal(scenario_edit_host_key("t.scn", out, len, "client", "down", "no", &again,
                                            &len, err, sizeof err), 0);
    assert_string_equal(again, text);
    free(again);
    free(out);
    /* No such host; a value that would end the line or start a comment. */
    assert_int_equal(scenario_edit_host_key("t.scn", text, strlen(text), "nobody", "isn", "x",
                                            &out, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "no `host nobody` line"));
    assert_int_equal(scenario_edit_host_key("t.scn", text, strlen(text), "server", "isn",
                                            "random # x", &out, &len, err, sizeof err), -1);
    assert_int_equal(scenario_edit_host_key("t.scn", text, strlen(text), "server", "down",
                                            "maybe", &out, &len, err, sizeof err), -1);
}

static void test_param_set(void **state)
{
    (void)state;
    const char *t = "port ${port:choice 22,80,443} other ${o:range 1-9} again ${port}\n";
    struct param_set ps;
    char *out, err[256];
    size_t len;
    param_init_default(&ps);
    assert_int_equal(param_set_value(&ps, "port", "8080", err, sizeof err), 0);
    assert_int_equal(param_set_value(&ps, "port", "1", err, sizeof err), -1);   /* twice */
    assert_int_equal(param_set_value(&ps, "9x", "1", err, sizeof err), -1);
    assert_int_equal(param_set_value(&ps, "o", "a b", err, sizeof err), -1);   /* a blank */
    assert_int_equal(param_expand("t", 1, 1, t, strlen(t), &ps, &out, &len, err, sizeof err), 0);
    assert_string_equal(out, "port 8080 other 1 again 8080\n");
    assert_null(param_set_unused(&ps));
    free(out);
    param_free(&ps);
    /* A variant keeps its other draws: only the set parameter moves. */
    uint8_t secret[16] = {1, 2, 3};
    char *v1, *v2;
    param_init_variant(&ps, secret, 1);
    assert_int_equal(param_expand("t", 1, 1, t, strlen(t), &ps, &v1, &len, err, sizeof err), 0);
    param_free(&ps);
    param_init_variant(&ps, secret, 1);
    assert_int_equal(param_set_value(&ps, "port", "8080", err, sizeof err), 0);
    assert_int_equal(param_set_value(&ps, "nosuch", "1", err, sizeof err), 0);
    assert_int_equal(param_expand("t", 1, 1, t, strlen(t), &ps, &v2, &len, err, sizeof err), 0);
    assert_string_equal(param_set_unused(&ps), "nosuch");
    param_free(&ps);
    char o1[32], o2[32];
    sscanf(strstr(v1, "other"), "other %31s", o1);
    sscanf(strstr(v2, "other"), "other %31s", o2);
    assert_string_equal(o1, o2);
    assert_non_null(strstr(v2, "port 8080 "));
    free(v1);
    free(v2);
}

/* The whole machinery on a real scenario (the tests run from the repository's root). */
static void test_whatif_handshake(void **state)
{
    (void)state;
    struct whatif_src src = {.file = "scenarios/handshake.scn"};
    struct whatif_change ch;
    char err[512];
    struct whatif_run a, b;
    struct rundiff_view v;
    struct rundiff d;
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, NULL, 0, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 0);
    assert_true(d.same);
    assert_true(d.na > 20);
    whatif_run_free(&a);
    whatif_run_free(&b);

    assert_int_equal(whatif_parse("server.isn=constant:1000", &ch, err, sizeof err), 0);
    assert_string_equal(ch.host, "server");
    assert_string_equal(ch.key, "isn");
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 0);
    assert_false(d.same);
    /* The first event that differs is the server's reaction to the SYN (its next ISN). */
    const struct trace_ev *e = &a.tr.ev[d.ia];
    assert_int_equal(e->kind, SIM_EV_RECV);
    assert_string_equal(trace_str(&a.tr, e->host_off), "server");
    assert_true(d.fields & RUNDIFF_ISN);
    uint64_t server_parts = e->t_ns;
    whatif_run_free(&a);
    whatif_run_free(&b);

    /* The client sees it when the SYN-ACK arrives, one delay (1 ms) later. */
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, "client", &a, &b, &v, &d, err,
                                 sizeof err), 0);
    assert_false(d.same);
    assert_int_equal(d.k, 0);
    assert_int_equal(d.fields, RUNDIFF_BYTES);
    assert_int_equal(a.tr.ev[d.ia].t_ns, server_parts + 1000000);
    char why[256];
    rundiff_describe(&a.tr, &b.tr, &d, why, sizeof why);
    assert_non_null(strstr(why, "seq "));
    whatif_run_free(&a);
    whatif_run_free(&b);

    /* Trouble is told apart from a difference. */
    assert_int_equal(whatif_parse("nosuch.isn=random", &ch, err, sizeof err), 0);
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 1);
    whatif_run_free(&a);
    whatif_run_free(&b);
    assert_int_equal(whatif_parse("noequals", &ch, err, sizeof err), -1);
    assert_int_equal(whatif_parse("seed=x", &ch, err, sizeof err), -1);
    assert_int_equal(whatif_parse("seed=0x10", &ch, err, sizeof err), 0);
}

/* One scenario line changed (line N=TEXT): the connection 10 ms later parts the runs at
 * its first event; a removed line; a line past the end, a bad spec and a lab refused. */
static void test_whatif_line(void **state)
{
    (void)state;
    struct whatif_src src = {.file = "scenarios/handshake.scn"};
    struct whatif_change ch;
    char err[512], f[400];
    struct whatif_run a, b;
    struct rundiff_view v;
    struct rundiff d;
    assert_int_equal(whatif_parse("line 19=connect client -> server:80 at 20ms send 100 close "
                                  "500ms", &ch, err, sizeof err), 0);
    assert_int_equal(ch.line, 19);
    whatif_format(&ch, f, sizeof f);
    assert_string_equal(f, "line 19=connect client -> server:80 at 20ms send 100 close 500ms");
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 0);
    assert_false(d.same);
    assert_int_equal(d.k, 0);
    assert_true(d.fields & RUNDIFF_TIME);
    assert_int_equal(a.tr.ev[d.ia].t_ns, 10000000);
    assert_int_equal(b.tr.ev[d.ib].t_ns, 20000000);
    whatif_run_free(&a);
    whatif_run_free(&b);

    assert_int_equal(whatif_parse("line 19=", &ch, err, sizeof err), 0);   /* removed */
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 0);
    assert_false(d.same);
    assert_true(b.tr.n < a.tr.n);
    whatif_run_free(&a);
    whatif_run_free(&b);

    assert_int_equal(whatif_parse("line 19=connect nosuch -> server:80", &ch, err, sizeof err), 0);
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 1);
    assert_non_null(strstr(err, ":19:"));   /* the parser's FILE:LINE:COL */
    whatif_run_free(&a);
    whatif_run_free(&b);
    /* Two line changes, the first removing a line: the second still names the line as the
     * file numbers it (line 33, the last), and the parser's message says :33: too. */
    struct whatif_change two[2];
    assert_int_equal(whatif_parse("line 19=", &two[0], err, sizeof err), 0);
    assert_int_equal(whatif_parse("line 33=connect nosuch -> server:80", &two[1], err,
                                  sizeof err), 0);
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, two, 2, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 1);
    assert_non_null(strstr(err, ":33:"));
    whatif_run_free(&a);
    whatif_run_free(&b);
    assert_int_equal(whatif_parse("line 999=x", &ch, err, sizeof err), 0);
    assert_int_equal(whatif_diff(&src, NULL, 0, &src, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 1);
    assert_non_null(strstr(err, "only 33 lines"));
    whatif_run_free(&a);
    whatif_run_free(&b);
    assert_int_equal(whatif_parse("line 0=x", &ch, err, sizeof err), -1);
    assert_int_equal(whatif_parse("line x=y", &ch, err, sizeof err), -1);
    struct whatif_src lab = {.lab = {.lab = "handshake", .student = "alice"}};
    assert_int_equal(whatif_parse("line 3=x", &ch, err, sizeof err), 0);
    assert_int_equal(whatif_diff(&lab, NULL, 0, &lab, &ch, 1, NULL, &a, &b, &v, &d, err,
                                 sizeof err), 1);
    assert_non_null(strstr(err, "hidden"));
    whatif_run_free(&a);
    whatif_run_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_and_field),
        cmocka_unit_test(test_one_run_ends),
        cmocka_unit_test(test_edit_host_key),
        cmocka_unit_test(test_param_set),
        cmocka_unit_test(test_whatif_handshake),
        cmocka_unit_test(test_whatif_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
