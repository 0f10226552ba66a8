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

/* With no --until, a run stops when no event is left, or this long after the scenario's
 * last scripted event (a send's or connect's `at`, a close, a traffic's stop), so every
 * scripted event runs; what is still queued then is said on stderr. */
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
    struct trace_stream *ts;
    struct pcap_writer *pw;
};

static void run_view_event(void *ctx, const struct sim_event *ev)
{
    struct run_view *rv = ctx;
    if (!lab_view_sees(rv->view, ev))
        return;
    if (rv->as && (ev->kind != SIM_EV_RECV || ev->host_addr != rv->as_addr))
        return;
    if (rv->ts)
        trace_stream_record(rv->ts, ev);
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
            "  --until T     stop at virtual time T (e.g. 500ms, 10s); default: when idle, at\n"
            "                most 1h after the last scripted event\n"
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
        int lab = cmd_lab_option("run", &o->lab, &o->in_lab, argc, argv, &i);
        if (lab < 0)
            return -1;
        if (lab)
            continue;
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
        fprintf(stderr, "tcplab run: %s ('%s')\n", lab_sel_conflict(&o->lab), o->scenario);
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

/* The time of the scenario's last scripted event: the latest send or connect `at`, close
 * and traffic stop; 0 when it scripts nothing. */
static uint64_t run_last_scripted(const struct scenario *sc)
{
    uint64_t last = 0;
    for (size_t i = 0; i < sc->nsends; i++)
        last = sc->sends[i].at_ns > last ? sc->sends[i].at_ns : last;
    for (size_t i = 0; i < sc->nconnects; i++) {
        const struct scn_connect *c = &sc->connects[i];
        uint64_t t = c->has_close && c->close_ns > c->at_ns ? c->close_ns : c->at_ns;
        last = t > last ? t : last;
    }
    for (size_t i = 0; i < sc->ntraffic; i++)
        last = sc->traffic[i].stop_ns > last ? sc->traffic[i].stop_ns : last;
    return last;
}

static void run_fmt_time(char *buf, size_t cap, uint64_t ns)
{
    snprintf(buf, cap, "%llu.%09llus", (unsigned long long)(ns / 1000000000ULL),
             (unsigned long long)(ns % 1000000000ULL));
}

/* --until T: the scripted events it leaves out (send and connect `at`, traffic start and
 * stop after T), counted, the first one named; nothing is left out silently. */
static void run_say_left_out(const struct scenario *sc, uint64_t until)
{
    size_t n = 0;
    int line = 0;
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < sc->nsends; i++)
        if (sc->sends[i].at_ns > until && (n++, sc->sends[i].at_ns < first))
            first = sc->sends[i].at_ns, line = sc->sends[i].pos.line;
    for (size_t i = 0; i < sc->nconnects; i++) {   /* its open, or only its close */
        const struct scn_connect *c = &sc->connects[i];
        uint64_t t = c->at_ns > until ? c->at_ns : c->has_close ? c->close_ns : 0;
        if (t > until && (n++, t < first))
            first = t, line = c->pos.line;
    }
    for (size_t i = 0; i < sc->ntraffic; i++) {    /* all of it, or what follows T */
        const struct scn_traffic *tr = &sc->traffic[i];
        uint64_t t = tr->start_ns > until ? tr->start_ns : until;
        if (tr->stop_ns > until && (n++, t < first))
            first = t, line = tr->pos.line;
    }
    if (!n)
        return;
    char u[32], f[32];
    run_fmt_time(u, sizeof u, until);
    run_fmt_time(f, sizeof f, first);
    fprintf(stderr, "tcplab run: --until %s left out all or part of %zu scripted event%s (the "
            "first from %s, line %d); a later --until runs %s\n", u, n, n == 1 ? "" : "s", f,
            line, n == 1 ? "it" : "them");
}

/* Why the run stopped, when it may not be the end: --until's left-out scripted events, or
 * events still queued at the default limit. */
static void run_say_stop(const struct run_opts *o, const struct scenario *sc, const struct sim *s)
{
    if (o->has_until) {
        run_say_left_out(sc, o->until_ns);
    } else if (sim_next_time(s) != UINT64_MAX) {
        char t[32];
        run_fmt_time(t, sizeof t, sim_now(s));
        fprintf(stderr, "tcplab run: stopped at %s, an hour after the last scripted event, "
                "with events still queued; --until T runs further\n", t);
    }
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
    /* Each event is written as it happens: text to stdout, JSON into --json's file. */
    struct trace_stream ts;
    trace_stream_init(&ts, text ? stdout : NULL, json_of ? outfile_fp(json_of) : NULL);
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
    struct run_view rv = {.view = &view, .ts = transcript ? &ts : NULL, .pw = pw};
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
            sim_set_trace(s, trace_stream_record, &ts);
    }

    uint64_t limit = o.has_until ? o.until_ns : run_last_scripted(&sc) + RUN_DEFAULT_LIMIT_NS;
    if (o.has_until)
        sim_run_until(s, limit);
    else   /* the clock stays at the last event */
        sim_run(s, limit, NULL);
    if (ts.oom) {
        fprintf(stderr, "tcplab run: out of memory while recording the run\n");
        goto out;
    }
    if ((text && ts.werr) || fflush(stdout)) {
        fprintf(stderr, "tcplab run: writing the transcript: %s\n", strerror(errno));
        goto out;
    }
    if (transcript && ts.n == 0 && !o.as)
        run_say_empty(&sc, &view);
    if (transcript && ts.n == 0 && o.as)
        fprintf(stderr, "tcplab run: nothing reached %s in this run\n", o.as);
    run_say_stop(&o, &sc, s);
    if (json_of) {
        FILE *jf = outfile_fp(json_of);
        int c = ts.jerr || fflush(jf) ? -1 : 0;
        if (c) {
            snprintf(err, sizeof err, "%s: %s", o.json, strerror(errno));
            outfile_abort(json_of);   /* a write failed: nothing of it is kept */
        } else {
            c = outfile_commit(json_of, err, sizeof err);
        }
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
    trace_stream_free(&ts);
    sim_free(s);
    scenario_free(&sc);
    return rc;
}
