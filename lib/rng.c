/* rng.c — xoshiro256** streams seeded by splitmix64, SipHash-2-4, FNV-1a. See rng.h. */
#include "rng.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void rng_seed(struct rng *r, uint64_t seed, const char *stream)
{
    uint64_t x = seed ^ fnv1a64(stream);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
    if (n == 0)
        return 0;
    uint64_t m = (uint64_t)rng_u32(r) * n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (l < t) {
            m = (uint64_t)rng_u32(r) * n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    if (hi <= lo)
        return lo;
    if (lo == 0 && hi == UINT32_MAX)
        return rng_u32(r);
    return lo + rng_below(r, hi - lo + 1);
}

int rng_chance_ppm(struct rng *r, uint32_t ppm)
{
    if (ppm == 0)
        return 0;
    if (ppm >= 1000000)
        return 1;
    return rng_below(r, 1000000) < ppm;
}

void rng_bytes(struct rng *r, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        uint64_t v = rng_next(r);
        size_t k = n < 8 ? n : 8;
        for (size_t i = 0; i < k; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        p += k;
        n -= k;
    }
}

/* SipHash-2-4, reference algorithm (https://131002.net/siphash/), over the shared core in
 * rng.h: full little-endian blocks, then the tail bytes with the length. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *in = data;
    uint64_t v[4];
    siphash_key_state(v, key);
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8)
        siphash_compress(v, siphash_load64le(in + i));
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        b |= (uint64_t)in[full + i] << (8 * i);
    return siphash_finalize(v, b);
}

void rng_key_from(struct rng_key *k, struct rng *r)
{
    uint8_t key[16];
    rng_bytes(r, key, sizeof key);
    siphash_key_state(k->v, key);
}

void rng_key_init(struct rng_key *k, uint64_t seed, const char *stream)
{
    struct rng r;
    rng_seed(&r, seed, stream);
    rng_key_from(k, &r);
}

uint64_t rng_key_hash(const struct rng_key *k, const uint64_t *w, size_t n)
{
    uint64_t v[4] = { k->v[0], k->v[1], k->v[2], k->v[3] };
    for (size_t i = 0; i < n; i++)
        siphash_compress(v, w[i]);
    return siphash_finalize(v, (uint64_t)(8 * n) << 56);
}
