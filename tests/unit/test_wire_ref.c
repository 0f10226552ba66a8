/* test_wire_ref.c — lib/wire's fast paths against simple reference definitions.
 *
 * wire_emit_tcp_view builds a segment's bytes and their parsed form from the repr's values,
 * with fast paths for the common option layouts, and wire_tcp_opts_parse has fast paths for
 * the common layouts too (lib/wire_tcp.c); the simulator's receivers read the emitter's view
 * instead of parsing (sim/engine.h). These tests pin both to what a naive implementation
 * does, over thousands of random reprs and option strings: the bytes are what a
 * field-by-field writer with checksums summed over the written bytes produces, the view is,
 * field by field, what wire_parse_trusted reads back, and the fast parse paths record what
 * the general walk records. test_wire.c holds the tests against real captured packets.
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
#include "lib/wire_int.h" /* wire_emit_tcp_view, wire_parse_trusted, wire_tcp_view_bare */
#include "tests/unit/wire_fixture.h"   /* real_syn, real_synack, A_SRC, A_DST, parse_tcp_ok */


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
    assert_int_equal(a->sack_n, b->sack_n);
    if (a->sack_n)
        assert_memory_equal(a->sack_blocks, b->sack_blocks, 8u * a->sack_n);
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

/* A random repr: every field drawn, options drawn from every kind emit knows plus an
 * unknown kind (skipped) and SACK with 0-4 blocks (none: skipped), often the fast-path
 * layouts (none, a lone MSS). */
static void random_repr(struct rng *r, struct wire_ipv4 *ip, struct wire_tcp *t,
                        uint8_t *payload, size_t room)
{
    static uint8_t blocks[32];
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
    rng_bytes(r, blocks, sizeof blocks);
    t->opt.sack_n = (uint8_t)rng_below(r, 5);
    t->opt.sack_blocks = blocks;
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
                  (kind == TCPOPT_SACK_PERM && olen == 2) || (kind == TCPOPT_TS && olen == 10) ||
                  (kind == TCPOPT_SACK && olen >= 10 && olen <= 34 && (olen - 2) % 8 == 0);
        if (ok) {
            if (kind == TCPOPT_SACK) {
                o->sack_n = (uint8_t)((olen - 2) / 8);
                o->sack_blocks = p + i + 2;
            } else if (kind == TCPOPT_MSS) {
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emit_view_matches_parse),
        cmocka_unit_test(test_emit_view_in_place),
        cmocka_unit_test(test_view_bare),
        cmocka_unit_test(test_opts_parse_fast_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
