/* test_outfile.c — lib/outfile: what a path names decides how it is written.
 *
 * Devices, FIFOs and stdout in place (a write error is an error), symlinks followed,
 * owner, mode and hard links kept, a missing directory refused at open, two outputs on one
 * file detected, a long path shortened so the reason survives, and SIGINT/SIGTERM leaving
 * no temp file and never half a set of outputs. Owner checks need root (skipped otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/outfile.h"

struct tdir {
    char dir[64];
};

static int setup(void **state)
{
    struct tdir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/tcplab-test-outfile-XXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tdir *t = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        return -1;
    free(t);
    return 0;
}

static const char *in(const struct tdir *t, const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", t->dir, name);
    return buf[k];
}

static int entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    if (d)
        closedir(d);
    return n;
}

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int write_and_commit(const char *path, const char *text, char *err, size_t errlen)
{
    struct outfile *o = outfile_open(path, err, errlen);
    if (!o)
        return -2;
    fputs(text, outfile_fp(o));
    return outfile_commit(o, err, errlen);
}

/* /dev/null stays a character device; /dev/full's ENOSPC is an error, not a success. */
static void test_devices_in_place(void **state)
{
    (void)state;
    char err[512];
    struct stat before, after;
    assert_int_equal(stat("/dev/null", &before), 0);
    struct outfile *o = outfile_open("/dev/null", err, sizeof err);
    assert_non_null(o);
    assert_true(outfile_in_place(o));
    fputs("report\n", outfile_fp(o));
    assert_int_equal(outfile_commit(o, err, sizeof err), 0);
    assert_int_equal(stat("/dev/null", &after), 0);
    assert_true(S_ISCHR(after.st_mode));
    assert_int_equal(before.st_ino, after.st_ino);

    assert_int_equal(write_and_commit("/dev/full", "report\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/full"));
    assert_non_null(strstr(err, "No space left on device"));
}

/* A symlink is followed: the link stays, its target gets the bytes; a dangling link
 * creates its target; a relative link resolves against the link's directory. */
static void test_symlinks_followed(void **state)
{
    struct tdir *t = *state;
    char err[512], buf[64];
    assert_int_equal(mkdir(in(t, "sub"), 0755), 0);
    put(in(t, "sub/real"), "old\n");
    assert_int_equal(symlink("sub/real", in(t, "link")), 0);
    assert_int_equal(write_and_commit(in(t, "link"), "new\n", err, sizeof err), 0);
    struct stat st;
    assert_int_equal(lstat(in(t, "link"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    slurp(in(t, "sub/real"), buf, sizeof buf);
    assert_string_equal(buf, "new\n");
    assert_int_equal(entries(in(t, "sub")), 1);   /* no temp left beside the target */

    assert_int_equal(symlink("sub/created", in(t, "dangling")), 0);
    assert_int_equal(write_and_commit(in(t, "dangling"), "x\n", err, sizeof err), 0);
    slurp(in(t, "sub/created"), buf, sizeof buf);
    assert_string_equal(buf, "x\n");
    assert_int_equal(lstat(in(t, "dangling"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));

    assert_int_equal(symlink("loop2", in(t, "loop1")), 0);
    assert_int_equal(symlink("loop1", in(t, "loop2")), 0);
    assert_null(outfile_open(in(t, "loop1"), err, sizeof err));
    assert_non_null(strstr(err, "Too many levels of symbolic links"));
}

/* An existing file keeps its mode (and, as root, its owner), and its hard links. */
static void test_owner_mode_links_kept(void **state)
{
    struct tdir *t = *state;
    char err[512], buf[64];
    const char *p = in(t, "report.txt");
    put(p, "old\n");
    assert_int_equal(chmod(p, 0640), 0);
    if (geteuid() == 0)
        assert_int_equal(chown(p, 12345, 23456), 0);
    assert_int_equal(write_and_commit(p, "new\n", err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    if (geteuid() == 0) {
        assert_int_equal(st.st_uid, 12345);
        assert_int_equal(st.st_gid, 23456);
    }
    slurp(p, buf, sizeof buf);
    assert_string_equal(buf, "new\n");

    const char *q = in(t, "other-name");
    assert_int_equal(link(p, q), 0);
    assert_int_equal(write_and_commit(p, "linked\n", err, sizeof err), 0);
    slurp(q, buf, sizeof buf);
    assert_string_equal(buf, "linked\n");   /* still one file */
    assert_int_equal(entries(t->dir), 2);

    /* A new file gets 0666 & ~umask, as open(O_CREAT) gives. */
    mode_t old = umask(027);
    assert_int_equal(write_and_commit(in(t, "fresh"), "f\n", err, sizeof err), 0);
    umask(old);
    assert_int_equal(stat(in(t, "fresh"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
}

/* A FIFO is written in place (the reader gets the bytes); opened with no reader yet, it
 * says so on stderr and waits for one. */
static void test_fifo_in_place(void **state)
{
    struct tdir *t = *state;
    char err[512];
    const char *f = in(t, "fifo");
    assert_int_equal(mkfifo(f, 0600), 0);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {   /* the reader arrives later than the writer */
        usleep(200000);
        int fd = open(f, O_RDONLY);
        char b[64];
        ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
        if (n > 0 && write(pfd[1], b, (size_t)n) != n)
            _exit(2);
        _exit(n > 0 ? 0 : 1);
    }
    close(pfd[1]);
    assert_int_equal(write_and_commit(f, "through the fifo\n", err, sizeof err), 0);
    char b[64] = "";
    ssize_t n = read(pfd[0], b, sizeof b - 1);
    assert_true(n > 0);
    b[n] = '\0';
    assert_string_equal(b, "through the fifo\n");
    close(pfd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    assert_int_equal(lstat(f, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
}

/* Bad paths fail at open: a missing directory, a directory, no file name. */
static void test_bad_paths_fail_at_open(void **state)
{
    struct tdir *t = *state;
    char err[512];
    assert_null(outfile_open("/nonexistent-dir/x.xml", err, sizeof err));
    assert_string_equal(err, "/nonexistent-dir/x.xml: No such file or directory");
    assert_null(outfile_open(t->dir, err, sizeof err));
    assert_non_null(strstr(err, "is a directory"));
    assert_null(outfile_open("somedir/", err, sizeof err));
    assert_int_equal(entries(t->dir), 0);
    put(in(t, "ro"), "keep\n");
    assert_int_equal(chmod(in(t, "ro"), 0444), 0);
    if (geteuid() != 0) {   /* fopen "w" would refuse it: so do we */
        assert_null(outfile_open(in(t, "ro"), err, sizeof err));
        assert_non_null(strstr(err, "Permission denied"));
    }
}

/* The same file through two names is detected; two different files are not. */
static void test_same_file(void **state)
{
    struct tdir *t = *state;
    char err[512];
    assert_int_equal(symlink("a.xml", in(t, "b.xml")), 0);
    struct outfile *a = outfile_open(in(t, "a.xml"), err, sizeof err);
    char rel[300];
    snprintf(rel, sizeof rel, "%s/./a.xml", t->dir);
    struct outfile *a2 = outfile_open(rel, err, sizeof err);
    struct outfile *b = outfile_open(in(t, "b.xml"), err, sizeof err);
    struct outfile *c = outfile_open(in(t, "c.xml"), err, sizeof err);
    assert_true(a && a2 && b && c);
    assert_true(outfile_same(a, a2));
    assert_true(outfile_same(a, b));
    assert_false(outfile_same(a, c));
    outfile_abort(a);
    outfile_abort(a2);
    outfile_abort(b);
    outfile_abort(c);
    assert_int_equal(entries(t->dir), 1);   /* only the link: aborted outputs leave nothing */
}

/* A path longer than the message buffer is cut in its middle, never the reason. */
static void test_long_path_keeps_reason(void **state)
{
    (void)state;
    char path[700];
    memset(path, 'd', sizeof path);
    memcpy(path, "/nonexistent/", 13);
    path[sizeof path - 1] = '\0';
    char err[256];
    assert_null(outfile_open(path, err, sizeof err));
    size_t n = strlen(err);
    const char *tail = ": No such file or directory";
    assert_true(n > strlen(tail));
    assert_string_equal(err + n - strlen(tail), tail);
    assert_non_null(strstr(err, "..."));
    assert_memory_equal(err, "/nonexistent/", 13);
}

/* A child opens three outputs and is killed by sig at a given point: no temp file is left,
 * and the set is all there or absent. */
static void kill_at(const struct tdir *t, int sig, int point)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        outfile_catch_signals();
        char err[512];
        struct outfile *v[3];
        const char *names[3] = {"r.nmap", "r.gnmap", "r.xml"};
        for (int i = 0; i < 3; i++) {
            v[i] = outfile_open(in(t, names[i]), err, sizeof err);
            if (!v[i])
                _exit(3);
            fputs("complete\n", outfile_fp(v[i]));
        }
        if (point == 0)
            raise(sig);   /* during the work */
        if (point == 1) { /* arrives while the set is being published: held until done */
            sigset_t set, old;
            sigemptyset(&set);
            sigaddset(&set, sig);
            sigprocmask(SIG_BLOCK, &set, &old);
            raise(sig);
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
        _exit(outfile_commit_all(v, 3, err, sizeof err) == 0 ? 0 : 4);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    int n = entries(t->dir);
    if (point == 0) {
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == sig);
        assert_int_equal(n, 0);
    } else {
        assert_true((WIFSIGNALED(status) && WTERMSIG(status) == sig) ||
                    (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        assert_true(n == 0 || n == 3);
    }
}

static void test_signals_leave_no_temp(void **state)
{
    struct tdir *t = *state;
    kill_at(t, SIGINT, 0);
    kill_at(t, SIGTERM, 0);
    kill_at(t, SIGHUP, 0);
    kill_at(t, SIGTERM, 1);
}

/* commit_all: one failing output (a full device) aborts the whole set. */
static void test_commit_all_is_a_set(void **state)
{
    struct tdir *t = *state;
    char err[512];
    struct outfile *v[3] = {
        outfile_open(in(t, "one"), err, sizeof err),
        outfile_open("/dev/full", err, sizeof err),
        outfile_open(in(t, "three"), err, sizeof err),
    };
    assert_true(v[0] && v[1] && v[2]);
    for (int i = 0; i < 3; i++)
        fputs("data\n", outfile_fp(v[i]));
    assert_int_equal(outfile_commit_all(v, 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/full"));
    assert_int_equal(entries(t->dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_devices_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_mode_links_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths_fail_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_path_keeps_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signals_leave_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_all_is_a_set, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
