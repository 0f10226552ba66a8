/* rng.h — deterministic pseudo-random streams and SipHash.
 *
 * Generator: xoshiro256** (Blackman & Vigna, 2018). Chosen because it is small, fast (a few
 * cycles per draw, no division), passes BigCrush, and its state is a plain value, so a
 * simulation can hold many named streams and copy them. Streams are seeded with splitmix64
 * over (seed XOR FNV-1a(stream name)), so adding a stream never shifts the draws of another:
 * the "loss" stream does not change when a host's ISN generator draws more.
 *
 * SipHash-2-4 (Aumasson & Bernstein, 2012) is the keyed PRF Linux uses for ISNs
 * (net/core/secure_seq.c) and IP-ID buckets, and masscan/zmap-style probe cookies use it too.
 *
 * Nothing here reads the clock, the pid or memory addresses.
 */
#ifndef TCPLAB_RNG_H
#define TCPLAB_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Seeds a named stream from the one run seed. */
void rng_seed(struct rng *r, uint64_t seed, const char *stream);
uint64_t rng_next(struct rng *r);
static inline uint32_t rng_u32(struct rng *r) { return (uint32_t)(rng_next(r) >> 32); }
/* Uniform in [0, n) without modulo bias (Lemire 2019); n = 0 gives 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform in [lo, hi] inclusive. */
uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi);
/* True with probability ppm / 1e6. */
int rng_chance_ppm(struct rng *r, uint32_t ppm);
/* Fills buf with n bytes. */
void rng_bytes(struct rng *r, void *buf, size_t n);

/* SipHash-2-4 of data under a 128-bit key. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);
/* FNV-1a 64 of a string: stable names to numbers. */
uint64_t fnv1a64(const char *s);

#endif
