/* idle.h — nmap's idle scan (-sI ZOMBIE[:PROBEPORT]) as a scan pass of its own.
 *
 * nmap's idle_scan.cc, written down rule by rule in docs/facts/nmap.md section 3:
 * the zombie is qualified once (6 SYN|ACK probes, IP-ID class check, a spoof test from the
 * first target's address), then each up host's TCP ports are counted in groups by forged
 * SYNs "from" the zombie and reads of its IP ID, with idle_treescan's binary search. engine.c
 * calls idle_begin before the first host group, idle_run instead of portscan_run for the TCP
 * ports of each group when cfg->idle_scan is set, and idle_end at the end. Everything waits
 * through pktio_recv deadlines, so over the simulator an idle scan runs in virtual time.
 */
#ifndef TCPLAB_SCANNER_IDLE_H
#define TCPLAB_SCANNER_IDLE_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/passes.h"

/* Without -Pn: nmap's warning that pings reveal the real address, then a 2 s pause (nmap's
 * sleep(2); virtual in the simulator). Allocates the zombie's state in sc->idle. A no-op
 * unless sc->cfg->idle_scan. 0, or -1 with err. */
int idle_begin(struct scan_ctx *sc, char *err, size_t errlen);

/* Idle-scans the up hosts given: results go to res->ports[base + i] for port i of `ports`
 * (open/ipid-change, every other port closed|filtered/no-ipid-change), timing to hosts[].rtt.
 * The zombie is qualified on the first call. SCAN_ERR_INPUT with nmap's fatal message in err
 * when the zombie cannot be used (silent, or its IP-ID sequence is not incremental), -1 when
 * it stops giving meaningful counts or the backend fails. */
int idle_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n,
             const uint16_t *ports, size_t nports, size_t base, char *err, size_t errlen);

/* Frees sc->idle (NULL is fine). */
void idle_end(struct scan_ctx *sc);

/* nmap's default probe port when ZOMBIE has no :PORT: the first -PS port, else the first -PA
 * port, else 80. nmap's default discovery already holds -PS443, so without -Pn and without
 * explicit ping types that is 443; with -Pn it is 80. */
uint16_t idle_default_probe_port(const struct scan_discovery *d);

#endif
