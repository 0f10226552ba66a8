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
 *  - a tap on an address gets every datagram delivered to it (the scanner's raw socket).
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

/* Hosts. */
int sim_host_lookup(const struct sim *s, const char *name, uint32_t *addr);
const char *sim_host_name(const struct sim *s, uint32_t addr); /* NULL when no host */
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
/* Close with SO_LINGER 0: a RST, as nmap's -sT does. Frees the handle. */
void sim_stream_abort(struct sim *s, int handle);

/* Counters for benchmarks and tests. */
struct sim_stats {
    uint64_t events, sent, delivered, dropped;
};
void sim_get_stats(const struct sim *s, struct sim_stats *st);

#endif
