/* bench_tui.c — the TUI's figures with a headless driver of the same model the terminal
 * view drives (tui/rec, rewind, model, text): opening a run of about a million events and
 * the time of every kind of key.
 *
 * The run: `tcplab scan -sS -p- -T5 -Pn` of four simulated hosts of the embedded lab
 * network, through cmd/scan.c's own path (cmd_scan_hooked) with the TUI's recorder on the
 * simulation, as `tcplab tui default -- -sS -p- -T5 -Pn web printer db desktop` runs it.
 * "Open": the scan recorded, snapshots included (nothing is formatted). Memory: the
 * process's peak resident size (getrusage). A key: the model's move plus what the screen
 * then formats: 20 event rows, 20 ladder rows and the receiving host's inside before and
 * after the event (two rewinds). Keys: next, previous (a step back), random jumps (:N),
 * the cause jump, a filter over every event, follow; and the inside panel alone on every
 * event of the run's biggest unit, both ways. The wall clock is read only here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "pktio/pktio_sim.h"
#include "tui/model.h"
#include "tui/rec.h"
#include "tui/rewind.h"
#include "tui/text.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bt_opened(void *ctx, struct pktio *io)
{
    tui_rec_attach(ctx, pktio_sim_get(io), 0);
}

static void bt_closing(void *ctx, struct pktio *io)
{
    (void)io;
    tui_rec_detach(ctx);
}

/* What a screen formats after a key. */
static void screen(const struct tui_model *m, struct tui_rewind *rw)
{
    static char lines[64][160];
    char row[512];
    size_t a0, a1, rows = tui_model_rows(m);
    size_t top = m->row > 10 ? m->row - 10 : 0;
    for (size_t i = top; i < top + 20 && i < rows; i++) {
        tui_text_row(m, tui_model_ev_at(m, i), row, sizeof row);
        tui_ladder_row(m, tui_model_ev_at(m, i), 80, row, &a0, &a1);
    }
    size_t ev = tui_model_ev(m);
    if (ev != SIZE_MAX)
        tui_inside(m, rw, ev, lines, 64);
}

struct keys { double max, sum; size_t n; double v[4096]; };

static void key_done(struct keys *k, double t)
{
    if (t > k->max)
        k->max = t;
    k->sum += t;
    if (k->n < 4096)
        k->v[k->n] = t;
    k->n++;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, struct keys *k)
{
    size_t n = k->n < 4096 ? k->n : 4096;
    qsort(k->v, n, sizeof *k->v, cmp_d);
    printf("  %-34s %5zu keys  median %7.3f ms  max %7.3f ms\n", what, k->n,
           n ? k->v[n / 2] * 1e3 : 0.0, k->max * 1e3);
}

int main(void)
{
    char *av[] = { "scan", "-sS", "-p-", "-T5", "-Pn", "web", "printer", "db", "desktop" };
    struct tui_rec rec;
    tui_rec_init(&rec);
    struct cmd_scan_hooks h = { .ctx = &rec, .opened = bt_opened, .closing = bt_closing };
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    FILE *devnull = fopen("/dev/null", "w");
    if (saved < 0 || !devnull)
        return 2;
    dup2(fileno(devnull), STDOUT_FILENO);
    double t0 = now_s();
    int rc = cmd_scan_hooked((int)(sizeof av / sizeof *av), av, &h);
    double t_open = now_s() - t0;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    fclose(devnull);
    if (rc || rec.oom || rec.n < 100000) {
        fprintf(stderr, "bench_tui: the scan failed (rc %d, %zu events)\n", rc, rec.n);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("tui (headless driver, tests/bench/bench_tui.c): %zu events, %zu snapshots, %zu ops\n",
           rec.n, rec.nsnaps, rec.nops);
    printf("  open (scan recorded)              %.2f s, peak RSS %.0f MiB (%.0f bytes/event incl. "
           "packets %.0f)\n", t_open, ru.ru_maxrss / 1024.0,
           (double)(rec.n * sizeof *rec.ev + rec.nbytes) / (double)rec.n,
           (double)rec.nbytes / (double)rec.n);

    struct tui_model m;
    tui_model_init(&m, &rec);
    struct tui_rewind rw;
    tui_rewind_init(&rw, &rec);
    struct keys next = {0}, prev = {0}, jump = {0}, cause = {0}, filt = {0}, fol = {0};
    tui_model_goto_number(&m, rec.n / 2);
    screen(&m, &rw);
    for (int i = 0; i < 300; i++) {
        double t = now_s();
        tui_model_next(&m, 1);
        screen(&m, &rw);
        key_done(&next, now_s() - t);
    }
    for (int i = 0; i < 300; i++) {
        double t = now_s();
        tui_model_prev(&m, 1);
        screen(&m, &rw);
        key_done(&prev, now_s() - t);
    }
    uint64_t x = 42;
    for (int i = 0; i < 200; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double t = now_s();
        tui_model_goto_number(&m, 1 + (x >> 33) % rec.n);
        screen(&m, &rw);
        key_done(&jump, now_s() - t);
        t = now_s();
        tui_model_jump_cause(&m);
        screen(&m, &rw);
        key_done(&cause, now_s() - t);
    }
    char err[160];
    static const char *const filters[] = { "port 80", "flags SA", "drop", "db send", "" };
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
        double t = now_s();
        tui_model_set_filter(&m, filters[i], err, sizeof err);
        screen(&m, &rw);
        key_done(&filt, now_s() - t);
    }
    for (int i = 0; i < 10; i++) {
        tui_model_goto_number(&m, 1 + (uint64_t)i * (rec.n / 10));
        while (tui_model_ev(&m) + 1 < rec.n && !rec.ev[tui_model_ev(&m)].conn)
            tui_model_next(&m, 1);
        double t = now_s();
        tui_model_toggle_follow(&m);
        screen(&m, &rw);
        key_done(&fol, now_s() - t);
        t = now_s();
        tui_model_toggle_follow(&m);
        screen(&m, &rw);
        key_done(&fol, now_s() - t);
    }
    /* The inside panel on the run's biggest unit (the most events one queue entry or call
     * made): every event of it forwards, then backwards; each re-runs the unit observed. */
    size_t big = 0, bign = 0;
    for (size_t i = 0, j; i < rec.n; i = j) {
        for (j = i + 1; j < rec.n && rec.ev[j].unit == rec.ev[i].unit; j++)
            ;
        if (j - i > bign) {
            big = i;
            bign = j - i;
        }
    }
    struct keys ins = {0};
    static char lines[64][160];
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < bign; k++) {
            size_t ev = pass ? big + bign - 1 - k : big + k;
            double t = now_s();
            tui_inside(&m, &rw, ev, lines, 64);
            key_done(&ins, now_s() - t);
        }
    report("next (n)", &next);
    report("previous, a true step back (p)", &prev);
    report("jump to a random event (:N)", &jump);
    report("jump to the cause (c)", &cause);
    report("filter over every event (/)", &filt);
    report("follow on and off (f)", &fol);
    char what[64];
    snprintf(what, sizeof what, "inside, biggest unit (%zu events)", bign);
    report(what, &ins);
    tui_rewind_free(&rw);
    tui_model_free(&m);
    tui_rec_free(&rec);
    return 0;
}
