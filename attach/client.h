/* client.h — the C client of `tcplab attach`: a program attached to a simulated network.
 *
 * The counterpart of the Python module attach/tcplab.py over the same protocol (proto.h),
 * for C programs and for the scanner (pktio/pktio_attach.c: `tcplab attach SCENARIO --
 * tcplab scan --attach -sS TARGET` runs the real scanner as the attached script). Knows
 * nothing of the simulator: only the socket in $TCPLAB_ATTACH.
 *
 *   struct attach_client *c = attach_client_open(-1, err, sizeof err);
 *   attach_client_send(c, syn, len);                        // queued
 *   attach_client_wait(c, attach_client_now(c) + 10000000, false, on_dgram, ctx);
 *
 * Sends are queued and leave together at the current virtual time with the next wait (or
 * connect, write, close, abort, note): one message per batch. Every call returns 0 (or a
 * value) on success and -1 with the reason in attach_client_error(c): an error tcplab
 * answered (the session goes on), or a broken session.
 */
#ifndef TCPLAB_ATTACH_CLIENT_H
#define TCPLAB_ATTACH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct attach_client;

/* fd -1: the descriptor in $TCPLAB_ATTACH. NULL with a message when it is not set or the
 * HELLO fails. */
struct attach_client *attach_client_open(int fd, char *err, size_t errlen);
/* Sends what is queued, then closes the socket and frees c. */
void attach_client_close(struct attach_client *c);
const char *attach_client_error(const struct attach_client *c);

uint32_t attach_client_addr(const struct attach_client *c);    /* the attaching address */
unsigned attach_client_plen(const struct attach_client *c);    /* its prefix length */
uint64_t attach_client_now(const struct attach_client *c);     /* virtual ns */
/* The scenario's named hosts: the i-th (0, or -1 past the end), or one by name. */
int attach_client_host(const struct attach_client *c, size_t i, const char **name,
                       uint32_t *addr);
int attach_client_lookup(const struct attach_client *c, const char *name, uint32_t *addr);
const char *attach_client_host_name(const struct attach_client *c, uint32_t addr);

/* Queues one datagram (raw IPv4, any source). -1 when it is not one IPv4 datagram whose
 * total length is its length, or longer than 1500 bytes. */
int attach_client_send(struct attach_client *c, const uint8_t *dgram, size_t len);

/* A datagram delivered to the attached prefix; pkt is valid during the call. */
typedef void (*attach_rx_fn)(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len);
/* Sends the queue and lets the clock run to until_ns (first: stop at the first delivery,
 * the clock at its time). fn gets each datagram delivered meanwhile, in order. Returns how
 * many, or -1. */
long attach_client_wait(struct attach_client *c, uint64_t until_ns, bool first,
                        attach_rx_fn fn, void *ctx);

/* The attached host's own TCP: a handle, or -1. */
int attach_client_connect(struct attach_client *c, uint32_t dst, uint16_t dport,
                          uint16_t sport);
/* The connection's state name ("SYN-SENT", "ESTABLISHED", "REFUSED", "TIMEDOUT", ...) into
 * buf. 0 or -1. */
int attach_client_state(struct attach_client *c, int handle, char *buf, size_t cap);
/* The application writes n bytes on the connection (they go on the wire as they are): how
 * many its send buffer took (a short write: write the rest later), or -1. */
long attach_client_write(struct attach_client *c, int handle, const void *data, size_t n);
/* What the connection received in order, at most cap bytes into buf: how many (0: nothing
 * yet), *eof once the peer has closed and all is read; or -1. Changes nothing on the net. */
long attach_client_read(struct attach_client *c, int handle, void *buf, size_t cap, bool *eof);
int attach_client_fin(struct attach_client *c, int handle);     /* close(): a FIN */
int attach_client_abort(struct attach_client *c, int handle);   /* SO_LINGER 0: a RST */
int attach_client_note(struct attach_client *c, const char *text);

#endif
