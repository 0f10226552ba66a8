/* tui_lab.c — `tcplab tui --lab NAME --student ID [-- SCAN OPTIONS]`: a student's variant
 * in the TUI, in the view the lab gives the student (lab/lab.h).
 *
 * When the student may see everything (a lab with `view all`, or --instructor with the
 * course key when one is in play) the TUI records the variant's simulation as it records a
 * scenario file: every host, and each host's inside at every event. In the student's view
 * it may show only what the student's own host sends and receives, as a capture on its
 * interface would: the run (or the scan, with its --capture) writes that capture to a
 * temporary file and the TUI reads it as it reads any capture, so no other host's inside
 * (its TCBs, its IP-ID counter, its next ISN: what the lab has the student infer) is there
 * to step into.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lab/lab.h"
#include "lib/pcapfile.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "tui/rec.h"

struct tui_lab_cap {
    const struct lab_view *view;
    struct pcap_writer *pw;
};

static void tui_lab_event(void *ctx, const struct sim_event *ev)
{
    struct tui_lab_cap *c = ctx;
    if (lab_view_sees(c->view, ev) && ev->pkt &&
        (ev->kind == SIM_EV_SEND || ev->kind == SIM_EV_RECV))
        pcapw_write(c->pw, ev->t_ns, ev->pkt, ev->len);
}

/* The variant run to its end, the student's datagrams into a capture at path. */
static int tui_lab_capture_run(const struct scenario *sc, const struct lab_view *view,
                               uint64_t seed, uint64_t limit_ns, const char *path)
{
    char err[512];
    struct tui_lab_cap c = { .view = view };
    struct sim *s = sim_new(seed);
    if (!s || sim_load(s, sc, err, sizeof err)) {
        fprintf(stderr, "tcplab tui: %s\n", s ? err : "out of memory");
        sim_free(s);
        return 2;
    }
    if (!(c.pw = pcapw_open(path, err, sizeof err))) {
        fprintf(stderr, "tcplab tui: %s\n", err);
        sim_free(s);
        return 2;
    }
    sim_set_trace(s, tui_lab_event, &c);
    sim_run(s, limit_ns, NULL);
    sim_free(s);
    if (pcapw_commit(c.pw, err, sizeof err)) {
        fprintf(stderr, "tcplab tui: %s\n", err);
        return 2;
    }
    return 0;
}

/* The lab options again, for the scan inside (cmd/tui_scan.c). */
static int tui_lab_args(const struct lab_sel *sel, char **pre)
{
    int n = 0;
    if (sel->lab) { pre[n++] = "--lab"; pre[n++] = (char *)sel->lab; }
    if (sel->labs_dir) { pre[n++] = "--labs"; pre[n++] = (char *)sel->labs_dir; }
    if (sel->student) { pre[n++] = "--student"; pre[n++] = (char *)sel->student; }
    if (sel->course_key) { pre[n++] = "--course-key"; pre[n++] = (char *)sel->course_key; }
    if (sel->ticket) { pre[n++] = "--ticket"; pre[n++] = (char *)sel->ticket; }
    if (sel->instructor)
        pre[n++] = "--instructor";
    return n;
}

int cmd_tui_lab(const struct lab_sel *sel, const unsigned long long *seed, uint64_t limit_ns,
                int argc, char **argv, struct tui_rec *rec, char **report)
{
    char err[512];
    struct scenario sc;
    struct lab_view view;
    if (lab_open(sel, &sc, &view, err, sizeof err)) {
        fprintf(stderr, "tcplab tui: %s\n", err);
        return 1;
    }
    char path[] = "/tmp/tcplab-tui-XXXXXX";
    int fd = -1, rc = 0;
    if (view.restricted && (fd = mkstemp(path)) < 0) {
        fprintf(stderr, "tcplab tui: cannot make a temporary file for the student's capture\n");
        scenario_free(&sc);
        return 2;
    }
    if (fd >= 0)
        close(fd);
    uint64_t sd = seed ? *seed : sc.seed;
    if (argc) {
        char *pre[12];
        rc = cmd_tui_scan(pre, tui_lab_args(sel, pre), seed, argc, argv,
                          view.restricted ? path : NULL, rec, report);
    } else if (!view.restricted) {
        if (tui_rec_run_scenario(rec, &sc, sd, limit_ns, 0, err, sizeof err)) {
            fprintf(stderr, "tcplab tui: %s\n", err);
            rc = 2;
        }
    } else if (!(rc = tui_lab_capture_run(&sc, &view, sd, limit_ns, path)) &&
               tui_rec_load_pcap(rec, path, err, sizeof err)) {
        fprintf(stderr, "tcplab tui: %s\n", err);
        rc = 2;
    }
    if (view.restricted) {
        unlink(path);
        if (!rc)
            snprintf(rec->title, sizeof rec->title, "%s, %s's view (%s)", sel->lab ? sel->lab :
                     "lab", view.host, "what the student's host sends and receives");
    }
    scenario_free(&sc);
    return rc;
}
