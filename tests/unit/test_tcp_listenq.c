/* test_tcp_listenq.c — a listener under a SYN flood, and a listener that trusts one address
 * (sim/tcp.c, sim/tcp_cookie.c, sim/tcp_in.c's keep timer):
 *  - 4.4BSD (`bsd43`): the queue holds 3 * backlog / 2 + 1 half-open connections; while it is
 *    full every segment to the port is dropped, a stray SYN-ACK included (no RST: the gag
 *    Mitnick used), and each half-open connection is held 75 s (TCPTV_KEEP_INIT);
 *  - Linux, tcp_syncookies = 1: the overflowing SYN gets a cookie SYN-ACK and no state, the
 *    ACK returning it makes the connection, a stray SYN-ACK still gets its RST; with
 *    tcp_syncookies = 0 only SYNs are dropped;
 *  - `tcp PORT from ADDR`: another source's segments are dropped (the port looks filtered);
 *    data from ADDR is reported as the trusted host's.
 * Numbers: docs/facts/offpath.md section 6. Fixture: tcp_fixture.h.
 */
#include "tests/unit/tcp_fixture.h"

#include "sim/os.h"

#define OTHER 0xC6120077u      /* 198.18.0.119: neither the host nor PEER */

static const struct wire_tcp *feed_from(uint32_t src, const struct wire_tcp *s)
{
    struct wire_ipv4 ip;
    memset(&ip, 0, sizeof ip);
    ip.src = src;
    ip.dst = ME;
    ip.proto = WIRE_PROTO_TCP;
    int before = F.r.n;
    tcp_input(F.th, &F.io, &ip, s, &F.v);
    assert_non_null(F.v.rule_id);
    return F.r.n > before ? &F.r.seg[F.r.n - 1] : NULL;
}

static void bsd_start(int backlog)
{
    F.p = *os_preset("bsd43");
    F.p.backlog = backlog;
    fx_start();
}

/* SYNs from PEER ports 6000.. until one is refused; returns how many were taken. */
static int flood(int max)
{
    for (int i = 0; i < max; i++) {
        struct wire_tcp syn = seg_mk((uint16_t)(6000 + i), 80, TCP_SYN, 1, 0);
        int mark = F.r.n;
        feed(&syn);
        if (sent_since(mark) == 0)
            return i;
    }
    return max;
}

static void test_bsd_queue_size(void **state)
{
    (void)state;
    bsd_start(5);
    assert_int_equal(flood(20), 8);             /* 3 * 5 / 2 + 1 (Stevens vol 1, 18.11) */
    assert_string_equal(F.v.rule_id, "bsd44-sonewconn-full");
    assert_string_equal(F.v.action, "drop");
    assert_int_equal(F.v.state_after, TCP_LISTEN);
}

static void test_bsd_full_queue_drops_everything(void **state)
{
    (void)state;
    bsd_start(2);
    /* With room: a SYN-ACK nobody asked for gets a RST (RFC 793 3.4, LISTEN + ACK). */
    struct wire_tcp sa = seg_mk(514, 80, TCP_SYN | TCP_ACK, 5000, 777);
    const struct wire_tcp *o = feed(&sa);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST);
    assert_int_equal(o->seq, 777);
    assert_int_equal(flood(10), 4);             /* 3 * 2 / 2 + 1 */
    /* Full: the same SYN-ACK, a bare ACK, a FIN: all dropped, nothing sent. */
    uint8_t flags[] = { TCP_SYN | TCP_ACK, TCP_ACK, TCP_FIN, TCP_RST };
    for (size_t i = 0; i < sizeof flags; i++) {
        struct wire_tcp s = seg_mk(514, 80, flags[i], 5000, 777);
        int mark = F.r.n;
        feed(&s);
        assert_int_equal(sent_since(mark), 0);
        assert_string_equal(F.v.rule_id, "bsd44-sonewconn-full");
    }
    /* A connection's own segments still reach it: the first half-open TCB takes its ACK. */
    uint32_t iss = F.r.seg[1].seq;              /* [0] was the RST */
    struct wire_tcp ack = seg_mk(6000, 80, TCP_ACK, 2, iss + 1);
    feed(&ack);
    assert_string_equal(F.v.rule_id, "rfc793-3.9-synrecv-ack");
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    /* One place free again: the stray SYN-ACK is answered once more. */
    o = feed(&sa);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST);
}

static void test_bsd_keep_timer(void **state)
{
    (void)state;
    bsd_start(5);
    struct wire_tcp syn = seg_mk(6000, 80, TCP_SYN, 1, 0);
    feed(&syn);
    run_until(200 * SEC);
    /* SYN-ACK at 0, again at 3, 9, 21, 45 s (3 s doubling), dropped at 75 s */
    assert_int_equal(F.r.n, 5);
    uint64_t at[] = { 3, 9, 21, 45 };
    for (int i = 0; i < 4; i++)
        assert_int_equal(F.r.tt[i], at[i] * SEC);
    assert_int_equal(F.r.tt[4], 75 * SEC);
    assert_string_equal(F.v.rule_id, "bsd44-keep-init");
    assert_int_equal(F.v.state_after, TCP_LISTEN);
}

static void test_bsd_flood_ends_after_75s(void **state)
{
    (void)state;
    bsd_start(5);
    assert_int_equal(flood(8), 8);
    struct wire_tcp sa = seg_mk(514, 80, TCP_SYN | TCP_ACK, 5000, 777);
    F.io.now_ns = 74 * SEC;
    run_until(74 * SEC);
    int mark = F.r.n;
    feed(&sa);
    assert_int_equal(sent_since(mark), 0);      /* still gagged at 74 s */
    run_until(76 * SEC);
    const struct wire_tcp *o = feed(&sa);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST);        /* the queue emptied at 75 s */
}

static void test_linux_syncookies(void **state)
{
    (void)state;
    F.p.backlog = 2;
    F.p.syncookies = true;
    fx_start();
    assert_int_equal(flood(2), 2);
    struct wire_tcp syn = seg_mk(7000, 80, TCP_SYN, 4000, 0);
    syn.opt.has_mss = true;
    syn.opt.mss = 1460;
    const struct wire_tcp *o = feed(&syn);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_SYN | TCP_ACK);
    assert_int_equal(o->ack, 4001);
    assert_int_equal(o->opt.n, 1);               /* the MSS only: no timestamps to carry more */
    assert_string_equal(F.v.rule_id, "linux-syncookie-send");
    assert_int_equal(F.v.state_after, TCP_LISTEN);   /* no state kept */
    uint32_t cookie = o->seq;
    /* A stray SYN-ACK to the flooded port is still answered (the trusted host's RST). */
    struct wire_tcp sa = seg_mk(514, 80, TCP_SYN | TCP_ACK, 5000, 777);
    o = feed(&sa);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST);
    /* A wrong cookie: RST (LISTEN + ACK). */
    struct wire_tcp bad = seg_mk(7000, 80, TCP_ACK, 4001, cookie + 2);
    o = feed(&bad);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST);
    /* The cookie returned 30 s later: ESTABLISHED, with the data it carries. */
    F.io.now_ns = 30 * SEC;
    struct wire_tcp ack = seg_mk(7000, 80, TCP_ACK | TCP_PSH, 4001, cookie + 1);
    ack.payload_len = 5;
    ack.payload = (const uint8_t *)"hello";
    o = feed(&ack);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_ACK);
    assert_int_equal(o->ack, 4006);
    assert_int_equal(o->seq, cookie + 1);
    assert_string_equal(F.v.rule_id, "rfc793-3.9-data");
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
}

static void test_linux_syncookie_expires(void **state)
{
    (void)state;
    F.p.backlog = 1;
    F.p.syncookies = true;
    fx_start();
    assert_int_equal(flood(1), 1);
    struct wire_tcp syn = seg_mk(7000, 80, TCP_SYN, 4000, 0);
    uint32_t cookie = feed(&syn)->seq;
    /* Three minutes on, the cookie is too old (and no overflow is recent): RST. */
    F.io.now_ns = 180 * SEC;
    struct wire_tcp ack = seg_mk(7000, 80, TCP_ACK, 4001, cookie + 1);
    const struct wire_tcp *o = feed(&ack);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_RST);
    assert_string_equal(F.v.rule_id, "rfc793-3.4-case2-listen");
}

static void test_linux_no_syncookies(void **state)
{
    (void)state;
    F.p.backlog = 2;
    F.p.syncookies = false;
    fx_start();
    assert_int_equal(flood(5), 2);
    assert_string_equal(F.v.rule_id, "budget-backlog");
    struct wire_tcp sa = seg_mk(514, 80, TCP_SYN | TCP_ACK, 5000, 777);
    const struct wire_tcp *o = feed(&sa);
    assert_non_null(o);                          /* only SYNs are dropped */
    assert_int_equal(o->flags, TCP_RST);
}

static void test_listen_from(void **state)
{
    (void)state;
    bsd_start(5);
    assert_int_equal(tcp_listen_from(F.th, 80, PEER), 0);
    assert_int_equal(tcp_listen_from(F.th, 81, PEER), -1);   /* nothing listens there */
    struct wire_tcp syn = seg_mk(1000, 80, TCP_SYN, 1, 0);
    int mark = F.r.n;
    const struct wire_tcp *o = feed_from(OTHER, &syn);
    assert_int_equal(sent_since(mark), 0);          /* filtered: no answer at all */
    assert_string_equal(F.v.rule_id, "scenario-listen-from");
    struct wire_tcp sa = seg_mk(1000, 80, TCP_SYN | TCP_ACK, 1, 99);
    feed_from(OTHER, &sa);
    assert_int_equal(sent_since(mark), 0);
    assert_string_equal(F.v.rule_id, "scenario-listen-from");
    syn.sport = 513;
    o = feed_from(PEER, &syn);
    assert_non_null(o);
    assert_int_equal(o->flags, TCP_SYN | TCP_ACK);
    uint32_t iss = o->seq;
    struct wire_tcp ack = seg_mk(513, 80, TCP_ACK, 2, iss + 1);
    feed_from(PEER, &ack);
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    struct wire_tcp data = seg_mk(513, 80, TCP_ACK | TCP_PSH, 2, iss + 1);
    data.payload_len = 4;
    data.payload = (const uint8_t *)"+ +\n";
    o = feed_from(PEER, &data);
    assert_non_null(o);
    assert_int_equal(o->ack, 6);
    assert_string_equal(F.v.rule_id, "scenario-trusted-data");
    assert_string_equal(F.v.action, "accept data");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_bsd_queue_size),
        T(test_bsd_full_queue_drops_everything),
        T(test_bsd_keep_timer),
        T(test_bsd_flood_ends_after_75s),
        T(test_linux_syncookies),
        T(test_linux_syncookie_expires),
        T(test_linux_no_syncookies),
        T(test_listen_from),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
