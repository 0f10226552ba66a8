/* test_review_sim.c — review findings against files another developer owns (sim/host.c,
 * sim/tcp*.c, sim/engine.c), each written as the test that will pass once the finding is
 * fixed (each skipped until its fix landed; all are fixed and run now). Numbers come from
 * RFC 792, RFC 793 3.9, tests/live/LINUX-FACTS.md and Linux net/ipv4/icmp.c.
 *
 *   R1  host.c icmp_input: ICMP timestamp request (13) ignored; Linux answers 14 (nmap -PP).
 *   R2  tcp.c tcp_verdict_finish: a passive half-open connection dropped by a RST goes back to
 *       LISTEN (RFC 793 3.9), the transcript says CLOSED.
 *   R3  engine.c sim_report: the ipid= of a RECV reads the received protocol's hashed bucket,
 *       not the one the reply used (UDP probe, ICMP error).
 *   R4  tcp.c tcp_take_syn: the 48-byte TCP_MIN_SND_MSS clamp can exceed the host's data
 *       buffer (xlen = personality mss): heap over-read (ASan) and garbage payload.
 *   R5  tcp_in.c tcp_in_sync: a segment with none of ACK, RST, SYN is discarded in every
 *       synchronized state (Linux tcp_rcv_state_process), not only ESTABLISHED.
 *   R6  script.c run_traffic: a background TCP SYN is a connect()'s SYN: its ISN drawn from
 *       the host's generator, the personality's SYN options, window and DF.
 */
#include "tests/unit/sim_fixture.h"

static const char *NET =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host target 198.51.100.30 os linux tcp 80\n";

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* R1. nmap -PP sends ICMP 13 with 12 bytes (originate, receive, transmit). Linux icmp_timestamp
 * answers type 14 code 0, same id and seq, originate copied, receive = transmit = ms since
 * midnight UT (inet_current_timestamp; here the virtual clock), ICMP length 8 + 12 = 20
 * whatever the request carried, through icmp_reply: no DF, IP-ID from the ICMP counter,
 * TTL 64, not rate limited (14 is outside icmp_ratemask 0x1818). */
static void test_icmp_timestamp_reply(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, NET);
    sim_run_until(f.s, 2500000000ULL);   /* 2.5 s: receive time 2501 ms after the 1 ms delay */
    uint8_t req[12] = { 0x01, 0x02, 0x03, 0x04 };   /* originate; receive/transmit 0 */
    struct wire_ipv4 ip = { .ttl = 64, .id = 5, .proto = WIRE_PROTO_ICMP, .src = f.sc,
                            .dst = f.target };
    struct wire_icmp ic = { .type = ICMP_TIMESTAMP, .id = 0x1234, .seq = 7,
                            .rest = 0x12340007u, .payload = req, .payload_len = sizeof req };
    uint8_t b[WIRE_MTU];
    size_t n = wire_emit_icmp(b, sizeof b, &ip, &ic);
    assert_true(n > 0);
    assert_int_equal(sim_inject(f.s, b, n), 0);
    sim_run_until(f.s, sim_now(f.s) + 100000000);
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.ip.proto, WIRE_PROTO_ICMP);
    assert_int_equal(p.l4.icmp.type, ICMP_TIMESTAMP_REPLY);
    assert_int_equal(p.l4.icmp.code, 0);
    assert_int_equal(p.l4.icmp.id, 0x1234);
    assert_int_equal(p.l4.icmp.seq, 7);
    assert_int_equal(p.l4.icmp.payload_len, 12);
    assert_int_equal(rd32(p.l4.icmp.payload), 0x01020304u);
    assert_int_equal(rd32(p.l4.icmp.payload + 4), 2501u);
    assert_int_equal(rd32(p.l4.icmp.payload + 8), 2501u);
    assert_false(p.ip.df);
    assert_int_equal(p.ip.ttl, 64);
    assert_int_not_equal(p.ip.id, 0);
    tap_fx_close(&f);
}

/* R2. The idle-scan step: a SYN to an open port, then a RST in window. RFC 793 3.9
 * SYN-RECEIVED: "If this connection was initiated with a passive OPEN (i.e., came from the
 * LISTEN state), then return this connection to LISTEN state". The verdict's own rule says
 * "back to LISTEN"; state_after must say LISTEN too (and so after tcp_synack_retries). */
static void test_passive_halfopen_reset_back_to_listen(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, NET);
    /* A raw SYN from the scanner's address: its own stack answers the SYN-ACK with the RST
     * (SEQ = 1001, in the window), as the zombie does in an idle scan. */
    uint8_t b[WIRE_MTU];
    assert_int_equal(sim_inject(f.s, b, fx_tcp(b, f.sc, f.target, 40000, 80, TCP_SYN, 1000, 0, 0)), 0);
    sim_run_until(f.s, 10000000);
    long i = fx_find_rule(&f.tr, SIM_EV_RECV, "RST in window");
    assert_true(i >= 0);
    assert_int_equal(f.tr.ev[i].state_before, TCP_SYN_RECEIVED);
    assert_int_equal(f.tr.ev[i].state_after, TCP_LISTEN);
    tap_fx_close(&f);
}

/* R3. A UDP datagram to a closed port of a Linux host (hashed IP-IDs): the ICMP 3/3 is
 * numbered from the bucket of (scanner, target, ICMP). The RECV record's ipid= ("the
 * host's IP-ID counter after the event") must be that counter, i.e. the error's ID + 1;
 * sim_report reads the bucket of the received packet's protocol (UDP) instead. */
static void test_recv_ipid_is_reply_counter(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, NET);
    uint8_t b[WIRE_MTU];
    assert_int_equal(sim_inject(f.s, b, fx_udp(b, f.sc, f.target, 40000, 54, 0)), 0);
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.l4.icmp.type, ICMP_UNREACH);
    long i = fx_find_rule(&f.tr, SIM_EV_RECV, "UDP port unreachable");
    assert_true(i >= 0);
    assert_int_equal(f.tr.ev[i].ipid, (uint16_t)(p.ip.id + 1));
    tap_fx_close(&f);
}

/* R4. A personality with an MSS below 48 (scenarios now refuse it, the API does not):
 * tcp_take_syn raises the send MSS to 48, while the data buffer holds personality.mss
 * bytes of 'X'. Every payload byte sent must be 'X'; today the 100 bytes go out as 48-byte
 * segments read past a 20-byte buffer (ASan: heap-buffer-overflow in wire_emit_tcp_view). */
static void test_small_mss_payload_in_bounds(void **state)
{
    (void)state;
    struct scenario sc;
    char err[256];
    const char *text = "net 198.51.100.0/24 delay 1ms\n"
                       "host scanner 198.51.100.10 role scanner os linux\n"
                       "host target 198.51.100.30 os linux tcp 80\n"
                       "connect target -> scanner:9 at 0 send 100\n";
    assert_int_equal(scenario_parse("r4.scn", text, strlen(text), &sc, err, sizeof err), 0);
    sc.hosts[1].pers.mss = 20;
    sc.hosts[0].tcp = scenario_own_portset(&sc);   /* parsed sets are shared */
    assert_non_null(sc.hosts[0].tcp);
    scn_port_add(sc.hosts[0].tcp, 9);
    struct sim *s = sim_new(1);
    assert_int_equal(sim_load(s, &sc, err, sizeof err), 0);
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(s, fx_addr(s, "scanner"), cap_fn, c), 0);
    sim_run_until(s, 100000000);
    size_t data = 0;
    for (size_t k = 0; k < c->n; k++) {
        struct wire_pkt p;
        fx_parse(c->pkt[k], c->len[k], &p);
        for (size_t j = 0; j < p.l4.tcp.payload_len; j++)
            assert_int_equal(p.l4.tcp.payload[j], 'X');
        data += p.l4.tcp.payload_len;
    }
    assert_int_equal(data, 100);
    free(c);
    sim_free(s);
    scenario_free(&sc);
}

/* R5. Linux tcp_rcv_state_process, for every state past SYN-SENT: "if (!th->ack && !th->rst
 * && !th->syn) goto discard" before tcp_validate_incoming. The target's server sits in
 * LAST-ACK (its FIN is dropped on the way out, so it stays there); a FIN without ACK far
 * outside its window must be discarded silently. The simulator applies the rule only in
 * ESTABLISHED and answers with a duplicate ACK. */
static void test_no_ack_segment_discarded_in_last_ack(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux tcp 80\n"
                "filter keep at target out\n"
                "  drop tcp flags FA/FA\n"
                "connect scanner -> target:80 at 0 close 100ms\n");
    sim_run_until(f.s, 200000000);
    /* The scanner's ephemeral port, from its SYN in the trace. */
    uint16_t sport = 0;
    for (size_t k = 0; k < f.tr.n && !sport; k++)
        if (f.tr.ev[k].kind == SIM_EV_SEND && f.tr.ev[k].host_addr == f.sc) {
            struct wire_pkt p;
            fx_parse(trace_pkt(&f.tr, &f.tr.ev[k]), f.tr.ev[k].len, &p);
            sport = p.l4.tcp.sport;
        }
    assert_true(sport != 0);
    size_t before = f.c->n;
    uint8_t b[WIRE_MTU];
    assert_int_equal(sim_inject(f.s, b, fx_tcp(b, f.sc, f.target, sport, 80, TCP_FIN,
                                               0x80000000u, 0, 0)), 0);
    sim_run_until(f.s, sim_now(f.s) + 10000000);
    long i = -1;
    for (size_t k = 0; k < f.tr.n; k++)
        if (f.tr.ev[k].kind == SIM_EV_RECV && f.tr.ev[k].host_addr == f.target &&
            f.tr.ev[k].state_before == TCP_LAST_ACK)
            i = (long)k;
    assert_true(i >= 0);
    assert_string_equal(trace_str(&f.tr, f.tr.ev[i].action_off), "drop");
    assert_int_equal(f.c->n, before);
    tap_fx_close(&f);
}

/* R6. Background `traffic` SYNs come from the host's own stack. vax (bsd64k ISNs: +64000 per
 * connection within a 500 ms tick) sends three at 0, 100 and 200 ms and then connects at
 * 300 ms: the four ISNs step by exactly 64000, so the traffic drew from the generator as
 * connect() does. Each SYN looks like the connect's: 4.3BSD MSS only, window 4096, no DF,
 * IP-IDs from the global counter; a Linux host's traffic SYN carries mss, sackOK, TS, nop,
 * wscale, window 64240 and DF, as its connect() SYN does. */
static void test_traffic_syn_is_a_connect_syn(void **state)
{
    (void)state;
    struct tap_fx f;
    tap_fx_open(&f, "net 198.51.100.0/24 delay 1ms\n"
                "host scanner 198.51.100.10 role scanner os linux\n"
                "host target 198.51.100.30 os linux\n"
                "host vax 198.51.100.60 os bsd43\n"
                "host lin 198.51.100.70 os linux\n"
                "traffic vax -> target:80 tcp rate 10/s start 0s stop 250ms\n"
                "connect vax -> target:81 at 300ms\n"
                "traffic lin -> target:443 tcp rate 1/s start 400ms stop 401ms\n"
                "connect lin -> target:444 at 500ms\n");
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(f.s, f.target, cap_fn, c), 0);
    sim_run_until(f.s, 600000000);
    uint32_t vax = fx_addr(f.s, "vax"), lin = fx_addr(f.s, "lin");
    struct wire_pkt v[4], l[2];
    size_t nv = 0, nl = 0;
    for (size_t k = 0; k < c->n; k++) {
        struct wire_pkt p;
        fx_parse(c->pkt[k], c->len[k], &p);
        if (p.ip.proto != WIRE_PROTO_TCP || p.l4.tcp.flags != TCP_SYN)
            continue;
        if (p.ip.src == vax && nv < 4)
            v[nv++] = p;
        if (p.ip.src == lin && nl < 2)
            l[nl++] = p;
    }
    assert_int_equal(nv, 4);
    assert_int_equal(nl, 2);
    for (size_t k = 0; k < 4; k++) {
        if (k)
            assert_int_equal(v[k].l4.tcp.seq - v[k - 1].l4.tcp.seq, 64000u);
        assert_int_equal(v[k].l4.tcp.window, 4096);
        assert_int_equal(v[k].l4.tcp.opt.n, 1);
        assert_int_equal(v[k].l4.tcp.opt.order[0], TCPOPT_MSS);
        assert_int_equal(v[k].l4.tcp.opt.mss, 1024);   /* bsd43: nmap-os-db '4.3BSD' M400 */
        assert_false(v[k].ip.df);
        assert_int_equal(v[k].ip.ttl, 30);
    }
    assert_int_equal(v[3].l4.tcp.dport, 81);                    /* the connect's SYN */
    assert_int_equal((uint16_t)(v[1].ip.id - v[0].ip.id), 1);  /* global IP-ID counter */
    static const uint8_t lin_opts[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP,
                                        TCPOPT_WSCALE };
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(l[k].l4.tcp.opt.n, sizeof lin_opts);
        assert_memory_equal(l[k].l4.tcp.opt.order, lin_opts, sizeof lin_opts);
        assert_int_equal(l[k].l4.tcp.window, 64240);
        assert_true(l[k].l4.tcp.opt.tsval != 0);
        assert_int_equal(l[k].l4.tcp.opt.tsecr, 0);
        assert_true(l[k].ip.df);
    }
    assert_int_equal(l[0].l4.tcp.dport, 443);
    free(c);
    tap_fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icmp_timestamp_reply),
        cmocka_unit_test(test_passive_halfopen_reset_back_to_listen),
        cmocka_unit_test(test_recv_ipid_is_reply_counter),
        cmocka_unit_test(test_small_mss_payload_in_bounds),
        cmocka_unit_test(test_no_ack_segment_discarded_in_last_ack),
        cmocka_unit_test(test_traffic_syn_is_a_connect_syn),
    };
    return cmocka_run_group_tests_name("review_sim", tests, NULL, NULL);
}
