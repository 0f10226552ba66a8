/* pktio_tee.c — the --capture wrapper: the scanner's datagrams, both ways, into a pcap file.
 *
 * Like smoltcp's phy::PcapWriter (PcapMode::Both) stacked as a curl connection filter: send
 * and recv pass through to `inner`, and each datagram that really left or arrived is handed
 * to lib/pcapfile's writer with its time on the backend clock. The file is the caller's
 * outfile, published with the run's other outputs (outfile_commit_all), so a capture appears
 * whole or not at all (a killed scan leaves no truncated file behind). Stream (-sT) packets are the kernel's or the simulated
 * host's own and are seen by recv only in their inbound half, as with nmap.
 */
#include "pktio/pktio_tee.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pcapfile.h"
#include "pktio/pktio_wrap.h"

struct tee_ctx {
    struct pcap_writer *w;           /* NULL once committed or aborted */
    int64_t offset_ns;
    uint64_t count;
    bool failed;               /* a write failed: commit reports it */
    char werr[160];
};

static const struct pktio_ops tee_ops, tee_ops_streams;

static bool tee_is(const struct pktio *io)
{
    return io->ops == &tee_ops || io->ops == &tee_ops_streams;
}

static void tee_capture(struct pktio *io, uint64_t t_ns, const uint8_t *d, size_t len)
{
    struct tee_ctx *c = io->ctx;
    if (!c->w || c->failed)
        return;
    int64_t t = (int64_t)t_ns + c->offset_ns;
    if (pcapw_write(c->w, t < 0 ? 0 : (uint64_t)t, d, len) < 0) {
        c->failed = true;
        snprintf(c->werr, sizeof c->werr, "capture: write failed after %llu datagrams",
                 (unsigned long long)c->count);
        return;
    }
    c->count++;
}

static int tee_send(struct pktio *io, const uint8_t *d, size_t len)
{
    return pktio_wrap_send(io, d, len, tee_capture);
}

static int tee_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                    uint64_t deadline_ns)
{
    return pktio_wrap_recv(io, buf, cap, len, t_ns, deadline_ns, tee_capture);
}

static int tee_stream_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    int h = io->inner->ops->stream_connect(io->inner, dst, port);
    if (h < 0)
        memcpy(io->err, io->inner->err, sizeof io->err);
    return h;
}

static int tee_finish(struct tee_ctx *c, char *err, size_t errlen)
{
    if (!c->w)
        return 0;
    struct pcap_writer *w = c->w;
    c->w = NULL;
    if (c->failed) {
        pcapw_abort(w);
        snprintf(err, errlen, "%s", c->werr);
        return -1;
    }
    return pcapw_end(w, err, errlen);
}

static void tee_close(struct pktio *io)
{
    struct tee_ctx *c = io->ctx;
    if (c->w)
        pcapw_abort(c->w);   /* never ended: the caller aborts its outfile */
    pktio_close(io->inner);
    free(c);
    free(io);
}

static const struct pktio_ops tee_ops = {
    .name = "tee", .send = tee_send, .recv = tee_recv, .now = pktio_wrap_now, .close = tee_close,
};

static const struct pktio_ops tee_ops_streams = {
    .name = "tee", .send = tee_send, .recv = tee_recv, .now = pktio_wrap_now,
    .stream_connect = tee_stream_connect, .stream_poll = pktio_wrap_stream_poll,
    .stream_close = pktio_wrap_stream_close, .close = tee_close,
    .stream_open = pktio_wrap_stream_open, .stream_write = pktio_wrap_stream_write,
    .stream_read = pktio_wrap_stream_read,
};

struct pktio *pktio_tee_wrap(struct pktio *inner, struct outfile *of, int64_t ts_offset_ns,
                             char *err, size_t errlen)
{
    struct pktio *io = calloc(1, sizeof *io);
    struct tee_ctx *c = calloc(1, sizeof *c);
    if (!io || !c) {
        free(io);
        free(c);
        snprintf(err, errlen, "capture: out of memory");
        return NULL;
    }
    c->w = pcapw_open_on(of, err, errlen);
    if (!c->w) {
        free(io);
        free(c);
        return NULL;
    }
    c->offset_ns = ts_offset_ns;
    pktio_wrap_init(io, inner, c, &tee_ops, &tee_ops_streams);
    return io;
}

static struct tee_ctx *tee_find(struct pktio *io)
{
    for (; io; io = io->inner)
        if (tee_is(io))
            return io->ctx;
    return NULL;
}

int pktio_tee_end(struct pktio *io, char *err, size_t errlen)
{
    struct tee_ctx *c = tee_find(io);
    if (!c) {
        snprintf(err, errlen, "capture: no capture in this backend");
        return -1;
    }
    return tee_finish(c, err, errlen);
}

uint64_t pktio_tee_count(struct pktio *io)
{
    struct tee_ctx *c = tee_find(io);
    return c ? c->count : 0;
}
