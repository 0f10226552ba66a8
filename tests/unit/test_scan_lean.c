/* test_scan_lean.c — the scanner's per-probe fast paths give exactly what the general code
 * gives: cookies (scanner/cookie.c, SipHash-2-4 specialised to the 10-byte identity) against
 * lib/rng.c siphash24; TCP probes (scanner/scans/common.c, checksums summed from the fields)
 * against wire_emit_tcp byte for byte; reply parsing (match_parse_tcp) against wire_parse,
 * on good datagrams and on every kind of malformed one; the radix-sorted lookup tables
 * (match_index) against the definition, small, large (direct table) and with equal keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/rng.h"
#include "lib/wire.h"
#include "scanner/cookie.h"
#include "scanner/match.h"
#include "scanner/scans/scans.h"

/* The identity as cookie.h documents it, hashed by the reference implementation. */
static uint64_t ref_hash(const struct cookie_key *k, uint32_t dst, uint16_t port, uint8_t proto,
                         uint8_t kind, uint8_t tryno, uint8_t purpose)
{
    uint8_t b[10] = {
        (uint8_t)(dst >> 24), (uint8_t)(dst >> 16), (uint8_t)(dst >> 8), (uint8_t)dst,
        (uint8_t)(port >> 8), (uint8_t)port, proto, kind, tryno, purpose,
    };
    return siphash24(k->k, b, sizeof b);
}

static void test_cookie_equals_siphash(void **st)
{
    (void)st;
    struct rng r;
    rng_seed(&r, 7, "test-cookie");
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct cookie_key key;
        cookie_key_init(&key, seed);
        for (int i = 0; i < 200; i++) {
            uint32_t dst = rng_u32(&r);
            uint16_t port = (uint16_t)rng_u32(&r);
            uint8_t proto = i & 1 ? WIRE_PROTO_UDP : WIRE_PROTO_TCP;
            uint8_t kind = (uint8_t)rng_below(&r, COOKIE_SEQ + 1);
            uint8_t tryno = (uint8_t)rng_below(&r, COOKIE_MAX_TRIES);
            uint16_t base = cookie_sport_base(&key, dst, port, proto, kind);
            assert_int_equal(base, 33000 + ref_hash(&key, dst, port, proto, kind, 0, 'B') % 30000);
            struct cookie ck, ck2;
            cookie_make(&key, dst, port, proto, kind, tryno, &ck);
            uint64_t c = ref_hash(&key, dst, port, proto, kind, tryno, 'C');
            uint64_t d = ref_hash(&key, dst, port, proto, kind, tryno, 'D');
            assert_int_equal(ck.sport, (uint16_t)(base + tryno));
            assert_int_equal(ck.seq, (uint32_t)c);
            assert_int_equal(ck.ack, (uint32_t)(c >> 32));
            assert_int_equal(ck.ipid, (uint16_t)d);
            assert_int_equal(ck.icmp_id, (uint16_t)(d >> 16));
            assert_true(cookie_seq_ack(&key, dst, port, proto, kind, tryno) == c);
            cookie_make_based(&key, base, dst, port, proto, kind, tryno, &ck2);
            assert_int_equal(ck2.sport, ck.sport);
            assert_int_equal(ck2.seq, ck.seq);
            assert_int_equal(ck2.ack, ck.ack);
            assert_int_equal(ck2.ipid, ck.ipid);
            assert_int_equal(ck2.icmp_id, ck.icmp_id);
        }
    }
}

/* nmap's layout built by the general emitter, for comparison. */
static size_t ref_probe(uint8_t *buf, size_t cap, const struct scan_probe *p, uint8_t flags,
                        bool mss)
{
    struct wire_ipv4 ip = { .ttl = p->ttl, .proto = WIRE_PROTO_TCP, .id = p->ck.ipid,
                            .src = p->src, .dst = p->dst };
    struct wire_tcp tcp = { .sport = p->ck.sport, .dport = p->dport, .seq = p->ck.seq,
                            .ack = (flags & TCP_ACK) ? p->ck.ack : 0, .flags = flags,
                            .window = 1024 };
    if (mss) {
        tcp.opt.order[0] = TCPOPT_MSS;
        tcp.opt.n = 1;
        tcp.opt.mss = 1460;
    }
    return wire_emit_tcp(buf, cap, &ip, &tcp);
}

static void test_tcp_probe_bytes(void **st)
{
    (void)st;
    static const uint8_t flags[] = { TCP_SYN, TCP_ACK, TCP_FIN, 0, TCP_FIN | TCP_PSH | TCP_URG,
                                     TCP_FIN | TCP_ACK, TCP_SYN | TCP_ACK, 0xff };
    struct rng r;
    rng_seed(&r, 3, "test-probe");
    for (int i = 0; i < 4000; i++) {
        struct scan_probe p = {
            .src = rng_u32(&r), .dst = rng_u32(&r), .dport = (uint16_t)rng_u32(&r),
            .ttl = (uint8_t)rng_u32(&r),
            .ck = { .sport = (uint16_t)rng_u32(&r), .seq = rng_u32(&r), .ack = rng_u32(&r),
                    .ipid = (uint16_t)rng_u32(&r) },
        };
        if (i < 16) {   /* the carry cases: all-ones and all-zero fields */
            memset(&p.ck, i & 1 ? 0xff : 0, sizeof p.ck);
            p.src = p.dst = i & 2 ? 0xffffffffu : 0;
            p.dport = i & 4 ? 0xffff : 0;
            p.ttl = i & 8 ? 0xff : 0;
        }
        uint8_t f = flags[i % sizeof flags];
        bool mss = (i / (int)sizeof flags) & 1;
        uint8_t a[64], b[64];
        memset(a, 0xaa, sizeof a);
        memset(b, 0xaa, sizeof b);
        size_t na = scan_tcp_probe(a, sizeof a, &p, f, mss);
        size_t nb = ref_probe(b, sizeof b, &p, f, mss);
        assert_int_equal(na, mss ? 44 : 40);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, sizeof a);
    }
    struct scan_probe p = { 0 };
    uint8_t small[43];
    assert_int_equal(scan_tcp_probe(small, sizeof small, &p, TCP_SYN, true), 0);
    assert_int_equal(scan_tcp_probe(small, 40, &p, TCP_ACK, false), 40);
}

/* match_parse_tcp accepts exactly what wire_parse accepts as TCP, with the same fields. */
static void parse_both(const uint8_t *d, size_t len)
{
    struct wire_pkt pkt;
    bool want = wire_parse(d, len, &pkt) == WIRE_OK && pkt.l4_err == WIRE_OK &&
                pkt.ip.proto == WIRE_PROTO_TCP;
    struct wire_ipv4 ip;
    struct wire_tcp tcp;
    bool got = match_parse_tcp(d, len, &ip, &tcp);
    assert_int_equal(got, want);
    if (!got)
        return;
    assert_int_equal(ip.src, pkt.ip.src);
    assert_int_equal(ip.dst, pkt.ip.dst);
    assert_int_equal(ip.ttl, pkt.ip.ttl);
    assert_int_equal(ip.id, pkt.ip.id);
    assert_int_equal(ip.tos, pkt.ip.tos);
    assert_int_equal(ip.total_len, pkt.ip.total_len);
    assert_int_equal(ip.hdr_len, pkt.ip.hdr_len);
    assert_int_equal(ip.df, pkt.ip.df);
    assert_int_equal(ip.payload_len, pkt.ip.payload_len);
    const struct wire_tcp *w = &pkt.l4.tcp;
    assert_int_equal(tcp.sport, w->sport);
    assert_int_equal(tcp.dport, w->dport);
    assert_int_equal(tcp.seq, w->seq);
    assert_int_equal(tcp.ack, w->ack);
    assert_int_equal(tcp.flags, w->flags);
    assert_int_equal(tcp.window, w->window);
    assert_int_equal(tcp.hdr_len, w->hdr_len);
    assert_int_equal(tcp.reserved, w->reserved);
    assert_int_equal(tcp.urg, w->urg);
    assert_int_equal(tcp.csum, w->csum);
    assert_int_equal(tcp.payload_len, w->payload_len);
    assert_ptr_equal(tcp.payload, w->payload);
}

static void test_parse_tcp_like_wire_parse(void **st)
{
    (void)st;
    struct rng r;
    rng_seed(&r, 5, "test-parse");
    uint8_t buf[128];
    for (int i = 0; i < 3000; i++) {
        struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_TCP, .id = (uint16_t)i,
                                .src = rng_u32(&r), .dst = rng_u32(&r), .df = i & 1 };
        struct wire_tcp t = { .sport = (uint16_t)rng_u32(&r), .dport = (uint16_t)rng_u32(&r),
                              .seq = rng_u32(&r), .ack = rng_u32(&r),
                              .flags = (uint8_t)rng_u32(&r), .window = (uint16_t)rng_u32(&r) };
        static const uint8_t data[9] = "abcdefgh";
        if (i & 2) {
            t.opt.order[t.opt.n++] = TCPOPT_MSS;
            t.opt.mss = 1460;
        }
        if (i & 4) {
            t.payload = data;
            t.payload_len = (size_t)(i % 9);
        }
        size_t n = wire_emit_tcp(buf, sizeof buf, &ip, &t);
        assert_true(n >= 40);
        parse_both(buf, n);
        /* One damage a datagram, of every kind wire_parse checks. */
        uint8_t d[128];
        memcpy(d, buf, n);
        size_t len = n;
        switch (i % 12) {
        case 0: len = rng_below(&r, (uint32_t)n); break;                 /* truncated */
        case 1: d[0] = (uint8_t)(0x05 | (rng_below(&r, 16) << 4)); break; /* version */
        case 2: d[0] = (uint8_t)(0x40 | rng_below(&r, 16)); break;       /* IHL */
        case 3: d[2] = 0; d[3] = (uint8_t)rng_below(&r, 80); break;      /* total length */
        case 4: d[6] = (uint8_t)rng_below(&r, 256); d[7] = (uint8_t)rng_below(&r, 256); break;
        case 5: d[9] = (uint8_t)rng_below(&r, 256); break;               /* protocol */
        case 6: d[32] = (uint8_t)(rng_below(&r, 16) << 4); break;        /* data offset */
        case 7: d[10] ^= 0xff; d[36] ^= 0x5a; break;                     /* checksums */
        case 8: len = n + rng_below(&r, 20); memset(d + n, 0, len - n); break; /* padding */
        default: break;
        }
        parse_both(d, len);
    }
}

static void check_index(const uint32_t *k32, const uint16_t *k16, size_t n)
{
    struct match_index m;
    assert_int_equal(match_index_build(&m, k32, k16, n), 0);
    assert_int_equal(m.n, n);
    for (size_t j = 0; j + 1 < n; j++) {
        assert_true(m.key[j] <= m.key[j + 1]);
        if (m.key[j] == m.key[j + 1])
            assert_true(m.idx[j] < m.idx[j + 1]);   /* stable */
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t key = k32 ? k32[i] : k16[i];
        assert_int_equal(m.key[i], k32 ? k32[m.idx[i]] : k16[m.idx[i]]);
        long f = match_index_find(&m, key);
        assert_true(f >= 0);
        size_t first = 0;   /* equal keys: the first in input order */
        while ((k32 ? k32[first] : k16[first]) != key)
            first++;
        assert_int_equal((size_t)f, first);
    }
    match_index_free(&m);
}

static void test_match_index(void **st)
{
    (void)st;
    struct rng r;
    rng_seed(&r, 9, "test-index");
    static const size_t sizes[] = { 0, 1, 2, 63, 64, 300, 513, 4096 };
    uint32_t *k32 = malloc(65536 * sizeof *k32);
    uint16_t *k16 = malloc(65536 * sizeof *k16);
    assert_non_null(k32);
    assert_non_null(k16);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (size_t i = 0; i < n; i++) {
            k32[i] = rng_u32(&r);
            k16[i] = (uint16_t)rng_below(&r, s & 1 ? 65536 : 1000);   /* with repeats */
        }
        check_index(k32, NULL, n);
        check_index(NULL, k16, n);
    }
    /* Every port, shuffled (a -p- scan): direct table; absent keys are -1. */
    for (uint32_t i = 0; i < 65535; i++)
        k16[i] = (uint16_t)(1 + (i * 40507u) % 65535u);
    struct match_index m;
    assert_int_equal(match_index_build(&m, NULL, k16, 65535), 0);
    for (uint32_t i = 0; i < 65535; i++)
        assert_int_equal(match_index_find(&m, k16[i]), (long)i);
    assert_int_equal(match_index_find(&m, 0), -1);
    assert_int_equal(match_index_find(&m, 65536), -1);
    match_index_free(&m);
    uint16_t few[3] = { 80, 22, 443 };
    assert_int_equal(match_index_build(&m, NULL, few, 3), 0);
    assert_int_equal(match_index_find(&m, 443), 2);
    assert_int_equal(match_index_find(&m, 23), -1);
    assert_int_equal(match_index_find(&m, 65536 + 22), -1);
    match_index_free(&m);
    free(k32);
    free(k16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_equals_siphash),
        cmocka_unit_test(test_tcp_probe_bytes),
        cmocka_unit_test(test_parse_tcp_like_wire_parse),
        cmocka_unit_test(test_match_index),
    };
    return cmocka_run_group_tests_name("scan_lean", tests, NULL, NULL);
}
