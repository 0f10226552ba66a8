// fuzz-sources: scanner/service_probes.c scanner/service_match.c
/* fuzz_probes.c — libFuzzer target for the nmap-service-probes parser (scanner/
 * service_probes.c): any bytes give either a probe database or one "FILE:LINE:COL: error:"
 * message (or the file-level "no Probe lines" one), never a crash, a leak or an out-of-bounds
 * access; every rule of an accepted file is also run once against the input itself, so the
 * PCRE2 matcher and the template filling see arbitrary patterns and subjects. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/service_match.h"
#include "scanner/service_probes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct svc_db db;
    char err[256];
    if (svc_db_parse("fuzz.probes", (const char *)data, size, &db, err, sizeof err) < 0) {
        if (strncmp(err, "fuzz.probes:", 12) != 0 || !strstr(err, " error: "))
            abort();
        if (db.p || db.np)
            abort();
        return 0;
    }
    for (size_t i = 0; i < db.np; i++) {
        if (!db.p[i].name || db.p[i].rarity < 1 || db.p[i].rarity > 9)
            abort();
        struct svc_result r;
        for (size_t j = 0; j < db.p[i].nm && j < 64; j++)
            if (svc_match_one(&db.p[i].m[j], data, size, &r) && !r.service[0] && db.p[i].m[j].service[0])
                abort();
    }
    svc_db_free(&db);
    return 0;
}
