/* inspect.c — the inspection API (sim.h): read-only copies of hosts, TCBs, timers, IP-ID
 * counters, the next ISN, listeners and filter state.
 *
 * For the TUI's "inside the host" panel, tests and lab graders. Every function fills the
 * caller's structs and returns; nothing hands out a pointer into the simulator, and nothing
 * here changes it (the next ISN is a peek, and never of a generator whose next value is a
 * random draw: random and random-inc say "unpredictable"). Hosts are found by address.
 */
#include "engine.h"

#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "tcp_inspect.h"

static const struct host *inspect_host(const struct sim *s, uint32_t addr)
{
    return host_find(&s->hosts, addr);
}

size_t sim_host_count(const struct sim *s) { return s->hosts.n; }

/* The host's TCP for a look at it, made if nothing has reached the host yet (host_tcp: the
 * same TCP whenever it is made, so looking changes no later result). The host itself is
 * never a const object: only these read-only entry points see it so. */
static struct tcp_host *inspect_tcp(const struct host *h)
{
    return host_tcp((struct host *)h);
}

static void host_info(const struct host *h, struct sim_host_info *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", h->name);
    out->addr = h->addr;
    snprintf(out->os, sizeof out->os, "%s", h->pers.os);
    out->down = h->down;
    out->scanner = h->scanner;
    gen_isn_describe(&h->pers.isn, out->isn_gen, sizeof out->isn_gen);
    gen_ipid_describe(&h->ipid.cfg, out->ipid_gen, sizeof out->ipid_gen);
    struct tcp_host *th = inspect_tcp(h);
    out->ntcbs = th ? tcp_inspect_count(th, &out->ntimers) : 0;
    out->nlisteners = th ? (uint32_t)tcp_inspect_listeners(th, NULL, 0) : 0;
    out->filter_in = h->filt_in;
    out->filter_out = h->filt_out;
}

int sim_host_at(const struct sim *s, size_t i, struct sim_host_info *out)
{
    if (i >= s->hosts.n)
        return -1;
    host_info(s->hosts.v[i], out);
    return 0;
}

int sim_host_info(const struct sim *s, uint32_t addr, struct sim_host_info *out)
{
    const struct host *h = inspect_host(s, addr);
    if (!h)
        return -1;
    host_info(h, out);
    return 0;
}

int sim_host_tcbs(const struct sim *s, uint32_t addr, struct sim_tcb_info *out, size_t max)
{
    const struct host *h = inspect_host(s, addr);
    return h && inspect_tcp(h) ? tcp_inspect_tcbs(inspect_tcp(h), out, max) : -1;
}

int sim_host_tcb(const struct sim *s, uint32_t addr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, struct sim_tcb_info *out)
{
    const struct host *h = inspect_host(s, addr);
    return h && inspect_tcp(h) ? tcp_inspect_tcb(inspect_tcp(h), lport, raddr, rport, out) : -1;
}

const char *sim_timer_name(int kind)
{
    switch (kind) {
    case SIM_TIMER_REXMIT: return "retransmit";
    case SIM_TIMER_TIMEWAIT: return "time-wait";
    case SIM_TIMER_FINWAIT2: return "fin-wait-2";
    }
    return "-";
}

int sim_host_timers(const struct sim *s, uint32_t addr, struct sim_timer_info *out, size_t max)
{
    const struct host *h = inspect_host(s, addr);
    return h && inspect_tcp(h) ? tcp_inspect_timers(inspect_tcp(h), out, max) : -1;
}

int sim_host_listeners(const struct sim *s, uint32_t addr, struct sim_listener_info *out,
                       size_t max)
{
    const struct host *h = inspect_host(s, addr);
    return h && inspect_tcp(h) ? tcp_inspect_listeners(inspect_tcp(h), out, max) : -1;
}

int sim_host_ipid(const struct sim *s, uint32_t addr, uint32_t peer, uint8_t proto,
                  struct sim_ipid_info *out)
{
    const struct host *h = inspect_host(s, addr);
    if (!h)
        return -1;
    memset(out, 0, sizeof *out);
    gen_ipid_describe(&h->ipid.cfg, out->gen, sizeof out->gen);
    out->toward = gen_ipid_counter(&h->ipid, h->addr, peer, proto);
    out->global = gen_ipid_global_ctr(&h->ipid);
    out->ncounters = gen_ipid_ncounters(&h->ipid);
    return 0;
}

int sim_host_ipid_dests(const struct sim *s, uint32_t addr, struct sim_ipid_dest *out,
                        size_t max)
{
    const struct host *h = inspect_host(s, addr);
    if (!h)
        return -1;
    return gen_ipid_dests(&h->ipid, out, max);
}

int sim_host_isn(const struct sim *s, uint32_t addr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, struct sim_isn_info *out)
{
    const struct host *h = inspect_host(s, addr);
    if (!h || !inspect_tcp(h))
        return -1;
    tcp_inspect_isn(inspect_tcp(h), s->now, lport, raddr, rport, out);
    return 0;
}

size_t sim_filter_count(const struct sim *s) { return s->nfilters; }

int sim_filter_info(const struct sim *s, size_t i, struct sim_filter_info *out)
{
    if (i >= s->nfilters)
        return -1;
    filter_inspect(s->filters[i], out);
    return 0;
}

int sim_filter_rule(const struct sim *s, size_t filter, size_t rule, struct sim_rule_info *out)
{
    if (filter >= s->nfilters)
        return -1;
    return filter_inspect_rule(s->filters[filter], rule, out);
}

int sim_filter_conntrack(const struct sim *s, size_t filter, struct sim_ct_info *out, size_t max)
{
    if (filter >= s->nfilters)
        return -1;
    return filter_inspect_ct(s->filters[filter], out, max);
}
