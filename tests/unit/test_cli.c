/* test_cli.c — `tcplab scan` option parsing: every bad option or spec gives its nmap-like
 * message and a non-zero exit; good command lines give the values nmap would use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "cmd/scan_opts.h"

/* Splits a command line on blanks into argv with argv[0] = "scan". */
struct argv_buf {
    char text[512];
    char *argv[64];
    int argc;
};

static void split(struct argv_buf *b, const char *line)
{
    snprintf(b->text, sizeof b->text, "scan %s", line);
    b->argc = 0;
    for (char *t = strtok(b->text, " "); t && b->argc < 63; t = strtok(NULL, " "))
        b->argv[b->argc++] = t;
    b->argv[b->argc] = NULL;
}

/* argv words stay valid until the next parse (options point into them, as into argv). */
static int parse(struct scan_opts *o, const char *line, char *err, size_t errlen)
{
    static struct argv_buf b;
    split(&b, line);
    err[0] = '\0';
    return scan_opts_parse(o, b.argc, b.argv, err, errlen);
}

static void expect_error(const char *line, const char *msg)
{
    struct scan_opts o;
    char err[512];
    int rc = parse(&o, line, err, sizeof err);
    if (rc != -1 || strcmp(err, msg) != 0)
        fail_msg("'%s': rc %d, message \"%s\", want \"%s\"", line, rc, err, msg);
    scan_opts_free(&o);
}

static void test_bad_options(void **state)
{
    (void)state;
    expect_error("--foo 198.51.100.1", "unrecognized option '--foo'");
    expect_error("-Z", "unrecognized option '-Z'");
    expect_error("-sS -sT x", "You specified more than one type of TCP scan.  Please choose "
                 "only one of -sA, -sT, -sF, -sM, -sN, -sS, -sW, and -sX");
    expect_error("-sZ x", "Scantype Z not supported");
    expect_error("--min-rate 100 --max-rate 10 x",
                 "--min-rate=100 must be less than or equal to --max-rate=10");
    expect_error("--min-rate=0 x", "Argument to --min-rate must be a positive number of "
                 "packets per second, not '0'");
    expect_error("-F -p 80 x", "You cannot use -F (fast scan) with -p (explicit port "
                 "selection) but see --top-ports to fast scan a range of ports");
    expect_error("-T7 x", "Unknown timing mode (-T argument).  Use either \"Paranoid\", "
                 "\"Sneaky\", \"Polite\", \"Normal\", \"Aggressive\", \"Insane\" or a number "
                 "from 0 (Paranoid) to 5 (Insane)");
    expect_error("--scan-delay 5x x", "Bogus --scan-delay argument '5x': use a time such as "
                 "500ms, 2s or 1m");
    expect_error("--max-retries", "option '--max-retries' requires an argument");
    expect_error("--max-retries -1 x", "max-retries must be a number from 0 to 50, not '-1'");
    expect_error("x -p", "option '-p' requires an argument");
    expect_error("-oZ out x", "Unknown option -oZ: use -oN, -oG, -oX, -oJ or -oA");
    expect_error("-PX x", "Illegal Argument to -P, use -Pn, -PE, -PS, -PA or -PP");
    expect_error("--live --sim a.scn x", "--live and --sim cannot be combined: --live scans "
                 "a real network, --sim a scenario");
    expect_error("-e eth0 x", "-e only applies with --live (a simulated scan sends from the "
                 "scenario's `role scanner` host)");
    expect_error("-sn -sS x", "-sn (no port scan) cannot be combined with a port scan type");
    expect_error("--reason=1 x", "option '--reason' doesn't allow an argument");
    expect_error("--seed abc x", "--seed needs a non-negative integer, not 'abc'");
    expect_error("-g 70000 x", "-g/--source-port needs a port number 0-65535, not '70000'");
    expect_error("--min-parallelism 10 --max-parallelism 5 x",
                 "--min-parallelism=10 must be less than or equal to --max-parallelism=5");
    expect_error("--min-rtt-timeout 2s --max-rtt-timeout 1s x",
                 "--min-rtt-timeout must be less than or equal to --max-rtt-timeout");
    /* -sI ZOMBIE[:PORT]: one TCP scan type only, and it needs its zombie. */
    expect_error("-sS -sI zombie x", "You specified more than one type of TCP scan.  Please "
                 "choose only one of -sA, -sT, -sF, -sI, -sM, -sN, -sS, -sW, and -sX");
    expect_error("-sI zombie -sn x", "-sn (no port scan) cannot be combined with a port scan "
                 "type");
    expect_error("x -sI", "option '-sI' requires an argument");
    expect_error("-sSI z x", "-sI takes the zombie host as its argument: -sI ZOMBIE[:PORT]");
    /* -sV and -A (version detection) */
    expect_error("--version-intensity 10 x", "version-intensity must be between 0 and 9");
    expect_error("--version-intensity x", "version-intensity must be between 0 and 9");
    expect_error("-sn -sV x", "-sn (no port scan) cannot be combined with -sV: version "
                 "detection probes the open ports a port scan finds");
    expect_error("-AO x", "unrecognized option '-AO'");
    struct scan_opts o;
    char err[512];
    assert_int_equal(parse(&o, "-sSV x", err, sizeof err), 0);   /* nmap: -sV among letters */
    assert_true(o.vscan);
    assert_int_equal(o.tcp_scan, SCAN_SYN);
    assert_int_equal(o.version_intensity, 7);
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "-A --version-light x", err, sizeof err), 0);
    assert_true(o.vscan && o.osscan);
    assert_int_equal(o.version_intensity, 2);
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "-sV --version-all --version-trace --allports x", err,
                           sizeof err), 0);
    assert_int_equal(o.version_intensity, 9);
    assert_true(o.version_trace && o.allports);
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "-sV --version-intensity=0 x", err, sizeof err), 0);
    assert_int_equal(o.version_intensity, 0);
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "-sI printer:8080 -Pn -sU web", err, sizeof err), 0);
    assert_string_equal(o.idle_zombie, "printer:8080");
    assert_int_equal(o.tcp_scan, SCAN_SYN);   /* the TCP list; the idle pass probes it */
    assert_true(o.udp_scan);
    assert_int_equal(o.ntargets, 1);
    scan_opts_free(&o);
}

static void test_good_command_line(void **state)
{
    (void)state;
    struct scan_opts o;
    char err[512];
    assert_int_equal(parse(&o, "-sS -sU -p 22,U:53 -T4 --max-retries 3 --scan-delay 500ms "
                               "--initial-rtt-timeout=2 -vv -oA base --seed 42 -PS22,80 -PE "
                               "-Pn --reason --packet-trace -r web db",
                           err, sizeof err), 0);
    assert_int_equal(o.tcp_scan, SCAN_SYN);
    assert_true(o.udp_scan);
    assert_string_equal(o.ports, "22,U:53");
    assert_int_equal(o.timing.template_level, 4);
    assert_int_equal(o.timing.max_retries, 3);
    assert_int_equal(o.timing.scan_delay_ns, 500000000);
    assert_int_equal(o.timing.initial_rtt_ns, 2000000000);
    assert_int_equal(o.timing.max_rtt_ns, -1);          /* unset: the template decides */
    assert_int_equal(o.verbose, 2);
    assert_string_equal(o.out_normal, "base.nmap");
    assert_string_equal(o.out_grep, "base.gnmap");
    assert_string_equal(o.out_xml, "base.xml");
    assert_null(o.out_json);
    assert_true(o.has_seed);
    assert_int_equal(o.seed, 42);
    assert_true(o.ping_syn);
    assert_string_equal(o.ping_syn_ports, "22,80");
    assert_true(o.ping_echo);
    assert_true(o.no_ping);
    assert_true(o.reason);
    assert_true(o.packet_trace);
    assert_true(o.sequential);
    assert_int_equal(o.ntargets, 2);
    assert_string_equal(o.targets[0], "web");
    assert_string_equal(o.targets[1], "db");
    scan_opts_free(&o);
}

static void test_spellings(void **state)
{
    (void)state;
    struct scan_opts o;
    char err[512];
    /* No scan type: SYN, as nmap does with raw-socket privileges. */
    assert_int_equal(parse(&o, "x", err, sizeof err), 0);
    assert_int_equal(o.tcp_scan, SCAN_SYN);
    assert_false(o.udp_scan);
    assert_int_equal(o.timing.template_level, 3);
    assert_int_equal(o.source_port, -1);
    scan_opts_free(&o);
    /* -sU alone: no TCP scan. */
    assert_int_equal(parse(&o, "-sU x", err, sizeof err), 0);
    assert_int_equal(o.tcp_scan, SCAN_NONE);
    assert_true(o.udp_scan);
    scan_opts_free(&o);
    /* -sTU: two letters in one word, as nmap reads them. */
    assert_int_equal(parse(&o, "-sTU x", err, sizeof err), 0);
    assert_int_equal(o.tcp_scan, SCAN_CONNECT);
    assert_true(o.udp_scan);
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "-v3 -T aggressive -p1-100 -oXout.xml -g53 x", err,
                           sizeof err), 0);
    assert_int_equal(o.verbose, 3);
    assert_int_equal(o.timing.template_level, 4);
    assert_string_equal(o.ports, "1-100");
    assert_string_equal(o.out_xml, "out.xml");
    assert_int_equal(o.source_port, 53);
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "-Tinsane -v -sn --max-rate=50.5 --min-rate 10 "
                               "--max-rtt-timeout 1m x", err, sizeof err), 0);
    assert_int_equal(o.timing.template_level, 5);
    assert_int_equal(o.verbose, 1);
    assert_true(o.ping_only);
    assert_int_equal(o.tcp_scan, SCAN_NONE);
    assert_true(o.timing.max_rate > 50.49 && o.timing.max_rate < 50.51);
    assert_int_equal(o.timing.max_rtt_ns, 60000000000LL);
    scan_opts_free(&o);
    /* After "--" every word is a target, even one that starts with '-'. */
    assert_int_equal(parse(&o, "-sA -- -weird", err, sizeof err), 0);
    assert_int_equal(o.tcp_scan, SCAN_ACK);
    assert_int_equal(o.ntargets, 1);
    assert_string_equal(o.targets[0], "-weird");
    scan_opts_free(&o);
    assert_int_equal(parse(&o, "--help", err, sizeof err), 0);
    assert_true(o.help);
    scan_opts_free(&o);
}

/* cmd_scan's exit status and what it prints on stderr. */
static int run_scan(const char *line, char *errtext, size_t cap)
{
    struct argv_buf b;
    split(&b, line);
    fflush(stdout);
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved_err = dup(2), saved_out = dup(1);
    FILE *devnull = fopen("/dev/null", "w");
    dup2(fileno(tmp), 2);
    dup2(fileno(devnull), 1);
    int rc = cmd_scan(b.argc, b.argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_err, 2);
    dup2(saved_out, 1);
    close(saved_err);
    close(saved_out);
    fclose(devnull);
    rewind(tmp);
    size_t n = fread(errtext, 1, cap - 1, tmp);
    errtext[n] = '\0';
    fclose(tmp);
    return rc;
}

static void test_cmd_scan_exit_codes(void **state)
{
    (void)state;
    char e[2048];
    assert_int_equal(run_scan("--foo 198.51.100.1", e, sizeof e), 1);
    assert_string_equal(e, "tcplab scan: unrecognized option '--foo'\n"
                           "See 'tcplab scan --help' for the options.\n");
    assert_int_equal(run_scan("--min-rate 100 --max-rate 10 198.51.100.1", e, sizeof e), 1);
    assert_non_null(strstr(e, "--min-rate=100 must be less than or equal to --max-rate=10"));
    assert_int_equal(run_scan("--help", e, sizeof e), 0);
    assert_string_equal(e, "");
    /* A bad port spec or target is read after the backend is open: still a usage error. */
    assert_int_equal(run_scan("-p 20-10 198.51.100.20", e, sizeof e), 1);
    assert_non_null(strstr(e, "backwards"));
    assert_int_equal(run_scan("-p 80 nosuchhost", e, sizeof e), 1);
    assert_non_null(strstr(e, "tcplab scan: "));
    assert_int_equal(run_scan("-p 80", e, sizeof e), 1);
    assert_non_null(strstr(e, "No targets were specified"));
    /* A scenario that cannot be read is an input error, as it is for `run`. */
    assert_int_equal(run_scan("--sim /nonexistent.scn -p 80 198.51.100.1", e, sizeof e), 1);
    assert_non_null(strstr(e, "/nonexistent.scn"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_good_command_line),
        cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_cmd_scan_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
