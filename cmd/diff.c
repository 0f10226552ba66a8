/* diff.c — `tcplab diff A.scn [B.scn] [--as HOST] [--set CHANGE]... [-- COMMAND...]`:
 * where two runs part.
 *
 * Runs A and B (two scenarios; one scenario, B with changes; or a lab's variant twice with a
 * hidden fact set to two values) with the same seed and limit, and prints the first event
 * where they part, as diff -u prints a hunk: context, each side's event, what differs
 * (sim/rundiff.h). With --as HOST only what HOST receives is compared, arrival times
 * included: what an off-path observer at HOST can tell apart. With a COMMAND, the same
 * script runs attached to each run (as `tcplab attach` runs it, playing --as HOST, by
 * default the scenario's scanner or the lab's student host): a reactive probe whose
 * answers tell the runs apart, or do not. Exit status as diff(1): 0 the same, 1 different
 * (the command's exit status differing counts), 2 trouble (bad usage or input, a command
 * that cannot run or breaks the protocol).
 * The runs and the changes are lab/whatif.h's, which the TUI's what-if uses too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/attach.h"
#include "cmd/cmd.h"
#include "lab/whatif.h"
#include "sim/rundiff.h"

struct diff_opts {
    const char *file[2];
    size_t nfiles;
    const char *as;
    bool has_seed, has_until, quiet;
    unsigned long long seed, until_ns, context;
    struct lab_sel lab;
    bool in_lab;
    struct whatif_change ch[2][WHATIF_MAX];   /* [0] run A, [1] run B */
    size_t nch[2];
    char **argv;                              /* -- COMMAND [ARGS...], or NULL */
    int argc;
};

static void diff_usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab diff A.scn B.scn [--as HOST] [--seed N] [--until T] [--set CHANGE]...\n"
            "                   [-- COMMAND [ARGS...]]\n"
            "       tcplab diff A.scn --set CHANGE... [--as HOST]      (B: A changed)\n"
            "       tcplab diff --lab NAME --student ID --set-a CHANGE --set-b CHANGE [--as HOST]\n"
            "\n"
            "Runs A and B on the virtual clock and prints the first event where they part:\n"
            "the events before it, each side's event and the ones after, and what differs.\n"
            "With -- COMMAND, the same script runs attached to both runs (as tcplab attach\n"
            "runs it, playing --as HOST); its own output goes to stderr.\n"
            "Exit status: 0 the same, 1 different, 2 trouble.\n"
            "\n"
            "  --as HOST       compare only what HOST receives (its arrivals, with their\n"
            "                  times): what an off-path observer there can tell apart\n"
            "  --seed N        both runs with seed N (else each scenario's own)\n"
            "  --until T       stop both at virtual time T (default: when idle, at most 1h)\n"
            "  --set CHANGE    change run B (also --set-b); --set-a CHANGE changes run A.\n"
            "                  CHANGE: NAME=VALUE (a lab parameter, a hidden fact),\n"
            "                  HOST.KEY=VALUE (a host key: server.isn=rfc6528,\n"
            "                  zombie.ipid=per-dest, server.down=yes), seed=N, or\n"
            "                  'line N=TEXT' (line N of the file replaced; empty: removed)\n"
            "  --context N     events of context around the parting (default 3)\n"
            "  -q              print nothing; the exit status says\n"
            "  --lab NAME      a lab's variant (--student ID or --ticket FILE); its view\n"
            "                  applies, and a hidden fact must be set on both sides\n"
            "  --instructor, --labs DIR, --course-key FILE   as for tcplab run\n");
}

static int diff_change(struct diff_opts *o, int side, const char *spec)
{
    char err[400];
    if (o->nch[side] == WHATIF_MAX) {
        fprintf(stderr, "tcplab diff: at most %d changes per run\n", WHATIF_MAX);
        return -1;
    }
    if (whatif_parse(spec, &o->ch[side][o->nch[side]], err, sizeof err)) {
        fprintf(stderr, "tcplab diff: %s\n", err);
        return -1;
    }
    o->nch[side]++;
    return 0;
}

/* One option at argv[i] with its value val; returns the arguments used, or -1. */
static int diff_option(struct diff_opts *o, const char *a, const char *val)
{
    static const char *const withval[] = {"--as", "--seed", "--until", "--set", "--set-b",
                                          "--set-a", "--context"};
    bool wants = false;
    for (size_t k = 0; k < sizeof withval / sizeof *withval; k++)
        wants |= !strcmp(a, withval[k]);
    if (wants && !val) {
        fprintf(stderr, "tcplab diff: %s needs a value\n", a);
        return -1;
    }
    if (!strcmp(a, "--as")) {
        o->as = val;
    } else if (!strcmp(a, "--seed")) {
        if (cmd_parse_uint(val, UINT64_MAX, &o->seed)) {
            fprintf(stderr, "tcplab diff: --seed wants a non-negative integer, got '%s'\n", val);
            return -1;
        }
        o->has_seed = true;
    } else if (!strcmp(a, "--until")) {
        if (cmd_parse_duration(val, 1, &o->until_ns)) {
            fprintf(stderr, "tcplab diff: --until wants a time like 500ms, 10s or 5 (seconds), "
                    "got '%s'\n", val);
            return -1;
        }
        o->has_until = true;
    } else if (!strcmp(a, "--set") || !strcmp(a, "--set-b") || !strcmp(a, "--set-a")) {
        if (diff_change(o, strcmp(a, "--set-a") ? 1 : 0, val))
            return -1;
    } else if (!strcmp(a, "--context")) {
        if (cmd_parse_uint(val, 1000, &o->context)) {
            fprintf(stderr, "tcplab diff: --context wants 0 to 1000, got '%s'\n", val);
            return -1;
        }
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        o->quiet = true;
        return 1;
    } else {
        fprintf(stderr, "tcplab diff: unknown option '%s' (see tcplab diff --help)\n", a);
        return -1;
    }
    return 2;
}

static int diff_parse_args(int argc, char **argv, struct diff_opts *o)
{
    memset(o, 0, sizeof *o);
    o->context = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int lab = cmd_lab_option("diff", &o->lab, &o->in_lab, argc, argv, &i);
        if (lab < 0)
            return -1;
        if (lab)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            diff_usage(stdout);
            exit(0);
        }
        if (!strcmp(a, "--")) {
            o->argv = argv + i + 1;
            o->argc = argc - i - 1;
            if (!o->argc) {
                fprintf(stderr, "tcplab diff: no command after --, e.g. -- python3 probe.py\n");
                return -1;
            }
            break;
        }
        if (a[0] == '-' && a[1]) {
            int used = diff_option(o, a, i + 1 < argc ? argv[i + 1] : NULL);
            if (used < 0)
                return -1;
            i += used - 1;
        } else if (o->nfiles < 2) {
            o->file[o->nfiles++] = a;
        } else {
            fprintf(stderr, "tcplab diff: two scenarios at most ('%s', '%s' and '%s')\n",
                    o->file[0], o->file[1], a);
            return -1;
        }
    }
    if (o->in_lab && o->nfiles) {
        fprintf(stderr, "tcplab diff: %s\n", lab_sel_conflict(&o->lab));
        return -1;
    }
    if (!o->in_lab && !o->nfiles) {
        diff_usage(stderr);
        return -1;
    }
    if (o->nfiles < 2 && !o->nch[0] && !o->nch[1]) {
        fprintf(stderr, "tcplab diff: one run and nothing changed: give B.scn, or --set CHANGE "
                "for run B\n");
        return -1;
    }
    for (size_t i = 0; i < o->nfiles; i++)
        if (!strcmp(o->file[i], "-") && o->nfiles == 1) {
            fprintf(stderr, "tcplab diff: a scenario on standard input can be run once only; "
                    "give a file\n");
            return -1;
        }
    return 0;
}

/* "scenarios/x.scn with server.isn=rfc6528 (seed 7)". */
static void diff_label(const struct diff_opts *o, int side, const struct whatif_run *r,
                       char *out, size_t cap)
{
    int n;
    if (o->in_lab)
        n = snprintf(out, cap, "lab %s, student %s", o->lab.lab ? o->lab.lab : "(ticket)",
                     o->lab.student ? o->lab.student : "(ticket)");
    else
        n = snprintf(out, cap, "%s", o->file[o->nfiles == 2 ? side : 0]);
    for (size_t i = 0; i < o->nch[side] && n > 0 && (size_t)n < cap; i++) {
        char f[320];
        whatif_format(&o->ch[side][i], f, sizeof f);
        n += snprintf(out + n, cap - (size_t)n, "%s%s", i ? ", " : " with ", f);
    }
    /* In a restricted lab the seed may be a hidden fact: not printed unless given. */
    if (n > 0 && (size_t)n < cap && (!r->view.restricted || o->has_seed))
        snprintf(out + n, cap - (size_t)n, " (seed %llu)", (unsigned long long)r->seed);
}

/* -- COMMAND: the script attached to one run (cmd/attach_run.c), then the run on to
 * --until or idle as tcplab attach does. */
struct diff_script {
    const struct diff_opts *o;
    int status[2];
    int runs;
};

static int diff_drive(void *ctx, struct sim *s, const struct lab_view *view, uint64_t seed,
                      char *err, size_t errlen)
{
    struct diff_script *d = ctx;
    const char *run = d->runs ? "B" : "A";
    struct attach_opts ao = { .as = d->o->as, .argv = d->o->argv, .argc = d->o->argc,
                              .has_until = d->o->has_until, .until_ns = d->o->until_ns,
                              .stdout_to_stderr = true,
                              .who = d->runs ? "tcplab diff: run B" : "tcplab diff: run A" };
    if (attach_resolve_as("diff", &ao, s, view)) {
        snprintf(err, errlen, "run %s: no host for the command to play", run);
        return 1;
    }
    struct attach_out out = { .view = view };
    int r = attach_spawn(&ao, s, &out, seed);
    if (r < 0 || r == 127) {
        snprintf(err, errlen, "run %s: %s", run, r == 127 ? "the command could not be run"
                                                          : "the command's session failed");
        return 2;
    }
    d->status[d->runs++] = r;
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    struct diff_opts o;
    if (diff_parse_args(argc, argv, &o))
        return 2;
    struct diff_script script = { .o = &o };
    struct whatif_src src[2];
    for (int s = 0; s < 2; s++) {
        memset(&src[s], 0, sizeof src[s]);
        src[s].file = o.in_lab ? NULL : o.file[o.nfiles == 2 ? s : 0];
        src[s].lab = o.lab;
        src[s].has_seed = o.has_seed;
        src[s].seed = o.seed;
        src[s].has_until = o.has_until;
        src[s].until_ns = o.until_ns;
        if (o.argv) {
            src[s].drive = diff_drive;
            src[s].drive_ctx = &script;
        }
    }
    struct whatif_run a, b;
    struct rundiff_view view;
    struct rundiff d;
    char err[1024] = "";
    int rc = whatif_diff(&src[0], o.ch[0], o.nch[0], &src[1], o.ch[1], o.nch[1], o.as, &a, &b,
                         &view, &d, err, sizeof err);
    if (rc) {
        fprintf(stderr, "tcplab diff: %s\n", err);
        whatif_run_free(&a);
        whatif_run_free(&b);
        return 2;
    }
    bool status_differs = o.argv && script.status[0] != script.status[1];
    rc = d.same && !status_differs ? 0 : 1;
    if (!o.quiet) {
        char la[1024], lb[1024];
        diff_label(&o, 0, &a, la, sizeof la);
        diff_label(&o, 1, &b, lb, sizeof lb);
        if (rundiff_write(stdout, &a.tr, &b.tr, &view, &d, la, lb, o.as, (int)o.context) ||
            fflush(stdout)) {
            fprintf(stderr, "tcplab diff: writing the report failed\n");
            rc = 2;
        }
        if (status_differs && rc != 2)
            printf("the command exited %d in run A and %d in run B\n", script.status[0],
                   script.status[1]);
    }
    whatif_run_free(&a);
    whatif_run_free(&b);
    return rc;
}
