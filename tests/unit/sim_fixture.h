/* sim_fixture.h — helpers shared by the simulator's unit tests (test_engine, test_host,
 * test_filter, test_review_sim): build a simulation from scenario text, capture what reaches
 * a tap, record the trace, hand-build probes with lib/wire. Header-only so each test stays
 * one program.
 */
#ifndef TCPLAB_TEST_SIM_FIXTURE_H
#define TCPLAB_TEST_SIM_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

enum { CAP_MAX = 256 };

/* Datagrams seen at a tap (or the wiretap), in order. */
struct cap {
    size_t n;
    uint64_t t[CAP_MAX];
    uint16_t len[CAP_MAX];
    uint8_t pkt[CAP_MAX][WIRE_MTU];
};

static inline void cap_fn(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct cap *c = ctx;
    if (c->n == CAP_MAX || len > WIRE_MTU)
        return;
    c->t[c->n] = t_ns;
    c->len[c->n] = (uint16_t)len;
    memcpy(c->pkt[c->n], pkt, len);
    c->n++;
}

static inline struct cap *cap_new(void)
{
    struct cap *c = calloc(1, sizeof *c);
    assert_non_null(c);
    return c;
}

/* Parses `text`, loads it into a new sim with `seed`; fails the test on any error. */
static inline struct sim *fx_sim(const char *text, uint64_t seed)
{
    struct scenario sc;
    char err[256];
    int rc = scenario_parse("test.scn", text, strlen(text), &sc, err, sizeof err);
    if (rc)
        fail_msg("scenario_parse: %s", err);
    struct sim *s = sim_new(seed);
    assert_non_null(s);
    if (sim_load(s, &sc, err, sizeof err))
        fail_msg("sim_load: %s", err);
    scenario_free(&sc);
    return s;
}

/* sim_load's error for `text` (parse must succeed); "" if it loaded. */
static inline void fx_load_err(const char *text, char *err, size_t errlen)
{
    struct scenario sc;
    int rc = scenario_parse("test.scn", text, strlen(text), &sc, err, errlen);
    if (rc)
        fail_msg("scenario_parse: %s", err);
    struct sim *s = sim_new(1);
    err[0] = 0;
    sim_load(s, &sc, err, errlen);
    sim_free(s);
    scenario_free(&sc);
}

static inline uint32_t fx_addr(const struct sim *s, const char *name)
{
    uint32_t a = 0;
    assert_int_equal(sim_host_lookup(s, name, &a), 0);
    return a;
}

static inline uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

/* A UDP datagram of `dlen` bytes of 'u' into buf; returns its length. */
static inline size_t fx_udp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
                            uint16_t dport, size_t dlen)
{
    uint8_t d[WIRE_MTU];
    memset(d, 'u', sizeof d);
    assert_true(dlen <= sizeof d);
    struct wire_ipv4 ip = { .ttl = 64, .id = 7, .proto = WIRE_PROTO_UDP, .src = src, .dst = dst };
    struct wire_udp u = { .sport = sport, .dport = dport, .payload = d, .payload_len = dlen };
    size_t n = wire_emit_udp(buf, WIRE_MTU, &ip, &u);
    assert_true(n > 0);
    return n;
}

static inline size_t fx_tcp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
                            uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
                            size_t dlen)
{
    uint8_t d[WIRE_MTU];
    memset(d, 't', sizeof d);
    assert_true(dlen <= sizeof d);
    struct wire_ipv4 ip = { .ttl = 64, .id = 9, .proto = WIRE_PROTO_TCP, .src = src, .dst = dst };
    struct wire_tcp t = { .sport = sport, .dport = dport, .seq = seq, .ack = ack,
                          .flags = flags, .window = 1024, .payload = d, .payload_len = dlen };
    size_t n = wire_emit_tcp(buf, WIRE_MTU, &ip, &t);
    assert_true(n > 0);
    return n;
}

static inline size_t fx_echo(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t id,
                             uint16_t seq, const char *data)
{
    struct wire_ipv4 ip = { .ttl = 64, .id = 3, .proto = WIRE_PROTO_ICMP, .src = src, .dst = dst };
    struct wire_icmp ic = { .type = ICMP_ECHO, .id = id, .seq = seq,
                            .rest = (uint32_t)id << 16 | seq, .payload = (const uint8_t *)data,
                            .payload_len = strlen(data) };
    size_t n = wire_emit_icmp(buf, WIRE_MTU, &ip, &ic);
    assert_true(n > 0);
    return n;
}

static inline void fx_parse(const uint8_t *pkt, size_t len, struct wire_pkt *p)
{
    assert_int_equal(wire_parse(pkt, len, p), WIRE_OK);
    assert_int_equal(p->l4_err, WIRE_OK);
    assert_true(p->ip.csum_ok);
}

/* Index of the first recorded event of `kind` whose rule contains `needle`, or -1. */
static inline long fx_find_rule(const struct trace *tr, enum sim_ev_kind kind, const char *needle)
{
    for (size_t i = 0; i < tr->n; i++)
        if (tr->ev[i].kind == kind && strstr(trace_str(tr, tr->ev[i].rule_off), needle))
            return (long)i;
    return -1;
}

/* A simulation of scenario text with a capturing tap on host "scanner" and the trace
 * recorded: test_filter and test_review_sim probe "target" through it. */
struct tap_fx {
    struct sim *s;
    struct cap *c;
    struct trace tr;
    uint32_t sc, target;
};

static inline void tap_fx_open(struct tap_fx *f, const char *text)
{
    f->s = fx_sim(text, 1);
    f->c = cap_new();
    f->sc = fx_addr(f->s, "scanner");
    f->target = fx_addr(f->s, "target");
    assert_int_equal(sim_set_tap(f->s, f->sc, cap_fn, f->c), 0);
    trace_init(&f->tr);
    sim_set_trace(f->s, trace_record, &f->tr);
}

static inline void tap_fx_close(struct tap_fx *f)
{
    trace_free(&f->tr);
    free(f->c);
    sim_free(f->s);
}

#endif
