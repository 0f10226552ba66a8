/* tcp_pf.c — OpenBSD's packet filter as its default /etc/pf.conf sets it up, in front of the
 * TCP of a host whose personality says pf_default (the openbsd preset).
 *
 * Why: what nmap sees of an OpenBSD host is pf's answer as much as the kernel's. pf is on by
 * default, and the shipped ruleset is "block return" then "pass" (keep state, flags S/SA):
 *   - pf_normalize_tcp (sys/net/pf_norm.c) runs on every TCP segment first and drops the
 *     flag combinations no connection uses: no SYN, ACK or RST; SYN with RST; FIN, PSH or
 *     URG without ACK. A SYN's FIN is taken off ("XXX why?" in the source) and the rest goes
 *     on. So NULL, FIN and Xmas probes get nothing, open or closed port (nmap-os-db
 *     OpenBSD 6.x: T2, T3, T7 R=N in 11 of 12 fingerprints).
 *   - A segment with no state that is not a lone SYN matches only "block return": pf itself
 *     answers RST+ACK with SEQ = SEG.ACK and ACK = SEG.SEQ + SEG.LEN (pf_test_rule's return,
 *     pf_send_tcp), never for a RST (T4 and T6 F=AR S=A A=S in 7 of 12).
 *   - A lone SYN creates state and reaches TCP, as does anything of a connection (a TCB
 *     here: pf's state table and the stack's agree for the simulated host).
 * The RST pf sends takes the host's DF and IP-ID rules (pf_build_tcp: DF with path MTU
 * discovery, ip_randomid).
 */
#include "tcp_int.h"

/* pf_normalize_tcp: false when pf drops the segment; *out is seg, or norm with a SYN's FIN
 * taken off. */
static bool tcp_pf_normalize(const struct wire_tcp *seg, struct wire_tcp *norm,
                             const struct wire_tcp **out)
{
    uint8_t f = seg->flags;
    if (f & TCP_SYN) {
        if (f & TCP_RST)
            return false;
        f &= (uint8_t)~TCP_FIN;
    } else if (!(f & (TCP_ACK | TCP_RST))) {
        return false;
    }
    if (!(f & TCP_ACK) && (f & (TCP_FIN | TCP_PSH | TCP_URG)))
        return false;
    *out = seg;
    if (f != seg->flags || seg->reserved || (!(f & TCP_URG) && seg->urg)) {
        *norm = *seg;          /* pf rewrites the header: flags, reserved bits, urgent pointer */
        norm->flags = f;
        norm->reserved = 0;
        if (!(f & TCP_URG))
            norm->urg = 0;
        *out = norm;
    }
    return true;
}

const struct wire_tcp *tcp_pf_input(struct tcp_host *th, const struct tcp_io *io,
                                    const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                                    bool has_state, struct wire_tcp *norm, struct tcp_verdict *v)
{
    const struct wire_tcp *s;
    if (!tcp_pf_normalize(seg, norm, &s)) {
        *norm = *seg;          /* the caller reads the ports from it */
        tcp_rule_note(th, v, TR_PF_NORMALIZE);
        return NULL;
    }
    if (has_state || (s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
        return s;
    if (s != norm)
        *norm = *s;
    if (s->flags & TCP_RST) {
        tcp_rule_note(th, v, TR_PF_BLOCK_RST);
        return NULL;
    }
    tcp_send_ctl(th, io, ip, s, s->ack, s->seq + tcp_seg_len(s), TCP_RST | TCP_ACK, 0);
    tcp_rule_note(th, v, TR_PF_BLOCK_RETURN);
    return NULL;
}
