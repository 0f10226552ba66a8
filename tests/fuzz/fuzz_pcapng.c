// fuzz-sources: lib/*.c
/* fuzz_pcapng.c — libFuzzer target for lib/pcapng.c's reader: a session file given to
 * `tcplab run --replay` is outside input, so any bytes must give packets or an error,
 * never a crash or a read past the buffer. Seeds: corpus/pcapng/ (bridge sessions).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/pcapng.h"

static volatile size_t fuzz_pcapng_sink;   /* keeps the reads from being optimised away */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    struct pcapng_reader *r = pcapngr_open_mem(data, size, err, sizeof err);
    if (!r)
        return 0;
    struct pcapng_rec rec;
    size_t sum = 0;
    while (pcapngr_next(r, &rec) == 1) {
        for (size_t i = 0; i < rec.len; i++)   /* every byte it hands out is readable */
            sum += rec.data[i];
        sum += strlen(rec.comment) + strlen(pcapngr_section_comment(r));
    }
    uint64_t end;
    pcapngr_end_time(r, &end);
    sum += strlen(pcapngr_error(r));
    pcapngr_close(r);
    fuzz_pcapng_sink = sum;
    return 0;
}
