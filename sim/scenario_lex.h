/* scenario_lex.h — internal to the scenario parser: lines, tokens, value parsers, errors.
 *
 * scenario_lex.c splits a line into words and quoted strings (with 1-based columns) and
 * parses the language's values: numbers, IPv4 addresses, times, rates, percentages, port
 * lists and TCP flag letters. Every failing value parser writes the one error message
 * "FILE:LINE:COL: error: expected X, found Y" into the context, so the statement parser
 * (scenario.c) only has to return -1.
 */
#ifndef TCPLAB_SCENARIO_LEX_H
#define TCPLAB_SCENARIO_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scn_tok {
    const char *s;    /* word text; for a quoted string, the bytes between the quotes (raw) */
    size_t len;
    int col;          /* 1-based column of the first byte (the opening quote if quoted) */
    bool quoted;
};

struct scn_line {
    struct scn_tok *tok;  /* heap, grows with the longest line */
    size_t n, cap;
    int lineno;
    bool indented;        /* starts with a blank and has a token */
    int endcol;           /* column just past the last token: where "end of line" is */
};

struct scn_ctx {
    const char *file;
    char *err;
    size_t errlen;
    int lineno;           /* line being parsed, for messages */
};

/* Error reporting. `found` NULL means end of line (column: line->endcol). */
void scn_errorf(struct scn_ctx *cx, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int scn_expected(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *found,
                 const char *what);
int scn_expected_note(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *found,
                      const char *what, const char *note);

/* Splits [s, s+len) (one line, no '\n') into tokens. -1 on an unterminated string or a
 * string glued to a word (error written when cx is not NULL). */
int scn_lex_line(struct scn_ctx *cx, const char *s, size_t len, int lineno, struct scn_line *ln);
void scn_line_free(struct scn_line *ln);

/* Token helpers. */
bool scn_tok_is(const struct scn_tok *t, const char *word);
/* A sub-token: bytes [off, off+len) of t, its column adjusted. */
struct scn_tok scn_tok_sub(const struct scn_tok *t, size_t off, size_t len);
/* Index of the first `c` in t, or t->len. */
size_t scn_tok_find(const struct scn_tok *t, char c);
/* Decodes a quoted string's escapes (\" \\ \n \r \t \xHH) into out (cap bytes). -1 if too long. */
int scn_unquote(const struct scn_tok *t, uint8_t *out, size_t cap, size_t *outlen);

/* Pure value parsers: true on success. */
bool scn_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);
bool scn_parse_ipv4(const char *s, size_t len, uint32_t *out);
bool scn_valid_name(const char *s, size_t len);

/* Value parsers that report errors ("expected X, found Y"); 0 or -1. */
int scn_get_uint(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                 uint64_t min, uint64_t max, const char *what, uint64_t *out);
int scn_get_time(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                 uint64_t *ns);
int scn_get_rate(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                 uint32_t *per_s);
int scn_get_percent_ppm(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                        uint32_t *ppm);
/* Scapy flag letters "SAFRPUEC" in any order, or "none". */
int scn_get_flags(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                  uint8_t *flags);
/* "22,80,8000-8010": calls add(arg, lo, hi, item) per item; add reports its own errors. */
typedef int (*scn_port_add_fn)(void *arg, struct scn_ctx *cx, const struct scn_line *ln,
                               const struct scn_tok *item, uint16_t lo, uint16_t hi);
int scn_get_ports(struct scn_ctx *cx, const struct scn_line *ln, const struct scn_tok *t,
                  scn_port_add_fn add, void *arg);

#endif
