/* pktio_sim.h — the simulator backend of the packet I/O seam.
 *
 * The scanner's datagrams go into an in-process simulated network (sim/sim.h) through the
 * scenario's `role scanner` host; replies come back through a tap on that host's address.
 * The scanner drives the virtual clock: recv runs the simulation forward to the next
 * datagram or to the deadline, so a scan is deterministic (same scenario + seed + command =
 * same bytes). This header declares no sim type, so cmd/ and scanner/ code that opens a sim
 * backend still includes nothing from sim/.
 */
#ifndef TCPLAB_PKTIO_SIM_H
#define TCPLAB_PKTIO_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktio/pktio.h"

struct scenario;
struct sim;

/* Received datagrams kept between two recv calls (a kernel socket buffer; more are dropped
 * and counted, as a full SO_RCVBUF drops). Slots hold a full Ethernet-MTU datagram. */
enum { PKTIO_SIM_RING = 1024, PKTIO_SIM_SLOT = 1536 };

/* Opens the scenario at `path` (NULL: the embedded default network). The seed is *seed
 * when seed is not NULL, else the scenario's. NULL with a message in err on any error
 * (parse error with FILE:LINE:COL, no `role scanner` host, out of memory). */
struct pktio *pktio_sim_open(const char *path, const uint64_t *seed, char *err, size_t errlen);

/* The same from a parsed scenario the caller owns; it must outlive the pktio. */
struct pktio *pktio_sim_open_scenario(const struct scenario *sc, uint64_t seed, char *err,
                                      size_t errlen);

/* The simulation under io (walking through wrappers), or NULL when io is not a sim. */
struct sim *pktio_sim_get(struct pktio *io);

/* Seed in use (for "Seed: N"); 0 when io is not a sim. */
uint64_t pktio_sim_seed(struct pktio *io);

/* Resolves a scenario host name to its address. 0, or -1 when io is no sim or no host. */
int pktio_sim_lookup(struct pktio *io, const char *name, uint32_t *addr);

/* The scenario host name of addr (like a PTR name), or NULL. */
const char *pktio_sim_host_name(struct pktio *io, uint32_t addr);

/* The scenario's title ("" when none or not a sim). */
const char *pktio_sim_title(struct pktio *io);

/* Every datagram on the simulated wire, once as it leaves its sender (the whole network's
 * capture, as `tcplab run --pcap` writes), not only the scanner's. -1 when io is no sim. */
typedef void (*pktio_sim_wire_fn)(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len);
int pktio_sim_set_wiretap(struct pktio *io, pktio_sim_wire_fn fn, void *ctx);

/* Datagrams that arrived while the ring was full (dropped, like a full socket buffer). */
uint64_t pktio_sim_overruns(struct pktio *io);

#endif
