/* view_draw.c — drawing the TUI's panels with ncurses.
 *
 * Layouts: at 160x40 and above, four panels (events, ladder; packet detail or the followed
 * stream, the host's inside); below, two stacked (events or ladder over one of inside,
 * detail, stream, scan report), Tab cycling them. The events and the ladder show the same
 * rows, so the cursor is one line across both. Every string comes from tui/text.c; this
 * file only places and colours it. ASCII only, so any terminal and any font draw it.
 */
#include "tui/view_int.h"

#include <stdio.h>
#include <string.h>

#include "sim/sim.h"

static void put(int y, int x, int w, const char *s)
{
    if (w <= 0)
        return;
    mvaddnstr(y, x, s, w);
}

static void fill_line(int y, int x, int w)
{
    for (int i = 0; i < w; i++)
        mvaddch(y, x + i, ' ');
}

static attr_t pair(const struct tui_view *v, int p)
{
    return v->color ? COLOR_PAIR(p) : A_NORMAL;
}

static attr_t event_attr(const struct tui_view *v, size_t ev)
{
    const struct tui_ev *e = &v->rec->ev[ev];
    if (v->m.follow)
        return pair(v, (e->mark & TUI_M_DIR1) ? TV_C_DIR1 : TV_C_DIR0);
    if (e->mark & TUI_M_BADSUM)
        return pair(v, TV_C_DROP) | A_BOLD;
    switch (e->kind) {
    case SIM_EV_RECV: return pair(v, TV_C_RECV);
    case SIM_EV_DROP: return pair(v, TV_C_DROP) | A_BOLD;
    case SIM_EV_TIMER: return pair(v, TV_C_TIMER);
    case SIM_EV_NOTE: return pair(v, TV_C_NOTE);
    }
    if (e->mark & TUI_M_RETRANS)
        return pair(v, TV_C_TIMER) | A_BOLD;
    if (e->mark & TUI_M_INJECTED)
        return pair(v, TV_C_INJ) | A_BOLD;
    return A_NORMAL;
}

static void title(const struct tui_view *v, int y, int x, int w, const char *s)
{
    attron(A_BOLD | A_UNDERLINE);
    fill_line(y, x, w);
    put(y, x, w, s);
    attroff(A_BOLD | A_UNDERLINE);
    (void)v;
}

/* The first row shown so that the cursor is visible in h rows. */
static void keep_visible(struct tui_view *v, int h)
{
    size_t rows = tui_model_rows(&v->m);
    if (h < 1)
        h = 1;
    if (v->m.row < v->list_top)
        v->list_top = v->m.row;
    if (v->m.row >= v->list_top + (size_t)h)
        v->list_top = v->m.row - (size_t)h + 1;
    if (v->list_top >= rows)
        v->list_top = rows ? rows - 1 : 0;
    v->list_h = h;
}

static void draw_list(struct tui_view *v, int y, int x, int h, int w)
{
    char t[160];
    snprintf(t, sizeof t, " events %zu/%zu%s%s%s", tui_model_rows(&v->m) ? v->m.row + 1 : 0,
             tui_model_rows(&v->m), v->m.filt.any ? "  filter: " : "", v->m.filt.text,
             v->m.follow ? "  following" : "");
    title(v, y, x, w, t);
    keep_visible(v, h - 1);
    char row[512];
    for (int i = 0; i < h - 1; i++) {
        size_t r = v->list_top + (size_t)i;
        if (r >= tui_model_rows(&v->m))
            break;
        size_t ev = tui_model_ev_at(&v->m, r);
        tui_text_row(&v->m, ev, row + 1, sizeof row - 1);
        row[0] = v->m.follow ? ((v->rec->ev[ev].mark & TUI_M_DIR1) ? '<' : '>') : ' ';
        attr_t a = event_attr(v, ev);
        if (r == v->m.row)
            a = A_REVERSE | A_BOLD;
        attron(a);
        if (r == v->m.row)
            fill_line(y + 1 + i, x, w);
        put(y + 1 + i, x, w, row);
        attroff(a);
    }
}

static void draw_ladder(struct tui_view *v, int y, int x, int h, int w)
{
    char line[1024];
    size_t lw = (size_t)w < sizeof line - 1 ? (size_t)w : sizeof line - 1;
    tui_ladder_header(&v->m, lw, line);
    attron(A_BOLD | A_UNDERLINE);
    put(y, x, w, line);
    attroff(A_BOLD | A_UNDERLINE);
    keep_visible(v, h - 1);
    for (int i = 0; i < h - 1; i++) {
        size_t r = v->list_top + (size_t)i;
        if (r >= tui_model_rows(&v->m))
            break;
        size_t ev = tui_model_ev_at(&v->m, r), a0, a1;
        enum tui_lstyle st = tui_ladder_row(&v->m, ev, lw, line, &a0, &a1);
        bool sel = r == v->m.row;
        if (sel)
            attron(A_REVERSE | A_BOLD);
        put(y + 1 + i, x, w, line);
        if (!sel && a1 > a0) {
            attr_t a = st == TUI_LS_DROP ? pair(v, TV_C_DROP) | A_BOLD
                     : st == TUI_LS_RETRANS ? pair(v, TV_C_TIMER) | A_BOLD
                     : st == TUI_LS_INJECTED ? pair(v, TV_C_INJ) | A_BOLD
                     : st == TUI_LS_RECV ? pair(v, TV_C_RECV)
                     : st == TUI_LS_TIMER ? pair(v, TV_C_TIMER)
                     : st == TUI_LS_NOTE ? pair(v, TV_C_NOTE) : A_NORMAL;
            if (v->m.follow)
                a = event_attr(v, ev);
            attron(a);
            mvaddnstr(y + 1 + i, x + (int)a0, line + a0, (int)(a1 - a0));
            attroff(a);
        }
        if (sel)
            attroff(A_REVERSE | A_BOLD);
    }
}

static void draw_detail(struct tui_view *v, int y, int x, int h, int w)
{
    size_t ev = tui_model_ev(&v->m);
    title(v, y, x, w, " packet detail  ([ ] select a field: its bytes light up below)");
    if (ev == SIZE_MAX)
        return;
    const struct tui_ev *e = &v->rec->ev[ev];
    const uint8_t *p = tui_rec_pkt(v->rec, e);
    if (!p) {
        put(y + 1, x, w, " (no datagram: this event is a host's own action)");
        return;
    }
    struct tui_field f[48];
    size_t nf = tui_fields(p, e->len, f, 48);
    if (v->field >= nf)
        v->field = nf ? nf - 1 : 0;
    size_t nhex = (e->len + 15) / 16;
    int fh = h - 1 - (int)(nhex < 4 ? nhex : 4);
    if (fh < 2)
        fh = 2;
    size_t f0 = v->field >= (size_t)fh ? v->field - (size_t)fh + 1 : 0;
    for (int i = 0; i < fh && f0 + (size_t)i < nf; i++) {
        size_t k = f0 + (size_t)i;
        attr_t a = k == v->field ? A_REVERSE | A_BOLD : f[k].bad ? pair(v, TV_C_BAD) | A_BOLD
                 : f[k].len == 0 ? A_BOLD : A_NORMAL;
        attron(a);
        put(y + 1 + i, x, w, f[k].text);
        attroff(a);
    }
    const struct tui_field *sel = nf ? &f[v->field] : NULL;
    int hy = y + 1 + fh, rows = h - 1 - fh;
    size_t line0 = 0;
    if (sel && sel->len && (size_t)rows < nhex) {
        size_t sl = sel->off / 16;
        line0 = sl >= (size_t)rows ? sl - (size_t)rows + 1 : 0;
    }
    for (int i = 0; i < rows && line0 + (size_t)i < nhex; i++) {
        size_t off = (line0 + (size_t)i) * 16;
        char hex[96];
        tui_hex_line(p, e->len, off, hex, sizeof hex);
        put(hy + i, x, w, hex);
        if (!sel || !sel->len)
            continue;
        for (size_t b = off; b < off + 16 && b < e->len; b++) {
            if (b < sel->off || b >= (size_t)sel->off + sel->len)
                continue;
            int cx = x + 6 + (int)(b - off) * 3;
            if (cx + 2 <= x + w) {
                attron(A_REVERSE);
                mvaddnstr(hy + i, cx, hex + 6 + (b - off) * 3, 2);
                attroff(A_REVERSE);
            }
        }
    }
}

static void draw_inside(struct tui_view *v, int y, int x, int h, int w)
{
    size_t ev = tui_model_ev(&v->m);
    char t[160];
    if (ev == SIZE_MAX) {
        title(v, y, x, w, " inside the host");
        return;
    }
    const struct tui_ev *e = &v->rec->ev[ev];
    char hb[16];
    snprintf(t, sizeof t, " inside %s at event %zu (before -> after)",
             e->host ? tui_rec_str(v->rec, e->host) : tui_rec_host_name(v->rec, e->host_addr, hb),
             ev + 1);
    title(v, y, x, w, t);
    if (v->inside_ev != ev || v->inside_abs != v->m.absolute) {
        /* a scan's reasoning about this port first, then the host's inside */
        size_t ns = tui_scan_lines(&v->m, ev, v->inside, TV_INSIDE_MAX / 2);
        v->ninside = ns + tui_inside(&v->m, v->rec->from_pcap ? NULL : &v->rw, ev,
                                     v->inside + ns, TV_INSIDE_MAX - ns);
        v->inside_ev = ev;
        v->inside_abs = v->m.absolute;
    }
    for (int i = 0; i < h - 1 && (size_t)i < v->ninside; i++) {
        const char *s = v->inside[i];
        bool changed = strstr(s, " *") != NULL && strstr(s, "->") != NULL;
        bool hit = strncmp(s, "  =>", 4) == 0;
        attr_t a = changed || hit ? A_BOLD : A_NORMAL;
        if (hit)
            a |= pair(v, TV_C_DROP);
        attron(a);
        put(y + 1 + i, x, w, s);
        attroff(a);
    }
}

static void draw_stream(struct tui_view *v, int y, int x, int h, int w)
{
    title(v, y, x, w, " followed stream ('>' from the first sender, '<' back)");
    static char lines[256][160];
    static int dir[256];
    size_t n = tui_stream(&v->m, lines, dir, 256);
    if (n == 0) {
        put(y + 1, x, w, " f on an event follows its connection");
        return;
    }
    for (int i = 0; i < h - 1 && (size_t)i < n; i++) {
        attr_t a = i == 0 ? A_BOLD : pair(v, dir[i] ? TV_C_DIR1 : TV_C_DIR0);
        attron(a);
        put(y + 1 + i, x, w, lines[i]);
        attroff(a);
    }
}

static void draw_scan(struct tui_view *v, int y, int x, int h, int w)
{
    title(v, y, x, w, " the scan's report (s: back to the inside)");
    const char *s = v->scan_text ? v->scan_text : "";
    for (int i = 0; i < h - 1 && *s; i++) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        mvaddnstr(y + 1 + i, x, s, len < w ? len : w);
        s = nl ? nl + 1 : s + len;
    }
}

/* The IP-ID strip: the -sI zombie's whatever event is selected (the scan named it), else
 * the selected event's host, said so with how to chart another. */
static void draw_ipid(struct tui_view *v, int y, int x, int h, int w)
{
    size_t ev = tui_model_ev(&v->m);
    uint32_t zombie = v->rec->zombie;
    uint32_t host = zombie ? zombie : ev != SIZE_MAX ? v->rec->ev[ev].host_addr : 0;
    char t[200], hb[16];
    if (zombie)
        snprintf(t, sizeof t, " the -sI zombie %s's IP-ID, whatever event is selected "
                 "(z: back)", tui_rec_host_name(v->rec, zombie, hb));
    else
        snprintf(t, sizeof t, " IP-ID of %s, this event's host (z: back; select another "
                 "host's event to chart it; a scan with -sI ZOMBIE charts its zombie)",
                 host ? tui_rec_host_name(v->rec, host, hb) : "-");
    title(v, y, x, w, t);
    if (ev == SIZE_MAX || !host)
        return;
    static char lines[128][160];
    size_t n = tui_ipid_strip(&v->m, host, ev, lines, h - 1 < 128 ? (size_t)(h - 1) : 128);
    if (n == 1)
        snprintf(lines[n++], sizeof lines[0], " %s sent no datagram of its own in this run",
                 tui_rec_host_name(v->rec, host, hb));
    for (size_t i = 0; i < n; i++) {
        attr_t a = i == 0 ? A_BOLD : lines[i][0] == '>' ? A_REVERSE : A_NORMAL;
        attron(a);
        put(y + 1 + (int)i, x, w, lines[i]);
        attroff(a);
        const char *bar = lines[i] + TUI_IPID_BAR_COL;
        if (i && lines[i][0] != '>' && strlen(lines[i]) > TUI_IPID_BAR_COL && *bar == '#') {
            attron(pair(v, TV_C_TIMER) | A_BOLD);
            size_t len = strspn(bar, "#");
            mvaddnstr(y + 1 + (int)i, x + TUI_IPID_BAR_COL, bar, (int)len);
            attroff(pair(v, TV_C_TIMER) | A_BOLD);
        }
    }
}

static void draw_outline(struct tui_view *v, int y, int x, int h, int w)
{
    char t[160];
    snprintf(t, sizeof t, " the scan's %zu ports by outcome (Enter: open a group / go to a "
             "port's first probe, o: back)", v->ol.nports);
    title(v, y, x, w, t);
    size_t rows = tui_outline_rows(&v->ol);
    if (v->ol.row >= rows)
        v->ol.row = rows ? rows - 1 : 0;
    if (v->ol.row < v->ol_top)
        v->ol_top = v->ol.row;
    if (v->ol.row >= v->ol_top + (size_t)(h - 1))
        v->ol_top = v->ol.row - (size_t)(h - 1) + 1;
    for (int i = 0; i < h - 1; i++) {
        size_t r = v->ol_top + (size_t)i;
        if (r >= rows)
            break;
        char line[200];
        bool grp;
        tui_outline_text(&v->ol, v->rec, r, line, sizeof line, &grp);
        attr_t a = r == v->ol.row ? A_REVERSE | A_BOLD : grp ? A_BOLD : A_NORMAL;
        attron(a);
        if (r == v->ol.row)
            fill_line(y + 1 + i, x, w);
        put(y + 1 + i, x, w, line);
        attroff(a);
    }
}

static void draw_bottom(struct tui_view *v, int y, int x, int h, int w)
{
    switch (v->bottom) {
    case TV_IPID: draw_ipid(v, y, x, h, w); break;
    case TV_INSIDE: draw_inside(v, y, x, h, w); break;
    case TV_DETAIL: draw_detail(v, y, x, h, w); break;
    case TV_STREAM: draw_stream(v, y, x, h, w); break;
    case TV_SCAN: draw_scan(v, y, x, h, w); break;
    }
}

static void draw_status(struct tui_view *v, int w)
{
    char s[256];
    size_t ev = tui_model_ev(&v->m);
    unsigned long long t = ev == SIZE_MAX ? 0 : v->rec->ev[ev].t_ns;
    /* where the cursor is first: a long title is what 80 columns cut */
    char play[32] = "";
    if (v->m.playing)
        snprintf(play, sizeof play, "  [playing %d/s]", v->m.speed);
    snprintf(s, sizeof s, " tcplab tui  event %zu of %zu  t=%llu.%06llus%s%s  %s",
             ev == SIZE_MAX ? 0 : ev + 1, v->rec->n, t / 1000000000ULL, t % 1000000000ULL / 1000,
             play, v->m.absolute ? "  [absolute]" : "", v->rec->title);
    attr_t a = v->color ? COLOR_PAIR(TV_C_BAR) : A_REVERSE;
    attron(a);
    fill_line(0, 0, w);
    put(0, 0, w, s);
    attroff(a);
}

static void draw_hint(struct tui_view *v, int y, int w)
{
    fill_line(y, 0, w);
    if (v->msg[0]) {
        attron(A_BOLD);
        put(y, 0, w, v->msg);
        attroff(A_BOLD);
        return;
    }
    put(y, 0, w, v->wi_shown ? " n/p row  Enter A's event  x parting  w another  Esc back  ? help"
                             : " n/p step  / filter  f follow  c cause  w what-if  ? help  q quit");
}

static void draw_help(struct tui_view *v)
{
    (void)v;
    int n = 0;
    while (tui_help_lines[n])
        n++;
    int w = COLS - 4 < 92 ? COLS - 4 : 92, y0 = LINES >= 26 ? 2 : 1, x0 = (COLS - w) / 2;
    for (int i = 0; i < n + 2 && y0 + i < LINES - 1; i++) {
        attron(A_REVERSE);
        fill_line(y0 + i, x0, w);
        if (i > 0 && i <= n)
            put(y0 + i, x0 + 1, w - 2, tui_help_lines[i - 1]);
        attroff(A_REVERSE);
    }
}

void tv_next_layout(struct tui_view *v)
{
    /* (top, bottom) pairs in order; the stream only while following */
    if (v->bottom == TV_SCAN) {
        v->bottom = TV_INSIDE;
        return;
    }
    if (v->top == TV_LIST) {
        v->top = TV_LADDER;
        return;
    }
    v->top = TV_LIST;
    v->bottom = v->bottom == TV_INSIDE ? TV_DETAIL
              : v->bottom == TV_DETAIL && v->m.follow ? TV_STREAM : TV_INSIDE;
}

void tv_draw(struct tui_view *v)
{
    erase();
    int H = LINES, W = COLS;
    if (H < 10 || W < 40) {
        mvprintw(0, 0, "terminal too small (%dx%d): tcplab tui needs 40x10, 80x24 or more", W, H);
        refresh();
        return;
    }
    draw_status(v, W);
    int body = H - 2;
    if (v->wi_shown) {
        tv_draw_whatif(v, 1, body, W);
    } else if (W >= 160 && H >= 40) {
        int th = body / 2, lw = W / 2;
        if (v->outline)
            draw_outline(v, 1, 0, th, lw - 1);
        else
            draw_list(v, 1, 0, th, lw - 1);
        draw_ladder(v, 1, lw, th, W - lw);
        if (v->bottom == TV_STREAM || v->bottom == TV_SCAN || v->bottom == TV_IPID)
            draw_bottom(v, 1 + th, 0, body - th, lw - 1);
        else
            draw_detail(v, 1 + th, 0, body - th, lw - 1);
        draw_inside(v, 1 + th, lw, body - th, W - lw);
    } else {
        int th = body * 40 / 100;
        if (th < 5)
            th = 5;
        if (v->outline)
            draw_outline(v, 1, 0, th, W);
        else if (v->top == TV_LIST)
            draw_list(v, 1, 0, th, W);
        else
            draw_ladder(v, 1, 0, th, W);
        draw_bottom(v, 1 + th, 0, body - th, W);
    }
    draw_hint(v, H - 1, W);
    if (v->help)
        draw_help(v);
    refresh();
}
