/* tcp_out.c — every segment a simulated TCP sends, and the host-wide reply budgets.
 *
 * Why a file of its own: what goes on the wire is what students compare with tcpdump of a
 * real kernel, so option layouts, windows, IP-ID/DF choices and the rate limits that decide
 * whether a reply exists at all are kept together, each with its source.
 *
 * Sources: Linux net/ipv4/tcp_output.c (tcp_options_write: option layout; tcp_synack_options;
 * tcp_select_initial_window: window rounded down to the MSS; tcp_send_active_reset: RST+ACK),
 * tcp_ipv4.c (tcp_v4_send_reset: control-socket RST, window 0, no options;
 * tcp_v4_send_ack), tcp_input.c (tcp_send_challenge_ack in its 3.6-4.6 "count up" and 4.7+
 * "random quota, count down" forms; tcp_oow_rate_limited, 500 ms), net/core/secure_seq.c
 * (secure_tcp_ts_off: per address pair timestamp offset); FreeBSD tcp_output.c
 * tcp_addoptions (BSD layout) and ip_icmp.c badport_bandlim (RST budget); RFC 793 3.4,
 * RFC 5961 sections 3-5 and 7, RFC 7323 (timestamps), RFC 6928 (initial window 10).
 * A scenario's host key `options LIST` replaces the stack's layout (tcp_opts_custom).
 */
#include "tcp_int.h"

#include <string.h>

/* --- IP numbering and timestamps --- */

struct tcp_ipinfo tcp_ipinfo_for(struct tcp_host *th, struct tcp_tcb *t, enum tcp_ipk k)
{
    const struct personality *p = &th->p;
    struct tcp_ipinfo ii = { p->df, -1, -1 };
    if (k == TCP_IPK_CTL && p->rst_df_zero_id) {
        ii.df = true;
        ii.ipid = ii.ipid_next = 0;
    } else if (k == TCP_IPK_SYNACK && p->synack_df_zero_id) {
        ii.df = true;
        ii.ipid = ii.ipid_next = 0;
    } else if (k == TCP_IPK_CONN && t && p->df && p->synack_df_zero_id) {
        /* Linux 5.17+: a connected socket numbers its DF segments from its own counter,
         * which starts random (inet_id = get_random_u16()): here a keyed draw of the
         * connection, its 4-tuple and ISS, made when the first segment needs it */
        if (!t->ipid_set) {
            uint64_t w[2] = { (uint64_t)t->lport << 48 | (uint64_t)t->rport << 32 | t->raddr,
                              t->iss };
            t->ipid = (uint16_t)rng_key_hash(&th->key_conn, w, 2);
            t->ipid_set = true;
        }
        ii.ipid = t->ipid++;
        ii.ipid_next = t->ipid;
    }
    return ii;
}

uint32_t tcp_ts_offset(const struct tcp_host *th, uint32_t raddr)
{
    uint32_t pair[2] = { th->addr, raddr };
    return (uint32_t)siphash24(th->ts_key, pair, sizeof pair);
}

/* FreeBSD tcp_new_ts_offset with net.inet.tcp.ts_offset_per_conn=1 (the default since 12.0:
 * SipHash of addresses and ports), OpenBSD's per-connection ts_modulate: each connection's
 * clock starts elsewhere, so nmap's six SYNs see random TSvals (nmap-os-db FreeBSD 12 and
 * OpenBSD 6 TS=20-22, the rate of random numbers) */
uint32_t tcp_ts_offset_conn(const struct tcp_host *th, const struct tcp_tcb *t)
{
    uint32_t four[3] = { th->addr, t->raddr, (uint32_t)t->lport << 16 | t->rport };
    return (uint32_t)siphash24(th->ts_key, four, sizeof four);
}

uint32_t tcp_tsval(const struct tcp_host *th, struct tcp_tcb *t, uint64_t now_ns)
{
    if (!t->ts_off_set) {   /* a pure function of the pair: when it is computed changes nothing */
        t->ts_off = th->p.ts_offset_per_conn ? tcp_ts_offset_conn(th, t) : tcp_ts_offset(th, t->raddr);
        t->ts_off_set = true;
    }
    uint64_t hz = th->p.ts_hz ? th->p.ts_hz : 1000;
    uint64_t ticks = (now_ns / 1000000000u) * hz + (now_ns % 1000000000u) * hz / 1000000000u;
    return t->ts_off + (uint32_t)ticks;
}

/* --- option layouts --- */

static void tcp_opt(struct wire_tcp_opts *o, uint8_t kind)
{
    if (o->n < WIRE_TCP_OPT_MAX)
        o->order[o->n++] = kind;
}

/* nops NOPs, then the option: the word alignment most layouts use. */
static void tcp_opt_nops(struct wire_tcp_opts *o, unsigned nops, uint8_t kind)
{
    while (nops--)
        tcp_opt(o, TCPOPT_NOP);
    tcp_opt(o, kind);
}

static void tcp_opt_pad(struct wire_tcp_opts *o, unsigned *len, unsigned mod, unsigned want)
{
    while (*len == 0 || *len % mod != want) {
        tcp_opt(o, TCPOPT_NOP);
        (*len)++;
    }
}

/* A scenario's `options LIST` (p->opt_layout): the listed kinds in order, keeping only the
 * options this segment carries. MSS is always carried; SACK-permitted, timestamps and window
 * scale when `sack`, `ts`, `ws` say so (for a SYN-ACK: the stack supports the option and the
 * SYN offered it, RFC 2018 section 2, RFC 7323 sections 2.2 and 3.2). A NOP belongs to the
 * option that follows it in the list: it pads that option into place, so it goes when that
 * option goes (`mss,nop,nop,sack,nop,wscale` answering a SYN with no SACK-permitted sends
 * MSS,NOP,WS, not MSS,NOP,NOP,NOP,WS); NOPs after the last option belong to none and are
 * not sent (the parser refuses them). Nothing is re-aligned: the list is what is sent. */
static void tcp_opts_custom(const struct personality *p, struct wire_tcp_opts *o, bool sack,
                            bool ts, bool ws)
{
    unsigned nops = 0;       /* NOPs read and not yet placed: their option decides */
    for (unsigned i = 0; i < p->opt_layout_n && i < OS_OPT_LAYOUT_MAX; i++) {
        uint8_t k = p->opt_layout[i];
        bool *flag, keep;
        switch (k) {
        case TCPOPT_MSS:       flag = &o->has_mss;    keep = true; break;
        case TCPOPT_SACK_PERM: flag = &o->sack_perm;  keep = sack; break;
        case TCPOPT_TS:        flag = &o->has_ts;     keep = ts;   break;
        case TCPOPT_WSCALE:    flag = &o->has_wscale; keep = ws;   break;
        default:               nops++; continue;  /* a NOP */
        }
        if (keep) {
            for (; nops; nops--)
                tcp_opt(o, TCPOPT_NOP);
            tcp_opt(o, k);
            *flag = true;
        }
        nops = 0;
    }
}

void tcp_opts_syn(const struct personality *p, struct wire_tcp_opts *o, bool sack, bool ts,
                  bool ws)
{
    memset(o, 0, sizeof *o);
    o->mss = p->mss;
    o->wscale = p->wscale;
    if (p->opt_layout_n) {
        tcp_opts_custom(p, o, sack, ts, ws);
        return;
    }
    o->has_mss = true;
    o->sack_perm = sack;
    o->has_ts = ts;
    o->has_wscale = ws;
    tcp_opt(o, TCPOPT_MSS);
    unsigned len = 4;
    switch (p->opt_style) {
    case OS_OPTS_LINUX:        /* tcp_options_write */
        if (ts) {
            if (sack)
                tcp_opt(o, TCPOPT_SACK_PERM);
            tcp_opt_nops(o, sack ? 0 : 2, TCPOPT_TS);
        } else if (sack) {
            tcp_opt_nops(o, 2, TCPOPT_SACK_PERM);
        }
        if (ws)
            tcp_opt_nops(o, 1, TCPOPT_WSCALE);
        break;
    case OS_OPTS_BSD:          /* FreeBSD tcp_addoptions: MSS, WS, SACK_PERM, TS, padded */
        if (ws) {
            tcp_opt_pad(o, &len, 2, 1);
            tcp_opt(o, TCPOPT_WSCALE);
            len += 3;
        }
        if (sack) {
            while (len % 2) {
                tcp_opt(o, TCPOPT_NOP);
                len++;
            }
            tcp_opt(o, TCPOPT_SACK_PERM);
            len += 2;
        }
        if (ts) {
            tcp_opt_pad(o, &len, 4, 2);
            tcp_opt(o, TCPOPT_TS);
        }
        break;
    case OS_OPTS_WINDOWS:      /* Windows: MSS, NOP WS, SACK_PERM TS | NOP NOP SACK_PERM */
        if (ws)
            tcp_opt_nops(o, 1, TCPOPT_WSCALE);
        if (sack && ts) {
            tcp_opt(o, TCPOPT_SACK_PERM);
            tcp_opt(o, TCPOPT_TS);
        } else if (sack || ts) {
            tcp_opt_nops(o, 2, sack ? TCPOPT_SACK_PERM : TCPOPT_TS);
        }
        break;
    case OS_OPTS_MSS_ONLY:
        o->sack_perm = o->has_ts = o->has_wscale = false;
        break;
    case OS_OPTS_OPENBSD:      /* each option NOP-aligned in its own word, SACK before WS:
                                  nmap-os-db 'OpenBSD 6.x' O1..O6 and ECN O (os.h) */
        if (sack)
            tcp_opt_nops(o, 2, TCPOPT_SACK_PERM);
        if (ws)
            tcp_opt_nops(o, 1, TCPOPT_WSCALE);
        if (ts)
            tcp_opt_nops(o, 2, TCPOPT_TS);
        break;
    }
}

/* Timestamps on an established connection: NOP NOP TS, as every stack we model writes it,
 * then (Linux, tcp_ooo.c) NOP NOP SACK with the blocks to report. */
static void tcp_opts_data(struct tcp_host *th, struct tcp_tcb *t, struct wire_tcp_opts *o,
                          uint64_t now_ns)
{
    memset(o, 0, sizeof *o);
    if (!t->ts_ok) {
        if (t->rq)
            tcp_sack_opts(th, t, o);
        return;
    }
    o->has_ts = true;
    o->tsval = tcp_tsval(th, t, now_ns);
    o->tsecr = t->ts_recent;
    tcp_opt(o, TCPOPT_NOP);
    tcp_opt(o, TCPOPT_NOP);
    tcp_opt(o, TCPOPT_TS);
    if (t->rq)     /* SACK and D-SACK blocks after the timestamp (tcp_ooo.c) */
        tcp_sack_opts(th, t, o);
}

/* --- windows --- */

/* Linux tcp_select_initial_window: "if (space > mss) space = rounddown(space, mss)", the MSS
 * less the 12 timestamp bytes when the SYN offered TS: 64240 without, 65160 with. Computed
 * once per host (tcp_windows_init): a division per SYN-ACK otherwise. */
static uint16_t tcp_initial_window(const struct tcp_host *th, bool ts)
{
    if (!th->p.linux_stack)
        return th->p.window;
    uint32_t mss = th->xlen - (ts ? 12u : 0u), space = th->lin_space;
    if (space > mss)
        space = space / mss * mss;
    return (uint16_t)(space > 65535 ? 65535 : space);
}

void tcp_windows_init(struct tcp_host *th)
{
    th->synack_wnd[0] = tcp_initial_window(th, false);
    th->synack_wnd[1] = tcp_initial_window(th, true);
}

uint16_t tcp_synack_window(const struct tcp_host *th, bool ts)
{
    return th->synack_wnd[ts];
}

/* Linux tcp_connect_init: no timestamp recorded yet, so the full MSS: 64240. */
uint16_t tcp_syn_window(const struct tcp_host *th)
{
    return tcp_synack_window(th, false);
}

/* Linux's window space of a buffered TCB: tcp_rmem[1] at the scaling ratio it has measured
 * (tcp_int.h TCP_LIN_SPACE0, TCP_LIN_SPACE). */
static uint32_t tcp_lin_space(const struct tcp_sbuf *b)
{
    return b->lin_ratio ? TCP_LIN_SPACE : TCP_LIN_SPACE0;
}

/* Linux 6.18 tcp_output.c __tcp_select_window and tcp_select_window, for a TCB with a
 * buffer: free_space is the window space less what the application has not read; below
 * half the full space it is rounded down to the scale's unit and offered as 0 when under a
 * sixteenth of it or under one MSS; it is offered no larger than rcv_ssthresh (which
 * tcp_grow_window raises as data arrives) and, scaled, rounded up to the unit ("so that it
 * won't get scaled away"); unscaled, as a multiple of the MSS unless the current window is
 * within one MSS of it. The right edge never moves back: a smaller window is raised to
 * what is left of the last one. */
static uint32_t tcp_lin_window(const struct tcp_host *th, const struct tcp_tcb *t,
                               const struct tcp_sbuf *b)
{
    uint32_t unit = t->ws_ok ? 1u << t->rcv_wscale : 1u;
    uint32_t mss = th->xlen - (t->ts_ok ? 12u : 0u);
    uint32_t space = tcp_lin_space(b);
    uint32_t full = b->lin_clamp < space ? b->lin_clamp : space;
    uint32_t free = space > b->rcv_len ? space - b->rcv_len : 0;
    uint32_t win;
    if (mss > full)
        mss = full;
    if (free < full / 2) {
        free = free / unit * unit;
        if (free < (full >> 4) || free < mss)
            free = 0;
    }
    if (free > b->lin_ssthresh)
        free = b->lin_ssthresh;
    if (!free) {
        win = 0;
    } else if (t->ws_ok) {
        win = (free + unit - 1) / unit * unit;
    } else {
        win = t->rcv_awnd;
        if (win + mss <= free || win > free)
            win = free / mss * mss;
        else if (mss == full && free > win + (full >> 1))
            win = free;
    }
    uint32_t cur = tcp_lin_offered(t);
    if (win < cur)
        win = (cur + unit - 1) / unit * unit;
    uint32_t room = tcp_sb_rcv_free(th, t, b);
    if (win > room)
        win = room / unit * unit;     /* never more than the memory holds */
    return win;
}

void tcp_lin_rcv_data(struct tcp_host *th, const struct tcp_tcb *t, struct tcp_sbuf *b,
                      uint32_t n)
{
    uint32_t advmss = th->xlen - (t->ts_ok ? 12u : 0u);
    /* tcp_measure_rcv_mss: a full-sized segment gives the scaling ratio, and with it a new
     * window_clamp (tcp_set_window_clamp: rcv_ssthresh no larger) */
    if (!b->lin_ratio && n >= advmss) {
        b->lin_ratio = true;
        b->lin_clamp = TCP_LIN_SPACE;
        if (b->lin_ssthresh > b->lin_clamp)
            b->lin_ssthresh = b->lin_clamp;
    }
    /* tcp_event_data_recv: "if (skb->len >= 128) tcp_grow_window": while the buffer has room
     * beyond rcv_ssthresh, it grows by two segments (incr = 2 * tp->advmss), to the clamp */
    uint32_t space = tcp_lin_space(b), held = b->rcv_len + n;
    if (n >= 128 && b->lin_ssthresh < b->lin_clamp && space > held &&
        space - held > b->lin_ssthresh) {
        b->lin_ssthresh += 2 * advmss;
        if (b->lin_ssthresh > b->lin_clamp)
            b->lin_ssthresh = b->lin_clamp;
    }
}

/* RFC 9293 3.8.6: the window offered is the free receive buffer. A TCB without a buffer
 * (its bytes only counted, read at once) offers the stack's window, RCV.WND as set up. One
 * with a buffer (tcp_app.c) on Linux offers what tcp_lin_window gives. On another stack it
 * offers what TCP_SB_RCV has free, at most the stack's window; it leaves the right edge
 * where it is rather than move it on by less than min(RCV.BUFF/2, Eff.snd.MSS) (3.8.6.2.2,
 * receiver SWS avoidance: a full buffer offers 0 until the reader frees that much), and
 * never moves it back unless the buffer cannot hold it (the SYN's window, offered before
 * the buffer existed). With window scaling the window is rounded down to the scale's unit:
 * never more than the buffer holds (a 4096-byte buffer has no slack). */
uint32_t tcp_rcv_window(const struct tcp_host *th, const struct tcp_tcb *t)
{
    const struct tcp_sbuf *b = tcp_sb_of_c(th, t);
    if (!b)
        return t->rcv_wnd;
    if (th->p.linux_stack)
        return tcp_lin_window(th, t, b);
    uint32_t free = tcp_sb_rcv_free(th, t, b);
    uint32_t want = free < t->rcv_wnd ? free : t->rcv_wnd;
    uint32_t cur = tcp_lin_offered(t);
    uint32_t unit = t->ws_ok ? 1u << t->rcv_wscale : 1u;
    want = want / unit * unit;
    cur = (cur + unit - 1) / unit * unit;   /* the edge kept, in the scale's unit */
    if (cur > want)
        cur = want;
    uint32_t sws = TCP_SB_RCV / 2 < t->mss ? TCP_SB_RCV / 2 : t->mss;
    return want - cur < sws ? cur : want;
}

/* The window field of t's next segment; t remembers what it offered (in bytes). */
static uint16_t tcp_adv_window(struct tcp_host *th, struct tcp_tcb *t)
{
    uint32_t wnd = tcp_rcv_window(th, t);
    uint32_t w = t->ws_ok ? wnd >> t->rcv_wscale : wnd;
    if (w > 65535)
        w = 65535;
    t->rcv_awnd = t->ws_ok ? w << t->rcv_wscale : w;
    return (uint16_t)w;
}

/* After a read: RFC 9293 3.8.6.2.2's update when the window opens by min(RCV.BUFF/2, MSS);
 * Linux's tcp_cleanup_rbuf sends it when the window left is at most half the clamp and the
 * new one at least twice it. */
void tcp_rcv_update(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    if (!t->in_use || !t->sb || (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT_1 &&
                                 t->state != TCP_FIN_WAIT_2))
        return;
    uint32_t cur = tcp_lin_offered(t), now = tcp_rcv_window(th, t);
    if (th->p.linux_stack) {
        const struct tcp_sbuf *b = tcp_sb_of(th, t);
        if (2 * (uint64_t)cur <= b->lin_clamp && now && now >= 2 * (uint64_t)cur)
            tcp_send_ack(th, io, t, TCP_IPK_CONN);
        return;
    }
    if (now > cur)
        tcp_send_ack(th, io, t, TCP_IPK_CONN);
}

/* --- segments --- */

/* Every header field of a segment to emit, and no options. Field by field, not a memset of
 * the whole struct: its option block is most of it, and every caller but the RST lays the
 * options out next (tcp_opts_syn, tcp_opts_data), clearing them; emit reads opt.n and, only
 * when it is not 0, the rest of opt. */
static void tcp_seg_hdr(struct wire_tcp *s, uint16_t sport, uint16_t dport, uint32_t seq,
                        uint32_t ack, uint8_t flags)
{
    s->sport = sport;
    s->dport = dport;
    s->seq = seq;
    s->ack = ack;
    s->hdr_len = 0;
    s->flags = flags;
    s->reserved = 0;
    s->window = 0;
    s->csum = 0;
    s->csum_ok = false;
    s->urg = 0;
    s->opt.n = 0;
    s->payload = NULL;
    s->payload_len = 0;
}

static void tcp_seg_init(struct wire_tcp *s, const struct tcp_tcb *t, uint32_t seq, uint32_t ack,
                         uint8_t flags)
{
    tcp_seg_hdr(s, t->lport, t->rport, seq, ack, flags);
}

static void tcp_emit(struct tcp_host *th, const struct tcp_io *io, uint32_t dst,
                     const struct wire_tcp *s, struct tcp_ipinfo ii)
{
    (void)th;
    if (io->emit)
        io->emit(io->ctx, dst, s, &ii);
}

void tcp_send_synack(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t)
{
    struct wire_tcp s;
    tcp_seg_init(&s, t, t->iss, t->rcv_nxt, TCP_SYN | TCP_ACK | (t->ecn_ok ? TCP_ECE : 0));
    s.window = tcp_synack_window(th, t->ts_ok);
    t->rcv_awnd = s.window;             /* a SYN's window is never scaled */
    tcp_opts_syn(&th->p, &s.opt, t->sack_ok, t->ts_ok, t->ws_ok);
    if (t->ts_ok) {   /* TSval is written only when TS is in the layout */
        s.opt.tsval = tcp_tsval(th, t, io->now_ns);
        s.opt.tsecr = t->ts_recent;
    }
    tcp_emit(th, io, t->raddr, &s, tcp_ipinfo_for(th, t, t->passive ? TCP_IPK_SYNACK : TCP_IPK_CONN));
}

void tcp_syn_build(struct tcp_host *th, struct tcp_tcb *t, uint64_t now_ns, struct wire_tcp *s)
{
    const struct personality *p = &th->p;
    tcp_seg_init(s, t, t->iss, 0, TCP_SYN);
    s->window = tcp_syn_window(th);
    t->rcv_awnd = s->window;
    tcp_opts_syn(p, &s->opt, p->opt_sack, p->opt_ts, p->opt_wscale);
    if (p->opt_ts)
        s->opt.tsval = tcp_tsval(th, t, now_ns);   /* tsecr stays 0 */
}

void tcp_send_syn(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t)
{
    struct wire_tcp s;
    tcp_syn_build(th, t, io->now_ns, &s);
    tcp_emit(th, io, t->raddr, &s, tcp_ipinfo_for(th, t, TCP_IPK_CONN));
}

void tcp_send_ack(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t,
                  enum tcp_ipk k)
{
    struct wire_tcp s;
    tcp_seg_init(&s, t, t->snd_nxt, t->rcv_nxt, TCP_ACK);
    s.window = tcp_adv_window(th, t);
    tcp_opts_data(th, t, &s.opt, io->now_ns);
    t->rcv_wup = t->rcv_nxt;
    tcp_emit(th, io, t->raddr, &s, tcp_ipinfo_for(th, t, k));
}

void tcp_send_reset_for(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                        const struct wire_tcp *seg)
{
    tcp_send_reset_win(th, io, ip, seg, th->p.rst_window);
}

void tcp_send_reset_win(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                        const struct wire_tcp *seg, uint16_t window)
{
    if (seg->flags & TCP_RST)
        return;
    struct wire_tcp s;
    /* RFC 793 3.4: ACK = SEG.SEQ + SEG.LEN, FIN counted; 4.4BSD's dropwithreset adds the
     * SYN to ti_len but never the FIN (personality.rst_ack_skips_fin) */
    uint32_t len = tcp_seg_len(seg) - (th->p.rst_ack_skips_fin && (seg->flags & TCP_FIN));
    /* Windows leaves its SEQ in the ACK field of a bare RST as well (p0f's p0fr.fp: Windows
     * XP/2000 "dropped 2", quirks Q (SEQ = ACK) and A (ACK non-zero); nmap-os-db Windows
     * 10 T4 and T6 A=O); RFC 793 has the field ignored without the ACK flag, others send 0 */
    if (seg->flags & TCP_ACK)
        tcp_seg_hdr(&s, seg->dport, seg->sport, seg->ack,
                    th->p.rst_ack_field_seq ? seg->ack : 0, TCP_RST);
    else
        tcp_seg_hdr(&s, seg->dport, seg->sport, 0, seg->seq + len, TCP_RST | TCP_ACK);
    s.window = window;
    tcp_emit(th, io, ip->src, &s, tcp_ipinfo_for(th, NULL, TCP_IPK_CTL));
}

void tcp_send_ctl(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                  const struct wire_tcp *seg, uint32_t seq, uint32_t ack, uint8_t flags,
                  uint16_t window)
{
    struct wire_tcp s;
    tcp_seg_hdr(&s, seg->dport, seg->sport, seq, ack, flags);
    s.window = window;
    tcp_emit(th, io, ip->src, &s, tcp_ipinfo_for(th, NULL, TCP_IPK_CTL));
}

void tcp_send_active_reset(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t)
{
    struct wire_tcp s;
    tcp_seg_init(&s, t, t->snd_nxt, t->rcv_nxt, TCP_RST | TCP_ACK);
    s.window = tcp_adv_window(th, t);
    tcp_opts_data(th, t, &s.opt, io->now_ns);
    tcp_emit(th, io, t->raddr, &s, tcp_ipinfo_for(th, t, TCP_IPK_CONN));
}

/* One data segment [seq, seq+len), with FIN when it ends the stream and the FIN is due. */
static void tcp_send_data(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t,
                          uint32_t seq, uint32_t len, bool fin)
{
    struct wire_tcp s;
    uint8_t flags = TCP_ACK;
    if (len && seq + len == t->write_seq)
        flags |= TCP_PSH;          /* Linux tcp_mark_push: the last segment of a write */
    if (fin)
        flags |= TCP_FIN;
    tcp_seg_init(&s, t, seq, t->rcv_nxt, flags);
    s.window = tcp_adv_window(th, t);
    tcp_opts_data(th, t, &s.opt, io->now_ns);
    s.payload = len ? tcp_app_payload(th, t, seq) : NULL;
    s.payload_len = len;
    t->rcv_wup = t->rcv_nxt;
    tcp_emit(th, io, t->raddr, &s, tcp_ipinfo_for(th, t, TCP_IPK_CONN));
}

int tcp_output(struct tcp_host *th, const struct tcp_io *io, int32_t idx)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    int n = 0;
    if (t->state == TCP_SYN_SENT || t->state == TCP_SYN_RECEIVED)
        return 0;
    /* Flight limited by the peer's window and, with no congestion control modelled, by
     * the initial window of 10 segments (RFC 6928, Linux TCP_INIT_CWND). */
    bool idle = t->snd_una == t->snd_nxt;    /* nothing in flight */
    uint32_t cap = 10u * t->mss;
    uint32_t wnd = t->snd_wnd < cap ? t->snd_wnd : cap;
    while (tcp_before(t->snd_nxt, t->write_seq)) {
        uint32_t inflight = t->snd_nxt - t->snd_una;
        if (inflight >= wnd)
            break;
        uint32_t len = t->write_seq - t->snd_nxt;
        if (len > t->mss)
            len = t->mss;
        if (len > wnd - inflight)
            len = wnd - inflight;
        bool fin = t->fin_queued && !t->fin_sent && t->snd_nxt + len == t->write_seq;
        tcp_send_data(th, io, t, t->snd_nxt, len, fin);
        t->snd_nxt += len + fin;
        t->fin_sent |= fin;
        n++;
    }
    if (t->fin_queued && !t->fin_sent && t->snd_nxt == t->write_seq) {
        tcp_send_data(th, io, t, t->snd_nxt, 0, true);
        t->snd_nxt++;
        t->fin_sent = true;
        n++;
    }
    /* RTO for what was sent; with nothing in flight before, a fresh one (the persist
     * timer's, if it was running, is done: Linux tcp_ack_probe). Nothing sent, nothing in
     * flight and data behind a zero window: the persist timer (tcp_check_probe_timer). */
    if (n && (t->timer_kind != TCP_TK_REXMIT || idle))
        tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, (uint64_t)t->rto_ms * 1000000u);
    else if (!n && idle && !t->snd_wnd && tcp_before(t->snd_nxt, t->write_seq) &&
             t->timer_kind == TCP_TK_NONE)
        tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, (uint64_t)t->rto_ms * 1000000u);
    return n;
}

void tcp_send_probe0(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t)
{
    /* Linux tcp_xmit_probe_skb: "Use a previous sequence. This should cause the other end
     * to send an ack." */
    struct wire_tcp s;
    tcp_seg_init(&s, t, t->snd_una - 1, t->rcv_nxt, TCP_ACK);
    s.window = tcp_adv_window(th, t);
    tcp_opts_data(th, t, &s.opt, io->now_ns);
    t->rcv_wup = t->rcv_nxt;
    tcp_emit(th, io, t->raddr, &s, tcp_ipinfo_for(th, t, TCP_IPK_CONN));
}

void tcp_retransmit(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t)
{
    if (t->state == TCP_SYN_SENT) {
        tcp_send_syn(th, io, t);
        return;
    }
    if (t->state == TCP_SYN_RECEIVED) {
        tcp_send_synack(th, io, t);
        return;
    }
    uint32_t data_end = t->fin_sent ? t->write_seq : t->snd_nxt;
    uint32_t unacked = tcp_before(t->snd_una, data_end) ? data_end - t->snd_una : 0;
    uint32_t len = unacked < t->mss ? unacked : t->mss;
    bool fin = t->fin_sent && t->snd_una + len == t->write_seq;
    if (len || fin)
        tcp_send_data(th, io, t, t->snd_una, len, fin);
}

/* --- budgets --- */

/* Linux 4.7+: the quota of second `slot` is limit/2 + U[0, limit-1]
 * (get_random_u32_inclusive(half, limit + half - 1)). The draw is keyed by the host and the
 * second alone (SipHash of the slot under the host's chack key), not taken from a stream in
 * draw order: a second in which the host sent no challenge ACK must not shift the next
 * second's quota, or unrelated traffic would change what an attacker counts. */
uint32_t tcp_chack_quota(const struct tcp_host *th, uint64_t slot)
{
    uint32_t limit = th->p.chack_limit;
    if (limit == 0)
        return 0;
    uint32_t half = (limit + 1) >> 1;
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(slot >> (8 * i));
    uint64_t h = siphash24(th->chack_key, le, sizeof le);
    return half + (uint32_t)(h % limit);
}

bool tcp_chack_allow(struct tcp_host *th, uint64_t now_ns)
{
    const struct personality *p = &th->p;
    /* Linux: jiffies / HZ, seconds since the host booted; a kernel era's host booted at a
     * phase of its own (tcp_host_new), so its seconds are not the attacker's. */
    uint64_t slot = (now_ns + th->chack_phase_ns) / 1000000000u;
    switch (p->chack) {
    case CHACK_UNLIMITED:
        return true;
    case CHACK_FIXED:                       /* 3.6-4.6: count up, send while <= limit */
        if (slot != th->chack_slot) {
            th->chack_slot = slot;
            th->chack_count = 0;
        }
        if (th->chack_count >= p->chack_limit)
            return false;
        th->chack_count++;
        return true;
    case CHACK_RANDOM:                      /* 4.7+ (75ff39ccc1bd): random quota, count down */
        if (slot != th->chack_slot) {
            th->chack_slot = slot;
            th->chack_left = tcp_chack_quota(th, slot);
        }
        if (th->chack_left == 0)
            return false;
        th->chack_left--;
        return true;
    case CHACK_OFF:
        break;
    }
    return false;
}

bool tcp_rst_allow(struct tcp_host *th, uint64_t now_ns)
{
    if (th->p.rst_rate == 0)
        return true;
    uint64_t slot = now_ns / 1000000000u;
    if (slot != th->rst_slot) {
        th->rst_slot = slot;
        th->rst_count = 0;
    }
    if (th->rst_count >= th->p.rst_rate)
        return false;
    th->rst_count++;
    return true;
}

bool tcp_oow_limited(const struct tcp_host *th, struct tcp_tcb *t, const struct wire_tcp *seg,
                     uint64_t now_ns, bool all)
{
    /* Linux 4.0 (032ee4236954 and the series with it): before, every out-of-window segment
     * and every challenge ACK the host budget allowed was answered */
    if (!os_oow_limit(&th->p))
        return false;
    /* "Data packets without SYNs are not likely part of an ACK loop." */
    if (!all && tcp_seg_len(seg) != 0 && !(seg->flags & TCP_SYN))
        return false;
    if (t->oow_valid && now_ns - t->last_oow_ns < 500000000u)   /* tcp_invalid_ratelimit */
        return true;
    t->oow_valid = true;
    t->last_oow_ns = now_ns;
    return false;
}

int tcp_challenge_ack(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                      const struct wire_tcp *seg)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    /* per-socket limit first: none before 4.0 (tcp_oow_limited); 4.0-4.6 (f2b2c582e824)
     * exempt data segments; the linux-4.7 era and later (083ae308280d) limit all */
    bool all = os_chack_sock_all(&th->p);
    if (tcp_oow_limited(th, t, seg, io->now_ns, all))
        return TR_CHACK_OOW_LIMITED;
    if (!tcp_chack_allow(th, io->now_ns))
        return TR_BUDGET_CHACK;
    tcp_send_ack(th, io, t, TCP_IPK_CONN);
    return -1;
}
