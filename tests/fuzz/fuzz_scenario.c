// fuzz-sources: sim/scenario*.c sim/os.c sim/gen.c lib/*.c
/* fuzz_scenario.c — libFuzzer target for the scenario parser: any bytes must give either a
 * parsed scenario or one "FILE:LINE:COL: error: ..." message, never a crash, a leak or an
 * out-of-bounds access. Each accepted scenario is checked for the parser's invariants. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario sc;
    char err[256];
    int rc = scenario_parse("fuzz.scn", (const char *)data, size, &sc, err, sizeof err);
    if (rc < 0) {
        /* A message always names the file and a position. */
        if (strncmp(err, "fuzz.scn:", 9) != 0 || !strstr(err, ": error: "))
            abort();
        if (sc.hosts || sc.nhosts)
            abort();
        return 0;
    }
    for (size_t i = 0; i < sc.nhosts; i++)
        if (!sc.hosts[i].sets_shared || !sc.hosts[i].name[0])   /* sets: shared or NULL */
            abort();
    for (size_t i = 0; i < sc.nsends; i++)
        if (sc.sends[i].data_len > SCN_DATA_MAX || sc.sends[i].nopts > sizeof sc.sends[i].opts)
            abort();
    for (size_t i = 0; i < sc.nfilters; i++)
        for (size_t j = 0; j < sc.filters[i].nrules; j++)
            if (sc.filters[i].rules[j].nsport > SCN_RULE_PORTS_MAX ||
                sc.filters[i].rules[j].ndport > SCN_RULE_PORTS_MAX)
                abort();
    scenario_free(&sc);
    return 0;
}
