/* whatif.h — a run made twice, the second time with something changed: the machinery of
 * `tcplab diff` and of the TUI's what-if (one implementation, sim/rundiff.h compares).
 *
 * A run's source is a scenario file (`default`: the embedded network) or a lab variant
 * (lab/lab.h lab_sel). A change is one of
 *   NAME=VALUE        a lab parameter, a hidden fact (`${NAME:...}` in the template) takes
 *                     VALUE instead of the student's draw; also for a scenario file with
 *                     parameters
 *   HOST.KEY=VALUE    a host key on the `host HOST` line (sim/scenario_edit.h):
 *                     server.isn=rfc6528, zombie.ipid=per-dest, server.down=yes
 *   seed=N            the run's seed
 *   line N=TEXT       line N of a scenario file (as the file numbers it, before its
 *                     parameters are expanded) replaced by TEXT, or removed when TEXT is
 *                     empty: any one scenario line changed (not in a lab: a variant's text
 *                     is hidden)
 * A run records into a trace (sim/trace.h) exactly the events the caller may see: in a lab
 * with a restricted view, only the student's host's (lab_view_sees), as `tcplab run` shows.
 */
#ifndef TCPLAB_WHATIF_H
#define TCPLAB_WHATIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lab/lab.h"
#include "sim/rundiff.h"
#include "sim/trace.h"

enum { WHATIF_MAX = 8, WHATIF_VALUE_MAX = 256 };

struct whatif_change {
    char host[32];                 /* "" for a parameter or the seed */
    char key[PARAM_NAME_MAX];      /* parameter name, host key, or "seed" */
    char value[WHATIF_VALUE_MAX];
    unsigned line;                 /* `line N=TEXT`: N (key "line"); 0 otherwise */
};

/* "NAME=VALUE", "HOST.KEY=VALUE", "seed=N", "line N=TEXT". 0, or -1 with a message. */
int whatif_parse(const char *spec, struct whatif_change *c, char *err, size_t errlen);
/* The change as typed: "server.isn=rfc6528". */
void whatif_format(const struct whatif_change *c, char *out, size_t cap);

struct sim;
/* What drives a run instead of running it to until_ns or idle: `tcplab diff -- COMMAND`
 * attaches the command to each run (cmd/diff.c). s is loaded, its trace set; view is the
 * run's (a lab's student view); seed the run's. 0, 1 (bad input) or 2 (trouble), with a
 * message in err. */
typedef int (*whatif_drive_fn)(void *ctx, struct sim *s, const struct lab_view *view,
                               uint64_t seed, char *err, size_t errlen);

struct whatif_src {
    const char *file;              /* a scenario file, `default`, or NULL for the lab */
    struct lab_sel lab;            /* with file NULL: the lab variant */
    bool has_seed;                 /* --seed: overrides the scenario's (a change may again) */
    uint64_t seed;
    bool has_until;
    uint64_t until_ns;             /* else until idle, at most an hour */
    whatif_drive_fn drive;         /* NULL: the run runs by itself */
    void *drive_ctx;
};

/* One run, loaded and parsed with changes ch[0..n). */
struct whatif_run {
    struct scenario *sc;           /* heap (whatif_run_free) */
    struct lab_view view;
    uint64_t seed;
    struct trace tr;
};

/* Loads src with the changes and runs it; the events the view allows go into r->tr.
 * 0; 1 on bad input (a message: FILE:LINE:COL for a scenario, an unknown parameter or
 * host); 2 on a runtime failure (out of memory). */
int whatif_run(const struct whatif_src *src, const struct whatif_change *ch, size_t n,
               struct whatif_run *r, char *err, size_t errlen);
void whatif_run_free(struct whatif_run *r);

/* The host named (a host name of r's scenario or its dotted address) for --as. 0 or -1. */
int whatif_host_addr(const struct whatif_run *r, const char *host, uint32_t *addr);

/* Two runs compared, in one call (tcplab diff, the TUI's what-if, the tests): run A is sa
 * with changes ca[0..na), run B is sb with cb[0..nb) (sb may be sa), compared through the
 * view: arrivals at host `as` when not NULL, else every event the runs record. In a lab
 * whose view is restricted, what either side changes the other must change too, and `as`
 * must be the student's host: a comparison with the student's own hidden value would be an
 * oracle for it. *a and *b keep both runs for display (whatif_run_free them, also on error);
 * *d the verdict. 0, 1, 2 as whatif_run. */
int whatif_diff(const struct whatif_src *sa, const struct whatif_change *ca, size_t na,
                const struct whatif_src *sb, const struct whatif_change *cb, size_t nb,
                const char *as, struct whatif_run *a, struct whatif_run *b,
                struct rundiff_view *view, struct rundiff *d, char *err, size_t errlen);

#endif
