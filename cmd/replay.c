/* replay.c — `tcplab run SCENARIO --replay SESSION.pcapng`: a bridge session again, on the
 * virtual clock alone.
 *
 * A session file (cmd/bridge.c --pcap) holds every datagram the kernel sent, marked inbound,
 * at the virtual time it entered, and every answer, marked outbound. The replay builds the
 * same bridge core (bridge/bridge.h: the scenario, the seed, the `role scanner` host
 * external), feeds it the inbound datagrams at their recorded times through the same
 * bridge_input (so what the bridge dropped it drops again), runs to the session's end
 * (isb_endtime) and compares each answer with the recorded one, in order: bytes and
 * virtual time. Equal: the real tool's run is now a deterministic regression test, and its
 * transcript (printed by run.c) shows every rule that answered.
 * Returns 0 when every answer matches, 1 at the first difference (said on stderr), -1 on
 * a bad session file or scenario, -2 when something failed to run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/bridge.h"
#include "cmd/cmd.h"
#include "lib/pcapfile.h"
#include "lib/pcapng.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

struct replay_cmp {
    struct pcapng_reader *want;   /* the session's outbound datagrams, read as answers come */
    uint64_t n;                   /* answers so far */
    uint64_t first_diff;          /* 1-based index of the first difference, 0: none */
    char why[256];
};

/* The next recorded outbound datagram; 0 when none is left, -1 on a bad file. */
static int replay_next_out(struct replay_cmp *c, struct pcapng_rec *rec)
{
    int r;
    while ((r = pcapngr_next(c->want, rec)) == 1)
        if (rec->dir == PCAPNG_DIR_OUT)
            return 1;
    return r;
}

static int replay_out(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct replay_cmp *c = ctx;
    c->n++;
    if (c->first_diff)
        return 0;
    struct pcapng_rec rec;
    int r = replay_next_out(c, &rec);
    char have[160];
    wire_summary(have, sizeof have, pkt, len);
    if (r != 1) {
        snprintf(c->why, sizeof c->why, "answer %" PRIu64 " is not in the session: %s", c->n,
                 have);
    } else if (rec.t_ns != t_ns || rec.len != len || memcmp(rec.data, pkt, len)) {
        char want[160];
        wire_summary(want, sizeof want, rec.data, rec.len);
        snprintf(c->why, sizeof c->why, "answer %" PRIu64 " differs: session %.9f %s, replay "
                 "%.9f %s", c->n, (double)rec.t_ns / 1e9, want, (double)t_ns / 1e9, have);
    } else {
        return 0;
    }
    c->first_diff = c->n;
    return 0;
}

/* Feeds the inbound datagrams; returns the time of the last record, or -1 via *bad. */
static uint64_t replay_feed(struct bridge *b, struct pcapng_reader *in, bool *bad)
{
    struct pcapng_rec rec;
    uint64_t last = 0;
    int r;
    while ((r = pcapngr_next(in, &rec)) == 1) {
        if (rec.linktype != PCAPFILE_LINKTYPE_RAW) {
            *bad = true;
            return 0;
        }
        if (rec.t_ns > last)
            last = rec.t_ns;
        if (rec.dir == PCAPNG_DIR_IN)
            bridge_input(b, rec.data, rec.len, rec.t_ns);
    }
    *bad = r < 0;
    return last;
}

static void replay_wire(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    pcapw_write(ctx, t_ns, pkt, len);
}

int cmd_run_replay(const struct scenario *sc, uint64_t seed, const char *session,
                   const unsigned long long *until_ns, struct pcap_writer *pw, struct trace *tr)
{
    char err[512];
    static struct bridge_route routes[BRIDGE_ROUTES_MAX];
    int nroutes = bridge_nets_check(sc, true, routes, BRIDGE_ROUTES_MAX, err, sizeof err);
    if (nroutes < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    struct replay_cmp cmp = { 0 };
    struct pcapng_reader *in = pcapngr_open(session, err, sizeof err);
    if (!in || !(cmp.want = pcapngr_open(session, err, sizeof err))) {
        fprintf(stderr, "tcplab run: --replay: %s\n", err);
        pcapngr_close(in);
        return -1;
    }
    int rc = -2;
    struct bridge *b = bridge_new(sc, seed, routes, nroutes, replay_out, NULL, &cmp, err,
                                  sizeof err);
    if (!b) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (pw)
        sim_set_wiretap(bridge_sim(b), replay_wire, pw);
    bridge_set_trace(b, trace_record, tr);
    bool bad = false;
    uint64_t last = replay_feed(b, in, &bad);
    if (bad) {
        fprintf(stderr, "tcplab run: --replay %s: %s\n", session,
                pcapngr_error(in)[0] ? pcapngr_error(in) : "not a bridge session "
                "(its datagrams are not raw IPv4)");
        rc = -1;
        goto out;
    }
    uint64_t end = last;
    pcapngr_end_time(in, &end);
    bridge_advance(b, until_ns ? *until_ns : end);
    struct pcapng_rec rec;
    int more = cmp.first_diff ? 0 : replay_next_out(&cmp, &rec);
    if (more == 1 && !until_ns) {
        cmp.first_diff = cmp.n + 1;
        snprintf(cmp.why, sizeof cmp.why, "the session has more answers than the replay's %"
                 PRIu64, cmp.n);
    }
    const char *c = pcapngr_section_comment(in);
    if (cmp.first_diff)
        fprintf(stderr, "tcplab run: --replay: %s%s%s\n", cmp.why,
                c[0] ? "; the session says: " : "", c);
    else
        fprintf(stderr, "tcplab run: --replay: %" PRIu64 " answers, identical to the session's, "
                "byte for byte and nanosecond for nanosecond\n", cmp.n);
    rc = cmp.first_diff ? 1 : 0;
out:
    bridge_free(b);
    pcapngr_close(in);
    pcapngr_close(cmp.want);
    return rc;
}
