// fuzz-sources: scanner/*.c scanner/scans/*.c scanner/output/*.c lib/*.c
/* fuzz_reply.c — libFuzzer target for the scanner's reply handling: whatever arrives from a
 * live network must never crash the scanner (README.md "Safety"; bad input never crashes).
 *
 * Each input is a 2-byte header and a datagram template. The reply parsers (match_parse_tcp,
 * wire_parse + match_quote_parse) run on the raw bytes; then a whole scan (scanner/engine.c:
 * discovery, a port scan, --seq, idle scan setup) runs against a fake pktio that answers every
 * probe with the template, patched so that it reaches past the cookie checks: addresses
 * swapped, our port and the probe's seq echoed, an ICMP error quoting the probe. The header
 * picks the scan (byte 0) and which patches apply (byte 1), so libFuzzer explores both exact
 * and almost-matching replies. The virtual clock keeps every run short and deterministic.
 * Seeds: corpus/reply/, real replies copied from corpus/wire/ behind each header.
 * Replayed without libFuzzer by driver.c (tests/fuzz/replay.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "scanner/engine.h"
#include "scanner/match.h"
#include "tests/unit/fake_queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FR_MAXQ = 64, FR_LEN = FAKEQ_LEN, FR_MAXSEND = 400 };

#define FR_SCANNER 0xC6336401u   /* 198.51.100.1 */
#define FR_TARGET 0xC6336402u    /* 198.51.100.2 */

struct fr_fake {
    uint64_t now;
    const uint8_t *tmpl;
    size_t tlen;
    uint8_t patch;
    unsigned nsent;
    struct fakeq_ent q[FR_MAXQ];
    size_t nq;
};

static void fr_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void fr_put32(uint8_t *p, uint32_t v) { fr_put16(p, (uint16_t)(v >> 16)); fr_put16(p + 2, (uint16_t)v); }
static uint32_t fr_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The template, patched to answer `probe` (patch bits: 1 addresses, 2 ports, 4 seq/ack,
 * 8 ICMP quote, 16 ICMP id/seq echoed). Bytes the template lacks are left out. */
static size_t fr_reply(const struct fr_fake *f, const uint8_t *probe, size_t plen, uint8_t *out)
{
    size_t n = f->tlen < FR_LEN ? f->tlen : FR_LEN;
    memcpy(out, f->tmpl, n);
    if (n < 20 || plen < 28)
        return n;
    size_t ihl = (size_t)(out[0] & 15) * 4, pihl = (size_t)(probe[0] & 15) * 4;
    if (f->patch & 1) {
        memcpy(out + 12, probe + 16, 4);
        memcpy(out + 16, probe + 12, 4);
    }
    if (ihl < 20 || n < ihl + 8 || plen < pihl + 8)
        return n;
    uint8_t *l4 = out + ihl;
    const uint8_t *pl4 = probe + pihl;
    if (out[9] == WIRE_PROTO_TCP || out[9] == WIRE_PROTO_UDP) {
        if (f->patch & 2) {
            memcpy(l4, pl4 + 2, 2);
            memcpy(l4 + 2, pl4, 2);
        }
        if ((f->patch & 4) && out[9] == WIRE_PROTO_TCP && probe[9] == WIRE_PROTO_TCP &&
            n >= ihl + 12 && plen >= pihl + 12) {
            fr_put32(l4 + 8, fr_get32(pl4 + 4) + (l4[13] & 1));   /* ack = seq (+1 for SYN/FIN) */
            fr_put32(l4 + 4, fr_get32(pl4 + 8));                  /* seq = the probe's ack */
        }
    } else if (out[9] == WIRE_PROTO_ICMP) {
        if (f->patch & 8) {
            size_t q = plen < 28 ? plen : 28;
            if (n < ihl + 8 + q)
                n = ihl + 8 + q;
            memcpy(l4 + 8, probe, q);
        }
        if ((f->patch & 16) && probe[9] == WIRE_PROTO_ICMP)
            memcpy(l4 + 4, pl4 + 4, 4);
    }
    return n;
}

static void fr_push(struct fr_fake *f, uint64_t t, const uint8_t *b, size_t len)
{
    if (f->nq >= FR_MAXQ)
        return;
    f->q[f->nq].t = t;
    f->q[f->nq].len = len;
    memcpy(f->q[f->nq].b, b, len);
    f->nq++;
}

static int fr_send(struct pktio *io, const uint8_t *d, size_t len)
{
    struct fr_fake *f = io->ctx;
    if (++f->nsent > FR_MAXSEND)
        return 0;   /* bounded work per input: later probes go unanswered */
    uint8_t b[FR_LEN];
    size_t n = fr_reply(f, d, len, b);
    fr_push(f, f->now + 1000000u + (f->nsent & 7) * 300000u, b, n);
    return 0;
}

static int fr_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t,
                   uint64_t deadline)
{
    struct fr_fake *f = io->ctx;
    size_t best = fakeq_due(f->q, f->nq, &f->now, deadline);
    if (best == SIZE_MAX)
        return 0;
    size_t n = f->q[best].len < cap ? f->q[best].len : cap;
    memcpy(buf, f->q[best].b, n);
    *len = n;
    *t = f->now;
    f->q[best] = f->q[--f->nq];
    return 1;
}

static uint64_t fr_now(struct pktio *io) { return ((struct fr_fake *)io->ctx)->now; }
static void fr_close(struct pktio *io) { (void)io; }

static const struct pktio_ops fr_ops = {
    .name = "fuzz", .send = fr_send, .recv = fr_recv, .now = fr_now, .close = fr_close,
};

/* The parsers alone, on the raw bytes. */
static void fr_parsers(const uint8_t *d, size_t n)
{
    struct wire_ipv4 ip;
    struct wire_tcp tcp;
    (void)match_parse_tcp(d, n, &ip, &tcp);
    struct wire_pkt pkt;
    if (wire_parse(d, n, &pkt) == WIRE_OK && pkt.l4_err == WIRE_OK &&
        pkt.ip.proto == WIRE_PROTO_ICMP) {
        struct match_quote q;
        (void)match_quote_parse(&pkt.l4.icmp, &q);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    fr_parsers(data + 2, size - 2);
    static const enum scan_type types[] = { SCAN_SYN, SCAN_ACK, SCAN_WINDOW, SCAN_FIN,
                                            SCAN_MAIMON, SCAN_NULL, SCAN_XMAS, SCAN_NONE };
    static const uint16_t tports[] = { 22, 80, 443 }, uports[] = { 53, 161 };
    static const uint32_t targets[] = { FR_TARGET };
    struct fr_fake *f = calloc(1, sizeof *f);
    if (!f)
        return 0;
    f->now = 1000;
    f->tmpl = data + 2;
    f->tlen = size - 2;
    f->patch = data[1];
    struct pktio io = { .ops = &fr_ops, .ctx = f, .src_addr = FR_SCANNER, .is_sim = true };
    struct scan_config cfg;
    scan_config_init(&cfg);
    cfg.seed = data[0];
    cfg.tcp_scan = types[data[0] & 7];
    cfg.udp_scan = (data[0] & 8) != 0 || cfg.tcp_scan == SCAN_NONE;
    cfg.targets = targets;
    cfg.ntargets = 1;
    cfg.tcp_ports = tports;
    cfg.ntcp_ports = 3;
    cfg.udp_ports = uports;
    cfg.nudp_ports = 2;
    cfg.disc.no_ping = (data[0] & 16) != 0;
    cfg.seq = (data[0] & 32) != 0 && cfg.tcp_scan != SCAN_NONE;
    cfg.timing.max_retries = 1;
    if ((data[0] & 64) && cfg.tcp_scan != SCAN_NONE) {   /* -sI through the target itself */
        cfg.idle_scan = true;
        cfg.idle_zombie = FR_TARGET;
        cfg.tcp_scan = SCAN_SYN;
        cfg.udp_scan = false;
        cfg.disc.no_ping = true;
    }
    struct scan_report rep;
    char err[256];
    if (scan_run(&cfg, &io, &rep, err, sizeof err) == 0)
        scan_report_free(&rep);
    free(f);
    return 0;
}
