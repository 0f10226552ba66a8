/* wire_udp_icmp.c — UDP (RFC 768) and ICMP (RFC 792) parse and emit, and the datagram an
 * ICMP error quotes (RFC 792, RFC 1812 §4.3.2.3).
 *
 * UDP: the length field must be >= 8 and fit in the IP payload (Linux __udp4_lib_rcv drops
 * otherwise); bytes past it are ignored. A zero checksum means "not computed" and counts as
 * valid; emit never writes 0 for a computed sum but 0xffff (RFC 768). The emitted length is
 * always 8 + payload_len.
 *
 * ICMP: 8-byte header, checksum over the whole message. id/seq are read from the 4 bytes
 * after the checksum for every type; `rest` keeps them raw. Errors quote the offending
 * datagram; wire_icmp_quote() reads it leniently because the quote is usually truncated.
 */
#include "wire_int.h"

#include <string.h>

int wire_udp_parse(const struct wire_ipv4 *ip, struct wire_udp *out)
{
    int err = wire_l4_check(ip, WIRE_PROTO_UDP);
    if (err != WIRE_OK)
        return err;
    const uint8_t *p = ip->payload;
    if (ip->payload_len < WIRE_UDP_HDR)
        return WIRE_ETRUNC;
    uint16_t ulen = wire_ld16(p + 4);
    if (ulen < WIRE_UDP_HDR || ulen > ip->payload_len)
        return WIRE_ELEN;
    out->sport = wire_ld16(p);
    out->dport = wire_ld16(p + 2);
    out->len = ulen;
    out->csum = wire_ld16(p + 6);
    if (out->csum == 0) {
        out->csum_ok = true;
    } else {
        uint32_t sum = wire_csum_pseudo_inl(ip->src, ip->dst, WIRE_PROTO_UDP, ulen);
        out->csum_ok = wire_csum_l4(sum, p, ulen) == 0;
    }
    out->payload = p + WIRE_UDP_HDR;
    out->payload_len = (size_t)ulen - WIRE_UDP_HDR;
    return WIRE_OK;
}

int wire_icmp_parse(const struct wire_ipv4 *ip, struct wire_icmp *out)
{
    int err = wire_l4_check(ip, WIRE_PROTO_ICMP);
    if (err != WIRE_OK)
        return err;
    const uint8_t *p = ip->payload;
    if (ip->payload_len < WIRE_ICMP_HDR)
        return WIRE_ETRUNC;
    out->type = p[0];
    out->code = p[1];
    out->csum = wire_ld16(p + 2);
    out->csum_ok = wire_csum_l4(0, p, ip->payload_len) == 0;
    out->rest = wire_ld32(p + 4);
    out->id = (uint16_t)(out->rest >> 16);
    out->seq = (uint16_t)out->rest;
    out->payload = p + WIRE_ICMP_HDR;
    out->payload_len = ip->payload_len - WIRE_ICMP_HDR;
    return WIRE_OK;
}

bool wire_icmp_is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* Like wire_ipv4_parse, but a total length beyond the bytes present is allowed. */
static int quote_ipv4(const uint8_t *buf, size_t len, struct wire_ipv4 *out)
{
    size_t hl;
    int err = wire_ipv4_hdr_check(buf, len, &hl);
    if (err != WIRE_OK)
        return err;
    wire_ipv4_fields(buf, hl, out);
    size_t avail = len > WIRE_MAX_DGRAM ? WIRE_MAX_DGRAM : len;
    size_t tl = out->total_len < avail ? out->total_len : avail;
    /* A total length shorter than the header is nonsense; show the header alone. */
    out->payload_len = tl > hl ? tl - hl : 0;
    return WIRE_OK;
}

int wire_icmp_quote(const struct wire_icmp *icmp, struct wire_quote *q)
{
    if (!wire_icmp_is_error(icmp->type))
        return WIRE_EPROTO;
    *q = (struct wire_quote){0};
    int err = quote_ipv4(icmp->payload, icmp->payload_len, &q->ip);
    if (err != WIRE_OK)
        return err;
    const uint8_t *t = q->ip.payload;
    if (q->ip.frag_off == 0 && q->ip.payload_len >= 8) {
        q->has_ports = true;
        q->sport = wire_ld16(t);
        q->dport = wire_ld16(t + 2);
        q->seq = wire_ld32(t + 4);
        if (q->ip.proto == WIRE_PROTO_TCP && q->ip.payload_len >= 14) {
            q->has_flags = true;
            q->flags = t[13];
        }
    }
    return WIRE_OK;
}

size_t wire_emit_udp(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip, const struct wire_udp *udp)
{
    size_t ulen = WIRE_UDP_HDR + udp->payload_len, total;
    uint8_t *p = wire_emit_frame(buf, cap, ip, WIRE_PROTO_UDP, WIRE_UDP_HDR, udp->payload,
                                 udp->payload_len, &total);
    if (!p)
        return 0;
    wire_st16(p, udp->sport);
    wire_st16(p + 2, udp->dport);
    wire_st16(p + 4, (uint16_t)ulen);
    wire_st16(p + 6, 0);
    uint32_t sum = wire_csum_pseudo_inl(ip->src, ip->dst, WIRE_PROTO_UDP, (uint16_t)ulen);
    uint16_t c = wire_csum_l4(sum, p, ulen);
    wire_st16(p + 6, c == 0 ? 0xffff : c);
    return total;
}

static bool icmp_has_id(uint8_t type)
{
    return type == ICMP_ECHO_REPLY || type == ICMP_ECHO || type == ICMP_TIMESTAMP ||
           type == ICMP_TIMESTAMP_REPLY;
}

size_t wire_emit_icmp(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip, const struct wire_icmp *icmp)
{
    size_t mlen = WIRE_ICMP_HDR + icmp->payload_len, total;
    uint8_t *p = wire_emit_frame(buf, cap, ip, WIRE_PROTO_ICMP, WIRE_ICMP_HDR, icmp->payload,
                                 icmp->payload_len, &total);
    if (!p)
        return 0;
    p[0] = icmp->type;
    p[1] = icmp->code;
    wire_st16(p + 2, 0);
    wire_st32(p + 4, icmp_has_id(icmp->type) ? (uint32_t)icmp->id << 16 | icmp->seq : icmp->rest);
    wire_st16(p + 2, wire_csum_l4(0, p, mlen));
    return total;
}
