/* test_tcp_options.c — the host key `options LIST` end to end: scenario text, sim_load, the
 * bytes of the SYN-ACKs a host answers with and of the SYN its connect statement sends.
 * The layout rule itself (sim/tcp_out.c tcp_opts_custom: a SYN-ACK keeps the listed options
 * the SYN offered, each with the NOPs just before it, MSS always) is tested option by option
 * in test_tcp_conn.c; here it is checked through the whole simulator, on the wire.
 */
#include "tests/unit/sim_fixture.h"

static const char *NET =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner\n"
    "host target 198.51.100.30 options mss,nop,wscale tcp 80\n"
    "host lx 198.51.100.31 os linux options mss tcp 80\n"
    "host plain 198.51.100.32 os linux tcp 80\n"
    "host cl 198.51.100.33 os freebsd options mss,nop,nop,sack,nop,wscale\n"
    "connect cl -> scanner:9 at 1s\n";

static const uint8_t ALL[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP,
                               TCPOPT_WSCALE };

/* A SYN from the scanner to dst:80 offering the kinds in `opts`. */
static size_t syn_to(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
                     const uint8_t *opts, size_t n)
{
    struct wire_ipv4 ip = { .ttl = 64, .id = 9, .proto = WIRE_PROTO_TCP, .src = src, .dst = dst };
    struct wire_tcp t = { .sport = sport, .dport = 80, .seq = 1000, .flags = TCP_SYN,
                          .window = 1024 };
    memcpy(t.opt.order, opts, n);
    t.opt.n = (uint8_t)n;
    t.opt.mss = 1460;
    t.opt.wscale = 7;
    t.opt.tsval = 5;
    size_t len = wire_emit_tcp(buf, WIRE_MTU, &ip, &t);
    assert_true(len > 0);
    return len;
}

/* The TCP option bytes of captured datagram i (padding included), into out. */
static size_t opt_bytes(const struct cap *c, size_t i, struct wire_pkt *p, const uint8_t **out)
{
    fx_parse(c->pkt[i], c->len[i], p);
    assert_int_equal(p->ip.proto, WIRE_PROTO_TCP);
    *out = p->ip.payload + WIRE_TCP_HDR_MIN;
    return p->l4.tcp.hdr_len - WIRE_TCP_HDR_MIN;
}

/* Sends one SYN and returns the answer the scanner got (one datagram). */
static void ask(struct sim *s, struct cap *c, uint32_t src, uint32_t dst, uint16_t sport,
                const uint8_t *opts, size_t n, struct wire_pkt *p, const uint8_t **ob,
                size_t *olen)
{
    uint8_t b[WIRE_MTU];
    size_t before = c->n;
    assert_int_equal(sim_inject(s, b, syn_to(b, src, dst, sport, opts, n)), 0);
    sim_run_until(s, sim_now(s) + 10000000);
    assert_int_equal(c->n, before + 1);
    *olen = opt_bytes(c, before, p, ob);
    assert_int_equal(p->l4.tcp.flags, TCP_SYN | TCP_ACK);
}

static void test_synack_layouts(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    struct cap *c = cap_new();
    uint32_t sc = fx_addr(s, "scanner");
    assert_int_equal(sim_set_tap(s, sc, cap_fn, c), 0);
    struct wire_pkt p;
    const uint8_t *ob;
    size_t olen;

    /* options mss,nop,wscale, SYN offering everything: exactly MSS,NOP,WS (shift 10, Linux's) */
    ask(s, c, sc, fx_addr(s, "target"), 3000, ALL, sizeof ALL, &p, &ob, &olen);
    uint8_t w1[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 10 };
    assert_int_equal(olen, sizeof w1);
    assert_memory_equal(ob, w1, sizeof w1);
    assert_int_equal(p.l4.tcp.window, 64240);

    /* the same host, SYN offering MSS only: MSS only (the NOP went with the WS) */
    uint8_t mss[] = { TCPOPT_MSS };
    ask(s, c, sc, fx_addr(s, "target"), 3001, mss, sizeof mss, &p, &ob, &olen);
    uint8_t w2[] = { 2, 4, 0x05, 0xb4 };
    assert_int_equal(olen, sizeof w2);
    assert_memory_equal(ob, w2, sizeof w2);

    /* os linux options mss: MSS only whatever is offered; still Linux's DF and ID 0 */
    ask(s, c, sc, fx_addr(s, "lx"), 3002, ALL, sizeof ALL, &p, &ob, &olen);
    assert_int_equal(olen, sizeof w2);
    assert_memory_equal(ob, w2, sizeof w2);
    assert_true(p.ip.df);
    assert_int_equal(p.ip.id, 0);
    assert_int_equal(p.l4.tcp.window, 64240);

    /* no options key: the preset's layout, untouched */
    ask(s, c, sc, fx_addr(s, "plain"), 3003, ALL, sizeof ALL, &p, &ob, &olen);
    assert_int_equal(olen, 20);
    assert_int_equal(p.l4.tcp.opt.n, 5);
    assert_memory_equal(p.l4.tcp.opt.order, ALL, sizeof ALL);
    free(c);
    sim_free(s);
}

/* connect cl -> scanner:9: the SYN carries cl's list as written, FreeBSD's numbers. */
static void test_connect_syn_layout(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(s, fx_addr(s, "scanner"), cap_fn, c), 0);
    sim_run_until(s, 1500000000ULL);
    assert_true(c->n >= 1);
    struct wire_pkt p;
    const uint8_t *ob;
    size_t olen = opt_bytes(c, 0, &p, &ob);
    assert_int_equal(p.ip.src, fx_addr(s, "cl"));
    assert_int_equal(p.l4.tcp.flags, TCP_SYN);
    uint8_t want[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 6 };
    assert_int_equal(olen, sizeof want);
    assert_memory_equal(ob, want, sizeof want);
    free(c);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synack_layouts),
        cmocka_unit_test(test_connect_syn_layout),
    };
    return cmocka_run_group_tests_name("tcp_options", tests, NULL, NULL);
}
