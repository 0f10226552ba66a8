/* pktio_wrap.c — forwarding shared by the pktio wrappers (see pktio_wrap.h). */
#include "pktio/pktio_wrap.h"

#include <stdio.h>
#include <string.h>

int pktio_wrap_send(struct pktio *io, const uint8_t *d, size_t len, pktio_wrap_seen seen)
{
    int rc = pktio_send(io->inner, d, len);
    if (rc < 0) {
        memcpy(io->err, io->inner->err, sizeof io->err);
        return rc;
    }
    seen(io, pktio_now(io->inner), d, len);
    return rc;
}

int pktio_wrap_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                    uint64_t deadline_ns, pktio_wrap_seen seen)
{
    size_t n = 0;
    uint64_t t = 0;
    int rc = pktio_recv(io->inner, buf, cap, &n, &t, deadline_ns);
    if (rc < 0)
        memcpy(io->err, io->inner->err, sizeof io->err);
    if (rc == 1)
        seen(io, t, buf, n);
    if (len)
        *len = n;
    if (t_ns)
        *t_ns = t;
    return rc;
}

uint64_t pktio_wrap_now(struct pktio *io) { return pktio_now(io->inner); }

enum pktio_stream pktio_wrap_stream_poll(struct pktio *io, int h, uint8_t *type, uint8_t *code)
{
    return io->inner->ops->stream_poll(io->inner, h, type, code);
}

void pktio_wrap_stream_close(struct pktio *io, int h)
{
    io->inner->ops->stream_close(io->inner, h);
}

int pktio_wrap_stream_open(struct pktio *io, uint32_t dst, uint16_t port)
{
    const struct pktio_ops *o = io->inner->ops;
    int h = o->stream_open ? o->stream_open(io->inner, dst, port) : -1;
    if (h < 0 && o->stream_open)
        memcpy(io->err, io->inner->err, sizeof io->err);
    else if (h < 0)
        snprintf(io->err, sizeof io->err, "%s: no byte streams", o->name);
    return h;
}

int pktio_wrap_stream_write(struct pktio *io, int h, const uint8_t *d, size_t n)
{
    const struct pktio_ops *o = io->inner->ops;
    int rc = o->stream_write ? o->stream_write(io->inner, h, d, n) : -1;
    if (rc < 0 && o->stream_write)
        memcpy(io->err, io->inner->err, sizeof io->err);
    return rc;
}

int pktio_wrap_stream_read(struct pktio *io, int h, uint8_t *buf, size_t cap, bool *eof)
{
    const struct pktio_ops *o = io->inner->ops;
    *eof = false;
    int rc = o->stream_read ? o->stream_read(io->inner, h, buf, cap, eof) : -1;
    if (rc < 0 && o->stream_read)
        memcpy(io->err, io->inner->err, sizeof io->err);
    return rc;
}

void pktio_wrap_init(struct pktio *io, struct pktio *inner, void *ctx,
                     const struct pktio_ops *ops, const struct pktio_ops *ops_streams)
{
    io->ops = inner->ops->stream_connect ? ops_streams : ops;
    io->inner = inner;
    io->ctx = ctx;
    io->src_addr = inner->src_addr;
    io->is_sim = inner->is_sim;
    memcpy(io->ifname, inner->ifname, sizeof io->ifname);
}
