/* passes.h — the scan passes engine.c runs for each host group: discovery, a port scan per
 * protocol, the SEQ probes. Each builds an ultra job (ultra.h) and fills host_result fields.
 */
#ifndef TCPLAB_SCANNER_PASSES_H
#define TCPLAB_SCANNER_PASSES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/rng.h"
#include "scanner/cookie.h"
#include "scanner/engine.h"
#include "scanner/result.h"
#include "scanner/scans/scans.h"
#include "scanner/timing.h"

struct idle_proxy;

/* What every pass of one scan shares. */
struct scan_ctx {
    const struct scan_config *cfg;
    struct pktio *io;
    struct scan_perf perf_tcp, perf_udp;
    struct timing_rate rate;
    struct cookie_key key;
    struct rng ttl_rng;          /* "scan-ttl": probe TTLs 37..59 */
    struct idle_proxy *idle;     /* -sI: the zombie's state across host groups (idle.c) */
};

/* One host of a group as the passes see it. */
struct scan_group_host {
    struct host_result *res;
    struct timing_rtt rtt;       /* carried from pass to pass (discovery -> TCP -> UDP) */
};

/* Host discovery over the group: sets res->up, up_reason, up_reason_ttl and rtt. */
int discovery_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
                  size_t errlen);
/* Port scan of the up hosts given with one scan type. Results go to res->ports[base + i]
 * for port i of `ports` (scan order). */
int portscan_run(struct scan_ctx *sc, const struct scan_ops *ops, struct scan_group_host *hosts,
                 size_t n, const uint16_t *ports, size_t nports, size_t base, char *err,
                 size_t errlen);
/* --seq: six SYNs 100 ms apart to an open TCP port of each host that has one. */
int seqprobe_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
                 size_t errlen);

/* -O: nmap's OS detection of the up hosts (osscan_run.c); res->os per host scanned. */
int osscan_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
               size_t errlen);

/* -sV: nmap's service and version detection of the up hosts' open ports (vscan.c); res->vs
 * per host that has one. */
int vscan_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
              size_t errlen);

uint8_t scan_probe_ttl(struct scan_ctx *sc);

#endif
