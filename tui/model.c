/* model.c — see model.h. The shown list is rebuilt by one pass over the events when the
 * filter or follow changes (tui/filter.c: over the events' packed keys); moving the cursor
 * is arithmetic on it. */
#include "tui/model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "tui/filter.h"

static const int tui_speeds[] = { 1, 2, 5, 10, 50, 200, 1000 };

void tui_model_init(struct tui_model *m, const struct tui_rec *rec)
{
    memset(m, 0, sizeof *m);
    m->rec = rec;
    m->filt.kind = -1;
    m->speed = 2;
    /* Columns as wide as the names need (a capture's hosts are dotted quads, up to 15
     * characters), so no address is cut: at least 8 in the list, 18 on the ladder. */
    size_t longest = 0;
    for (size_t i = 0; i < rec->ncols; i++) {
        char buf[16];
        size_t n = strlen(tui_rec_host_name(rec, rec->cols[i], buf));
        longest = n > longest ? n : longest;
    }
    if (longest > TUI_NAME_MAX)
        longest = TUI_NAME_MAX;
    m->hostw = longest > 8 ? longest : 8;
    m->colw = longest + 4 > 18 ? longest + 4 : 18;
}

void tui_model_free(struct tui_model *m)
{
    free(m->view);
    m->view = NULL;
}

size_t tui_model_rows(const struct tui_model *m)
{
    return m->view ? m->nview : m->rec->n;
}

size_t tui_model_ev_at(const struct tui_model *m, size_t row)
{
    return m->view ? m->view[row] : row;
}

size_t tui_model_ev(const struct tui_model *m)
{
    return tui_model_rows(m) ? tui_model_ev_at(m, m->row) : SIZE_MAX;
}

void tui_model_next(struct tui_model *m, size_t n)
{
    size_t rows = tui_model_rows(m);
    if (!rows)
        return;
    m->row = m->row + n >= rows ? rows - 1 : m->row + n;
}

void tui_model_prev(struct tui_model *m, size_t n)
{
    m->row = m->row > n ? m->row - n : 0;
}

void tui_model_first(struct tui_model *m) { m->row = 0; }

void tui_model_last(struct tui_model *m)
{
    size_t rows = tui_model_rows(m);
    m->row = rows ? rows - 1 : 0;
}

void tui_model_goto_ev(struct tui_model *m, size_t ev)
{
    size_t rows = tui_model_rows(m);
    if (!rows)
        return;
    if (!m->view) {
        m->row = ev < rows ? ev : rows - 1;
        return;
    }
    size_t lo = 0, hi = rows;   /* first row whose event is >= ev */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->view[mid] < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    m->row = lo < rows ? lo : rows - 1;
}

int tui_model_goto_number(struct tui_model *m, uint64_t n)
{
    if (n == 0 || n > m->rec->n)
        return -1;
    tui_model_goto_ev(m, (size_t)(n - 1));
    return 0;
}

/* ---------------------------------------------------------------- filter */

static bool ev_matches(const struct tui_rec *r, const struct tui_filter *f, uint32_t follow,
                       size_t i)
{
    return tui_filter_plain(r, f, follow, i);
}

bool tui_event_matches(const struct tui_rec *rec, const struct tui_filter *f, size_t ev)
{
    return ev_matches(rec, f, 0, ev);
}

/* Rebuilds the shown list, keeping the cursor on the same event or the nearest after. */
static int rebuild(struct tui_model *m)
{
    size_t keep = tui_model_ev(m);
    const struct tui_rec *r = m->rec;
    if (!m->filt.any && !m->follow) {
        free(m->view);
        m->view = NULL;
        m->nview = m->capview = 0;
    } else {
        if (m->capview < r->n) {
            uint32_t *v = realloc(m->view, (r->n ? r->n : 1) * sizeof *v);
            if (!v)
                return -1;
            m->view = v;
            m->capview = r->n;
        }
        m->nview = tui_filter_select(r, &m->filt, m->follow, !m->plain, m->view);
    }
    m->row = 0;
    if (keep != SIZE_MAX)
        tui_model_goto_ev(m, keep);
    return 0;
}

static bool word_is(const char *w, const char *s) { return !strcasecmp(w, s); }

static int parse_term(const struct tui_rec *r, struct tui_filter *f, char *w, char **rest,
                      char *err, size_t errlen)
{
    static const char *const kinds[] = { "send", "recv", "drop", "timer", "note" };
    for (int k = 0; k < 5; k++)
        if (word_is(w, kinds[k])) {
            f->kind = k;
            return 0;
        }
    if (word_is(w, "tcp")) { f->proto = WIRE_PROTO_TCP; return 0; }
    if (word_is(w, "udp")) { f->proto = WIRE_PROTO_UDP; return 0; }
    if (word_is(w, "icmp")) { f->proto = WIRE_PROTO_ICMP; return 0; }
    if (word_is(w, "retrans")) { f->mark |= TUI_M_RETRANS; return 0; }
    if (word_is(w, "injected")) { f->mark |= TUI_M_INJECTED; return 0; }
    if (word_is(w, "host") || word_is(w, "port") || word_is(w, "flags")) {
        char *v = strtok_r(NULL, " ", rest);
        if (!v) {
            snprintf(err, errlen, "'%s' needs a value", w);
            return -1;
        }
        if (word_is(w, "host")) {
            if (tui_rec_host_lookup(r, v, &f->host)) {
                snprintf(err, errlen, "no host '%s' in this run", v);
                return -1;
            }
            f->has_host = true;
            return 0;
        }
        if (word_is(w, "port")) {
            w = v;
            goto port;
        }
        int fl = wire_flags_parse(v);
        if (fl < 0) {
            snprintf(err, errlen, "flags: '%s' is not made of S A F R P U E C", v);
            return -1;
        }
        f->has_flags = true;
        f->flags = (uint8_t)fl;
        return 0;
    }
    if (!strncasecmp(w, "flags=", 6)) {
        int fl = wire_flags_parse(w + 6);
        if (fl < 0) {
            snprintf(err, errlen, "flags: '%s' is not made of S A F R P U E C", w + 6);
            return -1;
        }
        f->has_flags = f->flags_exact = true;
        f->flags = (uint8_t)fl;
        return 0;
    }
    if (isdigit((unsigned char)w[0]) && !strchr(w, '.')) {
    port:;
        char *end;
        unsigned long p = strtoul(w, &end, 10);
        if (*end || p > 65535 || !isdigit((unsigned char)w[0])) {
            snprintf(err, errlen, "port: '%s' is not 0-65535", w);
            return -1;
        }
        f->has_port = true;
        f->port = (uint16_t)p;
        return 0;
    }
    if (tui_rec_host_lookup(r, w, &f->host) == 0) {
        f->has_host = true;
        return 0;
    }
    snprintf(err, errlen, "'%s': not a host, port, protocol, flags or kind "
             "(try: server, port 80, tcp, flags SA, drop)", w);
    return -1;
}

int tui_model_set_filter(struct tui_model *m, const char *text, char *err, size_t errlen)
{
    struct tui_filter f = { .kind = -1 };
    char buf[sizeof f.text];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    snprintf(f.text, sizeof f.text, "%s", buf);
    char *rest = NULL;
    for (char *w = strtok_r(buf, " ", &rest); w; w = strtok_r(NULL, " ", &rest)) {
        if (parse_term(m->rec, &f, w, &rest, err, errlen))
            return -1;
        f.any = true;
    }
    struct tui_filter old = m->filt;
    m->filt = f;
    if (rebuild(m)) {
        m->filt = old;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int tui_model_toggle_follow(struct tui_model *m)
{
    if (m->follow) {
        m->follow = 0;
        return rebuild(m);
    }
    size_t ev = tui_model_ev(m);
    if (ev == SIZE_MAX || !m->rec->ev[ev].conn)
        return -1;
    m->follow = m->rec->ev[ev].conn;
    return rebuild(m);
}

/* ---------------------------------------------------------------- jumps */

static void push_jump(struct tui_model *m)
{
    size_t ev = tui_model_ev(m);
    if (ev == SIZE_MAX)
        return;
    if (m->njumps == TUI_JUMPS) {
        memmove(m->jumps, m->jumps + 1, (TUI_JUMPS - 1) * sizeof *m->jumps);
        m->njumps--;
    }
    m->jumps[m->njumps++] = ev;
}

/* Goes to event ev; when the filter hides it, the filter and follow are dropped so the
 * cursor lands on it exactly. */
static void land(struct tui_model *m, size_t ev)
{
    if ((m->filt.any || m->follow) && !ev_matches(m->rec, &m->filt, m->follow, ev)) {
        m->filt = (struct tui_filter){ .kind = -1 };
        m->follow = 0;
        rebuild(m);
    }
    tui_model_goto_ev(m, ev);
}

void tui_model_mark(struct tui_model *m, char letter)
{
    size_t ev = tui_model_ev(m);
    if (letter >= 'a' && letter <= 'z' && ev != SIZE_MAX)
        m->marks[letter - 'a'] = (uint32_t)ev + 1;
}

int tui_model_jump_mark(struct tui_model *m, char letter)
{
    if (letter < 'a' || letter > 'z' || !m->marks[letter - 'a'])
        return -1;
    push_jump(m);
    land(m, m->marks[letter - 'a'] - 1);
    return 0;
}

int tui_model_jump_cause(struct tui_model *m)
{
    size_t ev = tui_model_ev(m);
    if (ev == SIZE_MAX || !m->rec->ev[ev].cause)
        return -1;
    push_jump(m);
    land(m, m->rec->ev[ev].cause - 1);
    return 0;
}

int tui_model_jump_fate(struct tui_model *m)
{
    size_t ev = tui_model_ev(m);
    if (ev == SIZE_MAX || m->rec->ev[ev].kind != SIM_EV_SEND || !m->rec->ev[ev].fate)
        return -1;
    push_jump(m);
    land(m, m->rec->ev[ev].fate - 1);
    return 0;
}

int tui_model_jump_back(struct tui_model *m)
{
    if (!m->njumps)
        return -1;
    land(m, m->jumps[--m->njumps]);
    return 0;
}

/* ---------------------------------------------------------------- numbers, play */

void tui_model_seq(const struct tui_model *m, size_t ev, uint32_t *seq, uint32_t *ack)
{
    const struct tui_ev *e = &m->rec->ev[ev];
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(m->rec, e), e->len, &k);
    *seq = k.seq;
    *ack = k.ack;
    if (m->absolute || !e->conn || k.proto != WIRE_PROTO_TCP)
        return;
    const struct tui_conn *c = &m->rec->conns[e->conn - 1];
    if (c->proto != WIRE_PROTO_TCP)
        return;
    int d = (e->mark & TUI_M_DIR1) ? 1 : 0;
    if (c->has_isn[d])
        *seq -= c->isn[d];
    if (c->has_isn[!d])
        *ack -= c->isn[!d];
}

bool tui_model_play_step(struct tui_model *m)
{
    size_t rows = tui_model_rows(m);
    if (!rows || m->row + 1 >= rows) {
        m->playing = false;
        return false;
    }
    m->row++;
    return true;
}

void tui_model_speed(struct tui_model *m, int dir)
{
    int n = (int)(sizeof tui_speeds / sizeof *tui_speeds), i = 0;
    while (i < n - 1 && tui_speeds[i] < m->speed)
        i++;
    i += dir;
    if (i < 0)
        i = 0;
    if (i >= n)
        i = n - 1;
    m->speed = tui_speeds[i];
}
