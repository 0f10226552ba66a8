/* bridge.h — the TUN bridge's core: a simulated network whose `role scanner` host is a
 * real kernel.
 *
 * The core knows nothing of devices or clocks. It holds a running simulation built from a
 * scenario, with the scanner host made external (sim_set_external): what the simulated
 * hosts send to it leaves through the `out` callback (to the TUN device, or to a replay's
 * comparison), and what the kernel sends comes in through bridge_input at a virtual time
 * the caller chooses (the bridge loop maps CLOCK_MONOTONIC onto it; a replay reads it from
 * the session file). Same scenario + seed + inbound datagrams at the same virtual times =
 * the same outbound bytes: that is what makes a real tool's session replayable.
 *
 * Every datagram from the kernel is untrusted: bridge_classify checks it before the
 * simulator sees it (IPv4 only, header lengths and checksum, the MTU, a destination the
 * bridge routes) and drops the rest, counted by reason. Transport checksums are left to
 * the simulated hosts, which drop bad ones as a real stack does (nmap --badsum).
 *
 * Safety: bridge_nets_check refuses a scenario that would route any prefix outside the
 * reserved ranges (RFC 5737 documentation nets, RFC 2544's 198.18.0.0/15, RFC 1918) unless
 * told otherwise: a route such as 0.0.0.0/1 through the device would capture the machine's
 * own traffic.
 */
#ifndef TCPLAB_BRIDGE_H
#define TCPLAB_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scenario;
struct sim;
struct bridge;

/* Why a datagram from the kernel went no further, or an outbound one was lost. */
enum bridge_drop {
    BRIDGE_DROP_SHORT,       /* shorter than an IPv4 header */
    BRIDGE_DROP_IPV6,        /* IPv6 (router solicitations, MLD: the kernel's own) */
    BRIDGE_DROP_NOT_IP,      /* neither IPv4 nor IPv6 */
    BRIDGE_DROP_HEADER,      /* IHL or total length inconsistent with the bytes read */
    BRIDGE_DROP_CSUM,        /* bad IPv4 header checksum */
    BRIDGE_DROP_TOO_BIG,     /* over the device's MTU (1500) */
    BRIDGE_DROP_NOT_ROUTED,  /* destination outside every prefix the bridge routes */
    BRIDGE_DROP_SIM,         /* the simulator refused it (out of memory) */
    BRIDGE_DROP_OUT,         /* outbound: the kernel did not take it (device queue full) */
    BRIDGE_DROP_N,
};
const char *bridge_drop_name(enum bridge_drop d);
/* BRIDGE_DROP_N when the datagram may enter. */
enum bridge_drop bridge_classify(const struct bridge *b, const uint8_t *d, size_t len);

struct bridge_stats {
    uint64_t in;             /* datagrams read from the kernel */
    uint64_t injected;       /* of those, into the simulated network */
    uint64_t out;            /* written to the kernel */
    uint64_t drop[BRIDGE_DROP_N];
    uint64_t sim_dropped;    /* inside the simulation: loss, filters, no host there or a
                              * host that is down, bad checksums */
};

/* A prefix the bridge routes through the device. */
struct bridge_route {
    uint32_t prefix;
    int len;
};
enum { BRIDGE_ROUTES_MAX = 256 };

/* The prefixes a scenario needs routed: every net, and /32s for hosts in no net (not the
 * scanner's own address). Refuses a prefix outside the reserved ranges unless allow_any.
 * Returns how many (into r[max]), or -1 with a message naming the net and its line. */
int bridge_nets_check(const struct scenario *sc, bool allow_any, struct bridge_route *r,
                      int max, char *err, size_t errlen);
/* Whether prefix/len lies inside one of the reserved ranges. */
bool bridge_prefix_reserved(uint32_t prefix, int len);

enum bridge_dir { BRIDGE_IN = 1, BRIDGE_OUT = 2 };   /* as pcapng's epb_flags direction */

/* Outbound datagrams (simulated hosts -> the kernel): return 0 when delivered, -1 when
 * the receiver could not take it (counted as BRIDGE_DROP_OUT). */
typedef int (*bridge_out_fn)(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len);
/* Every datagram both ways, for a session file: comment says what became of an inbound one
 * ("into the simulated network", "dropped by the bridge: ...") and which rule of which
 * host sent an outbound one. Called only when set (annotations cost a trace). */
typedef void (*bridge_record_fn)(void *ctx, enum bridge_dir dir, uint64_t t_ns,
                                 const uint8_t *pkt, size_t len, const char *comment);

/* Builds the simulation (seed as given: the scenario's unless overridden) with its
 * `role scanner` host external. NULL with a message on error. The scenario must outlive
 * the bridge. record may be NULL. */
struct bridge *bridge_new(const struct scenario *sc, uint64_t seed, const struct bridge_route *r,
                          int nroutes, bridge_out_fn out, bridge_record_fn record, void *ctx,
                          char *err, size_t errlen);
void bridge_free(struct bridge *b);

/* Runs the simulation to virtual time t_ns (never backwards), then takes one datagram from
 * the kernel: classified, recorded, injected. Returns BRIDGE_DROP_N when injected, else the
 * reason it was dropped. */
enum bridge_drop bridge_input(struct bridge *b, const uint8_t *d, size_t len, uint64_t t_ns);
/* Runs the simulation to virtual time t_ns (the clock stays at t_ns or later). */
void bridge_advance(struct bridge *b, uint64_t t_ns);
/* Runs the simulation until every datagram injected so far has arrived (at most the
 * longest net delay past the last one), so the counts (bridge_get_stats) account for each:
 * the loop's last step when it stops, before the summary. */
void bridge_settle(struct bridge *b);
/* Virtual time of the next event, UINT64_MAX when none. */
uint64_t bridge_next_time(const struct bridge *b);
uint64_t bridge_now(const struct bridge *b);
uint32_t bridge_scanner_addr(const struct bridge *b);
void bridge_get_stats(const struct bridge *b, struct bridge_stats *st);
/* The simulation, for a caller's trace (transcripts): set it with bridge_set_trace, not
 * sim_set_trace, which the bridge uses for its annotations. */
struct sim *bridge_sim(struct bridge *b);
struct sim_event;
void bridge_set_trace(struct bridge *b, void (*fn)(void *ctx, const struct sim_event *ev),
                      void *ctx);

#endif
