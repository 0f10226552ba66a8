/* window.c — -sW, the window scan (docs/facts/nmap.md section 1). The ACK scan's probe, but the RST is
 * read more closely: some stacks (old HP-UX, AIX, some BSDs) send RSTs from open ports with a
 * non-zero window, so RST with window != 0 -> open, window 0 -> closed, both reason reset.
 * On a modern stack (Linux: window 0 on every RST) every port looks closed.
 */
#include "scanner/scans/scans.h"

static size_t window_make(uint8_t *buf, size_t cap, const struct scan_probe *p)
{
    return scan_tcp_probe(buf, cap, p, TCP_ACK, false);
}

static bool window_classify(const struct scan_reply *r, struct scan_verdict *v)
{
    if (!scan_rst_classify(r, PORT_CLOSED, v))
        return false;
    if (r->kind == SCAN_REPLY_TCP && r->tcp->window != 0)
        v->state = PORT_OPEN;
    return true;
}

const struct scan_ops scan_window = {
    .name = "window", .flag = 'W', .type = SCAN_WINDOW, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_ACK, .silent_state = PORT_FILTERED,
    .make_probe = window_make, .classify = window_classify,
};
