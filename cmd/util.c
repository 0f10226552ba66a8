/* util.c — the one number parser and the one time parser every subcommand uses, so
 * `run --seed 0x10` and `scan --seed 0x10` mean the same (16), `010` is ten everywhere (no
 * octal surprise), and `run --until 5` and `scan --scan-delay 5` both mean five seconds;
 * and the one reader of the lab options (--lab, --student, ...) in their argument loops. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lab/lab.h"

int cmd_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return -1;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!isxdigit((unsigned char)*s))
            return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || end == s || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int cmd_parse_duration(const char *s, int bare_is_seconds, unsigned long long *ns)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return -1;
    double mult;
    if (!strcmp(end, "ns"))
        mult = 1;
    else if (!strcmp(end, "us"))
        mult = 1e3;
    else if (!strcmp(end, "ms"))
        mult = 1e6;
    else if (!strcmp(end, "s"))
        mult = 1e9;
    else if (!strcmp(end, "m"))
        mult = 60e9;
    else if (!strcmp(end, "h"))
        mult = 3600e9;
    else if (!*end && bare_is_seconds)
        mult = 1e9;
    else
        return -1;
    double r = v * mult;
    if (r > 1.8e19)
        return -1;
    *ns = (unsigned long long)(r + 0.5);
    return 0;
}

int cmd_lab_option(const char *cmd, struct lab_sel *sel, bool *in_lab, int argc, char **argv,
                   int *i)
{
    char err[256];
    int used = lab_sel_option(sel, argc, argv, *i, err, sizeof err);
    if (used < 0) {
        fprintf(stderr, "tcplab %s: %s\n", cmd, err);
        return -1;
    }
    if (!used)
        return 0;
    if (in_lab)
        *in_lab = true;
    *i += used - 1;
    return 1;
}
