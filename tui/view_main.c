/* view_main.c — the TUI's terminal: setup and teardown, the key loop, prompts.
 *
 * Terminal manners: newterm (not initscr, which exits on its own when there is no
 * terminal) after checking that stdin and stdout are terminals; endwin on every way out,
 * SIGINT, SIGTERM and SIGHUP included (the handler only sets a flag; the loop, which wakes
 * at least every 100 ms, leaves through the same teardown); KEY_RESIZE redraws at the new
 * size; NO_COLOR (no-color.org) turns colour off, and the selection stays visible in reverse
 * video, the follow direction as '>' and '<'.
 */
#include "tui/view_int.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/outfile.h"

static volatile sig_atomic_t view_stop;

static void view_on_signal(int sig)
{
    view_stop = sig;
}

static void view_colors(struct tui_view *v)
{
    const char *nc = getenv("NO_COLOR");
    v->color = !(nc && *nc) && has_colors();
    if (!v->color)
        return;
    start_color();
    use_default_colors();
    init_pair(TV_C_RECV, COLOR_CYAN, -1);
    init_pair(TV_C_DROP, COLOR_RED, -1);
    init_pair(TV_C_TIMER, COLOR_YELLOW, -1);
    init_pair(TV_C_NOTE, COLOR_MAGENTA, -1);
    init_pair(TV_C_INJ, COLOR_MAGENTA, -1);
    init_pair(TV_C_DIR0, COLOR_GREEN, -1);
    init_pair(TV_C_DIR1, COLOR_BLUE, -1);
    init_pair(TV_C_BAR, COLOR_BLACK, COLOR_CYAN);
    init_pair(TV_C_BAD, COLOR_WHITE, COLOR_RED);
}

void tv_message(struct tui_view *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->msg, sizeof v->msg, fmt, ap);
    va_end(ap);
}

bool tv_prompt(struct tui_view *v, const char *prompt, char *buf, size_t cap, bool line_tab)
{
    size_t n = 0;
    buf[0] = 0;
    curs_set(1);
    for (;;) {
        if (view_stop)
            return false;
        int y = LINES - 1;
        if (line_tab) {   /* the what-if's forms, above the line typed */
            attron(A_REVERSE);
            move(y - 1, 0);
            clrtoeol();
            mvaddnstr(y - 1, 0, " seed=N | HOST.KEY=VALUE | NAME=VALUE | line N=TEXT (Tab after "
                      "'line N' fills in its text) | CHANGE-A vs CHANGE-B | Esc: cancel", COLS);
            attroff(A_REVERSE);
        }
        move(y, 0);
        clrtoeol();
        /* the end of a long line stays in sight */
        size_t pl = strlen(prompt), room = COLS > (int)pl + 2 ? (size_t)COLS - pl - 2 : 1;
        mvprintw(y, 0, "%s%s", prompt, n > room ? buf + (n - room) : buf);
        refresh();
        int ch = getch();
        if (ch == ERR)
            continue;
        if (ch == 27) {
            curs_set(0);
            return false;
        }
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            break;
        if (ch == 21) {   /* ^U: clear the line */
            n = 0;
            buf[0] = 0;
        } else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
            buf[--n] = 0;
        else if (ch == KEY_RESIZE)
            tv_draw(v);
        else if (ch == '\t' && line_tab && v->wsrc &&
                 tui_whatif_complete(v->wsrc->file, buf, cap))
            n = strlen(buf);
        else if (ch >= 32 && ch < 127 && n + 1 < cap) {
            buf[n++] = (char)ch;
            buf[n] = 0;
        }
    }
    curs_set(0);
    return true;
}

static void view_export(struct tui_view *v)
{
    char err[256];
    const char *names[2] = { "tcplab-ladder.txt", "tcplab-ladder.svg" };
    for (int i = 0; i < 2; i++) {
        struct outfile *o = outfile_open(names[i], err, sizeof err);
        if (!o) {
            tv_message(v, "export: %s", err);
            return;
        }
        int rc = i == 0 ? tui_export_text(&v->m, outfile_fp(o)) : tui_export_svg(&v->m, outfile_fp(o));
        if (rc) {
            outfile_abort(o);
            tv_message(v, "export: writing %s failed", names[i]);
            return;
        }
        if (outfile_commit(o, err, sizeof err)) {
            tv_message(v, "export: %s", err);
            return;
        }
    }
    tv_message(v, "ladder of %zu events written to tcplab-ladder.txt and tcplab-ladder.svg",
                 tui_model_rows(&v->m));
}

/* A key that takes a letter after it (m, '). */
static int view_letter(struct tui_view *v)
{
    for (;;) {
        if (view_stop)
            return -1;
        int ch = getch();
        if (ch == ERR)
            continue;
        if (ch == KEY_RESIZE) {
            tv_draw(v);
            continue;
        }
        return ch;
    }
}

/* Keys while the outline of a scan's ports is shown. true: handled. */
static bool view_outline_key(struct tui_view *v, int ch)
{
    size_t rows = tui_outline_rows(&v->ol);
    switch (ch) {
    case KEY_DOWN: case 'j': case 'n': case ' ':
        if (v->ol.row + 1 < rows)
            v->ol.row++;
        return true;
    case KEY_UP: case 'k': case 'p':
        if (v->ol.row > 0)
            v->ol.row--;
        return true;
    case '\n': case '\r': case KEY_ENTER: {
        size_t ev = tui_outline_enter(&v->ol, v->ol.row);
        if (ev != SIZE_MAX) {
            char err[160];
            tui_model_set_filter(&v->m, "", err, sizeof err);
            if (v->m.follow)
                tui_model_toggle_follow(&v->m);
            tui_model_goto_ev(&v->m, ev);
            v->outline = false;
        }
        return true;
    }
    case 'o': case 27:
        v->outline = false;
        return true;
    }
    return false;
}

/* One key. false: quit. */
static bool view_key(struct tui_view *v, int ch)
{
    if (v->wi_shown && tv_whatif_key(v, ch))
        return true;
    if (v->outline && view_outline_key(v, ch))
        return true;
    struct tui_model *m = &v->m;
    size_t page = v->list_h > 2 ? (size_t)v->list_h - 1 : 1;
    char buf[96], err[160];
    v->msg[0] = 0;
    switch (ch) {
    case 'q': case 'Q':
        return false;
    case 'n': case ' ': case KEY_RIGHT: case KEY_DOWN: case 'j':
        tui_model_next(m, 1);
        break;
    case 'p': case KEY_LEFT: case KEY_UP: case 'k':
        tui_model_prev(m, 1);
        break;
    case KEY_NPAGE: tui_model_next(m, page); break;
    case KEY_PPAGE: tui_model_prev(m, page); break;
    case 'g': case KEY_HOME: tui_model_first(m); break;
    case 'G': case KEY_END: tui_model_last(m); break;
    case ':':
        if (tv_prompt(v, ":", buf, sizeof buf, false) && buf[0]) {
            char *end;
            unsigned long long n = strtoull(buf, &end, 10);
            if (*end || tui_model_goto_number(m, n))
                tv_message(v, "no event %s (1 to %zu)", buf, v->rec->n);
        }
        break;
    case '/':
        if (tv_prompt(v, "filter: ", buf, sizeof buf, false)) {
            if (tui_model_set_filter(m, buf, err, sizeof err))
                tv_message(v, "filter: %s", err);
            else if (buf[0] && !tui_model_rows(m))
                tv_message(v, "filter '%s' keeps no event", buf);
        }
        break;
    case 'f':
        if (tui_model_toggle_follow(m))
            tv_message(v, "this event belongs to no connection");
        else if (m->follow)
            v->bottom = TV_STREAM;
        else if (v->bottom == TV_STREAM)
            v->bottom = TV_INSIDE;
        break;
    case 'c':
        if (tui_model_jump_cause(m))
            tv_message(v, "no recorded cause (an injected datagram, a scripted action)");
        break;
    case 'a':
        if (tui_model_jump_fate(m))
            tv_message(v, "not a sent datagram, or it never arrived");
        break;
    case 'b': case KEY_BACKSPACE: case 127:
        if (tui_model_jump_back(m))
            tv_message(v, "no jump to go back from");
        break;
    case 'm': {
        int l = view_letter(v);
        if (l >= 'a' && l <= 'z') {
            tui_model_mark(m, (char)l);
            tv_message(v, "mark '%c' set", l);
        }
        break;
    }
    case '\'': {
        int l = view_letter(v);
        if (l < 'a' || l > 'z' || tui_model_jump_mark(m, (char)l))
            tv_message(v, "no mark '%c'", l > 0 && l < 127 ? l : '?');
        break;
    }
    case 'r':
        m->absolute = !m->absolute;
        tv_message(v, "%s sequence numbers", m->absolute ? "absolute" : "relative");
        break;
    case '<': case 'h':
        if (m->col0 > 0)
            m->col0--;
        break;
    case '>': case 'l':
        if (m->col0 + 1 < v->rec->ncols)
            m->col0++;
        break;
    case '\t':
        tv_next_layout(v);
        break;
    case '[':
        if (v->field > 0)
            v->field--;
        v->bottom = TV_DETAIL;
        break;
    case ']':
        v->field++;
        v->bottom = TV_DETAIL;
        break;
    case 'P':
        m->playing = !m->playing;
        break;
    case '+': case '=':
        tui_model_speed(m, 1);
        break;
    case '-':
        tui_model_speed(m, -1);
        break;
    case 'e':
        view_export(v);
        break;
    case 's':
        if (v->scan_text)
            v->bottom = v->bottom == TV_SCAN ? TV_INSIDE : TV_SCAN;
        else
            tv_message(v, "not a scan: no report to show");
        break;
    case 'o':
        if (!v->rec->ndecs) {
            tv_message(v, "not a scan: no probes to group (tcplab tui SCENARIO -- -sS ...)");
            break;
        }
        if (!v->ol_built && tui_outline_build(&v->ol, v->rec) == 0)
            v->ol_built = true;
        v->outline = v->ol_built;
        break;
    case 'z':
        v->bottom = v->bottom == TV_IPID ? TV_INSIDE : TV_IPID;
        break;
    case 'w':
        tv_whatif_start(v);
        break;
    case 'W':
        if (v->wi.have)
            v->wi_shown = true;
        else
            tv_message(v, "no what-if yet: w asks for one");
        break;
    case '?':
        v->help = !v->help;
        break;
    case KEY_RESIZE:
        break;
    default:
        if (v->help) {
            v->help = false;
            break;
        }
        tv_message(v, "key not bound; ? shows the keys");
        break;
    }
    if (ch != '?' && v->help && ch != KEY_RESIZE)
        v->help = false;
    return true;
}

static void view_loop(struct tui_view *v)
{
    for (;;) {
        tv_draw(v);
        timeout(v->m.playing ? (1000 / (v->m.speed ? v->m.speed : 1) > 0
                                ? 1000 / (v->m.speed ? v->m.speed : 1) : 1) : 100);
        int ch = getch();
        if (view_stop)
            return;
        if (ch == ERR) {
            if (v->m.playing)
                tui_model_play_step(&v->m);
            continue;
        }
        if (!view_key(v, ch))
            return;
    }
}

int tui_view_run(struct tui_rec *rec, const struct tui_view_opts *o)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "tcplab tui: needs a terminal (stdin and stdout must be a tty); "
                "for a transcript use: tcplab run SCENARIO\n");
        return 1;
    }
    const char *term = getenv("TERM");
    SCREEN *scr = newterm(term && *term ? term : NULL, stdout, stdin);
    if (!scr) {
        fprintf(stderr, "tcplab tui: cannot use terminal type '%s' (set TERM)\n",
                term ? term : "");
        return 1;
    }
    struct sigaction sa = { .sa_handler = view_on_signal };
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int, old_term, old_hup;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    struct tui_view *v = calloc(1, sizeof *v);
    int rc = 0;
    if (!v) {
        rc = 2;
    } else {
        v->rec = rec;
        v->scan_text = o ? o->scan_text : NULL;
        v->wsrc = o ? o->whatif : NULL;
        v->wnone = o && o->whatif_none ? o->whatif_none : "this run cannot be made again";
        tui_whatif_init(&v->wi);
        tui_model_init(&v->m, rec);
        tui_rewind_init(&v->rw, rec);
        v->inside_ev = SIZE_MAX;
        view_colors(v);
        view_loop(v);
        tui_outline_free(&v->ol);
        tui_whatif_free(&v->wi);
        tui_rewind_free(&v->rw);
        tui_model_free(&v->m);
        free(v);
    }
    endwin();
    delscreen(scr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    if (view_stop) {   /* the terminal restored first; then exit as the signal's (128 + N) */
        fprintf(stderr, "tcplab tui: interrupted\n");
        rc = 128 + (int)view_stop;
    }
    return rc;
}
