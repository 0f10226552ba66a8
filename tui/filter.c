/* filter.c — see filter.h. The plain test reads the datagram's fields from its bytes at
 * fixed offsets (tui_pk_read, no parse, no checksum) for every event; the fast one reads
 * only the event's key, and a filter's host is looked up once as its ladder column. */
#include "tui/filter.h"

#include <stdlib.h>

#include "lib/wire.h"

static uint16_t filter_col(const struct tui_rec *r, uint32_t addr)
{
    long c = tui_rec_col(r, addr);
    return c < 0 ? 0 : c + 1 >= TUI_KEY_FAR ? TUI_KEY_FAR : (uint16_t)(c + 1);
}

void tui_filter_index(struct tui_rec *r)
{
    if (r->nkeys >= r->n)
        return;
    struct tui_key *k = realloc(r->keys, r->n * sizeof *k);
    if (!k) {
        free(r->keys);
        r->keys = NULL;
        r->nkeys = 0;
        return;
    }
    r->keys = k;
    for (size_t i = r->nkeys; i < r->n; i++) {
        const struct tui_ev *e = &r->ev[i];
        struct tui_pk p;
        tui_pk_read(tui_rec_pkt(r, e), e->len, &p);
        k[i] = (struct tui_key){ .conn = e->conn, .host = filter_col(r, e->host_addr),
                                 .kind = e->kind, .mark = e->mark };
        if (p.ok) {
            k[i].ok = true;
            k[i].src = filter_col(r, p.src);
            k[i].dst = filter_col(r, p.dst);
            k[i].sport = p.sport;
            k[i].dport = p.dport;
            k[i].proto = p.proto;
            k[i].flags = p.flags;
        }
    }
    r->nkeys = r->n;
}

bool tui_filter_plain(const struct tui_rec *r, const struct tui_filter *f, uint32_t follow,
                      size_t i)
{
    const struct tui_ev *e = &r->ev[i];
    if (follow && e->conn != follow)
        return false;
    if (!f->any)
        return true;
    if (f->kind >= 0 && e->kind != f->kind)
        return false;
    if ((e->mark & f->mark) != f->mark)
        return false;
    if (!f->has_host && !f->proto && !f->has_port && !f->has_flags)
        return true;   /* kind and marks only: no packet to read */
    if (f->has_host && !f->proto && !f->has_port && !f->has_flags && e->host_addr == f->host)
        return true;
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(r, e), e->len, &k);
    if (f->has_host && e->host_addr != f->host && !(k.ok && (k.src == f->host || k.dst == f->host)))
        return false;
    if (f->proto && (!k.ok || k.proto != f->proto))
        return false;
    if (f->has_port && (!k.ok || (k.proto != WIRE_PROTO_TCP && k.proto != WIRE_PROTO_UDP) ||
                        (k.sport != f->port && k.dport != f->port)))
        return false;
    if (f->has_flags) {
        if (!k.ok || k.proto != WIRE_PROTO_TCP)
            return false;
        if (f->flags_exact ? k.flags != f->flags : (k.flags & f->flags) != f->flags)
            return false;
    }
    return true;
}

/* The fast test of event i: 1 kept, 0 not, -1 the plain test must decide (a host column
 * too far for a key). hc: the filter host's column + 1. */
static int filter_key(const struct tui_key *k, const struct tui_filter *f, uint16_t hc,
                      uint32_t follow)
{
    if (follow && k->conn != follow)
        return 0;
    if (f->kind >= 0 && k->kind != f->kind)
        return 0;
    if ((k->mark & f->mark) != f->mark)
        return 0;
    if (f->has_host && k->host != hc && !(k->ok && (k->src == hc || k->dst == hc))) {
        if (k->host == TUI_KEY_FAR || k->src == TUI_KEY_FAR || k->dst == TUI_KEY_FAR)
            return -1;
        return 0;
    }
    if (f->proto && (!k->ok || k->proto != f->proto))
        return 0;
    if (f->has_port && (!k->ok || (k->proto != WIRE_PROTO_TCP && k->proto != WIRE_PROTO_UDP) ||
                        (k->sport != f->port && k->dport != f->port)))
        return 0;
    if (f->has_flags) {
        if (!k->ok || k->proto != WIRE_PROTO_TCP)
            return 0;
        if (f->flags_exact ? k->flags != f->flags : (k->flags & f->flags) != f->flags)
            return 0;
    }
    return 1;
}

size_t tui_filter_select(const struct tui_rec *r, const struct tui_filter *f, uint32_t follow,
                         bool fast, uint32_t *out)
{
    size_t n = 0, i = 0;
    uint16_t hc = f->has_host ? filter_col(r, f->host) : 0;
    /* a host with no column (no event names it) or one too far for a key: plain */
    if (fast && f->any && !(f->has_host && (hc == 0 || hc == TUI_KEY_FAR))) {
        const struct tui_key *k = r->keys;
        for (; i < r->nkeys; i++) {
            int m = filter_key(&k[i], f, hc, follow);
            if (m > 0 || (m < 0 && tui_filter_plain(r, f, follow, i)))
                out[n++] = (uint32_t)i;
        }
    } else if (fast && !f->any && follow) {
        for (; i < r->nkeys; i++)
            if (r->keys[i].conn == follow)
                out[n++] = (uint32_t)i;
    }
    for (; i < r->n; i++)
        if (tui_filter_plain(r, f, follow, i))
            out[n++] = (uint32_t)i;
    return n;
}
