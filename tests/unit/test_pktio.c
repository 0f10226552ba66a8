/* test_pktio.c — the packet I/O backends and wrappers.
 *
 * Sim backend over a small scenario built here: a SYN to an open port gets a SYN-ACK at
 * 2 x the net's one-way delay, a closed port a RST, recv returns 0 at the deadline with the
 * virtual clock there, -sT streams end OPEN / REFUSED / TIMEDOUT. Trace wrapper: exact nmap
 * lines. Tee wrapper: the pcap it commits reads back datagram for datagram. Raw backend:
 * route choice from a /proc/net/route text and link-header offsets (no sockets needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "lib/outfile.h"
#include "lib/pcapfile.h"
#include "lib/wire.h"
#include "pktio/pktio.h"
#include "pktio/pktio_raw.h"
#include "pktio/pktio_sim.h"
#include "pktio/pktio_tee.h"
#include "pktio/pktio_trace.h"
#include "sim/scenario.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MS 1000000ULL

static const uint32_t SCANNER = IP(198, 51, 100, 10), TARGET = IP(198, 51, 100, 30);

static const char scn_text[] =
    "scenario \"pktio test\"\n"
    "seed 7\n"
    "net 198.51.100.0/24 delay 1ms loss 0%\n"
    "host scanner 198.51.100.10 role scanner os linux\n"
    "host target 198.51.100.30 os linux tcp 22,80\n"
    "filter fw at target in\n"
    "  drop tcp dport 443\n"
    "  policy accept\n";

static size_t make_tcp(uint8_t *buf, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
                       uint16_t dport, uint8_t flags, uint32_t seq, bool mss)
{
    struct wire_ipv4 ip = {.ttl = 51, .proto = WIRE_PROTO_TCP, .id = 1234, .src = src,
                           .dst = dst};
    struct wire_tcp tcp = {.sport = sport, .dport = dport, .seq = seq, .flags = flags,
                           .window = 1024};
    if (mss) {
        tcp.opt.order[0] = TCPOPT_MSS;
        tcp.opt.n = 1;
        tcp.opt.has_mss = true;
        tcp.opt.mss = 1460;
    }
    return wire_emit_tcp(buf, cap, &ip, &tcp);
}

/* --- sim backend ------------------------------------------------------------------------ */

struct simfix {
    struct scenario sc;
    struct pktio *io;
};

static int sim_setup(void **state)
{
    struct simfix *f = calloc(1, sizeof *f);
    char err[256];
    if (!f || scenario_parse("test.scn", scn_text, sizeof scn_text - 1, &f->sc, err,
                             sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        free(f);
        return -1;
    }
    f->io = pktio_sim_open_scenario(&f->sc, 7, err, sizeof err);
    if (!f->io) {
        fprintf(stderr, "%s\n", err);
        scenario_free(&f->sc);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int sim_teardown(void **state)
{
    struct simfix *f = *state;
    pktio_close(f->io);
    scenario_free(&f->sc);
    free(f);
    return 0;
}

static void test_sim_identity(void **state)
{
    struct simfix *f = *state;
    assert_int_equal(f->io->src_addr, SCANNER);
    assert_true(f->io->is_sim);
    assert_string_equal(f->io->ifname, "sim");
    assert_int_equal(pktio_now(f->io), 0);
    assert_int_equal(pktio_sim_seed(f->io), 7);
    uint32_t a = 0;
    assert_int_equal(pktio_sim_lookup(f->io, "target", &a), 0);
    assert_int_equal(a, TARGET);
    assert_int_not_equal(pktio_sim_lookup(f->io, "nosuchhost", &a), 0);
    assert_string_equal(pktio_sim_host_name(f->io, TARGET), "target");
    assert_string_equal(pktio_sim_title(f->io), "pktio test");
}

static void test_sim_syn_open_gets_synack(void **state)
{
    struct simfix *f = *state;
    uint8_t pkt[128], buf[1600];
    size_t n = make_tcp(pkt, sizeof pkt, SCANNER, 40000, TARGET, 80, TCP_SYN, 1000, true);
    assert_int_equal(n, 44);
    assert_int_equal(pktio_send(f->io, pkt, n), 0);

    size_t len = 0;
    uint64_t t = 0;
    assert_int_equal(pktio_recv(f->io, buf, sizeof buf, &len, &t, 1000 * MS), 1);
    /* 1 ms there, 1 ms back: the SYN-ACK arrives at exactly 2 ms of virtual time. */
    assert_int_equal(t, 2 * MS);
    assert_int_equal(pktio_now(f->io), 2 * MS);
    struct wire_pkt p;
    assert_int_equal(wire_parse(buf, len, &p), WIRE_OK);
    assert_int_equal(p.ip.src, TARGET);
    assert_int_equal(p.ip.dst, SCANNER);
    assert_int_equal(p.ip.proto, WIRE_PROTO_TCP);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(p.l4.tcp.sport, 80);
    assert_int_equal(p.l4.tcp.dport, 40000);
    assert_int_equal(p.l4.tcp.ack, 1001);
    assert_true(p.l4.tcp.opt.has_mss);
}

static void test_sim_syn_closed_gets_rst(void **state)
{
    struct simfix *f = *state;
    uint8_t pkt[128], buf[1600];
    size_t n = make_tcp(pkt, sizeof pkt, SCANNER, 40001, TARGET, 81, TCP_SYN, 5000, true);
    assert_int_equal(pktio_send(f->io, pkt, n), 0);
    size_t len = 0;
    uint64_t t = 0;
    assert_int_equal(pktio_recv(f->io, buf, sizeof buf, &len, &t, 1000 * MS), 1);
    assert_int_equal(t, 2 * MS);
    struct wire_pkt p;
    assert_int_equal(wire_parse(buf, len, &p), WIRE_OK);
    /* RFC 793 3.4 (and Linux): RST+ACK, seq 0, ack = SYN's seq + 1, window 0. */
    assert_int_equal(p.l4.tcp.flags, TCP_RST | TCP_ACK);
    assert_int_equal(p.l4.tcp.seq, 0);
    assert_int_equal(p.l4.tcp.ack, 5001);
    assert_int_equal(p.l4.tcp.window, 0);
}

static void test_sim_recv_deadline(void **state)
{
    struct simfix *f = *state;
    uint8_t pkt[128], buf[1600];
    /* Dropped by the filter: nothing comes back. */
    size_t n = make_tcp(pkt, sizeof pkt, SCANNER, 40002, TARGET, 443, TCP_SYN, 1, true);
    assert_int_equal(pktio_send(f->io, pkt, n), 0);
    size_t len = 99;
    uint64_t t = 0;
    assert_int_equal(pktio_recv(f->io, buf, sizeof buf, &len, &t, 500 * MS), 0);
    assert_int_equal(pktio_now(f->io), 500 * MS);
    /* A deadline in the past neither blocks nor moves the clock back. */
    assert_int_equal(pktio_recv(f->io, buf, sizeof buf, &len, &t, 100 * MS), 0);
    assert_int_equal(pktio_now(f->io), 500 * MS);
}

static enum pktio_stream stream_outcome(struct pktio *io, uint16_t port, uint64_t limit_ns)
{
    int h = io->ops->stream_connect(io, TARGET, port);
    assert_true(h >= 0);
    uint8_t buf[1600];
    uint8_t ty = 0, co = 0;
    enum pktio_stream st;
    while ((st = io->ops->stream_poll(io, h, &ty, &co)) == PKTIO_STREAM_PENDING &&
           pktio_now(io) < limit_ns) {
        size_t len;
        uint64_t t;
        pktio_recv(io, buf, sizeof buf, &len, &t, pktio_now(io) + 100 * MS);
    }
    io->ops->stream_close(io, h);
    return st;
}

static void test_sim_streams(void **state)
{
    struct simfix *f = *state;
    assert_non_null(f->io->ops->stream_connect);
    assert_int_equal(stream_outcome(f->io, 22, 10000 * MS), PKTIO_STREAM_OPEN);
    assert_int_equal(stream_outcome(f->io, 23, pktio_now(f->io) + 10000 * MS),
                     PKTIO_STREAM_REFUSED);
    /* Linux gives up a silent SYN after 6 retransmissions (~127 s): virtual time is cheap. */
    assert_int_equal(stream_outcome(f->io, 443, pktio_now(f->io) + 400000 * MS),
                     PKTIO_STREAM_TIMEDOUT);
}

static void test_sim_open_errors(void **state)
{
    (void)state;
    static const char no_scanner[] =
        "net 198.51.100.0/24 delay 1ms\nhost target 198.51.100.30 tcp 80\n";
    struct scenario sc;
    char err[256] = "";
    assert_int_equal(scenario_parse("x.scn", no_scanner, sizeof no_scanner - 1, &sc, err,
                                    sizeof err), 0);
    assert_null(pktio_sim_open_scenario(&sc, 1, err, sizeof err));
    assert_non_null(strstr(err, "role scanner"));
    scenario_free(&sc);

    assert_null(pktio_sim_open("/nonexistent/x.scn", NULL, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/x.scn"));

    /* --seed overrides the scenario's seed; without it the scenario's is used. */
    char path[] = "/tmp/test_pktio_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, scn_text, sizeof scn_text - 1), (ssize_t)(sizeof scn_text - 1));
    close(fd);
    struct pktio *io = pktio_sim_open(path, NULL, err, sizeof err);
    assert_non_null(io);
    assert_int_equal(pktio_sim_seed(io), 7);
    pktio_close(io);
    uint64_t s = 99;
    io = pktio_sim_open(path, &s, err, sizeof err);
    assert_non_null(io);
    assert_int_equal(pktio_sim_seed(io), 99);
    pktio_close(io);
    unlink(path);
}

/* --- a fake backend for the wrappers: a loopback that answers every send once ------------ */

struct fake {
    uint8_t last[256];
    size_t last_len;
    bool pending;
    uint64_t now;
};

static int fake_send(struct pktio *io, const uint8_t *d, size_t n)
{
    struct fake *f = io->ctx;
    memcpy(f->last, d, n);
    f->last_len = n;
    f->pending = true;
    f->now += 2100000;   /* the send happens at +2.1 ms */
    return 0;
}

static int fake_recv(struct pktio *io, uint8_t *b, size_t cap, size_t *n, uint64_t *t,
                     uint64_t dl)
{
    struct fake *f = io->ctx;
    if (!f->pending) {
        f->now = dl;
        return 0;
    }
    f->pending = false;
    f->now += 1000000;
    size_t k = f->last_len < cap ? f->last_len : cap;
    memcpy(b, f->last, k);
    *n = k;
    *t = f->now;
    return 1;
}

static uint64_t fake_now(struct pktio *io) { return ((struct fake *)io->ctx)->now; }

static void fake_close(struct pktio *io)
{
    free(io->ctx);
    free(io);
}

static const struct pktio_ops fake_ops = {
    .name = "fake", .send = fake_send, .recv = fake_recv, .now = fake_now, .close = fake_close,
};

static struct pktio *fake_new(void)
{
    struct pktio *io = calloc(1, sizeof *io);
    io->ctx = calloc(1, sizeof(struct fake));
    io->ops = &fake_ops;
    io->src_addr = SCANNER;
    strcpy(io->ifname, "fake0");
    return io;
}

/* --- trace wrapper ---------------------------------------------------------------------- */

static void test_trace_describe(void **state)
{
    (void)state;
    uint8_t pkt[128];
    char line[512];
    size_t n = make_tcp(pkt, sizeof pkt, SCANNER, 40123, TARGET, 80, TCP_SYN, 99, true);
    pktio_trace_line(line, sizeof line, "SENT", 2100000, pkt, n);
    assert_string_equal(line, "SENT (0.0021s) TCP 198.51.100.10:40123 > 198.51.100.30:80 S "
                              "ttl=51 id=1234 iplen=44 seq=99 win=1024 <mss 1460>");
    /* nmap's flag order S F R P A U E C: a RST+ACK is "RA"; no options, no brackets. */
    n = make_tcp(pkt, sizeof pkt, TARGET, 81, SCANNER, 40001, TCP_RST | TCP_ACK, 0, false);
    pktio_trace_line(line, sizeof line, "RCVD", 1234567890, pkt, n);
    assert_string_equal(line, "RCVD (1.2346s) TCP 198.51.100.30:81 > 198.51.100.10:40001 RA "
                              "ttl=51 id=1234 iplen=40 seq=0 win=1024");
    n = make_tcp(pkt, sizeof pkt, SCANNER, 1, TARGET, 2, TCP_FIN | TCP_PSH | TCP_URG, 7, false);
    pktio_trace_describe(line, sizeof line, pkt, n);
    assert_string_equal(line, "TCP 198.51.100.10:1 > 198.51.100.30:2 FPU ttl=51 id=1234 "
                              "iplen=40 seq=7 win=1024");

    /* ICMP port unreachable quoting a UDP probe to port 53. */
    uint8_t udp[64], icmp[128];
    struct wire_ipv4 uip = {.ttl = 40, .proto = WIRE_PROTO_UDP, .id = 5, .src = SCANNER,
                            .dst = TARGET};
    struct wire_udp u = {.sport = 40000, .dport = 53};
    size_t ulen = wire_emit_udp(udp, sizeof udp, &uip, &u);
    pktio_trace_describe(line, sizeof line, udp, ulen);
    assert_string_equal(line, "UDP 198.51.100.10:40000 > 198.51.100.30:53 ttl=40 id=5 iplen=28");
    struct wire_ipv4 iip = {.ttl = 64, .proto = WIRE_PROTO_ICMP, .id = 0, .src = TARGET,
                            .dst = SCANNER};
    struct wire_icmp ic = {.type = ICMP_UNREACH, .code = ICMP_PORT_UNREACH, .payload = udp,
                           .payload_len = ulen};
    size_t ilen = wire_emit_icmp(icmp, sizeof icmp, &iip, &ic);
    pktio_trace_describe(line, sizeof line, icmp, ilen);
    assert_string_equal(line, "ICMP [198.51.100.30 > 198.51.100.10 Port 53 unreachable "
                              "(type=3/code=3)] IP [ttl=64 id=0 iplen=56]");
    struct wire_icmp echo = {.type = ICMP_ECHO, .id = 4321, .seq = 0};
    ilen = wire_emit_icmp(icmp, sizeof icmp, &uip, &echo);
    pktio_trace_describe(line, sizeof line, icmp, ilen);
    assert_string_equal(line, "ICMP [198.51.100.10 > 198.51.100.30 Echo request "
                              "(type=8/code=0) id=4321 seq=0] IP [ttl=40 id=5 iplen=28]");
    /* Garbage is described, not parsed past its bytes. */
    static const uint8_t junk[3] = {0x45, 0, 0};
    pktio_trace_describe(line, sizeof line, junk, sizeof junk);
    assert_non_null(strstr(line, "BOGUS"));
}

static void test_trace_wrapper_lines(void **state)
{
    (void)state;
    FILE *out = tmpfile();
    assert_non_null(out);
    char err[128];
    struct pktio *io = pktio_trace_wrap(fake_new(), out, err, sizeof err);
    assert_non_null(io);
    assert_int_equal(io->src_addr, SCANNER);
    assert_string_equal(io->ifname, "fake0");
    assert_null(io->ops->stream_connect);   /* the fake has no streams: neither does trace */

    uint8_t pkt[128], buf[256];
    size_t n = make_tcp(pkt, sizeof pkt, SCANNER, 40123, TARGET, 80, TCP_SYN, 99, true);
    assert_int_equal(pktio_send(io, pkt, n), 0);
    size_t len;
    uint64_t t;
    assert_int_equal(pktio_recv(io, buf, sizeof buf, &len, &t, 10 * MS), 1);
    assert_int_equal(len, n);
    assert_int_equal(t, 3100000);
    assert_int_equal(pktio_recv(io, buf, sizeof buf, &len, &t, 10 * MS), 0);
    pktio_close(io);

    rewind(out);
    char text[1024] = "";
    size_t got = fread(text, 1, sizeof text - 1, out);
    text[got] = '\0';
    fclose(out);
    assert_string_equal(text,
        "SENT (0.0021s) TCP 198.51.100.10:40123 > 198.51.100.30:80 S ttl=51 id=1234 iplen=44 "
        "seq=99 win=1024 <mss 1460>\n"
        "RCVD (0.0031s) TCP 198.51.100.10:40123 > 198.51.100.30:80 S ttl=51 id=1234 iplen=44 "
        "seq=99 win=1024 <mss 1460>\n");
}

/* --- tee wrapper ------------------------------------------------------------------------ */

static void test_tee_pcap_reads_back(void **state)
{
    (void)state;
    char path[] = "/tmp/test_pktio_tee_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    struct outfile *of = outfile_open(path, err, sizeof err);
    assert_non_null(of);
    struct pktio *io = pktio_tee_wrap(fake_new(), of, 0, err, sizeof err);
    assert_non_null(io);

    uint8_t syn[128], rst[128], buf[256];
    size_t ns = make_tcp(syn, sizeof syn, SCANNER, 40000, TARGET, 80, TCP_SYN, 1, true);
    size_t nr = make_tcp(rst, sizeof rst, SCANNER, 40001, TARGET, 81, TCP_SYN, 2, false);
    size_t len;
    uint64_t t;
    assert_int_equal(pktio_send(io, syn, ns), 0);                        /* at 2.1 ms */
    assert_int_equal(pktio_recv(io, buf, sizeof buf, &len, &t, MS * 50), 1); /* at 3.1 ms */
    assert_int_equal(pktio_send(io, rst, nr), 0);                        /* at 5.2 ms */
    assert_int_equal(pktio_tee_count(io), 3);
    assert_int_equal(pktio_tee_end(io, err, sizeof err), 0);
    pktio_close(io);
    assert_int_equal(outfile_commit(of, err, sizeof err), 0);

    struct pcap_reader *r = pcapr_open(path, err, sizeof err);
    assert_non_null(r);
    const uint8_t *p;
    size_t plen;
    uint64_t pt;
    assert_int_equal(pcapr_next(r, &pt, &p, &plen), 1);
    assert_int_equal(pt, 2100000);
    assert_int_equal(plen, ns);
    assert_memory_equal(p, syn, ns);
    assert_int_equal(pcapr_next(r, &pt, &p, &plen), 1);
    assert_int_equal(pt, 3100000);
    assert_memory_equal(p, syn, ns);
    assert_int_equal(pcapr_next(r, &pt, &p, &plen), 1);
    assert_int_equal(pt, 5200000);
    assert_int_equal(plen, nr);
    assert_memory_equal(p, rst, nr);
    assert_int_equal(pcapr_next(r, &pt, &p, &plen), 0);
    pcapr_close(r);
    unlink(path);

    /* A capture closed without being ended leaves its outfile to the caller, who aborts
     * it: no file appears. */
    char path2[] = "/tmp/test_pktio_tee2_XXXXXX";
    fd = mkstemp(path2);
    assert_true(fd >= 0);
    close(fd);
    unlink(path2);
    of = outfile_open(path2, err, sizeof err);
    assert_non_null(of);
    io = pktio_tee_wrap(fake_new(), of, 0, err, sizeof err);
    assert_non_null(io);
    assert_int_equal(pktio_send(io, syn, ns), 0);
    pktio_close(io);
    outfile_abort(of);
    assert_int_equal(access(path2, F_OK), -1);
}

/* --- raw backend helpers ------------------------------------------------------------------ */

static void test_raw_route_lookup(void **state)
{
    (void)state;
    /* /proc/net/route on a little-endian machine prints network-order words as integers. */
    static const char table[] =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t010012C6\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "veth1\t000012C6\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
        "veth2\t000212C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        "down0\t050212C6\t00000000\t0000\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n";
    char ifn[32], err[128];
    FILE *f = fmemopen((void *)table, sizeof table - 1, "r");
    /* 198.18.2.5: /24 on veth2 beats /16 on veth1 and the default; down0 is not UP. */
    assert_int_equal(pktio_raw_route_lookup(f, IP(198, 18, 2, 5), ifn, err, sizeof err), 0);
    assert_string_equal(ifn, "veth2");
    rewind(f);
    assert_int_equal(pktio_raw_route_lookup(f, IP(198, 18, 9, 1), ifn, err, sizeof err), 0);
    assert_string_equal(ifn, "veth1");
    rewind(f);
    assert_int_equal(pktio_raw_route_lookup(f, IP(192, 0, 2, 1), ifn, err, sizeof err), 0);
    assert_string_equal(ifn, "eth0");
    fclose(f);

    static const char noroute[] =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "veth1\t000012C6\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
    f = fmemopen((void *)noroute, sizeof noroute - 1, "r");
    assert_int_equal(pktio_raw_route_lookup(f, IP(192, 0, 2, 1), ifn, err, sizeof err), -1);
    assert_non_null(strstr(err, "no route to 192.0.2.1"));
    fclose(f);
}

/* Issue 13 item 3: the kernel's own route choice, the local table included. 127.0.0.1 is
 * in no /proc/net/route line (the local table): the lookup there took the default route
 * (eth0 and its address), so `scan --live 127.0.0.1` without -e lo listened on the wrong
 * interface and reported the host down. Nothing is sent: a UDP connect() only routes. */
static void test_raw_kernel_route_loopback(void **state)
{
    (void)state;
    char ifn[32] = "", err[128];
    uint32_t src = 0;
    assert_int_equal(pktio_raw_kernel_route(IP(127, 0, 0, 1), ifn, &src, err, sizeof err), 0);
    assert_string_equal(ifn, "lo");
    assert_int_equal(src, IP(127, 0, 0, 1));
    assert_int_equal(pktio_raw_kernel_route(IP(127, 0, 0, 9), ifn, &src, err, sizeof err), 0);
    assert_string_equal(ifn, "lo");
    /* The interface's own address routes by lo too, from itself. */
    uint32_t lo;
    assert_int_equal(pktio_raw_if_addr("lo", &lo, err, sizeof err), 0);
    assert_int_equal(lo, IP(127, 0, 0, 1));
}

static void test_raw_dlt_offsets(void **state)
{
    (void)state;
    assert_int_equal(pktio_raw_dlt_offset(DLT_EN10MB), 14);
    assert_int_equal(pktio_raw_dlt_offset(DLT_LINUX_SLL), 16);
    assert_int_equal(pktio_raw_dlt_offset(DLT_NULL), 4);
    assert_int_equal(pktio_raw_dlt_offset(DLT_RAW), 0);
    assert_int_equal(pktio_raw_dlt_offset(127), -1);   /* 802.11 radiotap: nmap #2344 */
}

/* Without CAP_NET_RAW the open fails with the message that says how to get it. As root,
 * a child process first drops every capability (the backend's own privilege drop), which
 * also checks that the drop really takes CAP_NET_RAW away. */
static void test_raw_needs_cap_message(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[256] = "";
        unsetenv("SUDO_UID");
        unsetenv("SUDO_GID");
        if (pktio_raw_drop_privileges(err, sizeof err) < 0)
            _exit(3);
        struct pktio_raw_cfg cfg = {.ifname = "lo", .src = IP(127, 0, 0, 1)};
        struct pktio *io = pktio_raw_open(&cfg, err, sizeof err);
        if (io)
            _exit(4);
        _exit(strcmp(err, PKTIO_RAW_NEED_CAP) == 0 ? 0 : 5);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(PKTIO_RAW_NEED_CAP, "setcap cap_net_raw"));
    /* cmd/scan.c prefixes "tcplab scan: ": the message must not say it again. */
    assert_null(strstr(PKTIO_RAW_NEED_CAP, "tcplab scan"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sim_identity, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(test_sim_syn_open_gets_synack, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(test_sim_syn_closed_gets_rst, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(test_sim_recv_deadline, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(test_sim_streams, sim_setup, sim_teardown),
        cmocka_unit_test(test_sim_open_errors),
        cmocka_unit_test(test_trace_describe),
        cmocka_unit_test(test_trace_wrapper_lines),
        cmocka_unit_test(test_tee_pcap_reads_back),
        cmocka_unit_test(test_raw_route_lookup),
        cmocka_unit_test(test_raw_kernel_route_loopback),
        cmocka_unit_test(test_raw_dlt_offsets),
        cmocka_unit_test(test_raw_needs_cap_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
