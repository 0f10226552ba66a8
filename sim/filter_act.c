/* filter_act.c — the engine's side of a filter: a datagram crosses the filter in front of a
 * host, the filter decides (filter.c, which knows nothing of the engine), and this file
 * carries the verdict out: the RST of `reject with tcp-reset` onto the wire, the ICMP error
 * of the other rejects through the filtered host's own ICMP budgets and IP-ID generator (as
 * Linux's REJECT target calls icmp_send from the host), and the DROP event with the rule
 * that decided it.
 *
 * Why apart: a filter is a table and a conntrack; keeping it free of the engine and the
 * hosts makes the call graph one way (engine -> filter), lets the filter be tested alone,
 * and puts every packet the engine sends on a filter's behalf in one place.
 */
#include "engine.h"
#include "filter.h"
#include "host.h"

/* The RST of `with tcp-reset`: NULL when sent, else why not. */
static const char *filter_act_reset(struct sim *s, const struct wire_pkt *p)
{
    sim_obs_build(s, p->ip.dst);   /* the RST claims to come from where the segment went */
    uint32_t slot = sim_slot_alloc(s);
    if (slot == UINT32_MAX)
        return "out of memory";
    struct sim_slot *sl = sim_slot(s, slot);
    const char *why;
    size_t n = filter_reset_build(p, sl->buf, sizeof sl->buf, &why);
    if (!n) {
        sim_slot_free(s, slot);
        return why;
    }
    sl->len = (uint16_t)n;
    sl->trusted = true;   /* checksums right by construction (engine.h) */
    sim_out_push(s, slot, NULL, true);
    return NULL;
}

bool sim_filter_cross(struct sim *s, struct filter *f, struct host *fh, const struct wire_pkt *p,
                      const uint8_t *pkt, size_t len)
{
    struct filter_verdict v;
    if (filter_decide(f, p, &v))
        return true;
    const char *action = "drop";
    if (v.reject) {
        const char *why = NULL;
        if (v.with == SCN_REJ_TCP_RESET)
            why = filter_act_reset(s, p);
        else if (!filter_icmp_allowed(p))
            why = "no ICMP error about an ICMP error or a fragment";
        else
            host_icmp_error(s, fh, p->ip.src, ICMP_UNREACH, filter_reject_code(v.with), pkt,
                            len, true, NULL, &why);
        action = why ? (sim_tracing(s) ? why : "drop") : filter_reject_name(v.with);
    }
    if (sim_tracing(s))
        sim_report(s, SIM_EV_DROP, pkt, len, fh, fh->addr, action,
                   v.rule >= 0 ? "filter-rule" : "filter-policy", filter_rule_text(f, v.rule),
                   NULL);
    return false;
}
