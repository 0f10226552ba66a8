/* scan.c — `tcplab scan`: options to backend, targets, ports, engine, outputs.
 *
 * The order of nmap's main (nmap.cc): parse options, check them, pick the packet I/O,
 * resolve targets and ports, run the scan, write every output. Backends: none given = the
 * embedded default network (scenarios/default.scn), --sim FILE = that scenario from its
 * `role scanner` host, --live = raw sockets (pktio_raw.c; never the default). Wrappers stack
 * on the backend as curl's connection filters: trace(tee(backend)). Simulated scans use the
 * simulated epoch (946684800 = 2000-01-01 UTC) for every printed time, so the same command
 * gives byte-identical outputs. Exit status: 0 success, 1 usage error, 2 runtime failure.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/scan_opts.h"
#include "lab/lab.h"
#include "lib/outfile.h"
#include "lib/pcapfile.h"
#include "lib/wire.h"
#include "scanner/engine.h"
#include "scanner/osscan.h"
#include "scanner/output.h"
#include "scanner/service_probes.h"
#include "pktio/pktio.h"
#include "pktio/pktio_raw.h"
#include "pktio/pktio_attach.h"
#include "pktio/pktio_sim.h"
#include "pktio/pktio_tee.h"
#include "pktio/pktio_trace.h"
#include "scanner/ports.h"
#include "scanner/targets.h"
#include "sim/scenario.h"
#include "cmd/scan_progress.h"

enum { SCAN_SIM_EPOCH = 946684800 };  /* 2000-01-01 00:00:00 UTC */

/* The output files, in the order they are published: -oN -oG -oX -oJ, --capture. */
enum { SCAN_OUT_N, SCAN_OUT_G, SCAN_OUT_X, SCAN_OUT_J, SCAN_OUT_CAPTURE, SCAN_NOUTS };

/* Everything one run owns, freed in one place. */
struct scan_job {
    struct scan_opts *o;
    struct pktio *io;
    struct target_list tl, ex;
    struct port_list pl, syn_ping, ack_ping;
    char *argv_line, *tcp_str, *udp_str;
    uint64_t seed;
    uint32_t zombie;             /* -sI: the zombie's address, name as typed, probe port */
    char zombie_name[64];
    int zombie_port;
    bool report_ok;
    struct scan_report rep;
    const struct cmd_scan_hooks *hooks;   /* NULL but for `tcplab tui ... -- SCAN` */
    struct scenario sc;          /* a simulated scan's scenario (outlives io) */
    bool have_sc;
    struct lab_view view;        /* in a lab: what the student's host observes */
    struct pcap_writer *wire;    /* --capture of the whole simulated network */
    struct outfile *outs[SCAN_NOUTS];   /* opened before anything runs; see scan_open_outputs */
    /* The report is written host group by host group as the scan goes (scan_on_group):
     * stdout, then the -o files; sink k's format has listed nlisted[k] hosts. */
    int64_t start_unix;
    bool begun;
    size_t nlisted[SCAN_OUT_CAPTURE + 1];
    bool failed[SCAN_OUT_CAPTURE + 1];  /* a write to the sink failed: no more to it */
    struct os_db osdb;           /* -O: outlives the report, whose matches point into it */
    bool have_osdb;
    struct svc_db svdb;          /* -sV: the probes and rules */
    bool have_svdb;
    /* The scan's warnings go to stdout at once and, as nmap's LOG_PLAIN does, into the -oN
     * file too: there they wait here until the group they came from is written. */
    char *log_pending;
    size_t log_len, log_cap;
};

static int scan_usage_error(const char *msg)
{
    fprintf(stderr, "tcplab scan: %s\nSee 'tcplab scan --help' for the options.\n", msg);
    return 1;
}

/* An input that cannot be used (a scenario file, a zombie): exit 1, without the usage hint. */
static int scan_input_error(const char *msg)
{
    fprintf(stderr, "tcplab scan: %s\n", msg);
    return 1;
}

static int scan_runtime_error(const char *msg)
{
    fprintf(stderr, "tcplab scan: %s\n", msg);
    return 2;
}

/* "tcplab scan -sS ..." as typed, for "as:" in file headers and args= in XML. */
static char *scan_argv_line(int argc, char **argv)
{
    size_t n = sizeof "tcplab";
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    strcpy(s, "tcplab");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* --- output files ---------------------------------------------------------------------- */

static const char *scan_out_path(const struct scan_opts *o, int k)
{
    switch (k) {
    case SCAN_OUT_N: return o->out_normal;
    case SCAN_OUT_G: return o->out_grep;
    case SCAN_OUT_X: return o->out_xml;
    case SCAN_OUT_J: return o->out_json;
    default: return o->capture;
    }
}

static const char *const scan_out_opt[SCAN_NOUTS] = {"-oN", "-oG", "-oX", "-oJ", "--capture"};

/* Every output is opened before the scan starts, as nmap opens its -o files while reading
 * its options: a path that cannot be written fails at once (exit 1), not after the scan.
 * Two outputs naming one file would overwrite each other: refused, except a shared device
 * (-oN /dev/null -oX /dev/null); nmap's "Cannot display multiple output types to stdout". */
static int scan_open_outputs(struct scan_job *j, char *err, size_t errlen)
{
    outfile_catch_signals();
    for (int k = 0; k < SCAN_NOUTS; k++) {
        const char *path = scan_out_path(j->o, k);
        if (!path)
            continue;
        if (k == SCAN_OUT_CAPTURE && !strcmp(path, "-")) {
            snprintf(err, errlen, "--capture - would mix the capture with the report on "
                     "stdout: give it a file (or run `tcplab run --pcap -`)");
            return -1;
        }
        if (!(j->outs[k] = outfile_open(path, err, errlen)))
            return -1;
        for (int m = 0; m < k; m++) {
            if (!j->outs[m] || !outfile_same(j->outs[m], j->outs[k]))
                continue;
            if (outfile_is_stdout(j->outs[k]))
                snprintf(err, errlen, "Cannot display multiple output types to stdout.");
            else if (outfile_in_place(j->outs[k]))
                continue;
            else
                snprintf(err, errlen, "%s and %s name the same file '%s': give each output "
                         "its own", scan_out_opt[m], scan_out_opt[k], path);
            return -1;
        }
    }
    return 0;
}

static void scan_abort_outputs(struct scan_job *j)
{
    for (int k = 0; k < SCAN_NOUTS; k++) {
        outfile_abort(j->outs[k]);
        j->outs[k] = NULL;
    }
}

/* --- name resolution -------------------------------------------------------------------- */

static int scan_resolve_sim(void *ctx, const char *name, uint32_t *addr)
{
    if (pktio_is_attach(ctx))   /* the scenario's names, as tcplab attach told them */
        return pktio_attach_lookup(ctx, name, addr);
    return pktio_sim_lookup(ctx, name, addr);
}

/* Live: the system resolver (nmap resolves names too); IPv4 only. */
static int scan_resolve_live(void *ctx, const char *name, uint32_t *addr)
{
    (void)ctx;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
        return -1;
    struct sockaddr_in sin;
    memcpy(&sin, res->ai_addr, sizeof sin);
    *addr = ntohl(sin.sin_addr.s_addr);
    freeaddrinfo(res);
    return 0;
}

/* --- the steps -------------------------------------------------------------------------- */

static int scan_targets(struct scan_job *j, char *err, size_t errlen)
{
    struct scan_opts *o = j->o;
    struct targets_cfg cfg = {.warn = stderr};
    if (o->live) {
        cfg.resolve = scan_resolve_live;
    } else {
        cfg.resolve = scan_resolve_sim;
        cfg.resolve_ctx = j->io;
    }
    for (size_t i = 0; i < o->ntargets; i++)
        if (targets_add_spec(&j->tl, o->targets[i], &cfg, err, errlen) < 0)
            return -1;
    if (o->input_list && targets_add_file(&j->tl, o->input_list, &cfg, err, errlen) < 0)
        return -1;
    if (o->exclude && targets_add_list(&j->ex, o->exclude, &cfg, err, errlen) < 0)
        return -1;
    if (o->excludefile && targets_add_file(&j->ex, o->excludefile, &cfg, err, errlen) < 0)
        return -1;
    targets_finish(&j->tl, &j->ex);
    if (j->tl.n == 0) {
        snprintf(err, errlen, "WARNING: No targets were specified, so 0 hosts scanned.");
        return -1;
    }
    return 0;
}

static int scan_ports(struct scan_job *j, char *err, size_t errlen)
{
    struct scan_opts *o = j->o;
    unsigned protos = (o->tcp_scan != SCAN_NONE ? PORTS_TCP : 0) | (o->udp_scan ? PORTS_UDP : 0);
    if (o->ping_syn_ports &&
        ports_parse(&j->syn_ping, o->ping_syn_ports, PORTS_TCP, stderr, err, errlen) < 0)
        return -1;
    if (o->ping_ack_ports &&
        ports_parse(&j->ack_ping, o->ping_ack_ports, PORTS_TCP, stderr, err, errlen) < 0)
        return -1;
    if (o->ping_only)
        return 0;
    int rc;
    if (o->ports)
        rc = ports_parse(&j->pl, o->ports, protos, stderr, err, errlen);
    else
        rc = ports_top(&j->pl, o->fast ? 100 : o->top_ports ? o->top_ports : 1000, protos,
                       err, errlen);
    if (rc < 0)
        return -1;
    /* Only the protocols being scanned: -p U:53 without -sU scans no UDP; nmap warns when
     * the prefix was written at all ("U:" alone too), and skips a scan type left without
     * ports (nmap.cc, after getpts). */
    if (!(protos & PORTS_TCP) && (j->pl.ntcp || (j->pl.prefixes & PORTS_TCP))) {
        fprintf(stderr, "WARNING: Your ports include \"T:\" but you haven't specified any "
                "TCP scan type.\n");
        j->pl.ntcp = 0;
    }
    if (!(protos & PORTS_UDP) && (j->pl.nudp || (j->pl.prefixes & PORTS_UDP))) {
        fprintf(stderr, "WARNING: Your ports include \"U:\" but you haven't specified UDP "
                "scan with -sU.\n");
        j->pl.nudp = 0;
    }
    if (o->ports && (protos & PORTS_UDP) && !j->pl.nudp && j->pl.ntcp) {
        fprintf(stderr, "WARNING: UDP scan was requested, but no udp ports were specified.  "
                "Skipping this scan type.\n");
        o->udp_scan = false;
    }
    if (o->ports && (protos & PORTS_TCP) && !j->pl.ntcp && j->pl.nudp) {
        fprintf(stderr, "WARNING: a TCP scan type was requested, but no tcp ports were "
                "specified.  Skipping this scan type.\n");
        o->tcp_scan = SCAN_NONE;
    }
    if (j->pl.ntcp + j->pl.nudp == 0) {
        snprintf(err, errlen, "No ports to scan: the port list has none for the scan types "
                 "given");
        return -1;
    }
    j->tcp_str = ports_format_alloc(j->pl.tcp, j->pl.ntcp);
    j->udp_str = ports_format_alloc(j->pl.udp, j->pl.nudp);
    if (!j->tcp_str || !j->udp_str) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ports_order(&j->pl, o->sequential, j->seed);
    return 0;
}

/* A seed for live scans without --seed: it only keys cookies and draws TTLs, so the kernel's
 * randomness is right; -v prints it so a run can be repeated. */
static uint64_t scan_live_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    return s;
}

static int scan_open_live(struct scan_job *j, char *err, size_t errlen)
{
    struct scan_opts *o = j->o;
    struct pktio_raw_cfg rc = {.ifname = o->ifname, .route_to = j->tl.addrs[0],
                               .verbose = o->verbose};
    if (o->src && wire_ip_parse(o->src, &rc.src) < 0) {
        snprintf(err, errlen, "-S needs an IPv4 address, not '%s'", o->src);
        return 1;
    }
    /* -sT alone needs no raw socket, as nmap's connect scan does not (nmap.cc: an
     * unprivileged user gets -sT): without CAP_NET_RAW the backend is connect() only. */
    rc.connect_only_ok = o->tcp_scan == SCAN_CONNECT && !o->udp_scan && !o->idle_zombie &&
                         !o->seq && !o->osscan && !o->ping_only;
    j->io = pktio_raw_open(&rc, err, errlen);
    if (j->io && pktio_raw_connect_only(j->io) && !o->no_ping) {
        fprintf(stderr, "Warning: without CAP_NET_RAW no ping probe can be sent: every "
                "target is treated as up, as with -Pn (-sT itself needs only connect())\n");
        o->no_ping = true;
    }
    return j->io ? 0 : 2;
}

/* The scenario of a simulated scan: a lab's variant (--lab/--ticket), a file (--sim, its
 * parameters at their defaults) or the embedded network. A bad scenario is a usage error
 * (1), as a scenario without a `role scanner` host is. */
static int scan_load_scenario(struct scan_job *j, char *err, size_t errlen)
{
    struct scan_opts *o = j->o;
    int rc;
    if (o->lab || o->ticket || o->student || o->instructor || o->course_key || o->labs_dir) {
        struct lab_sel sel = {.lab = o->lab, .labs_dir = o->labs_dir, .student = o->student,
                              .course_key = o->course_key, .ticket = o->ticket,
                              .instructor = o->instructor};
        rc = lab_open(&sel, &j->sc, &j->view, err, errlen) ? -1 : 0;
    } else if (o->sim_file) {
        rc = lab_scenario_file(o->sim_file, &j->sc, err, errlen);
        if (rc == -2)
            return -2;   /* cannot be read: a runtime failure, as nmap's missing files are */
    } else {
        rc = scenario_parse("default.scn", scenario_default_text, scenario_default_len, &j->sc,
                            err, errlen);
    }
    if (rc)
        return -1;
    j->have_sc = true;
    bool scanner = false;
    for (size_t i = 0; i < j->sc.nhosts; i++)
        scanner |= j->sc.hosts[i].scanner;
    if (!scanner) {
        snprintf(err, errlen, "%s: no host has `role scanner`: add it to the host that scans, "
                 "e.g. host me 198.51.100.10 role scanner", j->sc.file[0] ? j->sc.file : "scenario");
        return -1;
    }
    size_t scripted = j->sc.nsends + j->sc.nconnects;
    if (o->no_script) {
        j->sc.nsends = j->sc.nconnects = 0;   /* the arrays stay for scenario_free */
    } else if (scripted) {
        fprintf(stderr, "Note: the scenario's own script (%zu send and %zu connect lines) runs "
                "during the scan; --no-script leaves it out.\n", j->sc.nsends, j->sc.nconnects);
    }
    return 0;
}

static void scan_wire_pcap(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    pcapw_write(ctx, t_ns, pkt, len);   /* errors surface at commit */
}

/* Capture and packet trace, stacked on the backend: trace(tee(backend)). A simulated scan
 * outside a lab's student view captures the whole network (what an idle scan is about
 * happens between the zombie and the target), as `tcplab run --pcap` does; a student's
 * view and a live scan capture what the scanner's own host sends and receives. */
static int scan_wrap(struct scan_job *j, char *err, size_t errlen)
{
    struct scan_opts *o = j->o;
    if (o->capture && pktio_sim_get(j->io) && !j->view.restricted) {
        if (!(j->wire = pcapw_open_on(j->outs[SCAN_OUT_CAPTURE], err, errlen)))
            return -1;
        pktio_sim_set_wiretap(j->io, scan_wire_pcap, j->wire);
    } else if (o->capture) {
        int64_t off = 0;
        if (!j->io->is_sim) {   /* wall-clock stamps in a live capture */
            struct timespec rt, mt;
            clock_gettime(CLOCK_REALTIME, &rt);
            clock_gettime(CLOCK_MONOTONIC, &mt);
            off = ((int64_t)rt.tv_sec - (int64_t)mt.tv_sec) * 1000000000 +
                  ((int64_t)rt.tv_nsec - (int64_t)mt.tv_nsec);
        }
        struct pktio *t = pktio_tee_wrap(j->io, j->outs[SCAN_OUT_CAPTURE], off, err, errlen);
        if (!t)
            return -1;
        j->io = t;
    }
    if (o->packet_trace) {
        struct pktio *t = pktio_trace_wrap(j->io, stdout, err, errlen);
        if (!t)
            return -1;
        j->io = t;
    }
    if (!j->io->is_sim && isatty(STDOUT_FILENO)) {
        struct pktio *t = scan_progress_wrap(j->io, stdout, j->o->tcp_scan, j->o->udp_scan,
                                             (uint64_t)j->tl.n * (j->pl.ntcp + j->pl.nudp));
        if (t)
            j->io = t;
    }
    return 0;
}

/* -sI ZOMBIE[:PORT]: the zombie is resolved like a target (scenario host names in the
 * simulator); nmap's messages for a bad port or an unknown host (idle_scan.cc). */
static int scan_zombie(struct scan_job *j, char *err, size_t errlen)
{
    const char *spec = j->o->idle_zombie;
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n == 0 || n >= sizeof j->zombie_name) {
        snprintf(err, errlen, "Could not resolve idle scan zombie host \"%.*s\"",
                 (int)(n < 200 ? n : 200), spec);
        return -1;
    }
    memcpy(j->zombie_name, spec, n);
    j->zombie_name[n] = '\0';
    j->zombie_port = 0;
    if (colon) {
        char *end;
        unsigned long p = strtoul(colon + 1, &end, 10);
        if (!colon[1] || *end || p == 0 || p > 65535 || colon[1] == '-' || colon[1] == '+') {
            snprintf(err, errlen, "Invalid port number given in IP ID zombie specification: %s",
                     spec);
            return -1;
        }
        j->zombie_port = (int)p;
    }
    if (wire_ip_parse(j->zombie_name, &j->zombie) == 0)
        return 0;
    int rc = j->o->live ? scan_resolve_live(NULL, j->zombie_name, &j->zombie)
                        : scan_resolve_sim(j->io, j->zombie_name, &j->zombie);
    if (rc < 0) {
        snprintf(err, errlen, "Could not resolve idle scan zombie host \"%s\": %s",
                 j->zombie_name, j->o->live ? "no IPv4 address found"
                                            : "no such host in the scenario");
        return -1;
    }
    return 0;
}

/* Names for "Nmap scan report for NAME (ip)": as typed, else the scenario's host name;
 * asked per target as its group starts, so millions of targets keep no name array. */
static const char *scan_target_name(void *ctx, uint32_t addr)
{
    struct scan_job *j = ctx;
    const char *n = targets_name_of(&j->tl, addr);
    if (!n && j->io->is_sim)
        n = pktio_sim_host_name(j->io, addr);
    if (!n && j->io->is_sim)
        n = pktio_attach_host_name(j->io, addr);
    return n;
}

/* Sink k of the report: 0 stdout, 1 + SCAN_OUT_N.. the -o files; NULL when absent or failed. */
static FILE *scan_sink(struct scan_job *j, int k)
{
    if (j->failed[k])
        return NULL;
    return k == 0 ? stdout : j->outs[k - 1] ? outfile_fp(j->outs[k - 1]) : NULL;
}

static void scan_log(void *ctx, const char *line)
{
    struct scan_job *j = ctx;
    fputs(line, stdout);   /* a /8 scan logs millions of lines: no format to parse */
    putchar('\n');
    if (!j->outs[SCAN_OUT_N] || j->failed[1 + SCAN_OUT_N])
        return;
    size_t n = strlen(line) + 1;
    if (j->log_len + n > j->log_cap) {
        size_t cap = j->log_cap ? j->log_cap : 4096;
        while (cap < j->log_len + n)
            cap *= 2;
        char *p = realloc(j->log_pending, cap);
        if (!p) {   /* reported at the end as a failed write of the -oN file */
            j->failed[1 + SCAN_OUT_N] = true;
            return;
        }
        j->log_pending = p;
        j->log_cap = cap;
    }
    memcpy(j->log_pending + j->log_len, line, n - 1);
    j->log_pending[j->log_len + n - 1] = '\n';
    j->log_len += n;
}

/* The warnings logged since the last group, into the -oN file, ahead of the group's hosts
 * (where nmap's file has them). */
static void scan_log_flush(struct scan_job *j)
{
    FILE *f = scan_sink(j, 1 + SCAN_OUT_N);
    if (f && j->log_len > 0 && fwrite(j->log_pending, 1, j->log_len, f) != j->log_len)
        j->failed[1 + SCAN_OUT_N] = true;
    j->log_len = 0;
}

static void scan_fill_config(struct scan_job *j, struct scan_config *c)
{
    struct scan_opts *o = j->o;
    scan_config_init(c);
    c->tcp_scan = o->tcp_scan;
    c->udp_scan = o->udp_scan;
    c->targets = j->tl.addrs;
    c->target_name = scan_target_name;
    c->target_name_ctx = j;
    c->ntargets = j->tl.n;
    c->tcp_ports = j->pl.tcp;
    c->ntcp_ports = j->pl.ntcp;
    c->udp_ports = j->pl.udp;
    c->nudp_ports = j->pl.nudp;
    c->tcp_ports_str = j->pl.ntcp ? j->tcp_str : NULL;
    c->udp_ports_str = j->pl.nudp ? j->udp_str : NULL;
    c->argv_line = j->argv_line;
    c->timing = o->timing;
    c->disc.ping_only = o->ping_only;
    c->disc.no_ping = o->no_ping;
    c->disc.ping_syn = o->ping_syn;
    c->disc.syn_ports = j->syn_ping.tcp;
    c->disc.nsyn_ports = j->syn_ping.ntcp;
    c->disc.ping_ack = o->ping_ack;
    c->disc.ack_ports = j->ack_ping.tcp;
    c->disc.nack_ports = j->ack_ping.ntcp;
    c->disc.ping_echo = o->ping_echo;
    c->disc.ping_timestamp = o->ping_timestamp;
    c->verbose = o->verbose;
    c->reason = o->reason;
    c->open_only = o->open_only;
    c->seq = o->seq;
    c->seed = j->seed;
    c->source_port = o->source_port;
    c->ttl = o->ttl;
    c->log = scan_log;
    c->log_ctx = j;
    if (j->have_osdb) {
        c->osdb = &j->osdb;
        c->osscan_guess = o->osscan_guess;
        c->osscan_limit = o->osscan_limit;
        c->max_os_tries = o->max_os_tries;
    }
    if (j->have_svdb) {
        c->svdb = &j->svdb;
        c->version_intensity = o->version_intensity;
        c->version_trace = o->version_trace;
        c->version_allports = o->allports;
    }
    if (o->idle_zombie) {
        c->idle_scan = true;
        c->idle_zombie = j->zombie;
        c->idle_zombie_name = j->zombie_name;
        c->idle_probe_port = j->zombie_port;
    }
}

/* The report's writers: stdout (sink 0) and the -o files (sinks 1..4). */
static const struct output_ops *const scan_sink_ops[SCAN_OUT_CAPTURE + 1] = {
    &output_normal_body, &output_normal_file, &output_grep, &output_xml, &output_json,
};

static void scan_sink_check(struct scan_job *j, int k, FILE *f, int wrc)
{
    if (wrc < 0 || ferror(f))
        j->failed[k] = true;
}

/* The report's header with what the command adds (the wall-clock start, the seed). */
static struct scan_report scan_header(const struct scan_job *j, const struct scan_report *rep)
{
    struct scan_report r = *rep;
    r.start_unix = j->start_unix;
    r.seed = j->seed;
    return r;
}

static void scan_begin_sinks(struct scan_job *j, const struct scan_report *r)
{
    if (j->begun)
        return;
    j->begun = true;
    fflush(stdout);
    for (int k = 0; k <= SCAN_OUT_CAPTURE; k++) {
        FILE *f = scan_sink(j, k);
        if (f)
            scan_sink_check(j, k, f, scan_sink_ops[k]->begin(f, r));
    }
}

/* scan_config.on_group: a host group is done; its hosts go to every sink now (nmap prints
 * each group's reports as it finishes), and the engine frees them after. A failed write
 * is remembered and reported at the end, as before: the scan goes on. */
static int scan_on_group(void *ctx, const struct scan_report *rep, const struct host_result *hosts,
                         size_t n, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct scan_job *j = ctx;
    struct scan_report r = scan_header(j, rep);
    scan_begin_sinks(j, &r);
    scan_log_flush(j);
    for (int k = 0; k <= SCAN_OUT_CAPTURE; k++) {
        FILE *f = scan_sink(j, k);
        for (size_t i = 0; f && i < n; i++)
            scan_sink_check(j, k, f, scan_sink_ops[k]->host(f, &r, &hosts[i], &j->nlisted[k]));
    }
    if (fflush(stdout) != 0)
        j->failed[0] = true;
    return 0;
}

/* The ends of every sink (the totals); then the -o files and the capture as one set: all of
 * them appear, whole, or none (outfile_commit_all). 0, or 2 when any write failed. */
static int scan_outputs(struct scan_job *j, bool capture_ok)
{
    int rc = 0;
    char err[512];
    struct scan_report r = scan_header(j, &j->rep);
    scan_begin_sinks(j, &r);
    scan_log_flush(j);
    for (int k = 0; k <= SCAN_OUT_CAPTURE; k++) {
        FILE *f = scan_sink(j, k);
        if (f)
            scan_sink_check(j, k, f, scan_sink_ops[k]->end(f, &r, j->nlisted[k]));
    }
    if (fflush(stdout) != 0 || j->failed[0])
        rc = scan_runtime_error("writing the report to stdout failed");
    bool ok = capture_ok;
    for (int k = 1; k <= SCAN_OUT_CAPTURE && ok; k++) {
        if (j->outs[k - 1] && j->failed[k]) {
            outfile_path_msg(err, sizeof err, scan_out_path(j->o, k - 1), "write failed");
            rc = scan_runtime_error(err);
            ok = false;
        }
    }
    if (!ok) {
        scan_abort_outputs(j);
        return 2;
    }
    if (outfile_commit_all(j->outs, SCAN_NOUTS, err, sizeof err) < 0)
        rc = scan_runtime_error(err);
    memset(j->outs, 0, sizeof j->outs);
    return rc;
}

static int scan_job_run(struct scan_job *j, int argc, char **argv)
{
    struct scan_opts *o = j->o;
    char err[512];
    j->argv_line = scan_argv_line(argc, argv);
    if (!j->argv_line)
        return scan_runtime_error("out of memory");
    if (scan_open_outputs(j, err, sizeof err) < 0)
        return scan_usage_error(err);
    if (o->attach) {   /* the network is the attaching tcplab's: no scenario here */
        if (!(j->io = pktio_attach_open(err, sizeof err)))   /* not under attach: usage */
            return getenv("TCPLAB_ATTACH") ? scan_runtime_error(err) : scan_usage_error(err);
        j->seed = o->has_seed ? o->seed : 0;
    } else if (!o->live) {
        int lrc = scan_load_scenario(j, err, sizeof err);
        if (lrc < 0)   /* a missing, unreadable or malformed scenario is an input error */
            return scan_input_error(err);
        j->io = pktio_sim_open_scenario(&j->sc, o->has_seed ? o->seed : j->sc.seed, err,
                                        sizeof err);
        if (!j->io)
            return scan_runtime_error(err);
        j->seed = pktio_sim_seed(j->io);
        if (j->hooks && j->hooks->opened)
            j->hooks->opened(j->hooks->ctx, j->io);
    } else {
        j->seed = o->has_seed ? o->seed : scan_live_seed();
    }
    if (scan_targets(j, err, sizeof err) < 0 || scan_ports(j, err, sizeof err) < 0 ||
        (o->idle_zombie && scan_zombie(j, err, sizeof err) < 0))
        return scan_usage_error(err);
    if (o->live) {
        int rc = scan_open_live(j, err, sizeof err);
        if (rc == 1)
            return scan_usage_error(err);
        if (rc)
            return scan_runtime_error(err);
    }
    if (scan_wrap(j, err, sizeof err) < 0)
        return scan_runtime_error(err[0] ? err : "out of memory");
    if (o->osscan) {
        if (scan_os_load(o, &j->osdb, err, sizeof err) < 0)
            return scan_input_error(err);
        j->have_osdb = true;
    }
    if (o->vscan) {
        if (scan_sv_load(o, &j->svdb, err, sizeof err) < 0)
            return scan_input_error(err);
        j->have_svdb = true;
    }
    int64_t start_unix = j->io->is_sim ? SCAN_SIM_EPOCH : (int64_t)time(NULL);
    j->start_unix = start_unix;
    if (output_normal_banner(stdout, start_unix) < 0)
        return scan_runtime_error("writing to stdout failed");
    if (o->verbose > 0)
        printf("Seed: %llu\n", (unsigned long long)j->seed);
    fflush(stdout);
    struct scan_config cfg;
    scan_fill_config(j, &cfg);
    cfg.on_group = scan_on_group;
    cfg.group_ctx = j;
    if (j->hooks && j->hooks->configure)
        j->hooks->configure(j->hooks->ctx, &cfg);
    int src = scan_run(&cfg, j->io, &j->rep, err, sizeof err);
    if (src == SCAN_ERR_INPUT)   /* e.g. an idle-scan zombie that cannot be used */
        return scan_input_error(err);
    if (src < 0)
        return scan_runtime_error(err);
    j->report_ok = true;
    j->rep.start_unix = start_unix;
    j->rep.seed = j->seed;
    int rc = 0;
    bool capture_ok = true;
    if (j->wire) {
        struct pcap_writer *w = j->wire;
        j->wire = NULL;
        pktio_sim_set_wiretap(j->io, NULL, NULL);
        if (pcapw_end(w, err, sizeof err) < 0)
            capture_ok = false, rc = scan_runtime_error(err);
    } else if (o->capture && pktio_tee_end(j->io, err, sizeof err) < 0) {
        capture_ok = false, rc = scan_runtime_error(err);
    }
    int orc = scan_outputs(j, capture_ok);
    return rc ? rc : orc;
}

static void scan_job_free(struct scan_job *j)
{
    if (j->report_ok)
        scan_report_free(&j->rep);
    if (j->have_osdb)
        os_db_free(&j->osdb);
    if (j->have_svdb)
        svc_db_free(&j->svdb);
    pktio_close(j->io);
    if (j->wire)
        pcapw_abort(j->wire);
    scan_abort_outputs(j);
    if (j->have_sc)
        scenario_free(&j->sc);
    targets_free(&j->tl);
    targets_free(&j->ex);
    ports_free(&j->pl);
    ports_free(&j->syn_ping);
    ports_free(&j->ack_ping);
    free(j->argv_line);
    free(j->tcp_str);
    free(j->udp_str);
    free(j->log_pending);
}

int cmd_scan(int argc, char **argv)
{
    return cmd_scan_hooked(argc, argv, NULL);
}

int cmd_scan_hooked(int argc, char **argv, const struct cmd_scan_hooks *hooks)
{
    struct scan_opts o;
    char err[512];
    if (scan_opts_parse(&o, argc, argv, err, sizeof err) < 0) {
        scan_opts_free(&o);
        return scan_usage_error(err);
    }
    if (o.help) {
        fputs(scan_opts_usage, stdout);
        scan_opts_free(&o);
        return 0;
    }
    struct scan_job j = {.o = &o, .hooks = hooks};
    targets_init(&j.tl);
    targets_init(&j.ex);
    ports_init(&j.pl);
    ports_init(&j.syn_ping);
    ports_init(&j.ack_ping);
    int rc = scan_job_run(&j, argc, argv);
    if (hooks && hooks->closing && j.io)
        hooks->closing(hooks->ctx, j.io);
    scan_job_free(&j);
    scan_opts_free(&o);
    return rc;
}
