/* filter.h — internal to the simulator: middleboxes (`filter NAME at HOST in|out [stateful]`).
 *
 * A filter is an iptables chain in front of one host: rules top down, first match wins,
 * then the policy; `reject` sends what iptables' REJECT target sends; `stateful` keeps a
 * conntrack table so replies to tracked connections pass without the rules.
 */
#ifndef TCPLAB_SIM_FILTER_H
#define TCPLAB_SIM_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wire.h"
#include "scenario.h"
#include "sim.h"

struct sim;
struct host;
struct filter;

/* Copies the scenario's filter (rules included). NULL on out of memory. */
struct filter *filter_new(const struct scn_filter *cfg);
void filter_free(struct filter *f);
/* A deep copy (sim_clone). NULL on out of memory. */
struct filter *filter_clone(const struct filter *f);
/* Inspection copies (sim.h). */
void filter_inspect(const struct filter *f, struct sim_filter_info *out);
int filter_inspect_rule(const struct filter *f, size_t i, struct sim_rule_info *out);
int filter_inspect_ct(const struct filter *f, struct sim_ct_info *out, size_t max);
bool filter_stateful(const struct filter *f);
bool filter_inbound(const struct filter *f);

/* A datagram crosses f in f's direction (to its host for `in`, from it for `out`); fh is
 * the host f sits in front of. Returns true when it passes. On drop or reject, reports a
 * DROP event naming the rule and, for reject, queues the ICMP error or RST in the outbox. */
bool filter_apply(struct sim *s, struct filter *f, struct host *fh, const struct wire_pkt *p,
                  const uint8_t *pkt, size_t len);
/* A datagram crosses f's host the other way: a stateful filter only tracks it. */
void filter_track(struct filter *f, const struct wire_pkt *p);

#endif
