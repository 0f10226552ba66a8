/* scenario_edit.c — one host key of a scenario text changed (scenario_edit.h): the what-if
 * of `tcplab diff --set HOST.KEY=VALUE` and of the TUI.
 *
 * The edit is made on the text, not on the parsed form, so the parser checks the new value
 * exactly as it checks a value typed into the file (same messages, FILE:LINE:COL) and every
 * rule a key brings (a preset's defaults under `os`, the generators' seeding) applies as if
 * the line had been written so. The host line is split with the scenario lexer; the key's
 * words are cut out wherever they are and `KEY VALUE` is put after the last word, before
 * any comment.
 */
#include "scenario_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_lex.h"

/* How many words a key occupies at token i of ln (the key included). */
static size_t sedit_key_words(const struct scn_line *ln, size_t i)
{
    if (scn_tok_is(&ln->tok[i], "down"))
        return 1;
    if (scn_tok_is(&ln->tok[i], "challenge-ack") && i + 2 < ln->n &&
        scn_tok_is(&ln->tok[i + 2], "random"))
        return 3;
    return i + 1 < ln->n ? 2 : 1;
}

/* A value is words of the language, no quotes, no comment, one line. */
static bool sedit_value_ok(const char *v)
{
    for (const char *c = v; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '#' || *c == '"')
            return false;
    return true;
}

/* The flag keys take yes/no: `down=yes` adds the word, `down=no` removes it. */
static int sedit_flag(const char *key, const char *value, bool *add)
{
    if (strcmp(key, "down"))
        return 0;
    if (!strcmp(value, "yes") || !strcmp(value, "on") || !strcmp(value, "true")) {
        *add = true;
        return 1;
    }
    if (!strcmp(value, "no") || !strcmp(value, "off") || !strcmp(value, "false")) {
        *add = false;
        return 1;
    }
    return -1;
}

struct sedit_buf {
    char *s;
    size_t n, cap;
    bool oom;
};

static void sedit_put(struct sedit_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *p = realloc(b->s, nc);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

/* The line [s, s+len) rewritten into b: KEY's words out, `KEY VALUE` in (or only out for a
 * flag set to no). */
static void sedit_line(struct sedit_buf *b, const char *s, size_t len, const struct scn_line *ln,
                       const char *key, const char *value, int flag, bool add)
{
    size_t at = 0;   /* bytes of s copied */
    for (size_t i = 3; i < ln->n;) {
        size_t w = sedit_key_words(ln, i);
        if (!ln->tok[i].quoted && scn_tok_is(&ln->tok[i], key)) {
            size_t from = (size_t)(ln->tok[i].s - s);
            const struct scn_tok *last = &ln->tok[i + w - 1];
            size_t to = (size_t)(last->s - s) + last->len + (last->quoted ? 1 : 0);
            while (from > at && (s[from - 1] == ' ' || s[from - 1] == '\t'))
                from--;   /* the blank before the key goes with it */
            sedit_put(b, s + at, from - at);
            at = to;
        }
        i += w;
    }
    const struct scn_tok *last = &ln->tok[ln->n - 1];
    size_t end = (size_t)(last->s - s) + last->len + (last->quoted ? 1 : 0);
    if (end < at)
        end = at;
    sedit_put(b, s + at, end - at);
    if (!flag || add) {
        sedit_put(b, " ", 1);
        sedit_put(b, key, strlen(key));
        if (!flag) {
            sedit_put(b, " ", 1);
            sedit_put(b, value, strlen(value));
        }
    }
    sedit_put(b, s + end, len - end);
}

int scenario_edit_host_key(const char *file, const char *text, size_t len, const char *host,
                           const char *key, const char *value, char **out, size_t *outlen,
                           char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    bool add = false;
    int flag = sedit_flag(key, value, &add);
    if (flag < 0) {
        snprintf(err, errlen, "%s.%s=%s: %s takes yes or no", host, key, value, key);
        return -1;
    }
    if (!*key || !sedit_value_ok(value) || (!flag && !*value)) {
        snprintf(err, errlen, "%s.%s=%s: a host key and a value of the scenario language "
                 "(no quotes, no #)", host, key, value);
        return -1;
    }
    struct scn_line ln = {0};
    struct sedit_buf b = {0};
    bool found = false;
    int lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        bool mine = false;
        if (!found && scn_lex_line(NULL, text + i, end - i, lineno, &ln) == 0 && ln.n >= 3 &&
            !ln.indented && scn_tok_is(&ln.tok[0], "host") && !ln.tok[1].quoted &&
            ln.tok[1].len == strlen(host) && !memcmp(ln.tok[1].s, host, ln.tok[1].len))
            mine = true;
        if (mine) {
            sedit_line(&b, text + i, end - i, &ln, key, value, flag, add);
            found = true;
        } else {
            sedit_put(&b, text + i, end - i);
        }
        if (nl)
            sedit_put(&b, "\n", 1);
        i = end + (nl ? 1 : 0);
    }
    scn_line_free(&ln);
    if (b.oom || !found) {
        if (b.oom)
            snprintf(err, errlen, "%s: out of memory", file);
        else
            snprintf(err, errlen, "%s: no `host %s` line to change (%s.%s=%s)", file, host,
                     host, key, value);
        free(b.s);
        return -1;
    }
    if (!b.s)
        sedit_put(&b, "", 0);
    *out = b.s;
    *outlen = b.n;
    return 0;
}
