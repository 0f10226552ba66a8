/* test_filter.c — middleboxes (sim/filter.c): first match wins, the policy, the exact bytes
 * of every REJECT, tcp-reset's sequence rules, and the stateful conntrack.
 */
#include "tests/unit/sim_fixture.h"

static void inject_run(struct tap_fx *f, const uint8_t *b, size_t n)
{
    assert_int_equal(sim_inject(f->s, b, n), 0);
    sim_run_until(f->s, sim_now(f->s) + 100000000);
}

static const char *FIRST =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host target 198.51.100.30 os linux tcp 22,80,443 udp 53\n"
    "filter fw at target in\n"
    "  reject tcp dport 80 with tcp-reset\n"
    "  drop tcp dport 22,80\n"
    "  accept tcp from 198.51.100.0/24\n"
    "  policy drop\n";

/* Rule 1 wins over rule 2 for port 80; rule 2 drops 22; rule 3 passes 443 to the host
 * (which answers SYN-ACK); UDP meets the policy. */
static void test_first_match_and_policy(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, FIRST);
    uint8_t b[WIRE_MTU];
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 80, TCP_SYN, 100, 0, 0));
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.l4.tcp.flags, TCP_RST | TCP_ACK);
    long i = fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 1 (line 5): ");
    assert_true(i >= 0);
    assert_string_equal(trace_str(&f.tr, f.tr.ev[i].action_off), "reject tcp-reset");

    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 22, TCP_SYN, 100, 0, 0));
    assert_int_equal(f.c->n, 1);
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 2 (line 6): ") >= 0);

    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 443, TCP_SYN, 100, 0, 0));
    assert_int_equal(f.c->n, 2);
    fx_parse(f.c->pkt[1], f.c->len[1], &p);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);

    inject_run(&f, b, fx_udp(b, f.sc, f.target, 40000, 53, 4));
    assert_int_equal(f.c->n, 2);
    /* the `policy` line itself (line 8), not the `filter` line */
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw policy (line 8): drop") >= 0);

    /* From outside 198.51.100.0/24: rule 3 does not match, the policy drops. */
    inject_run(&f, b, fx_tcp(b, ip4(192, 0, 2, 1), f.target, 40000, 443, TCP_SYN, 1, 0, 0));
    int policy_drops = 0;
    for (size_t k = 0; k < f.tr.n; k++)
        policy_drops += f.tr.ev[k].kind == SIM_EV_DROP &&
                        strstr(trace_str(&f.tr, f.tr.ev[k].rule_off), "policy") != NULL;
    assert_int_equal(policy_drops, 2);
    tap_fx_close(&f);
}

/* Every icmp-* reject: type 3 with iptables' code, from the filtered host, quoting the
 * whole (small) datagram, numbered by the host's generator. */
static void test_reject_codes(void **state)
{
    (void)state;
    static const struct { const char *name; uint8_t code; } cases[] = {
        { "icmp-port-unreachable", 3 }, { "icmp-host-unreachable", 1 },
        { "icmp-net-unreachable", 0 }, { "icmp-net-prohibited", 9 },
        { "icmp-host-prohibited", 10 }, { "icmp-admin-prohibited", 13 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "net 198.51.100.0/24 delay 1ms\n"
                 "host scanner 198.51.100.10 role scanner os linux\n"
                 "host target 198.51.100.30 os printer tcp 80 udp 53\n"
                 "filter fw at target in\n"
                 "  reject udp with %s\n"
                 "  reject tcp dport 80 with %s\n", cases[k].name, cases[k].name);
        struct tap_fx f;
        tap_fx_open(&f, text);
        uint8_t b[WIRE_MTU];
        size_t n = fx_udp(b, f.sc, f.target, 40000, 53, 12);
        inject_run(&f, b, n);
        n = fx_tcp(b, f.sc, f.target, 40001, 80, TCP_SYN, 5, 0, 0);
        inject_run(&f, b, n);
        assert_int_equal(f.c->n, 2);
        struct wire_pkt p;
        fx_parse(f.c->pkt[0], f.c->len[0], &p);
        assert_int_equal(p.ip.src, f.target);
        assert_int_equal(p.ip.dst, f.sc);
        assert_int_equal(p.ip.proto, WIRE_PROTO_ICMP);
        assert_int_equal(p.l4.icmp.type, 3);
        assert_int_equal(p.l4.icmp.code, cases[k].code);
        assert_int_equal(p.l4.icmp.rest, 0);
        assert_int_equal(p.ip.total_len, 20 + 8 + 40);
        uint8_t udp[WIRE_MTU];
        fx_udp(udp, f.sc, f.target, 40000, 53, 12);
        assert_memory_equal(p.l4.icmp.payload, udp, 40);
        struct wire_pkt p2;
        fx_parse(f.c->pkt[1], f.c->len[1], &p2);
        assert_int_equal(p2.l4.icmp.code, cases[k].code);
        /* The printer's global counter numbered both. */
        assert_int_equal((uint16_t)(p2.ip.id - p.ip.id), 1);
        tap_fx_close(&f);
    }
}

static const char *RESET =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host target 198.51.100.30 os linux tcp 80\n"
    "filter fw at target in\n"
    "  reject tcp with tcp-reset\n";

static void expect_rst(struct tap_fx *f, size_t i, uint8_t flags, uint32_t seq, uint32_t ack,
                       uint16_t sport, uint16_t dport)
{
    struct wire_pkt p;
    fx_parse(f->c->pkt[i], f->c->len[i], &p);
    assert_int_equal(p.ip.src, f->target);
    assert_int_equal(p.ip.ttl, 64);
    assert_true(p.ip.df);
    assert_int_equal(p.ip.id, 0);
    assert_true(p.l4.tcp.csum_ok);
    assert_int_equal(p.l4.tcp.flags, flags);
    assert_int_equal(p.l4.tcp.seq, seq);
    assert_int_equal(p.l4.tcp.ack, ack);
    assert_int_equal(p.l4.tcp.window, 0);
    assert_int_equal(p.l4.tcp.sport, sport);
    assert_int_equal(p.l4.tcp.dport, dport);
    assert_int_equal(p.l4.tcp.payload_len, 0);
    assert_int_equal(p.l4.tcp.hdr_len, 20);
}

/* nf_send_reset: with ACK, <SEQ=SEG.ACK><RST>; else <SEQ=0><ACK=SEG.SEQ+LEN><RST,ACK>,
 * SYN and FIN counting one; never a reset to a RST. */
static void test_tcp_reset_rules(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, RESET);
    uint8_t b[WIRE_MTU];
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 80, TCP_SYN, 1000, 0, 0));
    expect_rst(&f, 0, TCP_RST | TCP_ACK, 0, 1001, 80, 40000);
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40001, 81, TCP_ACK, 7, 5555, 0));
    expect_rst(&f, 1, TCP_RST, 5555, 0, 81, 40001);
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40002, 82, TCP_FIN | TCP_PSH, 100, 0, 10));
    expect_rst(&f, 2, TCP_RST | TCP_ACK, 0, 111, 82, 40002);
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40003, 83, TCP_SYN | TCP_FIN, 0xffffffffu, 0, 0));
    expect_rst(&f, 3, TCP_RST | TCP_ACK, 0, 1, 83, 40003);   /* wraps */
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40004, 84, 0, 50, 0, 0));   /* NULL */
    expect_rst(&f, 4, TCP_RST | TCP_ACK, 0, 50, 84, 40004);
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40005, 85, TCP_RST, 50, 0, 0));
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40006, 86, TCP_RST | TCP_ACK, 50, 9, 0));
    assert_int_equal(f.c->n, 5);
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 1 (line 5)") >= 0);
    tap_fx_close(&f);
}

static const char *STATEFUL =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner os linux tcp 8080\n"
    "host target 198.51.100.30 os linux tcp 22\n"
    "filter fw at target in stateful\n"
    "  drop tcp\n"
    "  drop udp\n";

/* The target's own connection out: the SYN-ACK coming back passes `drop tcp` because the
 * filter saw the SYN leave. A new inbound SYN does not. */
static void test_stateful_replies_pass(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, STATEFUL);
    int h = sim_stream_connect(f.s, f.target, f.sc, 8080);
    assert_true(h >= 0);
    sim_run_until(f.s, 2500000);   /* SYN out at 0, SYN-ACK back at 2 ms */
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_OPEN);
    sim_run_until(f.s, 100000000);
    uint8_t b[WIRE_MTU];
    size_t before = f.c->n;
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 22, TCP_SYN, 1, 0, 0));
    assert_int_equal(f.c->n, before);   /* no SYN-ACK: dropped by rule 1 */
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 1 (line 5): drop tcp") >= 0);
    /* An ACK pretending to belong to a flow the filter never saw is dropped too. */
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40001, 22, TCP_ACK, 1, 1, 0));
    assert_int_equal(f.c->n, before);
    sim_stream_abort(f.s, h);
    tap_fx_close(&f);
}

/* Without `stateful` the SYN-ACK is dropped: the connection stays pending. */
static void test_stateless_blocks_replies(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux tcp 8080\n"
                "host target 198.51.100.30 os linux tcp 22\n"
                "filter fw at target in\n"
                "  drop tcp\n");
    int h = sim_stream_connect(f.s, f.target, f.sc, 8080);
    sim_run_until(f.s, 100000000);
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_PENDING);
    sim_stream_abort(f.s, h);
    tap_fx_close(&f);
}

/* -sT through a REJECT: the ICMP error reaches the scanner's TCP, the stream is UNREACH with
 * the type and code; a port-unreachable reject reads as REFUSED (ECONNREFUSED). */
static void test_stream_sees_reject(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux tcp 22,80\n"
                "filter fw at target in\n"
                "  reject tcp dport 22 with icmp-admin-prohibited\n"
                "  reject tcp dport 80 with icmp-port-unreachable\n");
    int h = sim_stream_connect(f.s, f.sc, f.target, 22);
    sim_run_until(f.s, 100000000);
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_UNREACH);
    uint8_t ty = 0, co = 0;
    assert_int_equal(sim_stream_icmp(f.s, h, &ty, &co), 0);
    assert_int_equal(ty, 3);
    assert_int_equal(co, 13);
    sim_stream_abort(f.s, h);
    h = sim_stream_connect(f.s, f.sc, f.target, 80);
    sim_run_until(f.s, 200000000);
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_REFUSED);
    sim_stream_abort(f.s, h);
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_CLOSED);
    tap_fx_close(&f);
}

/* An `out` filter decides on what its host sends: the target's SYN-ACKs are dropped. */
static void test_out_filter(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux tcp 22\n"
                "filter egress at target out\n"
                "  drop tcp flags SA\n");
    uint8_t b[WIRE_MTU];
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 22, TCP_SYN, 1, 0, 0));
    assert_int_equal(f.c->n, 0);
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter egress rule 1") >= 0);
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40000, 23, TCP_SYN, 1, 0, 0));
    assert_int_equal(f.c->n, 1);   /* the closed port's RST+ACK passes */
    tap_fx_close(&f);
}

/* The usual stateful firewall: new inbound connections only as SYNs to port 80, everything
 * else of TCP dropped. Once the target's SYN-ACK has left (a reply: conntrack's
 * ESTABLISHED), the client's ACK that completes the handshake must pass too, as it does
 * behind `-m state --state ESTABLISHED,RELATED -j ACCEPT`: the target's TCB reaches
 * ESTABLISHED. Before the fix only the reverse direction passed and the ACK met `drop tcp`. */
static void test_stateful_established_both_ways(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux tcp 80,81\n"
                "filter fw at target in stateful\n"
                "  accept tcp dport 80 flags syn\n"
                "  drop tcp\n");
    int h = sim_stream_connect(f.s, f.sc, f.target, 80);
    assert_true(h >= 0);
    sim_run_until(f.s, 100000000);
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_OPEN);
    bool established = false;
    for (size_t k = 0; k < f.tr.n; k++)
        if (f.tr.ev[k].kind == SIM_EV_RECV && f.tr.ev[k].host_addr == f.target &&
            f.tr.ev[k].state_before == TCP_SYN_RECEIVED &&
            f.tr.ev[k].state_after == TCP_ESTABLISHED)
            established = true;
    assert_true(established);
    assert_int_equal(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 2"), -1);
    /* A bare ACK of a flow nobody opened is still dropped by rule 2. */
    uint8_t b[WIRE_MTU];
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40001, 81, TCP_ACK, 1, 1, 0));
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 2 (line 6): drop tcp") >= 0);
    sim_stream_abort(f.s, h);
    tap_fx_close(&f);
}

/* Only a bare SYN opens a conntrack entry: a SYN-ACK that a rule accepts is no new flow
 * (nf_conntrack_proto_tcp: SYN/ACK in state NONE is INVALID), so the ACK that follows it on
 * the same tuple still meets `drop tcp`. */
static void test_stateful_synack_opens_nothing(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux tcp 80,81\n"
                "filter fw at target in stateful\n"
                "  accept tcp flags SA\n"
                "  drop tcp\n");
    uint8_t b[WIRE_MTU];
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40001, 81, TCP_SYN | TCP_ACK, 1, 1, 0));
    assert_int_equal(f.c->n, 1);   /* accepted: the target RSTs the stray SYN-ACK */
    assert_int_equal(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 2"), -1);
    inject_run(&f, b, fx_tcp(b, f.sc, f.target, 40001, 81, TCP_ACK, 2, 1, 0));
    assert_int_equal(f.c->n, 1);
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 2 (line 6): drop tcp") >= 0);
    tap_fx_close(&f);
}

/* ICMP flows keep their direction (nf_conntrack_proto_icmp inverts echo request into echo
 * reply): the target pings the scanner through its inbound `drop icmp`, the echo reply
 * passes, but an echo REQUEST from the scanner with the same id is a new flow and meets the
 * rule. Before the fix it matched the tracked flow in reverse and passed. */
static void test_stateful_icmp_direction(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux\n"
                "filter fw at target in stateful\n"
                "  drop icmp\n"
                "traffic target -> scanner icmp rate 1/s start 0 stop 500ms\n");
    sim_run_until(f.s, 100000000);
    size_t replies = 0;
    for (size_t k = 0; k < f.tr.n; k++) {
        const struct trace_ev *e = &f.tr.ev[k];
        if (e->kind == SIM_EV_RECV && e->host_addr == f.target && e->len > 20 &&
            trace_pkt(&f.tr, e)[20] == ICMP_ECHO_REPLY)
            replies++;
    }
    assert_int_equal(replies, 1);
    assert_int_equal(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 1"), -1);
    uint8_t b[WIRE_MTU];
    inject_run(&f, b, fx_echo(b, f.sc, f.target, 0x7000, 1, "ping"));
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "filter fw rule 1 (line 5): drop icmp") >= 0);
    tap_fx_close(&f);
}

/* --- scripted events (sim/script.c), tested here for the fixture --- */

/* Traffic that starts at the latest time a scenario may write (SCN_TIME_MAX, 100 years; a
 * later one, which could wrap the clock past 2^64 ns, is refused at parse time): it sends
 * at its rate and stops, and the queue drains. Before the script checked for a wrap, a
 * start near 2^64 ns queued packets at the current time without end. */
static void test_traffic_near_clock_end(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 0\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os printer\n"
                "traffic target -> scanner:9 udp rate 1/s start 3155759999s "
                "stop 3155760000s\n");
    int sends = 0, steps = 0;
    while (steps < 1000 && sim_step(f.s))
        steps++;
    for (size_t k = 0; k < f.tr.n; k++)
        sends += f.tr.ev[k].kind == SIM_EV_SEND && f.tr.ev[k].host_addr == f.target;
    assert_true(sends >= 1 && sends <= 2);
    assert_true(steps < 1000);
    assert_int_equal(sim_next_time(f.s), UINT64_MAX);
    tap_fx_close(&f);
    struct scenario sc;
    char err[256];
    const char *late = "host a 198.51.100.1\n"
                       "traffic a -> 198.51.100.2:9 udp rate 1/s start 18446744073s stop 18446744073.7s\n";
    assert_int_equal(scenario_parse("t.scn", late, strlen(late), &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.scn:2:48: error: expected a time of at most 100 years"));
}

/* Crossing SYNs (RFC 793 3.4 figure 8, simultaneous open) put the connecting side in
 * SYN-RECEIVED: connect() has not returned yet, so the stream is PENDING, not CLOSED. */
static void test_stream_simultaneous_open_pending(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux\n");
    struct cap *wire = cap_new();
    sim_set_wiretap(f.s, cap_fn, wire);
    uint32_t peer = ip4(198, 51, 100, 99);   /* no host: our SYN goes nowhere */
    int h = sim_stream_connect(f.s, f.sc, peer, 80);
    assert_true(h >= 0);
    assert_int_equal(wire->n, 1);
    struct wire_pkt syn;
    fx_parse(wire->pkt[0], wire->len[0], &syn);
    uint8_t b[WIRE_MTU];
    assert_int_equal(sim_inject(f.s, b, fx_tcp(b, peer, f.sc, 80, syn.l4.tcp.sport, TCP_SYN,
                                               5000, 0, 0)), 0);
    sim_run_until(f.s, 1500000);
    bool synrecv = false;
    for (size_t k = 0; k < f.tr.n; k++)
        if (f.tr.ev[k].kind == SIM_EV_RECV && f.tr.ev[k].host_addr == f.sc &&
            f.tr.ev[k].state_after == TCP_SYN_RECEIVED)
            synrecv = true;
    assert_true(synrecv);
    assert_int_equal(sim_stream_state(f.s, h), SIM_STREAM_PENDING);
    sim_stream_abort(f.s, h);
    free(wire);
    tap_fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_match_and_policy),
        cmocka_unit_test(test_reject_codes),
        cmocka_unit_test(test_tcp_reset_rules),
        cmocka_unit_test(test_stateful_replies_pass),
        cmocka_unit_test(test_stateful_synack_opens_nothing),
        cmocka_unit_test(test_stateless_blocks_replies),
        cmocka_unit_test(test_stream_sees_reject),
        cmocka_unit_test(test_out_filter),
        cmocka_unit_test(test_stateful_established_both_ways),
        cmocka_unit_test(test_stateful_icmp_direction),
        cmocka_unit_test(test_traffic_near_clock_end),
        cmocka_unit_test(test_stream_simultaneous_open_pending),
    };
    return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
