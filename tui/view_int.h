/* view_int.h — internal to tui/view_*.c: the view's state and what its files share. */
#ifndef TCPLAB_TUI_VIEW_INT_H
#define TCPLAB_TUI_VIEW_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/model.h"
#include "tui/rewind.h"
#include "tui/scan.h"
#include "tui/text.h"
#include "tui/view.h"

enum { TV_C_RECV = 1, TV_C_DROP, TV_C_TIMER, TV_C_NOTE, TV_C_INJ, TV_C_DIR0, TV_C_DIR1,
       TV_C_BAR, TV_C_BAD };

enum tv_top { TV_LIST, TV_LADDER };
enum tv_bottom { TV_INSIDE, TV_DETAIL, TV_STREAM, TV_SCAN, TV_IPID };

enum { TV_INSIDE_MAX = 64 };

struct tui_view {
    struct tui_rec *rec;
    struct tui_model m;
    struct tui_rewind rw;
    const char *scan_text;
    bool color, help;
    enum tv_top top;
    enum tv_bottom bottom;
    int list_h;                  /* rows of the event list last drawn */
    size_t list_top;             /* first row shown */
    size_t field;                /* selected detail field */
    size_t inside_ev;            /* event whose inside is cached (SIZE_MAX: none) */
    bool inside_abs;
    size_t ninside;
    char inside[TV_INSIDE_MAX][160];
    char msg[200];
    bool outline;                /* the scan's ports by outcome, in the top panel */
    bool ol_built;
    struct tui_outline ol;
    size_t ol_top;
};

void tv_draw(struct tui_view *v);
void tv_next_layout(struct tui_view *v);

#endif
