/* pktio_tee.h — the --capture wrapper: every datagram the scanner sends or receives, into a
 * pcap file (LINKTYPE_RAW) written whole when the scan ends.
 *
 * smoltcp's phy::PcapWriter (mode Both) as a curl-style filter over any pktio. Timestamps
 * are the backend clock plus ts_offset_ns: 0 in the simulator (virtual time, so captures
 * are repeatable, as `tcplab run --pcap` writes them), CLOCK_REALTIME - CLOCK_MONOTONIC
 * live, so Wireshark shows wall-clock times.
 */
#ifndef TCPLAB_PKTIO_TEE_H
#define TCPLAB_PKTIO_TEE_H

#include <stddef.h>
#include <stdint.h>

#include "pktio/pktio.h"

/* Wraps inner; the new instance owns inner. NULL with a message (inner left to the caller)
 * when the capture cannot be started. */
struct pktio *pktio_tee_wrap(struct pktio *inner, const char *path, int64_t ts_offset_ns,
                             char *err, size_t errlen);

/* Writes the capture file whole now (the first tee in io's chain). Later datagrams are not
 * captured. 0, or -1 with a message (no file is left behind). Closing a tee that was not
 * committed commits it and reports a failure on stderr. -1 when io has no tee. */
int pktio_tee_commit(struct pktio *io, char *err, size_t errlen);

/* Datagrams captured so far. */
uint64_t pktio_tee_count(struct pktio *io);

#endif
