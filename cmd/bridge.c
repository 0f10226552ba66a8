/* bridge.c — `tcplab bridge SCENARIO --tun NAME [--for T] [--pcap FILE] [--seed N]
 * [--allow-any-net]`: a simulated network that real tools reach through a TUN device.
 *
 * Steps: load the scenario; check that every prefix it would route is reserved
 * (bridge/bridge_nets.c); build the bridge core (the `role scanner` host becomes the
 * kernel); open the TUN device with the scanner's address and route the scenario's nets
 * through it (pktio/pktio_tun.c); print `ready` (flushed) — from then on real tools in this
 * network namespace reach the simulated hosts; run the real-time loop until SIGINT or
 * SIGTERM (the normal end: exit 0) or --for; print the summary: datagrams in, out, dropped
 * by reason. With --pcap the session is recorded as pcapng (lib/pcapng.h): each datagram
 * with its direction and the rule that answered, and an end time, so `tcplab run SCENARIO
 * --replay FILE` can reproduce it; the file appears, whole, when the bridge ends.
 * Exit: 0 after a signal or --for; 1 for usage or scenario errors; 2 for runtime failures
 * (no CAP_NET_ADMIN, the device, the capture file).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/bridge.h"
#include "bridge/bridge_loop.h"
#include "cmd/cmd.h"
#include "lib/pcapng.h"
#include "lab/lab.h"
#include "lib/wire.h"
#include "pktio/pktio_tun.h"
#include "sim/scenario.h"

struct bridge_opts {
    const char *scenario, *tun, *pcap;
    struct lab_sel lab;
    bool allow_any, has_seed, in_lab;
    unsigned long long for_ns, seed;
};

struct bridge_session {
    struct pktio *tun;
    struct pcapng_writer *pw;
};

static volatile sig_atomic_t bridge_stop_flag;

static void bridge_on_signal(int sig)
{
    (void)sig;
    bridge_stop_flag = 1;
}

static void bridge_usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab bridge SCENARIO --tun NAME [--for T] [--pcap FILE] [--seed N]\n"
            "                     [--allow-any-net]\n"
            "       tcplab bridge --lab NAME --student ID --tun NAME [--for T] [--pcap FILE]\n"
            "\n"
            "Attaches the scenario's simulated network to a TUN device so that real tools\n"
            "(nmap, ping, hping3, scapy) reach its hosts. The device gets the address of the\n"
            "`role scanner` host; the scenario's nets are routed through it. Prints `ready`\n"
            "when tools can start, runs in real time until SIGINT/SIGTERM or --for, then\n"
            "prints a summary. Needs CAP_NET_ADMIN: run it inside a network namespace:\n"
            "  sudo ip netns add lab && sudo ip netns exec lab tcplab bridge SCN --tun tl0\n"
            "\n"
            "  --tun NAME       the TUN device to create (at most 15 characters)\n"
            "  --for T          stop after T (e.g. 30s, 2m); default: until a signal\n"
            "  --pcap FILE      record the session as pcapng (direction, rule per datagram)\n"
            "  --seed N         override the scenario's seed\n"
            "  --lab NAME       a lab's scenario, the variant of --student ID (or --ticket\n"
            "                   FILE): real tools against that student's network\n"
            "  --allow-any-net  route nets outside the reserved ranges (RFC 5737, 198.18.0.0/15,\n"
            "                   RFC 1918): they could capture this machine's own traffic\n");
}

static int bridge_parse_args(int argc, char **argv, struct bridge_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int lab = cmd_lab_option("bridge", &o->lab, &o->in_lab, argc, argv, &i);
        if (lab < 0)
            return -1;
        if (lab)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            bridge_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--allow-any-net")) {
            o->allow_any = true;
        } else if (!strcmp(a, "--tun") || !strcmp(a, "--pcap") || !strcmp(a, "--for") ||
                   !strcmp(a, "--seed")) {
            if (!val) {
                fprintf(stderr, "tcplab bridge: %s needs a value\n", a);
                return -1;
            }
            i++;
            if (!strcmp(a, "--tun")) {
                o->tun = val;
            } else if (!strcmp(a, "--pcap")) {
                o->pcap = val;
            } else if (!strcmp(a, "--for")) {
                if (cmd_parse_duration(val, 1, &o->for_ns) || o->for_ns == 0) {
                    fprintf(stderr, "tcplab bridge: --for wants a time like 30s or 2m, got '%s'\n",
                            val);
                    return -1;
                }
            } else {
                char *end;
                o->seed = strtoull(val, &end, 0);
                if (!*val || *val == '-' || *end) {
                    fprintf(stderr, "tcplab bridge: --seed wants a non-negative integer, got '%s'\n",
                            val);
                    return -1;
                }
                o->has_seed = true;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "tcplab bridge: unknown option '%s' (see tcplab bridge --help)\n", a);
            return -1;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            fprintf(stderr, "tcplab bridge: one scenario at a time ('%s' and '%s')\n",
                    o->scenario, a);
            return -1;
        }
    }
    if (o->in_lab && o->scenario) {
        fprintf(stderr, "tcplab bridge: %s ('%s')\n", lab_sel_conflict(&o->lab), o->scenario);
        return -1;
    }
    if ((!o->scenario && !o->in_lab) || !o->tun) {
        fprintf(stderr, "tcplab bridge: %s\n", !o->tun ? "--tun NAME is required"
                                                       : "no scenario given");
        bridge_usage(stderr);
        return -1;
    }
    return 0;
}

static int bridge_out(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    (void)t_ns;
    struct bridge_session *s = ctx;
    return pktio_send(s->tun, pkt, len);
}

static void bridge_record(void *ctx, enum bridge_dir dir, uint64_t t_ns, const uint8_t *pkt,
                          size_t len, const char *comment)
{
    struct bridge_session *s = ctx;
    pcapngw_packet(s->pw, t_ns, pkt, len, dir == BRIDGE_IN ? PCAPNG_DIR_IN : PCAPNG_DIR_OUT,
                   comment);   /* a write error surfaces at commit */
}

/* SIGINT and SIGTERM set the stop flag; they stay blocked except inside ppoll. */
static void bridge_signals(sigset_t *waitmask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = bridge_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, waitmask);
    sigdelset(waitmask, SIGINT);
    sigdelset(waitmask, SIGTERM);
}

static void bridge_summary(struct bridge *b, struct pktio *tun, uint64_t v0, uint64_t v1)
{
    struct bridge_stats st;
    bridge_get_stats(b, &st);
    uint64_t dropped = 0;
    for (int i = 0; i < BRIDGE_DROP_N; i++)
        dropped += st.drop[i];
    printf("bridge: %.3f s, datagrams in %llu (into the simulation %llu), out %llu, "
           "dropped %llu\n", (double)(v1 - v0) / 1e9, (unsigned long long)st.in,
           (unsigned long long)st.injected, (unsigned long long)st.out,
           (unsigned long long)dropped);
    for (int i = 0; i < BRIDGE_DROP_N; i++)
        if (st.drop[i])
            printf("bridge: dropped %llu: %s\n", (unsigned long long)st.drop[i],
                   bridge_drop_name((enum bridge_drop)i));
    uint64_t tx = 0, rx = 0;
    if (pktio_tun_kernel_drops(tun, &tx, &rx) == 0 && (tx || rx))
        printf("bridge: the kernel dropped %llu toward the bridge (device queue full), "
               "%llu from it\n", (unsigned long long)tx, (unsigned long long)rx);
    printf("bridge: inside the simulation %llu datagrams were dropped (loss, filters, no host "
           "or a host that is down, bad checksums)\n", (unsigned long long)st.sim_dropped);
    fflush(stdout);
}

/* Device, routes, ready, loop, summary. Returns the exit status. */
static int bridge_serve(struct bridge *b, struct bridge_session *ss, const struct bridge_opts *o,
                        const struct bridge_route *routes, int nroutes)
{
    char err[512];
    bool need_cap = false;
    uint32_t addr = bridge_scanner_addr(b);
    ss->tun = pktio_tun_open(o->tun, addr, err, sizeof err, &need_cap);
    if (!ss->tun) {
        fprintf(stderr, "tcplab bridge: %s\n", err);
        return 2;
    }
    for (int i = 0; i < nroutes; i++)
        if (pktio_tun_add_route(ss->tun, routes[i].prefix, routes[i].len)) {
            fprintf(stderr, "tcplab bridge: %s\n", ss->tun->err);
            return 2;
        }
    sigset_t waitmask;
    bridge_signals(&waitmask);
    char a[16];
    fprintf(stderr, "tcplab bridge: %s is %s/32, %d route%s through it\n", o->tun,
            wire_ip_str(addr, a), nroutes, nroutes == 1 ? "" : "s");
    printf("ready\n");
    fflush(stdout);
    struct bridge_loop_opts lo = { .for_ns = o->for_ns, .stop = &bridge_stop_flag,
                                   .waitmask = &waitmask };
    uint64_t v0 = 0, v1 = 0;
    int rc = bridge_loop_run(b, ss->tun, &lo, &v0, &v1, err, sizeof err);
    if (rc)
        fprintf(stderr, "tcplab bridge: %s\n", err);
    bridge_summary(b, ss->tun, v0, v1);
    if (ss->pw) {
        struct bridge_stats st;
        bridge_get_stats(b, &st);
        pcapngw_stats(ss->pw, v0, v1, st.in, st.in - st.injected);
        int c = pcapngw_commit(ss->pw, err, sizeof err);
        ss->pw = NULL;
        if (c) {
            fprintf(stderr, "tcplab bridge: %s\n", err);
            return 2;
        }
    }
    return rc ? 2 : 0;
}

/* The capture's comment: what ran and the command that replays it. */
static void bridge_comment(const struct bridge_opts *o, uint64_t seed, char *out, size_t n)
{
    char what[256];
    if (o->in_lab && o->lab.ticket)
        snprintf(what, sizeof what, "--ticket %s", o->lab.ticket);
    else if (o->in_lab)
        snprintf(what, sizeof what, "--lab %s --student %s", o->lab.lab ? o->lab.lab : "?",
                 o->lab.student ? o->lab.student : "?");
    else
        snprintf(what, sizeof what, "%s", o->scenario);
    snprintf(out, n, "tcplab bridge %s seed %llu (replay: tcplab run %s --seed %llu "
             "--replay THIS-FILE)", what, (unsigned long long)seed, what,
             (unsigned long long)seed);
}

int cmd_bridge(int argc, char **argv)
{
    struct bridge_opts o;
    if (bridge_parse_args(argc, argv, &o))
        return 1;
    char err[768];
    struct scenario sc;
    /* A lab's view needs no filter here: the kernel behind the TUN device sees only what the
     * student's host sends and receives. */
    struct lab_view view;
    if (cmd_load_scenario("bridge", o.scenario, o.in_lab ? &o.lab : NULL, &sc, &view, err,
                          sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    static struct bridge_route routes[BRIDGE_ROUTES_MAX];
    int nroutes = bridge_nets_check(&sc, o.allow_any, routes, BRIDGE_ROUTES_MAX, err, sizeof err);
    if (nroutes < 0) {
        fprintf(stderr, "%s\n", err);
        scenario_free(&sc);
        return 1;
    }
    struct bridge_session ss = { 0 };
    int rc = 2;
    uint64_t seed = o.has_seed ? o.seed : sc.seed;
    char comment[768];   /* two copies of what (256) and two numbers */
    bridge_comment(&o, seed, comment, sizeof comment);
    if (o.pcap && !(ss.pw = pcapngw_open(o.pcap, comment, o.tun, "tcplab bridge: inbound = "
                                         "from the kernel into the simulated network, "
                                         "outbound = to the kernel", err, sizeof err))) {
        fprintf(stderr, "tcplab bridge: %s\n", err);
        scenario_free(&sc);
        return 2;
    }
    struct bridge *b = bridge_new(&sc, seed, routes, nroutes, bridge_out,
                                  ss.pw ? bridge_record : NULL, &ss, err, sizeof err);
    if (!b) {
        fprintf(stderr, "%s\n", err);
        rc = 1;
    } else {
        rc = bridge_serve(b, &ss, &o, routes, nroutes);
    }
    pcapngw_abort(ss.pw);
    pktio_close(ss.tun);
    bridge_free(b);
    scenario_free(&sc);
    return rc;
}
