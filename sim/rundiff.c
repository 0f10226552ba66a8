/* rundiff.c — the first event where two runs part, and its report (rundiff.h).
 *
 * One linear walk over both traces; nothing is allocated. The datagram comparison, when the
 * bytes differ, parses both and names the header fields that differ, so the report says
 * "IP-ID 4711 vs 4712" rather than "the bytes differ".
 */
#include "rundiff.h"

#include <stdarg.h>
#include <string.h>

#include "lib/wire.h"

bool rundiff_in_view(const struct trace *t, size_t i, const struct rundiff_view *v)
{
    const struct trace_ev *e = &t->ev[i];
    return !v->arrivals || (e->kind == SIM_EV_RECV && e->host_addr == v->addr);
}

size_t rundiff_next(const struct trace *t, const struct rundiff_view *v, size_t from)
{
    for (size_t i = from == SIZE_MAX ? 0 : from + 1; i < t->n; i++)
        if (rundiff_in_view(t, i, v))
            return i;
    return SIZE_MAX;
}

size_t rundiff_back(const struct trace *t, const struct rundiff_view *v, size_t from, size_t n)
{
    size_t i = from == SIZE_MAX ? t->n : from;
    while (i > 0) {
        i--;
        if (rundiff_in_view(t, i, v) && --n == 0)
            return i;
    }
    return SIZE_MAX;
}

static bool rd_str_eq(const struct trace *a, uint32_t oa, const struct trace *b, uint32_t ob)
{
    return !strcmp(trace_str(a, oa), trace_str(b, ob));
}

/* RUNDIFF_* bits in which event ea of a and eb of b differ. */
static unsigned rd_event_fields(const struct trace *a, const struct trace_ev *ea,
                                const struct trace *b, const struct trace_ev *eb, bool arrivals)
{
    unsigned f = 0;
    if (ea->t_ns != eb->t_ns)
        f |= RUNDIFF_TIME;
    if (ea->len != eb->len ||
        (ea->len && memcmp(trace_pkt(a, ea), trace_pkt(b, eb), ea->len)))
        f |= RUNDIFF_BYTES;
    if (arrivals)
        return f;
    if (ea->kind != eb->kind)
        f |= RUNDIFF_KIND;
    if (ea->host_addr != eb->host_addr || !rd_str_eq(a, ea->host_off, b, eb->host_off))
        f |= RUNDIFF_HOST;
    if (!rd_str_eq(a, ea->action_off, b, eb->action_off))
        f |= RUNDIFF_ACTION;
    if (!rd_str_eq(a, ea->rule_id_off, b, eb->rule_id_off) ||
        !rd_str_eq(a, ea->rule_off, b, eb->rule_off))
        f |= RUNDIFF_RULE;
    if (ea->state_before != eb->state_before || ea->state_after != eb->state_after)
        f |= RUNDIFF_STATE;
    if (ea->ipid != eb->ipid)
        f |= RUNDIFF_IPID;
    if (ea->has_isn != eb->has_isn || ea->isn_unpredictable != eb->isn_unpredictable ||
        ea->isn_next != eb->isn_next)
        f |= RUNDIFF_ISN;
    return f;
}

void rundiff_compare(const struct trace *a, const struct trace *b, const struct rundiff_view *v,
                     struct rundiff *out)
{
    memset(out, 0, sizeof *out);
    out->same = true;
    out->ia = out->ib = SIZE_MAX;
    size_t i = rundiff_next(a, v, SIZE_MAX), j = rundiff_next(b, v, SIZE_MAX);
    for (;;) {
        if (i == SIZE_MAX && j == SIZE_MAX)
            break;
        unsigned f = (i == SIZE_MAX || j == SIZE_MAX)
                         ? RUNDIFF_END
                         : rd_event_fields(a, &a->ev[i], b, &b->ev[j], v->arrivals);
        if (f) {
            out->same = false;
            out->fields = f;
            out->ia = i;
            out->ib = j;
            break;
        }
        out->k++;
        i = rundiff_next(a, v, i);
        j = rundiff_next(b, v, j);
    }
    for (size_t x = 0; x < a->n; x++)
        out->na += rundiff_in_view(a, x, v);
    for (size_t x = 0; x < b->n; x++)
        out->nb += rundiff_in_view(b, x, v);
}

/* ---------------------------------------------------------------- describing */

struct rd_out {
    char *s;
    size_t cap, used;
    int items;
};

static void rd_item(struct rd_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rd_item(struct rd_out *o, const char *fmt, ...)
{
    const char *sep = o->items++ ? "; " : "";
    int k = snprintf(o->s + (o->used < o->cap ? o->used : o->cap),
                     o->used < o->cap ? o->cap - o->used : 0, "%s", sep);
    if (k > 0)
        o->used += (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(o->s + (o->used < o->cap ? o->used : o->cap),
                  o->used < o->cap ? o->cap - o->used : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->used += (size_t)k;
}

static void rd_time(uint64_t t, char buf[32])
{
    snprintf(buf, 32, "%llu.%09llu", (unsigned long long)(t / 1000000000ULL),
             (unsigned long long)(t % 1000000000ULL));
}

#define RD_NUM(label, x, y)                                                                  \
    do {                                                                                     \
        if ((x) != (y))                                                                      \
            rd_item(o, "%s %lu vs %lu", label, (unsigned long)(x), (unsigned long)(y));      \
    } while (0)

static void rd_tcp_fields(struct rd_out *o, const struct wire_tcp *x, const struct wire_tcp *y)
{
    RD_NUM("source port", x->sport, y->sport);
    RD_NUM("destination port", x->dport, y->dport);
    if (x->flags != y->flags) {
        char fa[9], fb[9];
        rd_item(o, "flags [%s] vs [%s]", wire_flags_str(x->flags, fa), wire_flags_str(y->flags, fb));
    }
    RD_NUM("seq", x->seq, y->seq);
    RD_NUM("ack", x->ack, y->ack);
    RD_NUM("window", x->window, y->window);
    if (x->opt.has_ts && y->opt.has_ts) {
        RD_NUM("TS val", x->opt.tsval, y->opt.tsval);
        RD_NUM("TS ecr", x->opt.tsecr, y->opt.tsecr);
    }
    if (x->hdr_len != y->hdr_len || x->opt.n != y->opt.n ||
        memcmp(x->opt.order, y->opt.order, x->opt.n))
        rd_item(o, "TCP options");
    RD_NUM("payload length", x->payload_len, y->payload_len);
    if (x->payload_len == y->payload_len && x->payload_len &&
        memcmp(x->payload, y->payload, x->payload_len))
        rd_item(o, "payload bytes");
}

static void rd_pkt_fields(struct rd_out *o, const uint8_t *pa, size_t la, const uint8_t *pb,
                          size_t lb)
{
    struct wire_pkt x, y;
    int ra = wire_parse(pa, la, &x), rb = wire_parse(pb, lb, &y);
    size_t before = o->used;
    if (ra == WIRE_OK && rb == WIRE_OK) {
        char s1[16], s2[16];
        if (x.ip.src != y.ip.src)
            rd_item(o, "source %s vs %s", wire_ip_str(x.ip.src, s1), wire_ip_str(y.ip.src, s2));
        if (x.ip.dst != y.ip.dst)
            rd_item(o, "destination %s vs %s", wire_ip_str(x.ip.dst, s1),
                    wire_ip_str(y.ip.dst, s2));
        RD_NUM("protocol", x.ip.proto, y.ip.proto);
        RD_NUM("IP-ID", x.ip.id, y.ip.id);
        RD_NUM("TTL", x.ip.ttl, y.ip.ttl);
        RD_NUM("total length", x.ip.total_len, y.ip.total_len);
        if (x.ip.df != y.ip.df || x.ip.mf != y.ip.mf || x.ip.frag_off != y.ip.frag_off)
            rd_item(o, "fragment bits");
        if (x.ip.proto == y.ip.proto && x.l4_err == WIRE_OK && y.l4_err == WIRE_OK) {
            if (x.ip.proto == WIRE_PROTO_TCP)
                rd_tcp_fields(o, &x.l4.tcp, &y.l4.tcp);
            else if (x.ip.proto == WIRE_PROTO_UDP) {
                RD_NUM("source port", x.l4.udp.sport, y.l4.udp.sport);
                RD_NUM("destination port", x.l4.udp.dport, y.l4.udp.dport);
                RD_NUM("payload length", x.l4.udp.payload_len, y.l4.udp.payload_len);
            } else if (x.ip.proto == WIRE_PROTO_ICMP) {
                RD_NUM("ICMP type", x.l4.icmp.type, y.l4.icmp.type);
                RD_NUM("ICMP code", x.l4.icmp.code, y.l4.icmp.code);
                RD_NUM("ICMP id", x.l4.icmp.id, y.l4.icmp.id);
                RD_NUM("ICMP seq", x.l4.icmp.seq, y.l4.icmp.seq);
            }
        }
    }
    if (o->used == before)   /* nothing named: the checksums, a quote, an option's value */
        rd_item(o, "datagram bytes (%zu vs %zu bytes)", la, lb);
}

int rundiff_describe(const struct trace *a, const struct trace *b, const struct rundiff *d,
                     char *out, size_t cap)
{
    struct rd_out ob = {out, cap, 0, 0}, *o = &ob;
    if (cap)
        out[0] = 0;
    if (d->same) {
        rd_item(o, "nothing");
        return (int)o->used;
    }
    if (d->fields & RUNDIFF_END) {
        rd_item(o, "%s has no more events", d->ia == SIZE_MAX ? "A" : "B");
        return (int)o->used;
    }
    const struct trace_ev *x = &a->ev[d->ia], *y = &b->ev[d->ib];
    char t1[32], t2[32];
    if (d->fields & RUNDIFF_TIME) {
        rd_time(x->t_ns, t1);
        rd_time(y->t_ns, t2);
        rd_item(o, "time %s vs %s", t1, t2);
    }
    if (d->fields & RUNDIFF_KIND)
        rd_item(o, "kind %s vs %s", sim_ev_kind_name(x->kind), sim_ev_kind_name(y->kind));
    if (d->fields & RUNDIFF_HOST)
        rd_item(o, "host %s vs %s", trace_str(a, x->host_off), trace_str(b, y->host_off));
    if (d->fields & RUNDIFF_BYTES) {
        if (!x->len || !y->len)
            rd_item(o, "datagram %s vs %s", x->len ? "yes" : "none", y->len ? "yes" : "none");
        else
            rd_pkt_fields(o, trace_pkt(a, x), x->len, trace_pkt(b, y), y->len);
    }
    if (d->fields & RUNDIFF_ACTION)
        rd_item(o, "action '%s' vs '%s'", trace_str(a, x->action_off), trace_str(b, y->action_off));
    if (d->fields & RUNDIFF_RULE)
        rd_item(o, "rule %s vs %s", *trace_str(a, x->rule_id_off) ? trace_str(a, x->rule_id_off)
                                                                 : "-",
                *trace_str(b, y->rule_id_off) ? trace_str(b, y->rule_id_off) : "-");
    if (d->fields & RUNDIFF_STATE)
        rd_item(o, "state %s -> %s vs %s -> %s", tcp_state_name(x->state_before),
                tcp_state_name(x->state_after), tcp_state_name(y->state_before),
                tcp_state_name(y->state_after));
    if (d->fields & RUNDIFF_IPID)
        rd_item(o, "IP-ID counter %ld vs %ld", (long)x->ipid, (long)y->ipid);
    if (d->fields & RUNDIFF_ISN) {
        char i1[16] = "-", i2[16] = "-";
        if (x->has_isn)
            snprintf(i1, sizeof i1, x->isn_unpredictable ? "unpredictable" : "%lu",
                     (unsigned long)x->isn_next);
        if (y->has_isn)
            snprintf(i2, sizeof i2, y->isn_unpredictable ? "unpredictable" : "%lu",
                     (unsigned long)y->isn_next);
        rd_item(o, "isn_next %s vs %s", i1, i2);
    }
    return (int)o->used;
}

/* ---------------------------------------------------------------- the report */

static int rd_line(FILE *f, const char *prefix, const struct trace *t, size_t i)
{
    char line[2048];
    trace_format(t, i, line, sizeof line);
    return fprintf(f, "%s#%-4zu %s\n", prefix, i + 1, line) < 0 ? -1 : 0;
}

/* Up to n events in view of t from index i (included) on, each with prefix. */
static int rd_side(FILE *f, const char *prefix, const char *who, const struct trace *t,
                   const struct rundiff_view *v, size_t i, int n)
{
    if (i == SIZE_MAX)
        return fprintf(f, "%s(%s: no more events)\n", prefix, who) < 0 ? -1 : 0;
    for (int k = 0; k < n && i != SIZE_MAX; k++, i = rundiff_next(t, v, i))
        if (rd_line(f, prefix, t, i))
            return -1;
    return 0;
}

int rundiff_write(FILE *f, const struct trace *a, const struct trace *b,
                  const struct rundiff_view *v, const struct rundiff *d, const char *label_a,
                  const char *label_b, const char *view_name, int context)
{
    const char *what = v->arrivals ? "arrivals at" : "events";
    const char *vn = v->arrivals && view_name ? view_name : "";
    if (d->same)
        return fprintf(f, "same: %zu %s%s%s in both runs (A: %s; B: %s)\n", d->na, what,
                       *vn ? " " : "", vn, label_a, label_b) < 0 ? -1 : 0;
    if (fprintf(f, "--- A: %s\n+++ B: %s\n", label_a, label_b) < 0)
        return -1;
    char when[32] = "";
    size_t at = d->ia != SIZE_MAX ? d->ia : d->ib;
    const struct trace *tat = d->ia != SIZE_MAX ? a : b;
    rd_time(tat->ev[at].t_ns, when);
    if (fprintf(f, "@@ the runs part after %zu of %zu %s%s%s (A) and of %zu (B), at %s @@\n",
                d->k, d->na, what, *vn ? " " : "", vn, d->nb, when) < 0)
        return -1;
    /* The common events before: walked back on A (they are the same on B). */
    size_t first = context > 0 ? rundiff_back(a, v, d->ia, (size_t)context) : SIZE_MAX;
    size_t i = first;
    if (first == SIZE_MAX && context > 0) {   /* fewer than context before: from the start */
        i = rundiff_next(a, v, SIZE_MAX);
    }
    for (; context > 0 && i != SIZE_MAX && i != d->ia && i < a->n; i = rundiff_next(a, v, i))
        if (rd_line(f, "  ", a, i))
            return -1;
    int after = context > 0 ? context : 1;
    if (rd_side(f, "- ", "A", a, v, d->ia, after) || rd_side(f, "+ ", "B", b, v, d->ib, after))
        return -1;
    char why[1024];
    rundiff_describe(a, b, d, why, sizeof why);
    return fprintf(f, "differs in: %s\n", why) < 0 ? -1 : 0;
}
