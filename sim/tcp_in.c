/* tcp_in.c — segment processing for an existing TCB, and its timers.
 *
 * Why: the states after LISTEN are where real stacks differ from the RFC 793 text most
 * (RFC 5961's challenge ACKs, Linux's request sockets and TIME-WAIT sockets), and those
 * differences are what off-path attacks and scanners observe. Each branch follows one
 * function of Linux, named in the verdict's rule; each decision is a row of the rule table
 * (tcp_rules.c), which this file consults for what the row does:
 *   SYN-SENT                tcp_rcv_synsent_state_process (RFC 793 3.9 "SYN-SENT STATE")
 *   SYN-RECEIVED (passive)  tcp_check_req (tcp_minisocks.c): a request socket, not a TCB
 *   synchronized states     tcp_validate_incoming (RFC 5961: sequence -> RST -> SYN), then
 *                           tcp_ack (RFC 5961 5.2), tcp_rcv_state_process, tcp_data_queue
 *   TIME-WAIT               tcp_timewait_state_process (re-ACK; SYN reuse with ISN+65537)
 *
 * Linux hosts keep out-of-order data and report SACK and D-SACK blocks (tcp_ooo.c), check
 * PAWS and keep TS.Recent as RFC 7323 says (tcp_paws_reject, tcp_in_sync).
 *
 * Deliberate simplifications (documented so a student is not surprised): other stacks do
 * not queue out-of-order data (a duplicate ACK is sent and the peer retransmits); every
 * in-order segment is ACKed at once, as Linux does in quickack mode at the start of a
 * connection (a FIN's ACK is delayed only when the server's own FIN can carry it); no
 * congestion control beyond an initial window of 10 segments; the RTO is 1 s doubling
 * (RFC 6298's initial value) rather than measured; the peer's SACK blocks are not read.
 */
#include "tcp_int.h"

/* TCP_TIMEOUT_MIN_MS: Linux TCP_TIMEOUT_MIN, 2 jiffies (HZ 1000). */
enum { TCP_SYN_RETRIES = 6, TCP_RETRIES2 = 15, TCP_RTO_MAX_MS = 120000, TCP_TIMEOUT_MIN_MS = 2 };

static uint64_t tcp_ms(uint32_t ms) { return (uint64_t)ms * 1000000u; }

static uint32_t tcp_end_seq(const struct wire_tcp *s) { return s->seq + tcp_seg_len(s); }

/* Ends a connection: err is what an active open learns ('R' reset, 'T' timeout). */
static void tcp_drop_conn(struct tcp_host *th, int32_t idx, char err)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    if (t->conn >= 0 && err)
        th->conns[t->conn].err = err;
    tcp_tcb_free(th, idx);
}

/* --- SYN-SENT --- */

static void tcp_in_synsent(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                           const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                           struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint8_t f = seg->flags;
    if (f & TCP_ACK) {
        if (!tcp_after(seg->ack, t->snd_una) || tcp_after(seg->ack, t->snd_nxt)) {
            /* Linux: "Previous FIN/ACK or RST/ACK might be ignored": before any
             * retransmission, the SYN goes again at once (TCP_TIMEOUT_MIN) */
            bool again = th->p.linux_stack && t->retries == 0;
            if (again)
                tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, tcp_ms(TCP_TIMEOUT_MIN_MS));
            if (f & TCP_RST)
                tcp_rule_apply(th, io, idx, ip, seg, v,
                               again ? TR_SYNSENT_BADACK_RST_AGAIN : TR_SYNSENT_BADACK_RST);
            else
                tcp_rule_apply(th, io, idx, ip, seg, v,
                               again ? TR_SYNSENT_BADACK_AGAIN : TR_SYNSENT_BADACK);
            return;
        }
        if (f & TCP_RST) {
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_SYNSENT_RST);
            return;
        }
        if (!(f & TCP_SYN)) {
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_SYNSENT_NOSYN);
            return;
        }
        /* our SYN is acknowledged: take the peer's options, ESTABLISHED */
        uint32_t rcv_wnd = t->rcv_wnd;
        tcp_take_syn(th, t, seg);
        t->snd_una = seg->ack;
        t->snd_wl2 = seg->ack;
        t->rcv_wnd = rcv_wnd;
        t->state = TCP_ESTABLISHED;
        t->retries = 0;
        t->rto_ms = 1000;
        tcp_timer_stop(th, t);
        tcp_send_ack(th, io, t, TCP_IPK_CONN);
        tcp_output(th, io, idx);
        tcp_rule_note(th, v, TR_SYNSENT_SYNACK);
        return;
    }
    if (f & TCP_RST) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_SYNSENT_RST_NOACK);
        return;
    }
    if (f & TCP_SYN) {             /* crossed SYNs: simultaneous open, same ISN */
        tcp_take_syn(th, t, seg);
        t->state = TCP_SYN_RECEIVED;
        tcp_send_synack(th, io, t);
        tcp_rule_note(th, v, TR_SYNSENT_SYN);
        return;
    }
    tcp_rule_apply(th, io, idx, ip, seg, v, TR_SYNSENT_NOSYN);
}

/* --- SYN-RECEIVED: Linux's request socket (tcp_check_req) --- */

static bool tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win)
{
    if (seq == s_win)
        return true;
    if (tcp_after(end_seq, s_win) && tcp_before(seq, e_win))
        return true;
    return seq == e_win && seq == end_seq;
}

static void tcp_in_data(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                        const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                        struct tcp_verdict *v);

static void tcp_in_synrecv_req(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                               const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                               struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint8_t flg = seg->flags & (TCP_RST | TCP_SYN | TCP_ACK);
    if (seg->seq == t->irs && flg == TCP_SYN) {
        if (tcp_oow_limited(th, t, seg, io->now_ns, false)) {
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_REQ_SYN_LIMITED);
        } else {
            tcp_send_synack(th, io, t);
            tcp_rule_note(th, v, TR_REQ_SYN);
        }
        return;
    }
    if ((flg & TCP_ACK) && seg->ack != t->iss + 1) {
        tcp_reset_closed(th, io, ip, seg, false, v, TR_REQ_BADACK);
        return;
    }
    if (!tcp_in_window(seg->seq, tcp_end_seq(seg), t->rcv_nxt, t->rcv_nxt + t->rcv_wnd)) {
        tcp_rule_apply(th, io, idx, ip, seg, v, (flg & TCP_RST) ? TR_REQ_OOW_RST
                       : tcp_oow_limited(th, t, seg, io->now_ns, false) ? TR_REQ_OOW_LIMITED
                       : TR_REQ_OOW);
        return;
    }
    if (seg->seq == t->irs)
        flg &= (uint8_t)~TCP_SYN;  /* the SYN itself lies before the window: truncate it */
    if ((flg & TCP_RST) && th->p.linux_stack && seg->seq != t->rcv_nxt) {
        /* RFC 5961 3.2 in the request socket: only an exact RST ends it */
        tcp_rule_apply(th, io, idx, ip, seg, v, tcp_oow_limited(th, t, seg, io->now_ns, true)
                       ? TR_CHACK_OOW_LIMITED : TR_REQ_RST_CHALLENGE);
        return;
    }
    if (flg & (TCP_RST | TCP_SYN)) {
        tcp_rule_apply(th, io, idx, ip, seg, v,
                       (flg & TCP_RST) ? TR_REQ_RST : TR_REQ_SYN_IN_WINDOW);
        return;
    }
    if (!(flg & TCP_ACK)) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_REQ_NOACK);
        return;
    }
    /* the three-way handshake completes: the listening application accepts */
    if (t->listener >= 0) {
        th->lis[t->listener].synrecv--;
        t->listener = -1;
    }
    t->state = TCP_ESTABLISHED;
    t->snd_una = seg->ack;
    t->snd_wnd = (uint32_t)seg->window << t->snd_wscale;
    if (t->snd_wnd > t->max_snd_wnd)
        t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    t->retries = 0;
    t->rto_ms = 1000;
    /* RFC 7323 4.3 / Linux tcp_check_req: TS.Recent from the handshake's final ACK */
    if (t->ts_ok && seg->opt.has_ts)
        t->ts_recent = seg->opt.tsval;
    tcp_timer_stop(th, t);
    tcp_rule_note(th, v, TR_REQ_ACK);
    tcp_app_accept(th, io, idx);
    if (seg->payload_len || (seg->flags & TCP_FIN))
        tcp_in_data(th, io, idx, ip, seg, v);
}

/* --- the synchronized states --- */

/* Passive side: our simulated server closes as soon as it reads the peer's FIN. */
static void tcp_fin_received(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                             struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    if (t->state == TCP_ESTABLISHED && t->passive && t->conn < 0) {
        t->state = TCP_LAST_ACK;
        t->fin_queued = true;
        if (!th->p.linux_stack)
            tcp_send_ack(th, io, t, TCP_IPK_CONN);
        tcp_output(th, io, idx);
        tcp_rule_note(th, v, TR_FIN_SERVER_CLOSES);
        return;
    }
    tcp_send_ack(th, io, t, TCP_IPK_CONN);
    switch (t->state) {
    case TCP_ESTABLISHED:
        t->state = TCP_CLOSE_WAIT;
        tcp_rule_note(th, v, TR_FIN_ESTABLISHED);
        return;
    case TCP_FIN_WAIT_1:
        t->state = TCP_CLOSING;
        tcp_rule_note(th, v, TR_FIN_FINWAIT1);
        return;
    case TCP_FIN_WAIT_2:
        t->state = TCP_TIME_WAIT;
        tcp_timer_arm(th, io, idx, TCP_TK_TIMEWAIT, tcp_ms(th->p.time_wait_ms));
        tcp_rule_note(th, v, TR_FIN_FINWAIT2);
        return;
    default:
        tcp_rule_note(th, v, TR_FIN_AGAIN);
        return;
    }
}

/* Segment text and FIN (RFC 793 3.9 "seventh" and "eighth"; Linux tcp_data_queue). A Linux
 * host queues a segment ahead of RCV.NXT and reports it in SACK blocks, and reports
 * duplicates in D-SACK blocks (tcp_ooo.c); other stacks answer it with a duplicate ACK. */
static void tcp_in_data(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                        const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                        struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint32_t end = tcp_end_seq(seg);
    bool fin = seg->flags & TCP_FIN;
    bool lx = th->p.linux_stack;
    if (!seg->payload_len && !fin)
        return;
    if (tcp_after(seg->seq, t->rcv_nxt)) {
        if (lx && !t->sb && tcp_ooo_add(th, t, seg->seq, end, fin))
            tcp_rule_apply(th, io, idx, ip, seg, v,
                           t->sack_ok ? TR_DATA_OOO_QUEUED_SACK : TR_DATA_OOO_QUEUED);
        else
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_DATA_OOO);
        return;
    }
    if (!tcp_after(end, t->rcv_nxt)) {
        if (lx)
            tcp_dsack_set(th, t, seg->seq, end);
        tcp_rule_apply(th, io, idx, ip, seg, v,
                       lx && t->sack_ok ? TR_DATA_DUP_DSACK : TR_DATA_DUP);
        return;
    }
    if (lx && tcp_before(seg->seq, t->rcv_nxt))
        tcp_dsack_set(th, t, seg->seq, t->rcv_nxt);   /* the duplicate head of a partial one */
    uint32_t skip = tcp_before(seg->seq, t->rcv_nxt) ? t->rcv_nxt - seg->seq : 0;
    uint32_t n = skip < seg->payload_len ? (uint32_t)(seg->payload_len - skip) : 0;
    bool trimmed = false;
    /* Linux tcp_data_queue: "if (tcp_receive_window(tp) == 0)": a zero window offered
     * drops the segment with an ACK, whatever the buffer could still hold */
    uint32_t room = !t->sb ? n : lx && tcp_lin_offered(t) == 0 ? 0 : tcp_sb_rcv_room(th, t, n);
    if (t->sb && n > room) {
        /* RFC 9293 3.10.7.4: no more than the buffer holds; the rest (and a FIN after it)
         * is not acknowledged and comes again */
        n = room;
        trimmed = true;
        fin = false;
        end = t->rcv_nxt + n;
        if (!n) {
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_DATA_ZERO_WINDOW);
            return;
        }
    }
    t->rcv_nxt = end;              /* in order, or overlapping: take the new bytes */
    bool filled = false;
    if (t->rq) {
        int got = tcp_ooo_pull(th, t);
        tcp_sack_remove(th, t);
        filled = got != 0;
        fin |= (got & 2) != 0;
    }
    /* the application reads the new bytes; an answer carries the ACK */
    bool answered = false;
    if (t->sb && skip <= seg->payload_len)
        answered = tcp_app_input(th, io, idx, n ? seg->payload + skip : NULL, n, fin);
    if (fin) {
        tcp_fin_received(th, io, idx, v);
        return;
    }
    if (!answered)
        tcp_send_ack(th, io, t, TCP_IPK_CONN);
    tcp_rule_note(th, v, filled ? TR_DATA_OOO_FILLED : t->trusted ? TR_DATA_TRUSTED
                         : trimmed ? TR_DATA_TRIMMED : TR_DATA);
}

void tcp_in_text(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                 const struct wire_ipv4 *ip, const struct wire_tcp *seg, struct tcp_verdict *v)
{
    tcp_in_data(th, io, idx, ip, seg, v);
}

void tcp_tcb_reset(struct tcp_host *th, int32_t idx)
{
    tcp_drop_conn(th, idx, 'R');
}

/* RFC 5961 3.2 RST check (Linux tcp_validate_incoming step 2): an in-window RST. */
static enum tcp_rule_ix tcp_in_rst_rule(const struct tcp_host *th, const struct tcp_tcb *t,
                                        const struct wire_tcp *seg)
{
    if (th->p.chack == CHACK_OFF)
        return TR_SYNC_RST_793;
    return seg->seq == t->rcv_nxt ? TR_SYNC_RST_EXACT : TR_SYNC_RST_CHALLENGE;
}

/* RFC 5961 4.2 SYN check (Linux step 4, syn_challenge); without RFC 5961, 4.4BSD tcp_input:
 * "If a SYN is in the window, then this is an error and we send an RST and drop the
 * connection." */
static enum tcp_rule_ix tcp_in_syn_rule(const struct tcp_host *th)
{
    return th->p.chack == CHACK_OFF ? TR_SYNC_SYN_793 : TR_SYNC_SYN_CHALLENGE;
}

/* RFC 5961 5.2 and RFC 793 3.9 "fifth, check the ACK field" (Linux tcp_ack). Returns false
 * when the segment is to be dropped (v set). */
static bool tcp_in_ack(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                       const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                       struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint32_t ack = seg->ack;
    if (t->state == TCP_SYN_RECEIVED) {        /* simultaneous open, a full socket */
        if (tcp_before(ack, t->snd_una) || tcp_after(ack, t->snd_nxt)) {
            tcp_reset_closed(th, io, ip, seg, false, v, TR_SIMOPEN_BADACK);
            return false;
        }
        t->state = TCP_ESTABLISHED;
        tcp_timer_stop(th, t);
    }
    if (tcp_before(ack, t->snd_una)) {
        /* Linux bounds MAX.SND.WND by the bytes acknowledged so far: "do not accept ACK for
         * bytes we never sent" (tcp_ack, max_window = min(max_window, bytes_acked)) */
        uint32_t maxw = t->max_snd_wnd;
        if (os_chack_ack_bounded(&th->p) && tcp_bytes_acked(t) < maxw)
            maxw = tcp_bytes_acked(t);
        if (th->p.chack != CHACK_OFF && tcp_before(ack, t->snd_una - maxw)) {
            tcp_rule_apply(th, io, idx, ip, seg, v, os_chack_ack_bounded(&th->p) ||
                           !th->p.linux_stack ? TR_ACK_OLD_CHALLENGE
                           : TR_ACK_OLD_CHALLENGE_MAXWND);
            return false;
        }
        return true;                           /* old duplicate ACK: ignore it, keep data */
    }
    if (tcp_after(ack, t->snd_nxt)) {
        /* 2016-era Linux dropped it silently (RFC 793 3.9); current Linux answers with a
         * challenge ACK (RFC 9293 3.10.7.4, RFC 5961 5.2), as LINUX-FACTS.md section 5
         * measured: the linux-6.0 era, or a host without a budget (os_chack_ack_future). */
        tcp_rule_apply(th, io, idx, ip, seg, v, os_chack_ack_future(&th->p)
                       ? TR_ACK_FUTURE_CHALLENGE : TR_ACK_FUTURE_DROP);
        return false;
    }
    if (tcp_before(t->snd_wl1, seg->seq) || (t->snd_wl1 == seg->seq &&
                                              !tcp_before(ack, t->snd_wl2))) {
        t->snd_wnd = (uint32_t)seg->window << t->snd_wscale;
        if (t->snd_wnd > t->max_snd_wnd)
            t->max_snd_wnd = t->snd_wnd;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = ack;
    }
    if (tcp_after(ack, t->snd_una)) {
        t->snd_una = ack;
        t->retries = 0;
        t->rto_ms = 1000;
        if (t->snd_una == t->snd_nxt)
            tcp_timer_stop(th, t);
        else
            tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, tcp_ms(t->rto_ms));
    } else if (t->snd_una == t->snd_nxt && t->timer_kind == TCP_TK_REXMIT &&
               tcp_before(t->snd_nxt, t->write_seq)) {
        /* the persist timer's probe answered (Linux tcp_ack: icsk_probes_out = 0); the
         * timeout stays backed off while the window stays zero (tcp_ack_probe) */
        t->retries = 0;
        if (t->snd_wnd)
            t->rto_ms = 1000;
    }
    bool fin_acked = t->fin_sent && t->snd_una == t->write_seq + 1;
    if (fin_acked && t->state == TCP_FIN_WAIT_1) {
        t->state = TCP_FIN_WAIT_2;
        tcp_timer_arm(th, io, idx, TCP_TK_FINWAIT2, tcp_ms(th->p.time_wait_ms));
    } else if (fin_acked && t->state == TCP_CLOSING) {
        t->state = TCP_TIME_WAIT;
        tcp_timer_arm(th, io, idx, TCP_TK_TIMEWAIT, tcp_ms(th->p.time_wait_ms));
        tcp_rule_note(th, v, TR_CLOSING_ACKED);
        if (th->p.linux_stack)
            return false;   /* Linux tcp_rcv_state_process: tcp_time_wait, the rest consumed */
    } else if (fin_acked && t->state == TCP_LAST_ACK) {
        tcp_tcb_free(th, idx);
        tcp_rule_note(th, v, TR_LASTACK_ACKED);
        return false;
    }
    return true;
}

/* RFC 7323 5.3 PAWS (Linux tcp_paws_discard): a segment with a TSval older than TS.Recent
 * on a connection with timestamps. The 24-day idle rule never applies to a simulation's
 * connections; the one-second window Linux allows a RST (TCP_PAWS_WINDOW) is the caller's. */
static bool tcp_paws_reject(const struct tcp_tcb *t, const struct wire_tcp *seg)
{
    return t->ts_ok && seg->opt.has_ts && tcp_before(seg->opt.tsval, t->ts_recent);
}

/* An orphaned FIN-WAIT-2 (the application closed, our FIN acknowledged): Linux keeps it as
 * a TIME-WAIT socket in substate FIN_WAIT2 for tcp_fin_timeout (tcp_rcv_state_process,
 * tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)), and tcp_timewait_state_process "repeats all the
 * checks of tcp_rcv_state_process" in its own, harsher way: any RST in the window ends it,
 * a SYN at or after RCV.NXT and new data are answered with a RST. */
static void tcp_in_fw2_orphan(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                              const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                              struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint8_t f = seg->flags;
    uint32_t end = tcp_end_seq(seg);
    if (tcp_paws_reject(t, seg) ||
        !tcp_in_window(seg->seq, end, t->rcv_nxt, t->rcv_nxt + t->rcv_wnd)) {
        tcp_rule_apply(th, io, idx, ip, seg, v, (f & TCP_RST) ? TR_FW2_RST_OOW
                       : tcp_oow_limited(th, t, seg, io->now_ns, false) ? TR_TW_OOW_LIMITED
                       : TR_FW2_OOW);
        return;
    }
    if (f & TCP_RST) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_FW2_RST);
        return;
    }
    if ((f & TCP_SYN) && !tcp_before(seg->seq, t->rcv_nxt)) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_FW2_SYN);
        return;
    }
    if (!(f & TCP_ACK) || !tcp_after(end, t->rcv_nxt) || end == seg->seq) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_FW2_DUPACK);
        return;
    }
    if (!(f & TCP_FIN) || end != t->rcv_nxt + 1) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_FW2_DATA);
        return;
    }
    if (t->ts_ok && seg->opt.has_ts)
        t->ts_recent = seg->opt.tsval;
    t->rcv_nxt = end;
    t->state = TCP_TIME_WAIT;
    tcp_timer_arm(th, io, idx, TCP_TK_TIMEWAIT, tcp_ms(th->p.time_wait_ms));
    tcp_send_ack(th, io, t, TCP_IPK_CTL);
    tcp_rule_note(th, v, TR_FW2_FIN);
}

static void tcp_in_sync(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                        const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                        struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint8_t f = seg->flags;
    bool chack = th->p.chack != CHACK_OFF;
    /* Linux checks this before the sequence number in every synchronized state:
     * tcp_rcv_established's slow path in ESTABLISHED, tcp_rcv_state_process elsewhere. */
    if (!(f & (TCP_ACK | TCP_RST | TCP_SYN))) {
        tcp_rule_apply(th, io, idx, ip, seg, v,
                       t->state == TCP_ESTABLISHED ? TR_SYNC_NOFLAGS_EST : TR_SYNC_NOFLAGS);
        return;
    }
    /* first: sequence acceptability, Linux's window [RCV.WUP, RCV.NXT + RCV.WND]; a
     * buffered TCB's window ends where its free buffer does (RFC 9293 3.8.6: no edge it
     * offered lies beyond, tcp_rcv_window) */
    uint32_t right = !t->sb ? t->rcv_wup + t->rcv_wnd
                   : th->p.linux_stack ? t->rcv_nxt + tcp_lin_offered(t)
                   : t->rcv_nxt + tcp_sb_rcv_free(th, t, tcp_sb_of(th, t));
    bool ok = !tcp_before(tcp_end_seq(seg), t->rcv_wup) && !tcp_after(seg->seq, right);
    if (!ok) {
        if (f & TCP_RST) {
            bool fin_rcvd = t->state == TCP_CLOSE_WAIT || t->state == TCP_LAST_ACK ||
                            t->state == TCP_CLOSING;
            tcp_rule_apply(th, io, idx, ip, seg, v,
                           chack && fin_rcvd && seg->seq == t->rcv_nxt - 1
                           ? TR_SYNC_RST_RCVNXT_1 : TR_SYNC_RST_OUTSIDE);
            return;
        }
        if ((f & TCP_SYN) && chack) {
            tcp_rule_apply(th, io, idx, ip, seg, v, tcp_in_syn_rule(th));
            return;
        }
        if (tcp_oow_limited(th, t, seg, io->now_ns, false)) {
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_SYNC_OOW_LIMITED);
            return;
        }
        /* Linux tcp_send_dupack: an old segment's bytes before RCV.NXT as a D-SACK */
        if (th->p.linux_stack && tcp_seg_len(seg) && tcp_before(seg->seq, t->rcv_nxt))
            tcp_dsack_set(th, t, seg->seq, tcp_after(tcp_end_seq(seg), t->rcv_nxt)
                                               ? t->rcv_nxt : tcp_end_seq(seg));
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_SYNC_UNACCEPTABLE);
        return;
    }
    if (tcp_paws_reject(t, seg)) {
        if (f & TCP_RST) {
            /* "Reset is accepted even if it did not pass PAWS" (tcp_validate_incoming) */
        } else {
            tcp_rule_apply(th, io, idx, ip, seg, v, tcp_oow_limited(th, t, seg, io->now_ns, false)
                           ? TR_PAWS_OOW_LIMITED : TR_PAWS);
            return;
        }
    }
    if (f & TCP_RST) {
        tcp_rule_apply(th, io, idx, ip, seg, v, tcp_in_rst_rule(th, t, seg));
        return;
    }
    bool simopen_synack = t->state == TCP_SYN_RECEIVED && (f & TCP_ACK) &&
                          tcp_seg_len(seg) == 1 && seg->seq + 1 == t->rcv_nxt &&
                          seg->ack == t->snd_nxt;
    if ((f & TCP_SYN) && !simopen_synack) {
        tcp_rule_apply(th, io, idx, ip, seg, v, tcp_in_syn_rule(th));
        return;
    }
    tcp_rule_note(th, v, TR_ACK_OK);
    /* RFC 7323 4.3: TS.Recent moves (forward only) with a segment at or before RCV.WUP
     * (Last.ACK.sent) whose ACK is acceptable: Linux tcp_replace_ts_recent, in tcp_ack
     * after its ACK checks, so a rejected ACK leaves it as it was. */
    bool ts_take = t->ts_ok && seg->opt.has_ts && !tcp_after(seg->seq, t->rcv_wup) &&
                   !tcp_before(seg->opt.tsval, t->ts_recent);
    uint32_t tsval = seg->opt.tsval;
    if (!tcp_in_ack(th, io, idx, ip, seg, v))
        return;
    t = tcp_tcb_at(th, idx);
    if (ts_take)
        t->ts_recent = tsval;
    if (simopen_synack) {
        tcp_rule_note(th, v, TR_SIMOPEN_SYNACK);
        return;
    }
    bool newdata = seg->payload_len && tcp_after(tcp_end_seq(seg) - !!(f & TCP_FIN), t->rcv_nxt);
    switch (t->state) {
    case TCP_CLOSE_WAIT: case TCP_CLOSING: case TCP_LAST_ACK:
        if (!tcp_before(seg->seq, t->rcv_nxt)) {
            if (seg->payload_len || (f & TCP_FIN))
                tcp_rule_note(th, v, TR_TEXT_AFTER_FIN);
            break;
        }
        /* fall through */
    case TCP_FIN_WAIT_1: case TCP_FIN_WAIT_2:
        if (newdata) {             /* close() shut the receive side too */
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_DATA_AFTER_CLOSE);
            return;
        }
        /* fall through */
    default:
        tcp_in_data(th, io, idx, ip, seg, v);
        break;
    }
    t = tcp_tcb_at(th, idx);
    if (t->in_use && t->sb)
        tcp_app_pump(th, io, idx);
    if (t->in_use)
        tcp_output(th, io, idx);
}

/* --- TIME-WAIT: Linux tcp_timewait_state_process --- */

static void tcp_in_timewait(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                            const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                            struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    uint8_t f = seg->flags;
    uint64_t tw = tcp_ms(th->p.time_wait_ms);
    bool paws = tcp_paws_reject(t, seg);   /* RFC 7323 5.3: answered with an ACK below */
    if (!paws && seg->seq == t->rcv_nxt && (tcp_seg_len(seg) == 0 || (f & TCP_RST))) {
        if (f & TCP_RST) {
            tcp_tcb_free(th, idx);
            tcp_rule_note(th, v, TR_TW_RST);
        } else {
            tcp_timer_arm(th, io, idx, TCP_TK_TIMEWAIT, tw);
            tcp_rule_note(th, v, TR_TW_ACK);
        }
        return;
    }
    if (!paws && (f & (TCP_SYN | TCP_RST | TCP_ACK)) == TCP_SYN &&
        tcp_after(seg->seq, t->rcv_nxt)) {
        /* TCP_TW_SYN: a listener takes the SYN; without one tcp_v4_rcv falls through to
         * TCP_TW_ACK, an ACK outside tcp_timewait_check_oow_rate_limit, timer untouched. */
        int32_t lis = tcp_listener_find(th, t->lport);
        if (lis < 0) {
            tcp_rule_apply(th, io, idx, ip, seg, v, TR_TW_SYN_NOLISTENER);
            return;
        }
        uint32_t isn = tcp_tw_reuse_isn(t->snd_nxt);
        tcp_tcb_free(th, idx);
        tcp_listen_input(th, io, ip, seg, lis, isn, v);
        if (v->rule_id == tcp_rules[TR_LISTEN_SYN].id)
            tcp_rule_note(th, v, TR_TW_SYN_REUSE);
        return;
    }
    if (f & TCP_RST) {
        tcp_rule_apply(th, io, idx, ip, seg, v, TR_TW_RST_OOW);
        return;
    }
    if ((f & TCP_ACK) || paws)
        tcp_timer_arm(th, io, idx, TCP_TK_TIMEWAIT, tw);
    tcp_rule_apply(th, io, idx, ip, seg, v, tcp_oow_limited(th, t, seg, io->now_ns, false)
                   ? TR_TW_OOW_LIMITED : TR_TW_REACK);
}

void tcp_tcb_input(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   const struct wire_ipv4 *ip, const struct wire_tcp *seg, struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    switch (t->state) {
    case TCP_SYN_SENT:
        tcp_in_synsent(th, io, idx, ip, seg, v);
        break;
    case TCP_SYN_RECEIVED:
        if (t->passive)
            tcp_in_synrecv_req(th, io, idx, ip, seg, v);
        else
            tcp_in_sync(th, io, idx, ip, seg, v);
        break;
    case TCP_TIME_WAIT:
        tcp_in_timewait(th, io, idx, ip, seg, v);
        break;
    case TCP_FIN_WAIT_2:
        if (th->p.linux_stack && t->conn < 0 && !t->passive)
            tcp_in_fw2_orphan(th, io, idx, ip, seg, v);
        else
            tcp_in_sync(th, io, idx, ip, seg, v);
        break;
    default:
        tcp_in_sync(th, io, idx, ip, seg, v);
        break;
    }
}

/* --- timers --- */

/* The time of a passive SYN-RECEIVED TCB's n-th retransmission timeout after its first
 * SYN-ACK: the timeouts start at synack_rto_ms and double. (When the keep timer shortened
 * the last wait, the timer fires earlier; the n-th time is then at or past the keep time.) */
static uint32_t tcp_synrecv_age_ms(const struct tcp_host *th, unsigned n)
{
    uint32_t rto = th->p.synack_rto_ms ? th->p.synack_rto_ms : 1000, age = 0;
    for (unsigned i = 0; i < n; i++) {
        age += rto;
        rto = rto * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : rto * 2;
    }
    return age;
}

static void tcp_rexmit_timer(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                             struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    int limit;
    enum tcp_rule_ix give_up;
    if (t->state == TCP_SYN_RECEIVED) {
        limit = th->p.synack_retries;
        give_up = TR_SYNACK_GIVEUP;
    } else if (t->state == TCP_SYN_SENT) {
        limit = TCP_SYN_RETRIES;
        give_up = TR_SYN_GIVEUP;
    } else {
        limit = TCP_RETRIES2;
        give_up = TR_REXMIT_GIVEUP;
    }
    if (t->snd_una == t->snd_nxt && t->state != TCP_SYN_SENT && t->state != TCP_SYN_RECEIVED &&
        tcp_before(t->snd_nxt, t->write_seq) && t->snd_wnd == 0) {
        /* the persist timer (RFC 9293 3.8.6.1, Linux tcp_probe_timer): data waits behind
         * the peer's zero window; a probe asks for the window, so a lost update does not
         * stall the connection. Unanswered tcp_retries2 times, the connection is dropped. */
        if (t->retries >= TCP_RETRIES2) {
            tcp_drop_conn(th, idx, 'T');
            tcp_rule_note(th, v, TR_PROBE0_GIVEUP);
            return;
        }
        t->retries++;
        t->rto_ms = t->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : t->rto_ms * 2;
        tcp_send_probe0(th, io, t);
        tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, tcp_ms(t->rto_ms));
        tcp_rule_note(th, v, TR_PROBE0);
        return;
    }
    if (t->snd_una == t->snd_nxt && t->state != TCP_SYN_SENT && t->state != TCP_SYN_RECEIVED) {
        t->timer_kind = TCP_TK_NONE;
        tcp_verdict_clear(v);                 /* nothing unacknowledged: nothing to report */
        return;
    }
    uint32_t keep = t->state == TCP_SYN_RECEIVED && t->passive ? th->p.synrecv_keep_ms : 0;
    if (keep) {                   /* 4.4BSD: the keep timer, not a retry count, ends it */
        limit = INT32_MAX;
        if (tcp_synrecv_age_ms(th, t->retries + 1u) >= keep) {
            tcp_drop_conn(th, idx, 'T');
            tcp_rule_note(th, v, TR_SYNRECV_KEEP);
            return;
        }
    }
    if (t->retries >= limit) {
        tcp_drop_conn(th, idx, 'T');
        tcp_rule_note(th, v, give_up);
        return;
    }
    t->retries++;
    t->rto_ms = t->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : t->rto_ms * 2;
    tcp_retransmit(th, io, t);
    uint32_t next = t->rto_ms;
    if (keep) {
        uint32_t age = tcp_synrecv_age_ms(th, t->retries);
        if (age + next > keep)
            next = keep - age;    /* the keep timer fires before the next retransmission */
    }
    tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, tcp_ms(next));
    /* Linux's request-socket timer, BSD's syncache */
    tcp_rule_note(th, v, t->state == TCP_SYN_RECEIVED ? TR_SYNACK_REXMIT
                         : t->state == TCP_SYN_SENT ? TR_SYN_REXMIT : TR_REXMIT);
}

void tcp_tcb_timer(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   struct tcp_verdict *v)
{
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    switch (t->timer_kind) {
    case TCP_TK_REXMIT:
        tcp_rexmit_timer(th, io, idx, v);
        break;
    case TCP_TK_TIMEWAIT:
        tcp_tcb_free(th, idx);
        tcp_rule_note(th, v, TR_TW_TIMEOUT);
        break;
    case TCP_TK_FINWAIT2:
        tcp_tcb_free(th, idx);
        tcp_rule_note(th, v, TR_FINWAIT2_TIMEOUT);
        break;
    default:
        tcp_verdict_clear(v);
        break;
    }
}
