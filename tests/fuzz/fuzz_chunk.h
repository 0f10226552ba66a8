/* fuzz_chunk.h — how the fuzz targets that take a sequence of datagrams (fuzz_sim.c,
 * fuzz_bridge.c) cut their input: each datagram is a 2-byte big-endian length (taken modulo
 * cap + 1), a selector byte (which host it is aimed at, what is mangled), then that many
 * bytes, or what is left. One cutter, so the same corpus file means the same datagrams to
 * both.
 */
#ifndef TCPLAB_FUZZ_CHUNK_H
#define TCPLAB_FUZZ_CHUNK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The next datagram of *data (at least 3 bytes left) into d (cap bytes): returns its length,
 * sets *sel, and moves *data and *size past it. */
static inline size_t fuzz_chunk(const uint8_t **data, size_t *size, uint8_t *d, size_t cap,
                                uint8_t *sel)
{
    const uint8_t *p = *data;
    size_t n = (size_t)(p[0] << 8 | p[1]) % (cap + 1);
    *sel = p[2];
    p += 3;
    *size -= 3;
    if (n > *size)
        n = *size;
    memcpy(d, p, n);
    *data = p + n;
    *size -= n;
    return n;
}

#endif
