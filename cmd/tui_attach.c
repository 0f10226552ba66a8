/* tui_attach.c — `tcplab tui SCENARIO --replay RECORD`: an attached script's session (a
 * `tcplab attach --record` file) stepped through in the TUI.
 *
 * The record is replayed as `tcplab attach --replay` replays it (cmd/attach_run.c's
 * attach_replay: the same requests, at the same virtual times, through the same dispatch),
 * with the TUI's recorder on the simulation from the moment the script's host is attached,
 * so its first snapshot holds the attachment and every later step back rebuilds the state
 * the session had: the datagrams the script injected and its notes are outside calls the
 * recorder keeps whole (tui/rec.c), given again to a clone on the way back. The injected
 * datagrams are drawn from the address they claim, marked injected; the notes are events.
 *
 * A lab's variant works as for `tcplab attach --lab ... --replay` when the view shows every
 * host (a lab with `view all`, or --instructor); in the student's own view the TUI would
 * have to hide the other hosts' insides, so it says to open the session's --pcap instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/attach.h"
#include "cmd/cmd.h"
#include "lab/lab.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "tui/rec.h"

static int tui_attach_started(void *ctx, struct sim *s)
{
    if (tui_rec_attach(ctx, s, 0)) {
        fprintf(stderr, "tcplab tui: out of memory\n");
        return -1;
    }
    return 0;
}

int cmd_tui_attach(const char *scenario, const struct lab_sel *lab, const char *record,
                   const unsigned long long *seed, const unsigned long long *until_ns,
                   struct tui_rec *rec)
{
    char err[512];
    struct scenario sc;
    struct lab_view view;
    if (cmd_load_scenario("tui", scenario, lab, &sc, &view, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (view.restricted) {
        fprintf(stderr, "tcplab tui: in the student's view only what %s sees may be shown: "
                "give the session's capture instead (tcplab attach ... --replay %s --pcap "
                "FILE, then tcplab tui FILE)\n", view.host, record);
        scenario_free(&sc);
        return 1;
    }
    struct attach_record ar;
    if (attach_record_load(record, &ar, err, sizeof err)) {
        fprintf(stderr, "tcplab tui: %s\n", err);
        scenario_free(&sc);
        return 1;
    }
    /* A scenario file's record brings its seed; a lab's variant has its own, and a record of
     * another variant or host is refused, as tcplab attach --lab ... --replay refuses it. */
    uint64_t sd = seed ? *seed : lab ? sc.seed : ar.hdr.seed;
    if (lab && attach_lab_record_check("tui", lab, record, &view, &ar, sd)) {
        free(ar.buf);
        scenario_free(&sc);
        return 1;
    }
    struct sim *s = sim_new(sd);
    int rc = 2;
    if (!s) {
        fprintf(stderr, "tcplab tui: out of memory\n");
        goto out;
    }
    if (sim_load(s, &sc, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        rc = 1;
        goto out;
    }
    struct attach_opts o = { .replay = record, .addr = ar.hdr.addr, .plen = ar.hdr.plen,
                             .has_until = until_ns != NULL, .until_ns = until_ns ? *until_ns : 0,
                             .attached = tui_attach_started, .attached_ctx = rec };
    o.prefix = o.plen ? o.addr & ~(uint32_t)0 << (32 - o.plen) : 0;
    int r = attach_replay(&o, s, &ar, sd);   /* its own messages on stderr */
    tui_rec_detach(rec);
    if (r == -1) {
        rc = 1;
        goto out;
    }
    if (r == -2) {
        goto out;
    }
    if (rec->oom) {
        fprintf(stderr, "tcplab tui: out of memory while recording the session\n");
        goto out;
    }
    const char *base = strrchr(record, '/');
    snprintf(rec->title, sizeof rec->title, "attach session %.40s: %.70s", base ? base + 1 : record,
             sc.title[0] ? sc.title : sc.file);
    rc = 0;
out:
    sim_free(s);
    free(ar.buf);
    scenario_free(&sc);
    return rc;
}
