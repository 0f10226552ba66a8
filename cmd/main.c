/* main.c — the `tcplab` program: one binary, git-style subcommands.
 *
 *   tcplab scan [nmap-style options] TARGETS...   the scanner (cmd/scan.c)
 *   tcplab run SCENARIO [--pcap F] [--seed N] [--until T]   a scenario's transcript (cmd/run.c)
 *   tcplab lab list|show|start|check|key ...          classroom labs (cmd/lab.c)
 *   tcplab diff A.scn [B.scn] [--as HOST] [--set CHANGE] [-- COMMAND]   where two runs
 *                                                       part (cmd/diff.c)
 *   tcplab bridge SCENARIO --tun NAME [...]   real tools reach simulated hosts (cmd/bridge.c)
 *   tcplab tui SCENARIO|CAPTURE [-- SCAN OPTIONS]   step through a run (cmd/tui.c)
 *   tcplab attach SCENARIO [--as HOST] -- COMMAND   a script in virtual time (cmd/attach.c)
 *
 * Each subcommand owns its options and its --help; this file only dispatches.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab <command> [options]\n"
            "\n"
            "commands:\n"
            "  scan [OPTIONS] TARGETS...   scan like nmap; default backend: the built-in lab network\n"
            "                              (try: tcplab scan -sS 198.51.100.0/24)\n"
            "  run SCENARIO [--pcap FILE] [--seed N] [--until T]\n"
            "                              run a scenario's scripted events, print the transcript\n"
            "  diff A.scn [B.scn] [--as HOST] [--set CHANGE] [-- COMMAND...]\n"
            "                              run two scenarios (or one, changed), the same script\n"
            "                              attached to each if given, and print the first event\n"
            "                              where they part; exit 0 same, 1 not\n"
            "  lab list|show|start|check|key\n"
            "                              classroom labs, a variant per student, graded\n"
            "                              (try: tcplab lab list)\n"
            "  bridge SCENARIO --tun NAME [--for T] [--pcap FILE]\n"
            "                              attach the simulated network to a TUN device so real\n"
            "                              tools (nmap, ping) reach it; needs CAP_NET_ADMIN\n"
            "  tui SCENARIO|CAPTURE [-- SCAN OPTIONS]\n"
            "                              step through a run, a scan or a capture packet by\n"
            "                              packet, inside the hosts, forward and back\n"
            "  attach SCENARIO [--as HOST|PREFIX] [--record FILE] -- COMMAND [ARGS...]\n"
            "                              run a script (Python: `import tcplab`, installed\n"
            "                              with tcplab) that sends spoofed datagrams and sees\n"
            "                              what reaches HOST, in virtual time; --replay FILE\n"
            "                              repeats a recorded run\n"
            "  version                     print the version\n"
            "\n"
            "Each command takes --help. run, scan, diff, attach, tui and bridge take --lab NAME\n"
            "--student ID to run a student's variant of a lab.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    /* Into a file or a pipe, a report of millions of lines goes out in 64 KiB writes, not
     * stdio's 4 KiB (a third of a /8 scan's time was the kernel taking 4 KiB at a time).
     * Here, before anything is written: setvbuf after a stream's first use is undefined. */
    static char outbuf[1 << 16];
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "scan"))
        return cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "lab"))
        return cmd_lab(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "bridge"))
        return cmd_bridge(argc - 1, argv + 1);
    if (!strcmp(cmd, "tui"))
        return cmd_tui(argc - 1, argv + 1);
    if (!strcmp(cmd, "attach"))
        return cmd_attach(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("tcplab %s\n", TCPLAB_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "tcplab: '%s' is not a tcplab command\n\n", cmd);
    usage(stderr);
    return 1;
}
