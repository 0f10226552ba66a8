/* udp.c — -sU, the UDP scan (docs/facts/nmap.md section 1; nmap scan_engine_raw.cc, RFC 768, RFC 1122
 * 3.2.2.1 and 4.1.3.1: a host must send ICMP port unreachable for a closed UDP port).
 * Probe: a UDP datagram, empty or carrying a protocol-correct request for well-known ports
 * (udp_payloads.c) so that a listening service has a reason to answer. Any UDP reply -> open
 * (udp-response); ICMP 3/3 from the target itself -> closed (port-unreach); other
 * unreachables -> filtered; silence -> open|filtered.
 */
#include "scanner/scans/scans.h"

static size_t udp_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    struct wire_ipv4 ip = {
        .ttl = p->ttl, .proto = WIRE_PROTO_UDP, .id = p->ck.ipid, .src = p->src, .dst = p->dst,
    };
    size_t plen = 0;
    const uint8_t *payload = scan_udp_payload(p->dport, &plen);
    struct wire_udp udp = {
        .sport = p->ck.sport, .dport = p->dport, .payload = payload, .payload_len = plen,
    };
    return wire_emit_udp(buf, cap, &ip, &udp);
}

static bool udp_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    if (r->kind == SCAN_REPLY_ICMP)
        return scan_icmp_verdict(WIRE_PROTO_UDP, r->icmp_type, r->icmp_code, r->from_target, v);
    if (r->kind != SCAN_REPLY_UDP)
        return false;
    *v = (struct scan_verdict){ PORT_OPEN, RS_UDP_RESPONSE };
    return true;
}

const struct scan_ops scan_udp = {
    .name = "udp", .flag = 'U', .type = SCAN_UDP, .proto = WIRE_PROTO_UDP,
    .silent_state = PORT_OPEN_FILTERED,
    .make_probe = udp_make, .classify = udp_classify,
};
