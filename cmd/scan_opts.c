/* scan_opts.c — parses the `tcplab scan` command line with nmap's spellings.
 *
 * nmap's parse_options (nmap.cc) is getopt_long_only over a long table; its short options
 * glue their argument on (-sS, -PS22,80, -T4, -p1-100, -oNfile, -v3). This parser accepts
 * those forms, "--opt VALUE" and "--opt=VALUE", and reports errors in nmap's words where
 * nmap has words for them (e.g. "--min-rate=100 must be less than or equal to
 * --max-rate=10"). Times read as nmap's: "500ms", "2s", "1m", a bare number in seconds.
 * Nothing here opens a file or a socket: a parse can be tested alone.
 */
#include "cmd/scan_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"

const char scan_opts_usage[] =
    "usage: tcplab scan [SCAN TYPE...] [OPTIONS] TARGETS...\n"
    "Backends: none given = the embedded lab network (198.51.100.0/24); --sim FILE = that\n"
    "scenario, from its `role scanner` host; --live = raw sockets on a real network.\n"
    "TARGETS: 198.51.100.30, 198.51.100.0/24, 10.0.0-255.1-254, scenario host names.\n"
    "  -iL FILE                  read targets from FILE (- = stdin)\n"
    "  --exclude LIST            leave out these targets; --excludefile FILE likewise\n"
    "HOST DISCOVERY:\n"
    "  -sn                       ping scan only: no port scan\n"
    "  -Pn                       treat every host as up: no discovery\n"
    "  -PS[ports] -PA[ports]     TCP SYN / ACK discovery (default port 80)\n"
    "  -PE -PP                   ICMP echo / timestamp discovery\n"
    "SCAN TYPES:\n"
    "  -sS -sT -sA -sW -sM       SYN, connect(), ACK, Window, Maimon\n"
    "  -sF -sN -sX               FIN, NULL, Xmas\n"
    "  -sU                       UDP (may be combined with one TCP type)\n"
    "  -sI ZOMBIE[:PORT]         idle scan through ZOMBIE's IP-ID counter (probe port: 443,\n"
    "                            80 with -Pn)\n"
    "PORTS:\n"
    "  -p SPEC                   ports: 22; 1-1024; U:53,T:80; - (1-65535)\n"
    "  -F                        the 100 most common ports\n"
    "  --top-ports N             the N most common ports\n"
    "  -r                        scan ports in order, not shuffled\n"
    "TIMING (times: 500ms, 2s, 1m; bare numbers are seconds):\n"
    "  -T0..-T5                  paranoid|sneaky|polite|normal|aggressive|insane\n"
    "  --max-retries N           --min-rate N  --max-rate N (packets/s)\n"
    "  --scan-delay T            --max-scan-delay T\n"
    "  --min-rtt-timeout T       --max-rtt-timeout T  --initial-rtt-timeout T\n"
    "  --min-hostgroup N         --max-hostgroup N\n"
    "  --min-parallelism N       --max-parallelism N\n"
    "OUTPUT:\n"
    "  -oN/-oG/-oX/-oJ FILE      normal, grepable, XML (nmap DTD), JSON; -oA BASE: the first three\n"
    "  -v, -vv, -v3              more verbose (-v also prints the seed)\n"
    "  --reason                  why each port is in its state\n"
    "  --packet-trace            every packet sent and received\n"
    "  --seq                     IP-ID and ISN sequence analysis of each up host\n"
    "  --capture FILE            a pcap file: in a simulation the whole network's datagrams\n"
    "                            (in a lab, only the student's host's); live, the scanner's\n"
    "OS DETECTION:\n"
    "  -O                        nmap's OS detection (nmap-os-db from an installed nmap)\n"
    "  --osscan-guess            show near matches too; --osscan-limit: only hosts with\n"
    "                            an open and a closed port; --max-os-tries N (default 5)\n"
    "VERSION DETECTION:\n"
    "  -sV                       probe open ports for service and version (nmap-service-probes\n"
    "                            from an installed nmap; else a small built-in file)\n"
    "  --version-intensity N     0 (light) to 9 (try every probe), default 7;\n"
    "                            --version-light (2), --version-all (9)\n"
    "  --version-trace           print each version probe sent and each match\n"
    "  --allports                probe the ports the probes file excludes (9100-9107) too\n"
    "  -A                        -O -sV\n"
    "  --datadir DIR             where nmap's data files are (default /usr/share/nmap)\n"
    "MISC:\n"
    "  --sim FILE                scan a scenario instead of the embedded network\n"
    "  --no-script               leave out the scenario's own send and connect lines\n"
    "  --lab NAME --student ID   scan that student's variant of a lab (tcplab lab list);\n"
    "                            --ticket FILE, --course-key FILE, --instructor, --labs DIR\n"
    "  --seed N                  the simulation's (and probes') seed\n"
    "  --open                    show only open (or possibly open) ports, and hosts with one\n"
    "  --live                    raw sockets on a real network (needs CAP_NET_RAW)\n"
    "  --attach                  under `tcplab attach SCENARIO -- tcplab scan --attach ...`:\n"
    "                            scan from the attached host, through its socket\n"
    "  -e IF  -S ADDR            live: interface and source address\n"
    "  -g PORT                   source port; --ttl N: IP TTL of probes\n"
    "  -h, --help                this text\n"
    "Example: tcplab scan -sS --reason 198.51.100.0/24\n";

enum opt_id {
    O_TOP_PORTS, O_EXCLUDE, O_EXCLUDEFILE, O_MAX_RETRIES, O_MIN_RATE, O_MAX_RATE,
    O_SCAN_DELAY, O_MAX_SCAN_DELAY, O_MIN_RTT, O_MAX_RTT, O_INITIAL_RTT, O_MIN_HOSTGROUP,
    O_MAX_HOSTGROUP, O_MIN_PAR, O_MAX_PAR, O_REASON, O_PACKET_TRACE, O_SEED, O_SEQ, O_OPEN,
    O_CAPTURE, O_SIM, O_LIVE, O_ATTACH, O_HELP, O_SOURCE_PORT, O_TTL, O_NO_SCRIPT, O_LAB,
    O_LABS, O_STUDENT, O_COURSE_KEY, O_TICKET, O_INSTRUCTOR, O_OSSCAN_GUESS, O_OSSCAN_LIMIT,
    O_MAX_OS_TRIES, O_DATADIR, O_VERSION_INTENSITY, O_VERSION_LIGHT, O_VERSION_ALL,
    O_VERSION_TRACE, O_ALLPORTS,
};

struct long_opt {
    const char *name;
    enum opt_id id;
    bool arg;
};

static const struct long_opt long_opts[] = {
    {"top-ports", O_TOP_PORTS, true},          {"exclude", O_EXCLUDE, true},
    {"excludefile", O_EXCLUDEFILE, true},      {"max-retries", O_MAX_RETRIES, true},
    {"min-rate", O_MIN_RATE, true},            {"max-rate", O_MAX_RATE, true},
    {"scan-delay", O_SCAN_DELAY, true},        {"max-scan-delay", O_MAX_SCAN_DELAY, true},
    {"min-rtt-timeout", O_MIN_RTT, true},      {"max-rtt-timeout", O_MAX_RTT, true},
    {"initial-rtt-timeout", O_INITIAL_RTT, true},
    {"min-hostgroup", O_MIN_HOSTGROUP, true},  {"max-hostgroup", O_MAX_HOSTGROUP, true},
    {"min-parallelism", O_MIN_PAR, true},      {"max-parallelism", O_MAX_PAR, true},
    {"reason", O_REASON, false},               {"packet-trace", O_PACKET_TRACE, false},
    {"seed", O_SEED, true},                    {"seq", O_SEQ, false},
    {"open", O_OPEN, false},
    {"capture", O_CAPTURE, true},              {"sim", O_SIM, true},
    {"live", O_LIVE, false},                   {"help", O_HELP, false},
    {"attach", O_ATTACH, false},
    {"source-port", O_SOURCE_PORT, true},      {"ttl", O_TTL, true},
    {"no-script", O_NO_SCRIPT, false},         {"lab", O_LAB, true},
    {"labs", O_LABS, true},                    {"student", O_STUDENT, true},
    {"course-key", O_COURSE_KEY, true},        {"ticket", O_TICKET, true},
    {"instructor", O_INSTRUCTOR, false},
    {"osscan-guess", O_OSSCAN_GUESS, false},   {"fuzzy", O_OSSCAN_GUESS, false},
    {"osscan-limit", O_OSSCAN_LIMIT, false},   {"max-os-tries", O_MAX_OS_TRIES, true},
    {"datadir", O_DATADIR, true},
    {"version-intensity", O_VERSION_INTENSITY, true},
    {"version-light", O_VERSION_LIGHT, false}, {"version-all", O_VERSION_ALL, false},
    {"version-trace", O_VERSION_TRACE, false}, {"allports", O_ALLPORTS, false},
};

/* A whole non-negative number no larger than max: the one parser (cmd/util.c). */
static int opts_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    return cmd_parse_uint(s, max, out);
}

static int opts_int(const char *s, int lo, int hi, int *out)
{
    unsigned long long v;
    if (opts_uint(s, (unsigned long long)hi, &v) < 0 || v < (unsigned long long)lo)
        return -1;
    *out = (int)v;
    return 0;
}

static int opts_time(const char *name, const char *s, int64_t *out, char *err, size_t errlen)
{
    unsigned long long ns;
    if (cmd_parse_duration(s, 1, &ns) < 0 || ns > (unsigned long long)INT64_MAX) {
        snprintf(err, errlen, "Bogus --%s argument '%s': use a time such as 500ms, 2s or 1m",
                 name, s);
        return -1;
    }
    *out = (int64_t)ns;
    return 0;
}

static int opts_rate(const char *name, const char *s, double *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    double v = s && *s ? strtod(s, &end) : -1;
    if (!s || !*s || errno || *end || !(v > 0) || v > 1e9) {
        snprintf(err, errlen, "Argument to --%s must be a positive number of packets per "
                 "second, not '%s'", name, s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

/* -T: a digit or nmap's names (case-insensitive). */
static int opts_template(const char *s, int *level, char *err, size_t errlen)
{
    static const char *const names[] = {"paranoid", "sneaky", "polite", "normal",
                                        "aggressive", "insane"};
    for (int i = 0; i < 6; i++) {
        if ((s[0] == '0' + i && !s[1]) || !strcasecmp(s, names[i])) {
            *level = i;
            return 0;
        }
    }
    snprintf(err, errlen, "Unknown timing mode (-T argument).  Use either \"Paranoid\", "
             "\"Sneaky\", \"Polite\", \"Normal\", \"Aggressive\", \"Insane\" or a number from "
             "0 (Paranoid) to 5 (Insane)");
    return -1;
}

/* The letters after -s: each one a scan type, as nmap reads "-sSU". */
static int opts_scan_letters(struct scan_opts *o, const char *s, char *err, size_t errlen)
{
    if (!*s) {
        snprintf(err, errlen, "-s needs a scan type letter: -sS, -sT, -sU, -sn ...");
        return -1;
    }
    if (!strcmp(s, "n")) {
        o->ping_only = true;
        return 0;
    }
    for (; *s; s++) {
        if (*s == 'U') {
            o->udp_scan = true;
            continue;
        }
        if (*s == 'V') {     /* nmap: -sV, also among other letters (-sSV) */
            o->vscan = true;
            continue;
        }
        if (*s == 'I') {   /* only as -sI ZOMBIE, handled in opts_short */
            snprintf(err, errlen, "-sI takes the zombie host as its argument: -sI ZOMBIE[:PORT]");
            return -1;
        }
        enum scan_type t = scan_type_by_flag(*s);
        if (t == SCAN_NONE || t == SCAN_UDP) {
            snprintf(err, errlen, "Scantype %c not supported", *s);
            return -1;
        }
        if (o->tcp_scan != SCAN_NONE && o->tcp_scan != t) {
            snprintf(err, errlen, "You specified more than one type of TCP scan.  Please "
                     "choose only one of -sA, -sT, -sF, -sM, -sN, -sS, -sW, and -sX");
            return -1;
        }
        o->tcp_scan = t;
    }
    return 0;
}

static int opts_ping(struct scan_opts *o, const char *s, char *err, size_t errlen)
{
    switch (s[0]) {
    case 'n':
        if (!s[1]) {
            o->no_ping = true;
            return 0;
        }
        break;
    case 'S':
        o->ping_syn = true;
        o->ping_syn_ports = s[1] ? s + 1 : NULL;
        return 0;
    case 'A':
        o->ping_ack = true;
        o->ping_ack_ports = s[1] ? s + 1 : NULL;
        return 0;
    case 'E':
        if (!s[1]) {
            o->ping_echo = true;
            return 0;
        }
        break;
    case 'P':
        if (!s[1]) {
            o->ping_timestamp = true;
            return 0;
        }
        break;
    default:
        break;
    }
    snprintf(err, errlen, "Illegal Argument to -P, use -Pn, -PE, -PS, -PA or -PP");
    return -1;
}

static int opts_output(struct scan_opts *o, char kind, const char *path, char *err,
                       size_t errlen)
{
    switch (kind) {
    case 'N': o->out_normal = path; return 0;
    case 'G': o->out_grep = path; return 0;
    case 'X': o->out_xml = path; return 0;
    case 'J': o->out_json = path; return 0;
    case 'A': {
        static const char *const ext[3] = {".nmap", ".gnmap", ".xml"};
        for (int i = 0; i < 3; i++) {
            free(o->oa_paths[i]);
            size_t n = strlen(path) + strlen(ext[i]) + 1;
            o->oa_paths[i] = malloc(n);
            if (!o->oa_paths[i]) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            snprintf(o->oa_paths[i], n, "%s%s", path, ext[i]);
        }
        o->out_normal = o->oa_paths[0];
        o->out_grep = o->oa_paths[1];
        o->out_xml = o->oa_paths[2];
        return 0;
    }
    default:
        snprintf(err, errlen, "Unknown option -o%c: use -oN, -oG, -oX, -oJ or -oA", kind);
        return -1;
    }
}

/* -v, -vv, -vvv, -v3 (nmap: a number sets the level). */
static int opts_verbose(struct scan_opts *o, const char *rest, char *err, size_t errlen)
{
    if (*rest >= '0' && *rest <= '9') {
        int v;
        if (opts_int(rest, 0, 10, &v) < 0) {
            snprintf(err, errlen, "Bogus verbosity level -v%s", rest);
            return -1;
        }
        o->verbose = v;
        return 0;
    }
    for (; *rest; rest++) {
        if (*rest != 'v') {
            snprintf(err, errlen, "unrecognized option '-v%s'", rest);
            return -1;
        }
        o->verbose++;
    }
    o->verbose++;
    return 0;
}

static int opts_long(struct scan_opts *o, const struct long_opt *lo, const char *v, char *err,
                     size_t errlen)
{
    struct scan_timing *t = &o->timing;
    unsigned long long u;
    switch (lo->id) {
    case O_TOP_PORTS:
        if (opts_int(v, 1, 65536, &o->top_ports) < 0) {
            snprintf(err, errlen, "Argument to --top-ports must be a number from 1 to 65536, "
                     "not '%s'", v);
            return -1;
        }
        return 0;
    case O_EXCLUDE: o->exclude = v; return 0;
    case O_EXCLUDEFILE: o->excludefile = v; return 0;
    case O_MAX_RETRIES:
        if (opts_int(v, 0, 50, &t->max_retries) < 0) {
            snprintf(err, errlen, "max-retries must be a number from 0 to 50, not '%s'", v);
            return -1;
        }
        return 0;
    case O_MIN_RATE: return opts_rate(lo->name, v, &t->min_rate, err, errlen);
    case O_MAX_RATE: return opts_rate(lo->name, v, &t->max_rate, err, errlen);
    case O_SCAN_DELAY: return opts_time(lo->name, v, &t->scan_delay_ns, err, errlen);
    case O_MAX_SCAN_DELAY: return opts_time(lo->name, v, &t->max_scan_delay_ns, err, errlen);
    case O_MIN_RTT: return opts_time(lo->name, v, &t->min_rtt_ns, err, errlen);
    case O_MAX_RTT: return opts_time(lo->name, v, &t->max_rtt_ns, err, errlen);
    case O_INITIAL_RTT: return opts_time(lo->name, v, &t->initial_rtt_ns, err, errlen);
    case O_MIN_HOSTGROUP: case O_MAX_HOSTGROUP: case O_MIN_PAR: case O_MAX_PAR: {
        int n;
        if (opts_int(v, 1, 65536, &n) < 0) {
            snprintf(err, errlen, "Argument to --%s must be at least 1, not '%s'", lo->name, v);
            return -1;
        }
        if (lo->id == O_MIN_HOSTGROUP)
            o->min_hostgroup = n;
        else if (lo->id == O_MAX_HOSTGROUP)
            t->host_group = n;
        else if (lo->id == O_MIN_PAR)
            t->min_parallelism = n;
        else
            t->max_parallelism = n;
        return 0;
    }
    case O_REASON: o->reason = true; return 0;
    case O_PACKET_TRACE: o->packet_trace = true; return 0;
    case O_SEED:
        if (opts_uint(v, UINT64_MAX, &u) < 0) {
            snprintf(err, errlen, "--seed needs a non-negative integer, not '%s'", v);
            return -1;
        }
        o->has_seed = true;
        o->seed = u;
        return 0;
    case O_SEQ: o->seq = true; return 0;
    case O_OPEN: o->open_only = true; return 0;
    case O_CAPTURE: o->capture = v; return 0;
    case O_SIM: o->sim_file = v; return 0;
    case O_LIVE: o->live = true; return 0;
    case O_ATTACH: o->attach = true; return 0;
    case O_NO_SCRIPT: o->no_script = true; return 0;
    case O_LAB: o->lab = v; return 0;
    case O_LABS: o->labs_dir = v; return 0;
    case O_STUDENT: o->student = v; return 0;
    case O_COURSE_KEY: o->course_key = v; return 0;
    case O_TICKET: o->ticket = v; return 0;
    case O_INSTRUCTOR: o->instructor = true; return 0;
    case O_OSSCAN_GUESS: o->osscan_guess = true; return 0;
    case O_OSSCAN_LIMIT: o->osscan_limit = true; return 0;
    case O_DATADIR: o->datadir = v; return 0;
    case O_VERSION_INTENSITY:
        if (opts_int(v, 0, 9, &o->version_intensity) < 0) {
            snprintf(err, errlen, "version-intensity must be between 0 and 9");
            return -1;
        }
        return 0;
    case O_VERSION_LIGHT: o->version_intensity = 2; return 0;
    case O_VERSION_ALL: o->version_intensity = 9; return 0;
    case O_VERSION_TRACE: o->version_trace = true; return 0;
    case O_ALLPORTS: o->allports = true; return 0;
    case O_MAX_OS_TRIES:
        if (opts_int(v, 1, 50, &o->max_os_tries) < 0) {
            snprintf(err, errlen, "--max-os-tries needs a number from 1 to 50, not '%s'", v);
            return -1;
        }
        return 0;
    case O_HELP: o->help = true; return 0;
    case O_SOURCE_PORT:
        if (opts_int(v, 0, 65535, &o->source_port) < 0) {
            snprintf(err, errlen, "-g/--source-port needs a port number 0-65535, not '%s'", v);
            return -1;
        }
        return 0;
    case O_TTL:
        if (opts_int(v, 0, 255, &o->ttl) < 0) {
            snprintf(err, errlen, "ttl option must be a number between 0 and 255 (inclusive)");
            return -1;
        }
        return 0;
    }
    return 0;
}

/* Options that agree with one another (nmap.cc's checks after parsing). */
static int opts_check(struct scan_opts *o, char *err, size_t errlen)
{
    const struct scan_timing *t = &o->timing;
    if (t->min_rate > 0 && t->max_rate > 0 && t->min_rate > t->max_rate) {
        snprintf(err, errlen, "--min-rate=%g must be less than or equal to --max-rate=%g",
                 t->min_rate, t->max_rate);
        return -1;
    }
    if (t->min_parallelism > 0 && t->max_parallelism > 0 &&
        t->min_parallelism > t->max_parallelism) {
        snprintf(err, errlen, "--min-parallelism=%d must be less than or equal to "
                 "--max-parallelism=%d", t->min_parallelism, t->max_parallelism);
        return -1;
    }
    if (o->min_hostgroup > 0 && t->host_group > 0 && o->min_hostgroup > t->host_group) {
        snprintf(err, errlen, "--min-hostgroup=%d must be less than or equal to "
                 "--max-hostgroup=%d", o->min_hostgroup, t->host_group);
        return -1;
    }
    if (t->min_rtt_ns >= 0 && t->max_rtt_ns >= 0 && t->min_rtt_ns > t->max_rtt_ns) {
        snprintf(err, errlen, "--min-rtt-timeout must be less than or equal to "
                 "--max-rtt-timeout");
        return -1;
    }
    if (o->fast && o->ports) {
        snprintf(err, errlen, "You cannot use -F (fast scan) with -p (explicit port "
                 "selection) but see --top-ports to fast scan a range of ports");
        return -1;
    }
    if (o->top_ports && (o->ports || o->fast)) {
        snprintf(err, errlen, "--top-ports cannot be combined with %s", o->ports ? "-p" : "-F");
        return -1;
    }
    if (o->ping_only && (o->tcp_scan != SCAN_NONE || o->udp_scan)) {
        snprintf(err, errlen, "-sn (no port scan) cannot be combined with a port scan type");
        return -1;
    }
    if (o->ping_only && (o->ports || o->fast || o->top_ports)) {
        snprintf(err, errlen, "-sn (no port scan) cannot be combined with a port list "
                 "(-p, -F, --top-ports)");
        return -1;
    }
    if ((o->lab || o->ticket) && (o->sim_file || o->live)) {
        snprintf(err, errlen, "--lab cannot be combined with %s: a lab brings its own scenario",
                 o->live ? "--live" : "--sim");
        return -1;
    }
    if (o->attach && (o->live || o->sim_file || o->lab || o->ticket)) {
        snprintf(err, errlen, "--attach scans the network of the `tcplab attach` it runs under: "
                 "drop %s", o->live ? "--live" : o->sim_file ? "--sim" : "the lab options");
        return -1;
    }
    if (o->live && o->sim_file) {
        snprintf(err, errlen, "--live and --sim cannot be combined: --live scans a real "
                 "network, --sim a scenario");
        return -1;
    }
    if (!o->live && (o->ifname || o->src)) {
        snprintf(err, errlen, "%s only applies with --live (a simulated scan sends from the "
                 "scenario's `role scanner` host)", o->ifname ? "-e" : "-S");
        return -1;
    }
    if (o->idle_zombie) {
        if (o->tcp_scan != SCAN_NONE) {
            snprintf(err, errlen, "You specified more than one type of TCP scan.  Please "
                     "choose only one of -sA, -sT, -sF, -sI, -sM, -sN, -sS, -sW, and -sX");
            return -1;
        }
        if (o->ping_only) {
            snprintf(err, errlen, "-sn (no port scan) cannot be combined with a port scan type");
            return -1;
        }
        o->tcp_scan = SCAN_SYN;     /* the TCP port list; the idle pass replaces the probes */
    }
    if (o->vscan && o->ping_only) {
        snprintf(err, errlen, "-sn (no port scan) cannot be combined with -sV: version "
                 "detection probes the open ports a port scan finds");
        return -1;
    }
    if (o->tcp_scan == SCAN_NONE && !o->udp_scan && !o->ping_only)
        o->tcp_scan = SCAN_SYN;     /* nmap's default when privileged */
    return 0;
}

static void opts_defaults(struct scan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->tcp_scan = SCAN_NONE;
    o->timing.template_level = 3;
    o->timing.min_rtt_ns = o->timing.max_rtt_ns = o->timing.initial_rtt_ns = -1;
    o->timing.max_retries = -1;
    o->timing.scan_delay_ns = o->timing.max_scan_delay_ns = -1;
    o->timing.min_parallelism = o->timing.max_parallelism = -1;
    o->timing.host_group = -1;
    o->source_port = -1;
    o->ttl = -1;
    o->version_intensity = 7;
}

/* A short option whose argument is glued on or is the next word. */
static const char *opts_value(const char *glued, int argc, char **argv, int *i, const char *opt,
                              char *err, size_t errlen)
{
    if (*glued)
        return glued;
    if (*i + 1 >= argc) {
        snprintf(err, errlen, "option '%s' requires an argument", opt);
        return NULL;
    }
    return argv[++*i];
}

static int opts_short(struct scan_opts *o, int argc, char **argv, int *i, char *err,
                      size_t errlen)
{
    const char *a = argv[*i];
    const char *v;
    switch (a[1]) {
    case 's':
        if (a[2] == 'I') {   /* nmap: -sI <zombie host[:probeport]> */
            if (!(v = opts_value(a + 3, argc, argv, i, "-sI", err, errlen)))
                return -1;
            o->idle_zombie = v;
            return 0;
        }
        return opts_scan_letters(o, a + 2, err, errlen);
    case 'P': return opts_ping(o, a + 2, err, errlen);
    case 'p':
        if (!(v = opts_value(a + 2, argc, argv, i, "-p", err, errlen)))
            return -1;
        o->ports = v;
        return 0;
    case 'T':
        if (!(v = opts_value(a + 2, argc, argv, i, "-T", err, errlen)))
            return -1;
        return opts_template(v, &o->timing.template_level, err, errlen);
    case 'v': return opts_verbose(o, a + 2, err, errlen);
    case 'o':
        if (!a[2]) {
            snprintf(err, errlen, "unrecognized option '-o': use -oN, -oG, -oX, -oJ or -oA");
            return -1;
        }
        if (!(v = opts_value(a + 3, argc, argv, i, a, err, errlen)))
            return -1;
        return opts_output(o, a[2], v, err, errlen);
    case 'e':
        return (o->ifname = opts_value(a + 2, argc, argv, i, "-e", err, errlen)) ? 0 : -1;
    case 'S':
        return (o->src = opts_value(a + 2, argc, argv, i, "-S", err, errlen)) ? 0 : -1;
    case 'g':
        if (!(v = opts_value(a + 2, argc, argv, i, "-g", err, errlen)))
            return -1;
        return opts_long(o, &(struct long_opt){"source-port", O_SOURCE_PORT, true}, v, err,
                         errlen);
    case 'i':
        if (a[2] == 'L') {
            return (o->input_list = opts_value(a + 3, argc, argv, i, "-iL", err, errlen))
                       ? 0 : -1;
        }
        break;
    case 'F': if (!a[2]) { o->fast = true; return 0; } break;
    case 'O': if (!a[2]) { o->osscan = true; return 0; } break;
    case 'A': if (!a[2]) { o->osscan = o->vscan = true; return 0; } break;   /* -O -sV */
    case 'r': if (!a[2]) { o->sequential = true; return 0; } break;
    case 'n': if (!a[2]) return 0;   /* nmap's "no DNS": tcplab never asks DNS in a sim */
        break;
    case 'h': if (!a[2]) { o->help = true; return 0; } break;
    default: break;
    }
    snprintf(err, errlen, "unrecognized option '%s'", a);
    return -1;
}

static int opts_long_word(struct scan_opts *o, int argc, char **argv, int *i, char *err,
                          size_t errlen)
{
    const char *a = argv[*i] + 2;
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    for (size_t k = 0; k < sizeof long_opts / sizeof long_opts[0]; k++) {
        const struct long_opt *lo = &long_opts[k];
        if (strlen(lo->name) != n || strncmp(lo->name, a, n))
            continue;
        const char *v = NULL;
        if (lo->arg) {
            if (eq) {
                v = eq + 1;
            } else if (*i + 1 < argc) {
                v = argv[++*i];
            } else {
                snprintf(err, errlen, "option '--%s' requires an argument", lo->name);
                return -1;
            }
        } else if (eq) {
            snprintf(err, errlen, "option '--%s' doesn't allow an argument", lo->name);
            return -1;
        }
        return opts_long(o, lo, v, err, errlen);
    }
    snprintf(err, errlen, "unrecognized option '%s'", argv[*i]);
    return -1;
}

int scan_opts_parse(struct scan_opts *o, int argc, char **argv, char *err, size_t errlen)
{
    opts_defaults(o);
    o->targets = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o->targets);
    if (!o->targets) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    bool only_targets = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (only_targets || a[0] != '-' || !a[1])
            o->targets[o->ntargets++] = a;
        else if (!strcmp(a, "--"))
            only_targets = true;
        else if (a[1] == '-')
            rc = opts_long_word(o, argc, argv, &i, err, errlen);
        else
            rc = opts_short(o, argc, argv, &i, err, errlen);
        if (rc < 0)
            return -1;
    }
    if (o->help)
        return 0;
    return opts_check(o, err, errlen);
}

void scan_opts_free(struct scan_opts *o)
{
    for (int i = 0; i < 3; i++)
        free(o->oa_paths[i]);
    free(o->targets);
    memset(o, 0, sizeof *o);
}
