/* test_scan_engine.c — the scan engine (scanner/engine.c, ultra.c, portscan.c, discovery.c,
 * scans/) against the scripted fake pktio of scan_fake.h: port states and reasons for every
 * scan type, UDP, ICMP errors, discovery, -sT errno, determinism and --seq probes. Rates and
 * timing are test_scan_timing.c.
 *
 * (tests/unit/test_engine.c is the simulator engine's test; this file is the scanner's.)
 */
#include "tests/unit/scan_fake.h"

static const uint16_t PORTS[] = { 22, 80, 443, 113 };

/* -sS: open syn-ack, closed reset, silent filtered (exactly 2 probes), 3/13 from a router
 * filtered admin-prohibited with reason_ip, and a forged SYN/ACK ignored. */
static void test_syn_states(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    x->f.forge = true;
    fx_pn(x, SCAN_SYN, PORTS, 4);
    fx_run(x);
    fx_expect(&x->rep, 22, PORT_OPEN, RS_SYN_ACK);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    fx_expect(&x->rep, 443, PORT_FILTERED, RS_NO_RESPONSE);
    fx_expect(&x->rep, 113, PORT_FILTERED, RS_ADMIN_PROHIBITED);
    assert_int_equal(fx_port(&x->rep, TARGET, 6, 113)->reason_ip, ROUTER);
    assert_int_equal(fx_port(&x->rep, TARGET, 6, 113)->reason_ttl, 250);
    assert_int_equal(fx_port(&x->rep, TARGET, 6, 22)->reason_ttl, 64);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 2);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 22), 1);
    assert_false(x->f.forge);   /* the forged reply was really sent */
    /* Ports sorted; the host is up by -Pn; timing recorded from real samples (2 ms). */
    const struct host_result *h = &x->rep.hosts[0];
    assert_true(h->up);
    assert_int_equal(h->up_reason, RS_USER_SET);
    assert_int_equal(h->nports, 4);
    assert_int_equal(h->ports[0].port, 22);
    assert_int_equal(h->ports[3].port, 443);
    assert_int_equal(h->srtt_ns, 2 * MS);
    assert_int_equal(h->timeout_ns, 100 * MS);   /* 2 + 4*5 ms, clamped to min 100 ms */
    assert_string_equal(x->rep.scan_type, "syn");
    /* Probes: window 1024, MSS only, TTL 37..59. */
    for (size_t i = 0; i < x->f.nlog; i++)
        assert_in_range(x->f.log[i].ttl, 37, 59);
    fx_free(x);
}

/* A reply to a retransmission raises the cap: silent ports then get max_retries + 1. */
static void test_retry_cap(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 8080, 443, 22 };
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 3);
    x->cfg.timing.max_retries = 2;
    fx_run(x);
    fx_expect(&x->rep, 8080, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 8080), 2);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 3);
    fx_free(x);

    x = fx_new();   /* --max-retries 0: one probe each, the lost one stays filtered */
    fx_pn(x, SCAN_SYN, ports, 3);
    x->cfg.timing.max_retries = 0;
    fx_run(x);
    fx_expect(&x->rep, 8080, PORT_FILTERED, RS_NO_RESPONSE);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 1);
    fx_free(x);
}

/* A reply after its probe timed out (150 ms > 100 ms) still counts. */
static void test_late_reply(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 22, 8443 };
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 2);
    fx_run(x);
    fx_expect(&x->rep, 8443, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 8443), 1);
    fx_free(x);
}

struct type_case {
    enum scan_type t;
    uint8_t s22, r22, s80, r80, s443, s113;
};

/* Every raw TCP scan type against the same four ports, docs/facts/nmap.md section 1's table. */
static void test_all_tcp_types(void **state)
{
    (void)state;
    static const struct type_case cases[] = {
        { SCAN_SYN, PORT_OPEN, RS_SYN_ACK, PORT_CLOSED, RS_RESET, PORT_FILTERED, PORT_FILTERED },
        { SCAN_ACK, PORT_UNFILTERED, RS_RESET, PORT_UNFILTERED, RS_RESET, PORT_FILTERED, PORT_FILTERED },
        { SCAN_WINDOW, PORT_OPEN, RS_RESET, PORT_CLOSED, RS_RESET, PORT_FILTERED, PORT_FILTERED },
        /* Linux (and this fake) answers FIN/ACK with RST even at an open port. */
        { SCAN_MAIMON, PORT_CLOSED, RS_RESET, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_FIN, PORT_OPEN_FILTERED, RS_NO_RESPONSE, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_NULL, PORT_OPEN_FILTERED, RS_NO_RESPONSE, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_XMAS, PORT_OPEN_FILTERED, RS_NO_RESPONSE, PORT_CLOSED, RS_RESET, PORT_OPEN_FILTERED, PORT_FILTERED },
        { SCAN_CONNECT, PORT_OPEN, RS_SYN_ACK, PORT_CLOSED, RS_CONN_REFUSED, PORT_FILTERED, PORT_FILTERED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct type_case *c = &cases[i];
        struct fixture *x = fx_new();
        fx_pn(x, c->t, PORTS, 4);
        fx_run(x);
        fx_expect(&x->rep, 22, c->s22, c->r22);
        fx_expect(&x->rep, 80, c->s80, c->r80);
        assert_int_equal(fx_port(&x->rep, TARGET, 6, 443)->state, c->s443);
        assert_int_equal(fx_port(&x->rep, TARGET, 6, 443)->reason, RS_NO_RESPONSE);
        /* -sT sees Linux's errno for 3/13: EHOSTUNREACH, so nmap says host-unreach. */
        fx_expect(&x->rep, 113, c->s113,
                  c->t == SCAN_CONNECT ? RS_HOST_UNREACH : RS_ADMIN_PROHIBITED);
        assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 2);
        assert_string_equal(x->rep.scan_type, scan_type_name(c->t));
        fx_free(x);
    }
}

/* -sU: ICMP 3/3 from the target -> closed; a UDP answer -> open; silence -> open|filtered.
 * Payloads: DNS gets a query, port 9999 an empty datagram. */
static void test_udp(void **state)
{
    (void)state;
    static const uint16_t uports[] = { 53, 161, 9999 };
    struct fixture *x = fx_new();
    fx_pn_udp(x, uports, 3);
    fx_run(x);
    const struct port_result *p = fx_port(&x->rep, TARGET, 17, 53);
    assert_int_equal(p->state, PORT_CLOSED);
    assert_int_equal(p->reason, RS_PORT_UNREACH);
    assert_int_equal(p->reason_ip, 0);
    p = fx_port(&x->rep, TARGET, 17, 161);
    assert_int_equal(p->state, PORT_OPEN);
    assert_int_equal(p->reason, RS_UDP_RESPONSE);
    p = fx_port(&x->rep, TARGET, 17, 9999);
    assert_int_equal(p->state, PORT_OPEN_FILTERED);
    assert_int_equal(p->reason, RS_NO_RESPONSE);
    assert_int_equal(fx_probes(&x->f, TARGET, 17, 9999), 2);
    assert_string_equal(x->rep.scan_type, "udp");
    size_t n;
    assert_non_null(scan_udp_payload(53, &n));
    assert_int_equal(n, 30);
    assert_null(scan_udp_payload(9999, &n));
    assert_int_equal(n, 0);
    fx_free(x);
}

/* The ICMP table itself: codes 0,1,2,9,10,13 and type 11 filtered; 3 depends on protocol
 * and source; 4 ignored. */
static void test_icmp_table(void **state)
{
    (void)state;
    struct scan_verdict v;
    static const struct { uint8_t type, code, reason; } rows[] = {
        { 3, 0, RS_NET_UNREACH }, { 3, 1, RS_HOST_UNREACH }, { 3, 2, RS_PROTO_UNREACH },
        { 3, 9, RS_NET_PROHIBITED }, { 3, 10, RS_HOST_PROHIBITED },
        { 3, 13, RS_ADMIN_PROHIBITED }, { 11, 0, RS_TIME_EXCEEDED },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_true(scan_icmp_verdict(17, rows[i].type, rows[i].code, true, &v));
        assert_int_equal(v.state, PORT_FILTERED);
        assert_int_equal(v.reason, rows[i].reason);
    }
    assert_true(scan_icmp_verdict(6, 3, 3, true, &v));
    assert_int_equal(v.state, PORT_FILTERED);
    assert_true(scan_icmp_verdict(17, 3, 3, false, &v));
    assert_int_equal(v.state, PORT_FILTERED);
    assert_true(scan_icmp_verdict(17, 3, 3, true, &v));
    assert_int_equal(v.state, PORT_CLOSED);
    assert_false(scan_icmp_verdict(6, 3, 4, true, &v));
    /* Conflicting replies. */
    assert_false(scan_state_may_change(PORT_OPEN, PORT_CLOSED, false));
    assert_false(scan_state_may_change(PORT_CLOSED, PORT_FILTERED, false));
    assert_true(scan_state_may_change(PORT_CLOSED, PORT_OPEN, false));
    assert_false(scan_state_may_change(PORT_UNFILTERED, PORT_FILTERED, false));
    assert_true(scan_state_may_change(PORT_UNFILTERED, PORT_CLOSED, false));
    assert_true(scan_state_may_change(PORT_OPEN_FILTERED, PORT_CLOSED, false));
    assert_true(scan_state_may_change(PORT_FILTERED, PORT_OPEN, false));
    /* Scans where silence means open|filtered (nmap's noresp_open_scan): open may change,
     * closed never does, filtered never becomes open. */
    assert_true(scan_state_may_change(PORT_OPEN, PORT_CLOSED, true));
    assert_false(scan_state_may_change(PORT_CLOSED, PORT_OPEN, true));
    assert_false(scan_state_may_change(PORT_FILTERED, PORT_OPEN, true));
    assert_true(scan_state_may_change(PORT_FILTERED, PORT_CLOSED, true));
    assert_true(scan_state_may_change(PORT_OPEN_FILTERED, PORT_OPEN, true));
    /* Registry. */
    assert_ptr_equal(scan_ops_by_flag('X'), &scan_xmas);
    assert_ptr_equal(scan_ops_by_name("maimon"), &scan_maimon);
    assert_null(scan_ops_by_name("idle"));
    assert_int_equal(scan_type_by_flag('U'), SCAN_UDP);
}

/* Discovery with nmap's default probes: the target up by echo reply, the silent host down,
 * the host behind a TTL expiry down; -sn scans no ports. */
static void test_discovery(void **state)
{
    (void)state;
    static uint32_t tg[] = { IP4(198, 51, 100, 30), IP4(198, 51, 100, 31),
                             IP4(198, 51, 100, 32) };
    struct fixture *x = fx_new();
    x->cfg.targets = tg;
    x->cfg.ntargets = 3;
    x->cfg.tcp_ports = PORTS;
    x->cfg.ntcp_ports = 4;
    x->cfg.disc.ping_only = true;
    fx_run(x);
    assert_true(x->rep.hosts[0].up);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_ECHO_REPLY);
    assert_int_equal(x->rep.hosts[0].up_reason_ttl, 64);
    assert_int_equal(x->rep.hosts[0].srtt_ns, 2 * MS);
    assert_false(x->rep.hosts[1].up);
    assert_false(x->rep.hosts[2].up);
    assert_int_equal(x->rep.hosts[2].up_reason, RS_TIME_EXCEEDED);
    assert_int_equal(x->rep.hosts[0].nports, 0);
    assert_string_equal(x->rep.scan_type, "ping");
    /* Default probe set: echo, SYN 443, ACK 80, timestamp — to the silent host, 2 tries. */
    int echo = 0, syn443 = 0, ack80 = 0, ts = 0;
    for (size_t i = 0; i < x->f.nlog; i++) {
        const struct fk_sent *s = &x->f.log[i];
        if (s->dst != DOWNHOST)
            continue;
        syn443 += s->proto == 6 && s->dport == 443 && s->flags == TCP_SYN;
        ack80 += s->proto == 6 && s->dport == 80 && s->flags == TCP_ACK;
        echo += s->proto == 1;
    }
    (void)ts;
    assert_int_equal(syn443, 2);
    assert_int_equal(ack80, 2);
    assert_int_equal(echo, 4);   /* echo and timestamp, 2 tries each */
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 22), 0);
    fx_free(x);

    /* -PS22 only: up by syn-ack; then the port scan runs (no -sn). */
    static const uint16_t p22[] = { 22 };
    x = fx_new();
    x->cfg.targets = tg;
    x->cfg.ntargets = 2;
    x->cfg.tcp_ports = PORTS;
    x->cfg.ntcp_ports = 4;
    x->cfg.disc.ping_syn = true;
    x->cfg.disc.syn_ports = p22;
    x->cfg.disc.nsyn_ports = 1;
    fx_run(x);
    assert_true(x->rep.hosts[0].up);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_SYN_ACK);
    assert_int_equal(x->rep.hosts[0].nports, 4);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    assert_false(x->rep.hosts[1].up);
    assert_int_equal(x->rep.hosts[1].nports, 0);
    fx_free(x);

    /* -PA with no ports uses 80: a RST makes the host up (reset). */
    x = fx_new();
    x->cfg.targets = tg;
    x->cfg.ntargets = 1;
    x->cfg.disc.ping_only = true;
    x->cfg.disc.ping_ack = true;
    fx_run(x);
    assert_true(x->rep.hosts[0].up);
    assert_int_equal(x->rep.hosts[0].up_reason, RS_RESET);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 80), 1);
    fx_free(x);
}

/* -sU conflicting replies: try 1 gets ICMP 3/3 (closed), then try 0's late UDP answer
 * arrives. In a scan whose silence means open|filtered nmap never moves a closed port. */
static void test_udp_conflict(void **state)
{
    (void)state;
    static const uint16_t uports[] = { 7 };
    struct fixture *x = fx_new();
    fx_pn_udp(x, uports, 1);
    fx_run(x);
    const struct port_result *p = fx_port(&x->rep, TARGET, 17, 7);
    assert_int_equal(fx_probes(&x->f, TARGET, 17, 7), 2);
    assert_int_equal(p->state, PORT_CLOSED);
    assert_int_equal(p->reason, RS_PORT_UNREACH);
    fx_free(x);
}

/* A reply to a retransmitted try counts for 10 * min(1 s, timeout) after that try was sent
 * (nmap's probeExpireTime): 10 s here, with the initial 1 s timeout. Silent ports sent one
 * at a time keep the scan running for about 30 s. */
static void test_late_window(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 9000, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007,
                                      1008, 1009, 1010, 1011, 1012, 1013, 1014 };
    static const struct { uint64_t late; uint8_t st, rs; } cases[] = {
        { 9500 * MS, PORT_OPEN, RS_SYN_ACK },
        { 10500 * MS, PORT_FILTERED, RS_NO_RESPONSE },
    };
    for (size_t i = 0; i < 2; i++) {
        struct fixture *x = fx_new();
        fx_pn(x, SCAN_SYN, ports, sizeof ports / sizeof ports[0]);
        x->cfg.timing.max_parallelism = 1;
        x->f.late9000 = cases[i].late;
        fx_run(x);
        assert_int_equal(fx_tries(&x->f, 9000), 2);
        fx_expect(&x->rep, 9000, cases[i].st, cases[i].rs);
        fx_free(x);
    }
}

/* -sT reads connect()'s errno as Linux derives it from the ICMP error, then nmap's
 * handleConnectResult: ETIMEDOUT and EHOSTDOWN are no verdict (the probe is retried). */
static void test_connect_errno(void **state)
{
    (void)state;
    static const struct { enum pktio_stream st; uint8_t type, code; bool ok; uint8_t s, r; } rows[] = {
        { PKTIO_STREAM_OPEN, 0, 0, true, PORT_OPEN, RS_SYN_ACK },
        { PKTIO_STREAM_REFUSED, 0, 0, true, PORT_CLOSED, RS_CONN_REFUSED },
        { PKTIO_STREAM_UNREACH, 3, 3, true, PORT_CLOSED, RS_CONN_REFUSED },
        { PKTIO_STREAM_UNREACH, 3, 0, true, PORT_FILTERED, RS_NET_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 1, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 2, true, PORT_FILTERED, RS_PROTO_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 8, true, PORT_FILTERED, RS_DEST_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 9, true, PORT_FILTERED, RS_NET_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 10, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 3, 13, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 11, 0, true, PORT_FILTERED, RS_HOST_UNREACH },
        { PKTIO_STREAM_UNREACH, 0, 0, true, PORT_FILTERED, RS_ADMIN_PROHIBITED },
        { PKTIO_STREAM_UNREACH, 3, 7, false, 0, 0 },
        { PKTIO_STREAM_UNREACH, 3, 4, false, 0, 0 },
        { PKTIO_STREAM_TIMEDOUT, 0, 0, false, 0, 0 },
        { PKTIO_STREAM_PENDING, 0, 0, false, 0, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct scan_verdict v = { 0, 0 };
        bool ok = scan_connect.classify_stream(rows[i].st, rows[i].type, rows[i].code, &v);
        if (ok != rows[i].ok || (ok && (v.state != rows[i].s || v.reason != rows[i].r)))
            fail_msg("row %zu: ok %d state %d reason %d", i, ok, v.state, v.reason);
    }
    assert_string_equal(reason_name(RS_DEST_UNREACH), "dest-unreach");
}

/* Same seed, same probes byte for byte; another seed, other cookies. */
static void test_deterministic(void **state)
{
    (void)state;
    uint64_t h[3];
    size_t n[3];
    for (int r = 0; r < 3; r++) {
        struct fixture *x = fx_new();
        fx_pn(x, SCAN_SYN, PORTS, 4);
        x->cfg.disc.no_ping = false;
        x->cfg.seed = r < 2 ? 7 : 8;
        fx_run(x);
        h[r] = x->f.hash;
        n[r] = x->f.nlog;
        fx_free(x);
    }
    assert_int_equal(n[0], n[1]);
    assert_true(h[0] == h[1]);
    assert_true(h[0] != h[2]);
}

/* --seq: six SYNs 100 ms apart to the open port, each SYN/ACK's ISN recorded. */
static void test_seq_probes(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, PORTS, 4);
    x->cfg.seq = true;
    fx_run(x);
    const struct seq_result *sq = &x->rep.hosts[0].seq;
    assert_int_equal(sq->nisn, 6);
    assert_int_equal(sq->isn[0], 1000022);
    assert_int_equal(sq->isn[5], 1000022);
    assert_int_equal(sq->gcd, 0);   /* a constant ISN */
    int n = 0;
    uint64_t first = 0;
    for (size_t i = 0; i < x->f.nlog; i++) {
        if (x->f.log[i].dport != 22 || x->f.log[i].flags != TCP_SYN)
            continue;
        if (n == 1)
            first = x->f.log[i].t;
        if (n == 6)
            assert_int_equal(x->f.log[i].t - first, 500 * MS);
        n++;
    }
    assert_int_equal(n, 7);   /* the port-scan probe and six SEQ probes */
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_states),  cmocka_unit_test(test_retry_cap),
        cmocka_unit_test(test_late_reply),  cmocka_unit_test(test_all_tcp_types),
        cmocka_unit_test(test_udp),         cmocka_unit_test(test_icmp_table),
        cmocka_unit_test(test_discovery),   cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_seq_probes),  cmocka_unit_test(test_udp_conflict),
        cmocka_unit_test(test_late_window), cmocka_unit_test(test_connect_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
