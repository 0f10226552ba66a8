/* param.c — expands a lab template's `${...}` parameters (syntax and derivation: param.h).
 *
 * One pass over the text: bytes are copied, a `${` starts a parameter that ends at the next
 * `}` on the same line. Lists are parsed into fixed-width words; draws use the parameter's
 * own xoshiro stream (lib/rng.h) seeded by SipHash-2-4 of the variant's secret, so the value
 * of one parameter depends on the secret, the version and its name only.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/param.h"
#include "lib/rng.h"

enum { PARAM_WORD_MAX = 24 };

struct param_list {
    char (*e)[PARAM_WORD_MAX];
    size_t n, cap;
};

/* Where we are, for messages. */
struct param_px {
    const char *file;
    int line, col;          /* of the `$` */
    char *err;
    size_t errlen;
};

static int param_perr(const struct param_px *px, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int param_perr(const struct param_px *px, size_t off, const char *fmt, ...)
{
    int n = snprintf(px->err, px->errlen, "%s:%d:%d: error: ", px->file, px->line,
                     px->col + (int)off);
    if (n < 0 || (size_t)n >= px->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(px->err + n, px->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* "found 'x'" text for the bytes at s (up to a blank, a comma or a brace). */
static void param_found(const char *s, size_t len, char *out, size_t cap)
{
    if (len == 0 || *s == '\n') {
        snprintf(out, cap, "end of line");
        return;
    }
    size_t n = 0;
    while (n < len && n < 20 && s[n] != '\n' && !isspace((unsigned char)s[n]) &&
           (n == 0 || (s[n] != ',' && s[n] != '}')))
        n++;
    snprintf(out, cap, "'%.*s'", (int)n, s);
}

void param_init_default(struct param_set *ps)
{
    memset(ps, 0, sizeof *ps);
}

void param_init_variant(struct param_set *ps, const uint8_t secret[16], unsigned version)
{
    memset(ps, 0, sizeof *ps);
    ps->variant = true;
    memcpy(ps->secret, secret, 16);
    ps->version = version;
}

void param_free(struct param_set *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->p[i].value);
    ps->n = 0;
}

static bool param_word_char(char c);

int param_set_value(struct param_set *ps, const char *name, const char *value, char *err,
                    size_t errlen)
{
    size_t nl = strlen(name), vl = strlen(value);
    bool ok = nl > 0 && nl < PARAM_NAME_MAX && (isalpha((unsigned char)name[0]) || name[0] == '_');
    for (size_t i = 0; ok && i < nl; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '_';
    if (!ok) {
        snprintf(err, errlen, "'%s' is not a parameter name (a letter, then letters, digits "
                 "or _; at most %d)", name, PARAM_NAME_MAX - 1);
        return -1;
    }
    ok = vl > 0 && vl < PARAM_SET_VALUE_MAX;
    for (size_t i = 0; ok && i < vl; i++)
        ok = param_word_char(value[i]) || value[i] == ',';
    if (!ok) {
        snprintf(err, errlen, "%s=%s: a value is 1 to %d of letters, digits and . : / - + _ ,",
                 name, value, PARAM_SET_VALUE_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < ps->nset; i++)
        if (!strcmp(ps->set[i].name, name)) {
            snprintf(err, errlen, "%s is set twice", name);
            return -1;
        }
    if (ps->nset == PARAM_SET_MAX) {
        snprintf(err, errlen, "at most %d parameters may be set", PARAM_SET_MAX);
        return -1;
    }
    struct param_over *o = &ps->set[ps->nset++];
    snprintf(o->name, sizeof o->name, "%s", name);
    snprintf(o->value, sizeof o->value, "%s", value);
    o->used = false;
    return 0;
}

const char *param_set_unused(const struct param_set *ps)
{
    for (size_t i = 0; i < ps->nset; i++)
        if (!ps->set[i].used)
            return ps->set[i].name;
    return NULL;
}

/* The value set for NAME by param_set_value (marked used), or NULL. */
static const char *param_set_take(struct param_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->nset; i++)
        if (!strcmp(ps->set[i].name, name)) {
            ps->set[i].used = true;
            return ps->set[i].value;
        }
    return NULL;
}

static struct param_param *param_find(struct param_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name))
            return &ps->p[i];
    return NULL;
}

const char *param_get(const struct param_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name))
            return ps->p[i].value;
    return NULL;
}

bool param_has(const char *text, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (text[i] == '$' && text[i + 1] == '{')
            return true;
    return false;
}

/* ---------------------------------------------------------------- output buffer */

struct param_buf {
    char *s;
    size_t n, cap;
    bool oom;
};

static void param_buf_put(struct param_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

/* ---------------------------------------------------------------- lists */

static int param_list_add(struct param_list *l, const char *s, size_t n)
{
    if (l->n == PARAM_LIST_MAX)
        return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *p = realloc(l->e, cap * sizeof *l->e);
        if (!p)
            return -1;
        l->e = p;
        l->cap = cap;
    }
    memcpy(l->e[l->n], s, n);
    l->e[l->n][n] = 0;
    l->n++;
    return 0;
}

static bool param_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '/' ||
           c == '-' || c == '+';
}

/* A decimal number of at most 10 digits, no larger than 2^32 - 1. */
static bool param_decimal(const char *s, size_t n, unsigned long *v)
{
    if (n == 0 || n > 10)
        return false;
    unsigned long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        x = x * 10 + (unsigned long)(s[i] - '0');
    }
    *v = x;
    return x <= 0xffffffffUL;
}

/* One word of a list: LO-HI of two decimals is every number between. */
static int param_list_word(const struct param_px *px, size_t off, const char *s, size_t n,
                         struct param_list *l)
{
    if (n >= PARAM_WORD_MAX)
        return param_perr(px, off, "expected a word of at most %d characters, found '%.*s'",
                        PARAM_WORD_MAX - 1, (int)n, s);
    const char *dash = memchr(s, '-', n);
    unsigned long lo, hi;
    if (dash && param_decimal(s, (size_t)(dash - s), &lo) &&
        param_decimal(dash + 1, n - (size_t)(dash - s) - 1, &hi)) {
        if (hi < lo)
            return param_perr(px, off, "expected a range LO-HI with LO <= HI, found '%.*s'",
                            (int)n, s);
        if (hi - lo >= PARAM_LIST_MAX)
            return param_perr(px, off, "expected at most %d elements in a list, found '%.*s'",
                            PARAM_LIST_MAX, (int)n, s);
        for (unsigned long v = lo; v <= hi; v++) {
            char w[16];
            int k = snprintf(w, sizeof w, "%lu", v);
            if (param_list_add(l, w, (size_t)k))
                return param_perr(px, off, "expected at most %d elements in a list",
                                PARAM_LIST_MAX);
        }
        return 0;
    }
    if (param_list_add(l, s, n))
        return param_perr(px, off, "expected at most %d elements in a list", PARAM_LIST_MAX);
    return 0;
}

/* A list from args [a, a+n) whose first byte is `off` columns after the `$`. */
static int param_list_parse(const struct param_px *px, size_t off, const char *a, size_t n,
                          struct param_list *l)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (a[i] == ',' || a[i] == ' ' || a[i] == '\t'))
            i++;
        if (i == n)
            break;
        size_t j = i;
        while (j < n && param_word_char(a[j]))
            j++;
        if (j == i) {
            char f[32];
            param_found(a + i, n - i, f, sizeof f);
            return param_perr(px, off + i, "expected a list word (letters, digits, . : / - + _), "
                            "found %s", f);
        }
        if (param_list_word(px, off + i, a + i, j - i, l))
            return -1;
        i = j;
    }
    if (l->n == 0)
        return param_perr(px, off + n, "expected a list of words, found '}'");
    return 0;
}

static char *param_list_join(const struct param_list *l, const size_t *idx, size_t k)
{
    size_t len = 1;
    for (size_t i = 0; i < k; i++)
        len += strlen(l->e[idx[i]]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < k; i++) {
        size_t w = strlen(l->e[idx[i]]);
        if (i)
            *p++ = ',';
        memcpy(p, l->e[idx[i]], w);
        p += w;
    }
    *p = 0;
    return s;
}

/* ---------------------------------------------------------------- draws */

static void param_param_rng(const struct param_set *ps, const char *name, struct rng *r)
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "v%u|%s", ps->version, name);
    rng_seed(r, siphash24(ps->secret, msg, (size_t)n), "lab.param");
}

static int param_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The first k of a permutation of 0..n-1 (identity with no variant); sorted when `sorted`. */
static size_t *param_draw_perm(const struct param_set *ps, const char *name, size_t n, size_t k,
                             bool sorted)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    if (ps->variant) {
        struct rng r;
        param_param_rng(ps, name, &r);
        for (size_t i = 0; i < k && i + 1 < n; i++) {  /* Fisher-Yates, the first k places */
            size_t j = i + rng_below(&r, (uint32_t)(n - i));
            size_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
    }
    if (sorted)
        qsort(idx, k, sizeof *idx, param_cmp_size);
    return idx;
}

/* ---------------------------------------------------------------- one parameter */

/* The kinds, given the args text [a, a+n) at `off` columns after the `$`. */
static char *param_define(const struct param_px *px, const struct param_set *ps, const char *name,
                        const char *kind, size_t klen, size_t koff, const char *a, size_t n,
                        size_t off)
{
    struct param_list l = {0};
    char *val = NULL;
    size_t *idx = NULL;
    if (klen == 5 && !memcmp(kind, "range", 5)) {
        while (n && (*a == ' ' || *a == '\t'))
            a++, n--, off++;
        while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
            n--;
        const char *dash = memchr(a, '-', n);
        unsigned long lo, hi;
        if (!dash || !param_decimal(a, (size_t)(dash - a), &lo) ||
            !param_decimal(dash + 1, n - (size_t)(dash - a) - 1, &hi) || hi < lo) {
            char f[32];
            param_found(a, n, f, sizeof f);
            param_perr(px, off, "expected a range LO-HI of decimal numbers, LO <= HI, found %s", f);
            return NULL;
        }
        unsigned long v = lo;
        if (ps->variant) {
            struct rng r;
            param_param_rng(ps, name, &r);
            v = hi - lo == 0xffffffffUL ? rng_u32(&r) : lo + rng_below(&r, (uint32_t)(hi - lo + 1));
        }
        val = malloc(16);
        if (val)
            snprintf(val, 16, "%lu", v);
        return val;
    }
    size_t k = 0;
    bool sorted = false;
    if (klen == 6 && !memcmp(kind, "choice", 6)) {
        k = 1;
    } else if (klen == 7 && !memcmp(kind, "shuffle", 7)) {
        k = SIZE_MAX;
    } else if (klen == 4 && !memcmp(kind, "pick", 4)) {
        size_t i = 0;
        while (i < n && (a[i] == ' ' || a[i] == '\t'))
            i++;
        size_t j = i;
        while (j < n && isdigit((unsigned char)a[j]))
            j++;
        unsigned long kk;
        if (!param_decimal(a + i, j - i, &kk) || kk == 0) {
            char f[32];
            param_found(a + i, n - i, f, sizeof f);
            param_perr(px, off + i, "expected how many to pick (a number >= 1), found %s", f);
            return NULL;
        }
        while (j < n && (a[j] == ' ' || a[j] == '\t'))
            j++;
        if (n - j < 3 || memcmp(a + j, "of", 2) || (a[j + 2] != ' ' && a[j + 2] != '\t')) {
            char f[32];
            param_found(a + j, n - j, f, sizeof f);
            param_perr(px, off + j, "expected 'of' after the count, found %s", f);
            return NULL;
        }
        k = kk;
        sorted = true;
        a += j + 2;
        off += j + 2;
        n -= j + 2;
    } else {
        char f[32];
        param_found(kind, klen, f, sizeof f);
        param_perr(px, koff, "expected a parameter kind (choice, range, pick, shuffle), found %s", f);
        return NULL;
    }
    if (param_list_parse(px, off, a, n, &l))
        goto out;
    if (k == SIZE_MAX)
        k = l.n;
    if (k > l.n) {
        param_perr(px, off, "expected at most as many to pick as the list has (%zu), found %zu",
                 l.n, k);
        goto out;
    }
    idx = param_draw_perm(ps, name, l.n, k, sorted);
    if (idx)
        val = param_list_join(&l, idx, k);
    if (!val)
        snprintf(px->err, px->errlen, "%s: out of memory", px->file);
out:
    free(idx);
    free(l.e);
    return val;
}

/* Element i (1-based) of a comma-joined value into b. -1 when out of range. */
static int param_element(const char *v, unsigned long i, struct param_buf *b)
{
    for (unsigned long k = 1; *v; k++) {
        const char *c = strchr(v, ',');
        size_t n = c ? (size_t)(c - v) : strlen(v);
        if (k == i) {
            param_buf_put(b, v, n);
            return 0;
        }
        if (!c)
            break;
        v = c + 1;
    }
    return -1;
}

/* The parameter at text[0] == '$' (text[1] == '{'), up to rem bytes; appends its expansion
 * and returns the bytes consumed, or 0 on error. */
static size_t param_one(const struct param_px *px, struct param_set *ps, const char *t, size_t rem,
                      struct param_buf *b)
{
    size_t end = 2;
    while (end < rem && t[end] != '}' && t[end] != '\n')
        end++;
    size_t i = 2;
    char name[PARAM_NAME_MAX];
    size_t nl = 0;
    if (i < end && (isalpha((unsigned char)t[i]) || t[i] == '_'))
        while (i < end && (isalnum((unsigned char)t[i]) || t[i] == '_'))
            i++, nl++;
    if (nl == 0 || nl >= sizeof name) {
        char f[32];
        param_found(t + 2, rem - 2, f, sizeof f);
        param_perr(px, 2, "expected a parameter name (a letter, then letters, digits or _; at "
                 "most %d), found %s", PARAM_NAME_MAX - 1, f);
        return 0;
    }
    memcpy(name, t + 2, nl);
    name[nl] = 0;
    if (end == rem || t[end] != '}') {
        param_perr(px, end, "expected '}' to close the parameter '%s', found end of line", name);
        return 0;
    }
    struct param_param *p = param_find(ps, name);
    if (t[i] == '}' || t[i] == '[') {
        if (!p) {
            param_perr(px, 2, "expected a defined parameter, found '%s' (define it before its "
                     "first use, e.g. ${%s:choice A,B})", name, name);
            return 0;
        }
        if (t[i] == '}') {
            param_buf_put(b, p->value, strlen(p->value));
            return end + 1;
        }
        size_t j = i + 1;
        while (j < end && isdigit((unsigned char)t[j]))
            j++;
        unsigned long k;
        if (!param_decimal(t + i + 1, j - i - 1, &k) || k == 0 || t[j] != ']' || j + 1 != end) {
            char f[32];
            param_found(t + i + 1, end - i - 1, f, sizeof f);
            param_perr(px, i + 1, "expected an element number and ']' (as in ${%s[1]}), found %s",
                     name, f);
            return 0;
        }
        if (param_element(p->value, k, b)) {
            param_perr(px, i + 1, "expected an element number of '%s' (its value is '%s'), found %lu",
                     name, p->value, k);
            return 0;
        }
        return end + 1;
    }
    if (t[i] != ':') {
        char f[32];
        param_found(t + i, end - i, f, sizeof f);
        param_perr(px, i, "expected '}', '[' or ':' after the parameter name, found %s", f);
        return 0;
    }
    if (p) {
        param_perr(px, 2, "expected a new parameter name, found '%s' (defined at %d:%d)", name,
                 p->line, p->col);
        return 0;
    }
    if (ps->n == PARAM_MAX) {
        param_perr(px, 2, "expected at most %d parameters, found one more", PARAM_MAX);
        return 0;
    }
    size_t ks = i + 1, ke = ks;
    while (ke < end && isalpha((unsigned char)t[ke]))
        ke++;
    char *val = param_define(px, ps, name, t + ks, ke - ks, ks, t + ke, end - ke, ke);
    if (!val)
        return 0;
    const char *over = param_set_take(ps, name);   /* a what-if: the definition still checked */
    if (over) {
        char *v2 = strdup(over);
        if (!v2) {
            free(val);
            snprintf(px->err, px->errlen, "%s: out of memory", px->file);
            return 0;
        }
        free(val);
        val = v2;
    }
    p = &ps->p[ps->n++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->value = val;
    p->line = px->line;
    p->col = px->col;
    param_buf_put(b, val, strlen(val));
    return end + 1;
}

int param_expand(const char *file, int line0, int col0, const char *text, size_t len,
               struct param_set *ps, char **out, size_t *outlen, char *err, size_t errlen)
{
    struct param_buf b = {0};
    struct param_px px = {.file = file, .line = line0, .col = col0, .err = err, .errlen = errlen};
    size_t i = 0, run = 0;
    param_buf_put(&b, "", 0);
    while (i < len) {
        if (text[i] == '$' && i + 1 < len && text[i + 1] == '{') {
            param_buf_put(&b, text + run, i - run);
            size_t used = param_one(&px, ps, text + i, len - i, &b);
            if (!used) {
                free(b.s);
                return -1;
            }
            i += used;
            px.col += (int)used;
            run = i;
            continue;
        }
        if (text[i] == '\n') {
            px.line++;
            px.col = 1;
        } else {
            px.col++;
        }
        i++;
    }
    param_buf_put(&b, text + run, i - run);
    if (b.oom) {
        free(b.s);
        snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    *out = b.s;
    *outlen = b.n;
    return 0;
}
