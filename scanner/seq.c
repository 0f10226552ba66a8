/* seq.c — nmap's SEQ analysis: how guessable are a host's ISNs and IP IDs.
 *
 * A copy of the arithmetic in nmap's osscan2.cc (the SEQ test: GCD, ISR, SP; get_diffs and
 * identify_sequence for the IP-ID classes) and the labels of output.cc (seqidx2difficultystr,
 * ipidclass2ascii), as written down in docs/facts/nmap.md section 4. Students compare
 * the numbers with nmap's, so the formulas are kept literally, including the n-2 divisor of the
 * standard deviation and the unsigned 32-bit IP-ID differences (a decrease counts as a jump).
 * Pure functions: no state, no allocation.
 */
#include "scanner/seq.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Distance between two sequence numbers the short way round the 2^32 circle (MOD_DIFF). */
static uint32_t seq_mod_diff(uint32_t a, uint32_t b)
{
    uint32_t x = a - b, y = b - a;
    return x < y ? x : y;
}

static uint32_t seq_gcd2(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

const char *seq_difficulty(uint32_t sp)
{
    /* output.cc seqidx2difficultystr */
    if (sp < 3) return "Trivial joke";
    if (sp < 6) return "Easy";
    if (sp < 11) return "Medium";
    if (sp < 12) return "Formidable";
    if (sp < 16) return "Worthy challenge";
    return "Good luck!";
}

enum seq_ipid_class seq_ipid_classify(const uint16_t *ids, int n)
{
    uint32_t d[16];
    if (n < 2) return SEQ_IPID_UNKNOWN;
    if (n > 16) n = 16;
    int m = n - 1;
    bool allzero = true;
    /* get_diffs: unsigned 32-bit differences; with > 2 samples any jump > 20000 is random. */
    for (int i = 0; i < m; i++) {
        if (ids[i] != 0 || ids[i + 1] != 0) allzero = false;
        d[i] = (uint32_t)ids[i + 1] - (uint32_t)ids[i];
        if (n > 2 && d[i] > 20000) return SEQ_IPID_RD;
    }
    if (allzero) return SEQ_IPID_ZERO;
    bool constant = true, bi = true, even = true, small = true;
    for (int i = 0; i < m; i++) {
        d[i] &= 0xFFFF;
        if (d[i] != 0) constant = false;
    }
    if (constant) return SEQ_IPID_CONSTANT;
    for (int i = 0; i < m; i++)
        if (d[i] > 1000 && (d[i] % 256 != 0 || d[i] >= 25600)) return SEQ_IPID_RI;
    for (int i = 0; i < m; i++) {
        if (d[i] % 256 != 0 || d[i] > 5120) bi = false;
        if (d[i] % 2 != 0) even = false;
        if (d[i] > 9) small = false;
    }
    if (bi) return SEQ_IPID_BI;
    if (even) return SEQ_IPID_INCR_BY_2;
    if (small) return SEQ_IPID_INCR;
    return SEQ_IPID_UNKNOWN;
}

const char *seq_ipid_class_name(enum seq_ipid_class c)
{
    switch (c) {
    case SEQ_IPID_RD: return "Randomized";
    case SEQ_IPID_ZERO: return "All zeros";
    case SEQ_IPID_CONSTANT: return "Duplicated ipid (!)";
    case SEQ_IPID_RI: return "Random positive increments";
    case SEQ_IPID_BI: return "Broken little-endian incremental";
    case SEQ_IPID_INCR_BY_2: return "Incrementing by 2";
    case SEQ_IPID_INCR: return "Incremental";
    case SEQ_IPID_UNKNOWN: break;
    }
    return "Busy server or unknown class";
}

/* The static TI= code, or NULL for the constant class (its code is the value itself). */
static const char *seq_ipid_static_code(enum seq_ipid_class c)
{
    switch (c) {
    case SEQ_IPID_RD: return "RD";
    case SEQ_IPID_ZERO: return "Z";
    case SEQ_IPID_RI: return "RI";
    case SEQ_IPID_BI: return "BI";
    case SEQ_IPID_INCR_BY_2: /* nmap writes by-2 counters as plain I */
    case SEQ_IPID_INCR: return "I";
    case SEQ_IPID_CONSTANT: return NULL;
    case SEQ_IPID_UNKNOWN: break;
    }
    return "";
}

const char *seq_ipid_code(enum seq_ipid_class c, uint16_t first, char buf[8])
{
    const char *s = seq_ipid_static_code(c);
    if (s) {
        snprintf(buf, 8, "%s", s);
        return s;
    }
    snprintf(buf, 8, "%X", (unsigned)first);
    return buf;
}

static uint16_t seq_swap16(uint16_t x) { return (uint16_t)((x >> 8) | (x << 8)); }

int32_t seq_ipid_distance(enum seq_ipid_class c, uint16_t old_id, uint16_t new_id)
{
    /* idle_scan.cc ipid_distance: no 16-bit wrap handling, on purpose. */
    if (c == SEQ_IPID_BI) return (int32_t)seq_swap16(new_id) - (int32_t)seq_swap16(old_id);
    if (c == SEQ_IPID_INCR_BY_2) return ((int32_t)new_id - (int32_t)old_id) / 2;
    return (int32_t)new_id - (int32_t)old_id;
}

/* GCD, ISR and SP from the replies that came back (n >= 4), as osscan2.cc does. */
static void seq_isn_stats(struct seq_result *out, const uint32_t *isn, const uint64_t *t, int n)
{
    uint32_t diffs[5];
    double rates[5], avg = 0.0;
    for (int i = 0; i < n - 1; i++) {
        diffs[i] = seq_mod_diff(isn[i + 1], isn[i]);
        uint64_t us = (t[i + 1] - t[i]) / 1000;
        if (us == 0) us = 1; /* same-microsecond sends: avoid dividing by zero */
        rates[i] = diffs[i] * 1000000.0 / (double)us;
        avg += rates[i];
    }
    avg /= n - 1;
    uint32_t g = 0;
    for (int i = 0; i < n - 1; i++) g = seq_gcd2(g, diffs[i]);
    out->gcd = g;
    if (g == 0) { /* constant ISN */
        out->isr = 0;
        out->sp = 0;
        return;
    }
    out->isr = avg > 0 ? (uint32_t)(8.0 * log2(avg) + 0.5) : 0;
    double div = g > 9 ? (double)g : 1.0, sd = 0.0;
    for (int i = 0; i < n - 1; i++) {
        double r = rates[i] / div - avg / div;
        sd += r * r;
    }
    sd = sqrt(sd / (n - 2));
    out->sp = sd <= 1.0 ? 0 : (uint32_t)(8.0 * log2(sd) + 0.5);
}

void seq_analyze(struct seq_result *out, const uint32_t *isn, const uint64_t *send_ns, int nisn,
                 const uint16_t *ipid, int nipid)
{
    memset(out, 0, sizeof *out);
    uint64_t t[6];
    for (int i = 0; i < nisn && out->nisn < 6; i++) {
        if (isn[i] == 0) continue; /* nmap: an ISN of 0 counts as no reply */
        t[out->nisn] = send_ns[i];
        out->isn[out->nisn++] = isn[i];
    }
    if (out->nisn >= 4) {
        seq_isn_stats(out, out->isn, t, out->nisn);
        out->done = true;
    }
    out->difficulty = seq_difficulty(out->sp);
    for (int i = 0; i < nipid && i < 6; i++) out->ipid[out->nipid++] = ipid[i];
    enum seq_ipid_class c = seq_ipid_classify(out->ipid, out->nipid);
    out->ipid_cls = (int)c;
    out->ipid_class = seq_ipid_class_name(c);
    out->ti = seq_ipid_static_code(c);
    seq_ipid_code(c, out->nipid ? out->ipid[0] : 0, out->ti_code);
    out->ipid_done = out->nipid >= 3;
}
