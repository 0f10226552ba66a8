/* osscan_match.c — scoring a fingerprint against the database as nmap does (osscan.cc
 * expr_match, AVal_match, compare_fingerprints, match_fingerprint).
 *
 * Each attribute present in both the reference and the observation is worth the points the
 * MatchPoints record gives it; it scores them when the observed value matches the
 * reference's expression. Accuracy = points scored / points possible. A reference drops out
 * once it has lost more than (1 - threshold) of its own maximum. The 36 best references are
 * kept, best first, one per name; more than 36 perfect ones is "too many matches".
 * expr_match is kept literally, quirks included (hex compared as strings after leading zeros
 * are dropped; a nested O expression's tail compared with the rest of the whole expression),
 * because students compare our accuracies with nmap's.
 *
 * nmap 7.93 and 7.94 (Debian 12 ships 7.93) matched differently, and a database read from
 * such an nmap (os_db.legacy) is matched their way: os_expr_legacy below, and no points for
 * an R the reference left out (7.93 str2AVal stored only the attributes written; the
 * implied R=Y came with 7.95's FPModel). The differences are large where they bite: in the
 * old expr_match an alternative before a '|' matches any value it begins ("A|AS" takes
 * "AR"; "|M5B4NWENNS" takes every option string), which lifts old Windows prints by three
 * points and more.
 */
#include "scanner/osscan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *os_strchr_p(const char *p, const char *end, char c)
{
    const void *r = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
    return r;
}

/* Nested part of expr_match: "M[>500]ST11" against "M5B4ST11". */
static int os_nested(const char *val, size_t vlen, const char *expr, size_t explen,
                     const char **pp, const char **qq, const char *nest)
{
    const char *p = *pp, *q = *qq, *p_end = expr + explen, *subval = val;
    while (nest) {
        const char *q1 = os_strchr_p(nest, p_end, ']');
        if (!q1)
            return 0;
        if (q && q < q1)
            q = os_strchr_p(q1, p_end, '|');
        size_t sublen = (size_t)(nest - p);
        if (strncmp(p, subval, sublen) != 0)
            break;
        nest++;
        subval += sublen;
        size_t nlen = 0;
        while (isxdigit((unsigned char)subval[nlen]))
            nlen++;
        p = q1 + 1;
        if (nlen > 0 && q1 > nest && os_expr_match(subval, nlen, nest, (size_t)(q1 - nest), false)) {
            subval += nlen;
            nest = os_strchr_p(p, q ? q : p_end, '[');
        } else {
            *qq = q;
            return 0;
        }
    }
    *qq = q;
    if (nest)
        return 0;
    size_t sublen = vlen - (size_t)(subval - val);
    return explen - (size_t)(p - expr) == sublen && !strncmp(subval, p, sublen);
}

/* One alternative of a hex value: ">N", "<N", "A-B" or a plain value. subval/vlen come with
 * the value's leading zeros dropped. 1 match, 0 no, -1 compare as a plain string. */
static int os_hex_alt(const char *subval, size_t vlen, const char *p, size_t sublen,
                      const char *q, const char *p_end)
{
    if (*p == '>' || *p == '<') {
        char op = *p;
        do {
            p++;
            sublen--;
        } while (*p == '0' && sublen > 1);
        int c = vlen == sublen ? strncmp(subval, p, vlen) : 0;
        if (op == '>')
            return vlen > sublen || (vlen == sublen && c > 0);
        return vlen < sublen || (vlen == sublen && c < 0);
    }
    if (!isxdigit((unsigned char)*p))
        return 0;
    while (sublen > 1 && *p == '0') {
        p++;
        sublen--;
    }
    const char *q1 = os_strchr_p(p, q ? q : p_end, '-');
    if (!q1)
        return -1;
    if (q1 == p) {
        p--;
        sublen++;
    }
    size_t sublen1 = (size_t)(q1 - p);
    if (vlen > sublen1 || (vlen == sublen1 && strncmp(subval, p, vlen) >= 0)) {
        p = q1 + 1;
        sublen -= sublen1 + 1;
        while (sublen > 1 && *p == '0') {
            p++;
            sublen--;
        }
        return vlen < sublen || (vlen == sublen && strncmp(subval, p, vlen) <= 0);
    }
    return 0;
}

bool os_expr_match(const char *val, size_t vlen, const char *expr, size_t explen, bool nested)
{
    if (vlen == 0)
        vlen = strlen(val);
    if (explen == 0)
        explen = strlen(expr);
    if (explen == 0)
        return vlen == 0;
    const char *p = expr, *q;
    const char *const p_end = p + explen;
    do {
        const char *subval = val;
        q = os_strchr_p(p, p_end, '|');
        const char *nest = os_strchr_p(p, q ? q : p_end, '[');
        if (vlen == 0) {
            if (q == p || p == p_end)
                return true;
            if (!nest)
                goto next;
        }
        if (nested && nest) {
            if (os_nested(val, vlen, expr, explen, &p, &q, nest))
                return true;
            goto next;
        }
        size_t sublen = q ? (size_t)(q - p) : explen - (size_t)(p - expr);
        if (isxdigit((unsigned char)*subval)) {
            /* nmap strips the value's leading zeros in place: vlen stays shortened. */
            while (*subval == '0' && vlen > 1) {
                subval++;
                vlen--;
            }
            int r = os_hex_alt(subval, vlen, p, sublen, q, p_end);
            if (r >= 0) {
                if (r)
                    return true;
                goto next;
            }
            while (sublen > 1 && *p == '0') {
                p++;
                sublen--;
            }
        }
        if (vlen == sublen && !strncmp(p, subval, vlen))
            return true;
next:
        if (q)
            p = q + 1;
    } while (q);
    return false;
}

/* osscan.cc expr_match as of nmap 7.93 (git 9732e6979), kept literally: a value that reads
 * whole as hex is compared by number with "<N", ">N" and "A-B" (the first '-' anywhere in the
 * rest of the expression decides that the alternative is a range); anything else by
 * strncmp over the alternative's length, so an alternative before a '|' matches every value
 * it is a prefix of, and an empty one matches all. */
bool os_expr_legacy(const char *val, const char *expr)
{
    char *end;
    unsigned int vnum = (unsigned int)strtol(val, &end, 16);
    bool numeric = !*end;
    const char *p = expr, *q;
    do {
        q = strchr(p, '|');
        const char *q1;
        if (numeric && (*p == '<' || *p == '>')) {
            unsigned int e = (unsigned int)strtol(p + 1, &end, 16);
            if ((end == q || !*end) && ((*p == '<' && vnum < e) || (*p == '>' && vnum > e)))
                return true;
        } else if (numeric && (q1 = strchr(p, '-')) != NULL) {
            unsigned int lo = (unsigned int)strtol(p, &end, 16);
            if (end == q1) {
                unsigned int hi = (unsigned int)strtol(q1 + 1, &end, 16);
                if ((end == q || !*end) && vnum >= lo && vnum <= hi)
                    return true;
            }
        } else if ((q && !strncmp(p, val, (size_t)(q - p))) || (!q && !strcmp(p, val))) {
            return true;
        }
        if (q)
            p = q + 1;
    } while (q);
    return false;
}

double os_compare(const struct os_db *db, const struct os_ref *ref, const struct os_obs *obs,
                  double threshold)
{
    unsigned long total = 0, ok = 0;
    unsigned long max_mismatch = (unsigned long)((1.0 - threshold) * ref->maxpoints);
    for (int t = 0; t < OS_NTESTS; t++) {
        if (!(ref->p.tests & obs->p.tests & (1u << t)))
            continue;
        int na = os_test_nattrs(t);
        for (int a = 0; a < na; a++) {
            const char *rv = os_val(&ref->p, db->text, t, a);
            const char *ov = os_val(&obs->p, obs->pool, t, a);
            if (!rv || !ov || (db->legacy && a == 0 && (ref->r_implied >> t & 1)))
                continue;
            unsigned pts = db->points[t][a];
            total += pts;
            bool nested = t == OS_OPS || !strcmp(os_attr_name(t, a), "O");
            if (db->legacy ? os_expr_legacy(ov, rv) : os_expr_match(ov, 0, rv, 0, nested))
                ok += pts;
        }
        if (total - ok > max_mismatch)
            break;
    }
    return total ? (double)ok / (double)total : 0;
}

/* Inserts ref at its place by accuracy (match_fingerprint's shifting insertion). */
static void os_insert(struct os_matches *out, const struct os_ref *ref, double acc)
{
    int idx = 0;
    while (idx < out->n && out->acc[idx] >= acc)
        idx++;
    if (idx >= OS_MAX_RESULTS)
        return;
    int last = out->n < OS_MAX_RESULTS ? out->n : OS_MAX_RESULTS - 1;
    for (int k = last; k > idx; k--) {
        out->m[k] = out->m[k - 1];
        out->acc[k] = out->acc[k - 1];
    }
    out->m[idx] = ref;
    out->acc[idx] = acc;
    if (out->n < OS_MAX_RESULTS)
        out->n++;
}

void os_match(const struct os_db *db, const struct os_obs *obs, double threshold,
              struct os_matches *out)
{
    memset(out, 0, sizeof *out);
    out->overall = OS_SUCCESS;
    double entry = threshold;
    for (size_t i = 0; i < db->nrefs; i++) {
        const struct os_ref *ref = &db->refs[i];
        double acc = os_compare(db, ref, obs, entry);
        if (!(acc >= entry || acc == 1.0))
            continue;
        bool skip = false;
        for (int k = 0; k < out->n; k++) {
            if (strcmp(out->m[k]->name, ref->name))
                continue;
            if (out->acc[k] >= acc) {
                skip = true;
            } else {   /* a better print of the same name replaces it */
                memmove(out->m + k, out->m + k + 1, (size_t)(out->n - 1 - k) * sizeof out->m[0]);
                memmove(out->acc + k, out->acc + k + 1, (size_t)(out->n - 1 - k) * sizeof out->acc[0]);
                out->n--;
                out->acc[out->n] = 0;
            }
            break;
        }
        if (skip)
            continue;
        if (acc == 1.0) {
            if (out->nperfect == OS_MAX_RESULTS) {
                out->overall = OS_TOOMANY;
                return;
            }
            out->nperfect++;
        }
        os_insert(out, ref, acc);
        if (out->n == OS_MAX_RESULTS) {
            entry = out->acc[OS_MAX_RESULTS - 1] + 0.00001;
            if (entry > 1.0)
                entry = 1.0;
        }
    }
    if (out->n == 0 && out->overall == OS_SUCCESS)
        out->overall = OS_NOMATCHES;
}
