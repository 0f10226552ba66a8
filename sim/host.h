/* host.h — internal to the simulator: a simulated host and the host table.
 *
 * A host is an address, a personality (os.h), an IP-ID generator (gen.h), a TCP (tcp.h),
 * its open UDP ports, its ICMP budgets and the filters in front of it. host.c implements its
 * IP, UDP and ICMP input; TCP segments go to tcp.c through tcp_input. Hosts live in an
 * open-addressing table keyed by address (an integer hash: no pointer order anywhere).
 */
#ifndef TCPLAB_SIM_HOST_H
#define TCPLAB_SIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wire.h"
#include "gen.h"
#include "os.h"
#include "pset.h"
#include "scenario.h"
#include "sim.h"
#include "tcp.h"

struct sim;
struct reasm;

/* Linux's per-destination ICMP token bucket (inet_peer rate_tokens / rate_last). */
struct host_peer {
    uint32_t addr;
    bool used;
    uint64_t tokens_ns, last_ns;
};

struct host {
    char name[SCN_NAME_MAX];
    uint32_t addr;
    uint32_t idx;                  /* index in the host table's creation order */
    struct personality pers;
    bool down, scanner;
    bool from_pop;                 /* made from a population on first touch (pop.c) */
    bool external;                 /* outside the simulation: the tap gets all (sim_set_external) */
    bool attached;                 /* in an attached script's prefix (sim_attach) */
    int net;                       /* index of its net, -1 */
    int filt_in, filt_out;         /* filter index, -1 */
    struct sim *sim;
    struct gen_ipid ipid;
    struct tcp_host *tcp;          /* made on first use (host_tcp): NULL until a segment
                                      reaches the host or it opens a connection */
    struct sim_pset *tcp_ports;    /* listening TCP ports (shared, pset.h); NULL: none */
    struct sim_pset *udp;          /* open UDP ports (shared); NULL: none */
    uint8_t ntrust;                /* `tcp PORTS from ADDR`, applied when TCP is made */
    struct scn_trust trust[SCN_TRUST_MAX];
    struct scn_service *svc;       /* its service applications (own copy), applied when TCP
                                      is made; NULL: none */
    uint32_t nsvc;
    struct tcp_io io;              /* ctx = this host */
    sim_tap_fn tap;
    void *tap_ctx;
    /* host-wide ICMP error budget: aligned one-second slots of the virtual clock */
    uint64_t icmp_slot;
    uint32_t icmp_used;
    struct host_peer *peers;       /* per-destination buckets, open addressing */
    uint32_t npeers, cappeers;
    uint32_t pending_connects;     /* scripted connects waiting to send data */
    struct reasm *reasm;           /* fragments in reassembly (reasm.h); NULL until the first */
    uint32_t tcp_ipid_fixed;       /* during a TCP event: tcp_verdict.ipid_fixed so far */
};

struct host_table {
    struct host **v;               /* creation order */
    uint32_t n, capv;
    uint32_t *slot;                /* hash slots: index + 1, 0 = empty */
    uint32_t *nslot;               /* the same by name (host_find_name) */
    uint32_t mask;                 /* slots - 1 (a power of two) */
};

/* The host named name, or NULL: one probe of a hash of the name. */
struct host *host_find_name(const struct host_table *t, const char *name);

void host_table_free(struct host_table *t);
/* A deep copy of src's hosts for the simulation s (sim_clone). 0, or -1 (dst left empty). */
int host_table_clone(struct sim *s, struct host_table *dst, const struct host_table *src);

static inline uint32_t host_hash(uint32_t addr)
{
    uint32_t h = addr * 0x9E3779B1u;   /* Fibonacci hashing: spreads consecutive addresses */
    return h ^ (h >> 16);
}

/* The host at addr, or NULL. Inline: every datagram looks up its destination (and an
 * injected one its source), four lookups per probe round trip. */
static inline struct host *host_find(const struct host_table *t, uint32_t addr)
{
    if (!t->slot)
        return NULL;
    for (uint32_t i = host_hash(addr) & t->mask;; i = (i + 1) & t->mask) {
        uint32_t v = t->slot[i];
        if (v == 0)
            return NULL;
        if (t->v[v - 1]->addr == addr)
            return t->v[v - 1];
    }
}
/* Creates a host from a scenario line; tcp and udp are its port sets as counted copies (the
 * host takes a reference of its own; NULL: none). NULL with a message on error. A host
 * costs its struct and a hash slot until something reaches it: its TCP is made on first
 * use, the IP-ID tables on first draw. */
struct host *host_add(struct sim *s, const struct scn_host *sh, struct sim_pset *tcp,
                      struct sim_pset *udp, char *err, size_t errlen);
/* h's TCP, made now if it is not yet (deterministic whenever it is made: its generators
 * are keyed by the seed and the host's name). NULL only when memory ran out. */
struct tcp_host *host_tcp(struct host *h);

/* ---- the host's own fields, written only here (tests/unit/owners.sh checks it) ----
 * The engine, the script, the attach layer and populations say what they want through these;
 * the host keeps its struct consistent (a filter slot taken once, a tap with its context). */

/* Fits the filter with index idx to h's inbound or outbound side: 0, or -1 when that side
 * has one already (a scenario gives a host at most one filter per direction). idx -1
 * takes the filter off that side. */
int host_set_filter(struct host *h, bool inbound, int idx);
/* The tap that sees every datagram delivered to h (external: h is a real host, its kernel
 * answers, sim_set_external). fn NULL removes it. */
void host_set_tap(struct host *h, sim_tap_fn fn, void *ctx, bool external);
/* h lies in an attached script's prefix: its stack leaves the script's flows alone. */
void host_set_attached(struct host *h, bool on);
/* h was made on first touch from a population's template: it has no name of its own. */
void host_set_from_pop(struct host *h);
/* A scripted connect of h waits for ESTABLISHED before it sends its bytes (+1), or is done
 * waiting (-1); host_input looks for them only while some wait. */
void host_connect_waiting(struct host *h, int delta);
/* h's reassembly queues, made on the first fragment; NULL when memory ran out. */
struct reasm *host_reasm(struct host *h);

/* A datagram reached h (after filters and taps; h is up). Handles it and reports RECV or
 * DROP; replies leave through sim_send (at once, or by the outbox). */
void host_input(struct sim *s, struct host *h, const struct wire_pkt *p, const uint8_t *pkt,
                size_t len);
void host_timer(struct sim *s, struct host *h, uint64_t token);
/* h's tcp_io with the clock set to now. */
const struct tcp_io *host_io(struct sim *s, struct host *h);

/* An ICMP error from h's address to dst quoting the
 * datagram orig (Linux icmp_send: the IP header and as much as fits in 576 bytes), through
 * h's ICMP budgets. Returns true when sent; false with *why (a static string, or one
 * formatted while tracing; *why_id its rule ID, when why_id is not NULL) when a budget refused it or memory ran out. raw: a filter's
 * reject, which goes onto the wire without crossing h's filters. */
/* Whether ICMP type/code counts against the host's ICMP budgets: Linux icmp_ratemask 0x1818
 * (destination unreachable, source quench, time exceeded, parameter problem), with
 * fragmentation-needed exempt (icmpv4_mask_allow). */
bool host_icmp_limited(uint8_t type, uint8_t code);
bool host_icmp_error(struct sim *s, struct host *h, uint32_t dst, uint8_t type, uint8_t code,
                     const uint8_t *orig, size_t origlen, bool raw, const char **why_id,
                     const char **why);
/* An ICMP message from h to dst with DF as given, in fragments when too big for the MTU;
 * raw: a filter's reject (sim_out_push). false when out of memory (host_icmp.c). */
bool host_icmp_send(struct sim *s, struct host *h, uint32_t dst, const struct wire_icmp *ic,
                    bool raw, bool df);

#endif
