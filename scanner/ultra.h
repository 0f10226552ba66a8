/* ultra.h — the probe scheduler shared by host discovery and every port scan: nmap's
 * ultra_scan loop (scan_engine.cc) for one host group, generic over "slots".
 *
 * A slot is one thing to learn (a port of a host, or one ping probe of a host); slots of
 * host h are [h*per_host, (h+1)*per_host). The loop sends new probes and retransmissions
 * under the congestion windows, scan delay and rate limits, times probes out with each
 * host's RTT estimate, waits with pktio_recv deadlines (never a clock read of its own), and
 * hands every received datagram to the job, which matches it by cookie and calls back.
 * All bookkeeping lives in arrays allocated once per group: nothing is allocated per probe.
 */
#ifndef TCPLAB_SCANNER_ULTRA_H
#define TCPLAB_SCANNER_ULTRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/engine.h"
#include "scanner/pktio.h"
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
};

enum ultra_list { UL_NONE = 0, UL_INFLIGHT, UL_RETRANS, UL_LATE };

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

struct ultra_host {
    struct timing_rtt rtt;
    struct timing_cc cc;
    uint32_t next_new;          /* first slot (relative) never sent */
    uint32_t nleft;             /* slots not done */
    unsigned inflight;          /* probes out and not timed out */
    struct ultra_list_head l_inflight, l_retrans, l_late;
    uint8_t max_succ_tryno;     /* highest try that got a reply */
    uint8_t rld_max_tryno;      /* rate-limit detection: highest try number waited for */
    bool rld_waiting;
    bool cap_warned;
    uint64_t rld_until;
    uint64_t send_delay;        /* current scan delay (boosted on drops) */
    uint64_t last_send;
    bool any_sent;
    uint64_t first_send_ns, done_ns;
    uint32_t nreplies, ndrops;
    uint32_t addr;              /* for warnings */
};

struct ultra {
    const struct scan_perf *perf;
    struct pktio *io;
    const struct scan_config *cfg;   /* for the log sink */
    struct timing_rate *rate;        /* shared by every pass of the scan */
    struct ultra_host *hosts;
    struct ultra_slot *slots;
    size_t nhosts, per_host;
    size_t total_probes;             /* slots in the pass: rate-limit waits need > 1 */
    size_t nleft;                    /* slots not done, over every host */
    struct timing_cc gcc;            /* the group window */
    struct timing_rtt grtt;          /* group RTT, for hosts without samples */
    unsigned ginflight;
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
 * given up, and a try that timed out is within 10*min(1 s, timeout) of its send (nmap's
 * probeExpireTime). Updates RTT, windows, drops and the retry cap. ULTRA_DONE: the slot
 * already has a verdict (the reply may still change it under the conflict rules). */
enum ultra_answer ultra_answer(struct ultra *u, uint32_t slot, uint8_t tryno, uint64_t t);
/* The slot has its verdict: no more probes for it. */
void ultra_finish(struct ultra *u, uint32_t slot, uint64_t t);
/* Every slot of the host is settled (discovery: the host is up or down). */
void ultra_finish_host(struct ultra *u, uint32_t host, uint64_t t);

static inline uint32_t ultra_host_of(const struct ultra *u, uint32_t slot)
{
    return (uint32_t)(slot / u->per_host);
}
/* The timeout used for the host's probes now (its own estimate, else the group's). */
uint64_t ultra_host_timeout(const struct ultra *u, uint32_t host);

#endif
