/* bridge_loop.h — the bridge's real-time loop: a TUN device on one side, the bridge core on
 * the other, the virtual clock paced to CLOCK_MONOTONIC.
 *
 * Virtual time v and monotonic time m are tied at the start (v0, m0): v = v0 + (m - m0).
 * The simulator keeps its own clock; the loop only decides up to which virtual time it may
 * run (bridge_advance) and at which virtual time a datagram from the kernel enters
 * (bridge_input), so a scenario's delays and losses hold in real time and the session can
 * be replayed on the virtual clock alone.
 *
 * Bounded work per wake-up: at most BRIDGE_LOOP_BATCH datagrams are read before the
 * simulation catches up and its answers go out; what the kernel queues beyond that waits
 * in the device's own queue (txqueuelen), and what that cannot hold the kernel drops and
 * counts (tx_dropped, shown in the summary). Memory stays bounded: the loop keeps one
 * buffer, the simulator only what is in flight.
 */
#ifndef TCPLAB_BRIDGE_LOOP_H
#define TCPLAB_BRIDGE_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bridge;
struct pktio;

enum { BRIDGE_LOOP_BATCH = 256 };

struct bridge_loop_opts {
    uint64_t for_ns;                  /* stop after this long (real time); 0: no limit */
    volatile sig_atomic_t *stop;      /* set by a signal handler: stop at the next wake-up */
    const sigset_t *waitmask;         /* signal mask while waiting (ppoll): the stop signals
                                       * unblocked only there, so none is missed */
};

/* Runs until *stop or for_ns, then lets what is in flight land (bridge_settle). Fills
 * *v_start and *v_end (virtual times; *v_end after the settling, the session's end). 0, or
 * -1 with a message (a read or poll error). */
int bridge_loop_run(struct bridge *b, struct pktio *tun, const struct bridge_loop_opts *o,
                    uint64_t *v_start, uint64_t *v_end, char *err, size_t errlen);

#endif
