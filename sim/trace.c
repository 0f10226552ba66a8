/* trace.c — the event record and its transcript view. See trace.h.
 *
 * Recording copies into three growing arenas (events, datagram bytes, strings), so the
 * per-event cost is a few memcpy's and, rarely, a doubling realloc. It runs only when a
 * trace is attached: benchmarks and scans without tracing never reach this file.
 *
 * Transcript line format (one per event, fixed field order so labs can grep it):
 *   TIME KIND HOST PACKET [=> ACTION] [(RULE-ID: RULE)] [STATE -> STATE] [ipid=N] [isn_next=N]
 * e.g.
 *   1.001000000 RECV target 198.51.100.10:40000 > 198.51.100.30:80 TCP [S] ... => SYN-ACK
 *     (rfc793-3.9-listen-syn: RFC 793 3.9 LISTEN: SYN: SYN-ACK, SYN-RECEIVED)
 *     LISTEN -> SYN-RECEIVED ipid=0 isn_next=1583286803
 * RULE-ID is the rule's stable name (docs/rules.md), RULE its text for a person.
 * HOST*inj: a datagram an attached script injected (tcplab attach), named by the attaching
 * host, never by the source address it claims.
 * isn_next=unpredictable: the host's ISN generator draws at random (random, random-inc), so
 * its next value is not shown.
 */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"

const char *sim_ev_kind_name(enum sim_ev_kind k)
{
    switch (k) {
    case SIM_EV_SEND: return "SEND";
    case SIM_EV_RECV: return "RECV";
    case SIM_EV_DROP: return "DROP";
    case SIM_EV_TIMER: return "TIMER";
    case SIM_EV_NOTE: return "NOTE";
    }
    return "?";
}

void trace_init(struct trace *t)
{
    memset(t, 0, sizeof *t);
}

void trace_free(struct trace *t)
{
    free(t->ev);
    free(t->bytes);
    free(t->str);
    memset(t, 0, sizeof *t);
}

/* Makes room for `more` elements of size `sz` in *buf; 0 or -1. */
static int grow(void **buf, size_t *cap, size_t used, size_t more, size_t sz)
{
    if (used + more <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < used + more)
        ncap *= 2;
    void *p = realloc(*buf, ncap * sz);
    if (!p)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

static uint32_t put_str(struct trace *t, const char *s)
{
    if (!s || !*s)
        return 0;
    if (t->nstr == 0) {                     /* offset 0 is the empty string */
        if (grow((void **)&t->str, &t->capstr, 0, 1, 1))
            return 0;
        t->str[0] = 0;
        t->nstr = 1;
    }
    size_t n = strlen(s) + 1;
    if (grow((void **)&t->str, &t->capstr, t->nstr, n, 1)) {
        t->oom = 1;
        return 0;
    }
    memcpy(t->str + t->nstr, s, n);
    uint32_t off = (uint32_t)t->nstr;
    t->nstr += n;
    return off;
}

void trace_record(void *ctx, const struct sim_event *ev)
{
    struct trace *t = ctx;
    if (grow((void **)&t->ev, &t->cap, t->n, 1, sizeof *t->ev) ||
        grow((void **)&t->bytes, &t->capbytes, t->nbytes, ev->pkt ? ev->len : 0, 1)) {
        t->oom = 1;
        return;
    }
    struct trace_ev *e = &t->ev[t->n++];
    memset(e, 0, sizeof *e);
    e->seq = ev->seq;
    e->t_ns = ev->t_ns;
    e->kind = ev->kind;
    e->host_addr = ev->host_addr;
    e->pkt_off = t->nbytes;
    e->len = ev->pkt ? ev->len : 0;
    if (e->len) {
        memcpy(t->bytes + t->nbytes, ev->pkt, e->len);
        t->nbytes += e->len;
    }
    e->host_off = put_str(t, ev->host);
    e->action_off = put_str(t, ev->action);
    e->rule_id_off = put_str(t, ev->rule_id);
    e->rule_off = put_str(t, ev->rule);
    e->state_before = ev->state_before;
    e->state_after = ev->state_after;
    e->ipid = ev->ipid;
    e->has_isn = ev->has_isn;
    e->isn_next = ev->isn_next;
    e->isn_unpredictable = ev->isn_unpredictable;
    e->unit = ev->unit;
    e->cause = ev->cause;
    e->injected = ev->injected;
}

const uint8_t *trace_pkt(const struct trace *t, const struct trace_ev *e)
{
    return e->len ? t->bytes + e->pkt_off : NULL;
}

const char *trace_str(const struct trace *t, uint32_t off)
{
    return off && t->str ? t->str + off : "";
}

/* Appends with snprintf semantics, keeping track of the total length wanted. */
#define APPEND(...)                                                                        \
    do {                                                                                   \
        int k_ = snprintf(out + (used < cap ? used : cap), used < cap ? cap - used : 0,    \
                          __VA_ARGS__);                                                    \
        if (k_ > 0)                                                                        \
            used += (size_t)k_;                                                            \
    } while (0)

int trace_format(const struct trace *t, size_t i, char *out, size_t cap)
{
    const struct trace_ev *e = &t->ev[i];
    size_t used = 0;
    char pkt[512];
    const char *host = trace_str(t, e->host_off);
    char who[80];
    snprintf(who, sizeof who, "%s%s", *host ? host : "-", e->injected ? "*inj" : "");
    APPEND("%llu.%09llu %-5s %-10s", (unsigned long long)(e->t_ns / 1000000000ULL),
           (unsigned long long)(e->t_ns % 1000000000ULL), sim_ev_kind_name(e->kind), who);
    if (e->len) {
        wire_summary(pkt, sizeof pkt, trace_pkt(t, e), e->len);
        APPEND(" %s", pkt);
    }
    const char *action = trace_str(t, e->action_off), *rule = trace_str(t, e->rule_off);
    const char *id = trace_str(t, e->rule_id_off);
    if (*action)
        APPEND(" => %s", action);
    if (*rule && *id)
        APPEND(" (%s: %s)", id, rule);
    else if (*rule || *id)
        APPEND(" (%s)", *rule ? rule : id);
    if (e->state_before != TCB_NONE || e->state_after != TCB_NONE)
        APPEND(" %s -> %s", tcp_state_name(e->state_before), tcp_state_name(e->state_after));
    if (e->ipid >= 0)
        APPEND(" ipid=%ld", (long)e->ipid);
    if (e->has_isn)
        APPEND(e->isn_unpredictable ? " isn_next=unpredictable" : " isn_next=%lu",
               (unsigned long)e->isn_next);
    return (int)used;
}

int trace_write(const struct trace *t, FILE *f)
{
    char line[2048];
    for (size_t i = 0; i < t->n; i++) {
        trace_format(t, i, line, sizeof line);
        if (fputs(line, f) == EOF || fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}

void trace_stream_init(struct trace_stream *ts, FILE *f, FILE *jf)
{
    memset(ts, 0, sizeof *ts);
    trace_init(&ts->tr);
    ts->f = f;
    ts->jf = jf;
}

void trace_stream_record(void *ctx, const struct sim_event *ev)
{
    struct trace_stream *ts = ctx;
    struct trace *t = &ts->tr;
    t->n = t->nbytes = t->nstr = 0;      /* the buffers stay for the next event */
    t->oom = 0;
    trace_record(t, ev);
    if (t->oom || t->n != 1) {
        ts->oom = 1;
        return;
    }
    char line[4096];
    if (ts->f) {
        trace_format(t, 0, line, sizeof line);
        if (fputs(line, ts->f) == EOF || fputc('\n', ts->f) == EOF)
            ts->werr = 1;
    }
    if (ts->jf) {
        trace_json(t, 0, line, sizeof line);
        if (fputs(line, ts->jf) == EOF || fputc('\n', ts->jf) == EOF)
            ts->jerr = 1;
    }
    ts->n++;
}

void trace_stream_free(struct trace_stream *ts)
{
    trace_free(&ts->tr);
    memset(ts, 0, sizeof *ts);
}
