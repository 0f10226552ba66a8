/* osscan_out.c — -O in the reports as nmap prints it (output.cc printosscanoutput,
 * printosclassificationoutput, write_xml_osmatch, write_xml_osclass, write_merged_fpr;
 * FingerPrintResults.cc populateClassification).
 *
 * Normal output: "Device type", "Running" (JUST GUESSING without a perfect match), "OS CPE",
 * then "OS details" for perfect matches, or "Aggressive OS guesses" (with --osscan-guess, or
 * whenever the fingerprint is unfit for submission) and "No exact OS matches for host" with
 * the fingerprint; "Network Distance". XML: <os> with <portused>, <osmatch>/<osclass>/<cpe>
 * and <osfingerprint>, then <distance>, as nmap.dtd orders them. Grepable: "\tOS: a|b".
 */
#include "scanner/osscan.h"

#include <math.h>
#include <string.h>
#include <time.h>

enum { OS_CLASSMEMBERS = 8 };

/* OS_Classification_Results: distinct classes of the matches, best first. */
struct os_classes {
    const struct os_class *c[OS_MAX_RESULTS];
    double acc[OS_MAX_RESULTS];
    int n, nperfect;
    int overall;
};

static bool os_streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static void os_classify(const struct os_result *r, struct os_classes *out)
{
    memset(out, 0, sizeof *out);
    out->overall = OS_SUCCESS;
    const struct os_matches *m = &r->m;
    if (m->overall == OS_TOOMANY) {
        out->overall = OS_TOOMANY;
        return;
    }
    for (int i = 0; i < m->n; i++) {
        for (uint32_t k = 0; k < m->m[i]->ncls; k++) {
            const struct os_class *c = &r->db->classes[m->m[i]->cls0 + k];
            bool dup = false;
            for (int j = 0; j < out->n && !dup; j++)
                dup = os_streq(c->vendor, out->c[j]->vendor) &&
                      os_streq(c->family, out->c[j]->family) &&
                      os_streq(c->type, out->c[j]->type) && os_streq(c->gen, out->c[j]->gen);
            if (dup)
                continue;
            if (out->n == OS_MAX_RESULTS) {
                if (i < m->nperfect)
                    out->overall = OS_TOOMANY;
                return;
            }
            if (out->nperfect > 0 && i >= m->nperfect)
                return;
            out->c[out->n] = c;
            out->acc[out->n] = m->acc[i];
            if (i < m->nperfect)
                out->nperfect++;
            out->n++;
        }
    }
    if (out->n == 0)
        out->overall = OS_NOMATCHES;
}

static bool os_add_unique(const char **arr, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(arr[i], s))
            return true;
    if (*n >= OS_CLASSMEMBERS)
        return false;
    arr[(*n)++] = s;
    return true;
}

static void os_print_classes(FILE *f, const struct os_classes *oc, bool guess)
{
    if (oc->overall != OS_SUCCESS)
        return;
    const char *types[OS_CLASSMEMBERS], *cpes[OS_CLASSMEMBERS];
    char fam[OS_CLASSMEMBERS][128], gens[OS_CLASSMEMBERS][96];
    double famacc[OS_CLASSMEMBERS];
    int nt = 0, nc = 0, nf = 0;
    bool overflow = false;
    for (int i = 0; i < oc->n; i++) {
        if ((!guess && i >= oc->nperfect) || oc->acc[i] <= oc->acc[0] - 0.1 ||
            (oc->acc[i] < 1.0 && i > 9))
            break;
        const struct os_class *c = oc->c[i];
        overflow |= !os_add_unique(types, &nt, c->type);
        for (int k = 0; k < c->ncpe; k++)
            overflow |= !os_add_unique(cpes, &nc, c->cpe[k]);
        char name[128];
        if (!strcmp(c->vendor, c->family))
            snprintf(name, sizeof name, "%s", c->family);
        else
            snprintf(name, sizeof name, "%s %s", c->vendor, c->family);
        int j = 0;
        while (j < nf && strcmp(fam[j], name))
            j++;
        if (j < nf) {
            if (c->gen && !strstr(gens[j], c->gen)) {
                size_t l = strlen(gens[j]);
                snprintf(gens[j] + l, sizeof gens[j] - l, "%s%s", l ? "|" : "", c->gen);
            }
            continue;
        }
        if (nf >= OS_CLASSMEMBERS) {
            overflow = true;
            break;
        }
        snprintf(fam[nf], sizeof fam[nf], "%s", name);
        snprintf(gens[nf], 48, "%s", c->gen ? c->gen : "");
        famacc[nf] = oc->acc[i];
        nf++;
    }
    if (overflow || nf < 1)
        return;
    fputs("Device type: ", f);
    for (int i = 0; i < nt; i++)
        fprintf(f, "%s%s", types[i], i < nt - 1 ? "|" : "");
    fprintf(f, "\nRunning%s: ", oc->nperfect == 0 ? " (JUST GUESSING)" : "");
    for (int i = 0; i < nf; i++) {
        fprintf(f, "%s%s", i ? ", " : "", fam[i]);
        if (gens[i][0])
            fprintf(f, " %s", gens[i]);
        if (i >= oc->nperfect)
            fprintf(f, " (%.f%%)", floor(famacc[i] * 100));
    }
    fputc('\n', f);
    if (nc > 0) {
        fputs("OS CPE:", f);
        for (int i = 0; i < nc; i++)
            fprintf(f, " %s", cpes[i]);
        fputc('\n', f);
    }
}

/* The fingerprint of r's tries merged into buf (nmap's merge_fpr), its SCAN line saying
 * whether the conditions were good and when (t). */
static void os_fp_text(const struct os_result *r, bool good, bool wrap, int64_t t, char *buf,
                       size_t cap)
{
    const struct os_obs *fps[OS_MAX_TRIES];
    for (int i = 0; i < r->nfps; i++)
        fps[i] = &r->fps[i];
    struct os_scaninfo si = r->si;
    si.good = good;
    si.unix_time = t;
    os_merge(fps, r->nfps, &si, wrap, buf, cap);
}

static void os_fingerprint(FILE *f, const struct os_result *r, bool good, bool wrap,
                           int64_t t)
{
    char buf[12288];
    os_fp_text(r, good, wrap, t, buf, sizeof buf);
    fprintf(f, "TCP/IP fingerprint:\n%s\n", buf);
}

/* printosscanoutput's uptime: lastboot = the first SEQ probe's second - uptime; printed as
 * ctime(3) does (n_ctime), in UTC as every time tcplab prints. */
static bool os_lastboot(const struct os_result *r, int64_t seq0_unix, int64_t now,
                        double *uptime, char *buf, size_t cap)
{
    if (!r->has_lastboot)
        return false;
    time_t lb = (time_t)(seq0_unix - (int64_t)r->uptime_s);
    if (lb == 0)
        return false;          /* nmap tests lastboot for non-zero */
    struct tm tm;
    if (!gmtime_r(&lb, &tm) || !strftime(buf, cap, "%a %b %e %H:%M:%S %Y", &tm))
        buf[0] = '\0';
    *uptime = (double)(now - (int64_t)lb);
    return true;
}

static void os_print_uptime(FILE *f, const struct os_result *r, int verbose, int64_t t,
                            int64_t seq0_unix)
{
    char lb[64];
    double up;
    if (verbose && os_lastboot(r, seq0_unix, t, &up, lb, sizeof lb)) {
        if (lb[0])
            fprintf(f, "Uptime guess: %.3f days (since %s)\n", up / 86400, lb);
        else
            fprintf(f, "Uptime guess: %.3f days\n", up / 86400);
    }
}

void os_print_normal(FILE *f, const struct os_result *r, int verbose, int64_t t,
                     int64_t seq0_unix)
{
    if (!r)
        return;
    const struct os_matches *m = &r->m;
    bool toomany = m->overall == OS_TOOMANY || m->nperfect > 8;
    if (r->unreliable && !toomany)
        fputs("Warning: OSScan results may be unreliable because we could not find at least 1 "
              "open and 1 closed port\n", f);
    bool reason = r->omit[0] != 0;
    struct os_classes oc;
    os_classify(r, &oc);
    os_print_classes(f, &oc, r->guess || reason);
    if (m->overall == OS_SUCCESS && !toomany) {
        if (m->nperfect > 0) {
            fprintf(f, "OS details: %s", m->m[0]->name);
            for (int i = 1; i < m->nperfect; i++)
                fprintf(f, ", %s", m->m[i]->name);
            fputc('\n', f);
            if (verbose > 1 || r->db->builtin)
                os_fingerprint(f, r, !reason, true, t);
        } else {
            if (verbose > 1 && reason)
                fprintf(f, "OS fingerprint not ideal because: %s\n", r->omit);
            if ((r->guess || reason) && m->n > 0) {
                fprintf(f, "Aggressive OS guesses: %s (%.f%%)", m->m[0]->name,
                        floor(m->acc[0] * 100));
                for (int i = 1; i < 10 && i < m->n && m->acc[i] > m->acc[0] - 0.10; i++)
                    fprintf(f, ", %s (%.f%%)", m->m[i]->name, floor(m->acc[i] * 100));
                fputc('\n', f);
            }
            if (!reason) {
                fputs("No exact OS matches for host (If you know what OS is running on it, see "
                      "https://nmap.org/submit/ ).\n", f);
                os_fingerprint(f, r, true, true, t);
            } else {
                fputs("No exact OS matches for host (test conditions non-ideal).\n", f);
                if (verbose > 1)
                    os_fingerprint(f, r, false, false, t);
            }
        }
    } else if (m->overall == OS_NOMATCHES) {
        if (!reason) {
            fputs("No OS matches for host (If you know what OS is running on it, see "
                  "https://nmap.org/submit/ ).\n", f);
            os_fingerprint(f, r, true, true, t);
        } else {
            fprintf(f, "OS fingerprint not ideal because: %s\n", r->omit);
            fputs("No OS matches for host\n", f);
            if (verbose > 1)
                os_fingerprint(f, r, false, false, t);
        }
    } else {
        fputs("Too many fingerprints match this host to give specific OS details\n", f);
        if (verbose > 1)
            os_fingerprint(f, r, false, false, t);
    }
    os_print_uptime(f, r, verbose, t, seq0_unix);
    if (r->si.distance != -1)
        fprintf(f, "Network Distance: %d hop%s\n", r->si.distance,
                r->si.distance == 1 ? "" : "s");
}

static void os_xesc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\n': fputs("&#xa;", f); break;
        default: fputc(*s, f); break;
        }
    }
}

static void os_xml_match(FILE *f, const struct os_result *r, int i)
{
    const struct os_ref *ref = r->m.m[i];
    int acc = (int)(r->m.acc[i] * 100);
    fputs("<osmatch name=\"", f);
    os_xesc(f, ref->name);
    fprintf(f, "\" accuracy=\"%d\" line=\"%d\"", acc, ref->line);
    if (!ref->ncls) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n", f);
    for (uint32_t k = 0; k < ref->ncls; k++) {
        const struct os_class *c = &r->db->classes[ref->cls0 + k];
        fputs("<osclass type=\"", f);
        os_xesc(f, c->type);
        fputs("\" vendor=\"", f);
        os_xesc(f, c->vendor);
        fputs("\" osfamily=\"", f);
        os_xesc(f, c->family);
        fputc('"', f);
        if (c->gen) {
            fputs(" osgen=\"", f);
            os_xesc(f, c->gen);
            fputc('"', f);
        }
        fprintf(f, " accuracy=\"%d\"", acc);
        if (!c->ncpe) {
            fputs("/>\n", f);
            continue;
        }
        fputc('>', f);
        for (int j = 0; j < c->ncpe; j++) {
            fputs("<cpe>", f);
            os_xesc(f, c->cpe[j]);
            fputs("</cpe>", f);
        }
        fputs("</osclass>\n", f);
    }
    fputs("</osmatch>\n", f);
}

static void os_xml_fp(FILE *f, const struct os_result *r, bool good, bool wrap, int64_t t)
{
    char buf[12288];
    os_fp_text(r, good, wrap, t, buf, sizeof buf);
    fputs("<osfingerprint fingerprint=\"", f);
    os_xesc(f, buf);
    fputs("\"/>\n", f);
}

void os_print_xml(FILE *f, const struct os_result *r, int verbose, int64_t t,
                  int64_t seq0_unix)
{
    if (!r)
        return;
    fputs("<os>", f);
    static const char *const st[3] = {"open", "closed", "closed"};
    static const char *const pr[3] = {"tcp", "tcp", "udp"};
    int ports[3] = {r->si.open_port, r->si.closed_port, r->si.closed_udp};
    for (int i = 0; i < 3; i++)
        if (ports[i] > 0)
            fprintf(f, "<portused state=\"%s\" proto=\"%s\" portid=\"%d\"/>\n", st[i], pr[i],
                    ports[i]);
    const struct os_matches *m = &r->m;
    bool reason = r->omit[0] != 0;
    if (m->overall == OS_SUCCESS && m->nperfect <= 8) {
        if (m->nperfect > 0) {
            for (int i = 0; i < m->nperfect; i++)
                os_xml_match(f, r, i);
            if (verbose > 1 || r->db->builtin)
                os_xml_fp(f, r, !reason, true, t);
        } else {
            for (int i = 0; i < 10 && i < m->n && m->acc[i] > m->acc[0] - 0.10; i++)
                os_xml_match(f, r, i);
            if (!reason)
                os_xml_fp(f, r, true, true, t);
        }
    } else if (m->overall == OS_NOMATCHES && !reason) {
        os_xml_fp(f, r, true, true, t);
    }
    fputs("</os>\n", f);
    char lb[64];
    double up;
    if (os_lastboot(r, seq0_unix, t, &up, lb, sizeof lb)) {
        fprintf(f, "<uptime seconds=\"%.0f\"", up);
        if (lb[0])
            fprintf(f, " lastboot=\"%s\"", lb);
        fputs("/>\n", f);
    }
    if (r->si.distance != -1)
        fprintf(f, "<distance value=\"%d\"/>\n", r->si.distance);
}

void os_print_grep(FILE *f, const struct os_result *r)
{
    if (!r || r->m.overall != OS_SUCCESS || r->m.nperfect == 0 || r->m.nperfect > 8)
        return;
    fprintf(f, "\tOS: %s", r->m.m[0]->name);
    for (int i = 1; i < r->m.nperfect; i++)
        fprintf(f, "|%s", r->m.m[i]->name);
}
