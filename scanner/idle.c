/* idle.c — nmap's idle scan (-sI ZOMBIE[:PROBEPORT]): a port scan in which no packet from
 * our own address reaches the target (with -Pn), read off a zombie's shared IP-ID counter.
 *
 * A copy of nmap's idle_scan.cc (IPv4 part), written down in docs/facts/nmap.md
 * section 3, function for function:
 *   idle_ipid_probe      ipid_proxy_probe: a SYN|ACK to zombie:probeport, up to 3 tries, the
 *                        IP ID of the RST that answers it;
 *   idle_qualify         initialize_idleproxy: 6 probes 30 ms apart, the IP-ID class (docs/facts/nmap.md
 *                        section 4; accepted: Incremental, Incrementing by 2, Broken
 *                        little-endian incremental), group sizes, the spoof test (4 SYN|ACKs
 *                        forged from the first target, distance 1 = per-host counter);
 *   idle_countopen2/_countopen   count one group: forged SYNs "from" zombie:probeport, then
 *                        reads at t0..t3 (t3 with probability 55/256), up to 6 attempts;
 *   idle_treescan        the binary search with recounts; idle_adjust_timing.
 * Why it works (RFC 793 3.4 and 3.9): an open port answers the forged SYN with a SYN/ACK to
 * the zombie, which answers with a RST and so spends one IP ID; a closed port's RST costs the
 * zombie nothing; a filtered port sends nothing. The zombie must be idle: other traffic shows
 * up as phantom ports, which the recounts catch and which shrink the groups.
 * Where nmap draws get_random_*() values (magic port, sequence numbers, IP IDs, the t3 coin)
 * this draws from the run's "idle" rng stream, and every sleep is a pktio_recv deadline, so
 * over the simulator the scan runs in virtual time and repeats byte for byte. Packets that
 * arrive while we sleep are read the way nmap reads them from its pcap buffer afterwards:
 * late answers to earlier probes raise the zombie's rttvar by 1.2.
 */
#include "scanner/idle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rng.h"
#include "lib/wire.h"
#include "scanner/seq.h"

enum { IDLE_QUAL_PROBES = 6, IDLE_PROBE_TRIES = 3 };

#define IDLE_US(x) ((uint64_t)(x) * 1000ULL)          /* microseconds -> ns */
#define IDLE_MS(x) ((uint64_t)(x) * 1000000ULL)       /* milliseconds -> ns */

struct idle_proxy {
    struct scan_ctx *sc;
    uint32_t addr;
    char name[64];               /* nmap's HostName(): as typed, or the address */
    char ip[16];
    uint16_t probe_port;
    enum seq_ipid_class cls;
    int32_t latestid;            /* the most recent IP ID read from the zombie */
    int min_groupsz, max_groupsz;
    double groupsz;              /* current_groupsz */
    int senddelay, max_senddelay;   /* microseconds, as nmap keeps them */
    struct timing_rtt to;        /* the zombie's timing */
    int magic;                   /* o.magic_port: 33000..63999, or -g */
    bool magic_set;
    uint32_t pr_seq_base, pr_ack, pr_count;   /* ipid_proxy_probe's statics */
    uint32_t syn_seq;            /* idlescan_countopen2's static seq */
    bool ready;                  /* qualified (first target seen) */
    bool phantom_warned;
    bool failed;                 /* a fatal message is in err */
    uint64_t last_delay;         /* enforce_scan_delay's last call */
    bool have_last_delay;
    struct rng rng;              /* "idle" */
    char *err;
    size_t errlen;
    uint8_t tx[WIRE_MTU], rx[WIRE_MTU];
};

/* The host being counted: its ports (scan order), which are open, its timing. */
struct idle_target {
    uint32_t addr;
    const uint16_t *ports;
    bool *open;
    struct timing_rtt to;
};

/* --- small helpers ------------------------------------------------------------------------ */

static void idle_fatal(struct idle_proxy *z, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (z->err && z->errlen)
        vsnprintf(z->err, z->errlen, fmt, ap);
    va_end(ap);
    z->failed = true;
}

static void idle_log(struct idle_proxy *z, const char *fmt, ...)
{
    const struct scan_config *cfg = z->sc->cfg;
    if (!cfg->log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cfg->log(cfg->log_ctx, line);
}

static uint64_t idle_now(struct idle_proxy *z) { return pktio_now(z->sc->io); }

static const struct scan_perf *idle_perf(struct idle_proxy *z) { return &z->sc->perf_tcp; }

/* adjust_timeouts2: one RTT sample from a send and a receive time. */
static void idle_rtt(struct idle_proxy *z, struct timing_rtt *to, uint64_t sent, uint64_t rcvd)
{
    timing_rtt_sample(to, idle_perf(z), (int64_t)(rcvd - sent), idle_perf(z)->scan_delay);
}

/* One TCP segment with nmap's layout (window 1024, MSS 1460, random IP ID, TTL 37..59), from
 * any source: the forged ones are the point of the scan. */
static int idle_send(struct idle_proxy *z, uint32_t src, uint32_t dst, uint16_t sport,
                     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
    struct pktio *io = z->sc->io;
    struct scan_probe p = {
        .src = src, .dst = dst, .dport = dport, .ttl = scan_probe_ttl(z->sc),
        .ck = { .sport = sport, .seq = seq, .ack = ack, .ipid = (uint16_t)rng_u32(&z->rng) },
    };
    size_t n = scan_tcp_probe(z->tx, sizeof z->tx, &p, flags, true);
    if (n == 0 || pktio_send(io, z->tx, n) < 0) {
        idle_fatal(z, "idle scan: sending failed: %s", n ? io->err : "probe does not fit");
        return -1;
    }
    return 0;
}

/* The next TCP datagram from the zombie to us before the deadline (nmap's pcap filter "tcp
 * and src host Z and dst host S"); others are read and ignored. 1, 0 at the deadline, -1. */
static int idle_recv(struct idle_proxy *z, struct wire_pkt *p, uint64_t *t, uint64_t deadline)
{
    struct pktio *io = z->sc->io;
    for (;;) {
        size_t len = 0;
        int r = pktio_recv(io, z->rx, sizeof z->rx, &len, t, deadline);
        if (r < 0) {
            idle_fatal(z, "idle scan: receiving failed: %s", io->err);
            return -1;
        }
        if (r == 0)
            return 0;
        if (wire_parse(z->rx, len, p) == WIRE_OK && p->l4_err == WIRE_OK &&
            p->ip.proto == WIRE_PROTO_TCP && p->ip.src == z->addr && p->ip.dst == io->src_addr)
            return 1;
    }
}

/* A reply that answers none of the current tries but falls in our magic port range came
 * from an earlier probe: the zombie is slower than we thought (rttvar x 1.2). Counts as a
 * reply received, as in ipid_proxy_probe. */
static bool idle_stale(struct idle_proxy *z, const struct wire_tcp *tcp)
{
    if (tcp->dport > z->magic && tcp->dport < z->magic + 260) {
        z->to.rttvar = (uint64_t)((double)z->to.rttvar * 1.2);
        return true;
    }
    return false;
}

/* usleep(): waits until `until`, reading what arrives meanwhile as nmap would later. */
static int idle_sleep_until(struct idle_proxy *z, uint64_t until)
{
    struct wire_pkt p;
    uint64_t t;
    int r;
    while ((r = idle_recv(z, &p, &t, until)) == 1)
        idle_stale(z, &p.l4.tcp);
    return r;
}

static int idle_sleep(struct idle_proxy *z, uint64_t ns)
{
    return idle_sleep_until(z, idle_now(z) + ns);
}

/* enforce_scan_delay: at least --scan-delay between two calls. */
static int idle_enforce_delay(struct idle_proxy *z)
{
    uint64_t d = idle_perf(z)->scan_delay;
    if (z->have_last_delay && idle_now(z) < z->last_delay + d &&
        idle_sleep_until(z, z->last_delay + d) < 0)
        return -1;
    z->last_delay = idle_now(z);
    z->have_last_delay = true;
    return 0;
}

static int32_t idle_distance(const struct idle_proxy *z, int32_t oldid, int32_t newid)
{
    return seq_ipid_distance(z->cls, (uint16_t)oldid, (uint16_t)newid);
}

/* --- reading the zombie's IP ID ------------------------------------------------------------ */

/* ipid_proxy_probe: the IP ID of the zombie's RST, or -1. Sent/received counts for the
 * caller's loss accounting. Source ports base+try, base = magic + 0..255 per call. */
static int idle_ipid_probe(struct idle_proxy *z, int *probes_sent, int *probes_rcvd)
{
    int base = z->magic_set ? z->magic : z->magic + (int)rng_below(&z->rng, 256);
    if (z->pr_seq_base == 0)
        z->pr_seq_base = rng_u32(&z->rng);
    if (z->pr_ack == 0)
        z->pr_ack = rng_u32(&z->rng);
    uint64_t tsent[IDLE_PROBE_TRIES];
    int tries = 0, sent = 0, rcvd = 0, ipid = -1;
    do {
        tsent[tries] = idle_now(z);
        if (idle_send(z, z->sc->io->src_addr, z->addr, (uint16_t)(base + tries), z->probe_port,
                      z->pr_seq_base + z->pr_count++ * 500 + 1, z->pr_ack,
                      TCP_SYN | TCP_ACK) < 0)
            return -1;
        sent++;
        tries++;
        while (ipid == -1 || sent > rcvd) {
            struct wire_pkt p;
            uint64_t t;
            int r = idle_recv(z, &p, &t, tsent[tries - 1] + z->to.timeout);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
            const struct wire_tcp *tcp = &p.l4.tcp;
            int dport = tcp->dport;
            if (dport < base || dport - base >= tries || tcp->sport != z->probe_port ||
                !(tcp->flags & TCP_RST)) {
                if (idle_stale(z, tcp))
                    rcvd++;
                continue;
            }
            rcvd++;
            ipid = p.ip.id;
            idle_rtt(z, &z->to, tsent[dport - base], t);
        }
    } while (ipid == -1 && tries < IDLE_PROBE_TRIES);
    if (probes_sent)
        *probes_sent = sent;
    if (probes_rcvd)
        *probes_rcvd = rcvd;
    return ipid;
}

/* --- qualifying the zombie (initialize_idleproxy) ------------------------------------------ */

/* Step 1: six SYN|ACKs, source ports magic+1..+6, 30 ms (or --scan-delay) apart; replies
 * until all are back or 9 s after the last. Returns the number of IDs in ids[], -1. */
static int idle_qual_probes(struct idle_proxy *z, uint32_t ack, uint32_t seq_base,
                            uint16_t ids[IDLE_QUAL_PROBES])
{
    uint64_t tsend[IDLE_QUAL_PROBES];
    uint64_t gap = idle_perf(z)->scan_delay ? idle_perf(z)->scan_delay : IDLE_MS(30);
    int returned = 0;
    uint16_t lastipid = 0;
    for (int sent = 0; sent < IDLE_QUAL_PROBES;) {
        tsend[sent] = idle_now(z);
        if (idle_send(z, z->sc->io->src_addr, z->addr, (uint16_t)(z->magic + sent + 1),
                      z->probe_port, seq_base + (uint32_t)sent + 1, ack,
                      TCP_SYN | TCP_ACK) < 0)
            return -1;
        sent++;
        bool last = sent == IDLE_QUAL_PROBES;
        uint64_t deadline = tsend[sent - 1] + (last ? IDLE_MS(9000) : gap);
        while (!(last && returned == sent)) {
            struct wire_pkt p;
            uint64_t t;
            int r = idle_recv(z, &p, &t, deadline);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
            /* nmap drops a reply repeating the previous ID before any other check. */
            if (lastipid != 0 && p.ip.id == lastipid)
                continue;
            lastipid = p.ip.id;
            const struct wire_tcp *tcp = &p.l4.tcp;
            if (tcp->sport != z->probe_port || tcp->dport < z->magic + 1 ||
                tcp->dport - z->magic > IDLE_QUAL_PROBES || !(tcp->flags & TCP_RST) ||
                returned >= sent)
                continue;
            /* nmap files the reply under the count of replies, not the probe it answers */
            idle_rtt(z, &z->to, tsend[returned], t);
            ids[returned++] = p.ip.id;
        }
    }
    return returned;
}

/* Step 4: four SYN|ACKs forged from the first target, 50 ms apart; 300 ms later the zombie's
 * counter must have moved by more than our own probe. 0, or -1 with the fatal message. */
static int idle_spoof_test(struct idle_proxy *z, uint32_t target, uint32_t ack, uint32_t seq_base)
{
    for (int i = 0; i < 4; i++) {
        if (i != 0 && idle_sleep(z, IDLE_MS(50)) < 0)
            return -1;
        if (idle_send(z, target, z->addr, (uint16_t)z->magic, z->probe_port,
                      seq_base + (uint32_t)i + 1, ack, TCP_SYN | TCP_ACK) < 0)
            return -1;
    }
    if (idle_sleep(z, IDLE_MS(300)) < 0)
        return -1;
    int newipid = idle_ipid_probe(z, NULL, NULL);
    if (newipid == -1 && !z->failed)
        newipid = idle_ipid_probe(z, NULL, NULL);   /* one more try */
    if (z->failed)
        return -1;
    if (newipid < 0) {
        idle_fatal(z, "Your IP ID Zombie (%s; %s) is behaving strangely -- suddenly cannot "
                   "obtain IP ID", z->name, z->ip);
        return -1;
    }
    int32_t distance = idle_distance(z, z->latestid, newipid);
    if (distance <= 0) {
        idle_fatal(z, "Your IP ID Zombie (%s; %s) is behaving strangely -- suddenly cannot "
                   "obtain valid IP ID distance.", z->name, z->ip);
        return -1;
    }
    if (distance == 1) {
        idle_fatal(z, "Even though your Zombie (%s; %s) appears to be vulnerable to IP ID "
                   "sequence prediction (class: %s), our attempts have failed.  This generally "
                   "means that either the Zombie uses a separate IP ID base for each host (like "
                   "Solaris), or because you cannot spoof IP packets (perhaps your ISP has "
                   "enabled egress filtering to prevent IP spoofing), or maybe the target "
                   "network recognizes the packet source as bogus and drops them",
                   z->name, z->ip, seq_ipid_class_name(z->cls));
        return -1;
    }
    z->latestid = newipid;   /* nmap warns with -d when distance != 5 (4 RSTs + our probe) */
    return 0;
}

static int idle_qualify(struct idle_proxy *z, uint32_t first_target)
{
    uint32_t ack = rng_u32(&z->rng);
    uint32_t seq_base = rng_u32(&z->rng);
    uint16_t ids[IDLE_QUAL_PROBES];
    int n = idle_qual_probes(z, ack, seq_base, ids);
    if (n < 0)
        return -1;
    if (n == 0) {
        idle_fatal(z, "Idle scan zombie %s (%s) port %u cannot be used because it has not "
                   "returned any of our probes -- perhaps it is down or firewalled.",
                   z->name, z->ip, (unsigned)z->probe_port);
        return SCAN_ERR_INPUT;
    }
    z->cls = seq_ipid_classify(ids, n);
    if (z->cls != SEQ_IPID_INCR && z->cls != SEQ_IPID_INCR_BY_2 && z->cls != SEQ_IPID_BI) {
        idle_fatal(z, "Idle scan zombie %s (%s) port %u cannot be used because IP ID sequence "
                   "class is: %s.  Try another proxy.", z->name, z->ip,
                   (unsigned)z->probe_port, seq_ipid_class_name(z->cls));
        return SCAN_ERR_INPUT;
    }
    idle_log(z, "Idle scan using zombie %s (%s:%u); Class: %s", z->name, z->ip,
             (unsigned)z->probe_port, seq_ipid_class_name(z->cls));
    z->latestid = ids[n - 1];
    z->groupsz = z->max_groupsz < 30 ? z->max_groupsz : 30;
    if (n < IDLE_QUAL_PROBES) {   /* already losing packets: clamp down */
        z->groupsz = z->max_groupsz < 12 ? z->max_groupsz : 12;
        if (z->groupsz < z->min_groupsz)
            z->groupsz = z->min_groupsz;
        z->senddelay += 5000;
    }
    return first_target ? idle_spoof_test(z, first_target, ack, seq_base) : 0;
}

/* --- counting open ports ------------------------------------------------------------------- */

/* "No group size should be greater than .5s of send delays" (integer division, as nmap). */
static double idle_group_cap(const struct idle_proxy *z)
{
    return (double)(500000 / (z->senddelay + 1));
}

static double idle_clamp_group(const struct idle_proxy *z, double g)
{
    double cap = idle_group_cap(z);
    g = g < cap ? g : cap;
    return g > z->min_groupsz ? g : z->min_groupsz;
}

/* adjust_idle_timing: a count (test) against what the deeper search found (real). */
static void idle_adjust_timing(struct idle_proxy *z, int testcount, int realcount)
{
    if (testcount < realcount) {          /* a port was missed: smaller groups, slower */
        double g = z->groupsz * 0.8;
        z->groupsz = g > z->min_groupsz ? g : z->min_groupsz;
        z->senddelay += 10000;
        if (z->senddelay > z->max_senddelay)
            z->senddelay = z->max_senddelay;
        z->groupsz = idle_clamp_group(z, z->groupsz);
    } else if (testcount > realcount) {   /* phantom ports: is the zombie really idle? */
        double g = z->groupsz * 0.8;
        z->groupsz = g > z->min_groupsz ? g : z->min_groupsz;
        if (!z->phantom_warned && z->sc->cfg->verbose > 0) {
            z->phantom_warned = true;
            idle_log(z, "WARNING: idle scan has erroneously detected phantom ports -- is the "
                     "proxy %s (%s) really idle?", z->name, z->ip);
        }
    } else {                              /* exact: a little faster */
        z->senddelay = (int)(z->senddelay * 0.9);
        if (z->senddelay < 500)
            z->senddelay = 0;
        double g = z->groupsz * 1.1, cap = idle_group_cap(z);
        g = g < cap ? g : cap;
        z->groupsz = g < z->max_groupsz ? g : z->max_groupsz;
    }
}

/* The four planned read times of one count (probe_times[], integer milliseconds as nmap). */
static void idle_read_times(const struct idle_target *t, uint64_t start, uint64_t end,
                            uint64_t at[4])
{
    int64_t srtt = (int64_t)(t->to.srtt / 1000), rttvar = (int64_t)(t->to.rttvar / 1000);
    int64_t a = (srtt * 3 / 4) / 1000, c = (2 * srtt + rttvar) / 1000;
    int64_t d = (2 * srtt + (rttvar << 2)) / 1000;
    at[0] = start + IDLE_MS(a > 50 ? a : 50);
    at[1] = start + IDLE_MS(srtt / 1000);
    at[2] = end + IDLE_MS(c > 75 ? c : 75);
    at[3] = end + IDLE_MS(d < 4000 ? d : 4000);
}

/* Forged SYNs from zombie:probeport to ports [off, off+n), send delay between them. */
static int idle_send_syns(struct idle_proxy *z, const struct idle_target *t, size_t off, int n)
{
    if (z->syn_seq == 0)
        z->syn_seq = rng_u32(&z->rng);
    for (int i = 0; i < n; i++) {
        if (idle_perf(z)->scan_delay) {
            if (idle_enforce_delay(z) < 0)
                return -1;
        } else if (z->senddelay && i > 0 && idle_sleep(z, IDLE_US(z->senddelay)) < 0) {
            return -1;
        }
        if (idle_send(z, z->addr, t->addr, z->probe_port, t->ports[off + (size_t)i],
                      z->syn_seq, 0, TCP_SYN) < 0)
            return -1;
    }
    return 0;
}

/* Probes lost: slower; none lost: a very light acceleration. */
static void idle_count_timing(struct idle_proxy *z, bool lost)
{
    if (lost) {
        z->senddelay += 5000;
        if (z->senddelay > z->max_senddelay)
            z->senddelay = z->max_senddelay;
    } else {
        z->senddelay = (int)(z->senddelay * 0.95);
        if (z->senddelay < 500)
            z->senddelay = 0;
    }
    z->groupsz = idle_clamp_group(z, z->groupsz);
}

/* idlescan_countopen2: how many of the n ports are open (-1: no reading worked). sent/rcvd
 * (may be NULL) get the start and the time of the latest change when the count is in range. */
static int idle_countopen2(struct idle_proxy *z, struct idle_target *t, size_t off, int n,
                           uint64_t *sent_time, uint64_t *rcv_time)
{
    uint64_t start = idle_now(z), latestchange = 0, at[4];
    if (sent_time)
        *sent_time = 0;
    if (rcv_time)
        *rcv_time = 0;
    if (idle_send_syns(z, t, off, n) < 0)
        return -1;
    idle_read_times(t, start, idle_now(z), at);
    int openports = -1, psent = 0, prcvd = 0, newipid = 0;
    bool dotry3 = false, lasttry = false;
    for (int tries = 0; tries <= 3; tries++) {
        if (tries == 2)
            dotry3 = rng_below(&z->rng, 256) > 200;   /* get_random_u8() > 200 */
        if (tries == 3 && !dotry3)
            break;   /* usually skip the long wait */
        if (tries == 3 || (tries == 2 && !dotry3))
            lasttry = true;
        int64_t sleep = (int64_t)at[tries] - (int64_t)idle_now(z);
        if (!lasttry && psent > 0 && sleep < (int64_t)IDLE_MS(50))
            continue;   /* no point going again so soon */
        if (tries == 0 && sleep < (int64_t)IDLE_US(500))
            sleep = (int64_t)IDLE_US(500);
        if (sleep > 0 && idle_sleep(z, (uint64_t)sleep) < 0)
            return -1;
        int s = 0, r = 0;
        newipid = idle_ipid_probe(z, &s, &r);
        if (z->failed)
            return -1;
        psent += s;
        prcvd += r;
        if (newipid > 0) {
            /* our own probes spent IDs too */
            int dist = idle_distance(z, z->latestid, newipid) - psent;
            if (dist > openports) {
                openports = dist;
                latestchange = idle_now(z);
            }
        }
        if (openports > n || (n <= 2 && openports == n))
            break;
    }
    idle_count_timing(z, psent > prcvd);
    if (openports > 0 && openports <= n) {
        if (sent_time)
            *sent_time = start;
        if (rcv_time)
            *rcv_time = latestchange;
    }
    if (newipid > 0)
        z->latestid = newipid;
    return openports;
}

/* idlescan_countopen: up to 6 attempts, sleeping 1, 4, 9, 16, 25 s (+45 s before the last)
 * and re-reading the base ID; then nmap gives up. */
static int idle_countopen(struct idle_proxy *z, struct idle_target *t, size_t off, int n,
                          uint64_t *sent_time, uint64_t *rcv_time)
{
    int tries = 0, openports;
    for (;;) {
        openports = idle_countopen2(z, t, off, n, sent_time, rcv_time);
        if (z->failed)
            return -1;
        tries++;
        if (tries == 6 || (openports >= 0 && openports <= n))
            break;
        uint64_t nap = IDLE_MS(1000) * (uint64_t)(tries * tries);
        if (tries == 5)
            nap += IDLE_MS(45000);
        if (idle_sleep(z, nap) < 0)
            return -1;
        int id = idle_ipid_probe(z, NULL, NULL);
        if (z->failed)
            return -1;
        if (id >= 0)   /* nmap stores even a failed read (-1); we keep the last good ID */
            z->latestid = id;
    }
    if (openports < 0 || openports > n) {
        idle_fatal(z, "Idle scan is unable to obtain meaningful results from proxy %s (%s).  "
                   "I'm sorry it didn't work out.", z->name, z->ip);
        return -1;
    }
    return openports;
}

/* One half whose flat count disagreed: count it again, search it if it now shows ports. */
static int idle_recount(struct idle_proxy *z, struct idle_target *t, size_t off, int n,
                        int flat, int *total);

/* idle_treescan: depth-first halving of ports [off, off+n). Returns the open ports found. */
static int idle_treescan(struct idle_proxy *z, struct idle_target *t, size_t off, int n,
                         int expected)
{
    int n1 = (n + 1) / 2, n2 = n - n1;
    size_t off2 = off + (size_t)n1;
    int deep1 = -1, deep2 = -1;
    uint64_t s1 = 0, r1 = 0, s2 = 0, r2 = 0;
    int flat1 = idle_countopen(z, t, off, n1, &s1, &r1);
    if (z->failed)
        return 0;
    if (n1 > 1 && flat1 > 0) {   /* a port looks open: dig down */
        deep1 = idle_treescan(z, t, off, n1, flat1);
        if (z->failed)
            return 0;
        idle_adjust_timing(z, flat1, deep1);
    }
    int flat2 = idle_countopen(z, t, off2, n2, &s2, &r2);
    if (z->failed)
        return 0;
    if (n2 > 1 && flat2 > 0) {
        deep2 = idle_treescan(z, t, off2, n2, flat2);
        if (z->failed)
            return 0;
        idle_adjust_timing(z, flat2, deep2);
    }
    int total = (deep1 == -1 ? flat1 : deep1) + (deep2 == -1 ? flat2 : deep2);
    if (flat1 + flat2 == total && (expected == total || expected == -1)) {
        /* the counts were right: they time the target */
        if (flat1 > 0)
            idle_rtt(z, &t->to, s1, r1);
        if (flat2 > 0)
            idle_rtt(z, &t->to, s2, r2);
    }
    if (total != expected) {
        if (deep1 == -1)
            flat1 = idle_recount(z, t, off, n1, flat1, &total);
        if (!z->failed && deep2 == -1)
            flat2 = idle_recount(z, t, off2, n2, flat2, &total);
        if (z->failed)
            return 0;
    }
    if (n1 == 1 && flat1 == 1)
        t->open[off] = true;
    if (n2 == 1 && flat2 == 1)
        t->open[off2] = true;
    return total;
}

static int idle_recount(struct idle_proxy *z, struct idle_target *t, size_t off, int n,
                        int flat, int *total)
{
    int retry = idle_countopen(z, t, off, n, NULL, NULL);
    if (z->failed || retry == flat)
        return flat;
    if (n > 1 && retry > 0) {   /* new ports: a deep count */
        int first = retry;
        retry = idle_treescan(z, t, off, n, retry);
        if (z->failed)
            return flat;
        idle_adjust_timing(z, first, retry);
    } else {
        idle_adjust_timing(z, flat, retry);
    }
    *total += retry - flat;
    /* A single port counted open and then 0 is forgotten (nmap's forgetPort; nmap tests
     * this after overwriting the count, so there it never fires: we do what it means). */
    if (n == 1 && retry == 0)
        t->open[off] = false;
    return retry;
}

/* --- the pass ------------------------------------------------------------------------------ */

uint16_t idle_default_probe_port(const struct scan_discovery *d)
{
    if (d->ping_syn)
        return d->nsyn_ports ? d->syn_ports[0] : 80;
    if (d->ping_ack)
        return d->nack_ports ? d->ack_ports[0] : 80;
    if (!d->no_ping && !d->ping_echo && !d->ping_timestamp)
        return 443;   /* nmap's default discovery: -PE -PS443 -PA80 -PP */
    return 80;
}

int idle_begin(struct scan_ctx *sc, char *err, size_t errlen)
{
    const struct scan_config *cfg = sc->cfg;
    sc->idle = NULL;
    if (!cfg->idle_scan)
        return 0;
    struct idle_proxy *z = calloc(1, sizeof *z);
    if (!z) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sc->idle = z;
    z->sc = sc;
    z->err = err;
    z->errlen = errlen;
    z->addr = cfg->idle_zombie;
    wire_ip_str(z->addr, z->ip);
    snprintf(z->name, sizeof z->name, "%s",
             cfg->idle_zombie_name && *cfg->idle_zombie_name ? cfg->idle_zombie_name : z->ip);
    z->probe_port = cfg->idle_probe_port > 0 && cfg->idle_probe_port <= 65535
                        ? (uint16_t)cfg->idle_probe_port
                        : idle_default_probe_port(&cfg->disc);
    rng_seed(&z->rng, cfg->seed, "idle");
    if (cfg->source_port >= 0) {
        z->magic = cfg->source_port;
        z->magic_set = true;
    } else {
        z->magic = 33000 + (int)rng_below(&z->rng, 31000);
    }
    z->min_groupsz = cfg->timing.min_parallelism > 0 ? cfg->timing.min_parallelism : 4;
    int maxp = cfg->timing.max_parallelism > 0 ? cfg->timing.max_parallelism : 100;
    z->max_groupsz = maxp > z->min_groupsz ? maxp : z->min_groupsz;
    z->max_senddelay = 100000;
    timing_rtt_init(&z->to, &sc->perf_tcp);
    if (!cfg->disc.no_ping) {
        idle_log(z, "WARNING: Many people use -Pn w/Idlescan to prevent pings from their true "
                 "IP.  On the other hand, timing info Nmap gains from pings can allow for "
                 "faster, more reliable scans.");
        if (idle_sleep(z, IDLE_MS(2000)) < 0)   /* "Give ppl a chance for ^C :)" */
            return -1;
    }
    return 0;
}

void idle_end(struct scan_ctx *sc)
{
    free(sc->idle);
    sc->idle = NULL;
}

/* Target timing from the zombie's: srtt >= 200 ms and 2 zombie srtts without a sample. */
static void idle_target_timing(const struct idle_proxy *z, struct timing_rtt *to)
{
    if (!to->have_sample) {
        uint64_t s2 = 2 * z->to.srtt, zv = z->to.rttvar < IDLE_MS(2000) ? z->to.rttvar
                                                                         : IDLE_MS(2000);
        to->srtt = s2 > IDLE_MS(200) ? s2 : IDLE_MS(200);
        to->rttvar = zv > IDLE_MS(10) ? zv : IDLE_MS(10);
    } else {
        to->srtt = to->srtt > z->to.srtt ? to->srtt : z->to.srtt;
        to->rttvar = to->rttvar > z->to.rttvar ? to->rttvar : z->to.rttvar;
    }
    to->timeout = to->srtt + 4 * to->rttvar;
    to->have_sample = true;
}

/* Every port of one target, chunk by chunk (2 x the group size: the tree halves it). */
static int idle_scan_target(struct idle_proxy *z, struct idle_target *t, size_t nports)
{
    for (size_t idx = 0; idx < nports;) {
        size_t left = nports - idx, g = (size_t)(int)(z->groupsz * 2);
        if (g == 0)
            g = 1;
        if (g > left)
            g = left;
        idle_treescan(z, t, idx, (int)g, -1);
        if (z->failed)
            return -1;
        idx += g;
    }
    return 0;
}

static bool idle_is_local(const struct idle_proxy *z, uint32_t addr)
{
    return addr == z->sc->io->src_addr || (addr >> 24) == 127;
}

int idle_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n,
             const uint16_t *ports, size_t nports, size_t base, char *err, size_t errlen)
{
    struct idle_proxy *z = sc->idle;
    if (n == 0 || nports == 0)
        return 0;
    if (!z) {
        snprintf(err, errlen, "idle scan: idle_begin was not called");
        return -1;
    }
    z->err = err;
    z->errlen = errlen;
    bool *open = calloc(nports, sizeof *open);
    if (!open) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t h = 0; h < n && rc == 0; h++) {
        struct host_result *res = hosts[h].res;
        memset(open, 0, nports * sizeof *open);
        if (idle_is_local(z, res->addr)) {
            char label[96], ip[16];
            wire_ip_str(res->addr, ip);
            if (res->name[0])
                snprintf(label, sizeof label, "%s (%s)", res->name, ip);
            else
                snprintf(label, sizeof label, "%s", ip);
            idle_log(z, "Skipping Idle Scan against %s -- you can't idle scan your own "
                     "machine (localhost).", label);
        } else {
            if (!z->ready) {   /* the first target qualifies the zombie */
                int q = idle_qualify(z, res->addr);
                if (q < 0) {
                    rc = q;
                    break;
                }
                z->ready = true;
            }
            struct idle_target t = { .addr = res->addr, .ports = ports, .open = open,
                                     .to = hosts[h].rtt };
            idle_target_timing(z, &t.to);
            if (idle_scan_target(z, &t, nports) < 0) {
                rc = -1;
                break;
            }
            hosts[h].rtt = t.to;
        }
        for (size_t i = 0; i < nports; i++) {
            res->ports[base + i] = (struct port_result){
                .port = ports[i], .proto = SP_TCP,
                .state = open[i] ? PORT_OPEN : PORT_CLOSED_FILTERED,
                .reason = open[i] ? RS_IPID_CHANGE : RS_NO_IPID_CHANGE,
            };
            const struct scan_config *cfg = z->sc->cfg;
            if (cfg->decide) {   /* the TUI's record of the scan's reasoning */
                struct scan_decision d = {
                    .kind = SCAN_DEC_VERDICT, .target = res->addr, .port = ports[i],
                    .proto = WIRE_PROTO_TCP, .state = res->ports[base + i].state,
                    .reason = res->ports[base + i].reason,
                };
                cfg->decide(cfg->decide_ctx, &d);
            }
        }
        res->end_ns = idle_now(z);
    }
    free(open);
    return rc;
}
