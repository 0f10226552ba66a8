/* test_engine.c — the simulator's engine: event order by (time, sequence), independence of
 * two simulations, determinism of the wiretap under one seed, delay, loss, sim_run_until,
 * the pool and the datagram size limit.
 */
#include "tests/unit/sim_fixture.h"

static const char *NET2 =
    "net 198.51.100.0/24 delay 1ms loss 0%\n"
    "net 203.0.113.0/24 delay 5ms\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host near 198.51.100.20 os linux tcp 80 udp 53\n"
    "host far 203.0.113.20 os linux tcp 80\n";

/* Scripted sends at 3, 1, 2, 1 and 0 ms leave in time order, ties in statement order. */
static void test_order_time_then_seq(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 1ms\n"
                           "host a 198.51.100.1\n"
                           "host b 198.51.100.2\n"
                           "send 192.0.2.1:1 -> b:9 udp at 3ms\n"
                           "send 192.0.2.1:2 -> b:9 udp at 1ms\n"
                           "send 192.0.2.1:3 -> b:9 udp at 2ms\n"
                           "send 192.0.2.1:4 -> b:9 udp at 1ms\n"
                           "send 192.0.2.1:5 -> b:9 udp at 0ms\n", 1);
    struct cap *w = cap_new();
    sim_set_wiretap(s, cap_fn, w);
    sim_run_until(s, 10000000);
    /* Each send is answered by ICMP 3/3 from b: keep the five datagrams from 192.0.2.1. */
    static const uint16_t want_port[] = { 5, 2, 4, 3, 1 };
    static const uint64_t want_t[] = { 0, 1000000, 1000000, 2000000, 3000000 };
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++) {
        struct wire_pkt p;
        fx_parse(w->pkt[i], w->len[i], &p);
        if (p.ip.src != ip4(192, 0, 2, 1))
            continue;
        assert_true(k < 5);
        assert_int_equal(p.l4.udp.sport, want_port[k]);
        assert_int_equal(w->t[i], want_t[k]);
        k++;
    }
    assert_int_equal(k, 5);
    free(w);
    sim_free(s);
}

/* Every datagram arrives exactly its destination net's delay after it left, whatever else is
 * queued: arrivals over two nets of different delays (one takes the heap, the other a FIFO
 * lane), SYN-ACK and data retransmission timers, scripted traffic and connects interleave. A
 * queue that took an entry out of order would deliver it late, at the clock of whatever it
 * followed. */
enum { FLIGHT_MAX = 4096 };
struct flight {
    struct sim *s;
    size_t n, matched;
    uint64_t t[FLIGHT_MAX];
    uint32_t len[FLIGHT_MAX];
    bool done[FLIGHT_MAX];
    uint8_t pkt[FLIGHT_MAX][64];
};

static void flight_fn(void *ctx, const struct sim_event *ev)
{
    struct flight *f = ctx;
    if (!ev->pkt || ev->len < 20)
        return;
    size_t k = ev->len < 64 ? ev->len : 64;
    if (ev->kind == SIM_EV_SEND) {
        assert_true(f->n < FLIGHT_MAX);
        f->t[f->n] = ev->t_ns;
        f->len[f->n] = ev->len;
        memcpy(f->pkt[f->n], ev->pkt, k);
        f->n++;
        return;
    }
    for (size_t i = 0; i < f->n; i++) {   /* the oldest unmatched SEND of the same bytes */
        if (f->done[i] || f->len[i] != ev->len || memcmp(f->pkt[i], ev->pkt, k) != 0)
            continue;
        uint32_t dst = (uint32_t)ev->pkt[16] << 24 | (uint32_t)ev->pkt[17] << 16 |
                       (uint32_t)ev->pkt[18] << 8 | ev->pkt[19];
        assert_int_equal(ev->t_ns - f->t[i], sim_delay_to(f->s, dst));
        f->done[i] = true;
        f->matched++;
        return;
    }
    fail_msg("event %llu: a datagram that was never sent", (unsigned long long)ev->seq);
}

static void test_arrival_after_delay(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 10.1.0.0/16 delay 20ms\n"
                           "net 10.2.0.0/24 delay 500us\n"
                           "host a 10.1.0.1 role scanner\n"
                           "host b 10.1.5.6 tcp 80 udp 1-1024\n"
                           "host c 10.2.0.3 tcp 1-65535\n"
                           "traffic a -> b:80 tcp rate 10/s start 0s stop 2s\n"
                           "traffic b -> 10.2.0.3:53 udp rate 3/s start 500ms stop 3s\n"
                           "traffic c -> b:7 udp rate 7/s start 100ms stop 3s\n"
                           "connect a -> c:443 at 1s send 20000 close 3s\n"
                           "send 10.1.9.9 -> b:81 tcp flags S at 100ms\n", 1234);
    struct flight *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->s = s;
    sim_set_trace(s, flight_fn, f);
    sim_run_until(s, 10000000000ULL);
    assert_true(f->n > 100);
    assert_true(f->matched > 100);
    free(f);
    sim_free(s);
}

/* Trace events are numbered 1, 2, 3, ... and never go back in time. */
/* A bare segment no one reads travels as its view alone (sim_slot.lazy): the RST a scanner
 * host's kernel sends back for an unexpected SYN-ACK. A trace or tap attached while it is in
 * flight still gets its bytes, the same bytes a run traced from the start shows, with good
 * checksums. */
struct last_recv {
    uint8_t pkt[WIRE_MTU];
    uint32_t len;
    size_t n;
};

static void last_recv_fn(void *ctx, const struct sim_event *ev)
{
    struct last_recv *r = ctx;
    if (ev->kind != SIM_EV_RECV || !ev->pkt)
        return;
    memcpy(r->pkt, ev->pkt, ev->len);
    r->len = ev->len;
    r->n++;
}

static const char *LAZY =
    "net 198.51.100.0/24 delay 1ms\n"
    "host a 198.51.100.10 os linux\n"
    "host t 198.51.100.30 os linux tcp 80\n";

static void test_lazy_bytes_when_asked(void **state)
{
    (void)state;
    uint8_t syn[64];
    struct last_recv *full = calloc(1, sizeof *full), *late = calloc(1, sizeof *late);
    struct cap *tap = cap_new();
    assert_non_null(full);
    assert_non_null(late);

    /* Traced from the start: SYN at t, SYN-ACK at a, a's RST at t. */
    struct sim *s = fx_sim(LAZY, 1);
    size_t n = fx_tcp(syn, fx_addr(s, "a"), fx_addr(s, "t"), 40000, 80, TCP_SYN, 7, 0, 0);
    sim_set_trace(s, last_recv_fn, full);
    assert_int_equal(sim_inject(s, syn, n), 0);
    while (sim_step(s))
        ;
    assert_int_equal(full->n, 3);
    sim_free(s);

    /* Untraced until a has sent its RST: the trace and a tap on t come while it is in
     * flight. */
    s = fx_sim(LAZY, 1);
    assert_int_equal(sim_inject(s, syn, n), 0);
    assert_true(sim_step(s));   /* t: SYN -> SYN-ACK */
    assert_true(sim_step(s));   /* a: SYN-ACK -> RST */
    sim_set_trace(s, last_recv_fn, late);
    assert_int_equal(sim_set_tap(s, fx_addr(s, "t"), cap_fn, tap), 0);
    while (sim_step(s))         /* t: the RST (then the SYN-ACK timer's stale entry) */
        ;
    assert_int_equal(late->n, 1);
    assert_int_equal(late->len, full->len);
    assert_memory_equal(late->pkt, full->pkt, full->len);
    assert_int_equal(tap->n, 1);
    assert_memory_equal(tap->pkt[0], full->pkt, full->len);
    struct wire_pkt p;
    fx_parse(tap->pkt[0], tap->len[0], &p);
    assert_true(p.l4.tcp.csum_ok);
    assert_int_equal(p.l4.tcp.flags, TCP_RST);
    sim_free(s);
    free(full);
    free(late);
    free(tap);
}

static void test_trace_numbering(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET2, 1);
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(s, trace_record, &tr);
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, fx_addr(s, "scanner"), fx_addr(s, "far"), 40000, 80, TCP_SYN, 1, 0, 0);
    assert_int_equal(sim_inject(s, b, n), 0);
    n = fx_tcp(b, fx_addr(s, "scanner"), fx_addr(s, "near"), 40000, 81, TCP_SYN, 1, 0, 0);
    assert_int_equal(sim_inject(s, b, n), 0);
    while (sim_step(s))
        ;
    assert_true(tr.n >= 6);   /* 2 SEND + 2 RECV + 2 replies' SEND + their RECV */
    for (size_t i = 0; i < tr.n; i++) {
        assert_int_equal(tr.ev[i].seq, i + 1);
        if (i)
            assert_true(tr.ev[i].t_ns >= tr.ev[i - 1].t_ns);
    }
    trace_free(&tr);
    sim_free(s);
}

/* Delay: scanner -> far (5 ms) -> RST back (1 ms toward the scanner's net) arrives at 6 ms;
 * near answers in 2 ms, so it arrives first although it was sent second. */
static void test_delay(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET2, 1);
    uint32_t sc = fx_addr(s, "scanner");
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(s, sc, cap_fn, c), 0);
    assert_int_equal(sim_delay_to(s, fx_addr(s, "far")), 5000000);
    assert_int_equal(sim_delay_to(s, ip4(192, 0, 2, 1)), 0);
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, sc, fx_addr(s, "far"), 40000, 81, TCP_SYN, 1, 0, 0);
    sim_inject(s, b, n);
    n = fx_tcp(b, sc, fx_addr(s, "near"), 40000, 81, TCP_SYN, 1, 0, 0);
    sim_inject(s, b, n);
    sim_run_until(s, 100000000);
    assert_int_equal(c->n, 2);
    struct wire_pkt p;
    fx_parse(c->pkt[0], c->len[0], &p);
    assert_int_equal(p.ip.src, fx_addr(s, "near"));
    assert_int_equal(c->t[0], 2000000);
    fx_parse(c->pkt[1], c->len[1], &p);
    assert_int_equal(p.ip.src, fx_addr(s, "far"));
    assert_int_equal(c->t[1], 6000000);
    free(c);
    sim_free(s);
}

static void test_run_until(void **state)
{
    (void)state;
    struct sim *s = fx_sim("host a 198.51.100.1\n"
                           "send 192.0.2.1:1 -> 192.0.2.9:9 udp at 1ms\n"
                           "send 192.0.2.1:2 -> 192.0.2.9:9 udp at 2ms\n", 1);
    assert_int_equal(sim_now(s), 0);
    assert_int_equal(sim_next_time(s), 1000000);
    sim_run_until(s, 1500000);
    assert_int_equal(sim_now(s), 1500000);
    assert_int_equal(sim_next_time(s), 2000000);
    struct sim_stats st;
    sim_get_stats(s, &st);
    assert_int_equal(st.sent, 1);
    /* The clock never goes back. */
    sim_run_until(s, 1000);
    assert_int_equal(sim_now(s), 1500000);
    assert_int_equal(st.dropped, 1);   /* its arrival (no net: no delay) came at 1 ms too */
    sim_run_until(s, 2000000);   /* events exactly at t are processed, new ones at t too */
    sim_get_stats(s, &st);
    assert_int_equal(st.sent, 2);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.events, 4);
    assert_int_equal(sim_next_time(s), UINT64_MAX);
    assert_false(sim_step(s));
    sim_free(s);
}

/* FNV-1a over (time, bytes) of every datagram on the wire. */
static void hash_fn(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    uint64_t *h = ctx;
    for (int i = 0; i < 8; i++)
        *h = (*h ^ ((t_ns >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    for (size_t i = 0; i < len; i++)
        *h = (*h ^ pkt[i]) * 0x100000001b3ULL;
}

static const char *BUSY =
    "net 198.51.100.0/24 delay 1ms loss 20%\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host zombie 198.51.100.20 os printer tcp 80\n"
    "host target 198.51.100.30 os linux tcp 22,80 udp 53\n"
    "traffic zombie -> target:80 tcp rate 50/s start 0s stop 2s\n"
    "traffic target -> zombie:7 udp rate 20/s start 0s stop 2s\n"
    "send scanner -> target:53 udp data \"hello\" at 5ms\n";

static uint64_t run_hash(uint64_t seed, uint64_t *dropped)
{
    struct sim *s = fx_sim(BUSY, seed);
    uint64_t h = 0xcbf29ce484222325ULL;
    sim_set_wiretap(s, hash_fn, &h);
    sim_run_until(s, 5000000000ULL);
    struct sim_stats st;
    sim_get_stats(s, &st);
    *dropped = st.dropped;
    sim_free(s);
    return h;
}

/* sim_run: events due at or before `until`, in order, until *stop turns non-zero; the clock
 * stays at the last event (sim_run_until moves it on to t). */
static void count_tap(void *ctx, uint64_t t, const uint8_t *pkt, size_t len)
{
    (void)t;
    (void)pkt;
    (void)len;
    ++*(size_t *)ctx;
}

static void test_run_stop_and_until(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 1ms\n"
                           "host a 198.51.100.1 role scanner\n"
                           "host b 198.51.100.2\n"
                           "send a:1 -> b:9 udp at 1ms\n"
                           "send a:2 -> b:9 udp at 5ms\n", 1);
    size_t got = 0;
    assert_int_equal(sim_set_tap(s, fx_addr(s, "a"), count_tap, &got), 0);
    /* send at 1 ms, arrival at b at 2 ms (ICMP 3/3 back), ICMP at a at 3 ms: stop there */
    assert_int_equal(sim_run(s, UINT64_MAX, &got), 3);
    assert_int_equal(got, 1);
    assert_int_equal(sim_now(s), 3000000);
    got = 0;
    assert_int_equal(sim_run(s, 5999999, &got), 1);   /* the 5 ms send; its arrival is later */
    assert_int_equal(sim_now(s), 5000000);
    assert_int_equal(sim_run(s, 6000000, NULL), 1);    /* exactly at until: runs */
    assert_int_equal(sim_run(s, UINT64_MAX, NULL), 1);
    assert_int_equal(got, 1);
    assert_int_equal(sim_now(s), 7000000);
    assert_int_equal(sim_run(s, UINT64_MAX, NULL), 0);
    sim_free(s);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    uint64_t d1, d2, d3;
    uint64_t h1 = run_hash(7, &d1), h2 = run_hash(7, &d2), h3 = run_hash(8, &d3);
    assert_int_equal(h1, h2);
    assert_int_equal(d1, d2);
    assert_int_not_equal(h1, h3);   /* loss, ports and ISNs come from the seed */
    assert_true(d1 > 0);
}

/* Two simulations in one process: running one leaves the other untouched, and each gives
 * the bytes it would give alone. */
static void test_two_sims_independent(void **state)
{
    (void)state;
    uint64_t dref;
    uint64_t ref = run_hash(7, &dref);
    struct sim *a = fx_sim(BUSY, 7), *b = fx_sim(BUSY, 7);
    uint64_t ha = 0xcbf29ce484222325ULL, hb = 0xcbf29ce484222325ULL;
    sim_set_wiretap(a, hash_fn, &ha);
    sim_set_wiretap(b, hash_fn, &hb);
    uint64_t bnext = sim_next_time(b);
    sim_run_until(a, 5000000000ULL);
    assert_int_equal(sim_now(b), 0);
    assert_int_equal(sim_next_time(b), bnext);
    assert_int_equal(hb, 0xcbf29ce484222325ULL);
    /* Interleave b with a third sim stepping alongside. */
    struct sim *c = fx_sim(BUSY, 9);
    while (sim_next_time(b) <= 5000000000ULL) {
        sim_step(b);
        sim_step(c);
    }
    assert_int_equal(ha, ref);
    assert_int_equal(hb, ref);
    sim_free(a);
    sim_free(b);
    sim_free(c);
}

/* Loss: 100% drops everything with the net named; 30% drops close to 30% of 4000. */
static void test_loss(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 loss 100%\n"
                           "host a 198.51.100.1 udp 7\n", 3);
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(s, trace_record, &tr);
    uint8_t b[WIRE_MTU];
    size_t n = fx_udp(b, ip4(192, 0, 2, 1), ip4(198, 51, 100, 1), 1000, 7, 4);
    sim_inject(s, b, n);
    sim_run_until(s, 1000000000);
    assert_true(fx_find_rule(&tr, SIM_EV_DROP, "loss 100% (net 198.51.100.0/24)") >= 0);
    struct sim_stats st;
    sim_get_stats(s, &st);
    assert_int_equal(st.delivered, 0);
    trace_free(&tr);
    sim_free(s);

    s = fx_sim("net 198.51.100.0/24 loss 30%\n"
               "host a 198.51.100.1 udp 7\n", 3);
    n = fx_udp(b, ip4(192, 0, 2, 1), ip4(198, 51, 100, 1), 1000, 7, 0);   /* no answer */
    for (int i = 0; i < 4000; i++)
        sim_inject(s, b, n);
    sim_run_until(s, 1000000000);
    sim_get_stats(s, &st);
    /* Binomial(4000, 0.3): mean 1200, sd 29; 1050..1350 is over 5 sd. */
    assert_true(st.dropped >= 1050 && st.dropped <= 1350);
    assert_int_equal(st.delivered + st.dropped, 4000);
    assert_int_equal(st.sent, 4000);
    sim_free(s);
}

static void test_inject_limits(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET2, 1);
    uint8_t b[WIRE_MTU + 100];
    size_t n = fx_udp(b, ip4(192, 0, 2, 1), ip4(198, 51, 100, 20), 1, 9, 1472);
    assert_int_equal(n, 1500);
    assert_int_equal(sim_inject(s, b, n), 0);
    /* 1501 bytes: bigger than the MTU. */
    struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_UDP, .src = 1, .dst = 2 };
    uint8_t d[1473] = { 0 };
    struct wire_udp u = { .sport = 1, .dport = 9, .payload = d, .payload_len = sizeof d };
    n = wire_emit_udp(b, sizeof b, &ip, &u);
    assert_int_equal(n, 1501);
    assert_int_equal(sim_inject(s, b, n), -1);
    b[0] = 0x65;   /* IPv6 version nibble */
    assert_int_equal(sim_inject(s, b, 40), -1);
    assert_int_equal(sim_inject(s, b, 3), -1);
    sim_free(s);
}

/* The pool grows by doubling while thousands of datagrams are in flight, and slots are
 * reused once delivered. */
static void test_pool_growth(void **state)
{
    (void)state;
    struct sim *s = fx_sim("net 198.51.100.0/24 delay 10ms\n"
                           "host a 198.51.100.1 udp 7\n", 1);
    uint8_t b[WIRE_MTU];
    size_t n = fx_udp(b, ip4(192, 0, 2, 1), ip4(198, 51, 100, 1), 1000, 7, 0);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5000; i++)
            assert_int_equal(sim_inject(s, b, n), 0);
        sim_run_until(s, sim_now(s) + 20000000);
    }
    struct sim_stats st;
    sim_get_stats(s, &st);
    assert_int_equal(st.delivered, 15000);
    assert_int_equal(sim_next_time(s), UINT64_MAX);
    sim_free(s);
}

static void test_load_errors(void **state)
{
    (void)state;
    char err[256];
    /* The parser refuses two scanners too; sim_load checks a hand-built scenario. */
    const char *two = "host a 198.51.100.1 role scanner\nhost b 198.51.100.2\n";
    struct scenario sc;
    assert_int_equal(scenario_parse("test.scn", two, strlen(two), &sc, err, sizeof err), 0);
    sc.hosts[1].scanner = true;
    struct sim *s = sim_new(1);
    assert_int_equal(sim_load(s, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "test.scn:2:"));
    assert_non_null(strstr(err, "two scanner hosts"));
    sim_free(s);
    scenario_free(&sc);
    assert_int_equal(scenario_parse("test.scn", two, strlen(two), &sc, err, sizeof err), 0);
    sc.hosts[1].addr = sc.hosts[0].addr;
    s = sim_new(1);
    assert_int_equal(sim_load(s, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "already taken"));
    sim_free(s);
    scenario_free(&sc);
    const char *fw = "host a 198.51.100.1\nfilter f at a in\n  drop tcp\n";
    assert_int_equal(scenario_parse("test.scn", fw, strlen(fw), &sc, err, sizeof err), 0);
    sc.filters[0].host_addr = 0x01020304;
    snprintf(sc.filters[0].host, sizeof sc.filters[0].host, "nobody");
    s = sim_new(1);
    assert_int_equal(sim_load(s, &sc, err, sizeof err), -1);
    assert_string_equal(err, "test.scn:2:1: error: filter f at unknown host nobody");
    sim_free(s);
    scenario_free(&sc);
    fx_load_err("host a 198.51.100.1\nfilter f at a in\n  drop tcp\nfilter g at a in\n  drop udp\n",
                err, sizeof err);
    assert_non_null(strstr(err, "already has an in filter"));
    fx_load_err("host a 198.51.100.1\ntraffic 198.51.100.9 -> a:80 tcp rate 5/s start 0s stop 1s\n",
                err, sizeof err);
    assert_non_null(strstr(err, "not a host"));
    fx_load_err("host a 198.51.100.1 role scanner\nhost b 198.51.100.2\n", err, sizeof err);
    assert_string_equal(err, "");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tcp_state_name(TCP_SYN_RECEIVED), "SYN-RECEIVED");
    assert_string_equal(tcp_state_name(TCP_TIME_WAIT), "TIME-WAIT");
    assert_string_equal(tcp_state_name(TCB_NONE), "-");
    assert_string_equal(tcp_state_name(99), "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_time_then_seq),
        cmocka_unit_test(test_trace_numbering),
        cmocka_unit_test(test_arrival_after_delay),
        cmocka_unit_test(test_lazy_bytes_when_asked),
        cmocka_unit_test(test_delay),
        cmocka_unit_test(test_run_until),
        cmocka_unit_test(test_run_stop_and_until),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_two_sims_independent),
        cmocka_unit_test(test_loss),
        cmocka_unit_test(test_inject_limits),
        cmocka_unit_test(test_pool_growth),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
