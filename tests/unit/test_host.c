/* test_host.c — a simulated host's IP, UDP and ICMP (sim/host.c): port unreachable with
 * Linux's quote and the BSDs', echo replies, both ICMP budgets, down hosts, bad checksums, open UDP ports.
 */
#include "tests/unit/sim_fixture.h"

#include <malloc.h>

#include "sim/engine.h"

static const char *NET =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host target 198.51.100.30 os linux tcp 80 udp 53\n"
    "host bsd 198.51.100.40 os freebsd\n"
    "host dark 198.51.100.70 os linux down tcp 22\n"
    "host slow 198.51.100.80 os linux icmp-rate 2/s\n";

struct fx {
    struct sim *s;
    struct cap *c;
    uint32_t sc, target;
};

static struct fx fx_open(const char *text)
{
    struct fx f;
    f.s = fx_sim(text, 1);
    f.c = cap_new();
    f.sc = fx_addr(f.s, "scanner");
    f.target = fx_addr(f.s, "target");
    assert_int_equal(sim_set_tap(f.s, f.sc, cap_fn, f.c), 0);
    return f;
}

static void fx_close(struct fx *f)
{
    free(f->c);
    sim_free(f->s);
}

/* UDP to a closed port: ICMP 3/3 from the target, quoting the whole small datagram. */
static void test_udp_closed_small(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    size_t n = fx_udp(b, f.sc, f.target, 40000, 9, 10);
    assert_int_equal(n, 38);
    assert_int_equal(sim_inject(f.s, b, n), 0);
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 1);
    assert_int_equal(f.c->t[0], 2000000);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.ip.proto, WIRE_PROTO_ICMP);
    assert_int_equal(p.ip.src, f.target);
    assert_int_equal(p.ip.dst, f.sc);
    assert_int_equal(p.ip.ttl, 64);
    assert_false(p.ip.df);           /* Linux's ICMP socket never sets DF */
    assert_int_equal(p.ip.total_len, 20 + 8 + 38);
    assert_true(p.l4.icmp.csum_ok);
    assert_int_equal(p.l4.icmp.type, 3);
    assert_int_equal(p.l4.icmp.code, 3);
    assert_int_equal(p.l4.icmp.rest, 0);
    assert_int_equal(p.l4.icmp.payload_len, 38);
    assert_memory_equal(p.l4.icmp.payload, b, 38);
    fx_close(&f);
}

/* A big datagram is quoted up to 576 bytes in all: 548 bytes of it (Linux icmp_send). */
static void test_udp_closed_quote_576(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    size_t n = fx_udp(b, f.sc, f.target, 40000, 9, 1000);
    assert_int_equal(sim_inject(f.s, b, n), 0);
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(f.c->len[0], 576);
    assert_int_equal(p.l4.icmp.payload_len, 548);
    assert_memory_equal(p.l4.icmp.payload, b, 548);
    fx_close(&f);
}

static void test_echo_reply(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    size_t n = fx_echo(b, f.sc, f.target, 0x1234, 7, "abcdefgh12345");
    assert_int_equal(sim_inject(f.s, b, n), 0);
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.l4.icmp.type, ICMP_ECHO_REPLY);
    assert_int_equal(p.l4.icmp.code, 0);
    assert_int_equal(p.l4.icmp.id, 0x1234);
    assert_int_equal(p.l4.icmp.seq, 7);
    assert_int_equal(p.l4.icmp.payload_len, 13);
    assert_memory_equal(p.l4.icmp.payload, "abcdefgh12345", 13);
    assert_int_equal(p.ip.src, f.target);
    assert_false(p.ip.df);
    fx_close(&f);
}

/* The BSDs' ICMP (personality icmp_quote, icmp_ttl, icmp_echo_df; nmap-os-db U1 and IE):
 * OpenBSD quotes the IP header and 8 bytes, sends ICMP with TTL 255 and turns an echo
 * request's DF round; Linux quotes up to 576 bytes in all and never sets DF. A filter's
 * REJECT in front of an OpenBSD host is iptables': Linux's quote, the host's TCP TTL. */
static size_t echo_df(uint8_t *b, uint32_t src, uint32_t dst)
{
    struct wire_ipv4 ip = { .ttl = 64, .id = 3, .df = true, .proto = WIRE_PROTO_ICMP,
                            .src = src, .dst = dst };
    struct wire_icmp ic = { .type = ICMP_ECHO, .id = 1, .seq = 2, .rest = 1u << 16 | 2,
                            .payload = (const uint8_t *)"df", .payload_len = 2 };
    size_t n = wire_emit_icmp(b, WIRE_MTU, &ip, &ic);
    assert_true(n > 0);
    return n;
}

static void test_bsd_icmp_quote_ttl_df(void **state)
{
    (void)state;
    struct fx f = fx_open("net 198.51.100.0/24 delay 1ms\n"
                          "host scanner 198.51.100.10 role scanner os linux\n"
                          "host target 198.51.100.30 os linux\n"
                          "host obsd 198.51.100.50 os openbsd\n"
                          "host walled 198.51.100.51 os openbsd\n"
                          "filter fw at walled in\n"
                          "  reject udp dport 9\n");
    uint32_t obsd = fx_addr(f.s, "obsd"), walled = fx_addr(f.s, "walled");
    uint8_t b[WIRE_MTU];
    struct wire_pkt p;
    size_t n = fx_udp(b, f.sc, obsd, 40000, 9, 300);   /* nmap's U1: 300 data bytes */
    assert_int_equal(sim_inject(f.s, b, n), 0);
    n = echo_df(b, f.sc, obsd);
    assert_int_equal(sim_inject(f.s, b, n), 0);
    n = echo_df(b, f.sc, f.target);
    assert_int_equal(sim_inject(f.s, b, n), 0);
    n = fx_udp(b, f.sc, walled, 40001, 9, 300);
    assert_int_equal(sim_inject(f.s, b, n), 0);
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 4);
    fx_parse(f.c->pkt[0], f.c->len[0], &p);            /* OpenBSD: port unreachable */
    assert_int_equal(p.l4.icmp.type, ICMP_UNREACH);
    assert_int_equal(p.l4.icmp.payload_len, 20 + 8);
    assert_int_equal(f.c->len[0], 56);
    assert_int_equal(p.ip.ttl, 255);
    fx_parse(f.c->pkt[1], f.c->len[1], &p);            /* OpenBSD: echo reply, DF kept */
    assert_int_equal(p.l4.icmp.type, ICMP_ECHO_REPLY);
    assert_true(p.ip.df);
    assert_int_equal(p.ip.ttl, 255);
    fx_parse(f.c->pkt[2], f.c->len[2], &p);            /* Linux: echo reply, no DF */
    assert_int_equal(p.l4.icmp.type, ICMP_ECHO_REPLY);
    assert_false(p.ip.df);
    assert_int_equal(p.ip.ttl, 64);
    fx_parse(f.c->pkt[3], f.c->len[3], &p);            /* iptables REJECT: whole datagram */
    assert_int_equal(p.l4.icmp.type, ICMP_UNREACH);
    assert_int_equal(p.l4.icmp.payload_len, 328);
    assert_int_equal(p.ip.ttl, 64);
    fx_close(&f);
}

/* Echo replies are exempt from the per-destination bucket: 20 pings, 20 replies. */
static void test_echo_not_limited(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    for (int i = 0; i < 20; i++) {
        size_t n = fx_echo(b, f.sc, f.target, 1, (uint16_t)i, "x");
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 20);
    fx_close(&f);
}

/* icmp-rate 2/s: exactly 2 errors in each aligned second of the virtual clock. Each probe
 * comes from its own address, so the per-destination bucket never binds. */
static void test_icmp_rate_slots(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint32_t slow = fx_addr(f.s, "slow");
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(f.s, trace_record, &tr);
    uint8_t b[WIRE_MTU];
    /* 10 probes between 0.5 s and 0.95 s, 10 between 1.0 s and 1.45 s (arrival +1 ms). */
    for (int i = 0; i < 20; i++) {
        sim_run_until(f.s, 500000000ULL + (uint64_t)i * 50000000ULL - 1000000);
        size_t n = fx_udp(b, ip4(198, 51, 100, 100 + (unsigned)i), slow, 40000, 9, 0);
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 3000000000ULL);
    int sent_first = 0, sent_second = 0;
    for (size_t i = 0; i < tr.n; i++) {
        const struct trace_ev *e = &tr.ev[i];
        if (e->kind != SIM_EV_SEND || e->host_addr != slow)
            continue;
        if (e->t_ns < 1000000000ULL)
            sent_first++;
        else
            sent_second++;
    }
    assert_int_equal(sent_first, 2);
    assert_int_equal(sent_second, 2);
    assert_true(fx_find_rule(&tr, SIM_EV_RECV, "icmp-rate 2/s: budget spent") >= 0);
    trace_free(&tr);
    fx_close(&f);
}

/* Linux's per-destination bucket: a burst of 6, then one per second; another destination
 * has its own bucket. */
static void test_icmp_per_dest_bucket(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    for (int i = 0; i < 20; i++) {
        size_t n = fx_udp(b, f.sc, f.target, (uint16_t)(40000 + i), 9, 0);
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 6);
    /* 0.5 s later: half a token, nothing. */
    sim_run_until(f.s, 500000000);
    size_t n = fx_udp(b, f.sc, f.target, 41000, 9, 0);
    sim_inject(f.s, b, n);
    sim_run_until(f.s, 600000000);
    assert_int_equal(f.c->n, 6);
    /* 1 s after the burst: exactly one more. */
    sim_run_until(f.s, 1001000000);
    for (int i = 0; i < 3; i++) {
        n = fx_udp(b, f.sc, f.target, (uint16_t)(42000 + i), 9, 0);
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 1100000000);
    assert_int_equal(f.c->n, 7);
    /* Another source gets its own full bucket (its replies go elsewhere: count SENDs). */
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(f.s, trace_record, &tr);
    for (int i = 0; i < 10; i++) {
        n = fx_udp(b, ip4(198, 51, 100, 99), f.target, (uint16_t)(43000 + i), 9, 0);
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 1200000000);
    int errs = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (tr.ev[i].kind == SIM_EV_SEND && tr.ev[i].host_addr == f.target)
            errs++;
    assert_int_equal(errs, 6);
    assert_true(fx_find_rule(&tr, SIM_EV_RECV, "per destination, burst 6") >= 0);
    trace_free(&tr);
    fx_close(&f);
}

/* FreeBSD has no per-destination bucket, only icmplim 200/s. */
static void test_bsd_no_bucket(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    for (int i = 0; i < 20; i++) {
        size_t n = fx_udp(b, f.sc, fx_addr(f.s, "bsd"), (uint16_t)(40000 + i), 9, 0);
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 20);
    fx_close(&f);
}

static void test_down_host_silent(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(f.s, trace_record, &tr);
    uint32_t dark = fx_addr(f.s, "dark");
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, f.sc, dark, 40000, 22, TCP_SYN, 1, 0, 0);
    sim_inject(f.s, b, n);
    n = fx_echo(b, f.sc, dark, 1, 1, "x");
    sim_inject(f.s, b, n);
    n = fx_udp(b, f.sc, dark, 40000, 9, 0);
    sim_inject(f.s, b, n);
    sim_run_until(f.s, 1000000000);
    assert_int_equal(f.c->n, 0);
    long i = fx_find_rule(&tr, SIM_EV_DROP, "host is down");
    assert_true(i >= 0);
    assert_string_equal(trace_str(&tr, tr.ev[i].host_off), "dark");
    trace_free(&tr);
    fx_close(&f);
}

/* A bad transport or IP header checksum: dropped silently, as a kernel does. */
static void test_bad_checksum(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(f.s, trace_record, &tr);
    uint8_t b[WIRE_MTU];
    size_t n = fx_udp(b, f.sc, f.target, 40000, 9, 4);
    b[26] ^= 0x55;   /* UDP checksum */
    assert_int_equal(sim_inject(f.s, b, n), 0);
    n = fx_tcp(b, f.sc, f.target, 40000, 80, TCP_SYN, 1, 0, 0);
    b[36] ^= 0x01;   /* TCP checksum */
    assert_int_equal(sim_inject(f.s, b, n), 0);
    n = fx_echo(b, f.sc, f.target, 1, 1, "x");
    b[10] ^= 0x01;   /* IP header checksum */
    assert_int_equal(sim_inject(f.s, b, n), 0);
    sim_run_until(f.s, 1000000000);
    assert_int_equal(f.c->n, 0);
    int drops = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (tr.ev[i].kind == SIM_EV_DROP &&
            strcmp(trace_str(&tr, tr.ev[i].rule_off), "bad checksum") == 0)
            drops++;
    assert_int_equal(drops, 3);
    trace_free(&tr);
    fx_close(&f);
}

/* An open UDP port answers data with an echo of its first bytes, and ignores empty ones. */
static void test_udp_open(void **state)
{
    (void)state;
    struct fx f = fx_open(NET);
    uint8_t b[WIRE_MTU];
    size_t n = fx_udp(b, f.sc, f.target, 40000, 53, 0);
    sim_inject(f.s, b, n);
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 0);
    n = fx_udp(b, f.sc, f.target, 40001, 53, 100);
    sim_inject(f.s, b, n);
    sim_run_until(f.s, 20000000);
    assert_int_equal(f.c->n, 1);
    struct wire_pkt p;
    fx_parse(f.c->pkt[0], f.c->len[0], &p);
    assert_int_equal(p.ip.proto, WIRE_PROTO_UDP);
    assert_int_equal(p.l4.udp.sport, 53);
    assert_int_equal(p.l4.udp.dport, 40001);
    assert_int_equal(p.l4.udp.payload_len, 32);
    assert_memory_equal(p.l4.udp.payload, b + 28, 32);
    fx_close(&f);
}

/* The RECV record names the receiving host and its IP-ID counter; a global counter
 * (printer) advances by one per datagram it sends. */
static void test_trace_ipid_global(void **state)
{
    (void)state;
    struct fx f = fx_open("net 198.51.100.0/24 delay 1ms\n"
                          "host scanner 198.51.100.10 role scanner os linux\n"
                          "host target 198.51.100.30 os printer ipid global tcp 80\n");
    uint8_t b[WIRE_MTU];
    for (int i = 0; i < 3; i++) {
        size_t n = fx_echo(b, f.sc, f.target, 1, (uint16_t)i, "x");
        sim_inject(f.s, b, n);
    }
    sim_run_until(f.s, 10000000);
    assert_int_equal(f.c->n, 3);
    struct wire_pkt p0, p2;
    fx_parse(f.c->pkt[0], f.c->len[0], &p0);
    fx_parse(f.c->pkt[2], f.c->len[2], &p2);
    assert_int_equal((uint16_t)(p2.ip.id - p0.ip.id), 2);
    fx_close(&f);
}

/* ICMP timestamp requests written by hand (`send ... icmp timestamp`), as nmap -PP sends them
 * and shorter: Linux icmp_timestamp answers once the 4-byte originate is there (a 3-byte
 * request is "Too short": dropped) and always with 8 + 12 bytes: originate copied, receive =
 * transmit = ms since midnight (1001 ms here: sent at 1 s, 1 ms delay). tests/live/
 * oracle_linux.py checks the same four lengths against a real kernel. */
static void test_timestamp_requests_by_hand(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text, "%s%s", NET,
             "send scanner -> target icmp timestamp id 9 seq 1 at 1s\n"
             "send scanner -> target icmp timestamp id 9 seq 2 data \"ABCD\" at 1s\n"
             "send scanner -> target icmp timestamp id 9 seq 3 data \"ABC\" at 1s\n"
             "send scanner -> target icmp timestamp id 9 seq 4 data 20 at 1s\n");
    struct fx f = fx_open(text);
    sim_run_until(f.s, 2000000000ULL);
    assert_int_equal(f.c->n, 3);
    static const uint16_t seqs[] = { 1, 2, 4 };
    static const uint32_t orig[] = { 1000, 0x41424344u, 0x58585858u };   /* 1000 ms; ABCD; XXXX */
    for (size_t k = 0; k < 3; k++) {
        struct wire_pkt p;
        fx_parse(f.c->pkt[k], f.c->len[k], &p);
        assert_int_equal(p.ip.src, f.target);
        assert_int_equal(p.l4.icmp.type, ICMP_TIMESTAMP_REPLY);
        assert_int_equal(p.l4.icmp.id, 9);
        assert_int_equal(p.l4.icmp.seq, seqs[k]);
        assert_int_equal(p.ip.total_len, 20 + 8 + 12);
        const uint8_t *d = p.l4.icmp.payload;
        uint32_t o = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
        assert_int_equal(o, orig[k]);
        assert_memory_equal(d + 4, "\x00\x00\x03\xe9\x00\x00\x03\xe9", 8);   /* 1001, 1001 */
        assert_false(p.ip.df);
    }
    fx_close(&f);
}

/* Issue 13 item 2: a host nothing has reached costs its scenario line and little more.
 * 20,000 declared hosts with TCP and UDP ports: no TCP is made at load (it was, about 14 KB
 * a host: the listener table, connection pools, an 8 KiB copy of the port set), every
 * host shares one copy of each port set, and the heap grows by under 1 KiB a host. The
 * first SYN makes the TCP of the host it reaches, and only that one, which answers as a
 * TCP made at load would (SYN-ACK from port 80, RST from 81). */
static void test_untouched_hosts_cost_nothing(void **state)
{
    (void)state;
    enum { N = 20000 };
    size_t cap = 64 + (size_t)N * 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, cap, "net 10.0.0.0/8 delay 1ms\n"
                                   "host scanner 10.0.0.1 role scanner os linux\n");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(text + used, cap - used, "host h%d 10.1.%d.%d os linux tcp 80 "
                                 "udp 53\n", i, i / 250, i % 250 + 1);
    struct scenario sc;
    char err[256];
    assert_int_equal(scenario_parse("t.scn", text, used, &sc, err, sizeof err), 0);
    free(text);
    struct sim *s = sim_new(1);
    assert_non_null(s);
    struct mallinfo2 before = mallinfo2();
    assert_int_equal(sim_load(s, &sc, err, sizeof err), 0);
    struct mallinfo2 after = mallinfo2();
    scenario_free(&sc);
    size_t grew = after.uordblks > before.uordblks ? after.uordblks - before.uordblks : 0;
    if (grew)   /* 0 under a sanitizer's allocator, which mallinfo2 does not see */
        assert_true(grew < (size_t)N * 1024);
    assert_int_equal(s->hosts.n, N + 1);
    const struct host *h0 = s->hosts.v[1];
    for (uint32_t i = 0; i < s->hosts.n; i++) {
        const struct host *h = s->hosts.v[i];
        assert_null(h->tcp);
        if (i > 0) {
            assert_ptr_equal(h->tcp_ports, h0->tcp_ports);
            assert_ptr_equal(h->udp, h0->udp);
        }
    }
    uint32_t sc_addr = fx_addr(s, "scanner"), t = fx_addr(s, "h777");
    struct cap *c = cap_new();
    assert_int_equal(sim_set_tap(s, sc_addr, cap_fn, c), 0);
    uint8_t b[WIRE_MTU];
    size_t n = fx_tcp(b, sc_addr, t, 40000, 80, TCP_SYN, 1000, 0, 0);
    assert_int_equal(sim_inject(s, b, n), 0);
    n = fx_tcp(b, sc_addr, t, 40001, 81, TCP_SYN, 2000, 0, 0);
    assert_int_equal(sim_inject(s, b, n), 0);
    sim_run_until(s, 100000000);
    assert_int_equal(c->n, 2);
    struct wire_pkt p;
    fx_parse(c->pkt[0], c->len[0], &p);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);
    fx_parse(c->pkt[1], c->len[1], &p);
    assert_true(p.l4.tcp.flags & TCP_RST);
    uint32_t made = 0;
    for (uint32_t i = 0; i < s->hosts.n; i++)
        made += s->hosts.v[i]->tcp != NULL;
    assert_int_equal(made, 2);   /* h777, and the scanner's own (it answered the SYN-ACK) */
    free(c);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_closed_small),
        cmocka_unit_test(test_udp_closed_quote_576),
        cmocka_unit_test(test_echo_reply),
        cmocka_unit_test(test_bsd_icmp_quote_ttl_df),
        cmocka_unit_test(test_echo_not_limited),
        cmocka_unit_test(test_icmp_rate_slots),
        cmocka_unit_test(test_icmp_per_dest_bucket),
        cmocka_unit_test(test_bsd_no_bucket),
        cmocka_unit_test(test_down_host_silent),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_udp_open),
        cmocka_unit_test(test_trace_ipid_global),
        cmocka_unit_test(test_timestamp_requests_by_hand),
        cmocka_unit_test(test_untouched_hosts_cost_nothing),
    };
    return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
