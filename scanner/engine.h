/* engine.h — the scan engine's public contract: what the command line fills, what it gets back.
 *
 * scan_run() is nmap's ultra_scan (scan_engine.cc) over the pktio seam: host groups, host
 * discovery (docs/facts/nmap.md section 2), the port scan of each up host (section 1) with nmap's timing
 * (section 6), then optionally the six OS-detection SEQ probes (section 4). It never sleeps and
 * never reads a clock itself: time is pktio_now() and the deadlines given to pktio_recv(), so
 * over the simulator a whole scan runs in virtual time and is byte-for-byte repeatable.
 *
 * Usage (cmd/scan.c):
 *     struct scan_config cfg;
 *     scan_config_init(&cfg);          // every override "unset", template T3, SYN scan
 *     cfg.tcp_scan = SCAN_SYN; cfg.targets = addrs; cfg.ntargets = n; ...
 *     struct scan_report rep;
 *     if (scan_run(&cfg, io, &rep, err, sizeof err) < 0) die(err);
 *     ... outputs read rep ...
 *     scan_report_free(&rep);
 */
#ifndef TCPLAB_SCANNER_ENGINE_H
#define TCPLAB_SCANNER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktio/pktio.h"
#include "scanner/result.h"

struct os_db;
struct svc_db;

/* Scan types (nmap's -s letters). SCAN_NONE: no TCP scan (e.g. -sU alone, or -sn). */
enum scan_type {
    SCAN_NONE = 0,
    SCAN_SYN,      /* -sS */
    SCAN_CONNECT,  /* -sT */
    SCAN_ACK,      /* -sA */
    SCAN_WINDOW,   /* -sW */
    SCAN_MAIMON,   /* -sM */
    SCAN_FIN,      /* -sF */
    SCAN_NULL,     /* -sN */
    SCAN_XMAS,     /* -sX */
    SCAN_UDP,      /* -sU (use cfg.udp_scan = true; tcp_scan may hold another type at once) */
    SCAN_NTYPES
};

/* "syn" -> SCAN_SYN ... ; SCAN_NONE when unknown. Names are nmap's XML scaninfo types. */
enum scan_type scan_type_by_name(const char *name);
/* 'S','T','A','W','M','F','N','X','U' (the letter after -s) -> type; SCAN_NONE when unknown. */
enum scan_type scan_type_by_flag(char flag);
const char *scan_type_name(enum scan_type t);    /* "syn", ..., "udp"; "none" */

/* Timing. Every override is "unset" when negative (durations, retries, parallelism, group)
 * or 0 (rates); unset values come from the -T template (docs/facts/nmap.md section 6). */
struct scan_timing {
    int template_level;          /* 0..5 (-T0..-T5); default 3 */
    int64_t min_rtt_ns;          /* --min-rtt-timeout */
    int64_t max_rtt_ns;          /* --max-rtt-timeout */
    int64_t initial_rtt_ns;      /* --initial-rtt-timeout */
    int max_retries;             /* --max-retries */
    int64_t scan_delay_ns;       /* --scan-delay */
    int64_t max_scan_delay_ns;   /* --max-scan-delay */
    double min_rate;             /* --min-rate, packets per second; 0 = unset */
    double max_rate;             /* --max-rate; 0 = unset */
    int min_parallelism;         /* --min-parallelism */
    int max_parallelism;         /* --max-parallelism */
    int host_group;              /* --max-hostgroup: hosts scanned together; <= 0: automatic */
};

/* Host discovery. When none of ping_syn/ping_ack/ping_echo/ping_timestamp is set, nmap's
 * privileged IPv4 default is used: -PE -PS443 -PA80 -PP. -PS/-PA with no ports use 80. */
struct scan_discovery {
    bool ping_only;              /* -sn: stop after discovery */
    bool no_ping;                /* -Pn: every host up, reason user-set */
    bool ping_syn;               /* -PS[ports] given */
    const uint16_t *syn_ports;   /* NULL / 0: port 80 */
    size_t nsyn_ports;
    bool ping_ack;               /* -PA[ports] given */
    const uint16_t *ack_ports;
    size_t nack_ports;
    bool ping_echo;              /* -PE */
    bool ping_timestamp;         /* -PP */
};

/* Optional log sink for warnings and -v progress lines ("Warning: 198.51.100.30 giving up
 * on port because retransmission cap hit (10)."). NULL: silent. */
typedef void (*scan_log_fn)(void *ctx, const char *line);

/* Optional: the engine's decisions as it makes them, for `tcplab tui ... -- SCAN` (the
 * scanner's reasoning beside the packets). NULL: no call and no cost. */
enum scan_decision_kind {
    SCAN_DEC_PROBE,      /* a port's try goes out */
    SCAN_DEC_VERDICT,    /* a port got its state from a reply */
    SCAN_DEC_SILENT,     /* a port's last try went unanswered: the scan type's default */
};
struct scan_decision {
    enum scan_decision_kind kind;
    uint32_t target;
    uint16_t port;
    uint8_t proto;               /* WIRE_PROTO_TCP or UDP */
    uint8_t tryno;               /* 0 = first try */
    uint64_t timeout_ns;         /* PROBE: the host's retransmission timeout now */
    double cwnd, group_cwnd;     /* PROBE: the host's and the group's congestion windows */
    uint8_t state;               /* VERDICT, SILENT: enum port_state */
    uint8_t reason;              /* enum reason */
};
typedef void (*scan_decision_fn)(void *ctx, const struct scan_decision *d);

struct scan_config {
    enum scan_type tcp_scan;     /* SCAN_NONE or a TCP type; default SCAN_SYN */
    bool udp_scan;               /* -sU (may combine with a TCP type, as in nmap -sS -sU) */

    const uint32_t *targets;     /* host-order IPv4 addresses, in scan order */
    const char *const *target_names;  /* optional, parallel to targets ("" or NULL entries) */
    size_t ntargets;
    const uint16_t *tcp_ports;   /* already in scan order (cmd/ports.c shuffles) */
    size_t ntcp_ports;
    const uint16_t *udp_ports;
    size_t nudp_ports;
    const char *tcp_ports_str;   /* "1,3-4,..." copied into the report as given (may be NULL) */
    const char *udp_ports_str;
    const char *argv_line;       /* copied into the report */

    struct scan_timing timing;
    struct scan_discovery disc;

    int verbose;                 /* -v count */
    bool reason;                 /* --reason */
    bool open_only;              /* --open: report only hosts with open ports, and those */
    bool seq;                    /* --seq: OS-detection SEQ probes after the port scan */
    uint64_t seed;               /* per-run key for cookies, TTLs, IP IDs */
    int source_port;             /* -g; -1 = unset (ports from the cookie) */
    int ttl;                     /* --ttl; -1 = random 37..59 per probe (nmap) */

    scan_log_fn log;             /* optional */
    void *log_ctx;
    scan_decision_fn decide;     /* optional */
    void *decide_ctx;

    /* Optional: each host group's results as soon as the group is done, as nmap prints them
     * (rep: the report's header fields and counts so far; hosts: the group's n targets, up
     * and down, ports sorted). With it the engine keeps no results past the group: memory is
     * one group's, whatever the number of targets, and the report scan_run returns has
     * hosts NULL (nhosts, nup and the times are set). Return 0, or -1 to stop the scan (a
     * write failed: scan_run returns -1 with err as the callback left it). */
    int (*on_group)(void *ctx, const struct scan_report *rep, const struct host_result *hosts,
                    size_t n, char *err, size_t errlen);
    void *group_ctx;
    /* Optional, used when target_names is NULL: the name to report for a target ("" or
     * NULL: none). Lets a caller with millions of targets keep no name array. */
    const char *(*target_name)(void *ctx, uint32_t addr);
    void *target_name_ctx;

    /* -sI ZOMBIE[:PORT] (added for scanner/idle.c): the TCP ports are idle-scanned through
     * the zombie instead of probed with tcp_scan (keep tcp_scan = SCAN_SYN so the TCP port
     * list is used); the report's scan type is "idle". */
    bool idle_scan;
    uint32_t idle_zombie;        /* host order */
    const char *idle_zombie_name; /* as typed, without :PORT (nmap's HostName()); NULL: the IP */
    int idle_probe_port;         /* 1..65535; 0 (scan_config_init): nmap's default, see idle.h */

    /* -O (scanner/osscan.h): OS detection after the port scan against this database, which
     * must outlive the report (its matches point into it). NULL: no -O. */
    const struct os_db *osdb;
    bool osscan_guess;           /* --osscan-guess: print the near matches */
    bool osscan_limit;           /* --osscan-limit: skip hosts without open and closed ports */
    int max_os_tries;            /* --max-os-tries; 0: nmap's 5 */

    /* -sV (scanner/vscan.h): version detection of the open ports after the port scan (and
     * before -O, as nmap orders them) with these probes (their patterns compile as they are
     * used, hence not const). NULL: no -sV. */
    struct svc_db *svdb;
    int version_intensity;       /* 0-9; nmap's default 7 */
    bool version_trace;          /* --version-trace: each probe sent and match made, to log */
    bool version_allports;       /* --allports: ignore the probes file's Exclude line */
};

/* Fills every field with its default: T3, SYN scan, no targets, every override unset. */
void scan_config_init(struct scan_config *cfg);

/* What scan_run returns when the scan's inputs cannot be used (an idle-scan zombie that
 * answers nothing or whose IP-ID is not incremental): the command's exit status 1, where
 * -1 (bad configuration, backend failure) is 2. */
enum { SCAN_ERR_INPUT = -2 };

/* Runs the whole scan. Returns 0 and fills *out (free with scan_report_free), or -1 with a
 * message in err (bad configuration, e.g. min rate above max rate; backend failure), or
 * SCAN_ERR_INPUT. */
int scan_run(const struct scan_config *cfg, struct pktio *io, struct scan_report *out,
             char *err, size_t errlen);

void scan_report_free(struct scan_report *r);

#endif
