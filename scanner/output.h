/* output.h — the report writers: normal (stdout and -oN), grepable (-oG), XML (-oX), JSON (-oJ).
 *
 * Like zmap's output modules: one const table per format, all reading only struct scan_report
 * (scanner/result.h), never the engine. Formats copy nmap's output.cc exactly where nmap has the
 * format (docs/facts/nmap.md section 5); the banner names tcplab. Wall times printed
 * are start_unix + elapsed backend time, in UTC ("+0000"), so a simulated run whose caller
 * fixes start_unix gives byte-identical files.
 *
 *   output_normal       stdout: "Starting tcplab 0.1 at ...", the reports, "Nmap done: ..."
 *   output_normal_file  -oN: "# tcplab 0.1 scan initiated ... as: ARGS" ... "# Nmap done at ..."
 *   output_grep         -oG      output_xml  -oX (nmap DTD 1.05)      output_json  -oJ
 *                                                          (schema: docs/json-schema.md)
 */
#ifndef TCPLAB_OUTPUT_H
#define TCPLAB_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "lib/version.h"
#include "scanner/result.h"

#define OUTPUT_TOOL "tcplab"
#define OUTPUT_VERSION TCPLAB_VERSION

struct output_ops {
    const char *name;                                       /* "normal", "xml", ... */
    int (*write)(FILE *f, const struct scan_report *r);     /* 0, or -1 on a write error */
    /* The same report in three parts, as nmap writes it while it scans: begin (the header:
     * r's start fields and options, no host yet), host (one host, as soon as its group is
     * done; *nlisted counts the hosts the format has listed so far, starting at 0), end (the
     * totals: r->nhosts, r->nup, r->end_ns; nlisted as host left it). write = begin, every host, end: the bytes are
     * the same either way. Each returns 0, or -1 on a write error. */
    int (*begin)(FILE *f, const struct scan_report *r);
    int (*host)(FILE *f, const struct scan_report *r, const struct host_result *h,
                size_t *nlisted);
    int (*end)(FILE *f, const struct scan_report *r, size_t nlisted);
};

extern const struct output_ops output_normal, output_normal_file, output_grep, output_xml,
    output_json;

/* stdout in two parts, as nmap prints it: the "Starting ..." banner before the scan (so
 * --packet-trace lines and warnings follow it), then output_normal_body after it: the host
 * reports and the "Nmap done" line. output_normal is both at once. */
extern const struct output_ops output_normal_body;
int output_normal_banner(FILE *f, int64_t start_unix);

/* By name: "normal", "normal-file", "grep", "xml", "json"; NULL if unknown. */
const struct output_ops *output_find(const char *name);

/* Writes the report to path ("-" = stdout) atomically through lib/outfile.h: the file appears
 * whole or not at all. 0, or -1 with a message in err. */
int output_write_file(const struct output_ops *ops, const char *path,
                      const struct scan_report *r, char *err, size_t errlen);

/* Pieces shared by the writers (scanner/output/common.c). */
/* "2026-01-01 12:00 +0000" style time of start_unix + ns/1e9, with strftime format fmt. */
size_t output_time(char *buf, size_t cap, const char *fmt, const struct scan_report *r,
                   uint64_t ns);
/* ctime(3)-like "Thu Jan  1 00:00:00 2026" (UTC, no newline). */
size_t output_ctime(char *buf, size_t cap, const struct scan_report *r, uint64_t ns);
/* "1 IP address (1 host up) scanned in 0.10 seconds" */
size_t output_summary(char *buf, size_t cap, const struct scan_report *r);
/* s XML-escaped as nmap's xml.cc escape() does it, for every attribute value and the
 * comment (scanner/output/xml.c): also the -sV <service> fields (scanner/vscan_out.c). */
void output_xml_escape(FILE *f, const char *s);
/* Whether a host's state s is folded into "Not shown" (nmap's rule; open never). */
int output_state_hidden(const struct scan_report *r, const struct host_result *h, int state);

#endif
