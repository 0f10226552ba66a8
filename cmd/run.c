/* run.c — `tcplab run SCENARIO [--pcap FILE] [--seed N] [--until T] [--replay SESSION]`.
 *
 * Loads a scenario (a file, or `default` for the embedded lab network), runs its scripted
 * events on the virtual clock and prints the transcript: one line per event (sim/trace.c).
 * With --pcap every datagram is written once, as it leaves its sender (LINKTYPE_RAW,
 * virtual nanosecond timestamps), and the file appears whole or not at all.
 * Same scenario + seed = same bytes out: nothing here reads a clock. --replay SESSION
 * replays a `tcplab bridge --pcap` session instead (cmd/replay.c): the kernel's datagrams
 * at their recorded virtual times, the answers checked byte for byte (exit 1 if they differ).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/outfile.h"
#include "lib/pcapfile.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

/* With no --until, a run stops when no event is left, or at this virtual time (a scenario
 * whose traffic never stops would otherwise run forever). */
#define RUN_DEFAULT_LIMIT_NS (3600ULL * 1000000000ULL)

struct run_opts {
    const char *scenario, *pcap, *replay;
    int has_seed, has_until;
    unsigned long long seed, until_ns;
};

static void run_usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab run SCENARIO [--pcap FILE] [--seed N] [--until T] [--replay SESSION]\n"
            "\n"
            "Runs a scenario's scripted events (send, connect, traffic) on the virtual clock and\n"
            "prints one line per event: time, kind, host, packet, what the host did and why,\n"
            "its TCB state before -> after, its IP-ID counter and the next ISN it would choose.\n"
            "\n"
            "  SCENARIO      a scenario file, or `default` for the embedded lab network\n"
            "  --pcap FILE   write every datagram as it leaves its sender (LINKTYPE_RAW);\n"
            "                `--pcap -`: the capture alone on stdout, no transcript\n"
            "  --seed N      override the scenario's seed\n"
            "  --until T     stop at virtual time T (e.g. 500ms, 10s); default: when idle (max 1h)\n"
            "  --replay SESSION  replay a `tcplab bridge --pcap` session: the kernel's datagrams\n"
            "                at their recorded times; exit 1 when an answer differs from the\n"
            "                session's (bytes or time), 0 when all are identical\n");
}

static int parse_u64(const char *s, unsigned long long *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return (errno || *end) ? -1 : 0;
}

static int run_parse_args(int argc, char **argv, struct run_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--pcap")) {
            if (!val) goto missing;
            o->pcap = val;
            i++;
        } else if (!strcmp(a, "--replay")) {
            if (!val) goto missing;
            o->replay = val;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (!val) goto missing;
            if (parse_u64(val, &o->seed)) {
                fprintf(stderr, "tcplab run: --seed wants a non-negative integer, got '%s'\n", val);
                return -1;
            }
            o->has_seed = 1;
            i++;
        } else if (!strcmp(a, "--until")) {
            if (!val) goto missing;
            if (cmd_parse_duration(val, 0, &o->until_ns)) {
                fprintf(stderr, "tcplab run: --until wants a time like 500ms or 10s, got '%s'\n", val);
                return -1;
            }
            o->has_until = 1;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "tcplab run: unknown option '%s' (see tcplab run --help)\n", a);
            return -1;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            fprintf(stderr, "tcplab run: one scenario at a time ('%s' and '%s')\n", o->scenario, a);
            return -1;
        }
        continue;
    missing:
        fprintf(stderr, "tcplab run: %s needs a value\n", a);
        return -1;
    }
    if (!o->scenario) {
        run_usage(stderr);
        return -1;
    }
    return 0;
}

static void wiretap_pcap(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct pcap_writer *w = ctx;
    pcapw_write(w, t_ns, pkt, len);   /* errors surface at commit */
}

static int load_scenario(const char *name, struct scenario *sc, char *err, size_t errlen)
{
    if (!strcmp(name, "default"))
        return scenario_parse("default.scn", scenario_default_text, scenario_default_len, sc,
                              err, errlen);
    return scenario_load_file(name, sc, err, errlen);
}

/* --replay: the transcript of the replayed session, then the verdict's exit status. */
static int run_replay(const struct run_opts *o, struct scenario *sc, uint64_t seed)
{
    char err[512];
    struct trace tr;
    trace_init(&tr);
    struct pcap_writer *pw = NULL;
    int rc = 2;
    if (o->pcap && !(pw = pcapw_open(o->pcap, err, sizeof err))) {
        fprintf(stderr, "tcplab run: %s\n", err);
        goto out;
    }
    int r = cmd_run_replay(sc, seed, o->replay, o->has_until ? &o->until_ns : NULL, pw, &tr);
    if (r < 0) {
        rc = r == -1 ? 1 : 2;
        goto out;
    }
    if (tr.oom || trace_write(&tr, stdout) || fflush(stdout)) {
        fprintf(stderr, "tcplab run: writing the transcript failed\n");
        goto out;
    }
    if (pw) {
        int c = pcapw_commit(pw, err, sizeof err);
        pw = NULL;
        if (c) {
            fprintf(stderr, "tcplab run: %s\n", err);
            goto out;
        }
    }
    rc = r;
out:
    pcapw_abort(pw);
    trace_free(&tr);
    scenario_free(sc);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    if (run_parse_args(argc, argv, &o))
        return 1;

    char err[512] = "";
    /* The capture is opened first, so a path that cannot be written fails before any work
     * (lib/outfile.h: devices and FIFOs in place, files whole or not at all). */
    struct outfile *pcap_of = NULL;
    if (o.pcap) {
        outfile_catch_signals();
        if (!(pcap_of = outfile_open(o.pcap, err, sizeof err))) {
            fprintf(stderr, "tcplab run: %s\n", err);
            return 1;
        }
    }
    /* `--pcap -`: stdout carries the capture alone. */
    bool transcript = !pcap_of || !outfile_is_stdout(pcap_of);
    struct scenario sc;
    if (load_scenario(o.scenario, &sc, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        outfile_abort(pcap_of);
        return 1;
    }
    uint64_t seed = o.has_seed ? o.seed : sc.seed;
    if (o.replay)
        return run_replay(&o, &sc, seed);
    struct sim *s = sim_new(seed);
    if (!s) {
        fprintf(stderr, "tcplab run: out of memory\n");
        scenario_free(&sc);
        outfile_abort(pcap_of);
        return 2;
    }
    int rc = 2;
    struct trace tr;
    trace_init(&tr);
    struct pcap_writer *pw = NULL;
    if (sim_load(s, &sc, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        rc = 1;
        goto out;
    }
    if (pcap_of && !(pw = pcapw_open_on(pcap_of, err, sizeof err))) {
        fprintf(stderr, "tcplab run: %s\n", err);
        goto out;
    }
    if (pw)
        sim_set_wiretap(s, wiretap_pcap, pw);
    if (transcript)
        sim_set_trace(s, trace_record, &tr);

    uint64_t limit = o.has_until ? o.until_ns : RUN_DEFAULT_LIMIT_NS;
    if (o.has_until)
        sim_run_until(s, limit);
    else   /* the clock stays at the last event */
        sim_run(s, limit, NULL);
    if (tr.oom) {
        fprintf(stderr, "tcplab run: out of memory while recording the run\n");
        goto out;
    }
    if (trace_write(&tr, stdout) || fflush(stdout)) {
        fprintf(stderr, "tcplab run: writing the transcript: %s\n", strerror(errno));
        goto out;
    }
    if (pw) {
        int c = pcapw_end(pw, err, sizeof err);
        pw = NULL;
        if (c == 0) {
            c = outfile_commit(pcap_of, err, sizeof err);
            pcap_of = NULL;
        }
        if (c) {
            fprintf(stderr, "tcplab run: %s\n", err);
            goto out;
        }
    }
    rc = 0;
out:
    if (pw)
        pcapw_abort(pw);
    outfile_abort(pcap_of);
    trace_free(&tr);
    sim_free(s);
    scenario_free(&sc);
    return rc;
}
