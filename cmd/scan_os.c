/* scan_os.c — -O's database for `tcplab scan`: nmap's nmap-os-db, read at run time from an
 * installed nmap (DIR only with --datadir DIR, else /usr/share/nmap, /usr/local/share/nmap),
 * or, when there is none, this project's own small database of its simulated presets, with a note
 * on stderr saying so (docs/facts/osscan.md). A database that does not parse is an input
 * error, reported FILE:LINE.
 */
#include <stddef.h>
#include <stdio.h>

#include "cmd/cmd.h"

#include "cmd/scan_opts.h"
#include "scanner/osscan.h"

int scan_os_load(const struct scan_opts *o, struct os_db *db, char *err, size_t errlen)
{
    char path[512];
    if (os_db_find(o->datadir, path, sizeof path))
        return os_db_load(db, path, err, errlen);
    fprintf(stderr, "tcplab scan: nmap's OS database (nmap-os-db) was not found in %s; "
            "matching against tcplab's own presets only (install nmap, or give --datadir)\n",
            o->datadir ? o->datadir : "/usr/share/nmap or /usr/local/share/nmap");
    return os_db_builtin(db, err, errlen);
}
