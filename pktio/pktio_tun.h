/* pktio_tun.h — the TUN backend of the packet I/O seam: IPv4 datagrams to and from the
 * kernel through a Linux TUN device (linux/Documentation/networking/tuntap.rst).
 *
 * The device is opened IFF_TUN|IFF_NO_PI (each read and write is one bare IP datagram, no
 * packet-information header), non-blocking, MTU 1500, given one IPv4 address (/32) and
 * brought up; routes to prefixes go through it (SIOCADDRT: the kernel's own route ioctl,
 * no `ip` command). IPv6 is switched off on it so the kernel sends no router solicitations
 * or MLD reports onto it (what it sends anyway, the caller drops and counts).
 * Everything needs CAP_NET_ADMIN; without it pktio_tun_open fails with a message saying so
 * and *need_cap set. The device disappears when its file descriptor is closed.
 *
 * The tcplab bridge is its first user; it is a pktio like the others (send, recv with a
 * deadline on CLOCK_MONOTONIC, now), so the scanner could run over it too.
 */
#ifndef TCPLAB_PKTIO_TUN_H
#define TCPLAB_PKTIO_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktio/pktio.h"

enum { PKTIO_TUN_MTU = 1500 };

/* Creates (or attaches to) the TUN device `name` (at most 15 bytes), gives it addr/32, MTU
 * 1500, IPv6 off, and brings it up. NULL with a message in err on failure; *need_cap (when
 * not NULL) is set when the failure is a missing privilege (EPERM/EACCES). */
struct pktio *pktio_tun_open(const char *name, uint32_t addr, char *err, size_t errlen,
                             bool *need_cap);

/* Routes prefix/len through the device. 0, or -1 with io->err set. */
int pktio_tun_add_route(struct pktio *io, uint32_t prefix, int len);

/* The device's file descriptor, for a caller's own poll loop; -1 when io is not a tun. */
int pktio_tun_fd(struct pktio *io);

/* One datagram without waiting: 1 with it in buf (*len is its full length; more than cap
 * means it was cut), 0 when none is queued, -1 on error (io->err). */
int pktio_tun_read(struct pktio *io, uint8_t *buf, size_t cap, size_t *len);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t pktio_tun_monotonic_ns(void);

/* The kernel's counters of the device (/sys/class/net/NAME/statistics): datagrams the
 * kernel could not queue toward us (tx_dropped) and ones it dropped from us (rx_dropped).
 * 0, or -1 when they cannot be read. */
int pktio_tun_kernel_drops(struct pktio *io, uint64_t *tx_dropped, uint64_t *rx_dropped);

#endif
