/* bridge_loop.c — reads the kernel's datagrams from the TUN device, paces the simulated
 * network to real time, lets its answers out (bridge_loop.h says how time is mapped).
 *
 * One wake-up: run the simulation to now; read up to a batch of datagrams, each entering at
 * the virtual time of its read; run to now again (answers leave through the core's out
 * callback as they arrive at the external host); then sleep in ppoll until the device is
 * readable, the next simulated event is due, a signal comes or --for ends. A full batch
 * skips the sleep. A wake-up never waits longer than 100 ms, so a scenario with no events
 * still notices --for on time. When it stops, what is still on the simulated wire lands
 * (bridge_settle) before the counts are read, so the summary accounts for every datagram.
 */
#define _GNU_SOURCE   /* ppoll */
#include "bridge/bridge_loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge/bridge.h"
#include "pktio/pktio_tun.h"

enum { BRIDGE_READ_MAX = 65536 };
static const uint64_t BRIDGE_MAX_WAIT_NS = 100000000ull;

struct bridge_clock {
    uint64_t m0, v0;
};

static uint64_t bridge_vnow(const struct bridge_clock *c)
{
    return c->v0 + (pktio_tun_monotonic_ns() - c->m0);
}

/* Reads and injects up to a batch. Returns how many were read, or -1. */
static int bridge_read_batch(struct bridge *b, struct pktio *tun, const struct bridge_clock *c,
                             uint8_t *buf, char *err, size_t errlen)
{
    int n = 0;
    for (; n < BRIDGE_LOOP_BATCH; n++) {
        size_t len = 0;
        int r = pktio_tun_read(tun, buf, BRIDGE_READ_MAX, &len);
        if (r == 0)
            break;
        if (r < 0) {
            snprintf(err, errlen, "%s", tun->err);
            return -1;
        }
        bridge_input(b, buf, len, bridge_vnow(c));
    }
    return n;
}

/* How long to sleep: until the next simulated event, --for's end, at most 100 ms. */
static uint64_t bridge_wait_ns(struct bridge *b, const struct bridge_clock *c,
                               const struct bridge_loop_opts *o)
{
    uint64_t vnow = bridge_vnow(c), wait = BRIDGE_MAX_WAIT_NS;
    uint64_t next = bridge_next_time(b);
    if (next != UINT64_MAX)
        wait = next > vnow ? next - vnow : 0;
    if (wait > BRIDGE_MAX_WAIT_NS)
        wait = BRIDGE_MAX_WAIT_NS;
    if (o->for_ns) {
        uint64_t end = c->v0 + o->for_ns;
        uint64_t left = end > vnow ? end - vnow : 0;
        if (left < wait)
            wait = left;
    }
    return wait;
}

int bridge_loop_run(struct bridge *b, struct pktio *tun, const struct bridge_loop_opts *o,
                    uint64_t *v_start, uint64_t *v_end, char *err, size_t errlen)
{
    static uint8_t buf[BRIDGE_READ_MAX];
    struct bridge_clock c = { pktio_tun_monotonic_ns(), bridge_now(b) };
    *v_start = c.v0;
    int rc = 0;
    struct pollfd p = { .fd = pktio_tun_fd(tun), .events = POLLIN };
    while (!*o->stop) {
        uint64_t vnow = bridge_vnow(&c);
        if (o->for_ns && vnow - c.v0 >= o->for_ns)
            break;
        bridge_advance(b, vnow);
        int n = bridge_read_batch(b, tun, &c, buf, err, errlen);
        if (n < 0) {
            rc = -1;
            break;
        }
        bridge_advance(b, bridge_vnow(&c));
        if (n == BRIDGE_LOOP_BATCH)
            continue;
        uint64_t w = bridge_wait_ns(b, &c, o);
        if (w == 0)
            continue;
        struct timespec ts = { (time_t)(w / 1000000000u), (long)(w % 1000000000u) };
        if (ppoll(&p, 1, &ts, o->waitmask) < 0 && errno != EINTR) {
            snprintf(err, errlen, "bridge: poll: %s", strerror(errno));
            rc = -1;
            break;
        }
    }
    uint64_t vend = bridge_vnow(&c);
    if (o->for_ns && vend > c.v0 + o->for_ns)
        vend = c.v0 + o->for_ns;
    bridge_advance(b, vend);
    bridge_settle(b);   /* what was in flight when it stopped lands, and is counted */
    *v_end = bridge_now(b);
    return rc;
}
