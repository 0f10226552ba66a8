/* osscan_fp.c — an OS fingerprint and its text: nmap's thirteen tests and their attributes
 * (osscan.cc FingerPrintDef::test_attrs), test2str, mergeFPs, WriteSInfo's SCAN line and
 * the "OS:" wrapping of output.cc (FP_RESULT_WRAP_LINE_LEN 74). Values are short strings
 * kept in a per-fingerprint pool, so a fingerprint is one flat struct with no allocation.
 */
#include "scanner/osscan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const os_names[OS_NTESTS] = {
    "SEQ", "OPS", "WIN", "ECN", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "U1", "IE",
};

static const char *const os_attrs[OS_NTESTS][OS_MAX_ATTRS] = {
    {"SP", "GCD", "ISR", "TI", "CI", "II", "SS", "TS"},
    {"O1", "O2", "O3", "O4", "O5", "O6"},
    {"W1", "W2", "W3", "W4", "W5", "W6"},
    {"R", "DF", "T", "TG", "W", "O", "CC", "Q"},
    {"R", "DF", "T", "TG", "S", "A", "F", "RD", "Q"},
    {"R", "DF", "T", "TG", "W", "S", "A", "F", "O", "RD", "Q"},
    {"R", "DF", "T", "TG", "W", "S", "A", "F", "O", "RD", "Q"},
    {"R", "DF", "T", "TG", "W", "S", "A", "F", "O", "RD", "Q"},
    {"R", "DF", "T", "TG", "W", "S", "A", "F", "O", "RD", "Q"},
    {"R", "DF", "T", "TG", "W", "S", "A", "F", "O", "RD", "Q"},
    {"R", "DF", "T", "TG", "W", "S", "A", "F", "O", "RD", "Q"},
    {"R", "DF", "T", "TG", "IPL", "UN", "RIPL", "RID", "RIPCK", "RUCK", "RUD"},
    {"R", "DFI", "T", "TG", "CD"},
};

const char *os_test_name(int t)
{
    return t >= 0 && t < OS_NTESTS ? os_names[t] : "?";
}

int os_test_nattrs(int t)
{
    int n = 0;
    while (n < OS_MAX_ATTRS && os_attrs[t][n])
        n++;
    return n;
}

const char *os_attr_name(int t, int a)
{
    return os_attrs[t][a];
}

int os_test_by_name(const char *s, size_t n)
{
    for (int t = 0; t < OS_NTESTS; t++)
        if (strlen(os_names[t]) == n && !memcmp(os_names[t], s, n))
            return t;
    return -1;
}

int os_attr_by_name(int t, const char *s, size_t n)
{
    for (int a = 0; a < OS_MAX_ATTRS && os_attrs[t][a]; a++)
        if (strlen(os_attrs[t][a]) == n && !memcmp(os_attrs[t][a], s, n))
            return a;
    return -1;
}

void os_obs_init(struct os_obs *o)
{
    memset(&o->p, 0, sizeof o->p);
    o->pool[0] = '\0';
    o->used = 1;
}

void os_obs_test(struct os_obs *o, int t)
{
    o->p.tests |= (uint16_t)(1u << t);
}

void os_obs_set(struct os_obs *o, int t, const char *attr, const char *val)
{
    int a = os_attr_by_name(t, attr, strlen(attr));
    if (a < 0)
        return;
    os_obs_test(o, t);
    if (!val) {
        o->p.off[t][a] = 0;
        return;
    }
    size_t n = strlen(val) + 1;
    if (o->used + n > sizeof o->pool)
        return;   /* cannot happen: a fingerprint's values fit many times over */
    memcpy(o->pool + o->used, val, n);
    o->p.off[t][a] = o->used;
    o->used += (uint32_t)n;
}

void os_obs_setf(struct os_obs *o, int t, const char *attr, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    os_obs_set(o, t, attr, buf);
}

const char *os_obs_get(const struct os_obs *o, int t, const char *attr)
{
    int a = os_attr_by_name(t, attr, strlen(attr));
    return a < 0 ? NULL : os_val(&o->p, o->pool, t, a);
}

size_t os_test_str(const struct os_print *p, const char *pool, int t, char *buf, size_t cap)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s(", os_names[t]);
    bool any = false;
    for (int a = 0; a < OS_MAX_ATTRS && os_attrs[t][a]; a++) {
        const char *v = os_val(p, pool, t, a);
        if (!v)
            continue;
        n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s=%s", any ? "%" : "",
                              os_attrs[t][a], v);
        any = true;
    }
    n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, ")");
    return n;
}

/* Two observations of test t are the same when every attribute agrees (FingerTestCmp). */
static bool os_test_same(const struct os_obs *a, const struct os_obs *b, int t)
{
    for (int k = 0; k < OS_MAX_ATTRS && os_attrs[t][k]; k++) {
        const char *x = os_val(&a->p, a->pool, t, k), *y = os_val(&b->p, b->pool, t, k);
        if (!x != !y || (x && strcmp(x, y)))
            return false;
    }
    return true;
}

/* FingerTestCmp's order among different observations of one test: attribute by attribute,
 * absent first, then strcmp. */
static int os_test_cmp(const struct os_obs *a, const struct os_obs *b, int t)
{
    for (int k = 0; k < OS_MAX_ATTRS && os_attrs[t][k]; k++) {
        const char *x = os_val(&a->p, a->pool, t, k), *y = os_val(&b->p, b->pool, t, k);
        if (!x && !y)
            continue;
        if (!x)
            return -1;
        if (!y)
            return 1;
        int c = strcmp(x, y);
        if (c)
            return c;
    }
    return 0;
}

static size_t os_scan_line(const struct os_scaninfo *si, char *buf, size_t cap)
{
    char ot[16] = "", ct[16] = "", cu[16] = "", ds[24] = "", dc[8] = "";
    if (si->open_port >= 0) snprintf(ot, sizeof ot, "%d", si->open_port);
    if (si->closed_port >= 0) snprintf(ct, sizeof ct, "%d", si->closed_port);
    if (si->closed_udp >= 0) snprintf(cu, sizeof cu, "%d", si->closed_udp);
    if (si->distance >= 0) snprintf(ds, sizeof ds, "%%DS=%d", si->distance);
    if (si->dist_method) snprintf(dc, sizeof dc, "%%DC=%c", si->dist_method);
    time_t tt = (time_t)si->unix_time;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return (size_t)snprintf(buf, cap,
                            "SCAN(V=%s%%E=4%%D=%d/%d%%OT=%s%%CT=%s%%CU=%s%%PV=%c%s%s%%G=%c"
                            "%%TM=%X%%P=%s)",
                            "0.1", tm.tm_mon + 1, tm.tm_mday, ot, ct, cu,
                            si->reserved_addr ? 'Y' : 'N', ds, dc, si->good ? 'Y' : 'N',
                            (unsigned)si->unix_time, "tcplab");
}

/* The merged, unwrapped text: SCAN line, then each distinct test, each followed by '\n'. */
static size_t os_merge_lines(const struct os_obs *const *fps, int nfps,
                             const struct os_scaninfo *si, char *buf, size_t cap)
{
    size_t n = os_scan_line(si, buf, cap);
    if (n < cap) buf[n] = '\n';
    n++;
    for (int t = 0; t < OS_NTESTS; t++) {
        /* Distinct observations of t, written in FingerTestCmp order (a set's iteration). */
        int idx[OS_MAX_TRIES], k = 0;
        for (int i = 0; i < nfps && i < OS_MAX_TRIES; i++) {
            if (!(fps[i]->p.tests & (1u << t)))
                continue;
            bool dup = false;
            for (int j = 0; j < k && !dup; j++)
                dup = os_test_same(fps[idx[j]], fps[i], t);
            if (dup)
                continue;
            int pos = k++;
            while (pos > 0 && os_test_cmp(fps[idx[pos - 1]], fps[i], t) > 0) {
                idx[pos] = idx[pos - 1];
                pos--;
            }
            idx[pos] = i;
        }
        for (int j = 0; j < k; j++) {
            n += os_test_str(&fps[idx[j]]->p, fps[idx[j]]->pool, t, buf + (n < cap ? n : cap),
                             n < cap ? cap - n : 0);
            if (n < cap) buf[n] = '\n';
            n++;
        }
    }
    if (cap)
        buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

size_t os_merge(const struct os_obs *const *fps, int nfps, const struct os_scaninfo *si,
                bool wrap, char *buf, size_t cap)
{
    if (!wrap)
        return os_merge_lines(fps, nfps, si, buf, cap);
    char flat[8192];
    size_t len = os_merge_lines(fps, nfps, si, flat, sizeof flat);
    if (len >= sizeof flat)
        len = sizeof flat - 1;
    /* output.cc wrap(): newlines removed, then "OS:" and 71 characters a line. */
    size_t m = 0;
    for (size_t i = 0; i < len; i++)
        if (flat[i] != '\n')
            flat[m++] = flat[i];
    size_t n = 0;
    for (size_t i = 0; i < m; i += 71) {
        size_t k = m - i < 71 ? m - i : 71;
        n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, "OS:%.*s\n",
                              (int)k, flat + i);
    }
    if (cap && n >= cap)
        buf[cap - 1] = '\0';
    return n;
}

/* One "T1(R=Y%DF=Y)" test of os_obs_parse, already unwrapped, [b, e). */
static int os_parse_test(struct os_obs *o, const char *b, const char *e, char *err,
                         size_t errlen)
{
    const char *q = memchr(b, '(', (size_t)(e - b));
    int t = q ? os_test_by_name(b, (size_t)(q - b)) : -1;
    if (t < 0) {
        snprintf(err, errlen, "unknown test '%.*s'", (int)(q ? q - b : e - b), b);
        return -1;
    }
    if (o->p.tests & (1u << t))
        return 0;
    os_obs_test(o, t);
    for (const char *p = q + 1; p < e;) {
        const char *pc = memchr(p, '%', (size_t)(e - p));
        const char *end = pc ? pc : e;
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq) {
            snprintf(err, errlen, "%s: expected ATTR=VALUE, not '%.*s'", os_names[t],
                     (int)(end - p), p);
            return -1;
        }
        int a = os_attr_by_name(t, p, (size_t)(eq - p));
        if (a < 0) {
            snprintf(err, errlen, "%s: unknown attribute '%.*s'", os_names[t], (int)(eq - p), p);
            return -1;
        }
        char v[64];
        snprintf(v, sizeof v, "%.*s", (int)(end - eq - 1), eq + 1);
        os_obs_set(o, t, os_attrs[t][a], v);
        p = end + 1;
    }
    return 0;
}

int os_obs_parse(struct os_obs *o, const char *text, char *err, size_t errlen)
{
    os_obs_init(o);
    char flat[8192];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof flat; p++) {
        if ((p == text || p[-1] == '\n') && !strncmp(p, "OS:", 3)) {
            p += 2;
            continue;
        }
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            flat[n++] = *p;
    }
    flat[n] = '\0';
    for (char *p = flat; *p;) {
        char *close = strchr(p, ')');
        if (!close) {
            snprintf(err, errlen, "unterminated test '%.20s'", p);
            return -1;
        }
        if (strncmp(p, "SCAN(", 5) && os_parse_test(o, p, close, err, errlen) < 0)
            return -1;
        p = close + 1;
    }
    return 0;
}
