/* cmd.h — entry points of the subcommands, called by cmd/main.c. Each returns the exit
 * status: 0 success, 1 usage error, 2 runtime failure. */
#ifndef TCPLAB_CMD_H
#define TCPLAB_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/version.h"

int cmd_scan(int argc, char **argv);

struct scenario;
struct pcap_writer;
struct trace;
/* `tcplab run SCENARIO --replay SESSION` (cmd/replay.c): the session's inbound datagrams
 * into a bridge core at their times, its answers compared with the recorded ones; the
 * events into tr, the wire into pw (may be NULL). 0 identical, 1 different, -1 bad input,
 * -2 runtime failure. until_ns: stop there instead of at the session's end (may be NULL). */
int cmd_run_replay(const struct scenario *sc, uint64_t seed, const char *session,
                   const unsigned long long *until_ns, struct pcap_writer *pw, struct trace *tr);

/* "250us", "1.5ms", "2s", "3m" (and "N" = seconds when bare_unit_s, else an error) -> ns.
 * 0 or -1. */
/* What `tcplab tui ... -- SCAN OPTIONS` hooks into a scan (cmd/scan.c): the same scan,
 * with a look at its simulated backend before the first probe and after the last. */
struct pktio;
struct scan_config;
struct cmd_scan_hooks {
    void *ctx;
    void (*opened)(void *ctx, struct pktio *io);    /* backend open, nothing sent yet */
    void (*configure)(void *ctx, struct scan_config *cfg);   /* before scan_run */
    void (*closing)(void *ctx, struct pktio *io);   /* the scan is over; io still open */
};
int cmd_scan_hooked(int argc, char **argv, const struct cmd_scan_hooks *h);
int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
struct lab_sel;
struct lab_view;
/* A command's scenario (cmd/run.c): a lab's variant when lab is not NULL (with the view its
 * outputs must respect), else the file SCENARIO or `default`, the embedded network. 0, or
 * -1 with a message in err ("tcplab CMD: ..." for a lab's). */
int cmd_load_scenario(const char *cmd, const char *scenario, const struct lab_sel *lab,
                      struct scenario *sc, struct lab_view *view, char *err, size_t errlen);
int cmd_diff(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_bridge(int argc, char **argv);
int cmd_tui(int argc, char **argv);

struct tui_rec;
/* `tcplab tui SCENARIO -- SCAN OPTIONS` (cmd/tui_scan.c): runs the scan over the network
 * that pre names (npre scan arguments: "--sim FILE", or a lab's options) while rec records
 * it; *report: the scan's normal output (malloc'd). With capture set, rec records nothing
 * of the simulation: the scan writes its --capture there (a lab's student view) and rec
 * reads it back. 0, or the exit status of a failure (with a message on stderr). */
int cmd_tui_scan(char *const *pre, int npre, const unsigned long long *seed, int argc,
                 char **argv, const char *capture, struct tui_rec *rec, char **report);
struct lab_sel;
/* `tcplab tui --lab NAME --student ID [-- SCAN OPTIONS]` (cmd/tui_lab.c): the student's
 * variant recorded into rec, in the student's view. 0, or an exit status (message said). */
int cmd_tui_lab(const struct lab_sel *sel, const unsigned long long *seed, uint64_t limit_ns,
                int argc, char **argv, struct tui_rec *rec, char **report);
/* `tcplab tui SCENARIO --replay RECORD` (cmd/tui_attach.c): an attach --record session
 * replayed into rec (lab NULL: SCENARIO is a file or `default`). 0, or an exit status. */
int cmd_tui_attach(const char *scenario, const struct lab_sel *lab, const char *record,
                   const unsigned long long *seed, const unsigned long long *until_ns,
                   struct tui_rec *rec);

/* The one number parser: decimal ("010" is ten) or 0x-prefixed hex, no sign, no blanks, at
 * most max. 0 or -1. */
/* -O's database (cmd/scan_os.c): nmap's if installed, else tcplab's own. */
struct scan_opts;
struct os_db;
int scan_os_load(const struct scan_opts *o, struct os_db *db, char *err, size_t errlen);
/* -sV's probes (cmd/scan_sv.c): the installed nmap's nmap-service-probes, else the built-in
 * file with a note on stderr. 0, or -1 with a message. */
struct svc_db;
int scan_sv_load(const struct scan_opts *o, struct svc_db *db, char *err, size_t errlen);

int cmd_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* The one time parser: "250us", "1.5ms", "2s", "3m", "1h" (and a bare "N" = seconds when
 * bare_is_seconds, as nmap reads its times; every subcommand passes 1) -> ns. 0 or -1. */
int cmd_parse_duration(const char *s, int bare_is_seconds, unsigned long long *ns);

/* The lab options (--lab, --labs, --student, --course-key, --ticket, --instructor) in a
 * subcommand's argument loop: when argv[*i] is one of them, takes it into sel, sets *in_lab
 * (may be NULL) and moves *i to its last argument, so the loop's i++ passes it: 1. 0 when
 * argv[*i] is none of them; -1 after "tcplab CMD: ..." on stderr (a missing value). */
struct lab_sel;
int cmd_lab_option(const char *cmd, struct lab_sel *sel, bool *in_lab, int argc, char **argv,
                   int *i);

#endif
