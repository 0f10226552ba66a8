/* rec.c — recording a run for the TUI (rec.h): the trace callback, the op hook, snapshots,
 * connections and capture files.
 *
 * Everything here runs once per event while recording and must stay cheap: no formatting,
 * strings interned, packet fields read at fixed offsets. Connections key on the unordered
 * 5-tuple (TCP, UDP; ICMP echo and timestamp on their id), the way Wireshark's conversation
 * table and its TCP analysis do; an ICMP error belongs to the flow it quotes. A TCP segment
 * whose end does not pass the highest end already sent that way is marked a retransmission
 * (Wireshark's tcp.analysis.retransmission, in its simplest form: RFC 793 3.3's "sequence
 * space"; a SYN and a FIN count one).
 */
#include "tui/rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pcapfile.h"
#include "lib/wire.h"
#include "scanner/engine.h"
#include "sim/scenario.h"
#include "tui/filter.h"

enum { TUI_SNAP_EVERY = 8192 };

static int rec_grow(void **buf, size_t *cap, size_t used, size_t more, size_t sz)
{
    if (used + more <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 256;
    while (nc < used + more)
        nc *= 2;
    void *p = realloc(*buf, nc * sz);
    if (!p)
        return -1;
    *buf = p;
    *cap = nc;
    return 0;
}

void tui_rec_init(struct tui_rec *r)
{
    memset(r, 0, sizeof *r);
}

void tui_rec_free(struct tui_rec *r)
{
    for (size_t i = 0; i < r->nsnaps; i++)
        sim_free(r->snaps[i].sim);
    free(r->snaps);
    free(r->ev);
    free(r->keys);
    free(r->bytes);
    free(r->str);
    free(r->strtab);
    free(r->conns);
    free(r->conntab);
    free(r->cols);
    free(r->ops);
    free(r->opbytes);
    free(r->colset);
    free(r->colname);
    free(r->decs);
    free(r->decsort);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- strings */

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int str_rehash(struct tui_rec *r, size_t nslots)
{
    uint32_t *t = calloc(nslots, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; r->strtab && i <= r->strmask; i++) {
        uint32_t off = r->strtab[i];
        if (!off)
            continue;
        size_t k = str_hash(r->str + off) & (nslots - 1);
        while (t[k])
            k = (k + 1) & (nslots - 1);
        t[k] = off;
    }
    free(r->strtab);
    r->strtab = t;
    r->strmask = nslots - 1;
    return 0;
}

static uint32_t rec_intern(struct tui_rec *r, const char *s)
{
    if (!s || !*s)
        return 0;
    if (r->nstr == 0) {
        if (rec_grow((void **)&r->str, &r->capstr, 0, 1, 1))
            goto oom;
        r->str[0] = 0;
        r->nstr = 1;
    }
    if ((r->nstrs + 1) * 2 > (r->strtab ? r->strmask + 1 : 0) &&
        str_rehash(r, r->strtab ? (r->strmask + 1) * 2 : 256))
        goto oom;
    size_t k = str_hash(s) & r->strmask;
    for (; r->strtab[k]; k = (k + 1) & r->strmask)
        if (!strcmp(r->str + r->strtab[k], s))
            return r->strtab[k];
    size_t n = strlen(s) + 1;
    if (rec_grow((void **)&r->str, &r->capstr, r->nstr, n, 1))
        goto oom;
    memcpy(r->str + r->nstr, s, n);
    uint32_t off = (uint32_t)r->nstr;
    r->nstr += n;
    r->strtab[k] = off;
    r->nstrs++;
    return off;
oom:
    r->oom = true;
    return 0;
}

const char *tui_rec_str(const struct tui_rec *r, uint32_t id)
{
    return id && r->str ? r->str + id : "";
}

/* ---------------------------------------------------------------- packet fields */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

void tui_pk_read(const uint8_t *p, size_t len, struct tui_pk *k)
{
    memset(k, 0, sizeof *k);
    if (!p || len < 20 || p[0] >> 4 != 4)
        return;
    size_t hl = (size_t)(p[0] & 15) * 4, tl = rd16(p + 2);
    if (hl < 20 || hl > len)
        return;
    if (tl > len || tl < hl)
        tl = len;
    k->ok = true;
    k->proto = p[9];
    k->src = rd32(p + 12);
    k->dst = rd32(p + 16);
    k->ipid = rd16(p + 4);
    k->ttl = p[8];
    const uint8_t *l4 = p + hl;
    size_t n = tl - hl;
    bool first = (rd16(p + 6) & 0x1fff) == 0;
    if (!first)
        return;
    if (k->proto == WIRE_PROTO_TCP && n >= 20) {
        k->sport = rd16(l4);
        k->dport = rd16(l4 + 2);
        k->seq = rd32(l4 + 4);
        k->ack = rd32(l4 + 8);
        k->flags = l4[13];
        k->win = rd16(l4 + 14);
        size_t doff = (size_t)(l4[12] >> 4) * 4;
        k->plen = doff >= 20 && doff <= n ? (uint32_t)(n - doff) : 0;
    } else if (k->proto == WIRE_PROTO_UDP && n >= 8) {
        k->sport = rd16(l4);
        k->dport = rd16(l4 + 2);
        k->plen = (uint32_t)(n - 8);
    } else if (k->proto == WIRE_PROTO_ICMP && n >= 8) {
        k->flags = l4[0];
        k->icode = l4[1];
        if (l4[0] == ICMP_ECHO || l4[0] == ICMP_ECHO_REPLY || l4[0] == ICMP_TIMESTAMP ||
            l4[0] == ICMP_TIMESTAMP_REPLY)
            k->sport = k->dport = rd16(l4 + 4);
        k->plen = (uint32_t)(n - 8);
    }
}

/* ---------------------------------------------------------------- connections */

struct flow { uint8_t proto; uint32_t a, b; uint16_t pa, pb; };

static uint32_t flow_hash(const struct flow *f)
{
    uint64_t x = ((uint64_t)f->a << 32 | f->b) * 0x9E3779B97F4A7C15ULL;
    x ^= ((uint64_t)f->pa << 16 | f->pb) * 0xC2B2AE3D27D4EB4FULL ^ f->proto;
    return (uint32_t)(x ^ x >> 31);
}

/* Unordered: the smaller (addr, port) first. */
static struct flow flow_of(uint8_t proto, uint32_t s, uint16_t sp, uint32_t d, uint16_t dp)
{
    if (s < d || (s == d && sp <= dp))
        return (struct flow){ proto, s, d, sp, dp };
    return (struct flow){ proto, d, s, dp, sp };
}

static bool conn_is(const struct tui_conn *c, const struct flow *f)
{
    struct flow g = flow_of(c->proto, c->addr[0], c->port[0], c->addr[1], c->port[1]);
    return g.proto == f->proto && g.a == f->a && g.b == f->b && g.pa == f->pa && g.pb == f->pb;
}

static int conn_rehash(struct tui_rec *r, size_t nslots)
{
    uint32_t *t = calloc(nslots, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < r->nconns; i++) {
        const struct tui_conn *c = &r->conns[i];
        struct flow f = flow_of(c->proto, c->addr[0], c->port[0], c->addr[1], c->port[1]);
        size_t k = flow_hash(&f) & (nslots - 1);
        while (t[k])
            k = (k + 1) & (nslots - 1);
        t[k] = (uint32_t)i + 1;
    }
    free(r->conntab);
    r->conntab = t;
    r->connmask = nslots - 1;
    return 0;
}

/* The connection of a flow (src first), created when `create`; index + 1, or 0. */
static uint32_t conn_get(struct tui_rec *r, uint8_t proto, uint32_t s, uint16_t sp, uint32_t d,
                         uint16_t dp, bool create, size_t evi)
{
    struct flow f = flow_of(proto, s, sp, d, dp);
    if (r->conntab) {
        for (size_t k = flow_hash(&f) & r->connmask; r->conntab[k]; k = (k + 1) & r->connmask)
            if (conn_is(&r->conns[r->conntab[k] - 1], &f))
                return r->conntab[k];
    }
    if (!create)
        return 0;
    if ((r->nconns + 1) * 2 > (r->conntab ? r->connmask + 1 : 0) &&
        conn_rehash(r, r->conntab ? (r->connmask + 1) * 2 : 256))
        return 0;
    if (rec_grow((void **)&r->conns, &r->capconns, r->nconns, 1, sizeof *r->conns))
        return 0;
    struct tui_conn *c = &r->conns[r->nconns];
    *c = (struct tui_conn){ .addr = { s, d }, .port = { sp, dp }, .proto = proto,
                            .first_ev = (uint32_t)evi };
    size_t k = flow_hash(&f) & r->connmask;
    while (r->conntab[k])
        k = (k + 1) & r->connmask;
    r->conntab[k] = (uint32_t)++r->nconns;
    return r->conntab[k];
}

/* The flow an ICMP error quotes (its IP header and first 8 bytes), as a connection. */
static uint32_t conn_of_quote(struct tui_rec *r, const uint8_t *p, size_t len)
{
    size_t hl = (size_t)(p[0] & 15) * 4;
    if (len < hl + 8 + 28)
        return 0;
    const uint8_t *q = p + hl + 8;
    size_t qhl = (size_t)(q[0] & 15) * 4;
    if (q[0] >> 4 != 4 || qhl < 20 || len < hl + 8 + qhl + 8)
        return 0;
    uint8_t proto = q[9];
    uint16_t sp = 0, dp = 0;
    if (proto == WIRE_PROTO_TCP || proto == WIRE_PROTO_UDP) {
        sp = rd16(q + qhl);
        dp = rd16(q + qhl + 2);
    } else if (proto == WIRE_PROTO_ICMP) {
        sp = dp = rd16(q + qhl + 4);
    }
    return conn_get(r, proto, rd32(q + 12), sp, rd32(q + 16), dp, false, 0);
}

/* Connection, direction and retransmission mark of event i (its packet read into k). `sent`:
 * the datagram leaves here (a SEND, or any record of a capture), so it counts. */
static void rec_conn(struct tui_rec *r, size_t i, const struct tui_pk *k, bool sent)
{
    struct tui_ev *e = &r->ev[i];
    const uint8_t *p = tui_rec_pkt(r, e);
    uint32_t ci;
    if (k->proto == WIRE_PROTO_ICMP && k->flags != ICMP_ECHO && k->flags != ICMP_ECHO_REPLY &&
        k->flags != ICMP_TIMESTAMP && k->flags != ICMP_TIMESTAMP_REPLY)
        ci = conn_of_quote(r, p, e->len);
    else if (k->proto == WIRE_PROTO_TCP || k->proto == WIRE_PROTO_UDP ||
             k->proto == WIRE_PROTO_ICMP)
        ci = conn_get(r, k->proto, k->src, k->sport, k->dst, k->dport, sent, i);
    else
        ci = 0;
    e->conn = ci;
    if (!ci)
        return;
    struct tui_conn *c = &r->conns[ci - 1];
    int d = c->addr[0] == k->src && c->port[0] == k->sport ? 0 : 1;
    if (k->proto == WIRE_PROTO_ICMP && c->proto != WIRE_PROTO_ICMP)
        d = c->addr[0] == k->src ? 0 : 1;   /* an error travels from whoever sent it */
    if (d)
        e->mark |= TUI_M_DIR1;
    c->nev++;
    if (!sent || k->proto != WIRE_PROTO_TCP || c->proto != WIRE_PROTO_TCP)
        return;
    uint32_t slen = k->plen + !!(k->flags & TCP_SYN) + !!(k->flags & TCP_FIN);
    if (!c->has_isn[d] && !(k->flags & TCP_RST)) {
        c->has_isn[d] = true;
        c->isn[d] = k->seq;
        c->next[d] = k->seq;
    }
    c->bytes[d] += k->plen;
    if (slen && c->has_isn[d] && !(e->mark & TUI_M_INJECTED)) {   /* a spoofer's guesses
                                                                     are not retransmissions */
        uint32_t end = k->seq + slen;
        if ((int32_t)(end - c->next[d]) <= 0)
            e->mark |= TUI_M_RETRANS;
        else
            c->next[d] = end;
    }
}

/* ---------------------------------------------------------------- columns */

static uint32_t col_hash(uint32_t a) { return a * 0x9E3779B1u; }

/* The column of addr (an index), added when new; -1 when out of memory or addr is 0. */
static long rec_col(struct tui_rec *r, uint32_t addr)
{
    if (!addr)
        return -1;
    if (r->colset) {
        for (size_t k = col_hash(addr) & r->colmask; r->colset[k]; k = (k + 1) & r->colmask)
            if (r->cols[r->colset[k] - 1] == addr)
                return (long)r->colset[k] - 1;
    }
    if ((r->ncols + 1) * 2 > (r->colset ? r->colmask + 1 : 0)) {
        size_t ns = r->colset ? (r->colmask + 1) * 2 : 64;
        uint32_t *t = calloc(ns, sizeof *t);
        if (!t)
            goto oom;
        for (size_t i = 0; i < r->ncols; i++) {
            size_t k = col_hash(r->cols[i]) & (ns - 1);
            while (t[k])
                k = (k + 1) & (ns - 1);
            t[k] = (uint32_t)i + 1;
        }
        free(r->colset);
        r->colset = t;
        r->colmask = ns - 1;
    }
    if (rec_grow((void **)&r->cols, &r->capcols, r->ncols, 1, sizeof *r->cols) ||
        rec_grow((void **)&r->colname, &r->capcolname, r->ncols, 1, sizeof *r->colname))
        goto oom;
    size_t k = col_hash(addr) & r->colmask;
    while (r->colset[k])
        k = (k + 1) & r->colmask;
    r->colset[k] = (uint32_t)r->ncols + 1;
    r->colname[r->ncols] = 0;
    r->cols[r->ncols++] = addr;
    return (long)r->ncols - 1;
oom:
    r->oom = true;
    return -1;
}

long tui_rec_col(const struct tui_rec *r, uint32_t addr)
{
    if (!r->colset || !addr)
        return -1;
    for (size_t k = col_hash(addr) & r->colmask; r->colset[k]; k = (k + 1) & r->colmask)
        if (r->cols[r->colset[k] - 1] == addr)
            return (long)r->colset[k] - 1;
    return -1;
}

const char *tui_rec_host_name(const struct tui_rec *r, uint32_t addr, char buf[16])
{
    long c = tui_rec_col(r, addr);
    if (c >= 0 && r->colname[c])
        return tui_rec_str(r, r->colname[c]);
    return wire_ip_str(addr, buf);
}

int tui_rec_host_lookup(const struct tui_rec *r, const char *name, uint32_t *addr)
{
    if (wire_ip_parse(name, addr) == 0)
        return 0;
    for (size_t i = 0; i < r->ncols; i++)
        if (r->colname[i] && !strcmp(tui_rec_str(r, r->colname[i]), name)) {
            *addr = r->cols[i];
            return 0;
        }
    return -1;
}

/* ---------------------------------------------------------------- events */

static struct tui_ev *rec_push(struct tui_rec *r, const uint8_t *pkt, size_t len)
{
    if (len > UINT16_MAX)
        len = UINT16_MAX;
    if (rec_grow((void **)&r->ev, &r->cap, r->n, 1, sizeof *r->ev) ||
        rec_grow((void **)&r->bytes, &r->capbytes, r->nbytes, pkt ? len : 0, 1)) {
        r->oom = true;
        return NULL;
    }
    struct tui_ev *e = &r->ev[r->n++];
    memset(e, 0, sizeof *e);
    e->pkt_off = r->nbytes;
    e->len = pkt ? (uint16_t)len : 0;
    e->state_before = e->state_after = TCB_NONE;
    e->ipid = -1;
    if (e->len) {
        memcpy(r->bytes + r->nbytes, pkt, e->len);
        r->nbytes += e->len;
    }
    return e;
}

static bool rec_badsum(const uint8_t *p, size_t len)
{
    struct wire_pkt w;
    if (wire_parse(p, len, &w) != WIRE_OK)
        return true;
    if (!w.ip.csum_ok)
        return true;
    if (w.l4_err != WIRE_OK)
        return false;
    switch (w.ip.proto) {
    case WIRE_PROTO_TCP: return !w.l4.tcp.csum_ok;
    case WIRE_PROTO_UDP: return !w.l4.udp.csum_ok;
    case WIRE_PROTO_ICMP: return !w.l4.icmp.csum_ok;
    }
    return false;
}

static void rec_trace(void *ctx, const struct sim_event *ev)
{
    struct tui_rec *r = ctx;
    if (r->n == 0)
        r->first_seq = ev->seq;
    struct tui_ev *e = rec_push(r, ev->pkt, ev->len);
    if (!e)
        return;
    size_t i = r->n - 1;
    e->t_ns = ev->t_ns;
    e->unit = ev->unit;
    e->kind = (uint8_t)ev->kind;
    e->host_addr = ev->host_addr;
    e->host = rec_intern(r, ev->host);
    e->action = rec_intern(r, ev->action);
    e->rule = rec_intern(r, ev->rule);
    e->rule_id = rec_intern(r, ev->rule_id);
    e->state_before = (int8_t)ev->state_before;
    e->state_after = (int8_t)ev->state_after;
    e->ipid = ev->ipid;
    e->isn_next = ev->isn_next;
    if (ev->has_isn)
        e->mark |= TUI_M_HAS_ISN;
    long c = ev->cause ? tui_rec_index_of_seq(r, ev->cause) : -1;
    if (c >= 0 && (size_t)c < i) {
        e->cause = (uint32_t)c + 1;
        struct tui_ev *ce = &r->ev[c];
        if ((ev->kind == SIM_EV_RECV || ev->kind == SIM_EV_DROP) && ce->kind == SIM_EV_SEND &&
            !ce->fate) {
            ce->fate = (uint32_t)i + 1;
            e->fate = (uint32_t)c + 1;
        }
    }
    if (ev->injected)   /* an attached script's: drawn from the address it claims */
        e->mark |= TUI_M_INJECTED;
    else if (ev->kind == SIM_EV_SEND && !ev->cause)
        e->mark |= r->op_unit == ev->unit ? TUI_M_PROBE : TUI_M_INJECTED;
    long hc = rec_col(r, ev->host_addr);
    if (hc >= 0 && !r->colname[hc] && e->host && ev->host[0] && (ev->host[0] < '0' || ev->host[0] > '9'))
        r->colname[hc] = e->host;
    if (e->len) {
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(r, e), e->len, &k);
        if (k.ok) {
            rec_col(r, k.src);
            rec_col(r, k.dst);
            rec_conn(r, i, &k, ev->kind == SIM_EV_SEND);
        }
        if ((e->mark & TUI_M_INJECTED) && rec_badsum(tui_rec_pkt(r, e), e->len))
            e->mark |= TUI_M_BADSUM;
    }
}

/* ---------------------------------------------------------------- snapshots and ops */

static int rec_snap(struct tui_rec *r)
{
    if (rec_grow((void **)&r->snaps, &r->capsnaps, r->nsnaps, 1, sizeof *r->snaps))
        return -1;
    struct sim *c = sim_clone(r->live);
    if (!c)
        return -1;
    r->snaps[r->nsnaps++] = (struct tui_snap){ sim_unit(r->live), c };
    r->last_snap = sim_unit(r->live);
    return 0;
}

void tui_rec_maybe_snap(struct tui_rec *r)
{
    if (r->live && sim_unit(r->live) - r->last_snap >= r->snap_every && rec_snap(r))
        r->oom = true;
}

/* Does an op carry bytes (a datagram, a note's text, a stream's data)? */
static bool op_has_bytes(enum sim_op_kind k)
{
    return k == SIM_OP_INJECT || k == SIM_OP_INJECT_AS || k == SIM_OP_NOTE ||
           k == SIM_OP_STREAM_SEND;
}

static void rec_op(void *ctx, const struct sim_op *op)
{
    struct tui_rec *r = ctx;
    tui_rec_maybe_snap(r);   /* the simulation is as unit op->unit - 1 left it */
    r->op_unit = op->unit;
    size_t len = op_has_bytes(op->kind) && op->pkt ? op->len : 0;
    if (len > UINT32_MAX ||
        rec_grow((void **)&r->ops, &r->capops, r->nops, 1, sizeof *r->ops) ||
        rec_grow((void **)&r->opbytes, &r->capopbytes, r->nopbytes, len, 1)) {
        r->oom = true;
        return;
    }
    struct tui_op *o = &r->ops[r->nops++];
    uint64_t arg = op->kind == SIM_OP_CLOCK ? op->t_ns
                 : op->kind == SIM_OP_STREAM_WRITE || op->kind == SIM_OP_STREAM_RECV ? op->len
                 : r->nopbytes;
    *o = (struct tui_op){ .unit = op->unit, .arg = arg, .src = op->src, .dst = op->dst,
                          .handle = op->handle, .len = (uint32_t)len, .dport = op->dport,
                          .sport = op->sport, .kind = (uint8_t)op->kind,
                          .buffered = op->buffered };
    if (len) {
        memcpy(r->opbytes + r->nopbytes, op->pkt, len);
        r->nopbytes += len;
    }
}

struct sim_op tui_op_get(const struct tui_rec *r, size_t i)
{
    const struct tui_op *o = &r->ops[i];
    struct sim_op op = { .kind = (enum sim_op_kind)o->kind, .unit = o->unit, .src = o->src,
                         .dst = o->dst, .dport = o->dport, .sport = o->sport,
                         .handle = o->handle, .buffered = o->buffered };
    if (o->kind == SIM_OP_CLOCK) {
        op.t_ns = o->arg;
    } else if (o->kind == SIM_OP_STREAM_WRITE || o->kind == SIM_OP_STREAM_RECV) {
        op.len = o->arg;   /* RECV: the most bytes read (a read opens the window) */
    } else if (op_has_bytes(op.kind)) {
        op.pkt = r->opbytes + o->arg;
        op.len = o->len;
    }
    return op;
}

static void rec_decide(void *ctx, const struct scan_decision *d)
{
    struct tui_rec *r = ctx;
    if (rec_grow((void **)&r->decs, &r->capdecs, r->ndecs, 1, sizeof *r->decs)) {
        r->oom = true;
        return;
    }
    r->decs[r->ndecs++] = (struct tui_dec){
        .ev = (uint32_t)r->n, .kind = (uint8_t)d->kind, .proto = d->proto, .tryno = d->tryno,
        .state = d->state, .reason = d->reason, .target = d->target, .port = d->port,
        .timeout_ns = d->timeout_ns, .cwnd = (float)d->cwnd, .group_cwnd = (float)d->group_cwnd,
    };
}

void tui_rec_scan_hook(struct tui_rec *r, struct scan_config *cfg)
{
    cfg->decide = rec_decide;
    cfg->decide_ctx = r;
}

int tui_rec_attach(struct tui_rec *r, struct sim *s, uint64_t snap_every)
{
    r->live = s;
    r->snap_every = snap_every ? snap_every : TUI_SNAP_EVERY;
    sim_set_trace(s, rec_trace, r);
    sim_set_op_hook(s, rec_op, r);
    return rec_snap(r);
}

void tui_rec_detach(struct tui_rec *r)
{
    if (!r->live)
        return;
    r->end_unit = sim_unit(r->live);
    sim_set_trace(r->live, NULL, NULL);
    sim_set_op_hook(r->live, NULL, NULL);
    r->live = NULL;
    tui_filter_index(r);
}

int tui_rec_run_scenario(struct tui_rec *r, const struct scenario *sc, uint64_t seed,
                         uint64_t limit_ns, uint64_t snap_every, char *err, size_t errlen)
{
    struct sim *s = sim_new(seed);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sim_load(s, sc, err, errlen)) {
        sim_free(s);
        return -1;
    }
    snprintf(r->title, sizeof r->title, "%s", sc->title[0] ? sc->title : sc->file);
    if (tui_rec_attach(r, s, snap_every)) {
        sim_free(s);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    while (sim_next_time(s) <= limit_ns && sim_step(s))
        tui_rec_maybe_snap(r);
    tui_rec_detach(r);
    sim_free(s);
    if (r->oom) {
        snprintf(err, errlen, "out of memory while recording the run");
        return -1;
    }
    return 0;
}

int tui_rec_load_pcap(struct tui_rec *r, const char *path, char *err, size_t errlen)
{
    struct pcap_reader *pr = pcapr_open(path, err, errlen);
    if (!pr)
        return -1;
    r->from_pcap = true;
    r->first_seq = 1;
    snprintf(r->title, sizeof r->title, "%s", path);
    uint64_t t0 = 0;
    const uint8_t *pkt;
    size_t len;
    uint64_t t;
    int rc;
    while ((rc = pcapr_next(pr, &t, &pkt, &len)) == 1) {
        if (r->n == 0)
            t0 = t;
        struct tui_ev *e = rec_push(r, pkt, len);
        if (!e)
            break;
        size_t i = r->n - 1;
        e->t_ns = t - t0;   /* relative to the first record, as tcpdump -ttttt */
        e->unit = i + 1;
        e->kind = SIM_EV_SEND;
        struct tui_pk k;
        tui_pk_read(pkt, len, &k);
        e->host_addr = k.src;
        if (k.ok) {
            rec_col(r, k.src);
            rec_col(r, k.dst);
            rec_conn(r, i, &k, true);
        }
        if (rec_badsum(pkt, len))
            e->mark |= TUI_M_BADSUM;
    }
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", path, pcapr_error(pr));
    pcapr_close(pr);
    if (rc < 0)
        return -1;
    if (r->oom) {
        snprintf(err, errlen, "out of memory while reading %s", path);
        return -1;
    }
    r->end_unit = r->n;
    tui_filter_index(r);
    return 0;
}
