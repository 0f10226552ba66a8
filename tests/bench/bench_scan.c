/* bench_scan.c — probes per second of whole simulated scans, scanner and simulator together.
 *
 * What `tcplab scan` costs per probe once options are parsed and before anything is printed:
 * scan_run() (scanner/engine.c) over the sim backend, with a thin pktio wrapper that counts
 * the datagrams the scanner sends (first tries and retransmissions). Two shapes:
 *   - one host, every port (-sS -p- -T5 -Pn): the engine, the cookies, the probe builder and
 *     the simulated Linux stack, 65535 times; tests/bench/scan_bench.sh times the same scan as
 *     a whole command against real nmap;
 *   - a /16 on 10 ports (-sS -T5 -Pn): 65536 hosts in groups of 256, five of them up, the
 *     rest silent (every probe times out and is retried): the scheduler's timeouts and
 *     retransmissions over many hosts.
 * Best of 3 runs, each on a fresh simulation. The wall clock is read only here, around
 * scan_run. A wrong scan result fails the program: a fast broken scan is no figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/wire.h"
#include "scanner/engine.h"
#include "pktio/pktio.h"
#include "pktio/pktio_sim.h"
#include "sim/scenario.h"

enum { RUNS = 3 };

/* tests/bench/net16.scn, embedded so the program runs from any directory. */
static const char *NET16 =
    "scenario \"bench: a /16 with a few hosts\"\n"
    "net 198.18.0.0/16 delay 500us loss 0%\n"
    "host scanner 198.18.0.1 role scanner os linux\n"
    "host web 198.18.0.20 os linux tcp 22,80,443\n"
    "host db 198.18.7.40 os linux tcp 22,3306\n"
    "host print 198.18.100.30 os printer tcp 80,515,631,9100\n"
    "host win 198.18.200.50 os windows tcp 135,139,445\n";

/* The counting wrapper: every datagram the scanner sends is one probe. */
struct bench_io {
    struct pktio io;
    uint64_t sent;
};

static int bench_send(struct pktio *io, const uint8_t *d, size_t n)
{
    ((struct bench_io *)io->ctx)->sent++;
    return pktio_send(io->inner, d, n);
}

static int bench_recv(struct pktio *io, uint8_t *b, size_t cap, size_t *n, uint64_t *t,
                      uint64_t dl)
{
    return pktio_recv(io->inner, b, cap, n, t, dl);
}

static uint64_t bench_now(struct pktio *io) { return pktio_now(io->inner); }

static void bench_close(struct pktio *io) { pktio_close(io->inner); }

static const struct pktio_ops bench_ops = {
    .name = "bench", .send = bench_send, .recv = bench_recv, .now = bench_now,
    .close = bench_close,
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One timed scan_run on a fresh simulation of sc (NULL: the default network). Returns the
 * seconds taken, or -1; *probes and *open get the datagrams sent and the open ports found. */
static double bench_once(const struct scenario *sc, const struct scan_config *cfg,
                         uint64_t *probes, size_t *open)
{
    char err[256];
    struct pktio *inner = sc ? pktio_sim_open_scenario(sc, 1, err, sizeof err)
                             : pktio_sim_open(NULL, NULL, err, sizeof err);
    if (!inner) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return -1;
    }
    struct bench_io b = { .io = { .ops = &bench_ops, .inner = inner, .src_addr = inner->src_addr,
                                  .is_sim = true } };
    b.io.ctx = &b;
    struct scan_report rep;
    double t0 = now_s();
    int rc = scan_run(cfg, &b.io, &rep, err, sizeof err);
    double dt = now_s() - t0;
    pktio_close(inner);
    if (rc < 0) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return -1;
    }
    *probes = b.sent;
    *open = 0;
    for (size_t h = 0; h < rep.nhosts; h++)
        for (size_t i = 0; i < rep.hosts[h].nports; i++)
            *open += rep.hosts[h].ports[i].state == PORT_OPEN;
    scan_report_free(&rep);
    return dt;
}

/* Best of RUNS; -1 on failure or when the scan did not find `want_open` open ports. */
static int bench_run(const char *label, const struct scenario *sc, const struct scan_config *cfg,
                     size_t want_open)
{
    double best = -1;
    uint64_t probes = 0;
    for (int r = 0; r < RUNS; r++) {
        size_t open;
        double dt = bench_once(sc, cfg, &probes, &open);
        if (dt < 0)
            return -1;
        if (open != want_open) {
            fprintf(stderr, "bench_scan: %s: %zu open ports found, expected %zu\n", label, open,
                    want_open);
            return -1;
        }
        if (best < 0 || dt < best)
            best = dt;
    }
    printf("scan: %s: %llu probes in %.3f s (scan engine + simulator, best of %d): "
           "%.2f M probes/s\n", label, (unsigned long long)probes, best, RUNS,
           (double)probes / best / 1e6);
    return 0;
}

int main(void)
{
    int rc = 0;
    struct scan_config cfg;

    /* One host, every port: `tcplab scan -sS -p- -T5 -n -Pn web` of the default network. */
    uint16_t *all = malloc(65535 * sizeof *all);
    if (!all)
        return 1;
    for (uint32_t i = 0; i < 65535; i++)   /* a stride coprime to 65535: a shuffle, as ports_order */
        all[i] = (uint16_t)(1 + (i * 40507u) % 65535u);
    uint32_t web;
    wire_ip_parse("198.51.100.20", &web);
    scan_config_init(&cfg);
    cfg.targets = &web;
    cfg.ntargets = 1;
    cfg.tcp_ports = all;
    cfg.ntcp_ports = 65535;
    cfg.timing.template_level = 5;
    cfg.disc.no_ping = true;
    rc |= bench_run("-sS -p- -T5 -Pn, one simulated host", NULL, &cfg, 3);

    /* A /16 on 10 ports. */
    struct scenario sc;
    char err[256];
    if (scenario_parse("net16.scn", NET16, strlen(NET16), &sc, err, sizeof err) < 0) {
        fprintf(stderr, "bench_scan: %s\n", err);
        free(all);
        return 1;
    }
    static const uint16_t ten[] = { 445, 22, 631, 80, 3306, 135, 9100, 443, 139, 515 };
    uint32_t *net = malloc(65536 * sizeof *net);
    if (!net) {
        scenario_free(&sc);
        free(all);
        return 1;
    }
    for (uint32_t i = 0; i < 65536; i++)
        net[i] = (198u << 24 | 18u << 16) + i;
    scan_config_init(&cfg);
    cfg.targets = net;
    cfg.ntargets = 65536;
    cfg.tcp_ports = ten;
    cfg.ntcp_ports = sizeof ten / sizeof ten[0];
    cfg.timing.template_level = 5;
    cfg.disc.no_ping = true;
    /* open: web 3, db 2, print 4, win 3 (windows answers SYNs like any stack) */
    rc |= bench_run("-sS -T5 -Pn, 10 ports x 198.18.0.0/16 (5 hosts exist)", &sc, &cfg, 12);
    scenario_free(&sc);
    free(net);
    free(all);
    return rc ? 1 : 0;
}
