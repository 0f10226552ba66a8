/* test_tcp_timers.c — sim/tcp_timer.c in list mode (tcp_io.timer_at): the host's timer
 * entries fire in (time, key) order, one entry per host, as the simulator's queue runs them.
 * Fixture: tcp_fixture.h.
 */
#include "tests/unit/tcp_fixture.h"

/* ---------------------------------------------------------------- timer lists */

/* list mode (tcp_io.timer_at): a tiny engine holding the host's entries, ordered by
 * (time, key), keys drawn in arm order as the simulator's queue draws them. */
enum { LQ_MAX = 256, FIRED_MAX = 64 };

struct lq {
    struct rec r;              /* first: rec_emit casts the shared ctx to struct rec */
    uint64_t nextkey;
    int n;
    uint64_t t[LQ_MAX], key[LQ_MAX], tok[LQ_MAX];
};

static struct lq LQ;

static uint64_t lq_key(void *ctx)
{
    return ((struct lq *)ctx)->nextkey++;
}

static void lq_at(void *ctx, uint64_t t, uint64_t key, uint64_t token)
{
    struct lq *q = ctx;
    assert_true(q->n < LQ_MAX);
    q->t[q->n] = t;
    q->key[q->n] = key;
    q->tok[q->n] = token;
    q->n++;
}

/* per-timer mode entries also take a key at arm time, so both modes order ties alike */
static void lq_timer(void *ctx, uint64_t t, uint64_t token)
{
    lq_at(ctx, t, lq_key(ctx), token);
}

struct fired {
    int n;
    uint64_t t[FIRED_MAX];
    const char *action[FIRED_MAX];
    int before[FIRED_MAX], after[FIRED_MAX];
};

/* Pops every entry due by `until`, earliest (time, key) first, and logs each timer that
 * did something. list: through tcp_timer_due; else through tcp_timer. */
static void lq_run(bool list, uint64_t until, struct fired *log)
{
    for (;;) {
        int b = -1;
        for (int i = 0; i < LQ.n; i++)
            if (LQ.t[i] <= until && (b < 0 || LQ.t[i] < LQ.t[b] ||
                                     (LQ.t[i] == LQ.t[b] && LQ.key[i] < LQ.key[b])))
                b = i;
        if (b < 0)
            break;
        uint64_t t = LQ.t[b], tok = LQ.tok[b];
        LQ.n--;
        LQ.t[b] = LQ.t[LQ.n];
        LQ.key[b] = LQ.key[LQ.n];
        LQ.tok[b] = LQ.tok[LQ.n];
        F.io.now_ns = t;
        bool did;
        if (list) {
            did = tcp_timer_due(F.th, &F.io, tok, &F.v);
        } else {
            tcp_timer(F.th, &F.io, tok, &F.v);
            did = F.v.action != NULL;
        }
        if (did) {
            assert_non_null(F.v.action);
            assert_true(log->n < FIRED_MAX);
            log->t[log->n] = t;
            log->action[log->n] = F.v.action;
            log->before[log->n] = F.v.state_before;
            log->after[log->n] = F.v.state_after;
            log->n++;
        }
    }
    F.io.now_ns = until;
}

static void lq_feed_at(uint64_t t, struct wire_tcp s)
{
    F.io.now_ns = t;
    feed(&s);
}

/* Two half-open connections, one completed and closed (its FIN retransmitted), an active
 * open taken to TIME-WAIT: timers armed, re-armed, stopped and freed across connections and
 * across both lists (retransmissions; TIME-WAIT and FIN-WAIT-2). */
static void lq_script(bool list, struct fired *log)
{
    memset(&LQ, 0, sizeof LQ);
    memset(log, 0, sizeof *log);
    F.th = tcp_host_new(&F.p, ME, &F.listen, 42, "me");
    assert_non_null(F.th);
    F.io = (struct tcp_io){ .ctx = &LQ, .emit = rec_emit };
    if (list) {
        F.io.timer_key = lq_key;
        F.io.timer_at = lq_at;
    } else {
        F.io.timer = lq_timer;
    }
    /* A: SYN at 0 (SYN-ACK timer 1 s), completed at 0.5 s (stopped); the peer's FIN at
     * 0.6 s -> our FIN, LAST-ACK, retransmission timer 1.6 s. B: SYN at 0.2 s, never
     * completed: SYN-ACKs at 1.2, 3.2, 7.2, 15.2, 31.2 s, dropped at 63.2 s. */
    lq_feed_at(0, seg_mk(1000, 80, TCP_SYN, 500, 0));
    uint32_t isn_a = LQ.r.seg[LQ.r.n - 1].seq;
    lq_feed_at(200 * MS, seg_mk(1001, 80, TCP_SYN, 700, 0));
    lq_run(list, 500 * MS, log);
    lq_feed_at(500 * MS, seg_mk(1000, 80, TCP_ACK, 501, isn_a + 1));
    assert_int_equal(F.v.state_after, TCP_ESTABLISHED);
    lq_run(list, 600 * MS, log);
    lq_feed_at(600 * MS, seg_mk(1000, 80, TCP_FIN | TCP_ACK, 501, isn_a + 1));
    assert_int_equal(F.v.state_after, TCP_LAST_ACK);
    lq_run(list, 5 * SEC, log);
    /* A's FIN acknowledged at 5 s: A is freed with its timer (due 7.6 s) armed. */
    lq_feed_at(5 * SEC, seg_mk(1000, 80, TCP_ACK, 502, isn_a + 2));
    assert_int_equal(F.v.state_after, TCP_CLOSED);
    /* C: active open at 5 s (SYN timer 6 s), SYN-ACK at 5.1 s, close (FIN timer 6.1 s),
     * the peer's ACK+FIN at 5.2 s: FIN-WAIT-2 timer, then TIME-WAIT, 60 s: 65.2 s. */
    int id = tcp_connect(F.th, &F.io, PEER, 22, 0);
    assert_true(id >= 0);
    uint32_t iss_c = LQ.r.seg[LQ.r.n - 1].seq;
    uint16_t sp = LQ.r.seg[LQ.r.n - 1].sport;
    lq_run(list, 5100 * MS, log);
    struct wire_tcp sa = seg_mk(22, sp, TCP_SYN | TCP_ACK, 9000, iss_c + 1);
    lq_feed_at(5100 * MS, sa);
    assert_int_equal(tcp_close(F.th, &F.io, id), 0);
    lq_run(list, 5200 * MS, log);
    lq_feed_at(5200 * MS, seg_mk(22, sp, TCP_FIN | TCP_ACK, 9001, iss_c + 2));
    assert_int_equal(F.v.state_after, TCP_TIME_WAIT);
    lq_run(list, 100 * SEC, log);
    assert_int_equal(tcp_conn_state(F.th, id), TCP_CLOSED);
    tcp_host_free(F.th);
    F.th = NULL;
}

static void test_timer_lists_order(void **state)
{
    (void)state;
    struct fired per, lst;
    lq_script(false, &per);
    lq_script(true, &lst);
    static const struct { uint64_t ms; const char *action; int before, after; } want[] = {
        { 1200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 1600, "retransmit", TCP_LAST_ACK, TCP_LAST_ACK },
        { 3200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 3600, "retransmit", TCP_LAST_ACK, TCP_LAST_ACK },
        { 7200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 15200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 31200, "SYN-ACK", TCP_SYN_RECEIVED, TCP_SYN_RECEIVED },
        { 63200, "drop", TCP_SYN_RECEIVED, TCP_LISTEN },   /* RFC 793 3.9: back to LISTEN */
        { 65200, "close", TCP_TIME_WAIT, TCP_CLOSED },
    };
    size_t nw = sizeof want / sizeof want[0];
    assert_int_equal(lst.n, nw);
    assert_int_equal(per.n, nw);
    for (size_t i = 0; i < nw; i++) {
        assert_int_equal(lst.t[i], want[i].ms * MS);
        assert_string_equal(lst.action[i], want[i].action);
        assert_int_equal(lst.before[i], want[i].before);
        assert_int_equal(lst.after[i], want[i].after);
        /* one entry per timer, the other mode, fires the same timers at the same times */
        assert_int_equal(per.t[i], lst.t[i]);
        assert_string_equal(per.action[i], lst.action[i]);
        assert_int_equal(per.after[i], lst.after[i]);
    }
}

/* List mode asks the engine for the earliest listed timer only: at most one live entry per
 * host, and a stopped timer's stale entry fires nothing and passes the turn on. */
static void test_timer_lists_one_entry(void **state)
{
    (void)state;
    memset(&LQ, 0, sizeof LQ);
    F.th = tcp_host_new(&F.p, ME, &F.listen, 42, "me");
    assert_non_null(F.th);
    F.io = (struct tcp_io){ .ctx = &LQ, .emit = rec_emit, .timer_key = lq_key,
                            .timer_at = lq_at };
    /* three half-open TCBs at 0, 0.1, 0.2 s: one entry, for the first (1 s) */
    for (int k = 0; k < 3; k++)
        lq_feed_at((uint64_t)k * 100 * MS, seg_mk((uint16_t)(2000 + k), 80, TCP_SYN, 100, 0));
    assert_int_equal(LQ.n, 1);
    assert_int_equal(LQ.t[0], 1 * SEC);
    /* the first is reset (its timer leaves the list); the entry stays, stale */
    lq_feed_at(300 * MS, seg_mk(2000, 80, TCP_RST, 101, 0));
    assert_int_equal(F.v.state_after, TCP_LISTEN);
    assert_int_equal(LQ.n, 1);
    struct fired log;
    memset(&log, 0, sizeof log);
    /* at 1 s the stale entry fires nothing and asks for the next timer: 1.1 s */
    lq_run(true, 1 * SEC, &log);
    assert_int_equal(log.n, 0);
    assert_int_equal(LQ.n, 1);
    assert_int_equal(LQ.t[0], 1100 * MS);
    /* 1.1 s and 1.2 s: SYN-ACK retransmissions, re-armed at 3.1 and 3.2 s */
    lq_run(true, 1200 * MS, &log);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.t[0], 1100 * MS);
    assert_int_equal(log.t[1], 1200 * MS);
    assert_string_equal(log.action[1], "SYN-ACK");
    assert_int_equal(LQ.n, 1);
    assert_int_equal(LQ.t[0], 3100 * MS);
    tcp_host_free(F.th);
    F.th = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_timer_lists_order),
        T(test_timer_lists_one_entry),
    };
    return cmocka_run_group_tests_name("tcp_timers", tests, NULL, NULL);
}
