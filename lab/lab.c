/* lab.c — lab descriptions (NAME.lab) and where labs come from (lab/lab.h).
 *
 * A description is line-oriented like a scenario: `#` starts a comment, words are separated
 * by blanks, "quoted strings" keep their blanks (\" and \\ escape). Statements:
 *
 *   lab NAME                   the lab's name (the file's name without .lab)
 *   title "TEXT"
 *   derivation N               the variant derivation's version (lib/param.h)
 *   scenario FILE              the scenario template
 *   worksheet FILE             the worksheet given to the student
 *   student HOST               the student's host in the scenario
 *   view student|all           what a student's transcript shows (default: student)
 *   probe SCENARIO-LINE        a scenario line only the grader's run has (repeatable)
 *   question ID KIND [tolerance N]   KIND: ports, int, addr, addrs, word, session
 *     prompt "TEXT"            what the answer template asks (repeatable: lines join)
 *     answer TEXT              the rest of the line: a template, or `event ...` (grade.c)
 *     hint "TEXT"              shown when the answer is wrong (repeatable)
 *     replay event ...         KIND session only: what the replay of the student's
 *                              `attach --record` file must show (the answer: its value)
 *     require SHAPE ARGS       KIND session only: what the student's own datagrams in that
 *                              replay must have been (shape.c: idle-scan ZOMBIE TARGET)
 *
 * Errors: FILE:LINE:COL: error: expected X, found Y.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"

enum { LAB_TOK_MAX = 16 };

struct lab_tok {
    const char *s;          /* raw bytes (between the quotes when quoted) */
    size_t len;
    int col;
    bool quoted;
};

struct lab_lx {
    const char *file;
    int line;
    const char *ls;         /* the line's text */
    size_t llen;
    struct lab_tok t[LAB_TOK_MAX];
    size_t n;
    char *err;
    size_t errlen;
};

static int lab_lerr(struct lab_lx *x, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int lab_lerr(struct lab_lx *x, int col, const char *fmt, ...)
{
    int n = snprintf(x->err, x->errlen, "%s:%d:%d: error: ", x->file, x->line, col);
    if (n < 0 || (size_t)n >= x->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* "found 'word'" or "found end of line" for token i. */
static int lab_expected(struct lab_lx *x, size_t i, const char *what)
{
    if (i >= x->n) {
        int col = x->n ? x->t[x->n - 1].col + (int)x->t[x->n - 1].len + 1 : 1;
        return lab_lerr(x, col, "expected %s, found end of line", what);
    }
    return lab_lerr(x, x->t[i].col, "expected %s, found '%.*s'", what, (int)x->t[i].len,
                    x->t[i].s);
}

static int lab_lex(struct lab_lx *x)
{
    x->n = 0;
    size_t i = 0;
    while (i < x->llen) {
        char c = x->ls[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c == '#')
            break;
        if (x->n == LAB_TOK_MAX)
            return lab_lerr(x, (int)i + 1, "expected at most %d words on a line", LAB_TOK_MAX);
        struct lab_tok *t = &x->t[x->n++];
        t->col = (int)i + 1;
        if (c == '"') {
            size_t j = i + 1;
            while (j < x->llen && x->ls[j] != '"')
                j += (x->ls[j] == '\\' && j + 1 < x->llen) ? 2 : 1;
            if (j >= x->llen)
                return lab_lerr(x, t->col, "expected a closing '\"', found end of line");
            t->s = x->ls + i + 1;
            t->len = j - i - 1;
            t->quoted = true;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < x->llen && x->ls[j] != ' ' && x->ls[j] != '\t' && x->ls[j] != '\r')
                j++;
            t->s = x->ls + i;
            t->len = j - i;
            t->quoted = false;
            i = j;
        }
    }
    return 0;
}

static bool lab_tok_is(const struct lab_tok *t, const char *w)
{
    return !t->quoted && t->len == strlen(w) && !memcmp(t->s, w, t->len);
}

/* A quoted string's text with escapes undone, appended to *dst (joined by a blank). */
static int lab_append_string(struct lab_lx *x, size_t i, char **dst)
{
    if (i >= x->n || !x->t[i].quoted)
        return lab_expected(x, i, "a \"quoted string\"");
    if (i + 1 < x->n)
        return lab_expected(x, i + 1, "end of line");
    const struct lab_tok *t = &x->t[i];
    size_t old = *dst ? strlen(*dst) : 0;
    char *s = realloc(*dst, old + t->len + 2);
    if (!s)
        return lab_lerr(x, t->col, "out of memory");
    char *p = s + old;
    if (old)
        *p++ = ' ';
    for (size_t k = 0; k < t->len; k++) {
        if (t->s[k] == '\\' && k + 1 < t->len) {
            k++;
            *p++ = t->s[k] == 'n' ? '\n' : t->s[k];
        } else {
            *p++ = t->s[k];
        }
    }
    *p = 0;
    *dst = s;
    return 0;
}

/* One word into a fixed buffer. */
static int lab_word(struct lab_lx *x, size_t i, const char *what, char *out, size_t cap)
{
    if (i >= x->n || x->t[i].quoted || x->t[i].len >= cap)
        return lab_expected(x, i, what);
    memcpy(out, x->t[i].s, x->t[i].len);
    out[x->t[i].len] = 0;
    return 0;
}

static int lab_number(struct lab_lx *x, size_t i, const char *what, unsigned long *v)
{
    if (i >= x->n || x->t[i].quoted || x->t[i].len == 0 || x->t[i].len > 9)
        return lab_expected(x, i, what);
    unsigned long n = 0;
    for (size_t k = 0; k < x->t[i].len; k++) {
        if (!isdigit((unsigned char)x->t[i].s[k]))
            return lab_expected(x, i, what);
        n = n * 10 + (unsigned long)(x->t[i].s[k] - '0');
    }
    *v = n;
    return 0;
}

/* The rest of the line from token i, raw (comments are not stripped: `#` may be data). */
static char *lab_rest(struct lab_lx *x, size_t i)
{
    const char *s = x->t[i].s - (x->t[i].quoted ? 1 : 0);
    size_t n = x->llen - (size_t)(s - x->ls);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = 0;
    }
    return r;
}

static const char *const lab_kinds[] = {"ports", "int", "addr", "addrs", "word", "session"};

const char *lab_qkind_name(enum lab_qkind k)
{
    return (unsigned)k < sizeof lab_kinds / sizeof *lab_kinds ? lab_kinds[k] : "?";
}

static int lab_question_line(struct lab_lx *x, struct lab *l)
{
    void *p = realloc(l->q, (l->nq + 1) * sizeof *l->q);
    if (!p)
        return lab_lerr(x, 1, "out of memory");
    l->q = p;
    struct lab_question *q = &l->q[l->nq];
    memset(q, 0, sizeof *q);
    if (lab_word(x, 1, "a question id (a word)", q->id, sizeof q->id))
        return -1;
    for (size_t k = 0; k < l->nq; k++)
        if (!strcmp(l->q[k].id, q->id))
            return lab_expected(x, 1, "a new question id");
    size_t k;
    for (k = 0; k < sizeof lab_kinds / sizeof *lab_kinds; k++)
        if (x->n > 2 && lab_tok_is(&x->t[2], lab_kinds[k]))
            break;
    if (k == sizeof lab_kinds / sizeof *lab_kinds)
        return lab_expected(x, 2, "an answer kind (ports, int, addr, addrs, word, session)");
    q->kind = (enum lab_qkind)k;
    size_t i = 3;
    if (i < x->n && lab_tok_is(&x->t[i], "tolerance")) {
        if (q->kind != LAB_Q_INT)
            return lab_expected(x, i, "end of line (a tolerance is for int answers)");
        if (lab_number(x, i + 1, "a tolerance (a number)", &q->tolerance))
            return -1;
        i += 2;
    }
    if (i < x->n)
        return lab_expected(x, i, "end of line");
    l->nq++;
    return 0;
}

static int lab_probe_line(struct lab_lx *x, struct lab *l)
{
    if (x->n < 2)
        return lab_expected(x, 1, "a scenario line");
    char *r = lab_rest(x, 1);
    if (!r)
        return lab_lerr(x, 1, "out of memory");
    size_t n = strlen(r);
    char *p = realloc(l->probes, l->probes_len + n + 2);
    if (!p) {
        free(r);
        return lab_lerr(x, 1, "out of memory");
    }
    if (!l->probes)
        l->probe_line = x->line;
    memcpy(p + l->probes_len, r, n);
    p[l->probes_len + n] = '\n';
    p[l->probes_len + n + 1] = 0;
    l->probes = p;
    l->probes_len += n + 1;
    free(r);
    return 0;
}

/* A statement inside the last question. */
static int lab_qfield(struct lab_lx *x, struct lab *l, const struct lab_tok *k)
{
    if (!l->nq)
        return lab_lerr(x, k->col, "expected a question line before '%.*s'", (int)k->len, k->s);
    struct lab_question *q = &l->q[l->nq - 1];
    if (lab_tok_is(k, "prompt"))
        return lab_append_string(x, 1, &q->prompt);
    if (lab_tok_is(k, "hint"))
        return lab_append_string(x, 1, &q->hint);
    if (lab_tok_is(k, "replay")) {
        if (q->kind != LAB_Q_SESSION)
            return lab_lerr(x, k->col, "expected 'replay' only in a question of kind session");
        if (q->replay)
            return lab_lerr(x, k->col, "expected one replay per question, found a second");
        if (x->n < 3 || !lab_tok_is(&x->t[1], "event"))
            return lab_expected(x, 1, "'event ...' (what the replay must show)");
        q->replay = lab_rest(x, 1);
        q->replay_line = x->line;
        return q->replay ? 0 : lab_lerr(x, 1, "out of memory");
    }
    if (lab_tok_is(k, "require")) {
        if (q->kind != LAB_Q_SESSION)
            return lab_lerr(x, k->col, "expected 'require' only in a question of kind session");
        if (q->require)
            return lab_lerr(x, k->col, "expected one require per question, found a second");
        char shape[LAB_NAME_MAX];
        if (lab_word(x, 1, "a shape (idle-scan)", shape, sizeof shape))
            return -1;
        if (!lab_shape_known(shape))
            return lab_expected(x, 1, "a shape (idle-scan)");
        if (x->n != 4)   /* idle-scan ZOMBIE TARGET */
            return lab_expected(x, x->n < 4 ? x->n : 4,
                                x->n < 4 ? "a ZOMBIE and a TARGET (idle-scan ZOMBIE TARGET)"
                                         : "end of line");
        q->require = lab_rest(x, 1);
        q->require_line = x->line;
        return q->require ? 0 : lab_lerr(x, 1, "out of memory");
    }
    if (q->answer)
        return lab_lerr(x, k->col, "expected one answer per question, found a second");
    if (x->n < 2)
        return lab_expected(x, 1, "the answer (a template or `event ...`)");
    q->answer = lab_rest(x, 1);
    q->answer_line = x->line;
    q->answer_col = x->t[1].col;
    return q->answer ? 0 : lab_lerr(x, 1, "out of memory");
}

static int lab_statement(struct lab_lx *x, struct lab *l)
{
    const struct lab_tok *k = &x->t[0];
    if (lab_tok_is(k, "lab"))
        return lab_word(x, 1, "the lab's name", l->name, sizeof l->name) ||
               (x->n > 2 && lab_expected(x, 2, "end of line"));
    if (lab_tok_is(k, "title")) {
        char *s = NULL;
        if (lab_append_string(x, 1, &s))
            return -1;
        snprintf(l->title, sizeof l->title, "%s", s);
        free(s);
        return 0;
    }
    if (lab_tok_is(k, "derivation")) {
        unsigned long v;
        if (lab_number(x, 1, "a derivation version (a number)", &v))
            return -1;
        l->derivation = (unsigned)v;
        return x->n > 2 ? lab_expected(x, 2, "end of line") : 0;
    }
    if (lab_tok_is(k, "scenario"))
        return lab_word(x, 1, "a scenario file name", l->scenario_file, sizeof l->scenario_file);
    if (lab_tok_is(k, "worksheet"))
        return lab_word(x, 1, "a worksheet file name", l->worksheet_file,
                        sizeof l->worksheet_file);
    if (lab_tok_is(k, "student"))
        return lab_word(x, 1, "the student's host name", l->student_host,
                        sizeof l->student_host);
    if (lab_tok_is(k, "view")) {
        if (x->n > 1 && (lab_tok_is(&x->t[1], "all") || lab_tok_is(&x->t[1], "student"))) {
            l->view_all = lab_tok_is(&x->t[1], "all");
            return x->n > 2 ? lab_expected(x, 2, "end of line") : 0;
        }
        return lab_expected(x, 1, "'student' or 'all'");
    }
    if (lab_tok_is(k, "probe"))
        return lab_probe_line(x, l);
    if (lab_tok_is(k, "question"))
        return lab_question_line(x, l);
    if (lab_tok_is(k, "prompt") || lab_tok_is(k, "hint") || lab_tok_is(k, "answer") ||
        lab_tok_is(k, "replay") || lab_tok_is(k, "require"))
        return lab_qfield(x, l, k);
    return lab_expected(x, 0, "a statement (lab, title, derivation, scenario, worksheet, "
                        "student, view, probe, question, prompt, answer, hint, replay, "
                        "require)");
}

/* ---------------------------------------------------------------- files */

static const struct lab_blob *lab_blob(const char *name)
{
    for (size_t i = 0; i < lab_nblobs; i++)
        if (!strcmp(lab_blobs[i].name, name))
            return &lab_blobs[i];
    return NULL;
}

/* Reads a whole file. NULL with errno set. */
static char *lab_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (64u << 20)) {
                errno = EFBIG;
                break;
            }
            char *p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096) {
            if (ferror(f))
                break;
            fclose(f);
            buf[n] = 0;
            *len = n;
            return buf;
        }
    }
    int e = errno;
    free(buf);
    fclose(f);
    errno = e ? e : EIO;
    return NULL;
}

/* A file the lab names: DIR/NAME first, then the built-in set. */
static char *lab_fetch(const char *dir, const char *name, size_t *len, char *where, size_t wcap)
{
    if (dir) {
        snprintf(where, wcap, "%s/%s", dir, name);
        char *t = lab_read_file(where, len);
        if (t)
            return t;
    }
    const struct lab_blob *b = lab_blob(name);
    if (!b)
        return NULL;
    snprintf(where, wcap, "%s", name);
    char *t = malloc(b->len + 1);
    if (t) {
        memcpy(t, b->data, b->len);
        t[b->len] = 0;
        *len = b->len;
    }
    return t;
}

static int lab_check(struct lab *l, const char *file, char *err, size_t errlen)
{
    const char *miss = !l->name[0] ? "lab NAME" : !l->derivation ? "derivation N" :
                       !l->scenario_file[0] ? "scenario FILE" :
                       !l->worksheet_file[0] ? "worksheet FILE" :
                       !l->student_host[0] ? "student HOST" : NULL;
    if (miss) {
        snprintf(err, errlen, "%s: error: expected a '%s' line, found none", file, miss);
        return -1;
    }
    if (!l->nq) {
        snprintf(err, errlen, "%s: error: expected at least one question, found none", file);
        return -1;
    }
    for (size_t i = 0; i < l->nq; i++)
        if (!l->q[i].answer || !l->q[i].prompt) {
            snprintf(err, errlen, "%s: error: question '%s' needs a prompt and an answer", file,
                     l->q[i].id);
            return -1;
        } else if (l->q[i].kind == LAB_Q_SESSION && !l->q[i].replay) {
            snprintf(err, errlen, "%s: error: question '%s' (session) needs a replay line",
                     file, l->q[i].id);
            return -1;
        }
    return 0;
}

struct lab *lab_parse(const char *file, const char *text, size_t len, const char *dir,
                      char *err, size_t errlen)
{
    struct lab *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "%s: out of memory", file);
        return NULL;
    }
    snprintf(l->file, sizeof l->file, "%s", file);
    struct lab_lx x = {.file = file, .err = err, .errlen = errlen};
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        x.line++;
        x.ls = text + i;
        x.llen = e - i;
        if (lab_lex(&x) || (x.n && lab_statement(&x, l)))
            goto fail;
        i = e + 1;
    }
    if (lab_check(l, file, err, errlen))
        goto fail;
    char where[400];
    l->scenario = lab_fetch(dir, l->scenario_file, &l->scenario_len, where, sizeof where);
    if (!l->scenario) {
        snprintf(err, errlen, "%s: error: the scenario '%s' is in neither %s nor tcplab",
                 file, l->scenario_file, dir ? dir : "a labs directory");
        goto fail;
    }
    l->worksheet = lab_fetch(dir, l->worksheet_file, &l->worksheet_len, where, sizeof where);
    if (!l->worksheet) {
        snprintf(err, errlen, "%s: error: the worksheet '%s' is in neither %s nor tcplab",
                 file, l->worksheet_file, dir ? dir : "a labs directory");
        goto fail;
    }
    return l;
fail:
    lab_free(l);
    return NULL;
}

void lab_free(struct lab *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nq; i++) {
        free(l->q[i].prompt);
        free(l->q[i].hint);
        free(l->q[i].answer);
        free(l->q[i].replay);
        free(l->q[i].require);
    }
    free(l->q);
    free(l->scenario);
    free(l->worksheet);
    free(l->probes);
    free(l);
}

const char *lab_dir(const char *dir)
{
    if (dir)
        return dir;
    const char *e = getenv("TCPLAB_LABS");
    return e && *e ? e : NULL;
}

static bool lab_name_ok(const char *name)
{
    if (!*name || strlen(name) >= LAB_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

struct lab *lab_load(const char *name, const char *dir, char *err, size_t errlen)
{
    dir = lab_dir(dir);
    char fname[LAB_NAME_MAX + 8], where[400];
    size_t len = 0;
    char *text = NULL;
    if (lab_name_ok(name)) {
        snprintf(fname, sizeof fname, "%s.lab", name);
        text = lab_fetch(dir, fname, &len, where, sizeof where);
    }
    if (!text) {
        char names[64][LAB_NAME_MAX];
        size_t n = lab_names(dir, names, 64);
        int k = snprintf(err, errlen, "no lab named '%s'; the labs are:", name);
        for (size_t i = 0; i < n && k > 0 && (size_t)k < errlen; i++)
            k += snprintf(err + k, errlen - (size_t)k, " %s", names[i]);
        return NULL;
    }
    struct lab *l = lab_parse(where, text, len, dir, err, errlen);
    free(text);
    if (l && strcmp(l->name, name)) {
        snprintf(err, errlen, "%s: error: the file names lab '%s', expected '%s'", where,
                 l->name, name);
        lab_free(l);
        return NULL;
    }
    return l;
}

static int lab_cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static size_t lab_names_add(char (*names)[LAB_NAME_MAX], size_t n, size_t cap, const char *f)
{
    size_t fl = strlen(f);
    if (fl < 5 || strcmp(f + fl - 4, ".lab") || fl - 4 >= LAB_NAME_MAX || n == cap)
        return n;
    char name[LAB_NAME_MAX];
    memcpy(name, f, fl - 4);
    name[fl - 4] = 0;
    if (!lab_name_ok(name))
        return n;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return n;
    memcpy(names[n], name, LAB_NAME_MAX);
    return n + 1;
}

size_t lab_names(const char *dir, char (*names)[LAB_NAME_MAX], size_t cap)
{
    size_t n = 0;
    dir = lab_dir(dir);
    DIR *d = dir ? opendir(dir) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            n = lab_names_add(names, n, cap, e->d_name);
        closedir(d);
    }
    for (size_t i = 0; i < lab_nblobs; i++)
        n = lab_names_add(names, n, cap, lab_blobs[i].name);
    qsort(names, n, sizeof *names, lab_cmp_name);
    return n;
}
