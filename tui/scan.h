/* scan.h — a scan inside the TUI, headless: the scanner's reasoning per probe (the
 * decisions recorded beside the events, rec.h struct tui_dec), the ports folded into groups
 * by outcome (an outline the view expands and collapses), and a host's IP-ID as a strip
 * chart, one row per datagram it sent, each increment beside the datagram that made it (the
 * zombie's, during -sI). */
#ifndef TCPLAB_TUI_SCAN_H
#define TCPLAB_TUI_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/model.h"

/* Sorts the decisions by (target, port, proto, order) for the lookups below (once, after
 * the scan). 0 or -1 (out of memory). */
int tui_scan_index(struct tui_rec *r);

/* The scanner's reasoning about the port the event's connection concerns: each try (when,
 * its timeout, the congestion windows), the verdict and why. Returns lines written (0 when
 * the event is no scan probe's or reply's). */
size_t tui_scan_lines(const struct tui_model *m, size_t ev, char (*lines)[160], size_t max);

/* The outline: one row per outcome (state and reason) with its count, and when expanded one
 * row per port. */
struct tui_outline_port { uint32_t target; uint16_t port; uint8_t proto; uint32_t first_ev; };
struct tui_outline_group {
    uint8_t state, reason;
    bool open;
    size_t first, n;             /* its ports: ports[first .. first + n) */
};
struct tui_outline {
    struct tui_outline_group *groups;
    size_t ngroups;
    struct tui_outline_port *ports;
    size_t nports;
    size_t row;                  /* cursor */
};
int tui_outline_build(struct tui_outline *o, const struct tui_rec *r);
void tui_outline_free(struct tui_outline *o);
size_t tui_outline_rows(const struct tui_outline *o);
/* Row text; *is_group. */
void tui_outline_text(const struct tui_outline *o, const struct tui_rec *r, size_t row,
                      char *out, size_t cap, bool *is_group);
/* Enter on a row: a group opens or closes (returns SIZE_MAX); a port gives the event of
 * its first probe. */
size_t tui_outline_enter(struct tui_outline *o, size_t row);

/* The IP-ID strip of host `addr` around event ev: a heading, then one row per datagram
 * the host sent itself (not those spoofed in its name), "event id +rise bar to HOST
 * datagram <- #N HOST datagram" (what it answered; in a capture, how many it sent unseen),
 * the row of the first datagram at or after ev marked with '>'. The bar starts at column
 * TUI_IPID_BAR_COL. Returns lines written (1: the host sent none). */
enum { TUI_IPID_BAR_COL = 21 };
size_t tui_ipid_strip(const struct tui_model *m, uint32_t addr, size_t ev, char (*lines)[160],
                      size_t max);

#endif
