/* attach.c — `tcplab attach SCENARIO|--lab NAME --student ID [--as HOST|PREFIX] [--seed N]
 * [--until T] [--record FILE] [--pcap FILE] [--json FILE] [-q] -- COMMAND [ARGS...]`, and
 * `tcplab attach SCENARIO --replay FILE`.
 *
 * Runs COMMAND connected to the simulation (attach/session.h over a socketpair whose end is
 * in $TCPLAB_ATTACH): the script sends datagrams from any source, sees every datagram that
 * reaches the attached prefix and nothing else, and moves the virtual clock by waiting
 * (cmd/attach_run.c). When it exits, the simulation runs on to --until, or until nothing
 * is left to do (at most an hour of virtual time), and the transcript is printed as `tcplab
 * run` prints it (cmd/run.c's loader and sim/trace.c's lines), the script's datagrams
 * marked HOST*inj. --pcap writes pcapng so each injected datagram can carry a comment
 * saying so. In a lab, the views show only what the student's host and prefix observe.
 * Exit: 1 usage or input errors, 2 runtime trouble, else COMMAND's status (a replay: the
 * status recorded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/attach.h"
#include "cmd/cmd.h"
#include "lab/lab.h"
#include "lib/outfile.h"
#include "lib/pcapng.h"
#include "lib/wire.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

static void attach_usage(FILE *f)
{
    fprintf(f,
            "usage: tcplab attach SCENARIO [--as HOST|PREFIX] [--seed N] [--until T]\n"
            "                     [--record FILE] [--pcap FILE] [--json FILE] [-q] -- COMMAND [ARGS...]\n"
            "       tcplab attach --lab NAME --student ID [...] -- COMMAND [ARGS...]\n"
            "       tcplab attach SCENARIO|--lab NAME ... --replay FILE\n"
            "\n"
            "Runs COMMAND attached to the simulated network, in virtual time: through the socket\n"
            "in $TCPLAB_ATTACH it sends raw IPv4 datagrams from any source address and receives\n"
            "every datagram delivered to HOST (nothing else); the clock moves only while it waits,\n"
            "so the same script gives the same bytes on every run. HOST's own stack leaves those\n"
            "datagrams alone, except connections the script opens through it. Python scripts\n"
            "`import tcplab` (the module's directory is put on PYTHONPATH); see tcplab(1).\n"
            "\n"
            "  SCENARIO        a scenario file, or `default` for the embedded lab network\n"
            "  --as HOST       the host the script plays: a name, an address, or a prefix\n"
            "                  (e.g. 203.0.113.128/25) holding no host but that one; default:\n"
            "                  the scenario's `role scanner` host, in a lab the student's host\n"
            "  --seed N        override the scenario's seed\n"
            "  --until T       after COMMAND exits, run to virtual time T (default: until\n"
            "                  nothing is left to do, at most 1h)\n"
            "  --record FILE   keep what the script sent and when, for --replay\n"
            "  --replay FILE   the recorded run again, byte for byte, without the script\n"
            "  --pcap FILE     write the run as pcapng; injected datagrams carry a comment\n"
            "  --json FILE     write the transcript as JSON lines\n"
            "  -q              no transcript on stdout\n"
            "  --lab NAME --student ID   a student's variant of a lab (tcplab lab list); the\n"
            "                  views show only what the student's host observes\n"
            "  --instructor, --labs DIR, --course-key FILE, --ticket FILE   as for tcplab run\n"
            "\n"
            "Exit status: COMMAND's (a replay: the one recorded), 1 on usage or input errors,\n"
            "2 on runtime trouble.\n");
}

static int opt_value(int argc, char **argv, int i, const char **out)
{
    if (i + 1 >= argc) {
        fprintf(stderr, "tcplab attach: %s needs a value\n", argv[i]);
        return -1;
    }
    *out = argv[i + 1];
    return 0;
}

/* One option at argv[i]; returns how many arguments it took, or -1. */
static int attach_option(struct attach_opts *o, int argc, char **argv, int i)
{
    const char *a = argv[i], *v = NULL;
    int last = i, lab = cmd_lab_option("attach", &o->lab, &o->in_lab, argc, argv, &last);
    if (lab)
        return lab < 0 ? -1 : last - i + 1;
    if (!strcmp(a, "-q"))
        return o->quiet = true, 1;
    const char **slot = !strcmp(a, "--as") ? &o->as : !strcmp(a, "--record") ? &o->record
                      : !strcmp(a, "--replay") ? &o->replay : !strcmp(a, "--pcap") ? &o->pcap
                      : !strcmp(a, "--json") ? &o->json : NULL;
    if (slot) {
        if (opt_value(argc, argv, i, slot))
            return -1;
        return 2;
    }
    if (!strcmp(a, "--seed") || !strcmp(a, "--until")) {
        if (opt_value(argc, argv, i, &v))
            return -1;
        if (a[2] == 's' ? cmd_parse_uint(v, UINT64_MAX, &o->seed)
                        : cmd_parse_duration(v, 1, &o->until_ns)) {
            fprintf(stderr, "tcplab attach: %s wants %s, got '%s'\n", a,
                    a[2] == 's' ? "a non-negative integer" : "a time like 500ms, 10s or 5 (seconds)",
                    v);
            return -1;
        }
        *(a[2] == 's' ? &o->has_seed : &o->has_until) = true;
        return 2;
    }
    if (a[0] == '-' && a[1]) {
        fprintf(stderr, "tcplab attach: unknown option '%s' (see tcplab attach --help)\n", a);
        return -1;
    }
    if (o->scenario) {
        fprintf(stderr, "tcplab attach: one scenario at a time ('%s' and '%s'); the command "
                "goes after --\n", o->scenario, a);
        return -1;
    }
    o->scenario = a;
    return 1;
}

static int attach_parse_args(int argc, char **argv, struct attach_opts *o)
{
    memset(o, 0, sizeof *o);
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); ) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            attach_usage(stdout);
            exit(0);
        }
        int used = attach_option(o, argc, argv, i);
        if (used < 0)
            return -1;
        i += used;
    }
    if (i < argc) {
        o->argv = argv + i + 1;
        o->argc = argc - i - 1;
    }
    const char *why = NULL;
    if (o->in_lab && o->scenario)
        why = lab_sel_conflict(&o->lab);
    else if (!o->scenario && !o->in_lab)
        why = "which scenario? (a file, `default`, or --lab NAME --student ID)";
    else if (o->replay && o->argc)
        why = "--replay runs no command: drop what follows --";
    else if (o->replay && o->record)
        why = "--replay and --record together: replay the record you have";
    else if (!o->replay && o->argc == 0)
        why = "no command: give it after --, e.g. -- python3 attack.py";
    if (why) {
        fprintf(stderr, "tcplab attach: %s\n", why);
        if (!o->argc && !o->replay)
            fprintf(stderr, "usage: tcplab attach SCENARIO [OPTIONS] -- COMMAND [ARGS...] "
                    "(tcplab attach --help)\n");
        return -1;
    }
    return 0;
}

/* --as (cmd/attach.h). The prefix may hold no host but the attaching one (the off-path
 * view); in a lab it must hold the student's. */
int attach_resolve_as(const char *cmd, struct attach_opts *o, struct sim *s,
                      const struct lab_view *view)
{
    const char *as = o->as;
    uint32_t addr = 0;
    unsigned plen = 32;
    char buf[64];
    if (!as) {
        addr = view->restricted || view->addr ? view->addr : sim_scanner_addr(s);
        if (!addr) {
            fprintf(stderr, "tcplab %s: the scenario has no `role scanner` host: say which "
                    "host the script plays with --as HOST\n", cmd);
            return -1;
        }
    } else if (sim_host_lookup(s, as, &addr)) {
        const char *slash = strchr(as, '/');
        size_t n = slash ? (size_t)(slash - as) : strlen(as);
        unsigned long long pl = 32;
        if (n >= sizeof buf || (memcpy(buf, as, n), buf[n] = 0, wire_ip_parse(buf, &addr)) ||
            (slash && cmd_parse_uint(slash + 1, 32, &pl))) {
            fprintf(stderr, "tcplab %s: --as wants a host of the scenario, an address or a "
                    "prefix like 203.0.113.128/25, got '%s'\n", cmd, as);
            return -1;
        }
        plen = (unsigned)pl;
    }
    uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0, prefix = addr & mask;
    o->addr = addr;
    uint32_t found = 0;
    struct sim_host_info hi;
    for (size_t i = 0; sim_host_at(s, i, &hi) == 0; i++) {
        if ((hi.addr & mask) != prefix)
            continue;
        if (found && found != hi.addr) {
            fprintf(stderr, "tcplab %s: --as %s holds two hosts of the scenario; the "
                    "script may play one host (and addresses where no host is)\n", cmd, as);
            return -1;
        }
        found = hi.addr;
    }
    if (found)
        o->addr = found;
    if (view->restricted && (view->addr & mask) != prefix) {
        fprintf(stderr, "tcplab %s: in this lab the script plays %s, the student's host "
                "(or a prefix holding it)\n", cmd, view->host);
        return -1;
    }
    o->prefix = prefix;
    o->plen = (uint8_t)plen;
    return 0;
}

/* ---------------------------------------------------------------- outputs */

static bool out_sees(const struct attach_out *ao, const struct sim_event *ev)
{
    if (lab_view_sees(ao->view, ev))
        return true;
    return ev->kind != SIM_EV_DROP && (ev->host_addr & ao->mask) == ao->prefix;
}

static void out_event(void *ctx, const struct sim_event *ev)
{
    struct attach_out *ao = ctx;
    if (!out_sees(ao, ev))
        return;
    if (ao->tr)
        trace_record(ao->tr, ev);
    bool both = ao->view->restricted;   /* the student's capture: what reaches the host too */
    if (ao->png && ev->pkt && (ev->kind == SIM_EV_SEND || (both && ev->kind == SIM_EV_RECV))) {
        char c[160] = "";
        if (ev->injected) {
            char src[16];
            wire_ip_str((uint32_t)ev->pkt[12] << 24 | (uint32_t)ev->pkt[13] << 16 |
                        (uint32_t)ev->pkt[14] << 8 | ev->pkt[15], src);
            snprintf(c, sizeof c, "injected by %s (the attached script); source claims %s",
                     ev->host, src);
        }
        pcapngw_packet(ao->png, ev->t_ns, ev->pkt, ev->len,
                       ev->injected ? PCAPNG_DIR_OUT : PCAPNG_DIR_NONE, c);
    }
}

static int outputs_open(const struct attach_opts *o, struct attach_out *ao, char *err,
                        size_t errlen)
{
    if (o->pcap && !(ao->png = pcapngw_open(o->pcap, "tcplab attach", "sim",
                                            "the simulated network", err, errlen)))
        return -1;
    if (o->json && !(ao->json = outfile_open(o->json, err, errlen)))
        return -1;
    if (o->record && !(ao->record = outfile_open(o->record, err, errlen)))
        return -1;
    return 0;
}

static void outputs_abort(struct attach_out *ao)
{
    pcapngw_abort(ao->png);
    outfile_abort(ao->json);
    outfile_abort(ao->record);
    ao->png = NULL;
    ao->json = ao->record = NULL;
}

/* The transcript, the JSON lines, the capture and the record, each whole. 0 or -1. */
static int outputs_finish(const struct attach_opts *o, struct attach_out *ao)
{
    char err[512];
    if (ao->tr && ao->tr->oom) {
        fprintf(stderr, "tcplab attach: out of memory while recording the run\n");
        return -1;
    }
    if (ao->tr && !o->quiet && (trace_write(ao->tr, stdout) || fflush(stdout))) {
        fprintf(stderr, "tcplab attach: writing the transcript failed\n");
        return -1;
    }
    if (ao->json && trace_json_write(ao->tr, outfile_fp(ao->json))) {
        fprintf(stderr, "tcplab attach: writing %s failed\n", o->json);
        return -1;
    }
    struct outfile *set[2] = { ao->json, ao->record };
    ao->json = ao->record = NULL;
    if (outfile_commit_all(set, 2, err, sizeof err)) {
        fprintf(stderr, "tcplab attach: %s\n", err);
        return -1;
    }
    if (ao->png) {
        int c = pcapngw_commit(ao->png, err, sizeof err);
        ao->png = NULL;
        if (c) {
            fprintf(stderr, "tcplab attach: %s\n", err);
            return -1;
        }
    }
    return 0;
}

int attach_lab_record_check(const char *cmd, const struct lab_sel *sel, const char *path,
                            const struct lab_view *view, const struct attach_record *rec,
                            uint64_t seed)
{
    const char *lab = sel->lab ? sel->lab : "(the ticket's lab)";
    char who[300];
    if (sel->student)
        snprintf(who, sizeof who, "student %s's", sel->student);
    else
        snprintf(who, sizeof who, "the ticket's");
    switch (attach_record_fits(rec, seed, view->variant, view->addr)) {
    case ATTACH_REC_FITS:
        return 0;
    case ATTACH_REC_OTHER_VARIANT:
        fprintf(stderr, "tcplab %s: %s was recorded on another variant of lab %s, not %s "
                "(or with another --seed): a record replays only on the variant it was made "
                "for; give the --student it was recorded as\n", cmd, path, lab, who);
        return -1;
    case ATTACH_REC_OTHER_HOST: {
        char a[16], h[16];
        wire_ip_str(rec->hdr.addr, a);
        wire_ip_str(view->addr, h);
        fprintf(stderr, "tcplab %s: %s was recorded playing %s/%u, which does not hold "
                "%s, the student's host in lab %s (%s): not a record of this lab's student\n",
                cmd, path, a, (unsigned)rec->hdr.plen, view->host, lab, h);
        return -1;
    }
    }
    return -1;
}

int cmd_attach(int argc, char **argv)
{
    struct attach_opts o;
    if (attach_parse_args(argc, argv, &o))
        return 1;
    char err[512] = "";
    struct scenario sc;
    struct lab_view view;
    if (cmd_load_scenario("attach", o.scenario, o.in_lab ? &o.lab : NULL, &sc, &view, err,
                          sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    o.variant = view.variant;
    struct attach_record rec = { 0 };
    if (o.replay && attach_record_load(o.replay, &rec, err, sizeof err)) {
        fprintf(stderr, "tcplab attach: %s\n", err);
        scenario_free(&sc);
        return 1;
    }
    /* A scenario file's record brings its seed; a lab's variant has its own, and a record
     * made for another variant or host is refused here, not replayed on this one. */
    uint64_t seed = o.has_seed ? o.seed : o.replay && !o.in_lab ? rec.hdr.seed : sc.seed;
    if (o.replay && o.in_lab &&
        attach_lab_record_check("attach", &o.lab, o.replay, &view, &rec, seed)) {
        free(rec.buf);
        scenario_free(&sc);
        return 1;
    }
    struct sim *s = sim_new(seed);
    struct trace tr;
    trace_init(&tr);
    struct attach_out ao = { .view = &view };
    int rc = 2;
    if (!s) {
        fprintf(stderr, "tcplab attach: out of memory\n");
        goto out;
    }
    rc = 1;
    if (sim_load(s, &sc, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (o.replay && !o.as) {   /* the record says whom the script played */
        o.addr = rec.hdr.addr;
        o.plen = rec.hdr.plen;
        o.prefix = o.plen ? o.addr & ~(uint32_t)0 << (32 - o.plen) : 0;
    } else if (attach_resolve_as("attach", &o, s, &view)) {
        goto out;
    }
    if (o.replay && (o.addr != rec.hdr.addr || o.plen != rec.hdr.plen)) {
        fprintf(stderr, "tcplab attach: %s was recorded with another --as; leave --as out\n",
                o.replay);
        goto out;
    }
    outfile_catch_signals();
    if (outputs_open(&o, &ao, err, sizeof err)) {
        fprintf(stderr, "tcplab attach: %s\n", err);
        goto out;
    }
    ao.prefix = o.prefix;
    ao.mask = o.plen ? ~(uint32_t)0 << (32 - o.plen) : 0;
    ao.tr = !o.quiet || o.json ? &tr : NULL;
    if (ao.tr || ao.png)
        sim_set_trace(s, out_event, &ao);
    int r = o.replay ? attach_replay(&o, s, &rec, seed) : attach_spawn(&o, s, &ao, seed);
    if (r < 0) {
        rc = r == -1 ? 1 : 2;
        goto out;
    }
    rc = outputs_finish(&o, &ao) ? 2 : r;
    if (!o.replay && r > 0 && rc == r) {   /* said last, after the transcript, not lost above */
        const char *name = strrchr(o.argv[0], '/');
        fprintf(stderr, "tcplab attach: %s exited with status %d%s\n", name ? name + 1 : o.argv[0],
                r, r > 128 ? " (killed by a signal?)" : "");
    }
out:
    outputs_abort(&ao);
    free(rec.buf);
    trace_free(&tr);
    sim_free(s);
    scenario_free(&sc);
    return rc;
}
