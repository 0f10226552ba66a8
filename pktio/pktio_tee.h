/* pktio_tee.h — the --capture wrapper: every datagram the scanner sends or receives, into a
 * pcap file (LINKTYPE_RAW), published whole by the caller when the scan ends.
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

struct outfile;

/* Wraps inner; the new instance owns inner. The capture is written to of (lib/outfile.h),
 * which stays the caller's: it publishes it (outfile_commit_all) after pktio_tee_end, or
 * aborts it. NULL with a message (inner and of left to the caller) on failure. */
struct pktio *pktio_tee_wrap(struct pktio *inner, struct outfile *of, int64_t ts_offset_ns,
                             char *err, size_t errlen);

/* Ends the capture (the first tee in io's chain): later datagrams are not captured. 0, or
 * -1 with a message when a write failed (the caller should then abort the outfile). -1 when
 * io has no tee. */
int pktio_tee_end(struct pktio *io, char *err, size_t errlen);

/* Datagrams captured so far. */
uint64_t pktio_tee_count(struct pktio *io);

#endif
