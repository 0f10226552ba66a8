/* cookie.c — keyed SipHash probe cookies (see cookie.h; masscan syn-cookie.c, zmap
 * validate.c, nmap scan_engine_raw.cc sport/seq try encoding).
 */
#include "scanner/cookie.h"

#include <string.h>

#include "lib/rng.h"

void cookie_key_init(struct cookie_key *key, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, "scan-cookie");
    rng_bytes(&r, key->k, sizeof key->k);
}

/* Serialises the identity in a fixed byte order so the hash never depends on the host. */
static uint64_t cookie_hash(const struct cookie_key *key, uint32_t dst, uint16_t port,
                            uint8_t proto, uint8_t kind, uint8_t tryno, uint8_t purpose)
{
    uint8_t b[10] = {
        (uint8_t)(dst >> 24), (uint8_t)(dst >> 16), (uint8_t)(dst >> 8), (uint8_t)dst,
        (uint8_t)(port >> 8), (uint8_t)port, proto, kind, tryno, purpose,
    };
    return siphash24(key->k, b, sizeof b);
}

uint16_t cookie_sport_base(const struct cookie_key *key, uint32_t dst, uint16_t port,
                           uint8_t proto, uint8_t kind)
{
    uint64_t h = cookie_hash(key, dst, port, proto, kind, 0, 'B');
    return (uint16_t)(33000 + h % 30000);
}

void cookie_make(const struct cookie_key *key, uint32_t dst, uint16_t port, uint8_t proto,
                 uint8_t kind, uint8_t tryno, struct cookie *out)
{
    uint64_t h = cookie_hash(key, dst, port, proto, kind, tryno, 'C');
    uint64_t h2 = cookie_hash(key, dst, port, proto, kind, tryno, 'D');
    out->sport = (uint16_t)(cookie_sport_base(key, dst, port, proto, kind) + tryno);
    out->seq = (uint32_t)h;
    out->ack = (uint32_t)(h >> 32);
    out->ipid = (uint16_t)h2;
    out->icmp_id = (uint16_t)(h2 >> 16);
}
