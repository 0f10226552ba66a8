// fuzz-sources: bridge/bridge.c bridge/bridge_nets.c sim/*.c lib/*.c
/* fuzz_bridge.c — libFuzzer target for the bridge's input path: every datagram a kernel
 * writes into the TUN device is untrusted (bridge/bridge.c bridge_classify, then the
 * simulator, reassembly included), so no sequence of bytes may crash it or make it read
 * outside what it was given.
 *
 * Each input is a sequence of datagrams, each behind a 3-byte header: a 2-byte big-endian
 * length and a selector. Selector bit 7 set: the IPv4 header checksum is fixed (and the
 * destination aimed at a simulated host chosen by the low bits) so that most datagrams
 * pass the bridge's checks and reach the hosts, fragments and all; clear: the bytes go in
 * as they are. They enter 100 us apart with a recorder attached (the annotations run), then
 * the simulation runs a minute of virtual time. Seeds: corpus/bridge/ (datagrams real
 * nmap, ping -s 3000 and the kernel sent through the bridge, and IPv6 it sent unasked).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bridge/bridge.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "tests/fuzz/fuzz_chunk.h"

static const char fuzz_bridge_scn[] =
    "net 198.18.7.0/24 delay 1ms\n"
    "host me 198.18.7.1 role scanner os linux\n"
    "host target 198.18.7.30 os linux tcp 22,80 udp 53\n"
    "host zombie 198.18.7.20 os printer\n"
    "host win 198.18.7.42 os windows tcp 135\n"
    "filter fw at target in stateful\n"
    "  reject tcp dport 113 with tcp-reset\n"
    "  reject udp dport 514 with icmp-port-unreachable\n"
    "  drop tcp dport 9999\n"
    "  policy accept\n";

static const uint32_t fuzz_bridge_dst[] = { 0xC612071E, 0xC6120714, 0xC612072A, 0xC6120763 };

static int fuzz_bridge_out(void *ctx, uint64_t t, const uint8_t *p, size_t n)
{
    (void)ctx, (void)t, (void)p, (void)n;
    return 0;
}

static void fuzz_bridge_record(void *ctx, enum bridge_dir dir, uint64_t t, const uint8_t *p,
                               size_t n, const char *comment)
{
    (void)dir, (void)t, (void)p;
    size_t *sum = ctx;
    *sum += n + strlen(comment);   /* reads the comment: it must be a string */
}

static void fuzz_bridge_aim(uint8_t *d, size_t n, uint8_t sel)
{
    if (!(sel & 0x80) || n < 20 || (d[0] >> 4) != 4)
        return;
    uint32_t dst = fuzz_bridge_dst[sel % (sizeof fuzz_bridge_dst / sizeof *fuzz_bridge_dst)];
    for (int i = 0; i < 4; i++)
        d[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    size_t hl = (size_t)(d[0] & 0x0f) * 4;
    if (hl < 20 || hl > n)
        return;
    d[10] = d[11] = 0;
    uint16_t c = wire_csum_fold(wire_csum_add(0, d, hl));
    d[10] = (uint8_t)(c >> 8);
    d[11] = (uint8_t)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct scenario sc;
    if (scenario_parse("fuzz.scn", fuzz_bridge_scn, sizeof fuzz_bridge_scn - 1, &sc, err,
                       sizeof err))
        __builtin_trap();
    struct bridge_route r[8];
    int nr = bridge_nets_check(&sc, false, r, 8, err, sizeof err);
    size_t sum = 0;
    struct bridge *b = nr > 0 ? bridge_new(&sc, 1, r, nr, fuzz_bridge_out, fuzz_bridge_record,
                                           &sum, err, sizeof err) : NULL;
    if (!b)
        __builtin_trap();
    static uint8_t d[2048];
    uint64_t t = 0;
    for (int k = 0; size >= 3 && k < 128; k++) {
        uint8_t sel;
        size_t n = fuzz_chunk(&data, &size, d, sizeof d, &sel);
        fuzz_bridge_aim(d, n, sel);
        t += 100000;
        bridge_input(b, d, n, t);
    }
    bridge_advance(b, t + 60ull * 1000000000ull);
    struct bridge_stats st;
    bridge_get_stats(b, &st);
    uint64_t dropped = 0;
    for (int i = 0; i < BRIDGE_DROP_N; i++)
        dropped += st.drop[i];
    if (st.injected + dropped - st.drop[BRIDGE_DROP_OUT] != st.in)
        __builtin_trap();   /* every datagram in is either injected or dropped for a reason */
    bridge_free(b);
    scenario_free(&sc);
    return 0;
}
