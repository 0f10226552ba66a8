/* pset.c — counted, shared port sets (see pset.h). The load-time map is keyed by the
 * scenario set's address: it only finds the copy already made for the same set, so no
 * result depends on where anything sits in memory. */
#include "pset.h"

#include <stdlib.h>

struct sim_pset *sim_pset_new(const struct scn_portset *src, int *oom)
{
    if (!src)
        return NULL;
    struct sim_pset *p = malloc(sizeof *p);
    if (!p) {
        *oom = 1;
        return NULL;
    }
    p->refs = 1;
    p->set = *src;
    return p;
}

struct sim_pset *sim_pset_ref(struct sim_pset *p)
{
    if (p)
        p->refs++;
    return p;
}

void sim_pset_unref(struct sim_pset *p)
{
    if (p && --p->refs == 0)
        free(p);
}

int sim_pset_map_init(struct sim_pset_map *m, size_t nsets)
{
    uint32_t cap = 16;
    while (cap < 2 * nsets + 2 && cap < (1u << 30))
        cap *= 2;
    m->key = calloc(cap, sizeof *m->key);
    m->val = calloc(cap, sizeof *m->val);
    m->mask = cap - 1;
    if (!m->key || !m->val) {
        sim_pset_map_free(m);
        return -1;
    }
    return 0;
}

static uint32_t pset_hash(const void *p)
{
    uint64_t v = (uint64_t)(uintptr_t)p;
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    return (uint32_t)(v ^ (v >> 29));
}

struct sim_pset *sim_pset_map_get(struct sim_pset_map *m, const struct scn_portset *src,
                                  int *oom)
{
    if (!src)
        return NULL;
    uint32_t i = pset_hash(src) & m->mask;
    for (uint32_t probes = 0; m->key[i] && m->key[i] != src; probes++) {
        if (probes > m->mask)               /* full: more sets than the scenario declared */
            return sim_pset_new(src, oom);
        i = (i + 1) & m->mask;
    }
    if (!m->key[i]) {
        if (!(m->val[i] = sim_pset_new(src, oom)))
            return NULL;
        m->key[i] = src;
    }
    return sim_pset_ref(m->val[i]);
}

void sim_pset_map_free(struct sim_pset_map *m)
{
    for (uint32_t i = 0; m->val && i <= m->mask; i++)
        sim_pset_unref(m->val[i]);
    free(m->key);
    free(m->val);
    m->key = NULL;
    m->val = NULL;
}
