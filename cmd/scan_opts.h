/* scan_opts.h — the `tcplab scan` command line, parsed into plain values.
 *
 * nmap's spelling for every option tcplab has (nmap.cc parse_options): -sS -sT ... -sU,
 * -sn, -Pn, -PS[ports], -p, -T0..5, --max-retries, -oN FILE, ... Parsing is separate from
 * running so tests can check each error message without a backend; cmd/scan.c turns the
 * values into a scan_config, a backend and outputs.
 */
#ifndef TCPLAB_SCAN_OPTS_H
#define TCPLAB_SCAN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/engine.h"

struct scan_opts {
    enum scan_type tcp_scan;     /* SCAN_NONE when no TCP type was given */
    bool udp_scan;               /* -sU */
    bool ping_only;              /* -sn */
    bool no_ping;                /* -Pn */
    bool ping_syn, ping_ack, ping_echo, ping_timestamp;
    const char *ping_syn_ports;  /* -PS22,80: "22,80"; NULL for a bare -PS */
    const char *ping_ack_ports;

    const char *ports;           /* -p */
    bool fast;                   /* -F */
    int top_ports;               /* --top-ports; 0 = not given */
    bool sequential;             /* -r */

    const char *input_list;      /* -iL */
    const char *exclude;         /* --exclude */
    const char *excludefile;     /* --excludefile */

    struct scan_timing timing;   /* -T and the overrides; unset fields negative or 0 */
    int min_hostgroup;           /* --min-hostgroup (checked against max; nmap's meaning) */

    bool reason, packet_trace, seq;
    bool open_only;              /* --open */
    int verbose;
    const char *out_normal, *out_grep, *out_xml, *out_json;
    char *oa_paths[3];           /* -oA BASE: BASE.nmap BASE.gnmap BASE.xml (owned) */

    const char *ifname;          /* -e */
    const char *src;             /* -S */
    int source_port;             /* -g; -1 unset */
    int ttl;                     /* --ttl; -1 unset */
    bool has_seed;
    uint64_t seed;               /* --seed */
    const char *capture;         /* --capture */
    const char *sim_file;        /* --sim */
    bool live;                   /* --live */
    bool attach;                 /* --attach: pktio_attach, under tcplab attach */
    bool no_script;              /* --no-script: leave out the scenario's send and connect lines */
    /* --lab NAME --student ID (--labs DIR, --course-key FILE, --ticket FILE, --instructor):
       a student's variant of a lab (lab/lab.h) instead of --sim */
    const char *lab, *labs_dir, *student, *course_key, *ticket;
    bool instructor;
    bool help;                   /* --help / -h */

    bool osscan;                 /* -O */
    bool osscan_guess;           /* --osscan-guess, --fuzzy */
    bool osscan_limit;           /* --osscan-limit */
    int max_os_tries;            /* --max-os-tries; 0 unset */
    const char *datadir;         /* --datadir: where nmap's data files (nmap-os-db,
                                    nmap-service-probes) are */
    bool vscan;                  /* -sV (or -A) */
    bool version_trace;          /* --version-trace */
    bool allports;               /* --allports: probe the Exclude line's ports too */
    int version_intensity;       /* --version-intensity N, --version-light (2), --version-all
                                    (9); nmap's default 7 */

    const char *idle_zombie;     /* -sI ZOMBIE[:PROBEPORT], as typed (cmd/scan.c resolves it);
                                    tcp_scan is then SCAN_SYN, the idle pass replacing it */

    const char **targets;        /* words that are target specs (point into argv; owned array) */
    size_t ntargets;
};

/* Parses argv[1..argc) (argv[0] is "scan"). 0, or -1 with an nmap-like message in err
 * (without the "tcplab scan: " prefix). Checks that the options agree with one another
 * (e.g. --min-rate above --max-rate, -F with -p, two TCP scan types). */
int scan_opts_parse(struct scan_opts *o, int argc, char **argv, char *err, size_t errlen);
void scan_opts_free(struct scan_opts *o);

/* The --help text. */
extern const char scan_opts_usage[];

#endif
