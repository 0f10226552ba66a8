/* attach_run.c — the script's process and its session for `tcplab attach` (cmd/attach.c),
 * and the replay of a --record file.
 *
 * The script runs as a child with one end of a socketpair in $TCPLAB_ATTACH (a descriptor
 * number), the attaching address in $TCPLAB_AS and the prefix in $TCPLAB_PREFIX; the
 * directory of the Python client (attach/tcplab.py beside the binary in a source tree, or
 * where `make install` put it) goes first on its PYTHONPATH. tcplab serves its requests one
 * at a time (attach/session.h) until it closes the socket, then waits for it. Nothing here
 * reads a clock: the script's requests are the only input, so they are all a replay needs.
 */
#define _GNU_SOURCE 1   /* SOCK_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/session.h"
#include "cmd/attach.h"
#include "lib/infile.h"
#include "lib/outfile.h"
#include "lib/wire.h"
#include "sim/sim.h"

#ifndef TCPLAB_PYDIR
#define TCPLAB_PYDIR "/usr/local/share/tcplab/python"
#endif

/* With no --until, the run after the script stops when no event is left, or this much
 * virtual time later (traffic that never stops). */
#define ATTACH_IDLE_LIMIT_NS (3600ULL * 1000000000ULL)
#define ATTACH_MAX_RECORD (1u << 30)

static void attach_run_on(struct sim *s, bool has_until, uint64_t until_ns)
{
    if (has_until) {
        if (until_ns > sim_now(s))
            sim_run_until(s, until_ns);
    } else {
        sim_run(s, sim_now(s) + ATTACH_IDLE_LIMIT_NS, NULL);
    }
}

/* ---------------------------------------------------------------- the child */

static bool file_exists(const char *dir, const char *name)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The Python client's directory: beside the binary in a source tree (./tcplab, build/tcplab),
 * or installed beside it (BIN/../share/tcplab/python, whatever the prefix), else the one
 * make install was built for. NULL when none has tcplab.py. */
static const char *py_dir(char *buf, size_t cap)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            const char *sub[] = { "attach", "../attach", "../share/tcplab/python" };
            for (int i = 0; i < 3; i++) {
                snprintf(buf, cap, "%s/%s", exe, sub[i]);
                if (file_exists(buf, "tcplab.py"))
                    return buf;
            }
        }
    }
    return file_exists(TCPLAB_PYDIR, "tcplab.py") ? TCPLAB_PYDIR : NULL;
}

static void child_env(const struct attach_opts *o, int fd)
{
    char v[64], a[16];
    snprintf(v, sizeof v, "%d", fd);
    setenv("TCPLAB_ATTACH", v, 1);
    setenv("TCPLAB_AS", wire_ip_str(o->addr, a), 1);
    snprintf(v, sizeof v, "%s/%u", wire_ip_str(o->prefix, a), (unsigned)o->plen);
    setenv("TCPLAB_PREFIX", v, 1);
    char dir[4200];
    const char *d = py_dir(dir, sizeof dir);
    if (!d)
        return;
    const char *old = getenv("PYTHONPATH");
    size_t n = strlen(d) + (old ? strlen(old) + 1 : 0) + 1;
    char *pp = malloc(n);
    if (!pp)
        return;
    snprintf(pp, n, "%s%s%s", d, old && *old ? ":" : "", old && *old ? old : "");
    setenv("PYTHONPATH", pp, 1);
    free(pp);
}

/* The prefix of this module's messages: the command's (o->who, "tcplab diff: run A"), else
 * "tcplab attach". */
static const char *who(const struct attach_opts *o)
{
    return o && o->who ? o->who : "tcplab attach";
}

static pid_t spawn(const struct attach_opts *o, int sv[2])
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    close(sv[0]);
    if (fcntl(sv[1], F_SETFD, 0) < 0 || (o->stdout_to_stderr && dup2(2, 1) < 0))
        _exit(127);
    child_env(o, sv[1]);
    execvp(o->argv[0], o->argv);
    fprintf(stderr, "%s: cannot run '%s': %s\n", who(o), o->argv[0], strerror(errno));
    _exit(127);
}

/* ---------------------------------------------------------------- the session loop */

/* Reads exactly n bytes: 1, 0 at end of file before any byte, -1 when cut short or on error. */
static int read_full(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return got == 0 && r == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void say_fatal(const struct attach_opts *o, const struct proto_buf *reply)
{
    size_t n = reply->n > 7 ? proto_rd16(reply->v + 5) : 0;
    if (n > reply->n - 7)
        n = reply->n - 7;
    fprintf(stderr, "%s: the script sent a malformed request: %.*s; stopping it\n", who(o),
            (int)n, (const char *)reply->v + 7);
}

/* Serves requests until the script closes its end. 0, or -1 after a malformed request or
 * when memory ran out (the script is then stopped). */
static int serve(const struct attach_opts *o, struct attach_session *a, int fd)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        uint8_t hdr[4];
        if (read_full(fd, hdr, 4) <= 0)
            break;   /* the script is done (or died mid-frame: its status says so) */
        char err[200];
        long n = proto_frame_len(hdr, err, sizeof err);
        if (n < 0) {   /* the rest cannot be framed: answer, and stop */
            struct proto_buf e = { 0 };
            size_t at = proto_begin(&e, PROTO_ERROR);
            proto_put16(&e, (uint16_t)strlen(err));
            proto_put(&e, err, strlen(err));
            proto_end(&e, at);
            say_fatal(o, &e);
            if (!e.oom)
                write_full(fd, e.v, e.n);
            proto_buf_free(&e);
            rc = -1;
            break;
        }
        if ((size_t)n > cap) {
            uint8_t *b = realloc(buf, (size_t)n);
            if (!b) {
                fprintf(stderr, "%s: out of memory for a %ld-byte request\n", who(o), n);
                rc = -1;
                break;
            }
            buf = b;
            cap = (size_t)n;
        }
        if (read_full(fd, buf, (size_t)n) <= 0)
            break;
        bool fatal;
        const struct proto_buf *reply = attach_frame(a, buf, (size_t)n, &fatal);
        if (fatal)
            say_fatal(o, reply);
        if (write_full(fd, reply->v, reply->n) || fatal) {
            rc = fatal ? -1 : 0;
            break;
        }
    }
    free(buf);
    return rc;
}

static int wait_child(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 2;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 2;
}

/* After a malformed request: the script has its error and a closed socket; a script that
 * goes on regardless gets five seconds (of real time: this only ends a process, it decides
 * nothing in the simulation), then SIGTERM. */
static void stop_child(pid_t pid)
{
    struct timespec nap = { 0, 100 * 1000 * 1000 };
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, NULL, WNOHANG) != 0) {
            return;   /* (reaped here: wait_child then finds no child and says 2) */
        }
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGTERM);
}

int attach_spawn(const struct attach_opts *o, struct sim *s, struct attach_out *ao,
                 uint64_t seed)
{
    char err[256];
    struct attach_cfg cfg = { .prefix = o->prefix, .plen = o->plen, .addr = o->addr,
                              .record = ao->record ? outfile_fp(ao->record) : NULL,
                              .seed = seed, .variant = o->variant };
    struct attach_session *a = attach_new(s, &cfg, err, sizeof err);
    if (!a) {
        fprintf(stderr, "%s: %s\n", who(o), err);
        return -2;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        fprintf(stderr, "%s: socketpair: %s\n", who(o), strerror(errno));
        attach_free(a);
        return -2;
    }
    signal(SIGPIPE, SIG_IGN);   /* a script that dies mid-reply: write fails, we go on */
    pid_t pid = spawn(o, sv);
    close(sv[1]);
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", who(o), strerror(errno));
        close(sv[0]);
        attach_free(a);
        return -2;
    }
    int trouble = serve(o, a, sv[0]);
    close(sv[0]);
    if (trouble)
        stop_child(pid);
    int status = wait_child(pid);
    attach_detach(a);
    int rec = attach_record_end(a, o->has_until, o->until_ns, status);
    attach_run_on(s, o->has_until, o->until_ns);
    attach_free(a);
    if (rec) {
        fprintf(stderr, "%s: writing the record %s failed\n", who(o), o->record);
        return -2;
    }
    return trouble ? -2 : status;
}

/* ---------------------------------------------------------------- replay */

int attach_record_load(const char *path, struct attach_record *rec, char *err, size_t errlen)
{
    memset(rec, 0, sizeof *rec);
    FILE *f = infile_open(path, err, errlen);
    if (!f)
        return -1;
    size_t cap = 0;
    for (;;) {
        if (rec->len == cap) {
            size_t nc = cap ? cap * 2 : 65536;
            uint8_t *b = nc <= ATTACH_MAX_RECORD ? realloc(rec->buf, nc) : NULL;
            if (!b) {
                snprintf(err, errlen, "%s: too big for a record (or out of memory)", path);
                goto fail;
            }
            rec->buf = b;
            cap = nc;
        }
        size_t r = fread(rec->buf + rec->len, 1, cap - rec->len, f);
        rec->len += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    infile_close(f);
    char why[256];
    if (proto_rec_header(rec->buf, rec->len, &rec->hdr, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        free(rec->buf);
        rec->buf = NULL;
        return -1;
    }
    return 0;
fail:
    infile_close(f);
    free(rec->buf);
    rec->buf = NULL;
    return -1;
}

enum attach_rec_fit attach_record_fits(const struct attach_record *rec, uint64_t seed,
                                       uint64_t variant, uint32_t host_addr)
{
    uint8_t plen = rec->hdr.plen > 32 ? 32 : rec->hdr.plen;
    uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0;
    if (rec->hdr.seed != seed || rec->hdr.variant != variant)
        return ATTACH_REC_OTHER_VARIANT;
    if ((rec->hdr.addr & mask) != (host_addr & mask))
        return ATTACH_REC_OTHER_HOST;
    return ATTACH_REC_FITS;
}

int attach_replay(const struct attach_opts *o, struct sim *s, const struct attach_record *rec,
                  uint64_t seed)
{
    char err[300];
    if (seed != rec->hdr.seed) {
        fprintf(stderr, "%s: %s was recorded with --seed %llu\n", who(o), o->replay,
                (unsigned long long)rec->hdr.seed);
        return -1;
    }
    struct attach_cfg cfg = { .prefix = o->prefix, .plen = o->plen, .addr = o->addr };
    struct attach_session *a = attach_new(s, &cfg, err, sizeof err);
    if (!a) {
        fprintf(stderr, "%s: %s\n", who(o), err);
        return -2;
    }
    if (o->attached && o->attached(o->attached_ctx, s)) {
        attach_free(a);
        return -2;
    }
    size_t off = PROTO_REC_HDR;
    struct proto_rec_end end;
    bool ended = false;
    int rc = -1;
    for (;;) {
        uint64_t t;
        struct proto_req r;
        size_t at = off;
        int k = proto_rec_next(rec->buf, rec->len, &off, &t, &r, &end, err, sizeof err);
        if (k < 0) {
            fprintf(stderr, "%s: %s: %s\n", who(o), o->replay, err);
            goto out;
        }
        if (k == 0)
            break;
        if (t != sim_now(s)) {
            fprintf(stderr, "%s: %s: the request at byte %lu was made at virtual "
                    "time %llu ns, the replay is at %llu ns: not the scenario, lab variant "
                    "or seed it was recorded with\n", who(o), o->replay, (unsigned long)at,
                    (unsigned long long)t, (unsigned long long)sim_now(s));
            goto out;
        }
        if (r.type == PROTO_ERROR) {
            ended = true;
            continue;
        }
        attach_apply(a, &r);
    }
    if (!ended) {
        fprintf(stderr, "%s: %s is cut short (no END entry)\n", who(o), o->replay);
        goto out;
    }
    attach_detach(a);
    attach_run_on(s, o->has_until || end.has_until, o->has_until ? o->until_ns : end.until_ns);
    rc = end.status < 0 || end.status > 255 ? 2 : end.status;
out:
    attach_free(a);
    return rc;
}
