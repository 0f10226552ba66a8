/* fin.c — -sF, the FIN scan: a bare FIN. RFC 793 (3.9, SEGMENT ARRIVES, CLOSED and
 * LISTEN) makes a closed port answer RST and an open port drop the segment.
 * RST -> closed (reset); ICMP unreachables -> filtered; silence -> open|filtered, since an
 * open port and a firewall that drops look the same (docs/facts/nmap.md section 1). Windows, Cisco and
 * some others send RST from open ports too, so every port looks closed there.
 */
#include "scanner/scans/scans.h"

static size_t fin_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, TCP_FIN, false);
}

static bool fin_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    return scan_rst_classify(r, PORT_CLOSED, v);
}

const struct scan_ops scan_fin = {
    .name = "fin", .flag = 'F', .type = SCAN_FIN, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_FIN, .silent_state = PORT_OPEN_FILTERED,
    .make_probe = fin_make, .classify = fin_classify,
};
