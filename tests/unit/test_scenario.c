/* test_scenario.c — the scenario language (tcplab-scenario(5)) and the OS presets:
 * the design's whole example parsed field by field, every error as an exact
 * "file:line:col" message, keys overriding a preset in any order, names used before
 * their definition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/wire.h"
#include "sim/scenario.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static const char design_example[] =
    "scenario \"Idle scan through a printer\"     # title, shown by tui and lab\n"
    "seed 42                                    # one PRNG seed for the whole run (default 1)\n"
    "\n"
    "net 198.51.100.0/24 delay 1ms loss 0%      # hosts in this prefix; one-way delay\n"
    "\n"
    "host scanner 198.51.100.10 role scanner    # where `tcplab scan --sim` sends from\n"
    "host zombie  198.51.100.20 os printer      # an os preset sets isn, ipid, ttl, window, options\n"
    "host target  198.51.100.30 os linux tcp 22,80,443 udp 53\n"
    "host quiet   198.51.100.40 ipid random isn random tcp 8080 down   # `down`: answers nothing\n"
    "\n"
    "filter fw at target in stateful            # a middlebox in front of target, inbound\n"
    "  accept tcp from zombie\n"
    "  reject tcp dport 443 with tcp-reset\n"
    "  drop tcp\n"
    "  policy accept\n"
    "\n"
    "traffic zombie -> 198.51.100.99:443 tcp rate 5/s start 0s stop 30s   # background packets\n"
    "connect scanner -> target:80 at 1s send 200 close 2s                # a scripted connection\n"
    "send 203.0.113.5:4444 -> target:22 tcp flags SA seq 1000 ack 2000 win 512 ttl 40 ipid 7 "
    "options mss,sack,ts,nop,wscale data \"hi\\n\" at 2.5s\n"
    "send scanner -> target:53 udp data 10 at 3ms\n"
    "send scanner -> target icmp echo id 7 seq 9 at 1500us\n";

static int parse(const char *text, struct scenario *sc, char *err, size_t errlen)
{
    return scenario_parse("t.scn", text, strlen(text), sc, err, errlen);
}

static void test_design_example(void **state)
{
    (void)state;
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(design_example, &sc, err, sizeof err), 0);
    assert_string_equal(sc.file, "t.scn");
    assert_string_equal(sc.title, "Idle scan through a printer");
    assert_int_equal(sc.seed, 42);

    assert_int_equal(sc.nnets, 1);
    assert_int_equal(sc.nets[0].prefix, IP(198, 51, 100, 0));
    assert_int_equal(sc.nets[0].plen, 24);
    assert_int_equal(sc.nets[0].delay_ns, 1000000);
    assert_int_equal(sc.nets[0].loss_ppm, 0);
    assert_int_equal(sc.nets[0].pos.line, 4);

    assert_int_equal(sc.nhosts, 4);
    const struct scn_host *s = scenario_host(&sc, "scanner"), *z = scenario_host(&sc, "zombie"),
                          *t = scenario_host(&sc, "target"), *q = scenario_host(&sc, "quiet");
    assert_non_null(s);
    assert_non_null(z);
    assert_non_null(t);
    assert_non_null(q);
    assert_null(scenario_host(&sc, "nobody"));
    assert_int_equal(s->addr, IP(198, 51, 100, 10));
    assert_true(s->scanner);
    assert_false(z->scanner || t->scanner || q->scanner);
    /* no os key: os_default()'s TCP as a plain stack, every IP-ID from its generator */
    assert_string_equal(s->pers.os, "custom");
    assert_true(s->pers.linux_stack);
    assert_false(s->pers.rst_df_zero_id || s->pers.synack_df_zero_id);
    assert_int_equal(z->addr, IP(198, 51, 100, 20));
    assert_string_equal(z->pers.os, "printer");
    assert_int_equal(z->pers.ipid.kind, GEN_IPID_GLOBAL);
    assert_int_equal(z->pers.opt_style, OS_OPTS_WINDOWS);   /* JetDirect: MSS, NOP,WS, NOP,NOP,TS */
    assert_int_equal(t->pers.ttl, 64);
    assert_int_equal(t->pers.window, 64240);
    assert_true(scn_port_in(t->tcp, 22) && scn_port_in(t->tcp, 80) && scn_port_in(t->tcp, 443));
    assert_false(scn_port_in(t->tcp, 21) || scn_port_in(t->tcp, 53) || scn_port_in(t->tcp, 444));
    assert_true(scn_port_in(t->udp, 53));
    assert_false(scn_port_in(t->udp, 22));
    assert_false(t->down);
    assert_int_equal(q->pers.ipid.kind, GEN_IPID_RANDOM);
    assert_int_equal(q->pers.isn.kind, GEN_ISN_RANDOM);
    assert_int_equal(q->pers.ttl, 64); /* the rest from linux */
    assert_true(scn_port_in(q->tcp, 8080));
    assert_true(q->down);
    assert_int_equal(q->pos.line, 9);
    assert_int_equal(q->pos.col, 1);

    assert_int_equal(sc.nfilters, 1);
    const struct scn_filter *f = &sc.filters[0];
    assert_string_equal(f->name, "fw");
    assert_string_equal(f->host, "target");
    assert_int_equal(f->host_addr, IP(198, 51, 100, 30));
    assert_true(f->inbound);
    assert_true(f->stateful);
    assert_int_equal(f->policy, SCN_ACCEPT);
    assert_int_equal(f->nrules, 3);
    assert_int_equal(f->rules[0].action, SCN_ACCEPT);
    assert_int_equal(f->rules[0].proto, WIRE_PROTO_TCP);
    assert_true(f->rules[0].has_from);
    assert_false(f->rules[0].has_to);
    assert_int_equal(f->rules[0].from, IP(198, 51, 100, 20));
    assert_int_equal(f->rules[0].from_mask, 0xFFFFFFFF);
    assert_string_equal(f->rules[0].text, "accept tcp from zombie");
    assert_int_equal(f->rules[1].action, SCN_REJECT);
    assert_int_equal(f->rules[1].reject, SCN_REJ_TCP_RESET);
    assert_int_equal(f->rules[1].ndport, 1);
    assert_int_equal(f->rules[1].dport[0].lo, 443);
    assert_int_equal(f->rules[1].dport[0].hi, 443);
    assert_int_equal(f->rules[1].nsport, 0);
    assert_string_equal(f->rules[1].text, "reject tcp dport 443 with tcp-reset");
    assert_int_equal(f->rules[1].pos.line, 13);
    assert_int_equal(f->rules[1].pos.col, 3);
    assert_int_equal(f->rules[2].action, SCN_DROP);
    assert_int_equal(f->rules[2].proto, WIRE_PROTO_TCP);
    assert_false(f->rules[2].has_from || f->rules[2].has_flags);

    assert_int_equal(sc.ntraffic, 1);
    assert_int_equal(sc.traffic[0].from, IP(198, 51, 100, 20));
    assert_int_equal(sc.traffic[0].to, IP(198, 51, 100, 99));
    assert_int_equal(sc.traffic[0].dport, 443);
    assert_int_equal(sc.traffic[0].proto, WIRE_PROTO_TCP);
    assert_int_equal(sc.traffic[0].rate, 5);
    assert_int_equal(sc.traffic[0].start_ns, 0);
    assert_int_equal(sc.traffic[0].stop_ns, 30000000000ULL);

    assert_int_equal(sc.nconnects, 1);
    assert_int_equal(sc.connects[0].from, IP(198, 51, 100, 10));
    assert_int_equal(sc.connects[0].to, IP(198, 51, 100, 30));
    assert_int_equal(sc.connects[0].dport, 80);
    assert_int_equal(sc.connects[0].at_ns, 1000000000ULL);
    assert_int_equal(sc.connects[0].send_bytes, 200);
    assert_true(sc.connects[0].has_close);
    assert_int_equal(sc.connects[0].close_ns, 2000000000ULL);

    assert_int_equal(sc.nsends, 3);
    const struct scn_send *p = &sc.sends[0];
    assert_int_equal(p->from, IP(203, 0, 113, 5));
    assert_true(p->has_sport);
    assert_int_equal(p->sport, 4444);
    assert_int_equal(p->to, IP(198, 51, 100, 30));
    assert_int_equal(p->dport, 22);
    assert_int_equal(p->proto, WIRE_PROTO_TCP);
    assert_int_equal(p->flags, TCP_SYN | TCP_ACK);
    assert_true(p->has_seq && p->has_ack && p->has_win && p->has_ttl && p->has_ipid);
    assert_int_equal(p->seq, 1000);
    assert_int_equal(p->ack, 2000);
    assert_int_equal(p->win, 512);
    assert_int_equal(p->ttl, 40);
    assert_int_equal(p->ipid, 7);
    assert_int_equal(p->nopts, 5);
    const uint8_t opts[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS, TCPOPT_NOP, TCPOPT_WSCALE };
    assert_memory_equal(p->opts, opts, 5);
    assert_int_equal(p->data_len, 3);
    assert_memory_equal(p->data, "hi\n", 3);
    assert_int_equal(p->at_ns, 2500000000ULL);
    p = &sc.sends[1];
    assert_false(p->has_sport); /* drawn by the simulator */
    assert_int_equal(p->proto, WIRE_PROTO_UDP);
    assert_int_equal(p->dport, 53);
    assert_int_equal(p->data_len, 10);
    assert_memory_equal(p->data, "XXXXXXXXXX", 10);
    assert_int_equal(p->at_ns, 3000000);
    assert_false(p->has_ttl);
    p = &sc.sends[2];
    assert_int_equal(p->proto, WIRE_PROTO_ICMP);
    assert_int_equal(p->icmp_id, 7);
    assert_int_equal(p->icmp_seq, 9);
    assert_int_equal(p->at_ns, 1500000);
    scenario_free(&sc);
    assert_int_equal(sc.nhosts, 0);
    assert_null(sc.hosts);
}

/* A send's options with values: ts:V:E, sack:L-R:L-R (SACK blocks), mss:N, wscale:N. */
static void test_send_option_values(void **state)
{
    (void)state;
    struct scenario sc;
    char err[256];
    const char *text =
        "host a 1.2.3.4\n"
        "send a -> 1.2.3.5:80 tcp flags A options nop,nop,ts:120:7,nop,nop,"
        "sack:1101-1111:1301-1311 at 1s\n"
        "send a -> 1.2.3.5:80 tcp flags S options mss:1200,sack,wscale:3,ts at 2s\n";
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    const struct scn_send *p = &sc.sends[0];
    assert_int_equal(p->nopts, 6);
    const uint8_t k0[] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK };
    assert_memory_equal(p->opts, k0, sizeof k0);
    assert_true(p->ov.has_ts);
    assert_int_equal(p->ov.tsval, 120);
    assert_int_equal(p->ov.tsecr, 7);
    assert_int_equal(p->ov.nsack, 2);
    assert_int_equal(p->ov.sack[0][0], 1101);
    assert_int_equal(p->ov.sack[0][1], 1111);
    assert_int_equal(p->ov.sack[1][0], 1301);
    assert_int_equal(p->ov.sack[1][1], 1311);
    p = &sc.sends[1];
    const uint8_t k1[] = { TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_WSCALE, TCPOPT_TS };
    assert_memory_equal(p->opts, k1, sizeof k1);
    assert_true(p->ov.has_mss && p->ov.has_wscale && !p->ov.has_ts);
    assert_int_equal(p->ov.mss, 1200);
    assert_int_equal(p->ov.wscale, 3);
    assert_int_equal(p->ov.nsack, 0);
    scenario_free(&sc);
    static const struct { const char *opt, *msg; } bad[] = {
        { "ts:1", "t.scn:2:45: error: expected ts:TSVAL:TSECR, found '1'" },
        { "ts:1:2:3", "t.scn:2:45: error: expected ts:TSVAL:TSECR, found '1:2:3'" },
        { "ts:x:1", "t.scn:2:45: error: expected a TSval 0-4294967295, found 'x'" },
        { "sack:5", "t.scn:2:47: error: expected a SACK block LEFT-RIGHT, found '5'" },
        { "sack:1-2:3-4:5-6:7-8:9-10",
          "t.scn:2:63: error: expected at most 4 SACK blocks, found '9-10'" },
        { "sack:1-2,sack:3-4", "t.scn:2:51: error: expected one list of SACK blocks, found "
                               "'sack:3-4' (a second time)" },
        { "mss:1:2", "t.scn:2:46: error: expected mss:N (one value), found '1:2'" },
        { "nop:3", "t.scn:2:46: error: expected no value after nop, found '3'" },
        { "nop,nop,ts:1:2,nop,nop,sack:1-2:3-4:5-6:7-8",
          "t.scn:2:65: error: expected at most 8 options and 40 bytes, found "
          "'sack:1-2:3-4:5-6:7-8'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[256];
        snprintf(line, sizeof line, "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags A options %s at 1s\n",
                 bad[i].opt);
        assert_int_equal(parse(line, &sc, err, sizeof err), -1);
        if (strcmp(err, bad[i].msg) != 0)
            fprintf(stderr, "case %zu:\n  got:  %s\n  want: %s\n", i, err, bad[i].msg);
        assert_string_equal(err, bad[i].msg);
    }
    /* a host's layout takes names only */
    assert_int_equal(parse("host a 1.2.3.4 options mss:1200\n", &sc, err, sizeof err), -1);
}

/* Each mistake gives exactly one message, with the file, line and column of the culprit. */
static void test_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } cases[] = {
        { "hots a 1.2.3.4\n",
          "t.scn:1:1: error: expected a statement (scenario, seed, net, host, hosts, filter, traffic, connect, send), found 'hots'" },
        { "# comment\nhost a 1.2.3.256\n",
          "t.scn:2:8: error: expected an IPv4 address, found '1.2.3.256'" },
        { "host a 1.2.3.4 tcp 22,x\n", "t.scn:1:23: error: expected a port number, found 'x'" },
        { "host a 1.2.3.4 tcp 70000\n", "t.scn:1:20: error: expected a port in 0-65535, found '70000'" },
        { "host a 1.2.3.4 tcp 22,90-80\n",
          "t.scn:1:23: error: expected a range LOW-HIGH with LOW <= HIGH, found '90-80'" },
        { "host a 1.2.3.4 tcp 22,\n", "t.scn:1:23: error: expected a port number, found nothing" },
        { "host a 1.2.3.4 ttl\n", "t.scn:1:19: error: expected a TTL 1-255, found end of line" },
        { "host a 1.2.3.4 ttl 300\n", "t.scn:1:20: error: expected a TTL 1-255, found '300'" },
        { "host a 1.2.3.4 os solaris\n",
          "t.scn:1:19: error: expected an os preset (linux, freebsd, openbsd, windows, bsd43, printer), found 'solaris'" },
        { "host a 1.2.3.4 isn random-inc:0\n",
          "t.scn:1:20: error: expected an ISN generator (constant[:N], bsd64k, clock250k, random-inc[:MAX], rfc6528, random), found 'random-inc:0'" },
        { "host a 1.2.3.4 ipid counter\n",
          "t.scn:1:21: error: expected an IP-ID generator (global[:STEP], global-swapped, per-dest, hashed[:BUCKETS], hashed-2014[:BUCKETS], zero, random), found 'counter'" },
        { "host a 1.2.3.4 ttl 5 ttl 6\n",
          "t.scn:1:22: error: expected each host key at most once, found 'ttl' (a second time)" },
        { "host a 1.2.3.4 colour blue\n",
          "t.scn:1:16: error: expected a host key (os, isn, ipid, ttl, window, mss, tcp, udp, down, role, rst-rate, icmp-rate, challenge-ack, backlog, options, syncookies, service), found 'colour'" },
        { "host a 1.2.3.4 tcp 514 from\n",
          "t.scn:1:28: error: expected an IPv4 address or a host's name, found end of line" },
        { "host a 1.2.3.4 tcp 514 from nobody\n",
          "t.scn:1:29: error: expected an IPv4 address or a host's name, found 'nobody'" },
        { "host a 1.2.3.4 tcp 1-9 from 1.2.3.5\n",
          "t.scn:1:20: error: expected at most 8 ports with 'from' on a host, found '1-9'" },
        { "host a 1.2.3.4 syncookies maybe\n", "t.scn:1:27: error: expected on or off, found 'maybe'" },
        { "host a 1.2.3.4 challenge-ack sometimes\n",
          "t.scn:1:30: error: expected on, off, N/s, N/s random, linux-3.6, linux-4.0, linux-4.7 or linux-6.0, found 'sometimes'" },
        { "host a 1.2.3.4 rst-rate 200\n", "t.scn:1:25: error: expected a rate N/s, found '200'" },
        { "host a 1.2.3.4 role victim\n", "t.scn:1:21: error: expected 'scanner' (the only role), found 'victim'" },
        { "host a 1.2.3.4\nhost a 1.2.3.5\n",
          "t.scn:2:6: error: expected a new host name, found 'a' (already defined at line 1)" },
        { "host a 1.2.3.4\nhost b 1.2.3.4\n",
          "t.scn:2:8: error: expected an address no other host has, found '1.2.3.4' (already host a's, line 1)" },
        { "host abcdefghijabcdefghijabcdefghijab 1.2.3.4\n",
          "t.scn:1:6: error: expected a name of at most 31 characters, found 'abcdefghijabcdefghijabcdefghijab'" },
        { "host 9lives 1.2.3.4\n", "t.scn:1:6: error: expected a host name, found '9lives'" },
        { "  accept tcp\n",
          "t.scn:1:3: error: expected a statement, found 'accept' (a rule line must be indented under a filter)" },
        { "host a 1.2.3.4\nfilter f at a in\naccept tcp\n",
          "t.scn:3:1: error: expected a statement, found 'accept' (a rule line must be indented under a filter)" },
        { "host a 1.2.3.4\nfilter f at a in\n  allow tcp\n",
          "t.scn:3:3: error: expected a filter rule (accept, drop, reject or policy), found 'allow'" },
        { "host a 1.2.3.4\nfilter f at a sideways\n", "t.scn:2:15: error: expected 'in' or 'out', found 'sideways'" },
        { "host a 1.2.3.4\nfilter f at a in\n  reject udp with tcp-reset\n",
          "t.scn:3:19: error: expected tcp-reset only in a tcp rule, found 'tcp-reset'" },
        { "host a 1.2.3.4\nfilter f at a in\n  drop icmp dport 80\n",
          "t.scn:3:13: error: expected a port match only with tcp or udp, found 'dport'" },
        { "host a 1.2.3.4\nfilter f at a in\n  drop udp flags S\n",
          "t.scn:3:12: error: expected a flags match only with tcp, found 'flags'" },
        { "host a 1.2.3.4\nfilter f at a in\n  drop tcp dport 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n",
          "t.scn:3:57: error: expected at most 16 ports or ranges in one rule, found '17'" },
        { "host a 1.2.3.4\nfilter f at a in\n  drop tcp flags SA/S\n",
          "t.scn:3:18: error: expected flags that are inside their /MASK, found 'SA/S'" },
        { "host a 1.2.3.4\nfilter f at a in\n  policy reject\n",
          "t.scn:3:10: error: expected 'accept' or 'drop', found 'reject'" },
        { "host a 1.2.3.4\nfilter f at a in\n  policy drop\n  policy accept\n",
          "t.scn:4:3: error: expected one 'policy' per filter, found 'policy' (already set)" },
        { "host a 1.2.3.4\nfilter f at a in\n  drop tcp from 10.0.0.0/33\n",
          "t.scn:3:26: error: expected a prefix length 0-32, found '33'" },
        { "net 10.0.0.0/8 delay 5m\n", "t.scn:1:22: error: expected a time unit (ns, us, ms or s), found '5m'" },
        { "net 10.0.0.0/8 delay fast\n", "t.scn:1:22: error: expected a time such as 500ms or 1.5s, found 'fast'" },
        { "net 10.0.0.0/8 delay 1.0000000001s\n",
          "t.scn:1:22: error: expected a time such as 500ms or 1.5s, found '1.0000000001s'" },
        { "net 10.0.0.0/8 loss 101%\n", "t.scn:1:21: error: expected a percentage from 0% to 100%, found '101%'" },
        { "net 10.0.0.0/8 loss 5\n",
          "t.scn:1:21: error: expected a percentage such as 0.5% (at most 4 decimals), found '5'" },
        { "scenario \"abc\n", "t.scn:1:10: error: expected a closing '\"', found end of line" },
        { "scenario abc\n", "t.scn:1:10: error: expected a quoted title, found 'abc'" },
        { "seed 42 43\n", "t.scn:1:9: error: expected end of line, found '43'" },
        { "seed -1\n", "t.scn:1:6: error: expected a seed (0 to 2^64-1), found '-1'" },
        { "host a 1.2.3.4\nconnect a -> nobody:80 at 1s\n",
          "t.scn:2:14: error: expected an IPv4 address or host name, found 'nobody' (no host of that name is defined)" },
        { "host a 1.2.3.4\nconnect a -> 1.2.3.5 at 1s\n",
          "t.scn:2:14: error: expected ADDRESS:PORT, found '1.2.3.5'" },
        { "host a 1.2.3.4\nsend a -> a udp at 1s\n", "t.scn:2:11: error: expected ADDRESS:PORT, found 'a'" },
        { "host a 1.2.3.4\nconnect a => 1.2.3.5:80 at 1s\n", "t.scn:2:11: error: expected '->', found '=>'" },
        { "host a 1.2.3.4\nconnect a -> 1.2.3.5:80 at 2s close 1s\n",
          "t.scn:2:37: error: expected a close time not before the 'at' time, found '1s'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags S\n", "t.scn:2:33: error: expected 'at T', found end of line" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp at 1s\n",
          "t.scn:2:31: error: expected 'flags FLAGS' (letters such as S or SA, or none), found end of line" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags SX at 1s\n",
          "t.scn:2:33: error: expected a TCP flag letter (S A F R P U E C), found 'X'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:99999 tcp flags S at 1s\n",
          "t.scn:2:19: error: expected a port in 0-65535, found '99999'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 icmp echo at 1s\n",
          "t.scn:2:18: error: expected an address without a port for icmp, found ':80'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5 icmp ping at 1s\n",
          "t.scn:2:24: error: expected 'echo' or 'timestamp' (the ICMP message sent by hand), found 'ping'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:53 udp flags S at 1s\n",
          "t.scn:2:26: error: expected a key (data, ttl, ipid, at), found 'flags'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags S options mss,bogus at 1s\n",
          "t.scn:2:46: error: expected a TCP option (mss, sack, ts, nop, wscale; ts:V:E, "
          "sack:L-R, mss:N, wscale:N), found 'bogus'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags S options ts,ts,ts,ts,ts at 1s\n",
          "t.scn:2:54: error: expected at most 8 options and 40 bytes, found 'ts'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags S data 1449 at 1s\n",
          "t.scn:2:39: error: expected a byte count 0-1448 or a quoted string, found '1449'" },
        /* Issue 13: a byte count TCP's sequence space cannot hold (2^31 wrapped: 4294967295
         * sent nothing) and times that would wrap the clock once a delay is added. */
        { "host a 1.2.3.4\nconnect a -> 1.2.3.5:80 at 1s send 2147483648\n",
          "t.scn:2:36: error: expected a byte count of at most 2147483647 (2^31 - 1) or a \"string\", found "
          "'2147483648'" },
        { "host a 1.2.3.4\nconnect a -> 1.2.3.5:80 at 1s send 4294967295\n",
          "t.scn:2:36: error: expected a byte count of at most 2147483647 (2^31 - 1) or a \"string\", found "
          "'4294967295'" },
        { "net 1.2.3.0/24 delay 18446744073s\n",
          "t.scn:1:22: error: expected a time of at most 100 years (3155760000s), so that the "
          "virtual clock cannot wrap, found '18446744073s'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags S at 3155760000.000000001s\n",
          "t.scn:2:37: error: expected a time of at most 100 years (3155760000s), so that the "
          "virtual clock cannot wrap, found '3155760000.000000001s'" },
        { "host a 1.2.3.4\nsend a -> 1.2.3.5:80 tcp flags S at 1.5ns\n",
          "t.scn:2:37: error: expected a time in whole nanoseconds, found '1.5ns'" },
        { "host a 1.2.3.4\ntraffic a -> 1.2.3.5:80 tcp rate 0/s stop 1s\n",
          "t.scn:2:34: error: expected a rate of at least 1/s, found '0/s'" },
        { "host a 1.2.3.4\ntraffic a -> 1.2.3.5:80 tcp rate 5/s\n", "t.scn:2:37: error: expected 'stop T', found end of line" },
        { "host a 1.2.3.4\ntraffic a -> 1.2.3.5:80 tcp start 5s stop 1s rate 1/s\n",
          "t.scn:2:43: error: expected a stop time not before the start time, found '1s'" },
        { "host a 1.2.3.4\ntraffic a -> 1.2.3.5:80 sctp rate 1/s stop 1s\n",
          "t.scn:2:25: error: expected a protocol (tcp, udp or icmp), found 'sctp'" },
        { "host a 1.2.3.4 role scanner\nhost b 1.2.3.5 role scanner\n",
          "t.scn:2:16: error: expected at most one host with 'role scanner', found 'role'" },
        { "scenario \"a\"x\n", "t.scn:1:13: error: expected a blank after the closing '\"', found 'x'" },
        /* An MSS the 1500-byte links cannot carry, or below Linux's TCP_MIN_MSS (mss 1 made
         * TCP send 48-byte segments out of a 1-byte buffer: a heap over-read). */
        { "host a 1.2.3.4 mss 1\n", "t.scn:1:20: error: expected an MSS 88-1460, found '1'" },
        { "host a 1.2.3.4 mss 9000\n", "t.scn:1:20: error: expected an MSS 88-1460, found '9000'" },
        /* The host key `options`: send's list syntax and limits, plus what a stack's layout
         * needs (mss, each option once, no NOP padding nothing). */
        { "host a 1.2.3.4 options\n",
          "t.scn:1:23: error: expected an option list such as mss,sack,ts,nop,wscale, found end of line" },
        { "host a 1.2.3.4 options mss,bogus\n",
          "t.scn:1:28: error: expected a TCP option (mss, sack, ts, nop, wscale), found 'bogus'" },
        { "host a 1.2.3.4 options mss,,ts\n",
          "t.scn:1:28: error: expected a TCP option (mss, sack, ts, nop, wscale), found nothing" },
        { "host a 1.2.3.4 options mss,nop,nop,nop,nop,nop,nop,nop,wscale\n",
          "t.scn:1:56: error: expected at most 8 options and 40 bytes, found 'wscale'" },
        { "host a 1.2.3.4 options mss,ts,sack,ts\n",
          "t.scn:1:36: error: expected each option at most once, found 'ts' (a second time)" },
        { "host a 1.2.3.4 options mss,nop\n",
          "t.scn:1:28: error: expected a list ending in mss, sack, ts or wscale, found 'nop' (a NOP pads the option after it)" },
        { "host a 1.2.3.4 options nop,wscale,sack\n",
          "t.scn:1:24: error: expected an option list that includes mss, found 'nop,wscale,sack' (every SYN and SYN-ACK carries it)" },
        { "host a 1.2.3.4 options mss os linux options mss,ts\n",
          "t.scn:1:37: error: expected each host key at most once, found 'options' (a second time)" },
        /* Linux's tcp_challenge_ack_limit is an int; N/2 + N - 1 must not wrap. */
        { "host a 1.2.3.4 challenge-ack 4294967295/s random\n",
          "t.scn:1:30: error: expected a rate of at most 2147483647/s, found '4294967295/s'" },
        /* A port match then icmp: the rule could never match; said as for icmp then ports. */
        { "host a 1.2.3.4\nfilter f at a in\n  drop dport 80 icmp\n",
          "t.scn:3:17: error: expected tcp or udp (the rule matches ports), found 'icmp'" },
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct scenario sc;
        char err[512] = "";
        int rc = parse(cases[i].text, &sc, err, sizeof err);
        if (rc != -1 || strcmp(err, cases[i].msg) != 0) {
            print_error("case %zu: rc %d\n  got:  %s\n  want: %s\n", i, rc, err, cases[i].msg);
            bad++;
        }
        assert_int_equal(sc.nhosts, 0); /* freed and zeroed */
        assert_null(sc.hosts);
    }
    assert_int_equal(bad, 0);
}

/* `tcp PORTS from ADDR|HOST` and `syncookies` (tests/unit/test_tcp_listenq.c: what they do). */
static void test_trust_and_syncookies(void **state)
{
    (void)state;
    const char *text =
        "host srv 10.0.0.1 os bsd43 tcp 22 tcp 513-514 from trusted tcp 600 from 10.0.0.9\n"
        "host trusted 10.0.0.2 os bsd43 tcp 513\n"
        "host lx 10.0.0.3 os linux syncookies off\n"
        "host lx2 10.0.0.4 os linux\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    const struct scn_host *srv = scenario_host(&sc, "srv");
    assert_int_equal(srv->ntrust, 3);
    assert_int_equal(srv->trust[0].port, 513);
    assert_int_equal(srv->trust[0].addr, 0x0A000002u);
    assert_int_equal(srv->trust[1].port, 514);
    assert_int_equal(srv->trust[2].port, 600);
    assert_int_equal(srv->trust[2].addr, 0x0A000009u);
    assert_true(scn_port_in(srv->tcp, 22) && scn_port_in(srv->tcp, 514) && scn_port_in(srv->tcp, 600));
    assert_true(srv->pers.bsd_listen_queue);
    assert_int_equal(srv->pers.synrecv_keep_ms, 75000);
    assert_false(srv->pers.syncookies);
    assert_false(scenario_host(&sc, "lx")->pers.syncookies);
    assert_true(scenario_host(&sc, "lx2")->pers.syncookies);
    assert_false(scenario_host(&sc, "lx2")->pers.bsd_listen_queue);
    scenario_free(&sc);
}

/* `os` is applied first, whatever its position; the other keys override it. */
static void test_overrides_after_os(void **state)
{
    (void)state;
    const char *text =
        "host a 10.0.0.1 ttl 99 window 1000 os bsd43 ipid hashed:4096 challenge-ack on backlog 64\n"
        "host b 10.0.0.2 challenge-ack 100/s os linux rst-rate 50/s icmp-rate 7/s mss 536\n"
        "host c 10.0.0.3 challenge-ack 1000/s random isn constant:5 os windows\n"
        "host d 10.0.0.4 os linux challenge-ack on\n"
        "host e 10.0.0.5 challenge-ack off isn random-inc:800 ipid global:2\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    const struct scn_host *a = scenario_host(&sc, "a"), *b = scenario_host(&sc, "b"),
                          *c = scenario_host(&sc, "c"), *d = scenario_host(&sc, "d"),
                          *e = scenario_host(&sc, "e");
    assert_string_equal(a->pers.os, "bsd43");
    assert_int_equal(a->pers.ttl, 99);
    assert_int_equal(a->pers.window, 1000);
    assert_int_equal(a->pers.isn.kind, GEN_ISN_BSD64K); /* from the preset */
    assert_int_equal(a->pers.ipid.kind, GEN_IPID_HASHED);
    assert_int_equal(a->pers.ipid.param, 4096);
    assert_int_equal(a->pers.chack, CHACK_RANDOM); /* bsd43 has none: Linux 4.7+ default */
    assert_int_equal(a->pers.chack_limit, 1000);
    assert_int_equal(a->pers.backlog, 64);
    assert_int_equal(a->pers.opt_style, OS_OPTS_MSS_ONLY);
    assert_int_equal(b->pers.chack, CHACK_FIXED);
    assert_int_equal(b->pers.chack_limit, 100);
    assert_int_equal(b->pers.rst_rate, 50);
    assert_int_equal(b->pers.icmp_rate, 7);
    assert_int_equal(b->pers.mss, 536);
    assert_int_equal(b->pers.ttl, 64);
    assert_int_equal(c->pers.chack, CHACK_RANDOM);
    assert_int_equal(c->pers.chack_limit, 1000);
    assert_int_equal(c->pers.isn.kind, GEN_ISN_CONSTANT);
    assert_int_equal(c->pers.isn.param, 5);
    assert_int_equal(c->pers.ttl, 128);
    assert_true(c->pers.rst_on_fin_open);
    assert_int_equal(d->pers.chack, CHACK_UNLIMITED); /* linux's own mode */
    assert_int_equal(e->pers.chack, CHACK_OFF);
    assert_int_equal(e->pers.isn.kind, GEN_ISN_RANDOM_INC);
    assert_int_equal(e->pers.isn.param, 800);
    assert_int_equal(e->pers.ipid.kind, GEN_IPID_GLOBAL);
    assert_int_equal(e->pers.ipid.param, 2);
    scenario_free(&sc);
}

/* `options LIST` overrides the preset's layout wherever it stands on the line, sets which
 * options the stack supports, and leaves every other field (opt_style, linux_stack) as the
 * preset has it. No key: no layout. */
static void test_host_options(void **state)
{
    (void)state;
    const char *text =
        "host a 10.0.0.1 os linux options mss\n"
        "host b 10.0.0.2 options mss,nop,nop,sack,nop,wscale os printer\n"
        "host c 10.0.0.3 options wscale,ts,mss\n"
        "host d 10.0.0.4 os freebsd\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    const struct scn_host *a = scenario_host(&sc, "a"), *b = scenario_host(&sc, "b"),
                          *c = scenario_host(&sc, "c"), *d = scenario_host(&sc, "d");
    assert_string_equal(a->pers.os, "linux");
    assert_int_equal(a->pers.opt_style, OS_OPTS_LINUX);
    assert_true(a->pers.linux_stack);
    assert_int_equal(a->pers.opt_layout_n, 1);
    assert_int_equal(a->pers.opt_layout[0], TCPOPT_MSS);
    assert_false(a->pers.opt_sack || a->pers.opt_ts || a->pers.opt_wscale);
    assert_int_equal(a->pers.wscale, 10);          /* the preset's, unused without wscale */
    uint8_t bl[] = { TCPOPT_MSS, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOPT_NOP,
                     TCPOPT_WSCALE };
    assert_string_equal(b->pers.os, "printer");
    assert_int_equal(b->pers.opt_style, OS_OPTS_WINDOWS);
    assert_int_equal(b->pers.opt_layout_n, sizeof bl);
    assert_memory_equal(b->pers.opt_layout, bl, sizeof bl);
    assert_true(b->pers.opt_sack && b->pers.opt_wscale);
    assert_false(b->pers.opt_ts);
    assert_int_equal(b->pers.ipid.kind, GEN_IPID_GLOBAL);
    uint8_t cl[] = { TCPOPT_WSCALE, TCPOPT_TS, TCPOPT_MSS };
    assert_string_equal(c->pers.os, "custom");     /* no os key: os_default(), plain IP-IDs */
    assert_int_equal(c->pers.opt_layout_n, sizeof cl);
    assert_memory_equal(c->pers.opt_layout, cl, sizeof cl);
    assert_true(c->pers.opt_ts && c->pers.opt_wscale);
    assert_false(c->pers.opt_sack);
    assert_int_equal(d->pers.opt_layout_n, 0);     /* the preset's own layout */
    assert_true(d->pers.opt_sack && d->pers.opt_ts && d->pers.opt_wscale);
    scenario_free(&sc);
}

/* A name stands wherever an address may, even before the line that defines it. */
/* Where iptables needs -p tcp spelled out, the language infers it. */
static void test_inferred_protocols(void **state)
{
    (void)state;
    const char *text =
        "host a 198.51.100.1\n"
        "filter f at a in\n"
        "  drop dport 22,80\n"
        "  reject dport 443 with tcp-reset\n"
        "  accept flags syn\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    const struct scn_filter *f = &sc.filters[0];
    assert_int_equal(f->nrules, 3);
    assert_int_equal(f->rules[0].proto, 0);            /* TCP and UDP alike */
    assert_int_equal(f->rules[0].ndport, 2);
    assert_int_equal(f->rules[1].proto, WIRE_PROTO_TCP);
    assert_int_equal(f->rules[1].reject, SCN_REJ_TCP_RESET);
    assert_int_equal(f->rules[2].proto, WIRE_PROTO_TCP);
    scenario_free(&sc);
}

static void test_names_before_definition(void **state)
{
    (void)state;
    const char *text =
        "filter gate at web out\n"
        "  accept udp from client/24 to web sport 53,5000-5010\n"
        "  accept tcp flags syn\n"
        "  drop tcp flags FPU/FPUSA\n"
        "  reject with icmp-admin-prohibited\n"
        "  policy drop\n"
        "net web/16\n"
        "connect client -> web:443 at 250ms\n"
        "send web:80 -> client:1234 tcp flags none at 0.000000001s\n"
        "host web 172.16.5.9 tcp 8000-8010\n"
        "host client 192.168.7.77\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    const struct scn_filter *f = &sc.filters[0];
    assert_string_equal(f->host, "web");
    assert_int_equal(f->host_addr, IP(172, 16, 5, 9));
    assert_false(f->inbound || f->stateful);
    assert_int_equal(f->policy, SCN_DROP);
    assert_int_equal(f->nrules, 4);
    assert_int_equal(f->rules[0].from, IP(192, 168, 7, 0));
    assert_int_equal(f->rules[0].from_mask, 0xFFFFFF00);
    assert_int_equal(f->rules[0].to, IP(172, 16, 5, 9));
    assert_int_equal(f->rules[0].nsport, 2);
    assert_int_equal(f->rules[0].sport[1].lo, 5000);
    assert_int_equal(f->rules[0].sport[1].hi, 5010);
    assert_int_equal(f->rules[1].flags_mask, TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);
    assert_int_equal(f->rules[1].flags_value, TCP_SYN);
    assert_int_equal(f->rules[2].flags_mask, TCP_FIN | TCP_PSH | TCP_URG | TCP_SYN | TCP_ACK);
    assert_int_equal(f->rules[2].flags_value, TCP_FIN | TCP_PSH | TCP_URG);
    assert_int_equal(f->rules[3].action, SCN_REJECT);
    assert_int_equal(f->rules[3].reject, SCN_REJ_ADMIN_PROHIB);
    assert_int_equal(f->rules[3].proto, 0);
    assert_int_equal(sc.nets[0].prefix, IP(172, 16, 0, 0));
    assert_int_equal(sc.connects[0].from, IP(192, 168, 7, 77));
    assert_int_equal(sc.connects[0].at_ns, 250000000);
    assert_false(sc.connects[0].has_close);
    assert_int_equal(sc.sends[0].sport, 80);
    assert_int_equal(sc.sends[0].flags, 0);
    assert_int_equal(sc.sends[0].at_ns, 1);
    const struct scn_host *w = scenario_host(&sc, "web");
    for (unsigned p = 7990; p < 8020; p++)
        assert_int_equal(scn_port_in(w->tcp, (uint16_t)p), p >= 8000 && p <= 8010);
    assert_int_equal(sc.seed, 1); /* default */
    assert_string_equal(sc.title, "");
    scenario_free(&sc);
}

static void test_values(void **state)
{
    (void)state;
    const char *text = "net 10.1.2.3/8 delay 250us loss 0.5%\r\n"
                       "net 10.2.0.0/16 delay 1.5s loss 12.3456%\n"
                       "net 10.3.0.0 delay 10ns loss 100%\n"
                       "seed 0xFFFFFFFFFFFFFFFF\n"
                       "scenario \"say \\\"hi\\\" # not a comment\"\n";
    struct scenario sc;
    char err[256];
    assert_int_equal(parse(text, &sc, err, sizeof err), 0);
    assert_int_equal(sc.nets[0].prefix, IP(10, 0, 0, 0)); /* masked */
    assert_int_equal(sc.nets[0].delay_ns, 250000);
    assert_int_equal(sc.nets[0].loss_ppm, 5000);
    assert_int_equal(sc.nets[1].delay_ns, 1500000000ULL);
    assert_int_equal(sc.nets[1].loss_ppm, 123456);
    assert_int_equal(sc.nets[2].plen, 32);
    assert_int_equal(sc.nets[2].delay_ns, 10);
    assert_int_equal(sc.nets[2].loss_ppm, 1000000);
    assert_int_equal(sc.seed, UINT64_MAX);
    assert_string_equal(sc.title, "say \"hi\" # not a comment");
    scenario_free(&sc);
}

static void test_load_file(void **state)
{
    (void)state;
    struct scenario sc;
    char err[256];
    assert_int_equal(scenario_load_file("/nonexistent/x.scn", &sc, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x.scn: No such file or directory");
    char path[] = "/tmp/test_scenario_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("host a 1.2.3.4\nhost b 1.2.3.4x\n", f);
    fclose(f);
    assert_int_equal(scenario_load_file(path, &sc, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:2:8: error: expected an IPv4 address, found '1.2.3.4x'", path);
    assert_string_equal(err, want);
    remove(path);
}

/* Garbage, NULs, huge lines: an error message, never a crash, never an overflow. */
static void test_hostile_input(void **state)
{
    (void)state;
    struct scenario sc;
    char err[64]; /* short: messages are cut, not overflowed */
    static const char nul[] = "host a\0 1.2.3.4\n";
    assert_int_equal(scenario_parse("t", nul, sizeof nul - 1, &sc, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "t:1:6: error: expected a host name", 34), 0);
    size_t n = 100000;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    memcpy(big, "host ", 5);
    big[n] = '\0';
    assert_int_equal(parse(big, &sc, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "t.scn:1:6: error: expected a name of at most 31", 47), 0);
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 3) ? ' ' : 'x';
    char err2[128];
    assert_int_equal(parse(big, &sc, err2, sizeof err2), -1);
    assert_string_equal(err2, "t.scn:1:12289: error: expected at most 4096 words on a line, found more");
    assert_int_equal(parse("", &sc, err, sizeof err), 0);
    assert_int_equal(sc.seed, 1);
    scenario_free(&sc);
    assert_int_equal(scenario_parse("t", "host a 1.2.3.4", 14, &sc, NULL, 0), 0); /* no '\n', no err */
    scenario_free(&sc);
    free(big);
}

static void test_presets(void **state)
{
    (void)state;
    const struct personality *l = os_preset("linux");
    assert_ptr_equal(os_default(), l);
    assert_int_equal(l->ttl, 64);
    assert_int_equal(l->window, 64240);
    assert_int_equal(l->mss, 1460);
    assert_int_equal(l->wscale, 10);  /* measured: tests/live/LINUX-FACTS.md */
    assert_true(l->opt_sack && l->opt_ts && l->opt_wscale && l->df);
    assert_true(l->rst_df_zero_id && l->synack_df_zero_id && !l->icmp_df);
    assert_int_equal(l->rst_window, 0);
    assert_int_equal(l->isn.kind, GEN_ISN_RFC6528);
    assert_int_equal(l->ipid.kind, GEN_IPID_HASHED);
    assert_int_equal(l->ipid.param, 2048);
    assert_int_equal(l->ipid.hz, 1000);
    assert_int_equal(l->synack_retries, 5);
    assert_int_equal(l->time_wait_ms, 60000);
    assert_int_equal(l->chack, CHACK_UNLIMITED);
    assert_int_equal(l->icmp_rate, 1000);
    assert_true(l->icmp_per_dest_bucket);
    const struct personality *b = os_preset("bsd43"), *p = os_preset("printer"),
                             *w = os_preset("windows"), *f = os_preset("freebsd"),
                             *o = os_preset("openbsd");
    assert_int_equal(b->isn.kind, GEN_ISN_BSD64K);
    assert_int_equal(b->ipid.kind, GEN_IPID_GLOBAL);
    assert_int_equal(b->ttl, 30);
    assert_int_equal(b->window, 4096);
    assert_int_equal(b->mss, 1024);             /* nmap-os-db '4.3BSD': O1..O6=M400 */
    assert_int_equal(b->opt_style, OS_OPTS_MSS_ONLY);
    assert_int_equal(b->chack, CHACK_OFF);
    /* nmap-os-db's HP JetDirect cluster: W=5B4, O1=M5B4NW0NNT11, TS=1 (2 Hz), TI=I, DF=N */
    assert_int_equal(p->ipid.kind, GEN_IPID_GLOBAL);
    assert_int_equal(p->opt_style, OS_OPTS_WINDOWS);
    assert_int_equal(p->window, 1460);
    assert_true(p->opt_ts && p->opt_wscale);
    assert_false(p->opt_sack);
    assert_int_equal(p->wscale, 0);
    assert_int_equal(p->ts_hz, 2);
    assert_int_equal(p->ttl, 64);
    assert_false(p->df);
    /* nmap-os-db Windows 10 1709+: W=FFFF, O1=M5B4NW8NNS (no timestamps), TG=80 */
    assert_int_equal(w->ttl, 128);
    assert_int_equal(w->window, 65535);
    assert_int_equal(w->wscale, 8);
    assert_false(w->opt_ts);
    assert_true(w->rst_on_fin_open);
    assert_int_equal(w->isn.kind, GEN_ISN_RANDOM);
    assert_int_equal(f->rst_rate, 200);
    assert_int_equal(f->ipid.kind, GEN_IPID_ZERO);
    assert_int_equal(f->window, 65535);
    assert_int_equal(f->wscale, 6);             /* nmap-os-db FreeBSD 11/12: O1=M5B4NW6ST11 */
    assert_int_equal(f->opt_style, OS_OPTS_BSD);
    assert_int_equal(o->ipid.kind, GEN_IPID_RANDOM);
    assert_int_equal(o->window, 16384);
    assert_int_equal(o->opt_style, OS_OPTS_OPENBSD); /* nmap-os-db OpenBSD 6: M5B4NNSNW6NNT11 */
    assert_null(os_preset("solaris"));
    size_t n = 0;
    for (const char *const *nm = os_preset_names(); *nm; nm++, n++)
        assert_string_equal(os_preset(*nm)->os, *nm);
    assert_int_equal(n, 6);
    for (const char *const *nm = os_preset_names(); *nm; nm++)
        assert_int_equal(os_preset(*nm)->opt_layout_n, 0);   /* presets keep their style */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_example),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_send_option_values),
        cmocka_unit_test(test_overrides_after_os),
        cmocka_unit_test(test_trust_and_syncookies),
        cmocka_unit_test(test_host_options),
        cmocka_unit_test(test_names_before_definition),
        cmocka_unit_test(test_inferred_protocols),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_presets),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
