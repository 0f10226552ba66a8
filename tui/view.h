/* view.h — the terminal front of the TUI (ncurses; tui/view_*.c are the only files that
 * include curses). tui_view_run takes a finished record and lets the user step through it
 * until `q`, an end-of-file on the keyboard or a signal, and always leaves the terminal as
 * it found it. */
#ifndef TCPLAB_TUI_VIEW_H
#define TCPLAB_TUI_VIEW_H

#include "lab/whatif.h"
#include "tui/rec.h"

struct tui_view_opts {
    const char *scan_text;       /* the scan's report (scan mode), shown by `s`; NULL */
    const struct whatif_src *whatif;   /* what the run was made of, for `w`; NULL: */
    const char *whatif_none;     /* why there is no what-if (a capture, a scan, a session) */
};

/* 0 on a normal quit; 1 when there is no terminal (with a message on stderr); 128 + N
 * after signal N (SIGINT, SIGTERM, SIGHUP; the terminal restored first); 2 on a
 * runtime failure. */
int tui_view_run(struct tui_rec *rec, const struct tui_view_opts *o);

#endif
