/* ports.h — the -p port specification, the top-ports defaults, and the probe order.
 *
 * nmap's scan_lists.cc getpts() and utils random_port_cheat() (docs/facts/nmap.md
 * section 7): comma items "22", "a-b", "-b" (1..b), "a-" (a..65535), "-" (1..65535; port 0 only
 * when named explicitly), T:/U: prefixes for the items that follow (S:/P: are recognised and
 * refused: tcplab has no SCTP or IP-protocol scan), service names and wildcards ("http*",
 * "*sql") matched against services.h. Errors read as nmap's ("Your port range 20-10 is
 * backwards. Did you mean 10-20?"); a duplicate is only a warning.
 *
 *     struct port_list pl; ports_init(&pl);
 *     ports_parse(&pl, "T:22,80,U:53", PORTS_TCP, stderr, err, sizeof err)   (-p)
 *     or ports_top(&pl, 1000, PORTS_TCP|PORTS_UDP)                           (default, -F, --top-ports)
 *     ports_order(&pl, sequential, seed);     sequential = -r
 *     char *s = ports_format_alloc(pl.tcp, pl.ntcp);   "1,3-4,80" for scaninfo / -oG
 */
#ifndef TCPLAB_PORTS_H
#define TCPLAB_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { PORTS_TCP = 1, PORTS_UDP = 2 };

struct port_list {
    uint16_t *tcp;    /* ascending after parse/top; probe order after ports_order */
    size_t ntcp;
    uint16_t *udp;
    size_t nudp;
    unsigned prefixes;  /* ports_parse: PORTS_TCP / PORTS_UDP when "T:" / "U:" was written,
                           even with nothing after it (nmap warns about either) */
};

void ports_init(struct port_list *pl);
void ports_free(struct port_list *pl);

/* -p SPEC. Items without a T:/U: prefix go to every protocol in default_protos (the scan types
 * asked for). Replaces pl's contents. 0, or -1 with the message in err. Duplicates are warned
 * about on warn (if not NULL) and kept once. Result: each list ascending, unique. */
int ports_parse(struct port_list *pl, const char *spec, unsigned default_protos, FILE *warn,
                char *err, size_t errlen);

/* The top n ranked ports (services.h) of each protocol in protos, ascending. n larger than the
 * ranking gives the whole ranking. 0, or -1 (n < 1 or out of memory). */
int ports_top(struct port_list *pl, int n, unsigned protos, char *err, size_t errlen);

/* Probe order. sequential (-r): ascending. Otherwise a Fisher-Yates shuffle from the lib/rng.h
 * stream "ports" of seed, then (lists of more than 50 ports) the SERVICES_POPULAR best-ranked
 * ports are swapped to the front, keeping their shuffled relative order, as nmap does. */
void ports_order(struct port_list *pl, bool sequential, uint64_t seed);

/* nmap's compressed list: "1,3-4,80" from ports in any order (duplicates merged). Writes at
 * most cap bytes including the NUL; returns the full length (snprintf-like). */
size_t ports_format(const uint16_t *ports, size_t n, char *buf, size_t cap);
/* The same, malloc'ed (the caller frees); NULL when out of memory. "" for n = 0. */
char *ports_format_alloc(const uint16_t *ports, size_t n);

#endif
