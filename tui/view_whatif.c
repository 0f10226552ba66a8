/* view_whatif.c — the what-if screen (tui/whatif.h draws nothing; this file places it).
 *
 * `w` asks for one change (seed=N, HOST.KEY=VALUE, NAME=VALUE or line N=TEXT; Tab after
 * `line N` puts the line's text in to edit; "CHANGE-A vs CHANGE-B" changes both runs, as a
 * lab's student view wants for a hidden fact), runs the TUI's own source again with it
 * (`tcplab diff`'s machinery), and shows both runs side by side, A on the left, B on the
 * right, the cursor on the first pair that differs: the rows before it the same on both
 * sides, the parting row marked '-' and '+' (and coloured, and bold, so it shows without
 * colour), what differs named above. Enter goes to A's event in the main screen (this run),
 * Esc or q comes back, w asks again, W shows the last result again.
 */
#include "tui/view_int.h"

#include <stdio.h>
#include <string.h>

static void wi_put(int y, int x, int w, const char *s)
{
    if (w > 0)
        mvaddnstr(y, x, s, w);
}

void tv_whatif_start(struct tui_view *v)
{
    if (!v->wsrc) {
        tv_message(v, "no what-if: %s", v->wnone);
        return;
    }
    char buf[WHATIF_VALUE_MAX + 32];
    if (!tv_prompt(v, "what-if: ", buf, sizeof buf, true) || !buf[0])
        return;
    move(LINES - 1, 0);
    clrtoeol();
    mvprintw(LINES - 1, 0, "running the what-if: both runs, A as opened and B with %s ...", buf);
    refresh();
    if (tui_whatif_run(&v->wi, v->wsrc, buf)) {
        tv_message(v, "what-if: %s", v->wi.err);
        v->wi_shown = false;
        return;
    }
    v->wi_shown = true;
}

bool tv_whatif_key(struct tui_view *v, int ch)
{
    struct tui_whatif *w = &v->wi;
    size_t rows = tui_whatif_rows(w), page = v->list_h > 2 ? (size_t)v->list_h - 1 : 1;
    switch (ch) {
    case KEY_DOWN: case 'j': case 'n': case ' ': case KEY_RIGHT:
        if (w->row + 1 < rows)
            w->row++;
        return true;
    case KEY_UP: case 'k': case 'p': case KEY_LEFT:
        if (w->row > 0)
            w->row--;
        return true;
    case KEY_NPAGE:
        w->row = w->row + page < rows ? w->row + page : rows ? rows - 1 : 0;
        return true;
    case KEY_PPAGE:
        w->row = w->row > page ? w->row - page : 0;
        return true;
    case 'g': case KEY_HOME:
        w->row = 0;
        return true;
    case 'G': case KEY_END:
        w->row = rows ? rows - 1 : 0;
        return true;
    case 'x':   /* back to where they part */
        w->row = tui_whatif_parting(w) < rows ? tui_whatif_parting(w) : w->row;
        return true;
    case '\n': case '\r': case KEY_ENTER: {
        size_t ev = tui_whatif_event_in(w, v->rec, w->row);
        if (ev == SIZE_MAX) {
            tv_message(v, "A's event is not one of this screen's (only a run that shows "
                       "every event goes there)");
            return true;
        }
        char err[160];
        tui_model_set_filter(&v->m, "", err, sizeof err);
        if (v->m.follow)
            tui_model_toggle_follow(&v->m);
        size_t from = tui_model_ev(&v->m);
        if (from != SIZE_MAX && v->m.njumps < TUI_JUMPS)
            v->m.jumps[v->m.njumps++] = from;   /* b comes back */
        tui_model_goto_ev(&v->m, ev);
        v->wi_shown = false;
        tv_message(v, "event %zu of run A (b: back; W: the what-if again)", ev + 1);
        return true;
    }
    case 27: case 'q': case 'W':
        v->wi_shown = false;
        return true;
    }
    return false;   /* w, ?, resize: the main keys */
}

/* The selected row's two events whole, each on up to two lines (a side is half as wide). */
static void wi_whole(struct tui_view *v, int y, int W)
{
    char l[300], r[300], s[320];
    if (v->wi.row >= tui_whatif_rows(&v->wi))
        return;
    tui_whatif_row(&v->wi, v->wi.row, l, r, sizeof l);
    for (int side = 0; side < 2; side++) {
        snprintf(s, sizeof s, "%s %s", side ? "B" : "A", side ? r : l);
        if (!(side ? r : l)[0])
            snprintf(s, sizeof s, "%s (no more events: this run ended)", side ? "B" : "A");
        int len = (int)strlen(s);
        wi_put(y + 2 * side, 0, W, s);
        if (len > W)
            wi_put(y + 2 * side + 1, 2, W - 2, s + W);
    }
}

static attr_t wi_attr(const struct tui_view *v, enum tui_wrow k, int side)
{
    if (k == TUI_WR_SAME)
        return A_NORMAL;
    attr_t a = v->color ? COLOR_PAIR(side ? TV_C_DIR0 : TV_C_DROP) : A_NORMAL;
    return k == TUI_WR_PART ? a | A_BOLD : a;
}

void tv_draw_whatif(struct tui_view *v, int y, int h, int W)
{
    struct tui_whatif *w = &v->wi;
    char line[600];
    attron(A_BOLD | A_UNDERLINE);
    snprintf(line, sizeof line, " what-if: %s  (Enter: go to A's event  x: the parting  w: "
             "another  Esc: back)", w->spec);
    for (int i = 0; i < W; i++)
        mvaddch(y, i, ' ');
    wi_put(y, 0, W, line);
    attroff(A_BOLD | A_UNDERLINE);
    snprintf(line, sizeof line, " A: %s", w->la);
    wi_put(y + 1, 0, W, line);
    snprintf(line, sizeof line, " B: %s", w->lb);
    wi_put(y + 2, 0, W, line);
    attron(A_BOLD);
    snprintf(line, sizeof line, " %s", w->why);
    wi_put(y + 3, 0, W, line);
    attroff(A_BOLD);
    int half = W / 2, rows_h = h - 5 - 4;   /* 4: the selected row whole, below */
    attron(A_UNDERLINE);
    wi_put(y + 4, 0, half - 1, w->a_changed ? " A (changed)" : " A (as opened)");
    wi_put(y + 4, half, W - half, " B (changed)");
    attroff(A_UNDERLINE);
    if (rows_h < 1)
        return;
    v->list_h = rows_h;
    size_t rows = tui_whatif_rows(w);
    if (w->row < w->top)
        w->top = w->row;
    if (w->row >= w->top + (size_t)rows_h)
        w->top = w->row - (size_t)rows_h + 1;
    for (int i = 0; i < rows_h; i++) {
        size_t r = w->top + (size_t)i;
        if (r >= rows)
            break;
        char l[300], rt[300], ls[304], rs[304];
        enum tui_wrow k = tui_whatif_row(w, r, l, rt, sizeof l);
        const char *ml = k == TUI_WR_SAME ? "  " : "- ", *mr = k == TUI_WR_SAME ? "  " : "+ ";
        snprintf(ls, sizeof ls, "%s%s", l[0] ? ml : "  ", l);
        snprintf(rs, sizeof rs, "%s%s", rt[0] ? mr : "  ", rt);
        int yy = y + 5 + i;
        bool sel = r == w->row;
        attr_t al = sel ? A_REVERSE | A_BOLD : wi_attr(v, k, 0);
        attr_t ar = sel ? A_REVERSE | A_BOLD : wi_attr(v, k, 1);
        attron(al);
        if (sel)
            for (int x = 0; x < half - 1; x++)
                mvaddch(yy, x, ' ');
        wi_put(yy, 0, half - 1, ls);
        attroff(al);
        mvaddch(yy, half - 1, '|');
        attron(ar);
        if (sel)
            for (int x = half; x < W; x++)
                mvaddch(yy, x, ' ');
        wi_put(yy, half, W - half, rs);
        attroff(ar);
    }
    wi_whole(v, y + h - 4, W);
}
