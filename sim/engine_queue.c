/* engine_queue.c — the simulator's two stores: the datagram pool (slots in chunks, a stack
 * of free ones) and the event queue, ordered by (time, sequence number): a binary heap for
 * anything, and FIFO lanes for the two kinds that almost always come in time order
 * (arrivals after the same delay, timers of the same length), which take them in O(1).
 *
 * Why apart from engine.c: these are data structures with their own invariants (the heap
 * order, the lanes' sortedness, q_other_t bounding everything but the arrival lane), used by
 * engine.c's delivery and run loop only through engine.h. Same scenario and seed, same
 * order: nothing here depends on pointers or the clock.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "lib/wire_int.h"   /* wire_parse_trusted */

/* ---------------------------------------------------------------- pool */

static int pool_grow(struct sim *s)
{
    struct sim_pool *p = &s->pool;
    if (p->nblocks == SIM_POOL_MAXBLOCKS)
        return -1;
    uint32_t add = p->nblocks == 0 ? SIM_POOL_FIRST : p->cap;
    struct sim_slot *c = malloc((size_t)add * sizeof *c);
    uint32_t *f = realloc(p->free, (size_t)(p->cap + add) * sizeof *f);
    if (f)
        p->free = f;
    struct sim_slot **ch = realloc(p->chunk, (size_t)(p->cap + add) / SIM_POOL_CHUNK * sizeof *ch);
    if (ch)
        p->chunk = ch;
    if (!c || !f || !ch) {
        free(c);
        return -1;
    }
    p->block[p->nblocks++] = c;
    for (uint32_t k = 0; k < add / SIM_POOL_CHUNK; k++)
        p->chunk[p->cap / SIM_POOL_CHUNK + k] = c + (size_t)k * SIM_POOL_CHUNK;
    for (uint32_t i = 0; i < add; i++)
        c[i].idx = p->cap + i;
    /* Push the new indices so the lowest is handed out first. */
    for (uint32_t i = 0; i < add; i++)
        p->free[p->nfree++] = p->cap + add - 1 - i;
    p->cap += add;
    return 0;
}

int sim_pool_grow(struct sim *s)
{
    return pool_grow(s);
}

int sim_slot_parse(struct sim_slot *sl, const struct wire_pkt **p, struct wire_pkt *tmp)
{
    if (sl->viewed) {
        *p = &sl->view;
        return WIRE_OK;
    }
    *p = tmp;
    return sl->trusted ? wire_parse_trusted(sl->buf, sl->len, tmp)
                       : wire_parse(sl->buf, sl->len, tmp);
}


/* ---------------------------------------------------------------- queue (binary heap) */

static bool q_before(const struct sim_qent *a, const struct sim_qent *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int heap_push(struct sim *s, const struct sim_qent *e)
{
    if (s->nheap == s->capheap) {
        size_t nc = s->capheap ? s->capheap * 2 : 256;
        struct sim_qent *h = realloc(s->heap, nc * sizeof *h);
        if (!h)
            return -1;
        s->heap = h;
        s->capheap = nc;
    }
    size_t i = s->nheap++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!q_before(e, &s->heap[up]))
            break;
        s->heap[i] = s->heap[up];
        i = up;
    }
    s->heap[i] = *e;
    return 0;
}

static struct sim_qent heap_pop(struct sim *s)
{
    struct sim_qent top = s->heap[0];
    struct sim_qent last = s->heap[--s->nheap];
    size_t n = s->nheap, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && q_before(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!q_before(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

/* ---------------------------------------------------------------- queue (FIFO lanes) */

static int lane_grow(struct sim_qlane *l)
{
    uint32_t nc = l->mask ? (l->mask + 1) * 2 : 256;
    struct sim_qent *v = malloc((size_t)nc * sizeof *v);
    if (!v)
        return -1;
    for (uint32_t k = 0; k < l->n; k++)
        v[k] = l->v[(l->head + k) & l->mask];
    free(l->v);
    l->v = v;
    l->head = 0;
    l->mask = nc - 1;
    return 0;
}

/* What sim_queue_put (engine.h) does when its fast path does not apply: a lane that must
 * grow first, or the heap. The same test as the fast path, with growing allowed; l is NULL
 * for an entry that must take the heap (an old seq, sim_queue_push_seq). */
int sim_queue_push_slow(struct sim *s, const struct sim_qent *e, struct sim_qlane *l)
{
    if (l && sim_lane_fits(l, e->t, true) &&
        ((l->v && l->n <= l->mask) || lane_grow(l) == 0)) {
        l->v[(l->head + l->n++) & l->mask] = *e;
        l->tail_t = e->t;
        if (l == &s->lanes[SIM_LANE_ARRIVE])
            return 0;
    } else if (heap_push(s, e)) {
        return -1;
    }
    if (e->t < s->q_other_t)   /* the timer lane or the heap */
        s->q_other_t = e->t;
    return 0;
}

/* The queue's first entry by (time, seq), from whichever of the lanes and the heap holds
 * it, or NULL when the queue is empty; *lane is its lane's index, or -1 for the heap. The
 * lanes are compared one by one, unrolled: this runs once per event. */
const struct sim_qent *sim_q_top(const struct sim *s, int *lane)
{
    const struct sim_qlane *la = &s->lanes[SIM_LANE_ARRIVE], *lt = &s->lanes[SIM_LANE_TIMER];
    const struct sim_qent *top = la->n ? &la->v[la->head] : NULL;
    *lane = la->n ? SIM_LANE_ARRIVE : -1;
    if (lt->n && (!top || q_before(&lt->v[lt->head], top))) {
        top = &lt->v[lt->head];
        *lane = SIM_LANE_TIMER;
    }
    if (s->nheap && (!top || q_before(&s->heap[0], top))) {
        top = &s->heap[0];
        *lane = -1;
    }
    return top;
}

static void lane_pop(struct sim_qlane *l, struct sim_qent *e)
{
    *e = l->v[l->head];
    l->head = (l->head + 1) & l->mask;
    l->n--;
}

/* Removes the first entry into *e if it is due at or before `until`; false when the queue is
 * empty or its first entry is later. The common case of a scan, an arrival due before any
 * timer, takes the first test. */
bool sim_q_pop(struct sim *s, struct sim_qent *e, uint64_t until)
{
    struct sim_qlane *la = &s->lanes[SIM_LANE_ARRIVE];
    if (la->n && la->v[la->head].t < s->q_other_t) {
        if (la->v[la->head].t > until)
            return false;
        lane_pop(la, e);
        return true;
    }
    int lane;
    const struct sim_qent *top = sim_q_top(s, &lane);
    if (!top || top->t > until)
        return false;
    if (lane == SIM_LANE_ARRIVE) {
        lane_pop(la, e);
        return true;
    }
    if (lane < 0)
        *e = heap_pop(s);
    else
        lane_pop(&s->lanes[lane], e);
    /* The timer lane or the heap lost its first entry: the bound moves up to the next. */
    const struct sim_qlane *lt = &s->lanes[SIM_LANE_TIMER];
    uint64_t t = lt->n ? lt->v[lt->head].t : UINT64_MAX;
    if (s->nheap && s->heap[0].t < t)
        t = s->heap[0].t;
    s->q_other_t = t;
    return true;
}
