/* xmas.c — -sX, the Xmas scan: FIN, PSH and URG lit up like a tree. RFC 793 (3.9)
 * makes a closed port answer RST and an open port drop a segment without SYN, RST or ACK.
 * RST -> closed (reset); ICMP unreachables -> filtered; silence -> open|filtered, since an
 * open port and a firewall that drops look the same (docs/facts/nmap.md section 1). Windows, Cisco and
 * some others send RST from open ports too, so every port looks closed there.
 */
#include "scanner/scans/scans.h"

static size_t xmas_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, TCP_FIN | TCP_PSH | TCP_URG, false);
}

static bool xmas_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    return scan_rst_classify(r, PORT_CLOSED, v);
}

const struct scan_ops scan_xmas = {
    .name = "xmas", .flag = 'X', .type = SCAN_XMAS, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_FIN | TCP_PSH | TCP_URG, .silent_state = PORT_OPEN_FILTERED,
    .make_probe = xmas_make, .classify = xmas_classify,
};
