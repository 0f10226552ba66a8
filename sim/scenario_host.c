/* scenario_host.c — the scenario language's `host` and `hosts` statements and the indented
 * `service` lines under a host: the host keys, read in any order and applied over the
 * host's `os` preset (tcplab-scenario(5) HOSTS, OS PRESETS).
 *
 * Why a file of its own: the keys are the biggest part of the grammar and the one that
 * changes with every new stack behaviour; scenario.c keeps the driver and the small
 * statements. Host keys may come in any order: the `os` preset is applied first and the
 * line's other keys override it, `options` (the SYN and SYN-ACK option layout,
 * scn_host_options) as much as `ttl`: `os linux options mss` is a Linux that sends and
 * answers MSS only. `challenge-ack` (RFC 5961, numbers from docs/facts/stacks.md section 4):
 *   off          CHACK_OFF: RFC 793 behaviour (Linux before 3.6)
 *   on           the preset's mode when it has one, else CHACK_RANDOM 1000/s (Linux 4.7+)
 *   N/s          CHACK_FIXED: count up to N per aligned 1-s slot (Linux 3.6-4.6, N = 100)
 *   N/s random   CHACK_RANDOM: N/2 + U[0, N-1] per slot, counted down (Linux 4.7+, N = 1000)
 *   linux-3.6, -4.0, -4.7, -6.0   a kernel era's whole behaviour: budget, per-socket
 *                limit, ACK checks (enum chack_era, sim/os.h; docs/facts/offpath.md s5)
 */
#include "scenario_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/param.h"
#include "lib/wire.h"

enum scn_hkey {
    HK_OS, HK_ISN, HK_IPID, HK_TTL, HK_WINDOW, HK_MSS, HK_TCP, HK_UDP, HK_DOWN, HK_ROLE,
    HK_RST_RATE, HK_ICMP_RATE, HK_CHACK, HK_BACKLOG, HK_OPTIONS, HK_SYNCOOKIES, HK_SERVICE,
    HK_COUNT,
};

static const char *const scn_hkey_names[HK_COUNT] = {
    "os", "isn", "ipid", "ttl", "window", "mss", "tcp", "udp", "down", "role",
    "rst-rate", "icmp-rate", "challenge-ack", "backlog", "options", "syncookies", "service",
};

/* What one host line says, before it is applied over the preset. */
struct scn_hostkeys {
    bool seen[HK_COUNT];
    const struct personality *preset;
    struct gen_isn_cfg isn;
    struct gen_ipid_cfg ipid;
    uint64_t ttl, window, mss, backlog;
    uint32_t rst_rate, icmp_rate;
    int chack;               /* -1 = "on" (preset's or random 1000), else enum chack_mode */
    uint32_t chack_limit;
    enum chack_era chack_era;  /* a kernel era named (linux-3.6 ...), else CHACK_ERA_NONE */
    uint8_t opts[OS_OPT_LAYOUT_MAX], nopts; /* options LIST, TCPOPT_* kinds in order */
    bool syncookies;
};

static int scn_port_set_add(void *arg, struct scn_ctx *cx, const struct scn_line *ln,
                            const struct scn_tok *item, uint16_t lo, uint16_t hi)
{
    (void)cx, (void)ln, (void)item;
    for (uint32_t port = lo; port <= hi; port++)
        scn_port_add(arg, (uint16_t)port);
    return 0;
}

static int scn_os_value(struct scn_parser *p, const struct scn_tok *t, struct scn_hostkeys *k)
{
    char name[16];
    if (t && !t->quoted && t->len < sizeof name) {
        memcpy(name, t->s, t->len);
        name[t->len] = '\0';
        if ((k->preset = os_preset(name)) != NULL)
            return 0;
    }
    char what[160] = "an os preset (";
    for (const char *const *n = os_preset_names(); *n; n++) {
        strcat(what, *n);
        strcat(what, n[1] ? ", " : ")");
    }
    return scn_expected(&p->cx, &p->ln, t, what);
}

/* isn/ipid values go through gen_*_parse, which wants a C string. */
static int scn_gen_value(struct scn_parser *p, const struct scn_tok *t, bool isn, struct scn_hostkeys *k)
{
    char buf[48];
    if (t && !t->quoted && t->len < sizeof buf) {
        memcpy(buf, t->s, t->len);
        buf[t->len] = '\0';
        if (strlen(buf) == t->len &&
            (isn ? gen_isn_parse(buf, &k->isn) : gen_ipid_parse(buf, &k->ipid)) == 0)
            return 0;
    }
    return scn_expected(&p->cx, &p->ln, t, isn
        ? "an ISN generator (constant[:N], bsd64k, clock250k, random-inc[:MAX], rfc6528, random)"
        : "an IP-ID generator (global[:STEP], global-swapped, per-dest, hashed[:BUCKETS], hashed-2014[:BUCKETS], zero, random)");
}

/* `tcp PORTS from ADDR`: the trust entries the ports make (after scn_port_set_add). */
struct scn_trust_add {
    struct scn_host *h;
    uint32_t addr;
};

static int scn_trust_set_add(void *arg, struct scn_ctx *cx, const struct scn_line *ln,
                             const struct scn_tok *item, uint16_t lo, uint16_t hi)
{
    struct scn_trust_add *ta = arg;
    for (uint32_t port = lo; port <= hi; port++) {
        if (ta->h->ntrust == SCN_TRUST_MAX)
            return scn_expected(cx, ln, item, "at most 8 ports with 'from' on a host");
        ta->h->trust[ta->h->ntrust++] = (struct scn_trust){ (uint16_t)port, ta->addr };
    }
    return 0;
}

/* tcp PORTS [from ADDR|HOST]: open ports; with `from`, listeners that serve that address
 * only (HOST: a host of the scenario, by name). Returns tokens consumed with the key. */
static int scn_tcp_value(struct scn_parser *p, size_t i, struct scn_host *h)
{
    const struct scn_tok *v = scn_at(p, i);
    if (scn_get_ports(&p->cx, &p->ln, v, scn_port_set_add, h->tcp) < 0)
        return -1;
    if (!scn_tok_is(scn_at(p, i + 1), "from"))
        return 2;
    const struct scn_tok *a = scn_at(p, i + 2);
    struct scn_trust_add ta = { h, 0 };
    const struct scn_name *n = a && !a->quoted ? scn_find_name(p, a->s, a->len) : NULL;
    if (n && n->line != p->ln.lineno)
        ta.addr = n->addr;
    else if (!a || a->quoted || !scn_parse_ipv4(a->s, a->len, &ta.addr))
        return scn_expected(&p->cx, &p->ln, a, "an IPv4 address or a host's name");
    if (scn_get_ports(&p->cx, &p->ln, v, scn_trust_set_add, &ta) < 0)
        return -1;
    return 4;
}

/* challenge-ack on | off | N/s [random] | linux-3.6 | linux-4.0 | linux-4.7 | linux-6.0. Returns tokens
 * consumed after the key, or -1. */
static int scn_chack_value(struct scn_parser *p, size_t i, struct scn_hostkeys *k)
{
    const struct scn_tok *t = scn_at(p, i);
    if (scn_tok_is(t, "on") || scn_tok_is(t, "off")) {
        k->chack = scn_tok_is(t, "on") ? -1 : CHACK_OFF;
        return 1;
    }
    if (t) {
        enum chack_mode mode;
        k->chack_era = os_chack_era_parse(t->s, t->len, &mode, &k->chack_limit);
        if (k->chack_era != CHACK_ERA_NONE) {
            k->chack = (int)mode;
            return 1;
        }
    }
    if (!t || scn_tok_find(t, '/') == t->len)
        return scn_expected(&p->cx, &p->ln, t,
                            "on, off, N/s, N/s random, linux-3.6, linux-4.0, linux-4.7 or linux-6.0");
    if (scn_get_rate(&p->cx, &p->ln, t, &k->chack_limit) < 0)
        return -1;
    /* tcp_challenge_ack_limit is an int sysctl; the random quota N/2 + U[0, N-1] must also
     * stay below 2^32. */
    if (k->chack_limit > INT32_MAX)
        return scn_expected(&p->cx, &p->ln, t, "a rate of at most 2147483647/s");
    bool rnd = scn_tok_is(scn_at(p, i + 1), "random");
    k->chack = rnd ? CHACK_RANDOM : CHACK_FIXED;
    return rnd ? 2 : 1;
}

/* service PORT KIND [TEXT]: a service application on TCP port PORT (which it opens).
 * banner and http take a quoted TEXT: a banner's exact bytes (escapes \r \n \xHH), an HTTP
 * server's Server header value.
 * Returns the tokens consumed after the key, plus one, or -1. */
static int scn_service_value(struct scn_parser *p, size_t i, struct scn_host *h)
{
    static const char *const kinds[] = { "banner", "http", "echo", "discard", "sink" };
    const struct scn_tok *pt = scn_at(p, i), *kt = scn_at(p, i + 1), *tt = scn_at(p, i + 2);
    struct scn_ctx *cx = &p->cx;
    uint64_t port;
    if (scn_get_uint(cx, &p->ln, pt, 1, 65535, "a TCP port 1-65535", &port) < 0)
        return -1;
    int kind = -1;
    for (int j = 0; j < (int)(sizeof kinds / sizeof kinds[0]); j++)
        if (scn_tok_is(kt, kinds[j]))
            kind = j;
    if (kind < 0)
        return scn_expected(cx, &p->ln, kt, "a service kind (banner, http, echo, discard, sink)");
    for (uint32_t j = 0; j < h->nsvc; j++)
        if (h->svc[j].port == port)
            return scn_expected_note(cx, &p->ln, pt, "a port with no service yet", "(a second service)");
    struct scn_service sv = { .port = (uint16_t)port, .kind = (uint8_t)kind };
    bool text = kind == SCN_SVC_BANNER || kind == SCN_SVC_HTTP;
    if (text) {
        size_t n = 0;
        if (!tt || !tt->quoted)
            return scn_expected(cx, &p->ln, tt, kind == SCN_SVC_HTTP
                                ? "a quoted Server header value" : "a quoted banner");
        if (scn_unquote(tt, sv.text, sizeof sv.text, &n) < 0 || n == 0)
            return scn_expected(cx, &p->ln, tt, "a string of 1-512 bytes");
        if (kind == SCN_SVC_HTTP && (memchr(sv.text, '\r', n) || memchr(sv.text, '\n', n)))
            return scn_expected(cx, &p->ln, tt, "a Server value without line breaks");
        sv.len = (uint16_t)n;
    }
    struct scn_service *nv = realloc(h->svc, (h->nsvc + 1) * sizeof *nv);
    if (!nv)
        return scn_expected(cx, &p->ln, pt, "memory");
    h->svc = nv;
    h->svc[h->nsvc++] = sv;
    scn_port_add(h->tcp, (uint16_t)port);
    return text ? 4 : 3;
}

/* One key and its value(s) at token i; returns the tokens consumed, or -1. */
static int scn_host_key(struct scn_parser *p, size_t i, struct scn_host *h, struct scn_hostkeys *k)
{
    const struct scn_tok *key = scn_at(p, i), *v = scn_at(p, i + 1);
    struct scn_ctx *cx = &p->cx;
    int hk = HK_COUNT;
    for (int j = 0; j < HK_COUNT; j++)
        if (scn_tok_is(key, scn_hkey_names[j]))
            hk = j;
    if (hk == HK_COUNT)
        return scn_expected(cx, &p->ln, key, "a host key (os, isn, ipid, ttl, window, mss, tcp, udp, "
                            "down, role, rst-rate, icmp-rate, challenge-ack, backlog, options, "
                            "syncookies, service)");
    if (k->seen[hk] && hk != HK_TCP && hk != HK_UDP && hk != HK_SERVICE)
        return scn_expected_note(cx, &p->ln, key, "each host key at most once", "(a second time)");
    k->seen[hk] = true;
    switch ((enum scn_hkey)hk) {
    case HK_OS:      return scn_os_value(p, v, k) < 0 ? -1 : 2;
    case HK_ISN:     return scn_gen_value(p, v, true, k) < 0 ? -1 : 2;
    case HK_IPID:    return scn_gen_value(p, v, false, k) < 0 ? -1 : 2;
    case HK_TTL:     return scn_get_uint(cx, &p->ln, v, 1, 255, "a TTL 1-255", &k->ttl) < 0 ? -1 : 2;
    case HK_WINDOW:  return scn_get_uint(cx, &p->ln, v, 0, 65535, "a window 0-65535", &k->window) < 0 ? -1 : 2;
    /* 88 is Linux's TCP_MIN_MSS; 1460 fills the simulated links' 1500-byte MTU (40 bytes of
     * headers). A larger MSS would make segments no link carries, a smaller one is below
     * what TCP will clamp a peer to (TCP_MIN_SND_MSS 48) and the data buffer it sends from. */
    case HK_MSS:     return scn_get_uint(cx, &p->ln, v, 88, 1460, "an MSS 88-1460", &k->mss) < 0 ? -1 : 2;
    case HK_BACKLOG: return scn_get_uint(cx, &p->ln, v, 1, 1000000, "a backlog 1-1000000", &k->backlog) < 0 ? -1 : 2;
    case HK_TCP:     return scn_tcp_value(p, i + 1, h);
    case HK_SYNCOOKIES:
        if (!scn_tok_is(v, "on") && !scn_tok_is(v, "off"))
            return scn_expected(cx, &p->ln, v, "on or off");
        k->syncookies = scn_tok_is(v, "on");
        return 2;
    case HK_UDP:     return scn_get_ports(cx, &p->ln, v, scn_port_set_add, h->udp) < 0 ? -1 : 2;
    case HK_DOWN:    h->down = true; return 1;
    case HK_ROLE:
        if (!scn_tok_is(v, "scanner"))
            return scn_expected(cx, &p->ln, v, "'scanner' (the only role)");
        if (p->have_scanner)
            return scn_expected(cx, &p->ln, key, "at most one host with 'role scanner'");
        p->have_scanner = h->scanner = true;
        return 2;
    case HK_OPTIONS:   return scn_get_tcp_options(p, v, true, k->opts, &k->nopts) < 0 ? -1 : 2;
    case HK_RST_RATE:  return scn_get_rate(cx, &p->ln, v, &k->rst_rate) < 0 ? -1 : 2;
    case HK_ICMP_RATE: return scn_get_rate(cx, &p->ln, v, &k->icmp_rate) < 0 ? -1 : 2;
    case HK_CHACK: {
        int n = scn_chack_value(p, i + 1, k);
        return n < 0 ? -1 : n + 1;
    }
    case HK_SERVICE: return scn_service_value(p, i + 1, h);
    case HK_COUNT: break;
    }
    return -1;
}

/* options LIST: the exact layout of this host's SYNs and SYN-ACKs (tcp_out.c
 * tcp_opts_custom: a SYN-ACK keeps only what the SYN offered, with the NOPs that pad it),
 * and the options it supports: sack, ts and wscale listed = on (negotiated and echoed when
 * the peer offers them), absent = off (never sent, never negotiated), as a stack with
 * net.ipv4.tcp_sack/tcp_timestamps/tcp_window_scaling = 0. The preset's other numbers stay:
 * `os printer options mss,nop,wscale` scales by the printer's shift, 0. */
static void scn_host_options(struct personality *ps, const struct scn_hostkeys *k)
{
    memcpy(ps->opt_layout, k->opts, k->nopts);
    ps->opt_layout_n = k->nopts;
    ps->opt_sack = memchr(k->opts, TCPOPT_SACK_PERM, k->nopts) != NULL;
    ps->opt_ts = memchr(k->opts, TCPOPT_TS, k->nopts) != NULL;
    ps->opt_wscale = memchr(k->opts, TCPOPT_WSCALE, k->nopts) != NULL;
}

/* The preset first, then every other key of the line, whatever the order it was written in. */
static void scn_host_apply(struct scn_host *h, const struct scn_hostkeys *k)
{
    struct personality *ps = &h->pers;
    *ps = k->preset ? *k->preset : *os_default();
    /* No `os`: a plain stack, every datagram numbered by its `ipid` generator. Linux's own
     * IP-ID rules (ID 0 on the control socket's RSTs and on SYN-ACKs, a connected socket's
     * own counter) belong to `os linux`, and to presets that name them. */
    if (!k->preset) {
        snprintf(ps->os, sizeof ps->os, "custom");
        ps->rst_df_zero_id = ps->synack_df_zero_id = false;
    }
    if (k->seen[HK_ISN])       ps->isn = k->isn;
    if (k->seen[HK_IPID])      ps->ipid = k->ipid;
    if (k->seen[HK_TTL])       ps->ttl = (uint8_t)k->ttl;
    if (k->seen[HK_WINDOW])    ps->window = (uint16_t)k->window;
    if (k->seen[HK_MSS])       ps->mss = (uint16_t)k->mss;
    if (k->seen[HK_BACKLOG])   ps->backlog = (int)k->backlog;
    if (k->seen[HK_RST_RATE])  ps->rst_rate = k->rst_rate;
    if (k->seen[HK_ICMP_RATE]) ps->icmp_rate = k->icmp_rate;
    if (k->seen[HK_OPTIONS])   scn_host_options(ps, k);
    if (k->seen[HK_SYNCOOKIES]) ps->syncookies = k->syncookies;
    if (k->seen[HK_CHACK]) {
        ps->chack_era = k->chack_era;
        if (k->chack >= 0) {
            ps->chack = (enum chack_mode)k->chack;
            if (k->chack != CHACK_OFF)
                ps->chack_limit = k->chack_limit;
        } else if (ps->chack == CHACK_OFF) {
            ps->chack = CHACK_RANDOM;  /* Linux 4.7+ default: randomised 1000/s */
            ps->chack_limit = 1000;
        }
    }
}

/* The end of a host or hosts line: its keys over the preset, then its port sets interned
 * (shared with every host that has the same ones). An error names token `at`. */
static int scn_host_finish(struct scn_parser *p, struct scn_host *hp,
                           const struct scn_hostkeys *k, const struct scn_tok *at)
{
    scn_host_apply(hp, k);
    bool oom = false;
    hp->tcp = scn_portset_intern(p, hp->tcp, &oom);
    hp->udp = scn_portset_intern(p, hp->udp, &oom);
    hp->sets_shared = true;
    return oom ? scn_expected(&p->cx, &p->ln, at, "memory") : 0;
}

int scn_stmt_host(struct scn_parser *p)
{
    struct scenario *sc = p->sc;
    struct scn_host h = { .pos = { p->ln.lineno, scn_at(p, 0)->col } };
    const struct scn_tok *nt = scn_at(p, 1), *at = scn_at(p, 2);
    if (scn_get_name(p, nt, "a host name", h.name) < 0)
        return -1;
    if (!at || at->quoted || !scn_parse_ipv4(at->s, at->len, &h.addr))
        return scn_expected(&p->cx, &p->ln, at, "an IPv4 address");
    const struct scn_name *first = scn_find_name(p, nt->s, nt->len);
    char note[64];
    if (first && first->line != p->ln.lineno) {
        snprintf(note, sizeof note, "(already defined at line %d)", first->line);
        return scn_expected_note(&p->cx, &p->ln, nt, "a new host name", note);
    }
    first = scn_find_addr(p, h.addr);
    if (first && first->line != p->ln.lineno) {
        snprintf(note, sizeof note, "(already host %.*s's, line %d)", (int)(first->len > 31 ? 31 : first->len),
                 first->name, first->line);
        return scn_expected_note(&p->cx, &p->ln, at, "an address no other host has", note);
    }
    if (scn_vec_reserve((void **)&sc->hosts, sc->nhosts, sizeof *sc->hosts) < 0)
        return scn_expected(&p->cx, &p->ln, nt, "memory");
    h.tcp = calloc(1, sizeof *h.tcp);
    h.udp = calloc(1, sizeof *h.udp);
    sc->hosts[sc->nhosts++] = h; /* owned by sc from here: freed on any error below */
    struct scn_host *hp = &sc->hosts[sc->nhosts - 1];
    if (!hp->tcp || !hp->udp)
        return scn_expected(&p->cx, &p->ln, nt, "memory");
    struct scn_hostkeys k = { .chack = CHACK_OFF };
    for (size_t i = 3; i < p->ln.n;) {
        int n = scn_host_key(p, i, hp, &k);
        if (n < 0)
            return -1;
        i += (size_t)n;
    }
    p->cur_host = (long)(sc->nhosts - 1);
    return scn_host_finish(p, hp, &k, nt);
}

/* `hosts PREFIX/LEN [alive P%] KEYS...`: a population (struct scn_pop). */
int scn_stmt_hosts(struct scn_parser *p)
{
    struct scenario *sc = p->sc;
    struct scn_pop pop = { .alive_ppm = 1000000, .pos = { p->ln.lineno, scn_at(p, 0)->col } };
    if (scn_cidr(p, scn_at(p, 1), &pop.prefix, &pop.plen) < 0)
        return -1;
    pop.prefix &= scn_mask(pop.plen);
    size_t i = 2;
    if (scn_tok_is(scn_at(p, i), "alive")) {
        if (scn_get_percent_ppm(&p->cx, &p->ln, scn_at(p, i + 1), &pop.alive_ppm) < 0)
            return -1;
        i += 2;
    }
    if (scn_vec_reserve((void **)&sc->pops, sc->npops, sizeof *sc->pops) < 0)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 0), "memory");
    pop.tmpl.pos = pop.pos;
    pop.tmpl.tcp = calloc(1, sizeof *pop.tmpl.tcp);
    pop.tmpl.udp = calloc(1, sizeof *pop.tmpl.udp);
    sc->pops[sc->npops++] = pop;   /* owned by sc from here */
    struct scn_host *hp = &sc->pops[sc->npops - 1].tmpl;
    if (!hp->tcp || !hp->udp)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 0), "memory");
    struct scn_hostkeys k = { .chack = CHACK_OFF };
    while (i < p->ln.n) {
        const struct scn_tok *key = scn_at(p, i);
        if (scn_tok_is(key, "role"))
            return scn_expected_note(&p->cx, &p->ln, key, "a host key",
                                     "(a population cannot hold the scanner)");
        if (scn_tok_is(key, "service"))
            return scn_expected_note(&p->cx, &p->ln, key, "a host key",
                                     "(services run on `host` lines only)");
        int n = scn_host_key(p, i, hp, &k);
        if (n < 0)
            return -1;
        i += (size_t)n;
    }
    return scn_host_finish(p, hp, &k, scn_at(p, 0));
}

/* An indented `service PORT KIND [TEXT]` line under a host line: one more of its services.
 * The host's port set is shared (interned): the new port goes into a copy, interned again. */
int scn_service_line(struct scn_parser *p)
{
    struct scn_host *hp = &p->sc->hosts[p->cur_host];
    struct scn_portset *ns = calloc(1, sizeof *ns);
    if (!ns)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 0), "memory");
    if (hp->tcp)
        *ns = *hp->tcp;
    struct scn_portset *old = hp->tcp;
    hp->tcp = ns;
    int n = scn_service_value(p, 1, hp);
    if (n < 0 || scn_end(p, (size_t)n) < 0) {
        hp->tcp = old;
        free(ns);
        return -1;
    }
    bool oom = false;
    hp->tcp = scn_portset_intern(p, ns, &oom);
    return oom ? scn_expected(&p->cx, &p->ln, scn_at(p, 0), "memory") : 0;
}

