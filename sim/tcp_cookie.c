/* tcp_cookie.c — Linux SYN cookies: what a Linux listener does when its SYN queue is full.
 *
 * Why: a SYN flood fills a listen queue. A 4.4BSD stack then drops everything sent to the
 * port (tcp.c, bsd44-sonewconn-full), which is how Mitnick gagged the trusted host in 1994.
 * Linux with net.ipv4.tcp_syncookies = 1 (the default) keeps answering: a SYN that finds the
 * queue full gets a SYN-ACK whose ISN is a cookie and leaves no state; an ACK that returns a
 * valid cookie within two minutes of an overflow makes the connection; any other segment is
 * handled as the listener always does (a stray SYN-ACK still gets its RST).
 *
 * The cookie, as net/ipv4/syncookies.c builds it (secure_tcp_syn_cookie):
 *   ISN = H(addrs, ports, 0) + SEQ(SYN) + (count << 24) + ((H(addrs, ports, count) + mssind)
 *         mod 2^24),  count = minutes of the clock (tcp_cookie_time),
 * checked (check_tcp_syn_cookie) by taking the first hash and the SYN's sequence number back
 * out: the top byte gives the minute it was made, at most MAX_SYNCOOKIE_AGE (2) old, and
 * the low 24 bits less the second hash give mssind, an index into msstab. H is SipHash with
 * the host's own secret here (Linux: siphash with syncookie_secret, net_get_random_once).
 * Without timestamps Linux clears the SYN's options (tcp_conn_request: tcp_clear_options),
 * so the SYN-ACK offers the MSS only and the connection has no window scaling or SACK; with
 * timestamps Linux keeps them in the TSval, which is not modelled: the MSS only, always.
 *
 * Sources: Linux net/ipv4/syncookies.c (cookie_v4_init_sequence, cookie_v4_check, msstab
 * {536, 1300, 1440, 1460}), tcp_input.c (tcp_conn_request, tcp_syn_flood_action),
 * include/net/tcp.h (tcp_synq_overflow, tcp_synq_no_recent_overflow, TCP_SYNCOOKIE_VALID
 * 2 minutes); D. J. Bernstein, "SYN cookies" (https://cr.yp.to/syncookies.html).
 */
#include "tcp_int.h"

#include <string.h>

enum { COOKIE_BITS = 24, COOKIE_MAX_AGE = 2 };
#define COOKIE_MASK ((1u << COOKIE_BITS) - 1)
#define COOKIE_VALID_NS (120ull * 1000000000ull)   /* TCP_SYNCOOKIE_VALID: 2 minutes */

static const uint16_t tcp_msstab[] = { 536, 1300, 1440, 1460 };

/* H: the 4-tuple as the SYN carried it (client first) and a count, under the host's key. */
static uint32_t tcp_cookie_hash(const struct tcp_host *th, uint32_t saddr, uint32_t daddr,
                                uint16_t sport, uint16_t dport, uint32_t count, uint32_t c)
{
    uint32_t m[5] = { saddr, daddr, ((uint32_t)sport << 16) | dport, count, c };
    return (uint32_t)siphash24(th->cookie_key, m, sizeof m);
}

static uint32_t tcp_cookie_time(uint64_t now_ns)
{
    return (uint32_t)(now_ns / (60ull * 1000000000ull));
}

/* The cookie for a SYN from saddr:sport to daddr:dport with sequence number sseq. */
static uint32_t tcp_cookie_make(const struct tcp_host *th, uint64_t now_ns, uint32_t saddr,
                                uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t sseq,
                                uint32_t mssind)
{
    uint32_t count = tcp_cookie_time(now_ns);
    return tcp_cookie_hash(th, saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIE_BITS) +
           ((tcp_cookie_hash(th, saddr, daddr, sport, dport, count, 1) + mssind) & COOKIE_MASK);
}

/* mssind of a valid cookie, or -1. */
static int tcp_cookie_check(const struct tcp_host *th, uint64_t now_ns, uint32_t saddr,
                            uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t sseq,
                            uint32_t cookie)
{
    uint32_t count = tcp_cookie_time(now_ns);
    cookie -= tcp_cookie_hash(th, saddr, daddr, sport, dport, 0, 0) + sseq;
    uint32_t diff = (count - (cookie >> COOKIE_BITS)) & ((uint32_t)-1 >> COOKIE_BITS);
    if (diff >= COOKIE_MAX_AGE)
        return -1;
    uint32_t mssind = (cookie - tcp_cookie_hash(th, saddr, daddr, sport, dport, count - diff, 1)) &
                      COOKIE_MASK;
    return mssind < sizeof tcp_msstab / sizeof *tcp_msstab ? (int)mssind : -1;
}

static uint32_t tcp_cookie_mssind(const struct wire_tcp *seg)
{
    uint32_t mss = seg->opt.has_mss ? seg->opt.mss : 536, i = 3;
    while (i && mss < tcp_msstab[i])
        i--;
    return i;
}

void tcp_cookie_synack(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                       const struct wire_tcp *seg, int32_t lis, uint32_t hash,
                       struct tcp_verdict *v)
{
    th->lis[lis].overflow_ns = io->now_ns + 1;          /* tcp_synq_overflow */
    /* A TCB only long enough to build the SYN-ACK: nothing of it stays. */
    int32_t idx = tcp_tcb_new_hashed(th, seg->dport, ip->src, seg->sport, hash);
    if (idx < 0) {
        tcp_rule_note(th, v, TR_OOM);
        return;
    }
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    t->passive = true;
    t->state = TCP_SYN_RECEIVED;
    struct wire_tcp bare = *seg;
    memset(&bare.opt, 0, sizeof bare.opt);              /* tcp_clear_options */
    bare.opt.has_mss = seg->opt.has_mss;
    bare.opt.mss = seg->opt.mss;
    tcp_take_syn(th, t, &bare);
    t->iss = tcp_cookie_make(th, io->now_ns, ip->src, th->addr, seg->sport, seg->dport, seg->seq,
                             tcp_cookie_mssind(seg));
    t->snd_una = t->iss;
    t->snd_nxt = t->write_seq = t->iss + 1;
    t->rcv_wnd = tcp_synack_window(th, false);
    tcp_send_synack(th, io, t);
    tcp_tcb_free(th, idx);
    tcp_rule_note(th, v, TR_SYNCOOKIE_SEND);
}

bool tcp_cookie_ack(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                    const struct wire_tcp *seg, int32_t lis, uint32_t hash,
                    struct tcp_verdict *v)
{
    struct tcp_listener *L = &th->lis[lis];
    if (!L->overflow_ns || io->now_ns + 1 - L->overflow_ns > COOKIE_VALID_NS)
        return false;                                   /* tcp_synq_no_recent_overflow */
    int mssind = tcp_cookie_check(th, io->now_ns, ip->src, th->addr, seg->sport, seg->dport,
                                  seg->seq - 1, seg->ack - 1);
    if (mssind < 0)
        return false;
    int32_t idx = tcp_tcb_new_hashed(th, seg->dport, ip->src, seg->sport, hash);
    if (idx < 0)
        return false;
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint32_t mss = tcp_msstab[mssind] < th->xlen ? tcp_msstab[mssind] : th->xlen;
    t->passive = true;
    t->trusted = L->restricted;
    t->state = TCP_ESTABLISHED;
    t->irs = seg->seq - 1;
    t->rcv_nxt = t->rcv_wup = seg->seq;
    t->iss = seg->ack - 1;
    t->snd_una = t->snd_nxt = t->write_seq = seg->ack;
    t->mss = (uint16_t)mss;
    t->snd_wnd = t->max_snd_wnd = seg->window;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    t->rcv_wnd = tcp_synack_window(th, false);
    tcp_rule_note(th, v, TR_SYNCOOKIE_ACK);
    tcp_app_accept(th, io, idx);
    if (seg->payload_len || (seg->flags & TCP_FIN))
        tcp_in_text(th, io, idx, ip, seg, v);
    return true;
}
