/* engine.h — internal to the simulator: the body of `struct sim` and what engine.c, host.c,
 * filter_act.c and script.c share (the datagram pool, the event queue, the outbox, the trace).
 *
 * Why a pool and a heap of small entries: a probe round trip must cost no malloc and no
 * formatting (the project's rule: nothing per packet allocates or formats unless a trace is on). Datagrams live in fixed 1500-byte slots (the
 * Ethernet MTU: the simulated links carry nothing bigger, as a real interface would refuse
 * it) held in chunks that never move, so a pointer into a slot stays valid while the pool
 * grows. The queue orders entries by (time, sequence number) and never by pointer, so the
 * run is the same on every machine (a discrete-event simulator's usual tie break, as in
 * smoltcp's tests/netsim.rs). Entries pushed in time order go to FIFO lanes beside the heap
 * (arrivals after one net's delay in one, timers in another); popping takes the smallest
 * head of the lanes and the heap, so the order is the same as with the heap alone. A host's
 * TCP keeps its own timers in order and has at most one live entry here, for its earliest
 * (tcp.h, timer_at): a SYN scan's half-open TCBs, reset long before their SYN-ACK timer,
 * cost the queue nothing.
 *
 * Who calls whom inside sim/ (one way wherever it can be): the engine moves datagrams and
 * calls a host's stack (host_input, host_timer) and a filter (filter_decide, through
 * filter_act.c, which carries the verdict out); a host answers through the engine's send
 * and report calls, its TCP through the tcp_io callbacks the host gives it (tcp.h), so TCP
 * knows neither. A filter calls nobody. The script (script.c) is the scenario's own
 * traffic: it asks hosts and their TCP through their functions and never writes their
 * fields; a host's fields are written by host.c alone (tests/unit/owners.sh).
 */
#ifndef TCPLAB_SIM_ENGINE_H
#define TCPLAB_SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/rng.h"
#include "lib/wire.h"
#include "host.h"
#include "pop.h"
#include "scenario.h"
#include "sim.h"

/* What a queue entry does when its time comes. */
enum sim_qkind {
    SQ_ARRIVE,    /* a: destination host index + 1 (0: no host there), b: the slot's address
                     (struct sim_slot *: spares a lookup per event; never compared) */
    SQ_TIMER,     /* a: host index, b: TCP's token */
    SQ_SEND,      /* a: scripted send index */
    SQ_TRAFFIC,   /* a: traffic index */
    SQ_CONNECT,   /* a: scripted connect index */
    SQ_CLOSE,     /* a: scripted connect index */
};

struct sim_qent {
    uint64_t t, seq;
    uint32_t kind, a;
    uint64_t b;
};

/* A FIFO lane of the queue: a ring (mask + 1 entries, a power of two; 0 before the first
 * push) of entries in (time, seq) order. */
struct sim_qlane {
    struct sim_qent *v;
    uint32_t head, n, mask;
    uint64_t tail_t;       /* time of the last entry pushed */
};

enum { SIM_LANE_ARRIVE, SIM_LANE_TIMER, SIM_QLANES };

struct sim_slot {
    uint32_t idx;          /* its own index in the pool (set once, by pool_grow) */
    uint16_t len;
    /* Filled by a simulated host's stack through wire_emit_* (host.c, filter.c): its
     * checksums are right by construction, so the receiving end parses it without summing
     * it again (wire_parse_trusted). false for every other slot (injected, scripted):
     * sim_slot_alloc clears it. */
    bool trusted;
    /* `view` holds the parse of buf: set where a host emits TCP (wire_emit_tcp_view builds
     * the parsed form while writing the bytes, the same fields wire_parse_trusted would read
     * back), so neither the filters nor the receiver parse the datagram again. The bytes stay
     * the truth for everything that shows a packet (trace, pcap, taps); the view only spares
     * the receiver a parse. Cleared by sim_slot_alloc. */
    bool viewed;
    /* buf not written yet: a bare TCP segment (no options, no data) with a quiet route to a
     * host that reads no bytes (sim_quiet_route, sim_reads_bytes) carries its view alone;
     * sim_slot_materialize writes the bytes from it if anything asks after all. Cleared by
     * sim_slot_alloc. */
    bool lazy;
    /* The trace's SEND event of this datagram (struct sim_event.cause of its arrival);
     * written only while tracing. */
    uint64_t sent_ev;
    struct wire_pkt view;
    uint8_t buf[WIRE_MTU];
};

/* Block 0 holds SIM_POOL_FIRST slots, block k >= 1 holds SIM_POOL_FIRST << (k - 1): each
 * new block doubles the capacity, and slots never move. Every block is also cut into
 * chunks of SIM_POOL_CHUNK slots, listed in order in `chunk`, so finding slot i is two
 * shifts and a load (sim_slot runs several times per packet). */
enum { SIM_POOL_FIRST = 64, SIM_POOL_MAXBLOCKS = 26, SIM_POOL_CHUNK_SHIFT = 6,
       SIM_POOL_CHUNK = 1 << SIM_POOL_CHUNK_SHIFT };

struct sim_pool {
    struct sim_slot *block[SIM_POOL_MAXBLOCKS];   /* what malloc returned */
    uint32_t nblocks, cap;
    struct sim_slot **chunk;   /* cap / SIM_POOL_CHUNK pointers into the blocks */
    uint32_t *free;        /* stack of free slot indices */
    uint32_t nfree;
};

/* A datagram waiting to leave: emitted by a host during one event, sent after the event's
 * RECV record so the transcript reads cause before effect (sim_send says when a datagram
 * skips the outbox). `raw`: a filter's reject, which goes straight onto the wire without
 * crossing filters again. */
struct sim_out {
    uint32_t slot;
    uint32_t sender;       /* host index + 1, 0 = none (spoofed) */
    uint32_t built;        /* the observer's BUILD number of the datagram (sim.h) */
    bool raw;
};

struct sim_stream {
    bool used;
    uint32_t host;         /* host index */
    int conn;              /* tcp connection id */
};

struct sim_traffic_rt {    /* a traffic statement and its running state */
    struct scn_traffic cfg;
    uint32_t host;         /* sender's host index */
    uint16_t icmp_seq;
    struct rng rng;        /* ports and sequence numbers of the background packets */
};

struct sim_connect_rt {
    struct scn_connect cfg;
    uint32_t host;
    int conn;              /* -1 until connected */
    bool send_pending;
};

struct filter;

/* Loss draws (sim/loss.c): the key, and the datagrams seen in this instant, so that copies of
 * one datagram sent in the same nanosecond each draw their own fate. */
struct sim_loss_seen { uint64_t h; uint32_t epoch, count; };
struct sim_loss {
    struct rng_key key;
    uint64_t now;                  /* the instant `seen` is about */
    uint32_t epoch, n, cap;        /* entries of this instant have .epoch == epoch */
    struct sim_loss_seen *e;       /* heap, cap a power of two (or 0) */
};

/* A flow the attached script opened through a host's own stack (sim_stream_open): its
 * segments reach that stack as well as the script. */
struct sim_att_flow {
    uint32_t host;         /* host index */
    uint32_t raddr;
    uint16_t lport, rport;
};

/* The attached script (attach.c): the prefix it plays and where its datagrams go. */
struct sim_attach {
    bool on;
    uint32_t prefix, mask;
    uint32_t addr;         /* the attaching address: injected SENDs name it */
    sim_tap_fn fn;         /* NULL in a clone (observers are not copied) */
    void *ctx;
    struct sim_att_flow *flows;
    size_t nflows, capflows;
};

struct sim {
    uint64_t seed;
    uint64_t now;
    /* Tie break of the queue (sim_queue_seq): entries at equal times run in the order an
     * outbox-only engine would have queued them. */
    uint64_t qepoch;               /* pushes so far ended by a flush point (sim_queue_epoch) */
    uint32_t qcount;               /* pushes in this epoch */
    uint64_t evseq;                /* numbering of trace events */
    bool loaded;

    struct sim_qent *heap;
    size_t nheap, capheap;
    /* Arrivals and timers no earlier than their lane's tail skip the heap: FIFO lanes,
     * merged with the heap at pop time. A scan's arrivals share one delay, so nearly all of
     * its queue work is O(1) instead of O(log n). */
    struct sim_qlane lanes[SIM_QLANES];
    /* No entry outside the arrival lane is due before this time (a lower bound of the timer
     * lane's and the heap's first times; UINT64_MAX when both are empty): an arrival due
     * strictly earlier is the queue's first without comparing the others (q_pop). Lowered by
     * every push there, recomputed by every pop there. */
    uint64_t q_other_t;

    struct sim_pool pool;
    struct sim_out *outbox;
    size_t nout, capout;

    /* Keyed draws (lib/rng.h rng_key): a datagram's loss (sim/loss.c), a scripted send's
     * source port. */
    struct sim_loss loss;
    struct rng_key key_send;

    struct host_table hosts;
    uint32_t scanner;              /* address of the `role scanner` host, 0 */
    struct sim_pop *pops;          /* populations (pop.h): hosts made on first touch */
    uint32_t npops;

    struct scn_net *nets;
    size_t nnets;
    struct filter **filters;
    size_t nfilters;

    struct scn_send *sends;
    size_t nsends;
    struct sim_traffic_rt *traffic;
    size_t ntraffic;
    struct sim_connect_rt *connects;
    size_t nconnects;

    struct sim_stream *streams;
    size_t nstreams;

    /* What sim_report calls: the trace callback, or a no-op one while only an observer is
     * set (so sim_tracing stays one test). */
    sim_trace_fn trace;
    void *trace_ctx;
    bool trace_set;                /* trace is the caller's, not the no-op */
    /* The observer (sim_set_observer), the last BUILD number drawn and the one of the
     * datagram being transmitted (its SEND record's). */
    sim_obs_fn obs;
    void *obs_ctx;
    uint32_t obs_build, obs_sending;
    sim_wire_fn wire;
    void *wire_ctx;

    struct sim_stats stats;
    /* Calls from outside that changed the network (sim_unit = stats.events + nops), and
     * who hears of them (sim_set_op_hook). */
    uint64_t nops;
    sim_op_fn op_fn;
    void *op_ctx;
    /* Causes, kept only while tracing (sim_report): the unit and first event of the unit
     * being reported, the unit of the arrival being handled and its datagram's SEND. */
    uint64_t cause_unit, cause_first;
    uint64_t arrive_unit, arrive_cause;

    /* The attached script, and whether the datagram leaving now is its injection. */
    struct sim_attach att;
    bool injecting;

    /* A datagram bigger than a slot, built before it leaves in fragments (an echo reply to
     * ping -s 3000: host_icmp.c host_send_fragments); NULL until first needed. */
    uint8_t *bigbuf;

    /* Formatting space, used only while tracing. */
    char rulebuf[256];
    char whobuf[16];
};

/* --- pool (engine_queue.c) --- */
/* Adds a block of slots to the free stack; -1 when out of memory. */
int sim_pool_grow(struct sim *s);
/* The parsed form of a slot's datagram: its view when it has one, else parsed into *tmp
 * (checksums verified unless trusted). Returns the parse result. */
int sim_slot_parse(struct sim_slot *sl, const struct wire_pkt **p, struct wire_pkt *tmp);
static inline struct sim_slot *sim_slot(struct sim *s, uint32_t i)
{
    return &s->pool.chunk[i >> SIM_POOL_CHUNK_SHIFT][i & (SIM_POOL_CHUNK - 1)];
}
/* A free slot index, growing the pool if needed; UINT32_MAX when out of memory. Inline with
 * sim_slot_free: a pop and a push, three of each per probe round trip. sim_slot_take also
 * hands back the slot itself, which its caller fills at once. */
static inline uint32_t sim_slot_take(struct sim *s, struct sim_slot **out)
{
    if (s->pool.nfree == 0 && sim_pool_grow(s))
        return UINT32_MAX;
    uint32_t i = s->pool.free[--s->pool.nfree];
    struct sim_slot *sl = sim_slot(s, i);
    sl->idx = i;   /* set on every take, beside the flags: a clone leaves free slots unwritten */
    sl->trusted = sl->viewed = sl->lazy = false;
    *out = sl;
    return i;
}
static inline uint32_t sim_slot_alloc(struct sim *s)
{
    struct sim_slot *sl;
    return sim_slot_take(s, &sl);
}
static inline void sim_slot_free(struct sim *s, uint32_t i)
{
    s->pool.free[s->pool.nfree++] = i;
}

/* --- queue, outbox, wire --- */
/* Whether a trace callback is set (declared here for sim_send; the trace section below). */
static inline bool sim_tracing(const struct sim *s) { return s->trace != NULL; }
/* The sequence number of the next entry of `kind`: the tie break between entries at the same
 * time. Why not a plain counter: a datagram a host sends used to wait in the outbox until its
 * event ended, so its arrival was queued after every timer the event armed. Hosts without
 * filters now send at once when nothing traces (sim_send), in the middle of the event; the
 * number keeps the old order all the same. An epoch ends where the outbox was flushed (end
 * of sim_flush, end of every event: sim_queue_epoch); within one, every arrival comes after
 * every other entry, each kind in push order -- exactly the order the outbox gave, since
 * only flushes queued arrivals and a flush ended its epoch. Layout: epoch (40 bits: 10^12
 * events), arrival (1 bit), push count in the epoch (23 bits: an event queues a handful; a
 * scenario's script, queued at load, is far smaller than 8 million statements). */
static inline uint64_t sim_queue_seq(struct sim *s, enum sim_qkind kind)
{
    return s->qepoch << 24 | (uint64_t)(kind == SQ_ARRIVE) << 23 | s->qcount++;
}
static inline void sim_queue_epoch(struct sim *s)
{
    s->qepoch++;
    s->qcount = 0;
}
int sim_queue_push_slow(struct sim *s, const struct sim_qent *e, struct sim_qlane *l);
/* The queue's first entry (NULL when empty), *lane its lane or -1 for the heap
 * (engine_queue.c). */
const struct sim_qent *sim_q_top(const struct sim *s, int *lane);
/* Removes the first entry into *e if due at or before until; false when none is. */
bool sim_q_pop(struct sim *s, struct sim_qent *e, uint64_t until);
/* Whether an entry at time t may go behind a lane's tail and keep it sorted by (time, seq).
 * `fresh`: its seq was just drawn, so it is larger than every queued one and an equal time
 * sorts after the tail too; an older seq (sim_queue_push_seq) needs a later time. */
static inline bool sim_lane_fits(const struct sim_qlane *l, uint64_t t, bool fresh)
{
    return l->n == 0 || l->tail_t < t || (fresh && l->tail_t == t);
}
/* Queues entry e (e->t never before now); 0, or -1 when out of memory. Inline because it
 * runs for every datagram sent and every timer armed: the common case, a lane with room
 * whose tail comes before e, is a compare and a store. Anything else (a second delay, a
 * scripted event) takes the heap. One lane per kind, not a search for a lane that fits: the
 * push stays a compare. */
static inline int sim_queue_put(struct sim *s, const struct sim_qent *e, bool fresh)
{
    struct sim_qlane *l = e->kind == SQ_ARRIVE ? &s->lanes[SIM_LANE_ARRIVE]
                        : e->kind == SQ_TIMER  ? &s->lanes[SIM_LANE_TIMER] : NULL;
    if (l && l->v && l->n <= l->mask && sim_lane_fits(l, e->t, fresh)) {
        l->v[(l->head + l->n++) & l->mask] = *e;
        l->tail_t = e->t;
        if (e->kind != SQ_ARRIVE && e->t < s->q_other_t)
            s->q_other_t = e->t;
        return 0;
    }
    return sim_queue_push_slow(s, e, fresh ? l : NULL);
}
/* Queues an entry at time t (never before now) with the next sequence number. */
static inline int sim_queue_push(struct sim *s, uint64_t t, enum sim_qkind kind, uint32_t a,
                                 uint64_t b)
{
    struct sim_qent e = { t < s->now ? s->now : t, sim_queue_seq(s, kind), (uint32_t)kind, a, b };
    return sim_queue_put(s, &e, true);
}
/* Queues an entry with a sequence number drawn earlier (sim_queue_seq): a host's one TCP
 * timer entry, queued for a timer armed before (host.c, tcp.h timer_at). */
static inline int sim_queue_push_seq(struct sim *s, uint64_t t, uint64_t seq,
                                     enum sim_qkind kind, uint32_t a, uint64_t b)
{
    struct sim_qent e = { t < s->now ? s->now : t, seq, (uint32_t)kind, a, b };
    return sim_queue_put(s, &e, false);
}
/* Hands a filled slot to the outbox; sent by sim_flush. sender may be NULL. */
void sim_out_push(struct sim *s, uint32_t slot, const struct host *sender, bool raw);
/* The datagram in `slot` leaves its sender (NULL: look it up by source address) now:
 * wiretap, SEND record, the sender's filters unless raw, loss, queued for arrival. */
void sim_transmit(struct sim *s, uint32_t slot, struct host *sender, bool raw);
/* sim_transmit for sim_send's at-once case (nothing traces, the sender has no filter, the
 * outbox is empty): what is left of it is the wiretap, loss and the queue. sl is slot's
 * slot, dst its destination address. */
void sim_transmit_quiet(struct sim *s, uint32_t slot, const struct sim_slot *sl, uint32_t dst);
/* A host's datagram leaves: at once when that changes nothing anyone sees, else through the
 * outbox. At once is the same when:
 *  - nothing traces: the transcript shows the RECV record of the cause before the SEND of
 *    its effect, and the RECV is reported when the host is done with the datagram;
 *  - the outbox is empty: what is already waiting there leaves first;
 *  - the sender has no filter: a filter's reject is appended to the outbox, so an outbound
 *    datagram crossing one would otherwise leave after a reject it used to precede.
 * The wiretap sees the same datagrams in the same order (outbox order is emit order), the
 * loss stream is drawn in that order too, and sim_queue_seq keeps the queue's order. Inline:
 * the outbox cost a store, a load and a call per datagram, three per probe round trip. */
static inline void sim_send(struct sim *s, uint32_t slot, const struct sim_slot *sl,
                            struct host *sender, uint32_t dst)
{
    if (s->nout == 0 && !sim_tracing(s) && sender->filt_out < 0 && sender->filt_in < 0)
        sim_transmit_quiet(s, slot, sl, dst);
    else
        sim_out_push(s, slot, sender, false);
}

/* Where a datagram from `sender` (NULL: injected, no host) to dst goes when nothing but the
 * queue has a say: nothing traces, no wiretap, the outbox is empty, the sender has no filter
 * and dst is a host on a lossless net. Returns that host, or NULL when sim_send's full path
 * must run. Then the datagram only waits for its arrival (sim_queue_arrival), and no one
 * reads its bytes on the way: the sender may leave them unwritten (sim_slot.lazy) when the
 * receiver will not read them either. Inline: every reply of a scan asks. */
__attribute__((always_inline))
static inline const struct host *sim_quiet_route(const struct sim *s, const struct host *sender,
                                                 uint32_t dst)
{
    if (s->nout || sim_tracing(s) || s->wire ||
        (sender && (sender->filt_out >= 0 || sender->filt_in >= 0)))
        return NULL;
    const struct host *dh = host_find(&s->hosts, dst);
    if (!dh || dh->net < 0 || s->nets[dh->net].loss_ppm)
        return NULL;
    return dh;
}
/* Whether host dh reads the bytes of a datagram it receives: a tap (the scanner's raw
 * socket) or a filter does; its own stack reads only the view (host_input), except to
 * quote it in an ICMP error, which no bare TCP segment causes. */
static inline bool sim_reads_bytes(const struct host *dh)
{
    return dh->tap || dh->attached || dh->filt_in >= 0 || dh->filt_out >= 0;
}
/* A datagram with a quiet route to dh leaves: queued for arrival after dh's net's delay.
 * Drops it when the queue is out of memory. */
void sim_drop_oom(struct sim *s, uint32_t slot, const struct host *dh);
__attribute__((always_inline))
static inline void sim_queue_arrival(struct sim *s, uint32_t slot, const struct sim_slot *sl,
                                     const struct host *dh)
{
    struct sim_qent e = { s->now + s->nets[dh->net].delay_ns, sim_queue_seq(s, SQ_ARRIVE),
                          SQ_ARRIVE, dh->idx + 1, (uintptr_t)sl };
    s->stats.sent++;
    if (sim_queue_put(s, &e, true))
        sim_drop_oom(s, slot, dh);
}
/* Writes the bytes of a lazy slot (a bare TCP segment whose view alone was built) when
 * something is about to read them: a trace or tap attached while it was in flight. */
void sim_slot_materialize(struct sim_slot *sl);

/* Sends every datagram in the outbox, in order. */
void sim_flush(struct sim *s);
/* Net holding addr (longest prefix), or -1. */
int sim_net_find(const struct sim *s, uint32_t addr);
/* Is the datagram in sl lost on net `net` (loss ppm)? sim/loss.c. */
bool sim_lost(struct sim *s, int net, struct sim_slot *sl, uint32_t ppm);
/* sim_clone's part: the copy's own table (0, -1). */
int sim_loss_clone(struct sim_loss *d, const struct sim_loss *s);

/* --- filters (filter_act.c) --- */
/* A datagram crosses f, the filter in front of fh, in f's direction: f decides, and a drop
 * or reject is carried out here (the RST or ICMP error, the DROP event). True: it passes. */
struct filter;
bool sim_filter_cross(struct sim *s, struct filter *f, struct host *fh, const struct wire_pkt *p,
                      const uint8_t *pkt, size_t len);

/* --- trace --- */
/* The observer's BUILD moment (sim.h): a datagram from addr is about to be built. Call
 * before its IP-ID is drawn, where every datagram a host, a script, a filter or an injection
 * sends begins; the outbox tags the datagram with the number (sim_out.built). */
void sim_obs_build_slow(struct sim *s, uint32_t addr);
static inline void sim_obs_build(struct sim *s, uint32_t addr)
{
    if (s->obs)
        sim_obs_build_slow(s, addr);
}
/* Reports one event. Call only when sim_tracing(). h: the acting host or NULL (then addr
 * names it). rule_id: the rule's stable ID (docs/rules.md), rule its text. v: TCP's verdict
 * or NULL. */
void sim_report(struct sim *s, enum sim_ev_kind kind, const uint8_t *pkt, size_t len,
                const struct host *h, uint32_t addr, const char *action, const char *rule_id,
                const char *rule, const struct tcp_verdict *v);
/* sim_report, with the record's ipid= read from the counter of protocol ipid_proto (the
 * reply's, when it differs from the datagram's: ICMP for a UDP probe to a closed port);
 * 0: the datagram's own protocol. */
void sim_report_as(struct sim *s, enum sim_ev_kind kind, const uint8_t *pkt, size_t len,
                   const struct host *h, uint32_t addr, const char *action, const char *rule_id,
                   const char *rule, const struct tcp_verdict *v, uint8_t ipid_proto);
/* Dotted quad of addr, or the host's name. Valid until the next call. */
const char *sim_who(struct sim *s, const struct host *h, uint32_t addr);
/* Formats into s->rulebuf (only while tracing). */
const char *sim_fmt(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A call from outside begins (script.c's stream calls): counts the unit, tells the op hook. */
void sim_op_note(struct sim *s, struct sim_op *op);

/* --- the attached script (attach.c) --- */
/* Whether addr is in the attached prefix. */
static inline bool sim_att_covers(const struct sim *s, uint32_t addr)
{
    return s->att.on && (addr & s->att.mask) == s->att.prefix;
}
/* A datagram delivered to attached host h (after its filters; h->attached): to the script,
 * and to h's stack only when it belongs to a flow the script opened (true: go on to the
 * stack). p: its parse. */
bool sim_att_deliver(struct sim *s, struct host *h, const struct sim_slot *sl,
                     const struct wire_pkt *p);
/* A datagram to an attached address where no host is: to the script. Frees the slot. */
void sim_att_nohost(struct sim *s, uint32_t slot, struct sim_slot *sl);
/* A stream the script opened from host h: its segments reach h's stack too. */
void sim_att_flow_add(struct sim *s, const struct host *h, int conn);
void sim_att_free(struct sim *s);
int sim_att_clone(struct sim *d, const struct sim *s);

/* --- scripted events (script.c) --- */
void script_run(struct sim *s, const struct sim_qent *e);
/* After a host handled a segment: start the `send N` of connects that just opened. */
void script_check_pending(struct sim *s, struct host *h);
void script_free(struct sim *s);

#endif
