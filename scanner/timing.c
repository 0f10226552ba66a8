/* timing.c — nmap's timing rules as plain functions (docs/facts/nmap.md section 6 and section 1).
 *
 * Copies nmap timing.cc (adjust_timeouts2: RFC 6298-style srtt/rttvar with nmap's 5 ms..2 s
 * first rttvar, 8 s sample limit and 2.3 s rttvar reset; ultra_timing_vals::ack/drop/
 * drop_group: slow start and congestion avoidance scaled by replies expected/received),
 * NmapOps.cc (-T0..-T5 templates) and scan_engine.cc (boostScanDelay, --min/--max-rate).
 * Why a TCP-like window: a scanner that floods a rate-limited host only collects drops;
 * shrinking on evidence of loss and growing on replies finds the rate the path allows.
 */
#include "scanner/timing.h"

#include <stdio.h>

/* One row of docs/facts/nmap.md section 6's table. */
struct timing_template {
    uint64_t min_rtt, max_rtt, initial_rtt;
    int max_retries;
    uint64_t scan_delay, max_scan_delay_tcp;
    int max_parallelism;   /* 0: default 300 */
};

static const struct timing_template timing_templates[6] = {
    { TIMING_MS(100), TIMING_S(300), TIMING_S(300), 10, TIMING_S(300), TIMING_S(1), 1 },
    { TIMING_MS(100), TIMING_S(15), TIMING_S(15), 10, TIMING_S(15), TIMING_S(1), 1 },
    { TIMING_MS(100), TIMING_S(10), TIMING_S(1), 10, TIMING_MS(400), TIMING_S(1), 1 },
    { TIMING_MS(100), TIMING_S(10), TIMING_S(1), 10, 0, TIMING_S(1), 0 },
    { TIMING_MS(100), TIMING_MS(1250), TIMING_MS(500), 6, 0, TIMING_MS(10), 0 },
    { TIMING_MS(50), TIMING_MS(300), TIMING_MS(250), 2, 0, TIMING_MS(5), 0 },
};

static double timing_box(double lo, double hi, double v)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int timing_perf_init(struct scan_perf *p, const struct scan_timing *t, bool udp,
                     char *err, size_t errlen)
{
    int lvl = t->template_level;
    if (lvl < 0 || lvl > 5) {
        snprintf(err, errlen, "timing template must be 0..5, not %d", lvl);
        return -1;
    }
    const struct timing_template *tt = &timing_templates[lvl];
    *p = (struct scan_perf){ .level = lvl };
    p->min_rtt = t->min_rtt_ns >= 0 ? (uint64_t)t->min_rtt_ns : tt->min_rtt;
    p->max_rtt = t->max_rtt_ns >= 0 ? (uint64_t)t->max_rtt_ns : tt->max_rtt;
    p->initial_rtt = t->initial_rtt_ns >= 0 ? (uint64_t)t->initial_rtt_ns : tt->initial_rtt;
    p->max_retries = t->max_retries >= 0 ? t->max_retries : tt->max_retries;
    p->scan_delay = t->scan_delay_ns >= 0 ? (uint64_t)t->scan_delay_ns : tt->scan_delay;
    /* UDP keeps the 1 s max scan delay at T4/T5 (ICMP rate limits need it). */
    uint64_t msd = (udp && lvl >= 4) ? TIMING_S(1) : tt->max_scan_delay_tcp;
    p->max_scan_delay = t->max_scan_delay_ns >= 0 ? (uint64_t)t->max_scan_delay_ns : msd;
    p->min_rate = t->min_rate > 0 ? t->min_rate : 0;
    p->max_rate = t->max_rate > 0 ? t->max_rate : 0;
    if (p->min_rate > 0 && p->max_rate > 0 && p->min_rate > p->max_rate) {
        snprintf(err, errlen, "--min-rate (%g) must not be greater than --max-rate (%g)",
                 p->min_rate, p->max_rate);
        return -1;
    }
    if (p->min_rtt > p->max_rtt) {
        snprintf(err, errlen, "--min-rtt-timeout must not be greater than --max-rtt-timeout");
        return -1;
    }
    p->low_cwnd = t->min_parallelism > 0 ? t->min_parallelism : 1;
    p->max_cwnd = t->max_parallelism > 0 ? t->max_parallelism
                  : tt->max_parallelism > 0 ? tt->max_parallelism : 300;
    if (p->max_cwnd < p->low_cwnd)
        p->max_cwnd = p->low_cwnd;
    p->initial_cwnd = timing_box(p->low_cwnd, p->max_cwnd, 10);
    p->initial_ssthresh = 75;
    p->slow_incr = 1;
    p->ca_incr = lvl >= 4 ? 2 : 1;
    p->cc_scale_max = 50;
    p->host_drop_div = lvl == 5 ? 1.25 : lvl == 4 ? 4.0 / 3.0 : 1.5;
    p->group_drop_cwnd_div = 2;
    p->tryno_boost = lvl >= 4 ? 4 : 3;
    p->drop_ratio = lvl >= 4 ? 0.40 : 0.30;
    return 0;
}

static uint64_t timing_clamp_timeout(const struct scan_perf *p, uint64_t to, uint64_t delay)
{
    if (to < p->min_rtt)
        to = p->min_rtt;
    if (to > p->max_rtt)
        to = p->max_rtt;
    if (to < delay)   /* never shorter than the scan delay */
        to = delay;
    return to;
}

void timing_rtt_init(struct timing_rtt *r, const struct scan_perf *p)
{
    *r = (struct timing_rtt){ .timeout = p->initial_rtt };
}

bool timing_rtt_sample(struct timing_rtt *r, const struct scan_perf *p, int64_t rtt,
                       uint64_t scan_delay)
{
    if (rtt < 0 || rtt >= (int64_t)TIMING_S(8))
        return false;
    uint64_t d = (uint64_t)rtt;
    if (!r->have_sample) {
        r->srtt = d;
        r->rttvar = d < TIMING_MS(5) ? TIMING_MS(5) : d > TIMING_S(2) ? TIMING_S(2) : d;
        r->have_sample = true;
    } else {
        int64_t delta = rtt - (int64_t)r->srtt;
        if (delta > (int64_t)TIMING_MS(1500) &&
            delta > (int64_t)(3 * r->srtt + 2 * r->rttvar))
            return false;
        int64_t adelta = delta < 0 ? -delta : delta;
        r->srtt = (uint64_t)((int64_t)r->srtt + delta / 8);
        r->rttvar = (uint64_t)((int64_t)r->rttvar + (adelta - (int64_t)r->rttvar) / 4);
        if (r->rttvar > TIMING_MS(2300))
            r->rttvar = TIMING_S(2);
    }
    r->timeout = timing_clamp_timeout(p, r->srtt + 4 * r->rttvar, scan_delay);
    return true;
}

void timing_cc_init(struct timing_cc *c, const struct scan_perf *p, uint64_t now)
{
    *c = (struct timing_cc){ .cwnd = p->initial_cwnd, .ssthresh = p->initial_ssthresh,
                             .last_drop = now };
}

/* nmap's cc_scale: replies expected / received, at most 50. It keeps the window growing
 * when most probes are (legitimately) unanswered, e.g. a firewalled host. */
static double timing_cc_scale(const struct timing_cc *c, const struct scan_perf *p)
{
    if (c->replies_received == 0)
        return 1;
    double ratio = (double)c->replies_expected / (double)c->replies_received;
    return ratio < p->cc_scale_max ? ratio : p->cc_scale_max;
}

/* The growth of one reply counting `mult` times; inlined in both entry points (once per
 * reply, so the plain ack does not pay a call through the scaled one). */
static inline void timing_cc_grow(struct timing_cc *c, const struct scan_perf *p, double mult)
{
    c->replies_received++;
    double scale = timing_cc_scale(c, p) * mult;
    if (c->cwnd < c->ssthresh) {
        c->cwnd += p->slow_incr * scale;
        if (c->cwnd > c->ssthresh)
            c->cwnd = c->ssthresh;
    } else {
        c->cwnd += p->ca_incr / c->cwnd * scale;
    }
    if (c->cwnd > p->max_cwnd)
        c->cwnd = p->max_cwnd;
}

void timing_cc_ack(struct timing_cc *c, const struct scan_perf *p)
{
    timing_cc_grow(c, p, 1);
}

void timing_cc_ack_scaled(struct timing_cc *c, const struct scan_perf *p, double mult)
{
    timing_cc_grow(c, p, mult);
}


void timing_cc_drop_host(struct timing_cc *c, const struct scan_perf *p, unsigned in_flight,
                         uint64_t now)
{
    c->cwnd = p->low_cwnd;
    double ss = in_flight / p->host_drop_div;
    c->ssthresh = ss > 2 ? ss : 2;
    c->last_drop = now;
}

void timing_cc_drop_group(struct timing_cc *c, const struct scan_perf *p, unsigned in_flight,
                          uint64_t now)
{
    double w = c->cwnd / p->group_drop_cwnd_div;
    c->cwnd = w > p->low_cwnd ? w : p->low_cwnd;
    double ss = in_flight / p->host_drop_div;
    c->ssthresh = ss > 2 ? ss : 2;
    c->last_drop = now;
}

uint64_t timing_boost_delay(uint64_t cur, const struct scan_perf *p, bool udp)
{
    uint64_t d;
    if (cur == 0)
        d = udp ? TIMING_MS(50) : TIMING_MS(5);
    else
        d = cur * 2 > TIMING_S(1) ? (cur > TIMING_S(1) ? cur : TIMING_S(1)) : cur * 2;
    if (d > p->max_scan_delay)
        d = p->max_scan_delay > cur ? p->max_scan_delay : cur;
    return d;
}

void timing_rate_init(struct timing_rate *r)
{
    *r = (struct timing_rate){ 0 };
}

/* Time by which `n` sends are allowed at `rate` since the start (1e9/rate ns apart). */
static uint64_t timing_rate_at(const struct timing_rate *r, double rate, uint64_t n)
{
    return r->start + (uint64_t)((double)n * 1e9 / rate);
}

bool timing_rate_max_ok(const struct timing_rate *r, const struct scan_perf *p, uint64_t now)
{
    return p->max_rate <= 0 || !r->started || now >= timing_rate_at(r, p->max_rate, r->sent);
}

uint64_t timing_rate_max_next(const struct timing_rate *r, const struct scan_perf *p)
{
    if (p->max_rate <= 0 || !r->started)
        return 0;
    return timing_rate_at(r, p->max_rate, r->sent);
}

bool timing_rate_min_due(const struct timing_rate *r, const struct scan_perf *p, uint64_t now)
{
    return p->min_rate > 0 && r->started && now >= timing_rate_at(r, p->min_rate, r->sent);
}

uint64_t timing_rate_min_next(const struct timing_rate *r, const struct scan_perf *p)
{
    if (p->min_rate <= 0 || !r->started)
        return UINT64_MAX;
    return timing_rate_at(r, p->min_rate, r->sent);
}

void timing_rate_sent(struct timing_rate *r, const struct scan_perf *p, uint64_t now)
{
    (void)p;
    if (!r->started) {
        r->started = true;
        r->start = now;
    }
    r->sent++;
}
