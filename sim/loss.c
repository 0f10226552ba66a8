/* loss.c — whether a datagram is lost on a lossy net (`net ... loss P%`): a keyed draw of the
 * datagram itself (lib/rng.h rng_key), never the next draw of a stream shared by the whole
 * network.
 *
 * Why: with one stream in draw order, every datagram anywhere shifts the fate of every later
 * one, so adding a host pair that talks on its own makes another flow lose other segments,
 * and `tcplab diff --as` reports an interference no real network has. Here the draw is a
 * PRF of the net, the time, the datagram's length and its first 64 bytes with the IP-ID and
 * the header checksum left out (numbering, which a shared counter moves with other traffic).
 * Copies of one datagram in one nanosecond would share that draw, so the copies seen in the
 * current instant are counted (a small table, reset as the clock moves): the k-th copy
 * draws with k, whatever else happens in that instant. The table grows with the datagrams
 * of one instant on lossy nets (amortised, not per packet) up to LOSS_SEEN_MAX; past it,
 * copies share their fate.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

enum { LOSS_SEEN_INIT = 64, LOSS_SEEN_MAX = 1 << 22 };

static void loss_new_instant(struct sim_loss *l, uint64_t now)
{
    l->now = now;
    l->n = 0;
    if (++l->epoch == 0) {   /* wrapped: entries of old epochs could look current */
        if (l->e)
            memset(l->e, 0, l->cap * sizeof *l->e);
        l->epoch = 1;
    }
}

static struct sim_loss_seen *loss_slot(struct sim_loss_seen *e, uint32_t cap, uint32_t epoch,
                                       uint64_t h)
{
    uint32_t i = (uint32_t)h & (cap - 1);
    while (e[i].epoch == epoch && e[i].h != h)
        i = (i + 1) & (cap - 1);
    return &e[i];
}

/* Room for one more entry of this instant: false when none can be had. */
static bool loss_room(struct sim_loss *l)
{
    if ((uint64_t)(l->n + 1) * 2 <= l->cap)
        return true;
    uint32_t ncap = l->cap ? l->cap * 2 : LOSS_SEEN_INIT;
    if (ncap > LOSS_SEEN_MAX)
        return false;
    struct sim_loss_seen *ne = calloc(ncap, sizeof *ne);
    if (!ne)
        return false;
    for (uint32_t i = 0; i < l->cap; i++)
        if (l->e[i].epoch == l->epoch)
            *loss_slot(ne, ncap, l->epoch, l->e[i].h) = l->e[i];
    free(l->e);
    l->e = ne;
    l->cap = ncap;
    return true;
}

/* How many copies of the datagram hashed h came before it in this instant. */
static uint32_t loss_copies(struct sim_loss *l, uint64_t now, uint64_t h)
{
    if (now != l->now || l->epoch == 0)
        loss_new_instant(l, now);
    if (!loss_room(l))
        return 0;
    struct sim_loss_seen *e = loss_slot(l->e, l->cap, l->epoch, h);
    if (e->epoch != l->epoch) {
        *e = (struct sim_loss_seen){ h, l->epoch, 0 };
        l->n++;
    }
    return e->count++;
}

bool sim_lost(struct sim *s, int net, struct sim_slot *sl, uint32_t ppm)
{
    sim_slot_materialize(sl);
    uint8_t b[64] = {0};
    memcpy(b, sl->buf, sl->len < sizeof b ? sl->len : sizeof b);
    b[4] = b[5] = b[10] = b[11] = 0;
    uint64_t w[11] = { (uint64_t)net, s->now, sl->len };
    for (int i = 0; i < 8; i++)
        w[3 + i] = siphash_load64le(b + 8 * i);
    uint64_t h = rng_key_hash(&s->loss.key, w, 11);
    uint32_t k = loss_copies(&s->loss, s->now, h);
    if (k) {
        uint64_t w2[2] = { h, k };
        h = rng_key_hash(&s->loss.key, w2, 2);
    }
    return rng_key_below(h, 1000000) < ppm;
}

int sim_loss_clone(struct sim_loss *d, const struct sim_loss *s)
{
    *d = *s;
    d->e = NULL;
    if (!s->e)
        return 0;
    d->e = malloc(s->cap * sizeof *d->e);
    if (!d->e)
        return -1;
    memcpy(d->e, s->e, s->cap * sizeof *d->e);
    return 0;
}
