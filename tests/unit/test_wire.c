/* test_wire.c — lib/wire: parse, emit, checksums and text, against packets a real Linux
 * kernel sent (captured with tcpdump on a veth pair between two network namespaces,
 * 198.18.0.1 <-> 198.18.0.2, checksum offload off so the captured sums are final) and
 * scapy-built odd ones. The byte arrays are those captures, link header stripped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/rng.h"
#include "lib/wire.h"
#include "lib/wire_int.h" /* wire_emit_tcp_view, wire_parse_trusted */

/* Linux 6.x SYN from connect(): mss 1460, sackOK, TS, nop, wscale 10. */
static const uint8_t real_syn[] = {
    0x45, 0x00, 0x00, 0x3c, 0x5a, 0x19, 0x40, 0x00, 0x40, 0x06, 0x54, 0x7b, 0xc6, 0x12, 0x00, 0x01,
    0xc6, 0x12, 0x00, 0x02, 0x86, 0xd2, 0x1f, 0x90, 0x16, 0x87, 0x3a, 0xb1, 0x00, 0x00, 0x00, 0x00,
    0xa0, 0x02, 0xfa, 0xf0, 0x3c, 0xf6, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0xf9, 0x01, 0x93, 0x51, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};
/* Its SYN-ACK: IP ID 0 and DF, as Linux sends. */
static const uint8_t real_synack[] = {
    0x45, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0x94, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x1f, 0x90, 0x86, 0xd2, 0xa9, 0x61, 0xb7, 0xdb, 0x16, 0x87, 0x3a, 0xb2,
    0xa0, 0x12, 0xfe, 0x88, 0xbb, 0x2b, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0x81, 0x35, 0x9b, 0xae, 0xf9, 0x01, 0x93, 0x51, 0x01, 0x03, 0x03, 0x0a,
};
/* RST+ACK from a closed port: seq 0, ack = SYN's seq + 1, window 0. */
static const uint8_t real_rstack[] = {
    0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0xa8, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x00, 0x51, 0xe6, 0x24, 0x00, 0x00, 0x00, 0x00, 0xfc, 0x6e, 0x6d, 0xa8,
    0x50, 0x14, 0x00, 0x00, 0xd3, 0x1b, 0x00, 0x00,
};
/* Data segment with 13 payload bytes "hello tcplab\n". */
static const uint8_t real_psh[] = {
    0x45, 0x00, 0x00, 0x41, 0x5a, 0x1b, 0x40, 0x00, 0x40, 0x06, 0x54, 0x74, 0xc6, 0x12, 0x00, 0x01,
    0xc6, 0x12, 0x00, 0x02, 0x86, 0xd2, 0x1f, 0x90, 0x16, 0x87, 0x3a, 0xb2, 0xa9, 0x61, 0xb7, 0xdc,
    0x80, 0x18, 0x00, 0x3f, 0x54, 0x0b, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0xf9, 0x01, 0x93, 0x51,
    0x81, 0x35, 0x9b, 0xae, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x74, 0x63, 0x70, 0x6c, 0x61, 0x62,
    0x0a,
};
/* UDP to port 53 with payload "ping". */
static const uint8_t real_udp[] = {
    0x45, 0x00, 0x00, 0x20, 0xda, 0x2f, 0x40, 0x00, 0x40, 0x11, 0xd4, 0x75, 0xc6, 0x12, 0x00, 0x01,
    0xc6, 0x12, 0x00, 0x02, 0xc2, 0xb6, 0x00, 0x35, 0x00, 0x0c, 0xd1, 0xf1, 0x70, 0x69, 0x6e, 0x67,
};
/* The kernel's answer to it: ICMP 3/3 quoting the whole UDP datagram, TOS 0xc0. */
static const uint8_t real_unreach[] = {
    0x45, 0xc0, 0x00, 0x3c, 0x0f, 0x8d, 0x00, 0x00, 0x40, 0x01, 0xde, 0x4c, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x03, 0x03, 0x89, 0x42, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x20,
    0xda, 0x2f, 0x40, 0x00, 0x40, 0x11, 0xd4, 0x75, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
    0xc2, 0xb6, 0x00, 0x35, 0x00, 0x0c, 0xd1, 0xf1, 0x70, 0x69, 0x6e, 0x67,
};
/* Echo request, id 0x1234 seq 1, 32 data bytes. */
static const uint8_t real_echo[] = {
    0x45, 0x00, 0x00, 0x3c, 0x21, 0xd9, 0x40, 0x00, 0x40, 0x01, 0x8c, 0xc0, 0xc6, 0x12, 0x00, 0x01,
    0xc6, 0x12, 0x00, 0x02, 0x08, 0x00, 0x0e, 0x02, 0x12, 0x34, 0x00, 0x01, 0x74, 0x63, 0x70, 0x6c,
    0x61, 0x62, 0x2d, 0x65, 0x63, 0x68, 0x6f, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x30, 0x31, 0x32, 0x33,
};
/* scapy: SYN with an 8-byte record-route IP option (IHL 7). */
static const uint8_t ipopt_syn[] = {
    0x47, 0x00, 0x00, 0x30, 0x00, 0x08, 0x00, 0x00, 0x40, 0x06, 0xc5, 0xcb, 0xc6, 0x12, 0x00, 0x01,
    0xc6, 0x12, 0x00, 0x02, 0x07, 0x07, 0x04, 0xc6, 0x12, 0x00, 0x09, 0x00, 0x04, 0xd2, 0x00, 0x50,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x20, 0x00, 0xfe, 0x98, 0x00, 0x00,
};

#define A_SRC 0xc6120001u /* 198.18.0.1 */
#define A_DST 0xc6120002u /* 198.18.0.2 */

/* Parses a packet, asserts it is TCP with good checksums. */
static void parse_tcp_ok(const uint8_t *b, size_t n, struct wire_pkt *p)
{
    assert_int_equal(wire_parse(b, n, p), WIRE_OK);
    assert_int_equal(p->l4_err, WIRE_OK);
    assert_int_equal(p->ip.proto, WIRE_PROTO_TCP);
    assert_true(p->ip.csum_ok);
    assert_true(p->l4.tcp.csum_ok);
}

static void test_csum_rfc1071_example(void **state)
{
    (void)state;
    /* RFC 1071 §3 numerical example: the sum of these words is 0xddf2. */
    static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(wire_csum_fold(wire_csum_add(0, b, sizeof b)), 0x220d);
    /* Split sums at an even boundary give the same result. */
    uint32_t s = wire_csum_add(wire_csum_add(0, b, 4), b + 4, 4);
    assert_int_equal(wire_csum_fold(s), 0x220d);
    /* Odd length: the last byte is the high half of a zero-padded word. */
    static const uint8_t odd[] = {0x12, 0x34, 0x56};
    assert_int_equal(wire_csum_fold(wire_csum_add(0, odd, 3)), (uint16_t)~(0x1234 + 0x5600));
    /* The real SYN's IP header sums to zero (its checksum 0x547b is correct). */
    assert_int_equal(wire_csum_fold(wire_csum_add(0, real_syn, 20)), 0);
    /* The real SYN's TCP segment with its pseudo-header sums to zero too. */
    uint32_t ps = wire_csum_pseudo(A_SRC, A_DST, WIRE_PROTO_TCP, 40);
    assert_int_equal(wire_csum_fold(wire_csum_add(ps, real_syn + 20, 40)), 0);
}

static void test_parse_real_syn(void **state)
{
    (void)state;
    struct wire_pkt p;
    parse_tcp_ok(real_syn, sizeof real_syn, &p);
    assert_int_equal(p.ip.hdr_len, 20);
    assert_int_equal(p.ip.total_len, 60);
    assert_int_equal(p.ip.id, 23065);
    assert_true(p.ip.df);
    assert_false(p.ip.mf);
    assert_int_equal(p.ip.ttl, 64);
    assert_int_equal(p.ip.src, A_SRC);
    assert_int_equal(p.ip.dst, A_DST);
    const struct wire_tcp *t = &p.l4.tcp;
    assert_int_equal(t->sport, 34514);
    assert_int_equal(t->dport, 8080);
    assert_int_equal(t->seq, 377961137u);
    assert_int_equal(t->ack, 0);
    assert_int_equal(t->flags, TCP_SYN);
    assert_int_equal(t->window, 64240);
    assert_int_equal(t->hdr_len, 40);
    assert_int_equal(t->csum, 0x3cf6);
    assert_int_equal(t->payload_len, 0);
    const struct wire_tcp_opts *o = &t->opt;
    static const uint8_t order[] = {TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE};
    assert_int_equal(o->n, 5);
    assert_memory_equal(o->order, order, 5);
    assert_true(o->has_mss && o->sack_perm && o->has_ts && o->has_wscale);
    assert_int_equal(o->mss, 1460);
    assert_int_equal(o->tsval, 4177630033u);
    assert_int_equal(o->tsecr, 0);
    assert_int_equal(o->wscale, 10);
    assert_false(o->malformed);
}

/* parse -> emit gives back the very bytes the kernel sent (checksums included). */
static void reemit_identical(const uint8_t *b, size_t n)
{
    struct wire_pkt p;
    uint8_t out[128];
    assert_int_equal(wire_parse(b, n, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_OK);
    size_t m = 0;
    if (p.ip.proto == WIRE_PROTO_TCP)
        m = wire_emit_tcp(out, sizeof out, &p.ip, &p.l4.tcp);
    else if (p.ip.proto == WIRE_PROTO_UDP)
        m = wire_emit_udp(out, sizeof out, &p.ip, &p.l4.udp);
    else
        m = wire_emit_icmp(out, sizeof out, &p.ip, &p.l4.icmp);
    assert_int_equal(m, n);
    assert_memory_equal(out, b, n);
}

static void test_reemit_real_packets(void **state)
{
    (void)state;
    reemit_identical(real_syn, sizeof real_syn);
    reemit_identical(real_synack, sizeof real_synack);
    reemit_identical(real_rstack, sizeof real_rstack);
    reemit_identical(real_psh, sizeof real_psh);
    reemit_identical(real_udp, sizeof real_udp);
    reemit_identical(real_unreach, sizeof real_unreach);
    reemit_identical(real_echo, sizeof real_echo);
}

static void test_real_rst_fields(void **state)
{
    (void)state;
    struct wire_pkt p;
    parse_tcp_ok(real_rstack, sizeof real_rstack, &p);
    assert_int_equal(p.l4.tcp.flags, TCP_RST | TCP_ACK);
    assert_int_equal(p.l4.tcp.seq, 0);
    assert_int_equal(p.l4.tcp.ack, 4235095464u);
    assert_int_equal(p.l4.tcp.window, 0);
    assert_int_equal(p.l4.tcp.sport, 81);
    assert_int_equal(p.ip.id, 0);
    assert_int_equal(p.l4.tcp.opt.n, 0);
}

/* Builds a TCP repr, emits it, parses it back and compares every field. */
static void roundtrip(uint8_t flags, uint16_t sport, uint16_t dport, uint8_t reserved,
                      const uint8_t *order, uint8_t n, const char *data)
{
    struct wire_ipv4 ip = {.ttl = 64, .id = 4242, .df = true, .src = A_SRC, .dst = A_DST, .tos = 0x10};
    struct wire_tcp t = {.sport = sport, .dport = dport, .seq = 0xdeadbeef, .ack = 0x01020304,
                         .flags = flags, .reserved = reserved, .window = 1024, .urg = 7};
    memcpy(t.opt.order, order, n);
    t.opt.n = n;
    t.opt.mss = 1460;
    t.opt.wscale = 7;
    t.opt.tsval = 123456789;
    t.opt.tsecr = 987654321;
    t.payload = (const uint8_t *)data;
    t.payload_len = strlen(data);
    uint8_t buf[256];
    size_t len = wire_emit_tcp(buf, sizeof buf, &ip, &t);
    size_t optlen = wire_tcp_opts_len(&t.opt);
    assert_int_equal(len, 40 + optlen + t.payload_len);
    struct wire_pkt p;
    parse_tcp_ok(buf, len, &p);
    const struct wire_tcp *r = &p.l4.tcp;
    assert_int_equal(r->sport, sport);
    assert_int_equal(r->dport, dport);
    assert_int_equal(r->seq, 0xdeadbeef);
    assert_int_equal(r->ack, 0x01020304);
    assert_int_equal(r->flags, flags);
    assert_int_equal(r->reserved, reserved);
    assert_int_equal(r->window, 1024);
    assert_int_equal(r->urg, 7);
    assert_int_equal(r->hdr_len, 20 + optlen);
    assert_int_equal(r->payload_len, t.payload_len);
    if (t.payload_len)
        assert_memory_equal(r->payload, data, t.payload_len);
    assert_int_equal(p.ip.ttl, 64);
    assert_int_equal(p.ip.id, 4242);
    assert_int_equal(p.ip.tos, 0x10);
    assert_true(p.ip.df);
    /* Options come back in the same order (an EOL ends the list, padding is not listed). */
    uint8_t want = n;
    for (uint8_t i = 0; i < n; i++)
        if (order[i] == TCPOPT_EOL) {
            want = (uint8_t)(i + 1);
            break;
        }
    assert_int_equal(r->opt.n, want);
    assert_memory_equal(r->opt.order, order, want);
    for (uint8_t i = 0; i < want; i++) {
        if (order[i] == TCPOPT_MSS)
            assert_int_equal(r->opt.mss, 1460);
        if (order[i] == TCPOPT_WSCALE)
            assert_int_equal(r->opt.wscale, 7);
        if (order[i] == TCPOPT_TS) {
            assert_int_equal(r->opt.tsval, 123456789);
            assert_int_equal(r->opt.tsecr, 987654321);
        }
        if (order[i] == TCPOPT_SACK_PERM)
            assert_true(r->opt.sack_perm);
    }
}

static void test_roundtrip_odd_flags(void **state)
{
    (void)state;
    static const uint8_t none[1];
    roundtrip(0, 40000, 80, 0, none, 0, "");                                    /* NULL */
    roundtrip(TCP_FIN | TCP_PSH | TCP_URG, 40000, 80, 0, none, 0, "");           /* Xmas */
    roundtrip(TCP_SYN | TCP_FIN, 0, 0, 0, none, 0, "");                         /* SYN+FIN, port 0 */
    roundtrip(TCP_FIN | TCP_ACK, 65535, 22, 0, none, 0, "");                    /* Maimon */
    roundtrip(0xff, 1, 2, 0x0f, none, 0, "x");                                  /* all flags, reserved */
    roundtrip(TCP_SYN | TCP_RST, 7, 7, 0x01, none, 0, "payload bytes");
}

static void test_roundtrip_every_option(void **state)
{
    (void)state;
    /* Linux's SYN layout, its SYN-ACK layout, FreeBSD's, Windows', and odd ones. */
    static const uint8_t linux_syn[] = {2, 4, 8, 1, 3};
    static const uint8_t freebsd[] = {2, 1, 3, 4, 8};
    static const uint8_t windows[] = {2, 1, 3, 1, 1, 4};
    static const uint8_t ts_only[] = {1, 1, 8};
    static const uint8_t eol_mid[] = {2, 0, 3};
    static const uint8_t nops[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    roundtrip(TCP_SYN, 40000, 80, 0, linux_syn, 5, "");
    roundtrip(TCP_SYN | TCP_ACK, 80, 40000, 0, freebsd, 5, "");
    roundtrip(TCP_SYN, 1, 2, 0, windows, 6, "");
    roundtrip(TCP_ACK | TCP_PSH, 1, 2, 0, ts_only, 3, "GET / HTTP/1.0\r\n\r\n");
    roundtrip(TCP_SYN, 3, 4, 0, eol_mid, 3, "");
    roundtrip(TCP_SYN, 3, 4, 0, nops, 20, "");
}

static void test_opts_emit_bytes(void **state)
{
    (void)state;
    /* Linux SYN-ACK layout "mss,sackOK,TS,nop,wscale" byte for byte (as in real_synack). */
    struct wire_tcp_opts o = {.order = {2, 4, 8, 1, 3}, .n = 5, .mss = 1460, .wscale = 10,
                              .tsval = 0x81359bae, .tsecr = 0xf9019351};
    uint8_t b[40];
    assert_int_equal(wire_tcp_opts_len(&o), 20);
    assert_int_equal(wire_tcp_opts_emit(b, &o), 20);
    assert_memory_equal(b, real_synack + 40, 20);
    /* "mss" alone pads to 4; "wscale" alone (3 bytes) pads with one EOL. */
    struct wire_tcp_opts w = {.order = {3}, .n = 1, .wscale = 2};
    assert_int_equal(wire_tcp_opts_emit(b, &w), 4);
    static const uint8_t want[] = {3, 3, 2, 0};
    assert_memory_equal(b, want, 4);
}

static void test_opts_parse_malformed(void **state)
{
    (void)state;
    struct wire_tcp_opts o;
    static const uint8_t past[] = {1, 2, 4, 5}; /* MSS says 4 bytes, 3 remain */
    wire_tcp_opts_parse(past, sizeof past, &o);
    assert_true(o.malformed);
    assert_int_equal(o.n, 1);
    assert_false(o.has_mss);
    static const uint8_t zero_len[] = {8, 0, 1, 1};
    wire_tcp_opts_parse(zero_len, sizeof zero_len, &o);
    assert_true(o.malformed);
    assert_int_equal(o.n, 0);
    /* Wrong length for a known kind is skipped (Linux), the rest still parsed. */
    static const uint8_t badmss[] = {2, 3, 5, 3, 3, 9, 0, 0};
    wire_tcp_opts_parse(badmss, sizeof badmss, &o);
    assert_false(o.malformed);
    assert_false(o.has_mss);
    assert_true(o.has_wscale);
    assert_int_equal(o.wscale, 9);
    /* SACK blocks and unknown kinds are stepped over, not recorded. */
    static const uint8_t sack[] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 2};
    wire_tcp_opts_parse(sack, sizeof sack, &o);
    assert_false(o.malformed);
    assert_int_equal(o.n, 2);
}

static void test_bad_checksums_flagged(void **state)
{
    (void)state;
    uint8_t b[sizeof real_syn];
    struct wire_pkt p;
    char s[512];
    memcpy(b, real_syn, sizeof b);
    b[sizeof b - 1] ^= 0xff; /* wscale 10 -> 245: TCP sum now wrong */
    assert_int_equal(wire_parse(b, sizeof b, &p), WIRE_OK);
    assert_true(p.ip.csum_ok);
    assert_false(p.l4.tcp.csum_ok);
    wire_summary(s, sizeof s, b, sizeof b);
    assert_non_null(strstr(s, " BAD-CSUM"));
    wire_pretty(s, sizeof s, b, sizeof b, false);
    assert_non_null(strstr(s, "csum=0x3cf6 [bad checksum]"));
    assert_non_null(strstr(s, "csum=0x547b ok"));

    memcpy(b, real_syn, sizeof b);
    b[8] = 63; /* TTL: IP header sum now wrong, TCP untouched */
    assert_int_equal(wire_parse(b, sizeof b, &p), WIRE_OK);
    assert_false(p.ip.csum_ok);
    assert_true(p.l4.tcp.csum_ok);
    wire_summary(s, sizeof s, b, sizeof b);
    assert_non_null(strstr(s, "ttl=63 id=23065 DF BAD-CSUM"));

    uint8_t u[sizeof real_unreach];
    memcpy(u, real_unreach, sizeof u);
    u[sizeof u - 1] ^= 1;
    assert_int_equal(wire_parse(u, sizeof u, &p), WIRE_OK);
    assert_false(p.l4.icmp.csum_ok);

    uint8_t d[sizeof real_udp];
    memcpy(d, real_udp, sizeof d);
    d[28] = 'P';
    assert_int_equal(wire_parse(d, sizeof d, &p), WIRE_OK);
    assert_false(p.l4.udp.csum_ok);
    d[26] = d[27] = 0; /* checksum 0: "not computed", valid (RFC 768) */
    assert_int_equal(wire_parse(d, sizeof d, &p), WIRE_OK);
    assert_true(p.l4.udp.csum_ok);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct wire_pkt p;
    uint8_t b[64];
    for (size_t n = 0; n < sizeof real_syn; n++) /* every truncation of the SYN */
        assert_int_equal(wire_parse(real_syn, n, &p), WIRE_ETRUNC);
    memcpy(b, real_syn, sizeof real_syn);
    b[0] = 0x65;
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_EVERSION);
    b[0] = 0x44;
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_EIHL);
    b[0] = 0x4f; /* 60-byte header: all the 60 bytes, so the total length 60 is not < it */
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_ETRUNC);
    b[0] = 0x45;
    b[3] = 19; /* total length below the header */
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_ELEN);
    b[3] = 60;
    b[32] = 0x40; /* TCP data offset 4 words */
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_ELEN);
    b[32] = 0xf0; /* 60-byte TCP header in a 40-byte segment */
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_ELEN);
    b[32] = 0xa0;
    b[6] = 0x00, b[7] = 0x03; /* fragment offset 24 */
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_EFRAG);
    assert_int_equal(p.ip.frag_off, 3);
    b[6] = 0x40, b[7] = 0;
    b[9] = 47;
    assert_int_equal(wire_parse(b, sizeof real_syn, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_EPROTO);
    /* Trailing bytes beyond the total length (Ethernet padding) are ignored. */
    memcpy(b, real_rstack, sizeof real_rstack);
    memset(b + sizeof real_rstack, 0xee, 6);
    parse_tcp_ok(b, sizeof real_rstack + 6, &p);
    assert_int_equal(p.ip.payload_len, 20);
    /* UDP length larger than the datagram. */
    memcpy(b, real_udp, sizeof real_udp);
    b[25] = 13;
    assert_int_equal(wire_parse(b, sizeof real_udp, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_ELEN);
    assert_string_equal(wire_strerror(WIRE_EFRAG), "non-first fragment");
}

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 7, "test_wire.garbage");
    uint8_t b[128];
    char s[2048];
    for (int i = 0; i < 20000; i++) {
        size_t n = rng_below(&r, sizeof b + 1);
        rng_bytes(&r, b, n);
        if (n && (i & 1))
            b[0] = (uint8_t)(0x45 + rng_below(&r, 11)); /* mostly-valid IPv4 start */
        if (n > 3 && (i & 2))
            b[2] = 0, b[3] = (uint8_t)n;
        if (n > 9 && (i & 4))
            b[9] = (uint8_t)(i & 8 ? WIRE_PROTO_TCP : WIRE_PROTO_ICMP);
        struct wire_pkt p;
        int err = wire_parse(b, n, &p);
        assert_true(err <= 0 && err >= WIRE_EPROTO);
        int k = wire_summary(s, sizeof s, b, n);
        assert_true(k > 0 && (size_t)k < sizeof s);
        assert_int_equal(strlen(s), (size_t)k);
        wire_pretty(s, sizeof s, b, n, true);
    }
}

static void test_ip_options(void **state)
{
    (void)state;
    struct wire_pkt p;
    parse_tcp_ok(ipopt_syn, sizeof ipopt_syn, &p);
    assert_int_equal(p.ip.hdr_len, 28);
    assert_int_equal(p.ip.payload_len, 20);
    assert_int_equal(p.l4.tcp.sport, 1234);
    assert_int_equal(p.l4.tcp.dport, 80);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN);
    char s[256];
    wire_summary(s, sizeof s, ipopt_syn, sizeof ipopt_syn);
    assert_string_equal(s, "198.18.0.1:1234 > 198.18.0.2:80 TCP [S] seq=0 win=8192 len=0 ttl=64 id=8 ipopts=8");
    /* Emit writes no IP options: a 40-byte datagram with the same TCP segment. */
    uint8_t out[64];
    assert_int_equal(wire_emit_tcp(out, sizeof out, &p.ip, &p.l4.tcp), 40);
    assert_memory_equal(out + 20, ipopt_syn + 28, 20);
    assert_int_equal(out[0], 0x45);
}

static void test_icmp_unreach_quote(void **state)
{
    (void)state;
    struct wire_pkt p;
    assert_int_equal(wire_parse(real_unreach, sizeof real_unreach, &p), WIRE_OK);
    assert_int_equal(p.l4_err, WIRE_OK);
    const struct wire_icmp *c = &p.l4.icmp;
    assert_int_equal(c->type, ICMP_UNREACH);
    assert_int_equal(c->code, ICMP_PORT_UNREACH);
    assert_true(c->csum_ok);
    assert_int_equal(c->payload_len, 32);
    struct wire_quote q;
    assert_int_equal(wire_icmp_quote(c, &q), WIRE_OK);
    assert_int_equal(q.ip.src, A_SRC);
    assert_int_equal(q.ip.dst, A_DST);
    assert_int_equal(q.ip.proto, WIRE_PROTO_UDP);
    assert_int_equal(q.ip.id, 55855);
    assert_true(q.ip.csum_ok);
    assert_true(q.has_ports);
    assert_int_equal(q.sport, 49846);
    assert_int_equal(q.dport, 53);
    assert_false(q.has_flags);
    char s[256];
    wire_summary(s, sizeof s, real_unreach, sizeof real_unreach);
    assert_string_equal(s, "198.18.0.2 > 198.18.0.1 ICMP port-unreachable "
                           "{198.18.0.1:49846 > 198.18.0.2:53 UDP} tos=0xc0 ttl=64 id=3981");

    /* Emit a 3/3 quoting the first 28 bytes of a SYN (RFC 792 minimum), then read it back. */
    struct wire_ipv4 ip = {.ttl = 64, .src = A_DST, .dst = A_SRC};
    struct wire_icmp e = {.type = ICMP_UNREACH, .code = ICMP_PORT_UNREACH, .payload = real_syn, .payload_len = 28};
    uint8_t b[128];
    size_t n = wire_emit_icmp(b, sizeof b, &ip, &e);
    assert_int_equal(n, 56);
    assert_int_equal(wire_parse(b, n, &p), WIRE_OK);
    assert_true(p.l4.icmp.csum_ok);
    assert_int_equal(wire_icmp_quote(&p.l4.icmp, &q), WIRE_OK);
    assert_int_equal(q.ip.total_len, 60);
    assert_int_equal(q.ip.payload_len, 8);
    assert_int_equal(q.sport, 34514);
    assert_int_equal(q.dport, 8080);
    assert_int_equal(q.seq, 377961137u);
    assert_false(q.has_flags);
    wire_summary(s, sizeof s, b, n);
    assert_string_equal(s, "198.18.0.2 > 198.18.0.1 ICMP port-unreachable "
                           "{198.18.0.1:34514 > 198.18.0.2:8080 TCP seq=377961137} ttl=64 id=0");
    /* With 14 bytes of TCP quoted, the flags show. */
    e.payload_len = 34;
    n = wire_emit_icmp(b, sizeof b, &ip, &e);
    wire_summary(s, sizeof s, b, n);
    assert_non_null(strstr(s, "{198.18.0.1:34514 > 198.18.0.2:8080 TCP [S] seq=377961137}"));
    /* A quote too short for an IP header is reported, not read past. */
    e.payload_len = 12;
    n = wire_emit_icmp(b, sizeof b, &ip, &e);
    assert_int_equal(wire_parse(b, n, &p), WIRE_OK);
    assert_int_equal(wire_icmp_quote(&p.l4.icmp, &q), WIRE_ETRUNC);
    wire_summary(s, sizeof s, b, n);
    assert_non_null(strstr(s, "{bad quote: truncated}"));
    /* An echo is not an error: no quote. */
    assert_int_equal(wire_parse(real_echo, sizeof real_echo, &p), WIRE_OK);
    assert_int_equal(wire_icmp_quote(&p.l4.icmp, &q), WIRE_EPROTO);
    assert_int_equal(p.l4.icmp.id, 0x1234);
    assert_int_equal(p.l4.icmp.seq, 1);
}

static void test_summary_exact(void **state)
{
    (void)state;
    char s[512];
    int n = wire_summary(s, sizeof s, real_syn, sizeof real_syn);
    const char *want = "198.18.0.1:34514 > 198.18.0.2:8080 TCP [S] seq=377961137 win=64240 "
                       "<mss 1460,sackOK,TS val 4177630033 ecr 0,nop,wscale 10> len=0 ttl=64 id=23065 DF";
    assert_string_equal(s, want);
    assert_int_equal(n, (int)strlen(want));
    wire_summary(s, sizeof s, real_rstack, sizeof real_rstack);
    assert_string_equal(s, "198.18.0.2:81 > 198.18.0.1:58916 TCP [RA] seq=0 ack=4235095464 win=0 len=0 ttl=64 id=0 DF");
    wire_summary(s, sizeof s, real_echo, sizeof real_echo);
    assert_string_equal(s, "198.18.0.1 > 198.18.0.2 ICMP echo-request ident=4660 seq=1 len=32 ttl=64 id=8665 DF");
    wire_summary(s, sizeof s, real_udp, sizeof real_udp);
    assert_string_equal(s, "198.18.0.1:49846 > 198.18.0.2:53 UDP len=4 ttl=64 id=55855 DF");
    wire_summary(s, sizeof s, real_syn, 12);
    assert_string_equal(s, "invalid IPv4 (truncated) 12 bytes");
    /* The design's example: a scanner SYN with one option. */
    struct wire_ipv4 ip = {.ttl = 64, .df = true, .src = 0xc633640a, .dst = 0xc633641e};
    struct wire_tcp t = {.sport = 40000, .dport = 80, .seq = 1, .flags = TCP_SYN, .window = 1024,
                         .opt = {.order = {TCPOPT_MSS}, .n = 1, .mss = 1460}};
    uint8_t b[64];
    size_t len = wire_emit_tcp(b, sizeof b, &ip, &t);
    wire_summary(s, sizeof s, b, len);
    assert_string_equal(s, "198.51.100.10:40000 > 198.51.100.30:80 TCP [S] seq=1 win=1024 <mss 1460> len=0 ttl=64 id=0 DF");
    /* snprintf semantics: truncated output, full length returned, always terminated. */
    char small[10];
    n = wire_summary(small, sizeof small, b, len);
    assert_int_equal(n, (int)strlen(s));
    assert_string_equal(small, "198.51.10");
    assert_int_equal(wire_summary(NULL, 0, b, len), n);
}

static void test_pretty_exact(void **state)
{
    (void)state;
    char s[2048];
    wire_pretty(s, sizeof s, real_syn, sizeof real_syn, false);
    assert_string_equal(s,
        "IPv4 198.18.0.1 > 198.18.0.2 hlen=20 tos=0x00 len=60 id=23065 DF off=0 ttl=64 proto=TCP csum=0x547b ok\n"
        "\\ TCP 34514 > 8080 [S] seq=377961137 ack=0 win=64240 hlen=40 res=0x0 urg=0 csum=0x3cf6 ok\n"
        "  options <mss 1460,sackOK,TS val 4177630033 ecr 0,nop,wscale 10>\n"
        "  payload 0 bytes\n");
    wire_pretty(s, sizeof s, real_rstack, sizeof real_rstack, true);
    assert_string_equal(s,
        "IPv4 198.18.0.2 > 198.18.0.1 hlen=20 tos=0x00 len=40 id=0 DF off=0 ttl=64 proto=TCP csum=0xaea8 ok\n"
        "\\ TCP 81 > 58916 [RA] seq=0 ack=4235095464 win=0 hlen=20 res=0x0 urg=0 csum=0xd31b ok\n"
        "  payload 0 bytes\n"
        "0000  45 00 00 28 00 00 40 00  40 06 ae a8 c6 12 00 02  |E..(..@.@.......|\n"
        "0010  c6 12 00 01 00 51 e6 24  00 00 00 00 fc 6e 6d a8  |.....Q.$.....nm.|\n"
        "0020  50 14 00 00 d3 1b 00 00                           |P.......|\n");
    wire_pretty(s, sizeof s, real_unreach, sizeof real_unreach, false);
    assert_string_equal(s,
        "IPv4 198.18.0.2 > 198.18.0.1 hlen=20 tos=0xc0 len=60 id=3981 off=0 ttl=64 proto=ICMP csum=0xde4c ok\n"
        "\\ ICMP port-unreachable type=3 code=3 csum=0x8942 ok rest=0x00000000\n"
        "  \\ quoted {198.18.0.1:49846 > 198.18.0.2:53 UDP} ip len=32 id=55855 ttl=64 csum=0xd475 ok, 32 bytes of it quoted\n");
}

static void test_emit_limits(void **state)
{
    (void)state;
    struct wire_ipv4 ip = {.ttl = 64, .src = A_SRC, .dst = A_DST};
    struct wire_tcp t = {.flags = TCP_SYN, .opt = {.order = {2, 4, 8, 1, 3}, .n = 5}};
    uint8_t b[128];
    assert_int_equal(wire_emit_tcp(b, 59, &ip, &t), 0);
    assert_int_equal(wire_emit_tcp(b, 60, &ip, &t), 60);
    /* Five timestamps are 50 bytes of options: more than a TCP header holds. */
    struct wire_tcp big = {.opt = {.order = {8, 8, 8, 8, 8}, .n = 5}};
    assert_int_equal(wire_tcp_opts_len(&big.opt), 52);
    assert_int_equal(wire_emit_tcp(b, sizeof b, &ip, &big), 0);
    struct wire_udp u = {.sport = 1, .dport = 2, .payload = (const uint8_t *)"abc", .payload_len = 3};
    assert_int_equal(wire_emit_udp(b, 30, &ip, &u), 0);
    assert_int_equal(wire_emit_udp(b, 31, &ip, &u), 31);
    struct wire_pkt p;
    assert_int_equal(wire_parse(b, 31, &p), WIRE_OK);
    assert_true(p.l4.udp.csum_ok);
    assert_int_equal(p.l4.udp.len, 11);
    assert_int_not_equal(p.l4.udp.csum, 0);
    struct wire_icmp e = {.type = ICMP_ECHO, .id = 9, .seq = 10};
    assert_int_equal(wire_emit_icmp(b, 27, &ip, &e), 0);
    assert_int_equal(wire_emit_icmp(b, 28, &ip, &e), 28);
    assert_int_equal(b[24], 0);
    assert_int_equal(b[25], 9);
    assert_int_equal(b[27], 10);
    /* Frag-needed carries the MTU in `rest` (RFC 1191). */
    struct wire_icmp f = {.type = ICMP_UNREACH, .code = ICMP_FRAG_NEEDED, .rest = 1400, .id = 77};
    assert_int_equal(wire_emit_icmp(b, sizeof b, &ip, &f), 28);
    assert_int_equal(b[26] << 8 | b[27], 1400);
    assert_int_equal(b[24] << 8 | b[25], 0);
}

/* --- The emitter's view against the parse, and the emitted bytes against a naive writer.
 * wire_emit_tcp_view builds the bytes and their parsed form from the repr's values, with
 * fast paths for the common option layouts (wire_tcp.c); the simulator's receivers read
 * that view instead of parsing (sim/engine.h). These pin both to the simple definitions:
 * the bytes are what a field-by-field writer with checksums summed over the written bytes
 * produces, and the view is, field by field, what wire_parse_trusted reads back. */

static void ref_st16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void ref_st32(uint8_t *p, uint32_t v)
{
    ref_st16(p, v >> 16);
    ref_st16(p + 2, v & 0xffff);
}

/* RFC 791 / RFC 9293 header layout written byte by byte, checksums summed over the bytes. */
static size_t ref_emit_tcp(uint8_t *b, size_t cap, const struct wire_ipv4 *ip,
                           const struct wire_tcp *t, const uint8_t *payload)
{
    size_t ol = wire_tcp_opts_len(&t->opt);
    size_t seg = 20 + ol + t->payload_len, total = 20 + seg;
    if (ol > 40 || total > cap || total > 65535)
        return 0;
    memset(b, 0, 40);
    b[0] = 0x45;
    b[1] = ip->tos;
    ref_st16(b + 2, (unsigned)total);
    ref_st16(b + 4, ip->id);
    ref_st16(b + 6, (ip->df ? 0x4000u : 0) | (ip->mf ? 0x2000u : 0) | (ip->frag_off & 0x1fffu));
    b[8] = ip->ttl;
    b[9] = WIRE_PROTO_TCP;
    ref_st32(b + 12, ip->src);
    ref_st32(b + 16, ip->dst);
    ref_st16(b + 10, wire_csum_fold(wire_csum_add(0, b, 20)));
    uint8_t *p = b + 20;
    ref_st16(p, t->sport);
    ref_st16(p + 2, t->dport);
    ref_st32(p + 4, t->seq);
    ref_st32(p + 8, t->ack);
    p[12] = (uint8_t)((20 + ol) / 4 << 4 | (t->reserved & 0x0f));
    p[13] = t->flags;
    ref_st16(p + 14, t->window);
    ref_st16(p + 18, t->urg);
    assert_int_equal(wire_tcp_opts_emit(p + 20, &t->opt), ol);
    if (t->payload_len)
        memcpy(p + 20 + ol, payload, t->payload_len);
    uint32_t ps = wire_csum_pseudo(ip->src, ip->dst, WIRE_PROTO_TCP, (uint16_t)seg);
    ref_st16(p + 16, wire_csum_fold(wire_csum_add(ps, p, seg)));
    return total;
}

static void assert_opts_equal(const struct wire_tcp_opts *a, const struct wire_tcp_opts *b)
{
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->order, b->order, sizeof a->order);
    assert_int_equal(a->has_mss, b->has_mss);
    assert_int_equal(a->sack_perm, b->sack_perm);
    assert_int_equal(a->has_ts, b->has_ts);
    assert_int_equal(a->has_wscale, b->has_wscale);
    assert_int_equal(a->mss, b->mss);
    assert_int_equal(a->wscale, b->wscale);
    assert_int_equal(a->tsval, b->tsval);
    assert_int_equal(a->tsecr, b->tsecr);
    assert_int_equal(a->malformed, b->malformed);
}

/* Every field a reader of the view may read, against the parse (padding aside). */
static void assert_pkt_equal(const struct wire_pkt *v, const struct wire_pkt *p)
{
    const struct wire_ipv4 *a = &v->ip, *b = &p->ip;
    assert_int_equal(a->tos, b->tos);
    assert_int_equal(a->ttl, b->ttl);
    assert_int_equal(a->proto, b->proto);
    assert_int_equal(a->hdr_len, b->hdr_len);
    assert_int_equal(a->total_len, b->total_len);
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->df, b->df);
    assert_int_equal(a->mf, b->mf);
    assert_int_equal(a->frag_off, b->frag_off);
    assert_int_equal(a->csum, b->csum);
    assert_int_equal(a->csum_ok, b->csum_ok);
    assert_int_equal(a->src, b->src);
    assert_int_equal(a->dst, b->dst);
    assert_ptr_equal(a->payload, b->payload);
    assert_int_equal(a->payload_len, b->payload_len);
    assert_int_equal(v->l4_err, p->l4_err);
    if (p->l4_err != WIRE_OK) {
        assert_memory_equal(&v->l4, &p->l4, sizeof v->l4);   /* both zeroed */
        return;
    }
    const struct wire_tcp *x = &v->l4.tcp, *y = &p->l4.tcp;
    assert_int_equal(x->sport, y->sport);
    assert_int_equal(x->dport, y->dport);
    assert_int_equal(x->seq, y->seq);
    assert_int_equal(x->ack, y->ack);
    assert_int_equal(x->hdr_len, y->hdr_len);
    assert_int_equal(x->flags, y->flags);
    assert_int_equal(x->reserved, y->reserved);
    assert_int_equal(x->window, y->window);
    assert_int_equal(x->csum, y->csum);
    assert_int_equal(x->csum_ok, y->csum_ok);
    assert_int_equal(x->urg, y->urg);
    assert_opts_equal(&x->opt, &y->opt);
    assert_ptr_equal(x->payload, y->payload);
    assert_int_equal(x->payload_len, y->payload_len);
}

/* A random repr: every field drawn, options drawn from every kind emit knows plus SACK and
 * an unknown kind (both skipped), often the fast-path layouts (none, a lone MSS). */
static void random_repr(struct rng *r, struct wire_ipv4 *ip, struct wire_tcp *t,
                        uint8_t *payload, size_t room)
{
    static const uint8_t kinds[] = {TCPOPT_EOL, TCPOPT_NOP, TCPOPT_MSS, TCPOPT_WSCALE,
                                    TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_SACK, 99};
    *ip = (struct wire_ipv4){
        .tos = (uint8_t)rng_u32(r), .ttl = (uint8_t)rng_u32(r), .id = (uint16_t)rng_u32(r),
        .df = rng_below(r, 2), .mf = rng_below(r, 4) == 0,
        .frag_off = rng_below(r, 8) == 0 ? (uint16_t)rng_u32(r) : 0,
        .src = rng_u32(r), .dst = rng_u32(r),
    };
    *t = (struct wire_tcp){
        .sport = (uint16_t)rng_u32(r), .dport = (uint16_t)rng_u32(r), .seq = rng_u32(r),
        .ack = rng_u32(r), .flags = (uint8_t)rng_u32(r), .reserved = (uint8_t)rng_u32(r),
        .window = (uint16_t)rng_u32(r), .urg = (uint16_t)rng_u32(r),
    };
    t->opt.mss = (uint16_t)rng_u32(r);
    t->opt.wscale = (uint8_t)rng_u32(r);
    t->opt.tsval = rng_u32(r);
    t->opt.tsecr = rng_u32(r);
    switch (rng_below(r, 4)) {
    case 0: break;                                         /* no options */
    case 1: t->opt.order[t->opt.n++] = TCPOPT_MSS; break;  /* a lone MSS */
    default:
        t->opt.n = (uint8_t)rng_below(r, 13);
        for (uint8_t i = 0; i < t->opt.n; i++)
            t->opt.order[i] = kinds[rng_below(r, sizeof kinds)];
    }
    t->payload_len = rng_below(r, 4) == 0 ? rng_below(r, (uint32_t)room + 1) : 0;
    rng_bytes(r, payload, t->payload_len);
    t->payload = payload;
}

/* Emits with and without the view, against the naive writer, and the view against the
 * parse of the bytes. */
static void check_emit(const struct wire_ipv4 *ip, const struct wire_tcp *t, size_t cap)
{
    uint8_t a[WIRE_MTU + 64], b[WIRE_MTU + 64], want[WIRE_MTU + 64];
    assert_true(cap <= sizeof a);
    memset(a, 0xa5, sizeof a);
    memset(b, 0x5a, sizeof b);
    memset(want, 0x3c, sizeof want);
    struct wire_pkt view, p;
    memset(&view, 0xee, sizeof view);   /* a field the emitter forgets shows */
    size_t n = wire_emit_tcp_view(a, cap, ip, t, &view);
    assert_int_equal(wire_emit_tcp(b, cap, ip, t), n);
    assert_int_equal(ref_emit_tcp(want, cap, ip, t, t->payload), n);
    if (n == 0)
        return;
    assert_memory_equal(a, want, n);
    assert_memory_equal(b, want, n);
    memset(&p, 0x11, sizeof p);
    assert_int_equal(wire_parse_trusted(a, n, &p), WIRE_OK);
    assert_pkt_equal(&view, &p);
    struct wire_pkt v;   /* the verifying parse agrees, and finds both sums right */
    assert_int_equal(wire_parse(a, n, &v), WIRE_OK);
    assert_true(v.ip.csum_ok);
    if (v.l4_err == WIRE_OK)
        assert_true(v.l4.tcp.csum_ok);
    v.l4.tcp.csum_ok = p.l4.tcp.csum_ok;
    assert_pkt_equal(&v, &p);
}

static void test_emit_view_matches_parse(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 11, "test_wire.view");
    uint8_t payload[WIRE_MTU];
    struct wire_ipv4 ip;
    struct wire_tcp t;
    for (int k = 0; k < 20000; k++) {
        random_repr(&r, &ip, &t, payload, k % 16 ? 64 : 1400);
        /* Mostly room to spare; sometimes exactly enough, one byte short, or less than
         * the options' staging needs (the slow option path's other branch). */
        size_t need = 40 + wire_tcp_opts_len(&t.opt) + t.payload_len;
        size_t caps[] = {WIRE_MTU + 64, need, need - 1, 64, 41};
        size_t cap = caps[rng_below(&r, 5)];
        check_emit(&ip, &t, cap > WIRE_MTU + 64 ? WIRE_MTU + 64 : cap);
    }
    /* The bench's and a scan's shapes, by hand: a SYN-ACK with MSS and a bare RST. */
    ip = (struct wire_ipv4){.ttl = 64, .df = true, .src = A_DST, .dst = A_SRC};
    t = (struct wire_tcp){.sport = 80, .dport = 40000, .seq = 1, .ack = 2,
                          .flags = TCP_SYN | TCP_ACK, .window = 64240,
                          .opt = {.order = {TCPOPT_MSS}, .n = 1, .mss = 1460}};
    check_emit(&ip, &t, WIRE_MTU);
    t = (struct wire_tcp){.sport = 40000, .dport = 80, .seq = 2, .flags = TCP_RST};
    check_emit(&ip, &t, WIRE_MTU);
}

/* A bare segment's view without its bytes (wire_tcp_view_bare: the simulator's lazy slots) is
 * the view emit builds but for the two checksums, and emitting that view later writes the
 * bytes emit would have written. */
static void test_view_bare(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 12, "test_wire.bare");
    uint8_t payload[1];
    for (int k = 0; k < 5000; k++) {
        struct wire_ipv4 ip;
        struct wire_tcp t;
        random_repr(&r, &ip, &t, payload, 0);
        t.opt.n = 0;                         /* bare: no options, no data, a first fragment */
        t.payload_len = 0;
        ip.frag_off = 0;
        uint8_t a[WIRE_MTU], b[WIRE_MTU];
        struct wire_pkt want, bare;
        memset(&want, 0xee, sizeof want);
        memset(&bare, 0x77, sizeof bare);
        size_t n = wire_emit_tcp_view(a, sizeof a, &ip, &t, &want);
        assert_int_equal(wire_tcp_view_bare(b, &ip, &t, &bare), n);
        assert_int_equal(bare.ip.csum, 0);
        assert_int_equal(bare.l4.tcp.csum, 0);
        assert_int_equal(wire_emit_tcp(b, sizeof b, &bare.ip, &bare.l4.tcp), n);
        assert_memory_equal(a, b, n);
        bare.ip.csum = want.ip.csum;         /* what materialising the slot fills in */
        bare.l4.tcp.csum = want.l4.tcp.csum;
        bare.ip.payload = a + (bare.ip.payload - b);   /* both point into their own buffer */
        bare.l4.tcp.payload = a + (bare.l4.tcp.payload - b);
        assert_pkt_equal(&bare, &want);
    }
}

/* A parsed segment re-emitted into its own buffer (its payload lies there) with a different
 * option layout, so the payload moves: the bytes are still the naive writer's. */
static void test_emit_view_in_place(void **state)
{
    (void)state;
    static const uint8_t layouts[][5] = {{0}, {TCPOPT_MSS}, {2, 4, 8, 1, 3}, {8, 1, 1}};
    static const uint8_t nlay[] = {0, 1, 5, 3};
    for (size_t from = 0; from < 4; from++)
        for (size_t to = 0; to < 4; to++) {
            struct wire_ipv4 ip = {.ttl = 9, .id = 77, .src = A_SRC, .dst = A_DST};
            struct wire_tcp t = {.sport = 1, .dport = 2, .seq = 3, .ack = 4,
                                 .flags = TCP_ACK | TCP_PSH, .window = 5,
                                 .payload = (const uint8_t *)"in place, moved", .payload_len = 15,
                                 .opt = {.n = nlay[from], .mss = 536, .wscale = 2, .tsval = 7}};
            memcpy(t.opt.order, layouts[from], nlay[from]);
            uint8_t buf[256], want[256];
            size_t n = wire_emit_tcp(buf, sizeof buf, &ip, &t);
            assert_true(n > 0);
            struct wire_pkt p, view, back;
            parse_tcp_ok(buf, n, &p);
            p.l4.tcp.opt.n = nlay[to];
            memcpy(p.l4.tcp.opt.order, layouts[to], nlay[to]);
            uint8_t data[15];
            memcpy(data, p.l4.tcp.payload, sizeof data);
            size_t m = ref_emit_tcp(want, sizeof want, &p.ip, &p.l4.tcp, data);
            assert_int_equal(wire_emit_tcp_view(buf, sizeof buf, &p.ip, &p.l4.tcp, &view), m);
            assert_memory_equal(buf, want, m);
            assert_int_equal(wire_parse_trusted(buf, m, &back), WIRE_OK);
            assert_pkt_equal(&view, &back);
        }
}

/* What wire_tcp_opts_parse must record, walked the plain way (Linux's tcp_parse_options
 * rules, wire_tcp.c's header): the parse has fast paths for the common layouts, and they
 * must agree with this on every input, common layout or one byte off it. */
static void ref_opts_parse(const uint8_t *p, size_t len, struct wire_tcp_opts *o)
{
    memset(o, 0, sizeof *o);
    size_t i = 0, rec = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == TCPOPT_EOL) {
            if (rec % 4 == 0 && o->n < WIRE_TCP_OPT_MAX)
                o->order[o->n++] = kind;
            return;
        }
        if (kind == TCPOPT_NOP) {
            if (o->n < WIRE_TCP_OPT_MAX)
                o->order[o->n++] = kind;
            rec++;
            i++;
            continue;
        }
        if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i) {
            o->malformed = true;
            return;
        }
        uint8_t olen = p[i + 1];
        bool ok = (kind == TCPOPT_MSS && olen == 4) || (kind == TCPOPT_WSCALE && olen == 3) ||
                  (kind == TCPOPT_SACK_PERM && olen == 2) || (kind == TCPOPT_TS && olen == 10);
        if (ok) {
            if (kind == TCPOPT_MSS) {
                o->has_mss = true;
                o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
            } else if (kind == TCPOPT_WSCALE) {
                o->has_wscale = true;
                o->wscale = p[i + 2];
            } else if (kind == TCPOPT_SACK_PERM) {
                o->sack_perm = true;
            } else {
                o->has_ts = true;
                o->tsval = (uint32_t)p[i + 2] << 24 | (uint32_t)p[i + 3] << 16 |
                           (uint32_t)p[i + 4] << 8 | p[i + 5];
                o->tsecr = (uint32_t)p[i + 6] << 24 | (uint32_t)p[i + 7] << 16 |
                           (uint32_t)p[i + 8] << 8 | p[i + 9];
            }
            if (o->n < WIRE_TCP_OPT_MAX)
                o->order[o->n++] = kind;
            rec += olen;
        }
        i += olen;
    }
}

static void test_opts_parse_fast_layouts(void **state)
{
    (void)state;
    struct wire_tcp_opts o, want;
    /* Linux's SYN (real_syn) and SYN-ACK (real_synack) layouts: every field. */
    wire_tcp_opts_parse(real_syn + 40, 20, &o);
    static const uint8_t linux_order[] = {2, 4, 8, 1, 3};
    assert_int_equal(o.n, 5);
    assert_memory_equal(o.order, linux_order, 5);
    assert_true(o.has_mss && o.sack_perm && o.has_ts && o.has_wscale && !o.malformed);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.tsval, 0xf9019351u);
    assert_int_equal(o.tsecr, 0);
    assert_int_equal(o.wscale, 10);
    ref_opts_parse(real_syn + 40, 20, &want);
    assert_opts_equal(&o, &want);
    /* A lone MSS. */
    static const uint8_t mss[] = {2, 4, 0x05, 0xb4};
    wire_tcp_opts_parse(mss, 4, &o);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.order[0], TCPOPT_MSS);
    assert_true(o.has_mss);
    assert_int_equal(o.mss, 1460);
    /* Each layout with every single byte changed to a few values: the fast paths must
     * step aside exactly when the walk would read something else. */
    static const uint8_t vals[] = {0, 1, 2, 3, 4, 5, 8, 10, 0x14, 0xff};
    const uint8_t *bases[] = {real_syn + 40, real_synack + 40, mss};
    const size_t lens[] = {20, 20, 4};
    for (size_t b = 0; b < 3; b++)
        for (size_t i = 0; i < lens[b]; i++)
            for (size_t v = 0; v < sizeof vals; v++) {
                uint8_t x[20];
                memcpy(x, bases[b], lens[b]);
                x[i] = vals[v];
                wire_tcp_opts_parse(x, lens[b], &o);
                ref_opts_parse(x, lens[b], &want);
                assert_opts_equal(&o, &want);
            }
    /* And random bytes of every length a header allows. */
    struct rng r;
    rng_seed(&r, 5, "test_wire.opts");
    for (int k = 0; k < 20000; k++) {
        uint8_t x[40];
        size_t len = rng_below(&r, 41);
        rng_bytes(&r, x, len);
        for (size_t i = 0; i < len; i++)   /* mostly kinds and lengths that mean something */
            if (rng_below(&r, 2))
                x[i] = vals[rng_below(&r, sizeof vals)];
        wire_tcp_opts_parse(x, len, &o);
        ref_opts_parse(x, len, &want);
        assert_opts_equal(&o, &want);
    }
}

static void test_flags_text(void **state)
{
    (void)state;
    char f[9];
    assert_string_equal(wire_flags_str(0, f), "none");
    assert_string_equal(wire_flags_str(TCP_SYN | TCP_ACK, f), "SA");
    assert_string_equal(wire_flags_str(TCP_FIN | TCP_PSH | TCP_URG, f), "FPU");
    assert_string_equal(wire_flags_str(0xff, f), "FSRPAUEC");
    assert_int_equal(wire_flags_parse("SA"), 0x12);
    assert_int_equal(wire_flags_parse("as"), 0x12);
    assert_int_equal(wire_flags_parse("FPU"), 0x29);
    assert_int_equal(wire_flags_parse("none"), 0);
    assert_int_equal(wire_flags_parse("NONE"), 0);
    assert_int_equal(wire_flags_parse("FSRPAUEC"), 0xff);
    assert_int_equal(wire_flags_parse("SX"), -1);
    assert_int_equal(wire_flags_parse(""), -1);
    for (int i = 0; i < 256; i++)
        assert_int_equal(wire_flags_parse(wire_flags_str((uint8_t)i, f)), i);
}

static void test_ip_text(void **state)
{
    (void)state;
    char b[16];
    uint32_t a = 0;
    assert_string_equal(wire_ip_str(0xc6336464, b), "198.51.100.100");
    assert_string_equal(wire_ip_str(0xffffffff, b), "255.255.255.255");
    assert_int_equal(wire_ip_parse("198.18.0.1", &a), 0);
    assert_int_equal(a, A_SRC);
    assert_int_equal(wire_ip_parse("0.0.0.0", &a), 0);
    assert_int_equal(a, 0);
    static const char *const bad[] = {"198.18.0", "198.18.0.1.", "198.18.0.256", "1.2.3.04",
                                      " 1.2.3.4", "1.2.3.4 ", "1..2.3", "a.b.c.d", "", "1.2.3.1000", "-1.2.3.4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(wire_ip_parse(bad[i], &a), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csum_rfc1071_example),
        cmocka_unit_test(test_parse_real_syn),
        cmocka_unit_test(test_reemit_real_packets),
        cmocka_unit_test(test_real_rst_fields),
        cmocka_unit_test(test_roundtrip_odd_flags),
        cmocka_unit_test(test_roundtrip_every_option),
        cmocka_unit_test(test_opts_emit_bytes),
        cmocka_unit_test(test_opts_parse_malformed),
        cmocka_unit_test(test_bad_checksums_flagged),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_ip_options),
        cmocka_unit_test(test_icmp_unreach_quote),
        cmocka_unit_test(test_summary_exact),
        cmocka_unit_test(test_pretty_exact),
        cmocka_unit_test(test_emit_limits),
        cmocka_unit_test(test_emit_view_matches_parse),
        cmocka_unit_test(test_emit_view_in_place),
        cmocka_unit_test(test_view_bare),
        cmocka_unit_test(test_opts_parse_fast_layouts),
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_ip_text),
    };
    return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
