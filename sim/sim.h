/* sim.h — the simulated network: the public API of the simulator.
 *
 * A `struct sim` is a value: virtual clock (ns), an event queue ordered by (time, sequence
 * number), the seeded PRNG streams, the hosts (hash table by address), nets, filters and
 * scripted events. No globals: two simulations can live in one process.
 *
 * Everything on the simulated wire is real IPv4 bytes. Observers:
 *  - the trace callback gets one `struct sim_event` per event (only when set: with no
 *    trace, nothing is formatted);
 *  - the wiretap gets every datagram once, as it leaves its sender (the pcap file);
 *  - a tap on an address gets every datagram delivered to it (the scanner's raw socket);
 *  - an observer (sim_set_observer) reads the state between the changes of a unit.
 */
#ifndef TCPLAB_SIM_H
#define TCPLAB_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scenario;
struct sim;

/* RFC 793 state names; TCB_NONE when no TCB is involved. */
enum tcp_state {
    TCB_NONE = -1,
    TCP_CLOSED = 0, TCP_LISTEN, TCP_SYN_SENT, TCP_SYN_RECEIVED, TCP_ESTABLISHED,
    TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_LAST_ACK,
    TCP_TIME_WAIT,
};
const char *tcp_state_name(int s);  /* "SYN-RECEIVED", "-" for TCB_NONE */

enum sim_ev_kind {
    SIM_EV_SEND,   /* a datagram leaves its sender (host or spoofed injection) */
    SIM_EV_RECV,   /* a datagram reached a host, which decided what to do */
    SIM_EV_DROP,   /* lost on the wire, dropped by a filter, no host at that address */
    SIM_EV_TIMER,  /* a host timer fired: retransmission, TIME-WAIT end */
    SIM_EV_NOTE,   /* a scripted action began: connect, close, traffic */
};

/* One record of the run. Pointers are valid only during the callback; copy what you keep. */
struct sim_event {
    uint64_t seq;              /* 1, 2, 3, ... in processing order */
    uint64_t t_ns;
    enum sim_ev_kind kind;
    const uint8_t *pkt;        /* the datagram, or NULL */
    uint32_t len;
    const char *host;          /* the host acting (receiver for RECV/DROP, sender for SEND) */
    uint32_t host_addr;
    const char *action;        /* what it did: "SYN-ACK", "RST+ACK", "drop", "ICMP 3/3", "accept", ... */
    const char *rule_id;       /* the rule's stable ID, or NULL: "rfc793-3.4-case1-noack",
                                  "rfc5961-3.2-challenge", "filter-rule", "budget-rst-rate";
                                  tests, graders and the TUI match this, never the text
                                  (every ID: docs/rules.md) */
    const char *rule;          /* why, for a person: "RFC 793 3.4 reset generation: no connection", "filter fw rule 2: reject tcp dport 443 with tcp-reset", "rst-rate 200/s: budget spent" */
    int state_before, state_after;  /* enum tcp_state of the TCB concerned, TCB_NONE if none */
    int32_t ipid;              /* the host's IP-ID counter after the event, -1 if not applicable */
    bool has_isn;
    uint32_t isn_next;         /* the ISN its generator would give next (for this 4-tuple) */
    bool isn_unpredictable;    /* with has_isn: the generator draws at random (random,
                                  random-inc); isn_next is 0, the transcript says so */
    /* The unit of work the event belongs to (sim_unit: a queue entry run, or a call from
     * outside such as sim_inject), and the event that caused it: for a SEND, the first event
     * of its unit (the RECV of the probe it answers, the TIMER that retransmits, the DROP
     * of a filter's reject); for a RECV or DROP on arrival, the SEND of that datagram; 0
     * when none (an injected datagram's SEND, a timer, a note). Only computed while
     * tracing. */
    uint64_t unit;
    uint64_t cause;
    /* A SEND of a datagram an attached script injected (sim_inject_as): host names the
     * attaching host or address, never the source the datagram claims. */
    bool injected;
};

typedef void (*sim_trace_fn)(void *ctx, const struct sim_event *ev);
typedef void (*sim_wire_fn)(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len);
typedef void (*sim_tap_fn)(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len);

struct sim *sim_new(uint64_t seed);
void sim_free(struct sim *s);
/* Builds nets, hosts, filters and scripted events from a parsed scenario. The seed is the
 * one given to sim_new (the caller picks scenario seed or --seed). 0, or -1 with a message. */
int sim_load(struct sim *s, const struct scenario *sc, char *err, size_t errlen);

uint64_t sim_now(const struct sim *s);
uint64_t sim_seed(const struct sim *s);
/* Time of the next queued event, UINT64_MAX when none. */
uint64_t sim_next_time(const struct sim *s);
/* Processes one event. false when the queue is empty. */
bool sim_step(struct sim *s);
/* Processes every event with time <= t, then sets the clock to t. */
void sim_run_until(struct sim *s, uint64_t t_ns);
/* Processes events in order while the next one is due at or before `until` and *stop (when
 * stop is not NULL) is 0; the clock stays at the last event's time. Returns how many ran.
 * The same as calling sim_step in a loop, without a call per event: pktio_sim runs until a
 * datagram reaches the scanner's tap (stop: its ring's count), a bench until the queue is
 * empty (until UINT64_MAX). */
uint64_t sim_run(struct sim *s, uint64_t until, const size_t *stop);

/* A datagram leaves now, from whatever source address it carries (spoofing allowed): it
 * crosses the sender's outbound filter if the source is a host, then the wire. The bytes
 * are copied. 0, or -1 if it is not a parseable IPv4 datagram. */
int sim_inject(struct sim *s, const uint8_t *dgram, size_t len);

void sim_set_trace(struct sim *s, sim_trace_fn fn, void *ctx);
void sim_set_wiretap(struct sim *s, sim_wire_fn fn, void *ctx);
/* Datagrams delivered to addr are also given to fn (before the host's stack sees them).
 * The address must be a host. 0 or -1. */
int sim_set_tap(struct sim *s, uint32_t addr, sim_tap_fn fn, void *ctx);
/* The host at addr lives outside the simulation (the TUN bridge: the kernel plays it):
 * datagrams delivered to it go to fn only, after its inbound filter, and its own stack never
 * sees them (no RST for a SYN-ACK the real host's kernel answers itself). Replaces any tap.
 * The address must be a host. 0 or -1. */
int sim_set_external(struct sim *s, uint32_t addr, sim_tap_fn fn, void *ctx);

/* Hosts. */
int sim_host_lookup(const struct sim *s, const char *name, uint32_t *addr);
const char *sim_host_name(const struct sim *s, uint32_t addr); /* NULL when no host */
/* Is there a host at addr that answers (a `host` line's, not `down`, or a live address of a
 * population, made yet or not)? What a perfect ping sweep would find; graders use it. */
bool sim_addr_up(const struct sim *s, uint32_t addr);
/* The address of the scenario's `role scanner` host; 0 if none. */
uint32_t sim_scanner_addr(const struct sim *s);
/* One-way delay toward addr (the delay of its net), for RTT guesses in tests. */
uint64_t sim_delay_to(const struct sim *s, uint32_t addr);

/* Streams: an active open by the host at src, through its own TCP (for -sT and `connect`).
 * Returns a handle >= 0, or -1 when src is not a host. The connection runs as the clock
 * advances; poll its state. */
enum sim_stream_state {
    SIM_STREAM_PENDING,      /* SYN-SENT */
    SIM_STREAM_OPEN,         /* ESTABLISHED (connect() returned 0) */
    SIM_STREAM_REFUSED,      /* RST received: ECONNREFUSED */
    SIM_STREAM_UNREACH,      /* ICMP unreachable received: EHOSTUNREACH and kin */
    SIM_STREAM_TIMEDOUT,     /* SYN retransmissions exhausted: ETIMEDOUT */
    SIM_STREAM_CLOSED,
};
int sim_stream_connect(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport);
enum sim_stream_state sim_stream_state(const struct sim *s, int handle);
/* ICMP type/code that made a stream UNREACH (for nmap-style reasons). */
int sim_stream_icmp(const struct sim *s, int handle, uint8_t *type, uint8_t *code);
/* Byte streams (version detection): sim_stream_connect_buffered opens a stream whose bytes
 * are kept (sim/tcp_app.c). sim_stream_write queues up to n bytes (sent once the stream is
 * OPEN) and returns how many it took, or -1. sim_stream_read moves up to cap received bytes
 * into buf: their count (0: none yet), *eof once the peer has closed and all is read; -1
 * for a handle that is not a buffered stream. Reading frees receive buffer, so it may send a
 * window update (RFC 9293 3.8.6.2.2): it is an op (SIM_OP_STREAM_RECV) like a write. */
int sim_stream_connect_buffered(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport);
int sim_stream_send(struct sim *s, int handle, const uint8_t *data, size_t n);
int sim_stream_recv(struct sim *s, int handle, uint8_t *buf, size_t cap, bool *eof);
/* Close with SO_LINGER 0: a RST, as nmap's -sT does. Frees the handle. */
void sim_stream_abort(struct sim *s, int handle);

/* sim_stream_connect from a chosen local port (0: an ephemeral one, as sim_stream_connect).
 * -1 when src is not a host or the port is taken for that peer. */
int sim_stream_open(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport, uint16_t sport);
/* The same, a byte stream (sim_stream_send, sim_stream_recv): an attached script's connect. */
int sim_stream_open_buffered(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport,
                             uint16_t sport);
/* The application writes nbytes on an open stream (the simulated TCP carries counts, its
 * bytes are 'X'), or closes it with a FIN. 0, or -1 when there is no such stream. */
int sim_stream_write(struct sim *s, int handle, uint32_t nbytes);
int sim_stream_close(struct sim *s, int handle);
/* The RFC 793 state of a stream's TCB (enum tcp_state); TCP_CLOSED once it is gone, -1 when
 * there is no such stream. */
int sim_stream_tcp_state(const struct sim *s, int handle);

/* Units of work done so far: queue entries run plus calls from outside that change the
 * network (sim_inject, a clock move by sim_run_until, sim_stream_connect, sim_stream_abort).
 * An event reported during a unit carries that unit's number (struct sim_event.unit); a
 * clone given the same calls after the same units runs the same events. */
uint64_t sim_unit(const struct sim *s);

/* ---------------------------------------------------------------- attaching (attach.c)
 * A script outside the simulation plays the hosts of a prefix (`tcplab attach`, as scapy on
 * a student's machine would): every datagram delivered to an address in the prefix goes to
 * fn, after the destination host's inbound filter, and nothing else does (the off-path view:
 * no copy of other hosts' traffic). The stacks of hosts in the prefix stay out of the way of
 * those datagrams (no RST for a SYN-ACK the script asked for, as a firewall rule arranges
 * for scapy users), except TCP segments of connections opened through their own stack
 * after sim_attach (the script's sim_stream_open, a scenario's `connect`): those reach the
 * stack too. A datagram to an address
 * of the prefix where no host is goes to fn alone. Each one is a RECV record of rule
 * attach-script. as_addr: the attaching address, which injected SENDs name. One attachment
 * per simulation. 0, or -1 (plen over 32, or as_addr outside the prefix). */
int sim_attach(struct sim *s, uint32_t prefix, unsigned plen, uint32_t as_addr, sim_tap_fn fn,
               void *ctx);
/* sim_inject for the attached script: the datagram leaves now, from whatever source it
 * carries, through the attaching host's outbound filter (if that address is a host), and
 * its SEND record is marked injected and names the attaching address. 0, or -1 as
 * sim_inject (and when nothing is attached). */
int sim_inject_as(struct sim *s, const uint8_t *dgram, size_t len);
/* A NOTE record by the attaching address (the script marks a stage of its attack). */
void sim_attach_note(struct sim *s, const char *text);

/* ---------------------------------------------------------------- snapshots (clone.c)
 * A deep copy of a simulation: clock, queue, datagrams in flight, every host's TCP, IP-ID
 * and ISN generators, filters, script state, counters. Observers are not copied (no trace,
 * wiretap, taps, op hook or observer): the clone runs silently until its owner attaches
 * its own. Run forward with the same outside calls, a clone gives the same events as the original (the
 * TUI's step back: snapshots plus a deterministic re-run). NULL when out of memory. */
struct sim *sim_clone(const struct sim *s);

/* The calls from outside that change a simulation, as the op hook reports them: enough to
 * give a clone the same calls again (sim_apply_op). pkt is valid during the callback. */
enum sim_op_kind { SIM_OP_INJECT, SIM_OP_CLOCK, SIM_OP_STREAM_CONNECT, SIM_OP_STREAM_ABORT,
                   SIM_OP_INJECT_AS, SIM_OP_STREAM_WRITE, SIM_OP_STREAM_CLOSE, SIM_OP_NOTE,
                   SIM_OP_STREAM_SEND, SIM_OP_STREAM_RECV };
struct sim_op {
    enum sim_op_kind kind;
    uint64_t unit;             /* the unit this call is (sim_unit during it) */
    uint64_t t_ns;             /* CLOCK: the new time */
    const uint8_t *pkt;        /* INJECT, INJECT_AS: the datagram; NOTE: the text;
                                  STREAM_SEND: the bytes */
    size_t len;                /* ... its length; STREAM_WRITE: the bytes written;
                                  STREAM_RECV: the most bytes read */
    uint32_t src, dst;         /* STREAM_CONNECT */
    uint16_t dport, sport;     /* STREAM_CONNECT (sport 0: ephemeral) */
    bool buffered;             /* STREAM_CONNECT: sim_stream_connect_buffered */
    int handle;                /* STREAM_ABORT, STREAM_WRITE, STREAM_CLOSE, STREAM_SEND */
};
typedef void (*sim_op_fn)(void *ctx, const struct sim_op *op);
/* Called at the start of each such call, before it changes anything (so the callback may
 * sim_clone the simulation as the last unit left it); only the check when unset. */
void sim_set_op_hook(struct sim *s, sim_op_fn fn, void *ctx);
/* Makes the same call on s (a clone being re-run). What the call returns. */
int sim_apply_op(struct sim *s, const struct sim_op *op);

/* ---------------------------------------------------------------- observer (engine.c)
 * A read-only look between the changes one unit makes, finer than its events: what the
 * TUI's inside panel shows before and after each event of a unit. fn gets the simulation
 * itself, const: it may read it through the inspection functions below (which fill the
 * caller's copies) and nothing else, and must not keep the pointer. While an observer is set
 * the simulation reports its events exactly as when traced (the same outbox, the same events
 * in the same order): to the trace callback, if one is set, then to fn. The moments:
 *  - SIM_OBS_BUILD: a datagram is about to be built: by a host's stack (before its IP-ID is
 *    drawn; for TCP when the segment is handed down, so after the TCB moved for a SYN and
 *    before SND.NXT moves past data or a FIN), by a scripted `send` or `traffic`, by a
 *    filter's `reject with tcp-reset`, or by an injection (sim_inject). `build` numbers it.
 *  - SIM_OBS_EVENT: an event was reported (ev, as the trace callback got it); for a SEND,
 *    `build` is the number its datagram was built under (every fragment of one datagram
 *    has the same), 0 when none.
 * Where each report falls in the work, so what lies between two moments:
 *  - RECV and DROP of an arriving datagram: once the host is done with it (its inbound
 *    filter passed or dropped it, its stack updated the TCB and built any replies);
 *  - TIMER: once the timer's work is done (a retransmission built);
 *  - NOTE of a scenario's connect, send and close: once the action is done (its datagrams
 *    built); of traffic: as it begins;
 *  - SEND: as the datagram leaves the outbox at the end of its unit, just before the
 *    sender's outbound filter and the wire (its loss) see it, so after all of the unit's
 *    stack work. Between units (sim_inject), at once.
 * Unset: a pointer test where a datagram is built, nothing else. Not copied by sim_clone. */
enum sim_obs_kind { SIM_OBS_BUILD, SIM_OBS_EVENT };
struct sim_obs {
    enum sim_obs_kind kind;
    uint64_t unit;                 /* sim_unit */
    uint32_t host_addr;            /* BUILD: the sender (the address it claims when no host's
                                      stack builds it); EVENT: ev->host_addr */
    uint32_t build;                /* see above */
    const struct sim_event *ev;    /* EVENT; NULL for BUILD */
};
typedef void (*sim_obs_fn)(void *ctx, const struct sim *s, const struct sim_obs *o);
/* fn NULL: no observer. */
void sim_set_observer(struct sim *s, sim_obs_fn fn, void *ctx);

/* ---------------------------------------------------------------- inspection (inspect.c)
 * Read-only copies of what is inside a simulation, for the TUI, tests and lab graders: the
 * caller's structs are filled, nothing points into the simulator. Hosts are addressed by
 * address; functions return -1 when there is no host there. Lists fill at most `max`
 * entries and return how many there are in all, so a caller can size its array. */
enum { SIM_INFO_NAME = 32, SIM_INFO_GEN = 32, SIM_INFO_RULE = 96 };

struct sim_host_info {
    char name[SIM_INFO_NAME];
    uint32_t addr;
    char os[16];                   /* personality preset, "custom" */
    bool down, scanner;
    char isn_gen[SIM_INFO_GEN];    /* "bsd64k", "random-inc:64000" ... */
    char ipid_gen[SIM_INFO_GEN];
    uint32_t ntcbs, nlisteners, ntimers;
    int filter_in, filter_out;     /* filter index (sim_filter_info), -1 */
};
size_t sim_host_count(const struct sim *s);
/* The i-th host in scenario order. 0, or -1 past the end. */
int sim_host_at(const struct sim *s, size_t i, struct sim_host_info *out);
int sim_host_info(const struct sim *s, uint32_t addr, struct sim_host_info *out);

/* One TCB (RFC 793 3.2 names). Sequence numbers absolute; windows in bytes (scaled).
 *   snd_wnd  SND.WND: the window the peer offered (its last acceptable segment's field,
 *            shifted by its scale)
 *   rcv_wnd  RCV.WND: the window this stack offers now, what its next segment would carry
 *            (a buffered connection's free buffer, in the stack's own rules)
 *   rcv_adv  the window its last segment offered (the right edge is RCV.WUP + rcv_adv; 0
 *            before it sent one) */
struct sim_tcb_info {
    int state;                     /* enum tcp_state (tcp_state_name) */
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    uint32_t snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd, rcv_adv, iss, irs;
    uint16_t mss;                  /* send MSS */
    uint8_t snd_wscale, rcv_wscale, retries;
    uint32_t rto_ms;
    bool passive;                  /* created from a listener */
    int timer;                     /* enum sim_timer_kind */
    uint64_t timer_at_ns;          /* when it fires; 0 when no timer */
};
/* TCBs in the order of the host's table (stable for a given run). */
int sim_host_tcbs(const struct sim *s, uint32_t addr, struct sim_tcb_info *out, size_t max);
/* The TCB of one 4-tuple (local first). 0, or -1 when none. */
int sim_host_tcb(const struct sim *s, uint32_t addr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, struct sim_tcb_info *out);

enum sim_timer_kind { SIM_TIMER_NONE, SIM_TIMER_REXMIT, SIM_TIMER_TIMEWAIT, SIM_TIMER_FINWAIT2 };
const char *sim_timer_name(int kind);   /* "retransmit", "time-wait", "fin-wait-2", "-" */
struct sim_timer_info {
    int kind;                      /* enum sim_timer_kind */
    uint64_t at_ns;
    uint16_t lport, rport;
    uint32_t raddr;
    int state;                     /* its TCB's state */
    uint8_t retries;               /* retransmissions so far */
};
/* Armed timers, earliest first. */
int sim_host_timers(const struct sim *s, uint32_t addr, struct sim_timer_info *out, size_t max);

struct sim_listener_info {
    uint16_t port;
    uint32_t half_open;            /* SYN-RECEIVED TCBs in its backlog */
    int backlog;                   /* the backlog's length (personality) */
};
int sim_host_listeners(const struct sim *s, uint32_t addr, struct sim_listener_info *out,
                       size_t max);

struct sim_ipid_info {
    char gen[SIM_INFO_GEN];
    /* The next IP-ID of a datagram to `peer` (sim_host_ipid's argument) with protocol
     * `proto`, as the trace's ipid= shows it; -1 where the kind has none (random). */
    int32_t toward;
    /* The host-wide counter of global, global-swapped and zero; -1 for the others. */
    int32_t global;
    uint32_t ncounters;            /* per-dest: destinations seen; hashed: buckets; else 1 or 0 */
};
int sim_host_ipid(const struct sim *s, uint32_t addr, uint32_t peer, uint8_t proto,
                  struct sim_ipid_info *out);
struct sim_ipid_dest { uint32_t addr; uint16_t counter; };
/* per-dest: every destination's counter, by address. 0 entries for other kinds. */
int sim_host_ipid_dests(const struct sim *s, uint32_t addr, struct sim_ipid_dest *out,
                        size_t max);

struct sim_isn_info {
    char gen[SIM_INFO_GEN];
    /* Whether the next ISN is determined by what is visible: false for random and
     * random-inc (their next value is a future draw, never shown). */
    bool predictable;
    uint32_t next;                 /* for the tuple asked, now; 0 when not predictable */
};
int sim_host_isn(const struct sim *s, uint32_t addr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, struct sim_isn_info *out);

struct sim_filter_info {
    char name[SIM_INFO_NAME];
    char host[SIM_INFO_NAME];
    uint32_t host_addr;
    bool inbound, stateful;
    bool policy_drop;              /* policy drop (else accept) */
    int policy_line;
    uint64_t policy_hits;          /* datagrams the policy decided */
    uint64_t conntrack_passed;     /* datagrams passed by the conntrack without the rules */
    uint32_t nrules, nconntrack;
};
size_t sim_filter_count(const struct sim *s);
int sim_filter_info(const struct sim *s, size_t i, struct sim_filter_info *out);
struct sim_rule_info {
    char text[SIM_INFO_RULE];      /* as written */
    int line;
    uint64_t hits;
};
int sim_filter_rule(const struct sim *s, size_t filter, size_t rule, struct sim_rule_info *out);
struct sim_ct_info {
    uint8_t proto;
    uint32_t orig, resp;           /* originator and responder addresses */
    uint16_t orig_port, resp_port; /* ICMP: the id in both */
    bool replied;                  /* a reply passed: ESTABLISHED */
};
/* Conntrack entries, by (proto, orig, orig_port, resp, resp_port). */
int sim_filter_conntrack(const struct sim *s, size_t filter, struct sim_ct_info *out, size_t max);

/* Counters for benchmarks and tests. */
struct sim_stats {
    uint64_t events, sent, delivered, dropped;
};
void sim_get_stats(const struct sim *s, struct sim_stats *st);

#endif
