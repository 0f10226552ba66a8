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

/* SipHash-2-4's core, shared by siphash24 and the callers that specialise it to one message
 * shape (scanner/cookie.c: a 10-byte identity; sim/gen.c: 1 to 3 u32s, as Linux's
 * siphash_3u32). The keyed state v[4] is a function of the key alone, so those callers key
 * once (siphash_key_state) and start every hash from a copy; static inline so the state
 * stays in registers on the per-packet paths. Reference: https://131002.net/siphash/. */
static inline uint64_t siphash_rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

/* Little-endian 64-bit load, as the reference loads key halves and message blocks. */
static inline uint64_t siphash_load64le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline void siphash_round(uint64_t v[4])
{
    v[0] += v[1]; v[1] = siphash_rotl(v[1], 13); v[1] ^= v[0]; v[0] = siphash_rotl(v[0], 32);
    v[2] += v[3]; v[3] = siphash_rotl(v[3], 16); v[3] ^= v[2];
    v[0] += v[3]; v[3] = siphash_rotl(v[3], 21); v[3] ^= v[0];
    v[2] += v[1]; v[1] = siphash_rotl(v[1], 17); v[1] ^= v[2]; v[2] = siphash_rotl(v[2], 32);
}

/* The state after keying: v0..v3 from the key's two little-endian halves. */
static inline void siphash_key_state(uint64_t v[4], const uint8_t key[16])
{
    uint64_t k0 = siphash_load64le(key), k1 = siphash_load64le(key + 8);
    v[0] = 0x736f6d6570736575ULL ^ k0;
    v[1] = 0x646f72616e646f6dULL ^ k1;
    v[2] = 0x6c7967656e657261ULL ^ k0;
    v[3] = 0x7465646279746573ULL ^ k1;
}

/* One 8-byte message block m: two compression rounds (the "2" of 2-4). */
static inline void siphash_compress(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    siphash_round(v);
    siphash_round(v);
    v[0] ^= m;
}

/* The last block b (the 0-7 trailing bytes, the length mod 256 in the top byte), then the
 * four finalisation rounds (the "4"); returns the hash. */
static inline uint64_t siphash_finalize(uint64_t v[4], uint64_t b)
{
    siphash_compress(v, b);
    v[2] ^= 0xff;
    siphash_round(v);
    siphash_round(v);
    siphash_round(v);
    siphash_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
/* Keyed draws. A random choice that belongs to something (a flow's ISN or source port, a
 * datagram's loss, a one-second budget's random part) is a PRF of the run seed, a stream name
 * and the words that name that thing: SipHash-2-4 under a key made from (seed, stream). It
 * never depends on how many other draws came first, so traffic that has nothing to do with a
 * flow cannot shift that flow's numbers, as it cannot on a real host (the non-interference
 * property `tcplab diff --as` checks). A stream in draw order (struct rng) stays right for
 * what is drawn once, at setup. */
struct rng_key {
    uint64_t v[4];            /* SipHash's keyed state (siphash_key_state) */
};
void rng_key_init(struct rng_key *k, uint64_t seed, const char *stream);
/* The key of a stream already drawn from (a host's generator): 16 bytes of r. */
void rng_key_from(struct rng_key *k, struct rng *r);
/* SipHash-2-4 of n 64-bit words under k. */
uint64_t rng_key_hash(const struct rng_key *k, const uint64_t *w, size_t n);
/* A keyed value h to [0, n) (multiply-shift on its top 32 bits; the bias is below n/2^32). */
static inline uint32_t rng_key_below(uint64_t h, uint32_t n)
{
    return (uint32_t)(((h >> 32) * (uint64_t)n) >> 32);
}

/* FNV-1a 64 of a string: stable names to numbers. */
uint64_t fnv1a64(const char *s);

#endif
