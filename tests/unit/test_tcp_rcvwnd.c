/* test_tcp_rcvwnd.c — the receive window of a buffered connection (sim/tcp_out.c
 * tcp_rcv_window, sim/tcp_in.c's trim, tcp_read's window update) and the sender's respect
 * of the peer's window (tcp_output).
 *
 * RFC 9293 3.8.6: the window offered is the free receive buffer; text past
 * RCV.NXT + RCV.WND is not acceptable (3.10.7.4: trimmed, an ACK sent); when the application
 * reads, the window opens and an update goes out (3.8.6.2.2, by at least
 * min(RCV.BUFF/2, Eff.snd.MSS)). Before this, a buffered connection ACKed every byte it was
 * sent and dropped what did not fit its 4096-byte buffer: the test of 8000 bytes failed.
 * Fixture: tcp_fixture.h; the host makes the active open (no TCP options, so no scaling).
 */
#include "tests/unit/tcp_fixture.h"

#include "sim/tcp_int.h"

#define PISN 5000000u          /* the peer's ISN */

static uint8_t pattern(uint32_t i) { return (uint8_t)(i * 7 + 3); }

/* The host opens a buffered connection to PEER:80 and the peer answers (window 65535, no
 * options): returns the connection id; *iss our ISN, *sport our port. */
static int open_buffered(uint32_t *iss, uint16_t *sport)
{
    int id = active_open(iss, sport);
    assert_int_equal(tcp_buffer(F.th, id), 0);
    struct wire_tcp sa = seg_mk(80, *sport, TCP_SYN | TCP_ACK, PISN, *iss + 1);
    const struct wire_tcp *a = feed(&sa);
    assert_non_null(a);
    assert_int_equal(a->flags, TCP_ACK);
    assert_int_equal(a->window, TCP_SB_RCV);   /* the buffer, not the SYN's 64240 */
    return id;
}

/* The peer sends len bytes of the pattern from stream offset off; returns the host's
 * answer (NULL: none). */
static const struct wire_tcp *peer_data(uint16_t sport, uint32_t iss, uint32_t off,
                                        uint32_t len)
{
    static uint8_t buf[2048];
    assert_true(len <= sizeof buf);
    for (uint32_t i = 0; i < len; i++)
        buf[i] = pattern(off + i);
    struct wire_tcp d = seg_mk(80, sport, TCP_ACK | TCP_PSH, PISN + 1 + off, iss + 1);
    d.payload = buf;
    d.payload_len = (uint16_t)len;
    return feed(&d);
}

/* Reads what the host has and checks it is the pattern from off on; returns the count. */
static uint32_t read_check(int id, uint32_t off)
{
    uint8_t buf[8192];
    bool eof;
    int n = tcp_read(F.th, &F.io, id, buf, sizeof buf, &eof);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(buf[i], pattern(off + (uint32_t)i));
    return (uint32_t)n;
}

static void test_full_buffer_zero_window(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = open_buffered(&iss, &sport);
    /* 8000 bytes in 1000-byte segments to a reader that reads nothing */
    uint32_t acked = 0;
    uint16_t last_win = 0;
    for (uint32_t off = 0; off < 8000; off += 1000) {
        const struct wire_tcp *a = peer_data(sport, iss, off, 1000);
        assert_non_null(a);                        /* every segment is answered */
        assert_int_equal(a->flags, TCP_ACK);
        acked = a->ack - (PISN + 1);
        last_win = a->window;
        assert_true(acked <= TCP_SB_RCV);          /* never more than the buffer holds */
        assert_int_equal(a->window, TCP_SB_RCV - acked);
    }
    assert_int_equal(acked, TCP_SB_RCV);
    assert_int_equal(last_win, 0);                 /* full: a zero window */
    assert_string_equal(F.v.rule_id, "rfc793-3.4-case3");   /* past the (zero) window */
    /* at RCV.NXT with the window zero: not acceptable, an ACK with window 0 */
    const struct wire_tcp *z = peer_data(sport, iss, TCP_SB_RCV, 1000);
    assert_non_null(z);
    assert_int_equal(z->window, 0);
    assert_int_equal(z->ack, PISN + 1 + TCP_SB_RCV);
    assert_string_equal(F.v.rule_id, "rfc9293-3.10.7.4-zero-window");

    /* reading opens the window: a window update, the whole buffer */
    int mark = F.r.n;
    assert_int_equal(read_check(id, 0), TCP_SB_RCV);
    assert_int_equal(sent_since(mark), 1);
    const struct wire_tcp *u = &F.r.seg[F.r.n - 1];
    assert_int_equal(u->flags, TCP_ACK);
    assert_int_equal(u->ack, PISN + 1 + TCP_SB_RCV);
    assert_int_equal(u->window, TCP_SB_RCV);
    /* the peer sends the rest again; all of it arrives */
    for (uint32_t off = TCP_SB_RCV; off < 8000; off += 1000) {
        uint32_t len = 8000 - off < 1000 ? 8000 - off : 1000;
        const struct wire_tcp *a = peer_data(sport, iss, off, len);
        assert_non_null(a);
        assert_int_equal(a->ack, PISN + 1 + off + len);
    }
    assert_int_equal(read_check(id, TCP_SB_RCV), 8000 - TCP_SB_RCV);
}

/* A segment that straddles the free space: the part that fits is taken, the rest trimmed. */
static void test_trim_and_sws(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = open_buffered(&iss, &sport);
    for (uint32_t off = 0; off < 3000; off += 1000)
        peer_data(sport, iss, off, 1000);
    const struct wire_tcp *a = peer_data(sport, iss, 3000, 1500);
    assert_non_null(a);
    assert_int_equal(a->ack, PISN + 1 + TCP_SB_RCV);       /* 1096 of the 1500 */
    assert_int_equal(a->window, 0);
    assert_string_equal(F.v.rule_id, "rfc9293-3.10.7.4-trim");
    /* reading 400 bytes frees less than min(RCV.BUFF/2, MSS) = min(2048, 536) (no MSS
     * option: 536): no update (receiver SWS avoidance) */
    uint8_t buf[1000];
    bool eof;
    int mark = F.r.n;
    assert_int_equal(tcp_read(F.th, &F.io, id, buf, 400, &eof), 400);
    assert_int_equal(sent_since(mark), 0);
    /* 1000 more make 1400 free: the update offers them */
    assert_int_equal(tcp_read(F.th, &F.io, id, buf, sizeof buf, &eof), 1000);
    assert_int_equal(sent_since(mark), 1);
    assert_int_equal(F.r.seg[F.r.n - 1].window, 1400);
    assert_int_equal(F.r.seg[F.r.n - 1].ack, PISN + 1 + TCP_SB_RCV);
}

/* The sender keeps within the peer's window: nothing past a zero window, and what was held
 * back goes when the window opens. */
static void test_sender_respects_window(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = open_buffered(&iss, &sport);
    struct wire_tcp z = seg_mk(80, sport, TCP_ACK, PISN + 1, iss + 1);
    z.window = 0;
    feed(&z);
    static uint8_t data[3000];
    int mark = F.r.n;
    assert_int_equal(tcp_write(F.th, &F.io, id, data, sizeof data), 3000);
    assert_int_equal(sent_since(mark), 0);              /* the peer's window is zero */
    struct wire_tcp w = seg_mk(80, sport, TCP_ACK, PISN + 1, iss + 1);
    w.window = 1200;
    mark = F.r.n;
    feed(&w);
    uint32_t sent = 0;
    for (int i = mark; i < F.r.n; i++)
        sent += F.r.seg[i].payload_len;
    assert_int_equal(sent, 1200);                       /* the window, no more */
    struct wire_tcp a = seg_mk(80, sport, TCP_ACK, PISN + 1, iss + 1 + 1200);
    a.window = 4000;
    mark = F.r.n;
    feed(&a);
    sent = 0;
    for (int i = mark; i < F.r.n; i++)
        sent += F.r.seg[i].payload_len;
    assert_int_equal(sent, 1800);                       /* the rest */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_full_buffer_zero_window),
        T(test_trim_and_sws),
        T(test_sender_respects_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
