/* grade_event.c — `event` answers: a lab question's key read from the grader's run of the
 * variant (lab/lab.h lab_event_value; grade.c makes the run and builds the key).
 *
 *   event KIND HOST [proto P] [flags F] [src A] [dst A] [sport N] [dport N] [nth N|last]
 *         field seq|ack|ipid|ttl|win|sport|dport|src|dst|state|rule|count|sports|dports
 *
 * The run is the scenario plus the lab's `probe` lines, run until nothing is left, every
 * event recorded (sim/trace.h). KIND is SEND, RECV, DROP, TIMER or NOTE; HOST the host the
 * event is at; the filters match the event's datagram; `nth` picks among the matches (default
 * the first); `rule ID,...` keeps only the events whose decision names one of those rule IDs;
 * the field `rule` is the rule ID the host's decision names (docs/rules.md); `count` is how
 * many matched; `sports` and `dports` the set of ports of all the matches ("21,111,135",
 * "none"), for a behaviour over many datagrams (the ports on which the target answered the
 * zombie's forged SYNs). So the key for "the ISN of a 64K-rule host at 2.2 s" is what the
 * simulated host really chose, not a formula that a timer tick could put off by 64000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

enum lab_field {
    LAB_F_SEQ, LAB_F_ACK, LAB_F_IPID, LAB_F_TTL, LAB_F_WIN, LAB_F_SPORT, LAB_F_DPORT,
    LAB_F_SRC, LAB_F_DST, LAB_F_STATE, LAB_F_RULE, LAB_F_COUNT, LAB_F_SPORTS, LAB_F_DPORTS,
};
static const char *const lab_fields[] = {"seq", "ack", "ipid", "ttl", "win", "sport", "dport",
                                         "src", "dst", "state", "rule", "count", "sports",
                                         "dports"};

struct lab_match {
    int kind;                /* enum sim_ev_kind */
    uint32_t host;
    int proto;               /* -1 any */
    int flags;               /* -1 any */
    bool has_src, has_dst;
    uint32_t src, dst;
    int sport, dport;        /* -1 any */
    long nth;                /* 1-based; 0 = last */
    enum lab_field field;
    char rules[160];         /* `rule A,B`: the decision's rule ID is one of these ("": any) */
};

/* ---------------------------------------------------------------- event answers */

int lab_addr_or_host(const struct scenario *sc, const char *w, uint32_t *a)
{
    if (!wire_ip_parse(w, a))
        return 0;
    const struct scn_host *h = scenario_host(sc, w);
    if (!h)
        return -1;
    *a = h->addr;
    return 0;
}

static int lab_event_parse(const char *file, int line, const char *text,
                           const struct scenario *sc, struct lab_match *m, char *err,
                           size_t errlen)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL, *w[32];
    int n = 0;
    for (char *t = strtok_r(buf, " \t", &save); t && n < 32; t = strtok_r(NULL, " \t", &save))
        w[n++] = t;
    memset(m, 0, sizeof *m);
    m->proto = m->flags = m->sport = m->dport = -1;
    m->nth = 1;
    m->field = (enum lab_field)-1;
    static const char *const kinds[] = {"SEND", "RECV", "DROP", "TIMER", "NOTE"};
    const char *bad = NULL, *want = NULL;
    if (n < 3) {
        want = "event KIND HOST ... field F";
        bad = n ? w[n - 1] : "end of line";
        goto fail;
    }
    m->kind = -1;
    for (int k = 0; k < 5; k++)
        if (!strcmp(w[1], kinds[k]))
            m->kind = k;
    if (m->kind < 0) {
        want = "an event kind (SEND, RECV, DROP, TIMER, NOTE)";
        bad = w[1];
        goto fail;
    }
    if (lab_addr_or_host(sc, w[2], &m->host)) {
        want = "a host of the scenario";
        bad = w[2];
        goto fail;
    }
    for (int i = 3; i < n; i += 2) {
        const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;
        if (!v) {
            want = "a value";
            bad = "end of line";
            goto fail;
        }
        char *end;
        long num = strtol(v, &end, 10);
        bool isnum = *v && !*end && num >= 0 && num <= 65535;
        if (!strcmp(k, "proto")) {
            m->proto = !strcmp(v, "tcp") ? WIRE_PROTO_TCP : !strcmp(v, "udp") ? WIRE_PROTO_UDP :
                       !strcmp(v, "icmp") ? WIRE_PROTO_ICMP : -2;
            if (m->proto == -2) { want = "tcp, udp or icmp"; bad = v; goto fail; }
        } else if (!strcmp(k, "flags")) {
            if ((m->flags = wire_flags_parse(v)) < 0) { want = "TCP flag letters"; bad = v; goto fail; }
            m->proto = WIRE_PROTO_TCP;
        } else if (!strcmp(k, "src") || !strcmp(k, "dst")) {
            uint32_t *a = k[0] == 's' ? &m->src : &m->dst;
            if (lab_addr_or_host(sc, v, a)) { want = "an address or host"; bad = v; goto fail; }
            *(k[0] == 's' ? &m->has_src : &m->has_dst) = true;
        } else if (!strcmp(k, "sport") || !strcmp(k, "dport")) {
            if (!isnum) { want = "a port"; bad = v; goto fail; }
            *(k[0] == 's' ? &m->sport : &m->dport) = (int)num;
        } else if (!strcmp(k, "nth")) {
            if (!strcmp(v, "last"))
                m->nth = 0;
            else if (!isnum || num == 0) { want = "a number >= 1 or 'last'"; bad = v; goto fail; }
            else
                m->nth = num;
        } else if (!strcmp(k, "rule")) {
            if (strlen(v) >= sizeof m->rules) { want = "shorter rule IDs"; bad = v; goto fail; }
            snprintf(m->rules, sizeof m->rules, "%s", v);
        } else if (!strcmp(k, "field")) {
            for (size_t f = 0; f < sizeof lab_fields / sizeof *lab_fields; f++)
                if (!strcmp(v, lab_fields[f]))
                    m->field = (enum lab_field)f;
            if ((int)m->field < 0) {
                want = "a field (seq, ack, ipid, ttl, win, sport, dport, src, dst, state, rule, "
                       "count, sports, dports)";
                bad = v;
                goto fail;
            }
        } else {
            want = "proto, flags, src, dst, sport, dport, rule, nth or field";
            bad = k;
            goto fail;
        }
    }
    if ((int)m->field >= 0)
        return 0;
    want = "'field F' at the end";
    bad = "end of line";
fail:
    snprintf(err, errlen, "%s:%d: error: in the answer '%s': expected %s, found '%s'", file,
             line, text, want, bad);
    return -1;
}

/* Is id one of the comma-separated IDs of list? */
static bool lab_rule_in(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (n && len == n && !memcmp(p, id, n))
            return true;
        p += len + (c != NULL);
    }
    return false;
}

static bool lab_event_matches(const struct lab_match *m, const struct trace *t,
                              const struct trace_ev *e, struct wire_pkt *p)
{
    if ((int)e->kind != m->kind || e->host_addr != m->host)
        return false;
    if (m->rules[0] && !lab_rule_in(m->rules, e->rule_id_off ? trace_str(t, e->rule_id_off) : ""))
        return false;
    bool need_pkt = m->proto >= 0 || m->has_src || m->has_dst || m->sport >= 0 ||
                    m->dport >= 0 || m->field != LAB_F_COUNT;
    if (!need_pkt)
        return true;
    if (!e->len || wire_parse(trace_pkt(t, e), e->len, p) != WIRE_OK)
        return (m->field == LAB_F_STATE || m->field == LAB_F_RULE) && m->proto < 0 && !m->has_src && !m->has_dst &&
               m->sport < 0 && m->dport < 0;
    if ((m->proto >= 0 && p->ip.proto != m->proto) || (m->has_src && p->ip.src != m->src) ||
        (m->has_dst && p->ip.dst != m->dst))
        return false;
    uint16_t sp = 0, dp = 0;
    if (p->ip.proto == WIRE_PROTO_TCP) {
        sp = p->l4.tcp.sport;
        dp = p->l4.tcp.dport;
        if (m->flags >= 0 && p->l4.tcp.flags != m->flags)
            return false;
    } else if (p->ip.proto == WIRE_PROTO_UDP) {
        sp = p->l4.udp.sport;
        dp = p->l4.udp.dport;
    } else if (m->sport >= 0 || m->dport >= 0) {
        return false;
    }
    return (m->sport < 0 || sp == m->sport) && (m->dport < 0 || dp == m->dport);
}

static void lab_field_text(const struct lab_match *m, const struct trace *t,
                           const struct trace_ev *e, const struct wire_pkt *p, char *out,
                           size_t cap)
{
    bool tcp = e->len && p->ip.proto == WIRE_PROTO_TCP;
    char ip[16];
    switch (m->field) {
    case LAB_F_SEQ:   snprintf(out, cap, "%lu", tcp ? (unsigned long)p->l4.tcp.seq : 0UL); break;
    case LAB_F_ACK:   snprintf(out, cap, "%lu", tcp ? (unsigned long)p->l4.tcp.ack : 0UL); break;
    case LAB_F_IPID:  snprintf(out, cap, "%u", (unsigned)p->ip.id); break;
    case LAB_F_TTL:   snprintf(out, cap, "%u", (unsigned)p->ip.ttl); break;
    case LAB_F_WIN:   snprintf(out, cap, "%u", tcp ? (unsigned)p->l4.tcp.window : 0u); break;
    case LAB_F_SPORT: snprintf(out, cap, "%u", tcp ? p->l4.tcp.sport : p->l4.udp.sport); break;
    case LAB_F_DPORT: snprintf(out, cap, "%u", tcp ? p->l4.tcp.dport : p->l4.udp.dport); break;
    case LAB_F_SRC:   snprintf(out, cap, "%s", wire_ip_str(p->ip.src, ip)); break;
    case LAB_F_DST:   snprintf(out, cap, "%s", wire_ip_str(p->ip.dst, ip)); break;
    case LAB_F_STATE: snprintf(out, cap, "%s", tcp_state_name(e->state_after)); break;
    case LAB_F_RULE:
        snprintf(out, cap, "%s", e->rule_id_off ? trace_str(t, e->rule_id_off) : "none");
        break;
    case LAB_F_COUNT: case LAB_F_SPORTS: case LAB_F_DPORTS: break;
    }
}

char *lab_ports_text(const uint64_t *bits)
{
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    for (unsigned p = 0; s && p < 65536; p++) {
        if (!(bits[p >> 6] >> (p & 63) & 1))
            continue;
        if (cap - n < 8) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        n += (size_t)snprintf(s + n, cap - n, "%s%u", n ? "," : "", p);
    }
    if (s && !n)
        snprintf(s, cap, "none");
    return s;
}

/* `field sports|dports`: the set of the matches' ports. 0 or -1 (out of memory). */
static int lab_event_ports(const struct lab_match *m, const struct trace *t, char **out)
{
    uint64_t *bits = calloc(1024, sizeof *bits);
    if (!bits)
        return -1;
    struct wire_pkt p;
    for (size_t i = 0; i < t->n; i++) {
        memset(&p, 0, sizeof p);
        if (!lab_event_matches(m, t, &t->ev[i], &p) || !t->ev[i].len)
            continue;
        bool tcp = p.ip.proto == WIRE_PROTO_TCP, udp = p.ip.proto == WIRE_PROTO_UDP;
        if (!tcp && !udp)
            continue;
        uint16_t port = m->field == LAB_F_SPORTS ? (tcp ? p.l4.tcp.sport : p.l4.udp.sport)
                                                 : (tcp ? p.l4.tcp.dport : p.l4.udp.dport);
        bits[port >> 6] |= 1ULL << (port & 63);
    }
    *out = lab_ports_text(bits);
    free(bits);
    return *out ? 0 : -1;
}

/* The value an event answer names, from the grader's trace. */
int lab_event_value(const char *file, int line, const char *text, const struct scenario *sc,
                    const struct trace *t, char **out, char *err, size_t errlen)
{
    struct lab_match m;
    if (lab_event_parse(file, line, text, sc, &m, err, errlen))
        return -1;
    if (m.field == LAB_F_SPORTS || m.field == LAB_F_DPORTS) {
        if (lab_event_ports(&m, t, out) == 0)
            return 0;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char v[64] = "";
    long hits = 0;
    struct wire_pkt p;
    for (size_t i = 0; i < t->n; i++) {
        memset(&p, 0, sizeof p);
        if (!lab_event_matches(&m, t, &t->ev[i], &p))
            continue;
        hits++;
        if (m.field != LAB_F_COUNT && (m.nth == 0 || hits == m.nth))
            lab_field_text(&m, t, &t->ev[i], &p, v, sizeof v);
    }
    if (m.field == LAB_F_COUNT)
        snprintf(v, sizeof v, "%ld", hits);
    else if (!v[0]) {
        snprintf(err, errlen, "%s:%d: error: the answer '%s' matches %ld events of the grader's "
                 "run, not the one it names", file, line, text, hits);
        return -1;
    }
    *out = strdup(v);
    return *out ? 0 : -1;
}
