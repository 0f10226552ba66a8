// fuzz-sources: sim/*.c lib/*.c
/* fuzz_scnrun.c — libFuzzer target for a whole scenario: parse, load, run. Any bytes must
 * give either a scenario that loads and runs, or one "FILE:LINE:COL: error: ..." (parse) or
 * load message, never a crash, a leak or an out-of-bounds access. fuzz_scenario stops at the
 * parser; this one goes on into sim_load (hosts, populations, filters, the script) and runs
 * the loaded network with a trace attached, so every event is formatted as the transcript
 * would be, then clones the simulation once and runs the copy too (labs and the TUI clone).
 *
 * Bounded: at most FUZZ_SCNRUN_EVENTS events and FUZZ_SCNRUN_HORIZON of virtual time each
 * (a scenario may script hours of traffic), so one input takes milliseconds.
 * Seeds: corpus/scnrun/ (the scenarios under scenarios/ and tests, and reproducers).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_SCNRUN_EVENTS = 20000 };
#define FUZZ_SCNRUN_HORIZON (3600ULL * 1000000000ULL)

/* Runs s for a bounded number of steps, then formats every traced event and empties the
 * trace. */
static void fuzz_scnrun_run(struct sim *s, struct trace *tr)
{
    char line[2048];
    for (int k = 0; k < FUZZ_SCNRUN_EVENTS; k++)
        if (sim_next_time(s) > FUZZ_SCNRUN_HORIZON || !sim_step(s))
            break;
    for (size_t i = 0; i < tr->n; i++)
        trace_format(tr, i, line, sizeof line);
    trace_free(tr);
    trace_init(tr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario sc;
    char err[256];
    if (scenario_parse("fuzz.scn", (const char *)data, size, &sc, err, sizeof err) < 0) {
        if (strncmp(err, "fuzz.scn:", 9) != 0 || !strstr(err, ": error: "))
            abort();
        return 0;
    }
    struct sim *s = sim_new(sc.seed);
    if (!s)
        abort();
    if (sim_load(s, &sc, err, sizeof err) < 0) {
        if (!err[0])
            abort();                     /* a refusal always says why */
        sim_free(s);
        scenario_free(&sc);
        return 0;
    }
    struct trace tr;
    trace_init(&tr);
    sim_set_trace(s, trace_record, &tr);
    fuzz_scnrun_run(s, &tr);
    struct sim *c = sim_clone(s);
    sim_set_trace(s, NULL, NULL);
    if (c) {
        sim_set_trace(c, trace_record, &tr);
        fuzz_scnrun_run(c, &tr);
        sim_free(c);
    }
    trace_free(&tr);
    sim_free(s);
    scenario_free(&sc);
    return 0;
}
