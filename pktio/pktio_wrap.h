/* pktio_wrap.h — the plumbing every pktio wrapper (trace, tee, progress) shares.
 *
 * A wrapper is a struct pktio whose ops forward to io->inner (pktio.h; curl's connection
 * filters, smoltcp's phy::Tracer). What each one adds is a look at the datagrams that really
 * left or arrived; the forwarding itself, the error text copied up from the inner instance,
 * and the instance's fields mirrored from inner are written once here.
 */
#ifndef TCPLAB_PKTIO_WRAP_H
#define TCPLAB_PKTIO_WRAP_H

#include "pktio/pktio.h"

/* Called with each datagram that really left (send) or arrived (recv), t_ns on the inner
 * instance's clock. */
typedef void (*pktio_wrap_seen)(struct pktio *io, uint64_t t_ns, const uint8_t *d, size_t len);

/* Sends through io->inner; on failure copies its error text, else calls seen. */
int pktio_wrap_send(struct pktio *io, const uint8_t *d, size_t len, pktio_wrap_seen seen);
/* Receives through io->inner (len and t_ns may be NULL); on failure copies its error text,
 * on a datagram calls seen. */
int pktio_wrap_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                    uint64_t deadline_ns, pktio_wrap_seen seen);

/* Plain forwarders, for a wrapper's ops table. stream_open/write/read are set on a
 * wrapper's streams table by pktio_wrap_init when the inner instance has them. */
int pktio_wrap_stream_open(struct pktio *io, uint32_t dst, uint16_t port);
int pktio_wrap_stream_write(struct pktio *io, int h, const uint8_t *d, size_t n);
int pktio_wrap_stream_read(struct pktio *io, int h, uint8_t *buf, size_t cap, bool *eof);
uint64_t pktio_wrap_now(struct pktio *io);
enum pktio_stream pktio_wrap_stream_poll(struct pktio *io, int h, uint8_t *type, uint8_t *code);
void pktio_wrap_stream_close(struct pktio *io, int h);

/* Stacks io on inner: ops_streams when inner has streams (-sT), else ops; ctx; and inner's
 * source address, interface name and clock kind. */
void pktio_wrap_init(struct pktio *io, struct pktio *inner, void *ctx,
                     const struct pktio_ops *ops, const struct pktio_ops *ops_streams);

#endif
