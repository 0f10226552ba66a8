/* ack.c — -sA, the ACK scan: maps firewall rulesets, not open ports (docs/facts/nmap.md section 1).
 * Probe: a bare ACK, window 1024. A host answers an unexpected ACK with RST whether the port
 * is open or closed (RFC 793, Reset Generation case 2), so RST -> unfiltered (reset);
 * ICMP unreachables and silence -> filtered.
 */
#include "scanner/scans/scans.h"

static size_t ack_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, TCP_ACK, false);
}

static bool ack_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    return scan_rst_classify(r, PORT_UNFILTERED, v);
}

const struct scan_ops scan_ack = {
    .name = "ack", .flag = 'A', .type = SCAN_ACK, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_ACK, .silent_state = PORT_FILTERED,
    .make_probe = ack_make, .classify = ack_classify,
};
