/* ladder.c — the ladder (text.h): one lifeline per host, in order of first appearance, an
 * arrow per datagram, drawn the way sngrep draws a call flow (a retransmission with a
 * doubled line and a triple head, an injected datagram with '~' from the address it
 * claims, 'X' where a datagram died); and its exports, as text and as SVG for slides.
 *
 * A column is as wide as the longest host name or address of the run needs (the model's
 * colw, at least TUI_LADDER_COLW), so a capture's dotted quads are never cut; the view
 * scrolls across columns when they do not all fit.
 */
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "sim/trace.h"

static const char *kind_name(uint8_t k) { return sim_ev_kind_name((enum sim_ev_kind)k); }

static size_t colw(const struct tui_model *m)
{
    return m->colw ? m->colw : TUI_LADDER_COLW;
}

size_t tui_ladder_fit(const struct tui_model *m, size_t w)
{
    return w / colw(m) ? w / colw(m) : 1;
}

static size_t col_x(const struct tui_model *m, size_t col)
{
    return (col - m->col0) * colw(m) + colw(m) / 2;
}

static void lifelines(const struct tui_model *m, size_t w, char *out)
{
    memset(out, ' ', w);
    out[w] = 0;
    size_t fit = tui_ladder_fit(m, w);
    for (size_t c = m->col0; c < m->rec->ncols && c < m->col0 + fit; c++)
        if (col_x(m, c) < w)
            out[col_x(m, c)] = '|';
}

void tui_ladder_header(const struct tui_model *m, size_t w, char *out)
{
    memset(out, ' ', w);
    out[w] = 0;
    size_t fit = tui_ladder_fit(m, w);
    for (size_t c = m->col0; c < m->rec->ncols && c < m->col0 + fit; c++) {
        char buf[16];
        const char *n = tui_rec_host_name(m->rec, m->rec->cols[c], buf);
        size_t len = strlen(n);
        if (len > colw(m) - 2)
            len = colw(m) - 2;
        size_t x = col_x(m, c);
        size_t start = x >= len / 2 ? x - len / 2 : 0;
        for (size_t i = 0; i < len && start + i < w; i++)
            out[start + i] = n[i];
    }
    if (m->col0 > 0)
        out[0] = '<';
    if (m->rec->ncols > m->col0 + fit && w > 0)
        out[w - 1] = '>';
}

/* The arrow label: flags and relative numbers, as short as the gap needs. */
static void arrow_label(const struct tui_model *m, size_t ev, char *out, size_t cap)
{
    const struct tui_ev *e = &m->rec->ev[ev];
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(m->rec, e), e->len, &k);
    char fl[9], ib[16];
    if (!k.ok) {
        snprintf(out, cap, "?");
    } else if (k.proto == WIRE_PROTO_TCP) {
        uint32_t seq, ack;
        tui_model_seq(m, ev, &seq, &ack);
        if (k.flags & TCP_ACK)
            snprintf(out, cap, "%s %lu:%lu %lu", wire_flags_str(k.flags, fl), (unsigned long)seq,
                     (unsigned long)ack, (unsigned long)k.plen);
        else
            snprintf(out, cap, "%s %lu %lu", wire_flags_str(k.flags, fl), (unsigned long)seq,
                     (unsigned long)k.plen);
    } else if (k.proto == WIRE_PROTO_UDP) {
        snprintf(out, cap, "UDP %lu", (unsigned long)k.plen);
    } else if (k.proto == WIRE_PROTO_ICMP) {
        snprintf(out, cap, "ICMP %s", tui_icmp_short(k.flags, k.icode, ib, sizeof ib));
    } else {
        snprintf(out, cap, "proto %u", k.proto);
    }
}

static void put_text(char *out, size_t w, size_t x, const char *s)
{
    for (size_t i = 0; s[i] && x + i < w; i++)
        out[x + i] = s[i];
}

enum tui_lstyle tui_ladder_row(const struct tui_model *m, size_t ev, size_t w, char *out,
                               size_t *a0, size_t *a1)
{
    const struct tui_rec *r = m->rec;
    const struct tui_ev *e = &r->ev[ev];
    lifelines(m, w, out);
    *a0 = *a1 = 0;
    size_t fit = tui_ladder_fit(m, w);
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(r, e), e->len, &k);
    long hc = tui_rec_col(r, e->host_addr);
    bool hvis = hc >= 0 && (size_t)hc >= m->col0 && (size_t)hc < m->col0 + fit;
    if (e->kind != SIM_EV_SEND || !k.ok) {
        if (!hvis)
            return TUI_LS_PLAIN;
        size_t x = col_x(m, (size_t)hc);
        char mk = e->kind == SIM_EV_RECV ? '*' : e->kind == SIM_EV_DROP ? 'X'
                : e->kind == SIM_EV_TIMER ? '@' : '~';
        if (x < w)
            out[x] = mk;
        char txt[64];
        const char *act = tui_rec_str(r, e->action);
        snprintf(txt, sizeof txt, " %s", *act ? act : kind_name(e->kind));
        size_t room = colw(m) - 2;
        if (strlen(txt) > room)
            txt[room] = 0;
        put_text(out, w, x + 1, txt);
        *a0 = x;
        *a1 = x + 1 + strlen(txt) < w ? x + 1 + strlen(txt) : w;
        return e->kind == SIM_EV_RECV ? TUI_LS_RECV : e->kind == SIM_EV_DROP ? TUI_LS_DROP
             : e->kind == SIM_EV_TIMER ? TUI_LS_TIMER : TUI_LS_NOTE;
    }
    long sc = tui_rec_col(r, k.src), dc = tui_rec_col(r, k.dst);
    if (sc < 0 || dc < 0)
        return TUI_LS_PLAIN;
    bool retrans = e->mark & TUI_M_RETRANS, inj = e->mark & TUI_M_INJECTED;
    bool dropped = e->fate && r->ev[e->fate - 1].kind == SIM_EV_DROP;
    /* x positions, clipped to the visible columns (an arrow to a hidden host runs off the
     * edge with "..") */
    long vx0 = (long)m->col0, vx1 = (long)(m->col0 + fit) - 1;
    long s = sc, d = dc;
    bool right = d >= s;
    long lo = right ? s : d, hi = right ? d : s;
    if (hi < vx0 || lo > vx1)
        return TUI_LS_PLAIN;
    size_t xl = lo < vx0 ? 0 : col_x(m, (size_t)lo);
    size_t xh = hi > vx1 ? (w ? w - 1 : 0) : col_x(m, (size_t)hi);
    if (xh >= w)
        xh = w ? w - 1 : 0;
    char line = retrans ? '=' : inj ? '~' : '-';
    if (s == d) {   /* to itself: a small loop */
        put_text(out, w, xl, "|<-'");
        *a0 = xl;
        *a1 = xl + 4 < w ? xl + 4 : w;
    } else {
        for (size_t x = xl + 1; x < xh; x++)
            out[x] = line;
        size_t head = right ? xh - 1 : xl + 1;
        if (dropped && !(hi > vx1 && right) && !(lo < vx0 && !right))
            out[head] = 'X';
        else if (right)
            memcpy(out + (retrans && xh >= xl + 4 ? xh - 3 : xh - 1), retrans && xh >= xl + 4 ? ">>>" : ">",
                   retrans && xh >= xl + 4 ? 3 : 1);
        else
            memcpy(out + xl + 1, retrans && xh >= xl + 4 ? "<<<" : "<", retrans && xh >= xl + 4 ? 3 : 1);
        if (lo < vx0)
            put_text(out, w, 0, "..");
        if (hi > vx1 && w >= 2)
            put_text(out, w, w - 2, "..");
        char lab[64];
        arrow_label(m, ev, lab, sizeof lab);
        size_t room = xh - xl > 6 ? xh - xl - 6 : 0;
        if (strlen(lab) > room)
            lab[room] = 0;
        size_t len = strlen(lab);
        if (len) {
            size_t x = xl + (xh - xl - len) / 2;
            put_text(out, w, x, lab);
        }
        *a0 = xl + 1;
        *a1 = xh;
    }
    return dropped ? TUI_LS_DROP : retrans ? TUI_LS_RETRANS : inj ? TUI_LS_INJECTED : TUI_LS_SEND;
}

int tui_export_text(const struct tui_model *m, FILE *f)
{
    struct tui_model all = *m;
    all.col0 = 0;
    size_t w = (m->rec->ncols ? m->rec->ncols : 1) * colw(m);
    char *line = malloc(w + 1), row[256];
    if (!line)
        return -1;
    tui_ladder_header(&all, w, line);
    fprintf(f, "%-24s %s\n", "", line);
    for (size_t i = 0; i < tui_model_rows(m); i++) {
        size_t ev = tui_model_ev_at(m, i), a0, a1;
        tui_ladder_row(&all, ev, w, line, &a0, &a1);
        const struct tui_ev *e = &m->rec->ev[ev];
        snprintf(row, sizeof row, "%6zu %3llu.%06llu %-5s", ev + 1,
                 (unsigned long long)(e->t_ns / 1000000000ULL),
                 (unsigned long long)(e->t_ns % 1000000000ULL / 1000), kind_name(e->kind));
        fprintf(f, "%-24s %s\n", row, line);
    }
    free(line);
    return ferror(f) ? -1 : 0;
}

static void svg_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

int tui_export_svg(const struct tui_model *m, FILE *f)
{
    const struct tui_rec *r = m->rec;
    const int colw = 200, rowh = 22, top = 50, left = 150;
    size_t rows = tui_model_rows(m);
    int W = left + (int)(r->ncols ? r->ncols : 1) * colw, H = top + (int)rows * rowh + 20;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "font-family=\"monospace\" font-size=\"12\">\n", W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<defs><marker id=\"h\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" "
            "orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"context-stroke\"/></marker></defs>\n");
    for (size_t c = 0; c < r->ncols; c++) {
        char buf[16];
        int x = left + (int)c * colw + colw / 2;
        fprintf(f, "<text x=\"%d\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">", x);
        svg_escape(f, tui_rec_host_name(r, r->cols[c], buf));
        fprintf(f, "</text>\n<line x1=\"%d\" y1=\"38\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", x,
                x, H - 10);
    }
    for (size_t i = 0; i < rows; i++) {
        size_t ev = tui_model_ev_at(m, i);
        const struct tui_ev *e = &r->ev[ev];
        int y = top + (int)i * rowh + rowh / 2;
        fprintf(f, "<text x=\"4\" y=\"%d\">%zu %llu.%06llu</text>\n", y + 4, ev + 1,
                (unsigned long long)(e->t_ns / 1000000000ULL),
                (unsigned long long)(e->t_ns % 1000000000ULL / 1000));
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(r, e), e->len, &k);
        long hc = tui_rec_col(r, e->host_addr);
        if (e->kind != SIM_EV_SEND || !k.ok) {
            if (hc < 0)
                continue;
            int x = left + (int)hc * colw + colw / 2;
            const char *colr = e->kind == SIM_EV_DROP ? "#c00" : e->kind == SIM_EV_TIMER ? "#a60" : "#06c";
            fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>", x, y, colr);
            fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"%s\">", x + 6, y + 4, colr);
            const char *act = tui_rec_str(r, e->action);
            svg_escape(f, *act ? act : kind_name(e->kind));
            fprintf(f, "</text>\n");
            continue;
        }
        long sc = tui_rec_col(r, k.src), dc = tui_rec_col(r, k.dst);
        if (sc < 0 || dc < 0)
            continue;
        int x1 = left + (int)sc * colw + colw / 2, x2 = left + (int)dc * colw + colw / 2;
        bool dropped = e->fate && r->ev[e->fate - 1].kind == SIM_EV_DROP;
        const char *colr = dropped ? "#c00" : (e->mark & TUI_M_RETRANS) ? "#a60"
                         : (e->mark & TUI_M_INJECTED) ? "#909" : "#000";
        const char *dash = (e->mark & TUI_M_INJECTED) ? " stroke-dasharray=\"6,3\"" : "";
        const char *wid = (e->mark & TUI_M_RETRANS) ? "3" : "1.5";
        if (x1 == x2)
            x2 += 30;
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"%s "
                "marker-end=\"url(#h)\"/>", x1, y, x2, y, colr, wid, dash);
        char lab[64];
        arrow_label(m, ev, lab, sizeof lab);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">", (x1 + x2) / 2,
                y - 3, colr);
        svg_escape(f, lab);
        if (dropped)
            fputs(" (dropped)", f);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}

