/* variant.c — whose variant runs and what the student sees (lab/lab.h): course keys,
 * tickets, the derivation of a student's secret, the expanded scenario, the command seam
 * (lab_sel_option, lab_open) and the student's view of the events.
 *
 * The secret is SipHash-2-4 (Aumasson & Bernstein 2012, lib/rng.h) keyed by the course key
 * over "tcplab-lab|LAB|STUDENT#1" and "...#2": a PRF, so a ticket (one student's secret)
 * tells nothing of another's, nor of the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lib/infile.h"
#include "lib/rng.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"

enum { LAB_KEY_MIN = 16, LAB_FILE_MAX = 16u << 20 };

static const uint8_t lab_zero_key[16];

/* Reads a whole file (or standard input for "-", as every tcplab input: lib/infile.h), and
 * the name its messages should give it. */
static int lab_slurp_named(const char *path, char **buf, size_t *len, const char **name,
                           char *err, size_t errlen)
{
    FILE *f = infile_open(path, err, errlen);
    if (!f)
        return -1;
    *name = infile_name(f, path);
    char *b = malloc(LAB_FILE_MAX + 1);
    errno = 0;
    size_t n = b ? fread(b, 1, LAB_FILE_MAX + 1, f) : 0;
    int bad = !b ? ENOMEM : ferror(f) ? (errno ? errno : EIO) : 0;
    infile_close(f);
    if (bad || n > LAB_FILE_MAX) {
        snprintf(err, errlen, "%s: %s", *name, bad ? strerror(bad) : "larger than 16 MiB");
        free(b);
        return -1;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return 0;
}

static int lab_slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
    const char *name;
    return lab_slurp_named(path, buf, len, &name, err, errlen);
}

int lab_course_key_read(const char *path, uint8_t key[16], char *err, size_t errlen)
{
    char *b;
    size_t n;
    if (lab_slurp(path, &b, &n, err, errlen))
        return -1;
    while (n && (b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == ' '))
        n--;
    if (n < LAB_KEY_MIN) {
        snprintf(err, errlen, "%s: a course key needs at least %d bytes (make one with: head "
                 "-c 32 /dev/urandom | od -An -tx1 > %s)", path, LAB_KEY_MIN, path);
        free(b);
        return -1;
    }
    static const uint8_t k1[16] = "tcplab-course-k1", k2[16] = "tcplab-course-k2";
    uint64_t h1 = siphash24(k1, b, n), h2 = siphash24(k2, b, n);
    memcpy(key, &h1, 8);
    memcpy(key + 8, &h2, 8);
    free(b);
    return 0;
}

static void lab_derive(const uint8_t key[16], const char *lab, const char *student,
                       uint8_t secret[16])
{
    char msg[LAB_NAME_MAX + LAB_STUDENT_MAX + 24];
    int n = snprintf(msg, sizeof msg, "tcplab-lab|%s|%s#1", lab, student);
    uint64_t h1 = siphash24(key, msg, (size_t)n);
    msg[n - 1] = '2';
    uint64_t h2 = siphash24(key, msg, (size_t)n);
    for (int i = 0; i < 8; i++) {
        secret[i] = (uint8_t)(h1 >> (8 * i));
        secret[8 + i] = (uint8_t)(h2 >> (8 * i));
    }
}

static int lab_student_ok(const char *s, char *err, size_t errlen)
{
    size_t n = strlen(s);
    if (n == 0 || n >= LAB_STUDENT_MAX) {
        snprintf(err, errlen, "a student ID is 1 to %d characters", LAB_STUDENT_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("-_.@+", s[i]))) {
            snprintf(err, errlen, "student ID '%s': an ID is letters, digits and - _ . @ +", s);
            return -1;
        }
    return 0;
}

int lab_who_student(struct lab_who *w, const char *lab, const char *student,
                    const char *course_key_file, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (lab_student_ok(student, err, errlen))
        return -1;
    snprintf(w->lab, sizeof w->lab, "%s", lab);
    snprintf(w->student, sizeof w->student, "%s", student);
    if (course_key_file) {
        if (lab_course_key_read(course_key_file, w->course_key, err, errlen))
            return -1;
        w->keyed = w->has_course_key = true;
    }
    lab_derive(w->has_course_key ? w->course_key : lab_zero_key, lab, student, w->secret);
    return 0;
}

static int lab_hex16(const char *s, uint8_t out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return s[32] == 0 || s[32] == '\n' ? 0 : -1;
}

int lab_who_ticket(struct lab_who *w, const char *ticket_file, const char *course_key_file,
                   char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    char *b;
    size_t n;
    if (lab_slurp(ticket_file, &b, &n, err, errlen))
        return -1;
    char lab[LAB_NAME_MAX] = "", student[LAB_STUDENT_MAX] = "", hex[40] = "";
    int ok = sscanf(b, "tcplab-ticket 1 lab %31s student %63s secret %32s", lab, student, hex);
    free(b);
    if (ok != 3 || strlen(hex) != 32 || lab_hex16(hex, w->secret) ||
        lab_student_ok(student, err, errlen)) {
        snprintf(err, errlen, "%s: not a tcplab ticket (one is written by `tcplab lab start "
                 "--course-key`)", ticket_file);
        return -1;
    }
    snprintf(w->lab, sizeof w->lab, "%s", lab);
    snprintf(w->student, sizeof w->student, "%s", student);
    w->keyed = true;
    if (course_key_file) {
        uint8_t s[16];
        if (lab_course_key_read(course_key_file, w->course_key, err, errlen))
            return -1;
        lab_derive(w->course_key, lab, student, s);
        if (memcmp(s, w->secret, 16)) {
            snprintf(err, errlen, "%s: this ticket was not made with the course key %s",
                     ticket_file, course_key_file);
            return -1;
        }
        w->has_course_key = true;
    }
    return 0;
}

bool lab_who_may_see_all(const struct lab_who *w)
{
    return !w->keyed || w->has_course_key;
}

int lab_ticket_write(const struct lab_who *w, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fprintf(f, "tcplab-ticket 1 lab %s student %s secret ", w->lab, w->student);
    for (int i = 0; i < 16; i++)
        fprintf(f, "%02x", w->secret[i]);
    fprintf(f, "\n# Your variant of the lab: pass it as --ticket %s. Keep it to yourself.\n",
            path);
    if (fclose(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- variants */

int lab_variant_make(const struct lab *l, const struct lab_who *who, struct lab_variant *v,
                     char *err, size_t errlen)
{
    return lab_variant_make_set(l, who, NULL, 0, v, err, errlen);
}

/* "NAME=VALUE" into the parameter set. 0 or -1. */
static int lab_set_one(struct param_set *ps, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    char name[PARAM_NAME_MAX];
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof name) {
        snprintf(err, errlen, "--set wants NAME=VALUE, got '%s'", spec);
        return -1;
    }
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = 0;
    return param_set_value(ps, name, eq + 1, err, errlen);
}

int lab_variant_make_set(const struct lab *l, const struct lab_who *who,
                         const char *const *set, size_t nset, struct lab_variant *v, char *err,
                         size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (who)
        param_init_variant(&v->params, who->secret, l->derivation);
    else
        param_init_default(&v->params);
    snprintf(v->file, sizeof v->file, "%s", l->scenario_file);
    for (size_t i = 0; i < nset; i++)
        if (lab_set_one(&v->params, set[i], err, errlen))
            return -1;
    if (param_expand(v->file, 1, 1, l->scenario, l->scenario_len, &v->params, &v->text, &v->len,
                   err, errlen)) {
        param_free(&v->params);
        return -1;
    }
    const char *unused = param_set_unused(&v->params);
    if (unused) {
        int n = snprintf(err, errlen, "lab %s has no parameter '%s'; its parameters:", l->name,
                         unused);
        for (size_t i = 0; i < v->params.n && n > 0 && (size_t)n < errlen; i++)
            n += snprintf(err + n, errlen - (size_t)n, " %s", v->params.p[i].name);
        lab_variant_free(v);
        return -1;
    }
    return 0;
}

void lab_variant_free(struct lab_variant *v)
{
    param_free(&v->params);
    free(v->text);
    memset(v, 0, sizeof *v);
}

int lab_scenario_file(const char *path, struct scenario *sc, char *err, size_t errlen)
{
    return scenario_load_file(path, sc, err, errlen);   /* parameters: scenario_parse */
}

/* ---------------------------------------------------------------- the command seam */

int lab_sel_option(struct lab_sel *sel, int argc, char **argv, int i, char *err, size_t errlen)
{
    static const char *const withval[] = {"--lab", "--labs", "--student", "--course-key",
                                          "--ticket"};
    const char *a = argv[i];
    if (!strcmp(a, "--instructor")) {
        sel->instructor = true;
        return 1;
    }
    for (size_t k = 0; k < sizeof withval / sizeof *withval; k++) {
        size_t wl = strlen(withval[k]);
        const char *val = NULL;
        int used = 2;
        if (!strcmp(a, withval[k])) {
            val = i + 1 < argc ? argv[i + 1] : NULL;
        } else if (!strncmp(a, withval[k], wl) && a[wl] == '=') {
            val = a + wl + 1;
            used = 1;
        } else {
            continue;
        }
        if (!val || !*val) {
            snprintf(err, errlen, "%s needs a value", withval[k]);
            return -1;
        }
        const char **dst[] = {&sel->lab, &sel->labs_dir, &sel->student, &sel->course_key,
                              &sel->ticket};
        *dst[k] = val;
        return used;
    }
    return 0;
}

const char *lab_sel_conflict(const struct lab_sel *sel)
{
    if (sel->lab || sel->ticket)
        return "a lab brings its own scenario; give --lab NAME or a scenario file, not both";
    return "--instructor, --student, --course-key and --labs choose a lab's variant: they need "
           "--lab NAME (a scenario file's transcript already shows every host)";
}

/* The identity the options name, checked against the lab. 0 or -1. */
static int lab_sel_who(const struct lab_sel *sel, const char *lab, struct lab_who *w, char *err,
                       size_t errlen)
{
    if (sel->ticket) {
        if (lab_who_ticket(w, sel->ticket, sel->course_key, err, errlen))
            return -1;
        if (lab && strcmp(w->lab, lab)) {
            snprintf(err, errlen, "%s is a ticket for lab '%s', not '%s'", sel->ticket, w->lab,
                     lab);
            return -1;
        }
        if (sel->student && strcmp(sel->student, w->student)) {
            snprintf(err, errlen, "%s is %s's ticket, not %s's", sel->ticket, w->student,
                     sel->student);
            return -1;
        }
        return 0;
    }
    if (!sel->student) {
        snprintf(err, errlen, "--lab %s needs --student ID (or --ticket FILE): each student "
                 "has a variant of their own", lab);
        return -1;
    }
    return lab_who_student(w, lab, sel->student, sel->course_key, err, errlen);
}

int lab_open_text(const struct lab_sel *sel, struct lab_variant *v, struct lab_view *view,
                  char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    memset(view, 0, sizeof *view);
    if (!sel->lab && sel->ticket) {
        struct lab_who w;
        if (lab_who_ticket(&w, sel->ticket, NULL, err, errlen))
            return 1;
        struct lab_sel s2 = *sel;
        s2.lab = w.lab;
        return lab_open_text(&s2, v, view, err, errlen);
    }
    if (!sel->lab) {
        snprintf(err, errlen, "%s needs --lab NAME", sel->student ? "--student" :
                 sel->instructor ? "--instructor" : sel->course_key ? "--course-key" : "--labs");
        return 1;
    }
    struct lab *l = lab_load(sel->lab, sel->labs_dir, err, errlen);
    if (!l)
        return 1;
    struct lab_who w;
    int rc = 1;
    if (lab_sel_who(sel, l->name, &w, err, errlen))
        goto out;
    if (sel->instructor && !lab_who_may_see_all(&w)) {
        snprintf(err, errlen, "--instructor with a course key in play needs --course-key FILE");
        goto out;
    }
    if (lab_variant_make_set(l, &w, sel->set, sel->nset, v, err, errlen))
        goto out;
    view->restricted = !l->view_all && !sel->instructor;
    snprintf(view->host, sizeof view->host, "%s", l->student_host);
    view->variant = lab_variant_digest(v);
    rc = 0;
out:
    lab_free(l);
    return rc;
}

uint64_t lab_variant_digest(const struct lab_variant *v)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < v->len; i++)
        h = (h ^ (uint8_t)v->text[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

int lab_open(const struct lab_sel *sel, struct scenario *sc, struct lab_view *view, char *err,
             size_t errlen)
{
    memset(sc, 0, sizeof *sc);
    struct lab_variant v;
    int rc = lab_open_text(sel, &v, view, err, errlen);
    if (rc)
        return rc;
    rc = 1;
    if (scenario_parse(v.file, v.text, v.len, sc, err, errlen) == 0) {
        const struct scn_host *h = scenario_host(sc, view->host);
        if (!h) {
            snprintf(err, errlen, "%s: error: the student's host '%s' is not in the scenario",
                     v.file, view->host);
            scenario_free(sc);
        } else {
            snprintf(view->host, sizeof view->host, "%s", h->name);
            view->addr = h->addr;
            rc = 0;
        }
    }
    lab_variant_free(&v);
    return rc;
}

/* What the student's own host observes: what it sends and what reaches it, and its own
 * scripted actions (connect, close). A datagram dropped on the way or by another host's
 * filter never reached it, so it is not shown. */
bool lab_view_sees(const struct lab_view *v, const struct sim_event *ev)
{
    if (!v->restricted)
        return true;
    if (ev->kind == SIM_EV_DROP)
        return false;
    return ev->host_addr == v->addr;
}
