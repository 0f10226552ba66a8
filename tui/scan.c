/* scan.c — see scan.h. Port states and reasons are nmap's (docs/facts/nmap.md): the
 * explanations below say in a line what each reason means for the scan type at hand, the
 * way nmap's --reason documentation does. The idle scan's reading of the zombie's IP-ID
 * follows Antirez's 1998 description, as nmap's idle_scan.cc implements it. */
#include "tui/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "scanner/engine.h"
#include "scanner/result.h"
#include "tui/text.h"

static const struct tui_rec *sort_rec;

static int dec_cmp(const void *a, const void *b)
{
    const struct tui_dec *x = &sort_rec->decs[*(const uint32_t *)a];
    const struct tui_dec *y = &sort_rec->decs[*(const uint32_t *)b];
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    return (i > j) - (i < j);
}

int tui_scan_index(struct tui_rec *r)
{
    free(r->decsort);
    r->decsort = malloc((r->ndecs ? r->ndecs : 1) * sizeof *r->decsort);
    if (!r->decsort)
        return -1;
    for (size_t i = 0; i < r->ndecs; i++)
        r->decsort[i] = (uint32_t)i;
    sort_rec = r;   /* qsort has no context argument; this runs once, before the view */
    qsort(r->decsort, r->ndecs, sizeof *r->decsort, dec_cmp);
    sort_rec = NULL;
    return 0;
}

/* First position in decsort of (target, port, proto); ndecs when none. */
static size_t dec_find(const struct tui_rec *r, uint32_t target, uint16_t port, uint8_t proto)
{
    size_t lo = 0, hi = r->ndecs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct tui_dec *d = &r->decs[r->decsort[mid]];
        bool less = d->target < target || (d->target == target &&
                    (d->port < port || (d->port == port && d->proto < proto)));
        if (less)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->ndecs) {
        const struct tui_dec *d = &r->decs[r->decsort[lo]];
        if (d->target == target && d->port == port && d->proto == proto)
            return lo;
    }
    return r->ndecs;
}

static const char *why(uint8_t reason, uint8_t state)
{
    switch ((enum reason)reason) {
    case RS_SYN_ACK: return "a SYN-ACK answered: something listens there (RFC 793 3.4, LISTEN)";
    case RS_RESET:
        return state == PORT_UNFILTERED ? "a RST answered: the probe got through (unfiltered)"
             : state == PORT_OPEN ? "a RST with a non-zero window (-sW): open"
             : "a RST answered: no one listens (RFC 793 3.4 reset generation)";
    case RS_NO_RESPONSE:
        return state == PORT_OPEN_FILTERED ? "no answer to any try: open, or a filter dropped it"
             : "no answer to any try: a filter dropped the probe or its answer";
    case RS_PORT_UNREACH:
        return state == PORT_CLOSED ? "ICMP port unreachable: no UDP socket there"
                                    : "ICMP port unreachable: a filter rejected it";
    case RS_HOST_UNREACH: case RS_NET_UNREACH: case RS_PROTO_UNREACH: case RS_NET_PROHIBITED:
    case RS_HOST_PROHIBITED: case RS_ADMIN_PROHIBITED: case RS_DEST_UNREACH:
        return "an ICMP unreachable: a filter (or router) rejected the probe";
    case RS_UDP_RESPONSE: return "a UDP datagram answered: a service is there";
    case RS_CONN_REFUSED: return "connect() was refused (a RST): closed";
    case RS_SYN: return "a SYN answered the SYN (split handshake): open";
    case RS_IPID_CHANGE:
        return "the zombie's IP-ID rose by more than our probes: the target's SYN-ACK made it "
               "answer with a RST, so the port is open";
    case RS_NO_IPID_CHANGE:
        return "the zombie's IP-ID rose by our probes only: the target sent it nothing "
               "(a RST is not answered; a drop leaves no trace): closed or filtered";
    default: return "";
    }
}

size_t tui_scan_lines(const struct tui_model *m, size_t ev, char (*lines)[160], size_t max)
{
    const struct tui_rec *r = m->rec;
    const struct tui_ev *e = &r->ev[ev];
    if (!r->ndecs || !r->decsort || !e->conn || !max)
        return 0;
    const struct tui_conn *c = &r->conns[e->conn - 1];
    size_t n = 0;
    for (int side = 1; side >= 0 && !n; side--) {
        uint32_t target = c->addr[side];
        uint16_t port = c->port[side];
        uint8_t proto = c->proto;
        size_t at = dec_find(r, target, port, proto);
        if (at == r->ndecs)
            continue;
        char tb[16];
        snprintf(lines[n++], sizeof lines[0], "scanner on %s:%u/%s:",
                 tui_rec_host_name(r, target, tb), port, proto == WIRE_PROTO_UDP ? "udp" : "tcp");
        for (size_t k = at; k < r->ndecs && n < max; k++) {
            const struct tui_dec *d = &r->decs[r->decsort[k]];
            if (d->target != target || d->port != port || d->proto != proto)
                break;
            if (d->kind == SCAN_DEC_PROBE)
                snprintf(lines[n++], sizeof lines[0],
                         "  try %u sent (event %u): timeout %.3f s, cwnd %.1f, group cwnd %.1f",
                         d->tryno, d->ev + 1, (double)d->timeout_ns / 1e9, (double)d->cwnd,
                         (double)d->group_cwnd);
            else {
                char after[32] = "";
                if (d->kind == SCAN_DEC_SILENT)
                    snprintf(after, sizeof after, " after %u tries", d->tryno + 1u);
                snprintf(lines[n++], sizeof lines[0], "  => %s (%s)%s",
                         port_state_name((enum port_state)d->state),
                         reason_name((enum reason)d->reason), after);
                const char *w = why(d->reason, d->state);
                if (*w && n < max)
                    snprintf(lines[n++], sizeof lines[0], "     %s", w);
            }
        }
    }
    return n;
}

/* ---------------------------------------------------------------- outline */

struct ol_ent { uint64_t key; struct tui_outline_port p; };

static int ol_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct ol_ent *)a)->key, y = ((const struct ol_ent *)b)->key;
    return (x > y) - (x < y);
}

int tui_outline_build(struct tui_outline *o, const struct tui_rec *r)
{
    memset(o, 0, sizeof *o);
    if (!r->decsort)
        return -1;
    struct ol_ent *v = malloc((r->ndecs ? r->ndecs : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    /* Each port's final verdict: the last VERDICT or SILENT among its decisions. */
    for (size_t k = 0; k < r->ndecs;) {
        const struct tui_dec *d0 = &r->decs[r->decsort[k]], *fin = NULL;
        uint32_t first_ev = UINT32_MAX;
        size_t j = k;
        for (; j < r->ndecs; j++) {
            const struct tui_dec *d = &r->decs[r->decsort[j]];
            if (d->target != d0->target || d->port != d0->port || d->proto != d0->proto)
                break;
            if (d->kind == SCAN_DEC_PROBE) {
                if (d->ev < first_ev)
                    first_ev = d->ev;
            } else {
                fin = d;
            }
        }
        k = j;
        if (!fin)
            continue;
        /* by outcome, then in scan order (the port's first probe) */
        uint32_t order = first_ev == UINT32_MAX ? fin->ev : first_ev;
        v[n].key = (uint64_t)fin->state << 56 | (uint64_t)fin->reason << 48 | order;
        v[n].p = (struct tui_outline_port){ d0->target, d0->port, d0->proto,
                                            order < r->n ? order : (uint32_t)(r->n ? r->n - 1 : 0) };
        n++;
    }
    qsort(v, n, sizeof *v, ol_cmp);
    o->ports = malloc((n ? n : 1) * sizeof *o->ports);
    o->groups = malloc((n ? n : 1) * sizeof *o->groups);
    if (!o->ports || !o->groups) {
        free(v);
        tui_outline_free(o);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        o->ports[i] = v[i].p;
        uint8_t st = (uint8_t)(v[i].key >> 56), rs = (uint8_t)(v[i].key >> 48);
        if (!o->ngroups || o->groups[o->ngroups - 1].state != st ||
            o->groups[o->ngroups - 1].reason != rs)
            o->groups[o->ngroups++] = (struct tui_outline_group){ st, rs, false, i, 0 };
        o->groups[o->ngroups - 1].n++;
    }
    o->nports = n;
    free(v);
    return 0;
}

void tui_outline_free(struct tui_outline *o)
{
    free(o->groups);
    free(o->ports);
    memset(o, 0, sizeof *o);
}

size_t tui_outline_rows(const struct tui_outline *o)
{
    size_t n = 0;
    for (size_t g = 0; g < o->ngroups; g++)
        n += 1 + (o->groups[g].open ? o->groups[g].n : 0);
    return n;
}

/* Group and port (SIZE_MAX for the group's own row) of a row. */
static bool ol_locate(const struct tui_outline *o, size_t row, size_t *g, size_t *p)
{
    for (size_t i = 0; i < o->ngroups; i++) {
        if (row == 0) {
            *g = i;
            *p = SIZE_MAX;
            return true;
        }
        row--;
        if (o->groups[i].open) {
            if (row < o->groups[i].n) {
                *g = i;
                *p = o->groups[i].first + row;
                return true;
            }
            row -= o->groups[i].n;
        }
    }
    return false;
}

void tui_outline_text(const struct tui_outline *o, const struct tui_rec *r, size_t row,
                      char *out, size_t cap, bool *is_group)
{
    size_t g, p;
    out[0] = 0;
    *is_group = false;
    if (!ol_locate(o, row, &g, &p))
        return;
    const struct tui_outline_group *gr = &o->groups[g];
    if (p == SIZE_MAX) {
        *is_group = true;
        snprintf(out, cap, "%s %-14s %-16s %zu port%s", gr->open ? "[-]" : "[+]",
                 port_state_name((enum port_state)gr->state), reason_name((enum reason)gr->reason),
                 gr->n, gr->n == 1 ? "" : "s");
        return;
    }
    const struct tui_outline_port *pt = &o->ports[p];
    char tb[16];
    snprintf(out, cap, "      %s:%u/%s   first probe: event %u", tui_rec_host_name(r, pt->target, tb),
             pt->port, pt->proto == WIRE_PROTO_UDP ? "udp" : "tcp", pt->first_ev + 1);
}

size_t tui_outline_enter(struct tui_outline *o, size_t row)
{
    size_t g, p;
    if (!ol_locate(o, row, &g, &p))
        return SIZE_MAX;
    if (p == SIZE_MAX) {
        o->groups[g].open = !o->groups[g].open;
        return SIZE_MAX;
    }
    return o->ports[p].first_ev;
}

/* ---------------------------------------------------------------- IP-ID strip */

/* A datagram in a few characters: "[SA] 80>51166", "UDP 53>1024", "ICMP 0/0". */
static void strip_pk(const struct tui_pk *k, char *out, size_t cap)
{
    char fl[9];
    if (!k->ok)
        snprintf(out, cap, "?");
    else if (k->proto == WIRE_PROTO_TCP)
        snprintf(out, cap, "[%s] %u>%u", wire_flags_str(k->flags, fl), k->sport, k->dport);
    else if (k->proto == WIRE_PROTO_UDP)
        snprintf(out, cap, "UDP %u>%u", k->sport, k->dport);
    else if (k->proto == WIRE_PROTO_ICMP)
        snprintf(out, cap, "ICMP %u/%u", k->flags, k->icode);
    else
        snprintf(out, cap, "proto %u", k->proto);
}

/* Why the host sent datagram i: the datagram it answered ("<- #50 target [SA] 51166>80"),
 * when the record knows (a capture does not). */
static void strip_why(const struct tui_rec *r, size_t i, char *out, size_t cap)
{
    out[0] = 0;
    const struct tui_ev *e = &r->ev[i];
    if (!e->cause)
        return;
    size_t c = e->cause - 1;
    const struct tui_ev *ce = &r->ev[c];
    if (ce->kind == SIM_EV_RECV && ce->len) {
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(r, ce), ce->len, &k);
        char hb[16], pk[40];
        strip_pk(&k, pk, sizeof pk);
        snprintf(out, cap, "<- #%zu %s %s", c + 1, tui_rec_host_name(r, k.src, hb), pk);
    } else if (ce->kind == SIM_EV_TIMER) {
        snprintf(out, cap, "<- #%zu its timer", c + 1);
    } else if (ce->kind == SIM_EV_NOTE) {
        snprintf(out, cap, "<- #%zu its script", c + 1);
    }
}

/* Its own datagram (not one others send in its name: the scan's spoofed SYNs). */
static bool strip_own(const struct tui_rec *r, size_t i, uint32_t addr, struct tui_pk *k)
{
    const struct tui_ev *e = &r->ev[i];
    if (e->kind != SIM_EV_SEND || !e->len || (e->mark & (TUI_M_PROBE | TUI_M_INJECTED)))
        return false;
    tui_pk_read(tui_rec_pkt(r, e), e->len, k);
    if (!k->ok || k->src != addr)
        return false;
    return !(r->from_pcap && addr == r->zombie && r->zombie_reader && k->dst != r->zombie_reader);
}

size_t tui_ipid_strip(const struct tui_model *m, uint32_t addr, size_t ev, char (*lines)[160],
                      size_t max)
{
    const struct tui_rec *r = m->rec;
    if (!max || ev >= r->n)
        return 0;
    /* The host's datagrams: find up to max-1 around ev (more before than after). */
    size_t want = max - 1, before = want * 2 / 3, lo = ev + 1, cnt = 0;
    struct tui_pk k;
    while (lo > 0 && cnt < before) {
        lo--;
        if (strip_own(r, lo, addr, &k))
            cnt++;
    }
    char hb[16];
    size_t n = 0;
    char rb[16];
    if (r->from_pcap && addr == r->zombie && r->zombie_reader)
        snprintf(lines[n++], sizeof lines[0], "IP-ID of %s, its datagrams to %s (+N: N-1 "
                 "it sent unseen; the capture has no others)", tui_rec_host_name(r, addr, hb),
                 tui_rec_host_name(r, r->zombie_reader, rb));
    else
        snprintf(lines[n++], sizeof lines[0], "IP-ID of %s, each datagram it sent, the rise, "
                 "%s", tui_rec_host_name(r, addr, hb),
                 r->from_pcap ? "+N: N-1 unseen" : "<- what it answered");
    /* the rise of the first row shown: from the datagram before it, when there is one */
    int32_t prev = -1;
    for (size_t i = lo; i-- > 0;)
        if (strip_own(r, i, addr, &k)) {
            prev = k.ipid;
            break;
        }
    bool marked = false;
    for (size_t i = lo; i < r->n && n < max; i++) {
        if (!strip_own(r, i, addr, &k))
            continue;
        /* the rise modulo 2^16, a fall when that is nearer (a counter reset, an ID of 0) */
        int32_t d = prev < 0 ? 0 : (int32_t)((k.ipid - prev) & 0xffff);
        if (d > 32768)
            d -= 65536;
        prev = k.ipid;
        char bar[12];
        int len = d > 10 ? 10 : d < 0 ? 0 : d;
        memset(bar, '#', (size_t)len);
        bar[len] = 0;
        bool here = !marked && i >= ev;   /* the first of its datagrams from the cursor on */
        marked = marked || here;
        char pk[40], why[80], db[16];
        strip_pk(&k, pk, sizeof pk);
        if (r->from_pcap && d > 1)
            snprintf(why, sizeof why, "(%d sent unseen between)", d - 1);
        else
            strip_why(r, i, why, sizeof why);
        snprintf(lines[n++], sizeof lines[0], "%c%6zu %5u %+6d %-10s to %-8s %-14s %s",
                 here ? '>' : ' ', i + 1, k.ipid, d, bar, tui_rec_host_name(r, k.dst, db), pk,
                 why);
    }
    return n;
}
