/* outfile.c — output files: in place for devices and FIFOs, temp + rename for regular files,
 * symlinks followed, owner and mode kept, temps removed on SIGINT/SIGTERM/SIGHUP.
 *
 * POSIX guarantees rename(2) within one filesystem replaces the target atomically, so a
 * reader sees the old file or the complete new one (git's lockfile.c, and the "write, fsync,
 * rename, fsync the directory" sequence ext4 and XFS document for durable replacement). The
 * temp sits in the directory of the file the path finally names (after symlinks), so the
 * rename replaces that file and the links keep pointing at it; it gets the old file's owner
 * (fchown, which only root or the owner may do) and mode, or 0666 & ~umask for a new file,
 * as open(O_CREAT) would. Where rename cannot keep what the file is (another owner, other
 * hard links, a directory we may not write), the bytes wait in an unnamed temp (tmpfile(3))
 * and are copied into the file at commit: still nothing half-written while the work runs,
 * though the copy itself is not atomic. Devices, FIFOs and stdout are written in place, as
 * nmap's fopen(path, "w") does: renaming over /dev/null as root would replace the device.
 *
 * Signals: temp names live in a fixed table the handler reads (unlink(2) and raise(3) are
 * async-signal-safe); the table changes only with the signals blocked.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum of_mode { OF_STDOUT, OF_IN_PLACE, OF_RENAME, OF_COPY };

struct outfile {
    FILE *fp;
    enum of_mode mode;
    char *path;      /* as given, for messages */
    char *target;    /* the file written: symlinks followed, directory made absolute */
    char *tmp;       /* OF_RENAME: the temp beside target */
    int fd;          /* OF_COPY: target, open for writing; else -1 */
    int reg;         /* slot in the signal table, -1 */
    bool tmp_live;   /* tmp exists and is ours to remove */
    bool have_ino;   /* the target exists: dev/ino say which file it is */
    dev_t dev;
    ino_t ino;
};

/* ---------------------------------------------------------------- messages */

void outfile_path_msg(char *err, size_t errlen, const char *path, const char *reason)
{
    if (!err || !errlen)
        return;
    size_t pl = strlen(path), rl = strlen(reason);
    if (pl + 2 + rl < errlen) {
        snprintf(err, errlen, "%s: %s", path, reason);
        return;
    }
    size_t room = errlen - 1 > rl + 5 ? errlen - 1 - rl - 5 : 0;  /* "..." and ": " */
    if (room < 8) {
        snprintf(err, errlen, "%s", reason);
        return;
    }
    size_t head = room / 2, tail = room - head;
    snprintf(err, errlen, "%.*s...%s: %s", (int)head, path, path + pl - tail, reason);
}

static void of_err(char *err, size_t errlen, const char *path, const char *what, int e)
{
    char reason[256];
    snprintf(reason, sizeof reason, "%s%s%s", what, *what && e ? ": " : "",
             e ? strerror(e) : "");
    outfile_path_msg(err, errlen, path, reason);
}

/* ---------------------------------------------------------------- the signal table */

enum { OF_MAX_TEMPS = 64 };
static const char *volatile of_temps[OF_MAX_TEMPS];

static void of_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void of_unblock(const sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }

static int of_register(const char *tmp)
{
    sigset_t old;
    of_block(&old);
    int slot = -1;
    for (int i = 0; i < OF_MAX_TEMPS && slot < 0; i++)
        if (!of_temps[i]) {
            of_temps[i] = tmp;
            slot = i;
        }
    of_unblock(&old);
    return slot;
}

static void of_unregister(struct outfile *o)
{
    if (o->reg < 0)
        return;
    sigset_t old;
    of_block(&old);
    of_temps[o->reg] = NULL;
    of_unblock(&old);
    o->reg = -1;
}

static void of_on_signal(int sig)
{
    for (int i = 0; i < OF_MAX_TEMPS; i++) {
        const char *t = of_temps[i];
        if (t)
            unlink(t);
    }
    signal(sig, SIG_DFL);
    raise(sig);   /* delivered when the handler returns: the process ends by sig */
}

void outfile_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = of_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* ---------------------------------------------------------------- resolving the path */

static char *of_join(const char *dir, size_t dirlen, const char *name)
{
    size_t nl = strlen(name);
    char *s = malloc(dirlen + 1 + nl + 1);
    if (!s)
        return NULL;
    memcpy(s, dir, dirlen);
    s[dirlen] = '/';
    memcpy(s + dirlen + 1, name, nl + 1);
    return s;
}

/* Follows symlinks from path to the name of the file they end at (which may not exist:
 * *exists false). NULL with errno set on failure. */
static char *of_follow(const char *path, struct stat *st, bool *exists)
{
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        if (lstat(cur, st) != 0) {
            if (errno != ENOENT)
                break;
            *exists = false;
            return cur;
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = true;
            return cur;
        }
        char link[PATH_MAX];
        ssize_t n = hops < 40 ? readlink(cur, link, sizeof link - 1) : -1;
        if (hops >= 40)
            errno = ELOOP;
        if (n < 0)
            break;
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        char *next = link[0] == '/' || !slash ? strdup(link)
                                              : of_join(cur, (size_t)(slash - cur), link);
        free(cur);
        cur = next;
    }
    int e = errno ? errno : ENOMEM;
    free(cur);
    errno = e;
    return NULL;
}

/* "DIR/BASE" with DIR made absolute by realpath(3), so two spellings of one file compare
 * equal. NULL with errno (ENOENT: the directory does not exist; EISDIR: no file name). */
static char *of_canonical(const char *p)
{
    const char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        errno = EISDIR;
        return NULL;
    }
    char *dir;
    if (!slash) {
        dir = realpath(".", NULL);
    } else if (slash == p) {
        dir = strdup("");
    } else {
        char *d = strndup(p, (size_t)(slash - p));
        dir = d ? realpath(d, NULL) : NULL;
        int e = errno;
        free(d);
        errno = e;
    }
    if (!dir)
        return NULL;
    size_t dl = strlen(dir);
    if (dl == 1 && dir[0] == '/')
        dl = 0;
    char *s = of_join(dir, dl, base);
    free(dir);
    return s;
}

/* ---------------------------------------------------------------- opening */

static void of_free(struct outfile *o)
{
    of_unregister(o);
    free(o->path);
    free(o->target);
    free(o->tmp);
    free(o);
}

/* The process umask, read without keeping it changed (POSIX has no read-only query). */
static mode_t of_umask(void)
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

/* A device, FIFO or socket: opened for writing where it is. */
static int of_open_in_place(struct outfile *o, const struct stat *st, char *err, size_t errlen)
{
    if (S_ISSOCK(st->st_mode)) {
        of_err(err, errlen, o->path, "is a socket, not a file or device", 0);
        return -1;
    }
    int fd = open(o->target, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO && S_ISFIFO(st->st_mode)) {
        fprintf(stderr, "tcplab: waiting for a reader on FIFO %s\n", o->path);
        fd = open(o->target, O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        of_err(err, errlen, o->path, "", errno);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    o->mode = OF_IN_PLACE;
    if (!(o->fp = fdopen(fd, "wb"))) {
        of_err(err, errlen, o->path, "", errno);
        close(fd);
        return -1;
    }
    return 0;
}

/* The file exists and rename would change what it is: write it at commit from a buffer. */
static int of_open_copy(struct outfile *o, char *err, size_t errlen)
{
    o->fd = open(o->target, O_WRONLY | O_CLOEXEC);
    if (o->fd < 0) {
        of_err(err, errlen, o->path, "", errno);
        return -1;
    }
    o->mode = OF_COPY;
    if (!(o->fp = tmpfile())) {
        of_err(err, errlen, o->path, "cannot create a temporary file", errno);
        return -1;
    }
    return 0;
}

/* "dir/.name.tmpXXXXXX" beside the target. */
static int of_mktemp(struct outfile *o)
{
    const char *slash = strrchr(o->target, '/');
    size_t dl = (size_t)(slash - o->target);
    size_t n = strlen(o->target) + sizeof "/..tmpXXXXXX";
    if (!(o->tmp = malloc(n))) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(o->tmp, n, "%.*s/.%s.tmpXXXXXX", (int)dl, o->target, slash + 1);
    o->reg = of_register(o->tmp);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        of_unregister(o);
        free(o->tmp);
        o->tmp = NULL;
        errno = e;
    } else {
        o->tmp_live = true;
    }
    return fd;
}

/* A regular file, or none yet. */
static int of_open_regular(struct outfile *o, const struct stat *st, bool exists, char *err,
                           size_t errlen)
{
    if (exists && access(o->target, W_OK) != 0) {   /* what fopen(path, "w") would say */
        of_err(err, errlen, o->path, "", errno);
        return -1;
    }
    if (exists && st->st_nlink > 1)
        return of_open_copy(o, err, errlen);
    int fd = of_mktemp(o);
    if (fd < 0) {
        if (exists)
            return of_open_copy(o, err, errlen);
        of_err(err, errlen, o->path, "", errno);
        return -1;
    }
    o->mode = OF_RENAME;
    if (exists) {
        struct stat ts;
        bool chown_ok = fstat(fd, &ts) == 0 &&
                        ((ts.st_uid == st->st_uid && ts.st_gid == st->st_gid) ||
                         fchown(fd, st->st_uid, st->st_gid) == 0);
        if (!chown_ok) {   /* not ours to give away: keep the file, copy into it */
            close(fd);
            unlink(o->tmp);
            o->tmp_live = false;
            of_unregister(o);
            free(o->tmp);
            o->tmp = NULL;
            return of_open_copy(o, err, errlen);
        }
        (void)fchmod(fd, st->st_mode & 07777);
    } else {
        (void)fchmod(fd, 0666 & ~of_umask());
    }
    if (!(o->fp = fdopen(fd, "wb"))) {
        of_err(err, errlen, o->path, "", errno);
        close(fd);
        return -1;
    }
    return 0;
}

struct outfile *outfile_open(const char *path, char *err, size_t errlen)
{
    struct outfile *o = calloc(1, sizeof *o);
    if (!o || !(o->path = strdup(path))) {
        free(o);
        of_err(err, errlen, path, "", ENOMEM);
        return NULL;
    }
    o->fd = -1;
    o->reg = -1;
    if (!strcmp(path, "-")) {
        o->fp = stdout;
        o->mode = OF_STDOUT;
        return o;
    }
    struct stat st;
    bool exists = false;
    char *named = of_follow(path, &st, &exists);
    o->target = named ? of_canonical(named) : NULL;
    int e = errno;
    free(named);
    int rc = -1;
    if (!o->target)
        of_err(err, errlen, path, e == EISDIR ? "not a file name" : "", e == EISDIR ? 0 : e);
    else if (exists && S_ISDIR(st.st_mode))
        of_err(err, errlen, path, "is a directory", 0);
    else if (exists && !S_ISREG(st.st_mode))
        rc = of_open_in_place(o, &st, err, errlen);
    else
        rc = of_open_regular(o, &st, exists, err, errlen);
    if (rc == 0 && exists) {
        o->have_ino = true;
        o->dev = st.st_dev;
        o->ino = st.st_ino;
    }
    if (rc < 0) {
        outfile_abort(o);
        return NULL;
    }
    return o;
}

FILE *outfile_fp(struct outfile *o) { return o->fp; }
bool outfile_in_place(const struct outfile *o)
{
    return o->mode == OF_STDOUT || o->mode == OF_IN_PLACE;
}
bool outfile_is_stdout(const struct outfile *o) { return o->mode == OF_STDOUT; }

bool outfile_same(const struct outfile *a, const struct outfile *b)
{
    if (a->mode == OF_STDOUT || b->mode == OF_STDOUT)
        return a->mode == b->mode;
    if (a->have_ino && b->have_ino && a->dev == b->dev && a->ino == b->ino)
        return true;
    return strcmp(a->target, b->target) == 0;
}

/* ---------------------------------------------------------------- committing */

/* Makes the rename itself durable; failure here loses nothing already visible, so ignored. */
static void of_sync_dir(const char *target)
{
    const char *slash = strrchr(target, '/');
    char *dir = slash == target ? strdup("/") : strndup(target, (size_t)(slash - target));
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Step 1: every byte written and on disk (nothing visible yet). 0, or -1 with err. */
static int of_prepare(struct outfile *o, char *err, size_t errlen)
{
    errno = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp)) {
        of_err(err, errlen, o->mode == OF_STDOUT ? "stdout" : o->path, "write failed",
               errno ? errno : EIO);
        return -1;
    }
    if (o->mode != OF_RENAME)
        return 0;
    if (fsync(fileno(o->fp)) != 0 && errno != EINVAL) {
        of_err(err, errlen, o->path, "fsync failed", errno);
        return -1;
    }
    FILE *fp = o->fp;
    o->fp = NULL;
    if (fclose(fp) != 0) {
        of_err(err, errlen, o->path, "close failed", errno);
        return -1;
    }
    return 0;
}

/* OF_COPY: the buffered bytes into the file, from its start. */
static int of_copy_in(struct outfile *o)
{
    if (ftruncate(o->fd, 0) != 0 || lseek(o->fd, 0, SEEK_SET) != 0)
        return -1;
    rewind(o->fp);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, o->fp)) > 0) {
        for (size_t off = 0; off < n;) {
            ssize_t w = write(o->fd, buf + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            off += (size_t)w;
        }
    }
    if (ferror(o->fp))
        return -1;
    if (fsync(o->fd) != 0 && errno != EINVAL)
        return -1;
    return 0;
}

/* Step 2, with signals held: the file appears. 0, or -1 with err. */
static int of_publish(struct outfile *o, char *err, size_t errlen)
{
    int rc = 0;
    switch (o->mode) {
    case OF_STDOUT:
        break;
    case OF_IN_PLACE:
        if (fclose(o->fp) != 0) {
            of_err(err, errlen, o->path, "write failed", errno);
            rc = -1;
        }
        o->fp = NULL;
        break;
    case OF_RENAME:
        if (rename(o->tmp, o->target) != 0) {
            of_err(err, errlen, o->path, "cannot replace", errno);
            rc = -1;
            unlink(o->tmp);
        }
        o->tmp_live = false;
        of_unregister(o);
        break;
    case OF_COPY:
        if (of_copy_in(o) != 0) {
            of_err(err, errlen, o->path, "write failed", errno);
            rc = -1;
        }
        break;
    }
    return rc;
}

int outfile_commit_all(struct outfile **v, size_t n, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (v[i] && of_prepare(v[i], err, errlen) < 0)
            rc = -1;
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            outfile_abort(v[i]);
        return -1;
    }
    sigset_t old;
    of_block(&old);
    for (size_t i = 0; i < n; i++) {
        if (!v[i])
            continue;
        char e2[512];
        if (of_publish(v[i], rc ? e2 : err, rc ? sizeof e2 : errlen) < 0)
            rc = -1;
    }
    of_unblock(&old);
    for (size_t i = 0; i < n; i++) {
        if (!v[i])
            continue;
        if (v[i]->mode == OF_RENAME && rc == 0)
            of_sync_dir(v[i]->target);
        outfile_abort(v[i]);   /* what is left to free; the temp is gone */
    }
    return rc;
}

int outfile_commit(struct outfile *o, char *err, size_t errlen)
{
    return outfile_commit_all(&o, 1, err, errlen);
}

void outfile_abort(struct outfile *o)
{
    if (!o)
        return;
    if (o->mode == OF_STDOUT)
        fflush(stdout);
    else if (o->fp)
        fclose(o->fp);
    if (o->tmp_live)
        unlink(o->tmp);
    if (o->fd >= 0)
        close(o->fd);
    of_free(o);
}
