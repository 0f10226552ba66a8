/* pset.h — internal to the simulator: port sets shared between hosts, counted.
 *
 * A port set is an 8 KiB bitmap (struct scn_portset). 100,000 `host ... tcp 80` lines name
 * one set; each host used to copy it (and its TCP another copy). Hosts now hold a counted
 * reference to one read-only copy the simulation owns, so a host costs its pointer; clones
 * share the same copies (they are never written after sim_load).
 */
#ifndef TCPLAB_SIM_PSET_H
#define TCPLAB_SIM_PSET_H

#include <stdint.h>

#include "scenario.h"

struct sim_pset {
    uint32_t refs;
    struct scn_portset set;
};

/* A new set holding a copy of *src, one reference; NULL when src is NULL or memory ran out
 * (*oom says which). */
struct sim_pset *sim_pset_new(const struct scn_portset *src, int *oom);
struct sim_pset *sim_pset_ref(struct sim_pset *p);   /* NULL stays NULL */
void sim_pset_unref(struct sim_pset *p);             /* frees at the last reference */

/* Maps a scenario's shared sets (struct scenario .sets) to counted copies while hosts are
 * loaded: one copy per distinct set, looked up by the set's identity. */
struct sim_pset_map {
    const struct scn_portset **key;
    struct sim_pset **val;
    uint32_t mask;
};
int sim_pset_map_init(struct sim_pset_map *m, size_t nsets);
/* The counted copy of src (made on first use; a new reference each call), NULL for NULL.
 * -1 in *oom when memory ran out. */
struct sim_pset *sim_pset_map_get(struct sim_pset_map *m, const struct scn_portset *src,
                                  int *oom);
void sim_pset_map_free(struct sim_pset_map *m);       /* drops the map's own references */

#endif
