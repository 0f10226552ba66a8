/* grade.c — a lab variant's answers (the key), students' answer files, and the comparison
 * (lab/lab.h).
 *
 * An answer is either a template expanded with the variant's parameters, or an `event ...`
 * line read from the grader's run of the variant (grade_event.c says which event and field):
 * the run, made here, is the scenario plus the lab's `probe` lines, run until nothing is
 * left, every event recorded (sim/trace.h).
 *
 * Or `up PREFIX [count]`: the addresses of PREFIX (at most a /16) where the variant has a
 * host that answers (sim_addr_up: a `host` line not `down`, or a live address of a `hosts`
 * population), comma-joined, or how many: what a perfect sweep of the prefix finds.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/lab.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

/* A grader's run stops when nothing is left or at this virtual time. */
#define LAB_GRADE_LIMIT_NS (3600ULL * 1000000000ULL)

/* ---------------------------------------------------------------- `up` answers */

static bool lab_is_up(const char *a)
{
    return !strncmp(a, "up", 2) && (a[2] == ' ' || a[2] == '\t');
}

static int lab_up_append(char **buf, size_t *len, size_t *cap, const char *w)
{
    size_t n = strlen(w);
    if (*len + n + 2 > *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        while (c < *len + n + 2)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    if (*len)
        (*buf)[(*len)++] = ',';
    memcpy(*buf + *len, w, n + 1);
    *len += n;
    return 0;
}

/* The addresses (or how many) of PREFIX that are up in the variant. */
static int lab_up_answer(const char *file, int line, const char *text,
                         const struct lab_variant *v, char **out, char *err, size_t errlen)
{
    char pfx[64] = "", extra[16] = "", more[2] = "";
    int n = sscanf(text, "up %63s %15s %1s", pfx, extra, more);
    char *slash = strchr(pfx, '/');
    uint32_t base;
    char *end = NULL;
    long plen = slash ? strtol(slash + 1, &end, 10) : -1;
    if (slash)
        *slash = 0;
    if (n < 1 || !slash || wire_ip_parse(pfx, &base) || *end || plen < 16 || plen > 32 ||
        (n >= 2 && strcmp(extra, "count")) || n > 2) {
        snprintf(err, errlen, "%s:%d: error: in the answer '%s': expected 'up PREFIX/LEN "
                 "[count]' with LEN 16 to 32", file, line, text);
        return -1;
    }
    struct scenario sc;
    if (scenario_parse(v->file, v->text, v->len, &sc, err, errlen))
        return -1;
    struct sim *s = sim_new(sc.seed);
    int rc = 0;
    if (!s || sim_load(s, &sc, err, errlen)) {
        if (!s)
            snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    uint32_t mask = plen == 32 ? ~0u : ~(~0u >> plen), first = base & mask;
    uint64_t count = (uint64_t)1 << (32 - plen);
    char *buf = NULL, ip[16];
    size_t len = 0, cap = 0, up = 0;
    for (uint64_t i = 0; !rc && i < count; i++) {
        uint32_t a = first + (uint32_t)i;
        if (!sim_addr_up(s, a))
            continue;
        up++;
        if (n < 2 && lab_up_append(&buf, &len, &cap, wire_ip_str(a, ip))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    sim_free(s);
    scenario_free(&sc);
    if (!rc) {
        char num[24];
        snprintf(num, sizeof num, "%zu", up);
        *out = strdup(n >= 2 ? num : buf ? buf : "none");
        rc = *out ? 0 : -1;
    }
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------- the key */

static bool lab_is_event(const char *a)
{
    return !strncmp(a, "event", 5) && (a[5] == ' ' || a[5] == '\t');
}

/* The variant with the probes, run to the end with every event recorded. */
static int lab_grader_run(const struct lab *l, struct lab_variant *v, struct scenario *sc,
                          struct trace *t, char *err, size_t errlen)
{
    char *probes = NULL, *text = NULL;
    size_t plen = 0;
    if (l->probes && param_expand(l->file, l->probe_line, 1, l->probes, l->probes_len,
                                &v->params, &probes, &plen, err, errlen))
        return -1;
    text = malloc(v->len + plen + 2);
    if (!text) {
        free(probes);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(text, v->text, v->len);
    text[v->len] = '\n';
    if (probes)
        memcpy(text + v->len + 1, probes, plen);
    text[v->len + 1 + plen] = 0;
    char name[160];
    snprintf(name, sizeof name, "%s+probes", v->file);
    int rc = scenario_parse(name, text, v->len + 1 + plen, sc, err, errlen);
    free(text);
    free(probes);
    if (rc)
        return -1;
    struct sim *s = sim_new(sc->seed);
    if (!s || sim_load(s, sc, err, errlen)) {
        if (!s)
            snprintf(err, errlen, "out of memory");
        sim_free(s);
        scenario_free(sc);
        return -1;
    }
    trace_init(t);
    sim_set_trace(s, trace_record, t);
    sim_run(s, LAB_GRADE_LIMIT_NS, NULL);
    sim_free(s);
    if (t->oom) {
        snprintf(err, errlen, "out of memory recording the grader's run");
        trace_free(t);
        scenario_free(sc);
        return -1;
    }
    return 0;
}

static int lab_ports_set(const char *s, uint64_t *bits);
static int lab_addr_set(const char *s, uint32_t *out, int cap);

/* A set answer in the key ascending (`lab key`, a FAIL that shows the key): ports as
 * lab_ports_text writes them, addresses by value; "none" and anything that is not a set
 * (a session question's word) stay as they are. check compares sets in any order. */
static int lab_key_sorted(const struct lab_question *q, char **key, char *err, size_t errlen)
{
    char *out = NULL;
    bool ports = q->kind == LAB_Q_PORTS ||
                 (q->kind == LAB_Q_SESSION && strspn(*key, "0123456789,- ") == strlen(*key));
    if (ports) {
        static uint64_t bits[1024];
        if (lab_ports_set(*key, bits))
            return 0;
        out = lab_ports_text(bits);
    } else if (q->kind == LAB_Q_ADDRS) {
        static uint32_t a[256];
        int n = lab_addr_set(*key, a, 256);
        if (n <= 0)
            return 0;
        size_t cap = (size_t)n * 16 + 1, len = 0;
        if ((out = malloc(cap)))
            for (int i = 0; i < n; i++) {
                char ip[16];
                len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "",
                                        wire_ip_str(a[i], ip));
            }
    } else {
        return 0;
    }
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(*key);
    *key = out;
    return 0;
}

void lab_key_free(char **key, size_t n)
{
    if (!key)
        return;
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    free(key);
}

int lab_key(const struct lab *l, const struct lab_who *who, char ***keyp, char *err,
            size_t errlen)
{
    struct lab_variant v;
    if (lab_variant_make(l, who, &v, err, errlen))
        return -1;
    char **key = calloc(l->nq, sizeof *key);
    bool events = false, ran = false;
    struct scenario sc;
    struct trace t;
    int rc = key ? 0 : -1;
    for (size_t i = 0; i < l->nq && !rc; i++)
        events |= lab_is_event(l->q[i].answer);
    if (!rc && events) {
        rc = lab_grader_run(l, &v, &sc, &t, err, errlen);
        ran = !rc;
    }
    for (size_t i = 0; i < l->nq && !rc; i++) {
        const struct lab_question *q = &l->q[i];
        char *a;
        size_t alen;
        rc = param_expand(l->file, q->answer_line, q->answer_col, q->answer, strlen(q->answer),
                        &v.params, &a, &alen, err, errlen);
        if (rc)
            break;
        if (lab_is_event(a)) {
            rc = lab_event_value(l->file, q->answer_line, a, &sc, &t, &key[i], err, errlen);
            free(a);
        } else if (lab_is_up(a)) {
            rc = lab_up_answer(l->file, q->answer_line, a, &v, &key[i], err, errlen);
            free(a);
        } else {
            key[i] = a;
        }
        if (!rc && key[i])
            rc = lab_key_sorted(q, &key[i], err, errlen);
    }
    if (ran) {
        trace_free(&t);
        scenario_free(&sc);
    }
    lab_variant_free(&v);
    if (rc) {
        lab_key_free(key, l->nq);
        return -1;
    }
    *keyp = key;
    return 0;
}

/* ---------------------------------------------------------------- answer files */

static char *lab_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

void lab_answers_free(struct lab_answers *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->val[i]);
    free(a->val);
    free(a->id);
    memset(a, 0, sizeof *a);
}

static int lab_answers_add(struct lab_answers *a, const char *id, const char *val)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->id[i], id)) {   /* the last line for an id wins */
            char *v = strdup(val);
            if (!v)
                return -1;
            free(a->val[i]);
            a->val[i] = v;
            return 0;
        }
    void *p = realloc(a->id, (a->n + 1) * sizeof *a->id);
    if (!p)
        return -1;
    a->id = p;
    p = realloc(a->val, (a->n + 1) * sizeof *a->val);
    if (!p)
        return -1;
    a->val = p;
    if (!(a->val[a->n] = strdup(val)))
        return -1;
    snprintf(a->id[a->n], LAB_NAME_MAX, "%s", id);
    a->n++;
    return 0;
}

int lab_answers_read(const char *path, struct lab_answers *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int ln = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        char *s = lab_trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: error: expected 'ID = ANSWER', found '%.40s'", path,
                     ln, s);
            rc = -1;
            break;
        }
        *eq = 0;
        char *id = lab_trim(s), *val = lab_trim(eq + 1);
        if (!strcmp(id, "lab"))
            snprintf(a->lab, sizeof a->lab, "%s", val);
        else if (!strcmp(id, "student"))
            snprintf(a->student, sizeof a->student, "%s", val);
        else if (strlen(id) >= LAB_NAME_MAX || lab_answers_add(a, id, val)) {
            snprintf(err, errlen, "%s:%d: error: expected a question id, found '%.40s'", path,
                     ln, id);
            rc = -1;
        }
    }
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        rc = -1;
    }
    fclose(f);
    if (rc)
        lab_answers_free(a);
    return rc;
}

const char *lab_answers_get(const struct lab_answers *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->id[i], id))
            return a->val[i];
    return NULL;
}

/* ---------------------------------------------------------------- comparison */

/* A set of ports ("22, 80,8000-8010", "none") into a 65536-bit map. -1 when malformed. */
static int lab_ports_set(const char *s, uint64_t *bits)
{
    memset(bits, 0, 1024 * sizeof *bits);
    while (isspace((unsigned char)*s))
        s++;
    if (!strcasecmp(s, "none") || !strcmp(s, "-"))
        return 0;
    int n = 0;
    while (*s) {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        char *end;
        long lo = strtol(s, &end, 10), hi = lo;
        if (end == s || lo < 0 || lo > 65535)
            return -1;
        s = end;
        if (*s == '-') {
            hi = strtol(s + 1, &end, 10);
            if (end == s + 1 || hi < lo || hi > 65535)
                return -1;
            s = end;
        }
        if (*s && *s != ',' && !isspace((unsigned char)*s))
            return -1;
        for (long p = lo; p <= hi; p++)
            bits[p >> 6] |= 1ULL << (p & 63);
        n++;
    }
    return n ? 0 : -1;
}

/* A set of addresses into a sorted array (up to cap). Returns how many, -1 when malformed. */
static int lab_addr_set(const char *s, uint32_t *out, int cap)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", s);
    char *t = lab_trim(buf);
    if (!strcasecmp(t, "none") || !strcmp(t, "-"))
        return 0;
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(t, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
        uint32_t a;
        if (wire_ip_parse(w, &a) || n == cap)
            return -1;
        int i = n++;
        while (i > 0 && out[i - 1] > a) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = a;
    }
    int u = 0;   /* duplicates count once */
    for (int i = 0; i < n; i++)
        if (!u || out[u - 1] != out[i])
            out[u++] = out[i];
    return n ? u : -1;
}

static bool lab_int(const char *s, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 0);
    while (isspace((unsigned char)*end))
        end++;
    return end != s && !*end && !errno;
}

bool lab_answer_ok(const struct lab_question *q, const char *key, const char *given)
{
    char g[4096];
    snprintf(g, sizeof g, "%s", given ? given : "");
    char *gv = lab_trim(g);
    if (!*gv)
        return false;
    switch (q->kind) {
    case LAB_Q_PORTS: {
        static uint64_t a[1024], b[1024];
        return !lab_ports_set(key, a) && !lab_ports_set(gv, b) && !memcmp(a, b, sizeof a);
    }
    case LAB_Q_INT: {
        long long a, b;
        if (!lab_int(key, &a) || !lab_int(gv, &b))
            return false;
        unsigned long long d = a > b ? (unsigned long long)(a - b) : (unsigned long long)(b - a);
        return d <= q->tolerance;
    }
    case LAB_Q_ADDR: {
        uint32_t a, b;
        return !wire_ip_parse(key, &a) && !wire_ip_parse(gv, &b) && a == b;
    }
    case LAB_Q_ADDRS: {
        uint32_t a[256], b[256];
        int na = lab_addr_set(key, a, 256), nb = lab_addr_set(gv, b, 256);
        return na >= 0 && na == nb && !memcmp(a, b, (size_t)na * sizeof *a);
    }
    case LAB_Q_WORD:
        return !strcasecmp(key, gv);
    case LAB_Q_SESSION: {   /* given: what the replay showed (cmd/lab_replay.c) */
        if (!strcasecmp(key, gv))
            return true;
        static uint64_t a[1024], b[1024];   /* a set of ports, in any order */
        return strspn(key, "0123456789,- ") == strlen(key) && !lab_ports_set(key, a) &&
               !lab_ports_set(gv, b) && !memcmp(a, b, sizeof a);
    }
    }
    return false;
}

/* ---------------------------------------------------------------- the template */

static const char *lab_kind_help(enum lab_qkind k)
{
    switch (k) {
    case LAB_Q_PORTS: return "ports in any order, ranges allowed, e.g. 22,80,443 or 20-25 (or none)";
    case LAB_Q_INT:   return "a number";
    case LAB_Q_ADDR:  return "an IPv4 address";
    case LAB_Q_ADDRS: return "IPv4 addresses in any order, comma-separated (or none)";
    case LAB_Q_WORD:  return "one word";
    case LAB_Q_SESSION: return "the file tcplab attach --record wrote, beside this one";
    }
    return "";
}

/* Text wrapped at 78 columns behind "# N. ", continued behind "#   ". */
static void lab_comment(FILE *f, const char *first, const char *text)
{
    const char *p = text;
    int col = fprintf(f, "# %s", first);
    bool line_start = true;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " \n");
        if (!w && !*p)
            break;
        if (!line_start && col + (int)w + 1 > 78) {
            col = fprintf(f, "\n#  ");
            line_start = true;
        }
        col += fprintf(f, " %.*s", (int)w, p);
        line_start = false;
        p += w;
        if (*p == '\n') {
            col = fprintf(f, "\n#  ");
            line_start = true;
            p++;
        }
    }
    fprintf(f, "\n");
}

int lab_template_write(const struct lab *l, const char *student, bool ticket, FILE *f)
{
    fprintf(f, "# tcplab lab %s: %s\n", l->name, l->title);
    fprintf(f, "# Your answers, one `ID = ANSWER` a line (lines starting with # are comments).\n"
               "# Check them with: tcplab lab check %s answers.txt%s\n", l->name,
            ticket ? " --ticket ticket" : "");
    /* With a course key, --student alone names another (keyless) variant: say so where
     * the student looks, since the worksheet's commands are written with --student. */
    if (ticket)
        fprintf(f, "# Your variant is in ./ticket: run, scan and check with --ticket ticket\n"
                   "# where the worksheet says --lab %s --student ID (that is another variant).\n",
                l->name);
    fprintf(f, "\n");
    fprintf(f, "lab = %s\nstudent = %s\n", l->name, student);
    for (size_t i = 0; i < l->nq; i++) {
        char first[64];
        snprintf(first, sizeof first, "%zu.", i + 1);
        fprintf(f, "\n");
        lab_comment(f, first, l->q[i].prompt);
        fprintf(f, "#   (%s)\n%s =\n", lab_kind_help(l->q[i].kind), l->q[i].id);
    }
    return ferror(f) ? -1 : 0;
}
