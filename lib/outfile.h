/* outfile.h — output files written whole or not at all.
 *
 * A scan's -oX/-oN/-oJ file or a run's pcap must never be left half-written (a crash, a full
 * disk, ^C): readers such as ndiff or Wireshark would choke on it, or worse, trust it. So the
 * bytes go to a temporary file in the same directory (same filesystem, so rename is atomic,
 * POSIX rename(2)), which commit fsyncs and renames over the target; abort unlinks it. The
 * same pattern as git's lockfile.c and SQLite's rollback journal, minus the lock.
 */
#ifndef TCPLAB_OUTFILE_H
#define TCPLAB_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

struct outfile;

/* Opens a temporary file beside path. "-" means stdout (written directly, no temp). NULL on
 * failure, with a message "path: reason" in err. */
struct outfile *outfile_open(const char *path, char *err, size_t errlen);
FILE *outfile_fp(struct outfile *o);
/* Flushes, fsyncs and renames the temp over path. 0 or -1 (the temp is removed and err
 * says why). Frees o either way. */
int outfile_commit(struct outfile *o, char *err, size_t errlen);
/* Frees o and removes the temp; path is left as it was. NULL is a no-op. */
void outfile_abort(struct outfile *o);

#endif
