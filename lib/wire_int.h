/* wire_int.h — byte-order helpers and the IPv4 header writer shared by lib/wire_*.c only.
 *
 * Loads and stores go byte by byte (big-endian, RFC 791 "network order"), so they are
 * alignment-safe on any buffer and free of strict-aliasing questions; compilers turn them
 * into single bswapped moves.
 */
#ifndef TCPLAB_WIRE_INT_H
#define TCPLAB_WIRE_INT_H

#include "wire.h"

static inline uint16_t wire_ld16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t wire_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
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

/* Writes a 20-byte IPv4 header for a datagram of total_len bytes carrying proto, with its
 * checksum (wire_ip.c). */
void wire_ipv4_emit_hdr(uint8_t *p, const struct wire_ipv4 *ip, uint8_t proto, uint16_t total_len);

/* Fills every header field but payload_len from a header of hl bytes, already checked to be
 * present and >= 20 (wire_ip.c). */
void wire_ipv4_fields(const uint8_t *buf, size_t hl, struct wire_ipv4 *out);

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
