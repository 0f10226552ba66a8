/* app.c — the simulated service applications: banner, HTTP responder, echo, discard, sink.
 *
 * Why: so that `connect ... send`, a connect scan, `tcplab scan -sV` and real tools through
 * the bridge (nc, curl, nmap -sV) get the answers a real server gives, which version
 * detection recognises.
 *   banner   sends its text on accept (an SSH identification string, RFC 4253 4.2; an FTP
 *            or SMTP 220 greeting, RFC 959 / RFC 5321 4.2) and ignores what it reads;
 *   http     reads a request up to the blank line ending its header (RFC 9112 2.1), answers
 *            with a whole HTTP/1.x response with a Server header (RFC 9110 10.2.4), then
 *            closes, as an HTTP/1.0 server or one sending "Connection: close" does;
 *   echo     sends back every byte it reads (RFC 862); discard reads and ignores (RFC 863);
 *   sink     accepts and never reads (a server stuck elsewhere): what comes stays in the
 *            receive buffer, so the window closes and the peer's zero-window probes show.
 * The HTTP response's version is the request's when that is HTTP/1.0, else HTTP/1.1; GET
 * and HEAD of / give 200, other paths 404, OPTIONS 200 with Allow, anything that is not a
 * request line 400 (as Apache answers nmap's binary probes). No Date header: no wall clock.
 */
#include "app.h"

#include <stdio.h>
#include <string.h>

/* The end of the request header: just past "\r\n\r\n" or "\n\n", or 0 when not there yet. */
static size_t app_http_end(const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (in[i] != '\n')
            continue;
        if (i + 1 < n && in[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && in[i + 1] == '\r' && in[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static bool app_word(const uint8_t *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && memcmp(s, w, k) == 0;
}

/* Parses "METHOD SP TARGET SP HTTP/1.x" at the start of in. */
struct app_req {
    bool ok, head, options, root, v10;
};

static struct app_req app_http_parse(const uint8_t *in, size_t n)
{
    struct app_req r = { 0 };
    size_t eol = 0;
    while (eol < n && in[eol] != '\r' && in[eol] != '\n')
        eol++;
    const uint8_t *sp1 = memchr(in, ' ', eol);
    if (!sp1)
        return r;
    size_t m = (size_t)(sp1 - in);
    const uint8_t *tgt = sp1 + 1;
    const uint8_t *sp2 = memchr(tgt, ' ', eol - m - 1);
    if (!sp2 || m == 0)
        return r;
    size_t tl = (size_t)(sp2 - tgt), vl = eol - (size_t)(sp2 + 1 - in);
    if (!app_word(sp2 + 1, vl, "HTTP/1.") || vl != 8)
        return r;
    for (size_t i = 0; i < m; i++)
        if (in[i] < 'A' || in[i] > 'Z')
            return r;
    r.ok = true;
    r.v10 = sp2[8] == '0';
    r.head = m == 4 && app_word(in, m, "HEAD");
    r.options = m == 7 && app_word(in, m, "OPTIONS");
    r.root = (tl == 1 && tgt[0] == '/') || (tl == 1 && tgt[0] == '*' && r.options);
    bool known = r.head || r.options || (m == 3 && app_word(in, m, "GET"));
    if (!known)
        r.ok = r.root = false;     /* another method: 400 here, keeps the server simple */
    return r;
}

static size_t app_http_response(const struct scn_service *sv, const struct app_req *r,
                                uint8_t *out, size_t cap)
{
    const char *status = !r->ok ? "400 Bad Request" : r->root ? "200 OK" : "404 Not Found";
    const char *title = !r->ok ? "400 Bad Request" : r->root ? "It works!" : "404 Not Found";
    char body[256];
    int bl = snprintf(body, sizeof body,
                      "<html><head><title>%s</title></head><body><h1>%s</h1></body></html>\n",
                      title, title);
    bool send_body = !(r->ok && (r->head || r->options));
    int n = snprintf((char *)out, cap,
                     "HTTP/1.%c %s\r\nServer: %.*s\r\n%sContent-Length: %d\r\n"
                     "Connection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n%s",
                     r->ok && r->v10 ? '0' : '1', status, (int)sv->len, (const char *)sv->text,
                     r->ok && r->options ? "Allow: GET,HEAD,OPTIONS\r\n" : "",
                     send_body ? bl : 0, send_body ? body : "");
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t app_accept(const struct scn_service *sv, uint8_t *out, size_t cap)
{
    if (sv->kind != SCN_SVC_BANNER)
        return 0;
    size_t n = sv->len < cap ? sv->len : cap;
    memcpy(out, sv->text, n);
    return n;
}

struct app_out app_input(const struct scn_service *sv, const uint8_t *in, size_t n, bool full,
                         uint8_t *out, size_t cap)
{
    struct app_out o = { .consumed = n };
    switch ((enum scn_svc_kind)sv->kind) {
    case SCN_SVC_ECHO:
        o.len = n < cap ? n : cap;
        memcpy(out, in, o.len);
        o.consumed = o.len;
        return o;
    case SCN_SVC_HTTP: {
        size_t end = app_http_end(in, n);
        /* a first line that is no request line is refused at once (Apache reads the
         * request line first: nmap's binary probes get their 400 without a blank line) */
        bool bad_line = !end && memchr(in, '\n', n) && !app_http_parse(in, n).ok;
        if (!end && !full && !bad_line) {
            o.consumed = 0;          /* wait for the rest of the header */
            return o;
        }
        struct app_req r = app_http_parse(in, n);
        if (!end)
            r.ok = false;            /* a header that fills the buffer: refused */
        o.len = app_http_response(sv, &r, out, cap);
        o.close = true;
        return o;
    }
    case SCN_SVC_SINK:
        o.consumed = 0;
        return o;
    case SCN_SVC_BANNER:
    case SCN_SVC_DISCARD:
        return o;
    }
    return o;
}
