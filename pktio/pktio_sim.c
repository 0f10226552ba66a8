/* pktio_sim.c — the simulator backend: the scanner's raw socket inside a simulated network.
 *
 * The only pktio file that includes sim/ (tests/layers.sh checks it). It plays the part a raw socket plus libpcap
 * play live (nmap's libnetutil): send = the datagram leaves the `role scanner` host now
 * (sim_inject, which also runs that host's outbound filter); receive = a tap on the scanner
 * host's address copies every datagram delivered to it into a preallocated ring, before
 * the host's own stack sees it — exactly what a pcap on the scanner's interface sees while
 * the kernel still answers unexpected SYN-ACKs with RSTs (RFC 793 3.4).
 *
 * Clock: recv runs events one by one while the next one is due by the deadline and nothing
 * has arrived, then moves the clock to the deadline (sim_run_until). No threads, no wall
 * clock: the scanner drives virtual time, so a scan is repeatable byte for byte.
 * Streams (-sT) are the scanner host's own TCP active opens (sim_stream_*), the simulated
 * counterpart of nmap's non-blocking connect() in scan_engine_connect.cc.
 */
#include "pktio/pktio_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/sim.h"

struct sim_slot {
    uint64_t t_ns;
    uint16_t len;
    uint8_t data[PKTIO_SIM_SLOT];
};

struct sim_ctx {
    struct sim *sim;
    struct scenario *owned;   /* parsed here (pktio_sim_open), freed at close; else NULL */
    const struct scenario *sc;
    uint64_t seed;
    size_t head, count;       /* ring of received datagrams */
    uint64_t overruns;
    struct sim_slot ring[PKTIO_SIM_RING];
};

static const struct pktio_ops pktio_sim_ops;

static struct sim_ctx *sim_ctx_of(struct pktio *io) { return io->ctx; }

/* The tap: a datagram reached the scanner's address. Copying into a fixed ring keeps the
 * per-packet path free of allocation; a full ring drops, as a full socket buffer does. */
static void pktio_sim_tap(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct sim_ctx *c = ctx;
    if (c->count == PKTIO_SIM_RING) {
        c->overruns++;
        return;
    }
    struct sim_slot *s = &c->ring[(c->head + c->count) % PKTIO_SIM_RING];
    size_t n = len < PKTIO_SIM_SLOT ? len : PKTIO_SIM_SLOT;
    memcpy(s->data, pkt, n);
    s->len = (uint16_t)n;
    s->t_ns = t_ns;
    c->count++;
}

static int pktio_sim_send(struct pktio *io, const uint8_t *dgram, size_t len)
{
    if (sim_inject(sim_ctx_of(io)->sim, dgram, len) < 0) {
        snprintf(io->err, sizeof io->err, "sim: not a parseable IPv4 datagram (%zu bytes)", len);
        return -1;
    }
    return 0;
}

/* Pops the oldest received datagram (truncated to cap, as recvfrom does). */
static int sim_ring_pop(struct sim_ctx *c, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns)
{
    struct sim_slot *s = &c->ring[c->head];
    size_t n = s->len < cap ? s->len : cap;
    memcpy(buf, s->data, n);
    if (len)
        *len = n;
    if (t_ns)
        *t_ns = s->t_ns;
    c->head = (c->head + 1) % PKTIO_SIM_RING;
    c->count--;
    return 1;
}

static int pktio_sim_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len,
                          uint64_t *t_ns, uint64_t deadline_ns)
{
    struct sim_ctx *c = sim_ctx_of(io);
    /* Events in order until the first arrival at the tap, with the clock at its time. */
    sim_run(c->sim, deadline_ns, &c->count);
    if (c->count > 0)
        return sim_ring_pop(c, buf, cap, len, t_ns);
    /* Nothing before the deadline: the clock moves to it (never backwards). */
    if (deadline_ns > sim_now(c->sim))
        sim_run_until(c->sim, deadline_ns);
    if (c->count > 0)   /* events exactly at the deadline */
        return sim_ring_pop(c, buf, cap, len, t_ns);
    return 0;
}

static uint64_t pktio_sim_now(struct pktio *io) { return sim_now(sim_ctx_of(io)->sim); }

static int pktio_sim_stream_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    int h = sim_stream_connect(sim_ctx_of(io)->sim, io->src_addr, dst, port);
    if (h < 0)
        snprintf(io->err, sizeof io->err, "sim: cannot open a connection from the scanner host");
    return h;
}

static enum pktio_stream pktio_sim_stream_poll(struct pktio *io, int handle, uint8_t *icmp_type,
                                               uint8_t *icmp_code)
{
    struct sim *s = sim_ctx_of(io)->sim;
    switch (sim_stream_state(s, handle)) {
    case SIM_STREAM_PENDING:
        return PKTIO_STREAM_PENDING;
    case SIM_STREAM_OPEN:
        return PKTIO_STREAM_OPEN;
    case SIM_STREAM_REFUSED:
        return PKTIO_STREAM_REFUSED;
    case SIM_STREAM_UNREACH: {
        uint8_t t = 0, k = 0;
        sim_stream_icmp(s, handle, &t, &k);
        if (icmp_type)
            *icmp_type = t;
        if (icmp_code)
            *icmp_code = k;
        return PKTIO_STREAM_UNREACH;
    }
    case SIM_STREAM_TIMEDOUT:
        return PKTIO_STREAM_TIMEDOUT;
    case SIM_STREAM_CLOSED:
        break;
    }
    return PKTIO_STREAM_ERROR;
}

static int pktio_sim_stream_open(struct pktio *io, uint32_t dst, uint16_t port)
{
    int h = sim_stream_connect_buffered(sim_ctx_of(io)->sim, io->src_addr, dst, port);
    if (h < 0)
        snprintf(io->err, sizeof io->err, "sim: cannot open a connection from the scanner host");
    return h;
}

static int pktio_sim_stream_write(struct pktio *io, int handle, const uint8_t *d, size_t n)
{
    int rc = sim_stream_send(sim_ctx_of(io)->sim, handle, d, n);
    if (rc < 0)
        snprintf(io->err, sizeof io->err, "sim: the connection takes no more data");
    return rc;
}

static int pktio_sim_stream_read(struct pktio *io, int handle, uint8_t *buf, size_t cap,
                                 bool *eof)
{
    struct sim *s = sim_ctx_of(io)->sim;
    int n = sim_stream_recv(s, handle, buf, cap, eof);
    if (n == 0 && !*eof && sim_stream_state(s, handle) == SIM_STREAM_REFUSED)
        return -1;             /* a reset after the handshake: ECONNRESET */
    return n;
}

static void pktio_sim_stream_close(struct pktio *io, int handle)
{
    sim_stream_abort(sim_ctx_of(io)->sim, handle);
}

static void pktio_sim_close(struct pktio *io)
{
    struct sim_ctx *c = sim_ctx_of(io);
    sim_free(c->sim);
    if (c->owned) {
        scenario_free(c->owned);
        free(c->owned);
    }
    free(c);
    free(io);
}

static const struct pktio_ops pktio_sim_ops = {
    .name = "sim",
    .send = pktio_sim_send,
    .recv = pktio_sim_recv,
    .now = pktio_sim_now,
    .stream_connect = pktio_sim_stream_connect,
    .stream_poll = pktio_sim_stream_poll,
    .stream_close = pktio_sim_stream_close,
    .stream_open = pktio_sim_stream_open,
    .stream_write = pktio_sim_stream_write,
    .stream_read = pktio_sim_stream_read,
    .close = pktio_sim_close,
};

/* Builds the running network and the tap; on failure frees what it made (not c->owned). */
static struct pktio *sim_build(struct sim_ctx *c, char *err, size_t errlen)
{
    struct pktio *io = calloc(1, sizeof *io);
    c->sim = sim_new(c->seed);
    if (!io || !c->sim) {
        snprintf(err, errlen, "sim: out of memory");
        goto fail;
    }
    if (sim_load(c->sim, c->sc, err, errlen) < 0)
        goto fail;
    uint32_t src = sim_scanner_addr(c->sim);
    if (src == 0) {
        snprintf(err, errlen, "%s: no `role scanner` host: add e.g. "
                 "`host scanner 198.51.100.10 role scanner`",
                 c->sc->file[0] ? c->sc->file : "scenario");
        goto fail;
    }
    if (sim_set_tap(c->sim, src, pktio_sim_tap, c) < 0) {
        snprintf(err, errlen, "sim: cannot tap the scanner host");
        goto fail;
    }
    io->ops = &pktio_sim_ops;
    io->ctx = c;
    io->src_addr = src;
    io->is_sim = true;
    snprintf(io->ifname, sizeof io->ifname, "sim");
    return io;
fail:
    if (c->sim)
        sim_free(c->sim);
    c->sim = NULL;
    free(io);
    return NULL;
}

struct pktio *pktio_sim_open_scenario(const struct scenario *sc, uint64_t seed, char *err,
                                      size_t errlen)
{
    struct sim_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "sim: out of memory");
        return NULL;
    }
    c->sc = sc;
    c->seed = seed;
    struct pktio *io = sim_build(c, err, errlen);
    if (!io)
        free(c);
    return io;
}

struct pktio *pktio_sim_open(const char *path, const uint64_t *seed, char *err, size_t errlen)
{
    struct scenario *sc = calloc(1, sizeof *sc);
    if (!sc) {
        snprintf(err, errlen, "sim: out of memory");
        return NULL;
    }
    int rc = path ? scenario_load_file(path, sc, err, errlen)
                  : scenario_parse("default.scn", scenario_default_text, scenario_default_len,
                                   sc, err, errlen);
    if (rc < 0) {
        free(sc);
        return NULL;
    }
    struct pktio *io = pktio_sim_open_scenario(sc, seed ? *seed : sc->seed, err, errlen);
    if (!io) {
        scenario_free(sc);
        free(sc);
        return NULL;
    }
    sim_ctx_of(io)->owned = sc;
    return io;
}

/* Wrappers keep the backend in `inner`; the sim is at the bottom of the chain. */
static struct sim_ctx *sim_find(struct pktio *io)
{
    for (; io; io = io->inner)
        if (io->ops == &pktio_sim_ops)
            return io->ctx;
    return NULL;
}

struct sim *pktio_sim_get(struct pktio *io)
{
    struct sim_ctx *c = sim_find(io);
    return c ? c->sim : NULL;
}

uint64_t pktio_sim_seed(struct pktio *io)
{
    struct sim_ctx *c = sim_find(io);
    return c ? c->seed : 0;
}

int pktio_sim_lookup(struct pktio *io, const char *name, uint32_t *addr)
{
    struct sim_ctx *c = sim_find(io);
    return c ? sim_host_lookup(c->sim, name, addr) : -1;
}

const char *pktio_sim_host_name(struct pktio *io, uint32_t addr)
{
    struct sim_ctx *c = sim_find(io);
    return c ? sim_host_name(c->sim, addr) : NULL;
}

const char *pktio_sim_title(struct pktio *io)
{
    struct sim_ctx *c = sim_find(io);
    return c && c->sc ? c->sc->title : "";
}

int pktio_sim_set_wiretap(struct pktio *io, pktio_sim_wire_fn fn, void *ctx)
{
    struct sim_ctx *c = sim_find(io);
    if (!c)
        return -1;
    sim_set_wiretap(c->sim, fn, ctx);
    return 0;
}

uint64_t pktio_sim_overruns(struct pktio *io)
{
    struct sim_ctx *c = sim_find(io);
    return c ? c->overruns : 0;
}
