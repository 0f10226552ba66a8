/* gen.h — ISN and IP-ID generators, one small function each.
 *
 * Each generator copies a real stack's behaviour; the numbers and their sources are in
 * docs/facts/stacks.md sections 1 and 2. A generator is a value: its
 * state lives in the struct, its randomness in its own rng stream, its clock is the virtual
 * clock passed in (nanoseconds). `peek` is a copy-and-draw, so the trace can show the next
 * value without disturbing the run.
 */
#ifndef TCPLAB_GEN_H
#define TCPLAB_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/rng.h"

enum gen_isn_kind {
    GEN_ISN_CONSTANT,   /* param: the constant (default 0) */
    GEN_ISN_BSD64K,     /* 4.3BSD: +64000 per 500 ms tick and per connection */
    GEN_ISN_CLOCK250K,  /* RFC 793: floor(t_us / 4) */
    GEN_ISN_RANDOM_INC, /* += U[1, param] per connection (default 64000) */
    GEN_ISN_RFC6528,    /* Linux 4.11+: SipHash(4-tuple) + ns >> 6 */
    GEN_ISN_RANDOM,     /* uniform 32-bit */
};

struct gen_isn_cfg {
    enum gen_isn_kind kind;
    uint32_t param;
};

struct gen_isn {
    struct gen_isn_cfg cfg;
    uint32_t iss;         /* bsd64k / random-inc: the shared tcp_iss */
    uint64_t ticks;       /* bsd64k: 500 ms ticks already added to iss */
    uint8_t key[16];      /* rfc6528: per-boot secret */
    uint64_t sip[4];      /* rfc6528: SipHash's initial state for key (lib/rng.h siphash_key_state) */
    bool pair_ok;         /* rfc6528: pair_st is sip after the block (pair_laddr, pair_raddr) */
    uint32_t pair_laddr, pair_raddr;
    uint64_t pair_st[4];
    struct rng rng;
};

/* `seed` and `who` (the host's name) pick the generator's rng stream. */
void gen_isn_init(struct gen_isn *g, const struct gen_isn_cfg *cfg, uint64_t seed, const char *who);
/* The ISN for a new connection, from the choosing host's view (local first). */
uint32_t gen_isn_next(struct gen_isn *g, uint64_t now_ns, uint32_t laddr, uint16_t lport,
                      uint32_t raddr, uint16_t rport);
/* false for the generators whose next value is a fresh random draw (random, random-inc):
 * nothing can show it without giving away the future. */
bool gen_isn_predictable(const struct gen_isn *g);
uint32_t gen_isn_peek(const struct gen_isn *g, uint64_t now_ns, uint32_t laddr, uint16_t lport,
                      uint32_t raddr, uint16_t rport);
/* "constant:5", "bsd64k", ... Returns 0, or -1 and leaves cfg unchanged. */
int gen_isn_parse(const char *s, struct gen_isn_cfg *cfg);
const char *gen_isn_name(enum gen_isn_kind k);

enum gen_ipid_kind {
    GEN_IPID_GLOBAL,         /* param: step (default 1) */
    GEN_IPID_GLOBAL_SWAPPED, /* host-order counter sent unswapped: wire += 256 */
    GEN_IPID_PER_DEST,       /* a counter per destination, created on first use */
    GEN_IPID_HASHED,         /* Linux 3.16+: param buckets (default 2048), random jump after idle */
    GEN_IPID_ZERO,           /* 0 on DF datagrams, a global counter otherwise */
    GEN_IPID_RANDOM,         /* OpenBSD's promise: random, never 0, no repeat within 32768
                                (a keyed permutation of a per-destination counter) */
};

struct gen_ipid_cfg {
    enum gen_ipid_kind kind;
    uint32_t param;
    uint32_t hz;          /* hashed: virtual jiffies per second (default 1000) */
    bool model2014;       /* hashed: daddr-only hash, no idle jump (the attack's model) */
};

struct gen_ipid_dest { uint32_t addr; uint16_t ctr; bool used; };

struct gen_ipid {
    struct gen_ipid_cfg cfg;
    uint16_t ctr;                  /* global, global-swapped, zero (non-DF) */
    struct gen_ipid_dest *dests;   /* per-dest, random: open-addressed table */
    uint32_t ndests, capdests;
    uint16_t *bucket_ctr;          /* hashed: N counters */
    uint64_t *bucket_stamp;        /* hashed: last jiffy each bucket was used */
    uint8_t key[16];
    uint64_t sip[4];               /* SipHash's initial state for key (siphash_key_state) */
    uint64_t jump_sip[4];          /* hashed: keys the jump after idle per (bucket, jiffy) */
    struct rng rng;
};

/* Allocates the tables a kind needs (once, at setup). Returns 0 or -1 (out of memory). */
int gen_ipid_init(struct gen_ipid *g, const struct gen_ipid_cfg *cfg, uint64_t seed, const char *who);
void gen_ipid_free(struct gen_ipid *g);
/* The ID for one datagram from src to dst. df: the datagram has DF set. */
uint16_t gen_ipid_next(struct gen_ipid *g, uint64_t now_ns, uint32_t src, uint32_t dst,
                       uint8_t proto, bool df);
/* The counter a datagram to dst would start from now (no jump drawn), for the trace;
 * -1 where the kind has no counter (random). */
int32_t gen_ipid_counter(const struct gen_ipid *g, uint32_t src, uint32_t dst, uint8_t proto);
int gen_ipid_parse(const char *s, struct gen_ipid_cfg *cfg);
const char *gen_ipid_name(enum gen_ipid_kind k);

/* Copies for sim_clone and the inspection API (sim.h). */
int gen_ipid_clone(struct gen_ipid *dst, const struct gen_ipid *src);   /* 0, -1 */
/* "random-inc:64000", "hashed:2048": the generator as a scenario would spell it. */
void gen_isn_describe(const struct gen_isn_cfg *c, char *out, size_t cap);
void gen_ipid_describe(const struct gen_ipid_cfg *c, char *out, size_t cap);
/* The host-wide counter (global, global-swapped as on the wire, zero), -1 for the others. */
int32_t gen_ipid_global_ctr(const struct gen_ipid *g);
/* per-dest: destinations seen; hashed: buckets; random: 0; else 1. */
uint32_t gen_ipid_ncounters(const struct gen_ipid *g);
/* per-dest counters by address (at most max; returns how many in all); 0 for other kinds. */
struct sim_ipid_dest;
int gen_ipid_dests(const struct gen_ipid *g, struct sim_ipid_dest *out, size_t max);

#endif
