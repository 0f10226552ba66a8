/* cookie.c — keyed SipHash probe cookies (see cookie.h; masscan syn-cookie.c, zmap
 * validate.c, nmap scan_engine_raw.cc sport/seq try encoding).
 *
 * Every cookie is SipHash-2-4 (lib/rng.c siphash24) of a 10-byte identity: dst (4 bytes, big
 * endian), port (2), proto, kind, tryno, purpose. Cookies are computed for every probe sent
 * and every reply matched, so the hash is specialised to that one length here: the key's
 * initial state is computed once (cookie_key_init), and the message is one 8-byte block plus
 * the final block (2 bytes and the length), with no byte loops, over lib/rng.h's SipHash
 * core. The values are exactly
 * siphash24(k, identity, 10); test_cookie checks that against lib/rng.c.
 */
#include "scanner/cookie.h"

#include "lib/rng.h"

void cookie_key_init(struct cookie_key *key, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, "scan-cookie");
    rng_bytes(&r, key->k, sizeof key->k);
    siphash_key_state(key->v, key->k);
}

/* SipHash-2-4 of (dst, port, proto, kind, tryno, purpose) serialised in a fixed byte order,
 * so the hash never depends on the host: bytes 0..7 are the first block (little-endian
 * load), bytes 8..9 and the length 10 the final one. */
static uint64_t cookie_hash(const struct cookie_key *key, uint32_t dst, uint16_t port,
                            uint8_t proto, uint8_t kind, uint8_t tryno, uint8_t purpose)
{
    uint64_t m = (uint64_t)(dst >> 24) | (uint64_t)((dst >> 16) & 0xff) << 8 |
                 (uint64_t)((dst >> 8) & 0xff) << 16 | (uint64_t)(dst & 0xff) << 24 |
                 (uint64_t)(port >> 8) << 32 | (uint64_t)(port & 0xff) << 40 |
                 (uint64_t)proto << 48 | (uint64_t)kind << 56;
    uint64_t b = (uint64_t)10 << 56 | (uint64_t)purpose << 8 | tryno;
    uint64_t v[4] = { key->v[0], key->v[1], key->v[2], key->v[3] };
    siphash_compress(v, m);
    return siphash_finalize(v, b);
}

uint16_t cookie_sport_base(const struct cookie_key *key, uint32_t dst, uint16_t port,
                           uint8_t proto, uint8_t kind)
{
    uint64_t h = cookie_hash(key, dst, port, proto, kind, 0, 'B');
    return (uint16_t)(33000 + h % 30000);
}

void cookie_make_based(const struct cookie_key *key, uint16_t base, uint32_t dst, uint16_t port,
                       uint8_t proto, uint8_t kind, uint8_t tryno, struct cookie *out)
{
    uint64_t h = cookie_hash(key, dst, port, proto, kind, tryno, 'C');
    uint64_t h2 = cookie_hash(key, dst, port, proto, kind, tryno, 'D');
    out->sport = (uint16_t)(base + tryno);
    out->seq = (uint32_t)h;
    out->ack = (uint32_t)(h >> 32);
    out->ipid = (uint16_t)h2;
    out->icmp_id = (uint16_t)(h2 >> 16);
}

void cookie_make(const struct cookie_key *key, uint32_t dst, uint16_t port, uint8_t proto,
                 uint8_t kind, uint8_t tryno, struct cookie *out)
{
    cookie_make_based(key, cookie_sport_base(key, dst, port, proto, kind), dst, port, proto,
                      kind, tryno, out);
}

uint64_t cookie_seq_ack(const struct cookie_key *key, uint32_t dst, uint16_t port,
                        uint8_t proto, uint8_t kind, uint8_t tryno)
{
    return cookie_hash(key, dst, port, proto, kind, tryno, 'C');
}
