/* normal.c — nmap's human-readable report: to stdout, and the -oN file variant.
 *
 * Line for line nmap's output.cc (write_host_header, printportoutput, printosscanoutput's
 * sequence lines, printfinaloutput) and NmapOutputTable.cc's column padding, as written down in
 * docs/facts/nmap.md section 5: "Nmap scan report for", "Host is up (0.00050s
 * latency).", the "Not shown:" groups with their reasons, the PORT/STATE/SERVICE[/REASON]
 * table padded to the widest cell plus one space with no trailing blanks, "Nmap done: ...".
 * Only the banner names tcplab; the rest keeps nmap's words so people and scripts that read
 * nmap's output read ours.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/osscan.h"
#include "scanner/output/common.h"
#include "scanner/services.h"
#include "scanner/vscan.h"

/* nmap's num_to_string_sigdigits(d, 2): 0.0005 -> "0.00050", 0.17 -> "0.17", 12 -> "12". */
static void nm_sig2(char *buf, size_t cap, double d)
{
    if (d <= 0) {
        snprintf(buf, cap, "0.0");
        return;
    }
    int dec = 2 - 1 - (int)floor(log10(d));
    if (dec < 0) dec = 0;
    snprintf(buf, cap, "%.*f", dec, d);
}

static void nm_up_line(FILE *f, const struct scan_report *r, const struct host_result *h)
{
    char lat[48] = "";
    if (h->srtt_ns) {
        char s[24];
        nm_sig2(s, sizeof s, (double)h->srtt_ns / 1e9);
        snprintf(lat, sizeof lat, " (%ss latency)", s);
    }
    if (r->reason) {
        fprintf(f, "Host is up, received %s", reason_name(h->up_reason));
        if (output_reason_has_ttl(h->up_reason)) fprintf(f, " ttl %u", h->up_reason_ttl);
        fprintf(f, "%s.\n", lat);
    } else {
        fprintf(f, "Host is up%s.\n", lat);
    }
}

/* "Not shown: 997 closed tcp ports (reset), 3 filtered tcp ports (no-response)": states and
 * reason groups in nmap's order; the plural follows the state's total (output.cc), so a group
 * of 1 in a state of 1024 reads "1 filtered tcp ports". nmap ends the line even when nothing
 * is hidden, which leaves a blank line above the table. */
static void nm_not_shown(FILE *f, const struct host_result *h, const struct output_host_info *hi)
{
    const char *sep = "Not shown: ";
    int st[PORT_NSTATES];
    size_t ns = output_hidden_states(hi, st);
    for (size_t i = 0; i < ns; i++) {
        struct output_group g[OUTPUT_MAX_GROUPS];
        size_t ng = output_reason_groups(h, st[i], g);
        const char *plural = hi->count[st[i]] == 1 ? "" : "s";
        for (size_t k = 0; k < ng; k++) {
            fprintf(f, "%s%zu %s %s port%s", sep, g[k].count,
                    port_state_name((enum port_state)st[i]), output_proto_name(g[k].proto),
                    plural);
            if (g[k].reason != RS_NONE) fprintf(f, " (%s)", reason_name((enum reason)g[k].reason));
            sep = ", ";
        }
    }
    fputc('\n', f);
}

static void nm_reason_cell(char *buf, size_t cap, const struct port_result *p)
{
    int k = snprintf(buf, cap, "%s", reason_name((enum reason)p->reason));
    if (p->reason_ip && k > 0 && (size_t)k < cap) {
        char ip[16];
        k += snprintf(buf + k, cap - (size_t)k, " from %s", output_ip(p->reason_ip, ip));
    }
    /* Connect scans learn no TTL (the kernel completes the handshake): nmap prints none. */
    if (output_reason_has_ttl(p->reason) && p->reason_ttl && k > 0 && (size_t)k < cap)
        snprintf(buf + k, cap - (size_t)k, " ttl %u", p->reason_ttl);
}

/* NmapOutputTable::printableTable: a cell is padded to its column's width + 1 while the row
 * has non-empty cells after it (no trailing blanks). */
static void nm_row(FILE *f, const char *const *cells, const size_t *w, int ncol)
{
    int items = 0, valid = 0;
    for (int c = 0; c < ncol; c++) items += cells[c][0] != '\0';
    for (int c = 0; c < ncol; c++) {
        valid += cells[c][0] != '\0';
        if (valid < items) fprintf(f, "%-*s", (int)w[c] + 1, cells[c]);
        else fputs(cells[c], f);
    }
    fputc('\n', f);
}

/* The table: each column padded to its widest cell + 1. Columns: PORT STATE SERVICE
 * [REASON] [VERSION], nmap's order. */
enum { NM_PORT, NM_STATE, NM_SERVICE, NM_REASON, NM_VERSION, NM_NCOL };

static void nm_cells(const struct host_result *h, const struct port_result *p,
                     char cell[NM_NCOL][160], bool vscan)
{
    snprintf(cell[NM_PORT], 160, "%u/%s", p->port, output_proto_name(p->proto));
    snprintf(cell[NM_STATE], 160, "%s", port_state_name(p->state));
    vscan_service_cell(h->vs, vscan, p, cell[NM_SERVICE], 160);
    if (vscan)
        vscan_version_cell(h->vs, p, cell[NM_VERSION], 160);
    else
        cell[NM_VERSION][0] = '\0';
    nm_reason_cell(cell[NM_REASON], 160, p);
}

static void nm_table(FILE *f, const struct scan_report *r, const struct host_result *h,
                     const struct port_result **v, size_t n)
{
    bool reason = r->reason || r->verbose >= 2;
    int cols[NM_NCOL], ncol = 0;
    cols[ncol++] = NM_PORT;
    cols[ncol++] = NM_STATE;
    cols[ncol++] = NM_SERVICE;
    if (reason) cols[ncol++] = NM_REASON;
    if (r->vscan) cols[ncol++] = NM_VERSION;
    static const char *const head[NM_NCOL] = {"PORT", "STATE", "SERVICE", "REASON", "VERSION"};
    size_t w[NM_NCOL];
    for (int c = 0; c < NM_NCOL; c++) w[c] = strlen(head[c]);
    char cell[NM_NCOL][160];
    for (size_t i = 0; i < n; i++) {
        nm_cells(h, v[i], cell, r->vscan);
        for (int c = 0; c < NM_NCOL; c++)
            if (strlen(cell[c]) > w[c]) w[c] = strlen(cell[c]);
    }
    const char *row[NM_NCOL];
    size_t wr[NM_NCOL];
    for (int c = 0; c < ncol; c++) {
        row[c] = head[cols[c]];
        wr[c] = w[cols[c]];
    }
    nm_row(f, row, wr, ncol);
    for (size_t i = 0; i < n; i++) {
        nm_cells(h, v[i], cell, r->vscan);
        for (int c = 0; c < ncol; c++) row[c] = cell[cols[c]];
        nm_row(f, row, wr, ncol);
    }
}

static void nm_seq(FILE *f, const struct seq_result *s)
{
    /* printosscanoutput: difficulty needs more than 3 replies, the IP-ID class more than 2. */
    if (s->done && s->nisn > 3)
        fprintf(f, "TCP Sequence Prediction: Difficulty=%u (%s)\n", s->sp,
                s->difficulty ? s->difficulty : "");
    if (s->ipid_done && s->ipid_class)
        fprintf(f, "IP ID Sequence Generation: %s\n", s->ipid_class);
}

static void nm_host(FILE *f, const struct scan_report *r, const struct host_result *h)
{
    char label[96];
    if (r->open_only && !output_host_listed(r, h))
        return;
    output_host_label(h, label, sizeof label);
    if (!h->up) {
        if (r->verbose > 0) fprintf(f, "Nmap scan report for %s [host down]\n", label);
        return;
    }
    fprintf(f, "Nmap scan report for %s\n", label);
    nm_up_line(f, r, h);
    if (r->ping_only) return;
    struct output_host_info hi;
    output_host_info(r, h, &hi);
    if (h->nports && hi.nhidden == h->nports)
        fprintf(f, "All %zu scanned ports on %s are in ignored states.\n", h->nports, label);
    if (h->nports) nm_not_shown(f, h, &hi);
    const struct port_result **v;
    size_t n = output_shown_ports(h, &hi, &v);
    if (n) nm_table(f, r, h, v, n);
    if (n && h->vs) vscan_print_fps(f, h->vs, v, n, r->start_unix, r->start_ns);
    free(v);
    if (h->os)
        os_print_normal(f, h->os, r->verbose, output_unix(r, h->end_ns),
                        output_unix(r, h->os->seq0_ns));
    if (h->vs) vscan_print_info(f, h);
    if (!h->os || r->verbose > 0)
        nm_seq(f, &h->seq);
    fputc('\n', f);
}

static int nm_host_part(FILE *f, const struct scan_report *r, const struct host_result *h,
                        size_t *nlisted)
{
    (void)nlisted;
    nm_host(f, r, h);
    return ferror(f) ? -1 : 0;
}

static void nm_seems_down(FILE *f, const struct scan_report *r)
{
    if (r->nhosts == 1 && output_hosts_up(r) == 0 && !r->ping_only)
        fprintf(f, "Note: Host seems down. If it is really up, but blocking our ping probes, "
                   "try -Pn\n");
    else if ((r->osscan || r->vscan) && output_hosts_up(r) > 0)   /* printfinaloutput */
        fprintf(f, "%s detection performed. Please report any incorrect results at "
                   "https://nmap.org/submit/ .\n",
                r->osscan && r->vscan ? "OS and Service" : r->osscan ? "OS" : "Service");
}

int output_normal_banner(FILE *f, int64_t start_unix)
{
    struct scan_report r = {0};
    char when[64];
    r.start_unix = start_unix;
    output_time(when, sizeof when, "%Y-%m-%d %H:%M %z", &r, 0);
    fprintf(f, "Starting %s %s at %s\n", OUTPUT_TOOL, OUTPUT_VERSION, when);
    return ferror(f) ? -1 : 0;
}

static int nm_body_begin(FILE *f, const struct scan_report *r)
{
    (void)r;
    return ferror(f) ? -1 : 0;
}

static int nm_body_end(FILE *f, const struct scan_report *r, size_t nlisted)
{
    (void)nlisted;
    char sum[128];
    nm_seems_down(f, r);
    output_summary(sum, sizeof sum, r);
    fprintf(f, "Nmap done: %s\n", sum);
    return ferror(f) ? -1 : 0;
}

static int nm_stdout_begin(FILE *f, const struct scan_report *r)
{
    return output_normal_banner(f, r->start_unix);
}

static int nm_file_begin(FILE *f, const struct scan_report *r)
{
    char when[64];
    output_ctime(when, sizeof when, r, r->start_ns);
    fprintf(f, "# %s %s scan initiated %s as: %s\n", OUTPUT_TOOL, OUTPUT_VERSION, when,
            r->argv_line ? r->argv_line : "");
    return ferror(f) ? -1 : 0;
}

static int nm_file_end(FILE *f, const struct scan_report *r, size_t nlisted)
{
    (void)nlisted;
    char when[64], sum[128];
    nm_seems_down(f, r);
    output_ctime(when, sizeof when, r, r->end_ns);
    output_summary(sum, sizeof sum, r);
    fprintf(f, "# Nmap done at %s -- %s\n", when, sum);
    return ferror(f) ? -1 : 0;
}

static int nm_write_stdout(FILE *f, const struct scan_report *r)
{
    return output_write_whole(&output_normal, f, r);
}

static int nm_write_body(FILE *f, const struct scan_report *r)
{
    return output_write_whole(&output_normal_body, f, r);
}

static int nm_write_file(FILE *f, const struct scan_report *r)
{
    return output_write_whole(&output_normal_file, f, r);
}

const struct output_ops output_normal = {"normal", nm_write_stdout, nm_stdout_begin,
                                         nm_host_part, nm_body_end};
const struct output_ops output_normal_body = {"normal-body", nm_write_body, nm_body_begin,
                                              nm_host_part, nm_body_end};
const struct output_ops output_normal_file = {"normal-file", nm_write_file, nm_file_begin,
                                              nm_host_part, nm_file_end};
