/* tcp.h — one host's TCP: listeners, TCBs, RFC 793 segment processing, RFC 5961.
 *
 * Internal to the simulator. host.c owns the host and hands TCP every segment addressed to
 * it; TCP answers through the `tcp_io` callbacks (emit a segment, arm a timer), so it never
 * reaches into the host's or the engine's structs. Every decision is reported in a
 * `tcp_verdict` naming the rule that made it (the transcript's "why"): one row of the rule
 * table in tcp_rules.c, with its stable ID.
 */
#ifndef TCPLAB_TCP_H
#define TCPLAB_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/wire.h"
#include "os.h"
#include "scenario.h"
#include "sim.h"

struct tcp_host;

/* How the IP layer should number and flag a segment TCP emits. */
struct tcp_ipinfo {
    bool df;
    int32_t ipid;   /* >= 0: use this IP-ID (0 for Linux RSTs/SYN-ACKs, or a connected
                       socket's own counter); -1: the host's IP-ID generator */
    int32_t ipid_next; /* with ipid >= 0: where that numbering stands after this datagram
                          (0 for the zero rule, the socket's counter), for the transcript */
};

struct tcp_io {
    void *ctx;
    uint64_t now_ns;
    /* No one reads the verdict's trace-only fields (state_after, has_isn, isn_next): skip
     * computing them (a table lookup and, for the ISN, a SipHash per segment). The segments
     * sent and every other verdict field are the same either way. false (the zero value)
     * keeps the full verdict, so a caller that never sets it loses nothing. */
    bool quiet;
    /* Send a segment from this host to dst. seg->payload may point at TCP-owned bytes. */
    void (*emit)(void *ctx, uint32_t dst, const struct wire_tcp *seg, const struct tcp_ipinfo *ii);
    /* Call tcp_timer(token) at t_ns. Timers are never cancelled: a stale token is ignored. */
    void (*timer)(void *ctx, uint64_t t_ns, uint64_t token);
    /* Optional, both or neither: one engine entry per host instead of one per timer. TCP then
     * keeps its timers in order itself (a stopped one leaves its list, so a SYN scan's
     * half-open TCBs, reset long before their SYN-ACK timer, cost the engine nothing) and
     * asks for a call of tcp_timer_due(token) at (t_ns, key) for its earliest timer only,
     * instead of calling `timer`. timer_key: the engine's tie break for a timer armed now,
     * which timer_at later passes back, so timers and other entries at one time keep the
     * order they would have had with an entry each. */
    uint64_t (*timer_key)(void *ctx);
    void (*timer_at)(void *ctx, uint64_t t_ns, uint64_t key, uint64_t token);
};

struct tcp_verdict {
    const char *action;        /* "SYN-ACK", "RST+ACK", "ACK", "challenge ACK", "drop", "accept data" */
    const char *rule_id;       /* the rule's stable ID: "rfc793-3.4-case1-noack" (tcp_rules.c) */
    const char *rule;          /* its text: "RFC 793 3.4 reset generation: no listener, ..." */
    int state_before, state_after;   /* enum tcp_state, TCB_NONE */
    bool has_isn;
    uint32_t isn_next;         /* what this host's ISN generator would give next for the tuple */
    bool isn_unpredictable;    /* a random draw: isn_next not shown (0) */
    /* Set by the host, not TCP: 1 + the ipid_next of the last segment this event sent whose
     * IP-ID did not come from the host's generator; 0 when none did. The transcript's ipid=
     * then shows the counter that datagram used. */
    uint32_t ipid_fixed;
};

/* listen: open ports (copied); name: for the rng streams. NULL on out of memory. */
struct tcp_host *tcp_host_new(const struct personality *p, uint32_t addr,
                              const struct scn_portset *listen, uint64_t seed, const char *name);
void tcp_host_free(struct tcp_host *th);
/* `tcp PORT from ADDR`: the listener on port serves only addr (rsh's trust of one host,
 * behind a filter that lets no one else reach it); a segment from elsewhere is dropped, and
 * data on a connection from addr is reported as the trusted host's. 0, or -1 when nothing
 * listens on port. */
int tcp_listen_from(struct tcp_host *th, uint16_t port, uint32_t addr);

/* A segment for this host (checksum already verified by the caller). */
void tcp_input(struct tcp_host *th, const struct tcp_io *io, const struct wire_ipv4 *ip,
               const struct wire_tcp *seg, struct tcp_verdict *v);
void tcp_timer(struct tcp_host *th, const struct tcp_io *io, uint64_t token, struct tcp_verdict *v);
/* Whether tcp_timer(token) would do anything: false for a superseded timer or a TCB that is
 * gone (then tcp_timer changes nothing and reports nothing). Lets the engine skip the call's
 * setup for the stale timers a scan leaves behind (every half-open TCB reset before its
 * SYN-ACK retransmission). */
bool tcp_timer_live(const struct tcp_host *th, uint64_t token);
/* With timer_at: the engine entry for token came due. When it is the one TCP asked for last
 * and its timer is still armed, runs it as tcp_timer does (into *v) and returns true; else
 * returns false and reports nothing (an entry superseded by an earlier timer, or a timer
 * stopped since). Either way it asks for the entry of the next timer. */
bool tcp_timer_due(struct tcp_host *th, const struct tcp_io *io, uint64_t token,
                   struct tcp_verdict *v);
/* An ICMP error quoting one of our segments: (local port, remote addr, remote port). */
void tcp_icmp_error(struct tcp_host *th, const struct tcp_io *io, uint8_t type, uint8_t code,
                    uint16_t lport, uint32_t raddr, uint16_t rport, struct tcp_verdict *v);

/* Active open (connect statements, -sT). sport 0: an ephemeral port from the host's rng
 * (Linux range 32768-60999). Returns a connection id >= 0, or -1. */
int tcp_connect(struct tcp_host *th, const struct tcp_io *io, uint32_t dst, uint16_t dport,
                uint16_t sport);
int tcp_conn_state(const struct tcp_host *th, int id);           /* enum tcp_state */
/* Why an active open failed: 0 none, 'R' RST, 'I' ICMP (type/code set), 'T' timeout. */
int tcp_conn_error(const struct tcp_host *th, int id, uint8_t *icmp_type, uint8_t *icmp_code);
int tcp_send(struct tcp_host *th, const struct tcp_io *io, int id, uint32_t nbytes);
int tcp_close(struct tcp_host *th, const struct tcp_io *io, int id);  /* FIN */
int tcp_abort(struct tcp_host *th, const struct tcp_io *io, int id);  /* RST, SO_LINGER 0 */
/* Buffered streams (tcp_app.c): real bytes instead of counted 'X's. tcp_buffer gives
 * connection id its buffers (at once after tcp_connect; 0, or -1). tcp_write queues up to n
 * bytes (sent once ESTABLISHED) and returns how many it took, or -1. tcp_read moves up to
 * cap received bytes to buf and returns their count; *eof is set once the peer's FIN has
 * come and every byte before it has been read; buf NULL discards the bytes (a replay). Reading
 * frees receive buffer: when that opens the window enough (RFC 9293 3.8.6.2.2) the
 * connection sends a window update. A buffered connection's bytes outlive its
 * TCB until tcp_conn_release. */
int tcp_buffer(struct tcp_host *th, int id);
int tcp_write(struct tcp_host *th, const struct tcp_io *io, int id, const uint8_t *data,
              uint32_t n);
int tcp_read(struct tcp_host *th, const struct tcp_io *io, int id, uint8_t *buf, uint32_t cap,
             bool *eof);
/* The service applications of this host (copied): a listener's connection on one of their
 * ports runs it. 0, or -1 when out of memory. */
int tcp_host_services(struct tcp_host *th, const struct scn_service *svc, uint32_t n);
/* The 4-tuple of a connection whose TCB lives (local port, remote address and port). 0, or
 * -1 when the id or its TCB is gone. */
int tcp_conn_tuple(const struct tcp_host *th, int id, uint16_t *lport, uint32_t *raddr,
                   uint16_t *rport);
/* Frees an aborted/closed connection id for reuse. */
void tcp_conn_release(struct tcp_host *th, int id);

/* The ISN an active open of (lport, raddr, rport) takes now: drawn from the host's
 * generator, so it advances a counter generator (bsd64k) exactly as connect() would. */
uint32_t tcp_isn_take(struct tcp_host *th, uint64_t now_ns, uint16_t lport, uint32_t raddr,
                      uint16_t rport);
/* The SYN a connect() from this host to raddr:rport from lport would send now, without
 * keeping a connection (a scenario's background `traffic`): the ISN from tcp_isn_take, the
 * personality's SYN window and options (Linux: mss, sackOK, TS, nop, wscale), and in *ii the
 * IP numbering of a connected socket (Linux: DF, the new socket's own IP-ID counter). */
void tcp_syn_like(struct tcp_host *th, uint64_t now_ns, uint16_t lport, uint32_t raddr,
                  uint16_t rport, struct wire_tcp *seg, struct tcp_ipinfo *ii);

/* For the trace: the ISN the generator would give for this tuple now, without drawing. */
uint32_t tcp_peek_isn(const struct tcp_host *th, uint64_t now_ns, uint16_t lport,
                      uint32_t raddr, uint16_t rport);

#endif
