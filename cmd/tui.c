/* tui.c — `tcplab tui SCENARIO|CAPTURE [--seed N] [--until T] [--replay RECORD]
 * [-- SCAN OPTIONS]`.
 *
 * Picks the source and hands a finished record to the terminal view (tui/view.h):
 *  - a scenario (a file, or `default`): its script run to the end on the virtual clock,
 *    recorded with snapshots for the true step back;
 *  - a capture (recognised by its magic number: pcap in either byte order and time unit):
 *    the datagrams alone, no host's inside;
 *  - a scenario and `-- SCAN OPTIONS`: the real scanner (cmd/scan.c's path, pktio_sim)
 *    scans the scenario's network while it is recorded (cmd/tui_scan.c);
 *  - a scenario and `--replay RECORD`: an attached script's session (attach --record)
 *    replayed while it is recorded (cmd/tui_attach.c).
 * Exit status (tcplab(1) EXIT STATUS): 0; 1 for usage and input errors (a file that cannot
 * be read, a malformed scenario or capture) and for no terminal, which is said only once
 * the source has loaded; 2 for runtime failures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lab/lab.h"
#include "lab/whatif.h"
#include "sim/scenario.h"
#include "tui/rec.h"
#include "tui/view.h"

#define TUI_DEFAULT_LIMIT_NS (3600ULL * 1000000000ULL)

struct tui_opts {
    const char *source;
    const char *replay;          /* an attach --record file */
    struct lab_sel lab;          /* --lab NAME --student ID ...: a student's variant */
    int has_seed, has_until;
    unsigned long long seed, until_ns;
    int scan_argc;               /* after "--" */
    char **scan_argv;
};

static void tui_usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab tui SCENARIO [--seed N] [--until T] [-- SCAN OPTIONS]\n"
            "       tcplab tui SCENARIO|--lab NAME ... --replay RECORD\n"
            "       tcplab tui --lab NAME --student ID [--seed N] [--until T] [-- SCAN OPTIONS]\n"
            "       tcplab tui CAPTURE.pcap\n"
            "\n"
            "Steps through a run packet by packet in the terminal: the event list, a ladder\n"
            "(one column per host), each packet layer by layer with its bytes, and the inside\n"
            "of the host that received it (its TCB before and after, IP-ID counter, next ISN,\n"
            "the filter rule and the RFC rule that decided). p steps back for real: every\n"
            "panel shows the state at that event. ? inside lists the keys.\n"
            "\n"
            "  SCENARIO        a scenario file, or `default` for the embedded lab network\n"
            "  CAPTURE.pcap    any capture tcpdump writes (raw IP, Ethernet, Linux cooked)\n"
            "  --seed N        override the scenario's seed\n"
            "  --until T       stop the run at virtual time T (default: when idle, max 1h)\n"
            "  -- SCAN OPTIONS run `tcplab scan --sim SCENARIO SCAN OPTIONS` inside and step\n"
            "                  through the scan (e.g. -- -sS -p 20-30 target)\n"
            "  --replay RECORD an attached script's session (tcplab attach --record RECORD):\n"
            "                  its injected datagrams drawn from the address they claim,\n"
            "                  marked injected, its notes as events\n"
            "  --lab NAME      a lab's variant: --student ID (or --ticket FILE, --course-key\n"
            "                  FILE, --labs DIR, --instructor as for run); in the student's\n"
            "                  view only what the student's host sends and receives, as a\n"
            "                  capture shows it (no other host's inside)\n");
}

static int tui_parse_u64(const char *s, unsigned long long *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return (errno || *end) ? -1 : 0;
}

static int tui_parse_args(int argc, char **argv, struct tui_opts *o)
{
    memset(o, 0, sizeof *o);
    bool in_lab = false;   /* any lab option, --student alone included */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int lab = cmd_lab_option("tui", &o->lab, &in_lab, argc, argv, &i);
        if (lab < 0)
            return -1;
        if (lab)
            continue;
        if (!strcmp(a, "--")) {
            o->scan_argc = argc - i - 1;
            o->scan_argv = argv + i + 1;
            break;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            tui_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--replay")) {
            if (!val) {
                fprintf(stderr, "tcplab tui: --replay wants an attach --record file\n");
                return -1;
            }
            o->replay = val;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (!val || tui_parse_u64(val, &o->seed)) {
                fprintf(stderr, "tcplab tui: --seed wants a non-negative integer\n");
                return -1;
            }
            o->has_seed = 1;
            i++;
        } else if (!strcmp(a, "--until")) {
            if (!val || cmd_parse_duration(val, 0, &o->until_ns)) {
                fprintf(stderr, "tcplab tui: --until wants a time like 500ms or 10s\n");
                return -1;
            }
            o->has_until = 1;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "tcplab tui: unknown option '%s' (see tcplab tui --help)\n", a);
            return -1;
        } else if (!o->source) {
            o->source = a;
        } else {
            fprintf(stderr, "tcplab tui: one scenario or capture at a time ('%s' and '%s')\n",
                    o->source, a);
            return -1;
        }
    }
    bool lab = o->lab.lab || o->lab.ticket;
    if (lab && o->source) {
        fprintf(stderr, "tcplab tui: a lab's variant is the scenario; drop '%s'\n", o->source);
        return -1;
    }
    if (in_lab && o->source) {   /* --student ... without --lab: refused, as run refuses it */
        fprintf(stderr, "tcplab tui: %s ('%s')\n", lab_sel_conflict(&o->lab), o->source);
        return -1;
    }
    if (!o->source && !lab) {
        tui_usage(stderr);
        return -1;
    }
    if (o->replay && o->scan_argv) {
        fprintf(stderr, "tcplab tui: --replay steps through a recorded session; a scan inside "
                "is another run (drop one)\n");
        return -1;
    }
    if (o->scan_argc == 0 && o->scan_argv) {
        fprintf(stderr, "tcplab tui: '--' wants scan options after it (e.g. -- -sS target)\n");
        return -1;
    }
    return 0;
}

/* pcap's magic numbers: microsecond and nanosecond, either byte order; pcapng's. */
static bool tui_is_capture(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char m[4];
    bool yes = fread(m, 1, 4, f) == 4 &&
               ((m[0] == 0xd4 && m[1] == 0xc3 && m[2] == 0xb2 && m[3] == 0xa1) ||
                (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0xc3 && m[3] == 0xd4) ||
                (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1) ||
                (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
                (m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a));
    fclose(f);
    return yes;
}

static int tui_load_scenario(const char *name, struct scenario *sc, char *err, size_t errlen)
{
    if (!strcmp(name, "default"))
        return scenario_parse("default.scn", scenario_default_text, scenario_default_len, sc,
                              err, errlen);
    return lab_scenario_file(name, sc, err, errlen) ? -1 : 0;   /* parameters at their defaults */
}

int cmd_tui(int argc, char **argv)
{
    struct tui_opts o;
    if (tui_parse_args(argc, argv, &o))
        return 1;
    char err[512] = "";
    struct tui_rec rec;
    tui_rec_init(&rec);
    struct tui_view_opts vo = { .whatif_none = "a capture is not a run to make again" };
    struct whatif_src wsrc = { .file = o.source, .lab = o.lab, .has_seed = o.has_seed,
                               .seed = o.seed, .has_until = o.has_until, .until_ns = o.until_ns };
    char *scan_text = NULL;
    int rc = 2;
    if (o.replay) {
        bool lab = o.lab.lab || o.lab.ticket;
        int arc = cmd_tui_attach(o.source, lab ? &o.lab : NULL, o.replay,
                                 o.has_seed ? &o.seed : NULL, o.has_until ? &o.until_ns : NULL,
                                 &rec);
        if (arc) {
            tui_rec_free(&rec);
            return arc;
        }
        vo.whatif_none = "a recorded session is not made again here (tcplab diff SCENARIO "
                         "--set CHANGE -- COMMAND runs a script on both sides)";
    } else if (o.lab.lab || o.lab.ticket) {
        int lrc = cmd_tui_lab(&o.lab, o.has_seed ? &o.seed : NULL,
                              o.has_until ? o.until_ns : TUI_DEFAULT_LIMIT_NS, o.scan_argc,
                              o.scan_argv, &rec, &scan_text);
        if (lrc) {
            tui_rec_free(&rec);
            free(scan_text);
            return lrc;
        }
        vo.scan_text = scan_text;
        if (o.scan_argv)
            vo.whatif_none = "a scan inside is not made again (tcplab diff ... -- tcplab scan "
                             "--attach compares two)";
        else
            vo.whatif = &wsrc;
    } else if (strcmp(o.source, "default") && tui_is_capture(o.source)) {
        if (o.scan_argv || o.has_seed || o.has_until) {
            fprintf(stderr, "tcplab tui: a capture takes no --seed, --until or scan options\n");
            return 1;
        }
        if (tui_rec_load_pcap(&rec, o.source, err, sizeof err)) {
            fprintf(stderr, "tcplab tui: %s\n", err);
            tui_rec_free(&rec);
            return 1;
        }
    } else if (o.scan_argv) {
        /* `default`, the embedded network, is what scan uses without --sim */
        char *pre[] = { "--sim", (char *)o.source };
        int src = cmd_tui_scan(pre, strcmp(o.source, "default") ? 2 : 0, o.has_seed ? &o.seed : NULL, o.scan_argc, o.scan_argv,
                               NULL, &rec, &scan_text);
        if (src) {
            tui_rec_free(&rec);
            return src;
        }
        vo.scan_text = scan_text;
        vo.whatif_none = "a scan inside is not made again (tcplab diff ... -- tcplab scan "
                         "--attach compares two)";
    } else {
        vo.whatif = &wsrc;
        struct scenario sc;
        if (tui_load_scenario(o.source, &sc, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        uint64_t seed = o.has_seed ? o.seed : sc.seed;
        int lrc = tui_rec_run_scenario(&rec, &sc, seed,
                                       o.has_until ? o.until_ns : TUI_DEFAULT_LIMIT_NS, 0, err,
                                       sizeof err);
        scenario_free(&sc);
        if (lrc) {
            fprintf(stderr, "%s\n", err);
            tui_rec_free(&rec);
            return 1;
        }
    }
    if (rec.n == 0) {
        fprintf(stderr, "tcplab tui: %s: the run has no events to step through\n",
                o.source ? o.source : "the lab's variant");
        rc = 1;
    } else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        /* After the source is loaded: a missing or malformed file is reported as such
         * (FILE: No such file..., FILE:LINE:COL: error: ...), with or without a terminal;
         * only a good source without one hears that it needs one. */
        fprintf(stderr, "tcplab tui: needs a terminal (stdin and stdout must be a tty); "
                "for a transcript use: tcplab run SCENARIO\n");
        rc = 1;
    } else {
        rc = tui_view_run(&rec, &vo);
    }
    free(scan_text);
    tui_rec_free(&rec);
    return rc;
}
