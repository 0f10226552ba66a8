/* syn.c — -sS, the half-open SYN scan (docs/facts/nmap.md section 1; nmap scan_engine_raw.cc).
 * Probe: SYN, window 1024, one option (MSS 1460). SYN/ACK -> open (syn-ack); any RST ->
 * closed (reset); a bare SYN (the "split handshake" of some stacks) -> open (syn); ICMP
 * unreachables -> filtered; silence -> filtered. We never complete the handshake: the
 * target's SYN/ACK is answered by the sending host's kernel RST (or by nobody in the sim).
 */
#include "scanner/scans/scans.h"

static size_t syn_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, TCP_SYN, true);
}

static bool syn_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    if (r->kind == SCAN_REPLY_ICMP)
        return scan_icmp_verdict(WIRE_PROTO_TCP, r->icmp_type, r->icmp_code, r->from_target, v);
    if (r->kind != SCAN_REPLY_TCP)
        return false;
    uint8_t f = r->tcp->flags;
    if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && !(f & TCP_RST)) {
        *v = (struct scan_verdict){ PORT_OPEN, RS_SYN_ACK };
        return true;
    }
    if (f & TCP_RST) {
        *v = (struct scan_verdict){ PORT_CLOSED, RS_RESET };
        return true;
    }
    if (f & TCP_SYN) {
        *v = (struct scan_verdict){ PORT_OPEN, RS_SYN };
        return true;
    }
    return false;
}

const struct scan_ops scan_syn = {
    .name = "syn", .flag = 'S', .type = SCAN_SYN, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_SYN, .silent_state = PORT_FILTERED,
    .make_probe = syn_make, .classify = syn_classify,
};
