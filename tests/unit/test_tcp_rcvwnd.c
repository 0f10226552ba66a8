/* test_tcp_rcvwnd.c — the receive window of a buffered connection (sim/tcp_out.c
 * tcp_rcv_window, sim/tcp_in.c's trim, tcp_read's window update) and the sender's respect
 * of the peer's window (tcp_output) and its zero-window probes (tcp_in.c's persist timer).
 *
 * RFC 9293 3.8.6: the window offered is the free receive buffer; text past
 * RCV.NXT + RCV.WND is not acceptable (3.10.7.4: trimmed, an ACK sent); when the application
 * reads, the window opens and an update goes out (3.8.6.2.2, by at least
 * min(RCV.BUFF/2, Eff.snd.MSS)); a sender behind a zero window probes it (3.8.6.1, the
 * persist timer as Linux's tcp_probe_timer). Before this, a buffered connection ACKed every byte it was
 * sent and dropped what did not fit its 4096-byte buffer: the test of 8000 bytes failed.
 * These four run on a stack that is not Linux (the fixture's Linux preset with linux_stack
 * off: a 4096-byte buffer, RFC 9293's SWS rule). Linux's own window (tcp_rmem[1], never
 * shrinking to the buffer left, zero only once the space is used up) is tested after them.
 * Fixture: tcp_fixture.h; the host makes the active open (no TCP options, so no scaling).
 */
#include "tests/unit/tcp_fixture.h"

#include "sim/tcp_int.h"
#include "sim/tcp_inspect.h"

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

/* The generic (RFC 9293) receive buffer of the presets that are not Linux. */
static void fx_start_generic(void)
{
    F.p.linux_stack = false;
    fx_start();
}

static void test_full_buffer_zero_window(void **state)
{
    (void)state;
    fx_start_generic();
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
    fx_start_generic();
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
    fx_start_generic();
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

/* Behind a zero window with data waiting and nothing in flight, the persist timer probes
 * (Linux tcp_probe_timer, tcp_send_probe0: an ACK with SEQ=SND.UNA-1, no data) at the RTO,
 * doubling; an answer keeps it probing; the window opening sends the data. */
static void test_zero_window_probe(void **state)
{
    (void)state;
    fx_start_generic();
    uint32_t iss;
    uint16_t sport;
    int id = open_buffered(&iss, &sport);
    struct wire_tcp z = seg_mk(80, sport, TCP_ACK, PISN + 1, iss + 1);
    z.window = 0;
    feed(&z);
    static uint8_t data[1000];
    int mark = F.r.n;
    assert_int_equal(tcp_write(F.th, &F.io, id, data, sizeof data), 1000);
    assert_int_equal(sent_since(mark), 0);
    run_until(999 * MS);
    assert_int_equal(sent_since(mark), 0);
    run_until(1000 * MS);                               /* the first probe at the RTO */
    assert_int_equal(sent_since(mark), 1);
    const struct wire_tcp *p = &F.r.seg[F.r.n - 1];
    assert_int_equal(p->flags, TCP_ACK);
    assert_int_equal(p->seq, iss);                      /* SND.UNA - 1 */
    assert_int_equal(p->payload_len, 0);
    assert_string_equal(F.v.rule_id, "linux-probe0");
    feed(&z);                                           /* answered: still zero */
    run_until(2999 * MS);
    assert_int_equal(sent_since(mark), 1);
    run_until(3000 * MS);                               /* the next, 2 s later */
    assert_int_equal(sent_since(mark), 2);
    assert_int_equal(F.r.seg[F.r.n - 1].seq, iss);
    struct wire_tcp w = seg_mk(80, sport, TCP_ACK, PISN + 1, iss + 1);
    w.window = 4000;
    feed(&w);                                           /* the window opens: the data */
    assert_int_equal(sent_since(mark), 4);               /* 536 + 464 (MSS 536) */
    assert_int_equal(F.r.seg[mark + 2].seq, iss + 1);
    assert_int_equal(F.r.seg[mark + 2].payload_len + F.r.seg[mark + 3].payload_len, 1000);
}

/* Linux: the window after the handshake is the SYN's (64240: tcp_rmem[1] = 131072 at the
 * default scaling ratio 1/2, rounded to the MSS), not a 4 KiB buffer's; data an application
 * reads at once leaves it where it was. */
static void test_linux_window_reader(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = active_open(&iss, &sport);
    assert_int_equal(tcp_buffer(F.th, id), 0);
    struct wire_tcp sa = seg_mk(80, sport, TCP_SYN | TCP_ACK, PISN, iss + 1);
    const struct wire_tcp *a = feed(&sa);
    assert_non_null(a);
    assert_int_equal(a->window, 64240);
    for (uint32_t off = 0; off < 64000; off += 1000) {
        a = peer_data(sport, iss, off, 1000);
        assert_non_null(a);
        assert_int_equal(a->ack, PISN + 1 + off + 1000);
        assert_true(a->window >= 64240 - 1460);   /* one MSS of rounding, never 4 KiB */
        assert_int_equal(read_check(id, off), 1000);
    }
}

/* Linux, an application that never reads: the window shrinks as the unread bytes take the
 * window space (its right edge never moving back), then is 0; nothing accepted is lost; a byte into the zero window gets an
 * ACK with window 0 and is not taken (tcp_data_queue); reading it all opens the window with
 * an update (tcp_cleanup_rbuf). */
static void test_linux_window_fills(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = active_open(&iss, &sport);
    assert_int_equal(tcp_buffer(F.th, id), 0);
    struct wire_tcp sa = seg_mk(80, sport, TCP_SYN | TCP_ACK, PISN, iss + 1);
    feed(&sa);
    uint32_t off = 0, win = 64240, first = 0, edge = 64240;
    while (win) {
        uint32_t len = win < 1460 ? win : 1460;
        const struct wire_tcp *a = peer_data(sport, iss, off, len);
        assert_non_null(a);
        assert_int_equal(a->ack, PISN + 1 + off + len);   /* all of it taken */
        off += len;
        win = a->window;
        assert_true(off + win >= edge);                    /* the right edge never retreats */
        edge = off + win;
        if (!first)
            first = win;
        assert_true(off < TCP_LIN_RMEM);
    }
    assert_true(first >= 64240 - 1460);
    assert_true(off >= TCP_LIN_SPACE0);     /* at least the window space before it closed */
    const struct wire_tcp *z = peer_data(sport, iss, off, 1);
    assert_non_null(z);
    assert_int_equal(z->window, 0);
    assert_int_equal(z->ack, PISN + 1 + off);
    assert_string_equal(F.v.rule_id, "rfc9293-3.10.7.4-zero-window");
    int mark = F.r.n;
    uint32_t got = 0;
    while (got < off)
        got += read_check(id, got);
    assert_int_equal(got, off);
    assert_int_equal(sent_since(mark) >= 1, 1);       /* the update(s) */
    assert_true(F.r.seg[F.r.n - 1].window > 0);
    /* the next byte is taken, and the ACK offers the whole window again */
    const struct wire_tcp *n = peer_data(sport, iss, off, 1);
    assert_non_null(n);
    assert_int_equal(n->ack, PISN + 1 + off + 1);
    assert_true(n->window >= 64240 - 1460);
}

/* A clone (sim_clone, the TUI's what-if) copies a connection's unread bytes, its storage
 * grown past the first 4 KiB: the clone reads the same bytes, the original keeps its own. */
static void test_linux_clone_buffer(void **state)
{
    (void)state;
    fx_start();
    uint32_t iss;
    uint16_t sport;
    int id = active_open(&iss, &sport);
    assert_int_equal(tcp_buffer(F.th, id), 0);
    struct wire_tcp sa = seg_mk(80, sport, TCP_SYN | TCP_ACK, PISN, iss + 1);
    feed(&sa);
    for (uint32_t off = 0; off < 20000; off += 1000)
        assert_non_null(peer_data(sport, iss, off, 1000));
    struct tcp_host *orig = F.th;
    struct tcp_host *copy = tcp_host_clone(orig);
    assert_non_null(copy);
    F.th = copy;
    uint32_t got = 0;
    while (got < 20000)
        got += read_check(id, got);
    F.th = orig;                     /* the original still holds all 20000 */
    got = 0;
    while (got < 20000)
        got += read_check(id, got);
    assert_int_equal(got, 20000);
    tcp_host_free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_full_buffer_zero_window),
        T(test_trim_and_sws),
        T(test_sender_respects_window),
        T(test_zero_window_probe),
        T(test_linux_window_reader),
        T(test_linux_window_fills),
        T(test_linux_clone_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
