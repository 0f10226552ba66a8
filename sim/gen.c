/* gen.c — ISN and IP-ID generators, one small function each (see gen.h).
 *
 * Every generator copies one real stack; the numbers are from
 * docs/facts/stacks.md sections 1 (ISN) and 2 (IP-ID):
 *   bsd64k         4.3/4.4BSD tcp_timer.c tcp_slowtimo (tcp_iss += TCP_ISSINCR/PR_SLOWHZ)
 *                  and tcp_input.c (tp->iss = tcp_iss; tcp_iss += TCP_ISSINCR/2)
 *   clock250k      RFC 793 section 3.3 "Initial Sequence Number Selection" (4 us clock)
 *   random-inc     late-1990s BSD: tcp_iss += arc4random() % 64000 + 1 per connection
 *   rfc6528        Linux 4.11+ net/core/secure_seq.c secure_tcp_seq + seq_scale
 *   global         classic BSD ip_output.c ip_id++ (the idle-scan zombie)
 *   global-swapped old Windows: host-order counter written unswapped
 *   per-dest       Linux 2.4-3.15 inetpeer: counter per daddr, start = keyed hash of daddr
 *   hashed         Linux 3.16+ net/ipv4/route.c ip_idents_reserve / __ip_select_ident
 *   zero           RFC 6864 atomic datagrams: FreeBSD net.inet.ip.rfc6864, Linux DF rule
 *   random         OpenBSD sys/netinet/ip_id.c ip_randomid's promise (random, no 0, no
 *                  repeat soon), per destination (gen_ipid_random says why)
 *
 * Determinism: randomness only from the generator's own rng stream, seeded from the run
 * seed and the host's name, drawn at setup; what is random per connection or per datagram
 * (a random ISN, Linux's idle jump, a random IP-ID) is a keyed hash of what it belongs to,
 * never the next draw of a shared stream, so unrelated traffic cannot move it. The clock
 * is the virtual clock passed in. Per-packet calls do
 * no allocation except the per-dest table's amortised doubling (never in steady state).
 */
#include "gen.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    GEN_BSD_INCR = 64000,           /* TCP_ISSINCR/2 = 128000/2, 4.3BSD tcp_seq.h */
    GEN_RANDOM_INC_DEFAULT = 64000, /* arc4random() % 64000 + 1 */
    GEN_HASHED_DEFAULT = 2048,      /* Linux 3.16-5.12 IP_IDENTS_SZ */
    GEN_HASHED_MAX = 262144,        /* Linux 5.13+ clamp (aa6dd211e4b1) */
    GEN_HZ_DEFAULT = 1000,          /* CONFIG_HZ_1000 */
    GEN_PERDEST_INIT = 64,          /* initial per-dest slots (power of two) */
    GEN_PERDEST_MAX = 1 << 20,      /* bound: at this size a full table is purged */
};

static const uint64_t GEN_BSD_TICK_NS = 500000000ULL; /* PR_SLOWHZ = 2: 500 ms */

/* Seeds g's stream: the host's name is mixed into the seed (the multiplier is odd, so
 * distinct names give distinct seeds) and the stream name separates ISN from IP-ID. */
static void gen_seed(struct rng *r, uint64_t seed, const char *who, const char *stream)
{
    rng_seed(r, seed ^ (fnv1a64(who) * 0x9e3779b97f4a7c15ULL), stream);
}

/* SipHash-2-4 (lib/rng.c siphash24) of 1 to 3 little-endian u32s: the value siphash24 gives
 * for their 4n bytes, computed as Linux's siphash_1u32 / siphash_3u32 specialise it, the
 * words going straight into the message blocks with no byte buffer and no loops. It runs
 * once per SYN-ACK with rfc6528 ISNs and per datagram with hashed IP-IDs, so the shape
 * matters (about half the instructions of the byte-buffer call). */
static uint64_t gen_hash_u32s(const uint64_t sip[4], const uint32_t *v, size_t n)
{
    if (n > 3)
        n = 3;
    uint64_t st[4] = { sip[0], sip[1], sip[2], sip[3] };
    uint64_t tail = (uint64_t)(4 * n) << 56;   /* the length byte */
    if (n >= 2) {                              /* one full 8-byte block: words 0 and 1 */
        siphash_compress(st, (uint64_t)v[0] | (uint64_t)v[1] << 32);
        if (n == 3)
            tail |= v[2];
    } else if (n == 1) {
        tail |= v[0];
    }
    return siphash_finalize(st, tail);
}

/* ---------------------------------------------------------------- ISN generators */

void gen_isn_init(struct gen_isn *g, const struct gen_isn_cfg *cfg, uint64_t seed, const char *who)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    gen_seed(&g->rng, seed, who, "gen.isn");
    switch (cfg->kind) {
    case GEN_ISN_BSD64K:
        /* 4.4BSD starts tcp_iss at 1; we start at a multiple of 64000 drawn from the
         * stream (below 2^31, so hours pass before the 2^32 wrap breaks the multiple-of-
         * 64000 pattern that the Mitnick trace shows). */
        g->iss = GEN_BSD_INCR * rng_below(&g->rng, 32768);
        break;
    case GEN_ISN_RANDOM_INC:
        g->iss = rng_u32(&g->rng);
        break;
    case GEN_ISN_RFC6528:
    case GEN_ISN_RANDOM:    /* random: the key of its keyed draws (gen_isn_random) */
        rng_bytes(&g->rng, g->key, sizeof g->key); /* net_secret: 128 bits per boot */
        siphash_key_state(g->sip, g->key);
        break;
    default:
        break;
    }
}

/* A uniform 32-bit ISN that belongs to its connection: SipHash under the host's key of the
 * 4-tuple and the time, not the next draw of a stream, so another connection of the host,
 * before or after, never moves it (a real host's random ISN tells nothing of its others). */
static uint32_t gen_isn_random(const struct gen_isn *g, uint64_t now_ns, uint32_t laddr,
                               uint16_t lport, uint32_t raddr, uint16_t rport)
{
    uint64_t st[4] = { g->sip[0], g->sip[1], g->sip[2], g->sip[3] };
    siphash_compress(st, (uint64_t)laddr | (uint64_t)raddr << 32);
    siphash_compress(st, (uint64_t)lport << 16 | rport);
    siphash_compress(st, now_ns);
    return (uint32_t)(siphash_finalize(st, (uint64_t)24 << 56) >> 32);
}

/* 4.3BSD: the slow timer adds 64000 per 500 ms tick; each connection takes tcp_iss, then
 * adds 64000. Two connections 0.5 s apart therefore differ by exactly 128000. */
static uint32_t gen_isn_bsd64k(struct gen_isn *g, uint64_t now_ns)
{
    uint64_t ticks = now_ns / GEN_BSD_TICK_NS;
    if (ticks > g->ticks) {
        g->iss += (uint32_t)((ticks - g->ticks) * GEN_BSD_INCR);
        g->ticks = ticks;
    }
    uint32_t isn = g->iss;
    g->iss += GEN_BSD_INCR;
    return isn;
}

/* RFC 793: a 32-bit clock whose low bit moves every 4 microseconds. */
static uint32_t gen_isn_clock250k(uint64_t now_ns)
{
    return (uint32_t)(now_ns / 4000);
}

/* tcp_iss += U[1, MAX] per connection. */
static uint32_t gen_isn_random_inc(struct gen_isn *g)
{
    uint32_t max = g->cfg.param ? g->cfg.param : GEN_RANDOM_INC_DEFAULT;
    g->iss += rng_range(&g->rng, 1, max);
    return g->iss;
}

/* Linux secure_tcp_seq: siphash_3u32(saddr, daddr, sport << 16 | dport, &net_secret),
 * then seq_scale: + ktime_get_real_ns() >> 6 (a 64 ns tick). Local view first. */
static uint32_t gen_isn_rfc6528(const struct gen_isn *g, uint64_t now_ns, uint32_t laddr,
                                uint16_t lport, uint32_t raddr, uint16_t rport)
{
    uint32_t v[3] = { laddr, raddr, ((uint32_t)lport << 16) | rport };
    uint32_t hash;
    if (g->pair_ok && g->pair_laddr == laddr && g->pair_raddr == raddr) {
        uint64_t st[4] = { g->pair_st[0], g->pair_st[1], g->pair_st[2], g->pair_st[3] };
        hash = (uint32_t)siphash_finalize(st, (uint64_t)12 << 56 | v[2]);
    } else {
        hash = (uint32_t)gen_hash_u32s(g->sip, v, 3);
    }
    return hash + (uint32_t)(now_ns >> 6);
}

/* The SipHash state after the address pair's block, kept for the next ISN: a scan's SYNs
 * all come from one scanner to one host, so only the ports' block and the finalisation are
 * left to hash (gen_isn_rfc6528 takes the same value either way). */
static void gen_isn_pair(struct gen_isn *g, uint32_t laddr, uint32_t raddr)
{
    if (g->pair_ok && g->pair_laddr == laddr && g->pair_raddr == raddr)
        return;
    for (int i = 0; i < 4; i++)
        g->pair_st[i] = g->sip[i];
    siphash_compress(g->pair_st, (uint64_t)laddr | (uint64_t)raddr << 32);
    g->pair_laddr = laddr;
    g->pair_raddr = raddr;
    g->pair_ok = true;
}

uint32_t gen_isn_next(struct gen_isn *g, uint64_t now_ns, uint32_t laddr, uint16_t lport,
                      uint32_t raddr, uint16_t rport)
{
    switch (g->cfg.kind) {
    case GEN_ISN_CONSTANT:   return g->cfg.param;
    case GEN_ISN_BSD64K:     return gen_isn_bsd64k(g, now_ns);
    case GEN_ISN_CLOCK250K:  return gen_isn_clock250k(now_ns);
    case GEN_ISN_RANDOM_INC: return gen_isn_random_inc(g);
    case GEN_ISN_RFC6528:
        gen_isn_pair(g, laddr, raddr);
        return gen_isn_rfc6528(g, now_ns, laddr, lport, raddr, rport);
    case GEN_ISN_RANDOM:     return gen_isn_random(g, now_ns, laddr, lport, raddr, rport);
    }
    return 0;
}

/* A generator is a plain value (no pointers): peeking is drawing from a copy. */
bool gen_isn_predictable(const struct gen_isn *g)
{
    return g->cfg.kind != GEN_ISN_RANDOM && g->cfg.kind != GEN_ISN_RANDOM_INC;
}

uint32_t gen_isn_peek(const struct gen_isn *g, uint64_t now_ns, uint32_t laddr, uint16_t lport,
                      uint32_t raddr, uint16_t rport)
{
    struct gen_isn copy = *g;
    return gen_isn_next(&copy, now_ns, laddr, lport, raddr, rport);
}

/* ---------------------------------------------------------------- parsing */

/* Decimal or 0x-hex, whole string, value <= max. */
static int gen_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > max)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Splits "name[:N]": returns the name length; *arg is NULL or the text after ':'. */
static size_t gen_split(const char *s, const char **arg)
{
    const char *colon = strchr(s, ':');
    *arg = colon ? colon + 1 : NULL;
    return colon ? (size_t)(colon - s) : strlen(s);
}

static bool gen_word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

struct gen_spelling {
    const char *name;
    int kind;
    bool takes_arg;
    uint32_t min, max, dflt;
};

static const struct gen_spelling gen_isn_spellings[] = {
    { "constant", GEN_ISN_CONSTANT, true, 0, UINT32_MAX, 0 },
    { "bsd64k", GEN_ISN_BSD64K, false, 0, 0, 0 },
    { "clock250k", GEN_ISN_CLOCK250K, false, 0, 0, 0 },
    { "random-inc", GEN_ISN_RANDOM_INC, true, 1, UINT32_MAX, GEN_RANDOM_INC_DEFAULT },
    { "rfc6528", GEN_ISN_RFC6528, false, 0, 0, 0 },
    { "random", GEN_ISN_RANDOM, false, 0, 0, 0 },
};

static const struct gen_spelling gen_ipid_spellings[] = {
    { "global", GEN_IPID_GLOBAL, true, 1, 65535, 1 },
    { "global-swapped", GEN_IPID_GLOBAL_SWAPPED, false, 0, 0, 0 },
    { "per-dest", GEN_IPID_PER_DEST, false, 0, 0, 0 },
    { "hashed", GEN_IPID_HASHED, true, 1, GEN_HASHED_MAX, GEN_HASHED_DEFAULT },
    /* The 2014 model Knockel & Crandall measured: daddr-only hash, no idle jump. */
    { "hashed-2014", GEN_IPID_HASHED, true, 1, GEN_HASHED_MAX, GEN_HASHED_DEFAULT },
    { "zero", GEN_IPID_ZERO, false, 0, 0, 0 },
    { "random", GEN_IPID_RANDOM, false, 0, 0, 0 },
};

static const struct gen_spelling *gen_lookup(const struct gen_spelling *t, size_t n, const char *s,
                                             uint32_t *param)
{
    const char *arg;
    size_t len = gen_split(s, &arg);
    for (size_t i = 0; i < n; i++) {
        if (!gen_word_is(s, len, t[i].name))
            continue;
        if (!arg) {
            *param = t[i].dflt;
            return &t[i];
        }
        if (!t[i].takes_arg || gen_parse_u32(arg, t[i].max, param) < 0 || *param < t[i].min)
            return NULL;
        return &t[i];
    }
    return NULL;
}

int gen_isn_parse(const char *s, struct gen_isn_cfg *cfg)
{
    uint32_t param = 0;
    const struct gen_spelling *sp =
        gen_lookup(gen_isn_spellings, sizeof gen_isn_spellings / sizeof *gen_isn_spellings, s, &param);
    if (!sp)
        return -1;
    cfg->kind = (enum gen_isn_kind)sp->kind;
    cfg->param = param;
    return 0;
}

int gen_ipid_parse(const char *s, struct gen_ipid_cfg *cfg)
{
    uint32_t param = 0;
    const struct gen_spelling *sp =
        gen_lookup(gen_ipid_spellings, sizeof gen_ipid_spellings / sizeof *gen_ipid_spellings, s, &param);
    if (!sp)
        return -1;
    cfg->kind = (enum gen_ipid_kind)sp->kind;
    cfg->param = param;
    cfg->hz = GEN_HZ_DEFAULT;
    cfg->model2014 = !strcmp(sp->name, "hashed-2014");
    return 0;
}

const char *gen_isn_name(enum gen_isn_kind k)
{
    for (size_t i = 0; i < sizeof gen_isn_spellings / sizeof *gen_isn_spellings; i++)
        if (gen_isn_spellings[i].kind == (int)k)
            return gen_isn_spellings[i].name;
    return "?";
}

const char *gen_ipid_name(enum gen_ipid_kind k)
{
    for (size_t i = 0; i < sizeof gen_ipid_spellings / sizeof *gen_ipid_spellings; i++)
        if (gen_ipid_spellings[i].kind == (int)k)
            return gen_ipid_spellings[i].name;
    return "?";
}

/* ---------------------------------------------------------------- IP-ID generators */

static uint32_t gen_hashed_buckets(const struct gen_ipid_cfg *c)
{
    return c->param ? c->param : GEN_HASHED_DEFAULT;
}

static int gen_hashed_setup(struct gen_ipid *g)
{
    uint32_t n = gen_hashed_buckets(&g->cfg);
    g->bucket_ctr = malloc(n * sizeof *g->bucket_ctr);
    g->bucket_stamp = calloc(n, sizeof *g->bucket_stamp); /* stamps start 0 */
    if (!g->bucket_ctr || !g->bucket_stamp)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        g->bucket_ctr[i] = (uint16_t)rng_u32(&g->rng); /* counters start random */
    return 0;
}

int gen_ipid_init(struct gen_ipid *g, const struct gen_ipid_cfg *cfg, uint64_t seed, const char *who)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    if (g->cfg.hz == 0)
        g->cfg.hz = GEN_HZ_DEFAULT;
    gen_seed(&g->rng, seed, who, "gen.ipid");
    rng_bytes(&g->rng, g->key, sizeof g->key);
    siphash_key_state(g->sip, g->key);
    g->ctr = (uint16_t)rng_u32(&g->rng); /* a host booted some time ago: any start */
    struct rng jr;                        /* its own stream: g->rng's draws stay as they were */
    uint8_t jkey[16];
    gen_seed(&jr, seed, who, "gen.ipid.jump");
    rng_bytes(&jr, jkey, sizeof jkey);
    siphash_key_state(g->jump_sip, jkey);
    int rc = 0;
    switch (cfg->kind) {
    case GEN_IPID_PER_DEST:
    case GEN_IPID_RANDOM:   /* its per-destination counters (gen_ipid_random) */
        g->dests = calloc(GEN_PERDEST_INIT, sizeof *g->dests);
        g->capdests = GEN_PERDEST_INIT;
        rc = g->dests ? 0 : -1;
        break;
    case GEN_IPID_HASHED:   /* tables made on first use (gen_ipid_tables) */
        break;
    default:
        break;
    }
    if (rc < 0)
        gen_ipid_free(g);
    return rc;
}

void gen_ipid_free(struct gen_ipid *g)
{
    free(g->dests);
    free(g->bucket_ctr);
    free(g->bucket_stamp);
    g->dests = NULL;
    g->bucket_ctr = NULL;
    g->bucket_stamp = NULL;
    g->ndests = g->capdests = 0;
}

static uint16_t gen_bswap16(uint16_t v)
{
    return (uint16_t)((v << 8) | (v >> 8));
}

/* global[:STEP]: one counter for every destination and protocol. */
static uint16_t gen_ipid_global(struct gen_ipid *g)
{
    uint16_t id = g->ctr;
    g->ctr = (uint16_t)(g->ctr + (g->cfg.param ? g->cfg.param : 1));
    return id;
}

/* Old Windows: ip_id++ in little-endian host order, written to the header without htons,
 * so the wire value rises by 256 and the low byte takes the carry. */
static uint16_t gen_ipid_swapped(struct gen_ipid *g)
{
    return gen_bswap16(g->ctr++);
}

/* ---- per-dest: open-addressed table, linear probing, keyed hash for slot and start */

static uint64_t gen_dest_hash(const struct gen_ipid *g, uint32_t dst)
{
    return gen_hash_u32s(g->sip, &dst, 1);
}

static struct gen_ipid_dest *gen_dest_find(struct gen_ipid_dest *t, uint32_t cap, uint64_t h,
                                           uint32_t dst)
{
    uint32_t i = (uint32_t)(h >> 32) & (cap - 1);
    for (uint32_t n = 0; n < cap; n++, i = (i + 1) & (cap - 1))
        if (!t[i].used || t[i].addr == dst)
            return &t[i];
    return NULL; /* full, no match */
}

/* Doubles the table (amortised: log2(destinations) times in a run). */
static int gen_dest_grow(struct gen_ipid *g)
{
    uint32_t ncap = g->capdests * 2;
    struct gen_ipid_dest *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (uint32_t i = 0; i < g->capdests; i++) {
        if (!g->dests[i].used)
            continue;
        *gen_dest_find(nt, ncap, gen_dest_hash(g, g->dests[i].addr), g->dests[i].addr) = g->dests[i];
    }
    free(g->dests);
    g->dests = nt;
    g->capdests = ncap;
    return 0;
}

/* Keeps the load under 3/4. At the bound the table is purged, as Linux's inetpeer GC
 * drops unused peers: a forgotten destination restarts from its keyed hash. */
static void gen_dest_make_room(struct gen_ipid *g)
{
    if ((uint64_t)(g->ndests + 1) * 4 <= (uint64_t)g->capdests * 3)
        return;
    if (g->capdests < GEN_PERDEST_MAX && gen_dest_grow(g) == 0)
        return;
    if (g->ndests + 1 < g->capdests)
        return; /* could not grow: keep filling while a slot is free */
    memset(g->dests, 0, g->capdests * sizeof *g->dests);
    g->ndests = 0;
}

/* dst's counter, made on first use (starting at the keyed hash h of dst), then advanced. */
static uint16_t gen_dest_next(struct gen_ipid *g, uint32_t dst, uint64_t h)
{
    struct gen_ipid_dest *d = gen_dest_find(g->dests, g->capdests, h, dst);
    if (!d || !d->used) {
        gen_dest_make_room(g);
        d = gen_dest_find(g->dests, g->capdests, h, dst);
        d->addr = dst;
        d->ctr = (uint16_t)h; /* secure_ip_id(daddr): a keyed hash of the destination */
        d->used = true;
        g->ndests++;
    }
    return d->ctr++;
}

static uint16_t gen_ipid_per_dest(struct gen_ipid *g, uint32_t dst)
{
    return gen_dest_next(g, dst, gen_dest_hash(g, dst));
}

/* ---- hashed: Linux ip_idents_reserve */

static uint32_t gen_hashed_bucket(const struct gen_ipid *g, uint32_t src, uint32_t dst,
                                  uint8_t proto)
{
    uint32_t v[3] = { dst, src, proto };
    /* 2014 (73f156a6e8c1): daddr only; 2019+: SipHash(daddr, saddr, protocol). */
    uint64_t h = gen_hash_u32s(g->sip, v, g->cfg.model2014 ? 1 : 3);
    return (uint32_t)(h % gen_hashed_buckets(&g->cfg));
}

/* Virtual jiffies: floor(now_ns * hz / 1e9), computed without 64-bit overflow. */
static uint64_t gen_jiffies(uint64_t now_ns, uint32_t hz)
{
    const uint64_t sec = 1000000000ULL;
    return (now_ns / sec) * hz + (now_ns % sec) * hz / sec;
}

static uint16_t gen_ipid_hashed(struct gen_ipid *g, uint64_t now_ns, uint32_t src, uint32_t dst,
                                uint8_t proto)
{
    uint32_t b = gen_hashed_bucket(g, src, dst, proto);
    uint64_t now = gen_jiffies(now_ns, g->cfg.hz);
    uint32_t delta = 0;
    /* 04ca6973f7c1: on a new jiffy, jump by prandom_u32_max(now - stamp). A bucket draws at
     * most once per jiffy, so the draw is keyed by (bucket, jiffy), not taken from a stream
     * in draw order: traffic in other buckets must not move this bucket's jumps (a real
     * host's draws reveal nothing about other flows; issue: non-interference). */
    if (g->bucket_stamp[b] != now) {
        uint64_t gap = now - g->bucket_stamp[b];
        if (!g->cfg.model2014) {
            uint32_t v[3] = { b, (uint32_t)now, (uint32_t)(now >> 32) };
            uint64_t r = gen_hash_u32s(g->jump_sip, v, 3);
            delta = (uint32_t)(r % (gap > UINT32_MAX ? UINT32_MAX : gap));
        }
        g->bucket_stamp[b] = now;
    }
    uint16_t id = (uint16_t)(g->bucket_ctr[b] + delta);
    g->bucket_ctr[b] = (uint16_t)(id + 1);
    return id;
}

/* A bijection of 16-bit values keyed by the four 16-bit words of k: rounds of add-key,
 * multiply by an odd constant and xorshift, each invertible mod 2^16. */
static uint16_t gen_mix16(uint16_t v, uint64_t k)
{
    for (int i = 0; i < 4; i++) {
        v = (uint16_t)(v + (uint16_t)(k >> (16 * i)));
        v = (uint16_t)(v * 0x9e37u);
        v ^= (uint16_t)(v >> 7);
        v ^= (uint16_t)(v << 5);
    }
    return v;
}

/* OpenBSD ip_randomid's promise, per destination: IDs that look random, are never 0 and do
 * not come again within 32768 datagrams (here: 65535) to one destination. A keyed
 * permutation of the destination's own counter, not OpenBSD's host-wide shuffle table,
 * whose order depends on every datagram the host sends: that order tells an observer
 * nothing on a real host, but in a simulation it would make each ID depend on unrelated
 * traffic, and `tcplab diff --as` report interference a real host does not have. */
static uint16_t gen_ipid_random(struct gen_ipid *g, uint32_t dst)
{
    uint64_t h = gen_dest_hash(g, dst);
    uint16_t r;
    do
        r = gen_mix16(gen_dest_next(g, dst, h), h);
    while (r == 0);
    return r;
}

/* The hashed kind's tables (Linux: 2048 counters and stamps, 20 KiB) are made when the host
 * first sends a datagram that needs them, not at load: a network of 100,000 hosts most of
 * which never send would otherwise spend gigabytes on them. Nothing else draws from g->rng
 * before them (the idle jumps are keyed draws), so the draws, and every ID, are the same as
 * when they were made at load. */
static int gen_ipid_tables(struct gen_ipid *g)
{
    if (g->cfg.kind == GEN_IPID_HASHED && !g->bucket_ctr)
        return gen_hashed_setup(g);
    return 0;
}

uint16_t gen_ipid_next(struct gen_ipid *g, uint64_t now_ns, uint32_t src, uint32_t dst,
                       uint8_t proto, bool df)
{
    if (g->cfg.kind == GEN_IPID_HASHED && !df) {
        if (gen_ipid_tables(g) < 0)
            return 0;   /* out of memory: an ID of 0, as a DF datagram carries */
    }
    switch (g->cfg.kind) {
    case GEN_IPID_GLOBAL:         return gen_ipid_global(g);
    case GEN_IPID_GLOBAL_SWAPPED: return gen_ipid_swapped(g);
    case GEN_IPID_PER_DEST:       return gen_ipid_per_dest(g, dst);
    case GEN_IPID_HASHED:         return df ? 0 : gen_ipid_hashed(g, now_ns, src, dst, proto);
    case GEN_IPID_ZERO:           return df ? 0 : gen_ipid_global(g);
    case GEN_IPID_RANDOM:         return gen_ipid_random(g, dst);
    }
    return 0;
}

/* The ID the next non-DF datagram to dst would carry, before any idle jump. */
int32_t gen_ipid_counter(const struct gen_ipid *g, uint32_t src, uint32_t dst, uint8_t proto)
{
    switch (g->cfg.kind) {
    case GEN_IPID_GLOBAL:
    case GEN_IPID_ZERO:
        return g->ctr;
    case GEN_IPID_GLOBAL_SWAPPED:
        return gen_bswap16(g->ctr);
    case GEN_IPID_PER_DEST: {
        uint64_t h = gen_dest_hash(g, dst);
        const struct gen_ipid_dest *d = gen_dest_find(g->dests, g->capdests, h, dst);
        return d && d->used ? d->ctr : (uint16_t)h;
    }
    case GEN_IPID_HASHED: {
        uint32_t b = gen_hashed_bucket(g, src, dst, proto);
        if (g->bucket_ctr)
            return g->bucket_ctr[b];
        /* Tables not made yet: bucket b will start at the (b+1)-th draw (gen_hashed_setup). */
        struct rng r = g->rng;
        uint16_t v = 0;
        for (uint32_t i = 0; i <= b; i++)
            v = (uint16_t)rng_u32(&r);
        return v;
    }
    case GEN_IPID_RANDOM:
        return -1;
    }
    return -1;
}

/* ---------------------------------------------------------------- copies and names */

static void *gen_dup(const void *p, size_t n)
{
    if (!p)
        return NULL;
    void *q = malloc(n);
    if (q)
        memcpy(q, p, n);
    return q;
}

int gen_ipid_clone(struct gen_ipid *dst, const struct gen_ipid *src)
{
    *dst = *src;
    uint32_t nb = src->cfg.kind == GEN_IPID_HASHED ? gen_hashed_buckets(&src->cfg) : 0;
    dst->dests = gen_dup(src->dests, src->capdests * sizeof *src->dests);
    dst->bucket_ctr = gen_dup(src->bucket_ctr, nb * sizeof *src->bucket_ctr);
    dst->bucket_stamp = gen_dup(src->bucket_stamp, nb * sizeof *src->bucket_stamp);
    if ((src->dests && !dst->dests) || (src->bucket_ctr && !dst->bucket_ctr) ||
        (src->bucket_stamp && !dst->bucket_stamp)) {
        gen_ipid_free(dst);
        return -1;
    }
    return 0;
}

void gen_isn_describe(const struct gen_isn_cfg *c, char *out, size_t cap)
{
    if (c->kind == GEN_ISN_CONSTANT || c->kind == GEN_ISN_RANDOM_INC)
        snprintf(out, cap, "%s:%lu", gen_isn_name(c->kind), (unsigned long)c->param);
    else
        snprintf(out, cap, "%s", gen_isn_name(c->kind));
}

void gen_ipid_describe(const struct gen_ipid_cfg *c, char *out, size_t cap)
{
    const char *name = c->kind == GEN_IPID_HASHED && c->model2014 ? "hashed-2014"
                                                                  : gen_ipid_name(c->kind);
    if ((c->kind == GEN_IPID_GLOBAL && c->param > 1) || c->kind == GEN_IPID_HASHED)
        snprintf(out, cap, "%s:%lu", name, (unsigned long)(c->kind == GEN_IPID_HASHED
                                                           ? gen_hashed_buckets(c) : c->param));
    else
        snprintf(out, cap, "%s", name);
}

int32_t gen_ipid_global_ctr(const struct gen_ipid *g)
{
    switch (g->cfg.kind) {
    case GEN_IPID_GLOBAL: case GEN_IPID_ZERO: return g->ctr;
    case GEN_IPID_GLOBAL_SWAPPED: return gen_bswap16(g->ctr);
    default: return -1;
    }
}

uint32_t gen_ipid_ncounters(const struct gen_ipid *g)
{
    switch (g->cfg.kind) {
    case GEN_IPID_PER_DEST: return g->ndests;
    case GEN_IPID_HASHED: return gen_hashed_buckets(&g->cfg);
    case GEN_IPID_RANDOM: return 0;
    default: return 1;
    }
}

static int gen_dest_cmp(const void *a, const void *b)
{
    const struct sim_ipid_dest *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

int gen_ipid_dests(const struct gen_ipid *g, struct sim_ipid_dest *out, size_t max)
{
    size_t n = 0;
    if (g->cfg.kind != GEN_IPID_PER_DEST)
        return 0;
    for (uint32_t i = 0; i < g->capdests; i++) {
        if (!g->dests[i].used)
            continue;
        if (n < max)
            out[n] = (struct sim_ipid_dest){ g->dests[i].addr, g->dests[i].ctr };
        n++;
    }
    if (out && n <= max)
        qsort(out, n, sizeof *out, gen_dest_cmp);
    return (int)n;
}
