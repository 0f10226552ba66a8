/* engine.c — scan_run: the whole scan, host group by host group (nmap.cc nmap_main and
 * scan_engine.cc ultra_scan; docs/facts/nmap.md sections 1, 2, 6).
 *
 * For each group of targets: host discovery (or -Pn: every host up, user-set), then for the
 * up hosts a TCP pass with the chosen scan type and a UDP pass (as nmap runs -sS -sU: one
 * ultra_scan per type), then --seq. Timing learnt in one pass seeds the next. The report
 * lists every target, up or down, its ports sorted by (protocol, port). Groups bound memory:
 * per-probe state is a slot array of group size x ports, allocated once per pass.
 */
#include "scanner/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/match.h"
#include "scanner/osscan.h"
#include "scanner/idle.h"
#include "scanner/passes.h"
#include "scanner/vscan.h"

enum { ENGINE_GROUP_DEFAULT = 256, ENGINE_MAX_SLOTS = 1 << 20 };

void scan_config_init(struct scan_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tcp_scan = SCAN_SYN;
    cfg->timing = (struct scan_timing){
        .template_level = 3, .min_rtt_ns = -1, .max_rtt_ns = -1, .initial_rtt_ns = -1,
        .max_retries = -1, .scan_delay_ns = -1, .max_scan_delay_ns = -1,
        .min_parallelism = -1, .max_parallelism = -1, .host_group = -1,
    };
    cfg->seed = 1;
    cfg->source_port = -1;
    cfg->ttl = -1;
    cfg->version_intensity = 7;
}

void scan_report_free(struct scan_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->hosts && i < r->nhosts; i++) {
        free(r->hosts[i].ports);
        os_result_free(r->hosts[i].os);
        vscan_result_free(r->hosts[i].vs);
    }
    free(r->hosts);
    memset(r, 0, sizeof *r);
}

/* The report lists a host's ports by (protocol, port). Every up host has the same ports in
 * the same places (TCP in cfg->tcp_ports order, then UDP in cfg->udp_ports order; TCP sorts
 * first), so the sorted order is worked out once per scan and each host's results are
 * permuted with it: O(ports) a host, where sorting each host paid O(ports log ports). */
struct engine_order {
    uint32_t *perm;              /* perm[j]: the result that goes to position j */
    struct port_result *tmp;
    size_t n;
};

static void engine_order_free(struct engine_order *o)
{
    free(o->perm);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

static int engine_order_init(struct engine_order *o, const uint16_t *tcp, size_t ntcp,
                             const uint16_t *udp, size_t nudp)
{
    o->n = ntcp + nudp;
    o->perm = malloc((o->n ? o->n : 1) * sizeof *o->perm);
    o->tmp = malloc((o->n ? o->n : 1) * sizeof *o->tmp);
    if (!o->perm || !o->tmp)
        goto oom;
    struct match_index m;
    if (match_index_build(&m, NULL, tcp, ntcp) < 0)
        goto oom;
    memcpy(o->perm, m.idx, ntcp * sizeof *o->perm);
    match_index_free(&m);
    if (match_index_build(&m, NULL, udp, nudp) < 0)
        goto oom;
    for (size_t j = 0; j < nudp; j++)
        o->perm[ntcp + j] = (uint32_t)ntcp + m.idx[j];
    match_index_free(&m);
    return 0;
oom:
    engine_order_free(o);
    return -1;
}

static void engine_sort_ports(const struct engine_order *o, struct host_result *r)
{
    if (r->nports != o->n)
        return;   /* cannot happen: engine_alloc_ports gives every up host o->n results */
    for (size_t j = 0; j < o->n; j++)
        o->tmp[j] = r->ports[o->perm[j]];
    memcpy(r->ports, o->tmp, o->n * sizeof *r->ports);
}

static size_t engine_group_size(const struct scan_config *cfg, size_t nports)
{
    size_t g = cfg->timing.host_group > 0 ? (size_t)cfg->timing.host_group
                                          : ENGINE_GROUP_DEFAULT;
    size_t cap = ENGINE_MAX_SLOTS / (nports ? nports : 1);
    if (cfg->timing.host_group <= 0 && g > cap)
        g = cap;
    return g ? g : 1;
}

static int engine_check(const struct scan_config *cfg, struct pktio *io,
                        const struct scan_ops **tcp_ops, bool *udp, char *err, size_t errlen)
{
    if (!io || !io->ops) {
        snprintf(err, errlen, "no packet I/O backend");
        return -1;
    }
    if (cfg->ntargets && !cfg->targets) {
        snprintf(err, errlen, "target list missing");
        return -1;
    }
    *udp = cfg->udp_scan || cfg->tcp_scan == SCAN_UDP;
    *tcp_ops = NULL;
    if (cfg->tcp_scan != SCAN_NONE && cfg->tcp_scan != SCAN_UDP) {
        *tcp_ops = scan_ops_by_type(cfg->tcp_scan);
        if (!*tcp_ops) {
            snprintf(err, errlen, "unknown scan type %d", (int)cfg->tcp_scan);
            return -1;
        }
    }
    if (cfg->disc.ping_only && cfg->disc.no_ping) {
        snprintf(err, errlen, "-sn and -Pn together leave nothing to do");
        return -1;
    }
    if (*tcp_ops && (*tcp_ops)->type == SCAN_CONNECT && !cfg->disc.ping_only &&
        cfg->ntcp_ports && (!io->ops->stream_connect || !io->ops->stream_poll)) {
        snprintf(err, errlen, "the %s backend cannot make connections (-sT)", io->ops->name);
        return -1;
    }
    if (cfg->svdb && !cfg->disc.ping_only && (!io->ops->stream_open || !io->ops->stream_read ||
                                             !io->ops->stream_write || !io->ops->stream_poll)) {
        snprintf(err, errlen, "the %s backend carries no byte streams: version detection "
                 "(-sV) cannot run over it", io->ops->name);
        return -1;
    }
    return 0;
}

/* Ports scanned per up host: TCP ones first, then UDP, sorted afterwards. */
static int engine_alloc_ports(struct scan_group_host *up, size_t nup, size_t n)
{
    for (size_t h = 0; h < nup; h++) {
        up[h].res->ports = calloc(n ? n : 1, sizeof *up[h].res->ports);
        if (!up[h].res->ports)
            return -1;
        up[h].res->nports = n;
    }
    return 0;
}

static int engine_group(struct scan_ctx *sc, const struct scan_ops *tcp_ops, bool udp,
                        const struct engine_order *order, struct scan_group_host *gh, size_t n,
                        struct scan_group_host *up, char *err, size_t errlen)
{
    const struct scan_config *cfg = sc->cfg;
    uint64_t start = pktio_now(sc->io);
    for (size_t h = 0; h < n; h++) {
        timing_rtt_init(&gh[h].rtt, &sc->perf_tcp);
        gh[h].res->start_ns = start;
        if (cfg->disc.no_ping) {
            gh[h].res->up = true;
            gh[h].res->up_reason = RS_USER_SET;
        }
    }
    if (!cfg->disc.no_ping && discovery_run(sc, gh, n, err, errlen) < 0)
        return -1;
    size_t nup = 0;
    for (size_t h = 0; h < n; h++)
        if (gh[h].res->up)
            up[nup++] = gh[h];
    if (!cfg->disc.ping_only && nup > 0) {
        size_t ntcp = tcp_ops ? cfg->ntcp_ports : 0, nudp = udp ? cfg->nudp_ports : 0;
        if (engine_alloc_ports(up, nup, ntcp + nudp) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        int prc = !ntcp ? 0 : cfg->idle_scan   /* -sI: the idle pass replaces the TCP probes */
                  ? idle_run(sc, up, nup, cfg->tcp_ports, ntcp, 0, err, errlen)
                  : portscan_run(sc, tcp_ops, up, nup, cfg->tcp_ports, ntcp, 0, err, errlen);
        if (prc < 0)
            return prc < -1 ? prc : -1;
        if (nudp && portscan_run(sc, &scan_udp, up, nup, cfg->udp_ports, nudp, ntcp, err,
                                 errlen) < 0)
            return -1;
        for (size_t h = 0; h < nup; h++)
            engine_sort_ports(order, up[h].res);
        if (cfg->svdb && vscan_run(sc, up, nup, err, errlen) < 0)
            return -1;
        if (cfg->seq && !cfg->osdb && seqprobe_run(sc, up, nup, err, errlen) < 0)
            return -1;
        if (cfg->osdb && osscan_run(sc, up, nup, err, errlen) < 0)
            return -1;
    }
    uint64_t end = pktio_now(sc->io);
    for (size_t h = 0; h < nup; h++) {
        struct host_result *r = up[h].res;
        r->srtt_ns = up[h].rtt.have_sample ? up[h].rtt.srtt : 0;
        r->rttvar_ns = up[h].rtt.have_sample ? up[h].rtt.rttvar : 0;
        r->timeout_ns = up[h].rtt.timeout;
    }
    for (size_t h = 0; h < n; h++) {
        struct host_result *r = gh[h].res;
        if (r->end_ns < r->start_ns || r->end_ns == 0 || (r->up && !cfg->disc.ping_only))
            r->end_ns = end;
        if (r->start_ns == 0 || r->start_ns > r->end_ns)
            r->start_ns = start;
    }
    return 0;
}

/* Target i's result before the scan: its address and the name to report. */
static void engine_target(const struct scan_config *cfg, size_t i, struct host_result *r)
{
    memset(r, 0, sizeof *r);
    r->addr = cfg->targets[i];
    const char *name = cfg->target_names ? cfg->target_names[i]
                       : cfg->target_name ? cfg->target_name(cfg->target_name_ctx, r->addr)
                                          : NULL;
    if (name)
        snprintf(r->name, sizeof r->name, "%s", name);
}

int scan_run(const struct scan_config *cfg, struct pktio *io, struct scan_report *out,
             char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const struct scan_ops *tcp_ops;
    bool udp;
    if (engine_check(cfg, io, &tcp_ops, &udp, err, errlen) < 0)
        return -1;
    struct scan_ctx sc = { .cfg = cfg, .io = io };
    if (timing_perf_init(&sc.perf_tcp, &cfg->timing, false, err, errlen) < 0 ||
        timing_perf_init(&sc.perf_udp, &cfg->timing, true, err, errlen) < 0)
        return -1;
    timing_rate_init(&sc.rate);
    cookie_key_init(&sc.key, cfg->seed);
    rng_seed(&sc.ttl_rng, cfg->seed, "scan-ttl");

    out->argv_line = cfg->argv_line;
    out->scan_type = cfg->disc.ping_only ? "ping" : tcp_ops ? tcp_ops->name : udp ? "udp" : "ping";
    if (tcp_ops && cfg->idle_scan && !cfg->disc.ping_only)
        out->scan_type = "idle";
    out->tcp_ports = tcp_ops ? cfg->tcp_ports_str : NULL;
    out->udp_ports = udp ? cfg->udp_ports_str : NULL;
    out->ntcp = tcp_ops ? (int)cfg->ntcp_ports : 0;
    out->nudp = udp ? (int)cfg->nudp_ports : 0;
    out->verbose = cfg->verbose;
    out->reason = cfg->reason;
    out->open_only = cfg->open_only;
    out->ping_only = cfg->disc.ping_only;
    out->osscan = cfg->osdb != NULL && !cfg->disc.ping_only;
    out->vscan = cfg->svdb != NULL && !cfg->disc.ping_only;
    out->seed = cfg->seed;
    out->start_ns = pktio_now(io);
    size_t nports = (tcp_ops ? cfg->ntcp_ports : 0) + (udp ? cfg->nudp_ports : 0);
    size_t gsize = engine_group_size(cfg, nports);
    /* Streaming: one group's results at a time; else every target's. */
    size_t nres = cfg->on_group ? (gsize < cfg->ntargets ? gsize : cfg->ntargets)
                                : cfg->ntargets;
    out->hosts = calloc(nres ? nres : 1, sizeof *out->hosts);
    out->nhosts = cfg->ntargets;
    struct scan_group_host *gh = calloc(gsize, sizeof *gh);
    struct scan_group_host *up = calloc(gsize, sizeof *up);
    struct engine_order order = { 0 };
    int rc = 0;
    if (!out->hosts || !gh || !up ||
        engine_order_init(&order, cfg->tcp_ports, tcp_ops ? cfg->ntcp_ports : 0, cfg->udp_ports,
                          udp ? cfg->nudp_ports : 0) < 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc == 0 && idle_begin(&sc, err, errlen) < 0)   /* -sI: the -Pn warning and pause */
        rc = -1;
    for (size_t g = 0; rc == 0 && g < cfg->ntargets; g += gsize) {
        size_t n = cfg->ntargets - g < gsize ? cfg->ntargets - g : gsize;
        struct host_result *res = cfg->on_group ? out->hosts : out->hosts + g;
        for (size_t h = 0; h < n; h++) {
            engine_target(cfg, g + h, &res[h]);
            gh[h] = (struct scan_group_host){ .res = &res[h] };
        }
        rc = engine_group(&sc, tcp_ops, udp, &order, gh, n, up, err, errlen);
        for (size_t h = 0; rc == 0 && h < n; h++)
            out->nup += res[h].up;
        if (rc == 0 && cfg->on_group) {
            out->end_ns = pktio_now(io);
            struct scan_report hdr = *out;
            hdr.hosts = NULL;
            rc = cfg->on_group(cfg->group_ctx, &hdr, res, n, err, errlen) < 0 ? -1 : 0;
            for (size_t h = 0; h < n; h++) {
                free(res[h].ports);
                os_result_free(res[h].os);
                vscan_result_free(res[h].vs);
                memset(&res[h], 0, sizeof res[h]);
            }
        }
    }
    if (cfg->on_group) {   /* nothing is kept: the report is its header and counts */
        for (size_t h = 0; out->hosts && h < nres; h++) {   /* a group an error cut short */
            free(out->hosts[h].ports);
            os_result_free(out->hosts[h].os);
            vscan_result_free(out->hosts[h].vs);
        }
        free(out->hosts);
        out->hosts = NULL;
    }
    idle_end(&sc);
    engine_order_free(&order);
    free(gh);
    free(up);
    out->end_ns = pktio_now(io);
    if (rc < 0)
        scan_report_free(out);
    return rc;
}
