/* lab_replay.c — grading what a student's script did, not what it says: a lab question of
 * kind `session` takes the student's `tcplab attach --record FILE`, and the grader replays
 * that record on the student's variant (cmd/attach_run.c's attach_replay: the recorded
 * requests at their recorded virtual times, never the student's code) with every event
 * kept, then reads the question's `replay event ...` expression (lab/grade.c) from that run:
 * "the VAX's connection from port 1004 reached ESTABLISHED", after the question's `require`
 * line, if any, found the student's datagrams of the behaviour's shape (lab/shape.c: an idle
 * scan reads the zombie before and after each forged SYN). A record made against another
 * variant or seed, or playing another host than the student's, is not replayed: a wrong
 * answer that says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/attach.h"
#include "cmd/lab_replay.h"
#include "lab/lab.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

int lab_replay_value(const struct lab *l, const struct lab_who *who,
                     const struct lab_question *q, const char *record, char **value,
                     char *err, size_t errlen)
{
    struct attach_record rec;
    if (attach_record_load(record, &rec, err, errlen))
        return -1;
    struct lab_variant v;
    struct scenario sc;
    if (lab_variant_make(l, who, &v, err, errlen)) {
        free(rec.buf);
        return -1;
    }
    int rc = -1;
    bool parsed = false;
    struct sim *s = NULL;
    struct trace t;
    trace_init(&t);
    if (scenario_parse(v.file, v.text, v.len, &sc, err, errlen))
        goto out;
    parsed = true;
    const struct scn_host *me = scenario_host(&sc, l->student_host);
    enum attach_rec_fit fit = attach_record_fits(&rec, sc.seed, lab_variant_digest(&v),
                                                 me ? me->addr : 0);
    if (fit != ATTACH_REC_FITS) {   /* another variant (or --seed), or another host's */
        *value = strdup(fit == ATTACH_REC_OTHER_VARIANT ? "(a record of another variant)"
                                                        : "(a record of another host)");
        rc = *value ? 0 : -1;
        goto out;
    }
    if (!(s = sim_new(sc.seed)) || sim_load(s, &sc, err, errlen)) {
        if (!s)
            snprintf(err, errlen, "out of memory");
        goto out;
    }
    sim_set_trace(s, trace_record, &t);
    struct attach_opts o = { .replay = record, .addr = rec.hdr.addr, .plen = rec.hdr.plen };
    o.prefix = o.plen ? o.addr & ~(uint32_t)0 << (32 - o.plen) : 0;
    int r = attach_replay(&o, s, &rec, sc.seed);   /* its own messages on stderr */
    if (r == -1) {   /* the record does not fit this variant: a wrong answer, not trouble */
        *value = strdup("(a record that does not replay on this variant)");
        rc = *value ? 0 : -1;
        goto out;
    }
    if (r < 0) {
        snprintf(err, errlen, "%s: the replay failed", record);
        goto out;
    }
    if (t.oom) {
        snprintf(err, errlen, "out of memory recording the replay");
        goto out;
    }
    char *ev = NULL;   /* the replay expression with the variant's parameters (${cport}) */
    size_t evlen;
    if (q->require) {   /* the student's own datagrams must have the behaviour's shape */
        if (param_expand(l->file, q->require_line, 1, q->require, strlen(q->require),
                         &v.params, &ev, &evlen, err, errlen))
            goto out;
        char why[400];
        int shaped = lab_shape_check(l->file, q->require_line, ev, &sc, &t,
                                     me ? me->addr : 0, why, sizeof why, err, errlen);
        free(ev);
        ev = NULL;
        if (shaped < 0)
            goto out;
        if (shaped) {   /* "(...)": a wrong answer that says what is missing */
            size_t n = strlen(why) + 3;
            if (!(*value = malloc(n)))
                goto out;
            snprintf(*value, n, "(%s)", why);
            rc = 0;
            goto out;
        }
    }
    if (param_expand(l->file, q->replay_line, 1, q->replay, strlen(q->replay), &v.params, &ev,
                     &evlen, err, errlen))
        goto out;
    int miss = lab_event_value(l->file, q->replay_line, ev, &sc, &t, value, err, errlen);
    free(ev);
    if (miss) {
        /* The event never happened in the student's run: that is the answer. */
        *value = strdup("none");
        if (!*value)
            goto out;
    }
    rc = 0;
out:
    sim_free(s);
    trace_free(&t);
    if (parsed)
        scenario_free(&sc);
    lab_variant_free(&v);
    free(rec.buf);
    return rc;
}
