/* common.c — pieces every report writer shares: times, the summary line, the hidden-state
 * rule, grouping of hidden ports by state/protocol/reason, atomic file writing.
 *
 * Rules from nmap's output.cc and portlist.cc (docs/facts/nmap.md section 5). Times:
 * a report carries backend-clock nanoseconds and one wall-clock start (start_unix); every wall
 * time printed is start_unix + elapsed, in UTC, so a simulated run is byte-for-byte repeatable.
 */
#include "scanner/output/common.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/outfile.h"

static time_t out_wall(const struct scan_report *r, uint64_t ns)
{
    uint64_t el = ns > r->start_ns ? ns - r->start_ns : 0;
    return (time_t)(r->start_unix + (int64_t)(el / 1000000000u));
}

size_t output_time(char *buf, size_t cap, const char *fmt, const struct scan_report *r,
                   uint64_t ns)
{
    time_t t = out_wall(r, ns);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || cap == 0) {
        if (cap) buf[0] = '\0';
        return 0;
    }
    return strftime(buf, cap, fmt, &tm);
}

size_t output_ctime(char *buf, size_t cap, const struct scan_report *r, uint64_t ns)
{
    return output_time(buf, cap, "%a %b %e %H:%M:%S %Y", r, ns);
}

size_t output_hosts_up(const struct scan_report *r)
{
    if (!r->hosts) return r->nup;   /* streamed: the engine counted */
    size_t up = 0;
    for (size_t i = 0; i < r->nhosts; i++) up += r->hosts[i].up;
    return up;
}

int output_write_whole(const struct output_ops *ops, FILE *f, const struct scan_report *r)
{
    size_t nlisted = 0;
    if (ops->begin(f, r) < 0) return -1;
    for (size_t i = 0; r->hosts && i < r->nhosts; i++)
        if (ops->host(f, r, &r->hosts[i], &nlisted) < 0) return -1;
    return ops->end(f, r, nlisted);
}

double output_elapsed(const struct scan_report *r)
{
    return r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) / 1e9 : 0.0;
}

size_t output_summary(char *buf, size_t cap, const struct scan_report *r)
{
    size_t up = output_hosts_up(r);
    int n = snprintf(buf, cap, "%zu IP address%s (%zu host%s up) scanned in %.2f seconds",
                     r->nhosts, r->nhosts == 1 ? "" : "es", up, up == 1 ? "" : "s",
                     output_elapsed(r));
    return n < 0 ? 0 : (size_t)n;
}

static size_t out_state_count(const struct host_result *h, int state)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nports; i++) n += h->ports[i].state == state;
    return n;
}

int output_state_hidden(const struct scan_report *r, const struct host_result *h, int state)
{
    /* output.cc: a state is folded away above 25 ports (25 per verbosity level above 0);
     * open never; open|filtered is shown in full at -vvv. */
    if (state == PORT_OPEN) return 0;
    if (r->open_only)   /* --open: nmap lists open, open|filtered and unfiltered alone */
        return state != PORT_OPEN_FILTERED && state != PORT_UNFILTERED;
    if (state == PORT_OPEN_FILTERED && r->verbose >= 3) return 0;
    size_t limit = 25 * (size_t)(r->verbose + 1);
    return out_state_count(h, state) > limit;
}

void output_host_info(const struct scan_report *r, const struct host_result *h,
                      struct output_host_info *hi)
{
    memset(hi, 0, sizeof *hi);
    for (size_t i = 0; i < h->nports; i++) {
        const struct port_result *p = &h->ports[i];
        int s = p->state < PORT_NSTATES ? p->state : PORT_UNKNOWN;
        hi->count[s]++;
    }
    for (int s = 0; s < PORT_NSTATES; s++) {
        hi->hidden[s] = hi->count[s] && output_state_hidden(r, h, s);
        if (hi->hidden[s]) hi->nhidden += hi->count[s];
    }
}

size_t output_hidden_states(const struct output_host_info *hi, int out[PORT_NSTATES])
{
    size_t n = 0;
    for (int s = 0; s < PORT_NSTATES; s++) {
        if (!hi->hidden[s]) continue;
        size_t j = n++;
        /* insertion: after every state with at least as many ports (ties keep state order) */
        while (j > 0 && hi->count[out[j - 1]] < hi->count[s]) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = s;
    }
    return n;
}

size_t output_reason_groups(const struct host_result *h, int state,
                            struct output_group g[OUTPUT_MAX_GROUPS])
{
    size_t n = 0;
    for (size_t i = 0; i < h->nports; i++) {   /* first-seen order: ports are sorted */
        const struct port_result *p = &h->ports[i];
        if (p->state != state) continue;
        size_t k = 0;
        while (k < n && !(g[k].proto == p->proto && g[k].reason == p->reason)) k++;
        if (k == n) {
            if (n == OUTPUT_MAX_GROUPS) continue;
            g[n++] = (struct output_group){ p->proto, p->reason, 0 };
        }
        g[k].count++;
    }
    /* Most ports first; among equals the group seen later first (nmap's reason_sort). */
    for (size_t i = 1; i < n; i++) {
        struct output_group x = g[i];
        size_t j = i;
        while (j > 0 && g[j - 1].count <= x.count) {
            g[j] = g[j - 1];
            j--;
        }
        g[j] = x;
    }
    return n;
}

const char *output_proto_name(int proto) { return proto == SP_UDP ? "udp" : "tcp"; }

static int out_port_cmp(const void *a, const void *b)
{
    const struct port_result *x = *(const struct port_result *const *)a;
    const struct port_result *y = *(const struct port_result *const *)b;
    if (x->proto != y->proto) return x->proto == SP_TCP ? -1 : 1;
    return (int)x->port - (int)y->port;
}

size_t output_shown_ports(const struct host_result *h, const struct output_host_info *hi,
                          const struct port_result ***out)
{
    *out = NULL;
    size_t n = h->nports - hi->nhidden;
    if (n == 0) return 0;
    const struct port_result **v = malloc(n * sizeof *v);
    if (!v) return 0;
    size_t k = 0;
    for (size_t i = 0; i < h->nports && k < n; i++) {
        int s = h->ports[i].state < PORT_NSTATES ? h->ports[i].state : PORT_UNKNOWN;
        if (!hi->hidden[s]) v[k++] = &h->ports[i];
    }
    qsort(v, k, sizeof *v, out_port_cmp);
    *out = v;
    return k;
}

int output_reason_has_ttl(int reason)
{
    return !(reason == RS_NONE || reason == RS_NO_RESPONSE || reason == RS_USER_SET ||
             reason == RS_LOCALHOST || reason == RS_IPID_CHANGE ||
             reason == RS_NO_IPID_CHANGE || reason == RS_HOST_DOWN_NO_RESPONSE);
}

const char *output_host_label(const struct host_result *h, char *buf, size_t cap)
{
    char ip[16];
    output_ip(h->addr, ip);
    if (h->name[0]) snprintf(buf, cap, "%s (%s)", h->name, ip);
    else snprintf(buf, cap, "%s", ip);
    return buf;
}

const char *output_ip(uint32_t a, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

int output_host_listed(const struct scan_report *r, const struct host_result *h)
{
    /* nmap lists down hosts only with -v; with --open, only hosts with an open (or
     * open|filtered, unfiltered) port, unless no port was scanned (-sn). */
    if (r->open_only && !r->ping_only) {
        for (size_t i = 0; i < h->nports; i++) {
            int s = h->ports[i].state;
            if (s == PORT_OPEN || s == PORT_OPEN_FILTERED || s == PORT_UNFILTERED)
                return 1;
        }
        return 0;
    }
    return h->up || r->verbose > 0;
}

const struct output_ops *output_find(const char *name)
{
    static const struct output_ops *const all[] = {
        &output_normal, &output_normal_file, &output_grep, &output_xml, &output_json,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i]->name, name) == 0) return all[i];
    return NULL;
}

int output_write_file(const struct output_ops *ops, const char *path,
                      const struct scan_report *r, char *err, size_t errlen)
{
    struct outfile *o = outfile_open(path, err, errlen);
    if (!o) return -1;
    FILE *f = outfile_fp(o);
    if (ops->write(f, r) < 0 || ferror(f)) {
        snprintf(err, errlen, "%s: write error", path);
        outfile_abort(o);
        return -1;
    }
    return outfile_commit(o, err, errlen);
}

int64_t output_unix(const struct scan_report *r, uint64_t ns)
{
    uint64_t el = ns > r->start_ns ? ns - r->start_ns : 0;
    return r->start_unix + (int64_t)(el / 1000000000u);
}
