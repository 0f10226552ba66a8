/* grade.c — a lab variant's answers (the key), students' answer files, and the comparison
 * (lab/lab.h).
 *
 * An answer is either a template expanded with the variant's parameters, or
 *
 *   event KIND HOST [proto P] [flags F] [src A] [dst A] [sport N] [dport N] [nth N|last]
 *         field seq|ack|ipid|ttl|win|sport|dport|src|dst|state|rule|count|sports|dports
 *
 * read from the grader's run of the variant: the scenario plus the lab's `probe` lines, run
 * until nothing is left, every event recorded (sim/trace.h). KIND is SEND, RECV, DROP, TIMER
 * or NOTE; HOST the host the event is at; the filters match the event's datagram; `nth`
 * picks among the matches (default the first); `rule ID,...` keeps only the events whose
 * decision names one of those rule IDs; the field `rule` is the rule ID the host's decision
 * names (docs/rules.md); `count` is how many matched; `sports` and `dports` the set of
 * ports of all the matches ("21,111,135", "none"), for a behaviour over many datagrams
 * (the ports on which the target answered the zombie's forged SYNs). So the key for
 * "the ISN of a 64K-rule host at 2.2 s" is what the simulated host really chose, not a
 * formula that a timer tick could put off by 64000.
 *
 * Or `up PREFIX [count]`: the addresses of PREFIX (at most a /16) where the variant has a
 * host that answers (sim_addr_up: a `host` line not `down`, or a live address of a `hosts`
 * population), comma-joined, or how many: what a perfect sweep of the prefix finds.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/lab.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

/* A grader's run stops when nothing is left or at this virtual time. */
#define LAB_GRADE_LIMIT_NS (3600ULL * 1000000000ULL)

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

static int lab_addr_or_host(const struct scenario *sc, const char *w, uint32_t *a)
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

/* The ports of a bit map, ascending and comma-joined ("none" when empty): heap, or NULL. */
static char *lab_ports_text(const uint64_t *bits)
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

/* ---------------------------------------------------------------- `up` answers */

static bool lab_is_up(const char *a)
{
    return !strncmp(a, "up", 2) && (a[2] == ' ' || a[2] == '\t');
}

static int lab_up_append(char **buf, size_t *len, size_t *cap, const char *w)
{
    size_t n = strlen(w);
    if (*len + n + 2 > *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        while (c < *len + n + 2)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    if (*len)
        (*buf)[(*len)++] = ',';
    memcpy(*buf + *len, w, n + 1);
    *len += n;
    return 0;
}

/* The addresses (or how many) of PREFIX that are up in the variant. */
static int lab_up_answer(const char *file, int line, const char *text,
                         const struct lab_variant *v, char **out, char *err, size_t errlen)
{
    char pfx[64] = "", extra[16] = "", more[2] = "";
    int n = sscanf(text, "up %63s %15s %1s", pfx, extra, more);
    char *slash = strchr(pfx, '/');
    uint32_t base;
    char *end = NULL;
    long plen = slash ? strtol(slash + 1, &end, 10) : -1;
    if (slash)
        *slash = 0;
    if (n < 1 || !slash || wire_ip_parse(pfx, &base) || *end || plen < 16 || plen > 32 ||
        (n >= 2 && strcmp(extra, "count")) || n > 2) {
        snprintf(err, errlen, "%s:%d: error: in the answer '%s': expected 'up PREFIX/LEN "
                 "[count]' with LEN 16 to 32", file, line, text);
        return -1;
    }
    struct scenario sc;
    if (scenario_parse(v->file, v->text, v->len, &sc, err, errlen))
        return -1;
    struct sim *s = sim_new(sc.seed);
    int rc = 0;
    if (!s || sim_load(s, &sc, err, errlen)) {
        if (!s)
            snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    uint32_t mask = plen == 32 ? ~0u : ~(~0u >> plen), first = base & mask;
    uint64_t count = (uint64_t)1 << (32 - plen);
    char *buf = NULL, ip[16];
    size_t len = 0, cap = 0, up = 0;
    for (uint64_t i = 0; !rc && i < count; i++) {
        uint32_t a = first + (uint32_t)i;
        if (!sim_addr_up(s, a))
            continue;
        up++;
        if (n < 2 && lab_up_append(&buf, &len, &cap, wire_ip_str(a, ip))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    sim_free(s);
    scenario_free(&sc);
    if (!rc) {
        char num[24];
        snprintf(num, sizeof num, "%zu", up);
        *out = strdup(n >= 2 ? num : buf ? buf : "none");
        rc = *out ? 0 : -1;
    }
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------- the key */

static bool lab_is_event(const char *a)
{
    return !strncmp(a, "event", 5) && (a[5] == ' ' || a[5] == '\t');
}

/* The variant with the probes, run to the end with every event recorded. */
static int lab_grader_run(const struct lab *l, struct lab_variant *v, struct scenario *sc,
                          struct trace *t, char *err, size_t errlen)
{
    char *probes = NULL, *text = NULL;
    size_t plen = 0;
    if (l->probes && param_expand(l->file, l->probe_line, 1, l->probes, l->probes_len,
                                &v->params, &probes, &plen, err, errlen))
        return -1;
    text = malloc(v->len + plen + 2);
    if (!text) {
        free(probes);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(text, v->text, v->len);
    text[v->len] = '\n';
    if (probes)
        memcpy(text + v->len + 1, probes, plen);
    text[v->len + 1 + plen] = 0;
    char name[160];
    snprintf(name, sizeof name, "%s+probes", v->file);
    int rc = scenario_parse(name, text, v->len + 1 + plen, sc, err, errlen);
    free(text);
    free(probes);
    if (rc)
        return -1;
    struct sim *s = sim_new(sc->seed);
    if (!s || sim_load(s, sc, err, errlen)) {
        if (!s)
            snprintf(err, errlen, "out of memory");
        sim_free(s);
        scenario_free(sc);
        return -1;
    }
    trace_init(t);
    sim_set_trace(s, trace_record, t);
    sim_run(s, LAB_GRADE_LIMIT_NS, NULL);
    sim_free(s);
    if (t->oom) {
        snprintf(err, errlen, "out of memory recording the grader's run");
        trace_free(t);
        scenario_free(sc);
        return -1;
    }
    return 0;
}

static int lab_ports_set(const char *s, uint64_t *bits);
static int lab_addr_set(const char *s, uint32_t *out, int cap);

/* A set answer in the key ascending (`lab key`, a FAIL that shows the key): ports as
 * lab_ports_text writes them, addresses by value; "none" and anything that is not a set
 * (a session question's word) stay as they are. check compares sets in any order. */
static int lab_key_sorted(const struct lab_question *q, char **key, char *err, size_t errlen)
{
    char *out = NULL;
    bool ports = q->kind == LAB_Q_PORTS ||
                 (q->kind == LAB_Q_SESSION && strspn(*key, "0123456789,- ") == strlen(*key));
    if (ports) {
        static uint64_t bits[1024];
        if (lab_ports_set(*key, bits))
            return 0;
        out = lab_ports_text(bits);
    } else if (q->kind == LAB_Q_ADDRS) {
        static uint32_t a[256];
        int n = lab_addr_set(*key, a, 256);
        if (n <= 0)
            return 0;
        size_t cap = (size_t)n * 16 + 1, len = 0;
        if ((out = malloc(cap)))
            for (int i = 0; i < n; i++) {
                char ip[16];
                len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "",
                                        wire_ip_str(a[i], ip));
            }
    } else {
        return 0;
    }
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(*key);
    *key = out;
    return 0;
}

void lab_key_free(char **key, size_t n)
{
    if (!key)
        return;
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    free(key);
}

int lab_key(const struct lab *l, const struct lab_who *who, char ***keyp, char *err,
            size_t errlen)
{
    struct lab_variant v;
    if (lab_variant_make(l, who, &v, err, errlen))
        return -1;
    char **key = calloc(l->nq, sizeof *key);
    bool events = false, ran = false;
    struct scenario sc;
    struct trace t;
    int rc = key ? 0 : -1;
    for (size_t i = 0; i < l->nq && !rc; i++)
        events |= lab_is_event(l->q[i].answer);
    if (!rc && events) {
        rc = lab_grader_run(l, &v, &sc, &t, err, errlen);
        ran = !rc;
    }
    for (size_t i = 0; i < l->nq && !rc; i++) {
        const struct lab_question *q = &l->q[i];
        char *a;
        size_t alen;
        rc = param_expand(l->file, q->answer_line, q->answer_col, q->answer, strlen(q->answer),
                        &v.params, &a, &alen, err, errlen);
        if (rc)
            break;
        if (lab_is_event(a)) {
            rc = lab_event_value(l->file, q->answer_line, a, &sc, &t, &key[i], err, errlen);
            free(a);
        } else if (lab_is_up(a)) {
            rc = lab_up_answer(l->file, q->answer_line, a, &v, &key[i], err, errlen);
            free(a);
        } else {
            key[i] = a;
        }
        if (!rc && key[i])
            rc = lab_key_sorted(q, &key[i], err, errlen);
    }
    if (ran) {
        trace_free(&t);
        scenario_free(&sc);
    }
    lab_variant_free(&v);
    if (rc) {
        lab_key_free(key, l->nq);
        return -1;
    }
    *keyp = key;
    return 0;
}

/* ---------------------------------------------------------------- answer files */

static char *lab_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

void lab_answers_free(struct lab_answers *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->val[i]);
    free(a->val);
    free(a->id);
    memset(a, 0, sizeof *a);
}

static int lab_answers_add(struct lab_answers *a, const char *id, const char *val)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->id[i], id)) {   /* the last line for an id wins */
            char *v = strdup(val);
            if (!v)
                return -1;
            free(a->val[i]);
            a->val[i] = v;
            return 0;
        }
    void *p = realloc(a->id, (a->n + 1) * sizeof *a->id);
    if (!p)
        return -1;
    a->id = p;
    p = realloc(a->val, (a->n + 1) * sizeof *a->val);
    if (!p)
        return -1;
    a->val = p;
    if (!(a->val[a->n] = strdup(val)))
        return -1;
    snprintf(a->id[a->n], LAB_NAME_MAX, "%s", id);
    a->n++;
    return 0;
}

int lab_answers_read(const char *path, struct lab_answers *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int ln = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        char *s = lab_trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: error: expected 'ID = ANSWER', found '%.40s'", path,
                     ln, s);
            rc = -1;
            break;
        }
        *eq = 0;
        char *id = lab_trim(s), *val = lab_trim(eq + 1);
        if (!strcmp(id, "lab"))
            snprintf(a->lab, sizeof a->lab, "%s", val);
        else if (!strcmp(id, "student"))
            snprintf(a->student, sizeof a->student, "%s", val);
        else if (strlen(id) >= LAB_NAME_MAX || lab_answers_add(a, id, val)) {
            snprintf(err, errlen, "%s:%d: error: expected a question id, found '%.40s'", path,
                     ln, id);
            rc = -1;
        }
    }
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        rc = -1;
    }
    fclose(f);
    if (rc)
        lab_answers_free(a);
    return rc;
}

const char *lab_answers_get(const struct lab_answers *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->id[i], id))
            return a->val[i];
    return NULL;
}

/* ---------------------------------------------------------------- comparison */

/* A set of ports ("22, 80,8000-8010", "none") into a 65536-bit map. -1 when malformed. */
static int lab_ports_set(const char *s, uint64_t *bits)
{
    memset(bits, 0, 1024 * sizeof *bits);
    while (isspace((unsigned char)*s))
        s++;
    if (!strcasecmp(s, "none") || !strcmp(s, "-"))
        return 0;
    int n = 0;
    while (*s) {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        char *end;
        long lo = strtol(s, &end, 10), hi = lo;
        if (end == s || lo < 0 || lo > 65535)
            return -1;
        s = end;
        if (*s == '-') {
            hi = strtol(s + 1, &end, 10);
            if (end == s + 1 || hi < lo || hi > 65535)
                return -1;
            s = end;
        }
        if (*s && *s != ',' && !isspace((unsigned char)*s))
            return -1;
        for (long p = lo; p <= hi; p++)
            bits[p >> 6] |= 1ULL << (p & 63);
        n++;
    }
    return n ? 0 : -1;
}

/* A set of addresses into a sorted array (up to cap). Returns how many, -1 when malformed. */
static int lab_addr_set(const char *s, uint32_t *out, int cap)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", s);
    char *t = lab_trim(buf);
    if (!strcasecmp(t, "none") || !strcmp(t, "-"))
        return 0;
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(t, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
        uint32_t a;
        if (wire_ip_parse(w, &a) || n == cap)
            return -1;
        int i = n++;
        while (i > 0 && out[i - 1] > a) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = a;
    }
    int u = 0;   /* duplicates count once */
    for (int i = 0; i < n; i++)
        if (!u || out[u - 1] != out[i])
            out[u++] = out[i];
    return n ? u : -1;
}

static bool lab_int(const char *s, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 0);
    while (isspace((unsigned char)*end))
        end++;
    return end != s && !*end && !errno;
}

bool lab_answer_ok(const struct lab_question *q, const char *key, const char *given)
{
    char g[4096];
    snprintf(g, sizeof g, "%s", given ? given : "");
    char *gv = lab_trim(g);
    if (!*gv)
        return false;
    switch (q->kind) {
    case LAB_Q_PORTS: {
        static uint64_t a[1024], b[1024];
        return !lab_ports_set(key, a) && !lab_ports_set(gv, b) && !memcmp(a, b, sizeof a);
    }
    case LAB_Q_INT: {
        long long a, b;
        if (!lab_int(key, &a) || !lab_int(gv, &b))
            return false;
        unsigned long long d = a > b ? (unsigned long long)(a - b) : (unsigned long long)(b - a);
        return d <= q->tolerance;
    }
    case LAB_Q_ADDR: {
        uint32_t a, b;
        return !wire_ip_parse(key, &a) && !wire_ip_parse(gv, &b) && a == b;
    }
    case LAB_Q_ADDRS: {
        uint32_t a[256], b[256];
        int na = lab_addr_set(key, a, 256), nb = lab_addr_set(gv, b, 256);
        return na >= 0 && na == nb && !memcmp(a, b, (size_t)na * sizeof *a);
    }
    case LAB_Q_WORD:
        return !strcasecmp(key, gv);
    case LAB_Q_SESSION: {   /* given: what the replay showed (cmd/lab_replay.c) */
        if (!strcasecmp(key, gv))
            return true;
        static uint64_t a[1024], b[1024];   /* a set of ports, in any order */
        return strspn(key, "0123456789,- ") == strlen(key) && !lab_ports_set(key, a) &&
               !lab_ports_set(gv, b) && !memcmp(a, b, sizeof a);
    }
    }
    return false;
}

/* ---------------------------------------------------------------- the template */

static const char *lab_kind_help(enum lab_qkind k)
{
    switch (k) {
    case LAB_Q_PORTS: return "ports in any order, ranges allowed, e.g. 22,80,443 or 20-25 (or none)";
    case LAB_Q_INT:   return "a number";
    case LAB_Q_ADDR:  return "an IPv4 address";
    case LAB_Q_ADDRS: return "IPv4 addresses in any order, comma-separated (or none)";
    case LAB_Q_WORD:  return "one word";
    case LAB_Q_SESSION: return "the file tcplab attach --record wrote, beside this one";
    }
    return "";
}

/* Text wrapped at 78 columns behind "# N. ", continued behind "#   ". */
static void lab_comment(FILE *f, const char *first, const char *text)
{
    const char *p = text;
    int col = fprintf(f, "# %s", first);
    bool line_start = true;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " \n");
        if (!w && !*p)
            break;
        if (!line_start && col + (int)w + 1 > 78) {
            col = fprintf(f, "\n#  ");
            line_start = true;
        }
        col += fprintf(f, " %.*s", (int)w, p);
        line_start = false;
        p += w;
        if (*p == '\n') {
            col = fprintf(f, "\n#  ");
            line_start = true;
            p++;
        }
    }
    fprintf(f, "\n");
}

int lab_template_write(const struct lab *l, const char *student, bool ticket, FILE *f)
{
    fprintf(f, "# tcplab lab %s: %s\n", l->name, l->title);
    fprintf(f, "# Your answers, one `ID = ANSWER` a line (lines starting with # are comments).\n"
               "# Check them with: tcplab lab check %s answers.txt%s\n", l->name,
            ticket ? " --ticket ticket" : "");
    /* With a course key, --student alone names another (keyless) variant: say so where
     * the student looks, since the worksheet's commands are written with --student. */
    if (ticket)
        fprintf(f, "# Your variant is in ./ticket: run, scan and check with --ticket ticket\n"
                   "# where the worksheet says --lab %s --student ID (that is another variant).\n",
                l->name);
    fprintf(f, "\n");
    fprintf(f, "lab = %s\nstudent = %s\n", l->name, student);
    for (size_t i = 0; i < l->nq; i++) {
        char first[64];
        snprintf(first, sizeof first, "%zu.", i + 1);
        fprintf(f, "\n");
        lab_comment(f, first, l->q[i].prompt);
        fprintf(f, "#   (%s)\n%s =\n", lab_kind_help(l->q[i].kind), l->q[i].id);
    }
    return ferror(f) ? -1 : 0;
}
