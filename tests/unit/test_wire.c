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

#include "tests/unit/wire_fixture.h"   /* real_syn, real_synack, A_SRC, A_DST, parse_tcp_ok */

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


/* Parses a packet, asserts it is TCP with good checksums. */
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
    /* SACK blocks are recorded by reference (RFC 2018 section 3); unknown kinds are stepped
     * over, not recorded; a SACK whose length is not 2 + 8n is skipped as a wrong length. */
    static const uint8_t sack[] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 2};
    wire_tcp_opts_parse(sack, sizeof sack, &o);
    assert_false(o.malformed);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.order[2], TCPOPT_SACK);
    assert_int_equal(o.sack_n, 1);
    assert_ptr_equal(o.sack_blocks, sack + 4);
    static const uint8_t sack_odd[] = {5, 6, 0, 0, 0, 1, 1, 1};
    wire_tcp_opts_parse(sack_odd, sizeof sack_odd, &o);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.sack_n, 0);
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
    assert_string_equal(wire_ip_str(0, b), "0.0.0.0");
    /* The hand-written formatter equals the plain printf one, every octet value in every
     * position (0, 9, 10, 99, 100, 255 are the edges of its digit counts). */
    for (uint32_t v = 0; v < 256; v++) {
        uint32_t x = v << 24 | (255 - v) << 16 | (v * 7 % 256) << 8 | v;
        char want[16];
        snprintf(want, sizeof want, "%u.%u.%u.%u", x >> 24, (x >> 16) & 0xff, (x >> 8) & 0xff,
                 x & 0xff);
        assert_string_equal(wire_ip_str(x, b), want);
    }
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
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_ip_text),
    };
    return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
