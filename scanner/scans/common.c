/* common.c — what the scan types share: nmap's TCP probe layout, the ICMP error table and
 * the conflicting-replies rule (docs/facts/nmap.md section 1; nmap scan_engine_raw.cc
 * get_pcap_result/ultrascan_port_pspec_update, RFC 792 and RFC 1812 5.2.7.1 for the codes).
 */
#include "scanner/scans/scans.h"

static void probe_st16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void probe_st32(uint8_t *p, uint32_t v)
{
    probe_st16(p, v >> 16);
    probe_st16(p + 2, v);
}

/* RFC 1071: fold the 32-bit sum of 16-bit words and complement it (as wire_csum_fold). */
static uint16_t probe_csum(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t probe_words32(uint32_t v) { return (v >> 16) + (v & 0xffffu); }

/* Every TCP probe has one layout (nmap's build_tcp_raw: a 20-byte IPv4 header, no IP options,
 * TCP with at most the MSS option, no data), so it is written field by field and both
 * checksums are summed from the field values: no pass over the bytes, no option tables. The
 * bytes are exactly what wire_emit_tcp writes for the same fields (test_scan_lean checks). */
size_t scan_tcp_probe(uint8_t *buf, size_t cap, const struct scan_probe *p, uint8_t flags,
                      bool mss)
{
    const uint32_t thl = mss ? WIRE_TCP_HDR_MIN + 4 : WIRE_TCP_HDR_MIN;
    const uint32_t total = WIRE_IPV4_HDR_MIN + thl;
    if (cap < total)
        return 0;
    const uint32_t ack = (flags & TCP_ACK) ? p->ck.ack : 0, window = 1024;
    const uint32_t addrs = probe_words32(p->src) + probe_words32(p->dst);
    const uint32_t ttl_proto = (uint32_t)p->ttl << 8 | WIRE_PROTO_TCP;
    const uint32_t off_flags = (thl / 4) << 12 | flags;
    uint8_t *ip = buf, *tcp = buf + WIRE_IPV4_HDR_MIN;
    /* IPv4 (RFC 791): version 4, IHL 5, TOS 0, no fragment bits. */
    probe_st16(ip, 0x4500);
    probe_st16(ip + 2, total);
    probe_st16(ip + 4, p->ck.ipid);
    probe_st16(ip + 6, 0);
    probe_st16(ip + 8, ttl_proto);
    probe_st32(ip + 12, p->src);
    probe_st32(ip + 16, p->dst);
    probe_st16(ip + 10, probe_csum(0x4500 + total + p->ck.ipid + ttl_proto + addrs));
    /* TCP (RFC 9293 3.1), checksum over the pseudo-header and the segment. */
    uint32_t sum = addrs + WIRE_PROTO_TCP + thl + p->ck.sport + p->dport +
                   probe_words32(p->ck.seq) + probe_words32(ack) + off_flags + window;
    probe_st16(tcp, p->ck.sport);
    probe_st16(tcp + 2, p->dport);
    probe_st32(tcp + 4, p->ck.seq);
    probe_st32(tcp + 8, ack);
    probe_st16(tcp + 12, off_flags);
    probe_st16(tcp + 14, window);
    probe_st16(tcp + 18, 0);
    if (mss) {   /* nmap's SYN probes carry exactly one option: MSS 1460 */
        probe_st16(tcp + 20, (uint32_t)TCPOPT_MSS << 8 | 4);
        probe_st16(tcp + 22, 1460);
        sum += ((uint32_t)TCPOPT_MSS << 8 | 4) + 1460;
    }
    probe_st16(tcp + 16, probe_csum(sum));
    return total;
}

bool scan_icmp_verdict(uint8_t proto, uint8_t type, uint8_t code, bool from_target,
                       struct scan_verdict *v)
{
    v->state = PORT_FILTERED;
    if (type == ICMP_TIME_EXCEEDED) {
        v->reason = RS_TIME_EXCEEDED;
        return true;
    }
    if (type != ICMP_UNREACH)
        return false;
    switch (code) {
    case ICMP_NET_UNREACH: v->reason = RS_NET_UNREACH; return true;
    case ICMP_HOST_UNREACH: v->reason = RS_HOST_UNREACH; return true;
    case ICMP_PROTO_UNREACH: v->reason = RS_PROTO_UNREACH; return true;
    case ICMP_NET_PROHIB: v->reason = RS_NET_PROHIBITED; return true;
    case ICMP_HOST_PROHIB: v->reason = RS_HOST_PROHIBITED; return true;
    case ICMP_ADMIN_PROHIB: v->reason = RS_ADMIN_PROHIBITED; return true;
    case ICMP_PORT_UNREACH:
        v->reason = RS_PORT_UNREACH;
        /* Only a UDP port's own host can say "nothing listens here"; for TCP a port
         * unreachable is a firewall's reject, and from a router it is filtering too. */
        if (proto == WIRE_PROTO_UDP && from_target)
            v->state = PORT_CLOSED;
        return true;
    default:
        return false;
    }
}

bool scan_rst_classify(const struct scan_reply *r, uint8_t rst_state, struct scan_verdict *v)
{
    if (r->kind == SCAN_REPLY_ICMP)
        return scan_icmp_verdict(WIRE_PROTO_TCP, r->icmp_type, r->icmp_code, r->from_target, v);
    if (r->kind != SCAN_REPLY_TCP || !(r->tcp->flags & TCP_RST))
        return false;   /* other flags (e.g. SYN/ACK to a FIN probe) are ignored */
    v->state = rst_state;
    v->reason = RS_RESET;
    return true;
}

bool scan_state_may_change(uint8_t old_state, uint8_t new_state, bool noresp_open)
{
    if (old_state == new_state)
        return false;
    switch (old_state) {
    case PORT_OPEN:
        return noresp_open;                /* open stays open, unless silence means open */
    case PORT_CLOSED:                      /* closed never becomes filtered, and in a */
        return !noresp_open && new_state != PORT_FILTERED;   /* -sU/-sF.. scan never moves */
    case PORT_FILTERED:
        return !(noresp_open && new_state == PORT_OPEN);
    case PORT_UNFILTERED:
        return new_state == PORT_OPEN || new_state == PORT_CLOSED;
    default:
        return true;                       /* unknown, open|filtered ... */
    }
}
