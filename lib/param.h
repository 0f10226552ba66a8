/* param.h — a lab's parameters: `${...}` in a scenario template, one value per student.
 *
 * Leaf code (lib/) because both the scenario parser (sim/scenario.c: a template run as a
 * plain file takes the defaults) and the labs (lab/: a student's draws) expand them.
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
#ifndef TCPLAB_PARAM_H
#define TCPLAB_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PARAM_MAX = 64, PARAM_NAME_MAX = 32, PARAM_LIST_MAX = 65536, PARAM_SET_MAX = 8,
       PARAM_SET_VALUE_MAX = 256 };

struct param_param {
    char name[PARAM_NAME_MAX];
    char *value;            /* heap: "22" or "21,80,443" */
    int line, col;          /* where it was defined */
};

struct param_set {
    struct param_param p[PARAM_MAX];
    size_t n;
    bool variant;           /* false: every parameter takes its default */
    uint8_t secret[16];
    unsigned version;
    /* What-ifs (`tcplab diff --set NAME=VALUE`): these parameters take the value given
     * instead of their draw or default; param_set_unused names one that no definition met. */
    struct param_over {
        char name[PARAM_NAME_MAX];
        char value[PARAM_SET_VALUE_MAX];
        bool used;
    } set[PARAM_SET_MAX];
    size_t nset;
};

/* Defaults (no variant). */
void param_init_default(struct param_set *ps);
/* A variant's draws from secret and the derivation version. */
void param_init_variant(struct param_set *ps, const uint8_t secret[16], unsigned version);
void param_free(struct param_set *ps);
/* NAME takes VALUE (list words, commas) whatever its definition draws. Call before
 * param_expand. 0, or -1 with a message (bad name or value, too many, NAME twice). */
int param_set_value(struct param_set *ps, const char *name, const char *value, char *err,
                    size_t errlen);
/* After param_expand: the first NAME given to param_set_value that the text never defined
 * (a typo, or a fact of another lab), or NULL. */
const char *param_set_unused(const struct param_set *ps);
/* The value of NAME, or NULL. */
const char *param_get(const struct param_set *ps, const char *name);

/* Expands len bytes of text (named file; its first byte is at line0:col0, 1-based, so a
 * string from inside another file reports that file's place) into *out (heap, NUL-ended,
 * *outlen bytes). Definitions are added to ps. 0, or -1 with the error in err. */
int param_expand(const char *file, int line0, int col0, const char *text, size_t len,
               struct param_set *ps, char **out, size_t *outlen, char *err, size_t errlen);

/* True when text contains a parameter (a `${`). */
bool param_has(const char *text, size_t len);

#endif
