/* wire_ip.c — IPv4 header parse and emit (RFC 791 §3.1), the whole-datagram parse, error
 * names and dotted-quad text.
 *
 * Parse checks, once and in this order: 20 bytes present, version 4, IHL >= 5, the header
 * (with options, IHL > 5) present, total length >= header length, total length present.
 * Bytes beyond the total length (Ethernet padding of short frames) are ignored, as Linux's
 * ip_rcv_core() trims them. IP options are skipped, not interpreted. The header checksum is
 * verified and reported in csum_ok; a bad checksum is not a parse error (the pretty printer
 * must still show the packet). Emit writes a 20-byte header with no options.
 */
#include "wire_int.h"

#include <stdio.h>

const char *wire_strerror(int err)
{
    switch (err) {
    case WIRE_OK: return "ok";
    case WIRE_ETRUNC: return "truncated";
    case WIRE_EVERSION: return "not IPv4";
    case WIRE_EIHL: return "bad IP header length";
    case WIRE_ELEN: return "inconsistent length";
    case WIRE_EFRAG: return "non-first fragment";
    case WIRE_EPROTO: return "unsupported protocol";
    default: return "unknown error";
    }
}

void wire_ipv4_fields(const uint8_t *buf, size_t hl, struct wire_ipv4 *out)
{
    uint16_t fl = wire_ld16(buf + 6);
    out->hdr_len = (uint8_t)hl;
    out->tos = buf[1];
    out->total_len = wire_ld16(buf + 2);
    out->id = wire_ld16(buf + 4);
    out->df = (fl & 0x4000) != 0;
    out->mf = (fl & 0x2000) != 0;
    out->frag_off = fl & 0x1fff;
    out->ttl = buf[8];
    out->proto = buf[9];
    out->csum = wire_ld16(buf + 10);
    out->csum_ok = wire_csum_fold(wire_csum_add(0, buf, hl)) == 0;
    out->src = wire_ld32(buf + 12);
    out->dst = wire_ld32(buf + 16);
    out->payload = buf + hl;
}

int wire_ipv4_parse(const uint8_t *buf, size_t len, struct wire_ipv4 *out)
{
    if (len < WIRE_IPV4_HDR_MIN)
        return WIRE_ETRUNC;
    if (buf[0] >> 4 != 4)
        return WIRE_EVERSION;
    size_t hl = (size_t)(buf[0] & 0x0f) * 4;
    if (hl < WIRE_IPV4_HDR_MIN)
        return WIRE_EIHL;
    if (hl > len)
        return WIRE_ETRUNC;
    size_t tl = wire_ld16(buf + 2);
    if (tl < hl)
        return WIRE_ELEN;
    if (tl > len)
        return WIRE_ETRUNC;
    wire_ipv4_fields(buf, hl, out);
    out->payload_len = tl - hl;
    return WIRE_OK;
}

int wire_parse(const uint8_t *buf, size_t len, struct wire_pkt *pkt)
{
    int err = wire_ipv4_parse(buf, len, &pkt->ip);
    if (err != WIRE_OK) {
        pkt->l4_err = err;
        return err;
    }
    switch (pkt->ip.proto) {
    case WIRE_PROTO_TCP: pkt->l4_err = wire_tcp_parse(&pkt->ip, &pkt->l4.tcp); break;
    case WIRE_PROTO_UDP: pkt->l4_err = wire_udp_parse(&pkt->ip, &pkt->l4.udp); break;
    case WIRE_PROTO_ICMP: pkt->l4_err = wire_icmp_parse(&pkt->ip, &pkt->l4.icmp); break;
    default: pkt->l4_err = WIRE_EPROTO; break;
    }
    return WIRE_OK;
}

void wire_ipv4_emit_hdr(uint8_t *p, const struct wire_ipv4 *ip, uint8_t proto, uint16_t total_len)
{
    uint16_t fl = (uint16_t)((ip->df ? 0x4000 : 0) | (ip->mf ? 0x2000 : 0) | (ip->frag_off & 0x1fff));
    p[0] = 0x45;
    p[1] = ip->tos;
    wire_st16(p + 2, total_len);
    wire_st16(p + 4, ip->id);
    wire_st16(p + 6, fl);
    p[8] = ip->ttl;
    p[9] = proto;
    p[10] = p[11] = 0;
    wire_st32(p + 12, ip->src);
    wire_st32(p + 16, ip->dst);
    wire_st16(p + 10, wire_csum_fold(wire_csum_add(0, p, WIRE_IPV4_HDR_MIN)));
}

const char *wire_ip_str(uint32_t addr, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
    return buf;
}

/* Strict: four decimal numbers 0..255 separated by dots, nothing else. Leading zeros are
 * refused ("010" is octal to inet_aton, decimal to others: ambiguous, so an error). */
int wire_ip_parse(const char *s, uint32_t *out)
{
    uint32_t addr = 0;
    if (!s)
        return -1;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && *s++ != '.')
            return -1;
        if (*s < '0' || *s > '9')
            return -1;
        unsigned v = 0;
        int digits = 0;
        const char *start = s;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*s - '0');
            s++;
            digits++;
        }
        if (digits > 3 || v > 255 || (digits > 1 && *start == '0'))
            return -1;
        addr = addr << 8 | v;
    }
    if (*s != '\0')
        return -1;
    *out = addr;
    return 0;
}
