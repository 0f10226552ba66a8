/* pktio_attach.h — the packet I/O backend of a program run under `tcplab attach`.
 *
 * The scanner's datagrams go to the simulation through the attach protocol (attach/client.h)
 * instead of an in-process simulator: `tcplab attach SCENARIO -- tcplab scan --attach -sS
 * TARGET` runs the real scanner as the attached script, sending from the attaching address,
 * seeing only what reaches it, on the virtual clock. Deterministic like --sim.
 */
#ifndef TCPLAB_PKTIO_ATTACH_H
#define TCPLAB_PKTIO_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktio/pktio.h"

/* Connects through $TCPLAB_ATTACH. NULL with a message. */
struct pktio *pktio_attach_open(char *err, size_t errlen);
/* Whether io (or what it wraps) is an attach backend. */
bool pktio_is_attach(struct pktio *io);
/* A scenario host name to its address. 0, or -1 (not attached, no such host). */
int pktio_attach_lookup(struct pktio *io, const char *name, uint32_t *addr);
/* The scenario host name of addr, or NULL. */
const char *pktio_attach_host_name(struct pktio *io, uint32_t addr);

#endif
