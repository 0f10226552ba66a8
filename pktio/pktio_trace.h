/* pktio_trace.h — the --packet-trace wrapper: one line per datagram, as nmap prints them.
 *
 * Stacks on any pktio (curl connection-filter style): every datagram sent or received is
 * passed through unchanged and described on a FILE*, e.g.
 *   SENT (0.0021s) TCP 198.51.100.10:40123 > 198.51.100.30:80 S ttl=51 id=1234 iplen=44 seq=99 win=1024 <mss 1460>
 * Times are seconds since the wrapper was made, on the backend's clock (virtual in the
 * simulator, so traces are repeatable).
 */
#ifndef TCPLAB_PKTIO_TRACE_H
#define TCPLAB_PKTIO_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pktio/pktio.h"

/* Wraps inner; the new instance owns inner (closing it closes inner). On failure returns
 * NULL with a message and inner is left to the caller. */
struct pktio *pktio_trace_wrap(struct pktio *inner, FILE *out, char *err, size_t errlen);

/* nmap's low-detail description of one datagram (ippackethdrinfo, libnetutil/netutil.cc),
 * without the "SENT (t) " prefix. Returns what snprintf would. */
int pktio_trace_describe(char *out, size_t cap, const uint8_t *dgram, size_t len);

/* The whole line without newline: "SENT (0.0021s) ..." for dir "SENT" or "RCVD". */
int pktio_trace_line(char *out, size_t cap, const char *dir, uint64_t rel_ns,
                     const uint8_t *dgram, size_t len);

#endif
