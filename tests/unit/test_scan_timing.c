/* test_scan_timing.c — the scan engine's timing as nmap's (scanner/timing.c, ultra.c)
 * against the scripted fake pktio of scan_fake.h: --max-rate and --min-rate, timing pings,
 * send-delay counters reset at each increase, giving up at the retry cap, bench retries,
 * duplicate replies feeding the RTT estimate.
 */
#include "tests/unit/scan_fake.h"

static uint16_t many_ports[40];

/* --max-rate 50: on the virtual clock, never more than 1 + 50/s * elapsed probes. */
static void test_max_rate(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++)
        many_ports[i] = (uint16_t)(1000 + i);
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, many_ports, 40);
    x->cfg.timing.max_rate = 50;
    fx_run(x);
    assert_int_equal(x->f.nlog, 80);   /* every silent port: 2 probes */
    uint64_t t0 = x->f.log[0].t;
    for (size_t i = 0; i < x->f.nlog; i++) {
        double allowed = 1 + (double)(x->f.log[i].t - t0) * 50 / 1e9;
        assert_true((double)(i + 1) <= allowed + 1e-9);
    }
    /* 80 probes at 50/s take at least 1.58 s. */
    assert_true(x->f.log[79].t - t0 >= 1580 * MS);
    fx_free(x);
}

/* --min-rate 100 with one probe at a time and silent ports: the window would allow one
 * probe per second; the rate forces one every 10 ms. */
static void test_min_rate(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++)
        many_ports[i] = (uint16_t)(1000 + i);
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, many_ports, 40);
    x->cfg.timing.max_parallelism = 1;
    x->cfg.timing.min_rate = 100;
    fx_run(x);
    uint64_t t0 = x->f.log[0].t;
    for (size_t i = 0; i < 40; i++)   /* the 40 first tries */
        assert_true(x->f.log[i].t - t0 <= i * 10 * MS + 1);
    fx_free(x);

    x = fx_new();                     /* without it: one per timeout (1 s) */
    fx_pn(x, SCAN_SYN, many_ports, 3);
    x->cfg.timing.max_parallelism = 1;
    fx_run(x);
    assert_int_equal(x->f.log[1].t - x->f.log[0].t, 1000 * MS);
    fx_free(x);

    struct scan_report rep;
    char err[128];
    x = fx_new();
    fx_pn(x, SCAN_SYN, many_ports, 3);
    x->cfg.timing.min_rate = 100;
    x->cfg.timing.max_rate = 10;
    assert_int_equal(scan_run(&x->cfg, &x->io, &rep, err, sizeof err), -1);
    assert_non_null(strstr(err, "min-rate"));
    fx_free(x);
}

static uint16_t range_ports[512];

/* Fills range_ports with `first` followed by n ports from `base` on; returns the count. */
static size_t fx_range(uint16_t first, uint16_t base, size_t n)
{
    range_ports[0] = first;
    for (size_t i = 0; i < n; i++)
        range_ports[i + 1] = (uint16_t)(base + i);
    return n + 1;
}

/* The source ports of the probes to (TARGET, tcp, port), in send order. */
static size_t fx_sports(const struct fake *f, uint16_t port, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nlog && n < cap; i++)
        if (f->log[i].dst == TARGET && f->log[i].proto == 6 && f->log[i].dport == port)
            out[n++] = f->log[i].sport;
    return n;
}

/* Timing pings (nmap's doAnyPings): port 80 answered RST, then 100 silent ports. After
 * 1.25 s without a reply and 10 probes, port 80's SYN goes again with ping try 52 (source
 * port base + 52). (a) Its SYN/ACK only feeds timing: 80 stays closed/reset. (b) Lost pings
 * are drops: 11 of them against the one good reply raise the send delay (docs/facts/nmap.md 6). */
static void test_timing_ping(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(80, 1000, 100));
    x->f.mode80 = 1;
    fx_run(x);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    uint16_t sp[64];
    size_t n = fx_sports(&x->f, 80, sp, 64);
    assert_true(n >= 2);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(sp[i], sp[0] + 52 + (i - 1) % 12);
    assert_int_equal(x->nlogs, 0);   /* answered pings: no drops, no delay */
    fx_free(x);

    x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(80, 1000, 400));
    x->f.mode80 = 2;
    x->cfg.verbose = 1;
    fx_run(x);
    fx_expect(&x->rep, 80, PORT_CLOSED, RS_RESET);
    n = fx_sports(&x->f, 80, sp, 64);
    assert_true(n >= 12);   /* the port's probe and at least 11 pings */
    assert_true(x->nlogs >= 1);
    assert_string_equal(x->logs[0], "Increasing send delay for 198.51.100.30 from 0 to 5 due "
                                    "to 11 out of 12 dropped probes since last increase.");
    fx_free(x);
}

/* Send delay (nmap's boostScanDelay): every port loses its first probe, so each reply is
 * to a retransmission (a drop). The 11th drop boosts 0 -> 5 ms and both counters restart;
 * the next boost needs 11 drops of probes sent after it, not 12 in all. */
static void test_send_delay_reset(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(2000, 2001, 59));
    x->cfg.verbose = 1;
    fx_run(x);
    fx_expect(&x->rep, 2030, PORT_CLOSED, RS_RESET);
    assert_true(x->nlogs >= 2);
    assert_string_equal(x->logs[0], "Increasing send delay for 198.51.100.30 from 0 to 5 due "
                                    "to 11 out of 11 dropped probes since last increase.");
    const char *second = "Increasing send delay for 198.51.100.30 from 5 to 10 due to 11 out of ";
    assert_memory_equal(x->logs[1], second, strlen(second));
    fx_free(x);
}

/* --max-retries 0: the cap is hit at once, so a silent port is given up when its only probe
 * times out (nmap prints the warning once), and its SYN/ACK 3 s later no longer counts. */
static void test_cap_gives_up_at_once(void **state)
{
    (void)state;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, range_ports, fx_range(9000, 1000, 15));
    x->cfg.timing.max_parallelism = 1;
    x->cfg.timing.max_retries = 0;
    x->f.late9000 = 3000 * MS;
    fx_run(x);
    fx_expect(&x->rep, 9000, PORT_FILTERED, RS_NO_RESPONSE);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 9000), 1);
    assert_int_equal(x->nlogs, 1);
    assert_string_equal(x->logs[0], "Warning: 198.51.100.30 giving up on port because "
                                    "retransmission cap hit (0).");
    fx_free(x);
}

/* A port whose late window ended waits on nmap's bench: when 8080's reply to its
 * retransmission raises the cap seconds later, 443 gets a third probe. */
static void test_bench_retry(void **state)
{
    (void)state;
    static uint16_t ports[33] = { 22, 443 };
    for (int i = 0; i < 30; i++)
        ports[2 + i] = (uint16_t)(1000 + i);
    ports[32] = 8080;
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 33);
    x->cfg.timing.max_parallelism = 1;
    fx_run(x);
    fx_expect(&x->rep, 8080, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 8080), 2);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 443), 3);
    assert_int_equal(fx_probes(&x->f, TARGET, 6, 1000), 3);
    fx_free(x);
}

/* A duplicate reply to a port that has its verdict still feeds the RTT estimate (nmap's
 * ultrascan_port_probe_update). Try 0 of 9000 is answered 2.5 s late (after try 1 left at
 * +2 s): srtt 2.5 s, rttvar 2 s. Try 1's answer 1 s after it: delta -1.5 s, so srtt =
 * 2.5 - 1.5/8 = 2.3125 s and rttvar = 2 + (1.5 - 2)/4 = 1.875 s. */
static void test_duplicate_rtt(void **state)
{
    (void)state;
    static const uint16_t ports[] = { 9000, 1000, 1001 };   /* < 10 probes: no pings */
    struct fixture *x = fx_new();
    fx_pn(x, SCAN_SYN, ports, 3);
    x->cfg.timing.max_parallelism = 1;
    x->f.late9000 = 2500 * MS;
    x->f.late9000_rest = 1000 * MS;
    fx_run(x);
    fx_expect(&x->rep, 9000, PORT_OPEN, RS_SYN_ACK);
    assert_int_equal(fx_tries(&x->f, 9000), 2);
    assert_int_equal(x->rep.hosts[0].srtt_ns, 2312500000ULL);
    fx_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_rate),    cmocka_unit_test(test_min_rate),
        cmocka_unit_test(test_timing_ping), cmocka_unit_test(test_send_delay_reset),
        cmocka_unit_test(test_cap_gives_up_at_once), cmocka_unit_test(test_bench_retry),
        cmocka_unit_test(test_duplicate_rtt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
