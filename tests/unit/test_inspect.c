/* test_inspect.c — the inspection API and snapshots (sim.h, sim/inspect.c, sim/clone.c):
 * TCB fields through a handshake (RFC 793 3.2 names), timers, listeners and their backlog,
 * the next ISN (and "unpredictable" for random generators), IP-ID counters, filter rule hits
 * and conntrack entries; a clone run forward gives the same events as its original, with and
 * without outside calls replayed through the op hook; the trace's causes; the observer.
 */
#include "tests/unit/sim_fixture.h"

static const char *HS =
    "net 198.51.100.0/24 delay 1ms\n"
    "host client 198.51.100.10 os linux role scanner isn constant:1000\n"
    "host server 198.51.100.20 os linux tcp 80 isn constant:5000 ipid global\n"
    "connect client -> server:80 at 10ms send 200 close 500ms\n";

/* Steps until the server has a TCB in `state`; fails after too many events. */
static void step_until_state(struct sim *s, uint32_t host, int state, struct sim_tcb_info *t)
{
    for (int i = 0; i < 1000; i++) {
        struct sim_tcb_info v[4];
        int n = sim_host_tcbs(s, host, v, 4);
        assert_true(n >= 0);
        for (int k = 0; k < n && k < 4; k++)
            if (v[k].state == state) {
                *t = v[k];
                return;
            }
        assert_true(sim_step(s));
    }
    fail_msg("no TCB reached %s", tcp_state_name(state));
}

static void test_hosts(void **state)
{
    (void)state;
    struct sim *s = fx_sim(HS, 1);
    assert_int_equal(sim_host_count(s), 2);
    struct sim_host_info h;
    assert_int_equal(sim_host_at(s, 1, &h), 0);
    assert_string_equal(h.name, "server");
    assert_int_equal(h.addr, ip4(198, 51, 100, 20));
    assert_string_equal(h.isn_gen, "constant:5000");
    assert_string_equal(h.ipid_gen, "global");
    assert_int_equal(h.nlisteners, 1);
    assert_int_equal(h.ntcbs, 0);
    assert_int_equal(h.filter_in, -1);
    assert_int_equal(sim_host_at(s, 2, &h), -1);
    assert_int_equal(sim_host_info(s, ip4(198, 51, 100, 99), &h), -1);
    assert_int_equal(sim_host_tcbs(s, ip4(198, 51, 100, 99), NULL, 0), -1);
    assert_int_equal(sim_host_info(s, ip4(198, 51, 100, 10), &h), 0);
    assert_true(h.scanner);
    sim_free(s);
}

/* The handshake seen from both TCBs: ISS/IRS cross, SND.NXT = ISS + 1 once the SYN is sent,
 * RCV.NXT = IRS + 1, then 200 bytes move RCV.NXT on the server. */
static void test_tcb_handshake(void **state)
{
    (void)state;
    struct sim *s = fx_sim(HS, 1);
    uint32_t cl = ip4(198, 51, 100, 10), sv = ip4(198, 51, 100, 20);
    struct sim_tcb_info c, v;
    step_until_state(s, cl, TCP_SYN_SENT, &c);
    assert_int_equal(c.iss, 1000);
    assert_int_equal(c.snd_una, 1000);
    assert_int_equal(c.snd_nxt, 1001);
    assert_int_equal(c.rport, 80);
    assert_int_equal(c.raddr, sv);
    assert_int_equal(c.laddr, cl);
    assert_int_equal(c.timer, SIM_TIMER_REXMIT);
    assert_true(c.timer_at_ns > sim_now(s));
    struct sim_timer_info tm[2];
    assert_int_equal(sim_host_timers(s, cl, tm, 2), 1);
    assert_int_equal(tm[0].kind, SIM_TIMER_REXMIT);
    assert_int_equal(tm[0].at_ns, c.timer_at_ns);
    assert_string_equal(sim_timer_name(tm[0].kind), "retransmit");

    step_until_state(s, sv, TCP_SYN_RECEIVED, &v);
    assert_int_equal(v.iss, 5000);
    assert_int_equal(v.irs, 1000);
    assert_int_equal(v.rcv_nxt, 1001);
    assert_int_equal(v.snd_nxt, 5001);
    assert_true(v.passive);
    assert_int_equal(v.rcv_adv, v.rcv_wnd);          /* the SYN-ACK's window, never scaled */
    struct sim_listener_info li[2];
    assert_int_equal(sim_host_listeners(s, sv, li, 2), 1);
    assert_int_equal(li[0].port, 80);
    assert_int_equal(li[0].half_open, 1);

    step_until_state(s, sv, TCP_ESTABLISHED, &v);
    assert_int_equal(v.snd_una, 5001);
    assert_int_equal(sim_host_listeners(s, sv, li, 2), 1);
    assert_int_equal(li[0].half_open, 0);
    assert_int_equal(sim_host_tcb(s, cl, c.lport, sv, 80, &c), 0);
    assert_int_equal(c.state, TCP_ESTABLISHED);
    assert_int_equal(c.irs, 5000);
    assert_int_equal(c.rcv_nxt, 5001);
    assert_true(c.snd_wnd > 0 && v.rcv_wnd > 0);
    assert_int_equal(sim_host_tcb(s, cl, (uint16_t)(c.lport + 1), sv, 80, &c), -1);

    sim_run_until(s, 400000000);   /* the data went across and was acknowledged */
    assert_int_equal(sim_host_tcb(s, sv, 80, cl, c.lport, &v), 0);
    assert_int_equal(v.rcv_nxt, 1001 + 200);
    assert_int_equal(sim_host_tcb(s, cl, c.lport, sv, 80, &c), 0);
    assert_int_equal(c.snd_una, 1001 + 200);
    /* windows: what the server's last ACK offered is RCV.WND in the scale's unit, and it
     * is the client's SND.WND (the peer's offer as the client took it) */
    assert_true(v.rcv_adv > 0 && v.rcv_adv <= v.rcv_wnd);
    assert_true(v.rcv_wnd - v.rcv_adv < (1u << v.rcv_wscale));
    assert_int_equal(c.snd_wnd, v.rcv_adv);
    assert_int_equal(c.timer, SIM_TIMER_NONE);

    sim_run_until(s, 600000000);   /* the active closer sits in TIME-WAIT with its timer */
    assert_int_equal(sim_host_tcb(s, cl, c.lport, sv, 80, &c), 0);
    assert_int_equal(c.state, TCP_TIME_WAIT);
    assert_int_equal(c.timer, SIM_TIMER_TIMEWAIT);
    sim_free(s);
}

static void test_isn(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 1ms\n"
                           "host a 198.51.100.1 isn constant:77\n"
                           "host b 198.51.100.2 isn random\n"
                           "host c 198.51.100.3 isn random-inc:1000\n"
                           "host d 198.51.100.4 isn rfc6528\n", 1);
    struct sim_isn_info i;
    assert_int_equal(sim_host_isn(s, ip4(198, 51, 100, 1), 80, ip4(198, 51, 100, 2), 4000, &i), 0);
    assert_true(i.predictable);
    assert_int_equal(i.next, 77);
    assert_string_equal(i.gen, "constant:77");
    assert_int_equal(sim_host_isn(s, ip4(198, 51, 100, 2), 80, ip4(198, 51, 100, 1), 4000, &i), 0);
    assert_false(i.predictable);
    assert_int_equal(i.next, 0);
    assert_string_equal(i.gen, "random");
    assert_int_equal(sim_host_isn(s, ip4(198, 51, 100, 3), 80, ip4(198, 51, 100, 1), 4000, &i), 0);
    assert_false(i.predictable);
    assert_string_equal(i.gen, "random-inc:1000");
    /* rfc6528: a keyed hash of the tuple plus the clock; two tuples differ, one tuple peeked
     * twice at one time agrees. */
    struct sim_isn_info j, k;
    sim_host_isn(s, ip4(198, 51, 100, 4), 80, ip4(198, 51, 100, 1), 4000, &i);
    sim_host_isn(s, ip4(198, 51, 100, 4), 80, ip4(198, 51, 100, 1), 4000, &j);
    sim_host_isn(s, ip4(198, 51, 100, 4), 80, ip4(198, 51, 100, 1), 4001, &k);
    assert_true(i.predictable);
    assert_int_equal(i.next, j.next);
    assert_int_not_equal(i.next, k.next);
    assert_int_equal(sim_host_isn(s, ip4(198, 51, 100, 9), 80, 1, 1, &i), -1);
    sim_free(s);
}

static void test_ipid(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 1ms\n"
                           "host a 198.51.100.1 role scanner\n"
                           "host g 198.51.100.2 ipid global udp 7\n"
                           "host p 198.51.100.3 ipid per-dest\n"
                           "send a -> g icmp echo at 1ms\n"
                           "send a -> p icmp echo at 1ms\n", 1);
    uint32_t a = ip4(198, 51, 100, 1), g = ip4(198, 51, 100, 2), p = ip4(198, 51, 100, 3);
    struct sim_ipid_info before, after;
    assert_int_equal(sim_host_ipid(s, g, a, WIRE_PROTO_ICMP, &before), 0);
    assert_true(before.global >= 0);
    assert_int_equal(before.toward, before.global);
    assert_int_equal(before.ncounters, 1);
    struct sim_ipid_dest d[4];
    assert_int_equal(sim_host_ipid_dests(s, p, d, 4), 0);
    sim_run_until(s, 100000000);
    sim_host_ipid(s, g, a, WIRE_PROTO_ICMP, &after);
    assert_int_equal(after.global, (before.global + 1) & 0xffff);   /* one echo reply */
    assert_int_equal(sim_host_ipid_dests(s, p, d, 4), 1);
    assert_int_equal(d[0].addr, a);
    struct sim_ipid_info pi;
    sim_host_ipid(s, p, a, WIRE_PROTO_ICMP, &pi);
    assert_int_equal(pi.global, -1);
    assert_int_equal(pi.toward, d[0].counter);
    assert_string_equal(pi.gen, "per-dest");
    sim_free(s);
}

static const char *FW =
    "net 203.0.113.0/24 delay 2ms\n"
    "host scanner 203.0.113.5 role scanner os linux\n"
    "host target 203.0.113.80 os linux tcp 22,80\n"
    "filter fw at target in stateful\n"
    "  accept tcp dport 22,80\n"
    "  drop tcp dport 8080\n"
    "  policy drop\n"
    "send scanner:40000 -> target:80 tcp flags S at 0s\n"
    "send scanner:40001 -> target:8080 tcp flags S at 10ms\n"
    "send scanner:40002 -> target:8080 tcp flags S at 20ms\n"
    "send scanner:40003 -> target:9 tcp flags S at 30ms\n";

static void test_filters(void **state)
{
    (void)state;
    struct sim *s = fx_sim(FW, 1);
    sim_run_until(s, 1000000000);
    assert_int_equal(sim_filter_count(s), 1);
    struct sim_filter_info f;
    assert_int_equal(sim_filter_info(s, 0, &f), 0);
    assert_string_equal(f.name, "fw");
    assert_string_equal(f.host, "target");
    assert_true(f.inbound && f.stateful && f.policy_drop);
    assert_int_equal(f.nrules, 2);
    assert_int_equal(f.policy_hits, 1);
    struct sim_rule_info r;
    assert_int_equal(sim_filter_rule(s, 0, 0, &r), 0);
    assert_string_equal(r.text, "accept tcp dport 22,80");
    assert_int_equal(r.line, 5);
    assert_int_equal(r.hits, 1);
    assert_int_equal(sim_filter_rule(s, 0, 1, &r), 0);
    assert_int_equal(r.hits, 2);
    assert_int_equal(sim_filter_rule(s, 0, 2, &r), -1);
    assert_int_equal(sim_filter_info(s, 1, &f), -1);
    /* The SYN to 80 opened a flow; the scanner's RST to the SYN-ACK is the same flow again. */
    struct sim_ct_info ct[4];
    assert_int_equal(sim_filter_conntrack(s, 0, ct, 4), 1);
    assert_int_equal(ct[0].proto, WIRE_PROTO_TCP);
    assert_int_equal(ct[0].orig, ip4(203, 0, 113, 5));
    assert_int_equal(ct[0].orig_port, 40000);
    assert_int_equal(ct[0].resp_port, 80);
    assert_true(ct[0].replied);
    assert_true(f.conntrack_passed + 0 == f.conntrack_passed);
    struct sim_host_info h;
    sim_host_info(s, ip4(203, 0, 113, 80), &h);
    assert_int_equal(h.filter_in, 0);
    sim_free(s);
}

/* Every event after a point, formatted, from a trace. */
static char *lines_from(const struct trace *t, size_t from)
{
    size_t cap = 1 << 16, used = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = 0;
    for (size_t i = from; i < t->n; i++) {
        char line[2048];
        int n = trace_format(t, i, line, sizeof line);
        char extra[64];
        int m = snprintf(extra, sizeof extra, " #%llu u%llu c%llu\n",
                         (unsigned long long)t->ev[i].seq, (unsigned long long)t->ev[i].unit,
                         (unsigned long long)t->ev[i].cause);
        while (used + (size_t)n + (size_t)m + 1 > cap)
            assert_non_null(out = realloc(out, cap *= 2));
        memcpy(out + used, line, (size_t)n);
        memcpy(out + used + n, extra, (size_t)m + 1);
        used += (size_t)n + (size_t)m;
    }
    return out;
}

/* Clones taken after every unit of a traced run (the handshake lab's whole script and the
 * firewall's) run forward to the same events, numbers and causes as the original. */
static void check_clone_forward(const char *text)
{
    struct sim *s = fx_sim(text, 3);
    struct trace all;
    trace_init(&all);
    sim_set_trace(s, trace_record, &all);
    while (sim_step(s))
        ;
    uint64_t units = sim_unit(s);
    assert_true(units > 5);
    sim_free(s);
    for (uint64_t cut = 0; cut < units; cut++) {
        struct sim *o = fx_sim(text, 3);
        struct trace pre;
        trace_init(&pre);
        sim_set_trace(o, trace_record, &pre);
        while (sim_unit(o) < cut)
            sim_step(o);
        struct sim *c = sim_clone(o);
        assert_non_null(c);
        sim_free(o);               /* the clone owns nothing of the original */
        struct trace post;
        trace_init(&post);
        sim_set_trace(c, trace_record, &post);
        while (sim_step(c))
            ;
        char *want = lines_from(&all, pre.n), *got = lines_from(&post, 0);
        assert_string_equal(got, want);
        free(want);
        free(got);
        trace_free(&pre);
        trace_free(&post);
        sim_free(c);
    }
    trace_free(&all);
}

static void test_clone_forward(void **state)
{
    (void)state;
    check_clone_forward(HS);
    check_clone_forward(FW);
    check_clone_forward("net 198.51.100.0/24 delay 1ms loss 30%\n"
                        "host a 198.51.100.1 os linux\n"
                        "host b 198.51.100.2 os freebsd tcp 80 ipid random isn random\n"
                        "connect a -> b:80 at 1ms send 3000 close 2s\n"
                        "traffic a -> b:80 tcp rate 50/s start 0s stop 1s\n");
    /* Data over a lossy link: segments arrive out of order, so TCBs hold out-of-order
     * queues (tcp_ooo.c) when the clone is taken; the clone must own copies of them (it
     * shared the original's, freed above: found by fuzz_scnrun). */
    check_clone_forward("net 10.1.0.0/16 delay 20ms loss 30%\n"
                        "host a 10.1.0.1 os linux\n"
                        "host c 10.1.0.3 os linux tcp 443\n"
                        "connect a -> c:443 at 1s send 20000 close 3s\n");
}

/* The outside calls a driver makes (injects, clock moves, streams), recorded by the op hook
 * and given again to a clone with sim_apply_op, reproduce the run from the clone on. */
struct oplog {
    size_t n;
    struct sim_op op[512];
    uint8_t pkt[512][64];
};

static void oplog_fn(void *ctx, const struct sim_op *op)
{
    struct oplog *l = ctx;
    assert_true(l->n < 512);
    l->op[l->n] = *op;
    if (op->kind == SIM_OP_INJECT) {
        assert_true(op->len <= 64);
        memcpy(l->pkt[l->n], op->pkt, op->len);
        l->op[l->n].pkt = l->pkt[l->n];
    }
    l->n++;
}

/* The driver: probes to ports 78..84 and a stream, with clock moves between. */
static void drive(struct sim *s, int from, int to)
{
    uint32_t a = ip4(198, 51, 100, 10), b = ip4(198, 51, 100, 20);
    for (int i = from; i < to; i++) {
        uint8_t buf[64];
        size_t n = fx_tcp(buf, a, b, (uint16_t)(50000 + i), (uint16_t)(78 + i % 7), TCP_SYN,
                          1000u * (unsigned)i, 0, 0);
        assert_int_equal(sim_inject(s, buf, n), 0);
        if (i == 3) {
            int h = sim_stream_connect(s, a, b, 80);
            assert_true(h >= 0);
        }
        sim_run_until(s, sim_now(s) + 700000);
    }
}

static void test_clone_replay_ops(void **state)
{
    (void)state;
    struct sim *s = fx_sim(HS, 5);
    struct trace all;
    trace_init(&all);
    struct oplog *log = calloc(1, sizeof *log);
    sim_set_trace(s, trace_record, &all);
    sim_set_op_hook(s, oplog_fn, log);
    drive(s, 0, 6);
    size_t mid_ev = all.n;
    uint64_t mid_unit = sim_unit(s);
    size_t mid_op = log->n;
    struct sim *c = sim_clone(s);
    drive(s, 6, 12);
    sim_run_until(s, 3000000000ULL);
    uint64_t end_unit = sim_unit(s);

    struct trace post;
    trace_init(&post);
    sim_set_trace(c, trace_record, &post);
    size_t k = mid_op;
    for (uint64_t u = mid_unit; u < end_unit; u++) {
        if (k < log->n && log->op[k].unit == u + 1)
            sim_apply_op(c, &log->op[k++]);
        else
            assert_true(sim_step(c));
        assert_int_equal(sim_unit(c), u + 1);
    }
    assert_int_equal(k, log->n);
    char *want = lines_from(&all, mid_ev), *got = lines_from(&post, 0);
    assert_string_equal(got, want);
    free(want);
    free(got);
    trace_free(&all);
    trace_free(&post);
    free(log);
    sim_free(c);
    sim_free(s);
}

/* A RST's SEND names the RECV of the probe it answers; that RECV names the probe's SEND. */
static void test_causes(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 1ms\n"
                           "host a 198.51.100.1\n"
                           "host b 198.51.100.2\n"
                           "send a:4000 -> b:81 tcp flags S at 1ms\n", 1);
    struct trace t;
    trace_init(&t);
    sim_set_trace(s, trace_record, &t);
    while (sim_step(s))
        ;
    /* SEND probe (injected by the script: no cause), RECV at b, SEND RST, RECV at a */
    assert_true(t.n >= 4);
    assert_int_equal(t.ev[0].kind, SIM_EV_SEND);
    assert_int_equal(t.ev[1].kind, SIM_EV_RECV);
    assert_int_equal(t.ev[1].cause, t.ev[0].seq);
    assert_int_equal(t.ev[2].kind, SIM_EV_SEND);
    assert_int_equal(t.ev[2].cause, t.ev[1].seq);
    assert_int_equal(t.ev[3].kind, SIM_EV_RECV);
    assert_int_equal(t.ev[3].cause, t.ev[2].seq);
    assert_int_equal(t.ev[1].unit, t.ev[2].unit);
    assert_true(t.ev[3].unit > t.ev[2].unit);
    trace_free(&t);
    sim_free(s);
}

/* The observer (sim_set_observer): the run it sees is the traced run, event for event; every
 * SEND names a BUILD of its own unit seen before it; a moment reads the state between the
 * unit's changes (the data segment's BUILD sees SND.NXT before its bytes, the next moment
 * after them); a clone has no observer, and unset it costs the run nothing it reports. */
struct obs_log {
    struct trace tr;
    size_t builds, sends;
    uint32_t last_build;
    uint64_t build_unit;
    uint32_t client;
    bool after_build;              /* the moment after a client's BUILD is next */
    uint32_t nxt_at_build;         /* SND.NXT at that BUILD */
    size_t data_builds;            /* BUILDs after which SND.NXT moved past the 200 bytes */
};

static void obs_fn(void *ctx, const struct sim *s, const struct sim_obs *o)
{
    struct obs_log *l = ctx;
    struct sim_tcb_info t[2];
    int n = sim_host_tcbs(s, l->client, t, 2);
    if (l->after_build) {
        assert_int_equal(n, 1);
        l->data_builds += t[0].snd_nxt - l->nxt_at_build == 200 && l->nxt_at_build == 1001;
        l->after_build = false;
    }
    if (o->kind == SIM_OBS_BUILD) {
        assert_null(o->ev);
        assert_int_equal(o->build, l->last_build + 1);
        assert_int_equal(o->unit, sim_unit(s));
        l->last_build = o->build;
        l->build_unit = o->unit;
        l->builds++;
        if (o->host_addr == l->client && n == 1) {
            l->nxt_at_build = t[0].snd_nxt;
            l->after_build = true;
        }
        return;
    }
    assert_non_null(o->ev);
    assert_int_equal(o->unit, o->ev->unit);
    assert_int_equal(o->host_addr, o->ev->host_addr);
    if (o->ev->kind == SIM_EV_SEND) {
        assert_true(o->build >= 1 && o->build <= l->last_build);
        assert_int_equal(l->build_unit, o->unit);
        l->sends++;
    } else {
        assert_int_equal(o->build, 0);
    }
    trace_record(&l->tr, o->ev);
}

static void test_observer(void **state)
{
    (void)state;
    struct sim *s = fx_sim(HS, 3);
    struct trace want;
    trace_init(&want);
    sim_set_trace(s, trace_record, &want);
    while (sim_step(s))
        ;
    sim_free(s);

    s = fx_sim(HS, 3);
    struct obs_log *l = calloc(1, sizeof *l);
    assert_non_null(l);
    trace_init(&l->tr);
    l->client = ip4(198, 51, 100, 10);
    sim_set_observer(s, obs_fn, l);   /* no trace: the observer alone makes it report */
    for (int i = 0; i < 3; i++)
        assert_true(sim_step(s));
    struct sim *c = sim_clone(s);     /* not observed: runs silently */
    assert_non_null(c);
    size_t seen = l->tr.n + l->builds;
    while (sim_step(c))
        ;
    assert_int_equal(l->tr.n + l->builds, seen);
    sim_free(c);
    while (sim_step(s))
        ;
    char *a = lines_from(&want, 0), *b = lines_from(&l->tr, 0);
    assert_string_equal(b, a);
    free(a);
    free(b);
    assert_true(l->sends >= 8);
    assert_int_equal(l->builds, l->sends);   /* none failed: one SEND per BUILD */
    assert_int_equal(l->data_builds, 1);   /* SND.NXT 1001 at the data's BUILD, 1201 next */
    trace_free(&l->tr);
    free(l);
    sim_free(s);

    /* with a trace as well, the trace gets what it got alone; unset, nothing more comes */
    s = fx_sim(HS, 3);
    struct trace both;
    trace_init(&both);
    l = calloc(1, sizeof *l);
    assert_non_null(l);
    trace_init(&l->tr);
    l->client = ip4(198, 51, 100, 10);
    sim_set_trace(s, trace_record, &both);
    sim_set_observer(s, obs_fn, l);
    for (int i = 0; i < 4; i++)
        assert_true(sim_step(s));
    sim_set_observer(s, NULL, NULL);
    size_t n = l->tr.n;
    assert_true(n > 0);
    while (sim_step(s))
        ;
    assert_int_equal(l->tr.n, n);
    a = lines_from(&want, 0);
    b = lines_from(&both, 0);
    assert_string_equal(b, a);
    free(a);
    free(b);
    trace_free(&l->tr);
    free(l);
    trace_free(&both);
    trace_free(&want);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_tcb_handshake),
        cmocka_unit_test(test_isn),
        cmocka_unit_test(test_ipid),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_clone_forward),
        cmocka_unit_test(test_clone_replay_ops),
        cmocka_unit_test(test_causes),
        cmocka_unit_test(test_observer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
