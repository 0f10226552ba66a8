/* common.h — helpers shared by the report writers in scanner/output/ (private to them).
 * See common.c; the public API is scanner/output.h.
 */
#ifndef TCPLAB_OUTPUT_COMMON_H
#define TCPLAB_OUTPUT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scanner/output.h"
#include "scanner/result.h"

/* Per host: ports counted by state, and which states are folded away. */
struct output_host_info {
    size_t count[PORT_NSTATES];
    bool hidden[PORT_NSTATES];
    size_t nhidden;
};

void output_host_info(const struct scan_report *r, const struct host_result *h,
                      struct output_host_info *hi);
/* The hidden states in nmap's order (portlist.cc nextIgnoredState): most ports first, ties
 * by state number. Returns how many were written to out. */
size_t output_hidden_states(const struct output_host_info *hi, int out[PORT_NSTATES]);
/* One "Not shown" / <extrareasons> group of a hidden state. */
struct output_group {
    uint8_t proto;           /* 6 or 17 */
    uint8_t reason;          /* enum reason */
    size_t count;
};
enum { OUTPUT_MAX_GROUPS = 2 * RS_N };
/* The (protocol, reason) groups of `state` in nmap's order (portreasons.cc reason_sort: most
 * ports first; its merge takes the later group on ties, so equal groups come out in reverse
 * order of their first port). Returns the number of groups. */
size_t output_reason_groups(const struct host_result *h, int state,
                            struct output_group g[OUTPUT_MAX_GROUPS]);
/* The ports not hidden, TCP then UDP, each by number; malloc'ed array (free it). */
size_t output_shown_ports(const struct host_result *h, const struct output_host_info *hi,
                          const struct port_result ***out);
size_t output_hosts_up(const struct scan_report *r);
/* ops->write for every format: begin, each of r->hosts, end. */
int output_write_whole(const struct output_ops *ops, FILE *f, const struct scan_report *r);
double output_elapsed(const struct scan_report *r);
const char *output_proto_name(int proto);
int output_reason_has_ttl(int reason);
const char *output_ip(uint32_t a, char buf[16]);
/* "name (ip)" or "ip". */
const char *output_host_label(const struct host_result *h, char *buf, size_t cap);
/* Epoch seconds of backend time ns (start_unix + elapsed). */
int64_t output_unix(const struct scan_report *r, uint64_t ns);
int output_host_listed(const struct scan_report *r, const struct host_result *h);

#endif
