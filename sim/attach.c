/* attach.c — a script attached to the simulation (sim.h, "attaching"): the prefix it plays,
 * the datagrams it receives, the flows it opened through a host's own stack, its notes.
 *
 * Why here and not in the attach layer: which datagrams a script may see, and that the
 * stacks of its hosts keep quiet about them, are facts of the simulated network (a firewall
 * rule on the student's machine, a capture on its interface), and the off-path view must
 * hold whatever client drives it. The engine asks two questions on delivery (engine.c:
 * deliver and arrive) and the rest is here. Injection marks its SEND records through
 * s->injecting (engine.c: sim_inject_as).
 *
 * Per packet: a prefix compare, a tap call, and for an attached host's TCP segment a scan
 * of the script's flows (a handful: the connections it opened). Nothing is allocated.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

int sim_attach(struct sim *s, uint32_t prefix, unsigned plen, uint32_t as_addr, sim_tap_fn fn,
               void *ctx)
{
    if (plen > 32)
        return -1;
    uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0;
    if ((as_addr & mask) != (prefix & mask))
        return -1;
    s->att.on = true;
    s->att.prefix = prefix & mask;
    s->att.mask = mask;
    s->att.addr = as_addr;
    s->att.fn = fn;
    s->att.ctx = ctx;
    for (uint32_t i = 0; i < s->hosts.n; i++) {
        struct host *h = s->hosts.v[i];
        if ((h->addr & mask) == s->att.prefix)
            host_set_attached(h, true);
    }
    return 0;
}

static bool att_flow_match(const struct sim *s, const struct host *h, const struct wire_pkt *p)
{
    if (p->ip.proto != WIRE_PROTO_TCP)
        return false;
    for (size_t i = 0; i < s->att.nflows; i++) {
        const struct sim_att_flow *f = &s->att.flows[i];
        if (f->host == h->idx && f->lport == p->l4.tcp.dport && f->raddr == p->ip.src &&
            f->rport == p->l4.tcp.sport)
            return true;
    }
    return false;
}

static const char ATT_RULE[] = "attached: handed to the script; the host's own stack stays out of the way";

bool sim_att_deliver(struct sim *s, struct host *h, const struct sim_slot *sl,
                     const struct wire_pkt *p)
{
    if (s->att.fn)
        s->att.fn(s->att.ctx, s->now, sl->buf, sl->len);
    if (att_flow_match(s, h, p))
        return true;
    if (sim_tracing(s))
        sim_report(s, SIM_EV_RECV, sl->buf, sl->len, h, h->addr, "to the script",
                   "attach-script", ATT_RULE, NULL);
    return false;
}

void sim_att_nohost(struct sim *s, uint32_t slot, struct sim_slot *sl)
{
    uint32_t dst = (uint32_t)sl->buf[16] << 24 | (uint32_t)sl->buf[17] << 16 |
                   (uint32_t)sl->buf[18] << 8 | sl->buf[19];
    s->stats.delivered++;
    if (s->att.fn)
        s->att.fn(s->att.ctx, s->now, sl->buf, sl->len);
    if (sim_tracing(s))
        sim_report(s, SIM_EV_RECV, sl->buf, sl->len, NULL, dst, "to the script",
                   "attach-script", ATT_RULE, NULL);
    sim_slot_free(s, slot);
}

void sim_att_flow_add(struct sim *s, const struct host *h, int conn)
{
    struct sim_att_flow f = { .host = h->idx };
    if (!h->attached || !h->tcp || tcp_conn_tuple(h->tcp, conn, &f.lport, &f.raddr, &f.rport))
        return;
    if (s->att.nflows == s->att.capflows) {
        size_t nc = s->att.capflows ? s->att.capflows * 2 : 8;
        struct sim_att_flow *v = realloc(s->att.flows, nc * sizeof *v);
        if (!v)
            return;   /* its segments then reach the script alone */
        s->att.flows = v;
        s->att.capflows = nc;
    }
    s->att.flows[s->att.nflows++] = f;
}

void sim_att_free(struct sim *s)
{
    free(s->att.flows);
    s->att.flows = NULL;
    s->att.nflows = s->att.capflows = 0;
}

int sim_att_clone(struct sim *d, const struct sim *s)
{
    d->att.fn = NULL;
    d->att.ctx = NULL;
    d->att.flows = NULL;
    if (!s->att.nflows) {
        d->att.capflows = 0;
        return 0;
    }
    d->att.flows = malloc(s->att.capflows * sizeof *d->att.flows);
    if (!d->att.flows) {
        d->att.nflows = d->att.capflows = 0;
        return -1;
    }
    memcpy(d->att.flows, s->att.flows, s->att.nflows * sizeof *d->att.flows);
    d->att.nflows = s->att.nflows;
    d->att.capflows = s->att.capflows;
    return 0;
}

void sim_attach_note(struct sim *s, const char *text)
{
    struct sim_op op = { .kind = SIM_OP_NOTE, .pkt = (const uint8_t *)text,
                         .len = strlen(text) };
    sim_op_note(s, &op);
    if (!sim_tracing(s) || !s->att.on)
        return;
    const struct host *h = host_find(&s->hosts, s->att.addr);
    sim_report(s, SIM_EV_NOTE, NULL, 0, h, s->att.addr, text, "attach-note",
               "a note from the attached script", NULL);
}
