/* vscan_fp.c — the fingerprint of a service that answered but matched no rule, as nmap
 * prints it for submission (service_scan.cc addToServiceFingerprint, getServiceFingerprint):
 *
 *   SF-Port79-TCP:V=0.1%I=7%D=1/1%Time=386D4380%P=x86_64-pc-linux-gnu%r(NULL,1A,"Login
 *   SF:\x20incorrect\r\n");
 *
 * One %r(PROBE,LENGTH-IN-HEX,"...") per answer (its first 900 bytes), letters and digits as
 * they are, \0 (\x00 before a digit, which PCRE would read as octal), regex metacharacters
 * backslashed, other punctuation as is, \r \n \t, everything else \xHH; no more answers once
 * the print passes 2200 bytes. The header and the wrapping ("\nSF:" whenever the length,
 * counted with the inserted text, is 74 modulo 75) are made at output time: the header
 * holds the time, which the scan's report knows. V= is tcplab's version (nmap writes its
 * own), D= and Time= are UTC.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/version.h"
#include "scanner/vscan.h"

enum { VS_FP_RESP_MAX = 900, VS_FP_LEN_MAX = 2200, VS_FP_WRAP = 74 };

#if defined(__x86_64__) && defined(__linux__)
#define VS_PLATFORM "x86_64-pc-linux-gnu"
#elif defined(__aarch64__) && defined(__linux__)
#define VS_PLATFORM "aarch64-unknown-linux-gnu"
#elif defined(__i386__) && defined(__linux__)
#define VS_PLATFORM "i686-pc-linux-gnu"
#else
#define VS_PLATFORM "unknown"
#endif

int vscan_fp_add(char **fp, const char *probe, const uint8_t *resp, size_t n)
{
    size_t have = *fp ? strlen(*fp) : 0;
    if ((have + 100) * (VS_FP_WRAP + 5) / (VS_FP_WRAP + 1) > VS_FP_LEN_MAX)
        return 0;                /* it is large enough (nmap's servicefplen > 2200) */
    size_t used = n < VS_FP_RESP_MAX ? n : VS_FP_RESP_MAX;
    size_t need = have + strlen(probe) + 32 + used * 4 + 4;
    char *s = realloc(*fp, need);
    if (!s)
        return -1;
    *fp = s;
    char *o = s + have;
    o += sprintf(o, "%%r(%s,%zX,\"", probe, n);
    for (size_t i = 0; i < used; i++) {
        uint8_t c = resp[i];
        if (isalnum(c)) {
            *o++ = (char)c;
        } else if (c == 0) {
            bool digit = i + 1 < used && isdigit(resp[i + 1]);
            o += sprintf(o, digit ? "\\x00" : "\\0");
        } else if (strchr("\\?\"[]().*+$^|", c)) {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (ispunct(c)) {
            *o++ = (char)c;
        } else if (c == '\r' || c == '\n' || c == '\t') {
            *o++ = '\\';
            *o++ = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
        } else {
            o += sprintf(o, "\\x%02x", c);
        }
    }
    *o++ = '"';
    *o++ = ')';
    *o = '\0';
    return 0;
}

/* Appends text to buf, inserting "\nSF:" as nmap's addServiceChar does. */
static void vs_fp_emit(const char *text, bool wrap, char *buf, size_t cap, size_t *len,
                       size_t *vlen)
{
    for (const char *p = text; *p; p++) {
        if (wrap && *vlen % (VS_FP_WRAP + 1) == VS_FP_WRAP) {
            for (const char *w = "\nSF:"; *w; w++)
                if (*len + 1 < cap)
                    buf[(*len)++] = *w;
            *vlen += 4;
        }
        if (*len + 1 < cap)
            buf[(*len)++] = *p;
        (*vlen)++;
    }
    buf[*len < cap ? *len : cap - 1] = '\0';
}

size_t vscan_fp_text(const struct vscan_port *p, int intensity, int64_t unix_time, bool wrap,
                     char *buf, size_t cap)
{
    if (!cap)
        return 0;
    buf[0] = '\0';
    if (!p->fp)
        return 0;
    time_t t = (time_t)unix_time;
    struct tm tm;
    gmtime_r(&t, &tm);
    char head[160];
    snprintf(head, sizeof head, "SF-Port%u-%s:V=%s%s%%I=%d%%D=%d/%d%%Time=%X%%P=%s", p->port,
             p->proto == 17 ? "UDP" : "TCP", TCPLAB_VERSION, p->ssl ? "%T=SSL" : "", intensity,
             tm.tm_mon + 1, tm.tm_mday, (unsigned)unix_time, VS_PLATFORM);
    size_t len = 0, vlen = 0;
    vs_fp_emit(head, wrap, buf, cap, &len, &vlen);
    vs_fp_emit(p->fp, wrap, buf, cap, &len, &vlen);
    if (len + 1 < cap)       /* the closing ';' is never wrapped */
        buf[len++] = ';';
    buf[len < cap ? len : cap - 1] = '\0';
    return len;
}
