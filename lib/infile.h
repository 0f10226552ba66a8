/* infile.h — input files named on a command line (a scenario, -iL, --excludefile), opened
 * with a reason for every failure.
 *
 * "-" is standard input. A directory is refused with "is a directory" (fopen(3) would open it
 * and the first read fail with EISDIR, which callers reported as nothing at all). A FIFO
 * whose writer has not arrived makes open(2) wait: after a moment the user is told
 * "waiting for a writer on FIFO PATH" instead of a silent hang. A path too long for the
 * message is shortened in its middle, never the reason (outfile_path_msg).
 */
#ifndef TCPLAB_INFILE_H
#define TCPLAB_INFILE_H

#include <stddef.h>
#include <stdio.h>

/* NULL with "PATH: reason" in err. */
FILE *infile_open(const char *path, char *err, size_t errlen);
/* The name to show for f in messages: "stdin" for standard input, else path. */
const char *infile_name(const FILE *f, const char *path);
/* Closes f unless it is stdin. */
void infile_close(FILE *f);

#endif
