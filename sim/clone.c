/* clone.c — snapshots: a deep copy of a running simulation (sim_clone, sim.h).
 *
 * Why: the TUI's step back shows every panel exactly as it was at an earlier event. It keeps
 * a clone every so many units and re-runs from the nearest one (the simulator is
 * deterministic: same state, same outside calls, same events), instead of replaying recorded
 * frames. Labs and tests use clones to ask "what if" from the middle of a run.
 *
 * What is copied: the clock and counters, the queue (heap and FIFO lanes; an arrival's entry
 * points at its datagram's slot, so it is re-pointed at the copy's slot of the same index),
 * the datagram pool (only slots in use are written, so a snapshot's free slots cost no
 * memory until used; a slot's parsed view points into its own bytes and is moved with them), the outbox, the rng streams, every host (tcp_inspect.c and
 * gen.c copy their parts), nets, filters with their conntrack and hit counts, the script's
 * running state and the streams. What is not: observers (trace, wiretap, taps, op hook,
 * observer), which belong to whoever set them on the original.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "filter.h"

static void *clone_dup(const void *p, size_t n)
{
    if (!p || n == 0)
        return NULL;
    void *q = malloc(n);
    if (q)
        memcpy(q, p, n);
    return q;
}

/* p pointed into the bytes of `from`: the same place in `to`. Other pointers stay. */
static const uint8_t *clone_rebase(const uint8_t *p, const struct sim_slot *from,
                                   struct sim_slot *to)
{
    if (p >= from->buf && p <= from->buf + sizeof from->buf)
        return to->buf + (p - from->buf);
    return p;
}

static void clone_slot(struct sim_slot *to, const struct sim_slot *from)
{
    size_t head = offsetof(struct sim_slot, buf);
    memcpy(to, from, head);
    memcpy(to->buf, from->buf, from->len <= sizeof to->buf ? from->len : sizeof to->buf);
    if (!from->viewed)
        return;
    to->view.ip.payload = clone_rebase(from->view.ip.payload, from, to);
    switch (from->view.ip.proto) {
    case WIRE_PROTO_TCP:
        to->view.l4.tcp.payload = clone_rebase(from->view.l4.tcp.payload, from, to);
        break;
    case WIRE_PROTO_UDP:
        to->view.l4.udp.payload = clone_rebase(from->view.l4.udp.payload, from, to);
        break;
    case WIRE_PROTO_ICMP:
        to->view.l4.icmp.payload = clone_rebase(from->view.l4.icmp.payload, from, to);
        break;
    }
}

/* The pool with the same blocks (so it grows as the original would) and the same free
 * stack; bytes only for slots in use. */
static int clone_pool(struct sim *d, const struct sim *s)
{
    const struct sim_pool *p = &s->pool;
    struct sim_pool *q = &d->pool;
    memset(q, 0, sizeof *q);
    uint8_t *is_free = calloc(p->cap ? p->cap : 1, 1);
    q->free = malloc((p->cap ? p->cap : 1) * sizeof *q->free);
    q->chunk = malloc((p->cap / SIM_POOL_CHUNK + 1) * sizeof *q->chunk);
    if (!is_free || !q->free || !q->chunk)
        goto fail;
    for (uint32_t i = 0; i < p->nfree; i++)
        is_free[p->free[i]] = 1;
    memcpy(q->free, p->free, p->nfree * sizeof *q->free);
    q->nfree = p->nfree;
    uint32_t base = 0;
    for (uint32_t b = 0; b < p->nblocks; b++) {
        uint32_t n = b == 0 ? SIM_POOL_FIRST : (uint32_t)SIM_POOL_FIRST << (b - 1);
        struct sim_slot *blk = malloc((size_t)n * sizeof *blk);
        if (!blk)
            goto fail;
        q->block[q->nblocks++] = blk;
        for (uint32_t k = 0; k < n / SIM_POOL_CHUNK; k++)
            q->chunk[base / SIM_POOL_CHUNK + k] = blk + (size_t)k * SIM_POOL_CHUNK;
        for (uint32_t i = 0; i < n; i++) {
            if (!is_free[base + i])   /* a free slot stays unwritten (its pages untouched):
                                         sim_slot_take sets its index and flags */
                clone_slot(&blk[i], sim_slot((struct sim *)s, base + i));
        }
        base += n;
    }
    q->cap = p->cap;
    free(is_free);
    return 0;
fail:
    free(is_free);
    return -1;
}

/* An arrival's entry names its slot by address: the copy's slot of the same index. */
static void clone_fix_entry(struct sim *d, struct sim_qent *e)
{
    if (e->kind == SQ_ARRIVE)
        e->b = (uintptr_t)sim_slot(d, ((const struct sim_slot *)(uintptr_t)e->b)->idx);
}

static int clone_queue(struct sim *d, const struct sim *s)
{
    if (s->capheap) {
        if (!(d->heap = malloc(s->capheap * sizeof *d->heap)))
            return -1;
        memcpy(d->heap, s->heap, s->nheap * sizeof *d->heap);
        for (size_t i = 0; i < s->nheap; i++)
            clone_fix_entry(d, &d->heap[i]);
    }
    for (int l = 0; l < SIM_QLANES; l++) {
        const struct sim_qlane *a = &s->lanes[l];
        struct sim_qlane *b = &d->lanes[l];
        if (!a->v)
            continue;
        if (!(b->v = malloc(((size_t)a->mask + 1) * sizeof *b->v)))
            return -1;
        memcpy(b->v, a->v, ((size_t)a->mask + 1) * sizeof *b->v);
        for (uint32_t k = 0; k < a->n; k++)
            clone_fix_entry(d, &b->v[(a->head + k) & a->mask]);
    }
    return 0;
}

static int clone_filters(struct sim *d, const struct sim *s)
{
    if (!s->nfilters)
        return 0;
    if (!(d->filters = calloc(s->nfilters, sizeof *d->filters)))
        return -1;
    for (size_t i = 0; i < s->nfilters; i++) {
        if (!(d->filters[i] = filter_clone(s->filters[i])))
            return -1;
        d->nfilters = i + 1;
    }
    return 0;
}

struct sim *sim_clone(const struct sim *s)
{
    struct sim *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    *d = *s;
    /* Nothing below points into s until it is copied: clear every owned pointer first, so
     * that sim_free can take a half-made copy apart. */
    memset(&d->pool, 0, sizeof d->pool);
    d->heap = NULL;
    for (int l = 0; l < SIM_QLANES; l++)
        d->lanes[l].v = NULL;
    d->outbox = NULL;
    memset(&d->hosts, 0, sizeof d->hosts);
    d->pops = NULL;
    d->npops = 0;
    d->nets = NULL;
    d->filters = NULL;
    d->nfilters = 0;
    d->sends = NULL;
    d->traffic = NULL;
    d->connects = NULL;
    d->streams = NULL;
    d->trace = NULL;
    d->trace_ctx = NULL;
    d->trace_set = false;
    d->obs = NULL;
    d->obs_ctx = NULL;
    d->wire = NULL;
    d->wire_ctx = NULL;
    d->op_fn = NULL;
    d->op_ctx = NULL;
    d->loss.e = NULL;
    d->att.flows = NULL;
    d->att.nflows = d->att.capflows = 0;

    d->outbox = clone_dup(s->outbox, s->capout * sizeof *s->outbox);
    d->nets = clone_dup(s->nets, s->nnets * sizeof *s->nets);
    d->sends = clone_dup(s->sends, s->nsends * sizeof *s->sends);
    d->traffic = clone_dup(s->traffic, s->ntraffic * sizeof *s->traffic);
    d->connects = clone_dup(s->connects, s->nconnects * sizeof *s->connects);
    d->streams = clone_dup(s->streams, s->nstreams * sizeof *s->streams);
    if ((s->capout && !d->outbox) || (s->nnets && !d->nets) || (s->nsends && !d->sends) ||
        (s->ntraffic && !d->traffic) || (s->nconnects && !d->connects) ||
        (s->nstreams && !d->streams) || clone_pool(d, s) || clone_queue(d, s) ||
        host_table_clone(d, &d->hosts, &s->hosts) || clone_filters(d, s) || sim_att_clone(d, s) ||
        sim_pop_clone(d, s) || sim_loss_clone(&d->loss, &s->loss)) {
        if (!s->capout)
            d->capout = 0;
        sim_free(d);
        return NULL;
    }
    if (!d->outbox)
        d->capout = 0;
    return d;
}
