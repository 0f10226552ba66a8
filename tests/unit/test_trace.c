/* test_trace.c — the event record copies what the simulator lends it, and formats the
 * transcript line in its documented field order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/wire.h"
#include "sim/trace.h"

static size_t make_syn(uint8_t *buf, size_t cap)
{
    struct wire_ipv4 ip = {.ttl = 64, .proto = WIRE_PROTO_TCP, .id = 1,
                           .src = 0xC6336400 | 10, .dst = 0xC6336400 | 30};
    struct wire_tcp tcp = {.sport = 40000, .dport = 80, .seq = 100, .flags = TCP_SYN,
                           .window = 8192};
    return wire_emit_tcp(buf, cap, &ip, &tcp);
}

static void test_record_copies_and_formats(void **state)
{
    (void)state;
    uint8_t pkt[64];
    size_t len = make_syn(pkt, sizeof pkt);
    assert_true(len == 40);

    struct trace t;
    trace_init(&t);
    char rule[64] = "RFC 793 3.4: SYN to a listener";
    char action[16] = "SYN-ACK";
    char id[32] = "rfc793-3.9-listen-syn";
    struct sim_event ev = {
        .seq = 3, .t_ns = 1001000000ULL, .kind = SIM_EV_RECV, .pkt = pkt, .len = (uint32_t)len,
        .host = "target", .host_addr = 0xC633641E, .action = action, .rule_id = id,
        .rule = rule, .state_before = TCP_LISTEN, .state_after = TCP_SYN_RECEIVED, .ipid = 0,
        .has_isn = true, .isn_next = 12345,
    };
    trace_record(&t, &ev);
    /* The simulator's buffers are reused: the record must not point into them. */
    memset(pkt, 0xAA, sizeof pkt);
    strcpy(rule, "clobbered");
    strcpy(action, "clobbered");
    strcpy(id, "clobbered");

    struct sim_event note = {.seq = 4, .t_ns = 2000000000ULL, .kind = SIM_EV_NOTE,
                             .host = "client", .action = "connect", .rule = NULL,
                             .state_before = TCB_NONE, .state_after = TCB_NONE, .ipid = -1};
    trace_record(&t, &note);
    /* An ID without text prints alone. */
    struct sim_event idonly = {.seq = 5, .t_ns = 3000000000ULL, .kind = SIM_EV_NOTE,
                               .host = "client", .action = "close", .rule_id = "scenario-close",
                               .state_before = TCB_NONE, .state_after = TCB_NONE, .ipid = -1};
    trace_record(&t, &idonly);
    assert_int_equal(t.n, 3);
    assert_false(t.oom);

    char line[1024];
    trace_format(&t, 0, line, sizeof line);
    char want_pkt[512];
    make_syn(pkt, sizeof pkt);
    wire_summary(want_pkt, sizeof want_pkt, pkt, len);
    char want[1024];
    snprintf(want, sizeof want,
             "1.001000000 RECV  target     %s => SYN-ACK (rfc793-3.9-listen-syn: RFC 793 3.4: "
             "SYN to a listener) "
             "LISTEN -> SYN-RECEIVED ipid=0 isn_next=12345",
             want_pkt);
    assert_string_equal(line, want);

    trace_format(&t, 1, line, sizeof line);
    assert_string_equal(line, "2.000000000 NOTE  client     => connect");

    trace_format(&t, 2, line, sizeof line);
    assert_string_equal(line, "3.000000000 NOTE  client     => close (scenario-close)");
    assert_string_equal(trace_str(&t, t.ev[0].rule_id_off), "rfc793-3.9-listen-syn");

    /* A short buffer truncates but reports the full length, like snprintf. */
    char small[8];
    int full = trace_format(&t, 1, small, sizeof small);
    assert_int_equal(full, (int)strlen("2.000000000 NOTE  client     => connect"));
    assert_string_equal(small, "2.00000");
    trace_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_copies_and_formats),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
