/* osscan_run.c — the -O pass over a host group: nmap's os_scan_ipv4 and its helpers
 * (OsScanInfo, initScanStats, startRound, endRound, expireUnmatchedHosts, findBestFPs,
 * FingerPrintResults::OmitSubmissionFP).
 *
 * Hosts are taken 20 at a time (30 at -T4, all at -T5). Each round sends the SEQ probes,
 * then the rest, builds each host's fingerprint and matches it; a host with a perfect match
 * is done. The others get another round, after a one-second pause (2.5 s before the
 * fourth), up to five rounds, or two when their fingerprint is unfit for submission (no
 * closed port, no U1 reply without -sU, ...). A host that never matched perfectly keeps the
 * round whose best match scored highest. Hosts with no open TCP port, or neither a closed
 * nor an unfiltered one, are scanned anyway and reported unreliable, or skipped with
 * --osscan-limit. Random values (port bases, ISN and ACK of the probes, the ICMP id, U1's
 * TTL) come from the scan's seed.
 */
#include "scanner/osscan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OS_PRIME_32K = 32261, OS_GROUP = 20 };

void os_result_free(struct os_result *r)
{
    free(r);
}

static void os_log(struct scan_ctx *sc, const char *line)
{
    if (sc->cfg->log)
        sc->cfg->log(sc->cfg->log_ctx, line);
}

static int os_first_port(const struct host_result *r, int proto, int state)
{
    for (size_t i = 0; i < r->nports; i++)
        if (r->ports[i].proto == proto && r->ports[i].state == state && r->ports[i].port != 0)
            return r->ports[i].port;
    for (size_t i = 0; i < r->nports; i++)
        if (r->ports[i].proto == proto && r->ports[i].state == state)
            return r->ports[i].port;
    return -1;
}

/* initScanStats: this round's open, closed and closed-UDP ports. */
static void os_pick_ports(struct os_host *h, struct rng *rng)
{
    const struct host_result *r = h->res;
    if (h->fpr_open < 0)
        h->fpr_open = os_first_port(r, WIRE_PROTO_TCP, PORT_OPEN);
    h->open_port = h->fpr_open;
    int p;
    if (h->fpr_closed >= 0)
        h->closed_port = h->fpr_closed;
    else if ((p = os_first_port(r, WIRE_PROTO_TCP, PORT_CLOSED)) >= 0)
        h->closed_port = h->fpr_closed = p;
    else if ((p = os_first_port(r, WIRE_PROTO_TCP, PORT_UNFILTERED)) >= 0)
        h->closed_port = p;
    else
        h->closed_port = 30000 + (int)rng_below(rng, 14781);
    if (h->fpr_closed_udp >= 0)
        h->closed_udp = h->fpr_closed_udp;
    else if ((p = os_first_port(r, WIRE_PROTO_UDP, PORT_CLOSED)) >= 0)
        h->closed_udp = h->fpr_closed_udp = p;
    else if ((p = os_first_port(r, WIRE_PROTO_UDP, PORT_UNFILTERED)) >= 0)
        h->closed_udp = p;
    else
        h->closed_udp = 30000 + (int)rng_below(rng, 14781);
}

static void os_reinit(struct os_round *rd)
{
    rd->seq_base = rng_u32(rd->rng);
    rd->ack = rng_u32(rd->rng);
    rd->icmp_id = (uint16_t)rng_u32(rd->rng);
    rd->udp_ttl = (uint8_t)(51 + rng_below(rd->rng, 14));
    rd->tcp_port_base = (uint16_t)(33000 + (rd->tcp_port_base - 33000 + 256) % OS_PRIME_32K);
    rd->udp_port_base = (uint16_t)(33000 + (rd->udp_port_base - 33000 + 256) % OS_PRIME_32K);
}

/* OmitSubmissionFP: why this fingerprint is unfit for submission ("" when it is fit). */
static void os_omit(const struct scan_config *cfg, const struct os_host *h, double ratio,
                    struct os_result *or)
{
    int64_t delay_ms = cfg->timing.scan_delay_ns > 0 ? cfg->timing.scan_delay_ns / 1000000 : 0;
    bool udp = cfg->udp_scan || cfg->tcp_scan == SCAN_UDP;
    char *b = or->omit;
    size_t cap = sizeof or->omit;
    b[0] = '\0';
    if (delay_ms > 500)
        snprintf(b, cap, "Scan delay (%lld) is greater than 500", (long long)delay_ms);
    else if (cfg->timing.template_level > 4)
        snprintf(b, cap, "Timing level 5 (Insane) used");
    else if (h->fpr_open <= 0)
        snprintf(b, cap, "Missing an open TCP port so results incomplete");
    else if (h->fpr_closed <= 0)
        snprintf(b, cap, "Missing a closed TCP port so results incomplete");
    else if (or->si.distance < -1)
        snprintf(b, cap, "Host distance (%d network hops) appears to be negative",
                 or->si.distance);
    else if (or->si.distance > 5)
        snprintf(b, cap, "Host distance (%d network hops) is greater than five",
                 or->si.distance);
    else if (ratio > 1.4)
        snprintf(b, cap, "maxTimingRatio (%e) is greater than 1.4", ratio);
    else if (h->fpr_closed_udp < 0 && !udp)
        snprintf(b, cap, "Didn't receive UDP response. Please try again with -sSU");
}

/* ip_is_reserved (libnetutil): IANA's special-purpose IPv4 blocks. */
static bool os_reserved(uint32_t a)
{
    static const struct { uint32_t net; int bits; } r[] = {
        {0x00000000, 8}, {0x0A000000, 8}, {0x64400000, 10}, {0x7F000000, 8},
        {0xA9FE0000, 16}, {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24},
        {0xC0A80000, 16}, {0xC6120000, 15}, {0xC6336400, 24}, {0xCB007100, 24},
        {0xF0000000, 4}, {0xFFFFFFFF, 32},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if ((a >> (32 - r[i].bits)) == (r[i].net >> (32 - r[i].bits)))
            return true;
    return false;
}

/* The scan-info fields the SCAN line and the XML report need. */
static void os_scaninfo(struct scan_ctx *sc, const struct os_host *h, struct os_result *or)
{
    uint32_t a = h->res->addr;
    or->si.open_port = h->fpr_open;
    or->si.closed_port = h->fpr_closed;
    or->si.closed_udp = h->fpr_closed_udp;
    or->si.reserved_addr = os_reserved(a);
    if (a == sc->io->src_addr || (a >> 24) == 127) {
        or->si.distance = 0;
        or->si.dist_method = 'L';
    } else if (h->distance != -1) {
        or->si.distance = h->distance;
        or->si.dist_method = 'I';
    } else {
        or->si.distance = -1;
        or->si.dist_method = 0;
    }
}

/* endRound for one host: fingerprint, match, done when a perfect match came. */
static void os_end_round(struct scan_ctx *sc, struct os_host *h, int round, double *maxratio)
{
    struct os_result *or = h->res->os;
    if (h->open_port >= 0) {
        double ratio = (double)(h->seq_sent[OS_NSEQ - 1] - h->seq_sent[0]) / 1e6 /
                       (100.0 * (OS_NSEQ - 1));
        if (ratio > *maxratio)
            *maxratio = ratio;
    }
    osscan_make_fp(h, &or->fps[round], (int)(sc->cfg->timing.scan_delay_ns / 1000000));
    or->nfps = round + 1;
    os_match(or->db, &or->fps[round], OS_GUESS_THRESHOLD_PCT / 100.0, &or->m);
    if (or->m.overall == OS_SUCCESS && or->m.nperfect > 0)
        h->done = true;
    osscan_seq_result(h, &h->res->seq);
    or->has_lastboot = h->has_lastboot;   /* target->seq: the round that ends the scan */
    or->uptime_s = h->uptime_s;
    or->seq0_ns = h->seq_sent[0];
    os_scaninfo(sc, h, or);
}

/* findBestFPs: the round whose best match scored highest. */
static void os_best(struct os_result *or)
{
    double best = 0;
    int idx = 0;
    for (int i = 0; i < or->nfps; i++) {
        struct os_matches m;
        os_match(or->db, &or->fps[i], OS_GUESS_THRESHOLD_PCT / 100.0, &m);
        if (m.overall == OS_SUCCESS && m.n > 0 && m.acc[0] > best) {
            best = m.acc[0];
            idx = i;
            if (m.nperfect)
                break;
        }
    }
    os_match(or->db, &or->fps[idx], OS_GUESS_THRESHOLD_PCT / 100.0, &or->m);
}

static int os_pause(struct scan_ctx *sc, uint64_t ns, char *err, size_t errlen)
{
    uint8_t buf[WIRE_MAX_DGRAM];
    uint64_t until = pktio_now(sc->io) + ns;
    for (;;) {
        size_t len;
        uint64_t t;
        int r = pktio_recv(sc->io, buf, sizeof buf, &len, &t, until);
        if (r < 0) {
            snprintf(err, errlen, "receive: %s", sc->io->err);
            return -1;
        }
        if (r == 0)
            return 0;
    }
}

static void os_round_log(struct scan_ctx *sc, struct os_host *h, size_t n, int itry)
{
    if (sc->cfg->verbose <= 0 || !sc->cfg->log)
        return;
    size_t left = 0;
    struct os_host *one = NULL;
    for (size_t i = 0; i < n; i++)
        if (!h[i].done) {
            left++;
            one = &h[i];
        }
    char line[160], who[96];
    if (left == 1) {
        char ip[16];
        uint32_t a = one->res->addr;
        snprintf(ip, sizeof ip, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
        if (one->res->name[0])
            snprintf(who, sizeof who, "%.63s (%s)", one->res->name, ip);
        else
            snprintf(who, sizeof who, "%s", ip);
    } else {
        snprintf(who, sizeof who, "%zu hosts", left);
    }
    snprintf(line, sizeof line, "%s OS detection (try #%d) against %s",
             itry == 0 ? "Initiating" : "Retrying", itry + 1, who);
    os_log(sc, line);
}

static int os_chunk(struct scan_ctx *sc, struct os_round *rd, struct os_host *h, size_t n,
                    char *err, size_t errlen)
{
    const struct scan_config *cfg = sc->cfg;
    int max_tries = cfg->max_os_tries > 0 ? cfg->max_os_tries : OS_MAX_TRIES;
    if (max_tries > OS_MAX_TRIES)
        max_tries = OS_MAX_TRIES;
    double *ratio = calloc(n ? n : 1, sizeof *ratio);
    bool *unmatched = calloc(n ? n : 1, sizeof *unmatched);
    int rc = ratio && unmatched ? 0 : -1;
    if (rc)
        snprintf(err, errlen, "out of memory");
    for (int itry = 0; rc == 0; itry++) {
        size_t left = 0;
        for (size_t i = 0; i < n; i++)
            left += !h[i].done && !unmatched[i];
        if (!left)
            break;
        if (itry > 0 && os_pause(sc, TIMING_MS(itry == 3 ? 2500 : 1000), err, errlen) < 0)
            rc = -1;
        os_round_log(sc, h, n, itry);
        os_reinit(rd);
        for (size_t i = 0; i < n; i++) {
            if (h[i].done || unmatched[i])
                continue;
            osscan_host_reset(&h[i]);
            os_pick_ports(&h[i], rd->rng);
        }
        /* Hosts already finished are kept out of the phases by their done flag. */
        for (size_t i = 0; i < n; i++)
            if (unmatched[i])
                h[i].done = true;
        if (rc == 0)
            rc = osscan_seq_phase(sc, rd, h, n, err, errlen);
        if (rc == 0)
            rc = osscan_tui_phase(sc, rd, h, n, err, errlen);
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (h[i].done)
                continue;
            os_end_round(sc, &h[i], itry, &ratio[i]);
            os_omit(cfg, &h[i], ratio[i], h[i].res->os);
            int tries = h[i].res->os->omit[0] && max_tries > 2 ? 2 : max_tries;
            if (!h[i].done && h[i].res->os->nfps >= tries)
                unmatched[i] = true;
        }
        for (size_t i = 0; i < n; i++)
            if (unmatched[i])
                h[i].done = false;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        if (unmatched[i])
            os_best(h[i].res->os);
    free(ratio);
    free(unmatched);
    return rc;
}

/* OsScanInfo: which up hosts are scanned, which are unreliable. */
static bool os_eligible(struct scan_ctx *sc, struct host_result *r, bool *unreliable)
{
    size_t open = 0, closed = 0, unf = 0;
    for (size_t i = 0; i < r->nports; i++) {
        if (r->ports[i].proto != WIRE_PROTO_TCP)
            continue;
        open += r->ports[i].state == PORT_OPEN;
        closed += r->ports[i].state == PORT_CLOSED;
        unf += r->ports[i].state == PORT_UNFILTERED;
    }
    *unreliable = open == 0 || (closed == 0 && unf == 0);
    if (*unreliable && sc->cfg->osscan_limit) {
        if (sc->cfg->verbose > 0) {
            char line[128];
            uint32_t a = r->addr;
            snprintf(line, sizeof line, "Skipping OS Scan against %u.%u.%u.%u due to absence "
                     "of open (or perhaps closed) ports", a >> 24, (a >> 16) & 255,
                     (a >> 8) & 255, a & 255);
            os_log(sc, line);
        }
        return false;
    }
    return true;
}

int osscan_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
               size_t errlen)
{
    const struct scan_config *cfg = sc->cfg;
    if (!cfg->osdb)
        return 0;
    struct os_host *h = calloc(n ? n : 1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct rng rng;
    rng_seed(&rng, cfg->seed, "osscan");
    struct os_round rd = {.rng = &rng};
    rd.tcp_port_base = (uint16_t)(33000 + rng_below(&rng, OS_PRIME_32K));
    rd.udp_port_base = (uint16_t)(33000 + rng_below(&rng, OS_PRIME_32K));
    uint64_t now = pktio_now(sc->io);
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct host_result *r = hosts[i].res;
        bool unrel;
        if (!r->up || !os_eligible(sc, r, &unrel))
            continue;
        r->os = calloc(1, sizeof *r->os);
        if (!r->os) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        r->os->db = cfg->osdb;
        r->os->unreliable = unrel;
        r->os->guess = cfg->osscan_guess;
        r->os->si = (struct os_scaninfo){-1, -1, -1, false, -1, 0, false, 0};
        h[m] = (struct os_host){.res = r, .timeout = hosts[i].rtt.timeout, .fpr_open = -1,
                                .fpr_closed = -1, .fpr_closed_udp = -1, .last_sent = now};
        m++;
    }
    size_t chunk = cfg->timing.template_level == 4 ? OS_GROUP * 3 / 2 : OS_GROUP;
    if (cfg->timing.template_level > 4 || m <= chunk * 6 / 5)
        chunk = m;
    for (size_t i = 0; i < m && rc == 0; i += chunk)
        rc = os_chunk(sc, &rd, h + i, m - i < chunk ? m - i : chunk, err, errlen);
    for (size_t i = 0; i < m && rc == 0; i++)
        h[i].res->os->si.good = !h[i].res->os->omit[0];
    free(h);
    return rc;
}
