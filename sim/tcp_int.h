/* tcp_int.h — internal to sim/tcp*.c: the TCB, the host's TCP state, and the functions the
 * four TCP files share.
 *
 * Split (lwIP-style, one job per file):
 *   tcp.c      the host: TCB pool and 4-tuple table, listeners, dispatch of every input
 *              segment (closed port, LISTEN, then per-state), the socket API;
 *   tcp_timer.c  arming, stopping and firing the TCBs' timers (one per TCB);
 *   tcp_in.c   segment processing for a TCB: SYN-SENT, SYN-RECEIVED (Linux tcp_check_req),
 *              the synchronized states with RFC 5961, TIME-WAIT (tcp_timewait_state_process);
 *   tcp_out.c  everything that builds a segment: option layouts, SYN, SYN-ACK, ACK, RST,
 *              data, retransmission, and the host-wide budgets (challenge ACK, RST rate).
 *
 * TCBs are addressed by index into a pool that grows by doubling, never by pointer across a
 * call that may allocate. Timer tokens are (generation << 32 | index): re-arming a TCB's
 * one timer bumps its generation, so the engine never has to cancel anything. With
 * tcp_io.timer_at (the simulator's hosts) the timers also sit in the host's ordered lists,
 * which a stopped timer leaves, and the engine holds one entry per host, for the earliest
 * (tcp_timer.c).
 */
#ifndef TCPLAB_TCP_INT_H
#define TCPLAB_TCP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/rng.h"
#include "gen.h"
#include "os.h"
#include "scenario.h"
#include "tcp.h"
#include "tcp_rules.h"

/* Linux TCP_MIN_SND_MSS (net.ipv4.tcp_min_snd_mss default, 5.4+): the send MSS floor. */
enum { TCP_MIN_SND_MSS = 48 };

enum tcp_timer_kind {
    TCP_TK_NONE = 0,
    TCP_TK_REXMIT,     /* SYN, SYN-ACK, data or FIN retransmission */
    TCP_TK_TIMEWAIT,   /* end of TIME-WAIT */
    TCP_TK_FINWAIT2,   /* orphaned FIN-WAIT-2 (Linux tcp_fin_timeout) */
};

/* How the IP layer numbers a segment: Linux sends control-socket replies (closed-port RST,
 * TIME-WAIT and request-socket ACKs) and SYN-ACKs with DF and ID 0; a connected socket uses
 * its own counter. */
enum tcp_ipk { TCP_IPK_CTL, TCP_IPK_SYNACK, TCP_IPK_CONN };

struct tcp_tcb {
    bool in_use;
    bool passive;          /* created from a listener (our simulated server application) */
    bool ts_ok, sack_ok, ws_ok;
    bool ecn_ok;           /* the SYN asked for ECN (ECE+CWR) and we answer with ECE */
    bool fin_queued;       /* the application closed: FIN after the queued data */
    bool fin_sent;
    bool oow_valid;        /* last_oow_ns is set (Linux last_oow_ack_time != 0) */
    bool ts_off_set;       /* ts_off computed (lazily: only segments with timestamps need it) */
    bool ipid_set;         /* ipid drawn (lazily, keyed: tcp_tcb_ipid) */
    bool trusted;          /* made by a `from ADDR` listener: the peer is the trusted host */
    int8_t state;          /* enum tcp_state */
    uint8_t timer_kind;    /* enum tcp_timer_kind; NONE = no live timer */
    uint8_t snd_wscale, rcv_wscale;
    uint8_t retries;
    uint16_t lport, rport;
    uint32_t raddr;
    uint32_t hash;         /* tcp_hash of the tuple: the table's rehash and deletion reuse it */
    uint32_t timer_gen;    /* survives reuse: stale tokens never match a new TCB */
    uint32_t iss, irs;
    uint32_t snd_una, snd_nxt, snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
    uint32_t write_seq;    /* end of the bytes the application queued (sent or not) */
    uint32_t rcv_nxt, rcv_wnd, rcv_wup;
    uint32_t rcv_awnd;     /* the window its last segment offered, in bytes (the right edge
                              is RCV.WUP + rcv_awnd; tcp_rcv_window) */
    uint32_t ts_recent, ts_off;
    uint16_t mss;          /* effective send MSS (peer's MSS, less 12 with timestamps) */
    uint16_t ipid;         /* connected socket's own IP-ID counter */
    uint32_t rto_ms;
    uint64_t last_oow_ns;
    int32_t conn;          /* connection id, -1 */
    int32_t listener;      /* listener index while a passive TCB is SYN-RECEIVED, -1 */
    int32_t next_free;
    /* list mode (tcp_io.timer_at): place in the host's timer list `tm_list` */
    bool tm_linked;
    uint8_t tm_list;
    uint16_t rq;           /* out-of-order queue and SACK state: th->rq[rq - 1]; 0 = none
                              (in what was padding: the TCB stays 144 bytes) */
    uint16_t sb;           /* byte buffers and application: th->sb[sb - 1]; 0 = none (the
                              data it sends is 'X's, what it reads is only counted) */
    int32_t tm_prev, tm_next;
    uint64_t tm_at, tm_key;   /* due time and the engine's tie break */
};

/* List mode keeps two timer lists, each ordered by (due time, key): retransmissions (RTOs
 * from 1 s, doubling) and the rest (TIME-WAIT and FIN-WAIT-2, one delay). Timers armed with
 * one delay come in due order, so inserting is an append; two lists keep a 1 s RTO from
 * walking back over every 60 s TIME-WAIT. The host's earliest timer is the earlier head. */
enum { TCP_TM_REXMIT, TCP_TM_LONG, TCP_TM_LISTS };

/* A connection's out-of-order queue and SACK scoreboard (tcp_ooo.c), kept apart from the
 * TCB so that connections that never use it cost nothing. */
enum { TCP_OOO_MAX = 16, TCP_NUM_SACKS = 4 };
struct tcp_rcvq {
    uint8_t n;                       /* queued ranges [l, r), sorted, disjoint */
    uint8_t nsack;                   /* SACK blocks to report, most recent first */
    bool dsack;                      /* a D-SACK block is pending */
    bool fin[TCP_OOO_MAX];           /* the range ends with the peer's FIN */
    uint32_t l[TCP_OOO_MAX], r[TCP_OOO_MAX];
    uint32_t sack[TCP_NUM_SACKS][2];
    uint32_t dsack_l, dsack_r;
    int32_t next_free;
};

struct tcp_listener {
    uint16_t port;
    bool restricted;       /* `tcp PORT from ADDR`: serves only from_addr (rsh's trust) */
    int32_t synrecv;       /* half-open TCBs: the backlog */
    uint32_t from_addr;
    uint64_t overflow_ns;  /* Linux: when the queue last overflowed, +1 (0: never) */
};

struct tcp_conn {
    bool used;
    int8_t state;          /* the state once the TCB is gone (CLOSED) */
    char err;              /* 0, 'R', 'I', 'T' */
    uint8_t icmp_type, icmp_code;
    uint16_t sb;           /* the byte buffers a buffered stream reads from, 0 = none */
    int32_t tcb;           /* -1 when the TCB is gone */
};

/* A connection's bytes (tcp_app.c), for a service application or a buffered stream: what
 * it has queued to send from snd_seq on (kept until acknowledged, for retransmission), and
 * what it has received and not yet consumed. The send buffer is a fixed array; the receive
 * storage starts at TCP_SB_RCV bytes and doubles, when a segment needs it, up to what the
 * stack's buffer holds (tcp_sb_rcv_max): a few allocations in a connection's life, none per
 * segment once it is grown. The buffers come from a pool with a free list and keep their
 * storage for the next connection.
 *
 * Linux's receive window (tcp_out.c tcp_rcv_window) also needs rcv_ssthresh and
 * window_clamp (tp->rcv_ssthresh, tp->window_clamp) and whether a full-sized segment has
 * come (Linux then measures its scaling_ratio, and the buffer's window space grows). */
enum { TCP_SB_SND = 8192, TCP_SB_RCV = 4096 };
/* Linux 6.18, tcp_rmem[1] = 131072 bytes of receive buffer, as window (tcp_win_from_space:
 * space * scaling_ratio >> 8): 65536 at the default ratio 128 (TCP_DEFAULT_SCALING_RATIO);
 * 88576 at ratio 173 once full-sized segments arrive (fitted to the kernel's zero window
 * after 88320 unread bytes from 1448-byte segments over a veth, tests/live/LINUX-FACTS.md
 * section 7, wn_hold_*). */
enum { TCP_LIN_RMEM = 131072, TCP_LIN_RATIO0 = 128, TCP_LIN_RATIO = 173 };
enum { TCP_LIN_SPACE0 = TCP_LIN_RMEM * TCP_LIN_RATIO0 >> 8,
       TCP_LIN_SPACE = TCP_LIN_RMEM * TCP_LIN_RATIO >> 8 };
struct tcp_sbuf {
    bool by_tcb, by_conn;          /* who holds it: freed when neither does */
    bool rcv_fin;                  /* the peer's FIN came after rcv's bytes */
    bool lin_ratio;                /* Linux: a full-sized segment came (window space grown) */
    int32_t svc;                   /* th->svc index of the application, -1: a client stream */
    int32_t next_free;
    uint32_t snd_seq, snd_len, rcv_len;
    uint32_t rcv_cap;              /* bytes of storage at rcv */
    uint32_t lin_ssthresh, lin_clamp;   /* Linux rcv_ssthresh, window_clamp (bytes) */
    uint8_t *rcv;
    uint8_t snd[TCP_SB_SND];
};

struct tcp_host {
    struct personality p;
    uint32_t addr;
    struct scn_portset listen;
    struct tcp_listener *lis;      /* sorted by port */
    uint32_t nlis;
    struct gen_isn isn;
    /* Keyed draws (lib/rng.h rng_key): an ephemeral port by its destination and time, a
     * connection's own IP-ID start by its 4-tuple and ISS (and, with chack_key, a
     * challenge-ACK second's random quota by that second), so no flow's numbers move with
     * another's traffic. */
    struct rng_key key_port, key_conn;
    uint8_t ts_key[16];
    uint8_t chack_key[16];  /* keys each second's random challenge-ACK quota (tcp_chack_quota) */
    uint64_t chack_phase_ns; /* where the host's seconds begin (a kernel era: drawn; else 0) */
    uint32_t lin_space;            /* Linux: receive space before MSS rounding */
    uint16_t synack_wnd[2];        /* tcp_synack_window without and with timestamps */
    /* TCB pool and the 4-tuple table (open addressing, linear probing, -1 = empty) */
    struct tcp_tcb *pool;
    uint32_t npool, cappool;
    int32_t free_head;
    int32_t *slot;
    uint32_t slot_mask, nslot;
    struct tcp_conn *conns;
    uint32_t capconns;
    /* list mode timers (tcp_io.timer_at): lists by TCB index, -1 = empty; the engine entry
     * asked for last, if it has not come due yet (its key <= every listed timer's) */
    int32_t tm_head[TCP_TM_LISTS], tm_tail[TCP_TM_LISTS];
    bool tm_sched;
    uint64_t tm_sched_at, tm_sched_key, tm_sched_tok;
    /* host-wide budgets: aligned one-second slots of the virtual clock */
    uint64_t chack_slot, rst_slot;
    uint32_t chack_left, chack_count, rst_count;
    /* the bytes data segments carry: xcap bytes of 'X', enough for any send MSS; xlen is
     * this host's own MSS (personality.mss, 536 when unset) */
    uint8_t *xbuf;
    uint32_t xlen, xcap;
    /* out-of-order queues (tcp_ooo.c): a pool with a free list; the SACK blocks of the
     * segment being emitted, big-endian */
    struct tcp_rcvq *rq;
    uint32_t nrq, caprq;
    int32_t rq_free;
    uint8_t sackbuf[8 * TCP_NUM_SACKS];
    /* service applications by port (tcp_app.c) and the connections' byte buffers */
    struct scn_service *svc;
    uint32_t nsvc;
    struct tcp_sbuf *sb;
    uint32_t nsb, capsb;
    int32_t sb_free;
    /* rule texts with this host's numbers, formatted once at setup */
    char rule_backlog[64], rule_chack[64], rule_rst_rate[64];
    uint8_t cookie_key[16];        /* Linux syncookie_secret (tcp_syncookies.c) */
};

/* --- tcp.c --- */
struct tcp_tcb *tcp_tcb_at(struct tcp_host *th, int32_t idx);
void tcp_tcb_free(struct tcp_host *th, int32_t idx);
/* What a connection is once its TCB is gone. RFC 793 3.9, SYN-RECEIVED: one "initiated with
 * a passive OPEN (i.e., came from the LISTEN state)" that is dropped (a RST, an ICMP abort,
 * SYN-ACK retries exhausted) goes back to LISTEN; any other is CLOSED. */
static inline int tcp_gone_state(const struct tcp_tcb *t)
{
    return t->passive && t->state == TCP_SYN_RECEIVED ? TCP_LISTEN : TCP_CLOSED;
}
/* Fills the verdict's trace-only fields (state after, next ISN). had_tcb: the event found a
 * TCB, and v->state_after was set to its tcp_gone_state before the event. */
void tcp_verdict_finish(const struct tcp_host *th, const struct tcp_io *io,
                        struct tcp_verdict *v, uint16_t lport, uint32_t raddr, uint16_t rport,
                        bool had_tcb);

/* --- tcp_timer.c --- */
void tcp_timer_arm(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   enum tcp_timer_kind kind, uint64_t delay_ns);
void tcp_timer_stop(struct tcp_host *th, struct tcp_tcb *t);
int32_t tcp_listener_find(const struct tcp_host *th, uint16_t port);
/* The LISTEN state's answer to a segment for port with no TCB. isn_override: Linux's
 * TIME-WAIT reuse ISN (tw_snd_nxt + 65537), or 0 for the generator. */
void tcp_listen_input(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                      const struct wire_tcp *seg, int32_t lis, uint32_t isn_override,
                      struct tcp_verdict *v);
/* --- tcp_cookie.c: Linux SYN cookies (net.ipv4.tcp_syncookies = 1) --- */
/* The SYN-ACK carrying a cookie for a SYN that found the queue full; no state is kept. */
void tcp_cookie_synack(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                       const struct wire_tcp *seg, int32_t lis, uint32_t hash,
                       struct tcp_verdict *v);
/* An ACK at the listener: when the queue overflowed in the last two minutes and the ACK
 * returns a valid cookie, the connection is made (ESTABLISHED) and true returned. */
bool tcp_cookie_ack(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                    const struct wire_tcp *seg, int32_t lis, uint32_t hash,
                    struct tcp_verdict *v);
/* tcp.c's 4-tuple lookup (-1: no TCB) and TCB constructor (-1: out of memory), for the
 * socket calls (tcp_sock.c). */
int32_t tcp_lookup(const struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport);
int32_t tcp_tcb_new(struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport);
/* tcp.c's TCB constructor, for the cookie's child. */
int32_t tcp_tcb_new_hashed(struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport,
                           uint32_t hash);
/* tcp_in.c: the data a segment of an ESTABLISHED TCB carries (the cookie's child's ACK). */
void tcp_in_text(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                 const struct wire_ipv4 *ip, const struct wire_tcp *seg, struct tcp_verdict *v);

/* A verdict that reports nothing (a timer that did nothing). */
static inline void tcp_verdict_clear(struct tcp_verdict *v)
{
    v->action = v->rule_id = v->rule = NULL;
}
/* The connection on TCB idx is reset (Linux tcp_reset + tcp_done): the TCB is gone and an
 * active open learns ECONNREFUSED. */
void tcp_tcb_reset(struct tcp_host *th, int32_t idx);
/* What a peer's SYN (or SYN-ACK) sets: IRS, RCV.NXT, negotiated options, send MSS, SND.WND. */
void tcp_take_syn(struct tcp_host *th, struct tcp_tcb *t, const struct wire_tcp *seg);

/* Linux tp->bytes_acked: what SND.UNA has advanced by, the SYN included (RFC 5961 5.2's
 * bound on an old ACK, tcp_ack). Derived, not kept: a passive TCB's SND.UNA starts at
 * ISS+1 with nothing acknowledged, an active one's at ISS (exact for the first 4 GiB). */
static inline uint32_t tcp_bytes_acked(const struct tcp_tcb *t)
{
    uint32_t d = t->snd_una - t->iss;
    return t->passive ? (d ? d - 1 : 0) : d;
}

/* --- tcp_in.c --- */
void tcp_tcb_input(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   const struct wire_ipv4 *ip, const struct wire_tcp *seg, struct tcp_verdict *v);
void tcp_tcb_timer(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   struct tcp_verdict *v);
/* Sequence-space helpers (RFC 793 3.3: arithmetic modulo 2^32). */
static inline bool tcp_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool tcp_after(uint32_t a, uint32_t b) { return (int32_t)(b - a) < 0; }
static inline uint32_t tcp_seg_len(const struct wire_tcp *s)
{
    return (uint32_t)s->payload_len + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN);
}

/* --- tcp_ooo.c --- */
struct tcp_rcvq *tcp_rq_of(struct tcp_host *th, const struct tcp_tcb *t);
void tcp_rq_release(struct tcp_host *th, struct tcp_tcb *t);
/* The next ACK reports [l, r) as a duplicate (RFC 2883), when SACK was negotiated. */
void tcp_dsack_set(struct tcp_host *th, struct tcp_tcb *t, uint32_t l, uint32_t r);
/* Queues [l, r) (fin: it ends with the FIN) ahead of RCV.NXT; SACK and D-SACK as Linux.
 * false: no room (the segment is dropped). */
bool tcp_ooo_add(struct tcp_host *th, struct tcp_tcb *t, uint32_t l, uint32_t r, bool fin);
/* After RCV.NXT moved: takes the queued ranges it reaches. Returns 0 nothing, bit 0 data,
 * bit 1 the FIN reached. */
int tcp_ooo_pull(struct tcp_host *th, struct tcp_tcb *t);
bool tcp_ooo_pending(const struct tcp_host *th, const struct tcp_tcb *t);
/* Drops SACK blocks RCV.NXT has passed (all of them when the queue is empty). */
void tcp_sack_remove(struct tcp_host *th, struct tcp_tcb *t);
/* Appends NOP NOP SACK with the pending D-SACK and SACK blocks to o (after TS). */
void tcp_sack_opts(struct tcp_host *th, struct tcp_tcb *t, struct wire_tcp_opts *o);

/* Linux tcp_timewait_state_process, TCP_TW_SYN: the new connection's ISN is tw_snd_nxt +
 * 65535 + 2, never 0 (0 would mean "draw from the generator"). */
static inline uint32_t tcp_tw_reuse_isn(uint32_t snd_nxt)
{
    uint32_t isn = snd_nxt + 65535 + 2;
    return isn ? isn : 1;
}

/* --- tcp_app.c --- */
/* The buffer of t, or NULL. */
static inline struct tcp_sbuf *tcp_sb_of(struct tcp_host *th, const struct tcp_tcb *t)
{
    return t->sb ? &th->sb[t->sb - 1] : NULL;
}
static inline const struct tcp_sbuf *tcp_sb_of_c(const struct tcp_host *th,
                                                 const struct tcp_tcb *t)
{
    return t->sb ? &th->sb[t->sb - 1] : NULL;
}
/* The bytes a data segment from seq carries: t's queued bytes, or the 'X's. */
const uint8_t *tcp_app_payload(struct tcp_host *th, const struct tcp_tcb *t, uint32_t seq);
/* A passive TCB just became ESTABLISHED: starts the port's application, if any. */
void tcp_app_accept(struct tcp_host *th, const struct tcp_io *io, int32_t idx);
/* n new in-order bytes arrived on TCB idx (fin: the peer's FIN follows them). Returns true
 * when the application sent something (its segment carries the ACK). */
bool tcp_app_input(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                   const uint8_t *data, uint32_t n, bool fin);
/* Gives t a buffer (its send data starting at WRITE.SEQ): its index, or -1. */
int32_t tcp_sb_attach(struct tcp_host *th, struct tcp_tcb *t);
/* The most a buffered TCB's receive buffer holds: TCP_SB_RCV; on Linux tcp_rmem[1] itself
 * (the kernel charges data to sk_rcvbuf as memory; the window space is smaller, but a right
 * edge that may not move back, rounded up to the scale's unit at each ACK, can promise
 * more than it: tcp_select_window's ALIGN(cur_win)). */
static inline uint32_t tcp_sb_rcv_max(const struct tcp_host *th, const struct tcp_tcb *t)
{
    (void)t;
    return th->p.linux_stack ? TCP_LIN_RMEM : TCP_SB_RCV;
}
/* What is left of the window t's last segment offered (Linux tcp_receive_window:
 * RCV.WUP + the window - RCV.NXT, 0 once passed). */
static inline uint32_t tcp_lin_offered(const struct tcp_tcb *t)
{
    uint32_t edge = t->rcv_wup + t->rcv_awnd;
    return (int32_t)(edge - t->rcv_nxt) > 0 ? edge - t->rcv_nxt : 0;
}
/* What t's buffer has free (RFC 9293 3.8.6). */
static inline uint32_t tcp_sb_rcv_free(const struct tcp_host *th, const struct tcp_tcb *t,
                                       const struct tcp_sbuf *b)
{
    return tcp_sb_rcv_max(th, t) - b->rcv_len;
}
/* Room for n more received bytes on t's buffer, its storage grown if need be: at most n,
 * less when the buffer is full (or memory is short). */
uint32_t tcp_sb_rcv_room(struct tcp_host *th, const struct tcp_tcb *t, uint32_t n);
/* Linux: n in-order bytes arrived on t (before the application reads them): the window
 * space, window_clamp and rcv_ssthresh move as tcp_measure_rcv_mss and tcp_grow_window
 * move them (tcp_out.c). */
void tcp_lin_rcv_data(struct tcp_host *th, const struct tcp_tcb *t, struct tcp_sbuf *b,
                      uint32_t n);
/* The host's receive storage goes (tcp_host_free). */
void tcp_app_free(struct tcp_host *th);
/* A service with bytes it could not take yet (its send buffer was full): it reads again,
 * after an ACK made room; a window update follows when its reading opened the window. */
void tcp_app_pump(struct tcp_host *th, const struct tcp_io *io, int32_t idx);
/* Queues up to n bytes on t's send buffer (t has one); returns how many fit. */
uint32_t tcp_sb_queue(struct tcp_host *th, struct tcp_tcb *t, const uint8_t *d, uint32_t n);
/* TCB t or its connection lets go of the buffer. */
void tcp_sb_tcb_gone(struct tcp_host *th, struct tcp_tcb *t);
void tcp_sb_conn_gone(struct tcp_host *th, struct tcp_conn *c);
/* Copies the pools of src into th (tcp_host_clone). -1 when out of memory. */
int tcp_app_clone(struct tcp_host *th, const struct tcp_host *src);

/* --- tcp_out.c --- */
struct tcp_ipinfo tcp_ipinfo_for(struct tcp_host *th, struct tcp_tcb *t, enum tcp_ipk k);
/* TSval for t now; computes and keeps t's offset on first use. */
uint32_t tcp_tsval(const struct tcp_host *th, struct tcp_tcb *t, uint64_t now_ns);
uint32_t tcp_ts_offset(const struct tcp_host *th, uint32_t raddr);
uint32_t tcp_ts_offset_conn(const struct tcp_host *th, const struct tcp_tcb *t);
/* A control segment answering seg (no TCB): ports swapped, the given SEQ, ACK, flags and
 * window, no options, as the control socket sends RSTs (pf's RST, 4.3BSD's bare ACK). */
void tcp_send_ctl(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                  const struct wire_tcp *seg, uint32_t seq, uint32_t ack, uint8_t flags,
                  uint16_t window);
/* --- tcp_pf.c --- */
/* OpenBSD's default pf ruleset in front of tcp_input (personality.pf_default); has_state:
 * the segment belongs to a TCB. Returns seg, *norm (seg with the FIN taken off a SYN), or
 * NULL when pf dropped or answered it (the verdict says which). */
const struct wire_tcp *tcp_pf_input(struct tcp_host *th, const struct tcp_io *io,
                                    const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                                    bool has_state, struct wire_tcp *norm, struct tcp_verdict *v);
/* Lays out SYN / SYN-ACK options in the personality's style; the booleans say which
 * options go in (already the intersection of offered and supported). */
void tcp_opts_syn(const struct personality *p, struct wire_tcp_opts *o, bool sack, bool ts,
                  bool ws);
uint16_t tcp_synack_window(const struct tcp_host *th, bool ts);
/* Fills th->synack_wnd from the personality (once, at host creation). */
void tcp_windows_init(struct tcp_host *th);
uint16_t tcp_syn_window(const struct tcp_host *th);
void tcp_send_synack(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t);
/* The SYN connect() sends for t (ISS, window, the personality's SYN options, TSval). */
void tcp_syn_build(struct tcp_host *th, struct tcp_tcb *t, uint64_t now_ns, struct wire_tcp *s);
void tcp_send_syn(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t);
/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (also the challenge and duplicate ACK). */
void tcp_send_ack(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t,
                  enum tcp_ipk k);
/* Control-socket RST answering seg: SEQ=SEG.ACK if ACK, else RST+ACK, ACK=SEG.SEQ+SEG.LEN. */
/* The same with the RST's window given (personality.rst_window_listen). */
void tcp_send_reset_win(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                        const struct wire_tcp *seg, uint16_t window);
void tcp_send_reset_for(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                        const struct wire_tcp *seg);
/* Active reset from a connection (tcp_send_active_reset): RST+ACK, SEQ=SND.NXT. */
void tcp_send_active_reset(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t);
/* Sends queued data and a queued FIN as far as the peer's window allows; arms the RTO.
 * Returns the number of segments sent. */
int tcp_output(struct tcp_host *th, const struct tcp_io *io, int32_t idx);
/* The window t's next segment offers, in bytes, a multiple of its scale (tcp_out.c). */
uint32_t tcp_rcv_window(const struct tcp_host *th, const struct tcp_tcb *t);
/* After the application read from t's buffer: the window update of RFC 9293 3.8.6.2.2,
 * sent when the window opens by min(RCV.BUFF/2, MSS) or more. */
void tcp_rcv_update(struct tcp_host *th, const struct tcp_io *io, int32_t idx);
/* A zero-window probe (Linux tcp_xmit_probe_skb): ACK, SEQ=SND.UNA-1, no data. */
void tcp_send_probe0(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t);
/* Retransmits the oldest unacknowledged segment (SYN, SYN-ACK, data or FIN). */
void tcp_retransmit(struct tcp_host *th, const struct tcp_io *io, struct tcp_tcb *t);
/* Host-wide budgets. true: may send. */
bool tcp_chack_allow(struct tcp_host *th, uint64_t now_ns);
/* The random-mode quota of one aligned second (keyed by host and second). */
uint32_t tcp_chack_quota(const struct tcp_host *th, uint64_t slot);
bool tcp_rst_allow(struct tcp_host *th, uint64_t now_ns);
/* Linux tcp_oow_rate_limited: one reply per 500 ms per socket for out-of-window segments;
 * data segments (payload or FIN, no SYN) are exempt unless `all`. true: rate limited.
 * Never on a host whose era predates the limit (os_oow_limit: challenge-ack linux-3.6). */
bool tcp_oow_limited(const struct tcp_host *th, struct tcp_tcb *t, const struct wire_tcp *seg,
                     uint64_t now_ns, bool all);
/* Sends a challenge ACK through the per-socket and host-wide limits; returns the rule that
 * stopped it (TR_CHACK_OOW_LIMITED, TR_BUDGET_CHACK), or -1 when sent. */
int tcp_challenge_ack(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                      const struct wire_tcp *seg);

/* --- the rule table's verdicts and actions (tcp_rules.h) --- */

/* Sets the verdict's action, rule ID and text from row r (this host's text), without acting. */
static inline void tcp_rule_note(const struct tcp_host *th, struct tcp_verdict *v,
                                 enum tcp_rule_ix r)
{
    const struct tcp_rule *row = &tcp_rules[r];
    v->action = row->action;
    v->rule_id = row->id;
    v->rule = !th->p.linux_stack && row->other ? row->other : row->text;
}

/* The same with the host's own text (a budget's numbers). */
static inline void tcp_rule_note_text(struct tcp_verdict *v, enum tcp_rule_ix r,
                                      const char *text)
{
    v->action = tcp_rules[r].action;
    v->rule_id = tcp_rules[r].id;
    v->rule = text;
}

/* Carries out row r's action for segment seg (from ip) on TCB idx (-1: none) and sets the
 * verdict from the row, or from the limit's row when a challenge ACK is refused. The rows
 * that send go through tcp_rule_apply_send (tcp_rules.c); the rest cost a few stores here. */
static inline void tcp_rule_apply(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                                  const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                                  struct tcp_verdict *v, enum tcp_rule_ix r)
{
    switch (tcp_rules[r].act) {
    case TCP_ACT_NOTE:
    case TCP_ACT_DROP:
        tcp_rule_note(th, v, r);
        return;
    case TCP_ACT_RESET:
        tcp_tcb_reset(th, idx);
        tcp_rule_note(th, v, r);
        return;
    default:
        tcp_rule_apply_send(th, io, idx, ip, seg, v, r);
        return;
    }
}

/* A reset answering seg as rule r says (RFC 793 3.4 cases 1 and 2), except that a RST is
 * never answered, and through the host's RST-rate budget when counted (a closed port).
 * Inline: every closed port a SYN scan probes comes here, twice a round trip. */
static inline void tcp_reset_closed(struct tcp_host *th, const struct tcp_io *io,
                                    const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                                    bool counted, struct tcp_verdict *v, enum tcp_rule_ix r)
{
    if (seg->flags & TCP_RST) {
        tcp_rule_note(th, v, TR_RST_NEVER_ANSWERED);
        return;
    }
    if (counted && !tcp_rst_allow(th, io->now_ns)) {
        tcp_rule_note_text(v, TR_BUDGET_RST, th->rule_rst_rate);
        return;
    }
    if (tcp_rules[r].act != TCP_ACT_RST) {   /* what the table says, when not a reset */
        tcp_rule_apply_send(th, io, -1, ip, seg, v, r);
        return;
    }
    /* tcp_rule_apply's TCP_ACT_RST, here without the call */
    tcp_send_reset_win(th, io, ip, seg, r == TR_LISTEN_ACK && th->p.rst_window_listen
                                            ? th->p.window : th->p.rst_window);
    tcp_rule_note(th, v, r);
    v->action = (seg->flags & TCP_ACK) ? "RST" : "RST+ACK";
}

#endif
