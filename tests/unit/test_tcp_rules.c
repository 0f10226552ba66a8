/* test_tcp_rules.c — the TCP rule table (sim/tcp_rules.c): every row complete, every ID
 * unique and documented in docs/rules.md, each row's action column what the host does, and
 * each stack's text its own (no "Linux" on a BSD host for a rule that is Linux's alone, the
 * 4.4BSD RST+ACK under its own rule).
 *
 * `test_tcp_rules --markdown` prints the table as docs/rules.md shows it.
 * Fixture: tcp_fixture.h.
 */
#include "tests/unit/tcp_fixture.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/tcp_rules.h"

static const char *act_name(enum tcp_act a)
{
    switch (a) {
    case TCP_ACT_NOTE: return "(the code: see text)";
    case TCP_ACT_DROP: return "drop";
    case TCP_ACT_RST: return "RST answering it";
    case TCP_ACT_ACK: return "ACK";
    case TCP_ACT_ACK_CTL: return "ACK (control socket)";
    case TCP_ACT_CHACK: return "challenge ACK";
    case TCP_ACT_RESET: return "reset the connection";
    case TCP_ACT_RST_RESET: return "RST, reset the connection";
    }
    return "?";
}

static void test_rows_complete_and_unique(void **state)
{
    (void)state;
    for (int i = 0; i < TR_COUNT; i++) {
        const struct tcp_rule *r = &tcp_rules[i];
        assert_non_null(r->id);
        assert_non_null(r->state);
        assert_non_null(r->segment);
        /* every row names its action word, except a reset answering the segment, whose
         * word ("RST" or "RST+ACK") depends on the segment */
        if (r->act == TCP_ACT_RST || r->act == TCP_ACT_RST_RESET)
            assert_null(r->action);
        else
            assert_non_null(r->action);
        /* only the budgets take their text from the host's own numbers */
        if (!r->text)
            assert_true(strncmp(r->id, "budget-", 7) == 0);
        for (const char *c = r->id; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                        *c == '.');
        for (int j = 0; j < i; j++)
            if (strcmp(tcp_rules[j].id, r->id) == 0)
                fail_msg("rule ID %s is on rows %d and %d", r->id, j, i);
    }
}

/* Every ID in the table is in docs/rules.md (the tests run from the repository's root). */
static void test_ids_documented(void **state)
{
    (void)state;
    FILE *f = fopen("docs/rules.md", "r");
    assert_non_null(f);
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = 0;
    for (int i = 0; i < TR_COUNT; i++) {
        char key[96];
        snprintf(key, sizeof key, "`%s`", tcp_rules[i].id);
        if (!strstr(doc, key))
            fail_msg("rule ID %s is not in docs/rules.md", tcp_rules[i].id);
    }
}

/* A Linux host's texts name Linux; where the row is Linux's rule, a host that is not Linux
 * says so instead of claiming to be Linux. */
static void test_other_stack_texts(void **state)
{
    (void)state;
    for (int i = 0; i < TR_COUNT; i++) {
        const struct tcp_rule *r = &tcp_rules[i];
        if (!r->other)
            continue;
        if (strstr(r->other, "Linux"))
            assert_non_null(strstr(r->other, "not modelled"));
    }
}

/* ---------------------------------------------------------------- what hosts print */

/* 4.4BSD's dropwithreset: its own rule ID and text, not RFC 793's formula. */
static void test_bsd_rst_ack_rule(void **state)
{
    (void)state;
    F.p.rst_ack_skips_fin = true;
    F.p.linux_stack = false;
    fx_start();
    struct wire_tcp s = seg_mk(1000, 81, TCP_FIN | TCP_PSH | TCP_URG, 500, 0);
    const struct wire_tcp *o = feed(&s);
    assert_non_null(o);
    assert_int_equal(o->ack, 500);
    assert_string_equal(F.v.rule_id, "bsd44-dropwithreset");
    assert_null(strstr(F.v.rule, "RFC 793"));
    struct wire_tcp a = seg_mk(1001, 81, TCP_ACK, 500, 9);
    feed(&a);
    assert_string_equal(F.v.rule_id, "rfc793-3.4-case1-ack");
}

static void test_linux_closed_rule(void **state)
{
    (void)state;
    fx_start();
    struct wire_tcp s = seg_mk(1000, 81, TCP_SYN, 500, 0);
    feed(&s);
    assert_string_equal(F.v.action, "RST+ACK");
    assert_string_equal(F.v.rule_id, "rfc793-3.4-case1-noack");
    struct wire_tcp r = seg_mk(1000, 81, TCP_RST, 500, 0);
    feed(&r);
    assert_string_equal(F.v.rule_id, "rfc793-3.4-rst");
}

/* In-order data: Linux's quickack on Linux; elsewhere the text says whose rule it is. */
static void check_data_text(bool linux_stack)
{
    F.p.linux_stack = linux_stack;
    fx_start();
    uint32_t iss = establish(2000, 100, false);
    struct wire_tcp d = seg_mk(2000, 80, TCP_ACK | TCP_PSH, 101, iss + 1);
    d.payload_len = 10;
    feed(&d);
    assert_string_equal(F.v.rule_id, "rfc793-3.9-data");
    if (linux_stack) {
        assert_non_null(strstr(F.v.rule, "Linux quickack"));
    } else {
        assert_null(strstr(F.v.rule, "Linux quickack"));
        assert_non_null(strstr(F.v.rule, "not modelled"));
    }
}

static void test_data_text_linux(void **state)
{
    (void)state;
    check_data_text(true);
}

static void test_data_text_bsd(void **state)
{
    (void)state;
    check_data_text(false);
}

/* The request socket's rules are Linux's: a FreeBSD-like host says it follows them. */
static void test_request_socket_text_elsewhere(void **state)
{
    (void)state;
    F.p.linux_stack = false;
    fx_start();
    struct wire_tcp syn = seg_mk(3000, 80, TCP_SYN, 100, 0);
    feed(&syn);
    F.io.now_ns = SEC;                   /* past the 500 ms limit */
    feed(&syn);
    assert_string_equal(F.v.rule_id, "linux-check-req-syn");
    assert_true(strncmp(F.v.rule, "Linux", 5) != 0);
    assert_non_null(strstr(F.v.rule, "not modelled"));
}

/* --markdown: the table for docs/rules.md. */
static void print_markdown(void)
{
    printf("| rule ID | state | segment | action | text (Linux host) |\n");
    printf("|---|---|---|---|---|\n");
    for (int i = 0; i < TR_COUNT; i++) {
        const struct tcp_rule *r = &tcp_rules[i];
        printf("| `%s` | %s | %s | %s | %s |\n", r->id, r->state, r->segment,
               r->act == TCP_ACT_NOTE ? r->action : act_name(r->act),
               r->text ? r->text : "(the host's budget, with its numbers)");
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
        print_markdown();
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_complete_and_unique),
        cmocka_unit_test(test_ids_documented),
        cmocka_unit_test(test_other_stack_texts),
        T(test_bsd_rst_ack_rule),
        T(test_linux_closed_rule),
        T(test_data_text_linux),
        T(test_data_text_bsd),
        T(test_request_socket_text_elsewhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
