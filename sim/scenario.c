/* scenario.c — the scenario language's parser: the driver, the helpers every statement
 * uses (tokens, names, addresses, shared port sets) and the scenario, seed and net
 * statements. The other statements have files of their own: host, hosts and service lines
 * in scenario_host.c; filter in scenario_filter.c; traffic, connect, send in
 * scenario_events.c.
 *
 * Grammar: tcplab-scenario(5) (docs/tcplab-scenario.5). Two passes: pass 1 collects every
 * `host NAME ADDR` so a name may be used on any line, before or after its definition;
 * pass 2 parses every statement in order and stops at the first error, reported as
 * "FILE:LINE:COL: error: expected X, found Y".
 */
#include "scenario_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/infile.h"
#include "lib/outfile.h"
#include "lib/param.h"
#include "lib/wire.h"

enum { SCN_FILE_MAX = 16 << 20 };

/* ---------------------------------------------------------------- shared helpers */

const struct scn_tok *scn_at(const struct scn_parser *p, size_t i)
{
    return i < p->ln.n ? &p->ln.tok[i] : NULL;
}

int scn_end(struct scn_parser *p, size_t i)
{
    const struct scn_tok *t = scn_at(p, i);
    return t ? scn_expected(&p->cx, &p->ln, t, "end of line") : 0;
}

int scn_vec_reserve(void **arr, size_t n, size_t elem)
{
    if (n & (n - 1))
        return 0; /* not a power of two: room left */
    size_t ncap = n ? n * 2 : 1;
    if (ncap > SIZE_MAX / elem)
        return -1;
    void *na = realloc(*arr, ncap * elem);
    if (!na)
        return -1;
    *arr = na;
    return 0;
}

/* ---------------------------------------------------------------- shared port sets */

static uint64_t scn_portset_hash(const struct scn_portset *set, bool *empty)
{
    /* Only the non-zero words (and where they are) go into the hash: a host's set has a
     * few, and a multiply chain over all 1024 words cost more than the rest of the load. */
    uint64_t h = 0x9E3779B97F4A7C15ull, any = 0;
    for (size_t b = 0; b < SCN_PORTSET_WORDS; b += 16) {
        uint64_t blk = 0;
        for (size_t i = b; i < b + 16; i++)
            blk |= set->bits[i];
        if (!blk)
            continue;
        any = 1;
        for (size_t i = b; i < b + 16; i++) {
            if (!set->bits[i])
                continue;
            h = (h ^ set->bits[i] ^ (uint64_t)i << 48) * 0xFF51AFD7ED558CCDull;
            h ^= h >> 29;
        }
    }
    *empty = any == 0;
    return h;
}

static int scn_sets_add(struct scenario *sc, struct scn_portset *set)
{
    if (scn_vec_reserve((void **)&sc->sets, sc->nsets, sizeof *sc->sets) < 0)
        return -1;
    sc->sets[sc->nsets++] = set;
    return 0;
}

static int scn_itab_grow(struct scn_parser *p)
{
    size_t nc = p->icap ? p->icap * 2 : 64;
    struct scn_portset **t = calloc(nc, sizeof *t);
    if (!t)
        return -1;
    for (size_t k = 0; k < p->icap; k++) {
        if (!p->itab[k])
            continue;
        bool e;
        size_t i = (size_t)scn_portset_hash(p->itab[k], &e) & (nc - 1);
        while (t[i])
            i = (i + 1) & (nc - 1);
        t[i] = p->itab[k];
    }
    free(p->itab);
    p->itab = t;
    p->icap = nc;
    return 0;
}

struct scn_portset *scn_portset_intern(struct scn_parser *p, struct scn_portset *set, bool *oom)
{
    bool empty;
    uint64_t h = scn_portset_hash(set, &empty);
    if (empty) {
        free(set);
        return NULL;
    }
    if ((p->iused + 1) * 2 > p->icap && scn_itab_grow(p) < 0) {
        free(set);
        *oom = true;
        return NULL;
    }
    size_t i = (size_t)h & (p->icap - 1);
    for (; p->itab[i]; i = (i + 1) & (p->icap - 1)) {
        if (!memcmp(p->itab[i]->bits, set->bits, sizeof set->bits)) {
            free(set);
            return p->itab[i];
        }
    }
    if (scn_sets_add(p->sc, set) < 0) {
        free(set);
        *oom = true;
        return NULL;
    }
    p->itab[i] = set;
    p->iused++;
    return set;
}

struct scn_portset *scenario_own_portset(struct scenario *sc)
{
    struct scn_portset *set = calloc(1, sizeof *set);
    if (set && scn_sets_add(sc, set) < 0) {
        free(set);
        return NULL;
    }
    return set;
}

static int scn_name_cmp(const void *a, const void *b)
{
    const struct scn_name *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c == 0)
        c = (x->len > y->len) - (x->len < y->len);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int scn_addr_cmp(const void *a, const void *b)
{
    const struct scn_name *x = a, *y = b;
    int c = (x->addr > y->addr) - (x->addr < y->addr);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The earliest host named t (sorted by name, then line), or NULL. */
const struct scn_name *scn_find_name(const struct scn_parser *p, const char *s, size_t len)
{
    size_t lo = 0, hi = p->nnames;
    struct scn_name key = { s, len, 0, 0 };
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (scn_name_cmp(&p->by_name[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < p->nnames && p->by_name[lo].len == len && memcmp(p->by_name[lo].name, s, len) == 0)
        return &p->by_name[lo];
    return NULL;
}

const struct scn_name *scn_find_addr(const struct scn_parser *p, uint32_t addr)
{
    size_t lo = 0, hi = p->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->by_addr[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nnames && p->by_addr[lo].addr == addr ? &p->by_addr[lo] : NULL;
}

int scn_resolve(struct scn_parser *p, const struct scn_tok *t, uint32_t *addr)
{
    if (t && !t->quoted && scn_parse_ipv4(t->s, t->len, addr))
        return 0;
    if (t && !t->quoted && scn_valid_name(t->s, t->len)) {
        const struct scn_name *n = scn_find_name(p, t->s, t->len);
        if (n) {
            *addr = n->addr;
            return 0;
        }
        return scn_expected_note(&p->cx, &p->ln, t, "an IPv4 address or host name",
                                 "(no host of that name is defined)");
    }
    return scn_expected(&p->cx, &p->ln, t, "an IPv4 address or host name");
}

int scn_endpoint(struct scn_parser *p, const struct scn_tok *t, int port_rule, uint32_t *addr,
                 bool *has_port, uint16_t *port)
{
    if (!t)
        return scn_expected(&p->cx, &p->ln, t, "an address or host name");
    size_t colon = scn_tok_find(t, ':');
    struct scn_tok a = scn_tok_sub(t, 0, colon);
    if (scn_resolve(p, &a, addr) < 0)
        return -1;
    *has_port = colon < t->len;
    if (!*has_port) {
        if (port_rule == 2)
            return scn_expected(&p->cx, &p->ln, t, "ADDRESS:PORT");
        return 0;
    }
    struct scn_tok pt = scn_tok_sub(t, colon + 1, t->len - colon - 1);
    if (port_rule == 0) {
        struct scn_tok c = scn_tok_sub(t, colon, t->len - colon);
        return scn_expected(&p->cx, &p->ln, &c, "an address without a port");
    }
    /* Defined on every path: scn_get_uint writes it only on success, and a compiler that
     * sees the call but not that contract (gcc with -flto) cannot prove the read safe. */
    uint64_t v = 0;
    if (scn_get_uint(&p->cx, &p->ln, &pt, 0, 65535, "a port in 0-65535", &v) < 0)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/* Copies a valid name into dst[SCN_NAME_MAX] or reports why not. */
int scn_get_name(struct scn_parser *p, const struct scn_tok *t, const char *what, char *dst)
{
    if (!t || t->quoted || !scn_valid_name(t->s, t->len))
        return scn_expected(&p->cx, &p->ln, t, what);
    if (t->len >= SCN_NAME_MAX) {
        char w[96];
        snprintf(w, sizeof w, "a name of at most %d characters", SCN_NAME_MAX - 1);
        return scn_expected(&p->cx, &p->ln, t, w);
    }
    memcpy(dst, t->s, t->len);
    dst[t->len] = '\0';
    return 0;
}

/* ---------------------------------------------------------------- scenario, seed, net */

static int scn_stmt_scenario(struct scn_parser *p)
{
    const struct scn_tok *t = scn_at(p, 1);
    if (p->have_title)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 0), "one 'scenario' statement per file");
    if (!t || !t->quoted)
        return scn_expected(&p->cx, &p->ln, t, "a quoted title");
    size_t n;
    if (scn_unquote(t, (uint8_t *)p->sc->title, SCN_TITLE_MAX - 1, &n) < 0)
        return scn_expected(&p->cx, &p->ln, t, "a title of at most 127 bytes");
    p->sc->title[n] = '\0';
    p->have_title = true;
    return scn_end(p, 2);
}

static int scn_stmt_seed(struct scn_parser *p)
{
    if (p->have_seed)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 0), "one 'seed' statement per file");
    p->have_seed = true;
    if (scn_get_uint(&p->cx, &p->ln, scn_at(p, 1), 0, UINT64_MAX, "a seed (0 to 2^64-1)",
                     &p->sc->seed) < 0)
        return -1;
    return scn_end(p, 2);
}

/* "A/N" or "A" (= /32); A may be a host name. */
int scn_cidr(struct scn_parser *p, const struct scn_tok *t, uint32_t *addr, uint8_t *plen)
{
    if (!t)
        return scn_expected(&p->cx, &p->ln, t, "an address or prefix A.B.C.D/N");
    size_t slash = scn_tok_find(t, '/');
    struct scn_tok a = scn_tok_sub(t, 0, slash);
    uint64_t n = 32;
    if (scn_resolve(p, &a, addr) < 0)
        return -1;
    if (slash < t->len) {
        struct scn_tok nt = scn_tok_sub(t, slash + 1, t->len - slash - 1);
        if (scn_get_uint(&p->cx, &p->ln, &nt, 0, 32, "a prefix length 0-32", &n) < 0)
            return -1;
    }
    *plen = (uint8_t)n;
    return 0;
}

uint32_t scn_mask(uint8_t plen)
{
    return plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
}

static int scn_stmt_net(struct scn_parser *p)
{
    struct scn_net net = { .pos = { p->ln.lineno, scn_at(p, 0)->col } };
    if (scn_cidr(p, scn_at(p, 1), &net.prefix, &net.plen) < 0)
        return -1;
    net.prefix &= scn_mask(net.plen);
    bool has_delay = false, has_loss = false;
    size_t i = 2;
    for (const struct scn_tok *k; (k = scn_at(p, i)) != NULL; i += 2) {
        if (scn_tok_is(k, "delay") && !has_delay) {
            has_delay = true;
            if (scn_get_time(&p->cx, &p->ln, scn_at(p, i + 1), &net.delay_ns) < 0)
                return -1;
        } else if (scn_tok_is(k, "loss") && !has_loss) {
            has_loss = true;
            if (scn_get_percent_ppm(&p->cx, &p->ln, scn_at(p, i + 1), &net.loss_ppm) < 0)
                return -1;
        } else {
            return scn_expected(&p->cx, &p->ln, k, "'delay T' or 'loss P%' (each at most once)");
        }
    }
    struct scenario *sc = p->sc;
    if (scn_vec_reserve((void **)&sc->nets, sc->nnets, sizeof *sc->nets) < 0)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 0), "memory");
    sc->nets[sc->nnets++] = net;
    return 0;
}

/* ---------------------------------------------------------------- driver */

static const struct { const char *kw; int (*fn)(struct scn_parser *); } scn_stmts[] = {
    { "scenario", scn_stmt_scenario }, { "seed", scn_stmt_seed }, { "net", scn_stmt_net },
    { "host", scn_stmt_host },         { "hosts", scn_stmt_hosts },
    { "filter", scn_stmt_filter },
    { "traffic", scn_stmt_traffic },   { "connect", scn_stmt_connect }, { "send", scn_stmt_send },
};

static bool scn_is_rule_word(const struct scn_tok *t)
{
    return scn_tok_is(t, "accept") || scn_tok_is(t, "drop") || scn_tok_is(t, "reject") ||
           scn_tok_is(t, "policy");
}

static int scn_statement(struct scn_parser *p)
{
    const struct scn_tok *t = scn_at(p, 0);
    if (p->ln.indented && p->cur_filter >= 0)
        return scn_rule_line(p);
    p->cur_filter = -1;
    if (p->ln.indented && p->cur_host >= 0 && scn_tok_is(t, "service"))
        return scn_service_line(p);
    p->cur_host = -1;
    if (p->ln.indented && scn_tok_is(t, "service"))
        return scn_expected_note(&p->cx, &p->ln, t, "a statement",
                                 "(a service line must be indented under a host line)");
    if (scn_is_rule_word(t))
        return scn_expected_note(&p->cx, &p->ln, t, "a statement",
                                 "(a rule line must be indented under a filter)");
    for (size_t i = 0; i < sizeof scn_stmts / sizeof *scn_stmts; i++)
        if (scn_tok_is(t, scn_stmts[i].kw))
            return scn_stmts[i].fn(p);
    return scn_expected(&p->cx, &p->ln, t,
                        "a statement (scenario, seed, net, host, hosts, filter, traffic, connect, send)");
}

/* Calls fn for each line: [s, s+len) without its '\n'. Stops at a negative return. */
static int scn_each_line(struct scn_parser *p, const char *text, size_t len, bool report,
                         int (*fn)(struct scn_parser *))
{
    int lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        p->cx.lineno = ++lineno;
        if (scn_lex_line(report ? &p->cx : NULL, text + i, end - i, lineno, &p->ln) < 0) {
            if (report)
                return -1;
        } else if (p->ln.n > 0 && fn(p) < 0) {
            return -1;
        }
        i = end + 1;
        if (lineno == INT32_MAX)
            break;
    }
    return 0;
}

/* Pass 1: remember `host NAME ADDR` lines that are well formed so far. */
static int scn_collect_host(struct scn_parser *p)
{
    const struct scn_tok *k = scn_at(p, 0), *n = scn_at(p, 1), *a = scn_at(p, 2);
    struct scn_name e = { 0 };
    if (!scn_tok_is(k, "host") || !n || !a || n->quoted || a->quoted ||
        !scn_valid_name(n->s, n->len) || !scn_parse_ipv4(a->s, a->len, &e.addr))
        return 0;
    e.name = n->s;
    e.len = n->len;
    e.line = p->ln.lineno;
    if (scn_vec_reserve((void **)&p->by_name, p->nnames, sizeof *p->by_name) < 0)
        return -1;
    p->by_name[p->nnames++] = e;
    return 0;
}

static int scn_index_names(struct scn_parser *p)
{
    if (p->nnames == 0)
        return 0;
    p->by_addr = malloc(p->nnames * sizeof *p->by_addr);
    if (!p->by_addr)
        return -1;
    memcpy(p->by_addr, p->by_name, p->nnames * sizeof *p->by_addr);
    qsort(p->by_name, p->nnames, sizeof *p->by_name, scn_name_cmp);
    qsort(p->by_addr, p->nnames, sizeof *p->by_addr, scn_addr_cmp);
    return 0;
}

static int scenario_parse_text(const char *file, const char *text, size_t len,
                               struct scenario *out, char *err, size_t errlen);

/* A text with `${...}` parameters (lib/param.h) is expanded first, each at its default: a
 * lab's template runs as a plain scenario. A lab's variant arrives expanded already. */
int scenario_parse(const char *file, const char *text, size_t len, struct scenario *out,
                   char *err, size_t errlen)
{
    if (!param_has(text, len))
        return scenario_parse_text(file, text, len, out, err, errlen);
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    memset(out, 0, sizeof *out);
    struct param_set ps;
    char *t;
    size_t tl;
    param_init_default(&ps);
    int rc = param_expand(file ? file : "", 1, 1, text, len, &ps, &t, &tl, err, errlen);
    param_free(&ps);
    if (rc)
        return -1;
    rc = scenario_parse_text(file, t, tl, out, err, errlen);
    free(t);
    return rc;
}

static int scenario_parse_text(const char *file, const char *text, size_t len,
                               struct scenario *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->seed = 1;
    snprintf(out->file, sizeof out->file, "%s", file ? file : "");
    struct scn_parser p = { .cx = { file ? file : "", err, errlen, 0 }, .sc = out, .cur_filter = -1,
                            .cur_host = -1 };
    if (err && errlen)
        err[0] = '\0';
    int rc = scn_each_line(&p, text, len, false, scn_collect_host);
    if (rc == 0)
        rc = scn_index_names(&p);
    if (rc < 0)
        scn_errorf(&p.cx, 1, "out of memory");
    else
        rc = scn_each_line(&p, text, len, true, scn_statement);
    scn_line_free(&p.ln);
    free(p.by_name);
    free(p.by_addr);
    free(p.itab);
    if (rc < 0)
        scenario_free(out);
    return rc;
}

int scenario_load_file(const char *path, struct scenario *out, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    memset(out, 0, sizeof *out);
    FILE *f = infile_open(path, err, errlen);   /* "-": stdin */
    if (!f)
        return -1;
    path = infile_name(f, path);
    char *buf = malloc(SCN_FILE_MAX + 1);
    errno = 0;
    size_t n = buf ? fread(buf, 1, SCN_FILE_MAX + 1, f) : 0;
    /* keep read(2)'s own errno (EISDIR for a directory says more than EIO) */
    int bad = !buf ? ENOMEM : ferror(f) ? (errno ? errno : EIO) : 0;
    infile_close(f);
    int rc = -1;
    if (bad)
        outfile_path_msg(err, errlen, path, strerror(bad));
    else if (n > SCN_FILE_MAX)
        snprintf(err, errlen, "%s: larger than 16 MiB", path);
    else
        rc = scenario_parse(path, buf, n, out, err, errlen);
    free(buf);
    return rc;
}

void scenario_free(struct scenario *sc)
{
    for (size_t i = 0; i < sc->nhosts; i++)
        free(sc->hosts[i].svc);
    for (size_t i = 0; i < sc->nhosts; i++) {
        if (sc->hosts[i].sets_shared)
            continue;
        free(sc->hosts[i].tcp);
        free(sc->hosts[i].udp);
    }
    for (size_t i = 0; i < sc->npops; i++) {
        if (sc->pops[i].tmpl.sets_shared)
            continue;
        free(sc->pops[i].tmpl.tcp);
        free(sc->pops[i].tmpl.udp);
    }
    free(sc->pops);
    for (size_t i = 0; i < sc->nsets; i++)
        free(sc->sets[i]);
    free(sc->sets);
    for (size_t i = 0; i < sc->nfilters; i++)
        free(sc->filters[i].rules);
    free(sc->nets);
    free(sc->hosts);
    free(sc->filters);
    free(sc->traffic);
    free(sc->connects);
    free(sc->sends);
    memset(sc, 0, sizeof *sc);
}

const struct scn_host *scenario_host(const struct scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->nhosts; i++)
        if (strcmp(sc->hosts[i].name, name) == 0)
            return &sc->hosts[i];
    return NULL;
}
