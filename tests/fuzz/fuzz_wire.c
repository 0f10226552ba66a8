/* fuzz_wire.c — libFuzzer target for lib/wire: every parser and both printers on arbitrary
 * bytes, and an emit/re-parse round trip for each datagram that parses.
 *
 * The contract checked (lib/wire.h): parsers and printers never read outside the input and
 * never crash; the printers follow snprintf's return convention; a parsed TCP, UDP or ICMP
 * datagram re-emits (20-byte IP header, good checksums) and re-parses to the same fields.
 * Seeds: corpus/wire/, real kernel packets plus scapy-built odd ones. Replayed without
 * libFuzzer by driver.c (tests/fuzz/replay.sh).
 */
// fuzz-sources: lib/wire_*.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fails loudly: abort() is a crash to libFuzzer and to the replay driver alike. */
#define FUZZ_CHECK(c)                                                                      \
    do {                                                                                   \
        if (!(c))                                                                          \
            abort();                                                                       \
    } while (0)

static void check_text(const uint8_t *data, size_t size)
{
    char out[8192];
    int n = wire_summary(out, sizeof out, data, size);
    FUZZ_CHECK(n > 0 && strlen(out) == ((size_t)n < sizeof out ? (size_t)n : sizeof out - 1));
    /* A short buffer: output cut, same length reported. */
    size_t small = size % 17;
    char tiny[17];
    FUZZ_CHECK(wire_summary(tiny, small, data, size) == n);
    FUZZ_CHECK(small == 0 || strlen(tiny) < small);
    n = wire_pretty(out, sizeof out, data, size, size & 1);
    FUZZ_CHECK(n > 0 && strlen(out) == ((size_t)n < sizeof out ? (size_t)n : sizeof out - 1));
}

static void check_ip_same(const struct wire_ipv4 *a, const struct wire_ipv4 *b)
{
    FUZZ_CHECK(b->csum_ok && b->hdr_len == 20);
    FUZZ_CHECK(a->src == b->src && a->dst == b->dst && a->ttl == b->ttl && a->id == b->id);
    FUZZ_CHECK(a->tos == b->tos && a->df == b->df && a->mf == b->mf && a->frag_off == b->frag_off);
    FUZZ_CHECK(a->proto == b->proto);
}

static void check_opts_same(const struct wire_tcp_opts *a, const struct wire_tcp_opts *b)
{
    FUZZ_CHECK(!b->malformed && a->n == b->n && memcmp(a->order, b->order, a->n) == 0);
    FUZZ_CHECK(a->has_mss == b->has_mss && a->sack_perm == b->sack_perm);
    FUZZ_CHECK(a->has_ts == b->has_ts && a->has_wscale == b->has_wscale);
    FUZZ_CHECK(!a->has_mss || a->mss == b->mss);
    FUZZ_CHECK(!a->has_wscale || a->wscale == b->wscale);
    FUZZ_CHECK(!a->has_ts || (a->tsval == b->tsval && a->tsecr == b->tsecr));
}

static void roundtrip_tcp(const struct wire_pkt *p, uint8_t *buf, size_t cap)
{
    const struct wire_tcp *a = &p->l4.tcp;
    size_t n = wire_emit_tcp(buf, cap, &p->ip, a);
    FUZZ_CHECK(n == 40 + wire_tcp_opts_len(&a->opt) + a->payload_len);
    struct wire_pkt q;
    FUZZ_CHECK(wire_parse(buf, n, &q) == WIRE_OK && q.l4_err == WIRE_OK);
    check_ip_same(&p->ip, &q.ip);
    const struct wire_tcp *b = &q.l4.tcp;
    FUZZ_CHECK(b->csum_ok);
    FUZZ_CHECK(a->sport == b->sport && a->dport == b->dport && a->seq == b->seq && a->ack == b->ack);
    FUZZ_CHECK(a->flags == b->flags && a->reserved == b->reserved && a->window == b->window);
    FUZZ_CHECK(a->urg == b->urg && a->payload_len == b->payload_len);
    FUZZ_CHECK(a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0);
    check_opts_same(&a->opt, &b->opt);
    /* Emitting what was re-parsed is a fixed point: the very same bytes. */
    uint8_t again[WIRE_MAX_DGRAM];
    FUZZ_CHECK(wire_emit_tcp(again, sizeof again, &q.ip, b) == n && memcmp(again, buf, n) == 0);
}

static void roundtrip_udp(const struct wire_pkt *p, uint8_t *buf, size_t cap)
{
    const struct wire_udp *a = &p->l4.udp;
    size_t n = wire_emit_udp(buf, cap, &p->ip, a);
    FUZZ_CHECK(n == 28 + a->payload_len);
    struct wire_pkt q;
    FUZZ_CHECK(wire_parse(buf, n, &q) == WIRE_OK && q.l4_err == WIRE_OK);
    check_ip_same(&p->ip, &q.ip);
    const struct wire_udp *b = &q.l4.udp;
    FUZZ_CHECK(b->csum_ok && b->csum != 0 && b->len == n - 20);
    FUZZ_CHECK(a->sport == b->sport && a->dport == b->dport && a->payload_len == b->payload_len);
    FUZZ_CHECK(a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0);
}

static void roundtrip_icmp(const struct wire_pkt *p, uint8_t *buf, size_t cap)
{
    const struct wire_icmp *a = &p->l4.icmp;
    size_t n = wire_emit_icmp(buf, cap, &p->ip, a);
    FUZZ_CHECK(n == 28 + a->payload_len);
    struct wire_pkt q;
    FUZZ_CHECK(wire_parse(buf, n, &q) == WIRE_OK && q.l4_err == WIRE_OK);
    check_ip_same(&p->ip, &q.ip);
    const struct wire_icmp *b = &q.l4.icmp;
    FUZZ_CHECK(b->csum_ok && a->type == b->type && a->code == b->code && a->rest == b->rest);
    FUZZ_CHECK(a->payload_len == b->payload_len);
    FUZZ_CHECK(a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0);
    struct wire_quote qa, qb;
    int ea = wire_icmp_quote(a, &qa), eb = wire_icmp_quote(b, &qb);
    FUZZ_CHECK(ea == eb);
    FUZZ_CHECK(ea != WIRE_OK || (qa.has_ports == qb.has_ports && qa.sport == qb.sport && qa.seq == qb.seq));
}

/* The text parsers get the first bytes as a C string. */
static void check_string_parsers(const uint8_t *data, size_t size)
{
    char s[32];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    uint32_t a;
    if (wire_ip_parse(s, &a) == 0) {
        char back[16];
        FUZZ_CHECK(strcmp(wire_ip_str(a, back), s) == 0); /* strict: only canonical text parses */
    }
    int f = wire_flags_parse(s);
    FUZZ_CHECK(f >= -1 && f <= 0xff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[WIRE_MAX_DGRAM]; /* scratch for emit; its contents never carry over */
    struct wire_pkt p;
    int err = wire_parse(data, size, &p);
    FUZZ_CHECK(err <= 0 && err >= WIRE_EPROTO);
    check_text(data, size);
    check_string_parsers(data, size);
    if (err != WIRE_OK || p.l4_err != WIRE_OK)
        return 0;
    FUZZ_CHECK(p.ip.payload + p.ip.payload_len <= data + size);
    if (p.ip.proto == WIRE_PROTO_TCP)
        roundtrip_tcp(&p, buf, sizeof buf);
    else if (p.ip.proto == WIRE_PROTO_UDP)
        roundtrip_udp(&p, buf, sizeof buf);
    else if (p.ip.proto == WIRE_PROTO_ICMP)
        roundtrip_icmp(&p, buf, sizeof buf);
    return 0;
}
