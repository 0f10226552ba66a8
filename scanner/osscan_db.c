/* osscan_db.c — reads nmap-os-db (osscan.cc parse_fingerprint_file) at run time from an
 * installed nmap; tcplab never ships that file (it is under the Nmap Public Source License).
 *
 * The format: '#' comments and blank lines between records; one "MatchPoints" record whose
 * test lines give each attribute's points; then "Fingerprint NAME" records of "Class VENDOR |
 * FAMILY | GENERATION | TYPE" lines, each followed by its "CPE cpe:/..." lines, and test
 * lines "T1(R=Y%DF=Y%...)" whose values are nmap's expressions (ranges, '|', '<', '>', and
 * for options nested [..]). A record ends at a blank line. Where nmap logs an error and skips
 * a record, this parser stops with "FILE:LINE: what" instead: a database that does not
 * parse whole is reported, not half-used. The file is read once into one buffer and cut up
 * in place; values are offsets into it (osscan.h os_print).
 */
#include "scanner/osscan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct os_parse {
    struct os_db *db;
    const char *name;
    int line;
    char *err;
    size_t errlen;
    bool have_points;
};

static int os_perr(struct os_parse *ps, const char *what, const char *text)
{
    snprintf(ps->err, ps->errlen, "%s:%d: %s%s%.60s%s", ps->name, ps->line, what,
             text ? ": " : "", text ? text : "", text && strlen(text) > 60 ? "..." : "");
    return -1;
}

static char *os_strip(char *b, char *e)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    *e = '\0';
    return b;
}

/* "T1(A=1%B=2)" -> test index, and [*vb, *ve) the text between the parentheses. */
static int os_test_head(struct os_parse *ps, char *s, char **vb, char **ve)
{
    char *q = strchr(s, '(');
    char *r = q ? strrchr(q, ')') : NULL;
    if (!q || !r)
        return os_perr(ps, "expected TEST(ATTR=VALUE%...)", s), -2;
    int t = os_test_by_name(s, (size_t)(q - s));
    if (t < 0) {
        *q = '\0';
        return os_perr(ps, "unknown test", s), -2;
    }
    for (char *x = r + 1; *x; x++)
        if (!isspace((unsigned char)*x))
            return os_perr(ps, "text after the closing parenthesis", s), -2;
    *vb = q + 1;
    *ve = r;
    return t;
}

static int os_points_line(struct os_parse *ps, char *s)
{
    char *b, *e;
    int t = os_test_head(ps, s, &b, &e);
    if (t < 0)
        return -1;
    *e = '\0';
    for (char *p = b; p && *p;) {
        char *eq = strchr(p, '='), *pc = strchr(p, '%');
        if (!eq || (pc && pc < eq))
            return os_perr(ps, "expected ATTR=POINTS", p);
        int a = os_attr_by_name(t, p, (size_t)(eq - p));
        if (a < 0) {
            *eq = '\0';
            return os_perr(ps, "unknown attribute in MatchPoints", p);
        }
        char *end;
        errno = 0;
        long v = strtol(eq + 1, &end, 10);
        if (errno || v <= 0 || v > 255 || (end != (pc ? pc : eq + 1 + strlen(eq + 1))))
            return os_perr(ps, "points must be a whole number from 1 to 255", eq + 1);
        ps->db->points[t][a] = (uint8_t)v;
        p = pc ? pc + 1 : NULL;
    }
    return 0;
}

/* FingerTest::str2AVal: the values of one test line into ref->p. */
static int os_values(struct os_parse *ps, struct os_ref *ref, int t, char *b, char *e)
{
    struct os_db *db = ps->db;
    bool hasR = !strcmp(os_attr_name(t, 0), "R");
    *e = '\0';
    if (ref->p.tests & (1u << t))
        return os_perr(ps, "test given twice in one fingerprint", os_test_name(t));
    ref->p.tests |= (uint16_t)(1u << t);
    memset(ref->p.off[t], 0, sizeof ref->p.off[t]);
    if (!hasR && (!*b || !strcmp(b, "R=N")))
        return 0;
    int maxidx = 0;
    for (char *p = b; p && *p;) {
        char *eq = strchr(p, '='), *pc = strchr(p, '%');
        if (!eq || (pc && pc < eq))
            return os_perr(ps, "expected ATTR=VALUE", p);
        int a = os_attr_by_name(t, p, (size_t)(eq - p));
        if (a < 0 || ref->p.off[t][a]) {
            *eq = '\0';
            return os_perr(ps, a < 0 ? "unknown attribute" : "attribute given twice", p);
        }
        if (pc)
            *pc = '\0';
        ref->p.off[t][a] = (uint32_t)(eq + 1 - db->text);
        if (strchr(eq + 1, '['))
            db->nested = true;
        if (a > maxidx)
            maxidx = a;
        p = pc ? pc + 1 : NULL;
    }
    if (hasR) {
        const char *r = os_val(&ref->p, db->text, t, 0);
        if (maxidx > 0 && r && !strchr(r, 'Y'))
            return os_perr(ps, "a test with values must have R=Y", os_test_name(t));
        if (maxidx == 0 && r && strcmp(r, "N"))
            return os_perr(ps, "R must be Y or N", r);
        /* Missing R: Y when other values are given, else N (the "Y" and "N" kept at the
         * start of the text). */
        if (!r) {
            ref->p.off[t][0] = maxidx > 0 ? 1u : 3u;
            ref->r_implied |= (uint16_t)(1u << t);
        }
    }
    for (int a = 0; a < os_test_nattrs(t); a++)
        if (ref->p.off[t][a])
            ref->maxpoints += db->points[t][a];
    return 0;
}

static int os_grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static int os_class_line(struct os_parse *ps, struct os_ref *ref, char *s)
{
    struct os_db *db = ps->db;
    char *f[4];
    char *p = s;
    for (int i = 0; i < 3; i++) {
        char *bar = strchr(p, '|');
        if (!bar)
            return os_perr(ps, "a Class line needs VENDOR | FAMILY | GENERATION | TYPE", s);
        f[i] = p;
        *bar = '\0';
        p = bar + 1;
    }
    f[3] = p;
    if (os_grow((void **)&db->classes, &db->capclasses, db->nclasses, sizeof *db->classes))
        return os_perr(ps, "out of memory", NULL);
    struct os_class *c = &db->classes[db->nclasses++];
    memset(c, 0, sizeof *c);
    c->vendor = os_strip(f[0], f[0] + strlen(f[0]));
    c->family = os_strip(f[1], f[1] + strlen(f[1]));
    c->gen = os_strip(f[2], f[2] + strlen(f[2]));
    if (!*c->gen)
        c->gen = NULL;
    c->type = os_strip(f[3], f[3] + strlen(f[3]));
    if (!ref->ncls)
        ref->cls0 = (uint32_t)(db->nclasses - 1);
    ref->ncls++;
    return 0;
}

static int os_cpe_line(struct os_parse *ps, struct os_ref *ref, char *s)
{
    if (!ref->ncls)
        return os_perr(ps, "a CPE line must follow a Class line", s);
    struct os_class *c = &ps->db->classes[ps->db->nclasses - 1];
    while (isspace((unsigned char)*s))
        s++;
    char *e = s;
    while (*e && !isspace((unsigned char)*e))
        e++;
    *e = '\0';
    if (!*s)
        return os_perr(ps, "empty CPE line", NULL);
    if (c->ncpe < (int)(sizeof c->cpe / sizeof c->cpe[0]))
        c->cpe[c->ncpe++] = s;
    return 0;
}

static int os_fingerprint_head(struct os_parse *ps, char *s)
{
    struct os_db *db = ps->db;
    if (!ps->have_points)
        return os_perr(ps, "a Fingerprint before the MatchPoints record", NULL);
    char *hash = strchr(s, '#');
    char *name = os_strip(s, hash ? hash : s + strlen(s));
    if (!*name)
        return os_perr(ps, "Fingerprint without a name", NULL);
    if (os_grow((void **)&db->refs, &db->caprefs, db->nrefs, sizeof *db->refs))
        return os_perr(ps, "out of memory", NULL);
    struct os_ref *r = &db->refs[db->nrefs++];
    memset(r, 0, sizeof *r);
    r->name = name;
    r->line = ps->line;
    return 0;
}

/* One line inside a record. mode: 1 MatchPoints, 2 Fingerprint. */
static int os_record_line(struct os_parse *ps, int mode, char *s)
{
    if (mode == 1)
        return os_points_line(ps, s);
    struct os_ref *ref = &ps->db->refs[ps->db->nrefs - 1];
    if (!strncmp(s, "Class ", 6))
        return os_class_line(ps, ref, s + 6);
    if (!strncmp(s, "CPE ", 4))
        return os_cpe_line(ps, ref, s + 4);
    char *b, *e;
    int t = os_test_head(ps, s, &b, &e);
    if (t < 0)
        return -1;
    return os_values(ps, ref, t, b, e);
}

static int os_parse_lines(struct os_parse *ps, char *p, char *end)
{
    int mode = 0;   /* 0 between records, 1 MatchPoints, 2 Fingerprint */
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        if (e > p && e[-1] == '\r')
            e[-1] = '\0';
        *e = '\0';
        ps->line++;
        char *s = p;
        p = e + 1;
        if (*s == '#')
            continue;
        if (!*s) {
            mode = 0;
            continue;
        }
        if (!strncmp(s, "Fingerprint ", 12) || !strcmp(s, "Fingerprint")) {
            if (os_fingerprint_head(ps, s + 11) < 0)
                return -1;
            mode = 2;
        } else if (!strncmp(s, "MatchPoints", 11) && !s[11 + strspn(s + 11, " \t")]) {
            if (ps->have_points)
                return os_perr(ps, "a second MatchPoints record", NULL);
            ps->have_points = true;
            mode = 1;
        } else if (mode == 0 && !strncmp(s, "This nmap-os-db", 15)) {
            continue;
        } else if (mode == 0) {
            return os_perr(ps, "expected Fingerprint, MatchPoints, a comment or a blank line", s);
        } else if (os_record_line(ps, mode, s) < 0) {
            return -1;
        }
    }
    if (!ps->have_points)
        return os_perr(ps, "no MatchPoints record", NULL);
    return 0;
}

void os_db_free(struct os_db *db)
{
    if (!db)
        return;
    free(db->text);
    free(db->refs);
    free(db->classes);
    memset(db, 0, sizeof *db);
}

int os_db_parse(struct os_db *db, const char *name, const char *text, size_t len, char *err,
                size_t errlen)
{
    memset(db, 0, sizeof *db);
    snprintf(db->path, sizeof db->path, "%s", name);
    /* text[0] NUL (offset 0 = absent), "Y\0N\0" at 1 and 3 for implied R values, then the
     * file and a final NUL. */
    db->text = malloc(len + 6);
    if (!db->text) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    memcpy(db->text, "\0Y\0N\0", 5);
    memcpy(db->text + 5, text, len);
    db->text[len + 5] = '\0';
    db->len = len + 5;
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: a NUL byte: not a text file", name);
        os_db_free(db);
        return -1;
    }
    struct os_parse ps = {.db = db, .name = name, .err = err, .errlen = errlen};
    if (os_parse_lines(&ps, db->text + 5, db->text + 5 + len) < 0) {
        os_db_free(db);
        return -1;
    }
    return 0;
}

int os_db_load(struct os_db *db, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            char *nb = cap > (256u << 20) ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "too large or out of memory");
        return -1;
    }
    int rc = os_db_parse(db, path, buf, len, err, errlen);
    free(buf);
    /* nmap 7.95 rewrote expr_match (commits b4959d04f, b839872f9, 2023) together with its
     * database's syntax (nested [..] ranges in option strings); an installed database
     * without that syntax came with an older nmap, whose matcher decides its accuracies. */
    if (rc == 0)
        db->legacy = !db->nested;
    return rc;
}

bool os_db_find(const char *datadir, char *buf, size_t cap)
{
    static const char *const dirs[] = {"/usr/share/nmap", "/usr/local/share/nmap"};
    if (datadir) {
        snprintf(buf, cap, "%s/nmap-os-db", datadir);
        return access(buf, R_OK) == 0;
    }
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(buf, cap, "%s/nmap-os-db", dirs[i]);
        if (access(buf, R_OK) == 0)
            return true;
    }
    return false;
}
