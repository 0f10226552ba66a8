/* whatif.c — a run with changes, and two runs compared (whatif.h).
 *
 * The changes are applied where each belongs: a parameter while the template is expanded
 * (lib/param.h param_set_value, so the variant's other draws stay as they were), a host key
 * on the expanded text (sim/scenario_edit.h), the seed at sim_new. The run itself is
 * `tcplab run`'s: load, attach the trace through the lab's view, run until --until or idle.
 */
#include "lab/whatif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/infile.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/scenario_edit.h"
#include "sim/sim.h"

/* Without --until: until nothing is left to do, at most this virtual time (cmd/run.c's). */
#define WHATIF_LIMIT_NS (3600ULL * 1000000000ULL)
enum { WHATIF_FILE_MAX = 16 << 20 };

/* Decimal or 0x hex, as every tcplab number (cmd/util.c). 0 or -1. */
static int whatif_seed_value(const char *s, uint64_t *v)
{
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *d = s + (hex ? 2 : 0);
    if (!*d || *d == '-' || *d == '+' || *d == ' ')
        return -1;
    char *end;
    errno = 0;
    *v = strtoull(d, &end, hex ? 16 : 10);
    return errno || *end ? -1 : 0;
}

/* "line N=TEXT": 1 when spec is one (c filled), 0 when not, -1 on a bad one. */
static int whatif_parse_line(const char *spec, struct whatif_change *c, char *err,
                             size_t errlen)
{
    if (strncmp(spec, "line ", 5))
        return 0;
    const char *d = spec + 5, *eq = strchr(d, '=');
    char *end;
    errno = 0;
    unsigned long n = *d >= '1' && *d <= '9' ? strtoul(d, &end, 10) : 0;
    if (!n || errno || !eq || end != eq || n > 1000000) {
        snprintf(err, errlen, "'%s': a line change is line N=TEXT (N from 1; an empty TEXT "
                 "removes the line)", spec);
        return -1;
    }
    if (strlen(eq + 1) >= sizeof c->value || strchr(eq + 1, '\n')) {
        snprintf(err, errlen, "'%s': the new line is too long or more than one line", spec);
        return -1;
    }
    c->line = (unsigned)n;
    snprintf(c->key, sizeof c->key, "line");
    snprintf(c->value, sizeof c->value, "%s", eq + 1);
    return 1;
}

int whatif_parse(const char *spec, struct whatif_change *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    int ln = whatif_parse_line(spec, c, err, errlen);
    if (ln)
        return ln < 0 ? -1 : 0;
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        snprintf(err, errlen, "'%s': a change is NAME=VALUE (a lab parameter), HOST.KEY=VALUE "
                 "(a host key) or seed=N", spec);
        return -1;
    }
    const char *dot = memchr(spec, '.', (size_t)(eq - spec));
    size_t hl = dot ? (size_t)(dot - spec) : 0;
    const char *k = dot ? dot + 1 : spec;
    size_t kl = (size_t)(eq - k);
    if (hl >= sizeof c->host || kl == 0 || kl >= sizeof c->key ||
        strlen(eq + 1) >= sizeof c->value || (dot && hl == 0)) {
        snprintf(err, errlen, "'%s': a name or value too long or empty", spec);
        return -1;
    }
    memcpy(c->host, spec, hl);
    memcpy(c->key, k, kl);
    snprintf(c->value, sizeof c->value, "%s", eq + 1);
    if (!c->host[0] && !strcmp(c->key, "seed")) {
        uint64_t v;
        if (whatif_seed_value(c->value, &v)) {
            snprintf(err, errlen, "seed=%s: a seed is a non-negative integer (decimal or 0x "
                     "hex)", c->value);
            return -1;
        }
    }
    return 0;
}

void whatif_format(const struct whatif_change *c, char *out, size_t cap)
{
    if (c->line)
        snprintf(out, cap, "line %u=%s", c->line, c->value);
    else
        snprintf(out, cap, "%s%s%s=%s", c->host, c->host[0] ? "." : "", c->key, c->value);
}

/* A parameter change (not a host key, the seed or a line)? */
static bool whatif_is_param(const struct whatif_change *c)
{
    return !c->host[0] && !c->line && strcmp(c->key, "seed");
}

/* ---------------------------------------------------------------- the text */

/* A scenario file's bytes (or the embedded default network's) and the name for messages. */
static int whatif_read(const char *path, char **text, size_t *len, char *name, size_t namecap,
                       char *err, size_t errlen)
{
    if (!strcmp(path, "default")) {
        snprintf(name, namecap, "default.scn");
        *text = malloc(scenario_default_len + 1);
        if (!*text)
            return 2;
        memcpy(*text, scenario_default_text, scenario_default_len);
        (*text)[scenario_default_len] = 0;
        *len = scenario_default_len;
        return 0;
    }
    FILE *f = infile_open(path, err, errlen);
    if (!f)
        return 1;
    snprintf(name, namecap, "%s", infile_name(f, path));
    char *b = malloc(WHATIF_FILE_MAX + 1);
    errno = 0;
    size_t n = b ? fread(b, 1, WHATIF_FILE_MAX + 1, f) : 0;
    int bad = !b ? ENOMEM : ferror(f) ? (errno ? errno : EIO) : 0;
    infile_close(f);
    if (bad || n > WHATIF_FILE_MAX) {
        snprintf(err, errlen, "%s: %s", name, bad ? strerror(bad) : "larger than 16 MiB");
        free(b);
        return bad == ENOMEM ? 2 : 1;
    }
    b[n] = 0;
    *text = b;
    *len = n;
    return 0;
}

/* A scenario file's parameters with the changes among ch that name one. 0 or 1. */
static int whatif_expand_file(const char *name, char **text, size_t *len,
                              const struct whatif_change *ch, size_t n, char *err, size_t errlen)
{
    struct param_set ps;
    param_init_default(&ps);
    size_t nparam = 0;
    for (size_t i = 0; i < n; i++) {
        if (!whatif_is_param(&ch[i]))
            continue;
        nparam++;
        if (param_set_value(&ps, ch[i].key, ch[i].value, err, errlen))
            return 1;
    }
    if (!nparam)
        return 0;   /* parameters at their defaults: scenario_parse expands them */
    char *out;
    size_t outlen;
    if (param_expand(name, 1, 1, *text, *len, &ps, &out, &outlen, err, errlen)) {
        param_free(&ps);
        return 1;
    }
    const char *unused = param_set_unused(&ps);
    if (unused) {
        int k = snprintf(err, errlen, "%s has no parameter '%s'", name, unused);
        for (size_t i = 0; i < ps.n && k > 0 && (size_t)k < errlen; i++)
            k += snprintf(err + k, errlen - (size_t)k, "%s %s", i ? "," : "; its parameters:",
                          ps.p[i].name);
        param_free(&ps);
        free(out);
        return 1;
    }
    param_free(&ps);
    free(*text);
    *text = out;
    *len = outlen;
    return 0;
}

/* The host-key changes, one after the other. 0 or 1. */
static int whatif_edit_hosts(const char *name, char **text, size_t *len,
                             const struct whatif_change *ch, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (!ch[i].host[0])
            continue;
        char *out;
        size_t outlen;
        if (scenario_edit_host_key(name, *text, *len, ch[i].host, ch[i].key, ch[i].value, &out,
                                   &outlen, err, errlen))
            return 1;
        free(*text);
        *text = out;
        *len = outlen;
    }
    return 0;
}

/* The line changes, one after the other, on the file as written. A removed line stays as an
 * empty one (the scenario language skips it): the later changes and the parser's FILE:LINE
 * messages keep the numbers the file has. 0, 1 or 2. */
static int whatif_edit_lines(const char *name, char **text, size_t *len,
                             const struct whatif_change *ch, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (!ch[i].line)
            continue;
        const char *t = *text, *at = t, *stop = t + *len;
        unsigned no = 1;
        while (no < ch[i].line && at < stop) {
            const char *nl = memchr(at, '\n', (size_t)(stop - at));
            at = nl ? nl + 1 : stop;
            no++;
        }
        if (no < ch[i].line || at == stop) {
            snprintf(err, errlen, "line %u: %s has only %u lines", ch[i].line, name,
                     no - (at == stop));
            return 1;
        }
        const char *nl = memchr(at, '\n', (size_t)(stop - at));
        const char *rest = nl ? nl : stop;
        size_t vl = strlen(ch[i].value), head = (size_t)(at - t), tail = (size_t)(stop - rest);
        char *out = malloc(head + vl + tail + 1);
        if (!out) {
            snprintf(err, errlen, "out of memory");
            return 2;
        }
        memcpy(out, t, head);
        memcpy(out + head, ch[i].value, vl);
        memcpy(out + head + vl, rest, tail);
        out[head + vl + tail] = 0;
        free(*text);
        *text = out;
        *len = head + vl + tail;
    }
    return 0;
}

/* The lab's variant text with the parameter changes. 0 or 1. */
static int whatif_lab_text(const struct whatif_src *src, const struct whatif_change *ch,
                           size_t n, char **text, size_t *len, char *name, size_t namecap,
                           struct lab_view *view, char *err, size_t errlen)
{
    char specs[WHATIF_MAX][PARAM_NAME_MAX + WHATIF_VALUE_MAX + 2];
    const char *set[WHATIF_MAX];
    size_t nset = 0;
    for (size_t i = 0; i < n && nset < WHATIF_MAX; i++) {
        if (ch[i].line) {
            snprintf(err, errlen, "line %u: a lab's variant is hidden text; change a "
                     "parameter or a host key instead", ch[i].line);
            return 1;
        }
        if (!whatif_is_param(&ch[i]))
            continue;
        snprintf(specs[nset], sizeof specs[nset], "%s=%s", ch[i].key, ch[i].value);
        set[nset] = specs[nset];
        nset++;
    }
    struct lab_sel sel = src->lab;
    sel.set = set;
    sel.nset = nset;
    struct lab_variant v;
    int rc = lab_open_text(&sel, &v, view, err, errlen);
    if (rc)
        return rc;
    snprintf(name, namecap, "%s", v.file);
    *text = v.text;
    *len = v.len;
    v.text = NULL;
    lab_variant_free(&v);
    return 0;
}

/* ---------------------------------------------------------------- the run */

struct whatif_tap {
    const struct lab_view *view;
    struct trace *tr;
};

static void whatif_event(void *ctx, const struct sim_event *ev)
{
    struct whatif_tap *t = ctx;
    if (lab_view_sees(t->view, ev))
        trace_record(t->tr, ev);
}

static int whatif_load(const struct whatif_src *src, const struct whatif_change *ch, size_t n,
                       struct whatif_run *r, char *err, size_t errlen)
{
    char *text = NULL, name[256];
    size_t len = 0;
    int rc = src->file ? whatif_read(src->file, &text, &len, name, sizeof name, err, errlen)
                       : whatif_lab_text(src, ch, n, &text, &len, name, sizeof name, &r->view,
                                         err, errlen);
    if (!rc && src->file)
        rc = whatif_edit_lines(name, &text, &len, ch, n, err, errlen);
    if (!rc && src->file)
        rc = whatif_expand_file(name, &text, &len, ch, n, err, errlen);
    if (!rc)
        rc = whatif_edit_hosts(name, &text, &len, ch, n, err, errlen);
    if (!rc && !(r->sc = calloc(1, sizeof *r->sc)))
        rc = 2;
    if (!rc && scenario_parse(name, text, len, r->sc, err, errlen))
        rc = 1;
    free(text);
    if (rc == 2)
        snprintf(err, errlen, "out of memory");
    if (rc || src->file)
        return rc;
    const struct scn_host *h = scenario_host(r->sc, r->view.host);
    if (!h) {
        snprintf(err, errlen, "%s: error: the student's host '%s' is not in the scenario", name,
                 r->view.host);
        return 1;
    }
    r->view.addr = h->addr;
    return 0;
}

int whatif_run(const struct whatif_src *src, const struct whatif_change *ch, size_t n,
               struct whatif_run *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    trace_init(&r->tr);
    int rc = whatif_load(src, ch, n, r, err, errlen);
    if (rc)
        return rc;
    r->seed = src->has_seed ? src->seed : r->sc->seed;
    for (size_t i = 0; i < n; i++)
        if (!ch[i].host[0] && !strcmp(ch[i].key, "seed"))
            whatif_seed_value(ch[i].value, &r->seed);   /* checked by whatif_parse */
    struct sim *s = sim_new(r->seed);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return 2;
    }
    if (sim_load(s, r->sc, err, errlen)) {
        sim_free(s);
        return 1;
    }
    struct whatif_tap tap = {&r->view, &r->tr};
    sim_set_trace(s, whatif_event, &tap);
    if (src->drive)
        rc = src->drive(src->drive_ctx, s, &r->view, r->seed, err, errlen);
    else if (src->has_until)
        sim_run_until(s, src->until_ns);
    else
        sim_run(s, WHATIF_LIMIT_NS, NULL);
    sim_free(s);
    if (rc)
        return rc;
    if (r->tr.oom) {
        snprintf(err, errlen, "out of memory while recording the run");
        return 2;
    }
    return 0;
}

void whatif_run_free(struct whatif_run *r)
{
    if (r->sc) {
        scenario_free(r->sc);
        free(r->sc);
    }
    trace_free(&r->tr);
    memset(r, 0, sizeof *r);
}

int whatif_host_addr(const struct whatif_run *r, const char *host, uint32_t *addr)
{
    const struct scn_host *h = r->sc ? scenario_host(r->sc, host) : NULL;
    if (h) {
        *addr = h->addr;
        return 0;
    }
    return wire_ip_parse(host, addr) == 0 ? 0 : -1;
}

/* Is what c changes changed among cs[0..n) too? */
static bool whatif_has(const struct whatif_change *c, const struct whatif_change *cs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cs[i].host, c->host) && !strcmp(cs[i].key, c->key) && cs[i].line == c->line)
            return true;
    return false;
}

/* A restricted lab's rule: both sides change the same things. 0 or 1. */
static int whatif_sides_ok(const struct whatif_change *ca, size_t na,
                           const struct whatif_change *cb, size_t nb, char *err, size_t errlen)
{
    for (int side = 0; side < 2; side++) {
        const struct whatif_change *c = side ? cb : ca, *o = side ? ca : cb;
        size_t n = side ? nb : na, no = side ? na : nb;
        for (size_t i = 0; i < n; i++) {
            if (whatif_has(&c[i], o, no))
                continue;
            char f[320];
            whatif_format(&c[i], f, sizeof f);
            snprintf(err, errlen, "in a lab, a change on one side needs the same fact set on "
                     "the other (--set-a and --set-b): %s against your variant's own value "
                     "would tell that value", f);
            return 1;
        }
    }
    return 0;
}

int whatif_diff(const struct whatif_src *sa, const struct whatif_change *ca, size_t na,
                const struct whatif_src *sb, const struct whatif_change *cb, size_t nb,
                const char *as, struct whatif_run *a, struct whatif_run *b,
                struct rundiff_view *view, struct rundiff *d, char *err, size_t errlen)
{
    memset(view, 0, sizeof *view);
    memset(b, 0, sizeof *b);
    trace_init(&b->tr);
    int rc = whatif_run(sa, ca, na, a, err, errlen);
    if (!rc && a->view.restricted)
        rc = whatif_sides_ok(ca, na, cb, nb, err, errlen);
    if (!rc)
        rc = whatif_run(sb, cb, nb, b, err, errlen);
    if (!rc && as) {   /* a host of either run (B may add one that A lacks) */
        view->arrivals = true;
        if (whatif_host_addr(a, as, &view->addr) && whatif_host_addr(b, as, &view->addr)) {
            snprintf(err, errlen, "--as %s: no such host in the scenario", as);
            rc = 1;
        } else if (a->view.restricted && view->addr != a->view.addr) {
            snprintf(err, errlen, "--as %s: in this lab you see what %s receives, not another "
                     "host", as, a->view.host);
            rc = 1;
        }
    }
    if (!rc)
        rundiff_compare(&a->tr, &b->tr, view, d);
    return rc;
}
