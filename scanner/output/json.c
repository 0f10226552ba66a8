/* json.c — the -oJ report: tcplab's own JSON schema (docs/json-schema.md).
 *
 * nmap has no JSON output, so the schema is ours: the same facts as the XML (nmap.dtd 1.05
 * names where they exist: reason, reason_ttl, service) in a shape scripts read directly, with
 * every scanned port listed (no "Not shown" folding: a program can filter) and the run's seed,
 * so a result can be reproduced. Strings are escaped per RFC 8259; the layout is fixed (one
 * port per line), so simulated runs give byte-identical files.
 */
#include <string.h>

#include "scanner/output/common.h"
#include "scanner/services.h"
#include "scanner/vscan.h"

static void js_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void js_scaninfo(FILE *f, const struct scan_report *r)
{
    const char *type = r->scan_type ? r->scan_type : "syn";
    const char *sep = "";
    fputs("  \"scaninfo\": [", f);
    if (!r->ping_only && r->ntcp > 0 && strcmp(type, "udp") != 0) {
        fputs("{\"type\": ", f);
        js_str(f, type);
        fprintf(f, ", \"protocol\": \"tcp\", \"numservices\": %d, \"services\": ", r->ntcp);
        js_str(f, r->tcp_ports);
        fputc('}', f);
        sep = ", ";
    }
    if (!r->ping_only && r->nudp > 0) {
        fprintf(f, "%s{\"type\": \"udp\", \"protocol\": \"udp\", \"numservices\": %d, "
                   "\"services\": ", sep, r->nudp);
        js_str(f, r->udp_ports);
        fputc('}', f);
    }
    fputs("],\n", f);
}

static void js_seq(FILE *f, const struct seq_result *s)
{
    fputs(",\n     \"seq\": {", f);
    if (s->done)
        fprintf(f, "\"gcd\": %u, \"isr\": %u, \"sp\": %u, \"difficulty\": \"%s\", ", s->gcd,
                s->isr, s->sp, s->difficulty ? s->difficulty : "");
    fputs("\"isn\": [", f);
    for (int i = 0; i < s->nisn; i++) fprintf(f, "%s%u", i ? ", " : "", s->isn[i]);
    fputs("], \"ipid\": [", f);
    for (int i = 0; i < s->nipid; i++) fprintf(f, "%s%u", i ? ", " : "", s->ipid[i]);
    fputs("]", f);
    if (s->ipid_done) {
        fputs(", \"ipid_class\": ", f);
        js_str(f, s->ipid_class);
        fputs(", \"ti\": ", f);
        js_str(f, s->ti_code);
    }
    fputc('}', f);
}

/* One host object; the ",\n" between hosts is written before each but the first, and the
 * last one's newline by js_end, so hosts can be written as their groups finish. */
static void js_host(FILE *f, const struct scan_report *r, const struct host_result *h,
                    bool first)
{
    char ip[16];
    fprintf(f, "%s    {\"address\": \"%s\", \"name\": ", first ? "" : ",\n",
            output_ip(h->addr, ip));
    js_str(f, h->name);
    fprintf(f, ", \"status\": \"%s\", \"reason\": \"%s\", \"reason_ttl\": %u", h->up ? "up" : "down",
            reason_name(h->up ? (enum reason)h->up_reason : RS_HOST_DOWN_NO_RESPONSE),
            h->up ? h->up_reason_ttl : 0);
    if (h->up && h->srtt_ns) fprintf(f, ", \"latency\": %.6f", (double)h->srtt_ns / 1e9);
    else fputs(", \"latency\": null", f);
    fputs(", \"ports\": [", f);
    for (size_t i = 0; i < h->nports; i++) {
        const struct port_result *p = &h->ports[i];
        fprintf(f, "%s\n      {\"port\": %u, \"protocol\": \"%s\", \"state\": \"%s\", "
                   "\"reason\": \"%s\", \"reason_ttl\": %u, \"service\": ",
                i ? "," : "", p->port, output_proto_name(p->proto), port_state_name(p->state),
                reason_name((enum reason)p->reason), p->reason_ttl);
        vscan_print_json(f, h->vs, p);
        if (p->reason_ip) fprintf(f, ", \"reason_ip\": \"%s\"", output_ip(p->reason_ip, ip));
        fputc('}', f);
    }
    fputs(h->nports ? "\n     ]" : "]", f);
    if (h->seq.done || h->seq.ipid_done) js_seq(f, &h->seq);
    fputc('}', f);
    (void)r;
}

static int js_begin(FILE *f, const struct scan_report *r)
{
    char start[64];
    output_time(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", r, r->start_ns);
    fprintf(f, "{\n  \"tool\": \"%s\",\n  \"version\": \"%s\",\n  \"args\": ", OUTPUT_TOOL,
            OUTPUT_VERSION);
    js_str(f, r->argv_line);
    fprintf(f, ",\n  \"start\": %lld,\n  \"startstr\": \"%s\",\n  \"seed\": %llu,\n",
            (long long)r->start_unix, start, (unsigned long long)r->seed);
    js_scaninfo(f, r);
    fputs("  \"hosts\": [\n", f);
    return ferror(f) ? -1 : 0;
}

static int js_host_part(FILE *f, const struct scan_report *r, const struct host_result *h,
                        size_t *nlisted)
{
    if (r->open_only && !output_host_listed(r, h))   /* --open: only the hosts it lists */
        return 0;
    js_host(f, r, h, *nlisted == 0);
    ++*nlisted;
    return ferror(f) ? -1 : 0;
}

static int js_end(FILE *f, const struct scan_report *r, size_t nlisted)
{
    size_t up = output_hosts_up(r);
    if (nlisted)   /* the last host's line ends here */
        fputc('\n', f);
    fprintf(f, "  ],\n  \"stats\": {\"elapsed\": %.3f, \"hosts_up\": %zu, \"hosts_down\": %zu, "
               "\"hosts_total\": %zu}\n}\n",
            output_elapsed(r), up, r->nhosts - up, r->nhosts);
    return ferror(f) ? -1 : 0;
}

static int js_write(FILE *f, const struct scan_report *r)
{
    return output_write_whole(&output_json, f, r);
}

const struct output_ops output_json = {"json", js_write, js_begin, js_host_part, js_end};
