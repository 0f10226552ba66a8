// fuzz-sources: sim/*.c lib/*.c
/* fuzz_sim.c — libFuzzer target for the simulator's receive path: a datagram that reaches a
 * simulated host (from a scenario's `send`, a scanner's raw socket, or later a TUN device)
 * must never crash it, whatever its bytes.
 *
 * Each input is a sequence of datagrams, each behind a 2-byte big-endian length. They are
 * injected 1 ms apart into a small network (a Linux host with open TCP and UDP ports behind a
 * stateful filter with every reject type, a printer zombie with a global IP-ID, a 4.3BSD host,
 * a host with hashed IP-IDs and a challenge-ACK budget), each rewritten so that it is
 * addressed to one of the hosts (byte 16-19 of the IPv4 header, chosen by the input) and
 * gets past the checksum checks about half the time, then the simulation runs until idle.
 * A trace is attached so the transcript formatting runs too. Seeds: corpus/sim/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "tests/fuzz/fuzz_chunk.h"

static const char fuzz_sim_scn[] =
    "net 198.51.100.0/24 delay 1ms\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host web 198.51.100.20 os linux tcp 22,80,443 udp 53\n"
    "host zombie 198.51.100.30 os printer tcp 80\n"
    "host vax 198.51.100.40 os bsd43 tcp 513 backlog 2\n"
    "host alice 198.51.100.50 os linux ipid hashed-2014:4 challenge-ack 2/s tcp 80\n"
    "filter fw at web in stateful\n"
    "  accept tcp dport 22,80\n"
    "  reject tcp dport 443 with tcp-reset\n"
    "  reject udp dport 54 with icmp-port-unreachable\n"
    "  reject tcp dport 25 with icmp-admin-prohibited\n"
    "  drop tcp dport 8080\n"
    "  policy accept\n"
    "connect scanner -> alice:80 at 0s send 100\n";

static const uint32_t fuzz_sim_dst[] = {
    0xC633640A, 0xC6336414, 0xC633641E, 0xC6336428, 0xC6336432, 0xC6336463,
};

/* Rewrites the destination and, when asked, fixes the IPv4 and transport checksums, so that
 * most inputs reach the hosts' state machines rather than dying at the checksum check. */
static void fuzz_sim_aim(uint8_t *d, size_t n, uint8_t sel)
{
    if (n < 20)
        return;
    uint32_t dst = fuzz_sim_dst[sel % (sizeof fuzz_sim_dst / sizeof *fuzz_sim_dst)];
    d[16] = (uint8_t)(dst >> 24);
    d[17] = (uint8_t)(dst >> 16);
    d[18] = (uint8_t)(dst >> 8);
    d[19] = (uint8_t)dst;
    if (!(sel & 0x80))
        return;
    struct wire_pkt p;
    if (wire_parse(d, n, &p) != WIRE_OK || p.l4_err != WIRE_OK || p.ip.hdr_len != 20)
        return;
    uint8_t out[WIRE_MTU];
    size_t len = 0;
    if (p.ip.proto == WIRE_PROTO_TCP)
        len = wire_emit_tcp(out, sizeof out, &p.ip, &p.l4.tcp);
    else if (p.ip.proto == WIRE_PROTO_UDP)
        len = wire_emit_udp(out, sizeof out, &p.ip, &p.l4.udp);
    else if (p.ip.proto == WIRE_PROTO_ICMP)
        len = wire_emit_icmp(out, sizeof out, &p.ip, &p.l4.icmp);
    if (len && len <= n)
        memcpy(d, out, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct scenario sc;
    if (scenario_parse("fuzz.scn", fuzz_sim_scn, sizeof fuzz_sim_scn - 1, &sc, err, sizeof err))
        __builtin_trap();                       /* the harness's own scenario must parse */
    struct sim *s = sim_new(1);
    struct trace tr;
    trace_init(&tr);
    if (!s || sim_load(s, &sc, err, sizeof err))
        __builtin_trap();
    sim_set_trace(s, trace_record, &tr);
    uint8_t d[WIRE_MTU];
    uint64_t t = 0;
    for (int k = 0; size >= 3 && k < 64; k++) {
        uint8_t sel;
        size_t n = fuzz_chunk(&data, &size, d, sizeof d, &sel);
        fuzz_sim_aim(d, n, sel);
        t += 1000000;
        sim_run_until(s, t);
        sim_inject(s, d, n);                    /* refuses what is not IPv4: that is fine */
    }
    /* Bounded: timers (retransmissions, TIME-WAIT) end within minutes of virtual time. */
    while (sim_next_time(s) <= t + 600ULL * 1000000000ULL && sim_step(s))
        ;
    char line[2048];
    for (size_t i = 0; i < tr.n; i++)
        trace_format(&tr, i, line, sizeof line);
    trace_free(&tr);
    sim_free(s);
    scenario_free(&sc);
    return 0;
}
