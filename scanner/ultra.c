/* ultra.c — nmap's ultra_scan loop for one host group (see ultra.h; nmap scan_engine.cc:
 * doAnyPings, doAnyOutstandingRetransmits, doAnyNewProbes, waitForResponses, processData,
 * allowedTryno, ultrascan_adjust_timing, boostScanDelay; docs/facts/nmap.md sections 1 and 6).
 *
 * Each turn: time probes out (retransmit while the try number is allowed; at the cap give up
 * at once; else keep the probe for late replies, then on the bench until the cap rises or
 * cannot), send timing pings, then what the windows, scan delay and rates allow
 * (retransmissions first, hosts round robin), then wait in pktio_recv until the next thing
 * that can happen. Probes of a host are kept in intrusive lists threaded through the slot
 * array, in send order, so the oldest probe times out first and nothing is allocated per
 * probe.
 */
#include "scanner/ultra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "scanner/cookie.h"

/* nmap's perf.pingtime (1.25 s) and ping_magnifier (a ping reply counts as 3). */
#define ULTRA_PINGTIME TIMING_MS(1250)
#define ULTRA_PING_MAGNIFIER 3.0

static struct ultra_list_head *ultra_list(struct ultra_host *h, uint8_t which)
{
    switch (which) {
    case UL_INFLIGHT: return &h->l_inflight;
    case UL_RETRANS: return &h->l_retrans;
    case UL_LATE: return &h->l_late;
    case UL_BENCH: return &h->l_bench;
    default: return NULL;
    }
}

static void ultra_push(struct ultra *u, uint32_t s, uint8_t which)
{
    struct ultra_host *h = &u->hosts[ultra_host_of(u, s)];
    struct ultra_list_head *l = ultra_list(h, which);
    struct ultra_slot *sl = &u->slots[s];
    sl->list = which;
    sl->next = -1;
    sl->prev = l->tail;
    if (l->tail >= 0)
        u->slots[l->tail].next = (int32_t)s;
    else
        l->head = (int32_t)s;
    l->tail = (int32_t)s;
    if (which == UL_INFLIGHT) {
        h->inflight++;
        u->ginflight++;
    }
}

static void ultra_unlink(struct ultra *u, uint32_t s)
{
    struct ultra_slot *sl = &u->slots[s];
    if (sl->list == UL_NONE)
        return;
    struct ultra_host *h = &u->hosts[ultra_host_of(u, s)];
    struct ultra_list_head *l = ultra_list(h, sl->list);
    if (sl->prev >= 0)
        u->slots[sl->prev].next = sl->next;
    else
        l->head = sl->next;
    if (sl->next >= 0)
        u->slots[sl->next].prev = sl->prev;
    else
        l->tail = sl->prev;
    if (sl->list == UL_INFLIGHT) {
        h->inflight--;
        u->ginflight--;
    }
    sl->list = UL_NONE;
    sl->next = sl->prev = -1;
}

int ultra_init(struct ultra *u, const struct scan_perf *p, struct pktio *io,
               const struct scan_config *cfg, struct timing_rate *rate, size_t nhosts,
               size_t per_host, const uint32_t *addrs, const struct timing_rtt *init_rtt)
{
    memset(u, 0, sizeof *u);
    u->perf = p;
    u->io = io;
    u->cfg = cfg;
    u->rate = rate;
    u->nhosts = nhosts;
    u->per_host = per_host;
    u->total_probes = nhosts * per_host;
    u->nleft = u->total_probes;
    u->hosts = calloc(nhosts ? nhosts : 1, sizeof *u->hosts);
    u->slots = calloc(u->total_probes ? u->total_probes : 1, sizeof *u->slots);
    u->ping_hosts = malloc((nhosts ? nhosts : 1) * sizeof *u->ping_hosts);
    u->ping_recs = calloc((nhosts ? nhosts : 1) * ULTRA_PING_TRIES, sizeof *u->ping_recs);
    if (!u->hosts || !u->slots || !u->ping_hosts || !u->ping_recs) {
        ultra_free(u);
        return -1;
    }
    timing_cc_init(&u->gcc, p, 0);
    timing_rtt_init(&u->grtt, p);
    for (size_t i = 0; i < nhosts; i++) {
        struct ultra_host *h = &u->hosts[i];
        timing_rtt_init(&h->rtt, p);
        if (init_rtt && init_rtt[i].have_sample)
            h->rtt = init_rtt[i];
        timing_cc_init(&h->cc, p, 0);
        h->nleft = (uint32_t)per_host;
        h->l_inflight = h->l_retrans = h->l_late = h->l_bench =
            (struct ultra_list_head){ -1, -1 };
        h->send_delay = p->scan_delay;
        h->ping_slot = -1;
        h->pings = &u->ping_recs[i * ULTRA_PING_TRIES];
        h->addr = addrs ? addrs[i] : 0;
    }
    for (size_t s = 0; s < u->total_probes; s++)
        u->slots[s].next = u->slots[s].prev = -1;
    return 0;
}

void ultra_free(struct ultra *u)
{
    free(u->hosts);
    free(u->slots);
    free(u->ping_hosts);
    free(u->ping_recs);
    u->ping_recs = NULL;
    u->hosts = NULL;
    u->slots = NULL;
    u->ping_hosts = NULL;
}

uint64_t ultra_host_timeout(const struct ultra *u, uint32_t host)
{
    const struct ultra_host *h = &u->hosts[host];
    if (h->rtt.have_sample || !u->grtt.have_sample)
        return h->rtt.timeout;
    return u->grtt.timeout;
}

/* nmap's allowedTryno: a slot may be retransmitted while its try number is below this. */
static uint8_t ultra_allowed_tryno(const struct ultra *u, const struct ultra_host *h,
                                   bool *capped)
{
    int a = h->max_succ_tryno + 1;
    if (a < 1)
        a = 1;
    *capped = false;
    if (a > u->perf->max_retries) {
        a = u->perf->max_retries;
        *capped = true;
    }
    if (a > ULTRA_PING_TRY0 - 1)   /* the tries above carry timing pings */
        a = ULTRA_PING_TRY0 - 1;
    return (uint8_t)a;
}

/* Moves a ping record to `state`, keeping the host's ping counts and the in-flight totals. */
static void ultra_ping_set(struct ultra *u, struct ultra_host *h, struct ultra_ping *pg,
                           uint8_t state)
{
    if (pg->state == UP_INFLIGHT) {
        h->pings_out--;
        h->inflight--;
        u->ginflight--;
    }
    if (pg->state != UP_FREE)
        h->pings_live--;
    pg->state = state;
    if (state == UP_INFLIGHT) {
        h->pings_out++;
        h->inflight++;
        u->ginflight++;
    }
    if (state != UP_FREE)
        h->pings_live++;
}

void ultra_finish(struct ultra *u, uint32_t s, uint64_t t)
{
    struct ultra_slot *sl = &u->slots[s];
    if (sl->done)
        return;
    ultra_unlink(u, s);
    sl->done = true;
    u->nleft--;
    struct ultra_host *h = &u->hosts[ultra_host_of(u, s)];
    if (--h->nleft != 0)
        return;
    h->done_ns = t;
    /* nmap would let an outstanding ping time out first; a finished host has nothing left
     * for it to pace, so it is simply forgotten. */
    for (int k = 0; h->pings_live && k < ULTRA_PING_TRIES; k++)
        ultra_ping_set(u, h, &h->pings[k], UP_FREE);
}

void ultra_finish_host(struct ultra *u, uint32_t host, uint64_t t)
{
    size_t first = host * u->per_host;
    for (size_t i = 0; i < u->per_host; i++)
        ultra_finish(u, (uint32_t)(first + i), t);
    u->hosts[host].next_new = (uint32_t)u->per_host;
}

static void ultra_log(const struct ultra *u, const char *line)
{
    if (u->cfg && u->cfg->log)
        u->cfg->log(u->cfg->log_ctx, line);
}

/* The last allowed try went unanswered: the job records the scan's default state. nmap
 * warns (once per host, whatever the verbosity) when the cap, not the evidence, ends it;
 * a benched probe dismissed later gets no warning (nmap's dismissBench). */
static void ultra_give_up(struct ultra *u, const struct ultra_job *job, uint32_t s, uint64_t now,
                          bool warn)
{
    struct ultra_host *h = &u->hosts[ultra_host_of(u, s)];
    bool capped;
    ultra_allowed_tryno(u, h, &capped);
    if (warn && capped && !h->cap_warned) {
        /* "Warning: %s giving up on port because retransmission cap hit (%d).", put
         * together without snprintf: with --max-retries 0, every silent host of a /8 says
         * it, and nmap too prints it once per host. */
        static const char head[] = "Warning: ", tail[] = " giving up on port because "
                                                         "retransmission cap hit (";
        char ip[16], num[4], line[128];
        size_t n = 0, ln = strlen(wire_ip_str(h->addr, ip));
        memcpy(line + n, head, sizeof head - 1), n += sizeof head - 1;
        memcpy(line + n, ip, ln), n += ln;
        memcpy(line + n, tail, sizeof tail - 1), n += sizeof tail - 1;
        unsigned t = u->slots[s].tryno, nd = 0;
        do
            num[nd++] = (char)('0' + t % 10);
        while ((t /= 10) > 0);
        while (nd > 0)
            line[n++] = num[--nd];
        memcpy(line + n, ").", 3);
        ultra_log(u, line);
        h->cap_warned = true;
    }
    job->silent(job->ctx, u, s);
    u->slots[s].given_up = true;
    ultra_finish(u, s, now);
}

/* nmap's probeExpireTime: a timed-out probe still accepts its reply for 10 * min(1 s, to)
 * after it was sent. */
static uint64_t ultra_late_window(uint64_t to)
{
    return to < TIMING_S(1) ? 10 * to : TIMING_S(10);
}

static bool ultra_host_idle(const struct ultra *u, const struct ultra_host *h)
{
    return h->inflight == 0 && h->l_retrans.head < 0 && h->next_new >= u->per_host;
}

static void ultra_drop(struct ultra *u, struct ultra_host *h, uint64_t sent, uint64_t now);
static void ultra_sd_count(struct ultra *u, struct ultra_host *h, bool drop, bool reply,
                           uint64_t sent, uint64_t now);

/* A ping unanswered within the timeout is a drop (nmap's markProbeTimedout on a ping); it
 * still accepts its reply until its late window ends. */
static void ultra_ping_timeouts(struct ultra *u, struct ultra_host *h, uint64_t to, uint64_t now)
{
    for (int k = 0; h->pings_live && k < ULTRA_PING_TRIES; k++) {
        struct ultra_ping *pg = &h->pings[k];
        if (pg->state == UP_TIMEDOUT && now >= pg->sent_ns + ultra_late_window(to))
            ultra_ping_set(u, h, pg, UP_FREE);
        if (pg->state != UP_INFLIGHT || now < pg->sent_ns + to)
            continue;
        ultra_ping_set(u, h, pg, UP_TIMEDOUT);
        ultra_drop(u, h, pg->sent_ns, now);
        ultra_sd_count(u, h, true, false, pg->sent_ns, now);
    }
}

static void ultra_check_timeouts(struct ultra *u, const struct ultra_job *job, uint64_t now)
{
    for (size_t i = 0; i < u->nhosts; i++) {
        struct ultra_host *h = &u->hosts[i];
        if (h->nleft == 0)
            continue;
        uint64_t to = ultra_host_timeout(u, (uint32_t)i);
        ultra_ping_timeouts(u, h, to, now);
        while (h->l_inflight.head >= 0) {
            uint32_t s = (uint32_t)h->l_inflight.head;
            struct ultra_slot *sl = &u->slots[s];
            if (now < sl->sent_ns + to)
                break;
            ultra_unlink(u, s);
            if (job->timedout)
                job->timedout(job->ctx, u, s);
            bool capped;
            if (sl->tryno < ultra_allowed_tryno(u, h, &capped)) {
                ultra_push(u, s, UL_RETRANS);
            } else if (capped) {
                /* The cap never rises: nmap gives up at once, without a late window. */
                ultra_give_up(u, job, s, now, true);
            } else {
                sl->expire_ns = sl->sent_ns + ultra_late_window(to);
                ultra_push(u, s, UL_LATE);
            }
        }
        /* A late window ended: the probe is forgotten, but the port waits on the bench in
         * case a reply to another retransmission raises the cap (nmap's moveProbeToBench). */
        while (h->l_late.head >= 0 && now >= u->slots[h->l_late.head].expire_ns) {
            uint32_t s = (uint32_t)h->l_late.head;
            ultra_unlink(u, s);
            ultra_push(u, s, UL_BENCH);
        }
        /* Nothing can raise the cap any more (capped, or nothing else to send or wait for):
         * the remaining unanswered probes are final now (nmap's !tryno_mayincrease). */
        bool capped;
        ultra_allowed_tryno(u, h, &capped);
        if (capped || ultra_host_idle(u, h)) {
            while (h->l_late.head >= 0)
                ultra_give_up(u, job, (uint32_t)h->l_late.head, now, true);
            while (h->l_bench.head >= 0)
                ultra_give_up(u, job, (uint32_t)h->l_bench.head, now, false);
        }
    }
}

static int ultra_send_slot(struct ultra *u, const struct ultra_job *job, uint32_t s,
                           uint8_t tryno, uint64_t now)
{
    if (job->send(job->ctx, u, s, tryno) < 0)
        return -1;
    struct ultra_slot *sl = &u->slots[s];
    struct ultra_host *h = &u->hosts[ultra_host_of(u, s)];
    sl->tryno = tryno;
    sl->prev_sent_ns = sl->sent ? sl->sent_ns : now;
    sl->sent = true;
    sl->sent_ns = now;
    ultra_push(u, s, UL_INFLIGHT);
    h->nprobes++;
    h->cc.replies_expected++;
    u->gcc.replies_expected++;
    if (!h->any_sent)
        h->first_send_ns = now;
    h->any_sent = true;
    h->last_send = now;
    u->probes_sent++;
    timing_rate_sent(u->rate, u->perf, now);
    return 1;
}

/* nmap's sendOK: the host and group windows, the host's scan delay, --max-rate. */
static bool ultra_may_send(const struct ultra *u, const struct ultra_host *h, uint64_t now)
{
    const struct scan_perf *p = u->perf;
    /* --min-rate forces a send past the windows when the schedule has fallen behind. */
    if (!timing_rate_min_due(u->rate, p, now)) {
        double hw = h->cc.cwnd > p->low_cwnd ? h->cc.cwnd : p->low_cwnd;
        double gw = u->gcc.cwnd > p->low_cwnd ? u->gcc.cwnd : p->low_cwnd;
        if (h->inflight >= (unsigned)hw || u->ginflight >= (unsigned)gw)
            return false;
    }
    if (h->any_sent && now < h->last_send + h->send_delay)
        return false;
    return timing_rate_max_ok(u->rate, p, now);
}

/* The part of ultra_may_send that is the same for every host: when it fails, a whole
 * round-robin pass would send nothing (nothing in a pass lowers ginflight or the rate). */
static bool ultra_group_may_send(const struct ultra *u, uint64_t now)
{
    const struct scan_perf *p = u->perf;
    if (!timing_rate_max_ok(u->rate, p, now))
        return false;
    if (timing_rate_min_due(u->rate, p, now))
        return true;
    double gw = u->gcc.cwnd > p->low_cwnd ? u->gcc.cwnd : p->low_cwnd;
    return u->ginflight < (unsigned)gw;
}

/* Picks and sends one probe for host i if allowed: 1 sent, 0 not now, -1 error. */
static int ultra_send_one(struct ultra *u, const struct ultra_job *job, size_t i, uint64_t now)
{
    struct ultra_host *h = &u->hosts[i];
    if (h->nleft == 0 || !(h->l_retrans.head >= 0 || h->next_new < u->per_host) ||
        !ultra_may_send(u, h, now))
        return 0;
    if (h->l_retrans.head >= 0) {
        uint32_t s = (uint32_t)h->l_retrans.head;
        uint8_t next = (uint8_t)(u->slots[s].tryno + 1);
        bool go = true;
        if (h->rld_waiting) {
            go = now >= h->rld_until;
            if (go)
                h->rld_waiting = false;
        } else if (next > h->rld_max_tryno && u->total_probes > 1) {
            /* Rate-limit detection: the first time this try number would go out, wait 1 s,
             * so a host that rate-limits its RSTs or ICMP errors can recover. */
            h->rld_max_tryno = next;
            h->rld_waiting = true;
            h->rld_until = now + TIMING_S(1);
            go = false;
        }
        if (go) {
            ultra_unlink(u, s);
            return ultra_send_slot(u, job, s, next, now);
        }
    }
    if (h->next_new < u->per_host) {
        uint32_t s = (uint32_t)(i * u->per_host + h->next_new++);
        return ultra_send_slot(u, job, s, 0, now);
    }
    return 0;
}

/* nmap's doAnyPings, per host: a ping probe is known, no rate-limit wait, 10 probes sent
 * since the last ping, and 1.25 s (nmap's pingtime) since the last reply and the last ping. */
static bool ultra_ping_due(const struct ultra_host *h, uint64_t now, uint64_t *when)
{
    *when = UINT64_MAX;
    if (h->nleft == 0 || h->ping_slot < 0 || h->rld_waiting ||
        h->nprobes < h->lastping_nprobes + 10)
        return false;
    uint64_t last = h->lastrcvd > h->lastping_sent ? h->lastrcvd : h->lastping_sent;
    *when = last + ULTRA_PINGTIME + 1;   /* strictly more than pingtime */
    return now >= *when;
}

static int ultra_send_ping(struct ultra *u, const struct ultra_job *job, size_t i, uint64_t now)
{
    struct ultra_host *h = &u->hosts[i];
    uint64_t when;
    if (!ultra_ping_due(h, now, &when) || !ultra_may_send(u, h, now))
        return 0;
    uint32_t k = h->ping_seq % ULTRA_PING_TRIES;
    struct ultra_ping *pg = &h->pings[k];
    if (pg->state != UP_FREE)
        return 0;   /* twelve pings still outstanding: wait for one to expire */
    if (job->send(job->ctx, u, (uint32_t)h->ping_slot, (uint8_t)(ULTRA_PING_TRY0 + k)) < 0)
        return -1;
    h->ping_seq++;
    pg->sent_ns = now;
    pg->slot = h->ping_slot;
    ultra_ping_set(u, h, pg, UP_INFLIGHT);
    h->cc.replies_expected++;
    u->gcc.replies_expected++;
    h->last_send = now;
    h->lastping_sent = now;
    h->lastping_nprobes = h->nprobes;
    u->probes_sent++;
    timing_rate_sent(u->rate, u->perf, now);
    return 1;
}

static int ultra_send_some(struct ultra *u, const struct ultra_job *job, uint64_t now)
{
    if (u->nhosts == 0)
        return 0;
    if (job->pings)
        for (size_t j = 0; j < u->nping_hosts; j++)
            if (ultra_send_ping(u, job, u->ping_hosts[j], now) < 0)
                return -1;
    bool progress = true;
    while (progress) {
        progress = false;
        if (!ultra_group_may_send(u, now)) {   /* the pass would send nothing */
            u->rr = (u->rr + 1) % u->nhosts;
            break;
        }
        /* One pass, from the round-robin start to the end and around. Once a send has used
         * up the group's window or rate, every later host's ultra_may_send would fail with
         * no side effect, so the pass stops there (on a /8 the group holds thousands of
         * hosts and the window a few dozen probes: this is most of the scan's loop). */
        size_t i = u->rr;
        for (size_t k = 0; k < u->nhosts; k++, i = i + 1 == u->nhosts ? 0 : i + 1) {
            int r = ultra_send_one(u, job, i, now);
            if (r < 0)
                return -1;
            if (r > 0) {
                progress = true;
                if (!ultra_group_may_send(u, now))
                    break;
            }
        }
        u->rr = (u->rr + 1) % u->nhosts;
    }
    return 0;
}

static void ultra_min_future(uint64_t *d, uint64_t t, uint64_t now)
{
    if (t > now && t < *d)
        *d = t;
}

/* The next moment something can happen without a reply: a timeout, a late window ending, a
 * delay or rate-limit wait ending. UINT64_MAX: nothing (only replies could move us). */
static uint64_t ultra_next_event(const struct ultra *u, const struct ultra_job *job, uint64_t now)
{
    uint64_t d = UINT64_MAX;
    bool work = false;
    for (size_t i = 0; i < u->nhosts; i++) {
        const struct ultra_host *h = &u->hosts[i];
        if (h->nleft == 0)
            continue;
        if (h->l_inflight.head >= 0)
            ultra_min_future(&d, u->slots[h->l_inflight.head].sent_ns +
                                     ultra_host_timeout(u, (uint32_t)i), now);
        if (h->l_late.head >= 0)
            ultra_min_future(&d, u->slots[h->l_late.head].expire_ns, now);
        for (int k = 0; job->pings && h->pings_out && k < ULTRA_PING_TRIES; k++)
            if (h->pings[k].state == UP_INFLIGHT)
                ultra_min_future(&d, h->pings[k].sent_ns + ultra_host_timeout(u, (uint32_t)i),
                                 now);
        uint64_t when;
        if (job->pings && !ultra_ping_due(h, now, &when))
            ultra_min_future(&d, when, now);
        if (h->l_retrans.head >= 0 || h->next_new < u->per_host) {
            work = true;
            if (h->rld_waiting && h->l_retrans.head >= 0)
                ultra_min_future(&d, h->rld_until, now);
            if (h->any_sent)
                ultra_min_future(&d, h->last_send + h->send_delay, now);
        }
    }
    if (work) {
        ultra_min_future(&d, timing_rate_max_next(u->rate, u->perf), now);
        ultra_min_future(&d, timing_rate_min_next(u->rate, u->perf), now);
    }
    if (job->streams && u->ginflight > 0)
        ultra_min_future(&d, now + TIMING_MS(1), now);
    return d;
}

/* Kept as a count (ultra_finish), not summed over the hosts: the loop asks every turn. */
static size_t ultra_remaining(const struct ultra *u) { return u->nleft; }

int ultra_run(struct ultra *u, const struct ultra_job *job, char *err, size_t errlen)
{
    static const size_t cap = WIRE_MAX_DGRAM;
    uint8_t *buf = malloc(cap);   /* once per pass, not per probe */
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    u->rate_udp = job->udp;
    uint64_t start = pktio_now(u->io);
    for (size_t i = 0; i < u->nhosts; i++)   /* nmap: both start at the scan's start */
        u->hosts[i].lastrcvd = u->hosts[i].lastping_sent = start;
    for (;;) {
        uint64_t now = pktio_now(u->io);
        ultra_check_timeouts(u, job, now);
        if (job->poll)
            job->poll(job->ctx, u, now);
        if (ultra_remaining(u) == 0)
            break;
        if (ultra_send_some(u, job, now) < 0) {
            snprintf(err, errlen, "send: %s", u->io->err);
            rc = -1;
            break;
        }
        uint64_t d = ultra_next_event(u, job, now);
        if (d == UINT64_MAX) {
            if (u->ginflight > 0 || ultra_remaining(u) == 0)
                continue;
            /* Cannot happen with a sane window; never spin: settle what is left. */
            for (size_t i = 0; i < u->nhosts; i++) {
                while (u->hosts[i].l_late.head >= 0)
                    ultra_give_up(u, job, (uint32_t)u->hosts[i].l_late.head, now, true);
                while (u->hosts[i].l_bench.head >= 0)
                    ultra_give_up(u, job, (uint32_t)u->hosts[i].l_bench.head, now, false);
            }
            if (ultra_remaining(u) != 0) {
                snprintf(err, errlen, "scan engine stalled with %zu probes unsent",
                         ultra_remaining(u));
                rc = -1;
            }
            break;
        }
        size_t len = 0;
        uint64_t t = now;
        int r = pktio_recv(u->io, buf, cap, &len, &t, d);
        if (r < 0) {
            snprintf(err, errlen, "receive: %s", u->io->err);
            rc = -1;
            break;
        }
        if (r > 0)
            job->recv(job->ctx, u, buf, len, t);
    }
    free(buf);
    return rc;
}

/* nmap's boostScanDelay: the delay grows and both counters start again, so only drops of
 * probes sent after this moment can raise it next time. */
static void ultra_boost(struct ultra *u, struct ultra_host *h, uint64_t now, const char *why)
{
    uint64_t old = h->send_delay;
    h->send_delay = timing_boost_delay(old, u->perf, u->rate_udp);
    h->boosted = true;
    h->last_boost = now;
    h->sd_good = h->sd_bad = 0;
    if (u->cfg && u->cfg->verbose && h->send_delay != old) {
        char ip[16], line[200];
        snprintf(line, sizeof line, "Increasing send delay for %s from %llu to %llu due to %s",
                 wire_ip_str(h->addr, ip), (unsigned long long)(old / TIMING_MS(1)),
                 (unsigned long long)(h->send_delay / TIMING_MS(1)), why);
        ultra_log(u, line);
    }
}

/* The boost of ultra_sd_count, out of line: it formats, and is rare. */
static void ultra_sd_boost(struct ultra *u, struct ultra_host *h, uint64_t now)
{
    char why[96];
    snprintf(why, sizeof why, "%u out of %u dropped probes since last increase.", h->sd_bad,
             h->sd_bad + h->sd_good);
    ultra_boost(u, h, now, why);
}

/* Send-delay bookkeeping of one timing update (nmap's ultrascan_adjust_timing): a drop
 * counts only if its probe left after the last boost; otherwise a reply counts as good. More
 * than 10 drops that are over 30% (40% at -T4+) of the total boost the delay. */
static inline void ultra_sd_count(struct ultra *u, struct ultra_host *h, bool drop, bool reply,
                                  uint64_t sent, uint64_t now)
{
    if (drop && (!h->boosted || sent > h->last_boost))
        h->sd_bad++;
    else if (reply)
        h->sd_good++;
    uint32_t bad = h->sd_bad, good = h->sd_good;
    if (bad > 10 && (double)bad / ((double)bad + good) > u->perf->drop_ratio)
        ultra_sd_boost(u, h, now);
}

/* A drop: host window to the minimum and group window halved, once per batch (only a probe
 * sent after the last cut cuts again). */
static void ultra_drop(struct ultra *u, struct ultra_host *h, uint64_t sent, uint64_t now)
{
    const struct scan_perf *p = u->perf;
    if (sent > h->cc.last_drop || h->cc.last_drop == 0)
        timing_cc_drop_host(&h->cc, p, h->inflight, now);
    if (sent > u->gcc.last_drop || u->gcc.last_drop == 0)
        timing_cc_drop_group(&u->gcc, p, u->ginflight, now);
}

/* A reply answered a try above the best so far: retries become allowed for slots that had
 * used theirs up (late or benched), and a high try number slows the host. */
static void ultra_raise_cap(struct ultra *u, struct ultra_host *h, uint8_t tryno, uint64_t now)
{
    h->max_succ_tryno = tryno;
    bool capped;
    uint8_t allowed = ultra_allowed_tryno(u, h, &capped);
    struct ultra_list_head *lists[2] = { &h->l_late, &h->l_bench };
    for (int l = 0; l < 2; l++) {
        int32_t s = lists[l]->head;
        while (s >= 0) {
            int32_t next = u->slots[s].next;
            if (u->slots[s].tryno < allowed) {
                ultra_unlink(u, (uint32_t)s);
                ultra_push(u, (uint32_t)s, UL_RETRANS);
            }
            s = next;
        }
    }
    if (tryno > u->perf->tryno_boost) {
        char why[64];
        snprintf(why, sizeof why, "max_successful_tryno increase to %d", tryno);
        ultra_boost(u, h, now, why);
    }
}

/* RTT, windows and send delay for one matched reply (nmap's ultrascan_adjust_timeouts and
 * ultrascan_adjust_timing): a reply to a retransmission is a drop and still a reply. */
static void ultra_reply_timing(struct ultra *u, struct ultra_host *h, uint8_t tryno,
                               uint64_t sent, bool exact, uint64_t t)
{
    const struct scan_perf *p = u->perf;
    if (exact) {
        timing_rtt_sample(&h->rtt, p, (int64_t)(t - sent), h->send_delay);
        timing_rtt_sample(&u->grtt, p, (int64_t)(t - sent), h->send_delay);
    }
    h->lastrcvd = t;
    if (tryno > 0)
        ultra_drop(u, h, sent, t);
    timing_cc_ack(&h->cc, p);
    timing_cc_ack(&u->gcc, p);
    ultra_sd_count(u, h, tryno > 0, true, sent, t);
    if (tryno > h->max_succ_tryno)
        ultra_raise_cap(u, h, tryno, t);
}

enum ultra_answer ultra_answer(struct ultra *u, uint32_t s, uint8_t tryno, uint64_t t)
{
    struct ultra_slot *sl = &u->slots[s];
    const uint64_t bit = (uint64_t)1 << (tryno & 63);
    if (!sl->sent || tryno > sl->tryno || sl->given_up || sl->list == UL_BENCH ||
        (sl->answered & bit))
        return ULTRA_BOGUS;
    uint32_t hi = ultra_host_of(u, s);
    /* An earlier try was retransmitted, so it timed out; the latest one counts as timed out
     * once the slot has a verdict. Try k was sent no later than the try before the latest,
     * so prev_sent_ns is exact for that one and a bound for older ones. */
    uint64_t sent = tryno < sl->tryno ? sl->prev_sent_ns : sl->sent_ns;
    bool exact = tryno + 1 >= sl->tryno;
    if (tryno < sl->tryno || sl->done) {
        if (t > sent + ultra_late_window(ultra_host_timeout(u, hi)))
            return ULTRA_BOGUS;
    }
    sl->answered |= bit;
    ultra_reply_timing(u, &u->hosts[hi], tryno, sent, exact, t);
    return sl->done ? ULTRA_DONE : ULTRA_ACTIVE;
}

bool ultra_ping_reply(struct ultra *u, uint32_t s, uint8_t tryno, uint64_t t)
{
    if (!ultra_is_ping_try(tryno))
        return false;
    uint32_t hi = ultra_host_of(u, s);
    struct ultra_host *h = &u->hosts[hi];
    struct ultra_ping *pg = &h->pings[tryno - ULTRA_PING_TRY0];
    if (pg->state == UP_FREE || pg->slot != (int32_t)s ||
        (pg->state == UP_TIMEDOUT &&
         t > pg->sent_ns + ultra_late_window(ultra_host_timeout(u, hi))))
        return false;
    ultra_ping_set(u, h, pg, UP_FREE);
    const struct scan_perf *p = u->perf;
    timing_rtt_sample(&h->rtt, p, (int64_t)(t - pg->sent_ns), h->send_delay);
    timing_rtt_sample(&u->grtt, p, (int64_t)(t - pg->sent_ns), h->send_delay);
    h->lastrcvd = t;
    timing_cc_ack_scaled(&h->cc, p, ULTRA_PING_MAGNIFIER);
    timing_cc_ack_scaled(&u->gcc, p, ULTRA_PING_MAGNIFIER);
    ultra_sd_count(u, h, false, true, pg->sent_ns, t);
    return true;
}

void ultra_ping_candidate(struct ultra *u, uint32_t s, int score)
{
    uint32_t hi = ultra_host_of(u, s);
    struct ultra_host *h = &u->hosts[hi];
    if (score > h->ping_score) {
        if (h->ping_slot < 0) {   /* first ping probe: the host joins the sorted list */
            size_t j = u->nping_hosts++;
            for (; j > 0 && u->ping_hosts[j - 1] > hi; j--)
                u->ping_hosts[j] = u->ping_hosts[j - 1];
            u->ping_hosts[j] = hi;
        }
        h->ping_score = score;
        h->ping_slot = (int32_t)s;
    }
}
