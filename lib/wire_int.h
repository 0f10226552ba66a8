/* wire_int.h — byte-order helpers and the IPv4 header writer shared by lib/wire_*.c, and
 * the checksum-trusting parse the simulator's engine uses (wire_parse_trusted, below).
 *
 * Loads and stores go byte by byte (big-endian, RFC 791 "network order"), so they are
 * alignment-safe on any buffer and free of strict-aliasing questions; compilers turn them
 * into single bswapped moves.
 */
#ifndef TCPLAB_WIRE_INT_H
#define TCPLAB_WIRE_INT_H

#include <string.h>

#include "wire.h"

static inline uint16_t wire_ld16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t wire_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
/* Stores: on a little-endian machine one swap and one (memcpy) store, since compilers do
 * not always merge the byte stores of the portable form, and every emitted header field
 * passes here; elsewhere the portable form. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline void wire_st16(uint8_t *p, uint16_t v)
{
    v = __builtin_bswap16(v);
    memcpy(p, &v, 2);
}
static inline void wire_st32(uint8_t *p, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
}
#else
static inline void wire_st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void wire_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
#endif

/* --- the checksum core (wire_csum.c explains the method) ---
 * Inline here because every parse and emit sums a header or two: a call per sum costs as
 * much as the sum of a 20-byte header. */

/* a + b in 64-bit one's complement: the carry out of bit 63 comes back in at bit 0
 * (2^64 = 1 mod 0xffff). Cannot carry twice: after a wrap, a + b < b <= 2^64 - 1. */
static inline uint64_t wire_csum_add64(uint64_t a, uint64_t b)
{
    a += b;
    return a + (a < b);
}

/* One's-complement sum of len bytes read in the machine's byte order, 8 at a time (memcpy
 * loads: no alignment or aliasing questions), not yet folded. p must start a 16-bit word of
 * the checksummed data; an odd last byte is padded with zero (RFC 1071). */
static inline uint64_t wire_csum_native(const uint8_t *p, size_t len)
{
    uint64_t acc = 0, w;
    for (; len >= 32; p += 32, len -= 32) {   /* the payloads of data segments */
        uint64_t a, b, c, d;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        memcpy(&c, p + 16, 8);
        memcpy(&d, p + 24, 8);
        acc = wire_csum_add64(wire_csum_add64(acc, a), b);
        acc = wire_csum_add64(wire_csum_add64(acc, c), d);
    }
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&w, p, 8);
        acc = wire_csum_add64(acc, w);
    }
    /* The tail starts at an even offset, so each piece is whole 16-bit words (a native 4-
     * or 2-byte load puts them at bits 0 and 16: each counts once), except an odd last byte,
     * padded with a zero byte after it. */
    if (len & 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        acc = wire_csum_add64(acc, v);
        p += 4;
    }
    if (len & 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        acc = wire_csum_add64(acc, v);
        p += 2;
    }
    if (len & 1) {
        uint8_t pad[2] = { p[0], 0 };
        uint16_t v;
        memcpy(&v, pad, 2);
        acc = wire_csum_add64(acc, v);
    }
    return acc;
}

/* Folds a native-order sum to 16 bits and returns it as the big-endian sum RFC 1071
 * defines: the two bytes as they would lie in memory, most significant first. */
static inline uint32_t wire_csum_native_be(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    uint32_t x = (uint32_t)acc;
    x = (x & 0xffffu) + (x >> 16);
    x = (x & 0xffffu) + (x >> 16);
    /* The folded 16 bits as they lie in memory, most significant first: a swap on a
     * little-endian machine (one rotate), nothing on a big-endian one. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (uint32_t)__builtin_bswap16((uint16_t)x);
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return x;
#else
    uint16_t v = (uint16_t)x;
    uint8_t b[2];
    memcpy(b, &v, 2);
    return (uint32_t)b[0] << 8 | b[1];
#endif
}

/* Folds a 32-bit big-endian partial sum and complements it: the checksum field's value,
 * and 0 when verifying a block that includes its checksum (wire_csum_fold, inline). */
static inline uint16_t wire_csum_fold_inl(uint32_t sum)
{
    sum = (sum & 0xffffu) + (sum >> 16);   /* <= 0x1fffe */
    sum = (sum & 0xffffu) + (sum >> 16);   /* <= 0xffff */
    return (uint16_t)~sum;
}

/* Folds a big-endian partial sum of fewer than 256 32-bit words (so < 2^40) and complements
 * it: the checksum field's value. Emitters sum whole 32-bit fields (addresses, sequence
 * numbers) into 64 bits and fold once, rather than splitting each into 16-bit halves:
 * 2^16 = 1 (mod 0xffff), so a 32-bit word counts as the sum of its halves (RFC 1071 §2 (B)).
 * A non-zero sum never folds to 0, as with the 16-bit adds, so the field is the same. */
static inline uint16_t wire_csum_fold64(uint64_t s)
{
    s = (s & 0xffffu) + (s >> 16);       /* < 2^16 + 2^24: fits wire_csum_fold_inl */
    return wire_csum_fold_inl((uint32_t)s);
}

/* The TCP/UDP pseudo-header (RFC 9293 3.1) as a big-endian partial sum (< 2^19). */
static inline uint32_t wire_csum_pseudo_inl(uint32_t src, uint32_t dst, uint8_t proto,
                                            uint16_t len)
{
    return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto + len;
}

/* Checksum field value for pseudo-header sum `pseudo` plus the bytes [p, p+len): the
 * value to store on emit; 0 on parse when the stored checksum is right. */
static inline uint16_t wire_csum_l4(uint32_t pseudo, const uint8_t *p, size_t len)
{
    return wire_csum_fold_inl(pseudo + wire_csum_native_be(wire_csum_native(p, len)));
}

/* The flags and fragment offset word of an emitted IPv4 header (RFC 791 §3.1). */
static inline uint16_t wire_ipv4_flword(const struct wire_ipv4 *ip)
{
    return (uint16_t)((ip->df ? 0x4000 : 0) | (ip->mf ? 0x2000 : 0) | (ip->frag_off & 0x1fff));
}

/* Whether a TCP or UDP segment of len bytes at p, with its pseudo-header (src, dst, proto),
 * sums to the one's-complement zero (0xffff: the sum includes proto, so it is never 0): what
 * wire_csum_l4(pseudo, p, len) == 0 says, with one fold instead of two. The pseudo-header
 * words join the native-order sum of the bytes as they would lie in memory (a swap each on
 * a little-endian machine), so the sum is folded once and needs no final swap: 0xffff is
 * its own swap (RFC 1071 §2 (B)). */
static inline bool wire_csum_l4_ok(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *p,
                                   uint16_t len)
{
#if defined(__BYTE_ORDER__) && (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || \
                                __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
    uint32_t pl = (uint32_t)proto << 16 | len;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    src = __builtin_bswap32(src);
    dst = __builtin_bswap32(dst);
    pl = __builtin_bswap32(pl);
#endif
    uint64_t acc = (uint64_t)src + dst + pl;
    size_t at = 0;
    if (len >= 16) {   /* the fixed TCP header's first 16 bytes, outside the loops' setup */
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        acc = wire_csum_add64(wire_csum_add64(acc, a), b);
        at = 16;
    }
    acc = wire_csum_add64(acc, wire_csum_native(p + at, len - at));
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    uint32_t x = (uint32_t)acc;
    x = (x & 0xffffu) + (x >> 16);
    x = (x & 0xffffu) + (x >> 16);
    return x == 0xffff;
#else
    return wire_csum_l4(wire_csum_pseudo_inl(src, dst, proto, len), p, len) == 0;
#endif
}

/* Writes the 20-byte IPv4 header (no options) of ip for a datagram of total bytes carrying
 * proto, and returns its checksum (host order, as stored). fl = wire_ipv4_flword(ip) comes
 * from the caller; *addrs receives src + dst, which TCP's pseudo-header sum shares. The
 * checksum comes from the values, not from reading the bytes back (RFC 791 §3.1: the
 * one's-complement sum of the header with the checksum field 0; the grouping of the words
 * does not change it). Every field is loaded before the first byte is stored: p may alias
 * *ip as far as C knows, so a load after a store would be a second load. Inline: TCP's
 * emitter, the hot one, is spared a call. */
static inline uint16_t wire_ipv4_put(uint8_t *p, const struct wire_ipv4 *ip, uint8_t proto,
                                     uint16_t total, uint16_t fl, uint64_t *addrs)
{
    const uint16_t w0 = (uint16_t)(0x4500u | ip->tos), w4 = (uint16_t)(ip->ttl << 8 | proto);
    const uint16_t id = ip->id;
    const uint32_t src = ip->src, dst = ip->dst;
    *addrs = (uint64_t)src + dst;
    const uint16_t csum = wire_csum_fold64(*addrs + w0 + total + id + fl + w4);
    /* The first 8 bytes as one word: compilers merge the four 16-bit stores anyway, and do
     * it with more shifts than this. */
    wire_st32(p, (uint32_t)w0 << 16 | total);
    wire_st32(p + 4, (uint32_t)id << 16 | fl);
    wire_st16(p + 8, w4);
    wire_st16(p + 10, csum);
    wire_st32(p + 12, src);
    wire_st32(p + 16, dst);
    return csum;
}

/* Writes a 20-byte IPv4 header for a datagram of total_len bytes carrying proto, with its
 * checksum (wire_ip.c; wire_ipv4_put). */
void wire_ipv4_emit_hdr(uint8_t *p, const struct wire_ipv4 *ip, uint8_t proto, uint16_t total_len);

/* The frame every emitter starts with: checks that a transport header of hl bytes plus
 * plen payload bytes fits in cap and in one datagram, moves the payload into place (memmove:
 * it may point into buf itself, a parsed packet re-emitted in place) and writes the IPv4
 * header. Returns where the transport header goes and sets *total, or NULL when it does not
 * fit (the emitter then returns 0). */
static inline uint8_t *wire_emit_frame(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip,
                                       uint8_t proto, size_t hl, const uint8_t *payload,
                                       size_t plen, size_t *total)
{
    size_t t = WIRE_IPV4_HDR_MIN + hl + plen;
    if (plen > WIRE_MAX_DGRAM || t > WIRE_MAX_DGRAM || t > cap)
        return NULL;
    uint8_t *p = buf + WIRE_IPV4_HDR_MIN;
    if (plen)
        memmove(p + hl, payload, plen);
    wire_ipv4_emit_hdr(buf, ip, proto, (uint16_t)t);
    *total = t;
    return p;
}

/* The header checks every IPv4 parse shares (whole datagrams and ICMP quotes): 20 bytes
 * present, version 4, IHL >= 5, the header with its options present. Returns WIRE_OK with
 * the header length in *hl, or the WIRE_E* error. */
static inline int wire_ipv4_hdr_check(const uint8_t *buf, size_t len, size_t *hl)
{
    if (len < WIRE_IPV4_HDR_MIN)
        return WIRE_ETRUNC;
    if (buf[0] >> 4 != 4)
        return WIRE_EVERSION;
    *hl = (size_t)(buf[0] & 0x0f) * 4;
    if (*hl < WIRE_IPV4_HDR_MIN)
        return WIRE_EIHL;
    if (*hl > len)
        return WIRE_ETRUNC;
    return WIRE_OK;
}

/* Fills every header field but payload_len from a header of hl bytes, already checked to be
 * present and >= 20 (wire_ip.c). The _v form verifies the header checksum only when asked
 * (csum_ok is true otherwise). */
void wire_ipv4_fields(const uint8_t *buf, size_t hl, struct wire_ipv4 *out);
void wire_ipv4_fields_v(const uint8_t *buf, size_t hl, struct wire_ipv4 *out, bool verify);
/* wire_tcp_parse, verifying the checksum only when asked (wire_tcp.c). */
int wire_tcp_parse_v(const struct wire_ipv4 *ip, struct wire_tcp *out, bool verify);

/* wire_parse for a datagram whose IPv4 and TCP checksums are right by construction: every
 * check and field as wire_parse, but csum_ok is set without summing (UDP and ICMP are still
 * verified). The one user outside lib/ is the simulator's engine (sim/engine.c): a datagram
 * a simulated host emitted through wire_emit_tcp reaches its destination unchanged, so
 * summing it again there would only repeat the sender's work. Never for bytes from outside. */
int wire_parse_trusted(const uint8_t *buf, size_t len, struct wire_pkt *pkt);

/* wire_emit_tcp that also fills *view (when not NULL) with exactly what
 * wire_parse_trusted(buf, length) would read back from the bytes it wrote, without reading
 * them: the simulator keeps the view beside a datagram a host emitted, so the receiver skips
 * the parse (sim/engine.h, struct sim_slot). The view points into buf, and must not overlap
 * *ip or *tcp (it is built partly by copying from them). */
size_t wire_emit_tcp_view(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip,
                          const struct wire_tcp *tcp, struct wire_pkt *view);

/* What wire_emit_tcp_view writes into *view for a bare segment (tcp: no options, no data;
 * ip: a first fragment), without writing a byte of the datagram: the simulator keeps a
 * segment no one will read as its view alone (sim/engine.h, sim_slot.lazy) and writes the
 * bytes from it (wire_emit_tcp(buf, .., &view->ip, &view->l4.tcp)) only if someone asks.
 * The two checksum fields are left 0 until then. The view points into buf, as emit's would.
 * Returns the datagram's length (40). */
size_t wire_tcp_view_bare(uint8_t *buf, const struct wire_ipv4 *ip, const struct wire_tcp *tcp,
                          struct wire_pkt *view);

/* Common start of every transport parser: the protocol matches and this is a first (or
 * only) fragment. */
static inline int wire_l4_check(const struct wire_ipv4 *ip, uint8_t proto)
{
    if (ip->proto != proto)
        return WIRE_EPROTO;
    if (ip->frag_off != 0)
        return WIRE_EFRAG;
    return WIRE_OK;
}

#endif
