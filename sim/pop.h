/* pop.h — internal to the simulator: populations (`hosts PREFIX/LEN alive P% KEYS`), hosts
 * made on first touch.
 *
 * A simulated /8 must not cost a struct host per address: a population is one line, and an
 * address of it becomes a host only when a datagram first reaches it and a keyed hash of the
 * seed and the address says it is alive (SipHash-2-4, RFC-style keyed PRF: each address's
 * fate is its own, whatever else was touched before, unlike draws from one stream). The host
 * is named by its dotted quad, so its generators and streams (seeded by name) differ from
 * its neighbours' while being the same in every run. The design's principle: hosts are
 * looked up by address in a hash table and created on first use.
 */
#ifndef TCPLAB_SIM_POP_H
#define TCPLAB_SIM_POP_H

#include <stddef.h>
#include <stdint.h>

#include "pset.h"
#include "scenario.h"

struct sim;
struct host;

struct sim_pop {
    struct scn_pop cfg;            /* tmpl.tcp / tmpl.udp: NULL (the sets are below) */
    struct sim_pset *tcp, *udp;    /* the template's port sets, shared with its hosts */
    uint8_t key[16];               /* aliveness key, from the seed */
};

/* Copies the scenario's populations into s. 0, or -1 with a message. */
int sim_pop_load(struct sim *s, const struct scenario *sc, char *err, size_t errlen);
/* The host at addr made now from its population, when addr is in one and alive; else NULL.
 * Call only when no host exists at addr. */
struct host *sim_pop_touch(struct sim *s, uint32_t addr);
/* Whether addr is a live address of a population (made or not). */
int sim_pop_alive(const struct sim *s, uint32_t addr);
void sim_pop_free(struct sim *s);
/* d's populations as deep copies of s's (sim_clone). 0 or -1. */
int sim_pop_clone(struct sim *d, const struct sim *s);

#endif
