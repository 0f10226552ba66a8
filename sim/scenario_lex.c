/* scenario_lex.c — the scenario language's lexer and value parsers (see scenario_lex.h).
 *
 * Grammar: tcplab-scenario(5) (docs/tcplab-scenario.5). A line is words separated by blanks
 * (space, tab, CR); '#' outside a string starts a comment; "..." is a string with \" \\ \n
 * \t escapes. Columns are 1-based byte offsets (a tab counts one), like gcc's.
 *
 * Robustness: every parser works on (pointer, length), never past the token, with explicit
 * overflow checks, so any byte sequence (NULs included) gives a value or an error message,
 * never a crash. Error messages quote at most 40 bytes of the offending token, escaped.
 */
#include "scenario_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "scenario.h"

/* ---------------------------------------------------------------- errors */

void scn_errorf(struct scn_ctx *cx, int col, const char *fmt, ...)
{
    if (!cx->err || cx->errlen == 0)
        return;
    int n = snprintf(cx->err, cx->errlen, "%s:%d:%d: error: ", cx->file, cx->lineno, col);
    if (n < 0 || (size_t)n >= cx->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->err + n, cx->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* 'token' escaped and cut at 40 bytes, or "end of line". */
static void scn_show(const struct scn_tok *t, char *buf, size_t cap)
{
    if (!t || (!t->quoted && t->len == 0)) {
        snprintf(buf, cap, t ? "nothing" : "end of line");
        return;
    }
    size_t o = 0, lim = t->len < 40 ? t->len : 40;
    const char *q = t->quoted ? "\"" : "";
    o += (size_t)snprintf(buf + o, cap - o, "'%s", q);
    for (size_t i = 0; i < lim && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)t->s[i];
        if (c >= 0x20 && c < 0x7f && c != '\'')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
    }
    snprintf(buf + o, cap - o, "%s'", t->len > lim ? "..." : q);
}

int scn_expected_note(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *found,
                      const char *what, const char *note)
{
    char shown[200];
    scn_show(found, shown, sizeof shown);
    scn_errorf(cx, found ? found->col : ln->endcol, "expected %s, found %s%s%s", what, shown,
               note ? " " : "", note ? note : "");
    return -1;
}

int scn_expected(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *found,
                 const char *what)
{
    return scn_expected_note(cx, ln, found, what, NULL);
}

/* ---------------------------------------------------------------- lexer */

static bool scn_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

enum { SCN_LINE_WORDS_MAX = 4096 }; /* bounds the token array a hostile line can cost */

static int scn_push(struct scn_line *ln, struct scn_tok t)
{
    if (ln->n == ln->cap) {
        size_t ncap = ln->cap ? ln->cap * 2 : 16;
        struct scn_tok *nt = realloc(ln->tok, ncap * sizeof *nt);
        if (!nt)
            return -1;
        ln->tok = nt;
        ln->cap = ncap;
    }
    ln->tok[ln->n++] = t;
    return 0;
}

/* A string token starting at s[i] == '"'. Returns the index past the closing quote, or 0. */
static size_t scn_lex_string(const char *s, size_t len, size_t i)
{
    for (size_t j = i + 1; j < len; j++) {
        if (s[j] == '\\' && j + 1 < len)
            j++;
        else if (s[j] == '"')
            return j + 1;
    }
    return 0;
}

int scn_lex_line(struct scn_ctx *cx, const char *s, size_t len, int lineno, struct scn_line *ln)
{
    ln->n = 0;
    ln->lineno = lineno;
    ln->indented = len > 0 && scn_blank(s[0]);
    ln->endcol = 1;
    size_t i = 0;
    while (i < len) {
        while (i < len && scn_blank(s[i]))
            i++;
        if (i >= len || s[i] == '#')
            break;
        struct scn_tok t = { s + i, 0, (int)(i + 1), false };
        if (s[i] == '"') {
            size_t end = scn_lex_string(s, len, i);
            if (end == 0) {
                if (cx)
                    scn_errorf(cx, (int)(i + 1), "expected a closing '\"', found end of line");
                return -1;
            }
            if (end < len && !scn_blank(s[end]) && s[end] != '#') {
                if (cx)
                    scn_errorf(cx, (int)(end + 1), "expected a blank after the closing '\"', found '%c'",
                               s[end] >= 0x20 && s[end] < 0x7f ? s[end] : '?');
                return -1;
            }
            t.s = s + i + 1;
            t.len = end - i - 2;
            t.quoted = true;
            i = end;
        } else {
            size_t j = i;
            while (j < len && !scn_blank(s[j]) && s[j] != '#')
                j++;
            t.len = j - i;
            i = j;
        }
        if (ln->n >= SCN_LINE_WORDS_MAX) {
            if (cx)
                scn_errorf(cx, t.col, "expected at most %d words on a line, found more",
                           SCN_LINE_WORDS_MAX);
            return -1;
        }
        if (scn_push(ln, t) < 0) {
            if (cx)
                scn_errorf(cx, t.col, "out of memory");
            return -1;
        }
        ln->endcol = (int)(i + 1);
    }
    if (ln->n == 0)
        ln->indented = false;
    return 0;
}

void scn_line_free(struct scn_line *ln)
{
    free(ln->tok);
    ln->tok = NULL;
    ln->n = ln->cap = 0;
}

/* ---------------------------------------------------------------- token helpers */

bool scn_tok_is(const struct scn_tok *t, const char *word)
{
    return t && !t->quoted && strlen(word) == t->len && memcmp(t->s, word, t->len) == 0;
}

struct scn_tok scn_tok_sub(const struct scn_tok *t, size_t off, size_t len)
{
    struct scn_tok r = { t->s + off, len, t->col + (int)off, false };
    return r;
}

size_t scn_tok_find(const struct scn_tok *t, char c)
{
    const char *p = t->len ? memchr(t->s, c, t->len) : NULL;
    return p ? (size_t)(p - t->s) : t->len;
}

static int scn_hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int scn_unquote(const struct scn_tok *t, uint8_t *out, size_t cap, size_t *outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (c == '\\' && i + 1 < t->len) {
            c = t->s[++i];
            if (c == 'x' && i + 2 < t->len && scn_hexval(t->s[i + 1]) >= 0 &&
                scn_hexval(t->s[i + 2]) >= 0) {
                c = (char)(scn_hexval(t->s[i + 1]) * 16 + scn_hexval(t->s[i + 2]));
                i += 2;
            } else {
                c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
            }
        }
        if (o >= cap)
            return -1;
        out[o++] = (uint8_t)c;
    }
    *outlen = o;
    return 0;
}

/* ---------------------------------------------------------------- pure value parsers */

bool scn_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= len)
        return false;
    uint64_t v = 0;
    for (; i < len; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (d > max || v > (max - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Dotted quad, four decimal octets 0-255 (no inet_aton shorthand or octal). */
bool scn_parse_ipv4(const char *s, size_t len, uint32_t *out)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t st = i;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - st < 3)
            i++;
        uint64_t v;
        if (i == st || !scn_parse_uint(s + st, i - st, 255, &v))
            return false;
        a = (a << 8) | (uint32_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
    }
    if (i != len)
        return false;
    *out = a;
    return true;
}

/* A host or filter name: a letter, then letters, digits, '_', '-' or '.'. */
bool scn_valid_name(const char *s, size_t len)
{
    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- reporting parsers */

int scn_get_uint(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                 uint64_t min, uint64_t max, const char *what, uint64_t *out)
{
    uint64_t v;
    if (!t || t->quoted || !scn_parse_uint(t->s, t->len, max, &v) || v < min)
        return scn_expected(cx, ln, t, what);
    *out = v;
    return 0;
}

/* Fixed-point "D[.F]": integer part and up to `maxfrac` fraction digits. Returns the
 * length consumed, 0 when no digits. */
static size_t scn_decimal(const char *s, size_t len, uint64_t *ip, uint64_t *fp, int *nfrac, int maxfrac)
{
    size_t i = 0;
    *ip = *fp = 0;
    *nfrac = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (*ip > (UINT64_MAX - 9) / 10)
            return 0;
        *ip = *ip * 10 + (uint64_t)(s[i++] - '0');
    }
    if (i == 0)
        return 0;
    if (i < len && s[i] == '.') {
        size_t st = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (*nfrac >= maxfrac)
                return 0;
            *fp = *fp * 10 + (uint64_t)(s[i++] - '0');
            (*nfrac)++;
        }
        if (i == st)
            return 0;
    }
    return i;
}

int scn_get_time(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                 uint64_t *ns)
{
    static const struct { const char *u; uint64_t ns; } units[] = {
        { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    };
    uint64_t ip, fp;
    int nfrac;
    size_t n = t && !t->quoted ? scn_decimal(t->s, t->len, &ip, &fp, &nfrac, 9) : 0;
    if (n == 0)
        return scn_expected(cx, ln, t, "a time such as 500ms or 1.5s");
    struct scn_tok unit = scn_tok_sub(t, n, t->len - n);
    /* A bare zero is zero in every unit; any other number needs one. */
    if (unit.len == 0 && ip == 0 && fp == 0) {
        *ns = 0;
        return 0;
    }
    for (size_t k = 0; k < sizeof units / sizeof *units; k++) {
        if (!scn_tok_is(&unit, units[k].u))
            continue;
        uint64_t scale = 1, u = units[k].ns;
        for (int d = 0; d < nfrac; d++)
            scale *= 10;
        if ((fp * u) % scale != 0)
            return scn_expected(cx, ln, t, "a time in whole nanoseconds");
        /* At most SCN_TIME_MAX (100 years): a start time plus a net's delay plus a TCP
         * timer's backoff must never wrap the 64-bit nanosecond clock (a wrapped arrival
         * would land before the departure). */
        uint64_t whole = ip <= SCN_TIME_MAX / u ? ip * u : UINT64_MAX, frac = fp * u / scale;
        if (whole > SCN_TIME_MAX || SCN_TIME_MAX - whole < frac)
            return scn_expected(cx, ln, t, "a time of at most 100 years (3155760000s), so "
                                "that the virtual clock cannot wrap");
        *ns = whole + frac;
        return 0;
    }
    return scn_expected(cx, ln, t, "a time unit (ns, us, ms or s)");
}

int scn_get_rate(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                 uint32_t *per_s)
{
    size_t slash = t && !t->quoted ? scn_tok_find(t, '/') : 0;
    uint64_t v;
    if (!t || t->quoted || slash == t->len || !scn_parse_uint(t->s, slash, UINT32_MAX, &v) ||
        t->len - slash != 2 || t->s[slash + 1] != 's')
        return scn_expected(cx, ln, t, "a rate N/s");
    *per_s = (uint32_t)v;
    return 0;
}

int scn_get_percent_ppm(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                        uint32_t *ppm)
{
    uint64_t ip, fp;
    int nfrac;
    size_t n = t && !t->quoted ? scn_decimal(t->s, t->len, &ip, &fp, &nfrac, 4) : 0;
    if (n == 0 || n + 1 != t->len || t->s[n] != '%')
        return scn_expected(cx, ln, t, "a percentage such as 0.5% (at most 4 decimals)");
    for (int d = nfrac; d < 4; d++)
        fp *= 10;
    if (ip > 100 || (ip == 100 && fp > 0))
        return scn_expected(cx, ln, t, "a percentage from 0% to 100%");
    *ppm = (uint32_t)(ip * 10000 + fp);
    return 0;
}

int scn_get_flags(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                  uint8_t *flags)
{
    static const char letters[] = "FSRPAUEC"; /* bit i of the flags byte */
    if (scn_tok_is(t, "none")) {
        *flags = 0;
        return 0;
    }
    if (!t || t->quoted || t->len == 0)
        return scn_expected(cx, ln, t, "TCP flags (letters S A F R P U E C, or none)");
    uint8_t f = 0;
    for (size_t i = 0; i < t->len; i++) {
        const char *p = t->s[i] ? strchr(letters, t->s[i]) : NULL;
        if (!p) {
            struct scn_tok c = scn_tok_sub(t, i, 1);
            return scn_expected(cx, ln, &c, "a TCP flag letter (S A F R P U E C)");
        }
        f |= (uint8_t)(1u << (p - letters));
    }
    *flags = f;
    return 0;
}

static int scn_get_port(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                        uint16_t *port)
{
    uint64_t v;
    if (t->len == 0)
        return scn_expected(cx, ln, t, "a port number");
    bool digits = true;
    for (size_t i = 0; i < t->len; i++)
        digits = digits && t->s[i] >= '0' && t->s[i] <= '9';
    if (!digits)
        return scn_expected(cx, ln, t, "a port number");
    if (!scn_parse_uint(t->s, t->len, 65535, &v))
        return scn_expected(cx, ln, t, "a port in 0-65535");
    *port = (uint16_t)v;
    return 0;
}

int scn_get_ports(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                  scn_port_add_fn add, void *arg)
{
    if (!t || t->quoted || t->len == 0)
        return scn_expected(cx, ln, t, "a port list such as 22,80,8000-8010");
    size_t i = 0;
    for (;;) {
        struct scn_tok rest = scn_tok_sub(t, i, t->len - i);
        size_t n = scn_tok_find(&rest, ',');
        struct scn_tok item = scn_tok_sub(t, i, n);
        size_t dash = scn_tok_find(&item, '-');
        struct scn_tok lo_t = scn_tok_sub(&item, 0, dash);
        uint16_t lo, hi;
        if (scn_get_port(cx, ln, &lo_t, &lo) < 0)
            return -1;
        hi = lo;
        if (dash < item.len) {
            struct scn_tok hi_t = scn_tok_sub(&item, dash + 1, item.len - dash - 1);
            if (scn_get_port(cx, ln, &hi_t, &hi) < 0)
                return -1;
            if (hi < lo)
                return scn_expected(cx, ln, &item, "a range LOW-HIGH with LOW <= HIGH");
        }
        if (add(arg, cx, ln, &item, lo, hi) < 0)
            return -1;
        i += n;
        if (i >= t->len)
            return 0;
        i++; /* the comma */
        if (i >= t->len) {
            struct scn_tok empty = scn_tok_sub(t, i, 0);
            return scn_expected(cx, ln, &empty, "a port number");
        }
    }
}
