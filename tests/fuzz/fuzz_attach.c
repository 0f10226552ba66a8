// fuzz-sources: attach/proto.c attach/session.c sim/*.c lib/*.c
/* fuzz_attach.c — libFuzzer target for the attach protocol: everything a script sends
 * (attach/proto.c's parser, then attach/session.c against a small simulation) and every
 * --record file (proto_rec_*) is outside input, so any bytes must give requests or a clear
 * error, never a crash or a read past the buffer. The input is read both ways: as a stream
 * of frames (u32 length, type, body) served until one is malformed, and as a record file.
 * WAIT times are clamped to 50 ms ahead so a run stays short. Seeds: corpus/attach/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attach/proto.h"
#include "attach/session.h"
#include "sim/scenario.h"
#include "sim/sim.h"

static const char NET[] =
    "net 198.51.100.0/24 delay 1ms\n"
    "host attacker 198.51.100.10 role scanner os linux\n"
    "host server 198.51.100.30 os bsd43 tcp 80,513\n"
    "host quiet 198.51.100.40 os linux down\n";

static volatile size_t fuzz_attach_sink;

static void serve(const uint8_t *data, size_t size)
{
    struct scenario sc;
    char err[256];
    if (scenario_parse("fuzz.scn", NET, sizeof NET - 1, &sc, err, sizeof err))
        abort();
    struct sim *s = sim_new(1);
    if (!s || sim_load(s, &sc, err, sizeof err))
        abort();
    struct attach_cfg cfg = { .prefix = 0xC6336400u, .plen = 25, .addr = 0xC633640Au };
    struct attach_session *a = attach_new(s, &cfg, err, sizeof err);
    if (!a)
        abort();
    size_t off = 0, sum = 0;
    while (size - off >= 4) {
        long n = proto_frame_len(data + off, err, sizeof err);
        if (n < 0 || (size_t)n > size - off - 4)
            break;
        struct proto_req r;
        if (proto_parse_req(data + off + 4, (size_t)n, &r, err, sizeof err) == 0) {
            if ((r.type == PROTO_WAIT || r.type == PROTO_FIRST) &&
                r.until_ns > sim_now(s) + 50000000)
                r.until_ns = sim_now(s) + 50000000;
            const struct proto_buf *rep = attach_apply(a, &r);
            sum += rep->n;
        } else {
            sum += strlen(err);
        }
        off += 4 + (size_t)n;
    }
    fuzz_attach_sink = sum;
    attach_free(a);
    sim_free(s);
    scenario_free(&sc);
}

static void record(const uint8_t *data, size_t size)
{
    char err[256];
    struct proto_rec_hdr h;
    if (proto_rec_header(data, size, &h, err, sizeof err))
        return;
    size_t off = PROTO_REC_HDR, sum = 0;
    uint64_t t;
    struct proto_req r;
    struct proto_rec_end end;
    int k;
    while ((k = proto_rec_next(data, size, &off, &t, &r, &end, err, sizeof err)) == 1) {
        if (r.type == PROTO_WAIT || r.type == PROTO_FIRST) {
            size_t pos = 0, len;
            const uint8_t *d;
            for (uint32_t i = 0; i < r.ndgrams; i++) {   /* every byte handed out is readable */
                proto_batch_next(&r, &pos, &d, &len);
                sum += len ? d[len - 1] : 0;
            }
        }
        sum += (size_t)t;
    }
    fuzz_attach_sink = sum + (size_t)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    serve(data, size);
    record(data, size);
    return 0;
}
