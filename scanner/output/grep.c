/* grep.c — nmap's grepable report (-oG): one "Host:" line for the status, one for the ports.
 *
 * nmap's output.cc (write_host_status, printportoutput's LOG_MACHINE half, the "# Ports
 * scanned" header of output_ports_to_machine_parseable_output) as in docs/facts/nmap.md
 * section 5. Entries are port/state/protocol/owner/service/rpc-info/version/ with '/' inside a
 * field written as '|'; folded ports are never listed, and the folded state is named only
 * when there is exactly one, as in nmap.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/osscan.h"
#include "scanner/output/common.h"
#include "scanner/ports.h"
#include "scanner/services.h"
#include "scanner/vscan.h"

static void gr_field(FILE *f, const char *s)
{
    for (; *s; s++) fputc(*s == '/' ? '|' : *s, f);
}

static void gr_ports_header(FILE *f, const struct scan_report *r)
{
    const char *tcp = r->tcp_ports ? r->tcp_ports : "";
    const char *udp = r->udp_ports ? r->udp_ports : "";
    fprintf(f, "# Ports scanned: TCP(%d;%s) UDP(%d;%s) SCTP(0;) PROTOCOLS(0;)\n", r->ntcp, tcp,
            r->nudp, udp);
}

static void gr_host(FILE *f, const struct scan_report *r, const struct host_result *h)
{
    char ip[16];
    output_ip(h->addr, ip);
    if (!output_host_listed(r, h)) return;
    fprintf(f, "Host: %s (%s)\tStatus: %s\n", ip, h->name, h->up ? "Up" : "Down");
    if (!h->up || r->ping_only || h->nports == 0) return;
    /* output.cc printportoutput: every folded port is left out of the list; the folded state
     * is named only when there is exactly one. */
    struct output_host_info hi;
    output_host_info(r, h, &hi);
    int st[PORT_NSTATES];
    size_t nign = output_hidden_states(&hi, st);
    const struct port_result **v;
    size_t n = output_shown_ports(h, &hi, &v);
    fprintf(f, "Host: %s (%s)\tPorts: ", ip, h->name);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%u/%s/%s//", i ? ", " : "", v[i]->port, port_state_name(v[i]->state),
                output_proto_name(v[i]->proto));
        char svc[80], ver[160];
        vscan_service_cell(h->vs, r->vscan, v[i], svc, sizeof svc);
        vscan_version_cell(h->vs, v[i], ver, sizeof ver);
        gr_field(f, svc);
        fputs("//", f);
        gr_field(f, ver);
        fputs("/", f);
    }
    free(v);
    if (nign == 1)
        fprintf(f, "\tIgnored State: %s (%zu)", port_state_name((enum port_state)st[0]),
                hi.count[st[0]]);
    if (h->os) os_print_grep(f, h->os);
    if (h->seq.done && h->seq.nisn > 3) fprintf(f, "\tSeq Index: %u", h->seq.sp);
    if (h->seq.ipid_done && h->seq.ipid_class) fprintf(f, "\tIP ID Seq: %s", h->seq.ipid_class);
    fputc('\n', f);
}

static int gr_begin(FILE *f, const struct scan_report *r)
{
    char when[64];
    output_ctime(when, sizeof when, r, r->start_ns);
    fprintf(f, "# %s %s scan initiated %s as: %s\n", OUTPUT_TOOL, OUTPUT_VERSION, when,
            r->argv_line ? r->argv_line : "");
    if (r->verbose > 0 && !r->ping_only) gr_ports_header(f, r);
    return ferror(f) ? -1 : 0;
}

static int gr_host_part(FILE *f, const struct scan_report *r, const struct host_result *h,
                        size_t *nlisted)
{
    (void)nlisted;
    gr_host(f, r, h);
    return ferror(f) ? -1 : 0;
}

static int gr_end(FILE *f, const struct scan_report *r, size_t nlisted)
{
    (void)nlisted;
    char when[64], sum[128];
    output_ctime(when, sizeof when, r, r->end_ns);
    output_summary(sum, sizeof sum, r);
    fprintf(f, "# Nmap done at %s -- %s\n", when, sum);
    return ferror(f) ? -1 : 0;
}

static int gr_write(FILE *f, const struct scan_report *r)
{
    return output_write_whole(&output_grep, f, r);
}

const struct output_ops output_grep = {"grep", gr_write, gr_begin, gr_host_part, gr_end};
