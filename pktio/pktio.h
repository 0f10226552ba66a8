/* pktio.h — the packet I/O seam between the scanner and whatever carries its datagrams.
 *
 * lwIP's netif and curl's connection filters in one: a const table of operations and an
 * instance with its context and, for wrappers, the instance it wraps. Backends: sim (the
 * in-process simulator, virtual clock, deterministic), raw (raw IPv4 socket out, libpcap in).
 * Wrappers stacked on any backend: trace (--packet-trace) and tee (a capture file).
 * The scanner sees IPv4 datagrams and a clock, never where they go.
 */
#ifndef TCPLAB_PKTIO_H
#define TCPLAB_PKTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pktio;

/* Connection states reported by stream_poll (for -sT), errno-like. */
enum pktio_stream {
    PKTIO_STREAM_PENDING = 0,
    PKTIO_STREAM_OPEN,        /* connect() succeeded */
    PKTIO_STREAM_REFUSED,     /* ECONNREFUSED */
    PKTIO_STREAM_UNREACH,     /* EHOSTUNREACH / ENETUNREACH / EACCES ...: icmp type/code given */
    PKTIO_STREAM_TIMEDOUT,    /* ETIMEDOUT */
    PKTIO_STREAM_ERROR,
};

struct pktio_ops {
    const char *name;
    /* Sends one IPv4 datagram (header included). 0, or -1 with io->err set. */
    int (*send)(struct pktio *io, const uint8_t *dgram, size_t len);
    /* Waits until a datagram for us arrives or the clock reaches deadline_ns. Returns 1 with
     * the datagram in buf (*len, arrival time *t_ns), 0 at the deadline, -1 on error. In the
     * simulator this runs the simulation forward: the scanner drives the virtual clock. */
    int (*recv)(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                uint64_t deadline_ns);
    uint64_t (*now)(struct pktio *io);          /* ns: virtual in sim, CLOCK_MONOTONIC live */
    /* Optional (NULL: not supported). Non-blocking connect through the host's own stack. */
    int (*stream_connect)(struct pktio *io, uint32_t dst, uint16_t port);  /* handle or -1 */
    enum pktio_stream (*stream_poll)(struct pktio *io, int handle, uint8_t *icmp_type,
                                     uint8_t *icmp_code);
    void (*stream_close)(struct pktio *io, int handle);  /* SO_LINGER 0: RST */
    /* Optional, all three or none (NULL: not supported): byte streams, for version
     * detection. stream_open is stream_connect for a connection whose bytes are read and
     * written (poll and close it as any stream). stream_write queues up to n bytes and
     * returns how many it took (0: try later), -1 on error. stream_read moves up to cap
     * bytes that have arrived into buf: their count, 0 when none yet (*eof: the peer
     * closed and every byte is read), -1 when the connection was reset or failed. Neither
     * waits: recv (above) moves the clock. */
    int (*stream_open)(struct pktio *io, uint32_t dst, uint16_t port);
    int (*stream_write)(struct pktio *io, int handle, const uint8_t *d, size_t n);
    int (*stream_read)(struct pktio *io, int handle, uint8_t *buf, size_t cap, bool *eof);
    void (*close)(struct pktio *io);            /* frees the instance (and its inner) */
};

struct pktio {
    const struct pktio_ops *ops;
    struct pktio *inner;      /* the wrapped instance, for wrappers */
    void *ctx;                /* backend state */
    uint32_t src_addr;        /* our IPv4 source address (host order) */
    char ifname[32];          /* live: the interface; sim: "sim" */
    bool is_sim;              /* virtual clock: outputs use the simulated epoch */
    char err[256];
};

static inline int pktio_send(struct pktio *io, const uint8_t *d, size_t n) { return io->ops->send(io, d, n); }
static inline int pktio_recv(struct pktio *io, uint8_t *b, size_t cap, size_t *n, uint64_t *t, uint64_t dl)
{ return io->ops->recv(io, b, cap, n, t, dl); }
static inline uint64_t pktio_now(struct pktio *io) { return io->ops->now(io); }
static inline void pktio_close(struct pktio *io) { if (io) io->ops->close(io); }

#endif
