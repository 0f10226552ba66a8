/* scan_progress.c — nmap's periodic "Stats:" lines, as a pktio wrapper.
 *
 * nmap (timing.cc ScanProgressMeter::printStats) prints, on request or periodically,
 *   Stats: 0:00:12 elapsed; 0 hosts completed (1 up), 1 undergoing SYN Stealth Scan
 *   SYN Stealth Scan Timing: About 45.00% done; ETC: ...
 * Here the estimate is first probes sent / (targets x ports), capped below 100%, and the
 * lines appear only after PROGRESS_FIRST_NS and then every PROGRESS_EVERY_NS of backend time
 * (cmd/scan.c stacks this only for live scans on a terminal, so simulated outputs and files
 * never contain it).
 */
#include "cmd/scan_progress.h"

#include <stdlib.h>
#include <string.h>

#include "pktio/pktio_wrap.h"

#define PROGRESS_FIRST_NS 5000000000ULL
#define PROGRESS_EVERY_NS 10000000000ULL

struct progress_ctx {
    FILE *out;
    enum scan_type tcp;
    bool udp;
    uint64_t expected, sent;
    uint64_t start_ns, next_ns;
};

/* nmap's names of its scan phases (scan_engine.cc). */
static const char *progress_name(enum scan_type tcp, bool udp)
{
    switch (tcp) {
    case SCAN_SYN: return "SYN Stealth Scan";
    case SCAN_CONNECT: return "Connect Scan";
    case SCAN_ACK: return "ACK Scan";
    case SCAN_WINDOW: return "Window Scan";
    case SCAN_MAIMON: return "Maimon Scan";
    case SCAN_FIN: return "FIN Scan";
    case SCAN_NULL: return "NULL Scan";
    case SCAN_XMAS: return "XMAS Scan";
    default: return udp ? "UDP Scan" : "Ping Scan";
    }
}

int scan_progress_format(char *buf, size_t cap, enum scan_type tcp, bool udp, uint64_t elapsed_ns,
                         uint64_t sent, uint64_t expected)
{
    uint64_t s = elapsed_ns / 1000000000ULL;
    /* hundredths of a percent, never 100.00 before the scan ends */
    uint64_t pct = expected ? sent * 10000 / expected : 0;
    if (pct > 9999)
        pct = 9999;
    const char *name = progress_name(tcp, udp);
    return snprintf(buf, cap, "Stats: %llu:%02llu:%02llu elapsed; undergoing %s\n"
                    "%s Timing: About %llu.%02llu%% done",
                    (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
                    (unsigned long long)(s % 60), name, name,
                    (unsigned long long)(pct / 100), (unsigned long long)(pct % 100));
}

static void progress_tick(struct pktio *io)
{
    struct progress_ctx *c = io->ctx;
    uint64_t now = pktio_now(io->inner);
    if (now < c->next_ns)
        return;
    c->next_ns = now + PROGRESS_EVERY_NS;
    char line[256];
    scan_progress_format(line, sizeof line, c->tcp, c->udp, now - c->start_ns,
                         c->sent < c->expected ? c->sent : c->expected, c->expected);
    fprintf(c->out, "%s\n", line);
    fflush(c->out);
}

static int progress_send(struct pktio *io, const uint8_t *d, size_t len)
{
    struct progress_ctx *c = io->ctx;
    int rc = pktio_send(io->inner, d, len);
    if (rc < 0)
        memcpy(io->err, io->inner->err, sizeof io->err);
    else
        c->sent++;
    progress_tick(io);
    return rc;
}

static int progress_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len,
                         uint64_t *t_ns, uint64_t deadline_ns)
{
    int rc = pktio_recv(io->inner, buf, cap, len, t_ns, deadline_ns);
    if (rc < 0)
        memcpy(io->err, io->inner->err, sizeof io->err);
    progress_tick(io);
    return rc;
}

static int progress_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    struct progress_ctx *c = io->ctx;
    int h = io->inner->ops->stream_connect(io->inner, dst, port);
    if (h < 0)
        memcpy(io->err, io->inner->err, sizeof io->err);
    else
        c->sent++;
    progress_tick(io);
    return h;
}

static void progress_close(struct pktio *io)
{
    pktio_close(io->inner);
    free(io->ctx);
    free(io);
}

static const struct pktio_ops progress_ops = {
    .name = "progress", .send = progress_send, .recv = progress_recv, .now = pktio_wrap_now,
    .close = progress_close,
};

static const struct pktio_ops progress_ops_streams = {
    .name = "progress", .send = progress_send, .recv = progress_recv, .now = pktio_wrap_now,
    .stream_connect = progress_connect, .stream_poll = pktio_wrap_stream_poll,
    .stream_close = pktio_wrap_stream_close, .close = progress_close,
    .stream_open = pktio_wrap_stream_open, .stream_write = pktio_wrap_stream_write,
    .stream_read = pktio_wrap_stream_read,
};

struct pktio *scan_progress_wrap(struct pktio *inner, FILE *out, enum scan_type tcp, bool udp,
                                 uint64_t expected)
{
    struct pktio *io = calloc(1, sizeof *io);
    struct progress_ctx *c = calloc(1, sizeof *c);
    if (!io || !c) {
        free(io);
        free(c);
        return NULL;
    }
    c->out = out;
    c->tcp = tcp;
    c->udp = udp;
    c->expected = expected;
    c->start_ns = pktio_now(inner);
    c->next_ns = c->start_ns + PROGRESS_FIRST_NS;
    pktio_wrap_init(io, inner, c, &progress_ops, &progress_ops_streams);
    return io;
}
