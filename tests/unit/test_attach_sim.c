/* test_attach_sim.c — the simulator's side of an attached script (sim/attach.c): injected
 * SENDs named by the attaching host and marked, the off-path view (only the prefix's
 * datagrams reach the tap), the host's stack kept out of the way except for the script's
 * own connections, addresses of the prefix where no host is, notes, and that the same
 * calls give the same run.
 */
#include "tests/unit/sim_fixture.h"

static const char *NET =
    "net 198.51.100.0/24 delay 1ms loss 0%\n"
    "net 203.0.113.0/24 delay 2ms\n"
    "host attacker 198.51.100.10 role scanner os linux\n"
    "host trusted 198.51.100.20 os linux\n"
    "host server 198.51.100.30 os linux tcp 80\n";

struct att_fx {
    struct sim *s;
    struct cap *c;
    struct trace tr;
    uint32_t att, trusted, server;
};

static void att_open(struct att_fx *f, uint32_t prefix, unsigned plen, bool trace)
{
    f->s = fx_sim(NET, 1);
    f->c = cap_new();
    f->att = fx_addr(f->s, "attacker");
    f->trusted = fx_addr(f->s, "trusted");
    f->server = fx_addr(f->s, "server");
    trace_init(&f->tr);
    if (trace)
        sim_set_trace(f->s, trace_record, &f->tr);
    assert_int_equal(sim_attach(f->s, prefix ? prefix : f->att, plen, f->att, cap_fn, f->c), 0);
}

static void att_close(struct att_fx *f)
{
    trace_free(&f->tr);
    free(f->c);
    sim_free(f->s);
}

/* A SYN spoofed from trusted: its SEND names the attacker and is marked injected; the
 * server's SYN-ACK goes to trusted, which the script does not see (off-path), and trusted's
 * RST is a RECV on the server. */
static void test_inject_spoofed(void **state)
{
    (void)state;
    struct att_fx f;
    att_open(&f, 0, 32, true);
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, f.trusted, f.server, 1023, 80, TCP_SYN, 100, 0, 0);
    assert_int_equal(sim_inject_as(f.s, b, n), 0);
    sim_run_until(f.s, 20000000);
    assert_true(f.tr.n >= 4);
    const struct trace_ev *e = &f.tr.ev[0];
    assert_int_equal(e->kind, SIM_EV_SEND);
    assert_true(e->injected);
    assert_int_equal(e->host_addr, f.att);
    assert_string_equal(trace_str(&f.tr, e->host_off), "attacker");
    char line[1024];
    trace_format(&f.tr, 0, line, sizeof line);
    assert_non_null(strstr(line, "SEND  attacker*inj 198.51.100.20:1023 > 198.51.100.30:80"));
    for (size_t i = 1; i < f.tr.n; i++) {
        assert_false(f.tr.ev[i].injected);   /* the server's answer is its own */
        assert_int_not_equal(f.tr.ev[i].host_addr, f.att);
    }
    assert_int_equal(f.c->n, 0);   /* nothing reached the attacker */
    att_close(&f);
}

/* The attacker's own SYN: the SYN-ACK reaches the script and not the attacker's stack, so
 * no RST follows (scapy users' firewall rule); the server stays SYN-RECEIVED. */
static void test_stack_out_of_the_way(void **state)
{
    (void)state;
    struct att_fx f;
    att_open(&f, 0, 32, true);
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, f.att, f.server, 40000, 80, TCP_SYN, 1, 0, 0);
    assert_int_equal(sim_inject_as(f.s, b, n), 0);
    sim_run_until(f.s, 20000000);
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(f.c->t[0], 2000000);
    long k = -1;
    for (size_t i = 0; i < f.tr.n; i++)
        if (f.tr.ev[i].rule_id_off && !strcmp(trace_str(&f.tr, f.tr.ev[i].rule_id_off), "attach-script"))
            k = (long)i;
    assert_true(k >= 0);
    assert_int_equal(f.tr.ev[k].kind, SIM_EV_RECV);
    for (size_t i = 0; i < f.tr.n; i++)   /* no RST from the attacker's stack */
        assert_false(f.tr.ev[i].kind == SIM_EV_SEND && !f.tr.ev[i].injected &&
                     f.tr.ev[i].host_addr == f.att);
    struct sim_tcb_info ti;
    assert_int_equal(sim_host_tcb(f.s, f.server, 80, f.att, 40000, &ti), 0);
    assert_int_equal(ti.state, TCP_SYN_RECEIVED);
    att_close(&f);
}

/* A connection the script opens through the attacker's stack completes: its segments reach
 * the stack (which ACKs the SYN-ACK) and are copied to the script. */
static void test_connect_through_stack(void **state)
{
    (void)state;
    struct att_fx f;
    att_open(&f, 0, 32, false);
    int h = sim_stream_open(f.s, f.att, f.server, 80, 45000);
    assert_true(h >= 0);
    sim_run_until(f.s, 20000000);
    assert_int_equal(sim_stream_tcp_state(f.s, h), TCP_ESTABLISHED);
    assert_int_equal(f.c->n, 1);   /* the SYN-ACK, copied */
    struct sim_tcb_info ti;
    assert_int_equal(sim_host_tcb(f.s, f.server, 80, f.att, 45000, &ti), 0);
    assert_int_equal(ti.state, TCP_ESTABLISHED);
    assert_int_equal(sim_stream_write(f.s, h, 100), 0);
    sim_run_until(f.s, 30000000);
    assert_int_equal(sim_host_tcb(f.s, f.server, 80, f.att, 45000, &ti), 0);
    assert_int_equal(ti.rcv_nxt - ti.irs, 1 + 100);   /* SYN and the data */
    assert_int_equal(sim_stream_close(f.s, h), 0);
    sim_run_until(f.s, 40000000);
    int st = sim_stream_tcp_state(f.s, h);   /* our FIN was sent and acknowledged */
    assert_true(st == TCP_FIN_WAIT_2 || st == TCP_TIME_WAIT || st == TCP_CLOSED);
    assert_int_equal(sim_stream_tcp_state(f.s, 99), -1);
    assert_int_equal(sim_stream_write(f.s, 99, 1), -1);
    att_close(&f);
}

/* A prefix where no host is: datagrams to its addresses go to the script; the engine no
 * longer calls them net-no-host. Addresses outside the prefix still are. */
static void test_prefix_without_hosts(void **state)
{
    (void)state;
    struct att_fx f;
    f.s = fx_sim(NET, 1);
    f.c = cap_new();
    f.server = fx_addr(f.s, "server");
    trace_init(&f.tr);
    sim_set_trace(f.s, trace_record, &f.tr);
    assert_int_equal(sim_attach(f.s, ip4(203, 0, 113, 128), 25, ip4(203, 0, 113, 128), cap_fn,
                                f.c), 0);
    uint8_t b[WIRE_MTU];
    for (unsigned i = 0; i < 3; i++) {
        size_t n = fx_tcp(b, ip4(203, 0, 113, 130 + i), f.server, 50000, 80, TCP_SYN, 7, 0, 0);
        assert_int_equal(sim_inject_as(f.s, b, n), 0);
    }
    size_t n = fx_tcp(b, ip4(203, 0, 113, 5), f.server, 50000, 80, TCP_SYN, 7, 0, 0);
    assert_int_equal(sim_inject_as(f.s, b, n), 0);   /* outside the prefix: not ours */
    sim_run_until(f.s, 20000000);
    assert_int_equal(f.c->n, 3);
    for (size_t i = 0; i < 3; i++) {
        struct wire_pkt p;
        fx_parse(f.c->pkt[i], f.c->len[i], &p);
        assert_int_equal(p.ip.dst, ip4(203, 0, 113, 130 + i));
        assert_int_equal(f.c->t[i], 1000000 + 2000000);   /* 1ms there, 2ms back */
    }
    assert_true(fx_find_rule(&f.tr, SIM_EV_DROP, "no host at 203.0.113.5") >= 0);
    assert_int_equal(fx_find_rule(&f.tr, SIM_EV_DROP, "no host at 203.0.113.13"), -1);
    att_close(&f);
}

/* sim_attach's checks, and injection with nothing attached. */
static void test_attach_args(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    struct cap *c = cap_new();
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, ip4(198, 51, 100, 10), ip4(198, 51, 100, 30), 1, 80, TCP_SYN, 0, 0, 0);
    assert_int_equal(sim_inject_as(s, b, n), -1);
    assert_int_equal(sim_attach(s, ip4(198, 51, 100, 0), 33, ip4(198, 51, 100, 1), cap_fn, c), -1);
    assert_int_equal(sim_attach(s, ip4(198, 51, 100, 0), 24, ip4(198, 51, 101, 1), cap_fn, c), -1);
    assert_int_equal(sim_attach(s, ip4(198, 51, 100, 10), 32, ip4(198, 51, 100, 10), cap_fn, c), 0);
    assert_int_equal(sim_inject_as(s, b, 10), -1);   /* not a datagram */
    free(c);
    sim_free(s);
}

/* A note is a NOTE record by the attaching host. */
static void test_note(void **state)
{
    (void)state;
    struct att_fx f;
    att_open(&f, 0, 32, true);
    sim_attach_note(f.s, "stage 1");
    assert_int_equal(f.tr.n, 1);
    assert_int_equal(f.tr.ev[0].kind, SIM_EV_NOTE);
    assert_string_equal(trace_str(&f.tr, f.tr.ev[0].action_off), "stage 1");
    assert_int_equal(f.tr.ev[0].host_addr, f.att);
    att_close(&f);
}

/* The same calls give the same datagrams at the same times, with or without a trace (the
 * fast path of an untraced injection is the same run). */
static void run_probes(bool trace, struct cap *out)
{
    struct att_fx f;
    att_open(&f, 0, 32, trace);
    uint8_t b[WIRE_MTU];
    for (unsigned round = 0; round < 5; round++) {
        for (unsigned i = 0; i < 20; i++) {
            size_t n = fx_tcp(b, f.att, f.server, (uint16_t)(30000 + round * 20 + i),
                              (uint16_t)(78 + i % 4), TCP_SYN, i, 0, 0);
            assert_int_equal(sim_inject_as(f.s, b, n), 0);
        }
        sim_run_until(f.s, sim_now(f.s) + 5000000);
    }
    memcpy(out, f.c, sizeof *out);
    att_close(&f);
}

static void test_deterministic(void **state)
{
    (void)state;
    struct cap *a = cap_new(), *b = cap_new(), *c = cap_new();
    run_probes(false, a);
    run_probes(false, b);
    run_probes(true, c);
    assert_int_equal(a->n, 100);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->n, c->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->t[i], c->t[i]);
        assert_int_equal(a->len[i], c->len[i]);
        assert_memory_equal(a->pkt[i], b->pkt[i], a->len[i]);
        assert_memory_equal(a->pkt[i], c->pkt[i], a->len[i]);
    }
    free(a);
    free(b);
    free(c);
}

/* A clone keeps the attachment's behaviour (the stack still out of the way) without its
 * observer. */
static void test_clone(void **state)
{
    (void)state;
    struct att_fx f;
    att_open(&f, 0, 32, false);
    int h = sim_stream_open(f.s, f.att, f.server, 80, 0);
    assert_true(h >= 0);
    struct sim *d = sim_clone(f.s);
    assert_non_null(d);
    sim_run_until(d, 20000000);
    assert_int_equal(sim_stream_tcp_state(d, h), TCP_ESTABLISHED);
    assert_int_equal(f.c->n, 0);
    sim_free(d);
    att_close(&f);
}

/* A scenario's own `connect` from the attached host still completes: its segments reach
 * the stack (and are copied to the script). */
static void test_scenario_connect(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 1ms\n"
                           "host attacker 198.51.100.10 role scanner os linux\n"
                           "host server 198.51.100.30 os linux tcp 80\n"
                           "connect attacker -> server:80 at 1ms send 10\n", 1);
    struct cap *c = cap_new();
    uint32_t att = fx_addr(s, "attacker"), srv = fx_addr(s, "server");
    assert_int_equal(sim_attach(s, att, 32, att, cap_fn, c), 0);
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(s, trace_record, &tr);
    sim_run_until(s, 50000000);
    struct sim_tcb_info ti[4];
    int n = sim_host_tcbs(s, srv, ti, 4);
    assert_int_equal(n, 1);
    assert_int_equal(ti[0].state, TCP_ESTABLISHED);
    assert_int_equal(ti[0].rcv_nxt - ti[0].irs, 1 + 10);
    assert_true(c->n >= 2);   /* the SYN-ACK and the ACK of the data, copied */
    assert_int_equal(fx_find_rule(&tr, SIM_EV_RECV, "handed to the script"), -1);
    trace_free(&tr);
    free(c);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inject_spoofed),
        cmocka_unit_test(test_stack_out_of_the_way),
        cmocka_unit_test(test_connect_through_stack),
        cmocka_unit_test(test_prefix_without_hosts),
        cmocka_unit_test(test_attach_args),
        cmocka_unit_test(test_note),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_scenario_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
