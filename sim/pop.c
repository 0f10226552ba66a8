/* pop.c — populations: a prefix of hosts that exist only once a datagram reaches them.
 *
 * Aliveness: SipHash-2-4 (lib/rng.h) keyed from the seed ("population" stream), over the
 * address and the population's index; alive when the hash mod 10^6 is below alive_ppm. The
 * most specific population holding the address decides (as routes do: longest prefix). A
 * live address becomes a host through host_add, exactly as a `host` line would, from the
 * population's template.
 */
#include "pop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static void pop_free_one(struct sim_pop *p)
{
    sim_pset_unref(p->tcp);
    sim_pset_unref(p->udp);
    p->tcp = p->udp = NULL;
}

/* A copy of src whose port sets are counted copies. -1 when memory ran out. */
static int pop_copy(struct sim_pop *dst, const struct scn_pop *src)
{
    int oom = 0;
    dst->cfg = *src;
    dst->tcp = sim_pset_new(src->tmpl.tcp, &oom);
    dst->udp = sim_pset_new(src->tmpl.udp, &oom);
    dst->cfg.tmpl.tcp = dst->cfg.tmpl.udp = NULL;
    if (oom) {
        pop_free_one(dst);
        return -1;
    }
    return 0;
}

int sim_pop_load(struct sim *s, const struct scenario *sc, char *err, size_t errlen)
{
    if (!sc->npops)
        return 0;
    if (!(s->pops = calloc(sc->npops, sizeof *s->pops))) {
        snprintf(err, errlen, "%s: out of memory", sc->file[0] ? sc->file : "scenario");
        return -1;
    }
    for (size_t i = 0; i < sc->npops; i++) {
        const struct scn_pop *p = &sc->pops[i];
        if (p->plen > 32 || p->alive_ppm > 1000000) {
            snprintf(err, errlen, "%s:%d:%d: error: hosts: prefix over /32 or alive over 100%%",
                     sc->file[0] ? sc->file : "scenario", p->pos.line, p->pos.col);
            return -1;
        }
        if (pop_copy(&s->pops[s->npops], p) < 0) {
            snprintf(err, errlen, "%s: out of memory", sc->file[0] ? sc->file : "scenario");
            return -1;
        }
        /* The key is the population's own (seed and prefix), not the next of a stream: a
         * population added before it never changes which of its addresses are alive. */
        char name[48];
        struct rng r;
        snprintf(name, sizeof name, "population:%08x/%u", (unsigned)p->prefix, (unsigned)p->plen);
        rng_seed(&r, s->seed, name);
        rng_bytes(&r, s->pops[s->npops].key, sizeof s->pops[s->npops].key);
        s->npops++;
    }
    return 0;
}

/* The population deciding addr (longest prefix), or NULL. */
static const struct sim_pop *pop_of(const struct sim *s, uint32_t addr)
{
    const struct sim_pop *best = NULL;
    for (uint32_t i = 0; i < s->npops; i++) {
        const struct scn_pop *c = &s->pops[i].cfg;
        uint32_t mask = c->plen ? ~(uint32_t)0 << (32 - c->plen) : 0;
        if ((addr & mask) == c->prefix && (!best || c->plen > best->cfg.plen))
            best = &s->pops[i];
    }
    return best;
}

static int pop_is_alive(const struct sim_pop *p, uint32_t addr)
{
    uint8_t a[4] = { (uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
                     (uint8_t)addr };
    return siphash24(p->key, a, sizeof a) % 1000000u < p->cfg.alive_ppm;
}

int sim_pop_alive(const struct sim *s, uint32_t addr)
{
    const struct sim_pop *p = pop_of(s, addr);
    return p && pop_is_alive(p, addr);
}

/* sim.h: a host line wins over a population, as it does when a datagram arrives. */
bool sim_addr_up(const struct sim *s, uint32_t addr)
{
    const struct host *h = host_find(&s->hosts, addr);
    if (h)
        return !h->down;
    return sim_pop_alive(s, addr) != 0;
}

struct host *sim_pop_touch(struct sim *s, uint32_t addr)
{
    const struct sim_pop *p = pop_of(s, addr);
    if (!p || !pop_is_alive(p, addr))
        return NULL;
    struct scn_host sh = p->cfg.tmpl;
    sh.addr = addr;
    wire_ip_str(addr, sh.name);
    char msg[128];
    struct host *h = host_add(s, &sh, p->tcp, p->udp, msg, sizeof msg);   /* NULL: no memory */
    if (h)
        host_set_from_pop(h);
    return h;
}

void sim_pop_free(struct sim *s)
{
    for (uint32_t i = 0; i < s->npops; i++)
        pop_free_one(&s->pops[i]);
    free(s->pops);
    s->pops = NULL;
    s->npops = 0;
}

int sim_pop_clone(struct sim *d, const struct sim *s)
{
    d->pops = NULL;
    d->npops = 0;
    if (!s->npops)
        return 0;
    if (!(d->pops = calloc(s->npops, sizeof *d->pops)))
        return -1;
    for (uint32_t i = 0; i < s->npops; i++) {
        d->pops[i] = s->pops[i];           /* the sets are read-only: shared */
        sim_pset_ref(d->pops[i].tcp);
        sim_pset_ref(d->pops[i].udp);
        d->npops = i + 1;
    }
    return 0;
}
