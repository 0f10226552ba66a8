/* pktio_raw.h — the live backend (--live): raw IPv4 out, libpcap in, on a real interface.
 *
 * nmap's raw-IP path (libnetutil, tcpip.cc; docs/facts/nmap.md section 8): an
 * IPPROTO_RAW socket with IP_HDRINCL bound to the interface with SO_BINDTODEVICE, and a pcap
 * handle filtered to "dst host SRC and (tcp or udp or icmp)". The interface and source
 * address come from the routing table as nmap's route_dst() picks them, unless -e / -S say.
 * Needs CAP_NET_RAW; after opening its sockets it drops every privilege it can.
 */
#ifndef TCPLAB_PKTIO_RAW_H
#define TCPLAB_PKTIO_RAW_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktio/pktio.h"

struct pktio_raw_cfg {
    const char *ifname;   /* -e IF; NULL: from the route to route_to */
    uint32_t src;         /* -S ADDR (host order); 0: the interface's primary IPv4 */
    uint32_t route_to;    /* a target, to choose the interface by route (the first one) */
    int verbose;          /* >0: say which interface and source were chosen, on stderr */
    /* -sT alone (nmap's unprivileged connect scan): when raw sockets are refused
     * (EPERM/EACCES: no CAP_NET_RAW), open anyway with kernel connect() sockets only; the
     * backend then sends no raw datagram and receives none (pktio_raw_connect_only). */
    bool connect_only_ok;
};

/* Whether io was opened without raw sockets (connect_only_ok, CAP_NET_RAW missing). */
bool pktio_raw_connect_only(const struct pktio *io);

/* The message printed when raw sockets are refused (EPERM/EACCES). */
#define PKTIO_RAW_NEED_CAP \
    "--live needs CAP_NET_RAW: run as root, or " \
    "`sudo setcap cap_net_raw,cap_net_admin+eip ./tcplab`"

/* Opens raw socket, pcap and the stream table, then drops privileges. NULL with a message. */
struct pktio *pktio_raw_open(const struct pktio_raw_cfg *cfg, char *err, size_t errlen);

/* Route choice, nmap style: the longest-prefix match among the UP routes of a
 * /proc/net/route table (ties: lowest metric, then first listed). Reads `routes` (the file's
 * text); 0 with the interface name, or -1 with a message. Separate for tests. */
int pktio_raw_route_lookup(FILE *routes, uint32_t dst, char ifname[32], char *err,
                           size_t errlen);

/* The kernel's own route choice for dst: a UDP socket connect()ed to dst (which sends
 * nothing) and getsockname() give the source address the kernel would use, from every
 * routing table (the local table too, where 127.0.0.0/8 and the host's own addresses are,
 * which /proc/net/route does not show); the interface is the one holding that address.
 * 0 with *src and ifname, or -1 with a message (no route). */
int pktio_raw_kernel_route(uint32_t dst, char ifname[32], uint32_t *src, char *err,
                           size_t errlen);

/* The first IPv4 address of interface ifname (getifaddrs). 0, or -1 with a message. */
int pktio_raw_if_addr(const char *ifname, uint32_t *addr, char *err, size_t errlen);

/* Bytes of link-layer header before the IPv4 datagram for a pcap DLT, -1 for unsupported
 * (nmap's datalink_offset plus DLT_RAW and DLT_NULL). */
int pktio_raw_dlt_offset(int dlt);

/* Drops privileges after the privileged sockets are open (see pktio_raw.c). 0 or -1. */
int pktio_raw_drop_privileges(char *err, size_t errlen);

#endif
