/* service_probes.c — the parser of nmap-service-probes (service_probes.h).
 *
 * Why: -sV asks what nmap asks, in nmap's order, and reads the answers with nmap's rules; the
 * rules are nmap's file, so the parser follows its documented format (Nmap book, "nmap-
 * service-probes File Format"; nmap service_scan.cc parse_nmap_service_probe_file): one
 * directive per line, `match`/`softmatch` and the per-probe directives belong to the last
 * `Probe` line. Escapes in a probe string: \\ \0 \a \b \f \n \r \t \v \xHH. A pattern is
 * m<d>...<d>[i][s] for any delimiter d; version fields are X<d>...<d> (X one of p v i h o d)
 * and cpe:<d>...<d>[a]. Text is copied out of the file (no pointer into it is kept).
 */
#include "scanner/service_probes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sp_ctx {
    const char *file;
    char *err;
    size_t errlen;
    int line;
    const char *ls;           /* start of the current line */
};

static int sp_err(struct sp_ctx *c, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sp_err(struct sp_ctx *c, const char *at, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s:%d:%d: error: %s", c->file, c->line, (int)(at - c->ls) + 1,
             msg);
    return -1;
}

static char *sp_dup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static const char *sp_skip(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

static int sp_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes a probe string's escapes from [s, e) into out (at most e - s bytes). */
static int sp_unescape(struct sp_ctx *c, const char *s, const char *e, uint8_t *out, size_t *n)
{
    size_t o = 0;
    for (const char *p = s; p < e; p++) {
        if (*p != '\\') {
            out[o++] = (uint8_t)*p;
            continue;
        }
        if (++p == e)
            return sp_err(c, p - 1, "expected an escape after '\\', found end of string");
        static const char from[] = "\\0abfnrtv", to[] = "\\\0\a\b\f\n\r\t\v";
        const char *k = memchr(from, *p, sizeof from - 1);
        if (k) {
            out[o++] = (uint8_t)to[k - from];
        } else if (*p == 'x' && e - p > 2 && sp_hex(p[1]) >= 0 && sp_hex(p[2]) >= 0) {
            out[o++] = (uint8_t)(sp_hex(p[1]) * 16 + sp_hex(p[2]));
            p += 2;
        } else {
            out[o++] = (uint8_t)*p;   /* nmap keeps an unknown escaped character as itself */
        }
    }
    *n = o;
    return 0;
}

/* A port list "1,3-5,80". */
static int sp_ports(struct sp_ctx *c, const char *s, const char *e, struct svc_ports *ps)
{
    while (s < e) {
        const char *q = s;
        unsigned long lo = 0, hi;
        while (q < e && *q >= '0' && *q <= '9' && lo <= 65535)
            lo = lo * 10 + (unsigned long)(*q++ - '0');
        if (q == s || lo > 65535)
            return sp_err(c, s, "expected a port 0-65535");
        hi = lo;
        if (q < e && *q == '-') {
            const char *r = ++q;
            hi = 0;
            while (q < e && *q >= '0' && *q <= '9' && hi <= 65535)
                hi = hi * 10 + (unsigned long)(*q++ - '0');
            if (q == r || hi > 65535 || hi < lo)
                return sp_err(c, r, "expected the end of a port range, not below its start");
        }
        struct svc_range *nr = realloc(ps->r, (ps->n + 1) * sizeof *nr);
        if (!nr)
            return sp_err(c, s, "out of memory");
        ps->r = nr;
        ps->r[ps->n++] = (struct svc_range){ (uint16_t)lo, (uint16_t)hi };
        q = sp_skip(q, e);
        if (q < e && *q != ',')
            return sp_err(c, q, "expected ',' or the end of the port list");
        s = q < e ? sp_skip(q + 1, e) : q;
    }
    return 0;
}

/* Exclude T:9100-9107,U:30000-40000 (a list without a prefix is TCP and UDP). */
static int sp_exclude(struct sp_ctx *c, const char *s, const char *e, struct svc_db *db)
{
    int which = 3;                    /* bit 0 TCP, bit 1 UDP */
    while (s < e) {
        const char *q = s;
        if (e - q > 2 && q[1] == ':' && (q[0] == 'T' || q[0] == 'U')) {
            which = q[0] == 'T' ? 1 : 2;
            q += 2;
        }
        const char *end = memchr(q, ',', (size_t)(e - q));
        const char *stop = end ? end : e;
        /* T:1-2,3 — the next element without a prefix keeps the protocol */
        if (which & 1 && sp_ports(c, q, stop, &db->exclude_tcp) < 0)
            return -1;
        if (which & 2 && sp_ports(c, q, stop, &db->exclude_udp) < 0)
            return -1;
        s = end ? end + 1 : e;
    }
    return 0;
}

/* Probe TCP|UDP NAME q<d>STRING<d> [no-payload] */
static int sp_probe(struct sp_ctx *c, const char *s, const char *e, struct svc_db *db)
{
    const char *p = sp_skip(s, e);
    bool udp;
    if (e - p >= 3 && memcmp(p, "TCP", 3) == 0)
        udp = false;
    else if (e - p >= 3 && memcmp(p, "UDP", 3) == 0)
        udp = true;
    else
        return sp_err(c, p, "expected TCP or UDP after Probe");
    p = sp_skip(p + 3, e);
    const char *n = p;
    while (p < e && *p != ' ' && *p != '\t')
        p++;
    if (p == n)
        return sp_err(c, n, "expected a probe name");
    const char *ne = p;
    p = sp_skip(p, e);
    if (e - p < 3 || *p != 'q')
        return sp_err(c, p, "expected q|STRING| after the probe name");
    char d = p[1];
    const char *qs = p + 2, *qe = memchr(qs, d, (size_t)(e - qs));
    if (!qe)
        return sp_err(c, p, "expected the probe string's closing '%c'", d);
    struct svc_probe *np = realloc(db->p, (db->np + 1) * sizeof *np);
    if (!np)
        return sp_err(c, s, "out of memory");
    db->p = np;
    struct svc_probe *pr = &db->p[db->np++];
    memset(pr, 0, sizeof *pr);
    pr->udp = udp;
    pr->line = c->line;
    pr->rarity = 5;            /* nmap's ServiceProbe default */
    pr->name = sp_dup(n, (size_t)(ne - n));
    pr->data = malloc((size_t)(qe - qs) + 1);
    if (!pr->name || !pr->data)
        return sp_err(c, s, "out of memory");
    return sp_unescape(c, qs, qe, pr->data, &pr->len);
}

/* One version field X<d>...<d> (or cpe:<d>...<d>[a]) at p; advances *pp. */
static int sp_field(struct sp_ctx *c, const char **pp, const char *e, struct svc_match *m)
{
    const char *p = *pp;
    static const char keys[] = "pvihod";
    bool cpe = e - p > 4 && memcmp(p, "cpe:", 4) == 0;
    const char *k = cpe ? NULL : memchr(keys, *p, sizeof keys - 1);
    if (!cpe && (!k || e - p < 2))
        return sp_err(c, p, "expected a version field (p/ v/ i/ h/ o/ d/ cpe:/)");
    const char *ds = p + (cpe ? 4 : 1);
    char d = *ds;
    const char *vs = ds + 1, *ve = memchr(vs, d, (size_t)(e - vs));
    if (!ve)
        return sp_err(c, p, "expected the field's closing '%c'", d);
    char *v = sp_dup(vs, (size_t)(ve - vs));
    if (!v)
        return sp_err(c, p, "out of memory");
    p = ve + 1;
    if (cpe) {
        if (p < e && *p == 'a')
            p++;
        if (m->ncpe == SVC_CPE_MAX) {
            free(v);
        } else {
            m->cpe[m->ncpe++] = v;
        }
    } else {
        int f = (int)(k - keys);
        free(m->field[f]);
        m->field[f] = v;
    }
    *pp = p;
    return 0;
}

/* match|softmatch SERVICE m<d>PATTERN<d>[opts] [fields] */
static int sp_match(struct sp_ctx *c, const char *s, const char *e, struct svc_db *db, bool soft)
{
    if (db->np == 0)
        return sp_err(c, s, "expected a Probe line before this match");
    struct svc_probe *pr = &db->p[db->np - 1];
    const char *p = sp_skip(s, e), *n = p;
    while (p < e && *p != ' ' && *p != '\t')
        p++;
    if (p == n)
        return sp_err(c, n, "expected a service name");
    const char *ne = p;
    p = sp_skip(p, e);
    if (e - p < 3 || *p != 'm')
        return sp_err(c, p, "expected m|PATTERN| after the service name");
    char d = p[1];
    const char *rs = p + 2, *re = memchr(rs, d, (size_t)(e - rs));
    if (!re)
        return sp_err(c, p, "expected the pattern's closing '%c'", d);
    struct svc_match *nm = realloc(pr->m, (pr->nm + 1) * sizeof *nm);
    if (!nm)
        return sp_err(c, s, "out of memory");
    pr->m = nm;
    struct svc_match *m = &pr->m[pr->nm++];
    memset(m, 0, sizeof *m);
    m->soft = soft;
    m->line = c->line;
    m->service = sp_dup(n, (size_t)(ne - n));
    m->pattern = sp_dup(rs, (size_t)(re - rs));
    if (!m->service || !m->pattern)
        return sp_err(c, s, "out of memory");
    p = re + 1;
    for (; p < e && (*p == 'i' || *p == 's'); p++)
        *(*p == 'i' ? &m->icase : &m->dotall) = true;
    for (;;) {
        p = sp_skip(p, e);
        if (p >= e)
            return 0;
        if (p > re + 1 && p[-1] != ' ' && p[-1] != '\t')
            return sp_err(c, p, "expected a blank before the version field");
        if (sp_field(c, &p, e, m) < 0)
            return -1;
    }
}

static int sp_number(struct sp_ctx *c, const char *s, const char *e, unsigned long max,
                     const char *what, unsigned long *out)
{
    const char *p = sp_skip(s, e);
    unsigned long v = 0;
    const char *q = p;
    while (q < e && *q >= '0' && *q <= '9' && v <= max)
        v = v * 10 + (unsigned long)(*q++ - '0');
    if (q == p || v > max || sp_skip(q, e) != e)
        return sp_err(c, p, "expected %s", what);
    *out = v;
    return 0;
}

static int sp_line(struct sp_ctx *c, const char *s, const char *e, struct svc_db *db)
{
    const char *p = sp_skip(s, e);
    if (p == e || *p == '#')
        return 0;
    const char *w = p;
    while (p < e && *p != ' ' && *p != '\t')
        p++;
    size_t wl = (size_t)(p - w);
#define IS(k) (wl == sizeof k - 1 && memcmp(w, k, wl) == 0)
    if (IS("match") || IS("softmatch"))
        return sp_match(c, p, e, db, IS("softmatch"));
    if (IS("Probe"))
        return sp_probe(c, p, e, db);
    if (IS("Exclude"))
        return sp_exclude(c, sp_skip(p, e), e, db);
    if (!(IS("ports") || IS("sslports") || IS("rarity") || IS("totalwaitms") ||
          IS("tcpwrappedms") || IS("fallback")))
        return sp_err(c, w, "expected a directive (Probe, match, softmatch, ports, sslports, "
                            "rarity, totalwaitms, tcpwrappedms, fallback, Exclude)");
    if (db->np == 0)
        return sp_err(c, w, "expected a Probe line before %.*s", (int)wl, w);
    struct svc_probe *pr = &db->p[db->np - 1];
    unsigned long v;
    if (IS("ports"))
        return sp_ports(c, sp_skip(p, e), e, &pr->ports);
    if (IS("sslports"))
        return sp_ports(c, sp_skip(p, e), e, &pr->sslports);
    if (IS("fallback")) {
        p = sp_skip(p, e);
        free(pr->fallback);
        return (pr->fallback = sp_dup(p, (size_t)(e - p))) ? 0 : sp_err(c, p, "out of memory");
    }
    if (IS("rarity")) {
        if (sp_number(c, p, e, 9, "a rarity 1-9", &v) < 0 || v < 1)
            return v < 1 ? sp_err(c, sp_skip(p, e), "expected a rarity 1-9") : -1;
        pr->rarity = (int)v;
        return 0;
    }
    if (sp_number(c, p, e, 600000, "a time in milliseconds (at most 600000)", &v) < 0)
        return -1;
    *(IS("totalwaitms") ? &pr->totalwaitms : &pr->tcpwrappedms) = (uint32_t)v;
    return 0;
#undef IS
}

/* nmap's compileFallbacks: each probe's list of probes whose rules read its answers. */
static int sp_fallbacks(struct sp_ctx *c, struct svc_db *db)
{
    db->null_probe = -1;
    for (size_t i = 0; i < db->np; i++)
        if (!db->p[i].udp && db->p[i].len == 0 && db->null_probe < 0)
            db->null_probe = (int)i;
    for (size_t i = 0; i < db->np; i++) {
        struct svc_probe *p = &db->p[i];
        p->nfb = 0;
        p->fb[p->nfb++] = (int)i;
        for (const char *s = p->fallback; s && *s;) {
            s += strspn(s, ", \t\r\n");
            size_t n = strcspn(s, ", \t\r\n");
            if (!n)
                break;
            int k = -1;   /* a probe of the same protocol first, then any (getProbeByName) */
            for (int any = 0; any < 2 && k < 0; any++)
                for (size_t j = 0; j < db->np && k < 0; j++)
                    if ((any || db->p[j].udp == p->udp) && strlen(db->p[j].name) == n &&
                        memcmp(db->p[j].name, s, n) == 0)
                        k = (int)j;
            c->line = p->line;
            c->ls = s;
            if (k < 0) {
                snprintf(c->err, c->errlen, "%s:%d: error: probe %s: fallback '%.*s' names no "
                         "probe", c->file, p->line, p->name, (int)(n < 64 ? n : 64), s);
                return -1;
            }
            if (p->nfb == SVC_FALLBACK_MAX) {
                snprintf(c->err, c->errlen, "%s:%d: error: probe %s: more than %d fallbacks",
                         c->file, p->line, p->name, SVC_FALLBACK_MAX - 1);
                return -1;
            }
            p->fb[p->nfb++] = k;
            s += n;
        }
        if (!p->udp && db->null_probe >= 0 && (int)i != db->null_probe)
            p->fb[p->nfb++] = db->null_probe;
    }
    return 0;
}

int svc_db_parse(const char *file, const char *text, size_t len, struct svc_db *db, char *err,
                 size_t errlen)
{
    memset(db, 0, sizeof *db);
    snprintf(db->file, sizeof db->file, "%s", file);
    struct sp_ctx c = { .file = file, .err = err, .errlen = errlen };
    for (size_t i = 0; i < len;) {
        const char *s = text + i, *nl = memchr(s, '\n', len - i);
        size_t n = nl ? (size_t)(nl - s) : len - i;
        size_t next = i + n + 1;
        if (n && s[n - 1] == '\r')
            n--;
        c.line++;
        c.ls = s;
        const char *nul = memchr(s, '\0', n);
        if (nul) {
            svc_db_free(db);
            return sp_err(&c, nul, "expected text, found a NUL byte");
        }
        if (sp_line(&c, s, s + n, db) < 0) {
            svc_db_free(db);
            return -1;
        }
        i = next;
    }
    if (db->np == 0) {
        snprintf(err, errlen, "%s: error: no Probe lines: not an nmap-service-probes file", file);
        svc_db_free(db);
        return -1;
    }
    if (sp_fallbacks(&c, db) < 0) {
        svc_db_free(db);
        return -1;
    }
    return 0;
}

int svc_db_load(const char *dir, struct svc_db *db, char *err, size_t errlen)
{
    char path[512];
    snprintf(path, sizeof path, "%s/nmap-service-probes", dir ? dir : "/usr/share/nmap");
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen,
                 "%s: %s: version detection (-sV) reads nmap's probes from an installed nmap "
                 "(install nmap, or give its data directory with --datadir DIR)",
                 path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= (64u << 20))
            break;
        char *nb = realloc(buf, cap *= 2);
        if (!nb)
            free(buf);
        buf = nb;
    }
    bool bad = ferror(f) || n == cap;
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "%s: unreadable or larger than 64 MiB", path);
        return -1;
    }
    int rc = svc_db_parse(path, buf, n, db, err, errlen);
    free(buf);
    return rc;
}

/* service_match.c frees the compiled patterns and its shared match buffers. */
void svc_match_release(struct svc_match *m);
void svc_match_cleanup(void);
static void sp_match_free(struct svc_match *m);

void svc_db_free(struct svc_db *db)
{
    for (size_t i = 0; i < db->np; i++) {
        struct svc_probe *p = &db->p[i];
        for (size_t j = 0; j < p->nm; j++)
            sp_match_free(&p->m[j]);
        free(p->m);
        free(p->name);
        free(p->data);
        free(p->ports.r);
        free(p->sslports.r);
        free(p->fallback);
    }
    free(db->p);
    free(db->exclude_tcp.r);
    free(db->exclude_udp.r);
    memset(db, 0, sizeof *db);
    db->null_probe = -1;
    svc_match_cleanup();
}


static void sp_match_free(struct svc_match *m)
{
    svc_match_release(m);
    free(m->service);
    free(m->pattern);
    for (int f = 0; f < SVC_NFIELDS; f++)
        free(m->field[f]);
    for (int k = 0; k < m->ncpe; k++)
        free(m->cpe[k]);
}

bool svc_ports_has(const struct svc_ports *ps, uint16_t port)
{
    for (size_t i = 0; i < ps->n; i++)
        if (port >= ps->r[i].lo && port <= ps->r[i].hi)
            return true;
    return false;
}

bool svc_probe_can_find(const struct svc_probe *p, const char *service)
{
    for (size_t i = 0; i < p->nm; i++)
        if (strcmp(p->m[i].service, service) == 0)
            return true;
    return false;
}

uint32_t svc_probe_totalwaitms(const struct svc_probe *p)
{
    return p->totalwaitms ? p->totalwaitms : 5000;
}

uint32_t svc_probe_tcpwrappedms(const struct svc_probe *p)
{
    return p->tcpwrappedms ? p->tcpwrappedms : 2000;
}

const struct svc_probe *svc_db_probe(const struct svc_db *db, const char *name, bool udp)
{
    for (size_t i = 0; i < db->np; i++)
        if (db->p[i].udp == udp && strcmp(db->p[i].name, name) == 0)
            return &db->p[i];
    return NULL;
}
