/* whatif.h — the TUI's what-if, headless: the run on screen made again with one thing
 * changed (the seed, a host key, a parameter or one scenario line), and the two runs side by
 * side from the first event where they part.
 *
 * The runs and the comparison are `tcplab diff`'s (lab/whatif.h whatif_diff, sim/rundiff.h):
 * one implementation. Run A is the TUI's own source as it was opened (file or lab variant,
 * --seed, --until), run B the same with the change. Rows pair the j-th event in view of A
 * with the j-th of B: rows before the parting are the same on both sides, the parting row is
 * the first pair that is not, the rest follow each run. The view draws them (view_whatif.c);
 * the tests read them.
 */
#ifndef TCPLAB_TUI_WHATIF_H
#define TCPLAB_TUI_WHATIF_H

#include <stdbool.h>
#include <stddef.h>

#include "lab/whatif.h"
#include "tui/rec.h"

struct tui_whatif {
    bool have;                   /* a result to show */
    bool a_changed;              /* "A vs B": A is not the run as opened */
    char spec[2 * (WHATIF_VALUE_MAX + 64) + 8];   /* as run: "CHANGE" or "A vs B" */
    char la[800], lb[800];       /* the runs' labels */
    char why[512];               /* what differs (rundiff_describe), or "same ..." */
    char err[600];               /* why the last what-if could not run */
    struct whatif_run a, b;
    struct rundiff_view view;
    struct rundiff d;
    size_t *ia, *ib;             /* trace indices of the events in view, each run */
    size_t na, nb;
    size_t row, top;             /* cursor and first row shown */
};

void tui_whatif_init(struct tui_whatif *w);
void tui_whatif_free(struct tui_whatif *w);

/* Runs src (A) against src with the change `spec` (B), or with "CHANGE-A vs CHANGE-B" A
 * changed too (in a lab's student view a hidden fact must be set on both sides: --set-a and
 * --set-b of tcplab diff). 0 with the result (cursor on the parting row); 1 bad input, 2
 * runtime failure, with w->err (the last result is dropped). */
int tui_whatif_run(struct tui_whatif *w, const struct whatif_src *src, const char *spec);

/* Rows: the longer run's events in view. */
size_t tui_whatif_rows(const struct tui_whatif *w);
/* The row where the runs part (tui_whatif_rows when they are the same). */
size_t tui_whatif_parting(const struct tui_whatif *w);

enum tui_wrow { TUI_WR_SAME, TUI_WR_PART, TUI_WR_AFTER };
/* A row's two sides, "#N  0.011000 RECV server   56322 > 80 [S] seq=... => SYN-ACK" (an
 * empty side when that run has no more events). */
enum tui_wrow tui_whatif_row(const struct tui_whatif *w, size_t row, char *left,
                             char *right, size_t cap);

/* The event index of run A at a row in the TUI's record r, when r is A's run (the same
 * events: a scenario or a lab view showing every host); SIZE_MAX otherwise. */
size_t tui_whatif_event_in(const struct tui_whatif *w, const struct tui_rec *r, size_t row);

/* Tab in the prompt: "line N" becomes "line N=" and the line's text in the file now (the
 * embedded network for `default`). true when buf was filled. */
bool tui_whatif_complete(const char *file, char *buf, size_t cap);

#endif
