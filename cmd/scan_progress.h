/* scan_progress.h — nmap's "Stats: ... Timing: About 45.00% done" lines for long live scans.
 *
 * A pktio wrapper (it sees every probe leave and every wait) so the engine needs no hook.
 * cmd/scan.c stacks it only on a terminal and only for live scans.
 */
#ifndef TCPLAB_SCAN_PROGRESS_H
#define TCPLAB_SCAN_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/engine.h"
#include "pktio/pktio.h"

/* Wraps inner (owning it); NULL when out of memory (inner left to the caller). expected =
 * targets x ports: the number of first probes, against which progress is measured. */
struct pktio *scan_progress_wrap(struct pktio *inner, FILE *out, enum scan_type tcp, bool udp,
                                 uint64_t expected);

/* The two lines, without a final newline, for elapsed ns and probes sent so far. */
int scan_progress_format(char *buf, size_t cap, enum scan_type tcp, bool udp, uint64_t elapsed_ns,
                         uint64_t sent, uint64_t expected);

#endif
