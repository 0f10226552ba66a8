/* common.c — what the scan types share: nmap's TCP probe layout, the ICMP error table and
 * the conflicting-replies rule (nmap.md section 1; nmap scan_engine_raw.cc
 * get_pcap_result/ultrascan_port_pspec_update, RFC 792 and RFC 1812 5.2.7.1 for the codes).
 */
#include "scanner/scans/scans.h"

size_t scan_tcp_probe(uint8_t *buf, size_t cap, const struct scan_probe *p, uint8_t flags,
                      bool mss)
{
    struct wire_ipv4 ip = {
        .ttl = p->ttl, .proto = WIRE_PROTO_TCP, .id = p->ck.ipid, .src = p->src, .dst = p->dst,
    };
    struct wire_tcp tcp = {
        .sport = p->ck.sport, .dport = p->dport, .seq = p->ck.seq,
        .ack = (flags & TCP_ACK) ? p->ck.ack : 0, .flags = flags, .window = 1024,
    };
    if (mss) {   /* nmap's SYN probes carry exactly one option: MSS 1460 */
        tcp.opt.order[0] = TCPOPT_MSS;
        tcp.opt.n = 1;
        tcp.opt.has_mss = true;
        tcp.opt.mss = 1460;
    }
    return wire_emit_tcp(buf, cap, &ip, &tcp);
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

bool scan_state_may_change(uint8_t old_state, uint8_t new_state)
{
    if (old_state == new_state)
        return false;
    switch (old_state) {
    case PORT_OPEN:
        return false;                      /* open stays open */
    case PORT_CLOSED:
        return new_state != PORT_FILTERED; /* closed never becomes filtered */
    case PORT_UNFILTERED:
        return new_state == PORT_OPEN || new_state == PORT_CLOSED;
    default:
        return true;                       /* unknown, filtered, open|filtered ... */
    }
}
