/* service_match.c — nmap's match rules run by PCRE2 (service_match.h).
 *
 * Why PCRE2: the rules are written for it (nmap's own matcher is PCRE2 with the same
 * options); a matcher of our own would disagree with nmap on some of its 12,000 rules. A
 * pattern compiles once, on first use, with PCRE2_DOTALL for /s and PCRE2_CASELESS for /i,
 * and runs on the raw bytes (no UTF mode: responses are binary). The templates are filled as
 * nmap's dotmplsubst does; text longer than SVC_TEXT_MAX is cut.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "scanner/service_match.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

void svc_match_release(struct svc_match *m)
{
    if (m->re)
        pcre2_code_free(m->re);
    m->re = NULL;
}

static pcre2_code *sm_compiled(struct svc_match *m)
{
    if (m->re || m->re_failed)
        return m->re;
    int ec;
    PCRE2_SIZE eo;
    uint32_t opt = (m->icase ? PCRE2_CASELESS : 0) | (m->dotall ? PCRE2_DOTALL : 0);
    m->re = pcre2_compile((PCRE2_SPTR)m->pattern, PCRE2_ZERO_TERMINATED, opt, &ec, &eo, NULL);
    m->re_failed = m->re == NULL;
    return m->re;
}

/* Appends [s, s+n) to out (cap, *o so far), cut at cap - 1. */
static void sm_put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *o + 1 < cap; i++)
        out[(*o)++] = s[i];
    out[*o] = '\0';
}

/* The capture k of the last match, or NULL. */
static const uint8_t *sm_group(pcre2_match_data *md, int rc, const uint8_t *subj, int k,
                               size_t *len)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (k < 0 || k >= rc || ov[2 * k] == PCRE2_UNSET)
        return NULL;
    *len = ov[2 * k + 1] - ov[2 * k];
    return subj + ov[2 * k];
}

/* A quoted argument "..." at p; advances past it. */
static bool sm_quoted(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    if (*s != '"')
        return false;
    const char *e = strchr(s + 1, '"');
    if (!e || (size_t)(e - s - 1) >= cap)
        return false;
    memcpy(out, s + 1, (size_t)(e - s - 1));
    out[e - s - 1] = '\0';
    *p = e + 1;
    return true;
}

/* $P(n), $SUBST(n,"a","b"), $I(n,">"): one helper call at *pp (just past '$'). */
static bool sm_helper(const char **pp, pcre2_match_data *md, int rc, const uint8_t *subj,
                      char *out, size_t cap, size_t *o)
{
    const char *p = *pp;
    int kind = strncmp(p, "P(", 2) == 0 ? 'P' : strncmp(p, "SUBST(", 6) == 0 ? 'S'
               : strncmp(p, "I(", 2) == 0 ? 'I' : 0;
    if (!kind)
        return false;
    p += kind == 'S' ? 6 : 2;
    if (*p < '0' || *p > '9')
        return false;
    int k = *p++ - '0';
    char a[32] = "", b[32] = "";
    if (kind != 'P' && (*p++ != ',' || !sm_quoted(&p, a, sizeof a)))
        return false;
    if (kind == 'S' && (*p++ != ',' || !sm_quoted(&p, b, sizeof b)))
        return false;
    if (*p++ != ')')
        return false;
    size_t n = 0;
    const uint8_t *g = sm_group(md, rc, subj, k, &n);
    if (g && kind == 'P') {
        for (size_t i = 0; i < n; i++)
            if (g[i] >= 0x20 && g[i] < 0x7f)
                sm_put(out, cap, o, (const char *)g + i, 1);
    } else if (g && kind == 'S') {
        size_t al = strlen(a);
        for (size_t i = 0; i < n;) {
            if (al && i + al <= n && memcmp(g + i, a, al) == 0) {
                sm_put(out, cap, o, b, strlen(b));
                i += al;
            } else {
                sm_put(out, cap, o, (const char *)g + i++, 1);
            }
        }
    } else if (g && kind == 'I' && n >= 1 && n <= 4) {
        unsigned long v = 0;
        for (size_t i = 0; i < n; i++)
            v = a[0] == '<' ? v | (unsigned long)g[i] << (8 * i) : v << 8 | g[i];
        char num[16];
        int w = snprintf(num, sizeof num, "%lu", v);
        sm_put(out, cap, o, num, (size_t)w);
    }
    *pp = p;
    return true;
}

static void sm_fill(const char *tmpl, pcre2_match_data *md, int rc, const uint8_t *subj,
                    char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = tmpl; *p;) {
        if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
            size_t n = 0;
            const uint8_t *g = sm_group(md, rc, subj, p[1] - '0', &n);
            if (g)
                sm_put(out, cap, &o, (const char *)g, n);
            p += 2;
            continue;
        }
        if (*p == '$') {
            const char *q = p + 1;
            if (sm_helper(&q, md, rc, subj, out, cap, &o)) {
                p = q;
                continue;
            }
        }
        sm_put(out, cap, &o, p++, 1);
    }
}

bool svc_match_one(struct svc_match *m, const uint8_t *resp, size_t n, struct svc_result *r)
{
    pcre2_code *re = sm_compiled(m);
    if (!re)
        return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        return false;
    int rc = pcre2_match(re, (PCRE2_SPTR)(resp ? resp : (const uint8_t *)""), n, 0, 0, md, NULL);
    if (rc == 0)
        rc = 1;                      /* ovector too small: the whole match still counts */
    bool ok = rc > 0;
    if (ok) {
        memset(r, 0, sizeof *r);
        snprintf(r->service, sizeof r->service, "%s", m->service);
        r->soft = m->soft;
        r->line = m->line;
        for (int f = 0; f < SVC_NFIELDS; f++)
            if (m->field[f])
                sm_fill(m->field[f], md, rc, resp, r->field[f], sizeof r->field[f]);
        for (int k = 0; k < m->ncpe; k++)
            sm_fill(m->cpe[k], md, rc, resp, r->cpe[k], sizeof r->cpe[k]);
        r->ncpe = m->ncpe;
    }
    pcre2_match_data_free(md);
    return ok;
}

int svc_match_probe(struct svc_probe *p, const uint8_t *resp, size_t n, struct svc_result *r,
                    const char *only_service)
{
    struct svc_result soft;
    bool have_soft = false;
    for (size_t i = 0; i < p->nm; i++) {
        struct svc_match *m = &p->m[i];
        if (only_service && strcmp(m->service, only_service) != 0)
            continue;
        if (m->soft && have_soft)
            continue;
        if (!svc_match_one(m, resp, n, m->soft ? &soft : r))
            continue;
        if (!m->soft)
            return 1;
        have_soft = true;
    }
    if (have_soft) {
        *r = soft;
        return 2;
    }
    return 0;
}
