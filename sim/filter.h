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

/* What a filter decided about one datagram: pass, or the rule that stopped it (-1: the
 * policy) and, for a reject, with what. The filter only decides; the engine carries the
 * verdict out (filter_act.c: the RST or ICMP error, the DROP event), so this module calls
 * neither the engine nor the hosts. */
struct filter_verdict {
    int rule;
    bool reject;
    enum scn_reject with;
};

/* A datagram crosses f in f's direction (to its host for `in`, from it for `out`): counts
 * the rule's hit, feeds the conntrack, returns true when it passes. */
bool filter_decide(struct filter *f, const struct wire_pkt *p, struct filter_verdict *v);
/* The rule's text for the trace ("filter fw rule 2 (line 6): drop tcp"), in f's own buffer,
 * valid until the next call. */
const char *filter_rule_text(struct filter *f, int rule);
/* Linux's REJECT target: the ICMP code of a `with`, its name in the trace, whether an ICMP
 * error may be sent about p at all, and the RST of `with tcp-reset` (filter_reset_build:
 * its length in buf, or 0 with *why). */
uint8_t filter_reject_code(enum scn_reject r);
const char *filter_reject_name(enum scn_reject r);
bool filter_icmp_allowed(const struct wire_pkt *p);
size_t filter_reset_build(const struct wire_pkt *p, uint8_t *buf, size_t cap, const char **why);
/* A datagram crosses f's host the other way: a stateful filter only tracks it. */
void filter_track(struct filter *f, const struct wire_pkt *p);

#endif
