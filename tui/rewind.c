/* rewind.c — see rewind.h. Why snapshots plus a re-run rather than a copy of every host at
 * every event: a million-event scan would need a million copies; a snapshot every couple of
 * thousand units costs a few hundred clones, and the re-run from one is well under a
 * keystroke's budget (tests/bench/bench_tui.c measures both). */
#include "tui/rewind.h"

#include <stdlib.h>

void tui_rewind_init(struct tui_rewind *rw, const struct tui_rec *rec)
{
    *rw = (struct tui_rewind){ .rec = rec };
}

void tui_rewind_free(struct tui_rewind *rw)
{
    sim_free(rw->cur);
    rw->cur = NULL;
}

/* The last snapshot taken at or before unit; -1 when none. */
static long snap_before(const struct tui_rec *r, uint64_t unit)
{
    size_t lo = 0, hi = r->nsnaps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->snaps[mid].unit <= unit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* The first recorded op of a unit after `unit`. */
static size_t op_after(const struct tui_rec *r, uint64_t unit)
{
    size_t lo = 0, hi = r->nops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ops[mid].unit <= unit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Runs the unit after sim_unit(s): the recorded outside call that was it (*oi: the next
 * op, moved on), else the next queue entry. false when it did not end where the original
 * did (cannot happen for a deterministic run) or nothing was left to run. */
static bool rw_step(const struct tui_rec *r, struct sim *s, size_t *oi)
{
    uint64_t before = sim_unit(s);
    if (*oi < r->nops && r->ops[*oi].unit == before + 1) {
        struct sim_op op = tui_op_get(r, (*oi)++);
        sim_apply_op(s, &op);
    } else if (!sim_step(s)) {
        return false;
    }
    return sim_unit(s) == before + 1;
}

const struct sim *tui_rewind_at(struct tui_rewind *rw, uint64_t unit)
{
    const struct tui_rec *r = rw->rec;
    rw->replayed = 0;
    if (r->from_pcap || r->nsnaps == 0)
        return NULL;
    if (unit > r->end_unit)
        unit = r->end_unit;
    long si = snap_before(r, unit);
    if (si < 0)
        return NULL;
    uint64_t have = rw->cur ? sim_unit(rw->cur) : UINT64_MAX;
    /* Keep going from the state held when it lies between the snapshot and the unit. */
    if (!rw->cur || have > unit || have < r->snaps[si].unit) {
        sim_free(rw->cur);
        rw->cur = sim_clone(r->snaps[si].sim);
        rw->clones++;
        if (!rw->cur)
            return NULL;
    }
    struct sim *s = rw->cur;
    size_t oi = op_after(r, sim_unit(s));
    while (sim_unit(s) < unit && rw_step(r, s, &oi))
        rw->replayed++;
    return sim_unit(s) == unit ? s : NULL;
}

const struct sim *tui_rewind_observe(struct tui_rewind *rw, uint64_t unit, sim_obs_fn fn,
                                     void *ctx)
{
    if (unit == 0 || unit > rw->rec->end_unit || !tui_rewind_at(rw, unit - 1))
        return NULL;
    struct sim *s = rw->cur;
    size_t oi = op_after(rw->rec, sim_unit(s));
    sim_set_observer(s, fn, ctx);
    bool ok = rw_step(rw->rec, s, &oi);
    sim_set_observer(s, NULL, NULL);
    rw->replayed++;
    return ok ? s : NULL;
}
