/* xml.c — the -oX report in nmap's XML structure (nmap.dtd, xmloutputversion 1.05).
 *
 * Element for element what nmap's output.cc writes (doscaninfo, write_host_header,
 * write_xml_initial_hostinfo, printportoutput's XML half with extraports/extrareasons,
 * printosscanoutput's tcpsequence/ipidsequence, the times element, printfinaloutput's
 * runstats), per docs/facts/nmap.md section 5, so that ndiff, nmap.xsl and other nmap
 * tooling read it. nmaprun's scanner attribute says "nmap" because nmap.dtd allows no other
 * value and the file must validate against the unmodified DTD; the comment before it and the
 * args attribute ("tcplab scan ...") say which program wrote the file.
 * Strings are escaped; a comment never contains "--" (XML 1.0 forbids it).
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/osscan.h"
#include "scanner/output/common.h"
#include "scanner/ports.h"
#include "scanner/services.h"
#include "scanner/vscan.h"

/* nmap's xml.cc escape(), for attribute values and the comment alike: <>&"' as entities,
 * the second '-' of "--" as &#45; (a comment may not hold "--"), and every byte below 0x20
 * or above 0x7F as &#xHH; (ASCII out, so the file is UTF-8 whatever bytes a file name or
 * argument had). nmap 7.93: `-oN $'n\xff\x01'` gives "n&#xff;&#x1;", `--reason` "-&#45;reason". */
void output_xml_escape(FILE *f, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '-': fputs(p > s && p[-1] == '-' ? "&#45;" : "-", f); break;
        default:
            if (c < 0x20 || c > 0x7f) fprintf(f, "&#x%x;", c);
            else fputc(c, f);
        }
    }
}

static uint64_t xm_unix(const struct scan_report *r, uint64_t ns)
{
    uint64_t el = ns > r->start_ns ? ns - r->start_ns : 0;
    return (uint64_t)r->start_unix + el / 1000000000u;
}

static void xm_scaninfo(FILE *f, const struct scan_report *r)
{
    const char *type = r->scan_type ? r->scan_type : "syn";
    /* The DTD has no ping or idle type: nmap writes no scaninfo for them. */
    if (r->ping_only || !strcmp(type, "ping") || !strcmp(type, "idle")) return;
    if (r->ntcp > 0 && strcmp(type, "udp") != 0)
        fprintf(f, "<scaninfo type=\"%s\" protocol=\"tcp\" numservices=\"%d\" services=\"%s\"/>\n",
                type, r->ntcp, r->tcp_ports ? r->tcp_ports : "");
    if (r->nudp > 0)
        fprintf(f, "<scaninfo type=\"udp\" protocol=\"udp\" numservices=\"%d\" services=\"%s\"/>\n",
                r->nudp, r->udp_ports ? r->udp_ports : "");
}

/* <extraports> per hidden state and <extrareasons> per group, in nmap's order (common.h). */
static void xm_extraports(FILE *f, const struct host_result *h,
                          const struct output_host_info *hi)
{
    uint16_t *buf = malloc((h->nports ? h->nports : 1) * sizeof *buf);
    int st[PORT_NSTATES];
    size_t ns = output_hidden_states(hi, st);
    for (size_t i = 0; i < ns; i++) {
        int s = st[i];
        fprintf(f, "<extraports state=\"%s\" count=\"%zu\">\n",
                port_state_name((enum port_state)s), hi->count[s]);
        struct output_group g[OUTPUT_MAX_GROUPS];
        size_t ng = output_reason_groups(h, s, g);
        for (size_t j = 0; j < ng; j++) {
            size_t k = 0;
            for (size_t q = 0; buf && q < h->nports; q++) {
                const struct port_result *p = &h->ports[q];
                if (p->state == s && p->proto == g[j].proto && p->reason == g[j].reason)
                    buf[k++] = p->port;
            }
            char *list = buf ? ports_format_alloc(buf, k) : NULL;
            fprintf(f, "<extrareasons reason=\"%s\" count=\"%zu\" proto=\"%s\" ports=\"%s\"/>\n",
                    reason_name((enum reason)g[j].reason), g[j].count,
                    output_proto_name(g[j].proto), list ? list : "");
            free(list);
        }
        fputs("</extraports>\n", f);
    }
    free(buf);
}

static void xm_ports(FILE *f, const struct scan_report *r, const struct host_result *h)
{
    struct output_host_info hi;
    output_host_info(r, h, &hi);
    fputs("<ports>", f);
    xm_extraports(f, h, &hi);
    const struct port_result **v;
    size_t n = output_shown_ports(h, &hi, &v);
    for (size_t i = 0; i < n; i++) {
        const struct port_result *p = v[i];
        fprintf(f, "<port protocol=\"%s\" portid=\"%u\"><state state=\"%s\" reason=\"%s\" "
                   "reason_ttl=\"%u\"",
                output_proto_name(p->proto), p->port, port_state_name(p->state),
                reason_name((enum reason)p->reason), p->reason_ttl);
        if (p->reason_ip) {
            char ip[16];
            fprintf(f, " reason_ip=\"%s\"", output_ip(p->reason_ip, ip));
        }
        fputs("/>", f);
        vscan_print_xml(f, h->vs, p, r->start_unix, r->start_ns);
        fputs("</port>\n", f);
    }
    free(v);
    fputs("</ports>\n", f);
}

static void xm_seq(FILE *f, const struct seq_result *s)
{
    if (s->done && s->nisn > 3) {
        fprintf(f, "<tcpsequence index=\"%u\" difficulty=\"%s\" values=\"", s->sp,
                s->difficulty ? s->difficulty : "");
        for (int i = 0; i < s->nisn; i++) fprintf(f, "%s%X", i ? "," : "", s->isn[i]);
        fputs("\"/>\n", f);
    }
    if (s->ipid_done && s->ipid_class) {
        fprintf(f, "<ipidsequence class=\"%s\" values=\"", s->ipid_class);
        for (int i = 0; i < s->nipid; i++) fprintf(f, "%s%X", i ? "," : "", s->ipid[i]);
        fputs("\"/>\n", f);
    }
}

static void xm_host(FILE *f, const struct scan_report *r, const struct host_result *h)
{
    char ip[16];
    if (!output_host_listed(r, h)) return;
    fprintf(f, "<host starttime=\"%llu\" endtime=\"%llu\">",
            (unsigned long long)xm_unix(r, h->start_ns), (unsigned long long)xm_unix(r, h->end_ns));
    fprintf(f, "<status state=\"%s\" reason=\"%s\" reason_ttl=\"%u\"/>\n", h->up ? "up" : "down",
            reason_name(h->up ? (enum reason)h->up_reason : RS_HOST_DOWN_NO_RESPONSE),
            h->up ? h->up_reason_ttl : 0);
    fprintf(f, "<address addr=\"%s\" addrtype=\"ipv4\"/>\n", output_ip(h->addr, ip));
    if (h->name[0]) {
        fputs("<hostnames>\n<hostname name=\"", f);
        output_xml_escape(f, h->name);
        fputs("\" type=\"user\"/>\n</hostnames>\n", f);
    } else {
        fputs("<hostnames>\n</hostnames>\n", f);
    }
    if (h->up && !r->ping_only) xm_ports(f, r, h);
    if (h->os) os_print_xml(f, h->os, r->verbose, output_unix(r, h->end_ns),
                             output_unix(r, h->os->seq0_ns));
    if (h->up) xm_seq(f, &h->seq);
    if (h->up)
        fprintf(f, "<times srtt=\"%llu\" rttvar=\"%llu\" to=\"%llu\"/>\n",
                (unsigned long long)(h->srtt_ns / 1000), (unsigned long long)(h->rttvar_ns / 1000),
                (unsigned long long)(h->timeout_ns / 1000));
    fputs("</host>\n", f);
}

static int xm_begin(FILE *f, const struct scan_report *r)
{
    char start[64];
    output_ctime(start, sizeof start, r, r->start_ns);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n"
          "<?xml-stylesheet href=\"file:///usr/share/nmap/nmap.xsl\" type=\"text/xsl\"?>\n", f);
    fprintf(f, "<!-- %s %s scan initiated %s as: ", OUTPUT_TOOL, OUTPUT_VERSION, start);
    output_xml_escape(f, r->argv_line);
    fputs(" -->\n<nmaprun scanner=\"nmap\" args=\"", f);
    output_xml_escape(f, r->argv_line);
    fprintf(f, "\" start=\"%lld\" startstr=\"%s\" version=\"%s\" xmloutputversion=\"1.05\">\n",
            (long long)r->start_unix, start, OUTPUT_VERSION);
    xm_scaninfo(f, r);
    fprintf(f, "<verbose level=\"%d\"/>\n<debugging level=\"0\"/>\n", r->verbose);
    return ferror(f) ? -1 : 0;
}

static int xm_host_part(FILE *f, const struct scan_report *r, const struct host_result *h,
                        size_t *nlisted)
{
    (void)nlisted;
    xm_host(f, r, h);
    return ferror(f) ? -1 : 0;
}

static int xm_end(FILE *f, const struct scan_report *r, size_t nlisted)
{
    (void)nlisted;
    char end[64], sum[128];
    output_ctime(end, sizeof end, r, r->end_ns);
    output_summary(sum, sizeof sum, r);
    size_t up = output_hosts_up(r);
    fprintf(f, "<runstats><finished time=\"%llu\" timestr=\"%s\" summary=\"Nmap done at %s; %s\" "
               "elapsed=\"%.2f\" exit=\"success\"/><hosts up=\"%zu\" down=\"%zu\" total=\"%zu\"/>\n"
               "</runstats>\n</nmaprun>\n",
            (unsigned long long)xm_unix(r, r->end_ns), end, end, sum, output_elapsed(r), up,
            r->nhosts - up, r->nhosts);
    return ferror(f) ? -1 : 0;
}

static int xm_write(FILE *f, const struct scan_report *r)
{
    return output_write_whole(&output_xml, f, r);
}

const struct output_ops output_xml = {"xml", xm_write, xm_begin, xm_host_part, xm_end};
