/* tcp.c — one simulated host's TCP: TCB table, listeners, input dispatch (the socket API,
 * active opens and the calls on a connection, is tcp_sock.c).
 *
 * Why: every probe a scanner sends ends here, and the answer must be the one a real stack
 * gives, with the rule that produced it. This file decides *which* code path a segment
 * takes, as Linux's tcp_v4_rcv does: a TCB for the 4-tuple (tcp_in.c), else a listener
 * (LISTEN, below), else the closed-port reset of RFC 793 section 3.4 case 1.
 *
 * Which rule applies is decided here; what the rule does, its ID and its text are its row in
 * the rule table (tcp_rules.c).
 *
 * Sources: RFC 793 3.4 (reset generation) and 3.9 (LISTEN state); RFC 9293 3.10.7.2;
 * Linux net/ipv4/tcp_ipv4.c (tcp_v4_rcv, tcp_v4_send_reset), tcp_input.c
 * (tcp_rcv_state_process, case TCP_LISTEN: ACK checked before RST, SYN+FIN discarded),
 * FreeBSD ip_icmp.c badport_bandlim (the host-wide closed-port RST budget).
 *
 * Data structures: TCBs live in a pool (one array, grown by doubling, free list) and are
 * found through an open-addressing table keyed by an integer hash of (local port, remote
 * address, remote port), linear probing with backward-shift deletion. Nothing depends on
 * pointer order; nothing allocates per packet once the pool and table are big enough.
 */
#include "tcp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TCP_POOL_INIT = 16, TCP_SLOTS_INIT = 64, TCP_CONNS_INIT = 8 };

/* --- the 4-tuple table --- */

static uint32_t tcp_hash(uint16_t lport, uint32_t raddr, uint16_t rport)
{
    /* Multiplicative (Fibonacci) hashing of the packed tuple, high half folded onto the low:
     * one multiply per lookup (three lookups and an insert per probe of a SYN scan). The low
     * bits the table uses mix every bit of the ports and the address's low bits, which is
     * what varies between a scan's tuples. */
    uint64_t k = (((uint64_t)raddr << 32) | ((uint32_t)lport << 16) | rport) *
                 0x9E3779B97F4A7C15ULL;
    return (uint32_t)(k >> 32) ^ (uint32_t)(k >> 7);
}

static uint32_t tcp_home(const struct tcp_host *th, int32_t idx)
{
    return th->pool[idx].hash & th->slot_mask;
}

/* The TCB for the tuple whose tcp_hash is hash, or -1. */
static int32_t tcp_lookup_h(const struct tcp_host *th, uint16_t lport, uint32_t raddr,
                            uint16_t rport, uint32_t hash)
{
    uint32_t i = hash & th->slot_mask;
    for (;;) {
        int32_t idx = th->slot[i];
        if (idx < 0)
            return -1;
        const struct tcp_tcb *t = &th->pool[idx];
        if (t->lport == lport && t->raddr == raddr && t->rport == rport)
            return idx;
        i = (i + 1) & th->slot_mask;
    }
}

static void tcp_slot_put(struct tcp_host *th, int32_t idx)
{
    uint32_t i = tcp_home(th, idx);
    while (th->slot[i] >= 0)
        i = (i + 1) & th->slot_mask;
    th->slot[i] = idx;
}

static int tcp_slots_grow(struct tcp_host *th)
{
    uint32_t ncap = (th->slot_mask + 1) * 2;
    int32_t *ns = malloc(ncap * sizeof *ns);
    if (!ns)
        return -1;
    int32_t *old = th->slot;
    uint32_t ocap = th->slot_mask + 1;
    for (uint32_t i = 0; i < ncap; i++)
        ns[i] = -1;
    th->slot = ns;
    th->slot_mask = ncap - 1;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i] >= 0)
            tcp_slot_put(th, old[i]);
    free(old);
    return 0;
}

int32_t tcp_lookup(const struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    return tcp_lookup_h(th, lport, raddr, rport, tcp_hash(lport, raddr, rport));
}

/* Backward-shift deletion: keeps every probe chain unbroken without tombstones. */
static void tcp_slot_del(struct tcp_host *th, int32_t idx)
{
    uint32_t i = tcp_home(th, idx);
    while (th->slot[i] != idx)
        i = (i + 1) & th->slot_mask;
    th->slot[i] = -1;
    for (uint32_t j = (i + 1) & th->slot_mask; th->slot[j] >= 0; j = (j + 1) & th->slot_mask) {
        uint32_t k = tcp_home(th, th->slot[j]);
        /* move j back to the hole i unless its home lies cyclically in (i, j] */
        bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            th->slot[i] = th->slot[j];
            th->slot[j] = -1;
            i = j;
        }
    }
    th->nslot--;
}

/* --- the TCB pool --- */

struct tcp_tcb *tcp_tcb_at(struct tcp_host *th, int32_t idx)
{
    return &th->pool[idx];
}

/* A fresh TCB for the tuple (hash: its tcp_hash), in the table; -1 when memory runs out. */
static int32_t tcp_tcb_new_h(struct tcp_host *th, uint16_t lport, uint32_t raddr,
                             uint16_t rport, uint32_t hash)
{
    /* Load factor at most 1/4: probe chains of one slot nearly always, so the lookup's and
     * the deletion's loops run once and their branches are predicted (a SYN scan inserts and
     * deletes a TCB per open port; 4 bytes a slot). */
    if ((th->nslot + 1) * 4 > th->slot_mask + 1 && tcp_slots_grow(th) < 0)
        return -1;
    int32_t idx = th->free_head;
    if (idx >= 0) {
        th->free_head = th->pool[idx].next_free;
    } else {
        if (th->npool == th->cappool) {
            uint32_t ncap = th->cappool * 2;
            struct tcp_tcb *np = realloc(th->pool, ncap * sizeof *np);
            if (!np)
                return -1;
            th->pool = np;
            th->cappool = ncap;
        }
        idx = (int32_t)th->npool++;
        th->pool[idx].timer_gen = 0;
    }
    struct tcp_tcb *t = &th->pool[idx];
    /* One assignment of the whole TCB (every other field zero): the compiler writes it as a
     * run of wide stores, where a memset and then field by field stores twice. ts_off: a
     * keyed hash of the address pair, computed by tcp_tsval when a segment first carries a
     * timestamp (a SYN scan's probes offer none: no SipHash per probe). */
    *t = (struct tcp_tcb){
        .in_use = true, .lport = lport, .rport = rport, .raddr = raddr, .hash = hash,
        .timer_gen = t->timer_gen + 1, .conn = -1, .listener = -1, .next_free = -1,
        .rto_ms = 1000,
    };
    tcp_slot_put(th, idx);
    th->nslot++;
    return idx;
}

int32_t tcp_tcb_new_hashed(struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport,
                           uint32_t hash)
{
    return tcp_tcb_new_h(th, lport, raddr, rport, hash);
}

int32_t tcp_tcb_new(struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    return tcp_tcb_new_h(th, lport, raddr, rport, tcp_hash(lport, raddr, rport));
}

void tcp_tcb_free(struct tcp_host *th, int32_t idx)
{
    struct tcp_tcb *t = &th->pool[idx];
    if (!t->in_use)
        return;
    tcp_slot_del(th, idx);
    if (t->listener >= 0)
        th->lis[t->listener].synrecv--;
    if (t->conn >= 0) {
        th->conns[t->conn].tcb = -1;
        th->conns[t->conn].state = TCP_CLOSED;
    }
    t->in_use = false;
    tcp_timer_stop(th, t);
    tcp_rq_release(th, t);
    tcp_sb_tcb_gone(th, t);
    t->next_free = th->free_head;
    th->free_head = idx;
}

/* --- listeners --- */

int32_t tcp_listener_find(const struct tcp_host *th, uint16_t port)
{
    /* The bitmap first: most ports a scan probes are closed, and lis[] holds exactly the
     * bitmap's ports (tcp_listeners_build). */
    if (!scn_port_in(&th->listen, port))
        return -1;
    uint32_t lo = 0, hi = th->nlis;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (th->lis[mid].port < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < th->nlis && th->lis[lo].port == port) ? (int32_t)lo : -1;
}

static int tcp_listeners_build(struct tcp_host *th)
{
    /* Word by word: a host with one open port costs 1024 word tests, not 65536 bit tests
     * (loading 100,000 hosts spent most of its time here). */
    uint32_t n = 0;
    for (uint32_t w = 0; w < SCN_PORTSET_WORDS; w++)
        n += (uint32_t)__builtin_popcountll(th->listen.bits[w]);
    th->lis = calloc(n ? n : 1, sizeof *th->lis);
    if (!th->lis)
        return -1;
    for (uint32_t w = 0; w < SCN_PORTSET_WORDS; w++)
        for (uint64_t b = th->listen.bits[w]; b; b &= b - 1)
            th->lis[th->nlis++].port = (uint16_t)(w * 64 + (uint32_t)__builtin_ctzll(b));
    return 0;
}

int tcp_listen_from(struct tcp_host *th, uint16_t port, uint32_t addr)
{
    int32_t lis = tcp_listener_find(th, port);
    if (lis < 0)
        return -1;
    th->lis[lis].restricted = true;
    th->lis[lis].from_addr = addr;
    return 0;
}

/* --- setup --- */

static void tcp_stream(struct rng *r, uint64_t seed, const char *what, const char *name)
{
    char s[96];
    snprintf(s, sizeof s, "tcp.%s.%s", what, name ? name : "");
    rng_seed(r, seed, s);
}

/* Linux rounds the offered window down to a multiple of the MSS in use. The preset may give
 * either the raw space (65535) or the already-rounded 64240; both lead back to 65535, so
 * that with timestamps the SYN-ACK shows 45 * 1448 = 65160 as a real kernel does. */
static uint32_t tcp_linux_space(const struct personality *p)
{
    uint32_t w = p->window, mss = p->mss ? p->mss : 536;
    if (w >= mss && w % mss == 0) {
        w += mss - 1;
        if (w > 65535)
            w = 65535;
    }
    return w;
}

struct tcp_host *tcp_host_new(const struct personality *p, uint32_t addr,
                              const struct scn_portset *listen, uint64_t seed, const char *name)
{
    struct tcp_host *th = calloc(1, sizeof *th);
    if (!th)
        return NULL;
    th->p = *p;
    th->addr = addr;
    if (listen)
        th->listen = *listen;
    th->xlen = p->mss ? p->mss : 536;
    /* The send MSS never drops below TCP_MIN_SND_MSS (tcp_take_syn), even when this host's
     * own MSS is smaller: the data bytes must cover the larger of the two. */
    th->xcap = th->xlen > TCP_MIN_SND_MSS ? th->xlen : TCP_MIN_SND_MSS;
    th->pool = calloc(TCP_POOL_INIT, sizeof *th->pool);
    th->slot = malloc(TCP_SLOTS_INIT * sizeof *th->slot);
    th->conns = calloc(TCP_CONNS_INIT, sizeof *th->conns);
    th->xbuf = malloc(th->xcap);
    if (!th->pool || !th->slot || !th->conns || !th->xbuf || tcp_listeners_build(th) < 0) {
        tcp_host_free(th);
        return NULL;
    }
    memset(th->xbuf, 'X', th->xcap);
    th->cappool = TCP_POOL_INIT;
    th->free_head = -1;
    th->rq_free = -1;
    th->sb_free = -1;
    th->slot_mask = TCP_SLOTS_INIT - 1;
    for (uint32_t i = 0; i < TCP_SLOTS_INIT; i++)
        th->slot[i] = -1;
    th->capconns = TCP_CONNS_INIT;
    for (int l = 0; l < TCP_TM_LISTS; l++)
        th->tm_head[l] = th->tm_tail[l] = -1;
    gen_isn_init(&th->isn, &p->isn, seed, name);
    struct rng r;
    tcp_stream(&r, seed, "port", name);
    rng_key_from(&th->key_port, &r);
    tcp_stream(&r, seed, "chack", name);
    rng_bytes(&r, th->chack_key, sizeof th->chack_key);
    /* jiffies count from boot, at no particular point of anyone else's second: with a
     * kernel era the budget's seconds start at a phase drawn for the host, which Cao et
     * al.'s attacker must find (its step 0); without one they are the virtual clock's */
    if (p->chack_era)
        th->chack_phase_ns = rng_below(&r, 1000000000u);
    tcp_stream(&r, seed, "conn", name);
    rng_bytes(&r, th->ts_key, sizeof th->ts_key);
    rng_key_from(&th->key_conn, &r);
    struct rng ck;
    tcp_stream(&ck, seed, "cookie", name);
    rng_bytes(&ck, th->cookie_key, sizeof th->cookie_key);
    th->lin_space = tcp_linux_space(p);
    tcp_windows_init(th);
    th->chack_slot = th->rst_slot = UINT64_MAX;
    snprintf(th->rule_backlog, sizeof th->rule_backlog, "backlog %d full: SYN dropped", p->backlog);
    if (p->chack_era && p->chack != CHACK_UNLIMITED)
        snprintf(th->rule_chack, sizeof th->rule_chack,
                 "challenge-ack %s: host-wide %u/s%s spent", os_chack_era_name(p->chack_era),
                 p->chack_limit, p->chack == CHACK_RANDOM ? " (random quota)" : "");
    else
        snprintf(th->rule_chack, sizeof th->rule_chack, "challenge-ack %u/s: budget spent",
                 p->chack_limit);
    snprintf(th->rule_rst_rate, sizeof th->rule_rst_rate, "rst-rate %u/s: budget spent",
             p->rst_rate);
    return th;
}

void tcp_host_free(struct tcp_host *th)
{
    if (!th)
        return;
    free(th->pool);
    free(th->rq);
    free(th->slot);
    free(th->conns);
    free(th->xbuf);
    free(th->lis);
    tcp_app_free(th);
    free(th->svc);
    free(th);
}

/* --- closed port and LISTEN --- */

/* RFC 793 3.4 case 1; a 4.4BSD-derived stack's dropwithreset leaves the FIN out of ACK. */
static void tcp_closed_input(struct tcp_host *th, const struct tcp_io *io,
                             const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                             struct tcp_verdict *v)
{
    tcp_reset_closed(th, io, ip, seg, true, v, (seg->flags & TCP_ACK) ? TR_CLOSED_ACK
                     : th->p.rst_ack_skips_fin ? TR_CLOSED_NOACK_BSD : TR_CLOSED_NOACK);
}

/* Options and sequence state a SYN negotiates (Linux tcp_openreq_init, tcp_parse_options). */
void tcp_take_syn(struct tcp_host *th, struct tcp_tcb *t, const struct wire_tcp *seg)
{
    const struct personality *p = &th->p;
    t->irs = seg->seq;
    t->rcv_nxt = seg->seq + 1;
    t->rcv_wup = t->rcv_nxt;
    t->ts_ok = p->opt_ts && seg->opt.has_ts;
    t->sack_ok = p->opt_sack && seg->opt.sack_perm;
    t->ws_ok = p->opt_wscale && seg->opt.has_wscale;
    /* RFC 3168 6.1.1: an ECN-setup SYN carries ECE and CWR; Linux (tcp_ecn = 2, the default)
     * accepts it on incoming connections and sets ECE on its SYN-ACK, never CWR. */
    t->ecn_ok = (p->linux_stack || p->ecn_incoming) &&
                (seg->flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR) &&
                !(seg->flags & TCP_ACK);
    t->snd_wscale = t->ws_ok ? (seg->opt.wscale > 14 ? 14 : seg->opt.wscale) : 0;
    t->rcv_wscale = t->ws_ok ? p->wscale : 0;
    t->ts_recent = seg->opt.tsval;
    uint32_t peer = seg->opt.has_mss ? seg->opt.mss : 536;   /* RFC 1122 default MSS */
    uint32_t base = peer < th->xlen ? peer : th->xlen;
    if (base < TCP_MIN_SND_MSS)
        base = TCP_MIN_SND_MSS;                             /* Linux tcp_min_snd_mss */
    t->mss = (uint16_t)(base - (t->ts_ok ? 12 : 0));
    t->snd_wnd = seg->window;                               /* a SYN's window is never scaled */
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
}

/* tcp_listen_input, with the tuple's tcp_hash already computed (tcp_input's lookup). */
static void tcp_listen_input_h(struct tcp_host *th, const struct tcp_io *io,
                               const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                               int32_t lis, uint32_t isn_override, uint32_t hash,
                               struct tcp_verdict *v)
{
    const struct personality *p = &th->p;
    struct tcp_listener *L = &th->lis[lis];
    uint8_t f = seg->flags;
    if (L->restricted && ip->src != L->from_addr) {
        tcp_rule_note(th, v, TR_LISTEN_FROM);
        return;
    }
    /* 4.4BSD: sonewconn comes before any look at the flags; a full queue drops it all */
    if (p->bsd_listen_queue && L->synrecv > p->backlog * 3 / 2) {
        tcp_rule_note(th, v, TR_BSD_LISTEN_FULL);
        return;
    }
    if (f & TCP_ACK) {           /* Linux checks ACK first: RST+ACK reaches send_reset and stops */
        if (p->syncookies && !(f & (TCP_RST | TCP_SYN)) &&
            tcp_cookie_ack(th, io, ip, seg, lis, hash, v))
            return;
        tcp_reset_closed(th, io, ip, seg, false, v, TR_LISTEN_ACK);
        return;
    }
    if (f & TCP_RST) {
        tcp_rule_note(th, v, TR_LISTEN_RST);
        return;
    }
    if (!(f & TCP_SYN)) {
        if (p->rst_on_fin_open)
            tcp_reset_closed(th, io, ip, seg, false, v, TR_LISTEN_OTHER_WINDOWS);
        else
            tcp_rule_note(th, v, TR_LISTEN_OTHER);
        return;
    }
    if ((f & TCP_FIN) && p->linux_stack) {
        tcp_rule_note(th, v, TR_LISTEN_SYNFIN);
        return;
    }
    if ((f & TCP_FIN) && p->listen_synfin == OS_SYNFIN_DROP) {
        tcp_rule_note(th, v, TR_LISTEN_SYNFIN_DROP);
        return;
    }
    if ((f & TCP_FIN) && p->listen_synfin == OS_SYNFIN_RST) {
        tcp_reset_closed(th, io, ip, seg, false, v, TR_LISTEN_SYNFIN_RST);
        return;
    }
    if ((f & TCP_FIN) && p->listen_synfin == OS_SYNFIN_ACK) {
        /* 4.3BSD tcp_input: the SYN takes an ISS (tcp_iss += TCP_ISSINCR/2) and the state
         * SYN-RECEIVED, then the FIN (processed in the same call) CLOSE-WAIT, so tcp_output
         * sends tcp_outflags[CLOSE_WAIT] = ACK: SEQ = ISS, ACK past SYN, data and FIN, no
         * MSS option (only a SYN carries one), the listener's window (nmap-os-db '4.3BSD' T3
         * F=A S=O A=O O= W=1000). The connection left behind is not modelled. */
        uint32_t iss = gen_isn_next(&th->isn, io->now_ns, th->addr, seg->dport, ip->src,
                                    seg->sport);
        tcp_send_ctl(th, io, ip, seg, iss, seg->seq + tcp_seg_len(seg), TCP_ACK, p->window);
        tcp_rule_note(th, v, TR_LISTEN_SYNFIN_ACK);
        return;
    }
    if (!p->bsd_listen_queue && p->backlog > 0 && L->synrecv >= p->backlog) {
        if (p->syncookies && !isn_override) {
            tcp_cookie_synack(th, io, ip, seg, lis, hash, v);
            return;
        }
        tcp_rule_note_text(v, TR_BUDGET_BACKLOG, th->rule_backlog);
        return;
    }
    int32_t idx = tcp_tcb_new_h(th, seg->dport, ip->src, seg->sport, hash);
    if (idx < 0) {
        tcp_rule_note(th, v, TR_OOM);
        return;
    }
    struct tcp_tcb *t = tcp_tcb_at(th, idx);
    t->passive = true;
    t->state = TCP_SYN_RECEIVED;
    t->listener = lis;
    t->trusted = L->restricted;
    L->synrecv++;
    tcp_take_syn(th, t, seg);
    t->iss = isn_override ? isn_override
                          : gen_isn_next(&th->isn, io->now_ns, th->addr, seg->dport, ip->src,
                                         seg->sport);
    t->snd_una = t->iss;
    t->snd_nxt = t->write_seq = t->iss + 1;
    t->rcv_wnd = tcp_synack_window(th, t->ts_ok);
    t->rto_ms = p->synack_rto_ms ? p->synack_rto_ms : 1000;
    tcp_send_synack(th, io, t);
    tcp_timer_arm(th, io, idx, TCP_TK_REXMIT, (uint64_t)t->rto_ms * 1000000u);
    tcp_rule_note(th, v, TR_LISTEN_SYN);
}

void tcp_listen_input(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
                      const struct wire_tcp *seg, int32_t lis, uint32_t isn_override,
                      struct tcp_verdict *v)
{
    tcp_listen_input_h(th, io, ip, seg, lis, isn_override,
                       tcp_hash(seg->dport, ip->src, seg->sport), v);
}

/* --- input and timer entry points --- */

/* The verdict's trace-only fields: the state after and the ISN the generator would give
 * next (a SipHash with rfc6528). Skipped when io->quiet: nothing would read them. had_tcb:
 * the event found a TCB; v->state_after then holds, until here, what the connection becomes
 * if that TCB is gone now (tcp_gone_state, read before the event). */
void tcp_verdict_finish(const struct tcp_host *th, const struct tcp_io *io,
                        struct tcp_verdict *v, uint16_t lport, uint32_t raddr, uint16_t rport,
                        bool had_tcb)
{
    int32_t idx = tcp_lookup(th, lport, raddr, rport);
    bool lis = tcp_listener_find(th, lport) >= 0;
    if (idx >= 0)
        v->state_after = th->pool[idx].state;
    else if (had_tcb)
        v->state_after = v->state_after == TCP_LISTEN && lis ? TCP_LISTEN : TCP_CLOSED;
    else
        v->state_after = lis ? TCP_LISTEN : TCB_NONE;
    v->has_isn = true;
    /* random and random-inc: the next value is the rng's next draw, which the transcript
     * must not give away (a student could read the future ISN off it) */
    v->isn_unpredictable = !gen_isn_predictable(&th->isn);
    v->isn_next = v->isn_unpredictable ? 0 : tcp_peek_isn(th, io->now_ns, lport, raddr, rport);
}

void tcp_input(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
               const struct wire_tcp *seg, struct tcp_verdict *v)
{
    /* Every field, one store each (a memset of the struct costs more, three times a probe) */
    v->action = v->rule = v->rule_id = NULL;
    v->state_after = TCB_NONE;
    v->has_isn = false;
    v->isn_next = 0;
    v->isn_unpredictable = false;
    uint32_t hash = tcp_hash(seg->dport, ip->src, seg->sport);
    int32_t idx = tcp_lookup_h(th, seg->dport, ip->src, seg->sport, hash);
    int32_t lis;
    struct wire_tcp norm;
    if (th->p.pf_default && !(seg = tcp_pf_input(th, io, ip, seg, idx >= 0, &norm, v))) {
        v->state_before = idx >= 0 ? th->pool[idx].state
                        : tcp_listener_find(th, norm.dport) >= 0 ? TCP_LISTEN : TCB_NONE;
        if (!io->quiet)
            tcp_verdict_finish(th, io, v, norm.dport, ip->src, norm.sport, idx >= 0);
        return;
    }
    if (idx >= 0) {
        v->state_before = th->pool[idx].state;
        v->state_after = tcp_gone_state(&th->pool[idx]);   /* for tcp_verdict_finish */
        tcp_tcb_input(th, io, idx, ip, seg, v);
    } else if ((lis = tcp_listener_find(th, seg->dport)) >= 0) {
        v->state_before = TCP_LISTEN;
        tcp_listen_input_h(th, io, ip, seg, lis, 0, hash, v);
    } else {
        v->state_before = TCB_NONE;
        tcp_closed_input(th, io, ip, seg, v);
    }
    if (!io->quiet)
        tcp_verdict_finish(th, io, v, seg->dport, ip->src, seg->sport, idx >= 0);
}

/* Linux tcp_v4_err: in SYN-SENT any error ends the connect; a request socket (passive
 * SYN-RECEIVED) is dropped only for net/host unreachable, time exceeded, parameter
 * problem (tcp_req_err's abort); established connections treat them as soft errors. */
void tcp_icmp_error(struct tcp_host *th, const struct tcp_io *io, uint8_t type, uint8_t code,
                    uint16_t lport, uint32_t raddr, uint16_t rport, struct tcp_verdict *v)
{
    memset(v, 0, sizeof *v);
    int32_t idx = tcp_lookup(th, lport, raddr, rport);
    v->state_before = idx >= 0 ? th->pool[idx].state : TCB_NONE;
    if (idx >= 0)
        v->state_after = tcp_gone_state(&th->pool[idx]);   /* for tcp_verdict_finish */
    bool hard = (type == ICMP_UNREACH && code <= 15 && code != ICMP_FRAG_NEEDED) ||
                type == ICMP_TIME_EXCEEDED || type == 12;
    if (idx < 0) {
        tcp_rule_note(th, v, TR_ICMP_NO_CONN);
    } else if (!hard) {
        tcp_rule_note(th, v, TR_ICMP_SOFT);
    } else if (th->pool[idx].state == TCP_SYN_SENT ||
               (th->pool[idx].state == TCP_SYN_RECEIVED && !th->pool[idx].passive)) {
        struct tcp_tcb *t = &th->pool[idx];
        if (t->conn >= 0) {
            th->conns[t->conn].err = 'I';
            th->conns[t->conn].icmp_type = type;
            th->conns[t->conn].icmp_code = code;
        }
        tcp_tcb_free(th, idx);
        tcp_rule_note(th, v, TR_ICMP_SYNSENT);
    } else if (th->pool[idx].state == TCP_SYN_RECEIVED) {
        bool abort = type != ICMP_UNREACH || code == ICMP_NET_UNREACH ||
                     code == ICMP_HOST_UNREACH;
        if (abort) {
            tcp_tcb_free(th, idx);
            tcp_rule_note(th, v, TR_ICMP_REQ_ABORT);
        } else {
            tcp_rule_note(th, v, TR_ICMP_REQ_IGNORE);
        }
    } else {
        tcp_rule_note(th, v, TR_ICMP_SYNC);
    }
    if (!io->quiet)
        tcp_verdict_finish(th, io, v, lport, raddr, rport, idx >= 0);
}

uint32_t tcp_isn_take(struct tcp_host *th, uint64_t now_ns, uint16_t lport, uint32_t raddr,
                      uint16_t rport)
{
    return gen_isn_next(&th->isn, now_ns, th->addr, lport, raddr, rport);
}

void tcp_syn_like(struct tcp_host *th, uint64_t now_ns, uint16_t lport, uint32_t raddr,
                  uint16_t rport, struct wire_tcp *seg, struct tcp_ipinfo *ii)
{
    /* A TCB that lives for one segment: what tcp_tcb_new and tcp_connect would set. */
    struct tcp_tcb t = { .lport = lport, .raddr = raddr, .rport = rport, .conn = -1,
                         .listener = -1, .state = TCP_SYN_SENT };
    t.iss = tcp_isn_take(th, now_ns, lport, raddr, rport);
    tcp_syn_build(th, &t, now_ns, seg);
    *ii = tcp_ipinfo_for(th, &t, TCP_IPK_CONN);
}

uint32_t tcp_peek_isn(const struct tcp_host *th, uint64_t now_ns, uint16_t lport,
                      uint32_t raddr, uint16_t rport)
{
    return gen_isn_peek(&th->isn, now_ns, th->addr, lport, raddr, rport);
}
