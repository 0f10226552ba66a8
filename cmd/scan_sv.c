/* scan_sv.c — -sV's probes for `tcplab scan`: nmap's nmap-service-probes, read at run time
 * from an installed nmap (DIR only with --datadir DIR, else /usr/share/nmap, then
 * /usr/local/share/nmap), or, when there is none, tcplab's own small probes file
 * (scanner/vscan_builtin.c), with a note on stderr saying so. A probes file that does not
 * parse is an input error, reported FILE:LINE:COL.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/cmd.h"

#include "cmd/scan_opts.h"
#include "scanner/vscan.h"

int scan_sv_load(const struct scan_opts *o, struct svc_db *db, char *err, size_t errlen)
{
    char path[512];
    bool builtin;
    if (vscan_db_load(o->datadir, db, &builtin, path, sizeof path, err, errlen) < 0)
        return -1;
    if (builtin)
        fprintf(stderr, "tcplab scan: nmap's version probes (nmap-service-probes) were not "
                "found in %s; using tcplab's own small probes file, which knows only a few "
                "dozen servers (install nmap, or give --datadir)\n",
                o->datadir ? o->datadir : "/usr/share/nmap or /usr/local/share/nmap");
    return 0;
}
