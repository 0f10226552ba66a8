/* infile.c — opening an input file: stdin for "-", directories refused, a FIFO's wait said.
 *
 * The FIFO: open(2) of a FIFO for reading blocks until a writer opens it (POSIX open, "O_RDONLY
 * ... shall block the calling thread until a thread opens the file for writing"). There is no
 * way to ask whether a writer is there, so a one-shot ITIMER_REAL fires after
 * INFILE_FIFO_WAIT_MS while open waits, and its handler writes the message with write(2)
 * (async-signal-safe); SA_RESTART lets open carry on. A writer already waiting means no
 * message at all. The previous SIGALRM disposition and timer are restored afterwards.
 */
#include "infile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "outfile.h"

enum { INFILE_FIFO_WAIT_MS = 300 };

static char infile_wait_msg[512];
static size_t infile_wait_len;

static void infile_on_alarm(int sig)
{
    (void)sig;
    if (write(STDERR_FILENO, infile_wait_msg, infile_wait_len) < 0) {
        /* nothing to do: the message is a courtesy */
    }
}

/* Blocking open of a FIFO for reading, telling the user if it waits. */
static int infile_open_fifo(const char *path)
{
    char shown[400];
    outfile_path_msg(shown, sizeof shown, path, "waiting for a writer on this FIFO");
    snprintf(infile_wait_msg, sizeof infile_wait_msg, "tcplab: %s\n", shown);
    infile_wait_len = strlen(infile_wait_msg);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = infile_on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval it = {.it_value = {.tv_sec = 0, .tv_usec = INFILE_FIFO_WAIT_MS * 1000}};
    struct itimerval oldit, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, &oldit);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = errno;
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    if (oldit.it_value.tv_sec || oldit.it_value.tv_usec)
        setitimer(ITIMER_REAL, &oldit, NULL);
    errno = e;
    return fd;
}

FILE *infile_open(const char *path, char *err, size_t errlen)
{
    if (!strcmp(path, "-"))
        return stdin;
    struct stat st;
    if (stat(path, &st) != 0) {
        outfile_path_msg(err, errlen, path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        outfile_path_msg(err, errlen, path, "is a directory, not a file");
        return NULL;
    }
    int fd = S_ISFIFO(st.st_mode) ? infile_open_fifo(path) : open(path, O_RDONLY | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        outfile_path_msg(err, errlen, path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

const char *infile_name(const FILE *f, const char *path)
{
    return f == stdin ? "stdin" : path;
}

void infile_close(FILE *f)
{
    if (f && f != stdin)
        fclose(f);
}
