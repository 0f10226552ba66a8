/* util.c — small parsing helpers shared by the subcommands. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

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
