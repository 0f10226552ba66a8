/* text.c — see text.h. Field offsets follow the header layouts of RFC 791 (IPv4), RFC 793
 * 3.1 (TCP), RFC 768 (UDP) and RFC 792 (ICMP); the ladder is drawn the way sngrep draws a
 * call flow: a lifeline per host, one arrow per datagram, a retransmission with a doubled
 * line and a triple head. */
#include "tui/text.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "sim/trace.h"

#define TX_APPEND(...)                                                                     \
    do {                                                                                   \
        if (used < cap) {                                                                  \
            int k_ = snprintf(out + used, cap - used, __VA_ARGS__);                        \
            if (k_ > 0)                                                                    \
                used += (size_t)k_ < cap - used ? (size_t)k_ : cap - used - 1;             \
        }                                                                                  \
    } while (0)

static const char *kind_name(uint8_t k) { return sim_ev_kind_name((enum sim_ev_kind)k); }

static const char *icmp_short(uint8_t type, uint8_t code, char *buf, size_t cap)
{
    switch (type) {
    case ICMP_ECHO: return "echo";
    case ICMP_ECHO_REPLY: return "echo-reply";
    case ICMP_TIMESTAMP: return "timestamp";
    case ICMP_TIMESTAMP_REPLY: return "ts-reply";
    default: snprintf(buf, cap, "%u/%u", type, code); return buf;
    }
}

void tui_text_pkt(const struct tui_model *m, size_t ev, char *out, size_t cap)
{
    const struct tui_ev *e = &m->rec->ev[ev];
    size_t used = 0;
    out[0] = 0;
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(m->rec, e), e->len, &k);
    if (!k.ok) {
        if (e->len)
            TX_APPEND("(%u bytes, not IPv4)", e->len);
        return;
    }
    char fl[9], ib[16];
    if (k.proto == WIRE_PROTO_TCP) {
        uint32_t seq, ack;
        tui_model_seq(m, ev, &seq, &ack);
        TX_APPEND("%u > %u [%s] s=%lu", k.sport, k.dport, wire_flags_str(k.flags, fl),
                  (unsigned long)seq);
        if (k.flags & TCP_ACK)
            TX_APPEND(" a=%lu", (unsigned long)ack);
        TX_APPEND(" len=%lu", (unsigned long)k.plen);
    } else if (k.proto == WIRE_PROTO_UDP) {
        TX_APPEND("%u > %u UDP len=%lu", k.sport, k.dport, (unsigned long)k.plen);
    } else if (k.proto == WIRE_PROTO_ICMP) {
        TX_APPEND("ICMP %s", icmp_short(k.flags, k.icode, ib, sizeof ib));
    } else {
        TX_APPEND("proto %u", k.proto);
    }
    if (e->mark & TUI_M_RETRANS)
        TX_APPEND(" (retransmission)");
    if (e->mark & TUI_M_INJECTED)
        TX_APPEND(" (injected)");
    if (e->mark & TUI_M_BADSUM)
        TX_APPEND(" BAD-CSUM");
}

void tui_text_row(const struct tui_model *m, size_t ev, char *out, size_t cap)
{
    const struct tui_ev *e = &m->rec->ev[ev];
    size_t used = 0;
    char host[16], peer[16], pk[160];
    const char *h = e->host ? tui_rec_str(m->rec, e->host)
                            : tui_rec_host_name(m->rec, e->host_addr, host);
    TX_APPEND("%6zu %3llu.%06llu %-5s %-8.8s ", ev + 1,
              (unsigned long long)(e->t_ns / 1000000000ULL),
              (unsigned long long)(e->t_ns % 1000000000ULL / 1000), kind_name(e->kind), h);
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(m->rec, e), e->len, &k);
    if (k.ok) {   /* the other end: where a SEND goes, where a RECV came from */
        bool out_ = k.src == e->host_addr;
        TX_APPEND("%s%-8.8s ", out_ ? ">" : "<",
                  tui_rec_host_name(m->rec, out_ ? k.dst : k.src, peer));
    }
    tui_text_pkt(m, ev, pk, sizeof pk);
    if (pk[0])
        TX_APPEND("%s", pk);
    const char *act = tui_rec_str(m->rec, e->action);
    if (*act)
        TX_APPEND("%s=> %s", pk[0] ? " " : "", act);
}

/* ---------------------------------------------------------------- ladder */

size_t tui_ladder_fit(size_t w)
{
    return w / TUI_LADDER_COLW ? w / TUI_LADDER_COLW : 1;
}

static size_t col_x(size_t col, size_t col0)
{
    return (col - col0) * TUI_LADDER_COLW + TUI_LADDER_COLW / 2;
}

static void lifelines(const struct tui_model *m, size_t w, char *out)
{
    memset(out, ' ', w);
    out[w] = 0;
    size_t fit = tui_ladder_fit(w);
    for (size_t c = m->col0; c < m->rec->ncols && c < m->col0 + fit; c++)
        if (col_x(c, m->col0) < w)
            out[col_x(c, m->col0)] = '|';
}

void tui_ladder_header(const struct tui_model *m, size_t w, char *out)
{
    memset(out, ' ', w);
    out[w] = 0;
    size_t fit = tui_ladder_fit(w);
    for (size_t c = m->col0; c < m->rec->ncols && c < m->col0 + fit; c++) {
        char buf[16];
        const char *n = tui_rec_host_name(m->rec, m->rec->cols[c], buf);
        size_t len = strlen(n);
        if (len > TUI_LADDER_COLW - 2)
            len = TUI_LADDER_COLW - 2;
        size_t x = col_x(c, m->col0);
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
        snprintf(out, cap, "ICMP %s", icmp_short(k.flags, k.icode, ib, sizeof ib));
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
    size_t fit = tui_ladder_fit(w);
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(r, e), e->len, &k);
    long hc = tui_rec_col(r, e->host_addr);
    bool hvis = hc >= 0 && (size_t)hc >= m->col0 && (size_t)hc < m->col0 + fit;
    if (e->kind != SIM_EV_SEND || !k.ok) {
        if (!hvis)
            return TUI_LS_PLAIN;
        size_t x = col_x((size_t)hc, m->col0);
        char mk = e->kind == SIM_EV_RECV ? '*' : e->kind == SIM_EV_DROP ? 'X'
                : e->kind == SIM_EV_TIMER ? '@' : '~';
        if (x < w)
            out[x] = mk;
        char txt[64];
        const char *act = tui_rec_str(r, e->action);
        snprintf(txt, sizeof txt, " %s", *act ? act : kind_name(e->kind));
        size_t room = TUI_LADDER_COLW - 2;
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
    size_t xl = lo < vx0 ? 0 : col_x((size_t)lo, m->col0);
    size_t xh = hi > vx1 ? (w ? w - 1 : 0) : col_x((size_t)hi, m->col0);
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
    size_t w = (m->rec->ncols ? m->rec->ncols : 1) * TUI_LADDER_COLW;
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

/* ---------------------------------------------------------------- packet fields */

struct fld_ctx {
    struct tui_field *out;
    size_t n, max;
};

__attribute__((format(printf, 5, 6)))
static void fld(struct fld_ctx *c, size_t off, size_t len, bool bad, const char *fmt, ...)
{
    if (c->n == c->max)
        return;
    struct tui_field *f = &c->out[c->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
    f->off = (uint16_t)off;
    f->len = (uint16_t)len;
    f->bad = bad;
}

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t g32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fields_tcp(struct fld_ctx *c, const uint8_t *p, size_t o, size_t n,
                       const struct wire_pkt *w)
{
    char fl[9];
    bool bad = w->l4_err == WIRE_OK && !w->l4.tcp.csum_ok;
    fld(c, o, 0, false, "TCP (RFC 793)");
    if (n < 20) {
        fld(c, o, n, true, "  truncated: %zu bytes", n);
        return;
    }
    fld(c, o, 2, false, "  source port     %u", g16(p + o));
    fld(c, o + 2, 2, false, "  dest port       %u", g16(p + o + 2));
    fld(c, o + 4, 4, false, "  sequence        %lu", (unsigned long)g32(p + o + 4));
    fld(c, o + 8, 4, false, "  ack number      %lu", (unsigned long)g32(p + o + 8));
    fld(c, o + 12, 1, false, "  data offset     %u (%u bytes)", p[o + 12] >> 4, (p[o + 12] >> 4) * 4);
    fld(c, o + 13, 1, false, "  flags           0x%02x [%s]", p[o + 13], wire_flags_str(p[o + 13], fl));
    fld(c, o + 14, 2, false, "  window          %u", g16(p + o + 14));
    fld(c, o + 16, 2, bad, "  checksum        0x%04x%s", g16(p + o + 16), bad ? " [bad checksum]" : " [ok]");
    fld(c, o + 18, 2, false, "  urgent pointer  %u", g16(p + o + 18));
    size_t doff = (size_t)(p[o + 12] >> 4) * 4;
    if (doff > 20 && doff <= n)
        fld(c, o + 20, doff - 20, false, "  options         %zu bytes", doff - 20);
    if (doff <= n && n > doff)
        fld(c, o + doff, n - doff, false, "  data            %zu bytes", n - doff);
}

static void fields_udp(struct fld_ctx *c, const uint8_t *p, size_t o, size_t n,
                       const struct wire_pkt *w)
{
    bool bad = w->l4_err == WIRE_OK && !w->l4.udp.csum_ok;
    fld(c, o, 0, false, "UDP (RFC 768)");
    if (n < 8) {
        fld(c, o, n, true, "  truncated: %zu bytes", n);
        return;
    }
    fld(c, o, 2, false, "  source port     %u", g16(p + o));
    fld(c, o + 2, 2, false, "  dest port       %u", g16(p + o + 2));
    fld(c, o + 4, 2, false, "  length          %u", g16(p + o + 4));
    fld(c, o + 6, 2, bad, "  checksum        0x%04x%s", g16(p + o + 6), bad ? " [bad checksum]" : "");
    if (n > 8)
        fld(c, o + 8, n - 8, false, "  data            %zu bytes", n - 8);
}

static void fields_icmp(struct fld_ctx *c, const uint8_t *p, size_t o, size_t n,
                        const struct wire_pkt *w)
{
    bool bad = w->l4_err == WIRE_OK && !w->l4.icmp.csum_ok;
    char ib[16];
    fld(c, o, 0, false, "ICMP (RFC 792)");
    if (n < 8) {
        fld(c, o, n, true, "  truncated: %zu bytes", n);
        return;
    }
    fld(c, o, 1, false, "  type            %u (%s)", p[o], icmp_short(p[o], p[o + 1], ib, sizeof ib));
    fld(c, o + 1, 1, false, "  code            %u", p[o + 1]);
    fld(c, o + 2, 2, bad, "  checksum        0x%04x%s", g16(p + o + 2), bad ? " [bad checksum]" : " [ok]");
    fld(c, o + 4, 4, false, "  rest of header  0x%08lx", (unsigned long)g32(p + o + 4));
    if (n > 8)
        fld(c, o + 8, n - 8, false, "  %s %zu bytes", p[o] == ICMP_UNREACH || p[o] == ICMP_TIME_EXCEEDED
            ? "quoted datagram" : "data           ", n - 8);
}

size_t tui_fields(const uint8_t *p, size_t len, struct tui_field *out, size_t max)
{
    struct fld_ctx c = { out, 0, max };
    if (!p || len < 20 || p[0] >> 4 != 4) {
        fld(&c, 0, len, true, "not an IPv4 datagram (%zu bytes)", len);
        return c.n;
    }
    struct wire_pkt w;
    memset(&w, 0, sizeof w);
    int rc = wire_parse(p, len, &w);
    size_t hl = (size_t)(p[0] & 15) * 4;
    char a[16], b[16];
    bool ipbad = rc == WIRE_OK && !w.ip.csum_ok;
    fld(&c, 0, 0, false, "IPv4 (RFC 791)");
    fld(&c, 0, 1, false, "  version, IHL    %u, %u (%zu bytes)", p[0] >> 4, p[0] & 15, hl);
    fld(&c, 1, 1, false, "  TOS             0x%02x", p[1]);
    fld(&c, 2, 2, false, "  total length    %u", g16(p + 2));
    fld(&c, 4, 2, false, "  identification  %u", g16(p + 4));
    fld(&c, 6, 2, false, "  flags, offset   %s%s %u", (p[6] & 0x40) ? "DF" : "",
        (p[6] & 0x20) ? " MF" : "", g16(p + 6) & 0x1fff);
    fld(&c, 8, 1, false, "  TTL             %u", p[8]);
    fld(&c, 9, 1, false, "  protocol        %u", p[9]);
    fld(&c, 10, 2, ipbad, "  header checksum 0x%04x%s", g16(p + 10), ipbad ? " [bad checksum]" : " [ok]");
    fld(&c, 12, 4, false, "  source          %s", wire_ip_str(g32(p + 12), a));
    fld(&c, 16, 4, false, "  destination     %s", wire_ip_str(g32(p + 16), b));
    if (rc != WIRE_OK) {
        fld(&c, 0, len, true, "  parse: %s", wire_strerror(rc));
        return c.n;
    }
    if (hl > 20)
        fld(&c, 20, hl - 20, false, "  options         %zu bytes", hl - 20);
    size_t tl = g16(p + 2) <= len ? g16(p + 2) : len;
    if (w.ip.frag_off)
        return c.n;
    switch (p[9]) {
    case WIRE_PROTO_TCP: fields_tcp(&c, p, hl, tl - hl, &w); break;
    case WIRE_PROTO_UDP: fields_udp(&c, p, hl, tl - hl, &w); break;
    case WIRE_PROTO_ICMP: fields_icmp(&c, p, hl, tl - hl, &w); break;
    }
    return c.n;
}

void tui_hex_line(const uint8_t *p, size_t len, size_t off, char *out, size_t cap)
{
    size_t used = 0;
    TX_APPEND("%04zx  ", off);
    for (size_t i = 0; i < 16; i++) {
        if (off + i < len)
            TX_APPEND("%02x ", p[off + i]);
        else
            TX_APPEND("   ");
    }
    TX_APPEND(" ");
    for (size_t i = 0; i < 16 && off + i < len; i++) {
        uint8_t ch = p[off + i];
        TX_APPEND("%c", ch >= 32 && ch < 127 ? ch : '.');
    }
}

/* ---------------------------------------------------------------- the host's inside */

struct inside_side {
    bool ok, tcb;
    struct sim_tcb_info t;
    struct sim_ipid_info ipid;
};

/* Which TCB an event concerns at its host: the packet's tuple from that host's side, or for
 * a packetless event (timer, note) the next datagram of its unit from or to that host. */
static bool event_tuple(const struct tui_rec *r, size_t ev, uint16_t *lport, uint32_t *raddr,
                        uint16_t *rport, uint8_t *proto)
{
    const struct tui_ev *e = &r->ev[ev];
    for (size_t i = ev; i < r->n && r->ev[i].unit == e->unit; i++) {
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(r, &r->ev[i]), r->ev[i].len, &k);
        if (!k.ok)
            continue;
        *proto = k.proto;
        if (k.dst == e->host_addr) {
            *lport = k.dport;
            *raddr = k.src;
            *rport = k.sport;
            return true;
        }
        if (k.src == e->host_addr) {
            *lport = k.sport;
            *raddr = k.dst;
            *rport = k.dport;
            return true;
        }
    }
    return false;
}

static void side_read(const struct sim *s, uint32_t host, uint16_t lp, uint32_t ra, uint16_t rp,
                      uint8_t proto, struct inside_side *o)
{
    memset(o, 0, sizeof *o);
    if (!s)
        return;
    o->ok = sim_host_ipid(s, host, ra, proto ? proto : WIRE_PROTO_TCP, &o->ipid) == 0;
    o->tcb = sim_host_tcb(s, host, lp, ra, rp, &o->t) == 0;
}

#define LINE(...) do { if (n < max) snprintf(lines[n++], sizeof lines[0], __VA_ARGS__); } while (0)

/* One TCB field before -> after; rel: relative to each side's own base (ISS or IRS), a
 * field whose base is not known yet (RCV.* before the peer's SYN) shown as '-'. */
static void tcb_line(char (*lines)[160], size_t *np, size_t max, const char *name,
                     const struct inside_side *b, const struct inside_side *a, size_t off,
                     int base)
{
    size_t n = *np;
    char bs[32] = "-", as[32] = "-";
    const struct inside_side *sd[2] = { b, a };
    char *out[2] = { bs, as };
    uint32_t v[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        if (!sd[i]->tcb)
            continue;
        const struct sim_tcb_info *t = &sd[i]->t;
        v[i] = *(const uint32_t *)((const char *)t + off);
        bool unknown = base == 2 && (t->state == TCP_SYN_SENT || t->state == TCP_LISTEN);
        if (unknown)
            continue;
        uint32_t shown = base == 1 ? v[i] - t->iss : base == 2 ? v[i] - t->irs : v[i];
        snprintf(out[i], 32, "%lu", (unsigned long)shown);
    }
    bool changed = b->tcb && a->tcb && v[0] != v[1];
    LINE("  %-8s %14s %s %-14s%s", name, bs, changed ? "->" : "  ", as, changed ? " *" : "");
    *np = n;
}

/* Two raw fields on one line: "  ISS 5000  IRS 0 -> 1000". */
static void tcb_pair(char (*lines)[160], size_t *np, size_t max, const char *n1,
                     const struct inside_side *b, const struct inside_side *a, size_t o1,
                     const char *n2, size_t o2)
{
    size_t n = *np;
    char part[2][64];
    size_t off[2] = { o1, o2 };
    for (int i = 0; i < 2; i++) {
        uint32_t vb = b->tcb ? *(const uint32_t *)((const char *)&b->t + off[i]) : 0;
        uint32_t va = a->tcb ? *(const uint32_t *)((const char *)&a->t + off[i]) : 0;
        if (b->tcb && a->tcb && vb != va)
            snprintf(part[i], sizeof part[i], "%lu -> %lu *", (unsigned long)vb, (unsigned long)va);
        else if (a->tcb || b->tcb)
            snprintf(part[i], sizeof part[i], "%lu", (unsigned long)(a->tcb ? va : vb));
        else
            snprintf(part[i], sizeof part[i], "-");
    }
    LINE("  %-8s %-24s %s %s", n1, part[0], n2, part[1]);
    *np = n;
}

size_t tui_inside(const struct tui_model *m, struct tui_rewind *rw, size_t ev, char (*lines)[160],
                  size_t max)
{
    const struct tui_rec *r = m->rec;
    const struct tui_ev *e = &r->ev[ev];
    size_t n = 0;
    char hb[16], ab[16];
    const char *act = tui_rec_str(r, e->action), *rule = tui_rec_str(r, e->rule);
    if (r->from_pcap || !rw) {
        LINE("A capture shows the wire only: no host's inside.");
        return n;
    }
    uint16_t lp = 0, rp = 0;
    uint32_t ra = 0;
    uint8_t proto = 0;
    bool tuple = event_tuple(r, ev, &lp, &ra, &rp, &proto);
    const struct sim *sb = tui_rewind_at(rw, e->unit ? e->unit - 1 : 0);
    struct inside_side before, after;
    side_read(sb, e->host_addr, lp, ra, rp, proto, &before);
    struct sim_host_info hi;
    bool have_host = sb && sim_host_info(sb, e->host_addr, &hi) == 0;
    const struct sim *sa = tui_rewind_at(rw, e->unit);
    if (!sa) {
        LINE("(could not rebuild the state at this event)");
        return n;
    }
    side_read(sa, e->host_addr, lp, ra, rp, proto, &after);
    if (!have_host) {
        LINE("%s is not a simulated host (an address a datagram claims).",
             tui_rec_host_name(r, e->host_addr, hb));
        return n;
    }
    sim_host_info(sa, e->host_addr, &hi);
    LINE("%s %s  os %s  isn %s  ipid %s", hi.name, wire_ip_str(hi.addr, hb), hi.os, hi.isn_gen,
         hi.ipid_gen);
    const char *rid = tui_rec_str(r, e->rule_id);
    if (*act || *rule)
        LINE("did: %s%s%s%s%s%s", *act ? act : "-", *rid ? "  [" : "", rid, *rid ? "]" : "",
             *rule ? "  " : "", rule);
    if (tuple && (proto == WIRE_PROTO_TCP)) {
        LINE("TCB %s:%u <-> %s:%u  before -> after%s", wire_ip_str(hi.addr, hb), lp,
             tui_rec_host_name(r, ra, ab), rp, m->absolute ? "" : " (SND rel. ISS, RCV rel. IRS)");
        if (!before.tcb && !after.tcb) {
            LINE("  no TCB, before or after (state %s -> %s)", tcp_state_name(e->state_before),
                 tcp_state_name(e->state_after));
        } else {
            LINE("  %-8s %14s %s %-14s", "state", before.tcb ? tcp_state_name(before.t.state) : "-",
                 "->", after.tcb ? tcp_state_name(after.t.state) : "(gone)");
            int rb = m->absolute ? 0 : 1, rr = m->absolute ? 0 : 2;
            tcb_line(lines, &n, max, "SND.UNA", &before, &after,
                     offsetof(struct sim_tcb_info, snd_una), rb);
            tcb_line(lines, &n, max, "SND.NXT", &before, &after,
                     offsetof(struct sim_tcb_info, snd_nxt), rb);
            tcb_line(lines, &n, max, "RCV.NXT", &before, &after,
                     offsetof(struct sim_tcb_info, rcv_nxt), rr);
            tcb_pair(lines, &n, max, "WND snd", &before, &after,
                     offsetof(struct sim_tcb_info, snd_wnd), "rcv",
                     offsetof(struct sim_tcb_info, rcv_wnd));
            tcb_pair(lines, &n, max, "ISS", &before, &after, offsetof(struct sim_tcb_info, iss),
                     "IRS", offsetof(struct sim_tcb_info, irs));
            if (after.tcb && after.t.timer)
                LINE("  timer    %s at %llu.%06llu s (try %u)", sim_timer_name(after.t.timer),
                     (unsigned long long)(after.t.timer_at_ns / 1000000000ULL),
                     (unsigned long long)(after.t.timer_at_ns % 1000000000ULL / 1000),
                     after.t.retries);
        }
    }
    if (before.ok && after.ok) {
        if (after.ipid.toward < 0)
            LINE("IP-ID: %s, no counter to show", after.ipid.gen);
        else
            LINE("IP-ID toward %s: %ld -> %ld%s", tui_rec_host_name(r, ra, ab),
                 (long)before.ipid.toward, (long)after.ipid.toward,
                 after.ipid.global >= 0 ? " (one counter for every peer)" : "");
    }
    if (tuple) {
        struct sim_isn_info isn;
        sim_host_isn(sa, e->host_addr, lp, ra, rp, &isn);
        if (isn.predictable)
            LINE("next ISN for this tuple: %lu (%s)", (unsigned long)isn.next, isn.gen);
        else
            LINE("next ISN: unpredictable (%s)", isn.gen);
    }
    struct sim_timer_info tm[4];
    int nt = sim_host_timers(sa, e->host_addr, tm, 4);
    if (nt > 0) {
        LINE("timers (%d):", nt);
        for (int i = 0; i < nt && i < 3; i++)
            LINE("  %-10s at %llu.%06llu s  :%u <-> %s:%u %s", sim_timer_name(tm[i].kind),
                 (unsigned long long)(tm[i].at_ns / 1000000000ULL),
                 (unsigned long long)(tm[i].at_ns % 1000000000ULL / 1000), tm[i].lport,
                 tui_rec_host_name(r, tm[i].raddr, ab), tm[i].rport, tcp_state_name(tm[i].state));
    }
    struct sim_listener_info li[6];
    int nl = sim_host_listeners(sa, e->host_addr, li, 6);
    if (nl > 0) {
        char buf[160];
        size_t used = 0, cap = sizeof buf;
        char *out = buf;
        buf[0] = 0;
        for (int i = 0; i < nl && i < 6; i++)
            TX_APPEND("%s%u%s", i ? ", " : "", li[i].port,
                      li[i].half_open ? " (half-open)" : "");
        LINE("listening: %s%s  backlog %d", buf, nl > 6 ? ", ..." : "", li[0].backlog);
    }
    for (int dir = 0; dir < 2; dir++) {
        int fi = dir ? hi.filter_out : hi.filter_in;
        struct sim_filter_info fi_b, fi_a;
        if (fi < 0 || sim_filter_info(sa, (size_t)fi, &fi_a) || sim_filter_info(sb, (size_t)fi, &fi_b))
            continue;
        LINE("filter %s %s%s: policy %s (hits %llu), conntrack %u entries, passed %llu",
             fi_a.name, fi_a.inbound ? "in" : "out", fi_a.stateful ? " stateful" : "",
             fi_a.policy_drop ? "drop" : "accept", (unsigned long long)fi_a.policy_hits,
             fi_a.nconntrack, (unsigned long long)fi_a.conntrack_passed);
        for (uint32_t k = 0; k < fi_a.nrules; k++) {
            struct sim_rule_info ra_, rb_;
            sim_filter_rule(sa, (size_t)fi, k, &ra_);
            sim_filter_rule(sb, (size_t)fi, k, &rb_);
            bool hit = ra_.hits != rb_.hits;
            LINE("  %s%u %-40.40s hits %llu", hit ? "=>" : "  ", k + 1, ra_.text,
                 (unsigned long long)ra_.hits);
        }
        if (fi_a.policy_hits != fi_b.policy_hits)
            LINE("  => the policy decided this one");
        if (fi_a.conntrack_passed != fi_b.conntrack_passed)
            LINE("  => conntrack passed this one (a reply to a tracked flow)");
    }
    return n;
}

size_t tui_stream(const struct tui_model *m, char (*lines)[160], int *dir, size_t max)
{
    size_t n = 0;
    const struct tui_rec *r = m->rec;
    if (!m->follow)
        return 0;
    const struct tui_conn *c = &r->conns[m->follow - 1];
    char a[16], b[16];
    dir[n] = 0;
    LINE("stream %s:%u <-> %s:%u  (%llu bytes >, %llu bytes <)", tui_rec_host_name(r, c->addr[0], a),
         c->port[0], tui_rec_host_name(r, c->addr[1], b), c->port[1],
         (unsigned long long)c->bytes[0], (unsigned long long)c->bytes[1]);
    for (size_t i = c->first_ev; i < r->n && n < max; i++) {
        const struct tui_ev *e = &r->ev[i];
        if (e->conn != m->follow || e->kind != SIM_EV_SEND || (e->mark & TUI_M_RETRANS))
            continue;
        struct tui_pk k;
        const uint8_t *p = tui_rec_pkt(r, e);
        tui_pk_read(p, e->len, &k);
        if (!k.plen || k.plen > e->len)
            continue;
        const uint8_t *d = p + e->len - k.plen;
        int dr = (e->mark & TUI_M_DIR1) ? 1 : 0;
        for (size_t off = 0; off < k.plen && n < max; off += 64) {
            char *o = lines[n];
            size_t used = 0, cap = sizeof lines[0];
            char *out = o;
            out[0] = 0;
            TX_APPEND("%s ", dr ? "<" : ">");
            for (size_t j = off; j < k.plen && j < off + 64; j++)
                TX_APPEND("%c", d[j] >= 32 && d[j] < 127 ? d[j] : '.');
            dir[n++] = dr;
        }
    }
    return n;
}

const char *const tui_help_lines[] = {
    "tcplab tui: keys",
    "  n Space Right Down   next event        p Left Up   previous (a true step back)",
    "  PgDn PgUp            a page            g G         first, last",
    "  :N Enter             go to event N     / TEXT      filter (host, port N, tcp, flags SA,",
    "                                                       send/recv/drop/timer/note, retrans)",
    "  f                    follow the connection (again: stop)",
    "  c                    jump to the cause (the probe a RST answers, the timer behind a",
    "                       retransmission, the SEND of a datagram received)",
    "  a                    jump to the arrival of a sent datagram (its RECV or DROP)",
    "  b                    back from the last jump",
    "  m + letter           set a bookmark        ' + letter   go to it",
    "  r                    relative / absolute sequence numbers",
    "  < >                  scroll the ladder across hosts",
    "  Tab                  next panel layout (list, ladder; inside, detail, stream)",
    "  [ ]                  select a field in the packet detail (its bytes light up)",
    "  P                    play / pause        + -   faster / slower",
    "  e                    export the ladder: tcplab-ladder.txt and tcplab-ladder.svg",
    "  o                    a scan's ports folded by outcome (Enter opens, goes to a port)",
    "  s                    the scan's report      z   IP-ID strip (the -sI zombie's)",
    "  ?                    this help           q     quit",
    NULL,
};
