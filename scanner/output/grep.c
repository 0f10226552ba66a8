/* grep.c — nmap's grepable report (-oG): one "Host:" line for the status, one for the ports.
 *
 * nmap's output.cc (write_host_status, printportoutput's LOG_MACHINE half, the "# Ports
 * scanned" header of output_ports_to_machine_parseable_output) as in ../shared/reference/nmap.md
 * section 5. Entries are port/state/protocol/owner/service/rpc-info/version/ with '/' inside a
 * field written as '|'; only one ignored state is summarised (the one with most ports), as in
 * nmap, so ports of another folded state are listed one by one.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/output/common.h"
#include "scanner/ports.h"
#include "scanner/services.h"

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

/* The one ignored state: the hidden state with the most ports, or -1. */
static int gr_ignored(const struct output_host_info *hi)
{
    int best = -1;
    for (int s = 0; s < PORT_NSTATES; s++)
        if (hi->hidden[s] && (best < 0 || hi->count[s] > hi->count[best])) best = s;
    return best;
}

static void gr_host(FILE *f, const struct scan_report *r, const struct host_result *h)
{
    char ip[16];
    output_ip(h->addr, ip);
    if (!output_host_listed(r, h)) return;
    fprintf(f, "Host: %s (%s)\tStatus: %s\n", ip, h->name, h->up ? "Up" : "Down");
    if (!h->up || r->ping_only) return;
    struct output_host_info hi;
    output_host_info(r, h, &hi);
    int ign = gr_ignored(&hi);
    for (int s = 0; s < PORT_NSTATES; s++) hi.hidden[s] = s == ign;
    hi.nhidden = ign >= 0 ? hi.count[ign] : 0;
    const struct port_result **v;
    size_t n = output_shown_ports(h, &hi, &v);
    fprintf(f, "Host: %s (%s)", ip, h->name);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%u/%s/%s//", i ? ", " : "\tPorts: ", v[i]->port,
                port_state_name(v[i]->state), output_proto_name(v[i]->proto));
        gr_field(f, services_name(v[i]->proto, v[i]->port));
        fputs("///", f);
    }
    free(v);
    if (ign >= 0)
        fprintf(f, "\tIgnored State: %s (%zu)", port_state_name((enum port_state)ign),
                hi.count[ign]);
    if (h->seq.done && h->seq.nisn > 3) fprintf(f, "\tSeq Index: %u", h->seq.sp);
    if (h->seq.ipid_done && h->seq.ipid_class) fprintf(f, "\tIP ID Seq: %s", h->seq.ipid_class);
    fputc('\n', f);
}

static int gr_write(FILE *f, const struct scan_report *r)
{
    char when[64], sum[128];
    output_ctime(when, sizeof when, r, r->start_ns);
    fprintf(f, "# %s %s scan initiated %s as: %s\n", OUTPUT_TOOL, OUTPUT_VERSION, when,
            r->argv_line ? r->argv_line : "");
    if (r->verbose > 0 && !r->ping_only) gr_ports_header(f, r);
    for (size_t i = 0; i < r->nhosts; i++) gr_host(f, r, &r->hosts[i]);
    output_ctime(when, sizeof when, r, r->end_ns);
    output_summary(sum, sizeof sum, r);
    fprintf(f, "# Nmap done at %s -- %s\n", when, sum);
    return ferror(f) ? -1 : 0;
}

const struct output_ops output_grep = {"grep", gr_write};
