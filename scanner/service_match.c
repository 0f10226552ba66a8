/* service_match.c — nmap's match rules run by PCRE2 (service_match.h).
 *
 * Why PCRE2: the rules are written for it (nmap's own matcher is PCRE2 with the same
 * options); a matcher of our own would disagree with nmap on some of its 12,000 rules. A
 * pattern compiles once, on first use, with PCRE2_DOTALL for /s and PCRE2_CASELESS for /i,
 * and runs on the raw bytes (no UTF mode: responses are binary) under nmap's limits (match
 * 50000, depth 1000: service_scan.cc InitMatch), so a pathological rule gives up instead of
 * running away. One match-data block and one match context serve every rule (a response is
 * tried against thousands of rules: nothing is allocated per try). Templates are filled as
 * nmap's dotmplsubst/substvar do (see service_match.h for the rules).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "scanner/service_match.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SM_OVECTOR_PAIRS = 32 };

static pcre2_match_data *sm_md;
static pcre2_match_context *sm_mctx;

size_t svc_field_cap(enum svc_field f)
{
    return f == SVC_I ? SVC_TEXT_MAX : (f == SVC_O || f == SVC_D) ? SVC_TYPE_LEN : SVC_FIELD_LEN;
}

void svc_match_release(struct svc_match *m)
{
    if (m->re)
        pcre2_code_free(m->re);
    m->re = NULL;
}

void svc_match_cleanup(void)
{
    pcre2_match_data_free(sm_md);
    pcre2_match_context_free(sm_mctx);
    sm_md = NULL;
    sm_mctx = NULL;
}

static bool sm_ready(void)
{
    if (!sm_md)
        sm_md = pcre2_match_data_create(SM_OVECTOR_PAIRS, NULL);
    if (!sm_mctx && (sm_mctx = pcre2_match_context_create(NULL))) {
        pcre2_set_match_limit(sm_mctx, 50000);
        pcre2_set_depth_limit(sm_mctx, 1000);
        pcre2_set_heap_limit(sm_mctx, 10240);
    }
    return sm_md && sm_mctx;
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
    if (m->re_failed) {
        /* nmap refuses the whole file at load ("illegal regexp on line N"); rules here are
         * compiled when first needed (most never are), so the rule is said once and skipped. */
        PCRE2_UCHAR msg[120];
        if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", ec);
        fprintf(stderr, "tcplab: warning: nmap-service-probes line %d: illegal regexp m|%s| "
                "(%s, at offset %zu): this %s never matches\n", m->line, m->pattern,
                (const char *)msg, (size_t)eo, m->soft ? "softmatch" : "match");
    }
    return m->re;
}

/* The text being built: out[cap], *o bytes so far; ok false once it no longer fits. */
struct sm_buf {
    char *out;
    size_t cap, o;
    bool ok;
};

static void sm_put(struct sm_buf *b, const char *s, size_t n)
{
    if (!b->ok || b->o + n + 1 > b->cap) {
        b->ok = false;
        return;
    }
    memcpy(b->out + b->o, s, n);
    b->o += n;
    b->out[b->o] = '\0';
}

/* One substituted byte, through the CPE transform when cpe (transform_cpe in nmap). */
static void sm_put_sub(struct sm_buf *b, uint8_t c, bool cpe)
{
    if (!cpe) {
        sm_put(b, (const char *)&c, 1);
    } else if (c && strchr(":/?#[]@!$&'()*+,;=%<>\"", c)) {
        char e[4];
        snprintf(e, sizeof e, "%%%02X", c);
        sm_put(b, e, 3);
    } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
        sm_put(b, "_", 1);
    } else {
        char l = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        sm_put(b, &l, 1);
    }
}

/* Capture k (1-9) of the last match, or NULL when it is not set. */
static const uint8_t *sm_group(int rc, const uint8_t *subj, int k, size_t *len)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sm_md);
    if (k < 1 || k > 9 || k >= rc || ov[2 * k] == PCRE2_UNSET)
        return NULL;
    *len = ov[2 * k + 1] - ov[2 * k];
    return subj + ov[2 * k];
}

/* A quoted argument "..." at *p with C escapes \\ \" \n \r \t \xHH; advances past it. */
static bool sm_quoted(const char **p, char *out, size_t cap, size_t *n)
{
    const char *s = *p;
    if (*s++ != '"')
        return false;
    size_t k = 0;
    for (; *s && *s != '"'; s++) {
        char c = *s;
        if (c == '\\' && s[1]) {
            c = *++s;
            if (c == 'n') c = '\n';
            else if (c == 'r') c = '\r';
            else if (c == 't') c = '\t';
            else if (c == '0') c = '\0';
            else if (c == 'x' && s[1] && s[2]) {
                char hx[3] = {s[1], s[2], 0};
                c = (char)strtol(hx, NULL, 16);
                s += 2;
            }
        }
        if (k + 1 >= cap)
            return false;
        out[k++] = c;
    }
    if (*s != '"')
        return false;
    out[k] = '\0';
    *n = k;
    *p = s + 1;
    return true;
}

/* $P(n), $SUBST(n,"a","b"), $I(n,">"): one helper call at *pp (just past '$'). false:
 * the template cannot be filled (nmap's substvar returning NULL). */
static bool sm_helper(const char **pp, int rc, const uint8_t *subj, struct sm_buf *b, bool cpe)
{
    const char *p = *pp;
    int kind = strncmp(p, "P(", 2) == 0 ? 'P' : strncmp(p, "SUBST(", 6) == 0 ? 'S'
               : strncmp(p, "I(", 2) == 0 ? 'I' : 0;
    if (!kind)
        return false;
    p += kind == 'S' ? 6 : 2;
    while (*p == ' ')
        p++;
    if (*p < '1' || *p > '9')
        return false;
    int k = *p++ - '0';
    char a[128] = "", c[128] = "";
    size_t al = 0, cl = 0;
    if (kind != 'P' && (*p++ != ',' || !sm_quoted(&p, a, sizeof a, &al)))
        return false;
    if (kind == 'S' && (*p++ != ',' || !sm_quoted(&p, c, sizeof c, &cl)))
        return false;
    if (*p++ != ')')
        return false;
    size_t n = 0;
    const uint8_t *g = sm_group(rc, subj, k, &n);
    if (!g)
        return false;
    if (kind == 'P') {
        for (size_t i = 0; i < n; i++)
            if (g[i] >= 0x20 && g[i] < 0x7f)
                sm_put_sub(b, g[i], cpe);
    } else if (kind == 'S') {
        for (size_t i = 0; i < n;) {
            if (al && i + al <= n && memcmp(g + i, a, al) == 0) {
                for (size_t j = 0; j < cl; j++)
                    sm_put_sub(b, (uint8_t)c[j], cpe);
                i += al;
            } else {
                sm_put_sub(b, g[i++], cpe);
            }
        }
    } else {
        if (n > 8 || al != 1 || (a[0] != '<' && a[0] != '>'))
            return false;
        unsigned long long v = 0;
        for (size_t i = 0; i < n; i++)
            v = v << 8 | (a[0] == '<' ? g[n - 1 - i] : g[i]);
        char num[24];
        int w = snprintf(num, sizeof num, "%llu", v);
        for (int i = 0; i < w; i++)
            sm_put_sub(b, (uint8_t)num[i], cpe);
    }
    *pp = p;
    return true;
}

/* Fills tmpl into out[cap]; "" when it cannot be filled. Trailing blanks and commas cut. */
static void sm_fill(const char *tmpl, int rc, const uint8_t *subj, char *out, size_t cap,
                    bool cpe)
{
    struct sm_buf b = {out, cap, 0, true};
    out[0] = '\0';
    for (const char *p = tmpl; *p && b.ok;) {
        if (*p != '$') {
            sm_put(&b, p++, 1);
            continue;
        }
        if (p[1] >= '0' && p[1] <= '9') {
            size_t n = 0;
            const uint8_t *g = sm_group(rc, subj, p[1] - '0', &n);
            if (!g) {
                b.ok = false;
                break;
            }
            for (size_t i = 0; i < n && b.ok; i++)
                sm_put_sub(&b, g[i], cpe);
            p += 2;
            continue;
        }
        const char *q = p + 1;
        if (!sm_helper(&q, rc, subj, &b, cpe))
            b.ok = false;
        p = q;
    }
    if (!b.ok) {
        out[0] = '\0';
        return;
    }
    while (b.o > 0 && (out[b.o - 1] == ',' || out[b.o - 1] == ' ' ||
                       (out[b.o - 1] >= '\t' && out[b.o - 1] <= '\r')))
        out[--b.o] = '\0';
}

static void sm_fill_cpes(const struct svc_match *m, int rc, const uint8_t *subj,
                         struct svc_result *r)
{
    static const char parts[] = "aho";
    char got[3][SVC_FIELD_LEN] = {"", "", ""};
    for (int k = 0; k < m->ncpe; k++) {
        const char *part = strchr(parts, m->cpe[k][0]);
        if (!part || !m->cpe[k][0])
            continue;             /* nmap: "ignoring cpe:// template with unknown part" */
        sm_fill(m->cpe[k], rc, subj, got[part - parts], SVC_FIELD_LEN, true);
    }
    r->ncpe = 0;
    for (int i = 0; i < 3; i++)
        if (got[i][0])
            memcpy(r->cpe[r->ncpe++], got[i], SVC_FIELD_LEN);
}

bool svc_match_one(struct svc_match *m, const uint8_t *resp, size_t n, struct svc_result *r)
{
    pcre2_code *re = sm_compiled(m);
    if (!re || !sm_ready())
        return false;
    const uint8_t *subj = resp ? resp : (const uint8_t *)"";
    int rc = pcre2_match(re, (PCRE2_SPTR)subj, n, 0, 0, sm_md, sm_mctx);
    if (rc < 0)
        return false;
    if (rc == 0)
        rc = SM_OVECTOR_PAIRS;       /* more groups than pairs: those kept are set */
    memset(r, 0, sizeof *r);
    snprintf(r->service, sizeof r->service, "%s", m->service);
    r->soft = m->soft;
    r->line = m->line;
    for (int f = 0; f < SVC_NFIELDS; f++)
        if (m->field[f])
            sm_fill(m->field[f], rc, subj, r->field[f], svc_field_cap((enum svc_field)f), false);
    sm_fill_cpes(m, rc, subj, r);
    return true;
}

int svc_match_probe(struct svc_probe *p, const uint8_t *resp, size_t n, struct svc_result *r,
                    const char *only_service)
{
    for (size_t i = 0; i < p->nm; i++) {
        struct svc_match *m = &p->m[i];
        if (only_service && strcmp(m->service, only_service) != 0)
            continue;
        if (svc_match_one(m, resp, n, r))
            return m->soft ? 2 : 1;
    }
    return 0;
}
