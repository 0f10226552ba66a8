/* lab_replay.c — grading a lab's `record` questions: the student's `tcplab attach --record`
 * file replayed in the student's variant, never the student's code run.
 *
 * A record question's answer is `replay event ... field count` (lab/lab.h); its key is the
 * count in the grader's own run of the variant. The record passes when its replay counts
 * more: the attack made the variant's hosts do what they never do alone (the server accept
 * bytes the client did not send, a connection reset). The record must have played the
 * lab's student host (or a prefix holding it and no other host) and the variant's seed: a
 * record of another host, another variant or another seed does not replay here, and fails.
 * Lives in cmd/ because replays are the attach command's (cmd/attach_run.c).
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

/* Does the record's prefix hold the student's host and no other? */
static bool lab_replay_whom(const struct sim *s, const struct attach_record *rec,
                            uint32_t student, char *why, size_t whylen)
{
    uint32_t mask = rec->hdr.plen ? ~(uint32_t)0 << (32 - rec->hdr.plen) : 0;
    uint32_t prefix = rec->hdr.addr & mask;
    if ((student & mask) != prefix) {
        snprintf(why, whylen, "the record was made as another host, not the student's");
        return false;
    }
    struct sim_host_info hi;
    for (size_t i = 0; sim_host_at(s, i, &hi) == 0; i++)
        if (hi.addr != student && (hi.addr & mask) == prefix) {
            snprintf(why, whylen, "the record's prefix holds a host other than the student's");
            return false;
        }
    return true;
}

int lab_record_check(const struct lab *l, const struct lab_who *w,
                     const struct lab_question *q, const char *key, const char *path,
                     char *why, size_t whylen)
{
    char err[512] = "";
    struct lab_variant v;
    if (lab_variant_make(l, w, &v, err, sizeof err)) {
        snprintf(why, whylen, "%s", err);
        return -1;
    }
    struct scenario sc;
    struct attach_record rec = { 0 };
    struct trace t;
    trace_init(&t);
    struct sim *s = NULL;
    int rc = -1;
    if (scenario_parse(v.file, v.text, v.len, &sc, err, sizeof err)) {
        snprintf(why, whylen, "%s", err);
        lab_variant_free(&v);
        return -1;
    }
    const struct scn_host *me = scenario_host(&sc, l->student_host);
    if (!me) {
        snprintf(why, whylen, "the lab's student host %s is not in its scenario",
                 l->student_host);
        goto out;
    }
    if (attach_record_load(path, &rec, err, sizeof err)) {
        snprintf(why, whylen, "%s", err);
        rc = 0;                                /* no record to replay: the answer is wrong */
        goto out;
    }
    s = sim_new(sc.seed);
    if (!s || sim_load(s, &sc, err, sizeof err)) {
        snprintf(why, whylen, "%s", s ? err : "out of memory");
        goto out;
    }
    rc = 0;
    if (rec.hdr.seed != sc.seed) {
        snprintf(why, whylen, "the record was made in another variant (or with --seed): "
                 "its seed %llu is not this variant's", (unsigned long long)rec.hdr.seed);
        goto out;
    }
    if (!lab_replay_whom(s, &rec, me->addr, why, whylen))
        goto out;
    struct attach_opts o;
    memset(&o, 0, sizeof o);
    o.replay = path;
    o.addr = rec.hdr.addr;
    o.plen = rec.hdr.plen;
    o.prefix = o.plen ? o.addr & ~(uint32_t)0 << (32 - o.plen) : 0;
    sim_set_trace(s, trace_record, &t);
    if (attach_replay(&o, s, &rec, sc.seed) < 0) {
        snprintf(why, whylen, "%s does not replay in %s's variant (another variant, another "
                 "lab, or cut short)", path, w->student);
        goto out;
    }
    if (t.oom) {
        snprintf(why, whylen, "out of memory recording the replay");
        rc = -1;
        goto out;
    }
    long count = 0, base = strtol(key, NULL, 10);
    if (lab_record_count(l, q, &v, &sc, &t, &count, err, sizeof err)) {
        snprintf(why, whylen, "%s", err);
        rc = -1;
        goto out;
    }
    rc = count > base;
    if (!rc)
        snprintf(why, whylen, "replayed, the run counts %ld of what the question asks for, as "
                 "many as the variant without your script (%ld)", count, base);
out:
    sim_free(s);
    free(rec.buf);
    trace_free(&t);
    scenario_free(&sc);
    lab_variant_free(&v);
    return rc;
}
