/* filter.h — which events a filter (model.h struct tui_filter) and follow keep, two ways
 * that must agree: the plain test, which reads the event and its datagram's bytes, and the
 * fast one over the keys packed once the recording ends (rec.h struct tui_key: 20 bytes an
 * event, hosts as ladder columns), which a million-event run answers in a few milliseconds.
 * Events past the keys (none once a recording has ended) take the plain test, as does a
 * host whose column does not fit a key. tests/unit/test_tui_filter.c checks that both give
 * the same events for every filter form tcplab(1) lists.
 */
#ifndef TCPLAB_TUI_FILTER_H
#define TCPLAB_TUI_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/model.h"

/* Packs the keys of the events recorded since the last call (rec.c calls it when a
 * recording ends). Out of memory: no keys, the plain test serves. */
void tui_filter_index(struct tui_rec *r);

/* The plain test: event ev kept by f and follow (a connection index + 1, 0 none)? */
bool tui_filter_plain(const struct tui_rec *r, const struct tui_filter *f, uint32_t follow,
                      size_t ev);

/* Every event kept, in order, into out (room for r->n); returns how many. fast: the keys
 * where there are keys (false: the plain test throughout). */
size_t tui_filter_select(const struct tui_rec *r, const struct tui_filter *f, uint32_t follow,
                         bool fast, uint32_t *out);

#endif
