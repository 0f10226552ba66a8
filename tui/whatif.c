/* whatif.c — see whatif.h. Formatting happens for the rows on screen only; the run is the
 * cost (both runs recorded whole, as `tcplab diff` records them). */
#include "tui/whatif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/infile.h"
#include "lib/wire.h"
#include "sim/scenario.h"

void tui_whatif_init(struct tui_whatif *w)
{
    memset(w, 0, sizeof *w);
}

static void tui_whatif_drop(struct tui_whatif *w)
{
    if (w->have || w->a.sc || w->b.sc) {
        whatif_run_free(&w->a);
        whatif_run_free(&w->b);
    }
    free(w->ia);
    free(w->ib);
    w->ia = w->ib = NULL;
    w->na = w->nb = 0;
    w->have = false;
}

void tui_whatif_free(struct tui_whatif *w)
{
    tui_whatif_drop(w);
}

static void tui_whatif_label(const struct whatif_src *src, const struct whatif_run *r,
                         const char *spec, char *out, size_t cap)
{
    int n = src->file ? snprintf(out, cap, "%s", src->file)
                      : snprintf(out, cap, "lab %s, student %s", src->lab.lab ? src->lab.lab
                                 : "(ticket)", src->lab.student ? src->lab.student : "(ticket)");
    if (spec && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " with %s", spec);
    if (n > 0 && (size_t)n < cap && (!r->view.restricted || src->has_seed))
        snprintf(out + n, cap - (size_t)n, " (seed %llu)", (unsigned long long)r->seed);
}

/* The trace indices in view, in order. 0 or -1. */
static int tui_whatif_index(const struct trace *t, const struct rundiff_view *v, size_t **out,
                        size_t *n)
{
    *n = 0;
    *out = malloc((t->n ? t->n : 1) * sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = rundiff_next(t, v, SIZE_MAX); i != SIZE_MAX; i = rundiff_next(t, v, i))
        (*out)[(*n)++] = i;
    return 0;
}

int tui_whatif_run(struct tui_whatif *w, const struct whatif_src *src, const char *spec)
{
    tui_whatif_drop(w);
    w->err[0] = 0;
    /* "CHANGE" changes B; "CHANGE-A vs CHANGE-B" both (a lab's hidden fact is set on both
     * sides or not at all) */
    char sa[WHATIF_VALUE_MAX + 64] = "", sb[sizeof w->spec];
    const char *vs = strstr(spec, " vs ");
    if (vs && (size_t)(vs - spec) < sizeof sa) {
        snprintf(sa, sizeof sa, "%.*s", (int)(vs - spec), spec);
        snprintf(sb, sizeof sb, "%s", vs + 4);
    } else {
        snprintf(sb, sizeof sb, "%s", spec);
    }
    struct whatif_change ca, cb;
    if ((sa[0] && whatif_parse(sa, &ca, w->err, sizeof w->err)) ||
        whatif_parse(sb, &cb, w->err, sizeof w->err))
        return 1;
    int rc = whatif_diff(src, &ca, sa[0] ? 1 : 0, src, &cb, 1, NULL, &w->a, &w->b, &w->view,
                         &w->d, w->err, sizeof w->err);
    if (!rc && (tui_whatif_index(&w->a.tr, &w->view, &w->ia, &w->na) ||
                tui_whatif_index(&w->b.tr, &w->view, &w->ib, &w->nb))) {
        snprintf(w->err, sizeof w->err, "out of memory");
        rc = 2;
    }
    if (rc) {
        whatif_run_free(&w->a);
        whatif_run_free(&w->b);
        tui_whatif_drop(w);
        return rc;
    }
    w->have = true;
    w->a_changed = sa[0] != 0;
    char fa[WHATIF_VALUE_MAX + 64] = "", fb[WHATIF_VALUE_MAX + 64];
    if (sa[0])
        whatif_format(&ca, fa, sizeof fa);
    whatif_format(&cb, fb, sizeof fb);
    snprintf(w->spec, sizeof w->spec, "%s%s%s", fa, fa[0] ? " vs " : "", fb);
    tui_whatif_label(src, &w->a, fa[0] ? fa : NULL, w->la, sizeof w->la);
    tui_whatif_label(src, &w->b, fb, w->lb, sizeof w->lb);
    if (w->d.same) {
        snprintf(w->why, sizeof w->why, "the same: %zu events in both runs", w->d.na);
    } else {
        char what[400];
        rundiff_describe(&w->a.tr, &w->b.tr, &w->d, what, sizeof what);
        snprintf(w->why, sizeof w->why, "they part after %zu of %zu events (A) and %zu (B): %s",
                 w->d.k, w->d.na, w->d.nb, what);
    }
    w->row = w->d.same ? 0 : w->d.k;
    w->top = w->row > 3 ? w->row - 3 : 0;
    return 0;
}

size_t tui_whatif_rows(const struct tui_whatif *w)
{
    return w->na > w->nb ? w->na : w->nb;
}

size_t tui_whatif_parting(const struct tui_whatif *w)
{
    return w->d.same ? tui_whatif_rows(w) : w->d.k;
}

/* The widest event kind's name ("TIMER"): every kind is shown whole, in one column. */
static int tui_whatif_kind_width(void)
{
    static const enum sim_ev_kind kinds[] = { SIM_EV_SEND, SIM_EV_RECV, SIM_EV_DROP,
                                              SIM_EV_TIMER, SIM_EV_NOTE };
    int w = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        int n = (int)strlen(sim_ev_kind_name(kinds[i]));
        w = n > w ? n : w;
    }
    return w;
}

/* One event, short: numbers absolute (a what-if about ISNs shows them). The kind and the
 * host whole (a longer host name pushes the rest right rather than being cut). */
static void tui_whatif_event(const struct trace *t, size_t i, char *out, size_t cap)
{
    const struct trace_ev *e = &t->ev[i];
    struct tui_pk k;
    tui_pk_read(trace_pkt(t, e), e->len, &k);
    char pk[120] = "", fl[9];
    char ack[24] = "";
    if (k.ok && k.proto == WIRE_PROTO_TCP && (k.flags & TCP_ACK))
        snprintf(ack, sizeof ack, " ack=%lu", (unsigned long)k.ack);
    if (k.ok && k.proto == WIRE_PROTO_TCP)
        snprintf(pk, sizeof pk, " %u > %u [%s] seq=%lu%s len=%lu", k.sport, k.dport,
                 wire_flags_str(k.flags, fl), (unsigned long)k.seq, ack, (unsigned long)k.plen);
    else if (k.ok && k.proto == WIRE_PROTO_UDP)
        snprintf(pk, sizeof pk, " %u > %u UDP len=%lu", k.sport, k.dport, (unsigned long)k.plen);
    else if (k.ok && k.proto == WIRE_PROTO_ICMP)
        snprintf(pk, sizeof pk, " ICMP %u/%u", k.flags, k.icode);
    const char *act = trace_str(t, e->action_off);
    snprintf(out, cap, "#%-5zu %llu.%06llu %-*s %-8s%s%s%s", i + 1,
             (unsigned long long)(e->t_ns / 1000000000ULL),
             (unsigned long long)(e->t_ns % 1000000000ULL / 1000), tui_whatif_kind_width(),
             sim_ev_kind_name(e->kind),
             trace_str(t, e->host_off), pk, *act ? " => " : "", act);
}

enum tui_wrow tui_whatif_row(const struct tui_whatif *w, size_t row, char *left,
                             char *right, size_t cap)
{
    left[0] = right[0] = 0;
    if (row < w->na)
        tui_whatif_event(&w->a.tr, w->ia[row], left, cap);
    if (row < w->nb)
        tui_whatif_event(&w->b.tr, w->ib[row], right, cap);
    size_t p = tui_whatif_parting(w);
    return row < p ? TUI_WR_SAME : row == p ? TUI_WR_PART : TUI_WR_AFTER;
}

size_t tui_whatif_event_in(const struct tui_whatif *w, const struct tui_rec *r, size_t row)
{
    if (!w->have || row >= w->na || r->n != w->a.tr.n || r->from_pcap)
        return SIZE_MAX;
    size_t i = w->ia[row];
    const struct trace_ev *a = &w->a.tr.ev[i];
    const struct tui_ev *e = &r->ev[i];
    if (a->t_ns != e->t_ns || (int)a->kind != e->kind || a->host_addr != e->host_addr ||
        a->len != e->len)
        return SIZE_MAX;
    return i;
}

/* Line n of a text (without its newline) into out. 0 or -1 when there is none. */
static int tui_whatif_line_of(const char *t, size_t len, unsigned n, char *out, size_t cap)
{
    const char *at = t, *stop = t + len;
    for (unsigned no = 1; no < n && at < stop; no++) {
        const char *nl = memchr(at, '\n', (size_t)(stop - at));
        at = nl ? nl + 1 : stop;
    }
    if (at >= stop)
        return -1;
    const char *nl = memchr(at, '\n', (size_t)(stop - at));
    size_t l = (size_t)((nl ? nl : stop) - at);
    snprintf(out, cap, "%.*s", (int)l, at);
    return 0;
}

bool tui_whatif_complete(const char *file, char *buf, size_t cap)
{
    unsigned n;
    char tail;
    if (!file || sscanf(buf, "line %u%c", &n, &tail) != 1 || n == 0)
        return false;
    char text[WHATIF_VALUE_MAX];
    if (!strcmp(file, "default")) {
        if (tui_whatif_line_of(scenario_default_text, scenario_default_len, n, text, sizeof text))
            return false;
    } else {
        char err[256];
        FILE *f = infile_open(file, err, sizeof err);
        if (!f)
            return false;
        static char data[1 << 20];
        size_t len = fread(data, 1, sizeof data, f);
        infile_close(f);
        if (tui_whatif_line_of(data, len, n, text, sizeof text))
            return false;
    }
    snprintf(buf, cap, "line %u=%s", n, text);
    return true;
}
