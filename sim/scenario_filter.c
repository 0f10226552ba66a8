/* scenario_filter.c — the scenario language's `filter` statement and its indented rules.
 *
 * Grammar: tcplab-scenario(5), FILTERS. Semantics are iptables': rules are read
 * top down and the first match wins; `policy accept|drop` is the chain policy; reject types
 * are REJECT --reject-with names (icmp-port-unreachable is the default). Where iptables
 * needs `-p tcp` spelled out, the language infers it: `flags` and `with tcp-reset` make a
 * rule tcp; a port match with no protocol takes TCP and UDP alike (never ICMP). `flags syn` is
 * iptables' --syn (libxt_tcp: --tcp-flags SYN,RST,ACK,FIN SYN, so SYN set and ACK, RST, FIN
 * clear); `flags LETTERS/MASK` is --tcp-flags MASK LETTERS in scapy's letters, and
 * `flags LETTERS` alone means the flags byte equals LETTERS. Each rule keeps its text for
 * the transcript.
 */
#include "scenario_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/wire.h"

int scn_stmt_filter(struct scn_parser *p)
{
    struct scenario *sc = p->sc;
    struct scn_filter f = { .policy = SCN_ACCEPT, .pos = { p->ln.lineno, scn_at(p, 0)->col } };
    const struct scn_tok *nt = scn_at(p, 1), *ht = scn_at(p, 3), *dir = scn_at(p, 4);
    if (scn_get_name(p, nt, "a filter name", f.name) < 0)
        return -1;
    for (size_t i = 0; i < sc->nfilters; i++)
        if (strcmp(sc->filters[i].name, f.name) == 0)
            return scn_expected_note(&p->cx, &p->ln, nt, "a new filter name", "(already defined)");
    if (!scn_tok_is(scn_at(p, 2), "at"))
        return scn_expected(&p->cx, &p->ln, scn_at(p, 2), "'at'");
    if (scn_resolve(p, ht, &f.host_addr) < 0)
        return -1;
    const struct scn_name *hn = scn_find_addr(p, f.host_addr);
    if (hn)
        snprintf(f.host, sizeof f.host, "%.*s", (int)(hn->len < SCN_NAME_MAX ? hn->len : SCN_NAME_MAX - 1), hn->name);
    else
        snprintf(f.host, sizeof f.host, "%.*s", (int)ht->len, ht->s); /* an address: short */
    if (!scn_tok_is(dir, "in") && !scn_tok_is(dir, "out"))
        return scn_expected(&p->cx, &p->ln, dir, "'in' or 'out'");
    f.inbound = scn_tok_is(dir, "in");
    size_t i = 5;
    if (scn_tok_is(scn_at(p, i), "stateful")) {
        f.stateful = true;
        i++;
    }
    if (scn_end(p, i) < 0)
        return -1;
    if (scn_vec_reserve((void **)&sc->filters, sc->nfilters, sizeof *sc->filters) < 0)
        return scn_expected(&p->cx, &p->ln, nt, "memory");
    sc->filters[sc->nfilters] = f;
    p->cur_filter = (long)sc->nfilters++;
    return 0;
}

static int scn_rule_port_add(void *arg, struct scn_ctx *cx, const struct scn_line *ln,
                             const struct scn_tok *item, uint16_t lo, uint16_t hi)
{
    struct { struct scn_portrange *r; uint8_t *n; } *dst = arg;
    if (*dst->n >= SCN_RULE_PORTS_MAX)
        return scn_expected(cx, ln, item, "at most 16 ports or ranges in one rule");
    dst->r[(*dst->n)++] = (struct scn_portrange){ lo, hi };
    return 0;
}

static const struct { const char *name; enum scn_reject rej; } scn_rejects[] = {
    { "icmp-port-unreachable", SCN_REJ_PORT_UNREACH }, { "icmp-host-unreachable", SCN_REJ_HOST_UNREACH },
    { "icmp-net-unreachable", SCN_REJ_NET_UNREACH },   { "icmp-net-prohibited", SCN_REJ_NET_PROHIB },
    { "icmp-host-prohibited", SCN_REJ_HOST_PROHIB },   { "icmp-admin-prohibited", SCN_REJ_ADMIN_PROHIB },
    { "tcp-reset", SCN_REJ_TCP_RESET },
};

/* flags syn | flags LETTERS[/MASK] (no mask: the flags byte must equal LETTERS). */
static int scn_rule_flags(struct scn_parser *p, const struct scn_tok *t, struct scn_rule *r)
{
    r->has_flags = true;
    if (scn_tok_is(t, "syn")) {
        r->flags_mask = TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN;   /* iptables' 0x17 */
        r->flags_value = TCP_SYN;
        return 0;
    }
    if (!t)
        return scn_expected(&p->cx, &p->ln, t, "'syn' or flag letters such as SA or S/SA");
    size_t slash = scn_tok_find(t, '/');
    struct scn_tok v = scn_tok_sub(t, 0, slash);
    if (scn_get_flags(&p->cx, &p->ln, &v, &r->flags_value) < 0)
        return -1;
    r->flags_mask = 0xFF;
    if (slash < t->len) {
        struct scn_tok m = scn_tok_sub(t, slash + 1, t->len - slash - 1);
        if (scn_get_flags(&p->cx, &p->ln, &m, &r->flags_mask) < 0)
            return -1;
        if (r->flags_value & ~r->flags_mask)
            return scn_expected(&p->cx, &p->ln, t, "flags that are inside their /MASK");
    }
    return 0;
}

/* One match of a rule at token i (key and value). */
static int scn_rule_match(struct scn_parser *p, size_t i, struct scn_rule *r, bool *seen_with)
{
    const struct scn_tok *k = scn_at(p, i), *v = scn_at(p, i + 1);
    static const struct { const char *n; uint8_t proto; } protos[] = {
        { "tcp", WIRE_PROTO_TCP }, { "udp", WIRE_PROTO_UDP }, { "icmp", WIRE_PROTO_ICMP },
    };
    for (size_t j = 0; j < 3; j++) {
        if (!scn_tok_is(k, protos[j].n))
            continue;
        if (r->proto)
            return scn_expected(&p->cx, &p->ln, k, "one protocol per rule");
        /* The same check as a port match after the protocol: order does not matter. */
        if (protos[j].proto == WIRE_PROTO_ICMP && (r->nsport || r->ndport))
            return scn_expected(&p->cx, &p->ln, k, "tcp or udp (the rule matches ports)");
        r->proto = protos[j].proto;
        return 1;
    }
    if (scn_tok_is(k, "from") || scn_tok_is(k, "to")) {
        bool from = scn_tok_is(k, "from");
        uint32_t a;
        uint8_t plen;
        if ((from ? r->has_from : r->has_to))
            return scn_expected_note(&p->cx, &p->ln, k, "each match at most once", "(a second time)");
        if (scn_cidr(p, v, &a, &plen) < 0)
            return -1;
        uint32_t m = scn_mask(plen);
        if (from) { r->has_from = true; r->from = a & m; r->from_mask = m; }
        else      { r->has_to = true; r->to = a & m; r->to_mask = m; }
        return 2;
    }
    if (scn_tok_is(k, "sport") || scn_tok_is(k, "dport")) {
        bool s = scn_tok_is(k, "sport");
        struct { struct scn_portrange *r; uint8_t *n; } dst = {
            s ? r->sport : r->dport, s ? &r->nsport : &r->ndport };
        /* With no protocol a port match takes TCP and UDP alike; ICMP has no ports. */
        if (r->proto == WIRE_PROTO_ICMP)
            return scn_expected(&p->cx, &p->ln, k, "a port match only with tcp or udp");
        return scn_get_ports(&p->cx, &p->ln, v, scn_rule_port_add, &dst) < 0 ? -1 : 2;
    }
    if (scn_tok_is(k, "flags")) {
        if (r->proto && r->proto != WIRE_PROTO_TCP)
            return scn_expected(&p->cx, &p->ln, k, "a flags match only with tcp");
        r->proto = WIRE_PROTO_TCP;   /* flags imply tcp (iptables needs -p tcp spelled out) */
        if (r->has_flags)
            return scn_expected_note(&p->cx, &p->ln, k, "each match at most once", "(a second time)");
        return scn_rule_flags(p, v, r) < 0 ? -1 : 2;
    }
    if (scn_tok_is(k, "with")) {
        if (r->action != SCN_REJECT || *seen_with)
            return scn_expected(&p->cx, &p->ln, k, "'with' once, in a reject rule");
        *seen_with = true;
        for (size_t j = 0; j < sizeof scn_rejects / sizeof *scn_rejects; j++) {
            if (!scn_tok_is(v, scn_rejects[j].name))
                continue;
            if (scn_rejects[j].rej == SCN_REJ_TCP_RESET) {
                if (r->proto && r->proto != WIRE_PROTO_TCP)
                    return scn_expected(&p->cx, &p->ln, v, "tcp-reset only in a tcp rule");
                r->proto = WIRE_PROTO_TCP;   /* a reset answers only TCP, as iptables' -p tcp */
            }
            r->reject = scn_rejects[j].rej;
            return 2;
        }
        return scn_expected(&p->cx, &p->ln, v, "a reject type (icmp-port-unreachable, icmp-host-unreachable, "
                            "icmp-net-unreachable, icmp-net-prohibited, icmp-host-prohibited, "
                            "icmp-admin-prohibited, tcp-reset)");
    }
    return scn_expected(&p->cx, &p->ln, k, "a match (tcp, udp, icmp, from, to, sport, dport, flags, with)");
}

/* The rule as written, for the transcript (cut to fit, marked with "..."). */
static void scn_rule_text(const struct scn_parser *p, struct scn_rule *r)
{
    const struct scn_tok *a = scn_at(p, 0), *b = scn_at(p, p->ln.n - 1);
    size_t len = (size_t)(b->s + b->len + (b->quoted ? 1 : 0) - a->s);
    size_t cap = sizeof r->text - 1;
    if (len > cap) {
        memcpy(r->text, a->s, cap - 3);
        memcpy(r->text + cap - 3, "...", 4);
    } else {
        memcpy(r->text, a->s, len);
        r->text[len] = '\0';
    }
    for (char *c = r->text; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
}

int scn_rule_line(struct scn_parser *p)
{
    struct scn_filter *f = &p->sc->filters[p->cur_filter];
    const struct scn_tok *a = scn_at(p, 0);
    if (scn_tok_is(a, "policy")) {
        const struct scn_tok *v = scn_at(p, 1);
        if (!scn_tok_is(v, "accept") && !scn_tok_is(v, "drop"))
            return scn_expected(&p->cx, &p->ln, v, "'accept' or 'drop'");
        if (f->policy_pos.line)   /* a chain has one policy: a second one is a typo, not an override */
            return scn_expected_note(&p->cx, &p->ln, a, "one 'policy' per filter", "(already set)");
        f->policy = scn_tok_is(v, "accept") ? SCN_ACCEPT : SCN_DROP;
        f->policy_pos = (struct scn_pos){ p->ln.lineno, a->col };
        return scn_end(p, 2);
    }
    struct scn_rule r = { .reject = SCN_REJ_PORT_UNREACH, .pos = { p->ln.lineno, a->col } };
    if (scn_tok_is(a, "accept"))
        r.action = SCN_ACCEPT;
    else if (scn_tok_is(a, "drop"))
        r.action = SCN_DROP;
    else if (scn_tok_is(a, "reject"))
        r.action = SCN_REJECT;
    else
        return scn_expected(&p->cx, &p->ln, a, "a filter rule (accept, drop, reject or policy)");
    bool seen_with = false;
    for (size_t i = 1; i < p->ln.n;) {
        int n = scn_rule_match(p, i, &r, &seen_with);
        if (n < 0)
            return -1;
        i += (size_t)n;
    }
    scn_rule_text(p, &r);
    if (scn_vec_reserve((void **)&f->rules, f->nrules, sizeof *f->rules) < 0)
        return scn_expected(&p->cx, &p->ln, a, "memory");
    f->rules[f->nrules++] = r;
    return 0;
}

