/* rundiff.h — where two runs part: the core of `tcplab diff` and of the TUI's what-if.
 *
 * Two traces (sim/trace.h) are walked side by side through a view: every event, or only
 * what one host receives (its RECV events: the datagrams that reached it, with their
 * arrival times; an off-path student's whole knowledge). The first pair of events that are
 * not the same, or the end of one run while the other goes on, is where they part.
 *
 * "The same": with every event in view, time, kind, host, the datagram's bytes, the action,
 * the rule (ID and text), the TCB states, the IP-ID counter and the next ISN; with a host's
 * arrivals, the arrival time and the bytes only (what the host does with them follows from
 * them). The sequence numbers of the events and their causes are positions, not facts, and
 * are not compared.
 *
 * Headless: the report is text (rundiff_write); the TUI reads the struct and draws its own.
 */
#ifndef TCPLAB_RUNDIFF_H
#define TCPLAB_RUNDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

struct rundiff_view {
    bool arrivals;           /* only the RECV events of the host at addr */
    uint32_t addr;
};

/* What differs in the first parting pair (bits). */
enum {
    RUNDIFF_TIME = 1 << 0, RUNDIFF_KIND = 1 << 1, RUNDIFF_HOST = 1 << 2,
    RUNDIFF_BYTES = 1 << 3, RUNDIFF_ACTION = 1 << 4, RUNDIFF_RULE = 1 << 5,
    RUNDIFF_STATE = 1 << 6, RUNDIFF_IPID = 1 << 7, RUNDIFF_ISN = 1 << 8,
    RUNDIFF_END = 1 << 9,    /* one run has no more events in view */
};

struct rundiff {
    bool same;
    size_t na, nb;           /* events in view in A and in B */
    size_t k;                /* events in view before the parting (equal on both sides) */
    size_t ia, ib;           /* trace index of the parting event of A / B; SIZE_MAX when
                                that run had no more events in view */
    unsigned fields;         /* RUNDIFF_* of the parting pair; 0 when same */
};

/* Is event i of t in the view? */
bool rundiff_in_view(const struct trace *t, size_t i, const struct rundiff_view *v);
/* Compares a and b through v. Always succeeds. */
void rundiff_compare(const struct trace *a, const struct trace *b, const struct rundiff_view *v,
                     struct rundiff *out);
/* Where the two differ, for a person: "arrival time 0.011 vs 0.012; IP-ID 4711 vs 4712",
 * the datagrams' header fields named one by one. Returns what snprintf returns. */
int rundiff_describe(const struct trace *a, const struct trace *b, const struct rundiff *d,
                     char *out, size_t cap);
/* The trace index of the n-th event in view before index `from` going back (n >= 1), or
 * SIZE_MAX when there are fewer. And forward: the next in-view index after `from`
 * (from = SIZE_MAX: the first), SIZE_MAX at the end. */
size_t rundiff_back(const struct trace *t, const struct rundiff_view *v, size_t from, size_t n);
size_t rundiff_next(const struct trace *t, const struct rundiff_view *v, size_t from);

/* The report, as diff -u lays one hunk out: a header naming both runs, `context` events in
 * view before the parting (the same on both sides, prefixed "  "), the parting event and
 * `context` more of each side ("- " for A, "+ " for B), then the fields that differ; or one
 * line saying they are the same. Each event line carries its number in its run (#N, what
 * the TUI's :N goes to). 0, or -1 on a write error. */
int rundiff_write(FILE *f, const struct trace *a, const struct trace *b,
                  const struct rundiff_view *v, const struct rundiff *d, const char *label_a,
                  const char *label_b, const char *view_name, int context);

#endif
