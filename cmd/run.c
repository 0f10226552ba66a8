/* run.c — `tcplab run SCENARIO [--pcap FILE] [--json FILE] [--as HOST] [--seed N] [--until T]`, or
 * `tcplab run --lab NAME --student ID ...` for a student's variant of a lab.
 *
 * Loads a scenario (a file, its `${...}` parameters at their defaults; `default` for the
 * embedded lab network; or a lab's variant, lab/lab.h), runs its scripted events on the
 * virtual clock and prints the transcript: one line per event (sim/trace.c). With --pcap
 * every datagram is written once, as it leaves its sender (LINKTYPE_RAW, virtual nanosecond
 * timestamps), and the file appears whole or not at all. In a lab the student sees only
 * what their own host sends and receives (lab_view_sees), in the transcript and the capture
 * alike; --instructor shows everything. --as HOST keeps only what HOST receives (its RECV
 * events: an off-path observer's whole view); --json writes the same events as JSON lines
 * (sim/trace_json.c). Same scenario + seed = same bytes out: nothing here
 * reads a clock. --replay SESSION replays a `tcplab bridge --pcap` session (cmd/replay.c):
 * the kernel's datagrams at their recorded times, answers checked byte for byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lab/lab.h"
#include "lib/outfile.h"
#include "lib/pcapfile.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

/* With no --until, a run stops when no event is left, or at this virtual time (a scenario
 * whose traffic never stops would otherwise run forever). */
#define RUN_DEFAULT_LIMIT_NS (3600ULL * 1000000000ULL)

struct run_opts {
    const char *scenario, *pcap, *replay, *json, *as;
    int has_seed, has_until;
    unsigned long long seed, until_ns;
    struct lab_sel lab;
    bool in_lab;             /* any lab option given */
};

/* The student's view between the simulator and the trace: only events the student's host
 * observes are recorded, and the capture holds the datagrams of those events. */
struct run_view {
    const struct lab_view *view;
    bool as;                 /* --as: only the RECV events of the host at as_addr */
    uint32_t as_addr;
    struct trace *tr;
    struct pcap_writer *pw;
};

static void run_view_event(void *ctx, const struct sim_event *ev)
{
    struct run_view *rv = ctx;
    if (!lab_view_sees(rv->view, ev))
        return;
    if (rv->as && (ev->kind != SIM_EV_RECV || ev->host_addr != rv->as_addr))
        return;
    if (rv->tr)
        trace_record(rv->tr, ev);
    if (rv->pw && ev->pkt && (ev->kind == SIM_EV_SEND || ev->kind == SIM_EV_RECV))
        pcapw_write(rv->pw, ev->t_ns, ev->pkt, ev->len);
}

static void run_usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab run SCENARIO [--pcap FILE] [--json FILE] [--as HOST] [--seed N]\n"
            "                  [--until T] [--replay SESSION]\n"
            "       tcplab run --lab NAME --student ID [--pcap FILE] [--json FILE] [--until T]\n"
            "\n"
            "Runs a scenario's scripted events (send, connect, traffic) on the virtual clock and\n"
            "prints one line per event: time, kind, host, packet, what the host did and why,\n"
            "its TCB state before -> after, its IP-ID counter and the next ISN it would choose.\n"
            "\n"
            "  SCENARIO      a scenario file, or `default` for the embedded lab network\n"
            "  --pcap FILE   write every datagram as it leaves its sender (LINKTYPE_RAW);\n"
            "                `--pcap -`: the capture alone on stdout, no transcript\n"
            "  --json FILE   the transcript as JSON lines, one object per event\n"
            "                (docs/json-schema.md); `--json -`: on stdout instead of the text\n"
            "  --as HOST     only what HOST receives: its arrivals, with their times (the\n"
            "                off-path view of a student at HOST); the capture likewise\n"
            "  --seed N      override the scenario's seed\n"
            "  --until T     stop at virtual time T (e.g. 500ms, 10s); default: when idle (max 1h)\n"
            "  --lab NAME    a lab's scenario (tcplab lab list), the variant of --student ID or\n"
            "                of --ticket FILE; the transcript and capture show only what the\n"
            "                student's host sends and receives\n"
            "  --instructor  in a lab, show everything (needs --course-key FILE if one is set)\n"
            "  --labs DIR    labs from DIR first (also $TCPLAB_LABS)\n"
            "  --replay SESSION  replay a `tcplab bridge --pcap` session: the kernel's datagrams\n"
            "                at their recorded times; exit 1 when an answer differs from the\n"
            "                session's (bytes or time), 0 when all are identical\n");
}

static int run_parse_args(int argc, char **argv, struct run_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        char lerr[256];
        int used = lab_sel_option(&o->lab, argc, argv, i, lerr, sizeof lerr);
        if (used < 0) {
            fprintf(stderr, "tcplab run: %s\n", lerr);
            return -1;
        }
        if (used) {
            o->in_lab = true;
            i += used - 1;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--pcap")) {
            if (!val) goto missing;
            o->pcap = val;
            i++;
        } else if (!strcmp(a, "--json")) {
            if (!val) goto missing;
            o->json = val;
            i++;
        } else if (!strcmp(a, "--as")) {
            if (!val) goto missing;
            o->as = val;
            i++;
        } else if (!strcmp(a, "--replay")) {
            if (!val) goto missing;
            o->replay = val;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (!val) goto missing;
            if (cmd_parse_uint(val, UINT64_MAX, &o->seed)) {
                fprintf(stderr, "tcplab run: --seed wants a non-negative integer, got '%s'\n", val);
                return -1;
            }
            o->has_seed = 1;
            i++;
        } else if (!strcmp(a, "--until")) {
            if (!val) goto missing;
            if (cmd_parse_duration(val, 1, &o->until_ns)) {
                fprintf(stderr, "tcplab run: --until wants a time like 500ms, 10s or 5 (seconds), got '%s'\n", val);
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
    if (o->in_lab && o->scenario) {
        fprintf(stderr, "tcplab run: a lab brings its own scenario; give --lab or '%s', not "
                "both\n", o->scenario);
        return -1;
    }
    if (!o->scenario && !o->in_lab) {
        run_usage(stderr);
        return -1;
    }
    if (o->pcap && o->json && !strcmp(o->pcap, "-") && !strcmp(o->json, "-")) {
        fprintf(stderr, "tcplab run: --pcap - and --json - both want stdout; give one a file\n");
        return -1;
    }
    if (o->replay && (o->json || o->as)) {
        fprintf(stderr, "tcplab run: --replay prints the replayed session; --json and --as are "
                "for a scenario's own run\n");
        return -1;
    }
    return 0;
}

static void wiretap_pcap(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct pcap_writer *w = ctx;
    pcapw_write(w, t_ns, pkt, len);   /* errors surface at commit */
}

int cmd_load_scenario(const char *cmd, const char *scenario, const struct lab_sel *lab,
                      struct scenario *sc, struct lab_view *view, char *err, size_t errlen)
{
    memset(view, 0, sizeof *view);
    if (lab) {
        int n = snprintf(err, errlen, "tcplab %s: ", cmd);
        return lab_open(lab, sc, view, err + n, errlen - (size_t)n) ? -1 : 0;
    }
    if (!strcmp(scenario, "default"))
        return scenario_parse("default.scn", scenario_default_text, scenario_default_len, sc,
                              err, errlen);
    return lab_scenario_file(scenario, sc, err, errlen);
}

static int load_scenario(const struct run_opts *o, struct scenario *sc, struct lab_view *view,
                         char *err, size_t errlen)
{
    return cmd_load_scenario("run", o->scenario, o->in_lab ? &o->lab : NULL, sc, view, err,
                             errlen);
}

/* A run in which nothing happened says so, and what to do instead. */
static void run_say_empty(const struct scenario *sc, const struct lab_view *view)
{
    if (view->restricted)
        fprintf(stderr, "tcplab run: nothing reached or left %s, the student's host, in this "
                "run; the lab's worksheet says what to do (tcplab lab show)\n", view->host);
    else if (!sc->nsends && !sc->nconnects && !sc->ntraffic)
        fprintf(stderr, "tcplab run: %s has no scripted events (send, connect, traffic), so "
                "nothing happened; scan it instead, e.g. tcplab scan%s%s -sS --reason TARGET\n",
                sc->file[0] ? sc->file : "the scenario", strcmp(sc->file, "default.scn") ?
                " --sim " : "", strcmp(sc->file, "default.scn") ? sc->file : "");
    else
        fprintf(stderr, "tcplab run: no event happened before the time limit\n");
}

/* --as HOST: a host name or an address of the scenario; in a lab with a restricted view,
 * the student's own host only. 0, or -1 with a message. */
static int run_as_host(const struct sim *s, const struct lab_view *view, const char *host,
                       uint32_t *addr)
{
    if (sim_host_lookup(s, host, addr) && (wire_ip_parse(host, addr) || !sim_host_name(s, *addr))) {
        fprintf(stderr, "tcplab run: --as %s: no such host in the scenario\n", host);
        return -1;
    }
    if (view->restricted && *addr != view->addr) {
        fprintf(stderr, "tcplab run: --as %s: in this lab you see what %s receives, not "
                "another host\n", host, view->host);
        return -1;
    }
    return 0;
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
    struct outfile *json_of = NULL;
    if (o.json) {
        outfile_catch_signals();
        if (!(json_of = outfile_open(o.json, err, sizeof err))) {
            fprintf(stderr, "tcplab run: %s\n", err);
            outfile_abort(pcap_of);
            return 1;
        }
    }
    /* `--pcap -` or `--json -`: stdout carries that alone. */
    bool text = (!pcap_of || !outfile_is_stdout(pcap_of)) &&
                (!json_of || !outfile_is_stdout(json_of));
    bool transcript = text || json_of;
    struct scenario sc;
    struct lab_view view;
    if (load_scenario(&o, &sc, &view, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        outfile_abort(pcap_of);
        outfile_abort(json_of);
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
        outfile_abort(json_of);
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
    struct run_view rv = {.view = &view, .tr = transcript ? &tr : NULL, .pw = pw};
    if (o.as && run_as_host(s, &view, o.as, &rv.as_addr)) {
        rc = 1;
        goto out;
    }
    rv.as = o.as != NULL;
    if (view.restricted || rv.as) {
        sim_set_trace(s, run_view_event, &rv);
    } else {
        if (pw)
            sim_set_wiretap(s, wiretap_pcap, pw);
        if (transcript)
            sim_set_trace(s, trace_record, &tr);
    }

    uint64_t limit = o.has_until ? o.until_ns : RUN_DEFAULT_LIMIT_NS;
    if (o.has_until)
        sim_run_until(s, limit);
    else   /* the clock stays at the last event */
        sim_run(s, limit, NULL);
    if (tr.oom) {
        fprintf(stderr, "tcplab run: out of memory while recording the run\n");
        goto out;
    }
    if (transcript && tr.n == 0 && !o.as)
        run_say_empty(&sc, &view);
    if (transcript && tr.n == 0 && o.as)
        fprintf(stderr, "tcplab run: nothing reached %s in this run\n", o.as);
    if ((text && trace_write(&tr, stdout)) || fflush(stdout)) {
        fprintf(stderr, "tcplab run: writing the transcript: %s\n", strerror(errno));
        goto out;
    }
    if (json_of) {
        FILE *jf = outfile_fp(json_of);
        int c = trace_json_write(&tr, jf) || fflush(jf) ? -1 : 0;
        if (c)
            snprintf(err, sizeof err, "%s: %s", o.json, strerror(errno));
        else
            c = outfile_commit(json_of, err, sizeof err);
        json_of = NULL;
        if (c) {
            fprintf(stderr, "tcplab run: %s\n", err);
            goto out;
        }
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
    outfile_abort(json_of);
    trace_free(&tr);
    sim_free(s);
    scenario_free(&sc);
    return rc;
}
