/* rewind.h — the simulation as it was after any unit of a recorded run: the TUI's true step
 * back. The nearest snapshot at or before the unit is cloned and run forward, given the same
 * outside calls (the recorded ops), until the unit: the simulator is deterministic, so the
 * state is the one the original had there. Going forward from the state already held only
 * runs the difference. */
#ifndef TCPLAB_TUI_REWIND_H
#define TCPLAB_TUI_REWIND_H

#include <stdint.h>

#include "tui/rec.h"

struct tui_rewind {
    const struct tui_rec *rec;
    struct sim *cur;         /* owned; at sim_unit(cur) */
    uint64_t replayed;       /* units run by the last tui_rewind_at (for the bench) */
    uint64_t clones;         /* snapshots cloned so far */
};

void tui_rewind_init(struct tui_rewind *rw, const struct tui_rec *rec);
void tui_rewind_free(struct tui_rewind *rw);
/* The simulation after `unit` units (0: as loaded), read-only; valid until the next call.
 * NULL for a capture, or when out of memory or the run cannot be repeated. */
const struct sim *tui_rewind_at(struct tui_rewind *rw, uint64_t unit);
/* The same for `unit` (at least 1), reached by running that one unit from the state after
 * unit - 1 with fn observing it (sim_set_observer: fn sees the simulation between the
 * unit's changes, and its events as they are reported). The state it returns is the one
 * tui_rewind_at(unit) gives. NULL as tui_rewind_at. */
const struct sim *tui_rewind_observe(struct tui_rewind *rw, uint64_t unit, sim_obs_fn fn,
                                     void *ctx);

#endif
