/* null.c — -sN, the NULL scan: no flags at all. RFC 793 (3.9) makes a closed port answer
 * RST and an open (LISTEN) port drop a segment without SYN, RST or ACK.
 * RST -> closed (reset); ICMP unreachables -> filtered; silence -> open|filtered, since an
 * open port and a firewall that drops look the same (docs/facts/nmap.md section 1). Windows, Cisco and
 * some others send RST from open ports too, so every port looks closed there.
 */
#include "scanner/scans/scans.h"

static size_t null_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, 0, false);
}

static bool null_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    return scan_rst_classify(r, PORT_CLOSED, v);
}

const struct scan_ops scan_null = {
    .name = "null", .flag = 'N', .type = SCAN_NULL, .proto = WIRE_PROTO_TCP,
    .tcp_flags = 0, .silent_state = PORT_OPEN_FILTERED,
    .make_probe = null_make, .classify = null_classify,
};
