/* pktio_attach.c — the scanner's packet I/O under `tcplab attach` (pktio_attach.h).
 *
 * The only pktio file that includes attach/ (tests/layers.sh). It plays the part pktio_sim
 * plays in process: send queues a datagram (it leaves with the next wait, at the current
 * virtual time, as pktio_sim's sim_inject does at once: the clock has not moved between),
 * recv with a deadline asks tcplab to run the clock to the first delivery or the deadline
 * (the protocol's FIRST), and keeps what came back in a ring for the next calls. Streams
 * (-sT) are the attaching host's own TCP. The scanner cannot tell this from --sim, except
 * that it sees only what reaches its own address: the off-path view holds here too.
 */
#include "pktio/pktio_attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/client.h"

enum { ATT_RING = 4096, ATT_SLOT = 1500 };

struct att_slot {
    uint64_t t_ns;
    uint16_t len;
    uint8_t data[ATT_SLOT];
};

struct att_ctx {
    struct attach_client *c;
    size_t head, count;
    uint64_t overruns;
    struct att_slot ring[ATT_RING];
};

static const struct pktio_ops pktio_attach_ops;

static void att_rx(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct att_ctx *a = ctx;
    if (a->count == ATT_RING) {   /* a full socket buffer drops */
        a->overruns++;
        return;
    }
    struct att_slot *s = &a->ring[(a->head + a->count) % ATT_RING];
    size_t n = len < ATT_SLOT ? len : ATT_SLOT;
    memcpy(s->data, pkt, n);
    s->len = (uint16_t)n;
    s->t_ns = t_ns;
    a->count++;
}

static int att_send(struct pktio *io, const uint8_t *d, size_t len)
{
    struct att_ctx *a = io->ctx;
    if (attach_client_send(a->c, d, len)) {
        snprintf(io->err, sizeof io->err, "attach: %s", attach_client_error(a->c));
        return -1;
    }
    return 0;
}

static int att_pop(struct att_ctx *a, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns)
{
    struct att_slot *s = &a->ring[a->head];
    size_t n = s->len < cap ? s->len : cap;
    memcpy(buf, s->data, n);
    if (len)
        *len = n;
    if (t_ns)
        *t_ns = s->t_ns;
    a->head = (a->head + 1) % ATT_RING;
    a->count--;
    return 1;
}

static int att_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                    uint64_t deadline_ns)
{
    struct att_ctx *a = io->ctx;
    if (a->count)
        return att_pop(a, buf, cap, len, t_ns);
    if (attach_client_wait(a->c, deadline_ns, true, att_rx, a) < 0) {
        snprintf(io->err, sizeof io->err, "attach: %s", attach_client_error(a->c));
        return -1;
    }
    return a->count ? att_pop(a, buf, cap, len, t_ns) : 0;
}

static uint64_t att_now(struct pktio *io)
{
    return attach_client_now(((struct att_ctx *)io->ctx)->c);
}

static int att_stream_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    struct att_ctx *a = io->ctx;
    int h = attach_client_connect(a->c, dst, port, 0);
    if (h < 0)
        snprintf(io->err, sizeof io->err, "attach: %s", attach_client_error(a->c));
    return h;
}

static enum pktio_stream att_stream_poll(struct pktio *io, int handle, uint8_t *icmp_type,
                                         uint8_t *icmp_code)
{
    struct att_ctx *a = io->ctx;
    char st[32];
    if (attach_client_state(a->c, handle, st, sizeof st))
        return PKTIO_STREAM_ERROR;
    if (!strcmp(st, "SYN-SENT") || !strcmp(st, "SYN-RECEIVED"))
        return PKTIO_STREAM_PENDING;
    if (!strcmp(st, "REFUSED"))
        return PKTIO_STREAM_REFUSED;
    if (!strcmp(st, "TIMEDOUT"))
        return PKTIO_STREAM_TIMEDOUT;
    if (!strcmp(st, "UNREACHABLE")) {   /* the protocol does not carry the ICMP code */
        if (icmp_type)
            *icmp_type = 3;
        if (icmp_code)
            *icmp_code = 1;
        return PKTIO_STREAM_UNREACH;
    }
    if (!strcmp(st, "CLOSED") || !strcmp(st, "LISTEN"))
        return PKTIO_STREAM_ERROR;
    return PKTIO_STREAM_OPEN;   /* ESTABLISHED and the states after it */
}

static void att_stream_close(struct pktio *io, int handle)
{
    attach_client_abort(((struct att_ctx *)io->ctx)->c, handle);
}

static void att_close(struct pktio *io)
{
    struct att_ctx *a = io->ctx;
    attach_client_close(a->c);
    free(a);
    free(io);
}

static const struct pktio_ops pktio_attach_ops = {
    .name = "attach",
    .send = att_send,
    .recv = att_recv,
    .now = att_now,
    .stream_connect = att_stream_connect,
    .stream_poll = att_stream_poll,
    .stream_close = att_stream_close,
    .close = att_close,
};

struct pktio *pktio_attach_open(char *err, size_t errlen)
{
    struct pktio *io = calloc(1, sizeof *io);
    struct att_ctx *a = calloc(1, sizeof *a);
    if (!io || !a) {
        free(io);
        free(a);
        snprintf(err, errlen, "attach: out of memory");
        return NULL;
    }
    if (!(a->c = attach_client_open(-1, err, errlen))) {
        free(io);
        free(a);
        return NULL;
    }
    io->ops = &pktio_attach_ops;
    io->ctx = a;
    io->src_addr = attach_client_addr(a->c);
    io->is_sim = true;   /* the virtual clock: outputs use the simulated epoch */
    snprintf(io->ifname, sizeof io->ifname, "attach");
    return io;
}

static struct att_ctx *att_find(struct pktio *io)
{
    for (; io; io = io->inner)
        if (io->ops == &pktio_attach_ops)
            return io->ctx;
    return NULL;
}

bool pktio_is_attach(struct pktio *io)
{
    return att_find(io) != NULL;
}

int pktio_attach_lookup(struct pktio *io, const char *name, uint32_t *addr)
{
    struct att_ctx *a = att_find(io);
    return a ? attach_client_lookup(a->c, name, addr) : -1;
}

const char *pktio_attach_host_name(struct pktio *io, uint32_t addr)
{
    struct att_ctx *a = att_find(io);
    return a ? attach_client_host_name(a->c, addr) : NULL;
}
