/* ultra.h — the probe scheduler shared by host discovery and every port scan: nmap's
 * ultra_scan loop (scan_engine.cc) for one host group, generic over "slots".
 *
 * A slot is one thing to learn (a port of a host, or one ping probe of a host); slots of
 * host h are [h*per_host, (h+1)*per_host). The loop sends new probes and retransmissions
 * under the congestion windows, scan delay and rate limits, times probes out with each
 * host's RTT estimate, waits with pktio_recv deadlines (never a clock read of its own), and
 * hands every received datagram to the job, which matches it by cookie and calls back.
 * All bookkeeping lives in arrays allocated once per group: nothing is allocated per probe.
 *
 * Timing pings (nmap's doAnyPings/sendPingProbe): when a host has sent 10 probes and heard
 * nothing for 1.25 s, the probe that earned the host's best reply so far (nmap's
 * pingprobe_score) is sent again with a ping try number; its reply feeds RTT and windows
 * (counting 3 replies), its loss is a drop, and it never touches a port state.
 */
#ifndef TCPLAB_SCANNER_ULTRA_H
#define TCPLAB_SCANNER_ULTRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/engine.h"
#include "pktio/pktio.h"
#include "scanner/timing.h"

struct ultra;

/* What a scan pass plugs into the loop. */
struct ultra_job {
    void *ctx;
    /* Sends try `tryno` of `slot` now. 0, or -1 with io->err set. */
    int (*send)(void *ctx, struct ultra *u, uint32_t slot, uint8_t tryno);
    /* A datagram arrived at t: match it (cookie) and call ultra_answer/ultra_finish. */
    void (*recv)(void *ctx, struct ultra *u, const uint8_t *dgram, size_t len, uint64_t t);
    /* The slot's last allowed try went unanswered: record the default verdict. */
    void (*silent)(void *ctx, struct ultra *u, uint32_t slot);
    /* Optional: a try timed out (the connect scan closes its socket). */
    void (*timedout)(void *ctx, struct ultra *u, uint32_t slot);
    /* Optional: called every loop turn (the connect scan polls its sockets). */
    void (*poll)(void *ctx, struct ultra *u, uint64_t now);
    bool streams;       /* wake at least every millisecond while probes are out */
    bool udp;           /* UDP pass: delay boosts start at 50 ms */
    bool pings;         /* send timing pings (send() then gets ping try numbers too) */
};

/* Try numbers: 0..ULTRA_PING_TRY0-1 are a slot's probe and its retransmissions; the last
 * ULTRA_PING_TRIES values of the cookie's 64 carry timing pings (nmap's isPing bit and ping
 * sequence number), so a ping's reply can never be taken for a port's. */
enum { ULTRA_PING_TRY0 = 52, ULTRA_PING_TRIES = 12 };

static inline bool ultra_is_ping_try(int tryno)
{
    return tryno >= ULTRA_PING_TRY0 && tryno < ULTRA_PING_TRY0 + ULTRA_PING_TRIES;
}

/* UL_LATE: last allowed try timed out, its reply may still come. UL_BENCH: its late window
 * ended too (nmap's probe_bench): retried if the cap rises, else settled when it cannot. */
enum ultra_list { UL_NONE = 0, UL_INFLIGHT, UL_RETRANS, UL_LATE, UL_BENCH };

struct ultra_slot {
    int32_t next, prev;         /* intrusive list links (-1: none) */
    uint8_t list;               /* enum ultra_list */
    uint8_t tryno;              /* latest try sent */
    bool sent;                  /* at least one try went out */
    bool done;                  /* verdict known (or given up) */
    bool given_up;              /* no reply came: nmap dropped every probe of it */
    uint64_t answered;          /* bit k: try k got its reply (nmap deletes the probe) */
    uint64_t sent_ns;           /* when the latest try went out */
    uint64_t prev_sent_ns;      /* when the try before it went out (late-reply window) */
    uint64_t expire_ns;         /* UL_LATE: end of the late-reply window */
};

struct ultra_list_head {
    int32_t head, tail;
};

enum ultra_ping_state { UP_FREE = 0, UP_INFLIGHT, UP_TIMEDOUT };

/* One timing ping (record k carries try ULTRA_PING_TRY0 + k). */
struct ultra_ping {
    uint64_t sent_ns;
    int32_t slot;
    uint8_t state;              /* enum ultra_ping_state */
};

/* Hot fields first: the loop looks at every host of the group each turn (timeouts, sends,
 * next event), so what those scans read shares the first cache lines. */
struct ultra_host {
    uint32_t nleft;             /* slots not done */
    uint32_t next_new;          /* first slot (relative) never sent */
    unsigned inflight;          /* probes out and not timed out */
    struct ultra_list_head l_inflight, l_retrans, l_late, l_bench;
    uint8_t max_succ_tryno;     /* highest try that got a reply */
    uint8_t rld_max_tryno;      /* rate-limit detection: highest try number waited for */
    bool rld_waiting;
    bool any_sent;
    /* Pings not UP_FREE / UP_INFLIGHT, kept with every state change so the per-turn scans
     * skip the ping records of the many hosts that have none (nearly all, in a large group). */
    uint8_t pings_live, pings_out;
    bool cap_warned;
    bool boosted;
    int32_t ping_slot;          /* the host's ping probe (-1: none yet) */
    uint64_t last_send;
    uint64_t send_delay;        /* current scan delay (boosted on drops) */
    uint64_t rld_until;
    struct timing_rtt rtt;
    /* Timing pings. */
    uint64_t nprobes;           /* port probes sent (not pings), nmap's numprobes_sent */
    uint64_t lastping_nprobes;
    uint64_t lastrcvd, lastping_sent;
    struct timing_cc cc;
    uint64_t first_send_ns, done_ns;
    /* nmap's send_delay_nfo: drops and good replies since the last boost; only probes sent
     * after it count as drops. */
    uint32_t sd_good, sd_bad;
    uint64_t last_boost;
    int ping_score;             /* nmap's pingprobe_score of the ping probe */
    uint32_t ping_seq;
    struct ultra_ping *pings;   /* ULTRA_PING_TRIES records, in ultra's ping_recs */
    uint32_t addr;              /* for warnings */
};

struct ultra {
    const struct scan_perf *perf;
    struct pktio *io;
    const struct scan_config *cfg;   /* for the log sink */
    struct timing_rate *rate;        /* shared by every pass of the scan */
    struct ultra_host *hosts;
    struct ultra_slot *slots;
    struct ultra_ping *ping_recs;    /* nhosts * ULTRA_PING_TRIES, apart from the hot hosts */
    size_t nhosts, per_host;
    size_t total_probes;             /* slots in the pass: rate-limit waits need > 1 */
    size_t nleft;                    /* slots not done, over every host */
    struct timing_cc gcc;            /* the group window */
    struct timing_rtt grtt;          /* group RTT, for hosts without samples */
    unsigned ginflight;
    /* Hosts that have a ping probe, in ascending order (nmap's doAnyPings walks hosts in
     * order): the per-turn ping pass visits these, not every host. */
    uint32_t *ping_hosts;
    size_t nping_hosts;
    size_t rr;                       /* round-robin cursor over hosts */
    uint64_t probes_sent;
    bool rate_udp;                   /* the pass is UDP: delay boosts start at 50 ms */
};

/* Allocates the group's arrays. init_rtt (optional, nhosts entries) seeds host timing, e.g.
 * from discovery. -1 on allocation failure. */
int ultra_init(struct ultra *u, const struct scan_perf *p, struct pktio *io,
               const struct scan_config *cfg, struct timing_rate *rate, size_t nhosts,
               size_t per_host, const uint32_t *addrs, const struct timing_rtt *init_rtt);
void ultra_free(struct ultra *u);

/* Runs until every slot is done. 0, or -1 with err (backend failure). */
int ultra_run(struct ultra *u, const struct ultra_job *job, char *err, size_t errlen);

enum ultra_answer { ULTRA_BOGUS = 0, ULTRA_ACTIVE, ULTRA_DONE };
/* A reply matched `slot` with try `tryno` at time t. ULTRA_BOGUS (ignore it) unless nmap
 * would still hold that probe: the try was sent, has not been answered yet, the slot was not
 * given up or benched, and a try that timed out is within 10*min(1 s, timeout) of its send
 * (nmap's probeExpireTime). Updates RTT, windows, drops, send delay and the retry cap, also
 * for ULTRA_DONE: the slot already has a verdict (the reply may still change it under the
 * conflict rules), as nmap's ultrascan_port_probe_update does for every matched probe. */
enum ultra_answer ultra_answer(struct ultra *u, uint32_t slot, uint8_t tryno, uint64_t t);
/* A reply matched a ping try (ultra_is_ping_try) of `slot` at t. Returns false (ignore it)
 * unless that ping is outstanding for this slot and within its late window; otherwise feeds
 * RTT and windows as nmap's ultrascan_ping_update. The job must not use it as a verdict. */
bool ultra_ping_reply(struct ultra *u, uint32_t slot, uint8_t tryno, uint64_t t);
/* After a non-bogus ultra_answer: the reply makes `slot` a ping probe worth `score` (nmap's
 * pingprobe_score); it becomes the host's ping probe if it beats the current one. */
void ultra_ping_candidate(struct ultra *u, uint32_t slot, int score);
/* The score of slot's host's current ping probe (0: none), so a job can skip scoring replies
 * that cannot beat it. Defined below ultra_host_of. */
static inline int ultra_ping_score(const struct ultra *u, uint32_t slot);
/* The slot has its verdict: no more probes for it. */
void ultra_finish(struct ultra *u, uint32_t slot, uint64_t t);
/* Every slot of the host is settled (discovery: the host is up or down). */
void ultra_finish_host(struct ultra *u, uint32_t host, uint64_t t);

static inline uint32_t ultra_host_of(const struct ultra *u, uint32_t slot)
{
    return (uint32_t)(slot / u->per_host);
}
static inline int ultra_ping_score(const struct ultra *u, uint32_t slot)
{
    return u->hosts[ultra_host_of(u, slot)].ping_score;
}
/* The timeout used for the host's probes now (its own estimate, else the group's). */
uint64_t ultra_host_timeout(const struct ultra *u, uint32_t host);

#endif
