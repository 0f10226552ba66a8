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
#include <string.h>

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

/* Whether the header's checksum is right: its words sum to 0xffff, in either byte order
 * (RFC 1071 §2 (B)), so the native-order sum needs no swap. Every datagram that reaches a
 * host passes here; the common 20-byte header is five 32-bit loads whose sum cannot
 * overflow 64 bits, so it needs no carry handling until the fold. */
static bool wire_ipv4_csum_ok(const uint8_t *buf, size_t hl)
{
    uint64_t acc;
    if (hl == WIRE_IPV4_HDR_MIN) {
        /* Five separate loads: as one 20-byte copy, compilers go through the stack. */
        uint32_t w0, w1, w2, w3, w4;
        memcpy(&w0, buf, 4);
        memcpy(&w1, buf + 4, 4);
        memcpy(&w2, buf + 8, 4);
        memcpy(&w3, buf + 12, 4);
        memcpy(&w4, buf + 16, 4);
        acc = (uint64_t)w0 + w1 + w2 + w3 + w4;
    } else {
        acc = wire_csum_native(buf, hl);
    }
    return wire_csum_fold_inl(wire_csum_native_be(acc)) == 0;
}

void wire_ipv4_fields(const uint8_t *buf, size_t hl, struct wire_ipv4 *out)
{
    wire_ipv4_fields_v(buf, hl, out, true);
}

void wire_ipv4_fields_v(const uint8_t *buf, size_t hl, struct wire_ipv4 *out, bool verify)
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
    out->csum_ok = !verify || wire_ipv4_csum_ok(buf, hl);
    out->src = wire_ld32(buf + 12);
    out->dst = wire_ld32(buf + 16);
    out->payload = buf + hl;
}

static int wire_ipv4_parse_v(const uint8_t *buf, size_t len, struct wire_ipv4 *out, bool verify)
{
    size_t hl;
    int err = wire_ipv4_hdr_check(buf, len, &hl);
    if (err != WIRE_OK)
        return err;
    size_t tl = wire_ld16(buf + 2);
    if (tl < hl)
        return WIRE_ELEN;
    if (tl > len)
        return WIRE_ETRUNC;
    wire_ipv4_fields_v(buf, hl, out, verify);
    out->payload_len = tl - hl;
    return WIRE_OK;
}

int wire_ipv4_parse(const uint8_t *buf, size_t len, struct wire_ipv4 *out)
{
    return wire_ipv4_parse_v(buf, len, out, true);
}

static int wire_parse_v(const uint8_t *buf, size_t len, struct wire_pkt *pkt, bool verify)
{
    int err = wire_ipv4_parse_v(buf, len, &pkt->ip, verify);
    if (err != WIRE_OK) {
        /* The transport view is defined (zero) on every failure path, so a caller that
         * reads it without checking (or a compiler inlining this across files, -flto) never
         * meets an uninitialised field. Failures are rare: no cost to the common path. */
        memset(&pkt->l4, 0, sizeof pkt->l4);
        pkt->l4_err = err;
        return err;
    }
    switch (pkt->ip.proto) {
    case WIRE_PROTO_TCP: pkt->l4_err = wire_tcp_parse_v(&pkt->ip, &pkt->l4.tcp, verify); break;
    case WIRE_PROTO_UDP: pkt->l4_err = wire_udp_parse(&pkt->ip, &pkt->l4.udp); break;
    case WIRE_PROTO_ICMP: pkt->l4_err = wire_icmp_parse(&pkt->ip, &pkt->l4.icmp); break;
    default:
        memset(&pkt->l4, 0, sizeof pkt->l4);
        pkt->l4_err = WIRE_EPROTO;
        break;
    }
    return WIRE_OK;
}

int wire_parse(const uint8_t *buf, size_t len, struct wire_pkt *pkt)
{
    return wire_parse_v(buf, len, pkt, true);
}

int wire_parse_trusted(const uint8_t *buf, size_t len, struct wire_pkt *pkt)
{
    return wire_parse_v(buf, len, pkt, false);
}

void wire_ipv4_emit_hdr(uint8_t *p, const struct wire_ipv4 *ip, uint8_t proto, uint16_t total_len)
{
    uint64_t addrs;
    wire_ipv4_put(p, ip, proto, total_len, wire_ipv4_flword(ip), &addrs);
}

/* Dotted quad by hand, not snprintf: a scan report of a /8 formats tens of millions of
 * addresses, and printf's format parsing was a fifth of such a scan's time. */
const char *wire_ip_str(uint32_t addr, char buf[16])
{
    char *p = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned b = (addr >> shift) & 0xff;
        if (b >= 100)
            *p++ = (char)('0' + b / 100);
        if (b >= 10)
            *p++ = (char)('0' + b / 10 % 10);
        *p++ = (char)('0' + b % 10);
        *p++ = shift ? '.' : '\0';
    }
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
