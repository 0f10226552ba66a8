/* targets.c — expands nmap target specifications into a sorted array of IPv4 addresses.
 *
 * Follows nmap's libnetutil/NetBlock.cc (octet ranges, CIDR) and targets.cc/nmap.cc (-iL,
 * --exclude, --excludefile), as summarised in docs/facts/nmap.md section 7. A spec is
 * parsed into four 256-bit octet sets: a dotted quad sets one value per octet, an octet form
 * ("10.0.0-255.1-254", "192.168.3-5,7.1", "*", "-5", "250-") several, and "/N" widens the host
 * bits of every set (so CIDR includes network and broadcast, as nmap). Anything that is not an
 * octet form is a host name, resolved by the caller's callback; like nmap, a malformed address
 * such as "10.0.0.300" therefore ends as 'Failed to resolve "10.0.0.300".'. The address count
 * is checked before expanding, so "0.0.0.0/0" is refused without allocating anything.
 */
#include "scanner/targets.h"

#include "lib/infile.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Which values each of the four octets may take. */
struct targets_octets {
    uint64_t set[4][4];
};

static void tg_set(struct targets_octets *o, int i, unsigned v)
{
    o->set[i][v >> 6] |= UINT64_C(1) << (v & 63);
}

static bool tg_has(const struct targets_octets *o, int i, unsigned v)
{
    return (o->set[i][v >> 6] >> (v & 63)) & 1;
}

static uint64_t tg_count(const struct targets_octets *o)
{
    uint64_t n = 1;
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0;
        for (int w = 0; w < 4; w++) c += (uint64_t)__builtin_popcountll(o->set[i][w]);
        n *= c;
    }
    return n;
}

void targets_init(struct target_list *t)
{
    memset(t, 0, sizeof *t);
}

void targets_free(struct target_list *t)
{
    free(t->addrs);
    free(t->names);
    targets_init(t);
}

const char *targets_fmt(uint32_t a, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

/* A decimal octet value 0..255 at *p; -1 if none or too big. */
static long tg_octet_num(const char **p)
{
    const char *s = *p;
    long v = 0;
    if (!isdigit((unsigned char)*s)) return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        if (v > 255) return -1;
    }
    *p = s;
    return v;
}

/* One octet of an octet form, from s to end: "*", or comma-joined "a", "a-b", "-b", "a-". */
static int tg_parse_octet(struct targets_octets *o, int i, const char *s, const char *end)
{
    if (end - s == 1 && *s == '*') {
        for (unsigned v = 0; v < 256; v++) tg_set(o, i, v);
        return 0;
    }
    if (s == end) return -1;
    while (s < end) {
        long lo = 0, hi;
        if (*s != '-' && (lo = tg_octet_num(&s)) < 0) return -1;
        if (s < end && *s == '-') {
            s++;
            hi = 255;
            if (s < end && *s != ',' && (hi = tg_octet_num(&s)) < 0) return -1;
        } else {
            hi = lo;
        }
        if (lo > hi) return -1;
        for (long v = lo; v <= hi; v++) tg_set(o, i, (unsigned)v);
        if (s < end) {
            if (*s != ',') return -1;
            s++;
            if (s == end) return -1;
        }
    }
    return 0;
}

/* "a.b.c.d" with octet forms; 0, or -1 when it is not an octet form (then: a host name). */
static int tg_parse_octets(struct targets_octets *o, const char *s)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < 4; i++) {
        const char *end = strchr(s, '.');
        if (i == 3) end = s + strlen(s);
        else if (!end) return -1;
        if (tg_parse_octet(o, i, s, end) < 0) return -1;
        s = end + (i < 3);
    }
    return 0;
}

int targets_parse_quad(const char *s, uint32_t *addr)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        long v = tg_octet_num(&s);
        if (v < 0) return -1;
        a = a << 8 | (uint32_t)v;
        if (i < 3 && *s++ != '.') return -1;
    }
    if (*s) return -1;
    *addr = a;
    return 0;
}

/* "/bits": every value of the host bits, in every octet (NetBlock's apply_netmask). */
static void tg_apply_mask(struct targets_octets *o, int bits)
{
    for (int i = 0; i < 4; i++) {
        int keep = bits - 8 * i; /* network bits inside this octet */
        if (keep >= 8) continue;
        if (keep < 0) keep = 0;
        unsigned hostmask = (1u << (8 - keep)) - 1;
        struct targets_octets tmp = *o;
        for (unsigned v = 0; v < 256; v++)
            if (tg_has(&tmp, i, v))
                for (unsigned h = 0; h <= hostmask; h++) tg_set(o, i, (v & ~hostmask) | h);
    }
}

static int tg_reserve(struct target_list *t, size_t more)
{
    if (t->n + more <= t->cap) return 0;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->n + more) cap *= 2;
    uint32_t *a = realloc(t->addrs, cap * sizeof *a);
    if (!a) return -1;
    t->addrs = a;
    t->cap = cap;
    return 0;
}

static void tg_add_name(struct target_list *t, uint32_t addr, const char *name)
{
    if (targets_name_of(t, addr)) return;
    if (t->nnames == t->capnames) {
        size_t cap = t->capnames ? t->capnames * 2 : 8;
        struct target_name *n = realloc(t->names, cap * sizeof *n);
        if (!n) return; /* a missing name only shortens a report line */
        t->names = n;
        t->capnames = cap;
    }
    t->names[t->nnames].addr = addr;
    /* Longer names are cut to the report's field (a name is only a label). */
    size_t n = strnlen(name, sizeof t->names[0].name - 1);
    memcpy(t->names[t->nnames].name, name, n);
    t->names[t->nnames].name[n] = '\0';
    t->nnames++;
}

const char *targets_name_of(const struct target_list *t, uint32_t addr)
{
    for (size_t i = 0; i < t->nnames; i++)
        if (t->names[i].addr == addr) return t->names[i].name;
    return NULL;
}

static int tg_expand(struct target_list *t, const struct targets_octets *o, const char *spec,
                     char *err, size_t errlen)
{
    uint64_t n = tg_count(o);
    if (t->n + n > TARGETS_MAX) {
        snprintf(err, errlen,
                 "Too many targets: \"%s\" brings the total to %llu addresses; tcplab scans at "
                 "most %d (a /8).",
                 spec, (unsigned long long)(t->n + n), TARGETS_MAX);
        return -1;
    }
    if (tg_reserve(t, (size_t)n) < 0) {
        snprintf(err, errlen, "Out of memory expanding \"%s\"", spec);
        return -1;
    }
    for (unsigned a = 0; a < 256; a++) {
        if (!tg_has(o, 0, a)) continue;
        for (unsigned b = 0; b < 256; b++) {
            if (!tg_has(o, 1, b)) continue;
            for (unsigned c = 0; c < 256; c++) {
                if (!tg_has(o, 2, c)) continue;
                for (unsigned d = 0; d < 256; d++)
                    if (tg_has(o, 3, d)) t->addrs[t->n++] = a << 24 | b << 16 | c << 8 | d;
            }
        }
    }
    return 0;
}

int targets_add_spec(struct target_list *t, const char *spec, const struct targets_cfg *cfg,
                     char *err, size_t errlen)
{
    char host[TARGETS_ENTRY_MAX + 1];
    size_t len = strlen(spec);
    if (len == 0 || len > TARGETS_ENTRY_MAX) {
        snprintf(err, errlen, "Unable to parse target specification \"%.64s\"", spec);
        return -1;
    }
    memcpy(host, spec, len + 1);
    int bits = 32;
    char *slash = strrchr(host, '/');
    if (slash) {
        *slash = '\0';
        const char *m = slash + 1;
        char *end;
        errno = 0;
        long v = strtol(m, &end, 10);
        if (!isdigit((unsigned char)*m) || *end || errno || host[0] == '\0') {
            snprintf(err, errlen, "Unable to parse target specification \"%s\"", spec);
            return -1;
        }
        if (v > 32) {
            if (cfg && cfg->warn)
                fprintf(cfg->warn, "Illegal netmask in \"%s\". Assuming /32 (one host)\n", spec);
            v = 32;
        }
        bits = (int)v;
    }
    struct targets_octets o;
    if (tg_parse_octets(&o, host) < 0) {
        uint32_t a;
        if (!cfg || !cfg->resolve || cfg->resolve(cfg->resolve_ctx, host, &a) != 0) {
            snprintf(err, errlen, "Failed to resolve \"%s\".", host);
            return -1;
        }
        memset(&o, 0, sizeof o);
        for (int i = 0; i < 4; i++) tg_set(&o, i, (a >> (24 - 8 * i)) & 255);
        tg_add_name(t, a, host);
    }
    if (bits < 32) tg_apply_mask(&o, bits);
    return tg_expand(t, &o, spec, err, errlen);
}

/* Whether a comma piece continues the previous one as more values of its last octet(s): it
 * has no letters, and either the previous piece has fewer than three dots or it has none. */
static bool tg_continues(const char *acc, const char *piece)
{
    int dots = 0, pdots = 0;
    for (const char *p = acc; *p; p++) dots += *p == '.';
    for (const char *p = piece; *p; p++) {
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '*')) return false;
        pdots += *p == '.';
    }
    return *piece && (dots < 3 || pdots == 0) && !strchr(acc, '/');
}

int targets_add_list(struct target_list *t, const char *list, const struct targets_cfg *cfg,
                     char *err, size_t errlen)
{
    char acc[TARGETS_ENTRY_MAX + 1] = "";
    const char *p = list;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char piece[TARGETS_ENTRY_MAX + 1];
        if (n > TARGETS_ENTRY_MAX) {
            snprintf(err, errlen, "Target specification too long in \"%.64s...\"", list);
            return -1;
        }
        memcpy(piece, p, n);
        piece[n] = '\0';
        if (acc[0] && tg_continues(acc, piece)) {
            size_t al = strlen(acc);
            if (al + 1 + n > TARGETS_ENTRY_MAX) {
                snprintf(err, errlen, "Target specification too long in \"%.64s...\"", list);
                return -1;
            }
            acc[al] = ',';
            memcpy(acc + al + 1, piece, n + 1);
        } else {
            if (acc[0] && targets_add_spec(t, acc, cfg, err, errlen) < 0) return -1;
            memcpy(acc, piece, n + 1);
        }
        if (!c) break;
        p = c + 1;
    }
    if (acc[0]) return targets_add_spec(t, acc, cfg, err, errlen);
    return 0;
}

int targets_add_stream(struct target_list *t, FILE *in, const char *what,
                       const struct targets_cfg *cfg, char *err, size_t errlen)
{
    char entry[TARGETS_ENTRY_MAX + 1];
    size_t n = 0;
    bool comment = false;
    for (;;) {
        int ch = getc(in);
        if (ch == '\n') comment = false;
        if (ch == '#') comment = true;
        if (ch == EOF || comment || isspace(ch)) {
            if (n) {
                entry[n] = '\0';
                n = 0;
                if (targets_add_spec(t, entry, cfg, err, errlen) < 0) return -1;
            }
            if (ch == EOF) break;
            continue;
        }
        if (n == TARGETS_ENTRY_MAX) {
            snprintf(err, errlen, "An entry in %s is longer than %d characters", what,
                     TARGETS_ENTRY_MAX);
            return -1;
        }
        entry[n++] = (char)ch;
    }
    if (ferror(in)) {
        snprintf(err, errlen, "Error reading %s", what);
        return -1;
    }
    return 0;
}

int targets_add_file(struct target_list *t, const char *path, const struct targets_cfg *cfg,
                     char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) return targets_add_stream(t, stdin, "stdin", cfg, err, errlen);
    char why[400];
    FILE *f = infile_open(path, why, sizeof why);   /* a directory, a FIFO: lib/infile.h */
    if (!f) {
        snprintf(err, errlen, "Failed to open input file %s", why);
        return -1;
    }
    int rc = targets_add_stream(t, f, path, cfg, err, errlen);
    infile_close(f);
    return rc;
}

static int tg_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool tg_sorted(const struct target_list *t)
{
    for (size_t i = 1; i < t->n; i++)
        if (t->addrs[i - 1] >= t->addrs[i]) return false;
    return true;
}

static bool tg_member(const struct target_list *ex, bool sorted, uint32_t a)
{
    if (sorted) return bsearch(&a, ex->addrs, ex->n, sizeof a, tg_cmp) != NULL;
    for (size_t i = 0; i < ex->n; i++)
        if (ex->addrs[i] == a) return true;
    return false;
}

void targets_finish(struct target_list *t, const struct target_list *ex)
{
    if (t->n > 1 && !tg_sorted(t)) qsort(t->addrs, t->n, sizeof t->addrs[0], tg_cmp);
    /* An unfinished exclude list is sorted in a private copy, so lookups stay O(log n). */
    struct target_list sorted = {0};
    bool exsorted = ex && tg_sorted(ex);
    if (ex && !exsorted && ex->n > 16) {
        sorted.addrs = malloc(ex->n * sizeof *sorted.addrs);
        if (sorted.addrs) {
            memcpy(sorted.addrs, ex->addrs, ex->n * sizeof *sorted.addrs);
            qsort(sorted.addrs, ex->n, sizeof *sorted.addrs, tg_cmp);
            sorted.n = ex->n;
            ex = &sorted;
            exsorted = true;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (k && t->addrs[k - 1] == t->addrs[i]) continue;
        if (ex && ex->n && tg_member(ex, exsorted, t->addrs[i])) continue;
        t->addrs[k++] = t->addrs[i];
    }
    t->n = k;
    free(sorted.addrs);
}
