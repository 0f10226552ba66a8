/* fake_queue.h — the reply queue of the scripted fake pktio backends (tests/unit/
 * test_scan_engine.c and its split-offs, tests/fuzz/fuzz_reply.c): replies wait with the
 * virtual time they arrive at; recv hands out the earliest one due by its deadline and moves
 * the clock, as the simulator backend does. Header-only and without cmocka, so the fuzz
 * target can include it too.
 */
#ifndef TCPLAB_TEST_FAKE_QUEUE_H
#define TCPLAB_TEST_FAKE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

enum { FAKEQ_LEN = 1500 };

struct fakeq_ent {
    uint64_t t;        /* arrival, virtual ns */
    size_t len;
    uint8_t b[FAKEQ_LEN];
};

/* The index of the earliest of q[0..n) due by deadline (the first of equal times), with *now
 * moved forward to its time; or SIZE_MAX, with *now moved forward to the deadline. */
static inline size_t fakeq_due(const struct fakeq_ent *q, size_t n, uint64_t *now,
                               uint64_t deadline)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (q[i].t <= deadline && (best == SIZE_MAX || q[i].t < q[best].t))
            best = i;
    if (best == SIZE_MAX) {
        if (deadline > *now)
            *now = deadline;
        return SIZE_MAX;
    }
    if (q[best].t > *now)
        *now = q[best].t;
    return best;
}

#endif
