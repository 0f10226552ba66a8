/* outfile.c — whole-or-nothing output files: temp file beside the target, fsync, rename.
 *
 * POSIX guarantees rename(2) within one filesystem replaces the target atomically, so a
 * reader sees the old file or the complete new one (git's lockfile.c, and the "write, fsync,
 * rename, fsync the directory" sequence ext4 and XFS document for durable replacement). The
 * temp name starts with a dot and ends in a mkstemp suffix so it never clashes with a real
 * output. mkstemp creates files 0600; an output file should get the usual 0666 & ~umask.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct outfile {
    FILE *fp;
    bool is_stdout;
    char *path; /* the target */
    char *tmp;  /* the temp beside it; NULL for stdout */
};

static void outfile_err(char *err, size_t errlen, const char *path, const char *what, int e)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s%s%s", path, what, *what ? ": " : "", strerror(e));
}

static void outfile_free(struct outfile *o)
{
    free(o->path);
    free(o->tmp);
    free(o);
}

/* "dir/.name.tmpXXXXXX" for "dir/name"; NULL when path names no file. */
static char *outfile_tmpname(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dirlen = (size_t)(base - path);
    size_t baselen = strlen(base);
    if (baselen == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return NULL;
    char *t = malloc(dirlen + baselen + sizeof "..tmpXXXXXX");
    if (!t)
        return NULL;
    memcpy(t, path, dirlen);
    t[dirlen] = '.';
    memcpy(t + dirlen + 1, base, baselen);
    memcpy(t + dirlen + 1 + baselen, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    return t;
}

/* The process umask, read without keeping it changed (POSIX has no read-only query). */
static mode_t outfile_umask(void)
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

struct outfile *outfile_open(const char *path, char *err, size_t errlen)
{
    struct outfile *o = calloc(1, sizeof *o);
    if (!o || !(o->path = strdup(path))) {
        free(o);
        outfile_err(err, errlen, path, "", ENOMEM);
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        o->fp = stdout;
        o->is_stdout = true;
        return o;
    }
    o->tmp = outfile_tmpname(path);
    if (!o->tmp) {
        outfile_err(err, errlen, path, "not a file name", EISDIR);
        outfile_free(o);
        return NULL;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        outfile_err(err, errlen, path, "cannot create a temporary file beside it", errno);
        outfile_free(o);
        return NULL;
    }
    (void)fchmod(fd, 0666 & ~outfile_umask());
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        outfile_err(err, errlen, path, "", e);
        outfile_free(o);
        return NULL;
    }
    return o;
}

FILE *outfile_fp(struct outfile *o) { return o->fp; }

/* Makes the rename itself durable; failure here loses nothing already visible, so ignored. */
static void outfile_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int outfile_commit(struct outfile *o, char *err, size_t errlen)
{
    int rc = 0;
    if (o->is_stdout) {
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            outfile_err(err, errlen, "stdout", "", errno ? errno : EIO);
            rc = -1;
        }
        outfile_free(o);
        return rc;
    }
    int e = 0;
    const char *what = "";
    errno = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp)) {
        e = errno ? errno : EIO;
        what = "write failed";
    } else if (fsync(fileno(o->fp)) != 0 && errno != EINVAL) {
        e = errno; /* EINVAL: a file that cannot be synced (e.g. on some special filesystems) */
        what = "fsync failed";
    }
    if (fclose(o->fp) != 0 && !e) {
        e = errno;
        what = "close failed";
    }
    if (!e && rename(o->tmp, o->path) != 0) {
        e = errno;
        what = "cannot replace";
    }
    if (e) {
        unlink(o->tmp);
        outfile_err(err, errlen, o->path, what, e);
        rc = -1;
    } else {
        outfile_sync_dir(o->path);
    }
    outfile_free(o);
    return rc;
}

void outfile_abort(struct outfile *o)
{
    if (!o)
        return;
    if (!o->is_stdout) {
        fclose(o->fp);
        unlink(o->tmp);
    } else {
        fflush(stdout);
    }
    outfile_free(o);
}
