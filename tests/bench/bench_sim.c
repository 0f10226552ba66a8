/* bench_sim.c — simulated probe round trips per second on one core.
 *
 * What a -sS scan costs the simulator per probe: a prebuilt SYN goes in (sim_inject: copy
 * into a pool slot, parse), crosses the wire (host lookup, queue), the target parses it,
 * verifies checksums, runs its TCP rule and emits a reply with checksums, the reply crosses
 * the wire back and reaches the scanner's tap (then the scanner's own stack, as a kernel
 * behind nmap would: nothing for a RST, a RST back for a SYN-ACK, which the target takes to
 * free its half-open TCB). A reply's parsed form travels beside its bytes in the pool slot
 * (sim/engine.h), so only the injected probe is parsed; that last RST, which no tap or trace
 * reads, travels as its parsed form alone (sim_slot.lazy). No trace, no wiretap: a scan with
 * neither formats nothing. The wall clock is read only here, to time the runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"

enum { BATCH = 256, ROUNDS = 8000, TRIALS = 5 };

/* Rounds of BATCH probes per case; `bench_sim ROUNDS [closed|open]` shortens a run (for
 * callgrind: the difference of two runs' instruction counts over the probes between them
 * is the cost of one round trip, free of setup). */
static int rounds = ROUNDS;

static const char *SCN =
    "net 198.51.100.0/24 delay 100us\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host target 198.51.100.30 os linux tcp 80\n";

static void tap_count(void *ctx, uint64_t t, const uint8_t *pkt, size_t len)
{
    (void)t;
    (void)pkt;
    (void)len;
    ++*(uint64_t *)ctx;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(uint16_t dport, const char *label)
{
    struct scenario sc;
    char err[256];
    if (scenario_parse("bench.scn", SCN, strlen(SCN), &sc, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return -1;
    }
    struct sim *s = sim_new(1);
    if (!s || sim_load(s, &sc, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", s ? err : "out of memory");
        return -1;
    }
    scenario_free(&sc);
    uint32_t scanner = sim_scanner_addr(s), target = 0;
    if (sim_host_lookup(s, "target", &target)) {
        fprintf(stderr, "bench_sim: no host named target\n");
        sim_free(s);
        return -1;
    }
    uint64_t replies = 0;
    sim_set_tap(s, scanner, tap_count, &replies);

    static uint8_t probe[BATCH][64];
    size_t plen[BATCH];
    for (int i = 0; i < BATCH; i++) {
        struct wire_ipv4 ip = { .ttl = 44, .id = (uint16_t)(1000 + i), .proto = WIRE_PROTO_TCP,
                                .src = scanner, .dst = target };
        struct wire_tcp t = { .sport = (uint16_t)(40000 + i), .dport = dport,
                              .seq = 0x1000u * (uint32_t)i, .flags = TCP_SYN, .window = 1024 };
        t.opt.order[t.opt.n++] = TCPOPT_MSS;
        t.opt.mss = 1460;
        plen[i] = wire_emit_tcp(probe[i], sizeof probe[i], &ip, &t);
    }
    /* Warm-up: grows the pool and queue to their working size. */
    for (int i = 0; i < BATCH; i++)
        sim_inject(s, probe[i], plen[i]);
    sim_run(s, UINT64_MAX, NULL);
    /* TRIALS timed runs of rounds / TRIALS rounds each: the best is the machine's speed
     * when nothing else ran (a shared machine's other load only ever slows a run), the
     * median says how much the others varied. */
    double rate[TRIALS];
    int per = rounds / TRIALS > 0 ? rounds / TRIALS : 1;
    for (int k = 0; k < TRIALS; k++) {
        replies = 0;
        double t0 = now_s();
        for (int r = 0; r < per; r++) {
            for (int i = 0; i < BATCH; i++)
                sim_inject(s, probe[i], plen[i]);
            sim_run(s, UINT64_MAX, NULL);
        }
        double dt = now_s() - t0;
        uint64_t n = (uint64_t)per * BATCH;
        if (replies != n) {
            fprintf(stderr, "bench_sim: %s: %llu replies for %llu probes\n", label,
                    (unsigned long long)replies, (unsigned long long)n);
            sim_free(s);
            return -1;
        }
        rate[k] = (double)n / dt / 1e6;
    }
    qsort(rate, TRIALS, sizeof *rate, cmp_double);
    printf("sim: %.2f M probe round trips/s (%s; best of %d, median %.2f)\n",
           rate[TRIALS - 1], label, TRIALS, rate[TRIALS / 2]);
    sim_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (rounds = atoi(argv[1])) <= 0) {
        fprintf(stderr, "usage: bench_sim [ROUNDS [closed|open]]\n");
        return 2;
    }
    const char *only = argc > 2 ? argv[2] : "";
    int rc = 0;
    if (strcmp(only, "open") != 0)
        rc |= run(81, "closed port: SYN -> RST+ACK");
    if (strcmp(only, "closed") != 0)
        rc |= run(80, "open port: SYN -> SYN-ACK, scanner's kernel RSTs it");
    return rc ? 1 : 0;
}
