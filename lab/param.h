/* param.h — a lab's parameters: `${...}` in a scenario template, one value per student.
 *
 * A lab's scenario is an ordinary scenario file in which some words are parameters. The
 * expander copies the text and replaces each `${...}`:
 *
 *   ${NAME:choice A,B,C}     one element of the list
 *   ${NAME:range LO-HI}      an integer in [LO, HI]
 *   ${NAME:pick K of LIST}   K distinct elements, in the list's order ("21,80,443")
 *   ${NAME:shuffle LIST}     every element, in an order of the variant's
 *   ${NAME}                  the value again (a list: comma-joined)
 *   ${NAME[I]}               the I-th element (1-based) of a list value
 *
 * A LIST is comma- or blank-separated words; a word LO-HI of two decimal numbers stands for
 * every number between (`pick 3 of 1-1024`). A definition both defines NAME and expands to
 * its value, so a definition that must not appear yet goes in a comment line.
 *
 * Where the value comes from: with no variant (a plain `tcplab run FILE`) each parameter
 * takes its default: the first element, the first K, the list as written, LO. A variant
 * gives a 16-byte secret (lab/lab.h derives it from the lab, the student and the course key)
 * and a derivation version: each parameter draws from its own stream, seeded by
 * SipHash-2-4(secret, "vVERSION|NAME"), so adding a parameter never changes another's value
 * and a later tcplab that keeps the version derives the same variant.
 *
 * Errors name the place as the scenario language does: FILE:LINE:COL: error: expected X,
 * found Y. Nothing here reads a clock or rand().
 */
#ifndef TCPLAB_LAB_PARAM_H
#define TCPLAB_LAB_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { LAB_PARAM_MAX = 64, LAB_PARAM_NAME_MAX = 32, LAB_LIST_MAX = 65536 };

struct lab_param {
    char name[LAB_PARAM_NAME_MAX];
    char *value;            /* heap: "22" or "21,80,443" */
    int line, col;          /* where it was defined */
};

struct lab_params {
    struct lab_param p[LAB_PARAM_MAX];
    size_t n;
    bool variant;           /* false: every parameter takes its default */
    uint8_t secret[16];
    unsigned version;
};

/* Defaults (no variant). */
void lab_params_init_default(struct lab_params *ps);
/* A variant's draws from secret and the derivation version. */
void lab_params_init_variant(struct lab_params *ps, const uint8_t secret[16], unsigned version);
void lab_params_free(struct lab_params *ps);
/* The value of NAME, or NULL. */
const char *lab_params_get(const struct lab_params *ps, const char *name);

/* Expands len bytes of text (named file; its first byte is at line0:col0, 1-based, so a
 * string from inside another file reports that file's place) into *out (heap, NUL-ended,
 * *outlen bytes). Definitions are added to ps. 0, or -1 with the error in err. */
int lab_expand(const char *file, int line0, int col0, const char *text, size_t len,
               struct lab_params *ps, char **out, size_t *outlen, char *err, size_t errlen);

/* True when text contains a parameter (a `${`). */
bool lab_has_params(const char *text, size_t len);

#endif
