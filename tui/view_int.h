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
#include "tui/whatif.h"

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
    /* the what-if (view_whatif.c) */
    const struct whatif_src *wsrc;
    const char *wnone;
    struct tui_whatif wi;
    bool wi_shown;
};

void tv_draw(struct tui_view *v);
void tv_next_layout(struct tui_view *v);
/* The what-if screen in rows [y, y + h) (view_whatif.c). */
void tv_draw_whatif(struct tui_view *v, int y, int h, int w);
/* A key while the what-if screen is up. true: handled. */
bool tv_whatif_key(struct tui_view *v, int ch);
/* `w`: asks for the change, runs it, shows the screen. */
void tv_whatif_start(struct tui_view *v);
/* Reads a line at the bottom (view_main.c); Tab completes `line N` when line_tab. true
 * with the text, false on Esc. */
bool tv_prompt(struct tui_view *v, const char *prompt, char *buf, size_t cap, bool line_tab);
void tv_message(struct tui_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
