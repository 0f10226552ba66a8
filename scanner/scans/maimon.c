/* maimon.c — -sM, the Maimon scan (Uriel Maimon, Phrack 49): FIN/ACK. RFC 793 says
 * answer with RST either way, but many BSD-derived stacks drop the probe at an open port.
 * RST -> closed (reset); ICMP unreachables -> filtered; silence -> open|filtered, since an
 * open port and a firewall that drops look the same (docs/facts/nmap.md section 1). Windows, Cisco and
 * some others send RST from open ports too, so every port looks closed there.
 */
#include "scanner/scans/scans.h"

static size_t maimon_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, TCP_FIN | TCP_ACK, false);
}

static bool maimon_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    return scan_rst_classify(r, PORT_CLOSED, v);
}

const struct scan_ops scan_maimon = {
    .name = "maimon", .flag = 'M', .type = SCAN_MAIMON, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_FIN | TCP_ACK, .silent_state = PORT_OPEN_FILTERED,
    .make_probe = maimon_make, .classify = maimon_classify,
};
