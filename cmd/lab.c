/* lab.c — `tcplab lab list | show NAME | start NAME [DIR] | check NAME FILE|DIR | key NAME`.
 *
 * The classroom side of lab/lab.h: list the labs, print a worksheet, start a lab for a
 * student (worksheet and answer template into a directory, and with a course key the
 * student's ticket), grade answers (one file: per question PASS or FAIL with a hint; a
 * directory of submissions: a CSV), and print a variant's key in the form `check` accepts.
 * Exit status: 0 success, 1 usage error, 2 runtime failure; `check` as diff(1): 0 all right,
 * 1 some wrong, 2 trouble.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "lab/lab.h"
#include "lib/outfile.h"
#include "cmd/lab_replay.h"

struct lab_cmd {
    struct lab_sel sel;
    const char *sub, *name, *path;   /* subcommand, lab, DIR or FILE */
    const char *csv;                 /* check --csv FILE */
    bool force;                      /* start --force */
    bool scenario;                   /* show --scenario */
    bool labfile;                    /* show --lab-file */
};

static void lab_usage(FILE *f)
{
    fprintf(f,
            "usage:\n"
            "  tcplab lab list\n"
            "  tcplab lab show NAME [--scenario | --lab-file]\n"
            "  tcplab lab start NAME [DIR] --student ID [--course-key FILE] [--force]\n"
            "  tcplab lab check NAME FILE|DIR [--student ID | --ticket FILE] [--course-key FILE]\n"
            "                              [--csv OUT]\n"
            "  tcplab lab key NAME --student ID [--course-key FILE]\n"
            "\n"
            "Labs are scenarios with a worksheet and a grader; each student gets a variant of\n"
            "their own (its open ports, hosts, sequence numbers) derived from the lab, the ID\n"
            "and the instructor's course key, so two students have different answers.\n"
            "\n"
            "  list            the labs (built in, and from --labs DIR or $TCPLAB_LABS first)\n"
            "  show NAME       the worksheet; with --scenario the scenario template (run it\n"
            "                  as a plain file: every parameter takes its default); with\n"
            "                  --lab-file its NAME.lab (questions, grader), to copy and change\n"
            "                  in a --labs DIR of your own\n"
            "  start NAME DIR  write the worksheet and an answer template (answers.txt) into DIR\n"
            "                  (default: NAME-ID); with --course-key also the student's ticket\n"
            "  check NAME F    grade an answer file: PASS or FAIL per question, with a hint;\n"
            "                  exit 0 all right, 1 some wrong, 2 trouble. A directory: every\n"
            "                  file in it (not records, worksheets, tickets) and each\n"
            "                  DIR/ID/answers.txt, one CSV line each (stdout or --csv OUT)\n"
            "  key NAME        the variant's answers, in the form check accepts\n"
            "\n"
            "  --student ID       whose variant (check: default the file's `student =` line)\n"
            "  --course-key FILE  the instructor's key (16+ bytes of anything); with one set,\n"
            "                     students get tickets and key/--instructor need the key\n"
            "  --ticket FILE      a student's ticket from `lab start --course-key`\n"
            "  --labs DIR         labs from DIR first (NAME.lab beside its scenario, worksheet)\n"
            "  --force            start: write a fresh answers.txt over an existing one\n"
            "\n"
            "Run a variant: tcplab run --lab NAME --student ID; tcplab scan --lab NAME --student\n"
            "ID [scan options] TARGETS. With a course key, --ticket FILE instead of --student.\n");
}

static int lab_parse_args(int argc, char **argv, struct lab_cmd *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int lab = cmd_lab_option("lab", &c->sel, NULL, argc, argv, &i);
        if (lab < 0)
            return -1;
        if (lab) {
            if (!strncmp(a, "--lab", 5) && (a[5] == 0 || a[5] == '=')) {
                fprintf(stderr, "tcplab lab: name the lab after the subcommand (tcplab lab "
                        "show NAME), not with --lab\n");
                return -1;
            }
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            lab_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--csv")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tcplab lab: --csv needs a value\n");
                return -1;
            }
            c->csv = argv[++i];
        } else if (!strcmp(a, "--force")) {
            c->force = true;
        } else if (!strcmp(a, "--lab-file")) {
            c->labfile = true;
        } else if (!strcmp(a, "--scenario")) {
            c->scenario = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "tcplab lab: unknown option '%s' (see tcplab lab --help)\n", a);
            return -1;
        } else if (!c->sub) {
            c->sub = a;
        } else if (!c->name) {
            c->name = a;
        } else if (!c->path) {
            c->path = a;
        } else {
            fprintf(stderr, "tcplab lab: unexpected argument '%s'\n", a);
            return -1;
        }
    }
    if (!c->sub) {
        lab_usage(stderr);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- list, show */

static int lab_cmd_list(const struct lab_cmd *c)
{
    char names[64][LAB_NAME_MAX];
    size_t n = lab_names(c->sel.labs_dir, names, 64);
    for (size_t i = 0; i < n; i++) {
        char err[512];
        struct lab *l = lab_load(names[i], c->sel.labs_dir, err, sizeof err);
        if (!l) {
            fprintf(stderr, "tcplab lab: %s\n", err);
            return 2;
        }
        printf("%-16s %s\n", l->name, l->title);
        lab_free(l);
    }
    if (n)
        printf("\nStart one: tcplab lab start NAME --student ID\n");
    return 0;
}

static struct lab *lab_cmd_load(const struct lab_cmd *c, int *rc)
{
    if (!c->name) {
        fprintf(stderr, "tcplab lab %s: which lab? (tcplab lab list)\n", c->sub);
        *rc = 1;
        return NULL;
    }
    char err[512];
    struct lab *l = lab_load(c->name, c->sel.labs_dir, err, sizeof err);
    if (!l) {
        fprintf(stderr, "tcplab lab: %s\n", err);
        *rc = 1;
    }
    return l;
}

/* show --lab-file: the lab's description (questions, answers, grader), from the labs
 * directory in effect or the built-in set, to copy into a DIR of one's own (--labs DIR). */
static int lab_show_labfile(const struct lab_cmd *c, struct lab *l)
{
    char name[300];
    snprintf(name, sizeof name, "%s.lab", l->name);
    const char *dir = lab_dir(c->sel.labs_dir);
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "r");
        if (f) {
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                fwrite(buf, 1, n, stdout);
            int bad = ferror(f);
            fclose(f);
            lab_free(l);
            return bad || fflush(stdout) ? 2 : 0;
        }
    }
    for (size_t i = 0; i < lab_nblobs; i++)
        if (!strcmp(lab_blobs[i].name, name))
            fwrite(lab_blobs[i].data, 1, lab_blobs[i].len, stdout);
    lab_free(l);
    return fflush(stdout) ? 2 : 0;
}

static int lab_cmd_show(const struct lab_cmd *c)
{
    int rc = 0;
    struct lab *l = lab_cmd_load(c, &rc);
    if (!l)
        return rc;
    if (c->labfile)
        return lab_show_labfile(c, l);
    if (c->scenario)
        fwrite(l->scenario, 1, l->scenario_len, stdout);
    else
        fwrite(l->worksheet, 1, l->worksheet_len, stdout);
    lab_free(l);
    return fflush(stdout) ? 2 : 0;
}

/* ---------------------------------------------------------------- who */

/* The identity the options name for lab l; *rc is the exit status on failure. */
static int lab_cmd_who(const struct lab_cmd *c, const struct lab *l, const char *student,
                       struct lab_who *w, int *rc)
{
    char err[512];
    int r;
    if (c->sel.ticket) {
        r = lab_who_ticket(w, c->sel.ticket, c->sel.course_key, err, sizeof err);
        if (!r && strcmp(w->lab, l->name)) {
            snprintf(err, sizeof err, "%s is a ticket for lab '%s', not '%s'", c->sel.ticket,
                     w->lab, l->name);
            r = -1;
        }
    } else if (!student) {
        snprintf(err, sizeof err, "whose variant? give --student ID");
        r = -1;
    } else {
        r = lab_who_student(w, l->name, student, c->sel.course_key, err, sizeof err);
    }
    if (r) {
        fprintf(stderr, "tcplab lab: %s\n", err);
        *rc = 1;
    }
    return r;
}

/* ---------------------------------------------------------------- start */

static int lab_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "tcplab lab: %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* mkdir -p: the handout directory and any missing parents (lab start handout/alice). */
static int lab_mkdirs(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(dir, 0777);
        *p = '/';
        if (r && errno != EEXIST)
            return -1;
    }
    return mkdir(dir, 0777) && errno != EEXIST ? -1 : 0;
}

static int lab_cmd_start(const struct lab_cmd *c)
{
    int rc = 0;
    struct lab *l = lab_cmd_load(c, &rc);
    if (!l)
        return rc;
    struct lab_who w;
    if (lab_cmd_who(c, l, c->sel.student, &w, &rc))
        goto out;
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", c->path ? c->path : "");
    if (!c->path)
        snprintf(dir, sizeof dir, "%s-%s", l->name, w.student);
    if (lab_mkdirs(dir)) {
        fprintf(stderr, "tcplab lab: %s: %s\n", dir, strerror(errno));
        rc = 2;
        goto out;
    }
    snprintf(path, sizeof path, "%s/%s", dir, l->worksheet_file);
    if (lab_write_file(path, l->worksheet, l->worksheet_len)) {
        rc = 2;
        goto out;
    }
    snprintf(path, sizeof path, "%s/answers.txt", dir);
    struct stat st;
    if (!c->force && stat(path, &st) == 0) {
        printf("%s exists: kept (--force writes a fresh template)\n", path);
    } else {
        FILE *f = fopen(path, "w");
        if (!f || lab_template_write(l, w.student, w.keyed, f) || fclose(f)) {
            fprintf(stderr, "tcplab lab: %s: %s\n", path, strerror(errno));
            if (f)
                fclose(f);
            rc = 2;
            goto out;
        }
    }
    char how[700];
    snprintf(how, sizeof how, "--lab %s --student %s", l->name, w.student);
    if (w.keyed) {
        char err[512];
        snprintf(path, sizeof path, "%s/ticket", dir);
        if (lab_ticket_write(&w, path, err, sizeof err)) {
            fprintf(stderr, "tcplab lab: %s\n", err);
            rc = 2;
            goto out;
        }
        snprintf(how, sizeof how, "--ticket %s", path);
    }
    printf("Lab %s (%s) for %s, in %s/:\n"
           "  worksheet: %s/%s   answers: %s/answers.txt%s%s\n"
           "  run it:    tcplab run %s\n"
           "  scan it:   tcplab scan %s [scan options] TARGETS\n"
           "  check:     tcplab lab check %s %s/answers.txt%s%s\n",
           l->name, l->title, w.student, dir, dir, l->worksheet_file, dir,
           w.keyed ? "   ticket: " : "", w.keyed ? path : "", how, how, l->name, dir,
           w.keyed ? " --ticket " : "", w.keyed ? path : "");
out:
    lab_free(l);
    return rc;
}

/* ---------------------------------------------------------------- key */

static int lab_cmd_key(const struct lab_cmd *c)
{
    int rc = 0;
    struct lab *l = lab_cmd_load(c, &rc);
    if (!l)
        return rc;
    struct lab_who w;
    char **key = NULL;
    char err[512];
    if (lab_cmd_who(c, l, c->sel.student, &w, &rc))
        goto out;
    if (!lab_who_may_see_all(&w)) {
        fprintf(stderr, "tcplab lab: a course key is in play: the key needs --course-key FILE\n");
        rc = 1;
        goto out;
    }
    if (lab_key(l, &w, &key, err, sizeof err)) {
        fprintf(stderr, "tcplab lab: %s\n", err);
        rc = 2;
        goto out;
    }
    printf("# tcplab lab %s: the key of %s's variant (derivation %u)\nlab = %s\nstudent = %s\n",
           l->name, w.student, l->derivation, l->name, w.student);
    for (size_t i = 0; i < l->nq; i++)
        if (l->q[i].kind == LAB_Q_SESSION)   /* a behaviour: no text can answer it */
            printf("# %s: an attach --record file whose replay shows %s\n", l->q[i].id,
                   key[i]);
        else
            printf("%s = %s\n", l->q[i].id, key[i]);
    rc = fflush(stdout) ? 2 : 0;
out:
    lab_key_free(key, l->nq);
    lab_free(l);
    return rc;
}

/* ---------------------------------------------------------------- check */

/* An attach --record file (its magic, any version): handed in beside the answers that name
 * it, not a submission of its own. */
static bool lab_is_record(const char *path)
{
    FILE *f = fopen(path, "rb");
    char magic[7] = "";
    bool rec = f && fread(magic, 1, sizeof magic, f) == sizeof magic &&
               !memcmp(magic, "TLABREC", sizeof magic);
    if (f)
        fclose(f);
    return rec;
}

/* A session answer names the student's record, relative to the answer file's directory;
 * *shown: what its replay shows ("(no such file)" when it was not handed in). 0, or -1
 * (said on stderr). */
static int lab_session_given(const struct lab *l, const struct lab_who *w,
                             const struct lab_question *q, const char *file, const char *given,
                             char **shown)
{
    char path[4096], err[512];
    const char *slash = strrchr(file, '/');
    if (given[0] == '/' || !slash)
        snprintf(path, sizeof path, "%s", given);
    else
        snprintf(path, sizeof path, "%.*s/%s", (int)(slash - file), file, given);
    if (!lab_is_record(path)) {   /* not handed in, or not a record: a wrong answer */
        *shown = strdup(access(path, F_OK) ? "(no such file)" : "(not an attach record)");
        return *shown ? 0 : -1;
    }
    if (lab_replay_value(l, w, q, path, shown, err, sizeof err)) {
        fprintf(stderr, "tcplab lab: %s: %s: %s\n", file, q->id, err);
        return -1;
    }
    return 0;
}

/* A keyed handout's answers: `lab start --course-key` wrote a ticket beside them. Graded
 * with neither --course-key nor --ticket they meet the keyless variant and fail: say so
 * (on stderr, the grades stay as they are). */
static void lab_warn_ticket_beside(const struct lab_cmd *c, const char *file)
{
    if (c->sel.course_key || c->sel.ticket)
        return;
    char path[4096];
    const char *slash = strrchr(file, '/');
    snprintf(path, sizeof path, "%.*sticket", slash ? (int)(slash - file + 1) : 0, file);
    if (access(path, F_OK))
        return;
    fprintf(stderr, "tcplab lab: %s: a ticket is beside it (a course-key variant), but this "
            "check has no key: it grades against the keyless variant; give --course-key FILE "
            "(the instructor) or --ticket %s (the student)\n", file, path);
}

/* Grades one answer file against student's variant. Prints per question when `verbose`,
 * fills pass[]. Returns how many passed, or -1 on trouble (message printed). */
static int lab_grade_file(const struct lab_cmd *c, const struct lab *l, const char *file,
                          const char *student_opt, bool verbose, bool *pass, char *who_out,
                          size_t who_cap)
{
    struct lab_answers a;
    char err[512];
    if (lab_answers_read(file, &a, err, sizeof err)) {
        fprintf(stderr, "tcplab lab: %s\n", err);
        return -1;
    }
    int ok = -1;
    const char *student = student_opt ? student_opt : a.student[0] ? a.student : NULL;
    struct lab_who w;
    int dummy;
    char **key = NULL;
    if (a.lab[0] && strcmp(a.lab, l->name)) {
        fprintf(stderr, "tcplab lab: %s: answers for lab '%s', not '%s'\n", file, a.lab,
                l->name);
        goto out;
    }
    if (!student && !c->sel.ticket) {
        fprintf(stderr, "tcplab lab: %s: whose answers? it has no `student =` line; give "
                "--student ID\n", file);
        goto out;
    }
    if (lab_cmd_who(c, l, student, &w, &dummy)) {
        if (!student_opt && !c->sel.ticket)   /* say which submission it came from */
            fprintf(stderr, "tcplab lab: %s: (the ID of its `student =` line)\n", file);
        goto out;
    }
    snprintf(who_out, who_cap, "%s", w.student);
    lab_warn_ticket_beside(c, file);
    if (lab_key(l, &w, &key, err, sizeof err)) {
        fprintf(stderr, "tcplab lab: %s\n", err);
        goto out;
    }
    if (verbose) {
        printf("lab %s, %s's variant", l->name, w.student);
        if (a.student[0] && strcmp(a.student, w.student))
            printf(" (the file says student = %s)", a.student);
        printf(":\n");
    }
    ok = 0;
    for (size_t i = 0; i < l->nq; i++) {
        const struct lab_question *q = &l->q[i];
        const char *given = lab_answers_get(&a, q->id);
        char *shown = NULL;   /* a session question: what the replay of the record showed */
        if (q->kind == LAB_Q_SESSION && given && *given &&
            lab_session_given(l, &w, q, file, given, &shown) < 0) {
            ok = -1;
            break;
        }
        pass[i] = lab_answer_ok(q, key[i], shown ? shown : given);
        ok += pass[i];
        if (!verbose) {
            free(shown);
            continue;
        }
        if (pass[i])
            printf("  PASS  %s\n", q->id);
        else if (!given || !*given)
            printf("  FAIL  %s: no answer%s%s\n", q->id, q->hint ? ". Hint: " : "",
                   q->hint ? q->hint : "");
        else if (shown && shown[0] == '(')   /* not replayed: why ("(no such file)") */
            printf("  FAIL  %s: %s: %.*s%s%s\n", q->id, given, (int)strlen(shown) - 2,
                   shown + 1, q->hint ? ". Hint: " : "", q->hint ? q->hint : "");
        else if (shown && strstr(q->answer, "${"))   /* the key is a hidden fact: not shown */
            printf("  FAIL  %s: the replay of %s shows '%s', which is not it%s%s\n", q->id,
                   given, shown, q->hint ? ". Hint: " : "", q->hint ? q->hint : "");
        else if (shown)
            printf("  FAIL  %s: the replay of %s shows '%s', not '%s'%s%s\n", q->id, given,
                   shown, key[i], q->hint ? ". Hint: " : "", q->hint ? q->hint : "");
        else
            printf("  FAIL  %s: '%s' is not it%s%s\n", q->id, given, q->hint ? ". Hint: " : "",
                   q->hint ? q->hint : "");
        free(shown);
    }
    if (ok < 0)
        goto out;
    if (verbose)
        printf("%d of %zu right\n", ok, l->nq);
out:
    lab_key_free(key, l->nq);
    lab_answers_free(&a);
    return ok;
}

static void lab_csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int lab_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What `lab start` writes beside answers.txt (the worksheet, a keyed student's ticket):
 * a handout folder handed back whole is graded by its answers alone. */
static bool lab_is_handout(const struct lab *l, const char *name)
{
    return !strcmp(name, "ticket") || !strcmp(name, l->worksheet_file);
}

/* Every regular file of dir but attach records and handout files, and the answers.txt of
 * each subdirectory (a class's handouts returned as returned/ID/, records beside their
 * answers), sorted. */
static int lab_dir_files(const struct lab *l, const char *dir, char ***out, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **v = NULL;
    size_t k = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || lab_is_handout(l, e->d_name))
            continue;
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
            snprintf(path, sizeof path, "%s/%s/answers.txt", dir, e->d_name);
            if (stat(path, &st))
                continue;
        }
        if (stat(path, &st) || !S_ISREG(st.st_mode) || lab_is_record(path))
            continue;
        char **nv = realloc(v, (k + 1) * sizeof *v);
        if (!nv || !(nv[k] = strdup(path))) {
            free(nv ? nv : v);
            closedir(d);
            return -1;
        }
        v = nv;
        k++;
    }
    closedir(d);
    if (k)   /* qsort(NULL, 0, ...) is undefined behaviour */
        qsort(v, k, sizeof *v, lab_cmp_str);
    *out = v;
    *n = k;
    return 0;
}

static int lab_check_dir(const struct lab_cmd *c, const struct lab *l)
{
    char **files = NULL;
    size_t n = 0;
    if (lab_dir_files(l, c->path, &files, &n)) {
        fprintf(stderr, "tcplab lab: %s: %s\n", c->path, strerror(errno));
        return 2;
    }
    char oerr[512];
    struct outfile *of = NULL;
    if (!n || (c->csv && !(of = outfile_open(c->csv, oerr, sizeof oerr)))) {
        if (!n)
            fprintf(stderr, "tcplab lab: %s: no answer files in it\n", c->path);
        else
            fprintf(stderr, "tcplab lab: %s\n", oerr);
        for (size_t i = 0; i < n; i++)
            free(files[i]);
        free(files);
        return 2;
    }
    FILE *f = of ? outfile_fp(of) : stdout;
    fprintf(f, "student,file");
    for (size_t q = 0; q < l->nq; q++)
        fprintf(f, ",%s", l->q[q].id);
    fprintf(f, ",right,questions\n");
    int rc = 0;
    bool *pass = calloc(l->nq, sizeof *pass);
    for (size_t i = 0; i < n && pass; i++) {
        char who[LAB_STUDENT_MAX] = "";
        int ok = lab_grade_file(c, l, files[i], NULL, false, pass, who, sizeof who);
        lab_csv_field(f, who);
        fputc(',', f);
        lab_csv_field(f, files[i]);
        for (size_t q = 0; q < l->nq; q++)
            fprintf(f, ",%s", ok < 0 ? "error" : pass[q] ? "pass" : "fail");
        fprintf(f, ",%d,%zu\n", ok < 0 ? 0 : ok, l->nq);
        if (ok < 0)
            rc = 2;
        else if ((size_t)ok < l->nq && rc == 0)
            rc = 1;
    }
    if (!pass)
        rc = 2;
    free(pass);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    /* The CSV whole or not at all (lib/outfile.h): a grade sheet cut short is worse than
     * none. */
    if (of ? outfile_commit(of, oerr, sizeof oerr) : fflush(f)) {
        fprintf(stderr, "tcplab lab: writing the CSV: %s\n",
                of ? oerr : strerror(errno));
        rc = 2;
    }
    return rc;
}

static int lab_cmd_check(const struct lab_cmd *c)
{
    int rc = 0;
    struct lab *l = lab_cmd_load(c, &rc);
    if (!l)
        return 2;
    if (!c->path) {
        fprintf(stderr, "tcplab lab check: which answers? give a FILE or a DIR\n");
        lab_free(l);
        return 2;
    }
    struct stat st;
    if (stat(c->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = lab_check_dir(c, l);
    } else {
        bool *pass = calloc(l->nq, sizeof *pass);
        char who[LAB_STUDENT_MAX];
        int ok = pass ? lab_grade_file(c, l, c->path, c->sel.student, true, pass, who,
                                       sizeof who) : -1;
        rc = ok < 0 ? 2 : (size_t)ok == l->nq ? 0 : 1;
        free(pass);
    }
    lab_free(l);
    return rc;
}

int cmd_lab(int argc, char **argv)
{
    struct lab_cmd c;
    if (lab_parse_args(argc, argv, &c))
        return argc > 1 && !strcmp(argv[1], "check") ? 2 : 1;
    if (!strcmp(c.sub, "list"))
        return lab_cmd_list(&c);
    if (!strcmp(c.sub, "show"))
        return lab_cmd_show(&c);
    if (!strcmp(c.sub, "start"))
        return lab_cmd_start(&c);
    if (!strcmp(c.sub, "check"))
        return lab_cmd_check(&c);
    if (!strcmp(c.sub, "key"))
        return lab_cmd_key(&c);
    fprintf(stderr, "tcplab lab: '%s' is not a lab command (list, show, start, check, key)\n",
            c.sub);
    return 1;
}
