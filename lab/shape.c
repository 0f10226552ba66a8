/* shape.c — what a behaviour must look like, checked on the replay of a student's record
 * (lab/lab.h, `require`): a session question's `replay event ...` reads one fact of the run
 * (the ports where the target answered the zombie), and a `require SHAPE ...` line says what
 * the student's own datagrams must have been for that fact to count as their work.
 *
 *   require idle-scan ZOMBIE TARGET
 *
 * An idle scan (Antirez, bugtraq 1998; nmap's -sI, https://nmap.org/book/idlescan.html) is
 * a read of the zombie's IP-ID, SYNs forged from the zombie to the target, and another read:
 * the difference between the two reads is what tells an open port. So every SYN the student's
 * host injects from ZOMBIE to TARGET must have a read of the zombie sent before it and one
 * sent after it, where a read is a datagram the student's host injects to ZOMBIE whose reply
 * (from ZOMBIE, to the student's host: for TCP, the probe's ports reversed) the student's
 * host received. nmap sends several forged SYNs between two reads; that has the same shape.
 * The scenario's own `send` lines are not the student's reads (they are not injected).
 *
 * Without this a session that forged the SYNs and never looked at the zombie would pass: the
 * target's SYN|ACKs to the zombie happen whether or not anyone reads the counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/trace.h"

/* The TCP ports of a datagram, or 0 and 0. */
static void shape_ports(const struct wire_pkt *p, unsigned *sp, unsigned *dp)
{
    *sp = *dp = 0;
    if (p->ip.proto == WIRE_PROTO_TCP) {
        *sp = p->l4.tcp.sport;
        *dp = p->l4.tcp.dport;
    } else if (p->ip.proto == WIRE_PROTO_UDP) {
        *sp = p->l4.udp.sport;
        *dp = p->l4.udp.dport;
    }
}

/* One datagram the student's host sent to the zombie, and whether its reply came. */
struct shape_probe {
    size_t ev;
    uint8_t proto;
    unsigned sport, dport;
    bool answered;
};

/* Marks the earliest unanswered probe a reply (src zombie, at the student) answers. */
static void shape_answer(struct shape_probe *pr, size_t n, const struct wire_pkt *p)
{
    unsigned sp, dp;
    shape_ports(p, &sp, &dp);
    for (size_t i = 0; i < n; i++) {
        if (pr[i].answered)
            continue;
        bool fits = p->ip.proto == WIRE_PROTO_ICMP ||   /* an echo reply, an error */
                    (p->ip.proto == pr[i].proto && sp == pr[i].dport && dp == pr[i].sport);
        if (fits) {
            pr[i].answered = true;
            return;
        }
    }
}

static double shape_secs(const struct trace_ev *e)
{
    return (double)e->t_ns / 1e9;
}

/* The idle scan's shape, from the trace t of the replay. 0: it has it; 1: not (why says
 * what is missing); -1: out of memory. */
static int shape_idle(const struct trace *t, uint32_t me, uint32_t zombie, uint32_t target,
                      char *why, size_t whylen)
{
    struct shape_probe *pr = calloc(t->n ? t->n : 1, sizeof *pr);
    size_t np = 0, nsyn = 0;
    if (!pr)
        return -1;
    struct wire_pkt p;
    for (size_t i = 0; i < t->n; i++) {   /* the probes, and which got their reply */
        const struct trace_ev *e = &t->ev[i];
        if (e->host_addr != me || !e->len || wire_parse(trace_pkt(t, e), e->len, &p) != WIRE_OK)
            continue;
        if (e->kind == SIM_EV_SEND && e->injected && p.ip.dst == zombie && p.ip.src == me) {
            pr[np] = (struct shape_probe){ .ev = i, .proto = p.ip.proto };
            shape_ports(&p, &pr[np].sport, &pr[np].dport);
            np++;
        } else if (e->kind == SIM_EV_RECV && p.ip.src == zombie && p.ip.dst == me) {
            shape_answer(pr, np, &p);
        }
    }
    size_t sent = np, read = 0;
    for (size_t k = 0; k < np; k++)
        read += pr[k].answered;
    int rc = 0;
    size_t before = 0, after_i = 0;   /* answered probes before the event; the next one */
    for (size_t i = 0; i < t->n && !rc; i++) {
        const struct trace_ev *e = &t->ev[i];
        if (e->kind != SIM_EV_SEND || !e->injected || e->host_addr != me || !e->len ||
            wire_parse(trace_pkt(t, e), e->len, &p) != WIRE_OK || p.ip.src != zombie ||
            p.ip.dst != target || p.ip.proto != WIRE_PROTO_TCP ||
            (p.l4.tcp.flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
            continue;
        nsyn++;
        while (after_i < np && pr[after_i].ev < i)
            before += pr[after_i++].answered;
        size_t next = after_i;
        while (next < np && !pr[next].answered)
            next++;
        const char *miss = !before ? "before" : next == np ? "after" : NULL;
        if (miss) {
            snprintf(why, whylen, "not an idle scan: the SYN forged to the target's port %u at "
                     "%.6fs has no read of the zombie's IP-ID %s it (a read: a datagram your host "
                     "sends the zombie, whose reply your host receives; your host sent the "
                     "zombie %zu, and received the reply to %zu)", (unsigned)p.l4.tcp.dport, shape_secs(e), miss, sent, read);
            rc = 1;
        }
    }
    if (!rc && !nsyn) {
        snprintf(why, whylen, "not an idle scan: your host forged no SYN from the zombie to "
                 "the target");
        rc = 1;
    }
    free(pr);
    return rc;
}

int lab_shape_check(const char *file, int line, const char *text, const struct scenario *sc,
                    const struct trace *t, uint32_t me, char *why, size_t whylen, char *err,
                    size_t errlen)
{
    char shape[32] = "", a[64] = "", b[64] = "", more[2] = "";
    int n = sscanf(text, "%31s %63s %63s %1s", shape, a, b, more);
    uint32_t zombie, target;
    if (n != 3 || strcmp(shape, "idle-scan") || lab_addr_or_host(sc, a, &zombie) ||
        lab_addr_or_host(sc, b, &target)) {
        snprintf(err, errlen, "%s:%d: error: in 'require %s': expected 'idle-scan ZOMBIE "
                 "TARGET' (addresses or hosts of the scenario)", file, line, text);
        return -1;
    }
    int rc = shape_idle(t, me, zombie, target, why, whylen);
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    return rc;
}

bool lab_shape_known(const char *name)
{
    return !strcmp(name, "idle-scan");
}
