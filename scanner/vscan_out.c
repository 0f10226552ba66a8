/* vscan_out.c — -sV's results as nmap writes them (output.cc printportoutput,
 * printserviceinfooutput, print_xml_service; portlist.cc getNmapServiceName,
 * populateFullVersionString, setServiceProbeResults).
 *
 * A port's service: a match or softmatch names it ("probed", confidence 10), tcpwrapped
 * ("probed", 8); otherwise the services table's name ("table", 3), which the SERVICE column
 * marks with '?' on an open port (nmap's "not sure"). VERSION: "product version (extrainfo)",
 * each cut with "..." to fit nmap's 160 bytes. Text from a service is printed with
 * non-printable bytes as '.' (cstringSanityCheck). "Service Info:" gathers the open ports'
 * hosts (but the host's own name), OS types, device types and CPEs but applications'.
 */
#include <string.h>
#include <strings.h>

#include "scanner/output.h"
#include "scanner/services.h"
#include "scanner/vscan.h"

enum { VS_INFO_MAX = 8 };

/* How the port's name was found: 10 probed, 8 tcpwrapped, 3 table. */
static int vs_conf(const struct vscan_port *v)
{
    if (!v)
        return 3;
    if (v->end == VS_END_HARD || v->end == VS_END_SOFT)
        return 10;
    if (v->end == VS_END_TCPWRAPPED)
        return 8;
    return 3;
}

static const char *vs_name(const struct vscan_port *v, const struct port_result *p)
{
    if (v && v->end == VS_END_TCPWRAPPED && !v->name[0])
        return "tcpwrapped";
    if (v && v->name[0] && v->end != VS_END_NOMATCH && v->end != VS_END_EXCLUDED)
        return v->name;
    return services_name(p->proto, p->port);
}

/* A copy with every non-printable byte as '.'. */
static void vs_clean(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '.';
    out[i] = '\0';
}

static const char *vs_field(const struct vscan_port *v, enum svc_field f)
{
    if (!v || v->end == VS_END_NOMATCH || v->end == VS_END_EXCLUDED || !v->field[f][0])
        return NULL;
    return v->field[f];
}

void vscan_service_cell(const struct vscan_result *vs, bool vscan, const struct port_result *p,
                        char *buf, size_t cap)
{
    const struct vscan_port *v = vs ? vscan_find(vs, p->proto, p->port) : NULL;
    const char *name = vs_name(v, p);
    const char *tunnel = v && v->ssl ? "ssl/" : "";
    if (!strcmp(name, "unknown"))
        snprintf(buf, cap, "%sunknown", tunnel);
    else
        snprintf(buf, cap, "%s%s%s", tunnel, name,
                 vscan && p->state == PORT_OPEN && vs_conf(v) <= 5 ? "?" : "");
}

/* strncat's bounded append, as populateFullVersionString uses it. */
static void vs_cat(char *dst, size_t cap, const char *s, size_t n)
{
    size_t l = strlen(dst);
    for (size_t i = 0; i < n && s[i] && l + 1 < cap; i++)
        dst[l++] = s[i];
    dst[l] = '\0';
}

void vscan_version_cell(const struct vscan_result *vs, const struct port_result *p,
                        char *buf, size_t cap)
{
    buf[0] = '\0';
    const struct vscan_port *v = vs ? vscan_find(vs, p->proto, p->port) : NULL;
    char prod[SVC_TEXT_MAX] = "", ver[SVC_TEXT_MAX] = "", info[SVC_TEXT_MAX] = "";
    const char *f;
    if ((f = vs_field(v, SVC_P))) vs_clean(prod, sizeof prod, f);
    if ((f = vs_field(v, SVC_V))) vs_clean(ver, sizeof ver, f);
    if ((f = vs_field(v, SVC_I))) vs_clean(info, sizeof info, f);
    size_t n = cap < 160 ? cap : 160, left = n - 1;
    bool pad = false;
    if (prod[0] && left >= 8) {
        if (left < strlen(prod)) {
            vs_cat(buf, n, prod, left - 3);
            vs_cat(buf, n, "...", 3);
            left = 0;
        } else {
            vs_cat(buf, n, prod, left);
            left -= strlen(prod);
        }
        pad = true;
    }
    if (ver[0] && left >= 8) {
        if (pad) {
            vs_cat(buf, n, " ", 1);
            left--;
        }
        if (left < strlen(ver)) {
            vs_cat(buf, n, ver, left - 3);
            vs_cat(buf, n, "...", 3);
            left = 0;
        } else {
            vs_cat(buf, n, ver, left);
            left -= strlen(ver);
        }
        pad = true;
    }
    if (info[0] && left >= 8) {
        if (pad) {
            vs_cat(buf, n, " ", 1);
            left--;
        }
        vs_cat(buf, n, "(", 1);
        if (left - 2 < strlen(info)) {
            vs_cat(buf, n, info, left - 5);
            vs_cat(buf, n, "...", 3);
        } else {
            vs_cat(buf, n, info, left);
        }
        vs_cat(buf, n, ")", 1);
    }
}

/* One list of "Service Info:" (distinct values, first seen first). */
struct vs_list {
    char v[VS_INFO_MAX][SVC_TEXT_MAX];
    int n;
};

static void vs_list_add(struct vs_list *l, const char *s, bool nocase)
{
    for (int i = 0; i < l->n; i++)
        if (nocase ? !strcasecmp(l->v[i], s) : !strcmp(l->v[i], s))
            return;
    if (l->n < VS_INFO_MAX)
        vs_clean(l->v[l->n++], sizeof l->v[0], s);
}

static const char *vs_list_print(FILE *f, const struct vs_list *l, const char *delim,
                                 const char *one, const char *many, const char *prefix)
{
    if (!l->n)
        return delim;
    fprintf(f, "%s%s: ", delim, l->n == 1 ? one : many);
    for (int i = 0; i < l->n; i++)
        fprintf(f, "%s%s%s", i ? ", " : "", prefix, l->v[i]);
    return "; ";
}

void vscan_print_info(FILE *f, const struct host_result *h)
{
    const struct vscan_result *vs = h->vs;
    if (!vs)
        return;
    struct vs_list host = {0}, os = {0}, dev = {0}, cpe = {0};
    for (size_t i = 0; i < h->nports; i++) {
        const struct port_result *p = &h->ports[i];
        const struct vscan_port *v = p->state == PORT_OPEN ? vscan_find(vs, p->proto, p->port)
                                                           : NULL;
        if (!v || v->end == VS_END_NOMATCH || v->end == VS_END_EXCLUDED)
            continue;
        const char *s;
        if ((s = vs_field(v, SVC_H)) && strcasecmp(s, h->name))
            vs_list_add(&host, s, true);
        if ((s = vs_field(v, SVC_O)))
            vs_list_add(&os, s, false);
        if ((s = vs_field(v, SVC_D)))
            vs_list_add(&dev, s, false);
        for (int k = 0; k < v->ncpe; k++)
            if (v->cpe[k][0] != 'a')   /* applications belong to a port, not the host */
                vs_list_add(&cpe, v->cpe[k], false);
    }
    if (!host.n && !os.n && !dev.n && !cpe.n)
        return;
    fputs("Service Info:", f);
    const char *d = " ";
    d = vs_list_print(f, &host, d, "Host", "Hosts", "");
    d = vs_list_print(f, &os, d, "OS", "OSs", "");
    d = vs_list_print(f, &dev, d, "Device", "Devices", "");
    vs_list_print(f, &cpe, d, "CPE", "CPE", "cpe:/");
    fputc('\n', f);
}

static int64_t vs_fp_time(const struct vscan_port *v, int64_t base_unix, uint64_t base_ns)
{
    return base_unix + (int64_t)((v->fp_ns > base_ns ? v->fp_ns - base_ns : 0) / 1000000000u);
}

void vscan_print_fps(FILE *f, const struct vscan_result *vs, const struct port_result **ports,
                     size_t n, int64_t base_unix, uint64_t base_ns)
{
    if (!vs)
        return;
    const struct vscan_port *fps[9];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 9; i++) {
        const struct vscan_port *v = vscan_find(vs, ports[i]->proto, ports[i]->port);
        if (v && v->fp && v->end != VS_END_HARD && (v->end == VS_END_NOMATCH || vs->intensity >= 7))
            fps[k++] = v;
    }
    if (!k)
        return;
    fprintf(f, "%zu service%s unrecognized despite returning data. If you know the "
            "service/version, please submit the following fingerprint%s at "
            "https://nmap.org/cgi-bin/submit.cgi?new-service :\n", k, k > 1 ? "s" : "",
            k > 1 ? "s" : "");
    char buf[4096];
    for (size_t i = 0; i < k; i++) {
        if (k > 1)
            fputs("==============NEXT SERVICE FINGERPRINT (SUBMIT INDIVIDUALLY)=============="
                  "\n", f);
        vscan_fp_text(fps[i], vs->intensity, vs_fp_time(fps[i], base_unix, base_ns), true, buf,
                      sizeof buf);
        fprintf(f, "%s\n", buf);
    }
}

static void vs_xml_attr(FILE *f, const char *name, const char *val)
{
    if (!val)
        return;
    fprintf(f, " %s=\"", name);
    output_xml_escape(f, val);
    fputc('"', f);
}

void vscan_print_xml(FILE *f, const struct vscan_result *vs, const struct port_result *p,
                     int64_t base_unix, uint64_t base_ns)
{
    const struct vscan_port *v = vs ? vscan_find(vs, p->proto, p->port) : NULL;
    static const char *const attr[SVC_NFIELDS] = {"product", "version", "extrainfo",
                                                  "hostname", "ostype", "devicetype"};
    fputs("<service", f);
    vs_xml_attr(f, "name", vs_name(v, p));
    for (int k = 0; k < SVC_NFIELDS; k++)
        vs_xml_attr(f, attr[k], vs_field(v, (enum svc_field)k));
    bool fp = v && v->fp && v->end != VS_END_HARD &&
              (v->end == VS_END_NOMATCH || vs->intensity >= 7);
    if (fp) {
        char buf[4096];
        vscan_fp_text(v, vs->intensity, vs_fp_time(v, base_unix, base_ns), false, buf, sizeof buf);
        vs_xml_attr(f, "servicefp", buf);
    }
    if (v && v->ssl)
        fputs(" tunnel=\"ssl\"", f);
    int conf = vs_conf(v);
    fprintf(f, " method=\"%s\" conf=\"%d\"", conf == 3 ? "table" : "probed", conf);
    int ncpe = v && v->end != VS_END_NOMATCH && v->end != VS_END_EXCLUDED ? v->ncpe : 0;
    if (!ncpe) {
        fputs("/>", f);
        return;
    }
    fputc('>', f);
    for (int k = 0; k < ncpe; k++) {
        fputs("<cpe>cpe:/", f);
        output_xml_escape(f, v->cpe[k]);
        fputs("</cpe>", f);
    }
    fputs("</service>", f);
}

static void vs_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f) fputc('.', f);
        else fputc(c, f);
    }
    fputc('"', f);
}

void vscan_print_json(FILE *f, const struct vscan_result *vs, const struct port_result *p)
{
    const struct vscan_port *v = vs ? vscan_find(vs, p->proto, p->port) : NULL;
    static const char *const key[SVC_NFIELDS] = {"product", "version", "extrainfo",
                                                 "hostname", "ostype", "devicetype"};
    vs_json_str(f, vs_name(v, p));
    if (!v)
        return;
    int conf = vs_conf(v);
    fprintf(f, ", \"method\": \"%s\", \"conf\": %d", conf == 3 ? "table" : "probed", conf);
    for (int k = 0; k < SVC_NFIELDS; k++) {
        const char *s = vs_field(v, (enum svc_field)k);
        if (s) {
            fprintf(f, ", \"%s\": ", key[k]);
            vs_json_str(f, s);
        }
    }
    if (v->ssl)
        fputs(", \"tunnel\": \"ssl\"", f);
    if (v->ncpe && v->end != VS_END_NOMATCH && v->end != VS_END_EXCLUDED) {
        fputs(", \"cpe\": [", f);
        for (int k = 0; k < v->ncpe; k++) {
            fprintf(f, "%s\"cpe:/", k ? ", " : "");
            for (const char *c = v->cpe[k]; *c; c++)
                fputc(*c == '"' || *c == '\\' ? '_' : *c, f);
            fputc('"', f);
        }
        fputc(']', f);
    }
}
