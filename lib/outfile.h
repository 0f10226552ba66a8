/* outfile.h — output files that respect what they replace, written whole or not at all.
 *
 * A scan's -oX/-oN/-oJ file, a capture or a run's pcap must never be left half-written (a
 * crash, a full disk, ^C): readers such as ndiff or Wireshark would choke on it, or worse,
 * trust it. And writing it must not damage what the path names: a device stays a device, a
 * symlink stays a link (its target is written), an existing file keeps its owner, mode and
 * hard links. So what the path names decides how it is written (outfile.c):
 *
 *   "-"                      stdout, in place
 *   a character device, a FIFO, a socket: in place (opened for writing, as fopen "w" would;
 *                            a FIFO with no reader yet says so on stderr, then waits)
 *   a regular file, or none: a temp file beside it, renamed over it at commit (atomic,
 *                            POSIX rename(2)), given the old file's owner and mode
 *   a regular file whose owner cannot be kept (not ours, not root) or with other hard
 *                            links, or in a directory we cannot write: the bytes go to an
 *                            unnamed temp file and are copied into the file at commit
 *
 * Symlinks are followed to the file they name (a dangling one creates its target, as
 * open(O_CREAT) does). Every file is opened, and so checked, when outfile_open returns:
 * a caller opens all its outputs before it starts work (nmap opens -o files while parsing
 * its options), so a bad path fails at once.
 *
 * Signals: after outfile_catch_signals(), SIGINT, SIGTERM and SIGHUP remove every temp file
 * still open and end the process by the same signal; outfile_commit_all renames a set of
 * outputs with those signals held, so a signal leaves either none of the set or all of it.
 */
#ifndef TCPLAB_OUTFILE_H
#define TCPLAB_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct outfile;

/* Opens path for writing as above. NULL on failure, with "path: reason" in err (a long path
 * is shortened in the middle so the reason always fits). */
struct outfile *outfile_open(const char *path, char *err, size_t errlen);
FILE *outfile_fp(struct outfile *o);
/* Whether a and b write the same file (the same name after symlinks, or the same inode). */
bool outfile_same(const struct outfile *a, const struct outfile *b);
/* Written in place: stdout, a device, a FIFO, a socket (two outputs may share a device). */
bool outfile_in_place(const struct outfile *o);
bool outfile_is_stdout(const struct outfile *o);
/* Flushes, fsyncs and publishes the file. 0 or -1 (nothing new is left behind and err says
 * why). Frees o either way. */
int outfile_commit(struct outfile *o, char *err, size_t errlen);
/* The same for n files as one set: every write is checked first (any failure aborts them
 * all), then all are published with SIGINT/SIGTERM/SIGHUP held. NULL entries are skipped.
 * Frees every one. 0 or -1 with the first failure in err. */
int outfile_commit_all(struct outfile **v, size_t n, char *err, size_t errlen);
/* Frees o and removes its temp; path is left as it was (a device or FIFO keeps what was
 * written). NULL is a no-op. */
void outfile_abort(struct outfile *o);

/* SIGINT, SIGTERM, SIGHUP: remove every open outfile's temp, then die by that signal. */
void outfile_catch_signals(void);

/* "PATH: REASON" into err, PATH shortened in its middle ("/very/lo...name") when the whole
 * would not fit, so REASON is never cut. */
void outfile_path_msg(char *err, size_t errlen, const char *path, const char *reason);

#endif
