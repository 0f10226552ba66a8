/* timing.h — nmap's scan timing: -T templates, the RTT estimator, congestion windows, send
 * delay and the --min-rate/--max-rate schedule (docs/facts/nmap.md section 6; nmap timing.cc,
 * scan_engine.cc, NmapOps.cc). Plain values and pure functions of explicit times: the caller
 * passes `now` from pktio_now(), so the same inputs always give the same schedule.
 */
#ifndef TCPLAB_SCANNER_TIMING_H
#define TCPLAB_SCANNER_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/engine.h"

#define TIMING_MS(x) ((uint64_t)(x) * 1000000ULL)
#define TIMING_S(x) ((uint64_t)(x) * 1000000000ULL)

/* The resolved performance variables of one scan (nmap's scan_performance_vars). */
struct scan_perf {
    int level;                   /* template 0..5 */
    uint64_t min_rtt, max_rtt, initial_rtt;
    int max_retries;
    uint64_t scan_delay;         /* initial send delay per host */
    uint64_t max_scan_delay;     /* cap for boosts */
    double min_rate, max_rate;   /* 0 = none */
    double low_cwnd, max_cwnd;   /* min/max parallelism */
    double initial_cwnd;         /* 10, boxed into [low, max] */
    double initial_ssthresh;     /* 75 */
    double ca_incr;              /* congestion avoidance: 1 (2 at T4/T5) per cwnd */
    double slow_incr;            /* slow start: 1 */
    double cc_scale_max;         /* 50 */
    double host_drop_div;        /* ssthresh = in flight / 1.5 (1.33 T4, 1.25 T5) */
    double group_drop_cwnd_div;  /* 2 */
    int tryno_boost;             /* boost delay once max_successful_tryno exceeds 3 (4 T4+) */
    double drop_ratio;           /* 0.30 (0.40 T4+) */
};

/* Resolves the template and overrides. Returns 0, or -1 with err (e.g. min rate > max). */
int timing_perf_init(struct scan_perf *p, const struct scan_timing *t, bool udp,
                     char *err, size_t errlen);

/* srtt/rttvar/timeout of one host (nmap's timeout_info), in ns. */
struct timing_rtt {
    bool have_sample;
    uint64_t srtt, rttvar, timeout;
};
void timing_rtt_init(struct timing_rtt *r, const struct scan_perf *p);
/* Feeds one RTT sample (ns, signed). Samples < 0 or >= 8 s are ignored (returns false), and
 * so is one more than 1.5 s above srtt that also exceeds 3*srtt + 2*rttvar (nmap's "bogus
 * rttdelta", e.g. a very late duplicate reply). */
bool timing_rtt_sample(struct timing_rtt *r, const struct scan_perf *p, int64_t rtt,
                       uint64_t scan_delay);

/* A congestion window (nmap's ultra_timing_vals). */
struct timing_cc {
    double cwnd, ssthresh;
    uint64_t replies_expected, replies_received;
    uint64_t last_drop;          /* time of the last window cut; probes sent before it
                                    do not cut again ("once per batch") */
};
void timing_cc_init(struct timing_cc *c, const struct scan_perf *p, uint64_t now);
void timing_cc_ack(struct timing_cc *c, const struct scan_perf *p);
/* One reply that counts as `mult` for the growth (nmap's ping_magnifier: 3 for a timing
 * ping, whose need shows replies are scarce). */
void timing_cc_ack_scaled(struct timing_cc *c, const struct scan_perf *p, double mult);
void timing_cc_drop_host(struct timing_cc *c, const struct scan_perf *p, unsigned in_flight,
                         uint64_t now);
void timing_cc_drop_group(struct timing_cc *c, const struct scan_perf *p, unsigned in_flight,
                          uint64_t now);

/* Next send delay after a boost: 0 -> 5 ms (50 ms UDP), then doubling, capped. */
uint64_t timing_boost_delay(uint64_t cur, const struct scan_perf *p, bool udp);

/* --min-rate/--max-rate schedule over the whole scan (nmap's RateMeter use in ultra_scan). */
struct timing_rate {
    uint64_t start;              /* time of the first send */
    uint64_t next_max;           /* earliest next send under --max-rate (may lag the clock) */
    uint64_t sent;               /* datagrams sent so far */
    bool started;
};
void timing_rate_init(struct timing_rate *r);
/* May a packet be sent at `now` under --max-rate? */
bool timing_rate_max_ok(const struct timing_rate *r, const struct scan_perf *p, uint64_t now);
/* Is the schedule behind --min-rate at `now` (a send is forced past the window)? */
bool timing_rate_min_due(const struct timing_rate *r, const struct scan_perf *p, uint64_t now);
/* When the next --min-rate send falls due / --max-rate allows one (UINT64_MAX: never). */
uint64_t timing_rate_min_next(const struct timing_rate *r, const struct scan_perf *p);
uint64_t timing_rate_max_next(const struct timing_rate *r, const struct scan_perf *p);
void timing_rate_sent(struct timing_rate *r, const struct scan_perf *p, uint64_t now);

#endif
